use leptos::prelude::*;

use crate::config;
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
    let loaded = LocalResource::new(move || config::load(config_path));
    view! {
        // While the configuration loads, index.html's frame is what shows.
        <Suspense fallback=|| ()>
            {move || {
                loaded
                    .get()
                    .inspect(|_| remove_frame())
                    .map(|result| match result {
                        Ok(config) => view! { <SettingsPage config /> }.into_any(),
                        Err(error) => view! { <ConfigErrorPage error /> }.into_any(),
                    })
            }}
        </Suspense>
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
