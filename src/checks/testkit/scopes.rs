//! Test sites and helpers of the scopes checks.

use crate::evidence::Evidence;
use crate::fixture::Route;
use crate::model::outcome::Outcome;
use crate::testing::{ORIGIN, evidence, json, route, site};
use serde_json::{Value, json as j};

pub(crate) const AS: &str = "/.well-known/oauth-authorization-server";

pub(crate) const OIDC: &str = "/.well-known/openid-configuration";

pub(crate) const PRM: &str = "/.well-known/oauth-protected-resource/api";

pub(crate) const API: &str = "https://as.example.com/api";

pub(crate) struct Judged {
    pub(crate) outcome: Outcome,
    pub(crate) codes: Vec<String>,
    pub(crate) messages: Vec<String>,
    pub(crate) summary: String,
    pub(crate) data: Option<Value>,
}

pub(crate) fn judge(ev: &Evidence, id: &str) -> Judged {
    let r = crate::testing::judge(ev, id);
    assert_ne!(r.outcome, Outcome::Error, "{id} errored: {}", r.summary);
    Judged {
        outcome: r.outcome,
        codes: r.findings.iter().map(|f| f.code.clone()).collect(),
        messages: r.findings.into_iter().map(|f| f.message).collect(),
        summary: r.summary,
        data: r.data,
    }
}

pub(crate) fn as_doc(scopes: Option<Value>) -> Value {
    let mut d = j!({
        "issuer": ORIGIN,
        "authorization_endpoint": format!("{ORIGIN}/authorize"),
        "token_endpoint": format!("{ORIGIN}/token"),
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"]
    });
    if let Some(s) = scopes {
        d["scopes_supported"] = s;
    }
    d
}

pub(crate) fn prm_doc(scopes: Option<Value>) -> Value {
    let mut d = j!({ "resource": API, "authorization_servers": [ORIGIN] });
    if let Some(s) = scopes {
        d["scopes_supported"] = s;
    }
    d
}

pub(crate) fn challenge(path: &str, status: u16, value: &str, if_auth: bool) -> Route {
    let mut r = route(
        path,
        status,
        "application/json",
        "{\"error\":\"unauthorized\"}",
    );
    r.headers.insert("www-authenticate".into(), value.into());
    if if_auth {
        r.if_header = Some("authorization".into());
    }
    r
}

/// A target API at /api whose challenge names `scope` (if any), with a PRM
/// and AS metadata listing `scopes`.
pub(crate) fn api_site(scopes: Value, scope: Option<&str>, extra: Vec<Route>) -> Evidence {
    let rm = format!("resource_metadata=\"{ORIGIN}{PRM}\"");
    let first = match scope {
        Some(s) => format!("Bearer realm=\"api\", {rm}, scope=\"{s}\""),
        None => format!("Bearer realm=\"api\", {rm}"),
    };
    let mut routes = extra;
    routes.extend([
        challenge(
            "/api",
            401,
            &format!("Bearer error=\"invalid_token\", {rm}"),
            true,
        ),
        challenge("/api", 401, &first, false),
        json(PRM, &prm_doc(Some(scopes.clone()))),
        json(AS, &as_doc(Some(scopes))),
    ]);
    evidence(site(routes, None), API)
}

pub(crate) fn origin_site(doc: Value) -> Evidence {
    evidence(site(vec![json(AS, &doc)], None), ORIGIN)
}

pub(crate) fn has(j: &Judged, code: &str) -> bool {
    j.codes.iter().any(|c| c == code)
}

/// The checks this test kit was written for.
pub(crate) const FAMILY: [&str; 4] = [
    "scopes-published",
    "scope-classification",
    "least-privilege",
    "progressive-scoping",
];
