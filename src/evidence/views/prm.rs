//! Protected-resource metadata (RFC 9728): every URL tried, in the order
//! MCP 2025-11-25 clients use them, and what each answered.

use super::{DocState, state_of};
use crate::evidence::Evidence;
use crate::model::probe::{PrmForm, ProbeMeta};
use serde_json::Value;
use std::sync::Arc;

/// One protected-resource metadata URL tried, and what it answered.
#[derive(Debug, Clone)]
pub struct PrmCandidate {
    /// Probe id.
    pub probe: String,
    /// Exchange index.
    pub exchange: usize,
    /// The URL fetched.
    pub url: String,
    /// The resource the document must declare.
    pub resource: String,
    /// How the URL was found.
    pub form: PrmForm,
    /// What it answered.
    pub state: DocState,
}

impl PrmCandidate {
    /// The document, when one was found.
    pub fn doc(&self) -> Option<&Value> {
        self.state.doc().map(AsRef::as_ref)
    }
}

/// Every protected-resource metadata URL of the scan.
#[derive(Debug, Clone, Default)]
pub struct PrmView(pub Vec<PrmCandidate>);

impl std::ops::Deref for PrmView {
    type Target = [PrmCandidate];
    fn deref(&self) -> &[PrmCandidate] {
        &self.0
    }
}

/// Every PRM URL tried, in the order MCP clients use them: the challenge's
/// `resource_metadata` first, then path-suffixed, then root (memoised).
pub fn prm_view(ev: &Evidence) -> Arc<PrmView> {
    ev.view(|ev| {
        let mut out: Vec<PrmCandidate> = ev
            .probes_where(|m| matches!(m, ProbeMeta::ProtectedResource { .. }))
            .filter_map(|(probe, rec)| {
                let ProbeMeta::ProtectedResource { resource, form } = &rec.meta else {
                    return None;
                };
                let x = ev.exchange(rec.exchange)?;
                Some(PrmCandidate {
                    probe: probe.to_string(),
                    exchange: rec.exchange,
                    url: x.request.url.clone(),
                    resource: resource.clone(),
                    form: form.clone(),
                    state: state_of(ev, rec.exchange, x),
                })
            })
            .collect();
        out.sort_by(|a, b| {
            let rank = |c: &PrmCandidate| match c.form {
                PrmForm::Challenge { .. } => 0,
                PrmForm::PathSuffixed => 1,
                PrmForm::Root => 2,
            };
            (rank(a), a.probe.as_str()).cmp(&(rank(b), b.probe.as_str()))
        });
        PrmView(out)
    })
}
