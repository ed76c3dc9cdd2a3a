//! What a link does to `user_metadata`, as plain functions. Auth0 discards
//! the linked account's metadata, so before linking, the keys it brings are
//! merged into the main account: whole values per top-level key (Auth0's
//! own merge), a conflict decided by the person. And if the link then
//! fails, the plan to put the main account back as it was.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// What happens to one top-level key of the linked account's metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fate {
    /// The main account lacks it: copied.
    Copied,
    /// Both have the same value: nothing to do.
    Same,
    /// Both have it, with different values: the person chooses.
    Conflict { main: Value },
}

/// One key of the linked account's metadata, and its fate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyPlan {
    pub key: String,
    /// The linked account's value.
    pub value: Value,
    pub fate: Fate,
}

impl KeyPlan {
    /// An object or a list: merged as one whole value, not key by key.
    pub fn is_nested(&self) -> bool {
        let nested = |v: &Value| v.is_object() || v.is_array();
        nested(&self.value) || matches!(&self.fate, Fate::Conflict { main } if nested(main))
    }
}

/// Which value wins a conflict. Kept as `"main"` or `"linked"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Keep {
    /// The main account's value stays (the default).
    #[default]
    Main,
    /// The linked account's value replaces it.
    Linked,
}

/// The person's choice per conflicting key; a key not named keeps main's.
pub type Choices = BTreeMap<String, Keep>;

/// The fate of each key of `linked`'s metadata against `main`'s, in the
/// map's order. A `null` is no value (Auth0 removes keys set to `null`).
pub fn plan(main: &Map<String, Value>, linked: &Map<String, Value>) -> Vec<KeyPlan> {
    linked
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(key, value)| {
            let fate = match main.get(key).filter(|v| !v.is_null()) {
                None => Fate::Copied,
                Some(m) if m == value => Fate::Same,
                Some(m) => Fate::Conflict { main: m.clone() },
            };
            KeyPlan {
                key: key.clone(),
                value: value.clone(),
                fate,
            }
        })
        .collect()
}

/// The update to send before linking: only the keys that change (copied
/// ones, and conflicts the person gave to the linked account). Empty when
/// nothing changes, and then no update is sent.
pub fn patch(plan: &[KeyPlan], choices: &Choices) -> Map<String, Value> {
    // Inserted one by one: collecting into a map sorts first, which costs
    // the wasm a sort it does not need.
    let mut update = Map::new();
    for k in plan {
        let changes = match k.fate {
            Fate::Copied => true,
            Fate::Same => false,
            Fate::Conflict { .. } => choices.get(&k.key) == Some(&Keep::Linked),
        };
        if changes {
            update.insert(k.key.clone(), k.value.clone());
        }
    }
    update
}

/// The update that undoes `patch` on metadata that was `before`: each
/// changed key back to its old value, and each added key removed (`null`).
pub fn undo(before: &Map<String, Value>, patch: &Map<String, Value>) -> Map<String, Value> {
    let mut undo = Map::new();
    for k in patch.keys() {
        undo.insert(k.clone(), before.get(k).cloned().unwrap_or(Value::Null));
    }
    undo
}

/// `update` applied to `metadata` as Auth0 applies it: top-level keys
/// replaced, `null` removing the key.
pub fn apply(metadata: &Map<String, Value>, update: &Map<String, Value>) -> Map<String, Value> {
    let mut merged = metadata.clone();
    for (k, v) in update {
        if v.is_null() {
            merged.remove(k);
        } else {
            merged.insert(k.clone(), v.clone());
        }
    }
    merged
}

/// True when `metadata` already holds every value of `update` (so sending
/// it again would change nothing).
pub fn holds(metadata: &Map<String, Value>, update: &Map<String, Value>) -> bool {
    update.iter().all(|(k, v)| match v {
        Value::Null => !metadata.contains_key(k),
        v => metadata.get(k) == Some(v),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().expect("an object")
    }

    #[test]
    fn each_key_is_copied_the_same_or_a_conflict() {
        let main = map(json!({"theme": "dark", "language": "en"}));
        let linked = map(json!({"editor": "vim", "language": "en", "theme": "light"}));
        let p = plan(&main, &linked);
        let fates: Vec<_> = p.iter().map(|k| (k.key.as_str(), k.fate.clone())).collect();
        assert_eq!(
            fates,
            [
                ("editor", Fate::Copied),
                ("language", Fate::Same),
                (
                    "theme",
                    Fate::Conflict {
                        main: json!("dark")
                    }
                ),
            ]
        );
    }

    #[test]
    fn only_changing_keys_are_sent_and_a_conflict_keeps_mains_unless_chosen() {
        let main = map(json!({"theme": "dark", "language": "en"}));
        let linked = map(json!({"editor": "vim", "language": "en", "theme": "light"}));
        let p = plan(&main, &linked);
        assert_eq!(patch(&p, &Choices::new()), map(json!({"editor": "vim"})));
        let mut choices = Choices::new();
        choices.insert("theme".into(), Keep::Main);
        assert_eq!(patch(&p, &choices), map(json!({"editor": "vim"})));
        choices.insert("theme".into(), Keep::Linked);
        assert_eq!(
            patch(&p, &choices),
            map(json!({"editor": "vim", "theme": "light"}))
        );
    }

    #[test]
    fn nested_values_are_whole_values_per_top_level_key() {
        let main = map(json!({"prefs": {"a": 1, "b": 2}}));
        let linked = map(json!({"prefs": {"a": 1, "c": 3}, "tags": ["x"]}));
        let p = plan(&main, &linked);
        assert!(p.iter().all(KeyPlan::is_nested));
        assert_eq!(
            p[0].fate,
            Fate::Conflict {
                main: json!({"a": 1, "b": 2})
            }
        );
        let mut choices = Choices::new();
        choices.insert("prefs".into(), Keep::Linked);
        let update = patch(&p, &choices);
        // The linked account's object replaces main's whole: `b` goes.
        assert_eq!(
            apply(&main, &update),
            map(json!({"prefs": {"a": 1, "c": 3}, "tags": ["x"]}))
        );
    }

    #[test]
    fn an_empty_side_is_all_copied_or_nothing_to_do() {
        let some = map(json!({"k": "v"}));
        let none = Map::new();
        assert!(plan(&some, &none).is_empty());
        assert!(patch(&plan(&some, &none), &Choices::new()).is_empty());
        let p = plan(&none, &some);
        assert_eq!(p[0].fate, Fate::Copied);
        assert_eq!(patch(&p, &Choices::new()), some);
    }

    #[test]
    fn a_null_is_no_value_on_either_side() {
        let main = map(json!({"gone": null}));
        let linked = map(json!({"gone": "back", "nothing": null}));
        let p = plan(&main, &linked);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].fate, Fate::Copied);
    }

    #[test]
    fn undo_restores_changed_keys_and_removes_added_ones() {
        let before = map(json!({"theme": "dark", "keep": 1}));
        let update = map(json!({"theme": "light", "editor": "vim"}));
        let back = undo(&before, &update);
        assert_eq!(back, map(json!({"theme": "dark", "editor": null})));
        let after = apply(&before, &update);
        assert_eq!(apply(&after, &back), before);
        assert!(holds(&after, &update));
        assert!(!holds(&before, &update));
        assert!(holds(&before, &back));
    }

    #[test]
    fn nothing_to_undo_for_nothing_sent() {
        assert!(undo(&map(json!({"a": 1})), &Map::new()).is_empty());
        assert!(holds(&Map::new(), &Map::new()));
    }
}
