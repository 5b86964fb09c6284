//! Evidence-level tests of the browserless and lifecycle checks.

use super::*;
use crate::fixture::Route;
use crate::model::credential::facts;
use crate::model::outcome::Outcome;
use crate::testing::{ORIGIN, evidence, evidence_with, json, route, site};
use serde_json::json as j;

const AS: &str = "/.well-known/oauth-authorization-server";

fn judge(ev: &Evidence, id: &str) -> (Outcome, Vec<String>) {
    let r = crate::testing::judge(ev, id);
    assert_ne!(r.outcome, Outcome::Error, "{id} errored: {}", r.summary);
    (r.outcome, crate::testing::codes(&r))
}

fn doc() -> Value {
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

fn with(mut d: Value, k: &str, v: Value) -> Value {
    d[k] = v;
    d
}

fn without(mut d: Value, k: &str) -> Value {
    d.as_object_mut().unwrap().remove(k);
    d
}

fn post(path: &str, status: u16, ct: &str, body: &str) -> Route {
    let mut r = route(path, status, ct, body);
    r.method = "POST".into();
    r
}

fn err(path: &str, status: u16, code: &str) -> Route {
    post(
        path,
        status,
        "application/json",
        &j!({ "error": code }).to_string(),
    )
}

/// A conformant server: every endpoint rejects agentready's request properly.
fn good_routes() -> Vec<Route> {
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

fn ev_with(d: Value, routes: Vec<Route>) -> Evidence {
    let mut all = vec![json(AS, &d)];
    all.extend(routes);
    evidence(site(all, None), ORIGIN)
}

#[test]
fn a_conformant_server_passes_the_family() {
    let ev = ev_with(
        with(doc(), "client_id_metadata_document_supported", j!(true)),
        good_routes(),
    );
    for id in [
        "device-authorization",
        "client-registration",
        "browserless-path",
        "token-revocation",
        "token-introspection",
    ] {
        assert_eq!(judge(&ev, id), (Outcome::Pass, vec![]), "{id}");
    }
    assert_eq!(judge(&ev, "delegation-grants").0, Outcome::Skip);
    assert_eq!(judge(&ev, "token-lifetime").0, Outcome::Skip);
}

#[test]
fn device_authorization_outcomes() {
    let d = |routes: Vec<Route>| judge(&ev_with(doc(), routes), "device-authorization");
    assert_eq!(
        d(vec![post(
            "/device",
            200,
            "text/html",
            "<!doctype html><p>login</p>"
        )]),
        (
            Outcome::Fail,
            vec!["device-authorization-endpoint-unavailable".to_string()]
        )
    );
    assert_eq!(
        d(vec![]),
        (
            Outcome::Fail,
            vec!["device-authorization-endpoint-unavailable".to_string()]
        ),
        "404"
    );
    assert_eq!(
        d(vec![post("/device", 500, "application/json", "{}")]),
        (
            Outcome::Fail,
            vec!["device-authorization-endpoint-unavailable".to_string()]
        )
    );
    assert_eq!(
        d(vec![post("/device", 400, "text/plain", "bad request")]),
        (
            Outcome::Fail,
            vec!["device-authorization-error-not-json".to_string()]
        )
    );
    let ok = j!({"device_code": "d", "user_code": "U-1", "verification_uri": "https://x/device", "expires_in": 600, "interval": 5});
    assert_eq!(
        d(vec![post(
            "/device",
            200,
            "application/json",
            &ok.to_string()
        )]),
        (
            Outcome::Warn,
            vec!["device-authorization-unknown-client-accepted".to_string()]
        )
    );
    let partial = j!({"device_code": "d"});
    let (o, codes) = d(vec![post(
        "/device",
        200,
        "application/json",
        &partial.to_string(),
    )]);
    assert_eq!(o, Outcome::Fail);
    assert!(codes.contains(&"device-authorization-response-incomplete".to_string()));
    // Metadata inconsistencies.
    let ev = ev_with(
        with(doc(), "grant_types_supported", j!(["authorization_code"])),
        good_routes(),
    );
    assert_eq!(
        judge(&ev, "device-authorization"),
        (
            Outcome::Warn,
            vec!["device-authorization-grant-not-listed".to_string()]
        )
    );
    let ev = ev_with(
        without(doc(), "device_authorization_endpoint"),
        good_routes(),
    );
    assert_eq!(
        judge(&ev, "device-authorization"),
        (
            Outcome::Warn,
            vec!["device-authorization-endpoint-not-advertised".to_string()]
        )
    );
    let ev = ev_with(
        with(
            without(doc(), "device_authorization_endpoint"),
            "grant_types_supported",
            j!(["authorization_code"]),
        ),
        vec![],
    );
    assert_eq!(judge(&ev, "device-authorization").0, Outcome::Skip);
}

/// Passive mode sends no POST: what only a POST would verify is not a
/// pass (and not a failure): `skip`, with the reason and the remedy.
#[test]
fn passive_mode_says_what_it_did_not_verify() {
    let mut all = vec![json(AS, &doc())];
    all.extend(good_routes());
    let ev = evidence_with(site(all, None), ORIGIN, Mode::Passive, None);
    assert!(
        ev.exchanges().iter().all(|x| x.request.method == "GET"),
        "passive mode sends no POST"
    );
    for (id, code) in [
        (
            "device-authorization",
            "device-authorization-not-verified-live",
        ),
        ("token-revocation", "token-revocation-not-verified-live"),
        (
            "token-introspection",
            "token-introspection-not-verified-live",
        ),
        (
            "client-registration",
            "client-registration-not-verified-live",
        ),
    ] {
        let r = crate::testing::judge(&ev, id);
        assert_eq!(r.outcome, Outcome::Skip, "{id}: {}", r.summary);
        assert!(
            crate::testing::codes(&r).contains(&code.to_string()),
            "{id}"
        );
        assert!(
            r.summary.contains("passive mode sends GET requests only")
                && r.summary.contains("without --passive"),
            "{id}: the reason and the remedy: {}",
            r.summary
        );
    }
    // The device flow is the only browserless path here, and unverified.
    assert_eq!(judge(&ev, "browserless-path").0, Outcome::Skip);
    // A metadata defect (the grant is not listed) is verified without any
    // POST: it still counts.
    let ev = evidence_with(
        site(
            vec![json(
                AS,
                &with(doc(), "grant_types_supported", j!(["authorization_code"])),
            )],
            None,
        ),
        ORIGIN,
        Mode::Passive,
        None,
    );
    let r = crate::testing::judge(&ev, "device-authorization");
    assert_eq!(r.outcome, Outcome::Warn, "{}", r.summary);
    assert!(r.summary.contains("not verified"), "{}", r.summary);
}

#[test]
fn client_registration_outcomes() {
    let r = |routes: Vec<Route>| judge(&ev_with(doc(), routes), "client-registration");
    let created =
        j!({"client_id": "c1", "redirect_uris": ["https://agentready.invalid/callback#x"]});
    assert_eq!(
        r(vec![post(
            "/register",
            201,
            "application/json",
            &created.to_string()
        )]),
        (
            Outcome::Warn,
            vec![
                "client-registration-invalid-metadata-accepted".to_string(),
                "client-registration-probe-client-left".to_string()
            ]
        )
    );
    assert_eq!(
        r(vec![err("/register", 401, "invalid_token")]),
        (
            Outcome::Warn,
            vec!["client-registration-protected".to_string()]
        )
    );
    assert_eq!(
        r(vec![]),
        (
            Outcome::Fail,
            vec!["client-registration-endpoint-unavailable".to_string()]
        )
    );
    assert_eq!(
        r(vec![post("/register", 400, "text/plain", "no")]),
        (
            Outcome::Warn,
            vec!["client-registration-error-malformed".to_string()]
        )
    );
    // No DCR and no CIMD: pre-registration only.
    let ev = ev_with(without(doc(), "registration_endpoint"), vec![]);
    assert_eq!(
        judge(&ev, "client-registration"),
        (
            Outcome::Fail,
            vec!["client-registration-pre-registration-only".to_string()]
        )
    );
    // CIMD alone is a way.
    let ev = ev_with(
        with(
            without(doc(), "registration_endpoint"),
            "client_id_metadata_document_supported",
            j!(true),
        ),
        vec![],
    );
    assert_eq!(judge(&ev, "client-registration"), (Outcome::Pass, vec![]));
    let ev = ev_with(
        with(doc(), "client_id_metadata_document_supported", j!("yes")),
        good_routes(),
    );
    assert_eq!(
        judge(&ev, "client-registration"),
        (
            Outcome::Warn,
            vec!["client-registration-cimd-not-boolean".to_string()]
        )
    );
    // MCP targets should have CIMD.
    let mut all = vec![json(AS, &doc())];
    all.extend(good_routes());
    let ev = evidence(site(all, None), &format!("{ORIGIN}/mcp"));
    assert!(
        judge(&ev, "client-registration")
            .1
            .contains(&"client-registration-mcp-cimd-missing".to_string())
    );
}

#[test]
fn delegation_grant_outcomes() {
    let g = |d: Value| judge(&ev_with(d, good_routes()), "delegation-grants");
    let grants = j!(["authorization_code", JWT_BEARER, TOKEN_EXCHANGE]);
    assert_eq!(
        g(with(doc(), "grant_types_supported", grants.clone())).0,
        Outcome::Pass
    );
    let id_jag = with(
        doc(),
        "authorization_grant_profiles_supported",
        j!([ID_JAG]),
    );
    assert_eq!(
        g(id_jag.clone()),
        (
            Outcome::Fail,
            vec!["delegation-grants-profile-without-jwt-bearer".to_string()]
        )
    );
    assert_eq!(
        g(with(id_jag, "grant_types_supported", grants)).0,
        Outcome::Pass
    );
    assert_eq!(
        g(with(
            doc(),
            "authorization_grant_profiles_supported",
            j!(ID_JAG)
        )),
        (
            Outcome::Fail,
            vec!["delegation-grants-profiles-malformed".to_string()]
        )
    );
    assert_eq!(
        g(with(doc(), "grant_types_supported", j!([CIBA]))),
        (
            Outcome::Warn,
            vec!["delegation-grants-ciba-without-endpoint".to_string()]
        )
    );
    assert_eq!(
        g(with(
            doc(),
            "identity_chaining_requested_token_types_supported",
            j!(["urn:ietf:params:oauth:token-type:jwt"])
        )),
        (
            Outcome::Warn,
            vec!["delegation-grants-chaining-without-token-exchange".to_string()]
        )
    );
}

#[test]
fn browserless_path_outcomes() {
    let b = |d: Value, routes: Vec<Route>| judge(&ev_with(d, routes), "browserless-path");
    let browser_only = with(
        without(doc(), "device_authorization_endpoint"),
        "grant_types_supported",
        j!([
            "authorization_code",
            "refresh_token",
            "implicit",
            "password"
        ]),
    );
    assert_eq!(
        b(browser_only.clone(), vec![]),
        (
            Outcome::Fail,
            vec!["browserless-path-browser-only".to_string()]
        )
    );
    assert_eq!(
        b(
            without(
                without(doc(), "device_authorization_endpoint"),
                "grant_types_supported"
            ),
            vec![]
        ),
        (
            Outcome::Fail,
            vec!["browserless-path-grants-undeclared".to_string()]
        )
    );
    // A device endpoint that is really an HTML page is no path.
    assert_eq!(
        b(
            doc(),
            vec![post("/device", 200, "text/html", "<!doctype html><p>x</p>")]
        )
        .0,
        Outcome::Fail
    );
    assert_eq!(b(doc(), good_routes()), (Outcome::Pass, vec![]));
    assert_eq!(
        b(
            with(
                browser_only.clone(),
                "grant_types_supported",
                j!(["client_credentials"])
            ),
            vec![]
        ),
        (
            Outcome::Pass,
            vec!["browserless-path-client-credentials-only".to_string()]
        )
    );
    assert_eq!(
        b(
            with(
                browser_only.clone(),
                "grant_types_supported",
                j!(["authorization_code", DEVICE_CODE])
            ),
            vec![]
        ),
        (
            Outcome::Fail,
            vec![
                "browserless-path-grant-without-endpoint".to_string(),
                "browserless-path-browser-only".to_string()
            ]
        )
    );
    assert_eq!(
        b(
            with(
                browser_only,
                "agent_auth",
                j!({"skill": "https://x/auth.md"})
            ),
            vec![]
        )
        .0,
        Outcome::Pass
    );
}

#[test]
fn revocation_outcomes() {
    let r = |d: Value, routes: Vec<Route>| judge(&ev_with(d, routes), "token-revocation");
    assert_eq!(
        r(without(doc(), "revocation_endpoint"), vec![]),
        (
            Outcome::Fail,
            vec!["token-revocation-not-advertised".to_string()]
        )
    );
    assert_eq!(
        r(doc(), vec![]),
        (
            Outcome::Fail,
            vec!["token-revocation-endpoint-unavailable".to_string()]
        ),
        "404"
    );
    assert_eq!(
        r(doc(), vec![err("/revoke", 401, "invalid_client")]).0,
        Outcome::Pass
    );
    assert_eq!(
        r(doc(), vec![err("/revoke", 400, "invalid_request")]).0,
        Outcome::Pass
    );
    assert_eq!(
        r(doc(), vec![err("/revoke", 400, "invalid_token")]),
        (
            Outcome::Warn,
            vec!["token-revocation-invalid-token-error".to_string()]
        )
    );
    assert_eq!(
        r(doc(), vec![post("/revoke", 401, "text/plain", "no")]),
        (
            Outcome::Warn,
            vec!["token-revocation-error-not-json".to_string()]
        )
    );
    assert_eq!(
        r(doc(), vec![err("/revoke", 503, "temporarily_unavailable")]),
        (
            Outcome::Warn,
            vec!["token-revocation-server-error".to_string()]
        )
    );
    assert_eq!(
        r(doc(), vec![post("/revoke", 405, "text/plain", "")]).0,
        Outcome::Fail
    );
    let shared = with(doc(), "revocation_endpoint", j!(format!("{ORIGIN}/token")));
    assert_eq!(
        r(shared, vec![post("/token", 200, "application/json", "")]),
        (
            Outcome::Pass,
            vec!["token-revocation-shared-token-endpoint".to_string()]
        )
    );
}

#[test]
fn introspection_outcomes() {
    let i = |routes: Vec<Route>| judge(&ev_with(doc(), routes), "token-introspection");
    assert_eq!(
        i(vec![post(
            "/introspect",
            200,
            "application/json",
            r#"{"active":false}"#
        )]),
        (
            Outcome::Warn,
            vec!["token-introspection-unprotected".to_string()]
        )
    );
    assert_eq!(
        i(vec![post(
            "/introspect",
            200,
            "application/json",
            r#"{"active":true}"#
        )]),
        (
            Outcome::Fail,
            vec!["token-introspection-active-for-random-token".to_string()]
        )
    );
    assert_eq!(
        i(vec![post(
            "/introspect",
            200,
            "application/json",
            r#"{"ok":1}"#
        )]),
        (
            Outcome::Fail,
            vec!["token-introspection-malformed-response".to_string()]
        )
    );
    assert_eq!(
        i(vec![err("/introspect", 401, "invalid_client")]),
        (
            Outcome::Warn,
            vec!["token-introspection-challenge-missing".to_string()]
        )
    );
    assert_eq!(
        i(vec![err("/introspect", 400, "invalid_client")]),
        (Outcome::Pass, vec![])
    );
    assert_eq!(
        i(vec![]),
        (
            Outcome::Fail,
            vec!["token-introspection-endpoint-unavailable".to_string()]
        )
    );
    let ev = ev_with(without(doc(), "introspection_endpoint"), vec![]);
    assert_eq!(judge(&ev, "token-introspection").0, Outcome::Skip);
}

fn jwt(claims: &str) -> String {
    use base64::Engine;
    let b = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    format!("{}.{}.c2ln", b(r#"{"alg":"RS256"}"#), b(claims))
}

fn lifetime(token: &str) -> (Outcome, Vec<String>) {
    let c = facts(token, 1_000_000, 24 * 3600);
    let ev = evidence_with(
        site(vec![json(AS, &doc())], None),
        ORIGIN,
        Mode::Credentialed,
        Some(c),
    );
    judge(&ev, "token-lifetime")
}

#[test]
fn token_lifetime_outcomes() {
    assert_eq!(
        lifetime(&jwt(r#"{"iat":1000000,"exp":1003600}"#)),
        (Outcome::Pass, vec![])
    );
    assert_eq!(
        lifetime(&jwt(r#"{"iat":1000000,"exp":1172800}"#)),
        (
            Outcome::Warn,
            vec!["token-lifetime-exceeds-policy".to_string()]
        )
    );
    assert_eq!(
        lifetime(&jwt(r#"{"iat":1000000,"exp":4000000}"#)),
        (
            Outcome::Fail,
            vec!["token-lifetime-exceeds-30-days".to_string()]
        )
    );
    assert_eq!(
        lifetime(&jwt(r#"{"iat":1000000}"#)),
        (Outcome::Fail, vec!["token-lifetime-unbounded".to_string()])
    );
    assert_eq!(
        lifetime(&jwt(r#"{"exp":1001800}"#)),
        (
            Outcome::Pass,
            vec!["token-lifetime-iat-missing".to_string()]
        )
    );
    assert_eq!(
        lifetime(&jwt(r#"{"iat":900000,"exp":903600}"#)),
        (Outcome::Pass, vec!["token-lifetime-inactive".to_string()])
    );
    assert_eq!(
        lifetime(&jwt(r#"{"exp":"never"}"#)),
        (
            Outcome::Warn,
            vec!["token-lifetime-claims-malformed".to_string()]
        )
    );
    assert_eq!(lifetime("opaque-token-value").0, Outcome::Skip);
}
