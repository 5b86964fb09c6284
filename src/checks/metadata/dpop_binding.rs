//! `dpop-binding`: what a site says about DPoP (RFC 9449) is usable: the
//! algorithms it advertises are asymmetric signature algorithms, a
//! resource that requires DPoP-bound tokens has an authorization server
//! that issues them, and its `DPoP` challenges parse.
//!
//! RFC 9449 §5.1 (authorization-server metadata), §7.1 (the `DPoP`
//! scheme), §4.2 and §11.6 (no `none`, no MAC); RFC 9728 §2 (resource
//! metadata members).

use crate::checks::Builtin;
use crate::checks::codes::dpop_binding as code;
use crate::evidence::Evidence;
use crate::evidence::views::api::api_view;
use crate::evidence::views::metadata::effective_docs;
use crate::evidence::views::prm::prm_view;
use crate::model::outcome::{Evaluation, Finding, finding};
use crate::model::probe::Needs;
use serde_json::Value;

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::AS_METADATA.with(Needs::API),
    eval: dpop_binding,
};

/// The metadata member of RFC 9449 §5.1 (and RFC 9728 §2).
const ALGS: &str = "dpop_signing_alg_values_supported";
/// The resource metadata member of RFC 9728 §2.
const REQUIRED: &str = "dpop_bound_access_tokens_required";

/// Registered asymmetric JWS signature algorithms (RFC 7518 §3.1, RFC
/// 8037, RFC 8812, RFC 9864, and the ML-DSA registrations).
const ASYMMETRIC: &[&str] = &[
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "ES256K",
    "EdDSA", "Ed25519", "Ed448", "ML-DSA-44", "ML-DSA-65", "ML-DSA-87",
];

/// How one advertised algorithm reads for DPoP proofs.
#[derive(Debug, PartialEq, Eq)]
enum Alg {
    /// A registered asymmetric signature algorithm.
    Asymmetric,
    /// `none` or a MAC (`HS*`): RFC 9449 §4.2 forbids both.
    Forbidden,
    /// Anything else (a typo, a lower-case name, two names in one string).
    Unknown,
}

fn classify(alg: &str) -> Alg {
    if ASYMMETRIC.contains(&alg) {
        Alg::Asymmetric
    } else if alg.eq_ignore_ascii_case("none") || alg.to_ascii_uppercase().starts_with("HS") {
        Alg::Forbidden
    } else {
        Alg::Unknown
    }
}

/// Findings on one list of algorithm names, from `what` (a document URL or
/// a challenge).
fn judge_algs(algs: &[&str], what: &str, probe: &str, out: &mut Vec<Finding>) {
    if algs.is_empty() {
        out.push(finding(
            code::EMPTY_ALGS,
            format!("{what}: DPoP is advertised with no algorithm, so no client can sign a proof"),
            Some(probe),
        ));
        return;
    }
    let forbidden: Vec<&str> = algs
        .iter()
        .copied()
        .filter(|a| classify(a) == Alg::Forbidden)
        .collect();
    if !forbidden.is_empty() {
        out.push(finding(
            code::FORBIDDEN_ALG,
            format!(
                "{what} lists {forbidden:?}: DPoP proofs must use an asymmetric signature algorithm, never `none` or a MAC (RFC 9449 §4.2, §11.6)"
            ),
            Some(probe),
        ));
    }
    let unknown: Vec<&str> = algs
        .iter()
        .copied()
        .filter(|a| classify(a) == Alg::Unknown)
        .collect();
    if !unknown.is_empty() {
        out.push(finding(
            code::UNKNOWN_ALG,
            format!(
                "{what} lists {unknown:?}, which are not registered JWS signature algorithm names (they are case-sensitive, one per entry)"
            ),
            Some(probe),
        ));
    }
}

