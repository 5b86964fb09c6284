//! Scan targets: what the user typed, normalised to a URL.
//!
//! A target may be a bare domain (`example.com` → `https://example.com/`), an
//! origin (`https://example.com`), an API base URL (`https://api.example.com/v1`)
//! or an MCP endpoint URL (`https://mcp.example.com/mcp`). The raw input is kept
//! for the report; the URL is what probes are built from.

use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
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
    /// use agentready::model::target::Target;
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
        // `example.com.` (a fully qualified name) is `example.com`: one
        // target, one origin, one line in a batch.
        if let Some(url::Host::Domain(d)) = url.host()
            && let Some(bare) = d
                .strip_suffix('.')
                .filter(|b| !b.is_empty() && !b.ends_with('.'))
        {
            let bare = bare.to_string();
            let _ = url.set_host(Some(&bare));
        }
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

/// A URL host as the address checks read it: brackets of an IPv6 literal
/// removed, lower-cased, and one trailing dot (a fully qualified name,
/// `example.com.`) dropped.
pub fn normalise_host(host: &str) -> String {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    let h = h.strip_suffix('.').unwrap_or(h);
    h.to_ascii_lowercase()
}

/// The host as an IP address, if it is an address literal (IPv6 may be
/// bracketed).
pub fn host_ip(host: &str) -> Option<IpAddr> {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .ok()
}

/// True for `localhost` and every name under it: RFC 6761 §6.3 reserves
/// them for the loopback interface, so they are never asked of DNS.
pub fn is_localhost_name(host: &str) -> bool {
    let h = normalise_host(host);
    h == "localhost" || h.ends_with(".localhost")
}

/// The IPv4 address an IPv6 address embeds and is delivered to, for the
/// embeddings a packet really follows:
///
/// - IPv4-mapped `::ffff:a.b.c.d` (RFC 4291 §2.5.5.2): a dual-stack socket
///   connects to the IPv4 address itself;
/// - IPv4-compatible `::a.b.c.d` (RFC 4291 §2.5.5.1, deprecated), other
///   than `::` and `::1`;
/// - IPv4-translated `::ffff:0:a.b.c.d` (RFC 2765 §2.1, SIIT);
/// - the NAT64 well-known prefix `64:ff9b::/96` (RFC 6052 §2.1): the
///   translator forwards to the IPv4 address;
/// - 6to4 `2002:AABB:CCDD::/48` (RFC 3056 §2): the site's IPv4 router;
/// - Teredo `2001:0::/32` (RFC 4380 §4): the client's IPv4 address, stored
///   in the last 32 bits XOR-ed with all ones.
///
/// The NAT64 local-use prefix `64:ff9b:1::/48` (RFC 8215) is not decoded:
/// its prefix length is the operator's choice, so where the IPv4 address
/// sits is unknown; [`is_public_ip`] refuses the whole prefix instead.
pub fn embedded_ipv4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let last = |a: u16, b: u16| {
        let [a1, a2] = a.to_be_bytes();
        let [b1, b2] = b.to_be_bytes();
        Ipv4Addr::new(a1, a2, b1, b2)
    };
    let zero = |r: std::ops::Range<usize>| s[r].iter().all(|x| *x == 0);
    if zero(0..5) && s[5] == 0xffff {
        return Some(last(s[6], s[7]));
    }
    if zero(0..4) && s[4] == 0xffff && s[5] == 0 {
        return Some(last(s[6], s[7]));
    }
    if zero(0..6) && !(s[6] == 0 && s[7] <= 1) {
        return Some(last(s[6], s[7]));
    }
    if s[0] == 0x64 && s[1] == 0xff9b && zero(2..6) {
        return Some(last(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        return Some(last(s[1], s[2]));
    }
    if s[0] == 0x2001 && s[1] == 0 {
        return Some(last(!s[6], !s[7]));
    }
    None
}

/// The address a literal really reaches: an IPv6 address that embeds an
/// IPv4 address ([`embedded_ipv4`]) is that IPv4 address; anything else is
/// itself. The SSRF guard, `--exclude` and loopback tests judge this.
///
/// ```
/// use agentready::model::target::canonical_ip;
/// let mapped: std::net::IpAddr = "::ffff:7f00:1".parse().unwrap();
/// assert_eq!(canonical_ip(mapped).to_string(), "127.0.0.1");
/// ```
pub fn canonical_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => embedded_ipv4(v6).map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// True when an IPv4 address is globally reachable. Every block the IANA
/// IPv4 Special-Purpose Address Registry marks as not globally reachable is
/// refused, plus multicast and the deprecated 6to4 relay block:
///
/// | block | why |
/// | --- | --- |
/// | 0.0.0.0/8 | "this network" (RFC 791); `connect` to 0.0.0.0 reaches the local host |
/// | 10/8, 172.16/12, 192.168/16 | private (RFC 1918) |
/// | 100.64/10 | carrier-grade NAT, shared address space (RFC 6598) |
/// | 127/8 | loopback (RFC 1122) |
/// | 169.254/16 | link-local (RFC 3927): cloud metadata services live at 169.254.169.254 |
/// | 192.0.0.0/24 | IETF protocol assignments (RFC 6890): DS-Lite, NAT64 discovery |
/// | 192.0.2/24, 198.51.100/24, 203.0.113/24 | documentation (RFC 5737): never a real server, sometimes misused inside networks |
/// | 192.88.99/24 | 6to4 relay anycast (RFC 7526, deprecated) |
/// | 198.18/15 | benchmarking (RFC 2544): lab networks |
/// | 224/4 | multicast: never a TCP server |
/// | 240/4, 255.255.255.255 | reserved (RFC 1112) and limited broadcast (RFC 919) |
pub fn is_public_ipv4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    !(o[0] == 0
        || o[0] == 10
        || (o[0] == 100 && (o[1] & 0xc0) == 64)
        || o[0] == 127
        || (o[0] == 169 && o[1] == 254)
        || (o[0] == 172 && (o[1] & 0xf0) == 16)
        || (o[0] == 192 && o[1] == 0 && (o[2] == 0 || o[2] == 2))
        || (o[0] == 192 && o[1] == 88 && o[2] == 99)
        || (o[0] == 192 && o[1] == 168)
        || (o[0] == 198 && (o[1] & 0xfe) == 18)
        || (o[0] == 198 && o[1] == 51 && o[2] == 100)
        || (o[0] == 203 && o[1] == 0 && o[2] == 113)
        || o[0] >= 224)
}

