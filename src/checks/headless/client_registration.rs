//! `client-registration`: An agent can obtain a client identifier without a developer portal (DCR or client ID metadata documents).
//!
//! RFC 7591 §3, §3.1, §3.2.2; RFC 7592 §2.3; CIMD;
//! MCP 2025-11-25.
//!
//! The check answers its question — can an agent obtain a client id
//! without a developer portal? — so open DCR or CIMD is a pass. What the
//! endpoint does with the safe probe (a body that is not valid JSON, see
//! [`crate::gather::plan::RegistrationProbe`]) is judged apart: rejecting it
//! without an RFC 7591 error, or even creating a client from it, is a warn
//! finding, never a fail of this check. A client created that way was
//! deleted at once (RFC 7592); whether that worked is reported too.

use crate::checks::Builtin;
use crate::checks::codes::client_registration as code;
use crate::checks::common::{advertised, no_metadata, not_verified};
use crate::evidence::Evidence;
use crate::evidence::views::endpoints::{Live, live};
use crate::evidence::views::metadata::effective_docs;
use crate::model::exchange::{Mode, ResponseRecord};
use crate::model::outcome::{Evaluation, Finding, finding};
use crate::model::probe::{EndpointKind, Needs, ProbeMeta};
use crate::model::target::TargetKind;
use serde_json::Value;

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::AS_METADATA.with(Needs::ENDPOINTS),
    eval: client_registration,
};

/// RFC 7591 §3.2.2 error codes.
const DCR_ERRORS: [&str; 4] = [
    "invalid_redirect_uri",
    "invalid_client_metadata",
    "invalid_software_statement",
    "unapproved_software_statement",
];

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
            code::PROBE_CLIENT_DELETED,
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
                code::PROBE_CLIENT_LEFT,
                format!(
                    "the client `{client_id}` could not be deleted: DELETE {} → {answer}; delete it by hand",
                    x.request.url
                ),
                Some(id),
            )
        }
        None => finding(
            code::PROBE_CLIENT_LEFT,
            format!(
                "the client `{client_id}` could not be deleted: the answer gives no registration_client_uri and registration_access_token (RFC 7592 §3); delete it by hand"
            ),
            Some(l.probe),
        ),
    }
}

/// Token-endpoint authentication methods a public client can use: no
/// secret (`none`, RFC 7591 §2) or a key it holds (`private_key_jwt`,
/// RFC 7523 §2.2).
const PUBLIC_CLIENT_METHODS: [&str; 2] = ["none", "private_key_jwt"];

/// Public clients — a CIMD client (the CIMD draft forbids shared-secret
/// methods in its document) or, for MCP targets, a DCR client that asks
/// for no secret — need `none` or `private_key_jwt` in
/// `token_endpoint_auth_methods_supported` (absent means
/// `client_secret_basic` only, RFC 8414 §2). One finding per document
/// that offers such a path without either.
fn public_client_auth(docs: &[(String, String, std::sync::Arc<Value>)], mcp: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    for (p, u, d) in docs {
        let cimd = d.get("client_id_metadata_document_supported") == Some(&Value::Bool(true));
        let dcr = mcp && d.get("registration_endpoint").is_some_and(Value::is_string);
        if !cimd && !dcr {
            continue;
        }
        let methods: Vec<&str> = d
            .get("token_endpoint_auth_methods_supported")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if methods.iter().any(|m| PUBLIC_CLIENT_METHODS.contains(m)) {
            continue;
        }
        let path = if cimd {
            "client ID metadata documents"
        } else {
            "dynamic client registration of a public MCP client"
        };
        let listed = if d.get("token_endpoint_auth_methods_supported").is_none() {
            "omits token_endpoint_auth_methods_supported (so only client_secret_basic, RFC 8414 §2)".to_string()
        } else {
            format!("lists token_endpoint_auth_methods_supported {methods:?}")
        };
        out.push(finding(
            code::PUBLIC_CLIENT_AUTH_MISSING,
            format!(
                "{u} offers {path} but {listed}: a public client has no secret, so it needs `none` or `private_key_jwt` at the token endpoint"
            ),
            Some(p),
        ));
    }
    out
}

