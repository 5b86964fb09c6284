//! The report: what a scan concluded, as checks/schema/report.schema.json fixes it (schema_version
//! "1"). Renderers format a finished `Report`; they compute nothing.

pub mod diff;
pub mod gate;

use crate::model::catalogue::Reference;
use crate::model::outcome::{FindingLevel, Outcome};
use crate::model::texts::value_texts_mut;
use gate::GateResult;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// Version of the report format.
pub const SCHEMA_VERSION: &str = "1";

/// Catalogue text a report carries (a check's title, remediation and
/// references): one copy shared by every report of a run, and a string's
/// JSON encoded once. Reports of a batch repeat ~37 KB of it per line, and
/// copying and escaping it for every target was a third of a report line's
/// cost. Reads as the value (`Deref`); serialises exactly as the value.
#[derive(Clone)]
pub struct Shared<T> {
    value: Arc<T>,
    /// The value as JSON, kept only for a string: written verbatim, it
    /// reads the same in compact and pretty output (a pre-encoded array
    /// would come out compact inside a pretty document).
    json: Option<Arc<RawValue>>,
}

impl<T: Serialize> Shared<T> {
    /// Share `value`, encoding it now if it is a string.
    pub fn new(value: T) -> Self {
        let json = serde_json::value::to_raw_value(&value)
            .ok()
            .filter(|raw| raw.get().starts_with('"'))
            .map(Arc::from);
        Shared {
            value: Arc::new(value),
            json,
        }
    }
}

impl<T: Serialize> From<T> for Shared<T> {
    fn from(value: T) -> Self {
        Shared::new(value)
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: PartialEq> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T: fmt::Debug> fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

impl<T: fmt::Display> fmt::Display for Shared<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

impl<'a, T> IntoIterator for &'a Shared<T>
where
    &'a T: IntoIterator,
{
    type Item = <&'a T as IntoIterator>::Item;
    type IntoIter = <&'a T as IntoIterator>::IntoIter;
    fn into_iter(self) -> Self::IntoIter {
        self.value.as_ref().into_iter()
    }
}

impl<T: Serialize> Serialize for Shared<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.json {
            Some(raw) => raw.serialize(s),
            None => self.value.serialize(s),
        }
    }
}

impl<'de, T: Serialize + Deserialize<'de>> Deserialize<'de> for Shared<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(d).map(Shared::new)
    }
}

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
    pub title: Shared<String>,
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
    pub remediation: Shared<String>,
    /// What to change, written for the scanned site: its URLs and the
    /// values observed (a document to serve, a header to send). Present
    /// only when the check could write it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation_for_site: Option<String>,
    /// Spec references.
    pub references: Shared<Vec<Reference>>,
    /// Structured details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
    /// True for a user check from `--checks-dir`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub user: bool,
    /// What the check could not verify — requests never sent or never
    /// answered — and how to verify it. A check with such requests is
    /// never a pass on their account (it is `skip`, or `error` when
    /// nothing answered).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_verified: Vec<NotVerified>,
}

/// A request a check needed that was not sent or not answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotVerified {
    /// The probe, when one was planned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe: Option<String>,
    /// What was not verified, and why.
    pub reason: String,
    /// What would verify it (`--allow-private`, a scan without
    /// `--passive`, …).
    pub remedy: String,
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
    /// 0–3; null when the scan is incomplete or unreachable, or when the
    /// checks that establish it did not run (`--only`).
    pub level: Option<u8>,
    /// `invisible`, `discoverable`, `browserless`, `agent-native`; null
    /// with the level.
    pub level_name: Option<String>,
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
    pub gate: Option<GateResult>,
    /// The few actions that most raise the score or unlock the next
    /// level, most important first (see [`TopFix`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub top_fixes: Vec<TopFix>,
}

/// How many top fixes a report carries, at most.
pub const TOP_FIXES: usize = 5;

