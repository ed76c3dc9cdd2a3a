//! `config.json`: what the page needs to know about its tenant, read from
//! the page's own origin at start-up, so that one build serves any tenant.

use crate::text::{Key, Text};
use serde_json::{Map, Value};
use std::fmt;

/// Where the page looks for its configuration, relative to itself.
pub const CONFIG_PATH: &str = "config.json";

/// The validated configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The tenant's base URL, without a trailing slash (`https://x.auth0.com`).
    pub domain: String,
    pub client_id: String,
    /// The Management API audience (`https://x.auth0.com/api/v2/`).
    pub audience: String,
    /// Path on this origin that the tenant redirects back to (`/`).
    pub redirect_path: String,
    /// The connections a person may link, in the order they are offered.
    pub connections: Vec<Connection>,
    /// How long a call to the tenant may take before it is given up.
    pub request_timeout_ms: u32,
    /// How recent the main account's sign-in must be for a change to its
    /// accounts (seconds; 0: a fresh sign-in for every change).
    pub reauth_max_age_seconds: i64,
    /// The `max_age` a sign-in asks for: a tenant session older than this
    /// signs in again, and the ID token then says when the person signed
    /// in (`auth_time`: Auth0 sends it only when `max_age` or
    /// `prompt=login` was asked).
    pub sign_in_max_age_seconds: i64,
    /// The text it was read from: what a round-trip's transaction keeps,
    /// so that its callback can use the same configuration before
    /// `config.json` has loaded, and tell whether the file has changed.
    pub source: String,
}

/// The default of `reauth_max_age_seconds`.
pub const DEFAULT_REAUTH_MAX_AGE_SECONDS: i64 = 600;

/// The default of `sign_in_max_age_seconds`: a day, the session's length.
pub const DEFAULT_SIGN_IN_MAX_AGE_SECONDS: i64 = 86_400;

/// The default of `request_timeout_seconds`.
pub const DEFAULT_TIMEOUT_SECONDS: i64 = 20;

/// A connection that can be linked: its tenant name and its label for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    pub name: String,
    /// Its label for people; without one, a well-known connection gets a
    /// name in the reader's language (see [`Config::label_of`]).
    pub label: Option<String>,
}

impl Config {
    /// A configuration for tests: a tenant at `https://t.example`.
    #[cfg(test)]
    pub fn example() -> Config {
        Config::parse(
            r#"{"domain":"https://t.example","client_id":"c1","audience":"https://t.example/api/v2/",
            "redirect_path":"/","connections":[]}"#,
        )
        .expect("a good configuration")
    }

    /// The issuer the tenant's tokens must carry: the domain with a trailing slash.
    pub fn issuer(&self) -> String {
        format!("{}/", self.domain)
    }

    /// The label of a connection by its name, or the name itself.
    /// A connection's label: the configured one, else a friendly name for
    /// the well-known connections, else its name with a capital.
    pub fn label_of(&self, connection: &str) -> Text {
        if let Some(label) = self
            .connections
            .iter()
            .find(|c| c.name == connection)
            .and_then(|c| c.label.as_ref())
        {
            return Text::Plain(label.clone());
        }
        let known = match connection {
            "google-oauth2" => "Google",
            "github" => "GitHub",
            "Username-Password-Authentication" => return Key::EmailAndPassword.into(),
            "sms" => "SMS",
            "email" => return Key::EmailCode.into(),
            "windowslive" => "Microsoft",
            "apple" => "Apple",
            "facebook" => "Facebook",
            "linkedin" => "LinkedIn",
            "twitter" => "X",
            _ => "",
        };
        if !known.is_empty() {
            return known.into();
        }
        // Auth0's connection names are ASCII letters, digits and `-`, so
        // ASCII case is the whole story (and the wasm needs no Unicode
        // case tables).
        let mut label = connection.replace('-', " ");
        if let Some(first) = label.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        Text::Plain(label)
    }

    /// Parses and validates the text of `config.json`.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| ConfigError::Json(e.to_string()))?;
        let Value::Object(root) = value else {
            return Err(ConfigError::field("(top level)", Key::ConfigNotObject));
        };
        let domain = tenant_url(&root, "domain")?;
        let client_id = string(&root, "client_id")?;
        let audience = tenant_url(&root, "audience")?;
        let redirect_path = string(&root, "redirect_path")?;
        // A path on this origin: `//host` or a backslash would leave it.
        if !redirect_path.starts_with('/')
            || redirect_path.starts_with("//")
            || redirect_path.contains(['\\', '?', '#'])
        {
            return Err(ConfigError::field("redirect_path", Key::ConfigRedirectPath));
        }
        let Some(list) = root.get("connections") else {
            return Err(ConfigError::field("connections", Key::ConfigMissingField));
        };
        let Value::Array(list) = list else {
            return Err(ConfigError::field("connections", Key::ConfigNotList));
        };
        let mut connections = Vec::with_capacity(list.len());
        for (i, item) in list.iter().enumerate() {
            let Value::Object(item) = item else {
                return Err(ConfigError::field(
                    format!("connections[{i}]"),
                    Key::ConfigConnectionShape,
                ));
            };
            let name = string(item, "name").map_err(|e| e.within(&format!("connections[{i}]")))?;
            let label = match item.get("label") {
                None => None,
                Some(_) => Some(
                    string(item, "label").map_err(|e| e.within(&format!("connections[{i}]")))?,
                ),
            };
            connections.push(Connection { name, label });
        }
        let timeout = seconds(
            &root,
            "request_timeout_seconds",
            DEFAULT_TIMEOUT_SECONDS,
            1..=300,
        )?;
        let reauth = seconds(
            &root,
            "reauth_max_age_seconds",
            DEFAULT_REAUTH_MAX_AGE_SECONDS,
            0..=86_400,
        )?;
        let sign_in_max_age = seconds(
            &root,
            "sign_in_max_age_seconds",
            DEFAULT_SIGN_IN_MAX_AGE_SECONDS,
            1..=2_592_000,
        )?;
        Ok(Config {
            domain: domain.trim_end_matches('/').to_owned(),
            client_id,
            audience,
            redirect_path,
            connections,
            request_timeout_ms: (timeout * 1000) as u32,
            reauth_max_age_seconds: reauth,
            sign_in_max_age_seconds: sign_in_max_age,
            source: text.to_owned(),
        })
    }
}