/// True when an IPv6 address that embeds no IPv4 address is globally
/// reachable: only global unicast `2000::/3` (RFC 4291 §2.4) is, which
/// leaves out `::1`, `::`, discard-only `100::/64` (RFC 6666), the NAT64
/// local-use prefix `64:ff9b:1::/48` (RFC 8215: the operator's own
/// translator), SRv6 SIDs `5f00::/16` (RFC 9602), unique local `fc00::/7`
/// (RFC 4193), link-local `fe80::/10`, site-local `fec0::/10` (RFC 3879,
/// deprecated but still routed inside some sites) and multicast `ff00::/8`.
/// Inside `2000::/3`, the IETF protocol block `2001::/23` (RFC 2928:
/// benchmarking `2001:2::/48`, ORCHID, AMT and AS112 anycast — no web
/// server) and documentation `2001:db8::/32` (RFC 3849) and `3fff::/20`
/// (RFC 9637) are refused too.
fn is_public_ipv6_unicast(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    (s[0] & 0xe000) == 0x2000
        && !(s[0] == 0x2001 && s[1] < 0x0200)
        && !(s[0] == 0x2001 && s[1] == 0x0db8)
        && !(s[0] == 0x3fff && s[1] < 0x1000)
}

/// True when an address is globally reachable, judged on what it really
/// reaches: an IPv6 address embedding an IPv4 address ([`embedded_ipv4`])
/// by that IPv4 address (a Teredo address by both its client and its
/// server), an ISATAP interface identifier (`…:0:5efe:a.b.c.d`, RFC 5214
/// §6.1) by its prefix and its IPv4 address, anything else by the IANA
/// special-purpose registries ([`is_public_ipv4`]).
pub fn is_public_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_ipv4(v4),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            if s[0] == 0x2001 && s[1] == 0 {
                let server = Ipv4Addr::new(
                    s[2].to_be_bytes()[0],
                    s[2].to_be_bytes()[1],
                    s[3].to_be_bytes()[0],
                    s[3].to_be_bytes()[1],
                );
                return embedded_ipv4(v6).is_some_and(is_public_ipv4) && is_public_ipv4(server);
            }
            if let Some(v4) = embedded_ipv4(v6) {
                return is_public_ipv4(v4);
            }
            if (s[4] & 0xfdff) == 0 && s[5] == 0x5efe {
                let [a, b] = s[6].to_be_bytes();
                let [c, d] = s[7].to_be_bytes();
                return is_public_ipv6_unicast(v6) && is_public_ipv4(Ipv4Addr::new(a, b, c, d));
            }
            is_public_ipv6_unicast(v6)
        }
    }
}

/// True for a loopback address: 127.0.0.0/8, `::1`, and an IPv4-mapped
/// loopback address (`::ffff:127.0.0.1`, which a dual-stack socket
/// delivers to 127.0.0.1).
pub fn is_loopback_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// Loopback hosts: `localhost` and the names under it, 127.0.0.0/8, `::1`
/// and IPv4-mapped loopback addresses. Plain http to these is accepted
/// where https is required (browsers treat them as trustworthy).
pub fn is_loopback_host(host: &str) -> bool {
    is_localhost_name(host) || host_ip(host).is_some_and(is_loopback_ip)
}

