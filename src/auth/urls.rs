//! The URLs the page sends a person to: `/authorize` and `/v2/logout`.

use crate::config::Config;

/// What the Management API lets a user's own token do.
pub const SCOPE: &str = "openid profile email phone read:current_user update:current_user_identities update:current_user_metadata";

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
    let mut q = Form::default();
    q.pair("response_type", "code")
        .pair("client_id", &config.client_id)
        .pair("redirect_uri", redirect_uri)
        .pair("scope", SCOPE)
        .pair("audience", &config.audience)
        .pair("state", state)
        .pair("nonce", nonce)
        .pair("code_challenge", challenge)
        .pair("code_challenge_method", "S256");
    if let Some(c) = login.connection {
        q.pair("connection", c);
    }
    if login.fresh {
        // A real sign-in now: the tenant's own session does not count.
        q.pair("prompt", "login").pair("max_age", "0");
    }
    if let Some(hint) = login.hint {
        q.pair("login_hint", hint);
    }
    format!("{}/authorize?{}", config.domain, q.0)
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
}

/// The tenant's logout, returning to this page.
pub fn logout(config: &Config, return_to: &str) -> String {
    let mut q = Form::default();
    q.pair("client_id", &config.client_id)
        .pair("returnTo", return_to);
    format!("{}/v2/logout?{}", config.domain, q.0)
}

/// One path segment, percent-encoded (so `|` and `/` cannot change the path).
pub fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            percent(&mut out, b);
        }
    }
    out
}

fn percent(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    out.push(HEX[usize::from(b >> 4)] as char);
    out.push(HEX[usize::from(b & 15)] as char);
}

/// `application/x-www-form-urlencoded` text, built a pair at a time, as
/// the URL standard serializes it (what `form_urlencoded` wrote here
/// before; the tests compare the two).
#[derive(Default)]
pub struct Form(pub String);

impl Form {
    /// Appends `name=value`.
    pub fn pair(&mut self, name: &str, value: &str) -> &mut Self {
        if !self.0.is_empty() {
            self.0.push('&');
        }
        self.encode(name);
        self.0.push('=');
        self.encode(value);
        self
    }

    fn encode(&mut self, s: &str) {
        for b in s.bytes() {
            match b {
                b' ' => self.0.push('+'),
                b'*' | b'-' | b'.' | b'_' => self.0.push(b as char),
                b if b.is_ascii_alphanumeric() => self.0.push(b as char),
                b => percent(&mut self.0, b),
            }
        }
    }
}

/// The parameters of a callback, from `location.search`, decoded as the
/// URL standard parses a query (`+` is a space; a broken `%` escape stays
/// as it is; bytes that are not UTF-8 become U+FFFD).
pub fn query_params(search: &str) -> Vec<(String, String)> {
    search
        .trim_start_matches('?')
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            (decode(name), decode(value))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |at: usize| bytes.get(at).and_then(|&b| (b as char).to_digit(16));
        match (bytes[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
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
    }

    #[test]
    fn a_linking_round_trip_names_the_connection_and_forces_a_login() {
        let login = Login {
            connection: Some("google-oauth2"),
            fresh: true,
            hint: Some("ada@example.com"),
        };
        let url = authorize(&config(), "r", "s", "n", "c", &login);
        let q: std::collections::HashMap<_, _> = query_params(url.split_once('?').unwrap().1)
            .into_iter()
            .collect();
        assert_eq!(q["connection"], "google-oauth2");
        assert_eq!(q["prompt"], "login");
        assert_eq!(q["max_age"], "0");
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

    /// Every byte, the ones a URL treats specially, and characters of
    /// every UTF-8 length.
    const SAMPLES: &[&str] = &[
        "",
        "plain",
        "a b+c&d=e%f?g#h/i|j~k*l-m.n_o",
        "é€😀\u{0}\u{1f}\u{7f}",
        "google-oauth2|1234",
        "https://app.example/settings?x=1",
    ];

    #[test]
    fn forms_are_written_as_form_urlencoded_writes_them() {
        let every_byte: String = (0..=127u8).map(char::from).collect();
        for value in SAMPLES.iter().copied().chain([every_byte.as_str()]) {
            let mut ours = Form::default();
            ours.pair("k", value).pair(value, "v");
            let theirs = form_urlencoded::Serializer::new(String::new())
                .append_pair("k", value)
                .append_pair(value, "v")
                .finish();
            assert_eq!(ours.0, theirs, "{value:?}");
        }
    }

    #[test]
    fn queries_are_read_as_form_urlencoded_reads_them() {
        let theirs = |q: &str| -> Vec<(String, String)> {
            form_urlencoded::parse(q.trim_start_matches('?').as_bytes())
                .into_owned()
                .collect()
        };
        for q in [
            "",
            "?",
            "?code=abc&state=x%2By+z",
            "a=1&&b=2&",
            "=v&k=&k&k==",
            "x=%zz%4&y=%&z=%4A%4a",
            "bad=%FF%FE&ok=%C3%A9%E2%82%AC",
            "s=%F0%9F%98%80+%F0%9F%98",
            "dup=1&dup=2",
        ] {
            assert_eq!(query_params(q), theirs(q), "{q}");
        }
        for value in SAMPLES {
            let mut form = Form::default();
            form.pair(value, value);
            assert_eq!(query_params(&form.0), theirs(&form.0));
            assert_eq!(
                query_params(&form.0),
                [(value.to_string(), value.to_string())]
            );
        }
    }
}
