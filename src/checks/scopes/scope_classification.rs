//! `scope-classification`: Every published scope is classified as read, write, destructive or admin.
//!
//! every scope classified read / write /
//! destructive / admin / identity; `data.scopes` as checks/schema/report.schema.json fixes it.

use super::{api_scopes, classified, list};
use crate::checks::Builtin;
use crate::checks::codes::scope_classification as code;
use crate::classify::scopes;
use crate::classify::scopes::{Classification, ScopeClass};
use crate::evidence::Evidence;
use crate::evidence::views::scopes::{SCOPE_DESCRIPTIONS, SCOPE_DETAILS};
use crate::model::outcome::{Evaluation, finding};
use crate::model::probe::Needs;
use serde_json::json;
use std::collections::BTreeSet;

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::AS_METADATA
        .with(Needs::API)
        .with(Needs::API_RESOURCES)
        .with(Needs::API_DESCRIPTION),
    eval: scope_classification,
};

/// Findings of one kind listed one by one, at most.
const MAX_LISTED: usize = 10;

/// Share of unclassifiable API scopes from which `scope-classification`
/// fails rather than warns: when half or more of the scopes an agent could
/// request say nothing about what they allow, it cannot pick a small set.
pub const UNKNOWN_FAIL_SHARE: f64 = 0.5;

fn class_counts(classes: &[Classification]) -> String {
    let mut parts = Vec::new();
    for c in ScopeClass::ALL {
        let n = classes.iter().filter(|x| x.class == c).count();
        if n == 0 {
            continue;
        }
        // What is assumed for the scopes of this class, by assumed class:
        // `3 unknown (2 assumed write)`.
        let assumed: Vec<String> = ScopeClass::ALL
            .into_iter()
            .filter_map(|a| {
                let k = classes
                    .iter()
                    .filter(|x| x.class == c && x.assumed == Some(a))
                    .count();
                (k > 0).then(|| format!("{k} assumed {}", a.as_str()))
            })
            .collect();
        if assumed.is_empty() {
            parts.push(format!("{n} {}", c.as_str()));
        } else {
            parts.push(format!("{n} {} ({})", c.as_str(), assumed.join(", ")));
        }
    }
    parts.join(", ")
}

/// `scope-classification`: every scope classified read / write /
/// destructive / admin / identity; `data.scopes` as checks/schema/report.schema.json fixes it.
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
    // Only an assumption that the scope changes data is worth a warning
    // here; an assumed identity claim is not.
    let assumed: Vec<&str> = api
        .iter()
        .filter(|c| c.assumed.is_some_and(ScopeClass::changes_data))
        .map(|c| c.scope.as_str())
        .collect();
    if !unknown.is_empty() {
        let share = unknown.len() as f64 / api.len() as f64;
        let code = if share >= UNKNOWN_FAIL_SHARE {
            code::MOSTLY_UNCLASSIFIED
        } else {
            code::UNCLASSIFIED
        };
        findings.push(finding(
            code,
            format!(
                "{} of {} API scope(s) ({:.0} %) say nothing about what they allow: {}{}",
                unknown.len(),
                api.len(),
                share * 100.0,
                list(&unknown, 10),
                if assumed.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; an agent has to assume {} can change data ({})",
                        list(&assumed, 10),
                        scopes::ASSUMED_CLASS.as_str()
                    )
                }
            ),
            None,
        ));
    }
    let ambiguous: Vec<&Classification> =
        classes.iter().filter(|c| c.ambiguous.is_some()).collect();
    for c in ambiguous.iter().take(MAX_LISTED) {
        findings.push(finding(
            code::AMBIGUOUS,
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
            code::AMBIGUOUS,
            format!(
                "and {} more scope(s) whose signals disagree",
                ambiguous.len() - MAX_LISTED
            ),
            None,
        ));
    }
    for (probe, problem) in view.risk_problems.iter().take(MAX_LISTED) {
        findings.push(finding(
            code::RISK_DOCUMENT_INVALID,
            problem.clone(),
            Some(probe),
        ));
    }
    if classes.iter().all(|c| c.source == scopes::Source::Name) {
        findings.push(finding(
            code::NAME_ONLY,
            format!(
                "every class comes from the scope name alone; no {SCOPE_DESCRIPTIONS} or {SCOPE_DETAILS} was published to confirm it"
            ),
            None,
        ));
    }
    let sources: BTreeSet<&str> = classes.iter().map(|c| c.source.as_str()).collect();
    let summary = format!(
        "{} classified: {} (from {})",
        crate::model::texts::count(classes.len(), "scope", "scopes"),
        class_counts(classes),
        sources.into_iter().collect::<Vec<_>>().join(", ")
    );
    let data = json!({
        "scopes": classes.iter().map(|c| {
            let mut o = json!({
                "scope": c.scope,
                "class": c.effective().as_str(),
                "source": c.source.as_str(),
                "reason": c.reason,
            });
            if c.assumed.is_some() {
                o["assumed"] = json!(true);
            }
            o
        }).collect::<Vec<_>>(),
    });
    Evaluation::evaluated(summary, findings, probes).with_data(data)
}

