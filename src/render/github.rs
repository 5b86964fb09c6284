//! GitHub Actions workflow commands: one `::error` per finding that fails
//! the gate, one `::warning` per gate warning, and a `::notice` with the
//! headline. Escaped per GitHub's workflow-command rules: in the message,
//! `%`, CR and LF; in a property value, also `:` and `,`.

use super::headline;
use crate::model::outcome::Outcome;
use crate::report::Report;
use crate::report::gate::ItemKind;
use std::fmt::Write as _;

/// Escape a workflow command's message.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a workflow command's property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(out: &mut String, kind: &str, title: &str, message: &str) {
    let _ = writeln!(
        out,
        "::{kind} title={}::{}",
        escape_property(title),
        escape_data(message)
    );
}

/// The annotations of a report. Without a gate (a report that was not
/// gated), every fail finding is an error and every warn finding a
/// warning.
pub fn github(report: &Report) -> String {
    let mut out = String::new();
    let title = |check: Option<&str>| match check {
        Some(c) => format!("agentready {c}"),
        None => "agentready".to_string(),
    };
    match &report.gate {
        Some(g) => {
            for f in &g.failures {
                command(&mut out, "error", &title(f.check.as_deref()), &f.message);
            }
            for w in g.warnings.iter().filter(|w| w.kind != ItemKind::Note) {
                command(&mut out, "warning", &title(w.check.as_deref()), &w.message);
            }
        }
        None => {
            for c in &report.checks {
                let kind = match c.outcome {
                    Outcome::Fail => "error",
                    Outcome::Warn => "warning",
                    _ => continue,
                };
                for f in c
                    .findings
                    .iter()
                    .filter(|f| f.level != crate::model::outcome::FindingLevel::Info)
                {
                    command(
                        &mut out,
                        kind,
                        &title(Some(&c.id)),
                        &format!("{}: {}", f.code, f.message),
                    );
                }
            }
        }
    }
    if let Some(e) = &report.error {
        command(
            &mut out,
            "error",
            "agentready",
            &format!("scan incomplete: {e}"),
        );
    }
    let mut notice = format!("{} — {}", headline(report), report.target.url);
    if let Some(f) = report.top_fixes.first() {
        let _ = write!(notice, "; top fix: {}", f.headline());
    }
    command(&mut out, "notice", "agentready", &notice);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_per_the_workflow_command_rules() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        // A target cannot end the command early or forge a second one.
        let mut out = String::new();
        command(&mut out, "error", "t", "x\n::error::forged");
        assert_eq!(out.lines().count(), 1);
        assert!(out.starts_with("::error title=t::x%0A::error::forged"));
    }
}
