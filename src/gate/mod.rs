//! The CI gate: turns a finished [`Report`] and a [`GatePolicy`] into a
//! verdict (exit code 1 when it fails; see src/exit.rs). Pure: no I/O.
//!
//! Three ideas are kept apart: the check's
//! *outcome* (what it found), its *weight* (how much it counts in the score)
//! and its gate *level* (whether a violation fails the build):
//!
//! - `error`: a violation fails the gate;
//! - `warn`: a violation is listed as a gate warning, never fails it;
//! - `off`: the check is not gated at all (it still runs and is scored; use
//!   `--skip` not to run it).
//!
//! A check *violates* when its outcome is `fail`, when it is `warn` and
//! warnings are denied (`deny_warnings`, the `strict` preset), or when it is
//! `error` (could not be evaluated: a gate cannot vouch for it).
//!
//! With a baseline the question changes. An **accepted-failures file**
//! (`agentready_baseline`, the MCP conformance suite's model) accepts the
//! violations it lists; an unlisted violation fails, and a listed one that
//! no longer occurs fails as *stale* until the file is rewritten
//! (`--update-baseline`). A **previous report** as baseline fails only on
//! regressions (pass→warn, pass→fail, warn→fail in a check at level
//! `error`; at level `warn` they are warnings) and on a score drop beyond
//! `max_score_drop`. `fail_under` always applies.
//!
//! When the scan is incomplete the verdict is `incomplete` (exit code 3
//! wins over 1): a null score cannot be compared with `fail_under`.

use crate::model::catalogue::{Category, CheckMeta, Severity};
use crate::model::outcome::{FindingLevel, Outcome};
use crate::report::diff;
use crate::report::gate::{BaselineSummary, GateItem, GateResult, ItemKind, Level, Verdict};
use crate::report::{CheckResult, Report};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A named set of default levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    /// Critical and high-severity checks at `error`, medium and low at `warn`;
    /// `warn` outcomes do not fail. The default.
    #[default]
    Recommended,
    /// Every check at `error`, and `warn` outcomes fail too.
    Strict,
    /// Every check at `warn`: the gate fails only on `fail_under`,
    /// `max_score_drop` or a stale baseline.
    Report,
}

impl Preset {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Preset::Recommended => "recommended",
            Preset::Strict => "strict",
            Preset::Report => "report",
        }
    }

    /// The level the preset gives a check of this severity.
    pub fn level(self, severity: Severity) -> Level {
        match self {
            Preset::Recommended if severity >= Severity::High => Level::Error,
            Preset::Recommended => Level::Warn,
            Preset::Strict => Level::Error,
            Preset::Report => Level::Warn,
        }
    }

    /// Whether the preset fails `warn` outcomes of checks at level `error`.
    pub fn deny_warnings(self) -> bool {
        self == Preset::Strict
    }
}

/// One layer of level settings (`agentready.toml`, then the command line):
/// `(selector, level)` pairs where a selector is a check id or a category.
pub type LevelLayer = Vec<(String, Level)>;

/// The level of every check: the preset by severity, then each layer in
/// order; within a layer a category setting applies before a check-id
/// setting, so `--deny pkce --allow pkce-downgrade` works either way round.
/// Selectors must name a check or a category (callers validate with
/// [`unknown_selectors`]).
pub fn resolve_levels(
    checks: &[CheckMeta],
    preset: Preset,
    layers: &[LevelLayer],
) -> BTreeMap<String, Level> {
    let mut levels: BTreeMap<String, Level> = checks
        .iter()
        .map(|m| (m.id.clone(), preset.level(m.severity)))
        .collect();
    for layer in layers {
        for by_category in [true, false] {
            for (sel, level) in layer {
                let is_category = Category::from_id(sel).is_some();
                if is_category != by_category {
                    continue;
                }
                for m in checks
                    .iter()
                    .filter(|m| m.id == *sel || m.category.id() == sel)
                {
                    levels.insert(m.id.clone(), *level);
                }
            }
        }
    }
    levels
}

