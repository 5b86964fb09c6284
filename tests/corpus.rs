//! Scenario tests over real published metadata : every document of
//! `fixtures/corpus/real-metadata/` is served on loopback at the well-known
//! URL its issuer implies, with the provider's origin rewritten to the served
//! origin, scanned by the real engine over real HTTP, and judged by the seven
//! authorization-server metadata checks. The expected verdicts are worked out
//! from the documents and the standards (the RFCs each check cites),
//! not copied from the scanner's output.
//!
//! Rewrites replace a whole origin string. Where the point of a document is
//! that its issuer does not name the place it is served from (Salesforce's
//! api host, swmansion.com), that issuer is left as published.

use agentready::engine::Engine;
use agentready::evidence::Evidence;
use agentready::evidence::views::metadata::issuer_matches;
use agentready::fixture::{Route, RunningSite, Site, serve};
use agentready::gather::http::{HttpClient, HttpConfig};
use agentready::gather::plan::{GatherOptions, issuer_metadata_urls};
use agentready::model::exchange::Mode;
use agentready::model::outcome::Outcome::{self, Fail, Pass, Skip, Warn};
use agentready::model::target::Target;
use agentready::report::Report;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// Replaced by the served origin (`http://127.0.0.1:PORT`) in every body.
const ORIGIN: &str = "{{origin}}";
const AS: &str = "/.well-known/oauth-authorization-server";
const OIDC: &str = "/.well-known/openid-configuration";
const PRM: &str = "/.well-known/oauth-protected-resource";

/// The seven checks of authorization-server metadata; every scenario
/// states a verdict for each.
const CHECKS: [&str; 7] = [
    "as-metadata-discovery",
    "as-metadata-conformance",
    "issuer-identifier",
    "endpoint-transport",
    "oauth21-grants",
    "pkce-s256",
    "pkce-downgrade",
];

