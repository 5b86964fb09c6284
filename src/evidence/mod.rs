//! The evidence store: owned snapshots of every exchange of one scan.
//!
//! The gatherer writes here through a [`Recorder`]; checks and the planner
//! only read, mostly through the memoised [`views`]. Each exchange is stored once, under
//! the id of the probe that sent it; when a second probe plans the very same
//! request, it is recorded as an alias of the first exchange and nothing is
//! sent again. Parsed JSON is memoised per exchange, so ten checks reading
//! the same metadata parse it once; views derived from the whole store (the
//! scope checks' view and classification) are memoised per type through
//! [`Evidence::view`]. The store serialises to JSON
//! (`--save-evidence`) and back (`--from-evidence`).

pub mod views;

mod error;

pub use error::EvidenceError;

use crate::model::exchange::{Exchange, Mode, ResponseRecord};
use crate::model::probe::ProbeMeta;
use crate::model::target::Target;
use crate::parse::DocumentError;
use crate::parse::json::{self, DESCRIPTION_BUDGET, JSON_VIEW_BUDGET};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::any::{Any, TypeId};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// Estimated heap all the parsed views of one target may take together:
/// with the bodies themselves (30-odd of at most `--max-body`, four
/// descriptions of at most ten times that), this bounds a target's memory.
pub const EVIDENCE_PARSE_BUDGET: usize = 96 << 20;

/// Version of the evidence file format.
pub const EVIDENCE_FORMAT: &str = "agentready-evidence/1";

/// A probe id bound to its exchange and to what the probe meant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeRecord {
    /// Index into [`Evidence::exchanges`].
    pub exchange: usize,
    /// Why the probe was sent (e.g. the issuer a metadata URL was built from).
    pub meta: ProbeMeta,
}

/// Everything one scan gathered. Written by a `Recorder`, read back from
/// a file with [`Evidence::from_json`].
#[derive(Debug, Serialize)]
pub struct Evidence {
    /// Evidence file format.
    format: String,
    /// The target scanned.
    target: Target,
    /// Probe mode used.
    mode: Mode,
    /// Every exchange, in the order it finished.
    exchanges: Vec<Exchange>,
    /// Probe id → exchange (several ids may share one exchange).
    probes: BTreeMap<String, ProbeRecord>,
    /// Facts of a user-supplied token (never the token itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    credential: Option<crate::model::credential::CredentialFacts>,
    /// When the target was given without a scheme and every https request
    /// failed its TLS handshake: the same host and port over plain http,
    /// which answered one GET (a hint for the user, not evidence: the
    /// checks never read it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    plain_http: Option<String>,
    /// Memoised JSON views, one slot per exchange, with the members read
    /// leniently.
    #[serde(skip)]
    json_cache: Vec<OnceLock<Option<JsonView>>>,
    /// Estimated heap of the parsed views so far ([`EVIDENCE_PARSE_BUDGET`]).
    #[serde(skip)]
    parsed_bytes: AtomicUsize,
    /// Memoised JSON-or-YAML views (API descriptions), one slot per exchange.
    #[serde(skip)]
    doc_cache: Vec<OnceLock<Result<Arc<Value>, EvidenceError>>>,
    /// Memoised whole-store views, one per type (see [`Evidence::view`]).
    #[serde(skip)]
    views: Mutex<Vec<MemoView>>,
}

/// An evidence file as stored: the serialised fields of [`Evidence`]
/// (named as it, so parse errors read as before).
#[derive(Deserialize)]
#[serde(rename = "Evidence")]
struct EvidenceFile {
    format: String,
    target: Target,
    mode: Mode,
    exchanges: Vec<Exchange>,
    probes: BTreeMap<String, ProbeRecord>,
    #[serde(default)]
    credential: Option<crate::model::credential::CredentialFacts>,
}

/// A parsed JSON view and the members read leniently.
type JsonView = (Arc<Value>, Arc<[String]>);

/// A memoised view: its type, the store's size when it was computed, and
/// the value.
struct MemoView {
    ty: TypeId,
    size: (usize, usize),
    value: Arc<dyn Any + Send + Sync>,
}

impl std::fmt::Debug for MemoView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoView")
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

