//! Evidence-level tests of the metadata family: each site is written by
//! hand, answered in memory through the real planner, and judged.

use crate::evidence::Evidence;
use crate::model::outcome::Outcome;
use crate::testing::{ORIGIN, evidence, json, route, site};
use serde_json::{Value, json as j};

const AS: &str = "/.well-known/oauth-authorization-server";
const OIDC: &str = "/.well-known/openid-configuration";

fn judge(ev: &Evidence, id: &str) -> (Outcome, Vec<String>) {
    let r = crate::testing::judge(ev, id);
    assert_ne!(r.outcome, Outcome::Error, "{id} errored: {}", r.summary);
    (r.outcome, crate::testing::codes(&r))
}

fn good_doc() -> Value {
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

fn with(mut doc: Value, key: &str, v: Value) -> Value {
    doc[key] = v;
    doc
}

fn without(mut doc: Value, key: &str) -> Value {
    doc.as_object_mut().unwrap().remove(key);
    doc
}

/// The good document plus the members OIDC Discovery §3 requires.
fn oidc_doc() -> Value {
    with(
        with(good_doc(), "subject_types_supported", j!(["public"])),
        "id_token_signing_alg_values_supported",
        j!(["RS256"]),
    )
}

fn root(doc: Value) -> Evidence {
    evidence(site(vec![json(AS, &doc)], None), ORIGIN)
}

use super::IDS as FAMILY;

#[test]
fn a_good_document_passes_every_check() {
    let ev = root(good_doc());
    for id in FAMILY {
        let (o, codes) = judge(&ev, id);
        assert_eq!(o, Outcome::Pass, "{id}: {codes:?}");
    }
    assert!(
        judge(&ev, "as-metadata-discovery")
            .1
            .contains(&"as-metadata-discovery-found".to_string())
    );
}

// ---- as-metadata-discovery -------------------------------------------------

#[test]
fn discovery_fails_when_nothing_is_published() {
    let ev = evidence(site(vec![], None), ORIGIN);
    assert_eq!(
        judge(&ev, "as-metadata-discovery"),
        (
            Outcome::Fail,
            vec!["as-metadata-discovery-not-found".to_string()]
        )
    );
    for id in &FAMILY[1..] {
        assert_eq!(judge(&ev, id).0, Outcome::Skip, "{id}");
    }
}

#[test]
fn discovery_fails_on_a_catch_all_site() {
    // Every path answers 200 HTML.
    let html = route(
        "",
        200,
        "text/html",
        "<!doctype html><html><body>app</body></html>",
    );
    let ev = evidence(site(vec![], Some(html)), ORIGIN);
    let (o, codes) = judge(&ev, "as-metadata-discovery");
    assert_eq!(o, Outcome::Fail);
    assert_eq!(codes, vec!["as-metadata-discovery-not-found"]);
    // Every path answers the same JSON object: still nothing found.
    let api = route(
        "",
        200,
        "application/json",
        r#"{"issuer":"https://as.example.com"}"#,
    );
    let ev = evidence(site(vec![], Some(api)), ORIGIN);
    assert_eq!(judge(&ev, "as-metadata-discovery").0, Outcome::Fail);
    assert_eq!(judge(&ev, "pkce-s256").0, Outcome::Skip);
}

#[test]
fn discovery_fails_on_html_at_the_well_known_url() {
    let ev = evidence(
        site(
            vec![route(
                AS,
                200,
                "text/html",
                "<html><body>login</body></html>",
            )],
            None,
        ),
        ORIGIN,
    );
    assert_eq!(judge(&ev, "as-metadata-discovery").0, Outcome::Fail);
}

#[test]
fn discovery_passes_with_openid_discovery_only() {
    let doc = oidc_doc();
    let ev = evidence(site(vec![json(OIDC, &doc)], None), ORIGIN);
    assert_eq!(judge(&ev, "as-metadata-discovery").0, Outcome::Pass);
    assert_eq!(judge(&ev, "as-metadata-conformance").0, Outcome::Pass);
}

#[test]
fn discovery_warns_when_the_issuer_does_not_match() {
    let ev = root(with(good_doc(), "issuer", j!("https://login.example.net")));
    let (o, codes) = judge(&ev, "as-metadata-discovery");
    assert_eq!(o, Outcome::Warn);
    assert!(codes.contains(&"as-metadata-discovery-unusable".to_string()));
}

#[test]
fn issuer_with_path_is_found_at_each_mcp_url() {
    let issuer = format!("{ORIGIN}/tenant1");
    let doc = with(good_doc(), "issuer", j!(issuer));
    for (path, oidc) in [
        ("/.well-known/oauth-authorization-server/tenant1", false),
        ("/.well-known/openid-configuration/tenant1", true),
        ("/tenant1/.well-known/openid-configuration", true),
    ] {
        let ev = evidence(site(vec![json(path, &doc)], None), &issuer);
        assert_eq!(
            judge(&ev, "as-metadata-discovery").0,
            Outcome::Pass,
            "{path}"
        );
        assert_eq!(judge(&ev, "issuer-identifier").0, Outcome::Pass, "{path}");
        assert_eq!(judge(&ev, "pkce-s256").0, Outcome::Pass, "{path}");
        // The OIDC forms are held to OIDC Discovery's required members.
        let conf = judge(&ev, "as-metadata-conformance");
        assert_eq!(conf.0 == Outcome::Fail, oidc, "{path}: {conf:?}");
    }
}

#[test]
fn issuers_listed_by_protected_resource_metadata_are_followed() {
    let issuer = format!("{ORIGIN}/auth");
    let prm = j!({"resource": ORIGIN, "authorization_servers": [issuer]});
    let doc = with(good_doc(), "issuer", j!(issuer));
    let ev = evidence(
        site(
            vec![
                json("/.well-known/oauth-protected-resource", &prm),
                json("/.well-known/oauth-authorization-server/auth", &doc),
            ],
            None,
        ),
        ORIGIN,
    );
    assert!(
        ev.record(&format!("as-metadata@{issuer}")).is_some(),
        "derived probe planned"
    );
    let (o, codes) = judge(&ev, "as-metadata-discovery");
    assert_eq!(o, Outcome::Pass, "{codes:?}");
    assert_eq!(judge(&ev, "issuer-identifier").0, Outcome::Pass);
}

/// A listed issuer whose metadata URLs all answered without a document is
/// a warning; one whose host never answered is not verified, so it is no
/// warning (the origin's own metadata still passes).
#[test]
fn a_listed_issuer_is_missing_only_when_its_urls_answered() {
    let tenant = format!("{ORIGIN}/tenant");
    let prm = j!({"resource": ORIGIN, "authorization_servers": [tenant]});
    let ev = evidence(
        site(
            vec![
                json("/.well-known/oauth-protected-resource", &prm),
                json(AS, &good_doc()),
            ],
            None,
        ),
        ORIGIN,
    );
    let (o, codes) = judge(&ev, "as-metadata-discovery");
    assert_eq!(o, Outcome::Warn);
    assert!(codes.contains(&"as-metadata-discovery-listed-issuer-missing".to_string()));

    let prm = j!({"resource": ORIGIN, "authorization_servers": ["https://auth.elsewhere.example"]});
    let ev = evidence(
        site(
            vec![
                json("/.well-known/oauth-protected-resource", &prm),
                json(AS, &good_doc()),
            ],
            None,
        ),
        ORIGIN,
    );
    let (o, codes) = judge(&ev, "as-metadata-discovery");
    assert_eq!(o, Outcome::Pass, "{codes:?}");
    assert!(!codes.contains(&"as-metadata-discovery-listed-issuer-missing".to_string()));
    // Nothing else to go on: not verified, and an error (nothing answered),
    // not a failure.
    let ev = evidence(
        site(
            vec![json("/.well-known/oauth-protected-resource", &prm)],
            None,
        ),
        ORIGIN,
    );
    let r = crate::testing::judge(&ev, "as-metadata-discovery");
    assert_eq!(r.outcome, Outcome::Error, "{}", r.summary);
    assert!(r.summary.starts_with("Not verified"), "{}", r.summary);
}

#[test]
fn an_unreachable_target_is_an_error_not_a_failure() {
    let ev = evidence(site(vec![], None), "https://unreachable.example");
    assert_eq!(
        crate::testing::judge(&ev, "as-metadata-discovery").outcome,
        Outcome::Error
    );
    assert!(ev.unreachable());
}

// ---- as-metadata-conformance -------------------------------------------------

fn conformance(doc: Value) -> (Outcome, Vec<String>) {
    judge(&root(doc), "as-metadata-conformance")
}

#[test]
fn conformance_requires_the_required_members() {
    for key in [
        "issuer",
        "response_types_supported",
        "authorization_endpoint",
        "token_endpoint",
    ] {
        let (o, codes) = conformance(without(good_doc(), key));
        assert_eq!(o, Outcome::Fail, "{key}");
        assert!(
            codes.contains(&"as-metadata-conformance-missing-required".to_string()),
            "{key}"
        );
    }
    // An empty REQUIRED array is as good as missing.
    let (o, codes) = conformance(with(good_doc(), "response_types_supported", j!([])));
    assert_eq!(o, Outcome::Fail);
    assert!(codes.contains(&"as-metadata-conformance-missing-required".to_string()));
    // No grant uses the authorization endpoint: it may be omitted.
    let doc = with(
        without(good_doc(), "authorization_endpoint"),
        "grant_types_supported",
        j!(["client_credentials"]),
    );
    assert_eq!(conformance(doc).0, Outcome::Pass);
}

#[test]
fn conformance_checks_types_empty_arrays_and_media_type() {
    let (o, codes) = conformance(with(good_doc(), "scopes_supported", j!("read write")));
    assert_eq!(
        (o, codes),
        (
            Outcome::Fail,
            vec!["as-metadata-conformance-type".to_string()]
        )
    );
    let (o, codes) = conformance(with(good_doc(), "ui_locales_supported", j!([])));
    assert_eq!(
        (o, codes),
        (
            Outcome::Warn,
            vec!["as-metadata-conformance-empty-array".to_string()]
        )
    );
    let ev = evidence(
        site(
            vec![route(AS, 200, "text/plain", &good_doc().to_string())],
            None,
        ),
        ORIGIN,
    );
    assert_eq!(
        judge(&ev, "as-metadata-conformance"),
        (
            Outcome::Warn,
            vec!["as-metadata-conformance-content-type".to_string()]
        )
    );
    let (o, codes) = conformance(with(
        good_doc(),
        "token_endpoint_auth_signing_alg_values_supported",
        j!(["RS256", "none"]),
    ));
    assert_eq!(
        (o, codes),
        (
            Outcome::Fail,
            vec!["as-metadata-conformance-alg-none".to_string()]
        )
    );
}

#[test]
fn conformance_checks_signed_metadata() {
    let (o, codes) = conformance(with(good_doc(), "signed_metadata", j!("not-a-jws")));
    assert_eq!(
        (o, codes),
        (
            Outcome::Fail,
            vec!["as-metadata-conformance-signed-metadata".to_string()]
        )
    );
    // header.{"iss":"x"}.sig is accepted (signature verification is out of scope).
    let payload = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        br#"{"iss":"https://as.example.com"}"#,
    );
    let (o, _) = conformance(with(
        good_doc(),
        "signed_metadata",
        j!(format!("eyJhbGciOiJSUzI1NiJ9.{payload}.c2ln")),
    ));
    assert_eq!(o, Outcome::Pass);
}

