//! `agentready scan`: options (command line over `agentready.toml`), the
//! scan or replay, the gate, the baseline, and the exit code.

use super::{color_enabled, runtime, secs, usage_error, user_checks, write_output};
use agentready::config::{ConfigErrors, ConfigFile};
use agentready::engine::Engine;
use agentready::evidence::Evidence;
use agentready::exit;
use agentready::gate::{self, Baseline, GatePolicy, LevelLayer, Preset};
use agentready::gather::http::{HttpClient, HttpConfig};
use agentready::gather::plan::GatherOptions;
use agentready::model::exchange::Mode;
use agentready::model::target::Target;
use agentready::render::{self, Format};
use agentready::report::Report;
use agentready::report::gate::{Level, Verdict};
use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Options of `scan`. Every one also has a key in `agentready.toml`
/// (docs/config.md); given here, it wins over the file.
#[derive(Debug, Args)]
pub(crate) struct ScanArgs {
    /// Target: example.com, https://api.example.com/v1 or https://mcp.example.com/mcp.
    target: Option<String>,
    /// Output format [default: table].
    #[arg(long, value_enum)]
    format: Option<super::values::FormatArg>,
    /// Write the report to FILE instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also append the Markdown report to FILE (e.g. "$GITHUB_STEP_SUMMARY").
    #[arg(long, value_name = "FILE")]
    summary: Option<PathBuf>,
    /// Send GET requests only.
    #[arg(long)]
    passive: bool,
    /// An API or MCP endpoint URL to probe without credentials (repeatable):
    /// where the target is a bare domain, this is how the Bearer challenge is found.
    #[arg(long, value_name = "URL")]
    api_url: Vec<String>,
    /// Extra request header 'Name: value' (repeatable), sent only to the target's origin; values never appear in output.
    #[arg(short = 'H', long = "header", value_name = "'Name: value'")]
    headers: Vec<String>,
    /// Pin a host to an address: HOST:ADDR or curl's HOST:PORT:ADDR (repeatable).
    #[arg(long, value_name = "HOST:ADDR")]
    resolve: Vec<String>,
    /// Trust the CA certificate(s) in this PEM file as well (repeatable).
    #[arg(long, value_name = "FILE")]
    cacert: Vec<PathBuf>,
    /// Timeout of one request, in seconds [default: 10].
    #[arg(long, value_name = "SECS")]
    timeout: Option<f64>,
    /// Connect timeout, in seconds [default: 5].
    #[arg(long, value_name = "SECS")]
    connect_timeout: Option<f64>,
    /// Deadline for the whole target, in seconds [default: 30].
    #[arg(long, value_name = "SECS")]
    target_timeout: Option<f64>,
    /// Body cap in bytes, applied after decompression [default: 1048576].
    #[arg(long, value_name = "BYTES")]
    max_body: Option<usize>,
    /// User-Agent to send instead of agentready's own.
    #[arg(long, value_name = "UA")]
    user_agent: Option<String>,
    /// Add declarative user checks from this directory.
    #[arg(long, value_name = "DIR")]
    checks_dir: Option<PathBuf>,
    /// Run only these checks or categories (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "ID|CATEGORY,…")]
    only: Vec<String>,
    /// Skip these checks or categories (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "ID|CATEGORY,…")]
    skip: Vec<String>,
    /// Write the gathered evidence to FILE (for replay and bug reports).
    #[arg(long, value_name = "FILE")]
    save_evidence: Option<PathBuf>,
    /// Read a token from this environment variable (credentialed mode): its
    /// lifetime is judged locally; it is never printed, logged or stored.
    #[arg(long, value_name = "VAR")]
    token_env: Option<String>,
    /// Token lifetime policy in hours for token-lifetime (over it warns;
    /// over 30 days fails) [default: 24].
    #[arg(long, value_name = "HOURS")]
    max_token_lifetime: Option<f64>,
    /// Reach private, loopback and link-local addresses even where the
    /// target's documents or redirects lead there (the SSRF guard is off).
    #[arg(long)]
    allow_private: bool,
    /// Send every request through this HTTP proxy (HTTP_PROXY and the like
    /// are never read); each name is resolved and checked by the SSRF guard
    /// before it goes to the proxy.
    #[arg(long, value_name = "URL")]
    proxy: Option<String>,
    /// Refuse every destination that is not a loopback address (for tests
    /// and fixtures: documents that name real hosts are not followed).
    #[arg(long, hide = true)]
    loopback_only: bool,
    /// Evaluate evidence saved earlier instead of scanning (no network).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["passive", "headers", "resolve", "cacert", "api_url", "proxy"])]
    from_evidence: Option<PathBuf>,

