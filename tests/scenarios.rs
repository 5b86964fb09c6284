//! Scenario tests: fixture sites on loopback, scanned over real HTTP.

mod common;

use agentready::evaluators::metadata::IDS as METADATA_FAMILY;
use agentready::fixture::{Site, serve};
use agentready::http::{DEFAULT_USER_AGENT, HttpConfig, parse_header, parse_resolve};
use common::{assert_report_schema, codes, outcome, scan, scan_with};
use serde_json::json;
use std::time::Duration;
use wiremock::matchers::{header, header_exists, method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn as_doc(origin: &str) -> serde_json::Value {
    json!({
        "issuer": origin,
        "authorization_endpoint": format!("{origin}/authorize"),
        "token_endpoint": format!("{origin}/token"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "client_credentials"],
        "code_challenge_methods_supported": ["S256"]
    })
}

/// Every route is mounted with `.expect(1)`: a probe that sends a request
/// twice, or a probe that is not sent, fails the test when the server is
/// verified.
#[tokio::test]
async fn every_request_is_sent_exactly_once() {
    let server = MockServer::start().await;
    let origin = server.uri();
    let issuer = format!("{origin}/tenant1");
    // The PRM lists the target-path issuer and the origin: the derived
    // probes for both coincide with probes already planned.
    Mock::given(method("GET"))
        .and(path("/.well-known/oauth-protected-resource/tenant1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "resource": issuer, "authorization_servers": [issuer, origin]
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/.well-known/oauth-authorization-server/tenant1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(as_doc(&issuer)))
        .expect(1)
        .mount(&server)
        .await;
    for p in [
        "/.well-known/openid-configuration/tenant1",
        "/tenant1/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server",
        "/.well-known/openid-configuration",
        "/.well-known/oauth-protected-resource",
        "/auth.md",
    ] {
        Mock::given(method("GET"))
            .and(path(p))
            .respond_with(ResponseTemplate::new(404))
            .expect(1)
            .mount(&server)
            .await;
    }
    // The target is an API URL: probed without a token, then with an
    // invalid one — two distinct requests.
    Mock::given(method("GET"))
        .and(path("/tenant1"))
        .and(header_exists("authorization"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/tenant1"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/agentready-nonexistent-[0-9a-f]{16}$"))
        .respond_with(ResponseTemplate::new(404))
        .expect(1)
        .mount(&server)
        .await;
    let (report, ev) = scan(&issuer).await;
    server.verify().await;
    assert_eq!(report.requests_total, 11);
    // Found for the tenant issuer; the origin, also listed, has none.
    assert_eq!(outcome(&report, "as-metadata-discovery"), "warn");
    assert!(
        codes(&report, "as-metadata-discovery")
            .contains(&"as-metadata-discovery-listed-issuer-missing".to_string())
    );
    assert_eq!(outcome(&report, "issuer-identifier"), "pass");
    // Derived probes exist, as aliases of exchanges already made.
    assert!(ev.record(&format!("as-metadata@{origin}")).is_some());
    assert!(report.exchanges.iter().any(|x| {
        x.aliases
            .iter()
            .any(|a| *a == format!("as-metadata@{origin}"))
    }));
}

#[tokio::test]
async fn bundled_sites_pass_and_fail_each_built_check() {
    let mut scores = Vec::new();
    for name in ["agent-ready", "classic-oauth", "no-auth", "honeypot"] {
        let running = serve(Site::bundled(name).unwrap()).await.unwrap();
        let (report, _) = scan(&running.target).await;
        for (req, n) in running.requests() {
            assert_eq!(n, 1, "{name}: {req} sent {n} times");
        }
        assert_report_schema(&serde_json::to_value(&report).unwrap());
        match name {
            "agent-ready" => {
                for id in METADATA_FAMILY {
                    assert_eq!(
                        outcome(&report, id),
                        "pass",
                        "{id}: {:?}",
                        codes(&report, id)
                    );
                }
                // Every built check passes; the only skips are checks not
                // built yet and token-lifetime (no token supplied).
                for c in &report.checks {
                    let ok = c.outcome.as_str() == "pass"
                        || (c.outcome.as_str() == "skip"
                            && (c.summary == agentready::engine::NOT_IMPLEMENTED
                                || c.id == "token-lifetime"));
                    assert!(
                        ok,
                        "agent-ready: {} is {} ({})",
                        c.id,
                        c.outcome.as_str(),
                        c.summary
                    );
                }
                assert_eq!(report.level, 2);
            }
            "classic-oauth" => {
                assert_eq!(outcome(&report, "as-metadata-discovery"), "warn");
                for (id, code) in [
                    (
                        "as-metadata-conformance",
                        "as-metadata-conformance-oidc-required",
                    ),
                    ("issuer-identifier", "issuer-identifier-mismatch"),
                    ("endpoint-transport", "endpoint-transport-http"),
                    ("oauth21-grants", "oauth21-grants-password"),
                    ("pkce-s256", "pkce-s256-missing"),
                    ("pkce-downgrade", "pkce-downgrade-plain-only"),
                ] {
                    assert_eq!(outcome(&report, id), "fail", "{id}");
                    assert!(
                        codes(&report, id).contains(&code.to_string()),
                        "{id}: {:?}",
                        codes(&report, id)
                    );
                }
            }
            _ => {
                assert_eq!(outcome(&report, "as-metadata-discovery"), "fail", "{name}");
                assert_eq!(report.level, 0, "{name}");
                for c in report.checks.iter().filter(|c| c.category == "discovery") {
                    assert_ne!(c.outcome.as_str(), "pass", "{name}: {} passed", c.id);
                }
                for id in &METADATA_FAMILY[1..] {
                    assert_eq!(outcome(&report, id), "skip", "{name}: {id}");
                }
            }
        }
        scores.push((name, report.score.unwrap()));
    }
    let best = scores.iter().max_by_key(|(_, s)| *s).unwrap();
    assert_eq!(best.0, "agent-ready", "{scores:?}");
}

#[tokio::test]
async fn honeypot_answering_json_everywhere_passes_no_discovery_check() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(as_doc(&server.uri())))
        .mount(&server)
        .await;
    let (report, _) = scan(&server.uri()).await;
    assert_eq!(outcome(&report, "as-metadata-discovery"), "fail");
    assert_eq!(report.level, 0);
}

