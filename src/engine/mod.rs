//! The engine: select checks, plan probes, gather evidence, evaluate, score,
//! and assemble the report. `plan → gather → evaluate → score`.

pub mod catalogue;
pub mod declarative;
mod runner;

#[cfg(any(test, feature = "testing"))]
pub use runner::run_check;

use runner::{CheckTexts, run_prepared};

use crate::checks::registry;
use crate::evidence::Evidence;
use crate::gather::plan::{GatherOptions, Plan};
use crate::gather::run::Transport;
use crate::model::catalogue::{Category, CheckMeta, Implementation};
use crate::model::target::Target;
use crate::report::{CheckResult, ExchangeSummary, Report, ReportTarget, SCHEMA_VERSION, Tool};
use crate::scoring;
use std::time::Instant;

/// Errors selecting checks (exit code 2).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum SelectionError {
    /// `--only` / `--skip` named something that is neither a check nor a category.
    #[error("unknown check or category `{0}` (see `agentready checks`)")]
    Unknown(String),
    /// Nothing left to run.
    #[error("the selection leaves no check to run")]
    Empty,
}

/// The checks a scan runs.
#[derive(Debug, Clone)]
pub struct Engine {
    checks: Vec<CheckMeta>,
    /// Each check's catalogue text, shared by every report of the run.
    texts: Vec<CheckTexts>,
}

fn matches_selector(m: &CheckMeta, sel: &str) -> bool {
    m.id == sel || m.category.id() == sel
}

impl Engine {
    /// Built-in catalogue plus user checks, narrowed by `--only` (ids or
    /// categories) and `--skip` (ids or categories).
    pub fn new(
        user: Vec<CheckMeta>,
        only: &[String],
        skip: &[String],
    ) -> Result<Self, SelectionError> {
        let mut all: Vec<CheckMeta> = catalogue::builtin().to_vec();
        all.extend(user);
        for sel in only.iter().chain(skip) {
            if !all.iter().any(|m| matches_selector(m, sel)) && Category::from_id(sel).is_none() {
                return Err(SelectionError::Unknown(sel.clone()));
            }
        }
        let mut checks: Vec<CheckMeta> = all
            .into_iter()
            .filter(|m| only.is_empty() || only.iter().any(|s| matches_selector(m, s)))
            .filter(|m| !skip.iter().any(|s| matches_selector(m, s)))
            .collect();
        if checks.is_empty() {
            return Err(SelectionError::Empty);
        }
        // Report order: by category (the order of docs/scoring.md), then by id.
        checks.sort_by(|a, b| a.category.cmp(&b.category).then_with(|| a.id.cmp(&b.id)));
        let texts = checks.iter().map(CheckTexts::of).collect();
        Ok(Engine { checks, texts })
    }

    /// Replace the weights of the named checks (`[checks.<id>] weight` in
    /// `agentready.toml`). Scoring uses each check's effective weight, and
    /// the report shows it; ids that are not selected are ignored.
    pub fn override_weights(&mut self, weights: &std::collections::BTreeMap<String, u32>) {
        for m in &mut self.checks {
            if let Some(w) = weights.get(&m.id) {
                m.weight = Some(*w);
            }
        }
    }

    /// The selected checks.
    pub fn checks(&self) -> &[CheckMeta] {
        &self.checks
    }

    /// What the selected checks need gathered: the union of what each
    /// built-in check declares, and the GET of each declarative check.
    pub fn plan(&self) -> Plan {
        let mut plan = Plan::default();
        for m in &self.checks {
            match m.implementation {
                Implementation::Rust => {
                    if let Some(b) = registry::builtin(&m.id) {
                        plan.needs |= b.requires;
                    }
                }
                Implementation::Declarative => {
                    if let Some(rule) = &m.rule {
                        plan.user_checks.push((m.id.clone(), rule.path.clone()));
                    }
                }
                Implementation::Planned => {}
            }
        }
        plan
    }

    /// Gather evidence for a target and evaluate it.
    pub async fn scan(
        &self,
        transport: &impl Transport,
        target: &Target,
        opts: &GatherOptions,
    ) -> (Report, Evidence) {
        let started_at = now_rfc3339();
        let t0 = Instant::now();
        let mut evidence = crate::gather::gather(transport, target, &self.plan(), opts).await;
        let duration_ms = u64::try_from(t0.elapsed().as_millis()).unwrap_or(u64::MAX);
        let mut report = self.evaluate(&evidence, started_at, duration_ms);
        // The user's secrets leave the engine in no form: not in the text
        // a check decoded from a body (JSON escapes, Markdown entities),
        // not in an error message, not as a short value (which the checks
        // still read, so that a coincidence cannot change a verdict).
        if let Some(r) = transport.redactor().filter(|r| !r.is_empty()) {
            report.texts_mut(&mut |t| r.redact_text(t));
            r.redact_evidence(&mut evidence);
        }
        (report, evidence)
    }

