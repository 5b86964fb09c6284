//! Renderers of a [`ReportDiff`] (`agentready diff`).

use super::error::RenderError;
use super::{md_code, md_escape, outcome_name};
use crate::report::diff::{Change, DiffFinding, ReportDiff};
use std::fmt::Write as _;

/// Output formats of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffFormat {
    /// Text for people.
    Table,
    /// The diff as JSON.
    Json,
    /// Markdown (pull-request comments).
    Markdown,
}

/// Render a diff.
pub fn render_diff(d: &ReportDiff, format: DiffFormat) -> Result<String, RenderError> {
    match format {
        DiffFormat::Table => Ok(text(d)),
        DiffFormat::Json => serde_json::to_string_pretty(d)
            .map(|mut s| {
                s.push('\n');
                s
            })
            .map_err(RenderError::Json),
        DiffFormat::Markdown => Ok(markdown(d)),
    }
}

fn score(s: Option<u32>) -> String {
    s.map_or_else(|| "—".into(), |s| s.to_string())
}

fn signed(n: i64) -> String {
    if n > 0 {
        format!("+{n}")
    } else {
        n.to_string()
    }
}

fn headline(d: &ReportDiff) -> String {
    let change = d.score_change.map_or_else(|| "n/a".into(), signed);
    format!(
        "Score {} → {} ({change})   Grade {} → {}   Level {} → {}",
        score(d.old.score),
        score(d.new.score),
        d.old.grade.as_deref().unwrap_or("—"),
        d.new.grade.as_deref().unwrap_or("—"),
        crate::report::level_text(d.old.level, d.old.level_name.as_deref()),
        crate::report::level_text(d.new.level, d.new.level_name.as_deref()),
    )
}

fn change_word(c: Change) -> &'static str {
    match c {
        Change::Regressed => "regressed",
        Change::Improved => "improved",
        Change::Changed => "changed",
        Change::Added => "added",
        Change::Removed => "removed",
        Change::Unchanged => "unchanged",
    }
}

fn finding_line(f: &DiffFinding) -> String {
    let times = if f.count > 1 {
        format!(" (×{})", f.count)
    } else {
        String::new()
    };
    format!(
        "{} [{}] {}{times}: {}",
        f.check,
        f.code,
        match f.level {
            crate::model::outcome::FindingLevel::Fail => "fail",
            crate::model::outcome::FindingLevel::Warn => "warn",
            crate::model::outcome::FindingLevel::Info => "info",
        },
        f.message
    )
}

/// The diff for a terminal: every text of the two reports is passed
/// through [`super::terminal_line`] (no control character, no forged line).
fn text(d: &ReportDiff) -> String {
    let t = |s: &str| super::terminal_line(s);
    let mut out = String::new();
    let _ = writeln!(out, "agentready diff");
    let _ = writeln!(
        out,
        "  old: {} ({})",
        t(&d.old.target),
        t(&d.old.started_at)
    );
    let _ = writeln!(
        out,
        "  new: {} ({})",
        t(&d.new.target),
        t(&d.new.started_at)
    );
    let _ = writeln!(out, "{}", t(&headline(d)));
    for n in &d.notes {
        let _ = writeln!(out, "Note: {}", t(n));
    }
    let _ = writeln!(out, "\nChecks that changed ({})", d.checks.len());
    if d.checks.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for c in &d.checks {
        let _ = writeln!(
            out,
            "  {:<9} {:<28} {} → {}",
            change_word(c.change),
            t(&c.id),
            outcome_name(c.old),
            outcome_name(c.new)
        );
    }
    for (title, list) in [
        ("New findings", &d.new_findings),
        ("Fixed findings", &d.fixed_findings),
        ("Persistent findings", &d.persistent_findings),
    ] {
        let _ = writeln!(out, "\n{title} ({})", list.len());
        if list.is_empty() {
            let _ = writeln!(out, "  none");
        }
        for f in list {
            let _ = writeln!(out, "  {}", t(&finding_line(f)));
        }
    }
    out
}

fn markdown(d: &ReportDiff) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## agentready diff: {}\n", md_escape(&d.new.target));
    let _ = writeln!(out, "**{}**\n", md_escape(&headline(d)));
    if d.old.target != d.new.target {
        let _ = writeln!(out, "Old target: {}\n", md_escape(&d.old.target));
    }
    for n in &d.notes {
        let _ = writeln!(out, "> Note: {}\n", md_escape(n));
    }
    let regressed = d
        .checks
        .iter()
        .filter(|c| c.change == Change::Regressed)
        .count();
    let _ = writeln!(
        out,
        "{} new · {} fixed · {} · {} regressed\n",
        d.new_findings.len(),
        d.fixed_findings.len(),
        crate::report::count(
            d.persistent_findings.len(),
            "persistent finding",
            "persistent findings"
        ),
        crate::report::count(regressed, "check", "checks")
    );
    if !d.checks.is_empty() {
        let _ = writeln!(out, "| Change | Check | Before | Now |\n|---|---|---|---|");
        for c in &d.checks {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                change_word(c.change),
                md_code(&c.id),
                outcome_name(c.old),
                outcome_name(c.new)
            );
        }
        out.push('\n');
    }
    for (title, list) in [
        ("New findings", &d.new_findings),
        ("Fixed findings", &d.fixed_findings),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "### {title}\n");
        for f in list {
            let _ = writeln!(
                out,
                "- {} {}: {}",
                md_code(&f.check),
                md_code(&f.code),
                md_escape(&f.message)
            );
        }
        out.push('\n');
    }
    if !d.persistent_findings.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>Persistent findings ({})</summary>\n",
            d.persistent_findings.len()
        );
        for f in &d.persistent_findings {
            let _ = writeln!(
                out,
                "- {} {}: {}",
                md_code(&f.check),
                md_code(&f.code),
                md_escape(&f.message)
            );
        }
        let _ = writeln!(out, "\n</details>");
    }
    out
}
