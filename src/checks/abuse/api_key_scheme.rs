//! `api-key-scheme`: The API is not protected only by unscoped API keys.
//!
//! RFC 9700 §2.3, RFC 6750 §2.3, OpenAPI Security Scheme
//! Object, OWASP API2:2023.

use crate::checks::Builtin;
use crate::checks::codes::api_key_scheme as code;
use crate::checks::common::scheme_json;
use crate::evidence::Evidence;
use crate::evidence::views::api::api_view;
use crate::evidence::views::cards::{CardsView, cards_view};
use crate::evidence::views::descriptions::found;
use crate::evidence::views::metadata::as_view;
use crate::evidence::views::prm::prm_view;
use crate::model::api::{SchemeKind, SecurityScheme};
use crate::model::outcome::{Evaluation, Finding, finding};
use crate::model::probe::Needs;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::AS_METADATA
        .with(Needs::API)
        .with(Needs::API_RESOURCES)
        .with(Needs::API_DESCRIPTION)
        .with(Needs::CARDS),
    eval: api_key_scheme,
};

/// The schemes the discovery cards declare: the A2A agent card's
/// `securitySchemes`, and each header an MCP server card's remote marks
/// `isSecret` (an `Authorization` header is a static bearer token, any
/// other an API key in a header).
fn card_schemes(cards: &CardsView) -> Vec<(String, String, SecurityScheme)> {
    let mut out = Vec::new();
    if let (Some((probe, card)), Some(doc)) = (cards.agent_card(), &cards.agent) {
        for s in &card.schemes {
            out.push((doc.url.clone(), probe.to_string(), s.clone()));
        }
    }
    for f in &cards.found {
        for r in &f.card.remotes {
            for h in &r.secret_headers {
                let kind = if h.eq_ignore_ascii_case("authorization") {
                    SchemeKind::Http {
                        scheme: "bearer".into(),
                    }
                } else {
                    SchemeKind::ApiKey {
                        location: "header".into(),
                        param: h.clone(),
                    }
                };
                out.push((
                    f.url.clone(),
                    f.probe.clone(),
                    SecurityScheme {
                        name: format!("{h} (server card)"),
                        kind,
                        deprecated: false,
                    },
                ));
            }
        }
    }
    out
}

