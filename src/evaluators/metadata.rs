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
use crate::model::exchange::{ErrorKind, Exchange};
use crate::model::outcome::{Evaluation, Finding, finding};
use crate::model::probe::{IssuerSource, MetadataForm, ProbeMeta};
use crate::model::target::is_loopback_host;
use base64::Engine;
use serde_json::{Map, Value};
use std::sync::{Arc, OnceLock};

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

/// What one metadata URL answered.
#[derive(Debug, Clone)]
pub enum DocState {
    /// 200 with a JSON object: a metadata document.
    Found(Arc<Value>),
    /// Any status other than 200.
    Status(u16),
    /// 200, but the body is not a JSON object (HTML, text, an array…).
    NotJsonObject {
        /// True when it looks like an HTML page.
        html: bool,
    },
    /// 200 with exactly what a random path gets.
    CatchAll,
    /// The body exceeded the cap.
    Truncated,
    /// No response.
    Failed(String),
    /// Not sent: the SSRF guard refused a private or loopback destination.
    Refused(String),
    /// Not sent: the run is restricted to loopback (tests, demo) and this
    /// destination is not; nothing can be said about it.
    Restricted(String),
}

/// One metadata URL tried for an issuer.
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    /// Probe id.
    pub probe: &'a str,
    /// Exchange index.
    pub exchange: usize,
    /// How the URL was built.
    pub form: MetadataForm,
    /// Position in the MCP order.
    pub order: usize,
    /// The URL.
    pub url: &'a str,
    /// The result.
    pub state: DocState,
}

/// An issuer and its candidate URLs in MCP order.
#[derive(Debug, Clone)]
pub struct IssuerView<'a> {
    /// Issuer string, raw.
    pub issuer: &'a str,
    /// Where it came from (first source seen, by priority).
    pub source: &'a IssuerSource,
    /// URLs tried, in order.
    pub candidates: Vec<Candidate<'a>>,
}

impl IssuerView<'_> {
    /// The document a client following the MCP order would use: the first
    /// candidate that found one.
    pub fn effective(&self) -> Option<(&Candidate<'_>, &Value)> {
        self.candidates.iter().find_map(|c| match &c.state {
            DocState::Found(v) => Some((c, v.as_ref())),
            _ => None,
        })
    }
}

fn source_rank(s: &IssuerSource) -> usize {
    match s {
        IssuerSource::AuthorizationServers { .. } => 0,
        IssuerSource::ApiDescription { .. } => 1,
        IssuerSource::TargetPath => 2,
        IssuerSource::Origin => 3,
    }
}

/// What one exchange answered, judged as a metadata document.
pub fn state_of(ev: &Evidence, idx: usize, x: &Exchange) -> DocState {
    let Some(resp) = &x.response else {
        return match &x.error {
            Some(e) if e.kind == ErrorKind::Refused => DocState::Refused(e.message.clone()),
            Some(e) if e.kind == ErrorKind::Restricted => DocState::Restricted(e.message.clone()),
            Some(e) => DocState::Failed(e.message.clone()),
            None => DocState::Failed("no response".into()),
        };
    };
    if resp.status != 200 {
        return DocState::Status(resp.status);
    }
    if resp.truncated {
        return DocState::Truncated;
    }
    if ev.is_catch_all_like(resp) {
        return DocState::CatchAll;
    }
    match ev.json_at(idx) {
        Some(v) if v.is_object() => DocState::Found(v),
        _ => DocState::NotJsonObject {
            html: resp.looks_like_html(),
        },
    }
}

/// Issuers in priority order (listed by a PRM, then the target path, then
/// the origin), each with its candidate URLs in MCP order.
pub fn as_view(ev: &Evidence) -> Vec<IssuerView<'_>> {
    let mut out: Vec<IssuerView<'_>> = Vec::new();
    for (probe, rec) in ev.probes_where(|m| matches!(m, ProbeMeta::AsMetadata { .. })) {
        let ProbeMeta::AsMetadata {
            issuer,
            form,
            order,
            source,
        } = &rec.meta
        else {
            continue;
        };
        let Some(x) = ev.exchange(rec.exchange) else {
            continue;
        };
        let cand = Candidate {
            probe,
            exchange: rec.exchange,
            form: *form,
            order: *order,
            url: x.request.url.as_str(),
            state: state_of(ev, rec.exchange, x),
        };
        match out.iter_mut().find(|v| v.issuer == issuer) {
            Some(v) => {
                if source_rank(source) < source_rank(v.source) {
                    v.source = source;
                }
                if !v.candidates.iter().any(|c| c.order == cand.order) {
                    v.candidates.push(cand);
                }
            }
            None => out.push(IssuerView {
                issuer,
                source,
                candidates: vec![cand],
            }),
        }
    }
    for v in &mut out {
        v.candidates.sort_by_key(|c| c.order);
    }
    out.sort_by(|a, b| {
        source_rank(a.source)
            .cmp(&source_rank(b.source))
            .then_with(|| {
                a.candidates
                    .first()
                    .map(|c| c.probe)
                    .cmp(&b.candidates.first().map(|c| c.probe))
            })
    });
    out
}

