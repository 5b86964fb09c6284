//! Golden outputs: every byte agentready writes for the bundled fixture
//! sites, compared with snapshots in `tests/golden/`. A change of any
//! verdict, summary, finding, exchange or rendering shows up here as a diff
//! to review; a restructuring of the code must leave all of it unchanged.
//!
//! What is compared, after normalising only what differs from run to run
//! (loopback ports, random nonces, timestamps, durations):
//! - for every site in `fixtures/sites/`: a live `scan --format json` (its
//!   report and its `--save-evidence` file), then the saved evidence
//!   replayed with `--from-evidence` in every format (table, json,
//!   markdown, sarif, junit, html) — the replay is deterministic to the
//!   byte, SARIF fingerprints included, and its JSON report is the live
//!   one — with exit codes and stderr;
//! - every site scanned with `--passive` (JSON report);
//! - every check alone (`--only ID`) on three sites: what was sent, and
//!   the verdict;
//! - `demo` in every format;
//! - `batch` over every site, and `stats` over its output;
//! - `diff` of two reports in every format;
//! - the command line's texts: `--help` of every command, `--version`,
//!   `checks` and `explain` of every check.
//!
//! Regenerate with `UPDATE_GOLDEN=1 cargo test --test golden`, and review
//! the diff before committing it.

mod common;

use agentready::fixture::Site;
use assert_cmd::Command;
use common::{runtime, serve_site};
use regex::{Captures, Regex};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

const FORMATS: &[(&str, &str)] = &[
    ("table", "txt"),
    ("json", "json"),
    ("markdown", "md"),
    ("sarif", "sarif.json"),
    ("junit", "xml"),
    ("html", "html"),
];

/// The port every loopback URL is given in a snapshot (five digits, as
/// the ephemeral ports are, so tables wrap the same way).
const PORT: &str = "40000";

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Compares outputs with their snapshots, collecting every difference.
struct Golden {
    update: bool,
    failures: Mutex<Vec<String>>,
}

impl Golden {
    fn new() -> Self {
        Golden {
            update: std::env::var_os("UPDATE_GOLDEN").is_some(),
            failures: Mutex::new(Vec::new()),
        }
    }

    fn check(&self, name: &str, actual: &str) {
        let path = golden_dir().join(name);
        if self.update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, actual).unwrap();
            return;
        }
        let stored = std::fs::read_to_string(&path).unwrap_or_default();
        if stored != actual {
            let line = stored
                .lines()
                .zip(actual.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| stored.lines().count().min(actual.lines().count()));
            let at = |t: &str| t.lines().nth(line).unwrap_or("<end>").to_string();
            self.failures.lock().unwrap().push(format!(
                "{name}: differs from the snapshot at line {}\n  stored: {}\n  now:    {}",
                line + 1,
                at(&stored),
                at(actual)
            ));
        }
    }

    fn finish(self) {
        let failures = self.failures.into_inner().unwrap();
        assert!(
            failures.is_empty(),
            "{} output(s) differ from tests/golden/ (review, then UPDATE_GOLDEN=1 cargo test --test golden):\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).unwrap())
}

/// A table cell's text that ends inside a loopback URL's port, and the
/// number of port digits it shows.
fn cut_port(fragment: &str) -> Option<usize> {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, r"127\.0\.0\.1:(\d{0,4})\s*$")
        .captures(fragment)
        .map(|c| c[1].len())
}

