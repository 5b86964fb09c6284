//! `scopes-published`: Scopes are published in authorization-server or protected-resource metadata.
//!
//! RFC 8414 §2, RFC 9728 §2, RFC 6749 §3.3, OpenID
//! Connect Discovery §3, MCP 2025-11-25 scope selection.

use super::list;
use crate::checks::Builtin;
use crate::checks::codes::scopes_published as code;
use crate::classify::scopes::ScopeClass;
use crate::evidence::Evidence;
use crate::evidence::views::scopes::{DocKind, Origin, ScopeList, analysis};
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
    eval: scopes_published,
};

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
                code::MALFORMED,
                format!("{}: scopes_supported is not an array of strings", d.url),
                p,
            )),
            ScopeList::Values { valid, invalid } => {
                if valid.is_empty() && invalid.is_empty() {
                    findings.push(finding(
                        code::EMPTY,
                        format!(
                            "{}: scopes_supported is an empty array (RFC 8414 §3.2: omit members with zero elements)",
                            d.url
                        ),
                        p,
                    ));
                }
                if !invalid.is_empty() {
                    findings.push(finding(
                        code::MALFORMED,
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
                        code::OPENID_MISSING,
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
            code::MISSING,
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
                        code::PRM_AS_DIVERGENT,
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
            code::IDENTITY_SCOPES_ONLY,
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
            "{} published{}: {}",
            crate::model::texts::count(view.published.len(), "scope", "scopes"),
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

#[cfg(test)]
mod tests {
    use super::*;

    use crate::checks::testkit::scopes::*;
    use crate::evidence::views::scopes::{MAX_SCOPES, scope_view};

    use crate::model::outcome::Outcome;
    use crate::testing::{ORIGIN, evidence, json, site};
    use serde_json::json as j;
    #[test]
    fn published_skips_without_metadata_and_passes_with_a_list() {
        let ev = evidence(site(vec![], None), ORIGIN);
        assert_eq!(judge(&ev, "scopes-published").outcome, Outcome::Skip);
        let ev = origin_site(as_doc(Some(j!(["files:read", "files:write"]))));
        let r = judge(&ev, "scopes-published");
        assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.codes);
        assert!(r.summary.contains("2 scopes published"), "{}", r.summary);
        let data = r.data.unwrap();
        assert_eq!(data["published"][0]["scope"], "files:read");
        assert_eq!(data["published"][0]["sources"][0]["from"], "as-metadata");
    }

    #[test]
    fn published_warns_when_missing_or_empty_and_fails_when_malformed() {
        let r = judge(&origin_site(as_doc(None)), "scopes-published");
        assert_eq!(r.outcome, Outcome::Warn);
        assert!(has(&r, "scopes-published-missing"));
        let r = judge(&origin_site(as_doc(Some(j!([])))), "scopes-published");
        assert_eq!(r.outcome, Outcome::Warn);
        assert!(has(&r, "scopes-published-empty"));
        assert!(has(&r, "scopes-published-missing"));
        for bad in [
            j!(["files read", "ok:read"]),
            j!(["a\"b"]),
            j!([3]),
            j!("files:read"),
        ] {
            let r = judge(&origin_site(as_doc(Some(bad.clone()))), "scopes-published");
            assert_eq!(r.outcome, Outcome::Fail, "{bad}");
            assert!(has(&r, "scopes-published-malformed"), "{bad}");
        }
    }

    #[test]
    fn published_asks_oidc_documents_for_openid() {
        let mut d = as_doc(Some(j!(["api"])));
        d["jwks_uri"] = j!(format!("{ORIGIN}/jwks"));
        let ev = evidence(site(vec![json(OIDC, &d)], None), ORIGIN);
        let r = judge(&ev, "scopes-published");
        assert_eq!(r.outcome, Outcome::Warn);
        assert!(has(&r, "scopes-published-openid-missing"));
        // The same list at the RFC 8414 URL needs no openid.
        let r = judge(&origin_site(as_doc(Some(j!(["api"])))), "scopes-published");
        assert!(!has(&r, "scopes-published-openid-missing"));
    }

    #[test]
    fn published_informs_about_identity_only_lists_and_prm_extras() {
        let r = judge(
            &origin_site(as_doc(Some(j!(["openid", "profile", "email"])))),
            "scopes-published",
        );
        assert_eq!(r.outcome, Outcome::Pass);
        assert!(has(&r, "scopes-published-identity-scopes-only"));
        let ev = evidence(
            site(
                vec![
                    json(AS, &as_doc(Some(j!(["files:read"])))),
                    json(PRM, &prm_doc(Some(j!(["files:read", "files:write"])))),
                    challenge(
                        "/api",
                        401,
                        &format!("Bearer resource_metadata=\"{ORIGIN}{PRM}\""),
                        false,
                    ),
                ],
                None,
            ),
            API,
        );
        let r = judge(&ev, "scopes-published");
        assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.codes);
        assert!(has(&r, "scopes-published-prm-as-divergent"));
    }

    #[test]
    fn a_challenge_scope_is_published_but_does_not_replace_a_list() {
        let rm = format!("resource_metadata=\"{ORIGIN}{PRM}\"");
        let ev = evidence(
            site(
                vec![
                    challenge(
                        "/api",
                        401,
                        &format!("Bearer {rm}, scope=\"files:read\""),
                        false,
                    ),
                    json(PRM, &prm_doc(None)),
                    json(AS, &as_doc(None)),
                ],
                None,
            ),
            API,
        );
        let r = judge(&ev, "scopes-published");
        assert_eq!(r.outcome, Outcome::Warn);
        assert!(has(&r, "scopes-published-missing"));
        let data = r.data.unwrap();
        assert_eq!(data["published"][0]["scope"], "files:read");
        assert_eq!(data["published"][0]["sources"][0]["from"], "challenge");
        // Classification still has something to classify.
        assert_eq!(judge(&ev, "scope-classification").outcome, Outcome::Pass);
    }

    #[test]
    fn the_view_caps_what_it_reads_and_never_panics_on_odd_documents() {
        let many: Vec<String> = (0..2000).map(|i| format!("s{i}:read")).collect();
        let ev = origin_site(as_doc(Some(j!(many))));
        let view = scope_view(&ev);
        assert_eq!(view.published.len(), MAX_SCOPES);
        let long = "x".repeat(5000);
        let view = scope_view(&origin_site(as_doc(Some(j!([long, "files:read"])))));
        assert_eq!(view.published.len(), 1);
        assert!(view.truncated);
        let r = judge(&ev, "scopes-published");
        assert!(r.summary.contains("more not read"), "{}", r.summary);
        for odd in [
            j!({"scopes_supported": [null, {}, [], "ok:read"], "agent_auth": "x", "scope_details": 3, "scope_descriptions": {"a": 1}}),
            j!({"scopes_supported": ["\u{0}", "é:read", ""], "agent_auth": {"pre_claim_scopes": 5, "scopes": []}}),
        ] {
            let mut d = as_doc(None);
            for (k, v) in odd.as_object().unwrap() {
                d[k] = v.clone();
            }
            let ev = origin_site(d);
            for id in FAMILY {
                let _ = judge(&ev, id);
            }
        }
    }

    #[test]
    fn the_shared_scope_analysis_gives_each_check_the_verdict_of_a_fresh_store() {
        // Scope-rich bundled sites: the checks reading `analysis` give the
        // same result on one shared store (the view memoised by the first) as
        // each on a fresh copy (computed anew).
        let readers = [
            "scopes-published",
            "scope-classification",
            "least-privilege",
            "progressive-scoping",
            "action-classification",
        ];
        for name in [
            "widgets-api",
            "agent-ready",
            "sloppy-scopes",
            "god-mode-scopes",
        ] {
            let s = crate::fixture::Site::bundled(name).unwrap();
            let target = format!("{ORIGIN}{}", s.target.as_deref().unwrap_or("/"));
            let shared = evidence(s, &target);
            assert!(
                !analysis(&shared.clone()).view.published.is_empty(),
                "{name} publishes scopes"
            );
            for id in readers {
                let fresh = crate::testing::judge(&shared.clone(), id);
                assert_eq!(crate::testing::judge(&shared, id), fresh, "{name} {id}");
            }
        }
    }
}
