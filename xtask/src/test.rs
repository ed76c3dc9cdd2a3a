//! `cargo xtask test`: every check, in order, stopping at the first failure.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::run::{Result, cmd, root, show};
use crate::tools::{self, CHROMEDRIVER, Need};

/// The end-to-end tests that run in Chromium only (they return at once in
/// another engine), and why.
const CHROMIUM_ONLY: [(&str, &str); 1] = [(
    "loading::nothing_moves_while_the_page_loads",
    "layout shifts are read through the Layout Instability API (layout-shift entries), which only Chromium has",
)];

/// A browser engine the suites run in.
#[derive(Clone, Copy)]
enum Engine {
    Chromium,
    Firefox,
}

impl Engine {
    /// Its driver, as wasm-bindgen-test-runner and the e2e harness find
    /// it: the runner drives geckodriver when GECKODRIVER is set and
    /// CHROMEDRIVER is not.
    fn driver(self, command: &mut Command) {
        match self {
            Engine::Chromium => command.env("CHROMEDRIVER", CHROMEDRIVER),
            Engine::Firefox => command
                .env_remove("CHROMEDRIVER")
                .env("GECKODRIVER", tools::geckodriver())
                .env("E2E_ENGINE", "firefox"),
        };
    }
}

/// The wasm-bindgen-test suite in `engine`.
fn browser_suite(engine: Engine) -> Command {
    let mut command = cmd(
        "cargo",
        &[
            "test",
            "--locked",
            "-p",
            "link-accounts",
            "--target",
            "wasm32-unknown-unknown",
            "--test",
            "*",
        ],
    );
    command.env(
        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
        "wasm-bindgen-test-runner",
    );
    engine.driver(&mut command);
    command
}

/// The end-to-end suite in `engine`, on the release build.
fn e2e_suite(engine: Engine) -> Command {
    let mut command = cmd(
        "cargo",
        &["test", "--locked", "-p", "e2e", "--", "--test-threads=2"],
    );
    command
        .env("LINK_ACCOUNTS_DIST", root().join(E2E_DIST))
        .env("AUTH0_SPA_JS", tools::spa_js_bundle())
        .env("AXE_CORE", tools::axe_core_script())
        .env("AUTH0_PYTHON_PATH", tools::python_dir())
        .env("AUTH0_NODE_PATH", tools::node_sdk_dir());
    if let Ok(xtask) = std::env::current_exe() {
        // For the test that serves the build with `xtask headers`' output.
        command.env("XTASK", xtask);
    }
    engine.driver(&mut command);
    command
}

/// Where the end-to-end suite finds the release build it serves.
pub const E2E_DIST: &str = "target/e2e-dist";

struct Stage {
    name: &'static str,
    command: Command,
}

fn stage(name: &'static str, command: Command) -> Stage {
    Stage { name, command }
}