/// An optional whole number of seconds within `range`; `default` if absent.
fn seconds(
    obj: &Map<String, Value>,
    field: &str,
    default: i64,
    range: std::ops::RangeInclusive<i64>,
) -> Result<i64, ConfigError> {
    match obj.get(field) {
        None => Ok(default),
        Some(v) => v.as_i64().filter(|s| range.contains(s)).ok_or_else(|| {
            ConfigError::field(
                field,
                crate::text!(ConfigSeconds, min = *range.start(), max = *range.end()),
            )
        }),
    }
}

fn string(obj: &Map<String, Value>, field: &str) -> Result<String, ConfigError> {
    match obj.get(field) {
        None => Err(ConfigError::field(field, Key::ConfigMissingField)),
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(Value::String(_)) => Err(ConfigError::field(field, Key::ConfigEmpty)),
        Some(_) => Err(ConfigError::field(field, Key::ConfigNotString)),
    }
}

/// A URL split at its `://`: the scheme and the rest. (Not
/// `split_once("://")`: a `&str` pattern links core's substring search,
/// 1.6 KB of wasm, for this one split.)
pub fn split_scheme(url: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = url.split_once(':')?;
    Some((scheme, rest.strip_prefix("//")?))
}

/// A URL of the tenant: `https://`, or `http://` for a loopback host only;
/// parsed part by part (scheme, host, port, path), with no user info, query
/// or fragment, so that nothing can pass for a loopback host that is not.
fn tenant_url(obj: &Map<String, Value>, field: &str) -> Result<String, ConfigError> {
    let url = string(obj, field)?;
    let shape = || ConfigError::field(field, Key::ConfigUrlShape);
    let (scheme, rest) =
        split_scheme(&url).ok_or_else(|| ConfigError::field(field, Key::ConfigHttps))?;
    if scheme != "https" && scheme != "http" {
        return Err(ConfigError::field(field, Key::ConfigHttps));
    }
    if url.contains(['?', '#', ' ', '\\', '@']) {
        return Err(shape());
    }
    let authority = rest.split('/').next().unwrap_or_default();
    let host = host_of(authority).ok_or_else(shape)?;
    if scheme == "http" && !is_loopback(host) {
        return Err(ConfigError::field(field, Key::ConfigHttpLoopback));
    }
    Ok(url)
}