// ---- issuer-identifier -------------------------------------------------------

#[test]
fn issuer_identifier_outcomes() {
    let judge_issuer = |v: Value| judge(&root(with(good_doc(), "issuer", v)), "issuer-identifier");
    assert_eq!(
        judge_issuer(j!(format!("{ORIGIN}/"))).0,
        Outcome::Pass,
        "trailing slash rule"
    );
    assert_eq!(
        judge_issuer(j!("https://as.example.com:443")),
        (
            Outcome::Fail,
            vec!["issuer-identifier-mismatch".to_string()]
        ),
        "no normalisation of the default port"
    );
    assert_eq!(
        judge_issuer(j!("https://login.example.com/{tenantid}/v2.0")),
        (
            Outcome::Warn,
            vec!["issuer-identifier-template".to_string()]
        )
    );
    let (o, codes) = judge_issuer(j!("http://as.example.com"));
    assert_eq!(o, Outcome::Fail);
    assert!(codes.contains(&"issuer-identifier-not-https".to_string()));
    let (o, codes) = judge_issuer(j!("https://as.example.com?x=1"));
    assert_eq!(o, Outcome::Fail);
    assert!(codes.contains(&"issuer-identifier-query-fragment".to_string()));
    assert_eq!(
        judge(&root(without(good_doc(), "issuer")), "issuer-identifier"),
        (Outcome::Fail, vec!["issuer-identifier-missing".to_string()])
    );
    let (o, codes) = judge_issuer(j!("as.example.com"));
    assert_eq!(o, Outcome::Fail);
    assert!(codes.contains(&"issuer-identifier-not-url".to_string()));
}

