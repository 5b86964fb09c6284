//! Authorization-server metadata family: discovery (RFC 8414 §3, OIDC
//! Discovery §4, MCP 2025-11-25 order), conformance (RFC 8414 §2), issuer
//! identity (RFC 8414 §3.3), endpoint transport, OAuth 2.1 grants, PKCE
//! (RFC 7636 §4.2).
//!
//! All evaluators share one view of the evidence, [`as_view`]: for every
//! issuer candidate (the target origin, the target URL with its path, and
//! each issuer a protected-resource document lists), the metadata URLs tried
//! in MCP order and what each answered. A document is *found* only when a
//! URL answered 200 with a JSON object that differs from what a random path
//! gets, so a catch-all site finds nothing.

use crate::evidence::Evidence;
pub use crate::evidence::views::metadata::{IssuerView, as_view, found_docs, issuer_matches};
pub use crate::evidence::views::{DocState, state_of};
use crate::model::outcome::{Evaluation, Finding, finding};
use crate::model::probe::{IssuerSource, ProbeMeta};
use crate::model::target::is_loopback_host;
use base64::Engine;
use serde_json::{Map, Value};
use std::sync::OnceLock;

/// The checks of this family, in catalogue order.
pub const IDS: [&str; 7] = [
    "as-metadata-discovery",
    "as-metadata-conformance",
    "issuer-identifier",
    "endpoint-transport",
    "oauth21-grants",
    "pkce-s256",
    "pkce-downgrade",
];

fn no_metadata() -> Evaluation {
    Evaluation::skip("no authorization-server metadata was found (see as-metadata-discovery)")
}

// ---------------------------------------------------------------------------
// as-metadata-discovery

