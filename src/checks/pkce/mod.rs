//! PKCE (RFC 7636): is S256 offered, and nothing weaker beside it?

use serde_json::Value;

pub mod pkce_downgrade;
pub mod pkce_s256;

/// What `code_challenge_methods_supported` says.
pub(crate) enum Methods<'a> {
    Absent,
    Malformed,
    List(Vec<&'a str>),
}

/// Read `code_challenge_methods_supported` (RFC 8414 §2).
pub(crate) fn pkce_methods(doc: &Value) -> Methods<'_> {
    match doc.get("code_challenge_methods_supported") {
        None => Methods::Absent,
        Some(Value::Array(a)) => {
            let list: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
            if list.len() == a.len() {
                Methods::List(list)
            } else {
                Methods::Malformed
            }
        }
        Some(_) => Methods::Malformed,
    }
}