/// Findings on a `dpop_signing_alg_values_supported` member; true when it
/// names at least one usable algorithm.
fn judge_member(doc: &Value, url: &str, probe: &str, out: &mut Vec<Finding>) -> bool {
    let Some(v) = doc.get(ALGS) else {
        return false;
    };
    let Some(list) = v.as_array() else {
        out.push(finding(
            code::MALFORMED_MEMBER,
            format!("{url}: {ALGS} is {v}, not a JSON array of strings (RFC 9449 §5.1)"),
            Some(probe),
        ));
        return false;
    };
    let algs: Vec<&str> = list.iter().filter_map(Value::as_str).collect();
    if algs.len() != list.len() {
        out.push(finding(
            code::MALFORMED_MEMBER,
            format!("{url}: {ALGS} has entries that are not strings"),
            Some(probe),
        ));
    }
    judge_algs(&algs, url, probe, out);
    algs.iter().any(|a| classify(a) == Alg::Asymmetric)
}

/// `dpop-binding`: RFC 9449 §5.1, §7.1; RFC 9728 §2.
pub fn dpop_binding(ev: &Evidence) -> Evaluation {
    let mut findings = Vec::new();
    let mut probes = Vec::new();
    let mut signal = false;
    // The authorization servers.
    let docs = effective_docs(ev);
    let mut as_dpop = false;
    for (p, u, d) in docs.iter() {
        if d.get(ALGS).is_some() {
            signal = true;
            probes.push(p.clone());
            as_dpop |= judge_member(d, u, p, &mut findings);
        }
    }
    // The protected resources.
    let prms = prm_view(ev);
    let mut required: Vec<(&str, &str)> = Vec::new();
    for c in prms.iter() {
        let Some(d) = c.doc() else { continue };
        if d.get(ALGS).is_none() && d.get(REQUIRED).is_none() {
            continue;
        }
        signal = true;
        probes.push(c.probe.clone());
        judge_member(d, &c.url, &c.probe, &mut findings);
        match d.get(REQUIRED) {
            None | Some(Value::Bool(false)) => {}
            Some(Value::Bool(true)) => required.push((c.probe.as_str(), c.url.as_str())),
            Some(other) => findings.push(finding(
                code::MALFORMED_MEMBER,
                format!("{}: {REQUIRED} is {other}, not a JSON boolean (RFC 9728 §2)", c.url),
                Some(&c.probe),
            )),
        }
    }
    // The challenges.
    let api = api_view(ev);
    let mut dpop_challenge = false;
    for x in api.iter() {
        let Some(resp) = x.response(ev) else { continue };
        let raw: Vec<&str> = resp.header_all("www-authenticate").collect();
        // A parsed DPoP challenge, or a header that does not parse and
        // names DPoP as a word.
        let names_dpop = if x.malformed.is_some() {
            raw.iter().any(|h| {
                h.split([',', ' '])
                    .any(|t| t.trim().eq_ignore_ascii_case("dpop"))
            })
        } else {
            x.challenges.iter().any(|c| c.is("dpop"))
        };
        if !names_dpop {
            continue;
        }
        signal = true;
        dpop_challenge = true;
        probes.push(x.probe.clone());
        let what = format!("the DPoP challenge of {} ({})", x.url, resp.status);
        if let Some(e) = &x.malformed {
            findings.push(finding(
                code::CHALLENGE_MALFORMED,
                format!(
                    "{what} does not parse as RFC 9110 §11.6.1 challenges ({e}): a list of algorithms in `algs` must be one quoted string, e.g. algs=\"ES256 PS256\" (RFC 9449 §7.1)"
                ),
                Some(&x.probe),
            ));
            continue;
        }
        for c in x.challenges.iter().filter(|c| c.is("dpop")) {
            if c.token68.is_some() {
                findings.push(finding(
                    code::CHALLENGE_MALFORMED,
                    format!("{what} carries a token68 value, not auth-params (RFC 9449 §7.1)"),
                    Some(&x.probe),
                ));
                continue;
            }
            match c.param("algs") {
                None => findings.push(finding(
                    code::CHALLENGE_NO_ALGS,
                    format!("{what} has no `algs` parameter, which RFC 9449 §7.1 says should name the algorithms the resource accepts"),
                    Some(&x.probe),
                )),
                Some(algs) => {
                    let list: Vec<&str> = algs.split_ascii_whitespace().collect();
                    judge_algs(&list, &what, &x.probe, &mut findings);
                }
            }
            if c.param("error") == Some("use_dpop_nonce") && resp.header("dpop-nonce").is_none() {
                findings.push(finding(
                    code::NONCE_MISSING,
                    format!("{what} says use_dpop_nonce but the response carries no DPoP-Nonce header (RFC 9449 §9)"),
                    Some(&x.probe),
                ));
            }
        }
    }
    if !signal {
        return Evaluation::skip(
            "no DPoP signal: no dpop_signing_alg_values_supported, no dpop_bound_access_tokens_required, no DPoP challenge",
        );
    }
    for (p, u) in &required {
        if docs.is_empty() {
            continue;
        }
        if !as_dpop {
            findings.push(finding(
                code::REQUIRED_UNSUPPORTED,
                format!(
                    "{u} requires DPoP-bound access tokens but no authorization server found advertises {ALGS}: no client can obtain a token this resource accepts (RFC 9449 §5.1, RFC 9728 §2)"
                ),
                Some(p),
            ));
        }
        if !dpop_challenge && api.iter().any(|x| x.bearer().is_some()) {
            findings.push(finding(
                code::REQUIRED_BEARER_CHALLENGE,
                format!("{u} requires DPoP-bound access tokens but the resource's challenges offer only Bearer (RFC 9449 §7.1)"),
                Some(p),
            ));
        }
    }
    probes.dedup();
    let summary = if findings.is_empty() {
        "DPoP is advertised with asymmetric algorithms, and tokens the resource requires can be obtained"
            .to_string()
    } else {
        format!("{} DPoP problem(s)", findings.len())
    };
    Evaluation::evaluated(summary, findings, probes)
}

