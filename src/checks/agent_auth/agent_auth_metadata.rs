//! `agent-auth-metadata`: The agent_auth block in authorization-server metadata is well formed.
//!
//! the `agent_auth` block (WorkOS agent_auth,
//! §10.5 K3–K9, K11).

use super::{ID_JAG_TOKEN_TYPE, all_strings, blocks};
use crate::checks::Builtin;
use crate::checks::codes::agent_auth_metadata as code;
use crate::checks::common::{JWT_BEARER, transport_ok};
use crate::evidence::Evidence;
use crate::model::outcome::{Evaluation, finding};
use crate::model::probe::Needs;
use crate::model::target::origin_of;
use serde_json::{Map, Value, json};

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::AS_METADATA,
    eval: agent_auth_metadata,
};

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

fn version_of(block: &Map<String, Value>) -> Option<&'static str> {
    if V02.iter().any(|k| block.contains_key(*k)) {
        Some("v0.2+")
    } else if V01.iter().any(|k| block.contains_key(*k)) || block.contains_key("revocation_uri") {
        Some("v0.1")
    } else {
        None
    }
}

/// `agent-auth-metadata`: the `agent_auth` block (WorkOS agent_auth,
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
                code::FIELDS_OUTSIDE_BLOCK,
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
                code::NOT_OBJECT,
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
                code::SKILL_MISSING,
                format!("{url}: agent_auth has no skill pointing at the auth.md document"),
                p,
            )),
            Some(s) if url::Url::parse(s).is_err() => findings.push(finding(
                code::SKILL_INVALID,
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
                code::REGISTRATION_ENDPOINT_MISSING,
                format!("{url}: agent_auth has neither identity_endpoint nor register_uri"),
                p,
            )),
            Some(e) => {
                if !url::Url::parse(e).is_ok_and(|u| transport_ok(&u)) {
                    findings.push(finding(
                        code::REGISTRATION_ENDPOINT_INVALID,
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
                code::MIXED_VERSIONS,
                format!(
                    "{url}: identity_endpoint ({i}) and register_uri ({r}) name different places"
                ),
                p,
            ));
        }
        if v == Some("v0.1") {
            findings.push(finding(
                code::LEGACY_VERSION,
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
                    code::CROSS_ORIGIN_ENDPOINT,
                    format!(
                        "{url}: agent_auth.{k} is on another origin ({e}); reported, not fetched"
                    ),
                    p,
                ));
            }
        }
        // identity types
        let types = all_strings(block.get("identity_types_supported"));
        match &types {
            None => findings.push(finding(
                code::IDENTITY_TYPES_INVALID,
                format!("{url}: identity_types_supported is missing or not an array of strings"),
                p,
            )),
            Some(t) if t.is_empty() || t == &["none"] => findings.push(finding(
                code::IDENTITY_TYPES_EMPTY,
                format!("{url}: identity_types_supported offers no registration type"),
                p,
            )),
            Some(t) => {
                let unknown: Vec<&&str> =
                    t.iter().filter(|x| !IDENTITY_TYPES.contains(x)).collect();
                if !unknown.is_empty() {
                    findings.push(finding(
                        code::IDENTITY_TYPES_INVALID,
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
            let assertion_types = all_strings(
                block
                    .get("identity_assertion")
                    .and_then(|o| o.get("assertion_types_supported")),
            );
            if !assertion_types
                .unwrap_or_default()
                .contains(&ID_JAG_TOKEN_TYPE)
            {
                findings.push(finding(
                    code::ASSERTION_TYPES_MISSING_ID_JAG,
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
                code::CLAIM_ENDPOINT_MISSING,
                format!("{url}: anonymous / service_auth registration is offered without claim_endpoint or claim_uri"),
                p,
            ));
        }
        if v == Some("v0.2+") {
            let grants = all_strings(doc.get("grant_types_supported")).unwrap_or_default();
            if doc.get("token_endpoint").is_none() || !grants.contains(&JWT_BEARER) {
                findings.push(finding(
                    code::JWT_BEARER_MISSING,
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
                code::EMPTY_ARRAY,
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

#[cfg(test)]
mod tests {
    use super::*;

    use crate::checks::testkit::agent_auth::*;

    use crate::model::outcome::Outcome;

    use crate::testing::{ORIGIN, json};
    use serde_json::json as j;
    #[test]
    fn agent_auth_versions_are_detected() {
        let (o, codes, data) = judge(
            &ev(vec![json(AS, &doc(Some(v02())))]),
            "agent-auth-metadata",
        );
        assert_eq!((o, codes), (Outcome::Pass, vec![]));
        assert_eq!(data.unwrap()["version"], "v0.2+");
        let (o, codes, data) = judge(
            &ev(vec![json(AS, &doc(Some(v01())))]),
            "agent-auth-metadata",
        );
        assert_eq!(o, Outcome::Warn);
        assert_eq!(codes, vec!["agent-auth-metadata-legacy-version"]);
        assert_eq!(data.unwrap()["version"], "v0.1");
        assert_eq!(
            oc(&ev(vec![json(AS, &doc(None))]), "agent-auth-metadata").0,
            Outcome::Skip
        );
    }

    #[test]
    fn agent_auth_malformed_cases() {
        let check = |a: Value| oc(&ev(vec![json(AS, &doc(Some(a)))]), "agent-auth-metadata");
        assert_eq!(
            check(j!("https://x/auth.md")),
            (
                Outcome::Fail,
                vec!["agent-auth-metadata-not-object".to_string()]
            )
        );
        let mut outside = doc(Some(v02()));
        outside["register_uri"] = j!(format!("{ORIGIN}/agent/auth"));
        let (o, codes) = oc(&ev(vec![json(AS, &outside)]), "agent-auth-metadata");
        assert_eq!(o, Outcome::Fail);
        assert_eq!(codes, vec!["agent-auth-metadata-fields-outside-block"]);
        let without = |k: &str| {
            let mut a = v02();
            a.as_object_mut().unwrap().remove(k);
            a
        };
        let with = |k: &str, v: Value| {
            let mut a = v02();
            a[k] = v;
            a
        };
        assert_eq!(
            check(without("skill")),
            (
                Outcome::Warn,
                vec!["agent-auth-metadata-skill-missing".to_string()]
            )
        );
        assert_eq!(
            check(with("skill", j!("auth.md"))),
            (
                Outcome::Warn,
                vec!["agent-auth-metadata-skill-invalid".to_string()]
            )
        );
        assert_eq!(
            check(without("identity_endpoint")),
            (
                Outcome::Fail,
                vec!["agent-auth-metadata-registration-endpoint-missing".to_string()]
            )
        );
        assert_eq!(
            check(with(
                "identity_endpoint",
                j!("http://as.example.com/agent/identity")
            )),
            (
                Outcome::Fail,
                // http is also another origin than the https AS.
                vec![
                    "agent-auth-metadata-registration-endpoint-invalid".to_string(),
                    "agent-auth-metadata-cross-origin-endpoint".to_string()
                ]
            )
        );
        assert_eq!(
            check(with("identity_types_supported", j!([]))),
            (
                Outcome::Pass,
                vec!["agent-auth-metadata-identity-types-empty".to_string()]
            )
        );
        assert_eq!(
            check(with("identity_types_supported", j!(["magic"]))),
            (
                Outcome::Fail,
                vec!["agent-auth-metadata-identity-types-invalid".to_string()]
            )
        );
        assert_eq!(
            check(with(
                "identity_assertion",
                j!({"assertion_types_supported": ["verified_email"]})
            )),
            (
                Outcome::Warn,
                vec!["agent-auth-metadata-assertion-types-missing-id-jag".to_string()]
            )
        );
        assert_eq!(
            check(without("claim_endpoint")),
            (
                Outcome::Warn,
                vec!["agent-auth-metadata-claim-endpoint-missing".to_string()]
            )
        );
        assert_eq!(
            check(with(
                "claim_endpoint",
                j!("https://other.example.com/claim")
            )),
            (
                Outcome::Warn,
                vec!["agent-auth-metadata-cross-origin-endpoint".to_string()]
            )
        );
        assert_eq!(
            check(with("events_supported", j!([]))),
            (
                Outcome::Warn,
                vec!["agent-auth-metadata-empty-array".to_string()]
            )
        );
        let mut mixed = v02();
        mixed["register_uri"] = j!(format!("{ORIGIN}/agent/auth"));
        assert_eq!(
            check(mixed),
            (
                Outcome::Warn,
                vec!["agent-auth-metadata-mixed-versions".to_string()]
            )
        );
        // v0.2+ needs the jwt-bearer grant.
        let mut d = doc(Some(v02()));
        d["grant_types_supported"] = j!(["authorization_code"]);
        assert_eq!(
            oc(&ev(vec![json(AS, &d)]), "agent-auth-metadata"),
            (
                Outcome::Fail,
                vec!["agent-auth-metadata-jwt-bearer-missing".to_string()]
            )
        );
    }
}
