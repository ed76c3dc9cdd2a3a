//! The page's state, shared through context, and the actions the page's
//! parts call. An action claims the page, runs a flow, and puts the value
//! the flow returned into signals; the decisions (and what is stored) are
//! the flows'. Components read the state through its accessors and change
//! it only through its actions.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::auth::session::Session;
use crate::auth::storage::WebStore;
use crate::auth::transaction::Action;
use crate::config::Config;
use crate::flows::linking::{self, NotLinked, PendingLink};
use crate::flows::sign_in::{self, Exchanged, Returned};
use crate::flows::{Next, Problem, account, suggest};
use crate::tenant::{Identity, User};
use crate::text;
use crate::text::{Key, Text};

mod browser;
mod choices;
mod show;

pub(crate) use browser::focus_after_render;
use browser::{Browser, go};
pub use browser::{capture_callback, exchange_early};

/// What is under way; at most one thing at a time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Busy {
    SigningIn,
    SigningOut,
    Returning,
    Loading,
    /// Leaving for this connection's login, to link it.
    StartingLink(String),
    Linking,
    /// Dropping the pending link (and putting metadata back if need be).
    Cancelling,
    /// Unlinking the identity with this `provider|user_id`.
    Unlinking(String),
}

/// What "Try again" does.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Retry {
    LoadAccount,
    ConfirmLink,
    CancelLink,
    Unlink(Identity),
}

/// The page's state: signals only, so it is `Copy`. Only its actions write them.
#[derive(Clone, Copy)]
pub struct PageState {
    config: StoredValue<Config>,
    session: RwSignal<Option<Session>>,
    user: RwSignal<Option<User>>,
    /// A sentence for screen readers and everyone: what is happening or just happened.
    status: RwSignal<Text>,
    /// The status reports a change that has just been made (it then fades).
    success: RwSignal<bool>,
    busy: RwSignal<Option<Busy>>,
    problem: RwSignal<Option<Problem>>,
    retry: RwSignal<Option<Retry>>,
    pending: RwSignal<Option<PendingLink>>,
    /// Both accounts' MFA enrollments, once read for the pending link.
    factors: RwSignal<Option<linking::Factors>>,
    /// The change a "Sign in again" is for.
    reauth: RwSignal<Option<Action>>,
    /// The identity (`provider|user_id`) whose unlink question is open.
    asking: RwSignal<Option<String>>,
    /// Counts "Not mine" and "Show hidden suggestions": what is hidden is
    /// read from `localStorage` again when it changes.
    hidden_changed: RwSignal<u32>,
}

impl PageState {
    pub fn new(config: Config) -> Self {
        PageState {
            config: StoredValue::new(config),
            session: RwSignal::new(None),
            user: RwSignal::new(None),
            reauth: RwSignal::new(None),
            asking: RwSignal::new(None),
            status: RwSignal::new(Text::empty()),
            success: RwSignal::new(false),
            busy: RwSignal::new(None),
            problem: RwSignal::new(None),
            retry: RwSignal::new(None),
            pending: RwSignal::new(None),
            factors: RwSignal::new(None),
            hidden_changed: RwSignal::new(0),
        }
    }

    // Reading.

    /// Reads the configuration.
    pub fn with_config<R>(&self, f: impl FnOnce(&Config) -> R) -> R {
        self.config.with_value(f)
    }

    /// The suggested accounts to offer (`flows::suggest`), and how many the
    /// person hid on this browser.
    pub fn suggestions(&self) -> (Vec<crate::config::Connection>, usize) {
        self.hidden_changed.track();
        self.session.with(|s| {
            self.user.with(|u| {
                let (Some(s), Some(u)) = (s, u) else {
                    return (Vec::new(), 0);
                };
                let hidden = suggest::hidden(&WebStore::local(), &s.user_id);
                self.with_config(|c| {
                    let (shown, hidden) = suggest::suggestions(c, s, u, &hidden);
                    (shown.into_iter().cloned().collect(), hidden)
                })
            })
        })
    }

    /// The signed-in user and their identities, once loaded.
    pub fn user(&self) -> ReadSignal<Option<User>> {
        self.user.read_only()
    }

