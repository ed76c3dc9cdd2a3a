//! Test controls: faults on routes, defects in the next ID token, a log of
//! every request, and a clock that tests can move. Reachable in-process
//! through [`crate::AppState::controls`] always, and over HTTP under
//! `/__controls/` only when started with `--test-controls` (never with CORS).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::AppState;

/// The log keeps at most this many requests.
const LOG_LIMIT: usize = 10_000;

/// Make the next `times` requests whose path starts with `path` (and whose
/// method is `method`, when given) fail as `action` says.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Fault {
    pub method: Option<String>,
    pub path: String,
    #[serde(default = "one")]
    pub times: u32,
    pub action: FaultAction,
}

fn one() -> u32 {
    1
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultAction {
    /// Answer this status, body and headers instead of the route.
    Status {
        status: u16,
        #[serde(default)]
        body: Value,
        #[serde(default)]
        headers: BTreeMap<String, String>,
    },
    /// Answer as usual, after a delay.
    Delay { ms: u64 },
    /// Close the connection without an answer.
    Drop,
}

/// One defect for the next ID token the tenant issues.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Defect {
    WrongNonce,
    WrongAud,
    WrongIss,
    Expired,
    AlgNone,
    Hs256,
    UnknownKid,
    BadSignature,
    EmailNotVerified,
    NoSub,
    /// No `auth_time` claim.
    NoAuthTime,
    /// `azp` names another client (the `aud` still holds this one).
    AzpMismatch,
    /// An `aud` of several audiences, this client's among them, and no `azp`.
    AudArrayNoAzp,
    /// `nbf` an hour ahead.
    NbfFuture,
    /// Signed with a real key of a `kid` no longer published.
    RotatedOutKid,
    /// A fourth, or a fifth, dot-separated segment.
    FourSegments,
    FiveSegments,
    NoIss,
    NoAud,
    NoExp,
    /// `iat` an hour ahead.
    IatFuture,
    NoNonce,
    NoEmailVerified,
    /// `email_verified` as the string `"true"`, not a boolean.
    EmailVerifiedString,
    /// An `auth_time` an hour before the login.
    OldAuthTime,
}

/// One request the tenant answered.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct LogEntry {
    pub method: String,
    pub path: String,
    /// 0 when the connection was dropped.
    pub status: u16,
}

#[derive(Default)]
pub struct Controls {
    faults: Mutex<Vec<Fault>>,
    defect: Mutex<Option<Defect>>,
    log: Mutex<Vec<LogEntry>>,
    clock_offset: AtomicI64,
    last_code: Mutex<Option<String>>,
    /// Requests that arrived and are not yet answered.
    in_flight: AtomicUsize,
    /// Milliseconds every answer waits, CORS preflights included: a
    /// network farther than loopback, for the bench.
    latency_ms: AtomicU64,
}

/// Counts one request in flight until it is dropped, answered or not.
struct InFlight<'a>(&'a AtomicUsize);

impl<'a> InFlight<'a> {
    fn enter(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        InFlight(count)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Controls {
    /// Every answer from now on waits `ms` milliseconds, preflights
    /// included (0: none), as a tenant farther away would answer.
    pub fn set_latency(&self, ms: u64) {
        self.latency_ms.store(ms, Ordering::Relaxed);
    }

    /// Adds a fault; one for no request at all (`times` 0) is no fault.
    pub fn add_fault(&self, fault: Fault) {
        if fault.times == 0 {
            return;
        }
        self.faults.lock().expect("faults lock").push(fault);
    }

    /// Removes every fault not yet used up.
    pub fn clear_faults(&self) {
        self.faults.lock().expect("faults lock").clear();
    }

    pub fn set_defect(&self, defect: Defect) {
        *self.defect.lock().expect("defect lock") = Some(defect);
    }

    /// The defect for the ID token being issued now, used up.
    pub fn take_defect(&self) -> Option<Defect> {
        self.defect.lock().expect("defect lock").take()
    }

    pub fn log(&self) -> Vec<LogEntry> {
        self.log.lock().expect("log lock").clone()
    }

    pub fn clear_log(&self) {
        self.log.lock().expect("log lock").clear();
    }

    /// Moves the tenant's clock (seconds, may be negative), by at most
    /// [`MAX_CLOCK_OFFSET`] from the real time in all, so that no date the
    /// tenant computes can overflow.
    pub fn advance_clock(&self, seconds: i64) {
        let _ = self
            .clock_offset
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |o| {
                Some(
                    o.saturating_add(seconds)
                        .clamp(-MAX_CLOCK_OFFSET, MAX_CLOCK_OFFSET),
                )
            });
    }

    pub fn clock_offset(&self) -> i64 {
        self.clock_offset.load(Ordering::SeqCst)
    }

    /// How many requests (the controls' own aside) arrived and are not yet
    /// answered: 0 means the tenant is idle.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    /// The last one-time code a passwordless login page sent.
    pub fn last_code(&self) -> Option<String> {
        self.last_code.lock().expect("code lock").clone()
    }

    pub(crate) fn record_code(&self, code: &str) {
        *self.last_code.lock().expect("code lock") = Some(code.to_owned());
    }

    fn take_fault(&self, method: &str, path: &str) -> Option<FaultAction> {
        let mut faults = self.faults.lock().expect("faults lock");
        let i = faults.iter().position(|f| {
            path.starts_with(&f.path)
                && f.method
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(method))
        })?;
        let action = faults[i].action.clone();
        faults[i].times = faults[i].times.saturating_sub(1);
        if faults[i].times == 0 {
            faults.remove(i);
        }
        Some(action)
    }

