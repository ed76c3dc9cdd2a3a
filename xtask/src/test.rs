//! `cargo xtask test`: every check, in order, stopping at the first failure.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::run::{Result, cmd, root, show};
use crate::tools::{self, CHROMEDRIVER, Need};

/// The end-to-end tests that do not run in every engine (they return at
/// once in the others): the test, where it runs, and why.
const NOT_EVERYWHERE: [(&str, &str, &str); 3] = [
    (
        "loading::nothing_moves_while_the_page_loads",
        "Chromium only",
        "layout shifts are read through the Layout Instability API (layout-shift entries), which only Chromium has",
    ),
    (
        "languages::a_german_reader_gets_german_and_can_sign_in_in_it",
        "not in WebKit",
        "WebKitGTK takes the browser's languages from its process's locale: one tag, never a list such as fr-FR,de-AT",
    ),
    (
        "axe::german_in_the_dark_scheme_passes_axe",
        "not in WebKit",
        "the same: MiniBrowser cannot be told to ask for German",
    ),
];

/// A browser engine the suites run in.
#[derive(Clone, Copy)]
pub enum Engine {
    Chromium,
    Firefox,
    WebKit,
}

impl Engine {
    pub const ALL: [Engine; 3] = [Engine::Chromium, Engine::Firefox, Engine::WebKit];

    /// The engine `--engine` names: `chromium`, `firefox` or `webkit`.
    pub fn parse(name: &str) -> std::result::Result<Engine, String> {
        Engine::ALL
            .into_iter()
            .find(|e| e.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| format!("no engine {name:?}: chromium, firefox or webkit"))
    }

