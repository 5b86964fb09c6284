//! One scan from one set of options: gather (or replay saved evidence) →
//! evaluate → score → gate → report.
//!
//! The command line merges its arguments over `agentready.toml` once, into
//! a [`ScanOptions`]; [`ScanOptions::prepare`] checks everything that can
//! be checked before a request is sent (so a usage error means nothing was
//! sent), and [`Scan::run`] does the rest. `batch` and `demo` build the same
//! type for the settings they share ([`ScanOptions::engine`],
//! [`ScanOptions::http_config`], [`ScanOptions::gather_options`]).

use crate::config::{ConfigErrors, ConfigFile};
use crate::engine::catalogue::{self, CatalogueError};
use crate::engine::{Engine, SelectionError, now_rfc3339};
use crate::evidence::{Evidence, EvidenceError};
use crate::gate::{self, Baseline, GatePolicy, LevelLayer, Preset};
use crate::gather::GatherOptions;
use crate::gather::http::{self, HttpClient, HttpConfig};
use crate::model::catalogue::CheckMeta;
use crate::model::credential::CredentialFacts;
use crate::model::exchange::Mode;
use crate::model::target::{Target, TargetError, is_private_host};
use crate::render::Format;
use crate::report::Report;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Why a scan cannot start, or cannot finish writing what it was asked to
/// (exit code 2). Every one of these but [`ScanError::Write`] is found
/// before the first request is sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScanError {
    /// `agentready.toml` names unknown checks or holds invalid values.
    #[error("invalid configuration:\n{0}")]
    Config(ConfigErrors),
    /// A user check file (`--checks-dir`) is invalid.
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    /// `--only` / `--skip` select nothing or something unknown.
    #[error(transparent)]
    Selection(#[from] SelectionError),
    /// The target (or an `--api-url`) is not a URL agentready can scan.
    #[error("{prefix}{error}")]
    Target {
        /// `--api-url: ` when the API URL is at fault.
        prefix: &'static str,
        /// Why.
        error: TargetError,
    },
    /// A client setting (`-H`, `--resolve`, `--cacert`, …) is invalid.
    #[error(transparent)]
    Http(#[from] http::ConfigError),
    /// An evidence file cannot be read back.
    #[error("{path} {error}")]
    Evidence {
        /// The file.
        path: String,
        /// What is wrong with it, as "is not …" or "has …".
        error: String,
    },
    /// Another option is invalid, or two contradict each other.
    #[error("{0}")]
    Option(String),
    /// A file the scan writes cannot be written.
    #[error("{0}")]
    Write(String),
}

/// Everything a scan is told, merged once: the command line over
/// `agentready.toml` over the defaults. Paths from the file are already
/// resolved against the file's directory.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// The target (required unless replaying evidence).
    pub target: Option<String>,
    /// Output format.
    pub format: Format,
    /// Write the report here instead of stdout.
    pub output: Option<PathBuf>,
    /// Also append the Markdown report here.
    pub summary: Option<PathBuf>,
    /// GET requests only.
    pub passive: bool,
    /// API or MCP endpoints to probe besides the target.
    pub api_url: Vec<String>,
    /// The environment variable holding a token (credentialed mode).
    pub token_env: Option<String>,
    /// Token lifetime policy, in hours.
    pub max_token_lifetime: f64,
    /// Reach private addresses wherever the target's documents lead.
    pub allow_private: bool,
    /// An HTTP proxy for every request.
    pub proxy: Option<String>,
    /// Refuse every destination that is not loopback (tests, the demo).
    pub loopback_only: bool,
    /// Extra request headers, `Name: value`.
    pub headers: Vec<String>,
    /// `--resolve` pins.
    pub resolve: Vec<String>,
    /// Extra trusted CA files.
    pub cacert: Vec<PathBuf>,
    /// Timeout of one request, in seconds.
    pub timeout: f64,
    /// Connect timeout, in seconds.
    pub connect_timeout: f64,
    /// Deadline of the whole target, in seconds.
    pub target_timeout: f64,
    /// Body cap in bytes.
    pub max_body: usize,
    /// A User-Agent instead of agentready's own.
    pub user_agent: Option<String>,
    /// Declarative user checks.
    pub checks_dir: Option<PathBuf>,
    /// Run only these checks or categories.
    pub only: Vec<String>,
    /// Skip these checks or categories.
    pub skip: Vec<String>,
    /// Write the gathered evidence here.
    pub save_evidence: Option<PathBuf>,
    /// Evaluate this evidence file instead of scanning.
    pub from_evidence: Option<PathBuf>,
    /// Default gate levels.
    pub preset: Preset,
    /// Fail the gate under this score.
    pub fail_under: Option<u32>,
    /// A warn outcome of a check at level error fails the gate too.
    pub deny_warnings: bool,
    /// Accepted failures, or a previous report.
    pub baseline: Option<PathBuf>,
    /// Rewrite the accepted-failures file.
    pub update_baseline: bool,
    /// With a report baseline: the largest score drop that passes.
    pub max_score_drop: Option<u32>,
    /// Compare with a report baseline written for another target.
    pub baseline_any_target: bool,
    /// Gate-level layers, the file's first, the command line's last.
    pub level_layers: Vec<LevelLayer>,
    /// Check weights from `[checks.<id>] weight`.
    pub weights: BTreeMap<String, u32>,
    /// The configuration file the options were merged from, kept to
    /// validate it against the catalogue (errors point into it).
    pub config: Option<ConfigFile>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            target: None,
            format: Format::Table,
            output: None,
            summary: None,
            passive: false,
            api_url: Vec::new(),
            token_env: None,
            max_token_lifetime: 24.0,
            allow_private: false,
            proxy: None,
            loopback_only: false,
            headers: Vec::new(),
            resolve: Vec::new(),
            cacert: Vec::new(),
            timeout: 10.0,
            connect_timeout: 5.0,
            target_timeout: 30.0,
            max_body: 1024 * 1024,
            user_agent: None,
            checks_dir: None,
            only: Vec::new(),
            skip: Vec::new(),
            save_evidence: None,
            from_evidence: None,
            preset: Preset::default(),
            fail_under: None,
            deny_warnings: false,
            baseline: None,
            update_baseline: false,
            max_score_drop: None,
            baseline_any_target: false,
            level_layers: Vec::new(),
            weights: BTreeMap::new(),
            config: None,
        }
    }
}

