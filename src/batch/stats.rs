//! `agentready stats`: adoption statistics over a results file, read as a
//! stream (memory is bounded by the catalogue, not by the file).
//!
//! Per check, the share of reports with each outcome; per question, the
//! share of each answer; the score histogram (tens, and `null` for
//! incomplete scans); levels and grades; and why scans were incomplete
//! (an unreachable or incomplete target is counted in rows of its own,
//! never in a level or an answer)
//! (for an unreachable target, the kind of its first failed request:
//! `dns`, `connect`, `tls`, `timeout`, `robots`, `excluded`,
//! `host-skipped`, …; for a reachable one, `check-error`).

use super::error::InputError;
use comfy_table::{ContentArrangement, Table, presets};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::BufRead;

/// Outcomes in the order they are shown.
pub const OUTCOMES: [&str; 6] = ["pass", "warn", "fail", "skip", "error", "info"];
/// Answers in the order they are shown.
pub const ANSWERS: [&str; 4] = ["yes", "partial", "no", "unknown"];
/// Level names, 0 to 3.
pub const LEVELS: [&str; 4] = ["invisible", "discoverable", "browserless", "agent-native"];
/// The rows of the levels that are not a level: a complete scan whose
/// level-1 checks did not run, an incomplete scan, an unreachable target.
pub const NO_LEVEL: [&str; 3] = ["not-established", "incomplete", "unreachable"];

/// What a row of the levels means: the level's name, or why there is none.
pub fn level_label(key: &str) -> &'static str {
    match key {
        "0" => LEVELS[0],
        "1" => LEVELS[1],
        "2" => LEVELS[2],
        "3" => LEVELS[3],
        "not-established" => "level-1 checks not run",
        "incomplete" => "scan incomplete",
        "unreachable" => "target unreachable",
        _ => "",
    }
}
/// Grades in the order they are shown.
pub const GRADES: [&str; 5] = ["A", "B", "C", "D", "F"];

#[derive(Deserialize)]
struct LineReport {
    score: Option<u32>,
    grade: Option<String>,
    #[serde(default)]
    level: Option<u8>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    categories: Vec<LineCategory>,
    #[serde(default)]
    questions: Vec<LineQuestion>,
    #[serde(default)]
    checks: Vec<LineCheck>,
    #[serde(default)]
    exchanges: Vec<LineExchange>,
}

#[derive(Deserialize)]
struct LineCategory {
    incomplete: bool,
}

#[derive(Deserialize)]
struct LineQuestion {
    id: String,
    #[serde(default)]
    text: String,
    answer: String,
}

#[derive(Deserialize)]
struct LineCheck {
    id: String,
    #[serde(default)]
    title: String,
    outcome: String,
}

#[derive(Deserialize)]
struct LineExchange {
    #[serde(default)]
    error: Option<String>,
}

/// A count and its share of a whole.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Share {
    /// How many.
    pub count: u64,
    /// `count / whole`, 0 when the whole is 0 (rounded to 4 decimals).
    pub share: f64,
}

/// A distribution in JSON: an array of `{"key", "count", "share"}`
/// objects, in the order the table shows them (levels 0–3, grades A–F,
/// score buckets; outcomes and answers by name). Every distribution of
/// `stats --format json` has this one form.
fn keyed<S: serde::Serializer>(items: &[(String, Share)], s: S) -> Result<S::Ok, S::Error> {
    keyed_seq(items.iter().map(|(k, v)| (k, v)), s)
}

/// [`keyed`] for a map (in key order).
fn keyed_map<S: serde::Serializer>(
    items: &BTreeMap<String, Share>,
    s: S,
) -> Result<S::Ok, S::Error> {
    keyed_seq(items.iter(), s)
}

fn keyed_seq<'a, S, I>(items: I, s: S) -> Result<S::Ok, S::Error>
where
    S: serde::Serializer,
    I: Iterator<Item = (&'a String, &'a Share)>,
{
    #[derive(Serialize)]
    struct Keyed<'a> {
        key: &'a str,
        count: u64,
        share: f64,
    }
    s.collect_seq(items.map(|(k, v)| Keyed {
        key: k,
        count: v.count,
        share: v.share,
    }))
}

fn share(count: u64, whole: u64) -> Share {
    let s = if whole == 0 {
        0.0
    } else {
        count as f64 / whole as f64
    };
    Share {
        count,
        share: (s * 10_000.0).round() / 10_000.0,
    }
}

