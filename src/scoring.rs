//! Scoring: outcomes → category scores, overall score, grade, level, and
//! the nine questions. The formula is documented in `docs/scoring.md`; bump
//! [`ALGORITHM_VERSION`] whenever it changes.

use crate::model::catalogue::{Category, CheckMeta, Implementation, Question};
use crate::model::outcome::Outcome;
use crate::report::gate::{GateResult, Level};
use crate::report::{
    CategoryResult, CheckResult, QuestionResult, ScoreCap, TOP_FIXES, TopFix, first_sentence,
    severity_rank,
};

/// Version of the scoring algorithm.
pub const ALGORITHM_VERSION: &str = "7";

/// Highest score when no auth surface can be discovered (level 0).
pub const CAP_INVISIBLE: u32 = 20;
/// Highest score when a critical check fails.
pub const CAP_CRITICAL_FAIL: u32 = 59;

/// Everything scoring derives from the check results.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    /// Overall score, `None` when incomplete or nothing was scored.
    pub score: Option<u32>,
    /// Grade, `None` with the score.
    pub grade: Option<String>,
    /// Level 0–3, `None` when incomplete or not established by the checks
    /// that ran.
    pub level: Option<u8>,
    /// Caps applied.
    pub caps: Vec<ScoreCap>,
    /// Per category.
    pub categories: Vec<CategoryResult>,
    /// The nine questions.
    pub questions: Vec<QuestionResult>,
}

/// Credit of an outcome, or `None` when it does not count.
fn credit(o: Outcome) -> Option<f64> {
    match o {
        Outcome::Pass => Some(1.0),
        Outcome::Warn => Some(0.5),
        Outcome::Fail => Some(0.0),
        Outcome::Info | Outcome::Skip | Outcome::Error => None,
    }
}

/// Weighted mean of credits over checks, 0–100, and whether a weighted
/// check errored.
fn weighted(checks: &[&CheckResult]) -> (Option<f64>, bool, u32) {
    let mut sum = 0.0;
    let mut total = 0u32;
    let mut incomplete = false;
    for c in checks {
        if c.weight == 0 {
            continue;
        }
        if c.outcome == Outcome::Error {
            incomplete = true;
            continue;
        }
        if let Some(cr) = credit(c.outcome) {
            sum += cr * f64::from(c.weight);
            total += c.weight;
        }
    }
    let score = (total > 0).then(|| 100.0 * sum / f64::from(total));
    (score, incomplete, total)
}

/// Grade of a score: A ≥ 90, B ≥ 80, C ≥ 70, D ≥ 60, else F.
pub fn grade(score: u32) -> &'static str {
    match score {
        90.. => "A",
        80..=89 => "B",
        70..=79 => "C",
        60..=69 => "D",
        _ => "F",
    }
}

/// Every question `unknown`: the answers of an unreachable target.
pub fn unknown_answers(questions: &mut [QuestionResult]) {
    for q in questions {
        q.answer = "unknown".into();
    }
}

fn met(checks: &[CheckResult], id: &str) -> bool {
    checks.iter().any(|c| c.id == id && c.outcome.is_met())
}

fn passed(checks: &[CheckResult], id: &str) -> bool {
    checks
        .iter()
        .any(|c| c.id == id && c.outcome == Outcome::Pass)
}

/// True when a check ran and judged what it examines: an outcome other
/// than `skip` (not applicable, not selected, not verified) or `error`.
fn judged(checks: &[CheckResult], id: &str) -> bool {
    checks.iter().any(|c| {
        c.id == id
            && matches!(
                c.outcome,
                Outcome::Pass | Outcome::Warn | Outcome::Fail | Outcome::Info
            )
    })
}

/// The checks whose outcome decides level 0 or 1.
const LEVEL_ONE: [&str; 2] = ["as-metadata-discovery", "protected-resource-metadata"];