#[cfg(test)]
mod apis_tests {

    use crate::checks::testkit::apis::*;

    use crate::testing::{ORIGIN, json};
    use serde_json::json;
    #[test]
    fn openapi_scope_descriptions_classify_published_scopes() {
        let meta = json!({
            "issuer": ORIGIN,
            "authorization_endpoint": format!("{ORIGIN}/authorize"),
            "token_endpoint": format!("{ORIGIN}/token"),
            "response_types_supported": ["code"],
            "scopes_supported": ["files.manage", "files.view"],
        });
        let doc = json!({"openapi": "3.1.0", "paths": {}, "components": {"securitySchemes": {"o": {
            "type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "https://x/token", "scopes": {
                "files.manage": "Permanently delete files and folders",
                "files.view": "View files"}}}}}}});
        let r = run(
            vec![
                json("/.well-known/oauth-authorization-server", &meta),
                catalog_to("/openapi.json"),
                at("/openapi.json", &doc),
            ],
            "scope-classification",
        );
        let scopes = r.data.unwrap()["scopes"].clone();
        let manage = scopes
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["scope"] == "files.manage")
            .unwrap()
            .clone();
        assert_eq!(manage["class"], "destructive");
        assert_eq!(manage["source"], "description");
    }
}

#[cfg(test)]
mod tests {

    use crate::checks::testkit::scopes::*;
    use std::collections::BTreeMap;

