//! `token-revocation`: Tokens can be revoked at an RFC 7009 endpoint that answers correctly.
//!
//! RFC 7009 §2, §2.2, §2.2.1.

use crate::checks::Builtin;
use crate::checks::codes::token_revocation as code;
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
    eval: token_revocation,
};

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
            code::NOT_ADVERTISED,
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
                code::SHARED_TOKEN_ENDPOINT,
                format!("{u}: revocation_endpoint is the token endpoint ({r}); legal, and common (Notion, Linear, Sentry)"),
                Some(p),
            ));
        }
    }
    let mut unverified = Vec::new();
    if ev.mode() == Mode::Passive {
        let (f, u) = not_verified(
            code::NOT_VERIFIED_LIVE,
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
                code::SERVER_ERROR,
                format!(
                    "{} answered 503 (RFC 7009 §2.2.1: retry later): {}",
                    l.url,
                    l.describe()
                ),
                p,
            ));
        } else if unavailable(l) {
            findings.push(finding(
                code::ENDPOINT_UNAVAILABLE,
                format!(
                    "POST {} with a token that was never issued → {}",
                    l.url,
                    l.describe()
                ),
                p,
            ));
        } else if status == 200 {
            // RFC 7009 §2.2: invalid tokens are answered 200; an empty
            // body is that answer whatever its Content-Type label (an
            // empty body is never an HTML page: `Live::is_html`).
        } else if matches!(status, 400 | 401) {
            match l.error_code() {
                Some("invalid_token") => findings.push(finding(
                    code::INVALID_TOKEN_ERROR,
                    format!("{} answered error=invalid_token: RFC 7009 §2.2 says an invalid token is answered 200", l.url),
                    p,
                )),
                Some(_) => {}
                None => findings.push(finding(
                    code::ERROR_NOT_JSON,
                    format!("{} rejected the request without an RFC 6749 §5.2 JSON error: {}", l.url, l.describe()),
                    p,
                )),
            }
        } else {
            findings.push(finding(
                code::ENDPOINT_UNAVAILABLE,
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

#[cfg(test)]
mod tests {
    use super::*;

    use crate::checks::testkit::headless::*;
    use crate::fixture::Route;

    use crate::model::outcome::Outcome;
    use crate::testing::ORIGIN;
    use serde_json::json as j;
    #[test]
    fn revocation_outcomes() {
        let r = |d: Value, routes: Vec<Route>| judge(&ev_with(d, routes), "token-revocation");
        assert_eq!(
            r(without(doc(), "revocation_endpoint"), vec![]),
            (
                Outcome::Fail,
                vec!["token-revocation-not-advertised".to_string()]
            )
        );
        assert_eq!(
            r(doc(), vec![]),
            (
                Outcome::Fail,
                vec!["token-revocation-endpoint-unavailable".to_string()]
            ),
            "404"
        );
        assert_eq!(
            r(doc(), vec![err("/revoke", 401, "invalid_client")]).0,
            Outcome::Pass
        );
        assert_eq!(
            r(doc(), vec![err("/revoke", 400, "invalid_request")]).0,
            Outcome::Pass
        );
        assert_eq!(
            r(doc(), vec![err("/revoke", 400, "invalid_token")]),
            (
                Outcome::Warn,
                vec!["token-revocation-invalid-token-error".to_string()]
            )
        );
        assert_eq!(
            r(doc(), vec![post("/revoke", 401, "text/plain", "no")]),
            (
                Outcome::Warn,
                vec!["token-revocation-error-not-json".to_string()]
            )
        );
        assert_eq!(
            r(doc(), vec![err("/revoke", 503, "temporarily_unavailable")]),
            (
                Outcome::Warn,
                vec!["token-revocation-server-error".to_string()]
            )
        );
        assert_eq!(
            r(doc(), vec![post("/revoke", 405, "text/plain", "")]).0,
            Outcome::Fail
        );
        // RFC 7009 §2.2 success with an empty body labelled text/html.
        assert_eq!(
            r(doc(), vec![post("/revoke", 200, "text/html; charset=utf-8", "")]),
            (Outcome::Pass, vec![])
        );
        assert_eq!(
            r(doc(), vec![post("/revoke", 200, "text/html", "<html>sign in</html>")]).0,
            Outcome::Fail
        );
        let shared = with(doc(), "revocation_endpoint", j!(format!("{ORIGIN}/token")));
        assert_eq!(
            r(shared, vec![post("/token", 200, "application/json", "")]),
            (
                Outcome::Pass,
                vec!["token-revocation-shared-token-endpoint".to_string()]
            )
        );
    }
}
