//! An in-memory tenant for native tests of the flows: users and their
//! identities, codes that answer tokens the test chose, and canned answers
//! (an error, or a body that is not JSON) for the next call of a kind.
//! Every answer is read by [`answer`], as the real tenant's are.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::OnceLock;
use std::task::{Context, Poll, Waker};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken_rustcrypto::{Algorithm, EncodingKey, Header};
use rsa::PublicKeyParts;
use serde_json::{Map, Value, json};

use super::{Identity, Tenant, TenantError, Tokens, User, answer};
use crate::auth::Secret;
use crate::auth::id_token::Jwks;

/// Runs a flow to its end. The fake answers at once, so a flow never waits.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("a flow waited on something the fake tenant does not do"),
    }
}

/// One of the calls the SPA makes, as the fake records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Call {
    Token,
    Refresh,
    Revoke,
    Jwks,
    GetUser,
    Enrollments,
    UpdateUser,
    Link,
    Unlink,
}

/// The fake's signing key, made once for all tests (`kid` "k1").
fn key() -> &'static (rsa::RsaPrivateKey, Value) {
    static KEY: OnceLock<(rsa::RsaPrivateKey, Value)> = OnceLock::new();
    KEY.get_or_init(|| {
        let private = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 1024).unwrap();
        let public = private.to_public_key();
        let jwk = json!({
            "kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig",
            "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
            "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
        });
        (private, jwk)
    })
}

pub struct FakeTenant {
    pub issuer: String,
    pub client_id: String,
    users: RefCell<BTreeMap<String, Value>>,
    codes: RefCell<BTreeMap<String, Value>>,
    /// Canned answers: the call, how many of its kind go by first, the answer.
    canned: RefCell<Vec<(Call, usize, u16, String)>>,
    calls: RefCell<Vec<Call>>,
}

impl FakeTenant {
    pub fn new(issuer: &str, client_id: &str) -> Self {
        FakeTenant {
            issuer: issuer.to_owned(),
            client_id: client_id.to_owned(),
            users: RefCell::default(),
            codes: RefCell::default(),
            canned: RefCell::default(),
            calls: RefCell::default(),
        }
    }

    /// A user with one identity, `user_id` = `provider|id`.
    pub fn add_user(&self, user_id: &str, email: &str) {
        let (provider, id) = user_id.split_once('|').expect("provider|id");
        let user = json!({
            "user_id": user_id, "email": email, "name": email, "email_verified": true,
            "identities": [{"provider": provider, "user_id": id, "connection": provider, "isSocial": true}],
        });
        self.users.borrow_mut().insert(user_id.to_owned(), user);
    }

    /// Gives a user `n` confirmed MFA enrollments.
    pub fn set_enrollments(&self, user_id: &str, n: usize) {
        let mut users = self.users.borrow_mut();
        let user = users.get_mut(user_id).expect("a user of the fake");
        user["__enrollments"] = Value::Array(vec![json!({"status": "confirmed"}); n]);
    }

    /// Sets a user's `user_metadata` and `app_metadata`.
    pub fn set_metadata(&self, user_id: &str, user_metadata: Value, app_metadata: Value) {
        let mut users = self.users.borrow_mut();
        let user = users.get_mut(user_id).expect("a user of the fake");
        user["user_metadata"] = user_metadata;
        user["app_metadata"] = app_metadata;
    }

    /// Makes `secondary`'s identities part of `primary`, as a link does.
    pub fn link_users(&self, primary: &str, secondary: &str) {
        let mut users = self.users.borrow_mut();
        let other = users.remove(secondary).expect("a user of the fake");
        let identities = users.get_mut(primary).expect("a user of the fake")["identities"]
            .as_array_mut()
            .unwrap();
        identities.extend(other["identities"].as_array().unwrap().iter().cloned());
    }

    /// The user as the fake holds it now.
    pub fn user(&self, user_id: &str) -> Option<Value> {
        self.users.borrow().get(user_id).cloned()
    }

