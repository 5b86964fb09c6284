//! `agentready diff OLD.json NEW.json`.

use super::{usage_error, write_output};
use agentready::exit;
use agentready::render::{self, DiffFormat};
use agentready::report::Report;
use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// The earlier JSON report (`scan --format json`).
    old: PathBuf,
    /// The later JSON report.
    new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: super::values::DiffFormatArg,
    /// Write the comparison to FILE instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

pub(crate) fn read_report(path: &Path) -> Result<Report, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
    match value.get("schema_version").and_then(|v| v.as_str()) {
        Some(agentready::report::SCHEMA_VERSION) => serde_json::from_value(value)
            .map_err(|e| format!("{} is not an agentready report: {e}", path.display())),
        Some(v) => Err(format!(
            "{} has schema_version {v}; this version reads {}",
            path.display(),
            agentready::report::SCHEMA_VERSION
        )),
        None => Err(format!(
            "{} is not an agentready JSON report (no schema_version)",
            path.display()
        )),
    }
}

pub(crate) fn diff(args: &DiffArgs) -> ExitCode {
    let (old, new) = match (read_report(&args.old), read_report(&args.new)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => return usage_error(e),
    };
    let d = agentready::report::diff::diff(&old, &new);
    let text = match render::render_diff(&d, DiffFormat::from(args.format)) {
        Ok(t) => t,
        Err(e) => return usage_error(e),
    };
    match write_output(args.output.as_deref(), &text) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(e) => usage_error(e),
    }
}
