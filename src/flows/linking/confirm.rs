//! Confirming a pending link, and cancelling it: the main account's
//! metadata merged first when the merge changes anything, then the link,
//! and the merge undone (or named, key by key) when the link fails.

use serde_json::{Map, Value};

use super::{Changed, NotLinked, PendingLink, clear_pending, save_pending};
use crate::auth::session::Session;
use crate::auth::storage::KeyValue;
use crate::auth::transaction::Action;
use crate::flows::merge;
use crate::flows::{Doing, Env, Next, Problem, step_up, tenant_problem};
use crate::tenant::Tenant;
use crate::text;
use crate::text::{Key, Text};

/// Links the pending account, on the person's confirmation. `main` is the
/// signed-in account's `user_metadata` as the page last read it.
///
/// By default the pending account is linked into the signed-in one. When
/// the person chose to make it the main account, the link goes the other
/// way round (with its own token, `link_with` the signed-in account's ID
/// token, fresh by the step-up rule), the merge updates it instead, and
/// the session becomes its own.
///
/// When the merge changes anything, the main account is updated first
/// (only the keys that change), with the update that undoes it stored
/// beside the pending link before it is sent. If the link then fails, that
/// undo is sent; if it fails too, the problem names the changed keys.
/// Whatever happens, the pending link is dropped unless the failure can be
/// retried.
pub async fn confirm<T: Tenant, S: KeyValue>(
    env: &Env<'_, T, S>,
    session: &Session,
    pending: &PendingLink,
    main: &Map<String, Value>,
) -> Result<Changed, NotLinked> {
    let mut pending = pending.clone();
    let update = match step_up::require(env, session, &Action::Confirm) {
        Ok(token) => token,
        Err(problem) => return Err(not_linked(env, problem, pending, None)),
    };
    // The other account's tokens link only when it becomes main; they
    // must be there, and still good.
    let other = match (pending.make_main, pending.tokens()) {
        (false, _) => None,
        (true, None) => {
            let problem = Problem::new(Key::CannotMakeMainNow, Next::Dismiss);
            return Err(not_linked(env, problem, pending, None));
        }
        (true, Some(_)) if pending.expires_at <= env.now => {
            let problem = Problem::new(Key::TookTooLong, Next::Dismiss);
            return Err(not_linked(env, problem, pending, None));
        }
        (true, Some((access, read))) => Some((access.clone(), read.clone())),
    };
    // One read at Confirm: the main account as it is now, not as the page
    // showed it before the round-trip. Whether it may step down, and what
    // the merge does, are decided on it.
    let fresh = match env
        .tenant
        .get_user(&session.access_token, &session.user_id)
        .await
    {
        Ok(user) => user,
        Err(e) => {
            let problem = env.ended(tenant_problem(&e, Doing::Link, env.now));
            return Err(not_linked(env, problem, pending, None));
        }
    };
    if pending.make_main
        && let Err(why) = super::can_make_main(&fresh)
    {
        return Err(changed_since(env, pending, why, fresh));
    }
    if pending.plan(&fresh.user_metadata) != pending.plan(main) {
        // A key appeared, went or changed on the main account meanwhile:
        // the person sees the plan again before anything is sent.
        return Err(changed_since(env, pending, Key::MainChanged.into(), fresh));
    }
    let main = &fresh.user_metadata;
    let swap = pending.make_main;
    // Who stays main: its token, id, and metadata as the page knows it now.
    let (token, target, target_now) = if let Some((access, _)) = &other {
        (
            access.clone(),
            pending.sub.clone(),
            pending.user_metadata.clone(),
        )
    } else {
        (update.clone(), session.user_id.clone(), main.clone())
    };
    let token = &token;
    let before = pending.main_before(main);
    // A tenant that does not let the page update metadata: the person was
    // shown which settings are lost, and linked on a button that said so.
    let copied = if pending.may_copy_settings(session) {
        merge::patch(&pending.plan(main), &pending.choices)
    } else {
        Map::new()
    };
    // Keys an earlier, interrupted try changed that the person now leaves
    // alone go back to their old values in the same update.
    let mut update = copied.clone();
    for (k, v) in pending.undo.iter().flatten() {
        update.entry(k.clone()).or_insert_with(|| v.clone());
    }
    let mut now = target_now.clone();
    if !update.is_empty() && !merge::holds(&target_now, &update) {
        let undo = merge::undo(&before, &update);
        if pending.undo.as_ref() != Some(&undo) {
            pending.undo = Some(undo.clone());
            save_pending(env.tab, &pending);
        }
        // Owed in every tab too, should this one close before it is settled.
        super::owed::owe(
            env.local,
            &super::owed::Owed {
                signed_in: session.user_id.clone(),
                target: target.clone(),
                undo,
                at: env.now,
            },
        );
        match env
            .tenant
            .update_user_metadata(token, &target, &update)
            .await
        {
            Ok(user) => now = user.user_metadata,
            Err(e) => {
                let problem = env.ended(tenant_problem(&e, Doing::Link, env.now));
                return Err(not_linked(env, problem, pending, None));
            }
        }
    }
    let (link_with, joining) = if swap {
        (&session.id_token, session.user_id.as_str())
    } else {
        (&pending.id_token, pending.sub.as_str())
    };
    let mut linked = env.tenant.link(token, &target, link_with).await;
    // A 409 after a retry may mean the first try did link, and only its
    // answer was lost: the account says which.
    if linked.as_ref().is_err_and(|e| e.status() == Some(409))
        && let Ok(user) = env.tenant.get_user(token, &target).await
        && user.identities.iter().any(|i| i.full_id() == joining)
    {
        linked = Ok(user.identities);
    }
    match linked {
        Ok(identities) => {
            over(env, Settled::Yes);
            let label = env.config.label_of(&pending.connection);
            let keys = (!copied.is_empty()).then(|| settings(copied.keys().map(String::as_str)));
            if let Some((_, read)) = other {
                // Its session keeps the read-only token, as a sign-in's does.
                let session = Session {
                    version: crate::auth::session::VERSION,
                    access_token: read,
                    id_token: pending.id_token.clone(),
                    user_id: pending.sub.clone(),
                    expires_at: pending.expires_at,
                    auth_time: pending.auth_time,
                    scope: pending.scope.clone(),
                    suggested: Vec::new(),
                };
                crate::auth::session::save(env.local, &session);
                let copied =
                    keys.map_or_else(Text::empty, |k| text!(LinkedFormerCopied, settings = k));
                return Ok(Changed {
                    identities,
                    message: text!(
                        LinkedMadeMain,
                        label = label,
                        who = pending.who(),
                        copied = copied
                    ),
                    main_metadata: Some(now),
                    session: Some(session),
                });
            }
            let copied = keys.map_or_else(Text::empty, |k| text!(LinkedCopied, settings = k));
            Ok(Changed {
                identities,
                message: text!(Linked, label = label, who = pending.who(), copied = copied),
                main_metadata: (now != *main).then_some(now),
                session: None,
            })
        }
        Err(e) => {
            let problem = env.ended(tenant_problem(&e, Doing::Link, env.now));
            let (problem, now) = undo(env, (token, &target), &mut pending, problem, now).await;
            let shown = (!swap).then_some(now).filter(|n| n != main);
            Err(not_linked(env, problem, pending, shown))
        }
    }
}