/// Selectors that name neither a check of `checks` nor a category.
pub fn unknown_selectors<'a>(
    checks: &[CheckMeta],
    selectors: impl IntoIterator<Item = &'a str>,
) -> Vec<&'a str> {
    selectors
        .into_iter()
        .filter(|s| Category::from_id(s).is_none() && !checks.iter().any(|m| m.id == *s))
        .collect()
}

/// What the gate enforces.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GatePolicy {
    /// The preset the levels started from.
    pub preset: Preset,
    /// Level per check id (from [`resolve_levels`]); a check missing here
    /// gets its preset level.
    pub levels: BTreeMap<String, Level>,
    /// `warn` outcomes of checks at level `error` fail the gate.
    pub deny_warnings: bool,
    /// Fail when the score is below this.
    pub fail_under: Option<u32>,
    /// With a report as baseline: fail when the score dropped by more.
    pub max_score_drop: Option<u32>,
}

impl GatePolicy {
    /// The level of a check in a report.
    pub fn level_of(&self, c: &CheckResult) -> Level {
        self.levels.get(&c.id).copied().unwrap_or_else(|| {
            let sev = match c.severity.as_str() {
                "critical" => Severity::Critical,
                "high" => Severity::High,
                "medium" => Severity::Medium,
                _ => Severity::Low,
            };
            self.preset.level(sev)
        })
    }
}

/// A file of accepted failures (`--baseline`), the MCP conformance suite's
/// expected-failures model.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptedFailures {
    /// Format version: 1.
    pub agentready_baseline: u32,
    /// The target the file was written for (informative).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Accepted violations.
    #[serde(default)]
    pub accepted: Vec<AcceptedEntry>,
}

/// One accepted violation: a whole check, or one finding code of it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptedEntry {
    /// Check id.
    pub check: String,
    /// Finding code; absent means every violation of the check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Why it is accepted (kept when the file is rewritten).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl AcceptedEntry {
    fn label(&self) -> String {
        match &self.code {
            Some(code) => format!("{} ({code})", self.check),
            None => self.check.clone(),
        }
    }
}

/// Version of the accepted-failures format.
pub const BASELINE_VERSION: u32 = 1;

/// A baseline: accepted failures, or a previous report.
#[derive(Debug, Clone, PartialEq)]
pub enum Baseline {
    /// A file of accepted failures.
    Accepted(AcceptedFailures),
    /// A previous JSON report: only regressions fail.
    Report(Box<Report>),
}

/// Errors reading a baseline (exit code 2).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum BaselineError {
    /// Not JSON, or neither kind of baseline.
    #[error(
        "not a baseline: expected an accepted-failures file (`agentready_baseline`) or an agentready JSON report (`schema_version`): {0}"
    )]
    Unrecognised(String),
    /// A JSON report whose shape this version does not read.
    #[error("a JSON report this version cannot read: {0}")]
    Report(String),
    /// A malformed accepted-failures file.
    #[error("an invalid accepted-failures file: {0}")]
    Accepted(String),
}

/// Parse a baseline file's text: a JSON object with `agentready_baseline`
/// is an accepted-failures file, one with `schema_version` a report.
pub fn parse_baseline(text: &str) -> Result<Baseline, BaselineError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| BaselineError::Unrecognised(e.to_string()))?;
    if value.get("agentready_baseline").is_some() {
        let file: AcceptedFailures =
            serde_json::from_value(value).map_err(|e| BaselineError::Accepted(e.to_string()))?;
        if file.agentready_baseline != BASELINE_VERSION {
            return Err(BaselineError::Accepted(format!(
                "agentready_baseline is {}; this version reads {BASELINE_VERSION}",
                file.agentready_baseline
            )));
        }
        return Ok(Baseline::Accepted(file));
    }
    match value.get("schema_version").and_then(|v| v.as_str()) {
        Some(crate::report::SCHEMA_VERSION) => serde_json::from_value(value)
            .map(|r| Baseline::Report(Box::new(r)))
            .map_err(|e| BaselineError::Report(e.to_string())),
        Some(other) => Err(BaselineError::Report(format!(
            "schema_version {other}; this version reads {}",
            crate::report::SCHEMA_VERSION
        ))),
        None => Err(BaselineError::Unrecognised(
            "the JSON object has neither field".into(),
        )),
    }
}

