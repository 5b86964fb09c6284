//! Discovery in depth: protected-resource metadata (RFC 9728), Bearer
//! challenges (RFC 6750 §3, RFC 9728 §5.1, MCP 2025-11-25), the
//! consistency of the documents an agent walks through, and the JWK Sets
//! they name (RFC 7517).

use super::metadata::{DocState, as_view, issuer_matches, signed_metadata_problem, transport_ok};
use crate::evidence::Evidence;
pub use crate::evidence::views::api::{ApiExchange, api_view};
pub use crate::evidence::views::prm::{PrmCandidate, prm_view};
use crate::evidence::views::state_of;
use crate::model::outcome::{EvalStatus, Evaluation, Finding, Unverified, finding};
use crate::model::probe::{ApiSource, PrmForm, ProbeMeta};
use crate::model::target::TargetKind;
use base64::Engine;
use serde_json::{Value, json};
use std::sync::{Arc, OnceLock};

/// The checks of this family.
pub const IDS: [&str; 4] = [
    "protected-resource-metadata",
    "bearer-challenge",
    "discovery-consistency",
    "jwks-hygiene",
];

fn schema(text: &str) -> jsonschema::Validator {
    let s: Value = serde_json::from_str(text).expect("embedded schema is JSON");
    jsonschema::validator_for(&s).expect("embedded schema compiles")
}

fn prm_schema() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        schema(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/checks/schema/prm.schema.json"
        )))
    })
}

fn jwks_schema() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        schema(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/checks/schema/jwks.schema.json"
        )))
    })
}

fn trimmed_eq(a: &str, b: &str) -> bool {
    issuer_matches(a, b)
}

/// RFC 9728 §3.3: the document a challenge named must declare exactly the
/// URL requested. The only slack is the `/` the URL parser adds to an
/// origin (`https://api.example.com` is requested as `.../`).
fn challenge_resource_matches(requested: &str, declared: &str) -> bool {
    requested == declared
        || url::Url::parse(requested)
            .is_ok_and(|u| u.path() == "/" && requested.strip_suffix('/') == Some(declared))
}

/// The identity rule for a PRM candidate: exact for a challenge, the
/// trailing-slash rule of RFC 9728 §3.1 for the well-known URLs.
fn resource_matches(form: &PrmForm, expected: &str, declared: &str) -> bool {
    match form {
        PrmForm::Challenge { .. } => challenge_resource_matches(expected, declared),
        _ => trimmed_eq(expected, declared),
    }
}

