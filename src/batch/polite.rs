//! The polite transport of batch mode: every request of every target goes
//! through one [`PoliteClient`], which wraps the scanner's [`HttpClient`]
//! and adds what scanning thousands of sites asks of a good citizen.
//!
//! For each request, in order:
//!
//! 1. **Opt-out list** (`--exclude`): a host the list covers is never
//!    contacted; the probe is recorded as not sent (kind `excluded`).
//! 2. **Error budget**: after `max_host_errors` consecutive connection
//!    failures (DNS, connect, TLS, timeout) a host is skipped for the rest
//!    of the run (kind `host-skipped`); any answer resets its count.
//! 3. **robots.txt** (unless `--ignore-robots`): fetched once per origin
//!    and cached; a disallowed path is never fetched (kind `robots`), and
//!    a robots.txt that answers 429 or 5xx, or cannot be fetched at all,
//!    disallows everything (RFC 9309 §2.3.1.4).
//! 4. **Per-host concurrency** (`--per-host`): at most that many requests
//!    in flight to one host (host and port), which also bounds its
//!    connections; idle connections are kept briefly.
//! 5. **Host pause**: a host that answered a 429 or 503 with
//!    `Retry-After` is not sent anything until then, by any target,
//!    whether or not that request is retried; while the pause left is
//!    longer than `max_retry_wait`, its requests are not sent (kind
//!    `host-skipped`) instead of waiting.
//! 6. **Global rate** (`--rate`): requests take evenly spaced slots
//!    ([`Pacer`]), with no burst after an idle spell.
//! 7. **Retries**: a 429 or 503 is retried (at most `max_retries` times)
//!    after its `Retry-After` (delta-seconds or HTTP-date) or, without one,
//!    after 0.5 s, 1 s, 2 s…; a wait longer than `max_retry_wait` is not
//!    waited for, and the 429/503 is the evidence.
//!
//! Redirect hops pass steps 1–3 and 6 for their own host before they are
//! sent ([`HopGate`]), and a connection failure on a hop counts against
//! the hop's host. A robots.txt fetch follows its redirects (RFC 9309
//! §2.3.1.2) past steps 1–2 only: asking robots.txt about them would wait
//! on the very fetch being made. Per-host state lives in bounded caches, so memory
//! does not grow with the number of hosts.

use super::error::InputError;
use super::input::Exclusions;
use crate::gather::http::BoundedCache;
use crate::gather::http::{HopGate, HttpClient, RequestSpec};
use crate::gather::run::Transport;
use crate::model::exchange::{ErrorKind, Exchange, ProbeError, RequestRecord};
use crate::model::target::origin_of;
use crate::parse::robots;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OnceCell, Semaphore};
use tokio::time::Instant;
use url::Url;

/// What the robots.txt of an origin says for agentready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Robots {
    /// Every path is allowed (no file, 4xx, or no group applies).
    AllowAll,
    /// The rules to apply.
    Rules(robots::Rules),
    /// Nothing may be fetched: why (the file's server error or the network
    /// error), and the error kind to record for probes not sent.
    DisallowAll {
        /// Error kind for probes not sent (`robots`, or the network error's).
        kind: ErrorKind,
        /// Why.
        reason: String,
    },
}

/// Probe id under which robots.txt fetches are made (they are not part of
/// any report's evidence; the run metadata counts them).
pub const ROBOTS_PROBE: &str = "robots-txt";

/// Error kinds of requests this layer decided not to send.
pub const NOT_SENT_KINDS: [&str; 3] = ["excluded", "host-skipped", "robots"];

/// Connection-level failures that count against a host's error budget.
const BUDGET_KINDS: [ErrorKind; 4] = [
    ErrorKind::Dns,
    ErrorKind::Connect,
    ErrorKind::Tls,
    ErrorKind::Timeout,
];

