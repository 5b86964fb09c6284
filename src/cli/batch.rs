//! `agentready batch` (many targets to a JSONL file, politely) and
//! `agentready stats` (adoption statistics over such a file).

use super::{runtime, usage_error, write_output};
use agentready::batch::input::{Exclusions, Shard};
use agentready::batch::polite::{PoliteClient, Politeness};
use agentready::batch::{self, BatchOptions, Event, Skip};
use agentready::exit;
use agentready::http::{self, HttpClient, HttpConfig};
use agentready::render;
use agentready::scan::{ScanOptions, secs};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{BufRead, BufReader, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Options of `batch`. They are taken from the command line only.
#[derive(Debug, Args)]
pub(crate) struct BatchArgs {
    /// Targets, one per line (`#` comments and blank lines ignored); `-` or nothing for stdin.
    input: Option<PathBuf>,
    /// Append one JSON report per line to FILE (required); FILE.meta.json describes the run.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: PathBuf,
    /// Targets in flight at most [default: 64].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    concurrency: Option<u32>,
    /// Requests in flight to one host at most (one connection per host by default: the polite choice, and the fastest over many hosts).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=64))]
    per_host: u32,
    /// Requests per second over the whole run, at most (fractions allowed); also caps the targets in flight.
    #[arg(long, value_name = "N")]
    rate: Option<f64>,
    /// Continue a run on the same output: targets with a line are skipped, a torn last line is dropped.
    #[arg(long)]
    resume: bool,
    /// Take shard I of N (0-based) of the input, by a stable hash of each normalised target.
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    /// Send GET requests only.
    #[arg(long)]
    passive: bool,
    /// Opt-out list: domains never contacted, one per line (covers their subdomains).
    #[arg(long, value_name = "FILE")]
    exclude: Option<PathBuf>,
    /// Do not obey robots.txt (it is obeyed by default).
    #[arg(long)]
    ignore_robots: bool,
    /// How site owners reach you (URL or mailto:), added to the User-Agent.
    #[arg(long, value_name = "URL")]
    contact: Option<String>,
    /// User-Agent to send instead of agentready's own (--contact is still added).
    #[arg(long, value_name = "UA")]
    user_agent: Option<String>,
    /// Retries of a 429 or 503 answer, at most.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u32).range(0..=10))]
    max_retries: u32,
    /// Longest Retry-After waited for, in seconds (longer: not retried).
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    max_retry_wait: f64,
    /// Consecutive connection failures after which a host is skipped.
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=1000))]
    max_host_errors: u32,
    /// Timeout of one request, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    timeout: f64,
    /// Connect timeout, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 5.0)]
    connect_timeout: f64,
    /// Deadline for each target, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    target_timeout: f64,
    /// Body cap in bytes, applied after decompression.
    #[arg(long, value_name = "BYTES", default_value_t = 1024 * 1024)]
    max_body: usize,
    /// Extra request header 'Name: value' (repeatable), sent only to each target's origin; values never appear in output.
    #[arg(short = 'H', long = "header", value_name = "'Name: value'")]
    headers: Vec<String>,
    /// Pin a host to an address: HOST:ADDR, HOST:PORT:ADDR, or *.SUFFIX:ADDR for every name under SUFFIX (repeatable).
    #[arg(long, value_name = "HOST:ADDR")]
    resolve: Vec<String>,
    /// Trust the CA certificate(s) in this PEM file as well (repeatable).
    #[arg(long, value_name = "FILE")]
    cacert: Vec<PathBuf>,
    /// Reach private, loopback and link-local addresses (off: such targets and documents are refused).
    #[arg(long)]
    allow_private: bool,
    /// Send every request through this HTTP proxy (HTTP_PROXY and the like are never read); each name is resolved and checked by the SSRF guard before it goes to the proxy.
    #[arg(long, value_name = "URL")]
    proxy: Option<String>,
    /// Run only these checks or categories (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "ID|CATEGORY,…")]
    only: Vec<String>,
    /// Skip these checks or categories (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "ID|CATEGORY,…")]
    skip: Vec<String>,
    /// Add declarative user checks from this directory.
    #[arg(long, value_name = "DIR")]
    checks_dir: Option<PathBuf>,
    /// No progress bar and no summary on stderr.
    #[arg(short, long)]
    quiet: bool,
    /// Refuse every destination that is not a loopback address, and allow
    /// those (for tests and benchmarks).
    #[arg(long, hide = true)]
    loopback_only: bool,
}

