//! The plan: which probes a scan sends first, and how each request is
//! built. A scan is planned as rounds: the first holds the static probes
//! (the catch-all path, the well-known metadata URLs of the target, user
//! checks' GETs); each later round holds probes [`crate::gather::derive`]d
//! from what earlier rounds found.

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

use crate::gather::http::RequestSpec;
use crate::model::exchange::Mode;
use crate::model::probe::{
    AGENT_CARD, AI_CATALOG, API, API_BASE, API_BASE_V1, API_CATALOG, API_TARGET, AUTH_MD, ApiForm,
    ApiSource, CATCH_ALL, EndpointKind, INITIALIZE_SUFFIX, INVALID_TOKEN_SUFFIX, IssuerSource,
    MCP_CONVENTIONAL, MetadataForm, Needs, PRM_PATH, PRM_ROOT, PrmForm, ProbeMeta, SERVER_CARD,
    ServerCardSource,
};
use crate::model::target::{Target, TargetKind};
use std::time::Duration;
use url::Url;

/// Linked descriptions (catalog or `Link` header) followed per scan, at most.
pub const MAX_LINKED_DESCRIPTIONS: usize = 4;
/// API base URLs taken from descriptions' `servers` per scan, at most.
pub const MAX_SERVER_URLS: usize = 2;
/// Metadata URLs taken from descriptions' security schemes per scan, at most.
pub const MAX_DESCRIPTION_ISSUERS: usize = 2;
/// MCP server cards an AI catalog names that are fetched per scan, at most.
pub const MAX_SERVER_CARDS: usize = 2;
/// MCP endpoints taken from server cards' `remotes` per scan, at most.
pub const MAX_CARD_REMOTES: usize = 2;
/// Issuers taken from an A2A agent card's security schemes per scan, at most.
pub const MAX_CARD_ISSUERS: usize = 2;
/// Accept header of a server-card request (the draft's media type).
pub const SERVER_CARD_ACCEPT: &str = "application/mcp-server-card+json, application/json;q=0.9";
/// Authorization servers (and PRM resources) followed per scan, at most.
pub const MAX_LISTED_ISSUERS: usize = 3;
/// Requests in flight per target, at most.
pub const CONCURRENCY_PER_TARGET: usize = 8;
/// Derivation rounds, at most (a bound on chains of derived probes). The
/// longest chain: catalog → description → its server's challenge → the
/// protected-resource metadata it names → the authorization server's
/// metadata → the endpoints that metadata advertises.
pub(crate) const MAX_ROUNDS: usize = 6;

/// The client id agentready presents where one is needed: registered
/// nowhere, and saying what it is.
pub const UNREGISTERED_CLIENT_PREFIX: &str = "agentready-unregistered-client-";

/// The request body sent to an advertised endpoint: each is designed so no
/// conformant server can act on it (safe mode; README, What a scan sends).
pub fn endpoint_request(kind: EndpointKind, url: Url) -> RequestSpec {
    let nonce = format!("{:016x}", fastrand::u64(..));
    let form = |body: String| RequestSpec {
        large_body: false,
        method: reqwest::Method::POST,
        url: url.clone(),
        headers: vec![
            ("accept".into(), "application/json".into()),
            (
                "content-type".into(),
                "application/x-www-form-urlencoded".into(),
            ),
        ],
        body: Some(body),
    };
    match kind {
        // RFC 8628 §3.1 with a client id no server has registered.
        EndpointKind::DeviceAuthorization => {
            form(format!("client_id={UNREGISTERED_CLIENT_PREFIX}{nonce}"))
        }
        // RFC 7009 §2.1: a token that was never issued; the unregistered
        // client id lets a server that accepts public clients answer 200.
        EndpointKind::Revocation => form(format!(
            "token=agentready-invalid-token-{nonce}&token_type_hint=access_token&client_id={UNREGISTERED_CLIENT_PREFIX}{nonce}"
        )),
        // RFC 7662 §2.1 without any caller authentication.
        EndpointKind::Introspection => form(format!("token=agentready-invalid-token-{nonce}")),
        // The registration probe no server can turn into a client: see
        // `RegistrationProbe`.
        EndpointKind::Registration => RequestSpec {
            large_body: false,
            method: reqwest::Method::POST,
            url,
            headers: vec![
                ("accept".into(), "application/json".into()),
                ("content-type".into(), "application/json".into()),
            ],
            body: Some(RegistrationProbe::default().body()),
        },
    }
}

