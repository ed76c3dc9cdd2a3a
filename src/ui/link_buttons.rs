use leptos::prelude::*;

use crate::auth::session::LINK_SCOPE;
use crate::flows::linking;
use crate::text;
use crate::text::Key;
use crate::ui::ConnectionIcon;
use crate::ui::language::{language, say, t};
use crate::ui::state::{Busy, PageState};

/// "Link <label> account" for each configured connection the account lacks.
#[component]
pub fn LinkButtons() -> impl IntoView {
    let state = expect_context::<PageState>();
    // Drawn again only when the choices change (see `IdentityList`).
    let choices = Memo::new(move |_| {
        state.user().with(|u| {
            u.as_ref()
                .map(|u| {
                    state.with_config(|c| {
                        linking::linkable(c, &u.identities)
                            .into_iter()
                            .cloned()
                            .collect::<Vec<_>>()
                    })
                })
                .unwrap_or_default()
        })
    });
    let permitted = move || state.with_session(|s| s.is_some_and(|s| s.may(LINK_SCOPE)));
    // The main account's email (or phone) must be verified first.
    let unverified = Memo::new(move |_| {
        state
            .user()
            .with(|u| u.as_ref().and_then(|u| linking::main_verified(u).err()))
    });
    let allowed = move || permitted() && unverified.with(Option::is_none);
    view! {
        <Show when=move || permitted() && unverified.with(Option::is_some) && choices.with(|c| !c.is_empty())>
            <section class="card" aria-labelledby="link-heading">
                <h2 id="link-heading">{t(Key::LinkHeading)}</h2>
                <p id="verify-main-first">
                    {move || unverified.get().map(|why| language().say(&why))}
                </p>
            </section>
        </Show>
        // A tenant that does not let the page link: said where the buttons
        // would be, rather than failing after two sign-ins.
        <Show when=move || !permitted() && choices.with(|c| !c.is_empty())>
            <section class="card" aria-labelledby="link-heading">
                <h2 id="link-heading">{t(Key::LinkHeading)}</h2>
                <p id="link-not-allowed">{t(Key::LinkNotAllowed)}</p>
            </section>
        </Show>
        // Hidden while a link waits for confirmation: one link at a time,
        // and no second button named like the confirm step's.
        <Show when=move || allowed() && choices.with(|c| !c.is_empty()) && state.pending().with(Option::is_none)>
            <section class="card" aria-labelledby="link-heading">
                <h2 id="link-heading" tabindex="-1">{t(Key::LinkHeading)}</h2>
                <p>{t(Key::LinkIntro)}</p>
                <ul class="link-buttons">
                    {move || {
                        choices
                            .get()
                            .into_iter()
                            .map(|c| {
                                let name = c.name.clone();
                                let busy_name = c.name.clone();
                                let label = state.with_config(|config| config.label_of(&c.name));
                                let icon_label = label.render(language().now());
                                view! {
                                    <li>
                                        <button
                                            type="button"
                                            class="secondary"
                                            data-connection=c.name.clone()
                                            on:click=move |_| state.start_link(name.clone())
                                            disabled=move || state.any_busy()
                                            aria-busy=move || {
                                                state
                                                    .is_busy(&Busy::StartingLink(busy_name.clone()))
                                                    .to_string()
                                            }
                                        >
                                            <ConnectionIcon connection=c.name.clone() label=icon_label />
                                            {say(text!(LinkConnection, label = label))}
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
                // Where "Not mine" said the hidden suggestions come back.
                {move || {
                    let hidden = state.suggestions().1;
                    (hidden > 0)
                        .then(|| {
                            view! {
                                <p>
                                    <button
                                        type="button"
                                        class="secondary"
                                        id="show-hidden"
                                        on:click=move |_| state.show_hidden()
                                        disabled=move || state.any_busy()
                                    >
                                        {say(text!(ShowHidden, n = hidden))}
                                    </button>
                                </p>
                            }
                        })
                }}
            </section>
        </Show>
    }
}
