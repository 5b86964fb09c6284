//! Views of the evidence: what the documents of a scan say, each computed
//! once per store (memoised through [`Evidence::view`]) and read by both
//! the planner, to derive the next round of probes, and the checks. So
//! "a document was found", the parsed challenges of an API response, or
//! the API descriptions of a scan have exactly one definition.
//!
//! A document is *found* only when its URL answered 200 with a JSON object
//! that differs from what a random path gets ([`state_of`]): a site that
//! answers every path finds nothing.

pub mod agent_auth;
pub mod api;
pub mod cards;
pub mod catalog;
pub mod descriptions;
pub mod endpoints;
pub mod mcp;
pub mod metadata;
pub mod prm;
pub mod scopes;

use crate::evidence::Evidence;
use crate::model::exchange::{ErrorKind, Exchange};
use serde_json::Value;
use std::sync::Arc;

/// What one URL of a JSON document answered.
#[derive(Debug, Clone)]
pub enum DocState {
    /// 200 with a JSON object: a document.
    Found(Arc<Value>),
    /// Any status other than 200.
    Status(u16),
    /// 200, but the body is not a JSON object (HTML, text, an array…).
    NotJsonObject {
        /// True when it looks like an HTML page.
        html: bool,
    },
    /// 200 with exactly what a random path gets.
    CatchAll,
    /// The body exceeded the cap.
    Truncated,
    /// No response.
    Failed(String),
    /// Not sent: the SSRF guard refused a private or loopback destination.
    Refused(String),
    /// Not sent: the run is restricted to loopback (tests, demo) and this
    /// destination is not; nothing can be said about it.
    Restricted(String),
}

impl DocState {
    /// The document, when one was found.
    pub fn doc(&self) -> Option<&Arc<Value>> {
        match self {
            DocState::Found(v) => Some(v),
            _ => None,
        }
    }

    /// One line for findings.
    pub fn describe(&self) -> String {
        match self {
            DocState::Found(_) => "200, JSON object".into(),
            DocState::Status(s) => format!("{s}"),
            DocState::NotJsonObject { html: true } => "200 but an HTML page".into(),
            DocState::NotJsonObject { html: false } => "200 but not a JSON object".into(),
            DocState::CatchAll => "200 with the same body as a random path (catch-all)".into(),
            DocState::Truncated => "body larger than the cap".into(),
            DocState::Failed(e) => format!("no response: {e}"),
            DocState::Refused(e) | DocState::Restricted(e) => e.clone(),
        }
    }
}

/// What exchange `idx` answered, judged as a JSON document: the one
/// definition of "a document was found".
pub fn state_of(ev: &Evidence, idx: usize, x: &Exchange) -> DocState {
    let Some(resp) = &x.response else {
        return match &x.error {
            Some(e) if e.kind == ErrorKind::Refused => DocState::Refused(e.message.clone()),
            Some(e) if e.kind == ErrorKind::Restricted => DocState::Restricted(e.message.clone()),
            Some(e) => DocState::Failed(e.message.clone()),
            None => DocState::Failed("no response".into()),
        };
    };
    if resp.status != 200 {
        return DocState::Status(resp.status);
    }
    if resp.truncated {
        return DocState::Truncated;
    }
    if ev.is_catch_all_like(resp) {
        return DocState::CatchAll;
    }
    match ev.json_at(idx) {
        Some(v) if v.is_object() => DocState::Found(v),
        _ => DocState::NotJsonObject {
            html: resp.looks_like_html(),
        },
    }
}