/// The User-Agent: agentready's (or the user's) with the contact added.
fn user_agent(a: &BatchArgs) -> Result<String, String> {
    let base = a
        .user_agent
        .clone()
        .unwrap_or_else(|| http::DEFAULT_USER_AGENT.to_string());
    let ua = match &a.contact {
        None => base,
        Some(c) => {
            let c = c.trim();
            if c.is_empty()
                || c.len() > 200
                || c.chars()
                    .any(|ch| ch.is_control() || ch == '(' || ch == ')')
            {
                return Err("--contact must be a short URL or mailto: address".into());
            }
            match base.strip_suffix(')') {
                Some(open) => format!("{open}; contact: {c})"),
                None => format!("{base} (contact: {c})"),
            }
        }
    };
    if reqwest::header::HeaderValue::from_str(&ua).is_err() {
        return Err("the User-Agent is not a valid header value".into());
    }
    Ok(ua)
}

/// The settings `batch` shares with `scan`, as the same library type.
fn scan_options(a: &BatchArgs, user_agent: Option<String>) -> ScanOptions {
    ScanOptions {
        passive: a.passive,
        allow_private: a.allow_private,
        proxy: a.proxy.clone(),
        loopback_only: a.loopback_only,
        headers: a.headers.clone(),
        resolve: a.resolve.clone(),
        cacert: a.cacert.clone(),
        timeout: a.timeout,
        connect_timeout: a.connect_timeout,
        target_timeout: a.target_timeout,
        max_body: a.max_body,
        user_agent,
        checks_dir: a.checks_dir.clone(),
        only: a.only.clone(),
        skip: a.skip.clone(),
        ..ScanOptions::default()
    }
}

fn http_config(a: &BatchArgs) -> Result<HttpConfig, String> {
    // The order of `scan`'s checks, with the contact between the timeouts
    // and the client options.
    secs(a.connect_timeout, "connect-timeout").map_err(|e| e.to_string())?;
    secs(a.timeout, "timeout").map_err(|e| e.to_string())?;
    let ua = user_agent(a)?;
    let mut c = scan_options(a, Some(ua))
        .http_config()
        .map_err(|e| e.to_string())?;
    c.allow_private = a.allow_private || a.loopback_only;
    c.pool_max_idle_per_host = a.per_host as usize;
    // Thousands of hosts pass through a run: an idle connection is
    // worth keeping only for the next probes of its target, which
    // follow at once. Kept longer, the connections of finished targets
    // pile up (at 500 targets/s, 5 s held ~5,000 sockets and 200 MB).
    c.pool_idle_timeout = Some(Duration::from_secs(1));
    c.dns_cache = true;
    Ok(c)
}

