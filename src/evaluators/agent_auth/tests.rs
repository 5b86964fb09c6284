//! Evidence-level tests of the agent-registration checks.

use super::*;
use crate::fixture::Route;
use crate::model::outcome::Outcome;
use crate::parse::markdown::read_markdown;
use crate::testing::{ORIGIN, evidence, evidence_with, json, route, site};
use serde_json::json as j;

const AS: &str = "/.well-known/oauth-authorization-server";

fn judge(ev: &Evidence, id: &str) -> (Outcome, Vec<String>, Option<Value>) {
    let r = crate::testing::judge(ev, id);
    assert_ne!(r.outcome, Outcome::Error, "{id} errored: {}", r.summary);
    (
        r.outcome,
        r.findings.into_iter().map(|f| f.code).collect(),
        r.data,
    )
}

fn oc(ev: &Evidence, id: &str) -> (Outcome, Vec<String>) {
    let (o, c, _) = judge(ev, id);
    (o, c)
}

fn v02() -> Value {
    j!({
        "skill": format!("{ORIGIN}/auth.md"),
        "identity_endpoint": format!("{ORIGIN}/agent/identity"),
        "claim_endpoint": format!("{ORIGIN}/agent/claim"),
        "events_endpoint": format!("{ORIGIN}/agent/events"),
        "identity_types_supported": ["identity_assertion", "anonymous"],
        "identity_assertion": {"assertion_types_supported": [ID_JAG_TOKEN_TYPE]}
    })
}

fn v01() -> Value {
    j!({
        "skill": format!("{ORIGIN}/auth.md"),
        "register_uri": format!("{ORIGIN}/agent/auth"),
        "claim_uri": format!("{ORIGIN}/agent/auth/claim"),
        "identity_types_supported": ["anonymous"]
    })
}

