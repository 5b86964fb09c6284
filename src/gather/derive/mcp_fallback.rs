//! MCP endpoints that answered `server/discover` as a 2025 server → the
//! 2025 `initialize` (MCP 2026-07-28, streamable HTTP "Backward
//! Compatibility": fall back only when the answer is not a recognized
//! modern one). Sent once per endpoint URL. And the conventional `/mcp`
//! of a bare domain, once it answered like an MCP endpoint, gets its
//! invalid-token request.

use super::Context;
use crate::evidence::views::mcp::mcp_view;
use crate::evidence::views::api::api_view;
use crate::gather::plan::{PlannedProbe, api_probes, mcp_initialize_probe};
use crate::model::probe::{ApiSource, INVALID_TOKEN_SUFFIX};
use crate::parse::mcp::Era;
use url::Url;

/// The probes this step derives from the evidence so far.
pub(super) fn probes(cx: &Context<'_>) -> Vec<PlannedProbe> {
    let mut out: Vec<PlannedProbe> = Vec::new();
    for e in mcp_view(cx.evidence).iter() {
        if !matches!(e.era, Some(Era::Legacy { .. })) || e.fallback.is_some() {
            continue;
        }
        let Ok(url) = Url::parse(&e.url) else {
            continue;
        };
        if out.iter().any(|p| p.request.url == url) {
            continue;
        }
        out.push(mcp_initialize_probe(&e.probe, &url));
    }
    for a in api_view(cx.evidence)
        .iter()
        .filter(|a| a.source == ApiSource::Conventional && !a.invalid_token)
    {
        let Ok(url) = Url::parse(&a.url) else {
            continue;
        };
        out.extend(
            api_probes(&a.probe, &url, ApiSource::Conventional, cx.opts.mode)
                .into_iter()
                .filter(|p| p.id.ends_with(INVALID_TOKEN_SUFFIX)),
        );
    }
    out
}
