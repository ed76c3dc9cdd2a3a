//! dev-tenant: a local tenant that answers as Auth0 does, for developing
//! and testing link-accounts with no network.
//!
//! [`app`] builds the whole router from an [`AppState`], so tests call it
//! in-process; [`serve`] runs it on a listener until told to stop.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::http::{HeaderName, Method};
use tokio::net::TcpListener;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::TraceLayer;

pub mod controls;
pub mod keys;
pub mod limits;
pub mod management;
pub mod oidc;
mod pages;
pub mod seed;
pub mod store;
pub mod suggest;

use controls::Controls;
use keys::{KeySet, SigningKey, TOKEN_LIFETIME};
use store::{Store, StoreError};

/// Why the tenant could not open.
#[derive(Debug)]
pub enum OpenError {
    Store(StoreError),
    /// The seed file is not valid.
    Seed(String),
}

impl From<StoreError> for OpenError {
    fn from(e: StoreError) -> Self {
        OpenError::Store(e)
    }
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::Store(e) => e.fmt(f),
            OpenError::Seed(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for OpenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            OpenError::Store(e) => Some(e),
            OpenError::Seed(_) => None,
        }
    }
}

/// How the tenant starts.
#[derive(Default)]
pub struct Options {
    /// The SQLite file; `None` keeps everything in memory.
    pub db: Option<PathBuf>,
    /// Seed text (TOML); `None` uses the cast that ships in `seed.toml`.
    pub seed: Option<String>,
    /// Replace every client's callback, logout and web-origin URLs with these
    /// app origins (`http://127.0.0.1:8080`).
    pub app_origins: Vec<String>,
    /// Mount `/__controls/` over HTTP.
    pub test_controls: bool,
    /// Forget every client, user, code and token, and seed again.
    pub reset: bool,
    /// Sign with this key instead of the stored (or a new) one.
    pub key: Option<SigningKey>,
    /// Limits on `current_user` Management API calls, per user.
    pub rate_limit: limits::RateLimit,
    /// Scopes the clients may not have, as a tenant that does not grant
    /// them (`update:current_user_metadata`, say) refuses them: a request
    /// for one is answered without it.
    pub refused_scopes: Vec<String>,
    /// Suggested linking (`suggest.rs`): the claim in ID tokens, and the
    /// post-login Action's machine-to-machine application.
    pub suggest_linking: bool,
}

/// Everything a handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    issuer: String,
    store: Mutex<Store>,
    /// The signing keys: set once, at start, or by the thread that makes the
    /// first key of a new store while the tenant already listens.
    keys: std::sync::OnceLock<KeySet>,
    controls: Controls,
    test_controls: bool,
    logins: Mutex<HashMap<String, oidc::LoginTx>>,
    sessions: Mutex<HashMap<String, oidc::TenantSession>>,
    limiter: limits::Limiter,
    refused_scopes: Vec<String>,
    suggest_linking: bool,
}

impl AppState {
    /// A tenant in memory, seeded with the shipped cast, as tests want it.
    pub fn new(addr: std::net::SocketAddr) -> Self {
        AppState::open(
            addr,
            Options {
                key: Some(SigningKey::for_tests()),
                ..Options::default()
            },
        )
        .expect("an in-memory tenant opens")
    }

    /// Opens the store, seeds it on first start, loads or makes the keys.
    pub fn open(addr: std::net::SocketAddr, options: Options) -> Result<Self, OpenError> {
        let mut store = Store::open(options.db.as_deref())?;
        let now = unix_now();
        if options.reset {
            store.reset()?;
        }
        if store.is_empty()? {
            let text = options.seed.as_deref().unwrap_or(seed::DEFAULT_SEED);
            let seed = seed::parse(text).map_err(OpenError::Seed)?;
            store.seed(&seed, &rfc3339(now))?;
        }
        // A store made before connections were stored has the usual ones.
        if store.connections()?.is_empty() {
            store.set_connections(&seed::default_connections())?;
        }
        if !options.app_origins.is_empty() {
            store.set_app_origins(&options.app_origins)?;
        }
        let (published, make_one) = match options.key {
            Some(key) => (vec![key], false),
            None => load_keys(&store, now)?,
        };
        let state = AppState {
            inner: Arc::new(Inner {
                issuer: format!("http://{addr}/"),
                store: Mutex::new(store),
                keys: std::sync::OnceLock::new(),
                controls: Controls::default(),
                test_controls: options.test_controls,
                logins: Mutex::default(),
                sessions: Mutex::default(),
                limiter: limits::Limiter::new(options.rate_limit),
                refused_scopes: options.refused_scopes,
                suggest_linking: options.suggest_linking,
            }),
        };
        if make_one {
            // A new key takes a while to make: the tenant listens meanwhile,
            // and what needs a key waits for it.
            let making = state.clone();
            std::thread::spawn(move || {
                let key = SigningKey::generate();
                if let Err(e) = making.store().add_key(&key.kid, &key.to_pem(), now) {
                    tracing::error!("the new signing key was not stored: {e}");
                }
                let mut published = published;
                published.push(key);
                let _ = making.inner.keys.set(KeySet { published });
            });
        } else {
            let _ = state.inner.keys.set(KeySet { published });
        }
        Ok(state)
    }

    /// The issuer, with its trailing slash.
    pub fn issuer(&self) -> &str {
        &self.inner.issuer
    }

