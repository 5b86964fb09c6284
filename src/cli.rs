//! Argument types (clap) and the commands. `scan` lives in `cli/scan.rs`
//! (options, `agentready.toml`, the gate), `batch` and `stats` in
//! `cli/batch.rs`, `diff` in `cli/diff.rs`.

mod batch;
mod diff;
mod scan;
mod values;

use agentready::catalogue;

use agentready::render::{self, Format};
use clap::{Args, Parser, Subcommand};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

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
    Scan(Box<scan::ScanArgs>),
    /// Scan many targets (one per line) politely into a JSONL file: resumable, shardable.
    Batch(Box<batch::BatchArgs>),
    /// Adoption statistics over batch results files (one run, or its shards).
    Stats(batch::StatsArgs),
    /// Compare two JSON reports: new, fixed and persistent findings, score and level change.
    Diff(diff::DiffArgs),
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
        format: values::FormatArg,
    },
}

#[derive(Debug, Args)]
struct CatalogueArgs {
    /// Add declarative user checks from this directory.
    #[arg(long, value_name = "DIR")]
    checks_dir: Option<PathBuf>,
}

pub(crate) fn usage_error(msg: impl std::fmt::Display) -> ExitCode {
    // Messages may quote files and input lines: no control character
    // reaches the terminal.
    eprintln!("agentready: {}", render::terminal_safe(&msg.to_string()));
    ExitCode::from(exit::USAGE)
}

pub(crate) fn color_enabled() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

pub(crate) fn write_output(path: Option<&Path>, text: &str) -> Result<(), String> {
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

pub(crate) fn runtime() -> tokio::runtime::Runtime {
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
        Command::Scan(args) => scan::scan(*args),
        Command::Batch(args) => batch::batch(*args),
        Command::Stats(args) => batch::stats(&args),
        Command::Diff(args) => diff::diff(&args),
        Command::Checks(c) => match agentready::scan::user_checks(c.checks_dir.as_deref()) {
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
        Command::Explain { id, catalogue: c } => {
            match agentready::scan::user_checks(c.checks_dir.as_deref()) {
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
            }
        }
        Command::Demo { format } => demo(format.into()),
    }
}

fn demo(format: Format) -> ExitCode {
    let options = agentready::demo::options();
    let engine = match options.engine() {
        Ok(e) => e,
        Err(e) => return usage_error(e),
    };
    let results = match runtime().block_on(agentready::demo::run(&options, &engine)) {
        Ok(r) => r,
        Err(e) => {
            let e = anyhow::Error::from(e);
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
        let width = results.iter().map(|r| r.site.len()).max().unwrap_or(0);
        for r in &results {
            let score = r.report.score.map_or_else(|| "—".into(), |s| s.to_string());
            let discovery_passes = r
                .report
                .checks
                .iter()
                .filter(|c| c.category == "discovery" && c.outcome == agentready::Outcome::Pass)
                .count();
            text.push_str(&format!(
                "  {:<width$} score {:>3}  grade {}  level {}  discovery checks passed: {}\n",
                r.site,
                score,
                r.report.grade.clone().unwrap_or_else(|| "—".into()),
                r.report.level_text(),
                discovery_passes
            ));
        }
    }
    match write_output(None, &text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => usage_error(e),
    }
}
