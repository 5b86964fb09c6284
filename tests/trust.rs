//! A default scan creates nothing, leaks nothing a server issues, and
//! judges only what it observed: lax registration endpoints on loopback
//! fixture sites, every output format grepped for the secrets they issued,
//! evidence replayed, and requests the SSRF guard (or a silent server)
//! kept from being answered.

mod common;

use agentready::engine::Engine;
use agentready::evidence::Evidence;
use agentready::fixture::{RunningSite, Site, serve};
use agentready::gather::http::{HttpClient, HttpConfig};
use agentready::gather::plan::GatherOptions;
use agentready::model::exchange::Mode;
use agentready::model::target::Target;
use agentready::render::{self, Format};
use agentready::report::Report;
use assert_cmd::Command;
use common::{codes, outcome, runtime, scan, serve_site};
use serde_json::{Value, json};
use std::time::Duration;

/// The bundled sites that model lax registration endpoints.
const LAX: [&str; 3] = [
    "lax-dcr-any-redirect-uri",
    "lax-dcr-defaults",
    "lax-dcr-ignores-body",
];

fn has(report: &Report, id: &str, code: &str) -> bool {
    codes(report, id).iter().any(|c| c == code)
}

/// The registration the scanner used to send: invalid metadata (a
/// redirect URI with a fragment) that lax servers register anyway.
fn old_probe_body() -> String {
    json!({
        "client_name": "agentready probe: an invalid registration that must be rejected",
        "redirect_uris": ["https://agentready.invalid/callback#must-be-rejected-0"],
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none"
    })
    .to_string()
}

