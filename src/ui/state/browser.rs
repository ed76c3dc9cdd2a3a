//! What the page's actions need from the browser: the stores, the clock,
//! the tenant's keys for the page's life, the address bar, and focus.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::auth::storage::WebStore;
use crate::auth::{now, session, urls};
use crate::config::Config;
use crate::flows::sign_in::{self, Exchanged};
use crate::flows::{Env, KeyCache, Problem};
use crate::tenant::Http;

thread_local! {
    /// The tenant's keys, for as long as the page is open.
    static KEYS: &'static KeyCache = Box::leak(Box::default());
}

/// What a flow needs from the browser, owned, so that it can be moved into
/// a task: [`Browser::env`] lends it to a flow. Made once per action by
/// `PageState::browser`.
pub(super) struct Browser {
    tenant: Http,
    local: WebStore,
    pub(super) tab: WebStore,
    redirect_uri: String,
    now: i64,
}

impl Browser {
    pub(super) fn new(config: Config) -> Self {
        let origin = window().location().origin().unwrap_or_default();
        Browser {
            redirect_uri: urls::redirect_uri(&origin, &config),
            tenant: Http::new(config),
            local: WebStore::local(),
            tab: WebStore::session(),
            now: now(),
        }
    }

    pub(super) fn env(&self) -> Env<'_, Http, WebStore> {
        Env {
            config: self.tenant.config(),
            tenant: &self.tenant,
            local: &self.local,
            tab: &self.tab,
            keys: KEYS.with(|k| *k),
            redirect_uri: &self.redirect_uri,
            now: self.now,
        }
    }
}

/// What a tab writes to `localStorage` after a change to the account, so
/// that the page's other tabs read it again.
pub const CHANGED_KEY: &str = "link-accounts.changed";

/// Tells the page's other tabs that the account changed (the `storage`
/// event fires in every other tab of this origin).
pub(super) fn tell_other_tabs() {
    use crate::auth::storage::KeyValue;
    WebStore::local().set(CHANGED_KEY, &js_sys::Date::now());
}

/// Follows the page's other tabs: when the session changes there (a
/// sign-out, another sign-in, another main account), this tab starts
/// again from what is stored; when the account changes there, `changed`
/// runs (the list is read again).
pub(super) fn follow_other_tabs(changed: impl Fn() + 'static) {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    let on_storage =
        Closure::<dyn Fn(web_sys::StorageEvent)>::new(move |e: web_sys::StorageEvent| {
            match e.key().as_deref() {
                Some(crate::auth::session::SESSION_KEY) => {
                    let _ = window().location().reload();
                }
                Some(CHANGED_KEY) => changed(),
                _ => {}
            }
        });
    let _ =
        window().add_event_listener_with_callback("storage", on_storage.as_ref().unchecked_ref());
    // For the page's life.
    on_storage.forget();
}

pub(super) fn go(url: &str) {
    let _ = window().location().set_href(url);
}

/// Moves keyboard focus to the element `id` once the page has drawn it, so
/// that keyboard and screen-reader users land where the change happened.
pub(crate) fn focus_after_render(id: impl Into<String>) {
    let id = id.into();
    request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        if let Some(el) = document()
            .get_element_by_id(&id)
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    });
}

thread_local! {
    /// The callback the page was opened with, read once at start.
    static CALLBACK: std::cell::RefCell<Option<sign_in::Callback>> =
        const { std::cell::RefCell::new(None) };
}

/// Reads the tenant's answer from the address, if there is one, and takes
/// it out of the address bar at once, before anything else can fail (a
/// broken `config.json` included).
pub fn capture_callback() {
    let search = window().location().search().unwrap_or_default();
    if let Some(callback) = sign_in::read_callback(&urls::query_params(&search)) {
        scrub_address_bar();
        CALLBACK.with(|c| *c.borrow_mut() = Some(callback));
    }
}

/// The code and state leave the address bar, whatever follows.
fn scrub_address_bar() {
    if let Ok(history) = window().history() {
        let path = window()
            .location()
            .pathname()
            .unwrap_or_else(|_| "/".into());
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&path));
    }
}

/// The callback the page was opened with, taken once.
fn take_callback() -> Option<sign_in::Callback> {
    CALLBACK.with(|c| c.borrow_mut().take())
}

/// The callback the page was opened with, if any, checked and its code
/// exchanged at once, with the configuration its round-trip began with:
/// `config.json` loads meanwhile, and the page compares the two before it
/// uses a token (`sign_in::finish`).
pub async fn exchange_early() -> Option<Result<Exchanged, Problem>> {
    let callback = take_callback()?;
    let now = now();
    let current = session::peek(&WebStore::local(), now);
    let prepared = match sign_in::prepare(&WebStore::session(), &callback, current.as_ref(), now) {
        Ok(prepared) => prepared,
        Err(problem) => return Some(Err(problem)),
    };
    let tenant = Http::new(prepared.began_with().clone());
    Some(Ok(sign_in::exchange(&tenant, prepared).await))
}
