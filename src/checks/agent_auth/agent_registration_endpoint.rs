//! `agent-registration-endpoint`: The agent registration endpoint is live and answers an empty request with a JSON error.
//!
//! an empty JSON object to the registration
//! endpoint is answered with a JSON error (WorkOS agent_auth registration).

use super::blocks;
use crate::checks::Builtin;
use crate::checks::codes::agent_registration_endpoint as code;
use crate::evidence::Evidence;
use crate::model::exchange::Mode;
use crate::model::outcome::{Evaluation, finding};
use crate::model::probe::{Needs, ProbeMeta};
use serde_json::Value;

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::AS_METADATA.with(Needs::AGENT_AUTH),
    eval: agent_registration_endpoint,
};

/// `agent-registration-endpoint`: an empty JSON object to the registration
/// endpoint is answered with a JSON error (WorkOS agent_auth registration).
pub fn agent_registration_endpoint(ev: &Evidence) -> Evaluation {
    let docs = blocks(ev);
    let advertised: Vec<(String, String, String)> = docs
        .iter()
        .filter_map(|(p, u, d)| {
            let b = d.get("agent_auth")?.as_object()?;
            let e = b
                .get("identity_endpoint")
                .or_else(|| b.get("register_uri"))?
                .as_str()?;
            Some((p.clone(), u.clone(), e.to_string()))
        })
        .collect();
    if advertised.is_empty() {
        return Evaluation::skip("no agent_auth registration endpoint is advertised");
    }
    if ev.mode() == Mode::Passive {
        return Evaluation::evaluated(
            "The registration endpoint was not probed",
            Vec::new(),
            Vec::new(),
        )
        .with_unverified(vec![crate::model::outcome::Unverified::passive(&format!(
            "POST {{}} to {}",
            advertised[0].2
        ))]);
    }
    let mut findings = Vec::new();
    let mut probes = Vec::new();
    let lives: Vec<(&str, &str, usize)> = ev
        .probes_where(|m| matches!(m, ProbeMeta::AgentRegistration { .. }))
        .filter_map(|(id, r)| match &r.meta {
            ProbeMeta::AgentRegistration { url, .. } => Some((id, url.as_str(), r.exchange)),
            _ => None,
        })
        .collect();
    for (p, u, e) in &advertised {
        if !lives.iter().any(|(_, url, _)| url == e) {
            findings.push(finding(
                code::CROSS_ORIGIN_SKIPPED,
                format!("{e} (named by {u}) is not on the authorization server's origin or not a URL: not probed"),
                Some(p),
            ));
        }
    }
    if lives.is_empty() {
        return Evaluation::skip(format!(
            "the registration endpoint ({}) is not on the authorization server's origin: reported, not probed",
            advertised
                .iter()
                .map(|(_, _, e)| e.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let mut answered = 0usize;
    let mut unverified = Vec::new();
    for (probe, url, idx) in &lives {
        probes.push(probe.to_string());
        let Some(x) = ev.exchange(*idx) else {
            continue;
        };
        let p = Some(*probe);
        // Not sent or not answered: not verified, never "not found".
        if let Some(u) =
            crate::model::outcome::Unverified::of_exchange(x, &format!("POST {{}} to {url}"))
        {
            unverified.push(u);
            continue;
        }
        let Some(r) = &x.response else {
            findings.push(finding(
                code::NOT_FOUND,
                format!(
                    "POST {url} {{}} → {}",
                    crate::evidence::views::state_of(ev, *idx, x).describe()
                ),
                p,
            ));
            continue;
        };
        answered += 1;
        let error = ev
            .json_at(*idx)
            .and_then(|j| j.get("error").and_then(Value::as_str).map(str::to_string));
        let code = match r.status {
            _ if r.looks_like_html() => Some(code::HTML),
            404 => Some(code::NOT_FOUND),
            405 => Some(code::METHOD_NOT_ALLOWED),
            s if s >= 500 => Some(code::SERVER_ERROR),
            s if (200..300).contains(&s) => Some(code::EMPTY_ACCEPTED),
            s if (400..500).contains(&s) && error.is_none() => Some(code::ERROR_MALFORMED),
            _ => None,
        };
        if let Some(code) = code {
            let ct = r.media_type().unwrap_or_else(|| "no Content-Type".into());
            findings.push(finding(
                code,
                format!("POST {url} with {{}} → {} ({ct})", r.status),
                p,
            ));
        }
    }
    let summary = if answered == 0 {
        "The registration endpoint was not reached".to_string()
    } else if findings.iter().any(|f| !f.code.ends_with("-skipped")) {
        "The registration endpoint does not answer like one".to_string()
    } else {
        "The registration endpoint rejects an empty request with a JSON error".to_string()
    };
    Evaluation::evaluated(summary, findings, probes).with_unverified(unverified)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::checks::testkit::agent_auth::*;
    use crate::fixture::Route;
    use crate::model::outcome::Outcome;

    use crate::testing::{ORIGIN, evidence_with, json, site};
    use serde_json::json as j;
    #[test]
    fn registration_endpoint_outcomes() {
        let r = |route: Option<Route>| {
            let mut routes = vec![json(AS, &doc(Some(v02())))];
            routes.extend(route);
            oc(&ev(routes), "agent-registration-endpoint")
        };
        assert_eq!(
            r(Some(reg(400, r#"{"error":"invalid_request"}"#))),
            (Outcome::Pass, vec![])
        );
        assert_eq!(
            r(None),
            (
                Outcome::Fail,
                vec!["agent-registration-endpoint-not-found".to_string()]
            )
        );
        assert_eq!(
            r(Some(reg(405, "{}"))),
            (
                Outcome::Fail,
                vec!["agent-registration-endpoint-method-not-allowed".to_string()]
            )
        );
        let mut html = reg(200, "<!doctype html><p>hi</p>");
        html.content_type = Some("text/html".into());
        assert_eq!(
            r(Some(html)),
            (
                Outcome::Fail,
                vec!["agent-registration-endpoint-html".to_string()]
            )
        );
        assert_eq!(
            r(Some(reg(500, "{}"))),
            (
                Outcome::Warn,
                vec!["agent-registration-endpoint-server-error".to_string()]
            )
        );
        assert_eq!(
            r(Some(reg(400, "bad"))),
            (
                Outcome::Warn,
                vec!["agent-registration-endpoint-error-malformed".to_string()]
            )
        );
        assert_eq!(
            r(Some(reg(201, r#"{"id":"x"}"#))),
            (
                Outcome::Warn,
                vec!["agent-registration-endpoint-empty-accepted".to_string()]
            )
        );
        // The request is an empty object: nothing can be registered.
        let e = ev(vec![
            json(AS, &doc(Some(v02()))),
            reg(400, r#"{"error":"invalid_request"}"#),
        ]);
        let x = e
            .get(&format!("agent-registration@{ORIGIN}/agent/identity"))
            .unwrap();
        assert_eq!(x.request.body.as_deref(), Some("{}"));
        // Another origin: reported, not probed.
        let mut a = v02();
        a["identity_endpoint"] = j!("https://other.example.com/agent/identity");
        let e = ev(vec![json(AS, &doc(Some(a)))]);
        assert_eq!(oc(&e, "agent-registration-endpoint").0, Outcome::Skip);
        assert!(
            e.exchanges()
                .iter()
                .all(|x| !x.request.url.contains("other.example.com"))
        );
        // Passive mode: not probed, skipped.
        let e = evidence_with(
            site(vec![json(AS, &doc(Some(v02())))], None),
            ORIGIN,
            Mode::Passive,
            None,
        );
        assert_eq!(oc(&e, "agent-registration-endpoint").0, Outcome::Skip);
        assert_eq!(
            oc(
                &ev(vec![json(AS, &doc(None))]),
                "agent-registration-endpoint"
            )
            .0,
            Outcome::Skip
        );
    }
}