    /// Evaluate stored evidence (a fresh scan or `--from-evidence`).
    pub fn evaluate(&self, ev: &Evidence, started_at: String, duration_ms: u64) -> Report {
        let checks: Vec<CheckResult> = self
            .checks
            .iter()
            .zip(&self.texts)
            .map(|(m, t)| run_prepared(m, t, ev))
            .collect();
        let metas: Vec<&CheckMeta> = self.checks.iter().collect();
        let scored = scoring::score(&checks, &metas);
        let exchanges: Vec<ExchangeSummary> = ev
            .exchanges()
            .iter()
            .enumerate()
            .map(|(i, x)| ExchangeSummary {
                probe: x.probe.clone(),
                aliases: ev
                    .probes()
                    .iter()
                    .filter(|(id, r)| r.exchange == i && **id != x.probe)
                    .map(|(id, _)| id.clone())
                    .collect(),
                method: x.request.method.clone(),
                url: x.request.url.clone(),
                status: x.response.as_ref().map(|r| r.status),
                redirects: x
                    .response
                    .as_ref()
                    .map(|r| r.redirects.iter().map(|h| h.to.clone()).collect())
                    .unwrap_or_default(),
                elapsed_ms: x.elapsed_ms,
                error: x
                    .error
                    .as_ref()
                    .map(|e| format!("{}: {}", e.kind, e.message)),
                sent: (x.request.method != "GET")
                    .then(|| x.request.body.clone())
                    .flatten(),
                received: (x.request.method != "GET")
                    .then(|| x.response.as_ref().map(|r| excerpt(&r.text(), 300)))
                    .flatten(),
            })
            .collect();
        let mut questions = scored.questions;
        let error = ev.unreachable().then(|| {
            let why = ev
                .exchanges()
                .iter()
                .find_map(|x| x.error.as_ref())
                .map_or_else(String::new, |e| e.message.clone());
            match ev.plain_http() {
                Some(url) => format!(
                    "the target is unreachable: {why}; {url} answers plain HTTP: to scan it over http, give the target as {url}"
                ),
                None => format!("the target is unreachable: {why}"),
            }
        });
        let top_fixes = if error.is_some() {
            Vec::new()
        } else {
            scoring::top_fixes(&checks, &metas, None)
        };
        Report {
            schema_version: SCHEMA_VERSION.into(),
            algorithm_version: scoring::ALGORITHM_VERSION.into(),
            tool: Tool::default(),
            target: ReportTarget {
                input: ev.target().input.clone(),
                url: ev.target().url.to_string(),
            },
            mode: ev.mode().as_str().into(),
            started_at,
            duration_ms,
            // An unreachable target was not observed: no score, grade or
            // level, and every question unknown.
            score: if error.is_some() { None } else { scored.score },
            grade: if error.is_some() { None } else { scored.grade },
            level: if error.is_some() { None } else { scored.level },
            level_name: if error.is_some() {
                None
            } else {
                scored
                    .level
                    .map(|l| crate::report::level_name(l).to_string())
            },
            score_caps: if error.is_some() {
                Vec::new()
            } else {
                scored.caps
            },
            categories: scored.categories,
            questions: {
                if error.is_some() {
                    scoring::unknown_answers(&mut questions);
                }
                questions
            },
            checks,
            requests_total: ev.exchanges().len(),
            exchanges,
            error,
            gate: None,
            top_fixes,
        }
    }

    /// The top fixes of a report, ranked with its gate levels when it
    /// has been gated (the report's checks must come from this engine).
    pub fn top_fixes(&self, report: &Report) -> Vec<crate::report::TopFix> {
        if report.error.is_some() {
            return Vec::new();
        }
        let metas: Vec<&CheckMeta> = self.checks.iter().collect();
        scoring::top_fixes(&report.checks, &metas, report.gate.as_ref())
    }
}

/// The first `max` characters of a text, whitespace folded.
fn excerpt(text: &str, max: usize) -> String {
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.chars().count() > max {
        format!("{}…", folded.chars().take(max).collect::<String>())
    } else {
        folded
    }
}

/// The current time, RFC 3339 (UTC).
pub fn now_rfc3339() -> String {
    // RFC 3339 to the second: `2026-12-07T23:07:33Z`.
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_are_rfc3339_to_the_second() {
        let t = super::now_rfc3339();
        let re = regex::Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$").unwrap();
        assert!(re.is_match(&t), "{t}");
    }
}
