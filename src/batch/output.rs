//! The output of a batch: a JSONL file of reports, made safe to resume,
//! and the run-metadata file beside it.
//!
//! **Crash safety.** Each report is serialised on one line and written with
//! one `write` of the whole line and its newline, straight to the file (no
//! user-space buffer), as soon as the target finishes. A crash or `kill -9`
//! can therefore leave at most one torn line, at the end, without its
//! newline. `--resume` reads the file, drops such a tail (truncating the
//! file to its last complete line), and skips every target that has a line;
//! a complete line that is not a report is an error, never silently lost.

use super::input::fnv1a64;
use crate::report::{ReportTarget, Tool};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufReader, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Version of the run-metadata format.
pub const META_FORMAT: &str = "agentready-batch-meta/1";

/// Targets met so far, by the 64-bit FNV-1a hash of the normalised URL
/// (16 to 32 bytes per distinct target, so 10 million targets take at most
/// about 320 MB; shard a larger input): whether each was in the output
/// before this run, and whether the input has named it in this run. Two
/// distinct targets collide with probability about n²/2⁶⁵ — one in 3.7
/// million for a million targets — and the later one would then be
/// skipped as a duplicate.
#[derive(Debug, Default)]
pub struct Ledger(HashMap<u64, bool>);

/// What [`Ledger::visit`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visit {
    /// First time: scan it.
    New,
    /// Its report is in the output from an earlier run.
    AlreadyDone,
    /// Named earlier in this input.
    Duplicate,
}

impl Ledger {
    /// Record a target whose report is already in the output.
    pub fn insert_done(&mut self, hash: u64) {
        self.0.entry(hash).or_insert(false);
    }

    /// The input names `hash`.
    pub fn visit(&mut self, hash: u64) -> Visit {
        match self.0.get_mut(&hash) {
            None => {
                self.0.insert(hash, true);
                Visit::New
            }
            Some(seen) if !*seen => {
                *seen = true;
                Visit::AlreadyDone
            }
            Some(_) => Visit::Duplicate,
        }
    }

    /// Distinct targets recorded.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Why the output cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// Results are there and `--resume` was not given.
    #[error(
        "{0} already holds results: add --resume to continue that run, or remove the file to start afresh"
    )]
    Exists(PathBuf),
    /// Another run holds the output.
    #[error(
        "{0} is in use by another agentready batch (it holds a lock on the file): wait for that run to finish, or write to another file"
    )]
    Locked(PathBuf),
    /// A complete line that is not a report.
    #[error(
        "{path}:{line}: not an agentready report ({reason}), so the run cannot be resumed safely"
    )]
    NotAReport {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// The parse error.
        reason: String,
    },
    /// An I/O error.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// What `--resume` found in the output.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resumed {
    /// Complete reports already there.
    pub reports: u64,
    /// Bytes of a torn last line that were dropped.
    pub torn_bytes_dropped: u64,
}

#[derive(Deserialize)]
struct Head {
    target: ReportTarget,
}

/// Open the output for appending. Without `resume`, an existing non-empty
/// file is refused. With it, the file is read: each report's target goes
/// into `ledger`, and a torn last line is cut off.
pub fn open(
    path: &Path,
    resume: bool,
    ledger: &mut Ledger,
) -> Result<(File, Resumed), OutputError> {
    let io = |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut resumed = Resumed::default();
    let file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
        .map_err(io)?;
    // One run per output: a second run on the same file (the same input
    // started twice, a retried job whose first attempt still runs) would
    // write every target again. The lock is advisory (flock on Unix,
    // LockFileEx on Windows) and lasts as long as the run holds the file.
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            return Err(OutputError::Locked(path.to_path_buf()));
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
    }
    let len = file.metadata().map_err(io)?.len();
    if len == 0 {
        return Ok((file, resumed));
    }
    if !resume {
        return Err(OutputError::Exists(path.to_path_buf()));
    }
    let mut reader = BufReader::with_capacity(1 << 16, &file);
    reader.seek(SeekFrom::Start(0)).map_err(io)?;
    let mut buf = Vec::new();
    let mut good_end = 0u64;
    let mut line_no = 0u64;
    while let Some(line) =
        super::input::read_line_capped(&mut reader, &mut buf, super::stats::MAX_REPORT_LINE)
            .map_err(io)?
    {
        let n = line.len;
        if !line.complete {
            // A torn last line: written in part when the run died.
            break;
        }
        line_no += 1;
        let parsed = if line.overflow {
            Err(format!(
                "longer than {} MiB",
                super::stats::MAX_REPORT_LINE >> 20
            ))
        } else {
            serde_json::from_slice::<Head>(&buf).map_err(|e| e.to_string())
        };
        let head = parsed.map_err(|reason| OutputError::NotAReport {
            path: path.to_path_buf(),
            line: line_no,
            reason,
        })?;
        ledger.insert_done(fnv1a64(head.target.url.as_bytes()));
        resumed.reports += 1;
        good_end += n;
    }
    drop(reader);
    if good_end < len {
        file.set_len(good_end).map_err(io)?;
        resumed.torn_bytes_dropped = len - good_end;
    }
    Ok((file, resumed))
}

