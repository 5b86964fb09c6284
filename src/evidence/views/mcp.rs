//! MCP endpoints: what each answered to `server/discover` (the protocol
//! era it speaks, the versions it names) and, for a 2025 server, to the
//! `initialize` fallback (MCP 2026-07-28, streamable HTTP "Backward
//! Compatibility").

use super::api::api_view;
use crate::evidence::Evidence;
use crate::model::probe::{ApiSource, ProbeMeta};
use crate::parse::mcp::{Era, classify_discover, initialize_version};
use std::sync::Arc;

/// The `initialize` fallback sent to a 2025 server, and its answer.
#[derive(Debug, Clone)]
pub struct Fallback {
    /// Probe id.
    pub probe: String,
    /// Status, when answered.
    pub status: Option<u16>,
    /// The negotiated `protocolVersion` of an `InitializeResult`.
    pub version: Option<String>,
}

/// One MCP endpoint of the scan (one exchange; aliases are listed once,
/// under the first probe id).
#[derive(Debug, Clone)]
pub struct McpEndpoint {
    /// The `server/discover` probe.
    pub probe: String,
    /// Its exchange index.
    pub exchange: usize,
    /// The endpoint URL.
    pub url: String,
    /// Where the URL came from.
    pub source: ApiSource,
    /// The era the answer shows; `None` when it was not answered (or not
    /// sent as a POST: passive mode).
    pub era: Option<Era>,
    /// The status, when answered.
    pub status: Option<u16>,
    /// The `initialize` fallback, when one was sent.
    pub fallback: Option<Fallback>,
}

impl McpEndpoint {
    /// The protocol versions the endpoint is known to speak: those its
    /// `DiscoverResult` (or version error) names, and the version an
    /// `initialize` fallback negotiated.
    pub fn versions(&self) -> Vec<String> {
        let mut out = match &self.era {
            Some(Era::Modern { versions, .. }) => versions.clone(),
            _ => Vec::new(),
        };
        if let Some(v) = self.fallback.as_ref().and_then(|f| f.version.clone())
            && !out.contains(&v)
        {
            out.push(v);
        }
        out
    }
}

/// The MCP endpoints of the scan, in probe-id order (memoised).
pub fn mcp_view(ev: &Evidence) -> Arc<Vec<McpEndpoint>> {
    ev.view(|ev| {
        let mut out: Vec<McpEndpoint> = Vec::new();
        for a in api_view(ev).iter().filter(|a| a.mcp && !a.invalid_token) {
            if out.iter().any(|e| e.exchange == a.exchange) {
                continue;
            }
            let Some(x) = ev.exchange(a.exchange) else {
                continue;
            };
            let post = x.request.method == "POST";
            let response = x.response.as_ref();
            let era = response
                .filter(|_| post)
                .map(|r| classify_discover(r.status, &r.body));
            let fallback = ev
                .probes_where(|m| matches!(m, ProbeMeta::McpInitialize { .. }))
                .find(|(_, rec)| match &rec.meta {
                    ProbeMeta::McpInitialize { url, discover } => {
                        *url == a.url || *discover == a.probe
                    }
                    _ => false,
                })
                .and_then(|(probe, rec)| {
                    let x = ev.exchange(rec.exchange)?;
                    let r = x.response.as_ref();
                    Some(Fallback {
                        probe: probe.to_string(),
                        status: r.map(|r| r.status),
                        version: r.and_then(|r| initialize_version(r.status, &r.body)),
                    })
                });
            out.push(McpEndpoint {
                probe: a.probe.clone(),
                exchange: a.exchange,
                url: a.url.clone(),
                source: a.source.clone(),
                era,
                status: response.map(|r| r.status),
                fallback,
            });
        }
        out
    })
}