/// Level (docs/scoring.md): 1 discoverable (AS metadata or PRM found), 2
/// browserless (+ PKCE S256, a browserless path, revocation), 3 agent-native
/// (+ agent registration, classified least-privilege scopes, progressive
/// scoping). A check that is not built yet cannot be met. A level rests on
/// what was observed: 0 ("nothing can be discovered") only when both
/// discovery checks ran and found nothing, and `None` when they did not
/// both run (`--only`, `--skip`, not verified) and neither found anything.
pub fn level(checks: &[CheckResult]) -> Option<u8> {
    let l1 = LEVEL_ONE.iter().any(|id| met(checks, id));
    if !l1 {
        return LEVEL_ONE.iter().all(|id| judged(checks, id)).then_some(0);
    }
    let l2 = passed(checks, "pkce-s256")
        && met(checks, "browserless-path")
        && met(checks, "token-revocation");
    if !l2 {
        return Some(1);
    }
    let registration = met(checks, "auth-md")
        || met(checks, "agent-auth-metadata")
        || met(checks, "identity-assertion");
    let scopes = met(checks, "scope-classification")
        && met(checks, "least-privilege")
        && met(checks, "progressive-scoping");
    Some(if registration && scopes { 3 } else { 2 })
}

/// Answer one question from its checks: no evaluated check → `unknown`
/// when they are not built yet, errored or could not verify what they
/// needed, else `no` (skipped for lack of what they examine); all pass →
/// `yes`; some met → `partial`; else `no`. A question a scan cannot verify
/// from outside (Q9) is at best `partial` (a check passed: the
/// precondition is observable) and else `unknown`; one whose `yes` needs a
/// particular check ([`Question::yes_requires`], Q8: the token lifetime)
/// is `partial` without that check's pass.
fn answer(q: Question, checks: &[&CheckResult], metas: &[&CheckMeta]) -> &'static str {
    if !q.verifiable_from_outside() {
        return if checks.iter().any(|c| c.outcome == Outcome::Pass) {
            "partial"
        } else {
            "unknown"
        };
    }
    let evaluated: Vec<Outcome> = checks
        .iter()
        .map(|c| c.outcome)
        .filter(|o| matches!(o, Outcome::Pass | Outcome::Warn | Outcome::Fail))
        .collect();
    if evaluated.is_empty() {
        let all_planned = !metas.is_empty()
            && metas
                .iter()
                .all(|m| m.implementation == Implementation::Planned);
        let errored = checks.iter().any(|c| c.outcome == Outcome::Error);
        let not_verified = checks.iter().any(|c| !c.not_verified.is_empty());
        return if checks.is_empty() || all_planned || errored || not_verified {
            "unknown"
        } else {
            "no"
        };
    }
    if evaluated.iter().all(|o| *o == Outcome::Pass) {
        match q.yes_requires() {
            Some(id)
                if !checks
                    .iter()
                    .any(|c| c.id == id && c.outcome == Outcome::Pass) =>
            {
                "partial"
            }
            _ => "yes",
        }
    } else if evaluated.iter().any(|o| o.is_met()) {
        "partial"
    } else {
        "no"
    }
}