/// The body of the safe registration probe: client metadata written as a
/// JSON object that is never closed, so it is not JSON at all.
///
/// Why malformed JSON, and not invalid metadata. RFC 7591 §3.2.2 lets a
/// server that gets an invalid metadata value "substitute a valid value
/// for any requested parameter" and register the client anyway; lax
/// servers also skip semantic checks outright (a `redirect_uris` entry
/// with a fragment, which RFC 6749 §3.1.2 forbids, was registered by
/// popular MCP SDKs), coerce wrongly typed members (a string where an
/// array belongs), or fill every member they do not understand with a
/// default (a client from `{}`). A body that does not parse leaves no
/// metadata to substitute, coerce or default: a JSON parser — the first
/// thing every registration endpoint runs, engaged by
/// `Content-Type: application/json` — rejects it before any handler can
/// create anything. The object is cut inside, not followed by garbage
/// (streaming decoders stop after the first complete value), and its
/// members are of the wrong type too, so even a parser that "repairs"
/// truncated input gets metadata that must be rejected
/// (`invalid_client_metadata`, RFC 7591 §3.2.2).
///
/// A server that still answers 2xx with a `client_id` ignored the body
/// altogether: the gatherer then deletes that client at once (RFC 7592
/// §2.3, [`registration_cleanup`]).
///
/// More members are added with [`RegistrationProbe::member`] (the body
/// stays malformed whatever they are).
#[derive(Debug, Clone)]
pub struct RegistrationProbe {
    members: Vec<(String, serde_json::Value)>,
}

impl Default for RegistrationProbe {
    fn default() -> Self {
        RegistrationProbe {
            members: vec![
                (
                    "client_name".into(),
                    serde_json::Value::String(
                        "agentready safe probe: deliberately malformed JSON that must be rejected (RFC 7591 section 3.2.2)"
                            .into(),
                    ),
                ),
                // Wrongly typed: RFC 7591 §2 makes both arrays of strings.
                ("redirect_uris".into(), serde_json::Value::from(0)),
                ("grant_types".into(), serde_json::Value::from(0)),
                // What an MCP 2026-07-28 client must send (SEP-837: CLI
                // and desktop clients are `native`); the body stays
                // malformed.
                (
                    "application_type".into(),
                    serde_json::Value::String("native".into()),
                ),
            ],
        }
    }
}

impl RegistrationProbe {
    /// Add a member (its value as written; the body stays malformed).
    #[must_use]
    #[cfg(any(test, feature = "testing"))]
    pub fn member(mut self, name: &str, value: serde_json::Value) -> Self {
        self.members.push((name.to_string(), value));
        self
    }

    /// The body: `{"m":v,…,` — an object opened, its members written, and
    /// never closed.
    pub fn body(&self) -> String {
        let mut out = String::from("{");
        for (name, value) in &self.members {
            out.push_str(&serde_json::Value::String(name.clone()).to_string());
            out.push(':');
            out.push_str(&value.to_string());
            out.push(',');
        }
        out
    }
}

/// One planned probe.
#[derive(Debug, Clone)]
pub struct PlannedProbe {
    /// Probe id (unique in a scan).
    pub id: String,
    /// What it is for.
    pub meta: ProbeMeta,
    /// The request.
    pub request: RequestSpec,
}

/// What to gather: the probe families the selected checks need, and the
/// GET of each declarative check.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// The families of probes to send.
    pub needs: Needs,
    /// Declarative user checks: (check id, path on the target origin).
    pub user_checks: Vec<(String, String)>,
}

/// Scan-wide gathering settings.
#[derive(Debug, Clone)]
pub struct GatherOptions {
    /// Probe mode.
    pub mode: Mode,
    /// Deadline for the whole target.
    pub target_timeout: Duration,
    /// API or MCP endpoints to probe besides the target (`--api-url`).
    pub api_urls: Vec<Url>,
    /// Facts of a user-supplied token (credentialed mode).
    pub credential: Option<crate::model::credential::CredentialFacts>,
}

impl Default for GatherOptions {
    fn default() -> Self {
        GatherOptions {
            mode: Mode::Safe,
            target_timeout: Duration::from_secs(30),
            api_urls: Vec::new(),
            credential: None,
        }
    }
}

