//! Finds each tool at its pinned version, or installs it. The facts behind
//! each step (what installs on these machines, and what breaks the app) are
//! in ARCHITECTURE.md.

use crate::run::{Result, cmd, output, root, status, tools_dir};

pub const TRUNK_VERSION: &str = "0.21.14";
pub const BINARYEN_VERSION: &str = "132.0.0";
/// Auth0's SPA SDK, for the test that it accepts the dev tenant.
pub const SPA_JS_VERSION: &str = "2.27.0";
/// Auth0's Node SDK, for the test that its Management client accepts the dev tenant.
pub const AUTH0_NODE_VERSION: &str = "7.1.0";
/// axe-core, the accessibility checker the e2e suite runs on every state.
pub const AXE_CORE_VERSION: &str = "4.10.3";
/// Lighthouse, which `cargo xtask bench` runs on the signed-out and the
/// signed-in page (version 12 runs on this machine's Node 20).
pub const LIGHTHOUSE_VERSION: &str = "12.8.2";
/// Auth0's Python SDK, for the test that its Management client accepts the dev tenant.
pub const AUTH0_PYTHON_VERSION: &str = "6.8.0";

/// What a task needs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// wasm target, trunk, wasm-bindgen-cli, wasm-opt.
    Build,
    /// All of [`Need::Build`] plus Chromium and ChromeDriver.
    BuildAndBrowser,
    /// All of [`Need::BuildAndBrowser`] plus Lighthouse.
    Bench,
}

/// `cargo xtask tools`: what a build needs, and the PATH that finds it
/// (wasm-opt is in the repo's `.tools`, which no shell has on its PATH).
pub fn run(args: &[String]) -> Result {
    if let Some(a) = args.first() {
        return Err(format!("xtask tools takes no arguments (got {a})"));
    }
    ensure(Need::Build)?;
    let bin = tools_dir().join("node_modules").join(".bin");
    println!(
        "\nFor plain `trunk serve` and `trunk build --release`, put wasm-opt on PATH:\n\n    \
         export PATH=\"{}:$PATH\"",
        bin.display()
    );
    Ok(())
}

