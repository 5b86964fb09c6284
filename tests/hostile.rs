//! Hostile servers: one misbehaving loopback server per behaviour, each
//! scanned with the real engine and client. Every scan must finish within
//! its per-target deadline (plus a margin), report a clear error or finding
//! naming what happened, keep memory bounded, and never panic.
//!
//! `cargo test --test hostile -- --nocapture` prints the table: behaviour,
//! outcome, time, peak RSS of the test process so far.

use agentready::engine::Engine;
use agentready::evidence::Evidence;
use agentready::gather::http::{HttpClient, HttpConfig, parse_resolve};
use agentready::gather::plan::GatherOptions;
use agentready::model::exchange::Mode;
use agentready::model::target::Target;
use agentready::report::Report;
use std::io::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Per-request timeout used by the suite.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(2);
/// Per-target deadline used by the suite.
const TARGET_DEADLINE: Duration = Duration::from_secs(4);
/// Slack allowed beyond the deadline (scheduling, evaluation).
const MARGIN: Duration = Duration::from_secs(2);

type Handler =
    Arc<dyn Fn(TcpStream, String) -> futures_util::future::BoxFuture<'static, ()> + Send + Sync>;

/// Serve raw bytes: every connection's request head is read (capped), then
/// the handler writes whatever it likes.
async fn raw_server(handler: Handler) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                continue;
            };
            let handler = handler.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 65536 {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let path = String::from_utf8_lossy(&head)
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("/")
                    .to_string();
                handler(stream, path).await;
            });
        }
    });
    addr
}

fn handler<F, Fut>(f: F) -> Handler
where
    F: Fn(TcpStream, String) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    Arc::new(move |s, p| Box::pin(f(s, p)))
}

async fn respond(mut s: TcpStream, head: &str, body: &[u8]) {
    let _ = s.write_all(head.as_bytes()).await;
    let _ = s.write_all(body).await;
    let _ = s.shutdown().await;
}

fn json_head(len: usize) -> String {
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len}\r\nconnection: close\r\n\r\n"
    )
}

fn config() -> HttpConfig {
    HttpConfig {
        request_timeout: REQUEST_TIMEOUT,
        connect_timeout: Duration::from_secs(1),
        ..HttpConfig::loopback_only()
    }
}

