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
    /// Write a shields.io endpoint badge (grade and score) from a JSON report.
    Badge {
        /// A JSON report (`scan --format json`).
        report: PathBuf,
        /// Write the badge JSON to FILE instead of stdout.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// List the check catalogue.
    Checks(CatalogueArgs),
    /// Explain one check (by its id or one of its finding codes): rationale, remediation, finding codes, references.
    Explain {
        /// Check id or finding code (as shown in reports).
        id: String,
        #[command(flatten)]
        catalogue: CatalogueArgs,
    },
    /// Serve the bundled example sites on loopback and scan each (offline).
    Demo {
        /// Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: values::FormatArg,
        /// Write one file per site into DIR (<site>.<ext>) instead of stdout.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
        #[command(flatten)]
        view: ViewArgs,
    },
}

/// How the table is shown.
#[derive(Debug, Args, Default)]
pub(crate) struct ViewArgs {
    /// List every check (passing and skipped too) and every live probe.
    #[arg(short = 'v', long)]
    pub(crate) verbose: bool,
    /// Do not wrap the table to the terminal's width (COLUMNS, else the
    /// terminal's width, else 80).
    #[arg(long)]
    pub(crate) wide: bool,
}

impl ViewArgs {
    /// The table's options for output to stdout (`to_stdout`) or a file.
    pub(crate) fn options(&self, to_stdout: bool) -> render::RenderOptions {
        render::RenderOptions {
            color: to_stdout && color_enabled(),
            verbose: self.verbose,
            width: table_width(self.wide),
        }
    }
}

/// The table's width: unlimited with `--wide`; else `COLUMNS` when it is
/// a number (40 at least); else the terminal's width when stdout is one;
/// else 80.
pub(crate) fn table_width(wide: bool) -> render::Width {
    if wide {
        return render::Width::Unlimited;
    }
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
    {
        return render::Width::Columns(n.max(40));
    }
    if std::io::stdout().is_terminal()
        && let Some((_, w)) = console::Term::stdout().size_checked()
    {
        return render::Width::Columns(usize::from(w).max(40));
    }
    render::Width::Columns(80)
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

/// True when `-o` names stdout (`-o -`) or nothing.
pub(crate) fn is_stdout(path: Option<&Path>) -> bool {
    path.is_none_or(|p| p == Path::new("-"))
}

pub(crate) fn write_output(path: Option<&Path>, text: &str) -> Result<(), String> {
    match path.filter(|p| *p != Path::new("-")) {
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
        Command::Badge { report, output } => match diff::read_report(&report) {
            Ok(r) => match write_output(output.as_deref(), &render::badge(&r)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => usage_error(e),
            },
            Err(e) => usage_error(e),
        },
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
                    let mut all = catalogue::builtin().to_vec();
                    all.extend(user);
                    let text = match catalogue::lookup(&all, &id) {
                        catalogue::Lookup::Check(m) => render::explain(m),
                        catalogue::Lookup::Code(m, f) => render::explain_code(m, f),
                        catalogue::Lookup::NotFound(Some(near)) => {
                            return usage_error(format!(
                                "no check or finding code `{id}`; did you mean `{near}`? (see `agentready checks`)"
                            ));
                        }
                        catalogue::Lookup::NotFound(None) => {
                            return usage_error(format!(
                                "no check or finding code `{id}` (see `agentready checks`)"
                            ));
                        }
                    };
                    match write_output(None, &text) {
                        Ok(()) => ExitCode::SUCCESS,
                        Err(e) => usage_error(e),
                    }
                }
                Err(e) => usage_error(e),
            }
        }
        Command::Demo {
            format,
            out_dir,
            view,
        } => demo(format.into(), out_dir.as_deref(), &view),
    }
}

/// The file extension of a format (`demo --out-dir`).
fn extension(format: Format) -> &'static str {
    match format {
        Format::Table => "txt",
        Format::Json => "json",
        Format::Markdown => "md",
        Format::Sarif => "sarif.json",
        Format::Junit => "xml",
        Format::Html => "html",
        Format::Github => "github.txt",
    }
}

fn demo(format: Format, out_dir: Option<&Path>, view: &ViewArgs) -> ExitCode {
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
    let render_options = view.options(out_dir.is_none());
    if let Some(dir) = out_dir {
        if let Err(e) = std::fs::create_dir_all(dir) {
            return usage_error(format!("cannot create {}: {e}", dir.display()));
        }
        for r in &results {
            let text = match render::render_with(&r.report, format, &render_options) {
                Ok(s) => s,
                Err(e) => return usage_error(e),
            };
            let path = dir.join(format!("{}.{}", r.site, extension(format)));
            if let Err(e) = write_output(Some(&path), &text) {
                return usage_error(e);
            }
            eprintln!("agentready: wrote {}", path.display());
        }
        return ExitCode::SUCCESS;
    }
    let width = match render_options.width {
        render::Width::Columns(w) => Some(w),
        render::Width::Unlimited => None,
    };
    let mut text = String::new();
    for r in &results {
        if format == Format::Table || format == Format::Markdown {
            text.push('\n');
            for line in render::wrap(
                &format!("=== demo site `{}`: {}", r.site, r.description),
                width.filter(|_| format == Format::Table),
                "",
                "    ",
            ) {
                text.push_str(&line);
                text.push('\n');
            }
            text.push('\n');
        }
        match render::render_with(&r.report, format, &render_options) {
            Ok(s) => text.push_str(&s),
            Err(e) => return usage_error(e),
        }
    }
    if format == Format::Table {
        text.push_str("\nDemo summary\n");
        let width = results.iter().map(|r| r.site.len()).max().unwrap_or(0);
        for r in &results {
            let score = r.report.score.map_or_else(|| "—".into(), |s| s.to_string());
            text.push_str(&format!(
                "  {:<width$} score {:>3}  grade {}  level {}\n",
                r.site,
                score,
                r.report.grade.clone().unwrap_or_else(|| "—".into()),
                r.report.level_text(),
            ));
        }
    }
    match write_output(None, &text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => usage_error(e),
    }
}
