//! A default scan creates nothing, leaks nothing a server issues, and
//! judges only what it observed: lax registration endpoints on loopback
//! fixture sites, every output format grepped for the secrets they issued,
//! evidence replayed, and requests the SSRF guard (or a silent server)
//! kept from being answered.

mod common;

use agentready::engine::Engine;
use agentready::evidence::{Evidence, Mode};
use agentready::fixture::{RunningSite, Site, serve};
use agentready::http::{HttpClient, HttpConfig};
use agentready::probe::GatherOptions;
use agentready::render::{self, Format};
use agentready::report::Report;
use agentready::target::Target;
use assert_cmd::Command;
use common::{codes, outcome, scan};
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
                    .probes
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
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let sites: Vec<RunningSite> = ["lax-dcr-ignores-body", "lax-dcr-defaults"]
        .iter()
        .map(|n| rt.block_on(serve(Site::bundled(n).unwrap())).unwrap())
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
        .exchanges
        .iter()
        .filter(|x| x.request.url.contains("10.0.0.7"))
    {
        assert!(x.response.is_none());
        assert_eq!(
            x.error.as_ref().unwrap().kind,
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
