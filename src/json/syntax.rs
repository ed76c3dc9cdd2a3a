//! JSON text to a [`Value`] and back, by hand: serde_json's deserializer
//! and serializer are generic machinery, and linking them for this one
//! `Value` type cost the wasm about 7 KB gzip. The result is what
//! serde_json gives for the same text (`tests` compares the two): the same
//! values, the same numbers (whole numbers exact up to 64 bits, others as
//! the nearest `f64`), the same escapes when writing, the same refusals.
//!
//! Floats are read and written by the browser in the wasm build (its
//! `parseFloat` and `JSON.stringify` are exact and already there) and by
//! serde_json in native builds, so core's float code stays out of the wasm.

use serde_json::{Map, Number, Value};
use std::fmt::Write as _;

/// How deep arrays and objects may nest, as in serde_json.
const MAX_DEPTH: usize = 128;

/// `text` as a JSON value, or why it is not one (with the line and column,
/// as serde_json says it).
pub fn parse(text: &str) -> Result<Value, String> {
    let mut p = Parser {
        text,
        at: 0,
        depth: 0,
    };
    let value = p.value()?;
    p.blank();
    if p.next().is_some() {
        return Err(p.error("trailing characters"));
    }
    Ok(value)
}

/// `value` as compact JSON text, as serde_json writes it.
pub fn write(value: &Value) -> String {
    let mut out = String::new();
    write_into(&mut out, value);
    out
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek();
        self.at += usize::from(b.is_some());
        b
    }

    fn blank(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// `what`, at the line and column of the byte just read (serde_json's
    /// way of counting).
    fn error(&self, what: &str) -> String {
        // A refused byte may be the start of a character: count up to it.
        let mut at = self.at.min(self.text.len());
        while !self.text.is_char_boundary(at) {
            at -= 1;
        }
        let before = &self.text[..at];
        let line = before.matches('\n').count() + 1;
        let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1);
        format!("{what} at line {line} column {column}")
    }

    fn value(&mut self) -> Result<Value, String> {
        self.blank();
        match self.peek() {
            None => Err(self.error("EOF while parsing a value")),
            Some(b'n') => self.word("null", Value::Null),
            Some(b't') => self.word("true", Value::Bool(true)),
            Some(b'f') => self.word("false", Value::Bool(false)),
            Some(b'"') => self.string().map(Value::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'[') => self.nested(Self::array),
            Some(b'{') => self.nested(Self::object),
            Some(_) => {
                self.at += 1;
                Err(self.error("expected value"))
            }
        }
    }

    fn word(&mut self, word: &str, value: Value) -> Result<Value, String> {
        for &b in word.as_bytes() {
            match self.next() {
                Some(c) if c == b => {}
                None => return Err(self.error("EOF while parsing a value")),
                Some(_) => return Err(self.error("expected ident")),
            }
        }
        Ok(value)
    }

    fn nested(&mut self, read: fn(&mut Self) -> Result<Value, String>) -> Result<Value, String> {
        self.depth += 1;
        if self.depth >= MAX_DEPTH {
            return Err(self.error("recursion limit exceeded"));
        }
        self.at += 1;
        let value = read(self);
        self.depth -= 1;
        value
    }

    /// After `[`.
    fn array(&mut self) -> Result<Value, String> {
        let mut items = Vec::new();
        self.blank();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value()?);
            self.blank();
            match self.next() {
                Some(b',') => {}
                Some(b']') => return Ok(Value::Array(items)),
                None => return Err(self.error("EOF while parsing a list")),
                Some(_) => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    /// After `{`. A repeated key keeps its last value, as in serde_json.
    fn object(&mut self) -> Result<Value, String> {
        let mut map = Map::new();
        self.blank();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(Value::Object(map));
        }
        loop {
            self.blank();
            match self.peek() {
                Some(b'"') => {}
                None => return Err(self.error("EOF while parsing an object")),
                Some(_) => {
                    self.at += 1;
                    return Err(self.error("key must be a string"));
                }
            }
            let key = self.string()?;
            self.blank();
            match self.next() {
                Some(b':') => {}
                None => return Err(self.error("EOF while parsing an object")),
                Some(_) => return Err(self.error("expected `:`")),
            }
            map.insert(key, self.value()?);
            self.blank();
            match self.next() {
                Some(b',') => {}
                Some(b'}') => return Ok(Value::Object(map)),
                None => return Err(self.error("EOF while parsing an object")),
                Some(_) => return Err(self.error("expected `,` or `}`")),
            }
        }
    }

    /// At `"`.
    fn string(&mut self) -> Result<String, String> {
        self.at += 1;
        let mut out = String::new();
        loop {
            let start = self.at;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.at += 1;
            }
            out.push_str(&self.text[start..self.at]);
            match self.next() {
                Some(b'"') => return Ok(out),
                Some(b'\\') => out.push(self.escape()?),
                None => return Err(self.error("EOF while parsing a string")),
                Some(_) => {
                    return Err(self.error(
                        "control character (\\u0000-\\u001F) found while parsing a string",
                    ));
                }
            }
        }
    }

    /// After `\`.
    fn escape(&mut self) -> Result<char, String> {
        Ok(match self.next() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let first = self.hex4()?;
                let code = match first {
                    0xD800..=0xDBFF => {
                        if self.next() != Some(b'\\') || self.next() != Some(b'u') {
                            return Err(self.error("unexpected end of hex escape"));
                        }
                        let second = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&second) {
                            return Err(self.error("lone leading surrogate in hex escape"));
                        }
                        0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                    }
                    0xDC00..=0xDFFF => {
                        return Err(self.error("lone leading surrogate in hex escape"));
                    }
                    code => code,
                };
                char::from_u32(code).ok_or_else(|| self.error("invalid unicode code point"))?
            }
            None => return Err(self.error("EOF while parsing a string")),
            Some(_) => return Err(self.error("invalid escape")),
        })
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = match self.next() {
                Some(b) => (b as char).to_digit(16),
                None => return Err(self.error("EOF while parsing a string")),
            };
            code = code * 16 + digit.ok_or_else(|| self.error("invalid escape"))?;
        }
        Ok(code)
    }

    /// At `-` or a digit: JSON's grammar, then the number. A whole number
    /// that fits 64 bits is kept exact; any other is the nearest `f64`.
    fn number(&mut self) -> Result<Value, String> {
        let start = self.at;
        let negative = self.peek() == Some(b'-');
        self.at += usize::from(negative);
        match self.next() {
            Some(b'0') => {}
            Some(b'1'..=b'9') => self.digits(),
            None => return Err(self.error("EOF while parsing a value")),
            Some(_) => return Err(self.error("invalid number")),
        }
        let mut whole = true;
        if self.peek() == Some(b'.') {
            whole = false;
            self.at += 1;
            self.digit()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            whole = false;
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            self.digit()?;
        }
        let text = &self.text[start..self.at];
        if whole {
            let exact = if negative {
                text.parse::<i64>()
                    .ok()
                    .filter(|&n| n != 0)
                    .map(Number::from)
            } else {
                text.parse::<u64>().ok().map(Number::from)
            };
            if let Some(n) = exact {
                return Ok(Value::Number(n));
            }
        }
        Number::from_f64(float_of(text))
            .map(Value::Number)
            .ok_or_else(|| self.error("number out of range"))
    }

    /// One digit at least, then any more.
    fn digit(&mut self) -> Result<(), String> {
        match self.next() {
            Some(b'0'..=b'9') => {
                self.digits();
                Ok(())
            }
            None => Err(self.error("EOF while parsing a value")),
            Some(_) => Err(self.error("invalid number")),
        }
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
    }
}

fn write_into(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => {
                let _ = write!(out, "{u}");
            }
            (_, Some(i)) => {
                let _ = write!(out, "{i}");
            }
            _ => out.push_str(&float_text(n.as_f64().unwrap_or_default())),
        },
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_into(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, key);
                out.push(':');
                write_into(out, item);
            }
            out.push('}');
        }
    }
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c < ' ' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The `f64` nearest a number in JSON's grammar.
#[cfg(target_arch = "wasm32")]
fn float_of(text: &str) -> f64 {
    js_sys::parse_float(text)
}

#[cfg(not(target_arch = "wasm32"))]
fn float_of(text: &str) -> f64 {
    text.parse().unwrap_or(f64::NAN)
}

/// A finite `f64` as JSON, shortest form that reads back the same, with
/// `.0` on a whole one as serde_json writes it (so it reads back a float).
#[cfg(target_arch = "wasm32")]
fn float_text(x: f64) -> String {
    let mut text = js_sys::JSON::stringify(&x.into())
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default();
    if !text.contains(['.', 'e']) {
        text.push_str(".0");
    }
    text
}

#[cfg(not(target_arch = "wasm32"))]
fn float_text(x: f64) -> String {
    Number::from_f64(x)
        .map(|n| n.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
