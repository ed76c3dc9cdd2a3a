//! A recent sign-in before a change to the account: linking, confirming a
//! link and unlinking need a token that only a fresh sign-in gives (the
//! update token, kept in this tab for the configured window); without
//! one, the person signs in again as the main account, and the page comes
//! back to the change they were making. What `localStorage` keeps can only
//! read, so nothing there can change the account.

use crate::auth::id_token::LEEWAY_SECS;
use crate::auth::session::Session;
use crate::auth::storage::KeyValue;
use crate::auth::transaction::{self, Action, Purpose};
use crate::auth::{Secret, urls};
use crate::flows::{Env, Next, Problem, account};
use crate::tenant::{Tenant, User};
use crate::text::{Key, Text};

const GRANT_KEY: &str = "link-accounts.step-up";
const UPDATE_KEY: &str = "link-accounts.update-token";

/// The token that can change the account: from a round-trip whose ID token
/// proved a sign-in within the window, kept in this tab only, until then.
#[derive(serde::Serialize, serde::Deserialize)]
struct UpdateToken {
    user_id: String,
    access_token: Secret,
    until: i64,
}

/// Keeps `token`, `user_id`'s, for changes until `until`.
pub fn keep_update(tab: &impl KeyValue, user_id: &str, token: &Secret, until: i64, now: i64) {
    if until >= now {
        let kept = UpdateToken {
            user_id: user_id.to_owned(),
            access_token: token.clone(),
            until,
        };
        tab.set(UPDATE_KEY, &kept);
    }
}

/// The update token of the session's user, while its time lasts; an
/// expired one, or another user's, is dropped.
pub fn update_token(tab: &impl KeyValue, session: &Session, now: i64) -> Option<Secret> {
    match tab.read::<UpdateToken>(UPDATE_KEY) {
        Some(t) if t.user_id == session.user_id && now <= t.until => Some(t.access_token),
        Some(_) => {
            drop_update(tab);
            None
        }
        None => None,
    }
}

/// Drops the update token: sign-out, an ended session, a change that was
/// its one use.
pub fn drop_update(tab: &impl KeyValue) {
    tab.remove(UPDATE_KEY);
}

/// Until when a sign-in at `auth_time` may change the account: the window
/// from it, or, with a window of 0, the one change it was made for (ten
/// minutes at most); never past the token's own end.
pub fn update_until(auth_time: i64, window: i64, expires_at: i64, now: i64) -> i64 {
    let until = if window > 0 {
        auth_time + window
    } else {
        now + transaction::LIFETIME_SECS
    };
    until.min(expires_at)
}

/// Within `max_age` seconds of now (at the limit included). Missing, or
/// further in the future than the clocks' leeway: not recent. A window of
/// 0 makes nothing recent: only a sign-in made for the change counts.
pub fn is_recent(auth_time: Option<i64>, now: i64, max_age: i64) -> bool {
    match auth_time {
        Some(t) if t <= now + LEEWAY_SECS => max_age > 0 && now - t <= max_age,
        _ => false,
    }
}

/// A sign-in made during a round-trip that began at `started`: `auth_time`
/// at or after it (the clocks' leeway allowed), and not in the future.
pub fn signed_in_since(auth_time: Option<i64>, started: i64, now: i64) -> bool {
    matches!(auth_time, Some(t) if t >= started - LEEWAY_SECS && t <= now + LEEWAY_SECS)
}

/// A sign-in made for one change: good for that change once, even with a
/// window of 0.
#[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Grant {
    user_id: String,
    action: Action,
    auth_time: i64,
}

/// Keeps the sign-in just made for `action`.
pub fn grant(store: &impl KeyValue, session: &Session, action: &Action) {
    if let Some(auth_time) = session.auth_time {
        let grant = Grant {
            user_id: session.user_id.clone(),
            action: action.clone(),
            auth_time,
        };
        store.set(GRANT_KEY, &grant);
    }
}

