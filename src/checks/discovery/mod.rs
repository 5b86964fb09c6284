//! Discovery: can an agent find how to authenticate (RFC 8414, RFC 9728, RFC 6750 §3, RFC 9727)?

use crate::evidence::views::metadata::issuer_matches;

pub mod agent_card;
pub mod api_catalog;
pub mod as_metadata_discovery;
pub mod bearer_challenge;
pub mod discovery_consistency;
pub mod mcp_server_card;
pub mod protected_resource_metadata;

/// Identity up to the one trailing slash RFC 8414 §3 and RFC 9728 §3.1
/// allow.
pub(crate) fn trimmed_eq(a: &str, b: &str) -> bool {
    issuer_matches(a, b)
}

/// RFC 9728 §3.3: the document a challenge named must declare exactly the
/// URL requested. The only slack is the `/` the URL parser adds to an
/// origin (`https://api.example.com` is requested as `.../`).
pub(crate) fn challenge_resource_matches(requested: &str, declared: &str) -> bool {
    requested == declared
        || url::Url::parse(requested)
            .is_ok_and(|u| u.path() == "/" && requested.strip_suffix('/') == Some(declared))
}
