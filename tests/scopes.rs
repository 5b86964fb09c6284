//! Scenario tests of the scope checks: bundled fixture sites served on
//! loopback and scanned over real HTTP (each route requested once), and the
//! real published metadata of `fixtures/corpus/real-metadata/` judged by the
//! four scope checks, with verdicts worked out from the documents.

mod common;

use agentready::engine::Engine;
use agentready::fixture::{Route, Site, serve};
use agentready::gather::http::{HttpClient, HttpConfig};
use agentready::gather::plan::GatherOptions;
use agentready::model::exchange::Mode;
use agentready::model::outcome::Outcome::{self, Fail, Pass, Skip, Warn};
use agentready::model::target::Target;
use agentready::render::{Format, render};
use agentready::report::Report;
use common::{assert_report_schema, codes, outcome, scan};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

const SCOPE_CHECKS: [&str; 4] = [
    "scopes-published",
    "scope-classification",
    "least-privilege",
    "progressive-scoping",
];

fn has(report: &Report, id: &str, code: &str) -> bool {
    codes(report, id).iter().any(|c| c == code)
}

fn classes(report: &Report) -> BTreeMap<String, (String, String)> {
    report
        .check("scope-classification")
        .and_then(|c| c.data.as_ref())
        .and_then(|d| d["scopes"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .map(|s| {
            (
                s["scope"].as_str().unwrap_or_default().to_string(),
                (
                    s["class"].as_str().unwrap_or_default().to_string(),
                    s["source"].as_str().unwrap_or_default().to_string(),
                ),
            )
        })
        .collect()
}

fn once(site: &agentready::fixture::RunningSite, name: &str) {
    for (req, n) in site.requests() {
        assert_eq!(n, 1, "{name}: {req} sent {n} times");
    }
}

#[tokio::test]
async fn the_agent_ready_site_passes_every_scope_check() {
    let running = serve(Site::bundled("agent-ready").unwrap()).await.unwrap();
    let (report, _) = scan(&running.target).await;
    once(&running, "agent-ready");
    for id in SCOPE_CHECKS {
        assert_eq!(
            outcome(&report, id),
            "pass",
            "{id}: {:?}",
            codes(&report, id)
        );
    }
    let c = classes(&report);
    assert_eq!(c["widgets:read"], ("read".into(), "description".into()));
    assert_eq!(c["widgets:write"], ("write".into(), "description".into()));
    assert_eq!(
        c["widgets:delete"],
        ("destructive".into(), "risk-document".into())
    );
    assert_eq!(c["offline_access"], ("identity".into(), "name".into()));
    // The table shows the classification compactly; JSON carries all of it.
    let table = render(&report, Format::Table, false).unwrap();
    assert!(
        table.contains("destructive (risk-document): widgets:delete"),
        "{table}"
    );
    assert!(table.contains("identity (name): offline_access"), "{table}");
    let md = render(&report, Format::Markdown, false).unwrap();
    assert!(md.contains("read (description): widgets:read"), "{md}");
    let json: Value = serde_json::from_str(&render(&report, Format::Json, false).unwrap()).unwrap();
    assert_report_schema(&json);
    let scopes = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "scope-classification")
        .unwrap()["data"]["scopes"]
        .clone();
    assert_eq!(scopes.as_array().unwrap().len(), 4);
    assert!(scopes[0]["reason"].as_str().is_some_and(|r| !r.is_empty()));
}

#[tokio::test]
async fn a_wildcard_only_or_admin_only_site_fails_least_privilege() {
    let site = Site::bundled("god-mode-scopes").unwrap();
    let running = serve(site.clone()).await.unwrap();
    let (report, _) = scan(&running.target).await;
    once(&running, "god-mode-scopes");
    assert_eq!(outcome(&report, "scopes-published"), "pass");
    assert_eq!(outcome(&report, "scope-classification"), "pass");
    assert_eq!(classes(&report)["*"].0, "admin");
    assert_eq!(outcome(&report, "least-privilege"), "fail");
    assert!(has(
        &report,
        "least-privilege",
        "least-privilege-admin-only"
    ));
    assert_eq!(outcome(&report, "progressive-scoping"), "fail");
    assert!(has(
        &report,
        "progressive-scoping",
        "progressive-scoping-scopes-not-granular"
    ));
    // The same site with `admin` instead of `*`.
    let mut admin = site;
    for r in &mut admin.routes {
        if let Some(b) = &mut r.body {
            *b = b.replace("[\"*\"]", "[\"admin\"]");
        }
        for v in r.headers.values_mut() {
            *v = v.replace("scope=\"*\"", "scope=\"admin\"");
        }
    }
    let running = serve(admin).await.unwrap();
    let (report, _) = scan(&running.target).await;
    assert_eq!(classes(&report)["admin"].0, "admin");
    assert_eq!(outcome(&report, "least-privilege"), "fail");
    assert!(has(
        &report,
        "least-privilege",
        "least-privilege-admin-only"
    ));
    // The classic browser-only provider offers only `all` beside identity scopes.
    let running = serve(Site::bundled("classic-oauth").unwrap())
        .await
        .unwrap();
    let (report, _) = scan(&running.target).await;
    assert_eq!(outcome(&report, "least-privilege"), "fail");
    assert!(has(
        &report,
        "least-privilege",
        "least-privilege-admin-only"
    ));
}

#[tokio::test]
async fn a_sloppy_site_fails_or_warns_on_every_scope_check() {
    let running = serve(Site::bundled("sloppy-scopes").unwrap())
        .await
        .unwrap();
    let (report, _) = scan(&running.target).await;
    once(&running, "sloppy-scopes");
    assert_eq!(outcome(&report, "scopes-published"), "fail");
    assert!(has(
        &report,
        "scopes-published",
        "scopes-published-malformed"
    ));
    assert!(has(
        &report,
        "scopes-published",
        "scopes-published-openid-missing"
    ));
    assert_eq!(outcome(&report, "scope-classification"), "fail");
    assert!(has(
        &report,
        "scope-classification",
        "scope-classification-mostly-unclassified"
    ));
    assert!(has(
        &report,
        "scope-classification",
        "scope-classification-risk-document-invalid"
    ));
    assert_eq!(outcome(&report, "least-privilege"), "warn");
    for code in [
        "least-privilege-read-write-coupled",
        "least-privilege-pre-claim-write",
        "least-privilege-unclassified",
    ] {
        assert!(has(&report, "least-privilege", code), "{code}");
    }
    assert_eq!(outcome(&report, "progressive-scoping"), "warn");
    for code in [
        "progressive-scoping-challenge-scope-missing",
        "progressive-scoping-insufficient-scope-status",
        "progressive-scoping-insufficient-scope-without-scope",
        "progressive-scoping-insufficient-scope-without-resource-metadata",
        "progressive-scoping-claim-scopes-unchanged",
    ] {
        assert!(has(&report, "progressive-scoping", code), "{code}");
    }
    assert_report_schema(&serde_json::to_value(&report).unwrap());
}

#[tokio::test]
async fn sites_without_scopes_skip_and_the_honeypot_passes_nothing() {
    for name in ["no-auth", "honeypot"] {
        let running = serve(Site::bundled(name).unwrap()).await.unwrap();
        let (report, _) = scan(&running.target).await;
        once(&running, name);
        for id in SCOPE_CHECKS {
            assert_eq!(outcome(&report, id), "skip", "{name}: {id}");
        }
        for c in report.checks.iter().filter(|c| c.category == "discovery") {
            assert_ne!(c.outcome.as_str(), "pass", "{name}: {} passed", c.id);
        }
    }
}

// ---------------------------------------------------------------------------
// Real published metadata

/// A scenario: documents (file, path served at, origin rewritten), the path
/// scanned, and the verdict of each scope check with its distinct codes.
struct Case {
    name: &'static str,
    docs: &'static [(&'static str, &'static str, &'static str)],
    target: &'static str,
    expected: [(Outcome, &'static [&'static str]); 4],
    why: &'static str,
}

