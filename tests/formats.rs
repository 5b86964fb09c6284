//! Report formats: SARIF validates against the official SARIF 2.1.0 schema
//! (tests/schemas/), JUnit parses as XML with the right counts, Markdown
//! and HTML carry the headline, questions, failing checks and remediation,
//! and nothing a target sends can inject markup into any of them.

mod common;

use agentready::render::{self, Format};
use agentready::report::Report;
use agentready::testing::{as_metadata, metadata_report};
use assert_cmd::Command;
use common::{runtime, serve_site};
use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

fn scan(dir: &Path, args: &[&str]) -> (String, i32) {
    let out = Command::cargo_bin("agentready")
        .unwrap()
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .arg("scan")
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap(),
    )
}

fn sarif_errors(log: &Value) -> Vec<String> {
    let schema: Value =
        serde_json::from_str(include_str!("schemas/sarif-2.1.0.json")).expect("schema is JSON");
    let v = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    v.iter_errors(log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

fn assert_sarif_schema(log: &Value) {
    let errors = sarif_errors(log);
    assert!(
        errors.is_empty(),
        "SARIF log does not match the 2.1.0 schema:\n{}",
        errors.join("\n")
    );
}

/// A report whose metadata is hostile: markup, Markdown and control
/// characters in the issuer, which the issuer-identifier finding quotes.
fn hostile_report() -> Report {
    let mut doc = as_metadata(&["plain"]);
    doc["issuer"] = serde_json::json!(
        "https://evil.example/<script>alert(1)</script><img src=x onerror=alert(2)>\u{1}\u{7}]]>`|**[x](javascript:alert(3))"
    );
    let r = metadata_report(&doc);
    let msg = &r.check("issuer-identifier").unwrap().findings[0].message;
    assert!(
        msg.contains("<script>"),
        "the finding quotes the issuer: {msg}"
    );
    r
}

#[test]
fn sarif_validates_against_the_schema_with_stable_fingerprints() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rt = runtime();
    let mut logs = Vec::new();
    for name in ["agent-ready", "classic-oauth", "no-auth", "honeypot"] {
        let site = serve_site(&rt, name);
        let (json, _) = scan(d, &[&site.target, "--format", "json"]);
        let report: Value = serde_json::from_str(&json).unwrap();
        let (text, _) = scan(d, &[&site.target, "--format", "sarif"]);
        let log: Value = serde_json::from_str(&text).unwrap();
        assert_sarif_schema(&log);
        let (again, _) = scan(d, &[&site.target, "--format", "sarif"]);
        logs.push((
            name,
            report,
            log,
            serde_json::from_str::<Value>(&again).unwrap(),
        ));
    }
    for (name, report, log, again) in &logs {
        assert_eq!(log["version"], "2.1.0");
        let run = &log["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        let checks = report["checks"].as_array().unwrap();
        assert_eq!(rules.len(), checks.len(), "{name}: one rule per check");
        for (rule, check) in rules.iter().zip(checks) {
            assert_eq!(rule["id"], check["id"]);
            assert!(!rule["help"]["text"].as_str().unwrap().is_empty());
            assert!(rule["helpUri"].as_str().unwrap().starts_with("https://"));
        }
        let results = run["results"].as_array().unwrap();
        let problems: usize = checks
            .iter()
            .filter(|c| c["outcome"] == "fail" || c["outcome"] == "warn")
            .map(|c| {
                c["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|f| f["level"] != "info")
                    .count()
            })
            .sum();
        assert_eq!(
            results.len(),
            problems,
            "{name}: one result per fail/warn finding"
        );
        for r in results {
            let idx = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(
                rules[idx]["id"], r["ruleId"],
                "{name}: ruleIndex points at the rule"
            );
            assert!(
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .starts_with("http://127.0.0.1:"),
                "{name}: every result has a location"
            );
        }
        // Same site, same evidence: the same fingerprints.
        let fp = |l: &Value| -> Vec<Value> {
            l["runs"][0]["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["partialFingerprints"][render::FINGERPRINT_KEY].clone())
                .collect()
        };
        assert_eq!(fp(log), fp(again), "{name}: fingerprints are stable");
        let mut unique = fp(log);
        unique.sort_by_key(ToString::to_string);
        unique.dedup();
        assert_eq!(
            unique.len(),
            fp(log).len(),
            "{name}: fingerprints are distinct"
        );
    }
    // The validator is not vacuous: a wrong level or a missing version fails it.
    let mut bad = logs[1].2.clone();
    bad["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!sarif_errors(&bad).is_empty());
    let mut bad = logs[1].2.clone();
    bad.as_object_mut().unwrap().remove("version");
    assert!(!sarif_errors(&bad).is_empty());
    let classic = &logs[1].2["runs"][0]["results"];
    assert!(
        classic
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["ruleId"] == "pkce-s256" && r["level"] == "error"),
        "a failing check at gate level error is an error result"
    );
    assert!(
        classic
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["ruleId"] == "pkce-downgrade" && r["level"] == "warning"),
        "a failing check at gate level warn is a warning result"
    );
}

#[test]
fn sarif_with_a_baseline_and_when_incomplete_still_validates() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rt = runtime();
    let site = serve_site(&rt, "classic-oauth");
    std::fs::write(
        d.join("b.json"),
        r#"{"agentready_baseline":1,"accepted":[{"check":"pkce-s256","reason":"legacy"}]}"#,
    )
    .unwrap();
    let (text, code) = scan(
        d,
        &[&site.target, "--format", "sarif", "--baseline", "b.json"],
    );
    assert_eq!(code, 1);
    let log: Value = serde_json::from_str(&text).unwrap();
    assert_sarif_schema(&log);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let pkce = results.iter().find(|r| r["ruleId"] == "pkce-s256").unwrap();
    assert_eq!(pkce["baselineState"], "unchanged");
    assert_eq!(pkce["suppressions"][0]["kind"], "external");
    let issuer = results
        .iter()
        .find(|r| r["ruleId"] == "issuer-identifier")
        .unwrap();
    assert_eq!(issuer["baselineState"], "new");
    assert!(issuer.get("suppressions").is_none());

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (text, code) = scan(
        d,
        &[&format!("http://127.0.0.1:{port}/"), "--format", "sarif"],
    );
    assert_eq!(code, 3);
    let log: Value = serde_json::from_str(&text).unwrap();
    assert_sarif_schema(&log);
    let inv = &log["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    assert!(
        !inv["toolExecutionNotifications"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Hostile content is data in JSON: still valid.
    let log: Value =
        serde_json::from_str(&render::render(&hostile_report(), Format::Sarif, false).unwrap())
            .unwrap();
    assert_sarif_schema(&log);
}

/// Counts of JUnit elements, and the attributes of the first `<testsuite>`.
#[derive(Debug, Default)]
struct Junit {
    elements: BTreeMap<String, usize>,
    suite: BTreeMap<String, String>,
    suites: BTreeMap<String, String>,
    texts: String,
}

fn parse_junit(xml: &str) -> Junit {
    let mut reader = Reader::from_str(xml);
    let mut j = Junit::default();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                let name = e.name().as_ref().to_string();
                let attrs: BTreeMap<String, String> = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        (
                            a.key.as_ref().to_string(),
                            a.normalized_value(XmlVersion::Implicit1_0)
                                .unwrap()
                                .into_owned(),
                        )
                    })
                    .collect();
                if name == "testsuite" && j.suite.is_empty() {
                    j.suite = attrs.clone();
                }
                if name == "testsuites" {
                    j.suites = attrs.clone();
                }
                for v in attrs.values() {
                    j.texts.push_str(v);
                }
                *j.elements.entry(name).or_default() += 1;
            }
            Ok(Event::Text(t)) => j.texts.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(r)) => {
                let name = r.into_inner().into_owned();
                j.texts.push_str(match name.as_str() {
                    "lt" => "<",
                    "gt" => ">",
                    "amp" => "&",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("unexpected entity &{other};"),
                });
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed XML at {}: {e}", reader.buffer_position()),
        }
    }
    j
}