// ---- endpoint-transport ------------------------------------------------------

#[test]
fn endpoint_transport_outcomes() {
    let t = |k: &str, v: &str| judge(&root(with(good_doc(), k, j!(v))), "endpoint-transport");
    assert_eq!(
        t("token_endpoint", "http://as.example.com/token"),
        (Outcome::Fail, vec!["endpoint-transport-http".to_string()])
    );
    assert_eq!(
        t("token_endpoint", "/token"),
        (
            Outcome::Fail,
            vec!["endpoint-transport-not-absolute".to_string()]
        )
    );
    assert_eq!(
        t("op_policy_uri", "http://as.example.com/policy"),
        (
            Outcome::Warn,
            vec!["endpoint-transport-http-link".to_string()]
        )
    );
    assert_eq!(
        t("token_endpoint", "http://127.0.0.1:8080/token").0,
        Outcome::Pass,
        "loopback http is accepted"
    );
    assert_eq!(
        t("token_endpoint", "http://[::1]:8080/token").0,
        Outcome::Pass
    );
    let doc = with(
        good_doc(),
        "mtls_endpoint_aliases",
        j!({"token_endpoint": "http://mtls.example.com/token"}),
    );
    assert_eq!(judge(&root(doc), "endpoint-transport").0, Outcome::Fail);
}

