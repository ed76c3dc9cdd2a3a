//! The page's state, shared through context, and the actions the page's
//! parts call. Each action is a few lines of wiring: the decisions are made
//! in `flows`, `auth` and `tenant`.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;

use crate::auth::session::{self, Session, Stored};
use crate::auth::storage::WebStore;
use crate::auth::{now, urls};
use crate::config::Config;
use crate::flows::linking::{self, PendingLink};
use crate::flows::sign_in::{self, Returned};
use crate::flows::{Doing, Next, Problem, tenant_problem};
use crate::tenant::{self, Identity, User};

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
    /// Unlinking the identity with this `provider|user_id`.
    Unlinking(String),
}

/// What "Try again" does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Retry {
    LoadAccount,
    ConfirmLink,
    Unlink(Identity),
}

/// The page's state: signals only, so it is `Copy`.
#[derive(Clone, Copy)]
pub struct PageState {
    pub config: StoredValue<Config>,
    pub session: RwSignal<Option<Session>>,
    pub user: RwSignal<Option<User>>,
    /// A sentence for screen readers and everyone: what is happening or just happened.
    pub status: RwSignal<String>,
    pub busy: RwSignal<Option<Busy>>,
    pub problem: RwSignal<Option<Problem>>,
    pub retry: RwSignal<Option<Retry>>,
    pub pending: RwSignal<Option<PendingLink>>,
}

fn origin() -> String {
    window().location().origin().unwrap_or_default()
}

fn go(url: &str) {
    let _ = window().location().set_href(url);
}

/// Moves keyboard focus to the element `id` once the page has drawn it, so
/// that keyboard and screen-reader users land where the change happened.
fn focus_after_render(id: &'static str) {
    request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        if let Some(el) = document()
            .get_element_by_id(id)
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    });
}

impl PageState {
    pub fn new(config: Config) -> Self {
        PageState {
            config: StoredValue::new(config),
            session: RwSignal::new(None),
            user: RwSignal::new(None),
            status: RwSignal::new(String::new()),
            busy: RwSignal::new(None),
            problem: RwSignal::new(None),
            retry: RwSignal::new(None),
            pending: RwSignal::new(None),
        }
    }

    fn redirect_uri(&self) -> String {
        urls::redirect_uri(&origin(), &self.config.read_value())
    }

    /// The signed-in user's id, or nothing.
    pub fn user_id(&self) -> Option<String> {
        self.session.with(|s| s.as_ref().map(|s| s.user_id.clone()))
    }

    pub fn is_busy(&self, what: &Busy) -> bool {
        self.busy.with(|b| b.as_ref() == Some(what))
    }

    /// Claims the page for one action; `false` if something is under way.
    fn claim(&self, what: Busy, status: impl Into<String>) -> bool {
        if self.busy.with_untracked(Option::is_some) {
            return false;
        }
        self.busy.set(Some(what));
        self.problem.set(None);
        self.status.set(status.into());
        true
    }

    fn done(&self, status: impl Into<String>) {
        self.busy.set(None);
        self.status.set(status.into());
    }

    /// Shows a problem; a session that has ended is cleared.
    fn fail(&self, problem: Problem, retry: Option<Retry>) {
        if problem.next == Next::SessionEnded {
            session::clear(&WebStore::local());
            linking::clear_pending(&WebStore::session());
            self.session.set(None);
            self.user.set(None);
            self.pending.set(None);
        }
        self.busy.set(None);
        self.status.set(String::new());
        self.retry
            .set(retry.filter(|_| problem.next == Next::Retry));
        self.problem.set(Some(problem));
    }

    /// The session, if it has not expired; else the person is told.
    fn live_session(&self) -> Option<Session> {
        let s = self.session.get_untracked()?;
        if s.expires_at <= now() {
            self.fail(
                Problem::new("Your session has ended. Sign in again.", Next::SessionEnded),
                None,
            );
            return None;
        }
        Some(s)
    }