/// Ports of loopback URLs that a table wrapped across two lines: the digits
/// at the end of a cell and at the start of the same cell on the next line.
fn wrapped_ports(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // (column, digits shown on the line before)
    let mut pending: Vec<(usize, usize)> = Vec::new();
    for line in text.split_inclusive('\n') {
        let mut cells: Vec<String> = vec![String::new()];
        for ch in line.chars() {
            if ch == '┆' || ch == '│' {
                cells.push(ch.to_string());
                cells.push(String::new());
            } else {
                cells.last_mut().unwrap().push(ch);
            }
        }
        let mut next = Vec::new();
        let mut column = 0;
        for cell in cells.iter_mut() {
            if cell == "┆" || cell == "│" {
                column += 1;
                continue;
            }
            if let Some((_, shown)) = pending.iter().find(|(c, _)| *c == column) {
                let rest = 5 - shown;
                let lead = cell.len() - cell.trim_start().len();
                let digits = cell[lead..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .count();
                if digits == rest {
                    cell.replace_range(lead..lead + rest, &PORT[*shown..]);
                }
            }
            if let Some(shown) = cut_port(cell) {
                let start = cell.rfind("127.0.0.1:").unwrap() + "127.0.0.1:".len();
                cell.replace_range(start..start + shown, &PORT[..shown]);
                next.push((column, shown));
            }
        }
        pending = next;
        out.extend(cells);
    }
    out
}

/// What differs from run to run, replaced by fixed values.
fn normalise(text: &str) -> String {
    static PORTS: OnceLock<Regex> = OnceLock::new();
    static NONCES: OnceLock<Regex> = OnceLock::new();
    static LAX: OnceLock<Regex> = OnceLock::new();
    static STAMPS: OnceLock<Regex> = OnceLock::new();
    static MILLIS: OnceLock<Regex> = OnceLock::new();
    static TABLE_MS: OnceLock<Regex> = OnceLock::new();
    static JUNIT_TIME: OnceLock<Regex> = OnceLock::new();
    static HTTP_DATES: OnceLock<Regex> = OnceLock::new();
    static HTML_MS: OnceLock<Regex> = OnceLock::new();
    let text = wrapped_ports(text);
    let text = re(&PORTS, r":\d{5}\b").replace_all(&text, format!(":{PORT}"));
    let text = re(
        &NONCES,
        r"(agentready-(?:nonexistent|invalid-token|unregistered-client)-)([0-9a-f]{1,16})",
    )
    .replace_all(&text, |c: &Captures| {
        format!("{}{}", &c[1], "0".repeat(c[2].len()))
    });
    let text = re(&LAX, r"(lax-(?:secret|rat)-\d+-)([0-9a-f]{16})")
        .replace_all(&text, |c: &Captures| format!("{}{}", &c[1], "0".repeat(16)));
    let text = re(
        &STAMPS,
        r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})",
    )
    .replace_all(&text, "2000-01-01T00:00:00Z");
    let text = re(
        &MILLIS,
        r#"("(?:duration_ms|elapsed_ms|elapsed|duration_secs)"\s*:\s*)[0-9.]+"#,
    )
    .replace_all(&text, "${1}0");
    let text = re(&TABLE_MS, r"(\d+ requests?,? (?:in )?)\d+ ms\b").replace_all(&text, "${1}0 ms");
    let text = re(
        &HTTP_DATES,
        r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT",
    )
    .replace_all(&text, "Sat, 01 Jan 2000 00:00:00 GMT");
    let text = re(&JUNIT_TIME, r#"\btime="[0-9.]+""#).replace_all(&text, r#"time="0""#);
    let text = re(&HTML_MS, r"<td>\d+ ms</td>").replace_all(&text, "<td>0 ms</td>");
    text.into_owned()
}

/// SARIF fingerprints hash what a finding says, loopback ports included:
/// normalised only where the port is not fixed (live scans).
fn normalise_fingerprints(text: &str) -> String {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, r#"("agentreadyFinding/v1": ")[0-9a-f]+""#)
        .replace_all(text, "${1}0000000000000000\"")
        .into_owned()
}

struct Run {
    stdout: String,
    stderr: String,
    code: i32,
}

fn agentready(args: &[&str], dir: &Path) -> Run {
    let out = Command::cargo_bin("agentready")
        .unwrap()
        .env("NO_COLOR", "1")
        // The table's width: the default for output that is not a terminal.
        .env_remove("COLUMNS")
        .env_remove("HTTP_PROXY")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    Run {
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
        code: out.status.code().unwrap_or(-1),
    }
}

