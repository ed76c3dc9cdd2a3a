//! The end-to-end harness: a dev tenant, the release build of the app and a
//! browser (Chromium, Firefox or WebKit), all on loopback: new servers per
//! test; the browser kept for the next test of the process when the test
//! closes its world (its servers are new origins, its cookies are deleted).
//!
//! Every wait polls a condition until a deadline; nothing sleeps blindly.

pub mod app_server;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use tokio::net::TcpListener;
use tokio::process::{Child, Command};

/// How long any one wait may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(15);

/// Polls `probe` until it answers `Ok`, or fails the test after
/// [`DEADLINE`] with `what` and the last thing the probe saw (its `Err`).
pub async fn poll_until<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, String>>,
{
    let started = Instant::now();
    loop {
        let last = match probe().await {
            Ok(value) => return value,
            Err(seen) => seen,
        };
        assert!(
            started.elapsed() < DEADLINE,
            "after {DEADLINE:?}, {what}; last seen: {last}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// What the app's origin serves as `config.json`.
pub enum AppConfig {
    /// The right configuration for this test's tenant.
    Good,
    /// No file: 404.
    Missing,
    /// This text, whatever it is.
    Raw(String),
    /// The right configuration, changed by this function.
    Tweaked(fn(&mut serde_json::Value)),
}

/// One test's world: tenant, app server and browser.
pub struct World {
    pub browser: Client,
    pub app_url: String,
    pub tenant_url: String,
    /// The tenant itself: its store, and its test controls.
    pub tenant: dev_tenant::AppState,
    /// Every `Referer` the app's server was sent.
    pub referers: app_server::Referers,
    /// How long the app's server waits before each answer.
    latency: app_server::Latency,
    /// The `config.json` the app's server serves (`get`, `set`).
    pub config: app_server::ServedConfig,
    /// The browser's driver and profile, until the browser is kept for the
    /// next test (`close`).
    driven: Option<Kept>,
}

/// How a world is set up: the app's configuration, the reader's browser,
/// and the tenant's and the app server's options.
struct Setup<'a> {
    config: AppConfig,
    reader: Reader<'a>,
    /// Scopes the tenant does not grant.
    refused: Vec<String>,
    /// The app server sends `cargo xtask headers`' headers.
    deployed: bool,
    /// Suggested linking on, as `cargo xtask dev` runs the tenant.
    suggest: bool,
}

impl Default for Setup<'_> {
    fn default() -> Self {
        Setup {
            config: AppConfig::Good,
            reader: Reader::default(),
            refused: Vec::new(),
            deployed: false,
            suggest: true,
        }
    }
}

/// The person's browser: the languages it asks for, and its colour scheme.
#[derive(Clone, Copy)]
pub struct Reader<'a> {
    /// `Accept-Language` and `navigator.languages`, such as `"de-AT,de"`.
    pub languages: &'a str,
    /// `prefers-color-scheme: dark`.
    pub dark: bool,
    /// Animations as they are; otherwise `prefers-reduced-motion: reduce`,
    /// so that the fading success message stays readable to WebDriver
    /// however slowly a test runs.
    pub motion: bool,
}

impl Default for Reader<'_> {
    fn default() -> Self {
        Reader {
            languages: "en-US,en",
            dark: false,
            motion: false,
        }
    }
}

impl Reader<'_> {
    /// Which browsers it can use: only one started for the same reader.
    fn key(&self) -> String {
        format!("{}|{}|{}", self.languages, self.dark, self.motion)
    }
}

impl World {
    /// Starts everything with the right configuration.
    pub async fn start() -> World {
        World::start_with(AppConfig::Good).await
    }

    pub async fn start_with(config: AppConfig) -> World {
        World::start_full(config, Reader::default()).await
    }

    /// Starts everything for a reader whose browser asks for `languages`
    /// (`Accept-Language` and `navigator.languages`, such as `"fr-FR,de-AT"`).
    pub async fn start_reading(languages: &str) -> World {
        World::start_as(Reader {
            languages,
            ..Reader::default()
        })
        .await
    }

    /// Starts everything for `reader`'s browser.
    pub async fn start_as(reader: Reader<'_>) -> World {
        World::start_full(AppConfig::Good, reader).await
    }

