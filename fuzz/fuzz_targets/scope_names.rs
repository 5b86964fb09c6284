//! Scope strings a target publishes (RFC 6749 §3.3 leaves them to the
//! service), classified alone and together beside their siblings, with
//! descriptions: no input may panic.
#![no_main]
use agentready::classify::scopes::{Hints, classify_all_with, classify_with, vocabulary};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(v) = vocabulary() else { return };
    let s = String::from_utf8_lossy(data);
    // Lines are scopes; a tab starts a description.
    let rows: Vec<(&str, Option<&str>)> = s
        .lines()
        .take(64)
        .map(|l| match l.split_once('\t') {
            Some((scope, d)) => (scope, Some(d)),
            None => (l, None),
        })
        .collect();
    let input: Vec<(&str, Hints)> = rows
        .iter()
        .map(|(scope, d)| {
            (
                *scope,
                Hints {
                    description: *d,
                    risk: None,
                },
            )
        })
        .collect();
    for (scope, hints) in &input {
        let c = classify_with(v, scope, *hints);
        let _ = c.effective();
    }
    let all = classify_all_with(v, &input);
    assert_eq!(all.len(), input.len());
});
