use leptos::prelude::*;

use crate::config::ConfigError;
use crate::text::Key;
use crate::ui::language::{say, t};

/// Shown instead of the settings page when `config.json` cannot be used.
#[component]
pub fn ConfigErrorPage(
    /// What is wrong, naming the file and the field.
    error: ConfigError,
) -> impl IntoView {
    view! {
        <header>
            <h1>{t(Key::Title)}</h1>
        </header>
        <main>
            <section class="card error" role="alert" id="config-error">
                <h2>{t(Key::ConfigHeading)}</h2>
                <p>{say(error.text())}</p>
                <p>{t(Key::ConfigFix)}</p>
            </section>
        </main>
    }
}
