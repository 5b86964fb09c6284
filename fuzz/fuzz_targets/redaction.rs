//! Redaction of a user's secret from text a target sent: the first line is
//! the secret, the rest the text. No panic, and the secret never survives
//! in raw form (secrets that could be spelled by the marker itself are
//! left out of the property).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (secret, body) = text.split_once('\n').unwrap_or((&text, ""));
    let secret = secret.trim();
    if secret.is_empty() || secret.len() > 256 {
        return;
    }
    let r = agentready::gather::http::Redactor::new(&[("x-api-key".into(), secret.into())], &[]);
    let out = r.redacted(body);
    let mut bytes = body.as_bytes().to_vec();
    r.redact_bytes(&mut bytes);
    let plain = secret
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if plain && secret.len() >= 8 && !"[redacted]".contains(secret) {
        assert!(!out.contains(secret), "the secret survived in {out:?}");
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "the secret survived in bytes"
        );
    }
});
