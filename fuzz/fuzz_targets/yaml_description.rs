//! API description bodies (JSON or YAML) through the bounded reader: no
//! panic, and never more than the memory budget charged, however the
//! document is built (aliases of aliases, aliases of a large string,
//! deep nesting, small values).
#![no_main]
use libfuzzer_sys::fuzz_target;

const BUDGET: usize = 4 << 20;

fuzz_target!(|data: &[u8]| {
    if let Ok((_, cost)) = agentready::parse::description::parse_description(data, BUDGET) {
        assert!(cost <= BUDGET, "charged {cost} over a budget of {BUDGET}");
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = agentready::parse::yaml::to_json_within(text, BUDGET, None);
    }
});
