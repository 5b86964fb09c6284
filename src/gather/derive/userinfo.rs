//! An issuer target → its OpenID Connect `userinfo_endpoint`, probed as an
//! API. When the authorization-server metadata is found at the target
//! itself, the target is an issuer, not a protected resource; the
//! `userinfo_endpoint` the metadata names is a real OAuth-protected
//! resource (OpenID Connect Core §5.3, a bearer-token resource per RFC
//! 6750), so the challenge checks probe it — without credentials and with
//! a bogus token — and judge its `WWW-Authenticate`.

use super::Context;
use crate::gather::plan::{PlannedProbe, api_probes};
use crate::model::probe::{API_USERINFO, ApiSource, ProbeMeta};
use crate::model::target::TargetKind;
use url::Url;

/// The probes this step derives from the evidence so far: at most one
/// userinfo endpoint per scan.
pub(super) fn probes(cx: &Context<'_>) -> Vec<PlannedProbe> {
    let planned = cx.evidence.probes_where(|m| {
        matches!(
            m,
            ProbeMeta::Api {
                source: ApiSource::Userinfo { .. },
                ..
            }
        )
    });
    if planned.count() > 0 {
        return Vec::new();
    }
    let Some((probe, url)) = issuer_target_userinfo(cx) else {
        return Vec::new();
    };
    api_probes(
        &format!("{API_USERINFO}@{url}"),
        &url,
        ApiSource::Userinfo {
            metadata: probe.to_string(),
        },
        cx.opts.mode,
    )
}

/// The `userinfo_endpoint` of the metadata found at the target, when the
/// target is an issuer: metadata built from the target URL itself (its
/// path, or its origin for a bare-origin target) was found. An MCP
/// endpoint is never an issuer here. Only a userinfo endpoint on the
/// target's own site is probed.
fn issuer_target_userinfo(cx: &Context<'_>) -> Option<(String, Url)> {
    if cx.target.kind == TargetKind::Mcp {
        return None;
    }
    crate::evidence::views::api::issuer_target_docs(cx.evidence)
        .into_iter()
        .find_map(|(probe, doc)| {
            let u = doc.get("userinfo_endpoint")?.as_str()?;
            let url = Url::parse(u).ok()?;
            // Only the target's own site, as for an API description's
            // servers: a document may name any host.
            let own = crate::parse::links::same_site(
                cx.target.url.host_str().unwrap_or_default(),
                url.host_str().unwrap_or_default(),
            );
            (own && matches!(url.scheme(), "https" | "http")).then_some((probe, url))
        })
}
