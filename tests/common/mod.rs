//! Helpers shared by the integration tests: scanning a loopback URL with
//! the real engine and client, and the report schema.
#![allow(dead_code, reason = "each test binary uses a different subset")]

use agentready::engine::Engine;
use agentready::evidence::{Evidence, Mode};
use agentready::http::{HttpClient, HttpConfig};
use agentready::probe::GatherOptions;
use agentready::report::Report;
use agentready::target::Target;
use std::time::Duration;

/// Scan `url` with the whole catalogue and the given client settings.
pub async fn scan_with(
    url: &str,
    config: HttpConfig,
    target_timeout: Duration,
) -> (Report, Evidence) {
    scan_with_options(url, config, target_timeout, Mode::Safe).await
}

/// Scan `url` in a given mode.
pub async fn scan_with_options(
    url: &str,
    config: HttpConfig,
    target_timeout: Duration,
    mode: Mode,
) -> (Report, Evidence) {
    let engine = Engine::new(Vec::new(), &[], &[]).expect("catalogue");
    let client = HttpClient::new(config).expect("client");
    let target = Target::parse(url).expect("target");
    let opts = GatherOptions {
        mode,
        target_timeout,
        ..GatherOptions::default()
    };
    engine.scan(&client, &target, &opts).await
}

/// Scan `url` with default settings.
pub async fn scan(url: &str) -> (Report, Evidence) {
    scan_with(url, HttpConfig::loopback_only(), Duration::from_secs(10)).await
}

/// The outcome of a check, as its lower-case name.
pub fn outcome(report: &Report, id: &str) -> &'static str {
    report
        .check(id)
        .unwrap_or_else(|| panic!("no check {id}"))
        .outcome
        .as_str()
}

/// Finding codes of a check.
pub fn codes(report: &Report, id: &str) -> Vec<String> {
    report
        .check(id)
        .map(|c| c.findings.iter().map(|f| f.code.clone()).collect())
        .unwrap_or_default()
}

/// Validate a JSON value against checks/schema/report.schema.json.
pub fn assert_report_schema(value: &serde_json::Value) {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../checks/schema/report.schema.json"))
            .expect("schema JSON");
    let v = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = v
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "report does not match the schema:\n{}",
        errors.join("\n")
    );
}