    /// Read options from this file instead of ./agentready.toml.
    #[arg(long, value_name = "FILE", help_heading = "Gate")]
    config: Option<PathBuf>,
    /// Default gate levels: recommended (critical and high checks fail the gate), strict (every check, warnings too), report (no check fails the gate) [default: recommended].
    #[arg(long, value_enum, help_heading = "Gate")]
    preset: Option<super::values::PresetArg>,
    /// Fail the gate when the score is under N (0–100); a null score (incomplete scan) exits 3.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=100), help_heading = "Gate")]
    fail_under: Option<u32>,
    /// Gate level error for these checks or categories: a failure fails the gate.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "ID|CATEGORY,…",
        help_heading = "Gate"
    )]
    deny: Vec<String>,
    /// Gate level warn: failures are reported, never fail the gate.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "ID|CATEGORY,…",
        help_heading = "Gate"
    )]
    warn: Vec<String>,
    /// Gate level off: not gated (still scanned and scored; use --skip not to run a check).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "ID|CATEGORY,…",
        help_heading = "Gate"
    )]
    allow: Vec<String>,
    /// A warn outcome of a check at level error fails the gate too.
    #[arg(long, help_heading = "Gate")]
    deny_warnings: bool,
    /// Accepted failures (agentready_baseline JSON), or a previous JSON report (only regressions fail).
    #[arg(long, value_name = "FILE", help_heading = "Gate")]
    baseline: Option<PathBuf>,
    /// Rewrite the --baseline file with the current failures (drops stale entries, keeps reasons).
    #[arg(long, help_heading = "Gate")]
    update_baseline: bool,
    /// With a report as --baseline: fail when the score dropped by more than N points.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=100), help_heading = "Gate")]
    max_score_drop: Option<u32>,
    /// Accept a report as --baseline although it was written for another target (otherwise exit 2).
    #[arg(long, help_heading = "Gate")]
    baseline_any_target: bool,
}

/// The options after merging the command line over the file.
struct Options {
    target: Option<String>,
    format: Format,
    output: Option<PathBuf>,
    summary: Option<PathBuf>,
    passive: bool,
    api_url: Vec<String>,
    token_env: Option<String>,
    max_token_lifetime: f64,
    allow_private: bool,
    proxy: Option<String>,
    loopback_only: bool,
    headers: Vec<String>,
    resolve: Vec<String>,
    cacert: Vec<PathBuf>,
    timeout: f64,
    connect_timeout: f64,
    target_timeout: f64,
    max_body: usize,
    user_agent: Option<String>,
    checks_dir: Option<PathBuf>,
    only: Vec<String>,
    skip: Vec<String>,
    save_evidence: Option<PathBuf>,
    from_evidence: Option<PathBuf>,
    preset: Preset,
    fail_under: Option<u32>,
    deny_warnings: bool,
    baseline: Option<PathBuf>,
    update_baseline: bool,
    max_score_drop: Option<u32>,
    baseline_any_target: bool,
    level_layers: Vec<LevelLayer>,
    weights: std::collections::BTreeMap<String, u32>,
}

fn or_list<T: Clone>(cli: Vec<T>, file: Option<&Vec<T>>) -> Vec<T> {
    if cli.is_empty() {
        file.cloned().unwrap_or_default()
    } else {
        cli
    }
}

