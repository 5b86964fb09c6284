//! OpenAPI 3.0 / 3.1 / 3.2 and Swagger 2.0 documents, read for what an agent
//! needs to authenticate and act: servers, security schemes (OAuth flows and
//! their scopes, OpenID Connect discovery URLs, API keys), security
//! requirements, and the operations with their methods, ids, summaries and
//! extension hints. Everything else (schemas, parameters, responses) is
//! ignored. Reading never fails on a member of the wrong type: it is
//! skipped, and the counts are capped.

use crate::model::api::{
    Description, Family, Flow, FlowKind, MAX_OPERATIONS, MAX_SCHEMES, MAX_SCOPES, MAX_SERVERS,
    Operation, OperationHints, Requirement, SchemeKind, SecurityScheme,
};
use crate::parse::DocumentError;
use serde_json::{Map, Value};
use url::Url;

fn string(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_string)
}

/// Follow a local `$ref` (`#/a/b`) once, within the document.
fn deref<'a>(root: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) if r.starts_with("#/") => root.pointer(&r[1..]).unwrap_or(v),
        _ => v,
    }
}

fn scopes_map(v: Option<&Value>) -> Vec<(String, String)> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .take(MAX_SCOPES)
                .map(|(k, d)| (k.clone(), d.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

fn scheme_of(root: &Value, name: &str, v: &Value, swagger: bool) -> Option<SecurityScheme> {
    let v = deref(root, v);
    let ty = v.get("type").and_then(Value::as_str)?;
    let kind = match ty {
        "apiKey" => SchemeKind::ApiKey {
            location: string(v.get("in")).unwrap_or_default().to_ascii_lowercase(),
            param: string(v.get("name")).unwrap_or_default(),
        },
        "http" => SchemeKind::Http {
            scheme: string(v.get("scheme"))
                .unwrap_or_default()
                .to_ascii_lowercase(),
        },
        "basic" if swagger => SchemeKind::Http {
            scheme: "basic".into(),
        },
        "oauth2" if swagger => {
            let kind = match v.get("flow").and_then(Value::as_str) {
                Some("implicit") => FlowKind::Implicit,
                Some("password") => FlowKind::Password,
                Some("application") => FlowKind::ClientCredentials,
                Some("accessCode") => FlowKind::AuthorizationCode,
                _ => FlowKind::AuthorizationCode,
            };
            SchemeKind::OAuth2 {
                flows: vec![Flow {
                    kind,
                    authorization_url: string(v.get("authorizationUrl")),
                    token_url: string(v.get("tokenUrl")),
                    device_authorization_url: None,
                    scopes: scopes_map(v.get("scopes")),
                }],
                metadata_url: None,
            }
        }
        "oauth2" => {
            let mut flows = Vec::new();
            if let Some(map) = v.get("flows").and_then(Value::as_object) {
                for (key, kind) in [
                    ("authorizationCode", FlowKind::AuthorizationCode),
                    ("clientCredentials", FlowKind::ClientCredentials),
                    ("deviceAuthorization", FlowKind::DeviceAuthorization),
                    ("implicit", FlowKind::Implicit),
                    ("password", FlowKind::Password),
                ] {
                    if let Some(f) = map.get(key).filter(|f| f.is_object()) {
                        flows.push(Flow {
                            kind,
                            authorization_url: string(f.get("authorizationUrl")),
                            token_url: string(f.get("tokenUrl")),
                            device_authorization_url: string(f.get("deviceAuthorizationUrl")),
                            scopes: scopes_map(f.get("scopes")),
                        });
                    }
                }
            }
            SchemeKind::OAuth2 {
                flows,
                metadata_url: string(v.get("oauth2MetadataUrl")),
            }
        }
        "openIdConnect" => SchemeKind::OpenIdConnect {
            url: string(v.get("openIdConnectUrl")).unwrap_or_default(),
        },
        "mutualTLS" => SchemeKind::MutualTls,
        other => SchemeKind::Other(other.to_string()),
    };
    Some(SecurityScheme {
        name: name.to_string(),
        kind,
        deprecated: v.get("deprecated").and_then(Value::as_bool) == Some(true),
    })
}

/// A `security` member: an array of requirement objects.
fn requirements(v: Option<&Value>) -> Option<Vec<Requirement>> {
    let list = v?.as_array()?;
    Some(
        list.iter()
            .take(MAX_SCHEMES)
            .filter_map(Value::as_object)
            .map(|req| {
                req.iter()
                    .take(MAX_SCHEMES)
                    .map(|(name, scopes)| {
                        let scopes = scopes
                            .as_array()
                            .map(|a| {
                                a.iter()
                                    .take(MAX_SCOPES)
                                    .filter_map(Value::as_str)
                                    .map(str::to_string)
                                    .collect()
                            })
                            .unwrap_or_default();
                        (name.clone(), scopes)
                    })
                    .collect()
            })
            .collect(),
    )
}

fn hint_key(k: &str) -> String {
    k.chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Look for hint members in an extension value (two levels deep at most:
/// `x-mcp: {annotations: {destructiveHint: true}}`).
fn find_hints(v: &Value, depth: usize, hints: &mut OperationHints) {
    let Some(m) = v.as_object() else { return };
    for (k, val) in m.iter().take(64) {
        match (hint_key(k).as_str(), val) {
            ("readonlyhint", Value::Bool(b)) => hints.read_only = Some(*b),
            ("destructivehint", Value::Bool(b)) => hints.destructive = Some(*b),
            (_, Value::Object(_)) if depth > 0 => find_hints(val, depth - 1, hints),
            _ => {}
        }
    }
}

fn operation_hints(op: &Map<String, Value>) -> OperationHints {
    let mut hints = OperationHints::default();
    for (k, v) in op.iter().filter(|(k, _)| k.starts_with("x-")).take(64) {
        let before = hints.clone();
        match (hint_key(k).as_str(), v) {
            ("xreadonly" | "xreadonlyhint", Value::Bool(b)) => hints.read_only = Some(*b),
            ("xdestructive" | "xdestructivehint", Value::Bool(b)) => {
                hints.destructive = Some(*b);
            }
            (_, Value::Object(_)) => find_hints(v, 2, &mut hints),
            _ => {}
        }
        if hints != before && hints.source.is_none() {
            hints.source = Some(k.clone());
        }
    }
    hints
}

/// Methods an OpenAPI path item may carry (`query` is 3.2).
const METHODS: [&str; 9] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace", "query",
];

fn fill_template(url: &str, vars: Option<&Map<String, Value>>) -> Option<String> {
    let mut out = String::new();
    let mut rest = url;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}')? + open;
        let name = &rest[open + 1..close];
        let default = vars?
            .get(name)
            .and_then(|v| v.get("default"))
            .and_then(Value::as_str)?;
        out.push_str(default);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Some(out)
}

fn servers(root: &Value, base: &Url, family: Family) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    match family {
        Family::Swagger2 => {
            let host = root.get("host").and_then(Value::as_str);
            let base_path = root.get("basePath").and_then(Value::as_str);
            if host.is_none() && base_path.is_none() {
                return out;
            }
            let host = host.map_or_else(
                || {
                    let mut h = base.host_str().unwrap_or_default().to_string();
                    if let Some(p) = base.port() {
                        h = format!("{h}:{p}");
                    }
                    h
                },
                str::to_string,
            );
            let schemes: Vec<String> = root
                .get("schemes")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .filter(|s| *s == "https" || *s == "http")
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            // Prefer https when both are listed.
            let scheme = if schemes.iter().any(|s| s == "https") || schemes.is_empty() {
                if schemes.is_empty() {
                    base.scheme().to_string()
                } else {
                    "https".to_string()
                }
            } else {
                "http".to_string()
            };
            if let Ok(u) = Url::parse(&format!(
                "{scheme}://{host}{}",
                base_path.unwrap_or_default()
            )) {
                out.push(u.to_string());
            }
        }
        Family::OpenApi3 { .. } => {
            for s in root
                .get("servers")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .take(MAX_SERVERS)
            {
                let Some(url) = s.get("url").and_then(Value::as_str) else {
                    continue;
                };
                let Some(filled) =
                    fill_template(url, s.get("variables").and_then(Value::as_object))
                else {
                    continue;
                };
                if let Ok(u) = base.join(&filled)
                    && matches!(u.scheme(), "http" | "https")
                    && !out.contains(&u.to_string())
                {
                    out.push(u.to_string());
                }
            }
        }
    }
    out
}

/// Read a parsed document as an API description. `base` is the URL it was
/// fetched from (relative server URLs resolve against it).
pub fn read(root: &Value, base: &Url) -> Result<Description, DocumentError> {
    let obj = root.as_object().ok_or(DocumentError::NotObject)?;
    let (family, version) = if let Some(v) = obj.get("openapi") {
        let v = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let mut parts = v.split('.');
        if parts.next() != Some("3") {
            return Err(DocumentError::OpenApiVersion(v));
        }
        let minor = parts.next().and_then(|m| m.parse().ok()).unwrap_or(0);
        (Family::OpenApi3 { minor }, v)
    } else if let Some(v) = obj.get("swagger") {
        let v = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if v != "2.0" && v != "2" {
            return Err(DocumentError::SwaggerVersion(v));
        }
        (Family::Swagger2, "2.0".to_string())
    } else {
        return Err(DocumentError::NotOpenApi);
    };
    let swagger = family == Family::Swagger2;
    let scheme_map = if swagger {
        obj.get("securityDefinitions")
    } else {
        obj.get("components").and_then(|c| c.get("securitySchemes"))
    };
    let schemes: Vec<SecurityScheme> = scheme_map
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .take(MAX_SCHEMES)
                .filter_map(|(name, v)| scheme_of(root, name, v, swagger))
                .collect()
        })
        .unwrap_or_default();
    let mut operations = Vec::new();
    let mut truncated = false;
    if let Some(paths) = obj.get("paths").and_then(Value::as_object) {
        'paths: for (path, item) in paths {
            let item = deref(root, item);
            let Some(item) = item.as_object() else {
                continue;
            };
            let mut ops: Vec<(String, &Map<String, Value>)> = METHODS
                .iter()
                .filter_map(|m| {
                    item.get(*m)
                        .and_then(Value::as_object)
                        .map(|o| (m.to_ascii_uppercase(), o))
                })
                .collect();
            if let Some(extra) = item.get("additionalOperations").and_then(Value::as_object) {
                for (m, o) in extra.iter().take(16) {
                    if let Some(o) = o.as_object() {
                        ops.push((m.to_ascii_uppercase(), o));
                    }
                }
            }
            for (method, op) in ops {
                if operations.len() >= MAX_OPERATIONS {
                    truncated = true;
                    break 'paths;
                }
                operations.push(Operation {
                    method,
                    path: path.clone(),
                    operation_id: string(op.get("operationId")),
                    summary: string(op.get("summary")),
                    deprecated: op.get("deprecated").and_then(Value::as_bool) == Some(true),
                    hints: operation_hints(op),
                    security: requirements(op.get("security")),
                });
            }
        }
    }
    Ok(Description {
        version,
        family,
        title: obj
            .get("info")
            .and_then(|i| i.get("title"))
            .and_then(Value::as_str)
            .map(|t| t.chars().take(200).collect()),
        servers: servers(root, base, family),
        schemes,
        security: requirements(obj.get("security")),
        operations,
        truncated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn base() -> Url {
        Url::parse("https://api.example.com/docs/openapi.json").unwrap()
    }

    #[test]
    fn openapi_31_with_oauth_and_servers() {
        let doc = json!({
            "openapi": "3.1.0",
            "info": {"title": "Widgets", "version": "1"},
            "servers": [{"url": "/v1"}, {"url": "https://{region}.example.com/v2", "variables": {"region": {"default": "eu"}}}, {"url": "https://{nodefault}.example.com"}],
            "security": [{"oauth": ["widgets:read"]}],
            "components": {"securitySchemes": {
                "oauth": {"type": "oauth2", "flows": {
                    "authorizationCode": {"authorizationUrl": "https://a/authorize", "tokenUrl": "https://a/token", "scopes": {"widgets:read": "Read widgets", "widgets:delete": "Delete widgets"}},
                    "clientCredentials": {"tokenUrl": "https://a/token", "scopes": {"widgets:read": "Read widgets"}}}},
                "key": {"$ref": "#/components/securitySchemes/realkey"},
                "realkey": {"type": "apiKey", "in": "query", "name": "key"},
                "oidc": {"type": "openIdConnect", "openIdConnectUrl": "https://a/.well-known/openid-configuration"}
            }},
            "paths": {
                "/widgets": {"get": {"operationId": "listWidgets"}, "post": {"security": []}},
                "/widgets/{id}": {"delete": {"operationId": "deleteWidget", "security": [{"oauth": ["widgets:delete"]}], "x-mcp": {"annotations": {"destructiveHint": true}}}},
                "/broken": 7
            }
        });
        let d = read(&doc, &base()).unwrap();
        assert_eq!(d.family, Family::OpenApi3 { minor: 1 });
        assert_eq!(d.describe_version(), "OpenAPI 3.1.0");
        assert_eq!(
            d.servers,
            vec!["https://api.example.com/v1", "https://eu.example.com/v2"]
        );
        assert_eq!(d.operations.len(), 3);
        let del = &d.operations[2];
        assert_eq!(del.method, "DELETE");
        assert_eq!(del.hints.destructive, Some(true));
        assert_eq!(del.hints.source.as_deref(), Some("x-mcp"));
        assert_eq!(
            d.effective_security(&d.operations[0]).unwrap(),
            &[vec![(
                "oauth".to_string(),
                vec!["widgets:read".to_string()]
            )]]
        );
        assert!(d.effective_security(&d.operations[1]).unwrap().is_empty());
        assert!(matches!(
            d.scheme("key").unwrap().kind,
            SchemeKind::ApiKey { ref location, .. } if location == "query"
        ));
        assert_eq!(
            d.scope_descriptions(),
            // serde_json maps are sorted by key.
            vec![
                ("widgets:delete", "Delete widgets"),
                ("widgets:read", "Read widgets")
            ]
        );
        assert!(d.scheme("oidc").unwrap().is_oauth());
    }

    #[test]
    fn openapi_32_device_flow_and_metadata_url() {
        let doc = json!({"openapi": "3.2.0", "components": {"securitySchemes": {"o": {
            "type": "oauth2", "oauth2MetadataUrl": "https://a/.well-known/oauth-authorization-server",
            "deprecated": true,
            "flows": {"deviceAuthorization": {"deviceAuthorizationUrl": "https://a/device", "tokenUrl": "https://a/token", "scopes": {}}}}}},
            "paths": {"/x": {"query": {}, "additionalOperations": {"copy": {}}}}});
        let d = read(&doc, &base()).unwrap();
        let SchemeKind::OAuth2 {
            flows,
            metadata_url,
        } = &d.schemes[0].kind
        else {
            panic!()
        };
        assert_eq!(flows[0].kind, FlowKind::DeviceAuthorization);
        assert!(flows[0].kind.browserless());
        assert_eq!(
            flows[0].device_authorization_url.as_deref(),
            Some("https://a/device")
        );
        assert!(metadata_url.is_some());
        assert!(d.schemes[0].deprecated);
        let methods: Vec<&str> = d.operations.iter().map(|o| o.method.as_str()).collect();
        assert_eq!(methods, vec!["QUERY", "COPY"]);
    }

    #[test]
    fn swagger_2() {
        let doc = json!({"swagger": "2.0", "host": "api.example.org", "basePath": "/v2", "schemes": ["http", "https"],
            "securityDefinitions": {
                "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
                "basic": {"type": "basic"},
                "o": {"type": "oauth2", "flow": "application", "tokenUrl": "https://a/token", "scopes": {"read": "Read"}}},
            "security": [{"key": []}],
            "paths": {"/things": {"get": {}, "delete": {"security": [{"o": ["read"]}]}}}});
        let d = read(&doc, &base()).unwrap();
        assert_eq!(d.family, Family::Swagger2);
        assert_eq!(d.servers, vec!["https://api.example.org/v2"]);
        assert!(
            matches!(&d.scheme("basic").unwrap().kind, SchemeKind::Http { scheme } if scheme == "basic")
        );
        let SchemeKind::OAuth2 { flows, .. } = &d.scheme("o").unwrap().kind else {
            panic!()
        };
        assert_eq!(flows[0].kind, FlowKind::ClientCredentials);
        // A Swagger document without host takes the document's host.
        let d = read(&json!({"swagger": "2.0", "basePath": "/api"}), &base()).unwrap();
        assert_eq!(d.servers, vec!["https://api.example.com/api"]);
    }

    #[test]
    fn not_a_description() {
        let err = |doc: Value| read(&doc, &base()).unwrap_err();
        assert_eq!(err(json!({"linkset": []})), DocumentError::NotOpenApi);
        assert_eq!(
            err(json!({"openapi": "4.0"})),
            DocumentError::OpenApiVersion("4.0".into())
        );
        assert_eq!(
            err(json!({"swagger": "1.2"})).to_string(),
            "`swagger: 1.2` is not Swagger 2.0"
        );
        assert_eq!(err(json!([1, 2])), DocumentError::NotObject);
        // Members of the wrong type are skipped, never a panic.
        let d = read(
            &json!({"openapi": 3.0, "paths": {"/a": {"get": {"security": "x", "operationId": 5}}}, "components": {"securitySchemes": {"a": 1, "b": {"type": 2}}}, "servers": "x"}),
            &base(),
        )
        .unwrap();
        assert_eq!(d.operations.len(), 1);
        assert!(d.operations[0].security.is_none());
        assert!(d.schemes.is_empty());
    }
}