    /// A world whose tenant does not grant the page these scopes.
    pub async fn start_refusing(scopes: &[&str]) -> World {
        World::start_tenant(Setup {
            refused: scopes.iter().map(|s| s.to_string()).collect(),
            ..Setup::default()
        })
        .await
    }

    /// A world whose app server sends exactly the headers that
    /// `cargo xtask headers` prints for this build and this tenant.
    pub async fn start_deployed() -> World {
        World::start_tenant(Setup {
            deployed: true,
            ..Setup::default()
        })
        .await
    }

    /// A world whose tenant runs no suggested linking (a tenant without
    /// the post-login Action): its ID tokens carry no suggestions.
    pub async fn start_without_suggestions() -> World {
        World::start_tenant(Setup {
            suggest: false,
            ..Setup::default()
        })
        .await
    }

    async fn start_full(config: AppConfig, reader: Reader<'_>) -> World {
        World::start_tenant(Setup {
            config,
            reader,
            ..Setup::default()
        })
        .await
    }

    async fn start_tenant(setup: Setup<'_>) -> World {
        let Setup {
            config,
            reader,
            refused,
            deployed,
            suggest,
        } = setup;
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
            refused_scopes: refused,
            suggest_linking: suggest,
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
            AppConfig::Tweaked(change) => {
                let mut config: serde_json::Value =
                    serde_json::from_str(&good_config(&tenant_url)).expect("JSON");
                change(&mut config);
                Some(config.to_string())
            }
        };
        let referers = app_server::Referers::default();
        let latency = app_server::Latency::default();
        let config = app_server::ServedConfig::new(config);
        let sent = match deployed {
            true => deployment_headers(&tenant_url),
            false => app_server::default_headers(),
        };
        tokio::spawn(app_server::serve(
            app_listener,
            config.clone(),
            referers.clone(),
            latency.clone(),
            sent,
        ));

