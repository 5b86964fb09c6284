//! The table for people: a headline, the questions, every check with its
//! findings and remediation, the live probes, the gate.

use super::{RenderOptions, Width, gate_headline, headline, scope_lines, terminal_safe, wrap};
use crate::model::outcome::Outcome;
use crate::report::gate::{GateResult, ItemKind};
use crate::report::{Report, count, first_sentence};
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
    sized_table(color, Width::Columns(120))
}

fn sized_table(color: bool, width: Width) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED);
    match width {
        Width::Columns(w) => {
            t.set_content_arrangement(ContentArrangement::Dynamic)
                .set_width(u16::try_from(w).unwrap_or(u16::MAX));
        }
        Width::Unlimited => {
            t.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    if !color {
        t.force_no_tty();
    }
    t
}

/// Below this width the remediation goes under the finding instead of in
/// a column of its own.
const NARROW: usize = 100;

/// The human report with the full table at 120 columns (see
/// [`table_with`]).
pub fn table(report: &Report, color: bool) -> String {
    table_with(
        report,
        &RenderOptions {
            color,
            ..RenderOptions::default()
        },
    )
}

/// The human report: a headline, the top fixes, the questions, the checks
/// that fail or warn (every check with `verbose`), the live probes that
/// decided a failure (all with `verbose`), the gate. Lines fit
/// `options.width`. Every text from the target is passed through
/// [`terminal_safe`] first.
pub fn table_with(report: &Report, options: &RenderOptions) -> String {
    let mut safe = report.clone();
    safe.texts_mut(&mut |t| {
        if let std::borrow::Cow::Owned(o) = terminal_safe(t) {
            *t = o;
        }
    });
    let report = &safe;
    let color = options.color;
    let cols = match options.width {
        Width::Columns(w) => Some(w),
        Width::Unlimited => None,
    };
    let mut out = String::new();
    let line = |out: &mut String, text: &str, first: &str, rest: &str| {
        for l in wrap(text, cols, first, rest) {
            let _ = writeln!(out, "{l}");
        }
    };
    line(
        &mut out,
        &format!(
            "agentready {} — {} ({} mode, {}, {} ms)",
            report.tool.version,
            report.target.url,
            report.mode,
            count(report.requests_total, "request", "requests"),
            report.duration_ms
        ),
        "",
        "  ",
    );
    line(&mut out, &headline(report), "", "  ");
    if let Some(e) = &report.error {
        line(&mut out, &format!("Scan incomplete: {e}"), "", "  ");
    }
    for cap in &report.score_caps {
        line(
            &mut out,
            &format!("Score capped at {}: {}", cap.max, cap.reason),
            "",
            "  ",
        );
    }
    out.push('\n');
    top_fixes_block(&mut out, report, cols);

    let mut q = sized_table(color, options.width);
    q.set_header(vec!["", "Question", "Answer"]);
    for item in &report.questions {
        q.add_row(vec![
            Cell::new(&item.id),
            Cell::new(&item.text),
            cell(&item.answer, Some(answer_color(&item.answer)), color),
        ]);
    }
    let _ = writeln!(out, "{q}\n");

    let narrow = cols.is_some_and(|w| w < NARROW);
    let mut t = sized_table(color, options.width);
    if narrow {
        t.set_header(vec!["Outcome", "Check", "Finding and fix"]);
    } else {
        t.set_header(vec!["Outcome", "Check", "Finding", "Remediation"]);
    }
    let planned: Vec<&str> = report
        .checks
        .iter()
        .filter(|c| is_not_built(c))
        .map(|c| c.id.as_str())
        .collect();
    let shown = |c: &&crate::report::CheckResult| {
        !is_not_built(c)
            && (options.verbose
                || matches!(c.outcome, Outcome::Fail | Outcome::Warn | Outcome::Error))
    };
    for c in report.checks.iter().filter(shown) {
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
            c.remediation_for_site
                .clone()
                .unwrap_or_else(|| first_sentence(&c.remediation))
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
        if narrow {
            if !remediation.is_empty() {
                let _ = write!(finding, "\n→ Fix: {remediation}");
            }
            t.add_row(vec![outcome, Cell::new(&c.id), Cell::new(finding)]);
        } else {
            t.add_row(vec![
                outcome,
                Cell::new(&c.id),
                Cell::new(finding),
                Cell::new(remediation),
            ]);
        }
    }
    if options.verbose && !planned.is_empty() {
        let mut row = vec![
            cell("SKIP", Some(Color::DarkGrey), color),
            Cell::new(format!("{} more", planned.len())),
            Cell::new(format!("not implemented yet: {}", planned.join(", "))),
        ];
        if !narrow {
            row.push(Cell::new(""));
        }
        t.add_row(row);
    }
    if t.row_count() > 0 {
        let _ = writeln!(out, "{t}");
    }
    if !options.verbose {
        let counts: Vec<String> = report
            .outcome_counts()
            .into_iter()
            .filter(|(o, _)| matches!(o, Outcome::Pass | Outcome::Info | Outcome::Skip))
            .map(|(o, n)| format!("{n} {}", o.as_str()))
            .collect();
        if !counts.is_empty() {
            line(
                &mut out,
                &format!(
                    "Not listed: {} (--verbose lists every check).",
                    counts.join(", ")
                ),
                "",
                "  ",
            );
        }
    }
    out.push('\n');

    let clients = super::client_rows(report);
    if !clients.is_empty() {
        line(
            &mut out,
            "Client compatibility (which clients can connect):",
            "",
            "  ",
        );
        for c in &clients {
            let probe = c
                .probe
                .as_deref()
                .map(|p| format!(" [{p}]"))
                .unwrap_or_default();
            line(
                &mut out,
                &format!("{:<24} {}{probe}", c.profile, c.reason),
                "  ",
                "      ",
            );
            if !c.choices.is_empty() {
                line(
                    &mut out,
                    &format!("{:<24} choices: {}", "", c.choices.join("; ")),
                    "  ",
                    "      ",
                );
            }
        }
        out.push('\n');
    }

    let live: Vec<&crate::report::ExchangeSummary> = if options.verbose {
        report
            .exchanges
            .iter()
            .filter(|x| x.method != "GET")
            .collect()
    } else {
        report.decisive_live_probes()
    };
    if !live.is_empty() {
        line(
            &mut out,
            if options.verbose {
                "Live probes (requests designed to be rejected):"
            } else {
                "Live probes that decided a failure or warning (--verbose lists all):"
            },
            "",
            "  ",
        );
        for x in live {
            let status = x
                .status
                .map_or_else(|| x.error.clone().unwrap_or_default(), |s| s.to_string());
            line(
                &mut out,
                &format!("{} {} [{}] → {status}", x.method, x.url, x.probe),
                "  ",
                "      ",
            );
            if let Some(b) = &x.sent {
                line(&mut out, b, "      sent: ", "            ");
            }
            if let Some(b) = x.received.as_deref().filter(|b| !b.is_empty()) {
                line(&mut out, b, "      got:  ", "            ");
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
    line(
        &mut out,
        &format!("Categories: {}", cats.join(" · ")),
        "",
        "  ",
    );
    if let Some(g) = &report.gate {
        out.push('\n');
        for (i, l) in gate_lines(g).into_iter().enumerate() {
            if i == 0 {
                line(&mut out, &l, "", "  ");
            } else {
                line(&mut out, l.trim_start(), "  ", "    ");
            }
        }
    }
    line(
        &mut out,
        "Run `agentready explain <check>` for the rationale and references of a check.",
        "",
        "",
    );
    out
}

/// The top fixes, numbered: what each gains, then what to do.
fn top_fixes_block(out: &mut String, report: &Report, cols: Option<usize>) {
    if report.top_fixes.is_empty() {
        return;
    }
    let _ = writeln!(out, "Top fixes:");
    for (i, f) in report.top_fixes.iter().enumerate() {
        for l in wrap(
            &format!(
                "{} ({}, {}): {}",
                f.check,
                f.outcome.as_str(),
                f.severity,
                f.gain_text()
            ),
            cols,
            &format!("  {}. fix ", i + 1),
            "     ",
        ) {
            let _ = writeln!(out, "{l}");
        }
        for l in wrap(&f.action, cols, "     → ", "       ") {
            let _ = writeln!(out, "{l}");
        }
    }
    out.push('\n');
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
