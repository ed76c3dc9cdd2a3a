use leptos::prelude::*;
use serde_json::Value;

use crate::flows::linking::{self, PendingLink};
use crate::flows::merge::{Fate, Keep, KeyPlan};
use crate::text;
use crate::text::Key;
use crate::ui::language::{language, say, t};
use crate::ui::state::{Busy, PageState};

/// The confirm step: what is about to be linked, and what linking means.
#[component]
pub fn ConfirmLink() -> impl IntoView {
    let state = expect_context::<PageState>();
    move || {
        state.pending().get().map(|p| {
            let label = state.with_config(|c| c.label_of(&p.connection));
            let name = p.name.clone().unwrap_or_else(|| p.who());
            let alt = say(text!(PictureOf, name = &name));
            // The settings lost where the tenant does not let the page
            // copy them: said before the click, and on the button itself.
            let lost = {
                let p = p.clone();
                Memo::new(move |_| {
                    state.with_session(|s| {
                        state.user().with(|u| match (s, u) {
                            (Some(s), Some(u)) => p.settings_lost(s, &u.user_metadata),
                            _ => None,
                        })
                    })
                })
            };
            let plan_of = p.clone();
            // The main account's own app data is discarded when the other
            // account becomes main: the person says so, in the step itself.
            let understood = RwSignal::new(false);
            let needs_understood = {
                let p = p.clone();
                move || {
                    p.make_main && state.user().with(|u| u.as_ref().is_some_and(|u| u.app_metadata_entries > 0))
                }
            };
            let copying = {
                let p = p.clone();
                move || state.with_session(|s| s.is_some_and(|s| p.may_copy_settings(s)))
            };
            view! {
                <section class="card confirm" id="confirm-link" aria-labelledby="confirm-heading">
                    <h2 id="confirm-heading" tabindex="-1">{say(text!(ConfirmHeading, label = &label))}</h2>
                    <div class="profile">
                        {crate::ui::picture(p.picture.as_deref()).map(|src| view! { <img src=src alt=alt /> })}
                        <div>
                            <p id="confirm-name">{name}</p>
                            <p id="confirm-who">{p.who()}</p>
                        </div>
                    </div>
                    <p>{t(Key::ConfirmIntro)}</p>
                    <MainChoice pending=p.clone() />
                    <Show when=copying>
                        <MergePlan pending=plan_of.clone() />
                    </Show>
                    {move || lost.get().map(|lost| view! { <p id="settings-lost" class="hint">{say(lost)}</p> })}
                    <PriceList pending=p.clone() understood />
                    <div class="actions">
                        <button
                            type="button"
                            id="confirm-link-button"
                            on:click=move |_| state.confirm_link()
                            disabled=move || {
                                state.any_busy()
                                    || state.user().with(Option::is_none)
                                    || (needs_understood() && !understood.get())
                            }
                            aria-busy=move || state.is_busy(&Busy::Linking).to_string()
                        >
                            {move || {
                                let text = match lost.with(Option::is_some) {
                                    true => Key::LinkLosingSettings.into(),
                                    false => text!(ConfirmButton, label = label.clone()),
                                };
                                language().say(&text)
                            }}
                        </button>
                        " "
                        <button
                            type="button"
                            class="secondary"
                            id="cancel-link-button"
                            on:click=move |_| state.cancel_link()
                            disabled=move || state.any_busy()
                            aria-busy=move || state.is_busy(&Busy::Cancelling).to_string()
                        >
                            {t(Key::CancelLink)}
                        </button>
                    </div>
                </section>
            }
        })
    }
}

/// What the account that stops being main loses: its user id, its app
/// data, its MFA enrollments, and (unread) its roles and organizations.
/// When that is the main account and it has app data, a checkbox the
/// person must tick first.
#[component]
fn PriceList(
    /// The pending link.
    pending: PendingLink,
    /// Whether the person ticked that they understand the main account's
    /// app data is discarded.
    understood: RwSignal<bool>,
) -> impl IntoView {
    let state = expect_context::<PageState>();
    move || {
        let factors = state.factors();
        state.user().with(|u| {
            u.as_ref().map(|u| {
                let price = pending.price(u, factors);
                let factors_line = match (factors, price.factors) {
                    (None, _) => Key::PriceFactorsReading.into(),
                    (Some(_), None) => Key::PriceFactorsUnknown.into(),
                    (Some(_), Some(0)) => text::Text::empty(),
                    (Some(_), Some(n)) => text!(PriceFactors, n = n),
                };
                let app_data = (price.app_data > 0)
                    .then(|| text!(PriceAppData, entries = text!(Entries, n = price.app_data)));
                let confirm_loss = price.is_main && price.app_data > 0;
                let who = price.who.clone();
                view! {
                    <div id="price">
                        <p id="price-intro">{say(text!(PriceIntro, who = &price.who))}</p>
                        <ul>
                            <li id="price-user-id">{say(text!(PriceUserId, id = &price.user_id))}</li>
                            {app_data.map(|t| view! { <li id="price-app-data">{say(t)}</li> })}
                            {(factors_line != text::Text::empty())
                                .then(|| view! { <li id="price-factors">{say(factors_line)}</li> })}
                        </ul>
                        <p id="price-roles" class="hint">{t(Key::PriceRoles)}</p>
                        {confirm_loss.then(|| view! {
                            <p>
                                <input
                                    type="checkbox"
                                    id="price-understood"
                                    prop:checked=move || understood.get()
                                    on:change=move |ev| understood.set(event_target_checked(&ev))
                                />
                                " "
                                <label for="price-understood">{say(text!(PriceUnderstood, who = who))}</label>
                            </p>
                        })}
                    </div>
                }
            })
        })
    }
}

