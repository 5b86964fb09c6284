//! The JSON report (schema_version "1"), pretty-printed: the contract
//! other tools read.

use super::error::RenderError;
use crate::report::Report;

/// The report as pretty JSON, with a final line break.
pub fn json(report: &Report) -> Result<String, RenderError> {
    serde_json::to_string_pretty(report)
        .map(|mut s| {
            s.push('\n');
            s
        })
        .map_err(RenderError::Json)
}
