//! Scan targets: what the user typed, normalised to a URL.
//!
//! A target may be a bare domain (`example.com` → `https://example.com/`), an
//! origin (`https://example.com`), an API base URL (`https://api.example.com/v1`)
//! or an MCP endpoint URL (`https://mcp.example.com/mcp`). The raw input is kept
//! for the report; the URL is what probes are built from.

use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use url::Url;

/// Why a target could not be understood. Maps to exit code 2.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum TargetError {
    /// Nothing was given.
    #[error("the target is empty")]
    Empty,
    /// The input does not parse as a URL or a domain.
    #[error("`{input}` is not a domain or URL: {reason}")]
    Unparseable {
        /// What the user typed.
        input: String,
        /// What was wrong with it.
        reason: String,
    },
    /// A URL with a scheme agentready does not scan.
    #[error("`{input}` uses the scheme `{scheme}`; only http and https targets can be scanned")]
    Scheme {
        /// What the user typed.
        input: String,
        /// The scheme found.
        scheme: String,
    },
}

/// What kind of thing the target URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetKind {
    /// A bare domain or an origin (no path beyond `/`).
    Origin,
    /// A URL with a path: an API base URL or a resource.
    Endpoint,
    /// A URL whose last path segment is `mcp` or `sse`: an MCP endpoint.
    Mcp,
}

/// A normalised scan target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// Exactly what the user typed (trimmed).
    pub input: String,
    /// The normalised URL that probes are built from.
    pub url: Url,
    /// Origin, endpoint or MCP endpoint.
    pub kind: TargetKind,
}

impl Target {
    /// Parse and normalise user input.
    ///
    /// ```
    /// use agentready::target::Target;
    /// let t = Target::parse("example.com").unwrap();
    /// assert_eq!(t.url.as_str(), "https://example.com/");
    /// ```
    pub fn parse(input: &str) -> Result<Self, TargetError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(TargetError::Empty);
        }
        let with_scheme = if input.contains("://") {
            input.to_string()
        } else {
            if input.starts_with('/') || input.contains(char::is_whitespace) {
                return Err(TargetError::Unparseable {
                    input: input.to_string(),
                    reason: "expected a domain such as example.com or a URL".into(),
                });
            }
            format!("https://{input}")
        };
        let mut url = Url::parse(&with_scheme).map_err(|e| TargetError::Unparseable {
            input: input.to_string(),
            reason: e.to_string(),
        })?;
        if url.scheme() != "http" && url.scheme() != "https" {
            return Err(TargetError::Scheme {
                input: input.to_string(),
                scheme: url.scheme().to_string(),
            });
        }
        let Some(host) = url.host_str() else {
            return Err(TargetError::Unparseable {
                input: input.to_string(),
                reason: "no host".into(),
            });
        };
        if !input.contains("://") && !host.contains('.') && host != "localhost" && !is_ip(host) {
            return Err(TargetError::Unparseable {
                input: input.to_string(),
                reason: "a bare name needs a dot (example.com), or give a full URL".into(),
            });
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(TargetError::Unparseable {
                input: input.to_string(),
                reason: "credentials in the URL are not accepted; use -H or --token-env".into(),
            });
        }
        url.set_fragment(None);
        let kind = classify(&url);
        Ok(Target {
            input: input.to_string(),
            url,
            kind,
        })
    }

    /// `scheme://host[:port]` without a trailing slash, as the URL crate
    /// serialises it.
    pub fn origin(&self) -> String {
        origin_of(&self.url)
    }

    /// The target's path without a trailing slash; empty for an origin.
    pub fn path(&self) -> &str {
        self.url.path().trim_end_matches('/')
    }

    /// True when the target host is a loopback or private address, or
    /// `localhost`: the user asked to scan a private destination.
    pub fn is_private(&self) -> bool {
        self.url.host_str().is_some_and(is_private_host)
    }
}

