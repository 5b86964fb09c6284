//! What one request sent and got back: the owned records the evidence
//! store keeps, and the probe mode they were sent in.

use serde::{Deserialize, Serialize};

/// What the scanner may send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// GET requests only.
    Passive,
    /// GETs plus requests designed to be rejected (the default).
    #[default]
    Safe,
    /// Safe, plus a user-supplied token read for its facts.
    Credentialed,
}

impl Mode {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Passive => "passive",
            Mode::Safe => "safe",
            Mode::Credentialed => "credentialed",
        }
    }
}

/// One header, name lower-cased.
pub type Header = (String, String);

/// What was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRecord {
    /// HTTP method.
    pub method: String,
    /// The URL requested first (before redirects).
    pub url: String,
    /// Headers sent by agentready; user-supplied values are redacted.
    pub headers: Vec<Header>,
    /// Request body, if any (never a secret: probes send only fixed bodies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// What makes two requests the same request: method, URL, body, and the
/// credentials the probe itself sends. Other header differences (`Accept`)
/// do not make a second request worth sending.
pub fn request_key(method: &str, url: &str, headers: &[Header], body: Option<&str>) -> String {
    let auth = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
        .map_or("", |(_, v)| v.as_str());
    format!("{method} {url}\n{auth}\n{}", body.unwrap_or_default())
}

/// True when `key` is the [`request_key`] of these parts, compared piece by
/// piece without building the key (the planner asks this of every exchange
/// for every planned probe).
pub fn key_matches(
    key: &str,
    method: &str,
    url: &str,
    headers: &[Header],
    body: Option<&str>,
) -> bool {
    let auth = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
        .map_or("", |(_, v)| v.as_str());
    let rest = key
        .strip_prefix(method)
        .and_then(|r| r.strip_prefix(' '))
        .and_then(|r| r.strip_prefix(url))
        .and_then(|r| r.strip_prefix('\n'))
        .and_then(|r| r.strip_prefix(auth))
        .and_then(|r| r.strip_prefix('\n'));
    rest == Some(body.unwrap_or_default())
}

impl RequestRecord {
    /// The de-duplication key of this request (see `request_key`).
    pub fn key(&self) -> String {
        request_key(&self.method, &self.url, &self.headers, self.body.as_deref())
    }

    /// True when `key` is this request's [`RequestRecord::key`].
    pub fn has_key(&self, key: &str) -> bool {
        key_matches(
            key,
            &self.method,
            &self.url,
            &self.headers,
            self.body.as_deref(),
        )
    }
}

/// One redirect hop that was followed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redirect {
    /// Status of the redirect response.
    pub status: u16,
    /// URL that answered with the redirect.
    pub from: String,
    /// Where it pointed (resolved).
    pub to: String,
}

/// What came back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseRecord {
    /// Status code of the final response.
    pub status: u16,
    /// URL of the final response (after redirects).
    pub final_url: String,
    /// Redirects followed, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redirects: Vec<Redirect>,
    /// Response headers, names lower-cased, in order (repeats kept).
    pub headers: Vec<Header>,
    /// The body, decompressed and capped.
    #[serde(with = "body_serde")]
    pub body: Vec<u8>,
    /// True when the body was cut at the cap.
    #[serde(default)]
    pub truncated: bool,
}

impl ResponseRecord {
    /// First value of a header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// All values of a header, in order.
    pub fn header_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The media type of `Content-Type`, lower-cased, without parameters.
    pub fn media_type(&self) -> Option<String> {
        self.header("content-type").map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
    }

    /// True when the media type is JSON (`application/json` or `+json`).
    pub fn is_json_media_type(&self) -> bool {
        self.media_type()
            .is_some_and(|m| m == "application/json" || m.ends_with("+json"))
    }

    /// True when the response looks like an HTML page (by media type or by
    /// the first bytes of the body).
    pub fn looks_like_html(&self) -> bool {
        if self.media_type().is_some_and(|m| m.contains("html")) {
            return true;
        }
        let head: Vec<u8> = self
            .body
            .iter()
            .copied()
            .skip_while(u8::is_ascii_whitespace)
            .take(15)
            .collect();
        let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
        head.starts_with("<!doctype html") || head.starts_with("<html")
    }

    /// 2xx status.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Why an exchange has no response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeError {
    /// Stable kind (serialised as its kebab-case name).
    pub kind: ErrorKind,
    /// Human-readable message with what to check next.
    pub message: String,
}

