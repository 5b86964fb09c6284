//! Scenario tests of MCP / RFC 9728 discovery on loopback: an agent's path
//! from a 401 to an authorization server, across hosts, and what breaks it.
//! Every scenario also proves that no request reached a server twice.

mod common;

use common::{codes, outcome, scan};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use wiremock::matchers::{header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Mount a route answered once, at most and at least.
async fn once(server: &MockServer, m: &str, p: &str, t: ResponseTemplate) {
    Mock::given(method(m))
        .and(path(p))
        .respond_with(t)
        .expect(1)
        .mount(server)
        .await;
}

fn json_200(v: &Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(v)
}

fn challenge(www: &str) -> ResponseTemplate {
    ResponseTemplate::new(401).insert_header("www-authenticate", www)
}

/// No (method, path, credentials) reached a server twice.
async fn assert_no_repeats(servers: &[&MockServer]) {
    for s in servers {
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for r in s.received_requests().await.unwrap_or_default() {
            let auth = r.headers.contains_key("authorization");
            *seen
                .entry(format!("{} {} auth={auth}", r.method, r.url.path()))
                .or_default() += 1;
        }
        let repeated: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
        assert!(
            repeated.is_empty(),
            "requests sent more than once: {repeated:?}"
        );
    }
}

fn as_doc(issuer: &str) -> Value {
    json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"]
    })
}

fn prm(resource: &str, issuer: &str) -> Value {
    json!({
        "resource": resource,
        "authorization_servers": [issuer],
        "scopes_supported": ["files:read"],
        "bearer_methods_supported": ["header"]
    })
}