async fn scan_with(target: &str, config: HttpConfig) -> (Report, Evidence, Duration) {
    let engine = Engine::new(Vec::new(), &[], &[]).unwrap();
    let client = HttpClient::new(config).unwrap();
    let t = Target::parse(target).unwrap();
    let opts = GatherOptions {
        mode: Mode::Safe,
        target_timeout: TARGET_DEADLINE,
        ..GatherOptions::default()
    };
    let t0 = Instant::now();
    let (r, e) = engine.scan(&client, &t, &opts).await;
    (r, e, t0.elapsed())
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// Error kinds of every exchange of a scan.
fn error_kinds(ev: &Evidence) -> Vec<String> {
    ev.exchanges()
        .iter()
        .filter_map(|x| x.error.as_ref().map(|e| e.kind.to_string()))
        .collect()
}

fn row(name: &str, what: &str, took: Duration) {
    let line = format!(
        "| {name:<34} | {what:<58} | {:>6} ms | {:>7} KiB |",
        took.as_millis(),
        peak_rss_kib()
    );
    let _ = writeln!(std::io::stdout(), "{line}");
}

fn assert_bounded(name: &str, took: Duration) {
    assert!(
        took <= TARGET_DEADLINE + MARGIN,
        "{name}: took {took:?}, beyond the deadline"
    );
    assert!(
        peak_rss_kib() < 256 * 1024,
        "{name}: peak RSS {} KiB",
        peak_rss_kib()
    );
}

/// A committed decompression bomb (examples/make_bombs.rs): 1 GiB of
/// spaces once decompressed.
fn bomb(ext: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/fixtures/hostile/bomb-1g.{ext}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_servers_are_survived() {
    let _ = writeln!(
        std::io::stdout(),
        "| behaviour | outcome | time | peak RSS |\n|---|---|---|---|"
    );
    let gz = Arc::new(bomb("gz"));
    let br = Arc::new(bomb("br"));

    // Behaviours answered on every path. Each entry: name, handler, and a
    // predicate on (report, evidence) naming what must be reported.
    type Check = Box<dyn Fn(&Report, &Evidence) -> Result<String, String> + Send>;
    let mut cases: Vec<(&str, Handler, Check)> = Vec::new();

    let errors_are = |kinds: &'static [&'static str]| -> Check {
        Box::new(move |_r: &Report, e: &Evidence| {
            let k = error_kinds(e);
            if !k.is_empty() && k.iter().all(|x| kinds.contains(&x.as_str())) {
                Ok(format!("every request: {}", k[0]))
            } else {
                Err(format!("error kinds {k:?}, wanted {kinds:?}"))
            }
        })
    };
    let truncated = || -> Check {
        Box::new(|_r: &Report, e: &Evidence| {
            let n = e
                .exchanges()
                .iter()
                .filter(|x| {
                    x.response
                        .as_ref()
                        .is_some_and(|r| r.truncated && r.body.len() <= 1 << 20)
                })
                .count();
            if n > 0 {
                Ok(format!("{n} bodies cut at 1 MiB"))
            } else {
                Err("no truncated body".into())
            }
        })
    };
    let judged = |id: &'static str, outcome: &'static str| -> Check {
        Box::new(move |r: &Report, _e: &Evidence| {
            let c = r.check(id).ok_or("no check")?;
            if c.outcome.as_str() == outcome {
                Ok(format!(
                    "{id} {outcome}: {}",
                    c.summary.chars().take(40).collect::<String>()
                ))
            } else {
                Err(format!("{id} is {} ({})", c.outcome.as_str(), c.summary))
            }
        })
    };

    cases.push((
        "slowloris (headers never finish)",
        handler(|mut s, _| async move {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nx-a: ").await;
            for _ in 0..60 {
                if s.write_all(b"a").await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }),
        errors_are(&["timeout", "deadline"]),
    ));
    cases.push((
        "body drips one byte a second",
        handler(|mut s, _| async move {
            let _ = s.write_all(json_head(1000).as_bytes()).await;
            for _ in 0..1000 {
                if s.write_all(b" ").await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }),
        errors_are(&["timeout", "deadline"]),
    ));
    cases.push((
        "endless body",
        handler(|mut s, _| async move {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n").await;
            let chunk = vec![b'x'; 64 * 1024];
            while s.write_all(&chunk).await.is_ok() {}
        }),
        truncated(),
    ));
    cases.push((
        "100 MB body",
        handler(|mut s, _| async move {
            let _ = s.write_all(json_head(100 << 20).as_bytes()).await;
            let chunk = vec![b' '; 1 << 20];
            for _ in 0..100 {
                if s.write_all(&chunk).await.is_err() {
                    return;
                }
            }
        }),
        truncated(),
    ));
    {
        let gz = gz.clone();
        cases.push((
            "gzip bomb (1 GiB decompressed)",
            handler(move |s, _| {
                let gz = gz.clone();
                async move {
                    let head = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-encoding: gzip\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                        gz.len()
                    );
                    respond(s, &head, &gz).await;
                }
            }),
            truncated(),
        ));
    }
    {
        let br = br.clone();
        cases.push((
            "brotli bomb (1 GiB decompressed)",
            handler(move |s, _| {
                let br = br.clone();
                async move {
                    let head = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-encoding: br\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                        br.len()
                    );
                    respond(s, &head, &br).await;
                }
            }),
            truncated(),
        ));
    }
    cases.push((
        "redirect loop",
        handler(|s, p| async move {
            respond(s, &format!("HTTP/1.1 302 Found\r\nlocation: {p}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"), b"").await;
        }),
        errors_are(&["redirect-limit"]),
    ));
    cases.push((
        "50-step redirect chain",
        handler(|s, p| async move {
            let n: u32 = p.rsplit("/hop").next().and_then(|x| x.parse().ok()).unwrap_or(0);
            let next = if n >= 50 { "/done".to_string() } else { format!("/hop{}", n + 1) };
            respond(s, &format!("HTTP/1.1 301 Moved\r\nlocation: {next}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"), b"").await;
        }),
        errors_are(&["redirect-limit"]),
    ));
    cases.push((
        "invalid UTF-8",
        handler(|s, _| async move {
            let body = b"{\"issuer\":\"\xff\xfe\xfd\"}";
            respond(s, &json_head(body.len()), body).await;
        }),
        judged("as-metadata-discovery", "fail"),
    ));
    cases.push((
        "invalid JSON",
        handler(|s, _| async move {
            let body = b"{\"issuer\": \"x\",,,";
            respond(s, &json_head(body.len()), body).await;
        }),
        judged("as-metadata-discovery", "fail"),
    ));
    cases.push((
        "JSON nested 100,000 deep",
        handler(|s, _| async move {
            let body = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
            respond(s, &json_head(body.len()), body.as_bytes()).await;
        }),
        judged("as-metadata-discovery", "fail"),
    ));
    cases.push((
        "duplicate JSON keys",
        handler(|s, p| async move {
            // Two issuers: the last one wins when parsed, and it is not the
            // origin, so the document is found but its issuer fails. Only
            // the well-known URLs answer (the random path gets a 404).
            if !p.starts_with("/.well-known/oauth-authorization-server") {
                return respond(s, "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n", b"").await;
            }
            let body = b"{\"issuer\":\"http://127.0.0.1\",\"issuer\":\"https://evil.example\",\"response_types_supported\":[\"code\"]}";
            respond(s, &json_head(body.len()), body).await;
        }),
        judged("issuer-identifier", "fail"),
    ));
    cases.push((
        "a 1 MB header",
        handler(|s, _| async move {
            let head = format!(
                "HTTP/1.1 200 OK\r\nx-big: {}\r\ncontent-length: 2\r\nconnection: close\r\n\r\n",
                "a".repeat(1 << 20)
            );
            respond(s, &head, b"{}").await;
        }),
        errors_are(&["http", "body"]),
    ));
    cases.push((
        "10,000 headers",
        handler(|s, _| async move {
            let mut head = String::from("HTTP/1.1 200 OK\r\n");
            for i in 0..10_000 {
                head.push_str(&format!("x-h{i}: v\r\n"));
            }
            head.push_str("content-length: 2\r\nconnection: close\r\n\r\n");
            respond(s, &head, b"{}").await;
        }),
        errors_are(&["http", "body"]),
    ));
    cases.push((
        "connection reset mid-body",
        handler(|mut s, _| async move {
            let _ = s.write_all(json_head(10_000).as_bytes()).await;
            let _ = s.write_all(b"{\"issuer\":\"http://x").await;
            // Zero linger: the close is a TCP reset, not a clean FIN.
            #[allow(deprecated, reason = "a reset is the behaviour under test")]
            let _ = s.set_linger(Some(Duration::ZERO));
            drop(s);
        }),
        errors_are(&["body", "http"]),
    ));
    cases.push((
        "wrong Content-Length (short body)",
        handler(|s, _| async move {
            respond(s, &json_head(500), b"{\"issuer\":1}").await;
        }),
        errors_are(&["body", "http"]),
    ));
    cases.push((
        "non-HTTP response",
        handler(|s, _| async move {
            respond(s, "SSH-2.0-OpenSSH_9.6\r\n", b"garbage \x00\x01\x02").await;
        }),
        errors_are(&["http", "body"]),
    ));

    let mut failures = Vec::new();
    let mut tasks = Vec::new();
    let mut checks = Vec::new();
    for (name, h, check) in cases {
        let addr = raw_server(h).await;
        checks.push((name, check));
        tasks.push(addr);
    }
    // One behaviour at a time, so each one's time is its own.
    let mut results = Vec::new();
    for addr in tasks {
        results.push(scan_with(&format!("http://{addr}/"), config()).await);
    }
    for ((report, ev, took), (name, check)) in results.into_iter().zip(checks) {
        assert_bounded(name, took);
        match check(&report, &ev) {
            Ok(what) => row(name, &what, took),
            Err(why) => failures.push(format!("{name}: {why}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn tls_handshake_failure_and_unresolvable_names_are_clear_errors() {
    // A server that answers a TLS ClientHello with plain text.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let tls_addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            if let Ok((mut s, _)) = listener.accept().await {
                let _ = s.write_all(b"this is not TLS\r\n").await;
                let _ = s.shutdown().await;
            }
        }
    });
    let (report, ev, took) = scan_with(&format!("https://{tls_addr}/"), config()).await;
    assert_bounded("tls", took);
    let kinds = error_kinds(&ev);
    assert!(
        kinds
            .iter()
            .all(|k| k == "tls" || k == "http" || k == "connect"),
        "{kinds:?}"
    );
    assert!(report.error.is_some(), "unreachable is reported");
    row(
        "TLS handshake failure",
        &format!("every request: {}", kinds[0]),
        took,
    );

    // .invalid never resolves (RFC 6761) and costs no DNS query.
    let (report, ev, took) =
        scan_with("https://nothing-here.invalid/", HttpConfig::default()).await;
    assert_bounded("unresolvable", took);
    assert!(
        error_kinds(&ev).iter().all(|k| k == "dns"),
        "{:?}",
        error_kinds(&ev)
    );
    assert!(
        report
            .error
            .as_deref()
            .unwrap()
            .contains("does not resolve")
    );
    row("unresolvable name", "every request: dns", took);
}

#[tokio::test]
async fn redirects_to_private_addresses_are_refused_for_public_targets() {
    // The "public" target: a name pinned to loopback with --resolve. Its
    // well-known URL redirects to a loopback address literal.
    let inner = raw_server(handler(|s, _| async move {
        let body = b"{\"issuer\":\"x\"}";
        respond(s, &json_head(body.len()), body).await;
    }))
    .await;
    let outer = raw_server(handler(move |s, _| async move {
        let loc = format!("http://{inner}/.well-known/secret");
        respond(s, &format!("HTTP/1.1 302 Found\r\nlocation: {loc}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"), b"").await;
    }))
    .await;
    let pinned = HttpConfig {
        resolve: vec![parse_resolve(&format!("public.example:{}", outer.ip())).unwrap()],
        allow_private: false,
        ..config()
    };
    let target = format!("http://public.example:{}/", outer.port());
    let (_, ev, took) = scan_with(&target, pinned.clone()).await;
    assert_bounded("ssrf", took);
    let kinds = error_kinds(&ev);
    assert!(
        !kinds.is_empty() && kinds.iter().all(|k| k == "refused"),
        "{kinds:?}"
    );
    row(
        "redirect to a private address",
        "refused (SSRF guard)",
        took,
    );
    // --allow-private follows it.
    let (_, ev, _) = scan_with(
        &target,
        HttpConfig {
            allow_private: true,
            ..pinned
        },
    )
    .await;
    assert!(
        ev.exchanges()
            .iter()
            .any(|x| x.response.as_ref().is_some_and(|r| !r.redirects.is_empty()))
    );
    // A private target (the user named 127.0.0.1) may be followed there.
    let (_, ev, _) = scan_with(
        &format!("http://{outer}/"),
        HttpConfig {
            allow_private: false,
            private_hosts: vec![outer.ip().to_string()],
            ..config()
        },
    )
    .await;
    assert!(
        error_kinds(&ev).iter().all(|k| k != "refused"),
        "{:?}",
        error_kinds(&ev)
    );
}
