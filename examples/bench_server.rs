//! The batch benchmark's server: ten thousand (or more) virtual hosts on
//! one loopback port, each serving one of the bundled fixture sites.
//!
//! `cargo run --release --example bench_server -- [PORT]` prints
//! `listening PORT` and serves until killed. Host `tNNNNN.bench.test`
//! serves bundled site number `NNNNN mod 12` (sorted by name), with its
//! documents naming `http://tNNNNN.bench.test:PORT` as their origin, so
//! every target is a distinct site with realistic documents. `bench/run.sh`
//! pins `*.bench.test` to 127.0.0.1 and drives it.
//!
//! Control paths (not counted), on any host:
//! - `GET /__bench/targets?n=N`: the first N target URLs, one per line;
//! - `GET /__bench/stats`: requests served, hosts seen, and how many
//!   (host, method, path, authorization, body) keys were requested more
//!   than once (a duplicate request within one target);
//! - `GET /__bench/requests`: the requests the first host of each site
//!   received, as `site TAB method TAB path TAB auth(0|1) TAB body(%-encoded)`,
//!   which `bench/wrk.lua` replays;
//! - `POST /__bench/reset`: forget the counts.
#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use agentready::fixture::Site;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// A logged request: site number, method, path, authorization, body.
type Logged = (usize, String, String, bool, Vec<u8>);

struct State {
    sites: Vec<Site>,
    port: u16,
    requests: AtomicU64,
    /// Connections accepted.
    connections: AtomicU64,
    /// (host index, hash of method/path/auth/body) → count.
    counts: Mutex<HashMap<(u32, u64), u32>>,
    /// Requests of the first host of each site.
    log: Mutex<Vec<Logged>>,
    /// The first duplicate requests seen: `host METHOD path`.
    duplicates: Mutex<Vec<String>>,
}

fn fnv(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.iter().chain(std::iter::once(&0u8)) {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

fn host_index(host: &str) -> Option<u32> {
    let name = host.split(':').next()?;
    name.strip_suffix(".bench.test")?
        .strip_prefix('t')?
        .parse()
        .ok()
}

fn percent(body: &[u8]) -> String {
    let mut s = String::new();
    for b in body {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(b) {
            s.push(char::from(*b));
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

fn text(status: u16, body: String) -> hyper::Response<Full<Bytes>> {
    let mut r = hyper::Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or_default();
    r
}

fn control(state: &State, method: &str, path_q: &str) -> hyper::Response<Full<Bytes>> {
    let (path, query) = path_q.split_once('?').unwrap_or((path_q, ""));
    match (method, path) {
        ("GET", "/__bench/targets") => {
            let n: usize = query
                .strip_prefix("n=")
                .and_then(|n| n.parse().ok())
                .unwrap_or(10_000);
            let mut out = String::new();
            for i in 0..n {
                let site = &state.sites[i % state.sites.len()];
                let path = site.target.as_deref().unwrap_or("/");
                out.push_str(&format!("http://t{i:05}.bench.test:{}{path}\n", state.port));
            }
            text(200, out)
        }
        ("GET", "/__bench/stats") => {
            let counts = state.counts.lock().map(|c| c.clone()).unwrap_or_default();
            let hosts: std::collections::HashSet<u32> = counts.keys().map(|(h, _)| *h).collect();
            let dup_keys = counts.values().filter(|n| **n > 1).count();
            let max = counts.values().copied().max().unwrap_or(0);
            let examples = state
                .duplicates
                .lock()
                .map(|d| d.clone())
                .unwrap_or_default();
            text(
                200,
                format!(
                    "{{\"requests\":{},\"connections\":{},\"hosts\":{},\"keys\":{},\"duplicate_keys\":{dup_keys},\"max_per_key\":{max},\"duplicate_examples\":{}}}\n",
                    state.requests.load(Ordering::Relaxed),
                    state.connections.load(Ordering::Relaxed),
                    hosts.len(),
                    counts.len(),
                    serde_json::to_string(&examples).unwrap_or_default()
                ),
            )
        }
        ("GET", "/__bench/requests") => {
            let log = state.log.lock().map(|l| l.clone()).unwrap_or_default();
            let mut out = String::new();
            for (site, m, p, auth, body) in log {
                out.push_str(&format!(
                    "{site}\t{m}\t{p}\t{}\t{}\n",
                    u8::from(auth),
                    percent(&body)
                ));
            }
            text(200, out)
        }
        ("POST", "/__bench/reset") => {
            state.requests.store(0, Ordering::Relaxed);
            state.connections.store(0, Ordering::Relaxed);
            if let Ok(mut c) = state.counts.lock() {
                c.clear();
            }
            if let Ok(mut l) = state.log.lock() {
                l.clear();
            }
            if let Ok(mut d) = state.duplicates.lock() {
                d.clear();
            }
            text(200, "reset\n".into())
        }
        _ => text(404, "unknown control path\n".into()),
    }
}

async fn handle(
    state: Arc<State>,
    req: hyper::Request<hyper::body::Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, std::convert::Infallible> {
    let path = req
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    let method = req.method().as_str().to_string();
    if path.starts_with("/__bench/") {
        return Ok(control(&state, &method, &path));
    }
    let host = req
        .headers()
        .get(hyper::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let auth = req.headers().contains_key("authorization");
    let present: Vec<String> = req
        .headers()
        .keys()
        .map(|k| k.as_str().to_string())
        .collect();
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let Some(idx) = host_index(&host) else {
        return Ok(text(404, "unknown host\n".into()));
    };
    state.requests.fetch_add(1, Ordering::Relaxed);
    let site_no = idx as usize % state.sites.len();
    let key = fnv(&[method.as_bytes(), path.as_bytes(), &[u8::from(auth)], &body]);
    let n = state.counts.lock().map_or(0, |mut c| {
        let n = c.entry((idx, key)).or_insert(0);
        *n += 1;
        *n
    });
    if n == 2
        && let Ok(mut d) = state.duplicates.lock()
        && d.len() < 20
    {
        d.push(format!(
            "{host} {method} {path}{}",
            if auth { " +authorization" } else { "" }
        ));
    }
    if (idx as usize) < state.sites.len()
        && let Ok(mut l) = state.log.lock()
    {
        l.push((site_no, method.clone(), path.clone(), auth, body.to_vec()));
    }
    let origin = format!("http://{host}");
    let r = state.sites[site_no].respond(
        &method,
        &path,
        |h| present.iter().any(|p| p.eq_ignore_ascii_case(h)),
        &origin,
    );
    let mut b = hyper::Response::builder().status(r.status);
    for (k, v) in &r.headers {
        b = b.header(k, v);
    }
    Ok(b.body(Full::new(Bytes::from(r.body)))
        .unwrap_or_else(|_| text(500, "bad route\n".into())))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let port: u16 = std::env::args().nth(1).map_or(Ok(0), |p| p.parse())?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let port = listener.local_addr()?.port();
    let sites = Site::bundled_names()
        .iter()
        .map(|n| Site::bundled(n))
        .collect::<Result<Vec<_>, _>>()?;
    let state = Arc::new(State {
        sites,
        port,
        requests: AtomicU64::new(0),
        connections: AtomicU64::new(0),
        counts: Mutex::new(HashMap::new()),
        log: Mutex::new(Vec::new()),
        duplicates: Mutex::new(Vec::new()),
    });
    println!("listening {port}");
    std::io::stdout().flush()?;
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        state.connections.fetch_add(1, Ordering::Relaxed);
        let state = state.clone();
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |req| handle(state.clone(), req));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                .await;
        });
    }
}
