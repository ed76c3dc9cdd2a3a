use leptos::prelude::*;

use crate::config::ConfigError;

/// Shown instead of the settings page when `config.json` cannot be used.
#[component]
pub fn ConfigErrorPage(
    /// What is wrong, naming the file and the field.
    error: ConfigError,
) -> impl IntoView {
    view! {
        <header>
            <h1>"Linked accounts"</h1>
        </header>
        <main>
            <section class="card error" role="alert" id="config-error">
                <h2>"This page is not set up correctly"</h2>
                <p>{error.to_string()}</p>
                <p>
                    "The site's administrator can fix this in "<code>"config.json"</code>
                    ". Reload the page once it is fixed."
                </p>
            </section>
        </main>
    }
}