/// Which account stays main: the signed-in one (the default), or this one,
/// when that is possible without losing sign-in methods.
#[component]
fn MainChoice(pending: PendingLink) -> impl IntoView {
    let state = expect_context::<PageState>();
    move || {
        state.user().with(|u| {
            u.as_ref().map(|u| {
                let main_who = crate::tenant::who(&u.email, &u.phone_number, &u.name)
                    .unwrap_or_else(|| u.user_id.clone());
                let other_who = pending.who();
                // Two accounts with the same email are told apart by where
                // each signs in.
                let (main_who, other_who): (text::Text, text::Text) = if main_who == other_who {
                    let main_label = state.with_config(|c| {
                        u.identities
                            .iter()
                            .find(|i| linking::is_main(i, &u.user_id))
                            .map(|i| c.label_of(&i.connection))
                    });
                    let other_label = state.with_config(|c| c.label_of(&pending.connection));
                    (
                        main_label.map_or_else(
                            || main_who.clone().into(),
                            |l| text!(WhoOn, who = &main_who, label = l),
                        ),
                        text!(WhoOn, who = &other_who, label = other_label),
                    )
                } else {
                    (main_who.into(), other_who.into())
                };
                let why = pending.may_make_main(u).err();
                let blocked = why.is_some();
                let make_main = pending.make_main;
                view! {
                    <fieldset id="main-choice">
                        <legend>{t(Key::MainLegend)}</legend>
                        <div class="choices">
                            <input
                                type="radio"
                                id="keep-main"
                                name="main-choice"
                                checked=!make_main
                                disabled=move || state.any_busy()
                                on:change=move |_| state.choose_main(false)
                            />
                            <label for="keep-main">
                                {say(text!(KeepMain, who = main_who))}
                            </label>
                            <input
                                type="radio"
                                id="make-main"
                                name="main-choice"
                                checked=make_main
                                disabled=move || blocked || state.any_busy()
                                aria-describedby=why.as_ref().map(|_| "make-main-why")
                                on:change=move |_| state.choose_main(true)
                            />
                            <label for="make-main">
                                {say(text!(MakeMain, who = other_who))}
                            </label>
                            {why.map(|why| view! { <p id="make-main-why" class="hint">{say(why)}</p> })}
                        </div>
                    </fieldset>
                }
            })
        })
    }
}

/// What the link does to this account's settings (`user_metadata`), key by
/// key; nothing when it has none.
#[component]
fn MergePlan(pending: PendingLink) -> impl IntoView {
    let state = expect_context::<PageState>();
    move || {
        let plan = state.user().with(|u| {
            u.as_ref()
                .map(|u| pending.plan(&u.user_metadata))
                .unwrap_or_default()
        });
        (!plan.is_empty()).then(|| {
            let rows = plan
                .into_iter()
                .enumerate()
                .map(|(i, k)| key_row(state, &pending, i, k))
                .collect_view();
            let (heading, explain) = if pending.make_main {
                (Key::MergeMainSide, Key::MergeIntoNew)
            } else {
                (Key::MergeOtherSide, Key::MergeIntoMain)
            };
            view! {
                <section id="merge-plan" aria-labelledby="merge-heading">
                    <h3 id="merge-heading">{t(heading)}</h3>
                    <p>{t(explain)}</p>
                    <ul class="merge">{rows}</ul>
                </section>
            }
        })
    }
}

fn key_row(state: PageState, pending: &PendingLink, i: usize, k: KeyPlan) -> impl IntoView + use<> {
    let nested = k.is_nested().then(|| t(Key::MergeNested));
    let value = shown(&k.value);
    let key = k.key.clone();
    let fate = match k.fate {
        Fate::Copied => view! {
            <span class="fate">{say(text!(MergeCopied, value = &value))}</span>
        }
        .into_any(),
        Fate::Same => view! {
            <span class="fate">{say(text!(MergeSame, value = &value))}</span>
        }
        .into_any(),
        Fate::Conflict { main } => {
            let keep = pending.keep(&key);
            let (main_id, linked_id) = (format!("keep-main-{i}"), format!("keep-linked-{i}"));
            let name = format!("keep-{i}");
            let (key_main, key_linked) = (key.clone(), key.clone());
            view! {
                <fieldset class="conflict">
                    <legend>{say(text!(MergeConflict, key = &key))}</legend>
                    <div class="choices">
                        <input
                            type="radio"
                            id=main_id.clone()
                            name=name.clone()
                            checked=keep == Keep::Main
                            disabled=move || state.any_busy()
                            on:change=move |_| state.choose(key_main.clone(), Keep::Main)
                        />
                        <label for=main_id>{say(text!(KeepMainValue, value = shown(&main)))}</label>
                        <input
                            type="radio"
                            id=linked_id.clone()
                            name=name
                            checked=keep == Keep::Linked
                            disabled=move || state.any_busy()
                            on:change=move |_| state.choose(key_linked.clone(), Keep::Linked)
                        />
                        <label for=linked_id>{say(text!(UseOtherValue, value = value))}</label>
                    </div>
                </fieldset>
            }
            .into_any()
        }
    };
    let data_key = key.clone();
    view! {
        <li class="merge-key" data-key=data_key>
            <code>{key}</code>
            " "
            {fate}
            {nested}
        </li>
    }
}

/// A value as the person reads it: text as itself, anything else as JSON.
fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