/// Counts of one run.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Input lines read.
    pub lines: u64,
    /// Target (or invalid) lines of this shard; what progress counts to.
    pub in_shard: u64,
    /// Lines left to other shards.
    pub other_shards: u64,
    /// Lines of this shard that are not targets.
    pub invalid: u64,
    /// Targets named again after their first line.
    pub duplicates: u64,
    /// Targets on the opt-out list.
    pub excluded: u64,
    /// Targets whose report was in the output before this run.
    pub already_done: u64,
    /// Targets scanned by this run (each has a line in the output).
    pub scanned: u64,
    /// Of those, complete reports.
    pub complete: u64,
    /// Of those, incomplete reports (score withheld), unreachable included.
    pub incomplete: u64,
    /// Of those, unreachable targets.
    pub unreachable: u64,
    /// Targets whose scan failed inside agentready (no line; a bug).
    pub internal_errors: u64,
}

/// The run-metadata file (`<output>.meta.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Meta {
    /// `agentready-batch-meta/1`.
    pub format: String,
    /// The tool.
    pub tool: Tool,
    /// Report schema version of the lines.
    pub schema_version: String,
    /// Scoring algorithm version of the lines.
    pub algorithm_version: String,
    /// `running` (or the run died: rerun with `--resume`), `complete`,
    /// `interrupted` (SIGINT or SIGTERM: the targets in flight were
    /// finished; rerun with `--resume`), `failed`.
    pub status: String,
    /// The input file (`-` for stdin).
    pub input: String,
    /// The output file.
    pub output: String,
    /// `I/N`.
    pub shard: String,
    /// The options of the run (no header values: `-H` names only).
    pub options: serde_json::Value,
    /// RFC 3339.
    pub started_at: String,
    /// RFC 3339, when finished.
    pub finished_at: Option<String>,
    /// Wall time so far.
    pub duration_ms: u64,
    /// Targets in flight at most (after the `--rate` cap).
    pub effective_concurrency: usize,
    /// What `--resume` found.
    pub resumed: Option<Resumed>,
    /// Counts.
    pub counts: Counts,
    /// Requests sent and politeness decisions.
    pub requests: super::polite::CountersSnapshot,
    /// Why the run failed, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Earlier runs on the same output (`--resume`), oldest first.
    #[serde(default)]
    pub previous_runs: Vec<serde_json::Value>,
}

/// `<output>.meta.json`.
pub fn meta_path(output: &Path) -> PathBuf {
    let mut s = output.as_os_str().to_owned();
    s.push(".meta.json");
    PathBuf::from(s)
}

/// The runs recorded in an existing metadata file (for `--resume`).
pub fn previous_runs(path: &Path) -> Vec<serde_json::Value> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let Ok(mut v) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    let mut runs = match v.get_mut("previous_runs").map(serde_json::Value::take) {
        Some(serde_json::Value::Array(a)) => a,
        _ => Vec::new(),
    };
    if let Some(o) = v.as_object_mut() {
        o.remove("previous_runs");
    }
    runs.push(v);
    runs
}

