//! Evidence-level tests of the scope checks: every finding path, the
//! not-applicable cases, and the `data` each check reports.

use super::*;
use crate::evidence::views::scopes::{MAX_SCOPES, is_scope_token, scope_view};
use crate::fixture::Route;
use crate::model::outcome::Outcome;
use crate::testing::{ORIGIN, evidence, json, route, site};
use serde_json::{Value, json as j};

const AS: &str = "/.well-known/oauth-authorization-server";
const OIDC: &str = "/.well-known/openid-configuration";
const PRM: &str = "/.well-known/oauth-protected-resource/api";
const API: &str = "https://as.example.com/api";

struct Judged {
    outcome: Outcome,
    codes: Vec<String>,
    summary: String,
    data: Option<Value>,
}

fn judge(ev: &Evidence, id: &str) -> Judged {
    let r = crate::testing::judge(ev, id);
    assert_ne!(r.outcome, Outcome::Error, "{id} errored: {}", r.summary);
    Judged {
        outcome: r.outcome,
        codes: r.findings.into_iter().map(|f| f.code).collect(),
        summary: r.summary,
        data: r.data,
    }
}

fn as_doc(scopes: Option<Value>) -> Value {
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

fn prm_doc(scopes: Option<Value>) -> Value {
    let mut d = j!({ "resource": API, "authorization_servers": [ORIGIN] });
    if let Some(s) = scopes {
        d["scopes_supported"] = s;
    }
    d
}

fn challenge(path: &str, status: u16, value: &str, if_auth: bool) -> Route {
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
fn api_site(scopes: Value, scope: Option<&str>, extra: Vec<Route>) -> Evidence {
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

fn origin_site(doc: Value) -> Evidence {
    evidence(site(vec![json(AS, &doc)], None), ORIGIN)
}

fn has(j: &Judged, code: &str) -> bool {
    j.codes.iter().any(|c| c == code)
}

// ---------------------------------------------------------------------------
// scopes-published

#[test]
fn published_skips_without_metadata_and_passes_with_a_list() {
    let ev = evidence(site(vec![], None), ORIGIN);
    assert_eq!(judge(&ev, "scopes-published").outcome, Outcome::Skip);
    let ev = origin_site(as_doc(Some(j!(["files:read", "files:write"]))));
    let r = judge(&ev, "scopes-published");
    assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.codes);
    assert!(r.summary.contains("2 scope(s)"), "{}", r.summary);
    let data = r.data.unwrap();
    assert_eq!(data["published"][0]["scope"], "files:read");
    assert_eq!(data["published"][0]["sources"][0]["from"], "as-metadata");
}

#[test]
fn published_warns_when_missing_or_empty_and_fails_when_malformed() {
    let r = judge(&origin_site(as_doc(None)), "scopes-published");
    assert_eq!(r.outcome, Outcome::Warn);
    assert!(has(&r, "scopes-published-missing"));
    let r = judge(&origin_site(as_doc(Some(j!([])))), "scopes-published");
    assert_eq!(r.outcome, Outcome::Warn);
    assert!(has(&r, "scopes-published-empty"));
    assert!(has(&r, "scopes-published-missing"));
    for bad in [
        j!(["files read", "ok:read"]),
        j!(["a\"b"]),
        j!([3]),
        j!("files:read"),
    ] {
        let r = judge(&origin_site(as_doc(Some(bad.clone()))), "scopes-published");
        assert_eq!(r.outcome, Outcome::Fail, "{bad}");
        assert!(has(&r, "scopes-published-malformed"), "{bad}");
    }
}

#[test]
fn published_asks_oidc_documents_for_openid() {
    let mut d = as_doc(Some(j!(["api"])));
    d["jwks_uri"] = j!(format!("{ORIGIN}/jwks"));
    let ev = evidence(site(vec![json(OIDC, &d)], None), ORIGIN);
    let r = judge(&ev, "scopes-published");
    assert_eq!(r.outcome, Outcome::Warn);
    assert!(has(&r, "scopes-published-openid-missing"));
    // The same list at the RFC 8414 URL needs no openid.
    let r = judge(&origin_site(as_doc(Some(j!(["api"])))), "scopes-published");
    assert!(!has(&r, "scopes-published-openid-missing"));
}

#[test]
fn published_informs_about_identity_only_lists_and_prm_extras() {
    let r = judge(
        &origin_site(as_doc(Some(j!(["openid", "profile", "email"])))),
        "scopes-published",
    );
    assert_eq!(r.outcome, Outcome::Pass);
    assert!(has(&r, "scopes-published-identity-scopes-only"));
    let ev = evidence(
        site(
            vec![
                json(AS, &as_doc(Some(j!(["files:read"])))),
                json(PRM, &prm_doc(Some(j!(["files:read", "files:write"])))),
                challenge(
                    "/api",
                    401,
                    &format!("Bearer resource_metadata=\"{ORIGIN}{PRM}\""),
                    false,
                ),
            ],
            None,
        ),
        API,
    );
    let r = judge(&ev, "scopes-published");
    assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.codes);
    assert!(has(&r, "scopes-published-prm-as-divergent"));
}

#[test]
fn a_challenge_scope_is_published_but_does_not_replace_a_list() {
    let rm = format!("resource_metadata=\"{ORIGIN}{PRM}\"");
    let ev = evidence(
        site(
            vec![
                challenge(
                    "/api",
                    401,
                    &format!("Bearer {rm}, scope=\"files:read\""),
                    false,
                ),
                json(PRM, &prm_doc(None)),
                json(AS, &as_doc(None)),
            ],
            None,
        ),
        API,
    );
    let r = judge(&ev, "scopes-published");
    assert_eq!(r.outcome, Outcome::Warn);
    assert!(has(&r, "scopes-published-missing"));
    let data = r.data.unwrap();
    assert_eq!(data["published"][0]["scope"], "files:read");
    assert_eq!(data["published"][0]["sources"][0]["from"], "challenge");
    // Classification still has something to classify.
    assert_eq!(judge(&ev, "scope-classification").outcome, Outcome::Pass);
}

// ---------------------------------------------------------------------------
// scope-classification

#[test]
fn classification_reports_data_scopes_in_the_design_shape() {
    let ev = api_site(
        j!([
            "widgets:read",
            "widgets:write",
            "widgets:delete",
            "offline_access"
        ]),
        Some("widgets:read"),
        vec![],
    );
    let r = judge(&ev, "scope-classification");
    assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.codes);
    assert!(has(&r, "scope-classification-name-only"));
    let scopes = r.data.unwrap()["scopes"].as_array().unwrap().clone();
    let classes: Vec<(&str, &str, &str)> = scopes
        .iter()
        .map(|s| {
            (
                s["scope"].as_str().unwrap(),
                s["class"].as_str().unwrap(),
                s["source"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        classes,
        [
            ("widgets:read", "read", "name"),
            ("widgets:write", "write", "name"),
            ("widgets:delete", "destructive", "name"),
            ("offline_access", "identity", "name"),
        ]
    );
    for s in &scopes {
        let keys: Vec<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["class", "reason", "scope", "source"]);
    }
}

#[test]
fn classification_warns_on_a_few_unknowns_and_fails_on_many() {
    let r = judge(
        &origin_site(as_doc(Some(j!(["files:read", "files:write", "reports"])))),
        "scope-classification",
    );
    assert_eq!(r.outcome, Outcome::Warn);
    assert!(has(&r, "scope-classification-unclassified"));
    // Half or more fails.
    let r = judge(
        &origin_site(as_doc(Some(j!(["files:read", "basic"])))),
        "scope-classification",
    );
    assert_eq!(r.outcome, Outcome::Fail);
    assert!(has(&r, "scope-classification-mostly-unclassified"));
    // Identity scopes do not dilute the share: a lone `mcp` fails.
    let r = judge(
        &origin_site(as_doc(Some(j!(["openid", "profile", "email", "mcp"])))),
        "scope-classification",
    );
    assert_eq!(r.outcome, Outcome::Fail, "{:?}", r.codes);
    // Only identity scopes: nothing unclassified.
    let r = judge(
        &origin_site(as_doc(Some(j!(["openid", "email"])))),
        "scope-classification",
    );
    assert_eq!(r.outcome, Outcome::Pass);
}

#[test]
fn classification_skips_without_scopes() {
    let r = judge(&origin_site(as_doc(None)), "scope-classification");
    assert_eq!(r.outcome, Outcome::Skip);
    assert!(r.summary.contains("no scopes"), "{}", r.summary);
}

#[test]
fn a_risk_document_and_descriptions_are_used_and_reported() {
    let mut prm = prm_doc(Some(j!(["widgets:read", "widgets:archive", "reports"])));
    prm["scope_details"] = j!({
        "widgets:archive": {"risk": "high", "description": "Archive and purge widgets", "requires": ["widgets:read"]},
    });
    prm["scope_descriptions"] = j!({ "reports": "Read usage reports" });
    let ev = evidence(
        site(
            vec![
                json(PRM, &prm),
                challenge(
                    "/api",
                    401,
                    &format!("Bearer resource_metadata=\"{ORIGIN}{PRM}\", scope=\"widgets:read\""),
                    false,
                ),
            ],
            None,
        ),
        API,
    );
    let r = judge(&ev, "scope-classification");
    assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.codes);
    assert!(!has(&r, "scope-classification-name-only"));
    let data = r.data.unwrap();
    let by: BTreeMap<&str, (&str, &str)> = data["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["scope"].as_str().unwrap(),
                (s["class"].as_str().unwrap(), s["source"].as_str().unwrap()),
            )
        })
        .collect();
    assert_eq!(by["widgets:archive"], ("destructive", "risk-document"));
    assert_eq!(by["reports"], ("read", "description"));
    assert_eq!(by["widgets:read"], ("read", "name"));
    assert!(r.summary.contains("risk-document"), "{}", r.summary);
}

