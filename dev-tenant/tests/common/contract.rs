//! Auth0's description of the Management API routes the SPA uses (cut
//! down into `tests/contract/`), and a checker for the subset of JSON Schema
//! it uses. Shared by the API tests and the fuzz stage.

#![allow(dead_code)]

use serde_json::Value;

const CONTRACT: &str = include_str!("../contract/management-api.json");

pub fn contract() -> Value {
    serde_json::from_str(CONTRACT).unwrap()
}

/// The subset of JSON Schema the cut-down description uses.
pub fn check(schema: &Value, value: &Value, root: &Value, at: &str, problems: &mut Vec<String>) {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap();
        return check(&root["schemas"][name], value, root, at, problems);
    }
    if let Some(options) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()) {
        let passing = options
            .iter()
            .filter(|o| {
                let mut p = Vec::new();
                check(o, value, root, at, &mut p);
                p.is_empty()
            })
            .count();
        if passing == 0 || (schema["oneOf"].is_array() && passing > 1) {
            problems.push(format!("{at}: {passing} of the alternatives match {value}"));
        }
        return;
    }
    if let Some(allowed) = schema["enum"].as_array()
        && !allowed.contains(value)
    {
        problems.push(format!("{at}: {value} is not one of the allowed values"));
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let type_ok = types.is_empty()
        || types.iter().any(|t| match *t {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "boolean" => value.is_boolean(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "null" => value.is_null(),
            _ => true,
        });
    if !type_ok {
        problems.push(format!("{at}: {value} is not of type {types:?}"));
        return;
    }
    if let Some(min) = schema["minLength"].as_u64()
        && value
            .as_str()
            .is_some_and(|s| (s.chars().count() as u64) < min)
    {
        problems.push(format!("{at}: shorter than {min}"));
    }
    if let Value::Object(fields) = value {
        for r in schema["required"].as_array().into_iter().flatten() {
            if !fields.contains_key(r.as_str().unwrap()) {
                problems.push(format!("{at}: missing {r}"));
            }
        }
        for (k, v) in fields {
            match &schema["properties"][k] {
                Value::Null => match &schema["additionalProperties"] {
                    Value::Bool(false) => problems.push(format!("{at}: {k} is not allowed")),
                    Value::Object(_) => check(
                        &schema["additionalProperties"],
                        v,
                        root,
                        &format!("{at}.{k}"),
                        problems,
                    ),
                    _ => {}
                },
                property => check(property, v, root, &format!("{at}.{k}"), problems),
            }
        }
    }
    if let (Value::Array(items), Value::Object(_)) = (value, &schema["items"]) {
        for (i, item) in items.iter().enumerate() {
            check(
                &schema["items"],
                item,
                root,
                &format!("{at}[{i}]"),
                problems,
            );
        }
    }
}

/// What is wrong with an answer of `operation`: its status is not one the
/// description documents, or its body is not of the documented shape.
pub fn problems(operation: &str, status: u16, body: &Value) -> Vec<String> {
    let root = contract();
    let op = &root["operations"][operation];
    let documented = &op["responses"][status.to_string()];
    if !documented.is_object() {
        return vec![format!("{operation} does not document {status}")];
    }
    let schema = if (200..300).contains(&status) {
        &documented["schema"]
    } else {
        &root["errorBody"]
    };
    let mut problems = Vec::new();
    check(schema, body, &root, "body", &mut problems);
    problems
}
