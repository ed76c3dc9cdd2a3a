//! `POST /oauth/token`: an authorization code with its PKCE verifier, or a
//! refresh token (which rotates; a reused one revokes its family), for
//! tokens; or the post-login Action's client credentials. Errors are
//! RFC 6749's; a failure of the store is `server_error`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::{given, hash, id_token, random_token};
use crate::AppState;
use crate::keys::{TOKEN_LIFETIME, b64url};
use crate::store::{RefreshGrant, RefreshUse, StoreError};

/// Scopes a user's own token may carry for the Management API.
const CURRENT_USER_SCOPES: [&str; 6] = [
    "read:current_user",
    "update:current_user_identities",
    "update:current_user_metadata",
    "create:current_user_metadata",
    "delete:current_user_metadata",
    "create:current_user_device_credentials",
];

/// The OIDC scopes the tenant grants.
const OIDC_SCOPES: [&str; 5] = ["openid", "profile", "email", "phone", "offline_access"];

/// An RFC 6749 error from `/oauth/token`.
#[derive(Debug)]
pub(super) struct OAuthError {
    status: StatusCode,
    error: &'static str,
    description: String,
}

impl OAuthError {
    fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        OAuthError {
            status,
            error,
            description: description.into(),
        }
    }

    fn request(description: impl Into<String>) -> Self {
        OAuthError::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    fn grant(description: &str) -> Self {
        OAuthError::new(StatusCode::BAD_REQUEST, "invalid_grant", description)
    }
}

/// The store failed: logged, and answered as the server's error.
impl From<StoreError> for OAuthError {
    fn from(e: StoreError) -> Self {
        tracing::error!("{e}");
        OAuthError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "Internal error",
        )
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        no_store((
            self.status,
            Json(json!({ "error": self.error, "error_description": self.description })),
        ))
    }
}

fn no_store(r: impl IntoResponse) -> Response {
    let mut r = r.into_response();
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    r.headers_mut()
        .insert(header::PRAGMA, header::HeaderValue::from_static("no-cache"));
    r
}

/// What a token request may carry. A parameter given twice is refused.
#[derive(Debug, Default, Deserialize)]
struct TokenRequest {
    grant_type: Option<String>,
    client_id: Option<String>,
    code: Option<String>,
    code_verifier: Option<String>,
    redirect_uri: Option<String>,
    refresh_token: Option<String>,
    /// On a refresh: a reduced set of the scopes first granted.
    scope: Option<String>,
    /// The client-credentials grant's secret and API.
    client_secret: Option<String>,
    audience: Option<String>,
}

/// The token request's fields, each at most once, whatever their values.
#[derive(Deserialize)]
#[allow(dead_code)]
struct Once {
    grant_type: Option<IgnoredAny>,
    client_id: Option<IgnoredAny>,
    code: Option<IgnoredAny>,
    code_verifier: Option<IgnoredAny>,
    redirect_uri: Option<IgnoredAny>,
    refresh_token: Option<IgnoredAny>,
    scope: Option<IgnoredAny>,
    client_secret: Option<IgnoredAny>,
    audience: Option<IgnoredAny>,
}

impl TokenRequest {
    /// The body: form or JSON, as Auth0 takes both (JSON values as text).
    fn read(headers: &HeaderMap, body: &Bytes) -> Result<Self, OAuthError> {
        let json = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !json {
            return serde_urlencoded::from_bytes(body)
                .map_err(|_| OAuthError::request("Parameters must be given once each"));
        }
        // A key given twice is refused, as a repeated form field is
        // (serde's derive refuses a duplicate field; a map keeps the last).
        serde_json::from_slice::<Once>(body).map_err(|e| match e.classify() {
            serde_json::error::Category::Data => {
                OAuthError::request("Parameters must be given once each")
            }
            _ => OAuthError::request("Invalid JSON body"),
        })?;
        let v: Map<String, Value> =
            serde_json::from_slice(body).map_err(|_| OAuthError::request("Invalid JSON body"))?;
        let text = v
            .into_iter()
            .map(|(k, v)| {
                let s = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                (k, Value::String(s))
            })
            .collect();
        serde_json::from_value(Value::Object(text))
            .map_err(|_| OAuthError::request("Invalid JSON body"))
    }
}

/// A client the tenant knows, or Auth0's 401 `invalid_client`.
fn known_client(state: &AppState, client_id: &str) -> Result<(), OAuthError> {
    if state.store().client(client_id)?.is_none() {
        return Err(OAuthError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed",
        ));
    }
    Ok(())
}

