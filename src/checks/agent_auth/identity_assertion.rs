//! `identity-assertion`: ID-JAG identity assertions are accepted for agent registration or as a grant profile.
//!
//! ID-JAG accepted as an `agent_auth` assertion type
//! or as the AS grant profile (draft-ietf-oauth-identity-assertion-authz-grant).

use super::{ID_JAG_PROFILE, ID_JAG_TOKEN_TYPE, all_strings, jag_like};
use crate::checks::Builtin;
use crate::checks::codes::identity_assertion as code;
use crate::evidence::Evidence;
use crate::evidence::views::metadata::effective_docs;
use crate::model::outcome::{Evaluation, finding};
use crate::model::probe::Needs;
use serde_json::Value;

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::AS_METADATA,
    eval: identity_assertion,
};

/// `identity-assertion`: ID-JAG accepted as an `agent_auth` assertion type
/// or as the AS grant profile (draft-ietf-oauth-identity-assertion-authz-grant).
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
        let profiles =
            all_strings(d.get("authorization_grant_profiles_supported")).unwrap_or_default();
        let block = d.get("agent_auth").and_then(Value::as_object);
        let assertion_types = block
            .and_then(|b| b.get("identity_assertion"))
            .and_then(|o| all_strings(o.get("assertion_types_supported")))
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
                code::URN_MISSPELLED,
                format!("{u}: `{s}` looks like an ID-JAG URN but is not one of {ID_JAG_PROFILE} (grant profile) / {ID_JAG_TOKEN_TYPE} (assertion type)"),
                p,
            ));
        }
        if assertion_types.contains(&"verified_email") {
            findings.push(finding(
                code::LEGACY_VERIFIED_EMAIL,
                format!("{u}: agent_auth still lists the verified_email assertion type (removed in auth.md v0.6)"),
                p,
            ));
        }
        let accepts =
            profiles.contains(&ID_JAG_PROFILE) || assertion_types.contains(&ID_JAG_TOKEN_TYPE);
        if accepts
            && all_strings(d.get("token_endpoint_auth_methods_supported"))
                .is_some_and(|m| !m.is_empty() && m.iter().all(|x| *x == "none"))
        {
            findings.push(finding(
                code::PUBLIC_CLIENT_ONLY,
                format!("{u}: ID-JAG is advertised but the token endpoint only accepts public clients (auth method none)"),
                p,
            ));
        }
        if let Some(types) = all_strings(d.get("identity_chaining_requested_token_types_supported"))
            && !types.contains(&ID_JAG_TOKEN_TYPE)
        {
            findings.push(finding(
                code::CHAINING_TYPE_MISSING,
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

#[cfg(test)]
mod tests {
    use super::*;

    use crate::checks::testkit::agent_auth::*;

    use crate::model::outcome::Outcome;

    use crate::testing::json;
    use serde_json::json as j;
    #[test]
    fn identity_assertion_outcomes() {
        let ia = |d: Value| oc(&ev(vec![json(AS, &d)]), "identity-assertion");
        assert_eq!(ia(doc(Some(v02()))), (Outcome::Pass, vec![]));
        let mut profile = doc(None);
        profile["authorization_grant_profiles_supported"] = j!([ID_JAG_PROFILE]);
        assert_eq!(ia(profile.clone()), (Outcome::Pass, vec![]));
        assert_eq!(ia(doc(None)).0, Outcome::Skip);
        let mut wrong = doc(None);
        wrong["authorization_grant_profiles_supported"] =
            j!(["urn:ietf:params:oauth:grant-profile:id_jag"]);
        assert_eq!(
            ia(wrong),
            (
                Outcome::Warn,
                vec!["identity-assertion-urn-misspelled".to_string()]
            )
        );
        profile["token_endpoint_auth_methods_supported"] = j!(["none"]);
        assert_eq!(
            ia(profile),
            (
                Outcome::Warn,
                vec!["identity-assertion-public-client-only".to_string()]
            )
        );
        let mut legacy = v02();
        legacy["identity_assertion"] =
            j!({"assertion_types_supported": [ID_JAG_TOKEN_TYPE, "verified_email"]});
        assert_eq!(
            ia(doc(Some(legacy))),
            (
                Outcome::Pass,
                vec!["identity-assertion-legacy-verified-email".to_string()]
            )
        );
        let mut chain = doc(Some(v02()));
        chain["identity_chaining_requested_token_types_supported"] =
            j!(["urn:ietf:params:oauth:token-type:jwt"]);
        assert_eq!(
            ia(chain),
            (
                Outcome::Warn,
                vec!["identity-assertion-chaining-type-missing".to_string()]
            )
        );
    }
}
