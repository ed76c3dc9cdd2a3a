//! The actions that answer the person's choices on the page: which account
//! stays main, a conflicting setting, signing in again, the unlink question.

use leptos::prelude::*;

use super::browser::go;
use super::{Busy, PageState};
use crate::auth::storage::WebStore;
use crate::flows::linking;
use crate::flows::merge::Keep;
use crate::flows::step_up;

impl PageState {
    /// The person's choice of which account stays main.
    pub fn choose_main(self, make_main: bool) {
        if self.any_busy() {
            return;
        }
        let (Some(p), Some(user)) = (self.pending.get_untracked(), self.user.get_untracked())
        else {
            return;
        };
        match linking::choose_main(&WebStore::session(), &p, &user, make_main) {
            Ok(p) => self.pending.set(Some(p)),
            Err(problem) => self.fail(problem, None),
        }
    }

    /// The person's choice for a conflicting key of the pending link.
    pub fn choose(self, key: String, keep: Keep) {
        if self.any_busy() {
            return;
        }
        if let Some(p) = self.pending.get_untracked() {
            self.pending
                .set(Some(linking::choose(&WebStore::session(), &p, &key, keep)));
        }
    }

    /// "Sign in again" for a change that needs a recent sign-in.
    pub fn reauthenticate(self) {
        let (Some(action), Some(s)) = (self.reauth.get_untracked(), self.session.get_untracked())
        else {
            return;
        };
        if !self.claim(Busy::SigningIn, crate::text::Key::TakingToSignInAgain) {
            return;
        }
        let browser = self.browser();
        let url = self
            .user
            .with_untracked(|u| step_up::start(&browser.env(), &s, action, u.as_ref()));
        go(&url);
    }

    /// The identity whose unlink question is open.
    pub fn asking(&self) -> ReadSignal<Option<String>> {
        self.asking.read_only()
    }

    /// "Not mine": the suggestion of `connection` is hidden on this browser
    /// for this user; the status says where it can be brought back.
    pub fn not_mine(self, connection: String) {
        let Some(s) = self.session.get_untracked() else {
            return;
        };
        crate::flows::suggest::hide(&WebStore::local(), &s.user_id, &connection);
        self.hidden_changed.update(|n| *n += 1);
        self.done(crate::text::Key::NotMineDone);
        super::focus_after_render("link-heading");
    }

    /// Brings back the suggestions the person hid.
    pub fn show_hidden(self) {
        let Some(s) = self.session.get_untracked() else {
            return;
        };
        crate::flows::suggest::show_hidden(&WebStore::local(), &s.user_id);
        self.hidden_changed.update(|n| *n += 1);
        self.done(crate::text::Key::ShownAgain);
        super::focus_after_render("suggest-heading");
    }

    /// Opens the unlink question for `identity` (`provider|user_id`), or
    /// closes it (`None`).
    pub fn ask_unlink(self, identity: Option<String>) {
        self.asking.set(identity);
    }
}
