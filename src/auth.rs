//! The protocol pieces, in plain Rust with native tests: PKCE, the
//! state-keyed transactions, ID-token verification, the stored session,
//! and the URLs sent to the tenant.

pub mod id_token;
pub mod pkce;
pub mod session;
pub mod storage;
pub mod transaction;
pub mod urls;

/// A secret (a token) whose `Debug` never prints it. Kept and sent as a
/// plain JSON string.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Seconds since the UNIX epoch, from the browser's clock (or the system's
/// natively, for tests). `SystemTime::now()` panics in the browser.
pub fn now() -> i64 {
    #[cfg(target_arch = "wasm32")]
    {
        (js_sys::Date::now() / 1000.0) as i64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_never_print() {
        let s = super::Secret("eyJhbGciOi.secret".into());
        assert_eq!(format!("{s:?}"), "[redacted]");
        assert_eq!(serde_json::to_string(&s).unwrap(), r#""eyJhbGciOi.secret""#);
    }
}
