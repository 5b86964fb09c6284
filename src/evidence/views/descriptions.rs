//! The API descriptions of a scan: every description URL fetched, what it
//! answered, and the description read from it.

use crate::evidence::Evidence;
use crate::model::api::Description;
use crate::model::probe::{API_CATALOG, DescriptionSource, ProbeMeta};
use crate::parse::links::{Linkset, parse_link_headers, parse_linkset};
use crate::parse::openapi;
use std::collections::BTreeSet;
use std::sync::Arc;
use url::Url;

/// What one description URL answered.
#[derive(Debug, Clone)]
pub enum DescState {
    /// A readable OpenAPI or Swagger document.
    Found(Box<Description>),
    /// No response (the network error, or the SSRF guard's refusal).
    Failed(String),
    /// A status other than 2xx.
    Status(u16),
    /// The same answer a random path gets (a catch-all site).
    CatchAll,
    /// An HTML page.
    Html,
    /// Larger than the (raised) body cap.
    Truncated,
    /// A body that does not parse as JSON or YAML (why).
    Unparseable(String),
    /// JSON or YAML, but not an OpenAPI or Swagger document (why).
    NotDescription(String),
}

impl DescState {
    /// One line for findings.
    pub fn describe(&self) -> String {
        match self {
            DescState::Found(d) => format!(
                "{}, {} operations",
                d.describe_version(),
                d.operations.len()
            ),
            DescState::Failed(e) => format!("no response: {e}"),
            DescState::Status(s) => format!("{s}"),
            DescState::CatchAll => "200 with the same body as a random path (catch-all)".into(),
            DescState::Html => "200 but an HTML page".into(),
            DescState::Truncated => "larger than the body cap".into(),
            DescState::Unparseable(e) | DescState::NotDescription(e) => e.clone(),
        }
    }
}

/// One API-description URL the scan fetched.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// Probe id.
    pub probe: String,
    /// Exchange index.
    pub exchange: usize,
    /// The URL requested.
    pub url: String,
    /// How it was found.
    pub via: DescriptionSource,
    /// What it answered.
    pub state: DescState,
}

/// Every API-description URL of the scan.
#[derive(Debug, Clone, Default)]
pub struct Descriptions(pub Vec<Fetched>);

impl std::ops::Deref for Descriptions {
    type Target = [Fetched];
    fn deref(&self) -> &[Fetched] {
        &self.0
    }
}

impl Descriptions {
    /// Every readable description, one per exchange, with the URL it was
    /// read from.
    pub fn readable(&self) -> Vec<(&Fetched, &Description)> {
        let mut seen = BTreeSet::new();
        self.0
            .iter()
            .filter_map(|f| match &f.state {
                DescState::Found(d) if seen.insert(f.exchange) => Some((f, d.as_ref())),
                _ => None,
            })
            .collect()
    }
}

/// Every API-description URL of the scan, announced ones first (catalog,
/// then headers), then the conventional locations, each in probe order.
/// Memoised: the planner reads it to follow what descriptions name, and
/// the checks to judge them, and each document is read once.
pub fn found(ev: &Evidence) -> Arc<Descriptions> {
    ev.view(|ev| Descriptions(fetch_all(ev)))
}

fn fetch_all(ev: &Evidence) -> Vec<Fetched> {
    let mut out: Vec<Fetched> = ev
        .probes_where(|m| matches!(m, ProbeMeta::ApiDescription { .. }))
        .filter_map(|(probe, rec)| {
            let ProbeMeta::ApiDescription { via } = &rec.meta else {
                return None;
            };
            let x = ev.exchange(rec.exchange)?;
            let state = match &x.response {
                None => DescState::Failed(
                    x.error
                        .as_ref()
                        .map_or_else(|| "no response".to_string(), |e| e.message.clone()),
                ),
                Some(r) if !r.is_success() => DescState::Status(r.status),
                Some(r) if ev.is_catch_all_like(r) => DescState::CatchAll,
                Some(r) if r.truncated => DescState::Truncated,
                Some(r) if r.looks_like_html() => DescState::Html,
                Some(r) => match ev.document_at(rec.exchange) {
                    Err(e) => DescState::Unparseable(e.to_string()),
                    Ok(doc) => {
                        let base = Url::parse(&r.final_url).or_else(|_| Url::parse(&x.request.url));
                        match base.map(|b| openapi::read(&doc, &b)) {
                            Ok(Ok(d)) => DescState::Found(Box::new(d)),
                            Ok(Err(e)) => DescState::NotDescription(e.to_string()),
                            Err(e) => DescState::NotDescription(e.to_string()),
                        }
                    }
                },
            };
            Some(Fetched {
                probe: probe.to_string(),
                exchange: rec.exchange,
                url: x.request.url.clone(),
                via: via.clone(),
                state,
            })
        })
        .collect();
    out.sort_by_key(|f| {
        let rank = match f.via {
            DescriptionSource::Catalog { .. } => 0,
            DescriptionSource::LinkHeader { .. } => 1,
            DescriptionSource::Conventional { .. } => 2,
        };
        (rank, f.exchange)
    });
    out
}

/// The service-desc / service-doc links the scan has seen so far, in the
/// order an agent would follow them: the catalog's (service-desc first),
/// then `Link: rel="service-desc"` headers of responses to agent requests
/// (RFC 9727 §2, RFC 8631 §4.2), each URL once.
#[derive(Debug, Clone, Default)]
pub struct AnnouncedLinks(pub Vec<(String, DescriptionSource)>);

impl std::ops::Deref for AnnouncedLinks {
    type Target = [(String, DescriptionSource)];
    fn deref(&self) -> &[(String, DescriptionSource)] {
        &self.0
    }
}

/// The links that announce API descriptions (memoised).
pub fn announced_links(ev: &Evidence) -> Arc<AnnouncedLinks> {
    ev.view(|ev| AnnouncedLinks(links_of(ev)))
}

fn links_of(evidence: &Evidence) -> Vec<(String, DescriptionSource)> {
    let mut out: Vec<(String, DescriptionSource)> = Vec::new();
    if let Some(resp) = evidence.response(API_CATALOG)
        && resp.status == 200
        && !evidence.is_catch_all_like(resp)
        && let Some(idx) = evidence.record(API_CATALOG).map(|r| r.exchange)
        && let Some(doc) = evidence.json_at(idx)
        && let Ok(base) = Url::parse(&resp.final_url)
        && let Linkset::Links(links) = parse_linkset(&doc, &base)
    {
        for rel in ["service-desc", "service-doc"] {
            for l in links.iter().filter(|l| l.rel == rel) {
                out.push((
                    l.href.clone(),
                    DescriptionSource::Catalog {
                        rel: rel.into(),
                        anchor: l.anchor.clone(),
                    },
                ));
            }
        }
    }
    for (probe, _, x) in evidence.agent_exchanges() {
        let Some(resp) = &x.response else { continue };
        let Ok(base) = Url::parse(&resp.final_url) else {
            continue;
        };
        for l in parse_link_headers(resp.header_all("link"), &base) {
            if l.rel == "service-desc" {
                out.push((
                    l.href,
                    DescriptionSource::LinkHeader {
                        probe: probe.to_string(),
                        rel: l.rel,
                    },
                ));
            }
        }
    }
    let mut seen: Vec<String> = Vec::new();
    out.retain(|(u, _)| {
        if seen.contains(u) {
            false
        } else {
            seen.push(u.clone());
            true
        }
    });
    out
}
