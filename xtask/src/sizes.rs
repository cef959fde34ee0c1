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

/// Prints wasm, js and their total for a Trunk dist directory: what every start loads, and
/// apart from it the workers loaded only when needed (the QR reader), which the service
/// worker keeps on the device but the page never fetches, compiles or runs at start.
pub fn report(dist: &Path) -> Result<()> {
    let mut rows = Vec::new();
    for entry in std::fs::read_dir(dist).context("reading dist")? {
        let path = entry?.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if matches!(ext, "wasm" | "js" | "css") && path.is_file() {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let on_demand = name.starts_with("qr-reader-");
            let bytes = std::fs::read(&path)?;
            rows.push((on_demand, ext.to_string(), of(&bytes)?));
        }
    }
    rows.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    println!("App size as served        raw KB   gzip KB  brotli KB");
    let mut totals = [(0, 0, 0); 2];
    for (on_demand, ext, s) in &rows {
        let label = if *on_demand {
            format!("{ext} (QR reader)")
        } else {
            ext.clone()
        };
        println!(
            "  {label:<22} {:>8.1} {:>9.1} {:>10.1}",
            kb(s.raw),
            kb(s.gzip),
            kb(s.brotli)
        );
        if ext != "css" {
            let t = &mut totals[usize::from(*on_demand)];
            t.0 += s.raw;
            t.1 += s.gzip;
            t.2 += s.brotli;
        }
    }
    let [start, on_demand] = totals;
    println!(
        "  {:<22} {:>8.1} {:>9.1} {:>10.1}   (target: <= 500 KB brotli)",
        "wasm + js at start",
        kb(start.0),
        kb(start.1),
        kb(start.2)
    );
    println!(
        "  {:<22} {:>8.1} {:>9.1} {:>10.1}   (loaded when the camera reads a code)",
        "QR reader worker",
        kb(on_demand.0),
        kb(on_demand.1),
        kb(on_demand.2)
    );
    Ok(())
}

fn kb(n: usize) -> f64 {
    n as f64 / 1000.0
}