/// Politeness settings.
#[derive(Debug, Clone)]
pub struct Politeness {
    /// Requests in flight per host, at most (≥ 1).
    pub per_host: usize,
    /// Requests per second over the whole run, at most.
    pub rate: Option<f64>,
    /// Retries of a 429/503, at most.
    pub max_retries: u32,
    /// Longest `Retry-After` (or backoff) waited for.
    pub max_retry_wait: Duration,
    /// Consecutive connection failures after which a host is skipped.
    pub max_host_errors: u32,
    /// Obey robots.txt.
    pub respect_robots: bool,
    /// The opt-out list.
    pub exclude: Exclusions,
    /// Hosts remembered at most (budgets, pauses, robots.txt).
    pub host_capacity: usize,
    /// Bytes of robots.txt rules the cache keeps over all origins, at most;
    /// past it a verdict serves the requests waiting for it and is not
    /// kept (its origin's robots.txt is fetched again when next needed).
    pub robots_memory: usize,
}

impl Default for Politeness {
    fn default() -> Self {
        Politeness {
            per_host: 2,
            rate: None,
            max_retries: 2,
            max_retry_wait: Duration::from_secs(10),
            max_host_errors: 3,
            respect_robots: true,
            exclude: Exclusions::default(),
            host_capacity: 4096,
            robots_memory: ROBOTS_MEMORY,
        }
    }
}

/// What the polite layer did, summed over the run.
#[derive(Debug, Default)]
pub struct Counters {
    /// HTTP requests sent (redirect hops, retries and robots.txt included).
    pub requests: AtomicU64,
    /// Retries after 429/503.
    pub retries: AtomicU64,
    /// robots.txt files fetched.
    pub robots_fetched: AtomicU64,
    /// Requests not sent because robots.txt disallows them.
    pub robots_disallowed: AtomicU64,
    /// Requests not sent because the opt-out list covers their host.
    pub excluded: AtomicU64,
    /// Requests not sent because their host exhausted its error budget.
    pub host_skipped: AtomicU64,
}

impl Counters {
    fn add(c: &AtomicU64, n: u64) {
        c.fetch_add(n, Ordering::Relaxed);
    }

    /// A snapshot as plain numbers.
    pub fn snapshot(&self) -> CountersSnapshot {
        let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
        CountersSnapshot {
            requests: g(&self.requests),
            retries: g(&self.retries),
            robots_fetched: g(&self.robots_fetched),
            robots_disallowed: g(&self.robots_disallowed),
            excluded: g(&self.excluded),
            host_skipped: g(&self.host_skipped),
        }
    }
}

/// [`Counters`] at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[allow(missing_docs, reason = "the fields mirror Counters")]
pub struct CountersSnapshot {
    pub requests: u64,
    pub retries: u64,
    pub robots_fetched: u64,
    pub robots_disallowed: u64,
    pub excluded: u64,
    pub host_skipped: u64,
}

/// The global rate limit: each request reserves the next free slot, one
/// `period` after the previous one, and sleeps until it.
///
/// Reserving matters. Checking a token bucket, sleeping and checking again
/// (as this code first used a `governor` limiter) loses most of the rate when many
/// requests wait: each sleep is rounded up to the timer's millisecond and
/// every waiter wakes to compete for one token. Measured on the benchmark
/// server, `--rate 2000` gave 657 requests/s that way and `--rate 500`
/// gave 318. With reserved slots the rate is what was asked, the slots
/// are evenly spaced, and an idle spell does not bank a burst.
#[derive(Debug)]
pub struct Pacer {
    period: Duration,
    next: Mutex<Instant>,
}

impl Pacer {
    /// At most `rate` requests per second.
    pub fn new(rate: f64) -> Result<Pacer, InputError> {
        if !(rate.is_finite() && rate > 0.0 && rate <= 1_000_000.0) {
            return Err(InputError::Rate);
        }
        Ok(Pacer {
            period: Duration::from_secs_f64(1.0 / rate),
            next: Mutex::new(Instant::now()),
        })
    }

    /// The slot of the next request: now, or one period after the last.
    fn reserve(&self) -> Instant {
        let now = Instant::now();
        let Ok(mut next) = self.next.lock() else {
            return now;
        };
        let slot = (*next).max(now);
        *next = slot + self.period;
        slot
    }

