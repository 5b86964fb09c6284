//! `protected-resource-metadata`: Protected resource metadata (RFC 9728) is published and names its authorization servers.
//!
//! RFC 9728 §2, §3, §3.3.

use super::{challenge_resource_matches, trimmed_eq};
use crate::checks::Builtin;
use crate::checks::codes::protected_resource_metadata as code;
use crate::checks::common::{schema, signed_metadata_problem, transport_ok};
use crate::evidence::Evidence;
use crate::evidence::views::DocState;
use crate::evidence::views::prm::{PrmCandidate, prm_view};
use crate::model::outcome::{Evaluation, Finding, Unverified, finding};
use crate::model::probe::{Needs, PrmForm};
use crate::model::target::TargetKind;
use serde_json::Value;
use std::sync::OnceLock;

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::AS_METADATA,
    eval: protected_resource_metadata,
};

fn prm_schema() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        schema(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/checks/schema/prm.schema.json"
        )))
    })
}

/// The identity rule for a PRM candidate: exact for a challenge, the
/// trailing-slash rule of RFC 9728 §3.1 for the well-known URLs.
fn resource_matches(form: &PrmForm, expected: &str, declared: &str) -> bool {
    match form {
        PrmForm::Challenge { .. } => challenge_resource_matches(expected, declared),
        _ => trimmed_eq(expected, declared),
    }
}

fn missing_as(mcp: bool, url: &str, p: Option<&str>) -> Finding {
    if mcp {
        finding(
            code::MCP_AUTHORIZATION_SERVERS_MISSING,
            format!(
                "{url}: an MCP server's PRM must list at least one authorization server (MCP 2025-06-18 and later)"
            ),
            p,
        )
    } else {
        finding(
            code::AUTHORIZATION_SERVERS_MISSING,
            format!(
                "{url}: authorization_servers is absent or empty; an agent cannot reach an authorization server from it"
            ),
            p,
        )
    }
}

