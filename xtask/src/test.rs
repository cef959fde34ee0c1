//! `cargo xtask test`: every test the project has, in the order that fails fastest.

use anyhow::{bail, Result};

use crate::build;
use crate::deploy;
use crate::postgres::TestServer;
use crate::serve::Relay;
use crate::tools::{self, cmd, exec};

pub fn run_all(skip_e2e: bool) -> Result<()> {
    tools::ensure_wasm_target()?;
    tools::ensure_node_tools()?;
    tools::ensure_wasm_bindgen()?;
    tools::ensure_chromium()?;

    step("format");
    exec(cmd("cargo").args(["fmt", "--all", "--check"]))?;

    step("lint (native and wasm)");
    exec(cmd("cargo").args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    exec(cmd("cargo").args([
        "clippy",
        "-p",
        "dreieck",
        "--target",
        "wasm32-unknown-unknown",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;

    step("native tests: model, relay, xtask (PostgreSQL started for the relay)");
    let postgres = TestServer::start()?;
    exec(
        cmd("cargo")
            .args(["test", "--workspace", "--exclude", "dreieck"])
            .env("DREIECK_TEST_POSTGRES", postgres.url())
            .env("DREIECK_TEST_TLS", postgres.tls_dir()),
    )?;

    step("relay on PostgreSQL: the sync and purge tests again, every relay on a fresh database");
    exec(
        cmd("cargo")
            .args([
                "test",
                "-p",
                "dreieck-relay",
                "--test",
                "sync",
                "--test",
                "purge",
            ])
            .env("DREIECK_TEST_POSTGRES", postgres.url())
            .env("DREIECK_TEST_TLS", postgres.tls_dir())
            .env("DREIECK_TEST_BACKEND", "postgres"),
    )?;
    drop(postgres);

    step("the example deployment: systemd unit, Caddy and nginx configurations");
    deploy::check(&crate::build::relay(false)?)?;

    step("browser tests: storage in headless Chromium (wasm-bindgen-test)");
    exec(
        cmd("cargo")
            .args([
                "test",
                "-p",
                "dreieck",
                "--target",
                "wasm32-unknown-unknown",
            ])
            .env("CHROMEDRIVER", "/usr/bin/chromedriver")
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
    )?;

    if skip_e2e {
        eprintln!("end-to-end tests skipped (--skip-e2e)");
        return Ok(());
    }
    end_to_end(&[])
}

/// The end-to-end tests (all, or the given files under tests/e2e/): the built app, the real
/// relay, headless Chromium. Also `cargo xtask e2e [FILE…]` while working on one of them.
pub fn end_to_end(files: &[String]) -> Result<()> {
    step("end to end: the built app, the real relay, headless Chromium");
    let dist = build::app(true)?;
    let relay_bin = build::relay(false)?;
    let hostile = build::hostile_device()?;
    let data = tempdir("dreieck-e2e-data")?;
    let relay = Relay::start(&relay_bin, &dist, &data)?;
    // Both catalogues, for the walker that checks every text shown in Leichte Sprache.
    let texts = data.join("texts.json");
    std::fs::write(&texts, crate::texts::json())?;
    // For the relays on PostgreSQL (tests/e2e/instances.test.mjs).
    let postgres = TestServer::start()?;
    let targets: Vec<String> = if files.is_empty() {
        vec!["tests/e2e/".to_string()]
    } else {
        files.to_vec()
    };
    let result = exec(
        cmd("node")
            .args(["--test", "--test-concurrency=1"])
            .args(&targets)
            .env("DREIECK_URL", relay.url())
            // The sync tests start (and kill) relays of their own.
            .env("DREIECK_RELAY_BIN", &relay_bin)
            .env("DREIECK_HOSTILE_BIN", &hostile)
            .env("DREIECK_DIST", &dist)
            .env("DREIECK_TEXTS", &texts)
            .env("DREIECK_TEST_POSTGRES", postgres.url())
            .env("CHROMIUM", tools::chromium()),
    );
    drop(relay);
    drop(postgres);
    let _ = std::fs::remove_dir_all(&data);
    result
}

pub fn run(args: &[String]) -> Result<()> {
    let mut skip_e2e = false;
    for a in args {
        match a.as_str() {
            "--skip-e2e" => skip_e2e = true,
            other => bail!("unknown argument {other}"),
        }
    }
    run_all(skip_e2e)?;
    println!("\nAlle Tests bestanden.");
    Ok(())
}

fn step(name: &str) {
    eprintln!("\n==> {name}");
}

pub fn tempdir(prefix: &str) -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("{prefix}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