fn need<'a>(v: &'a Option<String>, name: &str) -> Result<&'a str, OAuthError> {
    given(v).ok_or_else(|| OAuthError::request(format!("Missing required parameter: {name}")))
}

/// `POST /oauth/token`.
pub(super) async fn token_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, OAuthError> {
    let p = TokenRequest::read(&headers, &body)?;
    let grant_type = need(&p.grant_type, "grant_type")?;
    let client_id = need(&p.client_id, "client_id")?;
    if grant_type == "client_credentials" {
        return client_credentials(&state, client_id, &p);
    }
    known_client(&state, client_id)?;
    let issue = match grant_type {
        "authorization_code" => {
            let code = need(&p.code, "code")?;
            let verifier = need(&p.code_verifier, "code_verifier")?;
            let redirect_uri = need(&p.redirect_uri, "redirect_uri")?;
            let grant = state
                .store()
                .take_code(&hash(code))?
                .ok_or_else(|| OAuthError::grant("Invalid authorization code"))?;
            if grant.expires_at < state.now() || grant.client_id != client_id {
                return Err(OAuthError::grant("Invalid authorization code"));
            }
            if grant.redirect_uri != redirect_uri {
                return Err(OAuthError::grant(
                    "Unable to verify redirect_uri. It does not match the one sent to /authorize.",
                ));
            }
            if !(43..=128).contains(&verifier.len())
                || b64url(&Sha256::digest(verifier.as_bytes())) != grant.code_challenge
            {
                return Err(OAuthError::grant("Failed to verify code verifier"));
            }
            Issue {
                client_id: grant.client_id,
                user_id: grant.user_id,
                scope: grant.scope,
                grant_scope: None,
                audience: grant.audience,
                nonce: grant.nonce,
                auth_time: grant.auth_time,
                wants_auth_time: grant.wants_auth_time,
                family: None,
            }
        }
        "refresh_token" => {
            let token = need(&p.refresh_token, "refresh_token")?;
            let used = state.store().use_refresh(&hash(token))?;
            match used {
                RefreshUse::Fresh(g) if g.client_id == client_id => {
                    // A reduced scope, as Auth0 allows: never more than the
                    // first grant, which the rotated refresh token keeps.
                    let scope = match given(&p.scope) {
                        None => g.scope.clone(),
                        Some(asked) => {
                            let first: Vec<&str> = g.scope.split_whitespace().collect();
                            if let Some(extra) =
                                asked.split_whitespace().find(|s| !first.contains(s))
                            {
                                return Err(OAuthError::new(
                                    StatusCode::BAD_REQUEST,
                                    "invalid_scope",
                                    format!(
                                        "The scope {extra} exceeds the scopes granted to the refresh token."
                                    ),
                                ));
                            }
                            asked.to_owned()
                        }
                    };
                    Issue {
                        client_id: g.client_id,
                        user_id: g.user_id,
                        scope,
                        grant_scope: Some(g.scope),
                        audience: g.audience,
                        nonce: None,
                        auth_time: g.auth_time,
                        wants_auth_time: g.wants_auth_time,
                        family: Some(g.family),
                    }
                }
                RefreshUse::Fresh(_) | RefreshUse::Reused | RefreshUse::Unknown => {
                    return Err(OAuthError::grant("Unknown or invalid refresh token."));
                }
            }
        }
        other => {
            return Err(OAuthError::new(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                format!("Grant type '{other}' not allowed for the client."),
            ));
        }
    };
    Ok(no_store(Json(issue_tokens(&state, &issue)?)))
}

/// The client-credentials grant of the post-login Action's application
/// (only with suggested linking on): a Management API token with its one
/// scope, `read:users`, and no refresh token or ID token.
fn client_credentials(
    state: &AppState,
    client_id: &str,
    p: &TokenRequest,
) -> Result<Response, OAuthError> {
    use crate::suggest::{ACTION_CLIENT_ID, ACTION_CLIENT_SECRET, ACTION_SCOPE};
    let secret = given(&p.client_secret);
    if !state.suggests() || client_id != ACTION_CLIENT_ID || secret != Some(ACTION_CLIENT_SECRET) {
        return Err(OAuthError::new(
            StatusCode::UNAUTHORIZED,
            "access_denied",
            "Unauthorized",
        ));
    }
    let audience = need(&p.audience, "audience")?;
    if audience != state.management_audience() {
        return Err(OAuthError::new(
            StatusCode::FORBIDDEN,
            "access_denied",
            format!("Service not found: {audience}"),
        ));
    }
    let now = state.now();
    let access_token = state.keys().active().sign(&json!({
        "iss": state.issuer(), "sub": format!("{client_id}@clients"), "aud": audience,
        "iat": now, "exp": now + TOKEN_LIFETIME, "scope": ACTION_SCOPE, "azp": client_id,
        "gty": "client-credentials",
    }));
    Ok(no_store(Json(json!({
        "access_token": access_token,
        "scope": ACTION_SCOPE,
        "expires_in": TOKEN_LIFETIME,
        "token_type": "Bearer",
    }))))
}

