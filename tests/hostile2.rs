//! Hostile targets, second round: what an attacker-controlled target tried
//! beyond the first suite (`tests/hostile.rs`) — the SSRF guard through
//! IPv6 spellings of private addresses, proxies, secrets that come back
//! encoded, terminal escapes, documents that are JSON in all but one
//! member, and batch runs that must survive their input and each other.
//! Memory bombs have their own process: `tests/hostile_memory.rs`.

mod common;

use agentready::engine::Engine;
use agentready::evidence::Evidence;
use agentready::gather::http::{HttpClient, HttpConfig, parse_resolve};
use agentready::gather::plan::GatherOptions;
use agentready::model::exchange::Mode;
use agentready::model::target::Target;
use agentready::report::Report;
use assert_cmd::Command;
use common::{RawRequest, decoded, http_response, json_escaped, json_response, raw_http, runtime};
use serde_json::Value;
use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

fn agentready() -> Command {
    let mut c = Command::cargo_bin("agentready").unwrap();
    c.env("NO_COLOR", "1");
    for v in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        c.env_remove(v);
    }
    c
}

fn config() -> HttpConfig {
    HttpConfig {
        request_timeout: Duration::from_secs(3),
        connect_timeout: Duration::from_secs(1),
        ..HttpConfig::default()
    }
}

async fn scan(target: &str, config: HttpConfig) -> (Report, Evidence) {
    let engine = Engine::new(Vec::new(), &[], &[]).unwrap();
    let client = HttpClient::new(config).unwrap();
    let t = Target::parse(target).unwrap();
    let opts = GatherOptions {
        mode: Mode::Safe,
        target_timeout: Duration::from_secs(8),
        ..GatherOptions::default()
    };
    engine.scan(&client, &t, &opts).await
}

fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default()
}