impl Clone for Evidence {
    fn clone(&self) -> Self {
        let mut e = Evidence::new(self.target.clone(), self.mode);
        e.exchanges = self.exchanges.clone();
        e.probes = self.probes.clone();
        e.credential = self.credential.clone();
        e.plain_http = self.plain_http.clone();
        e.finish_loading();
        e
    }
}

impl Evidence {
    /// An empty store for a target (see [`Recorder`]).
    fn new(target: Target, mode: Mode) -> Self {
        Evidence {
            format: EVIDENCE_FORMAT.to_string(),
            target,
            mode,
            exchanges: Vec::new(),
            probes: BTreeMap::new(),
            credential: None,
            plain_http: None,
            json_cache: Vec::new(),
            parsed_bytes: AtomicUsize::new(0),
            doc_cache: Vec::new(),
            views: Mutex::new(Vec::new()),
        }
    }

    /// Read an evidence file (`--save-evidence`): JSON of this
    /// `EVIDENCE_FORMAT`, ready to evaluate.
    pub fn from_json(text: &str) -> Result<Evidence, EvidenceError> {
        let file: EvidenceFile = serde_json::from_str(text).map_err(|e| EvidenceError::NotEvidence(Arc::new(e)))?;
        if file.format != EVIDENCE_FORMAT {
            return Err(EvidenceError::Format(file.format));
        }
        let mut ev = Evidence::new(file.target, file.mode);
        ev.exchanges = file.exchanges;
        ev.probes = file.probes;
        ev.credential = file.credential;
        ev.finish_loading();
        Ok(ev)
    }

    /// The store as an evidence file (pretty JSON).
    pub fn to_json(&self) -> Result<String, EvidenceError> {
        serde_json::to_string_pretty(self).map_err(|e| EvidenceError::Serialise(Arc::new(e)))
    }

    /// The target scanned.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// The probe mode the evidence was gathered in.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Every exchange, in the order it finished.
    pub fn exchanges(&self) -> &[Exchange] {
        &self.exchanges
    }

    /// Exchange `idx`.
    pub fn exchange(&self, idx: usize) -> Option<&Exchange> {
        self.exchanges.get(idx)
    }

    /// Probe id → exchange and meaning (several ids may share one
    /// exchange), in id order.
    pub fn probes(&self) -> &BTreeMap<String, ProbeRecord> {
        &self.probes
    }

    /// Facts of a user-supplied token (never the token itself).
    pub fn credential(&self) -> Option<&crate::model::credential::CredentialFacts> {
        self.credential.as_ref()
    }

    /// Change exchanges after the fact (tests that need a response no
    /// server would send); every memoised view is forgotten.
    pub fn edit_exchanges(&mut self, mut edit: impl FnMut(&mut Exchange)) {
        for x in &mut self.exchanges {
            edit(x);
        }
        self.finish_loading();
    }

    /// A view derived from the whole store, computed by `make` once and
    /// shared by every later caller asking for the same type `T` (four
    /// scope checks read one scope view). A view computed before the
    /// store changed is not reused: `push`, `alias` and `finish_loading`
    /// forget every view, and a view is recomputed when the number of
    /// exchanges or probe ids differs from when it was made.
    pub fn view<T: Any + Send + Sync>(&self, make: impl FnOnce(&Evidence) -> T) -> Arc<T> {
        let ty = TypeId::of::<T>();
        let size = (self.exchanges.len(), self.probes.len());
        let cached = self.views.lock().ok().and_then(|views| {
            views
                .iter()
                .find(|v| v.ty == ty && v.size == size)
                .map(|v| v.value.clone())
        });
        if let Some(value) = cached.and_then(|v| v.downcast::<T>().ok()) {
            return value;
        }
        // Computed without the lock held: `make` may ask for other views.
        let value = Arc::new(make(self));
        if let Ok(mut views) = self.views.lock() {
            views.retain(|v| v.ty != ty);
            views.push(MemoView {
                ty,
                size,
                value: value.clone(),
            });
        }
        value
    }

    fn forget_views(&mut self) {
        if let Ok(views) = self.views.get_mut() {
            views.clear();
        }
    }

    /// Rebuild memo slots (after deserialising or an edit).
    fn finish_loading(&mut self) {
        self.json_cache = (0..self.exchanges.len()).map(|_| OnceLock::new()).collect();
        self.doc_cache = (0..self.exchanges.len()).map(|_| OnceLock::new()).collect();
        *self.parsed_bytes.get_mut() = 0;
        self.forget_views();
    }

