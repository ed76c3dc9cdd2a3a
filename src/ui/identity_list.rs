use leptos::prelude::*;

use crate::flows::linking;
use crate::tenant::{Identity, who};
use crate::text;
use crate::text::Key;
use crate::ui::ConnectionIcon;
use crate::ui::language::{language, say, t};
use crate::ui::state::{Busy, PageState};

/// The account's identities: the main one first, marked, with no Unlink;
/// every other with Unlink, which asks for confirmation first.
#[component]
pub fn IdentityList() -> impl IntoView {
    let state = expect_context::<PageState>();
    // Drawn again only when the identities change (not on every change
    // of the user, such as its metadata): a plain list, not a keyed
    // `<For>`, whose diffing weighed more on the wasm than the few rows
    // it would keep.
    let rows = Memo::new(move |_| {
        let user_id = state.user_id().unwrap_or_default();
        state.user().with(|u| {
            u.as_ref()
                .map(|u| linking::ordered(&u.identities, &user_id))
                .unwrap_or_default()
        })
    });
    view! {
        <section class="card" aria-labelledby="accounts-heading">
            <h2 id="accounts-heading" tabindex="-1">{t(Key::AccountsHeading)}</h2>
            <Show
                when=move || state.user().with(Option::is_some)
                fallback=|| {
                    // The size of the main account's row, which comes first.
                    view! {
                        <ul class="identities placeholder">
                            <li>
                                <span class="who">{t(Key::AccountsPlaceholder)}</span>
                            </li>
                        </ul>
                    }
                }
            >
                <ul class="identities" id="identities">
                    {move || {
                        rows.get()
                            .into_iter()
                            .map(|identity| view! { <IdentityRow identity /> })
                            .collect_view()
                    }}
                </ul>
            </Show>
        </section>
    }
}

/// One identity in the list.
#[component]
fn IdentityRow(
    /// The identity shown.
    identity: Identity,
) -> impl IntoView {
    let state = expect_context::<PageState>();
    let user_id = state.user_id().unwrap_or_default();
    let main = linking::is_main(&identity, &user_id);
    let label = state.with_config(|c| c.label_of(&identity.connection));
    let who = if main {
        state.user().with_untracked(|u| {
            u.as_ref()
                .and_then(|u| who(&u.email, &u.phone_number, &u.name))
        })
    } else {
        linking::identity_who(&identity)
    }
    .unwrap_or_default();
    let name = identity
        .profile_data
        .as_ref()
        .and_then(|p| p.name.clone())
        .filter(|n| *n != who);
    let id = identity.full_id();
    let row_id = id.clone();
    let is_confirming = move || {
        state
            .asking()
            .with(|c| c.as_deref() == Some(row_id.as_str()))
    };
    let unlink_identity = identity.clone();
    let busy_id = id.clone();
    let ask_id = id.clone();
    let ask_label = say(text!(UnlinkLabel, label = &label, who = &who));
    let question = say(text!(UnlinkQuestion, label = &label, who = &who));
    let icon_label = label.render(language().now());
    let picture = identity
        .profile_data
        .as_ref()
        .and_then(|p| crate::ui::picture(p.picture.as_deref()));
    let unlink_id = format!("unlink-{id}");
    let confirm_id = format!("confirm-unlink-{id}");
    let question_id = format!("unlink-question-{id}");
    let keep_id = format!("keep-linked-{id}");
    view! {
        <li data-identity=id.clone() data-main=main.to_string()>
            <span class="who">
                {picture.map(|src| view! { <img class="avatar" src=src alt="" /> })}
                <ConnectionIcon connection=identity.connection.clone() label=icon_label />
                <strong>{say(label)}</strong>
                " "
                <span class="email">{who.clone()}</span>
                {name.map(|n| view! { <span class="name">{format!(" ({n})")}</span> })}
                {main.then(|| view! { " " <span class="badge">{t(Key::MainBadge)}</span> })}
            </span>
            {(!main)
                .then(move || {
                    view! {
                        <Show
                            when=is_confirming.clone()
                            fallback={
                                let confirm_id = confirm_id.clone();
                                let unlink_id = unlink_id.clone();
                                move || {
                                let ask_id = ask_id.clone();
                                let focus_to = confirm_id.clone();
                                view! {
                                    <button
                                        type="button"
                                        class="danger unlink"
                                        id=unlink_id.clone()
                                        aria-label=ask_label.clone()
                                        on:click=move |_| {
                                            state.ask_unlink(Some(ask_id.clone()));
                                            crate::ui::state::focus_after_render(focus_to.clone());
                                        }
                                        disabled=move || state.any_busy()
                                    >
                                        {t(Key::UnlinkButton)}
                                    </button>
                                }
                                }
                            }
                        >
                            <span
                                class="confirm-unlink"
                                role="alertdialog"
                                aria-modal="false"
                                aria-label=t(Key::ConfirmUnlink)
                                aria-describedby=question_id.clone()
                                on:keydown={
                                    let back = unlink_id.clone();
                                    let (first, last) = (confirm_id.clone(), keep_id.clone());
                                    move |e: leptos::ev::KeyboardEvent| {
                                        if e.key() == "Escape" && !state.any_busy() {
                                            state.ask_unlink(None);
                                            crate::ui::state::focus_after_render(back.clone());
                                        }
                                        // Tab stays in the question: from its last button
                                        // to its first, and back with Shift. WebKitGTK
                                        // names Shift+Tab's key "Unidentified"; its code
                                        // is still "Tab".
                                        if e.key() == "Tab" || e.code() == "Tab" {
                                            let active = document()
                                                .active_element()
                                                .map(|el| el.id())
                                                .unwrap_or_default();
                                            let wrap = if e.shift_key() { &first } else { &last };
                                            if active == *wrap {
                                                e.prevent_default();
                                                let to = if e.shift_key() { &last } else { &first };
                                                crate::ui::state::focus_after_render(to.clone());
                                            }
                                        }
                                    }
                                }
                            >
                                <span id=question_id.clone()>{question.clone()}</span>
                                " "
                                <button
                                    type="button"
                                    class="danger confirm-unlink-button"
                                    id=confirm_id.clone()
                                    on:click={
                                        let identity = unlink_identity.clone();
                                        move |_| state.unlink(identity.clone())
                                    }
                                    disabled=move || state.any_busy()
                                    aria-busy={
                                        let busy_id = busy_id.clone();
                                        move || state.is_busy(&Busy::Unlinking(busy_id.clone())).to_string()
                                    }
                                >
                                    {t(Key::UnlinkButton)}
                                </button>
                                " "
                                <button
                                    type="button"
                                    class="secondary keep-linked"
                                    id=keep_id.clone()
                                    disabled=move || state.any_busy()
                                    on:click={
                                        let back = unlink_id.clone();
                                        move |_| {
                                            state.ask_unlink(None);
                                            crate::ui::state::focus_after_render(back.clone());
                                        }
                                    }
                                >
                                    {t(Key::KeepLinked)}
                                </button>
                            </span>
                        </Show>
                    }
                })}
        </li>
    }
}
