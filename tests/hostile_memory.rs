//! Memory bombs, in a process of their own so that the peak resident set
//! measured is theirs: four API descriptions of 10 MiB of small values
//! (the most one target may serve), a YAML document of aliases to a large
//! anchored string, and a batch in which such a target sits among good
//! ones.
//!
//! `cargo test --test hostile_memory -- --nocapture` prints the peak.

mod common;

use agentready::engine::Engine;
use agentready::gather::http::HttpConfig;
use agentready::gather::plan::GatherOptions;
use agentready::model::exchange::Mode;
use agentready::model::target::Target;
use common::{RawRequest, http_response, peak_rss_kib, raw_http};
use std::io::Write as _;
use std::sync::Arc;
use std::time::Duration;

/// Just under the cap of an announced description (10 × 1 MiB).
const DESCRIPTION_BYTES: usize = 10 * (1 << 20) - 4096;

/// A description padded to [`DESCRIPTION_BYTES`] with small values of one
/// shape (`item`, repeated), in a member no reader skips.
fn description(item: &str) -> Vec<u8> {
    let mut out =
        br#"{"openapi":"3.1.0","info":{"title":"bomb","version":"1"},"paths":{},"x-padding":["#
            .to_vec();
    while out.len() + item.len() + 4 < DESCRIPTION_BYTES {
        out.extend_from_slice(item.as_bytes());
        out.push(b',');
    }
    out.extend_from_slice(item.as_bytes());
    out.extend_from_slice(b"]}");
    out
}

/// 1 MiB of YAML: a 256 KiB string anchored once, then aliased until the
/// document is 1 MiB long (about 110,000 aliases: 28 GiB once copied).
fn yaml_bomb() -> Vec<u8> {
    let mut doc = format!(
        "openapi: 3.0.0\ninfo: {{title: t, version: '1'}}\npaths: {{}}\nx-big: &s '{}'\nx-list:\n",
        "x".repeat(256 * 1024)
    );
    while doc.len() < 1 << 20 {
        doc.push_str("  - *s\n");
    }
    doc.into_bytes()
}

/// A target whose API catalog announces `paths`, each served as `bodies`.
async fn bomb_server(bodies: Vec<(&'static str, Arc<Vec<u8>>)>) -> common::RawServer {
    let links: Vec<String> = bodies
        .iter()
        .map(|(p, _)| format!(r#"{{"href":"__ORIGIN__{p}"}}"#))
        .collect();
    let catalog = format!(
        r#"{{"linkset":[{{"anchor":"__ORIGIN__/","service-desc":[{}]}}]}}"#,
        links.join(",")
    );
    raw_http(Arc::new(move |r: &RawRequest| {
        let origin = r
            .head
            .lines()
            .find_map(|l| {
                l.strip_prefix("host: ")
                    .or_else(|| l.strip_prefix("Host: "))
            })
            .map(|h| format!("http://{}", h.trim()))
            .unwrap_or_default();
        if r.target == "/.well-known/api-catalog" {
            return http_response(
                200,
                &[("content-type", "application/linkset+json")],
                catalog.replace("__ORIGIN__", &origin).as_bytes(),
            );
        }
        match bodies.iter().find(|(p, _)| *p == r.target) {
            Some((p, body)) => http_response(
                200,
                &[(
                    "content-type",
                    if p.ends_with(".yaml") {
                        "application/yaml"
                    } else {
                        "application/json"
                    },
                )],
                body,
            ),
            None => http_response(404, &[], b""),
        }
    }))
    .await
}

/// The worst single target stays under 300 MB: four 10 MiB descriptions of
/// the shapes that cost most once parsed, and a YAML alias bomb.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worst_single_target_stays_under_300_mb() {
    let shapes = [
        ("/a.json", description(r#"{"a":1}"#)),
        ("/b.json", description("1")),
        ("/c.json", description("[[]]")),
        ("/d.json", description(r#""s""#)),
    ];
    let server = bomb_server(shapes.into_iter().map(|(p, b)| (p, Arc::new(b))).collect()).await;
    let yaml = bomb_server(vec![("/openapi.yaml", Arc::new(yaml_bomb()))]).await;
    let engine = Engine::new(Vec::new(), &[], &[]).unwrap();
    // Parsing a 10 MiB description in a debug build on a busy machine can
    // take longer than the default 10 s per request; what is measured here
    // is memory, not time.
    let config = HttpConfig {
        request_timeout: Duration::from_secs(60),
        ..HttpConfig::loopback_only()
    };
    let client = agentready::gather::http::HttpClient::new(config).unwrap();
    let opts = GatherOptions {
        mode: Mode::Passive,
        target_timeout: Duration::from_secs(60),
        ..GatherOptions::default()
    };
    let before = peak_rss_kib();
    for (addr, want) in [(server.addr, 4), (yaml.addr, 1)] {
        let t = Target::parse(&format!("http://{addr}/")).unwrap();
        let (report, ev) = engine.scan(&client, &t, &opts).await;
        let catalog = report.check("api-catalog").unwrap();
        let data = catalog.data.clone().unwrap_or_default().to_string();
        let refused = data.matches("memory budget").count();
        assert_eq!(refused, want, "{}\n{data}", catalog.summary);
        drop((report, ev));
    }
    let peak = peak_rss_kib();
    let _ = writeln!(
        std::io::stdout(),
        "peak RSS: {} MiB (before the scans: {} MiB)",
        peak / 1024,
        before / 1024
    );
    assert!(peak < 300 * 1024, "peak RSS {} MiB", peak / 1024);
}

/// One poisoned target among many good ones: the batch completes and every
/// other target is reported. The run is given 2 GiB of address space, so
/// that a bomb that got through would fail an allocation (and end the
/// whole run) instead of eating the machine.
#[test]
fn a_memory_bomb_among_good_targets_does_not_end_the_batch() {
    let rt = common::runtime();
    let site = common::serve_site(&rt, "agent-ready");
    let bomb = rt.block_on(bomb_server(vec![
        ("/openapi.yaml", Arc::new(yaml_bomb())),
        ("/openapi.json", Arc::new(description(r#"{"a":1}"#))),
    ]));
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("t.txt");
    let mut lines: Vec<String> = (0..24)
        .map(|i| format!("http://t{i}.good.test:{}/", site.addr.port()))
        .collect();
    lines.insert(12, format!("http://poison.bomb.test:{}/", bomb.addr.port()));
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let output = dir.path().join("r.jsonl");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 2097152 2>/dev/null; exec \"$0\" \"$@\"")
        .arg(assert_cmd::cargo::cargo_bin("agentready"))
        .args([
            "batch",
            input.to_str().unwrap(),
            "-o",
            output.to_str().unwrap(),
        ])
        .args([
            "--loopback-only",
            "--quiet",
            "--resolve",
            "*.test:127.0.0.1",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        matches!(out.status.code(), Some(0 | 3)),
        "the batch died: {:?} {stderr}",
        out.status
    );
    let text = std::fs::read_to_string(&output).unwrap();
    let reports: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut urls: Vec<String> = reports
        .iter()
        .map(|r| r["target"]["url"].as_str().unwrap().to_string())
        .collect();
    urls.sort();
    let mut want = lines.clone();
    want.sort();
    assert_eq!(urls, want, "every target has its report");
    let poisoned = reports
        .iter()
        .find(|r| r["target"]["url"].as_str().unwrap().contains("poison"))
        .unwrap();
    let catalog = poisoned["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "api-catalog")
        .unwrap();
    assert!(catalog.to_string().contains("memory budget"), "{}", catalog);
}