    /// Apply `text` to every text of the store and `bytes` to every body:
    /// what an evidence file holds (probe ids and their meanings, URLs,
    /// headers, bodies, errors). The memoised views are forgotten.
    pub fn texts_mut(
        &mut self,
        text: &mut dyn FnMut(&mut String),
        bytes: &mut dyn FnMut(&mut Vec<u8>),
    ) {
        text(&mut self.target.input);
        for x in &mut self.exchanges {
            text(&mut x.probe);
            text(&mut x.request.url);
            for (_, v) in &mut x.request.headers {
                text(v);
            }
            if let Some(b) = &mut x.request.body {
                text(b);
            }
            if let Some(r) = &mut x.response {
                text(&mut r.final_url);
                for hop in &mut r.redirects {
                    text(&mut hop.from);
                    text(&mut hop.to);
                }
                for (n, v) in &mut r.headers {
                    text(n);
                    text(v);
                }
                bytes(&mut r.body);
            }
            if let Some(e) = &mut x.error {
                text(&mut e.message);
            }
        }
        let probes = std::mem::take(&mut self.probes);
        for (mut id, mut rec) in probes {
            text(&mut id);
            if let Ok(mut v) = serde_json::to_value(&rec.meta) {
                crate::model::texts::value_texts_mut(&mut v, text);
                if let Ok(meta) = serde_json::from_value(v) {
                    rec.meta = meta;
                }
            }
            self.probes.insert(id, rec);
        }
        if let Some(c) = &mut self.credential
            && let Some(p) = &mut c.problem
        {
            text(p);
        }
        self.finish_loading();
    }

    /// Store an exchange for a probe; returns its index.
    fn push(&mut self, exchange: Exchange, meta: ProbeMeta) -> usize {
        let idx = self.exchanges.len();
        self.probes.insert(
            exchange.probe.clone(),
            ProbeRecord {
                exchange: idx,
                meta,
            },
        );
        self.exchanges.push(exchange);
        self.json_cache.push(OnceLock::new());
        self.doc_cache.push(OnceLock::new());
        self.forget_views();
        idx
    }

    /// Record that `probe` is answered by an existing exchange.
    fn alias(&mut self, probe: &str, exchange: usize, meta: ProbeMeta) {
        self.probes
            .insert(probe.to_string(), ProbeRecord { exchange, meta });
        self.forget_views();
    }

    /// Index of an exchange already sent with this request key.
    fn find_request(&self, key: &str) -> Option<usize> {
        self.exchanges.iter().position(|x| x.request.has_key(key))
    }

    /// The exchange behind a probe id.
    pub fn get(&self, probe: &str) -> Option<&Exchange> {
        self.probes
            .get(probe)
            .and_then(|r| self.exchanges.get(r.exchange))
    }

    /// The probe record (exchange index and meaning).
    pub fn record(&self, probe: &str) -> Option<&ProbeRecord> {
        self.probes.get(probe)
    }

    /// The response behind a probe id, if the exchange got one.
    pub fn response(&self, probe: &str) -> Option<&ResponseRecord> {
        self.get(probe).and_then(|x| x.response.as_ref())
    }

    /// The body of a probe's response parsed as JSON (memoised). `None` when
    /// there is no response or the body is not JSON (or was truncated).
    pub fn json(&self, probe: &str) -> Option<Arc<Value>> {
        let idx = self.probes.get(probe)?.exchange;
        self.json_at(idx)
    }

    /// JSON view of exchange `idx` (memoised). `None` when the body is not
    /// JSON, was truncated, or is too large once parsed
    /// (`JSON_VIEW_BUDGET`, `EVIDENCE_PARSE_BUDGET`). A member that
    /// cannot be represented (a number beyond a double, a lone surrogate)
    /// is read leniently and listed by [`Evidence::json_repairs_at`].
    pub fn json_at(&self, idx: usize) -> Option<Arc<Value>> {
        self.json_parsed(idx).map(|(v, _)| v)
    }

