//! Linking and unlinking: the gates a new account must pass, the pending
//! link awaiting the person's confirmation, and the list's rules.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::auth::id_token::IdClaims;
use crate::auth::session::{LINK_SCOPE, METADATA_SCOPE, Session, granted};
use crate::auth::storage::KeyValue;
use crate::auth::transaction::{Action, Purpose, Transaction};
use crate::auth::{Secret, urls};
use crate::config::{Config, Connection};
use crate::flows::merge::{self, Choices, Keep, KeyPlan};
use crate::flows::{Doing, Env, Next, Problem, step_up, tenant_problem};
use crate::tenant::{Identity, Tenant, TenantError, Tokens, User, who};
use crate::text;
use crate::text::{Key, Text};

mod confirm;
mod gates;
pub mod owed;

pub use confirm::{Cancelled, cancel, confirm};
pub use gates::{check_other, gate};

const PENDING_KEY: &str = "link-accounts.pending-link";
const SHOWN_KEY: &str = "link-accounts.shown";

/// A verified account that the person has not yet confirmed linking. Kept
/// in `sessionStorage` too, so a reload comes back to the confirm step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingLink {
    pub primary: String,
    pub connection: String,
    pub id_token: Secret,
    /// The account's own token, which can change it, and its end: kept
    /// only while the account may become the main one (the link then uses
    /// it), in this tab, with the read-only token its session would keep.
    pub access_token: Option<Secret>,
    pub read_token: Option<Secret>,
    pub expires_at: i64,
    pub auth_time: Option<i64>,
    /// The scopes its token was granted.
    #[serde(default)]
    pub scope: Option<String>,
    /// The person chose to make this account the main one.
    pub make_main: bool,
    /// The link round-trip's nonce, to verify the ID token again on reload.
    pub nonce: String,
    pub sub: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone_number: Option<String>,
    pub picture: Option<String>,
    /// The account's `user_metadata`, which the link would discard: merged
    /// into the main account's first.
    pub user_metadata: Map<String, Value>,
    /// How many entries its `app_metadata` has (the link discards them).
    pub app_metadata_entries: usize,
    /// Its confirmed MFA enrollments, read with its own token at the
    /// callback; `None` when they could not be read.
    pub factors: Option<usize>,
    /// The person's choice for each conflicting key (absent: main's stays).
    pub choices: Choices,
    /// Written before the main account's metadata is updated: the update
    /// that puts it back. Kept until the link is made or the update undone,
    /// so a reload in between neither loses it nor updates twice.
    pub undo: Option<Map<String, Value>>,
}

impl PendingLink {
    /// The account proved by `claims`, as read with its own token (`other`).
    /// Its tokens are not kept: see [`PendingLink::may_become_main`].
    pub fn new(
        primary: String,
        connection: String,
        (id_token, expires_at): (Secret, i64),
        claims: IdClaims,
        other: User,
    ) -> Self {
        PendingLink {
            primary,
            connection,
            id_token,
            access_token: None,
            read_token: None,
            expires_at,
            auth_time: claims.auth_time,
            scope: None,
            make_main: false,
            nonce: String::new(),
            sub: claims.sub,
            name: claims.name,
            email: claims.email,
            phone_number: claims.phone_number,
            picture: claims.picture,
            user_metadata: other.user_metadata,
            app_metadata_entries: other.app_metadata_entries,
            factors: None,
            choices: Choices::new(),
            undo: None,
        }
    }

    /// With the nonce of the round-trip that proved it.
    pub fn with_nonce(mut self, nonce: String) -> Self {
        self.nonce = nonce;
        self
    }

    /// With the scopes its token was granted.
    pub fn with_scope(mut self, scope: Option<String>) -> Self {
        self.scope = scope;
        self
    }

    /// With its tokens, which making it the main account needs: the one
    /// that links, and the read-only one its session would keep.
    pub fn may_become_main(mut self, access_token: Secret, read_token: Secret) -> Self {
        self.access_token = Some(access_token);
        self.read_token = Some(read_token);
        self
    }

    /// Its tokens, when it may become the main account.
    pub fn tokens(&self) -> Option<(&Secret, &Secret)> {
        self.access_token.as_ref().zip(self.read_token.as_ref())
    }

