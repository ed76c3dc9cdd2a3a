//! Web storage behind a small trait, so the rules over it are tested
//! natively with a map, and in the browser with the real thing.

use std::cell::RefCell;
use std::collections::BTreeMap;

/// The part of `Storage` the app uses.
pub trait KeyValue {
    fn get(&self, key: &str) -> Option<String>;
    fn set(&self, key: &str, value: &str);
    fn remove(&self, key: &str);
    fn keys(&self) -> Vec<String>;
}

/// An in-memory store for tests.
#[derive(Default)]
pub struct MemoryStore(RefCell<BTreeMap<String, String>>);

impl KeyValue for MemoryStore {
    fn get(&self, key: &str) -> Option<String> {
        self.0.borrow().get(key).cloned()
    }
    fn set(&self, key: &str, value: &str) {
        self.0.borrow_mut().insert(key.to_owned(), value.to_owned());
    }
    fn remove(&self, key: &str) {
        self.0.borrow_mut().remove(key);
    }
    fn keys(&self) -> Vec<String> {
        self.0.borrow().keys().cloned().collect()
    }
}

/// `localStorage` or `sessionStorage`. Straight through web-sys rather than
/// gloo-storage, whose `raw()` throws when the browser disables storage: here
/// a disabled store reads as empty and refuses writes quietly, and the page
/// says what it can.
pub struct WebStore(Option<web_sys::Storage>);

impl WebStore {
    pub fn local() -> WebStore {
        WebStore(web_sys::window().and_then(|w| w.local_storage().ok().flatten()))
    }

    pub fn session() -> WebStore {
        WebStore(web_sys::window().and_then(|w| w.session_storage().ok().flatten()))
    }
}

impl KeyValue for WebStore {
    fn get(&self, key: &str) -> Option<String> {
        self.0.as_ref()?.get_item(key).ok().flatten()
    }
    fn set(&self, key: &str, value: &str) {
        if let Some(s) = &self.0 {
            let _ = s.set_item(key, value);
        }
    }
    fn remove(&self, key: &str) {
        if let Some(s) = &self.0 {
            let _ = s.remove_item(key);
        }
    }
    fn keys(&self) -> Vec<String> {
        let Some(s) = &self.0 else { return Vec::new() };
        let n = s.length().unwrap_or(0);
        (0..n).filter_map(|i| s.key(i).ok().flatten()).collect()
    }
}
