//! `device-authorization`: Device authorization (RFC 8628) is advertised consistently and its endpoint answers with OAuth errors.
//!
//! RFC 8628 §3.1, §3.2, §4; RFC 6749 §5.2.

use crate::checks::Builtin;
use crate::checks::codes::device_authorization as code;
use crate::checks::common::{
    DEVICE_CODE, advertised, has_grant, no_metadata, not_verified, unavailable,
};
use crate::evidence::Evidence;
use crate::evidence::views::endpoints::live;
use crate::evidence::views::metadata::effective_docs;
use crate::model::exchange::Mode;
use crate::model::outcome::{Evaluation, finding};
use crate::model::probe::{EndpointKind, Needs};
use serde_json::Value;
use std::sync::Arc;

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::AS_METADATA.with(Needs::ENDPOINTS),
    eval: device_authorization,
};

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
            code::NONSTANDARD_GRANT_NAME,
            format!(
                "{u} lists the grant as \"device_code\" instead of {DEVICE_CODE} (RFC 8628 §3.4)"
            ),
            Some(p),
        ));
    }
    if !endpoints.is_empty() && !granted {
        findings.push(finding(
            code::GRANT_NOT_LISTED,
            format!(
                "{} is advertised, but grant_types_supported does not list {DEVICE_CODE}",
                endpoints[0].1
            ),
            Some(&endpoints[0].0),
        ));
    }
    if endpoints.is_empty() {
        findings.push(finding(
            code::ENDPOINT_NOT_ADVERTISED,
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
            code::NOT_VERIFIED_LIVE,
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
                code::ENDPOINT_UNAVAILABLE,
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
                    code::RESPONSE_INCOMPLETE,
                    format!("{} answered 200 without a JSON object", l.url),
                    p,
                ));
                continue;
            };
            if j.get("error").is_some() {
                findings.push(finding(
                    code::ERROR_IN_SUCCESS,
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
                code::UNKNOWN_CLIENT_ACCEPTED,
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
                    code::RESPONSE_INCOMPLETE,
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
                code::ERROR_NOT_JSON,
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

#[cfg(test)]
mod tests {
    use super::*;

    use crate::checks::testkit::headless::*;
    use crate::fixture::Route;

    use crate::model::outcome::Outcome;
    use crate::testing::{ORIGIN, evidence_with, json, site};
    use serde_json::json as j;
    #[test]
    fn a_conformant_server_passes_the_family() {
        let ev = ev_with(
            with(
                with(doc(), "client_id_metadata_document_supported", j!(true)),
                "token_endpoint_auth_methods_supported",
                j!(["none"]),
            ),
            good_routes(),
        );
        for id in [
            "device-authorization",
            "client-registration",
            "browserless-path",
            "token-revocation",
            "token-introspection",
        ] {
            assert_eq!(judge(&ev, id), (Outcome::Pass, vec![]), "{id}");
        }
        assert_eq!(judge(&ev, "delegation-grants").0, Outcome::Skip);
        assert_eq!(judge(&ev, "token-lifetime").0, Outcome::Skip);
    }

    #[test]
    fn device_authorization_outcomes() {
        let d = |routes: Vec<Route>| judge(&ev_with(doc(), routes), "device-authorization");
        assert_eq!(
            d(vec![post(
                "/device",
                200,
                "text/html",
                "<!doctype html><p>login</p>"
            )]),
            (
                Outcome::Fail,
                vec!["device-authorization-endpoint-unavailable".to_string()]
            )
        );
        assert_eq!(
            d(vec![]),
            (
                Outcome::Fail,
                vec!["device-authorization-endpoint-unavailable".to_string()]
            ),
            "404"
        );
        assert_eq!(
            d(vec![post("/device", 500, "application/json", "{}")]),
            (
                Outcome::Fail,
                vec!["device-authorization-endpoint-unavailable".to_string()]
            )
        );
        assert_eq!(
            d(vec![post("/device", 400, "text/plain", "bad request")]),
            (
                Outcome::Fail,
                vec!["device-authorization-error-not-json".to_string()]
            )
        );
        let ok = j!({"device_code": "d", "user_code": "U-1", "verification_uri": "https://x/device", "expires_in": 600, "interval": 5});
        assert_eq!(
            d(vec![post(
                "/device",
                200,
                "application/json",
                &ok.to_string()
            )]),
            (
                Outcome::Warn,
                vec!["device-authorization-unknown-client-accepted".to_string()]
            )
        );
        let partial = j!({"device_code": "d"});
        let (o, codes) = d(vec![post(
            "/device",
            200,
            "application/json",
            &partial.to_string(),
        )]);
        assert_eq!(o, Outcome::Fail);
        assert!(codes.contains(&"device-authorization-response-incomplete".to_string()));
        // Metadata inconsistencies.
        let ev = ev_with(
            with(doc(), "grant_types_supported", j!(["authorization_code"])),
            good_routes(),
        );
        assert_eq!(
            judge(&ev, "device-authorization"),
            (
                Outcome::Warn,
                vec!["device-authorization-grant-not-listed".to_string()]
            )
        );
        let ev = ev_with(
            without(doc(), "device_authorization_endpoint"),
            good_routes(),
        );
        assert_eq!(
            judge(&ev, "device-authorization"),
            (
                Outcome::Warn,
                vec!["device-authorization-endpoint-not-advertised".to_string()]
            )
        );
        let ev = ev_with(
            with(
                without(doc(), "device_authorization_endpoint"),
                "grant_types_supported",
                j!(["authorization_code"]),
            ),
            vec![],
        );
        assert_eq!(judge(&ev, "device-authorization").0, Outcome::Skip);
    }

    /// Passive mode sends no POST: what only a POST would verify is not a
    /// pass (and not a failure): `skip`, with the reason and the remedy.
    #[test]
    fn passive_mode_says_what_it_did_not_verify() {
        let mut all = vec![json(AS, &doc())];
        all.extend(good_routes());
        let ev = evidence_with(site(all, None), ORIGIN, Mode::Passive, None);
        assert!(
            ev.exchanges().iter().all(|x| x.request.method == "GET"),
            "passive mode sends no POST"
        );
        for (id, code) in [
            (
                "device-authorization",
                "device-authorization-not-verified-live",
            ),
            ("token-revocation", "token-revocation-not-verified-live"),
            (
                "token-introspection",
                "token-introspection-not-verified-live",
            ),
            (
                "client-registration",
                "client-registration-not-verified-live",
            ),
        ] {
            let r = crate::testing::judge(&ev, id);
            assert_eq!(r.outcome, Outcome::Skip, "{id}: {}", r.summary);
            assert!(
                crate::testing::codes(&r).contains(&code.to_string()),
                "{id}"
            );
            assert!(
                r.summary.contains("passive mode sends GET requests only")
                    && r.summary.contains("without --passive"),
                "{id}: the reason and the remedy: {}",
                r.summary
            );
        }
        // The device flow is the only browserless path here, and unverified.
        assert_eq!(judge(&ev, "browserless-path").0, Outcome::Skip);
        // A metadata defect (the grant is not listed) is verified without any
        // POST: it still counts.
        let ev = evidence_with(
            site(
                vec![json(
                    AS,
                    &with(doc(), "grant_types_supported", j!(["authorization_code"])),
                )],
                None,
            ),
            ORIGIN,
            Mode::Passive,
            None,
        );
        let r = crate::testing::judge(&ev, "device-authorization");
        assert_eq!(r.outcome, Outcome::Warn, "{}", r.summary);
        assert!(r.summary.contains("not verified"), "{}", r.summary);
    }
}
