//! API discovery and action classification: whether an agent can find a
//! machine-readable description of the API (RFC 9727 api-catalog, RFC 8631
//! `service-desc`, conventional OpenAPI locations), what each operation does
//! (read, write, destructive) and whether the scopes it requires match
//! that risk (RFC 9700 §2.3), and whether the API is protected only by
//! unscoped API keys.
//!
//! The checks read [`crate::evidence::views::descriptions::found`] (every description URL the
//! scan fetched, parsed once per exchange) and the catalog probe; the
//! planner in `src/probe.rs` decides what is fetched.

use super::discovery::{api_view, prm_view};
use super::metadata::as_view;
use crate::classify::operations::classify_operation;
use crate::classify::scopes::{self, Classification, Hints, ScopeClass};
use crate::evidence::Evidence;
use crate::evidence::views::catalog::{CatalogState, catalog_view};
use crate::evidence::views::descriptions::{DescState, Fetched, found};
use crate::model::api::{Description, Operation, SchemeKind};
use crate::model::outcome::{Evaluation, Finding, finding};
use crate::model::probe;
use crate::model::probe::{DescriptionSource, ProbeMeta};
use crate::model::target::TargetKind;
use crate::parse::description as apidesc;
use crate::parse::links::same_site;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// The checks of this family.
pub const IDS: [&str; 3] = ["api-catalog", "action-classification", "api-key-scheme"];

/// Findings of one kind listed one by one, at most.
const MAX_LISTED: usize = 8;

/// Operations listed in `data.operations`, at most.
pub const MAX_DATA_OPERATIONS: usize = 2000;

fn more(n: usize) -> String {
    format!("and {n} more")
}

// ---------------------------------------------------------------------------
// The catalog

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

