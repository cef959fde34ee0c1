//! `cargo xtask run | test | bench`: the two commands a newcomer needs, and the figures.
//!
//! Everything the build needs beyond cargo is checked and, when missing, installed from the
//! package registries only (rustup target, trunk, wasm-bindgen-cli, wasm-opt from npm, Debian's
//! Chromium). Versions are pinned in one place ([`tools`]) so that Trunk never decides to
//! download a tool itself. Steps print what they do, so a failing CI log says where it stopped.

mod bench;
mod bench_relay;
mod build;
mod deploy;
mod fuzz;
mod postgres;
mod serve;
mod sizes;
mod test;
mod test_certs;
mod texts;
mod tools;

use anyhow::{bail, Result};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (cmd, rest) = match args.split_first() {
        Some((cmd, rest)) => (cmd.as_str(), rest),
        None => ("help", &[][..]),
    };
    match cmd {
        "run" => serve::run(rest),
        "test" => test::run(rest),
        "e2e" => {
            tools::ensure_node_tools()?;
            tools::ensure_chromium()?;
            test::end_to_end(rest)
        }
        "bench" => bench::run(rest),
        "bench-relay" => bench_relay::run(rest),
        "package" => deploy::package(),
        "check-deploy" => deploy::check(&build::relay(false)?),
        "sim" => sim(rest),
        "fuzz" => fuzz::run(rest),
        "texts" => {
            match rest {
                [] => print!("{}", texts::table()),
                [json] if json == "--json" => print!("{}", texts::json()),
                _ => bail!("usage: cargo xtask texts [--json]"),
            }
            Ok(())
        }
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown command `{other}`\n\n{USAGE}"),
    }
}

/// Many more seeds of the sync simulation than the test command runs (release build).
fn sim(args: &[String]) -> Result<()> {
    let seeds = match args {
        [] => "5000".to_string(),
        [n] if n.parse::<u64>().is_ok() => n.clone(),
        _ => bail!("usage: cargo xtask sim [SEEDS]"),
    };
    tools::exec(
        tools::cmd("cargo")
            .args([
                "test",
                "--release",
                "-p",
                "dreieck-sync",
                "--test",
                "simulation",
                "--",
                "--nocapture",
            ])
            .env("DREIECK_SIM_SEEDS", seeds),
    )
}

const USAGE: &str = "\
cargo xtask run   [--host H] [--port P]   build the app (release) and serve it with the relay
cargo xtask test  [--skip-e2e]            every test: fmt, clippy, native, browser, end to end
cargo xtask e2e   [FILE…]                 only the end-to-end tests (all, or the given files)
cargo xtask bench                         print figures: app size, open time, keystroke cost
cargo xtask bench sync [--only S,..]      keystroke latency A -> B, C: Dreieck, automerge-repo, yjs
cargo xtask sim   [SEEDS]                 the sync simulation with many seeds (default 5000)
cargo xtask bench-relay [--idle N] [--rooms R] [--seconds S] [--rate N] [--database postgres]
                                          relay capacity: connections, messages/s, memory, latency
                                          (on SQLite; with postgres also one and two instances)
cargo xtask check-deploy                  deploy/ checked by systemd-analyze, caddy and nginx
cargo xtask package                       release binary, built app, deploy/ and the operator's
                                          docs in target/package/ and a tarball
cargo xtask texts [--json]                the app's texts, standard and Leichte Sprache side by side
cargo xtask fuzz  [SECONDS] [TARGET]      fuzz the sync frame decoder and foreign bytes into a
                                          report, SECONDS each (nightly; default 60 s)";
