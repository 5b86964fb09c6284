//! The scope classifier on labelled sets of real scope strings, each row
//! classified beside its provider's other scopes (for H3 to H9 also every
//! scope the provider publishes), as a scanner sees a target's
//! `scopes_supported`: the development set (`fixtures/scopes/labelled.tsv`
//! and the former held-out sets H1 to H8) the rules are written
//! against, and the held-out set H9 from other providers that were not
//! looked at while writing them (`fixtures/scopes/heldout-*.tsv`; the split
//! and its history are in `fixtures/scopes/HELDOUT.md`). A scope whose name
//! states no action counts with the class the report shows for it, the
//! assumed `write`; the figure with those left `unknown` is printed too.
//! Each test prints the accuracy per provider and per class, every miss
//! and the confusion table, and holds the accuracy at what was reached.
//! Run `cargo test --test scope_labels -- --nocapture` to see them.

use agentready::classify::scopes::{Hints, ScopeClass, classify_all};
use std::collections::{BTreeMap, BTreeSet};

/// The development set: the rules were written and debugged against it.
/// `heldout-1.tsv` to `heldout-8.tsv` joined it after their one evaluation
/// each as a held-out sample (83.4 %, 75.3 %, 73.5 %, 92.1 %, 83.6 %,
/// 85.6 %, 85.4 % and 90.5 %, HELDOUT.md).
const DEVELOPMENT: &[(&str, &str)] = &[
    (
        "labelled.tsv",
        include_str!("../fixtures/scopes/labelled.tsv"),
    ),
    (
        "heldout-1.tsv",
        include_str!("../fixtures/scopes/heldout-1.tsv"),
    ),
    (
        "heldout-2.tsv",
        include_str!("../fixtures/scopes/heldout-2.tsv"),
    ),
    (
        "heldout-3.tsv",
        include_str!("../fixtures/scopes/heldout-3.tsv"),
    ),
    (
        "heldout-4.tsv",
        include_str!("../fixtures/scopes/heldout-4.tsv"),
    ),
    (
        "heldout-5.tsv",
        include_str!("../fixtures/scopes/heldout-5.tsv"),
    ),
    (
        "heldout-6.tsv",
        include_str!("../fixtures/scopes/heldout-6.tsv"),
    ),
    (
        "heldout-7.tsv",
        include_str!("../fixtures/scopes/heldout-7.tsv"),
    ),
    (
        "heldout-8.tsv",
        include_str!("../fixtures/scopes/heldout-8.tsv"),
    ),
];
/// Every scope string each H3 to H8 provider publishes (provider,
/// scope): the sibling context a scanner would see beside the labelled rows.
const DEVELOPMENT_SIBLINGS: &[&str] = &[
    include_str!("../fixtures/scopes/heldout-3-siblings.tsv"),
    include_str!("../fixtures/scopes/heldout-4-siblings.tsv"),
    include_str!("../fixtures/scopes/heldout-5-siblings.tsv"),
    include_str!("../fixtures/scopes/heldout-6-siblings.tsv"),
    include_str!("../fixtures/scopes/heldout-7-siblings.tsv"),
    include_str!("../fixtures/scopes/heldout-8-siblings.tsv"),
];
/// The accuracy the classifier must keep on the development set, each row
/// classified among its provider's rows (HELDOUT.md step 21: 3358/3630).
const DEVELOPMENT_REQUIRED: f64 = 0.925;

/// The held-out set H9 (providers in none of the sets above), labelled by
/// a researcher who never saw the classifier: evaluated once, never used
/// to write a rule (HELDOUT.md).
const HELD_OUT: &[(&str, &str)] = &[(
    "heldout-9.tsv",
    include_str!("../fixtures/scopes/heldout-9.tsv"),
)];
/// Every scope string each H9 provider publishes (provider, scope): the
/// sibling context a scanner would see beside the labelled rows.
const HELD_OUT_SIBLINGS: &str = include_str!("../fixtures/scopes/heldout-9-siblings.tsv");
/// The accuracy the classifier reached on H9 when it was evaluated once,
/// with each provider's sibling lists as context (HELDOUT.md step 20:
/// 307/348 = 88.2 %), kept as a floor: short of the 99 % target.
const HELD_OUT_REQUIRED: f64 = 0.882;

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

