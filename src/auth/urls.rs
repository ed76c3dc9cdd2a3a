//! The URLs the page sends a person to: `/authorize` and `/v2/logout`.

use form_urlencoded::Serializer;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::config::Config;

/// What the Management API lets a user's own token do: a round-trip's
/// token can change the account, and lives in the tab only.
pub const SCOPE: &str = "openid profile email phone read:current_user update:current_user_identities update:current_user_metadata";

/// What the token this browser keeps may do: read, nothing more.
pub const READ_SCOPE: &str = "openid profile email phone read:current_user";

/// Where the tenant sends people back: this page's origin and the
/// configured path.
pub fn redirect_uri(origin: &str, config: &Config) -> String {
    format!("{origin}{}", config.redirect_path)
}

/// A round-trip to `/authorize`. With `connection`, for linking: that
/// connection's login, and `prompt=login` so the account proves itself now.
pub fn authorize(
    config: &Config,
    redirect_uri: &str,
    state: &str,
    nonce: &str,
    challenge: &str,
    login: &Login<'_>,
) -> String {
    let mut q = Serializer::new(String::new());
    q.append_pair("response_type", "code")
        .append_pair("client_id", &config.client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair(
            "scope",
            &if login.offline {
                format!("{SCOPE} offline_access")
            } else {
                SCOPE.to_owned()
            },
        )
        .append_pair("audience", &config.audience)
        .append_pair("state", state)
        .append_pair("nonce", nonce)
        .append_pair("code_challenge", challenge)
        .append_pair("code_challenge_method", "S256");
    if let Some(c) = login.connection {
        q.append_pair("connection", c);
    }
    if login.fresh {
        // A real sign-in now: the tenant's own session does not count.
        q.append_pair("prompt", "login").append_pair("max_age", "0");
    } else if let Some(max_age) = login.max_age {
        // A tenant session older than this signs in again; either way the
        // ID token says when the person signed in (`auth_time`).
        q.append_pair("max_age", &max_age.to_string());
    }
    if let Some(hint) = login.hint {
        q.append_pair("login_hint", hint);
    }
    format!("{}/authorize?{}", config.domain, q.finish())
}

/// What a round-trip asks of the tenant's login.
#[derive(Clone, Copy, Debug, Default)]
pub struct Login<'a> {
    /// Straight to this connection's login.
    pub connection: Option<&'a str>,
    /// A fresh sign-in (`prompt=login`, `max_age=0`).
    pub fresh: bool,
    /// Who is expected (`login_hint`), for the pages that can use it.
    pub hint: Option<&'a str>,
    /// `max_age`, for a sign-in that is not `fresh`.
    pub max_age: Option<i64>,
    /// `offline_access`: a refresh token, exchanged at once for the
    /// read-only token this browser keeps.
    pub offline: bool,
}

/// The tenant's logout, returning to this page.
pub fn logout(config: &Config, return_to: &str) -> String {
    let q = Serializer::new(String::new())
        .append_pair("client_id", &config.client_id)
        .append_pair("returnTo", return_to)
        .finish();
    format!("{}/v2/logout?{q}", config.domain)
}

/// What a path segment percent-encodes: all but RFC 3986's unreserved
/// characters (so `|` and `/` cannot change the path).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// One path segment, percent-encoded.
pub fn segment(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

/// The parameters of a callback, from `location.search`, as the URL
/// standard parses a query.
pub fn query_params(search: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(search.trim_start_matches('?').as_bytes())
        .into_owned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::parse(
            r#"{"domain":"https://t.example","client_id":"c1","audience":"https://t.example/api/v2/",
            "redirect_path":"/settings","connections":[]}"#,
        )
        .unwrap()
    }

    #[test]
    fn authorize_carries_pkce_state_nonce_and_audience() {
        let url = authorize(
            &config(),
            "https://app.example/settings",
            "st",
            "no",
            "ch",
            &Login::default(),
        );
        let (base, query) = url.split_once('?').unwrap();
        assert_eq!(base, "https://t.example/authorize");
        let q: std::collections::HashMap<_, _> = query_params(query).into_iter().collect();
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["code_challenge"], "ch");
        assert_eq!(q["state"], "st");
        assert_eq!(q["nonce"], "no");
        assert_eq!(q["audience"], "https://t.example/api/v2/");
        assert_eq!(q["redirect_uri"], "https://app.example/settings");
        assert_eq!(q["scope"], SCOPE);
        assert!(!q.contains_key("prompt") && !q.contains_key("connection"));
        assert!(!q.contains_key("max_age") && !q.contains_key("login_hint"));
        let login = Login {
            max_age: Some(86_400),
            ..Login::default()
        };
        let url = authorize(&config(), "r", "s", "n", "c", &login);
        let q: std::collections::HashMap<_, _> = query_params(url.split_once('?').unwrap().1)
            .into_iter()
            .collect();
        assert_eq!(q["max_age"], "86400");
        assert!(!q.contains_key("prompt"));
    }

    #[test]
    fn a_linking_round_trip_names_the_connection_and_forces_a_login() {
        let login = Login {
            connection: Some("google-oauth2"),
            fresh: true,
            hint: Some("ada@example.com"),
            max_age: Some(86_400),
            offline: false,
        };
        let url = authorize(&config(), "r", "s", "n", "c", &login);
        let q: std::collections::HashMap<_, _> = query_params(url.split_once('?').unwrap().1)
            .into_iter()
            .collect();
        assert_eq!(q["connection"], "google-oauth2");
        assert_eq!(q["prompt"], "login");
        assert_eq!(q["max_age"], "0", "a fresh sign-in's max_age wins");
        assert_eq!(q["login_hint"], "ada@example.com");
    }

    #[test]
    fn logout_returns_to_the_page() {
        assert_eq!(
            logout(&config(), "https://app.example/settings"),
            "https://t.example/v2/logout?client_id=c1&returnTo=https%3A%2F%2Fapp.example%2Fsettings"
        );
    }

    #[test]
    fn path_segments_encode_pipes_and_slashes() {
        assert_eq!(segment("oauth2|discord|123"), "oauth2%7Cdiscord%7C123");
        assert_eq!(segment("a/b c"), "a%2Fb%20c");
        assert_eq!(segment("4242001"), "4242001");
    }
}
