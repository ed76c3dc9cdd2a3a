//! The Authentication API: discovery, keys, `/authorize` and its login
//! pages, `/oauth/token`, `/userinfo`, `/v2/logout`.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::controls::Defect;
use crate::keys::{TOKEN_LIFETIME, b64url};
use crate::pages;
use crate::store::{CodeGrant, RefreshGrant, RefreshUse, User};

/// An authorization code lives this long.
pub const CODE_LIFETIME: i64 = 60;
/// An ID token lives this long (Auth0's default).
pub const ID_TOKEN_LIFETIME: i64 = 36_000;
/// The name of the tenant's session cookie.
pub const SESSION_COOKIE: &str = "dev_tenant_session";
/// Scopes a user's own token may carry for the Management API.
const CURRENT_USER_SCOPES: [&str; 6] = [
    "read:current_user",
    "update:current_user_identities",
    "update:current_user_metadata",
    "create:current_user_metadata",
    "delete:current_user_metadata",
    "create:current_user_device_credentials",
];

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
    /// A passwordless login waiting for its code: `(identity, code)`.
    pub pending_code: Option<(String, String)>,
}

/// A person signed in at the tenant (its session cookie).
#[derive(Clone, Debug)]
pub struct TenantSession {
    pub user_id: String,
    pub connection: String,
    pub auth_time: i64,
}

/// Routes browsers reach by navigation.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/authorize", get(authorize_get))
        .route("/login", get(login_get))
        .route("/login/social", post(login_social))
        .route("/login/password", post(login_password))
        .route("/login/passwordless/start", post(passwordless_start))
        .route("/login/passwordless/verify", post(passwordless_verify))
        .route("/login/cancel", get(login_cancel))
        .route("/v2/logout", get(logout_get))
        .route("/avatars/{name}", get(avatar_get))
}

/// Routes a page calls with `fetch`, across origins.
pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/.well-known/openid-configuration", get(discovery_get))
        .route("/.well-known/jwks.json", get(jwks_get))
        .route("/oauth/token", post(token_post))
        .route("/userinfo", get(userinfo_get))
}

