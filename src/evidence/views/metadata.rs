//! Authorization-server metadata (RFC 8414 §3, OpenID Connect Discovery
//! §4): every metadata URL probed and what it answered, and the same
//! grouped by issuer in the order an MCP 2025-11-25 client tries them.

use super::{DocState, state_of};
use crate::evidence::Evidence;
use crate::model::probe::{IssuerSource, MetadataForm, ProbeMeta};
use serde_json::Value;
use std::sync::Arc;

/// One authorization-server metadata URL probed (one probe id; aliases
/// of one exchange are listed each).
#[derive(Debug, Clone)]
pub struct MetadataDoc {
    /// Probe id.
    pub probe: String,
    /// Exchange index.
    pub exchange: usize,
    /// The issuer the URL was built from, raw.
    pub issuer: String,
    /// How the URL was built.
    pub form: MetadataForm,
    /// Position in the MCP order for this issuer.
    pub order: usize,
    /// Where the issuer came from.
    pub source: IssuerSource,
    /// The URL requested.
    pub url: String,
    /// What it answered.
    pub state: DocState,
}

/// Every metadata URL of the scan, in probe-id order.
#[derive(Debug, Clone, Default)]
pub struct MetadataDocs(pub Vec<MetadataDoc>);

impl std::ops::Deref for MetadataDocs {
    type Target = [MetadataDoc];
    fn deref(&self) -> &[MetadataDoc] {
        &self.0
    }
}

/// The metadata URLs of the scan and what each answered (memoised).
pub fn metadata_docs(ev: &Evidence) -> Arc<MetadataDocs> {
    ev.view(|ev| {
        MetadataDocs(
            ev.probes_where(|m| matches!(m, ProbeMeta::AsMetadata { .. }))
                .filter_map(|(probe, rec)| {
                    let ProbeMeta::AsMetadata {
                        issuer,
                        form,
                        order,
                        source,
                    } = &rec.meta
                    else {
                        return None;
                    };
                    let x = ev.exchange(rec.exchange)?;
                    Some(MetadataDoc {
                        probe: probe.to_string(),
                        exchange: rec.exchange,
                        issuer: issuer.clone(),
                        form: *form,
                        order: *order,
                        source: source.clone(),
                        url: x.request.url.clone(),
                        state: state_of(ev, rec.exchange, x),
                    })
                })
                .collect(),
        )
    })
}

/// One metadata URL tried for an issuer.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Probe id.
    pub probe: String,
    /// Exchange index.
    pub exchange: usize,
    /// How the URL was built.
    pub form: MetadataForm,
    /// Position in the MCP order.
    pub order: usize,
    /// The URL.
    pub url: String,
    /// The result.
    pub state: DocState,
}

/// An issuer and its candidate URLs in MCP order.
#[derive(Debug, Clone)]
pub struct IssuerView {
    /// Issuer string, raw.
    pub issuer: String,
    /// Where it came from (first source seen, by priority).
    pub source: IssuerSource,
    /// URLs tried, in order.
    pub candidates: Vec<Candidate>,
}

impl IssuerView {
    /// The document a client following the MCP order would use: the first
    /// candidate that found one.
    pub fn effective(&self) -> Option<(&Candidate, &Value)> {
        self.candidates.iter().find_map(|c| match &c.state {
            DocState::Found(v) => Some((c, v.as_ref())),
            _ => None,
        })
    }
}

/// Every issuer of the scan, in priority order.
#[derive(Debug, Clone, Default)]
pub struct AsView(pub Vec<IssuerView>);

impl std::ops::Deref for AsView {
    type Target = [IssuerView];
    fn deref(&self) -> &[IssuerView] {
        &self.0
    }
}

fn source_rank(s: &IssuerSource) -> usize {
    match s {
        IssuerSource::AuthorizationServers { .. } => 0,
        IssuerSource::ApiDescription { .. } | IssuerSource::AgentCard { .. } => 1,
        IssuerSource::TargetPath => 2,
        IssuerSource::Origin => 3,
    }
}

