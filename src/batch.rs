//! Batch scanning at research scale: `agentready batch`.
//!
//! ```text
//! input lines ─► reader thread ─► bounded queue ─► N target scans ─► writer thread ─► results.jsonl
//!   (parse, shard,                 (N targets)      (Engine::scan       (one write per
//!    de-duplicate,                                    over one shared     report line)
//!    resume, opt-out)                                 PoliteClient)
//! ```
//!
//! - [`input`]: lines, normalisation, the stable shard hash, the opt-out list.
//! - [`polite`]: the transport every request goes through (robots.txt,
//!   per-host limits, global rate, retries, error budget).
//! - robots.txt (RFC 9309) is read by `crate::parse::robots`.
//! - [`output`]: the crash-safe JSONL file, `--resume`, the metadata file.
//! - [`stats`]: `agentready stats` over a results file.
//!
//! Memory does not grow with the input: the input is streamed, at most
//! `concurrency` scans are in flight with a queue of as many targets and
//! 32 report lines, per-host
//! state lives in bounded caches, and finished reports leave as soon as
//! their line is written. The one structure that grows is the [`Ledger`]
//! of targets seen (for de-duplication and `--resume`): 16–32 bytes per
//! distinct target. The library never prints: progress is reported through
//! the [`Event`] callback.
//!
//! **One poisoned target never ends a run.** Everything a target sends is
//! read within a budget (bodies capped after decompression, every parsed
//! JSON or YAML tree charged its heap cost as it is built — see
//! `crate::parse::json` and `crate::parse::yaml` — input lines
//! within [`input::MAX_LINE`]), so no target can make an allocation fail,
//! which in Rust would abort the whole process and every `--resume` after
//! it. A check that panics becomes that check's `error`; a scan that panics
//! elsewhere ends only its own task (an internal error, no line, scanned
//! again by `--resume`); a target that hangs is cut at its deadline. One
//! run holds the output at a time (an exclusive lock; see
//! [`output::open`]).

mod error;
pub mod input;
pub mod output;
pub mod polite;

pub mod stats;

pub use error::InputError;

use crate::engine::{Engine, now_rfc3339};
use crate::gather::plan::GatherOptions;
use crate::report::Report;
use input::{Line, Shard, classify, read_line_capped};
use output::{Counts, Ledger, Meta, Visit};
use polite::{PoliteClient, Politeness};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Default targets in flight (see the README: network-bound on a 2-core
/// machine, well within file-descriptor and memory limits).
pub const DEFAULT_CONCURRENCY: usize = 64;

/// Report lines waiting for the writer, at most.
const WRITE_QUEUE: usize = 32;

/// How often the metadata file is rewritten during a run.
const META_INTERVAL: Duration = Duration::from_secs(15);

/// Settings of a batch run.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Targets in flight at most.
    pub concurrency: usize,
    /// Per-target gathering (mode, deadline).
    pub gather: GatherOptions,
    /// Politeness of the transport.
    pub politeness: Politeness,
    /// Which shard of the input to take.
    pub shard: Shard,
    /// Continue an earlier run on the same output.
    pub resume: bool,
    /// What the metadata file says the input and options were.
    pub input_name: String,
    /// Options for the metadata file (the CLI's view; no secrets).
    pub options_record: serde_json::Value,
    /// Becomes `true` when the run is to stop (SIGINT, SIGTERM): no new
    /// target is started, the targets in flight are finished and written,
    /// and the metadata file says `interrupted` with the real counts.
    pub stop: Option<tokio::sync::watch::Receiver<bool>>,
}

impl BatchOptions {
    /// Targets in flight after the `--rate` cap: with a global rate `R`
    /// and a per-target deadline `T`, at most `R·T/60` targets are in
    /// flight (at least one), so that a target's ~30 requests fit in half
    /// its deadline even when every target waits for the same tokens.
    pub fn effective_concurrency(&self) -> usize {
        let c = self.concurrency.max(1);
        match self.politeness.rate {
            Some(rate) => {
                let cap = rate * self.gather.target_timeout.as_secs_f64() / 60.0;
                c.min((cap.floor() as usize).max(1))
            }
            None => c,
        }
    }
}

/// Why a line of this shard was settled without a scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// Its report is in the output from an earlier run (`--resume`).
    AlreadyDone,
    /// Named again after its first line.
    Duplicate,
    /// On the opt-out list.
    Excluded,
}