pub fn run(args: &[String]) -> Result {
    if let Some(a) = args.first() {
        return Err(format!("xtask test takes no arguments (got {a})"));
    }
    let started = Instant::now();
    tools::ensure(Need::BuildAndBrowser)?;

    let wasm_tests = browser_suite(Engine::Chromium);
    let firefox_tests = browser_suite(Engine::Firefox);
    let e2e = e2e_suite(Engine::Chromium);
    let e2e_firefox = e2e_suite(Engine::Firefox);

    let stages = vec![
        stage("format", cmd("cargo", &["fmt", "--all", "--check"])),
        stage(
            "clippy (native)",
            cmd(
                "cargo",
                &[
                    "clippy",
                    "--locked",
                    "--workspace",
                    "--all-targets",
                    "--all-features",
                    "--",
                    "-D",
                    "warnings",
                ],
            ),
        ),
        stage(
            "clippy (wasm32)",
            cmd(
                "cargo",
                &[
                    "clippy",
                    "--locked",
                    "-p",
                    "link-accounts",
                    "--target",
                    "wasm32-unknown-unknown",
                    "--all-targets",
                    "--",
                    "-D",
                    "warnings",
                ],
            ),
        ),
        stage(
            "native tests",
            cmd(
                "cargo",
                &["test", "--locked", "--workspace", "--exclude", "e2e"],
            ),
        ),
        stage(
            "fuzz (dev tenant)",
            cmd(
                "cargo",
                &[
                    "test",
                    "--locked",
                    "-p",
                    "dev-tenant",
                    "--features",
                    "fuzz",
                    "--test",
                    "fuzz",
                ],
            ),
        ),
        stage("browser tests (wasm-bindgen-test, Chromium)", wasm_tests),
        stage("browser tests (wasm-bindgen-test, Firefox)", firefox_tests),
        stage(
            "release build for end-to-end",
            cmd(
                "trunk",
                &["build", "--release", "--offline", "--dist", E2E_DIST],
            ),
        ),
        stage("end-to-end tests (Chromium)", e2e),
        stage("end-to-end tests (Firefox)", e2e_firefox),
    ];

    let (mut passed, mut failed) = (0, 0);
    let mut failure = None;
    for Stage { name, command } in stages {
        println!("\n== {name}: {}", show(&command));
        let stage_started = Instant::now();
        let outcome = run_counting(command);
        passed += outcome.passed;
        failed += outcome.failed;
        println!(
            "== {name}: {} in {:.0?} ({} passed, {} failed)",
            if outcome.ok { "ok" } else { "FAILED" },
            stage_started.elapsed(),
            outcome.passed,
            outcome.failed
        );
        if !outcome.ok {
            failed += usize::from(outcome.failed == 0);
            failure = Some(name);
            break;
        }
    }
    println!("\nRun in Chromium only, and why:");
    for (test, why) in CHROMIUM_ONLY {
        println!("  {test}: {why}");
    }
    println!("\ntotal time {:.0?}", started.elapsed());
    println!("{passed} passed, {failed} failed");
    match failure {
        None => Ok(()),
        Some(name) => Err(format!("stage \"{name}\" failed")),
    }
}

struct Outcome {
    ok: bool,
    passed: usize,
    failed: usize,
}

/// Runs a command, echoing its stdout, and adds up libtest's result lines.
fn run_counting(mut command: Command) -> Outcome {
    let shown = show(&command);
    let mut child = match command.stdout(Stdio::piped()).spawn() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cannot run {shown}: {e}");
            return Outcome {
                ok: false,
                passed: 0,
                failed: 0,
            };
        }
    };
    let (mut passed, mut failed) = (0, 0);
    let stdout = child.stdout.take().expect("stdout was piped");
    let mut out = std::io::stdout();
    for line in BufReader::new(stdout)
        .lines()
        .map_while(std::io::Result::ok)
    {
        let _ = writeln!(out, "{line}");
        if let Some((p, f)) = libtest_counts(&line) {
            passed += p;
            failed += f;
        }
    }
    let ok = child.wait().is_ok_and(|s| s.success());
    Outcome { ok, passed, failed }
}

/// `test result: ok. 3 passed; 0 failed; ...` → `(3, 0)`.
fn libtest_counts(line: &str) -> Option<(usize, usize)> {
    let rest = line.trim().strip_prefix("test result: ")?;
    let mut passed = None;
    let mut failed = None;
    for part in rest.split(';') {
        let mut words = part.split_whitespace().rev();
        let label = words.next()?;
        let number = words.next().and_then(|n| n.parse().ok());
        match label {
            "passed" => passed = number,
            "failed" => failed = number,
            _ => {}
        }
    }
    Some((passed?, failed?))
}

#[cfg(test)]
mod tests {
    use super::libtest_counts;

    #[test]
    fn reads_libtest_result_lines() {
        let line = "test result: ok. 12 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s";
        assert_eq!(libtest_counts(line), Some((12, 0)));
        assert_eq!(
            libtest_counts("test result: FAILED. 1 passed; 2 failed; 0 ignored"),
            Some((1, 2))
        );
        assert_eq!(libtest_counts("running 3 tests"), None);
    }
}