    /// The account waiting for the person to confirm the link.
    pub fn pending(&self) -> ReadSignal<Option<PendingLink>> {
        self.pending.read_only()
    }

    /// Both accounts' MFA enrollments, once read (tracked).
    pub fn factors(&self) -> Option<linking::Factors> {
        self.factors.get()
    }

    /// The problem shown, if any.
    pub fn problem(&self) -> ReadSignal<Option<Problem>> {
        self.problem.read_only()
    }

    /// What is happening or just happened, in a sentence.
    pub fn status(&self) -> ReadSignal<Text> {
        self.status.read_only()
    }

    /// Whether the status reports a change just made, rather than progress.
    pub fn success(&self) -> ReadSignal<bool> {
        self.success.read_only()
    }

    /// Reads the session (tracked).
    pub fn with_session<R>(&self, f: impl FnOnce(Option<&Session>) -> R) -> R {
        self.session.with(|s| f(s.as_ref()))
    }

    /// Whether someone is signed in (tracked).
    pub fn signed_in(&self) -> bool {
        self.session.with(Option::is_some)
    }

    /// Signed in, or completing a callback (which reads the account it
    /// signs in), as the account's place is drawn (tracked).
    pub fn account_page(&self) -> bool {
        self.signed_in() || self.is_busy(&Busy::Returning)
    }

    /// The account's place drawn, with the account not read yet (nor
    /// failed to be).
    pub fn reading_account(&self) -> bool {
        self.account_page() && self.user.with(Option::is_none) && self.problem.with(Option::is_none)
    }

    /// The signed-in user's id, or nothing.
    pub fn user_id(&self) -> Option<String> {
        self.session.with(|s| s.as_ref().map(|s| s.user_id.clone()))
    }

    /// Whether anything is under way (tracked): every button waits.
    pub fn any_busy(&self) -> bool {
        self.busy.with(Option::is_some)
    }

    /// Whether this is what is under way (tracked).
    pub fn is_busy(&self, what: &Busy) -> bool {
        self.busy.with(|b| b.as_ref() == Some(what))
    }

    // Writing: claim, done, fail.

    fn browser(&self) -> Browser {
        Browser::new(self.config.get_value())
    }

    /// Claims the page for one action; `false` if something is under way.
    fn claim(&self, what: Busy, status: impl Into<Text>) -> bool {
        if self.busy.with_untracked(Option::is_some) {
            return false;
        }
        self.busy.set(Some(what));
        self.problem.set(None);
        self.say(status.into(), false);
        true
    }

    fn done(&self, status: impl Into<Text>) {
        self.busy.set(None);
        self.say(status.into(), true);
    }

    /// Sets the status line: progress, or a change just made.
    fn say(&self, status: Text, success: bool) {
        self.success.set(success);
        self.status.set(status);
    }

    /// Shows a problem met on the way to `action`: one that asks for a
    /// recent sign-in remembers the action, for "Sign in again".
    fn refuse(&self, problem: Problem, action: Action, retry: Option<Retry>) {
        if problem.next == Next::Reauthenticate {
            self.reauth.set(Some(action));
        }
        self.fail(problem, retry);
    }

    /// Shows a problem; when the session has ended, the page forgets it
    /// (the flow has already removed it from storage).
    fn fail(&self, problem: Problem, retry: Option<Retry>) {
        if problem.next == Next::SessionEnded {
            self.session.set(None);
            self.user.set(None);
            self.pending.set(None);
        }
        self.busy.set(None);
        self.say(Text::empty(), false);
        self.retry
            .set(retry.filter(|_| problem.next == Next::Retry));
        self.problem.set(Some(problem));
        focus_after_render("problem");
    }

    // Actions.

