//! The client's settings: timeouts, caps, headers, `--resolve` pins,
//! trust roots, the proxy, and which private destinations the user allowed.

use crate::model::exchange::{ErrorKind, Header, ProbeError};
use reqwest::header::{HeaderName, HeaderValue};
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;
use url::Url;

/// The default User-Agent (README, What a scan sends).
pub const DEFAULT_USER_AGENT: &str = concat!(
    "agentready/",
    env!("CARGO_PKG_VERSION"),
    " (+https://github.com/agentready/agentready)"
);

/// Shown in place of user-supplied header values in evidence and reports.
pub const REDACTED: &str = "[redacted]";

/// Settings of the HTTP client.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// TCP + TLS connect timeout.
    pub connect_timeout: Duration,
    /// Timeout of one request (all redirects included).
    pub request_timeout: Duration,
    /// Body cap in bytes, applied to the decompressed body.
    pub max_body: usize,
    /// Redirects followed at most.
    pub max_redirects: usize,
    /// User-Agent header.
    pub user_agent: String,
    /// Extra headers from `-H`, sent only to the target's origin.
    pub headers: Vec<Header>,
    /// DNS pins from `--resolve`.
    pub resolve: Vec<ResolvePin>,
    /// Extra trust roots (PEM files) from `--cacert`.
    pub cacerts: Vec<PathBuf>,
    /// Refuse every destination that is not a loopback address (the demo
    /// and the tests: a document naming a real host must not make them
    /// touch the network).
    pub loopback_only: bool,
    /// Reach private, loopback and link-local destinations anywhere
    /// (`--allow-private`). Off, only the hosts in `private_hosts` may be.
    pub allow_private: bool,
    /// Hosts the user named that are private (a private target such as
    /// `127.0.0.1` or `localhost`, a private `--api-url`): reachable.
    pub private_hosts: Vec<String>,
    /// Idle connections kept per host.
    pub pool_max_idle_per_host: usize,
    /// How long an idle connection is kept (`None`: the HTTP stack's
    /// default, 90 s). A batch over thousands of hosts keeps them briefly,
    /// so file descriptors and memory do not pile up.
    pub pool_idle_timeout: Option<Duration>,
    /// Cache DNS answers (positive 120 s, negative 30 s, at most 16,384
    /// names, concurrent look-ups of one name coalesced). On in batch mode.
    pub dns_cache: bool,
    /// Send every request through this HTTP proxy (`--proxy`). The
    /// environment (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`) is never
    /// read. A proxy resolves names itself, so each name is resolved and
    /// judged by the SSRF guard here first, and refused before it reaches
    /// the proxy.
    pub proxy: Option<Url>,
    /// Names answered without DNS, like `/etc/hosts`: unlike `--resolve`
    /// pins, which the user vouches for, these answers are judged by the
    /// SSRF guard exactly as DNS answers are (the tests use this to play
    /// a DNS server that answers with hostile addresses).
    pub static_hosts: Vec<(String, Vec<IpAddr>)>,
    /// Addresses never connected to (the address entries of `--exclude`,
    /// in canonical form): dropped from every DNS answer, so a name that
    /// resolves only to an opted-out address is not contacted either.
    pub excluded_addrs: Vec<IpAddr>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(10),
            max_body: 1024 * 1024,
            max_redirects: 5,
            user_agent: DEFAULT_USER_AGENT.to_string(),
            headers: Vec::new(),
            resolve: Vec::new(),
            cacerts: Vec::new(),
            loopback_only: false,
            allow_private: false,
            private_hosts: Vec::new(),
            pool_max_idle_per_host: 4,
            pool_idle_timeout: None,
            dns_cache: false,
            proxy: None,
            static_hosts: Vec::new(),
            excluded_addrs: Vec::new(),
        }
    }
}

impl HttpConfig {
    /// Defaults, restricted to loopback destinations (which are then
    /// all allowed: tests and the demo serve everything on loopback).
    pub fn loopback_only() -> Self {
        HttpConfig {
            loopback_only: true,
            allow_private: true,
            ..HttpConfig::default()
        }
    }

    /// True when the target is a loopback host (the user named
    /// `127.0.0.1`, `::1` or `localhost`): one machine, whose every
    /// loopback address and port it may link to.
    pub(super) fn loopback_target(&self) -> bool {
        self.private_hosts
            .iter()
            .any(|h| crate::model::target::is_loopback_host(h))
    }

    /// True when a private destination `host` may be reached: with
    /// `--allow-private`, when the user named it (the target, an
    /// `--api-url`) or pinned it with `--resolve`, and, for a loopback
    /// target, every loopback host.
    pub fn private_allowed(&self, host: &str) -> bool {
        let h = crate::model::target::normalise_host(host);
        self.allow_private
            || self
                .private_hosts
                .iter()
                .any(|p| crate::model::target::normalise_host(p) == h)
            || self.resolve.iter().any(|p| p.matches(&h))
            || (self.loopback_target() && crate::model::target::is_loopback_host(&h))
    }

