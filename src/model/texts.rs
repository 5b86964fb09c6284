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