/// Issuers in priority order (listed by a PRM, then named by an API
/// description, then the target path, then the origin), each with its
/// candidate URLs in MCP order (memoised).
pub fn as_view(ev: &Evidence) -> Arc<AsView> {
    ev.view(|ev| {
        let docs = metadata_docs(ev);
        let mut out: Vec<IssuerView> = Vec::new();
        for d in docs.iter() {
            let cand = Candidate {
                probe: d.probe.clone(),
                exchange: d.exchange,
                form: d.form,
                order: d.order,
                url: d.url.clone(),
                state: d.state.clone(),
            };
            match out.iter_mut().find(|v| v.issuer == d.issuer) {
                Some(v) => {
                    if source_rank(&d.source) < source_rank(&v.source) {
                        v.source = d.source.clone();
                    }
                    if !v.candidates.iter().any(|c| c.order == cand.order) {
                        v.candidates.push(cand);
                    }
                }
                None => out.push(IssuerView {
                    issuer: d.issuer.clone(),
                    source: d.source.clone(),
                    candidates: vec![cand],
                }),
            }
        }
        for v in &mut out {
            v.candidates.sort_by_key(|c| c.order);
        }
        out.sort_by(|a, b| {
            source_rank(&a.source)
                .cmp(&source_rank(&b.source))
                .then_with(|| {
                    a.candidates
                        .first()
                        .map(|c| c.probe.as_str())
                        .cmp(&b.candidates.first().map(|c| c.probe.as_str()))
                })
        });
        AsView(out)
    })
}

/// Every distinct metadata document found (one per exchange), with the
/// issuers whose URLs led to it.
pub fn found_docs(view: &[IssuerView]) -> Vec<(&Candidate, &Value, Vec<&str>)> {
    let mut out: Vec<(&Candidate, &Value, Vec<&str>)> = Vec::new();
    for iv in view {
        for c in &iv.candidates {
            if let DocState::Found(v) = &c.state {
                match out.iter_mut().find(|(d, _, _)| d.exchange == c.exchange) {
                    Some((_, _, issuers)) => {
                        if !issuers.contains(&iv.issuer.as_str()) {
                            issuers.push(iv.issuer.as_str());
                        }
                    }
                    None => out.push((c, v.as_ref(), vec![iv.issuer.as_str()])),
                }
            }
        }
    }
    out
}

/// The metadata document a client would use for each issuer: the first
/// found in MCP order (judged on content even when the issuer mismatches),
/// as (probe id, URL, document).
#[derive(Debug, Clone, Default)]
pub struct EffectiveDocs(pub Vec<(String, String, Arc<Value>)>);

impl std::ops::Deref for EffectiveDocs {
    type Target = [(String, String, Arc<Value>)];
    fn deref(&self) -> &[(String, String, Arc<Value>)] {
        &self.0
    }
}

/// The effective metadata documents, one per issuer (memoised).
pub fn effective_docs(ev: &Evidence) -> Arc<EffectiveDocs> {
    ev.view(|ev| {
        EffectiveDocs(
            as_view(ev)
                .iter()
                .filter_map(|iv| {
                    iv.candidates.iter().find_map(|c| match &c.state {
                        DocState::Found(v) => Some((c.probe.clone(), c.url.clone(), v.clone())),
                        _ => None,
                    })
                })
                .collect(),
        )
    })
}

/// True when `found` is the issuer the URL was built from, after RFC 8414
/// §3's trailing-slash rule and nothing else (no normalisation: RFC 8414
/// §3.3 asks for the identical string).
pub fn issuer_matches(expected: &str, found: &str) -> bool {
    expected == found
        || expected.strip_suffix('/') == Some(found)
        || found.strip_suffix('/') == Some(expected)
}
