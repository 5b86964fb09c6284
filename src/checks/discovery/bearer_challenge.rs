//! `bearer-challenge`: Unauthenticated API requests get a 401 with a Bearer challenge pointing to the resource metadata.
//!
//! RFC 9110 §11.6.1 / §15.5.2, RFC 6750 §3, RFC 9728
//! §5.1, MCP 2025-11-25.

use crate::checks::Builtin;
use crate::checks::codes::bearer_challenge as code;
use crate::evidence::Evidence;
use crate::evidence::views::api::{ApiExchange, api_view};
use crate::model::outcome::{EvalStatus, Evaluation, Unverified, finding};
use crate::model::probe::{ApiSource, Needs};

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::AS_METADATA.with(Needs::API),
    eval: bearer_challenge,
};

/// `bearer-challenge`: RFC 9110 §11.6.1 / §15.5.2, RFC 6750 §3, RFC 9728
/// §5.1, MCP 2025-11-25.
pub fn bearer_challenge(ev: &Evidence) -> Evaluation {
    let api = api_view(ev);
    // A server an API description names is a lead, not something the user
    // asked for: when it cannot be reached it is left out rather than
    // making the check (and the scan) incomplete.
    let unreachable_leads: Vec<&str> = api
        .iter()
        .filter(|a| {
            !a.invalid_token
                && a.response(ev).is_none()
                && matches!(a.source, ApiSource::ApiDescription { .. })
        })
        .map(|a| a.url.as_str())
        .collect();
    let plain: Vec<&ApiExchange> = api
        .iter()
        .filter(|a| !a.invalid_token)
        .filter(|a| {
            a.response(ev).is_some() || !matches!(a.source, ApiSource::ApiDescription { .. })
        })
        .collect();
    if plain.is_empty() {
        if !unreachable_leads.is_empty() {
            return Evaluation::skip(format!(
                "the only API URLs known come from an API description's servers and could not be reached: {}",
                unreachable_leads.join(", ")
            ));
        }
        return Evaluation::skip(
            "no API or MCP endpoint URL is known (the target is a bare domain and no protected-resource document names a resource): scan the API URL itself, or add --api-url URL",
        );
    }
    let probes: Vec<String> = api.iter().map(|a| a.probe.to_string()).collect();
    if plain.iter().all(|a| a.response(ev).is_none()) {
        // Nothing answered, or nothing was sent: not verified (`error`
        // when nothing answered, `skip` when the SSRF guard or a
        // restricted run kept the requests from being sent).
        let unverified: Vec<Unverified> = plain
            .iter()
            .filter_map(|a| {
                ev.get(a.probe.as_str()).and_then(|x| {
                    crate::model::outcome::Unverified::of_exchange(
                        x,
                        &format!("{} {}", x.request.method, a.url),
                    )
                })
            })
            .collect();
        if !unverified.is_empty() {
            return Evaluation::evaluated("No API endpoint answered", Vec::new(), probes)
                .with_unverified(unverified);
        }
        let why = plain
            .iter()
            .find_map(|a| a.error.clone())
            .unwrap_or_default();
        return Evaluation::error(format!("no API endpoint could be reached: {why}"), probes);
    }
    let mut findings = Vec::new();
    let mut challenged = 0usize;
    let mut open = 0usize;
    for a in &plain {
        let Some(resp) = a.response(ev) else { continue };
        let p = Some(a.probe.as_str());
        let what = if a.mcp {
            "MCP initialize request"
        } else {
            "request"
        };
        if resp.is_success() {
            open += 1;
            findings.push(finding(
                code::OPEN_RESOURCE,
                format!(
                    "an unauthenticated {what} to {} succeeded with {}: the resource is open",
                    a.url, resp.status
                ),
                p,
            ));
            continue;
        }
        if resp.status != 401 {
            findings.push(finding(
                code::WRONG_STATUS,
                format!(
                    "an unauthenticated {what} to {} got {} instead of 401 with a challenge{}",
                    a.url,
                    resp.status,
                    if resp.status == 404 {
                        " (is this the right URL?)"
                    } else {
                        ""
                    }
                ),
                p,
            ));
            continue;
        }
        if resp.header("www-authenticate").is_none() {
            findings.push(finding(
                code::HEADER_MISSING,
                format!(
                    "{} answered 401 without WWW-Authenticate (RFC 9110 §15.5.2 requires it)",
                    a.url
                ),
                p,
            ));
            continue;
        }
        if let Some(e) = &a.malformed {
            findings.push(finding(
                code::MALFORMED,
                format!(
                    "{}: WWW-Authenticate does not parse (RFC 9110 §11.6.1) {e}",
                    a.url
                ),
                p,
            ));
        }
        let Some(bearer) = a.bearer() else {
            let schemes: Vec<&str> = a.challenges.iter().map(|c| c.scheme.as_str()).collect();
            findings.push(finding(
                code::NOT_BEARER,
                format!(
                    "{} challenges with {} but not Bearer: OAuth clients have nothing to act on",
                    a.url,
                    schemes.join(", ")
                ),
                p,
            ));
            continue;
        };
        challenged += 1;
        let dups = bearer.duplicate_params();
        if !dups.is_empty() {
            findings.push(finding(
                code::DUPLICATE_PARAM,
                format!(
                    "{}: the Bearer challenge repeats {}",
                    a.url,
                    dups.join(", ")
                ),
                p,
            ));
        }
        if bearer.param("resource_metadata").is_none() {
            findings.push(finding(
                code::MISSING_RESOURCE_METADATA,
                format!("{}: the Bearer challenge has no resource_metadata (RFC 9728 §5.1), so an agent must guess the well-known URL", a.url),
                p,
            ));
        }
        if bearer.param("scope").is_none() {
            findings.push(finding(
                code::MISSING_SCOPE,
                format!("{}: the Bearer challenge has no scope (MCP 2025-11-25: servers SHOULD send it)", a.url),
                p,
            ));
        }
        if let Some(err) = bearer.param("error") {
            findings.push(finding(
                code::ERROR_WITHOUT_CREDENTIALS,
                format!("{}: the challenge to a request without credentials carries error=\"{err}\" (RFC 6750 §3.1: should not)", a.url),
                p,
            ));
        }
    }
    for a in api.iter().filter(|a| a.invalid_token) {
        let Some(resp) = a.response(ev) else { continue };
        if resp.status == 401
            && a.bearer().is_some()
            && a.bearer().and_then(|b| b.param("error")) != Some("invalid_token")
        {
            findings.push(finding(
                code::INVALID_TOKEN_ERROR_MISSING,
                format!("{} answered a request with an invalid bearer token without error=\"invalid_token\" (RFC 6750 §3.1)", a.url),
                Some(a.probe.as_str()),
            ));
        }
    }
    let summary = if challenged > 0 {
        format!(
            "{challenged} of {} {} 401 with a Bearer challenge",
            plain.len(),
            crate::model::texts::plural(plain.len(), "endpoint answers", "endpoints answer")
        )
    } else if open == plain.iter().filter(|a| a.response(ev).is_some()).count() {
        "The API answers without credentials: there is no challenge to follow".to_string()
    } else {
        "No endpoint answers an unauthenticated request with a Bearer challenge".to_string()
    };
    let mut e = Evaluation::evaluated(summary, findings, probes);
    if open > 0
        && challenged == 0
        && open == plain.iter().filter(|a| a.response(ev).is_some()).count()
    {
        e.status = EvalStatus::Informative;
    }
    e
}

