//! `agentready demo`: serve the bundled example sites on loopback and scan
//! each one. Needs no network beyond 127.0.0.1.

use crate::engine::Engine;
use crate::fixture::{self, Site};
use crate::gather::http::{ConfigError, HttpClient};
use crate::model::target::{Target, TargetError};
use crate::report::Report;
use crate::scan::{ScanError, ScanOptions};

/// Why a bundled site could not be loaded (the fixture server itself is
/// not public).
pub use crate::fixture::SiteError;

/// The bundled sites in demo order (best first).
pub const DEMO_SITES: &[&str] = &[
    "agent-ready",
    "mcp-2026-protected",
    "mcp-legacy-oauth",
    "classic-oauth",
    "no-auth",
    "honeypot",
];

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

/// Why the demo could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DemoError {
    /// The options (never: they are fixed).
    #[error(transparent)]
    Options(#[from] ScanError),
    /// The HTTP client could not be built.
    #[error(transparent)]
    Client(#[from] ConfigError),
    /// A bundled site is missing or invalid.
    #[error(transparent)]
    Site(#[from] SiteError),
    /// A site could not be served on loopback.
    #[error(transparent)]
    Serve(#[from] std::io::Error),
    /// A site's URL is not a target.
    #[error(transparent)]
    Target(#[from] TargetError),
}

/// The options of the demo: the whole catalogue, loopback only (the
/// bundled sites name hosts that must not be contacted), safe mode, a 20 s
/// deadline per site.
pub fn options() -> ScanOptions {
    ScanOptions {
        loopback_only: true,
        allow_private: true,
        target_timeout: 20.0,
        ..ScanOptions::default()
    }
}

/// Serve and scan every demo site with the [`options`] and their engine.
pub async fn run(options: &ScanOptions, engine: &Engine) -> Result<Vec<DemoResult>, DemoError> {
    let client = HttpClient::new(options.http_config()?)?;
    let opts = options.gather_options(Vec::new(), None)?;
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