/// A number of seconds as a duration: positive, finite, under a day.
pub fn secs(v: f64, name: &str) -> Result<Duration, ScanError> {
    if v.is_finite() && v > 0.0 && v < 86_400.0 {
        Ok(Duration::from_secs_f64(v))
    } else {
        Err(ScanError::Option(format!(
            "--{name} must be a positive number of seconds"
        )))
    }
}

/// The declarative user checks of a directory (none without one).
pub fn user_checks(dir: Option<&Path>) -> Result<Vec<CheckMeta>, CatalogueError> {
    match dir {
        Some(d) => catalogue::load_user_dir(d),
        None => Ok(Vec::new()),
    }
}

impl ScanOptions {
    /// The checks to run: the built-in catalogue and the user checks,
    /// narrowed by `only` and `skip`, with the configured weights.
    pub fn engine(&self) -> Result<Engine, ScanError> {
        let user = user_checks(self.checks_dir.as_deref())?;
        self.engine_with(user)
    }

    fn engine_with(&self, user: Vec<CheckMeta>) -> Result<Engine, ScanError> {
        let mut engine = Engine::new(user, &self.only, &self.skip)?;
        engine.override_weights(&self.weights);
        Ok(engine)
    }

    /// The HTTP client's settings: timeouts, body cap, User-Agent, then
    /// the headers, pins, CA files and proxy (validated in that order).
    pub fn http_config(&self) -> Result<HttpConfig, ScanError> {
        let mut c = HttpConfig {
            connect_timeout: secs(self.connect_timeout, "connect-timeout")?,
            request_timeout: secs(self.timeout, "timeout")?,
            max_body: self.max_body,
            loopback_only: self.loopback_only,
            allow_private: self.allow_private,
            ..HttpConfig::default()
        };
        if let Some(ua) = &self.user_agent {
            c.user_agent.clone_from(ua);
        }
        for h in &self.headers {
            c.headers.push(http::parse_header(h)?);
        }
        for r in &self.resolve {
            c.resolve.push(http::parse_resolve(r)?);
        }
        c.cacerts = self.cacert.clone();
        if let Some(p) = &self.proxy {
            // Never echo the URL: it may carry a password.
            let url = url::Url::parse(p)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
                .ok_or_else(|| {
                    ScanError::Option(
                        "--proxy must be an http:// or https:// URL (the proxy's address)".into(),
                    )
                })?;
            if !c.resolve.is_empty() {
                return Err(ScanError::Option(
                    "--resolve cannot be honoured through --proxy: the proxy resolves names itself"
                        .into(),
                ));
            }
            c.proxy = Some(url);
        }
        if c.max_body == 0 {
            return Err(ScanError::Option("--max-body must be at least 1".into()));
        }
        Ok(c)
    }

