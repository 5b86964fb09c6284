//! Test sites and helpers of the apis checks.

use crate::fixture::Route;
use crate::testing::{ORIGIN, evidence, json, judge, route, site};
use serde_json::{Value, json};

pub(crate) const LINKSET: &str =
    "application/linkset+json; profile=\"https://www.rfc-editor.org/info/rfc9727\"";

pub(crate) fn catalog(body: &Value) -> Route {
    route("/.well-known/api-catalog", 200, LINKSET, &body.to_string())
}

pub(crate) fn catalog_to(path: &str) -> Route {
    catalog(&json!({"linkset": [{
        "anchor": format!("{ORIGIN}/api"),
        "service-desc": [{"href": format!("{ORIGIN}{path}"), "type": "application/vnd.oai.openapi+json"}]
    }]}))
}

/// An OpenAPI 3.1 document with OAuth scopes whose operations need the
/// given (method, path, operationId, scopes) — `None` scopes: no security.
pub(crate) fn openapi(ops: &[(&str, &str, &str, Option<&[&str]>)]) -> Value {
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

pub(crate) fn good_api() -> Value {
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

pub(crate) fn at(path: &str, v: &Value) -> Route {
    json(path, v)
}

pub(crate) fn run(routes: Vec<Route>, id: &str) -> crate::report::CheckResult {
    judge(&evidence(site(routes, None), &format!("{ORIGIN}/")), id)
}

pub(crate) fn ops(r: &crate::report::CheckResult) -> Vec<(String, String, String, Vec<String>)> {
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

pub(crate) fn classify_doc(doc: &Value) -> crate::report::CheckResult {
    run(
        vec![catalog_to("/openapi.json"), at("/openapi.json", doc)],
        "action-classification",
    )
}

pub(crate) fn swagger_keys(location: &str) -> Value {
    json!({"swagger": "2.0", "info": {"title": "Keys", "version": "1"},
        "securityDefinitions": {"key": {"type": "apiKey", "in": location, "name": "api-key"}},
        "security": [{"key": []}],
        "paths": {"/stories": {"get": {"operationId": "getStories"}}}})
}

/// The checks this test kit was written for.
pub(crate) const FAMILY: [&str; 3] = ["api-catalog", "action-classification", "api-key-scheme"];
