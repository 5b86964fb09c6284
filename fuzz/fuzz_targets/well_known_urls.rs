//! Well-known metadata URLs built from arbitrary issuer strings.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    if let Some(urls) = agentready::gather::plan::issuer_metadata_urls(&s) {
        for (_, u) in urls {
            let _ = url::Url::parse(&u);
        }
    }
    let _ = agentready::model::target::Target::parse(&s);
});