/// The host of `host[:port]` (brackets kept for IPv6), if the whole
/// authority is well formed: a host of letters, digits, `-` and `.` (or an
/// IPv6 address in brackets), and a port of digits.
fn host_of(authority: &str) -> Option<&str> {
    let (host, port) = if authority.starts_with('[') {
        let end = authority.find(']')?;
        let ip = &authority[1..end];
        if ip.is_empty()
            || !ip
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return None;
        }
        (&authority[..=end], &authority[end + 1..])
    } else {
        let end = authority.find(':').unwrap_or(authority.len());
        let host = &authority[..end];
        if host.is_empty()
            || !host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        {
            return None;
        }
        (host, &authority[end..])
    };
    match port.strip_prefix(':') {
        None if port.is_empty() => Some(host),
        Some(p) if !p.is_empty() && p.len() <= 5 && p.chars().all(|c| c.is_ascii_digit()) => {
            Some(host)
        }
        _ => None,
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host == "[::1]"
        || host.strip_prefix("127.").is_some_and(|r| {
            r.split('.').count() == 3 && r.split('.').all(|p| p.parse::<u8>().is_ok())
        })
}

/// Why the configuration could not be used; each names the file and the field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// The file could not be fetched (network failure).
    Unreachable(String),
    /// The server answered with an HTTP error status (404 when it is missing).
    Status(u16),
    /// The file is not JSON.
    Json(String),
    /// A field is missing or has a bad value.
    Field { field: String, problem: Text },
}

impl ConfigError {
    fn field(field: impl Into<String>, problem: impl Into<Text>) -> Self {
        ConfigError::Field {
            field: field.into(),
            problem: problem.into(),
        }
    }

    /// What is wrong, naming the file and the field.
    pub fn text(&self) -> Text {
        match self {
            ConfigError::Unreachable(cause) => crate::text!(ConfigUnreachable, cause = cause),
            ConfigError::Status(404) => Key::ConfigNotFound.into(),
            ConfigError::Status(status) => {
                crate::text!(ConfigStatus, status = usize::from(*status))
            }
            ConfigError::Json(cause) => crate::text!(ConfigJson, cause = cause),
            ConfigError::Field { field, problem } => {
                crate::text!(ConfigField, field = field, problem = problem)
            }
        }
    }

    fn within(self, parent: &str) -> Self {
        match self {
            ConfigError::Field { field, problem } => ConfigError::Field {
                field: format!("{parent}.{field}"),
                problem,
            },
            other => other,
        }
    }
}

impl fmt::Display for ConfigError {
    /// In English, for the console and the tests.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text().en())
    }
}