/// The options as the metadata file records them (header names only).
fn options_record(
    a: &BatchArgs,
    concurrency: usize,
    ua: &str,
    exclude: &Exclusions,
) -> serde_json::Value {
    serde_json::json!({
        "concurrency": concurrency,
        "per_host": a.per_host,
        "rate": a.rate,
        "mode": if a.passive { "passive" } else { "safe" },
        "robots": !a.ignore_robots,
        "exclude": a.exclude.as_ref().map(|p| p.display().to_string()),
        "exclude_entries": exclude.len(),
        "max_retries": a.max_retries,
        "max_retry_wait": a.max_retry_wait,
        "max_host_errors": a.max_host_errors,
        "timeout": a.timeout,
        "connect_timeout": a.connect_timeout,
        "target_timeout": a.target_timeout,
        "max_body": a.max_body,
        "user_agent": ua,
        "headers": a.headers.iter().filter_map(|h| h.split_once(':').map(|(n, _)| n.trim().to_ascii_lowercase())).collect::<Vec<_>>(),
        "resolve": a.resolve,
        "cacert": a.cacert.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        "allow_private": a.allow_private,
        // Without its user name and password.
        "proxy": a.proxy.as_deref().and_then(|p| url::Url::parse(p).ok()).map(|u| {
            format!("{}://{}{}", u.scheme(), u.host_str().unwrap_or_default(), u.port().map(|p| format!(":{p}")).unwrap_or_default())
        }),
        "only": a.only,
        "skip": a.skip,
        "checks_dir": a.checks_dir.as_ref().map(|p| p.display().to_string()),
        "resume": a.resume,
    })
}

/// Text from an input line as stderr shows it: at most `max` characters
/// (an ellipsis marks the cut), with every control character replaced
/// ([`render::terminal_line`]).
fn shown(text: &str, max: usize) -> String {
    let mut s: String = text.chars().take(max).collect();
    if text.chars().nth(max).is_some() {
        s.push('…');
    }
    render::terminal_line(&s)
}

/// Invalid lines printed at most (the metadata file counts them all).
const MAX_LINE_WARNINGS: u64 = 20;

