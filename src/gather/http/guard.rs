//! The SSRF guard: every name is resolved here (pins first, then a bounded
//! DNS cache, then the system), and an address that is private, loopback or
//! link-local is refused unless the user allowed it; the opt-out list is
//! enforced at the same point.

use super::*;
use crate::gather::http::BoundedCache;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// DNS resolution with the SSRF guard (README, Security): a name that resolves
/// only to addresses that are not globally reachable (loopback, private,
/// link-local, and IPv6 addresses embedding such an IPv4 address, such as
/// `::ffff:127.0.0.1`; see [`crate::model::target::is_public_ip`]) is refused
/// unless the user named that host or gave `--allow-private`; such
/// addresses are dropped from mixed answers, so no connection is ever
/// attempted to them. A loopback target may reach names that resolve to
/// loopback. Names under `.invalid` never resolve (RFC 6761 §6.4) and
/// `localhost` names always mean loopback (RFC 6761 §6.3), without a
/// query. `--resolve` pins bypass this resolver.
#[derive(Debug, Clone)]
pub struct GuardedResolver(Arc<ResolverInner>);

#[derive(Debug)]
struct ResolverInner {
    allow_private: bool,
    private_hosts: Vec<String>,
    loopback_target: bool,
    /// `*.suffix` pins (exact pins are given to the HTTP stack).
    wildcard_pins: Vec<ResolvePin>,
    static_hosts: Vec<(String, Vec<IpAddr>)>,
    excluded_addrs: Vec<IpAddr>,
    cache: Option<Arc<DnsCache>>,
}

/// Why the resolver gives no address for a name. The SSRF guard's and
/// the opt-out list's refusals are variants, so the client classifies
/// them without reading the text; it reaches the HTTP stack as the
/// connector's error and is recognised there by type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ResolveError {
    /// A name under `.invalid` (RFC 6761 §6.4), which never resolves.
    #[error("failed to lookup address information: {0} does not resolve (RFC 6761 .invalid)")]
    Invalid(String),
    /// The system resolver's error (its text: answers are cached and
    /// shared, and `std::io::Error` cannot be).
    #[error("{0}")]
    Lookup(String),
    /// Every address is on the opt-out list (the name).
    #[error("{0} resolves only to addresses on the {EXCLUDED_MARK}: not contacted")]
    Excluded(String),
    /// Every address is private or loopback and the user did not allow it
    /// (the name).
    #[error(
        "{0} resolves only to private or loopback addresses: not fetched ({SSRF_MARK}; --allow-private to override)"
    )]
    Private(String),
}

/// Answers of [`DnsCache`]: addresses, or the look-up error.
type Lookup = Result<Vec<SocketAddr>, ResolveError>;

/// A bounded DNS cache that coalesces concurrent look-ups of one name
/// (batch mode: a target's probes start together, and many targets share an
/// authorization server).
#[derive(Debug)]
struct DnsCache {
    entries: Mutex<BoundedCache<Arc<DnsEntry>>>,
}

#[derive(Debug)]
struct DnsEntry {
    created: Instant,
    answer: tokio::sync::OnceCell<Lookup>,
}

/// How long a DNS answer is reused (the system resolver gives no TTL).
const DNS_TTL: Duration = Duration::from_secs(120);
/// How long a failed look-up is reused.
const DNS_NEGATIVE_TTL: Duration = Duration::from_secs(30);
/// Names cached at most.
const DNS_CACHE_NAMES: usize = 16_384;

impl DnsCache {
    pub(super) fn new() -> Self {
        DnsCache {
            entries: Mutex::new(BoundedCache::new(DNS_CACHE_NAMES)),
        }
    }

