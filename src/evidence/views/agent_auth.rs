//! auth.md (WorkOS agent registration discovery): every `/auth.md` and
//! `agent_auth.skill` document fetched, and whether it is a real auth.md —
//! Markdown whose first level-1 heading names it — or a catch-all page.

use super::{DocState, state_of};
use crate::evidence::Evidence;
use crate::model::exchange::ResponseRecord;
use crate::model::probe::{AUTH_MD, ProbeMeta};
use crate::parse::markdown::read_markdown;
use std::sync::Arc;

/// One auth.md document fetched, and what it is.
#[derive(Debug, Clone)]
pub struct AuthMdDoc {
    /// Probe id.
    pub probe: String,
    /// Exchange index.
    pub exchange: usize,
    /// The URL requested.
    pub url: String,
    /// The metadata probe whose `agent_auth.skill` named it (none for the
    /// conventional `/auth.md`).
    pub skill_of: Option<String>,
    /// What the URL answered, as a JSON document would be judged (for
    /// the reason a document is absent).
    pub state: DocState,
    /// What the document is.
    pub verdict: MdVerdict,
}

impl AuthMdDoc {
    /// The response, if any.
    pub fn response<'e>(&self, ev: &'e Evidence) -> Option<&'e ResponseRecord> {
        ev.exchange(self.exchange).and_then(|x| x.response.as_ref())
    }
}

/// Every auth.md fetched: the conventional `/auth.md` first, then the
/// documents `agent_auth.skill` names, in probe-id order.
#[derive(Debug, Clone, Default)]
pub struct AuthMdDocs(pub Vec<AuthMdDoc>);

impl std::ops::Deref for AuthMdDocs {
    type Target = [AuthMdDoc];
    fn deref(&self) -> &[AuthMdDoc] {
        &self.0
    }
}

/// The auth.md documents of the scan, each judged once (memoised).
pub fn auth_md_docs(ev: &Evidence) -> Arc<AuthMdDocs> {
    ev.view(|ev| AuthMdDocs(collect(ev)))
}

fn collect(ev: &Evidence) -> Vec<AuthMdDoc> {
    let mut out: Vec<AuthMdDoc> = ev
        .probes_where(|m| matches!(m, ProbeMeta::AuthMd { .. }))
        .filter_map(|(probe, rec)| {
            let ProbeMeta::AuthMd { skill_of } = &rec.meta else {
                return None;
            };
            let x = ev.exchange(rec.exchange)?;
            let state = state_of(ev, rec.exchange, x);
            let verdict = judge_md(ev, x.response.as_ref(), &state);
            Some(AuthMdDoc {
                probe: probe.to_string(),
                exchange: rec.exchange,
                url: x.request.url.clone(),
                skill_of: skill_of.clone(),
                state,
                verdict,
            })
        })
        .collect();
    out.sort_by_key(|d| d.probe != AUTH_MD);
    out
}

/// Judgement of one fetched auth.md.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MdVerdict {
    /// Not there (404 and the like, or not fetched).
    Absent(String),
    /// An HTML page (a catch-all shell).
    Html,
    /// Markdown whose first H1 names auth.md; with what it lacks.
    Valid {
        /// `Content-Type` is Markdown or plain text.
        content_type_ok: bool,
        /// It points at the discovery documents and a registration
        /// endpoint.
        pointers: bool,
    },
    /// Text without the auth.md heading.
    NoHeading(Option<String>),
}

fn judge_md(ev: &Evidence, response: Option<&ResponseRecord>, state: &DocState) -> MdVerdict {
    let Some(r) = response else {
        return MdVerdict::Absent(state.describe());
    };
    if !r.is_success() {
        return MdVerdict::Absent(format!("{}", r.status));
    }
    if r.looks_like_html() || ev.is_catch_all_like(r) {
        return MdVerdict::Html;
    }
    let facts = read_markdown(&r.text());
    match facts.first_h1 {
        Some(h) if h.to_lowercase().contains("auth.md") => {
            let m = &facts.mentions;
            let pointers = m.contains("/.well-known/oauth-protected-resource")
                || m.contains("/.well-known/oauth-authorization-server");
            let registration = [
                "agent_auth",
                "identity_endpoint",
                "register_uri",
                "/agent/identity",
                "/agent/auth",
                "/agent-auth",
            ]
            .iter()
            .any(|k| m.contains(k));
            let ct = r.media_type().unwrap_or_default();
            MdVerdict::Valid {
                content_type_ok: ct == "text/markdown"
                    || ct == "text/plain"
                    || ct == "text/x-markdown",
                pointers: pointers && registration,
            }
        }
        other => MdVerdict::NoHeading(other),
    }
}
