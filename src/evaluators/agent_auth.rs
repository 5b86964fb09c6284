//! Agent registration (WorkOS auth.md): the `/auth.md` skill document, the
//! `agent_auth` block of the authorization-server metadata in both field
//! generations (v0.1 `register_uri`…, v0.2+ `identity_endpoint`…), the
//! registration endpoint's answer to an empty request, and ID-JAG.
//! See spec/standards.md §9–10.

use super::headless::{JWT_BEARER, effective_docs};
use super::metadata::{DocState, transport_ok};
use crate::evidence::Evidence;
use crate::evidence::views::agent_auth::{MdVerdict, auth_md_docs};
use crate::model::exchange::Mode;
use crate::model::outcome::{Evaluation, finding};
use crate::model::probe::ProbeMeta;
use crate::model::target::origin_of;
use serde_json::{Map, Value, json};

/// The checks of this family.
pub const IDS: [&str; 4] = [
    "auth-md",
    "agent-auth-metadata",
    "agent-registration-endpoint",
    "identity-assertion",
];

/// The ID-JAG token type (an `agent_auth` assertion type).
pub const ID_JAG_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:id-jag";
/// The ID-JAG grant profile (an AS grant profile).
pub const ID_JAG_PROFILE: &str = "urn:ietf:params:oauth:grant-profile:id-jag";

/// `identity_types_supported` values auth.md defines.
const IDENTITY_TYPES: [&str; 4] = [
    "anonymous",
    "identity_assertion",
    "service_auth",
    "verified_email",
];
/// Endpoint names of the v0.1 field set.
const V01: [&str; 2] = ["register_uri", "claim_uri"];
/// Endpoint names of the v0.2+ field set.
const V02: [&str; 3] = ["identity_endpoint", "claim_endpoint", "events_endpoint"];
/// Members that belong inside `agent_auth`.
const BLOCK_MEMBERS: [&str; 8] = [
    "skill",
    "register_uri",
    "claim_uri",
    "identity_endpoint",
    "claim_endpoint",
    "events_endpoint",
    "identity_types_supported",
    "events_supported",
];

// ---------------------------------------------------------------------------
// auth-md

/// `auth-md`: the auth.md skill document (spec/standards.md §10.5 K1, K2).
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
                        "auth-md-skill-unreachable",
                        format!("agent_auth.skill in {meta} names {} → {why}", d.url),
                        p,
                    ));
                }
            }
            MdVerdict::Html => {
                absent_everywhere = false;
                findings.push(finding(
                    "auth-md-html",
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
                    "auth-md-heading-missing",
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
                        "auth-md-content-type",
                        format!(
                            "{} is served as {ct}, not text/markdown or text/plain",
                            d.url
                        ),
                        p,
                    ));
                }
                if !pointers {
                    findings.push(finding(
                        "auth-md-pointers-missing",
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
        findings.retain(|f| f.code != "auth-md-html" || docs.len() == 1);
    }
    let summary = match valid_at {
        Some(u) => format!("auth.md found at {u}"),
        None => "No usable auth.md document".to_string(),
    };
    Evaluation::evaluated(summary, findings, probes).with_unverified(unverified)
}

// ---------------------------------------------------------------------------
// agent-auth-metadata

/// The `agent_auth` blocks of the effective metadata documents.
fn blocks(ev: &Evidence) -> std::sync::Arc<crate::evidence::views::metadata::EffectiveDocs> {
    effective_docs(ev)
}

fn version_of(block: &Map<String, Value>) -> Option<&'static str> {
    if V02.iter().any(|k| block.contains_key(*k)) {
        Some("v0.2+")
    } else if V01.iter().any(|k| block.contains_key(*k)) || block.contains_key("revocation_uri") {
        Some("v0.1")
    } else {
        None
    }
}

fn strings(v: Option<&Value>) -> Option<Vec<&str>> {
    let a = v?.as_array()?;
    let s: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
    (s.len() == a.len()).then_some(s)
}

