//! `cargo xtask bench`: figures, printed, never asserted.

use std::io::Write;
use std::path::Path;

use crate::run::{Result, cmd, root, status, target_dir};
use crate::tools::{self, Need};

const BENCH_DIST: &str = "target/bench-dist";

/// What the whole download may weigh as shipped, gzip and brotli (issue 24).
const BUDGET_GZIP: usize = 220_000;
const BUDGET_BROTLI: usize = 185_000;

pub fn run(args: &[String]) -> Result {
    if let Some(a) = args.first() {
        return Err(format!("xtask bench takes no arguments (got {a})"));
    }
    tools::ensure(Need::Bench)?;
    status(cmd(
        "trunk",
        &["build", "--release", "--offline", "--dist", BENCH_DIST],
    ))?;
    sizes(&root().join(BENCH_DIST))?;
    languages()?;
    crate::bench_why::print(
        &target_dir()
            .join("wasm32-unknown-unknown/release")
            .join("link-accounts.wasm"),
    )?;
    status(cmd(
        "cargo",
        &["build", "--quiet", "--release", "-p", "dev-tenant"],
    ))?;
    tenant_start()?;
    flows()
}

/// The *flows* section: `e2e/src/bin/flows.rs` drives this release build
/// beside a dev tenant, and Auth0's SDK sample beside it; then Lighthouse
/// on the signed-out and the signed-in page.
fn flows() -> Result {
    let mut flows = cmd(
        "cargo",
        &["run", "--quiet", "--release", "-p", "e2e", "--bin", "flows"],
    );
    flows
        .env("LINK_ACCOUNTS_DIST", root().join(BENCH_DIST))
        .env("AUTH0_SPA_JS", tools::spa_js_bundle())
        .env("LIGHTHOUSE", tools::lighthouse_cli())
        .env("CHROMEDRIVER", tools::CHROMEDRIVER);
    status(flows)
}