fn jwks() -> Value {
    json!({"keys": [{"kty": "EC", "crv": "P-256", "kid": "k1", "use": "sig",
        "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]})
}

/// The MCP server answers 401 (with and without a token), its challenge
/// names the PRM, and the AS lives on another origin.
async fn mcp_with_remote_as(
    resource_in_prm: Option<&str>,
    issuer_in_as: Option<&str>,
) -> (MockServer, MockServer) {
    let mcp = MockServer::start().await;
    let auth = MockServer::start().await;
    let resource = format!("{}/mcp", mcp.uri());
    let prm_url = format!("{}/.well-known/oauth-protected-resource/mcp", mcp.uri());
    Mock::given(method("POST"))
        .and(path("/mcp"))
        .and(header_exists("authorization"))
        .respond_with(challenge(&format!(
            r#"Bearer error="invalid_token", resource_metadata="{prm_url}", scope="files:read""#
        )))
        .expect(1)
        .mount(&mcp)
        .await;
    once(
        &mcp,
        "POST",
        "/mcp",
        challenge(&format!(
            r#"Bearer resource_metadata="{prm_url}", scope="files:read""#
        )),
    )
    .await;
    once(
        &mcp,
        "GET",
        "/.well-known/oauth-protected-resource/mcp",
        json_200(&prm(resource_in_prm.unwrap_or(&resource), &auth.uri())),
    )
    .await;
    // The AS keys stay on the AS origin even when its issuer is wrong.
    let mut doc = as_doc(issuer_in_as.unwrap_or(&auth.uri()));
    doc["jwks_uri"] = json!(format!("{}/jwks", auth.uri()));
    once(
        &auth,
        "GET",
        "/.well-known/oauth-authorization-server",
        json_200(&doc),
    )
    .await;
    once(&auth, "GET", "/jwks", json_200(&jwks())).await;
    (mcp, auth)
}

#[tokio::test]
async fn challenge_to_prm_to_cross_host_authorization_server() {
    let (mcp, auth) = mcp_with_remote_as(None, None).await;
    let (report, ev) = scan(&format!("{}/mcp", mcp.uri())).await;
    mcp.verify().await;
    auth.verify().await;
    assert_no_repeats(&[&mcp, &auth]).await;
    for id in [
        "as-metadata-discovery",
        "protected-resource-metadata",
        "bearer-challenge",
        "discovery-consistency",
        "jwks-hygiene",
        "issuer-identifier",
        "pkce-s256",
    ] {
        assert_eq!(
            outcome(&report, id),
            "pass",
            "{id}: {:?}",
            codes(&report, id)
        );
    }
    // The report says which step found what, in MCP order.
    let steps = report
        .check("as-metadata-discovery")
        .unwrap()
        .data
        .as_ref()
        .unwrap()["steps"]
        .clone();
    let kinds: Vec<&str> = steps
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.first(), Some(&"challenge"));
    assert!(kinds.contains(&"protected-resource-metadata"));
    assert!(kinds.contains(&"authorization-server-metadata"));
    assert!(ev.record(&format!("as-metadata@{}", auth.uri())).is_some());
}

#[tokio::test]
async fn mismatched_resource_fails_prm_and_consistency() {
    let mcp_uri_placeholder = "https://mcp.example.com/mcp";
    let (mcp, auth) = mcp_with_remote_as(Some(mcp_uri_placeholder), None).await;
    let (report, _) = scan(&format!("{}/mcp", mcp.uri())).await;
    mcp.verify().await;
    auth.verify().await;
    assert_no_repeats(&[&mcp, &auth]).await;
    assert_eq!(outcome(&report, "protected-resource-metadata"), "fail");
    assert!(
        codes(&report, "protected-resource-metadata")
            .contains(&"protected-resource-metadata-resource-mismatch".into())
    );
    assert_eq!(outcome(&report, "discovery-consistency"), "fail");
    assert!(
        codes(&report, "discovery-consistency")
            .contains(&"discovery-consistency-challenge-resource-mismatch".into())
    );
}

#[tokio::test]
async fn mismatched_issuer_fails_identity_and_consistency() {
    let (mcp, auth) = mcp_with_remote_as(None, Some("https://login.example.com")).await;
    let (report, _) = scan(&format!("{}/mcp", mcp.uri())).await;
    mcp.verify().await;
    auth.verify().await;
    assert_no_repeats(&[&mcp, &auth]).await;
    assert_eq!(outcome(&report, "issuer-identifier"), "fail");
    assert_eq!(outcome(&report, "discovery-consistency"), "fail");
    assert!(
        codes(&report, "discovery-consistency")
            .contains(&"discovery-consistency-issuer-mismatch".into())
    );
    assert_eq!(outcome(&report, "as-metadata-discovery"), "warn");
}

#[tokio::test]
async fn prm_only_at_the_root() {
    let server = MockServer::start().await;
    let origin = server.uri();
    once(
        &server,
        "GET",
        "/.well-known/oauth-protected-resource",
        json_200(&prm(&origin, &origin)),
    )
    .await;
    once(
        &server,
        "GET",
        "/.well-known/oauth-protected-resource/api",
        ResponseTemplate::new(404),
    )
    .await;
    once(
        &server,
        "GET",
        "/.well-known/oauth-authorization-server",
        json_200(&as_doc(&origin)),
    )
    .await;
    once(&server, "GET", "/jwks", json_200(&jwks())).await;
    let (report, _) = scan(&format!("{origin}/api")).await;
    server.verify().await;
    assert_no_repeats(&[&server]).await;
    assert_eq!(outcome(&report, "protected-resource-metadata"), "pass");
    assert_eq!(
        codes(&report, "protected-resource-metadata"),
        vec!["protected-resource-metadata-path-suffixed-missing"]
    );
    assert_eq!(outcome(&report, "discovery-consistency"), "pass");
}

#[tokio::test]
async fn prm_only_path_suffixed_and_issuer_with_a_path() {
    let server = MockServer::start().await;
    let origin = server.uri();
    let issuer = format!("{origin}/tenant1");
    once(
        &server,
        "GET",
        "/.well-known/oauth-protected-resource",
        ResponseTemplate::new(404),
    )
    .await;
    once(
        &server,
        "GET",
        "/.well-known/oauth-protected-resource/mcp",
        json_200(&prm(&format!("{origin}/mcp"), &issuer)),
    )
    .await;
    // RFC 8414 path insertion for the issuer with a path.
    once(
        &server,
        "GET",
        "/.well-known/oauth-authorization-server/tenant1",
        json_200(&as_doc(&issuer)),
    )
    .await;
    once(&server, "GET", "/tenant1/jwks", json_200(&jwks())).await;
    let (report, ev) = scan(&format!("{origin}/mcp")).await;
    server.verify().await;
    assert_no_repeats(&[&server]).await;
    assert_eq!(
        outcome(&report, "protected-resource-metadata"),
        "pass",
        "{:?}",
        codes(&report, "protected-resource-metadata")
    );
    assert_eq!(outcome(&report, "as-metadata-discovery"), "pass");
    assert_eq!(outcome(&report, "issuer-identifier"), "pass");
    assert_eq!(outcome(&report, "discovery-consistency"), "pass");
    assert!(ev.record(&format!("as-metadata@{issuer}")).is_some());
    // No challenge (the MCP endpoint 404s): the challenge check fails.
    assert_eq!(outcome(&report, "bearer-challenge"), "fail");
}

#[tokio::test]
async fn a_401_without_www_authenticate_fails_the_challenge() {
    let server = MockServer::start().await;
    // Asked twice: without a token and with an invalid one.
    Mock::given(method("GET"))
        .and(path("/v1"))
        .respond_with(ResponseTemplate::new(401))
        .expect(2)
        .mount(&server)
        .await;
    let (report, _) = scan(&format!("{}/v1", server.uri())).await;
    server.verify().await;
    assert_no_repeats(&[&server]).await;
    assert_eq!(outcome(&report, "bearer-challenge"), "fail");
    assert!(codes(&report, "bearer-challenge").contains(&"bearer-challenge-header-missing".into()));
}

#[tokio::test]
async fn a_jwks_leaking_a_private_key_is_a_critical_failure() {
    let server = MockServer::start().await;
    let origin = server.uri();
    let mut leaked = jwks();
    leaked["keys"][0]["d"] = json!("jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI");
    once(
        &server,
        "GET",
        "/.well-known/oauth-authorization-server",
        json_200(&as_doc(&origin)),
    )
    .await;
    once(&server, "GET", "/jwks", json_200(&leaked)).await;
    let (report, _) = scan(&origin).await;
    server.verify().await;
    assert_eq!(outcome(&report, "jwks-hygiene"), "fail");
    assert_eq!(
        codes(&report, "jwks-hygiene"),
        vec!["jwks-hygiene-private-key"]
    );
    assert_eq!(report.check("jwks-hygiene").unwrap().severity, "critical");
    assert!(report.score.unwrap() <= agentready::scoring::CAP_CRITICAL_FAIL);
}

#[tokio::test]
async fn the_honeypot_passes_no_discovery_check() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/html")
                .set_body_string("<!doctype html><html><body><div id=root></div></body></html>"),
        )
        .mount(&server)
        .await;
    for target in [
        server.uri(),
        format!("{}/mcp", server.uri()),
        format!("{}/api/v1", server.uri()),
    ] {
        let (report, _) = scan(&target).await;
        for c in report.checks.iter().filter(|c| c.category == "discovery") {
            assert_ne!(
                c.outcome.as_str(),
                "pass",
                "{target}: {} passed on a honeypot",
                c.id
            );
        }
        assert_eq!(report.level, Some(0));
    }
}
