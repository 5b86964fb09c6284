//! The JSON report (schema_version "1"), pretty-printed: the contract
//! other tools read.

use crate::report::Report;

/// The report as pretty JSON, with a final line break.
pub fn json(report: &Report) -> Result<String, String> {
    serde_json::to_string_pretty(report)
        .map(|mut s| {
            s.push('\n');
            s
        })
        .map_err(|e| e.to_string())
}
