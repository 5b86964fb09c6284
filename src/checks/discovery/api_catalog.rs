//! `api-catalog`: An API description is discoverable (api-catalog, service-desc link or OpenAPI location) and parses.
//!
//! RFC 9727 §2, §4.1, §4.2; RFC 8631 §4.2; RFC 9264 §4.2.

use crate::checks::Builtin;
use crate::checks::codes::api_catalog as code;
use crate::checks::common::scheme_json;
use crate::evidence::Evidence;
use crate::evidence::views::api::api_view;
use crate::evidence::views::catalog::{CatalogState, catalog_view};
use crate::evidence::views::descriptions::{DescState, Fetched, found};
use crate::model::api::{Description, SchemeKind};
use crate::model::outcome::{Evaluation, Finding, finding};
use crate::model::probe;
use crate::model::probe::{DescriptionSource, Needs};
use crate::model::target::TargetKind;
use crate::parse::description as apidesc;
use crate::parse::links::same_site;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::AS_METADATA
        .with(Needs::API)
        .with(Needs::API_RESOURCES)
        .with(Needs::API_DESCRIPTION),
    eval: api_catalog,
};

/// Findings of one kind listed one by one, at most.
const MAX_LISTED: usize = 8;

fn via_text(via: &DescriptionSource) -> String {
    match via {
        DescriptionSource::Catalog { rel, .. } => format!("the api-catalog's {rel} link"),
        DescriptionSource::LinkHeader { probe, rel } => {
            format!("a Link: rel=\"{rel}\" header on {probe}")
        }
        DescriptionSource::Conventional { path } => {
            format!("the conventional location {path}")
        }
    }
}

fn via_json(via: &DescriptionSource) -> Value {
    match via {
        DescriptionSource::Catalog { rel, anchor } => {
            json!({"from": "api-catalog", "rel": rel, "anchor": anchor})
        }
        DescriptionSource::LinkHeader { probe, rel } => {
            json!({"from": "link-header", "rel": rel, "probe": probe})
        }
        DescriptionSource::Conventional { path } => json!({"from": "conventional", "path": path}),
    }
}

fn scheme_names(d: &Description) -> String {
    if d.schemes.is_empty() {
        return "no security schemes".into();
    }
    let names: Vec<String> = d
        .schemes
        .iter()
        .map(|s| {
            let ty = match &s.kind {
                SchemeKind::ApiKey { .. } => "apiKey".to_string(),
                SchemeKind::Http { scheme } => format!("http {scheme}"),
                SchemeKind::OAuth2 { flows, .. } => format!(
                    "oauth2 {}",
                    flows
                        .iter()
                        .map(|f| f.kind.as_str())
                        .collect::<Vec<_>>()
                        .join("+")
                ),
                SchemeKind::OpenIdConnect { .. } => "openIdConnect".into(),
                SchemeKind::MutualTls => "mutualTLS".into(),
                SchemeKind::Other(t) => t.clone(),
            };
            format!("{} ({ty})", s.name)
        })
        .collect();
    names.join(", ")
}

/// True when the user pointed agentready at an HTTP API (a non-MCP URL
/// with a path, or a non-MCP `--api-url`) and it answered like one (not
/// 404, not an HTML page): such a target has an API whose description an
/// agent needs.
fn is_http_api(ev: &Evidence) -> Option<String> {
    if ev.target().kind == TargetKind::Mcp {
        return None;
    }
    api_view(ev)
        .iter()
        .filter(|a| !a.invalid_token && !a.mcp)
        .filter(|a| {
            matches!(
                a.source,
                probe::ApiSource::Target | probe::ApiSource::ApiUrl
            )
        })
        .find_map(|a| {
            let r = a.response(ev)?;
            (r.status != 404 && !r.looks_like_html()).then(|| format!("{} ({})", a.url, r.status))
        })
}

