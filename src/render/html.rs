//! One self-contained HTML page for a site owner: no external assets (no
//! fonts, scripts, images or style sheets fetched), score, grade and level
//! at a glance, the gate's verdict, the nine questions, the checks to fix
//! first with their findings, remediation, references and the requests that
//! show them (in `<details>`), then the passing and skipped checks and every
//! request sent. Everything from the report is HTML-escaped; links are made
//! only from catalogue references with an `https://` URL, never from what
//! the target sent.

use crate::model::outcome::{FindingLevel, Outcome};
use crate::report::gate::{ItemKind, Verdict};
use crate::report::level_name;
use crate::report::{CheckResult, ExchangeSummary, Report};
use std::fmt::Write as _;

/// Escape text for element content and quoted attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Controls and bidi overrides (which could make a URL read as
            // another) become U+FFFD.
            c if super::is_terminal_unsafe(c) && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Catalogue prose: escaped, then `code` spans become `<code>`.
fn prose(s: &str) -> String {
    let flat = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let escaped = esc(&flat);
    let mut out = String::new();
    for (i, part) in escaped.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

/// An `https://` link, or the escaped text when the URL is anything else.
fn link(title: &str, url: &str) -> String {
    if url.starts_with("https://") && !url.contains(char::is_whitespace) {
        format!(
            "<a href=\"{}\" rel=\"noopener noreferrer\">{}</a>",
            esc(url),
            esc(title)
        )
    } else {
        format!("{} ({})", esc(title), esc(url))
    }
}

fn outcome_class(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "pass",
        Outcome::Warn => "warn",
        Outcome::Fail => "fail",
        Outcome::Error => "error",
        Outcome::Info => "info",
        Outcome::Skip => "skip",
    }
}

fn answer_class(a: &str) -> &'static str {
    match a {
        "yes" => "pass",
        "partial" => "warn",
        "no" => "fail",
        _ => "skip",
    }
}

fn grade_class(g: Option<&str>) -> &'static str {
    match g {
        Some("A") => "pass",
        Some("B" | "C") => "warn",
        Some(_) => "fail",
        None => "skip",
    }
}