        let (browser, driven) = browser_for(reader, app_addr.port()).await;
        World {
            browser,
            app_url,
            tenant_url,
            tenant,
            referers,
            latency,
            config,
            driven: Some(driven),
        }
    }

    /// The next `method` request under `path` answers 503, as a tenant
    /// that is down answers.
    pub fn tenant_down_once(&self, method: &str, path: &str) {
        self.tenant.controls().add_fault(dev_tenant::controls::Fault {
            method: Some(method.into()),
            path: path.into(),
            times: 1,
            action: dev_tenant::controls::FaultAction::Status {
                status: 503,
                body: serde_json::json!({"statusCode": 503, "error": "Service Unavailable", "message": "down"}),
                headers: Default::default(),
            },
        });
    }

    /// Runs axe-core (`AXE_CORE`, installed by `cargo xtask test`) on the
    /// page as it is now, and fails the test naming each rule broken, where
    /// and why; `state` says which state of the page it was.
    pub async fn assert_accessible(&self, state: &str) {
        let violations = self.accessibility_violations().await;
        assert!(
            violations.is_empty(),
            "axe-core, {state}: {} violation(s):\n{}",
            violations.len(),
            violations.join("\n")
        );
    }

    /// What axe-core finds wrong with the page as it is now, one line per
    /// rule broken: `rule (impact): help: where [why]`.
    pub async fn accessibility_violations(&self) -> Vec<String> {
        let path = std::env::var("AXE_CORE")
            .expect("AXE_CORE names axe-core's axe.min.js (cargo xtask test sets it)");
        let axe = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        self.browser
            .execute(&format!("{axe}\nwindow.axe = axe;"), vec![])
            .await
            .expect("axe-core loads");
        let found = self
            .browser
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 window.axe
                   .run(document, { resultTypes: ['violations'] })
                   .then(r => done(r.violations.map(v =>
                     `${v.id} (${v.impact}): ${v.help}: ` +
                     v.nodes.map(n => n.target.join(' ') +
                       (n.failureSummary ? ` [${n.failureSummary.replace(/\\s+/g, ' ')}]` : '')).join('; '))))
                   .catch(e => done([`axe-core failed: ${e}`]));",
                vec![],
            )
            .await
            .expect("axe-core runs");
        serde_json::from_value(found).expect("a list")
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
        let what = format!("`{css}` did not contain {needle:?}");
        poll_until(&what, || async move {
            let element = self
                .browser
                .find(Locator::Css(css))
                .await
                .map_err(|_| "no such element".to_owned())?;
            let text = element.text().await.map_err(|e| e.to_string())?;
            if text.contains(needle) {
                Ok(text)
            } else {
                Err(format!("{text:?}"))
            }
        })
        .await
    }

    /// Clicks the element `css` once it is there and enabled.
    pub async fn click(&self, css: &str) {
        self.click_at(Locator::Css(css)).await;
    }

    /// Clicks the button whose text contains `text`.
    pub async fn click_button(&self, text: &str) {
        self.click_xpath(&format!(
            "//button[contains(normalize-space(.), {})]",
            xpath_literal(text)
        ))
        .await;
    }

    /// Clicks the link whose text contains `text`.
    pub async fn click_link(&self, text: &str) {
        self.click_xpath(&format!(
            "//a[contains(normalize-space(.), {})]",
            xpath_literal(text)
        ))
        .await;
    }

    async fn click_xpath(&self, xpath: &str) {
        self.click_at(Locator::XPath(xpath)).await;
    }

    /// Clicks what `locator` finds once it is there and enabled.
    async fn click_at(&self, locator: Locator<'_>) {
        let what = format!("could not click {locator:?}");
        poll_until(&what, || async move {
            let element = self
                .browser
                .find(locator)
                .await
                .map_err(|_| "not there".to_owned())?;
            if !element.is_enabled().await.unwrap_or(false) {
                return Err("disabled".into());
            }
            element.click().await.map_err(|e| e.to_string())
        })
        .await;
    }

    /// Types into the field `css`. Any failure is tried again until the
    /// deadline: a page that is still leaving answers WebKit's driver with
    /// an error ("not called before the unload event"), not "no such element".
    pub async fn fill(&self, css: &str, text: &str) {
        let what = format!("could not type into `{css}`");
        poll_until(&what, || async move {
            let element = self
                .browser
                .find(Locator::Css(css))
                .await
                .map_err(|e| e.to_string())?;
            element.clear().await.map_err(|e| e.to_string())?;
            element.send_keys(text).await.map_err(|e| e.to_string())
        })
        .await;
    }

    /// Waits until the page's address starts with `prefix`.
    pub async fn wait_for_url(&self, prefix: &str) {
        let what = format!("the page is not at {prefix}…");
        poll_until(&what, || async move {
            let url = self
                .browser
                .current_url()
                .await
                .map(|u| u.to_string())
                .unwrap_or_default();
            if url.starts_with(prefix) {
                Ok(())
            } else {
                Err(url)
            }
        })
        .await;
    }

    /// Waits until `css` is on the page (any failure to look is tried
    /// again, as in `fill`).
    pub async fn wait_for(&self, css: &str) {
        let what = format!("`{css}` never appeared");
        poll_until(&what, || async move {
            self.browser
                .find(Locator::Css(css))
                .await
                .map(drop)
                .map_err(|e| e.to_string())
        })
        .await;
    }

    /// Waits until keyboard focus is on the element `id`.
    pub async fn wait_for_focus(&self, id: &str) {
        let what = format!("focus is not on {id:?}");
        poll_until(&what, || async move {
            let active = self
                .browser
                .execute(
                    "return document.activeElement ? document.activeElement.id : '';",
                    vec![],
                )
                .await
                .map(|v| v.as_str().unwrap_or_default().to_owned())
                .unwrap_or_default();
            if active == id {
                Ok(())
            } else {
                Err(format!("focus on {active:?}"))
            }
        })
        .await;
    }

    /// Waits until the tenant has answered every request that reached it.
    pub async fn wait_for_tenant_idle(&self) {
        poll_until("the tenant is still busy", || async move {
            match self.tenant.controls().in_flight() {
                0 => Ok(()),
                n => Err(format!("{n} requests in flight")),
            }
        })
        .await;
    }

    /// True if `css` is on the page now.
    pub async fn has(&self, css: &str) -> bool {
        self.browser.find(Locator::Css(css)).await.is_ok()
    }

    /// Signs in on the tenant's own pages, whichever page the app sent us to.
    pub async fn tenant_login(&self, login: &Login) {
        self.wait_for_url(&self.tenant_url).await;
        if self.has("a[href*='connection=']").await {
            self.click_link(&format!("Sign in with {}", login.connection()))
                .await;
        }
        match login {
            Login::Social { email, .. } => self.click_button(&format!("Continue as {email}")).await,
            Login::Password { email, password } => {
                self.fill("#email", email).await;
                self.fill("#password", password).await;
                self.click_button("Continue").await;
            }
            Login::Code { who, .. } => {
                self.fill("#who", who).await;
                self.click_button("Send a code").await;
                self.wait_for("#code").await;
                let code = self
                    .tenant
                    .controls()
                    .last_code()
                    .expect("the tenant sent a code");
                self.fill("#code", &code).await;
                self.click_button("Continue").await;
            }
        }
    }

    /// "Link <label> account" asks to sign in again first, and goes nowhere.
    pub async fn link_asks_to_sign_in_again(&self, label: &str) {
        self.click_button(&format!("Link {label} account")).await;
        self.wait_for_text("#problem", "first sign in again to show it is you")
            .await;
        assert!(
            !self
                .tenant_log()
                .iter()
                .any(|l| l.starts_with("GET /authorize")),
            "the page asks before it goes anywhere"
        );
    }

    /// From a problem that asks to sign in again: "Sign in again", signed
    /// in on the tenant's pages as `login`, and back on the page.
    pub async fn sign_in_again(&self, login: &Login) {
        self.click("#reauthenticate").await;
        self.tenant_login(login).await;
        self.wait_for_url(&self.app_url).await;
    }

    /// Opens the app and signs in; waits for the account to show.
    pub async fn sign_in(&self, login: &Login) {
        self.open_app().await;
        self.click("#sign-in").await;
        self.tenant_login(login).await;
        self.wait_for_url(&self.app_url).await;
        self.wait_for("#profile-name").await;
    }

    /// From the signed-in page: "Link <label> account", then signed in on
    /// the tenant's pages as `login`, and back on the page.
    pub async fn link_round_trip(&self, label: &str, login: &Login) {
        self.click_button(&format!("Link {label} account")).await;
        self.tenant_login(login).await;
        self.wait_for_url(&self.app_url).await;
    }

    /// What the tenant answered, as `METHOD path status` lines.
    pub fn tenant_log(&self) -> Vec<String> {
        self.tenant
            .controls()
            .log()
            .into_iter()
            .map(|e| format!("{} {} {}", e.method, e.path, e.status))
            .collect()
    }

    /// The logged calls that would change an account: link, unlink or
    /// update (`POST`, `DELETE`, `PATCH` on the Management API).
    pub fn changes(&self) -> Vec<String> {
        self.tenant_log()
            .into_iter()
            .filter(|l| {
                ["POST /api/", "PATCH /api/", "DELETE /api/"]
                    .iter()
                    .any(|p| l.starts_with(p))
            })
            .collect()
    }

    /// How many logged requests start with `prefix` (`"POST /oauth/token"`).
    pub fn requests(&self, prefix: &str) -> usize {
        self.tenant_log()
            .iter()
            .filter(|l| l.starts_with(prefix))
            .count()
    }

    /// The app's `localStorage` value at `key`.
    pub async fn local_storage(&self, key: &str) -> Option<String> {
        self.storage_item("localStorage", key).await
    }

    /// This tab's `sessionStorage` value at `key`.
    pub async fn session_storage(&self, key: &str) -> Option<String> {
        self.storage_item("sessionStorage", key).await
    }

    async fn storage_item(&self, store: &str, key: &str) -> Option<String> {
        let v = self
            .browser
            .execute(
                &format!("return window.{store}.getItem(arguments[0]);"),
                vec![key.into()],
            )
            .await
            .unwrap_or_else(|e| panic!("read {store}: {e}"));
        v.as_str().map(str::to_owned)
    }

    /// Sets the app's `localStorage` value at `key` (the page must be the app).
    pub async fn set_local_storage(&self, key: &str, value: &str) {
        self.browser
            .execute(
                "window.localStorage.setItem(arguments[0], arguments[1]);",
                vec![key.into(), value.into()],
            )
            .await
            .expect("write localStorage");
    }

    /// Reloads the page.
    pub async fn reload(&self) {
        self.browser.refresh().await.expect("reload");
    }

    /// The Content-Security-Policy violations the page reported so far.
    pub async fn csp_violations(&self) -> Vec<String> {
        let v = self
            .browser
            .execute("return window.__cspViolations || null;", vec![])
            .await
            .expect("read the violations");
        match v {
            serde_json::Value::Array(list) => list
                .into_iter()
                .map(|v| v.as_str().unwrap_or_default().to_owned())
                .collect(),
            other => panic!("the page has no violation watcher: {other}"),
        }
    }

    /// The layout shifts since the page loaded that no input caused
    /// (what CLS sums), each as its score and the elements that moved.
    pub async fn layout_shifts(&self) -> Vec<String> {
        let v = self
            .browser
            .execute(
                "const o = new PerformanceObserver(() => {}); \
                 o.observe({ type: 'layout-shift', buffered: true }); \
                 const shifts = o.takeRecords().filter(e => !e.hadRecentInput); o.disconnect(); \
                 return shifts.map(e => e.value.toFixed(4) + ' ' + e.sources.map(s => \
                   s.node ? (s.node.id || s.node.className || s.node.nodeName) : '?').join(','));",
                vec![],
            )
            .await
            .expect("read the layout shifts");
        v.as_array()
            .expect("a list")
            .iter()
            .map(|s| s.as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// The DevTools port of this test's Chromium (chromedriver starts it
    /// with `--remote-debugging-port=0`), for tools such as Lighthouse.
    pub fn devtools_port(&self) -> u16 {
        let profile = &self.driven.as_ref().expect("the test's browser").profile;
        let file = std::fs::read_to_string(profile.join("DevToolsActivePort"))
            .expect("Chromium's DevToolsActivePort");
        file.lines()
            .next()
            .and_then(|l| l.parse().ok())
            .expect("a port")
    }

    /// Delays every answer of the app's server and of the tenant by `ms`,
    /// CORS preflights included, as servers farther away than loopback
    /// would answer. (Chromium's network emulation does not delay
    /// preflights, so the servers wait instead.)
    pub fn delay_network(&self, ms: u64) {
        self.latency.set(ms);
        self.tenant.controls().set_latency(ms);
    }

    /// Ends the test's use of the browser. A browser that comes back to a
    /// blank page (one window, no cookies, the usual size) is kept for the
    /// next test of this process; any other is closed.
    pub async fn close(mut self) {
        match self.blank().await {
            Some(session) => {
                let driven = self.driven.take().expect("the driver, until kept");
                keep(Kept { session, ..driven });
            }
            None => {
                let _ = self.browser.clone().close().await;
            }
        }
    }

    /// The browser as a new test finds one: its other windows closed, the
    /// cookies of every loopback port deleted (storage is per origin, and
    /// each test's servers are new origins), the usual size, a blank page;
    /// then made to outlive this client. Its session's id, if all went well.
    async fn blank(&self) -> Option<String> {
        let b = &self.browser;
        let windows = b.windows().await.ok()?;
        let (first, others) = windows.split_first()?;
        for w in others {
            b.switch_to_window(w.clone()).await.ok()?;
            b.close_window().await.ok()?;
        }
        b.switch_to_window(first.clone()).await.ok()?;
        b.goto(&self.tenant_url).await.ok()?;
        b.delete_all_cookies().await.ok()?;
        b.goto("about:blank").await.ok()?;
        b.set_window_size(1024, 900).await.ok()?;
        b.persist().await.ok()?;
        b.session_id().await.ok()?
    }
}

impl Drop for World {
    /// A test that fails skips `close()`: its browser and driver are
    /// stopped, and its profile removed. A kept browser is left alone.
    fn drop(&mut self) {
        if let Some(driven) = self.driven.take() {
            end(driven.driver, &driven.profile);
        }
    }
}

/// A browser's driver, the driver's address, the WebDriver session (once
/// the browser is kept), the profile, and the reader it was started for.
/// Kept for the next test of this process when its test closes its world:
/// starting a browser is much of a short test's time.
struct Kept {
    driver: Child,
    addr: SocketAddr,
    session: String,
    profile: PathBuf,
    reader: String,
}

static KEPT: std::sync::Mutex<Vec<Kept>> = std::sync::Mutex::new(Vec::new());

/// Keeps a browser; the first time, arranges that whatever is kept is
/// stopped when the test process exits.
fn keep(kept: Kept) {
    static AT_EXIT: std::sync::Once = std::sync::Once::new();
    AT_EXIT.call_once(|| {
        // SAFETY: registers a plain `extern "C"` function with no arguments.
        unsafe { libc::atexit(end_kept) };
    });
    KEPT.lock().unwrap_or_else(|e| e.into_inner()).push(kept);
}

/// At the test process's exit: every kept browser and driver stopped.
extern "C" fn end_kept() {
    if let Ok(mut kept) = KEPT.try_lock() {
        for k in kept.drain(..) {
            end(k.driver, &k.profile);
        }
    }
}

/// Stops a driver and everything it started (its process group, see
/// `driver_command`), Chromium by its profile too (it may leave the group),
/// and removes the profile.
fn end(driver: Child, profile: &std::path::Path) {
    if let Some(pid) = driver.id().and_then(|p| i32::try_from(p).ok()) {
        // SAFETY: signals a process group this process made; no memory involved.
        unsafe { libc::killpg(pid, libc::SIGKILL) };
    }
    // `--` ends pkill's options: the pattern itself starts with dashes.
    let _ = std::process::Command::new("pkill")
        .args(["-f", "--"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    let _ = std::fs::remove_dir_all(profile);
    drop(driver);
}

/// A browser for `reader`: a kept one whose session still answers, or a
/// new one (with its driver, and a profile named for the test's app port).
async fn browser_for(reader: Reader<'_>, app_port: u16) -> (Client, Kept) {
    let key = reader.key();
    loop {
        let found = {
            let mut kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
            let i = kept.iter().position(|k| k.reader == key);
            i.map(|i| kept.swap_remove(i))
        };
        let Some(k) = found else { break };
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let url = format!("http://{}", k.addr);
        match Client::with_existing_session(&url, &k.session, connector).await {
            Ok(client) if client.windows().await.is_ok() => return (client, k),
            _ => end(k.driver, &k.profile),
        }
    }
    let profile = std::env::temp_dir().join(format!(
        "link-accounts-e2e-{}-{app_port}",
        std::process::id()
    ));
    let (driver, addr) = match Engine::chosen() {
        Engine::Chromium => start_chromedriver().await,
        Engine::Firefox => start_geckodriver().await,
        Engine::WebKit => start_webkitdriver(&profile, reader).await,
    };
    let client = connect_browser(addr, &profile, reader).await;
    let kept = Kept {
        driver,
        addr,
        session: String::new(),
        profile,
        reader: key,
    };
    (client, kept)
}

/// Reads and drops whatever a driver writes from now on, on a thread of its
/// own, so that it never blocks on a full pipe, nor meets a closed one when
/// the test that started it ends and its driver is kept.
fn drain(out: tokio::process::ChildStdout) {
    use std::os::fd::AsRawFd;
    let Ok(fd) = out.into_owned_fd() else {
        return;
    };
    // SAFETY: reads and sets the flags of a descriptor this process owns.
    unsafe {
        let flags = libc::fcntl(fd.as_raw_fd(), libc::F_GETFL);
        libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, flags & !libc::O_NONBLOCK);
    }
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut std::fs::File::from(fd), &mut std::io::sink());
    });
}