/// `api-catalog`: RFC 9727 §2, §4.1, §4.2; RFC 8631 §4.2; RFC 9264 §4.2.
pub fn api_catalog(ev: &Evidence) -> Evaluation {
    let catalog = catalog_view(ev);
    let Some(catalog) = catalog.as_ref() else {
        return Evaluation::skip("the API catalog was not probed");
    };
    let fetched = found(ev);
    let mut evidence: Vec<String> = vec![probe::API_CATALOG.to_string()];
    evidence.extend(fetched.iter().map(|f| f.probe.to_string()));
    let mut findings: Vec<Finding> = Vec::new();
    let cat = Some(probe::API_CATALOG);
    let target_host = ev.target().url.host_str().unwrap_or_default().to_string();
    let mut catalog_links: Vec<Value> = Vec::new();
    let mut catalog_ok = false;
    match &catalog.state {
        CatalogState::Absent(_) | CatalogState::Failed(_) => {}
        CatalogState::Html => findings.push(finding(
            code::HTML,
            format!(
                "{} answered 200 with an HTML page instead of an RFC 9264 linkset",
                catalog.url
            ),
            cat,
        )),
        CatalogState::NotLinkset(why) => findings.push(finding(
            code::NOT_LINKSET,
            format!(
                "{}: {why} (RFC 9727 §4.2: the catalog MUST be an application/linkset+json document)",
                catalog.url
            ),
            cat,
        )),
        CatalogState::Linkset(links) => {
            catalog_ok = true;
            let media = catalog.content_type.as_deref().map(|c| {
                c.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            });
            if media.as_deref() != Some("application/linkset+json") {
                findings.push(finding(
                    code::CONTENT_TYPE,
                    format!(
                        "{} is served as {} (RFC 9727 §4.2: application/linkset+json)",
                        catalog.url,
                        catalog.content_type.as_deref().unwrap_or("(no Content-Type)")
                    ),
                    cat,
                ));
            } else if !catalog
                .content_type
                .as_deref()
                .is_some_and(|c| c.contains(apidesc::API_CATALOG_PROFILE))
            {
                findings.push(finding(
                    code::PROFILE_MISSING,
                    format!(
                        "{}: Content-Type has no profile=\"{}\" (RFC 9727 §4.2: SHOULD)",
                        catalog.url,
                        apidesc::API_CATALOG_PROFILE
                    ),
                    cat,
                ));
            }
            if links.is_empty() {
                findings.push(finding(
                    code::API_LINKS_MISSING,
                    format!(
                        "{}: the linkset holds no link (RFC 9727 §4.1: the catalog MUST link to the APIs)",
                        catalog.url
                    ),
                    cat,
                ));
            } else if !links.iter().any(|l| l.rel == "service-desc") {
                findings.push(finding(
                    code::NO_SERVICE_DESC,
                    format!(
                        "{}: the catalog links {} but no service-desc, so an agent finds no machine-readable description through it",
                        catalog.url,
                        links
                            .iter()
                            .map(|l| l.rel.as_str())
                            .collect::<BTreeSet<_>>()
                            .into_iter()
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    cat,
                ));
            }
            let mut not_followed = Vec::new();
            for l in links {
                let host = url::Url::parse(&l.href)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_string))
                    .unwrap_or_default();
                let followable = matches!(l.rel.as_str(), "service-desc" | "service-doc");
                let own = same_site(&target_host, &host);
                if followable && !own {
                    not_followed.push(l.href.clone());
                }
                catalog_links.push(json!({
                    "rel": l.rel, "href": l.href, "anchor": l.anchor, "type": l.media_type,
                    "followed": followable && own && fetched.iter().any(|f| f.url == l.href),
                }));
            }
            if !not_followed.is_empty() {
                findings.push(finding(
                    code::LINK_NOT_FOLLOWED,
                    format!(
                        "links to another site are reported, not fetched: {}",
                        not_followed
                            .iter()
                            .take(MAX_LISTED)
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    cat,
                ));
            }
        }
    }
    // A working, parseable machine-readable description (service-desc):
    // beside it, a broken human-documentation link is a warn.
    let working_desc = fetched
        .iter()
        .any(|f| f.via.rel() == Some("service-desc") && matches!(f.state, DescState::Found(_)));
    // The descriptions.
    let mut found: Vec<(&Fetched, &Description)> = Vec::new();
    let mut data_desc: Vec<Value> = Vec::new();
    for f in fetched.iter() {
        let p = Some(f.probe.as_str());
        let rel = f.via.rel();
        let mut entry = json!({
            "url": f.url, "probe": f.probe, "via": via_json(&f.via), "result": f.state.describe(),
        });
        match &f.state {
            DescState::Found(d) => {
                found.push((f, d.as_ref()));
                entry["version"] = json!(d.version);
                entry["title"] = json!(d.title);
                entry["operations"] = json!(d.operations.len());
                entry["servers"] = json!(d.servers);
                entry["security_schemes"] =
                    Value::Array(d.schemes.iter().map(scheme_json).collect());
            }
            DescState::Truncated => findings.push(finding(
                code::DESCRIPTION_TOO_LARGE,
                if f.via.announced() {
                    format!(
                        "{} (found through {}) is larger than {} times --max-body, the cap for announced descriptions, and was not read",
                        f.url,
                        via_text(&f.via),
                        crate::model::probe::DESCRIPTION_CAP_FACTOR
                    )
                } else {
                    format!(
                        "{} (found through {}) is larger than --max-body, the cap for guessed locations, and was not read; announce it (api-catalog or a service-desc link) or raise --max-body",
                        f.url,
                        via_text(&f.via)
                    )
                },
                p,
            )),
            // A guess that finds nothing is not a finding.
            _ if !f.via.announced() => {}
            // Human documentation: only a dead link is a problem.
            _ if rel == Some("service-doc") => {
                if matches!(
                    f.state,
                    DescState::Failed(_) | DescState::Status(_) | DescState::CatchAll
                ) {
                    // RFC 9727 §4: service-desc is what a machine reads;
                    // with a working one, a dead documentation link does
                    // not keep an agent from the API.
                    let (code, beside) = if working_desc {
                        (
                            code::DOC_LINK_BROKEN,
                            ", beside a working service-desc",
                        )
                    } else {
                        (code::LINK_BROKEN, "")
                    };
                    findings.push(finding(
                        code,
                        format!(
                            "{} (the catalog's service-doc link{beside}) → {}",
                            f.url,
                            f.state.describe()
                        ),
                        p,
                    ));
                }
            }
            DescState::Html => findings.push(finding(
                code::HTML,
                format!(
                    "{} (found through {}) answered with an HTML page, not an API description",
                    f.url,
                    via_text(&f.via)
                ),
                p,
            )),
            DescState::Unparseable(e) | DescState::NotDescription(e) => findings.push(finding(
                code::DESCRIPTION_UNPARSEABLE,
                format!("{} (found through {}): {e}", f.url, via_text(&f.via)),
                p,
            )),
            DescState::Failed(_) | DescState::Status(_) | DescState::CatchAll => {
                findings.push(finding(
                    code::LINK_BROKEN,
                    format!(
                        "{} (found through {}) → {}",
                        f.url,
                        via_text(&f.via),
                        f.state.describe()
                    ),
                    p,
                ));
            }
        }
        data_desc.push(entry);
    }
    let mut data = json!({
        "catalog": {
            "url": catalog.url,
            "result": match &catalog.state {
                CatalogState::Absent(s) => format!("absent: {s}"),
                CatalogState::Failed(e) => format!("no response: {e}"),
                CatalogState::Html => "an HTML page".into(),
                CatalogState::NotLinkset(w) => format!("not a linkset: {w}"),
                CatalogState::Linkset(l) => format!("linkset with {} link(s)", l.len()),
            },
            "content_type": catalog.content_type,
        },
    });
    // Moved in, not copied: `json!` would serialise the vectors afresh.
    let link_elsewhere = catalog_links
        .iter()
        .any(|l| l["rel"] == "service-desc" && l["followed"] == false);
    data["catalog"]["links"] = Value::Array(catalog_links);
    data["descriptions"] = Value::Array(data_desc);
    if let Some((f, d)) = found.first() {
        if found.iter().all(|(f, _)| !f.via.announced()) {
            findings.push(finding(
                code::UNANNOUNCED,
                format!(
                    "{} exists only at a conventional path: no api-catalog or Link: rel=\"service-desc\" announces it",
                    f.url
                ),
                Some(f.probe.as_str()),
            ));
        }
        let challenged = api_view(ev)
            .iter()
            .any(|a| !a.invalid_token && a.response(ev).is_some_and(|r| r.status == 401));
        if challenged && found.iter().all(|(_, d)| d.schemes.is_empty()) {
            findings.push(finding(
                code::SECURITY_SCHEMES_MISSING,
                format!(
                    "the API answers 401, but {} declares no security schemes",
                    f.url
                ),
                Some(f.probe.as_str()),
            ));
        }
        let summary = format!(
            "API description found at {} ({}): {}, {} operation(s), {}{}",
            f.url,
            via_text(&f.via),
            d.describe_version(),
            d.operations.len(),
            scheme_names(d),
            if found.len() > 1 {
                format!("; {} more description(s)", found.len() - 1)
            } else {
                String::new()
            }
        );
        return Evaluation::evaluated(summary, findings, evidence).with_data(data);
    }
    if !findings.is_empty() || catalog_ok {
        let elsewhere =
            link_elsewhere && findings.iter().any(|f| f.code == code::LINK_NOT_FOLLOWED);
        let summary = if catalog_ok && elsewhere {
            "The API catalog names a description on another site, which is reported, not fetched"
                .to_string()
        } else if catalog_ok {
            "An API catalog exists, but no readable API description was found through it".into()
        } else {
            "What answers at the catalog or description URLs is not a usable API description"
                .to_string()
        };
        return Evaluation::evaluated(summary, findings, evidence).with_data(data);
    }
    // Nothing at all.
    let nothing_answered = matches!(catalog.state, CatalogState::Failed(_))
        && fetched
            .iter()
            .all(|f| matches!(f.state, DescState::Failed(_)));
    if nothing_answered {
        return Evaluation::error(
            "neither the API catalog nor any conventional description location could be fetched",
            evidence,
        );
    }
    let tried: Vec<String> = std::iter::once(catalog.url.clone())
        .chain(fetched.iter().map(|f| f.url.to_string()))
        .collect();
    if let Some(api) = is_http_api(ev) {
        findings.push(finding(
            code::DESCRIPTION_MISSING,
            format!(
                "the API at {api} has no discoverable description: no api-catalog, no Link: rel=\"service-desc\", nothing at {}",
                tried.join(", ")
            ),
            None,
        ));
        return Evaluation::evaluated(
            "No API description is discoverable for the API",
            findings,
            evidence,
        )
        .with_data(data);
    }
    Evaluation {
        data: Some(data),
        evidence,
        ..Evaluation::skip(format!(
            "no API description was found ({} URL(s) tried: the api-catalog and {} conventional location(s)); not every auth surface has one (an MCP server lists its tools over MCP, an authorization server has no API), so this is not judged",
            tried.len(),
            tried.len() - 1
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::probe::{self, DescriptionSource, ProbeMeta};

    use crate::checks::testkit::apis::*;

    use crate::testing::{ORIGIN, codes, evidence, json, judge, route, site, with_headers};
    use serde_json::json;
    #[test]
    fn catalog_to_an_openapi_document_passes_and_says_where() {
        let r = run(
            vec![
                catalog_to("/openapi.json"),
                at("/openapi.json", &good_api()),
            ],
            "api-catalog",
        );
        assert_eq!(r.outcome.as_str(), "pass", "{:?}", r.findings);
        assert!(r.summary.contains("OpenAPI 3.1.0"), "{}", r.summary);
        assert!(
            r.summary.contains("api-catalog's service-desc"),
            "{}",
            r.summary
        );
        let data = r.data.unwrap();
        assert_eq!(data["descriptions"][0]["version"], "3.1.0");
        assert_eq!(data["descriptions"][0]["via"]["from"], "api-catalog");
        assert_eq!(data["catalog"]["links"][0]["followed"], true);
    }

    #[test]
    fn catalog_format_problems_warn_or_fail() {
        let body = json!({"linkset": [{"service-desc": [{"href": "/openapi.json"}]}]});
        let plain = route(
            "/.well-known/api-catalog",
            200,
            "application/json",
            &body.to_string(),
        );
        let r = run(vec![plain, at("/openapi.json", &good_api())], "api-catalog");
        assert_eq!(r.outcome.as_str(), "warn");
        assert_eq!(codes(&r), vec!["api-catalog-content-type"]);
        let no_profile = route(
            "/.well-known/api-catalog",
            200,
            "application/linkset+json",
            &body.to_string(),
        );
        let r = run(
            vec![no_profile, at("/openapi.json", &good_api())],
            "api-catalog",
        );
        assert_eq!(codes(&r), vec!["api-catalog-profile-missing"]);
        // Not a linkset; an HTML page; an empty linkset; no service-desc.
        let r = run(vec![catalog(&json!({"apis": []}))], "api-catalog");
        assert_eq!(r.outcome.as_str(), "fail");
        assert!(codes(&r).contains(&"api-catalog-not-linkset".to_string()));
        let r = run(
            vec![route(
                "/.well-known/api-catalog",
                200,
                "text/html",
                "<!doctype html><html><body>APIs</body></html>",
            )],
            "api-catalog",
        );
        assert!(codes(&r).contains(&"api-catalog-html".to_string()));
        let r = run(vec![catalog(&json!({"linkset": []}))], "api-catalog");
        assert!(codes(&r).contains(&"api-catalog-api-links-missing".to_string()));
        let r = run(
            vec![catalog(
                &json!({"linkset": [{"item": [{"href": "/api/v2"}]}]}),
            )],
            "api-catalog",
        );
        assert_eq!(r.outcome.as_str(), "warn");
        assert!(codes(&r).contains(&"api-catalog-no-service-desc".to_string()));
    }

    #[test]
    fn broken_and_unparseable_links_fail() {
        let r = run(vec![catalog_to("/openapi.json")], "api-catalog");
        assert_eq!(r.outcome.as_str(), "fail");
        assert_eq!(codes(&r), vec!["api-catalog-link-broken"]);
        let r = run(
            vec![
                catalog_to("/openapi.yaml"),
                route(
                    "/openapi.yaml",
                    200,
                    "application/yaml",
                    "openapi: 3.0.0\npaths: [unclosed",
                ),
            ],
            "api-catalog",
        );
        assert_eq!(codes(&r), vec!["api-catalog-description-unparseable"]);
        let r = run(
            vec![
                catalog_to("/openapi.json"),
                at("/openapi.json", &json!({"not": "openapi"})),
            ],
            "api-catalog",
        );
        assert_eq!(codes(&r), vec!["api-catalog-description-unparseable"]);
        let r = run(
            vec![
                catalog_to("/openapi.json"),
                route(
                    "/openapi.json",
                    200,
                    "text/html",
                    "<html><body>Swagger UI</body></html>",
                ),
            ],
            "api-catalog",
        );
        assert_eq!(codes(&r), vec!["api-catalog-html"]);
    }

    #[test]
    fn conventional_yaml_passes_but_is_unannounced() {
        let yaml = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /things:\n    get:\n      operationId: listThings\n      responses: {'200': {description: ok}}\n";
        let r = run(
            vec![route("/openapi.yaml", 200, "application/yaml", yaml)],
            "api-catalog",
        );
        assert_eq!(r.outcome.as_str(), "pass", "{:?}", r.findings);
        assert_eq!(codes(&r), vec!["api-catalog-unannounced"]);
        assert!(r.summary.contains("/openapi.yaml"));
    }

    #[test]
    fn a_link_header_announces_the_description() {
        let root = with_headers(
            route("/", 200, "application/json", "{}"),
            &[("link", "</spec/openapi.json>; rel=\"service-desc\"")],
        );
        let ev = evidence(
            site(vec![root, at("/spec/openapi.json", &good_api())], None),
            &format!("{ORIGIN}/"),
        );
        let r = judge(&ev, "api-catalog");
        assert_eq!(r.outcome.as_str(), "pass", "{:?}", r.findings);
        assert!(
            r.summary.contains("Link: rel=\"service-desc\""),
            "{}",
            r.summary
        );
        // Announced: no conventional location was guessed.
        assert!(
            ev.probes_where(|m| matches!(m, ProbeMeta::ApiDescription { via } if !via.announced()))
                .next()
                .is_none()
        );
    }

    #[test]
    fn nothing_found_is_skipped_and_a_catch_all_finds_nothing() {
        let r = run(vec![], "api-catalog");
        assert_eq!(r.outcome.as_str(), "skip", "{:?}", r.findings);
        let spa = route(
            "",
            200,
            "text/html",
            "<!doctype html><html><body><div id=root></div></body></html>",
        );
        let ev = evidence(site(vec![], Some(spa)), &format!("{ORIGIN}/"));
        for id in FAMILY {
            assert_eq!(judge(&ev, id).outcome.as_str(), "skip", "{id}");
        }
    }

    #[test]
    fn an_http_api_target_without_description_fails() {
        let api = with_headers(
            route(
                "/v1",
                401,
                "application/json",
                "{\"error\":\"unauthorized\"}",
            ),
            &[("www-authenticate", "Bearer realm=\"api\"")],
        );
        let ev = evidence(site(vec![api], None), &format!("{ORIGIN}/v1"));
        let r = judge(&ev, "api-catalog");
        assert_eq!(r.outcome.as_str(), "fail");
        assert_eq!(codes(&r), vec!["api-catalog-description-missing"]);
        // The relative conventional location was tried too.
        assert!(
            ev.record(&format!("{}@/v1/openapi.json", probe::OPENAPI_LOCATION))
                .is_some()
        );
    }

    #[test]
    fn a_challenged_api_whose_description_declares_no_schemes_warns() {
        let api = with_headers(
            route("/v1", 401, "application/json", "{}"),
            &[("www-authenticate", "Bearer realm=\"api\"")],
        );
        let doc = json!({"openapi": "3.0.0", "paths": {"/x": {"get": {}}}});
        let ev = evidence(
            site(vec![api, at("/v1/openapi.json", &doc)], None),
            &format!("{ORIGIN}/v1"),
        );
        let r = judge(&ev, "api-catalog");
        assert_eq!(r.outcome.as_str(), "warn", "{:?}", r.findings);
        assert!(codes(&r).contains(&"api-catalog-security-schemes-missing".to_string()));
    }

    #[test]
    fn links_to_other_sites_are_reported_not_fetched() {
        let cat = catalog(
            &json!({"linkset": [{"service-desc": [{"href": "https://elsewhere.example.org/openapi.json"}]}]}),
        );
        let ev = evidence(site(vec![cat], None), &format!("{ORIGIN}/"));
        assert!(
            ev.record("api-description@https://elsewhere.example.org/openapi.json")
                .is_none()
        );
        let r = judge(&ev, "api-catalog");
        assert!(codes(&r).contains(&"api-catalog-link-not-followed".to_string()));
    }

    #[test]
    fn an_openapi_32_metadata_url_is_followed_and_device_flows_are_reported() {
        let meta = crate::testing::as_metadata(&["S256"]);
        let meta: Value =
            serde_json::from_str(&meta.to_string().replace("{{origin}}", ORIGIN)).unwrap();
        let doc = json!({"openapi": "3.2.0", "paths": {"/things": {"query": {"operationId": "queryThings",
            "security": [{"o": ["things:read"]}]}}},
            "components": {"securitySchemes": {"o": {"type": "oauth2",
                "oauth2MetadataUrl": format!("{ORIGIN}/.well-known/oauth-authorization-server/things"),
                "flows": {"deviceAuthorization": {
                    "deviceAuthorizationUrl": format!("{ORIGIN}/device"),
                    "tokenUrl": format!("{ORIGIN}/token"),
                    "scopes": {"things:read": "Read things"}}}}}}});
        let ev = evidence(
            site(
                vec![
                    catalog_to("/openapi.json"),
                    at("/openapi.json", &doc),
                    json("/.well-known/oauth-authorization-server/things", &meta),
                ],
                None,
            ),
            &format!("{ORIGIN}/"),
        );
        let url = format!("{ORIGIN}/.well-known/oauth-authorization-server/things");
        assert!(
            ev.record(&format!("as-metadata@description:{url}"))
                .is_some()
        );
        let r = judge(&ev, "api-catalog");
        assert_eq!(r.outcome.as_str(), "pass", "{:?}", r.findings);
        let schemes = &r.data.as_ref().unwrap()["descriptions"][0]["security_schemes"];
        assert_eq!(schemes[0]["flows"][0]["flow"], "deviceAuthorization");
        let r = judge(&ev, "action-classification");
        assert_eq!(ops(&r)[0].2, "read", "QUERY is a safe method");
    }

    #[test]
    fn linked_descriptions_are_bounded_and_service_docs_do_not_stop_the_guessing() {
        let links: Vec<Value> = (0..6)
            .map(|i| json!({"href": format!("{ORIGIN}/specs/{i}.json")}))
            .collect();
        let ev = evidence(
            site(
                vec![catalog(&json!({"linkset": [{"service-desc": links}]}))],
                None,
            ),
            &format!("{ORIGIN}/"),
        );
        let linked = ev
            .probes_where(|m| matches!(m, ProbeMeta::ApiDescription { via } if via.announced()))
            .count();
        assert_eq!(linked, crate::gather::plan::MAX_LINKED_DESCRIPTIONS);
        // Announced service-desc links (even dead ones): no guessing.
        assert!(
            ev.probes_where(|m| matches!(m, ProbeMeta::ApiDescription { via } if !via.announced()))
                .next()
                .is_none()
        );
        // Only human documentation announced: the conventional paths are
        // tried in the same round as the documentation link.
        let docs_only = catalog(&json!({"linkset": [{"service-doc": [{"href": "/docs"}]}]}));
        let ev = evidence(
            site(
                vec![
                    docs_only,
                    route("/docs", 200, "text/html", "<html><body>docs</body></html>"),
                    at("/openapi.json", &good_api()),
                ],
                None,
            ),
            &format!("{ORIGIN}/"),
        );
        let r = judge(&ev, "api-catalog");
        assert_eq!(r.outcome.as_str(), "warn", "{:?}", r.findings);
        assert_eq!(
            codes(&r),
            vec!["api-catalog-no-service-desc", "api-catalog-unannounced"]
        );
    }

    /// A broken service-doc beside a working service-desc warns; alone it
    /// fails.
    #[test]
    fn a_broken_doc_link_beside_a_working_service_desc_warns() {
        let both = catalog(&json!({"linkset": [{
            "anchor": format!("{ORIGIN}/api"),
            "service-desc": [{"href": "/openapi.json"}],
            "service-doc": [{"href": "/docs"}]
        }]}));
        let ev = evidence(
            site(vec![both, at("/openapi.json", &good_api())], None),
            &format!("{ORIGIN}/"),
        );
        let r = judge(&ev, "api-catalog");
        assert_eq!(r.outcome.as_str(), "warn", "{:?}", r.findings);
        assert_eq!(codes(&r), vec!["api-catalog-doc-link-broken"]);
        // Without a working service-desc, the dead link still fails.
        let broken_desc = catalog(&json!({"linkset": [{
            "anchor": format!("{ORIGIN}/api"),
            "service-desc": [{"href": "/missing.json"}],
            "service-doc": [{"href": "/docs"}]
        }]}));
        let ev = evidence(site(vec![broken_desc], None), &format!("{ORIGIN}/"));
        let r = judge(&ev, "api-catalog");
        assert_eq!(r.outcome.as_str(), "fail", "{:?}", r.findings);
        assert!(
            !codes(&r).contains(&"api-catalog-doc-link-broken".to_string()),
            "{:?}",
            r.findings
        );
    }

    #[test]
    fn a_description_cut_at_the_body_cap_warns_too_large() {
        use crate::evidence::Evidence;
        use crate::model::exchange::{Exchange, Mode, RequestRecord, ResponseRecord};
        let mut ev = crate::evidence::Recorder::new(
            crate::model::target::Target::parse(ORIGIN).unwrap(),
            Mode::Safe,
            None,
        );
        let mut add = |probe: &str, path: &str, status: u16, truncated: bool, meta: ProbeMeta| {
            ev.push(
                Exchange {
                    probe: probe.into(),
                    request: RequestRecord {
                        method: "GET".into(),
                        url: format!("{ORIGIN}{path}"),
                        headers: Vec::new(),
                        body: None,
                    },
                    response: Some(ResponseRecord {
                        status,
                        final_url: format!("{ORIGIN}{path}"),
                        redirects: Vec::new(),
                        headers: vec![("content-type".into(), "application/json".into())],
                        body: b"{\"openapi\": \"3.1.0\", \"paths\": {".to_vec(),
                        truncated,
                    }),
                    error: None,
                    elapsed_ms: 0,
                },
                meta,
            );
        };
        add(
            "api-catalog",
            "/.well-known/api-catalog",
            404,
            false,
            ProbeMeta::ApiCatalog,
        );
        add(
            "openapi-location@/openapi.json",
            "/openapi.json",
            200,
            true,
            ProbeMeta::ApiDescription {
                via: DescriptionSource::Conventional {
                    path: "/openapi.json".into(),
                },
            },
        );
        let ev: Evidence = ev.finish();
        let r = judge(&ev, "api-catalog");
        assert_eq!(r.outcome.as_str(), "warn", "{}", r.summary);
        assert_eq!(codes(&r), vec!["api-catalog-description-too-large"]);
        assert!(r.findings[0].message.contains("guessed"));
    }
}