async fn post_json(url: &str, body: &str) -> u16 {
    reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The fixtures model real lax behaviour: each registers a client from
/// invalid metadata (the old probe), and the defaults one from `{}`.
#[tokio::test]
async fn the_lax_fixtures_register_invalid_metadata() {
    for name in LAX {
        let running = serve(Site::bundled(name).unwrap()).await.unwrap();
        let url = format!("{}/register", running.origin);
        assert_eq!(post_json(&url, &old_probe_body()).await, 201, "{name}");
        assert_eq!(running.clients_left(), 1, "{name}");
        assert_eq!(post_json(&url, "{}").await, 201, "{name}");
        assert_eq!(running.clients_left(), 2, "{name}");
    }
    // Wrongly typed members: coerced away by the lenient server.
    let running = serve(Site::bundled("lax-dcr-defaults").unwrap())
        .await
        .unwrap();
    let url = format!("{}/register", running.origin);
    assert_eq!(
        post_json(&url, r#"{"redirect_uris":"https://x.invalid/cb"}"#).await,
        201
    );
    assert_eq!(running.clients_left(), 1);
}

/// The acceptance test of the safe registration probe: after a default
/// scan, no lax server keeps a client, and `client-registration` is a
/// warning (registration works), never a failure.
#[tokio::test]
async fn a_default_scan_leaves_no_client_on_a_lax_server() {
    for name in LAX {
        let running = serve(Site::bundled(name).unwrap()).await.unwrap();
        let (report, ev) = scan(&running.target).await;
        assert_eq!(running.clients_left(), 0, "{name}: a client was left");
        assert_eq!(
            outcome(&report, "client-registration"),
            "warn",
            "{name}: {:?}",
            codes(&report, "client-registration")
        );
        let requests = running.requests();
        assert_eq!(requests.get("POST /register"), Some(&1), "{name}");
        for (req, n) in &requests {
            assert_eq!(*n, 1, "{name}: {req} sent {n} times");
        }
        match name {
            "lax-dcr-ignores-body" => {
                // Created from a body that is not even JSON, deleted at once.
                assert!(has(
                    &report,
                    "client-registration",
                    "client-registration-invalid-metadata-accepted"
                ));
                assert!(has(
                    &report,
                    "client-registration",
                    "client-registration-probe-client-deleted"
                ));
                assert_eq!(
                    requests.get("DELETE /register/lax-client-1 +authorization"),
                    Some(&1),
                    "{requests:?}"
                );
                let cleanup = ev
                    .probes()
                    .keys()
                    .find(|k| k.starts_with("registration-cleanup@"))
                    .expect("the deletion is an exchange of its own");
                assert_eq!(ev.response(cleanup).unwrap().status, 204);
            }
            _ => {
                // The parser refused it: a 500 (uncaught) or an HTML page,
                // which shows the endpoint is there but answers badly.
                assert!(
                    has(
                        &report,
                        "client-registration",
                        "client-registration-error-malformed"
                    ),
                    "{name}: {:?}",
                    codes(&report, "client-registration")
                );
                assert!(!requests.keys().any(|k| k.starts_with("DELETE")));
            }
        }
    }
}

/// A client that cannot be deleted (no RFC 7592 management URI) is
/// reported as left behind, with its client id.
#[tokio::test]
async fn a_client_that_cannot_be_deleted_is_reported() {
    let running = serve(Site::bundled("sloppy-provider").unwrap())
        .await
        .unwrap();
    let (report, _) = scan(&running.target).await;
    let c = report.check("client-registration").unwrap();
    let left = c
        .findings
        .iter()
        .find(|f| f.code == "client-registration-probe-client-left")
        .expect("reported");
    assert!(left.message.contains("c-123"), "{}", left.message);
    assert_eq!(outcome(&report, "client-registration"), "warn");
}

/// Everything agentready writes of a report and its evidence.
fn every_output(report: &Report, ev: &Evidence) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = [
        Format::Table,
        Format::Json,
        Format::Markdown,
        Format::Sarif,
        Format::Junit,
        Format::Html,
    ]
    .into_iter()
    .map(|f| {
        (
            format!("{f:?}"),
            render::render(report, f, false).expect("renders"),
        )
    })
    .collect();
    out.push(("evidence".into(), serde_json::to_string_pretty(ev).unwrap()));
    out
}

/// Client secrets, registration access tokens and device codes a server
/// hands out appear in no report format and no evidence file.
#[tokio::test]
async fn issued_secrets_reach_no_output() {
    for name in ["lax-dcr-ignores-body", "lax-dcr-defaults"] {
        let running = serve(Site::bundled(name).unwrap()).await.unwrap();
        let (report, ev) = scan(&running.target).await;
        let mut secrets = running.issued_secrets();
        let redacted = match name {
            "lax-dcr-ignores-body" => {
                assert_eq!(secrets.len(), 2, "a secret and a token were issued");
                "[redacted:registration_access_token]"
            }
            _ => {
                secrets.push("lax-device-code-5f0c2a9e81d34b7f".into());
                secrets.push("5f0c2a9e81d34b7f".into());
                "[redacted:device_code]"
            }
        };
        let outputs = every_output(&report, &ev);
        for (format, text) in &outputs {
            for s in &secrets {
                assert!(
                    !text.contains(s.as_str()),
                    "{name}: {s} in the {format} output"
                );
            }
        }
        // They were seen, and replaced where they were.
        let evidence = &outputs.last().unwrap().1;
        assert!(evidence.contains(redacted), "{name}");
    }
}

fn agentready() -> Command {
    let mut c = Command::cargo_bin("agentready").unwrap();
    c.env("NO_COLOR", "1");
    c
}

/// `--save-evidence` then `--from-evidence` gives the same verdicts: the
/// redaction is stable. Batch lines hold no issued secret either.
#[test]
fn redacted_evidence_replays_and_batch_lines_hold_no_secret() {
    let rt = runtime();
    let sites: Vec<RunningSite> = ["lax-dcr-ignores-body", "lax-dcr-defaults"]
        .iter()
        .map(|n| serve_site(&rt, n))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    for (i, site) in sites.iter().enumerate() {
        let saved = dir.path().join(format!("ev{i}.json"));
        let live = agentready()
            .args(["scan", &site.target, "--format", "json", "--loopback-only"])
            .arg("--save-evidence")
            .arg(&saved)
            .output()
            .unwrap();
        let replay = agentready()
            .args(["scan", "--format", "json", "--from-evidence"])
            .arg(&saved)
            .output()
            .unwrap();
        assert_eq!(live.status.code(), replay.status.code());
        let a: Value = serde_json::from_slice(&live.stdout).unwrap();
        let b: Value = serde_json::from_slice(&replay.stdout).unwrap();
        for key in ["score", "grade", "level", "questions", "checks", "gate"] {
            assert_eq!(a[key], b[key], "{}: {key} differs on replay", site.target);
        }
        let text = std::fs::read_to_string(&saved).unwrap();
        for s in site.issued_secrets() {
            assert!(!text.contains(&s), "{s} in the evidence file");
        }
    }
    // Batch: one line per target, none holding what the servers issued.
    let input = dir.path().join("targets.txt");
    let lines: Vec<String> = sites.iter().map(|s| s.target.clone()).collect();
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let output = dir.path().join("results.jsonl");
    let run = agentready()
        .arg("batch")
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .args(["--loopback-only", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0));
    let text = std::fs::read_to_string(&output).unwrap();
    assert_eq!(text.lines().count(), 2);
    for site in &sites {
        assert_eq!(site.clients_left(), 0);
        for s in site.issued_secrets() {
            assert!(!text.contains(&s), "{s} in a batch line");
        }
    }
    assert!(!text.contains("5f0c2a9e81d34b7f"));
}

/// A loopback target whose metadata names endpoints on a private address
/// that is not the target's: the SSRF guard refuses them, and the checks
/// that needed them are not verified — `skip` with the remedy, never a
/// failure (the scan used to fail token-revocation and
/// token-introspection, and warn jwks-hygiene).
#[tokio::test]
async fn endpoints_the_guard_refuses_are_not_verified() {
    let doc = json!({
        "issuer": "{{origin}}",
        "authorization_endpoint": "{{origin}}/authorize",
        "token_endpoint": "{{origin}}/token",
        "revocation_endpoint": "http://10.0.0.7/revoke",
        "introspection_endpoint": "http://10.0.0.7/introspect",
        "jwks_uri": "http://10.0.0.7/jwks",
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"]
    });
    let site: Site = toml::from_str(&format!(
        "name = \"private-endpoints\"\ndescription = \"t\"\n[[route]]\npath = \"/.well-known/oauth-authorization-server\"\ncontent_type = \"application/json\"\nbody = '''{doc}'''\n"
    ))
    .unwrap();
    let running = serve(site).await.unwrap();
    // As `scan` configures it for a loopback target: that host is
    // reachable, other private addresses are not.
    let config = HttpConfig {
        private_hosts: vec!["127.0.0.1".into()],
        ..HttpConfig::default()
    };
    let (report, ev) = common::scan_with(&running.target, config, Duration::from_secs(10)).await;
    for x in ev
        .exchanges()
        .iter()
        .filter(|x| x.request.url.contains("10.0.0.7"))
    {
        assert!(x.response.is_none());
        assert_eq!(
            x.error.as_ref().unwrap().kind.as_str(),
            "refused",
            "{}",
            x.request.url
        );
    }
    for id in ["token-revocation", "token-introspection", "jwks-hygiene"] {
        let c = report.check(id).unwrap();
        assert_eq!(c.outcome.as_str(), "skip", "{id}: {}", c.summary);
        assert!(
            c.summary.contains("SSRF guard") && c.summary.contains("--allow-private"),
            "{id}: the reason and the remedy: {}",
            c.summary
        );
    }
    assert!(report.score.is_some(), "nothing is incomplete");
}

/// An endpoint that never answers is not a failure either: the check is
/// an error (a fault), with the remedy, and the scan is incomplete.
#[tokio::test]
async fn an_endpoint_that_never_answers_is_an_error_not_a_failure() {
    // Accepts connections and never answers them.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_addr = silent.local_addr().unwrap();
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = silent.accept().await {
            held.push(s);
        }
    });
    let doc = json!({
        "issuer": "{{origin}}",
        "authorization_endpoint": "{{origin}}/authorize",
        "token_endpoint": "{{origin}}/token",
        "revocation_endpoint": format!("http://{silent_addr}/revoke"),
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"]
    });
    let site: Site = toml::from_str(&format!(
        "name = \"silent-revocation\"\ndescription = \"t\"\n[[route]]\npath = \"/.well-known/oauth-authorization-server\"\ncontent_type = \"application/json\"\nbody = '''{doc}'''\n"
    ))
    .unwrap();
    let running = serve(site).await.unwrap();
    let config = HttpConfig {
        request_timeout: Duration::from_secs(1),
        ..HttpConfig::loopback_only()
    };
    let engine = Engine::new(Vec::new(), &["token-revocation".into()], &[]).unwrap();
    let client = HttpClient::new(config).unwrap();
    let opts = GatherOptions {
        mode: Mode::Safe,
        target_timeout: Duration::from_secs(10),
        ..GatherOptions::default()
    };
    let (report, _) = engine
        .scan(&client, &Target::parse(&running.target).unwrap(), &opts)
        .await;
    hold.abort();
    let c = report.check("token-revocation").unwrap();
    assert_eq!(c.outcome.as_str(), "error", "{}", c.summary);
    assert!(c.summary.contains("--timeout"), "{}", c.summary);
    assert!(
        !c.findings
            .iter()
            .any(|f| f.code == "token-revocation-endpoint-unavailable")
    );
}