    /// The SSRF guard for a URL whose host is an address literal or a
    /// `localhost` name (other names go through [`GuardedResolver`]).
    /// Literals are judged by the address they really reach
    /// ([`crate::model::target::canonical_ip`]: `::ffff:127.0.0.1` is 127.0.0.1).
    pub(super) fn guard(&self, url: &Url) -> Option<ProbeError> {
        let host = url.host_str()?;
        (crate::model::target::is_private_host(host) && !self.private_allowed(host)).then(|| ProbeError {
            kind: ErrorKind::Refused,
            message: format!(
                "not fetched: {host} is a private or loopback address and the target is not (SSRF guard; --allow-private to override)"
            ),
        })
    }

    pub(super) fn refuses(&self, url: &Url) -> Option<ProbeError> {
        let loopback = url.host_str().is_some_and(|h| {
            crate::model::target::is_loopback_host(h)
                || self
                    .resolve
                    .iter()
                    .any(|p| p.matches(h) && crate::model::target::is_loopback_ip(p.addr))
        });
        (self.loopback_only && !loopback).then(|| ProbeError {
            kind: ErrorKind::Restricted,
            message: format!("not fetched: {url} is not a loopback address and this run is restricted to loopback"),
        })
    }
}

/// A `--resolve` pin: requests to `host` go to `addr` (the URL's port is kept).
/// A host `*.example.test` pins every name under `example.test` (not the
/// name itself): how the batch benchmark serves ten thousand virtual hosts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvePin {
    /// Host name, lower-cased; `*.` followed by a suffix for a wildcard.
    pub host: String,
    /// Address to connect to.
    pub addr: IpAddr,
}

impl ResolvePin {
    /// True for a `*.suffix` pin.
    pub fn is_wildcard(&self) -> bool {
        self.host.starts_with("*.")
    }

    /// True when this pin applies to `host`.
    pub fn matches(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.');
        match self.host.strip_prefix('*') {
            Some(suffix) => {
                host.len() > suffix.len()
                    && host
                        .get(host.len() - suffix.len()..)
                        .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix))
            }
            None => self.host.eq_ignore_ascii_case(host),
        }
    }
}

/// Errors in the client configuration (exit code 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A `-H` value that is not `Name: value`: what can be shown of it
    /// (never the value, which is often a secret).
    #[error(
        "invalid -H header{0}: expected 'Name: value' (the rest is not repeated: it may be a secret)"
    )]
    Header(String),
    /// A `--resolve` value that is not `HOST:ADDR` or `HOST:PORT:ADDR`.
    #[error("invalid --resolve `{0}`: expected HOST:ADDR or HOST:PORT:ADDR")]
    Resolve(String),
    /// A `--cacert` file that cannot be read or parsed.
    #[error("cannot use --cacert {path}: {reason}")]
    CaCert {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// The TLS/HTTP stack refused the configuration.
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}

/// Parse `-H 'Name: value'`.
/// Its errors name the header when the name is valid, and never repeat
/// the rest: `-H "X-Api-Key sk-…"` (a forgotten colon) must not print the
/// key.
pub fn parse_header(s: &str) -> Result<Header, ConfigError> {
    let (name, value) = s
        .split_once(':')
        .ok_or_else(|| ConfigError::Header(" (no `:` in it)".into()))?;
    let name = name.trim();
    let value = value.trim();
    if HeaderName::from_bytes(name.as_bytes()).is_err() {
        return Err(ConfigError::Header(
            " (not a header name before the `:`)".into(),
        ));
    }
    if HeaderValue::from_str(value).is_err() {
        return Err(ConfigError::Header(format!(
            " `{name}` (its value has a character a header cannot carry)"
        )));
    }
    Ok((name.to_ascii_lowercase(), value.to_string()))
}

/// Parse `--resolve HOST:ADDR` or curl's `HOST:PORT:ADDR` (the port is
/// accepted and ignored: the pin applies to every port of the host). IPv6
/// addresses may be bracketed.
pub fn parse_resolve(s: &str) -> Result<ResolvePin, ConfigError> {
    let err = || ConfigError::Resolve(s.to_string());
    let (host, rest) = s.split_once(':').ok_or_else(err)?;
    if host.is_empty() || host.contains('/') {
        return Err(err());
    }
    // A wildcard is `*.` and a suffix of at least one label, nothing else.
    if host.contains('*') && !(host.starts_with("*.") && host.len() > 2 && !host[1..].contains('*'))
    {
        return Err(err());
    }
    let parse_addr = |a: &str| {
        a.trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .ok()
    };
    let addr = match parse_addr(rest) {
        Some(a) => a,
        None => {
            let (port, addr) = rest.split_once(':').ok_or_else(err)?;
            port.parse::<u16>().map_err(|_| err())?;
            parse_addr(addr).ok_or_else(err)?
        }
    };
    Ok(ResolvePin {
        host: host.to_ascii_lowercase(),
        addr,
    })
}