#[test]
fn an_invalid_risk_document_warns_and_a_disagreement_is_information() {
    let mut d = as_doc(Some(j!(["widgets:read", "widgets:write"])));
    d["scope_details"] =
        j!({ "widgets:write": {"risk": "extreme"}, "widgets:read": {"class": "destructive"} });
    let r = judge(&origin_site(d), "scope-classification");
    assert_eq!(r.outcome, Outcome::Warn);
    assert!(has(&r, "scope-classification-risk-document-invalid"));
    assert!(has(&r, "scope-classification-ambiguous"));
    let mut d = as_doc(Some(j!(["widgets:read"])));
    d["scope_details"] = j!(["not", "an", "object"]);
    let r = judge(&origin_site(d), "scope-classification");
    assert!(has(&r, "scope-classification-risk-document-invalid"));
}

// ---------------------------------------------------------------------------
// least-privilege

#[test]
fn least_privilege_passes_on_granular_scopes_with_a_read_challenge() {
    let ev = api_site(
        j!([
            "widgets:read",
            "widgets:write",
            "widgets:delete",
            "offline_access"
        ]),
        Some("widgets:read"),
        vec![],
    );
    let r = judge(&ev, "least-privilege");
    assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.codes);
}

#[test]
fn least_privilege_skips_without_api_scopes() {
    assert_eq!(
        judge(&origin_site(as_doc(None)), "least-privilege").outcome,
        Outcome::Skip
    );
    assert_eq!(
        judge(
            &origin_site(as_doc(Some(j!(["openid", "profile"])))),
            "least-privilege"
        )
        .outcome,
        Outcome::Skip
    );
}

