//! API descriptions: finding them (RFC 9727 api-catalog, RFC 8631
//! `service-desc` links, conventional OpenAPI locations) and reading them
//! (OpenAPI 3.0–3.2 and Swagger 2.0, JSON or YAML, within caps).
//!
//! This module is pure: the probe layer asks it which URLs to fetch, and the
//! checks ask it what a fetched body says. The conventional locations and
//! the words operation names are read with are data in
//! `checks/openapi/openapi.toml`, validated against
//! `checks/schema/openapi.schema.json`.

use crate::model::api::Data;
use crate::parse::DocumentError;
use serde_json::Value;
use std::sync::OnceLock;
use url::Url;

/// The embedded data file.
pub const DATA: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/checks/openapi/openapi.toml"
));
/// Its JSON Schema.
pub const DATA_SCHEMA: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/checks/schema/openapi.schema.json"
));

/// The RFC 9727 well-known path.
pub const API_CATALOG_PATH: &str = "/.well-known/api-catalog";
/// The RFC 9727 §7.3 profile URI of an API catalog linkset.
pub const API_CATALOG_PROFILE: &str = "https://www.rfc-editor.org/info/rfc9727";
/// `Accept` sent for the catalog.
pub const CATALOG_ACCEPT: &str = "application/linkset+json, application/json;q=0.9";
/// `Accept` sent for an API description.
pub const DESCRIPTION_ACCEPT: &str = "application/vnd.oai.openapi+json, application/openapi+json, application/json, application/vnd.oai.openapi;q=0.9, application/yaml;q=0.9, text/yaml;q=0.8, */*;q=0.1";

/// Parse and validate a data file (see [`crate::datafile`]).
pub fn parse_data(text: &str) -> Result<Data, DocumentError> {
    let schema: Value = serde_json::from_str(DATA_SCHEMA)
        .map_err(|e| DocumentError::SchemaNotJson(e.to_string()))?;
    let validator = jsonschema::validator_for(&schema)
        .map_err(|e| DocumentError::SchemaInvalid(e.to_string()))?;
    crate::model::datafile::parse(text, &validator).map_err(|e| match e {
        crate::model::datafile::DataFileError::Toml(e) => DocumentError::DataToml(e),
        crate::model::datafile::DataFileError::Schema(lines) => DocumentError::DataSchema(lines),
    })
}

/// The embedded data (parsed and validated once).
pub fn data() -> Result<&'static Data, DocumentError> {
    static D: OnceLock<Result<Data, DocumentError>> = OnceLock::new();
    D.get_or_init(|| parse_data(DATA))
        .as_ref()
        .map_err(|e| DocumentError::Embedded {
            file: "checks/openapi/openapi.toml",
            error: Box::new(e.clone()),
        })
}

/// The conventional description URLs for a target, in list order: origin
/// paths, then paths relative to the target URL's path (when it has one).
/// Unparseable or duplicate URLs are dropped.
pub fn conventional_urls(origin: &str, target: &Url) -> Vec<(String, Url)> {
    let Ok(d) = data() else { return Vec::new() };
    let mut out: Vec<(String, Url)> = Vec::new();
    let target_path = target.path().trim_end_matches('/');
    for loc in &d.location {
        let url = if loc.relative {
            if target_path.is_empty() {
                continue;
            }
            Url::parse(&format!(
                "{origin}{target_path}/{}",
                loc.path.trim_start_matches('/')
            ))
        } else {
            Url::parse(&format!("{origin}{}", loc.path))
        };
        let Ok(url) = url else { continue };
        if crate::model::target::origin_of(&url) != origin || out.iter().any(|(_, u)| *u == url) {
            continue;
        }
        out.push((url.path().to_string(), url));
    }
    out
}

