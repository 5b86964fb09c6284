//! `discovery-consistency`: Challenge, resource metadata, authorization-server metadata and auth.md agree with each other.
//!
//! RFC 9728 §3.3 and §4, RFC 8414 §3.3, MCP
//! 2025-11-25: the documents an agent walks through agree.

use super::{challenge_resource_matches, trimmed_eq};
use crate::checks::Builtin;
use crate::checks::codes::discovery_consistency as code;
use crate::checks::common::hop_unverified;
use crate::evidence::Evidence;
use crate::evidence::views::DocState;
use crate::evidence::views::agent_auth::{MdVerdict, auth_md_docs};
use crate::evidence::views::api::api_view;
use crate::evidence::views::metadata::{as_view, issuer_matches};
use crate::evidence::views::prm::{PrmCandidate, prm_view};
use crate::model::outcome::{Evaluation, Unverified, finding};
use crate::model::probe::{Needs, PrmForm, ProbeMeta};
use serde_json::Value;

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::AS_METADATA.with(Needs::API),
    eval: discovery_consistency,
};

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

/// `agent_auth.skill` ↔ the `/auth.md` the resource serves: findings of
/// `discovery-consistency`, and whether there was a link to judge.
pub fn skill_consistency(ev: &Evidence) -> (bool, Vec<crate::model::outcome::Finding>) {
    let docs = auth_md_docs(ev);
    let Some(root) = docs.iter().find(|d| d.skill_of.is_none()) else {
        return (false, Vec::new());
    };
    let root_valid = matches!(root.verdict, MdVerdict::Valid { .. });
    let mut findings = Vec::new();
    let mut judged = false;
    for d in docs
        .iter()
        .filter(|d| d.skill_of.is_some() && !matches!(d.state, DocState::Restricted(_)))
    {
        judged = true;
        if d.url == root.url {
            continue;
        }
        let skill_valid = matches!(d.verdict, MdVerdict::Valid { .. });
        let differs = match (root.response(ev), d.response(ev)) {
            (Some(a), Some(b)) => a.body != b.body,
            _ => true,
        };
        if root_valid && (!skill_valid || differs) {
            findings.push(finding(
                code::SKILL_MISMATCH,
                format!(
                    "agent_auth.skill names {} but the resource serves its auth.md at {}{}",
                    d.url,
                    root.url,
                    if skill_valid {
                        " (a different document)"
                    } else {
                        " (the skill URL does not serve one)"
                    }
                ),
                Some(d.probe.as_str()),
            ));
        }
    }
    (judged, findings)
}

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
                code::PRIVATE_ADDRESS_REFUSED,
                &format!("GET of the challenge's resource_metadata {}", c.url),
            )
        {
            findings.extend(f);
            unverified.push(u);
            continue;
        }
        match c.doc() {
            None => findings.push(finding(
                code::RESOURCE_METADATA_UNREACHABLE,
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
                        code::CHALLENGE_RESOURCE_MISMATCH,
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
                    code::PRM_DIVERGENCE,
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
                            code::PRIVATE_ADDRESS_REFUSED,
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
                            code::AUTHORIZATION_SERVER_UNREACHABLE,
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
                            code::ISSUER_MISMATCH,
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
                            code::PROTECTED_RESOURCES_MISMATCH,
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
                code::CHALLENGE_SCOPE_UNLISTED,
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
    let (skill_judged, skill_findings) = skill_consistency(ev);
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

#[cfg(test)]
mod tests {

    use crate::checks::testkit::discovery::*;

    use crate::model::outcome::Outcome;
    use crate::testing::{ORIGIN, evidence, json, site};
    use serde_json::json as j;
    #[test]
    fn the_whole_mcp_path_passes() {
        let ev = mcp_site(vec![]);
        for id in FAMILY {
            let (o, codes) = judge(&ev, id);
            assert_eq!(o, Outcome::Pass, "{id}: {codes:?}");
        }
        // The challenge's PRM URL is the path-suffixed URL: one request.
        assert_eq!(
            ev.record("prm-challenge@api-unauthenticated")
                .unwrap()
                .exchange,
            ev.record("prm-path").unwrap().exchange
        );
        let steps = crate::checks::discovery::as_metadata_discovery::discovery_steps(&ev);
        let first = &steps[0];
        assert_eq!(first["step"], "challenge");
        assert!(
            first["result"]
                .as_str()
                .unwrap()
                .contains("resource_metadata=")
        );
    }

    // ---- discovery-consistency --------------------------------------------------------

    #[test]
    fn consistency_outcomes() {
        // The challenge points at a URL that does not answer.
        let www = format!(r#"Bearer resource_metadata="{ORIGIN}/nowhere", scope="files:read""#);
        let ev = evidence(
            site(
                vec![challenge("/mcp", 401, Some(&www)), json(AS, &as_doc())],
                None,
            ),
            &format!("{ORIGIN}/mcp"),
        );
        assert_eq!(
            judge(&ev, "discovery-consistency"),
            (
                Outcome::Fail,
                vec!["discovery-consistency-resource-metadata-unreachable".to_string()]
            )
        );
        // The listed issuer's metadata declares another issuer.
        let ev = mcp_site(vec![json(
            AS,
            &with(as_doc(), "issuer", j!("https://login.example.net")),
        )]);
        let (o, codes) = judge(&ev, "discovery-consistency");
        assert_eq!(o, Outcome::Fail);
        assert!(
            codes.contains(&"discovery-consistency-issuer-mismatch".to_string()),
            "{codes:?}"
        );
        // The listed issuer has no metadata at all.
        let doc = with(
            prm(&format!("{ORIGIN}/mcp")),
            "authorization_servers",
            j!([format!("{ORIGIN}/tenant")]),
        );
        let ev = mcp_site(vec![json(&format!("{PRM}/mcp"), &doc)]);
        assert!(
            codes_of(&ev, "discovery-consistency")
                .contains(&"discovery-consistency-authorization-server-unreachable".to_string())
        );
        // protected_resources that leave the resource out.
        let ev = mcp_site(vec![json(
            AS,
            &with(
                as_doc(),
                "protected_resources",
                j!(["https://other.example.com"]),
            ),
        )]);
        assert_eq!(
            judge(&ev, "discovery-consistency"),
            (
                Outcome::Warn,
                vec!["discovery-consistency-protected-resources-mismatch".to_string()]
            )
        );
        // A challenge scope no document lists is informative.
        let www = format!(r#"Bearer resource_metadata="{ORIGIN}{PRM}/mcp", scope="admin:all""#);
        let ev = mcp_site(vec![challenge("/mcp", 401, Some(&www))]);
        assert_eq!(
            judge(&ev, "discovery-consistency"),
            (
                Outcome::Pass,
                vec!["discovery-consistency-challenge-scope-unlisted".to_string()]
            )
        );
        // Nothing to cross-check on an AS-only site.
        let ev = evidence(site(vec![json(AS, &as_doc())], None), ORIGIN);
        assert_eq!(judge(&ev, "discovery-consistency").0, Outcome::Skip);
    }

    #[test]
    fn diverging_prm_documents_are_warned() {
        let www = format!(r#"Bearer resource_metadata="{ORIGIN}/meta/prm", scope="files:read""#);
        let resource = format!("{ORIGIN}/mcp");
        let ev = evidence(
            site(
                vec![
                    challenge("/mcp", 401, Some(&www)),
                    json(
                        "/meta/prm",
                        &with(
                            prm(&resource),
                            "scopes_supported",
                            j!(["files:read", "files:write"]),
                        ),
                    ),
                    json(&format!("{PRM}/mcp"), &prm(&resource)),
                    json(AS, &as_doc()),
                ],
                None,
            ),
            &resource,
        );
        assert_eq!(
            judge(&ev, "discovery-consistency"),
            (
                Outcome::Warn,
                vec!["discovery-consistency-prm-divergence".to_string()]
            )
        );
    }

    #[test]
    fn a_private_issuer_named_by_a_public_target_is_refused() {
        let doc = with(
            prm(ORIGIN),
            "authorization_servers",
            j!(["http://10.0.0.5"]),
        );
        let ev = evidence(
            site(vec![json(PRM, &doc), json(AS, &as_doc())], None),
            ORIGIN,
        );
        // Not fetched, so not verified: skip, with the remedy.
        assert_eq!(
            judge(&ev, "discovery-consistency"),
            (
                Outcome::Skip,
                vec!["discovery-consistency-private-address-refused".to_string()]
            )
        );
        let r = crate::testing::judge(&ev, "discovery-consistency");
        assert!(r.summary.contains("--allow-private"), "{}", r.summary);
    }
}
