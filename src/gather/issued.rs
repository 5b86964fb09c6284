//! Credentials a server issues never leave a scan.
//!
//! A probe designed to be rejected can still be answered with a credential
//! by a lax server: a client registration with its `client_secret` and
//! `registration_access_token` (RFC 7591 §3.2.1), a device code (RFC 8628
//! §3.2), tokens (RFC 6749 §5.1, OpenID Connect Core §3.1.3.3). Every
//! exchange is passed through [`redact_exchange`] where the gatherer
//! records it, before it enters the evidence, so no sink — evidence files,
//! reports in any format, batch lines — ever holds one.
//!
//! The body is read as JSON (or as a form) so that a value written with
//! `\u` escapes is found too; each such member's value becomes
//! `[redacted:<member>]`, the same text every time, so that evidence saved
//! with `--save-evidence` and evaluated again with `--from-evidence` gives
//! the same verdicts. The values found are then scrubbed from the rest of
//! the exchange: other strings of the body, headers, URLs, redirects, and
//! what was sent (the RFC 7592 deletion carries the registration access
//! token). User-supplied secrets (`-H`) are the HTTP client's concern
//! (`crate::http`).

use crate::model::exchange::Exchange;
use serde_json::Value;
use std::sync::OnceLock;

/// Members whose values are credentials the server issued: RFC 7591
/// §3.2.1 (`client_secret`, `registration_access_token`), RFC 6749 §5.1
/// (`access_token`, `refresh_token`), OpenID Connect Core §3.1.3.3
/// (`id_token`), RFC 8628 §3.2 (`device_code`), OpenID CIBA §7.3
/// (`auth_req_id`, which a client redeems for tokens). A token exchange
/// (RFC 8693 §2.2.1) returns its token as `access_token`.
pub const ISSUED_SECRETS: [&str; 7] = [
    "client_secret",
    "registration_access_token",
    "access_token",
    "refresh_token",
    "id_token",
    "device_code",
    "auth_req_id",
];

/// Values shorter than this are replaced where they are a member's whole
/// value, but not searched for elsewhere: replacing a short common string
/// everywhere would garble what is recorded.
const MIN_SCRUB_LEN: usize = 8;

/// The text that stands in for a member's value.
pub fn placeholder(member: &str) -> String {
    format!("[redacted:{member}]")
}

/// A secret found in an exchange: the member that held it and its value.
pub type IssuedSecret = (String, String);

/// Bodies that cannot hold an issued secret are left alone without being
/// parsed: only a member name as a JSON key (`"access_token"`) or a form
/// field (`access_token=`), or a `\u` escape that might spell one, makes a
/// body worth reading (metadata naming a `token_endpoint` is not).
fn may_hold_secret(body: &[u8]) -> bool {
    static RE: OnceLock<regex::bytes::Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let names = ISSUED_SECRETS.join("|");
        regex::bytes::Regex::new(&format!(r#""(?:{names})"|(?:^|&)(?:{names})=|\\u"#))
            .expect("static regex")
    })
    .is_match(body)
}

/// Replace the values of [`ISSUED_SECRETS`] members anywhere in `v`,
/// collecting them.
fn redact_json(v: &mut Value, found: &mut Vec<IssuedSecret>) {
    match v {
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                // A credential is a string; an object under such a name is
                // something else (an API description's schema of a token
                // response), and is searched like any other.
                let member = ISSUED_SECRETS.iter().find(|m| **m == k.as_str());
                match (member, &*val) {
                    (Some(member), Value::String(s)) => {
                        if *s != placeholder(member) {
                            found.push(((*member).to_string(), s.clone()));
                        }
                        *val = Value::String(placeholder(member));
                    }
                    _ => redact_json(val, found),
                }
            }
        }
        Value::Array(a) => {
            for x in a {
                redact_json(x, found);
            }
        }
        _ => {}
    }
}

/// Scrub known values out of every string of `v`.
fn scrub_json(v: &mut Value, secrets: &[IssuedSecret]) {
    match v {
        Value::String(s) => scrub_text(s, secrets),
        Value::Object(map) => map.values_mut().for_each(|x| scrub_json(x, secrets)),
        Value::Array(a) => a.iter_mut().for_each(|x| scrub_json(x, secrets)),
        _ => {}
    }
}