/// Fetches and validates the configuration at `path` on this page's origin
/// (normally [`CONFIG_PATH`]).
pub async fn load(path: &str) -> Result<Config, ConfigError> {
    // The default cache mode, so that index.html's preload is what answers.
    let response = gloo_net::http::Request::get(path)
        .send()
        .await
        .map_err(|e| ConfigError::Unreachable(crate::tenant::network_cause(&e)))?;
    if !response.ok() {
        return Err(ConfigError::Status(response.status()));
    }
    let text = response
        .text()
        .await
        .map_err(|e| ConfigError::Unreachable(crate::tenant::network_cause(&e)))?;
    Config::parse(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{
        "domain": "https://example.eu.auth0.com/",
        "client_id": "abc",
        "audience": "https://example.eu.auth0.com/api/v2/",
        "redirect_path": "/",
        "connections": [{"name": "github", "label": "GitHub"}]
    }"#;

    fn with(field: &str, value: Value) -> String {
        let mut v: Value = serde_json::from_str(GOOD).unwrap();
        v[field] = value;
        v.to_string()
    }

    fn field_error(text: &str) -> String {
        match Config::parse(text) {
            Err(ConfigError::Field { field, .. }) => field,
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn parses_a_good_file_and_trims_the_domain() {
        let c = Config::parse(GOOD).unwrap();
        assert_eq!(c.domain, "https://example.eu.auth0.com");
        assert_eq!(c.issuer(), "https://example.eu.auth0.com/");
        assert_eq!(c.label_of("github").en(), "GitHub");
        assert_eq!(
            c.label_of("sms").en(),
            "SMS",
            "a friendly name when not configured"
        );
        assert_eq!(c.label_of("discord").en(), "Discord");
        assert_eq!(c.label_of("my-idp").en(), "My idp");
    }

    #[test]
    fn names_a_missing_field() {
        let mut v: Value = serde_json::from_str(GOOD).unwrap();
        v.as_object_mut().unwrap().remove("client_id");
        assert_eq!(field_error(&v.to_string()), "client_id");
    }

    #[test]
    fn refuses_plain_http_except_on_loopback() {
        assert_eq!(
            field_error(&with("domain", "http://example.com".into())),
            "domain"
        );
        for ok in [
            "http://127.0.0.1:4000",
            "http://localhost:4000/",
            "http://[::1]:4000",
        ] {
            assert!(Config::parse(&with("domain", ok.into())).is_ok(), "{ok}");
        }
        assert_eq!(
            field_error(&with("domain", "http://127.0.0.1.evil.com".into())),
            "domain"
        );
        assert_eq!(field_error(&with("domain", "ftp://x".into())), "domain");
        // User info is no way to pass for loopback, nor anything after the host.
        for bad in [
            "http://localhost:1@tenant.example",
            "http://[::1]@tenant.example",
            "http://127.0.0.1@tenant.example",
            "https://user@tenant.example",
            "http://localhost:4000?x=1",
            "http://localhost:4000#x",
            "http://localhost:abc",
            "http://localhost.:4000.evil",
            "http://[::1]evil.example",
            "http://",
            "https://exa mple.com",
        ] {
            assert_eq!(field_error(&with("domain", bad.into())), "domain", "{bad}");
        }
    }

    #[test]
    fn names_the_connection_that_is_wrong() {
        let text = with(
            "connections",
            serde_json::json!([{"name": "a", "label": "A"}, {"name": "b", "label": 5}]),
        );
        assert_eq!(field_error(&text), "connections[1].label");
        let unlabelled = with(
            "connections",
            serde_json::json!([{"name": "Username-Password-Authentication"}]),
        );
        let c = Config::parse(&unlabelled).unwrap();
        assert_eq!(c.connections[0].label, None);
        assert_eq!(
            c.label_of("Username-Password-Authentication")
                .render(crate::text::Lang::De),
            "E-Mail/Passwort",
            "a well-known connection without a label is named in the reader's language"
        );
    }

    #[test]
    fn refuses_a_redirect_path_that_is_not_a_path() {
        for bad in [
            "https://x/",
            "//evil.example/",
            "/\\evil.example",
            "x",
            "/?a=b",
        ] {
            assert_eq!(
                field_error(&with("redirect_path", bad.into())),
                "redirect_path",
                "{bad}"
            );
        }
    }

    #[test]
    fn the_request_timeout_is_optional_and_bounded() {
        assert_eq!(Config::parse(GOOD).unwrap().request_timeout_ms, 20_000);
        let two = Config::parse(&with("request_timeout_seconds", 2.into())).unwrap();
        assert_eq!(two.request_timeout_ms, 2_000);
        for bad in [
            Value::from(0),
            Value::from(301),
            Value::from("5"),
            Value::from(1.5),
        ] {
            assert_eq!(
                field_error(&with("request_timeout_seconds", bad)),
                "request_timeout_seconds"
            );
        }
    }

    #[test]
    fn the_recent_sign_in_window_is_optional_and_bounded() {
        assert_eq!(Config::parse(GOOD).unwrap().reauth_max_age_seconds, 600);
        let zero = Config::parse(&with("reauth_max_age_seconds", 0.into())).unwrap();
        assert_eq!(zero.reauth_max_age_seconds, 0);
        for bad in [Value::from(-1), Value::from(86_401), Value::from("60")] {
            assert_eq!(
                field_error(&with("reauth_max_age_seconds", bad)),
                "reauth_max_age_seconds"
            );
        }
    }

    #[test]
    fn the_sign_ins_max_age_is_optional_and_bounded() {
        let config = Config::parse(GOOD).unwrap();
        assert_eq!(config.sign_in_max_age_seconds, 86_400);
        let hour = Config::parse(&with("sign_in_max_age_seconds", 3600.into())).unwrap();
        assert_eq!(hour.sign_in_max_age_seconds, 3600);
        for bad in [Value::from(0), Value::from(2_592_001), Value::from("60")] {
            assert_eq!(
                field_error(&with("sign_in_max_age_seconds", bad)),
                "sign_in_max_age_seconds"
            );
        }
    }

    #[test]
    fn says_when_the_file_is_not_json() {
        assert!(matches!(Config::parse("{"), Err(ConfigError::Json(_))));
        let message = ConfigError::Status(404).to_string();
        assert!(message.contains("config.json"), "{message}");
    }
}
