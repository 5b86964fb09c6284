//! Renderers: a finished [`Report`] to text. They format, never compute:
//! the gate's verdict arrives in `report.gate`, computed by [`crate::gate`].
//! Everything that comes from the target is escaped for the format.

mod badge;
mod catalogue;
mod diff;
mod error;
mod github;
mod html;
mod json;
mod junit;
mod markdown;
mod sarif;
mod table;

pub use badge::{badge, badge_color};
pub use catalogue::{catalogue_table, explain, explain_code};
pub use diff::{DiffFormat, render_diff};
pub use error::RenderError;
pub use github::{escape_data, escape_property, github};
pub use html::html;
pub use json::json;
pub use junit::junit;
pub use markdown::markdown;
pub use sarif::{FINGERPRINT_KEY, SARIF_SCHEMA_URI, sarif};
pub use table::{table, table_with};

use crate::model::outcome::Outcome;
use crate::report::Report;
use crate::report::gate::{GateResult, Verdict};

/// Output formats of `scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// A table for people (the default).
    Table,
    /// The JSON report (checks/schema/report.schema.json).
    Json,
    /// Markdown (for pull-request comments and job summaries).
    Markdown,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
    /// JUnit XML (CI test reports).
    Junit,
    /// One self-contained HTML page.
    Html,
    /// GitHub Actions workflow commands (`::error`/`::warning` annotations).
    Github,
}

/// How wide the table may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// At most this many columns (cells wrap).
    Columns(usize),
    /// No limit (`--wide`): cells never wrap.
    Unlimited,
}

/// How to render for people (the table; the other formats ignore it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions {
    /// ANSI colours.
    pub color: bool,
    /// List passing and skipped checks and every live probe, not only
    /// counts and the probes that decided a failure.
    pub verbose: bool,
    /// Width of the table.
    pub width: Width,
}

impl Default for RenderOptions {
    /// The full table, 120 columns wide, without colour.
    fn default() -> Self {
        RenderOptions {
            color: false,
            verbose: true,
            width: Width::Columns(120),
        }
    }
}

/// Render a report in a format. `color` only affects the table, which is
/// the full table at 120 columns (see [`render_with`]).
pub fn render(report: &Report, format: Format, color: bool) -> Result<String, RenderError> {
    render_with(
        report,
        format,
        &RenderOptions {
            color,
            ..RenderOptions::default()
        },
    )
}

/// Render a report in a format with the table's options.
pub fn render_with(
    report: &Report,
    format: Format,
    options: &RenderOptions,
) -> Result<String, RenderError> {
    match format {
        Format::Github => Ok(github(report)),
        Format::Table => Ok(table_with(report, options)),
        Format::Json => json(report),
        Format::Markdown => Ok(markdown(report)),
        Format::Sarif => sarif(report),
        Format::Junit => junit(report),
        Format::Html => Ok(html(report)),
    }
}

/// One line for `--quiet`: target, score, grade, level, gate and the
/// top fix, tab-free and terminal-safe.
pub fn quiet_line(report: &Report) -> String {
    let score = report
        .score
        .map_or_else(|| "—".to_string(), |s| format!("{s}/100"));
    let gate = report
        .gate
        .as_ref()
        .map_or("not gated", |g| g.verdict.as_str());
    let fix = report
        .top_fixes
        .first()
        .map_or_else(|| "none".to_string(), crate::report::TopFix::headline);
    terminal_line(&format!(
        "{}  score {score}  grade {}  level {}  gate {gate}  top fix: {fix}",
        report.target.url,
        report.grade.as_deref().unwrap_or("—"),
        report.level_text(),
    ))
}

/// Word-wrap one paragraph to `width` columns (characters; a word longer
/// than a line is cut), the first line prefixed by `first`, the others by
/// `rest`. `None` leaves the text on one line.
pub fn wrap(text: &str, width: Option<usize>, first: &str, rest: &str) -> Vec<String> {
    let Some(width) = width else {
        return vec![format!("{first}{text}")];
    };
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut len = first.chars().count();
    let mut empty = true;
    let indent = rest.chars().count();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        let sep = usize::from(!empty);
        if !empty && len + sep + word.len() > width {
            lines.push(std::mem::take(&mut line));
            line.push_str(rest);
            len = indent;
            empty = true;
        }
        if !empty {
            line.push(' ');
            len += 1;
        }
        // A word longer than the room left is cut across lines.
        while len + word.len() > width && width > len {
            let room = width - len;
            line.extend(word.drain(..room));
            lines.push(std::mem::take(&mut line));
            line.push_str(rest);
            len = indent;
        }
        len += word.len();
        line.extend(word);
        empty = false;
    }
    lines.push(line);
    lines
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

/// The name of an outcome, or "—" when absent.
pub(crate) fn outcome_name(o: Option<Outcome>) -> &'static str {
    o.map_or("—", Outcome::as_str)
}

/// Scopes shown per line of the classification summary, at most.
const SCOPES_PER_LINE: usize = 12;

/// One row of the client-compatibility matrix (`data.clients` of the
/// `client-compatibility` check): profile, outcome, reason, the exchange
/// that decided it, and the client choices that succeed.
#[derive(Debug, Clone)]
pub struct ClientRow {
    /// Profile id.
    pub profile: String,
    /// `connects`, `fails at step N`, or `not verified`.
    pub outcome: String,
    /// True when it connects.
    pub connects: Option<bool>,
    /// Why.
    pub reason: String,
    /// The deciding exchange.
    pub probe: Option<String>,
    /// Choices that succeed.
    pub choices: Vec<String>,
}

/// The client-compatibility matrix of a report, empty when the check did
/// not run.
pub fn client_rows(report: &crate::report::Report) -> Vec<ClientRow> {
    use serde_json::Value;
    let Some(list) = report
        .checks
        .iter()
        .find(|c| c.id == "client-compatibility")
        .and_then(|c| c.data.as_ref())
        .and_then(|d| d.get("clients"))
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|c| {
            let connects = c.get("connects").and_then(Value::as_bool);
            let outcome = match (connects, c.get("failed_step").and_then(Value::as_u64)) {
                (Some(true), _) => "connects".to_string(),
                (Some(false), Some(n)) => format!("fails at step {n}"),
                (Some(false), None) => "fails".to_string(),
                (None, _) => "not verified".to_string(),
            };
            Some(ClientRow {
                profile: c.get("profile")?.as_str()?.to_string(),
                outcome,
                connects,
                reason: c
                    .get("reason")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                probe: c.get("probe").and_then(Value::as_str).map(str::to_string),
                choices: c
                    .get("choices")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// One line per (class, source) of a check's `data.scopes`, in
/// class order: `write (name): files:write, notes:write`; a class only
/// assumed (`"assumed": true`) shows `assumed` as its source. Formatting
/// only: the classes were decided by the check.
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
        // A class assumed for a name that states no action is shown apart
        // from the classes the evidence states.
        let assumed = s.get("assumed").and_then(serde_json::Value::as_bool) == Some(true);
        let source = if assumed { "assumed" } else { source };
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
