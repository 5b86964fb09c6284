//! The RFC 9727 API catalog (`/.well-known/api-catalog`, an RFC 9264
//! linkset) and what it answered.

use crate::evidence::Evidence;
use crate::model::probe::API_CATALOG;
use crate::parse::links::{Linkset, WebLink, parse_linkset};
use std::sync::Arc;

/// What `/.well-known/api-catalog` answered.
#[derive(Debug, Clone)]
pub enum CatalogState {
    /// No catalog: a status other than 200, or the catch-all answer.
    Absent(String),
    /// No response at all.
    Failed(String),
    /// 200 with an HTML page.
    Html,
    /// 200, but not an RFC 9264 JSON linkset (why).
    NotLinkset(String),
    /// A linkset, with its links.
    Linkset(Vec<WebLink>),
}

/// The catalog probe and what it answered.
#[derive(Debug, Clone)]
pub struct CatalogView {
    /// The URL requested.
    pub url: String,
    /// `Content-Type`, when the catalog answered 200.
    pub content_type: Option<String>,
    /// What it answered.
    pub state: CatalogState,
}

/// The catalog of the scan, if it was probed (memoised).
pub fn catalog_view(ev: &Evidence) -> Arc<Option<CatalogView>> {
    ev.view(compute)
}

fn compute(ev: &Evidence) -> Option<CatalogView> {
    let rec = ev.record(API_CATALOG)?;
    let x = ev.exchange(rec.exchange)?;
    let url = x.request.url.clone();
    let Some(resp) = &x.response else {
        return Some(CatalogView {
            url,
            content_type: None,
            state: CatalogState::Failed(
                x.error
                    .as_ref()
                    .map_or_else(|| "no response".into(), |e| e.message.clone()),
            ),
        });
    };
    let state = if resp.status != 200 {
        CatalogState::Absent(format!("{}", resp.status))
    } else if ev.is_catch_all_like(resp) {
        CatalogState::Absent("200 with the same body as a random path (catch-all)".into())
    } else if resp.looks_like_html() {
        CatalogState::Html
    } else {
        match (ev.json_at(rec.exchange), url::Url::parse(&resp.final_url)) {
            (Some(doc), Ok(base)) => match parse_linkset(&doc, &base) {
                Linkset::Links(l) => CatalogState::Linkset(l),
                Linkset::NotLinkset(why) => CatalogState::NotLinkset(why),
            },
            _ => CatalogState::NotLinkset("the body is not JSON".into()),
        }
    };
    Some(CatalogView {
        url,
        content_type: (resp.status == 200)
            .then(|| resp.header("content-type").map(str::to_string))
            .flatten(),
        state,
    })
}
