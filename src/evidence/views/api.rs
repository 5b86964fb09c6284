//! Requests to API and MCP endpoints as an agent without a token makes
//! them, with the `WWW-Authenticate` challenges each answer carries
//! (RFC 9110 §11.6.1, RFC 6750 §3, RFC 9728 §5.1), parsed once.

use crate::evidence::Evidence;
use crate::evidence::views::DocState;
use crate::evidence::views::metadata::metadata_docs;
use crate::model::exchange::ResponseRecord;
use crate::model::probe::{ApiSource, IssuerSource, ProbeMeta};
use crate::model::target::TargetKind;
use crate::parse::www_authenticate::{Challenge, parse_all};
use serde_json::Value;
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

/// Every API probe of the scan that reached an API endpoint. Only API
/// URLs are treated as API URLs: the target's own request is left out
/// when the target is an issuer (its metadata was found at the target; its
/// `userinfo_endpoint` is probed instead), and so is an origin root that
/// answered 404 when nobody but a document's lead pointed there (`not_api`
/// says which, and why).
#[derive(Debug, Clone, Default)]
pub struct ApiView(pub Vec<ApiExchange>, pub Vec<NotApi>);

/// A URL probed as an API that turned out not to be one.
#[derive(Debug, Clone)]
pub struct NotApi {
    /// The URL.
    pub url: String,
    /// Why it is not judged as an API endpoint.
    pub reason: &'static str,
}

impl ApiView {
    /// The URLs probed that are not API endpoints.
    pub fn not_api(&self) -> &[NotApi] {
        &self.1
    }
}

/// The metadata documents found at the target itself: built from the
/// target's path (an issuer with a path), or from its origin when the
/// target is a bare origin. When there is one, the target is an issuer.
/// An MCP endpoint is never taken for an issuer.
pub fn issuer_target_docs(ev: &Evidence) -> Vec<(String, Arc<Value>)> {
    let kind = ev.target().kind;
    if kind == TargetKind::Mcp {
        return Vec::new();
    }
    metadata_docs(ev)
        .iter()
        .filter(|d| match d.source {
            IssuerSource::TargetPath => kind == TargetKind::Endpoint,
            IssuerSource::Origin => kind == TargetKind::Origin,
            _ => false,
        })
        .filter_map(|d| match &d.state {
            DocState::Found(v) => Some((d.probe.clone(), v.clone())),
            _ => None,
        })
        .collect()
}

/// True when `url` is an origin root (no path beyond `/`, no query).
fn is_origin_root(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| u.path() == "/" && u.query().is_none())
}

impl std::ops::Deref for ApiView {
    type Target = [ApiExchange];
    fn deref(&self) -> &[ApiExchange] {
        &self.0
    }
}

/// Every API probe of the scan that reached an API endpoint, in probe-id
/// order (memoised); the conventional `/mcp` of a bare domain only when it
/// answered like an MCP endpoint. See [`ApiView`].
pub fn api_view(ev: &Evidence) -> Arc<ApiView> {
    ev.view(|ev| {
        let all: Vec<ApiExchange> = ev.probes_where(|m| matches!(m, ProbeMeta::Api { .. }))
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
                .collect();
        let mut not_api: Vec<NotApi> = Vec::new();
        let issuer_target = !issuer_target_docs(ev).is_empty();
        for a in all.iter().filter(|a| !a.invalid_token) {
            let reason = if issuer_target && a.source == ApiSource::Target {
                "the target is an authorization server's issuer, not an API (its metadata was found there)"
            } else if !matches!(a.source, ApiSource::Target | ApiSource::ApiUrl)
                && is_origin_root(&a.url)
                && a.response(ev).is_some_and(|r| r.status == 404)
            {
                "a site root that answered 404, probed only because a document pointed at the origin: not an API endpoint"
            } else {
                continue;
            };
            if !not_api.iter().any(|n| n.url == a.url) {
                not_api.push(NotApi {
                    url: a.url.clone(),
                    reason,
                });
            }
        }
        let apis = all
            .into_iter()
            .filter(|a| !not_api.iter().any(|n| n.url == a.url))
            .collect();
        ApiView(apis, not_api)
    })
}
