//! `oauth21-grants`: Neither the implicit nor the password grant is advertised.
//!
//! OAuth 2.1 removes the implicit and password grants.

use super::str_array;
use crate::checks::Builtin;
use crate::checks::codes::oauth21_grants as code;
use crate::checks::common::no_metadata;
use crate::evidence::Evidence;
use crate::evidence::views::metadata::{as_view, found_docs};
use crate::model::outcome::{Evaluation, finding};
use crate::model::probe::Needs;

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::AS_METADATA,
    eval: oauth21_grants,
};

/// `oauth21-grants`: OAuth 2.1 removes the implicit and password grants.
pub fn oauth21_grants(ev: &Evidence) -> Evaluation {
    let view = as_view(ev);
    let docs = found_docs(&view);
    if docs.is_empty() {
        return no_metadata();
    }
    let mut findings = Vec::new();
    let mut probes = Vec::new();
    for (c, doc, _) in &docs {
        probes.push(c.probe.to_string());
        let p = Some(c.probe.as_str());
        let grants = str_array(doc, "grant_types_supported");
        let token_response_types: Vec<&str> = str_array(doc, "response_types_supported")
            .unwrap_or_default()
            .into_iter()
            .filter(|rt| rt.split_whitespace().any(|t| t == "token"))
            .collect();
        if grants.as_ref().is_some_and(|g| g.contains(&"password")) {
            findings.push(finding(
                code::PASSWORD,
                format!(
                    "{} lists the resource-owner password grant: an agent would have to hold the user's password (removed in OAuth 2.1)",
                    c.url
                ),
                p,
            ));
        }
        let implicit_grant = grants.as_ref().is_some_and(|g| g.contains(&"implicit"));
        if implicit_grant || !token_response_types.is_empty() {
            let mut why = Vec::new();
            if implicit_grant {
                why.push("grant_types_supported lists implicit".to_string());
            }
            if !token_response_types.is_empty() {
                why.push(format!(
                    "response_types_supported lists {}",
                    token_response_types
                        .iter()
                        .map(|t| format!("\"{t}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            findings.push(finding(
                code::IMPLICIT,
                format!(
                    "{}: {} (the implicit grant is removed in OAuth 2.1)",
                    c.url,
                    why.join("; ")
                ),
                p,
            ));
        } else if grants.is_none() {
            findings.push(finding(
                code::IMPLICIT_BY_DEFAULT,
                format!(
                    "{} omits grant_types_supported, whose RFC 8414 default includes implicit; no token response type is listed, so this is only a default",
                    c.url
                ),
                p,
            ));
        }
    }
    let bad = findings.iter().any(|f| f.code != code::IMPLICIT_BY_DEFAULT);
    let summary = if bad {
        "Grants removed by OAuth 2.1 are advertised".to_string()
    } else {
        "Neither the implicit nor the password grant is advertised".to_string()
    };
    Evaluation::evaluated(summary, findings, probes)
}

#[cfg(test)]
mod tests {

    use crate::checks::testkit::metadata::*;

    use crate::model::outcome::Outcome;

    use serde_json::{Value, json as j};
    // ---- oauth21-grants ----------------------------------------------------------

    #[test]
    fn oauth21_grants_outcomes() {
        let g = |doc: Value| judge(&root(doc), "oauth21-grants");
        assert_eq!(
            g(with(
                good_doc(),
                "grant_types_supported",
                j!(["authorization_code", "password"])
            )),
            (Outcome::Fail, vec!["oauth21-grants-password".to_string()])
        );
        assert_eq!(
            g(with(
                good_doc(),
                "response_types_supported",
                j!(["code", "id_token token"])
            )),
            (Outcome::Warn, vec!["oauth21-grants-implicit".to_string()])
        );
        assert_eq!(
            g(with(good_doc(), "grant_types_supported", j!(["implicit"]))).0,
            Outcome::Warn
        );
        // Omitted grant types: informative only.
        assert_eq!(
            g(without(good_doc(), "grant_types_supported")),
            (
                Outcome::Pass,
                vec!["oauth21-grants-implicit-by-default".to_string()]
            )
        );
        // An "id_token" response type is not a token response type.
        assert_eq!(
            g(with(
                good_doc(),
                "response_types_supported",
                j!(["code", "code id_token"])
            ))
            .0,
            Outcome::Pass
        );
    }
}
