//! `least-privilege`: Scopes allow least-privilege access: no god-mode-only scope, read separable from write.
//!
//! RFC 9700 §2.3, MCP 2025-11-25 scope selection, auth.md
//! pre-claim scopes.

use super::{api_scopes, list, names, with_api_scopes};
use crate::checks::Builtin;
use crate::checks::codes::least_privilege as code;
use crate::classify::scopes::{Classification, ScopeClass};
use crate::evidence::Evidence;
use crate::model::outcome::{Evaluation, Finding, finding};
use crate::model::probe::Needs;
use std::collections::BTreeMap;

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::AS_METADATA
        .with(Needs::API)
        .with(Needs::API_RESOURCES)
        .with(Needs::API_DESCRIPTION),
    eval: least_privilege,
};

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
            code::ADMIN_ONLY,
            format!(
                "every API scope is {what} ({}): any token an agent obtains is all-powerful",
                list(&names(&admin), 8)
            ),
            None,
        ));
    } else {
        if !god.is_empty() {
            findings.push(finding(
                code::WILDCARD_SCOPE,
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
                code::SINGLE_SCOPE,
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
                    code::READ_WRITE_COUPLED,
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
                "MCP server/discover request"
            } else {
                "request"
            };
            findings.push(finding(
                code::CHALLENGE_SCOPE_BROAD,
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
                code::PRE_CLAIM_WRITE,
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
            code::UNCLASSIFIED,
            format!(
                "{} cannot be judged: their class is unknown (see scope-classification)",
                list(&unknown, 8)
            ),
            None,
        ));
    }
    let read = api.iter().filter(|c| c.class == ScopeClass::Read).count();
    let summary = format!(
        "{}: {} read-only, {} that change data or administer",
        crate::model::texts::count(api.len(), "API scope", "API scopes"),
        read,
        api.iter().filter(|c| c.class.changes_data()).count()
    );
    Evaluation::evaluated(summary, findings, probes)
}

#[cfg(test)]
mod tests {

    use crate::checks::testkit::scopes::*;

    use crate::model::outcome::Outcome;
    use crate::testing::ORIGIN;
    use serde_json::json as j;
    #[test]
    fn least_privilege_passes_on_granular_scopes_with_a_read_challenge() {
        let ev = api_site(
            j!([
                "widgets:read",
                "widgets:write",
                "widgets:delete",
                "offline_access"
            ]),
            Some("widgets:read"),
            vec![],
        );
        let r = judge(&ev, "least-privilege");
        assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.codes);
    }

    #[test]
    fn least_privilege_skips_without_api_scopes() {
        assert_eq!(
            judge(&origin_site(as_doc(None)), "least-privilege").outcome,
            Outcome::Skip
        );
        assert_eq!(
            judge(
                &origin_site(as_doc(Some(j!(["openid", "profile"])))),
                "least-privilege"
            )
            .outcome,
            Outcome::Skip
        );
    }

    #[test]
    fn only_a_wildcard_or_only_admin_fails() {
        for scopes in [
            j!(["*"]),
            j!(["admin"]),
            j!(["all", "openid"]),
            j!(["admin:org", "site_admin"]),
        ] {
            let r = judge(
                &origin_site(as_doc(Some(scopes.clone()))),
                "least-privilege",
            );
            assert_eq!(r.outcome, Outcome::Fail, "{scopes}");
            assert!(
                has(&r, "least-privilege-admin-only"),
                "{scopes}: {:?}",
                r.codes
            );
        }
    }

    #[test]
    fn a_single_scope_that_is_not_read_only_fails() {
        for scopes in [j!(["mcp"]), j!(["widgets:write", "openid"])] {
            let r = judge(
                &origin_site(as_doc(Some(scopes.clone()))),
                "least-privilege",
            );
            assert_eq!(r.outcome, Outcome::Fail, "{scopes}");
            assert!(has(&r, "least-privilege-single-scope"), "{scopes}");
        }
        let r = judge(
            &origin_site(as_doc(Some(j!(["public.read"])))),
            "least-privilege",
        );
        assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.codes);
    }

    #[test]
    fn wildcards_beside_granular_scopes_and_coupled_write_warn() {
        let r = judge(
            &origin_site(as_doc(Some(j!(["*", "files:read", "files:write"])))),
            "least-privilege",
        );
        assert_eq!(r.outcome, Outcome::Warn);
        assert!(has(&r, "least-privilege-wildcard-scope"));
        assert!(!has(&r, "least-privilege-read-write-coupled"));
        // Sentry's MCP server: org:read, but projects, teams and events only writable.
        let r = judge(
            &origin_site(as_doc(Some(j!([
                "org:read",
                "project:write",
                "team:write",
                "event:write"
            ])))),
            "least-privilege",
        );
        assert_eq!(r.outcome, Outcome::Warn);
        assert!(has(&r, "least-privilege-read-write-coupled"));
        // A global write scope without a global read scope (Salesforce's api host).
        let r = judge(
            &origin_site(as_doc(Some(j!(["api", "files:read", "refresh_token"])))),
            "least-privilege",
        );
        assert_eq!(r.outcome, Outcome::Warn);
        assert!(has(&r, "least-privilege-read-write-coupled"));
        // A global read scope makes every resource readable (Linear).
        let r = judge(
            &origin_site(as_doc(Some(j!(["read", "write", "issues:create"])))),
            "least-privilege",
        );
        assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.codes);
        // Unknown scopes are left out, and said to be.
        let r = judge(
            &origin_site(as_doc(Some(j!(["files:read", "files:write", "reports"])))),
            "least-privilege",
        );
        assert_eq!(r.outcome, Outcome::Pass);
        assert!(has(&r, "least-privilege-unclassified"));
    }

    #[test]
    fn a_write_scope_in_the_first_challenge_warns() {
        let ev = api_site(
            j!(["files:read", "files:write"]),
            Some("files:read files:write"),
            vec![],
        );
        let r = judge(&ev, "least-privilege");
        assert_eq!(r.outcome, Outcome::Warn);
        assert!(has(&r, "least-privilege-challenge-scope-broad"));
    }

    #[test]
    fn pre_claim_scopes_must_be_read_only() {
        let mut d = as_doc(Some(j!(["notes.read", "notes.write"])));
        d["agent_auth"] = j!({
            "identity_endpoint": format!("{ORIGIN}/agent/identity"),
            "pre_claim_scopes": ["notes.read", "notes.write"],
            "post_claim_scopes": ["notes.read", "notes.write"]
        });
        let r = judge(&origin_site(d.clone()), "least-privilege");
        assert_eq!(r.outcome, Outcome::Warn);
        assert!(has(&r, "least-privilege-pre-claim-write"));
        // The AuthKit shape, read-only before the claim: fine.
        d["agent_auth"] = j!({ "scopes": { "pre_claim": ["notes.read"], "post_claim": ["notes.read", "notes.write"] } });
        let r = judge(&origin_site(d), "least-privilege");
        assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.codes);
    }
}
