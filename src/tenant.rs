//! The only module that talks to the tenant. Every call returns
//! `Result<T, TenantError>`, and the error keeps the status, Auth0's body
//! and the cause.

use gloo_net::http::{Request, RequestBuilder};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::auth::Secret;
use crate::auth::id_token::Jwks;
use crate::auth::urls::segment;
use crate::config::Config;

mod answers;

pub use answers::{Enrollment, Identity, ProfileData, Tokens, User, who};

/// Auth0's error body: `{statusCode, error, message, errorCode?}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Auth0Error {
    pub status_code: u16,
    pub error: String,
    pub message: String,
    pub error_code: Option<String>,
}

/// An OAuth error body: `{error, error_description}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthError {
    pub error: String,
    pub error_description: Option<String>,
}

/// An error body as it came, read once: Auth0's shape, the OAuth shape,
/// or neither.
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErrorBody {
    status_code: Option<u16>,
    error: Option<String>,
    message: Option<String>,
    error_code: Option<String>,
    #[serde(rename = "error_description")]
    error_description: Option<String>,
}

impl ErrorBody {
    fn auth0(&self) -> Option<Auth0Error> {
        Some(Auth0Error {
            status_code: self.status_code?,
            error: self.error.clone()?,
            message: self.message.clone()?,
            error_code: self.error_code.clone(),
        })
    }