/// `GET /.well-known/openid-configuration`, as Auth0 publishes it.
async fn discovery_get(State(state): State<AppState>) -> Json<Value> {
    Json(json!({
        "issuer": state.issuer(),
        "authorization_endpoint": state.url("authorize"),
        "token_endpoint": state.url("oauth/token"),
        "userinfo_endpoint": state.url("userinfo"),
        "jwks_uri": state.url(".well-known/jwks.json"),
        "end_session_endpoint": state.url("v2/logout"),
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

/// `GET /authorize`: checks the request, then shows a login page (or, with
/// a tenant session and no `prompt=login`, answers at once).
async fn authorize_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| q.get(k).filter(|v| !v.is_empty()).cloned();
    let Some(client_id) = get("client_id") else {
        return pages::error(
            StatusCode::BAD_REQUEST,
            "Missing required parameter: client_id",
        );
    };
    let client = match state.store().client(&client_id) {
        Ok(Some(c)) => c,
        Ok(None) => {
            return pages::error(
                StatusCode::BAD_REQUEST,
                "Unknown client: this application is not registered.",
            );
        }
        Err(e) => return internal(e),
    };
    let Some(redirect_uri) = get("redirect_uri") else {
        return pages::error(
            StatusCode::BAD_REQUEST,
            "Missing required parameter: redirect_uri",
        );
    };
    if !client.callbacks.contains(&redirect_uri) {
        return pages::error(
            StatusCode::BAD_REQUEST,
            &format!(
                "Callback URL mismatch. {redirect_uri} is not in the list of allowed callback URLs."
            ),
        );
    }
    let st = get("state");
    let back = redirect_uri.clone();
    let fail = |error: &str, description: &str| {
        redirect_with(
            &back,
            &[("error", error), ("error_description", description)],
            st.as_deref(),
        )
    };
    match get("response_type").as_deref() {
        Some("code") => {}
        Some(other) => {
            return fail(
                "unsupported_response_type",
                &format!("Unsupported response type: {other}"),
            );
        }
        None => {
            return fail(
                "invalid_request",
                "Missing required parameter: response_type",
            );
        }
    }
    if get("response_mode").is_some_and(|m| m != "query") {
        return fail("invalid_request", "Only response_mode=query is supported");
    }
    let Some(code_challenge) = get("code_challenge") else {
        return fail("invalid_request", "Parameter 'code_challenge' is required");
    };
    if get("code_challenge_method").as_deref() != Some("S256") {
        return fail(
            "invalid_request",
            "Parameter 'code_challenge_method' must be S256",
        );
    }
    let audience = get("audience");
    if let Some(a) = &audience
        && *a != state.management_audience()
    {
        return fail("access_denied", &format!("Service not found: {a}"));
    }
    let connection = get("connection");
    if let Some(c) = &connection {
        match state.store().logins_of(c) {
            Ok(l) if !l.is_empty() => {}
            Ok(_) => return fail("invalid_request", "the connection was not found"),
            Err(e) => return internal(e),
        }
    }
    let tx = LoginTx {
        client_id,
        redirect_uri,
        state: st.clone(),
        nonce: get("nonce"),
        code_challenge,
        scope: get("scope").unwrap_or_else(|| "openid".into()),
        audience,
        connection: connection.clone(),
        pending_code: None,
    };
    let max_age = get("max_age").and_then(|m| m.parse::<i64>().ok());
    if get("prompt").as_deref() != Some("login")
        && let Some(session) = session_of(&state, &headers)
        && connection.as_ref().is_none_or(|c| *c == session.connection)
        && max_age.is_none_or(|m| state.now() - session.auth_time <= m)
    {
        return issue_code(&state, &tx, &session.user_id, session.auth_time);
    }
    if get("prompt").as_deref() == Some("none") {
        return fail("login_required", "Login required");
    }
    let id = random_token(16);
    state.logins().insert(id.clone(), tx);
    found(&format!("/login?tx={id}"))
}

fn session_of(state: &AppState, headers: &HeaderMap) -> Option<TenantSession> {
    let cookies = headers.get(header::COOKIE)?.to_str().ok()?;
    let id = cookies
        .split(';')
        .find_map(|c| c.trim().strip_prefix(&format!("{SESSION_COOKIE}=")))?;
    state.sessions().get(id).cloned()
}

/// `GET /login?tx=…[&connection=…]`: the login page for the transaction.
async fn login_get(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some((id, tx)) = login_tx(&state, q.get("tx")) else {
        return expired_login();
    };
    let connection = tx
        .connection
        .clone()
        .or_else(|| q.get("connection").cloned());
    match connection {
        None => pages::choose_connection(&id, &connections(&state)),
        Some(c) => login_page(&state, &id, &c, None),
    }
}

fn connections(state: &AppState) -> Vec<String> {
    let mut all: Vec<String> = [
        "google-oauth2",
        "github",
        "discord",
        "Username-Password-Authentication",
        "sms",
        "email",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    all.retain(|c| state.store().logins_of(c).is_ok_and(|l| !l.is_empty()));
    all
}

fn login_page(state: &AppState, tx: &str, connection: &str, problem: Option<&str>) -> Response {
    let logins = match state.store().logins_of(connection) {
        Ok(l) => l,
        Err(e) => return internal(e),
    };
    match connection {
        "Username-Password-Authentication" => pages::password(tx, problem),
        "sms" | "email" => pages::passwordless_start(tx, connection, problem),
        _ => pages::social(tx, connection, &logins),
    }
}

fn login_tx(state: &AppState, id: Option<&String>) -> Option<(String, LoginTx)> {
    let id = id?;
    state.logins().get(id).cloned().map(|tx| (id.clone(), tx))
}

fn expired_login() -> Response {
    pages::error(
        StatusCode::BAD_REQUEST,
        "This login has expired or was already used. Go back to the application and start again.",
    )
}

/// `POST /login/social`: "Continue as …".
async fn login_social(
    State(state): State<AppState>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let Some((id, tx)) = login_tx(&state, f.get("tx")) else {
        return expired_login();
    };
    let Some(identity) = f.get("identity") else {
        return expired_login();
    };
    let connection = f.get("connection").cloned().unwrap_or_default();
    let known = state
        .store()
        .logins_of(&connection)
        .is_ok_and(|l| l.iter().any(|l| &l.identity == identity));
    if !known || tx.connection.as_ref().is_some_and(|c| *c != connection) {
        return login_page(
            &state,
            &id,
            &connection,
            Some("That account cannot sign in here."),
        );
    }
    complete_login(&state, &id, &tx, identity, &connection)
}

/// `POST /login/password`: the database connection's form.
async fn login_password(
    State(state): State<AppState>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let Some((id, tx)) = login_tx(&state, f.get("tx")) else {
        return expired_login();
    };
    let connection = "Username-Password-Authentication";
    let email = f.get("email").map(String::as_str).unwrap_or_default();
    let password = f.get("password").map(String::as_str).unwrap_or_default();
    let found = state
        .store()
        .check_password(connection, email.trim(), password);
    match found {
        Ok(Some(identity)) => complete_login(&state, &id, &tx, &identity, connection),
        Ok(None) => login_page(&state, &id, connection, Some("Wrong email or password.")),
        Err(e) => internal(e),
    }
}

/// `POST /login/passwordless/start`: sends (logs) a one-time code.
async fn passwordless_start(
    State(state): State<AppState>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let Some((id, _)) = login_tx(&state, f.get("tx")) else {
        return expired_login();
    };
    let connection = f.get("connection").cloned().unwrap_or_default();
    let who = f
        .get("who")
        .map(|w| w.trim().to_owned())
        .unwrap_or_default();
    let logins = match state.store().logins_of(&connection) {
        Ok(l) => l,
        Err(e) => return internal(e),
    };
    let found = logins.iter().find(|l| {
        l.phone.as_deref() == Some(who.as_str())
            || l.email
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(&who))
    });
    let Some(login) = found else {
        let what = if connection == "sms" {
            "phone number"
        } else {
            "email address"
        };
        return pages::passwordless_start(
            &id,
            &connection,
            Some(&format!("No account uses that {what}.")),
        );
    };
    let code = format!("{:06}", rand::random::<u32>() % 1_000_000);
    tracing::info!(connection = %connection, to = %who, code = %code, "one-time code sent");
    state.controls().record_code(&code);
    if let Some(tx) = state.logins().get_mut(&id) {
        tx.pending_code = Some((login.identity.clone(), code));
    }
    pages::passwordless_code(&id, &connection, &who, None)
}

/// `POST /login/passwordless/verify`: checks the one-time code.
async fn passwordless_verify(
    State(state): State<AppState>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let Some((id, tx)) = login_tx(&state, f.get("tx")) else {
        return expired_login();
    };
    let connection = f.get("connection").cloned().unwrap_or_default();
    let code = f
        .get("code")
        .map(|c| c.trim().to_owned())
        .unwrap_or_default();
    match &tx.pending_code {
        Some((identity, expected)) if *expected == code => {
            let identity = identity.clone();
            complete_login(&state, &id, &tx, &identity, &connection)
        }
        _ => {
            let who = f.get("who").cloned().unwrap_or_default();
            pages::passwordless_code(
                &id,
                &connection,
                &who,
                Some("That code is not right. Check it and try again."),
            )
        }
    }
}

/// `GET /login/cancel`: back to the app with `error=access_denied`.
async fn login_cancel(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some(tx) = q.get("tx").and_then(|id| state.logins().remove(id)) else {
        return expired_login();
    };
    redirect_with(
        &tx.redirect_uri,
        &[
            ("error", "access_denied"),
            ("error_description", "The user cancelled the login."),
        ],
        tx.state.as_deref(),
    )
}

/// The identity proved itself: start a tenant session and answer the app.
fn complete_login(
    state: &AppState,
    id: &str,
    tx: &LoginTx,
    identity: &str,
    connection: &str,
) -> Response {
    state.logins().remove(id);
    let user_id = match state.store().owner_of(identity) {
        Ok(Some(owner)) => owner,
        Ok(None) => return expired_login(),
        Err(e) => return internal(e),
    };
    let auth_time = state.now();
    let session_id = random_token(24);
    state.sessions().insert(
        session_id.clone(),
        TenantSession {
            user_id: user_id.clone(),
            connection: connection.to_owned(),
            auth_time,
        },
    );
    let mut response = issue_code(state, tx, &user_id, auth_time);
    let cookie = format!("{SESSION_COOKIE}={session_id}; Path=/; HttpOnly; SameSite=Lax");
    if let Ok(v) = cookie.parse() {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

/// Redirects to the app with a fresh, single-use code for `user_id`.
fn issue_code(state: &AppState, tx: &LoginTx, user_id: &str, auth_time: i64) -> Response {
    let code = random_token(32);
    let grant = CodeGrant {
        client_id: tx.client_id.clone(),
        redirect_uri: tx.redirect_uri.clone(),
        code_challenge: tx.code_challenge.clone(),
        nonce: tx.nonce.clone(),
        user_id: user_id.to_owned(),
        scope: tx.scope.clone(),
        audience: tx.audience.clone(),
        auth_time,
        expires_at: state.now() + CODE_LIFETIME,
    };
    if let Err(e) = state.store().insert_code(&hash(&code), &grant) {
        return internal(e);
    }
    redirect_with(&tx.redirect_uri, &[("code", &code)], tx.state.as_deref())
}

/// `302 Found`, as Auth0 redirects.
fn found(location: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, location.to_owned())]).into_response()
}

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

/// An RFC 6749 error from `/oauth/token`.
struct OAuthError {
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

    fn grant(description: &str) -> Self {
        OAuthError::new(StatusCode::BAD_REQUEST, "invalid_grant", description)
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

/// The body of a token request: form or JSON, as Auth0 takes both.
fn token_params(headers: &HeaderMap, body: &Bytes) -> Result<HashMap<String, String>, OAuthError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if json {
        let v: Map<String, Value> = serde_json::from_slice(body).map_err(|_| {
            OAuthError::new(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Invalid JSON body",
            )
        })?;
        Ok(v.into_iter()
            .map(|(k, v)| (k, v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
            .collect())
    } else {
        Ok(form_urlencoded::parse(body).into_owned().collect())
    }
}

/// `POST /oauth/token`.
async fn token_post(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    match token(&state, &headers, &body) {
        Ok(v) => no_store(Json(v)),
        Err(e) => e.into_response(),
    }
}

fn token(state: &AppState, headers: &HeaderMap, body: &Bytes) -> Result<Value, OAuthError> {
    let p = token_params(headers, body)?;
    let need = |k: &str| {
        p.get(k).filter(|v| !v.is_empty()).ok_or_else(|| {
            OAuthError::new(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                format!("Missing required parameter: {k}"),
            )
        })
    };
    let grant_type = need("grant_type")?;
    let client_id = need("client_id")?;
    match state.store().client(client_id) {
        Ok(Some(_)) => {}
        _ => {
            return Err(OAuthError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "Client authentication failed",
            ));
        }
    }
    match grant_type.as_str() {
        "authorization_code" => {
            let code = need("code")?;
            let verifier = need("code_verifier")?;
            let redirect_uri = need("redirect_uri")?;
            let grant = state
                .store()
                .take_code(&hash(code))
                .map_err(|e| {
                    tracing::error!("{e}");
                    OAuthError::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "server_error",
                        "Internal error",
                    )
                })?
                .ok_or_else(|| OAuthError::grant("Invalid authorization code"))?;
            if grant.expires_at < state.now() {
                return Err(OAuthError::grant("Invalid authorization code"));
            }
            if grant.client_id != *client_id {
                return Err(OAuthError::grant("Invalid authorization code"));
            }
            if grant.redirect_uri != *redirect_uri {
                return Err(OAuthError::grant(
                    "Unable to verify redirect_uri. It does not match the one sent to /authorize.",
                ));
            }
            if !(43..=128).contains(&verifier.len())
                || b64url(&Sha256::digest(verifier.as_bytes())) != grant.code_challenge
            {
                return Err(OAuthError::grant("Failed to verify code verifier"));
            }
            issue_tokens(
                state,
                &Issue {
                    client_id: grant.client_id,
                    user_id: grant.user_id,
                    scope: grant.scope,
                    audience: grant.audience,
                    nonce: grant.nonce,
                    auth_time: grant.auth_time,
                    family: None,
                },
            )
        }
        "refresh_token" => {
            let token = need("refresh_token")?;
            let used = state.store().use_refresh(&hash(token)).map_err(|e| {
                tracing::error!("{e}");
                OAuthError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server_error",
                    "Internal error",
                )
            })?;
            match used {
                RefreshUse::Fresh(g) if g.client_id == *client_id => issue_tokens(
                    state,
                    &Issue {
                        client_id: g.client_id,
                        user_id: g.user_id,
                        scope: g.scope,
                        audience: g.audience,
                        nonce: None,
                        auth_time: g.auth_time,
                        family: Some(g.family),
                    },
                ),
                RefreshUse::Reused => Err(OAuthError::grant("Unknown or invalid refresh token.")),
                _ => Err(OAuthError::grant("Unknown or invalid refresh token.")),
            }
        }
        other => Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            format!("Grant type '{other}' not allowed for the client."),
        )),
    }
}

