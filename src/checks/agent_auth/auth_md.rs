//! `auth-md`: /auth.md is a Markdown document with the # auth.md heading and discovery pointers.
//!
//! the auth.md skill document (WorkOS auth.md, agent_auth).

use crate::checks::Builtin;
use crate::checks::codes::auth_md as code;
use crate::evidence::Evidence;
use crate::evidence::views::agent_auth::{MdVerdict, auth_md_docs};
use crate::model::outcome::{Evaluation, finding};
use crate::model::probe::Needs;

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::AS_METADATA.with(Needs::AGENT_AUTH),
    eval: auth_md,
};

/// `auth-md`: the auth.md skill document (WorkOS auth.md, agent_auth).
pub fn auth_md(ev: &Evidence) -> Evaluation {
    let docs = auth_md_docs(ev);
    if docs.is_empty() {
        return Evaluation::error("/auth.md was not probed", vec![]);
    }
    let probes: Vec<String> = docs.iter().map(|d| d.probe.to_string()).collect();
    let mut findings = Vec::new();
    let mut valid_at: Option<&str> = None;
    let mut absent_everywhere = true;
    let mut unverified = Vec::new();
    for d in docs.iter() {
        let p = Some(d.probe.as_str());
        // Not fetched or not answered: says nothing about the document.
        if let Some(u) = ev
            .record(&d.probe)
            .and_then(|r| ev.exchange(r.exchange))
            .and_then(|x| {
                crate::model::outcome::Unverified::of_exchange(x, &format!("GET {}", d.url))
            })
        {
            unverified.push(u);
            continue;
        }
        match d.verdict.clone() {
            MdVerdict::Absent(why) => {
                if let Some(meta) = &d.skill_of {
                    findings.push(finding(
                        code::SKILL_UNREACHABLE,
                        format!("agent_auth.skill in {meta} names {} → {why}", d.url),
                        p,
                    ));
                }
            }
            MdVerdict::Html => {
                absent_everywhere = false;
                findings.push(finding(
                    code::HTML,
                    format!(
                        "{} answered with an HTML page (a single-page-app shell), not Markdown",
                        d.url
                    ),
                    p,
                ));
            }
            MdVerdict::NoHeading(h) => {
                absent_everywhere = false;
                findings.push(finding(
                    code::HEADING_MISSING,
                    format!(
                        "{}: the first level-1 heading is {}, which does not name auth.md",
                        d.url,
                        h.map_or_else(|| "missing".to_string(), |h| format!("`{h}`"))
                    ),
                    p,
                ));
            }
            MdVerdict::Valid {
                content_type_ok,
                pointers,
            } => {
                absent_everywhere = false;
                valid_at.get_or_insert(d.url.as_str());
                if !content_type_ok {
                    let ct = d
                        .response(ev)
                        .and_then(|r| r.header("content-type"))
                        .unwrap_or("(none)");
                    findings.push(finding(
                        code::CONTENT_TYPE,
                        format!(
                            "{} is served as {ct}, not text/markdown or text/plain",
                            d.url
                        ),
                        p,
                    ));
                }
                if !pointers {
                    findings.push(finding(
                        code::POINTERS_MISSING,
                        format!("{} does not point at the discovery documents and a registration endpoint", d.url),
                        p,
                    ));
                }
            }
        }
    }
    if valid_at.is_some() {
        // A valid document decides; one more URL that was not fetched
        // does not change that.
        unverified.clear();
    }
    if absent_everywhere && findings.is_empty() {
        if !unverified.is_empty() {
            return Evaluation::evaluated("No auth.md document was fetched", findings, probes)
                .with_unverified(unverified);
        }
        return Evaluation::skip("no /auth.md is published");
    }
    if valid_at.is_some() {
        // A valid document found: broken duplicates are still reported,
        // but an HTML shell at /auth.md no longer hides it.
        findings.retain(|f| f.code != code::HTML || docs.len() == 1);
    }
    let summary = match valid_at {
        Some(u) => format!("auth.md found at {u}"),
        None => "No usable auth.md document".to_string(),
    };
    let fix = (!findings.is_empty()).then(|| crate::checks::site_fix::auth_md(ev));
    let e = Evaluation::evaluated(summary, findings, probes).with_unverified(unverified);
    match fix {
        Some(f) => e.with_site_fix(f),
        None => e,
    }
}

#[cfg(test)]
mod tests {

    use crate::checks::testkit::agent_auth::*;

    use crate::model::outcome::Outcome;

    use crate::testing::{ORIGIN, evidence, json, route, site};
    use serde_json::json as j;
    #[test]
    fn auth_md_outcomes() {
        assert_eq!(
            oc(&ev(vec![md(GOOD_MD)]), "auth-md"),
            (Outcome::Pass, vec![])
        );
        assert_eq!(oc(&ev(vec![]), "auth-md").0, Outcome::Skip, "not published");
        assert_eq!(
            oc(
                &ev(vec![route(
                    "/auth.md",
                    200,
                    "text/html",
                    "<!doctype html><div id=app></div>"
                )]),
                "auth-md"
            ),
            (Outcome::Fail, vec!["auth-md-html".to_string()])
        );
        let shell = route("", 200, "text/html", "<!doctype html><div id=app></div>");
        assert_eq!(
            oc(&evidence(site(vec![], Some(shell)), ORIGIN), "auth-md").0,
            Outcome::Fail,
            "SPA shell"
        );
        assert_eq!(
            oc(&ev(vec![md("# Agents\n\nhello\n")]), "auth-md"),
            (Outcome::Fail, vec!["auth-md-heading-missing".to_string()])
        );
        assert_eq!(
            oc(&ev(vec![md("# auth.md\n\nAsk a human.\n")]), "auth-md"),
            (Outcome::Warn, vec!["auth-md-pointers-missing".to_string()])
        );
        assert_eq!(
            oc(
                &ev(vec![route(
                    "/auth.md",
                    200,
                    "application/octet-stream",
                    GOOD_MD
                )]),
                "auth-md"
            ),
            (Outcome::Warn, vec!["auth-md-content-type".to_string()])
        );
    }

    #[test]
    fn a_skill_naming_another_url_is_followed() {
        let mut a = v02();
        a["skill"] = j!(format!("{ORIGIN}/docs/agents.md"));
        // /auth.md is absent, the skill document is valid: pass.
        let e = ev(vec![
            json(AS, &doc(Some(a.clone()))),
            route("/docs/agents.md", 200, "text/markdown", GOOD_MD),
        ]);
        assert_eq!(oc(&e, "auth-md"), (Outcome::Pass, vec![]));
        // The skill URL is dead.
        let e = ev(vec![json(AS, &doc(Some(a.clone()))), md(GOOD_MD)]);
        assert_eq!(
            oc(&e, "auth-md"),
            (Outcome::Fail, vec!["auth-md-skill-unreachable".to_string()])
        );
        assert!(
            oc(&e, "discovery-consistency")
                .1
                .contains(&"discovery-consistency-skill-mismatch".to_string())
        );
        // Two different auth.md documents.
        let e = ev(vec![
            json(AS, &doc(Some(a))),
            md(GOOD_MD),
            route(
                "/docs/agents.md",
                200,
                "text/markdown",
                &format!("{GOOD_MD}\nOther.\n"),
            ),
        ]);
        assert!(
            oc(&e, "discovery-consistency")
                .1
                .contains(&"discovery-consistency-skill-mismatch".to_string())
        );
    }
}
