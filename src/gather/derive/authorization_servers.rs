//! `authorization_servers` of each protected-resource document (RFC 9728
//! §2) → the metadata URLs of each issuer, in the MCP 2025-11-25 order (at
//! most `MAX_LISTED_ISSUERS` distinct issuers per scan).

use super::Context;
use crate::gather::plan::PlannedProbe;
use crate::gather::plan::{MAX_LISTED_ISSUERS, as_metadata_probes};
use crate::model::probe::{IssuerSource, ProbeMeta};

/// The probes this step derives from the evidence so far.
pub(super) fn probes(cx: &Context<'_>) -> Vec<PlannedProbe> {
    let mut out = Vec::new();
    let mut issuers: Vec<String> = cx
        .evidence
        .probes_where(|m| {
            matches!(
                m,
                ProbeMeta::AsMetadata {
                    source: IssuerSource::AuthorizationServers { .. },
                    ..
                }
            )
        })
        .filter_map(|(_, r)| match &r.meta {
            ProbeMeta::AsMetadata { issuer, .. } => Some(issuer.clone()),
            _ => None,
        })
        .collect();
    issuers.dedup();
    for (prm, doc) in cx.prms {
        let Some(list) = doc.get("authorization_servers").and_then(|v| v.as_array()) else {
            continue;
        };
        for issuer in list.iter().filter_map(|v| v.as_str()) {
            if issuers.iter().any(|s| s == issuer) {
                continue;
            }
            if issuers.len() >= MAX_LISTED_ISSUERS {
                break;
            }
            issuers.push(issuer.to_string());
            out.extend(as_metadata_probes(
                cx.target,
                issuer,
                &format!("@{issuer}"),
                &IssuerSource::AuthorizationServers {
                    prm: prm.to_string(),
                },
            ));
        }
    }
    out
}