#[test]
fn only_a_wildcard_or_only_admin_fails() {
    for scopes in [
        j!(["*"]),
        j!(["admin"]),
        j!(["all", "openid"]),
        j!(["admin:org", "site_admin"]),
    ] {
        let r = judge(
            &origin_site(as_doc(Some(scopes.clone()))),
            "least-privilege",
        );
        assert_eq!(r.outcome, Outcome::Fail, "{scopes}");
        assert!(
            has(&r, "least-privilege-admin-only"),
            "{scopes}: {:?}",
            r.codes
        );
    }
}

#[test]
fn a_single_scope_that_is_not_read_only_fails() {
    for scopes in [j!(["mcp"]), j!(["widgets:write", "openid"])] {
        let r = judge(
            &origin_site(as_doc(Some(scopes.clone()))),
            "least-privilege",
        );
        assert_eq!(r.outcome, Outcome::Fail, "{scopes}");
        assert!(has(&r, "least-privilege-single-scope"), "{scopes}");
    }
    let r = judge(
        &origin_site(as_doc(Some(j!(["public.read"])))),
        "least-privilege",
    );
    assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.codes);
}

#[test]
fn wildcards_beside_granular_scopes_and_coupled_write_warn() {
    let r = judge(
        &origin_site(as_doc(Some(j!(["*", "files:read", "files:write"])))),
        "least-privilege",
    );
    assert_eq!(r.outcome, Outcome::Warn);
    assert!(has(&r, "least-privilege-wildcard-scope"));
    assert!(!has(&r, "least-privilege-read-write-coupled"));
    // Sentry's MCP server: org:read, but projects, teams and events only writable.
    let r = judge(
        &origin_site(as_doc(Some(j!([
            "org:read",
            "project:write",
            "team:write",
            "event:write"
        ])))),
        "least-privilege",
    );
    assert_eq!(r.outcome, Outcome::Warn);
    assert!(has(&r, "least-privilege-read-write-coupled"));
    // A global write scope without a global read scope (Salesforce's api host).
    let r = judge(
        &origin_site(as_doc(Some(j!(["api", "files:read", "refresh_token"])))),
        "least-privilege",
    );
    assert_eq!(r.outcome, Outcome::Warn);
    assert!(has(&r, "least-privilege-read-write-coupled"));
    // A global read scope makes every resource readable (Linear).
    let r = judge(
        &origin_site(as_doc(Some(j!(["read", "write", "issues:create"])))),
        "least-privilege",
    );
    assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.codes);
    // Unknown scopes are left out, and said to be.
    let r = judge(
        &origin_site(as_doc(Some(j!(["files:read", "files:write", "reports"])))),
        "least-privilege",
    );
    assert_eq!(r.outcome, Outcome::Pass);
    assert!(has(&r, "least-privilege-unclassified"));
}