#[cfg(test)]
mod tests {

    use crate::checks::testkit::discovery::*;

    use crate::model::outcome::Outcome;
    use crate::testing::{ORIGIN, evidence, json, route, site};

    // ---- bearer-challenge -------------------------------------------------------------

    #[test]
    fn bearer_challenge_outcomes() {
        let ev_with = |status: u16, www: Option<&str>| {
            evidence(
                site(vec![challenge("/mcp", status, www)], None),
                &format!("{ORIGIN}/mcp"),
            )
        };
        assert_eq!(
            judge(&ev_with(401, None), "bearer-challenge"),
            (
                Outcome::Fail,
                vec!["bearer-challenge-header-missing".to_string()]
            )
        );
        assert_eq!(
            judge(&ev_with(404, None), "bearer-challenge"),
            (
                Outcome::Fail,
                vec!["bearer-challenge-wrong-status".to_string()]
            )
        );
        assert_eq!(
            judge(&ev_with(401, Some("Basic realm=\"x\"")), "bearer-challenge"),
            (
                Outcome::Warn,
                vec!["bearer-challenge-not-bearer".to_string()]
            )
        );
        let (o, codes) = judge(
            &ev_with(401, Some("Bearer realm=\"x\"")),
            "bearer-challenge",
        );
        assert_eq!(o, Outcome::Warn);
        assert_eq!(
            codes,
            vec![
                "bearer-challenge-missing-resource-metadata",
                "bearer-challenge-missing-scope",
                // The same answer to a request with an invalid token.
                "bearer-challenge-invalid-token-error-missing",
            ]
        );
        let (o, codes) = judge(
            &ev_with(401, Some("Bearer realm=two words")),
            "bearer-challenge",
        );
        assert_eq!(o, Outcome::Warn);
        assert!(
            codes.contains(&"bearer-challenge-malformed".to_string()),
            "{codes:?}"
        );
        let (o, codes) = judge(
            &ev_with(
                401,
                Some("Bearer scope=\"a\", scope=\"b\", resource_metadata=\"https://x/y\""),
            ),
            "bearer-challenge",
        );
        assert_eq!(o, Outcome::Fail);
        assert!(codes.contains(&"bearer-challenge-duplicate-param".to_string()));
        // An open resource is informative.
        let mut open = challenge("/mcp", 200, None);
        open.body = Some("{}".into());
        let ev = evidence(site(vec![open], None), &format!("{ORIGIN}/mcp"));
        assert_eq!(judge(&ev, "bearer-challenge").0, Outcome::Info);
    }