/// Write an accepted-failures file (pretty JSON, entries sorted).
pub fn baseline_to_json(file: &AcceptedFailures) -> String {
    let mut s = serde_json::to_string_pretty(file).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

fn item(kind: ItemKind, check: Option<&str>, code: Option<&str>, message: String) -> GateItem {
    GateItem {
        kind,
        check: check.map(str::to_string),
        code: code.map(str::to_string),
        message,
    }
}

/// The violations of a check: `Some(codes)` when it violates, where a
/// `None` code stands for a violation without a finding (outcome `error`).
pub fn violations(c: &CheckResult, deny_warnings: bool) -> Option<Vec<Option<String>>> {
    let counts =
        |f: FindingLevel| f == FindingLevel::Fail || (deny_warnings && f == FindingLevel::Warn);
    let violating = match c.outcome {
        Outcome::Fail => true,
        Outcome::Warn => deny_warnings,
        Outcome::Error => return Some(vec![None]),
        Outcome::Pass | Outcome::Info | Outcome::Skip => false,
    };
    if !violating {
        return None;
    }
    let mut codes: Vec<Option<String>> = Vec::new();
    for f in c.findings.iter().filter(|f| counts(f.level)) {
        if !codes.iter().any(|x| x.as_deref() == Some(f.code.as_str())) {
            codes.push(Some(f.code.clone()));
        }
    }
    if codes.is_empty() {
        codes.push(None);
    }
    Some(codes)
}

fn describe(c: &CheckResult, code: Option<&str>) -> String {
    let msg = code
        .and_then(|code| c.findings.iter().find(|f| f.code == code))
        .map_or_else(|| c.summary.clone(), |f| f.message.clone());
    match c.outcome {
        Outcome::Error => format!("{} could not be evaluated: {msg}", c.id),
        o => format!("{} {}: {msg}", c.id, o.as_str()),
    }
}

/// Evaluate the gate over a finished report.
pub fn evaluate(
    report: &Report,
    policy: &GatePolicy,
    baseline: Option<(&Baseline, &str)>,
) -> GateResult {
    let mut failures = Vec::new();
    let mut warnings = Vec::new();
    let levels: BTreeMap<String, Level> = report
        .checks
        .iter()
        .map(|c| (c.id.clone(), policy.level_of(c)))
        .collect();

    if let Some(min) = policy.fail_under {
        match report.score {
            Some(s) if s < min => failures.push(item(
                ItemKind::Score,
                None,
                None,
                format!("score {s} is under --fail-under {min}"),
            )),
            Some(_) => {}
            None if report.incomplete() => {
                // Exit 3 says it; the item explains why the threshold was not judged.
                failures.push(item(
                    ItemKind::Score,
                    None,
                    None,
                    format!("score is null (scan incomplete): --fail-under {min} cannot be judged"),
                ));
            }
            None => failures.push(item(
                ItemKind::Score,
                None,
                None,
                format!(
                    "no score (no weighted check was scored): --fail-under {min} cannot be met"
                ),
            )),
        }
    }

    if policy.max_score_drop.is_some() && !matches!(baseline, Some((Baseline::Report(_), _))) {
        warnings.push(item(
            ItemKind::Note,
            None,
            None,
            "--max-score-drop applies only when --baseline is a previous report; ignored".into(),
        ));
    }
    let summary = match baseline {
        None => {
            absolute(report, policy, &levels, &mut failures, &mut warnings);
            None
        }
        Some((Baseline::Accepted(file), source)) => Some(against_accepted(
            report,
            policy,
            &levels,
            file,
            source,
            &mut failures,
            &mut warnings,
        )),
        Some((Baseline::Report(old), source)) => Some(against_report(
            report,
            policy,
            &levels,
            old,
            source,
            &mut failures,
            &mut warnings,
        )),
    };

    let verdict = if report.incomplete() {
        Verdict::Incomplete
    } else if failures.is_empty() {
        Verdict::Pass
    } else {
        Verdict::Fail
    };
    GateResult {
        verdict,
        preset: policy.preset.as_str().into(),
        deny_warnings: policy.deny_warnings,
        fail_under: policy.fail_under,
        max_score_drop: policy.max_score_drop,
        levels,
        baseline: summary,
        failures,
        warnings,
    }
}

/// No baseline: every violation at level `error` fails, at `warn` warns.
fn absolute(
    report: &Report,
    policy: &GatePolicy,
    levels: &BTreeMap<String, Level>,
    failures: &mut Vec<GateItem>,
    warnings: &mut Vec<GateItem>,
) {
    for v in gated(report, policy, levels) {
        if v.level == Level::Error {
            failures.push(v.item);
        } else {
            warnings.push(v.item);
        }
    }
}

/// One violation of a gated check: its level, where it is, and the item.
struct Violation<'a> {
    level: Level,
    check: &'a str,
    code: Option<String>,
    item: GateItem,
}