    /// Wait for a slot.
    pub async fn wait(&self) {
        let slot = self.reserve();
        if slot > Instant::now() {
            tokio::time::sleep_until(slot).await;
        }
    }
}

#[derive(Debug)]
struct HostState {
    slots: Arc<Semaphore>,
    paused_until: Mutex<Option<Instant>>,
    consecutive_errors: AtomicU32,
}

struct Shared {
    http: HttpClient,
    opts: Politeness,
    pacer: Option<Pacer>,
    hosts: Mutex<BoundedCache<Arc<HostState>>>,
    robots: Mutex<BoundedCache<Arc<RobotsEntry>>>,
    /// Bytes of rules the robots.txt verdicts alive hold.
    robots_bytes: Arc<AtomicUsize>,
    counters: Counters,
}

/// A robots.txt verdict being fetched or fetched, once per origin.
#[derive(Debug)]
struct RobotsEntry {
    created: Instant,
    verdict: OnceCell<Arc<Robots>>,
    /// The verdict's rules, counted in the cache's memory while it lives.
    charge: std::sync::OnceLock<Charge>,
}

/// Bytes counted in a shared total for as long as this lives.
#[derive(Debug)]
struct Charge {
    bytes: usize,
    total: Arc<AtomicUsize>,
}

impl Charge {
    fn new(bytes: usize, total: &Arc<AtomicUsize>) -> Self {
        total.fetch_add(bytes, Ordering::Relaxed);
        Charge {
            bytes,
            total: total.clone(),
        }
    }
}

impl Drop for Charge {
    fn drop(&mut self) {
        self.total.fetch_sub(self.bytes, Ordering::Relaxed);
    }
}

/// Default of [`Politeness::robots_memory`]: a thousand origins with the
/// longest robots.txt kept whole (`robots::MAX_RULE_BYTES` each); real
/// files are a few KB.
pub const ROBOTS_MEMORY: usize = 1024 * robots::MAX_RULE_BYTES;

/// The longest a host is paused for its `Retry-After` (a larger value is
/// honoured as this: the run does not outlast it in practice).
const MAX_PAUSE: Duration = Duration::from_secs(24 * 3600);

/// How long a robots.txt that could not be fetched at all (a network
/// error, not an answer) keeps its origin closed before it is asked again.
const ROBOTS_RETRY_AFTER_ERROR: Duration = Duration::from_secs(60);

/// The batch scanner's transport (cheap to clone: a handle on shared state).
#[derive(Clone)]
pub struct PoliteClient(Arc<Shared>);

impl std::fmt::Debug for PoliteClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoliteClient")
            .field("opts", &self.0.opts)
            .finish_non_exhaustive()
    }
}

/// `host:port` of a URL: the unit of per-host limits and budgets.
fn host_key(url: &Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or_default().to_ascii_lowercase(),
        url.port_or_known_default().unwrap_or(0)
    )
}

/// Parse `Retry-After`: delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
/// Delta-seconds is `1*DIGIT`; a value too large for a `u64` means "a very
/// long time", not "no header".
pub fn retry_after(value: &str, now: std::time::SystemTime) -> Option<Duration> {
    let v = value.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(v.parse::<u64>().unwrap_or(u64::MAX)));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

fn not_sent(probe: &str, spec: &RequestSpec, error: ProbeError) -> Exchange {
    Exchange {
        probe: probe.to_string(),
        request: RequestRecord {
            method: spec.method.to_string(),
            url: spec.url.to_string(),
            headers: spec.headers.clone(),
            body: spec.body.clone(),
        },
        response: None,
        error: Some(error),
        elapsed_ms: 0,
    }
}

impl PoliteClient {
    /// Wrap `http` with the politeness settings.
    pub fn new(http: HttpClient, opts: Politeness) -> Result<Self, InputError> {
        if opts.per_host == 0 {
            return Err(InputError::PerHost);
        }
        let capacity = opts.host_capacity.max(64);
        Ok(PoliteClient(Arc::new(Shared {
            pacer: opts.rate.map(Pacer::new).transpose()?,
            hosts: Mutex::new(BoundedCache::new(capacity * 4)),
            robots: Mutex::new(BoundedCache::new(capacity)),
            robots_bytes: Arc::new(AtomicUsize::new(0)),
            http,
            opts,
            counters: Counters::default(),
        })))
    }

