//! `issuer-identifier`: The issuer identifier is identical to the issuer the metadata URL was built from.
//!
//! RFC 8414 §2 and §3.3, OIDC Discovery §4.3.

use crate::checks::Builtin;
use crate::checks::codes::issuer_identifier as code;
use crate::checks::common::{no_metadata, transport_ok};
use crate::evidence::Evidence;
use crate::evidence::views::metadata::{as_view, found_docs, issuer_matches};
use crate::model::outcome::{Evaluation, finding};
use crate::model::probe::Needs;
use serde_json::Value;

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::AS_METADATA,
    eval: issuer_identifier,
};

/// `issuer-identifier`: RFC 8414 §2 and §3.3, OIDC Discovery §4.3.
pub fn issuer_identifier(ev: &Evidence) -> Evaluation {
    let view = as_view(ev);
    let docs = found_docs(&view);
    if docs.is_empty() {
        return no_metadata();
    }
    let mut findings = Vec::new();
    let mut probes = Vec::new();
    for (c, doc, issuers) in &docs {
        probes.push(c.probe.to_string());
        let url = c.url.as_str();
        let p = Some(c.probe.as_str());
        let Some(declared) = doc.get("issuer").and_then(Value::as_str) else {
            findings.push(finding(
                code::MISSING,
                format!("{url} has no string `issuer` member"),
                p,
            ));
            continue;
        };
        match url::Url::parse(declared) {
            Err(_) => findings.push(finding(
                code::NOT_URL,
                format!("{url}: issuer `{declared}` is not an absolute URL"),
                p,
            )),
            Ok(u) => {
                if !transport_ok(&u) {
                    findings.push(finding(
                        code::NOT_HTTPS,
                        format!("{url}: issuer `{declared}` does not use https (RFC 8414 §2)"),
                        p,
                    ));
                }
                if declared.contains('?') || declared.contains('#') {
                    findings.push(finding(
                        code::QUERY_FRAGMENT,
                        format!("{url}: issuer `{declared}` has a query or fragment (RFC 8414 §2 forbids both)"),
                        p,
                    ));
                }
            }
        }
        for expected in issuers {
            if issuer_matches(expected, declared) {
                continue;
            }
            if declared.contains('{') && declared.contains('}') {
                findings.push(finding(
                    code::TEMPLATE,
                    format!(
                        "{url} declares the template issuer `{declared}` (a multi-tenant placeholder), not `{expected}`: clients that validate the issuer reject it"
                    ),
                    p,
                ));
            } else {
                findings.push(finding(
                    code::MISMATCH,
                    format!(
                        "{url} was built from issuer `{expected}` but declares `{declared}`: RFC 8414 §3.3 requires them to be identical (simple string comparison), and a client must not use the document"
                    ),
                    p,
                ));
            }
        }
    }
    let summary = if findings.is_empty() {
        "Every metadata document's issuer is identical to the issuer its URL was built from"
            .to_string()
    } else {
        format!("{}: a client must not use the metadata", crate::model::texts::count(findings.len(), "issuer problem", "issuer problems"))
    };
    Evaluation::evaluated(summary, findings, probes)
}

#[cfg(test)]
mod tests {

    use crate::checks::testkit::metadata::*;

    use crate::model::outcome::Outcome;
    use crate::testing::ORIGIN;
    use serde_json::{Value, json as j};
    // ---- issuer-identifier -------------------------------------------------------

    #[test]
    fn issuer_identifier_outcomes() {
        let judge_issuer =
            |v: Value| judge(&root(with(good_doc(), "issuer", v)), "issuer-identifier");
        assert_eq!(
            judge_issuer(j!(format!("{ORIGIN}/"))).0,
            Outcome::Pass,
            "trailing slash rule"
        );
        assert_eq!(
            judge_issuer(j!("https://as.example.com:443")),
            (
                Outcome::Fail,
                vec!["issuer-identifier-mismatch".to_string()]
            ),
            "no normalisation of the default port"
        );
        assert_eq!(
            judge_issuer(j!("https://login.example.com/{tenantid}/v2.0")),
            (
                Outcome::Warn,
                vec!["issuer-identifier-template".to_string()]
            )
        );
        let (o, codes) = judge_issuer(j!("http://as.example.com"));
        assert_eq!(o, Outcome::Fail);
        assert!(codes.contains(&"issuer-identifier-not-https".to_string()));
        let (o, codes) = judge_issuer(j!("https://as.example.com?x=1"));
        assert_eq!(o, Outcome::Fail);
        assert!(codes.contains(&"issuer-identifier-query-fragment".to_string()));
        assert_eq!(
            judge(&root(without(good_doc(), "issuer")), "issuer-identifier"),
            (Outcome::Fail, vec!["issuer-identifier-missing".to_string()])
        );
        let (o, codes) = judge_issuer(j!("as.example.com"));
        assert_eq!(o, Outcome::Fail);
        assert!(codes.contains(&"issuer-identifier-not-url".to_string()));
    }
}
