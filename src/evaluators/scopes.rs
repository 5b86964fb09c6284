//! Scopes family: which scopes are published and where (RFC 8414 §2, RFC
//! 9728 §2, RFC 6750 §3), what each lets an agent do (the classifier of
//! [`crate::scopes`]), whether they allow least privilege (RFC 9700 §2.3),
//! and whether an agent can step up at runtime (RFC 6750 §3.1, RFC 9470,
//! MCP 2025-11-25 scope challenges, auth.md pre-/post-claim scopes).
//!
//! All four checks read one view of the evidence, [`scope_view`]: the
//! `scopes_supported` of every metadata document a client would use, the
//! `scope` of every Bearer challenge, the `agent_auth` pre-/post-claim
//! scopes, and what the target says about its scopes (`scope_descriptions`,
//! `scope_details`).

use crate::classify::scopes::{self, Classification, ScopeClass};
use crate::evidence::Evidence;
pub use crate::evidence::views::scopes::{
    ChallengeSeen, DocKind, Origin, SCOPE_DESCRIPTIONS, SCOPE_DETAILS, ScopeAnalysis, ScopeList,
    analysis,
};
use crate::model::outcome::{Evaluation, Finding, finding};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

/// The checks of this family.
pub const IDS: [&str; 4] = [
    "scopes-published",
    "scope-classification",
    "least-privilege",
    "progressive-scoping",
];

/// Findings of one kind listed one by one, at most.
const MAX_LISTED: usize = 10;

/// Share of unclassifiable API scopes from which `scope-classification`
/// fails rather than warns: when half or more of the scopes an agent could
/// request say nothing about what they allow, it cannot pick a small set.
pub const UNKNOWN_FAIL_SHARE: f64 = 0.5;

fn no_scopes() -> Evaluation {
    Evaluation::skip(
        "no scopes are published: no scopes_supported, challenge scope or agent_auth scopes (see scopes-published)",
    )
}

fn vocabulary_error(e: String, probes: Vec<String>) -> Evaluation {
    Evaluation::error(
        format!("the scope vocabulary cannot be loaded: {e}"),
        probes,
    )
}

fn list(scopes: &[&str], max: usize) -> String {
    let shown: Vec<String> = scopes.iter().take(max).map(|s| format!("`{s}`")).collect();
    if scopes.len() > max {
        format!("{} and {} more", shown.join(", "), scopes.len() - max)
    } else {
        shown.join(", ")
    }
}

fn class_counts(classes: &[Classification]) -> String {
    let mut parts = Vec::new();
    for c in ScopeClass::ALL {
        let n = classes.iter().filter(|x| x.class == c).count();
        if n > 0 {
            parts.push(format!("{n} {}", c.as_str()));
        }
    }
    parts.join(", ")
}

/// The scopes that grant API access (everything but identity scopes).
fn names<'a>(v: &[&'a Classification]) -> Vec<&'a str> {
    v.iter().map(|c| c.scope.as_str()).collect()
}

/// The analysis of a store with published scopes and a loadable
/// vocabulary; or the evaluation that ends a judging check early (no
/// scopes published, or the vocabulary cannot be loaded).
fn classified(ev: &Evidence) -> Result<std::sync::Arc<ScopeAnalysis>, Box<Evaluation>> {
    let a = analysis(ev);
    if a.view.published.is_empty() {
        return Err(Box::new(no_scopes()));
    }
    match &a.classes {
        Ok(_) => Ok(a),
        Err(e) => Err(Box::new(vocabulary_error(e.clone(), a.probes.clone()))),
    }
}

/// [`classified`], and skipped with `only_identity` when every scope is an
/// OpenID identity scope (nothing for least-privilege or step-up to judge).
fn with_api_scopes(
    ev: &Evidence,
    only_identity: &str,
) -> Result<std::sync::Arc<ScopeAnalysis>, Box<Evaluation>> {
    let a = classified(ev)?;
    if api_scopes(a.classified()).is_empty() {
        return Err(Box::new(Evaluation::skip(only_identity)));
    }
    Ok(a)
}

fn api_scopes(classes: &[Classification]) -> Vec<&Classification> {
    classes
        .iter()
        .filter(|c| c.class != ScopeClass::Identity)
        .collect()
}

