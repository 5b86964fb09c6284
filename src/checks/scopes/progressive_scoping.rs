//! `progressive-scoping`: Agents can step up to more scopes at runtime (insufficient_scope challenges, granular scopes).
//!
//! RFC 6750 §3.1, RFC 9470 §3, MCP 2025-11-25 scope
//! challenge handling, auth.md pre-/post-claim scopes.

use super::{api_scopes, list, with_api_scopes};
use crate::checks::Builtin;
use crate::checks::codes::progressive_scoping as code;
use crate::evidence::Evidence;
use crate::evidence::views::scopes::ChallengeSeen;
use crate::model::outcome::{Evaluation, finding};
use crate::model::probe::Needs;
use std::collections::BTreeSet;

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::AS_METADATA
        .with(Needs::API)
        .with(Needs::API_RESOURCES)
        .with(Needs::API_DESCRIPTION),
    eval: progressive_scoping,
};

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
            code::SCOPES_NOT_GRANULAR,
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
            code::CHALLENGE_SCOPE_MISSING,
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
                    code::CHALLENGE_REQUESTS_ALL,
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
                code::INSUFFICIENT_SCOPE_STATUS,
                format!(
                    "{} answered error=\"insufficient_scope\" with {} (RFC 6750 §3.1: 403)",
                    c.url, c.status
                ),
                p,
            ));
        }
        if c.scope.as_ref().is_none_or(Vec::is_empty) {
            findings.push(finding(
                code::INSUFFICIENT_SCOPE_WITHOUT_SCOPE,
                format!(
                    "{}: the insufficient_scope challenge does not name the scope needed",
                    c.url
                ),
                p,
            ));
        }
        if !c.resource_metadata {
            findings.push(finding(
                code::INSUFFICIENT_SCOPE_WITHOUT_RESOURCE_METADATA,
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
            code::STEP_UP_PARAMS_MISSING,
            format!(
                "{}: insufficient_user_authentication without acr_values or max_age (RFC 9470 §3)",
                c.url
            ),
            Some(&c.probe),
        ));
    }
    if insufficient.is_empty() {
        findings.push(finding(
            code::STEP_UP_NOT_OBSERVED,
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
                        code::CLAIM_SCOPES_NARROWER,
                        format!(
                            "{}: post-claim scopes drop {} that the pre-claim grant had",
                            cl.url,
                            list(&lost, 8)
                        ),
                        p,
                    ));
                } else if post_s == pre_s {
                    findings.push(finding(
                        code::CLAIM_SCOPES_UNCHANGED,
                        format!(
                            "{}: post-claim scopes equal the pre-claim scopes, so the claim ceremony does not widen access",
                            cl.url
                        ),
                        p,
                    ));
                }
            }
            (Some(_), None) => findings.push(finding(
                code::CLAIM_SCOPES_UNCHANGED,
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
    // Granular scopes make progressive scoping possible; only a step-up
    // signal shows it: a scope in a challenge (MCP 2025-11-25 scope
    // selection), an insufficient_scope answer (RFC 6750 §3.1), a claim
    // that widens the grant (auth.md), or RFC 9470 step-up.
    let step_up_signal = view
        .challenges
        .iter()
        .any(|c| c.scope.as_ref().is_some_and(|s| !s.is_empty()))
        || !insufficient.is_empty()
        || view.challenges.iter().any(|c| {
            c.step_up_params || c.error.as_deref() == Some("insufficient_user_authentication")
        })
        || ways.iter().any(|w| w.starts_with("a claim"));
    if api.len() > 1 && !step_up_signal {
        findings.push(finding(
            code::NO_STEP_UP_SIGNAL,
            format!(
                "{} granular API scopes make progressive scoping possible, but nothing shows it: no challenge names a scope, no insufficient_scope answer, no claim that widens the grant, no RFC 9470 step-up",
                api.len()
            ),
            None,
        ));
    }
    let summary = if ways.is_empty() {
        "Nothing lets an agent start small and step up".to_string()
    } else if !step_up_signal {
        format!("Step-up is possible but not shown: {}", ways.join(", "))
    } else {
        format!("Step-up is possible: {}", ways.join(", "))
    };
    Evaluation::evaluated(summary, findings, probes)
}

#[cfg(test)]
mod tests {

    use crate::checks::testkit::scopes::*;

    use crate::model::outcome::Outcome;
    use crate::testing::{ORIGIN, evidence, json, site};
    use serde_json::{Value, json as j};
    #[test]
    fn progressive_scoping_passes_with_granular_scopes_and_a_scoped_challenge() {
        let ev = api_site(
            j!(["files:read", "files:write"]),
            Some("files:read"),
            vec![],
        );
        let r = judge(&ev, "progressive-scoping");
        assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.codes);
        assert!(has(&r, "progressive-scoping-step-up-not-observed"));
        assert!(r.summary.contains("Step-up is possible"), "{}", r.summary);
    }

    /// Granular scopes alone are partial (warn): they make progressive
    /// scoping possible, a step-up signal shows it.
    #[test]
    fn granular_scopes_without_a_step_up_signal_warn() {
        let r = judge(
            &origin_site(as_doc(Some(j!(["files:read", "files:write"])))),
            "progressive-scoping",
        );
        assert_eq!(r.outcome, Outcome::Warn, "{:?}", r.codes);
        assert!(has(&r, "progressive-scoping-no-step-up-signal"));
    }

    #[test]
    fn a_single_api_scope_leaves_nothing_to_step_up_to() {
        let r = judge(
            &origin_site(as_doc(Some(j!(["openid", "mcp"])))),
            "progressive-scoping",
        );
        assert_eq!(r.outcome, Outcome::Fail);
        assert!(has(&r, "progressive-scoping-scopes-not-granular"));
        assert_eq!(
            judge(
                &origin_site(as_doc(Some(j!(["openid"])))),
                "progressive-scoping"
            )
            .outcome,
            Outcome::Skip
        );
        assert_eq!(
            judge(&origin_site(as_doc(None)), "progressive-scoping").outcome,
            Outcome::Skip
        );
    }

    #[test]
    fn challenges_without_scope_or_asking_for_everything() {
        let ev = api_site(j!(["files:read", "files:write"]), None, vec![]);
        let r = judge(&ev, "progressive-scoping");
        assert_eq!(r.outcome, Outcome::Warn);
        assert!(has(&r, "progressive-scoping-challenge-scope-missing"));
        let ev = api_site(
            j!(["files:read", "files:write"]),
            Some("files:write files:read"),
            vec![],
        );
        let r = judge(&ev, "progressive-scoping");
        assert!(has(&r, "progressive-scoping-challenge-requests-all"));
    }

    #[test]
    fn a_first_challenge_with_invalid_token_still_counts() {
        // Linear and Notion add error="invalid_token" to the challenge of a
        // request without credentials; it is still the first challenge.
        let rm = format!("resource_metadata=\"{ORIGIN}{PRM}\"");
        let ev = evidence(
            site(
                vec![
                    challenge(
                        "/api",
                        401,
                        &format!("Bearer error=\"invalid_token\", {rm}"),
                        false,
                    ),
                    json(PRM, &prm_doc(Some(j!(["files:read", "files:write"])))),
                ],
                None,
            ),
            API,
        );
        let r = judge(&ev, "progressive-scoping");
        assert!(
            has(&r, "progressive-scoping-challenge-scope-missing"),
            "{:?}",
            r.codes
        );
    }

    #[test]
    fn insufficient_scope_challenges_are_judged() {
        // A server that (wrongly) answers the bogus token with insufficient_scope.
        let bad = challenge("/api", 401, "Bearer error=\"insufficient_scope\"", true);
        let ev = api_site(
            j!(["files:read", "files:write"]),
            Some("files:read"),
            vec![bad],
        );
        let r = judge(&ev, "progressive-scoping");
        assert_eq!(r.outcome, Outcome::Warn);
        for code in [
            "progressive-scoping-insufficient-scope-status",
            "progressive-scoping-insufficient-scope-without-scope",
            "progressive-scoping-insufficient-scope-without-resource-metadata",
        ] {
            assert!(has(&r, code), "{code}: {:?}", r.codes);
        }
        assert!(!has(&r, "progressive-scoping-step-up-not-observed"));
        // A conformant one: 403 with scope and resource_metadata.
        let good = challenge(
            "/api",
            403,
            &format!(
                "Bearer error=\"insufficient_scope\", scope=\"files:write\", resource_metadata=\"{ORIGIN}{PRM}\""
            ),
            true,
        );
        let ev = api_site(
            j!(["files:read", "files:write"]),
            Some("files:read"),
            vec![good],
        );
        let r = judge(&ev, "progressive-scoping");
        assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.codes);
        assert!(
            r.summary.contains("403 insufficient_scope"),
            "{}",
            r.summary
        );
        // RFC 9470 step-up without its parameters.
        let step_up = challenge(
            "/api",
            401,
            "Bearer error=\"insufficient_user_authentication\"",
            true,
        );
        let ev = api_site(
            j!(["files:read", "files:write"]),
            Some("files:read"),
            vec![step_up],
        );
        let r = judge(&ev, "progressive-scoping");
        assert!(has(&r, "progressive-scoping-step-up-params-missing"));
    }

    #[test]
    fn claim_scopes_must_widen() {
        let doc = |pre: Value, post: Option<Value>| {
            let mut d = as_doc(Some(j!(["notes.read", "notes.write"])));
            d["agent_auth"] = j!({ "pre_claim_scopes": pre });
            if let Some(p) = post {
                d["agent_auth"]["post_claim_scopes"] = p;
            }
            origin_site(d)
        };
        let r = judge(
            &doc(j!(["notes.read"]), Some(j!(["notes.read", "notes.write"]))),
            "progressive-scoping",
        );
        assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.codes);
        assert!(r.summary.contains("widens"), "{}", r.summary);
        let r = judge(
            &doc(j!(["notes.read"]), Some(j!(["notes.read"]))),
            "progressive-scoping",
        );
        assert!(has(&r, "progressive-scoping-claim-scopes-unchanged"));
        let r = judge(&doc(j!(["notes.read"]), None), "progressive-scoping");
        assert!(has(&r, "progressive-scoping-claim-scopes-unchanged"));
        let r = judge(
            &doc(j!(["notes.read", "notes.write"]), Some(j!(["notes.read"]))),
            "progressive-scoping",
        );
        assert_eq!(r.outcome, Outcome::Warn);
        assert!(has(&r, "progressive-scoping-claim-scopes-narrower"));
    }
}
