//! Argument types (clap) and the commands.

use agentready::catalogue::{self, CheckMeta};
use agentready::engine::Engine;
use agentready::evidence::{Evidence, Mode};
use agentready::http::{self, HttpClient, HttpConfig};
use agentready::probe::GatherOptions;
use agentready::render::{self, Format};
use agentready::target::Target;
use clap::{Args, Parser, Subcommand};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use agentready::exit;

/// Can an AI agent discover how to authenticate to your API, and do it
/// without a browser?
#[derive(Debug, Parser)]
#[command(name = "agentready", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan one target: a domain, an origin, an API base URL or an MCP endpoint.
    Scan(Box<ScanArgs>),
    /// List the check catalogue.
    Checks(CatalogueArgs),
    /// Explain one check: rationale, remediation, finding codes, references.
    Explain {
        /// Check id.
        id: String,
        #[command(flatten)]
        catalogue: CatalogueArgs,
    },
    /// Serve the bundled example sites on loopback and scan each (offline).
    Demo {
        /// Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

#[derive(Debug, Args)]
struct CatalogueArgs {
    /// Add declarative user checks from this directory.
    #[arg(long, value_name = "DIR")]
    checks_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct ScanArgs {
    /// Target: example.com, https://api.example.com/v1 or https://mcp.example.com/mcp.
    #[arg(required_unless_present = "from_evidence")]
    target: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Write the report to FILE instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
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
    /// Timeout of one request, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    timeout: f64,
    /// Connect timeout, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 5.0)]
    connect_timeout: f64,
    /// Deadline for the whole target, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    target_timeout: f64,
    /// Body cap in bytes (applies after decompression).
    #[arg(long, value_name = "BYTES", default_value_t = 1024 * 1024)]
    max_body: usize,
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
    #[arg(long, value_delimiter = ',', value_name = "ID,…")]
    skip: Vec<String>,
    /// Write the gathered evidence to FILE (for replay and bug reports).
    #[arg(long, value_name = "FILE")]
    save_evidence: Option<PathBuf>,
    /// Read a token from this environment variable (credentialed mode): its
    /// lifetime is judged locally; it is never printed, logged or stored.
    #[arg(long, value_name = "VAR")]
    token_env: Option<String>,
    /// Token lifetime policy in hours for token-lifetime (over it warns;
    /// over 30 days fails).
    #[arg(long, value_name = "HOURS", default_value_t = 24.0)]
    max_token_lifetime: f64,
    /// Reach private, loopback and link-local addresses even where the
    /// target's documents or redirects lead there (the SSRF guard is off).
    #[arg(long)]
    allow_private: bool,
    /// Refuse every destination that is not a loopback address (for tests
    /// and fixtures: documents that name real hosts are not followed).
    #[arg(long, hide = true)]
    loopback_only: bool,
    /// Evaluate evidence saved earlier instead of scanning (no network).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["passive", "headers", "resolve", "cacert", "api_url"])]
    from_evidence: Option<PathBuf>,
}

fn usage_error(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("agentready: {msg}");
    ExitCode::from(exit::USAGE)
}

fn color_enabled() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

fn write_output(path: Option<&Path>, text: &str) -> Result<(), String> {
    match path {
        Some(p) => {
            std::fs::write(p, text).map_err(|e| format!("cannot write {}: {e}", p.display()))
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| format!("cannot write to stdout: {e}"))
        }
    }
}

fn user_checks(dir: Option<&Path>) -> Result<Vec<CheckMeta>, String> {
    match dir {
        Some(d) => catalogue::load_user_dir(d).map_err(|e| e.to_string()),
        None => Ok(Vec::new()),
    }
}

fn secs(v: f64, name: &str) -> Result<Duration, String> {
    if v.is_finite() && v > 0.0 && v < 86_400.0 {
        Ok(Duration::from_secs_f64(v))
    } else {
        Err(format!("--{name} must be a positive number of seconds"))
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| {
            eprintln!("agentready: cannot start the async runtime: {e}");
            std::process::exit(i32::from(exit::INCOMPLETE))
        })
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Scan(args) => scan(*args),
        Command::Checks(c) => match user_checks(c.checks_dir.as_deref()) {
            Ok(user) => {
                let mut all = catalogue::builtin().to_vec();
                all.extend(user);
                match write_output(None, &render::catalogue_table(&all, color_enabled())) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(e) => usage_error(e),
                }
            }
            Err(e) => usage_error(e),
        },
        Command::Explain { id, catalogue: c } => match user_checks(c.checks_dir.as_deref()) {
            Ok(user) => {
                let found = catalogue::builtin()
                    .iter()
                    .chain(user.iter())
                    .find(|m| m.id == id)
                    .cloned();
                match found {
                    Some(m) => match write_output(None, &render::explain(&m)) {
                        Ok(()) => ExitCode::SUCCESS,
                        Err(e) => usage_error(e),
                    },
                    None => usage_error(format!("no check `{id}` (see `agentready checks`)")),
                }
            }
            Err(e) => usage_error(e),
        },
        Command::Demo { format } => demo(format),
    }
}