fn classify(url: &Url) -> TargetKind {
    let path = url.path().trim_end_matches('/');
    if path.is_empty() {
        return TargetKind::Origin;
    }
    let last = path.rsplit('/').next().unwrap_or_default();
    if last.eq_ignore_ascii_case("mcp") || last.eq_ignore_ascii_case("sse") {
        TargetKind::Mcp
    } else {
        TargetKind::Endpoint
    }
}

fn is_ip(host: &str) -> bool {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .is_ok()
}

/// `scheme://host[:port]` of a URL.
pub fn origin_of(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// Loopback hosts: `localhost`, 127.0.0.0/8 and `::1`. Plain http to these
/// is accepted where https is required (browsers treat them as trustworthy).
pub fn is_loopback_host(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    if h.eq_ignore_ascii_case("localhost") || h.to_ascii_lowercase().ends_with(".localhost") {
        return true;
    }
    h.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Loopback, private (RFC 1918, ULA), link-local and unspecified addresses,
/// and `localhost`.
pub fn is_private_host(host: &str) -> bool {
    if is_loopback_host(host) {
        return true;
    }
    let h = host.trim_start_matches('[').trim_end_matches(']');
    match h.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => {
            ip.is_private() || ip.is_link_local() || ip.is_unspecified() || ip.is_shared_v4()
        }
        Ok(IpAddr::V6(ip)) => {
            let seg0 = ip.segments()[0];
            ip.is_unspecified() || (seg0 & 0xfe00) == 0xfc00 || (seg0 & 0xffc0) == 0xfe80
        }
        Err(_) => false,
    }
}

trait SharedV4 {
    fn is_shared_v4(&self) -> bool;
}

impl SharedV4 for std::net::Ipv4Addr {
    /// 100.64.0.0/10 (carrier-grade NAT).
    fn is_shared_v4(&self) -> bool {
        let o = self.octets();
        o[0] == 100 && (o[1] & 0xc0) == 64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_domain_becomes_https_origin() {
        let t = Target::parse("example.com").unwrap();
        assert_eq!(t.url.as_str(), "https://example.com/");
        assert_eq!(t.kind, TargetKind::Origin);
        assert_eq!(t.origin(), "https://example.com");
        assert_eq!(t.path(), "");
    }

    #[test]
    fn api_base_and_mcp_endpoints() {
        let t = Target::parse("https://api.example.com/v1/").unwrap();
        assert_eq!(t.kind, TargetKind::Endpoint);
        assert_eq!(t.path(), "/v1");
        let t = Target::parse("https://mcp.example.com/mcp").unwrap();
        assert_eq!(t.kind, TargetKind::Mcp);
        let t = Target::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!(t.url.as_str(), "http://127.0.0.1:8080/");
        assert!(t.is_private());
    }

    #[test]
    fn fragments_dropped_query_kept() {
        let t = Target::parse("https://api.example.com/v1?x=1#frag").unwrap();
        assert_eq!(t.url.as_str(), "https://api.example.com/v1?x=1");
    }

    #[test]
    fn unparseable_targets() {
        assert_eq!(Target::parse("  "), Err(TargetError::Empty));
        assert!(matches!(
            Target::parse("ftp://example.com"),
            Err(TargetError::Scheme { .. })
        ));
        assert!(Target::parse("not a domain").is_err());
        assert!(Target::parse("http://").is_err());
        assert!(Target::parse("intranet").is_err());
        assert!(Target::parse("https://user:pw@example.com").is_err());
        assert!(Target::parse("/just/a/path").is_err());
    }

    #[test]
    fn private_and_loopback_hosts() {
        assert!(is_loopback_host("127.0.0.1"));
        assert!(is_loopback_host("127.9.9.9"));
        assert!(is_loopback_host("[::1]"));
        assert!(is_loopback_host("localhost"));
        assert!(!is_loopback_host("example.com"));
        assert!(is_private_host("10.1.2.3"));
        assert!(is_private_host("192.168.0.1"));
        assert!(is_private_host("169.254.169.254"));
        assert!(is_private_host("[fd00::1]"));
        assert!(!is_private_host("8.8.8.8"));
    }
}
