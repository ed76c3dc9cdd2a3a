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
        state.user().get().map(|user| {
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
        })
    }
}
