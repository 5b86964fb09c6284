//! Authorization-server metadata: is it well formed and trustworthy (RFC 8414, RFC 7517)?

use serde_json::Value;

pub mod as_metadata_conformance;
pub mod authorization_response_iss;
pub mod dpop_binding;
pub mod endpoint_transport;
pub mod issuer_identifier;
pub mod jwks_hygiene;
pub mod oauth21_grants;

/// The strings of an array member, or `None` when it is absent or not an
/// array.
pub(crate) fn str_array<'a>(doc: &'a Value, key: &str) -> Option<Vec<&'a str>> {
    doc.get(key)?
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
}
