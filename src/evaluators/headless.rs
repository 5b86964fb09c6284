//! Browserless authentication and token lifecycle: device authorization
//! (RFC 8628), client registration (RFC 7591, CIMD), delegation grants
//! (RFC 8693, RFC 7523, ID-JAG, CIBA), the browserless path as a whole,
//! revocation (RFC 7009), introspection (RFC 7662), token lifetime.
//!
//! Metadata says what is offered; in safe mode a request designed to be
//! rejected shows whether the advertised endpoint is really there. In
//! passive mode the live half is skipped and said to be unverified.

use crate::evidence::Evidence;
pub use crate::evidence::views::endpoints::{Live, live};
pub use crate::evidence::views::metadata::effective_docs;
use crate::model::exchange::{Mode, ResponseRecord};
use crate::model::outcome::{Evaluation, Finding, Unverified, finding};
use crate::model::probe::{EndpointKind, ProbeMeta};
use crate::model::target::TargetKind;
use serde_json::{Value, json};
use std::sync::Arc;

/// The checks of this family.
pub const IDS: [&str; 7] = [
    "device-authorization",
    "client-registration",
    "delegation-grants",
    "browserless-path",
    "token-revocation",
    "token-introspection",
    "token-lifetime",
];

/// Grant type URNs.
pub const DEVICE_CODE: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// RFC 7523.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// RFC 8693.
pub const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
/// OpenID CIBA.
pub const CIBA: &str = "urn:openid:params:grant-type:ciba";
/// The ID-JAG grant profile (draft-ietf-oauth-identity-assertion-authz-grant).
pub const ID_JAG: &str = "urn:ietf:params:oauth:grant-profile:id-jag";

fn strings<'a>(doc: &'a Value, key: &str) -> Vec<&'a str> {
    doc.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn has_grant(doc: &Value, grant: &str) -> bool {
    strings(doc, "grant_types_supported").contains(&grant)
}

/// True when an answer says the endpoint is not really there: 404/405/501,
/// an HTML page, or a 5xx. A probe that got no answer is not judged here:
/// it is not verified ([`Live::unverified`]).
fn unavailable(l: &Live<'_>) -> bool {
    match l.response {
        None => false,
        Some(r) => matches!(r.status, 404 | 405 | 501) || r.status >= 500 || l.is_html(),
    }
}

/// Passive mode: the endpoint is advertised, the live request was not
/// sent. An info finding says so, and the verdict is not a pass.
fn not_verified(code: &str, what: &str, url: &str) -> (Finding, Unverified) {
    (
        finding(
            code,
            format!("{what} is advertised but was not verified live: passive mode sends no POST"),
            None,
        ),
        crate::model::outcome::Unverified::passive(&format!("POST {url}")),
    )
}

fn no_metadata() -> Evaluation {
    Evaluation::skip("no authorization-server metadata was found (see as-metadata-discovery)")
}

fn advertised(docs: &[(String, String, Arc<Value>)], member: &str) -> Vec<(String, String)> {
    docs.iter()
        .filter_map(|(p, u, d)| {
            d.get(member)
                .and_then(Value::as_str)
                .map(|e| (p.clone(), format!("{e} (named by {u})")))
        })
        .collect()
}

// ---------------------------------------------------------------------------
// device-authorization