/// `agent-auth-metadata`: the `agent_auth` block (spec/standards.md §10.3,
/// §10.5 K3–K9, K11).
pub fn agent_auth_metadata(ev: &Evidence) -> Evaluation {
    let docs = blocks(ev);
    if docs.is_empty() {
        return Evaluation::skip(
            "no authorization-server metadata was found (see as-metadata-discovery)",
        );
    }
    let mut findings = Vec::new();
    let mut probes = Vec::new();
    let mut version: Option<&'static str> = None;
    let mut judged = false;
    for (probe, url, doc) in docs.iter() {
        let p = Some(probe.as_str());
        let outside: Vec<&str> = BLOCK_MEMBERS
            .iter()
            .copied()
            .filter(|k| doc.get(*k).is_some())
            .collect();
        if !outside.is_empty() {
            judged = true;
            probes.push(probe.clone());
            findings.push(finding(
                "agent-auth-metadata-fields-outside-block",
                format!(
                    "{url} puts {} at the top level instead of inside agent_auth",
                    outside.join(", ")
                ),
                p,
            ));
        }
        let Some(raw) = doc.get("agent_auth") else {
            continue;
        };
        judged = true;
        probes.push(probe.clone());
        let Some(block) = raw.as_object() else {
            findings.push(finding(
                "agent-auth-metadata-not-object",
                format!("{url}: agent_auth is {raw}, not a JSON object"),
                p,
            ));
            continue;
        };
        let v = version_of(block);
        version = version.or(v);
        let doc_origin = url::Url::parse(url).ok().map(|u| origin_of(&u));
        // skill
        match block.get("skill").and_then(Value::as_str) {
            None => findings.push(finding(
                "agent-auth-metadata-skill-missing",
                format!("{url}: agent_auth has no skill pointing at the auth.md document"),
                p,
            )),
            Some(s) if url::Url::parse(s).is_err() => findings.push(finding(
                "agent-auth-metadata-skill-invalid",
                format!("{url}: agent_auth.skill `{s}` is not an absolute URL"),
                p,
            )),
            Some(_) => {}
        }
        // registration endpoint
        let identity = block.get("identity_endpoint").and_then(Value::as_str);
        let register = block.get("register_uri").and_then(Value::as_str);
        match identity.or(register) {
            None => findings.push(finding(
                "agent-auth-metadata-registration-endpoint-missing",
                format!("{url}: agent_auth has neither identity_endpoint nor register_uri"),
                p,
            )),
            Some(e) => {
                if !url::Url::parse(e).is_ok_and(|u| transport_ok(&u)) {
                    findings.push(finding(
                        "agent-auth-metadata-registration-endpoint-invalid",
                        format!(
                            "{url}: the registration endpoint `{e}` is not an absolute https URL"
                        ),
                        p,
                    ));
                }
            }
        }
        if let (Some(i), Some(r)) = (identity, register)
            && i != r
        {
            findings.push(finding(
                "agent-auth-metadata-mixed-versions",
                format!(
                    "{url}: identity_endpoint ({i}) and register_uri ({r}) name different places"
                ),
                p,
            ));
        }
        if v == Some("v0.1") {
            findings.push(finding(
                "agent-auth-metadata-legacy-version",
                format!("{url}: only v0.1 names (register_uri, claim_uri); current clients look for identity_endpoint"),
                p,
            ));
        }
        // endpoints on another origin
        for k in V01
            .iter()
            .chain(V02.iter())
            .chain(["revocation_uri"].iter())
        {
            if let Some(e) = block.get(*k).and_then(Value::as_str)
                && let Ok(u) = url::Url::parse(e)
                && doc_origin.as_deref() != Some(origin_of(&u).as_str())
            {
                findings.push(finding(
                    "agent-auth-metadata-cross-origin-endpoint",
                    format!(
                        "{url}: agent_auth.{k} is on another origin ({e}); reported, not fetched"
                    ),
                    p,
                ));
            }
        }
        // identity types
        let types = strings(block.get("identity_types_supported"));
        match &types {
            None => findings.push(finding(
                "agent-auth-metadata-identity-types-invalid",
                format!("{url}: identity_types_supported is missing or not an array of strings"),
                p,
            )),
            Some(t) if t.is_empty() || t == &["none"] => findings.push(finding(
                "agent-auth-metadata-identity-types-empty",
                format!("{url}: identity_types_supported offers no registration type"),
                p,
            )),
            Some(t) => {
                let unknown: Vec<&&str> =
                    t.iter().filter(|x| !IDENTITY_TYPES.contains(x)).collect();
                if !unknown.is_empty() {
                    findings.push(finding(
                        "agent-auth-metadata-identity-types-invalid",
                        format!(
                            "{url}: identity_types_supported has unknown value(s) {}",
                            unknown
                                .iter()
                                .map(|s| format!("\"{s}\""))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        p,
                    ));
                }
            }
        }
        let types = types.unwrap_or_default();
        if types.contains(&"identity_assertion") {
            let assertion_types = strings(
                block
                    .get("identity_assertion")
                    .and_then(|o| o.get("assertion_types_supported")),
            );
            if !assertion_types
                .unwrap_or_default()
                .contains(&ID_JAG_TOKEN_TYPE)
            {
                findings.push(finding(
                    "agent-auth-metadata-assertion-types-missing-id-jag",
                    format!("{url}: identity_assertion is offered without {ID_JAG_TOKEN_TYPE} in its assertion_types_supported"),
                    p,
                ));
            }
        }
        if (types.contains(&"anonymous") || types.contains(&"service_auth"))
            && block.get("claim_endpoint").is_none()
            && block.get("claim_uri").is_none()
        {
            findings.push(finding(
                "agent-auth-metadata-claim-endpoint-missing",
                format!("{url}: anonymous / service_auth registration is offered without claim_endpoint or claim_uri"),
                p,
            ));
        }
        if v == Some("v0.2+") {
            let grants = strings(doc.get("grant_types_supported")).unwrap_or_default();
            if doc.get("token_endpoint").is_none() || !grants.contains(&JWT_BEARER) {
                findings.push(finding(
                    "agent-auth-metadata-jwt-bearer-missing",
                    format!("{url}: a v0.2+ block needs token_endpoint and the {JWT_BEARER} grant to redeem the identity assertion"),
                    p,
                ));
            }
        }
        let empty: Vec<&String> = block
            .iter()
            .filter(|(_, v)| v.as_array().is_some_and(Vec::is_empty))
            .map(|(k, _)| k)
            .collect();
        let empty: Vec<&String> = empty
            .into_iter()
            .filter(|k| k.as_str() != "identity_types_supported")
            .collect();
        if !empty.is_empty() {
            findings.push(finding(
                "agent-auth-metadata-empty-array",
                format!(
                    "{url}: agent_auth has empty arrays ({}); omit members with no values",
                    empty
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                p,
            ));
        }
    }
    if !judged {
        return Evaluation::skip(
            "the authorization-server metadata has no agent_auth block: auth.md agent registration is not offered",
        );
    }
    let summary = match version {
        Some(v) => format!("agent_auth block found ({v} field set)"),
        None => "agent_auth is published, but in a form clients cannot use".to_string(),
    };
    let e = Evaluation::evaluated(summary, findings, probes);
    match version {
        Some(v) => e.with_data(json!({ "version": v })),
        None => e,
    }
}

// ---------------------------------------------------------------------------
// agent-registration-endpoint

/// `agent-registration-endpoint`: an empty JSON object to the registration
/// endpoint is answered with a JSON error (spec/standards.md §10.5 K10).
pub fn agent_registration_endpoint(ev: &Evidence) -> Evaluation {
    let docs = blocks(ev);
    let advertised: Vec<(String, String, String)> = docs
        .iter()
        .filter_map(|(p, u, d)| {
            let b = d.get("agent_auth")?.as_object()?;
            let e = b
                .get("identity_endpoint")
                .or_else(|| b.get("register_uri"))?
                .as_str()?;
            Some((p.clone(), u.clone(), e.to_string()))
        })
        .collect();
    if advertised.is_empty() {
        return Evaluation::skip("no agent_auth registration endpoint is advertised");
    }
    if ev.mode() == Mode::Passive {
        return Evaluation::evaluated(
            "The registration endpoint was not probed",
            Vec::new(),
            Vec::new(),
        )
        .with_unverified(vec![crate::model::outcome::Unverified::passive(&format!(
            "POST {{}} to {}",
            advertised[0].2
        ))]);
    }
    let mut findings = Vec::new();
    let mut probes = Vec::new();
    let lives: Vec<(&str, &str, usize)> = ev
        .probes_where(|m| matches!(m, ProbeMeta::AgentRegistration { .. }))
        .filter_map(|(id, r)| match &r.meta {
            ProbeMeta::AgentRegistration { url, .. } => Some((id, url.as_str(), r.exchange)),
            _ => None,
        })
        .collect();
    for (p, u, e) in &advertised {
        if !lives.iter().any(|(_, url, _)| url == e) {
            findings.push(finding(
                "agent-registration-endpoint-cross-origin-skipped",
                format!("{e} (named by {u}) is not on the authorization server's origin or not a URL: not probed"),
                Some(p),
            ));
        }
    }
    if lives.is_empty() {
        return Evaluation::skip(format!(
            "the registration endpoint ({}) is not on the authorization server's origin: reported, not probed",
            advertised
                .iter()
                .map(|(_, _, e)| e.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let mut answered = 0usize;
    let mut unverified = Vec::new();
    for (probe, url, idx) in &lives {
        probes.push(probe.to_string());
        let Some(x) = ev.exchange(*idx) else {
            continue;
        };
        let p = Some(*probe);
        // Not sent or not answered: not verified, never "not found".
        if let Some(u) =
            crate::model::outcome::Unverified::of_exchange(x, &format!("POST {{}} to {url}"))
        {
            unverified.push(u);
            continue;
        }
        let Some(r) = &x.response else {
            findings.push(finding(
                "agent-registration-endpoint-not-found",
                format!(
                    "POST {url} {{}} → {}",
                    crate::evidence::views::state_of(ev, *idx, x).describe()
                ),
                p,
            ));
            continue;
        };
        answered += 1;
        let error = ev
            .json_at(*idx)
            .and_then(|j| j.get("error").and_then(Value::as_str).map(str::to_string));
        let code = match r.status {
            _ if r.looks_like_html() => Some("agent-registration-endpoint-html"),
            404 => Some("agent-registration-endpoint-not-found"),
            405 => Some("agent-registration-endpoint-method-not-allowed"),
            s if s >= 500 => Some("agent-registration-endpoint-server-error"),
            s if (200..300).contains(&s) => Some("agent-registration-endpoint-empty-accepted"),
            s if (400..500).contains(&s) && error.is_none() => {
                Some("agent-registration-endpoint-error-malformed")
            }
            _ => None,
        };
        if let Some(code) = code {
            let ct = r.media_type().unwrap_or_else(|| "no Content-Type".into());
            findings.push(finding(
                code,
                format!("POST {url} with {{}} → {} ({ct})", r.status),
                p,
            ));
        }
    }
    let summary = if answered == 0 {
        "The registration endpoint was not reached".to_string()
    } else if findings.iter().any(|f| !f.code.ends_with("-skipped")) {
        "The registration endpoint does not answer like one".to_string()
    } else {
        "The registration endpoint rejects an empty request with a JSON error".to_string()
    };
    Evaluation::evaluated(summary, findings, probes).with_unverified(unverified)
}

// ---------------------------------------------------------------------------
// identity-assertion

fn jag_like(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    (l.contains("id-jag") || l.contains("id_jag") || l.contains("idjag"))
        && s != ID_JAG_TOKEN_TYPE
        && s != ID_JAG_PROFILE
}

/// `identity-assertion`: ID-JAG accepted as an `agent_auth` assertion type
/// or as the AS grant profile (spec/standards.md §9.2, §10.5 K7).
pub fn identity_assertion(ev: &Evidence) -> Evaluation {
    let docs = effective_docs(ev);
    if docs.is_empty() {
        return Evaluation::skip(
            "no authorization-server metadata was found (see as-metadata-discovery)",
        );
    }
    let mut findings = Vec::new();
    let mut ways = Vec::new();
    let probes: Vec<String> = docs.iter().map(|(p, _, _)| p.clone()).collect();
    for (p, u, d) in docs.iter() {
        let p = Some(p.as_str());
        let profiles = strings(d.get("authorization_grant_profiles_supported")).unwrap_or_default();
        let block = d.get("agent_auth").and_then(Value::as_object);
        let assertion_types = block
            .and_then(|b| b.get("identity_assertion"))
            .and_then(|o| strings(o.get("assertion_types_supported")))
            .unwrap_or_default();
        if profiles.contains(&ID_JAG_PROFILE) {
            ways.push(format!("grant profile ({u})"));
        }
        if assertion_types.contains(&ID_JAG_TOKEN_TYPE) {
            ways.push(format!("agent_auth identity_assertion ({u})"));
        }
        for s in profiles
            .iter()
            .chain(assertion_types.iter())
            .filter(|s| jag_like(s))
        {
            findings.push(finding(
                "identity-assertion-urn-misspelled",
                format!("{u}: `{s}` looks like an ID-JAG URN but is not one of {ID_JAG_PROFILE} (grant profile) / {ID_JAG_TOKEN_TYPE} (assertion type)"),
                p,
            ));
        }
        if assertion_types.contains(&"verified_email") {
            findings.push(finding(
                "identity-assertion-legacy-verified-email",
                format!("{u}: agent_auth still lists the verified_email assertion type (removed in auth.md v0.6)"),
                p,
            ));
        }
        let accepts =
            profiles.contains(&ID_JAG_PROFILE) || assertion_types.contains(&ID_JAG_TOKEN_TYPE);
        if accepts
            && strings(d.get("token_endpoint_auth_methods_supported"))
                .is_some_and(|m| !m.is_empty() && m.iter().all(|x| *x == "none"))
        {
            findings.push(finding(
                "identity-assertion-public-client-only",
                format!("{u}: ID-JAG is advertised but the token endpoint only accepts public clients (auth method none)"),
                p,
            ));
        }
        if let Some(types) = strings(d.get("identity_chaining_requested_token_types_supported"))
            && !types.contains(&ID_JAG_TOKEN_TYPE)
        {
            findings.push(finding(
                "identity-assertion-chaining-type-missing",
                format!("{u}: identity_chaining_requested_token_types_supported lacks {ID_JAG_TOKEN_TYPE}"),
                p,
            ));
        }
    }
    if ways.is_empty() && findings.is_empty() {
        return Evaluation::skip(
            "ID-JAG is not accepted (no grant profile, no agent_auth assertion type)",
        );
    }
    if ways.is_empty() {
        return Evaluation::evaluated("ID-JAG is not accepted as advertised", findings, probes);
    }
    Evaluation::evaluated(
        format!("ID-JAG accepted: {}", ways.join(", ")),
        findings,
        probes,
    )
}

// ---------------------------------------------------------------------------
// The skill link, for discovery-consistency

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
                "discovery-consistency-skill-mismatch",
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

#[cfg(test)]
mod tests;
