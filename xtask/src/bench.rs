//! `cargo xtask bench`: figures, never assertions.

use anyhow::{bail, Result};

use crate::build;
use crate::serve::Relay;
use crate::sizes;
use crate::test::tempdir;
use crate::tools::{self, cmd, exec};

pub fn run(args: &[String]) -> Result<()> {
    match args.split_first() {
        Some((sub, rest)) if sub == "sync" => return sync(rest),
        Some((a, _)) => bail!("unknown argument {a}"),
        None => {}
    }
    tools::ensure_chromium()?;
    let dist = build::app(true)?;

    println!("\n== Size");
    sizes::report(&dist)?;

    println!("\n== Native: a report with 20 goals and 10,000 edits");
    exec(cmd("cargo").args([
        "run",
        "--quiet",
        "--release",
        "-p",
        "dreieck-model",
        "--example",
        "bench",
    ]))?;

    println!("\n== Chromium: the same report, opened and typed into (storage included)");
    // The benchmark is not in the app as served: a second build with the `bench` feature.
    let bench_dist = build::bench_app()?;
    let relay_bin = build::relay(true)?;
    let data = tempdir("dreieck-bench-data")?;
    let relay = Relay::start(&relay_bin, &bench_dist, &data)?;
    let result = exec(
        cmd("node")
            .arg("xtask/node/bench-browser.mjs")
            .env("DREIECK_URL", relay.url())
            .env("CHROMIUM", tools::chromium()),
    );
    drop(relay);
    let _ = std::fs::remove_dir_all(&data);
    result
}

/// `cargo xtask bench sync [--only dreieck,dreieck-relay,automerge-repo,yjs] [--variants …] …`:
/// keystroke latency from device A to B and C through each system's sync server, in headless
/// Chromium (xtask/node/bench-sync.mjs; every flag is passed on to it). The app and the relay
/// are built only when Dreieck is among the systems.
fn sync(args: &[String]) -> Result<()> {
    tools::ensure_chromium()?;
    ensure_sync_node_deps()?;
    let with_dreieck = args
        .windows(2)
        .find(|w| w[0] == "--only")
        .is_none_or(|w| w[1].split(',').any(|s| s.trim().starts_with("dreieck")));
    let mut node = cmd("node");
    node.arg("xtask/node/bench-sync.mjs");
    if with_dreieck {
        let dist = build::app(true)?;
        let relay_bin = build::relay(true)?;
        node.arg("--relay-bin")
            .arg(relay_bin)
            .arg("--dist")
            .arg(dist);
    }
    exec(node.args(args).env("CHROMIUM", tools::chromium()))
}

/// The npm packages the sync comparison adds to xtask/node; `npm ci` when one is missing.
fn ensure_sync_node_deps() -> Result<()> {
    tools::ensure_node_tools()?;
    let packages = [
        "esbuild",
        "ws",
        "yjs",
        "y-websocket",
        "@y/websocket-server",
        "@automerge/automerge",
        "@automerge/automerge-repo",
        "@automerge/automerge-repo-network-websocket",
        "@automerge/automerge-repo-storage-nodefs",
    ];
    if packages
        .iter()
        .any(|p| !tools::node_modules().join(p).exists())
    {
        exec(
            cmd("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(tools::root().join("xtask/node")),
        )?;
    }
    Ok(())
}
