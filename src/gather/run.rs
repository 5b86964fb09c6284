//! Running the plan: the initial round, then derived rounds until nothing
//! new is planned, all within the target deadline. Within a round probes
//! run concurrently; a request already sent in the scan (same method, URL,
//! body and credentials) is never sent again: the new probe id becomes an
//! alias of the stored exchange.

//! Probes: the only code that talks to the network.
//!
//! A scan is planned as rounds. The first round holds the static probes (the
//! catch-all path, the well-known metadata URLs of the target, user checks'
//! GETs); each later round holds probes *derived* from what earlier rounds
//! found (the metadata of the authorization servers a protected-resource
//! document names). Derivation lives here, never in a check. Within a round
//! probes run concurrently; a request already sent in the scan (same method,
//! URL and body) is never sent again: the new probe id becomes an alias of
//! the stored exchange.

use crate::evidence::{Evidence, Recorder};
use crate::gather::derive::{derived_probes, registration_cleanup};
use crate::gather::http::{HttpClient, RequestSpec};
use crate::gather::plan::{
    CONCURRENCY_PER_TARGET, GatherOptions, MAX_ROUNDS, Plan, PlannedProbe,
    conventional_mcp_probes, initial_probes,
};
use crate::model::exchange::{ErrorKind, Exchange, Mode, ProbeError, RequestRecord};
use crate::model::probe::{EndpointKind, ProbeMeta};
use crate::model::target::Target;
use futures_util::StreamExt;
use tokio::time::Instant;

/// Anything that can carry out a request and record the exchange: the real
/// [`HttpClient`], or an in-memory site in tests.
pub trait Transport: Sync {
    /// Send `spec` for probe `probe`; never fails (errors are recorded).
    fn exchange(
        &self,
        probe: &str,
        spec: &RequestSpec,
        user_origin: &str,
    ) -> impl std::future::Future<Output = Exchange> + Send;

    /// True when the user allowed the private destination `host`
    /// (`--allow-private`, a host they named or pinned, any loopback host
    /// for a loopback target): the planner's SSRF guard lets such probes
    /// through.
    fn allows_private(&self, _host: &str) -> bool {
        false
    }

    /// The user's secrets, taken out of the report and the evidence before
    /// they leave the engine.
    fn redactor(&self) -> Option<&crate::gather::http::Redactor> {
        None
    }
}

impl Transport for HttpClient {
    fn exchange(
        &self,
        probe: &str,
        spec: &RequestSpec,
        user_origin: &str,
    ) -> impl std::future::Future<Output = Exchange> + Send {
        HttpClient::exchange(self, probe, spec, user_origin)
    }

    fn allows_private(&self, host: &str) -> bool {
        self.config().private_allowed(host)
    }

    fn redactor(&self) -> Option<&crate::gather::http::Redactor> {
        Some(HttpClient::redactor(self))
    }
}

/// Run the plan: the initial round, then derived rounds until nothing new is
/// planned, all within the target deadline.
pub async fn gather(
    client: &impl Transport,
    target: &Target,
    plan: &Plan,
    opts: &GatherOptions,
) -> Evidence {
    let mut evidence = Recorder::new(target.clone(), opts.mode, opts.credential.clone());
    let deadline = Instant::now() + opts.target_timeout;
    let user_origin = target.origin();
    let mut round = initial_probes(target, plan, opts);
    // SSRF guard (README, Security): a public target's documents cannot send the
    // scanner to a private or loopback address. The first round holds only
    // what the user asked for (the target and --api-url); the guard applies
    // to derived probes. Host names that resolve to such addresses are the
    // HTTP layer's concern.
    let mut guard = false;
    let mut rounds = MAX_ROUNDS;
    let mut conventional_tried = false;
    while rounds > 0 {
        rounds -= 1;
        run_round(
            client,
            &mut evidence,
            round,
            &user_origin,
            deadline,
            guard,
            opts,
        )
        .await;
        guard = !target.is_private();
        round = derived_probes(target, &evidence, opts, plan)
            .into_iter()
            .filter(|p| evidence.record(&p.id).is_none())
            .collect();
        if round.is_empty() && !conventional_tried {
            // Nothing left to derive: a bare domain on which nothing
            // announced an API gets its conventional MCP endpoint, once,
            // with the rounds it leads to.
            conventional_tried = true;
            round = conventional_mcp_probes(target, &evidence, plan, opts);
            rounds = rounds.max(MAX_ROUNDS - 1);
        }
        if round.is_empty() {
            break;
        }
    }
    if let Some(url) = plain_http_candidate(target, &evidence) {
        // One GET, sent only in this failure case: does the port speak
        // plain HTTP? Not recorded as an exchange (no check reads it).
        let spec = RequestSpec {
            method: reqwest::Method::GET,
            url: url.clone(),
            headers: Vec::new(),
            body: None,
            large_body: false,
        };
        let x = client.exchange(PLAIN_HTTP_PROBE, &spec, &user_origin).await;
        if x.response.is_some() {
            evidence.set_plain_http(url.to_string());
        }
    }
    evidence.finish()
}

/// The probe id of the plain-http hint.
const PLAIN_HTTP_PROBE: &str = "plain-http-hint";

