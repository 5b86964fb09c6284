//! The API-description checks on hand-built in-memory sites (the real
//! planner runs, so only what it would fetch is fetched).

use super::*;
use crate::fixture::Route;
use crate::testing::{ORIGIN, codes, evidence, json, judge, route, site, with_headers};
use serde_json::json;

const LINKSET: &str =
    "application/linkset+json; profile=\"https://www.rfc-editor.org/info/rfc9727\"";

fn catalog(body: &Value) -> Route {
    route("/.well-known/api-catalog", 200, LINKSET, &body.to_string())
}

fn catalog_to(path: &str) -> Route {
    catalog(&json!({"linkset": [{
        "anchor": format!("{ORIGIN}/api"),
        "service-desc": [{"href": format!("{ORIGIN}{path}"), "type": "application/vnd.oai.openapi+json"}]
    }]}))
}

/// An OpenAPI 3.1 document with OAuth scopes whose operations need the
/// given (method, path, operationId, scopes) — `None` scopes: no security.
fn openapi(ops: &[(&str, &str, &str, Option<&[&str]>)]) -> Value {
    let mut paths = serde_json::Map::new();
    for (method, path, id, scopes) in ops {
        let entry = paths
            .entry((*path).to_string())
            .or_insert_with(|| json!({}));
        let mut op = json!({"operationId": id, "responses": {"200": {"description": "ok"}}});
        op["security"] = match scopes {
            Some(s) => json!([{"oauth": s}]),
            None => json!([]),
        };
        entry[method.to_ascii_lowercase()] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Widgets", "version": "1"},
        "servers": [{"url": "/api"}],
        "components": {"securitySchemes": {"oauth": {"type": "oauth2", "flows": {
            "clientCredentials": {"tokenUrl": format!("{ORIGIN}/token"), "scopes": {
                "widgets:read": "Read widgets",
                "widgets:write": "Create and update widgets",
                "widgets:delete": "Permanently delete widgets"
            }}}}}},
        "paths": paths,
    })
}

fn good_api() -> Value {
    openapi(&[
        ("GET", "/widgets", "listWidgets", Some(&["widgets:read"])),
        ("POST", "/widgets", "createWidget", Some(&["widgets:write"])),
        (
            "DELETE",
            "/widgets/{id}",
            "deleteWidget",
            Some(&["widgets:delete"]),
        ),
    ])
}

fn at(path: &str, v: &Value) -> Route {
    json(path, v)
}

fn run(routes: Vec<Route>, id: &str) -> crate::report::CheckResult {
    judge(&evidence(site(routes, None), &format!("{ORIGIN}/")), id)
}

// ---------------------------------------------------------------------------
// api-catalog

#[test]
fn catalog_to_an_openapi_document_passes_and_says_where() {
    let r = run(
        vec![
            catalog_to("/openapi.json"),
            at("/openapi.json", &good_api()),
        ],
        "api-catalog",
    );
    assert_eq!(r.outcome.as_str(), "pass", "{:?}", r.findings);
    assert!(r.summary.contains("OpenAPI 3.1.0"), "{}", r.summary);
    assert!(
        r.summary.contains("api-catalog's service-desc"),
        "{}",
        r.summary
    );
    let data = r.data.unwrap();
    assert_eq!(data["descriptions"][0]["version"], "3.1.0");
    assert_eq!(data["descriptions"][0]["via"]["from"], "api-catalog");
    assert_eq!(data["catalog"]["links"][0]["followed"], true);
}