/// Write the metadata atomically (a temporary file, then a rename). When
/// that fails — a full disk — the temporary file is removed, and a final
/// status (`complete`, `failed`) is written over the old file in place:
/// truncating it frees the blocks the new text needs, so the file does not
/// keep saying `running` for a run that has ended. The error of the
/// atomic write is returned if the fallback fails too.
pub fn write_meta(path: &Path, meta: &Meta) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(meta).map_err(std::io::Error::other)? + "\n";
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let atomic = std::fs::write(&tmp, &text).and_then(|()| std::fs::rename(&tmp, path));
    let Err(e) = atomic else {
        return Ok(());
    };
    let _ = std::fs::remove_file(&tmp);
    if meta.status == "running" {
        // The next tick, or the final write, tries again.
        return Err(e);
    }
    use std::io::Write as _;
    let in_place = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .create(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|()| f.sync_all()));
    in_place.map_err(|_| e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn line(url: &str) -> String {
        format!("{{\"target\":{{\"input\":\"{url}\",\"url\":\"{url}\"}},\"score\":1}}\n")
    }

    #[test]
    fn resume_reads_reports_and_cuts_a_torn_tail() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.jsonl");
        let mut text = line("https://a.example/") + &line("https://b.example/");
        text.push_str("{\"target\":{\"inp");
        std::fs::write(&p, &text).unwrap();
        let mut ledger = Ledger::default();
        let (mut f, r) = open(&p, true, &mut ledger).unwrap();
        assert_eq!(r.reports, 2);
        assert_eq!(r.torn_bytes_dropped, 15);
        f.write_all(line("https://c.example/").as_bytes()).unwrap();
        drop(f);
        let after = std::fs::read_to_string(&p).unwrap();
        assert_eq!(after.lines().count(), 3);
        assert!(after.ends_with("\"score\":1}\n"));
        assert_eq!(
            ledger.visit(fnv1a64(b"https://a.example/")),
            Visit::AlreadyDone
        );
        assert_eq!(
            ledger.visit(fnv1a64(b"https://a.example/")),
            Visit::Duplicate
        );
        assert_eq!(ledger.visit(fnv1a64(b"https://z.example/")), Visit::New);
        assert_eq!(
            ledger.visit(fnv1a64(b"https://z.example/")),
            Visit::Duplicate
        );
    }

    #[test]
    fn existing_results_need_resume_and_garbage_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.jsonl");
        std::fs::write(&p, line("https://a.example/")).unwrap();
        assert!(matches!(
            open(&p, false, &mut Ledger::default()),
            Err(OutputError::Exists(_))
        ));
        std::fs::write(&p, "not json\n").unwrap();
        assert!(matches!(
            open(&p, true, &mut Ledger::default()),
            Err(OutputError::NotAReport { line: 1, .. })
        ));
        // An empty file, or none, is a fresh start either way.
        std::fs::write(&p, "").unwrap();
        assert!(open(&p, false, &mut Ledger::default()).is_ok());
    }

    #[test]
    fn a_second_run_on_the_same_output_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.jsonl");
        let (first, _) = open(&p, false, &mut Ledger::default()).unwrap();
        for resume in [false, true] {
            let e = open(&p, resume, &mut Ledger::default()).unwrap_err();
            assert!(matches!(e, OutputError::Locked(_)), "{e}");
            assert!(e.to_string().contains("in use by another agentready batch"));
        }
        drop(first);
        assert!(
            open(&p, false, &mut Ledger::default()).is_ok(),
            "the lock ends with the run"
        );
    }

    fn meta(status: &str) -> Meta {
        Meta {
            format: META_FORMAT.into(),
            tool: Tool::default(),
            schema_version: "1".into(),
            algorithm_version: "x".into(),
            status: status.into(),
            input: "-".into(),
            output: "r.jsonl".into(),
            shard: "0/1".into(),
            options: serde_json::json!({}),
            started_at: "2026-01-01T00:00:00Z".into(),
            finished_at: None,
            duration_ms: 0,
            effective_concurrency: 1,
            resumed: None,
            counts: Counts::default(),
            requests: super::super::polite::CountersSnapshot::default(),
            error: None,
            previous_runs: Vec::new(),
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_full_disk_leaves_no_temporary_file_and_no_running_status() {
        // Writes to /dev/full fail with ENOSPC, as on a full disk.
        if !Path::new("/dev/full").exists() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.jsonl.meta.json");
        write_meta(&p, &meta("running")).unwrap();
        let tmp = dir.path().join("r.jsonl.meta.json.tmp");
        std::os::unix::fs::symlink("/dev/full", &tmp).unwrap();
        // A tick during the run: fails, and cleans up after itself.
        assert!(write_meta(&p, &meta("running")).is_err());
        assert!(
            !tmp.exists() && tmp.symlink_metadata().is_err(),
            "no .tmp left"
        );
        // The final write: in place.
        std::os::unix::fs::symlink("/dev/full", &tmp).unwrap();
        write_meta(&p, &meta("complete")).unwrap();
        assert!(tmp.symlink_metadata().is_err(), "no .tmp left");
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        assert_eq!(v["status"], "complete");
    }

    #[test]
    fn meta_history_accumulates() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.jsonl.meta.json");
        assert!(previous_runs(&p).is_empty());
        std::fs::write(
            &p,
            r#"{"status":"running","previous_runs":[{"status":"complete"}]}"#,
        )
        .unwrap();
        let runs = previous_runs(&p);
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[1]["status"], "running");
        assert!(runs[1].get("previous_runs").is_none());
    }
}
