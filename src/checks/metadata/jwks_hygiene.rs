//! `jwks-hygiene`: The JWK Set at jwks_uri is valid and contains only public keys.
//!
//! RFC 7517 §4, §5, §9.2; RFC 7518 §3.3, §6; RFC 8414 §2.

use crate::checks::Builtin;
use crate::checks::codes::jwks_hygiene as code;
use crate::checks::common::{hop_unverified, schema};
use crate::evidence::Evidence;
use crate::evidence::views::{DocState, state_of};
use crate::model::outcome::{Evaluation, finding};
use crate::model::probe::{Needs, ProbeMeta};
use base64::Engine;
use serde_json::Value;
use std::sync::{Arc, OnceLock};

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::AS_METADATA.with(Needs::JWKS),
    eval: jwks_hygiene,
};

fn jwks_schema() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        schema(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/checks/schema/jwks.schema.json"
        )))
    })
}

const PRIVATE_MEMBERS: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "oth"];

fn rsa_modulus_bits(n: &str) -> Option<usize> {
    // Cap: a 16384-bit modulus is 2731 base64url characters.
    if n.len() > 4096 {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(n.trim_end_matches('='))
        .ok()?;
    let first = bytes.iter().position(|b| *b != 0)?;
    let lead = bytes[first].leading_zeros() as usize;
    Some((bytes.len() - first) * 8 - lead)
}

/// `jwks-hygiene`: RFC 7517 §4, §5, §9.2; RFC 7518 §3.3, §6; RFC 8414 §2.
pub fn jwks_hygiene(ev: &Evidence) -> Evaluation {
    let sets: Vec<(&str, &Vec<String>, usize)> = ev
        .probes_where(|m| matches!(m, ProbeMeta::Jwks { .. }))
        .filter_map(|(id, r)| match &r.meta {
            ProbeMeta::Jwks { named_by } => Some((id, named_by, r.exchange)),
            _ => None,
        })
        .collect();
    if sets.is_empty() {
        return Evaluation::skip("no jwks_uri is advertised in the metadata found");
    }
    let mut findings = Vec::new();
    let mut probes = Vec::new();
    let mut unverified = Vec::new();
    for (probe, named_by, idx) in &sets {
        probes.push(probe.to_string());
        let Some(x) = ev.exchange(*idx) else {
            continue;
        };
        let url = x.request.url.as_str();
        let p = Some(*probe);
        let state = state_of(ev, *idx, x);
        // Not fetched (the SSRF guard, a run restricted to loopback) or not
        // answered: not verified, so neither a pass nor a failure.
        if let Some((f, u)) = hop_unverified(
            ev,
            probe,
            *idx,
            &state,
            code::PRIVATE_ADDRESS_REFUSED,
            &format!("GET of jwks_uri {url}"),
        ) {
            findings.extend(f);
            unverified.push(u);
            continue;
        }
        let doc: Arc<Value> = match state {
            DocState::Found(d) => d,
            DocState::NotJsonObject { .. } | DocState::Truncated => {
                findings.push(finding(
                    code::NOT_JWK_SET,
                    format!(
                        "jwks_uri {url} (named by {}) → {}",
                        named_by.join(", "),
                        state.describe()
                    ),
                    p,
                ));
                continue;
            }
            other => {
                findings.push(finding(
                    code::UNREACHABLE,
                    format!(
                        "jwks_uri {url} (named by {}) → {}",
                        named_by.join(", "),
                        other.describe()
                    ),
                    p,
                ));
                continue;
            }
        };
        let Some(keys) = doc.get("keys").and_then(Value::as_array) else {
            findings.push(finding(
                code::NOT_JWK_SET,
                format!("{url} is a JSON object without a keys array (RFC 7517 §5)"),
                p,
            ));
            continue;
        };
        if let Some(resp) = &x.response {
            let mt = resp.media_type().unwrap_or_default();
            if mt != "application/json" && mt != "application/jwk-set+json" {
                findings.push(finding(
                    code::CONTENT_TYPE,
                    format!("{url} is served as {} instead of application/json or application/jwk-set+json", if mt.is_empty() { "(no Content-Type)" } else { &mt }),
                    p,
                ));
            }
        }
        if keys.is_empty() {
            findings.push(finding(
                code::EMPTY,
                format!("{url}: the keys array is empty"),
                p,
            ));
            continue;
        }
        for e in jwks_schema().iter_errors(&doc) {
            findings.push(finding(
                code::KEY_INVALID,
                format!("{url}: {} {e}", e.instance_path()),
                p,
            ));
        }
        let mut uses: Vec<Option<&str>> = Vec::new();
        let mut kids: Vec<(&str, &str, &Value)> = Vec::new();
        let mut kid_missing = false;
        for (i, key) in keys.iter().enumerate() {
            let Some(obj) = key.as_object() else { continue };
            let kty = obj.get("kty").and_then(Value::as_str).unwrap_or_default();
            let kid = obj.get("kid").and_then(Value::as_str);
            let label = kid.map_or_else(|| format!("key #{i}"), |k| format!("key `{k}`"));
            let private: Vec<&str> = PRIVATE_MEMBERS
                .iter()
                .copied()
                .filter(|m| obj.contains_key(*m))
                .collect();
            if !private.is_empty() {
                findings.push(finding(
                    code::PRIVATE_KEY,
                    format!("{url}: {label} ({kty}) publishes private member(s) {}: its private key is exposed (RFC 7517 §9.2)", private.join(", ")),
                    p,
                ));
            }
            if kty == "oct" && obj.contains_key("k") {
                findings.push(finding(
                    code::SYMMETRIC_KEY,
                    format!("{url}: {label} is a symmetric (oct) key with its secret k published: anyone can forge HMAC-signed tokens"),
                    p,
                ));
            }
            let required: &[&str] = match kty {
                "RSA" => &["n", "e"],
                "EC" => &["crv", "x", "y"],
                "OKP" => &["crv", "x"],
                _ => &[],
            };
            let missing: Vec<&str> = required
                .iter()
                .copied()
                .filter(|m| !obj.get(*m).is_some_and(Value::is_string))
                .collect();
            if !kty.is_empty() && !missing.is_empty() {
                findings.push(finding(
                    code::KEY_INVALID,
                    format!("{url}: {label} ({kty}) lacks {}", missing.join(", ")),
                    p,
                ));
            }
            if kty == "RSA"
                && let Some(bits) = obj
                    .get("n")
                    .and_then(Value::as_str)
                    .and_then(rsa_modulus_bits)
                && bits < 2048
            {
                findings.push(finding(
                    code::RSA_KEY_TOO_SHORT,
                    format!("{url}: {label} has a {bits}-bit RSA modulus (RFC 7518 §3.3 requires 2048 or more)"),
                    p,
                ));
            }
            uses.push(obj.get("use").and_then(Value::as_str));
            match kid {
                Some(k) => kids.push((kty, k, key)),
                None => kid_missing = true,
            }
        }
        let has_sig = uses.contains(&Some("sig"));
        let has_enc = uses.contains(&Some("enc"));
        if has_sig && has_enc && uses.contains(&None) {
            findings.push(finding(
                code::USE_MISSING,
                format!("{url} mixes signing and encryption keys but not every key has `use` (RFC 8414 §2)"),
                p,
            ));
        }
        for (i, (kty, kid, key)) in kids.iter().enumerate() {
            if kids[..i]
                .iter()
                .any(|(t, k, other)| t == kty && k == kid && other != key)
            {
                findings.push(finding(
                    code::DUPLICATE_KID,
                    format!("{url}: two different {kty} keys share kid `{kid}` (RFC 7517 §4.5)"),
                    p,
                ));
            }
        }
        if kid_missing && keys.len() > 1 {
            findings.push(finding(
                code::KID_MISSING,
                format!(
                    "{url} holds {} keys and at least one has no kid",
                    keys.len()
                ),
                p,
            ));
        }
    }
    let summary = if findings
        .iter()
        .any(|f| f.code == code::PRIVATE_KEY || f.code == code::SYMMETRIC_KEY)
    {
        "A published JWK Set exposes key material that must stay secret".to_string()
    } else if findings.is_empty() {
        format!(
            "{} valid and {} public keys only",
            crate::model::texts::count(sets.len(), "JWK Set is", "JWK Sets are"),
            crate::model::texts::plural(sets.len(), "publishes", "publish")
        )
    } else {
        format!("{} in {}", crate::model::texts::count(findings.len(), "problem", "problems"), crate::model::texts::count(sets.len(), "JWK Set", "JWK Sets"))
    };
    Evaluation::evaluated(summary, findings, probes).with_unverified(unverified)
}

#[cfg(test)]
mod tests {

    use crate::checks::testkit::discovery::*;

    use crate::model::outcome::Outcome;
    use crate::testing::{ORIGIN, evidence, json, route, site};
    use serde_json::json as j;
    #[test]
    fn jwks_outcomes() {
        assert_eq!(jwks_codes(j!([ec_key()])).0, Outcome::Pass);
        let mut leaked = ec_key();
        leaked["d"] = j!("jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI");
        assert_eq!(
            jwks_codes(j!([leaked])),
            (Outcome::Fail, vec!["jwks-hygiene-private-key".to_string()])
        );
        assert_eq!(
            jwks_codes(j!([{"kty": "oct", "kid": "h", "k": "c2VjcmV0"}])),
            (
                Outcome::Fail,
                vec!["jwks-hygiene-symmetric-key".to_string()]
            )
        );
        assert_eq!(
            jwks_codes(j!([])),
            (Outcome::Warn, vec!["jwks-hygiene-empty".to_string()])
        );
        assert_eq!(
            jwks_codes(j!([{"kty": "RSA", "kid": "r"}])),
            (Outcome::Fail, vec!["jwks-hygiene-key-invalid".to_string()])
        );
        // 1024-bit modulus: 128 bytes with the top bit set.
        let n = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            [0xc0u8; 128],
        );
        assert_eq!(
            jwks_codes(j!([{"kty": "RSA", "kid": "r", "n": n, "e": "AQAB"}])),
            (
                Outcome::Fail,
                vec!["jwks-hygiene-rsa-key-too-short".to_string()]
            )
        );
        let mut other = ec_key();
        other["x"] = j!("WKn-ZIGevcwGIyyrzFoZNBdaq9_TsqzGl96oc0CWuis");
        assert_eq!(
            jwks_codes(j!([ec_key(), other])),
            (
                Outcome::Warn,
                vec!["jwks-hygiene-duplicate-kid".to_string()]
            )
        );
        let mut enc = ec_key();
        enc["kid"] = j!("b");
        enc["use"] = j!("enc");
        let nouse = without(with(ec_key(), "kid", j!("c")), "use");
        assert_eq!(
            jwks_codes(j!([ec_key(), enc, nouse])),
            (Outcome::Fail, vec!["jwks-hygiene-use-missing".to_string()])
        );
        let nokid = without(ec_key(), "kid");
        let mut second = ec_key();
        second["kid"] = j!("z");
        assert_eq!(
            jwks_codes(j!([nokid, second])),
            (Outcome::Warn, vec!["jwks-hygiene-kid-missing".to_string()])
        );
    }

    #[test]
    fn jwks_fetch_problems() {
        // Not advertised: skip.
        let ev = evidence(
            site(vec![json(AS, &without(as_doc(), "jwks_uri"))], None),
            ORIGIN,
        );
        assert_eq!(judge(&ev, "jwks-hygiene").0, Outcome::Skip);
        // Advertised but 404.
        let ev = evidence(site(vec![json(AS, &as_doc())], None), ORIGIN);
        assert_eq!(
            judge(&ev, "jwks-hygiene"),
            (Outcome::Fail, vec!["jwks-hygiene-unreachable".to_string()])
        );
        // A JSON array is not a JWK Set.
        let ev = evidence(
            site(
                vec![json(AS, &as_doc()), json("/jwks", &j!([ec_key()]))],
                None,
            ),
            ORIGIN,
        );
        assert_eq!(
            judge(&ev, "jwks-hygiene"),
            (Outcome::Fail, vec!["jwks-hygiene-not-jwk-set".to_string()])
        );
        // Served as text.
        let ev = evidence(
            site(
                vec![
                    json(AS, &as_doc()),
                    route(
                        "/jwks",
                        200,
                        "text/plain",
                        &j!({"keys": [ec_key()]}).to_string(),
                    ),
                ],
                None,
            ),
            ORIGIN,
        );
        assert_eq!(
            judge(&ev, "jwks-hygiene"),
            (Outcome::Warn, vec!["jwks-hygiene-content-type".to_string()])
        );
        // A public target naming a private jwks_uri: refused, not fetched.
        let ev = evidence(
            site(
                vec![json(
                    AS,
                    &with(as_doc(), "jwks_uri", j!("http://192.168.1.1/jwks")),
                )],
                None,
            ),
            ORIGIN,
        );
        assert_eq!(
            judge(&ev, "jwks-hygiene"),
            (
                Outcome::Skip,
                vec!["jwks-hygiene-private-address-refused".to_string()]
            )
        );
        let r = crate::testing::judge(&ev, "jwks-hygiene");
        assert!(r.summary.contains("--allow-private"), "{}", r.summary);
    }
}