/// Build the well-known metadata URLs for an issuer, in MCP 2025-11-25
/// order, from the raw issuer string (no URL normalisation, so an issuer
/// written with `:443` keeps it). Returns `None` when the issuer is not an
/// absolute http(s) URL.
pub fn issuer_metadata_urls(issuer: &str) -> Option<Vec<(MetadataForm, String)>> {
    let (scheme, rest) = issuer.split_once("://")?;
    if !scheme.eq_ignore_ascii_case("https") && !scheme.eq_ignore_ascii_case("http") {
        return None;
    }
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if authority.is_empty() {
        return None;
    }
    let path = path.strip_suffix('/').unwrap_or(path);
    let base = format!("{scheme}://{authority}");
    let mut out = vec![(
        MetadataForm::Rfc8414,
        format!("{base}/.well-known/oauth-authorization-server{path}"),
    )];
    if path.is_empty() {
        out.push((
            MetadataForm::OidcInserted,
            format!("{base}/.well-known/openid-configuration"),
        ));
    } else {
        out.push((
            MetadataForm::OidcInserted,
            format!("{base}/.well-known/openid-configuration{path}"),
        ));
        out.push((
            MetadataForm::OidcAppended,
            format!("{base}{path}/.well-known/openid-configuration"),
        ));
    }
    Some(out)
}

pub(crate) fn get(url: Url, accept: &str, target: &Target) -> RequestSpec {
    let mut headers = vec![("accept".to_string(), accept.to_string())];
    if target.kind == TargetKind::Mcp {
        headers.push(("mcp-protocol-version".into(), "2025-11-25".into()));
    }
    RequestSpec {
        large_body: false,
        method: reqwest::Method::GET,
        url,
        headers,
        body: None,
    }
}

pub(crate) fn as_metadata_probes(
    target: &Target,
    issuer: &str,
    suffix: &str,
    source: &IssuerSource,
) -> Vec<PlannedProbe> {
    let Some(urls) = issuer_metadata_urls(issuer) else {
        return Vec::new();
    };
    urls.into_iter()
        .enumerate()
        .filter_map(|(order, (form, url))| {
            let url = Url::parse(&url).ok()?;
            let base = match form {
                MetadataForm::Rfc8414 => "as-metadata",
                MetadataForm::OidcInserted => "oidc-config",
                MetadataForm::OidcAppended => "oidc-config-appended",
            };
            Some(PlannedProbe {
                id: format!("{base}{suffix}"),
                meta: ProbeMeta::AsMetadata {
                    issuer: issuer.to_string(),
                    form,
                    order,
                    source: source.clone(),
                },
                request: get(url, "application/json", target),
            })
        })
        .collect()
}

/// GETs an agent would send first to an API, without credentials: the
/// target URL, then `/api` and `/api/v1` on its origin. An MCP endpoint is
/// not fetched with GET here (an agent POSTs `initialize` to it; a GET may
/// open an event stream). A URL that another probe also plans (the target
/// may be `/api/v1` itself) is sent once: the store aliases it.
fn api_resource_probes(target: &Target) -> Vec<PlannedProbe> {
    let origin = target.origin();
    let mut urls: Vec<(&str, ApiForm, Option<Url>)> = Vec::new();
    if target.kind != TargetKind::Mcp {
        urls.push((API_TARGET, ApiForm::Target, Some(target.url.clone())));
    }
    urls.push((
        API_BASE,
        ApiForm::Api,
        Url::parse(&format!("{origin}/api")).ok(),
    ));
    urls.push((
        API_BASE_V1,
        ApiForm::ApiV1,
        Url::parse(&format!("{origin}/api/v1")).ok(),
    ));
    urls.into_iter()
        .filter_map(|(id, form, url)| {
            Some(PlannedProbe {
                id: id.into(),
                meta: ProbeMeta::ApiResource { form },
                request: get(url?, "application/json", target),
            })
        })
        .collect()
}

