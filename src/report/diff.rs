//! Comparing two reports: which findings are new, fixed or persistent, which
//! checks regressed or improved, and how score and level moved. Used by
//! `agentready diff` and by the gate when `--baseline` is a previous report.
//! Pure: no I/O.

use crate::model::outcome::{FindingLevel, Outcome};
use crate::report::{CheckResult, Report};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How bad an outcome is, for comparisons: pass and info 0, warn 1, fail 2.
/// `skip` (not applicable) and `error` (not evaluated) have no rank: a change
/// to or from them is neither a regression nor an improvement.
pub fn outcome_rank(o: Outcome) -> Option<u8> {
    match o {
        Outcome::Pass | Outcome::Info => Some(0),
        Outcome::Warn => Some(1),
        Outcome::Fail => Some(2),
        Outcome::Skip | Outcome::Error => None,
    }
}

/// True when `new` is worse than `old`: pass→warn, pass→fail, warn→fail.
pub fn is_regression(old: Outcome, new: Outcome) -> bool {
    matches!((outcome_rank(old), outcome_rank(new)), (Some(a), Some(b)) if b > a)
}

/// How a check's outcome moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// Worse (pass→warn, pass→fail, warn→fail).
    Regressed,
    /// Better (fail→warn, fail→pass, warn→pass).
    Improved,
    /// Different but not comparable (to or from skip or error).
    Changed,
    /// Only in the new report.
    Added,
    /// Only in the old report.
    Removed,
    /// The same outcome.
    Unchanged,
}

/// One side of a diff: the headline of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffSide {
    /// Scanned URL.
    pub target: String,
    /// When the scan started.
    pub started_at: String,
    /// Score (null when incomplete).
    pub score: Option<u32>,
    /// Grade (null when incomplete).
    pub grade: Option<String>,
    /// Level 0–3 (null when not established).
    pub level: Option<u8>,
    /// Level name (null with the level).
    pub level_name: Option<String>,
    /// Scoring algorithm version.
    pub algorithm_version: String,
}

impl DiffSide {
    fn of(r: &Report) -> Self {
        DiffSide {
            target: r.target.url.clone(),
            started_at: r.started_at.clone(),
            score: r.score,
            grade: r.grade.clone(),
            level: r.level,
            level_name: r.level_name.clone(),
            algorithm_version: r.algorithm_version.clone(),
        }
    }
}

/// A check whose outcome differs between the reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckChange {
    /// Check id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Outcome before (absent when the check was not in the old report).
    pub old: Option<Outcome>,
    /// Outcome now (absent when the check is not in the new report).
    pub new: Option<Outcome>,
    /// How it moved.
    pub change: Change,
}

/// A finding, identified by check and code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffFinding {
    /// Check id.
    pub check: String,
    /// Finding code.
    pub code: String,
    /// fail or warn.
    pub level: FindingLevel,
    /// How many times the check reported the code (e.g. one per endpoint).
    pub count: usize,
    /// The first message (from the new report, or the old one for fixed findings).
    pub message: String,
}

/// The difference between two reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportDiff {
    /// The old report's headline.
    pub old: DiffSide,
    /// The new report's headline.
    pub new: DiffSide,
    /// New score minus old score (null when either is null).
    pub score_change: Option<i64>,
    /// New level minus old level (null when either is null).
    pub level_change: Option<i16>,
    /// Checks whose outcome changed, regressions first.
    pub checks: Vec<CheckChange>,
    /// Problems (fail or warn findings) only in the new report.
    pub new_findings: Vec<DiffFinding>,
    /// Problems only in the old report.
    pub fixed_findings: Vec<DiffFinding>,
    /// Problems in both.
    pub persistent_findings: Vec<DiffFinding>,
    /// Caveats: different targets, algorithm versions, weights.
    pub notes: Vec<String>,
}

impl ReportDiff {
    /// Checks that regressed.
    pub fn regressions(&self) -> impl Iterator<Item = &CheckChange> {
        self.checks.iter().filter(|c| c.change == Change::Regressed)
    }
}