/// `protected-resource-metadata`: RFC 9728 §2, §3, §3.3.
pub fn protected_resource_metadata(ev: &Evidence) -> Evaluation {
    let view = prm_view(ev);
    let probes: Vec<String> = view.iter().map(|c| c.probe.to_string()).collect();
    if view.is_empty() {
        return Evaluation::error("no protected-resource metadata URL was probed", probes);
    }
    if view.iter().all(|c| matches!(c.state, DocState::Failed(_))) {
        let why = view.iter().find_map(|c| match &c.state {
            DocState::Failed(e) => Some(e.clone()),
            _ => None,
        });
        return Evaluation::error(
            format!(
                "no protected-resource metadata URL could be fetched: {}",
                why.unwrap_or_default()
            ),
            probes,
        );
    }
    let mcp = ev.target().kind == TargetKind::Mcp;
    let mut findings = Vec::new();
    let found: Vec<&PrmCandidate> = view.iter().filter(|c| c.doc().is_some()).collect();
    if found.is_empty() {
        let html: Vec<&PrmCandidate> = view
            .iter()
            .filter(|c| matches!(c.state, DocState::NotJsonObject { html: true }))
            .collect();
        for c in &html {
            findings.push(finding(
                code::HTML,
                format!(
                    "{} answered 200 with an HTML page instead of a JSON document",
                    c.url
                ),
                Some(c.probe.as_str()),
            ));
        }
        for c in view
            .iter()
            .filter(|c| matches!(c.state, DocState::NotJsonObject { html: false }))
        {
            findings.push(finding(
                code::NOT_JSON,
                format!("{} answered 200, but the body is not a JSON object", c.url),
                Some(c.probe.as_str()),
            ));
        }
        // A URL not fetched (the SSRF guard) or not answered might hold
        // the document: not verified, not "not found".
        let unverified: Vec<Unverified> = view
            .iter()
            .filter_map(|c| {
                ev.exchanges().get(c.exchange).and_then(|x| {
                    crate::model::outcome::Unverified::of_exchange(x, &format!("GET {}", c.url))
                })
            })
            .collect();
        if findings.is_empty() && !unverified.is_empty() {
            return Evaluation::evaluated(
                "No protected-resource metadata at the URLs that answered",
                findings,
                probes,
            )
            .with_unverified(unverified);
        }
        if findings.is_empty() {
            let tried: Vec<String> = view
                .iter()
                .map(|c| format!("{} → {}", c.url, c.state.describe()))
                .collect();
            findings.push(finding(
                code::NOT_FOUND,
                format!("no protected-resource metadata: {}", tried.join("; ")),
                None,
            ));
        }
        return Evaluation::evaluated("No protected-resource metadata found", findings, probes)
            .with_site_fix(crate::checks::site_fix::protected_resource_metadata(ev));
    }
    // The resources a valid route declares: a path-suffixed document or one
    // a challenge named, whose `resource` passes the identity rule.
    let valid_routes: Vec<&str> = found
        .iter()
        .filter(|c| !matches!(c.form, PrmForm::Root))
        .filter_map(|c| {
            let declared = c.doc()?.get("resource")?.as_str()?;
            resource_matches(&c.form, &c.resource, declared).then_some(declared)
        })
        .collect();
    let mut seen_exchanges = Vec::new();
    for c in &found {
        let Some(doc) = c.doc() else { continue };
        let p = Some(c.probe.as_str());
        let url = c.url.as_str();
        let first_time = !seen_exchanges.contains(&c.exchange);
        seen_exchanges.push(c.exchange);
        // The identity rule applies per route; the content rules per document.
        match doc.get("resource").and_then(Value::as_str) {
            None => {
                if first_time {
                    findings.push(finding(
                        code::RESOURCE_MISSING,
                        format!("{url} has no string `resource` member (REQUIRED, RFC 9728 §2)"),
                        p,
                    ));
                }
            }
            Some(resource) => {
                let copy_of_valid_route = matches!(c.form, PrmForm::Root)
                    && valid_routes.iter().any(|r| trimmed_eq(r, resource));
                if !resource_matches(&c.form, &c.resource, resource) && copy_of_valid_route {
                    // A root copy naming the path-specific resource, beside
                    // a valid route (the challenge or the path-inserted
                    // document): MCP clients reach the resource through
                    // that route, so this is a warn, not a failure of the
                    // identity rule (RFC 9728 §3.3 still says a client
                    // must not use this copy).
                    findings.push(finding(
                        code::ROOT_NAMES_PATH_RESOURCE,
                        format!(
                            "{url} declares resource `{resource}`, the path-specific resource, not the origin ({}) it was built from; clients reach `{resource}` through its own valid document, but RFC 9728 §3.3 says they must not use this root copy: serve the origin's own metadata here or none",
                            c.resource
                        ),
                        p,
                    ));
                } else if !resource_matches(&c.form, &c.resource, resource) {
                    let rule = match &c.form {
                        PrmForm::Challenge { from } => format!(
                            "the URL requested ({}) whose challenge ({from}) named this document",
                            c.resource
                        ),
                        _ => format!(
                            "the resource identifier the URL was built from ({})",
                            c.resource
                        ),
                    };
                    findings.push(finding(
                        code::RESOURCE_MISMATCH,
                        format!(
                            "{url} declares resource `{resource}`, not identical to {rule}: RFC 9728 §3.3 says clients must not use it"
                        ),
                        p,
                    ));
                }
                if first_time {
                    match url::Url::parse(resource) {
                        Ok(u) if transport_ok(&u) && u.fragment().is_none() => {
                            if u.query().is_some() {
                                findings.push(finding(
                                    code::RESOURCE_QUERY,
                                    format!("{url}: resource `{resource}` has a query component (RFC 9728 §1.2 discourages it)"),
                                    p,
                                ));
                            }
                        }
                        _ => findings.push(finding(
                            code::RESOURCE_INVALID,
                            format!("{url}: resource `{resource}` is not an absolute https URL without a fragment"),
                            p,
                        )),
                    }
                }
            }
        }
        if !first_time {
            continue;
        }
        if let Some(resp) = ev
            .exchanges()
            .get(c.exchange)
            .and_then(|x| x.response.as_ref())
            && !resp.is_json_media_type()
        {
            findings.push(finding(
                code::CONTENT_TYPE,
                format!(
                    "{url} is served as {} instead of application/json (RFC 9728 §3.2)",
                    resp.header("content-type").unwrap_or("(no Content-Type)")
                ),
                p,
            ));
        }
        for r in ev.json_repairs_at(c.exchange).iter() {
            findings.push(finding(code::JSON_MEMBER, format!("{url}: {r}"), p));
        }
        for e in prm_schema().iter_errors(doc) {
            findings.push(finding(
                code::TYPE,
                format!(
                    "{url}: member {} has the wrong type: {e}",
                    e.instance_path()
                ),
                p,
            ));
        }
        match doc.get("authorization_servers") {
            None => findings.push(missing_as(mcp, url, p)),
            Some(Value::Array(list)) if list.is_empty() => findings.push(missing_as(mcp, url, p)),
            Some(Value::Array(list)) => {
                for v in list {
                    let ok = v
                        .as_str()
                        .and_then(|s| url::Url::parse(s).ok().map(|u| (s, u)))
                        .is_some_and(|(s, u)| {
                            transport_ok(&u) && !s.contains('?') && !s.contains('#')
                        });
                    if !ok {
                        findings.push(finding(
                            code::AUTHORIZATION_SERVERS_MALFORMED,
                            format!("{url}: authorization_servers entry {v} is not an https issuer URL without query or fragment"),
                            p,
                        ));
                    }
                }
            }
            Some(other) => findings.push(finding(
                code::AUTHORIZATION_SERVERS_MALFORMED,
                format!("{url}: authorization_servers is {other}, not an array of issuer URLs"),
                p,
            )),
        }
        if let Some(methods) = doc
            .get("bearer_methods_supported")
            .and_then(Value::as_array)
        {
            for m in methods.iter().filter_map(Value::as_str) {
                match m {
                    "header" | "body" => {}
                    "query" => findings.push(finding(
                        code::BEARER_METHODS_QUERY,
                        format!("{url}: bearer_methods_supported includes query; OAuth 2.1 and MCP forbid tokens in the query string"),
                        p,
                    )),
                    other => findings.push(finding(
                        code::BEARER_METHODS_UNKNOWN,
                        format!("{url}: bearer_methods_supported has unknown value \"{other}\" (RFC 6750 §2 defines header, body, query)"),
                        p,
                    )),
                }
            }
        }
        if doc.get("scopes_supported").is_none() {
            findings.push(finding(
                code::SCOPES_MISSING,
                format!("{url} has no scopes_supported (RECOMMENDED, RFC 9728 §2)"),
                p,
            ));
        }
        if let Some(problem) = signed_metadata_problem(doc) {
            findings.push(finding(
                code::SIGNED_METADATA_INVALID,
                format!("{url}: {problem}"),
                p,
            ));
        }
    }
    let path_suffixed = view
        .iter()
        .find(|c| matches!(c.form, PrmForm::PathSuffixed));
    if let Some(ps) = path_suffixed
        && ps.doc().is_none()
        && ev
            .exchanges()
            .get(ps.exchange)
            .is_some_and(|x| crate::model::outcome::Unverified::of_exchange(x, "").is_none())
        && view
            .iter()
            .any(|c| matches!(c.form, PrmForm::Root) && c.doc().is_some())
    {
        findings.push(finding(
            code::PATH_SUFFIXED_MISSING,
            format!(
                "{} → {}; only the root document answered, which MCP clients reach in their fallback step",
                ps.url,
                ps.state.describe()
            ),
            Some(ps.probe.as_str()),
        ));
    }
    let mut urls: Vec<&str> = found.iter().map(|c| c.url.as_str()).collect();
    urls.dedup();
    let summary = format!("Protected-resource metadata found at {}", urls.join(", "));
    Evaluation::evaluated(summary, findings, probes)
}

