//! Scenario tests of API discovery and action classification: bundled
//! fixture sites served on loopback and scanned over real HTTP (every route
//! requested once), and real published OpenAPI documents
//! (`fixtures/openapi/`, see its SOURCES.md) served on loopback and judged
//! by `api-catalog`, `action-classification` and `api-key-scheme`.

mod common;

use agentready::fixture::{Route, Site, serve};
use agentready::report::Report;
use common::{assert_report_schema, codes, outcome, scan};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

const CHECKS: [&str; 3] = ["api-catalog", "action-classification", "api-key-scheme"];

fn has(report: &Report, id: &str, code: &str) -> bool {
    codes(report, id).iter().any(|c| c == code)
}

/// `data.operations` of action-classification: (METHOD path) → (class, scopes).
fn operations(report: &Report) -> BTreeMap<String, (String, Vec<String>)> {
    report
        .check("action-classification")
        .and_then(|c| c.data.as_ref())
        .and_then(|d| d["operations"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .map(|o| {
            (
                format!(
                    "{} {}",
                    o["method"].as_str().unwrap_or_default(),
                    o["path"].as_str().unwrap_or_default()
                ),
                (
                    o["class"].as_str().unwrap_or_default().to_string(),
                    o["scopes"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(Value::as_str)
                                .map(str::to_string)
                                .collect()
                        })
                        .unwrap_or_default(),
                ),
            )
        })
        .collect()
}

async fn scan_site(name: &str) -> (Report, BTreeMap<String, usize>) {
    let running = serve(Site::bundled(name).unwrap()).await.unwrap();
    let (report, _) = scan(&running.target).await;
    let requests = running.requests();
    for (req, n) in &requests {
        assert_eq!(*n, 1, "{name}: {req} sent {n} times");
    }
    assert_eq!(requests.len(), report.requests_total, "{name}");
    assert_report_schema(&serde_json::to_value(&report).unwrap());
    (report, requests)
}

#[tokio::test]
async fn a_catalog_leads_to_the_description_its_api_and_its_authorization_server() {
    let (report, requests) = scan_site("widgets-api").await;
    for id in CHECKS {
        assert_eq!(
            outcome(&report, id),
            "pass",
            "{id}: {:?}",
            codes(&report, id)
        );
    }
    // Found through the catalog; nothing guessed.
    assert!(requests.contains_key("GET /v2/openapi.json"));
    assert!(!requests.contains_key("GET /openapi.json"), "{requests:?}");
    // servers[] → the API's challenge → PRM → AS metadata: a bare domain
    // reaches level 1 through its API description alone.
    assert!(requests.contains_key("GET /v2"));
    assert!(requests.contains_key("GET /v2 +authorization"));
    assert!(requests.contains_key("GET /.well-known/oauth-authorization-server/auth"));
    assert_eq!(outcome(&report, "bearer-challenge"), "pass");
    assert_eq!(outcome(&report, "as-metadata-discovery"), "pass");
    let ops = operations(&report);
    let expect = [
        ("GET /widgets", "read", "widgets:read"),
        ("POST /widgets", "write", "widgets:write"),
        ("GET /widgets/{id}", "read", "widgets:read"),
        ("PUT /widgets/{id}", "write", "widgets:write"),
        ("DELETE /widgets/{id}", "destructive", "widgets:delete"),
        ("POST /widgets/{id}/purge", "destructive", "widgets:delete"),
        ("POST /widgets/query", "read", "widgets:read"),
    ];
    assert_eq!(ops.len(), expect.len(), "{ops:?}");
    for (op, class, scope) in expect {
        assert_eq!(
            ops.get(op),
            Some(&(class.to_string(), vec![scope.to_string()])),
            "{op}"
        );
    }
    let summary = &report.check("action-classification").unwrap().summary;
    assert!(
        summary.contains("3 read, 2 write, 2 destructive"),
        "{summary}"
    );
}

#[tokio::test]
async fn an_openapi_30_yaml_at_a_conventional_path_is_found_and_read() {
    let (report, requests) = scan_site("openapi-yaml").await;
    assert_eq!(outcome(&report, "api-catalog"), "pass");
    assert!(has(&report, "api-catalog", "api-catalog-unannounced"));
    assert!(requests.contains_key("GET /openapi.yaml"));
    // The document-level security applies to operations without their own.
    let ops = operations(&report);
    assert_eq!(
        ops.get("GET /notes/{id}"),
        Some(&("read".to_string(), vec!["notes:read".to_string()]))
    );
    assert_eq!(
        ops.get("DELETE /notes/{id}"),
        Some(&("destructive".to_string(), vec!["notes:write".to_string()]))
    );
    assert_eq!(outcome(&report, "action-classification"), "pass");
    let c = report.check("api-catalog").unwrap();
    let found: Vec<&Value> = c.data.as_ref().unwrap()["descriptions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d.get("version").is_some())
        .collect();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["version"], "3.0.3");
    assert_eq!(
        found[0]["url"]
            .as_str()
            .map(|u| u.ends_with("/openapi.yaml")),
        Some(true)
    );
}

#[tokio::test]
async fn a_swagger_api_with_only_a_key_in_the_query_fails_api_key_scheme() {
    let (report, _) = scan_site("swagger-keys").await;
    assert_eq!(outcome(&report, "api-catalog"), "pass");
    assert_eq!(outcome(&report, "api-key-scheme"), "fail");
    assert!(has(
        &report,
        "api-key-scheme",
        "api-key-scheme-only-api-keys"
    ));
    assert!(has(
        &report,
        "api-key-scheme",
        "api-key-scheme-key-in-query"
    ));
    let ops = operations(&report);
    assert_eq!(
        ops.get("DELETE /alerts").map(|o| o.0.as_str()),
        Some("destructive")
    );
}

#[tokio::test]
async fn a_delete_allowed_by_a_read_scope_fails_action_classification() {
    let (report, _) = scan_site("read-scope-delete").await;
    assert_eq!(outcome(&report, "api-catalog"), "pass");
    assert_eq!(outcome(&report, "action-classification"), "fail");
    let c = report.check("action-classification").unwrap();
    let first = &c.findings[0];
    assert_eq!(first.code, "action-classification-scope-too-weak");
    assert!(
        first.message.contains("DELETE /files/{id}"),
        "{}",
        first.message
    );
    assert!(has(
        &report,
        "action-classification",
        "action-classification-unsecured-write"
    ));
    // The table shows the counts and the worst mismatch.
    assert!(
        c.summary.contains("1 performable with a read scope"),
        "{}",
        c.summary
    );
    let table = agentready::render::table(&report, false);
    assert!(
        table.contains("DELETE /files/{id} (destructive)"),
        "{table}"
    );
}

#[tokio::test]
async fn a_dead_catalog_link_and_an_html_description_fail_api_catalog() {
    let (report, requests) = scan_site("broken-catalog").await;
    assert_eq!(outcome(&report, "api-catalog"), "fail");
    for code in [
        "api-catalog-content-type",
        "api-catalog-link-broken",
        "api-catalog-html",
    ] {
        assert!(
            has(&report, "api-catalog", code),
            "{code}: {:?}",
            codes(&report, "api-catalog")
        );
    }
    // Announced (even if broken): nothing is guessed.
    assert!(!requests.contains_key("GET /openapi.json"), "{requests:?}");
    assert_eq!(outcome(&report, "action-classification"), "skip");
}

/// A site with none of these: the three checks skip, and the scan adds
/// exactly the catalog and the conventional locations, each once.
#[tokio::test]
async fn a_site_without_descriptions_skips_at_bounded_cost() {
    let (report, requests) = scan_site("no-auth").await;
    for id in CHECKS {
        assert_eq!(outcome(&report, id), "skip", "{id}");
    }
    let description_requests: BTreeSet<&str> = requests
        .keys()
        .map(String::as_str)
        .filter(|k| {
            k.contains("api-catalog")
                || k.contains("openapi")
                || k.contains("swagger")
                || k.contains("api-docs")
        })
        .collect();
    assert_eq!(
        description_requests,
        BTreeSet::from([
            "GET /.well-known/api-catalog",
            "GET /openapi.json",
            "GET /openapi.yaml",
            "GET /swagger.json",
            "GET /v3/api-docs",
            "GET /api/openapi.json",
        ])
    );
    // The honeypot answers 200 HTML everywhere: nothing is found there.
    let (report, _) = scan_site("honeypot").await;
    for id in CHECKS {
        assert_eq!(outcome(&report, id), "skip", "honeypot {id}");
    }
}

// ---------------------------------------------------------------------------
// Real published OpenAPI documents (fixtures/openapi/SOURCES.md)

/// Serve one real document at a conventional or announced location with a
/// 404 fallback, and scan the bare origin.
async fn real(file: &str, path: &str, content_type: &str, announce: bool) -> Report {
    let body = std::fs::read_to_string(format!(
        "{}/fixtures/openapi/{file}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let route = |path: &str, content_type: &str, body: String| Route {
        method: "GET".into(),
        path: path.into(),
        status: 200,
        content_type: Some(content_type.into()),
        headers: Default::default(),
        body: Some(body),
        body_file: None,
        if_header: None,
        dcr: None,
    };
    let mut routes = vec![route(path, content_type, body)];
    if announce {
        routes.push(route(
            "/.well-known/api-catalog",
            "application/linkset+json; profile=\"https://www.rfc-editor.org/info/rfc9727\"",
            format!("{{\"linkset\":[{{\"service-desc\":[{{\"href\":\"{path}\"}}]}}]}}"),
        ));
    }
    let site = Site {
        name: file.into(),
        description: "a real OpenAPI document".into(),
        target: None,
        fallback: None,
        routes,
    };
    let running = serve(site).await.unwrap();
    let (report, _) = scan(&format!("{}/", running.origin)).await;
    for (req, n) in running.requests() {
        assert_eq!(n, 1, "{file}: {req} sent {n} times");
    }
    report
}

/// Expected verdicts, worked out by hand from each document (see
/// docs/openapi-verdicts.md for the reasoning): file, where it is served,
/// the three outcomes, codes that must appear, and operations whose class
/// and scopes are fixed.
struct Expected {
    file: &'static str,
    path: &'static str,
    content_type: &'static str,
    announce: bool,
    outcomes: [&'static str; 3],
    codes: &'static [(&'static str, &'static str)],
    ops: &'static [(&'static str, &'static str, &'static [&'static str])],
    counts: (usize, usize, usize),
}

const REAL: &[Expected] = &[
    // Swagger Petstore, OpenAPI 3.0 YAML: OAuth implicit (write:pets +
    // read:pets on every pet operation, even reads) beside an api_key; the
    // store and user operations declare no security at all.
    Expected {
        file: "swagger-petstore-3.0.yaml",
        path: "/openapi.yaml",
        content_type: "application/yaml",
        announce: false,
        outcomes: ["pass", "fail", "warn"],
        codes: &[
            ("api-catalog", "api-catalog-unannounced"),
            (
                "action-classification",
                "action-classification-unsecured-write",
            ),
            (
                "action-classification",
                "action-classification-scope-too-strong",
            ),
            ("api-key-scheme", "api-key-scheme-unscoped"),
        ],
        ops: &[
            (
                "DELETE /pet/{petId}",
                "destructive",
                &["read:pets", "write:pets"],
            ),
            (
                "GET /pet/findByStatus",
                "read",
                &["read:pets", "write:pets"],
            ),
            ("POST /store/order", "write", &[]),
            ("DELETE /user/{username}", "destructive", &[]),
            ("GET /user/login", "read", &[]),
        ],
        counts: (8, 8, 3),
    },
    // Instagram (unofficial), Swagger 2.0: OAuth implicit scopes per
    // operation beside an access_token query parameter.
    Expected {
        file: "instagram-swagger-2.0.yaml",
        path: "/swagger.yaml",
        content_type: "application/yaml",
        announce: true,
        outcomes: ["pass", "pass", "warn"],
        codes: &[
            ("api-key-scheme", "api-key-scheme-key-in-query"),
            ("api-key-scheme", "api-key-scheme-unscoped"),
            (
                "action-classification",
                "action-classification-scope-unknown",
            ),
        ],
        ops: &[
            (
                "DELETE /media/{media-id}/comments/{comment-id}",
                "destructive",
                &["comments"],
            ),
            ("POST /media/{media-id}/comments", "write", &["comments"]),
            ("GET /users/{user-id}", "read", &["basic", "public_content"]),
            (
                "POST /users/{user-id}/relationship",
                "write",
                &["relationships"],
            ),
            ("DELETE /media/{media-id}/likes", "destructive", &["likes"]),
        ],
        counts: (22, 3, 2),
    },
    // Figma REST API, OpenAPI 3.1 (official): every operation accepts a
    // personal access token (apiKey) or an OAuth scope that matches its
    // risk; deletes need the resource's write scope.
    Expected {
        file: "figma-3.1.yaml",
        path: "/v1/openapi.yaml",
        content_type: "application/yaml",
        announce: true,
        outcomes: ["pass", "pass", "warn"],
        codes: &[("api-key-scheme", "api-key-scheme-unscoped")],
        ops: &[
            ("GET /v1/files/{file_key}", "read", &["files:read"]),
            (
                "POST /v1/files/{file_key}/comments",
                "write",
                &["file_comments:write"],
            ),
            (
                "DELETE /v1/files/{file_key}/comments/{comment_id}",
                "destructive",
                &["file_comments:write"],
            ),
            (
                "DELETE /v2/webhooks/{webhook_id}",
                "destructive",
                &["webhooks:write"],
            ),
            ("GET /v1/activity_logs", "read", &["org:activity_log_read"]),
            ("GET /v1/payments", "read", &[]),
            (
                "POST /v1/files/{file_key}/variables",
                "write",
                &["file_variables:write"],
            ),
        ],
        counts: (35, 7, 4),
    },
    // New York Times Top Stories, Swagger 2.0: one read operation, an API
    // key in the query string and nothing else.
    Expected {
        file: "nytimes-top-stories-swagger-2.0.yaml",
        path: "/swagger.yaml",
        content_type: "application/yaml",
        announce: true,
        outcomes: ["pass", "pass", "fail"],
        codes: &[
            ("api-key-scheme", "api-key-scheme-only-api-keys"),
            ("api-key-scheme", "api-key-scheme-key-in-query"),
        ],
        ops: &[("GET /{section}.{format}", "read", &[])],
        counts: (1, 0, 0),
    },
];

#[tokio::test]
async fn real_openapi_documents_get_the_verdicts_their_contents_imply() {
    for e in REAL {
        let report = real(e.file, e.path, e.content_type, e.announce).await;
        // `cargo test --test apis -- --nocapture` prints the verdicts.
        for id in CHECKS {
            let c = report.check(id).unwrap();
            let _ = writeln!(
                std::io::stdout(),
                "{} {id}: {} — {} {:?}",
                e.file,
                c.outcome.as_str(),
                c.summary,
                codes(&report, id)
            );
        }
        for (id, want) in CHECKS.iter().zip(e.outcomes) {
            assert_eq!(
                outcome(&report, id),
                want,
                "{}: {id}: {:?} {}",
                e.file,
                codes(&report, id),
                report
                    .check(id)
                    .map(|c| c.summary.clone())
                    .unwrap_or_default()
            );
        }
        for (id, code) in e.codes {
            assert!(
                has(&report, id, code),
                "{}: {id} lacks {code}: {:?}",
                e.file,
                codes(&report, id)
            );
        }
        let ops = operations(&report);
        for (op, class, scopes) in e.ops {
            let got = ops
                .get(*op)
                .unwrap_or_else(|| panic!("{}: no {op} in {ops:?}", e.file));
            assert_eq!(got.0, *class, "{}: {op}", e.file);
            assert_eq!(
                got.1,
                scopes.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                "{}: {op}",
                e.file
            );
        }
        let count = |c: &str| ops.values().filter(|(k, _)| k == c).count();
        assert_eq!(
            (count("read"), count("write"), count("destructive")),
            e.counts,
            "{}",
            e.file
        );
    }
}
