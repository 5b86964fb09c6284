//! Catalogue invariants: every file is schema-valid, ids and codes are
//! unique and stable, metadata is complete, and the registry of built-in
//! checks and the catalogue files match one to one. (That every code a
//! check produces is declared, and every declared code is produced, the
//! compiler checks: see build.rs.)

use agentready::engine::catalogue::{self, parse_check};

use agentready::checks::registry::{BUILTINS, builtin};
use agentready::model::catalogue::Implementation;
use std::collections::BTreeSet;

/// The check ids (a contract: reports and configs name them).
const CONTRACT_IDS: &[&str] = &[
    "as-metadata-discovery",
    "protected-resource-metadata",
    "bearer-challenge",
    "discovery-consistency",
    "as-metadata-conformance",
    "issuer-identifier",
    "endpoint-transport",
    "jwks-hygiene",
    "oauth21-grants",
    "pkce-s256",
    "pkce-downgrade",
    "device-authorization",
    "client-registration",
    "delegation-grants",
    "browserless-path",
    "scopes-published",
    "scope-classification",
    "least-privilege",
    "progressive-scoping",
    "auth-md",
    "agent-auth-metadata",
    "agent-registration-endpoint",
    "identity-assertion",
    "token-revocation",
    "token-introspection",
    "token-lifetime",
    "request-attribution",
    "bot-challenge",
    "rate-limit-signals",
    "x402-payment",
    "api-catalog",
    "action-classification",
    "api-key-scheme",
];

#[test]
fn every_check_file_is_valid_and_ids_are_unique() {
    let all = catalogue::load_builtin().expect("catalogue loads and validates");
    let ids: BTreeSet<&str> = all.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids.len(), all.len(), "duplicate ids");
    for id in CONTRACT_IDS {
        assert!(
            ids.contains(id),
            "contract id `{id}` has no checks/{id}.toml"
        );
    }
}

#[test]
fn metadata_is_complete() {
    for m in catalogue::builtin() {
        assert!(
            m.rationale.trim().len() >= 100,
            "{}: rationale too thin",
            m.id
        );
        assert!(
            m.remediation.trim().len() >= 40,
            "{}: remediation too thin",
            m.id
        );
        assert!(!m.references.is_empty(), "{}: no references", m.id);
        for r in &m.references {
            assert!(
                r.url.starts_with("https://"),
                "{}: reference {} is not https",
                m.id,
                r.url
            );
        }
        assert!(!m.findings.is_empty(), "{}: no finding codes", m.id);
        assert!(
            m.findings
                .iter()
                .any(|f| f.outcome != agentready::model::outcome::FindingLevel::Info),
            "{}: no finding can fail or warn",
            m.id
        );
    }
}

#[test]
fn rust_checks_and_the_registry_match_one_to_one() {
    let rust: BTreeSet<&str> = catalogue::builtin()
        .iter()
        .filter(|m| m.implementation == Implementation::Rust)
        .map(|m| m.id.as_str())
        .collect();
    let registered: BTreeSet<&str> = BUILTINS.iter().map(|b| b.id).collect();
    assert_eq!(rust, registered);
    for b in BUILTINS {
        assert!(builtin(b.id).is_some(), "{}", b.id);
    }
}

/// Renames of ids or codes are a contract change: they show up here as a
/// diff to review. Regenerate with `UPDATE_SNAPSHOTS=1 cargo test --test catalogue`.
#[test]
fn ids_and_codes_snapshot() {
    let mut text = String::new();
    for m in catalogue::builtin() {
        text.push_str(&m.id);
        text.push('\n');
        let mut codes: Vec<String> = m
            .findings
            .iter()
            .map(|f| {
                let level = match f.outcome {
                    agentready::model::outcome::FindingLevel::Fail => "fail",
                    agentready::model::outcome::FindingLevel::Warn => "warn",
                    agentready::model::outcome::FindingLevel::Info => "info",
                };
                format!("  {} ({level})\n", f.code)
            })
            .collect();
        codes.sort();
        text.extend(codes);
    }
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/snapshots/catalogue-codes.txt"
    );
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(path, &text).unwrap();
    }
    let stored = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        stored == text,
        "check ids or finding codes changed; review and run UPDATE_SNAPSHOTS=1 cargo test --test catalogue\n--- stored\n{stored}\n--- now\n{text}"
    );
}

#[test]
fn schema_violations_are_reported_with_their_location() {
    let bad = r#"
id = "my-check"
title = "A title"
category = "nonsense"
severity = "high"
implementation = "planned"
rationale = "Long enough rationale for the schema to accept it."
remediation = "Long enough remediation for the schema."
references = [{ title = "RFC 1", url = "http://insecure.example" }]
findings = [{ code = "my-check-x", outcome = "fail", description = "Something went wrong." }]
"#;
    let err = parse_check("my-check.toml", bad).unwrap_err().to_string();
    assert!(err.contains("/category"), "{err}");
    assert!(err.contains("/references/0/url"), "{err}");
    // Unknown fields are refused.
    let unknown = bad.replace("nonsense", "pkce") + "\nextra = 1\n";
    let unknown = unknown.replace("http://insecure", "https://secure");
    assert!(parse_check("my-check.toml", &unknown).is_err());
    // The id must match the file name, codes must carry the id.
    let good = bad
        .replace("nonsense", "pkce")
        .replace("http://insecure", "https://secure");
    assert!(parse_check("my-check.toml", &good).is_ok());
    assert!(parse_check("other.toml", &good).is_err());
    let wrong_code = good.replace("my-check-x", "other-x");
    assert!(parse_check("my-check.toml", &wrong_code).is_err());
}

#[test]
fn declarative_rules_are_validated_at_load_time() {
    let base = r#"
id = "my-rule"
title = "A declarative rule"
category = "discovery"
severity = "low"
implementation = "declarative"
rationale = "Long enough rationale for the schema to accept it."
remediation = "Long enough remediation for the schema."
references = [{ title = "Somewhere", url = "https://example.com/spec" }]
findings = [{ code = "my-rule-missing", outcome = "fail", description = "The thing is missing." }]

[rule]
path = "/.well-known/thing"
"#;
    let ok = format!("{base}[[rule.match]]\nstatus = [200]\ncode = \"my-rule-missing\"\n");
    assert!(parse_check("my-rule.toml", &ok).is_ok());
    let undeclared = format!("{base}[[rule.match]]\nstatus = [200]\ncode = \"my-rule-other\"\n");
    assert!(
        parse_check("my-rule.toml", &undeclared)
            .unwrap_err()
            .to_string()
            .contains("not declared")
    );
    let bad_regex =
        format!("{base}[[rule.match]]\nbody = true\nregex = \"(\"\ncode = \"my-rule-missing\"\n");
    assert!(
        parse_check("my-rule.toml", &bad_regex)
            .unwrap_err()
            .to_string()
            .contains("regex")
    );
    let two_subjects = format!(
        "{base}[[rule.match]]\nstatus = [200]\nheader = \"x\"\ncode = \"my-rule-missing\"\n"
    );
    assert!(parse_check("my-rule.toml", &two_subjects).is_err());
    let off_origin = ok.replace("/.well-known/thing", "//evil.example/x");
    assert!(parse_check("my-rule.toml", &off_origin).is_err());
    let planned_with_rule = ok.replace("\"declarative\"", "\"planned\"");
    assert!(parse_check("my-rule.toml", &planned_with_rule).is_err());
}