    /// Whether the link may copy settings: the token of the account that
    /// stays main was granted `update:current_user_metadata`.
    pub fn may_copy_settings(&self, session: &Session) -> bool {
        if self.make_main {
            granted(self.scope.as_deref(), METADATA_SCOPE)
        } else {
            session.may(METADATA_SCOPE)
        }
    }

    /// The metadata of the account that stays main, as it was before this
    /// link changed anything, and of the one that stops being main: `main`
    /// (the signed-in account's, as it is now) and this account's, the
    /// other way round when this account becomes main.
    pub fn sides(&self, main: &Map<String, Value>) -> (Map<String, Value>, Map<String, Value>) {
        let (stays, goes) = if self.make_main {
            (&self.user_metadata, main)
        } else {
            (main, &self.user_metadata)
        };
        let before = match &self.undo {
            Some(undo) => merge::apply(stays, undo),
            None => stays.clone(),
        };
        (before, goes.clone())
    }

    /// The metadata of the account that stays main, before this link.
    pub fn main_before(&self, main: &Map<String, Value>) -> Map<String, Value> {
        self.sides(main).0
    }

    /// What happens to each key of the metadata of the account that stops
    /// being main.
    pub fn plan(&self, main: &Map<String, Value>) -> Vec<KeyPlan> {
        let (stays, goes) = self.sides(main);
        merge::plan(&stays, &goes)
    }

    /// The person's choice for a conflicting key.
    pub fn keep(&self, key: &str) -> Keep {
        self.choices.get(key).copied().unwrap_or_default()
    }

    /// The settings a link would lose because the tenant does not let the
    /// page copy them (`main`: the signed-in account's metadata now): the
    /// sentence that names them, if any would be.
    pub fn settings_lost(&self, session: &Session, main: &Map<String, Value>) -> Option<Text> {
        if self.may_copy_settings(session) {
            return None;
        }
        let copied = merge::patch(&self.plan(main), &self.choices);
        (!copied.is_empty()).then(|| {
            text!(
                SettingsNotAllowed,
                settings = confirm::settings(copied.keys().map(String::as_str))
            )
        })
    }

    /// How the account is named to the person ([`who`]), else its id.
    pub fn who(&self) -> String {
        who(&self.email, &self.phone_number, &self.name).unwrap_or_else(|| self.sub.clone())
    }
}

/// Starts the round-trip that proves the other account: `prompt=login` on
/// that connection, in a link transaction bound to the signed-in user. The
/// account as the page shows it (`shown`) is kept with the round-trip's
/// `state`, so that its callback draws the page without reading it again.
/// The URL to go to.
pub fn start<T: Tenant, S: KeyValue>(
    env: &Env<'_, T, S>,
    session: &Session,
    connection: &str,
    shown: Option<&User>,
) -> Result<String, Problem> {
    if !session.may(LINK_SCOPE) {
        return Err(Problem::new(Key::LinkNotAllowed, Next::Dismiss));
    }
    if let Some(main) = shown.filter(|u| u.user_id == session.user_id) {
        main_verified(main).map_err(|why| Problem::new(why, Next::Dismiss))?;
    }
    let action = Action::Link {
        connection: connection.to_owned(),
    };
    step_up::require(env, session, &action)?;
    let purpose = Purpose::Link {
        primary: session.user_id.clone(),
        connection: connection.to_owned(),
    };
    let main = shown.filter(|u| u.user_id == session.user_id);
    // A suggested account has the main account's email: its login page is
    // given it (`login_hint`).
    let hint = main
        .filter(|_| session.suggested.iter().any(|c| c == connection))
        .and_then(|u| u.email.as_deref());
    // A refresh token only when the account may become the main one:
    // its session would keep the read-only token it gives.
    let login = urls::Login {
        connection: Some(connection),
        fresh: true,
        hint,
        offline: main.is_none_or(|u| can_make_main(u).is_ok()),
        ..urls::Login::default()
    };
    let (state, url) = env.begin_round_trip(purpose, &login);
    match shown.filter(|u| u.user_id == session.user_id) {
        Some(user) => env.tab.set(
            SHOWN_KEY,
            &Shown {
                state,
                user: user.clone(),
            },
        ),
        None => env.tab.remove(SHOWN_KEY),
    }
    Ok(url)
}

