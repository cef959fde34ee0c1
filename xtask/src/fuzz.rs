//! `cargo xtask fuzz [SECONDS] [TARGET]`: libFuzzer on every fuzz target, SECONDS each (or on
//! the one named):
//! - `frame_decode` (`crates/sync/fuzz`): the sync frame decoder;
//! - `foreign_bytes` (`crates/model/fuzz`): bytes from other devices into a report — the gate
//!   (`admit`, `from_signed`), `load` and `apply` (the check of `crates/model/tests/foreign`).
//!
//! cargo-fuzz needs a nightly toolchain (for `-Zsanitizer`); it is not installed here, because
//! rustup would download it from outside the package registries. cargo-fuzz itself comes from
//! crates.io and is installed when missing.

use std::process::Command;

use anyhow::{bail, Result};

use crate::tools;

const DEFAULT_SECONDS: u64 = 60;

/// Each target with the crate (under the repository root) whose `fuzz` directory holds it,
/// and the sanitizer it runs under. `foreign_bytes` is all safe Rust around Automerge and runs
/// hundreds of milliseconds per input under AddressSanitizer: without it, several times more
/// inputs in the same time.
const TARGETS: [(&str, &str, &str); 2] = [
    ("frame_decode", "crates/sync", "address"),
    ("foreign_bytes", "crates/model", "none"),
];

const USAGE: &str = "usage: cargo xtask fuzz [SECONDS] [frame_decode|foreign_bytes]";

pub fn run(args: &[String]) -> Result<()> {
    let (seconds, only) = match args {
        [] => (DEFAULT_SECONDS, None),
        [s] => (parse_seconds(s)?, None),
        [s, t] => (parse_seconds(s)?, Some(t.as_str())),
        _ => bail!(USAGE),
    };
    let targets: Vec<(&str, &str, &str)> = TARGETS
        .into_iter()
        .filter(|(name, _, _)| only.is_none_or(|o| o == *name))
        .collect();
    if targets.is_empty() {
        bail!(USAGE);
    }
    if !has_nightly() {
        bail!(
            "cargo fuzz needs a nightly Rust toolchain, and this machine has none \
             (`rustup toolchain list` shows no nightly). Install one with \
             `rustup toolchain install nightly` where that is possible, then run this again."
        );
    }
    if !has_cargo_fuzz() {
        tools::exec(tools::cmd("cargo").args(["install", "cargo-fuzz", "--locked"]))?;
    }
    for (name, dir, sanitizer) in targets {
        eprintln!("fuzzing {name} ({dir}/fuzz) for {seconds} s");
        tools::exec(
            tools::cmd("cargo")
                .current_dir(tools::root().join(dir))
                // `cargo xtask` runs under the stable toolchain; `+nightly` must win.
                .env_remove("RUSTUP_TOOLCHAIN")
                .args([
                    "+nightly",
                    "fuzz",
                    "run",
                    "--sanitizer",
                    sanitizer,
                    name,
                    "--",
                ])
                .arg(format!("-max_total_time={seconds}")),
        )?;
    }
    Ok(())
}

fn parse_seconds(s: &str) -> Result<u64> {
    match s.parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => bail!(USAGE),
    }
}

fn has_nightly() -> bool {
    Command::new("rustup")
        .args(["toolchain", "list"])
        .output()
        .is_ok_and(|out| {
            out.status.success()
                && String::from_utf8_lossy(&out.stdout)
                    .lines()
                    .any(|line| line.starts_with("nightly"))
        })
}

fn has_cargo_fuzz() -> bool {
    tools::cmd("cargo")
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|out| out.status.success())
}