fn demo(format: Format) -> ExitCode {
    let engine = match Engine::new(Vec::new(), &[], &[]) {
        Ok(e) => e,
        Err(e) => return usage_error(e),
    };
    let results = match runtime().block_on(agentready::demo::run(&engine)) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("agentready: the demo could not run: {e:#}");
            return ExitCode::from(exit::INCOMPLETE);
        }
    };
    let color = color_enabled();
    let mut text = String::new();
    for r in &results {
        if format == Format::Table || format == Format::Markdown {
            text.push_str(&format!(
                "\n=== demo site `{}`: {}\n\n",
                r.site, r.description
            ));
        }
        match render::render(&r.report, format, color) {
            Ok(s) => text.push_str(&s),
            Err(e) => return usage_error(e),
        }
    }
    if format == Format::Table {
        text.push_str("\nDemo summary\n");
        for r in &results {
            let score = r.report.score.map_or_else(|| "—".into(), |s| s.to_string());
            let discovery_passes = r
                .report
                .checks
                .iter()
                .filter(|c| {
                    c.category == "discovery" && c.outcome == agentready::check::Outcome::Pass
                })
                .count();
            text.push_str(&format!(
                "  {:<14} score {:>3}  grade {}  level {} ({})  discovery checks passed: {}\n",
                r.site,
                score,
                r.report.grade.clone().unwrap_or_else(|| "—".into()),
                r.report.level,
                r.report.level_name,
                discovery_passes
            ));
        }
    }
    match write_output(None, &text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => usage_error(e),
    }
}