/// What the run reports as it goes (for a progress bar).
#[derive(Debug)]
pub enum Event<'a> {
    /// A line of this shard needed no scan.
    Skipped(Skip),
    /// A line of this shard is not a target.
    Invalid {
        /// 1-based line number.
        line: u64,
        /// The line, trimmed.
        text: &'a str,
        /// Why.
        reason: &'a str,
    },
    /// A target was scanned and its line written.
    Scanned(&'a Report),
    /// A scan failed inside agentready (a bug): no line was written.
    Failed,
}

/// The callback that receives [`Event`]s, from several threads.
pub type Observer = Arc<dyn Fn(Event<'_>) + Send + Sync>;

/// What went wrong with the run as a whole (not with a target).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BatchError {
    /// The output file cannot be used.
    #[error(transparent)]
    Output(#[from] output::OutputError),
    /// Reading the input failed.
    #[error("cannot read the input {name}: {source}")]
    Input {
        /// The input.
        name: String,
        /// The error.
        source: std::io::Error,
    },
    /// Writing the output failed.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The options are inconsistent.
    #[error("{0}")]
    Options(String),
}

/// The result of a run.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Counts.
    pub counts: Counts,
    /// Requests and politeness decisions.
    pub requests: polite::CountersSnapshot,
    /// What `--resume` found.
    pub resumed: Option<output::Resumed>,
    /// Targets in flight at most.
    pub effective_concurrency: usize,
    /// Wall time.
    pub elapsed: Duration,
    /// The metadata file.
    pub meta_path: PathBuf,
    /// The run was stopped ([`BatchOptions::stop`]) before the input ended:
    /// `--resume` continues it.
    pub interrupted: bool,
    /// Why the metadata file could not be written at the end, if it could
    /// not (the results file is complete regardless).
    pub meta_error: Option<String>,
}

impl Summary {
    /// True when every line of this shard was a target and every target
    /// scanned by this run got a complete report.
    pub fn all_complete(&self) -> bool {
        self.counts.invalid == 0 && self.counts.incomplete == 0 && self.counts.internal_errors == 0
    }
}

/// The counts, shared between the reader, the scans and the meta writer.
#[derive(Debug, Default)]
struct LiveCounts {
    lines: AtomicU64,
    in_shard: AtomicU64,
    other_shards: AtomicU64,
    invalid: AtomicU64,
    duplicates: AtomicU64,
    excluded: AtomicU64,
    already_done: AtomicU64,
    scanned: AtomicU64,
    complete: AtomicU64,
    incomplete: AtomicU64,
    unreachable: AtomicU64,
    internal_errors: AtomicU64,
}

impl LiveCounts {
    fn inc(c: &AtomicU64) {
        c.fetch_add(1, Ordering::Relaxed);
    }

    fn snapshot(&self) -> Counts {
        let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
        Counts {
            lines: g(&self.lines),
            in_shard: g(&self.in_shard),
            other_shards: g(&self.other_shards),
            invalid: g(&self.invalid),
            duplicates: g(&self.duplicates),
            excluded: g(&self.excluded),
            already_done: g(&self.already_done),
            scanned: g(&self.scanned),
            complete: g(&self.complete),
            incomplete: g(&self.incomplete),
            unreachable: g(&self.unreachable),
            internal_errors: g(&self.internal_errors),
        }
    }
}

/// Everything the metadata file is rebuilt from.
struct MetaState {
    path: PathBuf,
    base: Meta,
    started: Instant,
}

impl MetaState {
    fn write(
        &self,
        status: &str,
        counts: Counts,
        client: &PoliteClient,
        error: Option<String>,
    ) -> std::io::Result<()> {
        let mut m = self.base.clone();
        m.status = status.into();
        m.counts = counts;
        m.requests = client.counters().snapshot();
        m.duration_ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        if status != "running" {
            m.finished_at = Some(now_rfc3339());
        }
        m.error = error;
        // The metadata is a convenience; a failure to write it must not
        // stop the scan (the results file is what matters). The caller
        // says so at the end.
        output::write_meta(&self.path, &m)
    }
}

/// The initial capacity of a report line's buffer.
const LINE_CAPACITY: usize = 96 * 1024;

