//! The scanner's own work per target, without the network: for every
//! bundled fixture site, gather its evidence once (loopback), then time
//! evaluating the whole catalogue on fresh copies of it and serialising the
//! report (the JSONL line `batch` writes).
//!
//! `cargo run --release --example bench_evaluate -- [ROUNDS]` (default 300)
//! prints one line per site and a mean line
//! `mean evaluate E us serialize S us line B bytes requests R`.
//! `bench/run.sh` runs it to set the scanner's work per target beside the
//! CPU budget the wrk ratio leaves.
#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

/// The same allocator as the `agentready` binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;

use agentready::fixture::Site;
use std::time::Instant;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let rounds: usize = std::env::args().nth(1).map_or(Ok(300), |s| s.parse())?;
    let (engine, client) = common::engine_and_client()?;
    let (mut evaluate, mut serialize, mut bytes, mut requests) = (0.0, 0.0, 0usize, 0usize);
    let names = Site::bundled_names();
    for name in &names {
        let (report, ev) = common::gather(&engine, &client, name).await?;
        let copies = common::fresh_copies(&ev, rounds);
        let t = Instant::now();
        for e in &copies {
            std::hint::black_box(engine.evaluate(e, String::new(), 0));
        }
        let e_us = t.elapsed().as_secs_f64() / rounds as f64 * 1e6;
        let t = Instant::now();
        let mut len = 0;
        for _ in 0..rounds {
            let mut line = Vec::with_capacity(96 * 1024);
            serde_json::to_writer(&mut line, &report)?;
            len = line.len();
            std::hint::black_box(line);
        }
        let s_us = t.elapsed().as_secs_f64() / rounds as f64 * 1e6;
        println!(
            "{name:24} requests {:3}  evaluate {e_us:7.1} us  serialize {s_us:6.1} us  line {len} B",
            report.requests_total
        );
        evaluate += e_us;
        serialize += s_us;
        bytes += len;
        requests += report.requests_total;
    }
    let n = names.len().max(1) as f64;
    println!(
        "mean evaluate {:.1} us serialize {:.1} us line {:.0} bytes requests {:.1}",
        evaluate / n,
        serialize / n,
        bytes as f64 / n,
        requests as f64 / n
    );
    Ok(())
}