#[cfg(test)]
mod tests {
    use crate::checks::testkit::discovery::*;
    use crate::model::outcome::Outcome;
    use crate::testing::{ORIGIN, evidence, json, site, with_headers};
    use serde_json::{Value, json as j};

    const ID: &str = "dpop-binding";

    fn standard(name: &str) -> Value {
        let path = format!("{}/fixtures/standards/dpop/{name}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    /// An MCP server: its challenge (`www`), PRM and AS metadata.
    fn mcp(www: &str, prm_doc: Value, as_doc: Value, nonce: bool) -> (Outcome, Vec<String>) {
        let mut c = challenge("/mcp", 401, Some(www));
        if nonce {
            c = with_headers(c, &[("dpop-nonce", "eyJ7S_zG.eyJH0-Z.HX4w-7v")]);
        }
        let routes = vec![
            c,
            json(&format!("{PRM}/mcp"), &prm_doc),
            json(AS, &as_doc),
        ];
        judge(&evidence(site(routes, None), &format!("{ORIGIN}/mcp")), ID)
    }

    fn www() -> String {
        format!(r#"Bearer resource_metadata="{ORIGIN}{PRM}/mcp", DPoP algs="ES256 PS256""#)
    }

    fn dpop_prm() -> Value {
        with(
            with(prm(&format!("{ORIGIN}/mcp")), "dpop_bound_access_tokens_required", j!(true)),
            "dpop_signing_alg_values_supported",
            j!(["ES256", "PS256"]),
        )
    }

    fn dpop_as() -> Value {
        with(as_doc(), "dpop_signing_alg_values_supported", j!(["ES256", "EdDSA"]))
    }

    #[test]
    fn no_dpop_signal_skips() {
        let bearer = format!(r#"Bearer resource_metadata="{ORIGIN}{PRM}/mcp""#);
        assert_eq!(
            mcp(&bearer, prm(&format!("{ORIGIN}/mcp")), as_doc(), false).0,
            Outcome::Skip
        );
    }

    #[test]
    fn dpop_done_right_passes() {
        assert_eq!(mcp(&www(), dpop_prm(), dpop_as(), false), (Outcome::Pass, vec![]));
        // The research example of a valid AS document.
        let valid = with(standard("as-metadata-valid.json"), "issuer", j!(ORIGIN));
        assert_eq!(mcp(&www(), dpop_prm(), valid, false).0, Outcome::Pass);
    }

    #[test]
    fn forbidden_and_empty_algorithms_fail() {
        let (o, codes) = mcp(
            &www(),
            dpop_prm(),
            with(as_doc(), "dpop_signing_alg_values_supported", j!(["none", "HS256"])),
            false,
        );
        assert_eq!(o, Outcome::Fail);
        assert!(codes.contains(&"dpop-binding-forbidden-alg".to_string()), "{codes:?}");
        let (o, codes) = mcp(
            &www(),
            dpop_prm(),
            with(as_doc(), "dpop_signing_alg_values_supported", j!([])),
            false,
        );
        assert_eq!(o, Outcome::Fail);
        assert!(codes.contains(&"dpop-binding-empty-algs".to_string()), "{codes:?}");
        // The research example: none, HS256, two names in one string, a
        // lower-case name.
        let bad = with(standard("as-metadata-invalid.json"), "issuer", j!(ORIGIN));
        let (o, codes) = mcp(&www(), dpop_prm(), bad, false);
        assert_eq!(o, Outcome::Fail);
        assert!(codes.contains(&"dpop-binding-forbidden-alg".to_string()), "{codes:?}");
        assert!(codes.contains(&"dpop-binding-unknown-alg".to_string()), "{codes:?}");
    }

    #[test]
    fn required_dpop_without_an_issuing_server_fails() {
        let (o, codes) = mcp(&www(), dpop_prm(), as_doc(), false);
        assert_eq!(
            (o, codes),
            (Outcome::Fail, vec!["dpop-binding-required-unsupported".to_string()])
        );
        // Bearer-only challenge for a resource that requires DPoP: warn.
        let bearer = format!(r#"Bearer resource_metadata="{ORIGIN}{PRM}/mcp""#);
        assert_eq!(
            mcp(&bearer, dpop_prm(), dpop_as(), false),
            (
                Outcome::Warn,
                vec!["dpop-binding-required-bearer-challenge".to_string()]
            )
        );
        // Wrongly typed members (the research example).
        let mut bad = standard("prm-invalid.json");
        bad["resource"] = j!(format!("{ORIGIN}/mcp"));
        bad["authorization_servers"] = j!([ORIGIN]);
        let (o, codes) = mcp(&www(), bad, dpop_as(), false);
        assert_eq!(o, Outcome::Fail);
        assert_eq!(codes, vec!["dpop-binding-malformed-member".to_string()]);
    }

    #[test]
    fn dpop_challenges_are_parsed() {
        let rm = format!(r#"resource_metadata="{ORIGIN}{PRM}/mcp""#);
        let case = |dpop: &str, nonce: bool| {
            mcp(&format!("Bearer {rm}, {dpop}"), dpop_prm(), dpop_as(), nonce)
        };
        assert_eq!(case(r#"DPoP algs="ES256""#, false), (Outcome::Pass, vec![]));
        assert_eq!(case("DPoP algs=ES256", false), (Outcome::Pass, vec![]));
        assert_eq!(
            case("DPoP algs=ES256 PS256", false),
            (
                Outcome::Fail,
                vec!["dpop-binding-challenge-malformed".to_string()]
            )
        );
        assert_eq!(
            case("DPoP", false),
            (Outcome::Warn, vec!["dpop-binding-challenge-no-algs".to_string()])
        );
        assert_eq!(
            case(r#"DPoP algs="HS256 none""#, false),
            (Outcome::Fail, vec!["dpop-binding-forbidden-alg".to_string()])
        );
        assert_eq!(
            case(r#"DPoP error="use_dpop_nonce", algs="ES256""#, false),
            (Outcome::Fail, vec!["dpop-binding-nonce-missing".to_string()])
        );
        assert_eq!(
            case(r#"DPoP error="use_dpop_nonce", algs="ES256""#, true),
            (Outcome::Pass, vec![])
        );
        // A DPoP challenge alone is a DPoP signal.
        let (o, _) = mcp(
            &format!(r#"DPoP algs="HS256", {rm}"#),
            prm(&format!("{ORIGIN}/mcp")),
            as_doc(),
            false,
        );
        assert_eq!(o, Outcome::Fail);
        // A Bearer challenge that only mentions DPoP in a quoted string is
        // no DPoP signal.
        let (o, _) = mcp(
            &format!(r#"Bearer error_description="tokens are not DPoP bound", {rm}"#),
            prm(&format!("{ORIGIN}/mcp")),
            as_doc(),
            false,
        );
        assert_eq!(o, Outcome::Skip);
    }
}