/// A driver's command, in a process group of its own, so that stopping
/// the group stops the browser it starts too.
fn driver_command(program: &str) -> Command {
    let mut command = Command::new(program);
    command.process_group(0).kill_on_drop(true);
    command
}

/// How to sign in on the tenant's pages.
pub enum Login {
    /// "Continue as <email>" on a social connection's page.
    Social {
        connection: &'static str,
        email: &'static str,
    },
    /// The database connection's form.
    Password {
        email: &'static str,
        password: &'static str,
    },
    /// Passwordless: `sms` or `email`, then the code the tenant sent.
    Code {
        connection: &'static str,
        who: &'static str,
    },
}

impl Login {
    fn connection(&self) -> &'static str {
        match self {
            Login::Social { connection, .. } | Login::Code { connection, .. } => connection,
            Login::Password { .. } => "Username-Password-Authentication",
        }
    }
}

pub const ADA: Login = Login::Social {
    connection: "google-oauth2",
    email: "ada@example.com",
};
pub const ADA_ID: &str = "google-oauth2|104857600000000000001";
pub const GRACE: Login = Login::Password {
    email: "grace@example.com",
    password: "correct horse battery staple",
};

fn xpath_literal(s: &str) -> String {
    if s.contains('\'') {
        format!("\"{s}\"")
    } else {
        format!("'{s}'")
    }
}