    /// What one target's gathering is told: the mode (passive, safe, or
    /// credentialed when a token's facts are given), the deadline, the
    /// extra API URLs.
    pub fn gather_options(
        &self,
        api_urls: Vec<url::Url>,
        credential: Option<CredentialFacts>,
    ) -> Result<GatherOptions, ScanError> {
        let mode = match (self.passive, &credential) {
            (true, _) => Mode::Passive,
            (false, Some(_)) => Mode::Credentialed,
            (false, None) => Mode::Safe,
        };
        Ok(GatherOptions {
            mode,
            target_timeout: secs(self.target_timeout, "target-timeout")?,
            api_urls,
            credential,
        })
    }

    /// Check everything that can be checked before a request is sent: the
    /// configuration file against the catalogue, the user checks, the
    /// selection, the gate's selectors, the baseline, and that every file
    /// the scan writes can be written.
    pub fn prepare(self) -> Result<Scan, ScanError> {
        let user = user_checks(self.checks_dir.as_deref())?;
        let mut all = catalogue::builtin().to_vec();
        all.extend(user.iter().cloned());
        if let Some(f) = &self.config {
            f.validate(&all).map_err(ScanError::Config)?;
        }
        let cli_selectors = self
            .level_layers
            .last()
            .into_iter()
            .flatten()
            .map(|(s, _)| s.as_str());
        if let Some(bad) = gate::unknown_selectors(&all, cli_selectors).first() {
            return Err(ScanError::Option(format!(
                "unknown check or category `{bad}` in --deny/--warn/--allow (see `agentready checks`)"
            )));
        }
        let engine = self.engine_with(user)?;
        let policy = GatePolicy {
            preset: self.preset,
            levels: gate::resolve_levels(engine.checks(), self.preset, &self.level_layers),
            deny_warnings: self.deny_warnings || self.preset.deny_warnings(),
            fail_under: self.fail_under,
            max_score_drop: self.max_score_drop,
        };
        let baseline = self.load_baseline()?;
        // Check before sending: after this, only the scan itself remains,
        // so a usage error (exit 2) means nothing was sent.
        self.check_outputs()?;
        if let Some(t) = self.target.as_deref() {
            let url = Target::parse(t)
                .map_err(|error| ScanError::Target { prefix: "", error })?
                .url
                .to_string();
            self.check_baseline_target(baseline.as_ref(), &url)?;
        }
        Ok(Scan {
            options: self,
            engine,
            policy,
            baseline,
        })
    }

