//! Reports people act on (issue 22): the top-fixes block in the table,
//! Markdown and HTML on three sites (oidc-realm at level 2, near level 3;
//! widgets-api, one fix from level 2; and
//! classic-oauth, at level 1), the table fitting 80 columns, the GitHub
//! annotations, `explain` with a finding code and with a typo, `--quiet`.
//!
//! The reports are replayed from the evidence the golden test keeps
//! (`tests/golden/sites/<site>/evidence.json`): no network, deterministic.
//! Regenerate the snapshots with `UPDATE_SNAPSHOTS=1`.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn evidence(site: &str) -> PathBuf {
    root()
        .join("tests/golden/sites")
        .join(site)
        .join("evidence.json")
}

/// Run the binary with NO_COLOR and COLUMNS=80; stdout and the exit code.
fn run(args: &[&str]) -> (String, i32) {
    let out = Command::cargo_bin("agentready")
        .unwrap()
        .env("NO_COLOR", "1")
        .env("COLUMNS", "80")
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

fn replay(site: &str, extra: &[&str]) -> String {
    let ev = evidence(site);
    let mut args = vec!["scan", "--from-evidence", ev.to_str().unwrap()];
    args.extend_from_slice(extra);
    run(&args).0
}

/// The text between the first line that starts with `start` and the first
/// later line that starts with `end` (excluded).
fn block(text: &str, start: &str, end: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in text.lines() {
        if !inside && line.starts_with(start) {
            inside = true;
        } else if inside && line.starts_with(end) {
            break;
        }
        if inside {
            out.push_str(line);
            out.push('\n');
        }
    }
    assert!(inside, "no line starting with {start:?} in:\n{text}");
    out
}

fn snapshot(name: &str, actual: &str) {
    let path = root().join("tests/snapshots/top-fixes").join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let stored = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        stored,
        actual,
        "{} differs (UPDATE_SNAPSHOTS=1 to accept)",
        path.display()
    );
}

const SITES: [&str; 3] = ["oidc-realm", "widgets-api", "classic-oauth"];

#[test]
fn top_fixes_block_in_table_markdown_and_html() {
    for site in SITES {
        let table = block(&replay(site, &[]), "Top fixes:", "┌");
        snapshot(&format!("{site}.txt"), &table);
        let md = block(
            &replay(site, &["--format", "markdown"]),
            "### Top fixes",
            "### The nine",
        );
        snapshot(&format!("{site}.md"), &md);
        let html = block(
            &replay(site, &["--format", "html"]),
            "<section class=\"card fixes\"",
            "<div class=\"banner",
        );
        snapshot(&format!("{site}.html"), &html);
    }
}

#[test]
fn top_fixes_agree_with_the_json_report() {
    let report: Value =
        serde_json::from_str(&replay("widgets-api", &["--format", "json"])).unwrap();
    let fixes = report["top_fixes"].as_array().unwrap();
    assert!(!fixes.is_empty() && fixes.len() <= 5);
    // token-revocation is the missing piece of level 2 on this site.
    let first = &fixes[0];
    assert_eq!(first["check"], "token-revocation");
    assert_eq!(first["unlocks_level"], 2);
    assert_eq!(first["gate_level"], "error");
    assert!(first["points"].as_u64().unwrap() > 0);
    // Every fix is a failing or warning check of the report.
    for f in fixes {
        let id = f["check"].as_str().unwrap();
        let c = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap();
        assert!(
            matches!(c["outcome"].as_str(), Some("fail" | "warn")),
            "{id}"
        );
    }
    let table = replay("widgets-api", &[]);
    assert!(
        table.contains("1. fix token-revocation (fail, high): +5 points, unlocks level 2"),
        "{table}"
    );
}

#[test]
fn remediation_is_written_for_the_scanned_site() {
    let report: Value = serde_json::from_str(&replay("no-auth", &["--format", "json"])).unwrap();
    let prm = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "protected-resource-metadata")
        .unwrap();
    let fix = prm["remediation_for_site"].as_str().unwrap();
    assert!(
        fix.contains("http://127.0.0.1:40000/.well-known/oauth-protected-resource"),
        "{fix}"
    );
    assert!(
        fix.contains(r#""resource":"http://127.0.0.1:40000""#),
        "{fix}"
    );
}

/// Display columns of a line: every character the table prints is one
/// column wide (box drawing, bullets, arrows, ASCII).
fn columns(line: &str) -> usize {
    line.chars().count()
}

