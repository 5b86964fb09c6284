//! The 2026 standards on loopback fixture sites: MCP 2026-07-28
//! registration ranking (CIMD first, DCR deprecated), RFC 9207 `iss`,
//! DPoP (RFC 9449), A2A agent cards, MCP server cards, and the HTTP
//! `Payment` authentication scheme. Each behaviour is shown passing and
//! failing, every route is requested once, and the honeypot passes none
//! of the new discovery checks.

mod common;

use agentready::fixture::{Site, serve};
use common::{assert_report_schema, codes, outcome, scan};

/// Scans a bundled site at its target; asserts each route was requested
/// once and the report matches its schema.
async fn scan_site(name: &str) -> agentready::report::Report {
    let running = serve(Site::bundled(name).unwrap()).await.unwrap();
    let (report, _) = scan(&running.target).await;
    for (req, n) in running.requests() {
        assert_eq!(n, 1, "{name}: {req} sent {n} times");
    }
    assert_report_schema(&serde_json::to_value(&report).unwrap());
    report
}

fn has(report: &agentready::report::Report, id: &str, code: &str) -> bool {
    codes(report, id).iter().any(|c| c == code)
}

#[tokio::test]
async fn cimd_only_mcp_server_with_dpop_done_right_passes() {
    let report = scan_site("mcp-cimd-dpop").await;
    for id in [
        "client-registration",
        "authorization-response-iss",
        "dpop-binding",
    ] {
        assert_eq!(
            outcome(&report, id),
            "pass",
            "{id}: {:?}",
            codes(&report, id)
        );
    }
}

#[tokio::test]
async fn an_iss_flag_that_is_not_a_boolean_fails() {
    // RFC 9207 §3: the member is a JSON boolean; "true" as a string is
    // not the announcement clients look for.
    let report = scan_site("iss-not-boolean").await;
    assert_eq!(outcome(&report, "authorization-response-iss"), "fail");
    assert!(
        has(
            &report,
            "authorization-response-iss",
            "authorization-response-iss-not-boolean"
        ),
        "{:?}",
        codes(&report, "authorization-response-iss")
    );
}

#[tokio::test]
async fn dcr_only_mcp_server_with_dpop_done_wrong_warns_and_fails() {
    let report = scan_site("mcp-dcr-broken-dpop").await;
    // DCR works, so the question is answered; but it is deprecated for MCP
    // and no public-client method is offered.
    assert_eq!(outcome(&report, "client-registration"), "warn");
    for code in [
        "client-registration-mcp-cimd-missing",
        "client-registration-public-client-auth-missing",
    ] {
        assert!(
            has(&report, "client-registration", code),
            "{:?}",
            codes(&report, "client-registration")
        );
    }
    assert_eq!(outcome(&report, "authorization-response-iss"), "warn");
    assert!(has(
        &report,
        "authorization-response-iss",
        "authorization-response-iss-not-advertised"
    ));
    assert_eq!(outcome(&report, "dpop-binding"), "fail");
    for code in [
        "dpop-binding-forbidden-alg",
        "dpop-binding-required-unsupported",
        "dpop-binding-challenge-malformed",
    ] {
        assert!(
            has(&report, "dpop-binding", code),
            "{code}: {:?}",
            codes(&report, "dpop-binding")
        );
    }
}

#[tokio::test]
async fn honeypot_passes_none_of_the_new_checks() {
    let running = serve(Site::bundled("honeypot").unwrap()).await.unwrap();
    let (report, _) = scan(&format!("{}/", running.origin)).await;
    for id in NEW_CHECKS {
        assert_ne!(outcome(&report, id), "pass", "honeypot passed {id}");
    }
}

/// The checks this issue adds.
const NEW_CHECKS: [&str; 4] = [
    "authorization-response-iss",
    "dpop-binding",
    "agent-card",
    "mcp-server-card",
];

/// Scans a bundled site at its origin (a bare domain).
async fn scan_domain(name: &str) -> (agentready::report::Report, Vec<String>) {
    let running = serve(Site::bundled(name).unwrap()).await.unwrap();
    let (report, _) = scan(&format!("{}/", running.origin)).await;
    let requests = running.requests();
    for (req, n) in &requests {
        assert_eq!(*n, 1, "{name}: {req} sent {n} times");
    }
    assert_report_schema(&serde_json::to_value(&report).unwrap());
    (report, requests.into_keys().collect())
}

