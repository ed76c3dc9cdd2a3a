//! The app's one way through JSON: text is parsed into a
//! [`serde_json::Value`], and each type reads its fields from it (and
//! writes itself as one). The page needs `Value` anyway (metadata is any
//! JSON), and a second, derived path would link a deserializer for every
//! type into the wasm: this one costs a few calls per field.
//!
//! Reading keeps serde's rules: an absent or `null` optional field is
//! `None`; a field of the wrong type makes the whole value unreadable;
//! fields the type does not know are ignored.

use serde_json::{Map, Value};

mod syntax;

pub use syntax::{parse as value, write};

/// A type kept or received as JSON.
pub trait Json: Sized {
    /// The value read from `v`; `None` if it is not one.
    fn from_json(v: &Value) -> Option<Self>;
    /// The value as JSON, in the shape `from_json` reads.
    fn to_json(&self) -> Value;
}

/// Parses `text` as a `T`.
pub fn parse<T: Json>(text: &str) -> Option<T> {
    T::from_json(&value(text).ok()?)
}

/// `value` as JSON text.
pub fn text<T: Json>(value: &T) -> String {
    write(&value.to_json())
}

/// An object's fields, read by name.
#[derive(Clone, Copy)]
pub struct Fields<'a>(&'a Map<String, Value>);

impl<'a> Fields<'a> {
    /// The fields of `v`, if it is an object.
    pub fn of(v: &'a Value) -> Option<Self> {
        v.as_object().map(Fields)
    }

    /// The field's value, unless it is absent or `null`.
    pub fn get(self, key: &str) -> Option<&'a Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }

    /// An optional field: `Some(None)` when absent or `null`, `None` when
    /// present but not what `read` takes.
    pub fn opt<T>(self, key: &str, read: impl FnOnce(&'a Value) -> Option<T>) -> Option<Option<T>> {
        match self.get(key) {
            None => Some(None),
            Some(v) => read(v).map(Some),
        }
    }

    /// A required string.
    pub fn string(self, key: &str) -> Option<String> {
        self.get(key).and_then(string)
    }

    /// An optional string.
    pub fn opt_string(self, key: &str) -> Option<Option<String>> {
        self.opt(key, string)
    }

    /// A required whole number.
    pub fn int(self, key: &str) -> Option<i64> {
        self.get(key).and_then(Value::as_i64)
    }

    /// An optional whole number.
    pub fn opt_int(self, key: &str) -> Option<Option<i64>> {
        self.opt(key, Value::as_i64)
    }

    /// A required `true` or `false`.
    pub fn bool(self, key: &str) -> Option<bool> {
        self.get(key).and_then(Value::as_bool)
    }

    /// An object (absent or `null`: empty).
    pub fn object(self, key: &str) -> Option<Map<String, Value>> {
        self.opt(key, Value::as_object)
            .map(|o| o.cloned().unwrap_or_default())
    }
}

/// A string value.
pub fn string(v: &Value) -> Option<String> {
    v.as_str().map(str::to_owned)
}

/// A list of `T`; unreadable if any item is not one.
impl<T: Json> Json for Vec<T> {
    fn from_json(v: &Value) -> Option<Self> {
        v.as_array()?.iter().map(T::from_json).collect()
    }

    fn to_json(&self) -> Value {
        Value::Array(self.iter().map(T::to_json).collect())
    }
}

/// An object of these fields, in this order (`null` where `None`).
pub fn object<const N: usize>(fields: [(&str, Value); N]) -> Value {
    let mut map = Map::new();
    for (key, value) in fields {
        map.insert(key.to_owned(), value);
    }
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn optional_fields_follow_serde() {
        let v = json!({"a": "x", "b": null, "n": 5, "wrong": 3});
        let f = Fields::of(&v).unwrap();
        assert_eq!(f.opt_string("a"), Some(Some("x".into())));
        assert_eq!(f.opt_string("b"), Some(None));
        assert_eq!(f.opt_string("absent"), Some(None));
        assert_eq!(f.opt_string("wrong"), None, "a number is not a string");
        assert_eq!(f.string("b"), None, "null is not a required string");
        assert_eq!(f.opt_int("n"), Some(Some(5)));
        assert_eq!(f.object("absent"), Some(Map::new()));
        assert_eq!(f.object("wrong"), None);
        assert!(Fields::of(&json!([1])).is_none());
    }
}
