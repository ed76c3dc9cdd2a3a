use leptos::prelude::*;

use crate::config::split_scheme;
use crate::text::Key;
use crate::ui::language::{LanguagePicker, say, t};
use crate::ui::state::PageState;
use crate::ui::{
    ConfirmLink, ErrorView, IdentityList, LinkButtons, Profile, SessionControls, StatusLine,
    Suggestions,
};

/// The settings page: header with the session's controls, the accounts,
/// and a footer naming the tenant.
#[component]
pub fn SettingsPage(
    /// The page's state, started (`PageState::init`) by `App`.
    state: PageState,
) -> impl IntoView {
    // The service's host, as a person reads it (no scheme).
    let tenant = state.with_config(|config| {
        split_scheme(&config.domain)
            .map_or(config.domain.as_str(), |(_, host)| host)
            .to_owned()
    });
    provide_context(state);
    // A callback's page is drawn as the account's, with its placeholders,
    // while the account it signs in is read.
    let account_page = move || state.account_page();
    view! {
        <header>
            <h1>{t(Key::Title)}</h1>
            <LanguagePicker />
            <SessionControls />
        </header>
        <main>
            <StatusLine />
            <ErrorView />
            <Show
                when=account_page
                fallback=|| {
                    view! {
                        <section class="card" aria-labelledby="intro-heading">
                            <h2 id="intro-heading">{t(Key::IntroHeading)}</h2>
                            <p>{t(Key::IntroText)}</p>
                        </section>
                    }
                }
            >
                <Profile />
                <ConfirmLink />
                <IdentityList />
                <Suggestions />
                <LinkButtons />
            </Show>
        </main>
        // Drawn once the account is read: the list it would sit under has
        // no height yet.
        <Show when=move || !state.reading_account()>
            <footer>{say(crate::text!(Footer, host = tenant.clone()))}</footer>
        </Show>
    }
}