/// `device-authorization`: RFC 8628 §3.1, §3.2, §4; RFC 6749 §5.2.
pub fn device_authorization(ev: &Evidence) -> Evaluation {
    let docs = effective_docs(ev);
    if docs.is_empty() {
        return no_metadata();
    }
    let endpoints = advertised(&docs, "device_authorization_endpoint");
    // GitLab lists the grant as a bare "device_code": a client looking for
    // the RFC 8628 URN does not recognise it.
    let bare: Vec<&(String, String, Arc<Value>)> = docs
        .iter()
        .filter(|(_, _, d)| has_grant(d, "device_code"))
        .collect();
    let granted = docs.iter().any(|(_, _, d)| has_grant(d, DEVICE_CODE)) || !bare.is_empty();
    if endpoints.is_empty() && !granted {
        return Evaluation::skip(
            "the device authorization grant is not offered (no endpoint, no grant)",
        );
    }
    let mut findings = Vec::new();
    let mut probes: Vec<String> = docs.iter().map(|(p, _, _)| p.clone()).collect();
    for (p, u, _) in bare {
        findings.push(finding(
            "device-authorization-nonstandard-grant-name",
            format!(
                "{u} lists the grant as \"device_code\" instead of {DEVICE_CODE} (RFC 8628 §3.4)"
            ),
            Some(p),
        ));
    }
    if !endpoints.is_empty() && !granted {
        findings.push(finding(
            "device-authorization-grant-not-listed",
            format!(
                "{} is advertised, but grant_types_supported does not list {DEVICE_CODE}",
                endpoints[0].1
            ),
            Some(&endpoints[0].0),
        ));
    }
    if endpoints.is_empty() {
        findings.push(finding(
            "device-authorization-endpoint-not-advertised",
            format!("grant_types_supported lists {DEVICE_CODE}, but no device_authorization_endpoint says where to start it"),
            None,
        ));
        return Evaluation::evaluated(
            "The device grant is listed without an endpoint",
            findings,
            probes,
        );
    }
    let lives = live(ev, EndpointKind::DeviceAuthorization);
    let mut unverified = Vec::new();
    if ev.mode() == Mode::Passive {
        let (f, u) = not_verified(
            "device-authorization-not-verified-live",
            "The device authorization endpoint",
            &endpoints[0].1,
        );
        findings.push(f);
        unverified.push(u);
    }
    for l in &lives {
        probes.push(l.probe.to_string());
        let p = Some(l.probe);
        if let Some(u) = l.unverified("POST") {
            unverified.push(u);
            continue;
        }
        if unavailable(l) {
            findings.push(finding(
                "device-authorization-endpoint-unavailable",
                format!(
                    "POST {} with an unregistered client_id → {}",
                    l.url,
                    l.describe()
                ),
                p,
            ));
            continue;
        }
        let json = l.json.as_deref().filter(|j| j.is_object());
        if l.status() == 200 {
            let Some(j) = json else {
                findings.push(finding(
                    "device-authorization-response-incomplete",
                    format!("{} answered 200 without a JSON object", l.url),
                    p,
                ));
                continue;
            };
            if j.get("error").is_some() {
                findings.push(finding(
                    "device-authorization-error-in-success",
                    format!(
                        "{} answered 200 with an error member: {}",
                        l.url,
                        l.describe()
                    ),
                    p,
                ));
                continue;
            }
            findings.push(finding(
                "device-authorization-unknown-client-accepted",
                format!(
                    "{} issued a device code to an unregistered client_id",
                    l.url
                ),
                p,
            ));
            let missing: Vec<&str> = ["device_code", "user_code", "verification_uri"]
                .into_iter()
                .filter(|k| !j.get(*k).is_some_and(Value::is_string))
                .chain((!j.get("expires_in").is_some_and(Value::is_number)).then_some("expires_in"))
                .collect();
            if !missing.is_empty() {
                findings.push(finding(
                    "device-authorization-response-incomplete",
                    format!(
                        "{}: the RFC 8628 §3.2 response lacks {}",
                        l.url,
                        missing.join(", ")
                    ),
                    p,
                ));
            }
            continue;
        }
        if json
            .and_then(|j| j.get("error"))
            .and_then(Value::as_str)
            .is_none()
        {
            findings.push(finding(
                "device-authorization-error-not-json",
                format!(
                    "{} rejected the request without an RFC 6749 §5.2 JSON error: {}",
                    l.url,
                    l.describe()
                ),
                p,
            ));
        }
    }
    let summary = match lives.first() {
        Some(l) if !findings.iter().any(|f| f.code.ends_with("unavailable")) => {
            format!(
                "Device flow advertised; an unregistered client is answered {}",
                l.describe()
            )
        }
        Some(_) => "The advertised device authorization endpoint is not really there".to_string(),
        None => "Device flow advertised".to_string(),
    };
    Evaluation::evaluated(summary, findings, probes).with_unverified(unverified)
}

// ---------------------------------------------------------------------------
// client-registration