/// The command line's own level layer; one selector in two lists is an error.
fn cli_layer(a: &ScanArgs) -> Result<LevelLayer, String> {
    let mut layer: LevelLayer = Vec::new();
    for (flag, list, level) in [
        ("--allow", &a.allow, Level::Off),
        ("--warn", &a.warn, Level::Warn),
        ("--deny", &a.deny, Level::Error),
    ] {
        for sel in list {
            if let Some((_, other)) = layer.iter().find(|(s, _)| s == sel) {
                return Err(format!(
                    "`{sel}` is given to both --{} and {flag}",
                    match other {
                        Level::Off => "allow",
                        Level::Warn => "warn",
                        Level::Error => "deny",
                    }
                ));
            }
            layer.push((sel.clone(), level));
        }
    }
    Ok(layer)
}

fn merge(a: ScanArgs, file: Option<&ConfigFile>) -> Result<Options, String> {
    let cli = cli_layer(&a)?;
    let default = agentready::config::Keys::default();
    let k = file.map_or(&default, |f| &f.keys);
    let path = |p: &Option<PathBuf>| -> Option<PathBuf> {
        p.as_deref()
            .map(|p| file.map_or_else(|| p.to_path_buf(), |f| f.resolve_path(p)))
    };
    let spanned = |l: &Option<Vec<toml::Spanned<String>>>| -> Option<Vec<String>> {
        l.as_ref()
            .map(|l| l.iter().map(|s| s.get_ref().clone()).collect())
    };
    let mut level_layers = file.map(ConfigFile::level_layers).unwrap_or_default();
    level_layers.push(cli);
    Ok(Options {
        target: a.target.or_else(|| k.target.clone()),
        format: a
            .format
            .map(Format::from)
            .or(k.format)
            .unwrap_or(Format::Table),
        output: a.output.or_else(|| path(&k.output)),
        summary: a.summary.or_else(|| path(&k.summary)),
        passive: a.passive || k.passive.unwrap_or(false),
        api_url: or_list(a.api_url, spanned(&k.api_url).as_ref()),
        token_env: a.token_env.or_else(|| k.token_env.clone()),
        max_token_lifetime: a
            .max_token_lifetime
            .or(k.max_token_lifetime)
            .unwrap_or(24.0),
        allow_private: a.allow_private || k.allow_private.unwrap_or(false),
        proxy: a.proxy.or_else(|| k.proxy.clone()),
        loopback_only: a.loopback_only || k.loopback_only.unwrap_or(false),
        headers: or_list(a.headers, k.headers.as_ref()),
        resolve: or_list(a.resolve, k.resolve.as_ref()),
        cacert: if a.cacert.is_empty() {
            k.cacert
                .iter()
                .flatten()
                .map(|p| path(&Some(p.clone())).unwrap_or_default())
                .collect()
        } else {
            a.cacert
        },
        timeout: a.timeout.or(k.timeout).unwrap_or(10.0),
        connect_timeout: a.connect_timeout.or(k.connect_timeout).unwrap_or(5.0),
        target_timeout: a.target_timeout.or(k.target_timeout).unwrap_or(30.0),
        max_body: a.max_body.or(k.max_body).unwrap_or(1024 * 1024),
        user_agent: a.user_agent.or_else(|| k.user_agent.clone()),
        checks_dir: a.checks_dir.or_else(|| path(&k.checks_dir)),
        only: or_list(a.only, spanned(&k.only).as_ref()),
        skip: or_list(a.skip, spanned(&k.skip).as_ref()),
        save_evidence: a.save_evidence.or_else(|| path(&k.save_evidence)),
        from_evidence: a.from_evidence.or_else(|| path(&k.from_evidence)),
        preset: a.preset.map(Preset::from).or(k.preset).unwrap_or_default(),
        fail_under: a.fail_under.or(k.fail_under.as_ref().map(|s| *s.get_ref())),
        deny_warnings: a.deny_warnings || k.deny_warnings.unwrap_or(false),
        baseline: a.baseline.or_else(|| path(&k.baseline)),
        update_baseline: a.update_baseline || k.update_baseline.unwrap_or(false),
        max_score_drop: a
            .max_score_drop
            .or(k.max_score_drop.as_ref().map(|s| *s.get_ref())),
        baseline_any_target: a.baseline_any_target || k.baseline_any_target.unwrap_or(false),
        level_layers,
        weights: file.map(ConfigFile::weights).unwrap_or_default(),
    })
}