/// True when a body looks like JSON rather than YAML (first non-blank
/// character `{` or `[`, after an optional BOM).
pub fn looks_like_json(body: &[u8]) -> bool {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    body.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{' || *b == b'[')
}

/// Parse a description body: JSON when it looks like JSON (serde_json caps
/// nesting at 128), else YAML through the bounded reader, keeping only
/// what the checks read ([`crate::parse::json::description_prune`])
/// within `budget` bytes of estimated heap. Returns the tree and its cost.
pub fn parse_description(body: &[u8], budget: usize) -> Result<(Value, usize), DocumentError> {
    use crate::parse::{json, yaml};
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    if looks_like_json(body) {
        return json::parse(body, budget, Some(json::description_prune))
            .map(|p| (p.value, p.cost))
            .map_err(|e| match e {
                DocumentError::OverBudget(_) => DocumentError::TooLarge(Box::new(e)),
                e => DocumentError::NotJson(Box::new(e)),
            });
    }
    let text = std::str::from_utf8(body).map_err(|_| DocumentError::NotUtf8)?;
    Ok(yaml::to_json_within(
        text,
        budget,
        Some(json::description_prune),
    )?)
}

/// [`parse_description`] within [`crate::parse::json::DESCRIPTION_BUDGET`].
#[cfg(any(test, feature = "testing"))]
pub fn parse_body(body: &[u8]) -> Result<Value, DocumentError> {
    parse_description(body, crate::parse::json::DESCRIPTION_BUDGET).map(|(v, _)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_data_is_valid() {
        let d = data().unwrap();
        assert!(
            d.location.len() <= 8,
            "keep the list short: each is a request"
        );
        assert!(d.operations.destructive.iter().any(|w| w == "cancel"));
    }

    #[test]
    fn conventional_urls_follow_the_target() {
        let origin = "https://api.example.com";
        let root = conventional_urls(origin, &Url::parse("https://api.example.com/").unwrap());
        let paths: Vec<&str> = root.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "/openapi.json",
                "/openapi.yaml",
                "/swagger.json",
                "/v3/api-docs",
                "/api/openapi.json"
            ]
        );
        let v1 = conventional_urls(origin, &Url::parse("https://api.example.com/v1/").unwrap());
        assert_eq!(v1.last().unwrap().0, "/v1/openapi.json");
        // /api as the target: the relative entry repeats /api/openapi.json.
        let api = conventional_urls(origin, &Url::parse("https://api.example.com/api").unwrap());
        assert_eq!(api.len(), 5);
    }

    #[test]
    fn bodies() {
        assert!(parse_body(b"  {\"openapi\": \"3.1.0\"}").is_ok());
        assert!(parse_body(b"\xEF\xBB\xBFopenapi: 3.0.0\n").is_ok());
        let e = parse_body(b"{not json").unwrap_err();
        assert!(matches!(e, DocumentError::NotJson(_)), "{e:?}");
        assert!(e.to_string().starts_with("not valid JSON: "), "{e}");
        assert_eq!(parse_body(b"\xff\xfe"), Err(DocumentError::NotUtf8));
        let bad = parse_data(
            "version = 1\n[[location]]\npath = \"/x\"\nwhy = \"short\"\nsource = \"http://x\"\n",
        );
        assert!(bad.is_err());
    }
}

#[cfg(test)]
mod properties {
    //! Whatever a server sends as an API description, reading it never
    //! panics, and every check over it returns a verdict.
    use super::*;
    use proptest::prelude::*;

    /// YAML/JSON-ish text built from the pieces API descriptions are made of.
    fn descriptionish() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("openapi: 3.1.0\n".to_string()),
            Just("swagger: '2.0'\n".to_string()),
            Just("paths:\n  /a:\n    get:\n      security:\n        - o: [x:read]\n".to_string()),
            Just("    delete: {operationId: deleteA}\n".to_string()),
            Just("components:\n  securitySchemes:\n    o: {type: oauth2, flows: {implicit: {scopes: {x:read: Read}}}}\n".to_string()),
            Just("securityDefinitions: {k: {type: apiKey, in: query, name: k}}\n".to_string()),
            Just("servers: [{url: 'https://{h}.example/v1', variables: {h: {default: api}}}]\n".to_string()),
            Just("a: &x [1, 2]\nb: *x\n<<: *x\n".to_string()),
            Just("{\"openapi\": \"3.0.0\", \"paths\": {\"/b\": {\"post\": {\"security\": [{}]}}}}".to_string()),
            Just("{\"linkset\": [{\"service-desc\": [{\"href\": \"/openapi.yaml\"}]}]}".to_string()),
            "\\PC{0,24}",
            "[\\[\\]{}:,&*!|>'\"#\\- \n]{0,16}",
        ];
        proptest::collection::vec(piece, 0..8).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn reading_never_panics(text in descriptionish()) {
            if let Ok(v) = parse_body(text.as_bytes()) {
                let base = Url::parse("https://api.example.com/openapi.yaml").unwrap();
                let _ = crate::parse::openapi::read(&v, &base);
                let _ = crate::parse::links::parse_linkset(&v, &base);
            }
        }

        #[test]
        fn every_check_judges_hostile_descriptions(text in descriptionish()) {
            let ev = crate::testing::hostile_evidence(text.as_bytes());
            let report = crate::testing::report(&ev);
            for c in &report.checks {
                prop_assert!(
                    !c.summary.contains("panicked"),
                    "{} panicked on {text:?}", c.id
                );
            }
        }
    }
}