struct Issue {
    client_id: String,
    user_id: String,
    scope: String,
    audience: Option<String>,
    nonce: Option<String>,
    auth_time: i64,
    /// The refresh-token family this renewal belongs to.
    family: Option<String>,
}

fn issue_tokens(state: &AppState, issue: &Issue) -> Result<Value, OAuthError> {
    let user = state
        .store()
        .user(&issue.user_id)
        .ok()
        .flatten()
        .ok_or_else(|| OAuthError::grant("The user no longer exists."))?;
    let now = state.now();
    let requested: Vec<&str> = issue.scope.split_whitespace().collect();
    let openid = requested.contains(&"openid");
    let granted: Vec<&str> = requested
        .iter()
        .copied()
        .filter(|s| {
            ["openid", "profile", "email", "phone", "offline_access"].contains(s)
                || (issue.audience.is_some() && CURRENT_USER_SCOPES.contains(s))
        })
        .collect();
    let scope = granted.join(" ");
    let userinfo = state.url("userinfo");
    let aud = match (&issue.audience, openid) {
        (Some(a), true) => json!([a, userinfo]),
        (Some(a), false) => json!(a),
        (None, _) => json!(userinfo),
    };
    let keys = state.keys();
    let access_token = keys.active().sign(&json!({
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
        let mut claims = profile_claims(&user, &granted, state.issuer());
        claims.insert("iss".into(), json!(state.issuer()));
        claims.insert("sub".into(), json!(user.user_id));
        claims.insert("aud".into(), json!(issue.client_id));
        claims.insert("iat".into(), json!(now));
        claims.insert("exp".into(), json!(now + ID_TOKEN_LIFETIME));
        claims.insert("auth_time".into(), json!(issue.auth_time));
        if let Some(n) = &issue.nonce {
            claims.insert("nonce".into(), json!(n));
        }
        out["id_token"] = json!(id_token(state, claims));
    }
    if granted.contains(&"offline_access") {
        let token = random_token(32);
        let family = issue.family.clone().unwrap_or_else(|| random_token(12));
        let grant = RefreshGrant {
            family,
            client_id: issue.client_id.clone(),
            user_id: user.user_id.clone(),
            scope: issue.scope.clone(),
            audience: issue.audience.clone(),
            auth_time: issue.auth_time,
        };
        state
            .store()
            .insert_refresh(&hash(&token), &grant)
            .map_err(|e| {
                tracing::error!("{e}");
                OAuthError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server_error",
                    "Internal error",
                )
            })?;
        out["refresh_token"] = json!(token);
    }
    Ok(out)
}

/// The profile claims that `scopes` allow.
fn profile_claims(user: &User, scopes: &[&str], issuer: &str) -> Map<String, Value> {
    let profile = crate::store::resolve_picture(user.profile.clone(), issuer);
    let mut claims = Map::new();
    let mut copy = |from: &str, to: &str| {
        if let Some(v) = profile.get(from) {
            claims.insert(to.to_owned(), v.clone());
        }
    };
    if scopes.contains(&"profile") {
        copy("name", "name");
        copy("nickname", "nickname");
        copy("picture", "picture");
    }
    if scopes.contains(&"email") {
        copy("email", "email");
        copy("email_verified", "email_verified");
    }
    if scopes.contains(&"phone") || scopes.contains(&"profile") {
        copy("phone_number", "phone_number");
        copy("phone_verified", "phone_number_verified");
    }
    if scopes.contains(&"profile") {
        claims.insert("updated_at".into(), json!(user.updated_at));
    }
    claims
}

/// Signs an ID token, with the defect a test asked for, if any.
fn id_token(state: &AppState, mut claims: Map<String, Value>) -> String {
    let keys = state.keys();
    let defect = state.controls().take_defect();
    match defect {
        Some(Defect::WrongNonce) => {
            claims.insert("nonce".into(), json!("forged-nonce"));
        }
        Some(Defect::WrongAud) => {
            claims.insert("aud".into(), json!("another-client"));
        }
        Some(Defect::WrongIss) => {
            claims.insert("iss".into(), json!("http://issuer.invalid/"));
        }
        Some(Defect::Expired) => {
            let now = state.now();
            claims.insert("iat".into(), json!(now - 7200));
            claims.insert("exp".into(), json!(now - 3600));
        }
        Some(Defect::EmailNotVerified) => {
            claims.insert("email_verified".into(), json!(false));
        }
        Some(Defect::NoSub) => {
            claims.remove("sub");
        }
        _ => {}
    }
    let claims = Value::Object(claims);
    let encode = |v: &Value| b64url(v.to_string().as_bytes());
    match defect {
        Some(Defect::AlgNone) => {
            format!(
                "{}.{}.",
                encode(&json!({"alg": "none", "typ": "JWT"})),
                encode(&claims)
            )
        }
        Some(Defect::Hs256) => {
            // The classic confusion: HMAC keyed with the public key's bytes.
            use jsonwebtoken_rustcrypto::{Algorithm, EncodingKey, Header};
            let mut header = Header::new(Algorithm::HS256);
            header.kid = Some(keys.active().kid.clone());
            let secret = keys.active().to_pem();
            let key = EncodingKey::from_hmac_secret(secret.as_bytes());
            jsonwebtoken_rustcrypto::encode(&header, &claims, &key).expect("an HS256 token")
        }
        Some(Defect::UnknownKid) => {
            let body = format!(
                "{}.{}",
                encode(&json!({"alg": "RS256", "typ": "JWT", "kid": "unknown-kid"})),
                encode(&claims)
            );
            let signed = keys.active().sign(&claims);
            let signature = signed.rsplit('.').next().unwrap_or_default();
            format!("{body}.{signature}")
        }
        Some(Defect::BadSignature) => {
            let token = keys.active().sign(&claims);
            let (head, sig) = token.rsplit_once('.').expect("a signed token");
            let mut sig: Vec<char> = sig.chars().collect();
            sig[10] = if sig[10] == 'A' { 'B' } else { 'A' };
            format!("{head}.{}", sig.into_iter().collect::<String>())
        }
        _ => keys.active().sign(&claims),
    }
}

/// `GET /userinfo`.
async fn userinfo_get(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let unauthorized = || {
        let body = json!({
            "error": "invalid_token",
            "error_description": "The access token is invalid or has expired"
        });
        (StatusCode::UNAUTHORIZED, Json(body)).into_response()
    };
    let Ok(claims) = crate::management::bearer_claims(&state, &headers, &state.url("userinfo"))
    else {
        return unauthorized();
    };
    let scopes: Vec<&str> = claims.scope.split_whitespace().collect();
    match state.store().user(&claims.sub) {
        Ok(Some(user)) => {
            let mut c = profile_claims(&user, &scopes, state.issuer());
            c.insert("sub".into(), json!(user.user_id));
            Json(Value::Object(c)).into_response()
        }
        Ok(None) => unauthorized(),
        Err(e) => internal(e),
    }
}

/// `GET /v2/logout?client_id=…&returnTo=…`: ends the tenant session.
async fn logout_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let return_to = q.get("returnTo").filter(|r| !r.is_empty());
    if let Some(r) = return_to {
        let allowed = q
            .get("client_id")
            .and_then(|c| state.store().client(c).ok().flatten())
            .is_some_and(|c| c.logout_urls.contains(r));
        if !allowed {
            return pages::error(
                StatusCode::BAD_REQUEST,
                &format!("Logout URL mismatch. {r} is not in the list of allowed logout URLs."),
            );
        }
    }
    if let Some(cookies) = headers.get(header::COOKIE).and_then(|c| c.to_str().ok()) {
        for c in cookies.split(';') {
            if let Some(id) = c.trim().strip_prefix(&format!("{SESSION_COOKIE}=")) {
                state.sessions().remove(id);
            }
        }
    }
    let mut response = match return_to {
        Some(r) => found(r),
        None => Html("<!doctype html><title>Signed out</title><p>You are signed out.</p>")
            .into_response(),
    };
    let clear = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    if let Ok(v) = clear.parse() {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
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

fn hash(secret: &str) -> String {
    b64url(&Sha256::digest(secret.as_bytes()))
}