/// Exit 2 means nothing was sent: an output (`-o`), a summary or an
/// `output` key of `agentready.toml` in a directory that does not exist
/// is refused before the first request (the scan used to run, send its
/// POSTs and rewrite the baseline, and only then exit 2).
#[test]
fn exit_2_means_nothing_was_sent() {
    let rt = runtime();
    let server = rt.block_on(wiremock::MockServer::start());
    let target = format!("{}/", server.uri());
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing-dir");
    let baseline = dir.path().join("baseline.json");
    let config = dir.path().join("agentready.toml");
    std::fs::write(
        &config,
        format!(
            "output = \"{}\"\n",
            missing
                .join("x.json")
                .display()
                .to_string()
                .replace('\\', "/")
        ),
    )
    .unwrap();
    let cases: Vec<Vec<String>> = vec![
        vec!["-o".into(), missing.join("x.json").display().to_string()],
        vec![
            "--summary".into(),
            missing.join("s.md").display().to_string(),
        ],
        vec![
            "--save-evidence".into(),
            missing.join("ev.json").display().to_string(),
        ],
        vec!["--config".into(), config.display().to_string()],
        vec![
            "-o".into(),
            missing.join("x.json").display().to_string(),
            "--baseline".into(),
            baseline.display().to_string(),
            "--update-baseline".into(),
        ],
    ];
    for args in cases {
        let out = agentready()
            .args(["scan", &target, "--loopback-only"])
            .args(&args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let sent = rt.block_on(server.received_requests()).unwrap_or_default();
        assert!(
            sent.is_empty(),
            "{args:?}: {} requests were sent",
            sent.len()
        );
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("does not exist"), "{args:?}: {stderr}");
        assert!(!baseline.exists(), "{args:?}: the baseline was written");
    }
    // The same paths in a directory that exists: the scan runs.
    let out = agentready()
        .args(["scan", &target, "--loopback-only", "--preset", "report"])
        .arg("-o")
        .arg(dir.path().join("x.json"))
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(2));
    assert!(!rt.block_on(server.received_requests()).unwrap().is_empty());
}