/// Every violation of every check the policy does not switch off, in
/// report order (both gate modes walk the same list).
fn gated<'a>(
    report: &'a Report,
    policy: &GatePolicy,
    levels: &BTreeMap<String, Level>,
) -> Vec<Violation<'a>> {
    let mut out = Vec::new();
    for c in &report.checks {
        let level = levels.get(&c.id).copied().unwrap_or(Level::Off);
        if level == Level::Off {
            continue;
        }
        let Some(codes) = violations(c, policy.deny_warnings && level == Level::Error) else {
            continue;
        };
        for code in codes {
            let item = item(
                ItemKind::Check,
                Some(&c.id),
                code.as_deref(),
                describe(c, code.as_deref()),
            );
            out.push(Violation {
                level,
                check: &c.id,
                code,
                item,
            });
        }
    }
    out
}

fn entry_matches(e: &AcceptedEntry, check: &str, code: Option<&str>) -> bool {
    e.check == check && (e.code.is_none() || e.code.as_deref() == code)
}

fn against_accepted(
    report: &Report,
    policy: &GatePolicy,
    levels: &BTreeMap<String, Level>,
    file: &AcceptedFailures,
    source: &str,
    failures: &mut Vec<GateItem>,
    warnings: &mut Vec<GateItem>,
) -> BaselineSummary {
    let mut accepted = Vec::new();
    let mut used: BTreeSet<usize> = BTreeSet::new();
    for v in gated(report, policy, levels) {
        let it = v.item;
        let hit = file
            .accepted
            .iter()
            .enumerate()
            .find(|(_, e)| entry_matches(e, v.check, v.code.as_deref()));
        match (v.level, hit) {
            (Level::Error, Some((i, _))) => {
                used.insert(i);
                accepted.push(it);
            }
            (Level::Error, None) => failures.push(GateItem {
                message: format!("{} (not in the baseline)", it.message),
                ..it
            }),
            (_, hit) => {
                if let Some((i, _)) = hit {
                    used.insert(i);
                }
                warnings.push(it);
            }
        }
    }
    for (i, e) in file.accepted.iter().enumerate() {
        if used.contains(&i) {
            continue;
        }
        let Some(c) = report.check(&e.check) else {
            warnings.push(item(
                ItemKind::Note,
                Some(&e.check),
                e.code.as_deref(),
                format!(
                    "baseline entry {} names a check this scan did not run",
                    e.label()
                ),
            ));
            continue;
        };
        let level = levels.get(&c.id).copied().unwrap_or(Level::Off);
        if level != Level::Error {
            // Only checks at level error are gated; the entry waits.
            warnings.push(item(
                ItemKind::Note,
                Some(&e.check),
                e.code.as_deref(),
                format!(
                    "baseline entry {} is inactive: the check is at level {}",
                    e.label(),
                    level.as_str()
                ),
            ));
            continue;
        }
        // Not used: the check (or the code) no longer violates.
        let now = match c.outcome {
            Outcome::Skip => "is not applicable any more".to_string(),
            o => format!("now {}", o.as_str()),
        };
        let message = match &e.code {
            Some(code) => format!(
                "baseline entry {} is stale: {} no longer reports {code} ({now}); remove it or run with --update-baseline",
                e.label(),
                c.id
            ),
            None => format!(
                "baseline entry {} is stale: the check {now}; remove it or run with --update-baseline",
                e.label()
            ),
        };
        failures.push(item(
            ItemKind::Stale,
            Some(&e.check),
            e.code.as_deref(),
            message,
        ));
    }
    BaselineSummary {
        kind: "accepted-failures".into(),
        source: source.into(),
        accepted,
    }
}