#[test]
fn catalog_format_problems_warn_or_fail() {
    let body = json!({"linkset": [{"service-desc": [{"href": "/openapi.json"}]}]});
    let plain = route(
        "/.well-known/api-catalog",
        200,
        "application/json",
        &body.to_string(),
    );
    let r = run(vec![plain, at("/openapi.json", &good_api())], "api-catalog");
    assert_eq!(r.outcome.as_str(), "warn");
    assert_eq!(codes(&r), vec!["api-catalog-content-type"]);
    let no_profile = route(
        "/.well-known/api-catalog",
        200,
        "application/linkset+json",
        &body.to_string(),
    );
    let r = run(
        vec![no_profile, at("/openapi.json", &good_api())],
        "api-catalog",
    );
    assert_eq!(codes(&r), vec!["api-catalog-profile-missing"]);
    // Not a linkset; an HTML page; an empty linkset; no service-desc.
    let r = run(vec![catalog(&json!({"apis": []}))], "api-catalog");
    assert_eq!(r.outcome.as_str(), "fail");
    assert!(codes(&r).contains(&"api-catalog-not-linkset".to_string()));
    let r = run(
        vec![route(
            "/.well-known/api-catalog",
            200,
            "text/html",
            "<!doctype html><html><body>APIs</body></html>",
        )],
        "api-catalog",
    );
    assert!(codes(&r).contains(&"api-catalog-html".to_string()));
    let r = run(vec![catalog(&json!({"linkset": []}))], "api-catalog");
    assert!(codes(&r).contains(&"api-catalog-api-links-missing".to_string()));
    let r = run(
        vec![catalog(
            &json!({"linkset": [{"item": [{"href": "/api/v2"}]}]}),
        )],
        "api-catalog",
    );
    assert_eq!(r.outcome.as_str(), "warn");
    assert!(codes(&r).contains(&"api-catalog-no-service-desc".to_string()));
}

#[test]
fn broken_and_unparseable_links_fail() {
    let r = run(vec![catalog_to("/openapi.json")], "api-catalog");
    assert_eq!(r.outcome.as_str(), "fail");
    assert_eq!(codes(&r), vec!["api-catalog-link-broken"]);
    let r = run(
        vec![
            catalog_to("/openapi.yaml"),
            route(
                "/openapi.yaml",
                200,
                "application/yaml",
                "openapi: 3.0.0\npaths: [unclosed",
            ),
        ],
        "api-catalog",
    );
    assert_eq!(codes(&r), vec!["api-catalog-description-unparseable"]);
    let r = run(
        vec![
            catalog_to("/openapi.json"),
            at("/openapi.json", &json!({"not": "openapi"})),
        ],
        "api-catalog",
    );
    assert_eq!(codes(&r), vec!["api-catalog-description-unparseable"]);
    let r = run(
        vec![
            catalog_to("/openapi.json"),
            route(
                "/openapi.json",
                200,
                "text/html",
                "<html><body>Swagger UI</body></html>",
            ),
        ],
        "api-catalog",
    );
    assert_eq!(codes(&r), vec!["api-catalog-html"]);
}

#[test]
fn conventional_yaml_passes_but_is_unannounced() {
    let yaml = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /things:\n    get:\n      operationId: listThings\n      responses: {'200': {description: ok}}\n";
    let r = run(
        vec![route("/openapi.yaml", 200, "application/yaml", yaml)],
        "api-catalog",
    );
    assert_eq!(r.outcome.as_str(), "pass", "{:?}", r.findings);
    assert_eq!(codes(&r), vec!["api-catalog-unannounced"]);
    assert!(r.summary.contains("/openapi.yaml"));
}

#[test]
fn a_link_header_announces_the_description() {
    let root = with_headers(
        route("/", 200, "application/json", "{}"),
        &[("link", "</spec/openapi.json>; rel=\"service-desc\"")],
    );
    let ev = evidence(
        site(vec![root, at("/spec/openapi.json", &good_api())], None),
        &format!("{ORIGIN}/"),
    );
    let r = judge(&ev, "api-catalog");
    assert_eq!(r.outcome.as_str(), "pass", "{:?}", r.findings);
    assert!(
        r.summary.contains("Link: rel=\"service-desc\""),
        "{}",
        r.summary
    );
    // Announced: no conventional location was guessed.
    assert!(
        ev.probes_where(|m| matches!(m, ProbeMeta::ApiDescription { via } if !via.announced()))
            .next()
            .is_none()
    );
}

#[test]
fn nothing_found_is_skipped_and_a_catch_all_finds_nothing() {
    let r = run(vec![], "api-catalog");
    assert_eq!(r.outcome.as_str(), "skip", "{:?}", r.findings);
    let spa = route(
        "",
        200,
        "text/html",
        "<!doctype html><html><body><div id=root></div></body></html>",
    );
    let ev = evidence(site(vec![], Some(spa)), &format!("{ORIGIN}/"));
    for id in IDS {
        assert_eq!(judge(&ev, id).outcome.as_str(), "skip", "{id}");
    }
}