const AS: &str = "/.well-known/oauth-authorization-server";
const OIDC: &str = "/.well-known/openid-configuration";
const NOT_OBSERVED: &str = "progressive-scoping-step-up-not-observed";
/// Granular scopes without a step-up signal: partial (warn).
const NO_SIGNAL: &str = "progressive-scoping-no-step-up-signal";
const NAME_ONLY: &str = "scope-classification-name-only";

const IDENTITY_ONLY: [(Outcome, &[&str]); 4] = [
    (Pass, &["scopes-published-identity-scopes-only"]),
    (Pass, &[NAME_ONLY]),
    (Skip, &[]),
    (Skip, &[]),
];

const NO_SCOPES: [(Outcome, &[&str]); 4] = [
    (Warn, &["scopes-published-missing"]),
    (Skip, &[]),
    (Skip, &[]),
    (Skip, &[]),
];

/// One opaque scope (Stripe's `mcp`, Notion's `default`): nothing can be
/// classified, nothing is smaller, nothing to step up to.
const ONE_OPAQUE_SCOPE: [(Outcome, &[&str]); 4] = [
    (Pass, &[]),
    (
        Fail,
        &["scope-classification-mostly-unclassified", NAME_ONLY],
    ),
    (Fail, &["least-privilege-single-scope"]),
    (
        Fail,
        &["progressive-scoping-scopes-not-granular", NOT_OBSERVED],
    ),
];

