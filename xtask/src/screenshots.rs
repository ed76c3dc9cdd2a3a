//! `cargo xtask screenshots [--engine chromium|firefox|webkit]`: the
//! release build photographed in its main states (light, dark, 320 px,
//! German) into `docs/screenshots/`, which README shows; in Firefox or
//! WebKit, into `docs/screenshots/<engine>/`. Run it after a change to how
//! the page looks, and commit the pictures.

use crate::run::{Result, cmd, root, status};
use crate::test::{E2E_DIST, Engine, Xvfb};
use crate::tools::{self, Need};

/// Where the pictures go, from the repository's root.
const FOLDER: &str = "docs/screenshots";

pub fn run(args: &[String]) -> Result {
    let engine = match args {
        [] => Engine::Chromium,
        [flag, name] if flag == "--engine" => Engine::parse(name)?,
        _ => {
            return Err(format!(
                "usage: xtask screenshots [--engine chromium|firefox|webkit] (got {})",
                args.join(" ")
            ));
        }
    };
    tools::ensure(Need::BuildAndBrowser)?;
    status(cmd(
        "trunk",
        &["build", "--release", "--offline", "--dist", E2E_DIST],
    ))?;
    let folder = match engine {
        Engine::Chromium => root().join(FOLDER),
        other => root().join(FOLDER).join(other.name().to_lowercase()),
    };
    let display = Xvfb::start()?;
    let mut shoot = cmd(
        "cargo",
        &[
            "run",
            "--locked",
            "-q",
            "-p",
            "e2e",
            "--bin",
            "screenshots",
            "--",
        ],
    );
    shoot
        .arg(folder)
        .env("LINK_ACCOUNTS_DIST", root().join(E2E_DIST));
    engine.driver(&mut shoot, &display.name);
    status(shoot)
}
