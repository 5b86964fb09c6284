//! Every generation of RateLimit fields, X-RateLimit-Reset and Retry-After.
#![no_main]
use agentready::checks::abuse::rate_limit_signals as rl;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let _ = rl::parse_policy(&s);
    let _ = rl::parse_ratelimit(&s);
    let _ = rl::parse_legacy_limit(&s);
    let _ = rl::parse_legacy_integer(&s);
    let _ = rl::parse_retry_after(&s);
    let _ = rl::read_x_reset(&s);
});