/// `api-key-scheme`: RFC 9700 §2.3, RFC 6750 §2.3, OpenAPI Security Scheme
/// Object, OWASP API2:2023.
pub fn api_key_scheme(ev: &Evidence) -> Evaluation {
    let all = found(ev);
    let descs = all.readable();
    let mut evidence: Vec<String> = descs.iter().map(|(f, _)| f.probe.to_string()).collect();
    let challenges: Vec<(String, String, Vec<String>)> = api_view(ev)
        .iter()
        .filter(|a| !a.invalid_token)
        .filter_map(|a| {
            let r = a.response(ev)?;
            (r.status == 401).then(|| {
                (
                    a.probe.to_string(),
                    a.url.to_string(),
                    a.challenges
                        .iter()
                        .map(|c| c.scheme.to_ascii_lowercase())
                        .collect(),
                )
            })
        })
        .collect();
    // Schemes declared by API descriptions, by the A2A agent card, and
    // the secret headers of MCP server cards: (where, probe, scheme).
    let cards = cards_view(ev);
    let card_schemes = card_schemes(&cards);
    let schemes: Vec<(&str, &str, &SecurityScheme)> = descs
        .iter()
        .flat_map(|(f, d)| {
            d.schemes
                .iter()
                .map(move |s| (f.url.as_str(), f.probe.as_str(), s))
        })
        .chain(
            card_schemes
                .iter()
                .map(|(u, p, s)| (u.as_str(), p.as_str(), s)),
        )
        .collect();
    evidence.extend(card_schemes.iter().map(|(_, p, _)| p.clone()));
    let challenge_schemes: BTreeSet<&str> = challenges
        .iter()
        .flat_map(|(_, _, s)| s.iter().map(String::as_str))
        .collect();
    if schemes.is_empty() && challenge_schemes.is_empty() {
        return Evaluation::skip(
            "no API description or discovery card declares a security scheme and no 401 challenge names one",
        );
    }
    evidence.extend(challenges.iter().map(|(p, _, _)| p.clone()));
    // OAuth evidence: a scheme, usable metadata, a protected-resource
    // document, or a challenge that points at one.
    let metadata_found = as_view(ev).iter().any(|iv| iv.effective().is_some());
    let prm_found = prm_view(ev).iter().any(|c| c.doc().is_some());
    let oauth_scheme = schemes.iter().any(|(_, _, s)| s.is_oauth());
    let challenge_oauth = api_view(ev).iter().any(|a| {
        a.bearer()
            .is_some_and(|b| b.param("resource_metadata").is_some())
    });
    let oauth = oauth_scheme || metadata_found || prm_found || challenge_oauth;
    let mut keys: Vec<String> = Vec::new();
    let mut bearer: Vec<String> = Vec::new();
    let mut findings: Vec<Finding> = Vec::new();
    for (url, probe, s) in &schemes {
        match &s.kind {
            SchemeKind::ApiKey { location, param } => {
                keys.push(format!("`{}` (API key in {location} `{param}`)", s.name));
                if location == "query" {
                    findings.push(finding(
                        code::KEY_IN_QUERY,
                        format!(
                            "{url}: `{}` is sent as the query parameter `{param}`, so keys end up in URLs, logs and Referer headers (RFC 6750 §2.3)",
                            s.name
                        ),
                        Some(*probe),
                    ));
                }
            }
            SchemeKind::Http { scheme } if scheme == "basic" || scheme == "digest" => {
                keys.push(format!("`{}` (HTTP {scheme} with a static secret)", s.name));
            }
            SchemeKind::Http { scheme } if scheme == "bearer" => {
                bearer.push(format!("`{}` (HTTP bearer)", s.name));
            }
            _ => {}
        }
    }
    if schemes.is_empty() {
        for (probe, url, ch) in &challenges {
            if ch
                .iter()
                .any(|c| c == "basic" || c == "digest" || c.contains("key"))
                && !ch.iter().any(|c| c == "bearer")
            {
                keys.push(format!(
                    "a `{}` challenge from {url} ({probe})",
                    ch.join(", ")
                ));
            }
        }
    }
    if !keys.is_empty() && !oauth {
        findings.push(finding(
            code::ONLY_API_KEYS,
            format!(
                "the only authentication is {}{}: no OAuth flow is declared and no OAuth metadata was discovered, so every key grants everything its account can do",
                keys.join(", "),
                if bearer.is_empty() {
                    String::new()
                } else {
                    format!(", or a static {}", bearer.join(", "))
                }
            ),
            None,
        ));
    } else if !keys.is_empty() {
        findings.push(finding(
            code::UNSCOPED,
            format!(
                "{} accepted beside OAuth: keys carry no scopes, so a key grants more than any scoped token",
                keys.join(", ")
            ),
            None,
        ));
    } else if !bearer.is_empty() && !oauth {
        findings.push(finding(
            code::STATIC_BEARER,
            format!(
                "the only scheme is {}, and neither an OAuth flow nor OAuth metadata says how to obtain the token: agents can only paste a static secret",
                bearer.join(", ")
            ),
            None,
        ));
    }
    for iv in as_view(ev).iter() {
        let Some((c, doc)) = iv.effective() else {
            continue;
        };
        let api_key_creds = doc
            .get("agent_auth")
            .and_then(|a| a.get("credential_types_supported"))
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|v| v.as_str() == Some("api_key")));
        if api_key_creds {
            findings.push(finding(
                code::AGENT_AUTH_API_KEY,
                format!(
                    "{}: agent_auth.credential_types_supported includes api_key",
                    c.url
                ),
                Some(c.probe.as_str()),
            ));
        }
    }
    let oauth_text = if oauth_scheme {
        "OAuth declared in the description"
    } else if oauth {
        "OAuth discovered (metadata or challenge)"
    } else {
        "no OAuth"
    };
    let summary = format!(
        "{} declared{}; {oauth_text}",
        crate::model::texts::count(schemes.len(), "scheme", "schemes"),
        if challenge_schemes.is_empty() {
            String::new()
        } else {
            format!(
                ", 401 challenges name {}",
                challenge_schemes.into_iter().collect::<Vec<_>>().join(", ")
            )
        }
    );
    let data = json!({
        "schemes": schemes.iter().map(|(url, _, s)| {
            let mut v = scheme_json(s);
            v["description"] = json!(url);
            v
        }).collect::<Vec<_>>(),
        "challenges": challenges.iter().map(|(p, u, s)| json!({"probe": p, "url": u, "schemes": s})).collect::<Vec<_>>(),
        "oauth": oauth,
    });
    Evaluation::evaluated(summary, findings, evidence).with_data(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::checks::testkit::apis::*;

    use crate::testing::{ORIGIN, codes, evidence, json, judge, route, site, with_headers};
    use serde_json::json;
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

    /// An A2A agent card whose only scheme is an API key, and an MCP
    /// server card whose remote needs a secret header, feed the check.
    #[test]
    fn discovery_cards_feed_the_check() {
        let card = json!({
            "name": "a", "description": "d", "version": "1",
            "supportedInterfaces": [{"url": format!("{ORIGIN}/a2a"), "protocolBinding": "JSONRPC", "protocolVersion": "1.0"}],
            "capabilities": {}, "defaultInputModes": ["text/plain"], "defaultOutputModes": ["text/plain"],
            "skills": [],
            "securitySchemes": {"key": {"apiKeySecurityScheme": {"location": "header", "name": "X-Api-Key"}}}
        });
        let ev = evidence(
            site(vec![json("/.well-known/agent-card.json", &card)], None),
            ORIGIN,
        );
        let r = judge(&ev, "api-key-scheme");
        assert_eq!(codes(&r), vec!["api-key-scheme-only-api-keys"]);
        let server_card = json!({
            "$schema": crate::parse::cards::SERVER_CARD_SCHEMA,
            "name": "com.example/x", "version": "1", "description": "x",
            "remotes": [{"type": "streamable-http", "url": format!("{ORIGIN}/mcp"),
                "headers": [{"name": "X-Api-Key", "isSecret": true, "isRequired": true}]}]
        });
        let catalog = json!({"specVersion": "1.0", "entries": [{"identifier": "x",
            "type": "application/mcp-server-card+json", "data": server_card}]});
        let ev = evidence(
            site(vec![json("/.well-known/ai-catalog.json", &catalog)], None),
            ORIGIN,
        );
        let r = judge(&ev, "api-key-scheme");
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
}