fn scheme_json(s: &crate::model::api::SecurityScheme) -> Value {
    match &s.kind {
        SchemeKind::ApiKey { location, param } => {
            json!({"name": s.name, "type": "apiKey", "in": location, "param": param})
        }
        SchemeKind::Http { scheme } => json!({"name": s.name, "type": "http", "scheme": scheme}),
        SchemeKind::OAuth2 {
            flows,
            metadata_url,
        } => json!({
            "name": s.name,
            "type": "oauth2",
            "flows": flows.iter().map(|f| json!({
                "flow": f.kind.as_str(),
                "authorization_url": f.authorization_url,
                "token_url": f.token_url,
                "device_authorization_url": f.device_authorization_url,
                "scopes": f.scopes.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "oauth2_metadata_url": metadata_url,
        }),
        SchemeKind::OpenIdConnect { url } => {
            json!({"name": s.name, "type": "openIdConnect", "url": url})
        }
        SchemeKind::MutualTls => json!({"name": s.name, "type": "mutualTLS"}),
        SchemeKind::Other(t) => json!({"name": s.name, "type": t}),
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
            "api-catalog-html",
            format!(
                "{} answered 200 with an HTML page instead of an RFC 9264 linkset",
                catalog.url
            ),
            cat,
        )),
        CatalogState::NotLinkset(why) => findings.push(finding(
            "api-catalog-not-linkset",
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
                    "api-catalog-content-type",
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
                    "api-catalog-profile-missing",
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
                    "api-catalog-api-links-missing",
                    format!(
                        "{}: the linkset holds no link (RFC 9727 §4.1: the catalog MUST link to the APIs)",
                        catalog.url
                    ),
                    cat,
                ));
            } else if !links.iter().any(|l| l.rel == "service-desc") {
                findings.push(finding(
                    "api-catalog-no-service-desc",
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
                    "api-catalog-link-not-followed",
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
                "api-catalog-description-too-large",
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
                    findings.push(finding(
                        "api-catalog-link-broken",
                        format!(
                            "{} (the catalog's service-doc link) → {}",
                            f.url,
                            f.state.describe()
                        ),
                        p,
                    ));
                }
            }
            DescState::Html => findings.push(finding(
                "api-catalog-html",
                format!(
                    "{} (found through {}) answered with an HTML page, not an API description",
                    f.url,
                    via_text(&f.via)
                ),
                p,
            )),
            DescState::Unparseable(e) | DescState::NotDescription(e) => findings.push(finding(
                "api-catalog-description-unparseable",
                format!("{} (found through {}): {e}", f.url, via_text(&f.via)),
                p,
            )),
            DescState::Failed(_) | DescState::Status(_) | DescState::CatchAll => {
                findings.push(finding(
                    "api-catalog-link-broken",
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
                "api-catalog-unannounced",
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
                "api-catalog-security-schemes-missing",
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
        let elsewhere = link_elsewhere
            && findings
                .iter()
                .any(|f| f.code == "api-catalog-link-not-followed");
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
            "api-catalog-description-missing",
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

// ---------------------------------------------------------------------------
// Operations

/// How an operation may be called, per its effective security.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Access {
    /// Anonymous access is possible (no requirement, `security: []`, or an
    /// empty alternative `{}`).
    Open,
    /// Only with credentials: the OAuth alternatives (their scopes) and
    /// whether a non-OAuth credential also works.
    Secured {
        oauth: Vec<Vec<String>>,
        other: Vec<String>,
    },
}

fn access(d: &Description, op: &Operation) -> Access {
    let Some(reqs) = d.effective_security(op) else {
        return Access::Open;
    };
    if reqs.is_empty() || reqs.iter().any(Vec::is_empty) {
        return Access::Open;
    }
    let mut oauth = Vec::new();
    let mut other = Vec::new();
    for alt in reqs {
        let mut scopes: Vec<String> = Vec::new();
        let mut is_oauth = false;
        for (name, s) in alt {
            if d.scheme(name).is_some_and(|s| s.is_oauth()) {
                is_oauth = true;
                scopes.extend(s.iter().cloned());
            }
        }
        if is_oauth {
            scopes.sort();
            scopes.dedup();
            oauth.push(scopes);
        } else {
            other.push(
                alt.iter()
                    .map(|(n, _)| n.clone())
                    .collect::<Vec<_>>()
                    .join("+"),
            );
        }
    }
    Access::Secured { oauth, other }
}

fn danger(c: &Classification) -> Option<u8> {
    c.class.danger()
}

/// `action-classification`: RFC 9110 §9.2.1, OpenAPI Security Requirement
/// Object, RFC 9700 §2.3.
pub fn action_classification(ev: &Evidence) -> Evaluation {
    let all = found(ev);
    let descs = all.readable();
    if descs.is_empty() {
        return Evaluation::skip("no API description was found (see api-catalog)");
    }
    let evidence: Vec<String> = descs.iter().map(|(f, _)| f.probe.to_string()).collect();
    let total: usize = descs.iter().map(|(_, d)| d.operations.len()).sum();
    if total == 0 {
        return Evaluation::skip("the API description declares no operations");
    }
    let vocab = match scopes::vocabulary() {
        Ok(v) => v,
        Err(e) => {
            return Evaluation::error(
                format!("the scope vocabulary cannot be loaded: {e}"),
                evidence,
            );
        }
    };
    let words = match apidesc::data() {
        Ok(d) => &d.operations,
        Err(e) => return Evaluation::error(e, evidence),
    };
    // Scope classes, with every hint the target publishes (metadata risk
    // documents and descriptions, then the descriptions' OAuth flows).
    let analysis = crate::evidence::views::scopes::analysis(ev);
    let view = &analysis.view;
    let mut class_cache: BTreeMap<String, Classification> = BTreeMap::new();
    let mut classify_scope = |scope: &str| -> Classification {
        class_cache
            .entry(scope.to_string())
            .or_insert_with(|| {
                let hints = Hints {
                    description: view.descriptions.get(scope).map(|(d, _)| d.as_str()),
                    risk: view.risk.get(scope).map(|(r, _)| r),
                };
                scopes::classify_with(vocab, scope, hints)
            })
            .clone()
    };
    let multi = descs.len() > 1;
    let mut ops_data: Vec<Value> = Vec::new();
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    // (rank for ordering, message) per kind of finding.
    let mut too_weak: Vec<(u8, String)> = Vec::new();
    let mut unsecured: Vec<(u8, String)> = Vec::new();
    let mut too_strong: Vec<String> = Vec::new();
    let mut unsafe_get: Vec<String> = Vec::new();
    let mut unspecified: Vec<String> = Vec::new();
    let mut unclassified: Vec<String> = Vec::new();
    let mut scope_unknown: Vec<String> = Vec::new();
    let mut unprotected: Vec<String> = Vec::new();
    let mut oauth_scopes: BTreeSet<String> = BTreeSet::new();
    let mut oauth_ops = 0usize;
    let mut oauth_classes: BTreeSet<&'static str> = BTreeSet::new();
    let any_security = descs
        .iter()
        .any(|(_, d)| d.security.is_some() || d.operations.iter().any(|o| o.security.is_some()));
    for (f, d) in &descs {
        for op in &d.operations {
            let oc = classify_operation(vocab, words, op);
            *counts.entry(oc.class.as_str()).or_default() += 1;
            let label = format!("{} {}", op.method, op.path);
            let mut verdict = "ok";
            if oc.class == ScopeClass::Unknown {
                unclassified.push(format!("{label} ({})", oc.reason));
                verdict = "unclassified";
            }
            if oc.unsafe_get {
                unsafe_get.push(format!("{label}: {}", oc.reason));
                verdict = "unsafe-get";
            }
            let acc = access(d, op);
            let mut scopes_flat: Vec<String> = Vec::new();
            let security = match &acc {
                Access::Open => {
                    if oc.class.changes_data() && !oc.credential {
                        let rank = if oc.class == ScopeClass::Destructive {
                            0
                        } else {
                            1
                        };
                        unsecured.push((
                            rank,
                            format!("{label} ({}) requires no credentials", oc.class.as_str()),
                        ));
                        verdict = "unsecured";
                    } else if any_security && !oc.credential {
                        unprotected.push(label.clone());
                    }
                    "none".to_string()
                }
                Access::Secured { oauth, other } => {
                    for alt in oauth {
                        scopes_flat.extend(alt.iter().cloned());
                    }
                    scopes_flat.sort();
                    scopes_flat.dedup();
                    if !oauth.is_empty() {
                        oauth_ops += 1;
                        oauth_classes.insert(oc.class.as_str());
                        oauth_scopes.extend(scopes_flat.iter().cloned());
                    }
                    if oauth.iter().any(Vec::is_empty) {
                        unspecified.push(label.clone());
                    }
                    // The power of each OAuth alternative: the most
                    // dangerous class among its scopes.
                    let powers: Vec<(Option<u8>, Vec<Classification>)> = oauth
                        .iter()
                        .filter(|alt| !alt.is_empty())
                        .map(|alt| {
                            let cls: Vec<Classification> =
                                alt.iter().map(|s| classify_scope(s)).collect();
                            (cls.iter().filter_map(danger).max(), cls)
                        })
                        .collect();
                    if powers.iter().any(|(p, _)| p.is_none()) {
                        scope_unknown.push(format!(
                            "{label} needs {}",
                            scopes_flat
                                .iter()
                                .map(|s| format!("`{s}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ));
                    }
                    let op_danger = oc.class.danger();
                    if let Some(od) = op_danger.filter(|d| *d >= 2) {
                        // Write or destructive with a read-or-less scope set.
                        if let Some((_, cls)) =
                            powers.iter().find(|(p, _)| p.is_some_and(|p| p <= 1))
                        {
                            let what: Vec<String> = cls
                                .iter()
                                .map(|c| format!("`{}` ({})", c.scope, c.class.as_str()))
                                .collect();
                            too_weak.push((
                                3 - od.min(3),
                                format!(
                                    "{label} ({}) can be performed with {}",
                                    oc.class.as_str(),
                                    what.join(" + ")
                                ),
                            ));
                            verdict = "scope-too-weak";
                        }
                    }
                    if oc.class == ScopeClass::Read
                        && !powers.is_empty()
                        && powers.iter().all(|(p, _)| p.is_some_and(|p| p >= 2))
                        && other.is_empty()
                    {
                        let least = powers
                            .iter()
                            .min_by_key(|(p, _)| *p)
                            .map(|(_, cls)| {
                                cls.iter()
                                    .map(|c| format!("`{}` ({})", c.scope, c.class.as_str()))
                                    .collect::<Vec<_>>()
                                    .join(" + ")
                            })
                            .unwrap_or_default();
                        too_strong.push(format!("{label} (read) requires {least}"));
                        if verdict == "ok" {
                            verdict = "scope-too-strong";
                        }
                    }
                    let mut kinds: Vec<&str> = Vec::new();
                    if !oauth.is_empty() {
                        kinds.push("oauth2");
                    }
                    if !other.is_empty() {
                        kinds.push("other");
                    }
                    kinds.join("+")
                }
            };
            if ops_data.len() < MAX_DATA_OPERATIONS {
                let mut o = json!({
                    "method": op.method,
                    "path": op.path,
                    "class": oc.class.as_str(),
                    "scopes": scopes_flat,
                    "operation_id": op.operation_id,
                    "source": oc.source,
                    "reason": oc.reason,
                    "security": security,
                    "verdict": verdict,
                });
                if multi {
                    o["description"] = json!(f.url);
                }
                ops_data.push(o);
            }
        }
    }
    let mut findings: Vec<Finding> = Vec::new();
    let mut push_list = |code: &str, items: Vec<String>, prefix: &str| {
        let n = items.len();
        for m in items.iter().take(MAX_LISTED) {
            findings.push(finding(code, format!("{prefix}{m}"), None));
        }
        if n > MAX_LISTED {
            findings.push(finding(code, more(n - MAX_LISTED), None));
        }
    };
    too_weak.sort_by_key(|(r, _)| *r);
    unsecured.sort_by_key(|(r, _)| *r);
    let weak_n = too_weak.len();
    push_list(
        "action-classification-scope-too-weak",
        too_weak.into_iter().map(|(_, m)| m).collect(),
        "",
    );
    let unsecured_n = unsecured.len();
    push_list(
        "action-classification-unsecured-write",
        unsecured.into_iter().map(|(_, m)| m).collect(),
        "",
    );
    let single = oauth_scopes.len() == 1
        && oauth_ops >= 2
        && oauth_classes.contains("read")
        && (oauth_classes.contains("write") || oauth_classes.contains("destructive"));
    if single {
        let s = oauth_scopes.iter().next().cloned().unwrap_or_default();
        push_list(
            "action-classification-single-scope",
            vec![format!(
                "every OAuth-protected operation ({oauth_ops}: reads and changes alike) needs the one scope `{s}`, so a token that can read can also change and delete"
            )],
            "",
        );
    } else {
        push_list("action-classification-scope-too-strong", too_strong, "");
    }
    push_list("action-classification-unsafe-get", unsafe_get, "");
    if !unspecified.is_empty() {
        push_list(
            "action-classification-scopes-unspecified",
            unspecified,
            "an OAuth requirement with no scopes: ",
        );
    }
    push_list("action-classification-unclassified", unclassified, "");
    push_list(
        "action-classification-scope-unknown",
        scope_unknown,
        "scope class unknown, fit not judged: ",
    );
    push_list(
        "action-classification-unprotected-operation",
        unprotected,
        "no security requirement: ",
    );
    let count_text: Vec<String> = ["read", "write", "destructive", "unknown"]
        .iter()
        .filter_map(|c| counts.get(c).map(|n| format!("{n} {c}")))
        .collect();
    let mut worst: Vec<String> = Vec::new();
    if weak_n > 0 {
        worst.push(format!("{weak_n} performable with a read scope"));
    }
    if unsecured_n > 0 {
        worst.push(format!("{unsecured_n} changing data without credentials"));
    }
    let summary = format!(
        "{total} operation(s): {}{}",
        count_text.join(", "),
        if worst.is_empty() {
            String::new()
        } else {
            format!("; {}", worst.join(", "))
        }
    );
    let mut data = json!({
        "counts": counts,
        "truncated": total > MAX_DATA_OPERATIONS || descs.iter().any(|(_, d)| d.truncated),
    });
    data["operations"] = Value::Array(ops_data);
    Evaluation::evaluated(summary, findings, evidence).with_data(data)
}

// ---------------------------------------------------------------------------
// API keys

/// `api-key-scheme`: RFC 9700 §2.3, RFC 6750 §2.3, OpenAPI Security Scheme
/// Object, OWASP API2:2023.
pub fn api_key_scheme(ev: &Evidence) -> Evaluation {
    let all = found(ev);
    let descs = all.readable();
    let mut evidence: Vec<String> = descs.iter().map(|(f, _)| f.probe.to_string()).collect();
    let challenges: Vec<(String, String, Vec<String>)> = api_view(ev)
        .iter()
        .filter(|a| !a.invalid_token)
        .filter_map(|a| {
            let r = a.response(ev)?;
            (r.status == 401).then(|| {
                (
                    a.probe.to_string(),
                    a.url.to_string(),
                    a.challenges
                        .iter()
                        .map(|c| c.scheme.to_ascii_lowercase())
                        .collect(),
                )
            })
        })
        .collect();
    let schemes: Vec<(&Fetched, &crate::model::api::SecurityScheme)> = descs
        .iter()
        .flat_map(|(f, d)| d.schemes.iter().map(move |s| (*f, s)))
        .collect();
    let challenge_schemes: BTreeSet<&str> = challenges
        .iter()
        .flat_map(|(_, _, s)| s.iter().map(String::as_str))
        .collect();
    if schemes.is_empty() && challenge_schemes.is_empty() {
        return Evaluation::skip(
            "no API description declares a security scheme and no 401 challenge names one",
        );
    }
    evidence.extend(challenges.iter().map(|(p, _, _)| p.clone()));
    // OAuth evidence: a scheme, usable metadata, a protected-resource
    // document, or a challenge that points at one.
    let metadata_found = as_view(ev).iter().any(|iv| iv.effective().is_some());
    let prm_found = prm_view(ev).iter().any(|c| c.doc().is_some());
    let oauth_scheme = schemes.iter().any(|(_, s)| s.is_oauth());
    let challenge_oauth = api_view(ev).iter().any(|a| {
        a.bearer()
            .is_some_and(|b| b.param("resource_metadata").is_some())
    });
    let oauth = oauth_scheme || metadata_found || prm_found || challenge_oauth;
    let mut keys: Vec<String> = Vec::new();
    let mut bearer: Vec<String> = Vec::new();
    let mut findings: Vec<Finding> = Vec::new();
    for (f, s) in &schemes {
        match &s.kind {
            SchemeKind::ApiKey { location, param } => {
                keys.push(format!("`{}` (API key in {location} `{param}`)", s.name));
                if location == "query" {
                    findings.push(finding(
                        "api-key-scheme-key-in-query",
                        format!(
                            "{}: `{}` is sent as the query parameter `{param}`, so keys end up in URLs, logs and Referer headers (RFC 6750 §2.3)",
                            f.url, s.name
                        ),
                        Some(f.probe.as_str()),
                    ));
                }
            }
            SchemeKind::Http { scheme } if scheme == "basic" || scheme == "digest" => {
                keys.push(format!("`{}` (HTTP {scheme} with a static secret)", s.name));
            }
            SchemeKind::Http { scheme } if scheme == "bearer" => {
                bearer.push(format!("`{}` (HTTP bearer)", s.name));
            }
            _ => {}
        }
    }
    if schemes.is_empty() {
        for (probe, url, ch) in &challenges {
            if ch
                .iter()
                .any(|c| c == "basic" || c == "digest" || c.contains("key"))
                && !ch.iter().any(|c| c == "bearer")
            {
                keys.push(format!(
                    "a `{}` challenge from {url} ({probe})",
                    ch.join(", ")
                ));
            }
        }
    }
    if !keys.is_empty() && !oauth {
        findings.push(finding(
            "api-key-scheme-only-api-keys",
            format!(
                "the only authentication is {}{}: no OAuth flow is declared and no OAuth metadata was discovered, so every key grants everything its account can do",
                keys.join(", "),
                if bearer.is_empty() {
                    String::new()
                } else {
                    format!(", or a static {}", bearer.join(", "))
                }
            ),
            None,
        ));
    } else if !keys.is_empty() {
        findings.push(finding(
            "api-key-scheme-unscoped",
            format!(
                "{} accepted beside OAuth: keys carry no scopes, so a key grants more than any scoped token",
                keys.join(", ")
            ),
            None,
        ));
    } else if !bearer.is_empty() && !oauth {
        findings.push(finding(
            "api-key-scheme-static-bearer",
            format!(
                "the only scheme is {}, and neither an OAuth flow nor OAuth metadata says how to obtain the token: agents can only paste a static secret",
                bearer.join(", ")
            ),
            None,
        ));
    }
    for iv in as_view(ev).iter() {
        let Some((c, doc)) = iv.effective() else {
            continue;
        };
        let api_key_creds = doc
            .get("agent_auth")
            .and_then(|a| a.get("credential_types_supported"))
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|v| v.as_str() == Some("api_key")));
        if api_key_creds {
            findings.push(finding(
                "api-key-scheme-agent-auth-api-key",
                format!(
                    "{}: agent_auth.credential_types_supported includes api_key",
                    c.url
                ),
                Some(c.probe.as_str()),
            ));
        }
    }
    let oauth_text = if oauth_scheme {
        "OAuth declared in the description"
    } else if oauth {
        "OAuth discovered (metadata or challenge)"
    } else {
        "no OAuth"
    };
    let summary = format!(
        "{} scheme(s) declared{}; {oauth_text}",
        schemes.len(),
        if challenge_schemes.is_empty() {
            String::new()
        } else {
            format!(
                ", 401 challenges name {}",
                challenge_schemes.into_iter().collect::<Vec<_>>().join(", ")
            )
        }
    );
    let data = json!({
        "schemes": schemes.iter().map(|(f, s)| {
            let mut v = scheme_json(s);
            v["description"] = json!(f.url);
            v
        }).collect::<Vec<_>>(),
        "challenges": challenges.iter().map(|(p, u, s)| json!({"probe": p, "url": u, "schemes": s})).collect::<Vec<_>>(),
        "oauth": oauth,
    });
    Evaluation::evaluated(summary, findings, evidence).with_data(data)
}

/// Whether a probe is one of this family's (for other checks' use).
pub fn is_description_probe(meta: &ProbeMeta) -> bool {
    matches!(
        meta,
        ProbeMeta::ApiCatalog | ProbeMeta::ApiDescription { .. }
    )
}

#[cfg(test)]
mod tests;
