//! The table for people: a headline, the questions, every check with its
//! findings and remediation, the live probes, the gate.

use super::{gate_headline, headline, scope_lines, terminal_safe};
use crate::model::outcome::Outcome;
use crate::report::Report;
use crate::report::gate::{GateResult, ItemKind};
use comfy_table::{Attribute, Cell, Color, ContentArrangement, Table, presets};
use std::fmt::Write as _;

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

pub(super) fn cell(text: impl Into<String>, fg: Option<Color>, color: bool) -> Cell {
    let c = Cell::new(text.into());
    match (fg, color) {
        (Some(fg), true) => c.fg(fg),
        _ => c,
    }
}

pub(super) fn new_table(color: bool) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(120);
    if !color {
        t.force_no_tty();
    }
    t
}

/// The human report. Every text from the target is passed through
/// [`terminal_safe`] first.
pub fn table(report: &Report, color: bool) -> String {
    let mut safe = report.clone();
    safe.texts_mut(&mut |t| {
        if let std::borrow::Cow::Owned(o) = terminal_safe(t) {
            *t = o;
        }
    });
    let report = &safe;
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
            .filter(|f| f.level != crate::model::outcome::FindingLevel::Info)
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

    let clients = super::client_rows(report);
    if !clients.is_empty() {
        let _ = writeln!(out, "Client compatibility (which clients can connect):");
        for c in &clients {
            let probe = c
                .probe
                .as_deref()
                .map(|p| format!(" [{p}]"))
                .unwrap_or_default();
            let _ = writeln!(out, "  {:<24} {}{probe}", c.profile, c.reason);
            if !c.choices.is_empty() {
                let _ = writeln!(out, "  {:<24} choices: {}", "", c.choices.join("; "));
            }
        }
        out.push('\n');
    }

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
    if let Some(g) = &report.gate {
        out.push('\n');
        for line in gate_lines(g) {
            let _ = writeln!(out, "{line}");
        }
    }
    let _ = writeln!(
        out,
        "Run `agentready explain <check>` for the rationale and references of a check."
    );
    out
}

fn gate_lines(g: &GateResult) -> Vec<String> {
    let mut lines = vec![gate_headline(g)];
    for f in &g.failures {
        lines.push(format!("  ✗ {}", f.message));
    }
    if let Some(b) = &g.baseline
        && !b.accepted.is_empty()
    {
        lines.push(format!("  accepted by the baseline: {}", b.accepted.len()));
    }
    for w in &g.warnings {
        let mark = if w.kind == ItemKind::Note {
            "note:"
        } else {
            "!"
        };
        lines.push(format!("  {mark} {}", w.message));
    }
    lines
}

/// Checks in the catalogue that are not built yet (reported as skip).
fn is_not_built(c: &crate::report::CheckResult) -> bool {
    c.outcome == Outcome::Skip && c.summary == crate::model::outcome::NOT_IMPLEMENTED
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