/// Scan one bundled site live, then replay its evidence in every format.
fn site(golden: &Golden, rt: &tokio::runtime::Runtime, name: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let running = serve_site(rt, name);
    let mut log = String::new();
    let live = agentready(
        &[
            "scan",
            &running.target,
            "--loopback-only",
            "--format",
            "json",
            "--save-evidence",
            "evidence.json",
        ],
        dir,
    );
    drop(running);
    log.push_str(&format!(
        "scan --format json: exit {}\n{}",
        live.code,
        normalise(&live.stderr)
    ));
    let running = serve_site(rt, name);
    let passive = agentready(
        &[
            "scan",
            &running.target,
            "--loopback-only",
            "--passive",
            "--format",
            "json",
        ],
        dir,
    );
    drop(running);
    log.push_str(&format!(
        "scan --passive --format json: exit {}\n{}",
        passive.code,
        normalise(&passive.stderr)
    ));
    golden.check(
        &format!("sites/{name}/passive.json"),
        &normalise(&passive.stdout),
    );
    golden.check(&format!("sites/{name}/scan.json"), &normalise(&live.stdout));
    let evidence = normalise(&std::fs::read_to_string(dir.join("evidence.json")).unwrap());
    golden.check(&format!("sites/{name}/evidence.json"), &evidence);
    std::fs::write(dir.join("evidence.json"), &evidence).unwrap();
    let report = normalise(&live.stdout);
    for (format, ext) in FORMATS {
        let replay = agentready(
            &[
                "scan",
                "--from-evidence",
                "evidence.json",
                "--format",
                format,
            ],
            dir,
        );
        log.push_str(&format!(
            "scan --from-evidence --format {format}: exit {}\n{}",
            replay.code,
            normalise(&replay.stderr)
        ));
        let out = normalise(&replay.stdout);
        if *format == "json" {
            // The replayed report is the live one: no second snapshot.
            if out != report {
                golden.failures.lock().unwrap().push(format!(
                    "{name}: the replayed JSON report differs from the live one"
                ));
            }
        } else {
            golden.check(&format!("sites/{name}/replay.{ext}"), &out);
        }
    }
    golden.check(&format!("sites/{name}/runs.txt"), &log);
}

#[test]
fn every_site_scans_and_replays_to_the_same_bytes() {
    let golden = Golden::new();
    let rt = runtime();
    let names = Site::bundled_names();
    assert!(names.len() >= 20, "{names:?}");
    let next = Mutex::new(names.iter());
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                loop {
                    let Some(name) = next.lock().unwrap().next() else {
                        break;
                    };
                    site(&golden, &rt, name);
                }
            });
        }
    });
    golden.finish();
}

/// What one check alone makes the scanner send (`--only ID`): the probes
/// the planner derives from what the check needs, and the verdict.
#[test]
fn each_check_alone_sends_the_same_probes() {
    let golden = Golden::new();
    let rt = runtime();
    let tmp = tempfile::tempdir().unwrap();
    let ids: Vec<String> = agentready::engine::catalogue::builtin()
        .iter()
        .map(|m| m.id.clone())
        .collect();
    for name in ["agent-ready", "widgets-api", "sloppy-provider"] {
        let mut text = String::new();
        for id in &ids {
            let running = serve_site(&rt, name);
            let run = agentready(
                &[
                    "scan",
                    &running.target,
                    "--loopback-only",
                    "--only",
                    id,
                    "--format",
                    "json",
                ],
                tmp.path(),
            );
            drop(running);
            let report: serde_json::Value = serde_json::from_str(&normalise(&run.stdout)).unwrap();
            let check = &report["checks"][0];
            text.push_str(&format!(
                "{id}: exit {} {} — {}\n",
                run.code, check["outcome"], check["summary"]
            ));
            for x in report["exchanges"].as_array().unwrap() {
                text.push_str(&format!(
                    "  {} {} {} {}\n",
                    x["method"], x["url"], x["probe"], x["aliases"]
                ));
            }
        }
        golden.check(&format!("only/{name}.txt"), &text);
    }
    golden.finish();
}

