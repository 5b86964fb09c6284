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

/// The shared rule "not verified is not failed": what an exchange that got
/// no answer means for a check. `None` when the exchange says something
/// about the target (it was answered, or a redirect the server sent could
/// not be followed); otherwise why it says nothing, what would verify it,
/// and whether it is a fault (nothing answered: the check is `error`) or a
/// request deliberately not sent (the check is `skip`).
///
/// `what` names the request for the reason, e.g. "POST https://…/revoke".
pub fn unverified(
    x: &crate::model::exchange::Exchange,
    what: &str,
) -> Option<crate::model::outcome::Unverified> {
    if x.response.is_some() {
        return None;
    }
    let (message, kind) = match &x.error {
        Some(e) => (e.message.as_str(), e.kind.as_str()),
        None => ("no response", "other"),
    };
    let (remedy, fault) = match kind {
        // The server answered with a redirect that could not be followed:
        // that is an observation about the target, judged by the check.
        "redirect-limit" | "redirect-refused" | "invalid-url" => return None,
        "refused" => (
            "--allow-private (the SSRF guard refuses private, loopback and link-local addresses the target's documents name unless the target itself is one)",
            false,
        ),
        "restricted" => (
            "scan without the loopback-only restriction of tests and the demo",
            false,
        ),
        "robots" => ("--ignore-robots, if the site owner agrees", false),
        "excluded" => ("remove the host from the --exclude list", false),
        "host-skipped" => (
            "scan the target again when the host answers (or raise --max-host-errors)",
            true,
        ),
        "deadline" => ("a longer --target-timeout", true),
        "timeout" => ("a longer --timeout, or scan again later", true),
        _ => (
            "check that the host is reachable from where agentready runs, then scan again",
            true,
        ),
    };
    let verb = if fault {
        "got no answer"
    } else {
        "was not sent"
    };
    Some(crate::model::outcome::Unverified {
        probe: Some(x.probe.clone()),
        reason: format!("{what} {verb}: {message}"),
        remedy: remedy.to_string(),
        fault,
    })
}

/// A request passive mode did not send (`--passive` sends GETs only).
pub fn passive_unverified(what: &str) -> crate::model::outcome::Unverified {
    crate::model::outcome::Unverified {
        probe: None,
        reason: format!("{what} was not sent: passive mode sends GET requests only"),
        remedy: "scan without --passive".to_string(),
        fault: false,
    }
}