    fn oauth(self) -> Option<OAuthError> {
        Some(OAuthError {
            error: self.error?,
            error_description: self.error_description,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TenantError {
    /// No answer: the network is down, the tenant unreachable, or CORS refused.
    Network(String),
    /// An HTTP error status, with whatever the body said.
    Http {
        status: u16,
        auth0: Option<Auth0Error>,
        oauth: Option<OAuthError>,
        /// `X-RateLimit-Reset` (UNIX seconds), on a 429.
        rate_limit_reset: Option<i64>,
    },
    /// No answer within the configured time; the request was given up.
    Timeout,
    /// A success whose body was not what Auth0 sends.
    Decode(String),
}

impl TenantError {
    pub fn status(&self) -> Option<u16> {
        match self {
            TenantError::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Auth0's `errorCode` (`insufficient_scope`, ...), where the body had one.
    pub fn code(&self) -> Option<&str> {
        match self {
            TenantError::Http { auth0: Some(e), .. } => e.error_code.as_deref(),
            _ => None,
        }
    }

    /// Auth0's `message`, where the body had one.
    pub fn message(&self) -> Option<&str> {
        match self {
            TenantError::Http { auth0: Some(e), .. } => Some(&e.message),
            TenantError::Http { oauth: Some(e), .. } => {
                e.error_description.as_deref().or(Some(&e.error))
            }
            _ => None,
        }
    }
}

/// A call's time limit: an `AbortController` that a timer aborts after the
/// configured time. Dropping it clears the timer.
struct Deadline {
    controller: Option<web_sys::AbortController>,
    timer: Option<i32>,
}

impl Deadline {
    fn start(config: &Config) -> Deadline {
        use wasm_bindgen::JsCast;
        let controller = web_sys::AbortController::new().ok();
        let timer = controller.as_ref().and_then(|c| {
            let c = c.clone();
            let abort = wasm_bindgen::closure::Closure::once_into_js(move || c.abort());
            web_sys::window()?
                .set_timeout_with_callback_and_timeout_and_arguments_0(
                    abort.unchecked_ref(),
                    i32::try_from(config.request_timeout_ms).unwrap_or(i32::MAX),
                )
                .ok()
        });
        Deadline { controller, timer }
    }

    fn signal(&self) -> Option<web_sys::AbortSignal> {
        self.controller
            .as_ref()
            .map(web_sys::AbortController::signal)
    }

    /// A failed fetch or body read: a timeout if the timer fired, else the network.
    fn failed(&self, e: gloo_net::Error) -> TenantError {
        if self
            .controller
            .as_ref()
            .is_some_and(|c| c.signal().aborted())
        {
            TenantError::Timeout
        } else {
            TenantError::Network(network_cause(&e))
        }
    }
}

/// What a failed fetch says: the browser's own error. gloo's `Display`
/// would also link serde_json's error texts, for a variant only its `json`
/// feature (which Leptos turns on) builds and this page never meets.
pub fn network_cause(e: &gloo_net::Error) -> String {
    match e {
        gloo_net::Error::JsError(js) => js.to_string(),
        gloo_net::Error::GlooError(text) => text.clone(),
        _ => String::from("the answer could not be read"),
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        if let (Some(timer), Some(window)) = (self.timer, web_sys::window()) {
            window.clear_timeout_with_handle(timer);
        }
    }
}

/// What the SPA asks of a tenant: the seam between the flows and HTTP.
/// [`Http`] is the real one; native tests use an in-memory fake. The flows
/// are generic over it, so nothing is boxed.
// One thread in the browser: no `Send` bound is wanted on these futures.
#[allow(async_fn_in_trait)]
pub trait Tenant {
    /// `POST /oauth/token`: an authorization code (with its PKCE verifier) for tokens.
    async fn exchange_code(
        &self,
        code: &str,
        verifier: &str,
        redirect_uri: &str,
    ) -> Result<Tokens, TenantError>;
    /// `POST /oauth/token` with a refresh token and a reduced `scope`.
    async fn refresh(&self, refresh_token: &Secret, scope: &str) -> Result<Tokens, TenantError>;
    /// `POST /oauth/revoke`: the refresh token can no longer be used.
    async fn revoke(&self, refresh_token: &Secret) -> Result<(), TenantError>;
    /// `GET /.well-known/jwks.json`: the tenant's signing keys.
    async fn jwks(&self) -> Result<Jwks, TenantError>;
    /// `GET /api/v2/users/{id}`.
    async fn get_user(&self, token: &Secret, user_id: &str) -> Result<User, TenantError>;
    /// `GET /api/v2/users/{id}/enrollments`: its MFA enrollments.
    async fn enrollments(
        &self,
        token: &Secret,
        user_id: &str,
    ) -> Result<Vec<Enrollment>, TenantError>;
    /// `PATCH /api/v2/users/{id}` with `{user_metadata}`: Auth0 merges it at
    /// the top level, and a key set to `null` is removed.
    async fn update_user_metadata(
        &self,
        token: &Secret,
        user_id: &str,
        user_metadata: &Map<String, Value>,
    ) -> Result<User, TenantError>;
    /// `POST /api/v2/users/{primary}/identities` with `{link_with}`: the new identities.
    async fn link(
        &self,
        token: &Secret,
        primary: &str,
        link_with: &Secret,
    ) -> Result<Vec<Identity>, TenantError>;
    /// `DELETE /api/v2/users/{primary}/identities/{provider}/{user_id}`:
    /// the identities that remain.
    async fn unlink(
        &self,
        token: &Secret,
        primary: &str,
        identity: &Identity,
    ) -> Result<Vec<Identity>, TenantError>;
}

/// Reads an answer: the body as `T` on a success, else a [`TenantError`]
/// with whatever the body said. Shared by [`Http`] and the tests' fake, so
/// both read bodies alike.
// The error is as large as every call's; boxing it would only add code.
#[allow(clippy::result_large_err)]
pub fn answer<T: DeserializeOwned>(
    status: u16,
    text: &str,
    rate_limit_reset: Option<i64>,
) -> Result<T, TenantError> {
    success(status, text, rate_limit_reset)?;
    serde_json::from_str(text).map_err(|e| TenantError::Decode(decode_cause(&e)))
}

/// Why a success's body could not be read: not JSON, or not the shape.
fn decode_cause(e: &serde_json::Error) -> String {
    if e.is_data() {
        "not the expected shape".into()
    } else {
        "not JSON".into()
    }
}

/// A success, or the error with whatever its body said; not generic, so
/// in the wasm once.
#[allow(clippy::result_large_err)]
fn success(status: u16, text: &str, rate_limit_reset: Option<i64>) -> Result<(), TenantError> {
    if (200..300).contains(&status) {
        return Ok(());
    }
    let body: ErrorBody = serde_json::from_str(text).unwrap_or_default();
    Err(TenantError::Http {
        status,
        auth0: body.auth0(),
        oauth: body.oauth(),
        rate_limit_reset,
    })
}

/// The real tenant: HTTP through gloo-net, each call under a [`Deadline`].
pub struct Http {
    config: Config,
}

impl Http {
    pub fn new(config: Config) -> Self {
        Http { config }
    }

    /// The configuration it calls the tenant with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Sends a request (with `body`, if any) under a deadline and reads
    /// its answer as a `T`.
    async fn fetch<T: DeserializeOwned>(
        &self,
        request: RequestBuilder,
        body: Option<String>,
    ) -> Result<T, TenantError> {
        let (status, text, reset) = self.send(request, body).await?;
        answer(status, &text, reset)
    }

    /// The request itself: not generic, so its code is in the wasm once,
    /// not once per answer type.
    async fn send(
        &self,
        request: RequestBuilder,
        body: Option<String>,
    ) -> Result<(u16, String, Option<i64>), TenantError> {
        let deadline = Deadline::start(&self.config);
        let request = request.abort_signal(deadline.signal().as_ref());
        let request = match body {
            Some(body) => request.body(body),
            None => request.build(),
        }
        .map_err(|e| TenantError::Network(network_cause(&e)))?;
        let response = request.send().await.map_err(|e| deadline.failed(e))?;
        // A body that cannot be read is a connection that broke mid-answer.
        let text = response.text().await.map_err(|e| deadline.failed(e))?;
        let reset = response
            .headers()
            .get("x-ratelimit-reset")
            .and_then(|v| v.trim().parse().ok());
        Ok((response.status(), text, reset))
    }

    fn user_url(&self, user_id: &str) -> String {
        user_url(&self.config, user_id)
    }

    /// A form POST to the tenant's `path`, with this client's id first:
    /// the request and its body.
    fn form(&self, path: &str, pairs: &[(&str, &str)]) -> (RequestBuilder, String) {
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("client_id", &self.config.client_id)
            .extend_pairs(pairs)
            .finish();
        let url = format!("{}/{path}", self.config.domain);
        let request =
            Request::post(&url).header("content-type", "application/x-www-form-urlencoded");
        (request, body)
    }
}

fn user_url(config: &Config, user_id: &str) -> String {
    format!("{}/api/v2/users/{}", config.domain, segment(user_id))
}

fn bearer(token: &Secret) -> String {
    format!("Bearer {}", token.expose())
}

impl Tenant for Http {
    async fn exchange_code(
        &self,
        code: &str,
        verifier: &str,
        redirect_uri: &str,
    ) -> Result<Tokens, TenantError> {
        let (request, body) = self.form(
            "oauth/token",
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("code_verifier", verifier),
                ("redirect_uri", redirect_uri),
            ],
        );
        self.fetch(request, Some(body)).await
    }

    async fn refresh(&self, refresh_token: &Secret, scope: &str) -> Result<Tokens, TenantError> {
        let (request, body) = self.form(
            "oauth/token",
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token.expose()),
                ("scope", scope),
            ],
        );
        self.fetch(request, Some(body)).await
    }

    async fn revoke(&self, refresh_token: &Secret) -> Result<(), TenantError> {
        let (request, body) = self.form("oauth/revoke", &[("token", refresh_token.expose())]);
        let (status, text, reset) = self.send(request, Some(body)).await?;
        // Its answer has no body, or a plain "OK".
        success(status, &text, reset)
    }

    async fn jwks(&self) -> Result<Jwks, TenantError> {
        let url = format!("{}/.well-known/jwks.json", self.config.domain);
        self.fetch(Request::get(&url), None).await
    }

    async fn get_user(&self, token: &Secret, user_id: &str) -> Result<User, TenantError> {
        let url = self.user_url(user_id);
        let request = Request::get(&url).header("authorization", &bearer(token));
        self.fetch(request, None).await
    }

    async fn enrollments(
        &self,
        token: &Secret,
        user_id: &str,
    ) -> Result<Vec<Enrollment>, TenantError> {
        let url = format!("{}/enrollments", self.user_url(user_id));
        let request = Request::get(&url).header("authorization", &bearer(token));
        self.fetch(request, None).await
    }

    async fn update_user_metadata(
        &self,
        token: &Secret,
        user_id: &str,
        user_metadata: &Map<String, Value>,
    ) -> Result<User, TenantError> {
        let url = self.user_url(user_id);
        let request = Request::patch(&url)
            .header("authorization", &bearer(token))
            .header("content-type", "application/json");
        #[derive(Serialize)]
        struct Update<'a> {
            user_metadata: &'a Map<String, Value>,
        }
        let body = serde_json::to_string(&Update { user_metadata });
        self.fetch(request, body.ok()).await
    }

    async fn link(
        &self,
        token: &Secret,
        primary: &str,
        link_with: &Secret,
    ) -> Result<Vec<Identity>, TenantError> {
        let url = format!("{}/identities", self.user_url(primary));
        let request = Request::post(&url)
            .header("authorization", &bearer(token))
            .header("content-type", "application/json");
        #[derive(Serialize)]
        struct Link<'a> {
            link_with: &'a Secret,
        }
        let body = serde_json::to_string(&Link { link_with });
        self.fetch(request, body.ok()).await
    }

    async fn unlink(
        &self,
        token: &Secret,
        primary: &str,
        identity: &Identity,
    ) -> Result<Vec<Identity>, TenantError> {
        let url = unlink_url(&self.config, primary, identity);
        let request = Request::delete(&url).header("authorization", &bearer(token));
        self.fetch(request, None).await
    }
}

/// Both path parts percent-encoded: ids hold `|`, and could hold `/`.
pub fn unlink_url(config: &Config, primary: &str, identity: &Identity) -> String {
    format!(
        "{}/identities/{}/{}",
        user_url(config, primary),
        segment(&identity.provider),
        segment(&identity.user_id)
    )
}

#[cfg(all(test, not(target_arch = "wasm32")))]
pub mod fake;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_take_numeric_ids_and_profile_data() {
        let user: User = serde_json::from_value(serde_json::json!({
            "user_id": "google-oauth2|1", "name": "Ada", "identities": [
                {"provider": "google-oauth2", "user_id": "1", "connection": "google-oauth2", "isSocial": true},
                {"provider": "github", "user_id": 4242001, "connection": "github", "isSocial": true,
                 "profileData": {"name": "<b>Ada</b>", "email": "a@example.com"}}
            ]
        }))
        .unwrap();
        assert_eq!(user.identities[1].user_id, "4242001");
        assert_eq!(user.identities[1].full_id(), "github|4242001");
        assert_eq!(
            user.identities[1]
                .profile_data
                .as_ref()
                .unwrap()
                .name
                .as_deref(),
            Some("<b>Ada</b>")
        );
    }

    #[test]
    fn unlink_paths_encode_both_parts() {
        let config = Config::parse(
            r#"{"domain":"https://t.example","client_id":"c","audience":"https://t.example/api/v2/",
            "redirect_path":"/","connections":[]}"#,
        )
        .unwrap();
        let identity = Identity {
            provider: "oauth2".into(),
            user_id: "discord|123".into(),
            connection: "discord".into(),
            is_social: true,
            profile_data: None,
        };
        assert_eq!(
            unlink_url(&config, "auth0|abc", &identity),
            "https://t.example/api/v2/users/auth0%7Cabc/identities/oauth2/discord%7C123"
        );
    }
}