/// What `cargo xtask headers` prints for the build under test and this
/// tenant, as header pairs. `XTASK` is the xtask binary (`cargo xtask
/// test` sets it).
fn deployment_headers(tenant_url: &str) -> app_server::Sent {
    let xtask = std::env::var_os("XTASK").expect("XTASK: run the suite with `cargo xtask test`");
    let out = std::process::Command::new(xtask)
        .args(["headers", "--tenant", tenant_url, "--dist"])
        .arg(app_server::dist())
        .output()
        .expect("run xtask headers");
    assert!(
        out.status.success(),
        "xtask headers: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8 headers");
    std::sync::Arc::new(
        text.lines()
            .filter_map(|l| l.split_once(": "))
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect(),
    )
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
            { "name": "Username-Password-Authentication" },
            { "name": "sms", "label": "SMS" },
            { "name": "email" }
        ]
    })
    .to_string()
}

/// Starts chromedriver on a port it picks itself (`--port=0`) and reads
/// from its first lines which one. Choosing a free port here and passing
/// it raced: between the check and chromedriver's bind, another test's
/// Chromium could take it for its DevTools, and the session request then
/// went to that one. With `--port=0`, chromedriver takes the number the
/// system gives one of its two listeners (IPv4 and IPv6) for the other as
/// well; where something on 127.0.0.1 holds it already, chromedriver says
/// "IPv4 port not available" and ends, and a second start gets another.
async fn start_chromedriver() -> (Child, SocketAddr) {
    let binary = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    let mut ended = Vec::new();
    for _ in 0..5 {
        match chromedriver_on_some_port(&binary).await {
            Ok(started) => return started,
            Err(seen) if seen.iter().any(|l| l.contains("port not available")) => ended = seen,
            Err(seen) => panic!("{binary} ended without saying its port: {seen:?}"),
        }
    }
    panic!("{binary} found no port five times; the last time it said {ended:?}")
}

