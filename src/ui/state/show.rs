//! How the flows' answers are put on the page: a pending link, and a
//! change to the account (or the account that became the main one).

use leptos::prelude::*;
use serde_json::{Map, Value};

use super::{PageState, focus_after_render};
use crate::flows::linking::{Changed, PendingLink};
use crate::tenant::User;

impl PageState {
    pub(super) fn show_pending(&self, pending: Option<PendingLink>) {
        if pending.is_some() {
            focus_after_render("confirm-heading");
        }
        self.pending.set(pending);
    }

    /// The main account's metadata, as the tenant last answered it.
    pub(super) fn show_metadata(&self, metadata: Option<Map<String, Value>>) {
        if let Some(metadata) = metadata {
            self.user.update(|u| {
                if let Some(u) = u {
                    u.user_metadata = metadata;
                }
            });
        }
    }

    /// The account's identities, as the tenant last answered them; or,
    /// when the linked account became the main one, that account.
    pub(super) fn show_changed(&self, changed: Changed) {
        if let Some(session) = changed.session {
            self.session.set(Some(session));
            self.user.set(None);
            self.busy.set(None);
            self.load_account(Some(changed.message));
            focus_after_render("accounts-heading");
            return;
        }
        self.show_metadata(changed.main_metadata);
        self.user.update(|u| {
            if let Some(u) = u {
                u.identities = changed.identities;
            }
        });
        self.done(changed.message);
        focus_after_render("accounts-heading");
    }

    /// The main account as the page showed it when a link round-trip
    /// began, drawn at once at its callback.
    pub(super) fn show_as_shown(&self, user: User) {
        self.user.set(Some(user));
        if self.problem.with_untracked(Option::is_none) {
            self.say(crate::text::Key::CheckThenConfirm.into(), false);
        }
    }
}
