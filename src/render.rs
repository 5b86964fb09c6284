//! Renderers: a finished [`Report`] to text. They format, never compute:
//! the gate's verdict arrives in `report.gate`, computed by [`crate::gate`].
//! Everything that comes from the target is escaped for the format.

mod diff;
mod html;
mod junit;
mod sarif;

pub use diff::{DiffFormat, render_diff};
pub use html::html;
pub use junit::junit;
pub use sarif::{FINGERPRINT_KEY, SARIF_SCHEMA_URI, sarif};

use crate::gate::{GateResult, ItemKind, Verdict};
use crate::model::catalogue::CheckMeta;
use crate::model::outcome::Outcome;
use crate::report::Report;
use comfy_table::{Attribute, Cell, Color, ContentArrangement, Table, presets};
use std::fmt::Write as _;

/// Output formats of `scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// A table for people (the default).
    Table,
    /// The JSON report (DESIGN §4).
    Json,
    /// Markdown (for pull-request comments and job summaries).
    Markdown,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
    /// JUnit XML (CI test reports).
    Junit,
    /// One self-contained HTML page.
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
        Format::Sarif => sarif(report),
        Format::Junit => junit(report),
        Format::Html => Ok(html(report)),
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
        "Score {score}   Grade {grade}   Level {}",
        report.level_text()
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

/// Characters a terminal acts on rather than prints, or that reorder
/// what follows: C0 controls (ESC starts CSI and OSC sequences that clear
/// the screen, retitle the window or write the clipboard; BEL; CR), DEL,
/// C1 controls (U+0080–U+009F: CSI and OSC in their 8-bit form) and the
/// bidirectional embeddings, overrides and isolates (U+202A–U+202E,
/// U+2066–U+2069) and marks (U+200E, U+200F, U+061C).
pub(crate) fn is_terminal_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Text from a target made safe to print on a terminal: every character
/// `is_terminal_unsafe` judges unsafe becomes U+FFFD, except line feeds
/// and tabs (the table lays out multi-line cells).
pub fn terminal_safe(s: &str) -> std::borrow::Cow<'_, str> {
    if !s
        .chars()
        .any(|c| is_terminal_unsafe(c) && c != '\n' && c != '\t')
    {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.chars()
            .map(|c| {
                if is_terminal_unsafe(c) && c != '\n' && c != '\t' {
                    '\u{FFFD}'
                } else {
                    c
                }
            })
            .collect(),
    )
}

/// [`terminal_safe`] for one line of stderr: line feeds and tabs become
/// spaces too, so a target cannot forge further lines.
pub fn terminal_line(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\n' | '\t' => ' ',
            c if is_terminal_unsafe(c) => '\u{FFFD}',
            c => c,
        })
        .collect()
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

/// The gate's verdict in a sentence: "Gate passed (preset recommended, …)".
pub(crate) fn gate_headline(g: &GateResult) -> String {
    let mut how = vec![format!("preset {}", g.preset)];
    if let Some(n) = g.fail_under {
        how.push(format!("fail-under {n}"));
    }
    if g.deny_warnings {
        how.push("warnings denied".into());
    }
    if let Some(b) = &g.baseline {
        how.push(format!("baseline {} ({})", b.source, b.kind));
    }
    if let Some(n) = g.max_score_drop {
        how.push(format!("max score drop {n}"));
    }
    let verdict = match g.verdict {
        Verdict::Pass => "Gate passed",
        Verdict::Fail => "Gate FAILED",
        Verdict::Incomplete => "Gate not judged: the scan is incomplete",
    };
    format!("{verdict} ({})", how.join(", "))
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

/// The name of an outcome, or "—" when absent.
pub(crate) fn outcome_name(o: Option<Outcome>) -> &'static str {
    o.map_or("—", Outcome::as_str)
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

/// Markdown-escape text from a report for inline use (table cells, list
/// items): no raw HTML, no emphasis, links or code spans can be smuggled in
/// by what a target sends, and the text stays on one line.
pub(crate) fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '!' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if is_terminal_unsafe(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// A code span of text from a report (backticks and line breaks removed).
pub(crate) fn md_code(s: &str) -> String {
    let clean: String = s
        .chars()
        .map(|c| {
            if c == '`' || is_terminal_unsafe(c) {
                ' '
            } else {
                c
            }
        })
        .collect();
    format!("`{}`", clean.trim())
}

/// Catalogue prose (remediation) for Markdown: it is our own Markdown, so
/// code spans stay; it is flattened to one paragraph and HTML is escaped.
fn md_prose(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
}

fn answer_mark(a: &str) -> &'static str {
    match a {
        "yes" => "✅ yes",
        "partial" => "🟡 partial",
        "no" => "❌ no",
        _ => "❔ unknown",
    }
}

fn outcome_mark(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "✅",
        Outcome::Warn => "⚠️",
        Outcome::Fail => "❌",
        Outcome::Error => "💥",
        Outcome::Info => "ℹ️",
        Outcome::Skip => "⏭️",
    }
}