/// Every form of a secret that could appear in text: as is, and
/// percent-encoded (in a URL or a form body).
fn forms(secrets: &[IssuedSecret]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (member, value) in secrets {
        if value.len() < MIN_SCRUB_LEN {
            continue;
        }
        let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
        for f in [value.clone(), encoded] {
            if !out.iter().any(|(v, _)| *v == f) {
                out.push((f, placeholder(member)));
            }
        }
    }
    // Longest first, so a value goes before a shorter one inside it.
    out.sort_by_key(|(v, _)| std::cmp::Reverse(v.len()));
    out
}

fn scrub_text(s: &mut String, secrets: &[IssuedSecret]) {
    for (value, with) in forms(secrets) {
        if s.contains(&value) {
            *s = s.replace(&value, &with);
        }
    }
}

fn scrub_bytes(b: &mut Vec<u8>, secrets: &[IssuedSecret]) {
    for (value, with) in forms(secrets) {
        let value = value.as_bytes();
        let at = |i: usize, b: &[u8]| b[i..].starts_with(value);
        if !(0..b.len()).any(|i| at(i, b)) {
            continue;
        }
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            if at(i, b) {
                out.extend_from_slice(with.as_bytes());
                i += value.len();
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        *b = out;
    }
}

/// Redact a form-encoded body (`a=1&access_token=…`), collecting values.
fn redact_form(body: &[u8], found: &mut Vec<IssuedSecret>) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(body).ok()?.trim();
    // A form body is one line of `name=value` pairs, with no raw spaces.
    if !text.contains('=')
        || text.starts_with(['{', '[', '<'])
        || text.contains(char::is_whitespace)
    {
        return None;
    }
    let mut any = false;
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(text.as_bytes())
        .map(
            |(k, v)| match ISSUED_SECRETS.iter().find(|m| **m == k.as_ref()) {
                Some(member) => {
                    any = true;
                    if v != placeholder(member) {
                        found.push(((*member).to_string(), v.into_owned()));
                    }
                    (k.into_owned(), placeholder(member))
                }
                None => (k.into_owned(), v.into_owned()),
            },
        )
        .collect();
    any.then(|| {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
            .into_bytes()
    })
}