/// RFC 7591 §3.2.2 error codes.
const DCR_ERRORS: [&str; 4] = [
    "invalid_redirect_uri",
    "invalid_client_metadata",
    "invalid_software_statement",
    "unapproved_software_statement",
];

/// `client-registration`: RFC 7591 §3, §3.1, §3.2.2; RFC 7592 §2.3; CIMD;
/// MCP 2025-11-25.
///
/// The check answers its question — can an agent obtain a client id
/// without a developer portal? — so open DCR or CIMD is a pass. What the
/// endpoint does with the safe probe (a body that is not valid JSON, see
/// [`crate::probe::RegistrationProbe`]) is judged apart: rejecting it
/// without an RFC 7591 error, or even creating a client from it, is a warn
/// finding, never a fail of this check. A client created that way was
/// deleted at once (RFC 7592); whether that worked is reported too.
pub fn client_registration(ev: &Evidence) -> Evaluation {
    let docs = effective_docs(ev);
    if docs.is_empty() {
        return no_metadata();
    }
    let mut findings = Vec::new();
    let mut probes: Vec<String> = docs.iter().map(|(p, _, _)| p.clone()).collect();
    let mut cimd = false;
    for (p, u, d) in docs.iter() {
        match d.get("client_id_metadata_document_supported") {
            Some(Value::Bool(true)) => cimd = true,
            Some(Value::Bool(false)) => findings.push(finding(
                "client-registration-cimd-disabled",
                format!("{u} says client_id_metadata_document_supported: false"),
                Some(p),
            )),
            Some(other) => findings.push(finding(
                "client-registration-cimd-not-boolean",
                format!("{u}: client_id_metadata_document_supported is {other}, not a boolean"),
                Some(p),
            )),
            None => {}
        }
    }
    let endpoints = advertised(&docs, "registration_endpoint");
    if endpoints.is_empty() && !cimd {
        findings.push(finding(
            "client-registration-pre-registration-only",
            "no registration_endpoint and no client ID metadata document support: an agent cannot obtain a client id without a human at a developer portal",
            None,
        ));
        return Evaluation::evaluated("Clients must be registered by hand", findings, probes);
    }
    if ev.target().kind == TargetKind::Mcp && !cimd {
        findings.push(finding(
            "client-registration-mcp-cimd-missing",
            "an MCP server's authorization server should support client ID metadata documents (MCP 2025-11-25); only DCR is offered",
            None,
        ));
    }
    // With CIMD the answer rests on the metadata; without it, on what the
    // registration endpoint was seen to answer.
    let mut unverified = Vec::new();
    if !endpoints.is_empty() && ev.mode() == Mode::Passive {
        let (f, u) = not_verified(
            "client-registration-not-verified-live",
            "The registration endpoint",
            &endpoints[0].1,
        );
        findings.push(f);
        unverified.push(u);
    }
    let lives = live(ev, EndpointKind::Registration);
    let mut open = false;
    let mut protected = false;
    for l in &lives {
        probes.push(l.probe.to_string());
        let p = Some(l.probe);
        if let Some(u) = l.unverified("POST") {
            unverified.push(u);
            continue;
        }
        let status = l.status();
        let json = l.json.as_deref().filter(|j| j.is_object());
        let client_id = json
            .filter(|_| (200..300).contains(&status))
            .and_then(|j| j.get("client_id"))
            .and_then(Value::as_str);
        if let Some(client_id) = client_id {
            open = true;
            findings.push(finding(
                "client-registration-invalid-metadata-accepted",
                format!(
                    "{} created client `{client_id}` ({}) from a registration request that is not even valid JSON: RFC 7591 §3.1 and §3.2.2 require it to be rejected with 400, so the endpoint registers clients without validating what it is sent",
                    l.url,
                    l.describe()
                ),
                p,
            ));
            findings.push(cleanup_finding(ev, l, client_id));
        } else if (200..300).contains(&status) && json.is_none() {
            // A page, not a registration endpoint (a catch-all site).
            findings.push(finding(
                "client-registration-endpoint-unavailable",
                format!(
                    "POST {} → {}: not a JSON answer from a registration endpoint",
                    l.url,
                    l.describe()
                ),
                p,
            ));
        } else if matches!(status, 401 | 403) {
            protected = true;
            findings.push(finding(
                "client-registration-protected",
                format!(
                    "{} requires an initial access token ({}): registration is not open to agents",
                    l.url,
                    l.describe()
                ),
                p,
            ));
        } else if matches!(status, 404 | 405 | 501 | 502 | 503 | 504) {
            findings.push(finding(
                "client-registration-endpoint-unavailable",
                format!("POST {} → {}", l.url, l.describe()),
                p,
            ));
        } else if l
            .error_code()
            .is_some_and(|e| DCR_ERRORS.contains(&e) || e == "invalid_request")
            && (400..500).contains(&status)
        {
            open = true;
        } else {
            // The endpoint is there: it answered a malformed request, but
            // with a parser's error page, a crash (500) or a JSON body
            // without an RFC 7591 error code.
            open = true;
            findings.push(finding(
                "client-registration-error-malformed",
                format!(
                    "{} answered a registration request that is not valid JSON with {} instead of HTTP 400 and an RFC 7591 §3.2.2 JSON error such as invalid_client_metadata",
                    l.url,
                    l.describe()
                ),
                p,
            ));
        }
    }
    let mut ways = Vec::new();
    if cimd {
        ways.push("client ID metadata documents".to_string());
        // CIMD answers the question from the metadata alone.
        unverified.clear();
    }
    if open {
        ways.push("dynamic client registration".to_string());
    } else if protected {
        ways.push("dynamic client registration with an initial access token".to_string());
    } else if !endpoints.is_empty() && lives.iter().all(|l| l.response.is_none()) {
        ways.push("dynamic client registration (advertised)".to_string());
    }
    let summary = if ways.is_empty() {
        "The advertised registration endpoint is not really there".to_string()
    } else {
        format!(
            "An agent can obtain a client id through {}",
            ways.join(" and ")
        )
    };
    Evaluation::evaluated(summary, findings, probes).with_unverified(unverified)
}

