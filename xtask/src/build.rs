//! Building the web app with Trunk, offline, with the pinned tools.

use std::path::PathBuf;

use anyhow::Result;

use crate::tools::{cmd, ensure_build_tools, exec, root};

/// Builds the app into `dist/` (release: small wasm via the `wasm-release` profile and wasm-opt).
pub fn app(release: bool) -> Result<PathBuf> {
    trunk_build(release, None)
}

/// Builds the app with the in-browser benchmark (`?bench`, cargo feature `bench`) into
/// `dist-bench/`, so that the benchmark never ships in `dist/`.
pub fn bench_app() -> Result<PathBuf> {
    trunk_build(true, Some(("bench", "dist-bench")))
}

/// `trunk build`, offline; `features` is a cargo feature list and the dist directory for it.
fn trunk_build(release: bool, features: Option<(&str, &str)>) -> Result<PathBuf> {
    ensure_build_tools()?;
    // --offline is passed on to cargo as well, so fetch first (registries are reachable).
    exec(cmd("cargo").args(["fetch"]))?;
    let mut trunk = cmd("trunk");
    trunk.args(["build", "--offline"]);
    if release {
        trunk.arg("--release");
    }
    let mut dist = root().join("dist");
    if let Some((features, dir)) = features {
        trunk.args(["--features", features, "--dist", dir]);
        dist = root().join(dir);
    }
    exec(&mut trunk)?;
    if release {
        crate::sizes::precompress(&dist)?;
    }
    Ok(dist)
}

/// Builds the relay binary and returns its path.
pub fn relay(release: bool) -> Result<PathBuf> {
    let mut c = cmd("cargo");
    c.args(["build", "-p", "dreieck-relay"]);
    if release {
        c.arg("--release");
    }
    exec(&mut c)?;
    let profile = if release { "release" } else { "debug" };
    Ok(target_dir().join(profile).join("dreieck-relay"))
}

/// The hostile device of the end-to-end tests (`crates/relay/examples/hostile_device.rs`).
pub fn hostile_device() -> Result<PathBuf> {
    exec(cmd("cargo").args([
        "build",
        "-p",
        "dreieck-relay",
        "--example",
        "hostile_device",
    ]))?;
    Ok(target_dir()
        .join("debug")
        .join("examples")
        .join("hostile_device"))
}

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}