/// Installs whatever is missing; says what it did, or that it did nothing.
pub fn ensure(need: Need) -> Result {
    let mut installed = Vec::new();
    wasm_target(&mut installed)?;
    trunk(&mut installed)?;
    wasm_bindgen(&mut installed)?;
    wasm_opt(&mut installed)?;
    if need != Need::Build {
        chromium(&mut installed)?;
        firefox(&mut installed)?;
        webkit(&mut installed)?;
        spa_js(&mut installed)?;
        axe_core(&mut installed)?;
        auth0_node(&mut installed)?;
        auth0_python(&mut installed)?;
    }
    if need == Need::Bench {
        lighthouse(&mut installed)?;
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
    npm_install(&format!("binaryen@{BINARYEN_VERSION}"))?;
    installed.push("wasm-opt");
    Ok(())
}

/// Where the SPA SDK's browser bundle is once installed.
pub fn spa_js_bundle() -> std::path::PathBuf {
    spa_js_dir().join("dist").join("auth0-spa-js.production.js")
}

fn spa_js_dir() -> std::path::PathBuf {
    tools_dir()
        .join("node_modules")
        .join("@auth0")
        .join("auth0-spa-js")
}

fn spa_js(installed: &mut Vec<&str>) -> Result {
    if npm_has(&spa_js_dir(), SPA_JS_VERSION) && spa_js_bundle().is_file() {
        return Ok(());
    }
    println!("tools: installing @auth0/auth0-spa-js {SPA_JS_VERSION} into .tools");
    npm_install(&format!("@auth0/auth0-spa-js@{SPA_JS_VERSION}"))?;
    installed.push("auth0-spa-js");
    Ok(())
}

/// Where axe-core's browser script is once installed.
pub fn axe_core_script() -> std::path::PathBuf {
    axe_core_dir().join("axe.min.js")
}

fn axe_core_dir() -> std::path::PathBuf {
    tools_dir().join("node_modules").join("axe-core")
}

fn axe_core(installed: &mut Vec<&str>) -> Result {
    if npm_has(&axe_core_dir(), AXE_CORE_VERSION) && axe_core_script().is_file() {
        return Ok(());
    }
    println!("tools: installing axe-core {AXE_CORE_VERSION} into .tools");
    npm_install(&format!("axe-core@{AXE_CORE_VERSION}"))?;
    installed.push("axe-core");
    Ok(())
}

/// Lighthouse's command line, once installed.
pub fn lighthouse_cli() -> std::path::PathBuf {
    tools_dir()
        .join("node_modules")
        .join(".bin")
        .join("lighthouse")
}

fn lighthouse(installed: &mut Vec<&str>) -> Result {
    let dir = tools_dir().join("node_modules").join("lighthouse");
    if npm_has(&dir, LIGHTHOUSE_VERSION) && lighthouse_cli().is_file() {
        return Ok(());
    }
    println!("tools: installing lighthouse {LIGHTHOUSE_VERSION} into .tools");
    npm_install(&format!("lighthouse@{LIGHTHOUSE_VERSION}"))?;
    installed.push("lighthouse");
    Ok(())
}

/// Where Auth0's Node SDK is installed (a path to `require`).
pub fn node_sdk_dir() -> std::path::PathBuf {
    tools_dir().join("node_modules").join("auth0")
}

fn auth0_node(installed: &mut Vec<&str>) -> Result {
    if npm_has(&node_sdk_dir(), AUTH0_NODE_VERSION) {
        return Ok(());
    }
    println!("tools: installing auth0 (Node) {AUTH0_NODE_VERSION} into .tools");
    npm_install(&format!("auth0@{AUTH0_NODE_VERSION}"))?;
    installed.push("auth0 (Node)");
    Ok(())
}

/// Where auth0-python is installed (a `PYTHONPATH` entry).
pub fn python_dir() -> std::path::PathBuf {
    tools_dir().join("python")
}

fn auth0_python(installed: &mut Vec<&str>) -> Result {
    let marker = python_dir().join(format!("auth0_python-{AUTH0_PYTHON_VERSION}.dist-info"));
    if marker.is_dir() {
        return Ok(());
    }
    println!("tools: installing auth0-python {AUTH0_PYTHON_VERSION} into .tools/python");
    let target = python_dir();
    let package = format!("auth0-python=={AUTH0_PYTHON_VERSION}");
    status(cmd(
        "python3",
        &[
            "-m",
            "pip",
            "install",
            "--quiet",
            "--upgrade",
            "--target",
            &target.to_string_lossy(),
            &package,
        ],
    ))?;
    installed.push("auth0-python");
    Ok(())
}

/// True if the npm package installed in `dir` is at `version`.
fn npm_has(dir: &std::path::Path, version: &str) -> bool {
    std::fs::read_to_string(dir.join("package.json"))
        .is_ok_and(|m| m.contains(&format!("\"version\": \"{version}\"")))
}

/// `npm install` of one package into `.tools`.
fn npm_install(package: &str) -> Result {
    std::fs::create_dir_all(tools_dir()).map_err(|e| format!("cannot create .tools: {e}"))?;
    let dir = tools_dir();
    let mut npm = cmd(
        "npm",
        &[
            "install",
            "--prefix",
            &dir.to_string_lossy(),
            "--no-audit",
            "--no-fund",
            package,
        ],
    );
    npm.current_dir(&dir);
    status(npm)
}

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Debian's Firefox ESR, which geckodriver drives (`webdriver.json` names it).
pub const FIREFOX: &str = "/usr/bin/firefox-esr";
/// WebKitGTK's WebDriver, the browser it drives, and the X server that
/// browser draws on.
pub const WEBKIT_DRIVER: &str = "/usr/bin/WebKitWebDriver";
pub const MINIBROWSER: &str = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";
pub const XVFB: &str = "/usr/bin/Xvfb";
/// geckodriver from crates.io (GitHub's prebuilt ones are unreachable).
pub const GECKODRIVER_VERSION: &str = "0.37.1";

/// Where `cargo install` puts geckodriver.
pub fn geckodriver() -> std::path::PathBuf {
    crate::run::cargo_home()
        .unwrap_or_default()
        .join("bin")
        .join("geckodriver")
}

/// Firefox ESR (apt-get) and geckodriver (crates.io), for the browser
/// tests in Firefox.
fn firefox(installed: &mut Vec<&str>) -> Result {
    apt(&["firefox-esr"], &[FIREFOX], "Firefox", installed)?;
    let found = output(cmd(&geckodriver().to_string_lossy(), &["--version"])).unwrap_or_default();
    if !found.contains(GECKODRIVER_VERSION) {
        println!("tools: installing geckodriver {GECKODRIVER_VERSION} (takes a few minutes)");
        status(cmd(
            "cargo",
            &["install", "geckodriver", "--version", GECKODRIVER_VERSION],
        ))?;
        installed.push("geckodriver");
    }
    Ok(())
}

/// WebKitGTK's WebDriver and its MiniBrowser, and the X server they need
/// (MiniBrowser has no headless mode), for the end-to-end tests in WebKit.
fn webkit(installed: &mut Vec<&str>) -> Result {
    apt(
        &["webkit2gtk-driver", "xvfb"],
        &[WEBKIT_DRIVER, MINIBROWSER, XVFB],
        "WebKit",
        installed,
    )
}

/// Debian's `packages`, unless every one of `needed` exists already.
/// Installing needs root: without it, the error says what to run.
fn apt(
    packages: &[&'static str],
    needed: &[&str],
    what: &str,
    installed: &mut Vec<&str>,
) -> Result {
    if needed.iter().all(|p| std::path::Path::new(p).exists()) {
        return Ok(());
    }
    let list = packages.join(" ");
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Err(format!(
            "{what} is needed for the browser tests, and installing it needs root. \
             Run: sudo apt-get install {list} (then {} must exist)",
            needed.join(" and ")
        ));
    }
    println!("tools: installing {list} with apt-get");
    status(cmd("apt-get", &["update", "-q"]))?;
    let mut install = cmd("apt-get", &["install", "-y", "-q"]);
    install
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive");
    status(install)?;
    installed.extend(packages);
    Ok(())
}

fn chromium(installed: &mut Vec<&str>) -> Result {
    apt(
        &["chromium", "chromium-driver"],
        &[CHROMIUM, CHROMEDRIVER],
        "Chromium with ChromeDriver",
        installed,
    )
}