    fn record(&self, method: &str, path: &str, status: u16) {
        let mut log = self.log.lock().expect("log lock");
        if log.len() == LOG_LIMIT {
            log.remove(0);
        }
        log.push(LogEntry {
            method: method.to_owned(),
            path: path.to_owned(),
            status,
        });
    }
}

/// Logs every request the tenant answers (but the controls' own), and
/// counts those in flight.
pub async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
    if path.starts_with("/__controls") {
        return next.run(request).await;
    }
    let controls = state.controls();
    let _in_flight = InFlight::enter(&controls.in_flight);
    let response = next.run(request).await;
    let latency = controls.latency_ms.load(Ordering::Relaxed);
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    controls.record(&method, &path, response.status().as_u16());
    response
}

/// Applies the first fault that matches the request, if any. Layered on
/// each group of routes, inside the group's CORS.
pub async fn faults(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
    let controls = state.controls();
    match controls.take_fault(&method, &path) {
        None => next.run(request).await,
        Some(FaultAction::Delay { ms }) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            next.run(request).await
        }
        Some(FaultAction::Status {
            status,
            body,
            headers,
        }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut response = if body.is_null() {
                status.into_response()
            } else {
                (status, Json(body)).into_response()
            };
            for (k, v) in headers {
                if let (Ok(k), Ok(v)) = (HeaderName::try_from(k), HeaderValue::try_from(v)) {
                    response.headers_mut().insert(k, v);
                }
            }
            response
        }
        Some(FaultAction::Drop) => {
            controls.record(&method, &path, 0);
            // Unwinding out of the connection's task closes the socket with
            // no answer. resume_unwind runs no panic hook, so nothing prints.
            std::panic::resume_unwind(Box::new("dev-tenant: connection dropped by a test fault"));
        }
    }
}

/// How far tests may move the clock: a hundred years either way.
pub const MAX_CLOCK_OFFSET: i64 = 100 * 366 * 86_400;

/// `/__controls/…`, mounted only with `--test-controls`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/__controls/faults", post(faults_add).delete(faults_clear))
        .route("/__controls/id-token-defect", post(defect_set))
        .route("/__controls/log", get(log_get).delete(log_clear))
        .route("/__controls/clock", post(clock_advance))
        .route("/__controls/last-code", get(last_code_get))
        .route("/__controls/suggestions", get(suggestions_get))
}

async fn faults_add(State(state): State<AppState>, Json(fault): Json<Fault>) -> StatusCode {
    if fault.times == 0 {
        return StatusCode::UNPROCESSABLE_ENTITY;
    }
    state.controls().add_fault(fault);
    StatusCode::NO_CONTENT
}

async fn faults_clear(State(state): State<AppState>) -> StatusCode {
    state.controls().clear_faults();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct DefectBody {
    defect: Defect,
}

async fn defect_set(State(state): State<AppState>, Json(body): Json<DefectBody>) -> StatusCode {
    state.controls().set_defect(body.defect);
    StatusCode::NO_CONTENT
}

async fn log_get(State(state): State<AppState>) -> Json<Vec<LogEntry>> {
    Json(state.controls().log())
}

async fn log_clear(State(state): State<AppState>) -> StatusCode {
    state.controls().clear_log();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct ClockBody {
    advance_seconds: i64,
}

async fn clock_advance(State(state): State<AppState>, Json(body): Json<ClockBody>) -> StatusCode {
    if body.advance_seconds.unsigned_abs() > MAX_CLOCK_OFFSET.unsigned_abs() {
        return StatusCode::UNPROCESSABLE_ENTITY;
    }
    state.controls().advance_clock(body.advance_seconds);
    StatusCode::NO_CONTENT
}

async fn last_code_get(State(state): State<AppState>) -> Json<Option<String>> {
    Json(state.controls().last_code())
}

/// Every user as the post-login Action sees it (`event.user`), with the
/// claim the tenant itself puts in its ID tokens (`null` for none): what
/// the Action's tests compare the Action's own claim with.
async fn suggestions_get(State(state): State<AppState>) -> Result<Json<Value>, StatusCode> {
    let failed = |e| {
        tracing::error!("{e}");
        StatusCode::INTERNAL_SERVER_ERROR
    };
    let store = state.store();
    let mut out = Vec::new();
    for id in store.user_ids().map_err(failed)? {
        let Some(user) = store.user(&id).map_err(failed)? else {
            continue;
        };
        let claim = crate::suggest::suggested(&store, &user).map_err(failed)?;
        out.push(serde_json::json!({
            "user": crate::suggest::event_user(&user),
            "claim": (!claim.is_empty()).then_some(claim),
        }));
    }
    Ok(Json(Value::Array(out)))
}
