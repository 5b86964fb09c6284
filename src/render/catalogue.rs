//! The catalogue as people read it: `agentready checks` and
//! `agentready explain ID`.

use super::table::new_table;
use crate::model::catalogue::CheckMeta;
use comfy_table::Cell;
use std::fmt::Write as _;

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

/// `agentready explain CODE`: the finding code, then its check.
pub fn explain_code(m: &CheckMeta, f: &crate::model::catalogue::FindingSpec) -> String {
    let level = match f.outcome {
        crate::model::outcome::FindingLevel::Fail => "fail",
        crate::model::outcome::FindingLevel::Warn => "warn",
        crate::model::outcome::FindingLevel::Info => "info",
    };
    format!(
        "Finding code {} ({level}), reported by the check {}:\n  {}\n\n{}",
        f.code,
        m.id,
        f.description.trim(),
        explain(m)
    )
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