    async fn lookup(&self, host: &str) -> Lookup {
        let entry = {
            let Ok(mut map) = self.entries.lock() else {
                return system_lookup(host).await;
            };
            let fresh = map.get(host).filter(|e| {
                let ttl = match e.answer.get() {
                    Some(Err(_)) => DNS_NEGATIVE_TTL,
                    _ => DNS_TTL,
                };
                e.created.elapsed() < ttl
            });
            match fresh {
                Some(e) => e.clone(),
                None => {
                    let e = Arc::new(DnsEntry {
                        created: Instant::now(),
                        answer: tokio::sync::OnceCell::new(),
                    });
                    map.insert(host, e.clone());
                    e
                }
            }
        };
        entry
            .answer
            .get_or_init(|| system_lookup(host))
            .await
            .clone()
    }
}

async fn system_lookup(host: &str) -> Lookup {
    tokio::net::lookup_host((host, 0))
        .await
        .map(Iterator::collect)
        .map_err(|e| ResolveError::Lookup(e.to_string()))
}

/// How resolver errors name the SSRF guard.
const SSRF_MARK: &str = "SSRF guard";
/// How resolver errors name the opt-out list.
const EXCLUDED_MARK: &str = "opt-out list (--exclude)";

impl GuardedResolver {
    pub(super) fn new(config: &HttpConfig) -> Self {
        GuardedResolver(Arc::new(ResolverInner {
            allow_private: config.allow_private,
            private_hosts: config
                .private_hosts
                .iter()
                .map(|h| crate::model::target::normalise_host(h))
                .collect(),
            loopback_target: config.loopback_target(),
            wildcard_pins: config
                .resolve
                .iter()
                .filter(|p| p.is_wildcard())
                .cloned()
                .collect(),
            static_hosts: config
                .static_hosts
                .iter()
                .map(|(h, a)| (crate::model::target::normalise_host(h), a.clone()))
                .collect(),
            excluded_addrs: config
                .excluded_addrs
                .iter()
                .map(|a| crate::model::target::canonical_ip(*a))
                .collect(),
            cache: config.dns_cache.then(|| Arc::new(DnsCache::new())),
        }))
    }

    /// Resolve `host` and judge the answer; the error says why not.
    pub async fn lookup(&self, host: &str) -> Result<Vec<SocketAddr>, ResolveError> {
        let r = &self.0;
        let host = crate::model::target::normalise_host(host);
        if let Some(p) = r.wildcard_pins.iter().find(|p| p.matches(&host)) {
            // The user pinned it: reachable, like an exact --resolve pin.
            return Ok(vec![SocketAddr::new(p.addr, 0)]);
        }
        if host == "invalid" || host.ends_with(".invalid") {
            return Err(ResolveError::Invalid(host));
        }
        let allowed = r.allow_private || r.private_hosts.contains(&host);
        let mut addrs: Vec<SocketAddr> = if crate::model::target::is_localhost_name(&host) {
            vec![
                SocketAddr::new(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 0),
                SocketAddr::new(IpAddr::V6(std::net::Ipv6Addr::LOCALHOST), 0),
            ]
        } else if let Some((_, a)) = r.static_hosts.iter().find(|(h, _)| *h == host) {
            a.iter().map(|ip| SocketAddr::new(*ip, 0)).collect()
        } else {
            match &r.cache {
                Some(c) => c.lookup(&host).await?,
                None => system_lookup(&host).await?,
            }
        };
        if !r.excluded_addrs.is_empty() {
            let before = addrs.len();
            let kept: Vec<SocketAddr> = addrs
                .into_iter()
                .filter(|a| {
                    !r.excluded_addrs
                        .contains(&crate::model::target::canonical_ip(a.ip()))
                })
                .collect();
            if kept.is_empty() && before > 0 {
                return Err(ResolveError::Excluded(host));
            }
            addrs = kept;
        }
        if allowed {
            return Ok(addrs);
        }
        let reachable: Vec<SocketAddr> = addrs
            .iter()
            .copied()
            .filter(|a| {
                crate::model::target::is_public_ip(a.ip())
                    || (r.loopback_target && crate::model::target::is_loopback_ip(a.ip()))
            })
            .collect();
        if reachable.is_empty() && !addrs.is_empty() {
            return Err(ResolveError::Private(host));
        }
        Ok(reachable)
    }
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let me = self.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs = me.lookup(&host).await?;
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}
