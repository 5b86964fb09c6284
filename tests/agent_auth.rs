//! Scenario tests of auth.md agent registration on loopback fixture sites:
//! both field generations, malformed blocks, an SPA shell for /auth.md, an
//! auth.md with nothing behind it.

mod common;

use agentready::fixture::{Site, serve};
use common::{codes, outcome, scan};

async fn scan_site(name: &str) -> (agentready::report::Report, agentready::fixture::RunningSite) {
    let running = serve(Site::bundled(name).unwrap()).await.unwrap();
    let (report, _) = scan(&running.target).await;
    for (req, n) in running.requests() {
        assert_eq!(n, 1, "{name}: {req} sent {n} times");
    }
    (report, running)
}

fn version(report: &agentready::report::Report) -> Option<String> {
    report
        .check("agent-auth-metadata")
        .and_then(|c| c.data.as_ref())
        .and_then(|d| d["version"].as_str().map(str::to_string))
}

#[tokio::test]
async fn a_v02_site_passes_and_is_detected() {
    let (report, running) = scan_site("agent-ready").await;
    for id in [
        "auth-md",
        "agent-auth-metadata",
        "agent-registration-endpoint",
        "identity-assertion",
        "discovery-consistency",
    ] {
        assert_eq!(
            outcome(&report, id),
            "pass",
            "{id}: {:?}",
            codes(&report, id)
        );
    }
    assert_eq!(version(&report).as_deref(), Some("v0.2+"));
    // The registration probe is an empty object, answered with a JSON error.
    assert_eq!(running.requests().get("POST /agent/identity"), Some(&1));
    let x = report
        .exchanges
        .iter()
        .find(|x| x.url.ends_with("/agent/identity"))
        .unwrap();
    assert_eq!(x.sent.as_deref(), Some("{}"));
    assert_eq!(x.status, Some(400));
}

#[tokio::test]
async fn a_v01_site_like_swmansion_is_detected_and_warned() {
    let (report, _) = scan_site("agent-auth-v01").await;
    assert_eq!(version(&report).as_deref(), Some("v0.1"));
    assert_eq!(outcome(&report, "agent-auth-metadata"), "warn");
    assert!(
        codes(&report, "agent-auth-metadata")
            .contains(&"agent-auth-metadata-legacy-version".to_string())
    );
    assert_eq!(
        outcome(&report, "auth-md"),
        "pass",
        "{:?}",
        codes(&report, "auth-md")
    );
    assert_eq!(outcome(&report, "agent-registration-endpoint"), "pass");
    // No ID-JAG anywhere.
    assert_eq!(outcome(&report, "identity-assertion"), "skip");
}

#[tokio::test]
async fn fields_outside_the_block_and_a_string_block_fail() {
    let (report, _) = scan_site("agent-auth-malformed").await;
    assert_eq!(outcome(&report, "agent-auth-metadata"), "fail");
    let c = codes(&report, "agent-auth-metadata");
    assert!(
        c.contains(&"agent-auth-metadata-fields-outside-block".to_string()),
        "{c:?}"
    );
    assert!(
        c.contains(&"agent-auth-metadata-not-object".to_string()),
        "{c:?}"
    );
    assert_eq!(outcome(&report, "auth-md"), "fail");
    assert!(codes(&report, "auth-md").contains(&"auth-md-heading-missing".to_string()));
    assert_eq!(outcome(&report, "agent-registration-endpoint"), "skip");
}

#[tokio::test]
async fn an_spa_shell_is_not_an_auth_md() {
    let (report, _) = scan_site("honeypot").await;
    assert_eq!(outcome(&report, "auth-md"), "fail");
    assert_eq!(codes(&report, "auth-md"), vec!["auth-md-html"]);
    assert_eq!(outcome(&report, "agent-auth-metadata"), "skip");
}

#[tokio::test]
async fn auth_md_without_metadata_behind_it() {
    let (report, _) = scan_site("auth-md-only").await;
    // The document itself is well formed ...
    assert_eq!(outcome(&report, "auth-md"), "pass");
    // ... but it points at metadata that does not exist.
    assert_eq!(outcome(&report, "agent-auth-metadata"), "skip");
    assert_eq!(outcome(&report, "as-metadata-discovery"), "fail");
    assert_eq!(report.level, Some(0));
    let q7 = report.questions.iter().find(|q| q.id == "Q7").unwrap();
    assert_eq!(
        q7.answer, "yes",
        "auth.md is published; the level says nothing stands behind it"
    );
}

/// The real swmansion.com document (fixtures/corpus): a v0.1 field set
/// with an http registration endpoint on another origin.
#[tokio::test]
async fn the_real_v01_document_is_detected() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/corpus/real-metadata/swmansion-agentauth-oauth-authorization-server.json"
    ))
    .unwrap();
    let site = agentready::testing::site(
        vec![agentready::testing::route(
            "/.well-known/oauth-authorization-server",
            200,
            "application/json",
            &text,
        )],
        None,
    );
    let running = serve(site).await.unwrap();
    let (report, _) = scan(&running.origin).await;
    assert_eq!(version(&report).as_deref(), Some("v0.1"));
    let c = codes(&report, "agent-auth-metadata");
    for code in [
        "agent-auth-metadata-legacy-version",
        "agent-auth-metadata-registration-endpoint-invalid",
        "agent-auth-metadata-cross-origin-endpoint",
    ] {
        assert!(c.contains(&code.to_string()), "{code} missing from {c:?}");
    }
    assert_eq!(outcome(&report, "agent-auth-metadata"), "fail");
    // Its endpoints are on swmansion.com: reported, never fetched here.
    assert_eq!(outcome(&report, "agent-registration-endpoint"), "skip");
    assert!(
        report
            .exchanges
            .iter()
            .all(|x| !x.url.contains("swmansion.com") || x.status.is_none())
    );
}