/// Score a set of check results (catalogue metadata alongside).
pub fn score(checks: &[CheckResult], metas: &[&CheckMeta]) -> Scored {
    let categories: Vec<CategoryResult> = Category::ALL
        .iter()
        .filter_map(|cat| {
            let in_cat: Vec<&CheckResult> =
                checks.iter().filter(|c| c.category == cat.id()).collect();
            if in_cat.is_empty() {
                return None;
            }
            let (s, incomplete, weight) = weighted(&in_cat);
            Some(CategoryResult {
                id: cat.id().into(),
                title: cat.title().into(),
                score: if incomplete {
                    None
                } else {
                    s.map(|s| s.round() as u32)
                },
                incomplete,
                weight,
            })
        })
        .collect();
    let all: Vec<&CheckResult> = checks.iter().collect();
    let (overall, incomplete, _) = weighted(&all);
    // An incomplete scan establishes no level and answers no question.
    let level = if incomplete { None } else { level(checks) };
    let mut caps = Vec::new();
    if level == Some(0) {
        caps.push(ScoreCap {
            max: CAP_INVISIBLE,
            reason:
                "no authorization server or protected-resource metadata can be discovered (level 0)"
                    .into(),
        });
    }
    let critical_failed: Vec<&str> = checks
        .iter()
        .filter(|c| c.severity == "critical" && c.outcome == Outcome::Fail)
        .map(|c| c.id.as_str())
        .collect();
    if !critical_failed.is_empty() {
        caps.push(ScoreCap {
            max: CAP_CRITICAL_FAIL,
            reason: format!(
                "critical {} failed: {}",
                crate::model::texts::plural(critical_failed.len(), "check", "checks"),
                critical_failed.join(", ")
            ),
        });
    }
    let score = if incomplete {
        None
    } else {
        overall.map(|s| {
            let s = s.round() as u32;
            caps.iter().fold(s, |acc, c| acc.min(c.max))
        })
    };
    let questions = Question::ALL
        .iter()
        .map(|q| {
            let qc: Vec<&CheckResult> = checks
                .iter()
                .filter(|c| c.question.as_deref() == Some(q.id()))
                .collect();
            let qm: Vec<&CheckMeta> = metas
                .iter()
                .copied()
                .filter(|m| m.question == Some(*q))
                .collect();
            QuestionResult {
                id: q.id().into(),
                text: q.text().into(),
                answer: if incomplete {
                    "unknown"
                } else {
                    answer(*q, &qc, &qm)
                }
                .into(),
                checks: qc.iter().map(|c| c.id.clone()).collect(),
            }
        })
        .collect();
    Scored {
        grade: score.map(|s| grade(s).to_string()),
        score,
        level,
        caps,
        categories,
        questions,
    }
}