/// Uses up the grant for `action`, if the session's sign-in was made for it.
fn take_grant(store: &impl KeyValue, session: &Session, action: &Action, now: i64) -> bool {
    let grant = store.read::<Grant>(GRANT_KEY);
    store.remove(GRANT_KEY);
    grant.is_some_and(|g| {
        g.user_id == session.user_id
            && &g.action == action
            && Some(g.auth_time) == session.auth_time
            && now - g.auth_time <= transaction::LIFETIME_SECS
    })
}

/// Whether the session may make `action` now: the update token to make it
/// with; if not, the problem that says why and offers to sign in again
/// (`Next::Reauthenticate`). Nothing in `localStorage` counts: neither its
/// token nor the `auth_time` it records.
pub fn require<T: Tenant, S: KeyValue>(
    env: &Env<'_, T, S>,
    session: &Session,
    action: &Action,
) -> Result<Secret, Problem> {
    account::live(env, session)?;
    let max_age = env.config.reauth_max_age_seconds;
    if let Some(token) = update_token(env.tab, session, env.now)
        && (max_age > 0 || take_grant(env.tab, session, action, env.now))
    {
        return Ok(token);
    }
    let key = match action {
        Action::Link { .. } | Action::Confirm => Key::StepUpLink,
        Action::Unlink { .. } => Key::StepUpUnlink,
    };
    let when = match session.auth_time {
        Some(t) if t <= env.now && max_age > 0 => {
            crate::text!(StepUpWhen, n = (env.now - t).div_euclid(60))
        }
        _ => Text::empty(),
    };
    Err(Problem::new(
        Text::Entry(key, vec![("when", when)]),
        Next::Reauthenticate,
    ))
}

/// Starts signing in again as the signed-in account, for `action`: a
/// fresh login on the main account's connection, with its email or phone
/// as the hint where its login page can use one. The URL to go to.
pub fn start<T: Tenant, S: KeyValue>(
    env: &Env<'_, T, S>,
    session: &Session,
    action: Action,
    user: Option<&User>,
) -> String {
    let purpose = Purpose::StepUp {
        user_id: session.user_id.clone(),
        action,
    };
    let main = user.and_then(|u| {
        u.identities
            .iter()
            .find(|i| crate::flows::linking::is_main(i, &session.user_id))
    });
    let hint = user.and_then(|u| match main.map(|i| i.provider.as_str()) {
        Some("auth0" | "email") => u.email.as_deref(),
        Some("sms") => u.phone_number.as_deref(),
        _ => None,
    });
    let login = urls::Login {
        connection: main.map(|i| i.connection.as_str()),
        fresh: true,
        hint,
        ..urls::Login::default()
    };
    env.round_trip(purpose, &login)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn recent_is_within_the_window_at_the_limit_included() {
        assert!(is_recent(Some(NOW - 600), NOW, 600));
        assert!(!is_recent(Some(NOW - 601), NOW, 600));
        assert!(is_recent(Some(NOW), NOW, 600));
    }

    #[test]
    fn a_missing_or_future_sign_in_is_not_recent_and_a_window_of_zero_never_is() {
        assert!(!is_recent(None, NOW, 600));
        assert!(is_recent(Some(NOW + LEEWAY_SECS), NOW, 600), "clock leeway");
        assert!(!is_recent(Some(NOW + LEEWAY_SECS + 1), NOW, 600));
        assert!(!is_recent(Some(NOW), NOW, 0));
    }

    #[test]
    fn a_round_trips_sign_in_is_at_or_after_it_began() {
        let started = NOW - 30;
        assert!(signed_in_since(Some(started), started, NOW));
        assert!(signed_in_since(Some(NOW), started, NOW));
        assert!(signed_in_since(Some(started - LEEWAY_SECS), started, NOW));
        assert!(!signed_in_since(
            Some(started - LEEWAY_SECS - 1),
            started,
            NOW
        ));
        assert!(!signed_in_since(Some(started - 3600), started, NOW));
        assert!(!signed_in_since(None, started, NOW));
        assert!(!signed_in_since(Some(NOW + LEEWAY_SECS + 1), started, NOW));
    }
}
