//! A shields.io endpoint badge (<https://shields.io/badges/endpoint-badge>)
//! of a report: `{"schemaVersion": 1, "label": "agentready", "message":
//! "B · 88/100", "color": "green"}`.

use crate::report::Report;
use serde_json::json;

/// The badge's colour for a grade: A brightgreen, B green, C yellow,
/// D orange, F red; lightgrey without a grade (an incomplete scan).
pub fn badge_color(grade: Option<&str>) -> &'static str {
    match grade {
        Some("A") => "brightgreen",
        Some("B") => "green",
        Some("C") => "yellow",
        Some("D") => "orange",
        Some(_) => "red",
        None => "lightgrey",
    }
}

/// The endpoint JSON of a report, pretty-printed, with a final newline.
pub fn badge(report: &Report) -> String {
    let message = match (report.grade.as_deref(), report.score) {
        (Some(g), Some(s)) => format!("{g} · {s}/100"),
        _ => "incomplete".to_string(),
    };
    let mut out = serde_json::to_string_pretty(&json!({
        "schemaVersion": 1,
        "label": "agentready",
        "message": message,
        "color": badge_color(report.grade.as_deref()),
    }))
    .unwrap_or_default();
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grade_and_score_in_the_message_colour_by_grade() {
        let mut r = crate::testing::report(&crate::testing::evidence(
            crate::testing::site(vec![], None),
            "https://example.com",
        ));
        r.score = Some(88);
        r.grade = Some("B".into());
        let v: serde_json::Value = serde_json::from_str(&badge(&r)).unwrap();
        assert_eq!(v["schemaVersion"], 1);
        assert_eq!(v["label"], "agentready");
        assert_eq!(v["message"], "B · 88/100");
        assert_eq!(v["color"], "green");
        r.score = None;
        r.grade = None;
        let v: serde_json::Value = serde_json::from_str(&badge(&r)).unwrap();
        assert_eq!(v["message"], "incomplete");
        assert_eq!(v["color"], "lightgrey");
        assert_eq!(badge_color(Some("A")), "brightgreen");
        assert_eq!(badge_color(Some("F")), "red");
    }
}