pub(crate) fn batch(a: BatchArgs) -> ExitCode {
    let shard = match a.shard.as_deref().map(Shard::parse).transpose() {
        Ok(s) => s.unwrap_or_default(),
        Err(e) => return usage_error(e),
    };
    if !(a.max_retry_wait.is_finite() && a.max_retry_wait >= 0.0 && a.max_retry_wait <= 3600.0) {
        return usage_error("--max-retry-wait must be between 0 and 3600 seconds");
    }
    if let Err(e) = secs(a.target_timeout, "target-timeout") {
        return usage_error(e);
    }
    let config = match http_config(&a) {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    let exclude = match &a.exclude {
        Some(p) => match Exclusions::load(p) {
            Ok(e) => e,
            Err(e) => return usage_error(e),
        },
        None => Exclusions::default(),
    };
    let shared = scan_options(&a, None);
    let engine = match shared.engine() {
        Ok(e) => Arc::new(e),
        Err(e) => return usage_error(e),
    };
    let concurrency = a
        .concurrency
        .map_or(batch::DEFAULT_CONCURRENCY, |c| c as usize);
    let mut config = config;
    // An address on the opt-out list is never contacted, by whatever name.
    config.excluded_addrs = exclude.addresses();
    let ua = config.user_agent.clone();
    let http = match HttpClient::new(config) {
        Ok(h) => h,
        Err(e) => return usage_error(e),
    };
    let politeness = Politeness {
        per_host: a.per_host as usize,
        rate: a.rate,
        max_retries: a.max_retries,
        max_retry_wait: Duration::from_secs_f64(a.max_retry_wait),
        max_host_errors: a.max_host_errors,
        respect_robots: !a.ignore_robots,
        exclude: exclude.clone(),
        // Enough that no origin with a target in flight is forgotten
        // (which would fetch its robots.txt again).
        host_capacity: (concurrency * 8).max(4096),
        robots_memory: agentready::batch::polite::ROBOTS_MEMORY,
    };
    let client = match PoliteClient::new(http, politeness.clone()) {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    let stdin = a.input.as_ref().is_none_or(|p| p.as_os_str() == "-");
    let (input, input_name): (Box<dyn BufRead + Send>, String) = if stdin {
        (Box::new(BufReader::new(std::io::stdin())), "-".into())
    } else {
        let p = a.input.clone().unwrap_or_default();
        match std::fs::File::open(&p) {
            Ok(f) => (
                Box::new(BufReader::with_capacity(1 << 16, f)),
                p.display().to_string(),
            ),
            Err(e) => return usage_error(format!("cannot read {}: {e}", p.display())),
        }
    };
    let opts = BatchOptions {
        concurrency,
        gather: match shared.gather_options(Vec::new(), None) {
            Ok(g) => g,
            Err(e) => return usage_error(e),
        },
        politeness,
        shard,
        resume: a.resume,
        input_name: input_name.clone(),
        options_record: options_record(&a, concurrency, &ua, &exclude),
        stop: None,
    };
    let effective = opts.effective_concurrency();
    let show = !a.quiet && std::io::stderr().is_terminal();
    if effective < concurrency && !a.quiet {
        eprintln!(
            "agentready: --rate {} with a {} s target deadline allows {effective} targets in flight (not {concurrency}), so that targets do not time out waiting for the rate limit",
            a.rate.unwrap_or_default(),
            a.target_timeout
        );
    }

    let bar = progress_bar(show);
    let path = a.input.clone().unwrap_or_default();
    if show && !stdin && countable(&path) {
        // The total, counted lazily beside the scan: the bar shows it
        // once known.
        let bar = bar.clone();
        std::thread::spawn(move || {
            if let Ok(f) = std::fs::File::open(&path) {
                let n = agentready::batch::input::count_lines(BufReader::new(f), shard);
                bar.set_length(n);
                bar.set_style(style(true));
            }
        });
    }
    let incomplete = Arc::new(AtomicU64::new(0));
    let warned = Arc::new(AtomicU64::new(0));
    let observer: batch::Observer = {
        let bar = bar.clone();
        let quiet = a.quiet;
        Arc::new(move |e: Event<'_>| {
            match e {
                Event::Scanned(r) => {
                    if r.incomplete() {
                        let n = incomplete.fetch_add(1, Ordering::Relaxed) + 1;
                        bar.set_message(format!("{n} incomplete"));
                    }
                }
                Event::Invalid { line, text, reason } => {
                    let n = warned.fetch_add(1, Ordering::Relaxed);
                    let msg = if n < MAX_LINE_WARNINGS {
                        // The line is whatever the input held: shortened,
                        // and no control character reaches the terminal.
                        Some(format!(
                            "agentready: line {line}: skipped `{}`: {}",
                            shown(text, 120),
                            shown(reason, 240)
                        ))
                    } else if n == MAX_LINE_WARNINGS {
                        Some("agentready: more invalid lines skipped (the metadata file counts them)".into())
                    } else {
                        None
                    };
                    if let Some(m) = msg {
                        if bar.is_hidden() {
                            if !quiet {
                                eprintln!("{m}");
                            }
                        } else {
                            bar.println(m);
                        }
                    }
                }
                Event::Skipped(Skip::AlreadyDone | Skip::Duplicate | Skip::Excluded)
                | Event::Failed => {}
            }
            bar.inc(1);
        })
    };

    // SIGINT or SIGTERM: no new target starts, the ones in flight finish,
    // and the metadata file says `interrupted` with the real counts.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let opts = BatchOptions {
        stop: Some(stop_rx),
        ..opts
    };
    let rt = runtime();
    let result = rt.block_on(async {
        // Listening before the first target starts.
        let signals = Signals::new().map(|s| tokio::spawn(on_signals(s, stop_tx, bar.clone())));
        let result = batch::run(engine, client, opts, input, &a.output, observer).await;
        if let Some(s) = signals {
            s.abort();
        }
        result
    });
    // An interrupted run leaves its input reader behind (it may be waiting
    // on a terminal or a pipe): do not wait for it.
    rt.shutdown_background();
    bar.finish_and_clear();
    let summary = match result {
        Ok(s) => s,
        Err(e) => return usage_error(e),
    };
    let c = &summary.counts;
    if !a.quiet {
        let r = &summary.requests;
        eprintln!(
            "agentready: {} targets scanned in {:.1} s ({} complete, {} incomplete of which {} unreachable); skipped: {} already done, {} duplicates, {} excluded, {} invalid lines{}",
            c.scanned,
            summary.elapsed.as_secs_f64(),
            c.complete,
            c.incomplete,
            c.unreachable,
            c.already_done,
            c.duplicates,
            c.excluded,
            c.invalid,
            if c.internal_errors > 0 {
                format!(", {} internal errors", c.internal_errors)
            } else {
                String::new()
            }
        );
        eprintln!(
            "agentready: {} requests ({} retries, {} robots.txt fetched, {} disallowed by robots.txt, {} to excluded hosts not sent, {} to failing hosts not sent); results in {}, run metadata in {}",
            r.requests,
            r.retries,
            r.robots_fetched,
            r.robots_disallowed,
            r.excluded,
            r.host_skipped,
            a.output.display(),
            summary.meta_path.display()
        );
        if let Some(res) = summary.resumed
            && res.torn_bytes_dropped > 0
        {
            eprintln!(
                "agentready: resumed after {} reports; a torn last line ({} bytes) was dropped and its target scanned again",
                res.reports, res.torn_bytes_dropped
            );
        }
    }
    if let Some(e) = &summary.meta_error {
        eprintln!("agentready: {e} (the results file is complete)");
    }
    if summary.interrupted {
        eprintln!(
            "agentready: interrupted after {} targets ({} complete); the metadata file says `interrupted`. To continue where it stopped, run:\n  {}{}",
            c.scanned,
            c.complete,
            resume_command(),
            if stdin {
                "\n(with the same input on stdin)"
            } else {
                ""
            }
        );
        return ExitCode::from(exit::INTERRUPTED);
    }
    if summary.all_complete() {
        ExitCode::from(exit::OK)
    } else {
        ExitCode::from(exit::INCOMPLETE)
    }
}

