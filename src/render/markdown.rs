//! Markdown, for pull-request comments and job summaries.

use super::{gate_headline, headline, md_code, md_escape, scope_lines};
use crate::model::outcome::Outcome;
use crate::report::Report;
use crate::report::gate::Verdict;
use std::fmt::Write as _;

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

/// The top fixes, numbered: "**fix `x`**: +12 points, unlocks level 2
/// (browserless) — what to do".
fn top_fixes(out: &mut String, report: &Report) {
    if report.top_fixes.is_empty() {
        return;
    }
    let _ = writeln!(out, "### Top fixes\n");
    for (i, f) in report.top_fixes.iter().enumerate() {
        let _ = writeln!(
            out,
            "{}. **fix {}** ({}, {} severity): {} — {}",
            i + 1,
            md_code(&f.check),
            f.outcome.as_str(),
            md_escape(&f.severity),
            md_escape(&f.gain_text()),
            action(report, f)
        );
    }
    out.push('\n');
}

/// A top fix's action: the catalogue's prose keeps its code spans; a
/// fix written for the site (it quotes what the target sent) is escaped.
fn action(report: &Report, f: &crate::report::TopFix) -> String {
    match report.check(&f.check) {
        Some(c) if c.remediation_for_site.is_none() => md_prose(&f.action),
        _ => md_escape(&f.action),
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
        "**{}** · {} mode · {} · agentready {}\n",
        headline(report),
        report.mode,
        crate::report::count(report.requests_total, "request", "requests"),
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
            let n = b.accepted.len();
            let _ = writeln!(
                out,
                "{n} known {} accepted by the baseline.\n",
                crate::report::plural(n, "failure", "failures")
            );
        }
    }
    if let Some(e) = &report.error {
        let _ = writeln!(out, "> Scan incomplete: {}\n", md_escape(e));
    }
    top_fixes(&mut out, report);
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
    let clients = super::client_rows(report);
    if !clients.is_empty() {
        let _ = writeln!(
            out,
            "\n### Client compatibility\n\n| Client | Outcome | Why | Exchange |\n|---|---|---|---|"
        );
        for c in &clients {
            let mark = match c.connects {
                Some(true) => "✅",
                Some(false) => "❌",
                None => "❔",
            };
            let mut why = md_escape(&c.reason);
            if !c.choices.is_empty() {
                let _ = write!(why, "<br>choices: {}", md_escape(&c.choices.join("; ")));
            }
            let _ = writeln!(
                out,
                "| {} | {mark} {} | {why} | {} |",
                md_code(&c.profile),
                md_escape(&c.outcome),
                c.probe.as_deref().map(md_code).unwrap_or_default()
            );
        }
    }
    let problems: Vec<&crate::report::CheckResult> = report.checks_to_fix();
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
        if let Some(fix) = &c.remediation_for_site {
            let _ = writeln!(out, "\n**Fix for this site:** {}", md_escape(fix));
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
        for line in scope_lines(c) {
            let _ = write!(finding, "<br>{}", md_escape(&line));
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            c.outcome.as_str(),
            md_code(&c.id),
            finding
        );
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
