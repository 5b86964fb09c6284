//! Errors of what a batch run is given: options, the opt-out list, and
//! the statistics it writes.

use std::path::PathBuf;

/// Why a batch option or input file cannot be used, or the statistics
/// cannot be written (exit code 2). Each message is the one the CLI prints.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// `--shard` is not `I/N` with `0 ≤ I < N` (as given).
    #[error("invalid --shard `{0}`: expected I/N with 0 ≤ I < N, e.g. 0/4")]
    Shard(String),
    /// An opt-out entry with `://` that is not a URL with a host.
    #[error("line {line}: `{entry}` is not a domain or URL")]
    NotDomainOrUrl {
        /// 1-based line.
        line: usize,
        /// The entry (trimmed).
        entry: String,
    },
    /// An opt-out entry that is not a domain or an address.
    #[error("line {line}: `{entry}` is not a domain")]
    NotDomain {
        /// 1-based line.
        line: usize,
        /// The entry (trimmed).
        entry: String,
    },
    /// The `--exclude` file cannot be read.
    #[error("cannot read --exclude {}: {source}", .path.display())]
    ReadExclude {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The `--exclude` file holds an invalid entry.
    #[error("--exclude {}: {error}", .path.display())]
    Exclude {
        /// The file.
        path: PathBuf,
        /// The entry's error.
        error: Box<InputError>,
    },
    /// `--rate` is not a positive number of at most 1 000 000.
    #[error("--rate must be a positive number of requests per second, at most 1000000")]
    Rate,
    /// `--per-host 0`.
    #[error("--per-host must be at least 1")]
    PerHost,
    /// The statistics could not be serialised as JSON.
    #[error("{0}")]
    StatsJson(#[source] serde_json::Error),
}
