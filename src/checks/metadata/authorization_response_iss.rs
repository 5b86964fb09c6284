//! `authorization-response-iss`: the authorization server says it sends
//! the RFC 9207 `iss` parameter in authorization responses.
//!
//! RFC 9207 §2.3, §3; MCP 2026-07-28 (authorization response validation).

use crate::checks::Builtin;
use crate::checks::codes::authorization_response_iss as code;
use crate::checks::common::no_metadata;
use crate::evidence::Evidence;
use crate::evidence::views::metadata::effective_docs;
use crate::model::outcome::{Evaluation, finding};
use crate::model::probe::Needs;
use serde_json::Value;

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::AS_METADATA,
    eval: authorization_response_iss,
};

/// The metadata member RFC 9207 §3 defines.
const MEMBER: &str = "authorization_response_iss_parameter_supported";

/// `authorization-response-iss`: RFC 9207 §2.3, §3; MCP 2026-07-28.
///
/// Reads the flag in each authorization server's effective metadata
/// document (the one a client following the MCP order uses): `true`
/// passes, absent or `false` warns, anything else fails.
pub fn authorization_response_iss(ev: &Evidence) -> Evaluation {
    let docs = effective_docs(ev);
    if docs.is_empty() {
        return no_metadata();
    }
    let mut findings = Vec::new();
    let mut probes = Vec::new();
    let mut sending = 0;
    for (p, u, d) in docs.iter() {
        probes.push(p.clone());
        match d.get(MEMBER) {
            Some(Value::Bool(true)) => sending += 1,
            Some(Value::Bool(false)) => findings.push(finding(
                code::DISABLED,
                format!("{u} says {MEMBER}: false: authorization responses carry no iss, so a client cannot detect a mix-up (RFC 9207 §2)"),
                Some(p),
            )),
            None => findings.push(finding(
                code::NOT_ADVERTISED,
                format!("{u} has no {MEMBER} (default false): clients cannot rely on iss against mix-up attacks; MCP 2026-07-28 says authorization servers should send it"),
                Some(p),
            )),
            Some(other) => findings.push(finding(
                code::NOT_BOOLEAN,
                format!("{u}: {MEMBER} is {other}, not a JSON boolean (RFC 9207 §3)"),
                Some(p),
            )),
        }
    }
    let summary = if findings.is_empty() {
        "Every authorization server says it sends iss in authorization responses (RFC 9207)"
            .to_string()
    } else {
        format!(
            "{sending} of {} authorization server(s) say they send iss in authorization responses",
            docs.len()
        )
    };
    Evaluation::evaluated(summary, findings, probes)
}

#[cfg(test)]
mod tests {
    use crate::checks::testkit::metadata::*;
    use crate::model::outcome::Outcome;
    use crate::testing::{ORIGIN, evidence, site};
    use serde_json::{Value, json as j};

    const ID: &str = "authorization-response-iss";

    fn iss(v: Option<Value>) -> (Outcome, Vec<String>) {
        let d = match v {
            Some(v) => with(good_doc(), super::MEMBER, v),
            None => good_doc(),
        };
        judge(&root(d), ID)
    }

    #[test]
    fn authorization_response_iss_outcomes() {
        assert_eq!(iss(Some(j!(true))), (Outcome::Pass, vec![]));
        assert_eq!(
            iss(None),
            (
                Outcome::Warn,
                vec!["authorization-response-iss-not-advertised".to_string()]
            )
        );
        assert_eq!(
            iss(Some(j!(false))),
            (
                Outcome::Warn,
                vec!["authorization-response-iss-disabled".to_string()]
            )
        );
        for v in [j!("true"), j!(1), j!(null)] {
            assert_eq!(
                iss(Some(v)),
                (
                    Outcome::Fail,
                    vec!["authorization-response-iss-not-boolean".to_string()]
                )
            );
        }
        // No metadata: skipped.
        let r = crate::testing::judge(&evidence(site(vec![], None), ORIGIN), ID);
        assert_eq!(r.outcome, Outcome::Skip);
    }

    /// The researcher's examples: a document with the flag true, and one
    /// where it is a string.
    #[test]
    fn research_examples() {
        let ok: Value = serde_json::from_str(include_str!(
            "../../../fixtures/standards/iss/as-metadata-iss-true.json"
        ))
        .unwrap();
        let bad: Value = serde_json::from_str(include_str!(
            "../../../fixtures/standards/iss/as-metadata-iss-string.json"
        ))
        .unwrap();
        for (doc, want) in [(ok, Outcome::Pass), (bad, Outcome::Fail)] {
            let v = doc[super::MEMBER].clone();
            assert_eq!(iss(Some(v)).0, want);
        }
    }
}
