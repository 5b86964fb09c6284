//! The scope classifier on a labelled set of real scope strings
//! (`fixtures/scopes/labelled.tsv`): prints the accuracy, per provider and
//! overall, with every miss, and holds the overall accuracy at 95 % or more.
//! Run with `cargo test --test scope_labels -- --nocapture` to see it.

use agentready::classify::scopes::{Hints, ScopeClass, classify};
use std::collections::{BTreeMap, BTreeSet};

/// The accuracy the classifier must keep on the labelled set.
const REQUIRED_ACCURACY: f64 = 0.95;

struct Row {
    scope: String,
    expected: ScopeClass,
    provider: String,
    note: String,
}

fn rows() -> Vec<Row> {
    let text = include_str!("../fixtures/scopes/labelled.tsv");
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 5, "line {}: five tab-separated columns", n + 1);
        let expected = ScopeClass::parse(cols[1])
            .unwrap_or_else(|| panic!("line {}: unknown class `{}`", n + 1, cols[1]));
        assert!(
            !cols[3].is_empty(),
            "line {}: every label names its source",
            n + 1
        );
        out.push(Row {
            scope: cols[0].to_string(),
            expected,
            provider: cols[2].to_string(),
            note: cols[4].to_string(),
        });
    }
    out
}

#[test]
fn the_labelled_set_is_real_sized_and_distinct() {
    let rows = rows();
    assert!(rows.len() >= 300, "only {} labelled scopes", rows.len());
    let mut seen = BTreeSet::new();
    for r in &rows {
        assert!(
            seen.insert(r.scope.as_str()),
            "`{}` is labelled twice",
            r.scope
        );
    }
    let providers: BTreeSet<&str> = rows.iter().map(|r| r.provider.as_str()).collect();
    assert!(providers.len() >= 10, "{providers:?}");
}

#[test]
#[allow(
    clippy::print_stdout,
    reason = "the accuracy report is the point of this test"
)]
fn classifier_accuracy_on_real_scopes() {
    let rows = rows();
    let mut per_provider: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut confusion: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut misses = Vec::new();
    for r in &rows {
        let got = classify(&r.scope, Hints::default()).expect("vocabulary loads");
        let entry = per_provider.entry(r.provider.as_str()).or_default();
        entry.1 += 1;
        if got.class == r.expected {
            entry.0 += 1;
        } else {
            *confusion
                .entry((r.expected.as_str(), got.class.as_str()))
                .or_default() += 1;
            misses.push((r, got));
        }
    }
    let hits = rows.len() - misses.len();
    let accuracy = hits as f64 / rows.len() as f64;
    println!(
        "\nScope classifier on {} labelled real scopes (name only)",
        rows.len()
    );
    println!("  {:<20} {:>5} {:>6}", "provider", "hits", "total");
    for (p, (h, t)) in &per_provider {
        println!("  {p:<20} {h:>5} {t:>6}");
    }
    println!(
        "Accuracy: {hits}/{} = {:.1} % (required {:.0} %)",
        rows.len(),
        accuracy * 100.0,
        REQUIRED_ACCURACY * 100.0
    );
    println!(
        "Misses ({}): expected → got, scope, provider, what it grants, classifier's reason",
        misses.len()
    );
    for (r, got) in &misses {
        println!(
            "  {:<11} → {:<11} {:<45} [{}] {} | {}",
            r.expected.as_str(),
            got.class.as_str(),
            r.scope,
            r.provider,
            r.note,
            got.reason
        );
    }
    println!("Confusion (expected → got: count):");
    for ((e, g), n) in &confusion {
        println!("  {e} → {g}: {n}");
    }
    assert!(
        accuracy >= REQUIRED_ACCURACY,
        "accuracy {:.1} % is under {:.0} %",
        accuracy * 100.0,
        REQUIRED_ACCURACY * 100.0
    );
}
