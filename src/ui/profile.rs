use leptos::prelude::*;

use crate::text;
use crate::text::Key;
use crate::ui::language::{say, t};
use crate::ui::state::PageState;

/// The signed-in person: picture, name and email, as text.
#[component]
pub fn Profile() -> impl IntoView {
    let state = expect_context::<PageState>();
    move || {
        let Some(user) = state.user().get() else {
            // The space the card will take while the account is read (one
            // line each for the name and the email), so nothing below moves.
            return view! {
                <section class="card profile placeholder" aria-hidden="true">
                    <span class="picture"></span>
                    <div>
                        <h2>"\u{a0}"</h2>
                        <p>"\u{a0}"</p>
                    </div>
                </section>
            }
            .into_any();
        };
        {
            let name = user.name.clone().unwrap_or_else(|| user.user_id.clone());
            let alt = say(text!(PictureOf, name = &name));
            view! {
                <section class="card profile" id="profile" aria-label=t(Key::ProfileLabel)>
                    {crate::ui::picture(user.picture.as_deref()).map(|src| view! { <img src=src alt=alt /> })}
                    <div>
                        <h2 id="profile-name">{name}</h2>
                        <p id="profile-email">{user.email}</p>
                    </div>
                </section>
            }
            .into_any()
        }
    }
}
