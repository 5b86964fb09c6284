//! MCP on the wire (2026-07-28 `server/discover`, the 2025 `initialize`
//! fallback, the conventional `/mcp` of a bare domain) and the
//! `client-compatibility` matrix, on loopback fixture sites.

mod common;

use agentready::fixture::{Site, serve};
use common::{assert_report_schema, codes, outcome, scan};
use serde_json::Value;
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn data<'a>(report: &'a agentready::report::Report, id: &str) -> &'a Value {
    report
        .checks
        .iter()
        .find(|c| c.id == id)
        .and_then(|c| c.data.as_ref())
        .unwrap_or_else(|| panic!("{id} has no data"))
}

/// `profile → (connects, failed_step)` of `data.clients`.
fn matrix(report: &agentready::report::Report) -> Vec<(String, Value, Value)> {
    data(report, "client-compatibility")["clients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["profile"].as_str().unwrap().to_string(),
                c["connects"].clone(),
                c["failed_step"].clone(),
            )
        })
        .collect()
}

fn connects(report: &agentready::report::Report) -> Vec<(String, Option<bool>)> {
    matrix(report)
        .into_iter()
        .map(|(p, c, _)| (p, c.as_bool()))
        .collect()
}

fn expect(list: &[(&str, Option<bool>)]) -> Vec<(String, Option<bool>)> {
    list.iter().map(|(p, c)| (p.to_string(), *c)).collect()
}

const T: Option<bool> = Some(true);
const F: Option<bool> = Some(false);
const N: Option<bool> = None;

#[tokio::test]
async fn mcp_sites_show_each_era_and_the_client_matrix() {
    for name in [
        "mcp-2026-public",
        "mcp-2026-protected",
        "mcp-dual-era",
        "mcp-2025-only",
        "mcp-legacy-oauth",
        "mcp-bare-domain",
        "mcp-resource-mismatch",
        "agent-ready",
    ] {
        let running = serve(Site::bundled(name).unwrap()).await.unwrap();
        let (report, _) = scan(&running.target).await;
        for (req, n) in running.requests() {
            assert_eq!(n, 1, "{name}: {req} sent {n} times");
        }
        assert_report_schema(&serde_json::to_value(&report).unwrap());
        let mcp = &data(&report, "client-compatibility")["mcp"];
        let era = mcp[0]["era"].as_str().unwrap_or_default().to_string();
        let m = connects(&report);
        let verdict = outcome(&report, "client-compatibility");
        let (want_era, want, want_verdict): (&str, Vec<_>, &str) = match name {
            "mcp-2026-public" => (
                "2026",
                expect(&[
                    ("mcp-2025-03-26", N),
                    ("mcp-2025-06-18", N),
                    ("mcp-2025-11-25", N),
                    ("mcp-2026-07-28", T),
                    ("oauth2.1-headless-agent", T),
                ]),
                "pass",
            ),
            "mcp-dual-era" => (
                "2026",
                expect(&[
                    ("mcp-2025-03-26", T),
                    ("mcp-2025-06-18", T),
                    ("mcp-2025-11-25", T),
                    ("mcp-2026-07-28", T),
                    ("oauth2.1-headless-agent", T),
                ]),
                "pass",
            ),
            "mcp-2025-only" => (
                "2025",
                expect(&[
                    ("mcp-2025-03-26", T),
                    ("mcp-2025-06-18", T),
                    ("mcp-2025-11-25", T),
                    ("mcp-2026-07-28", T),
                    ("oauth2.1-headless-agent", T),
                ]),
                "warn",
            ),
            // The newest connect, the older do not (DCR only before
            // 2025-11-25; this server offers CIMD only).
            "mcp-2026-protected" | "mcp-bare-domain" | "agent-ready" => (
                "auth-required",
                if name == "mcp-2026-protected" {
                    expect(&[
                        ("mcp-2025-03-26", F),
                        ("mcp-2025-06-18", F),
                        ("mcp-2025-11-25", T),
                        ("mcp-2026-07-28", T),
                        ("oauth2.1-headless-agent", T),
                    ])
                } else {
                    expect(&[
                        ("mcp-2025-03-26", T),
                        ("mcp-2025-06-18", T),
                        ("mcp-2025-11-25", T),
                        ("mcp-2026-07-28", T),
                        ("oauth2.1-headless-agent", T),
                    ])
                },
                "pass",
            ),
            // The older connect, the newest do not.
            "mcp-legacy-oauth" => (
                "auth-required",
                expect(&[
                    ("mcp-2025-03-26", T),
                    ("mcp-2025-06-18", T),
                    ("mcp-2025-11-25", F),
                    ("mcp-2026-07-28", F),
                    ("oauth2.1-headless-agent", F),
                ]),
                "warn",
            ),
            "mcp-resource-mismatch" => (
                "auth-required",
                expect(&[
                    ("mcp-2025-03-26", N),
                    ("mcp-2025-06-18", F),
                    ("mcp-2025-11-25", F),
                    ("mcp-2026-07-28", F),
                    ("oauth2.1-headless-agent", F),
                ]),
                "fail",
            ),
            _ => unreachable!(),
        };
        assert_eq!(era, want_era, "{name}: {mcp}");
        assert_eq!(
            m,
            want,
            "{name}: {:#}",
            data(&report, "client-compatibility")
        );
        assert_eq!(
            verdict,
            want_verdict,
            "{name}: {:?}",
            codes(&report, "client-compatibility")
        );
    }
}

