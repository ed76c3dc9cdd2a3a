//! PKCE (RFC 7636, `S256`) and the random values of a transaction.

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

/// base64url without padding (RFC 4648, section 5), as PKCE and `state`
/// use it: a few lines instead of the `base64` crate's encoder.
fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let byte = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (byte(0) << 16) | (byte(1) << 8) | byte(2);
        // 3 bytes make 4 characters; 2 make 3; 1 makes 2.
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
        }
    }
    out
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
    fn base64url_is_the_standard_one() {
        use base64::Engine;
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let bytes: Vec<u8> = (0..=255u8).rev().collect();
        for len in 0..bytes.len() {
            let input = &bytes[..len];
            assert_eq!(
                base64url(input),
                URL_SAFE_NO_PAD.encode(input),
                "{len} bytes"
            );
        }
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
