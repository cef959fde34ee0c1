//! `cargo xtask bench`: figures, never assertions.

use anyhow::{bail, Result};

use crate::build;
use crate::serve::Relay;
use crate::sizes;
use crate::test::tempdir;
use crate::tools::{self, cmd, exec};

pub fn run(args: &[String]) -> Result<()> {
    if let Some(a) = args.first() {
        bail!("unknown argument {a}");
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
