//! Scenario tests: fixture sites on loopback, scanned over real HTTP.

mod common;

/// The checks of authorization-server metadata, discovery first.
const METADATA_FAMILY: [&str; 7] = [
    "as-metadata-discovery",
    "as-metadata-conformance",
    "issuer-identifier",
    "endpoint-transport",
    "oauth21-grants",
    "pkce-s256",
    "pkce-downgrade",
];
use agentready::fixture::{Site, serve};
use agentready::gather::http::{DEFAULT_USER_AGENT, HttpConfig, parse_header, parse_resolve};
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
        // The API GETs /api and /api/v1 (the target URL's GET is the
        // unauthenticated API probe, mounted above).
        "/api",
        "/api/v1",
        // The API catalog, then (nothing announced) the conventional
        // description locations, one relative to the target path.
        "/.well-known/api-catalog",
        "/openapi.json",
        "/openapi.yaml",
        "/swagger.json",
        "/v3/api-docs",
        "/api/openapi.json",
        "/tenant1/openapi.json",
        // The discovery cards: the A2A agent card and the AI catalog.
        "/.well-known/agent-card.json",
        "/.well-known/ai-catalog.json",
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
    assert_eq!(report.requests_total, 22);
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
                // built yet, token-lifetime (no token supplied) and the
                // optional features the site does not use: x402-payment
                // (it charges nothing), dpop-binding (bearer tokens), the
                // discovery cards (it publishes none).
                for c in &report.checks {
                    let ok = c.outcome.as_str() == "pass"
                        || (c.outcome.as_str() == "skip"
                            && (c.summary == agentready::model::outcome::NOT_IMPLEMENTED
                                || [
                                    "token-lifetime",
                                    "x402-payment",
                                    "dpop-binding",
                                    "agent-card",
                                    "mcp-server-card",
                                ]
                                .contains(&c.id.as_str())));
                    assert!(
                        ok,
                        "agent-ready: {} is {} ({})",
                        c.id,
                        c.outcome.as_str(),
                        c.summary
                    );
                }
                assert_eq!(
                    report.level,
                    Some(3),
                    "agent-native: registration, classified least-privilege scopes, step-up"
                );
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
                assert_eq!(report.level, Some(0), "{name}");
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
    assert_eq!(report.level, Some(0));
}

#[tokio::test]
async fn evidence_replays_to_the_same_outcomes() {
    let running = serve(Site::bundled("classic-oauth").unwrap())
        .await
        .unwrap();
    let (report, ev) = scan(&running.target).await;
    drop(running);
    let text = ev.to_json().unwrap();
    let back = agentready::evidence::Evidence::from_json(&text).unwrap();
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
    // A server that echoes the credential back (an echo endpoint, an
    // error message quoting the key).
    Mock::given(method("GET"))
        .and(path("/.well-known/openid-configuration"))
        .respond_with(
            ResponseTemplate::new(401)
                .insert_header("x-echo", "Bearer s3cret-token")
                .set_body_string("{\"error\": \"invalid key s3cret-token\"}"),
        )
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
    assert_eq!(
        looped.error.as_ref().unwrap().kind.as_str(),
        "redirect-limit"
    );
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
    assert!(ev.exchanges().iter().all(|x| {
        x.error
            .as_ref()
            .is_some_and(|e| e.kind.as_str() == "deadline")
    }));
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

fn base64_json(v: &serde_json::Value) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(v.to_string())
}