/// Take every credential the server issued out of an exchange, and the
/// `known` ones (found in an earlier exchange of the same conversation)
/// too. Returns the secrets found in this exchange's response, so the
/// caller can scrub them from a follow-up request.
pub fn redact_exchange(x: &mut Exchange, known: &[IssuedSecret]) -> Vec<IssuedSecret> {
    let mut found: Vec<IssuedSecret> = Vec::new();
    if let Some(r) = x.response.as_mut()
        && may_hold_secret(&r.body)
    {
        match serde_json::from_slice::<Value>(&r.body) {
            Ok(mut v) => {
                redact_json(&mut v, &mut found);
                if !found.is_empty() || !known.is_empty() {
                    let all: Vec<IssuedSecret> = found.iter().chain(known).cloned().collect();
                    scrub_json(&mut v, &all);
                    if let Ok(body) = serde_json::to_vec(&v) {
                        r.body = body;
                    }
                }
            }
            Err(_) => {
                if let Some(body) = redact_form(&r.body, &mut found) {
                    r.body = body;
                }
            }
        }
    }
    let all: Vec<IssuedSecret> = found.iter().chain(known).cloned().collect();
    if all.is_empty() {
        return found;
    }
    scrub_text(&mut x.request.url, &all);
    for (_, v) in &mut x.request.headers {
        scrub_text(v, &all);
    }
    if let Some(b) = x.request.body.as_mut() {
        scrub_text(b, &all);
    }
    if let Some(e) = x.error.as_mut() {
        scrub_text(&mut e.message, &all);
    }
    if let Some(r) = x.response.as_mut() {
        // A body that did not parse (truncated, or not JSON) is searched
        // for the values too.
        scrub_bytes(&mut r.body, &all);
        scrub_text(&mut r.final_url, &all);
        for (_, v) in &mut r.headers {
            scrub_text(v, &all);
        }
        for hop in &mut r.redirects {
            scrub_text(&mut hop.from, &all);
            scrub_text(&mut hop.to, &all);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::exchange::{Exchange, RequestRecord, ResponseRecord};

    fn exchange(body: &str, headers: Vec<(String, String)>) -> Exchange {
        Exchange {
            probe: "registration@x".into(),
            request: RequestRecord {
                method: "POST".into(),
                url: "https://as.example/register".into(),
                headers: Vec::new(),
                body: Some("{".into()),
            },
            response: Some(ResponseRecord {
                status: 201,
                final_url: "https://as.example/register".into(),
                redirects: Vec::new(),
                headers,
                body: body.as_bytes().to_vec(),
                truncated: false,
            }),
            error: None,
            elapsed_ms: 0,
        }
    }

    fn text(x: &Exchange) -> String {
        serde_json::to_string(x).unwrap()
    }

    #[test]
    fn issued_members_are_replaced_escaped_or_not_and_scrubbed_everywhere() {
        // `\u0073` spells the s of the secret; the key is escaped too.
        let body = r#"{"client_id":"c-1","client_s\u0065cret":"\u0073ecret-0123456789",
            "registration_access_token":"rat-0123456789abcdef",
            "registration_client_uri":"https://as.example/register/c-1?t=rat-0123456789abcdef",
            "nested":{"refresh_token":"rt-0123456789"},"note":"echo rt-0123456789"}"#;
        let mut x = exchange(
            body,
            vec![(
                "location".into(),
                "https://as.example/register/c-1#rat-0123456789abcdef".into(),
            )],
        );
        let found = redact_exchange(&mut x, &[]);
        let mut members: Vec<&str> = found.iter().map(|(m, _)| m.as_str()).collect();
        members.sort_unstable();
        assert_eq!(
            members,
            [
                "client_secret",
                "refresh_token",
                "registration_access_token"
            ]
        );
        let all = text(&x);
        for secret in ["secret-0123456789", "rat-0123456789abcdef", "rt-0123456789"] {
            assert!(!all.contains(secret), "{secret} left in {all}");
        }
        let v: Value = serde_json::from_slice(&x.response.as_ref().unwrap().body).unwrap();
        assert_eq!(v["client_secret"], "[redacted:client_secret]");
        assert_eq!(v["client_id"], "c-1", "a client id is not a secret");
        assert_eq!(
            v["registration_client_uri"],
            "https://as.example/register/c-1?t=[redacted:registration_access_token]"
        );
        // Stable: redacting again changes nothing.
        let before = text(&x);
        assert!(redact_exchange(&mut x, &[]).is_empty());
        assert_eq!(text(&x), before);
    }

    #[test]
    fn form_bodies_truncated_bodies_and_follow_up_requests_are_covered() {
        let mut x = exchange(
            "access_token=at-0123456789&token_type=bearer&expires_in=3600",
            vec![],
        );
        let found = redact_exchange(&mut x, &[]);
        assert_eq!(found[0].0, "access_token");
        assert!(!text(&x).contains("at-0123456789"));
        // A body cut at the cap does not parse: the known values are
        // searched for in its text.
        let mut cut = exchange(r#"{"device_code":"dc-0123456789","user_co"#, vec![]);
        cut.response.as_mut().unwrap().truncated = true;
        let known = vec![("device_code".to_string(), "dc-0123456789".to_string())];
        redact_exchange(&mut cut, &known);
        assert!(!text(&cut).contains("dc-0123456789"));
        // The follow-up request carries a token found in an earlier answer.
        let mut delete = exchange("", vec![]);
        delete.request.headers =
            vec![("authorization".into(), "Bearer rat-0123456789abcdef".into())];
        let known = vec![(
            "registration_access_token".to_string(),
            "rat-0123456789abcdef".to_string(),
        )];
        redact_exchange(&mut delete, &known);
        assert_eq!(
            delete.request.headers[0].1,
            "Bearer [redacted:registration_access_token]"
        );
    }

    /// An API description's schema of a token response names the members
    /// without holding credentials: it is not touched.
    #[test]
    fn schemas_named_like_credentials_are_not_credentials() {
        let body = r#"{"components":{"schemas":{"Token":{"properties":{"access_token":{"type":"string"},"refresh_token":{"type":"string"}}}}}}"#;
        let mut x = exchange(body, vec![]);
        assert!(redact_exchange(&mut x, &[]).is_empty());
        assert_eq!(x.response.unwrap().body, body.as_bytes());
        let yaml = "paths:\n  /token:\n    access_token: example=1\n";
        let mut x = exchange(yaml, vec![]);
        assert!(redact_exchange(&mut x, &[]).is_empty());
        assert_eq!(x.response.unwrap().body, yaml.as_bytes());
    }

    #[test]
    fn ordinary_bodies_are_left_byte_for_byte() {
        let body = "{ \"issuer\": \"https://as.example\",\n  \"token_endpoint\": \"https://as.example/token\" }";
        let mut x = exchange(body, vec![]);
        assert!(redact_exchange(&mut x, &[]).is_empty());
        assert_eq!(x.response.unwrap().body, body.as_bytes());
    }
}