/// The account the page showed when the round-trip of `state` began, if it
/// is `primary`'s; taken out of the store whatever it holds.
pub fn take_shown(store: &impl KeyValue, state: Option<&str>, primary: &str) -> Option<User> {
    let kept = store.read::<Shown>(SHOWN_KEY);
    store.remove(SHOWN_KEY);
    let Shown {
        state: kept_state,
        user,
    } = kept?;
    (Some(kept_state.as_str()) == state && user.user_id == primary).then_some(user)
}

/// A link's callback, once its ID token is verified: the account it
/// proves (`claims`, and `other` as read with its own token) passes the
/// gates and becomes the pending link. The round-trip must have made the
/// other account sign in; it is refused if it names the signed-in account,
/// an unverified email, someone's main account, or another connection.
pub fn proved<T: Tenant, S: KeyValue>(
    env: &Env<'_, T, S>,
    tx: &Transaction,
    (id_token, tokens): (Secret, &Tokens),
    claims: IdClaims,
    other: Result<User, TenantError>,
) -> Result<PendingLink, Problem> {
    let Purpose::Link {
        primary,
        connection,
    } = &tx.purpose
    else {
        unreachable!("a link's transaction");
    };
    gate(&claims, primary, &env.config.label_of(connection))?;
    if !step_up::signed_in_since(claims.auth_time, tx.created_at, env.now) {
        return Err(Problem::new(Key::NotFreshLink, Next::Dismiss));
    }
    let other = other.map_err(|e| tenant_problem(&e, Doing::Link, env.now))?;
    check_other(&claims, &other, connection, env.config)?;
    let scope = tokens.scope.clone();
    let tokens = (id_token, env.now + tokens.expires_in);
    Ok(
        PendingLink::new(primary.clone(), connection.clone(), tokens, claims, other)
            .with_nonce(tx.nonce.clone())
            .with_scope(scope),
    )
}

/// The main account as the page showed it when a link's round-trip began.
#[derive(Serialize, Deserialize)]
struct Shown {
    state: String,
    user: User,
}

pub fn save_pending(store: &impl KeyValue, pending: &PendingLink) {
    store.set(PENDING_KEY, pending);
}

/// The pending link, if it belongs to the signed-in user; anything else is dropped.
pub fn load_pending(store: &impl KeyValue, session: &Session) -> Option<PendingLink> {
    let pending = store.read::<PendingLink>(PENDING_KEY);
    match pending {
        Some(p) if p.primary == session.user_id => Some(p),
        _ => {
            store.remove(PENDING_KEY);
            None
        }
    }
}

/// The person's choice for a conflicting key, kept with the pending link
/// so that a reload does not lose it.
pub fn choose(store: &impl KeyValue, pending: &PendingLink, key: &str, keep: Keep) -> PendingLink {
    let mut chosen = pending.clone();
    chosen.choices.insert(key.to_owned(), keep);
    save_pending(store, &chosen);
    chosen
}

/// What the account that stops being main loses with the link: Auth0
/// discards its app data, its user id stops existing (the link makes it an
/// identity of the other user), and its MFA enrollments go with that user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Price {
    /// Its user id, which apps may know the person by.
    pub user_id: String,
    /// How it is named to the person.
    pub who: String,
    /// How many entries its app data has (never their values).
    pub app_data: usize,
    /// Its confirmed MFA enrollments; `None` when they could not be read.
    pub factors: Option<usize>,
    /// It is the signed-in account (the person chose to make the other
    /// one main).
    pub is_main: bool,
}

/// Both accounts' confirmed MFA enrollments, each read with its own token
/// (the other account's at its callback); `None` where a read failed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Factors {
    pub main: Option<usize>,
    pub other: Option<usize>,
}

