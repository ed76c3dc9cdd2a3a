//! The signed-in account: the session read back on load, the user and
//! their identities, and signing out.

use crate::auth::session::{self, Session, Stored};
use crate::auth::storage::KeyValue;
use crate::auth::urls;
use crate::flows::{Doing, Env, Next, Problem, linking, session_ended, tenant_problem};
use crate::tenant::{Tenant, User};

/// What the page has on load, before any call: the stored session, if it
/// still stands, and why not, if it stopped.
#[derive(Debug, PartialEq, Eq)]
pub struct Restored {
    pub session: Option<Session>,
    pub problem: Option<Problem>,
}

/// Reads the stored session; an expired or unreadable one is removed (with
/// the pending link) and the person told.
pub fn restore<T: Tenant, S: KeyValue>(env: &Env<'_, T, S>) -> Restored {
    let problem = match session::load(env.local, env.now) {
        Stored::Active(s) => {
            return Restored {
                session: Some(s),
                problem: None,
            };
        }
        Stored::None => None,
        Stored::Expired => Some(session_ended()),
        Stored::Unreadable => Some(Problem::new(
            crate::text::Key::StoredUnreadable,
            Next::SessionEnded,
        )),
    };
    Restored {
        session: None,
        problem: problem.map(|p| env.ended(p)),
    }
}

/// The session, if it has not expired by now; else it is cleared.
pub fn live<T: Tenant, S: KeyValue>(env: &Env<'_, T, S>, session: &Session) -> Result<(), Problem> {
    if session.expires_at <= env.now {
        return Err(env.ended(session_ended()));
    }
    Ok(())
}

/// The signed-in user and their identities.
pub async fn load<T: Tenant, S: KeyValue>(
    env: &Env<'_, T, S>,
    session: &Session,
) -> Result<User, Problem> {
    live(env, session)?;
    env.tenant
        .get_user(&session.access_token, &session.user_id)
        .await
        .map_err(|e| env.ended(tenant_problem(&e, Doing::LoadAccount, env.now)))
}

/// Signs out here (the session and any pending link are removed) and
/// gives the tenant's logout URL, which ends the tenant's session too.
pub fn sign_out<T: Tenant, S: KeyValue>(env: &Env<'_, T, S>) -> String {
    session::clear(env.local);
    linking::clear_pending(env.tab);
    crate::flows::step_up::drop_update(env.tab);
    urls::logout(env.config, env.redirect_uri)
}