/// Wait for SIGINT or SIGTERM: the first asks the run to stop after the
/// targets in flight, a second stops at once (every line written so far is
/// whole; `--resume` continues).
async fn on_signals(
    mut signals: Signals,
    stop: tokio::sync::watch::Sender<bool>,
    bar: ProgressBar,
) {
    let say = |msg: &str| {
        if bar.is_hidden() {
            eprintln!("{msg}");
        } else {
            bar.println(msg);
        }
    };
    signals.next().await;
    say(
        "agentready: interrupted: finishing the targets in flight (interrupt again to stop at once)",
    );
    let _ = stop.send(true);
    signals.next().await;
    say(
        "agentready: stopped at once; every line written is whole: rerun with --resume to continue",
    );
    std::process::exit(i32::from(exit::INTERRUPTED));
}

/// SIGINT and SIGTERM (Ctrl-C where there are no Unix signals).
struct Signals {
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
}

impl Signals {
    /// Listen; `None` when signals cannot be listened for.
    fn new() -> Option<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Some(Signals {
                int: signal(SignalKind::interrupt()).ok()?,
                term: signal(SignalKind::terminate()).ok()?,
            })
        }
        #[cfg(not(unix))]
        {
            Some(Signals {})
        }
    }

    /// The next signal.
    async fn next(&mut self) {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.int.recv() => {}
                _ = self.term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}

/// This command again, with `--resume` (shell-quoted).
fn resume_command() -> String {
    resume_command_of(
        std::env::args_os()
            .map(|a| a.to_string_lossy().into_owned())
            .collect(),
    )
}

