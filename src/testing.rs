//! Helpers for tests: build evidence from hand-written site routes without
//! sockets, through the real planner (so aliasing and derivation apply).
#![doc(hidden)]

use crate::engine::Engine;
use crate::evidence::Evidence;
use crate::fixture::{MemorySite, Route, Site};
use crate::gather::plan::GatherOptions;
use crate::model::exchange::Mode;
use crate::model::target::Target;
use crate::report::Report;
use std::time::Duration;

/// The origin in-memory sites pretend to live at.
pub const ORIGIN: &str = "https://as.example.com";

/// A JSON route.
pub fn json(path: &str, body: &serde_json::Value) -> Route {
    Route {
        method: "GET".into(),
        path: path.into(),
        status: 200,
        content_type: Some("application/json".into()),
        headers: Default::default(),
        body: Some(body.to_string()),
        body_file: None,
        if_header: None,
        dcr: None,
    }
}

/// A route with any status, content type and body.
pub fn route(path: &str, status: u16, content_type: &str, body: &str) -> Route {
    Route {
        method: "GET".into(),
        path: path.into(),
        status,
        content_type: Some(content_type.into()),
        headers: Default::default(),
        body: Some(body.into()),
        body_file: None,
        if_header: None,
        dcr: None,
    }
}

/// A route with extra response headers.
pub fn with_headers(mut r: Route, headers: &[(&str, &str)]) -> Route {
    for (k, v) in headers {
        r.headers.insert((*k).to_string(), (*v).to_string());
    }
    r
}

/// Run one built-in check over evidence (the engine's outcome rules apply).
pub fn judge(ev: &Evidence, id: &str) -> crate::report::CheckResult {
    let meta = crate::engine::catalogue::builtin()
        .iter()
        .find(|m| m.id == id)
        .expect("check exists");
    crate::engine::run_check(meta, ev)
}

/// The finding codes of a check result.
pub fn codes(r: &crate::report::CheckResult) -> Vec<String> {
    r.findings.iter().map(|f| f.code.clone()).collect()
}

/// A site from routes, with an optional fallback for every other path.
pub fn site(routes: Vec<Route>, fallback: Option<Route>) -> Site {
    Site {
        name: "test".into(),
        description: "test".into(),
        target: None,
        fallback,
        routes,
    }
}

/// Gather evidence from an in-memory site served at [`ORIGIN`] for `target`
/// (a URL on that origin), in safe mode.
pub fn evidence(site: Site, target: &str) -> Evidence {
    evidence_with(site, target, Mode::Safe, None)
}

