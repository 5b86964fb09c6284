//! Protected-resource `resource` URLs → unauthenticated API requests, for
//! resources other than the target (at most `MAX_LISTED_ISSUERS` per scan).

use super::Context;
use crate::gather::plan::PlannedProbe;
use crate::gather::plan::{MAX_LISTED_ISSUERS, api_probes};
use crate::model::probe::{API, ApiSource, ProbeMeta};
use url::Url;

/// The probes this step derives from the evidence so far.
pub(super) fn probes(cx: &Context<'_>) -> Vec<PlannedProbe> {
    let mut out = Vec::new();
    let mut resources: Vec<String> = cx
        .evidence
        .probes_where(|m| {
            matches!(
                m,
                ProbeMeta::Api {
                    source: ApiSource::PrmResource { .. },
                    ..
                }
            )
        })
        .filter_map(|(_, r)| match &r.meta {
            ProbeMeta::Api { url, .. } => Some(url.clone()),
            _ => None,
        })
        .collect();
    for (prm, doc) in cx.prms {
        let Some(resource) = doc.get("resource").and_then(|v| v.as_str()) else {
            continue;
        };
        let Ok(url) = Url::parse(resource) else {
            continue;
        };
        if (url.scheme() != "https" && url.scheme() != "http") || url == cx.target.url {
            continue;
        }
        if resources.iter().any(|r| r == url.as_str()) || resources.len() >= MAX_LISTED_ISSUERS {
            continue;
        }
        resources.push(url.to_string());
        out.extend(api_probes(
            &format!("{API}@{url}"),
            &url,
            ApiSource::PrmResource {
                prm: prm.to_string(),
            },
            cx.opts.mode,
        ));
    }
    out
}
