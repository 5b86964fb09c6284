//! Built-in (Rust) evaluators, one module per check family.
//!
//! Each catalogue file with `implementation = "rust"` has exactly one
//! evaluator here under the same id (a test enforces both directions).

pub mod abuse;
pub mod agent_auth;
pub mod apis;
pub mod audit;
pub mod discovery;
pub mod headless;
pub mod metadata;
pub mod payments;
pub mod scopes;

use crate::evidence::Evidence;
use crate::model::outcome::Evaluation;

/// A built-in evaluator: pure, synchronous, over the whole evidence.
pub type Evaluator = fn(&Evidence) -> Evaluation;

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
    /// Metadata plus auth.md and the agent registration endpoint.
    AgentAuth,
    /// Unauthenticated GETs of the target URL, `/api` and `/api/v1`.
    ApiResources,
    /// Metadata, API requests and the API GETs, plus the API catalog and
    /// the API descriptions it (or a `Link` header, or a conventional
    /// location) leads to.
    ApiDescription,
    /// Every request an agent would make of the target (the check judges
    /// each exchange of the scan, whatever probe sent it).
    AgentSurface,
}

/// The evaluator registered under a check id.
pub fn builtin(id: &str) -> Option<(Evaluator, Requires)> {
    use discovery as d;
    use headless as h;
    use metadata as m;
    let (e, r): (Evaluator, Requires) = match id {
        // MCP discovery starts at the challenge.
        "as-metadata-discovery" => (m::as_metadata_discovery, Requires::Api),
        "as-metadata-conformance" => (m::as_metadata_conformance, Requires::AsMetadata),
        "issuer-identifier" => (m::issuer_identifier, Requires::AsMetadata),
        "endpoint-transport" => (m::endpoint_transport, Requires::AsMetadata),
        "oauth21-grants" => (m::oauth21_grants, Requires::AsMetadata),
        "pkce-s256" => (m::pkce_s256, Requires::AsMetadata),
        "pkce-downgrade" => (m::pkce_downgrade, Requires::AsMetadata),
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
        "auth-md" => (agent_auth::auth_md, Requires::AgentAuth),
        "agent-auth-metadata" => (agent_auth::agent_auth_metadata, Requires::AsMetadata),
        "agent-registration-endpoint" => {
            (agent_auth::agent_registration_endpoint, Requires::AgentAuth)
        }
        "identity-assertion" => (agent_auth::identity_assertion, Requires::AsMetadata),
        "x402-payment" => (payments::x402_payment, Requires::ApiResources),
        "bot-challenge" => (abuse::bot_challenge, Requires::AgentSurface),
        "rate-limit-signals" => (abuse::rate_limit_signals, Requires::ApiResources),
        "request-attribution" => (audit::request_attribution, Requires::ApiResources),
        // Scopes are read from metadata and from challenges; their
        // descriptions also from the API description's OAuth flows.
        "scopes-published" => (scopes::scopes_published, Requires::ApiDescription),
        "scope-classification" => (scopes::scope_classification, Requires::ApiDescription),
        "least-privilege" => (scopes::least_privilege, Requires::ApiDescription),
        "progressive-scoping" => (scopes::progressive_scoping, Requires::ApiDescription),
        "api-catalog" => (apis::api_catalog, Requires::ApiDescription),
        "action-classification" => (apis::action_classification, Requires::ApiDescription),
        "api-key-scheme" => (apis::api_key_scheme, Requires::ApiDescription),
        _ => return None,
    };
    Some((e, r))
}

/// Every id with a built-in evaluator.
pub fn builtin_ids() -> Vec<&'static str> {
    let mut ids = metadata::IDS.to_vec();
    ids.extend(discovery::IDS);
    ids.extend(headless::IDS);
    ids.extend(agent_auth::IDS);
    ids.extend(payments::IDS);
    ids.extend(audit::IDS);
    ids.extend(abuse::IDS);
    ids.extend(scopes::IDS);
    ids.extend(apis::IDS);
    ids
}
