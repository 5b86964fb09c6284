//! The CI gate's verdict as a report carries it (`gate`): the gate levels,
//! the verdict, and the reasons. The gate itself (`crate::gate`) computes
//! it over a finished report; renderers only show it.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A check's gate level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// Not gated.
    Off,
    /// A violation is a gate warning.
    Warn,
    /// A violation fails the gate.
    Error,
}

impl Level {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }
}

/// The gate's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Exit 0.
    Pass,
    /// Exit 1.
    Fail,
    /// The scan is incomplete: exit 3, whatever the gate says.
    Incomplete,
}

impl Verdict {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Incomplete => "incomplete",
        }
    }
}

/// Why an item is in the gate's lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemKind {
    /// The score is under `fail_under` (or null).
    Score,
    /// A check violates at its level.
    Check,
    /// A baseline entry that no longer occurs.
    Stale,
    /// A check got worse than in the baseline report.
    Regression,
    /// The score dropped more than `max_score_drop`.
    ScoreDrop,
    /// Something the user should know (never fails the gate).
    Note,
}

/// One reason in the gate's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateItem {
    /// Why.
    pub kind: ItemKind,
    /// The check concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    /// The finding code concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// What happened, in a sentence.
    pub message: String,
}

/// Which baseline the gate compared with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineSummary {
    /// `accepted-failures` or `report`.
    pub kind: String,
    /// The file as given.
    pub source: String,
    /// Violations the baseline accepted (accepted-failures) or that were
    /// already there (report).
    pub accepted: Vec<GateItem>,
}

/// The gate's result, carried in the report (`gate`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateResult {
    /// pass, fail or incomplete.
    pub verdict: Verdict,
    /// The preset levels started from.
    pub preset: String,
    /// Whether `warn` outcomes fail checks at level `error`.
    pub deny_warnings: bool,
    /// The score threshold, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_under: Option<u32>,
    /// The allowed score drop against a baseline report, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_score_drop: Option<u32>,
    /// The level of every check in the report.
    pub levels: BTreeMap<String, Level>,
    /// The baseline compared with, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineSummary>,
    /// Why the gate fails (empty when it passes).
    pub failures: Vec<GateItem>,
    /// Violations at level `warn`, inactive baseline entries and other notes.
    pub warnings: Vec<GateItem>,
}

impl GateResult {
    /// The level recorded for a check (`off` if the check is unknown).
    pub fn level(&self, id: &str) -> Level {
        self.levels.get(id).copied().unwrap_or(Level::Off)
    }

    /// True when a baseline accepted (or already had) this check's violation.
    pub fn is_accepted(&self, check: &str, code: Option<&str>) -> bool {
        self.baseline.as_ref().is_some_and(|b| {
            b.accepted.iter().any(|i| {
                i.check.as_deref() == Some(check)
                    && (i.code.is_none() || code.is_none() || i.code.as_deref() == code)
            })
        })
    }
}
