//! Agent registration: auth.md, the `agent_auth` metadata block, its registration endpoint, ID-JAG.

use crate::evidence::Evidence;
use crate::evidence::views::metadata::effective_docs;
use serde_json::Value;

pub mod agent_auth_metadata;
pub mod agent_registration_endpoint;
pub mod auth_md;
pub mod identity_assertion;

/// The ID-JAG token type (an `agent_auth` assertion type).
pub(crate) const ID_JAG_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:id-jag";

/// The ID-JAG grant profile (an AS grant profile).
pub(crate) const ID_JAG_PROFILE: &str = "urn:ietf:params:oauth:grant-profile:id-jag";

/// The `agent_auth` blocks of the effective metadata documents.
pub(crate) fn blocks(
    ev: &Evidence,
) -> std::sync::Arc<crate::evidence::views::metadata::EffectiveDocs> {
    effective_docs(ev)
}

/// The strings of an array, or `None` when it is absent, not an array, or
/// holds anything but strings.
pub(crate) fn all_strings(v: Option<&Value>) -> Option<Vec<&str>> {
    let a = v?.as_array()?;
    let s: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
    (s.len() == a.len()).then_some(s)
}

/// True for a value that looks like ID-JAG but is neither the token type
/// nor the grant profile (a misspelt identifier).
pub(crate) fn jag_like(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    (l.contains("id-jag") || l.contains("id_jag") || l.contains("idjag"))
        && s != ID_JAG_TOKEN_TYPE
        && s != ID_JAG_PROFILE
}