fn config_error(e: &ConfigErrors) -> ExitCode {
    usage_error(format!("invalid configuration:\n{e}"))
}

/// The baseline named by the options: `None` without `--baseline`; with
/// `--update-baseline` a missing file is an empty accepted-failures file.
fn load_baseline(o: &Options) -> Result<Option<Baseline>, String> {
    let Some(path) = &o.baseline else {
        if o.update_baseline {
            return Err("--update-baseline needs --baseline FILE (the file to write)".into());
        }
        return Ok(None);
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && o.update_baseline => {
            return Ok(Some(Baseline::Accepted(gate::AcceptedFailures {
                agentready_baseline: gate::BASELINE_VERSION,
                ..Default::default()
            })));
        }
        Err(e) => return Err(format!("cannot read the baseline {}: {e}", path.display())),
    };
    let b = gate::parse_baseline(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    if o.update_baseline && matches!(b, Baseline::Report(_)) {
        return Err(format!(
            "--update-baseline rewrites an accepted-failures file, but {} is a report",
            path.display()
        ));
    }
    Ok(Some(b))
}

/// Can `path` be written? Asked of every file a scan writes before the
/// first request is sent, so that exit 2 means nothing was sent. An
/// existing file is opened for appending (its content untouched); one that
/// does not exist yet is created and removed again.
fn check_writable(path: &Path, what: &str) -> Result<(), String> {
    if path.is_dir() {
        return Err(format!("the {what} {} is a directory", path.display()));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.is_dir()
    {
        return Err(format!(
            "cannot write the {what} {}: the directory {} does not exist",
            path.display(),
            dir.display()
        ));
    }
    let existed = path.exists();
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| format!("cannot write the {what} {}: {e}", path.display()))?;
    if !existed {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

/// Every file the scan will write, checked before anything is sent.
fn check_outputs(o: &Options) -> Result<(), String> {
    let files = [
        (o.output.as_deref(), "output (-o)"),
        (o.summary.as_deref(), "summary (--summary)"),
        (
            o.save_evidence.as_deref(),
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

/// A report baseline written for another target compares two sites: every
/// regression would hide behind the difference. A usage error unless
/// `--baseline-any-target`.
fn check_baseline_target(
    baseline: Option<&Baseline>,
    target_url: &str,
    o: &Options,
) -> Result<(), String> {
    match baseline {
        Some(Baseline::Report(r)) if !o.baseline_any_target && r.target.url != target_url => {
            Err(format!(
                "the baseline {} is a report for {}, not for {target_url}: comparing two targets hides every regression (--baseline-any-target to compare them anyway)",
                o.baseline
                    .as_deref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                r.target.url
            ))
        }
        _ => Ok(()),
    }
}

fn http_config(o: &Options) -> Result<HttpConfig, String> {
    let mut c = HttpConfig {
        connect_timeout: secs(o.connect_timeout, "connect-timeout")?,
        request_timeout: secs(o.timeout, "timeout")?,
        max_body: o.max_body,
        loopback_only: o.loopback_only,
        allow_private: o.allow_private,
        ..HttpConfig::default()
    };
    if let Some(ua) = &o.user_agent {
        c.user_agent.clone_from(ua);
    }
    super::client_options(
        &mut c,
        &o.headers,
        &o.resolve,
        &o.cacert,
        o.proxy.as_deref(),
    )?;
    Ok(c)
}

/// Replay saved evidence.
fn replay(
    engine: &Engine,
    path: &Path,
    target: Option<&str>,
) -> Result<(Report, Evidence), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let ev = Evidence::from_json(&text).map_err(|e| match e {
        agentready::evidence::EvidenceError::NotEvidence(e) => {
            format!("{} is not an agentready evidence file: {e}", path.display())
        }
        e => format!("{} has {e}", path.display()),
    })?;
    if let Some(t) = target
        && Target::parse(t).map(|t| t.url) != Ok(ev.target().url.clone())
    {
        return Err(format!(
            "{} holds evidence for {}, not {t}",
            path.display(),
            ev.target().url
        ));
    }
    let report = engine.evaluate(&ev, agentready::engine::now_rfc3339(), 0);
    Ok((report, ev))
}

/// Scan the target over the network.
fn gather(engine: &Engine, o: &Options) -> Result<(Report, Evidence), String> {
    let Some(input) = o.target.as_deref() else {
        return Err(
            "a TARGET is required (on the command line or as `target` in agentready.toml)".into(),
        );
    };
    let target = Target::parse(input).map_err(|e| e.to_string())?;
    let mut api_urls = Vec::new();
    for u in &o.api_url {
        api_urls.push(Target::parse(u).map_err(|e| format!("--api-url: {e}"))?.url);
    }
    let mut config = http_config(o)?;
    // Private hosts the user named are reachable (DESIGN §7).
    config.private_hosts = std::iter::once(&target.url)
        .chain(api_urls.iter())
        .filter_map(|u| u.host_str())
        .filter(|h| agentready::model::target::is_private_host(h))
        .map(str::to_string)
        .collect();
    let client = HttpClient::new(config).map_err(|e| e.to_string())?;
    let credential = token_facts(o)?;
    let mode = match (o.passive, &credential) {
        (true, _) => Mode::Passive,
        (false, Some(_)) => Mode::Credentialed,
        (false, None) => Mode::Safe,
    };
    let opts = GatherOptions {
        mode,
        target_timeout: secs(o.target_timeout, "target-timeout")?,
        api_urls,
        credential,
    };
    Ok(runtime().block_on(engine.scan(&client, &target, &opts)))
}

/// Read the token named by `--token-env` and keep only its facts. The
/// value is dropped here and never reaches output.
fn token_facts(
    o: &Options,
) -> Result<Option<agentready::model::credential::CredentialFacts>, String> {
    let Some(var) = &o.token_env else {
        return Ok(None);
    };
    let token = std::env::var(var)
        .map_err(|_| format!("--token-env {var}: the variable is not set (or not UTF-8)"))?;
    if token.trim().is_empty() {
        return Err(format!("--token-env {var}: the variable is empty"));
    }
    let hours = o.max_token_lifetime;
    if !(hours.is_finite() && hours > 0.0 && hours <= 24.0 * 3650.0) {
        return Err("--max-token-lifetime must be a positive number of hours".into());
    }
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    Ok(Some(agentready::model::credential::facts(
        &token,
        now,
        (hours * 3600.0) as u64,
    )))
}

pub(crate) fn scan(args: ScanArgs) -> ExitCode {
    let file = match ConfigFile::find(args.config.as_deref()) {
        Ok(f) => f,
        Err(e) => return config_error(&e),
    };
    let o = match merge(args, file.as_ref()) {
        Ok(o) => o,
        Err(e) => return usage_error(e),
    };
    let user = match user_checks(o.checks_dir.as_deref()) {
        Ok(u) => u,
        Err(e) => return usage_error(e),
    };
    let mut catalogue = agentready::engine::catalogue::builtin().to_vec();
    catalogue.extend(user.iter().cloned());
    if let Some(f) = &file
        && let Err(e) = f.validate(&catalogue)
    {
        return config_error(&e);
    }
    let cli_selectors = o
        .level_layers
        .last()
        .into_iter()
        .flatten()
        .map(|(s, _)| s.as_str());
    if let Some(bad) = gate::unknown_selectors(&catalogue, cli_selectors).first() {
        return usage_error(format!(
            "unknown check or category `{bad}` in --deny/--warn/--allow (see `agentready checks`)"
        ));
    }
    let mut engine = match Engine::new(user, &o.only, &o.skip) {
        Ok(e) => e,
        Err(e) => return usage_error(e),
    };
    engine.override_weights(&o.weights);
    let policy = GatePolicy {
        preset: o.preset,
        levels: gate::resolve_levels(engine.checks(), o.preset, &o.level_layers),
        deny_warnings: o.deny_warnings || o.preset.deny_warnings(),
        fail_under: o.fail_under,
        max_score_drop: o.max_score_drop,
    };
    let baseline = match load_baseline(&o) {
        Ok(b) => b,
        Err(e) => return usage_error(e),
    };
    // Check before sending: after this, only the scan itself remains, so
    // a usage error (exit 2) means nothing was sent.
    if let Err(e) = check_outputs(&o) {
        return usage_error(e);
    }
    if let Some(t) = o.target.as_deref() {
        let url = match Target::parse(t) {
            Ok(t) => t.url.to_string(),
            Err(e) => return usage_error(e),
        };
        if let Err(e) = check_baseline_target(baseline.as_ref(), &url, &o) {
            return usage_error(e);
        }
    }

    let scanned = match &o.from_evidence {
        Some(path) => replay(&engine, path, o.target.as_deref()),
        None => gather(&engine, &o),
    };
    let (mut report, evidence) = match scanned {
        Ok(r) => r,
        Err(e) => return usage_error(e),
    };
    // Replayed evidence names its own target.
    if let Err(e) = check_baseline_target(baseline.as_ref(), &report.target.url, &o) {
        return usage_error(e);
    }
    if let Some(path) = &o.save_evidence {
        let text = match serde_json::to_string_pretty(&evidence) {
            Ok(t) => t,
            Err(e) => return usage_error(format!("cannot serialise evidence: {e}")),
        };
        if let Err(e) = std::fs::write(path, text) {
            return usage_error(format!("cannot write {}: {e}", path.display()));
        }
    }

    let baseline = match (o.update_baseline, baseline, &o.baseline) {
        (true, Some(Baseline::Accepted(old)), Some(path)) if !report.incomplete() => {
            let new = gate::updated_baseline(&report, &policy, Some(&old));
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
                && let Err(e) = std::fs::create_dir_all(dir)
            {
                return usage_error(format!("cannot create {}: {e}", dir.display()));
            }
            if let Err(e) = std::fs::write(path, gate::baseline_to_json(&new)) {
                return usage_error(format!("cannot write {}: {e}", path.display()));
            }
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
            eprintln!(
                "agentready: baseline {} updated: {} entries ({added} added, {removed} removed)",
                path.display(),
                new.accepted.len()
            );
            Some(Baseline::Accepted(new))
        }
        (true, b, _) => {
            eprintln!("agentready: the scan is incomplete, so the baseline was not rewritten");
            b
        }
        (false, b, _) => b,
    };
    let source = o
        .baseline
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let verdict = gate::evaluate(
        &report,
        &policy,
        baseline.as_ref().map(|b| (b, source.as_str())),
    );
    report.gate = Some(verdict);

    let color = color_enabled() && o.output.is_none();
    let text = match render::render(&report, o.format, color) {
        Ok(t) => t,
        Err(e) => return usage_error(e),
    };
    if let Err(e) = write_output(o.output.as_deref(), &text) {
        return usage_error(e);
    }
    if let Some(path) = &o.summary
        && let Err(e) = append(path, &render::markdown(&report))
    {
        return usage_error(e);
    }
    exit_code(&report)
}

/// Append text to a file (a job summary collects several steps).
fn append(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write as _;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| format!("cannot append to {}: {e}", path.display()))
}

/// Say on stderr why the exit code is what it is, and return it.
fn exit_code(report: &Report) -> ExitCode {
    if report.incomplete() {
        if let Some(e) = &report.error {
            eprintln!("agentready: {}", render::terminal_line(e));
        } else {
            eprintln!(
                "agentready: the scan is incomplete (a check could not be evaluated); score withheld"
            );
        }
        return ExitCode::from(exit::INCOMPLETE);
    }
    match &report.gate {
        Some(g) if g.verdict == Verdict::Fail => {
            let n = g.failures.len();
            eprintln!(
                "agentready: gate failed ({n} {}):",
                if n == 1 { "reason" } else { "reasons" }
            );
            for f in &g.failures {
                eprintln!("  - {}", render::terminal_line(&f.message));
            }
            ExitCode::from(exit::GATE_FAILED)
        }
        _ => ExitCode::from(exit::OK),
    }
}