/// The dev tenant's start, to `listening on`: with a new store (seeding and
/// a new RSA key), and again with that store.
fn tenant_start() -> Result {
    let bin = target_dir().join("release").join("dev-tenant");
    let dir = target_dir().join("bench-tenant");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let (mut cold, mut warm) = (Vec::new(), Vec::new());
    for i in 0..5 {
        let db = dir.join(format!("tenant-{i}.sqlite"));
        cold.push(time_to_listening(&bin, &db)?);
        warm.push(time_to_listening(&bin, &db)?);
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("\nDev tenant start, to `listening on` (release build, 5 runs):\n");
    for (name, mut runs) in [
        ("new store (seed + RSA key)", cold),
        ("existing store", warm),
    ] {
        runs.sort();
        println!(
            "{:<30} min {:>8.1?}  median {:>8.1?}  max {:>8.1?}",
            name,
            runs[0],
            runs[runs.len() / 2],
            runs[runs.len() - 1]
        );
    }
    Ok(())
}

fn time_to_listening(bin: &Path, db: &Path) -> Result<std::time::Duration> {
    use std::io::BufRead;
    let started = std::time::Instant::now();
    let mut child = std::process::Command::new(bin)
        .args(["--listen", "127.0.0.1:0", "--db"])
        .arg(db)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the dev tenant: {e}"))?;
    let mut line = String::new();
    let stdout = child.stdout.take().expect("piped");
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    let elapsed = started.elapsed();
    let _ = child.kill();
    let _ = child.wait();
    if line.starts_with("listening on") {
        Ok(elapsed)
    } else {
        Err(format!("the dev tenant did not start: {line:?}"))
    }
}

/// Prints each file a browser downloads: raw; gzip -9, as a server
/// compressing on the fly sends it; and the gzip and brotli copies the
/// build ships beside it (`post_build::precompress`), as a server that
/// serves those sends it. A file without a copy counts at gzip -9 and
/// brotli 11. The budget is measured on what is shipped.
fn sizes(dist: &Path) -> Result {
    let mut files: Vec<_> = std::fs::read_dir(dist)
        .map_err(|e| format!("cannot read {}: {e}", dist.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| !matches!(p.extension().and_then(|e| e.to_str()), Some("gz" | "br")))
        .collect();
    files.sort();
    println!("\nWhat a browser downloads ({}):\n", dist.display());
    println!(
        "{:<44} {:>10} {:>10} {:>10} {:>10}",
        "file", "raw", "gzip -9", ".gz", ".br"
    );
    let mut total = [0usize; 4];
    for path in files {
        let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
        let shipped = |suffix: &str| {
            let mut name = path.clone().into_os_string();
            name.push(suffix);
            std::fs::metadata(name).ok().map(|m| m.len() as usize)
        };
        let on_the_fly = gzip(&bytes);
        let row = [
            bytes.len(),
            on_the_fly,
            shipped(".gz").unwrap_or(on_the_fly),
            shipped(".br").unwrap_or_else(|| brotli(&bytes)),
        ];
        for (t, r) in total.iter_mut().zip(row) {
            *t += r;
        }
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        println!(
            "{:<44} {:>10} {:>10} {:>10} {:>10}",
            name,
            kb(row[0]),
            kb(row[1]),
            kb(row[2]),
            kb(row[3])
        );
    }
    println!(
        "{:<44} {:>10} {:>10} {:>10} {:>10}",
        "total",
        kb(total[0]),
        kb(total[1]),
        kb(total[2]),
        kb(total[3])
    );
    println!();
    for (what, size, budget) in [
        ("gzip (.gz)", total[2], BUDGET_GZIP),
        ("brotli (.br)", total[3], BUDGET_BROTLI),
    ] {
        println!(
            "Budget, {what} as shipped: {} of {} ({:.0} %){}",
            kb(size),
            kb(budget),
            100.0 * size as f64 / budget as f64,
            if size <= budget { "" } else { ": OVER" }
        );
    }
    Ok(())
}

/// What each language of the catalog weighs: the text of its table, raw
/// and gzip, and what the languages beyond English add to the gzip of the
/// whole catalog (the code that renders them is shared).
fn languages() -> Result {
    let dir = root().join("src/text");
    let mut tables: Vec<(String, String)> = Vec::new();
    for entry in std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if name == "tests" {
            continue;
        }
        let source = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
        // The string literals after `TEXT`: the templates that end up in the wasm.
        let table = source.split_once("TEXT").map_or("", |(_, t)| t);
        let text = string_literals(table).join("\n");
        tables.push((name, text));
    }
    tables.sort_by_key(|(name, _)| (name != "en", name.clone()));
    println!("\nLanguages (the catalog's text in the wasm):\n");
    println!("{:<10} {:>10} {:>10}", "language", "raw", "gzip -9");
    for (name, text) in &tables {
        println!(
            "{:<10} {:>10} {:>10}",
            name,
            kb(text.len()),
            kb(gzip(text.as_bytes()))
        );
    }
    let all: String = tables.iter().map(|(_, t)| t.as_str()).collect();
    let english = tables.first().map_or(0, |(_, t)| gzip(t.as_bytes()));
    let (languages, add) = if tables.len() == 2 {
        ("language", "adds")
    } else {
        ("languages", "add")
    };
    println!(
        "\nThe {languages} beyond English {add} {} gzip to the catalog's {} gzip.",
        kb(gzip(all.as_bytes()).saturating_sub(english)),
        kb(gzip(all.as_bytes()))
    );
    Ok(())
}

/// The contents of the `"…"` literals in Rust source (escapes kept as written).
fn string_literals(source: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = source;
    while let Some(open) = rest.find('"') {
        let body = &rest[open + 1..];
        let mut escaped = false;
        let Some(close) = body.char_indices().find_map(|(i, c)| {
            let end = c == '"' && !escaped;
            escaped = c == '\\' && !escaped;
            end.then_some(i)
        }) else {
            break;
        };
        out.push(&body[..close]);
        rest = &body[close + 1..];
    }
    out
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
    crate::post_build::brotli(bytes).len()
}
