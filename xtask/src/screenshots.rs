//! `cargo xtask screenshots`: the release build photographed in its main
//! states (light, dark, 320 px, German) into `docs/screenshots/`, which
//! README shows. Run it after a change to how the page looks, and commit
//! the pictures.

use crate::run::{Result, cmd, root, status};
use crate::test::E2E_DIST;
use crate::tools::{self, CHROMEDRIVER, Need};

/// Where the pictures go, from the repository's root.
const FOLDER: &str = "docs/screenshots";

pub fn run(args: &[String]) -> Result {
    if let Some(a) = args.first() {
        return Err(format!("xtask screenshots takes no arguments (got {a})"));
    }
    tools::ensure(Need::BuildAndBrowser)?;
    status(cmd(
        "trunk",
        &["build", "--release", "--offline", "--dist", E2E_DIST],
    ))?;
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
        .arg(root().join(FOLDER))
        .env("LINK_ACCOUNTS_DIST", root().join(E2E_DIST))
        .env("CHROMEDRIVER", CHROMEDRIVER);
    status(shoot)
}