/// Drops the pending link. If an update of the main account's metadata may
/// have been sent for it, the main account is read and put back first.
pub async fn cancel<T: Tenant, S: KeyValue>(
    env: &Env<'_, T, S>,
    session: &Session,
    pending: &PendingLink,
) -> Result<Cancelled, NotLinked> {
    let Some(undo) = pending.undo.clone() else {
        over(env, Settled::No);
        return Ok(nothing_linked(None, Text::empty()));
    };
    let problem = |e| env.ended(tenant_problem(&e, Doing::Restore, env.now));
    // The account the update was sent to: the one that was to stay main,
    // with the token that may change it (the other account's own, or the
    // tab's update token; without it, the person signs in again first).
    let update = if pending.make_main {
        pending.access_token.clone()
    } else {
        step_up::update_token(env.tab, session, env.now)
    };
    let Some(token) = &update else {
        let problem = Problem::new(Key::StepUpRestore, Next::Reauthenticate);
        return Err(not_linked(env, problem, pending.clone(), None));
    };
    let target = if pending.make_main {
        pending.sub.as_str()
    } else {
        session.user_id.as_str()
    };
    let shown = |metadata| (!pending.make_main).then_some(metadata);
    let now = match env.tenant.get_user(token, target).await {
        Ok(user) => user.user_metadata,
        Err(e) => return Err(not_linked(env, problem(e), pending.clone(), None)),
    };
    if merge::holds(&now, &undo) {
        over(env, Settled::Yes);
        return Ok(nothing_linked(shown(now), Text::empty()));
    }
    match env.tenant.update_user_metadata(token, target, &undo).await {
        Ok(user) => {
            over(env, Settled::Yes);
            let as_they_were = if pending.make_main {
                Key::AsTheyWereThat
            } else {
                Key::AsTheyWereMain
            };
            Ok(nothing_linked(
                shown(user.user_metadata),
                as_they_were.into(),
            ))
        }
        Err(e) => Err(not_linked(env, problem(e), pending.clone(), None)),
    }
}