#[tokio::test]
async fn failing_profiles_name_their_step_and_exchange() {
    let running = serve(Site::bundled("mcp-legacy-oauth").unwrap())
        .await
        .unwrap();
    let (report, _) = scan(&running.target).await;
    let clients = data(&report, "client-compatibility")["clients"]
        .as_array()
        .unwrap()
        .clone();
    let newest = clients
        .iter()
        .find(|c| c["profile"] == "mcp-2026-07-28")
        .unwrap();
    let step = newest["failed_step"].as_u64().unwrap() as usize;
    assert_eq!(
        newest["steps"][step - 1]["step"],
        "PKCE support",
        "{newest:#}"
    );
    assert_eq!(newest["probe"], "as-metadata", "{newest:#}");
    assert!(
        codes(&report, "client-compatibility")
            .contains(&"client-compatibility-newest-fails".to_string())
    );
    let running = serve(Site::bundled("mcp-resource-mismatch").unwrap())
        .await
        .unwrap();
    let (report, _) = scan(&running.target).await;
    let clients = data(&report, "client-compatibility")["clients"].clone();
    let c = &clients[2];
    assert_eq!(c["profile"], "mcp-2025-11-25");
    assert!(
        c["reason"].as_str().unwrap().contains("does not match"),
        "{c:#}"
    );
    assert!(
        c["probe"].as_str().unwrap().starts_with("prm-challenge@"),
        "{c:#}"
    );
}

/// A 2026 server gets `server/discover` once and never `initialize`; a
/// 2025 server gets `initialize` once after it; the MCP endpoint that is
/// both the target and a protected-resource `resource` is POSTed once.
#[tokio::test]
async fn discover_first_and_initialize_only_for_a_2025_server() {
    for modern in [true, false] {
        let server = MockServer::start().await;
        let origin = server.uri();
        let discover = if modern {
            ResponseTemplate::new(200).set_body_raw(
                r#"{"jsonrpc":"2.0","id":1,"result":{"supportedVersions":["2026-07-28"],"capabilities":{}}}"#,
                "application/json",
            )
        } else {
            ResponseTemplate::new(400).set_body_raw(
                r#"{"jsonrpc":"2.0","id":"server-error","error":{"code":-32600,"message":"Bad Request: Missing session ID"}}"#,
                "application/json",
            )
        };
        Mock::given(method("POST"))
            .and(path("/mcp"))
            .and(header("mcp-protocol-version", "2026-07-28"))
            .and(header("mcp-method", "server/discover"))
            .and(body_string_contains(
                "io.modelcontextprotocol/protocolVersion",
            ))
            .and(wiremock::matchers::header_exists("authorization"))
            .respond_with(ResponseTemplate::new(401))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/mcp"))
            .and(header("mcp-protocol-version", "2026-07-28"))
            .and(header("mcp-method", "server/discover"))
            .and(body_string_contains(
                "io.modelcontextprotocol/protocolVersion",
            ))
            .respond_with(discover)
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/mcp"))
            .and(body_string_contains("\"initialize\""))
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                r#"{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18","capabilities":{},"serverInfo":{"name":"s","version":"1"}}}"#,
                "application/json",
            ))
            .expect(if modern { 0 } else { 1 })
            .mount(&server)
            .await;
        // The root PRM names the MCP endpoint itself as its resource.
        Mock::given(method("GET"))
            .and(path("/.well-known/oauth-protected-resource"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "resource": format!("{origin}/mcp"),
                "authorization_servers": [origin],
            })))
            .mount(&server)
            .await;
        let (report, _) = scan(&format!("{origin}/mcp")).await;
        server.verify().await;
        let mcp = &data(&report, "client-compatibility")["mcp"][0];
        if modern {
            assert_eq!(mcp["era"], "2026");
            assert_eq!(mcp["supported_versions"], serde_json::json!(["2026-07-28"]));
        } else {
            assert_eq!(mcp["era"], "2025");
            assert_eq!(mcp["supported_versions"], serde_json::json!(["2025-06-18"]));
            assert_eq!(mcp["fallback_probe"], "api-unauthenticated+initialize");
        }
    }
}

/// A bare domain on which nothing announces an API: `POST /mcp` once,
/// and its challenge is judged; a bare domain without one: the 404 is
/// not an API endpoint.
#[tokio::test]
async fn bare_domain_leads_to_its_mcp_endpoint() {
    let running = serve(Site::bundled("mcp-bare-domain").unwrap())
        .await
        .unwrap();
    let (report, ev) = scan(&running.target).await;
    for (req, n) in running.requests() {
        assert_eq!(n, 1, "{req} sent {n} times");
    }
    assert!(ev.record("mcp-conventional").is_some());
    assert_eq!(
        outcome(&report, "bearer-challenge"),
        "pass",
        "{:?}",
        codes(&report, "bearer-challenge")
    );
    assert_eq!(outcome(&report, "protected-resource-metadata"), "pass");
    let running = serve(Site::bundled("no-auth").unwrap()).await.unwrap();
    let (report, ev) = scan(&running.target).await;
    if let Some(rec) = ev.record("mcp-conventional") {
        // Sent, answered 404: not an API endpoint.
        let x = ev.exchange(rec.exchange).unwrap();
        assert_eq!(x.request.method, "POST");
        assert_ne!(outcome(&report, "bearer-challenge"), "fail");
    }
}
