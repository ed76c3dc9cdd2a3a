use leptos::prelude::*;

use crate::config::Config;

/// The settings page: header with the product name and the session's
/// controls, the accounts, and a footer naming the tenant.
#[component]
pub fn SettingsPage(
    /// The validated tenant configuration.
    config: Config,
) -> impl IntoView {
    let tenant = config.domain.clone();
    view! {
        <header>
            <h1>"Linked accounts"</h1>
            <button type="button" id="sign-in">"Sign in"</button>
        </header>
        <main>
            <section class="card" aria-labelledby="intro-heading">
                <h2 id="intro-heading">"Sign in to manage your accounts"</h2>
                <p>
                    "Link your other sign-in accounts to this one, so that any of them opens the same account."
                </p>
            </section>
        </main>
        <footer>"Tenant: " {tenant}</footer>
    }
}
