//! `as-metadata-conformance`: Authorization-server metadata conforms to RFC 8414.
//!
//! RFC 8414 §2, §3 and §3.2, OIDC Discovery §3, MCP 2025-11-25
//! (authorization server metadata discovery).

use super::str_array;
use crate::checks::Builtin;
use crate::checks::codes::as_metadata_conformance as code;
use crate::checks::common::{no_metadata, signed_metadata_problem};
use crate::evidence::Evidence;
use crate::evidence::views::DocState;
use crate::evidence::views::metadata::{as_view, found_docs};
use crate::model::outcome::{Evaluation, finding};
use crate::model::probe::Needs;
use serde_json::{Map, Value};
use std::sync::OnceLock;

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::AS_METADATA,
    eval: as_metadata_conformance,
};

fn as_metadata_schema() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let s: Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/checks/schema/as-metadata.schema.json"
        )))
        .expect("embedded schema is JSON");
        jsonschema::validator_for(&s).expect("embedded schema compiles")
    })
}

/// Grant types that use the authorization endpoint (RFC 8414 §2).
fn uses_authorization_endpoint(doc: &Value) -> bool {
    match str_array(doc, "grant_types_supported") {
        // Omitted: the default is ["authorization_code", "implicit"].
        None => true,
        Some(g) => g
            .iter()
            .any(|g| *g == "authorization_code" || *g == "implicit"),
    }
}

fn only_implicit(doc: &Value) -> bool {
    str_array(doc, "grant_types_supported")
        .is_some_and(|g| !g.is_empty() && g.iter().all(|g| *g == "implicit"))
}

/// `as-metadata-conformance`: RFC 8414 §2 and §3.2, OIDC Discovery §3.
pub fn as_metadata_conformance(ev: &Evidence) -> Evaluation {
    let view = as_view(ev);
    let docs = found_docs(&view);
    if docs.is_empty() {
        return no_metadata();
    }
    let mut findings = Vec::new();
    let mut probes = Vec::new();
    for (c, doc, _) in &docs {
        probes.push(c.probe.to_string());
        let url = c.url.as_str();
        let p = Some(c.probe.as_str());
        let resp = ev
            .exchanges()
            .get(c.exchange)
            .and_then(|x| x.response.as_ref());
        if let Some(resp) = resp
            && !resp.is_json_media_type()
        {
            findings.push(finding(
                code::CONTENT_TYPE,
                format!(
                    "{url} is served as {} instead of application/json (RFC 8414 §3.2)",
                    resp.header("content-type").unwrap_or("(no Content-Type)")
                ),
                p,
            ));
        }
        for r in ev.json_repairs_at(c.exchange).iter() {
            findings.push(finding(code::JSON_MEMBER, format!("{url}: {r}"), p));
        }
        for e in as_metadata_schema().iter_errors(doc) {
            findings.push(finding(
                code::TYPE,
                format!(
                    "{url}: member {} has the wrong type: {e}",
                    e.instance_path()
                ),
                p,
            ));
        }
        let mut missing: Vec<&str> = Vec::new();
        if doc.get("issuer").is_none() {
            missing.push("issuer");
        }
        // An empty REQUIRED array says nothing (RFC 8414 §3.2 omits empty
        // members): it counts as missing.
        if doc
            .get("response_types_supported")
            .is_none_or(|v| v.as_array().is_some_and(Vec::is_empty))
        {
            missing.push("response_types_supported");
        }
        if doc.get("authorization_endpoint").is_none() && uses_authorization_endpoint(doc) {
            missing.push("authorization_endpoint");
        }
        if doc.get("token_endpoint").is_none() && !only_implicit(doc) {
            missing.push("token_endpoint");
        }
        if !missing.is_empty() {
            findings.push(finding(
                code::MISSING_REQUIRED,
                format!(
                    "{url} lacks REQUIRED member(s) {} (RFC 8414 §2)",
                    missing.join(", ")
                ),
                p,
            ));
        }
        if c.form.is_oidc() {
            let oidc_missing: Vec<&str> = [
                "jwks_uri",
                "subject_types_supported",
                "id_token_signing_alg_values_supported",
            ]
            .into_iter()
            .filter(|k| doc.get(*k).is_none())
            .collect();
            if !oidc_missing.is_empty() {
                findings.push(finding(
                    code::OIDC_REQUIRED,
                    format!(
                        "{url} is an OpenID discovery document but lacks {} (OpenID Connect Discovery §3)",
                        oidc_missing.join(", ")
                    ),
                    p,
                ));
            }
        }
        let empty: Vec<&String> = doc
            .as_object()
            .map(Map::iter)
            .into_iter()
            .flatten()
            .filter(|(_, v)| v.as_array().is_some_and(Vec::is_empty))
            .map(|(k, _)| k)
            .collect();
        if !empty.is_empty() {
            findings.push(finding(
                code::EMPTY_ARRAY,
                format!(
                    "{url} has empty arrays ({}): RFC 8414 §3.2 says members with zero elements are omitted",
                    empty.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                ),
                p,
            ));
        }
        if str_array(doc, "token_endpoint_auth_signing_alg_values_supported")
            .is_some_and(|a| a.contains(&"none"))
        {
            findings.push(finding(
                code::ALG_NONE,
                format!("{url}: token_endpoint_auth_signing_alg_values_supported lists \"none\", which RFC 8414 §2 forbids"),
                p,
            ));
        }
        if let Some(problem) = signed_metadata_problem(doc) {
            findings.push(finding(
                code::SIGNED_METADATA,
                format!("{url}: {problem}"),
                p,
            ));
        }
    }
    // OpenID discovery alone satisfies discovery, but clients built before
    // MCP 2025-11-25 look only at the RFC 8414 §3 URL: an issuer whose
    // RFC 8414 URL answered without a document, while its OpenID
    // configuration was found, should publish both. An RFC 8414 URL that
    // was not sent or not answered says nothing (not verified).
    for iv in view.iter() {
        let Some((c, _)) = iv.effective() else {
            continue;
        };
        let rfc8414 = iv
            .candidates
            .iter()
            .find(|c| c.form == crate::model::probe::MetadataForm::Rfc8414);
        let answered_without_doc = rfc8414.is_some_and(|r| {
            matches!(
                r.state,
                DocState::Status(_) | DocState::NotJsonObject { .. } | DocState::CatchAll
            )
        });
        if c.form.is_oidc() && answered_without_doc {
            findings.push(finding(
                code::OIDC_ONLY,
                format!(
                    "{}: only the OpenID configuration ({}) is published; also publish RFC 8414 metadata at {}: clients built before MCP 2025-11-25 look only there",
                    iv.issuer,
                    c.url,
                    rfc8414.map_or("", |r| r.url.as_str())
                ),
                Some(c.probe.as_str()),
            ));
        }
    }
    let summary = if findings.is_empty() {
        format!("{} to RFC 8414 §2", crate::model::texts::count(docs.len(), "metadata document conforms", "metadata documents conform"))
    } else {
        format!(
            "{} in {}",
            crate::model::texts::count(findings.len(), "conformance problem", "conformance problems"),
            crate::model::texts::count(docs.len(), "metadata document", "metadata documents")
        )
    };
    Evaluation::evaluated(summary, findings, probes)
}

