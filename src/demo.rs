//! `agentready demo`: serve the bundled example sites on loopback and scan
//! each one. Needs no network beyond 127.0.0.1.

use crate::engine::Engine;
use crate::fixture::{self, Site};
use crate::gather::http::{HttpClient, HttpConfig};
use crate::gather::plan::GatherOptions;
use crate::model::target::Target;
use crate::report::Report;
use std::time::Duration;

/// The bundled sites in demo order (best first).
pub const DEMO_SITES: &[&str] = &["agent-ready", "classic-oauth", "no-auth", "honeypot"];

/// One demo result.
#[derive(Debug)]
pub struct DemoResult {
    /// Site name.
    pub site: String,
    /// What the site shows.
    pub description: String,
    /// The scan report.
    pub report: Report,
}

/// Serve and scan every demo site.
pub async fn run(engine: &Engine) -> anyhow::Result<Vec<DemoResult>> {
    let client = HttpClient::new(HttpConfig::loopback_only())?;
    let opts = GatherOptions {
        mode: crate::model::exchange::Mode::Safe,
        target_timeout: Duration::from_secs(20),
        ..GatherOptions::default()
    };
    let mut out = Vec::new();
    for name in DEMO_SITES {
        let site = Site::bundled(name)?;
        let description = site.description.clone();
        let running = fixture::serve(site).await?;
        let target = Target::parse(&running.target)?;
        let (report, _) = engine.scan(&client, &target, &opts).await;
        out.push(DemoResult {
            site: (*name).to_string(),
            description,
            report,
        });
    }
    Ok(out)
}
