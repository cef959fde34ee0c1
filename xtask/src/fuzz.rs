//! `cargo xtask fuzz [SECONDS]`: libFuzzer on the sync frame decoder (`crates/sync/fuzz`).
//!
//! cargo-fuzz needs a nightly toolchain (for `-Zsanitizer`); it is not installed here, because
//! rustup would download it from outside the package registries. cargo-fuzz itself comes from
//! crates.io and is installed when missing.

use std::process::Command;

use anyhow::{bail, Result};

use crate::tools;

const DEFAULT_SECONDS: u64 = 60;

pub fn run(args: &[String]) -> Result<()> {
    let seconds = match args {
        [] => DEFAULT_SECONDS,
        [s] => match s.parse::<u64>() {
            Ok(n) if n > 0 => n,
            _ => bail!("usage: cargo xtask fuzz [SECONDS]"),
        },
        _ => bail!("usage: cargo xtask fuzz [SECONDS]"),
    };
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
    tools::exec(
        tools::cmd("cargo")
            .current_dir(tools::root().join("crates/sync"))
            // `cargo xtask` runs under the stable toolchain; `+nightly` must win.
            .env_remove("RUSTUP_TOOLCHAIN")
            .args(["+nightly", "fuzz", "run", "frame_decode", "--"])
            .arg(format!("-max_total_time={seconds}")),
    )
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