// ---- oauth21-grants ----------------------------------------------------------

#[test]
fn oauth21_grants_outcomes() {
    let g = |doc: Value| judge(&root(doc), "oauth21-grants");
    assert_eq!(
        g(with(
            good_doc(),
            "grant_types_supported",
            j!(["authorization_code", "password"])
        )),
        (Outcome::Fail, vec!["oauth21-grants-password".to_string()])
    );
    assert_eq!(
        g(with(
            good_doc(),
            "response_types_supported",
            j!(["code", "id_token token"])
        )),
        (Outcome::Warn, vec!["oauth21-grants-implicit".to_string()])
    );
    assert_eq!(
        g(with(good_doc(), "grant_types_supported", j!(["implicit"]))).0,
        Outcome::Warn
    );
    // Omitted grant types: informative only.
    assert_eq!(
        g(without(good_doc(), "grant_types_supported")),
        (
            Outcome::Pass,
            vec!["oauth21-grants-implicit-by-default".to_string()]
        )
    );
    // An "id_token" response type is not a token response type.
    assert_eq!(
        g(with(
            good_doc(),
            "response_types_supported",
            j!(["code", "code id_token"])
        ))
        .0,
        Outcome::Pass
    );
}

// ---- pkce-s256 / pkce-downgrade ---------------------------------------------

#[test]
fn pkce_outcomes() {
    let p = |v: Option<Value>| {
        let doc = match v {
            Some(v) => with(good_doc(), "code_challenge_methods_supported", v),
            None => without(good_doc(), "code_challenge_methods_supported"),
        };
        let ev = root(doc);
        (judge(&ev, "pkce-s256"), judge(&ev, "pkce-downgrade"))
    };
    let (s, d) = p(None);
    assert_eq!(
        s,
        (Outcome::Fail, vec!["pkce-s256-not-advertised".to_string()])
    );
    assert_eq!(d.0, Outcome::Skip);
    let (s, d) = p(Some(j!(["plain"])));
    assert_eq!(s, (Outcome::Fail, vec!["pkce-s256-missing".to_string()]));
    assert_eq!(
        d,
        (Outcome::Fail, vec!["pkce-downgrade-plain-only".to_string()])
    );
    let (s, d) = p(Some(j!(["plain", "S256"])));
    assert_eq!(s.0, Outcome::Pass);
    assert_eq!(
        d,
        (
            Outcome::Warn,
            vec!["pkce-downgrade-plain-offered".to_string()]
        )
    );
    let (s, d) = p(Some(j!(["s256"])));
    assert_eq!(s.0, Outcome::Fail, "method names are case-sensitive");
    assert_eq!(
        d,
        (
            Outcome::Warn,
            vec!["pkce-downgrade-unknown-method".to_string()]
        )
    );
    let (s, d) = p(Some(j!("S256")));
    assert_eq!(s, (Outcome::Fail, vec!["pkce-s256-malformed".to_string()]));
    assert_eq!(d.0, Outcome::Skip);
}