    /// The calls made so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.calls.borrow().clone()
    }

    /// The next call of this kind answers `status` with `body`, as it is.
    pub fn answer_next(&self, call: Call, status: u16, body: &str) {
        self.answer_after(call, 0, status, body);
    }

    /// After `skip` calls of this kind answered as usual, the next answers
    /// `status` with `body`.
    pub fn answer_after(&self, call: Call, skip: usize, status: u16, body: &str) {
        self.canned
            .borrow_mut()
            .push((call, skip, status, body.to_owned()));
    }

    /// The canned answer for this call, if one is due; the others of its
    /// kind come one call nearer.
    fn canned_for(&self, call: Call) -> Option<(u16, String)> {
        let mut canned = self.canned.borrow_mut();
        let due = canned.iter().position(|c| c.0 == call && c.1 == 0);
        let answer = due.map(|i| {
            let (_, _, status, body) = canned.remove(i);
            (status, body)
        });
        if answer.is_none() {
            for c in canned.iter_mut().filter(|c| c.0 == call) {
                c.1 -= 1;
            }
        }
        answer
    }

    /// The access token the fake gives `user_id`.
    pub fn access_token(user_id: &str) -> String {
        format!("at:{user_id}")
    }

    /// An ID token signed with the fake's key: the standard claims, then `claims`
    /// (a `null` removes one).
    pub fn id_token(&self, claims: Value) -> String {
        self.id_token_with_kid("k1", claims)
    }

    pub fn id_token_with_kid(&self, kid: &str, claims: Value) -> String {
        let mut all = json!({
            "iss": self.issuer, "aud": self.client_id, "iat": crate::auth::now(),
            "auth_time": crate::auth::now(),
            "exp": crate::auth::now() + 36_000,
        });
        for (k, v) in claims.as_object().expect("claims are an object") {
            if v.is_null() {
                all.as_object_mut().unwrap().remove(k);
            } else {
                all[k] = v.clone();
            }
        }
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(kid.to_owned());
        let k = EncodingKey::from_rsa(key().0.clone()).unwrap();
        jsonwebtoken_rustcrypto::encode(&header, &all, &k).unwrap()
    }

    /// `code` exchanges for exactly this token answer, once.
    pub fn issue_code(&self, code: &str, tokens: Value) {
        self.codes.borrow_mut().insert(code.to_owned(), tokens);
    }

    /// The token answer of a user's sign-in: their access token (which can
    /// change the account), this ID token, and a refresh token.
    pub fn tokens_for(user_id: &str, id_token: &str) -> Value {
        json!({
            "access_token": Self::access_token(user_id), "id_token": id_token,
            "token_type": "Bearer", "expires_in": 86_400,
            "refresh_token": format!("rt.{user_id}"),
        })
    }

    /// A user's read-only access token (`read:current_user`).
    pub fn read_token(user_id: &str) -> String {
        format!("{}.read-only", Self::access_token(user_id))
    }

    /// Records the call, then answers it: the canned answer if one waits,
    /// else what `real` says.
    #[allow(clippy::result_large_err)]
    fn respond<T: serde::de::DeserializeOwned>(
        &self,
        call: Call,
        real: impl FnOnce() -> (u16, Value),
    ) -> Result<T, TenantError> {
        self.calls.borrow_mut().push(call);
        let (status, body) = match self.canned_for(call) {
            Some(canned) => canned,
            None => {
                let (status, body) = real();
                (status, body.to_string())
            }
        };
        answer(status, &body, None)
    }

    /// The user a token may act on, or the error Auth0 answers.
    /// For a read: the user's full or read-only token.
    fn authorized(&self, token: &Secret, user_id: &str) -> Result<(), (u16, Value)> {
        if token.expose() == Self::read_token(user_id) {
            return self.may_update(&Secret(Self::access_token(user_id)), user_id);
        }
        self.may_update(token, user_id)
    }

    /// For a change: only the user's full token; the read-only one is
    /// refused as Auth0 refuses a token without the scope.
    fn may_update(&self, token: &Secret, user_id: &str) -> Result<(), (u16, Value)> {
        if token.expose() == Self::read_token(user_id) {
            let mut e = auth0_error(403, "Forbidden", "Insufficient scope");
            e.1["errorCode"] = json!("insufficient_scope");
            return Err(e);
        }
        if token.expose() != Self::access_token(user_id) {
            return Err(auth0_error(401, "Unauthorized", "Invalid token"));
        }
        if !self.users.borrow().contains_key(user_id) {
            return Err(auth0_error(404, "Not Found", "The user does not exist."));
        }
        Ok(())
    }
}

fn auth0_error(status: u16, error: &str, message: &str) -> (u16, Value) {
    (
        status,
        json!({"statusCode": status, "error": error, "message": message}),
    )
}

/// The `sub` of a token, read without checking it (the fake trusts its own).
fn subject(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    claims["sub"].as_str().map(str::to_owned)
}

impl Tenant for FakeTenant {
    async fn exchange_code(
        &self,
        code: &str,
        _verifier: &str,
        _redirect_uri: &str,
    ) -> Result<Tokens, TenantError> {
        self.respond(Call::Token, || match self.codes.borrow_mut().remove(code) {
            Some(tokens) => (200, tokens),
            None => (
                403,
                json!({"error": "invalid_grant", "error_description": "Invalid authorization code"}),
            ),
        })
    }