/// Whether the client a registration probe created was deleted again
/// (RFC 7592 §2.3: the server answers the `DELETE` with 204).
fn cleanup_finding(ev: &Evidence, l: &Live<'_>, client_id: &str) -> Finding {
    let idx = ev.record(l.probe).map(|r| r.exchange);
    let cleanup = ev
        .probes_where(|m| matches!(m, ProbeMeta::RegistrationCleanup { .. }))
        .find(|(_, r)| match &r.meta {
            ProbeMeta::RegistrationCleanup { registration, .. } => {
                ev.record(registration).map(|r| r.exchange) == idx
            }
            _ => false,
        })
        .and_then(|(id, r)| ev.exchange(r.exchange).map(|x| (id, x)));
    match cleanup {
        Some((id, x)) if x.response.as_ref().is_some_and(ResponseRecord::is_success) => finding(
            "client-registration-probe-client-deleted",
            format!(
                "the client `{client_id}` was deleted at once: DELETE {} → {} (RFC 7592 §2.3)",
                x.request.url,
                x.response.as_ref().map_or(0, |r| r.status)
            ),
            Some(id),
        ),
        Some((id, x)) => {
            let answer = match (&x.response, &x.error) {
                (Some(r), _) => format!("{}", r.status),
                (None, Some(e)) => e.message.clone(),
                (None, None) => "no answer".to_string(),
            };
            finding(
                "client-registration-probe-client-left",
                format!(
                    "the client `{client_id}` could not be deleted: DELETE {} → {answer}; delete it by hand",
                    x.request.url
                ),
                Some(id),
            )
        }
        None => finding(
            "client-registration-probe-client-left",
            format!(
                "the client `{client_id}` could not be deleted: the answer gives no registration_client_uri and registration_access_token (RFC 7592 §3); delete it by hand"
            ),
            Some(l.probe),
        ),
    }
}

// ---------------------------------------------------------------------------
// delegation-grants

