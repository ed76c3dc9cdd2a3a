use leptos::prelude::*;

use crate::text;
use crate::text::Key;
use crate::ui::ConnectionIcon;
use crate::ui::language::{language, say, t};
use crate::ui::state::{Busy, PageState};

/// "Found for <email>": the other accounts with the person's verified
/// email that the tenant's Action named in the ID token (`flows::suggest`),
/// each with "Link it" (the usual link round-trip) and "Not mine".
#[component]
pub fn Suggestions() -> impl IntoView {
    let state = expect_context::<PageState>();
    let found = Memo::new(move |_| state.suggestions().0);
    let email = move || {
        state
            .user()
            .with(|u| u.as_ref().and_then(|u| u.email.clone()))
            .unwrap_or_default()
    };
    // Hidden while a link waits for confirmation, as the link buttons are.
    let shown = move || !found.with(Vec::is_empty) && state.pending().with(Option::is_none);
    view! {
        <Show when=shown>
            <section class="card" aria-labelledby="suggest-heading">
                <h2 id="suggest-heading" tabindex="-1">
                    {move || language().say(&text!(SuggestHeading, email = email()))}
                </h2>
                <ul class="suggestions">
                    {move || {
                        found
                            .get()
                            .into_iter()
                            .map(|c| {
                                let label = state.with_config(|config| config.label_of(&c.name));
                                let icon_label = label.render(language().now());
                                let (link, hide, busy) = (c.name.clone(), c.name.clone(), c.name.clone());
                                view! {
                                    <li data-suggested=c.name.clone()>
                                        <ConnectionIcon connection=c.name.clone() label=icon_label />
                                        <span class="what">{say(text!(SuggestLine, label = label.clone()))}</span>
                                        <span class="actions">
                                            <button
                                                type="button"
                                                class="secondary link-it"
                                                aria-label=say(text!(LinkItLabel, label = label.clone()))
                                                on:click=move |_| state.start_link(link.clone())
                                                disabled=move || state.any_busy()
                                                aria-busy=move || {
                                                    state.is_busy(&Busy::StartingLink(busy.clone())).to_string()
                                                }
                                            >
                                                {t(Key::LinkIt)}
                                            </button>
                                            <button
                                                type="button"
                                                class="secondary not-mine"
                                                aria-label=say(text!(NotMineLabel, label = label))
                                                on:click=move |_| state.not_mine(hide.clone())
                                                disabled=move || state.any_busy()
                                            >
                                                {t(Key::NotMine)}
                                            </button>
                                        </span>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </section>
        </Show>
    }
}
