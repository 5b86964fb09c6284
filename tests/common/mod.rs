//! Helpers shared by the integration tests: the runtime and the fixture
//! sites they serve on loopback, scanning a loopback URL with the real
//! engine and client, raw test servers, and the report schema. This is
//! the one home of that setup; a test file does not copy it.
#![allow(dead_code, reason = "each test binary uses a different subset")]

use agentready::engine::Engine;
use agentready::evidence::Evidence;
use agentready::fixture::{RunningSite, Site, serve};
use agentready::gather::http::{HttpClient, HttpConfig};
use agentready::gather::plan::GatherOptions;
use agentready::model::exchange::Mode;
use agentready::model::target::Target;
use agentready::report::Report;
use std::time::Duration;

/// A multi-threaded runtime: fixture servers started in it keep answering
/// while a test blocks on the binary.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Serve the bundled site `name` (`fixtures/sites/<name>/`) on loopback in
/// `rt`, until the returned value is dropped.
pub fn serve_site(rt: &tokio::runtime::Runtime, name: &str) -> RunningSite {
    serve_fixture(rt, Site::bundled(name).unwrap())
}

/// Serve any site (a bundled one edited, or one built in the test) on
/// loopback in `rt`.
pub fn serve_fixture(rt: &tokio::runtime::Runtime, site: Site) -> RunningSite {
    rt.block_on(serve(site)).unwrap()
}

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

/// One request as a raw test server saw it.
#[derive(Debug, Clone)]
pub struct RawRequest {
    /// `GET`, `POST`…
    pub method: String,
    /// The request target as sent: a path, or an absolute URL (to a proxy).
    pub target: String,
    /// The whole head, request line and headers.
    pub head: String,
    /// The body, if a Content-Length announced one.
    pub body: Vec<u8>,
}

/// What a raw test server answers: the bytes of a whole response.
pub type RawHandler = std::sync::Arc<dyn Fn(&RawRequest) -> Vec<u8> + Send + Sync>;

/// A raw HTTP/1.1 server on loopback that counts connections and records
/// every request (one per connection, `connection: close`).
pub struct RawServer {
    /// Where it listens.
    pub addr: std::net::SocketAddr,
    /// Connections accepted.
    pub connections: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    /// Requests seen: `METHOD target`.
    pub requests: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl RawServer {
    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Requests seen so far.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

/// Serve `handler` on 127.0.0.1 (in the current tokio runtime).
pub async fn raw_http(handler: RawHandler) -> RawServer {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let requests = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let (c, r) = (connections.clone(), requests.clone());
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else {
                continue;
            };
            c.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let (handler, r) = (handler.clone(), r.clone());
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                let end = loop {
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                    match s.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                    if buf.len() > 1 << 20 {
                        return;
                    }
                };
                let head = String::from_utf8_lossy(&buf[..end]).into_owned();
                let len: usize = head
                    .lines()
                    .find_map(|l| {
                        let (n, v) = l.split_once(':')?;
                        n.eq_ignore_ascii_case("content-length")
                            .then(|| v.trim().parse().ok())?
                    })
                    .unwrap_or(0);
                let mut body = buf[end..].to_vec();
                while body.len() < len {
                    match s.read(&mut chunk).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => body.extend_from_slice(&chunk[..n]),
                    }
                }
                let mut words = head.split_whitespace();
                let req = RawRequest {
                    method: words.next().unwrap_or_default().to_string(),
                    target: words.next().unwrap_or_default().to_string(),
                    head: head.clone(),
                    body,
                };
                r.lock()
                    .unwrap()
                    .push(format!("{} {}", req.method, req.target));
                let out = handler(&req);
                let _ = s.write_all(&out).await;
                let _ = s.shutdown().await;
            });
        }
    });
    RawServer {
        addr,
        connections,
        requests,
    }
}

/// A whole HTTP/1.1 response.
pub fn http_response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} X\r\n");
    for (n, v) in headers {
        out.push_str(&format!("{n}: {v}\r\n"));
    }
    out.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    ));
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

/// A JSON response.
pub fn json_response(status: u16, body: &str) -> Vec<u8> {
    http_response(
        status,
        &[("content-type", "application/json")],
        body.as_bytes(),
    )
}

/// The peak resident set of this process so far, in KiB (Linux).
pub fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// Every character of `s` as a JSON `\uXXXX` escape.
pub fn json_escaped(s: &str) -> String {
    s.encode_utf16().map(|u| format!("\\u{u:04x}")).collect()
}

/// `text` with JSON escapes, percent-encoding and HTML character
/// references decoded, roughly: enough to find a secret hidden in any of
/// them.
pub fn decoded(text: &str) -> String {
    let b = text.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    let hex = |s: &[u8]| {
        std::str::from_utf8(s)
            .ok()
            .and_then(|h| u32::from_str_radix(h, 16).ok())
    };
    while i < b.len() {
        if b[i] == b'\\'
            && b.get(i + 1) == Some(&b'u')
            && i + 6 <= b.len()
            && let Some(c) = hex(&b[i + 2..i + 6]).and_then(char::from_u32)
        {
            let mut tmp = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
            i += 6;
            continue;
        }
        if b[i] == b'%'
            && i + 3 <= b.len()
            && let Some(v) = hex(&b[i + 1..i + 3])
        {
            out.push(v as u8);
            i += 3;
            continue;
        }
        if b[i] == b'&'
            && b.get(i + 1) == Some(&b'#')
            && let Some(end) = b[i..].iter().take(12).position(|c| *c == b';')
        {
            let inner = &b[i + 2..i + end];
            let n = if inner.first().is_some_and(|c| *c == b'x' || *c == b'X') {
                hex(&inner[1..])
            } else {
                std::str::from_utf8(inner).ok().and_then(|d| d.parse().ok())
            };
            if let Some(c) = n.and_then(char::from_u32) {
                let mut tmp = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
                i += end + 1;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