/// Why a request got no usable answer, or was not sent. Serialised as the
/// stable kebab-case names evidence files and reports have always used.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// The name did not resolve.
    Dns,
    /// The connection failed.
    Connect,
    /// The TLS handshake failed.
    Tls,
    /// The request timed out.
    Timeout,
    /// Not finished within the per-target deadline.
    Deadline,
    /// Too many redirects.
    RedirectLimit,
    /// A redirect that is not followed (another scheme).
    RedirectRefused,
    /// The URL (or a redirect's) cannot be requested.
    InvalidUrl,
    /// The body could not be read.
    Body,
    /// Any other HTTP-level failure.
    Http,
    /// Not sent: the SSRF guard refused a private or loopback destination.
    Refused,
    /// Not sent: the run is restricted to loopback (tests, the demo).
    Restricted,
    /// Not sent: the host is on the `--exclude` list.
    Excluded,
    /// Not sent: robots.txt disallows it.
    Robots,
    /// Not sent: the host failed too often in this batch.
    HostSkipped,
    /// Not sent: an RFC 7592 deletion on another origin than the
    /// registration endpoint's.
    CrossOrigin,
    /// Anything else.
    Other,
    /// A kind this version does not know (an evidence file written by
    /// another one), kept as written.
    #[serde(untagged)]
    Unknown(String),
}

impl ErrorKind {
    /// The stable name.
    pub fn as_str(&self) -> &str {
        match self {
            ErrorKind::Dns => "dns",
            ErrorKind::Connect => "connect",
            ErrorKind::Tls => "tls",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Deadline => "deadline",
            ErrorKind::RedirectLimit => "redirect-limit",
            ErrorKind::RedirectRefused => "redirect-refused",
            ErrorKind::InvalidUrl => "invalid-url",
            ErrorKind::Body => "body",
            ErrorKind::Http => "http",
            ErrorKind::Refused => "refused",
            ErrorKind::Restricted => "restricted",
            ErrorKind::Excluded => "excluded",
            ErrorKind::Robots => "robots",
            ErrorKind::HostSkipped => "host-skipped",
            ErrorKind::CrossOrigin => "cross-origin",
            ErrorKind::Other => "other",
            ErrorKind::Unknown(s) => s,
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One request and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exchange {
    /// The probe that sent it.
    pub probe: String,
    /// What was sent.
    pub request: RequestRecord,
    /// What came back, if anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<ResponseRecord>,
    /// Why nothing usable came back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ProbeError>,
    /// Wall time of the whole exchange, redirects included.
    pub elapsed_ms: u64,
}

mod body_serde {
    //! Bodies are stored as text when they are UTF-8, else as base64.
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    #[serde(untagged)]
    enum Stored {
        Text(String),
        Binary { base64: String },
    }

    pub(super) fn serialize<S: Serializer>(body: &[u8], s: S) -> Result<S::Ok, S::Error> {
        match std::str::from_utf8(body) {
            Ok(t) => Stored::Text(t.to_string()).serialize(s),
            Err(_) => Stored::Binary {
                base64: base64::engine::general_purpose::STANDARD.encode(body),
            }
            .serialize(s),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        match Stored::deserialize(d)? {
            Stored::Text(t) => Ok(t.into_bytes()),
            Stored::Binary { base64 } => base64::engine::general_purpose::STANDARD
                .decode(base64)
                .map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_kinds_serialise_as_their_stable_names() {
        for kind in [
            ErrorKind::Dns,
            ErrorKind::RedirectLimit,
            ErrorKind::HostSkipped,
            ErrorKind::CrossOrigin,
            ErrorKind::Unknown("from-the-future".into()),
        ] {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{kind}\""));
            assert_eq!(serde_json::from_str::<ErrorKind>(&json).unwrap(), kind);
        }
        assert_eq!(
            serde_json::from_str::<ErrorKind>("\"timeout\"").unwrap(),
            ErrorKind::Timeout
        );
    }

    #[test]
    fn key_matches_agrees_with_request_key() {
        let auth: Vec<Header> = vec![("Authorization".into(), "Bearer x".into())];
        let accept: Vec<Header> = vec![("accept".into(), "application/json".into())];
        let cases: Vec<(&str, &str, &[Header], Option<&str>)> = vec![
            ("GET", "https://a.example/x", &[], None),
            ("GET", "https://a.example/x", &accept, None),
            ("GET", "https://a.example/x", &auth, None),
            ("POST", "https://a.example/x", &[], Some("")),
            ("POST", "https://a.example/x", &[], Some("a=1")),
            ("POST", "https://a.example/x", &auth, Some("a=1")),
            ("GET", "https://a.example/xy", &[], None),
            ("GET", "https://a.example/", &[], None),
        ];
        for (m1, u1, h1, b1) in &cases {
            let key = request_key(m1, u1, h1, *b1);
            for (m2, u2, h2, b2) in &cases {
                assert_eq!(
                    key_matches(&key, m2, u2, h2, *b2),
                    key == request_key(m2, u2, h2, *b2),
                    "{m1} {u1} {b1:?} vs {m2} {u2} {b2:?}"
                );
            }
        }
        // Headers other than Authorization do not make a new request.
        let key = request_key("GET", "https://a.example/x", &[], None);
        assert!(key_matches(
            &key,
            "GET",
            "https://a.example/x",
            &accept,
            None
        ));
        assert!(!key_matches(
            &key,
            "GET",
            "https://a.example/x",
            &auth,
            None
        ));
    }
}
