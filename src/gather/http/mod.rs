//! The one HTTP client every probe uses.
//!
//! Built once per scan from [`HttpConfig`]: rustls (no OpenSSL), connect and
//! per-request timeouts, a body cap that applies after decompression, at most
//! `max_redirects` redirects followed by hand so the chain is recorded and
//! user headers never follow a redirect to another origin, the scanner's
//! User-Agent, `--resolve` pins (exact or `*.suffix`) and extra trust roots.
//!
//! The batch scanner adds what a long run over many hosts needs: a bounded
//! DNS cache ([`HttpConfig::dns_cache`]), a short idle-connection lifetime,
//! and a [`HopGate`] consulted before each redirect hop (opt-out list,
//! robots.txt, rate limit). `scan` uses none of them.

mod cache;
mod client;
mod config;
mod guard;
mod redact;

pub(crate) use cache::BoundedCache;
pub use client::{HopGate, HttpClient, RequestSpec};
pub use config::{
    ConfigError, DEFAULT_USER_AGENT, HttpConfig, REDACTED, ResolvePin, parse_header, parse_resolve,
};
pub(crate) use guard::GuardedResolver;
pub use redact::Redactor;
