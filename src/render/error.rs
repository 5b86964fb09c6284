//! Errors of the render layer.

/// Why a report or a diff could not be rendered (exit code 2). Renderers
/// of text never fail; the serialising ones can, in principle.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// JSON (the report, SARIF, the diff) could not be serialised.
    #[error("{0}")]
    Json(#[source] serde_json::Error),
    /// The JUnit XML writer failed.
    #[error("cannot write JUnit XML: {0}")]
    Xml(#[source] std::io::Error),
    /// The JUnit XML written is not UTF-8.
    #[error("cannot write JUnit XML: {0}")]
    XmlUtf8(#[source] std::string::FromUtf8Error),
}