    /// The baseline named by the options: `None` without `--baseline`;
    /// with `--update-baseline` a missing file is an empty
    /// accepted-failures file.
    fn load_baseline(&self) -> Result<Option<Baseline>, ScanError> {
        let Some(path) = &self.baseline else {
            if self.update_baseline {
                return Err(ScanError::Option(
                    "--update-baseline needs --baseline FILE (the file to write)".into(),
                ));
            }
            return Ok(None);
        };
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && self.update_baseline => {
                return Ok(Some(Baseline::Accepted(gate::AcceptedFailures {
                    agentready_baseline: gate::BASELINE_VERSION,
                    ..Default::default()
                })));
            }
            Err(e) => {
                return Err(ScanError::Option(format!(
                    "cannot read the baseline {}: {e}",
                    path.display()
                )));
            }
        };
        let b = gate::parse_baseline(&text)
            .map_err(|e| ScanError::Option(format!("{}: {e}", path.display())))?;
        if self.update_baseline && matches!(b, Baseline::Report(_)) {
            return Err(ScanError::Option(format!(
                "--update-baseline rewrites an accepted-failures file, but {} is a report",
                path.display()
            )));
        }
        Ok(Some(b))
    }

    /// Every file the scan will write, checked before anything is sent.
    fn check_outputs(&self) -> Result<(), ScanError> {
        let files = [
            (self.output.as_deref(), "output (-o)"),
            (self.summary.as_deref(), "summary (--summary)"),
            (
                self.save_evidence.as_deref(),
                "evidence file (--save-evidence)",
            ),
        ];
        for (path, what) in files {
            if let Some(p) = path {
                check_writable(p, what)?;
            }
        }
        Ok(())
    }

    /// A report baseline written for another target compares two sites:
    /// every regression would hide behind the difference. A usage error
    /// unless `baseline_any_target`.
    fn check_baseline_target(
        &self,
        baseline: Option<&Baseline>,
        target_url: &str,
    ) -> Result<(), ScanError> {
        match baseline {
            Some(Baseline::Report(r))
                if !self.baseline_any_target && r.target.url != target_url =>
            {
                Err(ScanError::Option(format!(
                    "the baseline {} is a report for {}, not for {target_url}: comparing two targets hides every regression (--baseline-any-target to compare them anyway)",
                    self.baseline
                        .as_deref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default(),
                    r.target.url
                )))
            }
            _ => Ok(()),
        }
    }

    /// Read the token named by `token_env` and keep only its facts. The
    /// value is dropped here and never reaches output.
    fn token_facts(&self) -> Result<Option<CredentialFacts>, ScanError> {
        let Some(var) = &self.token_env else {
            return Ok(None);
        };
        let token = std::env::var(var).map_err(|_| {
            ScanError::Option(format!(
                "--token-env {var}: the variable is not set (or not UTF-8)"
            ))
        })?;
        if token.trim().is_empty() {
            return Err(ScanError::Option(format!(
                "--token-env {var}: the variable is empty"
            )));
        }
        let hours = self.max_token_lifetime;
        if !(hours.is_finite() && hours > 0.0 && hours <= 24.0 * 3650.0) {
            return Err(ScanError::Option(
                "--max-token-lifetime must be a positive number of hours".into(),
            ));
        }
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        Ok(Some(crate::model::credential::facts(
            &token,
            now,
            (hours * 3600.0) as u64,
        )))
    }
}

