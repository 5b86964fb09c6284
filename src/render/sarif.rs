//! SARIF 2.1.0 (OASIS), for GitHub code scanning and other SARIF viewers.
//!
//! One rule per check in the report (title, remediation as help text with
//! its references, the first reference as `helpUri`, category, severity and
//! a `security-severity` for GitHub); one result per fail or warn finding of
//! a check that fails or warns, and an `open` result for a check that could
//! not be evaluated. Results carry a stable `partialFingerprints` value (a
//! hash of target, check, code and message — all deterministic for the same
//! evidence), the gate level as their `level`, and, with a baseline, a
//! `baselineState` (and an external suppression for accepted failures).
//! Every result has a location: the URL of the exchange that shows it, or
//! the target URL.

use super::error::RenderError;
use crate::model::outcome::{FindingLevel, Outcome};
use crate::report::gate::Level;
use crate::report::{CheckResult, Report};
use serde_json::{Value, json};

/// The `$schema` written into every log.
pub const SARIF_SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// Version key of our fingerprints (bump if the recipe ever changes).
pub const FINGERPRINT_KEY: &str = "agentreadyFinding/v1";

/// FNV-1a, 64 bit: a stable, dependency-free hash for fingerprints (not a
/// security property; it only has to be the same on every run).
fn fnv1a(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0u8)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

fn pascal(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

fn security_severity(sev: &str) -> &'static str {
    match sev {
        "critical" => "9.0",
        "high" => "7.0",
        "medium" => "5.0",
        _ => "3.0",
    }
}

fn sarif_level(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warn => "warning",
        Level::Off => "note",
    }
}

fn flatten(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn rule(c: &CheckResult, report: &Report) -> Value {
    let mut help_text = flatten(&c.remediation);
    let mut help_md = flatten(&c.remediation);
    if !c.references.is_empty() {
        help_text.push_str("\n\nReferences:");
        help_md.push_str("\n\n**References**\n");
        for r in &c.references {
            help_text.push_str(&format!("\n- {}: {}", r.title, r.url));
            help_md.push_str(&format!("\n- [{}]({})", r.title, r.url));
        }
    }
    let level = report
        .gate
        .as_ref()
        .map_or(Level::Error, |g| g.level(&c.id));
    let mut rule = json!({
        "id": c.id,
        "name": pascal(&c.id),
        "shortDescription": { "text": c.title },
        "fullDescription": {
            "text": format!("{} ({} check, {} severity, weight {}).", c.title, c.category, c.severity, c.weight)
        },
        "help": { "text": help_text, "markdown": help_md },
        "defaultConfiguration": { "level": sarif_level(level) },
        "properties": {
            "category": c.category,
            "severity": c.severity,
            "security-severity": security_severity(&c.severity),
            "tags": ["agentready", "security", c.category],
        }
    });
    if let Some(r) = c.references.first() {
        rule["helpUri"] = json!(r.url);
    }
    if let Some(q) = &c.question {
        rule["properties"]["question"] = json!(q);
    }
    rule
}

/// The URL of the exchange a probe's evidence comes from.
fn probe_url<'a>(report: &'a Report, probe: Option<&str>) -> &'a str {
    probe
        .and_then(|p| {
            report
                .exchanges
                .iter()
                .find(|x| x.probe == p || x.aliases.iter().any(|a| a == p))
        })
        .map_or(report.target.url.as_str(), |x| x.url.as_str())
}

fn location(url: &str) -> Value {
    json!([{ "physicalLocation": { "artifactLocation": { "uri": url } } }])
}

fn result_level(report: &Report, c: &CheckResult, f: FindingLevel) -> &'static str {
    let gate = report
        .gate
        .as_ref()
        .map_or(Level::Error, |g| g.level(&c.id));
    match (f, gate) {
        (_, Level::Off) => "note",
        (FindingLevel::Fail, Level::Error) => "error",
        _ => "warning",
    }
}

