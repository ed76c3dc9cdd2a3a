//! The app's origin in the end-to-end tests: the release build, a
//! `config.json` the test chooses, Auth0's SPA SDK page, and the headers a
//! deployment sends with the page (what its `<meta>` cannot carry). Every
//! `Referer` it is sent is kept, and the page gets a watcher that records
//! Content-Security-Policy violations, and when the results the bench
//! times first appear in the DOM.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;
use tower_http::services::ServeDir;

/// The `Referer`s the app's server was sent, in order.
#[derive(Clone, Default)]
pub struct Referers(Arc<Mutex<Vec<String>>>);

impl Referers {
    pub fn all(&self) -> Vec<String> {
        self.0.lock().expect("referers lock").clone()
    }
}

/// The headers README tells a deployment to send, as `Trunk.toml` does.
pub const HEADERS: [(&str, &str); 3] = [
    ("content-security-policy", "frame-ancestors 'none'"),
    ("referrer-policy", "no-referrer"),
    ("x-content-type-options", "nosniff"),
];

/// Records violations from the start, before the app's own scripts run;
/// and, for `cargo xtask bench` (`e2e/src/bin/flows.rs`), the moment each
/// result it times is first in the DOM (`window.__seen`, by name), as a
/// `MutationObserver` sees it: exact, where polling through WebDriver
/// would add its own round-trips. The SDK page loads it too.
const WATCHER: &str = "window.__cspViolations = [];\
document.addEventListener('securitypolicyviolation', function (e) {\
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);\
});\
window.__seen = {};\
new MutationObserver(function () {\
  var t = performance.now(), out = document.getElementById('out');\
  var results = { list: document.querySelector(\"#identities li[data-main='true']\"),\
    confirm: document.getElementById('confirm-link-button'),\
    sdk: out && out.textContent.indexOf('api:') >= 0 };\
  for (var name in results) {\
    if (results[name] && !(name in window.__seen)) { window.__seen[name] = t; }\
  }\
}).observe(document, { childList: true, subtree: true, characterData: true });";

/// The built app: `LINK_ACCOUNTS_DIST`, which `cargo xtask test` sets.
pub fn dist() -> PathBuf {
    let dir = std::env::var_os("LINK_ACCOUNTS_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-dist"));
    assert!(
        dir.join("index.html").is_file(),
        "no built app in {}: run `cargo xtask test`, which builds it",
        dir.display()
    );
    dir
}

/// Milliseconds every answer of the app's server waits (0: none), as a
/// server farther than loopback would answer; shared with the test.
#[derive(Clone, Default)]
pub struct Latency(Arc<AtomicU64>);

impl Latency {
    pub fn set(&self, ms: u64) {
        self.0.store(ms, Ordering::Relaxed);
    }
}

async fn delayed(State(latency): State<Latency>, request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let ms = latency.0.load(Ordering::Relaxed);
    if ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
    response
}

/// The `config.json` the app's server serves (none: 404); a test may
/// change it while the page runs, as a deployment would.
#[derive(Clone, Default)]
pub struct ServedConfig(Arc<Mutex<Option<String>>>);

impl ServedConfig {
    pub fn new(text: Option<String>) -> Self {
        ServedConfig(Arc::new(Mutex::new(text)))
    }

    pub fn get(&self) -> Option<String> {
        self.0.lock().expect("config lock").clone()
    }

    pub fn set(&self, text: Option<String>) {
        *self.0.lock().expect("config lock") = text;
    }
}

pub async fn serve(
    listener: TcpListener,
    config: ServedConfig,
    referers: Referers,
    latency: Latency,
    sent: Sent,
) {
    let router = Router::new()
        .route(
            "/config.json",
            get(move || async move {
                match config.get() {
                    Some(text) => {
                        ([(header::CONTENT_TYPE, "application/json")], text).into_response()
                    }
                    None => StatusCode::NOT_FOUND.into_response(),
                }
            }),
        )
        .route("/", get(index))
        .route("/index.html", get(index))
        .route(
            "/__csp-watch.js",
            get(|| async { ([(header::CONTENT_TYPE, "text/javascript")], WATCHER) }),
        )
        .route("/sdk/", get(|| async { Html(SDK_PAGE) }))
        .route("/sdk/auth0-spa-js.js", get(spa_js))
        // A release build ships each file's gzip and brotli beside it
        // (xtask/src/post_build.rs); sent as a server that serves them does.
        .fallback_service(
            ServeDir::new(dist())
                .precompressed_br()
                .precompressed_gzip(),
        )
        .layer(axum::middleware::from_fn_with_state(
            (referers, sent),
            headers,
        ))
        .layer(axum::middleware::from_fn_with_state(latency, delayed));
    axum::serve(listener, router).await.expect("serve the app");
}

/// The built page, with the violation watcher right after its policy.
async fn index() -> Html<String> {
    let html = std::fs::read_to_string(dist().join("index.html")).expect("the built page");
    let policy_end = html
        .find("http-equiv=\"Content-Security-Policy\"")
        .and_then(|i| html[i..].find("/>").map(|j| i + j + 2))
        .expect("the built page carries its Content-Security-Policy");
    Html(format!(
        "{}<script src=\"/__csp-watch.js\"></script>{}",
        &html[..policy_end],
        &html[policy_end..]
    ))
}

/// The headers every answer of the app's server carries: a deployment's.
pub type Sent = Arc<Vec<(String, String)>>;

/// [`HEADERS`], as [`serve`] takes them.
pub fn default_headers() -> Sent {
    Arc::new(
        HEADERS
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
    )
}

async fn headers(
    State((referers, sent)): State<(Referers, Sent)>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(r) = request.headers().get(header::REFERER) {
        referers
            .0
            .lock()
            .expect("referers lock")
            .push(r.to_str().unwrap_or_default().to_owned());
    }
    let mut response = next.run(request).await;
    for (name, value) in sent.iter() {
        if let (Ok(name), Ok(value)) = (
            header::HeaderName::try_from(name.as_str()),
            HeaderValue::try_from(value.as_str()),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// A page that signs in with Auth0's own SPA SDK, then calls the
/// Management API with the token it got; it writes what happened in `#out`.
const SDK_PAGE: &str = include_str!("../sdk/index.html");

/// Auth0's SPA SDK bundle, from `AUTH0_SPA_JS` (set by `cargo xtask test`).
async fn spa_js() -> Response {
    let path = std::env::var_os("AUTH0_SPA_JS").map(PathBuf::from);
    match path.and_then(|p| std::fs::read(p).ok()) {
        Some(js) => ([(header::CONTENT_TYPE, "text/javascript")], js).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
