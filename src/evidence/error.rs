//! Errors of the evidence layer.

use super::EVIDENCE_FORMAT;
use crate::parse::DocumentError;
use std::sync::Arc;

/// Why an evidence file cannot be read or written, or why an exchange of
/// the store holds no readable document. Cloneable (the parser errors are
/// shared), because a document's error is memoised with the document.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum EvidenceError {
    /// Not JSON, or not the shape of an evidence file.
    #[error("{0}")]
    NotEvidence(#[source] Arc<serde_json::Error>),
    /// Another evidence format (the one found).
    #[error("evidence format `{0}`; this version reads `{EVIDENCE_FORMAT}`")]
    Format(String),
    /// The store could not be serialised.
    #[error("cannot serialise evidence: {0}")]
    Serialise(#[source] Arc<serde_json::Error>),
    /// No exchange at that index.
    #[error("no such exchange")]
    NoExchange,
    /// The exchange got no response.
    #[error("no response")]
    NoResponse,
    /// The body was cut at the cap, so it is not parsed.
    #[error("the body is larger than the cap and was cut")]
    Truncated,
    /// The body does not parse as a document.
    #[error(transparent)]
    Document(#[from] DocumentError),
}
