//! The batch benchmark's floor: the same request mix as `agentready batch`
//! sent over the same virtual hosts by reqwest alone, with no probe
//! planning, evaluation or report. `bench/run.sh` runs it beside wrk so the
//! note can say how much of the gap to wrk is the HTTP stack itself.
//!
//! `cargo run --release --example bench_floor -- REQUESTS_TSV PORT HOSTS
//! SITES [CONCURRENCY] [PER_HOST]` prints `requests N seconds S`.
#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use futures_util::StreamExt;

/// The same allocator as the `agentready` binary, for a like-for-like floor.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::sync::Arc;
use std::time::Instant;

struct Req {
    site: usize,
    method: reqwest::Method,
    path: String,
    auth: bool,
    body: Vec<u8>,
}

fn unpercent(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(h) = s.get(i + 1..i + 3)
            && let Ok(v) = u8::from_str_radix(h, 16)
        {
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let tsv = std::fs::read_to_string(&args[1])?;
    let port: u16 = args[2].parse()?;
    let hosts: usize = args[3].parse()?;
    let sites: usize = args[4].parse()?;
    let concurrency: usize = args.get(5).map_or(Ok(1000), |s| s.parse())?;
    let per_host: usize = args.get(6).map_or(Ok(2), |s| s.parse())?;
    let mut reqs = Vec::new();
    for line in tsv.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 4 {
            continue;
        }
        reqs.push(Req {
            site: f[0].parse()?,
            method: f[1].parse()?,
            path: f[2].to_string(),
            auth: f[3] == "1",
            body: unpercent(f.get(4).copied().unwrap_or("")),
        });
    }
    let reqs = Arc::new(reqs);
    let client = reqwest::Client::builder()
        .use_rustls_tls()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(4)
        .pool_idle_timeout(std::time::Duration::from_secs(5))
        .gzip(true)
        .brotli(true)
        .deflate(true)
        .dns_resolver(Arc::new(Loopback))
        .build()?;
    let start = Instant::now();
    if std::env::var("FLOOR_HYPER").is_ok() {
        let total: usize = futures_util::stream::iter(0..hosts)
            .map(|h| {
                let reqs = reqs.clone();
                async move {
                    let site = h % sites;
                    let host = format!("t{h:05}.bench.test:{port}");
                    let Ok(tcp) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await else {
                        return 0;
                    };
                    let _ = tcp.set_nodelay(true);
                    let Ok((mut send, conn)) =
                        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tcp))
                            .await
                    else {
                        return 0;
                    };
                    tokio::spawn(conn);
                    let mut n = 0;
                    for r in reqs.iter().filter(|r| r.site == site) {
                        let mut b = hyper::Request::builder()
                            .method(r.method.as_str())
                            .uri(&r.path)
                            .header("host", &host)
                            .header("user-agent", "floor");
                        if r.auth {
                            b = b.header("authorization", "Bearer agentready-invalid-token");
                        }
                        let Ok(req) = b.body(http_body_util::Full::new(hyper::body::Bytes::from(
                            r.body.clone(),
                        ))) else {
                            continue;
                        };
                        if send.ready().await.is_err() {
                            break;
                        }
                        if let Ok(resp) = send.send_request(req).await {
                            use http_body_util::BodyExt;
                            let _ = resp.into_body().collect().await;
                            n += 1;
                        }
                    }
                    n
                }
            })
            .buffer_unordered(concurrency)
            .fold(0, |a, n| async move { a + n })
            .await;
        println!(
            "requests {total} seconds {:.3}",
            start.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    let total: usize = futures_util::stream::iter(0..hosts)
        .map(|h| {
            let client = client.clone();
            let reqs = reqs.clone();
            async move {
                let site = h % sites;
                let mine: Vec<&Req> = reqs.iter().filter(|r| r.site == site).collect();
                let origin = format!("http://t{h:05}.bench.test:{port}");
                futures_util::stream::iter(mine)
                    .map(|r| {
                        let mut b = client.request(r.method.clone(), format!("{origin}{}", r.path));
                        if r.auth {
                            b = b.header("authorization", "Bearer agentready-invalid-token");
                        }
                        if !r.body.is_empty() {
                            b = b.body(r.body.clone());
                        }
                        async move {
                            if let Ok(resp) = b.send().await {
                                let _ = resp.bytes().await;
                            }
                        }
                    })
                    .buffer_unordered(per_host)
                    .count()
                    .await
            }
        })
        .buffer_unordered(concurrency)
        .fold(0, |a, n| async move { a + n })
        .await;
    println!(
        "requests {total} seconds {:.3}",
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Every name resolves to 127.0.0.1 (the benchmark's virtual hosts).
struct Loopback;

impl reqwest::dns::Resolve for Loopback {
    fn resolve(&self, _name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async {
            let addrs: reqwest::dns::Addrs =
                Box::new(vec![std::net::SocketAddr::from(([127, 0, 0, 1], 0))].into_iter());
            Ok(addrs)
        })
    }
}