/// One check across the reports.
#[derive(Debug, Clone, Serialize)]
pub struct CheckStats {
    /// Check id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Reports that ran it.
    pub reports: u64,
    /// Outcome → share of `reports`.
    #[serde(serialize_with = "keyed_map")]
    pub outcomes: BTreeMap<String, Share>,
}

/// One question across the reports.
#[derive(Debug, Clone, Serialize)]
pub struct QuestionStats {
    /// `Q1` … `Q9`.
    pub id: String,
    /// The question.
    pub text: String,
    /// Reports that answered it.
    pub reports: u64,
    /// Answer → share of `reports`.
    #[serde(serialize_with = "keyed_map")]
    pub answers: BTreeMap<String, Share>,
}

/// The statistics of one or more results files.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    /// Lines read.
    pub lines: u64,
    /// Reports among them.
    pub reports: u64,
    /// Lines that are not reports (skipped).
    pub unparseable_lines: u64,
    /// A file's last line was torn (a run died while writing it;
    /// `--resume` drops it).
    pub torn_last_line: bool,
    /// Complete reports.
    pub complete: Share,
    /// Incomplete reports (score withheld), unreachable included.
    pub incomplete: Share,
    /// Unreachable targets.
    pub unreachable: Share,
    /// Level number (`0`–`3`), or `not-established`, `incomplete`,
    /// `unreachable` → share of reports. An incomplete or unreachable
    /// report is counted in its own row only, whatever level it says.
    #[serde(serialize_with = "keyed")]
    pub levels: Vec<(String, Share)>,
    /// Grade → share of reports (`null` for incomplete scans).
    #[serde(serialize_with = "keyed")]
    pub grades: Vec<(String, Share)>,
    /// Score bucket (`0-9` … `90-100`, `null`) → share of reports.
    #[serde(serialize_with = "keyed")]
    pub scores: Vec<(String, Share)>,
    /// Per question, over the complete reports (an incomplete or
    /// unreachable target answers nothing).
    pub questions: Vec<QuestionStats>,
    /// Per check, in catalogue order, over the reachable targets.
    pub checks: Vec<CheckStats>,
    /// Why scans were incomplete → share of reports.
    #[serde(serialize_with = "keyed")]
    pub error_causes: Vec<(String, Share)>,
    /// Requests agentready chose not to send, by reason (`robots`,
    /// `excluded`, `host-skipped`) → count over all reports.
    pub not_sent: BTreeMap<String, u64>,
}

#[derive(Default)]
struct Acc {
    lines: u64,
    reports: u64,
    unparseable: u64,
    torn: bool,
    incomplete: u64,
    unreachable: u64,
    levels: [u64; 4],
    /// Complete reports without a level, incomplete, unreachable.
    no_level: [u64; 3],
    grades: BTreeMap<String, u64>,
    scores: [u64; 11],
    questions: Vec<(String, String, u64, BTreeMap<String, u64>)>,
    checks: Vec<(String, String, u64, BTreeMap<String, u64>)>,
    causes: BTreeMap<String, u64>,
    not_sent: BTreeMap<String, u64>,
}

fn slot<'a>(
    v: &'a mut Vec<(String, String, u64, BTreeMap<String, u64>)>,
    id: &str,
    text: &str,
) -> &'a mut (String, String, u64, BTreeMap<String, u64>) {
    let i = match v.iter().position(|(i, ..)| i == id) {
        Some(i) => i,
        None => {
            v.push((id.to_string(), text.to_string(), 0, BTreeMap::new()));
            v.len() - 1
        }
    };
    &mut v[i]
}

fn kind_of(error: &str) -> &str {
    error.split_once(':').map_or(error, |(k, _)| k).trim()
}