/// One of a report's top fixes: a failing or warning check, what fixing
/// it gains, and what to do. Ordered by gate level (a check that fails
/// the gate first), then severity, then whether it unlocks a level, then
/// points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopFix {
    /// Check id.
    pub check: String,
    /// The check's outcome now (`fail` or `warn`).
    pub outcome: Outcome,
    /// The check's severity.
    pub severity: String,
    /// The check's gate level, when the report was gated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate_level: Option<gate::Level>,
    /// Points the score gains when this check passes (the score
    /// recomputed with it passing, caps included).
    pub points: u32,
    /// The level reached when this check passes, if higher than now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unlocks_level: Option<u8>,
    /// What to do: the site-specific remediation when the check wrote
    /// one, else the first sentence of the catalogue's remediation.
    pub action: String,
}

impl TopFix {
    /// What fixing it gains, as people read it: "+12 points, unlocks
    /// level 2 (browserless)", or "no score change" when neither.
    pub fn gain_text(&self) -> String {
        let mut parts = Vec::new();
        if self.points > 0 {
            parts.push(format!(
                "+{} {}",
                self.points,
                plural(self.points as usize, "point", "points")
            ));
        }
        if let Some(l) = self.unlocks_level {
            parts.push(format!("unlocks level {l} ({})", level_name(l)));
        }
        if parts.is_empty() {
            parts.push("no score change".to_string());
        }
        if self.gate_level == Some(gate::Level::Error) {
            parts.push("gate level error".to_string());
        }
        parts.join(", ")
    }

    /// "fix `browserless-path`: +12 points, unlocks level 2 (browserless)".
    pub fn headline(&self) -> String {
        format!("fix {}: {}", self.check, self.gain_text())
    }
}

pub use crate::model::texts::{count, plural};

/// The first sentence of a remediation (the rest is in `explain` and the
/// JSON report): whitespace folded, cut at ". " before a capital (not
/// "e.g. `x`") or at "; ".
pub fn first_sentence(s: &str) -> String {
    let flat = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let end = flat
        .match_indices(". ")
        .map(|(i, _)| i)
        .find(|&i| flat[i + 2..].starts_with(|c: char| c.is_uppercase()))
        .into_iter()
        .chain(flat.find("; "))
        .min();
    match end {
        Some(i) => flat[..=i].trim_end_matches(';').to_string(),
        None => flat,
    }
}

impl Report {
    /// The result of a check by id.
    pub fn check(&self, id: &str) -> Option<&CheckResult> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The live probes (requests other than GET) that a failing or
    /// warning check rests on: the ones a reader needs to see when the
    /// full list is not asked for.
    pub fn decisive_live_probes(&self) -> Vec<&ExchangeSummary> {
        let decided: Vec<&str> = self
            .checks
            .iter()
            .filter(|c| matches!(c.outcome, Outcome::Fail | Outcome::Warn))
            .flat_map(|c| {
                c.evidence
                    .iter()
                    .map(String::as_str)
                    .chain(c.findings.iter().filter_map(|f| f.probe.as_deref()))
            })
            .collect();
        self.exchanges
            .iter()
            .filter(|x| x.method != "GET")
            .filter(|x| {
                decided.contains(&x.probe.as_str())
                    || x.aliases.iter().any(|a| decided.contains(&a.as_str()))
            })
            .collect()
    }

    /// The checks that fail, error or warn, in the order to fix them: gate
    /// level (`error` first, when gated), severity, then fail before error
    /// before warn; catalogue order within.
    pub fn checks_to_fix(&self) -> Vec<&CheckResult> {
        let mut out: Vec<&CheckResult> = self
            .checks
            .iter()
            .filter(|c| matches!(c.outcome, Outcome::Fail | Outcome::Error | Outcome::Warn))
            .collect();
        out.sort_by_key(|c| {
            (
                std::cmp::Reverse(self.gate.as_ref().map(|g| g.level(&c.id))),
                severity_rank(&c.severity),
                match c.outcome {
                    Outcome::Fail => 0,
                    Outcome::Error => 1,
                    _ => 2,
                },
            )
        });
        out
    }