#[test]
fn an_http_api_target_without_description_fails() {
    let api = with_headers(
        route(
            "/v1",
            401,
            "application/json",
            "{\"error\":\"unauthorized\"}",
        ),
        &[("www-authenticate", "Bearer realm=\"api\"")],
    );
    let ev = evidence(site(vec![api], None), &format!("{ORIGIN}/v1"));
    let r = judge(&ev, "api-catalog");
    assert_eq!(r.outcome.as_str(), "fail");
    assert_eq!(codes(&r), vec!["api-catalog-description-missing"]);
    // The relative conventional location was tried too.
    assert!(
        ev.record(&format!("{}@/v1/openapi.json", probe::OPENAPI_LOCATION))
            .is_some()
    );
}

#[test]
fn a_challenged_api_whose_description_declares_no_schemes_warns() {
    let api = with_headers(
        route("/v1", 401, "application/json", "{}"),
        &[("www-authenticate", "Bearer realm=\"api\"")],
    );
    let doc = json!({"openapi": "3.0.0", "paths": {"/x": {"get": {}}}});
    let ev = evidence(
        site(vec![api, at("/v1/openapi.json", &doc)], None),
        &format!("{ORIGIN}/v1"),
    );
    let r = judge(&ev, "api-catalog");
    assert_eq!(r.outcome.as_str(), "warn", "{:?}", r.findings);
    assert!(codes(&r).contains(&"api-catalog-security-schemes-missing".to_string()));
}

#[test]
fn links_to_other_sites_are_reported_not_fetched() {
    let cat = catalog(
        &json!({"linkset": [{"service-desc": [{"href": "https://elsewhere.example.org/openapi.json"}]}]}),
    );
    let ev = evidence(site(vec![cat], None), &format!("{ORIGIN}/"));
    assert!(
        ev.record("api-description@https://elsewhere.example.org/openapi.json")
            .is_none()
    );
    let r = judge(&ev, "api-catalog");
    assert!(codes(&r).contains(&"api-catalog-link-not-followed".to_string()));
}

// ---------------------------------------------------------------------------
// action-classification