    /// On load: a callback from the tenant, or the stored session.
    pub fn init(self, callback: Option<Result<Exchanged, Problem>>) {
        browser::follow_other_tabs(move || {
            if self.signed_in() && !self.any_busy() {
                self.load_account(None);
            }
        });
        let browser = self.browser();
        let env = browser.env();
        if !crate::auth::storage::WebStore::works() {
            self.fail(Problem::new(Key::StorageOff, Next::Dismiss), None);
        }
        let restored = account::restore(&env);
        if let Some(problem) = restored.problem {
            self.fail(problem, None);
        }
        let current = restored.session;
        self.session.set(current.clone());
        let Some(callback) = callback else {
            if let Some(s) = current {
                self.reload_pending(s, None);
            }
            // After the account's read: the next callback's keys.
            spawn_local(async move {
                sign_in::keep_keys_ahead(&browser.env()).await;
            });
            return;
        };
        self.claim(Busy::Returning, Key::Finishing);
        spawn_local(async move {
            let returned = sign_in::finish(&browser.env(), callback, current.as_ref()).await;
            self.busy.set(None);
            match returned {
                Returned::SignedIn {
                    session,
                    account,
                    revoke,
                } => {
                    self.pending.set(None);
                    self.session.set(Some(session));
                    self.show_loaded(account, None);
                    return self.revoke(revoke);
                }
                Returned::LinkReady {
                    pending,
                    shown,
                    revoke,
                } => {
                    self.show_pending(Some(pending));
                    // Drawn as it was shown; the link's answer replaces it.
                    if let Some(user) = shown {
                        self.show_loaded(Ok(user), None);
                        return self.revoke(revoke);
                    }
                    self.revoke(revoke);
                }
                Returned::Refused { problem, pending } => {
                    self.fail(problem, None);
                    self.pending.set(pending);
                }
                Returned::SteppedUp { session, action } => {
                    self.session.set(Some(session.clone()));
                    match action {
                        // Going on to the other account's login changes nothing.
                        Action::Link { connection } => return self.start_link(connection),
                        Action::Confirm => {
                            return self
                                .reload_pending(session, Some(Key::SignedInAgainConfirm.into()));
                        }
                        Action::Unlink { identity } => {
                            self.asking.set(Some(identity));
                            return self.load_account(Some(Key::SignedInAgainUnlink.into()));
                        }
                    }
                }
            }
            if self.session.with_untracked(Option::is_some) {
                self.load_account(None);
            }
        });
    }

    /// After the page is drawn: the refresh token a callback used once,
    /// for the read-only token, is revoked.
    fn revoke(&self, refresh_token: Option<crate::auth::Secret>) {
        if let Some(token) = refresh_token {
            let browser = self.browser();
            spawn_local(async move {
                let _ = sign_in::revoke(&browser.env(), &token).await;
            });
        }
    }

    /// The stored pending link, verified again, then the account.
    fn reload_pending(self, session: Session, done: Option<Text>) {
        let browser = self.browser();
        spawn_local(async move {
            let env = browser.env();
            let pending = match linking::reload_pending(&env, &session).await {
                Ok(pending) => pending,
                Err(problem) => {
                    self.fail(problem, None);
                    None
                }
            };
            // An undo another tab left owed: put back before the account
            // is read, so what is shown is what holds.
            let owed = linking::owed::settle_owed(&env, &session, pending.as_ref()).await;
            self.show_pending(pending);
            let done = match owed {
                Some(Ok(put_back)) => Some(put_back),
                Some(Err(named)) => {
                    self.fail(Problem::new(named, Next::Dismiss), None);
                    done
                }
                None => done,
            };
            self.load_account(done);
        });
    }

    /// Fetches the user and their identities; then says `done`, if given.
    fn load_account(self, done: Option<Text>) {
        if let Some(s) = self.session.get_untracked() {
            self.read_account(s, done);
        }
    }

    /// Reads `session`'s account. The read is queued before anything this
    /// changes is drawn again, so its request is sent first.
    fn read_account(self, session: Session, done: Option<Text>) {
        let browser = self.browser();
        spawn_local(async move {
            let loaded = account::load(&browser.env(), &session).await;
            self.show_loaded(loaded, done);
        });
        self.busy.set(Some(Busy::Loading));
        if self.problem.with_untracked(Option::is_none) {
            self.say(Key::LoadingAccounts.into(), false);
        }
    }

