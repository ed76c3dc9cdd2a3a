use leptos::prelude::*;

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
                        {p.picture.clone().map(|src| view! { <img src=src alt=alt /> })}
                        <div>
                            <p id="confirm-name">{name}</p>
                            <p id="confirm-who">{p.who()}</p>
                        </div>
                    </div>
                    <p>
                        "After linking, signing in with this account opens your main account. "
                        "Your main account's profile and settings stay as they are; this account's own profile "
                        "is kept only as details of the linked account, and its own settings are discarded."
                    </p>
                    <div class="actions">
                        <button
                            type="button"
                            id="confirm-link-button"
                            on:click=move |_| state.confirm_link()
                            disabled=move || state.any_busy()
                            aria-busy=move || state.is_busy(&Busy::Linking).to_string()
                        >
                            {format!("Link {label} account")}
                        </button>
                        " "
                        <button
                            type="button"
                            class="secondary"
                            id="cancel-link-button"
                            on:click=move |_| state.cancel_link()
                            disabled=move || state.any_busy()
                        >
                            "Cancel"
                        </button>
                    </div>
                </section>
            }
        })
    }
}
