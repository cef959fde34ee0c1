//! Pinned tools, checked before use and installed when missing or of the wrong version.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

/// Trunk 0.22 needs a newer rustc than this machine kind has; 0.21.14 is measured to work.
const TRUNK_VERSION: &str = "0.21.14";

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

pub fn cargo_bin() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from("/root/.cargo"));
    home.join("bin")
}

fn node_dir() -> PathBuf {
    root().join("xtask/node")
}

pub fn node_modules() -> PathBuf {
    node_dir().join("node_modules")
}

/// PATH with our node tools (wasm-opt 132) and cargo's bin first: Trunk finds tools only on
/// PATH, and Debian's wasm-opt (binaryen 108) produces a wasm that fails in the browser.
pub fn path_env() -> std::ffi::OsString {
    let mut dirs = vec![node_modules().join(".bin"), cargo_bin()];
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs).unwrap_or_default()
}

/// A command with our PATH.
pub fn cmd(program: &str) -> Command {
    let mut c = Command::new(program);
    c.env("PATH", path_env()).current_dir(root());
    c
}

pub fn exec(c: &mut Command) -> Result<()> {
    eprintln!("$ {}", describe(c));
    let status = c
        .status()
        .with_context(|| format!("could not start {}", describe(c)))?;
    if !status.success() {
        bail!("failed ({status}): {}", describe(c));
    }
    Ok(())
}

fn describe(c: &Command) -> String {
    let mut s = c.get_program().to_string_lossy().into_owned();
    for a in c.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

fn output_of(program: &str, args: &[&str]) -> Option<String> {
    let out = cmd(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The wasm-bindgen version in Cargo.lock: the CLI must match the crate exactly.
fn locked_wasm_bindgen() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
            {
                return Ok(v.trim_matches('"').to_string());
            }
        }
    }
    bail!("wasm-bindgen not found in Cargo.lock")
}

pub fn ensure_wasm_target() -> Result<()> {
    let installed = output_of("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        exec(cmd("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    Ok(())
}

pub fn ensure_trunk() -> Result<()> {
    let have = output_of("trunk", &["--version"]).unwrap_or_default();
    if have.trim() != format!("trunk {TRUNK_VERSION}") {
        eprintln!("installing trunk {TRUNK_VERSION} (about 9 minutes on 2 cores)");
        exec(cmd("cargo").args(["install", "trunk", "--version", TRUNK_VERSION, "--locked"]))?;
    }
    Ok(())
}

pub fn ensure_wasm_bindgen() -> Result<()> {
    let want = locked_wasm_bindgen()?;
    let have = output_of("wasm-bindgen", &["--version"]).unwrap_or_default();
    if have.trim() != format!("wasm-bindgen {want}") {
        eprintln!("installing wasm-bindgen-cli {want}");
        // Not --locked: its lock file names a version the registry no longer has.
        exec(cmd("cargo").args(["install", "wasm-bindgen-cli", "--version", &want]))?;
    }
    Ok(())
}

/// wasm-opt (binaryen 132), Playwright and axe-core from npm, as locked in xtask/node.
pub fn ensure_node_tools() -> Result<()> {
    let ok = node_modules().join(".bin/wasm-opt").exists()
        && node_modules().join("playwright-core").exists()
        && node_modules().join("axe-core").exists()
        && node_modules().join("pdfjs-dist").exists();
    if !ok {
        exec(
            cmd("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(node_dir()),
        )?;
    }
    Ok(())
}

/// Installs Debian packages (without their recommendations) from the package registry.
pub fn apt_install(packages: &[&str]) -> Result<()> {
    exec(cmd("apt-get").arg("update"))?;
    exec(
        cmd("apt-get")
            .args(["install", "-y", "--no-install-recommends"])
            .args(packages)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

pub fn chromium() -> PathBuf {
    PathBuf::from("/usr/bin/chromium")
}

pub fn ensure_chromium() -> Result<()> {
    if chromium().exists() && Path::new("/usr/bin/chromedriver").exists() {
        return Ok(());
    }
    exec(cmd("apt-get").arg("update"))?;
    exec(cmd("apt-get").args(["install", "-y", "chromium", "chromium-driver"]))
}

/// Everything `trunk build` needs.
pub fn ensure_build_tools() -> Result<()> {
    ensure_wasm_target()?;
    ensure_node_tools()?;
    ensure_wasm_bindgen()?;
    ensure_trunk()
}