/// `http://host:port/` of a target typed without a scheme whose every
/// exchange failed its TLS handshake (a bare `localhost:8080` that serves
/// plain HTTP, say); `None` otherwise.
fn plain_http_candidate(target: &Target, ev: &Evidence) -> Option<url::Url> {
    if target.input.contains("://") || target.url.scheme() != "https" || !ev.unreachable() {
        return None;
    }
    let all_tls = ev
        .exchanges()
        .iter()
        .all(|x| x.error.as_ref().is_some_and(|e| e.kind == ErrorKind::Tls));
    if !all_tls {
        return None;
    }
    let port = target.url.port_or_known_default()?;
    let mut url = url::Url::parse(&format!("http://{}/", target.url.host_str()?)).ok()?;
    url.set_port(Some(port)).ok()?;
    Some(url)
}

async fn run_round(
    client: &impl Transport,
    evidence: &mut Recorder,
    probes: Vec<PlannedProbe>,
    user_origin: &str,
    deadline: Instant,
    guard: bool,
    opts: &GatherOptions,
) {
    // Split the round into requests to send and aliases of requests already
    // sent (in this scan, or earlier in this round).
    let mut to_send: Vec<PlannedProbe> = Vec::new();
    let mut aliases: Vec<(PlannedProbe, String)> = Vec::new();
    for p in probes {
        if opts.mode == Mode::Passive && p.request.method != reqwest::Method::GET {
            continue;
        }
        if guard
            && let Some(host) = p.request.url.host_str()
            && crate::model::target::is_private_host(host)
            && !client.allows_private(host)
        {
            let x = unsent(
                &p,
                ErrorKind::Refused,
                format!(
                    "not fetched: {host} is a private or loopback address and the target is not (SSRF guard)"
                ),
            );
            evidence.push(x, p.meta);
            continue;
        }
        let key = p.request.key();
        if let Some(idx) = evidence.find_request(&key) {
            evidence.alias(&p.id, idx, p.meta);
            continue;
        }
        if let Some(first) = to_send.iter().find(|q| q.request.has_key(&key)) {
            let first_id = first.id.clone();
            aliases.push((p, first_id));
            continue;
        }
        to_send.push(p);
    }
    let mut pending: Vec<PlannedProbe> = Vec::new();
    {
        // By index, not by reference: a closure over `&PlannedProbe` is
        // higher-ranked, and its future then cannot be proven `Send` when a
        // scan is spawned as a task (batch mode).
        let sends = &to_send;
        let mut stream = futures_util::stream::iter((0..sends.len()).map(|i| async move {
            let p = &sends[i];
            let mut x = client.exchange(&p.id, &p.request, user_origin).await;
            // A registration probe that created a client anyway: delete
            // it at once, while its registration access token is at hand.
            let mut cleanup = None;
            if matches!(
                p.meta,
                ProbeMeta::Endpoint {
                    endpoint: EndpointKind::Registration,
                    ..
                }
            ) && let Some((c, refusal)) = registration_cleanup(&p.id, &p.request.url, &x)
            {
                let cx = match refusal {
                    None => client.exchange(&c.id, &c.request, user_origin).await,
                    Some(why) => unsent(&c, ErrorKind::CrossOrigin, why),
                };
                cleanup = Some((c, cx));
            }
            // What the server issued never enters the evidence.
            let issued = crate::gather::issued::redact_exchange(&mut x, &[]);
            if let Some((_, cx)) = cleanup.as_mut() {
                crate::gather::issued::redact_exchange(cx, &issued);
            }
            (p.id.clone(), (x, cleanup))
        }))
        .buffer_unordered(CONCURRENCY_PER_TARGET);
        let mut done: Vec<(String, Sent)> = Vec::new();
        loop {
            match tokio::time::timeout_at(deadline, stream.next()).await {
                Ok(Some(item)) => done.push(item),
                Ok(None) => break,
                Err(_) => break,
            }
        }
        drop(stream);
        for p in &to_send {
            if let Some(pos) = done.iter().position(|(id, _)| *id == p.id) {
                let (_, (x, cleanup)) = done.swap_remove(pos);
                evidence.push(x, p.meta.clone());
                if let Some((c, cx)) = cleanup {
                    evidence.push(cx, c.meta);
                }
            } else {
                pending.push(p.clone());
            }
        }
    }
    for p in pending {
        let x = unsent(
            &p,
            ErrorKind::Deadline,
            format!(
                "not finished within the per-target deadline of {} s",
                opts.target_timeout.as_secs_f64()
            ),
        );
        evidence.push(x, p.meta);
    }
    for (p, first_id) in aliases {
        if let Some(rec) = evidence.record(&first_id) {
            let idx = rec.exchange;
            evidence.alias(&p.id, idx, p.meta);
        }
    }
}

/// An exchange, and the deletion of a client it created by accident.
type Sent = (Exchange, Option<(PlannedProbe, Exchange)>);

/// An exchange for a probe that was planned but not sent (or not finished).
fn unsent(p: &PlannedProbe, kind: ErrorKind, message: String) -> Exchange {
    Exchange {
        probe: p.id.clone(),
        request: RequestRecord {
            method: p.request.method.to_string(),
            url: p.request.url.to_string(),
            headers: p.request.headers.clone(),
            body: p.request.body.clone(),
        },
        response: None,
        error: Some(ProbeError { kind, message }),
        elapsed_ms: 0,
    }
}