type FindingKey = (String, String);

/// Fail and warn findings of a report, grouped by (check, code), in report
/// order. Info findings are not problems and are left out.
fn problems(r: &Report) -> Vec<(FindingKey, DiffFinding)> {
    let mut out: Vec<(FindingKey, DiffFinding)> = Vec::new();
    for c in &r.checks {
        for f in c.findings.iter().filter(|f| f.level != FindingLevel::Info) {
            let key = (c.id.clone(), f.code.clone());
            if let Some((_, d)) = out.iter_mut().find(|(k, _)| *k == key) {
                d.count += 1;
            } else {
                out.push((
                    key,
                    DiffFinding {
                        check: c.id.clone(),
                        code: f.code.clone(),
                        level: f.level,
                        count: 1,
                        message: f.message.clone(),
                    },
                ));
            }
        }
    }
    out
}

fn change(old: Option<&CheckResult>, new: Option<&CheckResult>) -> Change {
    match (old, new) {
        (None, Some(_)) => Change::Added,
        (Some(_), None) => Change::Removed,
        (Some(o), Some(n)) if o.outcome == n.outcome => Change::Unchanged,
        (Some(o), Some(n)) => {
            match (outcome_rank(o.outcome), outcome_rank(n.outcome)) {
                (Some(a), Some(b)) if b > a => Change::Regressed,
                (Some(a), Some(b)) if b < a => Change::Improved,
                // Pass ↔ info have the same rank; skip/error have none.
                _ => Change::Changed,
            }
        }
        (None, None) => Change::Unchanged,
    }
}

