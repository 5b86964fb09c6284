//! The cost of each check, without the network: for every bundled fixture
//! site, gather its evidence once (loopback), then time each check of the
//! catalogue on fresh copies of it. Finds which evaluator to look at when
//! `bench_evaluate` says evaluation got slower.
//!
//! `cargo run --release --example bench_checks -- [ROUNDS]` (default 200)
//! prints, per site, the checks over 15 µs, then the 15 dearest checks on
//! average. `SITE=name` and `CHECK=id` narrow it to one site or check (for
//! a profiler: `SITE=challenged-api CHECK=bot-challenge … 5000`).
//! Each check runs on its own fresh copies, so it is charged for any view
//! it shares with others in a real scan (the five scope checks each pay
//! for the scope analysis here; a scan computes it once).
#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

/// The same allocator as the `agentready` binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;

use agentready::engine::run_check;
use agentready::fixture::Site;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Instant;

/// Checks cheaper than this are left off a site's line.
const SHOWN_US: f64 = 15.0;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let rounds: usize = std::env::args().nth(1).map_or(Ok(200), |s| s.parse())?;
    let only_site = std::env::var("SITE").ok();
    let only_check = std::env::var("CHECK").ok();
    let (engine, client) = common::engine_and_client()?;
    let mut total: BTreeMap<String, f64> = BTreeMap::new();
    let mut sites = 0usize;
    for name in Site::bundled_names() {
        if only_site.as_ref().is_some_and(|s| *s != name) {
            continue;
        }
        sites += 1;
        let (_, ev) = common::gather(&engine, &client, &name).await?;
        let mut line = String::new();
        for meta in engine.checks() {
            if only_check.as_ref().is_some_and(|c| *c != meta.id) {
                continue;
            }
            let copies = common::fresh_copies(&ev, rounds);
            let t = Instant::now();
            for e in &copies {
                std::hint::black_box(run_check(meta, e));
            }
            let us = t.elapsed().as_secs_f64() / rounds as f64 * 1e6;
            *total.entry(meta.id.clone()).or_default() += us;
            if us > SHOWN_US {
                let _ = write!(line, " {}={us:.0}", meta.id);
            }
        }
        println!("{name:24}{line}");
    }
    let mut dearest: Vec<_> = total.into_iter().collect();
    dearest.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (id, us) in dearest.iter().take(15) {
        println!("mean {id:32} {:6.1} us", us / sites.max(1) as f64);
    }
    Ok(())
}
