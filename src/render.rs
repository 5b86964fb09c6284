//! Renderers: a finished [`Report`] to text. They format, never compute.

use crate::catalogue::CheckMeta;
use crate::check::Outcome;
use crate::report::Report;
use comfy_table::{Attribute, Cell, Color, ContentArrangement, Table, presets};
use std::fmt::Write as _;

/// Output formats of `scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for people (the default).
    Table,
    /// The JSON report (DESIGN §4).
    Json,
    /// Markdown (for pull-request comments and job summaries).
    Markdown,
    /// SARIF 2.1.0 (arrives with the CI-gate work).
    Sarif,
    /// JUnit XML (arrives with the CI-gate work).
    Junit,
    /// HTML (arrives with the CI-gate work).
    Html,
}

/// Render a report in a format. `color` only affects the table.
pub fn render(report: &Report, format: Format, color: bool) -> Result<String, String> {
    match format {
        Format::Table => Ok(table(report, color)),
        Format::Json => serde_json::to_string_pretty(report)
            .map(|mut s| {
                s.push('\n');
                s
            })
            .map_err(|e| e.to_string()),
        Format::Markdown => Ok(markdown(report)),
        Format::Sarif | Format::Junit | Format::Html => Err(format!(
            "--format {} is not available yet in this version; use table, json or markdown",
            format_name(format)
        )),
    }
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Table => "table",
        Format::Json => "json",
        Format::Markdown => "markdown",
        Format::Sarif => "sarif",
        Format::Junit => "junit",
        Format::Html => "html",
    }
}

fn outcome_color(o: Outcome) -> Color {
    match o {
        Outcome::Pass => Color::Green,
        Outcome::Warn => Color::Yellow,
        Outcome::Fail | Outcome::Error => Color::Red,
        Outcome::Info | Outcome::Skip => Color::DarkGrey,
    }
}

fn answer_color(a: &str) -> Color {
    match a {
        "yes" => Color::Green,
        "partial" => Color::Yellow,
        "no" => Color::Red,
        _ => Color::DarkGrey,
    }
}

fn cell(text: impl Into<String>, fg: Option<Color>, color: bool) -> Cell {
    let c = Cell::new(text.into());
    match (fg, color) {
        (Some(fg), true) => c.fg(fg),
        _ => c,
    }
}

fn headline(report: &Report) -> String {
    let score = report
        .score
        .map_or_else(|| "—".to_string(), |s| format!("{s}/100"));
    let grade = report.grade.clone().unwrap_or_else(|| "—".into());
    format!(
        "Score {score}   Grade {grade}   Level {} ({})",
        report.level, report.level_name
    )
}

fn new_table(color: bool) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(120);
    if !color {
        t.force_no_tty();
    }
    t
}