/// Compare two reports.
pub fn diff(old: &Report, new: &Report) -> ReportDiff {
    let mut notes = Vec::new();
    if old.target.url != new.target.url {
        notes.push(format!(
            "the reports are for different targets ({} and {})",
            old.target.url, new.target.url
        ));
    }
    if old.algorithm_version != new.algorithm_version {
        notes.push(format!(
            "the scoring algorithm changed ({} → {}): scores may not be comparable",
            old.algorithm_version, new.algorithm_version
        ));
    }
    let old_by_id: BTreeMap<&str, &CheckResult> =
        old.checks.iter().map(|c| (c.id.as_str(), c)).collect();
    let new_by_id: BTreeMap<&str, &CheckResult> =
        new.checks.iter().map(|c| (c.id.as_str(), c)).collect();
    let reweighted: Vec<&str> = new
        .checks
        .iter()
        .filter(|c| {
            old_by_id
                .get(c.id.as_str())
                .is_some_and(|o| o.weight != c.weight)
        })
        .map(|c| c.id.as_str())
        .collect();
    if !reweighted.is_empty() {
        notes.push(format!(
            "weights differ for {}: scores may not be comparable",
            reweighted.join(", ")
        ));
    }
    let mut checks: Vec<CheckChange> = Vec::new();
    for c in &new.checks {
        let o = old_by_id.get(c.id.as_str()).copied();
        checks.push(CheckChange {
            id: c.id.clone(),
            title: c.title.to_string(),
            old: o.map(|o| o.outcome),
            new: Some(c.outcome),
            change: change(o, Some(c)),
        });
    }
    for c in old
        .checks
        .iter()
        .filter(|c| !new_by_id.contains_key(c.id.as_str()))
    {
        checks.push(CheckChange {
            id: c.id.clone(),
            title: c.title.to_string(),
            old: Some(c.outcome),
            new: None,
            change: Change::Removed,
        });
    }
    checks.retain(|c| c.change != Change::Unchanged);
    // Stable: regressions first, then by the order they appear.
    checks.sort_by_key(|c| c.change);

    let old_p = problems(old);
    let new_p = problems(new);
    let mut new_findings = Vec::new();
    let mut persistent_findings = Vec::new();
    for (key, d) in &new_p {
        if old_p.iter().any(|(k, _)| k == key) {
            persistent_findings.push(d.clone());
        } else {
            new_findings.push(d.clone());
        }
    }
    let fixed_findings = old_p
        .into_iter()
        .filter(|(k, _)| !new_p.iter().any(|(nk, _)| nk == k))
        .map(|(_, d)| d)
        .collect();
    ReportDiff {
        score_change: match (old.score, new.score) {
            (Some(a), Some(b)) => Some(i64::from(b) - i64::from(a)),
            _ => None,
        },
        level_change: match (old.level, new.level) {
            (Some(a), Some(b)) => Some(i16::from(b) - i16::from(a)),
            _ => None,
        },
        old: DiffSide::of(old),
        new: DiffSide::of(new),
        checks,
        new_findings,
        fixed_findings,
        persistent_findings,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{as_metadata, metadata_report};

    fn classic() -> Report {
        metadata_report(&as_metadata(&["plain"]))
    }

    fn good() -> Report {
        metadata_report(&as_metadata(&["S256"]))
    }

    #[test]
    fn ranks_and_regressions() {
        assert!(is_regression(Outcome::Pass, Outcome::Warn));
        assert!(is_regression(Outcome::Pass, Outcome::Fail));
        assert!(is_regression(Outcome::Warn, Outcome::Fail));
        assert!(!is_regression(Outcome::Fail, Outcome::Pass));
        assert!(!is_regression(Outcome::Skip, Outcome::Fail));
        assert!(!is_regression(Outcome::Pass, Outcome::Error));
        assert!(!is_regression(Outcome::Info, Outcome::Pass));
    }

    #[test]
    fn fixed_new_and_persistent_findings() {
        let (old, new) = (classic(), good());
        assert_eq!(old.check("pkce-s256").unwrap().outcome, Outcome::Fail);
        assert_eq!(new.check("pkce-s256").unwrap().outcome, Outcome::Pass);
        let d = diff(&old, &new);
        assert!(d.score_change.unwrap() > 0, "{d:?}");
        assert!(
            d.fixed_findings
                .iter()
                .any(|f| f.code == "pkce-s256-missing")
        );
        assert!(d.new_findings.is_empty(), "{:?}", d.new_findings);
        assert!(
            d.checks
                .iter()
                .any(|c| c.id == "pkce-s256" && c.change == Change::Improved)
        );
        assert_eq!(d.regressions().count(), 0);
        assert!(d.notes.is_empty(), "{:?}", d.notes);

        // The other way round: the same items are new and regressed.
        let d = diff(&new, &old);
        assert!(d.new_findings.iter().any(|f| f.code == "pkce-s256-missing"));
        assert!(d.fixed_findings.is_empty());
        assert!(d.regressions().any(|c| c.id == "pkce-s256"));
        assert_eq!(d.checks[0].change, Change::Regressed, "regressions first");

        // Identical reports: everything persistent, nothing changed.
        let d = diff(&old, &old);
        assert!(d.checks.is_empty());
        assert!(d.new_findings.is_empty() && d.fixed_findings.is_empty());
        assert!(!d.persistent_findings.is_empty());
        assert_eq!(d.score_change, Some(0));
    }

    #[test]
    fn added_removed_and_notes() {
        let old = classic();
        let mut new = good();
        new.checks.retain(|c| c.id != "pkce-downgrade");
        new.target.url = "https://other.example/".into();
        new.algorithm_version = "999".into();
        if let Some(c) = new.checks.iter_mut().find(|c| c.id == "pkce-s256") {
            c.weight = 1;
        }
        let d = diff(&old, &new);
        assert!(
            d.checks.iter().any(|c| c.id == "pkce-downgrade"
                && c.change == Change::Removed
                && c.new.is_none())
        );
        assert_eq!(d.notes.len(), 3, "{:?}", d.notes);
        let d = diff(&new, &old);
        assert!(
            d.checks
                .iter()
                .any(|c| c.id == "pkce-downgrade" && c.change == Change::Added)
        );
    }
}