/// The comparison issue 19 draws: a fifteen-line rule on verbs and
/// resource words, with no vocabulary, no siblings and no context. A name
/// it finds no word of is assumed `write`, as the classifier assumes, so
/// that the two differ only in how they read names.
fn baseline(scope: &str) -> ScopeClass {
    let (mut words, mut word, mut lower) = (Vec::new(), String::new(), false);
    for ch in scope.chars().chain([' ']) {
        if !ch.is_ascii_alphanumeric() || (ch.is_ascii_uppercase() && lower) {
            words.push(std::mem::take(&mut word));
        }
        lower = ch.is_ascii_lowercase();
        if ch.is_ascii_alphanumeric() {
            word.push(ch.to_ascii_lowercase());
        }
    }
    let has = |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));
    if has(&["admin", "sudo", "superuser"]) || scope.contains('*') {
        ScopeClass::Admin
    } else if has(&["delete", "remove", "destroy", "revoke"]) {
        ScopeClass::Destructive
    } else if has(&[
        "write",
        "readwrite",
        "rw",
        "create",
        "update",
        "edit",
        "manage",
        "modify",
        "send",
        "post",
    ]) {
        ScopeClass::Write
    } else if has(&["read", "readonly", "ro", "view", "get", "list", "search"]) {
        ScopeClass::Read
    } else if has(&[
        "openid", "profile", "email", "identify", "identity", "userinfo", "user", "me", "offline",
    ]) {
        ScopeClass::Identity
    } else {
        ScopeClass::Write
    }
}

#[test]
fn the_baseline_reads_verbs_and_resources_with_any_separator() {
    for (scope, expected) in [
        ("repo:read", ScopeClass::Read),
        ("Files.ReadWrite.All", ScopeClass::Write),
        ("delete_posts", ScopeClass::Destructive),
        ("admin:org", ScopeClass::Admin),
        ("openid", ScopeClass::Identity),
        ("ledgers", ScopeClass::Write),
    ] {
        assert_eq!(baseline(scope), expected, "{scope}");
    }
}