impl Acc {
    fn add(&mut self, r: LineReport) {
        self.reports += 1;
        let unreachable = r.error.is_some();
        let incomplete = unreachable || r.categories.iter().any(|c| c.incomplete);
        // An incomplete or unreachable target has no level and answers no
        // question, whatever an older line says: it has rows of its own.
        match (unreachable, incomplete, r.level) {
            (true, _, _) => self.no_level[2] += 1,
            (_, true, _) => self.no_level[1] += 1,
            (_, _, Some(l)) => self.levels[usize::from(l.min(3))] += 1,
            (_, _, None) => self.no_level[0] += 1,
        }
        *self
            .grades
            .entry(r.grade.unwrap_or_else(|| "null".into()))
            .or_default() += 1;
        let bucket = r.score.map_or(10, |s| (s.min(100) / 10).min(9) as usize);
        self.scores[bucket] += 1;
        if !incomplete {
            for q in r.questions {
                let s = slot(&mut self.questions, &q.id, &q.text);
                s.2 += 1;
                *s.3.entry(q.answer).or_default() += 1;
            }
        }
        let mut check_error = false;
        for c in r.checks {
            check_error |= c.outcome == "error";
            if unreachable {
                continue;
            }
            let s = slot(&mut self.checks, &c.id, &c.title);
            s.2 += 1;
            *s.3.entry(c.outcome).or_default() += 1;
        }
        for x in &r.exchanges {
            if let Some(e) = &x.error {
                let k = kind_of(e);
                if super::polite::NOT_SENT_KINDS.contains(&k) {
                    *self.not_sent.entry(k.to_string()).or_default() += 1;
                }
            }
        }
        if incomplete {
            self.incomplete += 1;
            let cause = if unreachable {
                self.unreachable += 1;
                r.exchanges
                    .iter()
                    .find_map(|x| x.error.as_deref())
                    .map_or("unreachable", kind_of)
                    .to_string()
            } else if check_error {
                "check-error".to_string()
            } else {
                "incomplete".to_string()
            };
            *self.causes.entry(cause).or_default() += 1;
        }
    }

    fn finish(self) -> Stats {
        let n = self.reports;
        let named = |counts: &BTreeMap<String, u64>, order: &[&str], whole: u64| {
            let mut out: BTreeMap<String, Share> = BTreeMap::new();
            for k in order {
                out.insert(
                    (*k).to_string(),
                    share(counts.get(*k).copied().unwrap_or(0), whole),
                );
            }
            for (k, c) in counts {
                out.entry(k.clone()).or_insert_with(|| share(*c, whole));
            }
            out
        };
        let mut grades: Vec<(String, Share)> = GRADES
            .iter()
            .chain(std::iter::once(&"null"))
            .map(|g| {
                (
                    (*g).to_string(),
                    share(self.grades.get(*g).copied().unwrap_or(0), n),
                )
            })
            .collect();
        for (g, c) in &self.grades {
            if !grades.iter().any(|(k, _)| k == g) {
                grades.push((g.clone(), share(*c, n)));
            }
        }
        let mut causes: Vec<(String, Share)> = self
            .causes
            .iter()
            .map(|(k, c)| (k.clone(), share(*c, n)))
            .collect();
        causes.sort_by(|a, b| b.1.count.cmp(&a.1.count).then_with(|| a.0.cmp(&b.0)));
        let mut questions: Vec<QuestionStats> = self
            .questions
            .iter()
            .map(|(id, text, reports, counts)| QuestionStats {
                id: id.clone(),
                text: text.clone(),
                reports: *reports,
                answers: named(counts, &ANSWERS, *reports),
            })
            .collect();
        questions.sort_by_key(|q| {
            q.id.trim_start_matches('Q')
                .parse::<u32>()
                .unwrap_or(u32::MAX)
        });
        Stats {
            lines: self.lines,
            reports: n,
            unparseable_lines: self.unparseable,
            torn_last_line: self.torn,
            complete: share(n - self.incomplete, n),
            incomplete: share(self.incomplete, n),
            unreachable: share(self.unreachable, n),
            levels: self
                .levels
                .iter()
                .enumerate()
                .map(|(i, c)| (i.to_string(), share(*c, n)))
                .chain(
                    NO_LEVEL
                        .iter()
                        .zip(self.no_level)
                        .map(|(k, c)| ((*k).to_string(), share(c, n))),
                )
                .collect(),
            grades,
            scores: self
                .scores
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let label = match i {
                        9 => "90-100".to_string(),
                        10 => "null".to_string(),
                        _ => format!("{}-{}", i * 10, i * 10 + 9),
                    };
                    (label, share(*c, n))
                })
                .collect(),
            questions,
            checks: self
                .checks
                .iter()
                .map(|(id, title, reports, counts)| CheckStats {
                    id: id.clone(),
                    title: title.clone(),
                    reports: *reports,
                    outcomes: named(counts, &OUTCOMES, *reports),
                })
                .collect(),
            error_causes: causes,
            not_sent: self.not_sent,
        }
    }
}

