//! The Authentication API, one module per job: `authorize` (the request
//! and its checks), `login` (the login pages' handlers), `token`
//! (`/oauth/token`), `id_token` (ID-token claims, minting and test
//! defects), `session` (the tenant's session cookie, `/userinfo`,
//! `/v2/logout`). Discovery, keys and the generated avatars are here.

mod authorize;
mod id_token;
mod login;
mod session;
mod token;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::keys::b64url;
use crate::pages;

pub use session::{SESSION_COOKIE, TenantSession};

/// An authorization code lives this long.
pub const CODE_LIFETIME: i64 = 60;
/// An ID token lives this long (Auth0's default).
pub const ID_TOKEN_LIFETIME: i64 = 36_000;

/// A login under way: what `/authorize` was asked.
#[derive(Clone, Debug)]
pub struct LoginTx {
    pub client_id: String,
    pub redirect_uri: String,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: String,
    pub scope: String,
    pub audience: Option<String>,
    pub connection: Option<String>,
    /// `login_hint`: the email or phone the pages fill in.
    pub login_hint: Option<String>,
    /// A passwordless login waiting for its code.
    pub pending_code: Option<PendingCode>,
    /// When `/authorize` began it (the tenant's clock).
    pub created_at: i64,
    /// The request asked for `max_age` or `prompt=login`: only then does
    /// Auth0 put `auth_time` in the ID token.
    pub wants_auth_time: bool,
}

/// How long a login page stays usable, as Auth0's transactions do.
pub const LOGIN_LIFETIME: i64 = 600;

/// How many logins may wait at once; beyond, the oldest go.
pub const MAX_PENDING_LOGINS: usize = 1000;

/// Keeps a login that `/authorize` began, after dropping the expired ones
/// and, if there are still too many, the oldest.
pub(crate) fn keep_login(state: &AppState, id: String, tx: LoginTx) {
    let now = state.now();
    keep_bounded(&mut state.logins(), (id, tx), MAX_PENDING_LOGINS, |t| {
        (now - t.created_at <= LOGIN_LIFETIME).then_some(t.created_at)
    });
}

/// Inserts `entry` into `map` after dropping what has expired (`born`
/// says `None`) and, beyond `max`, the oldest (by the time `born` gives).
pub(crate) fn keep_bounded<T>(
    map: &mut std::collections::HashMap<String, T>,
    (id, value): (String, T),
    max: usize,
    born: impl Fn(&T) -> Option<i64>,
) {
    map.retain(|_, v| born(v).is_some());
    while map.len() >= max {
        let oldest = map
            .iter()
            .min_by_key(|(_, v)| born(v))
            .map(|(k, _)| k.clone());
        match oldest {
            Some(k) => map.remove(&k),
            None => break,
        };
    }
    map.insert(id, value);
}

/// A one-time code sent, and what it signs in.
#[derive(Clone, Debug)]
pub struct PendingCode {
    pub identity: String,
    pub connection: String,
    pub code: String,
}

/// Routes browsers reach by navigation.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/authorize", get(authorize::authorize_get))
        .route("/login", get(login::login_get))
        .route("/login/social", post(login::login_social))
        .route("/login/password", post(login::login_password))
        .route("/login/passwordless/start", post(login::passwordless_start))
        .route(
            "/login/passwordless/verify",
            post(login::passwordless_verify),
        )
        .route("/login/cancel", get(login::login_cancel))
        .route("/v2/logout", get(session::logout_get))
        .route("/oidc/logout", get(session::oidc_logout_get))
        .route("/avatars/{name}", get(avatar_get))
}

/// Routes a page calls with `fetch`, across origins.
pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/.well-known/openid-configuration", get(discovery_get))
        .route("/.well-known/jwks.json", get(jwks_get))
        .route("/oauth/token", post(token::token_post))
        .route("/oauth/revoke", post(token::revoke_post))
        .route("/userinfo", get(session::userinfo_get))
}

/// `GET /.well-known/openid-configuration`, as Auth0 publishes it.
async fn discovery_get(State(state): State<AppState>) -> Json<Value> {
    Json(json!({
        "issuer": state.issuer(),
        "authorization_endpoint": state.url("authorize"),
        "token_endpoint": state.url("oauth/token"),
        "userinfo_endpoint": state.url("userinfo"),
        "jwks_uri": state.url(".well-known/jwks.json"),
        "end_session_endpoint": state.url("oidc/logout"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["none"],
        "code_challenge_methods_supported": ["S256"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "scopes_supported": ["openid", "profile", "email", "phone", "offline_access"],
        "claims_supported": [
            "aud", "auth_time", "email", "email_verified", "exp", "iat", "iss", "name",
            "nickname", "nonce", "phone_number", "phone_number_verified", "picture", "sub"
        ],
    }))
}

async fn jwks_get(State(state): State<AppState>) -> Json<Value> {
    Json(state.keys().jwks())
}

/// `GET /avatars/{name}.svg`: a generated picture, so nothing leaves loopback.
async fn avatar_get(Path(name): Path<String>) -> Response {
    let name = name.trim_end_matches(".svg");
    let initial = name.chars().next().unwrap_or('?').to_ascii_uppercase();
    let hue = name
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)))
        % 360;
    let svg = format!(
        "<svg xmlns='http://www.w3.org/2000/svg' width='96' height='96' viewBox='0 0 96 96'>\
         <rect width='96' height='96' fill='hsl({hue},55%,45%)'/>\
         <text x='48' y='62' font-size='44' text-anchor='middle' fill='#fff' \
         font-family='sans-serif'>{}</text></svg>",
        if initial.is_ascii_alphanumeric() {
            initial
        } else {
            '?'
        }
    );
    ([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response()
}

/// `302 Found`, as Auth0 redirects.
fn found(location: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, location.to_owned())]).into_response()
}

/// Back to the app's `redirect_uri` with `params` and the `state`.
fn redirect_with(uri: &str, params: &[(&str, &str)], state: Option<&str>) -> Response {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        q.append_pair(k, v);
    }
    if let Some(s) = state {
        q.append_pair("state", s);
    }
    let sep = if uri.contains('?') { '&' } else { '?' };
    found(&format!("{uri}{sep}{}", q.finish()))
}

/// A failure of the tenant itself, as a page: logged, never explained.
pub(crate) fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!("{e}");
    pages::error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong on the tenant.",
    )
}

/// `bytes` random bytes, base64url.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut buf);
    b64url(&buf)
}

/// How codes and refresh tokens are stored: never as themselves.
fn hash(secret: &str) -> String {
    b64url(&Sha256::digest(secret.as_bytes()))
}

/// A query parameter or form field that was given and is not empty.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|v| !v.is_empty())
}