/// `as-metadata-discovery`: RFC 8414 §3 / OIDC Discovery §4 / MCP 2025-11-25.
pub fn as_metadata_discovery(ev: &Evidence) -> Evaluation {
    let view = as_view(ev);
    let probes: Vec<String> = view
        .iter()
        .flat_map(|v| v.candidates.iter().map(|c| c.probe.to_string()))
        .collect();
    if view.is_empty() {
        return Evaluation::error("no authorization-server metadata URL was probed", probes);
    }
    let all_failed = view.iter().all(|v| {
        v.candidates
            .iter()
            .all(|c| matches!(c.state, DocState::Failed(_)))
    });
    if all_failed {
        let why = view
            .iter()
            .flat_map(|v| v.candidates.iter())
            .find_map(|c| match &c.state {
                DocState::Failed(e) => Some(e.clone()),
                _ => None,
            })
            .unwrap_or_default();
        return Evaluation::error(format!("no metadata URL could be fetched: {why}"), probes);
    }
    let mut findings: Vec<Finding> = Vec::new();
    let mut usable: Vec<String> = Vec::new();
    let mut unusable: Vec<String> = Vec::new();
    let mut unverified = Vec::new();
    for iv in view.iter() {
        match iv.effective() {
            Some((c, doc)) => {
                let declared = doc.get("issuer").and_then(Value::as_str);
                let ok = declared.is_some_and(|d| issuer_matches(iv.issuer.as_str(), d));
                let via = match &iv.source {
                    IssuerSource::AuthorizationServers { prm } => {
                        format!(" (listed in authorization_servers of {prm})")
                    }
                    IssuerSource::ApiDescription { description } => {
                        format!(
                            " (named by the security scheme of the API description {description})"
                        )
                    }
                    _ => String::new(),
                };
                findings.push(finding(
                    "as-metadata-discovery-found",
                    format!(
                        "issuer {}{via}: {} metadata at {}",
                        iv.issuer,
                        c.form.describe(),
                        c.url
                    ),
                    Some(c.probe.as_str()),
                ));
                if ok {
                    let route = match &iv.source {
                        IssuerSource::AuthorizationServers { prm }
                            if reached_by_challenge(ev, prm.as_str()) =>
                        {
                            ", reached challenge → protected-resource metadata → authorization_servers"
                        }
                        IssuerSource::AuthorizationServers { .. } => {
                            ", reached protected-resource metadata → authorization_servers"
                        }
                        _ => "",
                    };
                    usable.push(format!("{} ({}{route})", c.url, c.form.describe()));
                } else {
                    unusable.push(c.url.to_string());
                    findings.push(finding(
                        "as-metadata-discovery-unusable",
                        format!(
                            "the document at {} declares issuer {} but was reached from issuer {}: RFC 8414 §3.3 / OIDC Discovery §4.3 say a client must not use it",
                            c.url,
                            declared.map_or_else(|| "(none)".to_string(), |d| format!("`{d}`")),
                            iv.issuer
                        ),
                        Some(c.probe.as_str()),
                    ));
                }
            }
            None => {
                // A metadata URL not fetched (the SSRF guard, a run
                // restricted to loopback) or not answered might have held
                // the document: not verified.
                let not_verified: Vec<crate::model::outcome::Unverified> = iv
                    .candidates
                    .iter()
                    .filter_map(|c| {
                        ev.exchange(c.exchange).and_then(|x| {
                            crate::model::outcome::Unverified::of_exchange(
                                x,
                                &format!("GET of {} (for issuer {})", c.url, iv.issuer),
                            )
                        })
                    })
                    .collect();
                let open = !not_verified.is_empty();
                unverified.extend(not_verified);
                if let IssuerSource::AuthorizationServers { prm } = &iv.source
                    && !open
                {
                    let tried: Vec<String> = iv
                        .candidates
                        .iter()
                        .map(|c| format!("{} → {}", c.url, c.state.describe()))
                        .collect();
                    findings.push(finding(
                        "as-metadata-discovery-listed-issuer-missing",
                        format!(
                            "{prm} lists the authorization server {}, but none of its metadata URLs gave a document: {}",
                            iv.issuer,
                            tried.join("; ")
                        ),
                        iv.candidates.first().map(|c| c.probe.as_str()),
                    ));
                }
            }
        }
    }
    if !usable.is_empty() {
        // Found and usable: what a listed issuer's unfetched URLs hold does
        // not change that.
        unverified.clear();
    }
    if usable.is_empty() && unusable.is_empty() && !unverified.is_empty() {
        return Evaluation::evaluated(
            "No authorization-server metadata found at the URLs that answered",
            findings,
            probes,
        )
        .with_data(serde_json::json!({ "steps": super::discovery::discovery_steps(ev) }))
        .with_unverified(unverified);
    }
    if usable.is_empty() && unusable.is_empty() {
        let tried: Vec<String> = view
            .iter()
            .flat_map(|v| v.candidates.iter())
            .map(|c| format!("{} → {}", c.url, c.state.describe()))
            .collect();
        findings.push(finding(
            "as-metadata-discovery-not-found",
            format!(
                "no authorization-server metadata at any well-known URL: {}",
                tried.join("; ")
            ),
            None,
        ));
        return Evaluation::evaluated(
            "No authorization-server metadata found at the RFC 8414 or OpenID discovery URLs",
            findings,
            probes,
        )
        .with_data(serde_json::json!({ "steps": super::discovery::discovery_steps(ev) }));
    }
    let summary = if let Some(first) = usable.first() {
        format!("Authorization-server metadata found at {first}")
    } else {
        "Metadata found, but its issuer does not match the URL it was found at".to_string()
    };
    Evaluation::evaluated(summary, findings, probes)
        .with_data(serde_json::json!({ "steps": super::discovery::discovery_steps(ev) }))
        .with_unverified(unverified)
}

/// True when the PRM behind `prm` (a probe id) is also the document a
/// challenge's `resource_metadata` named (the same exchange): the MCP route.
fn reached_by_challenge(ev: &Evidence, prm: &str) -> bool {
    let Some(idx) = ev.record(prm).map(|r| r.exchange) else {
        return false;
    };
    ev.probes_where(|m| {
        matches!(
            m,
            ProbeMeta::ProtectedResource {
                form: crate::model::probe::PrmForm::Challenge { .. },
                ..
            }
        )
    })
    .any(|(_, r)| r.exchange == idx)
}

// ---------------------------------------------------------------------------
// as-metadata-conformance

fn as_metadata_schema() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let s: Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/checks/schema/as-metadata.schema.json"
        )))
        .expect("embedded schema is JSON");
        jsonschema::validator_for(&s).expect("embedded schema compiles")
    })
}

fn str_array<'a>(doc: &'a Value, key: &str) -> Option<Vec<&'a str>> {
    doc.get(key)?
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
}

/// Grant types that use the authorization endpoint (RFC 8414 §2).
fn uses_authorization_endpoint(doc: &Value) -> bool {
    match str_array(doc, "grant_types_supported") {
        // Omitted: the default is ["authorization_code", "implicit"].
        None => true,
        Some(g) => g
            .iter()
            .any(|g| *g == "authorization_code" || *g == "implicit"),
    }
}

