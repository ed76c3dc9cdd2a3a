use leptos::prelude::*;

use crate::flows::Next;
use crate::ui::state::PageState;

/// The one place problems are shown: a sentence, and the next step.
#[component]
pub fn ErrorView() -> impl IntoView {
    let state = expect_context::<PageState>();
    move || {
        state.problem().get().map(|problem| {
            let action = match problem.next {
                Next::Retry => view! {
                    <button type="button" id="retry" on:click=move |_| state.retry()>
                        "Try again"
                    </button>
                }
                .into_any(),
                Next::SignIn | Next::SessionEnded => view! {
                    <button type="button" id="sign-in-again" on:click=move |_| state.sign_in()>
                        "Sign in again"
                    </button>
                }
                .into_any(),
                Next::Reauthenticate => view! {
                    <button type="button" id="reauthenticate" on:click=move |_| state.reauthenticate()>
                        "Sign in again"
                    </button>
                }
                .into_any(),
                Next::Dismiss => view! {
                    <button
                        type="button"
                        class="secondary"
                        id="dismiss"
                        on:click=move |_| state.dismiss()
                    >
                        "Dismiss"
                    </button>
                }
                .into_any(),
            };
            view! {
                <section class="error" role="alert" id="problem" tabindex="-1">
                    <p>{problem.message}</p>
                    {action}
                </section>
            }
        })
    }
}