    #[test]
    fn an_invalid_token_must_be_called_invalid() {
        let www = r#"Bearer resource_metadata="https://as.example.com/.well-known/oauth-protected-resource/mcp", scope="a""#;
        let bad_www = r#"Bearer error="invalid_token", resource_metadata="https://as.example.com/.well-known/oauth-protected-resource/mcp", scope="a""#;
        let mut with_token = challenge("/mcp", 401, Some(bad_www));
        with_token.if_header = Some("authorization".into());
        let ev = evidence(
            site(vec![with_token, challenge("/mcp", 401, Some(www))], None),
            &format!("{ORIGIN}/mcp"),
        );
        assert_eq!(judge(&ev, "bearer-challenge").0, Outcome::Pass);
        // The same challenge for both requests: the invalid token is not named.
        let ev = evidence(
            site(vec![challenge("/mcp", 401, Some(www))], None),
            &format!("{ORIGIN}/mcp"),
        );
        assert_eq!(
            judge(&ev, "bearer-challenge"),
            (
                Outcome::Warn,
                vec!["bearer-challenge-invalid-token-error-missing".to_string()]
            )
        );
    }

    #[test]
    fn a_bare_domain_without_api_url_skips_the_challenge() {
        let ev = evidence(site(vec![json(AS, &as_doc())], None), ORIGIN);
        assert_eq!(judge(&ev, "bearer-challenge").0, Outcome::Skip);
        // A PRM naming the API gives the scanner a URL to probe.
        let mut api = route("/v1", 401, "application/json", "{}");
        api.headers.insert(
            "www-authenticate".into(),
            format!(r#"Bearer resource_metadata="{ORIGIN}{PRM}/v1", scope="files:read""#),
        );
        let ev = evidence(
            site(
                vec![
                    json(PRM, &prm(ORIGIN)),
                    json(&format!("{PRM}/v1"), &prm(&format!("{ORIGIN}/v1"))),
                    api,
                    json(AS, &as_doc()),
                ],
                None,
            ),
            ORIGIN,
        );
        // The root PRM names the origin itself; nothing to probe.
        assert_eq!(judge(&ev, "bearer-challenge").0, Outcome::Skip);
    }

    #[test]
    fn prm_resource_urls_are_probed_as_apis() {
        let mut api = route("/v1", 401, "application/json", "{}");
        api.headers.insert(
            "www-authenticate".into(),
            format!(r#"Bearer resource_metadata="{ORIGIN}{PRM}/v1", scope="files:read""#),
        );
        let ev = evidence(
            site(
                vec![
                    json(PRM, &prm(&format!("{ORIGIN}/v1"))),
                    json(&format!("{PRM}/v1"), &prm(&format!("{ORIGIN}/v1"))),
                    api,
                    json(AS, &as_doc()),
                ],
                None,
            ),
            ORIGIN,
        );
        assert!(
            ev.record(&format!("api-unauthenticated@{ORIGIN}/v1"))
                .is_some()
        );
        let (o, codes) = judge(&ev, "bearer-challenge");
        assert_eq!(o, Outcome::Warn, "{codes:?}");
        // The root document names /v1, which it was not built from.
        assert!(
            codes_of(&ev, "protected-resource-metadata")
                .contains(&"protected-resource-metadata-resource-mismatch".to_string())
        );
    }
}

#[cfg(test)]
mod apis_tests {

    use crate::model::probe::{self, ProbeMeta};

    use crate::checks::testkit::apis::*;

    use crate::testing::{ORIGIN, evidence, judge, route, site, with_headers};
    use serde_json::json;
    #[test]
    fn servers_of_a_bare_domain_become_api_probes_and_oidc_urls_metadata_candidates() {
        let mut doc = good_api();
        doc["components"]["securitySchemes"]["oidc"] = json!({"type": "openIdConnect",
            "openIdConnectUrl": format!("{ORIGIN}/tenant/.well-known/openid-configuration")});
        let api = with_headers(
            route("/api", 401, "application/json", "{}"),
            &[(
                "www-authenticate",
                "Bearer realm=\"widgets\", scope=\"widgets:read\"",
            )],
        );
        let ev = evidence(
            site(
                vec![catalog_to("/openapi.json"), at("/openapi.json", &doc), api],
                None,
            ),
            &format!("{ORIGIN}/"),
        );
        let server = format!("{ORIGIN}/api");
        let rec = ev
            .record(&format!("{}@{server}", probe::API_SERVER))
            .expect("the server URL is probed as an API");
        assert!(matches!(
            &rec.meta,
            ProbeMeta::Api {
                source: probe::ApiSource::ApiDescription { .. },
                ..
            }
        ));
        assert!(
            ev.record(&format!(
                "{}@{server}{}",
                probe::API_SERVER,
                probe::INVALID_TOKEN_SUFFIX
            ))
            .is_some()
        );
        // The API GET of the same URL is the same request: aliased, not re-sent.
        let resource = ev.record(&format!("api-resource@{server}")).unwrap();
        assert_eq!(resource.exchange, ev.record("api-base").unwrap().exchange);
        assert_eq!(judge(&ev, "bearer-challenge").outcome.as_str(), "warn");
        let oidc = format!("{ORIGIN}/tenant/.well-known/openid-configuration");
        let rec = ev
            .record(&format!("as-metadata@description:{oidc}"))
            .expect("openIdConnectUrl is followed");
        assert!(matches!(
            &rec.meta,
            ProbeMeta::AsMetadata { issuer, source: crate::model::probe::IssuerSource::ApiDescription { .. }, .. }
                if *issuer == format!("{ORIGIN}/tenant")
        ));
    }

    #[test]
    fn servers_on_other_sites_are_not_probed_and_unreachable_ones_do_not_break_the_scan() {
        let mut doc = good_api();
        doc["servers"] = json!([
            {"url": "https://api.example.com/v1"},
            {"url": "https://api.other.example.org/v1"}
        ]);
        let ev = evidence(
            site(
                vec![catalog_to("/openapi.json"), at("/openapi.json", &doc)],
                None,
            ),
            &format!("{ORIGIN}/"),
        );
        // A sibling of as.example.com is the target's own site; another
        // registrable domain is not.
        assert!(
            ev.record(&format!("{}@https://api.example.com/v1", probe::API_SERVER))
                .is_some()
        );
        assert!(
            ev.probes_where(
                |m| matches!(m, ProbeMeta::Api { url, .. } if url.contains("other.example.org"))
            )
            .next()
            .is_none()
        );
        // The in-memory site cannot reach api.example.com: the lead is left
        // out, not an error that would make the scan incomplete.
        let r = judge(&ev, "bearer-challenge");
        assert_eq!(r.outcome.as_str(), "skip", "{}", r.summary);
        assert!(r.summary.contains("could not be reached"), "{}", r.summary);
    }
}
