//! The user's secrets (`-H` values, a `--proxy` password) taken out of
//! everything agentready records or writes.
//!
//! **What is a secret.** Every whole header value, whatever its length; the
//! credentials of an `Authorization` / `Proxy-Authorization` value (the
//! token of `Bearer <token>`; for `Basic`, the decoded `user:password` and
//! the password); every cookie value of a `Cookie` header; and every other
//! piece of a value (split at white space, `,` and `;`, and after a `=`)
//! of 8 bytes or more. The scheme word (`Bearer`) and cookie names are not
//! secrets.
//!
//! **Where it is looked for.** In raw form and in every encoding a server
//! or a parser commonly turns it into: JSON string escapes (`\u0073k-…`,
//! surrogate pairs, `\/`), percent-encoding (`%73k-…`) and HTML character
//! references (`&#115;k-…`, `&amp;`), mixed freely within one occurrence.
//! An occurrence is replaced, in its encoded form, by [`REDACTED`]
//! (`super::REDACTED`), so the text around it is untouched and a JSON
//! document stays JSON.
//!
//! **Short values.** A value of fewer than 8 bytes (`abc`, `1`) is too
//! likely to occur by chance inside unrelated text: `1` is in every port,
//! status and version number. Such a value is therefore matched only as a
//! whole token — where the bytes around it are not letters, digits or
//! `-._~+/` (the characters of an RFC 6750 token) — so `1` is found in
//! `key 1 rejected` or `"1"` but not in `HTTP/1.1`, `127.0.0.1` or `401`.
//! And it is taken out only where text is written (reports, evidence
//! files, batch lines, stderr), never out of what the checks read: a
//! coincidental `1` in a document must not change a verdict. Longer values
//! are taken out of responses as soon as they arrive, and again at every
//! sink.

use super::REDACTED;
use crate::evidence::Evidence;
use crate::model::exchange::Header;
use base64::Engine as _;

/// Values shorter than this are matched only as whole tokens, and only at
/// the sinks (see the module documentation).
pub const MIN_ANYWHERE_LEN: usize = 8;

/// One secret.
#[derive(Clone, PartialEq, Eq)]
struct Secret {
    bytes: Vec<u8>,
}

impl Secret {
    fn short(&self) -> bool {
        self.bytes.len() < MIN_ANYWHERE_LEN
    }
}

/// The user's secrets, and the redaction of texts. Its `Debug` shows how
/// many there are, never what they are.
#[derive(Clone, Default)]
pub struct Redactor {
    /// Longest first, so a whole value goes before a token inside it.
    secrets: Vec<Secret>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secrets({} redacted)", self.secrets.len())
    }
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
}

fn hex(b: u8) -> Option<u32> {
    (b as char).to_digit(16)
}

fn hex4(s: &[u8]) -> Option<u32> {
    if s.len() < 4 {
        return None;
    }
    s[..4]
        .iter()
        .try_fold(0u32, |acc, b| hex(*b).map(|d| acc * 16 + d))
}

/// An escape at the start of a text, decoded: up to four bytes (a UTF-8
/// character, or one percent-encoded byte) standing for `len` bytes of
/// the text.
#[derive(Clone, Copy)]
struct Unit {
    bytes: [u8; 4],
    n: usize,
    len: usize,
}

impl Unit {
    fn of_char(c: u32, len: usize) -> Option<Unit> {
        let ch = char::from_u32(c)?;
        let mut bytes = [0u8; 4];
        let n = ch.encode_utf8(&mut bytes).len();
        Some(Unit { bytes, n, len })
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.n]
    }
}