    pub fn sign_in(self) {
        if !self.claim(Busy::SigningIn, Key::TakingToSignIn) {
            return;
        }
        let browser = self.browser();
        go(&sign_in::start(&browser.env()));
    }

    pub fn sign_out(self) {
        if !self.claim(Busy::SigningOut, Key::SigningOut) {
            return;
        }
        let browser = self.browser();
        go(&account::sign_out(&browser.env()));
    }

    pub fn start_link(self, connection: String) {
        let Some(s) = self.session.get_untracked() else {
            return;
        };
        let label = self.with_config(|c| c.label_of(&connection));
        if !self.claim(
            Busy::StartingLink(connection.clone()),
            text!(TakingToLink, label = label),
        ) {
            return;
        }
        let browser = self.browser();
        let shown = self.user.get_untracked();
        match linking::start(&browser.env(), &s, &connection, shown.as_ref()) {
            Ok(url) => go(&url),
            Err(problem) => self.refuse(problem, Action::Link { connection }, None),
        }
    }

    pub fn confirm_link(self) {
        let (Some(pending), Some(s), Some(main)) = (
            self.pending.get_untracked(),
            self.session.get_untracked(),
            self.user
                .with_untracked(|u| u.as_ref().map(|u| u.user_metadata.clone())),
        ) else {
            return;
        };
        let label = self.with_config(|c| c.label_of(&pending.connection));
        if !self.claim(Busy::Linking, text!(LinkingAccount, label = label)) {
            return;
        }
        let browser = self.browser();
        spawn_local(async move {
            match linking::confirm(&browser.env(), &s, &pending, &main).await {
                Ok(changed) => {
                    self.pending.set(None);
                    self.show_changed(changed);
                }
                Err(not_linked) => self.not_linked(not_linked, Action::Confirm, Retry::ConfirmLink),
            }
        });
    }

    fn not_linked(&self, not_linked: NotLinked, action: Action, retry: Retry) {
        let NotLinked {
            problem,
            pending,
            main_metadata,
        } = not_linked;
        self.show_metadata(main_metadata);
        self.pending.set(pending);
        self.refuse(problem, action, Some(retry));
    }

    pub fn cancel_link(self) {
        let (Some(pending), Some(s)) = (self.pending.get_untracked(), self.session.get_untracked())
        else {
            return;
        };
        if !self.claim(Busy::Cancelling, Key::CancellingLink) {
            return;
        }
        let browser = self.browser();
        spawn_local(async move {
            match linking::cancel(&browser.env(), &s, &pending).await {
                Ok(cancelled) => {
                    self.pending.set(None);
                    self.show_metadata(cancelled.main_metadata);
                    self.done(cancelled.message);
                    focus_after_render("accounts-heading");
                }
                Err(not_linked) => self.not_linked(not_linked, Action::Confirm, Retry::CancelLink),
            }
        });
    }

    pub fn unlink(self, identity: Identity) {
        let Some(s) = self.session.get_untracked() else {
            return;
        };
        let label = self.with_config(|c| c.label_of(&identity.connection));
        if !self.claim(
            Busy::Unlinking(identity.full_id()),
            text!(UnlinkingAccount, label = label),
        ) {
            return;
        }
        let browser = self.browser();
        spawn_local(async move {
            let result = linking::unlink(&browser.env(), &s, &identity).await;
            self.asking.set(None);
            match result {
                Ok(changed) => self.show_changed(changed),
                Err(problem) => {
                    let action = Action::Unlink {
                        identity: identity.full_id(),
                    };
                    self.refuse(problem, action, Some(Retry::Unlink(identity)));
                }
            }
        });
    }

    /// "Dismiss": the problem goes.
    pub fn dismiss(self) {
        self.problem.set(None);
    }

    /// "Try again" after a problem.
    pub fn retry(self) {
        self.problem.set(None);
        match self.retry.get_untracked() {
            Some(Retry::LoadAccount) => self.load_account(None),
            Some(Retry::ConfirmLink) => self.confirm_link(),
            Some(Retry::CancelLink) => self.cancel_link(),
            Some(Retry::Unlink(identity)) => self.unlink(identity),
            None => {}
        }
    }
}
