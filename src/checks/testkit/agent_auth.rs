//! Test sites and helpers of the agent auth checks.

use crate::checks::agent_auth::ID_JAG_TOKEN_TYPE;
use crate::checks::common::*;
use crate::evidence::Evidence;
use crate::fixture::Route;
use crate::model::outcome::Outcome;
use crate::testing::{ORIGIN, evidence, route, site};
use serde_json::{Value, json as j};

pub(crate) const AS: &str = "/.well-known/oauth-authorization-server";

pub(crate) fn judge(ev: &Evidence, id: &str) -> (Outcome, Vec<String>, Option<Value>) {
    let r = crate::testing::judge(ev, id);
    assert_ne!(r.outcome, Outcome::Error, "{id} errored: {}", r.summary);
    (
        r.outcome,
        r.findings.into_iter().map(|f| f.code).collect(),
        r.data,
    )
}

pub(crate) fn oc(ev: &Evidence, id: &str) -> (Outcome, Vec<String>) {
    let (o, c, _) = judge(ev, id);
    (o, c)
}

pub(crate) fn v02() -> Value {
    j!({
        "skill": format!("{ORIGIN}/auth.md"),
        "identity_endpoint": format!("{ORIGIN}/agent/identity"),
        "claim_endpoint": format!("{ORIGIN}/agent/claim"),
        "events_endpoint": format!("{ORIGIN}/agent/events"),
        "identity_types_supported": ["identity_assertion", "anonymous"],
        "identity_assertion": {"assertion_types_supported": [ID_JAG_TOKEN_TYPE]}
    })
}

pub(crate) fn v01() -> Value {
    j!({
        "skill": format!("{ORIGIN}/auth.md"),
        "register_uri": format!("{ORIGIN}/agent/auth"),
        "claim_uri": format!("{ORIGIN}/agent/auth/claim"),
        "identity_types_supported": ["anonymous"]
    })
}

pub(crate) fn doc(agent_auth: Option<Value>) -> Value {
    let mut d = j!({
        "issuer": ORIGIN,
        "authorization_endpoint": format!("{ORIGIN}/authorize"),
        "token_endpoint": format!("{ORIGIN}/token"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", JWT_BEARER],
        "code_challenge_methods_supported": ["S256"]
    });
    if let Some(a) = agent_auth {
        d["agent_auth"] = a;
    }
    d
}

pub(crate) const GOOD_MD: &str = "# auth.md\n\nStart at [the PRM](/.well-known/oauth-protected-resource), then register at `agent_auth.identity_endpoint`.\n";

pub(crate) fn md(body: &str) -> Route {
    route("/auth.md", 200, "text/markdown", body)
}

pub(crate) fn reg(status: u16, body: &str) -> Route {
    let mut r = route("/agent/identity", status, "application/json", body);
    r.method = "POST".into();
    r
}

pub(crate) fn ev(routes: Vec<Route>) -> Evidence {
    evidence(site(routes, None), ORIGIN)
}
