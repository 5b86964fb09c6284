//! `agentready scan`: options (command line over `agentready.toml`), the
//! scan or replay, the gate, the baseline, and the exit code.

use super::{is_stdout, runtime, usage_error, write_output};
use agentready::config::{ConfigErrors, ConfigFile};
use agentready::exit;
use agentready::gate::{LevelLayer, Preset};
use agentready::render::{self, Format};
use agentready::report::Report;
use agentready::report::gate::{Level, Verdict};
use agentready::scan::{BaselineUpdate, ScanOptions};
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
    /// Write the report to FILE instead of stdout (`-` is stdout).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// Print one line (target, score, grade, level, gate, top fix) instead
    /// of the report; with -o FILE the report still goes to the file.
    #[arg(short = 'q', long)]
    quiet: bool,
    #[command(flatten)]
    view: super::ViewArgs,
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

fn merge(a: ScanArgs, file: Option<ConfigFile>) -> Result<ScanOptions, String> {
    let cli = cli_layer(&a)?;
    let default = agentready::config::Keys::default();
    let k = file.as_ref().map_or(&default, |f| &f.keys);
    let path = |p: &Option<PathBuf>| -> Option<PathBuf> {
        p.as_deref().map(|p| {
            file.as_ref()
                .map_or_else(|| p.to_path_buf(), |f| f.resolve_path(p))
        })
    };
    let spanned = |l: &Option<Vec<toml::Spanned<String>>>| -> Option<Vec<String>> {
        l.as_ref()
            .map(|l| l.iter().map(|s| s.get_ref().clone()).collect())
    };
    let mut level_layers = file
        .as_ref()
        .map(ConfigFile::level_layers)
        .unwrap_or_default();
    level_layers.push(cli);
    Ok(ScanOptions {
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
        weights: file.as_ref().map(ConfigFile::weights).unwrap_or_default(),
        config: file,
    })
}

fn config_error(e: &ConfigErrors) -> ExitCode {
    usage_error(format!("invalid configuration:\n{e}"))
}

pub(crate) fn scan(mut args: ScanArgs) -> ExitCode {
    let file = match ConfigFile::find(args.config.as_deref()) {
        Ok(f) => f,
        Err(e) => return config_error(&e),
    };
    let quiet = args.quiet;
    let view = std::mem::take(&mut args.view);
    let options = match merge(args, file) {
        Ok(o) => o,
        Err(e) => return usage_error(e),
    };
    let (format, output, summary) = (
        options.format,
        options.output.clone(),
        options.summary.clone(),
    );
    let scan = match options.prepare() {
        Ok(s) => s,
        Err(e) => return usage_error(e),
    };
    let spinner = spinner(options_target(&scan));
    let scanned = runtime().block_on(scan.run());
    if let Some(s) = spinner {
        s.finish_and_clear();
    }
    let scanned = match scanned {
        Ok(s) => s,
        Err(e) => return usage_error(e),
    };
    match &scanned.baseline_update {
        Some(BaselineUpdate::Written {
            path,
            entries,
            added,
            removed,
        }) => eprintln!(
            "agentready: baseline {} updated: {} ({added} added, {removed} removed)",
            path.display(),
            agentready::report::count(*entries, "entry", "entries")
        ),
        Some(BaselineUpdate::NotRewritten) => {
            eprintln!("agentready: the scan is incomplete, so the baseline was not rewritten");
        }
        None => {}
    }
    let report = scanned.report;
    let to_stdout = is_stdout(output.as_deref());
    if !(quiet && to_stdout) {
        let text = match render::render_with(&report, format, &view.options(to_stdout)) {
            Ok(t) => t,
            Err(e) => return usage_error(e),
        };
        if let Err(e) = write_output(output.as_deref(), &text) {
            return usage_error(e);
        }
    }
    if quiet && let Err(e) = write_output(None, &format!("{}\n", render::quiet_line(&report))) {
        return usage_error(e);
    }
    if let Some(path) = &summary
        && let Err(e) = append(path, &render::markdown(&report))
    {
        return usage_error(e);
    }
    exit_code(&report, quiet)
}

/// What the spinner names: the target as given, or the evidence file.
fn options_target(scan: &agentready::scan::Scan) -> String {
    let o = scan.options();
    match (&o.from_evidence, &o.target) {
        (Some(p), _) => p.display().to_string(),
        (None, Some(t)) => t.clone(),
        (None, None) => String::new(),
    }
}

/// A spinner on stderr while the scan runs, only when stderr is a
/// terminal (never in a pipe, a log or an output file).
fn spinner(target: String) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal as _;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.set_message(render::terminal_line(&format!(
        "scanning {target}: probing and evaluating the checks"
    )));
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    Some(bar)
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
fn exit_code(report: &Report, quiet: bool) -> ExitCode {
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
            if quiet {
                return ExitCode::from(exit::GATE_FAILED);
            }
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
