//! Helpers more than one category of checks shares: what a missing
//! metadata document means, the transport rule for advertised URLs, the
//! grant types of browserless paths, what a live probe of an advertised
//! endpoint says, and the words of findings about API descriptions.

use crate::evidence::Evidence;
use crate::evidence::views::DocState;
use crate::evidence::views::endpoints::Live;
use crate::model::api::SchemeKind;
use crate::model::outcome::{Code, Evaluation, Finding, Unverified, finding};
use crate::model::target::is_loopback_host;
use base64::Engine;
use serde_json::{Value, json};
use std::sync::Arc;

/// The skip of a check that reads authorization-server metadata when no
/// document was found.
pub(crate) fn no_metadata() -> Evaluation {
    Evaluation::skip("no authorization-server metadata was found (see as-metadata-discovery)")
}

/// What is wrong with a `signed_metadata` member, if present.
pub(crate) fn signed_metadata_problem(doc: &Value) -> Option<String> {
    let sm = doc.get("signed_metadata")?;
    let Some(s) = sm.as_str() else {
        return Some("signed_metadata is not a string".into());
    };
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() != 3 {
        return Some("signed_metadata is not a compact JWS (three dot-separated parts)".into());
    }
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(parts[1].trim_end_matches('='))
        .ok()
        // Within the budget of any JSON view: a payload of small values
        // inside a 1 MiB document would otherwise cost ~90 MB.
        .and_then(|b| {
            crate::parse::json::parse(&b, crate::parse::json::JSON_VIEW_BUDGET, None)
                .ok()
                .map(|p| p.value)
        });
    match payload {
        None => Some("the signed_metadata payload is not base64url-encoded JSON".into()),
        Some(p) if p.get("iss").and_then(Value::as_str).is_none() => {
            Some("the signed_metadata claims have no `iss` (RFC 8414 §2.1 requires it)".into())
        }
        Some(_) => None,
    }
}

/// Scheme and host are acceptable for an issuer or endpoint: https, or http
/// on a loopback host.
pub(crate) fn transport_ok(u: &url::Url) -> bool {
    u.scheme() == "https" || (u.scheme() == "http" && u.host_str().is_some_and(is_loopback_host))
}

/// Compile an embedded JSON Schema (a test proves each compiles).
pub(crate) fn schema(text: &str) -> jsonschema::Validator {
    let s: Value = serde_json::from_str(text).expect("embedded schema is JSON");
    jsonschema::validator_for(&s).expect("embedded schema compiles")
}

/// A document a hop of discovery leads to that was not fetched (the SSRF
/// guard, a run restricted to loopback) or not answered: not verified.
/// When the SSRF guard refused it, an informative finding (`refused_code`)
/// says so too.
pub(crate) fn hop_unverified(
    ev: &Evidence,
    probe: &str,
    idx: usize,
    state: &DocState,
    refused_code: Code,
    what: &str,
) -> Option<(Option<Finding>, Unverified)> {
    let u = crate::model::outcome::Unverified::of_exchange(ev.exchange(idx)?, what)?;
    let f = match state {
        DocState::Refused(msg) => {
            Some(finding(refused_code, format!("{what}: {msg}"), Some(probe)))
        }
        _ => None,
    };
    Some((f, u))
}

/// Grant type URNs.
pub(crate) const DEVICE_CODE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// RFC 7523.
pub(crate) const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// RFC 8693.
pub(crate) const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";

/// OpenID CIBA.
pub(crate) const CIBA: &str = "urn:openid:params:grant-type:ciba";

/// The ID-JAG grant profile (draft-ietf-oauth-identity-assertion-authz-grant).
pub(crate) const ID_JAG: &str = "urn:ietf:params:oauth:grant-profile:id-jag";

/// The strings of an array member (empty when absent or not an array).
pub(crate) fn strings<'a>(doc: &'a Value, key: &str) -> Vec<&'a str> {
    doc.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// True when `grant_types_supported` lists `grant`.
pub(crate) fn has_grant(doc: &Value, grant: &str) -> bool {
    strings(doc, "grant_types_supported").contains(&grant)
}

/// True when an answer says the endpoint is not really there: 404/405/501,
/// an HTML page, or a 5xx. A probe that got no answer is not judged here:
/// it is not verified ([`Live::unverified`]).
pub(crate) fn unavailable(l: &Live<'_>) -> bool {
    match l.response {
        None => false,
        Some(r) => matches!(r.status, 404 | 405 | 501) || r.status >= 500 || l.is_html(),
    }
}

/// Passive mode: the endpoint is advertised, the live request was not
/// sent. An info finding says so, and the verdict is not a pass.
pub(crate) fn not_verified(code: Code, what: &str, url: &str) -> (Finding, Unverified) {
    (
        finding(
            code,
            format!("{what} is advertised but was not verified live: passive mode sends no POST"),
            None,
        ),
        crate::model::outcome::Unverified::passive(&format!("POST {url}")),
    )
}

/// The documents that advertise an endpoint `member`, as (probe id,
/// "URL (named by document URL)").
pub(crate) fn advertised(
    docs: &[(String, String, Arc<Value>)],
    member: &str,
) -> Vec<(String, String)> {
    docs.iter()
        .filter_map(|(p, u, d)| {
            d.get(member)
                .and_then(Value::as_str)
                .map(|e| (p.clone(), format!("{e} (named by {u})")))
        })
        .collect()
}

/// "and N more", after a list cut short.
pub(crate) fn more(n: usize) -> String {
    format!("and {n} more")
}

/// An API description's security scheme as report `data`.
pub(crate) fn scheme_json(s: &crate::model::api::SecurityScheme) -> Value {
    match &s.kind {
        SchemeKind::ApiKey { location, param } => {
            json!({"name": s.name, "type": "apiKey", "in": location, "param": param})
        }
        SchemeKind::Http { scheme } => json!({"name": s.name, "type": "http", "scheme": scheme}),
        SchemeKind::OAuth2 {
            flows,
            metadata_url,
        } => json!({
            "name": s.name,
            "type": "oauth2",
            "flows": flows.iter().map(|f| json!({
                "flow": f.kind.as_str(),
                "authorization_url": f.authorization_url,
                "token_url": f.token_url,
                "device_authorization_url": f.device_authorization_url,
                "scopes": f.scopes.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "oauth2_metadata_url": metadata_url,
        }),
        SchemeKind::OpenIdConnect { url } => {
            json!({"name": s.name, "type": "openIdConnect", "url": url})
        }
        SchemeKind::MutualTls => json!({"name": s.name, "type": "mutualTLS"}),
        SchemeKind::Other(t) => json!({"name": s.name, "type": t}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_metadata_payload_is_read_within_the_memory_budget() {
        use base64::Engine as _;
        // 1.6 MB of small objects: ~150 MB once parsed without a budget.
        let payload = format!("[{}]", vec![r#"{"a":1}"#; 200_000].join(","));
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload);
        let doc = serde_json::json!({"signed_metadata": format!("e30.{b64}.c2ln")});
        let problem = signed_metadata_problem(&doc).unwrap();
        assert!(problem.contains("not base64url-encoded JSON"), "{problem}");
        let ok = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(r#"{"iss":"https://a.example"}"#);
        let doc = serde_json::json!({"signed_metadata": format!("e30.{ok}.c2ln")});
        assert_eq!(signed_metadata_problem(&doc), None);
    }
}