#[tokio::test]
async fn an_a2a_card_with_a_device_flow_leads_to_its_authorization_server() {
    let (report, requests) = scan_domain("a2a-agent").await;
    assert_eq!(
        outcome(&report, "agent-card"),
        "pass",
        "{:?}",
        codes(&report, "agent-card")
    );
    // The card's oauth2MetadataUrl is the only way to the authorization
    // server: discovery passes through it.
    assert!(
        requests.contains(&"GET /.well-known/oauth-authorization-server/auth".to_string()),
        "{requests:?}"
    );
    assert_eq!(outcome(&report, "as-metadata-discovery"), "pass");
    // The device-code flow (the card's, and the metadata's) is browserless.
    assert_eq!(outcome(&report, "browserless-path"), "pass");
    let c = report
        .checks
        .iter()
        .find(|c| c.id == "browserless-path")
        .unwrap();
    assert!(c.summary.contains("A2A agent card"), "{}", c.summary);
    let data = report
        .checks
        .iter()
        .find(|c| c.id == "agent-card")
        .unwrap()
        .data
        .clone()
        .unwrap_or_default();
    assert_eq!(data["version"], "1.0");
    assert_eq!(data["device_code"], true);
}

#[tokio::test]
async fn a_server_card_leads_a_bare_domain_to_its_mcp_endpoint() {
    let (report, requests) = scan_domain("server-card-domain").await;
    assert_eq!(
        outcome(&report, "mcp-server-card"),
        "pass",
        "{:?}",
        codes(&report, "mcp-server-card")
    );
    // catalog → card → the MCP endpoint it announces → its challenge →
    // protected-resource metadata → authorization server.
    for r in [
        "GET /.well-known/ai-catalog.json",
        "GET /mcp/server-card",
        "GET /.well-known/oauth-protected-resource/mcp",
    ] {
        assert!(requests.contains(&r.to_string()), "{r}: {requests:?}");
    }
    assert!(
        requests.iter().any(|r| r.starts_with("POST /mcp")),
        "{requests:?}"
    );
    assert_eq!(
        outcome(&report, "bearer-challenge"),
        "pass",
        "{:?}",
        codes(&report, "bearer-challenge")
    );
    assert_eq!(outcome(&report, "protected-resource-metadata"), "pass");
    let data = report
        .checks
        .iter()
        .find(|c| c.id == "mcp-server-card")
        .unwrap()
        .data
        .clone()
        .unwrap_or_default();
    assert_eq!(data["remotes"][0]["status"], 401, "{data}");
}

#[tokio::test]
async fn malformed_cards_fail() {
    let (report, _) = scan_domain("malformed-cards").await;
    assert_eq!(outcome(&report, "agent-card"), "fail");
    assert!(has(&report, "agent-card", "agent-card-malformed"));
    assert!(has(&report, "agent-card", "agent-card-security-malformed"));
    assert_eq!(outcome(&report, "mcp-server-card"), "fail");
    assert!(has(
        &report,
        "mcp-server-card",
        "mcp-server-card-catalog-malformed"
    ));
}

#[tokio::test]
async fn a_payment_scheme_402_is_a_payment_challenge_over_http() {
    let (report, _) = scan_domain("payment-api").await;
    assert_eq!(
        outcome(&report, "x402-payment"),
        "pass",
        "{:?}",
        codes(&report, "x402-payment")
    );
    assert!(has(
        &report,
        "x402-payment",
        "x402-payment-payment-challenge-found"
    ));
    assert!(!has(&report, "x402-payment", "x402-payment-bare-402"));
    let data = report
        .checks
        .iter()
        .find(|c| c.id == "x402-payment")
        .unwrap()
        .data
        .clone()
        .unwrap_or_default();
    let payment = &data["challenges"][0]["payment"];
    assert_eq!(payment[0]["scheme"], "Payment");
    assert_eq!(payment[0]["method"], "stripe");
    assert_eq!(payment[1]["method"], "tempo");
    assert_eq!(payment[0]["request"]["amount"], "250");
}

#[tokio::test]
async fn a_malformed_payment_challenge_fails_over_http() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    // No id, an upper-case method, a padded standard-base64 request.
    Mock::given(method("GET"))
        .and(path("/api"))
        .respond_with(ResponseTemplate::new(402).insert_header(
            "www-authenticate",
            r#"Payment realm="api", method="Stripe", intent="charge", request="eyJhIjoxfQ==""#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    let (report, _) = scan(&server.uri()).await;
    assert_eq!(outcome(&report, "x402-payment"), "fail");
    assert_eq!(
        codes(&report, "x402-payment"),
        vec!["x402-payment-payment-challenge-invalid".to_string()]
    );
}