/// The first round: probes that need nothing but the target.
pub fn initial_probes(target: &Target, plan: &Plan, opts: &GatherOptions) -> Vec<PlannedProbe> {
    let origin = target.origin();
    let mut out = Vec::new();
    let random = format!("{:016x}", fastrand::u64(..));
    if let Ok(url) = Url::parse(&format!("{origin}/agentready-nonexistent-{random}")) {
        out.push(PlannedProbe {
            id: CATCH_ALL.into(),
            meta: ProbeMeta::CatchAll,
            request: get(url, "application/json", target),
        });
    }
    let path = target.path();
    if plan.needs.contains(Needs::API) {
        // MCP 2025-11-25: a client starts at the endpoint and reads the
        // challenge first.
        if target.kind != TargetKind::Origin {
            out.extend(api_probes(API, &target.url, ApiSource::Target, opts.mode));
        }
        for (i, url) in opts.api_urls.iter().enumerate() {
            out.extend(api_probes(
                &format!("api-url-{}", i + 1),
                url,
                ApiSource::ApiUrl,
                opts.mode,
            ));
        }
    }
    if plan.needs.contains(Needs::AS_METADATA) {
        if !path.is_empty() {
            let issuer = format!("{origin}{path}");
            out.extend(as_metadata_probes(
                target,
                &issuer,
                "-path",
                &IssuerSource::TargetPath,
            ));
        }
        out.extend(as_metadata_probes(
            target,
            &origin,
            "",
            &IssuerSource::Origin,
        ));
        // RFC 9728 §3.1; MCP 2025-11-25 order: path-suffixed first, then root.
        if !path.is_empty()
            && let Ok(url) = Url::parse(&format!(
                "{origin}/.well-known/oauth-protected-resource{path}"
            ))
        {
            out.push(PlannedProbe {
                id: PRM_PATH.into(),
                meta: ProbeMeta::ProtectedResource {
                    resource: format!("{origin}{path}"),
                    form: PrmForm::PathSuffixed,
                },
                request: get(url, "application/json", target),
            });
        }
        if let Ok(url) = Url::parse(&format!("{origin}/.well-known/oauth-protected-resource")) {
            out.push(PlannedProbe {
                id: PRM_ROOT.into(),
                meta: ProbeMeta::ProtectedResource {
                    resource: origin.clone(),
                    form: PrmForm::Root,
                },
                request: get(url, "application/json", target),
            });
        }
    }
    if plan.needs.contains(Needs::AGENT_AUTH)
        && let Ok(url) = Url::parse(&format!("{origin}/auth.md"))
    {
        out.push(PlannedProbe {
            id: AUTH_MD.into(),
            meta: ProbeMeta::AuthMd { skill_of: None },
            request: get(url, "text/markdown, text/plain;q=0.9, */*;q=0.1", target),
        });
    }
    if plan.needs.contains(Needs::API_RESOURCES) {
        out.extend(api_resource_probes(target));
    }
    if plan.needs.contains(Needs::API_DESCRIPTION)
        && let Ok(url) = Url::parse(&format!(
            "{origin}{}",
            crate::parse::description::API_CATALOG_PATH
        ))
    {
        out.push(PlannedProbe {
            id: API_CATALOG.into(),
            meta: ProbeMeta::ApiCatalog,
            request: get(url, crate::parse::description::CATALOG_ACCEPT, target),
        });
    }
    if plan.needs.contains(Needs::CARDS) {
        out.extend(card_probes(target));
    }
    for (check, path) in &plan.user_checks {
        if let Ok(url) = Url::parse(&format!("{origin}{path}")) {
            // Only the target's own origin: a path that escapes it is dropped.
            if crate::model::target::origin_of(&url) == origin {
                out.push(PlannedProbe {
                    id: format!("user:{check}"),
                    meta: ProbeMeta::UserCheck {
                        check: check.clone(),
                    },
                    request: get(url, "*/*", target),
                });
            }
        }
    }
    out
}

/// The discovery cards of the current drafts, one request each: the A2A
/// agent card (A2A 0.3 and 1.0 moved it from `agent.json`, which is not
/// asked for), the AI catalog through which the MCP server-card draft
/// announces cards for a domain, and, for an MCP endpoint, the
/// `<endpoint>/server-card` location the draft reserves. The legacy
/// SEP-1649 paths (`/.well-known/mcp.json` and four others) are not
/// guessed: each would be a request on every scan for a superseded draft.
fn card_probes(target: &Target) -> Vec<PlannedProbe> {
    let origin = target.origin();
    let mut out = Vec::new();
    if let Ok(url) = Url::parse(&format!(
        "{origin}{}",
        crate::parse::cards::AGENT_CARD_PATH
    )) {
        out.push(PlannedProbe {
            id: AGENT_CARD.into(),
            meta: ProbeMeta::AgentCard,
            request: get(url, "application/json", target),
        });
    }
    if let Ok(url) = Url::parse(&format!("{origin}{}", crate::parse::cards::AI_CATALOG_PATH)) {
        out.push(PlannedProbe {
            id: AI_CATALOG.into(),
            meta: ProbeMeta::AiCatalog,
            request: get(
                url,
                "application/ai-catalog+json, application/json;q=0.9",
                target,
            ),
        });
    }
    if target.kind == TargetKind::Mcp
        && let Ok(url) = Url::parse(&format!(
            "{}{}",
            target.url.as_str().trim_end_matches('/'),
            crate::parse::cards::SERVER_CARD_SUFFIX
        ))
    {
        out.push(PlannedProbe {
            id: SERVER_CARD.into(),
            meta: ProbeMeta::ServerCard {
                via: ServerCardSource::Endpoint,
            },
            request: get(url, SERVER_CARD_ACCEPT, target),
        });
    }
    out
}

