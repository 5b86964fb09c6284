//! JUnit XML, for CI systems that show test reports (GitLab, Jenkins,
//! Azure, GitHub test-report actions).
//!
//! One `<testsuite>` holds one `<testcase>` per check: `fail` → `<failure>`
//! (type = the first finding code, body = findings, remediation and
//! references), `warn` → passes with the warnings in `<system-out>` (a
//! `<failure>` when the gate denies warnings for that check), `skip` →
//! `<skipped>` with the reason, `error` → `<error>`. When the report was
//! gated, a second suite holds one `gate` testcase that fails with the
//! gate's reasons. Written with quick-xml (escaping), after removing the
//! characters XML 1.0 cannot carry at all.

use super::error::RenderError;
use crate::model::outcome::{FindingLevel, Outcome};
use crate::report::gate::{Level, Verdict};
use crate::report::{CheckResult, Report};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use std::io::Cursor;

/// Characters XML 1.0 forbids even escaped become U+FFFD.
fn xml_safe(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

fn flatten(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The `<failure>` body of a check: findings, remediation, references.
fn details(c: &CheckResult) -> String {
    let mut out = String::new();
    for f in c.findings.iter().filter(|f| f.level != FindingLevel::Info) {
        let level = if f.level == FindingLevel::Fail {
            "fail"
        } else {
            "warn"
        };
        out.push_str(&format!("[{}] {level}: {}\n", f.code, f.message));
    }
    if !c.remediation.is_empty() {
        out.push_str(&format!("\nFix: {}\n", flatten(&c.remediation)));
    }
    for r in &c.references {
        out.push_str(&format!("Reference: {} <{}>\n", r.title, r.url));
    }
    out
}

fn counts_as_failure(report: &Report, c: &CheckResult) -> bool {
    match c.outcome {
        Outcome::Fail => true,
        Outcome::Warn => report
            .gate
            .as_ref()
            .is_some_and(|g| g.deny_warnings && g.level(&c.id) == Level::Error),
        _ => false,
    }
}

type W = Writer<Cursor<Vec<u8>>>;
type R = std::io::Result<()>;

fn text_element(w: &mut W, name: &str, attrs: &[(&str, &str)], body: &str) -> R {
    let safe: Vec<(String, String)> = attrs
        .iter()
        .map(|(k, v)| ((*k).to_string(), xml_safe(v)))
        .collect();
    let el = w
        .create_element(name)
        .with_attributes(safe.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    if body.is_empty() {
        el.write_empty()?;
    } else {
        el.write_text_content(BytesText::new(&xml_safe(body)))?;
    }
    Ok(())
}

fn testcase(w: &mut W, report: &Report, c: &CheckResult) -> R {
    let classname = format!("agentready.{}", c.category);
    let attrs = [
        ("name", c.id.as_str()),
        ("classname", classname.as_str()),
        ("time", "0"),
    ];
    let safe: Vec<(&str, String)> = attrs.iter().map(|(k, v)| (*k, xml_safe(v))).collect();
    w.create_element("testcase")
        .with_attributes(safe.iter().map(|(k, v)| (*k, v.as_str())))
        .write_inner_content(|w| -> R {
            let first_code = c
                .findings
                .iter()
                .find(|f| f.level != FindingLevel::Info)
                .map_or(c.outcome.as_str(), |f| f.code.as_str());
            if counts_as_failure(report, c) {
                text_element(
                    w,
                    "failure",
                    &[("message", &c.summary), ("type", first_code)],
                    &details(c),
                )?;
            } else {
                match c.outcome {
                    Outcome::Skip => text_element(w, "skipped", &[("message", &c.summary)], "")?,
                    Outcome::Error => {
                        text_element(
                            w,
                            "error",
                            &[("message", &c.summary), ("type", "error")],
                            "",
                        )?;
                    }
                    Outcome::Warn => text_element(w, "system-out", &[], &details(c))?,
                    Outcome::Info | Outcome::Pass | Outcome::Fail => {
                        text_element(w, "system-out", &[], &c.summary)?;
                    }
                }
            }
            Ok(())
        })?;
    Ok(())
}

fn write(report: &Report) -> std::io::Result<Vec<u8>> {
    let mut w = Writer::new_with_indent(Cursor::new(Vec::new()), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let failures = report
        .checks
        .iter()
        .filter(|c| counts_as_failure(report, c))
        .count();
    let errors = report
        .checks
        .iter()
        .filter(|c| c.outcome == Outcome::Error)
        .count();
    let skipped = report
        .checks
        .iter()
        .filter(|c| c.outcome == Outcome::Skip)
        .count();
    let gate_failed = report
        .gate
        .as_ref()
        .map(|g| usize::from(g.verdict != Verdict::Pass));
    let tests = report.checks.len() + usize::from(gate_failed.is_some());
    let time = format!("{:.3}", report.duration_ms as f64 / 1000.0);
    let all_failures = failures + gate_failed.unwrap_or(0);
    let suites = [
        ("name", "agentready".to_string()),
        ("tests", tests.to_string()),
        ("failures", all_failures.to_string()),
        ("errors", errors.to_string()),
        ("skipped", skipped.to_string()),
        ("time", time.clone()),
    ];
    let suite_name = xml_safe(&format!("agentready checks: {}", report.target.url));
    let suite = [
        ("name", suite_name),
        ("tests", report.checks.len().to_string()),
        ("failures", failures.to_string()),
        ("errors", errors.to_string()),
        ("skipped", skipped.to_string()),
        ("time", time),
        ("timestamp", xml_safe(&report.started_at)),
    ];
    w.create_element("testsuites")
        .with_attributes(suites.iter().map(|(k, v)| (*k, v.as_str())))
        .write_inner_content(|w| -> R {
            w.create_element("testsuite")
                .with_attributes(suite.iter().map(|(k, v)| (*k, v.as_str())))
                .write_inner_content(|w| -> R {
                    properties(w, report)?;
                    for c in &report.checks {
                        testcase(w, report, c)?;
                    }
                    Ok(())
                })?;
            if let Some(g) = &report.gate {
                let failed = g.verdict != Verdict::Pass;
                let attrs = [
                    ("name", "agentready gate"),
                    ("tests", "1"),
                    ("failures", if failed { "1" } else { "0" }),
                    ("errors", "0"),
                    ("skipped", "0"),
                ];
                w.create_element("testsuite")
                    .with_attributes(attrs)
                    .write_inner_content(|w| -> R {
                        w.create_element("testcase")
                            .with_attributes([
                                ("name", "gate"),
                                ("classname", "agentready.gate"),
                                ("time", "0"),
                            ])
                            .write_inner_content(|w| -> R {
                                let headline = super::gate_headline(g);
                                if failed {
                                    let body: String = g
                                        .failures
                                        .iter()
                                        .map(|f| format!("{}\n", f.message))
                                        .collect();
                                    text_element(
                                        w,
                                        "failure",
                                        &[("message", &headline), ("type", g.verdict.as_str())],
                                        &body,
                                    )?;
                                } else {
                                    text_element(w, "system-out", &[], &headline)?;
                                }
                                Ok(())
                            })?;
                        Ok(())
                    })?;
            }
            Ok(())
        })?;
    let mut bytes = w.into_inner().into_inner();
    bytes.push(b'\n');
    Ok(bytes)
}

/// The top fixes as properties `top_fix_1` … : "fix `x`: +12 points —
/// what to do".
fn top_fix_properties(report: &Report) -> Vec<(String, String)> {
    report
        .top_fixes
        .iter()
        .enumerate()
        .map(|(i, f)| {
            (
                format!("top_fix_{}", i + 1),
                format!("{} — {}", f.headline(), f.action),
            )
        })
        .collect()
}

fn properties(w: &mut W, report: &Report) -> R {
    let score = report
        .score
        .map_or_else(|| "null".into(), |s| s.to_string());
    let level = report.level_text();
    let mut props: Vec<(String, String)> = vec![
        ("target".into(), report.target.url.clone()),
        ("mode".into(), report.mode.clone()),
        ("score".into(), score),
        (
            "grade".into(),
            report.grade.clone().unwrap_or_else(|| "null".into()),
        ),
        ("level".into(), level),
        ("algorithm_version".into(), report.algorithm_version.clone()),
        ("tool_version".into(), report.tool.version.clone()),
    ];
    if let Some(g) = &report.gate {
        props.push(("gate".into(), g.verdict.as_str().into()));
    }
    props.extend(top_fix_properties(report));
    w.create_element("properties")
        .write_inner_content(|w| -> R {
            for (name, value) in &props {
                text_element(w, "property", &[("name", name), ("value", value)], "")?;
            }
            Ok(())
        })?;
    Ok(())
}

/// Render a report as JUnit XML.
pub fn junit(report: &Report) -> Result<String, RenderError> {
    let bytes = write(report).map_err(RenderError::Xml)?;
    String::from_utf8(bytes).map_err(RenderError::XmlUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters_are_replaced() {
        assert_eq!(xml_safe("a\u{0}b\u{1b}c\td\n"), "a\u{FFFD}b\u{FFFD}c\td\n");
    }
}
