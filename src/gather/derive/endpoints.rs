//! Advertised endpoints → a request designed to be rejected: the device
//! authorization (RFC 8628), registration (RFC 7591), revocation (RFC
//! 7009) and introspection (RFC 7662) endpoints the metadata names. Passive
//! mode drops these POSTs when the round runs.

use super::Context;
use crate::evidence::views::metadata::metadata_docs;
use crate::gather::plan::PlannedProbe;
use crate::gather::plan::{MAX_LISTED_ISSUERS, endpoint_request};
use crate::model::probe::{EndpointKind, ProbeMeta};
use url::Url;

/// The probes this step derives from the evidence so far.
pub(super) fn probes(cx: &Context<'_>) -> Vec<PlannedProbe> {
    let mut out = Vec::new();
    for kind in EndpointKind::ALL {
        let mut urls: Vec<(String, Vec<String>)> = Vec::new();
        for d in metadata_docs(cx.evidence).iter() {
            let (probe, Some(doc)) = (d.probe.as_str(), d.state.doc()) else {
                continue;
            };
            let Some(uri) = doc.get(kind.member()).and_then(|v| v.as_str()) else {
                continue;
            };
            match urls.iter_mut().find(|(u, _)| u == uri) {
                Some((_, named)) => named.push(probe.to_string()),
                None => urls.push((uri.to_string(), vec![probe.to_string()])),
            }
        }
        for (uri, named_by) in urls.into_iter().take(MAX_LISTED_ISSUERS) {
            let Ok(url) = Url::parse(&uri) else { continue };
            if url.scheme() != "https" && url.scheme() != "http" {
                continue;
            }
            out.push(PlannedProbe {
                id: format!("{}@{uri}", kind.probe_prefix()),
                meta: ProbeMeta::Endpoint {
                    endpoint: kind,
                    url: uri.clone(),
                    named_by,
                },
                request: endpoint_request(kind, url),
            });
        }
    }
    out
}