#[cfg(test)]
mod tests {

    use crate::checks::testkit::discovery::*;

    use crate::model::outcome::Outcome;
    use crate::testing::{ORIGIN, evidence, json, route, site};
    use serde_json::{Value, json as j};
    // ---- protected-resource-metadata ------------------------------------------------

    #[test]
    fn prm_only_at_the_root_is_found_with_an_info() {
        let ev = evidence(
            site(vec![json(PRM, &prm(ORIGIN)), json(AS, &as_doc())], None),
            &format!("{ORIGIN}/api"),
        );
        let (o, codes) = judge(&ev, "protected-resource-metadata");
        assert_eq!(o, Outcome::Pass);
        assert_eq!(
            codes,
            vec!["protected-resource-metadata-path-suffixed-missing"]
        );
    }

    #[test]
    fn prm_not_found_html_and_catch_all() {
        let ev = evidence(site(vec![json(AS, &as_doc())], None), ORIGIN);
        assert_eq!(
            judge(&ev, "protected-resource-metadata"),
            (
                Outcome::Fail,
                vec!["protected-resource-metadata-not-found".to_string()]
            )
        );
        let ev = evidence(
            site(
                vec![route(PRM, 200, "text/html", "<!doctype html><p>hi</p>")],
                None,
            ),
            ORIGIN,
        );
        assert_eq!(
            judge(&ev, "protected-resource-metadata"),
            (
                Outcome::Fail,
                vec!["protected-resource-metadata-html".to_string()]
            )
        );
        let html = route("", 200, "text/html", "<!doctype html><p>app</p>");
        let ev = evidence(site(vec![], Some(html)), ORIGIN);
        assert_eq!(
            judge(&ev, "protected-resource-metadata"),
            (
                Outcome::Fail,
                vec!["protected-resource-metadata-not-found".to_string()]
            )
        );
    }