fn doc(agent_auth: Option<Value>) -> Value {
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

const GOOD_MD: &str = "# auth.md\n\nStart at [the PRM](/.well-known/oauth-protected-resource), then register at `agent_auth.identity_endpoint`.\n";

fn md(body: &str) -> Route {
    route("/auth.md", 200, "text/markdown", body)
}

fn reg(status: u16, body: &str) -> Route {
    let mut r = route("/agent/identity", status, "application/json", body);
    r.method = "POST".into();
    r
}

fn ev(routes: Vec<Route>) -> Evidence {
    evidence(site(routes, None), ORIGIN)
}

#[test]
fn markdown_is_read_with_a_parser() {
    let f = read_markdown(
        "Intro text\n\n# Auth.MD for *Acme*\n\nSee [here](https://x/.well-known/oauth-protected-resource).\n\n# Second\n",
    );
    assert_eq!(f.first_h1.as_deref(), Some("Auth.MD for Acme"));
    assert!(f.mentions.contains("/.well-known/oauth-protected-resource"));
    // A setext heading is an H1 too; a code block with "# auth.md" is not.
    assert_eq!(
        read_markdown("auth.md\n=======\n").first_h1.as_deref(),
        Some("auth.md")
    );
    assert_eq!(read_markdown("```\n# auth.md\n```\n").first_h1, None);
}

#[test]
fn auth_md_outcomes() {
    assert_eq!(
        oc(&ev(vec![md(GOOD_MD)]), "auth-md"),
        (Outcome::Pass, vec![])
    );
    assert_eq!(oc(&ev(vec![]), "auth-md").0, Outcome::Skip, "not published");
    assert_eq!(
        oc(
            &ev(vec![route(
                "/auth.md",
                200,
                "text/html",
                "<!doctype html><div id=app></div>"
            )]),
            "auth-md"
        ),
        (Outcome::Fail, vec!["auth-md-html".to_string()])
    );
    let shell = route("", 200, "text/html", "<!doctype html><div id=app></div>");
    assert_eq!(
        oc(&evidence(site(vec![], Some(shell)), ORIGIN), "auth-md").0,
        Outcome::Fail,
        "SPA shell"
    );
    assert_eq!(
        oc(&ev(vec![md("# Agents\n\nhello\n")]), "auth-md"),
        (Outcome::Fail, vec!["auth-md-heading-missing".to_string()])
    );
    assert_eq!(
        oc(&ev(vec![md("# auth.md\n\nAsk a human.\n")]), "auth-md"),
        (Outcome::Warn, vec!["auth-md-pointers-missing".to_string()])
    );
    assert_eq!(
        oc(
            &ev(vec![route(
                "/auth.md",
                200,
                "application/octet-stream",
                GOOD_MD
            )]),
            "auth-md"
        ),
        (Outcome::Warn, vec!["auth-md-content-type".to_string()])
    );
}

#[test]
fn a_skill_naming_another_url_is_followed() {
    let mut a = v02();
    a["skill"] = j!(format!("{ORIGIN}/docs/agents.md"));
    // /auth.md is absent, the skill document is valid: pass.
    let e = ev(vec![
        json(AS, &doc(Some(a.clone()))),
        route("/docs/agents.md", 200, "text/markdown", GOOD_MD),
    ]);
    assert_eq!(oc(&e, "auth-md"), (Outcome::Pass, vec![]));
    // The skill URL is dead.
    let e = ev(vec![json(AS, &doc(Some(a.clone()))), md(GOOD_MD)]);
    assert_eq!(
        oc(&e, "auth-md"),
        (Outcome::Fail, vec!["auth-md-skill-unreachable".to_string()])
    );
    assert!(
        oc(&e, "discovery-consistency")
            .1
            .contains(&"discovery-consistency-skill-mismatch".to_string())
    );
    // Two different auth.md documents.
    let e = ev(vec![
        json(AS, &doc(Some(a))),
        md(GOOD_MD),
        route(
            "/docs/agents.md",
            200,
            "text/markdown",
            &format!("{GOOD_MD}\nOther.\n"),
        ),
    ]);
    assert!(
        oc(&e, "discovery-consistency")
            .1
            .contains(&"discovery-consistency-skill-mismatch".to_string())
    );
}

#[test]
fn agent_auth_versions_are_detected() {
    let (o, codes, data) = judge(
        &ev(vec![json(AS, &doc(Some(v02())))]),
        "agent-auth-metadata",
    );
    assert_eq!((o, codes), (Outcome::Pass, vec![]));
    assert_eq!(data.unwrap()["version"], "v0.2+");
    let (o, codes, data) = judge(
        &ev(vec![json(AS, &doc(Some(v01())))]),
        "agent-auth-metadata",
    );
    assert_eq!(o, Outcome::Warn);
    assert_eq!(codes, vec!["agent-auth-metadata-legacy-version"]);
    assert_eq!(data.unwrap()["version"], "v0.1");
    assert_eq!(
        oc(&ev(vec![json(AS, &doc(None))]), "agent-auth-metadata").0,
        Outcome::Skip
    );
}

#[test]
fn agent_auth_malformed_cases() {
    let check = |a: Value| oc(&ev(vec![json(AS, &doc(Some(a)))]), "agent-auth-metadata");
    assert_eq!(
        check(j!("https://x/auth.md")),
        (
            Outcome::Fail,
            vec!["agent-auth-metadata-not-object".to_string()]
        )
    );
    let mut outside = doc(Some(v02()));
    outside["register_uri"] = j!(format!("{ORIGIN}/agent/auth"));
    let (o, codes) = oc(&ev(vec![json(AS, &outside)]), "agent-auth-metadata");
    assert_eq!(o, Outcome::Fail);
    assert_eq!(codes, vec!["agent-auth-metadata-fields-outside-block"]);
    let without = |k: &str| {
        let mut a = v02();
        a.as_object_mut().unwrap().remove(k);
        a
    };
    let with = |k: &str, v: Value| {
        let mut a = v02();
        a[k] = v;
        a
    };
    assert_eq!(
        check(without("skill")),
        (
            Outcome::Warn,
            vec!["agent-auth-metadata-skill-missing".to_string()]
        )
    );
    assert_eq!(
        check(with("skill", j!("auth.md"))),
        (
            Outcome::Warn,
            vec!["agent-auth-metadata-skill-invalid".to_string()]
        )
    );
    assert_eq!(
        check(without("identity_endpoint")),
        (
            Outcome::Fail,
            vec!["agent-auth-metadata-registration-endpoint-missing".to_string()]
        )
    );
    assert_eq!(
        check(with(
            "identity_endpoint",
            j!("http://as.example.com/agent/identity")
        )),
        (
            Outcome::Fail,
            // http is also another origin than the https AS.
            vec![
                "agent-auth-metadata-registration-endpoint-invalid".to_string(),
                "agent-auth-metadata-cross-origin-endpoint".to_string()
            ]
        )
    );
    assert_eq!(
        check(with("identity_types_supported", j!([]))),
        (
            Outcome::Pass,
            vec!["agent-auth-metadata-identity-types-empty".to_string()]
        )
    );
    assert_eq!(
        check(with("identity_types_supported", j!(["magic"]))),
        (
            Outcome::Fail,
            vec!["agent-auth-metadata-identity-types-invalid".to_string()]
        )
    );
    assert_eq!(
        check(with(
            "identity_assertion",
            j!({"assertion_types_supported": ["verified_email"]})
        )),
        (
            Outcome::Warn,
            vec!["agent-auth-metadata-assertion-types-missing-id-jag".to_string()]
        )
    );
    assert_eq!(
        check(without("claim_endpoint")),
        (
            Outcome::Warn,
            vec!["agent-auth-metadata-claim-endpoint-missing".to_string()]
        )
    );
    assert_eq!(
        check(with(
            "claim_endpoint",
            j!("https://other.example.com/claim")
        )),
        (
            Outcome::Warn,
            vec!["agent-auth-metadata-cross-origin-endpoint".to_string()]
        )
    );
    assert_eq!(
        check(with("events_supported", j!([]))),
        (
            Outcome::Warn,
            vec!["agent-auth-metadata-empty-array".to_string()]
        )
    );
    let mut mixed = v02();
    mixed["register_uri"] = j!(format!("{ORIGIN}/agent/auth"));
    assert_eq!(
        check(mixed),
        (
            Outcome::Warn,
            vec!["agent-auth-metadata-mixed-versions".to_string()]
        )
    );
    // v0.2+ needs the jwt-bearer grant.
    let mut d = doc(Some(v02()));
    d["grant_types_supported"] = j!(["authorization_code"]);
    assert_eq!(
        oc(&ev(vec![json(AS, &d)]), "agent-auth-metadata"),
        (
            Outcome::Fail,
            vec!["agent-auth-metadata-jwt-bearer-missing".to_string()]
        )
    );
}

#[test]
fn registration_endpoint_outcomes() {
    let r = |route: Option<Route>| {
        let mut routes = vec![json(AS, &doc(Some(v02())))];
        routes.extend(route);
        oc(&ev(routes), "agent-registration-endpoint")
    };
    assert_eq!(
        r(Some(reg(400, r#"{"error":"invalid_request"}"#))),
        (Outcome::Pass, vec![])
    );
    assert_eq!(
        r(None),
        (
            Outcome::Fail,
            vec!["agent-registration-endpoint-not-found".to_string()]
        )
    );
    assert_eq!(
        r(Some(reg(405, "{}"))),
        (
            Outcome::Fail,
            vec!["agent-registration-endpoint-method-not-allowed".to_string()]
        )
    );
    let mut html = reg(200, "<!doctype html><p>hi</p>");
    html.content_type = Some("text/html".into());
    assert_eq!(
        r(Some(html)),
        (
            Outcome::Fail,
            vec!["agent-registration-endpoint-html".to_string()]
        )
    );
    assert_eq!(
        r(Some(reg(500, "{}"))),
        (
            Outcome::Warn,
            vec!["agent-registration-endpoint-server-error".to_string()]
        )
    );
    assert_eq!(
        r(Some(reg(400, "bad"))),
        (
            Outcome::Warn,
            vec!["agent-registration-endpoint-error-malformed".to_string()]
        )
    );
    assert_eq!(
        r(Some(reg(201, r#"{"id":"x"}"#))),
        (
            Outcome::Warn,
            vec!["agent-registration-endpoint-empty-accepted".to_string()]
        )
    );
    // The request is an empty object: nothing can be registered.
    let e = ev(vec![
        json(AS, &doc(Some(v02()))),
        reg(400, r#"{"error":"invalid_request"}"#),
    ]);
    let x = e
        .get(&format!("agent-registration@{ORIGIN}/agent/identity"))
        .unwrap();
    assert_eq!(x.request.body.as_deref(), Some("{}"));
    // Another origin: reported, not probed.
    let mut a = v02();
    a["identity_endpoint"] = j!("https://other.example.com/agent/identity");
    let e = ev(vec![json(AS, &doc(Some(a)))]);
    assert_eq!(oc(&e, "agent-registration-endpoint").0, Outcome::Skip);
    assert!(
        e.exchanges()
            .iter()
            .all(|x| !x.request.url.contains("other.example.com"))
    );
    // Passive mode: not probed, skipped.
    let e = evidence_with(
        site(vec![json(AS, &doc(Some(v02())))], None),
        ORIGIN,
        Mode::Passive,
        None,
    );
    assert_eq!(oc(&e, "agent-registration-endpoint").0, Outcome::Skip);
    assert_eq!(
        oc(
            &ev(vec![json(AS, &doc(None))]),
            "agent-registration-endpoint"
        )
        .0,
        Outcome::Skip
    );
}

#[test]
fn identity_assertion_outcomes() {
    let ia = |d: Value| oc(&ev(vec![json(AS, &d)]), "identity-assertion");
    assert_eq!(ia(doc(Some(v02()))), (Outcome::Pass, vec![]));
    let mut profile = doc(None);
    profile["authorization_grant_profiles_supported"] = j!([ID_JAG_PROFILE]);
    assert_eq!(ia(profile.clone()), (Outcome::Pass, vec![]));
    assert_eq!(ia(doc(None)).0, Outcome::Skip);
    let mut wrong = doc(None);
    wrong["authorization_grant_profiles_supported"] =
        j!(["urn:ietf:params:oauth:grant-profile:id_jag"]);
    assert_eq!(
        ia(wrong),
        (
            Outcome::Warn,
            vec!["identity-assertion-urn-misspelled".to_string()]
        )
    );
    profile["token_endpoint_auth_methods_supported"] = j!(["none"]);
    assert_eq!(
        ia(profile),
        (
            Outcome::Warn,
            vec!["identity-assertion-public-client-only".to_string()]
        )
    );
    let mut legacy = v02();
    legacy["identity_assertion"] =
        j!({"assertion_types_supported": [ID_JAG_TOKEN_TYPE, "verified_email"]});
    assert_eq!(
        ia(doc(Some(legacy))),
        (
            Outcome::Pass,
            vec!["identity-assertion-legacy-verified-email".to_string()]
        )
    );
    let mut chain = doc(Some(v02()));
    chain["identity_chaining_requested_token_types_supported"] =
        j!(["urn:ietf:params:oauth:token-type:jwt"]);
    assert_eq!(
        ia(chain),
        (
            Outcome::Warn,
            vec!["identity-assertion-chaining-type-missing".to_string()]
        )
    );
}