/// `(check id, outcome, distinct finding codes)` for each of [`CHECKS`].
type Verdicts = [(&'static str, Outcome, &'static [&'static str]); 7];

/// Every document of the corpus, each served by some test below.
const CORPUS: [&str; 24] = [
    "canva-mcp-oauth-authorization-server.json",
    "canva-mcp-oauth-protected-resource.json",
    "cloudflare-observability-oauth-authorization-server.json",
    "cloudflare-observability-oauth-protected-resource.json",
    "gitlab-openid-configuration.json",
    "google-openid-configuration.json",
    "keycloak-mafiasi-openid-configuration.json",
    "linear-mcp-oauth-authorization-server.json",
    "linear-mcp-oauth-protected-resource.json",
    "microsoft-entra-common-openid-configuration.json",
    "notion-mcp-2026-09-oauth-authorization-server.json",
    "notion-mcp-oauth-authorization-server.json",
    "notion-mcp-oauth-protected-resource.json",
    "okta-apis-openid-configuration.json",
    "okta-mcp-oauth-authorization-server.json",
    "salesforce-api-oauth-authorization-server.json",
    "salesforce-api-oauth-protected-resource.json",
    "salesforce-openid-configuration.json",
    "sentry-mcp-oauth-authorization-server.json",
    "sentry-mcp-oauth-protected-resource.json",
    "slack-openid-configuration.json",
    "stripe-oauth-authorization-server.json",
    "stripe-oauth-protected-resource.json",
    "swmansion-agentauth-oauth-authorization-server.json",
];

// ---------------------------------------------------------------------------
// Helpers: read, serve, scan, judge.

/// A corpus document with each `(from, to)` replaced in turn. Every `from`
/// must occur, so a mistyped origin fails loudly instead of leaving the real
/// host in place.
fn corpus(file: &str, rewrites: &[(&str, &str)]) -> String {
    let path = format!(
        "{}/fixtures/corpus/real-metadata/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    for (from, to) in rewrites {
        assert!(text.contains(from), "{file} does not contain `{from}`");
        text = text.replace(from, to);
    }
    text
}

/// Serve `(path, body)` pairs as JSON on a loopback port; 404 elsewhere.
async fn serve_docs(name: &str, docs: Vec<(&str, String)>) -> RunningSite {
    serve_routes(name, docs, Vec::new()).await
}

/// Serve JSON documents plus extra routes (a recorded challenge).
async fn serve_routes(name: &str, docs: Vec<(&str, String)>, extra: Vec<Route>) -> RunningSite {
    let mut routes: Vec<Route> = docs
        .into_iter()
        .map(|(path, body)| Route {
            method: "GET".into(),
            path: path.into(),
            status: 200,
            content_type: Some("application/json".into()),
            headers: BTreeMap::new(),
            body: Some(body),
            body_file: None,
            if_header: None,
            dcr: None,
        })
        .collect();
    routes.extend(extra);
    let site = Site {
        name: name.into(),
        description: format!("real published metadata of {name}, origins rewritten"),
        target: None,
        fallback: None,
        routes,
    };
    serve(site).await.expect("serve the site on loopback")
}

/// Scan `target` with the full built-in catalogue over real HTTP.
async fn scan(target: &str) -> (Report, Evidence) {
    let engine = Engine::new(Vec::new(), &[], &[]).expect("built-in catalogue");
    let client = HttpClient::new(HttpConfig::loopback_only()).expect("HTTP client");
    let target = Target::parse(target).expect("target parses");
    let opts = GatherOptions {
        mode: Mode::Safe,
        target_timeout: Duration::from_secs(10),
        ..GatherOptions::default()
    };
    let (report, evidence) = engine.scan(&client, &target, &opts).await;
    assert_eq!(report.error, None, "{}: scan error", target.input);
    (report, evidence)
}

/// Every request reached the site once, and every document it serves was
/// among them (nothing served went unread, nothing was asked twice).
fn assert_each_request_once(provider: &str, site: &RunningSite, served: &[&str]) {
    let requests = site.requests();
    let repeated: Vec<_> = requests.iter().filter(|(_, n)| **n != 1).collect();
    assert!(
        repeated.is_empty(),
        "{provider}: requests sent more than once: {repeated:?}"
    );
    for path in served {
        assert!(
            requests.contains_key(&format!("GET {path}")),
            "{provider}: {path} was never requested; requests were {requests:?}"
        );
    }
}

/// The URLs at which `as-metadata-discovery` reports the documents it used.
fn found_at(report: &Report, evidence: &Evidence) -> BTreeSet<String> {
    let check = report
        .check("as-metadata-discovery")
        .expect("as-metadata-discovery is in the report");
    check
        .findings
        .iter()
        .filter(|f| f.code == "as-metadata-discovery-found")
        .filter_map(|f| evidence.record(f.probe.as_deref()?))
        .filter_map(|r| evidence.exchange(r.exchange))
        .map(|x| x.request.url.clone())
        .collect()
}

/// Each of the seven checks has the expected outcome and exactly the
/// expected set of finding codes; all differences are listed at once.
fn assert_verdicts(provider: &str, report: &Report, expected: &Verdicts) {
    let ids: BTreeSet<&str> = expected.iter().map(|(id, _, _)| *id).collect();
    assert_eq!(
        ids,
        CHECKS.into_iter().collect::<BTreeSet<_>>(),
        "{provider}: the table must give a verdict for each of the seven checks"
    );
    let mut wrong = Vec::new();
    for (id, outcome, codes) in expected {
        let Some(check) = report.check(id) else {
            wrong.push(format!("{id}: not in the report"));
            continue;
        };
        let got: BTreeSet<&str> = check.findings.iter().map(|f| f.code.as_str()).collect();
        let want: BTreeSet<&str> = codes.iter().copied().collect();
        if check.outcome != *outcome || got != want {
            wrong.push(format!(
                "{id}: expected {outcome:?} {want:?}, got {:?} {got:?} ({})",
                check.outcome, check.summary
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{provider}: wrong verdicts:\n  {}",
        wrong.join("\n  ")
    );
}

/// One provider whose documents all live on one origin: serve them, scan
/// `origin + target_path`, check requests, the discovery URL and verdicts.
async fn single_origin(
    provider: &str,
    docs: Vec<(&str, String)>,
    target_path: &str,
    found_path: &str,
    expected: &Verdicts,
) {
    let served: Vec<&str> = docs.iter().map(|(p, _)| *p).collect();
    let running = serve_routes(provider, docs, recorded_challenge(provider)).await;
    let (report, evidence) = scan(&format!("{}{target_path}", running.origin)).await;
    assert_each_request_once(provider, &running, &served);
    assert_eq!(
        found_at(&report, &evidence),
        BTreeSet::from([format!("{}{found_path}", running.origin)]),
        "{provider}: where the metadata was found"
    );
    assert_verdicts(provider, &report, expected);
    assert_discovery(provider, &report);
}

/// The informative finding naming where a document was found.
const FOUND: &str = "as-metadata-discovery-found";

/// OpenID discovery alone: discovery passes, but clients built before MCP
/// 2025-11-25 look only at the RFC 8414 URL (a warn).
const OIDC_ONLY: &str = "as-metadata-conformance-oidc-only";

/// The verdicts of a clean MCP authorization server (S256 only, code grant,
/// every endpoint on the served origin).
const CLEAN: Verdicts = [
    ("as-metadata-discovery", Pass, &[FOUND]),
    ("as-metadata-conformance", Pass, &[]),
    ("issuer-identifier", Pass, &[]),
    ("endpoint-transport", Pass, &[]),
    ("oauth21-grants", Pass, &[]),
    ("pkce-s256", Pass, &[]),
    ("pkce-downgrade", Pass, &[]),
];

/// A clean server that also offers `plain` beside `S256` (RFC 7636 §7.2,
/// standards D2: a downgrade path, warn).
const PLAIN_BESIDE_S256: Verdicts = [
    ("as-metadata-discovery", Pass, &[FOUND]),
    ("as-metadata-conformance", Pass, &[]),
    ("issuer-identifier", Pass, &[]),
    ("endpoint-transport", Pass, &[]),
    ("oauth21-grants", Pass, &[]),
    ("pkce-s256", Pass, &[]),
    ("pkce-downgrade", Warn, &["pkce-downgrade-plain-offered"]),
];

// ---------------------------------------------------------------------------
// The discovery family (RFC 9728 PRM, RFC 6750 challenges, consistency,
// JWK Sets): one row per provider and check, `None` where the corpus holds
// nothing to judge, always with the reason. docs/corpus-verdicts.md is the
// same table for readers.

/// Challenges recorded live (fixtures/corpus/real-metadata/SOURCES.md):
/// provider, the origin to rewrite, the `WWW-Authenticate` value. Served on
/// `POST /mcp` with status 401.
const CHALLENGES: &[(&str, &str, &str)] = &[
    (
        "Sentry MCP",
        "https://mcp.sentry.dev",
        r#"Bearer realm="OAuth", resource_metadata="https://mcp.sentry.dev/.well-known/oauth-protected-resource/mcp""#,
    ),
    (
        "Linear MCP",
        "https://mcp.linear.app",
        r#"Bearer realm="OAuth", resource_metadata="https://mcp.linear.app/.well-known/oauth-protected-resource/mcp", error="invalid_token""#,
    ),
];

/// The recorded challenge of a provider as a route, if one was recorded.
fn recorded_challenge(provider: &str) -> Vec<Route> {
    CHALLENGES
        .iter()
        .filter(|(p, _, _)| *p == provider)
        .map(|(_, origin, www)| Route {
            method: "POST".into(),
            path: "/mcp".into(),
            status: 401,
            content_type: Some("application/json".into()),
            headers: BTreeMap::from([(
                "www-authenticate".to_string(),
                www.replace(origin, ORIGIN),
            )]),
            body: Some(r#"{"error":"invalid_token"}"#.into()),
            body_file: None,
            if_header: None,
            dcr: None,
        })
        .collect()
}

/// `(provider, check, expected outcome or None, finding codes, reason)`.
type DiscoveryRow = (
    &'static str,
    &'static str,
    Option<Outcome>,
    &'static [&'static str],
    &'static str,
);

const NO_PRM: &str = "no protected-resource metadata is published (an authorization server only)";
const NO_API: &str =
    "the target is the origin and no PRM names another resource: no endpoint to challenge";
const NO_CHALLENGE: &str = "no challenge was recorded for this server, so /mcp is not served";
const NO_JWKS_URI: &str = "the metadata advertises no jwks_uri";
const JWKS_ABSENT: &str = "the JWK Set itself is not in the corpus";
const NOTHING_TO_CROSS: &str = "no PRM and no challenge: nothing to cross-check";
const USERINFO_NOT_IN_CORPUS: &str = "the target is an issuer: its userinfo_endpoint is probed as the protected resource, and the corpus holds no answer of it";
const USERINFO_ELSEWHERE: &str = "the target is an issuer: its userinfo_endpoint is on another host, which a loopback scan does not reach";
const ISSUER_PATH_TARGET: &str =
    "the target is an issuer path, not an API; the corpus has no API there";

const DISCOVERY: &[DiscoveryRow] = &[
    (
        "Linear MCP",
        "protected-resource-metadata",
        Some(Pass),
        &[],
        "path-suffixed, resource is the MCP URL",
    ),
    (
        "Linear MCP",
        "bearer-challenge",
        Some(Warn),
        &[
            "bearer-challenge-missing-scope",
            "bearer-challenge-error-without-credentials",
        ],
        "the recorded challenge has resource_metadata but no scope, and an error code without credentials",
    ),
    (
        "Linear MCP",
        "discovery-consistency",
        Some(Pass),
        &[],
        "challenge → PRM → AS agree",
    ),
    ("Linear MCP", "jwks-hygiene", Some(Skip), &[], NO_JWKS_URI),
    (
        "Sentry MCP",
        "protected-resource-metadata",
        Some(Pass),
        &[],
        "only path-suffixed (root 404s), resource is the MCP URL",
    ),
    (
        "Sentry MCP",
        "bearer-challenge",
        Some(Warn),
        &["bearer-challenge-missing-scope"],
        "the recorded challenge has resource_metadata but no scope",
    ),
    (
        "Sentry MCP",
        "discovery-consistency",
        Some(Pass),
        &[],
        "challenge → PRM → AS agree",
    ),
    ("Sentry MCP", "jwks-hygiene", Some(Skip), &[], NO_JWKS_URI),
    (
        "Cloudflare observability MCP",
        "protected-resource-metadata",
        Some(Warn),
        &["protected-resource-metadata-scopes-missing"],
        "no scopes_supported (RECOMMENDED)",
    ),
    (
        "Cloudflare observability MCP",
        "bearer-challenge",
        None,
        &[],
        NO_CHALLENGE,
    ),
    (
        "Cloudflare observability MCP",
        "discovery-consistency",
        Some(Pass),
        &[],
        "PRM → AS agree",
    ),
    (
        "Cloudflare observability MCP",
        "jwks-hygiene",
        Some(Skip),
        &[],
        NO_JWKS_URI,
    ),
    (
        "Notion MCP",
        "protected-resource-metadata",
        Some(Warn),
        &[
            "protected-resource-metadata-scopes-missing",
            "protected-resource-metadata-path-suffixed-missing",
        ],
        "only at the root, no scopes_supported",
    ),
    ("Notion MCP", "bearer-challenge", None, &[], NO_CHALLENGE),
    (
        "Notion MCP",
        "discovery-consistency",
        Some(Pass),
        &[],
        "PRM → AS agree",
    ),
    ("Notion MCP", "jwks-hygiene", Some(Skip), &[], NO_JWKS_URI),
    (
        "Notion MCP (2026-09)",
        "protected-resource-metadata",
        Some(Warn),
        &[
            "protected-resource-metadata-scopes-missing",
            "protected-resource-metadata-path-suffixed-missing",
        ],
        "only at the root, no scopes_supported",
    ),
    (
        "Notion MCP (2026-09)",
        "bearer-challenge",
        None,
        &[],
        NO_CHALLENGE,
    ),
    (
        "Notion MCP (2026-09)",
        "discovery-consistency",
        Some(Pass),
        &[],
        "PRM → AS agree",
    ),
    (
        "Notion MCP (2026-09)",
        "jwks-hygiene",
        Some(Skip),
        &[],
        NO_JWKS_URI,
    ),
    (
        "Canva MCP",
        "protected-resource-metadata",
        Some(Pass),
        &["protected-resource-metadata-path-suffixed-missing"],
        "only at the root (informative)",
    ),
    ("Canva MCP", "bearer-challenge", None, &[], NO_CHALLENGE),
    (
        "Canva MCP",
        "discovery-consistency",
        Some(Pass),
        &[],
        "PRM → AS agree",
    ),
    ("Canva MCP", "jwks-hygiene", Some(Skip), &[], NO_JWKS_URI),
    (
        "Stripe MCP",
        "protected-resource-metadata",
        Some(Warn),
        &["protected-resource-metadata-scopes-missing"],
        "at the root, no scopes_supported",
    ),
    ("Stripe MCP", "bearer-challenge", Some(Skip), &[], NO_API),
    (
        "Stripe MCP",
        "discovery-consistency",
        Some(Pass),
        &[],
        "PRM → cross-host AS with a path agree",
    ),
    ("Stripe MCP", "jwks-hygiene", Some(Skip), &[], NO_JWKS_URI),
    (
        "Okta MCP",
        "protected-resource-metadata",
        Some(Fail),
        &["protected-resource-metadata-not-found"],
        NO_PRM,
    ),
    ("Okta MCP", "bearer-challenge", Some(Skip), &[], NO_API),
    (
        "Okta MCP",
        "discovery-consistency",
        Some(Skip),
        &[],
        NOTHING_TO_CROSS,
    ),
    ("Okta MCP", "jwks-hygiene", Some(Skip), &[], NO_JWKS_URI),
    (
        "Salesforce api",
        "protected-resource-metadata",
        Some(Pass),
        &[],
        "at the root; resource rewritten with the :443 form dropped (see salesforce_api_default_port_is_not_identical)",
    ),
    (
        "Salesforce api",
        "bearer-challenge",
        Some(Skip),
        &[],
        NO_API,
    ),
    (
        "Salesforce api",
        "discovery-consistency",
        Some(Fail),
        &["discovery-consistency-issuer-mismatch"],
        "the PRM lists the api host, whose metadata says issuer login.salesforce.com",
    ),
    ("Salesforce api", "jwks-hygiene", None, &[], JWKS_ABSENT),
    (
        "Google",
        "protected-resource-metadata",
        Some(Fail),
        &["protected-resource-metadata-not-found"],
        NO_PRM,
    ),
    (
        "Google",
        "bearer-challenge",
        Some(Skip),
        &[],
        USERINFO_ELSEWHERE,
    ),
    (
        "Google",
        "discovery-consistency",
        Some(Skip),
        &[],
        NOTHING_TO_CROSS,
    ),
    ("Google", "jwks-hygiene", None, &[], JWKS_ABSENT),
    (
        "GitLab",
        "protected-resource-metadata",
        Some(Fail),
        &["protected-resource-metadata-not-found"],
        NO_PRM,
    ),
    (
        "GitLab",
        "bearer-challenge",
        None,
        &[],
        USERINFO_NOT_IN_CORPUS,
    ),
    (
        "GitLab",
        "discovery-consistency",
        Some(Skip),
        &[],
        NOTHING_TO_CROSS,
    ),
    ("GitLab", "jwks-hygiene", None, &[], JWKS_ABSENT),
    (
        "Keycloak realm",
        "protected-resource-metadata",
        Some(Fail),
        &["protected-resource-metadata-not-found"],
        NO_PRM,
    ),
    (
        "Keycloak realm",
        "bearer-challenge",
        None,
        &[],
        ISSUER_PATH_TARGET,
    ),
    (
        "Keycloak realm",
        "discovery-consistency",
        Some(Skip),
        &[],
        NOTHING_TO_CROSS,
    ),
    ("Keycloak realm", "jwks-hygiene", None, &[], JWKS_ABSENT),
    (
        "Okta apis",
        "protected-resource-metadata",
        Some(Fail),
        &["protected-resource-metadata-not-found"],
        NO_PRM,
    ),
    (
        "Okta apis",
        "bearer-challenge",
        None,
        &[],
        USERINFO_NOT_IN_CORPUS,
    ),
    (
        "Okta apis",
        "discovery-consistency",
        Some(Skip),
        &[],
        NOTHING_TO_CROSS,
    ),
    ("Okta apis", "jwks-hygiene", None, &[], JWKS_ABSENT),
    (
        "Slack",
        "protected-resource-metadata",
        Some(Fail),
        &["protected-resource-metadata-not-found"],
        NO_PRM,
    ),
    (
        "Slack",
        "bearer-challenge",
        None,
        &[],
        USERINFO_NOT_IN_CORPUS,
    ),
    (
        "Slack",
        "discovery-consistency",
        Some(Skip),
        &[],
        NOTHING_TO_CROSS,
    ),
    ("Slack", "jwks-hygiene", None, &[], JWKS_ABSENT),
    (
        "Salesforce login",
        "protected-resource-metadata",
        Some(Fail),
        &["protected-resource-metadata-not-found"],
        NO_PRM,
    ),
    (
        "Salesforce login",
        "bearer-challenge",
        None,
        &[],
        USERINFO_NOT_IN_CORPUS,
    ),
    (
        "Salesforce login",
        "discovery-consistency",
        Some(Skip),
        &[],
        NOTHING_TO_CROSS,
    ),
    ("Salesforce login", "jwks-hygiene", None, &[], JWKS_ABSENT),
    (
        "Microsoft Entra common",
        "protected-resource-metadata",
        Some(Fail),
        &["protected-resource-metadata-not-found"],
        NO_PRM,
    ),
    (
        "Microsoft Entra common",
        "bearer-challenge",
        None,
        &[],
        ISSUER_PATH_TARGET,
    ),
    (
        "Microsoft Entra common",
        "discovery-consistency",
        Some(Skip),
        &[],
        NOTHING_TO_CROSS,
    ),
    (
        "Microsoft Entra common",
        "jwks-hygiene",
        None,
        &[],
        JWKS_ABSENT,
    ),
    (
        "swmansion.com",
        "protected-resource-metadata",
        Some(Fail),
        &["protected-resource-metadata-not-found"],
        NO_PRM,
    ),
    ("swmansion.com", "bearer-challenge", Some(Skip), &[], NO_API),
    (
        "swmansion.com",
        "discovery-consistency",
        Some(Skip),
        &[],
        NOTHING_TO_CROSS,
    ),
    ("swmansion.com", "jwks-hygiene", None, &[], JWKS_ABSENT),
];

/// The answer to the invalid-token request is not recorded anywhere: the
/// fixture serves the same recorded challenge, so this code is an artefact
/// of the fixture and is not compared.
const UNRECORDED: &str = "bearer-challenge-invalid-token-error-missing";

/// Check the discovery family against [`DISCOVERY`]: every provider has a
/// row for each of the four checks, and every judged row holds.
fn assert_discovery(provider: &str, report: &Report) {
    let rows: Vec<&DiscoveryRow> = DISCOVERY.iter().filter(|r| r.0 == provider).collect();
    let ids: BTreeSet<&str> = rows.iter().map(|r| r.1).collect();
    assert_eq!(
        ids,
        [
            "protected-resource-metadata",
            "bearer-challenge",
            "discovery-consistency",
            "jwks-hygiene",
        ]
        .into_iter()
        .collect::<BTreeSet<_>>(),
        "{provider}: the discovery table needs one row per discovery check"
    );
    let mut wrong = Vec::new();
    for (_, id, outcome, codes, why) in rows {
        let Some(outcome) = outcome else { continue };
        let check = report.check(id).expect("check in report");
        let got: BTreeSet<&str> = check
            .findings
            .iter()
            .map(|f| f.code.as_str())
            .filter(|c| *c != UNRECORDED)
            .collect();
        let want: BTreeSet<&str> = codes.iter().copied().collect();
        if check.outcome != *outcome || got != want {
            wrong.push(format!(
                "{id}: expected {outcome:?} {want:?} ({why}), got {:?} {got:?} ({})",
                check.outcome, check.summary
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{provider}: wrong discovery verdicts:\n  {}",
        wrong.join("\n  ")
    );
}

#[test]
fn every_corpus_document_is_covered() {
    let dir = format!(
        "{}/fixtures/corpus/real-metadata",
        env!("CARGO_MANIFEST_DIR")
    );
    let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json"))
        .collect();
    let covered: BTreeSet<String> = CORPUS.iter().map(|s| s.to_string()).collect();
    assert_eq!(on_disk, covered, "a corpus document has no scenario here");
}

// ---------------------------------------------------------------------------
// MCP servers: RFC 8414 metadata paired with RFC 9728 protected-resource
// metadata at the place the resource identifier implies.

/// Linear: PRM path-suffixed (`resource` is `/mcp`), AS at the origin; S256
/// only, no implicit or password grant. The AS document's non-standard
/// `resource` / `resource_metadata` members are ignored (RFC 8414 §2).
#[tokio::test]
async fn linear_mcp() {
    let rw = [("https://mcp.linear.app", ORIGIN)];
    let docs = vec![
        (
            AS,
            corpus("linear-mcp-oauth-authorization-server.json", &rw),
        ),
        (
            "/.well-known/oauth-protected-resource/mcp",
            corpus("linear-mcp-oauth-protected-resource.json", &rw),
        ),
    ];
    single_origin("Linear MCP", docs, "/mcp", AS, &CLEAN).await;
}

/// Sentry: PRM only path-suffixed (the root 404s, standards C8), AS at the
/// origin; S256 only.
#[tokio::test]
async fn sentry_mcp() {
    let rw = [("https://mcp.sentry.dev", ORIGIN)];
    let docs = vec![
        (
            AS,
            corpus("sentry-mcp-oauth-authorization-server.json", &rw),
        ),
        (
            "/.well-known/oauth-protected-resource/mcp",
            corpus("sentry-mcp-oauth-protected-resource.json", &rw),
        ),
    ];
    single_origin("Sentry MCP", docs, "/mcp", AS, &CLEAN).await;
}

/// Cloudflare observability: the PRM names the resource `/mcp`, so it lives
/// path-suffixed (RFC 9728 §3.1); S256 only, CIMD false (not judged here).
#[tokio::test]
async fn cloudflare_observability_mcp() {
    let rw = [("https://observability.mcp.cloudflare.com", ORIGIN)];
    let docs = vec![
        (
            AS,
            corpus(
                "cloudflare-observability-oauth-authorization-server.json",
                &rw,
            ),
        ),
        (
            "/.well-known/oauth-protected-resource/mcp",
            corpus(
                "cloudflare-observability-oauth-protected-resource.json",
                &rw,
            ),
        ),
    ];
    single_origin("Cloudflare observability MCP", docs, "/mcp", AS, &CLEAN).await;
}

/// Notion (June 2026 AS): PRM only at the root (`resource` is the origin);
/// `plain` beside `S256`.
#[tokio::test]
async fn notion_mcp() {
    let rw = [("https://mcp.notion.com", ORIGIN)];
    let docs = vec![
        (
            AS,
            corpus("notion-mcp-oauth-authorization-server.json", &rw),
        ),
        (PRM, corpus("notion-mcp-oauth-protected-resource.json", &rw)),
    ];
    single_origin("Notion MCP", docs, "/mcp", AS, &PLAIN_BESIDE_S256).await;
}

/// Notion (September 2026 AS, adds the ID-JAG profile and jwt-bearer): the
/// same PRM; still `plain` beside `S256`.
#[tokio::test]
async fn notion_mcp_2026_09() {
    let rw = [("https://mcp.notion.com", ORIGIN)];
    let docs = vec![
        (
            AS,
            corpus("notion-mcp-2026-09-oauth-authorization-server.json", &rw),
        ),
        (PRM, corpus("notion-mcp-oauth-protected-resource.json", &rw)),
    ];
    single_origin("Notion MCP (2026-09)", docs, "/mcp", AS, &PLAIN_BESIDE_S256).await;
}

/// Canva: PRM only at the root; `plain` beside `S256`; no `scopes_supported`
/// in the AS document (RECOMMENDED only, not judged by these checks).
#[tokio::test]
async fn canva_mcp() {
    let rw = [("https://mcp.canva.com", ORIGIN)];
    let docs = vec![
        (AS, corpus("canva-mcp-oauth-authorization-server.json", &rw)),
        (PRM, corpus("canva-mcp-oauth-protected-resource.json", &rw)),
    ];
    single_origin("Canva MCP", docs, "/mcp", AS, &PLAIN_BESIDE_S256).await;
}

/// Stripe: the MCP server (mcp.stripe.com) and its authorization server
/// (issuer `https://access.stripe.com/mcp`) are two origins, so two sites.
/// The PRM at the MCP root lists the issuer with a path; its metadata is
/// found only by following that entry, at the RFC 8414 path-inserted URL
/// `/.well-known/oauth-authorization-server/mcp` of the other origin.
#[tokio::test]
async fn stripe_mcp() {
    let provider = "Stripe MCP";
    let access = serve_docs(
        "stripe-access",
        vec![(
            "/.well-known/oauth-authorization-server/mcp",
            corpus(
                "stripe-oauth-authorization-server.json",
                &[("https://access.stripe.com", ORIGIN)],
            ),
        )],
    )
    .await;
    let mcp = serve_docs(
        "stripe-mcp",
        vec![(
            PRM,
            corpus(
                "stripe-oauth-protected-resource.json",
                &[
                    ("https://access.stripe.com", access.origin.as_str()),
                    ("https://mcp.stripe.com", ORIGIN),
                ],
            ),
        )],
    )
    .await;
    let (report, evidence) = scan(&mcp.origin).await;
    assert_each_request_once(provider, &mcp, &[PRM]);
    assert_each_request_once(
        provider,
        &access,
        &["/.well-known/oauth-authorization-server/mcp"],
    );
    assert_eq!(
        found_at(&report, &evidence),
        BTreeSet::from([format!(
            "{}/.well-known/oauth-authorization-server/mcp",
            access.origin
        )]),
        "{provider}: where the metadata was found"
    );
    assert_verdicts(provider, &report, &CLEAN);
    assert_discovery(provider, &report);
}

/// Okta's MCP authorization server (RFC 8414 document, no PRM in the
/// corpus): S256 only, but the password and implicit grants and token
/// response types are advertised. The password grant fails (the catalogue's
/// documented reading, stricter than standards D3), implicit warns.
#[tokio::test]
async fn okta_mcp() {
    let docs = vec![(
        AS,
        corpus(
            "okta-mcp-oauth-authorization-server.json",
            &[("https://mcp.okta.com", ORIGIN)],
        ),
    )];
    let expected: Verdicts = [
        ("as-metadata-discovery", Pass, &[FOUND]),
        ("as-metadata-conformance", Pass, &[]),
        ("issuer-identifier", Pass, &[]),
        ("endpoint-transport", Pass, &[]),
        (
            "oauth21-grants",
            Fail,
            &["oauth21-grants-password", "oauth21-grants-implicit"],
        ),
        ("pkce-s256", Pass, &[]),
        ("pkce-downgrade", Pass, &[]),
    ];
    single_origin("Okta MCP", docs, "", AS, &expected).await;
}

// ---------------------------------------------------------------------------
// Salesforce api.salesforce.com: the identity failures.

/// api.salesforce.com serves AS metadata whose issuer is
/// `https://login.salesforce.com`, and its PRM lists
/// `https://api.salesforce.com:443`. The AS document is served unrewritten:
/// it names only login.salesforce.com, and the point is that it is served
/// from a host that is not its issuer (the scanner never contacts that host).
/// The PRM's `https://api.salesforce.com:443` is rewritten as a whole to the
/// served origin (a prefix rewrite would yield `http://127.0.0.1:P:443`);
/// the `:443` half of the mismatch cannot be spelled on a non-default port,
/// so [`salesforce_api_default_port_is_not_identical`] checks it on the raw
/// strings. Verdicts: the document is found but unusable (warn), the issuer
/// mismatches (fail); every other check still judges its content
/// (RFC 8414 §3.3): S256 only, code grant, https endpoints.
#[tokio::test]
async fn salesforce_api_issuer_mismatch() {
    let docs = vec![
        (
            AS,
            corpus("salesforce-api-oauth-authorization-server.json", &[]),
        ),
        (
            PRM,
            corpus(
                "salesforce-api-oauth-protected-resource.json",
                &[("https://api.salesforce.com:443", ORIGIN)],
            ),
        ),
    ];
    let expected: Verdicts = [
        (
            "as-metadata-discovery",
            Warn,
            &[FOUND, "as-metadata-discovery-unusable"],
        ),
        ("as-metadata-conformance", Pass, &[]),
        ("issuer-identifier", Fail, &["issuer-identifier-mismatch"]),
        ("endpoint-transport", Pass, &[]),
        ("oauth21-grants", Pass, &[]),
        ("pkce-s256", Pass, &[]),
        ("pkce-downgrade", Pass, &[]),
    ];
    single_origin("Salesforce api", docs, "", AS, &expected).await;
}

/// The unrewritten Salesforce strings: the issuer the PRM lists keeps its
/// explicit default port, so neither the declared issuer nor the plain
/// origin is identical to it (RFC 8414 §3.3: no normalisation),
/// and the metadata URL built from it keeps the port too.
#[test]
fn salesforce_api_default_port_is_not_identical() {
    let prm: Value =
        serde_json::from_str(&corpus("salesforce-api-oauth-protected-resource.json", &[]))
            .expect("PRM is JSON");
    let meta: Value = serde_json::from_str(&corpus(
        "salesforce-api-oauth-authorization-server.json",
        &[],
    ))
    .expect("AS metadata is JSON");
    let listed = prm["authorization_servers"][0]
        .as_str()
        .expect("listed issuer");
    let declared = meta["issuer"].as_str().expect("declared issuer");
    assert_eq!(listed, "https://api.salesforce.com:443");
    assert!(!issuer_matches(listed, declared));
    assert!(!issuer_matches(listed, "https://api.salesforce.com"));
    let urls = issuer_metadata_urls(listed).expect("an https issuer");
    assert_eq!(
        urls[0].1,
        "https://api.salesforce.com:443/.well-known/oauth-authorization-server"
    );
}

// ---------------------------------------------------------------------------
// OpenID providers: OIDC discovery documents.

/// Google: `plain` beside `S256`; token-bearing response types (`token`,
/// `code token`, `token id_token`, …) are the implicit grant OAuth 2.1
/// removes (warn). Endpoints on googleapis.com stay https.
#[tokio::test]
async fn google_oidc() {
    let docs = vec![(
        OIDC,
        corpus(
            "google-openid-configuration.json",
            &[("https://accounts.google.com", ORIGIN)],
        ),
    )];
    let expected: Verdicts = [
        ("as-metadata-discovery", Pass, &[FOUND]),
        ("as-metadata-conformance", Warn, &[OIDC_ONLY]),
        ("issuer-identifier", Pass, &[]),
        ("endpoint-transport", Pass, &[]),
        ("oauth21-grants", Warn, &["oauth21-grants-implicit"]),
        ("pkce-s256", Pass, &[]),
        ("pkce-downgrade", Warn, &["pkce-downgrade-plain-offered"]),
    ];
    single_origin("Google", docs, "", OIDC, &expected).await;
}

/// GitLab: `plain` beside `S256`, and `grant_types_supported` lists
/// `password` (fail), with only `code` as response type (no implicit).
#[tokio::test]
async fn gitlab_oidc() {
    let docs = vec![(
        OIDC,
        corpus(
            "gitlab-openid-configuration.json",
            &[("https://gitlab.com", ORIGIN)],
        ),
    )];
    let expected: Verdicts = [
        ("as-metadata-discovery", Pass, &[FOUND]),
        ("as-metadata-conformance", Warn, &[OIDC_ONLY]),
        ("issuer-identifier", Pass, &[]),
        ("endpoint-transport", Pass, &[]),
        ("oauth21-grants", Fail, &["oauth21-grants-password"]),
        ("pkce-s256", Pass, &[]),
        ("pkce-downgrade", Warn, &["pkce-downgrade-plain-offered"]),
    ];
    single_origin("GitLab", docs, "", OIDC, &expected).await;
}

/// A Keycloak realm: issuer with a path, found at the OIDC appended URL
/// (third in the MCP order). Implicit and password grants and token
/// response types (fail); `plain` beside `S256` (warn); mTLS aliases and the
/// session iframe are endpoints on the served origin.
#[tokio::test]
async fn keycloak_realm_oidc() {
    let realm = "/auth/realms/simple_openid_test";
    let appended = format!("{realm}{OIDC}");
    let docs = vec![(
        appended.as_str(),
        corpus(
            "keycloak-mafiasi-openid-configuration.json",
            &[("https://identity.mafiasi.de", ORIGIN)],
        ),
    )];
    let expected: Verdicts = [
        ("as-metadata-discovery", Pass, &[FOUND]),
        ("as-metadata-conformance", Warn, &[OIDC_ONLY]),
        ("issuer-identifier", Pass, &[]),
        ("endpoint-transport", Pass, &[]),
        (
            "oauth21-grants",
            Fail,
            &["oauth21-grants-password", "oauth21-grants-implicit"],
        ),
        ("pkce-s256", Pass, &[]),
        ("pkce-downgrade", Warn, &["pkce-downgrade-plain-offered"]),
    ];
    single_origin("Keycloak realm", docs, realm, &appended, &expected).await;
}

/// Okta's apis.okta.com OpenID provider: S256 only; password and implicit
/// grants and token response types (fail).
#[tokio::test]
async fn okta_apis_oidc() {
    let docs = vec![(
        OIDC,
        corpus(
            "okta-apis-openid-configuration.json",
            &[("https://apis.okta.com", ORIGIN)],
        ),
    )];
    let expected: Verdicts = [
        ("as-metadata-discovery", Pass, &[FOUND]),
        ("as-metadata-conformance", Warn, &[OIDC_ONLY]),
        ("issuer-identifier", Pass, &[]),
        ("endpoint-transport", Pass, &[]),
        (
            "oauth21-grants",
            Fail,
            &["oauth21-grants-password", "oauth21-grants-implicit"],
        ),
        ("pkce-s256", Pass, &[]),
        ("pkce-downgrade", Pass, &[]),
    ];
    single_origin("Okta apis", docs, "", OIDC, &expected).await;
}

/// Slack: a clean OpenID provider (code grant only) that does not advertise
/// PKCE: pkce-s256 fails (RFC 8414 §2: omitted means unsupported; MCP
/// clients refuse), pkce-downgrade has nothing to judge.
#[tokio::test]
async fn slack_oidc() {
    let docs = vec![(
        OIDC,
        corpus(
            "slack-openid-configuration.json",
            &[("https://slack.com", ORIGIN)],
        ),
    )];
    let expected: Verdicts = [
        ("as-metadata-discovery", Pass, &[FOUND]),
        ("as-metadata-conformance", Warn, &[OIDC_ONLY]),
        ("issuer-identifier", Pass, &[]),
        ("endpoint-transport", Pass, &[]),
        ("oauth21-grants", Pass, &[]),
        ("pkce-s256", Fail, &["pkce-s256-not-advertised"]),
        ("pkce-downgrade", Skip, &[]),
    ];
    single_origin("Slack", docs, "", OIDC, &expected).await;
}

/// Salesforce login OpenID provider: no PKCE advertised (fail, skip), and
/// the `token` / `token id_token` response types are the implicit grant
/// (warn; `grant_types_supported` is omitted, but a token response type is
/// listed, so this is more than the RFC 8414 default).
#[tokio::test]
async fn salesforce_login_oidc() {
    let docs = vec![(
        OIDC,
        corpus(
            "salesforce-openid-configuration.json",
            &[("https://login.salesforce.com", ORIGIN)],
        ),
    )];
    let expected: Verdicts = [
        ("as-metadata-discovery", Pass, &[FOUND]),
        ("as-metadata-conformance", Warn, &[OIDC_ONLY]),
        ("issuer-identifier", Pass, &[]),
        ("endpoint-transport", Pass, &[]),
        ("oauth21-grants", Warn, &["oauth21-grants-implicit"]),
        ("pkce-s256", Fail, &["pkce-s256-not-advertised"]),
        ("pkce-downgrade", Skip, &[]),
    ];
    single_origin("Salesforce login", docs, "", OIDC, &expected).await;
}

/// Microsoft Entra `common/v2.0`: found at the OIDC appended URL of the
/// target path, but its issuer is the template `…/{tenantid}/v2.0`, so a
/// validating client must not use it (discovery warn) and the issuer is
/// reported as a template (warn, standards B2). No PKCE advertised (fail,
/// skip); `id_token token` is an implicit response type (warn).
#[tokio::test]
async fn entra_common_oidc() {
    let tenant = "/common/v2.0";
    let appended = format!("{tenant}{OIDC}");
    let docs = vec![(
        appended.as_str(),
        corpus(
            "microsoft-entra-common-openid-configuration.json",
            &[("https://login.microsoftonline.com", ORIGIN)],
        ),
    )];
    let expected: Verdicts = [
        (
            "as-metadata-discovery",
            Warn,
            &[FOUND, "as-metadata-discovery-unusable"],
        ),
        ("as-metadata-conformance", Warn, &[OIDC_ONLY]),
        ("issuer-identifier", Warn, &["issuer-identifier-template"]),
        ("endpoint-transport", Pass, &[]),
        ("oauth21-grants", Warn, &["oauth21-grants-implicit"]),
        ("pkce-s256", Fail, &["pkce-s256-not-advertised"]),
        ("pkce-downgrade", Skip, &[]),
    ];
    single_origin("Microsoft Entra common", docs, tenant, &appended, &expected).await;
}

// ---------------------------------------------------------------------------
// swmansion.com: an agent_auth document with an http issuer.

/// swmansion.com publishes (over https) a document whose issuer and every
/// endpoint are `http://swmansion.com`. It is served unrewritten: rewriting
/// to the loopback origin would turn a non-loopback http issuer into an
/// accepted loopback one and hide the defect. Served anywhere but at
/// `http://swmansion.com` its issuer mismatches, as it does live (the
/// document is fetched from `https://swmansion.com`). Verdicts: found but
/// unusable (warn); issuer mismatched and not https (fail); four http
/// endpoints (fail); empty `grant_types_supported`,
/// `response_types_supported` and `token_endpoint_auth_methods_supported`
/// (warn, RFC 8414 §3.2), and the empty one is REQUIRED, so it
/// counts as missing (fail); no grant removed by OAuth 2.1 is
/// listed (pass); no PKCE advertised (fail, skip).
#[tokio::test]
async fn swmansion_agent_auth() {
    let docs = vec![(
        AS,
        corpus("swmansion-agentauth-oauth-authorization-server.json", &[]),
    )];
    let expected: Verdicts = [
        (
            "as-metadata-discovery",
            Warn,
            &[FOUND, "as-metadata-discovery-unusable"],
        ),
        (
            "as-metadata-conformance",
            Fail,
            &[
                "as-metadata-conformance-missing-required",
                "as-metadata-conformance-empty-array",
            ],
        ),
        (
            "issuer-identifier",
            Fail,
            &["issuer-identifier-not-https", "issuer-identifier-mismatch"],
        ),
        ("endpoint-transport", Fail, &["endpoint-transport-http"]),
        ("oauth21-grants", Pass, &[]),
        ("pkce-s256", Fail, &["pkce-s256-not-advertised"]),
        ("pkce-downgrade", Skip, &[]),
    ];
    single_origin("swmansion.com", docs, "", AS, &expected).await;
}

// ---------------------------------------------------------------------------
// Browserless authentication and lifecycle, judged from real metadata alone
// (passive mode: the corpus holds no live endpoints to answer a POST). What
// only a live request verifies is `skip` (not verified), never a pass.

/// `(document, origin to rewrite, [(check, outcome, codes)], reason)`.
type HeadlessRow = (
    &'static str,
    &'static str,
    &'static [(&'static str, Outcome, &'static [&'static str])],
    &'static str,
);

const NVL_REG: &str = "client-registration-not-verified-live";
const NVL_REV: &str = "token-revocation-not-verified-live";
const SHARED: &str = "token-revocation-shared-token-endpoint";

const HEADLESS: &[HeadlessRow] = &[
    (
        "linear-mcp-oauth-authorization-server.json",
        "https://mcp.linear.app",
        &[
            ("delegation-grants", Pass, &[]),
            ("browserless-path", Pass, &[]),
            ("client-registration", Pass, &[NVL_REG]),
            ("token-revocation", Skip, &[SHARED, NVL_REV]),
            ("device-authorization", Skip, &[]),
        ],
        "JWT bearer with the ID-JAG grant profile; DCR and CIMD; revocation at the token endpoint",
    ),
    (
        "canva-mcp-oauth-authorization-server.json",
        "https://mcp.canva.com",
        &[
            ("delegation-grants", Pass, &[]),
            ("browserless-path", Pass, &[]),
            ("client-registration", Pass, &[NVL_REG]),
            ("token-revocation", Skip, &[SHARED, NVL_REV]),
        ],
        "as Linear",
    ),
    (
        "notion-mcp-2026-09-oauth-authorization-server.json",
        "https://mcp.notion.com",
        &[
            ("delegation-grants", Pass, &[]),
            ("browserless-path", Pass, &[]),
            (
                "token-introspection",
                Skip,
                &["token-introspection-not-verified-live"],
            ),
        ],
        "the September 2026 document adds JWT bearer and ID-JAG",
    ),
    (
        "notion-mcp-oauth-authorization-server.json",
        "https://mcp.notion.com",
        &[
            ("delegation-grants", Skip, &[]),
            ("browserless-path", Fail, &["browserless-path-browser-only"]),
            ("client-registration", Pass, &[NVL_REG]),
        ],
        "the June 2026 document: authorization code only — browser-only OAuth",
    ),
    (
        "cloudflare-observability-oauth-authorization-server.json",
        "https://observability.mcp.cloudflare.com",
        &[
            ("browserless-path", Fail, &["browserless-path-browser-only"]),
            (
                "client-registration",
                Skip,
                &["client-registration-cimd-disabled", NVL_REG],
            ),
        ],
        "authorization code only; DCR, CIMD explicitly false",
    ),
    (
        "sentry-mcp-oauth-authorization-server.json",
        "https://mcp.sentry.dev",
        &[
            ("browserless-path", Fail, &["browserless-path-browser-only"]),
            ("token-revocation", Skip, &[SHARED, NVL_REV]),
        ],
        "authorization code only",
    ),
    (
        "okta-mcp-oauth-authorization-server.json",
        "https://mcp.okta.com",
        &[
            ("browserless-path", Pass, &[]),
            (
                "device-authorization",
                Skip,
                &["device-authorization-not-verified-live"],
            ),
            ("delegation-grants", Skip, &[]),
        ],
        "device flow and client credentials",
    ),
    (
        "gitlab-openid-configuration.json",
        "https://gitlab.com",
        &[
            (
                "device-authorization",
                Warn,
                &[
                    "device-authorization-nonstandard-grant-name",
                    "device-authorization-endpoint-not-advertised",
                ],
            ),
            (
                "browserless-path",
                Pass,
                &["browserless-path-client-credentials-only"],
            ),
            (
                "client-registration",
                Fail,
                &["client-registration-pre-registration-only"],
            ),
        ],
        "the device grant is listed as a bare device_code and without its endpoint; client credentials remain",
    ),
    (
        "google-openid-configuration.json",
        "https://accounts.google.com",
        &[
            ("browserless-path", Pass, &[]),
            ("delegation-grants", Pass, &[]),
            (
                "device-authorization",
                Skip,
                &["device-authorization-not-verified-live"],
            ),
            (
                "client-registration",
                Fail,
                &["client-registration-pre-registration-only"],
            ),
        ],
        "device flow and JWT bearer; clients only through the console",
    ),
    (
        "okta-apis-openid-configuration.json",
        "https://apis.okta.com",
        &[
            (
                "delegation-grants",
                Warn,
                &["delegation-grants-ciba-without-endpoint"],
            ),
            ("browserless-path", Skip, &[]),
        ],
        "CIBA listed without backchannel_authentication_endpoint; the device flow is a path, not verified in passive mode",
    ),
    (
        "slack-openid-configuration.json",
        "https://slack.com",
        &[
            ("browserless-path", Fail, &["browserless-path-browser-only"]),
            (
                "client-registration",
                Fail,
                &["client-registration-pre-registration-only"],
            ),
            (
                "token-revocation",
                Fail,
                &["token-revocation-not-advertised"],
            ),
        ],
        "authorization code only, no registration, no revocation",
    ),
    (
        "salesforce-openid-configuration.json",
        "https://login.salesforce.com",
        &[(
            "browserless-path",
            Fail,
            &["browserless-path-grants-undeclared"],
        )],
        "grant_types_supported omitted: authorization code and implicit by default",
    ),
];

#[tokio::test]
async fn headless_family_on_real_metadata() {
    let mut wrong = Vec::new();
    for (file, origin, expected, why) in HEADLESS {
        let path = if file.contains("openid") { OIDC } else { AS };
        let running = serve_docs(file, vec![(path, corpus(file, &[(origin, ORIGIN)]))]).await;
        let engine = Engine::new(Vec::new(), &[], &[]).unwrap();
        let client = HttpClient::new(HttpConfig::loopback_only()).unwrap();
        let opts = GatherOptions {
            mode: Mode::Passive,
            target_timeout: Duration::from_secs(10),
            ..GatherOptions::default()
        };
        let (report, _) = engine
            .scan(&client, &Target::parse(&running.origin).unwrap(), &opts)
            .await;
        assert!(
            running.requests().keys().all(|k| k.starts_with("GET ")),
            "{file}: passive mode posted"
        );
        for (id, outcome, codes) in expected.iter() {
            let c = report.check(id).unwrap();
            let got: BTreeSet<&str> = c.findings.iter().map(|f| f.code.as_str()).collect();
            let want: BTreeSet<&str> = codes.iter().copied().collect();
            if c.outcome != *outcome || got != want {
                wrong.push(format!(
                    "{file} {id}: expected {outcome:?} {want:?} ({why}), got {:?} {got:?} ({})",
                    c.outcome, c.summary
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "wrong verdicts:\n  {}",
        wrong.join("\n  ")
    );
}