    /// The run's counters.
    pub fn counters(&self) -> &Counters {
        &self.0.counters
    }
}

impl Shared {
    fn host(&self, key: &str) -> Arc<HostState> {
        let Ok(mut hosts) = self.hosts.lock() else {
            return Arc::new(self.new_host());
        };
        if let Some(h) = hosts.get(key) {
            return h.clone();
        }
        let h = Arc::new(self.new_host());
        hosts.insert(key, h.clone());
        h
    }

    fn new_host(&self) -> HostState {
        HostState {
            slots: Arc::new(Semaphore::new(self.opts.per_host)),
            paused_until: Mutex::new(None),
            consecutive_errors: AtomicU32::new(0),
        }
    }

    async fn rate_token(&self) {
        if let Some(p) = &self.pacer {
            p.wait().await;
        }
    }

    /// Steps 1–3 for a request to `url`: `Some` when it must not be sent.
    async fn vet(&self, url: &Url) -> Option<ProbeError> {
        if let Some(e) = self.vet_host(url) {
            return Some(e);
        }
        if !self.opts.respect_robots {
            return None;
        }
        self.robots_verdict(url).await
    }

    /// Steps 1–2: the opt-out list and the host's error budget.
    fn vet_host(&self, url: &Url) -> Option<ProbeError> {
        let host = url.host_str().unwrap_or_default();
        if let Some(entry) = self.opts.exclude.covering(host) {
            Counters::add(&self.counters.excluded, 1);
            return Some(ProbeError {
                kind: ErrorKind::Excluded,
                message: format!(
                    "not sent: {host} is on the opt-out list (--exclude entry `{entry}`)"
                ),
            });
        }
        let key = host_key(url);
        self.over_budget(&key, &self.host(&key))
    }

    /// Step 3: `Some` when `url`'s robots.txt disallows it.
    async fn robots_verdict(&self, url: &Url) -> Option<ProbeError> {
        let rules = self.robots_for(url).await;
        let verdict = match &*rules {
            Robots::AllowAll => None,
            Robots::Rules(r) => {
                let path = match url.query() {
                    Some(q) => format!("{}?{q}", url.path()),
                    None => url.path().to_string(),
                };
                r.disallowed_by(&path).map(|pattern| ProbeError {
                    kind: ErrorKind::Robots,
                    message: format!(
                        "not sent: {}/robots.txt disallows {path} for {} (rule `Disallow: {pattern}`; --ignore-robots to override)",
                        origin_of(url),
                        robots::PRODUCT_TOKEN
                    ),
                })
            }
            Robots::DisallowAll { kind, reason } => Some(ProbeError {
                kind: kind.clone(),
                message: format!("not sent: {reason}"),
            }),
        };
        if verdict.is_some() {
            Counters::add(&self.counters.robots_disallowed, 1);
        }
        verdict
    }

    /// Step 2: `Some` when the host has used up its error budget.
    fn over_budget(&self, key: &str, state: &HostState) -> Option<ProbeError> {
        let errors = state.consecutive_errors.load(Ordering::Relaxed);
        (errors >= self.opts.max_host_errors).then(|| {
            Counters::add(&self.counters.host_skipped, 1);
            ProbeError {
                kind: ErrorKind::HostSkipped,
                message: format!(
                    "not sent: {errors} consecutive requests to {key} failed to connect, so the host is skipped for the rest of the run (--max-host-errors)"
                ),
            }
        })
    }