fn ops(r: &crate::report::CheckResult) -> Vec<(String, String, String, Vec<String>)> {
    r.data.as_ref().unwrap()["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["method"].as_str().unwrap().to_string(),
                o["path"].as_str().unwrap().to_string(),
                o["class"].as_str().unwrap().to_string(),
                o["scopes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect()
}

fn classify_doc(doc: &Value) -> crate::report::CheckResult {
    run(
        vec![catalog_to("/openapi.json"), at("/openapi.json", doc)],
        "action-classification",
    )
}

#[test]
fn scopes_matching_risk_pass_with_data_operations() {
    let r = classify_doc(&good_api());
    assert_eq!(r.outcome.as_str(), "pass", "{:?}", r.findings);
    let o = ops(&r);
    assert!(o.contains(&(
        "DELETE".into(),
        "/widgets/{id}".into(),
        "destructive".into(),
        vec!["widgets:delete".into()]
    )));
    assert!(o.contains(&(
        "GET".into(),
        "/widgets".into(),
        "read".into(),
        vec!["widgets:read".into()]
    )));
    assert!(
        r.summary.contains("1 read, 1 write, 1 destructive"),
        "{}",
        r.summary
    );
}

#[test]
fn a_delete_allowed_by_a_read_scope_fails() {
    let doc = openapi(&[
        ("GET", "/widgets", "listWidgets", Some(&["widgets:read"])),
        (
            "DELETE",
            "/widgets/{id}",
            "deleteWidget",
            Some(&["widgets:read"]),
        ),
        ("POST", "/widgets", "createWidget", Some(&["widgets:write"])),
    ]);
    let r = classify_doc(&doc);
    assert_eq!(r.outcome.as_str(), "fail");
    assert_eq!(codes(&r), vec!["action-classification-scope-too-weak"]);
    assert!(r.findings[0].message.contains("DELETE /widgets/{id}"));
    let data = r.data.unwrap();
    let del = data["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["method"] == "DELETE")
        .unwrap()
        .clone();
    assert_eq!(del["verdict"], "scope-too-weak");
}

#[test]
fn unsecured_changes_fail_but_sign_in_is_exempt() {
    let doc = openapi(&[
        ("GET", "/widgets", "listWidgets", Some(&["widgets:read"])),
        ("POST", "/widgets", "createWidget", None),
        ("POST", "/oauth/token", "issueToken", None),
        ("GET", "/status", "getStatus", None),
    ]);
    let r = classify_doc(&doc);
    assert_eq!(r.outcome.as_str(), "fail");
    let c = codes(&r);
    assert_eq!(
        c,
        vec![
            "action-classification-unsecured-write",
            "action-classification-unprotected-operation"
        ]
    );
    assert!(r.findings[0].message.contains("POST /widgets"));
    assert!(
        !r.findings
            .iter()
            .any(|f| f.message.contains("/oauth/token"))
    );
}

#[test]
fn one_scope_for_everything_warns() {
    let doc = openapi(&[
        ("GET", "/widgets", "listWidgets", Some(&["widgets:write"])),
        (
            "DELETE",
            "/widgets/{id}",
            "deleteWidget",
            Some(&["widgets:write"]),
        ),
    ]);
    let r = classify_doc(&doc);
    assert_eq!(r.outcome.as_str(), "warn");
    assert_eq!(codes(&r), vec!["action-classification-single-scope"]);
}

#[test]
fn a_read_that_needs_a_write_scope_warns() {
    let doc = openapi(&[
        ("GET", "/widgets", "listWidgets", Some(&["widgets:write"])),
        ("GET", "/widgets/{id}", "getWidget", Some(&["widgets:read"])),
        ("POST", "/widgets", "createWidget", Some(&["widgets:write"])),
    ]);
    let r = classify_doc(&doc);
    assert_eq!(r.outcome.as_str(), "warn");
    assert_eq!(codes(&r), vec!["action-classification-scope-too-strong"]);
}

#[test]
fn names_and_hints_refine_the_method() {
    let mut doc = openapi(&[
        (
            "GET",
            "/widgets/{id}/purge",
            "purgeWidget",
            Some(&["widgets:delete"]),
        ),
        (
            "POST",
            "/widgets/search",
            "searchWidgets",
            Some(&["widgets:read"]),
        ),
        (
            "POST",
            "/subscriptions/{id}/cancel",
            "cancelSubscription",
            Some(&["widgets:delete"]),
        ),
        (
            "POST",
            "/widgets/{id}/archive",
            "archiveWidget",
            Some(&["widgets:write"]),
        ),
    ]);
    doc["paths"]["/widgets/{id}/archive"]["post"]["x-mcp"] =
        json!({"annotations": {"destructiveHint": true}});
    let r = classify_doc(&doc);
    let by_path: BTreeMap<String, String> =
        ops(&r).into_iter().map(|(_, p, c, _)| (p, c)).collect();
    assert_eq!(by_path["/widgets/{id}/purge"], "destructive");
    assert_eq!(by_path["/widgets/search"], "read");
    assert_eq!(by_path["/subscriptions/{id}/cancel"], "destructive");
    assert_eq!(by_path["/widgets/{id}/archive"], "destructive");
    assert!(codes(&r).contains(&"action-classification-unsafe-get".to_string()));
    let sources: BTreeSet<String> = r.data.unwrap()["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["source"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(sources, ["hint", "name"].map(String::from).into());
}

#[test]
fn empty_oauth_requirements_and_unknown_methods_are_reported() {
    let mut doc = openapi(&[("GET", "/a", "getA", Some(&[]))]);
    doc["paths"]["/b"] =
        json!({"additionalOperations": {"LINK": {"security": [{"oauth": ["widgets:write"]}]}}});
    let r = classify_doc(&doc);
    let c = codes(&r);
    assert!(
        c.contains(&"action-classification-scopes-unspecified".to_string()),
        "{c:?}"
    );
    assert!(
        c.contains(&"action-classification-unclassified".to_string()),
        "{c:?}"
    );
    assert_eq!(r.outcome.as_str(), "warn");
}

#[test]
fn no_description_skips_and_no_operations_skips() {
    assert_eq!(
        run(vec![], "action-classification").outcome.as_str(),
        "skip"
    );
    let r = classify_doc(&json!({"openapi": "3.1.0", "paths": {}}));
    assert_eq!(r.outcome.as_str(), "skip");
    assert!(r.summary.contains("no operations"));
}

#[test]
fn operation_classes_directly() {
    let v = scopes::vocabulary().unwrap();
    let w = &apidesc::data().unwrap().operations;
    let op = |method: &str, path: &str, id: Option<&str>, summary: Option<&str>| Operation {
        method: method.into(),
        path: path.into(),
        operation_id: id.map(str::to_string),
        summary: summary.map(str::to_string),
        deprecated: false,
        hints: Default::default(),
        security: None,
    };
    let c = |o: &Operation| classify_operation(v, w, o).class;
    assert_eq!(c(&op("GET", "/a", None, None)), ScopeClass::Read);
    assert_eq!(c(&op("HEAD", "/a", None, None)), ScopeClass::Read);
    assert_eq!(c(&op("PUT", "/a", None, None)), ScopeClass::Write);
    assert_eq!(c(&op("DELETE", "/a", None, None)), ScopeClass::Destructive);
    assert_eq!(
        c(&op("POST", "/x", Some("repos/remove-collaborator"), None)),
        ScopeClass::Destructive
    );
    assert_eq!(
        c(&op("POST", "/x", None, Some("Deletes a pet"))),
        ScopeClass::Destructive
    );
    assert_eq!(
        c(&op("POST", "/x", Some("listDeletedItems"), None)),
        ScopeClass::Read
    );
    assert_eq!(
        c(&op("POST", "/x", Some("getOrCreateWidget"), None)),
        ScopeClass::Write
    );
    assert_eq!(c(&op("COPY", "/x", None, None)), ScopeClass::Unknown);
    // Resource-first ids: `posts` and `updates` are nouns there.
    let posts = classify_operation(v, w, &op("GET", "/posts", Some("postsList"), None));
    assert_eq!(posts.class, ScopeClass::Read);
    assert!(!posts.unsafe_get);
    assert!(!classify_operation(v, w, &op("GET", "/u", Some("updatesGet"), None)).unsafe_get);
    // A summary that also names a change keeps a POST a write.
    assert_eq!(
        c(&op("POST", "/s", None, Some("Get or create a session"))),
        ScopeClass::Write
    );
    assert_eq!(
        c(&op("POST", "/s", None, Some("Searches widgets"))),
        ScopeClass::Read
    );
    let login = classify_operation(v, w, &op("POST", "/user/login", Some("loginUser"), None));
    assert!(login.credential);
    let get_delete = classify_operation(v, w, &op("GET", "/x", Some("deleteThing"), None));
    assert!(get_delete.unsafe_get);
    assert_eq!(get_delete.class, ScopeClass::Destructive);
}

// ---------------------------------------------------------------------------
// api-key-scheme

fn swagger_keys(location: &str) -> Value {
    json!({"swagger": "2.0", "info": {"title": "Keys", "version": "1"},
        "securityDefinitions": {"key": {"type": "apiKey", "in": location, "name": "api-key"}},
        "security": [{"key": []}],
        "paths": {"/stories": {"get": {"operationId": "getStories"}}}})
}

#[test]
fn api_keys_only_fail() {
    let r = run(
        vec![at("/swagger.json", &swagger_keys("query"))],
        "api-key-scheme",
    );
    assert_eq!(r.outcome.as_str(), "fail");
    assert_eq!(
        codes(&r),
        vec![
            "api-key-scheme-key-in-query",
            "api-key-scheme-only-api-keys"
        ]
    );
    let r = run(
        vec![at("/swagger.json", &swagger_keys("header"))],
        "api-key-scheme",
    );
    assert_eq!(codes(&r), vec!["api-key-scheme-only-api-keys"]);
}

#[test]
fn api_keys_beside_oauth_warn_and_oauth_alone_passes() {
    let mut doc = good_api();
    doc["components"]["securitySchemes"]["key"] =
        json!({"type": "apiKey", "in": "header", "name": "X-Key"});
    let r = run(
        vec![catalog_to("/openapi.json"), at("/openapi.json", &doc)],
        "api-key-scheme",
    );
    assert_eq!(r.outcome.as_str(), "warn");
    assert_eq!(codes(&r), vec!["api-key-scheme-unscoped"]);
    let r = run(
        vec![
            catalog_to("/openapi.json"),
            at("/openapi.json", &good_api()),
        ],
        "api-key-scheme",
    );
    assert_eq!(r.outcome.as_str(), "pass", "{:?}", r.findings);
}

#[test]
fn static_bearer_warns_unless_oauth_is_discoverable() {
    let doc = json!({"openapi": "3.0.0", "components": {"securitySchemes": {"b": {"type": "http", "scheme": "bearer"}}}, "paths": {}});
    let r = run(vec![at("/openapi.json", &doc)], "api-key-scheme");
    assert_eq!(codes(&r), vec!["api-key-scheme-static-bearer"]);
    let meta = crate::testing::as_metadata(&["S256"]);
    let meta: Value =
        serde_json::from_str(&meta.to_string().replace("{{origin}}", ORIGIN)).unwrap();
    let r = run(
        vec![
            at("/openapi.json", &doc),
            json("/.well-known/oauth-authorization-server", &meta),
        ],
        "api-key-scheme",
    );
    assert_eq!(r.outcome.as_str(), "pass", "{:?}", r.findings);
}

#[test]
fn a_basic_challenge_without_description_fails_and_nothing_skips() {
    let api = with_headers(
        route("/v1", 401, "text/plain", "unauthorized"),
        &[("www-authenticate", "Basic realm=\"api\"")],
    );
    let ev = evidence(site(vec![api], None), &format!("{ORIGIN}/v1"));
    let r = judge(&ev, "api-key-scheme");
    assert_eq!(r.outcome.as_str(), "fail", "{:?}", r.findings);
    assert_eq!(codes(&r), vec!["api-key-scheme-only-api-keys"]);
    assert_eq!(run(vec![], "api-key-scheme").outcome.as_str(), "skip");
}

// ---------------------------------------------------------------------------
// What descriptions feed to the rest of the scan

#[test]
fn openapi_scope_descriptions_classify_published_scopes() {
    let meta = json!({
        "issuer": ORIGIN,
        "authorization_endpoint": format!("{ORIGIN}/authorize"),
        "token_endpoint": format!("{ORIGIN}/token"),
        "response_types_supported": ["code"],
        "scopes_supported": ["files.manage", "files.view"],
    });
    let doc = json!({"openapi": "3.1.0", "paths": {}, "components": {"securitySchemes": {"o": {
        "type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "https://x/token", "scopes": {
            "files.manage": "Permanently delete files and folders",
            "files.view": "View files"}}}}}}});
    let r = run(
        vec![
            json("/.well-known/oauth-authorization-server", &meta),
            catalog_to("/openapi.json"),
            at("/openapi.json", &doc),
        ],
        "scope-classification",
    );
    let scopes = r.data.unwrap()["scopes"].clone();
    let manage = scopes
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["scope"] == "files.manage")
        .unwrap()
        .clone();
    assert_eq!(manage["class"], "destructive");
    assert_eq!(manage["source"], "description");
}