    async fn refresh(&self, refresh_token: &Secret, _scope: &str) -> Result<Tokens, TenantError> {
        self.respond(Call::Refresh, || {
            match refresh_token.expose().strip_prefix("rt.") {
                Some(user) => (
                    200,
                    json!({
                        "access_token": Self::read_token(user), "token_type": "Bearer",
                        "expires_in": 86_400, "scope": "openid profile email phone read:current_user",
                        "refresh_token": format!("rt2.{user}"),
                    }),
                ),
                None => (
                    403,
                    json!({"error": "invalid_grant", "error_description": "Unknown or invalid refresh token."}),
                ),
            }
        })
    }

    async fn revoke(&self, _refresh_token: &Secret) -> Result<(), TenantError> {
        self.calls.borrow_mut().push(Call::Revoke);
        Ok(())
    }

    async fn jwks(&self) -> Result<Jwks, TenantError> {
        self.respond(Call::Jwks, || (200, json!({"keys": [key().1]})))
    }

    async fn get_user(&self, token: &Secret, user_id: &str) -> Result<User, TenantError> {
        self.respond(Call::GetUser, || match self.authorized(token, user_id) {
            Ok(()) => (200, self.user(user_id).unwrap()),
            Err(e) => e,
        })
    }

    async fn enrollments(
        &self,
        token: &Secret,
        user_id: &str,
    ) -> Result<Vec<crate::tenant::Enrollment>, TenantError> {
        self.respond(Call::Enrollments, || {
            match self.authorized(token, user_id) {
                Ok(()) => (
                    200,
                    self.user(user_id).unwrap()["__enrollments"]
                        .as_array()
                        .map_or_else(|| json!([]), |a| Value::Array(a.clone())),
                ),
                Err(e) => e,
            }
        })
    }

    async fn update_user_metadata(
        &self,
        token: &Secret,
        user_id: &str,
        user_metadata: &Map<String, Value>,
    ) -> Result<User, TenantError> {
        self.respond(Call::UpdateUser, || {
            if let Err(e) = self.may_update(token, user_id) {
                return e;
            }
            let mut users = self.users.borrow_mut();
            let user = users.get_mut(user_id).unwrap();
            let metadata = user["user_metadata"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            let mut merged = metadata;
            for (k, v) in user_metadata {
                if v.is_null() {
                    merged.remove(k);
                } else {
                    merged.insert(k.clone(), v.clone());
                }
            }
            user["user_metadata"] = Value::Object(merged);
            (200, user.clone())
        })
    }

    async fn link(
        &self,
        token: &Secret,
        primary: &str,
        link_with: &Secret,
    ) -> Result<Vec<Identity>, TenantError> {
        self.respond(Call::Link, || {
            if let Err(e) = self.may_update(token, primary) {
                return e;
            }
            let Some(secondary) = subject(link_with.expose()) else {
                return auth0_error(400, "Bad Request", "Invalid link_with token");
            };
            let Some(other) = self.users.borrow_mut().remove(&secondary) else {
                return auth0_error(400, "Bad Request", "Secondary user not found");
            };
            let mut users = self.users.borrow_mut();
            let identities = users.get_mut(primary).unwrap()["identities"]
                .as_array_mut()
                .unwrap();
            identities.extend(other["identities"].as_array().unwrap().iter().map(|i| {
                let mut i = i.clone();
                i["profileData"] = json!({"email": other["email"], "name": other["name"]});
                i
            }));
            (201, Value::Array(identities.clone()))
        })
    }

    async fn unlink(
        &self,
        token: &Secret,
        primary: &str,
        identity: &Identity,
    ) -> Result<Vec<Identity>, TenantError> {
        self.respond(Call::Unlink, || {
            if let Err(e) = self.may_update(token, primary) {
                return e;
            }
            if identity.full_id() == primary {
                return auth0_error(400, "Bad Request", "Main identity cannot be removed.");
            }
            let mut users = self.users.borrow_mut();
            let identities = users.get_mut(primary).unwrap()["identities"]
                .as_array_mut()
                .unwrap();
            let before = identities.len();
            identities.retain(|i| {
                i["provider"] != identity.provider.as_str()
                    || i["user_id"] != identity.user_id.as_str()
            });
            if identities.len() == before {
                return auth0_error(
                    400,
                    "Bad Request",
                    "The identity is not linked to this user.",
                );
            }
            let remaining = Value::Array(identities.clone());
            // As on Auth0, the unlinked identity is a user of its own again.
            users.insert(
                identity.full_id(),
                json!({"user_id": identity.full_id(), "identities": [{
                    "provider": identity.provider, "user_id": identity.user_id,
                    "connection": identity.connection, "isSocial": identity.is_social,
                }]}),
            );
            (200, remaining)
        })
    }
}