/// `client-registration`: RFC 7591 §3, §3.1, §3.2.2; RFC 7592 §2.3; CIMD;
/// MCP 2025-11-25 and 2026-07-28.
///
/// The check answers its question — can an agent obtain a client id
/// without a developer portal? — so open DCR or CIMD is a pass. What the
/// endpoint does with the safe probe (a body that is not valid JSON, see
/// [`crate::gather::plan::RegistrationProbe`]) is judged apart: rejecting it
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
                code::CIMD_DISABLED,
                format!("{u} says client_id_metadata_document_supported: false"),
                Some(p),
            )),
            Some(other) => findings.push(finding(
                code::CIMD_NOT_BOOLEAN,
                format!("{u}: client_id_metadata_document_supported is {other}, not a boolean"),
                Some(p),
            )),
            None => {}
        }
    }
    let endpoints = advertised(&docs, "registration_endpoint");
    if endpoints.is_empty() && !cimd {
        findings.push(finding(
            code::PRE_REGISTRATION_ONLY,
            "no registration_endpoint and no client ID metadata document support: an agent cannot obtain a client id without a human at a developer portal",
            None,
        ));
        return Evaluation::evaluated("Clients must be registered by hand", findings, probes);
    }
    let mcp = ev.target().kind == TargetKind::Mcp;
    if mcp && !cimd {
        findings.push(finding(
            code::MCP_CIMD_MISSING,
            "Dynamic Client Registration is deprecated for MCP (2026-07-28); advertise Client ID Metadata Documents (client_id_metadata_document_supported: true)",
            None,
        ));
    }
    findings.extend(public_client_auth(&docs, mcp));
    // With CIMD the answer rests on the metadata; without it, on what the
    // registration endpoint was seen to answer.
    let mut unverified = Vec::new();
    if !endpoints.is_empty() && ev.mode() == Mode::Passive {
        let (f, u) = not_verified(
            code::NOT_VERIFIED_LIVE,
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
                code::INVALID_METADATA_ACCEPTED,
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
                code::ENDPOINT_UNAVAILABLE,
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
                code::PROTECTED,
                format!(
                    "{} requires an initial access token ({}): registration is not open to agents",
                    l.url,
                    l.describe()
                ),
                p,
            ));
        } else if matches!(status, 404 | 405 | 501 | 502 | 503 | 504) {
            findings.push(finding(
                code::ENDPOINT_UNAVAILABLE,
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
                code::ERROR_MALFORMED,
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
    // Findings that are not informative make the outcome warn or fail:
    // the headline says so rather than only what works.
    let problems = findings
        .iter()
        .filter(|f| {
            f.code != code::PROBE_CLIENT_DELETED
                && f.code != code::CIMD_DISABLED
                && f.code != code::NOT_VERIFIED_LIVE
        })
        .count();
    let summary = if ways.is_empty() {
        "The advertised registration endpoint is not really there".to_string()
    } else if problems > 0 {
        format!(
            "Registration has {}: an agent can obtain a client id through {}",
            crate::model::texts::count(problems, "problem", "problems"),
            ways.join(" and ")
        )
    } else {
        format!(
            "An agent can obtain a client id through {}",
            ways.join(" and ")
        )
    };
    Evaluation::evaluated(summary, findings, probes).with_unverified(unverified)
}

#[cfg(test)]
mod tests {

    use crate::checks::testkit::headless::*;
    use crate::fixture::Route;

    use crate::model::outcome::Outcome;
    use crate::testing::{ORIGIN, evidence, json, site};
    use serde_json::json as j;
    #[test]
    fn client_registration_outcomes() {
        let r = |routes: Vec<Route>| judge(&ev_with(doc(), routes), "client-registration");
        let created =
            j!({"client_id": "c1", "redirect_uris": ["https://agentready.invalid/callback#x"]});
        assert_eq!(
            r(vec![post(
                "/register",
                201,
                "application/json",
                &created.to_string()
            )]),
            (
                Outcome::Warn,
                vec![
                    "client-registration-invalid-metadata-accepted".to_string(),
                    "client-registration-probe-client-left".to_string()
                ]
            )
        );
        assert_eq!(
            r(vec![err("/register", 401, "invalid_token")]),
            (
                Outcome::Warn,
                vec!["client-registration-protected".to_string()]
            )
        );
        assert_eq!(
            r(vec![]),
            (
                Outcome::Fail,
                vec!["client-registration-endpoint-unavailable".to_string()]
            )
        );
        assert_eq!(
            r(vec![post("/register", 400, "text/plain", "no")]),
            (
                Outcome::Warn,
                vec!["client-registration-error-malformed".to_string()]
            )
        );
        // No DCR and no CIMD: pre-registration only.
        let ev = ev_with(without(doc(), "registration_endpoint"), vec![]);
        assert_eq!(
            judge(&ev, "client-registration"),
            (
                Outcome::Fail,
                vec!["client-registration-pre-registration-only".to_string()]
            )
        );
        // CIMD alone is a way (for a public client: `none`).
        let ev = ev_with(
            with(
                with(
                    without(doc(), "registration_endpoint"),
                    "client_id_metadata_document_supported",
                    j!(true),
                ),
                "token_endpoint_auth_methods_supported",
                j!(["none"]),
            ),
            vec![],
        );
        assert_eq!(judge(&ev, "client-registration"), (Outcome::Pass, vec![]));
        let ev = ev_with(
            with(doc(), "client_id_metadata_document_supported", j!("yes")),
            good_routes(),
        );
        assert_eq!(
            judge(&ev, "client-registration"),
            (
                Outcome::Warn,
                vec!["client-registration-cimd-not-boolean".to_string()]
            )
        );
        // MCP targets should have CIMD.
        let mut all = vec![json(AS, &doc())];
        all.extend(good_routes());
        let ev = evidence(site(all, None), &format!("{ORIGIN}/mcp"));
        assert!(
            judge(&ev, "client-registration")
                .1
                .contains(&"client-registration-mcp-cimd-missing".to_string())
        );
    }

    /// An MCP target's registration ranking (MCP 2026-07-28): CIMD passes,
    /// DCR alone warns, and a public-client path needs `none` or
    /// `private_key_jwt` at the token endpoint.
    #[test]
    fn mcp_registration_ranking() {
        let mcp = |d: serde_json::Value| {
            let mut all = vec![json(AS, &d)];
            all.extend(good_routes());
            judge(
                &evidence(site(all, None), &format!("{ORIGIN}/mcp")),
                "client-registration",
            )
        };
        let public = j!(["none", "client_secret_basic"]);
        // CIMD advertised, DCR kept: pass.
        let cimd = with(
            with(doc(), "client_id_metadata_document_supported", j!(true)),
            "token_endpoint_auth_methods_supported",
            public.clone(),
        );
        assert_eq!(mcp(cimd.clone()), (Outcome::Pass, vec![]));
        // DCR only: the deprecation warning, and nothing else.
        let dcr = with(doc(), "token_endpoint_auth_methods_supported", public);
        let (o, codes) = mcp(dcr);
        assert_eq!(
            (o, codes),
            (
                Outcome::Warn,
                vec!["client-registration-mcp-cimd-missing".to_string()]
            )
        );
        // CIMD with shared-secret methods only (or none listed, which
        // means client_secret_basic): warn.
        for methods in [Some(j!(["client_secret_basic", "client_secret_post"])), None] {
            let d = match methods {
                Some(m) => with(cimd.clone(), "token_endpoint_auth_methods_supported", m),
                None => without(cimd.clone(), "token_endpoint_auth_methods_supported"),
            };
            assert_eq!(
                mcp(d),
                (
                    Outcome::Warn,
                    vec!["client-registration-public-client-auth-missing".to_string()]
                )
            );
        }
        // private_key_jwt is enough.
        let d = with(
            cimd,
            "token_endpoint_auth_methods_supported",
            j!(["private_key_jwt"]),
        );
        assert_eq!(mcp(d), (Outcome::Pass, vec![]));
        // DCR alone without a public method, for a non-MCP API: no
        // public-client finding (the DCR rule is MCP's).
        let d = with(
            doc(),
            "token_endpoint_auth_methods_supported",
            j!(["client_secret_basic"]),
        );
        assert_eq!(
            judge(&ev_with(d, good_routes()), "client-registration"),
            (Outcome::Pass, vec![])
        );
    }
}