/// A cancelled link: the sentence that says so, and the main account's
/// metadata when it was read or put back.
#[derive(Debug, PartialEq, Eq)]
pub struct Cancelled {
    pub message: Text,
    pub main_metadata: Option<Map<String, Value>>,
}

fn nothing_linked(main_metadata: Option<Map<String, Value>>, more: Text) -> Cancelled {
    Cancelled {
        message: text!(NothingLinked, more = more),
        main_metadata,
    }
}

/// After a failed link: sends the undo of the metadata update, if one was
/// sent and it still shows. The problem says what became of the main
/// account's settings; the metadata as it now is comes back too.
async fn undo<T: Tenant, S: KeyValue>(
    env: &Env<'_, T, S>,
    (token, target): (&crate::auth::Secret, &str),
    pending: &mut PendingLink,
    mut problem: Problem,
    now: Map<String, Value>,
) -> (Problem, Map<String, Value>) {
    let Some(undo) = pending.undo.clone() else {
        return (problem, now);
    };
    if merge::holds(&now, &undo) {
        pending.undo = None;
        super::owed::settle(env.local);
        return (problem, now);
    }
    let restored = if problem.next == Next::SessionEnded {
        None
    } else {
        env.tenant
            .update_user_metadata(token, target, &undo)
            .await
            .ok()
    };
    let (more, metadata) = match restored {
        Some(user) => {
            pending.undo = None;
            super::owed::settle(env.local);
            (Key::PutBack.into(), user.user_metadata)
        }
        None => {
            let settings = settings(undo.keys().map(String::as_str));
            (text!(RestoreFailed, settings = settings), now)
        }
    };
    problem.message = text!(Then, first = problem.message, then = more);
    (problem, metadata)
}

/// The main account is not as the step showed it: nothing is sent, the
/// pending link stays, and the page is drawn again with the account as
/// it now is, so the person decides on what is true.
fn changed_since<T: Tenant, S: KeyValue>(
    env: &Env<'_, T, S>,
    pending: PendingLink,
    why: Text,
    fresh: crate::tenant::User,
) -> NotLinked {
    save_pending(env.tab, &pending);
    NotLinked {
        problem: Problem::new(why, Next::Dismiss),
        pending: Some(pending),
        main_metadata: Some(fresh.user_metadata),
    }
}

/// The link did not happen: the pending link stays for a retry (its undo
/// stored with it), else goes.
fn not_linked<T: Tenant, S: KeyValue>(
    env: &Env<'_, T, S>,
    problem: Problem,
    pending: PendingLink,
    main_metadata: Option<Map<String, Value>>,
) -> NotLinked {
    let keep = matches!(problem.next, Next::Retry | Next::Reauthenticate)
        || (pending.undo.is_some() && problem.next != Next::SessionEnded);
    if keep {
        save_pending(env.tab, &pending);
    } else {
        over(env, Settled::No);
    }
    NotLinked {
        problem,
        pending: keep.then_some(pending),
        main_metadata,
    }
}

/// Whether the undo owed for a link is settled as it ends.
#[derive(PartialEq, Eq)]
enum Settled {
    Yes,
    No,
}

/// The link is over (made, cancelled, or ended by a failure): the pending
/// link goes, and the update token with it, since it was for this change;
/// with `Settled::Yes`, the undo owed for it too (the link was made, or
/// the main account is as it was).
fn over<T: Tenant, S: KeyValue>(env: &Env<'_, T, S>, settled: Settled) {
    clear_pending(env.tab);
    if settled == Settled::Yes {
        super::owed::settle(env.local);
    }
    step_up::drop_update(env.tab);
}

/// "setting “a” is" / "settings “a” and “b” are", for a sentence.
pub(super) fn settings<'a>(keys: impl Iterator<Item = &'a str>) -> Text {
    let quoted: Vec<Text> = keys.map(|k| text!(Quoted, s = k)).collect();
    match quoted.as_slice() {
        [one] => text!(Setting1, key = one),
        [first, middle @ .., last] => {
            let init = middle
                .iter()
                .fold(first.clone(), |a, b| text!(Comma, a = a, b = b));
            text!(SettingsN, init = init, last = last)
        }
        [] => Key::SettingsSome.into(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn settings_are_named_in_a_sentence() {
        assert_eq!(
            super::settings(["editor"].into_iter()).en(),
            "setting \u{201c}editor\u{201d} is"
        );
        assert_eq!(
            super::settings(["a", "b", "c"].into_iter()).en(),
            "settings \u{201c}a\u{201d}, \u{201c}b\u{201d} and \u{201c}c\u{201d} are"
        );
    }
}