    pub fn name(self) -> &'static str {
        match self {
            Engine::Chromium => "Chromium",
            Engine::Firefox => "Firefox",
            Engine::WebKit => "WebKit",
        }
    }

    /// Its driver, as wasm-bindgen-test-runner and the e2e harness find
    /// it: the runner drives geckodriver when GECKODRIVER is set and
    /// CHROMEDRIVER is not. WebKit's browser draws on `display`.
    pub fn driver(self, command: &mut Command, display: &str) {
        match self {
            Engine::Chromium => command.env("CHROMEDRIVER", CHROMEDRIVER),
            Engine::Firefox => command
                .env_remove("CHROMEDRIVER")
                .env("GECKODRIVER", tools::geckodriver())
                .env("E2E_ENGINE", "firefox"),
            Engine::WebKit => command
                .env_remove("CHROMEDRIVER")
                .env("E2E_ENGINE", "webkit")
                .env("DISPLAY", display),
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
    engine.driver(&mut command, "");
    command
}

/// The end-to-end suite in `engine`, on the release build: `cargo test`
/// with `args` (`--no-run` builds it).
fn e2e_suite(engine: Engine, display: &str, args: &[&str]) -> Command {
    let mut command = cmd("cargo", &["test", "--locked", "-p", "e2e"]);
    command.args(args);
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
    engine.driver(&mut command, display);
    command
}

/// Where the end-to-end suite finds the release build it serves.
pub const E2E_DIST: &str = "target/e2e-dist";

struct Stage {
    name: String,
    /// One command, or one per engine, run side by side.
    commands: Vec<(Option<Engine>, Command)>,
}

fn stage(name: &str, command: Command) -> Stage {
    Stage {
        name: name.to_owned(),
        commands: vec![(None, command)],
    }
}

fn in_engine(name: &str, engine: Engine, command: Command) -> Stage {
    Stage {
        name: format!("{name} ({})", engine.name()),
        commands: vec![(Some(engine), command)],
    }
}

/// How many end-to-end tests each engine runs at once, the three engines
/// side by side on this machine's cores.
const E2E_THREADS: &str = "--test-threads=2";

pub fn run(args: &[String]) -> Result {
    if let Some(a) = args.first() {
        return Err(format!("xtask test takes no arguments (got {a})"));
    }
    let started = Instant::now();
    tools::ensure(Need::BuildAndBrowser)?;
    let display = Xvfb::start()?;

    let clippy = |target: &[&str]| {
        let mut c = cmd("cargo", &["clippy", "--locked"]);
        c.args(target)
            .args(["--all-targets", "--", "-D", "warnings"]);
        c
    };
    let stages = vec![
        stage("format", cmd("cargo", &["fmt", "--all", "--check"])),
        stage(
            "clippy (native)",
            clippy(&["--workspace", "--all-features"]),
        ),
        stage(
            "clippy (wasm32)",
            clippy(&["-p", "link-accounts", "--target", "wasm32-unknown-unknown"]),
        ),
        stage("native tests", {
            // The dev tenant's tests run the post-login Action's Node tests.
            let mut c = cmd(
                "cargo",
                &["test", "--locked", "--workspace", "--exclude", "e2e"],
            );
            c.env("AUTH0_NODE_PATH", tools::node_sdk_dir());
            c
        }),
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
        in_engine(
            "browser tests (wasm-bindgen-test)",
            Engine::Chromium,
            browser_suite(Engine::Chromium),
        ),
        in_engine(
            "browser tests (wasm-bindgen-test)",
            Engine::Firefox,
            browser_suite(Engine::Firefox),
        ),
        stage(
            "release build for end-to-end",
            cmd(
                "trunk",
                &["build", "--release", "--offline", "--dist", E2E_DIST],
            ),
        ),
        stage(
            "end-to-end tests, built",
            e2e_suite(Engine::Chromium, &display.name, &["--no-run"]),
        ),
        Stage {
            name: "end-to-end tests (Chromium, Firefox and WebKit side by side)".into(),
            commands: Engine::ALL
                .iter()
                .map(|&e| (Some(e), e2e_suite(e, &display.name, &["--", E2E_THREADS])))
                .collect(),
        },
    ];

    let mut counts = Counts::default();
    let mut failure = None;
    for Stage { name, commands } in stages {
        for (_, command) in &commands {
            println!("\n== {name}: {}", show(command));
        }
        let stage_started = Instant::now();
        let outcomes = run_side_by_side(commands);
        let mut ok = true;
        for (engine, outcome) in &outcomes {
            counts.add(*engine, outcome);
            ok &= outcome.ok;
            let of = engine.map_or(String::new(), |e| format!(" [{}]", e.name()));
            println!(
                "== {name}{of}: {} in {:.0?} ({} passed, {} failed)",
                if outcome.ok { "ok" } else { "FAILED" },
                outcome.took,
                outcome.passed,
                outcome.failed
            );
        }
        if outcomes.len() > 1 {
            println!("== {name}: {:.0?} in all", stage_started.elapsed());
        }
        if !ok {
            failure = Some(name);
            break;
        }
    }
    drop(display);
    println!("\nNot run in every engine, and why:");
    for (test, where_, why) in NOT_EVERYWHERE {
        println!("  {test} ({where_}): {why}");
    }
    println!();
    for engine in Engine::ALL {
        let (p, f) = counts.of(Some(engine));
        println!("{}: {p} passed, {f} failed", engine.name());
    }
    let (p, f) = counts.of(None);
    println!("engine-free (format, clippy, native, dev tenant): {p} passed, {f} failed");
    println!("\ntotal time {:.0?}", started.elapsed());
    println!("total: {} passed, {} failed", counts.passed, counts.failed);
    match failure {
        None => Ok(()),
        Some(name) => Err(format!("stage \"{name}\" failed")),
    }
}

/// Passed and failed, in all and by engine.
#[derive(Default)]
struct Counts {
    passed: usize,
    failed: usize,
    by_engine: Vec<(Option<&'static str>, usize, usize)>,
}

impl Counts {
    fn add(&mut self, engine: Option<Engine>, outcome: &Outcome) {
        // A command that failed without a failing test counts as one.
        let failed = outcome.failed + usize::from(!outcome.ok && outcome.failed == 0);
        self.passed += outcome.passed;
        self.failed += failed;
        self.by_engine
            .push((engine.map(Engine::name), outcome.passed, failed));
    }

    fn of(&self, engine: Option<Engine>) -> (usize, usize) {
        self.by_engine
            .iter()
            .filter(|(e, ..)| *e == engine.map(Engine::name))
            .fold((0, 0), |(p, f), (_, dp, df)| (p + dp, f + df))
    }
}

/// An X server for WebKit's browser, which has no headless mode: Xvfb on
/// the first free display from :90, stopped when dropped.
pub struct Xvfb {
    pub name: String,
    child: std::process::Child,
}

impl Xvfb {
    pub fn start() -> std::result::Result<Xvfb, String> {
        let free = (90..200)
            .find(|n| !std::path::Path::new(&format!("/tmp/.X{n}-lock")).exists())
            .ok_or("no free X display from :90 to :199")?;
        let name = format!(":{free}");
        let child = Command::new(tools::XVFB)
            .args([&name, "-screen", "0", "1280x1400x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", tools::XVFB))?;
        let socket = format!("/tmp/.X11-unix/X{free}");
        let deadline = Instant::now() + std::time::Duration::from_secs(15);
        while !std::path::Path::new(&socket).exists() {
            if Instant::now() > deadline {
                return Err(format!("Xvfb {name} did not start in 15 s"));
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        Ok(Xvfb { name, child })
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Outcome {
    ok: bool,
    passed: usize,
    failed: usize,
    took: std::time::Duration,
}

/// Runs the commands side by side. One alone echoes its stdout as it
/// comes; several have theirs kept and echoed whole, each after the
/// other, so that their lines do not mix. Each one's libtest result
/// lines are added up.
fn run_side_by_side(commands: Vec<(Option<Engine>, Command)>) -> Vec<(Option<Engine>, Outcome)> {
    let alone = commands.len() == 1;
    let running: Vec<_> = commands
        .into_iter()
        .map(|(engine, command)| {
            (
                engine,
                std::thread::spawn(move || run_counting(command, alone)),
            )
        })
        .collect();
    running
        .into_iter()
        .map(|(engine, thread)| {
            let (outcome, kept) = thread.join().expect("a suite's thread");
            if !kept.is_empty() {
                let of = engine.map_or("", Engine::name);
                println!("\n-- {of} --");
                for line in kept {
                    println!("{line}");
                }
            }
            (engine, outcome)
        })
        .collect()
}

/// Runs a command, echoing its stdout (or keeping it, unless `echo`), and
/// adds up libtest's result lines.
fn run_counting(mut command: Command, echo: bool) -> (Outcome, Vec<String>) {
    let shown = show(&command);
    let started = Instant::now();
    let mut kept = Vec::new();
    let mut child = match command.stdout(Stdio::piped()).spawn() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cannot run {shown}: {e}");
            let outcome = Outcome {
                ok: false,
                passed: 0,
                failed: 0,
                took: started.elapsed(),
            };
            return (outcome, kept);
        }
    };
    let (mut passed, mut failed) = (0, 0);
    let stdout = child.stdout.take().expect("stdout was piped");
    let mut out = std::io::stdout();
    for line in BufReader::new(stdout)
        .lines()
        .map_while(std::io::Result::ok)
    {
        if let Some((p, f)) = libtest_counts(&line) {
            passed += p;
            failed += f;
        }
        if echo {
            let _ = writeln!(out, "{line}");
        } else {
            kept.push(line);
        }
    }
    let ok = child.wait().is_ok_and(|s| s.success());
    let outcome = Outcome {
        ok,
        passed,
        failed,
        took: started.elapsed(),
    };
    (outcome, kept)
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
