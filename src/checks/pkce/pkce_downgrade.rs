//! `pkce-downgrade`: Only S256 is offered as a PKCE method.
//!
//! RFC 7636 §4.2 and §7.2; OAuth 2.1.

use super::{Methods, pkce_methods};
use crate::checks::Builtin;
use crate::checks::codes::pkce_downgrade as code;
use crate::evidence::Evidence;
use crate::evidence::views::metadata::as_view;
use crate::model::outcome::{Evaluation, finding};
use crate::model::probe::Needs;

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::AS_METADATA,
    eval: pkce_downgrade,
};

/// `pkce-downgrade`: RFC 7636 §4.2 and §7.2; OAuth 2.1.
pub fn pkce_downgrade(ev: &Evidence) -> Evaluation {
    let view = as_view(ev);
    let mut findings = Vec::new();
    let mut probes = Vec::new();
    let mut judged = 0usize;
    for iv in view.iter() {
        let Some((c, doc)) = iv.effective() else {
            continue;
        };
        let Methods::List(m) = pkce_methods(doc) else {
            continue;
        };
        judged += 1;
        probes.push(c.probe.to_string());
        let p = Some(c.probe.as_str());
        let plain = m.contains(&"plain");
        let s256 = m.contains(&"S256");
        if plain && s256 {
            findings.push(finding(
                code::PLAIN_OFFERED,
                format!("{} offers plain beside S256: an attacker who can strip the method downgrades the challenge", c.url),
                p,
            ));
        } else if plain {
            findings.push(finding(
                code::PLAIN_ONLY,
                format!("{} offers only plain: the code challenge equals the verifier and protects nothing against interception", c.url),
                p,
            ));
        }
        let unknown: Vec<&&str> = m
            .iter()
            .filter(|x| **x != "plain" && **x != "S256")
            .collect();
        if !unknown.is_empty() {
            findings.push(finding(
                code::UNKNOWN_METHOD,
                format!(
                    "{} lists unregistered method(s) {} (RFC 7636 §4.2 defines only plain and S256; method names are case-sensitive)",
                    c.url,
                    unknown.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ")
                ),
                p,
            ));
        }
    }
    if judged == 0 {
        return Evaluation::skip("no PKCE methods are advertised (see pkce-s256)");
    }
    let summary = if findings.is_empty() {
        "Only S256 is offered".to_string()
    } else {
        "A weaker PKCE method than S256 is offered".to_string()
    };
    Evaluation::evaluated(summary, findings, probes)
}