    #[test]
    fn prm_resource_rules() {
        let check = |doc: Value, target: &str| {
            judge(
                &evidence(site(vec![json(PRM, &doc)], None), target),
                "protected-resource-metadata",
            )
        };
        // Root document for a resource named with a trailing slash: same URL.
        assert_eq!(check(prm(&format!("{ORIGIN}/")), ORIGIN).0, Outcome::Pass);
        let (o, codes) = check(prm("https://other.example.com"), ORIGIN);
        assert_eq!(o, Outcome::Fail);
        assert_eq!(codes, vec!["protected-resource-metadata-resource-mismatch"]);
        let (o, codes) = check(without(prm(ORIGIN), "resource"), ORIGIN);
        assert_eq!(
            (o, codes),
            (
                Outcome::Fail,
                vec!["protected-resource-metadata-resource-missing".to_string()]
            )
        );
        let (_, codes) = check(prm("http://as.example.com"), ORIGIN);
        assert!(
            codes.contains(&"protected-resource-metadata-resource-invalid".to_string()),
            "{codes:?}"
        );
    }

    /// A root copy naming the path-specific resource: a warn beside a
    /// valid path-inserted document, a fail without one.
    #[test]
    fn a_root_copy_naming_the_path_resource_warns_beside_a_valid_route() {
        let mcp = format!("{ORIGIN}/mcp");
        let both = evidence(
            site(
                vec![json(PRM, &prm(&mcp)), json(&format!("{PRM}/mcp"), &prm(&mcp))],
                None,
            ),
            &mcp,
        );
        assert_eq!(
            judge(&both, "protected-resource-metadata"),
            (
                Outcome::Warn,
                vec!["protected-resource-metadata-root-names-path-resource".to_string()]
            )
        );
        // The path-inserted document names something else: no valid route.
        let broken = evidence(
            site(
                vec![
                    json(PRM, &prm(&mcp)),
                    json(&format!("{PRM}/mcp"), &prm(&format!("{ORIGIN}/other"))),
                ],
                None,
            ),
            &mcp,
        );
        let (o, codes) = judge(&broken, "protected-resource-metadata");
        assert_eq!(o, Outcome::Fail);
        assert!(
            codes.contains(&"protected-resource-metadata-resource-mismatch".to_string()),
            "{codes:?}"
        );
        assert!(
            !codes.contains(&"protected-resource-metadata-root-names-path-resource".to_string()),
            "{codes:?}"
        );
    }