    /// The robots.txt verdict of `url`'s origin, fetched once.
    async fn robots_for(&self, url: &Url) -> Arc<Robots> {
        let origin = origin_of(url);
        let entry = {
            let Ok(mut cache) = self.robots.lock() else {
                return Arc::new(Robots::AllowAll);
            };
            // A network failure is remembered for a while, not for the run:
            // a shared authorization server must not stay closed to every
            // later target because of one timeout.
            let usable = cache.get(&origin).filter(|e| {
                let transient = matches!(
                    e.verdict.get().map(|v| &**v),
                    Some(Robots::DisallowAll { kind, .. }) if *kind != ErrorKind::Robots
                );
                !(transient && e.created.elapsed() > ROBOTS_RETRY_AFTER_ERROR)
            });
            match usable {
                Some(e) => e.clone(),
                None => {
                    let e = Arc::new(RobotsEntry {
                        created: Instant::now(),
                        verdict: OnceCell::new(),
                        charge: std::sync::OnceLock::new(),
                    });
                    cache.insert(&origin, e.clone());
                    e
                }
            }
        };
        let verdict = entry
            .verdict
            .get_or_init(|| self.fetch_robots(&origin))
            .await
            .clone();
        if let Robots::Rules(rules) = &*verdict
            && entry.charge.get().is_none()
        {
            // Counted once per entry (a second waiter's charge is dropped,
            // and uncounted, at once).
            let _ = entry
                .charge
                .set(Charge::new(rules.weight(), &self.robots_bytes));
            if self.robots_bytes.load(Ordering::Relaxed) > self.opts.robots_memory
                && let Ok(mut cache) = self.robots.lock()
            {
                // Over the budget: this verdict serves the requests that
                // waited for it and leaves with them.
                cache.remove_if(&origin, |e| Arc::ptr_eq(e, &entry));
            }
        }
        verdict
    }

    async fn fetch_robots(&self, origin: &str) -> Arc<Robots> {
        let url = match Url::parse(&format!("{origin}/robots.txt")) {
            Ok(u) => u,
            Err(_) => return Arc::new(Robots::AllowAll),
        };
        let spec = RequestSpec {
            method: reqwest::Method::GET,
            url,
            headers: vec![("accept".into(), "text/plain".into())],
            body: None,
            large_body: false,
        };
        Counters::add(&self.counters.robots_fetched, 1);
        // No user headers (`-H`) go to robots.txt, and no per-host slot is
        // taken: a redirect hop may need robots.txt while its first host's
        // slot is held, and one request per origin needs no queue. Its own
        // redirects are followed without asking robots.txt (RFC 9309
        // §2.3.1.2), which would wait on this very fetch.
        let x = self.send(ROBOTS_PROBE, &spec, "", Purpose::RobotsTxt).await;
        let verdict = match (&x.response, &x.error) {
            (Some(r), _) if r.is_success() => {
                let rules = robots::parse(&r.body, r.truncated);
                if rules.overflowed() {
                    Robots::DisallowAll {
                        kind: ErrorKind::Robots,
                        reason: format!(
                            "{origin}/robots.txt holds more rules for agentready than the {} KiB it keeps, so none of its verdicts is sure and nothing is fetched (--ignore-robots to override)",
                            robots::MAX_RULE_BYTES / 1024
                        ),
                    }
                } else if rules.is_empty() {
                    Robots::AllowAll
                } else {
                    Robots::Rules(rules)
                }
            }
            (Some(r), _) if r.status == 429 || r.status >= 500 => Robots::DisallowAll {
                kind: ErrorKind::Robots,
                reason: format!(
                    "{origin}/robots.txt answered {}, which RFC 9309 §2.3.1.4 asks crawlers to read as disallowing everything (--ignore-robots to override)",
                    r.status
                ),
            },
            // 3xx without a Location, and 4xx: "unavailable", allow all.
            (Some(_), _) => Robots::AllowAll,
            (None, Some(e)) if e.kind == ErrorKind::RedirectLimit => Robots::AllowAll,
            (None, Some(e)) => Robots::DisallowAll {
                kind: e.kind.clone(),
                reason: format!(
                    "{origin}/robots.txt could not be fetched ({}: {})",
                    e.kind, e.message
                ),
            },
            (None, None) => Robots::AllowAll,
        };
        Arc::new(verdict)
    }

