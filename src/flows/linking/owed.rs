//! An undo owed to an account: written to `localStorage` before a merge's
//! update is sent, and settled when the link is made or the update put
//! back. A tab closed, or a "Sign in again", in between does not lose it:
//! the next time the page opens for that user, in any tab, it puts the
//! keys back, or names them.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::PendingLink;
use crate::auth::session::Session;
use crate::auth::storage::KeyValue;
use crate::flows::{Env, merge};
use crate::tenant::Tenant;
use crate::text;
use crate::text::Text;

const OWED_KEY: &str = "link-accounts.owed-undo";

/// An update sent to `target` that is to be undone unless its link is made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owed {
    /// Who was signed in when the update was sent.
    pub signed_in: String,
    /// The account the update went to.
    pub target: String,
    /// The update that puts it back.
    pub undo: Map<String, Value>,
    /// When it was written (UNIX seconds).
    pub at: i64,
}

/// Remembers an owed undo, for this browser's every tab.
pub fn owe(local: &impl KeyValue, owed: &Owed) {
    local.set(OWED_KEY, owed);
}

/// Nothing is owed any more: the link was made, or the update undone.
pub fn settle(local: &impl KeyValue) {
    local.remove(OWED_KEY);
}

/// At page open, for the signed-in `session`: an undo a tab left owed, put
/// back (or named when it cannot be). `pending_here` is this tab's pending
/// link, which settles its own undo. An undo younger than two request
/// time-outs may still be in flight in another tab, and is left alone.
pub async fn settle_owed<T: Tenant, S: KeyValue>(
    env: &Env<'_, T, S>,
    session: &Session,
    pending_here: Option<&PendingLink>,
) -> Option<Result<Text, Text>> {
    let owed: Owed = env.local.read(OWED_KEY)?;
    let in_flight = i64::from(env.config.request_timeout_ms) * 2 / 1000;
    if owed.signed_in != session.user_id
        || env.now - owed.at < in_flight
        || pending_here.is_some_and(|p| p.undo.as_ref() == Some(&owed.undo))
    {
        return None;
    }
    let keys = quoted(owed.undo.keys().map(String::as_str));
    if owed.target != session.user_id {
        // The other account's: its token is gone with the tab.
        settle(env.local);
        return Some(Err(text!(OwedElsewhere, keys = keys)));
    }
    // Only a fresh sign-in's token may put it back; without one, the keys
    // are named, and kept for a visit with one.
    let Some(token) = crate::flows::step_up::update_token(env.tab, session, env.now) else {
        return Some(Err(text!(OwedNotPutBack, keys = keys)));
    };
    let token = &token;
    let put_back = match env.tenant.get_user(token, &owed.target).await {
        Ok(user) if merge::holds(&user.user_metadata, &owed.undo) => {
            settle(env.local);
            return None;
        }
        Ok(_) => env
            .tenant
            .update_user_metadata(token, &owed.target, &owed.undo)
            .await
            .is_ok(),
        Err(_) => false,
    };
    if put_back {
        settle(env.local);
        Some(Ok(text!(OwedPutBack, keys = keys)))
    } else {
        Some(Err(text!(OwedNotPutBack, keys = keys)))
    }
}

/// "“a”, “b”": the keys, quoted.
fn quoted<'a>(keys: impl Iterator<Item = &'a str>) -> Text {
    keys.map(|k| text!(Quoted, s = k))
        .reduce(|a, b| text!(Comma, a = a, b = b))
        .unwrap_or_else(Text::empty)
}
