//! The binary: commands, formats, exit codes, evidence files, user checks.

mod common;

use assert_cmd::Command;
use common::{assert_report_schema, runtime, serve_site};
use serde_json::Value;

fn agentready() -> Command {
    let mut c = Command::cargo_bin("agentready").unwrap();
    c.env("NO_COLOR", "1");
    c
}

/// Run the binary and parse its JSON report. Scans are restricted to
/// loopback destinations.
fn json_report(args: &[&str]) -> (Value, i32) {
    let mut cmd = agentready();
    cmd.args(args);
    if args.first() == Some(&"scan") {
        cmd.arg("--loopback-only");
    }
    let out = cmd.output().unwrap();
    let code = out.status.code().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (v, code)
}

fn outcomes(report: &Value) -> Vec<(String, String)> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn outcome_of(report: &Value, id: &str) -> String {
    outcomes(report)
        .into_iter()
        .find(|(i, _)| i == id)
        .map(|(_, o)| o)
        .unwrap_or_default()
}

#[test]
fn scan_json_report_validates_and_exits_zero() {
    let rt = runtime();
    let site = serve_site(&rt, "agent-ready");
    let (report, code) = json_report(&["scan", &site.target, "--format", "json"]);
    assert_eq!(code, 0);
    assert_report_schema(&report);
    assert_eq!(report["schema_version"], "1");
    assert_eq!(report["mode"], "safe");
    assert_eq!(report["target"]["input"], site.target.as_str());
    assert_eq!(report["score"], 100);
    assert_eq!(report["questions"].as_array().unwrap().len(), 9);
    assert_eq!(outcome_of(&report, "pkce-s256"), "pass");
    assert_eq!(outcome_of(&report, "bearer-challenge"), "pass");
    assert_eq!(outcome_of(&report, "device-authorization"), "pass");
    // A check not built yet is reported as skip, never as a pass.
    if let Some(planned) = agentready::engine::catalogue::builtin()
        .iter()
        .find(|m| m.implementation == agentready::model::catalogue::Implementation::Planned)
    {
        assert_eq!(outcome_of(&report, &planned.id), "skip", "{}", planned.id);
    }
}

#[test]
fn table_output_has_headline_questions_and_no_colour_when_piped() {
    let rt = runtime();
    let site = serve_site(&rt, "classic-oauth");
    let out = Command::cargo_bin("agentready")
        .unwrap()
        .args(["scan", "--loopback-only", &site.target])
        .output()
        .unwrap();
    // The recommended preset gates high-severity checks: pkce-s256 fails.
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Gate FAILED (preset recommended)"), "{text}");
    assert!(text.contains("Score "), "{text}");
    assert!(text.contains("Grade F"), "{text}");
    assert!(text.contains("Can an agent discover your auth endpoints programmatically?"));
    assert!(text.contains("pkce-s256-missing"));
    assert!(!text.contains('\u{1b}'), "ANSI escapes in piped output");
}