/// The escape of JSON (`\u0073`, a surrogate pair, `\/`, `\n`…),
/// percent-encoding (`%73`) or HTML (`&#115;`, `&#x73;`, `&amp;`…) at the
/// start of `s`, decoded. A raw byte is always the other reading.
fn escape_at(s: &[u8]) -> Option<Unit> {
    match *s.first()? {
        b'\\' => match *s.get(1)? {
            b'u' => {
                let hi = hex4(s.get(2..)?)?;
                if (0xD800..0xDC00).contains(&hi)
                    && s.get(6) == Some(&b'\\')
                    && s.get(7) == Some(&b'u')
                    && let Some(lo) = s.get(8..).and_then(hex4)
                    && (0xDC00..0xE000).contains(&lo)
                {
                    return Unit::of_char(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00), 12);
                }
                Unit::of_char(hi, 6)
            }
            c => {
                let v = match c {
                    b'"' | b'\\' | b'/' => c,
                    b'b' => 8,
                    b'f' => 12,
                    b'n' => b'\n',
                    b'r' => b'\r',
                    b't' => b'\t',
                    _ => return None,
                };
                Some(Unit {
                    bytes: [v, 0, 0, 0],
                    n: 1,
                    len: 2,
                })
            }
        },
        b'%' => {
            let a = hex(*s.get(1)?)?;
            let b = hex(*s.get(2)?)?;
            Some(Unit {
                bytes: [u8::try_from(a * 16 + b).ok()?, 0, 0, 0],
                n: 1,
                len: 3,
            })
        }
        b'&' => {
            let end = s.iter().take(12).position(|b| *b == b';')?;
            let c = match &s[1..end] {
                b"amp" => u32::from('&'),
                b"lt" => u32::from('<'),
                b"gt" => u32::from('>'),
                b"quot" => u32::from('"'),
                b"apos" => u32::from('\''),
                [b'#', b'x' | b'X', rest @ ..] if !rest.is_empty() => {
                    rest.iter().try_fold(0u32, |acc, b| {
                        hex(*b).map(|d| acc.saturating_mul(16).saturating_add(d))
                    })?
                }
                [b'#', rest @ ..] if !rest.is_empty() => rest.iter().try_fold(0u32, |acc, b| {
                    (*b as char)
                        .to_digit(10)
                        .map(|d| acc.saturating_mul(10).saturating_add(d))
                })?,
                _ => return None,
            };
            Unit::of_char(c, end + 1)
        }
        _ => None,
    }
}

/// Does `secret` occur in `text` starting at `i`, in any mix of raw and
/// escaped units? Returns the end of the occurrence in `text`.
///
/// Each unit has two readings at most (the raw byte, an escape), and both
/// can fit the secret only where the secret itself holds `\`, `%` or `&`;
/// the search backtracks there, within a step budget. A text that exhausts
/// the budget is treated as a match (over-redaction is the safe side).
fn match_at(
    text: &[u8],
    i: usize,
    secret: &[u8],
    stack: &mut Vec<(usize, usize, u8)>,
) -> Option<usize> {
    stack.clear();
    stack.push((i, 0, 0));
    let mut steps = 16 * (secret.len() + 1);
    while let Some(top) = stack.last_mut() {
        let (j, k) = (top.0, top.1);
        if k == secret.len() {
            return Some(j);
        }
        if j >= text.len() || top.2 >= 2 {
            stack.pop();
            continue;
        }
        steps -= 1;
        if steps == 0 {
            return Some(text.len().min(i + secret.len() * 12));
        }
        let choice = top.2;
        top.2 += 1;
        if choice == 0 {
            if text[j] == secret[k] {
                stack.push((j + 1, k + 1, 0));
            }
        } else if let Some(u) = escape_at(&text[j..])
            && secret[k..].starts_with(u.as_bytes())
        {
            stack.push((j + u.len, k + u.n, 0));
        }
    }
    None
}

/// The spans of `text` where a secret occurs. `short` says whether short
/// secrets are looked for (as whole tokens).
fn spans(text: &[u8], secrets: &[Secret], short: bool) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut stack = Vec::new();
    for s in secrets {
        if s.short() && !short {
            continue;
        }
        let secret = s.bytes.as_slice();
        let Some(&first) = secret.first() else {
            continue;
        };
        let mut i = 0;
        while i < text.len() {
            let b = text[i];
            if b != first && b != b'\\' && b != b'%' && b != b'&' {
                i += 1;
                continue;
            }
            if let Some(end) = match_at(text, i, secret, &mut stack) {
                let bounded = !s.short()
                    || ((i == 0 || !is_token_byte(first) || !is_token_byte(text[i - 1]))
                        && (end >= text.len()
                            || !secret.last().copied().is_some_and(is_token_byte)
                            || !is_token_byte(text[end])));
                if bounded {
                    out.push((i, end));
                    i = end;
                    continue;
                }
            }
            i += 1;
        }
    }
    out.sort_unstable();
    // Merge overlaps (a token inside a whole value, two encodings).
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(out.len());
    for (a, b) in out {
        match merged.last_mut() {
            Some(last) if a < last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    merged
}

fn replace(bytes: &mut Vec<u8>, spans: &[(usize, usize)]) {
    if spans.is_empty() {
        return;
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    for &(a, b) in spans {
        out.extend_from_slice(&bytes[at..a]);
        out.extend_from_slice(REDACTED.as_bytes());
        at = b;
    }
    out.extend_from_slice(&bytes[at..]);
    *bytes = out;
}

/// Request headers whose values are content negotiation or protocol
/// versions, never credentials: redacting `application/json` everywhere
/// would blank the `Content-Type` of every response the checks read.
pub const PUBLIC_HEADERS: [&str; 8] = [
    "accept",
    "accept-encoding",
    "accept-language",
    "cache-control",
    "content-type",
    "mcp-protocol-version",
    "pragma",
    "user-agent",
];

/// True for a header in [`PUBLIC_HEADERS`] (name case-insensitive).
pub fn is_public_header(name: &str) -> bool {
    PUBLIC_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name))
}