fn scan(args: ScanArgs) -> ExitCode {
    let user = match user_checks(args.checks_dir.as_deref()) {
        Ok(u) => u,
        Err(e) => return usage_error(e),
    };
    let engine = match Engine::new(user, &args.only, &args.skip) {
        Ok(e) => e,
        Err(e) => return usage_error(e),
    };
    let color = color_enabled();
    let (report, evidence) = if let Some(path) = &args.from_evidence {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => return usage_error(format!("cannot read {}: {e}", path.display())),
        };
        let mut ev: Evidence = match serde_json::from_str(&text) {
            Ok(ev) => ev,
            Err(e) => {
                return usage_error(format!(
                    "{} is not an agentready evidence file: {e}",
                    path.display()
                ));
            }
        };
        if ev.format != agentready::evidence::EVIDENCE_FORMAT {
            return usage_error(format!(
                "{} has evidence format `{}`; this version reads `{}`",
                path.display(),
                ev.format,
                agentready::evidence::EVIDENCE_FORMAT
            ));
        }
        ev.finish_loading();
        if let Some(t) = &args.target
            && Target::parse(t).map(|t| t.url) != Ok(ev.target.url.clone())
        {
            return usage_error(format!(
                "{} holds evidence for {}, not {t}",
                path.display(),
                ev.target.url
            ));
        }
        let report = engine.evaluate(&ev, agentready::engine::now_rfc3339(), 0);
        (report, ev)
    } else {
        let Some(input) = args.target.as_deref() else {
            return usage_error("a TARGET is required");
        };
        let target = match Target::parse(input) {
            Ok(t) => t,
            Err(e) => return usage_error(e),
        };
        let mut api_urls = Vec::new();
        for u in &args.api_url {
            match Target::parse(u) {
                Ok(t) => api_urls.push(t.url),
                Err(e) => return usage_error(format!("--api-url: {e}")),
            }
        }
        let mut config = match http_config(&args) {
            Ok(c) => c,
            Err(e) => return usage_error(e),
        };
        // Private hosts the user named are reachable (DESIGN §7).
        config.private_hosts = std::iter::once(&target.url)
            .chain(api_urls.iter())
            .filter_map(|u| u.host_str())
            .filter(|h| agentready::target::is_private_host(h))
            .map(str::to_string)
            .collect();
        let client = match HttpClient::new(config) {
            Ok(c) => c,
            Err(e) => return usage_error(e),
        };
        let target_timeout = match secs(args.target_timeout, "target-timeout") {
            Ok(d) => d,
            Err(e) => return usage_error(e),
        };
        let credential = match token_facts(&args) {
            Ok(c) => c,
            Err(e) => return usage_error(e),
        };
        let mode = match (args.passive, &credential) {
            (true, _) => Mode::Passive,
            (false, Some(_)) => Mode::Credentialed,
            (false, None) => Mode::Safe,
        };
        let opts = GatherOptions {
            mode,
            target_timeout,
            api_urls,
            credential,
        };
        runtime().block_on(engine.scan(&client, &target, &opts))
    };
    if let Some(path) = &args.save_evidence {
        let text = match serde_json::to_string_pretty(&evidence) {
            Ok(t) => t,
            Err(e) => return usage_error(format!("cannot serialise evidence: {e}")),
        };
        if let Err(e) = std::fs::write(path, text) {
            return usage_error(format!("cannot write {}: {e}", path.display()));
        }
    }
    let text = match render::render(&report, args.format, color && args.output.is_none()) {
        Ok(t) => t,
        Err(e) => return usage_error(e),
    };
    if let Err(e) = write_output(args.output.as_deref(), &text) {
        return usage_error(e);
    }
    if report.incomplete() {
        if let Some(e) = &report.error {
            eprintln!("agentready: {e}");
        } else {
            eprintln!(
                "agentready: the scan is incomplete (a check could not be evaluated); score withheld"
            );
        }
        return ExitCode::from(exit::INCOMPLETE);
    }
    ExitCode::from(exit::OK)
}

/// Read the token named by `--token-env` and keep only its facts. The
/// value is dropped here and never reaches output.
fn token_facts(args: &ScanArgs) -> Result<Option<agentready::credential::CredentialFacts>, String> {
    let Some(var) = &args.token_env else {
        return Ok(None);
    };
    let token = std::env::var(var)
        .map_err(|_| format!("--token-env {var}: the variable is not set (or not UTF-8)"))?;
    if token.trim().is_empty() {
        return Err(format!("--token-env {var}: the variable is empty"));
    }
    let hours = args.max_token_lifetime;
    if !(hours.is_finite() && hours > 0.0 && hours <= 24.0 * 3650.0) {
        return Err("--max-token-lifetime must be a positive number of hours".into());
    }
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    Ok(Some(agentready::credential::facts(
        &token,
        now,
        (hours * 3600.0) as u64,
    )))
}

fn http_config(args: &ScanArgs) -> Result<HttpConfig, String> {
    let mut c = HttpConfig {
        connect_timeout: secs(args.connect_timeout, "connect-timeout")?,
        request_timeout: secs(args.timeout, "timeout")?,
        max_body: args.max_body,
        loopback_only: args.loopback_only,
        allow_private: args.allow_private,
        ..HttpConfig::default()
    };
    if let Some(ua) = &args.user_agent {
        c.user_agent.clone_from(ua);
    }
    for h in &args.headers {
        c.headers
            .push(http::parse_header(h).map_err(|e| e.to_string())?);
    }
    for r in &args.resolve {
        c.resolve
            .push(http::parse_resolve(r).map_err(|e| e.to_string())?);
    }
    c.cacerts.clone_from(&args.cacert);
    if c.max_body == 0 {
        return Err("--max-body must be at least 1".into());
    }
    Ok(c)
}