/// The conventional MCP endpoint `POST /mcp` of a bare domain, when
/// nothing else announced an API: no `--api-url`, no protected-resource
/// document, no API request planned from an API description. An MCP
/// server scanned at its root is then still found. Not in passive mode
/// (a GET of an MCP endpoint may open an event stream).
pub fn conventional_mcp_probes(
    target: &Target,
    evidence: &crate::evidence::Evidence,
    plan: &Plan,
    opts: &GatherOptions,
) -> Vec<PlannedProbe> {
    if target.kind != TargetKind::Origin
        || !plan.needs.contains(Needs::API)
        || opts.mode == Mode::Passive
        || !opts.api_urls.is_empty()
        || evidence
            .probes_where(|m| matches!(m, ProbeMeta::Api { .. }))
            .next()
            .is_some()
        || crate::evidence::views::prm::prm_view(evidence)
            .iter()
            .any(|c| c.doc().is_some())
    {
        return Vec::new();
    }
    let Ok(url) = Url::parse(&format!("{}/mcp", target.origin())) else {
        return Vec::new();
    };
    // The invalid-token variant follows only when this answered like an
    // MCP endpoint (derived).
    api_probes(MCP_CONVENTIONAL, &url, ApiSource::Conventional, opts.mode)
        .into_iter()
        .filter(|p| !p.id.ends_with(INVALID_TOKEN_SUFFIX))
        .collect()
}

/// True when a URL names an MCP endpoint (last path segment `mcp` or `sse`).
pub fn is_mcp_url(url: &Url) -> bool {
    let last = url
        .path()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    last.eq_ignore_ascii_case("mcp") || last.eq_ignore_ascii_case("sse")
}

/// The JSON-RPC `initialize` request a 2025 MCP client sends first.
pub fn mcp_initialize_body() -> String {
    crate::parse::mcp::initialize_body(env!("CARGO_PKG_VERSION"))
}

/// The `server/discover` request a 2026-07-28 MCP client sends first.
pub fn mcp_discover_body() -> String {
    crate::parse::mcp::discover_body(env!("CARGO_PKG_VERSION"))
}

/// The MCP 2025 fallback: `initialize` as a 2025 client sends it, without
/// an `MCP-Protocol-Version` header (a dual-era server routes by that
/// header), to an endpoint whose answer to `server/discover` was that of
/// a 2025 server.
pub(crate) fn mcp_initialize_probe(discover: &str, url: &Url) -> PlannedProbe {
    PlannedProbe {
        id: format!("{discover}{INITIALIZE_SUFFIX}"),
        meta: ProbeMeta::McpInitialize {
            url: url.to_string(),
            discover: discover.to_string(),
        },
        request: mcp_post(url, Vec::new(), mcp_initialize_body()),
    }
}

/// A JSON-RPC POST to an MCP endpoint, as the Streamable HTTP transport
/// sends it (`Accept` both JSON and an event stream), with the revision's
/// extra headers.
fn mcp_post(url: &Url, extra: Vec<(String, String)>, body: String) -> RequestSpec {
    let mut headers: Vec<(String, String)> = vec![
        (
            "accept".into(),
            "application/json, text/event-stream".into(),
        ),
        ("content-type".into(), "application/json".into()),
    ];
    headers.extend(extra);
    RequestSpec {
        large_body: false,
        method: reqwest::Method::POST,
        url: url.clone(),
        headers,
        body: Some(body),
    }
}

/// The bogus token sent to an API URL: random per process, but the same
/// for the same URL, so two derivations of one endpoint (a PRM `resource`
/// and an API description's server) are one request, sent once.
pub(crate) fn invalid_token_for(url: &Url) -> String {
    use std::hash::{Hash, Hasher};
    static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let seed = *SEED.get_or_init(|| fastrand::u64(..));
    let mut h = std::collections::hash_map::DefaultHasher::new();
    seed.hash(&mut h);
    url.as_str().hash(&mut h);
    format!("{:016x}", h.finish())
}

