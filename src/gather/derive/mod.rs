//! Derivation: probes planned from what earlier rounds found, one file per
//! step, each reading the evidence views (never a raw document) and bounded
//! (see the `MAX_*` limits of [`crate::gather::plan`]). The steps run in a
//! fixed order, which is the order their requests are recorded in.

mod agent_auth;
mod authorization_servers;
mod cards;
mod challenges;
mod cleanup;
mod descriptions;
mod endpoints;
mod jwks;
mod mcp_fallback;
mod prm_resources;
mod userinfo;

pub use cleanup::registration_cleanup;
#[cfg(any(test, feature = "testing"))]
pub use descriptions::issuer_of_metadata_url;

use crate::evidence::Evidence;
use crate::evidence::views::prm::prm_view;
use crate::gather::plan::{GatherOptions, Plan, PlannedProbe};
use crate::model::probe::Needs;
use crate::model::target::Target;
use serde_json::Value;

/// What every derivation step reads.
pub(crate) struct Context<'a> {
    /// The target scanned.
    pub target: &'a Target,
    /// The evidence so far.
    pub evidence: &'a Evidence,
    /// Scan-wide settings.
    pub opts: &'a GatherOptions,
    /// What the selected checks need.
    pub plan: &'a Plan,
    /// The protected-resource documents found, challenge-named first (MCP
    /// clients prefer them), as the checks read them.
    pub prms: &'a [(&'a str, &'a Value)],
}

/// Probes derived from the evidence so far (all bounded):
/// - the `resource_metadata` URL of each challenge to an API probe;
/// - the 2025 `initialize` of an MCP endpoint that answered
///   `server/discover` as a 2025 server;
/// - from each protected-resource document, its `resource` URL (probed as
///   an API when it is not the target) and the metadata of each issuer in
///   `authorization_servers`, in the MCP order (first
///   [`crate::gather::plan::MAX_LISTED_ISSUERS`] distinct issuers of the
///   scan);
/// - when the target is an issuer, its OpenID Connect `userinfo_endpoint`,
///   probed as an API (the protected resource an issuer has);
/// - rejected requests to the endpoints the metadata advertises;
/// - the auth.md an `agent_auth.skill` names, and its registration endpoint;
/// - the server cards an AI catalog names, the MCP endpoints server cards
///   announce, and the authorization servers an agent card names;
/// - the API descriptions announced or found, and what they name;
/// - the `jwks_uri` of every metadata document found.
pub fn derived_probes(
    target: &Target,
    evidence: &Evidence,
    opts: &GatherOptions,
    plan: &Plan,
) -> Vec<PlannedProbe> {
    let step = |needs: Needs| plan.needs.contains(needs);
    let mut out = Vec::new();
    let mut cx = Context {
        target,
        evidence,
        opts,
        plan,
        prms: &[],
    };
    if step(Needs::AS_METADATA) {
        out.extend(challenges::probes(&cx));
    }
    if step(Needs::API) {
        out.extend(mcp_fallback::probes(&cx));
    }
    let prm = prm_view(evidence);
    let prms: Vec<(&str, &Value)> = prm
        .iter()
        .filter_map(|c| c.doc().map(|d| (c.probe.as_str(), d)))
        .collect();
    cx.prms = &prms;
    if step(Needs::API) {
        out.extend(prm_resources::probes(&cx));
    }
    if step(Needs::CARDS) {
        out.extend(cards::probes(&cx));
    }
    if step(Needs::AS_METADATA) {
        out.extend(authorization_servers::probes(&cx));
    }
    if step(Needs::API) {
        out.extend(userinfo::probes(&cx));
    }
    if step(Needs::ENDPOINTS) {
        out.extend(endpoints::probes(&cx));
    }
    if step(Needs::AGENT_AUTH) {
        out.extend(agent_auth::probes(&cx));
    }
    if step(Needs::API_DESCRIPTION) {
        out.extend(descriptions::probes(&cx));
    }
    if step(Needs::JWKS) {
        out.extend(jwks::probes(&cx));
    }
    out
}
