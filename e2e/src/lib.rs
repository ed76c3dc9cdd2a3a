//! The end-to-end harness: a dev tenant, the release build of the app and a
//! headless Chromium, all on loopback, one set per test.
//!
//! Every wait polls a condition until a deadline; nothing sleeps blindly.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use fantoccini::{Client, ClientBuilder, Locator};
use tokio::net::TcpListener;
use tokio::process::{Child, Command};
use tower_http::services::ServeDir;

/// How long any one wait may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(15);

/// What the app's origin serves as `config.json`.
pub enum AppConfig {
    /// The right configuration for this test's tenant.
    Good,
    /// No file: 404.
    Missing,
    /// This text, whatever it is.
    Raw(String),
}

/// One test's world: tenant, app server and browser.
pub struct World {
    pub browser: Client,
    pub app_url: String,
    pub tenant_url: String,
    /// The tenant itself: its store, and its test controls.
    pub tenant: dev_tenant::AppState,
    _driver: Child,
    profile: PathBuf,
}

impl World {
    /// Starts everything with the right configuration.
    pub async fn start() -> World {
        World::start_with(AppConfig::Good).await
    }

    pub async fn start_with(config: AppConfig) -> World {
        let app_listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the app's port");
        let app_addr = app_listener.local_addr().expect("an address");
        let tenant_listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the tenant's port");
        let tenant_addr = tenant_listener.local_addr().expect("an address");
        let tenant_url = format!("http://{tenant_addr}");
        let app_url = format!("http://{app_addr}");

        let options = dev_tenant::Options {
            app_origins: vec![app_url.clone()],
            key: Some(dev_tenant::keys::SigningKey::for_tests()),
            ..dev_tenant::Options::default()
        };
        let tenant = dev_tenant::AppState::open(tenant_addr, options).expect("a tenant");
        tokio::spawn(dev_tenant::serve(
            tenant_listener,
            tenant.clone(),
            std::future::pending(),
        ));

        let config = match config {
            AppConfig::Good => Some(good_config(&tenant_url)),
            AppConfig::Missing => None,
            AppConfig::Raw(text) => Some(text),
        };
        tokio::spawn(serve_app(app_listener, config));

        let (driver, driver_addr) = start_chromedriver().await;
        let profile = std::env::temp_dir().join(format!(
            "link-accounts-e2e-{}-{}",
            std::process::id(),
            app_addr.port()
        ));
        let browser = connect_browser(driver_addr, &profile).await;
        World {
            browser,
            app_url,
            tenant_url,
            tenant,
            _driver: driver,
            profile,
        }
    }

    /// Opens the app's page.
    pub async fn open_app(&self) {
        self.browser
            .goto(&format!("{}/", self.app_url))
            .await
            .expect("open the app");
    }

    /// Waits for an element, then until its text contains `needle`; returns the text.
    pub async fn wait_for_text(&self, css: &str, needle: &str) -> String {
        let started = Instant::now();
        let mut last = String::new();
        while started.elapsed() < DEADLINE {
            if let Ok(element) = self.browser.find(Locator::Css(css)).await
                && let Ok(text) = element.text().await
            {
                if text.contains(needle) {
                    return text;
                }
                last = text;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("after {DEADLINE:?}, `{css}` did not contain {needle:?}; it read {last:?}");
    }

    /// Closes the browser session.
    pub async fn close(self) {
        let _ = self.browser.clone().close().await;
    }
}

impl Drop for World {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// The configuration that points the app at this test's tenant.
pub fn good_config(tenant_url: &str) -> String {
    serde_json::json!({
        "domain": tenant_url,
        "client_id": "link-accounts-dev",
        "audience": format!("{tenant_url}/api/v2/"),
        "redirect_path": "/",
        "connections": [
            { "name": "google-oauth2", "label": "Google" },
            { "name": "github", "label": "GitHub" },
            { "name": "Username-Password-Authentication", "label": "Email and password" },
            { "name": "sms", "label": "SMS" },
            { "name": "email", "label": "Email code" }
        ]
    })
    .to_string()
}

/// The built app: `LINK_ACCOUNTS_DIST`, which `cargo xtask test` sets.
fn dist() -> PathBuf {
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

async fn serve_app(listener: TcpListener, config: Option<String>) {
    let router = Router::new()
        .route(
            "/config.json",
            get(move || async move {
                match config {
                    Some(text) => {
                        ([(header::CONTENT_TYPE, "application/json")], text).into_response()
                    }
                    None => StatusCode::NOT_FOUND.into_response(),
                }
            }),
        )
        .fallback_service(ServeDir::new(dist()));
    axum::serve(listener, router).await.expect("serve the app");
}

async fn start_chromedriver() -> (Child, SocketAddr) {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        l.local_addr().expect("an address").port()
    };
    let binary = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    let child = Command::new(&binary)
        .arg(format!("--port={port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {binary}: {e}"));
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let started = Instant::now();
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        assert!(
            started.elapsed() < DEADLINE,
            "chromedriver did not listen on {addr}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    (child, addr)
}

async fn connect_browser(driver: SocketAddr, profile: &std::path::Path) -> Client {
    let args = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
        "--window-size=1024,900",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain(std::iter::once(format!(
        "--user-data-dir={}",
        profile.display()
    )))
    .collect::<Vec<_>>();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({ "binary": "/usr/bin/chromium", "args": args }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://{driver}"))
        .await
        .expect("a Chromium session")
}
