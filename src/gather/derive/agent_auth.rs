//! `agent_auth` (auth.md): the skill document an `agent_auth.skill` names,
//! and an empty registration request to the registration endpoint on the
//! authorization server's own origin (endpoints on other origins are
//! reported by the checks, not fetched).

use super::Context;
use crate::evidence::views::metadata::metadata_docs;
use crate::gather::http::RequestSpec;
use crate::gather::plan::PlannedProbe;
use crate::gather::plan::get;
use crate::model::probe::{AUTH_MD, ProbeMeta};
use url::Url;

/// The probes this step derives from the evidence so far.
pub(super) fn probes(cx: &Context<'_>) -> Vec<PlannedProbe> {
    let mut out = Vec::new();
    let mut planned: Vec<String> = Vec::new();
    for d in metadata_docs(cx.evidence).iter() {
        let (probe, Some(doc)) = (d.probe.as_str(), d.state.doc()) else {
            continue;
        };
        let Some(block) = doc.get("agent_auth").and_then(|v| v.as_object()) else {
            continue;
        };
        let doc_origin = Url::parse(&d.url)
            .ok()
            .map(|u| crate::model::target::origin_of(&u));
        if let Some(skill) = block.get("skill").and_then(|v| v.as_str())
            && let Ok(url) = Url::parse(skill)
            && (url.scheme() == "https" || url.scheme() == "http")
            && !planned.iter().any(|p| p == skill)
        {
            planned.push(skill.to_string());
            out.push(PlannedProbe {
                id: format!("{AUTH_MD}@{skill}"),
                meta: ProbeMeta::AuthMd {
                    skill_of: Some(probe.to_string()),
                },
                request: get(url, "text/markdown, text/plain;q=0.9, */*;q=0.1", cx.target),
            });
        }
        for member in ["identity_endpoint", "register_uri"] {
            let Some(endpoint) = block.get(member).and_then(|v| v.as_str()) else {
                continue;
            };
            let Ok(url) = Url::parse(endpoint) else {
                continue;
            };
            let same_origin =
                doc_origin.as_deref() == Some(crate::model::target::origin_of(&url).as_str());
            if !same_origin
                || planned.iter().any(|p| p == endpoint)
                || (url.scheme() != "https" && url.scheme() != "http")
            {
                continue;
            }
            planned.push(endpoint.to_string());
            out.push(PlannedProbe {
                id: format!("agent-registration@{endpoint}"),
                meta: ProbeMeta::AgentRegistration {
                    url: endpoint.to_string(),
                    named_by: probe.to_string(),
                },
                request: RequestSpec {
                    large_body: false,
                    method: reqwest::Method::POST,
                    url,
                    headers: vec![
                        ("accept".into(), "application/json".into()),
                        ("content-type".into(), "application/json".into()),
                    ],
                    body: Some("{}".into()),
                },
            });
        }
    }
    out
}
