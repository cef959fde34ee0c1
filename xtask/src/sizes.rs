//! The size of the app as served: raw, gzip and brotli, per file kind.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

pub struct Size {
    pub raw: usize,
    pub gzip: usize,
    pub brotli: usize,
}

pub fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes)?;
    Ok(gz.finish()?)
}

pub fn brotli(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut br = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut br, 4096, 11, 22);
        w.write_all(bytes)?;
    }
    Ok(br)
}

pub fn of(bytes: &[u8]) -> Result<Size> {
    Ok(Size {
        raw: bytes.len(),
        gzip: gzip(bytes)?.len(),
        brotli: brotli(bytes)?.len(),
    })
}

/// Writes `.br` and `.gz` beside every wasm, js and css file: the relay serves them as they
/// are, at the best compression, instead of compressing on the fly at a faster level.
pub fn precompress(dist: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dist).context("reading dist")? {
        let path = entry?.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if matches!(ext, "wasm" | "js" | "css") && path.is_file() {
            let bytes = std::fs::read(&path)?;
            let name = path.as_os_str().to_owned();
            let with = |suffix: &str| {
                let mut n = name.clone();
                n.push(suffix);
                n
            };
            std::fs::write(with(".br"), brotli(&bytes)?)?;
            std::fs::write(with(".gz"), gzip(&bytes)?)?;
        }
    }
    Ok(())
}

/// Prints wasm, js and their total for a Trunk dist directory.
pub fn report(dist: &Path) -> Result<()> {
    let mut rows = Vec::new();
    for entry in std::fs::read_dir(dist).context("reading dist")? {
        let path = entry?.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if matches!(ext, "wasm" | "js" | "css") && path.is_file() {
            let bytes = std::fs::read(&path)?;
            rows.push((ext.to_string(), of(&bytes)?));
        }
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    println!("App size as served        raw KB   gzip KB  brotli KB");
    let (mut raw, mut gz, mut br) = (0, 0, 0);
    for (ext, s) in &rows {
        println!(
            "  {ext:<22} {:>8.1} {:>9.1} {:>10.1}",
            kb(s.raw),
            kb(s.gzip),
            kb(s.brotli)
        );
        if ext != "css" {
            raw += s.raw;
            gz += s.gzip;
            br += s.brotli;
        }
    }
    println!(
        "  {:<22} {:>8.1} {:>9.1} {:>10.1}   (target: <= 500 KB brotli)",
        "wasm + js",
        kb(raw),
        kb(gz),
        kb(br)
    );
    Ok(())
}

fn kb(n: usize) -> f64 {
    n as f64 / 1000.0
}
