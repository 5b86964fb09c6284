//! The rejected requests sent to the endpoints authorization-server
//! metadata advertises (device authorization, registration, revocation,
//! introspection) and what each got back.

use super::{DocState, state_of};
use crate::evidence::Evidence;
use crate::model::exchange::{Exchange, ResponseRecord};
use crate::model::outcome::Unverified;
use crate::model::probe::{EndpointKind, ProbeMeta};
use serde_json::Value;
use std::sync::Arc;

/// What a live probe of an advertised endpoint got.
#[derive(Debug, Clone)]
pub struct Live<'a> {
    /// Probe id.
    pub probe: &'a str,
    /// Endpoint URL.
    pub url: &'a str,
    /// The exchange.
    pub exchange: &'a Exchange,
    /// The response.
    pub response: Option<&'a ResponseRecord>,
    /// Body as JSON.
    pub json: Option<Arc<Value>>,
    /// Why there is no response.
    pub state: DocState,
}

impl Live<'_> {
    /// Why this probe says nothing about the endpoint (never sent, never
    /// answered), if it says nothing: see [`Unverified::of_exchange`].
    pub fn unverified(&self, what: &str) -> Option<Unverified> {
        Unverified::of_exchange(self.exchange, &format!("{what} {}", self.url))
    }

    /// The OAuth `error` code of a JSON error body.
    pub fn error_code(&self) -> Option<&str> {
        self.json
            .as_deref()
            .and_then(|j| j.get("error"))
            .and_then(Value::as_str)
    }

    /// The status, 0 without a response.
    pub fn status(&self) -> u16 {
        self.response.map_or(0, |r| r.status)
    }

    /// True when the answer is an HTML page. An empty body is no page,
    /// whatever its `Content-Type` label says: it is judged by its status
    /// alone (an empty 200 from a revocation endpoint is RFC 7009 §2.2
    /// success; an empty 403 from introspection is a refusal).
    pub fn is_html(&self) -> bool {
        self.response
            .is_some_and(|r| !self.is_empty() && r.looks_like_html())
    }

    /// True when the answer has no body (or only whitespace).
    pub fn is_empty(&self) -> bool {
        self.response
            .is_some_and(|r| r.body.iter().all(u8::is_ascii_whitespace))
    }

    /// One line on what came back.
    pub fn describe(&self) -> String {
        match self.response {
            Some(r) => {
                let ct = r.media_type().unwrap_or_else(|| "no Content-Type".into());
                match self.error_code() {
                    Some(e) => format!("{} {ct} error=\"{e}\"", r.status),
                    None => format!("{} {ct}", r.status),
                }
            }
            None => self.state.describe(),
        }
    }
}

/// Live probes of one endpoint kind, answered or not (a probe that got no
/// answer is not verified: [`Live::unverified`]), in probe-id order.
pub fn live(ev: &Evidence, kind: EndpointKind) -> Vec<Live<'_>> {
    ev.probes_where(move |m| matches!(m, ProbeMeta::Endpoint { endpoint, .. } if *endpoint == kind))
        .filter_map(|(probe, rec)| {
            let ProbeMeta::Endpoint { url, .. } = &rec.meta else {
                return None;
            };
            let x = ev.exchange(rec.exchange)?;
            Some(Live {
                probe,
                url,
                exchange: x,
                response: x.response.as_ref(),
                json: ev.json_at(rec.exchange),
                state: state_of(ev, rec.exchange, x),
            })
        })
        .collect()
}
