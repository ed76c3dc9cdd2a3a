//! `cargo xtask <task>`: the project's tasks, so that a fresh machine needs
//! nothing but cargo.

mod bench;
mod bench_why;
mod csp;
mod dev;
mod headers;
mod names;
mod post_build;
mod run;
mod screenshots;
mod test;
mod tools;
mod wasm;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  dev     build the app, start the dev tenant, serve the app, print the URL
          [--port 8080] [--tenant-port 4000] [--reset: start the cast afresh]
  test    install what is missing, then run every check
  tools   install what plain `trunk serve` / `trunk build --release` need
          (trunk, wasm-bindgen-cli, wasm-opt) and print the PATH to use
  bench   build the release app and print what a browser downloads
  headers --tenant URL [--dist DIR] [--picture-host URL]...: the exact
          headers (CSP and the rest) to send with this build for that tenant
  why     [wasm]: where the release wasm's code comes from, by crate
          (default: the last release build's, before wasm-opt)
  screenshots  photograph the page's main states into docs/screenshots
               (--engine firefox or webkit: into docs/screenshots/<engine>)
  post-build  (Trunk's post-build hook) <staging dir>: in a release build, short
          names between the wasm and its JS glue, comments out of the glue and
          the style sheet, precompressed .gz and .br copies; in any build, the
          Content-Security-Policy in index.html";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("dev") => dev::run(&args[1..]),
        Some("test") => test::run(&args[1..]),
        Some("tools") => tools::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("screenshots") => screenshots::run(&args[1..]),
        Some("why") => bench_why::run(&args[1..]),
        Some("headers") => headers::run(&args[1..]),
        Some("post-build") => post_build::run(&args[1..]),
        Some("-h" | "--help") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