/// `delegation-grants`: RFC 8693, RFC 7523, ID-JAG, OpenID CIBA.
pub fn delegation_grants(ev: &Evidence) -> Evaluation {
    let docs = effective_docs(ev);
    if docs.is_empty() {
        return no_metadata();
    }
    let mut findings = Vec::new();
    let mut offered: Vec<&str> = Vec::new();
    let probes: Vec<String> = docs.iter().map(|(p, _, _)| p.clone()).collect();
    for (p, u, d) in docs.iter() {
        let p = Some(p.as_str());
        for (grant, name) in [
            (TOKEN_EXCHANGE, "token exchange"),
            (JWT_BEARER, "JWT bearer"),
            (CIBA, "CIBA"),
        ] {
            if has_grant(d, grant) && !offered.contains(&name) {
                offered.push(name);
            }
        }
        if has_grant(d, CIBA) && d.get("backchannel_authentication_endpoint").is_none() {
            findings.push(finding(
                "delegation-grants-ciba-without-endpoint",
                format!("{u} lists the CIBA grant without backchannel_authentication_endpoint"),
                p,
            ));
        }
        match d.get("authorization_grant_profiles_supported") {
            None => {}
            Some(Value::Array(a)) if a.iter().all(Value::is_string) => {
                let profiles: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
                if profiles.contains(&ID_JAG) {
                    if !offered.contains(&"ID-JAG") {
                        offered.push("ID-JAG");
                    }
                    if !has_grant(d, JWT_BEARER) {
                        findings.push(finding(
                            "delegation-grants-profile-without-jwt-bearer",
                            format!("{u} supports the ID-JAG grant profile but grant_types_supported lacks {JWT_BEARER}, which the profile requires"),
                            p,
                        ));
                    }
                }
                let unknown: Vec<&&str> = profiles.iter().filter(|x| **x != ID_JAG).collect();
                if !unknown.is_empty() {
                    findings.push(finding(
                        "delegation-grants-profile-unknown",
                        format!("{u} lists grant profile(s) {} (reported, not evaluated)", unknown.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ")),
                        p,
                    ));
                }
            }
            Some(other) => findings.push(finding(
                "delegation-grants-profiles-malformed",
                format!("{u}: authorization_grant_profiles_supported is {other}, not an array of strings"),
                p,
            )),
        }
        if d.get("identity_chaining_requested_token_types_supported")
            .is_some()
            && !has_grant(d, TOKEN_EXCHANGE)
        {
            findings.push(finding(
                "delegation-grants-chaining-without-token-exchange",
                format!("{u} publishes identity_chaining_requested_token_types_supported without the token-exchange grant"),
                p,
            ));
        }
    }
    if offered.is_empty() && findings.is_empty() {
        return Evaluation::skip(
            "no delegation grant (token exchange, JWT bearer, ID-JAG, CIBA) is advertised",
        );
    }
    Evaluation::evaluated(
        format!("Delegation grants advertised: {}", offered.join(", ")),
        findings,
        probes,
    )
}

// ---------------------------------------------------------------------------
// browserless-path

/// `browserless-path`: at least one way to a credential without a browser.
pub fn browserless_path(ev: &Evidence) -> Evaluation {
    let docs = effective_docs(ev);
    if docs.is_empty() {
        return no_metadata();
    }
    let probes: Vec<String> = docs.iter().map(|(p, _, _)| p.clone()).collect();
    // Only answered probes say whether the device endpoint works; one that
    // was not sent (passive mode, the SSRF guard) or not answered leaves
    // the path unverified rather than failed.
    let device_lives = live(ev, EndpointKind::DeviceAuthorization);
    let answered: Vec<&Live<'_>> = device_lives
        .iter()
        .filter(|l| l.unverified("").is_none())
        .collect();
    let device_works = answered.iter().any(|l| !unavailable(l));
    let mut device_unverified: Vec<Unverified> = device_lives
        .iter()
        .filter_map(|l| l.unverified("POST"))
        .collect();
    let mut paths: Vec<String> = Vec::new();
    let mut findings = Vec::new();
    let mut undeclared = false;
    for (p, u, d) in docs.iter() {
        let declared = d.get("grant_types_supported").is_some();
        undeclared |= !declared;
        let device_endpoint = d
            .get("device_authorization_endpoint")
            .and_then(Value::as_str);
        if let Some(e) = device_endpoint {
            // In safe mode the endpoint must have answered like one.
            if device_works || answered.is_empty() {
                paths.push(format!("device authorization ({e})"));
            }
            if ev.mode() == Mode::Passive {
                device_unverified.push(crate::model::outcome::Unverified::passive(&format!(
                    "POST {e}"
                )));
            }
        } else if has_grant(d, DEVICE_CODE) {
            findings.push(finding(
                "browserless-path-grant-without-endpoint",
                format!("{u} lists the device grant without device_authorization_endpoint"),
                Some(p),
            ));
        }
        if has_grant(d, "client_credentials") {
            paths.push("client credentials".into());
        }
        if has_grant(d, JWT_BEARER) {
            paths.push("JWT bearer assertion".into());
        }
        if has_grant(d, TOKEN_EXCHANGE) {
            paths.push("token exchange".into());
        }
        if has_grant(d, CIBA) {
            if d.get("backchannel_authentication_endpoint").is_some() {
                paths.push("CIBA".into());
            } else {
                findings.push(finding(
                    "browserless-path-grant-without-endpoint",
                    format!("{u} lists CIBA without backchannel_authentication_endpoint"),
                    Some(p),
                ));
            }
        }
        if d.get("agent_auth").is_some_and(Value::is_object) {
            paths.push("agent registration (agent_auth)".into());
        }
    }
    paths.dedup();
    // A grant without its endpoint matters only when nothing else works.
    if !paths.is_empty() {
        findings.retain(|f| f.code != "browserless-path-grant-without-endpoint");
    }
    if paths.is_empty() {
        let code = if undeclared {
            "browserless-path-grants-undeclared"
        } else {
            "browserless-path-browser-only"
        };
        let grants: Vec<&str> = docs
            .iter()
            .flat_map(|(_, _, d)| strings(d, "grant_types_supported"))
            .collect();
        findings.push(finding(
            code,
            format!(
                "browser-only OAuth: every way to a token goes through a browser consent page (grants: {}); an agent cannot authenticate without a human clicking — offer the device flow, a JWT-bearer or token-exchange grant, or agent registration",
                if grants.is_empty() { "not declared, so authorization_code and implicit by default".to_string() } else { grants.join(", ") }
            ),
            None,
        ));
        return Evaluation::evaluated(
            "No browserless way to a credential (browser-only OAuth)",
            findings,
            probes,
        );
    }
    if paths.iter().all(|p| p == "client credentials") {
        findings.push(finding(
            "browserless-path-client-credentials-only",
            "the only browserless grant is client_credentials: it needs a provisioned confidential client and cannot act for a user",
            None,
        ));
    }
    // The device flow alone, never seen to answer: not verified.
    let only_device = paths.iter().all(|p| p.starts_with("device authorization"));
    let e = Evaluation::evaluated(
        format!("Browserless paths: {}", paths.join(", ")),
        findings,
        probes,
    );
    if only_device && !device_works {
        e.with_unverified(device_unverified)
    } else {
        e
    }
}

// ---------------------------------------------------------------------------
// token-revocation

/// `token-revocation`: RFC 7009 §2, §2.2, §2.2.1.
pub fn token_revocation(ev: &Evidence) -> Evaluation {
    let docs = effective_docs(ev);
    if docs.is_empty() {
        return no_metadata();
    }
    let mut findings = Vec::new();
    let mut probes: Vec<String> = docs.iter().map(|(p, _, _)| p.clone()).collect();
    let endpoints = advertised(&docs, "revocation_endpoint");
    if endpoints.is_empty() {
        findings.push(finding(
            "token-revocation-not-advertised",
            "no revocation_endpoint: a token handed to an agent cannot be revoked through a standard endpoint (RFC 7009)",
            None,
        ));
        return Evaluation::evaluated(
            "Tokens cannot be revoked through a standard endpoint",
            findings,
            probes,
        );
    }
    for (p, u, d) in docs.iter() {
        if let (Some(r), Some(t)) = (
            d.get("revocation_endpoint").and_then(Value::as_str),
            d.get("token_endpoint").and_then(Value::as_str),
        ) && r == t
        {
            findings.push(finding(
                "token-revocation-shared-token-endpoint",
                format!("{u}: revocation_endpoint is the token endpoint ({r}); legal, and common (Notion, Linear, Sentry)"),
                Some(p),
            ));
        }
    }
    let mut unverified = Vec::new();
    if ev.mode() == Mode::Passive {
        let (f, u) = not_verified(
            "token-revocation-not-verified-live",
            "The revocation endpoint",
            &endpoints[0].1,
        );
        findings.push(f);
        unverified.push(u);
    }
    let lives = live(ev, EndpointKind::Revocation);
    for l in &lives {
        probes.push(l.probe.to_string());
        let p = Some(l.probe);
        if let Some(u) = l.unverified("POST") {
            unverified.push(u);
            continue;
        }
        let status = l.status();
        if status == 503 {
            findings.push(finding(
                "token-revocation-server-error",
                format!(
                    "{} answered 503 (RFC 7009 §2.2.1: retry later): {}",
                    l.url,
                    l.describe()
                ),
                p,
            ));
        } else if unavailable(l) {
            findings.push(finding(
                "token-revocation-endpoint-unavailable",
                format!(
                    "POST {} with a token that was never issued → {}",
                    l.url,
                    l.describe()
                ),
                p,
            ));
        } else if status == 200 {
            // RFC 7009 §2.2: invalid tokens are answered 200.
        } else if matches!(status, 400 | 401) {
            match l.error_code() {
                Some("invalid_token") => findings.push(finding(
                    "token-revocation-invalid-token-error",
                    format!("{} answered error=invalid_token: RFC 7009 §2.2 says an invalid token is answered 200", l.url),
                    p,
                )),
                Some(_) => {}
                None => findings.push(finding(
                    "token-revocation-error-not-json",
                    format!("{} rejected the request without an RFC 6749 §5.2 JSON error: {}", l.url, l.describe()),
                    p,
                )),
            }
        } else {
            findings.push(finding(
                "token-revocation-endpoint-unavailable",
                format!(
                    "POST {} → {}, not 200 or an OAuth error",
                    l.url,
                    l.describe()
                ),
                p,
            ));
        }
    }
    let summary = match lives.iter().find(|l| l.response.is_some()) {
        Some(l) => format!(
            "Revocation endpoint answers a never-issued token with {}",
            l.describe()
        ),
        None => format!("Revocation endpoint advertised: {}", endpoints[0].1),
    };
    Evaluation::evaluated(summary, findings, probes).with_unverified(unverified)
}

// ---------------------------------------------------------------------------
// token-introspection

/// `token-introspection`: RFC 7662 §2.1, §2.2, §4.
pub fn token_introspection(ev: &Evidence) -> Evaluation {
    let docs = effective_docs(ev);
    if docs.is_empty() {
        return no_metadata();
    }
    let endpoints = advertised(&docs, "introspection_endpoint");
    if endpoints.is_empty() {
        return Evaluation::skip("no introspection_endpoint is advertised");
    }
    let mut findings = Vec::new();
    let mut probes: Vec<String> = docs.iter().map(|(p, _, _)| p.clone()).collect();
    let mut unverified = Vec::new();
    if ev.mode() == Mode::Passive {
        let (f, u) = not_verified(
            "token-introspection-not-verified-live",
            "The introspection endpoint",
            &endpoints[0].1,
        );
        findings.push(f);
        unverified.push(u);
    }
    for l in live(ev, EndpointKind::Introspection) {
        probes.push(l.probe.to_string());
        let p = Some(l.probe);
        if let Some(u) = l.unverified("POST") {
            unverified.push(u);
            continue;
        }
        let status = l.status();
        if unavailable(&l) {
            findings.push(finding(
                "token-introspection-endpoint-unavailable",
                format!("POST {} without authentication → {}", l.url, l.describe()),
                p,
            ));
        } else if status == 401 {
            if l.response
                .and_then(|r| r.header("www-authenticate"))
                .is_none()
            {
                findings.push(finding(
                    "token-introspection-challenge-missing",
                    format!(
                        "{} answered 401 without WWW-Authenticate (RFC 9110 §15.5.2)",
                        l.url
                    ),
                    p,
                ));
            }
        } else if matches!(status, 400 | 403) && l.error_code().is_some() {
            // Refused: the caller must authenticate.
        } else if status == 200 {
            match l.json.as_deref().and_then(|j| j.get("active")) {
                Some(Value::Bool(false)) => findings.push(finding(
                    "token-introspection-unprotected",
                    format!("{} answers unauthenticated callers ({{\"active\": false}}): RFC 7662 §2.1 requires the endpoint to be protected, so anyone can probe tokens", l.url),
                    p,
                )),
                Some(Value::Bool(true)) => findings.push(finding(
                    "token-introspection-active-for-random-token",
                    format!("{} says a random, never-issued token is active", l.url),
                    p,
                )),
                _ => findings.push(finding(
                    "token-introspection-malformed-response",
                    format!("{} answered 200 without a boolean active member (RFC 7662 §2.2)", l.url),
                    p,
                )),
            }
        } else {
            findings.push(finding(
                "token-introspection-malformed-response",
                format!(
                    "{} answered {}, neither a refusal nor an RFC 7662 response",
                    l.url,
                    l.describe()
                ),
                p,
            ));
        }
    }
    let summary = if findings.is_empty() {
        "Introspection is protected: an unauthenticated call is refused".to_string()
    } else {
        "Introspection is advertised; see findings".to_string()
    };
    Evaluation::evaluated(summary, findings, probes).with_unverified(unverified)
}

// ---------------------------------------------------------------------------
// token-lifetime

/// Tokens valid for longer than this fail regardless of policy.
pub const HARD_LIMIT_SECONDS: i64 = 30 * 24 * 3600;

/// `token-lifetime`: RFC 7519 §4.1.4 / §4.1.6 claims of a user-supplied
/// token, read locally (the token itself is never stored).
pub fn token_lifetime(ev: &Evidence) -> Evaluation {
    let Some(c) = ev.credential() else {
        return Evaluation::skip("no token supplied (give one with --token-env VAR)");
    };
    let policy = i64::try_from(c.policy_seconds).unwrap_or(i64::MAX);
    let mut findings = Vec::new();
    let data = json!({"format": c.format, "iat": c.iat, "exp": c.exp, "observed_at": c.observed_at, "policy_seconds": c.policy_seconds});
    if c.format != "jwt" {
        return Evaluation::skip(
            "the token is opaque: its lifetime cannot be read without introspection credentials",
        )
        .with_data(data);
    }
    if let Some(problem) = &c.problem {
        findings.push(finding(
            "token-lifetime-claims-malformed",
            format!("the token's claims cannot be read: {problem}"),
            None,
        ));
        return Evaluation::evaluated("The token's lifetime cannot be read", findings, vec![])
            .with_data(data);
    }
    let Some(exp) = c.exp else {
        findings.push(finding(
            "token-lifetime-unbounded",
            "the token has no exp claim: it never expires (RFC 7519 §4.1.4)",
            None,
        ));
        return Evaluation::evaluated("The token never expires", findings, vec![]).with_data(data);
    };
    let (lifetime, basis) = match c.iat {
        Some(iat) => (exp - iat, "exp − iat"),
        None => {
            findings.push(finding(
                "token-lifetime-iat-missing",
                "the token has no iat claim; the remaining lifetime at scan time is judged instead",
                None,
            ));
            (exp - c.observed_at, "exp − scan time")
        }
    };
    if exp < c.observed_at {
        findings.push(finding(
            "token-lifetime-inactive",
            "the token had already expired when the scan ran",
            None,
        ));
    }
    let hours = |s: i64| format!("{:.1} h", s as f64 / 3600.0);
    if lifetime > HARD_LIMIT_SECONDS {
        findings.push(finding(
            "token-lifetime-exceeds-30-days",
            format!(
                "the token lives {} ({basis}), more than 30 days",
                hours(lifetime)
            ),
            None,
        ));
    } else if lifetime > policy {
        findings.push(finding(
            "token-lifetime-exceeds-policy",
            format!(
                "the token lives {} ({basis}), more than the policy of {}",
                hours(lifetime),
                hours(policy)
            ),
            None,
        ));
    }
    Evaluation::evaluated(
        format!("The supplied token lives {} ({basis})", hours(lifetime)),
        findings,
        vec![],
    )
    .with_data(data)
}

#[cfg(test)]
mod tests;
