//! How the flows' answers are put on the page: a pending link, and a
//! change to the account (or the account that became the main one), the
//! account as read.

use leptos::prelude::*;
use serde_json::{Map, Value};

use super::{PageState, Retry, focus_after_render};
use crate::flows::Problem;
use crate::flows::linking::{self, Changed, PendingLink};
use crate::tenant::User;
use crate::text;
use crate::text::{Key, Text};

impl PageState {
    pub(super) fn show_pending(&self, pending: Option<PendingLink>) {
        let new = pending.as_ref().map(|p| p.sub.clone());
        let shown = self
            .pending
            .with_untracked(|p| p.as_ref().map(|p| p.sub.clone()));
        if pending.is_some() {
            focus_after_render("confirm-heading");
        }
        if let Some(p) = pending.as_ref().filter(|_| new != shown) {
            self.read_factors(p.clone());
        }
        self.pending.set(pending);
    }

    /// Reads both accounts' MFA enrollments, for what the link costs.
    fn read_factors(&self, pending: PendingLink) {
        self.factors.set(None);
        let Some(session) = self.session.get_untracked() else {
            return;
        };
        let browser = self.browser();
        let state = *self;
        leptos::task::spawn_local(async move {
            let read = linking::factors(&browser.env(), &session, &pending).await;
            state.factors.set(Some(read));
        });
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
        // The page's other tabs draw their list again.
        super::browser::tell_other_tabs();
        if let Some(session) = changed.session {
            // The new main account's read is queued before the page is
            // drawn for it (see `read_account`).
            self.read_account(session.clone(), Some(changed.message));
            self.session.set(Some(session));
            self.user.set(None);
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

    /// The account as read (or, at a link callback, as the page showed it
    /// when the round-trip began); then says `done`, if given.
    pub(super) fn show_loaded(&self, loaded: Result<User, Problem>, done: Option<Text>) {
        match loaded {
            Ok(user) => {
                self.user.set(Some(user));
                self.busy.set(None);
                if self.problem.with_untracked(Option::is_none) {
                    let success = done.is_some();
                    let status = if let Some(done) = done {
                        done
                    } else if self.pending.with_untracked(Option::is_some) {
                        Key::CheckThenConfirm.into()
                    } else {
                        Text::empty()
                    };
                    self.say(status, success);
                }
            }
            Err(mut problem) => {
                // A problem already shown (a refused callback, say) is
                // not lost behind this one.
                if let Some(shown) = self.problem.get_untracked() {
                    problem.message = text!(Both, first = shown.message, then = problem.message);
                }
                self.fail(problem, Some(Retry::LoadAccount));
            }
        }
    }
}