/// Reads the main account's MFA enrollments, for the price of the link;
/// the other account's were read at its callback.
pub async fn factors<T: Tenant, S: KeyValue>(
    env: &Env<'_, T, S>,
    session: &Session,
    pending: &PendingLink,
) -> Factors {
    let main = env
        .tenant
        .enrollments(&session.access_token, &session.user_id)
        .await;
    Factors {
        main: confirmed(main),
        other: pending.factors,
    }
}

/// How many of the enrollments read are confirmed.
pub fn confirmed(read: Result<Vec<crate::tenant::Enrollment>, TenantError>) -> Option<usize> {
    read.ok().map(|list| {
        list.iter()
            .filter(|e| e.status.as_deref() != Some("pending"))
            .count()
    })
}

impl PendingLink {
    /// What the link costs the account that stops being main: this one,
    /// unless the person chose to make it main; then the signed-in `main`.
    pub fn price(&self, main: &User, factors: Option<Factors>) -> Price {
        if self.make_main {
            Price {
                user_id: main.user_id.clone(),
                who: who(&main.email, &main.phone_number, &main.name)
                    .unwrap_or_else(|| main.user_id.clone()),
                app_data: main.app_metadata_entries,
                factors: factors.and_then(|f| f.main),
                is_main: true,
            }
        } else {
            Price {
                user_id: self.sub.clone(),
                who: self.who(),
                app_data: self.app_metadata_entries,
                factors: factors.and_then(|f| f.other),
                is_main: false,
            }
        }
    }
}

/// Whether accounts may be linked to `main`: only when its email address
/// is verified (or, without one, its phone number), as Auth0's guidance
/// for linking asks of both accounts. The sentence to show when not.
pub fn main_verified(main: &User) -> Result<(), Text> {
    match (&main.email, &main.phone_number) {
        (Some(_), _) if main.email_verified == Some(true) => Ok(()),
        (None, Some(_)) if main.phone_verified == Some(true) => Ok(()),
        (email, phone) => {
            let who = email.as_ref().or(phone.as_ref()).unwrap_or(&main.user_id);
            Err(text!(VerifyMainFirst, who = who))
        }
    }
}

/// Whether the pending account may become the main one instead: only when
/// the signed-in account has no other linked accounts (they would have to
/// move along). The reason when not.
pub fn can_make_main(main: &User) -> Result<(), Text> {
    match main.identities.len() {
        0 | 1 => Ok(()),
        n => Err(text!(CannotMakeMain, n = n - 1)),
    }
}

impl PendingLink {
    /// Whether this account may become the main one instead of `main`:
    /// [`can_make_main`], and its tokens kept for it. The reason when not.
    pub fn may_make_main(&self, main: &User) -> Result<(), Text> {
        can_make_main(main)?;
        match self.tokens() {
            Some(_) => Ok(()),
            None => Err(Key::CannotMakeMainNow.into()),
        }
    }
}

/// The person's choice of which account stays main, kept with the pending
/// link. A choice that is not possible is refused.
pub fn choose_main(
    store: &impl KeyValue,
    pending: &PendingLink,
    main: &User,
    make_main: bool,
) -> Result<PendingLink, Problem> {
    if make_main {
        pending
            .may_make_main(main)
            .map_err(|why| Problem::new(why, Next::Dismiss))?;
    }
    if pending.make_main != make_main && pending.undo.is_some() {
        return Err(Problem::new(Key::ChoiceAfterChange, Next::Dismiss));
    }
    let mut chosen = pending.clone();
    if chosen.make_main != make_main {
        // The other direction merges the other way: earlier choices go.
        chosen.make_main = make_main;
        chosen.choices.clear();
    }
    save_pending(store, &chosen);
    Ok(chosen)
}

/// The stored pending link, trusted only once its ID token verifies again
/// (signature, claims, nonce, the gates) and names the same account; what
/// the page shows of it comes from those verified claims. One that does not
/// is dropped, and the problem says so.
pub async fn reload_pending<T: Tenant, S: KeyValue>(
    env: &Env<'_, T, S>,
    session: &Session,
) -> Result<Option<PendingLink>, Problem> {
    let Some(stored) = load_pending(env.tab, session) else {
        return Ok(None);
    };
    let verified = crate::flows::sign_in::verify(env, &stored.id_token, &stored.nonce).await;
    let label = env.config.label_of(&stored.connection);
    let trusted = verified
        .ok()
        .filter(|claims| claims.sub == stored.sub && gate(claims, &stored.primary, &label).is_ok());
    match trusted {
        Some(claims) => {
            let mut pending = stored;
            pending.name = claims.name;
            pending.email = claims.email;
            pending.phone_number = claims.phone_number;
            pending.picture = claims.picture;
            Ok(Some(pending))
        }
        None => {
            clear_pending(env.tab);
            Err(Problem::new(Key::PendingUntrusted, Next::Dismiss))
        }
    }
}

