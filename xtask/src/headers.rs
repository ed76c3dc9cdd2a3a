//! `cargo xtask headers --tenant URL [--dist DIR] [--picture-host URL]...`:
//! the exact headers a deployment sends with this build for its tenant.
//! The Content-Security-Policy allows the built page's inline scripts by
//! their hashes (Trunk's loader and the language script), connections
//! only to the tenant, and pictures only from the tenant and the hosts
//! Auth0's profile pictures come from.

use std::path::PathBuf;

use crate::run::{Result, root};

/// Where Auth0's profile pictures come from for the usual connections:
/// Gravatar and Auth0's CDN (database and passwordless accounts), Google,
/// GitHub.
const PICTURE_HOSTS: [&str; 4] = [
    "https://s.gravatar.com",
    "https://cdn.auth0.com",
    "https://lh3.googleusercontent.com",
    "https://avatars.githubusercontent.com",
];

pub fn run(args: &[String]) -> Result {
    let mut tenant = None;
    let mut dist = root().join("dist");
    let mut pictures: Vec<String> = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--tenant", Some(url)) => tenant = Some(url.trim_end_matches('/').to_owned()),
            ("--dist", Some(dir)) => dist = PathBuf::from(dir),
            ("--picture-host", Some(host)) => pictures.push(host.trim_end_matches('/').to_owned()),
            _ => return Err(USAGE.into()),
        }
    }
    let tenant = tenant.ok_or(USAGE)?;
    if pictures.is_empty() {
        pictures = PICTURE_HOSTS.iter().map(|h| h.to_string()).collect();
    }
    let index = dist.join("index.html");
    let html = std::fs::read_to_string(&index).map_err(|e| {
        format!(
            "cannot read {}: {e} (build first: trunk build --release)",
            index.display()
        )
    })?;
    let policy = crate::csp::deployment_policy(&crate::csp::hashes(&html), &tenant, &pictures);
    println!("Content-Security-Policy: {policy}");
    println!("Referrer-Policy: no-referrer");
    println!("X-Content-Type-Options: nosniff");
    Ok(())
}

const USAGE: &str =
    "usage: cargo xtask headers --tenant https://YOUR-TENANT [--dist DIR] [--picture-host URL]...";
