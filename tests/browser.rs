//! Tests that need a browser: run by wasm-bindgen-test in headless Chromium
//! (`cargo xtask test`).
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use leptos::prelude::*;
use link_accounts::config::ConfigError;
use link_accounts::ui::{App, ConfigErrorPage};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const DEADLINE: Duration = Duration::from_secs(10);

/// A fresh element on the page to mount into.
fn container() -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let div = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div.unchecked_into()
}

/// Resolves after `ms` milliseconds (one poll step, not a blind wait).
async fn pause(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Polls until `root`'s text contains `needle`, failing after [`DEADLINE`].
async fn wait_for_text(root: &web_sys::HtmlElement, needle: &str) -> String {
    let started = js_sys::Date::now();
    loop {
        leptos::task::tick().await;
        let text = root.text_content().unwrap_or_default();
        if text.contains(needle) {
            return text;
        }
        assert!(
            js_sys::Date::now() - started < DEADLINE.as_millis() as f64,
            "page never showed {needle:?}; it shows {text:?}"
        );
        pause(20).await;
    }
}

#[wasm_bindgen_test]
async fn without_a_config_file_the_page_says_so() {
    // Nothing is served at this path on the test runner's origin: a real 404.
    let root = container();
    let _mounted = leptos::mount::mount_to(
        root.clone(),
        || view! { <App config_path="no-such-folder/config.json" /> },
    );
    let text = wait_for_text(&root, "config.json was not found").await;
    assert!(text.contains("not set up correctly"), "{text}");
}

#[wasm_bindgen_test]
async fn the_committed_config_file_loads_and_names_the_tenant() {
    // The test runner serves the crate root, so this is the real config.json.
    let root = container();
    let _mounted = leptos::mount::mount_to(root.clone(), || view! { <App /> });
    let text = wait_for_text(&root, "kept by 127.0.0.1:4000").await;
    assert!(!text.contains("not set up correctly"), "{text}");
}

#[wasm_bindgen_test]
async fn a_bad_field_is_named_as_text() {
    let root = container();
    let error = ConfigError::Field {
        field: "<b>domain</b>".into(),
        problem: "is missing".into(),
    };
    let _mounted = leptos::mount::mount_to(root.clone(), move || {
        // `App` provides the language; mounted alone, the page needs it too.
        link_accounts::ui::language::Language::provide();
        view! { <ConfigErrorPage error /> }
    });
    let text = wait_for_text(&root, "is missing").await;
    assert!(
        text.contains("\"<b>domain</b>\""),
        "rendered as text: {text}"
    );
    assert!(
        root.query_selector("b").unwrap().is_none(),
        "no markup was rendered"
    );
}

#[wasm_bindgen_test]
fn a_panic_is_told_at_the_top_of_the_page_not_as_a_bare_trap() {
    link_accounts::report_panic("panicked at src/x.rs:1:1: <b>bug</b>");
    let document = web_sys::window().unwrap().document().unwrap();
    let alert = document
        .get_element_by_id("panic")
        .expect("a panic message is shown");
    assert_eq!(alert.get_attribute("role").as_deref(), Some("alert"));
    let text = alert.text_content().unwrap();
    assert!(
        text.starts_with("Something went wrong in this page"),
        "{text}"
    );
    assert!(text.contains("Reload the page"), "{text}");
    assert!(
        !text.contains("bug"),
        "the details go to the console, not to the person"
    );
    assert_eq!(
        document.body().unwrap().first_element_child(),
        Some(alert),
        "first on the page"
    );
}

mod storage {
    use link_accounts::auth::session::{self, SESSION_KEY, Session, Stored};
    use link_accounts::auth::storage::{KeyValue, WebStore};
    use link_accounts::auth::transaction::{self, LIFETIME_SECS, Purpose, TransactionError};
    use link_accounts::auth::{Secret, now};
    use wasm_bindgen_test::*;

    fn session() -> Session {
        Session {
            version: session::VERSION,
            access_token: Secret("at".into()),
            id_token: Secret("it".into()),
            user_id: "google-oauth2|1".into(),
            expires_at: now() + 600,
            auth_time: Some(now()),
            scope: Some("openid read:current_user".into()),
            suggested: Vec::new(),
        }
    }

    #[wasm_bindgen_test]
    fn a_session_round_trips_through_local_storage() {
        let local = WebStore::local();
        session::save(&local, &session());
        let raw = web_sys::window().unwrap().local_storage().unwrap().unwrap();
        assert!(
            raw.get_item(SESSION_KEY)
                .unwrap()
                .unwrap()
                .contains("google-oauth2|1")
        );
        assert_eq!(session::load(&local, now()), Stored::Active(session()));
        session::clear(&local);
        assert_eq!(session::load(&local, now()), Stored::None);
    }

    #[wasm_bindgen_test]
    fn corrupt_records_in_local_storage_are_unreadable_and_removed() {
        let local = WebStore::local();
        let raw = web_sys::window().unwrap().local_storage().unwrap().unwrap();
        for corrupt in ["{", "[]", r#"{"version":7}"#, "not json at all"] {
            raw.set_item(SESSION_KEY, corrupt).unwrap();
            assert_eq!(
                session::load(&local, now()),
                Stored::Unreadable,
                "{corrupt}"
            );
            assert_eq!(raw.get_item(SESSION_KEY).unwrap(), None);
        }
    }

    #[wasm_bindgen_test]
    fn transactions_in_session_storage_expire_and_are_single_use() {
        let store = WebStore::session();
        let config = link_accounts::config::Config::parse(
            r#"{"domain":"https://t.example","client_id":"c1","audience":"https://t.example/api/v2/",
            "redirect_path":"/","connections":[]}"#,
        )
        .unwrap();
        let to = (&config, "https://app.example/");
        let started = transaction::begin(&store, Purpose::Login, to, now());
        let key = format!("link-accounts.tx.{}", started.state);
        assert!(store.keys().contains(&key), "kept in sessionStorage");
        assert!(transaction::take(&store, Some(&started.state), now()).is_ok());
        assert_eq!(
            transaction::take(&store, Some(&started.state), now()),
            Err(TransactionError::Unknown)
        );
        let old = transaction::begin(&store, Purpose::Login, to, now() - LIFETIME_SECS - 5);
        assert_eq!(
            transaction::take(&store, Some(&old.state), now()),
            Err(TransactionError::Expired)
        );
    }
}

/// Metadata kept by the tab comes back as it went: whole numbers beyond
/// 2^53 exact, floats to the last digit (serde_json in the wasm, through
/// gloo-storage).
#[wasm_bindgen_test]
fn metadata_survives_the_tabs_storage_unchanged() {
    use link_accounts::auth::storage::{KeyValue, WebStore};
    use serde_json::{Value, json};

    let metadata = json!({
        "big": 9_007_199_254_740_993_u64,
        "max": u64::MAX,
        "min": i64::MIN,
        "float": -1.7172973117356354e-155,
        "tenth": 0.1,
        "huge": 1e300,
        "text": "é€😀\u{0}",
        "nested": {"list": [1, -2, 3.5, null, true]},
    });
    let store = WebStore::session();
    store.set("link-accounts.test-metadata", &metadata);
    let back: Value = store.read("link-accounts.test-metadata").unwrap();
    store.remove("link-accounts.test-metadata");
    assert_eq!(back, metadata);
    assert_eq!(back["big"].as_u64(), Some(9_007_199_254_740_993));
}
