//! Throughput benchmark: scans of a bundled fixture site on loopback.
//!
//! `cargo run --release --example bench_scan -- [SCANS] [CONCURRENCY] [SITE]`
//! (defaults 2000, 64, agent-ready). Prints scans/s, requests/s and the
//! per-scan latency distribution. Loopback only.
#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use agentready::engine::Engine;
use agentready::fixture::{Site, serve};
use agentready::gather::http::{HttpClient, HttpConfig};
use agentready::gather::plan::GatherOptions;
use agentready::model::exchange::Mode;
use agentready::model::target::Target;
use futures_util::StreamExt;
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let scans: usize = args.first().map_or(Ok(2000), |s| s.parse())?;
    let concurrency: usize = args.get(1).map_or(Ok(64), |s| s.parse())?;
    let site = args.get(2).map_or("agent-ready", String::as_str);
    let running = serve(Site::bundled(site)?).await?;
    let engine = Engine::new(Vec::new(), &[], &[])?;
    let client = HttpClient::new(HttpConfig::loopback_only())?;
    let target = Target::parse(&format!("{}/", running.origin))?;
    let opts = GatherOptions {
        mode: Mode::Safe,
        target_timeout: Duration::from_secs(30),
        ..GatherOptions::default()
    };
    // Warm-up.
    engine.scan(&client, &target, &opts).await;
    let t0 = Instant::now();
    let results: Vec<(Duration, usize)> = futures_util::stream::iter(0..scans)
        .map(|_| async {
            let t = Instant::now();
            let (report, _) = engine.scan(&client, &target, &opts).await;
            (t.elapsed(), report.requests_total)
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let wall = t0.elapsed().as_secs_f64();
    let requests: usize = results.iter().map(|(_, r)| r).sum();
    let mut lat: Vec<f64> = results
        .iter()
        .map(|(d, _)| d.as_secs_f64() * 1000.0)
        .collect();
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| lat[((lat.len() as f64 - 1.0) * p).round() as usize];
    println!("site {site}: {scans} scans, concurrency {concurrency}, {wall:.2} s wall");
    println!(
        "  {:.0} scans/s, {:.0} requests/s, {:.1} requests/scan",
        scans as f64 / wall,
        requests as f64 / wall,
        requests as f64 / scans as f64
    );
    println!(
        "  latency ms: p50 {:.2}, p90 {:.2}, p99 {:.2}, max {:.2}",
        pct(0.5),
        pct(0.9),
        pct(0.99),
        pct(1.0)
    );
    Ok(())
}