/// Hosts the SSRF guard refuses unless the user asked for them: `localhost`
/// names, and every address literal that is not globally reachable
/// ([`is_public_ip`]: loopback, private, link-local, shared, reserved,
/// documentation, multicast, and IPv6 addresses embedding any of those).
/// A name is judged by what it resolves to, in the HTTP layer.
pub fn is_private_host(host: &str) -> bool {
    is_localhost_name(host) || host_ip(host).is_some_and(|ip| !is_public_ip(ip))
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

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn embedded_ipv4_addresses_are_judged_by_the_ipv4_address() {
        // Every embedding of a private IPv4 address is private, and of a
        // public one public (where the prefix itself is routable).
        for (v6, v4) in [
            ("::ffff:127.0.0.1", "127.0.0.1"),
            ("::ffff:7f00:1", "127.0.0.1"),
            ("::ffff:169.254.169.254", "169.254.169.254"),
            ("::ffff:a9fe:a9fe", "169.254.169.254"),
            ("::ffff:0:10.0.0.1", "10.0.0.1"),
            ("::127.0.0.1", "127.0.0.1"),
            ("::7f00:1", "127.0.0.1"),
            ("64:ff9b::127.0.0.1", "127.0.0.1"),
            ("64:ff9b::a9fe:a9fe", "169.254.169.254"),
            ("2002:7f00:1::", "127.0.0.1"),
            ("2002:a9fe:a9fe:1::1", "169.254.169.254"),
            ("2002:c0a8:0101::", "192.168.1.1"),
            // Teredo: the client 127.0.0.1 XOR-ed with all ones.
            ("2001:0:4136:e378:8000:63bf:80ff:fffe", "127.0.0.1"),
            ("::ffff:8.8.8.8", "8.8.8.8"),
            ("64:ff9b::808:808", "8.8.8.8"),
            ("2002:808:808::1", "8.8.8.8"),
        ] {
            assert_eq!(canonical_ip(ip(v6)), ip(v4), "{v6}");
            assert_eq!(
                is_public_ip(ip(v6)),
                is_public_ip(ip(v4)),
                "{v6} is judged as {v4}"
            );
            assert_eq!(
                is_private_host(&format!("[{v6}]")),
                is_private_host(v4),
                "{v6}"
            );
        }
        assert!(is_loopback_host("[::ffff:127.0.0.1]"));
        assert!(is_loopback_host("[::ffff:7f00:1]"));
        assert!(
            !is_loopback_host("[64:ff9b::7f00:1]"),
            "a translator is not this host"
        );
        assert!(is_private_host("[64:ff9b::7f00:1]"));
        // Teredo with a public client but a private server.
        assert!(!is_public_ip(ip("2001:0:a00:1:8000:63bf:f7f7:f7f7")));
        assert!(is_public_ip(ip("2001:0:4136:e378:8000:63bf:f7f7:f7f7")));
        // ISATAP: a global prefix with a private IPv4 behind it.
        assert!(!is_public_ip(ip("2001:4860:1::5efe:10.0.0.1")));
        assert!(!is_public_ip(ip("2001:4860:1::200:5efe:c0a8:101")));
        assert!(is_public_ip(ip("2001:4860:1::5efe:8.8.8.8")));
    }

    #[test]
    fn every_special_purpose_block_is_refused() {
        for private in [
            "0.0.0.0",
            "0.1.2.3",
            "10.1.2.3",
            "100.64.0.1",
            "100.127.255.255",
            "127.0.0.1",
            "127.255.255.254",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "192.88.99.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "100::1",
            "64:ff9b:1::a00:1",
            "5f00::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "febf::1",
            "fec0::1",
            "feff::1",
            "ff02::1",
            "2001:2::1",
            "2001:db8::1",
            "3fff::1",
            "4000::1",
        ] {
            assert!(!is_public_ip(ip(private)), "{private} must be refused");
            let host = if private.contains(':') {
                format!("[{private}]")
            } else {
                private.to_string()
            };
            assert!(is_private_host(&host), "{host}");
        }
        for public in [
            "1.1.1.1",
            "8.8.8.8",
            "100.63.255.255",
            "100.128.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.0.1.1",
            "192.169.0.1",
            "198.17.255.255",
            "198.20.0.0",
            "223.255.255.255",
            "2606:4700:4700::1111",
            "2001:4860:4860::8888",
            "2a00:1450::1",
            "2001:200::1",
        ] {
            assert!(is_public_ip(ip(public)), "{public} is public");
        }
        // Names: localhost and its subdomains are loopback without DNS.
        assert!(is_private_host("localhost."));
        assert!(is_private_host("api.localhost"));
        assert!(!is_private_host("localhost.example.com"));
        assert!(!is_private_host("example.com"));
    }

    #[test]
    fn a_trailing_dot_is_the_same_target() {
        let a = Target::parse("example.com.").unwrap();
        let b = Target::parse("https://EXAMPLE.com.:443/").unwrap();
        assert_eq!(a.url.as_str(), "https://example.com/");
        assert_eq!(b.url.as_str(), "https://example.com/");
        assert_eq!(a.input, "example.com.");
        let l = Target::parse("http://localhost.:8080/x").unwrap();
        assert_eq!(l.url.as_str(), "http://localhost:8080/x");
        assert!(l.is_private());
    }
}
