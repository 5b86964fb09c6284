//! The report: what a scan concluded, as DESIGN §4 fixes it (schema_version
//! "1"). Renderers format a finished `Report`; they compute nothing.

use crate::catalogue::Reference;
use crate::check::{FindingLevel, Outcome};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Version of the report format.
pub const SCHEMA_VERSION: &str = "1";

/// The tool that wrote the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    /// `agentready`.
    pub name: String,
    /// Crate version.
    pub version: String,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            name: "agentready".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// The target as given and as scanned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportTarget {
    /// What the user typed.
    pub input: String,
    /// The normalised URL.
    pub url: String,
}

/// A category's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryResult {
    /// Category id.
    pub id: String,
    /// Human title.
    pub title: String,
    /// 0–100, or null when incomplete or when nothing in it was scored.
    pub score: Option<u32>,
    /// True when a weighted check in it could not be evaluated.
    pub incomplete: bool,
    /// Sum of the weights of its scored checks.
    pub weight: u32,
}

/// One of the nine questions, answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionResult {
    /// `Q1` … `Q9`.
    pub id: String,
    /// The question.
    pub text: String,
    /// `yes`, `no`, `partial` or `unknown`.
    pub answer: String,
    /// The checks that answer it.
    pub checks: Vec<String>,
}

/// One finding in a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportFinding {
    /// Stable code.
    pub code: String,
    /// What the code stands for: fail, warn or info.
    pub level: FindingLevel,
    /// What was found.
    pub message: String,
    /// The probe whose exchange shows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe: Option<String>,
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// Check id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Category id.
    pub category: String,
    /// Question id, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// Severity.
    pub severity: String,
    /// Weight in the score.
    pub weight: u32,
    /// Outcome.
    pub outcome: Outcome,
    /// One-line summary.
    pub summary: String,
    /// Findings.
    pub findings: Vec<ReportFinding>,
    /// Probe ids the verdict rests on.
    pub evidence: Vec<String>,
    /// What to change.
    pub remediation: String,
    /// Spec references.
    pub references: Vec<Reference>,
    /// Structured details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
    /// True for a user check from `--checks-dir`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub user: bool,
}

/// One exchange, summarised (the full record is in the evidence file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeSummary {
    /// Probe that sent it.
    pub probe: String,
    /// Other probes answered by the same exchange (never sent twice).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Method.
    pub method: String,
    /// URL requested.
    pub url: String,
    /// Final status, if any response.
    pub status: Option<u16>,
    /// URLs redirected through, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redirects: Vec<String>,
    /// Wall time.
    pub elapsed_ms: u64,
    /// Why there is no response.
    pub error: Option<String>,
    /// For requests other than GET (the live probes): the body sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent: Option<String>,
    /// For requests other than GET: the start of the body received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received: Option<String>,
}

/// A cap applied to the score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreCap {
    /// Highest score allowed.
    pub max: u32,
    /// Why.
    pub reason: String,
}

/// A complete report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// `"1"`.
    pub schema_version: String,
    /// Version of the scoring algorithm.
    pub algorithm_version: String,
    /// Tool name and version.
    pub tool: Tool,
    /// Target.
    pub target: ReportTarget,
    /// `passive` or `safe`.
    pub mode: String,
    /// RFC 3339 start time.
    pub started_at: String,
    /// Duration of the scan.
    pub duration_ms: u64,
    /// 0–100, null when incomplete.
    pub score: Option<u32>,
    /// A–F, null when incomplete.
    pub grade: Option<String>,
    /// 0–3.
    pub level: u8,
    /// `invisible`, `discoverable`, `browserless`, `agent-native`.
    pub level_name: String,
    /// Caps that lowered the score.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub score_caps: Vec<ScoreCap>,
    /// Category scores.
    pub categories: Vec<CategoryResult>,
    /// The nine questions.
    pub questions: Vec<QuestionResult>,
    /// Check results, in catalogue order.
    pub checks: Vec<CheckResult>,
    /// Exchanges, in the order they finished.
    pub exchanges: Vec<ExchangeSummary>,
    /// Requests sent.
    pub requests_total: usize,
    /// Why the scan could not complete, if it could not (target unreachable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The CI gate's verdict (`scan` sets it; see `docs/config.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<crate::gate::GateResult>,
}

impl Report {
    /// The result of a check by id.
    pub fn check(&self, id: &str) -> Option<&CheckResult> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// True when the scan is incomplete: the target was unreachable or a
    /// weighted category could not be evaluated (exit code 3).
    pub fn incomplete(&self) -> bool {
        self.error.is_some() || self.categories.iter().any(|c| c.incomplete)
    }
}