/// The command line that resumes a run, shell-quoted, with the values of
/// `-H`/`--header` and `--proxy` elided: they may be secrets, and stderr is
/// no place for them (the user gives them again).
fn resume_command_of(mut args: Vec<String>) -> String {
    if !args.iter().any(|a| a == "--resume") {
        args.push("--resume".into());
    }
    let mut elided = false;
    let mut secret_next = false;
    for a in &mut args {
        if std::mem::take(&mut secret_next) {
            *a = elide_value(a);
            elided = true;
            continue;
        }
        match a.as_str() {
            "-H" | "--header" | "--proxy" => secret_next = true,
            _ => {
                for flag in ["--header=", "--proxy="] {
                    if let Some(v) = a.strip_prefix(flag) {
                        *a = format!("{flag}{}", elide_value(v));
                        elided = true;
                    }
                }
                if let Some(v) = a.strip_prefix("-H").filter(|v| !v.is_empty()) {
                    *a = format!("-H{}", elide_value(v));
                    elided = true;
                }
            }
        }
    }
    let line = args
        .iter()
        .map(|a| {
            if !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_./:=@%+,-".contains(c))
            {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    if elided {
        format!("{line}\n(header and proxy values are elided here: give them again)")
    } else {
        line
    }
}

/// `Name: value` → `Name: …`; anything else (a proxy URL) → `…`.
fn elide_value(v: &str) -> String {
    match v.split_once(':') {
        Some((name, _)) if !name.contains('/') => format!("{name}: …"),
        _ => "…".into(),
    }
}

/// Targets per second over the whole run so far: `None` until a target
/// finished (indicatif's own estimate starts near zero and settles only
/// after a while, which made the first ETAs absurd).
fn average_rate(pos: u64, elapsed: Duration) -> Option<f64> {
    let secs = elapsed.as_secs_f64();
    (pos > 0 && secs > 0.0).then(|| pos as f64 / secs)
}

/// The rate as shown: "12.3 targets/s", "—" before the first target.
fn rate_text(pos: u64, elapsed: Duration) -> String {
    match average_rate(pos, elapsed) {
        Some(r) if r >= 10.0 => format!("{r:.0} targets/s"),
        Some(r) => format!("{r:.1} targets/s"),
        None => "— targets/s".to_string(),
    }
}

/// The time left at the average rate: "1m05s", "—" before the first
/// target.
fn eta_text(pos: u64, len: Option<u64>, elapsed: Duration) -> String {
    match (average_rate(pos, elapsed), len) {
        (Some(r), Some(len)) => {
            let left = (len.saturating_sub(pos) as f64 / r).round() as u64;
            if left >= 3600 {
                format!("{}h{:02}m", left / 3600, left % 3600 / 60)
            } else {
                format!("{}m{:02}s", left / 60, left % 60)
            }
        }
        _ => "—".to_string(),
    }
}

fn style(with_total: bool) -> ProgressStyle {
    let template = if with_total {
        "{spinner} {pos}/{len} targets  {rate}  elapsed {elapsed}  ETA {left}  {msg}"
    } else {
        "{spinner} {pos} targets  {rate}  elapsed {elapsed}  {msg}"
    };
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
        .with_key(
            "rate",
            |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = w.write_str(&rate_text(s.pos(), s.elapsed()));
            },
        )
        .with_key(
            "left",
            |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = w.write_str(&eta_text(s.pos(), s.len(), s.elapsed()));
            },
        )
}

fn progress_bar(show: bool) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(style(false));
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// Output formats of `stats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum StatsFormat {
    /// Tables for people.
    Table,
    /// JSON.
    Json,
    /// CSV, one row per figure: section,key,value,count,share.
    Csv,
}

