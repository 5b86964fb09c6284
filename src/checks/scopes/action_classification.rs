//! `action-classification`: Every API operation is classified read, write or destructive, and its scopes match its risk.
//!
//! RFC 9110 §9.2.1, OpenAPI Security Requirement
//! Object, RFC 9700 §2.3.

use crate::checks::Builtin;
use crate::checks::codes::action_classification as code;
use crate::checks::common::more;
use crate::classify::operations::classify_operation;
use crate::classify::scopes;
use crate::classify::scopes::{Classification, Hints, ScopeClass};
use crate::evidence::Evidence;
use crate::evidence::views::descriptions::found;
use crate::model::api::{Description, Operation};
use crate::model::outcome::{Code, Evaluation, Finding, finding};
use crate::model::probe::Needs;
use crate::parse::description as apidesc;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::AS_METADATA
        .with(Needs::API)
        .with(Needs::API_RESOURCES)
        .with(Needs::API_DESCRIPTION),
    eval: action_classification,
};

/// Findings of one kind listed one by one, at most.
const MAX_LISTED: usize = 8;

/// Operations listed in `data.operations`, at most.
pub const MAX_DATA_OPERATIONS: usize = 2000;

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
        Err(e) => return Evaluation::error(e.to_string(), evidence),
    };
    // Scope classes, with every hint the target publishes (metadata risk
    // documents and descriptions, then the descriptions' OAuth flows).
    let analysis = crate::evidence::views::scopes::analysis(ev);
    let view = &analysis.view;
    // The published scopes were classified together, beside their
    // siblings; a scope only an operation names is classified alone.
    let mut class_cache: BTreeMap<String, Classification> = analysis
        .classified()
        .iter()
        .map(|c| (c.scope.clone(), c.clone()))
        .collect();
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
    // Operations a non-OAuth credential alone (an API key, HTTP auth)
    // secures, that change data: (rank, label, credential names).
    let mut key_only_changes: Vec<(u8, String)> = Vec::new();
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
                    if oauth.is_empty() && oc.class.changes_data() && !oc.credential {
                        let rank = u8::from(oc.class != ScopeClass::Destructive);
                        key_only_changes.push((
                            rank,
                            format!(
                                "{label} ({}) can be called by any holder of {}",
                                oc.class.as_str(),
                                other
                                    .iter()
                                    .map(|o| format!("`{o}`"))
                                    .collect::<Vec<_>>()
                                    .join(" or ")
                            ),
                        ));
                    }
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
    let mut push_list = |code: Code, items: Vec<String>, prefix: &str| {
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
        code::SCOPE_TOO_WEAK,
        too_weak.into_iter().map(|(_, m)| m).collect(),
        "",
    );
    let unsecured_n = unsecured.len();
    push_list(
        code::UNSECURED_WRITE,
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
            code::SINGLE_SCOPE,
            vec![format!(
                "every OAuth-protected operation ({oauth_ops}: reads and changes alike) needs the one scope `{s}`, so a token that can read can also change and delete"
            )],
            "",
        );
    } else {
        push_list(code::SCOPE_TOO_STRONG, too_strong, "");
    }
    // An unscoped credential as the only security cannot match scopes to
    // risk (RFC 9700 §2.3, least privilege): any key holder can call every
    // operation. The destructive ones are named first.
    if oauth_ops == 0 && !key_only_changes.is_empty() {
        key_only_changes.sort_by_key(|(r, _)| *r);
        push_list(
            code::UNSCOPED_CREDENTIAL,
            key_only_changes.into_iter().map(|(_, m)| m).collect(),
            "no scopes, so no fit to risk: ",
        );
    }
    push_list(code::UNSAFE_GET, unsafe_get, "");
    if !unspecified.is_empty() {
        push_list(
            code::SCOPES_UNSPECIFIED,
            unspecified,
            "an OAuth requirement with no scopes: ",
        );
    }
    push_list(code::UNCLASSIFIED, unclassified, "");
    push_list(
        code::SCOPE_UNKNOWN,
        scope_unknown,
        "scope class unknown, fit not judged: ",
    );
    push_list(
        code::UNPROTECTED_OPERATION,
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
        "{}: {}{}",
        crate::model::texts::count(total, "operation", "operations"),
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

#[cfg(test)]
mod tests {
    use super::*;

    use crate::checks::testkit::apis::*;
    use std::collections::BTreeMap;

    use crate::testing::codes;
    use serde_json::json;
    #[test]
    fn scopes_matching_risk_pass_with_data_operations() {
        let r = classify_doc(&good_api());
        assert_eq!(r.outcome.as_str(), "pass", "{:?}", r.findings);
        let o = ops(&r);
        assert!(o.contains(&(
            "DELETE".into(),
            "/widgets/{id}".into(),
            "destructive".into(),
            vec!["widgets:delete".into()]
        )));
        assert!(o.contains(&(
            "GET".into(),
            "/widgets".into(),
            "read".into(),
            vec!["widgets:read".into()]
        )));
        assert!(
            r.summary.contains("1 read, 1 write, 1 destructive"),
            "{}",
            r.summary
        );
    }

    #[test]
    fn a_delete_allowed_by_a_read_scope_fails() {
        let doc = openapi(&[
            ("GET", "/widgets", "listWidgets", Some(&["widgets:read"])),
            (
                "DELETE",
                "/widgets/{id}",
                "deleteWidget",
                Some(&["widgets:read"]),
            ),
            ("POST", "/widgets", "createWidget", Some(&["widgets:write"])),
        ]);
        let r = classify_doc(&doc);
        assert_eq!(r.outcome.as_str(), "fail");
        assert_eq!(codes(&r), vec!["action-classification-scope-too-weak"]);
        assert!(r.findings[0].message.contains("DELETE /widgets/{id}"));
        let data = r.data.unwrap();
        let del = data["operations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["method"] == "DELETE")
            .unwrap()
            .clone();
        assert_eq!(del["verdict"], "scope-too-weak");
    }

    /// An unscoped API key as the only security: a warn naming the
    /// destructive operations any key holder can call.
    #[test]
    fn an_unscoped_key_as_the_only_security_warns() {
        let mut doc = swagger_keys("header");
        doc["paths"]["/stories/{id}"] = json!({
            "delete": {"operationId": "deleteStory"},
            "put": {"operationId": "updateStory"}
        });
        let r = classify_doc(&doc);
        assert_eq!(r.outcome.as_str(), "warn", "{:?}", r.findings);
        assert_eq!(
            codes(&r),
            vec![
                "action-classification-unscoped-credential",
                "action-classification-unscoped-credential"
            ]
        );
        assert!(
            r.findings[0].message.contains("DELETE /stories/{id}"),
            "destructive first: {}",
            r.findings[0].message
        );
        // Reads only: nothing to match.
        assert_eq!(classify_doc(&swagger_keys("header")).outcome.as_str(), "pass");
    }

    #[test]
    fn unsecured_changes_fail_but_sign_in_is_exempt() {
        let doc = openapi(&[
            ("GET", "/widgets", "listWidgets", Some(&["widgets:read"])),
            ("POST", "/widgets", "createWidget", None),
            ("POST", "/oauth/token", "issueToken", None),
            ("GET", "/status", "getStatus", None),
        ]);
        let r = classify_doc(&doc);
        assert_eq!(r.outcome.as_str(), "fail");
        let c = codes(&r);
        assert_eq!(
            c,
            vec![
                "action-classification-unsecured-write",
                "action-classification-unprotected-operation"
            ]
        );
        assert!(r.findings[0].message.contains("POST /widgets"));
        assert!(
            !r.findings
                .iter()
                .any(|f| f.message.contains("/oauth/token"))
        );
    }

    #[test]
    fn one_scope_for_everything_warns() {
        let doc = openapi(&[
            ("GET", "/widgets", "listWidgets", Some(&["widgets:write"])),
            (
                "DELETE",
                "/widgets/{id}",
                "deleteWidget",
                Some(&["widgets:write"]),
            ),
        ]);
        let r = classify_doc(&doc);
        assert_eq!(r.outcome.as_str(), "warn");
        assert_eq!(codes(&r), vec!["action-classification-single-scope"]);
    }

    #[test]
    fn a_read_that_needs_a_write_scope_warns() {
        let doc = openapi(&[
            ("GET", "/widgets", "listWidgets", Some(&["widgets:write"])),
            ("GET", "/widgets/{id}", "getWidget", Some(&["widgets:read"])),
            ("POST", "/widgets", "createWidget", Some(&["widgets:write"])),
        ]);
        let r = classify_doc(&doc);
        assert_eq!(r.outcome.as_str(), "warn");
        assert_eq!(codes(&r), vec!["action-classification-scope-too-strong"]);
    }

    #[test]
    fn names_and_hints_refine_the_method() {
        let mut doc = openapi(&[
            (
                "GET",
                "/widgets/{id}/purge",
                "purgeWidget",
                Some(&["widgets:delete"]),
            ),
            (
                "POST",
                "/widgets/search",
                "searchWidgets",
                Some(&["widgets:read"]),
            ),
            (
                "POST",
                "/subscriptions/{id}/cancel",
                "cancelSubscription",
                Some(&["widgets:delete"]),
            ),
            (
                "POST",
                "/widgets/{id}/archive",
                "archiveWidget",
                Some(&["widgets:write"]),
            ),
        ]);
        doc["paths"]["/widgets/{id}/archive"]["post"]["x-mcp"] =
            json!({"annotations": {"destructiveHint": true}});
        let r = classify_doc(&doc);
        let by_path: BTreeMap<String, String> =
            ops(&r).into_iter().map(|(_, p, c, _)| (p, c)).collect();
        assert_eq!(by_path["/widgets/{id}/purge"], "destructive");
        assert_eq!(by_path["/widgets/search"], "read");
        assert_eq!(by_path["/subscriptions/{id}/cancel"], "destructive");
        assert_eq!(by_path["/widgets/{id}/archive"], "destructive");
        assert!(codes(&r).contains(&"action-classification-unsafe-get".to_string()));
        let sources: BTreeSet<String> = r.data.unwrap()["operations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["source"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(sources, ["hint", "name"].map(String::from).into());
    }

    #[test]
    fn empty_oauth_requirements_and_unknown_methods_are_reported() {
        let mut doc = openapi(&[("GET", "/a", "getA", Some(&[]))]);
        doc["paths"]["/b"] =
            json!({"additionalOperations": {"LINK": {"security": [{"oauth": ["widgets:write"]}]}}});
        let r = classify_doc(&doc);
        let c = codes(&r);
        assert!(
            c.contains(&"action-classification-scopes-unspecified".to_string()),
            "{c:?}"
        );
        assert!(
            c.contains(&"action-classification-unclassified".to_string()),
            "{c:?}"
        );
        assert_eq!(r.outcome.as_str(), "warn");
    }

    #[test]
    fn no_description_skips_and_no_operations_skips() {
        assert_eq!(
            run(vec![], "action-classification").outcome.as_str(),
            "skip"
        );
        let r = classify_doc(&json!({"openapi": "3.1.0", "paths": {}}));
        assert_eq!(r.outcome.as_str(), "skip");
        assert!(r.summary.contains("no operations"));
    }
}
