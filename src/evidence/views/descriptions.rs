//! The API descriptions of a scan: every description URL fetched, what it
//! answered, and the description read from it.

use crate::evidence::Evidence;
use crate::model::probe::DescriptionSource;
use crate::parse::openapi;
use url::Url;

/// What one description URL answered.
#[derive(Debug, Clone)]
pub enum DescState {
    /// A readable OpenAPI or Swagger document.
    Found(Box<crate::model::api::Description>),
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
pub struct Fetched<'a> {
    /// Probe id.
    pub probe: &'a str,
    /// Exchange index.
    pub exchange: usize,
    /// The URL requested.
    pub url: &'a str,
    /// How it was found.
    pub via: &'a DescriptionSource,
    /// What it answered.
    pub state: DescState,
}

/// Every API-description URL of the scan, announced ones first (catalog,
/// then headers), then the conventional locations, each in probe order.
pub fn found(ev: &Evidence) -> Vec<Fetched<'_>> {
    use crate::model::probe::ProbeMeta;
    let mut out: Vec<Fetched<'_>> = ev
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
                    Err(e) => DescState::Unparseable(e),
                    Ok(doc) => {
                        let base = Url::parse(&r.final_url).or_else(|_| Url::parse(&x.request.url));
                        match base
                            .map_err(|e| e.to_string())
                            .and_then(|b| openapi::read(&doc, &b))
                        {
                            Ok(d) => DescState::Found(Box::new(d)),
                            Err(e) => DescState::NotDescription(e),
                        }
                    }
                },
            };
            Some(Fetched {
                probe,
                exchange: rec.exchange,
                url: x.request.url.as_str(),
                via,
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