    /// The members of exchange `idx`'s JSON view that were read
    /// leniently, each as "`/pointer`: what was done" (empty for a document
    /// that parsed strictly, or none at all).
    pub fn json_repairs_at(&self, idx: usize) -> Arc<[String]> {
        self.json_parsed(idx)
            .map_or_else(|| Arc::from(Vec::new()), |(_, r)| r)
    }

    fn json_parsed(&self, idx: usize) -> Option<JsonView> {
        let slot = self.json_cache.get(idx)?;
        slot.get_or_init(|| {
            let resp = self.exchanges.get(idx)?.response.as_ref()?;
            if resp.truncated {
                return None;
            }
            // serde_json refuses nesting deeper than 128 levels: a depth cap.
            let p = self
                .parse_charged(&resp.body, JSON_VIEW_BUDGET, None)
                .ok()?;
            Some((Arc::new(p.value), Arc::from(p.repairs)))
        })
        .clone()
    }

    /// Parse within `cap` and what is left of the target's budget, and
    /// charge the target for the tree kept.
    fn parse_charged(
        &self,
        body: &[u8],
        cap: usize,
        prune: Option<json::Prune>,
    ) -> Result<json::Parsed, DocumentError> {
        let left = EVIDENCE_PARSE_BUDGET.saturating_sub(self.parsed_bytes.load(Ordering::Relaxed));
        let p = json::parse(body, cap.min(left), prune)?;
        self.parsed_bytes.fetch_add(p.cost, Ordering::Relaxed);
        Ok(p)
    }

    /// The body of exchange `idx` parsed as an API description would be:
    /// JSON, or YAML through the bounded reader of `crate::parse::yaml`
    /// (memoised, so the checks and the planner parse a document once).
    /// What no check reads (schemas, examples, responses…) is skipped
    /// (`json::description_prune`), and the tree kept is held to
    /// `DESCRIPTION_BUDGET`. The error says why there is no document.
    pub fn document_at(&self, idx: usize) -> Result<Arc<Value>, EvidenceError> {
        let Some(slot) = self.doc_cache.get(idx) else {
            return Err(EvidenceError::NoExchange);
        };
        slot.get_or_init(|| {
            let resp = self
                .exchanges
                .get(idx)
                .and_then(|x| x.response.as_ref())
                .ok_or(EvidenceError::NoResponse)?;
            if resp.truncated {
                return Err(EvidenceError::Truncated);
            }
            let left =
                EVIDENCE_PARSE_BUDGET.saturating_sub(self.parsed_bytes.load(Ordering::Relaxed));
            let (value, cost) = crate::parse::description::parse_description(
                &resp.body,
                DESCRIPTION_BUDGET.min(left),
            )?;
            self.parsed_bytes.fetch_add(cost, Ordering::Relaxed);
            Ok(Arc::new(value))
        })
        .clone()
    }

    /// Probe ids whose meaning matches a predicate, in id order.
    pub fn probes_where<'a>(
        &'a self,
        pred: impl Fn(&ProbeMeta) -> bool + 'a,
    ) -> impl Iterator<Item = (&'a str, &'a ProbeRecord)> + 'a {
        self.probes
            .iter()
            .filter(move |(_, r)| pred(&r.meta))
            .map(|(id, r)| (id.as_str(), r))
    }

    /// Every exchange an agent would make (`ProbeMeta::is_agent_request`),
    /// each once even when several probes share it, in the order stored,
    /// with the first agent probe id (in id order) that names it.
    pub fn agent_exchanges(&self) -> Vec<(&str, usize, &Exchange)> {
        let mut seen: BTreeMap<usize, &str> = BTreeMap::new();
        for (id, rec) in self.probes_where(ProbeMeta::is_agent_request) {
            seen.entry(rec.exchange).or_insert(id);
        }
        seen.into_iter()
            .filter_map(|(idx, id)| self.exchanges.get(idx).map(|x| (id, idx, x)))
            .collect()
    }

    /// The target over plain http, when it answered where https failed
    /// (see the field).
    pub fn plain_http(&self) -> Option<&str> {
        self.plain_http.as_deref()
    }

    /// True when every exchange failed at the network level (nothing answered).
    pub fn unreachable(&self) -> bool {
        !self.exchanges.is_empty() && self.exchanges.iter().all(|x| x.response.is_none())
    }

    /// The catch-all probe's response, when it answered 2xx: the site answers
    /// success to paths that cannot exist.
    pub fn catch_all_success(&self) -> Option<&ResponseRecord> {
        self.response(crate::model::probe::CATCH_ALL)
            .filter(|r| r.is_success())
    }

    /// True when a response is indistinguishable from the catch-all answer
    /// (same status and same body as a random path got).
    pub fn is_catch_all_like(&self, resp: &ResponseRecord) -> bool {
        self.catch_all_success()
            .is_some_and(|c| c.status == resp.status && c.body == resp.body)
    }
}