#[tokio::test]
async fn evidence_replays_to_the_same_outcomes() {
    let running = serve(Site::bundled("classic-oauth").unwrap())
        .await
        .unwrap();
    let (report, ev) = scan(&running.target).await;
    drop(running);
    let text = serde_json::to_string(&ev).unwrap();
    let mut back: agentready::evidence::Evidence = serde_json::from_str(&text).unwrap();
    back.finish_loading();
    let engine = agentready::engine::Engine::new(Vec::new(), &[], &[]).unwrap();
    let replayed = engine.evaluate(&back, report.started_at.clone(), report.duration_ms);
    assert_eq!(replayed.checks, report.checks);
    assert_eq!(replayed.score, report.score);
    assert_eq!(replayed.questions, report.questions);
}

#[tokio::test]
async fn client_sends_its_user_agent_and_user_headers_but_never_records_secrets() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/.well-known/oauth-authorization-server"))
        .and(header("user-agent", DEFAULT_USER_AGENT))
        .and(header("authorization", "Bearer s3cret-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(as_doc(&server.uri())))
        .expect(1)
        .mount(&server)
        .await;
    let config = HttpConfig {
        headers: vec![parse_header("Authorization: Bearer s3cret-token").unwrap()],
        ..HttpConfig::loopback_only()
    };
    let (report, ev) = scan_with(&server.uri(), config, Duration::from_secs(10)).await;
    server.verify().await;
    assert_eq!(outcome(&report, "as-metadata-discovery"), "pass");
    let all = format!(
        "{}{}",
        serde_json::to_string(&report).unwrap(),
        serde_json::to_string(&ev).unwrap()
    );
    assert!(
        !all.contains("s3cret"),
        "the secret leaked into the report or evidence"
    );
    assert!(all.contains("[redacted]"));
}

#[tokio::test]
async fn redirects_are_followed_recorded_and_bounded() {
    let server = MockServer::start().await;
    let origin = server.uri();
    Mock::given(path("/.well-known/oauth-authorization-server"))
        .respond_with(ResponseTemplate::new(301).insert_header("location", "/meta/v2"))
        .mount(&server)
        .await;
    Mock::given(path("/meta/v2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(as_doc(&origin)))
        .mount(&server)
        .await;
    // A loop on the OIDC URL.
    Mock::given(path("/.well-known/openid-configuration"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", "/loop"))
        .mount(&server)
        .await;
    Mock::given(path("/loop"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", "/loop"))
        .mount(&server)
        .await;
    let (report, ev) = scan(&origin).await;
    assert_eq!(outcome(&report, "as-metadata-discovery"), "pass");
    let x = ev.get("as-metadata").unwrap();
    let resp = x.response.as_ref().unwrap();
    assert_eq!(resp.redirects.len(), 1);
    assert_eq!(resp.redirects[0].status, 301);
    assert!(resp.final_url.ends_with("/meta/v2"));
    let looped = ev.get("oidc-config").unwrap();
    assert_eq!(looped.error.as_ref().unwrap().kind, "redirect-limit");
}

#[tokio::test]
async fn user_headers_do_not_follow_a_redirect_to_another_origin() {
    let other = MockServer::start().await;
    Mock::given(header_exists("x-api-key"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&other)
        .await;
    Mock::given(path("/meta"))
        .respond_with(ResponseTemplate::new(404))
        .expect(1)
        .mount(&other)
        .await;
    let server = MockServer::start().await;
    Mock::given(path("/.well-known/oauth-authorization-server"))
        .and(header("x-api-key", "k"))
        .respond_with(
            ResponseTemplate::new(307).insert_header("location", format!("{}/meta", other.uri())),
        )
        .expect(1)
        .mount(&server)
        .await;
    let config = HttpConfig {
        headers: vec![parse_header("X-Api-Key: k").unwrap()],
        ..HttpConfig::loopback_only()
    };
    scan_with(&server.uri(), config, Duration::from_secs(10)).await;
    server.verify().await;
    other.verify().await;
}

#[tokio::test]
async fn bodies_are_capped_after_decompression() {
    use std::io::Write;
    let server = MockServer::start().await;
    // 4 MiB of JSON whitespace compresses to a few KiB.
    let mut big = b"{\"issuer\":\"x\"".to_vec();
    big.extend(std::iter::repeat_n(b' ', 4 * 1024 * 1024));
    big.push(b'}');
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&big).unwrap();
    let gz = gz.finish().unwrap();
    assert!(gz.len() < 64 * 1024);
    Mock::given(path("/.well-known/oauth-authorization-server"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-encoding", "gzip")
                .insert_header("content-type", "application/json")
                .set_body_bytes(gz),
        )
        .mount(&server)
        .await;
    let (report, ev) = scan(&server.uri()).await;
    let resp = ev.response("as-metadata").unwrap();
    assert!(resp.truncated);
    assert_eq!(resp.body.len(), 1024 * 1024);
    assert_eq!(outcome(&report, "as-metadata-discovery"), "fail");
}

#[tokio::test]
async fn the_target_deadline_bounds_a_slow_server() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let (report, ev) = scan_with(
        &server.uri(),
        HttpConfig::loopback_only(),
        Duration::from_millis(300),
    )
    .await;
    assert!(
        ev.exchanges
            .iter()
            .all(|x| x.error.as_ref().is_some_and(|e| e.kind == "deadline"))
    );
    assert!(report.incomplete());
    assert_eq!(report.score, None);
    assert_eq!(report.grade, None);
    assert_report_schema(&serde_json::to_value(&report).unwrap());
}

#[tokio::test]
async fn resolve_pins_a_name_to_loopback() {
    let running = serve(Site::bundled("agent-ready").unwrap()).await.unwrap();
    let port = running.addr.port();
    let config = HttpConfig {
        resolve: vec![parse_resolve(&format!("agentready-test.invalid:{port}:127.0.0.1")).unwrap()],
        ..HttpConfig::loopback_only()
    };
    let (report, _) = scan_with(
        &format!("http://agentready-test.invalid:{port}/"),
        config,
        Duration::from_secs(10),
    )
    .await;
    // The site's documents name http://127.0.0.1:PORT as issuer: reached
    // under another name, the issuer does not match.
    assert!(report.error.is_none(), "{:?}", report.error);
    assert_eq!(outcome(&report, "as-metadata-discovery"), "warn");
    assert!(
        codes(&report, "issuer-identifier").contains(&"issuer-identifier-mismatch".to_string())
    );
}
