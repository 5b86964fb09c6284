//! Evidence-level tests of the discovery family, on in-memory sites run
//! through the real planner.

use crate::evidence::Evidence;
use crate::fixture::Route;
use crate::model::outcome::Outcome;
use crate::testing::{ORIGIN, evidence, json, route, site};
use serde_json::{Value, json as j};

const AS: &str = "/.well-known/oauth-authorization-server";
const PRM: &str = "/.well-known/oauth-protected-resource";

fn judge(ev: &Evidence, id: &str) -> (Outcome, Vec<String>) {
    let r = crate::testing::judge(ev, id);
    assert_ne!(r.outcome, Outcome::Error, "{id} errored: {}", r.summary);
    let mut codes: Vec<String> = r.findings.into_iter().map(|f| f.code).collect();
    codes.dedup();
    (r.outcome, codes)
}

fn codes_of(ev: &Evidence, id: &str) -> Vec<String> {
    judge(ev, id).1
}

fn as_doc() -> Value {
    j!({
        "issuer": ORIGIN,
        "authorization_endpoint": format!("{ORIGIN}/authorize"),
        "token_endpoint": format!("{ORIGIN}/token"),
        "jwks_uri": format!("{ORIGIN}/jwks"),
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"]
    })
}

fn prm(resource: &str) -> Value {
    j!({
        "resource": resource,
        "authorization_servers": [ORIGIN],
        "scopes_supported": ["files:read"],
        "bearer_methods_supported": ["header"]
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

fn challenge(path: &str, status: u16, www: Option<&str>) -> Route {
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

fn jwks(keys: Value) -> Route {
    json("/jwks", &j!({ "keys": keys }))
}

const EC_KEY: &str = r#"{"kty":"EC","crv":"P-256","kid":"a","use":"sig","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#;

fn ec_key() -> Value {
    serde_json::from_str(EC_KEY).unwrap()
}

/// An MCP server whose challenge leads to its PRM and AS.
fn mcp_site(extra: Vec<Route>) -> Evidence {
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

#[test]
fn the_whole_mcp_path_passes() {
    let ev = mcp_site(vec![]);
    for id in super::IDS {
        let (o, codes) = judge(&ev, id);
        assert_eq!(o, Outcome::Pass, "{id}: {codes:?}");
    }
    // The challenge's PRM URL is the path-suffixed URL: one request.
    assert_eq!(
        ev.record("prm-challenge@api-unauthenticated")
            .unwrap()
            .exchange,
        ev.record("prm-path").unwrap().exchange
    );
    let steps = super::discovery_steps(&ev);
    let first = &steps[0];
    assert_eq!(first["step"], "challenge");
    assert!(
        first["result"]
            .as_str()
            .unwrap()
            .contains("resource_metadata=")
    );
}

// ---- protected-resource-metadata ------------------------------------------------

#[test]
fn prm_only_at_the_root_is_found_with_an_info() {
    let ev = evidence(
        site(vec![json(PRM, &prm(ORIGIN)), json(AS, &as_doc())], None),
        &format!("{ORIGIN}/api"),
    );
    let (o, codes) = judge(&ev, "protected-resource-metadata");
    assert_eq!(o, Outcome::Pass);
    assert_eq!(
        codes,
        vec!["protected-resource-metadata-path-suffixed-missing"]
    );
}

#[test]
fn prm_not_found_html_and_catch_all() {
    let ev = evidence(site(vec![json(AS, &as_doc())], None), ORIGIN);
    assert_eq!(
        judge(&ev, "protected-resource-metadata"),
        (
            Outcome::Fail,
            vec!["protected-resource-metadata-not-found".to_string()]
        )
    );
    let ev = evidence(
        site(
            vec![route(PRM, 200, "text/html", "<!doctype html><p>hi</p>")],
            None,
        ),
        ORIGIN,
    );
    assert_eq!(
        judge(&ev, "protected-resource-metadata"),
        (
            Outcome::Fail,
            vec!["protected-resource-metadata-html".to_string()]
        )
    );
    let html = route("", 200, "text/html", "<!doctype html><p>app</p>");
    let ev = evidence(site(vec![], Some(html)), ORIGIN);
    assert_eq!(
        judge(&ev, "protected-resource-metadata"),
        (
            Outcome::Fail,
            vec!["protected-resource-metadata-not-found".to_string()]
        )
    );
}

#[test]
fn prm_resource_rules() {
    let check = |doc: Value, target: &str| {
        judge(
            &evidence(site(vec![json(PRM, &doc)], None), target),
            "protected-resource-metadata",
        )
    };
    // Root document for a resource named with a trailing slash: same URL.
    assert_eq!(check(prm(&format!("{ORIGIN}/")), ORIGIN).0, Outcome::Pass);
    let (o, codes) = check(prm("https://other.example.com"), ORIGIN);
    assert_eq!(o, Outcome::Fail);
    assert_eq!(codes, vec!["protected-resource-metadata-resource-mismatch"]);
    let (o, codes) = check(without(prm(ORIGIN), "resource"), ORIGIN);
    assert_eq!(
        (o, codes),
        (
            Outcome::Fail,
            vec!["protected-resource-metadata-resource-missing".to_string()]
        )
    );
    let (_, codes) = check(prm("http://as.example.com"), ORIGIN);
    assert!(
        codes.contains(&"protected-resource-metadata-resource-invalid".to_string()),
        "{codes:?}"
    );
}

#[test]
fn prm_member_rules() {
    let check = |doc: Value| {
        codes_of(
            &evidence(site(vec![json(PRM, &doc)], None), ORIGIN),
            "protected-resource-metadata",
        )
    };
    assert_eq!(
        check(with(
            prm(ORIGIN),
            "bearer_methods_supported",
            j!(["header", "query", "cookie"])
        )),
        vec![
            "protected-resource-metadata-bearer-methods-query",
            "protected-resource-metadata-bearer-methods-unknown"
        ]
    );
    assert_eq!(
        check(without(prm(ORIGIN), "scopes_supported")),
        vec!["protected-resource-metadata-scopes-missing"]
    );
    assert_eq!(
        check(without(prm(ORIGIN), "authorization_servers")),
        vec!["protected-resource-metadata-authorization-servers-missing"]
    );
    assert_eq!(
        check(with(
            prm(ORIGIN),
            "authorization_servers",
            j!(["https://as.example.com?x=1"])
        )),
        vec!["protected-resource-metadata-authorization-servers-malformed"]
    );
    assert_eq!(
        check(with(prm(ORIGIN), "scopes_supported", j!("a b"))),
        vec!["protected-resource-metadata-type"]
    );
    // For an MCP target, no authorization server is a failure.
    let doc = without(prm(&format!("{ORIGIN}/mcp")), "authorization_servers");
    let ev = evidence(
        site(vec![json(&format!("{PRM}/mcp"), &doc)], None),
        &format!("{ORIGIN}/mcp"),
    );
    let (o, codes) = judge(&ev, "protected-resource-metadata");
    assert_eq!(o, Outcome::Fail);
    assert!(
        codes
            .contains(&"protected-resource-metadata-mcp-authorization-servers-missing".to_string())
    );
    let ev = evidence(
        site(
            vec![route(PRM, 200, "text/plain", &prm(ORIGIN).to_string())],
            None,
        ),
        ORIGIN,
    );
    assert_eq!(
        codes_of(&ev, "protected-resource-metadata"),
        vec!["protected-resource-metadata-content-type"]
    );
}

#[test]
fn a_challenge_named_prm_must_declare_the_url_requested() {
    // Served at the path-suffixed URL, the document is built from /mcp;
    // named by the challenge of /mcp it must say exactly that URL.
    let www = format!(r#"Bearer resource_metadata="{ORIGIN}/meta/prm.json", scope="files:read""#);
    let ev = evidence(
        site(
            vec![
                challenge("/mcp", 401, Some(&www)),
                json("/meta/prm.json", &prm(&format!("{ORIGIN}/mcp/"))),
                json(AS, &as_doc()),
            ],
            None,
        ),
        &format!("{ORIGIN}/mcp"),
    );
    let (o, codes) = judge(&ev, "protected-resource-metadata");
    assert_eq!(o, Outcome::Fail);
    assert!(codes.contains(&"protected-resource-metadata-resource-mismatch".to_string()));
    assert!(
        codes_of(&ev, "discovery-consistency")
            .contains(&"discovery-consistency-challenge-resource-mismatch".to_string())
    );
}

// ---- bearer-challenge -------------------------------------------------------------

#[test]
fn bearer_challenge_outcomes() {
    let ev_with = |status: u16, www: Option<&str>| {
        evidence(
            site(vec![challenge("/mcp", status, www)], None),
            &format!("{ORIGIN}/mcp"),
        )
    };
    assert_eq!(
        judge(&ev_with(401, None), "bearer-challenge"),
        (
            Outcome::Fail,
            vec!["bearer-challenge-header-missing".to_string()]
        )
    );
    assert_eq!(
        judge(&ev_with(404, None), "bearer-challenge"),
        (
            Outcome::Fail,
            vec!["bearer-challenge-wrong-status".to_string()]
        )
    );
    assert_eq!(
        judge(&ev_with(401, Some("Basic realm=\"x\"")), "bearer-challenge"),
        (
            Outcome::Warn,
            vec!["bearer-challenge-not-bearer".to_string()]
        )
    );
    let (o, codes) = judge(
        &ev_with(401, Some("Bearer realm=\"x\"")),
        "bearer-challenge",
    );
    assert_eq!(o, Outcome::Warn);
    assert_eq!(
        codes,
        vec![
            "bearer-challenge-missing-resource-metadata",
            "bearer-challenge-missing-scope",
            // The same answer to a request with an invalid token.
            "bearer-challenge-invalid-token-error-missing",
        ]
    );
    let (o, codes) = judge(
        &ev_with(401, Some("Bearer realm=two words")),
        "bearer-challenge",
    );
    assert_eq!(o, Outcome::Warn);
    assert!(
        codes.contains(&"bearer-challenge-malformed".to_string()),
        "{codes:?}"
    );
    let (o, codes) = judge(
        &ev_with(
            401,
            Some("Bearer scope=\"a\", scope=\"b\", resource_metadata=\"https://x/y\""),
        ),
        "bearer-challenge",
    );
    assert_eq!(o, Outcome::Fail);
    assert!(codes.contains(&"bearer-challenge-duplicate-param".to_string()));
    // An open resource is informative.
    let mut open = challenge("/mcp", 200, None);
    open.body = Some("{}".into());
    let ev = evidence(site(vec![open], None), &format!("{ORIGIN}/mcp"));
    assert_eq!(judge(&ev, "bearer-challenge").0, Outcome::Info);
}

#[test]
fn an_invalid_token_must_be_called_invalid() {
    let www = r#"Bearer resource_metadata="https://as.example.com/.well-known/oauth-protected-resource/mcp", scope="a""#;
    let bad_www = r#"Bearer error="invalid_token", resource_metadata="https://as.example.com/.well-known/oauth-protected-resource/mcp", scope="a""#;
    let mut with_token = challenge("/mcp", 401, Some(bad_www));
    with_token.if_header = Some("authorization".into());
    let ev = evidence(
        site(vec![with_token, challenge("/mcp", 401, Some(www))], None),
        &format!("{ORIGIN}/mcp"),
    );
    assert_eq!(judge(&ev, "bearer-challenge").0, Outcome::Pass);
    // The same challenge for both requests: the invalid token is not named.
    let ev = evidence(
        site(vec![challenge("/mcp", 401, Some(www))], None),
        &format!("{ORIGIN}/mcp"),
    );
    assert_eq!(
        judge(&ev, "bearer-challenge"),
        (
            Outcome::Warn,
            vec!["bearer-challenge-invalid-token-error-missing".to_string()]
        )
    );
}

#[test]
fn a_bare_domain_without_api_url_skips_the_challenge() {
    let ev = evidence(site(vec![json(AS, &as_doc())], None), ORIGIN);
    assert_eq!(judge(&ev, "bearer-challenge").0, Outcome::Skip);
    // A PRM naming the API gives the scanner a URL to probe.
    let mut api = route("/v1", 401, "application/json", "{}");
    api.headers.insert(
        "www-authenticate".into(),
        format!(r#"Bearer resource_metadata="{ORIGIN}{PRM}/v1", scope="files:read""#),
    );
    let ev = evidence(
        site(
            vec![
                json(PRM, &prm(ORIGIN)),
                json(&format!("{PRM}/v1"), &prm(&format!("{ORIGIN}/v1"))),
                api,
                json(AS, &as_doc()),
            ],
            None,
        ),
        ORIGIN,
    );
    // The root PRM names the origin itself; nothing to probe.
    assert_eq!(judge(&ev, "bearer-challenge").0, Outcome::Skip);
}

#[test]
fn prm_resource_urls_are_probed_as_apis() {
    let mut api = route("/v1", 401, "application/json", "{}");
    api.headers.insert(
        "www-authenticate".into(),
        format!(r#"Bearer resource_metadata="{ORIGIN}{PRM}/v1", scope="files:read""#),
    );
    let ev = evidence(
        site(
            vec![
                json(PRM, &prm(&format!("{ORIGIN}/v1"))),
                json(&format!("{PRM}/v1"), &prm(&format!("{ORIGIN}/v1"))),
                api,
                json(AS, &as_doc()),
            ],
            None,
        ),
        ORIGIN,
    );
    assert!(
        ev.record(&format!("api-unauthenticated@{ORIGIN}/v1"))
            .is_some()
    );
    let (o, codes) = judge(&ev, "bearer-challenge");
    assert_eq!(o, Outcome::Warn, "{codes:?}");
    // The root document names /v1, which it was not built from.
    assert!(
        codes_of(&ev, "protected-resource-metadata")
            .contains(&"protected-resource-metadata-resource-mismatch".to_string())
    );
}

// ---- discovery-consistency --------------------------------------------------------

#[test]
fn consistency_outcomes() {
    // The challenge points at a URL that does not answer.
    let www = format!(r#"Bearer resource_metadata="{ORIGIN}/nowhere", scope="files:read""#);
    let ev = evidence(
        site(
            vec![challenge("/mcp", 401, Some(&www)), json(AS, &as_doc())],
            None,
        ),
        &format!("{ORIGIN}/mcp"),
    );
    assert_eq!(
        judge(&ev, "discovery-consistency"),
        (
            Outcome::Fail,
            vec!["discovery-consistency-resource-metadata-unreachable".to_string()]
        )
    );
    // The listed issuer's metadata declares another issuer.
    let ev = mcp_site(vec![json(
        AS,
        &with(as_doc(), "issuer", j!("https://login.example.net")),
    )]);
    let (o, codes) = judge(&ev, "discovery-consistency");
    assert_eq!(o, Outcome::Fail);
    assert!(
        codes.contains(&"discovery-consistency-issuer-mismatch".to_string()),
        "{codes:?}"
    );
    // The listed issuer has no metadata at all.
    let doc = with(
        prm(&format!("{ORIGIN}/mcp")),
        "authorization_servers",
        j!([format!("{ORIGIN}/tenant")]),
    );
    let ev = mcp_site(vec![json(&format!("{PRM}/mcp"), &doc)]);
    assert!(
        codes_of(&ev, "discovery-consistency")
            .contains(&"discovery-consistency-authorization-server-unreachable".to_string())
    );
    // protected_resources that leave the resource out.
    let ev = mcp_site(vec![json(
        AS,
        &with(
            as_doc(),
            "protected_resources",
            j!(["https://other.example.com"]),
        ),
    )]);
    assert_eq!(
        judge(&ev, "discovery-consistency"),
        (
            Outcome::Warn,
            vec!["discovery-consistency-protected-resources-mismatch".to_string()]
        )
    );
    // A challenge scope no document lists is informative.
    let www = format!(r#"Bearer resource_metadata="{ORIGIN}{PRM}/mcp", scope="admin:all""#);
    let ev = mcp_site(vec![challenge("/mcp", 401, Some(&www))]);
    assert_eq!(
        judge(&ev, "discovery-consistency"),
        (
            Outcome::Pass,
            vec!["discovery-consistency-challenge-scope-unlisted".to_string()]
        )
    );
    // Nothing to cross-check on an AS-only site.
    let ev = evidence(site(vec![json(AS, &as_doc())], None), ORIGIN);
    assert_eq!(judge(&ev, "discovery-consistency").0, Outcome::Skip);
}

#[test]
fn diverging_prm_documents_are_warned() {
    let www = format!(r#"Bearer resource_metadata="{ORIGIN}/meta/prm", scope="files:read""#);
    let resource = format!("{ORIGIN}/mcp");
    let ev = evidence(
        site(
            vec![
                challenge("/mcp", 401, Some(&www)),
                json(
                    "/meta/prm",
                    &with(
                        prm(&resource),
                        "scopes_supported",
                        j!(["files:read", "files:write"]),
                    ),
                ),
                json(&format!("{PRM}/mcp"), &prm(&resource)),
                json(AS, &as_doc()),
            ],
            None,
        ),
        &resource,
    );
    assert_eq!(
        judge(&ev, "discovery-consistency"),
        (
            Outcome::Warn,
            vec!["discovery-consistency-prm-divergence".to_string()]
        )
    );
}

#[test]
fn a_private_issuer_named_by_a_public_target_is_refused() {
    let doc = with(
        prm(ORIGIN),
        "authorization_servers",
        j!(["http://10.0.0.5"]),
    );
    let ev = evidence(
        site(vec![json(PRM, &doc), json(AS, &as_doc())], None),
        ORIGIN,
    );
    // Not fetched, so not verified: skip, with the remedy.
    assert_eq!(
        judge(&ev, "discovery-consistency"),
        (
            Outcome::Skip,
            vec!["discovery-consistency-private-address-refused".to_string()]
        )
    );
    let r = crate::testing::judge(&ev, "discovery-consistency");
    assert!(r.summary.contains("--allow-private"), "{}", r.summary);
}

// ---- jwks-hygiene -----------------------------------------------------------------

fn jwks_codes(keys: Value) -> (Outcome, Vec<String>) {
    judge(
        &evidence(site(vec![json(AS, &as_doc()), jwks(keys)], None), ORIGIN),
        "jwks-hygiene",
    )
}

#[test]
fn jwks_outcomes() {
    assert_eq!(jwks_codes(j!([ec_key()])).0, Outcome::Pass);
    let mut leaked = ec_key();
    leaked["d"] = j!("jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI");
    assert_eq!(
        jwks_codes(j!([leaked])),
        (Outcome::Fail, vec!["jwks-hygiene-private-key".to_string()])
    );
    assert_eq!(
        jwks_codes(j!([{"kty": "oct", "kid": "h", "k": "c2VjcmV0"}])),
        (
            Outcome::Fail,
            vec!["jwks-hygiene-symmetric-key".to_string()]
        )
    );
    assert_eq!(
        jwks_codes(j!([])),
        (Outcome::Warn, vec!["jwks-hygiene-empty".to_string()])
    );
    assert_eq!(
        jwks_codes(j!([{"kty": "RSA", "kid": "r"}])),
        (Outcome::Fail, vec!["jwks-hygiene-key-invalid".to_string()])
    );
    // 1024-bit modulus: 128 bytes with the top bit set.
    let n = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        [0xc0u8; 128],
    );
    assert_eq!(
        jwks_codes(j!([{"kty": "RSA", "kid": "r", "n": n, "e": "AQAB"}])),
        (
            Outcome::Fail,
            vec!["jwks-hygiene-rsa-key-too-short".to_string()]
        )
    );
    let mut other = ec_key();
    other["x"] = j!("WKn-ZIGevcwGIyyrzFoZNBdaq9_TsqzGl96oc0CWuis");
    assert_eq!(
        jwks_codes(j!([ec_key(), other])),
        (
            Outcome::Warn,
            vec!["jwks-hygiene-duplicate-kid".to_string()]
        )
    );
    let mut enc = ec_key();
    enc["kid"] = j!("b");
    enc["use"] = j!("enc");
    let nouse = without(with(ec_key(), "kid", j!("c")), "use");
    assert_eq!(
        jwks_codes(j!([ec_key(), enc, nouse])),
        (Outcome::Fail, vec!["jwks-hygiene-use-missing".to_string()])
    );
    let nokid = without(ec_key(), "kid");
    let mut second = ec_key();
    second["kid"] = j!("z");
    assert_eq!(
        jwks_codes(j!([nokid, second])),
        (Outcome::Warn, vec!["jwks-hygiene-kid-missing".to_string()])
    );
}

#[test]
fn jwks_fetch_problems() {
    // Not advertised: skip.
    let ev = evidence(
        site(vec![json(AS, &without(as_doc(), "jwks_uri"))], None),
        ORIGIN,
    );
    assert_eq!(judge(&ev, "jwks-hygiene").0, Outcome::Skip);
    // Advertised but 404.
    let ev = evidence(site(vec![json(AS, &as_doc())], None), ORIGIN);
    assert_eq!(
        judge(&ev, "jwks-hygiene"),
        (Outcome::Fail, vec!["jwks-hygiene-unreachable".to_string()])
    );
    // A JSON array is not a JWK Set.
    let ev = evidence(
        site(
            vec![json(AS, &as_doc()), json("/jwks", &j!([ec_key()]))],
            None,
        ),
        ORIGIN,
    );
    assert_eq!(
        judge(&ev, "jwks-hygiene"),
        (Outcome::Fail, vec!["jwks-hygiene-not-jwk-set".to_string()])
    );
    // Served as text.
    let ev = evidence(
        site(
            vec![
                json(AS, &as_doc()),
                route(
                    "/jwks",
                    200,
                    "text/plain",
                    &j!({"keys": [ec_key()]}).to_string(),
                ),
            ],
            None,
        ),
        ORIGIN,
    );
    assert_eq!(
        judge(&ev, "jwks-hygiene"),
        (Outcome::Warn, vec!["jwks-hygiene-content-type".to_string()])
    );
    // A public target naming a private jwks_uri: refused, not fetched.
    let ev = evidence(
        site(
            vec![json(
                AS,
                &with(as_doc(), "jwks_uri", j!("http://192.168.1.1/jwks")),
            )],
            None,
        ),
        ORIGIN,
    );
    assert_eq!(
        judge(&ev, "jwks-hygiene"),
        (
            Outcome::Skip,
            vec!["jwks-hygiene-private-address-refused".to_string()]
        )
    );
    let r = crate::testing::judge(&ev, "jwks-hygiene");
    assert!(r.summary.contains("--allow-private"), "{}", r.summary);
}
