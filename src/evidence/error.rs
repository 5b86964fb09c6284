//! Errors of the evidence layer.

use super::EVIDENCE_FORMAT;

/// Why an evidence file cannot be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EvidenceError {
    /// Not JSON, or not the shape of an evidence file.
    #[error("{0}")]
    NotEvidence(#[source] serde_json::Error),
    /// Another evidence format (the one found).
    #[error("evidence format `{0}`; this version reads `{EVIDENCE_FORMAT}`")]
    Format(String),
    /// The store could not be serialised.
    #[error("cannot serialise evidence: {0}")]
    Serialise(#[source] serde_json::Error),
}
