use leptos::prelude::*;

use crate::config;
use crate::ui::state::PageState;
use crate::ui::{ConfigErrorPage, SettingsPage};

/// The whole page: loads `config.json`, then shows the settings page, or a
/// page that says what is wrong with the configuration.
#[component]
pub fn App(
    /// Where the configuration is, on this page's origin.
    #[prop(default = config::CONFIG_PATH)]
    config_path: &'static str,
) -> impl IntoView {
    crate::ui::state::capture_callback();
    crate::ui::language::Language::provide();
    // Loaded once, into a signal: a `LocalResource` and its `<Suspense>`
    // would link Leptos's async machinery into the wasm for this one load
    // (ARCHITECTURE.md, what was tried for size).
    let loaded = RwSignal::new(None);
    // Scoped: the page's state is created under this component's owner,
    // as it was when `SettingsPage` created it, not as free-standing
    // signals.
    leptos::task::spawn_local_scoped(async move {
        // The page's state starts (a callback's calls are queued) before
        // the page is drawn: tasks run in the order they were queued, so
        // those requests are under way while it is.
        // A callback's code is exchanged with the configuration its
        // round-trip began with, while `config.json` loads.
        let (config, callback) = crate::flows::join(
            config::load(config_path),
            crate::ui::state::exchange_early(),
        )
        .await;
        let started = config.map(|config| {
            let state = PageState::new(config);
            state.init(callback);
            state
        });
        loaded.set(Some(started));
    });
    // While the configuration loads, index.html's frame is what shows.
    move || {
        loaded
            .get()
            .inspect(|_| remove_frame())
            .map(|result| match result {
                Ok(state) => view! { <SettingsPage state /> }.into_any(),
                Err(error) => view! { <ConfigErrorPage error /> }.into_any(),
            })
    }
}

/// Removes index.html's frame (what paints before the wasm has run), in
/// the same turn as the page that takes its place is drawn: no flash.
fn remove_frame() {
    if let Some(frame) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("frame"))
    {
        frame.remove();
    }
}
