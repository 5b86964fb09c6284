//! Scenario tests of browserless authentication and the token lifecycle on
//! bundled fixture sites served on loopback: a conformant provider, a
//! browser-only one and a sloppy one whose endpoints are not what they
//! claim; passive mode sends no POST.

mod common;

use agentready::fixture::{Site, serve};
use agentready::gather::http::HttpConfig;
use agentready::model::exchange::Mode;
use common::{codes, outcome, scan, scan_with_options};
use std::time::Duration;

fn has(report: &agentready::report::Report, id: &str, code: &str) -> bool {
    codes(report, id).iter().any(|c| c == code)
}

#[tokio::test]
async fn an_oidc_provider_like_server_passes() {
    let running = serve(Site::bundled("agent-ready").unwrap()).await.unwrap();
    let (report, _) = scan(&running.target).await;
    for id in [
        "device-authorization",
        "client-registration",
        "delegation-grants",
        "browserless-path",
        "token-revocation",
        "token-introspection",
    ] {
        assert_eq!(
            outcome(&report, id),
            "pass",
            "{id}: {:?}",
            codes(&report, id)
        );
    }
    assert_eq!(outcome(&report, "token-lifetime"), "skip");
    // One POST per advertised endpoint, each designed to be rejected.
    let requests = running.requests();
    for path in [
        "/oauth/device",
        "/oauth/register",
        "/oauth/revoke",
        "/oauth/introspect",
    ] {
        assert_eq!(
            requests.get(&format!("POST {path}")),
            Some(&1),
            "{path}: {requests:?}"
        );
    }
    // The report shows what was sent and what came back.
    let register = report
        .exchanges
        .iter()
        .find(|x| x.url.ends_with("/oauth/register"))
        .unwrap();
    // The registration body is not JSON at all: no server can turn it
    // into a client.
    let sent = register.sent.as_deref().unwrap();
    assert!(
        serde_json::from_str::<serde_json::Value>(sent).is_err(),
        "{sent}"
    );
    assert!(sent.contains("deliberately malformed JSON"), "{sent}");
    // It names the application type an MCP 2026-07-28 client must send
    // (SEP-837), and stays unparseable.
    assert!(sent.contains(r#""application_type":"native""#), "{sent}");
    assert!(
        register
            .received
            .as_deref()
            .unwrap()
            .contains("invalid_client_metadata")
    );
}

#[tokio::test]
async fn a_browser_only_provider_fails() {
    let running = serve(Site::bundled("classic-oauth").unwrap())
        .await
        .unwrap();
    let (report, _) = scan(&running.target).await;
    assert_eq!(outcome(&report, "browserless-path"), "fail");
    assert!(has(
        &report,
        "browserless-path",
        "browserless-path-browser-only"
    ));
    assert_eq!(outcome(&report, "client-registration"), "fail");
    assert!(has(
        &report,
        "client-registration",
        "client-registration-pre-registration-only"
    ));
    assert_eq!(outcome(&report, "token-revocation"), "fail");
    assert!(has(
        &report,
        "token-revocation",
        "token-revocation-not-advertised"
    ));
    assert_eq!(outcome(&report, "device-authorization"), "skip");
    assert_eq!(outcome(&report, "token-introspection"), "skip");
    // Nothing advertised, nothing posted, but the conventional MCP
    // endpoint of a bare domain on which nothing announced an API
    // (`server/discover` creates nothing).
    assert!(
        !running.requests().keys().any(
            |k| k.starts_with("POST") && !k.starts_with("POST /mcp mcp-method=server/discover")
        ),
        "nothing advertised, nothing posted: {:?}",
        running.requests()
    );
    assert_eq!(
        running
            .requests()
            .get("POST /mcp mcp-method=server/discover"),
        Some(&1)
    );
}

#[tokio::test]
async fn a_sloppy_provider_is_caught_by_its_live_answers() {
    let running = serve(Site::bundled("sloppy-provider").unwrap())
        .await
        .unwrap();
    let (report, _) = scan(&running.target).await;
    // The device endpoint serves a login page.
    assert_eq!(outcome(&report, "device-authorization"), "fail");
    assert!(has(
        &report,
        "device-authorization",
        "device-authorization-endpoint-unavailable"
    ));
    // ... so it is no browserless path either.
    assert_eq!(outcome(&report, "browserless-path"), "fail");
    // The revocation endpoint 404s.
    assert_eq!(outcome(&report, "token-revocation"), "fail");
    assert!(has(
        &report,
        "token-revocation",
        "token-revocation-endpoint-unavailable"
    ));
    // Registration creates a client even from a body that is not JSON: a
    // warning (registration works), and the client could not be deleted.
    assert_eq!(outcome(&report, "client-registration"), "warn");
    assert!(has(
        &report,
        "client-registration",
        "client-registration-invalid-metadata-accepted"
    ));
    assert!(has(
        &report,
        "client-registration",
        "client-registration-probe-client-left"
    ));
    // The ID-JAG profile without the JWT-bearer grant it requires.
    assert_eq!(outcome(&report, "delegation-grants"), "fail");
    assert!(has(
        &report,
        "delegation-grants",
        "delegation-grants-profile-without-jwt-bearer"
    ));
    // Introspection answers anyone.
    assert_eq!(outcome(&report, "token-introspection"), "warn");
    assert!(has(
        &report,
        "token-introspection",
        "token-introspection-unprotected"
    ));
    for (req, n) in running.requests() {
        assert_eq!(n, 1, "{req} sent {n} times");
    }
}

#[tokio::test]
async fn passive_mode_sends_no_post() {
    for name in ["agent-ready", "sloppy-provider"] {
        let running = serve(Site::bundled(name).unwrap()).await.unwrap();
        let (report, ev) = scan_with_options(
            &running.target,
            HttpConfig::loopback_only(),
            Duration::from_secs(10),
            Mode::Passive,
        )
        .await;
        let by_method: Vec<String> = running
            .requests()
            .keys()
            .map(|k| k.split(' ').next().unwrap_or_default().to_string())
            .collect();
        assert!(
            by_method.iter().all(|m| m == "GET"),
            "{name}: {by_method:?}"
        );
        assert!(ev.exchanges().iter().all(|x| x.request.method == "GET"));
        assert_eq!(report.mode, "passive");
        // Judged from metadata, and said to be unverified.
        assert!(
            has(
                &report,
                "token-revocation",
                "token-revocation-not-verified-live"
            ),
            "{name}"
        );
        assert!(
            has(
                &report,
                "device-authorization",
                "device-authorization-not-verified-live"
            ),
            "{name}"
        );
    }
}