const CASES: &[Case] = &[
    Case {
        name: "Linear MCP",
        docs: &[
            (
                "linear-mcp-oauth-authorization-server.json",
                AS,
                "https://mcp.linear.app",
            ),
            (
                "linear-mcp-oauth-protected-resource.json",
                "/.well-known/oauth-protected-resource/mcp",
                "https://mcp.linear.app",
            ),
        ],
        target: "/mcp",
        expected: [
            (Pass, &[]),
            (Pass, &[NAME_ONLY]),
            (Pass, &[]),
            (Warn, &[NO_SIGNAL, NOT_OBSERVED]),
        ],
        why: "read and write, plus openid and email: a global read beside a global write",
    },
    Case {
        name: "Sentry MCP",
        docs: &[
            (
                "sentry-mcp-oauth-authorization-server.json",
                AS,
                "https://mcp.sentry.dev",
            ),
            (
                "sentry-mcp-oauth-protected-resource.json",
                "/.well-known/oauth-protected-resource/mcp",
                "https://mcp.sentry.dev",
            ),
        ],
        target: "/mcp",
        expected: [
            (Pass, &[]),
            (Pass, &[NAME_ONLY]),
            (Warn, &["least-privilege-read-write-coupled"]),
            (Warn, &[NO_SIGNAL, NOT_OBSERVED]),
        ],
        why: "org:read, but project, team and event are only offered as write scopes",
    },
    Case {
        name: "Canva MCP",
        docs: &[
            (
                "canva-mcp-oauth-authorization-server.json",
                AS,
                "https://mcp.canva.com",
            ),
            (
                "canva-mcp-oauth-protected-resource.json",
                "/.well-known/oauth-protected-resource",
                "https://mcp.canva.com",
            ),
        ],
        target: "/mcp",
        expected: [
            (Pass, &[]),
            (Pass, &[NAME_ONLY]),
            (Pass, &[]),
            (Warn, &[NO_SIGNAL, NOT_OBSERVED]),
        ],
        why: "16 resource:action scopes in the PRM, every write with its read; none in the AS document",
    },
    Case {
        name: "Stripe MCP (authorization server)",
        docs: &[(
            "stripe-oauth-authorization-server.json",
            "/.well-known/oauth-authorization-server/mcp",
            "https://access.stripe.com",
        )],
        target: "/mcp",
        expected: ONE_OPAQUE_SCOPE,
        why: "the only scope is `mcp`",
    },
    Case {
        name: "Notion MCP (2026-09)",
        docs: &[(
            "notion-mcp-2026-09-oauth-authorization-server.json",
            AS,
            "https://mcp.notion.com",
        )],
        target: "",
        expected: ONE_OPAQUE_SCOPE,
        why: "the only scope is `default`",
    },
    Case {
        name: "Notion MCP (2026-06)",
        docs: &[
            (
                "notion-mcp-oauth-authorization-server.json",
                AS,
                "https://mcp.notion.com",
            ),
            (
                "notion-mcp-oauth-protected-resource.json",
                "/.well-known/oauth-protected-resource",
                "https://mcp.notion.com",
            ),
        ],
        target: "",
        expected: NO_SCOPES,
        why: "neither document lists scopes_supported",
    },
    Case {
        name: "Cloudflare observability MCP",
        docs: &[
            (
                "cloudflare-observability-oauth-authorization-server.json",
                AS,
                "https://observability.mcp.cloudflare.com",
            ),
            (
                "cloudflare-observability-oauth-protected-resource.json",
                "/.well-known/oauth-protected-resource/mcp",
                "https://observability.mcp.cloudflare.com",
            ),
        ],
        target: "/mcp",
        expected: NO_SCOPES,
        why: "neither document lists scopes_supported",
    },
    Case {
        name: "Okta MCP",
        docs: &[(
            "okta-mcp-oauth-authorization-server.json",
            AS,
            "https://mcp.okta.com",
        )],
        target: "",
        expected: [
            (Pass, &[]),
            (Pass, &[NAME_ONLY]),
            (Warn, &["least-privilege-read-write-coupled"]),
            (Warn, &[NO_SIGNAL, NOT_OBSERVED]),
        ],
        why: "85 scopes, all classified; okta.directories.manage and okta.directories.groups.manage have no read counterpart",
    },
    Case {
        name: "GitLab OIDC",
        docs: &[(
            "gitlab-openid-configuration.json",
            OIDC,
            "https://gitlab.com",
        )],
        target: "",
        expected: [
            (Pass, &[]),
            (Warn, &["scope-classification-unclassified", NAME_ONLY]),
            (
                Warn,
                &[
                    "least-privilege-wildcard-scope",
                    "least-privilege-unclassified",
                ],
            ),
            (Warn, &[NO_SIGNAL, NOT_OBSERVED]),
        ],
        why: "k8s_proxy, ai_features and ai_workflows say nothing about what they allow; sudo acts as any user",
    },
    Case {
        name: "Salesforce api host",
        docs: &[(
            "salesforce-api-oauth-authorization-server.json",
            AS,
            "https://login.salesforce.com",
        )],
        target: "",
        expected: [
            (Pass, &[]),
            (
                Fail,
                &["scope-classification-mostly-unclassified", NAME_ONLY],
            ),
            (
                Warn,
                &[
                    "least-privilege-read-write-coupled",
                    "least-privilege-unclassified",
                ],
            ),
            (Warn, &[NO_SIGNAL, NOT_OBSERVED]),
        ],
        why: "api is read/write with no read-only scope; sfap_api and einstein_gpt_api are opaque",
    },
    Case {
        name: "swmansion agent_auth",
        docs: &[(
            "swmansion-agentauth-oauth-authorization-server.json",
            AS,
            "http://swmansion.com",
        )],
        target: "",
        expected: [
            (Pass, &[]),
            (Pass, &[NAME_ONLY]),
            (Pass, &[]),
            (
                Fail,
                &["progressive-scoping-scopes-not-granular", NOT_OBSERVED],
            ),
        ],
        why: "a single read-only scope: least privilege holds, but there is nothing to step up to",
    },
    Case {
        name: "Google OIDC",
        docs: &[(
            "google-openid-configuration.json",
            OIDC,
            "https://accounts.google.com",
        )],
        target: "",
        expected: IDENTITY_ONLY,
        why: "openid, email, profile",
    },
    Case {
        name: "Keycloak realm",
        docs: &[(
            "keycloak-mafiasi-openid-configuration.json",
            "/.well-known/openid-configuration",
            "https://identity.mafiasi.de",
        )],
        target: "",
        expected: IDENTITY_ONLY,
        why: "Keycloak's default client scopes only add claims",
    },
    Case {
        name: "Okta apis OIDC",
        docs: &[(
            "okta-apis-openid-configuration.json",
            OIDC,
            "https://apis.okta.com",
        )],
        target: "",
        expected: IDENTITY_ONLY,
        why: "OpenID scopes and the groups claim",
    },
    Case {
        name: "Entra common",
        docs: &[(
            "microsoft-entra-common-openid-configuration.json",
            OIDC,
            "https://login.microsoftonline.com",
        )],
        target: "",
        expected: IDENTITY_ONLY,
        why: "openid, profile, email, offline_access",
    },
    Case {
        name: "Slack OIDC",
        docs: &[("slack-openid-configuration.json", OIDC, "https://slack.com")],
        target: "",
        expected: IDENTITY_ONLY,
        why: "openid, profile, email",
    },
];