// ---------------------------------------------------------------------------
// scopes-published

/// `scopes-published`: RFC 8414 §2, RFC 9728 §2, RFC 6749 §3.3, OpenID
/// Connect Discovery §3, MCP 2025-11-25 scope selection.
pub fn scopes_published(ev: &Evidence) -> Evaluation {
    let a = analysis(ev);
    let (view, probes) = (&a.view, a.probes.clone());
    if view.docs.is_empty() && view.published.is_empty() {
        return Evaluation::skip(
            "no authorization-server or protected-resource metadata was found and no challenge names a scope (see as-metadata-discovery)",
        );
    }
    let mut findings = Vec::new();
    let mut listed = 0usize;
    for d in &view.docs {
        let p = Some(d.probe.as_str());
        match &d.list {
            ScopeList::Absent => {}
            ScopeList::NotArray => findings.push(finding(
                "scopes-published-malformed",
                format!("{}: scopes_supported is not an array of strings", d.url),
                p,
            )),
            ScopeList::Values { valid, invalid } => {
                if valid.is_empty() && invalid.is_empty() {
                    findings.push(finding(
                        "scopes-published-empty",
                        format!(
                            "{}: scopes_supported is an empty array (RFC 8414 §3.2: omit members with zero elements)",
                            d.url
                        ),
                        p,
                    ));
                }
                if !invalid.is_empty() {
                    findings.push(finding(
                        "scopes-published-malformed",
                        format!(
                            "{}: scopes_supported has values that are not RFC 6749 §3.3 scope-tokens (no spaces, double quotes or backslashes): {}",
                            d.url,
                            invalid.join(", ")
                        ),
                        p,
                    ));
                }
                if !valid.is_empty() {
                    listed += 1;
                }
                if matches!(d.kind, DocKind::As { oidc: true })
                    && !valid.is_empty()
                    && !valid.iter().any(|s| s == "openid")
                {
                    findings.push(finding(
                        "scopes-published-openid-missing",
                        format!(
                            "{}: an OpenID discovery document whose scopes_supported lacks `openid` (OpenID Connect Discovery §3: SHOULD list it)",
                            d.url
                        ),
                        p,
                    ));
                }
            }
        }
    }
    let from_challenge = view.scopes_from(Origin::Challenge);
    if listed == 0 {
        let tail = if from_challenge.is_empty() {
            String::new()
        } else {
            format!(
                "; only a challenge names {}, which tells an agent what one request needs, not what exists",
                list(&from_challenge, 8)
            )
        };
        let where_ = if view.docs.is_empty() {
            "no metadata document was found".to_string()
        } else {
            format!(
                "{} has no usable scopes_supported",
                view.docs
                    .iter()
                    .map(|d| d.url.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        findings.push(finding(
            "scopes-published-missing",
            format!(
                "{where_} (RFC 8414 §2, RFC 9728 §2: RECOMMENDED){tail}, so an agent cannot choose a minimal scope set"
            ),
            None,
        ));
    }
    // PRM scopes the authorization server does not list.
    let as_lists: BTreeSet<&str> = view
        .docs
        .iter()
        .filter(|d| matches!(d.kind, DocKind::As { .. }))
        .filter_map(|d| match &d.list {
            ScopeList::Values { valid, .. } if !valid.is_empty() => Some(valid),
            _ => None,
        })
        .flatten()
        .map(String::as_str)
        .collect();
    if !as_lists.is_empty() {
        for d in view.docs.iter().filter(|d| d.kind == DocKind::Prm) {
            if let ScopeList::Values { valid, .. } = &d.list {
                let extra: Vec<&str> = valid
                    .iter()
                    .map(String::as_str)
                    .filter(|s| !as_lists.contains(s))
                    .collect();
                if !extra.is_empty() {
                    findings.push(finding(
                        "scopes-published-prm-as-divergent",
                        format!(
                            "{} lists {} that no authorization-server metadata lists (allowed: RFC 8414 §2 lists may be partial)",
                            d.url,
                            list(&extra, 8)
                        ),
                        Some(&d.probe),
                    ));
                }
            }
        }
    }
    let classes = a.classified();
    if !classes.is_empty() && classes.iter().all(|c| c.class == ScopeClass::Identity) {
        findings.push(finding(
            "scopes-published-identity-scopes-only",
            format!(
                "the only scopes are OpenID identity scopes ({}); no API scope is published",
                list(
                    &classes.iter().map(|c| c.scope.as_str()).collect::<Vec<_>>(),
                    8
                )
            ),
            None,
        ));
    }
    let count = |o: Origin| view.scopes_from(o).len();
    let mut parts = vec![
        format!(
            "{} in authorization-server metadata",
            count(Origin::AsMetadata)
        ),
        format!(
            "{} in protected-resource metadata",
            count(Origin::ProtectedResource)
        ),
        format!("{} named by challenges", count(Origin::Challenge)),
    ];
    let claims = count(Origin::PreClaim) + count(Origin::PostClaim);
    if claims > 0 {
        parts.push(format!("{claims} in agent_auth claim scopes"));
    }
    let summary = if view.published.is_empty() {
        "No scopes are published".to_string()
    } else {
        format!(
            "{} scope(s) published{}: {}",
            view.published.len(),
            if view.truncated {
                " (more not read)"
            } else {
                ""
            },
            parts.join(", ")
        )
    };
    let data = json!({
        "published": view.published.iter().map(|p| json!({
            "scope": p.scope,
            "sources": p.seen.iter().map(|s| json!({
                "from": s.origin.as_str(), "url": s.url, "probe": s.probe
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    Evaluation::evaluated(summary, findings, probes).with_data(data)
}

// ---------------------------------------------------------------------------
// scope-classification

/// `scope-classification`: every scope classified read / write /
/// destructive / admin / identity; `data.scopes` as DESIGN §4 fixes it.
pub fn scope_classification(ev: &Evidence) -> Evaluation {
    let a = match classified(ev) {
        Ok(a) => a,
        Err(early) => return *early,
    };
    let (view, probes) = (&a.view, a.probes.clone());
    let classes = a.classified();
    let mut findings = Vec::new();
    let api = api_scopes(classes);
    let unknown: Vec<&str> = api
        .iter()
        .filter(|c| c.class == ScopeClass::Unknown)
        .map(|c| c.scope.as_str())
        .collect();
    if !unknown.is_empty() {
        let share = unknown.len() as f64 / api.len() as f64;
        let code = if share >= UNKNOWN_FAIL_SHARE {
            "scope-classification-mostly-unclassified"
        } else {
            "scope-classification-unclassified"
        };
        findings.push(finding(
            code,
            format!(
                "{} of {} API scope(s) ({:.0} %) say nothing about what they allow: {}",
                unknown.len(),
                api.len(),
                share * 100.0,
                list(&unknown, 10)
            ),
            None,
        ));
    }
    let ambiguous: Vec<&Classification> =
        classes.iter().filter(|c| c.ambiguous.is_some()).collect();
    for c in ambiguous.iter().take(MAX_LISTED) {
        findings.push(finding(
            "scope-classification-ambiguous",
            format!(
                "`{}` is classified {} ({}), but {}",
                c.scope,
                c.class.as_str(),
                c.reason,
                c.ambiguous.as_deref().unwrap_or_default()
            ),
            None,
        ));
    }
    if ambiguous.len() > MAX_LISTED {
        findings.push(finding(
            "scope-classification-ambiguous",
            format!(
                "and {} more scope(s) whose signals disagree",
                ambiguous.len() - MAX_LISTED
            ),
            None,
        ));
    }
    for (probe, problem) in view.risk_problems.iter().take(MAX_LISTED) {
        findings.push(finding(
            "scope-classification-risk-document-invalid",
            problem.clone(),
            Some(probe),
        ));
    }
    if classes.iter().all(|c| c.source == scopes::Source::Name) {
        findings.push(finding(
            "scope-classification-name-only",
            format!(
                "every class comes from the scope name alone; no {SCOPE_DESCRIPTIONS} or {SCOPE_DETAILS} was published to confirm it"
            ),
            None,
        ));
    }
    let sources: BTreeSet<&str> = classes.iter().map(|c| c.source.as_str()).collect();
    let summary = format!(
        "{} scope(s) classified: {} (from {})",
        classes.len(),
        class_counts(classes),
        sources.into_iter().collect::<Vec<_>>().join(", ")
    );
    let data = json!({
        "scopes": classes.iter().map(|c| json!({
            "scope": c.scope,
            "class": c.class.as_str(),
            "source": c.source.as_str(),
            "reason": c.reason,
        })).collect::<Vec<_>>(),
    });
    Evaluation::evaluated(summary, findings, probes).with_data(data)
}

// ---------------------------------------------------------------------------
// least-privilege

/// The class of a scope string among the classified ones.
fn class_of<'a>(classes: &'a [Classification], scope: &str) -> Option<&'a Classification> {
    classes.iter().find(|c| c.scope == scope)
}

/// `least-privilege`: RFC 9700 §2.3, MCP 2025-11-25 scope selection, auth.md
/// pre-claim scopes.
pub fn least_privilege(ev: &Evidence) -> Evaluation {
    let a = match with_api_scopes(
        ev,
        "only OpenID Connect identity scopes are published: there are no API privileges to judge",
    ) {
        Ok(a) => a,
        Err(early) => return *early,
    };
    let (view, probes) = (&a.view, a.probes.clone());
    let classes = a.classified();
    let api = api_scopes(classes);
    let mut findings: Vec<Finding> = Vec::new();
    let god: Vec<&Classification> = api.iter().copied().filter(|c| c.god_mode).collect();
    let admin: Vec<&Classification> = api
        .iter()
        .copied()
        .filter(|c| c.class == ScopeClass::Admin)
        .collect();
    let single = api.len() == 1;
    if admin.len() == api.len() {
        let what = if god.len() == api.len() {
            "a wildcard or catch-all scope"
        } else {
            "administrative"
        };
        findings.push(finding(
            "least-privilege-admin-only",
            format!(
                "every API scope is {what} ({}): any token an agent obtains is all-powerful",
                list(&names(&admin), 8)
            ),
            None,
        ));
    } else {
        if !god.is_empty() {
            findings.push(finding(
                "least-privilege-wildcard-scope",
                format!(
                    "{} grant(s) everything and can be requested beside the granular scopes",
                    list(&names(&god), 8)
                ),
                None,
            ));
        }
        if single && api[0].class != ScopeClass::Read {
            let c = api[0];
            findings.push(finding(
                "least-privilege-single-scope",
                format!(
                    "the only API scope, `{}` ({}), is all-or-nothing: an agent cannot ask for less than everything it allows",
                    c.scope,
                    c.class.as_str()
                ),
                None,
            ));
        }
    }
    // Read separable from write, per resource.
    if !single {
        let global_read = api
            .iter()
            .any(|c| c.class == ScopeClass::Read && c.resource.is_empty());
        let mut by_resource: BTreeMap<&str, (bool, Vec<&str>)> = BTreeMap::new();
        for c in api.iter().filter(|c| !c.god_mode) {
            let e = by_resource.entry(c.resource.as_str()).or_default();
            if c.class == ScopeClass::Read {
                e.0 = true;
            } else if c.class.changes_data() {
                e.1.push(c.scope.as_str());
            }
        }
        if !global_read {
            let coupled: Vec<String> = by_resource
                .iter()
                .filter(|(_, (read, changes))| !read && !changes.is_empty())
                .map(|(r, (_, changes))| {
                    let r = if r.is_empty() { "everything" } else { r };
                    format!("{r} ({})", list(changes, 3))
                })
                .collect();
            if !coupled.is_empty() {
                findings.push(finding(
                    "least-privilege-read-write-coupled",
                    format!(
                        "no read-only scope for {}: an agent that only needs to read must ask for write access",
                        coupled.iter().take(8).cloned().collect::<Vec<_>>().join("; ")
                    ),
                    None,
                ));
            }
        }
    }
    // The scope a challenge asks for is what MCP clients request.
    for c in view.challenges.iter().filter(|c| c.is_first()) {
        let Some(scope) = &c.scope else { continue };
        let broad: Vec<String> = scope
            .iter()
            .filter_map(|s| class_of(classes, s))
            .filter(|k| k.class.changes_data())
            .map(|k| format!("`{}` ({})", k.scope, k.class.as_str()))
            .collect();
        if !broad.is_empty() {
            let what = if c.mcp {
                "MCP initialize request"
            } else {
                "request"
            };
            findings.push(finding(
                "least-privilege-challenge-scope-broad",
                format!(
                    "the 401 challenge to an unauthenticated {what} to {} asks for {}, which MCP clients then request by default",
                    c.url,
                    broad.join(", ")
                ),
                Some(&c.probe),
            ));
        }
    }
    for cl in &view.claims {
        let Some(pre) = &cl.pre else { continue };
        let broad: Vec<String> = pre
            .iter()
            .filter_map(|s| class_of(classes, s))
            .filter(|k| k.class.changes_data())
            .map(|k| format!("`{}` ({})", k.scope, k.class.as_str()))
            .collect();
        if !broad.is_empty() {
            findings.push(finding(
                "least-privilege-pre-claim-write",
                format!(
                    "{}: agent_auth pre-claim scopes, held by agents no human has confirmed, include {}",
                    cl.url,
                    broad.join(", ")
                ),
                Some(&cl.probe),
            ));
        }
    }
    let unknown: Vec<&str> = api
        .iter()
        .filter(|c| c.class == ScopeClass::Unknown)
        .map(|c| c.scope.as_str())
        .collect();
    if !unknown.is_empty() && !single {
        findings.push(finding(
            "least-privilege-unclassified",
            format!(
                "{} cannot be judged: their class is unknown (see scope-classification)",
                list(&unknown, 8)
            ),
            None,
        ));
    }
    let read = api.iter().filter(|c| c.class == ScopeClass::Read).count();
    let summary = format!(
        "{} API scope(s): {} read-only, {} that change data or administer",
        api.len(),
        read,
        api.iter().filter(|c| c.class.changes_data()).count()
    );
    Evaluation::evaluated(summary, findings, probes)
}

// ---------------------------------------------------------------------------
// progressive-scoping

/// `progressive-scoping`: RFC 6750 §3.1, RFC 9470 §3, MCP 2025-11-25 scope
/// challenge handling, auth.md pre-/post-claim scopes.
pub fn progressive_scoping(ev: &Evidence) -> Evaluation {
    let a = match with_api_scopes(
        ev,
        "only OpenID Connect identity scopes are published: there is nothing to step up to",
    ) {
        Ok(a) => a,
        Err(early) => return *early,
    };
    let (view, probes) = (&a.view, a.probes.clone());
    let classes = a.classified();
    let api = api_scopes(classes);
    let mut findings = Vec::new();
    if api.len() < 2 {
        findings.push(finding(
            "progressive-scoping-scopes-not-granular",
            format!(
                "only one API scope is published (`{}`): there is neither a smaller first grant nor a larger one to step up to",
                api[0].scope
            ),
            None,
        ));
    }
    let first: Vec<&ChallengeSeen> = view.challenges.iter().filter(|c| c.is_first()).collect();
    if !first.is_empty() && first.iter().all(|c| c.scope.is_none()) {
        findings.push(finding(
            "progressive-scoping-challenge-scope-missing",
            format!(
                "the 401 challenge of {} names no scope, so MCP clients request every scopes_supported up front instead of a small first grant",
                first
                    .iter()
                    .map(|c| c.url.as_str())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Some(&first[0].probe),
        ));
    }
    let api_set: BTreeSet<&str> = api.iter().map(|c| c.scope.as_str()).collect();
    if api.len() > 1 {
        for c in &first {
            let Some(scope) = &c.scope else { continue };
            let asked: BTreeSet<&str> = scope
                .iter()
                .map(String::as_str)
                .filter(|s| api_set.contains(s))
                .collect();
            if asked == api_set {
                findings.push(finding(
                    "progressive-scoping-challenge-requests-all",
                    format!(
                        "the 401 challenge of {} asks for every API scope at once ({}), leaving nothing to step up to",
                        c.url,
                        list(&asked.iter().copied().collect::<Vec<_>>(), 8)
                    ),
                    Some(&c.probe),
                ));
            }
        }
    }
    let insufficient: Vec<&ChallengeSeen> = view
        .challenges
        .iter()
        .filter(|c| c.error.as_deref() == Some("insufficient_scope"))
        .collect();
    for c in &insufficient {
        let p = Some(c.probe.as_str());
        if c.status != 403 {
            findings.push(finding(
                "progressive-scoping-insufficient-scope-status",
                format!(
                    "{} answered error=\"insufficient_scope\" with {} (RFC 6750 §3.1: 403)",
                    c.url, c.status
                ),
                p,
            ));
        }
        if c.scope.as_ref().is_none_or(Vec::is_empty) {
            findings.push(finding(
                "progressive-scoping-insufficient-scope-without-scope",
                format!(
                    "{}: the insufficient_scope challenge does not name the scope needed",
                    c.url
                ),
                p,
            ));
        }
        if !c.resource_metadata {
            findings.push(finding(
                "progressive-scoping-insufficient-scope-without-resource-metadata",
                format!(
                    "{}: the insufficient_scope challenge has no resource_metadata (MCP 2025-11-25 step-up challenge)",
                    c.url
                ),
                p,
            ));
        }
    }
    for c in view.challenges.iter().filter(|c| {
        c.error.as_deref() == Some("insufficient_user_authentication") && !c.step_up_params
    }) {
        findings.push(finding(
            "progressive-scoping-step-up-params-missing",
            format!(
                "{}: insufficient_user_authentication without acr_values or max_age (RFC 9470 §3)",
                c.url
            ),
            Some(&c.probe),
        ));
    }
    if insufficient.is_empty() {
        findings.push(finding(
            "progressive-scoping-step-up-not-observed",
            "no insufficient_scope challenge was observed: an unauthenticated scan cannot trigger one (it needs a token that lacks a scope)",
            None,
        ));
    }
    for cl in &view.claims {
        let p = Some(cl.probe.as_str());
        match (&cl.pre, &cl.post) {
            (Some(pre), Some(post)) => {
                let pre_s: BTreeSet<&str> = pre.iter().map(String::as_str).collect();
                let post_s: BTreeSet<&str> = post.iter().map(String::as_str).collect();
                if !post_s.is_superset(&pre_s) {
                    let lost: Vec<&str> = pre_s.difference(&post_s).copied().collect();
                    findings.push(finding(
                        "progressive-scoping-claim-scopes-narrower",
                        format!(
                            "{}: post-claim scopes drop {} that the pre-claim grant had",
                            cl.url,
                            list(&lost, 8)
                        ),
                        p,
                    ));
                } else if post_s == pre_s {
                    findings.push(finding(
                        "progressive-scoping-claim-scopes-unchanged",
                        format!(
                            "{}: post-claim scopes equal the pre-claim scopes, so the claim ceremony does not widen access",
                            cl.url
                        ),
                        p,
                    ));
                }
            }
            (Some(_), None) => findings.push(finding(
                "progressive-scoping-claim-scopes-unchanged",
                format!("{}: pre-claim scopes without post-claim scopes", cl.url),
                p,
            )),
            _ => {}
        }
    }
    let mut ways = Vec::new();
    if api.len() > 1 {
        ways.push(format!("{} granular API scopes", api.len()));
    }
    if first.iter().any(|c| c.scope.is_some()) {
        ways.push("a challenge that names its scope".to_string());
    }
    if insufficient
        .iter()
        .any(|c| c.status == 403 && c.scope.is_some())
    {
        ways.push("403 insufficient_scope with the scope needed".to_string());
    }
    if view.claims.iter().any(|c| match (&c.pre, &c.post) {
        (Some(a), Some(b)) => {
            let a: BTreeSet<&String> = a.iter().collect();
            let b: BTreeSet<&String> = b.iter().collect();
            b.is_superset(&a) && b.len() > a.len()
        }
        _ => false,
    }) {
        ways.push("a claim that widens pre-claim scopes".to_string());
    }
    let summary = if ways.is_empty() {
        "Nothing lets an agent start small and step up".to_string()
    } else {
        format!("Step-up is possible: {}", ways.join(", "))
    };
    Evaluation::evaluated(summary, findings, probes)
}

#[cfg(test)]
mod tests;