/// x402 over real HTTP: a v2 header challenge on the target URL (which is
/// also the `/api/v1` probe: fetched once, aliased), a v1 body challenge on
/// `/api`.
#[tokio::test]
async fn x402_challenges_pass_over_http_and_each_url_is_fetched_once() {
    let server = MockServer::start().await;
    let origin = server.uri();
    let v2 = json!({
        "x402Version": 2,
        "resource": {"url": format!("{origin}/api/v1")},
        "accepts": [{"scheme": "exact", "network": "eip155:8453", "amount": "10000",
                     "asset": "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
                     "payTo": "0x209693Bc6afc0C5328bA36FaF03C514EF312287C",
                     "maxTimeoutSeconds": 60, "extra": {"name": "USDC"}}]
    });
    // The same URL with a bogus bearer token (the challenge probe) is
    // another request.
    Mock::given(method("GET"))
        .and(path("/api/v1"))
        .and(header_exists("authorization"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1"))
        .and(header("accept", "application/json"))
        .respond_with(
            ResponseTemplate::new(402)
                .insert_header("payment-required", base64_json(&v2).as_str())
                .set_body_json(json!({})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api"))
        .respond_with(ResponseTemplate::new(402).set_body_json(json!({
            "x402Version": 1, "error": "X-PAYMENT header is required",
            "accepts": [{"scheme": "exact", "network": "base", "maxAmountRequired": "5000",
                         "asset": "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
                         "payTo": "0x209693Bc6afc0C5328bA36FaF03C514EF312287C",
                         "resource": format!("{origin}/api"), "description": "API access",
                         "maxTimeoutSeconds": 60}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let (report, ev) = scan(&format!("{origin}/api/v1")).await;
    server.verify().await;
    assert_eq!(outcome(&report, "x402-payment"), "pass");
    let check = report.check("x402-payment").unwrap();
    let challenges = check.data.as_ref().unwrap()["challenges"]
        .as_array()
        .unwrap();
    assert_eq!(challenges.len(), 2, "{challenges:?}");
    assert!(check.summary.contains("eip155:8453") || check.summary.contains("base"));
    // The target URL and /api/v1 are one request.
    assert_eq!(
        ev.record("api-target").unwrap().exchange,
        ev.record("api-base-v1").unwrap().exchange
    );
    assert_report_schema(&serde_json::to_value(&report).unwrap());
}

#[tokio::test]
async fn a_bare_402_warns_a_broken_header_fails_and_no_402_skips_over_http() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api"))
        .respond_with(ResponseTemplate::new(402).set_body_string("Payment Required"))
        .expect(1)
        .mount(&server)
        .await;
    let (report, _) = scan(&server.uri()).await;
    server.verify().await;
    assert_eq!(outcome(&report, "x402-payment"), "warn");
    assert_eq!(
        codes(&report, "x402-payment"),
        vec!["x402-payment-bare-402"]
    );
    let running = serve(Site::bundled("agent-ready").unwrap()).await.unwrap();
    let (report, _) = scan(&format!("{}/", running.origin)).await;
    assert_eq!(outcome(&report, "x402-payment"), "skip");
    // A PAYMENT-REQUIRED header that is not base64 JSON fails.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1"))
        .respond_with(
            ResponseTemplate::new(402)
                .insert_header("payment-required", "pay 0.01 USDC to 0xabc")
                .set_body_json(json!({})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let (report, _) = scan(&server.uri()).await;
    server.verify().await;
    assert_eq!(outcome(&report, "x402-payment"), "fail");
    assert_eq!(
        codes(&report, "x402-payment"),
        vec!["x402-payment-v2-header-invalid"]
    );
}

/// request-attribution over real HTTP: the agent-ready site sends request
/// ids (Q9 partial, never yes); the no-auth site sends none (Q9 unknown,
/// never no).
#[tokio::test]
async fn request_ids_make_q9_partial_and_their_absence_unknown() {
    for (name, want, q9) in [
        ("agent-ready", "pass", "partial"),
        ("no-auth", "warn", "unknown"),
    ] {
        let running = serve(Site::bundled(name).unwrap()).await.unwrap();
        let (report, _) = scan(&format!("{}/", running.origin)).await;
        assert_eq!(outcome(&report, "request-attribution"), want, "{name}");
        let answer = &report
            .questions
            .iter()
            .find(|q| q.id == "Q9")
            .unwrap()
            .answer;
        assert_eq!(answer, q9, "{name}");
        assert!(
            codes(&report, "request-attribution")
                .contains(&"request-attribution-audit-unverifiable".to_string())
        );
    }
}

/// rate-limit-signals over real HTTP: the agent-ready site sends the
/// current draft's fields; the no-auth site sends none; a throttled API
/// answers 429 without saying when to retry.
#[tokio::test]
async fn rate_limit_signals_pass_and_warn_over_http() {
    let running = serve(Site::bundled("agent-ready").unwrap()).await.unwrap();
    let (report, _) = scan(&format!("{}/", running.origin)).await;
    assert_eq!(outcome(&report, "rate-limit-signals"), "pass");
    let data = report
        .check("rate-limit-signals")
        .unwrap()
        .data
        .clone()
        .unwrap();
    assert_eq!(data["generations"], json!(["ietf-current"]));
    let running = serve(Site::bundled("no-auth").unwrap()).await.unwrap();
    let (report, _) = scan(&format!("{}/", running.origin)).await;
    assert_eq!(outcome(&report, "rate-limit-signals"), "warn");
    assert_eq!(
        codes(&report, "rate-limit-signals"),
        vec!["rate-limit-signals-missing"]
    );

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api"))
        .respond_with(ResponseTemplate::new(429).set_body_json(json!({
            "type": "https://iana.org/assignments/http-problem-types#quota-exceeded"
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("ratelimit", "limit=100, remaining=0, reset=30")
                .set_body_json(json!({})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let (report, _) = scan(&server.uri()).await;
    server.verify().await;
    assert_eq!(outcome(&report, "rate-limit-signals"), "warn");
    let c = codes(&report, "rate-limit-signals");
    assert!(
        c.contains(&"rate-limit-signals-429-without-retry-after".to_string()),
        "{c:?}"
    );
    assert!(
        c.contains(&"rate-limit-signals-legacy-draft".to_string()),
        "{c:?}"
    );
}

/// bot-challenge end to end on loopback: a Cloudflare managed challenge on
/// every machine path fails and names the vendor; a Cloudflare-fronted API
/// with a CSP naming CAPTCHA hosts and a Turnstile form on its docs page
/// passes; the honeypot passes.
#[tokio::test]
async fn bot_challenges_fail_and_cdn_presence_passes_over_http() {
    let running = serve(Site::bundled("challenged-api").unwrap())
        .await
        .unwrap();
    let (report, _) = scan(&format!("{}/", running.origin)).await;
    assert_eq!(outcome(&report, "bot-challenge"), "fail");
    let c = codes(&report, "bot-challenge");
    assert!(
        c.contains(&"bot-challenge-vendor-challenge".to_string()),
        "{c:?}"
    );
    let check = report.check("bot-challenge").unwrap();
    let first = &check.findings[0];
    assert!(first.message.contains("Cloudflare"), "{}", first.message);
    assert!(
        first.message.contains("cf-mitigated: challenge"),
        "{}",
        first.message
    );
    assert!(
        check.evidence.iter().any(|p| p == "as-metadata"),
        "{:?}",
        check.evidence
    );
    // The challenge hides the metadata: discovery fails too.
    assert_eq!(outcome(&report, "as-metadata-discovery"), "fail");
    assert_report_schema(&serde_json::to_value(&report).unwrap());

    let running = serve(Site::bundled("cloudflare-api").unwrap())
        .await
        .unwrap();
    let (report, _) = scan(&format!("{}/", running.origin)).await;
    assert_eq!(
        outcome(&report, "bot-challenge"),
        "pass",
        "{:?}",
        report.check("bot-challenge").unwrap().findings
    );
    let c = codes(&report, "bot-challenge");
    assert!(
        c.contains(&"bot-challenge-cdn-present".to_string()),
        "{c:?}"
    );
    assert!(
        c.contains(&"bot-challenge-captcha-on-html-page".to_string()),
        "{c:?}"
    );
    assert_eq!(outcome(&report, "rate-limit-signals"), "pass");
    assert_eq!(outcome(&report, "request-attribution"), "pass");

    let running = serve(Site::bundled("honeypot").unwrap()).await.unwrap();
    let (report, _) = scan(&format!("{}/", running.origin)).await;
    assert_eq!(outcome(&report, "bot-challenge"), "pass");
}

/// Every bundled site, scanned with the whole catalogue: each route is
/// requested exactly once, and the honeypot passes no discovery check.
#[tokio::test]
async fn every_bundled_site_gets_each_request_once() {
    for name in Site::bundled_names() {
        let running = serve(Site::bundled(&name).unwrap()).await.unwrap();
        let (report, _) = scan(&format!("{}/", running.origin)).await;
        let requests = running.requests();
        assert!(!requests.is_empty(), "{name}");
        for (req, n) in &requests {
            assert_eq!(*n, 1, "{name}: {req} sent {n} times");
        }
        for path in ["GET /", "GET /api", "GET /api/v1"] {
            assert!(requests.contains_key(path), "{name}: {path} not requested");
        }
        assert_eq!(requests.len(), report.requests_total, "{name}");
        if name == "honeypot" {
            for c in report.checks.iter().filter(|c| c.category == "discovery") {
                assert_ne!(c.outcome.as_str(), "pass", "honeypot passed {}", c.id);
            }
        }
    }
}