#[test]
fn the_table_fits_80_columns() {
    let mut longest_wide = 0;
    for entry in std::fs::read_dir(root().join("tests/golden/sites")).unwrap() {
        let site = entry.unwrap().file_name().into_string().unwrap();
        for extra in [&[][..], &["--verbose"][..]] {
            let text = replay(&site, extra);
            assert!(text.lines().count() > 10, "{site}: {text}");
            for line in text.lines() {
                assert!(
                    columns(line) <= 80,
                    "{site} {extra:?}: {} columns:\n{line}",
                    columns(line)
                );
            }
        }
        let wide = replay(&site, &["--wide", "--verbose"]);
        longest_wide = longest_wide.max(wide.lines().map(columns).max().unwrap_or(0));
    }
    // --wide does not wrap: the same reports have longer lines.
    assert!(longest_wide > 80, "{longest_wide}");
}

#[test]
fn passing_checks_collapse_to_counts_unless_verbose() {
    let short = replay("widgets-api", &[]);
    let long = replay("widgets-api", &["--verbose"]);
    assert!(short.contains("--verbose lists every check"), "{short}");
    assert!(!short.contains("│ PASS"), "{short}");
    assert!(long.contains("│ PASS"), "{long}");
    assert!(short.lines().count() < long.lines().count());
}

#[test]
fn github_annotations_one_per_gating_finding() {
    let site = "classic-oauth";
    let report: Value = serde_json::from_str(&replay(site, &["--format", "json"])).unwrap();
    let failures = report["gate"]["failures"].as_array().unwrap().len();
    let warnings = report["gate"]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["kind"] != "note")
        .count();
    assert!(failures > 0);
    let (text, code) = {
        let ev = evidence(site);
        run(&[
            "scan",
            "--from-evidence",
            ev.to_str().unwrap(),
            "--format",
            "github",
        ])
    };
    assert_eq!(code, 1, "the gate fails: exit 1");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("::error title="))
            .count(),
        failures
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("::warning title="))
            .count(),
        warnings
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("::notice title="))
            .count(),
        1
    );
    for l in &lines {
        assert!(l.starts_with("::"), "{l}");
        // Properties escape ':' and ','; the message ends the command.
        let (props, _message) = l[2..].split_once("::").unwrap();
        let title = props.split_once(" title=").unwrap().1;
        assert!(!title.contains(',') && !title.contains(':'), "{l}");
    }
}

#[test]
fn explain_takes_a_finding_code_and_suggests_on_a_typo() {
    let (text, code) = run(&["explain", "client-registration-invalid-metadata-accepted"]);
    assert_eq!(code, 0);
    assert!(
        text.starts_with(
            "Finding code client-registration-invalid-metadata-accepted (warn), reported by the check client-registration"
        ),
        "{text}"
    );
    assert!(text.contains("\nclient-registration — "), "{text}");
    let out = Command::cargo_bin("agentready")
        .unwrap()
        .args(["explain", "pkce-s265"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("did you mean `pkce-s256`?"), "{err}");
    let out = Command::cargo_bin("agentready")
        .unwrap()
        .args(["explain", "zzzzzzzzzzzz"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        !String::from_utf8(out.stderr)
            .unwrap()
            .contains("did you mean")
    );
}

#[test]
fn quiet_prints_one_line_and_dash_is_stdout() {
    let (text, code) = run(&[
        "scan",
        "--from-evidence",
        evidence("widgets-api").to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(code, 1);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert_eq!(
        text.trim_end(),
        "http://127.0.0.1:40000/  score 87/100  grade B  level 1 (discoverable)  gate fail  top fix: fix token-revocation: +5 points, unlocks level 2 (browserless), gate level error"
    );
    let (json, _) = run(&[
        "scan",
        "--from-evidence",
        evidence("widgets-api").to_str().unwrap(),
        "--format",
        "json",
        "-o",
        "-",
    ]);
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["score"], 87);
    assert!(!Path::new("-").exists(), "`-o -` wrote a file named -");
}

#[test]
fn badge_writes_a_shields_endpoint_from_a_report() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    run(&[
        "scan",
        "--from-evidence",
        evidence("widgets-api").to_str().unwrap(),
        "--format",
        "json",
        "-o",
        report.to_str().unwrap(),
    ]);
    let (text, code) = run(&["badge", report.to_str().unwrap()]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["schemaVersion"], 1);
    assert_eq!(v["label"], "agentready");
    assert_eq!(v["message"], "B · 87/100");
    assert_eq!(v["color"], "green");
    // Not a report: exit 2.
    let (_, code) = run(&["badge", evidence("widgets-api").to_str().unwrap()]);
    assert_eq!(code, 2);
}
