//! The hand-written JSON against serde_json: the same values from the same
//! text, the same text from the same value, and refusals where it refuses.

use super::*;
use serde_json::json;

fn serde(text: &str) -> Option<Value> {
    serde_json::from_str(text).ok()
}

/// Ours and serde_json's agree on `text`: both refuse it, or both read the
/// same value (numbers of the same kind included).
fn agree(text: &str) {
    let ours = parse(text);
    assert_eq!(ours.clone().ok(), serde(text), "{text:?}: {ours:?}");
    if let (Ok(a), Some(b)) = (ours, serde(text)) {
        assert_eq!(write(&a), serde_json::to_string(&b).unwrap(), "{text:?}");
    }
}

#[test]
fn reads_what_serde_json_reads() {
    for text in [
        "null",
        " true ",
        "false",
        "0",
        "-0",
        "7",
        "-7",
        "18446744073709551615",
        "18446744073709551616",
        "-9223372036854775808",
        "-9223372036854775809",
        "9007199254740993",
        "1.5",
        "-2.25e3",
        "1e-400",
        "5.0",
        "0.1",
        r#""""#,
        r#""a\"b\\c\/d\b\f\n\r\t""#,
        r#""\u00e9\u20ac\ud83d\ude00""#,
        r#""é€😀""#,
        "[]",
        "[1, [2, [3]], {}]",
        r#"{"a": 1, "b": {"c": [true, null]}, "a": 2}"#,
        "\n\t{ \"k\" : \"v\" }\r\n",
    ] {
        agree(text);
        assert!(parse(text).is_ok(), "{text:?}");
    }
}

#[test]
fn refuses_what_serde_json_refuses() {
    for text in [
        "",
        " ",
        "nul",
        "nulll",
        "tru",
        "01",
        "-",
        "1.",
        ".5",
        "1e",
        "1e+",
        "+1",
        "NaN",
        "1E400",
        "Infinity",
        r#""abc"#,
        "\"a\u{1}b\"",
        r#""\x""#,
        r#""\u12""#,
        r#""\ud800""#,
        r#""\ud800\u0041""#,
        r#""\udc00""#,
        "[1,]",
        "[1 2]",
        "[",
        r#"{"a" 1}"#,
        r#"{"a": 1,}"#,
        "{1: 2}",
        "{",
        "{} {}",
        "[] x",
    ] {
        agree(text);
        assert!(parse(text).is_err(), "{text:?}");
    }
}

#[test]
fn nesting_stops_where_serde_json_stops() {
    for depth in [127, 128, 129, 200] {
        agree(&format!("{}{}", "[".repeat(depth), "]".repeat(depth)));
    }
}

#[test]
fn says_where_the_text_went_wrong() {
    assert_eq!(
        parse("{\n  \"a\": x}").unwrap_err(),
        "expected value at line 2 column 8"
    );
    assert_eq!(
        parse("[1 2]").unwrap_err(),
        "expected `,` or `]` at line 1 column 4"
    );
    assert_eq!(
        parse("[] x").unwrap_err(),
        "trailing characters at line 1 column 4"
    );
    assert_eq!(
        parse("\"abc").unwrap_err(),
        "EOF while parsing a string at line 1 column 4"
    );
}

#[test]
fn writes_as_serde_json_writes() {
    let v = json!({
        "s": "quote \" back \\ slash / tab \t nl \n ctl \u{1} \u{1f} del \u{7f} é 😀",
        "n": [0, -1, 18446744073709551615u64, -9223372036854775808i64, 1.5, 5.0, 1e300, -0.001],
        "o": {"z": null, "a": [true, false]},
    });
    assert_eq!(write(&v), serde_json::to_string(&v).unwrap());
    assert_eq!(parse(&write(&v)).unwrap(), v);
}

/// A small deterministic generator, so the test is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn value(&mut self, depth: u32) -> Value {
        match self.below(if depth > 3 { 4 } else { 6 }) {
            0 => Value::Null,
            1 => Value::Bool(self.below(2) == 0),
            2 => match self.below(4) {
                0 => json!(self.next()),
                1 => json!(-(self.below(1 << 62) as i64)),
                2 => json!(self.below(1000)),
                _ => json!(
                    f64::from_bits(self.next() >> 2) * if self.below(2) == 0 { 1.0 } else { -1.0 }
                ),
            },
            3 => Value::String(self.string()),
            4 => Value::Array((0..self.below(4)).map(|_| self.value(depth + 1)).collect()),
            _ => Value::Object(
                (0..self.below(4))
                    .map(|_| (self.string(), self.value(depth + 1)))
                    .collect(),
            ),
        }
    }

    fn string(&mut self) -> String {
        const CHARS: [char; 12] = [
            'a', 'Z', ' ', '"', '\\', '/', '\n', '\u{1}', '\u{7f}', 'é', '€', '😀',
        ];
        (0..self.below(6))
            .map(|_| CHARS[self.below(CHARS.len() as u64) as usize])
            .collect()
    }
}

#[test]
fn agrees_with_serde_json_on_generated_values_and_their_damage() {
    let mut rng = Rng(0x5eed_1234_abcd_9876);
    for _ in 0..400 {
        let v = rng.value(0);
        let text = serde_json::to_string(&v).unwrap();
        assert_eq!(write(&v), text);
        assert_eq!(parse(&text).unwrap(), v, "{text}");
        agree(&serde_json::to_string_pretty(&v).unwrap());
        // Cut short at every character, and one byte changed.
        for (i, _) in text.char_indices() {
            agree(&text[..i]);
        }
        let mut bytes = text.clone().into_bytes();
        let i = rng.below(bytes.len() as u64) as usize;
        bytes[i] = b"{}[],:\"\\0-e.tn "[rng.below(15) as usize];
        if let Ok(changed) = String::from_utf8(bytes) {
            agree(&changed);
        }
    }
}