/// A report baseline written for another target is a usage error before
/// anything is sent (it used to pass the gate silently); with
/// `--baseline-any-target` it is compared, and the gate says so.
#[test]
fn a_baseline_report_for_another_target_is_refused() {
    let rt = runtime();
    let a = serve_site(&rt, "agent-ready");
    let b = serve_site(&rt, "classic-oauth");
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("a.json");
    let made = agentready()
        .args(["scan", &a.target, "--loopback-only", "--format", "json"])
        .arg("-o")
        .arg(&old)
        .output()
        .unwrap();
    assert_eq!(made.status.code(), Some(0));
    let before = b.requests().len();
    let out = agentready()
        .args(["scan", &b.target, "--loopback-only", "--format", "json"])
        .arg("--baseline")
        .arg(&old)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--baseline-any-target"), "{stderr}");
    assert_eq!(b.requests().len(), before, "nothing was sent");
    // The same target: compared as before.
    let same = agentready()
        .args(["scan", &a.target, "--loopback-only", "--format", "json"])
        .arg("--baseline")
        .arg(&old)
        .output()
        .unwrap();
    assert_eq!(same.status.code(), Some(0));
    // Accepted on purpose: compared, with the difference noted.
    let any = agentready()
        .args(["scan", &b.target, "--loopback-only", "--format", "json"])
        .arg("--baseline")
        .arg(&old)
        .arg("--baseline-any-target")
        .output()
        .unwrap();
    assert_ne!(any.status.code(), Some(2));
    let r: Value = serde_json::from_slice(&any.stdout).unwrap();
    assert!(
        r["gate"]["warnings"]
            .to_string()
            .contains("different targets"),
        "{}",
        r["gate"]
    );
}