#[test]
fn a_write_scope_in_the_first_challenge_warns() {
    let ev = api_site(
        j!(["files:read", "files:write"]),
        Some("files:read files:write"),
        vec![],
    );
    let r = judge(&ev, "least-privilege");
    assert_eq!(r.outcome, Outcome::Warn);
    assert!(has(&r, "least-privilege-challenge-scope-broad"));
}

#[test]
fn pre_claim_scopes_must_be_read_only() {
    let mut d = as_doc(Some(j!(["notes.read", "notes.write"])));
    d["agent_auth"] = j!({
        "identity_endpoint": format!("{ORIGIN}/agent/identity"),
        "pre_claim_scopes": ["notes.read", "notes.write"],
        "post_claim_scopes": ["notes.read", "notes.write"]
    });
    let r = judge(&origin_site(d.clone()), "least-privilege");
    assert_eq!(r.outcome, Outcome::Warn);
    assert!(has(&r, "least-privilege-pre-claim-write"));
    // The AuthKit shape, read-only before the claim: fine.
    d["agent_auth"] = j!({ "scopes": { "pre_claim": ["notes.read"], "post_claim": ["notes.read", "notes.write"] } });
    let r = judge(&origin_site(d), "least-privilege");
    assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.codes);
}

// ---------------------------------------------------------------------------
// progressive-scoping

#[test]
fn progressive_scoping_passes_with_granular_scopes_and_a_scoped_challenge() {
    let ev = api_site(
        j!(["files:read", "files:write"]),
        Some("files:read"),
        vec![],
    );
    let r = judge(&ev, "progressive-scoping");
    assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.codes);
    assert!(has(&r, "progressive-scoping-step-up-not-observed"));
    assert!(r.summary.contains("Step-up is possible"), "{}", r.summary);
}

