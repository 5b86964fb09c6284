//! `token-introspection`: Token introspection, if advertised, refuses unauthenticated callers.
//!
//! RFC 7662 §2.1, §2.2, §2.3, §4.

use crate::checks::Builtin;
use crate::checks::codes::token_introspection as code;
use crate::checks::common::{advertised, no_metadata, not_verified, unavailable};
use crate::evidence::Evidence;
use crate::evidence::views::endpoints::live;
use crate::evidence::views::metadata::effective_docs;
use crate::model::exchange::Mode;
use crate::model::outcome::{Evaluation, finding};
use crate::model::probe::{EndpointKind, Needs};
use serde_json::Value;

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::AS_METADATA.with(Needs::ENDPOINTS),
    eval: token_introspection,
};

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
            code::NOT_VERIFIED_LIVE,
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
                code::ENDPOINT_UNAVAILABLE,
                format!("POST {} without authentication → {}", l.url, l.describe()),
                p,
            ));
        } else if matches!(status, 401 | 403) {
            // Refused, whatever the body (an empty one is judged by its
            // status). RFC 7662 §2.3 and RFC 6749 §5.2 ask for the form:
            // 401 `invalid_client` as JSON, with a challenge.
            if status == 401
                && l.response
                    .and_then(|r| r.header("www-authenticate"))
                    .is_none()
            {
                findings.push(finding(
                    code::CHALLENGE_MISSING,
                    format!(
                        "{} answered 401 without WWW-Authenticate (RFC 9110 §15.5.2)",
                        l.url
                    ),
                    p,
                ));
            }
            if l.error_code().is_none() {
                findings.push(finding(
                    code::REFUSAL_WITHOUT_OAUTH_ERROR,
                    format!(
                        "{} refused an unauthenticated caller with {} but no RFC 6749 §5.2 JSON error (RFC 7662 §2.3: 401 invalid_client)",
                        l.url,
                        l.describe()
                    ),
                    p,
                ));
            }
        } else if status == 400 && l.error_code().is_some() {
            // Refused: the caller must authenticate.
        } else if status == 200 {
            match l.json.as_deref().and_then(|j| j.get("active")) {
                Some(Value::Bool(false)) => findings.push(finding(
                    code::UNPROTECTED,
                    format!("{} answers unauthenticated callers ({{\"active\": false}}): RFC 7662 §2.1 requires the endpoint to be protected, so anyone can probe tokens", l.url),
                    p,
                )),
                Some(Value::Bool(true)) => findings.push(finding(
                    code::ACTIVE_FOR_RANDOM_TOKEN,
                    format!("{} says a random, never-issued token is active", l.url),
                    p,
                )),
                _ => findings.push(finding(
                    code::MALFORMED_RESPONSE,
                    format!("{} answered 200 without a boolean active member (RFC 7662 §2.2)", l.url),
                    p,
                )),
            }
        } else {
            findings.push(finding(
                code::MALFORMED_RESPONSE,
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

#[cfg(test)]
mod tests {

    use crate::checks::testkit::headless::*;
    use crate::fixture::Route;

    use crate::model::outcome::Outcome;

    #[test]
    fn introspection_outcomes() {
        let i = |routes: Vec<Route>| judge(&ev_with(doc(), routes), "token-introspection");
        assert_eq!(
            i(vec![post(
                "/introspect",
                200,
                "application/json",
                r#"{"active":false}"#
            )]),
            (
                Outcome::Warn,
                vec!["token-introspection-unprotected".to_string()]
            )
        );
        assert_eq!(
            i(vec![post(
                "/introspect",
                200,
                "application/json",
                r#"{"active":true}"#
            )]),
            (
                Outcome::Fail,
                vec!["token-introspection-active-for-random-token".to_string()]
            )
        );
        assert_eq!(
            i(vec![post(
                "/introspect",
                200,
                "application/json",
                r#"{"ok":1}"#
            )]),
            (
                Outcome::Fail,
                vec!["token-introspection-malformed-response".to_string()]
            )
        );
        assert_eq!(
            i(vec![err("/introspect", 401, "invalid_client")]),
            (
                Outcome::Warn,
                vec!["token-introspection-challenge-missing".to_string()]
            )
        );
        assert_eq!(
            i(vec![err("/introspect", 400, "invalid_client")]),
            (Outcome::Pass, vec![])
        );
        assert_eq!(
            i(vec![err("/introspect", 403, "invalid_client")]),
            (Outcome::Pass, vec![])
        );
        // An empty refusal is a refusal, whatever its Content-Type label
        // (RFC 7662 §2.1): a warn for its form, not an unavailable endpoint.
        for ct in ["", "text/html; charset=utf-8"] {
            assert_eq!(
                i(vec![post("/introspect", 403, ct, "")]),
                (
                    Outcome::Warn,
                    vec!["token-introspection-refusal-without-oauth-error".to_string()]
                ),
                "{ct}"
            );
        }
        // A 403 login page is still a page, not a refusal.
        assert_eq!(
            i(vec![post("/introspect", 403, "text/html", "<html>login</html>")]).0,
            Outcome::Fail
        );
        assert_eq!(
            i(vec![]),
            (
                Outcome::Fail,
                vec!["token-introspection-endpoint-unavailable".to_string()]
            )
        );
        let ev = ev_with(without(doc(), "introspection_endpoint"), vec![]);
        assert_eq!(judge(&ev, "token-introspection").0, Outcome::Skip);
    }
}
