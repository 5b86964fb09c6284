//! Test sites and helpers of the headless checks.

use crate::checks::common::*;
use crate::evidence::Evidence;
use crate::fixture::Route;
use crate::model::credential::facts;
use crate::model::exchange::Mode;
use crate::model::outcome::Outcome;
use crate::testing::{ORIGIN, evidence, evidence_with, json, route, site};
use serde_json::{Value, json as j};

pub(crate) const AS: &str = "/.well-known/oauth-authorization-server";

pub(crate) fn judge(ev: &Evidence, id: &str) -> (Outcome, Vec<String>) {
    let r = crate::testing::judge(ev, id);
    assert_ne!(r.outcome, Outcome::Error, "{id} errored: {}", r.summary);
    (r.outcome, crate::testing::codes(&r))
}

pub(crate) fn doc() -> Value {
    j!({
        "issuer": ORIGIN,
        "authorization_endpoint": format!("{ORIGIN}/authorize"),
        "token_endpoint": format!("{ORIGIN}/token"),
        "device_authorization_endpoint": format!("{ORIGIN}/device"),
        "registration_endpoint": format!("{ORIGIN}/register"),
        "revocation_endpoint": format!("{ORIGIN}/revoke"),
        "introspection_endpoint": format!("{ORIGIN}/introspect"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", DEVICE_CODE],
        "code_challenge_methods_supported": ["S256"]
    })
}

pub(crate) fn with(mut d: Value, k: &str, v: Value) -> Value {
    d[k] = v;
    d
}

pub(crate) fn without(mut d: Value, k: &str) -> Value {
    d.as_object_mut().unwrap().remove(k);
    d
}

pub(crate) fn post(path: &str, status: u16, ct: &str, body: &str) -> Route {
    let mut r = route(path, status, ct, body);
    r.method = "POST".into();
    r
}

pub(crate) fn err(path: &str, status: u16, code: &str) -> Route {
    post(
        path,
        status,
        "application/json",
        &j!({ "error": code }).to_string(),
    )
}

/// A conformant server: every endpoint rejects agentready's request properly.
pub(crate) fn good_routes() -> Vec<Route> {
    vec![
        err("/device", 400, "invalid_client"),
        err("/register", 400, "invalid_redirect_uri"),
        post("/revoke", 200, "application/json", ""),
        {
            let mut r = err("/introspect", 401, "invalid_client");
            r.headers
                .insert("www-authenticate".into(), "Basic realm=\"x\"".into());
            r
        },
    ]
}

pub(crate) fn ev_with(d: Value, routes: Vec<Route>) -> Evidence {
    let mut all = vec![json(AS, &d)];
    all.extend(routes);
    evidence(site(all, None), ORIGIN)
}

pub(crate) fn jwt(claims: &str) -> String {
    use base64::Engine;
    let b = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    format!("{}.{}.c2ln", b(r#"{"alg":"RS256"}"#), b(claims))
}

pub(crate) fn lifetime(token: &str) -> (Outcome, Vec<String>) {
    let c = facts(token, 1_000_000, 24 * 3600);
    let ev = evidence_with(
        site(vec![json(AS, &doc())], None),
        ORIGIN,
        Mode::Credentialed,
        Some(c),
    );
    judge(&ev, "token-lifetime")
}
