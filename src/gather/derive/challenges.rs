//! Challenges → protected-resource metadata: the `resource_metadata` URL
//! of each challenge an API request got (RFC 9728 §5.1; MCP clients use it
//! when present).

use super::Context;
use crate::evidence::views::api::api_view;
use crate::gather::plan::PlannedProbe;
use crate::gather::plan::get;
use crate::model::probe::{PRM_CHALLENGE, PrmForm, ProbeMeta};
use url::Url;

/// The probes this step derives from the evidence so far.
pub(super) fn probes(cx: &Context<'_>) -> Vec<PlannedProbe> {
    let mut out = Vec::new();
    for a in api_view(cx.evidence).iter().filter(|a| !a.invalid_token) {
        if !a.answered {
            continue;
        }
        let Some(rm) = a.resource_metadata() else {
            continue;
        };
        let Ok(prm_url) = Url::parse(rm) else {
            continue;
        };
        if prm_url.scheme() != "https" && prm_url.scheme() != "http" {
            continue;
        }
        out.push(PlannedProbe {
            id: format!("{PRM_CHALLENGE}@{}", a.probe),
            meta: ProbeMeta::ProtectedResource {
                resource: a.url.clone(),
                form: PrmForm::Challenge {
                    from: a.probe.clone(),
                },
            },
            request: get(prm_url, "application/json", cx.target),
        });
    }
    out
}