/// Classify every row, print the report, and return the accuracy and the
/// baseline's.
#[allow(
    clippy::print_stdout,
    reason = "the accuracy report is the point of these tests"
)]
fn report(title: &str, rows: &[Row], siblings: &[&str], required: f64) -> (f64, f64) {
    let mut per_provider: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut per_class: BTreeMap<ScopeClass, (usize, usize)> = BTreeMap::new();
    let mut predicted: BTreeMap<ScopeClass, (usize, usize)> = BTreeMap::new();
    let mut confusion: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut misses = Vec::new();
    // Each row is classified among its provider's rows: the siblings a
    // scanner would see in that provider's `scopes_supported`.
    let mut by_provider: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in rows {
        by_provider
            .entry(r.provider.as_str())
            .or_default()
            .push(r.scope.as_str());
    }
    for line in siblings.iter().flat_map(|s| s.lines()) {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (provider, scope) = line.split_once('\t').expect("provider<TAB>scope");
        if let Some(list) = by_provider.get_mut(provider)
            && !list.contains(&scope)
        {
            list.push(scope);
        }
    }
    let mut classes = BTreeMap::new();
    for (provider, scopes) in &by_provider {
        let input: Vec<(&str, Hints)> = scopes.iter().map(|s| (*s, Hints::default())).collect();
        for c in classify_all(&input).expect("vocabulary loads") {
            classes.insert((*provider, c.scope.clone()), c);
        }
    }
    for r in rows {
        let got = &classes[&(r.provider.as_str(), r.scope.clone())];
        let hit = got.effective() == r.expected;
        for (entry, inc) in [
            (per_provider.entry(r.provider.as_str()).or_default(), hit),
            (per_class.entry(r.expected).or_default(), hit),
            (predicted.entry(got.effective()).or_default(), hit),
        ] {
            entry.1 += 1;
            entry.0 += usize::from(inc);
        }
        if !hit {
            *confusion
                .entry((r.expected.as_str(), got.effective().as_str()))
                .or_default() += 1;
            misses.push((r, got.clone()));
        }
    }
    let hits = rows.len() - misses.len();
    // The same rows had every scope whose class is only assumed been left
    // `unknown` instead: the measurement the assumptions rest on
    // (`ASSUMED_CLASS`). An assumed row is then right only when its label
    // is `unknown`.
    let verbless = |expected: ScopeClass| {
        rows.iter()
            .filter(|r| {
                let c = &classes[&(r.provider.as_str(), r.scope.clone())];
                c.assumed.is_some() && r.expected == expected
            })
            .count()
    };
    let assumed_right = rows
        .iter()
        .filter(|r| {
            let c = &classes[&(r.provider.as_str(), r.scope.clone())];
            c.assumed == Some(r.expected)
        })
        .count();
    let left_unknown = hits - assumed_right + verbless(ScopeClass::Unknown);
    let accuracy = hits as f64 / rows.len() as f64;
    let pct = |(h, t): (usize, usize)| 100.0 * h as f64 / t.max(1) as f64;
    let macro_avg = |m: &mut dyn Iterator<Item = (usize, usize)>| {
        let v: Vec<f64> = m.map(pct).collect();
        v.iter().sum::<f64>() / v.len().max(1) as f64
    };
    println!(
        "\n{title}: {} labelled real scopes from {} providers (name and sibling scopes)",
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
        "Scopes naming no action, class assumed: {} (documented write {}, read {}, identity {}, admin {}, destructive {}, unknown {}); left unknown instead: {left_unknown}/{} = {:.1} %",
        rows.iter()
            .filter(|r| classes[&(r.provider.as_str(), r.scope.clone())]
                .assumed
                .is_some())
            .count(),
        verbless(ScopeClass::Write),
        verbless(ScopeClass::Read),
        verbless(ScopeClass::Identity),
        verbless(ScopeClass::Admin),
        verbless(ScopeClass::Destructive),
        verbless(ScopeClass::Unknown),
        rows.len(),
        100.0 * left_unknown as f64 / rows.len() as f64,
    );
    let baseline_hits = rows
        .iter()
        .filter(|r| baseline(&r.scope) == r.expected)
        .count();
    let baseline_accuracy = baseline_hits as f64 / rows.len() as f64;
    println!(
        "Baseline (a fifteen-line verb-and-resource rule, the same assumed write): {baseline_hits}/{} = {:.1} %",
        rows.len(),
        baseline_accuracy * 100.0
    );
    println!(
        "Misses ({}): expected → got, scope, provider, what it grants, classifier's reason",
        misses.len()
    );
    for (r, got) in &misses {
        println!(
            "  {:<11} → {:<11} {:<45} [{}] {} | {}",
            r.expected.as_str(),
            got.effective().as_str(),
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
    (accuracy, baseline_accuracy)
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
    let (accuracy, baseline) = report(
        "Development set",
        &rows,
        DEVELOPMENT_SIBLINGS,
        DEVELOPMENT_REQUIRED,
    );
    assert!(
        accuracy >= DEVELOPMENT_REQUIRED,
        "accuracy {:.1} % is under {:.1} %",
        accuracy * 100.0,
        DEVELOPMENT_REQUIRED * 100.0
    );
    // Reading names with a vocabulary, siblings and context must beat a
    // rule that only looks for verbs.
    assert!(
        accuracy > baseline,
        "accuracy {:.1} % is not above the baseline's {:.1} %",
        accuracy * 100.0,
        baseline * 100.0
    );
}

#[test]
fn classifier_accuracy_on_the_held_out_set() {
    let rows = rows(HELD_OUT);
    let (accuracy, baseline) = report(
        "Held-out set H9",
        &rows,
        &[HELD_OUT_SIBLINGS],
        HELD_OUT_REQUIRED,
    );
    assert!(
        accuracy >= HELD_OUT_REQUIRED,
        "accuracy {:.1} % is under {:.1} %",
        accuracy * 100.0,
        HELD_OUT_REQUIRED * 100.0
    );
    // Reading names with a vocabulary, siblings and context must beat a
    // rule that only looks for verbs.
    assert!(
        accuracy > baseline,
        "accuracy {:.1} % is not above the baseline's {:.1} %",
        accuracy * 100.0,
        baseline * 100.0
    );
}
