//! Every built-in check, in one list. Adding a check is one line here
//! (beside its `checks/<id>.toml`, its file under `src/checks/<category>/`
//! and its fixtures; see CONTRIBUTING.md).

use super::{
    Builtin, abuse, agent_auth, audit, discovery, headless, lifecycle, metadata, payments, pkce,
    scopes,
};

/// The built-in checks, grouped by category.
pub static BUILTINS: &[Builtin] = &[
    discovery::agent_card::CHECK,
    discovery::api_catalog::CHECK,
    discovery::as_metadata_discovery::CHECK,
    discovery::bearer_challenge::CHECK,
    discovery::discovery_consistency::CHECK,
    discovery::mcp_server_card::CHECK,
    discovery::protected_resource_metadata::CHECK,
    metadata::as_metadata_conformance::CHECK,
    metadata::authorization_response_iss::CHECK,
    metadata::dpop_binding::CHECK,
    metadata::endpoint_transport::CHECK,
    metadata::issuer_identifier::CHECK,
    metadata::jwks_hygiene::CHECK,
    metadata::oauth21_grants::CHECK,
    pkce::pkce_downgrade::CHECK,
    pkce::pkce_s256::CHECK,
    headless::browserless_path::CHECK,
    headless::client_compatibility::CHECK,
    headless::client_registration::CHECK,
    headless::delegation_grants::CHECK,
    headless::device_authorization::CHECK,
    scopes::action_classification::CHECK,
    scopes::least_privilege::CHECK,
    scopes::progressive_scoping::CHECK,
    scopes::scope_classification::CHECK,
    scopes::scopes_published::CHECK,
    agent_auth::agent_auth_metadata::CHECK,
    agent_auth::agent_registration_endpoint::CHECK,
    agent_auth::auth_md::CHECK,
    agent_auth::identity_assertion::CHECK,
    lifecycle::token_introspection::CHECK,
    lifecycle::token_lifetime::CHECK,
    lifecycle::token_revocation::CHECK,
    audit::request_attribution::CHECK,
    abuse::api_key_scheme::CHECK,
    abuse::bot_challenge::CHECK,
    abuse::rate_limit_signals::CHECK,
    payments::x402_payment::CHECK,
];

/// The built-in check registered under an id.
pub fn builtin(id: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::collections::BTreeSet;

    #[test]
    fn ids_are_unique() {
        let ids: BTreeSet<&str> = BUILTINS.iter().map(|b| b.id).collect();
        assert_eq!(ids.len(), BUILTINS.len());
    }
}
