//! `cargo xtask bench-relay [--idle N] [--rooms R] [--seconds S] [--database postgres]`: the
//! relay's capacity, on SQLite, and with `--database postgres` also on PostgreSQL with one and
//! two relays (a throwaway server started for the run).
//!
//! Builds the relay binary and the benchmark client (`crates/relay/examples/bench_relay.rs`) in
//! release mode, then runs the client, which starts the relay on a free port with a temporary
//! data directory and prints the figures. Nothing is asserted: figures depend on the machine.

use anyhow::{bail, Result};

use crate::postgres::TestServer;
use crate::tools;

pub fn run(args: &[String]) -> Result<()> {
    // `--database postgres`: the same run on PostgreSQL too, one and two relays, on a server
    // of its own; the other flags go to the benchmark.
    let mut postgres = false;
    let mut rest = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if arg == "--database" {
            match it.next().map(String::as_str) {
                Some("postgres") => postgres = true,
                Some("sqlite") => {}
                other => bail!("--database takes sqlite or postgres, not {other:?}"),
            }
        } else {
            rest.push(arg.clone());
        }
    }
    let server = if postgres {
        Some(TestServer::start()?)
    } else {
        None
    };
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
            .args(rest)
            .args(
                server
                    .iter()
                    .flat_map(|s| ["--postgres".to_owned(), s.url()]),
            ),
    )
}
