//! Web storage behind a small trait, so the rules over it are tested
//! natively with a map, and in the browser with the real thing
//! (gloo-storage). Values are kept as JSON, written and read by serde.

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A value was there but could not be read as the type asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unreadable;

/// The part of `Storage` the app uses.
pub trait KeyValue {
    /// The value under `key`: `Ok(None)` when there is none, `Err` when it
    /// is not JSON of that type.
    fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, Unreadable>;
    /// Keeps `value` under `key`; quietly nothing where storage is off.
    fn set<T: Serialize>(&self, key: &str, value: &T);
    fn remove(&self, key: &str);
    fn keys(&self) -> Vec<String>;

    /// The value under `key`, if there is a readable one.
    fn read<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        self.get(key).ok().flatten()
    }
}

/// An in-memory store for tests.
#[derive(Default)]
pub struct MemoryStore(RefCell<BTreeMap<String, String>>);

impl MemoryStore {
    /// Puts raw text under `key`, as a damaged or foreign value would be.
    pub fn set_text(&self, key: &str, text: &str) {
        self.0.borrow_mut().insert(key.to_owned(), text.to_owned());
    }

    /// The raw text under `key`.
    pub fn text(&self, key: &str) -> Option<String> {
        self.0.borrow().get(key).cloned()
    }
}

impl KeyValue for MemoryStore {
    fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, Unreadable> {
        self.text(key)
            .map(|t| serde_json::from_str(&t).map_err(|_| Unreadable))
            .transpose()
    }
    fn set<T: Serialize>(&self, key: &str, value: &T) {
        if let Ok(text) = serde_json::to_string(value) {
            self.set_text(key, &text);
        }
    }
    fn remove(&self, key: &str) {
        self.0.borrow_mut().remove(key);
    }
    fn keys(&self) -> Vec<String> {
        self.0.borrow().keys().cloned().collect()
    }
}

/// `localStorage` or `sessionStorage`, through gloo-storage. gloo's
/// `raw()` throws where the browser disables storage, so whether each
/// store can be used is checked once ([`WebStore::works`]); a store that
/// cannot reads as empty and refuses writes quietly, and the page says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebStore {
    Local,
    Session,
    /// Storage is off in this browser.
    Off,
}

thread_local! {
    /// Whether `localStorage` and `sessionStorage` can be used, checked once.
    static WORKS: (bool, bool) = (
        usable(web_sys::window().and_then(|w| w.local_storage().ok().flatten())),
        usable(web_sys::window().and_then(|w| w.session_storage().ok().flatten())),
    );
}

/// A store that is there and takes a write.
fn usable(store: Option<web_sys::Storage>) -> bool {
    const PROBE: &str = "link-accounts.probe";
    store.is_some_and(|s| s.set_item(PROBE, "1").is_ok() && s.remove_item(PROBE).is_ok())
}

impl WebStore {
    pub fn local() -> WebStore {
        if WORKS.with(|w| w.0) {
            WebStore::Local
        } else {
            WebStore::Off
        }
    }

    pub fn session() -> WebStore {
        if WORKS.with(|w| w.1) {
            WebStore::Session
        } else {
            WebStore::Off
        }
    }

    /// Whether both stores can be used: the sign-in needs them.
    pub fn works() -> bool {
        WORKS.with(|w| w.0 && w.1)
    }

    fn raw(self) -> Option<web_sys::Storage> {
        use gloo_storage::Storage as _;
        match self {
            WebStore::Local => Some(gloo_storage::LocalStorage::raw()),
            WebStore::Session => Some(gloo_storage::SessionStorage::raw()),
            WebStore::Off => None,
        }
    }
}

/// gloo's answer for a key: absent, unreadable, or the value.
fn found<T>(got: gloo_storage::Result<T>) -> Result<Option<T>, Unreadable> {
    match got {
        Ok(value) => Ok(Some(value)),
        Err(gloo_storage::errors::StorageError::KeyNotFound(_)) => Ok(None),
        Err(_) => Err(Unreadable),
    }
}

impl KeyValue for WebStore {
    fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, Unreadable> {
        use gloo_storage::{LocalStorage, SessionStorage, Storage};
        match self {
            WebStore::Local => found(LocalStorage::get(key)),
            WebStore::Session => found(SessionStorage::get(key)),
            WebStore::Off => Ok(None),
        }
    }
    fn set<T: Serialize>(&self, key: &str, value: &T) {
        use gloo_storage::{LocalStorage, SessionStorage, Storage};
        // A full store refuses the write: what is not kept is read as gone.
        let _ = match self {
            WebStore::Local => LocalStorage::set(key, value),
            WebStore::Session => SessionStorage::set(key, value),
            WebStore::Off => Ok(()),
        };
    }
    fn remove(&self, key: &str) {
        use gloo_storage::{LocalStorage, SessionStorage, Storage};
        match self {
            WebStore::Local => LocalStorage::delete(key),
            WebStore::Session => SessionStorage::delete(key),
            WebStore::Off => {}
        }
    }
    fn keys(&self) -> Vec<String> {
        let Some(s) = self.raw() else {
            return Vec::new();
        };
        let n = s.length().unwrap_or(0);
        (0..n).filter_map(|i| s.key(i).ok().flatten()).collect()
    }
}