/// The unauthenticated request to an API or MCP endpoint, and the same
/// request with a deliberately invalid bearer token (RFC 6750 §3.1 says the
/// answer is 401 with `error="invalid_token"`). An MCP endpoint gets a POST
/// `server/discover` as an MCP 2026-07-28 client sends it (a GET in passive
/// mode); the 2025 `initialize` follows only when the answer is that of a
/// 2025 server (derived).
pub(crate) fn api_probes(id: &str, url: &Url, source: ApiSource, mode: Mode) -> Vec<PlannedProbe> {
    // A server card's remote is an MCP endpoint by definition, whatever its
    // path; other URLs are MCP endpoints by the conventional paths.
    let mcp = is_mcp_url(url) || matches!(source, ApiSource::ServerCard { .. });
    let request = if mcp && mode != Mode::Passive {
        mcp_post(
            url,
            crate::parse::mcp::discover_headers()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .to_vec(),
            mcp_discover_body(),
        )
    } else {
        let accept = if mcp {
            "application/json, text/event-stream"
        } else {
            "application/json"
        };
        RequestSpec {
            large_body: false,
            method: reqwest::Method::GET,
            url: url.clone(),
            headers: vec![("accept".into(), accept.into())],
            body: None,
        }
    };
    let mut bogus = request.clone();
    bogus.headers.push((
        "authorization".into(),
        format!("Bearer agentready-invalid-token-{}", invalid_token_for(url)),
    ));
    let meta = |invalid_token| ProbeMeta::Api {
        url: url.to_string(),
        source: source.clone(),
        mcp,
        invalid_token,
    };
    vec![
        PlannedProbe {
            id: id.to_string(),
            meta: meta(false),
            request,
        },
        PlannedProbe {
            id: format!("{id}{INVALID_TOKEN_SUFFIX}"),
            meta: meta(true),
            request: bogus,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gather::derive::issuer_of_metadata_url;

    #[test]
    fn a_server_card_remote_is_probed_as_mcp_whatever_its_path() {
        let url = Url::parse("https://api.example.com/v1/agents").unwrap();
        let card = ApiSource::ServerCard {
            probe: "mcp-server-card".into(),
        };
        let probes = api_probes("api-server-card", &url, card, Mode::Safe);
        assert_eq!(probes[0].request.method, reqwest::Method::POST);
        assert!(matches!(probes[0].meta, ProbeMeta::Api { mcp: true, .. }));
        let plain = api_probes("api-target", &url, ApiSource::Target, Mode::Safe);
        assert_eq!(plain[0].request.method, reqwest::Method::GET);
    }

    #[test]
    fn issuer_without_path_has_two_urls_in_mcp_order() {
        let urls = issuer_metadata_urls("https://auth.example.com").unwrap();
        assert_eq!(
            urls,
            vec![
                (
                    MetadataForm::Rfc8414,
                    "https://auth.example.com/.well-known/oauth-authorization-server".to_string()
                ),
                (
                    MetadataForm::OidcInserted,
                    "https://auth.example.com/.well-known/openid-configuration".to_string()
                ),
            ]
        );
        // The trailing slash of the issuer is removed before insertion.
        assert_eq!(
            issuer_metadata_urls("https://auth.example.com/").unwrap(),
            urls
        );
    }

    #[test]
    fn issuer_with_path_has_three_urls_in_mcp_order() {
        let urls: Vec<String> = issuer_metadata_urls("https://auth.example.com/tenant1/")
            .unwrap()
            .into_iter()
            .map(|(_, u)| u)
            .collect();
        assert_eq!(
            urls,
            vec![
                "https://auth.example.com/.well-known/oauth-authorization-server/tenant1",
                "https://auth.example.com/.well-known/openid-configuration/tenant1",
                "https://auth.example.com/tenant1/.well-known/openid-configuration",
            ]
        );
    }

    #[test]
    fn raw_issuer_keeps_default_port() {
        let urls = issuer_metadata_urls("https://api.salesforce.com:443").unwrap();
        assert_eq!(
            urls[0].1,
            "https://api.salesforce.com:443/.well-known/oauth-authorization-server"
        );
        assert!(issuer_metadata_urls("urn:example").is_none());
        assert!(issuer_metadata_urls("https://").is_none());
        assert!(issuer_metadata_urls("ftp://x.example").is_none());
    }

    #[test]
    fn initial_plan_for_origin_and_path_targets() {
        let needs = Plan {
            needs: Needs::AS_METADATA | Needs::API,
            ..Plan::default()
        };
        let t = Target::parse("https://example.com").unwrap();
        let ids: Vec<String> = initial_probes(&t, &needs, &GatherOptions::default())
            .into_iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(ids, vec![CATCH_ALL, "as-metadata", "oidc-config", PRM_ROOT]);
        let t = Target::parse("https://example.com/tenant1").unwrap();
        let ids: Vec<String> = initial_probes(&t, &needs, &GatherOptions::default())
            .into_iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(
            ids,
            vec![
                CATCH_ALL,
                API,
                "api-unauthenticated+invalid-token",
                "as-metadata-path",
                "oidc-config-path",
                "oidc-config-appended-path",
                "as-metadata",
                "oidc-config",
                PRM_PATH,
                PRM_ROOT
            ]
        );
    }

    #[test]
    fn mcp_endpoints_get_a_discover_post_and_passive_mode_a_get() {
        let t = Target::parse("https://mcp.example.com/mcp").unwrap();
        let needs = Plan {
            needs: Needs::API,
            ..Plan::default()
        };
        let probes = initial_probes(&t, &needs, &GatherOptions::default());
        let api = probes.iter().find(|p| p.id == API).unwrap();
        assert_eq!(api.request.method, reqwest::Method::POST);
        assert!(
            api.request
                .body
                .as_deref()
                .unwrap()
                .contains("\"server/discover\"")
        );
        for h in [("mcp-protocol-version", "2026-07-28"), ("mcp-method", "server/discover")] {
            assert!(
                api.request
                    .headers
                    .contains(&(h.0.to_string(), h.1.to_string()))
            );
        }
        assert!(api.request.headers.contains(&(
            "accept".to_string(),
            "application/json, text/event-stream".to_string()
        )));
        let bogus = probes
            .iter()
            .find(|p| p.id == "api-unauthenticated+invalid-token")
            .unwrap();
        assert!(bogus.request.headers.iter().any(
            |(n, v)| n == "authorization" && v.starts_with("Bearer agentready-invalid-token-")
        ));
        // Credentialed mode is safe mode plus a token: still a POST.
        let credentialed = GatherOptions {
            mode: Mode::Credentialed,
            ..GatherOptions::default()
        };
        let probes = initial_probes(&t, &needs, &credentialed);
        assert_eq!(
            probes.iter().find(|p| p.id == API).unwrap().request.method,
            reqwest::Method::POST
        );
        let passive = GatherOptions {
            mode: Mode::Passive,
            ..GatherOptions::default()
        };
        let probes = initial_probes(&t, &needs, &passive);
        assert_eq!(
            probes.iter().find(|p| p.id == API).unwrap().request.method,
            reqwest::Method::GET
        );
        // A bare domain has no API URL unless --api-url names one.
        let t = Target::parse("example.com").unwrap();
        assert!(
            initial_probes(&t, &needs, &GatherOptions::default())
                .iter()
                .all(|p| p.id != API)
        );
        let with_api = GatherOptions {
            api_urls: vec![Url::parse("https://api.example.com/v1").unwrap()],
            ..GatherOptions::default()
        };
        let ids: Vec<String> = initial_probes(&t, &needs, &with_api)
            .into_iter()
            .map(|p| p.id)
            .collect();
        assert!(ids.contains(&"api-url-1".to_string()), "{ids:?}");
    }

    #[test]
    fn api_resource_probes_follow_the_target_kind() {
        let needs = Plan {
            needs: Needs::API_RESOURCES,
            ..Plan::default()
        };
        let plan = |t: &str| -> Vec<(String, String)> {
            initial_probes(
                &Target::parse(t).unwrap(),
                &needs,
                &GatherOptions::default(),
            )
            .into_iter()
            .filter(|p| matches!(p.meta, ProbeMeta::ApiResource { .. }))
            .map(|p| {
                assert_eq!(p.request.method, reqwest::Method::GET);
                assert!(
                    p.request
                        .headers
                        .contains(&("accept".into(), "application/json".into()))
                );
                (p.id, p.request.url.to_string())
            })
            .collect()
        };
        assert_eq!(
            plan("https://example.com"),
            vec![
                (API_TARGET.into(), "https://example.com/".into()),
                (API_BASE.into(), "https://example.com/api".into()),
                (API_BASE_V1.into(), "https://example.com/api/v1".into()),
            ]
        );
        // The target may be /api/v1 itself: both are planned, the store
        // sends the request once and aliases the second id.
        let same = plan("https://example.com/api/v1");
        assert_eq!(same[0].1, same[2].1);
        // An MCP endpoint is not fetched with GET.
        let ids: Vec<String> = plan("https://example.com/mcp")
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert_eq!(ids, vec![API_BASE, API_BASE_V1]);
    }

    #[test]
    fn user_check_paths_stay_on_the_target_origin() {
        let t = Target::parse("https://example.com").unwrap();
        let needs = Plan {
            user_checks: vec![
                ("mine".into(), "/security.txt".into()),
                ("evil".into(), "//other.example/x".into()),
            ],
            ..Plan::default()
        };
        let probes = initial_probes(&t, &needs, &GatherOptions::default());
        let ids: Vec<&str> = probes.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, vec![CATCH_ALL, "user:mine", "user:evil"]);
        for p in &probes {
            assert_eq!(p.request.url.host_str(), Some("example.com"));
        }
    }

    #[test]
    fn metadata_urls_map_back_to_issuers() {
        let f = issuer_of_metadata_url;
        assert_eq!(
            f("https://a.example/.well-known/openid-configuration").map(|(i, _, o)| (i, o)),
            Some(("https://a.example".into(), 1))
        );
        assert_eq!(
            f("https://a.example/t1/.well-known/openid-configuration").map(|(i, _, o)| (i, o)),
            Some(("https://a.example/t1".into(), 2))
        );
        assert_eq!(
            f("https://a.example/.well-known/oauth-authorization-server/t1")
                .map(|(i, _, o)| (i, o)),
            Some(("https://a.example/t1".into(), 0))
        );
        assert!(f("https://a.example/oidc.json").is_none());
        assert!(f("not a url").is_none());
    }
}

#[cfg(test)]
mod properties {
    //! Well-known URL construction (RFC 8414 §3 insertion, OIDC appending)
    //! holds for any issuer: ports, paths, trailing slashes, IDN hosts.
    use super::*;
    use proptest::prelude::*;

    fn host() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z][a-z0-9-]{0,10}(\\.[a-z][a-z0-9-]{0,10}){1,3}",
            Just("xn--bcher-kva.example".to_string()),
            Just("bücher.example".to_string()),
            Just("127.0.0.1".to_string()),
            Just("[::1]".to_string()),
        ]
    }

    proptest! {
        #[test]
        fn metadata_urls_follow_insertion_and_appending(
            h in host(),
            port in proptest::option::of(1u16..65535),
            segs in proptest::collection::vec("[a-zA-Z0-9_.~-]{1,8}", 0..4),
            slash in any::<bool>(),
        ) {
            let authority = match port { Some(p) => format!("{h}:{p}"), None => h.clone() };
            let path: String = segs.iter().map(|s| format!("/{s}")).collect();
            let issuer = format!("https://{authority}{path}{}", if slash { "/" } else { "" });
            let urls = issuer_metadata_urls(&issuer).expect("an https issuer has metadata URLs");
            let base = format!("https://{authority}");
            // RFC 8414 first, the well-known string inserted before the path.
            prop_assert_eq!(&urls[0], &(MetadataForm::Rfc8414, format!("{base}/.well-known/oauth-authorization-server{path}")));
            prop_assert_eq!(&urls[1].1, &format!("{base}/.well-known/openid-configuration{path}"));
            if path.is_empty() {
                prop_assert_eq!(urls.len(), 2);
            } else {
                prop_assert_eq!(&urls[2].1, &format!("{base}{path}/.well-known/openid-configuration"));
            }
            // The port is kept as written: no normalisation.
            for (_, u) in &urls {
                prop_assert!(u.starts_with(&base));
                prop_assert!(!u.contains("//.well-known"));
                prop_assert!(!u.ends_with('/'));
            }
        }

        #[test]
        fn anything_else_is_refused_not_panicked(s in "\\PC{0,40}") {
            if let Some(urls) = issuer_metadata_urls(&s) {
                prop_assert!(s.to_ascii_lowercase().starts_with("http"));
                prop_assert!(!urls.is_empty());
            }
        }
    }
}
