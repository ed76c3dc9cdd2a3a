//! `cargo xtask bench`: figures, printed, never asserted.

use std::io::Write;
use std::path::Path;

use crate::run::{Result, cmd, root, status};
use crate::tools::{self, Need};

const BENCH_DIST: &str = "target/bench-dist";

pub fn run(args: &[String]) -> Result {
    if let Some(a) = args.first() {
        return Err(format!("xtask bench takes no arguments (got {a})"));
    }
    tools::ensure(Need::Build)?;
    status(cmd(
        "trunk",
        &["build", "--release", "--offline", "--dist", BENCH_DIST],
    ))?;
    sizes(&root().join(BENCH_DIST))
}

/// Prints each file a browser downloads: raw, gzip -9 and brotli sizes.
fn sizes(dist: &Path) -> Result {
    let mut files: Vec<_> = std::fs::read_dir(dist)
        .map_err(|e| format!("cannot read {}: {e}", dist.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    println!("\nWhat a browser downloads ({}):\n", dist.display());
    println!(
        "{:<44} {:>10} {:>10} {:>10}",
        "file", "raw", "gzip -9", "brotli"
    );
    let mut total = [0usize; 3];
    for path in files {
        let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
        let row = [bytes.len(), gzip(&bytes), brotli(&bytes)];
        for (t, r) in total.iter_mut().zip(row) {
            *t += r;
        }
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        println!(
            "{:<44} {:>10} {:>10} {:>10}",
            name,
            kb(row[0]),
            kb(row[1]),
            kb(row[2])
        );
    }
    println!(
        "{:<44} {:>10} {:>10} {:>10}",
        "total",
        kb(total[0]),
        kb(total[1]),
        kb(total[2])
    );
    Ok(())
}

fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}

fn gzip(bytes: &[u8]) -> usize {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).expect("writing to memory");
    e.finish().expect("writing to memory").len()
}

fn brotli(bytes: &[u8]) -> usize {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        w.write_all(bytes).expect("writing to memory");
    }
    out.len()
}