    /// On load: a callback from the tenant, or the stored session.
    pub fn init(self) {
        let search = window().location().search().unwrap_or_default();
        let callback = sign_in::read_callback(&urls::query_params(&search));
        let current = match session::load(&WebStore::local(), now()) {
            Stored::Active(s) => Some(s),
            Stored::None => None,
            Stored::Expired => {
                self.fail(
                    Problem::new("Your session has ended. Sign in again.", Next::SessionEnded),
                    None,
                );
                None
            }
            Stored::Unreadable => {
                self.fail(
                    Problem::new(
                        "Your saved sign-in could not be read, so you are signed out. Sign in again.",
                        Next::SessionEnded,
                    ),
                    None,
                );
                None
            }
        };
        self.session.set(current.clone());
        let Some(callback) = callback else {
            if let Some(s) = &current {
                let pending = linking::load_pending(&WebStore::session(), s);
                if pending.is_some() {
                    focus_after_render("confirm-heading");
                }
                self.pending.set(pending);
                self.load_account();
            }
            return;
        };
        // The code and state leave the address bar at once, whatever follows.
        if let Ok(history) = window().history() {
            let path = window()
                .location()
                .pathname()
                .unwrap_or_else(|_| "/".into());
            let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&path));
        }
        self.claim(Busy::Returning, "Finishing with the account service…");
        let config = self.config.get_value();
        let redirect_uri = self.redirect_uri();
        spawn_local(async move {
            let result = sign_in::complete(
                &config,
                &redirect_uri,
                &callback,
                &WebStore::session(),
                current.as_ref(),
                now(),
            )
            .await;
            self.busy.set(None);
            match result {
                Ok(Returned::SignedIn(s)) => {
                    session::save(&WebStore::local(), &s);
                    linking::clear_pending(&WebStore::session());
                    self.pending.set(None);
                    self.session.set(Some(s));
                    self.load_account();
                }
                Ok(Returned::LinkReady(p)) => {
                    linking::save_pending(&WebStore::session(), &p);
                    self.pending.set(Some(p));
                    focus_after_render("confirm-heading");
                    self.load_account();
                }
                Err(problem) => {
                    self.fail(problem, None);
                    if self.session.with_untracked(Option::is_some) {
                        self.pending.set(
                            current
                                .as_ref()
                                .and_then(|s| linking::load_pending(&WebStore::session(), s)),
                        );
                        self.load_account();
                    }
                }
            }
        });
    }

    /// Fetches the user and their identities.
    pub fn load_account(self) {
        let Some(s) = self.live_session() else { return };
        self.busy.set(Some(Busy::Loading));
        if self.problem.with_untracked(Option::is_none) {
            self.status.set("Loading your accounts…".into());
        }
        let config = self.config.get_value();
        spawn_local(async move {
            match tenant::get_user(&config, &s.access_token, &s.user_id).await {
                Ok(user) => {
                    self.user.set(Some(user));
                    let status = if self.pending.with_untracked(Option::is_some) {
                        "Check the account below, then confirm or cancel the link."
                    } else {
                        ""
                    };
                    self.busy.set(None);
                    if self.problem.with_untracked(Option::is_none) {
                        self.status.set(status.into());
                    }
                }
                Err(e) => self.fail(
                    tenant_problem(&e, Doing::LoadAccount, now()),
                    Some(Retry::LoadAccount),
                ),
            }
        });
    }

    pub fn sign_in(self) {
        if !self.claim(Busy::SigningIn, "Taking you to sign in…") {
            return;
        }
        let url = sign_in::start(
            &self.config.read_value(),
            &self.redirect_uri(),
            &WebStore::session(),
            now(),
        );
        go(&url);
    }

    pub fn sign_out(self) {
        if !self.claim(Busy::SigningOut, "Signing you out…") {
            return;
        }
        session::clear(&WebStore::local());
        linking::clear_pending(&WebStore::session());
        go(&urls::logout(
            &self.config.read_value(),
            &self.redirect_uri(),
        ));
    }

    pub fn start_link(self, connection: String) {
        let Some(s) = self.live_session() else { return };
        let label = self.config.read_value().label_of(&connection).to_owned();
        if !self.claim(
            Busy::StartingLink(connection.clone()),
            format!("Taking you to {label} to sign in with the account to link…"),
        ) {
            return;
        }
        let url = linking::start(
            &self.config.read_value(),
            &self.redirect_uri(),
            &WebStore::session(),
            &s,
            &connection,
            now(),
        );
        go(&url);
    }

    pub fn confirm_link(self) {
        let Some(pending) = self.pending.get_untracked() else {
            return;
        };
        let Some(s) = self.live_session() else { return };
        let label = self
            .config
            .read_value()
            .label_of(&pending.connection)
            .to_owned();
        if !self.claim(Busy::Linking, format!("Linking your {label} account…")) {
            return;
        }
        let config = self.config.get_value();
        spawn_local(async move {
            match linking::confirm(&config, &s, &pending, now()).await {
                Ok(identities) => {
                    self.set_identities(identities);
                    linking::clear_pending(&WebStore::session());
                    self.pending.set(None);
                    self.done(format!("Linked your {label} account {}.", pending.who()));
                    focus_after_render("accounts-heading");
                }
                Err(problem) => {
                    if problem.next != Next::Retry {
                        linking::clear_pending(&WebStore::session());
                        self.pending.set(None);
                    }
                    self.fail(problem, Some(Retry::ConfirmLink));
                }
            }
        });
    }

    pub fn cancel_link(self) {
        linking::clear_pending(&WebStore::session());
        self.pending.set(None);
        self.status.set("Nothing was linked.".into());
    }

    pub fn unlink(self, identity: Identity) {
        let Some(s) = self.live_session() else { return };
        let label = self
            .config
            .read_value()
            .label_of(&identity.connection)
            .to_owned();
        let who = linking::identity_who(&identity).unwrap_or_default();
        if !self.claim(
            Busy::Unlinking(identity.full_id()),
            format!("Unlinking your {label} account…"),
        ) {
            return;
        }
        let config = self.config.get_value();
        spawn_local(async move {
            match linking::unlink(&config, &s, &identity, now()).await {
                Ok(identities) => {
                    self.set_identities(identities);
                    self.done(format!(
                        "Unlinked your {label} account {who}. It is a separate account again."
                    ));
                    focus_after_render("accounts-heading");
                }
                Err(problem) => self.fail(problem, Some(Retry::Unlink(identity))),
            }
        });
    }

    /// The account's identities, as the tenant last answered them.
    fn set_identities(self, identities: Vec<Identity>) {
        self.user.update(|u| {
            if let Some(u) = u {
                u.identities = identities;
            }
        });
    }

    /// "Try again" after a problem.
    pub fn retry(self) {
        self.problem.set(None);
        match self.retry.get_untracked() {
            Some(Retry::LoadAccount) => self.load_account(),
            Some(Retry::ConfirmLink) => self.confirm_link(),
            Some(Retry::Unlink(identity)) => self.unlink(identity),
            None => {}
        }
    }
}
