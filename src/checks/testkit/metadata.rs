//! Test sites and helpers of the metadata checks.

use crate::evidence::Evidence;
use crate::model::outcome::Outcome;
use crate::testing::{ORIGIN, evidence, json, site};
use serde_json::{Value, json as j};

pub(crate) const AS: &str = "/.well-known/oauth-authorization-server";

pub(crate) const OIDC: &str = "/.well-known/openid-configuration";

pub(crate) fn judge(ev: &Evidence, id: &str) -> (Outcome, Vec<String>) {
    let r = crate::testing::judge(ev, id);
    assert_ne!(r.outcome, Outcome::Error, "{id} errored: {}", r.summary);
    (r.outcome, crate::testing::codes(&r))
}

pub(crate) fn good_doc() -> Value {
    j!({
        "issuer": ORIGIN,
        "authorization_endpoint": format!("{ORIGIN}/authorize"),
        "token_endpoint": format!("{ORIGIN}/token"),
        "revocation_endpoint": format!("{ORIGIN}/revoke"),
        "jwks_uri": format!("{ORIGIN}/jwks"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["read", "write"]
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

/// The good document plus the members OIDC Discovery §3 requires.
pub(crate) fn oidc_doc() -> Value {
    with(
        with(good_doc(), "subject_types_supported", j!(["public"])),
        "id_token_signing_alg_values_supported",
        j!(["RS256"]),
    )
}

pub(crate) fn root(doc: Value) -> Evidence {
    evidence(site(vec![json(AS, &doc)], None), ORIGIN)
}

// ---- as-metadata-conformance -------------------------------------------------

pub(crate) fn conformance(doc: Value) -> (Outcome, Vec<String>) {
    judge(&root(doc), "as-metadata-conformance")
}

/// The checks this test kit was written for.
pub(crate) const FAMILY: [&str; 7] = [
    "as-metadata-discovery",
    "as-metadata-conformance",
    "issuer-identifier",
    "endpoint-transport",
    "oauth21-grants",
    "pkce-s256",
    "pkce-downgrade",
];