/// Markdown report, for `$GITHUB_STEP_SUMMARY` and pull-request comments:
/// headline, gate verdict, the nine questions, the checks that fail or warn
/// with their remediation and references, then every check folded away.
pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## agentready: {}\n", md_escape(&report.target.url));
    let _ = writeln!(
        out,
        "**{}** · {} mode · {} requests · agentready {}\n",
        headline(report),
        report.mode,
        report.requests_total,
        md_escape(&report.tool.version)
    );
    if let Some(g) = &report.gate {
        let mark = match g.verdict {
            Verdict::Pass => "✅",
            Verdict::Fail => "❌",
            Verdict::Incomplete => "⚠️",
        };
        let _ = writeln!(out, "{mark} **{}**\n", md_escape(&gate_headline(g)));
        for f in &g.failures {
            let _ = writeln!(out, "- {}", md_escape(&f.message));
        }
        if !g.failures.is_empty() {
            out.push('\n');
        }
        if let Some(b) = &g.baseline
            && !b.accepted.is_empty()
        {
            let _ = writeln!(
                out,
                "{} known failure(s) accepted by the baseline.\n",
                b.accepted.len()
            );
        }
    }
    if let Some(e) = &report.error {
        let _ = writeln!(out, "> Scan incomplete: {}\n", md_escape(e));
    }
    for cap in &report.score_caps {
        let _ = writeln!(
            out,
            "> Score capped at {}: {}\n",
            cap.max,
            md_escape(&cap.reason)
        );
    }
    let _ = writeln!(out, "### The nine questions\n");
    let _ = writeln!(out, "| | Question | Answer |\n|---|---|---|");
    for q in &report.questions {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            md_escape(&q.id),
            md_escape(&q.text),
            answer_mark(&q.answer)
        );
    }
    let problems: Vec<&crate::report::CheckResult> = report
        .checks
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Fail | Outcome::Warn | Outcome::Error))
        .collect();
    let _ = writeln!(out, "\n### Checks to fix ({})\n", problems.len());
    if problems.is_empty() {
        let _ = writeln!(out, "Nothing fails or warns.\n");
    }
    for c in &problems {
        let level = report
            .gate
            .as_ref()
            .map(|g| format!(" · gate level {}", g.level(&c.id).as_str()))
            .unwrap_or_default();
        let accepted = if report
            .gate
            .as_ref()
            .is_some_and(|g| g.is_accepted(&c.id, None))
        {
            " · accepted by the baseline"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "#### {} {} — {}\n\n{} · {} severity{level}{accepted}\n",
            outcome_mark(c.outcome),
            md_code(&c.id),
            md_escape(&c.summary),
            c.outcome.as_str(),
            md_escape(&c.severity),
        );
        for f in c
            .findings
            .iter()
            .filter(|f| f.level != crate::model::outcome::FindingLevel::Info)
        {
            let _ = writeln!(out, "- {} {}", md_code(&f.code), md_escape(&f.message));
        }
        if !c.remediation.is_empty() {
            let _ = writeln!(out, "\n**Fix:** {}", md_prose(&c.remediation));
        }
        let refs: Vec<String> = c
            .references
            .iter()
            .filter(|r| r.url.starts_with("https://"))
            .map(|r| {
                format!(
                    "[{}](<{}>)",
                    md_escape(&r.title),
                    r.url.replace(['<', '>', ' '], "")
                )
            })
            .collect();
        if !refs.is_empty() {
            let _ = writeln!(out, "\n**References:** {}", refs.join(" · "));
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "<details><summary>All {} checks</summary>\n",
        report.checks.len()
    );
    let _ = writeln!(out, "| Outcome | Check | Finding |\n|---|---|---|");
    for c in &report.checks {
        let mut finding = md_escape(&c.summary);
        for f in c
            .findings
            .iter()
            .filter(|f| f.level != crate::model::outcome::FindingLevel::Info)
        {
            let _ = write!(
                finding,
                "<br>{} {}",
                md_code(&f.code),
                md_escape(&f.message)
            );
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            c.outcome.as_str(),
            md_code(&c.id),
            finding
        );
        for line in scope_lines(c) {
            let _ = write!(finding, "<br>{}", md_escape(&line));
        }
        let _ = writeln!(out, "| {} | `{}` | {} |", c.outcome.as_str(), c.id, finding);
    }
    let _ = writeln!(out, "\n</details>");
    let cats: Vec<String> = report
        .categories
        .iter()
        .map(|c| {
            let s = match (c.incomplete, c.score) {
                (true, _) => "incomplete".to_string(),
                (false, Some(s)) => s.to_string(),
                (false, None) => "n/a".to_string(),
            };
            format!("{} {s}", md_escape(&c.id))
        })
        .collect();
    let _ = writeln!(out, "\nCategories: {}", cats.join(" · "));
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
            crate::model::catalogue::Implementation::Rust => "built-in",
            crate::model::catalogue::Implementation::Declarative => {
                if m.user {
                    "user"
                } else {
                    "declarative"
                }
            }
            crate::model::catalogue::Implementation::Planned => "planned",
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
            crate::model::catalogue::Implementation::Rust => "built-in evaluator",
            crate::model::catalogue::Implementation::Declarative => "declarative rule",
            crate::model::catalogue::Implementation::Planned =>
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
            crate::model::outcome::FindingLevel::Fail => "fail",
            crate::model::outcome::FindingLevel::Warn => "warn",
            crate::model::outcome::FindingLevel::Info => "info",
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