// ---------------------------------------------------------------------------
// protected-resource-metadata

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
                "protected-resource-metadata-html",
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
                "protected-resource-metadata-not-json",
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
                "protected-resource-metadata-not-found",
                format!("no protected-resource metadata: {}", tried.join("; ")),
                None,
            ));
        }
        return Evaluation::evaluated("No protected-resource metadata found", findings, probes);
    }
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
                        "protected-resource-metadata-resource-missing",
                        format!("{url} has no string `resource` member (REQUIRED, RFC 9728 §2)"),
                        p,
                    ));
                }
            }
            Some(resource) => {
                if !resource_matches(&c.form, &c.resource, resource) {
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
                        "protected-resource-metadata-resource-mismatch",
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
                                    "protected-resource-metadata-resource-query",
                                    format!("{url}: resource `{resource}` has a query component (RFC 9728 §1.2 discourages it)"),
                                    p,
                                ));
                            }
                        }
                        _ => findings.push(finding(
                            "protected-resource-metadata-resource-invalid",
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
                "protected-resource-metadata-content-type",
                format!(
                    "{url} is served as {} instead of application/json (RFC 9728 §3.2)",
                    resp.header("content-type").unwrap_or("(no Content-Type)")
                ),
                p,
            ));
        }
        for r in ev.json_repairs_at(c.exchange).iter() {
            findings.push(finding(
                "protected-resource-metadata-json-member",
                format!("{url}: {r}"),
                p,
            ));
        }
        for e in prm_schema().iter_errors(doc) {
            findings.push(finding(
                "protected-resource-metadata-type",
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
                            "protected-resource-metadata-authorization-servers-malformed",
                            format!("{url}: authorization_servers entry {v} is not an https issuer URL without query or fragment"),
                            p,
                        ));
                    }
                }
            }
            Some(other) => findings.push(finding(
                "protected-resource-metadata-authorization-servers-malformed",
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
                        "protected-resource-metadata-bearer-methods-query",
                        format!("{url}: bearer_methods_supported includes query; OAuth 2.1 and MCP forbid tokens in the query string"),
                        p,
                    )),
                    other => findings.push(finding(
                        "protected-resource-metadata-bearer-methods-unknown",
                        format!("{url}: bearer_methods_supported has unknown value \"{other}\" (RFC 6750 §2 defines header, body, query)"),
                        p,
                    )),
                }
            }
        }
        if doc.get("scopes_supported").is_none() {
            findings.push(finding(
                "protected-resource-metadata-scopes-missing",
                format!("{url} has no scopes_supported (RECOMMENDED, RFC 9728 §2)"),
                p,
            ));
        }
        if let Some(problem) = signed_metadata_problem(doc) {
            findings.push(finding(
                "protected-resource-metadata-signed-metadata-invalid",
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
            "protected-resource-metadata-path-suffixed-missing",
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

fn missing_as(mcp: bool, url: &str, p: Option<&str>) -> Finding {
    if mcp {
        finding(
            "protected-resource-metadata-mcp-authorization-servers-missing",
            format!(
                "{url}: an MCP server's PRM must list at least one authorization server (MCP 2025-06-18 and later)"
            ),
            p,
        )
    } else {
        finding(
            "protected-resource-metadata-authorization-servers-missing",
            format!(
                "{url}: authorization_servers is absent or empty; an agent cannot reach an authorization server from it"
            ),
            p,
        )
    }
}

// ---------------------------------------------------------------------------
// bearer-challenge

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
                "bearer-challenge-open-resource",
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
                "bearer-challenge-wrong-status",
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
                "bearer-challenge-header-missing",
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
                "bearer-challenge-malformed",
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
                "bearer-challenge-not-bearer",
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
                "bearer-challenge-duplicate-param",
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
                "bearer-challenge-missing-resource-metadata",
                format!("{}: the Bearer challenge has no resource_metadata (RFC 9728 §5.1), so an agent must guess the well-known URL", a.url),
                p,
            ));
        }
        if bearer.param("scope").is_none() {
            findings.push(finding(
                "bearer-challenge-missing-scope",
                format!("{}: the Bearer challenge has no scope (MCP 2025-11-25: servers SHOULD send it)", a.url),
                p,
            ));
        }
        if let Some(err) = bearer.param("error") {
            findings.push(finding(
                "bearer-challenge-error-without-credentials",
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
                "bearer-challenge-invalid-token-error-missing",
                format!("{} answered a request with an invalid bearer token without error=\"invalid_token\" (RFC 6750 §3.1)", a.url),
                Some(a.probe.as_str()),
            ));
        }
    }
    let summary = if challenged > 0 {
        format!(
            "{challenged} of {} endpoint(s) answer 401 with a Bearer challenge",
            plain.len()
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

// ---------------------------------------------------------------------------
// discovery-consistency

/// `discovery-consistency`: RFC 9728 §3.3 and §4, RFC 8414 §3.3, MCP
/// 2025-11-25: the documents an agent walks through agree.
pub fn discovery_consistency(ev: &Evidence) -> Evaluation {
    let prms = prm_view(ev);
    let issuers = as_view(ev);
    let mut findings = Vec::new();
    let mut probes: Vec<String> = Vec::new();
    let mut judged = 0usize;
    let mut unverified = Vec::new();
    // Challenge → PRM.
    for c in prms
        .iter()
        .filter(|c| matches!(c.form, PrmForm::Challenge { .. }))
    {
        judged += 1;
        probes.push(c.probe.to_string());
        if c.doc().is_none()
            && let Some((f, u)) = hop_unverified(
                ev,
                c.probe.as_str(),
                c.exchange,
                &c.state,
                "discovery-consistency-private-address-refused",
                &format!("GET of the challenge's resource_metadata {}", c.url),
            )
        {
            findings.extend(f);
            unverified.push(u);
            continue;
        }
        match c.doc() {
            None => findings.push(finding(
                "discovery-consistency-resource-metadata-unreachable",
                format!(
                    "the challenge's resource_metadata {} → {}: the challenge leads nowhere",
                    c.url,
                    c.state.describe()
                ),
                Some(c.probe.as_str()),
            )),
            Some(doc) => {
                let resource = doc
                    .get("resource")
                    .and_then(Value::as_str)
                    .unwrap_or("(none)");
                if !challenge_resource_matches(c.resource.as_str(), resource) {
                    findings.push(finding(
                        "discovery-consistency-challenge-resource-mismatch",
                        format!(
                            "{} was named by the challenge of {} but declares resource `{resource}` (RFC 9728 §3.3: must be identical to the URL requested)",
                            c.url, c.resource
                        ),
                        Some(c.probe.as_str()),
                    ));
                }
            }
        }
    }
    // Divergence between the challenge's PRM and the well-known one.
    let challenge_docs: Vec<&PrmCandidate> = prms
        .iter()
        .filter(|c| matches!(c.form, PrmForm::Challenge { .. }) && c.doc().is_some())
        .collect();
    for wk in prms
        .iter()
        .filter(|c| !matches!(c.form, PrmForm::Challenge { .. }) && c.doc().is_some())
    {
        for ch in &challenge_docs {
            if ch.exchange == wk.exchange {
                continue;
            }
            let (Some(a), Some(b)) = (ch.doc(), wk.doc()) else {
                continue;
            };
            let differs: Vec<&str> = ["resource", "authorization_servers", "scopes_supported"]
                .into_iter()
                .filter(|k| a.get(*k) != b.get(*k))
                .collect();
            if a.get("resource") == b.get("resource") && !differs.is_empty() {
                findings.push(finding(
                    "discovery-consistency-prm-divergence",
                    format!(
                        "{} (from the challenge) and {} describe the same resource but differ in {}",
                        ch.url,
                        wk.url,
                        differs.join(", ")
                    ),
                    Some(ch.probe.as_str()),
                ));
            }
        }
    }
    // PRM authorization_servers ↔ AS metadata.
    for c in prms.iter() {
        let Some(doc) = c.doc() else { continue };
        let resource = doc.get("resource").and_then(Value::as_str);
        let Some(list) = doc.get("authorization_servers").and_then(Value::as_array) else {
            continue;
        };
        for issuer in list.iter().filter_map(Value::as_str) {
            judged += 1;
            let Some(iv) = issuers.iter().find(|v| v.issuer == issuer) else {
                // Beyond the bound of issuers followed per scan.
                continue;
            };
            probes.extend(iv.candidates.iter().map(|x| x.probe.to_string()));
            match iv.effective() {
                None => {
                    // A metadata URL that was not fetched or not answered
                    // might have held the document: not verified.
                    let mut open = false;
                    for x in &iv.candidates {
                        if let Some((f, u)) = hop_unverified(
                            ev,
                            x.probe.as_str(),
                            x.exchange,
                            &x.state,
                            "discovery-consistency-private-address-refused",
                            &format!("GET of {} (for {issuer}, listed by {})", x.url, c.url),
                        ) {
                            findings.extend(f);
                            unverified.push(u);
                            open = true;
                        }
                    }
                    if !open {
                        let tried: Vec<String> = iv
                            .candidates
                            .iter()
                            .map(|x| format!("{} → {}", x.url, x.state.describe()))
                            .collect();
                        findings.push(finding(
                            "discovery-consistency-authorization-server-unreachable",
                            format!(
                                "{} lists {issuer}, but no metadata answers for it: {}",
                                c.url,
                                tried.join("; ")
                            ),
                            iv.candidates.first().map(|x| x.probe.as_str()),
                        ));
                    }
                }
                Some((cand, as_doc)) => {
                    let declared = as_doc
                        .get("issuer")
                        .and_then(Value::as_str)
                        .unwrap_or("(none)");
                    if !issuer_matches(issuer, declared) {
                        findings.push(finding(
                            "discovery-consistency-issuer-mismatch",
                            format!(
                                "{} lists `{issuer}`, but the metadata at {} declares issuer `{declared}` (RFC 8414 §3.3)",
                                c.url, cand.url
                            ),
                            Some(cand.probe.as_str()),
                        ));
                    }
                    if let (Some(resource), Some(served)) = (
                        resource,
                        as_doc.get("protected_resources").and_then(Value::as_array),
                    ) && !served
                        .iter()
                        .filter_map(Value::as_str)
                        .any(|r| trimmed_eq(r, resource))
                    {
                        findings.push(finding(
                            "discovery-consistency-protected-resources-mismatch",
                            format!(
                                "the metadata at {} lists protected_resources without `{resource}` (RFC 9728 §4)",
                                cand.url
                            ),
                            Some(cand.probe.as_str()),
                        ));
                    }
                }
            }
        }
    }
    // Challenge scopes that no document lists.
    let listed: Vec<String> = prms
        .iter()
        .filter_map(|c| c.doc())
        .chain(issuers.iter().filter_map(|v| v.effective().map(|(_, d)| d)))
        .filter_map(|d| d.get("scopes_supported").and_then(Value::as_array))
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    for a in api_view(ev).iter().filter(|a| !a.invalid_token) {
        let Some(scope) = a.bearer().and_then(|b| b.param("scope")) else {
            continue;
        };
        if listed.is_empty() {
            continue;
        }
        let unlisted: Vec<&str> = scope
            .split_whitespace()
            .filter(|s| !listed.iter().any(|l| l == s))
            .collect();
        if !unlisted.is_empty() {
            findings.push(finding(
                "discovery-consistency-challenge-scope-unlisted",
                format!(
                    "{} asks for scope(s) {} that no scopes_supported lists",
                    a.url,
                    unlisted.join(" ")
                ),
                Some(a.probe.as_str()),
            ));
        }
    }
    // agent_auth.skill ↔ /auth.md.
    let (skill_judged, skill_findings) = super::agent_auth::skill_consistency(ev);
    if skill_judged {
        judged += 1;
        probes.extend(skill_findings.iter().filter_map(|f| f.probe.clone()));
        findings.extend(skill_findings);
    } else if let Some(skill) = unfetched_skill(ev) {
        // The auth.md documents are gathered for the agent-auth checks; a
        // selection without them (`--only discovery-consistency`) leaves
        // the link unverified, not consistent.
        judged += 1;
        unverified.push(Unverified {
            probe: None,
            reason: format!(
                "agent_auth.skill names {skill}, but no auth.md was fetched to compare it with (the selected checks do not need it)"
            ),
            remedy: "widen --only to include auth-md (or the agent-auth category)".into(),
            fault: false,
        });
    }
    probes.sort();
    probes.dedup();
    if judged == 0 {
        return Evaluation::skip(
            "nothing to cross-check: no challenge names a protected-resource document and no protected-resource document lists an authorization server",
        );
    }
    let summary = if findings
        .iter()
        .any(|f| !f.code.ends_with("-unlisted") && !f.code.ends_with("-refused"))
    {
        "The discovery documents disagree or lead nowhere".to_string()
    } else {
        "Challenge, protected-resource metadata and authorization-server metadata agree".to_string()
    };
    Evaluation::evaluated(summary, findings, probes).with_unverified(unverified)
}

/// The `agent_auth.skill` an effective metadata document names, when no
/// auth.md was probed at all (the selected checks did not plan it).
fn unfetched_skill(ev: &Evidence) -> Option<String> {
    if ev
        .probes_where(|m| matches!(m, ProbeMeta::AuthMd { .. }))
        .next()
        .is_some()
    {
        return None;
    }
    as_view(ev).iter().find_map(|iv| {
        iv.effective().and_then(|(_, d)| {
            d.get("agent_auth")?
                .get("skill")?
                .as_str()
                .map(str::to_string)
        })
    })
}

/// The MCP discovery path as an agent walks it: challenge, then PRM, then
/// AS metadata, with what each step found (reported in
/// `as-metadata-discovery`'s `data.steps`).
pub fn discovery_steps(ev: &Evidence) -> Value {
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

// ---------------------------------------------------------------------------
// jwks-hygiene

const PRIVATE_MEMBERS: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "oth"];

fn rsa_modulus_bits(n: &str) -> Option<usize> {
    // Cap: a 16384-bit modulus is 2731 base64url characters.
    if n.len() > 4096 {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(n.trim_end_matches('='))
        .ok()?;
    let first = bytes.iter().position(|b| *b != 0)?;
    let lead = bytes[first].leading_zeros() as usize;
    Some((bytes.len() - first) * 8 - lead)
}

/// `jwks-hygiene`: RFC 7517 §4, §5, §9.2; RFC 7518 §3.3, §6; RFC 8414 §2.
pub fn jwks_hygiene(ev: &Evidence) -> Evaluation {
    let sets: Vec<(&str, &Vec<String>, usize)> = ev
        .probes_where(|m| matches!(m, ProbeMeta::Jwks { .. }))
        .filter_map(|(id, r)| match &r.meta {
            ProbeMeta::Jwks { named_by } => Some((id, named_by, r.exchange)),
            _ => None,
        })
        .collect();
    if sets.is_empty() {
        return Evaluation::skip("no jwks_uri is advertised in the metadata found");
    }
    let mut findings = Vec::new();
    let mut probes = Vec::new();
    let mut unverified = Vec::new();
    for (probe, named_by, idx) in &sets {
        probes.push(probe.to_string());
        let Some(x) = ev.exchange(*idx) else {
            continue;
        };
        let url = x.request.url.as_str();
        let p = Some(*probe);
        let state = state_of(ev, *idx, x);
        // Not fetched (the SSRF guard, a run restricted to loopback) or not
        // answered: not verified, so neither a pass nor a failure.
        if let Some((f, u)) = hop_unverified(
            ev,
            probe,
            *idx,
            &state,
            "jwks-hygiene-private-address-refused",
            &format!("GET of jwks_uri {url}"),
        ) {
            findings.extend(f);
            unverified.push(u);
            continue;
        }
        let doc: Arc<Value> = match state {
            DocState::Found(d) => d,
            DocState::NotJsonObject { .. } | DocState::Truncated => {
                findings.push(finding(
                    "jwks-hygiene-not-jwk-set",
                    format!(
                        "jwks_uri {url} (named by {}) → {}",
                        named_by.join(", "),
                        state.describe()
                    ),
                    p,
                ));
                continue;
            }
            other => {
                findings.push(finding(
                    "jwks-hygiene-unreachable",
                    format!(
                        "jwks_uri {url} (named by {}) → {}",
                        named_by.join(", "),
                        other.describe()
                    ),
                    p,
                ));
                continue;
            }
        };
        let Some(keys) = doc.get("keys").and_then(Value::as_array) else {
            findings.push(finding(
                "jwks-hygiene-not-jwk-set",
                format!("{url} is a JSON object without a keys array (RFC 7517 §5)"),
                p,
            ));
            continue;
        };
        if let Some(resp) = &x.response {
            let mt = resp.media_type().unwrap_or_default();
            if mt != "application/json" && mt != "application/jwk-set+json" {
                findings.push(finding(
                    "jwks-hygiene-content-type",
                    format!("{url} is served as {} instead of application/json or application/jwk-set+json", if mt.is_empty() { "(no Content-Type)" } else { &mt }),
                    p,
                ));
            }
        }
        if keys.is_empty() {
            findings.push(finding(
                "jwks-hygiene-empty",
                format!("{url}: the keys array is empty"),
                p,
            ));
            continue;
        }
        for e in jwks_schema().iter_errors(&doc) {
            findings.push(finding(
                "jwks-hygiene-key-invalid",
                format!("{url}: {} {e}", e.instance_path()),
                p,
            ));
        }
        let mut uses: Vec<Option<&str>> = Vec::new();
        let mut kids: Vec<(&str, &str, &Value)> = Vec::new();
        let mut kid_missing = false;
        for (i, key) in keys.iter().enumerate() {
            let Some(obj) = key.as_object() else { continue };
            let kty = obj.get("kty").and_then(Value::as_str).unwrap_or_default();
            let kid = obj.get("kid").and_then(Value::as_str);
            let label = kid.map_or_else(|| format!("key #{i}"), |k| format!("key `{k}`"));
            let private: Vec<&str> = PRIVATE_MEMBERS
                .iter()
                .copied()
                .filter(|m| obj.contains_key(*m))
                .collect();
            if !private.is_empty() {
                findings.push(finding(
                    "jwks-hygiene-private-key",
                    format!("{url}: {label} ({kty}) publishes private member(s) {}: its private key is exposed (RFC 7517 §9.2)", private.join(", ")),
                    p,
                ));
            }
            if kty == "oct" && obj.contains_key("k") {
                findings.push(finding(
                    "jwks-hygiene-symmetric-key",
                    format!("{url}: {label} is a symmetric (oct) key with its secret k published: anyone can forge HMAC-signed tokens"),
                    p,
                ));
            }
            let required: &[&str] = match kty {
                "RSA" => &["n", "e"],
                "EC" => &["crv", "x", "y"],
                "OKP" => &["crv", "x"],
                _ => &[],
            };
            let missing: Vec<&str> = required
                .iter()
                .copied()
                .filter(|m| !obj.get(*m).is_some_and(Value::is_string))
                .collect();
            if !kty.is_empty() && !missing.is_empty() {
                findings.push(finding(
                    "jwks-hygiene-key-invalid",
                    format!("{url}: {label} ({kty}) lacks {}", missing.join(", ")),
                    p,
                ));
            }
            if kty == "RSA"
                && let Some(bits) = obj
                    .get("n")
                    .and_then(Value::as_str)
                    .and_then(rsa_modulus_bits)
                && bits < 2048
            {
                findings.push(finding(
                    "jwks-hygiene-rsa-key-too-short",
                    format!("{url}: {label} has a {bits}-bit RSA modulus (RFC 7518 §3.3 requires 2048 or more)"),
                    p,
                ));
            }
            uses.push(obj.get("use").and_then(Value::as_str));
            match kid {
                Some(k) => kids.push((kty, k, key)),
                None => kid_missing = true,
            }
        }
        let has_sig = uses.contains(&Some("sig"));
        let has_enc = uses.contains(&Some("enc"));
        if has_sig && has_enc && uses.contains(&None) {
            findings.push(finding(
                "jwks-hygiene-use-missing",
                format!("{url} mixes signing and encryption keys but not every key has `use` (RFC 8414 §2)"),
                p,
            ));
        }
        for (i, (kty, kid, key)) in kids.iter().enumerate() {
            if kids[..i]
                .iter()
                .any(|(t, k, other)| t == kty && k == kid && other != key)
            {
                findings.push(finding(
                    "jwks-hygiene-duplicate-kid",
                    format!("{url}: two different {kty} keys share kid `{kid}` (RFC 7517 §4.5)"),
                    p,
                ));
            }
        }
        if kid_missing && keys.len() > 1 {
            findings.push(finding(
                "jwks-hygiene-kid-missing",
                format!(
                    "{url} holds {} keys and at least one has no kid",
                    keys.len()
                ),
                p,
            ));
        }
    }
    let summary = if findings
        .iter()
        .any(|f| f.code == "jwks-hygiene-private-key" || f.code == "jwks-hygiene-symmetric-key")
    {
        "A published JWK Set exposes key material that must stay secret".to_string()
    } else if findings.is_empty() {
        format!(
            "{} JWK Set(s) are valid and publish public keys only",
            sets.len()
        )
    } else {
        format!("{} problem(s) in {} JWK Set(s)", findings.len(), sets.len())
    };
    Evaluation::evaluated(summary, findings, probes).with_unverified(unverified)
}

/// A document a hop of discovery leads to that was not fetched (the SSRF
/// guard, a run restricted to loopback) or not answered: not verified.
/// When the SSRF guard refused it, an informative finding (`refused_code`)
/// says so too.
fn hop_unverified(
    ev: &Evidence,
    probe: &str,
    idx: usize,
    state: &DocState,
    refused_code: &str,
    what: &str,
) -> Option<(Option<Finding>, Unverified)> {
    let u = crate::model::outcome::Unverified::of_exchange(ev.exchange(idx)?, what)?;
    let f = match state {
        DocState::Refused(msg) => {
            Some(finding(refused_code, format!("{what}: {msg}"), Some(probe)))
        }
        _ => None,
    };
    Some((f, u))
}

#[cfg(test)]
mod tests;
