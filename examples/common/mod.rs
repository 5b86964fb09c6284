//! What the offline benchmarks share: every bundled fixture site gathered
//! once over loopback, and fresh copies of its evidence to time the
//! scanner's work on.

use agentready::engine::Engine;
use agentready::evidence::Evidence;
use agentready::fixture::{Site, serve};
use agentready::gather::http::{HttpClient, HttpConfig};
use agentready::gather::plan::GatherOptions;
use agentready::model::exchange::Mode;
use agentready::model::target::Target;
use agentready::report::Report;
use std::time::Duration;

/// The whole catalogue, and a loopback client to gather with.
pub fn engine_and_client() -> anyhow::Result<(Engine, HttpClient)> {
    Ok((
        Engine::new(Vec::new(), &[], &[])?,
        HttpClient::new(HttpConfig::loopback_only())?,
    ))
}

/// Serve the bundled site `name` on loopback and scan it once (safe mode):
/// its report and evidence.
pub async fn gather(
    engine: &Engine,
    client: &HttpClient,
    name: &str,
) -> anyhow::Result<(Report, Evidence)> {
    let site = Site::bundled(name)?;
    let path = site.target.clone().unwrap_or_else(|| "/".into());
    let running = serve(site).await?;
    let target = Target::parse(&format!("{}{path}", running.origin))?;
    let opts = GatherOptions {
        mode: Mode::Safe,
        target_timeout: Duration::from_secs(30),
        ..GatherOptions::default()
    };
    Ok(engine.scan(client, &target, &opts).await)
}

/// `rounds` fresh copies of `ev`, each with its JSON views parsed as the
/// planner leaves them, so that no memo of one round serves the next.
pub fn fresh_copies(ev: &Evidence, rounds: usize) -> Vec<Evidence> {
    (0..rounds)
        .map(|_| {
            let e = ev.clone();
            for i in 0..e.exchanges().len() {
                let _ = e.json_at(i);
            }
            e
        })
        .collect()
}