/// What the tokens are issued for.
struct Issue {
    client_id: String,
    user_id: String,
    scope: String,
    /// What a refresh token issued now may ask for later (the first grant's
    /// scope); `None`: `scope`.
    grant_scope: Option<String>,
    audience: Option<String>,
    nonce: Option<String>,
    auth_time: i64,
    wants_auth_time: bool,
    /// The refresh-token family this renewal belongs to.
    family: Option<String>,
}

fn issue_tokens(state: &AppState, issue: &Issue) -> Result<Value, OAuthError> {
    let user = state
        .store()
        .user(&issue.user_id)?
        .ok_or_else(|| OAuthError::grant("The user no longer exists."))?;
    let now = state.now();
    let requested: Vec<&str> = issue.scope.split_whitespace().collect();
    let openid = requested.contains(&"openid");
    let granted: Vec<&str> = requested
        .iter()
        .copied()
        .filter(|s| {
            (OIDC_SCOPES.contains(s)
                || (issue.audience.is_some() && CURRENT_USER_SCOPES.contains(s)))
                && state.grants(s)
        })
        .collect();
    let scope = granted.join(" ");
    let userinfo = state.url("userinfo");
    let aud = match (&issue.audience, openid) {
        (Some(a), true) => json!([a, userinfo]),
        (Some(a), false) => json!(a),
        (None, _) => json!(userinfo),
    };
    let access_token = state.keys().active().sign(&json!({
        "iss": state.issuer(), "sub": user.user_id, "aud": aud, "iat": now,
        "exp": now + TOKEN_LIFETIME, "scope": scope, "azp": issue.client_id,
    }));
    let mut out = json!({
        "access_token": access_token,
        "scope": scope,
        "expires_in": TOKEN_LIFETIME,
        "token_type": "Bearer",
    });
    if openid {
        // Suggested linking's claim, as the post-login Action adds it.
        let suggested = match state.suggests() {
            true => crate::suggest::suggested(&state.store(), &user)?,
            false => Vec::new(),
        };
        let minted = id_token::IdToken {
            user: &user,
            scopes: &granted,
            client_id: &issue.client_id,
            nonce: issue.nonce.as_deref(),
            auth_time: issue.wants_auth_time.then_some(issue.auth_time),
            suggested: &suggested,
        };
        out["id_token"] = json!(minted.mint(state));
    }
    // A refresh token when the grant has `offline_access`: on a refresh
    // that asked for less, the rotated one still stands for the first grant.
    let grant_scope = issue.grant_scope.as_deref().unwrap_or(&issue.scope);
    let refreshable = grant_scope
        .split_whitespace()
        .any(|s| s == "offline_access")
        && state.grants("offline_access");
    if refreshable {
        let token = random_token(32);
        let grant = RefreshGrant {
            family: issue.family.clone().unwrap_or_else(|| random_token(12)),
            client_id: issue.client_id.clone(),
            user_id: user.user_id.clone(),
            scope: issue
                .grant_scope
                .clone()
                .unwrap_or_else(|| issue.scope.clone()),
            audience: issue.audience.clone(),
            auth_time: issue.auth_time,
            wants_auth_time: issue.wants_auth_time,
        };
        state.store().insert_refresh(&hash(&token), &grant)?;
        out["refresh_token"] = json!(token);
    }
    Ok(out)
}

/// What a revocation request carries.
#[derive(Debug, Default, Deserialize)]
struct RevokeRequest {
    client_id: Option<String>,
    token: Option<String>,
}

/// `POST /oauth/revoke`: revokes a refresh token issued to the calling
/// client. Auth0 answers 200 for a token that was already invalid or
/// revoked, and revokes refresh tokens only (an access token stays valid
/// until it expires).
pub(super) async fn revoke_post(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Response, OAuthError> {
    let p: RevokeRequest = serde_urlencoded::from_bytes(&body)
        .map_err(|_| OAuthError::request("Parameters must be given once each"))?;
    let client_id = need(&p.client_id, "client_id")?;
    let token = need(&p.token, "token")?;
    known_client(&state, client_id)?;
    if !state.store().revoke_refresh(&hash(token), client_id)? {
        return Err(OAuthError::request(
            "The refresh token was not issued to this client.",
        ));
    }
    Ok(no_store(StatusCode::OK))
}