#[test]
fn servers_of_a_bare_domain_become_api_probes_and_oidc_urls_metadata_candidates() {
    let mut doc = good_api();
    doc["components"]["securitySchemes"]["oidc"] = json!({"type": "openIdConnect",
        "openIdConnectUrl": format!("{ORIGIN}/tenant/.well-known/openid-configuration")});
    let api = with_headers(
        route("/api", 401, "application/json", "{}"),
        &[(
            "www-authenticate",
            "Bearer realm=\"widgets\", scope=\"widgets:read\"",
        )],
    );
    let ev = evidence(
        site(
            vec![catalog_to("/openapi.json"), at("/openapi.json", &doc), api],
            None,
        ),
        &format!("{ORIGIN}/"),
    );
    let server = format!("{ORIGIN}/api");
    let rec = ev
        .record(&format!("{}@{server}", probe::API_SERVER))
        .expect("the server URL is probed as an API");
    assert!(matches!(
        &rec.meta,
        ProbeMeta::Api {
            source: probe::ApiSource::ApiDescription { .. },
            ..
        }
    ));
    assert!(
        ev.record(&format!(
            "{}@{server}{}",
            probe::API_SERVER,
            probe::INVALID_TOKEN_SUFFIX
        ))
        .is_some()
    );
    // The API GET of the same URL is the same request: aliased, not re-sent.
    let resource = ev.record(&format!("api-resource@{server}")).unwrap();
    assert_eq!(resource.exchange, ev.record("api-base").unwrap().exchange);
    assert_eq!(judge(&ev, "bearer-challenge").outcome.as_str(), "warn");
    let oidc = format!("{ORIGIN}/tenant/.well-known/openid-configuration");
    let rec = ev
        .record(&format!("as-metadata@description:{oidc}"))
        .expect("openIdConnectUrl is followed");
    assert!(matches!(
        &rec.meta,
        ProbeMeta::AsMetadata { issuer, source: crate::model::probe::IssuerSource::ApiDescription { .. }, .. }
            if *issuer == format!("{ORIGIN}/tenant")
    ));
}