    /// How many checks ended with each outcome, in [`Outcome`] order,
    /// outcomes with no check left out.
    pub fn outcome_counts(&self) -> Vec<(Outcome, usize)> {
        [
            Outcome::Fail,
            Outcome::Error,
            Outcome::Warn,
            Outcome::Pass,
            Outcome::Info,
            Outcome::Skip,
        ]
        .into_iter()
        .map(|o| (o, self.checks.iter().filter(|c| c.outcome == o).count()))
        .filter(|(_, n)| *n > 0)
        .collect()
    }

    /// The level as people read it: `2 (browserless)`, or `— (not
    /// established)` when it is null.
    pub fn level_text(&self) -> String {
        level_text(self.level, self.level_name.as_deref())
    }

    /// True when the scan is incomplete: the target was unreachable or a
    /// weighted category could not be evaluated (exit code 3).
    pub fn incomplete(&self) -> bool {
        self.error.is_some() || self.categories.iter().any(|c| c.incomplete)
    }

    /// Apply `f` to every text of the report that can carry something a
    /// target sent or a user typed: summaries, findings, probe ids, `data`
    /// (strings and member names), exchanges, errors, the gate's messages.
    /// The catalogue's own text (titles, remediation, references) is left
    /// alone. Redaction of the user's secrets and escaping for a terminal
    /// both go through here, so a new field is covered by adding it once.
    pub fn texts_mut(&mut self, f: &mut dyn FnMut(&mut String)) {
        f(&mut self.target.input);
        f(&mut self.target.url);
        if let Some(e) = &mut self.error {
            f(e);
        }
        for cap in &mut self.score_caps {
            f(&mut cap.reason);
        }
        for q in &mut self.questions {
            f(&mut q.text);
            f(&mut q.answer);
        }
        for c in &mut self.checks {
            f(&mut c.id);
            f(&mut c.summary);
            if let Some(r) = &mut c.remediation_for_site {
                f(r);
            }
            for finding in &mut c.findings {
                f(&mut finding.code);
                f(&mut finding.message);
                if let Some(p) = &mut finding.probe {
                    f(p);
                }
            }
            for e in &mut c.evidence {
                f(e);
            }
            if let Some(d) = &mut c.data {
                value_texts_mut(d, f);
            }
            for n in &mut c.not_verified {
                f(&mut n.reason);
                f(&mut n.remedy);
                if let Some(p) = &mut n.probe {
                    f(p);
                }
            }
        }
        for x in &mut self.exchanges {
            f(&mut x.probe);
            for a in &mut x.aliases {
                f(a);
            }
            f(&mut x.method);
            f(&mut x.url);
            for r in &mut x.redirects {
                f(r);
            }
            for t in [&mut x.error, &mut x.sent, &mut x.received]
                .into_iter()
                .flatten()
            {
                f(t);
            }
        }
        for fix in &mut self.top_fixes {
            f(&mut fix.check);
            f(&mut fix.action);
        }
        if let Some(g) = &mut self.gate {
            for item in g.failures.iter_mut().chain(g.warnings.iter_mut()) {
                f(&mut item.message);
                for t in [&mut item.check, &mut item.code].into_iter().flatten() {
                    f(t);
                }
            }
            if let Some(b) = &mut g.baseline {
                f(&mut b.source);
                for item in &mut b.accepted {
                    f(&mut item.message);
                }
            }
        }
    }
}

/// Rank of a severity, critical first.
pub fn severity_rank(severity: &str) -> u8 {
    match severity {
        "critical" => 0,
        "high" => 1,
        "medium" => 2,
        _ => 3,
    }
}

/// A level and its name as people read them (see [`Report::level_text`]).
pub fn level_text(level: Option<u8>, name: Option<&str>) -> String {
    match level {
        Some(l) => format!("{l} ({})", name.unwrap_or_else(|| level_name(l))),
        None => "— (not established)".to_string(),
    }
}

/// Name of a level.
pub fn level_name(level: u8) -> &'static str {
    match level {
        0 => "invisible",
        1 => "discoverable",
        2 => "browserless",
        _ => "agent-native",
    }
}
