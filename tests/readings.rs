//! Readings of the standards that real servers showed to be open, each on
//! a bundled fixture site that reproduces the real behaviour, scanned over
//! loopback HTTP: the verdict each reading gives. One test per reading.

mod common;

use agentready::report::Report;
use common::{codes, outcome, runtime, serve_site};

/// Scan a bundled site at its target URL.
fn scan_site(name: &str) -> Report {
    let rt = runtime();
    let running = serve_site(&rt, name);
    let target = running.target.clone();
    rt.block_on(common::scan(&target)).0
}

/// Empty bodies are judged by status (RFC 7009 §2.2): an empty 200
/// labelled text/html is the revocation success answer.
#[test]
fn an_empty_revocation_200_labelled_html_is_success() {
    let report = scan_site("oidc-realm");
    assert_eq!(outcome(&report, "token-revocation"), "pass");
}

/// An empty 403 from introspection is a refusal, a warn for its form (RFC
/// 7662 §2.1, §2.3), not an unavailable endpoint.
#[test]
fn an_empty_introspection_403_is_a_refusal() {
    let report = scan_site("oidc-realm");
    assert_eq!(outcome(&report, "token-introspection"), "warn");
    assert_eq!(
        codes(&report, "token-introspection"),
        ["token-introspection-refusal-without-oauth-error"]
    );
}

/// The answer to a bogus token is judged whatever its status: a 500 from
/// the userinfo endpoint fails (RFC 6750 §3.1).
#[test]
fn a_500_to_a_bogus_token_fails() {
    let report = scan_site("oidc-realm");
    let c = codes(&report, "bearer-challenge");
    assert_eq!(outcome(&report, "bearer-challenge"), "fail", "{c:?}");
    assert!(
        c.contains(&"bearer-challenge-invalid-token-server-error".to_string()),
        "{c:?}"
    );
}

/// The issuer path is not an API; the userinfo endpoint is probed instead
/// (OpenID Connect Core §5.3) and its challenge judged.
#[test]
fn an_issuer_target_is_judged_by_its_userinfo_endpoint() {
    let report = scan_site("oidc-realm");
    let check = report.check("bearer-challenge").unwrap();
    assert!(!check.findings.is_empty());
    assert!(
        check
            .findings
            .iter()
            .all(|f| f.message.contains("/protocol/openid-connect/userinfo")),
        "the issuer path was judged as an API: {:?}",
        check.findings
    );
    let c = codes(&report, "bearer-challenge");
    assert!(
        c.contains(&"bearer-challenge-missing-resource-metadata".to_string()),
        "{c:?}"
    );
}

/// OpenID discovery alone: discovery passes, conformance warns.
#[test]
fn openid_discovery_alone_warns_conformance() {
    let report = scan_site("oidc-realm");
    assert_eq!(outcome(&report, "as-metadata-discovery"), "pass");
    assert_eq!(outcome(&report, "as-metadata-conformance"), "warn");
    assert_eq!(
        codes(&report, "as-metadata-conformance"),
        ["as-metadata-conformance-oidc-only"]
    );
}

/// A root PRM copy naming the path-specific resource, beside a valid
/// path-inserted document and challenge: a warn on the root copy, not a
/// failure of `protected-resource-metadata`.
#[test]
fn a_root_prm_copy_naming_the_path_resource_warns() {
    let report = scan_site("mcp-root-copy");
    assert_eq!(outcome(&report, "protected-resource-metadata"), "warn");
    assert_eq!(
        codes(&report, "protected-resource-metadata"),
        ["protected-resource-metadata-root-names-path-resource"]
    );
    // The route an MCP client follows is consistent.
    assert_eq!(outcome(&report, "discovery-consistency"), "pass");
}

/// An unscoped API key as the only security cannot match scopes to risk:
/// a warn naming the destructive operations any key holder can call.
#[test]
fn an_unscoped_api_key_as_the_only_security_warns() {
    let report = scan_site("swagger-keys");
    assert_eq!(outcome(&report, "action-classification"), "warn");
    let check = report.check("action-classification").unwrap();
    assert_eq!(
        check.findings[0].code,
        "action-classification-unscoped-credential"
    );
    assert!(
        check.findings[0].message.contains("DELETE"),
        "{:?}",
        check.findings
    );
}

/// Granular scopes alone are partial: without a step-up signal
/// `progressive-scoping` warns.
#[test]
fn granular_scopes_without_a_step_up_signal_warn() {
    let report = scan_site("notes-portal");
    assert_eq!(outcome(&report, "progressive-scoping"), "warn");
    assert!(
        codes(&report, "progressive-scoping")
            .contains(&"progressive-scoping-no-step-up-signal".to_string())
    );
}

/// A broken service-doc beside a working, parseable service-desc: a warn.
#[test]
fn a_broken_doc_link_beside_a_working_service_desc_warns() {
    let report = scan_site("notes-portal");
    assert_eq!(outcome(&report, "api-catalog"), "warn");
    assert_eq!(
        codes(&report, "api-catalog"),
        ["api-catalog-doc-link-broken"]
    );
}

/// A reCAPTCHA interstitial answering a JSON API request fails like the
/// other vendors' challenges.
#[test]
fn a_recaptcha_interstitial_answering_an_api_request_fails() {
    let report = scan_site("notes-portal");
    assert_eq!(outcome(&report, "bot-challenge"), "fail");
    assert!(codes(&report, "bot-challenge").contains(&"bot-challenge-captcha-markup".to_string()));
}

/// A site root that 404s, probed only because the description named the
/// origin as its server, is not an API endpoint that should have answered
/// 401.
#[test]
fn a_site_root_that_404s_is_not_an_api() {
    let report = scan_site("notes-portal");
    let check = report.check("bearer-challenge").unwrap();
    assert_eq!(check.outcome.as_str(), "skip", "{}", check.summary);
    assert!(check.summary.contains("404"), "{}", check.summary);
}
