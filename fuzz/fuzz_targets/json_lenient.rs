//! Target JSON through the budgeted, lenient reader: no panic; whatever
//! serde_json reads, it reads the same, with nothing reported; what it
//! reads leniently is reported member by member.
#![no_main]
use libfuzzer_sys::fuzz_target;

const BUDGET: usize = 4 << 20;

fuzz_target!(|data: &[u8]| {
    let strict = serde_json::from_slice::<serde_json::Value>(data);
    match agentready::parse::json::parse(data, BUDGET, None) {
        Ok(p) => {
            assert!(p.cost <= BUDGET);
            match strict {
                Ok(v) => {
                    assert_eq!(v, p.value, "a strict document read differently");
                    assert!(p.repairs.is_empty());
                }
                Err(_) => assert!(!p.repairs.is_empty(), "read without a repair"),
            }
        }
        Err(e) => {
            // Only the budget refuses what serde_json reads.
            if strict.is_ok() {
                assert!(
                    matches!(e, agentready::parse::DocumentError::OverBudget(_)),
                    "{e}"
                );
            }
        }
    }
    let _ = agentready::parse::json::parse(
        data,
        BUDGET,
        Some(agentready::parse::json::description_prune),
    );
});
