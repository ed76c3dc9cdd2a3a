//! The built page's strict Content-Security-Policy (put in by Trunk's
//! post-build hook, `post_build`), allowing its inline scripts
//! (Trunk's loader) by their SHA-256 hash, so no `'unsafe-inline'` is
//! needed. The policy works for any tenant (`https:` and loopback), since
//! the tenant is known only at run time from `config.json`; README shows
//! the tighter header a deployment sets for its own tenant.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

use crate::run::Result;

/// Loopback sources for the dev tenant and local tenants over http.
const LOOPBACK: &str = "http://127.0.0.1:* http://localhost:*";

/// The page with its policy as the first element of `<head>`.
pub fn add_policy(html: &str) -> Result<String> {
    if html.contains("http-equiv=\"Content-Security-Policy\"") {
        return Err("the page already has a Content-Security-Policy".into());
    }
    let policy = policy(&hashes(html));
    let head = html.find("<head>").ok_or("the page has no <head>")? + "<head>".len();
    Ok(format!(
        "{}\n    <meta http-equiv=\"Content-Security-Policy\" content=\"{policy}\" />{}",
        &html[..head],
        &html[head..]
    ))
}

/// The `'sha256-…'` sources of a page's inline scripts.
pub fn hashes(html: &str) -> String {
    inline_scripts(html)
        .iter()
        .map(|s| format!("'sha256-{}'", STANDARD.encode(Sha256::digest(s.as_bytes()))))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The policy a deployment sends as a header, for its own tenant: the
/// page's inline scripts by hash, and nothing else from anywhere but this
/// origin, the tenant and the hosts the account pictures come from.
pub fn deployment_policy(hashes: &str, tenant: &str, picture_hosts: &[String]) -> String {
    let pictures = picture_hosts.join(" ");
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {hashes}; \
         style-src 'self'; img-src 'self' {tenant} {pictures}; \
         connect-src 'self' {tenant}; object-src 'none'; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'none'"
    )
}

/// The policy, with the inline scripts' hashes.
pub fn policy(hashes: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {hashes}; \
         style-src 'self'; img-src 'self' data: https: {LOOPBACK}; \
         connect-src 'self' https: {LOOPBACK}; object-src 'none'; base-uri 'none'; \
         form-action 'none'"
    )
}

/// The text of each `<script>` without a `src`.
fn inline_scripts(html: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let tag = &after[..open_end];
        let body = &after[open_end + 1..];
        let Some(close) = body.find("</script>") else {
            break;
        };
        if !tag.contains(" src=") {
            found.push(&body[..close]);
        }
        rest = &body[close..];
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_allowed_by_hash_and_nothing_inline_else() {
        let html = "<html><head><title>x</title></head><body>\
                    <script type=\"module\">import init from '/a.js';init();</script>\
                    <script src=\"/b.js\"></script></body></html>";
        let out = add_policy(html).unwrap();
        let expected = STANDARD.encode(Sha256::digest(b"import init from '/a.js';init();"));
        assert!(out.contains(&format!("'sha256-{expected}'")), "{out}");
        assert!(out.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"));
        assert!(!out.contains("unsafe-inline"));
        assert!(out.find("Content-Security-Policy").unwrap() < out.find("<title>").unwrap());
        assert!(add_policy(&out).is_err(), "never twice");
    }

    #[test]
    fn the_deployment_policy_names_only_the_tenant_and_the_picture_hosts() {
        let policy = deployment_policy(
            "'sha256-a' 'sha256-b'",
            "https://t.eu.auth0.com",
            &["https://s.gravatar.com".into()],
        );
        assert!(
            policy.contains("connect-src 'self' https://t.eu.auth0.com;"),
            "{policy}"
        );
        assert!(
            policy.contains("img-src 'self' https://t.eu.auth0.com https://s.gravatar.com;"),
            "{policy}"
        );
        assert!(policy.contains("'sha256-a' 'sha256-b'"));
        for wide in ["https:", "data:", "'unsafe-inline'", "*"] {
            assert!(
                !policy.split([' ', ';']).any(|source| source == wide),
                "{wide} in {policy}"
            );
        }
    }
}
