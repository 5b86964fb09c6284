//! Texts a target controls, wherever they sit in a JSON value.

use serde_json::Value;

/// `singular` for a count of 1, else `plural`: "1 entry", "2 entries".
pub fn plural<'a>(n: usize, singular: &'a str, plural: &'a str) -> &'a str {
    if n == 1 { singular } else { plural }
}

/// `n` and the noun in the right number: "1 entry", "2 entries".
pub fn count(n: usize, singular: &str, plural_form: &str) -> String {
    format!("{n} {}", plural(n, singular, plural_form))
}

/// Apply `f` to every string of a JSON value, member names included.
pub fn value_texts_mut(v: &mut Value, f: &mut dyn FnMut(&mut String)) {
    match v {
        Value::String(s) => f(s),
        Value::Array(a) => {
            for x in a {
                value_texts_mut(x, f);
            }
        }
        Value::Object(m) => {
            // Member names may change (two may become one), so the map is
            // rebuilt.
            let entries: Vec<(String, Value)> = std::mem::take(m)
                .into_iter()
                .map(|(mut k, mut x)| {
                    f(&mut k);
                    value_texts_mut(&mut x, f);
                    (k, x)
                })
                .collect();
            m.extend(entries);
        }
        _ => {}
    }
}

/// `s` cut to `max` characters, with `…` when it was longer: how a
/// server-sent string is quoted in findings and data.
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() > max {
        let head: String = s.chars().take(max).collect();
        format!("{head}…")
    } else {
        s.to_string()
    }
}

/// The JSON type of a value, with its article (`a string`, `an array`,
/// `null`), for messages that say what a member is instead.
pub fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
