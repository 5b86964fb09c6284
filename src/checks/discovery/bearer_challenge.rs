//! `bearer-challenge`: Unauthenticated API requests get a 401 with a Bearer challenge pointing to the resource metadata.
//!
//! RFC 9110 §11.6.1 / §15.5.2, RFC 6750 §3, RFC 9728
//! §5.1, MCP 2025-11-25.

use crate::checks::Builtin;
use crate::checks::codes::bearer_challenge as code;
use crate::evidence::Evidence;
use crate::evidence::views::api::{ApiExchange, api_view};
use crate::model::outcome::{EvalStatus, Evaluation, Unverified, finding};
use crate::model::probe::Needs;

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
    // A server an API description names (or an issuer's userinfo
    // endpoint) is a lead, not something the user asked for: when it cannot be reached it is left out rather than
    // making the check (and the scan) incomplete.
    let unreachable_leads: Vec<&str> = api
        .iter()
        .filter(|a| {
            !a.invalid_token
                && a.response(ev).is_none()
                && a.source.is_lead()
        })
        .map(|a| a.url.as_str())
        .collect();
    let plain: Vec<&ApiExchange> = api
        .iter()
        .filter(|a| !a.invalid_token)
        .filter(|a| {
            a.response(ev).is_some() || !a.source.is_lead()
        })
        .collect();
    if plain.is_empty() {
        if !unreachable_leads.is_empty() {
            return Evaluation::skip(format!(
                "the only API URLs known come from an API description's servers and could not be reached: {}",
                unreachable_leads.join(", ")
            ));
        }
        if let Some(n) = api.not_api().first() {
            return Evaluation::skip(format!(
                "no API endpoint was probed: {} is {}; scan the API URL itself, or add --api-url URL",
                n.url, n.reason
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
            "MCP server/discover request"
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
    // RFC 6750 §3.1: a request with an invalid token is answered 401 with
    // error="invalid_token". The answer is judged whatever its status: a
    // 5xx means token validation crashes, a 2xx that tokens are not
    // validated, another 4xx that the refusal is not the one clients act on.
    for a in api.iter().filter(|a| a.invalid_token) {
        let Some(resp) = a.response(ev) else { continue };
        // The bogus token is the only difference from the request without
        // one. An open resource (that request succeeded) may ignore the
        // header; the same status as without a token, other than 401, is
        // already judged above.
        let tokenless = plain
            .iter()
            .find(|p| p.url == a.url)
            .and_then(|p| p.response(ev));
        if tokenless.is_some_and(|t| {
            t.is_success() || (t.status == resp.status && t.status != 401)
        }) {
            continue;
        }
        let p = Some(a.probe.as_str());
        match resp.status {
            401 if a.bearer().is_some()
                && a.bearer().and_then(|b| b.param("error")) != Some("invalid_token") =>
            {
                findings.push(finding(
                    code::INVALID_TOKEN_ERROR_MISSING,
                    format!("{} answered a request with an invalid bearer token without error=\"invalid_token\" (RFC 6750 §3.1)", a.url),
                    p,
                ));
            }
            401 => {}
            s if s >= 500 => findings.push(finding(
                code::INVALID_TOKEN_SERVER_ERROR,
                format!("{} answered a request with an invalid bearer token with {s}: token validation fails instead of answering 401 error=\"invalid_token\" (RFC 6750 §3.1)", a.url),
                p,
            )),
            s if (200..300).contains(&s) => findings.push(finding(
                code::INVALID_TOKEN_ACCEPTED,
                format!("{} answered a request with an invalid bearer token with {s}, though it refuses requests without one: the token is not validated (RFC 6750 §3.1)", a.url),
                p,
            )),
            s if (400..500).contains(&s) => findings.push(finding(
                code::INVALID_TOKEN_WRONG_STATUS,
                format!("{} answered a request with an invalid bearer token with {s}, not 401 with error=\"invalid_token\" (RFC 6750 §3.1)", a.url),
                p,
            )),
            _ => {}
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
    let fix = plain
        .first()
        .filter(|_| !findings.is_empty())
        .map(|a| crate::checks::site_fix::bearer_challenge(ev, &a.url));
    let mut e = Evaluation::evaluated(summary, findings, probes);
    if let Some(f) = fix {
        e = e.with_site_fix(f);
    }
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
    use serde_json::json as j;

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

    /// RFC 6750 §3.1: the answer to a bogus token is judged whatever its
    /// status.
    #[test]
    fn the_answer_to_a_bogus_token_is_judged_whatever_its_status() {
        let www = r#"Bearer resource_metadata="https://as.example.com/.well-known/oauth-protected-resource/mcp", scope="a""#;
        let with_bogus_token = |status: u16| {
            let mut r = challenge("/mcp", status, None);
            r.if_header = Some("authorization".into());
            let ev = evidence(
                site(vec![r, challenge("/mcp", 401, Some(www))], None),
                &format!("{ORIGIN}/mcp"),
            );
            judge(&ev, "bearer-challenge")
        };
        assert_eq!(
            with_bogus_token(500),
            (
                Outcome::Fail,
                vec!["bearer-challenge-invalid-token-server-error".to_string()]
            )
        );
        assert_eq!(
            with_bogus_token(200),
            (
                Outcome::Fail,
                vec!["bearer-challenge-invalid-token-accepted".to_string()]
            )
        );
        assert_eq!(
            with_bogus_token(403),
            (
                Outcome::Warn,
                vec!["bearer-challenge-invalid-token-wrong-status".to_string()]
            )
        );
        // An open resource may ignore the header: nothing to judge.
        let mut open = challenge("/mcp", 200, None);
        open.body = Some("{}".into());
        let ev = evidence(site(vec![open], None), &format!("{ORIGIN}/mcp"));
        assert_eq!(judge(&ev, "bearer-challenge"), (Outcome::Info, vec![
            "bearer-challenge-open-resource".to_string()
        ]));
    }

    /// The target is an issuer (its metadata is found there): the issuer
    /// path is not judged as an API; the userinfo endpoint is, with and
    /// without a bogus token (OpenID Connect Core §5.3, RFC 6750).
    #[test]
    fn an_issuer_target_is_judged_by_its_userinfo_endpoint() {
        let realm = "/realms/acme";
        let issuer = format!("{ORIGIN}{realm}");
        let doc = j!({
            "issuer": issuer,
            "authorization_endpoint": format!("{issuer}/auth"),
            "token_endpoint": format!("{issuer}/token"),
            "userinfo_endpoint": format!("{issuer}/userinfo"),
            "response_types_supported": ["code"],
            "code_challenge_methods_supported": ["S256"]
        });
        let userinfo = |www: &str| {
            let mut bogus = challenge(&format!("{realm}/userinfo"), 401, Some(
                r#"Bearer realm="acme", error="invalid_token", error_description="Token verification failed""#,
            ));
            bogus.if_header = Some("authorization".into());
            let mut plain = challenge(&format!("{realm}/userinfo"), 401, Some(www));
            (bogus.method, plain.method) = ("GET".into(), "GET".into());
            vec![bogus, plain]
        };
        let mut routes = vec![json(&format!("{realm}/.well-known/openid-configuration"), &doc)];
        routes.extend(userinfo(r#"Bearer realm="acme""#));
        // The issuer path itself 404s to GET: not an API, not judged.
        let ev = evidence(site(routes, None), &issuer);
        assert!(
            ev.record(&format!("api-userinfo@{issuer}/userinfo")).is_some(),
            "the userinfo endpoint is probed"
        );
        let r = crate::testing::judge(&ev, "bearer-challenge");
        let (o, codes) = judge(&ev, "bearer-challenge");
        assert_eq!(o, Outcome::Warn, "{:?}", r.findings);
        assert_eq!(
            codes,
            vec![
                "bearer-challenge-missing-resource-metadata",
                "bearer-challenge-missing-scope"
            ]
        );
        // Without userinfo_endpoint, nothing is an API: skip, saying why.
        let mut plain = doc.clone();
        plain.as_object_mut().unwrap().remove("userinfo_endpoint");
        let ev = evidence(
            site(vec![json(&format!("{realm}/.well-known/openid-configuration"), &plain)], None),
            &issuer,
        );
        let r = crate::testing::judge(&ev, "bearer-challenge");
        assert_eq!(r.outcome, Outcome::Skip, "{}", r.summary);
        assert!(r.summary.contains("issuer"), "{}", r.summary);
    }

    /// A site root that 404s, probed only because a document pointed at
    /// the origin of a bare-origin target, is not an API endpoint.
    #[test]
    fn a_site_root_that_404s_is_not_an_api() {
        let mut doc = crate::checks::testkit::apis::good_api();
        doc["servers"] = j!([{"url": format!("{ORIGIN}/")}]);
        let ev = evidence(
            site(
                vec![
                    crate::checks::testkit::apis::catalog_to("/openapi.json"),
                    crate::checks::testkit::apis::at("/openapi.json", &doc),
                ],
                None,
            ),
            &format!("{ORIGIN}/"),
        );
        assert!(
            ev.probes_where(|m| matches!(m, crate::model::probe::ProbeMeta::Api { url, .. } if *url == format!("{ORIGIN}/")))
                .next()
                .is_some(),
            "the root is probed as the description's server"
        );
        let r = crate::testing::judge(&ev, "bearer-challenge");
        assert_eq!(r.outcome, Outcome::Skip, "{}", r.summary);
        assert!(r.summary.contains("404"), "{}", r.summary);
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
        // The root document names /v1, which it was not built from; the
        // challenge of /v1 offers a valid route to it: a warn on the copy.
        assert!(
            codes_of(&ev, "protected-resource-metadata")
                .contains(&"protected-resource-metadata-root-names-path-resource".to_string())
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