#[test]
fn metadata_urls_map_back_to_issuers() {
    let f = crate::probe::issuer_of_metadata_url;
    assert_eq!(
        f("https://a.example/.well-known/openid-configuration").map(|(i, _, o)| (i, o)),
        Some(("https://a.example".into(), 1))
    );
    assert_eq!(
        f("https://a.example/t1/.well-known/openid-configuration").map(|(i, _, o)| (i, o)),
        Some(("https://a.example/t1".into(), 2))
    );
    assert_eq!(
        f("https://a.example/.well-known/oauth-authorization-server/t1").map(|(i, _, o)| (i, o)),
        Some(("https://a.example/t1".into(), 0))
    );
    assert!(f("https://a.example/oidc.json").is_none());
    assert!(f("not a url").is_none());
}

#[test]
fn servers_on_other_sites_are_not_probed_and_unreachable_ones_do_not_break_the_scan() {
    let mut doc = good_api();
    doc["servers"] = json!([
        {"url": "https://api.example.com/v1"},
        {"url": "https://api.other.example.org/v1"}
    ]);
    let ev = evidence(
        site(
            vec![catalog_to("/openapi.json"), at("/openapi.json", &doc)],
            None,
        ),
        &format!("{ORIGIN}/"),
    );
    // A sibling of as.example.com is the target's own site; another
    // registrable domain is not.
    assert!(
        ev.record(&format!("{}@https://api.example.com/v1", probe::API_SERVER))
            .is_some()
    );
    assert!(
        ev.probes_where(
            |m| matches!(m, ProbeMeta::Api { url, .. } if url.contains("other.example.org"))
        )
        .next()
        .is_none()
    );
    // The in-memory site cannot reach api.example.com: the lead is left
    // out, not an error that would make the scan incomplete.
    let r = judge(&ev, "bearer-challenge");
    assert_eq!(r.outcome.as_str(), "skip", "{}", r.summary);
    assert!(r.summary.contains("could not be reached"), "{}", r.summary);
}

