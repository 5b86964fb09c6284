//! JWK Sets: the `jwks_uri` of every metadata document found, AS and PRM
//! (RFC 8414 §2, RFC 9728 §2).

use super::Context;
use crate::evidence::views::metadata::metadata_docs;
use crate::gather::plan::PlannedProbe;
use crate::gather::plan::{MAX_LISTED_ISSUERS, get};
use crate::model::probe::{JWKS, ProbeMeta};
use url::Url;

/// The probes this step derives from the evidence so far.
pub(super) fn probes(cx: &Context<'_>) -> Vec<PlannedProbe> {
    let mut out = Vec::new();
    let mut jwks: Vec<(String, Vec<String>)> = Vec::new();
    // Every metadata document found, AS and PRM, in probe-id order.
    let as_docs = metadata_docs(cx.evidence);
    let mut found: Vec<(&str, &serde_json::Value)> = as_docs
        .iter()
        .filter_map(|d| d.state.doc().map(|doc| (d.probe.as_str(), doc.as_ref())))
        .chain(cx.prms.iter().copied())
        .collect();
    found.sort_by_key(|(probe, _)| *probe);
    for (probe, doc) in found {
        let Some(uri) = doc.get("jwks_uri").and_then(|v| v.as_str()) else {
            continue;
        };
        match jwks.iter_mut().find(|(u, _)| u == uri) {
            Some((_, named)) => named.push(probe.to_string()),
            None => jwks.push((uri.to_string(), vec![probe.to_string()])),
        }
    }
    for (uri, named_by) in jwks.into_iter().take(MAX_LISTED_ISSUERS * 2) {
        let Ok(url) = Url::parse(&uri) else { continue };
        if url.scheme() != "https" && url.scheme() != "http" {
            continue;
        }
        out.push(PlannedProbe {
            id: format!("{JWKS}@{uri}"),
            meta: ProbeMeta::Jwks { named_by },
            request: get(url, "application/json, application/jwk-set+json", cx.target),
        });
    }
    out
}