impl Redactor {
    /// The secrets of the user's `-H` headers (all but `PUBLIC_HEADERS`), plus `extra` values (a proxy
    /// password).
    pub fn new(headers: &[Header], extra: &[String]) -> Self {
        let mut found: Vec<String> = Vec::new();
        let mut add = |s: &str, any_length: bool| {
            let s = s.trim();
            if !s.is_empty()
                && (any_length || s.len() >= MIN_ANYWHERE_LEN)
                && !found.iter().any(|f| f == s)
            {
                found.push(s.to_string());
            }
        };
        for (name, value) in headers {
            if is_public_header(name) {
                continue;
            }
            add(value, true);
            let mut words: Vec<&str> = value
                .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';'))
                .filter(|w| !w.is_empty())
                .collect();
            let name = name.to_ascii_lowercase();
            if (name == "authorization" || name == "proxy-authorization")
                && let Some((scheme, creds)) = value.trim().split_once(char::is_whitespace)
            {
                add(creds, true);
                if scheme.eq_ignore_ascii_case("basic")
                    && let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(creds.trim())
                    && let Ok(text) = String::from_utf8(raw)
                {
                    add(&text, true);
                    if let Some((_, password)) = text.split_once(':') {
                        add(password, true);
                    }
                }
                // The scheme word is public.
                words.retain(|w| *w != scheme);
            }
            if name == "cookie" {
                for pair in value.split(';') {
                    if let Some((_, v)) = pair.split_once('=') {
                        add(v.trim().trim_matches('"'), true);
                    }
                }
            }
            for w in words {
                add(w.split_once('=').map_or(w, |(_, v)| v), false);
            }
        }
        for e in extra {
            add(e, true);
        }
        let mut secrets: Vec<Secret> = found
            .into_iter()
            .map(|s| Secret {
                bytes: s.into_bytes(),
            })
            .collect();
        secrets.sort_by_key(|s| std::cmp::Reverse(s.bytes.len()));
        Redactor { secrets }
    }

    /// True when there is nothing to redact.
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    /// Number of secrets.
    pub fn len(&self) -> usize {
        self.secrets.len()
    }

    /// Take the long secrets (raw or encoded) out of bytes a response
    /// carries, before the checks read them.
    pub fn redact_received(&self, bytes: &mut Vec<u8>) {
        if self.secrets.is_empty() {
            return;
        }
        let s = spans(bytes, &self.secrets, false);
        replace(bytes, &s);
    }

    /// [`Redactor::redact_received`] for text.
    pub fn redact_received_text(&self, text: &mut String) {
        self.text_with(text, false);
    }

    /// Take every secret, short ones included, out of bytes about to be
    /// written.
    pub fn redact_bytes(&self, bytes: &mut Vec<u8>) {
        if self.secrets.is_empty() {
            return;
        }
        let s = spans(bytes, &self.secrets, true);
        replace(bytes, &s);
    }

    /// Take every secret, short ones included, out of text about to be
    /// written.
    pub fn redact_text(&self, text: &mut String) {
        self.text_with(text, true);
    }

    fn text_with(&self, text: &mut String, short: bool) {
        if self.secrets.is_empty() || text.is_empty() {
            return;
        }
        let s = spans(text.as_bytes(), &self.secrets, short);
        if s.is_empty() {
            return;
        }
        let mut bytes = std::mem::take(text).into_bytes();
        replace(&mut bytes, &s);
        // A span may cut a multi-byte character only where the secret
        // itself ends inside one, which a whole secret (valid UTF-8)
        // cannot; lossy conversion covers the impossible case.
        *text = String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    }

    /// A copy of `text` with every secret taken out.
    pub fn redacted(&self, text: &str) -> String {
        let mut t = text.to_string();
        self.redact_text(&mut t);
        t
    }

    /// Take every secret out of everything an evidence file would hold.
    pub fn redact_evidence(&self, ev: &mut Evidence) {
        if self.secrets.is_empty() {
            return;
        }
        ev.texts_mut(&mut |t| self.redact_text(t), &mut |b| self.redact_bytes(b));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redactor(values: &[(&str, &str)]) -> Redactor {
        let h: Vec<Header> = values
            .iter()
            .map(|(n, v)| ((*n).to_string(), (*v).to_string()))
            .collect();
        Redactor::new(&h, &[])
    }

    #[test]
    fn whole_values_tokens_cookies_and_basic_passwords_are_secrets() {
        let r = redactor(&[
            ("authorization", "Bearer tok-0123456789"),
            ("cookie", "session=ck-0123456789; theme=dark"),
            ("x-short", "abc"),
            ("x-pair", "key=value-0123456789, mode=fast"),
        ]);
        let text = "Bearer tok-0123456789 ck-0123456789 dark abc value-0123456789 fast";
        let out = r.redacted(text);
        assert_eq!(
            out, "[redacted] [redacted] [redacted] [redacted] [redacted] fast",
            "`fast` is a short piece of a longer value, not a value"
        );
        assert!(
            !r.redacted("WWW-Authenticate: Bearer realm=x")
                .contains("[redacted]"),
            "the scheme word is public"
        );
        let basic = redactor(&[("authorization", "Basic dXNlcjpwNHNz")]);
        assert_eq!(
            basic.redacted("bad password p4ss"),
            "bad password [redacted]"
        );
        assert_eq!(format!("{r:?}"), "Secrets(8 redacted)");
    }

    #[test]
    fn content_negotiation_headers_are_not_secrets() {
        let r = redactor(&[
            ("Accept", "application/json"),
            ("user-agent", "my-agent/1.0"),
            ("x-api-key", "sk-live-0123456789"),
        ]);
        assert_eq!(
            r.redacted("content-type: application/json; my-agent/1.0 sk-live-0123456789"),
            "content-type: application/json; my-agent/1.0 [redacted]"
        );
        assert_eq!(r.len(), 1);
    }

    #[test]
    fn encoded_occurrences_are_found_and_replaced_in_place() {
        let r = redactor(&[("x-api-key", "sk-S3CRET-value")]);
        for (text, want) in [
            (r#"{"e":"\u0073k-S3CRET-value"}"#, r#"{"e":"[redacted]"}"#),
            (
                r#"{"e":"\u0073\u006b\u002d\u0053\u0033CRET-value"}"#,
                r#"{"e":"[redacted]"}"#,
            ),
            (r#"{"e":"sk-S3CRET\u002dvalue!"}"#, r#"{"e":"[redacted]!"}"#),
            (
                "https://a.example/?k=%73k-S3CRET%2Dvalue&x=1",
                "https://a.example/?k=[redacted]&x=1",
            ),
            ("<p>&#115;k-S3CRET&#x2d;value</p>", "<p>[redacted]</p>"),
            ("sk-S3CRET-valu", "sk-S3CRET-valu"),
        ] {
            assert_eq!(r.redacted(text), want, "{text}");
        }
        // Surrogate pairs and `\/`.
        let r = redactor(&[("x-key", "a/b😀cdefgh")]);
        assert_eq!(r.redacted(r#""a\/b\ud83d\ude00cdefgh""#), r#""[redacted]""#);
        // A body that is the secret over and over: linear, all of it.
        let r = redactor(&[("x-key", "tok-0123456789")]);
        let mut body = b"tok-0123456789".repeat(100_000);
        r.redact_bytes(&mut body);
        assert_eq!(body, REDACTED.as_bytes().repeat(100_000));
    }

    #[test]
    fn short_values_are_redacted_as_whole_tokens_at_the_sinks_only() {
        let r = redactor(&[("x-debug", "1"), ("x-key", "abc")]);
        assert_eq!(
            r.redacted("key 1 rejected; HTTP/1.1 from 127.0.0.1:8401 v1 \"1\" [1,2] abc abcd"),
            "key [redacted] rejected; HTTP/1.1 from 127.0.0.1:8401 v1 \"[redacted]\" [[redacted],2] [redacted] abcd"
        );
        // Encoded whole tokens too.
        assert_eq!(r.redacted("\"\\u0061bc\""), "\"[redacted]\"");
        // Not out of what the checks read.
        let mut body = b"{\"n\": 1, \"k\": \"abc\"}".to_vec();
        r.redact_received(&mut body);
        assert_eq!(body, b"{\"n\": 1, \"k\": \"abc\"}");
        r.redact_bytes(&mut body);
        assert_eq!(body, b"{\"n\": [redacted], \"k\": \"[redacted]\"}");
    }

    #[test]
    fn hostile_escapes_do_not_panic() {
        let r = redactor(&[("x-key", "k3y-0123456789"), ("x-s", "é")]);
        for text in [
            "\\",
            "\\u",
            "\\u12",
            "\\ud800",
            "\\ud800\\u",
            "%",
            "%4",
            "&",
            "&#;",
            "&#x;",
            "&#99999999999999999999;",
            "&#x110000;",
            "é\\u00e9%C3%A9&#233;",
        ] {
            let _ = r.redacted(text);
        }
        assert_eq!(r.redacted("x é y"), "x [redacted] y");
        assert_eq!(r.redacted("x %C3%A9 y"), "x [redacted] y");
    }
}
