//! `browserless-path`: At least one way to obtain a credential without a browser exists.
//!
//! at least one way to a credential without a browser.

use crate::checks::Builtin;
use crate::checks::codes::browserless_path as code;
use crate::checks::common::{
    CIBA, DEVICE_CODE, JWT_BEARER, TOKEN_EXCHANGE, has_grant, no_metadata, strings, unavailable,
};
use crate::evidence::Evidence;
use crate::evidence::views::endpoints::{Live, live};
use crate::evidence::views::cards::cards_view;
use crate::evidence::views::metadata::effective_docs;
use crate::model::api::{FlowKind, SchemeKind};
use crate::model::exchange::Mode;
use crate::model::outcome::{Evaluation, Unverified, finding};
use crate::model::probe::{EndpointKind, Needs};
use serde_json::Value;

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::AS_METADATA
        .with(Needs::ENDPOINTS)
        .with(Needs::CARDS),
    eval: browserless_path,
};

/// `browserless-path`: at least one way to a credential without a browser.
pub fn browserless_path(ev: &Evidence) -> Evaluation {
    let docs = effective_docs(ev);
    // An A2A agent card's device-code flow (A2A 1.0 `deviceCode`, RFC 8628)
    // is a browserless path too.
    let cards = cards_view(ev);
    let card_device: Vec<String> = cards
        .agent_card()
        .into_iter()
        .flat_map(|(_, c)| c.schemes.iter())
        .filter_map(|s| match &s.kind {
            SchemeKind::OAuth2 { flows, .. } => flows
                .iter()
                .find(|f| f.kind == FlowKind::DeviceAuthorization)
                .map(|f| {
                    format!(
                        "device authorization (A2A agent card scheme `{}`{})",
                        s.name,
                        f.device_authorization_url
                            .as_deref()
                            .map(|u| format!(", {u}"))
                            .unwrap_or_default()
                    )
                }),
            _ => None,
        })
        .collect();
    if docs.is_empty() && card_device.is_empty() {
        return no_metadata();
    }
    let mut probes: Vec<String> = docs.iter().map(|(p, _, _)| p.clone()).collect();
    if !card_device.is_empty()
        && let Some(a) = &cards.agent
    {
        probes.push(a.probe.clone());
    }
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
                code::GRANT_WITHOUT_ENDPOINT,
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
                    code::GRANT_WITHOUT_ENDPOINT,
                    format!("{u} lists CIBA without backchannel_authentication_endpoint"),
                    Some(p),
                ));
            }
        }
        if d.get("agent_auth").is_some_and(Value::is_object) {
            paths.push("agent registration (agent_auth)".into());
        }
    }
    paths.extend(card_device);
    paths.dedup();
    // A grant without its endpoint matters only when nothing else works.
    if !paths.is_empty() {
        findings.retain(|f| f.code != code::GRANT_WITHOUT_ENDPOINT);
    }
    if paths.is_empty() {
        let code = if undeclared {
            code::GRANTS_UNDECLARED
        } else {
            code::BROWSER_ONLY
        };
        // Several documents (RFC 8414 and OpenID) often list the same grants.
        let mut grants: Vec<&str> = Vec::new();
        for g in docs
            .iter()
            .flat_map(|(_, _, d)| strings(d, "grant_types_supported"))
        {
            if !grants.contains(&g) {
                grants.push(g);
            }
        }
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
            code::CLIENT_CREDENTIALS_ONLY,
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

#[cfg(test)]
mod tests {
    use super::*;

    use crate::checks::testkit::headless::*;
    use crate::fixture::Route;

    use crate::model::outcome::Outcome;

    use serde_json::json as j;

    #[test]
    fn the_browser_only_grants_are_listed_once() {
        let d = with(
            without(doc(), "device_authorization_endpoint"),
            "grant_types_supported",
            j!(["authorization_code", "implicit", "authorization_code"]),
        );
        let r = crate::testing::judge(&ev_with(d, vec![]), "browserless-path");
        assert_eq!(r.outcome, Outcome::Fail);
        let m = &r.findings[0].message;
        assert!(m.contains("(grants: authorization_code, implicit)"), "{m}");
    }

    #[test]
    fn browserless_path_outcomes() {
        let b = |d: Value, routes: Vec<Route>| judge(&ev_with(d, routes), "browserless-path");
        let browser_only = with(
            without(doc(), "device_authorization_endpoint"),
            "grant_types_supported",
            j!([
                "authorization_code",
                "refresh_token",
                "implicit",
                "password"
            ]),
        );
        assert_eq!(
            b(browser_only.clone(), vec![]),
            (
                Outcome::Fail,
                vec!["browserless-path-browser-only".to_string()]
            )
        );
        assert_eq!(
            b(
                without(
                    without(doc(), "device_authorization_endpoint"),
                    "grant_types_supported"
                ),
                vec![]
            ),
            (
                Outcome::Fail,
                vec!["browserless-path-grants-undeclared".to_string()]
            )
        );
        // A device endpoint that is really an HTML page is no path.
        assert_eq!(
            b(
                doc(),
                vec![post("/device", 200, "text/html", "<!doctype html><p>x</p>")]
            )
            .0,
            Outcome::Fail
        );
        assert_eq!(b(doc(), good_routes()), (Outcome::Pass, vec![]));
        assert_eq!(
            b(
                with(
                    browser_only.clone(),
                    "grant_types_supported",
                    j!(["client_credentials"])
                ),
                vec![]
            ),
            (
                Outcome::Pass,
                vec!["browserless-path-client-credentials-only".to_string()]
            )
        );
        assert_eq!(
            b(
                with(
                    browser_only.clone(),
                    "grant_types_supported",
                    j!(["authorization_code", DEVICE_CODE])
                ),
                vec![]
            ),
            (
                Outcome::Fail,
                vec![
                    "browserless-path-grant-without-endpoint".to_string(),
                    "browserless-path-browser-only".to_string()
                ]
            )
        );
        assert_eq!(
            b(
                with(
                    browser_only,
                    "agent_auth",
                    j!({"skill": "https://x/auth.md"})
                ),
                vec![]
            )
            .0,
            Outcome::Pass
        );
    }
}
