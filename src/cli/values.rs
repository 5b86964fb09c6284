//! The command line's value enums. The library's types derive no clap
//! trait: these mirror them, with the same names and help, and convert.

use agentready::gate::Preset;
use agentready::render::{DiffFormat, Format};
use clap::ValueEnum;

/// Output formats of `scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum FormatArg {
    /// A table for people (the default).
    Table,
    /// The JSON report (checks/schema/report.schema.json).
    Json,
    /// Markdown (for pull-request comments and job summaries).
    Markdown,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
    /// JUnit XML (CI test reports).
    Junit,
    /// One self-contained HTML page.
    Html,
    /// GitHub Actions annotations (::error/::warning), one per gating finding.
    Github,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Table => Format::Table,
            FormatArg::Json => Format::Json,
            FormatArg::Markdown => Format::Markdown,
            FormatArg::Sarif => Format::Sarif,
            FormatArg::Junit => Format::Junit,
            FormatArg::Html => Format::Html,
            FormatArg::Github => Format::Github,
        }
    }
}

/// A named set of default levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum PresetArg {
    /// Critical and high-severity checks at `error`, medium and low at `warn`;
    /// `warn` outcomes do not fail. The default.
    Recommended,
    /// Every check at `error`, and `warn` outcomes fail too.
    Strict,
    /// Every check at `warn`: the gate fails only on `fail_under`,
    /// `max_score_drop` or a stale baseline.
    Report,
}

impl From<PresetArg> for Preset {
    fn from(p: PresetArg) -> Preset {
        match p {
            PresetArg::Recommended => Preset::Recommended,
            PresetArg::Strict => Preset::Strict,
            PresetArg::Report => Preset::Report,
        }
    }
}

/// Output formats of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DiffFormatArg {
    /// Text for people.
    Table,
    /// The diff as JSON.
    Json,
    /// Markdown (pull-request comments).
    Markdown,
}

impl From<DiffFormatArg> for DiffFormat {
    fn from(f: DiffFormatArg) -> DiffFormat {
        match f {
            DiffFormatArg::Table => DiffFormat::Table,
            DiffFormatArg::Json => DiffFormat::Json,
            DiffFormatArg::Markdown => DiffFormat::Markdown,
        }
    }
}