/// The top fixes of a set of results: for every failing or warning check,
/// the score and level recomputed as if it passed. A check whose pass
/// would change neither is listed only when it fails the gate. Ordered by
/// gate level (`error` first, when `gate` is given), severity, whether it
/// unlocks a level, points; at most [`TOP_FIXES`].
pub fn top_fixes(
    checks: &[CheckResult],
    metas: &[&CheckMeta],
    gate: Option<&GateResult>,
) -> Vec<TopFix> {
    let now = score(checks, metas);
    let Some(base) = now.score else {
        return Vec::new();
    };
    let mut fixes: Vec<TopFix> = Vec::new();
    let mut trial = checks.to_vec();
    for (i, c) in checks.iter().enumerate() {
        if !matches!(c.outcome, Outcome::Fail | Outcome::Warn) {
            continue;
        }
        trial[i].outcome = Outcome::Pass;
        let then = score(&trial, metas);
        trial[i].outcome = c.outcome;
        let points = then.score.unwrap_or(base).saturating_sub(base);
        let unlocks_level = match (now.level, then.level) {
            (Some(a), Some(b)) if b > a => Some(b),
            _ => None,
        };
        let gate_level = gate.map(|g| g.level(&c.id));
        if points == 0 && unlocks_level.is_none() && gate_level != Some(Level::Error) {
            continue;
        }
        fixes.push(TopFix {
            check: c.id.clone(),
            outcome: c.outcome,
            severity: c.severity.clone(),
            gate_level,
            points,
            unlocks_level,
            action: c
                .remediation_for_site
                .clone()
                .unwrap_or_else(|| first_sentence(&c.remediation)),
        });
    }
    fixes.sort_by_key(|f| {
        (
            std::cmp::Reverse(f.gate_level.unwrap_or(Level::Off)),
            severity_rank(&f.severity),
            f.unlocks_level.is_none(),
            std::cmp::Reverse(f.points),
        )
    });
    fixes.truncate(TOP_FIXES);
    fixes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(
        id: &str,
        category: &str,
        severity: &str,
        weight: u32,
        outcome: Outcome,
    ) -> CheckResult {
        CheckResult {
            id: id.into(),
            title: id.to_string().into(),
            category: category.into(),
            question: None,
            severity: severity.into(),
            weight,
            outcome,
            summary: String::new(),
            findings: vec![],
            evidence: vec![],
            remediation: String::new().into(),
            references: Vec::new().into(),
            data: None,
            user: false,
            not_verified: Vec::new(),
            remediation_for_site: None,
        }
    }

    #[test]
    fn grades() {
        assert_eq!(grade(100), "A");
        assert_eq!(grade(90), "A");
        assert_eq!(grade(89), "B");
        assert_eq!(grade(70), "C");
        assert_eq!(grade(60), "D");
        assert_eq!(grade(59), "F");
        assert_eq!(grade(0), "F");
    }

    #[test]
    fn warn_is_half_credit_and_skip_is_excluded() {
        let checks = vec![
            result(
                "as-metadata-discovery",
                "discovery",
                "critical",
                10,
                Outcome::Pass,
            ),
            result("b", "metadata", "high", 10, Outcome::Warn),
            result("c", "metadata", "high", 10, Outcome::Skip),
            result("d", "metadata", "high", 0, Outcome::Info),
        ];
        let s = score(&checks, &[]);
        assert_eq!(s.score, Some(75));
        assert_eq!(s.grade.as_deref(), Some("C"));
        let meta = s.categories.iter().find(|c| c.id == "metadata").unwrap();
        assert_eq!(meta.score, Some(50));
        assert_eq!(meta.weight, 10);
        assert_eq!(s.level, Some(1));
        assert!(s.caps.is_empty());
    }

    #[test]
    fn error_makes_score_null() {
        let checks = vec![
            result(
                "as-metadata-discovery",
                "discovery",
                "critical",
                10,
                Outcome::Pass,
            ),
            result("b", "metadata", "high", 7, Outcome::Error),
        ];
        let s = score(&checks, &[]);
        assert_eq!(s.score, None);
        assert_eq!(s.grade, None);
        assert!(
            s.categories
                .iter()
                .any(|c| c.id == "metadata" && c.incomplete && c.score.is_none())
        );
        // An incomplete scan establishes no level and answers no question.
        assert_eq!(s.level, None);
        assert!(s.caps.is_empty());
        assert!(s.questions.iter().all(|q| q.answer == "unknown"));
        // An error in a weight-0 check does not make anything incomplete.
        let checks = vec![
            result(
                "as-metadata-discovery",
                "discovery",
                "critical",
                10,
                Outcome::Pass,
            ),
            result("b", "metadata", "high", 0, Outcome::Error),
        ];
        assert_eq!(score(&checks, &[]).score, Some(100));
    }

    #[test]
    fn caps_apply() {
        // Level 0: nothing discoverable, even if everything else passes.
        let checks = vec![
            result(
                "as-metadata-discovery",
                "discovery",
                "high",
                1,
                Outcome::Fail,
            ),
            result(
                "protected-resource-metadata",
                "discovery",
                "high",
                1,
                Outcome::Fail,
            ),
            result("x", "abuse", "high", 50, Outcome::Pass),
        ];
        let s = score(&checks, &[]);
        assert_eq!(s.level, Some(0));
        assert_eq!(s.score, Some(CAP_INVISIBLE));
        // A critical failure caps at 59.
        let checks = vec![
            result(
                "as-metadata-discovery",
                "discovery",
                "critical",
                1,
                Outcome::Pass,
            ),
            result("y", "headless", "critical", 1, Outcome::Fail),
            result("x", "abuse", "high", 50, Outcome::Pass),
        ];
        let s = score(&checks, &[]);
        assert_eq!(s.score, Some(CAP_CRITICAL_FAIL));
        assert_eq!(s.grade.as_deref(), Some("F"));
    }

    #[test]
    fn levels() {
        let mut checks = vec![
            result(
                "as-metadata-discovery",
                "discovery",
                "critical",
                10,
                Outcome::Pass,
            ),
            result("pkce-s256", "pkce", "high", 7, Outcome::Pass),
            result(
                "browserless-path",
                "headless",
                "critical",
                10,
                Outcome::Pass,
            ),
            result("token-revocation", "lifecycle", "high", 7, Outcome::Warn),
        ];
        assert_eq!(level(&checks), Some(2));
        checks[1].outcome = Outcome::Warn;
        assert_eq!(level(&checks), Some(1));
        checks[1].outcome = Outcome::Pass;
        for id in [
            "auth-md",
            "scope-classification",
            "least-privilege",
            "progressive-scoping",
        ] {
            checks.push(result(id, "scopes", "medium", 4, Outcome::Pass));
        }
        assert_eq!(level(&checks), Some(3));
        checks[0].outcome = Outcome::Fail;
        // Level 0 is a finding of both discovery checks; one did not run.
        assert_eq!(level(&checks), None);
        checks.push(result(
            "protected-resource-metadata",
            "discovery",
            "high",
            7,
            Outcome::Fail,
        ));
        assert_eq!(level(&checks), Some(0));
        // Not verified (skip) is not "nothing found".
        checks.last_mut().unwrap().outcome = Outcome::Skip;
        assert_eq!(level(&checks), None);
    }

    /// `--only pkce`: the checks that did not run cap nothing and answer
    /// nothing (the scan used to score 20, "level 0").
    #[test]
    fn checks_that_did_not_run_cap_nothing() {
        let checks = vec![
            result("pkce-s256", "pkce", "high", 7, Outcome::Pass),
            result("pkce-downgrade", "pkce", "medium", 4, Outcome::Pass),
        ];
        let mut checks = checks;
        checks[0].question = Some("Q3".into());
        checks[1].question = Some("Q3".into());
        let s = score(&checks, &[]);
        assert_eq!(s.score, Some(100));
        assert_eq!(s.level, None);
        assert!(s.caps.is_empty(), "{:?}", s.caps);
        let answer_of = |id: &str| {
            s.questions
                .iter()
                .find(|q| q.id == id)
                .map(|q| q.answer.clone())
                .unwrap()
        };
        assert_eq!(answer_of("Q3"), "yes");
        assert_eq!(answer_of("Q1"), "unknown");
    }

    /// Q8 asks whether tokens are time-limited and revocable: revocation
    /// alone is `partial`; `yes` needs the lifetime verified.
    #[test]
    fn q8_needs_the_token_lifetime_for_yes() {
        let q = Question::Q8;
        let rev = result("token-revocation", "lifecycle", "high", 7, Outcome::Pass);
        let intro = result(
            "token-introspection",
            "lifecycle",
            "medium",
            4,
            Outcome::Pass,
        );
        let mut life = result("token-lifetime", "lifecycle", "medium", 4, Outcome::Skip);
        assert_eq!(answer(q, &[&rev, &intro, &life], &[]), "partial");
        life.outcome = Outcome::Pass;
        assert_eq!(answer(q, &[&rev, &intro, &life], &[]), "yes");
        life.outcome = Outcome::Warn;
        assert_eq!(answer(q, &[&rev, &intro, &life], &[]), "partial");
    }

    /// A question whose checks could not verify what they needed is
    /// unknown, not "no".
    #[test]
    fn not_verified_answers_unknown() {
        let mut s = result("token-revocation", "lifecycle", "high", 7, Outcome::Skip);
        assert_eq!(answer(Question::Q8, &[&s], &[]), "no");
        s.not_verified.push(crate::report::NotVerified {
            probe: None,
            reason: "POST … was not sent".into(),
            remedy: "scan without --passive".into(),
        });
        assert_eq!(answer(Question::Q8, &[&s], &[]), "unknown");
    }

    #[test]
    fn answers() {
        let p = result("a", "pkce", "high", 7, Outcome::Pass);
        let w = result("b", "pkce", "high", 7, Outcome::Warn);
        let f = result("c", "pkce", "high", 7, Outcome::Fail);
        let s = result("d", "pkce", "high", 7, Outcome::Skip);
        let q = Question::Q3;
        assert_eq!(answer(q, &[&p], &[]), "yes");
        assert_eq!(answer(q, &[&p, &w], &[]), "partial");
        assert_eq!(answer(q, &[&f, &s], &[]), "no");
        assert_eq!(answer(q, &[&s], &[]), "no");
        assert_eq!(answer(q, &[], &[]), "unknown");
    }

    /// Q9 (per-credential audit logging) cannot be seen from outside: a
    /// passing check makes it `partial`, never `yes`; anything else leaves
    /// it `unknown`, never `no`.
    #[test]
    fn q9_is_never_yes_or_no() {
        let q = Question::Q9;
        let p = result("request-attribution", "audit", "low", 2, Outcome::Pass);
        let w = result("request-attribution", "audit", "low", 2, Outcome::Warn);
        let f = result("request-attribution", "audit", "low", 2, Outcome::Fail);
        let s = result("request-attribution", "audit", "low", 2, Outcome::Skip);
        assert_eq!(answer(q, &[&p], &[]), "partial");
        assert_eq!(answer(q, &[&w], &[]), "unknown");
        assert_eq!(answer(q, &[&f], &[]), "unknown");
        assert_eq!(answer(q, &[&s], &[]), "unknown");
        assert_eq!(answer(q, &[], &[]), "unknown");
        assert!(
            Question::ALL[..8]
                .iter()
                .all(|q| q.verifiable_from_outside())
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn outcome() -> impl Strategy<Value = Outcome> {
            prop_oneof![
                Just(Outcome::Pass),
                Just(Outcome::Warn),
                Just(Outcome::Fail),
                Just(Outcome::Skip),
                Just(Outcome::Info),
            ]
        }

        fn checks() -> impl Strategy<Value = Vec<CheckResult>> {
            proptest::collection::vec(
                (
                    outcome(),
                    prop_oneof![Just(2u32), Just(4), Just(7), Just(10)],
                ),
                1..12,
            )
            .prop_map(|v| {
                let mut out: Vec<CheckResult> = v
                    .into_iter()
                    .enumerate()
                    .map(|(i, (o, w))| result(&format!("c{i}"), "abuse", "high", w, o))
                    .collect();
                // Keep level 1 so the level-0 cap does not mask the score.
                out.push(result(
                    "as-metadata-discovery",
                    "discovery",
                    "high",
                    7,
                    Outcome::Pass,
                ));
                out
            })
        }

        proptest! {
            /// Turning any check into a pass never lowers the score.
            #[test]
            fn a_pass_never_lowers_the_score(cs in checks(), i in any::<prop::sample::Index>()) {
                let before = score(&cs, &[]).score.unwrap_or(0);
                let mut after = cs.clone();
                let k = i.index(after.len());
                after[k].outcome = Outcome::Pass;
                prop_assert!(score(&after, &[]).score.unwrap_or(0) >= before);
            }

            /// Adding a skipped (or informative) check never changes the score.
            #[test]
            fn skip_and_info_never_change_it(cs in checks(), w in 1u32..20, info in any::<bool>()) {
                let before = score(&cs, &[]);
                let mut after = cs.clone();
                after.push(result("extra", "abuse", "high", w, if info { Outcome::Info } else { Outcome::Skip }));
                let now = score(&after, &[]);
                prop_assert_eq!(now.score, before.score);
                prop_assert_eq!(now.grade, before.grade);
            }

            /// Scores stay in 0..=100 and agree with the grade.
            #[test]
            fn scores_are_bounded_and_graded(cs in checks()) {
                let s = score(&cs, &[]);
                if let Some(v) = s.score {
                    prop_assert!(v <= 100);
                    prop_assert_eq!(s.grade.as_deref(), Some(grade(v)));
                }
            }
        }
    }
}
