//! x402 v2 PAYMENT-REQUIRED header decoding.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let _ = agentready::checks::payments::x402_payment::decode_payment_required(&s);
    let _ = agentready::checks::payments::x402_payment::is_caip2(&s);
});
