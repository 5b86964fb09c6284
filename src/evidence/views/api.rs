//! Requests to API and MCP endpoints as an agent without a token makes
//! them, with the `WWW-Authenticate` challenges each answer carries
//! (RFC 9110 §11.6.1, RFC 6750 §3, RFC 9728 §5.1), parsed once.

use crate::evidence::Evidence;
use crate::model::exchange::ResponseRecord;
use crate::model::probe::{ApiSource, ProbeMeta};
use crate::parse::www_authenticate::{Challenge, parse_all};
use std::sync::Arc;

/// One API request and its parsed challenges.
#[derive(Debug, Clone)]
pub struct ApiExchange {
    /// Probe id.
    pub probe: String,
    /// Exchange index.
    pub exchange: usize,
    /// The endpoint.
    pub url: String,
    /// Where the URL came from.
    pub source: ApiSource,
    /// MCP endpoint.
    pub mcp: bool,
    /// Sent with a deliberately invalid token.
    pub invalid_token: bool,
    /// True when a response came back.
    pub answered: bool,
    /// Why there is no response.
    pub error: Option<String>,
    /// Challenges of every `WWW-Authenticate` header.
    pub challenges: Vec<Challenge>,
    /// True when a header could not be parsed completely.
    pub malformed: Option<String>,
}

impl ApiExchange {
    /// The first Bearer challenge.
    pub fn bearer(&self) -> Option<&Challenge> {
        self.challenges.iter().find(|c| c.is("bearer"))
    }

    /// The response, if any.
    pub fn response<'e>(&self, ev: &'e Evidence) -> Option<&'e ResponseRecord> {
        ev.exchange(self.exchange).and_then(|x| x.response.as_ref())
    }

    /// The `resource_metadata` URL the first challenge that names one
    /// gives (RFC 9728 §5.1), whatever its scheme.
    pub fn resource_metadata(&self) -> Option<&str> {
        self.challenges
            .iter()
            .find_map(|c| c.param("resource_metadata"))
    }
}

/// Every API probe of the scan.
#[derive(Debug, Clone, Default)]
pub struct ApiView(pub Vec<ApiExchange>);

impl std::ops::Deref for ApiView {
    type Target = [ApiExchange];
    fn deref(&self) -> &[ApiExchange] {
        &self.0
    }
}

/// Every API probe of the scan, in probe-id order (memoised); the
/// conventional `/mcp` of a bare domain only when it answered like an MCP
/// endpoint.
pub fn api_view(ev: &Evidence) -> Arc<ApiView> {
    ev.view(|ev| {
        ApiView(
            ev.probes_where(|m| matches!(m, ProbeMeta::Api { .. }))
                .filter_map(|(probe, rec)| {
                    let ProbeMeta::Api {
                        url,
                        source,
                        mcp,
                        invalid_token,
                    } = &rec.meta
                    else {
                        return None;
                    };
                    let x = ev.exchange(rec.exchange)?;
                    let response = x.response.as_ref();
                    // The conventional `/mcp` of a bare domain is a lead: it
                    // counts only when it answers like an MCP endpoint (a
                    // 401 or a challenge, or a JSON-RPC answer): a bot
                    // challenge's 403 page or a 404 is not one.
                    if *source == ApiSource::Conventional
                        && !response.is_some_and(|r| {
                            r.status == 401
                                || r.header("www-authenticate").is_some()
                                || crate::parse::mcp::message(&r.body).is_some()
                        })
                    {
                        return None;
                    }
                    let (challenges, errors) = response
                        .map(|r| parse_all(r.header_all("www-authenticate")))
                        .unwrap_or_default();
                    Some(ApiExchange {
                        probe: probe.to_string(),
                        exchange: rec.exchange,
                        url: url.clone(),
                        source: source.clone(),
                        mcp: *mcp,
                        invalid_token: *invalid_token,
                        answered: response.is_some(),
                        error: x.error.as_ref().map(|e| e.message.clone()),
                        challenges,
                        malformed: errors.first().map(ToString::to_string),
                    })
                })
                .collect(),
        )
    })
}
