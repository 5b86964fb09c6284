//! Helpers for tests: build evidence from hand-written site routes without
//! sockets, through the real planner (so aliasing and derivation apply).
#![doc(hidden)]

use crate::engine::Engine;
use crate::evidence::{Evidence, Mode};
use crate::fixture::{MemorySite, Route, Site};
use crate::probe::{self, GatherOptions};
use crate::report::Report;
use crate::target::Target;
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
    }
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
    credential: Option<crate::credential::CredentialFacts>,
) -> Evidence {
    let target = Target::parse(target).expect("test target parses");
    let transport = MemorySite {
        site,
        origin: ORIGIN.into(),
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
    rt.block_on(probe::gather(&transport, &target, &engine.needs(), &opts))
}

/// Evaluate evidence with the whole built-in catalogue.
pub fn report(ev: &Evidence) -> Report {
    Engine::new(Vec::new(), &[], &[])
        .expect("catalogue loads")
        .evaluate(ev, "2026-01-01T00:00:00Z".into(), 0)
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