#[cfg(test)]
mod tests {

    use crate::checks::testkit::metadata::*;

    use crate::model::outcome::Outcome;
    use crate::testing::{ORIGIN, evidence, route, site};
    use serde_json::json as j;
    /// OpenID discovery alone: a warn, publish RFC 8414 too.
    #[test]
    fn an_oidc_only_issuer_is_asked_to_publish_rfc8414_too() {
        let only_oidc = evidence(
            site(vec![crate::testing::json(OIDC, &oidc_doc())], None),
            ORIGIN,
        );
        assert_eq!(
            judge(&only_oidc, "as-metadata-conformance"),
            (
                Outcome::Warn,
                vec!["as-metadata-conformance-oidc-only".to_string()]
            )
        );
        // Discovery still passes: the document is found.
        assert_eq!(judge(&only_oidc, "as-metadata-discovery").0, Outcome::Pass);
        let both = evidence(
            site(
                vec![
                    crate::testing::json(AS, &oidc_doc()),
                    crate::testing::json(OIDC, &oidc_doc()),
                ],
                None,
            ),
            ORIGIN,
        );
        assert_eq!(judge(&both, "as-metadata-conformance").0, Outcome::Pass);
    }

    #[test]
    fn conformance_requires_the_required_members() {
        for key in [
            "issuer",
            "response_types_supported",
            "authorization_endpoint",
            "token_endpoint",
        ] {
            let (o, codes) = conformance(without(good_doc(), key));
            assert_eq!(o, Outcome::Fail, "{key}");
            assert!(
                codes.contains(&"as-metadata-conformance-missing-required".to_string()),
                "{key}"
            );
        }
        // An empty REQUIRED array is as good as missing.
        let (o, codes) = conformance(with(good_doc(), "response_types_supported", j!([])));
        assert_eq!(o, Outcome::Fail);
        assert!(codes.contains(&"as-metadata-conformance-missing-required".to_string()));
        // No grant uses the authorization endpoint: it may be omitted.
        let doc = with(
            without(good_doc(), "authorization_endpoint"),
            "grant_types_supported",
            j!(["client_credentials"]),
        );
        assert_eq!(conformance(doc).0, Outcome::Pass);
    }

    #[test]
    fn conformance_checks_types_empty_arrays_and_media_type() {
        let (o, codes) = conformance(with(good_doc(), "scopes_supported", j!("read write")));
        assert_eq!(
            (o, codes),
            (
                Outcome::Fail,
                vec!["as-metadata-conformance-type".to_string()]
            )
        );
        let (o, codes) = conformance(with(good_doc(), "ui_locales_supported", j!([])));
        assert_eq!(
            (o, codes),
            (
                Outcome::Warn,
                vec!["as-metadata-conformance-empty-array".to_string()]
            )
        );
        let ev = evidence(
            site(
                vec![route(AS, 200, "text/plain", &good_doc().to_string())],
                None,
            ),
            ORIGIN,
        );
        assert_eq!(
            judge(&ev, "as-metadata-conformance"),
            (
                Outcome::Warn,
                vec!["as-metadata-conformance-content-type".to_string()]
            )
        );
        let (o, codes) = conformance(with(
            good_doc(),
            "token_endpoint_auth_signing_alg_values_supported",
            j!(["RS256", "none"]),
        ));
        assert_eq!(
            (o, codes),
            (
                Outcome::Fail,
                vec!["as-metadata-conformance-alg-none".to_string()]
            )
        );
    }

    #[test]
    fn conformance_checks_signed_metadata() {
        let (o, codes) = conformance(with(good_doc(), "signed_metadata", j!("not-a-jws")));
        assert_eq!(
            (o, codes),
            (
                Outcome::Fail,
                vec!["as-metadata-conformance-signed-metadata".to_string()]
            )
        );
        // header.{"iss":"x"}.sig is accepted (signature verification is out of scope).
        let payload = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            br#"{"iss":"https://as.example.com"}"#,
        );
        let (o, _) = conformance(with(
            good_doc(),
            "signed_metadata",
            j!(format!("eyJhbGciOiJSUzI1NiJ9.{payload}.c2ln")),
        ));
        assert_eq!(o, Outcome::Pass);
    }
}