/// `--only pkce --fail-under 80` on a server where both PKCE checks pass:
/// the checks that did not run cap nothing (the scan used to exit 1 with
/// score 20, "level 0").
#[test]
fn checks_that_did_not_run_do_not_cap_the_score() {
    let rt = runtime();
    let site = serve_site(&rt, "agent-ready");
    for selection in [vec!["--only", "pkce"], vec!["--skip", "discovery"]] {
        let out = agentready()
            .args(["scan", &site.target, "--loopback-only", "--format", "json"])
            .args(&selection)
            .args(["--fail-under", "80"])
            .output()
            .unwrap();
        let r: Value = serde_json::from_slice(&out.stdout).unwrap();
        common::assert_report_schema(&r);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{selection:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(r["score"], 100, "{selection:?}: {}", r["score_caps"]);
        assert!(r.get("score_caps").is_none(), "{selection:?}");
        if selection[0] == "--only" {
            assert_eq!(r["level"], Value::Null);
            let q1 = &r["questions"][0];
            assert_eq!(q1["answer"], "unknown");
        }
    }
}

/// An unreachable target is not an "invisible" site: no score, grade or
/// level, every question unknown, exit 3 (it used to say level 0, score
/// capped at 20 and seven questions "no").
#[test]
fn an_unreachable_target_has_no_score_level_or_answers() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let target = format!("http://127.0.0.1:{port}/");
    let out = agentready()
        .args(["scan", &target, "--loopback-only", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    common::assert_report_schema(&r);
    for key in ["score", "grade", "level", "level_name"] {
        assert_eq!(r[key], Value::Null, "{key}");
    }
    assert!(r.get("score_caps").is_none());
    for q in r["questions"].as_array().unwrap() {
        assert_eq!(q["answer"], "unknown", "{}", q["id"]);
    }
    let table = agentready()
        .args(["scan", &target, "--loopback-only"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("Level — (not established)"), "{text}");
}

fn lines_in(path: &std::path::Path) -> usize {
    std::fs::read(path)
        .map(|b| b.iter().filter(|c| **c == b'\n').count())
        .unwrap_or(0)
}

fn meta_of(output: &std::path::Path) -> Value {
    let p = format!("{}.meta.json", output.display());
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// Start a batch, wait for its first lines, send `signal`, and return its
/// exit code, its stderr and the lines written when it was signalled.
fn interrupt_batch(
    input: &std::path::Path,
    output: &std::path::Path,
    extra: &[&str],
    signal: &str,
) -> (Option<i32>, String, usize) {
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("agentready"))
        .arg("batch")
        .arg(input)
        .arg("-o")
        .arg(output)
        // A global rate keeps the run long enough to be interrupted.
        .args([
            "--loopback-only",
            "--rate",
            "200",
            "--concurrency",
            "2",
            "--quiet",
        ])
        .args(extra)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let before = lines_in(output);
    let t0 = std::time::Instant::now();
    while lines_in(output) < before + 3 {
        assert!(t0.elapsed() < Duration::from_secs(60), "no progress");
        std::thread::sleep(Duration::from_millis(5));
    }
    let at_signal = lines_in(output);
    let sent = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        at_signal,
    )
}

/// Ctrl-C (SIGINT) or SIGTERM in `batch`: the targets in flight are
/// finished and written, the metadata file says `interrupted` with the
/// real counts, stderr says how to resume, the exit code is 130, and
/// `--resume` completes the run (it used to leave `status: running` with
/// every count at 0, and print no summary).
#[test]
fn an_interrupted_batch_says_so_and_resumes() {
    let rt = runtime();
    let site = serve_site(&rt, "no-auth");
    let targets: Vec<String> = (0..80)
        .map(|i| format!("{}/t/{i:04}", site.origin))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("targets.txt");
    std::fs::write(&input, targets.join("\n") + "\n").unwrap();
    let output = dir.path().join("results.jsonl");

    let (code, stderr, at_signal) = interrupt_batch(&input, &output, &[], "-INT");
    assert_eq!(code, Some(130), "{stderr}");
    let written = lines_in(&output);
    assert!(written >= at_signal && written < targets.len(), "{written}");
    let m = meta_of(&output);
    assert_eq!(m["status"], "interrupted", "{m}");
    assert_eq!(m["counts"]["scanned"], written, "the real counts: {m}");
    assert_eq!(m["counts"]["complete"], written, "{m}");
    assert!(m["finished_at"].is_string());
    assert!(
        stderr.contains("interrupted") && stderr.contains("--resume"),
        "{stderr}"
    );
    // Every line is a whole report.
    let text = std::fs::read_to_string(&output).unwrap();
    for l in text.lines() {
        serde_json::from_str::<Value>(l).expect("a whole report per line");
    }

    // SIGTERM does the same, on the resumed run.
    let (code, stderr, _) = interrupt_batch(&input, &output, &["--resume"], "-TERM");
    assert_eq!(code, Some(130), "{stderr}");
    let m = meta_of(&output);
    assert_eq!(m["status"], "interrupted", "{m}");
    assert_eq!(m["previous_runs"][0]["status"], "interrupted");

    // And --resume completes it: every target exactly once.
    let done = agentready()
        .arg("batch")
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .args(["--loopback-only", "--quiet", "--resume"])
        .output()
        .unwrap();
    assert_eq!(done.status.code(), Some(0));
    let text = std::fs::read_to_string(&output).unwrap();
    let mut urls: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["target"]["url"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    urls.sort();
    let mut want = targets.clone();
    want.sort();
    assert_eq!(urls, want, "every target exactly once");
    assert_eq!(meta_of(&output)["status"], "complete");
}

/// A dependency outside `--only`: discovery-consistency compares
/// `agent_auth.skill` with the auth.md the resource serves, which only the
/// agent-auth checks fetch. Selected alone it cannot verify that link: not
/// a pass, `skip` with the remedy (widen `--only`).
#[tokio::test]
async fn a_dependency_outside_only_is_not_verified() {
    let running = serve(Site::bundled("agent-ready").unwrap()).await.unwrap();
    let client = HttpClient::new(HttpConfig::loopback_only()).unwrap();
    let target = Target::parse(&running.target).unwrap();
    let scan_only = |only: &[&str]| {
        let engine = Engine::new(
            Vec::new(),
            &only.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            &[],
        )
        .unwrap();
        let client = client.clone();
        let target = target.clone();
        async move {
            engine
                .scan(&client, &target, &GatherOptions::default())
                .await
                .0
        }
    };
    let alone = scan_only(&["discovery-consistency"]).await;
    let c = alone.check("discovery-consistency").unwrap();
    assert_eq!(c.outcome.as_str(), "skip", "{}", c.summary);
    assert!(c.summary.contains("--only"), "{}", c.summary);
    assert_eq!(c.not_verified.len(), 1);
    let with = scan_only(&["discovery-consistency", "auth-md"]).await;
    assert_eq!(outcome(&with, "discovery-consistency"), "pass");
}