fn only_implicit(doc: &Value) -> bool {
    str_array(doc, "grant_types_supported")
        .is_some_and(|g| !g.is_empty() && g.iter().all(|g| *g == "implicit"))
}

/// What is wrong with a `signed_metadata` member, if present.
pub fn signed_metadata_problem(doc: &Value) -> Option<String> {
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

/// `as-metadata-conformance`: RFC 8414 §2 and §3.2, OIDC Discovery §3.
pub fn as_metadata_conformance(ev: &Evidence) -> Evaluation {
    let view = as_view(ev);
    let docs = found_docs(&view);
    if docs.is_empty() {
        return no_metadata();
    }
    let mut findings = Vec::new();
    let mut probes = Vec::new();
    for (c, doc, _) in &docs {
        probes.push(c.probe.to_string());
        let url = c.url.as_str();
        let p = Some(c.probe.as_str());
        let resp = ev
            .exchanges()
            .get(c.exchange)
            .and_then(|x| x.response.as_ref());
        if let Some(resp) = resp
            && !resp.is_json_media_type()
        {
            findings.push(finding(
                "as-metadata-conformance-content-type",
                format!(
                    "{url} is served as {} instead of application/json (RFC 8414 §3.2)",
                    resp.header("content-type").unwrap_or("(no Content-Type)")
                ),
                p,
            ));
        }
        for r in ev.json_repairs_at(c.exchange).iter() {
            findings.push(finding(
                "as-metadata-conformance-json-member",
                format!("{url}: {r}"),
                p,
            ));
        }
        for e in as_metadata_schema().iter_errors(doc) {
            findings.push(finding(
                "as-metadata-conformance-type",
                format!(
                    "{url}: member {} has the wrong type: {e}",
                    e.instance_path()
                ),
                p,
            ));
        }
        let mut missing: Vec<&str> = Vec::new();
        if doc.get("issuer").is_none() {
            missing.push("issuer");
        }
        // An empty REQUIRED array says nothing (RFC 8414 §3.2 omits empty
        // members): it counts as missing.
        if doc
            .get("response_types_supported")
            .is_none_or(|v| v.as_array().is_some_and(Vec::is_empty))
        {
            missing.push("response_types_supported");
        }
        if doc.get("authorization_endpoint").is_none() && uses_authorization_endpoint(doc) {
            missing.push("authorization_endpoint");
        }
        if doc.get("token_endpoint").is_none() && !only_implicit(doc) {
            missing.push("token_endpoint");
        }
        if !missing.is_empty() {
            findings.push(finding(
                "as-metadata-conformance-missing-required",
                format!(
                    "{url} lacks REQUIRED member(s) {} (RFC 8414 §2)",
                    missing.join(", ")
                ),
                p,
            ));
        }
        if c.form.is_oidc() {
            let oidc_missing: Vec<&str> = [
                "jwks_uri",
                "subject_types_supported",
                "id_token_signing_alg_values_supported",
            ]
            .into_iter()
            .filter(|k| doc.get(*k).is_none())
            .collect();
            if !oidc_missing.is_empty() {
                findings.push(finding(
                    "as-metadata-conformance-oidc-required",
                    format!(
                        "{url} is an OpenID discovery document but lacks {} (OpenID Connect Discovery §3)",
                        oidc_missing.join(", ")
                    ),
                    p,
                ));
            }
        }
        let empty: Vec<&String> = doc
            .as_object()
            .map(Map::iter)
            .into_iter()
            .flatten()
            .filter(|(_, v)| v.as_array().is_some_and(Vec::is_empty))
            .map(|(k, _)| k)
            .collect();
        if !empty.is_empty() {
            findings.push(finding(
                "as-metadata-conformance-empty-array",
                format!(
                    "{url} has empty arrays ({}): RFC 8414 §3.2 says members with zero elements are omitted",
                    empty.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                ),
                p,
            ));
        }
        if str_array(doc, "token_endpoint_auth_signing_alg_values_supported")
            .is_some_and(|a| a.contains(&"none"))
        {
            findings.push(finding(
                "as-metadata-conformance-alg-none",
                format!("{url}: token_endpoint_auth_signing_alg_values_supported lists \"none\", which RFC 8414 §2 forbids"),
                p,
            ));
        }
        if let Some(problem) = signed_metadata_problem(doc) {
            findings.push(finding(
                "as-metadata-conformance-signed-metadata",
                format!("{url}: {problem}"),
                p,
            ));
        }
    }
    let summary = if findings.is_empty() {
        format!("{} metadata document(s) conform to RFC 8414 §2", docs.len())
    } else {
        format!(
            "{} conformance problem(s) in {} metadata document(s)",
            findings.len(),
            docs.len()
        )
    };
    Evaluation::evaluated(summary, findings, probes)
}

// ---------------------------------------------------------------------------
// issuer-identifier

/// Scheme and host are acceptable for an issuer or endpoint: https, or http
/// on a loopback host.
pub fn transport_ok(u: &url::Url) -> bool {
    u.scheme() == "https" || (u.scheme() == "http" && u.host_str().is_some_and(is_loopback_host))
}

/// `issuer-identifier`: RFC 8414 §2 and §3.3, OIDC Discovery §4.3.
pub fn issuer_identifier(ev: &Evidence) -> Evaluation {
    let view = as_view(ev);
    let docs = found_docs(&view);
    if docs.is_empty() {
        return no_metadata();
    }
    let mut findings = Vec::new();
    let mut probes = Vec::new();
    for (c, doc, issuers) in &docs {
        probes.push(c.probe.to_string());
        let url = c.url.as_str();
        let p = Some(c.probe.as_str());
        let Some(declared) = doc.get("issuer").and_then(Value::as_str) else {
            findings.push(finding(
                "issuer-identifier-missing",
                format!("{url} has no string `issuer` member"),
                p,
            ));
            continue;
        };
        match url::Url::parse(declared) {
            Err(_) => findings.push(finding(
                "issuer-identifier-not-url",
                format!("{url}: issuer `{declared}` is not an absolute URL"),
                p,
            )),
            Ok(u) => {
                if !transport_ok(&u) {
                    findings.push(finding(
                        "issuer-identifier-not-https",
                        format!("{url}: issuer `{declared}` does not use https (RFC 8414 §2)"),
                        p,
                    ));
                }
                if declared.contains('?') || declared.contains('#') {
                    findings.push(finding(
                        "issuer-identifier-query-fragment",
                        format!("{url}: issuer `{declared}` has a query or fragment (RFC 8414 §2 forbids both)"),
                        p,
                    ));
                }
            }
        }
        for expected in issuers {
            if issuer_matches(expected, declared) {
                continue;
            }
            if declared.contains('{') && declared.contains('}') {
                findings.push(finding(
                    "issuer-identifier-template",
                    format!(
                        "{url} declares the template issuer `{declared}` (a multi-tenant placeholder), not `{expected}`: clients that validate the issuer reject it"
                    ),
                    p,
                ));
            } else {
                findings.push(finding(
                    "issuer-identifier-mismatch",
                    format!(
                        "{url} was built from issuer `{expected}` but declares `{declared}`: RFC 8414 §3.3 requires them to be identical (simple string comparison), and a client must not use the document"
                    ),
                    p,
                ));
            }
        }
    }
    let summary = if findings.is_empty() {
        "Every metadata document's issuer is identical to the issuer its URL was built from"
            .to_string()
    } else {
        format!("{} issuer problem(s)", findings.len())
    };
    Evaluation::evaluated(summary, findings, probes)
}

// ---------------------------------------------------------------------------
// endpoint-transport

/// Members that hold endpoints a client sends requests or tokens to.
fn is_endpoint_member(key: &str) -> bool {
    key.ends_with("_endpoint") || key == "jwks_uri" || key == "check_session_iframe"
}

/// Members that hold documentation or policy links.
fn is_link_member(key: &str) -> bool {
    (key.ends_with("_uri") || key == "service_documentation") && !is_endpoint_member(key)
}

/// `endpoint-transport`: RFC 8414 §2, OAuth 2.1 §1.5, MCP 2025-11-25.
pub fn endpoint_transport(ev: &Evidence) -> Evaluation {
    let view = as_view(ev);
    let docs = found_docs(&view);
    if docs.is_empty() {
        return no_metadata();
    }
    let mut findings = Vec::new();
    let mut probes = Vec::new();
    let mut checked = 0usize;
    for (c, doc, _) in &docs {
        probes.push(c.probe.to_string());
        let Some(obj) = doc.as_object() else { continue };
        let mut members: Vec<(String, &str, bool)> = Vec::new();
        for (k, v) in obj {
            if let Some(s) = v.as_str() {
                if is_endpoint_member(k) {
                    members.push((k.clone(), s, true));
                } else if is_link_member(k) {
                    members.push((k.clone(), s, false));
                }
            }
        }
        if let Some(aliases) = obj.get("mtls_endpoint_aliases").and_then(Value::as_object) {
            for (k, v) in aliases {
                if let Some(s) = v.as_str() {
                    members.push((format!("mtls_endpoint_aliases.{k}"), s, true));
                }
            }
        }
        for (k, s, endpoint) in members {
            checked += 1;
            let p = Some(c.probe.as_str());
            match url::Url::parse(s) {
                Err(_) => findings.push(finding(
                    "endpoint-transport-not-absolute",
                    format!("{}: {k} = `{s}` is not an absolute URL", c.url),
                    p,
                )),
                Ok(u) if !transport_ok(&u) => {
                    let code = if endpoint {
                        "endpoint-transport-http"
                    } else {
                        "endpoint-transport-http-link"
                    };
                    findings.push(finding(
                        code,
                        format!("{}: {k} = `{s}` does not use https", c.url),
                        p,
                    ));
                }
                Ok(_) => {}
            }
        }
    }
    let summary = if findings.is_empty() {
        format!(
            "All {checked} advertised endpoint and link URL(s) are absolute https URLs (http accepted on loopback)"
        )
    } else {
        format!(
            "{} of {checked} advertised URL(s) are not absolute https URLs",
            findings.len()
        )
    };
    Evaluation::evaluated(summary, findings, probes)
}

// ---------------------------------------------------------------------------
// oauth21-grants

/// `oauth21-grants`: OAuth 2.1 removes the implicit and password grants.
pub fn oauth21_grants(ev: &Evidence) -> Evaluation {
    let view = as_view(ev);
    let docs = found_docs(&view);
    if docs.is_empty() {
        return no_metadata();
    }
    let mut findings = Vec::new();
    let mut probes = Vec::new();
    for (c, doc, _) in &docs {
        probes.push(c.probe.to_string());
        let p = Some(c.probe.as_str());
        let grants = str_array(doc, "grant_types_supported");
        let token_response_types: Vec<&str> = str_array(doc, "response_types_supported")
            .unwrap_or_default()
            .into_iter()
            .filter(|rt| rt.split_whitespace().any(|t| t == "token"))
            .collect();
        if grants.as_ref().is_some_and(|g| g.contains(&"password")) {
            findings.push(finding(
                "oauth21-grants-password",
                format!(
                    "{} lists the resource-owner password grant: an agent would have to hold the user's password (removed in OAuth 2.1)",
                    c.url
                ),
                p,
            ));
        }
        let implicit_grant = grants.as_ref().is_some_and(|g| g.contains(&"implicit"));
        if implicit_grant || !token_response_types.is_empty() {
            let mut why = Vec::new();
            if implicit_grant {
                why.push("grant_types_supported lists implicit".to_string());
            }
            if !token_response_types.is_empty() {
                why.push(format!(
                    "response_types_supported lists {}",
                    token_response_types
                        .iter()
                        .map(|t| format!("\"{t}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            findings.push(finding(
                "oauth21-grants-implicit",
                format!(
                    "{}: {} (the implicit grant is removed in OAuth 2.1)",
                    c.url,
                    why.join("; ")
                ),
                p,
            ));
        } else if grants.is_none() {
            findings.push(finding(
                "oauth21-grants-implicit-by-default",
                format!(
                    "{} omits grant_types_supported, whose RFC 8414 default includes implicit; no token response type is listed, so this is only a default",
                    c.url
                ),
                p,
            ));
        }
    }
    let bad = findings
        .iter()
        .any(|f| f.code != "oauth21-grants-implicit-by-default");
    let summary = if bad {
        "Grants removed by OAuth 2.1 are advertised".to_string()
    } else {
        "Neither the implicit nor the password grant is advertised".to_string()
    };
    Evaluation::evaluated(summary, findings, probes)
}

// ---------------------------------------------------------------------------
// pkce-s256 and pkce-downgrade

enum Methods<'a> {
    Absent,
    Malformed,
    List(Vec<&'a str>),
}

fn pkce_methods(doc: &Value) -> Methods<'_> {
    match doc.get("code_challenge_methods_supported") {
        None => Methods::Absent,
        Some(Value::Array(a)) => {
            let list: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
            if list.len() == a.len() {
                Methods::List(list)
            } else {
                Methods::Malformed
            }
        }
        Some(_) => Methods::Malformed,
    }
}

/// `pkce-s256`: RFC 7636 §4.2, RFC 8414 §2, MCP 2025-11-25.
pub fn pkce_s256(ev: &Evidence) -> Evaluation {
    let view = as_view(ev);
    let mut findings = Vec::new();
    let mut probes = Vec::new();
    let mut judged = 0usize;
    for iv in view.iter() {
        let Some((c, doc)) = iv.effective() else {
            continue;
        };
        judged += 1;
        probes.push(c.probe.to_string());
        let p = Some(c.probe.as_str());
        match pkce_methods(doc) {
            Methods::Absent => findings.push(finding(
                "pkce-s256-not-advertised",
                format!(
                    "{} has no code_challenge_methods_supported: by RFC 8414 §2 the server does not support PKCE, and MCP clients must refuse it",
                    c.url
                ),
                p,
            )),
            Methods::Malformed => findings.push(finding(
                "pkce-s256-malformed",
                format!("{}: code_challenge_methods_supported is not an array of strings", c.url),
                p,
            )),
            Methods::List(m) if !m.contains(&"S256") => findings.push(finding(
                "pkce-s256-missing",
                format!(
                    "{}: code_challenge_methods_supported is [{}] without S256",
                    c.url,
                    m.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ")
                ),
                p,
            )),
            Methods::List(_) => {}
        }
        // MCP 2025-11-25: an AS offering OpenID discovery MUST include the
        // member there too; a client may read that document instead.
        for other in iv
            .candidates
            .iter()
            .filter(|o| o.exchange != c.exchange && o.form.is_oidc())
        {
            if let DocState::Found(d) = &other.state
                && matches!(pkce_methods(d), Methods::Absent)
            {
                findings.push(finding(
                    "pkce-s256-oidc-missing",
                    format!(
                        "the OpenID discovery document {} of the same issuer omits code_challenge_methods_supported (MCP 2025-11-25 requires it there too)",
                        other.url
                    ),
                    Some(other.probe.as_str()),
                ));
            }
        }
    }
    if judged == 0 {
        return no_metadata();
    }
    let summary = if findings.iter().any(|f| f.code != "pkce-s256-oidc-missing") {
        "PKCE with S256 is not advertised".to_string()
    } else {
        "PKCE with S256 is advertised".to_string()
    };
    Evaluation::evaluated(summary, findings, probes)
}

/// `pkce-downgrade`: RFC 7636 §4.2 and §7.2; OAuth 2.1.
pub fn pkce_downgrade(ev: &Evidence) -> Evaluation {
    let view = as_view(ev);
    let mut findings = Vec::new();
    let mut probes = Vec::new();
    let mut judged = 0usize;
    for iv in view.iter() {
        let Some((c, doc)) = iv.effective() else {
            continue;
        };
        let Methods::List(m) = pkce_methods(doc) else {
            continue;
        };
        judged += 1;
        probes.push(c.probe.to_string());
        let p = Some(c.probe.as_str());
        let plain = m.contains(&"plain");
        let s256 = m.contains(&"S256");
        if plain && s256 {
            findings.push(finding(
                "pkce-downgrade-plain-offered",
                format!("{} offers plain beside S256: an attacker who can strip the method downgrades the challenge", c.url),
                p,
            ));
        } else if plain {
            findings.push(finding(
                "pkce-downgrade-plain-only",
                format!("{} offers only plain: the code challenge equals the verifier and protects nothing against interception", c.url),
                p,
            ));
        }
        let unknown: Vec<&&str> = m
            .iter()
            .filter(|x| **x != "plain" && **x != "S256")
            .collect();
        if !unknown.is_empty() {
            findings.push(finding(
                "pkce-downgrade-unknown-method",
                format!(
                    "{} lists unregistered method(s) {} (RFC 7636 §4.2 defines only plain and S256; method names are case-sensitive)",
                    c.url,
                    unknown.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ")
                ),
                p,
            ));
        }
    }
    if judged == 0 {
        return Evaluation::skip("no PKCE methods are advertised (see pkce-s256)");
    }
    let summary = if findings.is_empty() {
        "Only S256 is offered".to_string()
    } else {
        "A weaker PKCE method than S256 is offered".to_string()
    };
    Evaluation::evaluated(summary, findings, probes)
}

#[cfg(test)]
mod tests;