/// One start of chromedriver with `--port=0`: it and its port, or what it
/// said before it ended.
async fn chromedriver_on_some_port(binary: &str) -> Result<(Child, SocketAddr), Vec<String>> {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let mut child = driver_command(binary)
        .arg("--port=0")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {binary}: {e}"));
    let mut lines = BufReader::new(child.stdout.take().expect("chromedriver's stdout")).lines();
    let said = "was started successfully on port ";
    let read_port = async {
        let mut seen = Vec::new();
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(port) = line
                .split_once(said)
                .and_then(|(_, rest)| rest.trim_end_matches('.').parse::<u16>().ok())
            {
                return Ok(port);
            }
            seen.push(line);
        }
        Err(seen)
    };
    let port = match tokio::time::timeout(DEADLINE, read_port).await {
        Ok(port) => port?,
        Err(_) => panic!("after {DEADLINE:?}, {binary} had not said its port"),
    };
    // Whatever else it writes there is read and dropped, so it never blocks.
    drain(lines.into_inner().into_inner());
    Ok((child, ([127, 0, 0, 1], port).into()))
}

/// The browser engine a run drives: `E2E_ENGINE` (`chromium`, the
/// default, `firefox` or `webkit`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Chromium,
    Firefox,
    WebKit,
}

impl Engine {
    pub fn chosen() -> Engine {
        match std::env::var("E2E_ENGINE").as_deref() {
            Ok("firefox") => Engine::Firefox,
            Ok("webkit") => Engine::WebKit,
            _ => Engine::Chromium,
        }
    }