/// Read a results file (JSONL) and compute its statistics. Lines that are
/// not reports are counted and skipped; only a read error fails.
pub fn compute(input: impl BufRead) -> std::io::Result<Stats> {
    let mut c = Collector::default();
    c.read(input)?;
    Ok(c.finish())
}

/// Longest results line read (a report line is 50–100 KB): a longer one
/// is not a report agentready wrote, and is counted and skipped without
/// being kept in memory.
pub const MAX_REPORT_LINE: usize = 32 << 20;

/// Statistics over several results files read in turn (the shards of one
/// run): one set of figures, as if the files were one, except that each
/// file's own last line may be torn (concatenating the files first would
/// glue a torn line to the next file's first report and lose both).
#[derive(Default)]
pub struct Collector {
    acc: Acc,
    buf: Vec<u8>,
}

impl Collector {
    /// Add one results file. Lines that are not reports are counted and
    /// skipped; only a read error fails.
    pub fn read(&mut self, mut input: impl BufRead) -> std::io::Result<()> {
        while let Some(line) =
            super::input::read_line_capped(&mut input, &mut self.buf, MAX_REPORT_LINE)?
        {
            if !line.overflow && self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            self.acc.lines += 1;
            match serde_json::from_slice::<LineReport>(&self.buf) {
                Ok(r) if !line.overflow => self.acc.add(r),
                _ if !line.complete => self.acc.torn = true,
                _ => self.acc.unparseable += 1,
            }
        }
        Ok(())
    }

    /// The statistics of everything read.
    pub fn finish(self) -> Stats {
        self.acc.finish()
    }
}

fn pct(s: Share) -> String {
    format!("{:.1}%", s.share * 100.0)
}

fn cell(s: Share) -> String {
    format!("{} ({})", pct(s), s.count)
}

/// The statistics as tables for people.
///
/// Results files are data: every text taken from them (check ids, question
/// texts, causes) is passed through [`crate::render::terminal_line`].
pub fn table(s: &Stats, source: &str) -> String {
    let t = |x: &str| crate::render::terminal_line(x);
    let source = t(source);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "agentready stats — {source}: {} reports; {} complete, {} incomplete ({} unreachable)",
        s.reports,
        cell(s.complete),
        cell(s.incomplete),
        s.unreachable.count
    );
    if s.unparseable_lines > 0 || s.torn_last_line {
        let _ = writeln!(
            out,
            "skipped: {} lines that are not reports{}",
            s.unparseable_lines,
            if s.torn_last_line {
                ", and a torn last line (rerun the batch with --resume to complete it)"
            } else {
                ""
            }
        );
    }
    let bar = |sh: Share| "█".repeat((sh.share * 40.0).round() as usize);
    out.push_str("\nLevels\n");
    for (l, sh) in &s.levels {
        let label = if l.len() == 1 {
            format!("{l} {}", level_label(l))
        } else {
            level_label(l).to_string()
        };
        let _ = writeln!(out, "  {label:<22} {:>14}  {}", cell(*sh), bar(*sh));
    }
    out.push_str("\nGrades\n");
    for (g, sh) in &s.grades {
        let _ = writeln!(out, "  {:<15} {:>14}  {}", t(g), cell(*sh), bar(*sh));
    }
    out.push_str("\nScores\n");
    for (b, sh) in &s.scores {
        let _ = writeln!(out, "  {b:<15} {:>14}  {}", cell(*sh), bar(*sh));
    }

    let mut q = Table::new();
    q.load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(120);
    let mut head = vec!["question".to_string(), "reports".to_string()];
    head.extend(ANSWERS.iter().map(|a| (*a).to_string()));
    q.set_header(head);
    for qs in &s.questions {
        let mut row = vec![
            format!("{} {}", t(&qs.id), t(&qs.text)),
            qs.reports.to_string(),
        ];
        row.extend(
            ANSWERS
                .iter()
                .map(|a| qs.answers.get(*a).map_or_else(String::new, |x| pct(*x))),
        );
        q.add_row(row);
    }
    let _ = write!(out, "\nQuestions\n{q}\n");

    let mut c = Table::new();
    c.load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(120);
    let mut head = vec!["check".to_string(), "reports".to_string()];
    head.extend(OUTCOMES.iter().map(|o| (*o).to_string()));
    c.set_header(head);
    for cs in &s.checks {
        let mut row = vec![t(&cs.id), cs.reports.to_string()];
        row.extend(
            OUTCOMES
                .iter()
                .map(|o| cs.outcomes.get(*o).map_or_else(String::new, |x| pct(*x))),
        );
        c.add_row(row);
    }
    let _ = write!(out, "\nChecks\n{c}\n");

    out.push_str("\nWhy scans were incomplete\n");
    if s.error_causes.is_empty() {
        out.push_str("  (every scan was complete)\n");
    }
    for (k, sh) in &s.error_causes {
        let _ = writeln!(out, "  {:<15} {:>14}", t(k), cell(*sh));
    }
    if !s.not_sent.is_empty() {
        out.push_str("\nRequests not sent (politeness)\n");
        for (k, n) in &s.not_sent {
            let _ = writeln!(out, "  {:<15} {n:>8}", t(k));
        }
    }
    out
}