/// The human report.
pub fn table(report: &Report, color: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "agentready {} — {} ({} mode, {} requests, {} ms)",
        report.tool.version,
        report.target.url,
        report.mode,
        report.requests_total,
        report.duration_ms
    );
    let _ = writeln!(out, "{}", headline(report));
    if let Some(e) = &report.error {
        let _ = writeln!(out, "Scan incomplete: {e}");
    }
    for cap in &report.score_caps {
        let _ = writeln!(out, "Score capped at {}: {}", cap.max, cap.reason);
    }
    out.push('\n');

    let mut q = new_table(color);
    q.set_header(vec!["", "Question", "Answer"]);
    for item in &report.questions {
        q.add_row(vec![
            Cell::new(&item.id),
            Cell::new(&item.text),
            cell(&item.answer, Some(answer_color(&item.answer)), color),
        ]);
    }
    let _ = writeln!(out, "{q}\n");

    let mut t = new_table(color);
    t.set_header(vec!["Outcome", "Check", "Finding", "Remediation"]);
    let planned: Vec<&str> = report
        .checks
        .iter()
        .filter(|c| is_not_built(c))
        .map(|c| c.id.as_str())
        .collect();
    for c in report.checks.iter().filter(|c| !is_not_built(c)) {
        let mut finding = c.summary.clone();
        for f in c
            .findings
            .iter()
            .filter(|f| f.level != crate::check::FindingLevel::Info)
        {
            let _ = write!(finding, "\n• [{}] {}", f.code, f.message);
        }
        for line in scope_lines(c) {
            let _ = write!(finding, "\n  {line}");
        }
        let remediation = if matches!(c.outcome, Outcome::Fail | Outcome::Warn) {
            first_sentence(&c.remediation)
        } else {
            String::new()
        };
        let mut outcome = cell(
            c.outcome.as_str().to_uppercase(),
            Some(outcome_color(c.outcome)),
            color,
        );
        if color && c.outcome == Outcome::Fail {
            outcome = outcome.add_attribute(Attribute::Bold);
        }
        t.add_row(vec![
            outcome,
            Cell::new(&c.id),
            Cell::new(finding),
            Cell::new(remediation),
        ]);
    }
    if !planned.is_empty() {
        t.add_row(vec![
            cell("SKIP", Some(Color::DarkGrey), color),
            Cell::new(format!("{} more", planned.len())),
            Cell::new(format!("not implemented yet: {}", planned.join(", "))),
            Cell::new(""),
        ]);
    }
    let _ = writeln!(out, "{t}\n");

    let live: Vec<&crate::report::ExchangeSummary> = report
        .exchanges
        .iter()
        .filter(|x| x.method != "GET")
        .collect();
    if !live.is_empty() {
        let _ = writeln!(out, "Live probes (requests designed to be rejected):");
        for x in live {
            let status = x
                .status
                .map_or_else(|| x.error.clone().unwrap_or_default(), |s| s.to_string());
            let _ = writeln!(out, "  {} {} [{}] → {status}", x.method, x.url, x.probe);
            if let Some(b) = &x.sent {
                let _ = writeln!(out, "      sent: {b}");
            }
            if let Some(b) = x.received.as_deref().filter(|b| !b.is_empty()) {
                let _ = writeln!(out, "      got:  {b}");
            }
        }
        out.push('\n');
    }
    let cats: Vec<String> = report
        .categories
        .iter()
        .map(|c| {
            let s = match (c.incomplete, c.score) {
                (true, _) => "incomplete".to_string(),
                (false, Some(s)) => s.to_string(),
                (false, None) => "n/a".to_string(),
            };
            format!("{} {s}", c.id)
        })
        .collect();
    let _ = writeln!(out, "Categories: {}", cats.join(" · "));
    let _ = writeln!(
        out,
        "Run `agentready explain <check>` for the rationale and references of a check."
    );
    out
}

/// Scopes shown per line of the classification summary, at most.
const SCOPES_PER_LINE: usize = 12;

/// One line per (class, source) of a check's `data.scopes` (DESIGN §4), in
/// class order: `write (name): files:write, notes:write`. Formatting only:
/// the classes were decided by the check.
pub fn scope_lines(c: &crate::report::CheckResult) -> Vec<String> {
    const ORDER: [&str; 6] = [
        "read",
        "write",
        "destructive",
        "admin",
        "identity",
        "unknown",
    ];
    let Some(list) = c
        .data
        .as_ref()
        .and_then(|d| d.get("scopes"))
        .and_then(serde_json::Value::as_array)
    else {
        return Vec::new();
    };
    let mut groups: Vec<(usize, &str, &str, Vec<&str>)> = Vec::new();
    for s in list {
        let (Some(scope), Some(class), Some(source)) = (
            s.get("scope").and_then(serde_json::Value::as_str),
            s.get("class").and_then(serde_json::Value::as_str),
            s.get("source").and_then(serde_json::Value::as_str),
        ) else {
            continue;
        };
        match groups
            .iter_mut()
            .find(|(_, c, src, _)| *c == class && *src == source)
        {
            Some((_, _, _, scopes)) => scopes.push(scope),
            None => {
                let rank = ORDER
                    .iter()
                    .position(|o| *o == class)
                    .unwrap_or(ORDER.len());
                groups.push((rank, class, source, vec![scope]));
            }
        }
    }
    groups.sort_by_key(|(rank, _, source, _)| (*rank, *source));
    groups
        .into_iter()
        .map(|(_, class, source, scopes)| {
            let shown = scopes
                .iter()
                .take(SCOPES_PER_LINE)
                .copied()
                .collect::<Vec<_>>()
                .join(", ");
            let more = scopes.len().saturating_sub(SCOPES_PER_LINE);
            if more > 0 {
                format!("{class} ({source}): {shown} … and {more} more")
            } else {
                format!("{class} ({source}): {shown}")
            }
        })
        .collect()
}

/// Checks in the catalogue that are not built yet (reported as skip).
fn is_not_built(c: &crate::report::CheckResult) -> bool {
    c.outcome == Outcome::Skip && c.summary == crate::engine::NOT_IMPLEMENTED
}