#[test]
fn a_single_api_scope_leaves_nothing_to_step_up_to() {
    let r = judge(
        &origin_site(as_doc(Some(j!(["openid", "mcp"])))),
        "progressive-scoping",
    );
    assert_eq!(r.outcome, Outcome::Fail);
    assert!(has(&r, "progressive-scoping-scopes-not-granular"));
    assert_eq!(
        judge(
            &origin_site(as_doc(Some(j!(["openid"])))),
            "progressive-scoping"
        )
        .outcome,
        Outcome::Skip
    );
    assert_eq!(
        judge(&origin_site(as_doc(None)), "progressive-scoping").outcome,
        Outcome::Skip
    );
}

#[test]
fn challenges_without_scope_or_asking_for_everything() {
    let ev = api_site(j!(["files:read", "files:write"]), None, vec![]);
    let r = judge(&ev, "progressive-scoping");
    assert_eq!(r.outcome, Outcome::Warn);
    assert!(has(&r, "progressive-scoping-challenge-scope-missing"));
    let ev = api_site(
        j!(["files:read", "files:write"]),
        Some("files:write files:read"),
        vec![],
    );
    let r = judge(&ev, "progressive-scoping");
    assert!(has(&r, "progressive-scoping-challenge-requests-all"));
}

#[test]
fn a_first_challenge_with_invalid_token_still_counts() {
    // Linear and Notion add error="invalid_token" to the challenge of a
    // request without credentials; it is still the first challenge.
    let rm = format!("resource_metadata=\"{ORIGIN}{PRM}\"");
    let ev = evidence(
        site(
            vec![
                challenge(
                    "/api",
                    401,
                    &format!("Bearer error=\"invalid_token\", {rm}"),
                    false,
                ),
                json(PRM, &prm_doc(Some(j!(["files:read", "files:write"])))),
            ],
            None,
        ),
        API,
    );
    let r = judge(&ev, "progressive-scoping");
    assert!(
        has(&r, "progressive-scoping-challenge-scope-missing"),
        "{:?}",
        r.codes
    );
}

#[test]
fn insufficient_scope_challenges_are_judged() {
    // A server that (wrongly) answers the bogus token with insufficient_scope.
    let bad = challenge("/api", 401, "Bearer error=\"insufficient_scope\"", true);
    let ev = api_site(
        j!(["files:read", "files:write"]),
        Some("files:read"),
        vec![bad],
    );
    let r = judge(&ev, "progressive-scoping");
    assert_eq!(r.outcome, Outcome::Warn);
    for code in [
        "progressive-scoping-insufficient-scope-status",
        "progressive-scoping-insufficient-scope-without-scope",
        "progressive-scoping-insufficient-scope-without-resource-metadata",
    ] {
        assert!(has(&r, code), "{code}: {:?}", r.codes);
    }
    assert!(!has(&r, "progressive-scoping-step-up-not-observed"));
    // A conformant one: 403 with scope and resource_metadata.
    let good = challenge(
        "/api",
        403,
        &format!(
            "Bearer error=\"insufficient_scope\", scope=\"files:write\", resource_metadata=\"{ORIGIN}{PRM}\""
        ),
        true,
    );
    let ev = api_site(
        j!(["files:read", "files:write"]),
        Some("files:read"),
        vec![good],
    );
    let r = judge(&ev, "progressive-scoping");
    assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.codes);
    assert!(
        r.summary.contains("403 insufficient_scope"),
        "{}",
        r.summary
    );
    // RFC 9470 step-up without its parameters.
    let step_up = challenge(
        "/api",
        401,
        "Bearer error=\"insufficient_user_authentication\"",
        true,
    );
    let ev = api_site(
        j!(["files:read", "files:write"]),
        Some("files:read"),
        vec![step_up],
    );
    let r = judge(&ev, "progressive-scoping");
    assert!(has(&r, "progressive-scoping-step-up-params-missing"));
}

