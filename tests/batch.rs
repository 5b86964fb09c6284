//! `agentready batch` and `agentready stats` through the binary, against
//! fixture sites on loopback: output, resume after SIGKILL, torn lines,
//! shards, robots.txt, the opt-out list, retries, the error budget, exit
//! codes.

mod common;

use agentready::batch::input::Exclusions;
use agentready::batch::polite::{PoliteClient, Politeness};
use agentready::fixture::{Route, RunningSite, Site};
use agentready::gather::http::{HttpClient, HttpConfig, RequestSpec, parse_resolve};
use agentready::gather::run::Transport;
use agentready::model::exchange::Exchange;
use assert_cmd::Command;
use common::{runtime, serve_fixture, serve_site};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn agentready() -> Command {
    let mut c = Command::cargo_bin("agentready").unwrap();
    c.env("NO_COLOR", "1");
    c
}

struct Run {
    code: i32,
    stderr: String,
}

/// `agentready batch INPUT -o OUTPUT --loopback-only ARGS…`.
fn batch(input: &Path, output: &Path, args: &[&str]) -> Run {
    let out = agentready()
        .arg("batch")
        .arg(input)
        .arg("-o")
        .arg(output)
        .arg("--loopback-only")
        .args(args)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn write_lines(dir: &Path, name: &str, lines: &[String]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, lines.join("\n") + "\n").unwrap();
    p
}

/// A scratch directory with `lines` as `targets.txt`, and where
/// `results.jsonl` goes: (directory, input, output).
fn workdir(lines: &[String]) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let input = write_lines(dir.path(), "targets.txt", lines);
    let output = dir.path().join("results.jsonl");
    (dir, input, output)
}