fn results(report: &Report) -> Vec<Value> {
    let mut out = Vec::new();
    for (index, c) in report.checks.iter().enumerate() {
        match c.outcome {
            Outcome::Fail | Outcome::Warn => {
                for f in c.findings.iter().filter(|f| f.level != FindingLevel::Info) {
                    let mut r = json!({
                        "ruleId": c.id,
                        "ruleIndex": index,
                        "kind": "fail",
                        "level": result_level(report, c, f.level),
                        "message": { "text": format!("{}: {}", c.summary, f.message) },
                        "locations": location(probe_url(report, f.probe.as_deref())),
                        "partialFingerprints": {
                            FINGERPRINT_KEY: fnv1a(&[&report.target.url, &c.id, &f.code, &f.message])
                        },
                        "properties": { "code": f.code, "outcome": c.outcome.as_str() }
                    });
                    baseline_state(report, c, Some(&f.code), &mut r);
                    out.push(r);
                }
            }
            Outcome::Error => {
                let mut r = json!({
                    "ruleId": c.id,
                    "ruleIndex": index,
                    "kind": "open",
                    "level": "none",
                    "message": { "text": format!("{} could not be evaluated: {}", c.id, c.summary) },
                    "locations": location(probe_url(report, c.evidence.first().map(String::as_str))),
                    "partialFingerprints": {
                        FINGERPRINT_KEY: fnv1a(&[&report.target.url, &c.id, "error"])
                    },
                    "properties": { "outcome": "error" }
                });
                baseline_state(report, c, None, &mut r);
                out.push(r);
            }
            Outcome::Pass | Outcome::Info | Outcome::Skip => {}
        }
    }
    out
}

fn baseline_state(report: &Report, c: &CheckResult, code: Option<&str>, r: &mut Value) {
    let Some(g) = &report.gate else { return };
    let Some(b) = &g.baseline else { return };
    let accepted = g.is_accepted(&c.id, code);
    r["baselineState"] = json!(if accepted { "unchanged" } else { "new" });
    if accepted && b.kind == "accepted-failures" {
        r["suppressions"] = json!([{
            "kind": "external",
            "status": "accepted",
            "justification": format!("accepted in the baseline {}", b.source)
        }]);
    }
}

/// The report's top fixes as a run property: one object each, with the
/// headline ("fix `x`: +12 points, …") and the action.
fn top_fixes(report: &Report) -> Value {
    report
        .top_fixes
        .iter()
        .map(|f| {
            json!({
                "check": f.check,
                "points": f.points,
                "unlocksLevel": f.unlocks_level,
                "text": f.headline(),
                "action": f.action,
            })
        })
        .collect()
}

/// Render a report as a SARIF 2.1.0 log (pretty JSON).
pub fn sarif(report: &Report) -> Result<String, RenderError> {
    let rules: Vec<Value> = report.checks.iter().map(|c| rule(c, report)).collect();
    let mut notifications: Vec<Value> = report
        .checks
        .iter()
        .filter(|c| c.outcome == Outcome::Error)
        .map(|c| {
            json!({
                "level": "error",
                "message": { "text": format!("{} could not be evaluated: {}", c.id, c.summary) },
                "descriptor": { "id": c.id }
            })
        })
        .collect();
    if let Some(e) = &report.error {
        notifications.push(json!({ "level": "error", "message": { "text": e } }));
    }
    let mut invocation = json!({
        "executionSuccessful": !report.incomplete(),
        "startTimeUtc": report.started_at,
    });
    if !notifications.is_empty() {
        invocation["toolExecutionNotifications"] = json!(notifications);
    }
    let mut props = json!({
        "target": report.target.url,
        "mode": report.mode,
        "score": report.score,
        "grade": report.grade,
        "level": report.level,
        "levelName": report.level_name,
        "algorithmVersion": report.algorithm_version,
    });
    if let Some(g) = &report.gate {
        props["gate"] = json!(g.verdict.as_str());
    }
    if !report.top_fixes.is_empty() {
        props["topFixes"] = top_fixes(report);
    }
    let log = json!({
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": report.tool.name,
                "version": report.tool.version,
                "semanticVersion": report.tool.version,
                "informationUri": "https://github.com/agentready/agentready",
                "rules": rules,
            }},
            "automationDetails": { "id": format!("agentready/{}/", report.target.url) },
            "invocations": [invocation],
            "results": results(report),
            "properties": props,
        }]
    });
    serde_json::to_string_pretty(&log)
        .map(|mut s| {
            s.push('\n');
            s
        })
        .map_err(RenderError::Json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable_and_distinct() {
        // Pinned: a change here would re-open every alert users dismissed.
        assert_eq!(fnv1a(&[]), "cbf29ce484222325");
        assert_eq!(fnv1a(&["a"]), fnv1a(&["a"]));
        assert_ne!(fnv1a(&["ab", "c"]), fnv1a(&["a", "bc"]));
        assert_eq!(pascal("pkce-s256"), "PkceS256");
    }
}