/// The statistics as JSON.
pub fn json(s: &Stats) -> Result<String, InputError> {
    serde_json::to_string_pretty(s)
        .map(|mut t| {
            t.push('\n');
            t
        })
        .map_err(InputError::StatsJson)
}

/// One CSV cell (RFC 4180 quoting). A cell that a spreadsheet would read
/// as a formula — starting with `=`, `+`, `-`, `@`, a tab or a carriage
/// return (OWASP's CSV injection list) — gets a leading `'`, which
/// spreadsheets show as text: keys come from results files, which come
/// from the sites scanned.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// The statistics as CSV, one row per figure:
/// `section,key,value,count,share`.
pub fn csv(s: &Stats) -> String {
    let mut out = String::from("section,key,value,count,share\n");
    let mut row = |section: &str, key: &str, value: &str, sh: Share| {
        let _ = writeln!(
            out,
            "{section},{},{},{},{}",
            csv_field(key),
            csv_field(value),
            sh.count,
            sh.share
        );
    };
    row("reports", "all", "", share(s.reports, s.reports));
    row("reports", "complete", "", s.complete);
    row("reports", "incomplete", "", s.incomplete);
    row("reports", "unreachable", "", s.unreachable);
    for (l, sh) in &s.levels {
        row("level", l, level_label(l), *sh);
    }
    for (g, sh) in &s.grades {
        row("grade", g, "", *sh);
    }
    for (b, sh) in &s.scores {
        row("score", b, "", *sh);
    }
    for q in &s.questions {
        for (a, sh) in &q.answers {
            row("question", &q.id, a, *sh);
        }
    }
    for c in &s.checks {
        for (o, sh) in &c.outcomes {
            row("check", &c.id, o, *sh);
        }
    }
    for (k, sh) in &s.error_causes {
        row("cause", k, "", *sh);
    }
    for (k, n) in &s.not_sent {
        row(
            "not-sent",
            k,
            "",
            Share {
                count: *n,
                share: 0.0,
            },
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(score: Option<u32>, level: u8, pkce: &str, q1: &str, error: Option<&str>) -> String {
        serde_json::json!({
            "score": score, "grade": score.map(|s| if s >= 90 { "A" } else { "F" }), "level": level,
            "error": error,
            "categories": [{"id": "discovery", "incomplete": error.is_some()}],
            "questions": [{"id": "Q1", "text": "Discover?", "answer": q1}],
            "checks": [{"id": "pkce-s256", "title": "PKCE", "outcome": pkce}],
            "exchanges": [{"error": error.map(|e| format!("{e}: it failed"))}, {"error": "robots: not sent"}]
        })
        .to_string()
    }

    #[test]
    fn aggregates_a_stream() {
        let mut text = String::new();
        text += &(report(Some(100), 3, "pass", "yes", None) + "\n");
        text += &(report(Some(15), 1, "fail", "partial", None) + "\n");
        text += &(report(None, 0, "error", "unknown", Some("dns")) + "\n");
        text += "garbage\n";
        text += "{\"score\": 1"; // torn
        let s = compute(text.as_bytes()).unwrap();
        assert_eq!(s.reports, 3);
        assert_eq!(s.unparseable_lines, 1);
        assert!(s.torn_last_line);
        assert_eq!(s.incomplete.count, 1);
        assert_eq!(s.unreachable.count, 1);
        // The unreachable target is in no check's or question's figures.
        let pkce = &s.checks[0];
        assert_eq!(pkce.reports, 2);
        assert_eq!(pkce.outcomes["pass"].count, 1);
        assert_eq!(pkce.outcomes["pass"].share, 0.5);
        assert_eq!(pkce.outcomes["warn"].count, 0);
        assert_eq!(s.questions[0].reports, 2);
        assert_eq!(s.questions[0].answers["unknown"].count, 0);
        assert_eq!(s.scores[9].1.count, 1);
        assert_eq!(s.scores[1].1.count, 1);
        assert_eq!(s.scores[10].1.count, 1);
        assert_eq!(s.levels[3].1.count, 1);
        assert_eq!(s.error_causes, vec![("dns".to_string(), share(1, 3))]);
        assert_eq!(s.not_sent["robots"], 3);
        let t = table(&s, "r.jsonl");
        assert!(t.contains("3 reports"), "{t}");
        assert!(t.contains("pkce-s256"), "{t}");
        assert!(t.contains("target unreachable"), "{t}");
        let c = csv(&s);
        assert!(c.contains("check,pkce-s256,pass,1,0.5\n"), "{c}");
        assert!(
            c.contains("level,unreachable,target unreachable,1,0.3333\n"),
            "{c}"
        );
        assert!(c.contains("cause,dns,,1,0.3333\n"), "{c}");
        let j: serde_json::Value = serde_json::from_str(&json(&s).unwrap()).unwrap();
        assert_eq!(j["reports"], 3);
    }

    #[test]
    fn shards_read_in_turn_count_as_one_file_and_each_may_end_torn() {
        let a = [
            report(Some(100), 3, "pass", "yes", None),
            report(Some(15), 1, "fail", "partial", None),
        ];
        let b = [report(None, 0, "error", "unknown", Some("dns"))];
        let whole = compute(format!("{}\n{}\n{}\n", a[0], a[1], b[0]).as_bytes()).unwrap();
        let mut c = Collector::default();
        // Shard a died mid-line; shard b follows it.
        c.read(format!("{}\n{}\n{{\"score\": 1", a[0], a[1]).as_bytes())
            .unwrap();
        c.read(format!("{}\n", b[0]).as_bytes()).unwrap();
        let shards = c.finish();
        assert!(shards.torn_last_line);
        assert_eq!(shards.unparseable_lines, 0);
        assert_eq!(shards.lines, whole.lines + 1);
        assert_eq!(
            serde_json::to_value(Stats {
                lines: 0,
                torn_last_line: false,
                ..shards
            })
            .unwrap(),
            serde_json::to_value(Stats { lines: 0, ..whole }).unwrap()
        );
    }

    /// An unreachable target's line (older ones said level 0 and answered
    /// "no") and an incomplete one are counted in rows of their own: they
    /// skew no level and no answer.
    #[test]
    fn unreachable_and_incomplete_targets_have_rows_of_their_own() {
        let incomplete = serde_json::json!({
            "score": null, "grade": null, "level": 1,
            "categories": [{"id": "lifecycle", "incomplete": true}],
            "questions": [{"id": "Q1", "text": "Discover?", "answer": "yes"}],
            "checks": [{"id": "token-revocation", "outcome": "error"}]
        });
        let no_level = serde_json::json!({
            "score": 100, "grade": "A", "level": null,
            "categories": [{"id": "pkce", "incomplete": false}],
            "questions": [{"id": "Q1", "text": "Discover?", "answer": "unknown"}],
            "checks": [{"id": "pkce-s256", "outcome": "pass"}]
        });
        let text = format!(
            "{}\n{incomplete}\n{no_level}\n",
            report(None, 0, "error", "no", Some("connect"))
        );
        let s = compute(text.as_bytes()).unwrap();
        let level = |k: &str| s.levels.iter().find(|(l, _)| l == k).unwrap().1.count;
        assert_eq!(level("0"), 0, "an unreachable target is not invisible");
        assert_eq!(level("1"), 0, "an incomplete scan has no level");
        assert_eq!(level("unreachable"), 1);
        assert_eq!(level("incomplete"), 1);
        assert_eq!(level("not-established"), 1);
        let q1 = &s.questions[0];
        assert_eq!(q1.reports, 1, "only the complete report answers");
        assert_eq!(q1.answers["no"].count, 0);
        assert_eq!(q1.answers["yes"].count, 0);
    }

    #[test]
    fn empty_input() {
        let s = compute(&b""[..]).unwrap();
        assert_eq!(s.reports, 0);
        assert_eq!(s.complete.share, 0.0);
        assert!(table(&s, "-").contains("0 reports"));
    }
}
