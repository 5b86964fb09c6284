//! Texts a target controls, wherever they sit in a JSON value.

use serde_json::Value;

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