    /// A URL on this tenant: `path` starts without a slash.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.inner.issuer)
    }

    /// The Management API's audience: `http://<addr>/api/v2/`.
    pub fn management_audience(&self) -> String {
        self.url("api/v2/")
    }

    pub fn controls(&self) -> &Controls {
        &self.inner.controls
    }

    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.inner.store.lock().expect("store lock")
    }

    pub fn keys(&self) -> KeySet {
        self.inner.keys.wait().clone()
    }

    /// How many logins `/authorize` began that wait for the person.
    pub fn pending_logins(&self) -> usize {
        self.logins().len()
    }

    pub(crate) fn logins(&self) -> MutexGuard<'_, HashMap<String, oidc::LoginTx>> {
        self.inner.logins.lock().expect("logins lock")
    }

    pub(crate) fn sessions(&self) -> MutexGuard<'_, HashMap<String, oidc::TenantSession>> {
        self.inner.sessions.lock().expect("sessions lock")
    }

    /// How many tenant sessions (sign-ins the tenant remembers) are kept.
    pub fn tenant_sessions(&self) -> usize {
        self.sessions().len()
    }

    /// The tenant's clock, in UNIX seconds (tests may move it).
    pub fn now(&self) -> i64 {
        unix_now().saturating_add(self.inner.controls.clock_offset())
    }

    /// Takes one request from `user`'s rate-limit bucket.
    /// Whether the clients may be granted `scope`.
    pub fn grants(&self, scope: &str) -> bool {
        !self.inner.refused_scopes.iter().any(|s| s == scope)
    }

    /// Whether suggested linking is on (`suggest.rs`).
    pub fn suggests(&self) -> bool {
        self.inner.suggest_linking
    }

    pub fn rate_limit(&self, user: &str) -> limits::Verdict {
        let now_ms =
            unix_now_ms().saturating_add(self.inner.controls.clock_offset().saturating_mul(1000));
        self.inner.limiter.take(user, now_ms)
    }

    /// The tenant's clock as Auth0 writes dates.
    pub fn now_text(&self) -> String {
        rfc3339(self.now())
    }

    /// The web origins of every client.
    pub fn web_origins(&self) -> Vec<String> {
        self.store().web_origins().unwrap_or_default()
    }
}

/// The stored keys still published, and whether a new key must be made
/// (a new store, or one whose last key was retired).
fn load_keys(store: &Store, now: i64) -> Result<(Vec<SigningKey>, bool), StoreError> {
    let stored = store.keys()?;
    let published: Vec<SigningKey> = stored
        .iter()
        .filter(|k| k.retired_at.is_none_or(|r| r + TOKEN_LIFETIME > now))
        .filter_map(|k| SigningKey::from_pem(&k.pem))
        .collect();
    let signing = stored.last().is_some_and(|k| k.retired_at.is_none()) && !published.is_empty();
    Ok((published, !signing))
}

/// Adds a new signing key to the store at `db`; the old ones stay published
/// until their tokens have expired. Returns the new `kid`.
pub fn rotate_keys(db: &std::path::Path) -> Result<String, StoreError> {
    let mut store = Store::open(Some(db))?;
    let key = SigningKey::generate();
    store.add_key(&key.kid, &key.to_pem(), unix_now())?;
    Ok(key.kid)
}

fn unix_now() -> i64 {
    unix_now_ms() / 1000
}

fn unix_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// `2026-11-22T02:19:43.000Z` from UNIX seconds.
pub fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.000Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn cors(state: &AppState) -> CorsLayer {
    let state = state.clone();
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin, _| {
            origin
                .to_str()
                .is_ok_and(|o| state.web_origins().iter().any(|w| w == o))
        }))
        .allow_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
        .allow_headers([
            HeaderName::from_static("authorization"),
            HeaderName::from_static("content-type"),
            HeaderName::from_static("auth0-client"),
        ])
        .expose_headers([
            HeaderName::from_static("x-ratelimit-limit"),
            HeaderName::from_static("x-ratelimit-remaining"),
            HeaderName::from_static("x-ratelimit-reset"),
        ])
        .max_age(std::time::Duration::from_secs(600))
}

/// The tenant's routes, in two groups: what browsers reach by navigation,
/// and what a page calls with `fetch` across origins (Auth0 allows these
/// from a client's Allowed Web Origins), which alone has CORS. Test faults
/// act inside each group, so a faked answer carries the group's CORS
/// headers as a real one would; the request log sees every request.
pub fn app(state: AppState) -> Router {
    let faults = || axum::middleware::from_fn_with_state(state.clone(), controls::faults);
    let management = management::router().route_layer(axum::middleware::from_fn_with_state(
        state.clone(),
        management::rate_limited,
    ));
    let cross_origin = Router::new()
        .merge(oidc::api_router())
        .merge(management)
        .layer(faults())
        .layer(cors(&state));
    let navigation = oidc::router().layer(faults());
    let mut router = Router::new().merge(navigation).merge(cross_origin);
    if state.inner.test_controls {
        router = router.merge(controls::router());
    }
    router
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            controls::record,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves the tenant on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_are_written_as_auth0_writes_them() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(super::rfc3339(1_795_314_383), "2026-11-22T02:26:23.000Z");
        assert_eq!(super::rfc3339(951_782_400), "2000-02-29T00:00:00.000Z");
    }
}
