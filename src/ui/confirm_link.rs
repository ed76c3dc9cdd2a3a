use leptos::prelude::*;
use serde_json::Value;

use crate::flows::linking::{self, PendingLink};
use crate::flows::merge::{Fate, Keep, KeyPlan};
use crate::ui::state::{Busy, PageState};

/// The confirm step: what is about to be linked, and what linking means.
#[component]
pub fn ConfirmLink() -> impl IntoView {
    let state = expect_context::<PageState>();
    move || {
        state.pending().get().map(|p| {
            let label = state.with_config(|c| c.label_of(&p.connection).to_owned());
            let name = p.name.clone().unwrap_or_else(|| p.who());
            let alt = format!("Picture of {name}");
            view! {
                <section class="card confirm" id="confirm-link" aria-labelledby="confirm-heading">
                    <h2 id="confirm-heading" tabindex="-1">{format!("Link this {label} account?")}</h2>
                    <div class="profile">
                        {crate::ui::picture(p.picture.as_deref()).map(|src| view! { <img src=src alt=alt /> })}
                        <div>
                            <p id="confirm-name">{name}</p>
                            <p id="confirm-who">{p.who()}</p>
                        </div>
                    </div>
                    <p>
                        "After linking, signing in with this account opens your main account. "
                        "Your main account's profile stays as it is; this account's own profile "
                        "is kept only as details of the linked account."
                    </p>
                    <MainChoice pending=p.clone() />
                    <MergePlan pending=p.clone() />
                    {(p.app_metadata_entries > 0).then(|| {
                        let n = p.app_metadata_entries;
                        let entries = if n == 1 { "1 entry".to_owned() } else { format!("{n} entries") };
                        view! {
                            <p id="app-metadata-note">
                                {format!(
                                    "This account also holds {entries} of data the site keeps about it (app metadata). The account service discards them when it links; they are not shown here."
                                )}
                            </p>
                        }
                    })}
                    <div class="actions">
                        <button
                            type="button"
                            id="confirm-link-button"
                            on:click=move |_| state.confirm_link()
                            disabled=move || state.any_busy() || state.user().with(Option::is_none)
                            aria-busy=move || state.is_busy(&Busy::Linking).to_string()
                        >
                            {format!("Confirm: link this {label} account")}
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
                            "Cancel"
                        </button>
                    </div>
                </section>
            }
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
                let main_who = u
                    .email
                    .clone()
                    .or_else(|| u.name.clone())
                    .unwrap_or_else(|| u.user_id.clone());
                let why = linking::can_make_main(u).err();
                let blocked = why.is_some();
                let make_main = pending.make_main;
                view! {
                    <fieldset id="main-choice">
                        <legend>"Which account stays your main account?"</legend>
                        <input
                            type="radio"
                            id="keep-main"
                            name="main-choice"
                            checked=!make_main
                            disabled=move || state.any_busy()
                            on:change=move |_| state.choose_main(false)
                        />
                        <label for="keep-main">
                            {format!("Keep {main_who} as your main account")}
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
                            {format!("Make {} your main account", pending.who())}
                        </label>
                        {why.map(|why| view! { <p id="make-main-why" class="hint">{why}</p> })}
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
            let (heading, into) = if pending.make_main {
                ("Your current main account's settings", "this account, your new main account,")
            } else {
                ("This account's settings", "your main account")
            };
            view! {
                <section id="merge-plan" aria-labelledby="merge-heading">
                    <h3 id="merge-heading">{heading}</h3>
                    <p>
                        {format!(
                            "The account service discards the settings of the account that stops being main, so they are merged into {into} first. A setting that holds several values is copied as one whole."
                        )}
                    </p>
                    <ul class="merge">{rows}</ul>
                </section>
            }
        })
    }
}

fn key_row(state: PageState, pending: &PendingLink, i: usize, k: KeyPlan) -> impl IntoView + use<> {
    let nested = k
        .is_nested()
        .then_some(" (several values, copied as one whole)");
    let value = shown(&k.value);
    let key = k.key.clone();
    let fate = match k.fate {
        Fate::Copied => view! {
            <span class="fate">{format!("{value}: copied to your main account")}</span>
        }
        .into_any(),
        Fate::Same => view! {
            <span class="fate">{format!("{value}: the same on both")}</span>
        }
        .into_any(),
        Fate::Conflict { main } => {
            let keep = pending.keep(&key);
            let (main_id, linked_id) = (format!("keep-main-{i}"), format!("keep-linked-{i}"));
            let name = format!("keep-{i}");
            let (key_main, key_linked) = (key.clone(), key.clone());
            view! {
                <fieldset class="conflict">
                    <legend>{format!("{key} differs: which value stays?")}</legend>
                    <input
                        type="radio"
                        id=main_id.clone()
                        name=name.clone()
                        checked=keep == Keep::Main
                        disabled=move || state.any_busy()
                        on:change=move |_| state.choose(key_main.clone(), Keep::Main)
                    />
                    <label for=main_id>{format!("Keep your main account's: {}", shown(&main))}</label>
                    <input
                        type="radio"
                        id=linked_id.clone()
                        name=name
                        checked=keep == Keep::Linked
                        disabled=move || state.any_busy()
                        on:change=move |_| state.choose(key_linked.clone(), Keep::Linked)
                    />
                    <label for=linked_id>{format!("Use this account's: {value}")}</label>
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
