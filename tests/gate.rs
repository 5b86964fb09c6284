//! The CI gate through the binary: every exit code (src/exit.rs) and every
//! gate path — threshold, levels and presets, `agentready.toml`, the
//! accepted-failures baseline (pass, new failure, stale, rewrite), a
//! previous report as baseline (regressions, score drop) — and `diff`.
//! Fixture sites are served on loopback only.

mod common;

use assert_cmd::Command;
use common::{assert_report_schema, runtime, serve_site};
use serde_json::Value;
use std::path::Path;

/// The binary, run in `dir` (so no stray agentready.toml is picked up).
fn agentready(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("agentready").unwrap();
    c.env("NO_COLOR", "1").current_dir(dir);
    c
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(dir: &Path, args: &[&str]) -> Run {
    let out = agentready(dir).args(args).output().unwrap();
    Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Scan with `--format json`; returns the report and the exit code.
fn scan_json(dir: &Path, target: &str, extra: &[&str]) -> (Value, i32) {
    let mut args = vec!["scan", target, "--format", "json"];
    args.extend_from_slice(extra);
    let r = run(dir, &args);
    let v: Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", r.stdout, r.stderr));
    assert_report_schema(&v);
    (v, r.code)
}

/// The authorization-server metadata family: tests that count exact
/// failures of a fixture scan only these checks, so that checks added to
/// the catalogue later do not change what they assert.
const FAMILY: &str = "as-metadata-discovery,metadata,pkce";

fn failure_kinds(report: &Value) -> Vec<String> {
    report["gate"]["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap().to_string())
        .collect()
}

fn failing_checks(report: &Value) -> Vec<String> {
    report["gate"]["failures"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["check"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn exit_zero_when_the_gate_passes() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    let site = serve_site(&rt, "agent-ready");
    let (r, code) = scan_json(dir.path(), &site.target, &["--fail-under", "100"]);
    assert_eq!(code, 0);
    assert_eq!(r["gate"]["verdict"], "pass");
    assert_eq!(r["gate"]["preset"], "recommended");
    assert_eq!(r["gate"]["fail_under"], 100);
    assert_eq!(r["gate"]["levels"]["pkce-s256"], "error");
    assert_eq!(r["gate"]["levels"]["pkce-downgrade"], "warn");
    let (_, code) = scan_json(dir.path(), &site.target, &["--preset", "strict"]);
    assert_eq!(code, 0, "every built check passes, so strict passes too");
}

#[test]
fn fail_under_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    let site = serve_site(&rt, "classic-oauth");
    // The report preset gates on the score only.
    let (r, code) = scan_json(dir.path(), &site.target, &["--preset", "report"]);
    assert_eq!(code, 0);
    let score = r["score"].as_u64().unwrap();
    assert!(score > 0 && score < 100, "{score}");
    let at = score.to_string();
    let (_, code) = scan_json(
        dir.path(),
        &site.target,
        &["--preset", "report", "--fail-under", &at],
    );
    assert_eq!(code, 0, "a score equal to the threshold passes");
    let above = (score + 1).to_string();
    let out = run(
        dir.path(),
        &[
            "scan",
            &site.target,
            "--preset",
            "report",
            "--fail-under",
            &above,
        ],
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains(&format!("score {score} is under --fail-under {above}")),
        "{}",
        out.stderr
    );
    assert!(out.stdout.contains("Gate FAILED"), "{}", out.stdout);
    // Out of range is a usage error.
    let out = run(dir.path(), &["scan", &site.target, "--fail-under", "101"]);
    assert_eq!(out.code, 2);
}

#[test]
fn levels_presets_and_selectors() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    let site = serve_site(&rt, "classic-oauth");
    let o = site.target.as_str();
    // Recommended: the failing high-severity checks fail the gate; the
    // failing medium ones (pkce-downgrade, oauth21-grants) only warn.
    let (r, code) = scan_json(dir.path(), o, &[]);
    assert_eq!(code, 1);
    let failing = failing_checks(&r);
    for id in [
        "pkce-s256",
        "issuer-identifier",
        "endpoint-transport",
        "as-metadata-conformance",
    ] {
        assert!(failing.contains(&id.to_string()), "{id} in {failing:?}");
    }
    assert!(!failing.contains(&"pkce-downgrade".to_string()));
    assert!(
        r["gate"]["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["check"] == "pkce-downgrade")
    );
    // --summary appends the Markdown report (a job summary collects steps).
    std::fs::write(dir.path().join("summary.md"), "# CI\n").unwrap();
    for _ in 0..2 {
        let out = run(
            dir.path(),
            &["scan", o, "--summary", "summary.md", "--format", "json"],
        );
        assert_eq!(out.code, 1);
    }
    let summary = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(summary.starts_with("# CI\n## agentready: "), "{summary}");
    assert_eq!(summary.matches("Gate FAILED").count(), 2);
    // --allow by category and id turns them off: the gate passes (the
    // as-metadata-discovery warn is not a violation without --deny-warnings).
    let (r, code) = scan_json(
        dir.path(),
        o,
        &["--only", FAMILY, "--allow", "metadata,pkce-s256"],
    );
    assert_eq!(code, 0, "{}", r["gate"]);
    assert_eq!(r["gate"]["levels"]["issuer-identifier"], "off");
    // --deny on a medium check fails the report preset.
    let (r, code) = scan_json(
        dir.path(),
        o,
        &["--preset", "report", "--deny", "pkce-downgrade"],
    );
    assert_eq!(code, 1);
    assert_eq!(failing_checks(&r), vec!["pkce-downgrade"]);
    // An id beats its category whatever the order.
    let (_, code) = scan_json(
        dir.path(),
        o,
        &[
            "--preset",
            "report",
            "--allow",
            "pkce-downgrade",
            "--deny",
            "pkce",
        ],
    );
    assert_eq!(code, 1, "pkce-s256 is denied by the category");
    let (r, _) = scan_json(
        dir.path(),
        o,
        &[
            "--preset",
            "report",
            "--allow",
            "pkce-downgrade",
            "--deny",
            "pkce",
        ],
    );
    assert_eq!(failing_checks(&r), vec!["pkce-s256"]);
    // Warnings fail only when denied.
    let (_, code) = scan_json(
        dir.path(),
        o,
        &["--preset", "report", "--deny", "as-metadata-discovery"],
    );
    assert_eq!(code, 0);
    let (r, code) = scan_json(
        dir.path(),
        o,
        &[
            "--preset",
            "report",
            "--deny",
            "as-metadata-discovery",
            "--deny-warnings",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(failing_checks(&r), vec!["as-metadata-discovery"]);
    // Strict: every check, warnings too.
    let (r, code) = scan_json(dir.path(), o, &["--preset", "strict"]);
    assert_eq!(code, 1);
    assert!(failing_checks(&r).contains(&"as-metadata-discovery".to_string()));
    assert_eq!(r["gate"]["deny_warnings"], true);
    // Usage errors: unknown selector, one selector at two levels.
    let out = run(dir.path(), &["scan", o, "--deny", "no-such-check"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no-such-check"), "{}", out.stderr);
    let out = run(
        dir.path(),
        &["scan", o, "--deny", "pkce-s256", "--allow", "pkce-s256"],
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("both --allow and --deny"),
        "{}",
        out.stderr
    );
}

#[test]
fn config_file_in_the_working_directory_and_cli_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    let site = serve_site(&rt, "classic-oauth");
    std::fs::write(
        dir.path().join("agentready.toml"),
        format!(
            "# the CI gate of this repository\ntarget = \"{}\"\nformat = \"json\"\npreset = \"report\"\nfail_under = 90\n\n[checks.pkce-s256]\nlevel = \"error\"\n\n[checks.as-metadata-discovery]\nweight = 100\n",
            site.target
        ),
    )
    .unwrap();
    // No TARGET and no --format: both come from the file.
    let out = run(dir.path(), &["scan"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let r: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_report_schema(&r);
    assert_eq!(r["gate"]["preset"], "report");
    let kinds = failure_kinds(&r);
    assert!(kinds.contains(&"score".to_string()), "{kinds:?}");
    assert_eq!(failing_checks(&r), vec!["pkce-s256"]);
    // The weight override flows into the report and the score: the one
    // check that earns credit (warn, half) now weighs 100.
    let check = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "as-metadata-discovery")
        .unwrap();
    assert_eq!(check["outcome"], "warn");
    assert_eq!(check["weight"], 100);
    let (plain, _) = scan_json(dir.path(), &site.target, &["--config", "/dev/null"]);
    assert!(
        r["score"].as_u64().unwrap() > plain["score"].as_u64().unwrap() + 10,
        "the heavier half-credit check lifts the score: {} vs {}",
        r["score"],
        plain["score"]
    );
    // The command line wins over the file.
    let out = run(
        dir.path(),
        &[
            "scan",
            "--fail-under",
            "0",
            "--allow",
            "pkce-s256",
            "--format",
            "table",
        ],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("Gate passed (preset report, fail-under 0)"),
        "{}",
        out.stdout
    );
}

#[test]
fn config_errors_exit_two_with_locations() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("agentready.toml");
    std::fs::write(&bad, "preset = \"strict\"\nfail-under = 80\n").unwrap();
    let out = run(dir.path(), &["scan", "http://127.0.0.1:9/"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("agentready.toml:2:1: unknown field `fail-under`"),
        "{}",
        out.stderr
    );
    std::fs::write(
        &bad,
        "deny = [\"pkce\", \"pkce-s265\"]\n\n[checks.nope]\nlevel = \"off\"\n",
    )
    .unwrap();
    let out = run(dir.path(), &["scan", "http://127.0.0.1:9/"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("agentready.toml:1:17:"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("agentready.toml:3:9:"),
        "{}",
        out.stderr
    );
    // api_url entries must be URLs, located like every other value.
    std::fs::write(
        &bad,
        "passive = true\napi_url = [\"https://api.example.com/v1\", \"not a url\"]\n",
    )
    .unwrap();
    let out = run(dir.path(), &["scan", "http://127.0.0.1:9/"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("agentready.toml:2:42: `api_url`"),
        "{}",
        out.stderr
    );
    // --config names another file; a missing one is an error.
    let out = run(
        dir.path(),
        &["scan", "http://127.0.0.1:9/", "--config", "missing.toml"],
    );
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("missing.toml"), "{}", out.stderr);
}

#[test]
fn accepted_failures_baseline_pass_new_stale_and_update() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rt = runtime();
    let classic = serve_site(&rt, "classic-oauth");
    let good = serve_site(&rt, "agent-ready");
    let baseline = d.join(".agentready/baseline.json");
    let b = baseline.to_str().unwrap();

    // Without the file: a usage error, unless we are asked to write it.
    let out = run(
        d,
        &["scan", &classic.target, "--only", FAMILY, "--baseline", b],
    );
    assert_eq!(out.code, 2);
    let out = run(
        d,
        &[
            "scan",
            &classic.target,
            "--only",
            FAMILY,
            "--baseline",
            b,
            "--update-baseline",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("updated: 5 entries (5 added, 0 removed)"),
        "{}",
        out.stderr
    );
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    assert_eq!(file["agentready_baseline"], 1);
    let entries = file["accepted"].as_array().unwrap();
    assert!(
        entries
            .iter()
            .any(|e| e["check"] == "pkce-s256" && e["code"] == "pkce-s256-missing")
    );

    // Listed failures do not fail the gate.
    let (r, code) = scan_json(d, &classic.target, &["--only", FAMILY, "--baseline", b]);
    assert_eq!(code, 0, "{}", r["gate"]);
    assert_eq!(r["gate"]["baseline"]["kind"], "accepted-failures");
    assert_eq!(
        r["gate"]["baseline"]["accepted"].as_array().unwrap().len(),
        5
    );

    // An unlisted failure does: drop pkce-s256 from the file, give a reason to another.
    let mut edited = file.clone();
    let list = edited["accepted"].as_array_mut().unwrap();
    list.retain(|e| e["check"] != "pkce-s256");
    for e in list.iter_mut() {
        if e["check"] == "issuer-identifier" {
            e["reason"] = "the issuer moves in Q3".into();
        }
    }
    std::fs::write(&baseline, serde_json::to_string_pretty(&edited).unwrap()).unwrap();
    let (r, code) = scan_json(d, &classic.target, &["--only", FAMILY, "--baseline", b]);
    assert_eq!(code, 1);
    assert_eq!(failing_checks(&r), vec!["pkce-s256"]);
    assert!(
        r["gate"]["failures"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not in the baseline")
    );

    // A listed failure that is fixed fails as stale (the good site passes all).
    let (r, code) = scan_json(d, &good.target, &["--only", FAMILY, "--baseline", b]);
    assert_eq!(code, 1);
    let kinds = failure_kinds(&r);
    assert!(
        !kinds.is_empty() && kinds.iter().all(|k| k == "stale"),
        "{kinds:?}"
    );

    // --update-baseline rewrites it: the stale entries go, reasons stay.
    let out = run(
        d,
        &[
            "scan",
            &classic.target,
            "--only",
            FAMILY,
            "--baseline",
            b,
            "--update-baseline",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("(1 added, 0 removed)"),
        "{}",
        out.stderr
    );
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    assert!(
        file["accepted"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["reason"] == "the issuer moves in Q3")
    );
    let out = run(
        d,
        &[
            "scan",
            &good.target,
            "--only",
            FAMILY,
            "--baseline",
            b,
            "--update-baseline",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    assert_eq!(file["accepted"].as_array().unwrap().len(), 0);

    // Not a baseline at all, or --update-baseline without --baseline: usage errors.
    std::fs::write(d.join("junk.json"), "{\"hello\": 1}").unwrap();
    let out = run(d, &["scan", &good.target, "--baseline", "junk.json"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("not a baseline"), "{}", out.stderr);
    let out = run(d, &["scan", &good.target, "--update-baseline"]);
    assert_eq!(out.code, 2);
}

#[test]
fn report_as_baseline_fails_only_on_regressions() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rt = runtime();
    let classic = serve_site(&rt, "classic-oauth");
    let good = serve_site(&rt, "agent-ready");
    let (good_report, _) = scan_json(d, &good.target, &[]);
    std::fs::write(d.join("good.json"), good_report.to_string()).unwrap();
    let (classic_report, _) = scan_json(d, &classic.target, &[]);
    std::fs::write(d.join("classic.json"), classic_report.to_string()).unwrap();

    // Same failures as the baseline report: no regression, the gate passes
    // even though the recommended preset alone would fail it.
    let (r, code) = scan_json(d, &classic.target, &["--baseline", "classic.json"]);
    assert_eq!(code, 0, "{}", r["gate"]);
    assert_eq!(r["gate"]["baseline"]["kind"], "report");

    // Against the good report of another site (compared on purpose:
    // without --baseline-any-target that is a usage error): pass→fail in
    // high-severity checks fails.
    let (r, code) = scan_json(
        d,
        &classic.target,
        &["--baseline", "good.json", "--baseline-any-target"],
    );
    assert_eq!(code, 1);
    assert!(failure_kinds(&r).iter().all(|k| k == "regression"));
    assert!(failing_checks(&r).contains(&"pkce-s256".to_string()));
    // The medium pkce-downgrade regression is only a warning.
    assert!(
        r["gate"]["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["kind"] == "regression" && w["check"] == "pkce-downgrade")
    );
    // The targets differ (two sites): said in a note.
    assert!(r["gate"]["warnings"].as_array().unwrap().iter().any(
        |w| w["kind"] == "note" && w["message"].as_str().unwrap().contains("different targets")
    ));
    // Score drop: the report preset ignores check regressions.
    let drop = good_report["score"].as_u64().unwrap() - classic_report["score"].as_u64().unwrap();
    let (_, code) = scan_json(
        d,
        &classic.target,
        &[
            "--baseline",
            "good.json",
            "--baseline-any-target",
            "--preset",
            "report",
            "--max-score-drop",
            &drop.to_string(),
        ],
    );
    assert_eq!(code, 0);
    let (r, code) = scan_json(
        d,
        &classic.target,
        &[
            "--baseline",
            "good.json",
            "--baseline-any-target",
            "--preset",
            "report",
            "--max-score-drop",
            &(drop - 1).to_string(),
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(failure_kinds(&r), vec!["score-drop"]);
    // An improvement is never a failure.
    let (_, code) = scan_json(
        d,
        &good.target,
        &["--baseline", "classic.json", "--baseline-any-target"],
    );
    assert_eq!(code, 0);
    // A report cannot be rewritten as accepted failures.
    let out = run(
        d,
        &[
            "scan",
            &good.target,
            "--baseline",
            "classic.json",
            "--baseline-any-target",
            "--update-baseline",
        ],
    );
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("is a report"), "{}", out.stderr);
}

#[test]
fn incomplete_scan_exits_three_before_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let target = format!("http://127.0.0.1:{port}/");
    let (r, code) = scan_json(dir.path(), &target, &["--fail-under", "50"]);
    assert_eq!(code, 3, "exit 3 takes precedence over the gate");
    assert!(r["score"].is_null());
    assert_eq!(r["gate"]["verdict"], "incomplete");
    assert!(
        r["gate"]["failures"][0]["message"]
            .as_str()
            .unwrap()
            .contains("cannot be judged")
    );
    // The baseline is not rewritten from an incomplete scan.
    let b = dir.path().join("b.json");
    std::fs::write(
        &b,
        r#"{"agentready_baseline":1,"accepted":[{"check":"pkce-s256"}]}"#,
    )
    .unwrap();
    let out = run(
        dir.path(),
        &[
            "scan",
            &target,
            "--baseline",
            b.to_str().unwrap(),
            "--update-baseline",
        ],
    );
    assert_eq!(out.code, 3);
    assert!(std::fs::read_to_string(&b).unwrap().contains("pkce-s256"));
}

#[test]
fn diff_of_two_reports() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rt = runtime();
    let classic = serve_site(&rt, "classic-oauth");
    let good = serve_site(&rt, "agent-ready");
    let (old, _) = scan_json(d, &classic.target, &[]);
    let (new, _) = scan_json(d, &good.target, &[]);
    std::fs::write(d.join("old.json"), old.to_string()).unwrap();
    std::fs::write(d.join("new.json"), new.to_string()).unwrap();

    let out = run(d, &["diff", "old.json", "new.json", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let diff: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(diff["old"]["score"], old["score"]);
    assert_eq!(diff["new"]["score"], new["score"]);
    assert_eq!(
        diff["score_change"].as_i64().unwrap(),
        new["score"].as_i64().unwrap() - old["score"].as_i64().unwrap()
    );
    let fixed: Vec<&str> = diff["fixed_findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(fixed.contains(&"pkce-s256-missing"), "{fixed:?}");
    assert!(diff["new_findings"].as_array().unwrap().is_empty());
    assert!(
        diff["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == "pkce-s256" && c["change"] == "improved")
    );

    // The other way round, as a table and as Markdown.
    let out = run(d, &["diff", "new.json", "old.json"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("regressed pkce-s256"), "{}", out.stdout);
    assert!(out.stdout.contains("New findings (") && out.stdout.contains("pkce-s256-missing"));
    let out = run(d, &["diff", "new.json", "old.json", "--format", "markdown"]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout
            .contains("| regressed | `pkce-s256` | pass | fail |"),
        "{}",
        out.stdout
    );

    // Not a report: usage error.
    std::fs::write(d.join("junk.json"), "[1, 2]").unwrap();
    let out = run(d, &["diff", "old.json", "junk.json"]);
    assert_eq!(out.code, 2);
    let out = run(d, &["diff", "old.json", "missing.json"]);
    assert_eq!(out.code, 2);
}