pub fn clear_pending(store: &impl KeyValue) {
    store.remove(PENDING_KEY);
    store.remove(SHOWN_KEY);
}

/// A change to the account's identities, done: the identities the tenant
/// answered, and the sentence that says what happened.
#[derive(Debug, PartialEq, Eq)]
pub struct Changed {
    pub identities: Vec<Identity>,
    pub message: Text,
    /// The main account's `user_metadata`, when this changed it.
    pub main_metadata: Option<Map<String, Value>>,
    /// The new session, when the linked account became the main one (it
    /// is stored already).
    pub session: Option<Session>,
}

/// A link that did not happen: why, and the pending link if it still
/// waits (a retryable failure keeps it; any other drops it).
#[derive(Debug, PartialEq, Eq)]
pub struct NotLinked {
    pub problem: Problem,
    pub pending: Option<PendingLink>,
    /// The main account's `user_metadata`, when it is not as the page last
    /// read it.
    pub main_metadata: Option<Map<String, Value>>,
}

/// Unlinks an identity, on the person's confirmation.
pub async fn unlink<T: Tenant, S: KeyValue>(
    env: &Env<'_, T, S>,
    session: &Session,
    identity: &Identity,
) -> Result<Changed, Problem> {
    // `.` and `..` would be dot segments of the unlink URL's path.
    if [&identity.provider, &identity.user_id]
        .iter()
        .any(|p| p.is_empty() || p.as_str() == "." || p.as_str() == "..")
    {
        return Err(Problem::new(Key::UnsafeId, Next::Dismiss));
    }
    let action = Action::Unlink {
        identity: identity.full_id(),
    };
    let update = step_up::require(env, session, &action)?;
    let unlinked = env
        .tenant
        .unlink(&update, &session.user_id, identity)
        .await
        .map_err(|e| env.ended(tenant_problem(&e, Doing::Unlink, env.now)));
    // The token goes with the change it was for, made or ended; a failure
    // the person may retry keeps it.
    if unlinked
        .as_ref()
        .map_or_else(|p| p.next != Next::Retry, |_| true)
    {
        step_up::drop_update(env.tab);
    }
    let identities = unlinked?;
    let label = env.config.label_of(&identity.connection);
    let who = identity_who(identity).unwrap_or_default();
    Ok(Changed {
        identities,
        message: text!(Unlinked, label = label, who = who),
        main_metadata: None,
        session: None,
    })
}

/// The main identity: `provider|user_id` equal to the session's user id as
/// a whole (ids may hold several `|`, so never split them).
pub fn is_main(identity: &Identity, user_id: &str) -> bool {
    identity.full_id() == user_id
}

/// The main identity first, then the others in the tenant's order.
pub fn ordered(identities: &[Identity], user_id: &str) -> Vec<Identity> {
    let mut out: Vec<Identity> = identities
        .iter()
        .filter(|i| is_main(i, user_id))
        .cloned()
        .collect();
    out.extend(identities.iter().filter(|i| !is_main(i, user_id)).cloned());
    out
}

/// The configured connections the account does not have yet.
pub fn linkable<'a>(config: &'a Config, identities: &[Identity]) -> Vec<&'a Connection> {
    config
        .connections
        .iter()
        .filter(|c| !identities.iter().any(|i| i.connection == c.name))
        .collect()
}

/// How an identity is named in the list ([`who`], from its profile).
pub fn identity_who(identity: &Identity) -> Option<String> {
    let p = identity.profile_data.as_ref()?;
    who(&p.email, &p.phone_number, &p.name)
}

#[cfg(test)]
mod tests;
