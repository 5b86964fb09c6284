//! `pkce-s256`: PKCE with S256 is advertised.
//!
//! RFC 7636 §4.2, RFC 8414 §2, MCP 2025-11-25.

use super::{Methods, pkce_methods};
use crate::checks::Builtin;
use crate::checks::codes::pkce_s256 as code;
use crate::checks::common::no_metadata;
use crate::evidence::Evidence;
use crate::evidence::views::DocState;
use crate::evidence::views::metadata::as_view;
use crate::model::outcome::{Evaluation, finding};
use crate::model::probe::Needs;

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::AS_METADATA,
    eval: pkce_s256,
};

/// `pkce-s256`: RFC 7636 §4.2, RFC 8414 §2, MCP 2025-11-25.
pub fn pkce_s256(ev: &Evidence) -> Evaluation {
    let view = as_view(ev);
    let mut findings = Vec::new();
    let mut probes = Vec::new();
    let mut judged = 0usize;
    let mut site_fix: Option<String> = None;
    for iv in view.iter() {
        let Some((c, doc)) = iv.effective() else {
            continue;
        };
        judged += 1;
        probes.push(c.probe.to_string());
        let p = Some(c.probe.as_str());
        match pkce_methods(doc) {
            Methods::Absent => findings.push(finding(
                code::NOT_ADVERTISED,
                format!(
                    "{} has no code_challenge_methods_supported: by RFC 8414 §2 the server does not support PKCE, and MCP clients must refuse it",
                    c.url
                ),
                p,
            )),
            Methods::Malformed => findings.push(finding(
                code::MALFORMED,
                format!("{}: code_challenge_methods_supported is not an array of strings", c.url),
                p,
            )),
            Methods::List(m) if !m.contains(&"S256") => findings.push(finding(
                code::MISSING,
                format!(
                    "{}: code_challenge_methods_supported is [{}] without S256",
                    c.url,
                    m.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ")
                ),
                p,
            )),
            Methods::List(_) => {}
        }
        if site_fix.is_none() && !matches!(pkce_methods(doc), Methods::List(ref m) if m.contains(&"S256")) {
            site_fix = Some(crate::checks::site_fix::pkce_s256(&c.url));
        }
        // MCP 2025-11-25: an AS offering OpenID discovery MUST include the
        // member there too; a client may read that document instead.
        for other in iv
            .candidates
            .iter()
            .filter(|o| o.exchange != c.exchange && o.form.is_oidc())
        {
            if let DocState::Found(d) = &other.state
                && matches!(pkce_methods(d), Methods::Absent)
            {
                findings.push(finding(
                    code::OIDC_MISSING,
                    format!(
                        "the OpenID discovery document {} of the same issuer omits code_challenge_methods_supported (MCP 2025-11-25 requires it there too)",
                        other.url
                    ),
                    Some(other.probe.as_str()),
                ));
            }
        }
    }
    if judged == 0 {
        return no_metadata();
    }
    let summary = if findings.iter().any(|f| f.code != code::OIDC_MISSING) {
        "PKCE with S256 is not advertised".to_string()
    } else {
        "PKCE with S256 is advertised".to_string()
    };
    let eval = Evaluation::evaluated(summary, findings, probes);
    match site_fix {
        Some(fix) => eval.with_site_fix(fix),
        None => eval,
    }
}

#[cfg(test)]
mod tests {

    use crate::checks::testkit::metadata::*;

    use crate::model::outcome::Outcome;
    use crate::testing::{ORIGIN, evidence, json, site};
    use serde_json::{Value, json as j};
    // ---- pkce-s256 / pkce-downgrade ---------------------------------------------

    #[test]
    fn pkce_outcomes() {
        let p = |v: Option<Value>| {
            let doc = match v {
                Some(v) => with(good_doc(), "code_challenge_methods_supported", v),
                None => without(good_doc(), "code_challenge_methods_supported"),
            };
            let ev = root(doc);
            (judge(&ev, "pkce-s256"), judge(&ev, "pkce-downgrade"))
        };
        let (s, d) = p(None);
        assert_eq!(
            s,
            (Outcome::Fail, vec!["pkce-s256-not-advertised".to_string()])
        );
        assert_eq!(d.0, Outcome::Skip);
        let (s, d) = p(Some(j!(["plain"])));
        assert_eq!(s, (Outcome::Fail, vec!["pkce-s256-missing".to_string()]));
        assert_eq!(
            d,
            (Outcome::Fail, vec!["pkce-downgrade-plain-only".to_string()])
        );
        let (s, d) = p(Some(j!(["plain", "S256"])));
        assert_eq!(s.0, Outcome::Pass);
        assert_eq!(
            d,
            (
                Outcome::Warn,
                vec!["pkce-downgrade-plain-offered".to_string()]
            )
        );
        let (s, d) = p(Some(j!(["s256"])));
        assert_eq!(s.0, Outcome::Fail, "method names are case-sensitive");
        assert_eq!(
            d,
            (
                Outcome::Warn,
                vec!["pkce-downgrade-unknown-method".to_string()]
            )
        );
        let (s, d) = p(Some(j!("S256")));
        assert_eq!(s, (Outcome::Fail, vec!["pkce-s256-malformed".to_string()]));
        assert_eq!(d.0, Outcome::Skip);
    }

    #[test]
    fn pkce_warns_when_the_oidc_twin_omits_the_methods() {
        let oidc = without(oidc_doc(), "code_challenge_methods_supported");
        let ev = evidence(
            site(vec![json(AS, &good_doc()), json(OIDC, &oidc)], None),
            ORIGIN,
        );
        assert_eq!(
            judge(&ev, "pkce-s256"),
            (Outcome::Warn, vec!["pkce-s256-oidc-missing".to_string()])
        );
    }
}