/// Exchanges whose URL host is one of `hosts`, with their error kinds.
fn exchanges_to<'a>(ev: &'a Evidence, hosts: &[&str]) -> Vec<(&'a str, Option<&'a str>)> {
    ev.exchanges()
        .iter()
        .filter(|x| hosts.contains(&host_of(&x.request.url).as_str()))
        .map(|x| {
            (
                x.request.url.as_str(),
                x.error.as_ref().map(|e| e.kind.as_str()),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------
// 1. SSRF: private addresses in IPv6 clothing

/// A "public" target (a name pinned to the loopback server) whose metadata,
/// protected-resource document and redirect lead to a loopback service
/// through every IPv6 spelling of an IPv4 address, and to names that
/// resolve to such spellings. Nothing may reach the service, and nothing
/// may even try to connect to the cloud metadata address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ipv6_spellings_of_private_addresses_are_refused_without_a_connection() {
    let inner = raw_http(Arc::new(|_: &RawRequest| {
        json_response(200, r#"{"keys":[]}"#)
    }))
    .await;
    let ip = inner.addr.port();
    let inner_port = ip;
    let outer = raw_http(Arc::new(move |r: &RawRequest| {
        let origin = r
            .head
            .lines()
            .find_map(|l| l.strip_prefix("host: ").or_else(|| l.strip_prefix("Host: ")))
            .map(|h| format!("http://{}", h.trim()))
            .unwrap_or_default();
        let p = inner_port;
        match r.target.as_str() {
            "/" => http_response(
                302,
                &[("location", &format!("http://[::ffff:127.0.0.1]:{p}/admin"))],
                b"",
            ),
            "/.well-known/oauth-authorization-server" => json_response(
                200,
                &serde_json::json!({
                    "issuer": origin,
                    "authorization_endpoint": format!("{origin}/authorize"),
                    "token_endpoint": format!("http://[::127.0.0.1]:{p}/token"),
                    "response_types_supported": ["code"],
                    "grant_types_supported": ["authorization_code", "urn:ietf:params:oauth:grant-type:device_code"],
                    "code_challenge_methods_supported": ["S256"],
                    "jwks_uri": format!("http://[::ffff:127.0.0.1]:{p}/jwks"),
                    "registration_endpoint": format!("http://[::ffff:7f00:1]:{p}/register"),
                    "device_authorization_endpoint": format!("http://[64:ff9b::7f00:1]:{p}/device"),
                    "revocation_endpoint": format!("http://metadata.attacker.test:{p}/revoke"),
                    "introspection_endpoint": format!("http://mapped.attacker.test:{p}/introspect"),
                })
                .to_string(),
            ),
            "/.well-known/oauth-protected-resource" => json_response(
                200,
                &serde_json::json!({
                    "resource": origin,
                    "authorization_servers": [format!("http://[2002:7f00:1::]:{p}")],
                })
                .to_string(),
            ),
            _ => http_response(404, &[], b""),
        }
    }))
    .await;
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    let cfg = HttpConfig {
        resolve: vec![parse_resolve(&format!("public.example:{}", outer.addr.ip())).unwrap()],
        static_hosts: vec![
            // A DNS answer pointing at the cloud metadata service, and one
            // pointing at loopback, both as IPv4-mapped IPv6.
            (
                "metadata.attacker.test".into(),
                vec![ip("::ffff:169.254.169.254")],
            ),
            ("mapped.attacker.test".into(), vec![ip("::ffff:127.0.0.1")]),
        ],
        ..config()
    };
    let target = format!("http://public.example:{}/", outer.addr.port());
    let (report, ev) = scan(&target, cfg).await;
    assert_eq!(inner.connections(), 0, "the loopback service was reached");
    let hostile = exchanges_to(
        &ev,
        &[
            "[::ffff:7f00:1]",
            "[::7f00:1]",
            "[64:ff9b::7f00:1]",
            "[2002:7f00:1::]",
            "metadata.attacker.test",
            "mapped.attacker.test",
        ],
    );
    assert!(hostile.len() >= 6, "{hostile:?}\n{:#?}", report.exchanges);
    for (url, kind) in &hostile {
        assert_eq!(*kind, Some("refused"), "{url}");
    }
    // The redirect to a mapped address is refused too.
    let root = ev
        .exchanges()
        .iter()
        .find(|x| x.request.url == target)
        .expect("the target URL was requested");
    assert_eq!(
        root.error.as_ref().map(|e| e.kind.as_str()),
        Some("refused")
    );
    // No connection was tried to the metadata address: the resolver's
    // refusal is the error, not a connect failure or a timeout.
    let meta = ev
        .exchanges()
        .iter()
        .find(|x| x.request.url.contains("metadata.attacker.test"))
        .expect("the revocation probe was planned");
    let e = meta.error.as_ref().unwrap();
    assert!(e.message.contains("SSRF guard"), "{}", e.message);
}

/// A loopback target is one machine: its documents may name `localhost`
/// or another loopback address and port. A private address other than the
/// target's own stays refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_loopback_target_follows_links_to_other_loopback_names_and_ports() {
    let inner = raw_http(Arc::new(|_: &RawRequest| {
        json_response(200, r#"{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","use":"sig","kid":"1"}]}"#)
    }))
    .await;
    let p = inner.addr.port();
    let outer = raw_http(Arc::new(move |r: &RawRequest| match r.target.as_str() {
        "/.well-known/oauth-authorization-server" => json_response(
            200,
            &serde_json::json!({
                "issuer": "__ORIGIN__",
                "response_types_supported": ["code"],
                "jwks_uri": format!("http://localhost:{p}/jwks"),
                "registration_endpoint": "http://10.255.255.1:9/register",
            })
            .to_string(),
        ),
        _ => http_response(404, &[], b""),
    }))
    .await;
    let target = format!("http://{}/", outer.addr);
    let cfg = HttpConfig {
        private_hosts: vec![outer.addr.ip().to_string()],
        ..config()
    };
    let (_, ev) = scan(&target, cfg).await;
    let jwks = exchanges_to(&ev, &["localhost"]);
    assert_eq!(jwks.len(), 1, "{jwks:?}");
    assert_eq!(jwks[0].1, None, "the loopback link was fetched: {jwks:?}");
    assert!(inner.connections() >= 1);
    let private = exchanges_to(&ev, &["10.255.255.1"]);
    assert_eq!(
        private,
        vec![("http://10.255.255.1:9/register", Some("refused"))]
    );
}

/// `batch` without `--allow-private` does not scan a target written as an
/// IPv4-mapped loopback address, and `--exclude 127.0.0.1` covers every
/// spelling of it.
#[test]
fn batch_refuses_mapped_loopback_targets_and_exclusions_cover_every_spelling() {
    let rt = runtime();
    let server = rt.block_on(raw_http(Arc::new(|_: &RawRequest| {
        json_response(200, "{}")
    })));
    let p = server.addr.port();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("t.txt");
    std::fs::write(
        &input,
        format!("http://[::ffff:127.0.0.1]:{p}/\nhttp://[::ffff:7f00:1]:{p}/api\n"),
    )
    .unwrap();
    let out = dir.path().join("r.jsonl");
    let run = agentready()
        .args([
            "batch",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--quiet",
        ])
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(server.connections(), 0, "a private target was scanned");
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    for r in &lines {
        assert!(
            r["error"].as_str().unwrap().contains("SSRF guard"),
            "{}",
            r["error"]
        );
    }
    // With --allow-private, the opt-out entry 127.0.0.1 covers both.
    let exclude = dir.path().join("optout.txt");
    std::fs::write(&exclude, "127.0.0.1\n").unwrap();
    let out2 = dir.path().join("r2.jsonl");
    let run = agentready()
        .args([
            "batch",
            input.to_str().unwrap(),
            "-o",
            out2.to_str().unwrap(),
            "--quiet",
            "--allow-private",
            "--exclude",
            exclude.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(server.connections(), 0, "an excluded address was contacted");
    let meta: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("r2.jsonl.meta.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(meta["counts"]["excluded"], 2);
}

/// An address on the opt-out list is not contacted under a name that
/// resolves to it either (`localhost` here, which the resolver answers with
/// 127.0.0.1 and ::1 without asking DNS).
#[test]
fn an_opted_out_address_is_not_contacted_under_any_name() {
    let rt = runtime();
    let server = rt.block_on(raw_http(Arc::new(|_: &RawRequest| {
        json_response(200, "{}")
    })));
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("t.txt");
    std::fs::write(
        &input,
        format!("http://localhost:{}/\n", server.addr.port()),
    )
    .unwrap();
    let exclude = dir.path().join("optout.txt");
    std::fs::write(&exclude, "127.0.0.1\n::1\n").unwrap();
    let out = dir.path().join("r.jsonl");
    let run = agentready()
        .args([
            "batch",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--quiet",
        ])
        .args(["--allow-private", "--exclude", exclude.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        server.connections(),
        0,
        "an opted-out address was contacted"
    );
    let report: Value = serde_json::from_str(
        std::fs::read_to_string(&out)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert!(
        report["error"].as_str().unwrap().contains("opt-out list"),
        "{}",
        report["error"]
    );
}

// ---------------------------------------------------------------------------
// 4. Proxies

/// `HTTP_PROXY` and its kin are not read: a scan sends nothing to them.
#[test]
fn proxy_variables_in_the_environment_are_ignored() {
    let rt = runtime();
    let proxy = rt.block_on(raw_http(Arc::new(|_: &RawRequest| {
        http_response(502, &[], b"")
    })));
    let site = rt.block_on(raw_http(Arc::new(|_: &RawRequest| {
        http_response(404, &[], b"")
    })));
    let proxy_url = format!("http://{}", proxy.addr);
    let out = agentready()
        .args([
            "scan",
            &format!("http://{}/", site.addr),
            "--format",
            "json",
            "--preset",
            "report",
        ])
        .env("HTTP_PROXY", &proxy_url)
        .env("http_proxy", &proxy_url)
        .env("HTTPS_PROXY", &proxy_url)
        .env("ALL_PROXY", &proxy_url)
        .output()
        .unwrap();
    assert_ne!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(proxy.connections(), 0, "an environment proxy was used");
    assert!(site.connections() > 0);
}

/// Through `--proxy`, every name is resolved and judged before it goes to
/// the proxy: a document naming an internal host does not make the proxy
/// fetch it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_a_proxy_every_name_is_guarded_before_it_is_sent() {
    // The proxy answers as the origin itself would.
    let proxy = raw_http(Arc::new(|r: &RawRequest| match r.target.as_str() {
        "http://public.test/.well-known/oauth-authorization-server" => json_response(
            200,
            r#"{"issuer":"http://public.test","response_types_supported":["code"],
                    "jwks_uri":"http://internal.corp.test/jwks",
                    "registration_endpoint":"http://internal.corp.test/register",
                    "revocation_endpoint":"http://unresolvable.corp.test/revoke"}"#,
        ),
        _ => http_response(404, &[], b""),
    }))
    .await;
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    let cfg = HttpConfig {
        proxy: Some(url::Url::parse(&format!("http://{}", proxy.addr)).unwrap()),
        static_hosts: vec![
            ("public.test".into(), vec![ip("8.8.8.8")]),
            ("internal.corp.test".into(), vec![ip("10.1.2.3")]),
            ("unresolvable.corp.test".into(), vec![]),
        ],
        ..config()
    };
    let (_, ev) = scan("http://public.test/", cfg).await;
    let seen = proxy.requests();
    assert!(
        seen.iter()
            .any(|r| r.contains("http://public.test/.well-known/oauth-authorization-server")),
        "{seen:?}"
    );
    assert!(
        !seen.iter().any(|r| r.contains("corp.test")),
        "an internal name reached the proxy: {seen:?}"
    );
    let internal = exchanges_to(&ev, &["internal.corp.test"]);
    assert!(internal.len() >= 2, "{internal:?}");
    assert!(
        internal.iter().all(|(_, k)| *k == Some("refused")),
        "{internal:?}"
    );
}

// ---------------------------------------------------------------------------
// 3. Secrets that come back encoded, short, or in error messages

const LONG: &str = "sk-LONGSECRET-9f3a2b";
const TOKEN: &str = "tok-SECRETTWO-77c1";
/// Short, and made of characters no nonce or address contains.
const SHORT: &str = "Q!z";

/// A target that hands the user's secrets back in every way it can:
/// JSON-escaped in documents and error bodies, percent-encoded in a link,
/// inside a refused non-HTTP Location, along a redirect chain that ends at
/// the redirect limit, and a short value in plain sight.
async fn echoing_server() -> common::RawServer {
    raw_http(Arc::new(|r: &RawRequest| {
        let origin = r
            .head
            .lines()
            .find_map(|l| l.strip_prefix("host: ").or_else(|| l.strip_prefix("Host: ")))
            .map(|h| format!("http://{}", h.trim()))
            .unwrap_or_default();
        let esc_long = json_escaped(LONG);
        let esc_token = json_escaped(TOKEN);
        if r.method == "POST" {
            return json_response(
                400,
                &format!(
                    r#"{{"error":"invalid_request","error_description":"key {esc_long} token {esc_token} tenant {SHORT}"}}"#
                ),
            );
        }
        let path = r.target.split('?').next().unwrap_or_default();
        match path {
            "/.well-known/oauth-authorization-server" => json_response(
                200,
                &format!(
                    r#"{{"issuer":"{esc_long}","response_types_supported":["code"],
                    "authorization_endpoint":"{origin}/authorize",
                    "token_endpoint":"{origin}/token",
                    "grant_types_supported":["authorization_code","urn:ietf:params:oauth:grant-type:device_code"],
                    "code_challenge_methods_supported":["S256"],
                    "scopes_supported":["{SHORT}", "read:{esc_token}"],
                    "jwks_uri":"{origin}/jwks?key={esc_long}",
                    "registration_endpoint":"{origin}/register",
                    "device_authorization_endpoint":"{origin}/device",
                    "revocation_endpoint":"{origin}/revoke"}}"#
                ),
            ),
            "/.well-known/openid-configuration" => http_response(
                302,
                &[("location", &format!("ftp://127.0.0.1/?key={LONG}&t={SHORT}"))],
                b"",
            ),
            "/.well-known/oauth-protected-resource" | "/loop" => http_response(
                302,
                &[("location", &format!("/loop?key={LONG}&n={}", r.target.len()))],
                b"",
            ),
            _ => http_response(
                401,
                &[
                    ("content-type", "application/json"),
                    (
                        "link",
                        &format!(r#"<{origin}/openapi.json?k=%73k-LONGSECRET-9f3a2b>; rel="service-desc""#),
                    ),
                    (
                        "www-authenticate",
                        &format!(r#"Bearer error="invalid_token", error_description="bad tenant {SHORT}""#),
                    ),
                ],
                format!(r#"{{"error":"bad key {esc_long} for tenant {SHORT}"}}"#).as_bytes(),
            ),
        }
    }))
    .await
}

fn assert_no_secret(what: &str, text: &str) {
    let plain = decoded(text);
    for s in [LONG, "LONGSECRET", TOKEN, "SECRETTWO", SHORT] {
        assert!(!text.contains(s), "{what}: `{s}` leaked");
        assert!(
            !plain.contains(s),
            "{what}: `{s}` leaked in an encoded form"
        );
    }
}

const SECRET_HEADERS: [&str; 6] = [
    "-H",
    "X-Api-Key: sk-LONGSECRET-9f3a2b",
    "-H",
    "Authorization: Bearer tok-SECRETTWO-77c1",
    "-H",
    "X-Tenant: Q!z",
];

/// Every sink: the six formats, the summary file, the evidence file,
/// stdout and stderr of `scan`, and the JSONL, metadata and stderr of
/// `batch`.
#[test]
fn echoed_secrets_reach_no_sink_in_any_form() {
    let rt = runtime();
    let server = rt.block_on(echoing_server());
    let target = format!("http://{}/", server.addr);
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for format in ["table", "json", "markdown", "sarif", "junit", "html"] {
        let report = dir.path().join(format!("report.{format}"));
        let evidence = dir.path().join(format!("ev-{format}.json"));
        let summary = dir.path().join(format!("summary-{format}.md"));
        let out = agentready()
            .args(["scan", &target, "--format", format, "--fail-under", "100"])
            .args(SECRET_HEADERS)
            .args(["-o", report.to_str().unwrap()])
            .args(["--save-evidence", evidence.to_str().unwrap()])
            .args(["--summary", summary.to_str().unwrap()])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            matches!(out.status.code(), Some(1 | 3)),
            "{format}: {stderr}"
        );
        let report_text = std::fs::read_to_string(&report).unwrap();
        let evidence_text = std::fs::read_to_string(&evidence).unwrap();
        if format == "json" {
            // The hostile material did reach the report, redacted.
            assert!(report_text.contains("[redacted]"), "{report_text}");
            assert!(evidence_text.contains("[redacted]"));
            assert!(
                report_text.contains("redirect-limit"),
                "the redirect chain ended at the limit"
            );
            assert!(
                report_text.contains("redirect-refused"),
                "the ftp Location was refused"
            );
        }
        for (what, text) in [
            ("report", report_text),
            ("evidence", evidence_text),
            ("summary", std::fs::read_to_string(&summary).unwrap()),
            ("stdout", String::from_utf8_lossy(&out.stdout).into_owned()),
            ("stderr", stderr),
        ] {
            assert_no_secret(&format!("scan --format {format}: {what}"), &text);
        }
        checked += 1;
    }
    assert_eq!(checked, 6);

    let input = dir.path().join("t.txt");
    std::fs::write(&input, format!("{target}\n")).unwrap();
    let results = dir.path().join("r.jsonl");
    let out = agentready()
        .args([
            "batch",
            input.to_str().unwrap(),
            "-o",
            results.to_str().unwrap(),
            "--allow-private",
        ])
        .args(SECRET_HEADERS)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(matches!(out.status.code(), Some(0 | 3)), "{stderr}");
    let lines = std::fs::read_to_string(&results).unwrap();
    assert!(lines.contains("[redacted]"));
    for (what, text) in [
        ("batch results", lines),
        (
            "batch metadata",
            std::fs::read_to_string(dir.path().join("r.jsonl.meta.json")).unwrap(),
        ),
        ("batch stderr", stderr),
    ] {
        assert_no_secret(what, &text);
    }
}

// ---------------------------------------------------------------------------
// 5. Terminal escapes

/// Escape sequences a target sends: ESC (CSI and OSC: clear the screen,
/// retitle the window, write the clipboard), BEL, an 8-bit CSI, a bidi
/// override.
const ESCAPES: &str = "\u{1b}[2J\u{1b}]0;pwned\u{7}\u{1b}]52;c;ZXZpbA==\u{7}\u{9b}31m\u{202e}";

fn assert_terminal_safe(what: &str, text: &str) {
    for c in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'] {
        assert!(!text.contains(c), "{what}: {c:?} reached the terminal");
    }
}

#[test]
fn terminal_escapes_from_a_target_reach_no_terminal_output() {
    let rt = runtime();
    let esc_json = json_escaped(ESCAPES);
    let server = rt.block_on(raw_http(Arc::new(move |r: &RawRequest| {
        let origin = r
            .head
            .lines()
            .find_map(|l| l.strip_prefix("host: ").or_else(|| l.strip_prefix("Host: ")))
            .map(|h| format!("http://{}", h.trim()))
            .unwrap_or_default();
        if r.method == "POST" {
            // Raw bytes in a live probe's answer: the "got:" line.
            let mut body = b"{\"error\":\"invalid_request".to_vec();
            body.extend_from_slice(ESCAPES.as_bytes());
            body.extend_from_slice(b"\"}");
            return http_response(400, &[("content-type", "application/json")], &body);
        }
        match r.target.as_str() {
            "/.well-known/oauth-authorization-server" => json_response(
                200,
                &format!(
                    r#"{{"issuer":"https://evil.example/{esc_json}","response_types_supported":["code"],
                    "grant_types_supported":["urn:ietf:params:oauth:grant-type:device_code"],
                    "device_authorization_endpoint":"{origin}/device{esc_json}",
                    "registration_endpoint":"{origin}/register{esc_json}"}}"#
                ),
            ),
            _ => http_response(404, &[], b""),
        }
    })));
    let target = format!("http://{}/", server.addr);
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.json");
    let out = agentready()
        .args([
            "scan",
            &target,
            "--fail-under",
            "100",
            "--deny",
            "issuer-identifier",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stdout.contains("got:"),
        "the live probes' answers are shown: {stdout}"
    );
    assert!(stdout.contains("evil.example"), "{stdout}");
    assert!(stderr.contains("gate failed"), "{stderr}");
    assert_terminal_safe("scan table", &stdout);
    assert_terminal_safe("scan stderr", &stderr);

    // The diff of two reports that carry the escapes.
    let run = agentready()
        .args([
            "scan",
            &target,
            "--format",
            "json",
            "-o",
            report.to_str().unwrap(),
            "--preset",
            "report",
        ])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0));
    let mut old: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    old["checks"][0]["outcome"] = "pass".into();
    old["checks"][0]["findings"] = serde_json::json!([]);
    let old_path = dir.path().join("old.json");
    std::fs::write(&old_path, old.to_string()).unwrap();
    let out = agentready()
        .args(["diff", old_path.to_str().unwrap(), report.to_str().unwrap()])
        .output()
        .unwrap();
    let diff = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(diff.contains("evil.example"), "{diff}");
    assert_terminal_safe("diff", &diff);

    // A batch input line full of escapes, echoed on stderr as invalid.
    let input = dir.path().join("t.txt");
    std::fs::write(&input, format!("not a target {ESCAPES}\n")).unwrap();
    let out = agentready()
        .args([
            "batch",
            input.to_str().unwrap(),
            "-o",
            dir.path().join("b.jsonl").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(stderr.contains("line 1: skipped"), "{stderr}");
    assert_terminal_safe("batch stderr", &stderr);
}

// ---------------------------------------------------------------------------
// 9. Documents that are JSON in all but one member

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_unrepresentable_member_does_not_hide_the_document() {
    let server = raw_http(Arc::new(|r: &RawRequest| {
        let origin = r
            .head
            .lines()
            .find_map(|l| {
                l.strip_prefix("host: ")
                    .or_else(|| l.strip_prefix("Host: "))
            })
            .map(|h| format!("http://{}", h.trim()))
            .unwrap_or_default();
        match r.target.as_str() {
            "/.well-known/oauth-authorization-server" => json_response(
                200,
                &format!(
                    r#"{{"issuer":"{origin}","response_types_supported":["code"],
                    "authorization_endpoint":"{origin}/authorize","token_endpoint":"{origin}/token",
                    "code_challenge_methods_supported":["S256"],
                    "x_max_age":1e400,"op_policy_uri":"{origin}/\ud800policy"}}"#
                ),
            ),
            _ => http_response(404, &[], b""),
        }
    }))
    .await;
    let target = format!("http://{}/", server.addr);
    let (report, _) = scan(
        &target,
        HttpConfig {
            private_hosts: vec![server.addr.ip().to_string()],
            ..config()
        },
    )
    .await;
    let discovery = report.check("as-metadata-discovery").unwrap();
    assert_eq!(discovery.outcome.as_str(), "pass", "{}", discovery.summary);
    assert_eq!(report.check("pkce-s256").unwrap().outcome.as_str(), "pass");
    let conformance = report.check("as-metadata-conformance").unwrap();
    let members: Vec<&str> = conformance
        .findings
        .iter()
        .filter(|f| f.code == "as-metadata-conformance-json-member")
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(members.len(), 2, "{:#?}", conformance.findings);
    assert!(
        members[0].contains("`/x_max_age`: the number 1e400"),
        "{members:?}"
    );
    assert!(
        members[1].contains("`/op_policy_uri`: a lone surrogate"),
        "{members:?}"
    );
}

// ---------------------------------------------------------------------------
// 7–9. Batch runs that must survive their input and each other

fn batch_args(input: &Path, output: &Path) -> Vec<String> {
    vec![
        "batch".into(),
        input.display().to_string(),
        "-o".into(),
        output.display().to_string(),
        "--loopback-only".into(),
    ]
}

/// Two runs on one output: the second is refused while the first holds
/// it, and no target appears twice.
#[test]
fn a_second_batch_on_the_same_output_is_refused() {
    let rt = runtime();
    // A slow site keeps the first run busy for a few seconds.
    let server = rt.block_on(raw_http(Arc::new(|_: &RawRequest| {
        std::thread::sleep(Duration::from_millis(300));
        http_response(404, &[], b"")
    })));
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("t.txt");
    std::fs::write(&input, format!("http://{}/\n", server.addr)).unwrap();
    let output = dir.path().join("r.jsonl");
    let mut first = std::process::Command::new(assert_cmd::cargo::cargo_bin("agentready"))
        .args(batch_args(&input, &output))
        .args(["--quiet", "--per-host", "1"])
        .spawn()
        .unwrap();
    // Wait until the first run has started (its metadata file appears).
    let meta = dir.path().join("r.jsonl.meta.json");
    for _ in 0..200 {
        if meta.exists() {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    assert!(meta.exists());
    let second = agentready()
        .args(batch_args(&input, &output))
        .arg("--resume")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&second.stderr).into_owned();
    let first_status = first.wait().unwrap();
    assert_eq!(second.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("in use by another agentready batch"),
        "{stderr}"
    );
    assert!(first_status.code().is_some_and(|c| c == 0 || c == 3));
    let lines = std::fs::read_to_string(&output).unwrap();
    assert_eq!(lines.lines().count(), 1, "every target once");
}

/// A 64 MB input line without a newline costs the cap, not 64 MB: it is
/// reported invalid (shortened, and without its control characters), and
/// the targets after it are scanned. A trailing-dot name is the same
/// target as the name without it.
#[test]
fn a_huge_input_line_is_invalid_and_the_run_goes_on() {
    let rt = runtime();
    let site = rt
        .block_on(agentready::fixture::serve(
            agentready::fixture::Site::bundled("agent-ready").unwrap(),
        ))
        .unwrap();
    let port = site.addr.port();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("t.txt");
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&input).unwrap());
        let chunk = vec![b'a'; 1 << 20];
        for _ in 0..64 {
            f.write_all(&chunk).unwrap();
        }
        writeln!(f).unwrap();
        writeln!(f, "http://site.test.:{port}/").unwrap();
        writeln!(f, "http://site.test:{port}/").unwrap();
        f.flush().unwrap();
    }
    let output = dir.path().join("r.jsonl");
    let out = std::process::Command::new("sh")
        .arg("-c")
        // 1 GiB of address space: reading the line whole would not fit
        // with the scan beside it.
        .arg("ulimit -v 1048576 2>/dev/null; exec \"$0\" \"$@\" --resolve site.test:127.0.0.1")
        .arg(assert_cmd::cargo::cargo_bin("agentready"))
        .args(batch_args(&input, &output))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.len() < 4096,
        "the line was echoed whole: {} bytes",
        stderr.len()
    );
    assert!(stderr.contains("line 1: skipped `aaaa"), "{stderr}");
    assert!(stderr.contains("longer than 16 KiB"), "{stderr}");
    let reports = std::fs::read_to_string(&output).unwrap();
    assert_eq!(reports.lines().count(), 1, "one target, once");
    let meta: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("r.jsonl.meta.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(meta["counts"]["invalid"], 1);
    assert_eq!(meta["counts"]["duplicates"], 1);
    assert_eq!(meta["counts"]["complete"], 1);
}

/// A full disk: the results cannot be written and neither can the
/// metadata's temporary file. The run fails (exit 2), the metadata says
/// `failed`, and no `.meta.json.tmp` is left behind.
#[cfg(unix)]
#[test]
fn a_full_disk_fails_the_run_cleanly() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let rt = runtime();
    // A slow target: the run lasts long enough for the disk to "fill".
    let server = rt.block_on(raw_http(Arc::new(|_: &RawRequest| {
        std::thread::sleep(Duration::from_millis(100));
        http_response(404, &[], b"")
    })));
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("t.txt");
    std::fs::write(&input, format!("http://{}/\n", server.addr)).unwrap();
    let output = dir.path().join("r.jsonl");
    std::os::unix::fs::symlink("/dev/full", &output).unwrap();
    let meta = dir.path().join("r.jsonl.meta.json");
    let tmp = dir.path().join("r.jsonl.meta.json.tmp");
    // The run's first metadata write succeeds; then the disk is "full".
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("agentready"))
        .args(batch_args(&input, &output))
        .arg("--quiet")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    for _ in 0..200 {
        if meta.exists() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = std::os::unix::fs::symlink("/dev/full", &tmp);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("No space left"), "{stderr}");
    let m: Value = serde_json::from_str(&std::fs::read_to_string(&meta).unwrap()).unwrap();
    assert_eq!(m["status"], "failed", "{m}");
    assert!(
        tmp.symlink_metadata().is_err(),
        "a .meta.json.tmp was left behind"
    );
}

/// `stats --format csv` neutralises cells a spreadsheet would run as a
/// formula.
#[test]
fn stats_csv_cells_never_start_a_formula() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("r.jsonl");
    let line = serde_json::json!({
        "target": {"input": "x", "url": "https://x.example/"},
        "score": 50, "grade": "=1+1", "level": 1,
        "categories": [],
        "questions": [{"id": "@SUM(A1)", "text": "q", "answer": "+cmd"}],
        "checks": [{"id": "=HYPERLINK(\"http://evil.example\",\"x\")", "outcome": "-2+3"},
                   {"id": "\tx", "outcome": "pass"}, {"id": "\rx", "outcome": "pass"}],
        "exchanges": [{"error": "=cmd|' /C calc'!A0: boom"}]
    });
    std::fs::write(&results, format!("{line}\n")).unwrap();
    let out = agentready()
        .args(["stats", results.to_str().unwrap(), "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let csv = String::from_utf8(out.stdout).unwrap();
    let mut rows = 0;
    for line in csv.lines().skip(1) {
        // Every cell, quoted or not, starts safely.
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{line}"
            );
        }
        rows += 1;
    }
    assert!(rows > 5);
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    assert!(csv.contains("'@SUM(A1)"), "{csv}");
}
