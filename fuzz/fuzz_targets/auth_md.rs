//! auth.md documents through the Markdown reader.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let _ = agentready::parse::markdown::read_markdown(&s);
});