#[tokio::test]
async fn scope_verdicts_on_real_metadata() {
    let mut wrong = Vec::new();
    for case in CASES {
        let routes: Vec<Route> = case
            .docs
            .iter()
            .map(|(file, path, origin)| {
                let text = std::fs::read_to_string(format!(
                    "{}/fixtures/corpus/real-metadata/{file}",
                    env!("CARGO_MANIFEST_DIR")
                ))
                .unwrap();
                assert!(text.contains(origin), "{file} does not contain {origin}");
                Route {
                    method: "GET".into(),
                    path: (*path).into(),
                    status: 200,
                    content_type: Some("application/json".into()),
                    headers: BTreeMap::new(),
                    body: Some(text.replace(origin, "{{origin}}")),
                    body_file: None,
                    if_header: None,
                    dcr: None,
                }
            })
            .collect();
        let running = serve(Site {
            name: case.name.into(),
            description: "real published metadata".into(),
            target: None,
            fallback: None,
            routes,
        })
        .await
        .unwrap();
        let engine = Engine::new(Vec::new(), &[], &[]).unwrap();
        let client = HttpClient::new(HttpConfig::loopback_only()).unwrap();
        let opts = GatherOptions {
            mode: Mode::Passive,
            target_timeout: Duration::from_secs(10),
            ..GatherOptions::default()
        };
        let target = Target::parse(&format!("{}{}", running.origin, case.target)).unwrap();
        let (report, _) = engine.scan(&client, &target, &opts).await;
        for (id, (expected, want)) in SCOPE_CHECKS.iter().zip(&case.expected) {
            let c = report.check(id).unwrap();
            let got: BTreeSet<&str> = c.findings.iter().map(|f| f.code.as_str()).collect();
            let want: BTreeSet<&str> = want.iter().copied().collect();
            if c.outcome != *expected || got != want {
                wrong.push(format!(
                    "{} {id}: expected {expected:?} {want:?} ({}), got {:?} {got:?} ({})",
                    case.name, case.why, c.outcome, c.summary
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