#[test]
fn pkce_warns_when_the_oidc_twin_omits_the_methods() {
    let oidc = without(oidc_doc(), "code_challenge_methods_supported");
    let ev = evidence(
        site(vec![json(AS, &good_doc()), json(OIDC, &oidc)], None),
        ORIGIN,
    );
    assert_eq!(
        judge(&ev, "pkce-s256"),
        (Outcome::Warn, vec!["pkce-s256-oidc-missing".to_string()])
    );
}

#[test]
fn the_same_url_is_requested_once_even_when_two_probes_plan_it() {
    // The PRM lists the origin itself as issuer: its metadata URLs are the
    // root probes' URLs, so the derived probes are aliases, not requests.
    let prm = j!({"resource": ORIGIN, "authorization_servers": [ORIGIN]});
    let ev = evidence(
        site(
            vec![
                json("/.well-known/oauth-protected-resource", &prm),
                json(AS, &good_doc()),
            ],
            None,
        ),
        ORIGIN,
    );
    let urls: Vec<&str> = ev
        .exchanges()
        .iter()
        .map(|x| x.request.url.as_str())
        .collect();
    let mut dedup = urls.clone();
    dedup.sort_unstable();
    dedup.dedup();
    assert_eq!(urls.len(), dedup.len(), "{urls:?}");
    assert_eq!(
        ev.record(&format!("as-metadata@{ORIGIN}"))
            .unwrap()
            .exchange,
        ev.record("as-metadata").unwrap().exchange
    );
}

#[test]
fn a_public_target_cannot_send_the_scanner_to_a_private_address() {
    let prm = j!({"resource": ORIGIN, "authorization_servers": ["http://169.254.169.254/latest", "http://localhost:8080"]});
    let ev = evidence(
        site(
            vec![
                json("/.well-known/oauth-protected-resource", &prm),
                json(AS, &good_doc()),
            ],
            None,
        ),
        ORIGIN,
    );
    for id in [
        "as-metadata@http://169.254.169.254/latest",
        "as-metadata@http://localhost:8080",
    ] {
        let x = ev.get(id).unwrap();
        assert_eq!(
            x.error.as_ref().unwrap().kind,
            crate::model::exchange::ErrorKind::Refused,
            "{id}"
        );
    }
    // Refused, not fetched: not verified, so no warning (the origin's own
    // metadata passes), and discovery-consistency says what it could not
    // check and how to check it.
    let (o, codes) = judge(&ev, "as-metadata-discovery");
    assert_eq!(o, Outcome::Pass, "{codes:?}");
    let r = crate::testing::judge(&ev, "discovery-consistency");
    assert_eq!(r.outcome, Outcome::Skip, "{}", r.summary);
    assert!(
        crate::testing::codes(&r)
            .contains(&"discovery-consistency-private-address-refused".to_string())
    );
    assert!(r.summary.contains("--allow-private"), "{}", r.summary);
}

#[test]
fn a_signed_metadata_payload_is_read_within_the_memory_budget() {
    use base64::Engine as _;
    // 1.6 MB of small objects: ~150 MB once parsed without a budget.
    let payload = format!("[{}]", vec![r#"{"a":1}"#; 200_000].join(","));
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload);
    let doc = serde_json::json!({"signed_metadata": format!("e30.{b64}.c2ln")});
    let problem = super::signed_metadata_problem(&doc).unwrap();
    assert!(problem.contains("not base64url-encoded JSON"), "{problem}");
    let ok =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"iss":"https://a.example"}"#);
    let doc = serde_json::json!({"signed_metadata": format!("e30.{ok}.c2ln")});
    assert_eq!(super::signed_metadata_problem(&doc), None);
}