/// Every report in a results file, parsed.
fn reports(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn urls(reports: &[Value]) -> Vec<String> {
    reports
        .iter()
        .map(|r| r["target"]["url"].as_str().unwrap().to_string())
        .collect()
}

fn meta(output: &Path) -> Value {
    let p = format!("{}.meta.json", output.display());
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// `n` distinct targets on one origin (an API base URL per path).
fn many_targets(site: &RunningSite, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("{}/t/{i:04}", site.origin))
        .collect()
}

#[test]
fn one_report_per_line_each_target_once_no_duplicate_requests() {
    let rt = runtime();
    let names = Site::bundled_names();
    let sites: Vec<RunningSite> = names.iter().map(|n| serve_site(&rt, n)).collect();
    let dir = tempfile::tempdir().unwrap();
    let mut lines: Vec<String> = vec!["# the bundled fixture sites".into(), String::new()];
    lines.extend(sites.iter().map(|s| s.target.clone()));
    // The same target again, written differently: scanned once.
    let root = sites
        .iter()
        .find(|s| s.target.ends_with('/'))
        .unwrap()
        .origin
        .clone();
    lines.push(format!("  {root}  "));
    let input = write_lines(dir.path(), "targets.txt", &lines);
    let output = dir.path().join("results.jsonl");
    let run = batch(&input, &output, &["-H", "X-Api-Key: s3cr3t-do-not-print"]);
    assert_eq!(run.code, 0, "{}", run.stderr);

    let text = std::fs::read_to_string(&output).unwrap();
    assert!(
        !text.contains("s3cr3t"),
        "a header value reached the output"
    );
    let all = reports(&output);
    assert_eq!(all.len(), sites.len());
    let got: BTreeSet<String> = urls(&all).into_iter().collect();
    assert_eq!(got.len(), sites.len(), "a target was written twice");
    for r in &all {
        common::assert_report_schema(r);
        assert!(r.get("gate").is_none(), "batch reports are not gated");
    }
    // Each line is one compact JSON object.
    assert!(
        text.lines()
            .all(|l| l.starts_with('{') && !l.contains("\n  "))
    );

    // Within each target no request was sent twice, and robots.txt was
    // fetched once per origin.
    for s in &sites {
        let counts = s.requests();
        assert_eq!(counts.get("GET /robots.txt"), Some(&1), "{counts:?}");
        for (k, n) in &counts {
            assert_eq!(*n, 1, "{k} sent {n} times to {}", s.origin);
        }
    }

    let m = meta(&output);
    assert_eq!(m["status"], "complete");
    assert_eq!(m["format"], "agentready-batch-meta/1");
    assert_eq!(m["counts"]["scanned"], sites.len());
    assert_eq!(m["counts"]["duplicates"], 1);
    assert_eq!(m["counts"]["complete"], sites.len());
    assert_eq!(m["requests"]["robots_fetched"], sites.len());
    assert_eq!(m["options"]["headers"], serde_json::json!(["x-api-key"]));
    assert!(!m.to_string().contains("s3cr3t"));
    assert!(m["finished_at"].is_string());
}

#[test]
fn stats_over_a_batch_of_the_fixture_sites() {
    let rt = runtime();
    let sites: Vec<RunningSite> = Site::bundled_names()
        .iter()
        .map(|n| serve_site(&rt, n))
        .collect();
    let lines: Vec<String> = sites.iter().map(|s| s.target.clone()).collect();
    let (_dir, input, output) = workdir(&lines);
    assert_eq!(batch(&input, &output, &["--quiet"]).code, 0);

    let out = agentready().arg("stats").arg(&output).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let table = String::from_utf8(out.stdout).unwrap();
    #[allow(
        clippy::print_stdout,
        reason = "shown with --nocapture: the README's sample comes from here"
    )]
    {
        println!("{table}");
    }
    assert!(
        table.contains(&format!("{} reports", sites.len())),
        "{table}"
    );
    for needle in [
        "Levels",
        "Scores",
        "Questions",
        "Checks",
        "pkce-s256",
        "Q4 Can an agent",
    ] {
        assert!(table.contains(needle), "{needle} missing:\n{table}");
    }

    let out = agentready()
        .args(["stats", "--format", "json"])
        .arg(&output)
        .output()
        .unwrap();
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["reports"], sites.len());
    // Shares add up: per check over its outcomes, per question over its answers.
    for c in j["checks"].as_array().unwrap() {
        let total: u64 = c["outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["count"].as_u64().unwrap())
            .sum();
        assert_eq!(total, sites.len() as u64, "{c}");
    }
    let q = &j["questions"][0];
    assert_eq!(q["id"], "Q1");
    let levels: u64 = j["levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["count"].as_u64().unwrap())
        .sum();
    assert_eq!(levels, sites.len() as u64);
    // The agent-ready site is the one level-3 target.
    // Distributions are arrays of {key, count, share} objects.
    assert_eq!(j["levels"][3]["key"], "3");
    assert_eq!(j["levels"][3]["count"], 1);

    let out = agentready()
        .args(["stats", "--format", "csv"])
        .arg(&output)
        .output()
        .unwrap();
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.starts_with("section,key,value,count,share\n"));
    assert!(
        csv.contains(&format!("reports,all,,{},1\n", sites.len())),
        "{csv}"
    );
    assert!(csv.contains("\ncheck,pkce-s256,pass,"), "{csv}");
    assert!(csv.contains("\nquestion,Q3,yes,"), "{csv}");

    assert_eq!(
        agentready()
            .args(["stats", "/nonexistent/results.jsonl"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn resume_after_sigkill_completes_every_target_exactly_once() {
    let rt = runtime();
    let site = serve_site(&rt, "no-auth");
    let targets = many_targets(&site, 60);
    let (_dir, input, output) = workdir(&targets);
    // A global rate keeps the run long enough to be killed in the middle.
    let args = ["--rate", "200", "--quiet"];
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("agentready"))
        .arg("batch")
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .arg("--loopback-only")
        .args(args)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    let lines_now = || {
        std::fs::read(&output)
            .map(|b| b.iter().filter(|c| **c == b'\n').count())
            .unwrap_or(0)
    };
    while lines_now() < 5 {
        assert!(t0.elapsed() < Duration::from_secs(60), "no progress");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let at_kill = lines_now();
    assert!(
        at_kill < targets.len(),
        "the run finished before it was killed"
    );
    assert_eq!(meta(&output)["status"], "running", "a killed run says so");

    // Rerunning without --resume refuses to touch the results.
    let run = batch(&input, &output, &args);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--resume"), "{}", run.stderr);

    let run = batch(&input, &output, &["--rate", "200", "--resume"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let all = reports(&output);
    let mut got = urls(&all);
    got.sort();
    let mut want = targets.clone();
    want.sort();
    assert_eq!(got, want, "every target exactly once");
    let m = meta(&output);
    assert_eq!(m["status"], "complete");
    let done_before = m["counts"]["already_done"].as_u64().unwrap();
    assert!(done_before >= at_kill as u64, "{m}");
    assert_eq!(
        done_before + m["counts"]["scanned"].as_u64().unwrap(),
        targets.len() as u64
    );
    assert_eq!(m["previous_runs"].as_array().unwrap().len(), 1);
    assert_eq!(m["previous_runs"][0]["status"], "running");
}

#[test]
fn a_torn_last_line_is_dropped_and_its_target_scanned_again() {
    let rt = runtime();
    let site = serve_site(&rt, "honeypot");
    let targets = many_targets(&site, 4);
    let (_dir, input, output) = workdir(&targets);
    assert_eq!(batch(&input, &output, &["--quiet"]).code, 0);
    // Cut the last line in half, as a crash in the middle of a write would.
    let text = std::fs::read_to_string(&output).unwrap();
    let last_start = text.trim_end().rfind('\n').unwrap() + 1;
    let torn_target = reports(&output)[3]["target"]["url"].clone();
    let cut = last_start + (text.len() - last_start) / 2;
    std::fs::write(&output, &text[..cut]).unwrap();

    // `stats` notices the torn line and skips it.
    let out = agentready().arg("stats").arg(&output).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("torn last line"));

    let run = batch(&input, &output, &["--resume"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("torn last line"), "{}", run.stderr);
    let all = reports(&output);
    assert_eq!(all.len(), 4);
    assert_eq!(all[3]["target"]["url"], torn_target);
    let m = meta(&output);
    assert_eq!(m["resumed"]["reports"], 3);
    assert_eq!(m["counts"]["scanned"], 1);
    assert_eq!(m["counts"]["already_done"], 3);
}

#[test]
fn shards_partition_the_input_exactly() {
    let rt = runtime();
    let site = serve_site(&rt, "honeypot");
    let dir = tempfile::tempdir().unwrap();
    let mut targets = many_targets(&site, 30);
    targets.push("not a target".into());
    let input = write_lines(dir.path(), "targets.txt", &targets);
    let full = dir.path().join("full.jsonl");
    let run = batch(&input, &full, &["--passive"]);
    assert_eq!(run.code, 3, "an invalid line makes the run incomplete");
    let full_urls: BTreeSet<String> = urls(&reports(&full)).into_iter().collect();
    assert_eq!(full_urls.len(), 30);

    let n = 3;
    let mut union: Vec<String> = Vec::new();
    let mut invalid = 0;
    for i in 0..n {
        let out = dir.path().join(format!("shard-{i}.jsonl"));
        let run = batch(&input, &out, &["--passive", "--shard", &format!("{i}/{n}")]);
        assert!(run.code == 0 || run.code == 3, "{}", run.stderr);
        let m = meta(&out);
        assert_eq!(m["shard"], format!("{i}/{n}"));
        invalid += m["counts"]["invalid"].as_u64().unwrap();
        let part = urls(&reports(&out));
        assert!(
            !part.is_empty() && part.len() < 30,
            "shard {i}: {}",
            part.len()
        );
        // The documented assignment: FNV-1a of the normalised URL, mod N.
        for u in &part {
            assert_eq!(agentready::batch::input::fnv1a64(u.as_bytes()) % n, i);
        }
        union.extend(part);
    }
    assert_eq!(invalid, 1, "exactly one shard reports the invalid line");
    let set: BTreeSet<String> = union.iter().cloned().collect();
    assert_eq!(set.len(), union.len(), "shards overlap");
    assert_eq!(set, full_urls, "the union of the shards is the full run");

    // `stats` over the shard files gives the figures of the full run.
    let stats = |files: &[PathBuf]| -> serde_json::Value {
        let out = agentready()
            .args(["stats", "--format", "json"])
            .args(files)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let shards: Vec<PathBuf> = (0..n)
        .map(|i| dir.path().join(format!("shard-{i}.jsonl")))
        .collect();
    let whole = stats(std::slice::from_ref(&full));
    assert_eq!(whole["reports"], 30);
    assert_eq!(stats(&shards), whole);
    let twice = agentready().args(["stats", "-", "-"]).output().unwrap();
    assert_eq!(twice.status.code(), Some(2), "stdin read twice");

    let run = batch(&input, &dir.path().join("x.jsonl"), &["--shard", "3/3"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--shard"), "{}", run.stderr);
}

/// The agent-ready site with a robots.txt that closes its AS metadata.
fn site_with_robots(robots: &str) -> Site {
    let mut site = Site::bundled("agent-ready").unwrap();
    site.routes.insert(
        0,
        Route {
            method: "GET".into(),
            path: "/robots.txt".into(),
            status: 200,
            content_type: Some("text/plain".into()),
            headers: BTreeMap::new(),
            body: Some(robots.into()),
            body_file: None,
            if_header: None,
            dcr: None,
        },
    );
    site
}

#[test]
fn robots_txt_is_obeyed_and_ignore_robots_overrides_it() {
    let rt = runtime();
    let robots = "User-agent: *\nDisallow: /\n\nUser-agent: agentready\nDisallow: /.well-known/oauth-authorization-server$\n";
    let site = serve_fixture(&rt, site_with_robots(robots));
    let dir = tempfile::tempdir().unwrap();
    let input = write_lines(dir.path(), "t.txt", std::slice::from_ref(&site.target));
    let output = dir.path().join("r.jsonl");
    let run = batch(&input, &output, &[]);
    assert!(run.code == 0 || run.code == 3, "{}", run.stderr);
    let counts = site.requests();
    assert_eq!(counts.get("GET /robots.txt"), Some(&1));
    assert!(
        !counts.contains_key("GET /.well-known/oauth-authorization-server"),
        "a disallowed path was fetched: {counts:?}"
    );
    // Only our group applies: everything else was fetched.
    assert!(counts.contains_key("GET /.well-known/oauth-protected-resource/mcp"));
    let r = &reports(&output)[0];
    let disallowed: Vec<&Value> = r["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| {
            x["error"]
                .as_str()
                .is_some_and(|e| e.starts_with("robots: not sent"))
        })
        .collect();
    assert_eq!(disallowed.len(), 1, "{disallowed:?}");
    assert!(
        disallowed[0]["url"]
            .as_str()
            .unwrap()
            .ends_with("/.well-known/oauth-authorization-server")
    );
    assert!(
        disallowed[0]["error"]
            .as_str()
            .unwrap()
            .contains("--ignore-robots")
    );
    assert_eq!(meta(&output)["requests"]["robots_disallowed"], 1);

    let site = serve_fixture(&rt, site_with_robots(robots));
    let input = write_lines(dir.path(), "t2.txt", std::slice::from_ref(&site.target));
    let output = dir.path().join("r2.jsonl");
    let run = batch(&input, &output, &["--ignore-robots"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let counts = site.requests();
    assert!(!counts.contains_key("GET /robots.txt"));
    assert_eq!(
        counts.get("GET /.well-known/oauth-authorization-server"),
        Some(&1)
    );
    assert_eq!(reports(&output)[0]["score"], 100);
    assert_eq!(meta(&output)["options"]["robots"], false);
}

#[test]
fn a_robots_txt_that_disallows_everything_leaves_the_target_unscanned() {
    let rt = runtime();
    let site = serve_fixture(&rt, site_with_robots("User-agent: *\nDisallow: /\n"));
    let dir = tempfile::tempdir().unwrap();
    let input = write_lines(dir.path(), "t.txt", std::slice::from_ref(&site.target));
    let output = dir.path().join("r.jsonl");
    let run = batch(&input, &output, &[]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(site.requests().len(), 1, "{:?}", site.requests());
    let r = &reports(&output)[0];
    assert!(
        r["error"]
            .as_str()
            .unwrap()
            .contains("robots.txt disallows"),
        "{}",
        r["error"]
    );
    let out = agentready().arg("stats").arg(&output).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("robots"), "{text}");
}

#[test]
fn excluded_domains_are_never_contacted() {
    let rt = runtime();
    let site = serve_site(&rt, "agent-ready");
    let port = site.addr.port();
    let dir = tempfile::tempdir().unwrap();
    let lines = vec![
        format!("http://api.allowed.test:{port}/mcp"),
        format!("http://api.blocked.test:{port}/mcp"),
        format!("http://deep.er.blocked.test:{port}/mcp"),
    ];
    let input = write_lines(dir.path(), "t.txt", &lines);
    let exclude = write_lines(
        dir.path(),
        "optout.txt",
        &[
            "# domains that asked not to be scanned".into(),
            "blocked.test".into(),
        ],
    );
    let output = dir.path().join("r.jsonl");
    let run = batch(
        &input,
        &output,
        &[
            "--resolve",
            "*.test:127.0.0.1",
            "--exclude",
            exclude.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let all = reports(&output);
    assert_eq!(urls(&all), vec![lines[0].clone()]);
    // Two origins were contacted: the allowed name and the address its
    // documents name (`http://127.0.0.1:port`, followed since the run
    // allows loopback): each robots.txt once, each probe at most once per
    // origin. Had a blocked name been contacted, its robots.txt would
    // make a third.
    assert_eq!(site.requests().get("GET /robots.txt"), Some(&2));
    assert!(site.requests().values().all(|n| *n <= 2));
    let m = meta(&output);
    assert_eq!(m["counts"]["excluded"], 2);
    assert_eq!(m["options"]["exclude_entries"], 1);
}

#[test]
fn an_excluded_host_is_not_followed_by_a_redirect() {
    let rt = runtime();
    rt.block_on(async {
        let server = MockServer::start().await;
        let port = server.address().port();
        Mock::given(method("GET"))
            .and(path("/start"))
            .respond_with(
                ResponseTemplate::new(302)
                    .insert_header("location", format!("http://x.blocked.test:{port}/end")),
            )
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(path("/end"))
            .respond_with(ResponseTemplate::new(200))
            .expect(0)
            .mount(&server)
            .await;
        let client = polite(
            &["x.blocked.test:127.0.0.1"],
            Politeness {
                exclude: Exclusions::parse("blocked.test").unwrap(),
                respect_robots: false,
                ..Politeness::default()
            },
        );
        let x = client
            .exchange("p", &get(&format!("{}/start", server.uri())), "")
            .await;
        let e = x.error.expect("refused");
        assert_eq!(e.kind.as_str(), "excluded", "{}", e.message);
        assert!(e.message.contains("blocked.test"));
    });
}

#[test]
fn retries_after_429_and_503_honour_retry_after_within_bounds() {
    let rt = runtime();
    let server = rt.block_on(async {
        let server = MockServer::start().await;
        // Retry-After: 0 → retried once, then the document.
        Mock::given(method("GET"))
            .and(path("/.well-known/oauth-authorization-server"))
            .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
            .up_to_n_times(1)
            .expect(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/.well-known/oauth-authorization-server"))
            .respond_with(ResponseTemplate::new(404))
            .expect(1)
            .with_priority(2)
            .mount(&server)
            .await;
        server
    });
    // On another host (a long Retry-After pauses its whole host):
    // beyond --max-retry-wait → not retried, the 503 stands.
    let busy = rt.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/.well-known/openid-configuration"))
            .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "3600"))
            .expect(1)
            .mount(&server)
            .await;
        server
    });
    let dir = tempfile::tempdir().unwrap();
    let input = write_lines(dir.path(), "t.txt", &[server.uri(), busy.uri()]);
    let output = dir.path().join("r.jsonl");
    let run = batch(&input, &output, &["--ignore-robots", "--passive"]);
    assert!(run.code == 0 || run.code == 3, "{}", run.stderr);
    let all = reports(&output);
    let status_of = |uri: &str, suffix: &str| {
        all.iter()
            .find(|r| r["target"]["url"].as_str().unwrap().starts_with(uri))
            .unwrap()["exchanges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["url"].as_str().unwrap().ends_with(suffix))
            .map(|x| x["status"].clone())
            .unwrap()
    };
    assert_eq!(
        status_of(&server.uri(), "/.well-known/oauth-authorization-server"),
        404
    );
    assert_eq!(
        status_of(&busy.uri(), "/.well-known/openid-configuration"),
        503
    );
    assert_eq!(meta(&output)["requests"]["retries"], 1);
    rt.block_on(server.verify());
    rt.block_on(busy.verify());
}

#[test]
fn a_global_rate_spaces_requests_and_caps_targets_in_flight() {
    let rt = runtime();
    let site = serve_site(&rt, "honeypot");
    let dir = tempfile::tempdir().unwrap();
    let input = write_lines(dir.path(), "t.txt", &many_targets(&site, 2));
    let output = dir.path().join("r.jsonl");
    let t0 = Instant::now();
    let run = batch(&input, &output, &["--rate", "40", "--concurrency", "500"]);
    let took = t0.elapsed();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let m = meta(&output);
    let requests = m["requests"]["requests"].as_u64().unwrap();
    assert!(requests > 10);
    // Evenly spaced slots: n requests take (n-1)/rate at least.
    let floor = Duration::from_secs_f64((requests - 1) as f64 / 40.0);
    assert!(took >= floor, "{requests} requests in {took:?}");
    // 40 requests/s × 30 s deadline / 60 = 20 targets in flight at most.
    assert_eq!(m["effective_concurrency"], 20);
    assert!(
        run.stderr.contains("allows 20 targets in flight"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_host_that_keeps_failing_is_skipped_after_its_error_budget() {
    // A port nobody listens on.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = dead.local_addr().unwrap().port();
    drop(dead);
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = (0..5)
        .map(|i| format!("http://127.0.0.1:{port}/t/{i}"))
        .collect();
    let input = write_lines(dir.path(), "t.txt", &lines);
    let output = dir.path().join("r.jsonl");
    let run = batch(
        &input,
        &output,
        &[
            "--ignore-robots",
            "--max-host-errors",
            "3",
            "--per-host",
            "2",
        ],
    );
    assert_eq!(run.code, 3, "unreachable targets exit 3: {}", run.stderr);
    let m = meta(&output);
    let sent = m["requests"]["requests"].as_u64().unwrap();
    assert!(sent <= 3 + 1, "{sent} requests to a dead host");
    assert!(m["requests"]["host_skipped"].as_u64().unwrap() > 0);
    assert_eq!(m["counts"]["unreachable"], 5);
    let all = reports(&output);
    assert_eq!(all.len(), 5);
    assert!(all.iter().all(|r| r["score"].is_null()));
    let skipped = all
        .iter()
        .flat_map(|r| r["exchanges"].as_array().unwrap())
        .filter(|x| {
            x["error"]
                .as_str()
                .is_some_and(|e| e.starts_with("host-skipped:"))
        })
        .count();
    assert!(skipped > 0);

    // With robots.txt obeyed, the failed robots.txt closes the origin:
    // one request, and every probe says why it was not sent.
    let output = dir.path().join("r2.jsonl");
    let run = batch(&input, &output, &[]);
    assert_eq!(run.code, 3);
    assert_eq!(meta(&output)["requests"]["requests"], 1);
    let r = &reports(&output)[0];
    assert!(
        r["error"]
            .as_str()
            .unwrap()
            .contains("robots.txt could not be fetched")
    );
    let out = agentready()
        .args(["stats", "--format", "json"])
        .arg(&output)
        .output()
        .unwrap();
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["error_causes"][0]["key"], "connect");
    assert_eq!(j["error_causes"][0]["count"], 5);
}

#[test]
fn usage_errors_exit_two_and_stdin_works() {
    let rt = runtime();
    let site = serve_site(&rt, "no-auth");
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("r.jsonl");
    // Missing -o.
    let out = agentready().args(["batch", "-"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    for bad in [
        vec!["--shard", "1"],
        vec!["--rate", "0"],
        vec!["--contact", "me (x)"],
        vec!["--exclude", "/nonexistent"],
        vec!["--resolve", "a.*.b:127.0.0.1"],
        vec!["--only", "no-such-check"],
    ] {
        let out = agentready()
            .args(["batch", "-", "-o"])
            .arg(&output)
            .args(&bad)
            .write_stdin("")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
    }
    // Targets from stdin, a contact in the User-Agent, --quiet silences stderr.
    let out = agentready()
        .args([
            "batch",
            "-",
            "--loopback-only",
            "--quiet",
            "--contact",
            "mailto:research@example.org",
            "-o",
        ])
        .arg(&output)
        .write_stdin(format!("{}\n", site.target))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m = meta(&output);
    assert_eq!(m["input"], "-");
    let ua = m["options"]["user_agent"].as_str().unwrap();
    assert!(ua.starts_with("agentready/"), "{ua}");
    assert!(
        ua.ends_with("; contact: mailto:research@example.org)"),
        "{ua}"
    );
    assert_eq!(reports(&output).len(), 1);
}

#[test]
fn private_targets_are_reached_only_with_allow_private() {
    let rt = runtime();
    let site = serve_site(&rt, "agent-ready");
    let dir = tempfile::tempdir().unwrap();
    let input = write_lines(dir.path(), "t.txt", std::slice::from_ref(&site.target));
    let run = |out: &Path, extra: &[&str]| {
        agentready()
            .arg("batch")
            .arg(&input)
            .arg("-o")
            .arg(out)
            .arg("--quiet")
            .args(extra)
            .output()
            .unwrap()
            .status
            .code()
    };
    let refused = dir.path().join("refused.jsonl");
    assert_eq!(run(&refused, &[]), Some(3));
    assert!(site.requests().is_empty(), "{:?}", site.requests());
    let r = &reports(&refused)[0];
    assert!(
        r["error"].as_str().unwrap().contains("SSRF guard"),
        "{}",
        r["error"]
    );
    let allowed = dir.path().join("allowed.jsonl");
    assert_eq!(run(&allowed, &["--allow-private"]), Some(0));
    assert_eq!(reports(&allowed)[0]["score"], 100);
}

/// A polite client over loopback for the transport tests below: 3 s
/// timeouts, `pins` as `--resolve` values.
fn polite(pins: &[&str], politeness: Politeness) -> PoliteClient {
    let http = HttpClient::new(HttpConfig {
        request_timeout: Duration::from_secs(3),
        connect_timeout: Duration::from_secs(3),
        resolve: pins.iter().map(|p| parse_resolve(p).unwrap()).collect(),
        ..HttpConfig::loopback_only()
    })
    .unwrap();
    PoliteClient::new(http, politeness).unwrap()
}

fn get(url: &str) -> RequestSpec {
    RequestSpec {
        method: reqwest::Method::GET,
        url: url::Url::parse(url).unwrap(),
        headers: Vec::new(),
        body: None,
        large_body: false,
    }
}

#[test]
fn a_robots_txt_that_redirects_is_followed_without_waiting_on_itself() {
    let rt = runtime();
    rt.block_on(async {
        let server = MockServer::start().await;
        // RFC 9309 §2.3.1.2: crawlers follow robots.txt redirects. The hop
        // is on the same origin, whose verdict is the one being fetched.
        Mock::given(method("GET"))
            .and(path("/robots.txt"))
            .respond_with(ResponseTemplate::new(301).insert_header("location", "/robots.txt/"))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/robots.txt/"))
            .respond_with(
                ResponseTemplate::new(200).set_body_string("User-agent: *\nDisallow: /private\n"),
            )
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(path("/open"))
            .respond_with(ResponseTemplate::new(200))
            .expect(1)
            .mount(&server)
            .await;
        let client = polite(&[], Politeness::default());
        let t0 = Instant::now();
        let x = client
            .exchange("p", &get(&format!("{}/open", server.uri())), "")
            .await;
        assert_eq!(x.response.map(|r| r.status), Some(200), "{:?}", x.error);
        assert!(t0.elapsed() < Duration::from_secs(2), "{:?}", t0.elapsed());
        let x = client
            .exchange("p", &get(&format!("{}/private", server.uri())), "")
            .await;
        assert_eq!(
            x.error.map(|e| e.kind.to_string()),
            Some("robots".to_string())
        );
        assert_eq!(client.counters().snapshot().robots_fetched, 1);
        server.verify().await;
    });
}

#[test]
fn a_failing_redirect_target_uses_up_its_own_error_budget_not_the_redirecting_hosts() {
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_port = dead.local_addr().unwrap().port();
    drop(dead);
    let rt = runtime();
    rt.block_on(async {
        let server = MockServer::start().await;
        Mock::given(path("/away"))
            .respond_with(ResponseTemplate::new(302).insert_header(
                "location",
                format!("http://127.0.0.1:{dead_port}/gone").as_str(),
            ))
            .mount(&server)
            .await;
        Mock::given(path("/here"))
            .respond_with(ResponseTemplate::new(200))
            .expect(1)
            .mount(&server)
            .await;
        let client = polite(
            &[],
            Politeness {
                respect_robots: false,
                max_host_errors: 3,
                ..Politeness::default()
            },
        );
        for _ in 0..3 {
            let x = client
                .exchange("p", &get(&format!("{}/away", server.uri())), "")
                .await;
            assert_eq!(
                x.error.map(|e| e.kind.to_string()),
                Some("connect".to_string())
            );
        }
        // The redirecting host still answers…
        let x = client
            .exchange("p", &get(&format!("{}/here", server.uri())), "")
            .await;
        assert_eq!(x.response.map(|r| r.status), Some(200), "{:?}", x.error);
        // …and the dead one has used up its budget.
        let x = client
            .exchange(
                "p",
                &get(&format!("http://127.0.0.1:{dead_port}/direct")),
                "",
            )
            .await;
        let e = x.error.unwrap();
        assert_eq!(e.kind.as_str(), "host-skipped", "{}", e.message);
        assert!(e.message.contains(&dead_port.to_string()), "{}", e.message);
        server.verify().await;
    });
}

#[test]
fn a_retry_after_longer_than_the_wait_allowed_skips_the_host_meanwhile() {
    let rt = runtime();
    rt.block_on(async {
        let server = MockServer::start().await;
        Mock::given(path("/busy"))
            .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "3600"))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(path("/other"))
            .respond_with(ResponseTemplate::new(200))
            .expect(0)
            .mount(&server)
            .await;
        let client = polite(
            &[],
            Politeness {
                respect_robots: false,
                ..Politeness::default()
            },
        );
        // Not retried (3600 s > --max-retry-wait): the 429 is the evidence…
        let x = client
            .exchange("p", &get(&format!("{}/busy", server.uri())), "")
            .await;
        assert_eq!(x.response.map(|r| r.status), Some(429));
        // …and the host is sent nothing else while its Retry-After runs.
        let x = client
            .exchange("q", &get(&format!("{}/other", server.uri())), "")
            .await;
        let e = x.error.unwrap();
        assert_eq!(e.kind.as_str(), "host-skipped", "{}", e.message);
        assert!(e.message.contains("Retry-After"), "{}", e.message);
        assert_eq!(client.counters().snapshot().retries, 0);
        server.verify().await;
    });
}

#[test]
fn a_robots_txt_too_long_to_keep_whole_closes_its_origin() {
    let rt = runtime();
    rt.block_on(async {
        let server = MockServer::start().await;
        // Rules for agentready beyond what is kept: the one that would
        // disallow the probe may be among those dropped.
        let mut robots = String::from("User-agent: *\n");
        for i in 0..5_000 {
            robots.push_str(&format!("Disallow: /section/{i}/\n"));
        }
        robots.push_str("Disallow: /.well-known/\n");
        Mock::given(path("/robots.txt"))
            .respond_with(ResponseTemplate::new(200).set_body_string(robots))
            .mount(&server)
            .await;
        Mock::given(path("/.well-known/openid-configuration"))
            .respond_with(ResponseTemplate::new(200))
            .expect(0)
            .mount(&server)
            .await;
        let client = polite(&[], Politeness::default());
        let url = format!("{}/.well-known/openid-configuration", server.uri());
        let e = client.exchange("p", &get(&url), "").await.error.unwrap();
        assert_eq!(e.kind.as_str(), "robots");
        assert!(
            e.message.contains("more rules for agentready"),
            "{}",
            e.message
        );
        server.verify().await;
    });
}

#[test]
fn robots_txt_verdicts_past_the_memory_budget_are_not_kept() {
    let rt = runtime();
    rt.block_on(async {
        let server = MockServer::start().await;
        let port = server.address().port();
        // ~20 KB of rules per origin, the same file on every virtual host.
        let mut robots = String::from("User-agent: *\nDisallow: /private\n");
        for i in 0..400 {
            robots.push_str(&format!("Disallow: /archive/{i:04}/\n"));
        }
        Mock::given(path("/robots.txt"))
            .respond_with(ResponseTemplate::new(200).set_body_string(robots))
            .mount(&server)
            .await;
        Mock::given(path("/open"))
            .respond_with(ResponseTemplate::new(200))
            .mount(&server)
            .await;
        // Room for one origin's rules, not two.
        let client = polite(
            &["*.robots.test:127.0.0.1"],
            Politeness {
                robots_memory: 30_000,
                ..Politeness::default()
            },
        );
        let fetched = || client.counters().snapshot().robots_fetched;
        let ask = |host: &str, p: &str| {
            let url = format!("http://{host}.robots.test:{port}{p}");
            let client = client.clone();
            async move { client.exchange("p", &get(&url), "").await }
        };
        let allowed =
            |x: Exchange| assert_eq!(x.response.map(|r| r.status), Some(200), "{:?}", x.error);
        let refused = |x: Exchange| {
            assert_eq!(
                x.error.map(|e| e.kind.to_string()),
                Some("robots".to_string())
            )
        };
        allowed(ask("a", "/open").await);
        refused(ask("a", "/private").await);
        assert_eq!(fetched(), 1, "a's verdict is kept");
        // b's rules would pass the budget: they serve b's request, then go.
        refused(ask("b", "/private").await);
        assert_eq!(fetched(), 2);
        refused(ask("b", "/private").await);
        assert_eq!(fetched(), 3, "b's robots.txt is asked again");
        allowed(ask("a", "/open").await);
        assert_eq!(fetched(), 3, "a's is still kept");
    });
}

#[test]
fn stats_refuses_a_file_that_is_not_batch_output() {
    // A pretty-printed single report: many lines, none a report.
    let report = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/sites/widgets-api/scan.json");
    let out = agentready().arg("stats").arg(&report).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("is not batch output"), "{err}");
}
