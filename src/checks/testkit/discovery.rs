//! Test sites and helpers of the discovery checks.

use crate::evidence::Evidence;
use crate::fixture::Route;
use crate::model::outcome::Outcome;
use crate::testing::{ORIGIN, evidence, json, route, site};
use serde_json::{Value, json as j};

pub(crate) const AS: &str = "/.well-known/oauth-authorization-server";

pub(crate) const PRM: &str = "/.well-known/oauth-protected-resource";

pub(crate) fn judge(ev: &Evidence, id: &str) -> (Outcome, Vec<String>) {
    let r = crate::testing::judge(ev, id);
    assert_ne!(r.outcome, Outcome::Error, "{id} errored: {}", r.summary);
    let mut codes: Vec<String> = r.findings.into_iter().map(|f| f.code).collect();
    codes.dedup();
    (r.outcome, codes)
}

pub(crate) fn codes_of(ev: &Evidence, id: &str) -> Vec<String> {
    judge(ev, id).1
}

pub(crate) fn as_doc() -> Value {
    j!({
        "issuer": ORIGIN,
        "authorization_endpoint": format!("{ORIGIN}/authorize"),
        "token_endpoint": format!("{ORIGIN}/token"),
        "jwks_uri": format!("{ORIGIN}/jwks"),
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"]
    })
}

pub(crate) fn prm(resource: &str) -> Value {
    j!({
        "resource": resource,
        "authorization_servers": [ORIGIN],
        "scopes_supported": ["files:read"],
        "bearer_methods_supported": ["header"]
    })
}

pub(crate) fn with(mut doc: Value, key: &str, v: Value) -> Value {
    doc[key] = v;
    doc
}

pub(crate) fn without(mut doc: Value, key: &str) -> Value {
    doc.as_object_mut().unwrap().remove(key);
    doc
}

pub(crate) fn challenge(path: &str, status: u16, www: Option<&str>) -> Route {
    let mut r = route(
        path,
        status,
        "application/json",
        r#"{"error":"unauthorized"}"#,
    );
    r.method = "POST".into();
    if let Some(w) = www {
        r.headers.insert("www-authenticate".into(), w.to_string());
    }
    r
}

pub(crate) fn jwks(keys: Value) -> Route {
    json("/jwks", &j!({ "keys": keys }))
}

pub(crate) const EC_KEY: &str = r#"{"kty":"EC","crv":"P-256","kid":"a","use":"sig","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#;

pub(crate) fn ec_key() -> Value {
    serde_json::from_str(EC_KEY).unwrap()
}

/// An MCP server whose challenge leads to its PRM and AS.
pub(crate) fn mcp_site(extra: Vec<Route>) -> Evidence {
    let www =
        format!(r#"Bearer realm="x", resource_metadata="{ORIGIN}{PRM}/mcp", scope="files:read""#);
    let invalid = format!(
        r#"Bearer error="invalid_token", resource_metadata="{ORIGIN}{PRM}/mcp", scope="files:read""#
    );
    let mut with_token = challenge("/mcp", 401, Some(&invalid));
    with_token.if_header = Some("authorization".into());
    let mut routes = extra;
    routes.extend([
        with_token,
        challenge("/mcp", 401, Some(&www)),
        json(&format!("{PRM}/mcp"), &prm(&format!("{ORIGIN}/mcp"))),
        json(AS, &as_doc()),
        jwks(j!([ec_key()])),
    ]);
    evidence(site(routes, None), &format!("{ORIGIN}/mcp"))
}

// ---- jwks-hygiene -----------------------------------------------------------------

pub(crate) fn jwks_codes(keys: Value) -> (Outcome, Vec<String>) {
    judge(
        &evidence(site(vec![json(AS, &as_doc()), jwks(keys)], None), ORIGIN),
        "jwks-hygiene",
    )
}

/// The checks this test kit was written for.
pub(crate) const FAMILY: [&str; 4] = [
    "protected-resource-metadata",
    "bearer-challenge",
    "discovery-consistency",
    "jwks-hygiene",
];