#[test]
fn an_openapi_32_metadata_url_is_followed_and_device_flows_are_reported() {
    let meta = crate::testing::as_metadata(&["S256"]);
    let meta: Value =
        serde_json::from_str(&meta.to_string().replace("{{origin}}", ORIGIN)).unwrap();
    let doc = json!({"openapi": "3.2.0", "paths": {"/things": {"query": {"operationId": "queryThings",
        "security": [{"o": ["things:read"]}]}}},
        "components": {"securitySchemes": {"o": {"type": "oauth2",
            "oauth2MetadataUrl": format!("{ORIGIN}/.well-known/oauth-authorization-server/things"),
            "flows": {"deviceAuthorization": {
                "deviceAuthorizationUrl": format!("{ORIGIN}/device"),
                "tokenUrl": format!("{ORIGIN}/token"),
                "scopes": {"things:read": "Read things"}}}}}}});
    let ev = evidence(
        site(
            vec![
                catalog_to("/openapi.json"),
                at("/openapi.json", &doc),
                json("/.well-known/oauth-authorization-server/things", &meta),
            ],
            None,
        ),
        &format!("{ORIGIN}/"),
    );
    let url = format!("{ORIGIN}/.well-known/oauth-authorization-server/things");
    assert!(
        ev.record(&format!("as-metadata@description:{url}"))
            .is_some()
    );
    let r = judge(&ev, "api-catalog");
    assert_eq!(r.outcome.as_str(), "pass", "{:?}", r.findings);
    let schemes = &r.data.as_ref().unwrap()["descriptions"][0]["security_schemes"];
    assert_eq!(schemes[0]["flows"][0]["flow"], "deviceAuthorization");
    let r = judge(&ev, "action-classification");
    assert_eq!(ops(&r)[0].2, "read", "QUERY is a safe method");
}

