//! `endpoint-transport`: Every advertised endpoint is an absolute https URL.
//!
//! RFC 8414 §2, OAuth 2.1 §1.5, MCP 2025-11-25.

use crate::checks::Builtin;
use crate::checks::codes::endpoint_transport as code;
use crate::checks::common::{no_metadata, transport_ok};
use crate::evidence::Evidence;
use crate::evidence::views::metadata::{as_view, found_docs};
use crate::model::outcome::{Evaluation, finding};
use crate::model::probe::Needs;
use serde_json::Value;

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::AS_METADATA,
    eval: endpoint_transport,
};

/// Members that hold endpoints a client sends requests or tokens to.
fn is_endpoint_member(key: &str) -> bool {
    key.ends_with("_endpoint") || key == "jwks_uri" || key == "check_session_iframe"
}

/// Members that hold documentation or policy links.
fn is_link_member(key: &str) -> bool {
    (key.ends_with("_uri") || key == "service_documentation") && !is_endpoint_member(key)
}

/// `endpoint-transport`: RFC 8414 §2, OAuth 2.1 §1.5, MCP 2025-11-25.
pub fn endpoint_transport(ev: &Evidence) -> Evaluation {
    let view = as_view(ev);
    let docs = found_docs(&view);
    if docs.is_empty() {
        return no_metadata();
    }
    let mut findings = Vec::new();
    let mut probes = Vec::new();
    let mut checked = 0usize;
    for (c, doc, _) in &docs {
        probes.push(c.probe.to_string());
        let Some(obj) = doc.as_object() else { continue };
        let mut members: Vec<(String, &str, bool)> = Vec::new();
        for (k, v) in obj {
            if let Some(s) = v.as_str() {
                if is_endpoint_member(k) {
                    members.push((k.clone(), s, true));
                } else if is_link_member(k) {
                    members.push((k.clone(), s, false));
                }
            }
        }
        if let Some(aliases) = obj.get("mtls_endpoint_aliases").and_then(Value::as_object) {
            for (k, v) in aliases {
                if let Some(s) = v.as_str() {
                    members.push((format!("mtls_endpoint_aliases.{k}"), s, true));
                }
            }
        }
        for (k, s, endpoint) in members {
            checked += 1;
            let p = Some(c.probe.as_str());
            match url::Url::parse(s) {
                Err(_) => findings.push(finding(
                    code::NOT_ABSOLUTE,
                    format!("{}: {k} = `{s}` is not an absolute URL", c.url),
                    p,
                )),
                Ok(u) if !transport_ok(&u) => {
                    let code = if endpoint {
                        code::HTTP
                    } else {
                        code::HTTP_LINK
                    };
                    findings.push(finding(
                        code,
                        format!("{}: {k} = `{s}` does not use https", c.url),
                        p,
                    ));
                }
                Ok(_) => {}
            }
        }
    }
    let summary = if findings.is_empty() {
        format!(
            "All {checked} advertised endpoint and link URLs are absolute https URLs (http accepted on loopback)"
        )
    } else {
        format!(
            "{} of {checked} advertised URLs {} not an absolute https URL",
            findings.len(),
            crate::model::texts::plural(findings.len(), "is", "are")
        )
    };
    Evaluation::evaluated(summary, findings, probes)
}

#[cfg(test)]
mod tests {

    use crate::checks::testkit::metadata::*;

    use crate::model::outcome::Outcome;

    use serde_json::json as j;
    // ---- endpoint-transport ------------------------------------------------------

    #[test]
    fn endpoint_transport_outcomes() {
        let t = |k: &str, v: &str| judge(&root(with(good_doc(), k, j!(v))), "endpoint-transport");
        assert_eq!(
            t("token_endpoint", "http://as.example.com/token"),
            (Outcome::Fail, vec!["endpoint-transport-http".to_string()])
        );
        assert_eq!(
            t("token_endpoint", "/token"),
            (
                Outcome::Fail,
                vec!["endpoint-transport-not-absolute".to_string()]
            )
        );
        assert_eq!(
            t("op_policy_uri", "http://as.example.com/policy"),
            (
                Outcome::Warn,
                vec!["endpoint-transport-http-link".to_string()]
            )
        );
        assert_eq!(
            t("token_endpoint", "http://127.0.0.1:8080/token").0,
            Outcome::Pass,
            "loopback http is accepted"
        );
        assert_eq!(
            t("token_endpoint", "http://[::1]:8080/token").0,
            Outcome::Pass
        );
        let doc = with(
            good_doc(),
            "mtls_endpoint_aliases",
            j!({"token_endpoint": "http://mtls.example.com/token"}),
        );
        assert_eq!(judge(&root(doc), "endpoint-transport").0, Outcome::Fail);
    }
}
