//! `cargo xtask bench-relay [--idle N] [--rooms R] [--seconds S]`: the relay's capacity.
//!
//! Builds the relay binary and the benchmark client (`crates/relay/examples/bench_relay.rs`) in
//! release mode, then runs the client, which starts the relay on a free port with a temporary
//! data directory and prints the figures. Nothing is asserted: figures depend on the machine.

use anyhow::Result;

use crate::tools;

pub fn run(args: &[String]) -> Result<()> {
    tools::exec(tools::cmd("cargo").args([
        "build",
        "--release",
        "-p",
        "dreieck-relay",
        "--bin",
        "dreieck-relay",
        "--example",
        "bench_relay",
    ]))?;
    let target = tools::root().join("target/release");
    tools::exec(
        tools::cmd(&target.join("examples/bench_relay").to_string_lossy())
            .arg(target.join("dreieck-relay"))
            .args(args),
    )
}