#[test]
fn junit_parses_with_the_right_counts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rt = runtime();
    for name in ["agent-ready", "classic-oauth", "no-auth"] {
        let site = serve_site(&rt, name);
        let (json, code) = scan(d, &[&site.target, "--format", "json"]);
        let report: Value = serde_json::from_str(&json).unwrap();
        let (xml, code2) = scan(d, &[&site.target, "--format", "junit"]);
        assert_eq!(code, code2);
        let j = parse_junit(&xml);
        let checks = report["checks"].as_array().unwrap();
        let count = |o: &str| checks.iter().filter(|c| c["outcome"] == o).count();
        assert_eq!(j.suite["tests"], checks.len().to_string(), "{name}");
        assert_eq!(j.suite["failures"], count("fail").to_string(), "{name}");
        assert_eq!(j.suite["skipped"], count("skip").to_string(), "{name}");
        assert_eq!(j.suite["errors"], count("error").to_string(), "{name}");
        // One testcase per check, plus the gate's.
        assert_eq!(j.elements["testcase"], checks.len() + 1, "{name}");
        let gate_failed = usize::from(report["gate"]["verdict"] == "fail");
        assert_eq!(
            j.elements.get("failure").copied().unwrap_or(0),
            count("fail") + gate_failed,
            "{name}"
        );
        assert_eq!(
            j.elements.get("skipped").copied().unwrap_or(0),
            count("skip")
        );
        assert_eq!(
            j.suites["failures"],
            (count("fail") + gate_failed).to_string(),
            "{name}: the outer total counts the gate"
        );
    }
    // Hostile text stays text, and XML-forbidden characters are replaced.
    let xml = render::render(&hostile_report(), Format::Junit, false).unwrap();
    let j = parse_junit(&xml);
    assert!(
        j.texts.contains("<script>alert(1)</script>"),
        "kept as text"
    );
    assert!(!xml.contains("<script>"), "never as markup");
    assert!(!xml.contains('\u{1}'));
}

