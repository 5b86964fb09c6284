//! RFC 9110 §11.6.1 challenges from arbitrary header bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let (challenges, _) = agentready::parse::www_authenticate::parse_lenient(&s);
    for c in &challenges {
        let _ = c.duplicate_params();
        let _ = c.param("resource_metadata");
    }
});