fn against_report(
    report: &Report,
    policy: &GatePolicy,
    levels: &BTreeMap<String, Level>,
    old: &Report,
    source: &str,
    failures: &mut Vec<GateItem>,
    warnings: &mut Vec<GateItem>,
) -> BaselineSummary {
    let d = diff::diff(old, report);
    for n in &d.notes {
        warnings.push(item(ItemKind::Note, None, None, n.clone()));
    }
    let mut accepted = Vec::new();
    for c in &report.checks {
        let level = levels.get(&c.id).copied().unwrap_or(Level::Off);
        if level == Level::Off {
            continue;
        }
        let Some(o) = old.check(&c.id) else { continue };
        if diff::is_regression(o.outcome, c.outcome) {
            let it = item(
                ItemKind::Regression,
                Some(&c.id),
                None,
                format!(
                    "{} regressed from {} to {}: {}",
                    c.id,
                    o.outcome.as_str(),
                    c.outcome.as_str(),
                    c.summary
                ),
            );
            if level == Level::Error {
                failures.push(it);
            } else {
                warnings.push(it);
            }
        } else if matches!(c.outcome, Outcome::Warn | Outcome::Fail) {
            accepted.push(item(
                ItemKind::Check,
                Some(&c.id),
                None,
                format!(
                    "{} {} (as in the baseline report)",
                    c.id,
                    c.outcome.as_str()
                ),
            ));
        }
    }
    if let Some(max) = policy.max_score_drop {
        match (old.score, report.score) {
            (Some(a), Some(b)) if a > b && a - b > max => failures.push(item(
                ItemKind::ScoreDrop,
                None,
                None,
                format!("score dropped from {a} to {b}, more than --max-score-drop {max}"),
            )),
            (None, Some(_)) => warnings.push(item(
                ItemKind::Note,
                None,
                None,
                "the baseline report has no score: the score drop was not judged".into(),
            )),
            _ => {}
        }
    }
    BaselineSummary {
        kind: "report".into(),
        source: source.into(),
        accepted,
    }
}

