use leptos::prelude::*;

use crate::config::Config;
use crate::ui::state::PageState;
use crate::ui::{
    ConfirmLink, ErrorView, IdentityList, LinkButtons, Profile, SessionControls, StatusLine,
};

/// The settings page: header with the session's controls, the accounts,
/// and a footer naming the tenant.
#[component]
pub fn SettingsPage(
    /// The validated tenant configuration.
    config: Config,
) -> impl IntoView {
    // The service's host, as a person reads it (no scheme).
    let tenant = config
        .domain
        .split_once("://")
        .map_or(config.domain.as_str(), |(_, host)| host)
        .to_owned();
    let state = PageState::new(config);
    provide_context(state);
    state.init();
    let signed_in = move || state.signed_in();
    view! {
        <header>
            <h1>"Linked accounts"</h1>
            <SessionControls />
        </header>
        <main>
            <StatusLine />
            <ErrorView />
            <Show
                when=signed_in
                fallback=|| {
                    view! {
                        <section class="card" aria-labelledby="intro-heading">
                            <h2 id="intro-heading">"Sign in to manage your accounts"</h2>
                            <p>
                                "Link your other sign-in accounts to this one, so that any of them opens the same account."
                            </p>
                        </section>
                    }
                }
            >
                <Profile />
                <ConfirmLink />
                <IdentityList />
                <LinkButtons />
            </Show>
        </main>
        <footer>"Your sign-in accounts are kept by " {tenant}</footer>
    }
}