/// Run a batch: read targets from `input`, scan each over `client`, and
/// append one JSON report per line to `output`.
pub async fn run(
    engine: Arc<Engine>,
    client: PoliteClient,
    opts: BatchOptions,
    input: Box<dyn BufRead + Send>,
    output_path: &Path,
    observer: Observer,
) -> Result<Summary, BatchError> {
    let started = Instant::now();
    let effective = opts.effective_concurrency();
    let mut ledger = Ledger::default();
    let meta_path = output::meta_path(output_path);
    let (file, resumed) = output::open(output_path, opts.resume, &mut ledger)?;
    let resumed = opts.resume.then_some(resumed);
    let meta = Arc::new(MetaState {
        path: meta_path.clone(),
        base: Meta {
            format: output::META_FORMAT.into(),
            tool: crate::report::Tool::default(),
            schema_version: crate::report::SCHEMA_VERSION.into(),
            algorithm_version: crate::scoring::ALGORITHM_VERSION.into(),
            status: "running".into(),
            input: opts.input_name.clone(),
            output: output_path.display().to_string(),
            shard: opts.shard.to_string(),
            options: opts.options_record.clone(),
            started_at: now_rfc3339(),
            finished_at: None,
            duration_ms: 0,
            effective_concurrency: effective,
            resumed,
            counts: Counts::default(),
            requests: polite::CountersSnapshot::default(),
            error: None,
            previous_runs: if opts.resume {
                output::previous_runs(&meta_path)
            } else {
                Vec::new()
            },
        },
        started,
    });
    let counts = Arc::new(LiveCounts::default());
    let _ = meta.write("running", counts.snapshot(), &client, None);

    // The writer: one write per line, straight to the file. Its queue is
    // short: a report line is ~50 KB, and a long queue of them would be
    // most of the memory of a run with many targets in flight.
    let (out_tx, mut out_rx) = tokio::sync::mpsc::channel::<Vec<u8>>(WRITE_QUEUE);
    let writer = {
        let path = output_path.to_path_buf();
        tokio::task::spawn_blocking(move || -> Result<(), BatchError> {
            let mut file = file;
            while let Some(line) = out_rx.blocking_recv() {
                file.write_all(&line).map_err(|source| BatchError::Write {
                    path: path.clone(),
                    source,
                })?;
            }
            file.sync_all().map_err(|source| BatchError::Write {
                path: path.clone(),
                source,
            })
        })
    };

    // The reader: parse, shard, de-duplicate, skip done and opted-out targets.
    let (tx, mut rx) = tokio::sync::mpsc::channel(effective);
    let reader = {
        let counts = counts.clone();
        let observer = observer.clone();
        let shard = opts.shard;
        let exclude = opts.politeness.exclude.clone();
        let name = opts.input_name.clone();
        tokio::task::spawn_blocking(move || -> Result<(), BatchError> {
            let mut ledger = ledger;
            let mut input = input;
            let mut buf = Vec::new();
            let mut n: u64 = 0;
            // Lines are read within a cap: one endless line costs
            // `MAX_LINE` bytes and is reported invalid; the run goes on.
            while let Some(read) =
                read_line_capped(&mut input, &mut buf, input::MAX_LINE).map_err(|source| {
                    BatchError::Input {
                        name: name.clone(),
                        source,
                    }
                })?
            {
                n += 1;
                LiveCounts::inc(&counts.lines);
                match classify(&buf, read) {
                    Line::Ignored => {}
                    Line::Invalid(text, reason, h) => {
                        if !shard.owns(h) {
                            LiveCounts::inc(&counts.other_shards);
                            continue;
                        }
                        LiveCounts::inc(&counts.in_shard);
                        LiveCounts::inc(&counts.invalid);
                        observer(Event::Invalid {
                            line: n,
                            text: &text,
                            reason: &reason,
                        });
                    }
                    Line::Target(target, h) => {
                        if !shard.owns(h) {
                            LiveCounts::inc(&counts.other_shards);
                            continue;
                        }
                        LiveCounts::inc(&counts.in_shard);
                        let skip = match ledger.visit(h) {
                            Visit::AlreadyDone => Some((Skip::AlreadyDone, &counts.already_done)),
                            Visit::Duplicate => Some((Skip::Duplicate, &counts.duplicates)),
                            Visit::New => target
                                .url
                                .host_str()
                                .and_then(|host| exclude.covering(host))
                                .map(|_| (Skip::Excluded, &counts.excluded)),
                        };
                        if let Some((why, c)) = skip {
                            LiveCounts::inc(c);
                            observer(Event::Skipped(why));
                            continue;
                        }
                        if tx.blocking_send(target).is_err() {
                            // The scans stopped (the output failed).
                            break;
                        }
                    }
                }
            }
            Ok(())
        })
    };

    let ticker = {
        let meta = meta.clone();
        let counts = counts.clone();
        let client = client.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(META_INTERVAL);
            every.tick().await;
            loop {
                every.tick().await;
                let _ = meta.write("running", counts.snapshot(), &client, None);
            }
        })
    };

    let slots = Arc::new(tokio::sync::Semaphore::new(effective));
    let mut tasks = tokio::task::JoinSet::new();
    let write_failed = Arc::new(Mutex::new(false));
    let reap = |res: Result<(), tokio::task::JoinError>, counts: &LiveCounts| {
        if res.is_err() {
            LiveCounts::inc(&counts.internal_errors);
            observer(Event::Failed);
        }
    };
    let mut stop = opts.stop.clone();
    let mut interrupted = false;
    loop {
        // A stop request wins over the next target: nothing new starts.
        let target = tokio::select! {
            biased;
            () = stopped(&mut stop) => {
                interrupted = true;
                break;
            }
            t = rx.recv() => match t {
                Some(t) => t,
                None => break,
            },
        };
        let permit = tokio::select! {
            biased;
            () = stopped(&mut stop) => {
                interrupted = true;
                break;
            }
            p = slots.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        while let Some(res) = tasks.try_join_next() {
            reap(res, &counts);
        }
        if write_failed.lock().map(|f| *f).unwrap_or(true) {
            break;
        }
        let engine = engine.clone();
        let client = client.clone();
        let gather = opts.gather.clone();
        let out_tx = out_tx.clone();
        let counts = counts.clone();
        let observer = observer.clone();
        let write_failed = write_failed.clone();
        tasks.spawn(async move {
            let _permit = permit;
            let (report, _evidence) = engine.scan(&client, &target, &gather).await;
            // A report line runs to 60–80 KB: one allocation of about
            // that size instead of a dozen doublings and copies.
            let mut line = Vec::with_capacity(LINE_CAPACITY);
            match serde_json::to_writer(&mut line, &report) {
                Ok(()) => {}
                Err(_) => {
                    LiveCounts::inc(&counts.internal_errors);
                    observer(Event::Failed);
                    return;
                }
            }
            line.push(b'\n');
            if out_tx.send(line).await.is_err() {
                if let Ok(mut f) = write_failed.lock() {
                    *f = true;
                }
                return;
            }
            LiveCounts::inc(&counts.scanned);
            if report.incomplete() {
                LiveCounts::inc(&counts.incomplete);
                if report.error.is_some() {
                    LiveCounts::inc(&counts.unreachable);
                }
            } else {
                LiveCounts::inc(&counts.complete);
            }
            observer(Event::Scanned(&report));
        });
    }
    // The reader stops at its next target (its queue is closed); the
    // targets in flight finish and their lines are written.
    drop(rx);
    while let Some(res) = tasks.join_next().await {
        reap(res, &counts);
    }
    drop(out_tx);
    ticker.abort();
    // Wait until it has stopped: a tick already writing the metadata file
    // must not land after (or interleave with) the final write below.
    let _ = ticker.await;
    let written = writer.await.unwrap_or_else(|e| {
        Err(BatchError::Options(format!(
            "the output writer failed: {e}"
        )))
    });
    // An interrupted run does not wait for the reader: it may be blocked
    // reading a terminal or a pipe, and what it has not handed over is
    // scanned by `--resume`.
    let read = if interrupted {
        Ok(())
    } else {
        reader
            .await
            .unwrap_or_else(|e| Err(BatchError::Options(format!("the input reader failed: {e}"))))
    };
    let result = written.and(read);
    let snapshot = counts.snapshot();
    let meta_written = match &result {
        Ok(()) if interrupted => meta.write("interrupted", snapshot, &client, None),
        Ok(()) => meta.write("complete", snapshot, &client, None),
        Err(e) => meta.write("failed", snapshot, &client, Some(e.to_string())),
    };
    result?;
    Ok(Summary {
        counts: snapshot,
        requests: client.counters().snapshot(),
        resumed,
        effective_concurrency: effective,
        elapsed: started.elapsed(),
        meta_error: meta_written
            .err()
            .map(|e| format!("cannot write {}: {e}", meta_path.display())),
        meta_path,
        interrupted,
    })
}

/// Resolves when a stop has been requested; never without a stop signal
/// (or once its sender is gone without asking).
async fn stopped(stop: &mut Option<tokio::sync::watch::Receiver<bool>>) {
    match stop {
        Some(rx) => {
            if rx.wait_for(|s| *s).await.is_err() {
                std::future::pending::<()>().await;
            }
        }
        None => std::future::pending::<()>().await,
    }
}
