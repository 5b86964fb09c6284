//! `as-metadata-discovery`: Authorization-server metadata can be discovered programmatically.
//!
//! RFC 8414 §3 / OIDC Discovery §4 / MCP 2025-11-25.

use crate::checks::Builtin;
use crate::checks::codes::as_metadata_discovery as code;
use crate::evidence::Evidence;
use crate::evidence::views::DocState;
use crate::evidence::views::api::api_view;
use crate::evidence::views::metadata::{as_view, issuer_matches};
use crate::evidence::views::prm::prm_view;
use crate::model::outcome::{Evaluation, Finding, finding};
use crate::model::probe::{IssuerSource, Needs, ProbeMeta};
use serde_json::{Value, json};

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::AS_METADATA.with(Needs::API),
    eval: as_metadata_discovery,
};

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

/// The MCP discovery path as an agent walks it: challenge, then PRM, then
/// AS metadata, with what each step found (reported in
/// `as-metadata-discovery`'s `data.steps`).
pub(crate) fn discovery_steps(ev: &Evidence) -> Value {
    let mut steps = Vec::new();
    for a in api_view(ev).iter().filter(|a| !a.invalid_token) {
        let result = match (a.response(ev), a.bearer()) {
            (Some(r), Some(b)) => format!(
                "{} Bearer{}",
                r.status,
                b.param("resource_metadata")
                    .map(|u| format!(" resource_metadata={u}"))
                    .unwrap_or_default()
            ),
            (Some(r), None) => format!("{} without a Bearer challenge", r.status),
            (None, _) => format!("no response: {}", a.error.clone().unwrap_or_default()),
        };
        steps.push(json!({"step": "challenge", "probe": a.probe, "url": a.url, "result": result}));
    }
    for c in prm_view(ev).iter() {
        steps.push(json!({"step": "protected-resource-metadata", "probe": c.probe, "url": c.url, "result": c.state.describe()}));
    }
    for iv in as_view(ev).iter() {
        for c in &iv.candidates {
            steps.push(json!({
                "step": "authorization-server-metadata",
                "issuer": iv.issuer,
                "probe": c.probe,
                "url": c.url,
                "result": c.state.describe(),
            }));
        }
    }
    Value::Array(steps)
}

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
    let mut site_fix: Option<String> = None;
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
                    IssuerSource::AgentCard { card } => {
                        format!(" (named by a security scheme of the A2A agent card {card})")
                    }
                    _ => String::new(),
                };
                findings.push(finding(
                    code::FOUND,
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
                    if site_fix.is_none() {
                        site_fix = Some(crate::checks::site_fix::issuer_mismatch(
                            &c.url,
                            iv.issuer.as_str(),
                            declared,
                        ));
                    }
                    findings.push(finding(
                        code::UNUSABLE,
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
                        code::LISTED_ISSUER_MISSING,
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
        .with_data(serde_json::json!({ "steps": discovery_steps(ev) }))
        .with_unverified(unverified);
    }
    if usable.is_empty() && unusable.is_empty() {
        let tried: Vec<String> = view
            .iter()
            .flat_map(|v| v.candidates.iter())
            .map(|c| format!("{} → {}", c.url, c.state.describe()))
            .collect();
        findings.push(finding(
            code::NOT_FOUND,
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
        .with_data(serde_json::json!({ "steps": discovery_steps(ev) }))
        .with_site_fix(crate::checks::site_fix::authorization_server_metadata(ev));
    }
    let summary = if let Some(first) = usable.first() {
        format!("Authorization-server metadata found at {first}")
    } else {
        "Unusable metadata: its issuer does not match the URL it was found at".to_string()
    };
    let eval = Evaluation::evaluated(summary, findings, probes)
        .with_data(serde_json::json!({ "steps": discovery_steps(ev) }))
        .with_unverified(unverified);
    match site_fix {
        Some(fix) if usable.is_empty() => eval.with_site_fix(fix),
        _ => eval,
    }
}

#[cfg(test)]
mod tests {

    use crate::checks::testkit::metadata::*;

    use crate::model::outcome::Outcome;
    use crate::testing::{ORIGIN, evidence, json, route, site};
    use serde_json::json as j;
    #[test]
    fn a_good_document_passes_every_check() {
        let ev = root(good_doc());
        for id in FAMILY {
            let (o, codes) = judge(&ev, id);
            assert_eq!(o, Outcome::Pass, "{id}: {codes:?}");
        }
        assert!(
            judge(&ev, "as-metadata-discovery")
                .1
                .contains(&"as-metadata-discovery-found".to_string())
        );
    }

    // ---- as-metadata-discovery -------------------------------------------------

    #[test]
    fn discovery_fails_when_nothing_is_published() {
        let ev = evidence(site(vec![], None), ORIGIN);
        assert_eq!(
            judge(&ev, "as-metadata-discovery"),
            (
                Outcome::Fail,
                vec!["as-metadata-discovery-not-found".to_string()]
            )
        );
        for id in &FAMILY[1..] {
            assert_eq!(judge(&ev, id).0, Outcome::Skip, "{id}");
        }
    }

    #[test]
    fn discovery_fails_on_a_catch_all_site() {
        // Every path answers 200 HTML.
        let html = route(
            "",
            200,
            "text/html",
            "<!doctype html><html><body>app</body></html>",
        );
        let ev = evidence(site(vec![], Some(html)), ORIGIN);
        let (o, codes) = judge(&ev, "as-metadata-discovery");
        assert_eq!(o, Outcome::Fail);
        assert_eq!(codes, vec!["as-metadata-discovery-not-found"]);
        // Every path answers the same JSON object: still nothing found.
        let api = route(
            "",
            200,
            "application/json",
            r#"{"issuer":"https://as.example.com"}"#,
        );
        let ev = evidence(site(vec![], Some(api)), ORIGIN);
        assert_eq!(judge(&ev, "as-metadata-discovery").0, Outcome::Fail);
        assert_eq!(judge(&ev, "pkce-s256").0, Outcome::Skip);
    }

    #[test]
    fn discovery_fails_on_html_at_the_well_known_url() {
        let ev = evidence(
            site(
                vec![route(
                    AS,
                    200,
                    "text/html",
                    "<html><body>login</body></html>",
                )],
                None,
            ),
            ORIGIN,
        );
        assert_eq!(judge(&ev, "as-metadata-discovery").0, Outcome::Fail);
    }

    #[test]
    fn discovery_passes_with_openid_discovery_only() {
        let doc = oidc_doc();
        let ev = evidence(site(vec![json(OIDC, &doc)], None), ORIGIN);
        assert_eq!(judge(&ev, "as-metadata-discovery").0, Outcome::Pass);
        // Discovery passes; conformance asks for RFC 8414 too.
        assert_eq!(judge(&ev, "as-metadata-conformance").0, Outcome::Warn);
    }

    #[test]
    fn discovery_warns_when_the_issuer_does_not_match() {
        let ev = root(with(good_doc(), "issuer", j!("https://login.example.net")));
        let (o, codes) = judge(&ev, "as-metadata-discovery");
        assert_eq!(o, Outcome::Warn);
        assert!(codes.contains(&"as-metadata-discovery-unusable".to_string()));
    }

    #[test]
    fn issuer_with_path_is_found_at_each_mcp_url() {
        let issuer = format!("{ORIGIN}/tenant1");
        let doc = with(good_doc(), "issuer", j!(issuer));
        for (path, oidc) in [
            ("/.well-known/oauth-authorization-server/tenant1", false),
            ("/.well-known/openid-configuration/tenant1", true),
            ("/tenant1/.well-known/openid-configuration", true),
        ] {
            let ev = evidence(site(vec![json(path, &doc)], None), &issuer);
            assert_eq!(
                judge(&ev, "as-metadata-discovery").0,
                Outcome::Pass,
                "{path}"
            );
            assert_eq!(judge(&ev, "issuer-identifier").0, Outcome::Pass, "{path}");
            assert_eq!(judge(&ev, "pkce-s256").0, Outcome::Pass, "{path}");
            // The OIDC forms are held to OIDC Discovery's required members.
            let conf = judge(&ev, "as-metadata-conformance");
            assert_eq!(conf.0 == Outcome::Fail, oidc, "{path}: {conf:?}");
        }
    }

    #[test]
    fn issuers_listed_by_protected_resource_metadata_are_followed() {
        let issuer = format!("{ORIGIN}/auth");
        let prm = j!({"resource": ORIGIN, "authorization_servers": [issuer]});
        let doc = with(good_doc(), "issuer", j!(issuer));
        let ev = evidence(
            site(
                vec![
                    json("/.well-known/oauth-protected-resource", &prm),
                    json("/.well-known/oauth-authorization-server/auth", &doc),
                ],
                None,
            ),
            ORIGIN,
        );
        assert!(
            ev.record(&format!("as-metadata@{issuer}")).is_some(),
            "derived probe planned"
        );
        let (o, codes) = judge(&ev, "as-metadata-discovery");
        assert_eq!(o, Outcome::Pass, "{codes:?}");
        assert_eq!(judge(&ev, "issuer-identifier").0, Outcome::Pass);
    }

    /// A listed issuer whose metadata URLs all answered without a document is
    /// a warning; one whose host never answered is not verified, so it is no
    /// warning (the origin's own metadata still passes).
    #[test]
    fn a_listed_issuer_is_missing_only_when_its_urls_answered() {
        let tenant = format!("{ORIGIN}/tenant");
        let prm = j!({"resource": ORIGIN, "authorization_servers": [tenant]});
        let ev = evidence(
            site(
                vec![
                    json("/.well-known/oauth-protected-resource", &prm),
                    json(AS, &good_doc()),
                ],
                None,
            ),
            ORIGIN,
        );
        let (o, codes) = judge(&ev, "as-metadata-discovery");
        assert_eq!(o, Outcome::Warn);
        assert!(codes.contains(&"as-metadata-discovery-listed-issuer-missing".to_string()));

        let prm =
            j!({"resource": ORIGIN, "authorization_servers": ["https://auth.elsewhere.example"]});
        let ev = evidence(
            site(
                vec![
                    json("/.well-known/oauth-protected-resource", &prm),
                    json(AS, &good_doc()),
                ],
                None,
            ),
            ORIGIN,
        );
        let (o, codes) = judge(&ev, "as-metadata-discovery");
        assert_eq!(o, Outcome::Pass, "{codes:?}");
        assert!(!codes.contains(&"as-metadata-discovery-listed-issuer-missing".to_string()));
        // Nothing else to go on: not verified, and an error (nothing answered),
        // not a failure.
        let ev = evidence(
            site(
                vec![json("/.well-known/oauth-protected-resource", &prm)],
                None,
            ),
            ORIGIN,
        );
        let r = crate::testing::judge(&ev, "as-metadata-discovery");
        assert_eq!(r.outcome, Outcome::Error, "{}", r.summary);
        assert!(r.summary.starts_with("Not verified"), "{}", r.summary);
    }

    #[test]
    fn an_unreachable_target_is_an_error_not_a_failure() {
        let ev = evidence(site(vec![], None), "https://unreachable.example");
        assert_eq!(
            crate::testing::judge(&ev, "as-metadata-discovery").outcome,
            Outcome::Error
        );
        assert!(ev.unreachable());
    }

    #[test]
    fn the_same_url_is_requested_once_even_when_two_probes_plan_it() {
        // The PRM lists the origin itself as issuer: its metadata URLs are the
        // root probes' URLs, so the derived probes are aliases, not requests.
        let prm = j!({"resource": ORIGIN, "authorization_servers": [ORIGIN]});
        let ev = evidence(
            site(
                vec![
                    json("/.well-known/oauth-protected-resource", &prm),
                    json(AS, &good_doc()),
                ],
                None,
            ),
            ORIGIN,
        );
        let urls: Vec<&str> = ev
            .exchanges()
            .iter()
            .map(|x| x.request.url.as_str())
            .collect();
        let mut dedup = urls.clone();
        dedup.sort_unstable();
        dedup.dedup();
        assert_eq!(urls.len(), dedup.len(), "{urls:?}");
        assert_eq!(
            ev.record(&format!("as-metadata@{ORIGIN}"))
                .unwrap()
                .exchange,
            ev.record("as-metadata").unwrap().exchange
        );
    }

    #[test]
    fn a_public_target_cannot_send_the_scanner_to_a_private_address() {
        let prm = j!({"resource": ORIGIN, "authorization_servers": ["http://169.254.169.254/latest", "http://localhost:8080"]});
        let ev = evidence(
            site(
                vec![
                    json("/.well-known/oauth-protected-resource", &prm),
                    json(AS, &good_doc()),
                ],
                None,
            ),
            ORIGIN,
        );
        for id in [
            "as-metadata@http://169.254.169.254/latest",
            "as-metadata@http://localhost:8080",
        ] {
            let x = ev.get(id).unwrap();
            assert_eq!(
                x.error.as_ref().unwrap().kind,
                crate::model::exchange::ErrorKind::Refused,
                "{id}"
            );
        }
        // Refused, not fetched: not verified, so no warning (the origin's own
        // metadata passes), and discovery-consistency says what it could not
        // check and how to check it.
        let (o, codes) = judge(&ev, "as-metadata-discovery");
        assert_eq!(o, Outcome::Pass, "{codes:?}");
        let r = crate::testing::judge(&ev, "discovery-consistency");
        assert_eq!(r.outcome, Outcome::Skip, "{}", r.summary);
        assert!(
            crate::testing::codes(&r)
                .contains(&"discovery-consistency-private-address-refused".to_string())
        );
        assert!(r.summary.contains("--allow-private"), "{}", r.summary);
    }
}