#[test]
fn claim_scopes_must_widen() {
    let doc = |pre: Value, post: Option<Value>| {
        let mut d = as_doc(Some(j!(["notes.read", "notes.write"])));
        d["agent_auth"] = j!({ "pre_claim_scopes": pre });
        if let Some(p) = post {
            d["agent_auth"]["post_claim_scopes"] = p;
        }
        origin_site(d)
    };
    let r = judge(
        &doc(j!(["notes.read"]), Some(j!(["notes.read", "notes.write"]))),
        "progressive-scoping",
    );
    assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.codes);
    assert!(r.summary.contains("widens"), "{}", r.summary);
    let r = judge(
        &doc(j!(["notes.read"]), Some(j!(["notes.read"]))),
        "progressive-scoping",
    );
    assert!(has(&r, "progressive-scoping-claim-scopes-unchanged"));
    let r = judge(&doc(j!(["notes.read"]), None), "progressive-scoping");
    assert!(has(&r, "progressive-scoping-claim-scopes-unchanged"));
    let r = judge(
        &doc(j!(["notes.read", "notes.write"]), Some(j!(["notes.read"]))),
        "progressive-scoping",
    );
    assert_eq!(r.outcome, Outcome::Warn);
    assert!(has(&r, "progressive-scoping-claim-scopes-narrower"));
}

// ---------------------------------------------------------------------------
// The view

#[test]
fn the_view_caps_what_it_reads_and_never_panics_on_odd_documents() {
    let many: Vec<String> = (0..2000).map(|i| format!("s{i}:read")).collect();
    let ev = origin_site(as_doc(Some(j!(many))));
    let view = scope_view(&ev);
    assert_eq!(view.published.len(), MAX_SCOPES);
    let long = "x".repeat(5000);
    let view = scope_view(&origin_site(as_doc(Some(j!([long, "files:read"])))));
    assert_eq!(view.published.len(), 1);
    assert!(view.truncated);
    let r = judge(&ev, "scopes-published");
    assert!(r.summary.contains("more not read"), "{}", r.summary);
    for odd in [
        j!({"scopes_supported": [null, {}, [], "ok:read"], "agent_auth": "x", "scope_details": 3, "scope_descriptions": {"a": 1}}),
        j!({"scopes_supported": ["\u{0}", "é:read", ""], "agent_auth": {"pre_claim_scopes": 5, "scopes": []}}),
    ] {
        let mut d = as_doc(None);
        for (k, v) in odd.as_object().unwrap() {
            d[k] = v.clone();
        }
        let ev = origin_site(d);
        for id in IDS {
            let _ = judge(&ev, id);
        }
    }
}

#[test]
fn scope_tokens_follow_rfc_6749() {
    for ok in [
        "files:read",
        "https://www.googleapis.com/auth/drive",
        "*",
        "a!b#c[d]e~",
    ] {
        assert!(is_scope_token(ok), "{ok}");
    }
    for bad in ["", "a b", "a\"b", "a\\b", "é", "a\tb"] {
        assert!(!is_scope_token(bad), "{bad}");
    }
}

#[test]
fn the_shared_scope_analysis_gives_each_check_the_verdict_of_a_fresh_store() {
    // Scope-rich bundled sites: the checks reading `analysis` give the
    // same result on one shared store (the view memoised by the first) as
    // each on a fresh copy (computed anew).
    let readers = [
        "scopes-published",
        "scope-classification",
        "least-privilege",
        "progressive-scoping",
        "action-classification",
    ];
    for name in [
        "widgets-api",
        "agent-ready",
        "sloppy-scopes",
        "god-mode-scopes",
    ] {
        let s = crate::fixture::Site::bundled(name).unwrap();
        let target = format!("{ORIGIN}{}", s.target.as_deref().unwrap_or("/"));
        let shared = evidence(s, &target);
        assert!(
            !analysis(&shared.clone()).view.published.is_empty(),
            "{name} publishes scopes"
        );
        for id in readers {
            let fresh = crate::testing::judge(&shared.clone(), id);
            assert_eq!(crate::testing::judge(&shared, id), fresh, "{name} {id}");
        }
    }
}