    #[test]
    fn prm_member_rules() {
        let check = |doc: Value| {
            codes_of(
                &evidence(site(vec![json(PRM, &doc)], None), ORIGIN),
                "protected-resource-metadata",
            )
        };
        assert_eq!(
            check(with(
                prm(ORIGIN),
                "bearer_methods_supported",
                j!(["header", "query", "cookie"])
            )),
            vec![
                "protected-resource-metadata-bearer-methods-query",
                "protected-resource-metadata-bearer-methods-unknown"
            ]
        );
        assert_eq!(
            check(without(prm(ORIGIN), "scopes_supported")),
            vec!["protected-resource-metadata-scopes-missing"]
        );
        assert_eq!(
            check(without(prm(ORIGIN), "authorization_servers")),
            vec!["protected-resource-metadata-authorization-servers-missing"]
        );
        assert_eq!(
            check(with(
                prm(ORIGIN),
                "authorization_servers",
                j!(["https://as.example.com?x=1"])
            )),
            vec!["protected-resource-metadata-authorization-servers-malformed"]
        );
        assert_eq!(
            check(with(prm(ORIGIN), "scopes_supported", j!("a b"))),
            vec!["protected-resource-metadata-type"]
        );
        // For an MCP target, no authorization server is a failure.
        let doc = without(prm(&format!("{ORIGIN}/mcp")), "authorization_servers");
        let ev = evidence(
            site(vec![json(&format!("{PRM}/mcp"), &doc)], None),
            &format!("{ORIGIN}/mcp"),
        );
        let (o, codes) = judge(&ev, "protected-resource-metadata");
        assert_eq!(o, Outcome::Fail);
        assert!(codes.contains(
            &"protected-resource-metadata-mcp-authorization-servers-missing".to_string()
        ));
        let ev = evidence(
            site(
                vec![route(PRM, 200, "text/plain", &prm(ORIGIN).to_string())],
                None,
            ),
            ORIGIN,
        );
        assert_eq!(
            codes_of(&ev, "protected-resource-metadata"),
            vec!["protected-resource-metadata-content-type"]
        );
    }

    #[test]
    fn a_challenge_named_prm_must_declare_the_url_requested() {
        // Served at the path-suffixed URL, the document is built from /mcp;
        // named by the challenge of /mcp it must say exactly that URL.
        let www =
            format!(r#"Bearer resource_metadata="{ORIGIN}/meta/prm.json", scope="files:read""#);
        let ev = evidence(
            site(
                vec![
                    challenge("/mcp", 401, Some(&www)),
                    json("/meta/prm.json", &prm(&format!("{ORIGIN}/mcp/"))),
                    json(AS, &as_doc()),
                ],
                None,
            ),
            &format!("{ORIGIN}/mcp"),
        );
        let (o, codes) = judge(&ev, "protected-resource-metadata");
        assert_eq!(o, Outcome::Fail);
        assert!(codes.contains(&"protected-resource-metadata-resource-mismatch".to_string()));
        assert!(
            codes_of(&ev, "discovery-consistency")
                .contains(&"discovery-consistency-challenge-resource-mismatch".to_string())
        );
    }
}