    /// Pause every request to the host of `state` until `wait` from now
    /// (a later pause already set stands).
    fn pause(state: &HostState, wait: Duration) {
        if let Ok(mut p) = state.paused_until.lock() {
            let until = Instant::now() + wait.min(MAX_PAUSE);
            *p = Some(p.map_or(until, |old| old.max(until)));
        }
    }

    /// Steps 4–7: send with the host slot (for a probe), the host pause,
    /// the rate limit and retries.
    async fn send(
        &self,
        probe: &str,
        spec: &RequestSpec,
        user_origin: &str,
        purpose: Purpose,
    ) -> Exchange {
        let key = host_key(&spec.url);
        let state = self.host(&key);
        let mut attempt = 0u32;
        loop {
            let permit = match purpose {
                Purpose::Probe => state.slots.clone().acquire_owned().await.ok(),
                Purpose::RobotsTxt => None,
            };
            // Checked again with the slot held: requests queued behind the
            // failing ones must not all go out once it is exhausted.
            if let Some(e) = self.over_budget(&key, &state) {
                return not_sent(probe, spec, e);
            }
            let pause = state.paused_until.lock().ok().and_then(|p| *p);
            if let Some(until) = pause {
                let left = until.saturating_duration_since(Instant::now());
                if left > self.opts.max_retry_wait {
                    Counters::add(&self.counters.host_skipped, 1);
                    return not_sent(
                        probe,
                        spec,
                        ProbeError {
                            kind: ErrorKind::HostSkipped,
                            message: format!(
                                "not sent: {key} asked (Retry-After) not to be sent anything for another {} s, longer than --max-retry-wait",
                                left.as_secs()
                            ),
                        },
                    );
                }
                if !left.is_zero() {
                    tokio::time::sleep_until(until).await;
                }
            }
            self.rate_token().await;
            let hops = Hops {
                shared: self,
                robots: purpose == Purpose::Probe,
                last: Mutex::new(None),
            };
            let x = self
                .http
                .exchange_with(probe, spec, user_origin, Some(&hops))
                .await;
            drop(permit);
            let sent = match (&x.response, &x.error) {
                (Some(r), _) => 1 + r.redirects.len() as u64,
                (None, Some(e))
                    if e.kind == ErrorKind::Refused || e.kind == ErrorKind::Restricted =>
                {
                    0
                }
                (None, Some(e)) if NOT_SENT_KINDS.contains(&e.kind.as_str()) => 0,
                _ => 1,
            };
            Counters::add(&self.counters.requests, sent);
            let last_hop = hops.last.into_inner().ok().flatten();
            match (&x.response, &x.error) {
                (Some(r), _) => {
                    state.consecutive_errors.store(0, Ordering::Relaxed);
                    if let Some(hop) = &last_hop {
                        self.host(&host_key(hop))
                            .consecutive_errors
                            .store(0, Ordering::Relaxed);
                    }
                    if r.status == 429 || r.status == 503 {
                        let advised = r
                            .header("retry-after")
                            .and_then(|v| retry_after(v, std::time::SystemTime::now()));
                        let wait = advised
                            .unwrap_or_else(|| Duration::from_millis(500) * 2u32.pow(attempt));
                        let retry =
                            attempt < self.opts.max_retries && wait <= self.opts.max_retry_wait;
                        // A Retry-After holds for every request to the host,
                        // whether or not this one is retried (a longer wait
                        // than --max-retry-wait skips the host meanwhile).
                        if retry || advised.is_some() {
                            Self::pause(&state, wait);
                        }
                        if retry {
                            Counters::add(&self.counters.retries, 1);
                            attempt += 1;
                            continue;
                        }
                    }
                }
                (None, Some(e)) if BUDGET_KINDS.contains(&e.kind) => {
                    // The host that failed: the last redirect hop, if any.
                    let failed = match &last_hop {
                        Some(hop) => self.host(&host_key(hop)),
                        None => state.clone(),
                    };
                    failed.consecutive_errors.fetch_add(1, Ordering::Relaxed);
                }
                _ => {}
            }
            return x;
        }
    }

