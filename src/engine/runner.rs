//! Running one check: the built-in function or the declarative rule, a
//! panic contained as `error` for that check only, and the outcome
//! resolved from the findings' declared levels ("not verified is not
//! failed" applied here).

use crate::checks::registry;
use crate::engine::declarative;
use crate::evidence::Evidence;
use crate::model::catalogue::{CheckMeta, Implementation, Reference};
use crate::model::outcome::{
    EvalStatus, Evaluation, FindingLevel, NOT_IMPLEMENTED, Outcome, Unverified,
};
use crate::report::{CheckResult, NotVerified, ReportFinding, Shared};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// The catalogue text a check's result carries, prepared once.
#[derive(Debug, Clone)]
pub(super) struct CheckTexts {
    pub(super) title: Shared<String>,
    remediation: Shared<String>,
    references: Shared<Vec<Reference>>,
}

impl CheckTexts {
    pub(super) fn of(meta: &CheckMeta) -> Self {
        CheckTexts {
            title: meta.title.clone().into(),
            remediation: meta.remediation.trim().to_string().into(),
            references: meta.references.clone().into(),
        }
    }
}

/// Evaluate one check, turning a panic or an undeclared finding code into
/// `error` for that check only.
#[cfg(any(test, feature = "testing"))]
pub fn run_check(meta: &CheckMeta, ev: &Evidence) -> CheckResult {
    run_prepared(meta, &CheckTexts::of(meta), ev)
}

pub(super) fn run_prepared(meta: &CheckMeta, texts: &CheckTexts, ev: &Evidence) -> CheckResult {
    let eval = match meta.implementation {
        Implementation::Planned => Evaluation::skip(NOT_IMPLEMENTED),
        Implementation::Rust => match registry::builtin(&meta.id) {
            Some(b) => catch_unwind(AssertUnwindSafe(|| (b.eval)(ev))).unwrap_or_else(|_| {
                Evaluation::error("internal error: the evaluator panicked", vec![])
            }),
            None => Evaluation::error("internal error: no built-in evaluator for this id", vec![]),
        },
        Implementation::Declarative => match &meta.rule {
            Some(rule) => catch_unwind(AssertUnwindSafe(|| declarative::evaluate(meta, rule, ev)))
                .unwrap_or_else(|_| Evaluation::error("internal error: the rule panicked", vec![])),
            None => Evaluation::error("declarative check without a rule", vec![]),
        },
    };
    resolve(meta, texts, eval)
}

fn resolve(meta: &CheckMeta, texts: &CheckTexts, eval: Evaluation) -> CheckResult {
    let mut findings = Vec::new();
    let mut worst: Option<FindingLevel> = None;
    let mut undeclared = None;
    for f in eval.findings {
        match meta.finding_level(&f.code) {
            Some(level) => {
                worst = worst.max(Some(level));
                findings.push(ReportFinding {
                    code: f.code,
                    level,
                    message: f.message,
                    probe: f.probe,
                });
            }
            None => undeclared = Some(f.code),
        }
    }
    let (outcome, summary) = match (&eval.status, undeclared) {
        (_, Some(code)) => (
            Outcome::Error,
            format!(
                "internal error: finding code `{code}` is not declared in checks/{}.toml",
                meta.id
            ),
        ),
        (EvalStatus::Skip, None) => (Outcome::Skip, eval.summary),
        (EvalStatus::Error, None) => (Outcome::Error, eval.summary),
        (EvalStatus::Informative, None) => (Outcome::Info, eval.summary),
        (EvalStatus::Evaluated, None) => {
            let outcome = match worst {
                Some(FindingLevel::Fail) => Outcome::Fail,
                Some(FindingLevel::Warn) => Outcome::Warn,
                _ => Outcome::Pass,
            };
            match not_verified(&eval.unverified) {
                // Not verified is not failed, and not passed either: a pass
                // that rests on a request never sent or never answered is
                // `skip` (`error` when nothing answered), with the reason
                // and the remedy. A warn or fail the findings establish
                // stands, and says what was left unverified.
                Some(why) if outcome == Outcome::Pass => {
                    let fault = eval.unverified.iter().any(|u| u.fault);
                    let why = format!("N{}", why.strip_prefix('n').unwrap_or(&why));
                    (if fault { Outcome::Error } else { Outcome::Skip }, why)
                }
                Some(why) => (outcome, format!("{} ({why})", eval.summary)),
                None => (outcome, eval.summary),
            }
        }
    };
    CheckResult {
        id: meta.id.clone(),
        title: texts.title.clone(),
        category: meta.category.id().into(),
        question: meta.question.map(|q| q.id().to_string()),
        severity: meta.severity.as_str().into(),
        weight: meta.weight(),
        outcome,
        summary,
        findings,
        evidence: eval.evidence,
        remediation: texts.remediation.clone(),
        // A site-specific fix only where there is something to fix.
        remediation_for_site: eval
            .site_fix
            .filter(|_| matches!(outcome, Outcome::Fail | Outcome::Warn)),
        references: texts.references.clone(),
        data: eval.data,
        user: meta.user,
        not_verified: eval
            .unverified
            .into_iter()
            .map(|u| NotVerified {
                probe: u.probe,
                reason: u.reason,
                remedy: u.remedy,
            })
            .collect(),
    }
}

/// What an evaluation could not verify, and how to verify it: `None` when
/// it verified everything it needed.
fn not_verified(items: &[Unverified]) -> Option<String> {
    const SHOWN: usize = 3;
    if items.is_empty() {
        return None;
    }
    let mut reasons: Vec<&str> = items
        .iter()
        .take(SHOWN)
        .map(|u| u.reason.as_str())
        .collect();
    reasons.dedup();
    let more = items.len().saturating_sub(SHOWN);
    let mut remedies: Vec<&str> = Vec::new();
    for u in items {
        if !remedies.contains(&u.remedy.as_str()) {
            remedies.push(&u.remedy);
        }
    }
    Some(format!(
        "not verified: {}{}; to verify: {}",
        reasons.join("; "),
        if more > 0 {
            format!(" (and {more} more)")
        } else {
            String::new()
        },
        remedies.join("; or ")
    ))
}
