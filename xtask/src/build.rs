//! Building the web app with Trunk, offline, with the pinned tools.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

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
    name_worker_by_content(&dist, "qr-reader")?;
    if release {
        crate::sizes::precompress(&dist)?;
    }
    Ok(dist)
}

/// Trunk names a worker's files after its binary, without the content hash it gives the app's
/// own files: the service worker would then serve a cached old glue with a new wasm after an
/// update. This names them by their content (`<bin>-<hash>.js`, `<bin>-<hash>_bg.wasm`,
/// `<bin>-loader-<hash>.js`) and names them in index.html: the loader in
/// `<meta name="dreieck-<bin>">` for the app, all three for the service worker's precache, so
/// that the worker is on the device before the first time it is needed without a network.
fn name_worker_by_content(dist: &Path, bin: &str) -> Result<()> {
    use std::hash::{Hash, Hasher};
    let glue_path = dist.join(format!("{bin}.js"));
    let wasm_path = dist.join(format!("{bin}_bg.wasm"));
    let loader_path = dist.join(format!("{bin}_loader.js"));
    let read =
        |p: &Path| fs::read(p).with_context(|| format!("Trunk did not write {}", p.display()));
    let (glue, wasm, loader) = (read(&glue_path)?, read(&wasm_path)?, read(&loader_path)?);
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (&glue, &wasm, &loader).hash(&mut hasher);
    let hash = format!("{:016x}", hasher.finish());
    let (glue_name, wasm_name, loader_name) = (
        format!("{bin}-{hash}.js"),
        format!("{bin}-{hash}_bg.wasm"),
        format!("{bin}-loader-{hash}.js"),
    );
    let loader = String::from_utf8(loader).context("the worker's loader is not text")?;
    let old_glue = format!("{bin}.js");
    let old_wasm = format!("{bin}_bg.wasm");
    if !loader.contains(&old_glue) || !loader.contains(&old_wasm) {
        bail!("the worker's loader names neither {old_glue} nor {old_wasm}: {loader}");
    }
    let loader = loader
        .replace(&old_wasm, &wasm_name)
        .replace(&old_glue, &glue_name);
    fs::write(dist.join(&loader_name), loader)?;
    fs::rename(&glue_path, dist.join(&glue_name))?;
    fs::rename(&wasm_path, dist.join(&wasm_name))?;
    fs::remove_file(&loader_path)?;
    let index_path = dist.join("index.html");
    let index = fs::read_to_string(&index_path).context("Trunk did not write index.html")?;
    let metas = format!(
        "<meta name=\"dreieck-{bin}\" content=\"/{loader_name}\" />\n\
         <meta name=\"dreieck-precache\" content=\"/{glue_name}\" />\n\
         <meta name=\"dreieck-precache\" content=\"/{wasm_name}\" />\n</head>"
    );
    if !index.contains("</head>") {
        bail!("index.html has no </head>");
    }
    fs::write(&index_path, index.replacen("</head>", &metas, 1))?;
    Ok(())
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