/// The same, with a mode and the facts of a supplied token.
pub fn evidence_with(
    site: Site,
    target: &str,
    mode: Mode,
    credential: Option<crate::model::credential::CredentialFacts>,
) -> Evidence {
    let target = Target::parse(target).expect("test target parses");
    let transport = MemorySite {
        site,
        origin: ORIGIN.into(),
        registrations: Default::default(),
    };
    let engine = Engine::new(Vec::new(), &[], &[]).expect("catalogue loads");
    let opts = GatherOptions {
        mode,
        target_timeout: Duration::from_secs(5),
        credential,
        ..GatherOptions::default()
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(crate::gather::gather(
        &transport,
        &target,
        &engine.plan(),
        &opts,
    ))
}

/// Evaluate evidence with the whole built-in catalogue.
pub fn report(ev: &Evidence) -> Report {
    Engine::new(Vec::new(), &[], &[])
        .expect("catalogue loads")
        .evaluate(ev, "2026-01-01T00:00:00Z".into(), 0)
}

/// Evidence in which every document and most headers are the same
/// target-controlled bytes: metadata, protected-resource metadata, the
/// challenge, auth.md, a 402 with its `PAYMENT-REQUIRED`, rate-limit fields
/// and request ids, the API catalog and two API descriptions (one JSON,
/// one YAML). Used by the fuzz targets to run every evaluator on hostile
/// input; a check must never panic on what a server sends.
pub fn hostile_evidence(data: &[u8]) -> Evidence {
    use crate::model::exchange::{Exchange, RequestRecord, ResponseRecord};
    use crate::model::probe::{ApiSource, IssuerSource, MetadataForm, PrmForm, ProbeMeta};
    let text: String = String::from_utf8_lossy(&data[..data.len().min(8192)]).into_owned();
    let header = text.replace(['\r', '\n'], " ");
    let target = Target::parse("https://as.example.com/mcp").expect("static target");
    let mut ev = crate::evidence::Recorder::new(target, Mode::Safe, None);
    let mut add =
        |probe: &str, url: &str, status: u16, headers: Vec<(String, String)>, meta: ProbeMeta| {
            ev.push(
                Exchange {
                    probe: probe.into(),
                    request: RequestRecord {
                        method: "GET".into(),
                        url: url.into(),
                        headers: Vec::new(),
                        body: None,
                    },
                    response: Some(ResponseRecord {
                        status,
                        final_url: url.into(),
                        redirects: Vec::new(),
                        headers,
                        body: data.to_vec(),
                        truncated: false,
                    }),
                    error: None,
                    elapsed_ms: 0,
                },
                meta,
            );
        };
    let json_ct = || vec![("content-type".to_string(), "application/json".to_string())];
    add(
        "as-metadata",
        &format!("{ORIGIN}/.well-known/oauth-authorization-server"),
        200,
        json_ct(),
        ProbeMeta::AsMetadata {
            issuer: ORIGIN.into(),
            form: MetadataForm::Rfc8414,
            order: 0,
            source: IssuerSource::Origin,
        },
    );
    add(
        "prm-path",
        &format!("{ORIGIN}/.well-known/oauth-protected-resource/mcp"),
        200,
        json_ct(),
        ProbeMeta::ProtectedResource {
            resource: format!("{ORIGIN}/mcp"),
            form: PrmForm::PathSuffixed,
        },
    );
    add(
        "api-unauthenticated",
        &format!("{ORIGIN}/mcp"),
        401,
        vec![("www-authenticate".into(), header.clone())],
        ProbeMeta::Api {
            url: format!("{ORIGIN}/mcp"),
            source: ApiSource::Target,
            mcp: true,
            invalid_token: false,
        },
    );
    add(
        "auth-md",
        &format!("{ORIGIN}/auth.md"),
        200,
        vec![("content-type".into(), "text/markdown".into())],
        ProbeMeta::AuthMd { skill_of: None },
    );
    add(
        "api-base",
        &format!("{ORIGIN}/api"),
        402,
        vec![
            ("payment-required".into(), header.clone()),
            ("ratelimit".into(), header.clone()),
            ("ratelimit-policy".into(), header.clone()),
            ("x-ratelimit-reset".into(), header.clone()),
            ("retry-after".into(), header.clone()),
            ("x-request-id".into(), header.clone()),
            ("traceparent".into(), header.clone()),
        ],
        ProbeMeta::ApiResource {
            form: crate::model::probe::ApiForm::Api,
        },
    );
    add(
        "api-catalog",
        &format!("{ORIGIN}/.well-known/api-catalog"),
        200,
        vec![("content-type".into(), "application/linkset+json".into())],
        ProbeMeta::ApiCatalog,
    );
    add(
        "api-description@catalog",
        &format!("{ORIGIN}/openapi.json"),
        200,
        vec![
            ("content-type".into(), "application/json".into()),
            ("link".into(), header.clone()),
        ],
        ProbeMeta::ApiDescription {
            via: crate::model::probe::DescriptionSource::Catalog {
                rel: "service-desc".into(),
                anchor: None,
            },
        },
    );
    add(
        "openapi-location@/openapi.yaml",
        &format!("{ORIGIN}/openapi.yaml"),
        200,
        vec![("content-type".into(), "application/yaml".into())],
        ProbeMeta::ApiDescription {
            via: crate::model::probe::DescriptionSource::Conventional {
                path: "/openapi.yaml".into(),
            },
        },
    );
    ev.finish()
}

/// The report of an in-memory site that serves `doc` as its RFC 8414
/// metadata at [`ORIGIN`] (`{{origin}}` in `doc` is replaced), evaluated
/// with the metadata family only (`as-metadata-discovery` and the
/// `metadata` and `pkce` categories), so that the verdicts depend on `doc`
/// alone.
pub fn metadata_report(doc: &serde_json::Value) -> Report {
    let ev = evidence(
        site(
            vec![json("/.well-known/oauth-authorization-server", doc)],
            None,
        ),
        &format!("{ORIGIN}/"),
    );
    let only: Vec<String> = ["as-metadata-discovery", "metadata", "pkce"]
        .map(String::from)
        .to_vec();
    Engine::new(Vec::new(), &only, &[])
        .expect("catalogue loads")
        .evaluate(&ev, "2026-01-01T00:00:00Z".into(), 0)
}

/// RFC 8414 metadata for [`ORIGIN`] offering the given PKCE methods.
pub fn as_metadata(pkce_methods: &[&str]) -> serde_json::Value {
    serde_json::json!({
        "issuer": "{{origin}}",
        "authorization_endpoint": "{{origin}}/authorize",
        "token_endpoint": "{{origin}}/token",
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": pkce_methods,
    })
}