#[test]
fn linked_descriptions_are_bounded_and_service_docs_do_not_stop_the_guessing() {
    let links: Vec<Value> = (0..6)
        .map(|i| json!({"href": format!("{ORIGIN}/specs/{i}.json")}))
        .collect();
    let ev = evidence(
        site(
            vec![catalog(&json!({"linkset": [{"service-desc": links}]}))],
            None,
        ),
        &format!("{ORIGIN}/"),
    );
    let linked = ev
        .probes_where(|m| matches!(m, ProbeMeta::ApiDescription { via } if via.announced()))
        .count();
    assert_eq!(linked, crate::probe::MAX_LINKED_DESCRIPTIONS);
    // Announced service-desc links (even dead ones): no guessing.
    assert!(
        ev.probes_where(|m| matches!(m, ProbeMeta::ApiDescription { via } if !via.announced()))
            .next()
            .is_none()
    );
    // Only human documentation announced: the conventional paths are
    // tried in the same round as the documentation link.
    let docs_only = catalog(&json!({"linkset": [{"service-doc": [{"href": "/docs"}]}]}));
    let ev = evidence(
        site(
            vec![
                docs_only,
                route("/docs", 200, "text/html", "<html><body>docs</body></html>"),
                at("/openapi.json", &good_api()),
            ],
            None,
        ),
        &format!("{ORIGIN}/"),
    );
    let r = judge(&ev, "api-catalog");
    assert_eq!(r.outcome.as_str(), "warn", "{:?}", r.findings);
    assert_eq!(
        codes(&r),
        vec!["api-catalog-no-service-desc", "api-catalog-unannounced"]
    );
}

#[test]
fn a_description_cut_at_the_body_cap_warns_too_large() {
    use crate::evidence::Evidence;
    use crate::model::exchange::{Exchange, Mode, RequestRecord, ResponseRecord};
    let mut ev = crate::evidence::Recorder::new(
        crate::model::target::Target::parse(ORIGIN).unwrap(),
        Mode::Safe,
        None,
    );
    let mut add = |probe: &str, path: &str, status: u16, truncated: bool, meta: ProbeMeta| {
        ev.push(
            Exchange {
                probe: probe.into(),
                request: RequestRecord {
                    method: "GET".into(),
                    url: format!("{ORIGIN}{path}"),
                    headers: Vec::new(),
                    body: None,
                },
                response: Some(ResponseRecord {
                    status,
                    final_url: format!("{ORIGIN}{path}"),
                    redirects: Vec::new(),
                    headers: vec![("content-type".into(), "application/json".into())],
                    body: b"{\"openapi\": \"3.1.0\", \"paths\": {".to_vec(),
                    truncated,
                }),
                error: None,
                elapsed_ms: 0,
            },
            meta,
        );
    };
    add(
        "api-catalog",
        "/.well-known/api-catalog",
        404,
        false,
        ProbeMeta::ApiCatalog,
    );
    add(
        "openapi-location@/openapi.json",
        "/openapi.json",
        200,
        true,
        ProbeMeta::ApiDescription {
            via: DescriptionSource::Conventional {
                path: "/openapi.json".into(),
            },
        },
    );
    let ev: Evidence = ev.finish();
    let r = judge(&ev, "api-catalog");
    assert_eq!(r.outcome.as_str(), "warn", "{}", r.summary);
    assert_eq!(codes(&r), vec!["api-catalog-description-too-large"]);
    assert!(r.findings[0].message.contains("guessed"));
}