/// The accepted-failures file `--update-baseline` writes: entries of `old`
/// that still match a violation at level `error` (reasons kept), plus one
/// entry per new violation (check and code); stale entries are dropped.
/// Entries for checks this scan did not run, or runs at another level, are
/// kept as they are.
pub fn updated_baseline(
    report: &Report,
    policy: &GatePolicy,
    old: Option<&AcceptedFailures>,
) -> AcceptedFailures {
    let empty = AcceptedFailures::default();
    let old = old.unwrap_or(&empty);
    let mut keep: BTreeSet<usize> = BTreeSet::new();
    let mut added: Vec<AcceptedEntry> = Vec::new();
    for c in &report.checks {
        let level = policy.level_of(c);
        if level != Level::Error {
            // Not gated at error: leave its entries alone.
            for (i, e) in old.accepted.iter().enumerate() {
                if e.check == c.id {
                    keep.insert(i);
                }
            }
            continue;
        }
        let Some(codes) = violations(c, policy.deny_warnings) else {
            continue;
        };
        for code in codes {
            match old
                .accepted
                .iter()
                .position(|e| entry_matches(e, &c.id, code.as_deref()))
            {
                Some(i) => {
                    keep.insert(i);
                }
                None => added.push(AcceptedEntry {
                    check: c.id.clone(),
                    code,
                    reason: None,
                }),
            }
        }
    }
    for (i, e) in old.accepted.iter().enumerate() {
        if report.check(&e.check).is_none() {
            keep.insert(i);
        }
    }
    let mut accepted: Vec<AcceptedEntry> = old
        .accepted
        .iter()
        .enumerate()
        .filter(|(i, _)| keep.contains(i))
        .map(|(_, e)| e.clone())
        .chain(added)
        .collect();
    accepted.sort();
    accepted.dedup();
    AcceptedFailures {
        agentready_baseline: BASELINE_VERSION,
        target: Some(report.target.url.clone()),
        accepted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::catalogue;
    use crate::testing::{as_metadata, metadata_report};

    fn classic() -> Report {
        // pkce-s256 (high) fails, pkce-downgrade (medium) fails.
        metadata_report(&as_metadata(&["plain"]))
    }

    fn good() -> Report {
        // Good metadata says it sends RFC 9207 `iss` too.
        let mut doc = as_metadata(&["S256"]);
        doc["authorization_response_iss_parameter_supported"] = true.into();
        metadata_report(&doc)
    }

    fn policy(preset: Preset) -> GatePolicy {
        GatePolicy {
            preset,
            deny_warnings: preset.deny_warnings(),
            levels: resolve_levels(catalogue::builtin(), preset, &[]),
            ..GatePolicy::default()
        }
    }

    fn ids(items: &[GateItem]) -> Vec<String> {
        items
            .iter()
            .map(|i| {
                format!(
                    "{}:{}",
                    i.check.as_deref().unwrap_or("-"),
                    i.code.as_deref().unwrap_or("-")
                )
            })
            .collect()
    }

    #[test]
    fn presets_follow_severity() {
        let levels = resolve_levels(catalogue::builtin(), Preset::Recommended, &[]);
        assert_eq!(levels["as-metadata-discovery"], Level::Error); // critical
        assert_eq!(levels["pkce-s256"], Level::Error); // high
        assert_eq!(levels["pkce-downgrade"], Level::Warn); // medium
        assert_eq!(levels["x402-payment"], Level::Warn); // low
        let strict = resolve_levels(catalogue::builtin(), Preset::Strict, &[]);
        assert!(strict.values().all(|l| *l == Level::Error));
        let report = resolve_levels(catalogue::builtin(), Preset::Report, &[]);
        assert!(report.values().all(|l| *l == Level::Warn));
    }

    #[test]
    fn layers_apply_in_order_and_ids_beat_categories() {
        let file: LevelLayer = vec![
            ("pkce-s256".into(), Level::Off),
            ("pkce".into(), Level::Error),
        ];
        let cli: LevelLayer = vec![("pkce-downgrade".into(), Level::Off)];
        let l = resolve_levels(catalogue::builtin(), Preset::Recommended, &[file, cli]);
        assert_eq!(
            l["pkce-s256"],
            Level::Off,
            "the id wins over its category in a layer"
        );
        assert_eq!(l["pkce-downgrade"], Level::Off, "a later layer wins");
        assert_eq!(l["issuer-identifier"], Level::Error);
        assert_eq!(
            unknown_selectors(catalogue::builtin(), ["pkce", "pkce-s256", "nope"]),
            vec!["nope"]
        );
    }

    #[test]
    fn absolute_gate_levels() {
        let r = classic();
        let g = evaluate(&r, &policy(Preset::Recommended), None);
        assert_eq!(g.verdict, Verdict::Fail);
        assert!(
            ids(&g.failures).contains(&"pkce-s256:pkce-s256-missing".to_string()),
            "{g:?}"
        );
        assert!(
            ids(&g.warnings)
                .iter()
                .any(|i| i.starts_with("pkce-downgrade:")),
            "medium is a warning: {g:?}"
        );
        assert_eq!(g.levels["pkce-s256"], Level::Error);

        // Allowing the failing high checks makes it pass.
        let mut p = policy(Preset::Recommended);
        p.levels.insert("pkce-s256".into(), Level::Off);
        let g = evaluate(&r, &p, None);
        assert_eq!(g.verdict, Verdict::Pass, "{:?}", g.failures);

        // The report preset never fails on checks.
        let g = evaluate(&r, &policy(Preset::Report), None);
        assert_eq!(g.verdict, Verdict::Pass);
        assert!(!g.warnings.is_empty());

        let g = evaluate(&good(), &policy(Preset::Strict), None);
        assert_eq!(g.verdict, Verdict::Pass, "{:?}", g.failures);
    }

    #[test]
    fn warnings_fail_only_when_denied() {
        // An implicit grant is a warn finding of oauth21-grants.
        let mut doc = as_metadata(&["S256"]);
        doc["grant_types_supported"] = serde_json::json!(["authorization_code", "implicit"]);
        let r = metadata_report(&doc);
        assert_eq!(r.check("oauth21-grants").unwrap().outcome, Outcome::Warn);
        let mut p = policy(Preset::Recommended);
        p.levels.insert("oauth21-grants".into(), Level::Error);
        assert_eq!(evaluate(&r, &p, None).verdict, Verdict::Pass);
        p.deny_warnings = true;
        let g = evaluate(&r, &p, None);
        assert_eq!(g.verdict, Verdict::Fail);
        assert_eq!(g.failures[0].check.as_deref(), Some("oauth21-grants"));
        assert_eq!(
            evaluate(&r, &policy(Preset::Strict), None).verdict,
            Verdict::Fail
        );
    }

    #[test]
    fn fail_under_and_null_scores() {
        let r = good();
        let mut p = policy(Preset::Report);
        p.fail_under = Some(100);
        assert_eq!(evaluate(&r, &p, None).verdict, Verdict::Pass);
        let r = classic();
        let g = evaluate(&r, &p, None);
        assert_eq!(g.verdict, Verdict::Fail);
        assert_eq!(g.failures[0].kind, ItemKind::Score);
        // Incomplete: the verdict is incomplete (exit 3), never pass.
        let mut r = good();
        r.error = Some("the target is unreachable".into());
        r.score = None;
        let g = evaluate(&r, &p, None);
        assert_eq!(g.verdict, Verdict::Incomplete);
        assert!(g.failures[0].message.contains("cannot be judged"));
        // Nothing scored, yet complete: a threshold cannot be met.
        let mut r = good();
        r.score = None;
        let g = evaluate(&r, &p, None);
        assert_eq!(g.verdict, Verdict::Fail);
    }

    fn accepted(entries: &[(&str, Option<&str>)]) -> Baseline {
        Baseline::Accepted(AcceptedFailures {
            agentready_baseline: 1,
            target: None,
            accepted: entries
                .iter()
                .map(|(c, code)| AcceptedEntry {
                    check: (*c).into(),
                    code: code.map(str::to_string),
                    reason: None,
                })
                .collect(),
        })
    }

    #[test]
    fn accepted_failures_pass_new_fail_stale() {
        let r = classic();
        let p = policy(Preset::Recommended);
        // Listed: passes.
        let b = accepted(&[("pkce-s256", None)]);
        let g = evaluate(&r, &p, Some((&b, "b.json")));
        assert_eq!(g.verdict, Verdict::Pass, "{:?}", g.failures);
        assert!(g.is_accepted("pkce-s256", Some("pkce-s256-missing")));
        // Listed by code: passes; another code of the same check would not.
        let b = accepted(&[("pkce-s256", Some("pkce-s256-missing"))]);
        assert_eq!(evaluate(&r, &p, Some((&b, "b"))).verdict, Verdict::Pass);
        let b = accepted(&[("pkce-s256", Some("pkce-s256-not-advertised"))]);
        let g = evaluate(&r, &p, Some((&b, "b")));
        assert_eq!(g.verdict, Verdict::Fail);
        assert!(g.failures.iter().any(|i| i.kind == ItemKind::Check));
        assert!(
            g.failures.iter().any(|i| i.kind == ItemKind::Stale),
            "{:?}",
            g.failures
        );
        // Unlisted: fails.
        let b = accepted(&[]);
        let g = evaluate(&r, &p, Some((&b, "b")));
        assert_eq!(ids(&g.failures), vec!["pkce-s256:pkce-s256-missing"]);
        assert!(g.failures[0].message.contains("not in the baseline"));
        // Listed but fixed: stale.
        let b = accepted(&[("pkce-s256", None)]);
        let g = evaluate(&good(), &p, Some((&b, "b")));
        assert_eq!(g.verdict, Verdict::Fail);
        assert_eq!(g.failures[0].kind, ItemKind::Stale);
        assert!(g.failures[0].message.contains("--update-baseline"));
        // Entries for checks not run or not gated are notes, never stale.
        let b = accepted(&[("no-such-check", None), ("pkce-downgrade", None)]);
        let g = evaluate(&good(), &p, Some((&b, "b")));
        assert_eq!(g.verdict, Verdict::Pass, "{:?}", g.failures);
    }

    #[test]
    fn update_baseline_keeps_reasons_adds_new_and_drops_stale() {
        let r = classic();
        let p = policy(Preset::Recommended);
        let old = AcceptedFailures {
            agentready_baseline: 1,
            target: None,
            accepted: vec![
                AcceptedEntry {
                    check: "pkce-s256".into(),
                    code: None,
                    reason: Some("legacy clients".into()),
                },
                AcceptedEntry {
                    check: "issuer-identifier".into(),
                    code: None,
                    reason: None,
                },
            ],
        };
        let new = updated_baseline(&r, &p, Some(&old));
        assert_eq!(new.accepted.len(), 1, "{new:?}");
        assert_eq!(new.accepted[0].reason.as_deref(), Some("legacy clients"));
        let fresh = updated_baseline(&r, &p, None);
        assert_eq!(
            fresh.accepted,
            vec![AcceptedEntry {
                check: "pkce-s256".into(),
                code: Some("pkce-s256-missing".into()),
                reason: None
            }]
        );
        // The rewritten file passes the gate, and round-trips.
        let b = parse_baseline(&baseline_to_json(&fresh)).unwrap();
        assert_eq!(evaluate(&r, &p, Some((&b, "b"))).verdict, Verdict::Pass);
    }

    #[test]
    fn report_baseline_fails_only_on_regressions() {
        let p = policy(Preset::Recommended);
        let (old, new) = (good(), classic());
        let b = Baseline::Report(Box::new(old.clone()));
        let g = evaluate(&new, &p, Some((&b, "old.json")));
        assert_eq!(g.verdict, Verdict::Fail);
        assert!(
            g.failures
                .iter()
                .any(|i| i.kind == ItemKind::Regression && i.check.as_deref() == Some("pkce-s256"))
        );
        // pkce-downgrade is medium (warn level): its regression only warns.
        assert!(g.warnings.iter().any(
            |i| i.kind == ItemKind::Regression && i.check.as_deref() == Some("pkce-downgrade")
        ));
        // The same failures as before are not regressions.
        let b = Baseline::Report(Box::new(new.clone()));
        let g = evaluate(&new, &p, Some((&b, "old.json")));
        assert_eq!(g.verdict, Verdict::Pass, "{:?}", g.failures);
        assert!(g.is_accepted("pkce-s256", None));
        // Improvement passes.
        let b = Baseline::Report(Box::new(new.clone()));
        assert_eq!(evaluate(&old, &p, Some((&b, "o"))).verdict, Verdict::Pass);
        // Score drop beyond the allowance fails, within it passes.
        let mut p2 = policy(Preset::Report);
        let b = Baseline::Report(Box::new(old.clone()));
        let drop = old.score.unwrap() - new.score.unwrap();
        p2.max_score_drop = Some(drop);
        assert_eq!(evaluate(&new, &p2, Some((&b, "o"))).verdict, Verdict::Pass);
        p2.max_score_drop = Some(drop - 1);
        let g = evaluate(&new, &p2, Some((&b, "o")));
        assert_eq!(g.failures[0].kind, ItemKind::ScoreDrop);
    }

    #[test]
    fn parse_baselines() {
        assert!(matches!(
            parse_baseline(r#"{"agentready_baseline":1,"accepted":[{"check":"pkce-s256"}]}"#),
            Ok(Baseline::Accepted(_))
        ));
        assert!(matches!(
            parse_baseline(r#"{"agentready_baseline":2}"#),
            Err(BaselineError::Accepted(_))
        ));
        assert!(matches!(
            parse_baseline(r#"{"agentready_baseline":1,"accepted":[{"check":"x","bogus":1}]}"#),
            Err(BaselineError::Accepted(_))
        ));
        let report = serde_json::to_string(&good()).unwrap();
        assert!(matches!(parse_baseline(&report), Ok(Baseline::Report(_))));
        assert!(matches!(
            parse_baseline(r#"{"schema_version":"9"}"#),
            Err(BaselineError::Report(_))
        ));
        assert!(matches!(
            parse_baseline("[]"),
            Err(BaselineError::Unrecognised(_))
        ));
        assert!(matches!(
            parse_baseline("nope"),
            Err(BaselineError::Unrecognised(_))
        ));
    }
}