    /// Whether this engine's browser can ask for `languages` (such as
    /// `"fr-FR,de-AT"`). WebKitGTK takes `navigator.languages` and
    /// `Accept-Language` from its process's locale: one tag, and only
    /// where the system has that locale.
    pub fn can_read(self, languages: &str) -> bool {
        self != Engine::WebKit || languages == Reader::default().languages
    }
}

/// WebKitGTK's MiniBrowser, which WebKitWebDriver starts.
const MINIBROWSER: &str = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";

/// Starts WebKitWebDriver on a free port, on the X display `DISPLAY`
/// names (`cargo xtask test` starts Xvfb for it: MiniBrowser has no
/// headless mode). Its MiniBrowser reads GTK's settings from `profile`:
/// no animations unless the reader wants motion (WebKitGTK's
/// `prefers-reduced-motion`). WebKitWebDriver does not say its port, so
/// one is chosen here; a start that loses the port to another program
/// ends, and is tried again on another.
async fn start_webkitdriver(profile: &std::path::Path, reader: Reader<'_>) -> (Child, SocketAddr) {
    let display = std::env::var("DISPLAY")
        .expect("DISPLAY: WebKit's MiniBrowser needs an X server (`cargo xtask test` starts Xvfb)");
    let gtk = profile.join("config").join("gtk-3.0");
    std::fs::create_dir_all(&gtk).expect("a GTK settings folder");
    std::fs::write(
        gtk.join("settings.ini"),
        format!("[Settings]\ngtk-enable-animations={}\n", reader.motion),
    )
    .expect("GTK settings");
    for _ in 0..5 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut child = driver_command("WebKitWebDriver")
            .arg(format!("--port={port}"))
            .env("DISPLAY", &display)
            .env("XDG_CONFIG_HOME", profile.join("config"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("cannot start WebKitWebDriver");
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let started = Instant::now();
        loop {
            if matches!(child.try_wait(), Ok(Some(_))) {
                break;
            }
            if tokio::net::TcpStream::connect(addr).await.is_ok() {
                return (child, addr);
            }
            assert!(
                started.elapsed() < DEADLINE,
                "after {DEADLINE:?}, WebKitWebDriver was not listening on {addr}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    panic!("WebKitWebDriver found no port five times")
}

/// A MiniBrowser session (WebKitGTK) in automation mode, dark when the
/// reader's is; the window as large as the other engines'.
async fn connect_webkit(driver: SocketAddr, reader: Reader<'_>) -> Client {
    let mut args = vec!["--automation"];
    if reader.dark {
        args.push("--dark-mode");
    }
    let mut caps = serde_json::Map::new();
    caps.insert(
        "webkitgtk:browserOptions".into(),
        serde_json::json!({ "binary": MINIBROWSER, "args": args }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://{driver}"))
        .await
        .expect("a WebKit session");
    client
        .set_window_size(1024, 900)
        .await
        .expect("the window's size");
    client
}

/// Starts geckodriver on a port it picks itself (`--port 0`), read from
/// its "Listening on" line.
async fn start_geckodriver() -> (Child, SocketAddr) {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let binary = std::env::var("GECKODRIVER").unwrap_or_else(|_| "geckodriver".into());
    let mut child = driver_command(&binary)
        .args(["--port", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {binary}: {e}"));
    let mut lines = BufReader::new(child.stdout.take().expect("geckodriver's stdout")).lines();
    let read_addr = async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(addr) = line
                .split_once("Listening on ")
                .map(|(_, a)| a.trim().to_owned())
            {
                return addr.parse::<SocketAddr>().ok();
            }
        }
        None
    };
    let addr = tokio::time::timeout(DEADLINE, read_addr)
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("{binary} did not say where it listens"));
    drain(lines.into_inner().into_inner());
    (child, addr)
}

async fn connect_browser(
    driver: SocketAddr,
    profile: &std::path::Path,
    reader: Reader<'_>,
) -> Client {
    match Engine::chosen() {
        Engine::Firefox => return connect_firefox(driver, reader).await,
        Engine::WebKit => return connect_webkit(driver, reader).await,
        Engine::Chromium => {}
    }
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
    // The operating system's dark theme, which `prefers-color-scheme` reads.
    .chain(reader.dark.then(|| "--force-dark-mode".to_owned()))
    .chain((!reader.motion).then(|| "--force-prefers-reduced-motion".to_owned()))
    .collect::<Vec<_>>();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": args,
            "prefs": { "intl.accept_languages": reader.languages },
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://{driver}"))
        .await
        .expect("a Chromium session")
}

/// A headless Firefox session, with the reader's languages, scheme and
/// motion as Firefox's preferences.
async fn connect_firefox(driver: SocketAddr, reader: Reader<'_>) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "moz:firefoxOptions".into(),
        serde_json::json!({
            "binary": std::env::var("FIREFOX").unwrap_or_else(|_| "/usr/bin/firefox-esr".into()),
            "args": ["-headless", "-width=1024", "-height=900"],
            "prefs": {
                "intl.accept_languages": reader.languages,
                "ui.systemUsesDarkTheme": i32::from(reader.dark),
                "ui.prefersReducedMotion": i32::from(!reader.motion),
                "browser.shell.checkDefaultBrowser": false,
            },
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://{driver}"))
        .await
        .expect("a Firefox session")
}