/// The first sentence of a remediation, for the table (the rest is in
/// `explain` and the JSON report).
fn first_sentence(s: &str) -> String {
    let flat = s.split_whitespace().collect::<Vec<_>>().join(" ");
    // A sentence ends at ". " before a capital (not "e.g. `x`") or at "; ".
    let end = flat
        .match_indices(". ")
        .map(|(i, _)| i)
        .find(|&i| flat[i + 2..].starts_with(|c: char| c.is_uppercase()))
        .into_iter()
        .chain(flat.find("; "))
        .min();
    match end {
        Some(i) => flat[..=i].trim_end_matches(';').to_string(),
        None => flat,
    }
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Markdown report.
pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## agentready: {}\n", report.target.url);
    let _ = writeln!(
        out,
        "**{}** · {} mode · {} requests\n",
        headline(report),
        report.mode,
        report.requests_total
    );
    if let Some(e) = &report.error {
        let _ = writeln!(out, "> Scan incomplete: {e}\n");
    }
    for cap in &report.score_caps {
        let _ = writeln!(out, "> Score capped at {}: {}\n", cap.max, cap.reason);
    }
    let _ = writeln!(out, "| | Question | Answer |\n|---|---|---|");
    for q in &report.questions {
        let _ = writeln!(out, "| {} | {} | {} |", q.id, md_escape(&q.text), q.answer);
    }
    let _ = writeln!(out, "\n| Outcome | Check | Finding |\n|---|---|---|");
    for c in &report.checks {
        let mut finding = md_escape(&c.summary);
        for f in c
            .findings
            .iter()
            .filter(|f| f.level != crate::check::FindingLevel::Info)
        {
            let _ = write!(finding, "<br>`{}` {}", f.code, md_escape(&f.message));
        }
        for line in scope_lines(c) {
            let _ = write!(finding, "<br>{}", md_escape(&line));
        }
        let _ = writeln!(out, "| {} | `{}` | {} |", c.outcome.as_str(), c.id, finding);
    }
    out
}

/// `agentready checks`: the catalogue as a table.
pub fn catalogue_table(checks: &[CheckMeta], color: bool) -> String {
    let mut t = new_table(color);
    t.set_header(vec![
        "Check", "Category", "Q", "Severity", "Status", "Title",
    ]);
    for m in checks {
        let status = match m.implementation {
            crate::catalogue::Implementation::Rust => "built-in",
            crate::catalogue::Implementation::Declarative => {
                if m.user {
                    "user"
                } else {
                    "declarative"
                }
            }
            crate::catalogue::Implementation::Planned => "planned",
        };
        t.add_row(vec![
            Cell::new(&m.id),
            Cell::new(m.category.id()),
            Cell::new(m.question.map(|q| q.id()).unwrap_or("—")),
            Cell::new(m.severity.as_str()),
            Cell::new(status),
            Cell::new(&m.title),
        ]);
    }
    format!("{t}\n")
}

/// `agentready explain ID`.
pub fn explain(m: &CheckMeta) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", m.id, m.title);
    let _ = writeln!(
        out,
        "category: {} · question: {} · severity: {} (weight {}) · {}",
        m.category.id(),
        m.question.map(|q| q.id()).unwrap_or("none"),
        m.severity.as_str(),
        m.weight(),
        match m.implementation {
            crate::catalogue::Implementation::Rust => "built-in evaluator",
            crate::catalogue::Implementation::Declarative => "declarative rule",
            crate::catalogue::Implementation::Planned =>
                "planned (reported as skip: not implemented yet)",
        }
    );
    if let Some(q) = m.question {
        let _ = writeln!(out, "answers {}: {}", q.id(), q.text());
    }
    let _ = writeln!(out, "\nWhy it matters\n{}", indent(m.rationale.trim()));
    let _ = writeln!(out, "\nHow to fix\n{}", indent(m.remediation.trim()));
    let _ = writeln!(out, "\nFinding codes");
    for f in &m.findings {
        let level = match f.outcome {
            crate::check::FindingLevel::Fail => "fail",
            crate::check::FindingLevel::Warn => "warn",
            crate::check::FindingLevel::Info => "info",
        };
        let _ = writeln!(out, "  {} ({level}): {}", f.code, f.description);
    }
    let _ = writeln!(out, "\nReferences");
    for r in &m.references {
        let _ = writeln!(out, "  {} <{}>", r.title, r.url);
    }
    out
}

fn indent(s: &str) -> String {
    s.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