#[test]
fn markdown_summary_has_headline_gate_questions_and_fixes() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    let site = serve_site(&rt, "classic-oauth");
    let (json, _) = scan(dir.path(), &[&site.target, "--format", "json"]);
    let report: Value = serde_json::from_str(&json).unwrap();
    let score = report["score"].as_u64().unwrap();
    let checks = report["checks"].as_array().unwrap().len();
    let (md, code) = scan(
        dir.path(),
        &[&site.target, "--format", "markdown", "--fail-under", "50"],
    );
    assert_eq!(code, 1);
    assert!(md.starts_with("## agentready: "), "{md}");
    assert!(
        md.contains(&format!(
            "**Score {score}/100   Grade F   Level 1 (discoverable)**"
        )),
        "{md}"
    );
    assert!(
        md.contains("❌ **Gate FAILED (preset recommended, fail-under 50)**"),
        "{md}"
    );
    assert!(
        md.contains(&format!("- score {score} is under --fail-under 50")),
        "{md}"
    );
    assert!(
        md.contains("| Q3 | Do you support PKCE with S256? | ❌ no |"),
        "{md}"
    );
    assert!(md.contains("#### ❌ `pkce-s256`"), "{md}");
    assert!(
        md.contains("**Fix:** Support PKCE with S256 and say so"),
        "{md}"
    );
    assert!(
        md.contains("[RFC 7636 §4.2 (code challenge methods)](<https://www.rfc-editor.org/rfc/rfc7636#section-4.2>)"),
        "{md}"
    );
    assert!(
        md.contains(&format!("<details><summary>All {checks} checks</summary>")),
        "{md}"
    );

    let md = render::render(&hostile_report(), Format::Markdown, false).unwrap();
    assert!(!md.contains("<script>") && !md.contains("<img"), "{md}");
    assert!(
        !md.contains("[x](javascript"),
        "no link can be smuggled in: {md}"
    );
    assert!(md.contains("&lt;script&gt;"), "{md}");
}

#[test]
fn html_is_self_contained_and_escapes_the_target() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    let site = serve_site(&rt, "classic-oauth");
    let (json, _) = scan(dir.path(), &[&site.target, "--format", "json"]);
    let score = serde_json::from_str::<Value>(&json).unwrap()["score"].clone();
    let (html, code) = scan(dir.path(), &[&site.target, "--format", "html"]);
    assert_eq!(code, 1);
    assert!(html.starts_with("<!doctype html>"));
    assert!(
        html.contains(&format!("<b>{score}</b><span>out of 100</span>")),
        "score at a glance"
    );
    assert!(html.contains("Grade F"));
    assert!(html.contains("Level 1 · discoverable"));
    assert!(html.contains("Gate FAILED"));
    assert_eq!(html.matches("class=\"q\"").count(), 9, "the nine questions");
    assert!(html.contains("<details class=\"check\" id=\"check-pkce-s256\""));
    assert!(html.contains("<h4>How to fix</h4>"));
    assert!(html.contains("<a href=\"https://www.rfc-editor.org/rfc/rfc7636#section-4.2\""));
    assert!(
        html.contains("/.well-known/openid-configuration"),
        "evidence URLs shown"
    );
    // Self-contained: nothing is loaded from anywhere.
    for needle in ["<script", "<link", "src=", "@import", "url("] {
        assert!(!html.contains(needle), "external asset or script: {needle}");
    }
    assert!(html.contains("Content-Security-Policy"));

    let html = render::render(&hostile_report(), Format::Html, false).unwrap();
    for needle in ["<script", "<img", "href=\"javascript"] {
        assert!(!html.contains(needle), "{needle} came through:\n{html}");
    }
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}