#[test]
fn unparseable_target_exits_two() {
    let out = agentready()
        .args(["scan", "not a domain"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a domain or URL"));
    let out = agentready()
        .args(["scan", "ftp://example.com"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = agentready().args(["scan"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "missing TARGET is a usage error"
    );
    let out = agentready()
        .args(["scan", "http://127.0.0.1:9/", "-H", "no colon"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = agentready()
        .args(["scan", "http://127.0.0.1:9/", "--resolve", "bad"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = agentready()
        .args([
            "scan",
            "http://127.0.0.1:9/",
            "--cacert",
            "/nonexistent.pem",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn unreachable_target_exits_three() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (report, code) = json_report(&[
        "scan",
        &format!("http://127.0.0.1:{port}/"),
        "--format",
        "json",
    ]);
    assert_eq!(code, 3);
    assert_report_schema(&report);
    assert!(report["score"].is_null());
    assert!(report["error"].as_str().unwrap().contains("unreachable"));
}

#[test]
fn saved_evidence_replays_without_network() {
    let dir = tempfile::tempdir().unwrap();
    let evidence = dir.path().join("evidence.json");
    let ev = evidence.to_str().unwrap();
    let rt = runtime();
    let site = serve_site(&rt, "classic-oauth");
    let (first, code) = json_report(&[
        "scan",
        &site.target,
        "--format",
        "json",
        "--save-evidence",
        ev,
    ]);
    assert_eq!(code, 1, "classic-oauth fails the recommended gate");
    drop(site);
    drop(rt);
    let (second, code) = json_report(&["scan", "--from-evidence", ev, "--format", "json"]);
    assert_eq!(code, 1);
    assert_eq!(first["gate"], second["gate"]);
    assert_eq!(outcomes(&first), outcomes(&second));
    assert_eq!(first["score"], second["score"]);
    assert_eq!(first["checks"], second["checks"]);
    assert_eq!(first["exchanges"], second["exchanges"]);
    // A mismatched target is refused.
    let out = agentready()
        .args(["scan", "other.example", "--from-evidence", ev])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn only_and_skip_select_checks() {
    let rt = runtime();
    let site = serve_site(&rt, "agent-ready");
    let (report, code) = json_report(&[
        "scan",
        &site.target,
        "--format",
        "json",
        "--only",
        "pkce,issuer-identifier",
    ]);
    assert_eq!(code, 0);
    let ids: Vec<String> = outcomes(&report).into_iter().map(|(i, _)| i).collect();
    assert_eq!(
        ids,
        vec!["issuer-identifier", "pkce-downgrade", "pkce-s256"]
    );
    let (report, _) = json_report(&[
        "scan",
        &site.target,
        "--format",
        "json",
        "--skip",
        "pkce-downgrade",
    ]);
    assert!(outcomes(&report).iter().all(|(i, _)| i != "pkce-downgrade"));
    let out = agentready()
        .args([
            "scan",
            "--loopback-only",
            &site.target,
            "--only",
            "no-such-check",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // The plan follows the selection: x402-payment needs the catch-all and
    // the three API GETs, no metadata probe.
    let (report, _) = json_report(&[
        "scan",
        &site.target,
        "--format",
        "json",
        "--only",
        "x402-payment",
    ]);
    let probes: Vec<&str> = report["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["probe"].as_str().unwrap())
        .collect();
    // The catch-all, /api and /api/v1 (an MCP target is not fetched with GET).
    assert_eq!(report["requests_total"], 3, "{probes:?}");
    assert!(probes.iter().all(|p| !p.contains("metadata")), "{probes:?}");
}

#[test]
fn checks_and_explain() {
    let out = agentready().arg("checks").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    for m in agentready::engine::catalogue::builtin() {
        assert!(text.contains(&m.id), "{} missing from `checks`", m.id);
    }
    let out = agentready()
        .args(["explain", "pkce-s256"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("https://www.rfc-editor.org/rfc/rfc7636#section-4.2"));
    assert!(text.contains("pkce-s256-not-advertised"));
    let out = agentready()
        .args(["explain", "no-such-check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

const USER_CHECK: &str = r#"
id = "jwks-published"
title = "A JWK set is published at /.well-known/jwks.json"
category = "metadata"
severity = "low"
implementation = "declarative"
rationale = "Resource servers and agents verify signed tokens with the published keys."
remediation = "Publish your signing keys as a JWK Set at /.well-known/jwks.json."
references = [{ title = "RFC 7517 §5", url = "https://www.rfc-editor.org/rfc/rfc7517#section-5" }]
findings = [
  { code = "jwks-published-missing", outcome = "fail", description = "No JWK set at the path." },
  { code = "jwks-published-not-json", outcome = "fail", description = "Not served as JSON." },
  { code = "jwks-published-no-keys", outcome = "fail", description = "The keys array is missing." },
]

[rule]
path = "/.well-known/jwks.json"

[[rule.match]]
status = [200]
code = "jwks-published-missing"

[[rule.match]]
header = "content-type"
regex = "^application/(jwk-set\\+)?json"
code = "jwks-published-not-json"

[[rule.match]]
json_schema = { type = "object", required = ["keys"], properties = { keys = { type = "array", minItems = 1 } } }
code = "jwks-published-no-keys"
"#;

#[test]
fn user_checks_from_a_directory_pass_and_fail() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("jwks-published.toml"), USER_CHECK).unwrap();
    let d = dir.path().to_str().unwrap();
    let rt = runtime();
    let good = serve_site(&rt, "agent-ready");
    let (report, _) = json_report(&["scan", &good.target, "--format", "json", "--checks-dir", d]);
    let check = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "jwks-published")
        .unwrap()
        .clone();
    assert_eq!(check["outcome"], "pass", "{check}");
    assert_eq!(check["user"], true);
    // The honeypot answers 200 HTML everywhere: the catch-all guard fails it.
    let honeypot = serve_site(&rt, "honeypot");
    let (report, _) = json_report(&[
        "scan",
        &honeypot.target,
        "--format",
        "json",
        "--checks-dir",
        d,
    ]);
    assert_eq!(outcome_of(&report, "jwks-published"), "fail");
    let none = serve_site(&rt, "no-auth");
    let (report, _) = json_report(&["scan", &none.target, "--format", "json", "--checks-dir", d]);
    let check = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "jwks-published")
        .unwrap()
        .clone();
    assert_eq!(check["findings"][0]["code"], "jwks-published-missing");
    // The user check is listed and explained.
    let out = agentready()
        .args(["checks", "--checks-dir", d])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("jwks-published"));
    // An invalid user check is a configuration error naming the file.
    std::fs::write(dir.path().join("broken.toml"), "id = 3").unwrap();
    let out = agentready()
        .args(["scan", "--loopback-only", &good.target, "--checks-dir", d])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken.toml"));
}

#[test]
fn output_file_and_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.md");
    let rt = runtime();
    let site = serve_site(&rt, "agent-ready");
    let out = agentready()
        .args([
            "scan",
            "--loopback-only",
            &site.target,
            "--format",
            "markdown",
            "-o",
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let md = std::fs::read_to_string(&file).unwrap();
    assert!(md.contains("| pass | `pkce-s256` |"), "{md}");
}

#[test]
fn demo_scans_every_bundled_site_offline() {
    let out = agentready()
        .args(["demo", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reports: Vec<Value> = serde_json::Deserializer::from_slice(&out.stdout)
        .into_iter::<Value>()
        .map(Result::unwrap)
        .collect();
    assert_eq!(reports.len(), agentready::demo::DEMO_SITES.len());
    for r in &reports {
        assert_report_schema(r);
    }
    let scores: Vec<i64> = reports
        .iter()
        .map(|r| r["score"].as_i64().unwrap())
        .collect();
    assert_eq!(
        scores.iter().max(),
        Some(&scores[0]),
        "agent-ready scores highest: {scores:?}"
    );
    let honeypot = reports.last().unwrap();
    for c in honeypot["checks"].as_array().unwrap() {
        if c["category"] == "discovery" {
            assert_ne!(c["outcome"], "pass", "honeypot passed {}", c["id"]);
        }
    }
    let out = agentready().arg("demo").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Demo summary"));
}

/// The README's exit-code table and the code agree.
#[test]
fn readme_exit_codes_match_the_code() {
    let readme = include_str!("../README.md");
    let mut rows = Vec::new();
    for line in readme.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() >= 4
            && let Some(code) = cells[1].strip_prefix('`').and_then(|c| c.strip_suffix('`'))
            && let Ok(code) = code.parse::<u8>()
        {
            rows.push((code, cells[2].to_lowercase()));
        }
    }
    assert_eq!(
        rows.len(),
        agentready::exit::TABLE.len(),
        "README exit-code rows: {rows:?}"
    );
    for ((code, meaning), (want_code, want_meaning)) in rows.iter().zip(agentready::exit::TABLE) {
        assert_eq!(code, want_code);
        assert!(
            meaning.starts_with(want_meaning),
            "README says `{meaning}` for {code}, code says `{want_meaning}`"
        );
    }
}

#[test]
fn api_url_gives_a_bare_origin_its_challenge() {
    let rt = runtime();
    let site = serve_site(&rt, "agent-ready");
    // The origin alone: its API-description's servers[] name the REST API,
    // whose challenge is judged; the MCP endpoint is not known.
    let (report, _) = json_report(&["scan", &site.origin, "--format", "json"]);
    assert_eq!(outcome_of(&report, "bearer-challenge"), "pass");
    let probes: Vec<&str> = report["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["probe"].as_str().unwrap())
        .collect();
    assert!(
        probes.iter().any(|p| p.starts_with("api-server@")),
        "{probes:?}"
    );
    assert!(!probes.iter().any(|p| p.contains("/mcp")), "{probes:?}");
    // Without an API description, nothing names an API: skipped.
    let no_desc = serve_site(&rt, "classic-oauth");
    let (report, _) = json_report(&["scan", &no_desc.origin, "--format", "json"]);
    assert_eq!(outcome_of(&report, "bearer-challenge"), "skip");
    let api = format!("{}/mcp", site.origin);
    let (report, code) =
        json_report(&["scan", &site.origin, "--format", "json", "--api-url", &api]);
    assert_eq!(code, 0);
    assert_eq!(outcome_of(&report, "bearer-challenge"), "pass");
    assert_eq!(outcome_of(&report, "discovery-consistency"), "pass");
    let out = agentready()
        .args(["scan", &site.origin, "--api-url", "not a url"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// A token supplied with --token-env is judged for its lifetime and never
/// appears in the table, the JSON report, the evidence file or stderr.
#[test]
fn a_supplied_token_never_leaks() {
    use base64::Engine;
    let b = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    // Lives 48 hours: over the 24 h policy.
    let token = format!(
        "{}.{}.{}",
        b(r#"{"alg":"RS256","typ":"JWT"}"#),
        b(r#"{"sub":"agent-7","iat":1767225600,"exp":1767398400,"secret_marker":"zq9-marker"}"#),
        b("signature-bytes-that-are-secret")
    );
    let dir = tempfile::tempdir().unwrap();
    let evidence = dir.path().join("ev.json");
    let rt = runtime();
    let site = serve_site(&rt, "agent-ready");
    let mut outputs = Vec::new();
    for format in ["table", "json", "markdown"] {
        let out = agentready()
            .env("AGENT_TOKEN", &token)
            .args([
                "scan",
                "--loopback-only",
                &site.target,
                "--format",
                format,
                "--token-env",
                "AGENT_TOKEN",
            ])
            .args(["--save-evidence", evidence.to_str().unwrap()])
            .output()
            .unwrap();
        // 0 or 1: the gate may fail on the fixture (its stderr is checked for leaks too).
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        outputs.push(String::from_utf8_lossy(&out.stdout).into_owned());
        outputs.push(String::from_utf8_lossy(&out.stderr).into_owned());
        outputs.push(std::fs::read_to_string(&evidence).unwrap());
    }
    let payload = token.split('.').nth(1).unwrap();
    for text in &outputs {
        assert!(!text.contains(&token), "the token leaked");
        assert!(!text.contains(payload), "the token's payload leaked");
        assert!(!text.contains("zq9-marker"), "a claim value leaked");
        assert!(
            !text.contains(&b("signature-bytes-that-are-secret")),
            "the signature leaked"
        );
    }
    let (report, _) = {
        let out = agentready()
            .env("AGENT_TOKEN", &token)
            .args([
                "scan",
                "--loopback-only",
                &site.target,
                "--format",
                "json",
                "--token-env",
                "AGENT_TOKEN",
            ])
            .output()
            .unwrap();
        (serde_json::from_slice::<Value>(&out.stdout).unwrap(), ())
    };
    assert_eq!(report["mode"], "credentialed");
    assert_eq!(outcome_of(&report, "token-lifetime"), "warn");
    // An unset variable is a usage error, not an empty token.
    let out = agentready()
        .env_remove("NO_SUCH_TOKEN_VAR")
        .args([
            "scan",
            "--loopback-only",
            &site.target,
            "--token-env",
            "NO_SUCH_TOKEN_VAR",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// A sentinel secret given as -H headers (Authorization, Cookie, a custom
/// key) and through --token-env never appears in any output format, the
/// evidence file or stderr — whatever the target sends back.
#[test]
fn a_sentinel_secret_never_appears_in_any_output() {
    let sentinel = "S3NTINEL-7f1c9a-do-not-print";
    let dir = tempfile::tempdir().unwrap();
    let evidence = dir.path().join("ev.json");
    let rt = runtime();
    let site = serve_site(&rt, "agent-ready");
    let mut checked = Vec::new();
    for format in ["table", "json", "markdown", "sarif", "junit", "html"] {
        let out_file = dir.path().join(format!("report.{format}"));
        let out = agentready()
            .env(
                "SENTINEL_TOKEN",
                format!("eyJhbGciOiJub25lIn0.eyJleHAiOjF9.{sentinel}"),
            )
            .args(["scan", "--loopback-only", &site.target, "--format", format])
            .args(["-H", &format!("Authorization: Bearer {sentinel}")])
            .args(["-H", &format!("Cookie: session={sentinel}")])
            .args(["-H", &format!("X-Api-Key: {sentinel}")])
            .args([
                "--token-env",
                "SENTINEL_TOKEN",
                "--save-evidence",
                evidence.to_str().unwrap(),
            ])
            .args(["-o", out_file.to_str().unwrap(), "--preset", "report"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        if out.status.code() == Some(2) && stderr.contains("not available yet") {
            continue;
        }
        assert_eq!(out.status.code(), Some(0), "{format}: {stderr}");
        for (what, text) in [
            ("report", std::fs::read_to_string(&out_file).unwrap()),
            ("stdout", String::from_utf8_lossy(&out.stdout).into_owned()),
            ("stderr", stderr),
            ("evidence", std::fs::read_to_string(&evidence).unwrap()),
        ] {
            assert!(
                !text.contains(sentinel),
                "{format}: the secret leaked into {what}"
            );
        }
        checked.push(format);
    }
    assert!(checked.len() >= 3, "{checked:?}");
}

#[test]
fn a_bare_host_that_refuses_tls_is_told_to_try_http() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let rt = runtime();
    let server = rt.block_on(async {
        let server = MockServer::start().await;
        // The hint is one GET of the same host and port over plain http.
        Mock::given(method("GET"))
            .and(path("/"))
            .respond_with(ResponseTemplate::new(200).set_body_string("hello"))
            .expect(1)
            .mount(&server)
            .await;
        server
    });
    let bare = format!("127.0.0.1:{}", server.address().port());
    let out = agentready()
        .args(["scan", &bare, "--loopback-only", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8(out.stderr).unwrap();
    let plain = format!("http://{bare}/");
    assert!(
        err.contains(&format!("{plain} answers plain HTTP")),
        "{err}"
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["error"].as_str().unwrap().contains(&plain));
    // Given with a scheme, no hint and no extra request.
    let out = agentready()
        .args([
            "scan",
            &format!("https://{bare}/"),
            "--loopback-only",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(
        !String::from_utf8(out.stderr)
            .unwrap()
            .contains("plain HTTP")
    );
    rt.block_on(server.verify());
}