#[test]
fn demo_output_is_unchanged_in_every_format() {
    let golden = Golden::new();
    let tmp = tempfile::tempdir().unwrap();
    for (format, ext) in FORMATS {
        let run = agentready(&["demo", "--format", format], tmp.path());
        assert_eq!(run.code, 0, "{}", run.stderr);
        golden.check(
            &format!("demo/demo.{ext}"),
            &normalise_fingerprints(&normalise(&run.stdout)),
        );
        golden.check(&format!("demo/demo.{ext}.stderr"), &normalise(&run.stderr));
    }
    golden.finish();
}

#[test]
fn batch_and_stats_over_every_site_are_unchanged() {
    let golden = Golden::new();
    let rt = runtime();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let running: Vec<_> = Site::bundled_names()
        .iter()
        .map(|n| serve_site(&rt, n))
        .collect();
    let input: String = running.iter().map(|r| format!("{}\n", r.target)).collect();
    std::fs::write(dir.join("targets.txt"), input).unwrap();
    let run = agentready(
        &[
            "batch",
            "targets.txt",
            "-o",
            "results.jsonl",
            "--loopback-only",
            "--quiet",
        ],
        dir,
    );
    drop(running);
    let mut lines: Vec<String> = std::fs::read_to_string(dir.join("results.jsonl"))
        .unwrap()
        .lines()
        .map(normalise)
        .collect();
    lines.sort();
    golden.check("batch/results.jsonl", &(lines.join("\n") + "\n"));
    golden.check(
        "batch/runs.txt",
        &format!(
            "batch: exit {}\n{}{}",
            run.code,
            normalise(&run.stdout),
            normalise(&run.stderr)
        ),
    );
    for format in ["table", "json", "csv"] {
        let stats = agentready(&["stats", "results.jsonl", "--format", format], dir);
        golden.check(
            &format!("batch/stats.{format}"),
            &format!(
                "exit {}\n{}{}",
                stats.code,
                normalise(&stats.stdout),
                normalise(&stats.stderr)
            ),
        );
    }
    golden.finish();
}

#[test]
fn diff_of_two_reports_is_unchanged() {
    let golden = Golden::new();
    let dir = golden_dir().join("sites");
    for format in ["table", "json", "markdown"] {
        let run = agentready(
            &[
                "diff",
                "classic-oauth/scan.json",
                "agent-ready/scan.json",
                "--format",
                format,
            ],
            &dir,
        );
        golden.check(
            &format!("diff/diff.{format}"),
            &format!("exit {}\n{}{}", run.code, run.stdout, run.stderr),
        );
    }
    golden.finish();
}

#[test]
fn command_line_texts_are_unchanged() {
    let golden = Golden::new();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut text = String::new();
    let mut run = |args: &[&str]| {
        let r = agentready(args, dir);
        text.push_str(&format!(
            "$ agentready {}\nexit {}\n{}{}\n",
            args.join(" "),
            r.code,
            r.stdout,
            r.stderr
        ));
    };
    run(&["--help"]);
    run(&["--version"]);
    for cmd in [
        "scan", "batch", "stats", "diff", "checks", "explain", "demo",
    ] {
        run(&[cmd, "--help"]);
    }
    run(&["checks"]);
    run(&["explain", "no-such-check"]);
    run(&["scan"]);
    run(&["scan", "example.com", "--only", "nonsense"]);
    golden.check("cli/help.txt", &text);
    let checks = agentready(&["checks"], dir).stdout;
    let mut explained = String::new();
    for id in checks
        .lines()
        .filter_map(|l| l.split_whitespace().nth(1))
        .filter(|w| {
            w.chars()
                .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit())
                && w.contains('-')
        })
    {
        let r = agentready(&["explain", id], dir);
        explained.push_str(&format!(
            "$ agentready explain {id}\nexit {}\n{}\n",
            r.code, r.stdout
        ));
    }
    assert!(explained.matches("$ agentready explain").count() >= 33);
    golden.check("cli/explain.txt", &explained);
    golden.finish();
}
