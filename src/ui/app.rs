use leptos::prelude::*;

use crate::config;
use crate::text::Key;
use crate::ui::language::t;
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
        <Suspense fallback=|| {
            view! { <p class="status" role="status">{t(Key::Loading)}</p> }
        }>
            {move || {
                loaded
                    .get()
                    .map(|result| match result {
                        Ok(config) => view! { <SettingsPage config /> }.into_any(),
                        Err(error) => view! { <ConfigErrorPage error /> }.into_any(),
                    })
            }}
        </Suspense>
    }
}