    use crate::model::outcome::Outcome;
    use crate::testing::{ORIGIN, evidence, json, site};
    use serde_json::json as j;
    #[test]
    fn classification_reports_data_scopes_in_the_design_shape() {
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
        let r = judge(&ev, "scope-classification");
        assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.codes);
        assert!(has(&r, "scope-classification-name-only"));
        let scopes = r.data.unwrap()["scopes"].as_array().unwrap().clone();
        let classes: Vec<(&str, &str, &str)> = scopes
            .iter()
            .map(|s| {
                (
                    s["scope"].as_str().unwrap(),
                    s["class"].as_str().unwrap(),
                    s["source"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            classes,
            [
                ("widgets:read", "read", "name"),
                ("widgets:write", "write", "name"),
                ("widgets:delete", "destructive", "name"),
                ("offline_access", "identity", "name"),
            ]
        );
        for s in &scopes {
            let keys: Vec<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(keys, ["class", "reason", "scope", "source"]);
        }
    }

    #[test]
    fn a_bare_scope_is_classified_beside_its_read_only_sibling() {
        // `reports` alone says nothing; beside `reports:read` it is the
        // variant that also writes, so nothing is left unclassified.
        let r = judge(
            &origin_site(as_doc(Some(j!(["files:read", "reports", "reports:read"])))),
            "scope-classification",
        );
        assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.codes);
        assert!(!has(&r, "scope-classification-unclassified"));
        let data = r.data.expect("data");
        let scopes = data["scopes"].as_array().expect("scopes");
        let reports = scopes
            .iter()
            .find(|s| s["scope"] == "reports")
            .expect("reports classified");
        assert_eq!(reports["class"], "write");
        assert!(
            reports["reason"]
                .as_str()
                .is_some_and(|r| r.contains("`reports:read`")),
            "{reports}"
        );
    }

    #[test]
    fn an_assumed_class_is_shown_but_judged_as_unclassified() {
        // An OpenID provider with two vague API scopes among its claims:
        // the report shows the assumed class, the verdicts are those of
        // two unclassified scopes (they cannot hide among the claims).
        let scopes = j!(["openid", "profile", "email", "phone", "payments", "transfers"]);
        let ev = origin_site(as_doc(Some(scopes)));
        let r = judge(&ev, "scope-classification");
        assert_eq!(r.outcome, Outcome::Fail, "{:?}", r.codes);
        assert!(has(&r, "scope-classification-mostly-unclassified"));
        let data = r.data.expect("data.scopes");
        let payments = data["scopes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["scope"] == "payments")
            .unwrap()
            .clone();
        assert_eq!(payments["assumed"], true);
        assert_eq!(payments["class"], "identity");
        // Nothing says an assumed claim changes data.
        assert!(r.summary.contains("2 unknown (2 assumed identity)"), "{}", r.summary);
        assert!(!r.summary.contains("assumed write"), "{}", r.summary);
        assert!(
            r.messages.iter().all(|m| !m.contains("change data")),
            "{:?}",
            r.messages
        );
        let r = judge(&ev, "scopes-published");
        assert!(!has(&r, "scopes-published-identity-scopes-only"), "{:?}", r.codes);
        let r = judge(&ev, "least-privilege");
        assert!(has(&r, "least-privilege-unclassified"), "{:?}", r.codes);
        // Beside an API scope that states its action, the assumption is write.
        let ev = origin_site(as_doc(Some(j!(["files:read", "reports"]))));
        let r = judge(&ev, "scope-classification");
        assert_eq!(r.outcome, Outcome::Fail, "{:?}", r.codes);
        let data = r.data.expect("data.scopes");
        assert_eq!(data["scopes"][1]["class"], "write");
        assert_eq!(data["scopes"][1]["assumed"], true);
        assert!(r.summary.contains("1 unknown (1 assumed write)"), "{}", r.summary);
        assert!(
            r.messages
                .iter()
                .any(|m| m.contains("has to assume `reports` can change data")),
            "{:?}",
            r.messages
        );
        assert!(data["scopes"][0].get("assumed").is_none());
        // `openid` and `offline_access` are no claims: beside two claims,
        // vague payment scopes are assumed to change data, and said to.
        let scopes = j!(["openid", "profile", "email", "offline_access", "payments", "transfers"]);
        let r = judge(&origin_site(as_doc(Some(scopes))), "scope-classification");
        assert!(r.summary.contains("2 unknown (2 assumed write)"), "{}", r.summary);
        assert!(
            r.messages.iter().any(|m| m.contains("can change data") && m.contains("`payments`")),
            "{:?}",
            r.messages
        );
        // A records noun is only assumed to be read: unclassified here.
        let ev = origin_site(as_doc(Some(j!(["files:read", "stats"]))));
        let r = judge(&ev, "scope-classification");
        assert!(r.summary.contains("1 unknown (1 assumed read)"), "{}", r.summary);
        // One of two API scopes unclassified: half, so the check fails.
        assert_eq!(r.outcome, Outcome::Fail, "{:?}", r.codes);
        assert!(has(&r, "scope-classification-mostly-unclassified"), "{:?}", r.codes);
    }

    #[test]
    fn classification_warns_on_a_few_unknowns_and_fails_on_many() {
        let r = judge(
            &origin_site(as_doc(Some(j!(["files:read", "files:write", "reports"])))),
            "scope-classification",
        );
        assert_eq!(r.outcome, Outcome::Warn);
        assert!(has(&r, "scope-classification-unclassified"));
        // Half or more fails.
        let r = judge(
            &origin_site(as_doc(Some(j!(["files:read", "basic"])))),
            "scope-classification",
        );
        assert_eq!(r.outcome, Outcome::Fail);
        assert!(has(&r, "scope-classification-mostly-unclassified"));
        // Identity scopes do not dilute the share: a lone `mcp` fails.
        let r = judge(
            &origin_site(as_doc(Some(j!(["openid", "profile", "email", "mcp"])))),
            "scope-classification",
        );
        assert_eq!(r.outcome, Outcome::Fail, "{:?}", r.codes);
        // Only identity scopes: nothing unclassified.
        let r = judge(
            &origin_site(as_doc(Some(j!(["openid", "email"])))),
            "scope-classification",
        );
        assert_eq!(r.outcome, Outcome::Pass);
    }

    #[test]
    fn classification_skips_without_scopes() {
        let r = judge(&origin_site(as_doc(None)), "scope-classification");
        assert_eq!(r.outcome, Outcome::Skip);
        assert!(r.summary.contains("no scopes"), "{}", r.summary);
    }

    #[test]
    fn a_risk_document_and_descriptions_are_used_and_reported() {
        let mut prm = prm_doc(Some(j!(["widgets:read", "widgets:archive", "reports"])));
        prm["scope_details"] = j!({
            "widgets:archive": {"risk": "high", "description": "Archive and purge widgets", "requires": ["widgets:read"]},
        });
        prm["scope_descriptions"] = j!({ "reports": "Read usage reports" });
        let ev = evidence(
            site(
                vec![
                    json(PRM, &prm),
                    challenge(
                        "/api",
                        401,
                        &format!(
                            "Bearer resource_metadata=\"{ORIGIN}{PRM}\", scope=\"widgets:read\""
                        ),
                        false,
                    ),
                ],
                None,
            ),
            API,
        );
        let r = judge(&ev, "scope-classification");
        assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.codes);
        assert!(!has(&r, "scope-classification-name-only"));
        let data = r.data.unwrap();
        let by: BTreeMap<&str, (&str, &str)> = data["scopes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["scope"].as_str().unwrap(),
                    (s["class"].as_str().unwrap(), s["source"].as_str().unwrap()),
                )
            })
            .collect();
        assert_eq!(by["widgets:archive"], ("destructive", "risk-document"));
        assert_eq!(by["reports"], ("read", "description"));
        assert_eq!(by["widgets:read"], ("read", "name"));
        assert!(r.summary.contains("risk-document"), "{}", r.summary);
    }

    #[test]
    fn an_invalid_risk_document_warns_and_a_disagreement_is_information() {
        let mut d = as_doc(Some(j!(["widgets:read", "widgets:write"])));
        d["scope_details"] =
            j!({ "widgets:write": {"risk": "extreme"}, "widgets:read": {"class": "destructive"} });
        let r = judge(&origin_site(d), "scope-classification");
        assert_eq!(r.outcome, Outcome::Warn);
        assert!(has(&r, "scope-classification-risk-document-invalid"));
        assert!(has(&r, "scope-classification-ambiguous"));
        let mut d = as_doc(Some(j!(["widgets:read"])));
        d["scope_details"] = j!(["not", "an", "object"]);
        let r = judge(&origin_site(d), "scope-classification");
        assert!(has(&r, "scope-classification-risk-document-invalid"));
    }
}