/// Every distinct metadata document found (one per exchange), with the
/// issuers whose URLs led to it.
fn found_docs<'a>(view: &'a [IssuerView<'a>]) -> Vec<(&'a Candidate<'a>, &'a Value, Vec<&'a str>)> {
    let mut out: Vec<(&Candidate<'_>, &Value, Vec<&str>)> = Vec::new();
    for iv in view {
        for c in &iv.candidates {
            if let DocState::Found(v) = &c.state {
                match out.iter_mut().find(|(d, _, _)| d.exchange == c.exchange) {
                    Some((_, _, issuers)) => {
                        if !issuers.contains(&iv.issuer) {
                            issuers.push(iv.issuer);
                        }
                    }
                    None => out.push((c, v.as_ref(), vec![iv.issuer])),
                }
            }
        }
    }
    out
}

fn no_metadata() -> Evaluation {
    Evaluation::skip("no authorization-server metadata was found (see as-metadata-discovery)")
}

/// True when `found` is the issuer the URL was built from, after RFC 8414
/// §3's trailing-slash rule and nothing else (DESIGN §7: no normalisation).
pub fn issuer_matches(expected: &str, found: &str) -> bool {
    expected == found
        || expected.strip_suffix('/') == Some(found)
        || found.strip_suffix('/') == Some(expected)
}

/// One line for a document state.
pub fn describe(state: &DocState) -> String {
    match state {
        DocState::Found(_) => "200, JSON object".into(),
        DocState::Status(s) => format!("{s}"),
        DocState::NotJsonObject { html: true } => "200 but an HTML page".into(),
        DocState::NotJsonObject { html: false } => "200 but not a JSON object".into(),
        DocState::CatchAll => "200 with the same body as a random path (catch-all)".into(),
        DocState::Truncated => "body larger than the cap".into(),
        DocState::Failed(e) => format!("no response: {e}"),
        DocState::Refused(e) | DocState::Restricted(e) => e.clone(),
    }
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
    for iv in &view {
        match iv.effective() {
            Some((c, doc)) => {
                let declared = doc.get("issuer").and_then(Value::as_str);
                let ok = declared.is_some_and(|d| issuer_matches(iv.issuer, d));
                let via = match iv.source {
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
                    Some(c.probe),
                ));
                if ok {
                    let route = match iv.source {
                        IssuerSource::AuthorizationServers { prm }
                            if reached_by_challenge(ev, prm) =>
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
                        Some(c.probe),
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
                            super::unverified(
                                x,
                                &format!("GET of {} (for issuer {})", c.url, iv.issuer),
                            )
                        })
                    })
                    .collect();
                let open = !not_verified.is_empty();
                unverified.extend(not_verified);
                if let IssuerSource::AuthorizationServers { prm } = iv.source
                    && !open
                {
                    let tried: Vec<String> = iv
                        .candidates
                        .iter()
                        .map(|c| format!("{} → {}", c.url, describe(&c.state)))
                        .collect();
                    findings.push(finding(
                        "as-metadata-discovery-listed-issuer-missing",
                        format!(
                            "{prm} lists the authorization server {}, but none of its metadata URLs gave a document: {}",
                            iv.issuer,
                            tried.join("; ")
                        ),
                        iv.candidates.first().map(|c| c.probe),
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
            .map(|c| format!("{} → {}", c.url, describe(&c.state)))
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
        let url = c.url;
        let p = Some(c.probe);
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
        let url = c.url;
        let p = Some(c.probe);
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
            let p = Some(c.probe);
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
        let p = Some(c.probe);
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
    for iv in &view {
        let Some((c, doc)) = iv.effective() else {
            continue;
        };
        judged += 1;
        probes.push(c.probe.to_string());
        let p = Some(c.probe);
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
                    Some(other.probe),
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
    for iv in &view {
        let Some((c, doc)) = iv.effective() else {
            continue;
        };
        let Methods::List(m) = pkce_methods(doc) else {
            continue;
        };
        judged += 1;
        probes.push(c.probe.to_string());
        let p = Some(c.probe);
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