/// Options of `stats`.
#[derive(Debug, Args)]
pub(crate) struct StatsArgs {
    /// Results files written by `agentready batch` (`-` for stdin): the
    /// shards of one run give one set of figures.
    #[arg(required = true, num_args = 1.., value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: StatsFormat,
    /// Write to FILE instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Can the input be read a second time to count its lines for the
/// progress bar? Only a regular file: opening a pipe, FIFO or
/// process substitution (`<(zcat list.gz)`) again would share it with the
/// scan, and the two readers would each take part of the lines.
fn countable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

pub(crate) fn stats(a: &StatsArgs) -> ExitCode {
    if a.inputs.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        return usage_error("stdin (`-`) can be read only once");
    }
    let mut collector = batch::stats::Collector::default();
    for input in &a.inputs {
        let name = input.display();
        let read = if input.as_os_str() == "-" {
            collector.read(std::io::stdin().lock())
        } else {
            match std::fs::File::open(input) {
                Ok(f) => collector.read(BufReader::with_capacity(1 << 16, f)),
                Err(e) => return usage_error(format!("cannot read {name}: {e}")),
            }
        };
        if let Err(e) = read {
            return usage_error(format!("cannot read {name}: {e}"));
        }
    }
    let s = collector.finish();
    let name = a
        .inputs
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    if s.reports == 0 && s.unparseable_lines > 0 {
        // Not batch output: a pretty-printed report, say, is many lines
        // none of which is a report.
        return usage_error(format!(
            "{name} is not batch output: none of its {} lines is a JSON report (a single report is read as one line: `jq -c . report.json`)",
            s.lines
        ));
    }
    if s.unparseable_lines > 0 {
        eprintln!(
            "agentready: {name}: {} and {} skipped",
            agentready::report::count(
                usize::try_from(s.unparseable_lines).unwrap_or(usize::MAX),
                "line is not a report",
                "lines are not reports"
            ),
            agentready::report::plural(
                usize::try_from(s.unparseable_lines).unwrap_or(usize::MAX),
                "was",
                "were"
            )
        );
    }
    let text = match a.format {
        StatsFormat::Table => Ok(batch::stats::table(&s, &name)),
        StatsFormat::Json => batch::stats::json(&s).map_err(|e| e.to_string()),
        StatsFormat::Csv => Ok(batch::stats::csv(&s)),
    };
    match text.and_then(|t| write_output(a.output.as_deref(), &t)) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(e) => usage_error(e),
    }
}

#[cfg(test)]
mod tests {
    use super::{countable, eta_text, rate_text, resume_command_of};
    use std::time::Duration;

    #[test]
    fn rate_and_eta_are_sane_from_the_start() {
        let s = Duration::from_secs;
        // Before the first target: no figure rather than a wild one.
        assert_eq!(rate_text(0, s(3)), "— targets/s");
        assert_eq!(eta_text(0, Some(100), s(3)), "—");
        // The average over the run: 10 targets in 2 s of 100.
        assert_eq!(rate_text(10, s(2)), "5.0 targets/s");
        assert_eq!(eta_text(10, Some(100), s(2)), "0m18s");
        assert_eq!(rate_text(1000, s(10)), "100 targets/s");
        assert_eq!(eta_text(1, Some(10_000), s(1)), "2h46m");
        assert_eq!(eta_text(5, None, s(1)), "—");
    }

    #[test]
    fn only_a_regular_file_is_read_twice_for_the_progress_total() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("targets.txt");
        std::fs::write(&file, "example.com\n").unwrap();
        assert!(countable(&file));
        assert!(!countable(dir.path()), "a directory");
        assert!(!countable(&dir.path().join("missing")));
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            assert!(!countable(&fifo), "a FIFO is shared with the scan's reader");
        }
    }

    #[test]
    fn the_resume_command_elides_header_and_proxy_values() {
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let line = resume_command_of(args(&[
            "agentready",
            "batch",
            "in.txt",
            "-H",
            "Authorization: Bearer sk-live-1",
            "--header=X-Key: abc",
            "-HX-Other: tiny",
            "--proxy",
            "http://user:pw@proxy.test:8080",
        ]));
        for secret in ["sk-live-1", "abc", "tiny", "pw@", "user:"] {
            assert!(!line.contains(secret), "{secret} in {line}");
        }
        assert!(line.contains("'Authorization: …'"), "{line}");
        assert!(line.contains("--resume"), "{line}");
        assert!(line.contains("give them again"), "{line}");
        let plain = resume_command_of(args(&["agentready", "batch", "in.txt", "-o", "r.jsonl"]));
        assert_eq!(plain, "agentready batch in.txt -o r.jsonl --resume");
    }
}
