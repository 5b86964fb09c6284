//! The scope classifier on labelled sets of real scope strings, from names
//! alone: the development set (`fixtures/scopes/labelled.tsv`) the rules are
//! written against, and held-out sets from other providers that were not
//! looked at while writing them (`fixtures/scopes/heldout-*.tsv`; the split and
//! its history are in `fixtures/scopes/HELDOUT.md`). Each test prints the
//! accuracy per provider and per class, every miss and the confusion table,
//! and holds the accuracy at what was reached. Run
//! `cargo test --test scope_labels -- --nocapture` to see them.

use agentready::classify::scopes::{Hints, ScopeClass, classify};
use std::collections::{BTreeMap, BTreeSet};

/// The development set: the rules were written and debugged against it.
/// `heldout-1.tsv` joined it after its one evaluation as a held-out sample
/// (83.4 %, HELDOUT.md).
const DEVELOPMENT: &[(&str, &str)] = &[
    (
        "labelled.tsv",
        include_str!("../fixtures/scopes/labelled.tsv"),
    ),
    (
        "heldout-1.tsv",
        include_str!("../fixtures/scopes/heldout-1.tsv"),
    ),
];
/// The accuracy the classifier must keep on the development set.
const DEVELOPMENT_REQUIRED: f64 = 0.952;

/// The held-out set: evaluated, never used to write a rule.
const HELD_OUT: &[(&str, &str)] = &[(
    "heldout-2.tsv",
    include_str!("../fixtures/scopes/heldout-2.tsv"),
)];
/// The accuracy the classifier reached on the held-out set when it was
/// evaluated once (HELDOUT.md: 225/299 = 75.3 %), kept as a floor: it is
/// the honest figure, far from the 99 % target.
const HELD_OUT_REQUIRED: f64 = 0.752;

struct Row {
    scope: String,
    expected: ScopeClass,
    provider: String,
    note: String,
}

fn rows(sets: &[(&str, &str)]) -> Vec<Row> {
    let mut out = Vec::new();
    for (file, text) in sets {
        for (n, line) in text.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let at = format!("{file} line {}", n + 1);
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 5, "{at}: five tab-separated columns");
            let expected = ScopeClass::parse(cols[1])
                .unwrap_or_else(|| panic!("{at}: unknown class `{}`", cols[1]));
            assert!(!cols[3].is_empty(), "{at}: every label names its source");
            out.push(Row {
                scope: cols[0].to_string(),
                expected,
                provider: cols[2].to_string(),
                note: cols[4].to_string(),
            });
        }
    }
    out
}

/// Classify every row, print the report, and return the accuracy.
#[allow(
    clippy::print_stdout,
    reason = "the accuracy report is the point of these tests"
)]
fn report(title: &str, rows: &[Row], required: f64) -> f64 {
    let mut per_provider: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut per_class: BTreeMap<ScopeClass, (usize, usize)> = BTreeMap::new();
    let mut predicted: BTreeMap<ScopeClass, (usize, usize)> = BTreeMap::new();
    let mut confusion: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut misses = Vec::new();
    for r in rows {
        let got = classify(&r.scope, Hints::default()).expect("vocabulary loads");
        let hit = got.class == r.expected;
        for (entry, inc) in [
            (per_provider.entry(r.provider.as_str()).or_default(), hit),
            (per_class.entry(r.expected).or_default(), hit),
            (predicted.entry(got.class).or_default(), hit),
        ] {
            entry.1 += 1;
            entry.0 += usize::from(inc);
        }
        if !hit {
            *confusion
                .entry((r.expected.as_str(), got.class.as_str()))
                .or_default() += 1;
            misses.push((r, got));
        }
    }
    let hits = rows.len() - misses.len();
    let accuracy = hits as f64 / rows.len() as f64;
    let pct = |(h, t): (usize, usize)| 100.0 * h as f64 / t.max(1) as f64;
    let macro_avg = |m: &mut dyn Iterator<Item = (usize, usize)>| {
        let v: Vec<f64> = m.map(pct).collect();
        v.iter().sum::<f64>() / v.len().max(1) as f64
    };
    println!(
        "\n{title}: {} labelled real scopes from {} providers (name only)",
        rows.len(),
        per_provider.len()
    );
    println!(
        "  {:<28} {:>5} {:>6} {:>7}",
        "provider", "hits", "total", "%"
    );
    for (p, &(h, t)) in &per_provider {
        println!("  {p:<28} {h:>5} {t:>6} {:>6.1}%", pct((h, t)));
    }
    println!(
        "  {:<28} {:>5} {:>6} {:>7} {:>10} {:>10}",
        "class (labelled)", "hits", "total", "recall", "predicted", "precision"
    );
    for c in ScopeClass::ALL {
        let (h, t) = per_class.get(&c).copied().unwrap_or_default();
        let (ph, pt) = predicted.get(&c).copied().unwrap_or_default();
        println!(
            "  {:<28} {h:>5} {t:>6} {:>6.1}% {pt:>10} {:>9.1}%",
            c.as_str(),
            pct((h, t)),
            pct((ph, pt))
        );
    }
    println!(
        "Accuracy: {hits}/{} = {:.1} % (required {:.1} %); macro average over providers {:.1} %, over classes {:.1} %",
        rows.len(),
        accuracy * 100.0,
        required * 100.0,
        macro_avg(&mut per_provider.values().copied()),
        macro_avg(&mut per_class.values().copied()),
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
    accuracy
}

#[test]
fn the_labelled_sets_are_real_sized_distinct_and_disjoint() {
    let dev = rows(DEVELOPMENT);
    let held = rows(HELD_OUT);
    assert!(dev.len() >= 300, "only {} development scopes", dev.len());
    assert!(held.len() >= 250, "only {} held-out scopes", held.len());
    let mut seen = BTreeSet::new();
    for r in dev.iter().chain(&held) {
        assert!(
            seen.insert(r.scope.as_str()),
            "`{}` is labelled twice",
            r.scope
        );
    }
    let providers =
        |rows: &[Row]| -> BTreeSet<String> { rows.iter().map(|r| r.provider.clone()).collect() };
    let (dp, hp) = (providers(&dev), providers(&held));
    assert!(dp.len() >= 10, "{dp:?}");
    assert!(hp.len() >= 10, "{hp:?}");
    // Held out means other providers, not only other strings.
    assert!(dp.is_disjoint(&hp), "{:?}", dp.intersection(&hp));
}

#[test]
fn classifier_accuracy_on_the_development_set() {
    let rows = rows(DEVELOPMENT);
    let accuracy = report("Development set", &rows, DEVELOPMENT_REQUIRED);
    assert!(
        accuracy >= DEVELOPMENT_REQUIRED,
        "accuracy {:.1} % is under {:.1} %",
        accuracy * 100.0,
        DEVELOPMENT_REQUIRED * 100.0
    );
}

#[test]
fn classifier_accuracy_on_the_held_out_set() {
    let rows = rows(HELD_OUT);
    let accuracy = report("Held-out set", &rows, HELD_OUT_REQUIRED);
    assert!(
        accuracy >= HELD_OUT_REQUIRED,
        "accuracy {:.1} % is under {:.1} %",
        accuracy * 100.0,
        HELD_OUT_REQUIRED * 100.0
    );
}