/// Can `path` be written? An existing file is opened for appending (its
/// content untouched); one that does not exist yet is created and removed
/// again.
fn check_writable(path: &Path, what: &str) -> Result<(), ScanError> {
    if path.is_dir() {
        return Err(ScanError::Option(format!(
            "the {what} {} is a directory",
            path.display()
        )));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.is_dir()
    {
        return Err(ScanError::Option(format!(
            "cannot write the {what} {}: the directory {} does not exist",
            path.display(),
            dir.display()
        )));
    }
    let existed = path.exists();
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| {
            ScanError::Option(format!("cannot write the {what} {}: {e}", path.display()))
        })?;
    if !existed {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

/// A scan whose options were checked: nothing has been sent yet.
#[derive(Debug)]
pub struct Scan {
    options: ScanOptions,
    engine: Engine,
    policy: GatePolicy,
    baseline: Option<Baseline>,
}

/// What `update_baseline` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaselineUpdate {
    /// The accepted-failures file was rewritten.
    Written {
        /// The file.
        path: PathBuf,
        /// Entries it now holds.
        entries: usize,
        /// Entries added.
        added: usize,
        /// Entries removed.
        removed: usize,
    },
    /// The scan is incomplete, so the file was left as it was.
    NotRewritten,
}

/// A finished scan.
#[derive(Debug)]
pub struct Scanned {
    /// The report, with the gate's verdict.
    pub report: Report,
    /// The evidence it rests on.
    pub evidence: Evidence,
    /// What became of the baseline, when asked to rewrite it.
    pub baseline_update: Option<BaselineUpdate>,
}

impl Scan {
    /// The options the scan was prepared from.
    pub fn options(&self) -> &ScanOptions {
        &self.options
    }

    /// Gather (or replay) the evidence, evaluate, score, apply the gate,
    /// write the evidence file and the rewritten baseline when asked.
    pub async fn run(self) -> Result<Scanned, ScanError> {
        let o = &self.options;
        let (mut report, evidence) = match &o.from_evidence {
            Some(path) => self.replay(path)?,
            None => self.gather().await?,
        };
        // Replayed evidence names its own target.
        o.check_baseline_target(self.baseline.as_ref(), &report.target.url)?;
        if let Some(path) = &o.save_evidence {
            let text = evidence
                .to_json()
                .map_err(|e| ScanError::Write(e.to_string()))?;
            std::fs::write(path, text)
                .map_err(|e| ScanError::Write(format!("cannot write {}: {e}", path.display())))?;
        }
        let (baseline, baseline_update) = match (o.update_baseline, self.baseline, &o.baseline) {
            (true, Some(Baseline::Accepted(old)), Some(path)) if !report.incomplete() => {
                let new = gate::updated_baseline(&report, &self.policy, Some(&old));
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        ScanError::Write(format!("cannot create {}: {e}", dir.display()))
                    })?;
                }
                std::fs::write(path, gate::baseline_to_json(&new)).map_err(|e| {
                    ScanError::Write(format!("cannot write {}: {e}", path.display()))
                })?;
                let added = new
                    .accepted
                    .iter()
                    .filter(|e| !old.accepted.contains(e))
                    .count();
                let removed = old
                    .accepted
                    .iter()
                    .filter(|e| !new.accepted.contains(e))
                    .count();
                let update = BaselineUpdate::Written {
                    path: path.clone(),
                    entries: new.accepted.len(),
                    added,
                    removed,
                };
                (Some(Baseline::Accepted(new)), Some(update))
            }
            (true, b, _) => (b, Some(BaselineUpdate::NotRewritten)),
            (false, b, _) => (b, None),
        };
        let source = o
            .baseline
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let verdict = gate::evaluate(
            &report,
            &self.policy,
            baseline.as_ref().map(|b| (b, source.as_str())),
        );
        report.gate = Some(verdict);
        // Ranked again now that the gate levels are known.
        report.top_fixes = self.engine.top_fixes(&report);
        Ok(Scanned {
            report,
            evidence,
            baseline_update,
        })
    }

    /// Evaluate saved evidence (no network).
    fn replay(&self, path: &Path) -> Result<(Report, Evidence), ScanError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ScanError::Option(format!("cannot read {}: {e}", path.display())))?;
        let ev = Evidence::from_json(&text).map_err(|e| ScanError::Evidence {
            path: path.display().to_string(),
            error: match e {
                EvidenceError::NotEvidence(e) => {
                    format!("is not an agentready evidence file: {e}")
                }
                e => format!("has {e}"),
            },
        })?;
        if let Some(t) = self.options.target.as_deref()
            && Target::parse(t).map(|t| t.url) != Ok(ev.target().url.clone())
        {
            return Err(ScanError::Option(format!(
                "{} holds evidence for {}, not {t}",
                path.display(),
                ev.target().url
            )));
        }
        let report = self.engine.evaluate(&ev, now_rfc3339(), 0);
        Ok((report, ev))
    }

    /// Scan the target over the network.
    async fn gather(&self) -> Result<(Report, Evidence), ScanError> {
        let o = &self.options;
        let Some(input) = o.target.as_deref() else {
            return Err(ScanError::Option(
                "a TARGET is required (on the command line or as `target` in agentready.toml)"
                    .into(),
            ));
        };
        let target =
            Target::parse(input).map_err(|error| ScanError::Target { prefix: "", error })?;
        let mut api_urls = Vec::new();
        for u in &o.api_url {
            api_urls.push(
                Target::parse(u)
                    .map_err(|error| ScanError::Target {
                        prefix: "--api-url: ",
                        error,
                    })?
                    .url,
            );
        }
        let mut config = o.http_config()?;
        // Private hosts the user named are reachable: the SSRF guard
        // refuses only what the target's documents lead to.
        config.private_hosts = std::iter::once(&target.url)
            .chain(api_urls.iter())
            .filter_map(|u| u.host_str())
            .filter(|h| is_private_host(h))
            .map(str::to_string)
            .collect();
        let client = HttpClient::new(config)?;
        let credential = o.token_facts()?;
        let opts = o.gather_options(api_urls, credential)?;
        Ok(self.engine.scan(&client, &target, &opts).await)
    }
}
