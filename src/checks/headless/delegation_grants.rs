//! `delegation-grants`: Token exchange, JWT-bearer and ID-JAG grants are advertised consistently.
//!
//! RFC 8693, RFC 7523, ID-JAG, OpenID CIBA.

use crate::checks::Builtin;
use crate::checks::codes::delegation_grants as code;
use crate::checks::common::{CIBA, ID_JAG, JWT_BEARER, TOKEN_EXCHANGE, has_grant, no_metadata};
use crate::evidence::Evidence;
use crate::evidence::views::metadata::effective_docs;
use crate::model::outcome::{Evaluation, finding};
use crate::model::probe::Needs;
use serde_json::Value;

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::AS_METADATA,
    eval: delegation_grants,
};

/// `delegation-grants`: RFC 8693, RFC 7523, ID-JAG, OpenID CIBA.
pub fn delegation_grants(ev: &Evidence) -> Evaluation {
    let docs = effective_docs(ev);
    if docs.is_empty() {
        return no_metadata();
    }
    let mut findings = Vec::new();
    let mut offered: Vec<&str> = Vec::new();
    let probes: Vec<String> = docs.iter().map(|(p, _, _)| p.clone()).collect();
    for (p, u, d) in docs.iter() {
        let p = Some(p.as_str());
        for (grant, name) in [
            (TOKEN_EXCHANGE, "token exchange"),
            (JWT_BEARER, "JWT bearer"),
            (CIBA, "CIBA"),
        ] {
            if has_grant(d, grant) && !offered.contains(&name) {
                offered.push(name);
            }
        }
        if has_grant(d, CIBA) && d.get("backchannel_authentication_endpoint").is_none() {
            findings.push(finding(
                code::CIBA_WITHOUT_ENDPOINT,
                format!("{u} lists the CIBA grant without backchannel_authentication_endpoint"),
                p,
            ));
        }
        match d.get("authorization_grant_profiles_supported") {
            None => {}
            Some(Value::Array(a)) if a.iter().all(Value::is_string) => {
                let profiles: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
                if profiles.contains(&ID_JAG) {
                    if !offered.contains(&"ID-JAG") {
                        offered.push("ID-JAG");
                    }
                    if !has_grant(d, JWT_BEARER) {
                        findings.push(finding(
                            code::PROFILE_WITHOUT_JWT_BEARER,
                            format!("{u} supports the ID-JAG grant profile but grant_types_supported lacks {JWT_BEARER}, which the profile requires"),
                            p,
                        ));
                    }
                }
                let unknown: Vec<&&str> = profiles.iter().filter(|x| **x != ID_JAG).collect();
                if !unknown.is_empty() {
                    findings.push(finding(
                        code::PROFILE_UNKNOWN,
                        format!("{u} lists grant profile(s) {} (reported, not evaluated)", unknown.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ")),
                        p,
                    ));
                }
            }
            Some(other) => findings.push(finding(
                code::PROFILES_MALFORMED,
                format!("{u}: authorization_grant_profiles_supported is {other}, not an array of strings"),
                p,
            )),
        }
        if d.get("identity_chaining_requested_token_types_supported")
            .is_some()
            && !has_grant(d, TOKEN_EXCHANGE)
        {
            findings.push(finding(
                code::CHAINING_WITHOUT_TOKEN_EXCHANGE,
                format!("{u} publishes identity_chaining_requested_token_types_supported without the token-exchange grant"),
                p,
            ));
        }
    }
    if offered.is_empty() && findings.is_empty() {
        return Evaluation::skip(
            "no delegation grant (token exchange, JWT bearer, ID-JAG, CIBA) is advertised",
        );
    }
    Evaluation::evaluated(
        format!("Delegation grants advertised: {}", offered.join(", ")),
        findings,
        probes,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::checks::testkit::headless::*;

    use crate::model::outcome::Outcome;

    use serde_json::json as j;
    #[test]
    fn delegation_grant_outcomes() {
        let g = |d: Value| judge(&ev_with(d, good_routes()), "delegation-grants");
        let grants = j!(["authorization_code", JWT_BEARER, TOKEN_EXCHANGE]);
        assert_eq!(
            g(with(doc(), "grant_types_supported", grants.clone())).0,
            Outcome::Pass
        );
        let id_jag = with(
            doc(),
            "authorization_grant_profiles_supported",
            j!([ID_JAG]),
        );
        assert_eq!(
            g(id_jag.clone()),
            (
                Outcome::Fail,
                vec!["delegation-grants-profile-without-jwt-bearer".to_string()]
            )
        );
        assert_eq!(
            g(with(id_jag, "grant_types_supported", grants)).0,
            Outcome::Pass
        );
        assert_eq!(
            g(with(
                doc(),
                "authorization_grant_profiles_supported",
                j!(ID_JAG)
            )),
            (
                Outcome::Fail,
                vec!["delegation-grants-profiles-malformed".to_string()]
            )
        );
        assert_eq!(
            g(with(doc(), "grant_types_supported", j!([CIBA]))),
            (
                Outcome::Warn,
                vec!["delegation-grants-ciba-without-endpoint".to_string()]
            )
        );
        assert_eq!(
            g(with(
                doc(),
                "identity_chaining_requested_token_types_supported",
                j!(["urn:ietf:params:oauth:token-type:jwt"])
            )),
            (
                Outcome::Warn,
                vec!["delegation-grants-chaining-without-token-exchange".to_string()]
            )
        );
    }
}