    async fn exchange(&self, probe: &str, spec: &RequestSpec, user_origin: &str) -> Exchange {
        if let Some(e) = self.vet(&spec.url).await {
            return not_sent(probe, spec, e);
        }
        self.send(probe, spec, user_origin, Purpose::Probe).await
    }
}

/// What a request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    /// A probe of a target: takes a per-host slot; its redirect hops ask
    /// robots.txt.
    Probe,
    /// An origin's robots.txt.
    RobotsTxt,
}

/// The redirect gate of one request: each hop passes steps 1–3 (step 3
/// not for a robots.txt fetch) and takes a rate slot. It remembers the
/// last hop let through, so that a connection failure is charged to the
/// host that failed, not to the one that redirected to it.
struct Hops<'a> {
    shared: &'a Shared,
    robots: bool,
    last: Mutex<Option<Url>>,
}

impl HopGate for Hops<'_> {
    fn before_hop<'a>(
        &'a self,
        url: &'a Url,
    ) -> Pin<Box<dyn Future<Output = Option<ProbeError>> + Send + 'a>> {
        Box::pin(async move {
            let refused = if self.robots {
                self.shared.vet(url).await
            } else {
                self.shared.vet_host(url)
            };
            if refused.is_none() {
                if let Ok(mut last) = self.last.lock() {
                    *last = Some(url.clone());
                }
                self.shared.rate_token().await;
            }
            refused
        })
    }
}

impl Transport for PoliteClient {
    fn exchange(
        &self,
        probe: &str,
        spec: &RequestSpec,
        user_origin: &str,
    ) -> impl Future<Output = Exchange> + Send {
        self.0.exchange(probe, spec, user_origin)
    }

    fn allows_private(&self, host: &str) -> bool {
        self.0.http.config().private_allowed(host)
    }

    fn redactor(&self) -> Option<&crate::gather::http::Redactor> {
        Some(self.0.http.redactor())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        let now = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        assert_eq!(retry_after("0", now), Some(Duration::ZERO));
        assert_eq!(retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(retry_after(&later, now), Some(Duration::from_secs(30)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(retry_after("soon", now), None);
        assert_eq!(retry_after("-1", now), None);
        assert_eq!(retry_after("+5", now), None, "1*DIGIT only");
        assert_eq!(retry_after("", now), None);
        assert_eq!(
            retry_after("99999999999999999999999", now),
            Some(Duration::from_secs(u64::MAX)),
            "too large for a u64: a very long wait, not no header"
        );
    }

    #[test]
    fn rates_are_validated() {
        assert!(Pacer::new(0.5).is_ok());
        assert!(Pacer::new(0.0).is_err());
        assert!(Pacer::new(-1.0).is_err());
        assert!(Pacer::new(f64::NAN).is_err());
        assert!(Pacer::new(1e9).is_err());
    }

    #[tokio::test(start_paused = true)]
    async fn the_pacer_spaces_slots_evenly_and_banks_no_burst() {
        let p = Pacer::new(10.0).unwrap();
        let t0 = Instant::now();
        let slots: Vec<Duration> = (0..5).map(|_| p.reserve() - t0).collect();
        let ms: Vec<u128> = slots.iter().map(Duration::as_millis).collect();
        assert_eq!(ms, vec![0, 100, 200, 300, 400]);
        // Waiting for them takes the time they span (the clock is paused
        // and advanced by tokio, so this is exact).
        tokio::time::sleep(Duration::from_secs(5)).await;
        let t1 = Instant::now();
        // After an idle spell the next slot is now, then one period later:
        // no burst was banked.
        assert_eq!(p.reserve(), t1);
        assert_eq!(p.reserve() - t1, Duration::from_millis(100));
        p.wait().await;
        assert_eq!(Instant::now() - t1, Duration::from_millis(200));
    }

    #[test]
    fn host_keys_carry_the_port() {
        let u = Url::parse("https://API.example.com/x").unwrap();
        assert_eq!(host_key(&u), "api.example.com:443");
        let u = Url::parse("http://127.0.0.1:8080/").unwrap();
        assert_eq!(host_key(&u), "127.0.0.1:8080");
    }
}