const STYLE: &str = r#"
:root { --fg:#1d2330; --muted:#5b6472; --bg:#f6f7f9; --card:#fff; --line:#e3e6eb;
  --pass:#116329; --pass-bg:#dff5e3; --warn:#7d4e00; --warn-bg:#fff4d1; --fail:#c62828; --fail-bg:#fde7e7;
  --skip:#4b5563; --skip-bg:#eef0f3; --info:#1f5fbf; --info-bg:#e3edfb; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color:var(--fg); background:var(--bg); }
main { max-width: 1040px; margin: 0 auto; padding: 28px 24px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 12px; }
code { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #eef0f3; padding: 1px 4px; border-radius: 4px; overflow-wrap: anywhere; }
a { color: #1f5fbf; }
.muted { color: var(--muted); }
.meta { color: var(--muted); font-size: 13px; word-break: break-all; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 16px 18px; }
.hero { display: grid; grid-template-columns: 140px 1fr; gap: 24px; align-items: center; margin-top: 12px; }
.score { width: 124px; height: 124px; border-radius: 50%; display: flex; flex-direction: column; align-items: center; justify-content: center; border: 9px solid var(--skip-bg); }
.score.pass { border-color: var(--pass); } .score.warn { border-color: #d4a72c; } .score.fail { border-color: var(--fail); }
.score b { font-size: 38px; line-height: 1; } .score span { color: var(--muted); font-size: 13px; }
.grade { display: inline-block; font-weight: 700; font-size: 20px; padding: 2px 12px; border-radius: 8px; margin-right: 10px; }
.ladder { display: grid; grid-template-columns: repeat(4, 1fr); gap: 6px; margin-top: 10px; }
.step { border-radius: 8px; padding: 8px 10px; background: var(--skip-bg); color: var(--muted); font-size: 13px; }
.step b { display: block; font-size: 14px; }
.step.reached { background: var(--pass-bg); color: var(--pass); }
.step.current { outline: 2px solid var(--pass); }
.step.zero { background: var(--fail-bg); color: var(--fail); outline-color: var(--fail); }
.banner { border-radius: 10px; padding: 12px 16px; margin-top: 18px; border: 1px solid; }
.banner.pass { background: var(--pass-bg); border-color: #9fd8ab; } .banner.fail { background: var(--fail-bg); border-color: #f3b4b4; } .banner.warn { background: var(--warn-bg); border-color: #ecd38a; }
.banner ul { margin: 6px 0 0; padding-left: 20px; }
.chip { display: inline-block; font-size: 12px; font-weight: 600; text-transform: uppercase; letter-spacing: .03em; padding: 2px 8px; border-radius: 999px; white-space: nowrap; }
.pass { color: var(--pass); } .chip.pass, .grade.pass { background: var(--pass-bg); color: var(--pass); }
.chip.warn, .grade.warn { background: var(--warn-bg); color: var(--warn); }
.chip.fail, .grade.fail, .chip.error { background: var(--fail-bg); color: var(--fail); }
.chip.skip, .grade.skip { background: var(--skip-bg); color: var(--skip); }
.chip.info { background: var(--info-bg); color: var(--info); }
.questions { display: grid; grid-template-columns: repeat(3, 1fr); gap: 10px; }
.q { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; display: flex; flex-direction: column; gap: 8px; }
.q .qid { color: var(--muted); font-size: 12px; font-weight: 700; }
.q p { margin: 0; flex: 1; font-weight: 500; }
.q .from { color: var(--muted); font-size: 12px; line-height: 1.4; }
.q .from a { color: var(--muted); }
.cats { display: grid; grid-template-columns: repeat(2, 1fr); gap: 6px 24px; }
.cat { display: grid; grid-template-columns: 190px 1fr 70px; gap: 10px; align-items: center; font-size: 14px; }
.bar { height: 8px; background: var(--skip-bg); border-radius: 4px; overflow: hidden; }
.bar i { display: block; height: 100%; background: var(--pass); }
.bar i.warn { background: #d4a72c; } .bar i.fail { background: var(--fail); }
details.check { background: var(--card); border: 1px solid var(--line); border-radius: 10px; margin-bottom: 10px; }
details.check > summary { cursor: pointer; list-style: none; padding: 12px 16px; display: grid; grid-template-columns: 70px 1fr auto; gap: 12px; align-items: center; }
details.check > summary::-webkit-details-marker { display: none; }
details.check > summary .title { font-weight: 600; }
details.check > summary .id { color: var(--muted); font-size: 13px; }
details.check[open] > summary { border-bottom: 1px solid var(--line); }
.body { padding: 12px 16px 16px 98px; }
.body h4 { margin: 14px 0 4px; font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.body ul { margin: 4px 0; padding-left: 18px; }
.body li { margin: 3px 0; word-break: break-word; }
table.ex { border-collapse: collapse; width: 100%; font-size: 13px; }
table.ex td, table.ex th { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
table.ex td.url { word-break: break-all; }
.group { margin-top: 8px; }
.group > summary { cursor: pointer; font-weight: 600; padding: 6px 0; }
.fixes { margin-top: 14px; padding-top: 12px; padding-bottom: 12px; }
.fixes h2 { margin: 0 0 8px; }
.fixes ol { margin: 0; padding-left: 22px; }
.fixes li { margin: 4px 0; overflow-wrap: anywhere; }
.fixes .gain { font-weight: 600; }
.fixes .action { color: var(--muted); font-size: 13px; line-height: 1.4; }
pre.fix { white-space: pre-wrap; overflow-wrap: anywhere; background: #eef0f3; padding: 8px 10px; border-radius: 6px; font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
footer { margin-top: 36px; color: var(--muted); font-size: 12px; }
@media (max-width: 760px) { main { padding: 20px 12px 36px; } .hero { grid-template-columns: 1fr; } .ladder { grid-template-columns: repeat(2, 1fr); } .questions, .cats { grid-template-columns: 1fr; } .cat { grid-template-columns: 1fr 1fr 70px; } .body { padding-left: 16px; } details.check > summary { grid-template-columns: 60px 1fr; } details.check > summary > .muted { display: none; } table.ex { table-layout: fixed; } table.ex td { overflow-wrap: anywhere; } }
"#;

fn exchanges_table(out: &mut String, xs: &[&ExchangeSummary]) {
    let _ = writeln!(
        out,
        "<table class=\"ex\"><tr><th>Request</th><th>URL</th><th>Answer</th><th>Time</th></tr>"
    );
    for x in xs {
        let answer = match (&x.status, &x.error) {
            (_, Some(e)) => format!("<span class=\"chip fail\">error</span> {}", esc(e)),
            (Some(s), None) => s.to_string(),
            (None, None) => "—".into(),
        };
        let mut probes = esc(&x.probe);
        if !x.aliases.is_empty() {
            let _ = write!(
                probes,
                " <span class=\"muted\">(also {})</span>",
                esc(&x.aliases.join(", "))
            );
        }
        let redirects = if x.redirects.is_empty() {
            String::new()
        } else {
            format!(
                "<br><span class=\"muted\">redirected via {}</span>",
                esc(&x.redirects.join(" → "))
            )
        };
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code> {probes}</td><td class=\"url\">{}{redirects}</td><td>{answer}</td><td>{} ms</td></tr>",
            esc(&x.method),
            esc(&x.url),
            x.elapsed_ms
        );
    }
    let _ = writeln!(out, "</table>");
}

fn check_details(out: &mut String, report: &Report, c: &CheckResult, open: bool) {
    let cls = outcome_class(c.outcome);
    let heading = if matches!(c.outcome, Outcome::Pass) {
        &c.title
    } else {
        &c.summary
    };
    let gate = report
        .gate
        .as_ref()
        .map(|g| {
            let accepted = if g.is_accepted(&c.id, None)
                && matches!(c.outcome, Outcome::Fail | Outcome::Warn | Outcome::Error)
            {
                " · accepted by the baseline"
            } else {
                ""
            };
            format!(" · gate level {}{accepted}", g.level(&c.id).as_str())
        })
        .unwrap_or_default();
    let expected = if !matches!(c.outcome, Outcome::Pass) && c.summary != *c.title {
        format!("<br><span class=\"id\">Expected: {}</span>", esc(&c.title))
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "<details class=\"check\" id=\"check-{id}\"{open}><summary><span class=\"chip {cls}\">{outcome}</span><span><span class=\"title\">{heading}</span>{expected}<br><span class=\"id\"><code>{id}</code> · {cat} · {sev} severity · weight {w}{gate}</span></span><span class=\"muted\">{q}</span></summary><div class=\"body\">",
        id = esc(&c.id),
        open = if open { " open" } else { "" },
        outcome = c.outcome.as_str(),
        heading = esc(heading),
        cat = esc(&c.category),
        sev = esc(&c.severity),
        w = c.weight,
        q = esc(c.question.as_deref().unwrap_or("")),
    );
    if !c.findings.is_empty() {
        let _ = writeln!(out, "<h4>Findings</h4><ul>");
        for f in &c.findings {
            let level = match f.level {
                FindingLevel::Fail => "fail",
                FindingLevel::Warn => "warn",
                FindingLevel::Info => "info",
            };
            let _ = writeln!(
                out,
                "<li><span class=\"chip {level}\">{level}</span> <code>{}</code> {}</li>",
                esc(&f.code),
                esc(&f.message)
            );
        }
        let _ = writeln!(out, "</ul>");
    }
    if let Some(fix) = &c.remediation_for_site {
        let _ = writeln!(
            out,
            "<h4>Fix for this site</h4><pre class=\"fix\">{}</pre>",
            esc(fix)
        );
    }
    if matches!(c.outcome, Outcome::Fail | Outcome::Warn | Outcome::Error)
        && !c.remediation.is_empty()
    {
        let _ = writeln!(out, "<h4>How to fix</h4><p>{}</p>", prose(&c.remediation));
    }
    if !c.references.is_empty() {
        let _ = writeln!(out, "<h4>References</h4><ul>");
        for r in &c.references {
            let _ = writeln!(out, "<li>{}</li>", link(&r.title, &r.url));
        }
        let _ = writeln!(out, "</ul>");
    }
    let xs: Vec<&ExchangeSummary> = report
        .exchanges
        .iter()
        .filter(|x| {
            c.evidence
                .iter()
                .any(|p| *p == x.probe || x.aliases.contains(p))
        })
        .collect();
    if !xs.is_empty() {
        let _ = writeln!(out, "<h4>Evidence: the requests this verdict rests on</h4>");
        exchanges_table(out, &xs);
    }
    let _ = writeln!(out, "</div></details>");
}

/// The top fixes, right under the score: what each gains and what to do,
/// each linking to its check.
fn top_fixes(out: &mut String, report: &Report) {
    if report.top_fixes.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<section class=\"card fixes\" id=\"top-fixes\"><h2>Top fixes</h2><ol>"
    );
    for f in &report.top_fixes {
        let _ = writeln!(
            out,
            "<li><a href=\"#check-{id}\"><b>fix <code>{id}</code></b></a> <span class=\"chip {cls}\">{outcome}</span> <span class=\"gain\">{gain}</span><div class=\"action\">{action}</div></li>",
            id = esc(&f.check),
            cls = outcome_class(f.outcome),
            outcome = f.outcome.as_str(),
            gain = esc(&f.gain_text()),
            action = match report.check(&f.check) {
                // The catalogue's prose keeps its code spans; a fix written
                // for the site quotes what the target sent.
                Some(c) if c.remediation_for_site.is_none() => prose(&f.action),
                _ => esc(&f.action),
            },
        );
    }
    let _ = writeln!(out, "</ol></section>");
}

/// Render a report as one self-contained HTML page.
pub fn html(report: &Report) -> String {
    let mut out = String::new();
    let grade = report.grade.as_deref();
    let score_cls = grade_class(grade);
    let _ = writeln!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n<title>agentready: {}</title>\n<style>{STYLE}</style></head><body><main>",
        esc(&report.target.url)
    );
    let _ = writeln!(
        out,
        "<h1>Can an AI agent authenticate to <code>{}</code>?</h1>",
        esc(&report.target.url)
    );
    let _ = writeln!(
        out,
        "<div class=\"meta\">Scanned {} · {} mode · {} in {} ms · agentready {} (scoring algorithm {})</div>",
        esc(&report.started_at),
        esc(&report.mode),
        crate::report::count(report.requests_total, "request", "requests"),
        report.duration_ms,
        esc(&report.tool.version),
        esc(&report.algorithm_version)
    );

    // At a glance.
    let score = report.score.map_or_else(|| "—".into(), |s| s.to_string());
    let _ = writeln!(
        out,
        "<section class=\"hero\"><div class=\"score {score_cls}\"><b>{score}</b><span>out of 100</span></div><div>"
    );
    let _ = writeln!(
        out,
        "<div><span class=\"grade {score_cls}\">Grade {}</span><b>Level {}</b></div>",
        esc(grade.unwrap_or("—")),
        match report.level {
            Some(l) => format!(
                "{l} · {}",
                esc(report.level_name.as_deref().unwrap_or(level_name(l)))
            ),
            None => "— · not established".to_string(),
        }
    );
    let blurbs = [
        "no auth surface an agent can find",
        "authorization-server or resource metadata found",
        "PKCE S256, a browserless grant and revocation",
        "agent registration and least-privilege, progressive scopes",
    ];
    let _ = writeln!(out, "<div class=\"ladder\">");
    for (l, blurb) in blurbs.iter().enumerate() {
        let l8 = u8::try_from(l).unwrap_or(u8::MAX);
        // A null level marks no step: nothing was established.
        let cls = match report.level.map(|r| l8.cmp(&r)) {
            Some(std::cmp::Ordering::Less) => "step reached",
            Some(std::cmp::Ordering::Equal) if l8 == 0 => "step current zero",
            Some(std::cmp::Ordering::Equal) => "step reached current",
            Some(std::cmp::Ordering::Greater) | None => "step",
        };
        let _ = writeln!(
            out,
            "<div class=\"{cls}\"><b>{l} {}</b>{blurb}</div>",
            level_name(l8)
        );
    }
    let _ = writeln!(out, "</div>");
    for cap in &report.score_caps {
        let _ = writeln!(
            out,
            "<p class=\"muted\">Score capped at {}: {}</p>",
            cap.max,
            esc(&cap.reason)
        );
    }
    let _ = writeln!(out, "</div></section>");
    top_fixes(&mut out, report);

    if let Some(e) = &report.error {
        let _ = writeln!(
            out,
            "<div class=\"banner warn\"><b>The scan is incomplete.</b> {}</div>",
            esc(e)
        );
    }
    if let Some(g) = &report.gate {
        let cls = match g.verdict {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Incomplete => "warn",
        };
        let _ = writeln!(
            out,
            "<div class=\"banner {cls}\"><b>{}</b>",
            esc(&super::gate_headline(g))
        );
        if !g.failures.is_empty() {
            let _ = writeln!(out, "<ul>");
            for f in &g.failures {
                let _ = writeln!(out, "<li>{}</li>", esc(&f.message));
            }
            let _ = writeln!(out, "</ul>");
        }
        let notes: Vec<&str> = g
            .warnings
            .iter()
            .filter(|w| w.kind == ItemKind::Note)
            .map(|w| w.message.as_str())
            .collect();
        for n in notes {
            let _ = writeln!(out, "<div class=\"muted\">Note: {}</div>", esc(n));
        }
        let _ = writeln!(out, "</div>");
    }

    // The nine questions.
    let _ = writeln!(out, "<h2>The nine questions</h2><div class=\"questions\">");
    for q in &report.questions {
        let checks: Vec<String> = q
            .checks
            .iter()
            .map(|c| format!("<a href=\"#check-{0}\">{0}</a>", esc(c)))
            .collect();
        let _ = writeln!(
            out,
            "<div class=\"q\"><span class=\"qid\">{}</span><p>{}</p><div><span class=\"chip {}\">{}</span></div><div class=\"from\">answered by {}</div></div>",
            esc(&q.id),
            esc(&q.text),
            answer_class(&q.answer),
            esc(&q.answer),
            checks.join(" ")
        );
    }
    let _ = writeln!(out, "</div>");

    // Categories.
    let _ = writeln!(out, "<h2>Categories</h2><div class=\"card cats\">");
    for c in &report.categories {
        let (label, width, cls) = match (c.incomplete, c.score) {
            (true, _) => ("incomplete".to_string(), 0, "fail"),
            (false, Some(s)) => (
                format!("{s}/100"),
                s,
                if s >= 80 {
                    ""
                } else if s >= 50 {
                    "warn"
                } else {
                    "fail"
                },
            ),
            (false, None) => ("not scored".to_string(), 0, ""),
        };
        let _ = writeln!(
            out,
            "<div class=\"cat\"><span>{}</span><div class=\"bar\"><i class=\"{cls}\" style=\"width:{width}%\"></i></div><span class=\"muted\">{label}</span></div>",
            esc(&c.title)
        );
    }
    let _ = writeln!(out, "</div>");

    // Which clients can connect.
    let clients = super::client_rows(report);
    if !clients.is_empty() {
        let _ = writeln!(
            out,
            "<h2>Client compatibility</h2><div class=\"card\"><table class=\"ex\"><tr><th>Client</th><th>Outcome</th><th>Why</th><th>Exchange</th></tr>"
        );
        for c in &clients {
            let cls = match c.connects {
                Some(true) => "pass",
                Some(false) => "fail",
                None => "skip",
            };
            let choices = if c.choices.is_empty() {
                String::new()
            } else {
                format!(
                    "<br><span class=\"muted\">choices: {}</span>",
                    esc(&c.choices.join("; "))
                )
            };
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td><span class=\"{cls}\">{}</span></td><td>{}{choices}</td><td><code>{}</code></td></tr>",
                esc(&c.profile),
                esc(&c.outcome),
                esc(&c.reason),
                esc(c.probe.as_deref().unwrap_or_default())
            );
        }
        let _ = writeln!(out, "</table></div>");
    }

    // Checks: what to fix in the order that matters (gate level,
    // severity, outcome), then what passes, then what was not judged.
    let groups: [(&str, Vec<&CheckResult>, bool); 3] = [
        ("What to fix", report.checks_to_fix(), true),
        (
            "What passes",
            [Outcome::Pass, Outcome::Info]
                .iter()
                .flat_map(|o| report.checks.iter().filter(move |c| c.outcome == *o))
                .collect(),
            false,
        ),
        (
            "Not applicable or not checked yet",
            report
                .checks
                .iter()
                .filter(|c| c.outcome == Outcome::Skip)
                .collect(),
            false,
        ),
    ];
    for (title, checks, open) in groups {
        if checks.is_empty() {
            if open {
                let _ = writeln!(out, "<h2>{title}</h2><p>Nothing fails or warns.</p>");
            }
            continue;
        }
        if open {
            let _ = writeln!(
                out,
                "<h2>{title} ({})</h2><p class=\"muted\">What fails the gate first, then by severity. Open a check for its findings, the fix, the spec sections and the requests that show it.</p>",
                checks.len()
            );
            for (i, c) in checks.into_iter().enumerate() {
                check_details(&mut out, report, c, i == 0);
            }
        } else {
            let _ = writeln!(
                out,
                "<details class=\"group\"><summary>{title} ({})</summary>",
                checks.len()
            );
            for c in checks {
                if c.outcome == Outcome::Skip {
                    let _ = writeln!(
                        out,
                        "<div class=\"meta\" id=\"check-{0}\"><code>{0}</code> {1} — {2}</div>",
                        esc(&c.id),
                        esc(&c.title),
                        esc(&c.summary)
                    );
                } else {
                    check_details(&mut out, report, c, false);
                }
            }
            let _ = writeln!(out, "</details>");
        }
    }

    let all: Vec<&ExchangeSummary> = report.exchanges.iter().collect();
    let _ = writeln!(
        out,
        "<details class=\"group\"><summary>Every request sent ({})</summary>",
        all.len()
    );
    exchanges_table(&mut out, &all);
    let _ = writeln!(out, "</details>");
    let _ = writeln!(
        out,
        "<footer>agentready {} · report schema {} · scoring algorithm {}. Safe mode sends only GETs and requests designed to be rejected. Run <code>agentready explain &lt;check&gt;</code> for the rationale of a check.</footer>",
        esc(&report.tool.version),
        esc(&report.schema_version),
        esc(&report.algorithm_version)
    );
    let _ = writeln!(out, "</main></body></html>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(
            esc("<script>alert(\"x\")</script>&'"),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"
        );
        assert_eq!(
            prose("add `\"S256\"` to <metadata>"),
            "add <code>&quot;S256&quot;</code> to &lt;metadata&gt;"
        );
        assert_eq!(link("x", "javascript:alert(1)"), "x (javascript:alert(1))");
        // Controls and bidi overrides (a URL that reads backwards).
        assert_eq!(
            esc("https://a.example/\u{202e}gpj.exe\u{1b}[2J\u{9b}"),
            "https://a.example/\u{fffd}gpj.exe\u{fffd}[2J\u{fffd}"
        );
        assert_eq!(
            super::super::md_escape("a\u{202e}b\u{1b}c\u{2066}d"),
            "abcd"
        );
        assert!(
            link("RFC", "https://www.rfc-editor.org/rfc/rfc8414").starts_with("<a href=\"https://")
        );
    }
}
