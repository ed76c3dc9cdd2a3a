//! PKCE (RFC 7636, `S256`) and the random values of a transaction.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// `bytes` random bytes from the platform's CSPRNG (`crypto.getRandomValues`
/// in the browser), base64url without padding.
pub fn random(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    if fill_random(&mut buf).is_none() {
        panic!("the platform has no random source");
    }
    base64url(&buf)
}

/// The browser's `crypto.getRandomValues`, called directly: `getrandom`'s
/// `js` backend also links its search for Node's `crypto`.
#[cfg(target_arch = "wasm32")]
fn fill_random(buf: &mut [u8]) -> Option<()> {
    let crypto = web_sys::window()?.crypto().ok()?;
    crypto.get_random_values_with_u8_array(buf).ok().map(drop)
}

#[cfg(not(target_arch = "wasm32"))]
fn fill_random(buf: &mut [u8]) -> Option<()> {
    getrandom::getrandom(buf).ok()
}

/// base64url without padding (RFC 4648, section 5), as PKCE and `state` use it.
fn base64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A fresh code verifier: 32 random bytes, 43 characters.
pub fn verifier() -> String {
    random(32)
}

/// The `S256` challenge of a verifier.
pub fn challenge(verifier: &str) -> String {
    base64url(&Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_rfc_7636_appendix_b() {
        assert_eq!(
            challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn verifiers_are_fresh_and_of_legal_length() {
        let (a, b) = (verifier(), verifier());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }
}
