//! Finds each tool at its pinned version, or installs it. The facts behind
//! each step (what installs on these machines, and what breaks the app) are
//! in ARCHITECTURE.md.

use crate::run::{Result, cmd, output, root, status, tools_dir};

pub const TRUNK_VERSION: &str = "0.21.14";
pub const BINARYEN_VERSION: &str = "132.0.0";

/// What a task needs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// wasm target, trunk, wasm-bindgen-cli, wasm-opt.
    Build,
    /// All of [`Need::Build`] plus Chromium and ChromeDriver.
    BuildAndBrowser,
}

/// Installs whatever is missing; says what it did, or that it did nothing.
pub fn ensure(need: Need) -> Result {
    let mut installed = Vec::new();
    wasm_target(&mut installed)?;
    trunk(&mut installed)?;
    wasm_bindgen(&mut installed)?;
    wasm_opt(&mut installed)?;
    if need == Need::BuildAndBrowser {
        chromium(&mut installed)?;
    }
    if installed.is_empty() {
        println!("tools: everything is installed; nothing to do");
    } else {
        println!("tools: installed {}", installed.join(", "));
    }
    Ok(())
}

fn wasm_target(installed: &mut Vec<&str>) -> Result {
    let list = output(cmd("rustup", &["target", "list", "--installed"])).unwrap_or_default();
    if list.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        return Ok(());
    }
    println!("tools: installing the wasm32-unknown-unknown target");
    status(cmd("rustup", &["target", "add", "wasm32-unknown-unknown"]))?;
    installed.push("wasm32-unknown-unknown");
    Ok(())
}

fn trunk(installed: &mut Vec<&str>) -> Result {
    let found = output(cmd("trunk", &["--version"])).unwrap_or_default();
    if found.split_whitespace().nth(1) == Some(TRUNK_VERSION) {
        return Ok(());
    }
    // trunk 0.22 needs a newer rustc than these machines have.
    println!("tools: installing trunk {TRUNK_VERSION} (takes several minutes)");
    status(cmd(
        "cargo",
        &["install", "--locked", "trunk", "--version", TRUNK_VERSION],
    ))?;
    installed.push("trunk");
    Ok(())
}

/// The wasm-bindgen version that Cargo.lock holds: the CLI must match it.
pub fn locked_wasm_bindgen() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(v.trim_end_matches('"').to_owned());
        }
    }
    Err("Cargo.lock has no wasm-bindgen package".into())
}

fn wasm_bindgen(installed: &mut Vec<&str>) -> Result {
    let version = locked_wasm_bindgen()?;
    let found = output(cmd("wasm-bindgen", &["--version"])).unwrap_or_default();
    let runner = output(cmd("wasm-bindgen-test-runner", &["--version"])).unwrap_or_default();
    if found.split_whitespace().nth(1) == Some(version.as_str())
        && runner.contains(version.as_str())
    {
        return Ok(());
    }
    // Not --locked: its lock file names a crate version the registry lacks.
    println!("tools: installing wasm-bindgen-cli {version}");
    status(cmd(
        "cargo",
        &[
            "install",
            "wasm-bindgen-cli",
            "--version",
            &version,
            "--force",
        ],
    ))?;
    installed.push("wasm-bindgen-cli");
    Ok(())
}

fn wasm_opt(installed: &mut Vec<&str>) -> Result {
    let bin = tools_dir()
        .join("node_modules")
        .join(".bin")
        .join("wasm-opt");
    let found = output(cmd(&bin.to_string_lossy(), &["--version"])).unwrap_or_default();
    let major = BINARYEN_VERSION.split('.').next().unwrap_or_default();
    if found.contains(&format!("version {major}")) {
        return Ok(());
    }
    // Debian's binaryen 108 corrupts wasm-bindgen's output; npm has 132.
    println!("tools: installing binaryen {BINARYEN_VERSION} (wasm-opt) into .tools");
    std::fs::create_dir_all(tools_dir()).map_err(|e| format!("cannot create .tools: {e}"))?;
    let package = format!("binaryen@{BINARYEN_VERSION}");
    let dir = tools_dir();
    let mut npm = cmd(
        "npm",
        &[
            "install",
            "--prefix",
            &dir.to_string_lossy(),
            "--no-audit",
            "--no-fund",
            &package,
        ],
    );
    npm.current_dir(&dir);
    status(npm)?;
    installed.push("wasm-opt");
    Ok(())
}

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

fn chromium(installed: &mut Vec<&str>) -> Result {
    if std::path::Path::new(CHROMIUM).exists() && std::path::Path::new(CHROMEDRIVER).exists() {
        return Ok(());
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Err(format!(
            "Chromium and ChromeDriver are needed for the browser tests, and installing them \
             needs root. Run: sudo apt-get install chromium chromium-driver (then {CHROMIUM} \
             and {CHROMEDRIVER} must exist)"
        ));
    }
    println!("tools: installing chromium and chromium-driver with apt-get");
    status(cmd("apt-get", &["update", "-q"]))?;
    let mut install = cmd(
        "apt-get",
        &["install", "-y", "-q", "chromium", "chromium-driver"],
    );
    install.env("DEBIAN_FRONTEND", "noninteractive");
    status(install)?;
    installed.push("chromium");
    Ok(())
}
