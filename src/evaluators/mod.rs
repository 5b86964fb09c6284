//! Built-in (Rust) evaluators, one module per check family.
//!
//! Each catalogue file with `implementation = "rust"` has exactly one
//! evaluator here under the same id (a test enforces both directions).

pub mod abuse;
pub mod audit;
pub mod metadata;
pub mod payments;

use crate::check::Evaluator;

/// What evidence a built-in check reads, so the planner sends only what the
/// selected checks need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requires {
    /// Authorization-server metadata (and the PRM documents leading to it).
    AsMetadata,
    /// Unauthenticated GETs of the target URL, `/api` and `/api/v1`.
    ApiResources,
    /// Every request an agent would make of the target (the check judges
    /// each exchange of the scan, whatever probe sent it).
    AgentSurface,
}

/// The evaluator registered under a check id.
pub fn builtin(id: &str) -> Option<(Evaluator, Requires)> {
    use metadata as m;
    let e: Evaluator = match id {
        "as-metadata-discovery" => m::as_metadata_discovery,
        "as-metadata-conformance" => m::as_metadata_conformance,
        "issuer-identifier" => m::issuer_identifier,
        "endpoint-transport" => m::endpoint_transport,
        "oauth21-grants" => m::oauth21_grants,
        "pkce-s256" => m::pkce_s256,
        "pkce-downgrade" => m::pkce_downgrade,
        "x402-payment" => return Some((payments::x402_payment, Requires::ApiResources)),
        "bot-challenge" => return Some((abuse::bot_challenge, Requires::AgentSurface)),
        "rate-limit-signals" => {
            return Some((abuse::rate_limit_signals, Requires::ApiResources));
        }
        "request-attribution" => {
            return Some((audit::request_attribution, Requires::ApiResources));
        }
        _ => return None,
    };
    Some((e, Requires::AsMetadata))
}

/// Every id with a built-in evaluator.
pub fn builtin_ids() -> Vec<&'static str> {
    let mut ids = metadata::IDS.to_vec();
    ids.extend(payments::IDS);
    ids.extend(audit::IDS);
    ids.extend(abuse::IDS);
    ids
}