/// Writes a store as a scan goes: the gatherer's (and hand-built test
/// evidence's) only way in. Reads as the store so far (`Deref`), so the
/// planner can derive the next round from the views of what was found.
#[derive(Debug)]
pub struct Recorder {
    evidence: Evidence,
}

impl Recorder {
    /// An empty store for a target, gathered in `mode`, with the facts of
    /// a user-supplied token if there is one.
    pub fn new(
        target: Target,
        mode: Mode,
        credential: Option<crate::model::credential::CredentialFacts>,
    ) -> Self {
        let mut evidence = Evidence::new(target, mode);
        evidence.credential = credential;
        Recorder { evidence }
    }

    /// Store an exchange for a probe; returns its index.
    pub fn push(&mut self, exchange: Exchange, meta: ProbeMeta) -> usize {
        self.evidence.push(exchange, meta)
    }

    /// Record that `probe` is answered by an existing exchange.
    pub fn alias(&mut self, probe: &str, exchange: usize, meta: ProbeMeta) {
        self.evidence.alias(probe, exchange, meta);
    }

    /// Index of an exchange already sent with this request key.
    pub fn find_request(&self, key: &str) -> Option<usize> {
        self.evidence.find_request(key)
    }

    /// Record that the target answers over plain http (see
    /// [`Evidence::plain_http`]).
    pub fn set_plain_http(&mut self, url: String) {
        self.evidence.plain_http = Some(url);
    }

    /// The finished store.
    pub fn finish(self) -> Evidence {
        self.evidence
    }
}

impl std::ops::Deref for Recorder {
    type Target = Evidence;
    fn deref(&self) -> &Evidence {
        &self.evidence
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::exchange::RequestRecord;

    fn exchange(probe: &str) -> Exchange {
        Exchange {
            probe: probe.into(),
            request: RequestRecord {
                method: "GET".into(),
                url: format!("https://a.example/{probe}"),
                headers: Vec::new(),
                body: None,
            },
            response: None,
            error: None,
            elapsed_ms: 0,
        }
    }

    /// A view type for the memo tests: the number of exchanges it saw.
    struct Seen(usize);

    #[test]
    fn views_are_computed_once_and_forgotten_when_the_store_changes() {
        let target = Target::parse("https://a.example/").unwrap();
        let mut ev = Recorder::new(target, Mode::Safe, None);
        ev.push(exchange("one"), ProbeMeta::CatchAll);
        let calls = std::cell::Cell::new(0);
        let look = |ev: &Evidence| {
            ev.view(|e| {
                calls.set(calls.get() + 1);
                Seen(e.exchanges.len())
            })
        };
        let first = look(&ev);
        let again = look(&ev);
        assert!(
            Arc::ptr_eq(&first, &again),
            "the second caller shares the first view"
        );
        assert_eq!((calls.get(), again.0), (1, 1));
        // Another type is another view.
        assert_eq!(*ev.view(|_| 7u8), 7);
        assert_eq!(calls.get(), 1);

        ev.push(exchange("two"), ProbeMeta::CatchAll);
        assert_eq!(look(&ev).0, 2, "push forgets the views");
        ev.alias("three", 0, ProbeMeta::CatchAll);
        look(&ev);
        assert_eq!(calls.get(), 3, "alias forgets the views");
        // An edit forgets them too.
        let mut ev = ev.finish();
        look(&ev);
        assert_eq!(calls.get(), 3, "finishing keeps the views");
        ev.edit_exchanges(|x| x.elapsed_ms = 1);
        assert_eq!(look(&ev).0, 2);
        assert_eq!(calls.get(), 4, "an edit forgets the views");
        // A clone starts without views.
        let copy = ev.clone();
        look(&copy);
        assert_eq!(calls.get(), 5);
    }
}
