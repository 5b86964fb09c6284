//! Built-in (Rust) evaluators, one module per check family.
//!
//! Each catalogue file with `implementation = "rust"` has exactly one
//! evaluator here under the same id (a test enforces both directions).

pub mod discovery;
pub mod headless;
pub mod metadata;
pub mod scopes;

use crate::check::Evaluator;

/// What evidence a built-in check reads, so the planner sends only what the
/// selected checks need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requires {
    /// Authorization-server metadata (and the PRM documents leading to it).
    AsMetadata,
    /// Metadata plus unauthenticated API requests (challenges).
    Api,
    /// Metadata plus the JWK Sets it names.
    Jwks,
    /// Metadata plus rejected requests to the endpoints it advertises.
    Endpoints,
}

/// The evaluator registered under a check id.
pub fn builtin(id: &str) -> Option<(Evaluator, Requires)> {
    use discovery as d;
    use headless as h;
    use metadata as m;
    let (e, r): (Evaluator, Requires) = match id {
        "protected-resource-metadata" => (d::protected_resource_metadata, Requires::AsMetadata),
        "bearer-challenge" => (d::bearer_challenge, Requires::Api),
        "discovery-consistency" => (d::discovery_consistency, Requires::Api),
        "jwks-hygiene" => (d::jwks_hygiene, Requires::Jwks),
        "device-authorization" => (h::device_authorization, Requires::Endpoints),
        "client-registration" => (h::client_registration, Requires::Endpoints),
        "delegation-grants" => (h::delegation_grants, Requires::AsMetadata),
        "browserless-path" => (h::browserless_path, Requires::Endpoints),
        "token-revocation" => (h::token_revocation, Requires::Endpoints),
        "token-introspection" => (h::token_introspection, Requires::Endpoints),
        "token-lifetime" => (h::token_lifetime, Requires::AsMetadata),
        // Scopes are read from metadata and from challenges.
        "scopes-published" => (scopes::scopes_published, Requires::Api),
        "scope-classification" => (scopes::scope_classification, Requires::Api),
        "least-privilege" => (scopes::least_privilege, Requires::Api),
        "progressive-scoping" => (scopes::progressive_scoping, Requires::Api),
        // MCP discovery starts at the challenge.
        "as-metadata-discovery" => (m::as_metadata_discovery, Requires::Api),
        _ => (metadata_family(id)?, Requires::AsMetadata),
    };
    Some((e, r))
}

fn metadata_family(id: &str) -> Option<Evaluator> {
    use metadata as m;
    let e: Evaluator = match id {
        "as-metadata-conformance" => m::as_metadata_conformance,
        "issuer-identifier" => m::issuer_identifier,
        "endpoint-transport" => m::endpoint_transport,
        "oauth21-grants" => m::oauth21_grants,
        "pkce-s256" => m::pkce_s256,
        "pkce-downgrade" => m::pkce_downgrade,
        _ => return None,
    };
    Some(e)
}

/// Every id with a built-in evaluator.
pub fn builtin_ids() -> Vec<&'static str> {
    let mut ids = metadata::IDS.to_vec();
    ids.extend(discovery::IDS);
    ids.extend(headless::IDS);
    ids.extend(scopes::IDS);
    ids
}
