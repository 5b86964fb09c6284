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

use crate::evidence::views::api::api_view;
use crate::evidence::views::descriptions::{announced_links, found};
use crate::evidence::views::metadata::metadata_docs;
use crate::evidence::views::prm::prm_view;
use crate::evidence::{Evidence, Recorder};
use crate::http::{HttpClient, RequestSpec};
use crate::model::exchange::{ErrorKind, Exchange, Mode, ProbeError, RequestRecord};
use crate::model::probe::{
    API, API_BASE, API_BASE_V1, API_CATALOG, API_DESCRIPTION, API_SERVER, API_TARGET, AUTH_MD,
    ApiForm, ApiSource, CATCH_ALL, DescriptionSource, EndpointKind, INVALID_TOKEN_SUFFIX,
    IssuerSource, JWKS, MetadataForm, Needs, OPENAPI_LOCATION, PRM_CHALLENGE, PRM_PATH, PRM_ROOT,
    PrmForm, ProbeMeta, REGISTRATION_CLEANUP,
};
use crate::model::target::{Target, TargetKind};
use futures_util::StreamExt;
use std::time::Duration;
use tokio::time::Instant;
use url::Url;

/// Linked descriptions (catalog or `Link` header) followed per scan, at most.
pub const MAX_LINKED_DESCRIPTIONS: usize = 4;
/// API base URLs taken from descriptions' `servers` per scan, at most.
pub const MAX_SERVER_URLS: usize = 2;
/// Metadata URLs taken from descriptions' security schemes per scan, at most.
pub const MAX_DESCRIPTION_ISSUERS: usize = 2;
/// Authorization servers (and PRM resources) followed per scan, at most.
pub const MAX_LISTED_ISSUERS: usize = 3;
/// Requests in flight per target, at most.
pub const CONCURRENCY_PER_TARGET: usize = 8;
/// Derivation rounds, at most (a bound on chains of derived probes). The
/// longest chain: catalog → description → its server's challenge → the
/// protected-resource metadata it names → the authorization server's
/// metadata → the endpoints that metadata advertises.
const MAX_ROUNDS: usize = 6;

/// The client id agentready presents where one is needed: registered
/// nowhere, and saying what it is.
pub const UNREGISTERED_CLIENT_PREFIX: &str = "agentready-unregistered-client-";

/// The request body sent to an advertised endpoint: each is designed so no
/// conformant server can act on it (DESIGN §3, safe mode).
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
            ],
        }
    }
}

impl RegistrationProbe {
    /// Add a member (its value as written; the body stays malformed).
    #[must_use]
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

/// When the answer to a registration probe created a client (2xx with a
/// `client_id`): the RFC 7592 §2.3 request that deletes it — `DELETE` of
/// the `registration_client_uri` with the `registration_access_token` as a
/// bearer token — and, when it must not be sent, why. `None` when nothing
/// was created, or when the answer gives no way to delete the client (the
/// check then reports the client as left behind).
///
/// The deletion is sent only to the registration endpoint's own origin:
/// a hostile server must not make the scanner send a `DELETE` elsewhere.
/// The token is read here, from the raw answer, before
/// [`crate::issued::redact_exchange`] takes it out of the evidence.
pub fn registration_cleanup(
    registration_probe: &str,
    registration_url: &Url,
    x: &Exchange,
) -> Option<(PlannedProbe, Option<String>)> {
    let resp = x.response.as_ref()?;
    if !resp.is_success() || resp.truncated {
        return None;
    }
    let doc: serde_json::Value = serde_json::from_slice(&resp.body).ok()?;
    let client_id = doc.get("client_id")?.as_str().filter(|s| !s.is_empty())?;
    let uri = doc.get("registration_client_uri")?.as_str()?;
    let token = doc.get("registration_access_token")?.as_str()?;
    let url = registration_url.join(uri).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let probe = PlannedProbe {
        id: format!("{REGISTRATION_CLEANUP}@{registration_url}"),
        meta: ProbeMeta::RegistrationCleanup {
            registration: registration_probe.to_string(),
            client_id: client_id.to_string(),
        },
        request: RequestSpec {
            large_body: false,
            method: reqwest::Method::DELETE,
            url: url.clone(),
            headers: vec![
                ("accept".into(), "application/json".into()),
                ("authorization".into(), format!("Bearer {token}")),
            ],
            body: None,
        },
    };
    let refusal = (crate::model::target::origin_of(&url) != crate::model::target::origin_of(registration_url))
        .then(|| {
            format!(
                "not sent: registration_client_uri {url} is not on the registration endpoint's origin; agentready sends the deletion only there"
            )
        });
    Some((probe, refusal))
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

fn get(url: Url, accept: &str, target: &Target) -> RequestSpec {
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

fn as_metadata_probes(
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

/// The JSON-RPC `initialize` request an MCP client sends first.
pub fn mcp_initialize_body() -> String {
    serde_json::json!({
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "agentready", "version": env!("CARGO_PKG_VERSION")}
        }
    })
    .to_string()
}

/// The bogus token sent to an API URL: random per process, but the same
/// for the same URL, so two derivations of one endpoint (a PRM `resource`
/// and an API description's server) are one request, sent once.
fn invalid_token_for(url: &Url) -> String {
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
/// `initialize` as an MCP client sends it (a GET in passive mode).
fn api_probes(id: &str, url: &Url, source: ApiSource, mode: Mode) -> Vec<PlannedProbe> {
    let mcp = is_mcp_url(url);
    let request = if mcp && mode != Mode::Passive {
        RequestSpec {
            large_body: false,
            method: reqwest::Method::POST,
            url: url.clone(),
            headers: vec![
                (
                    "accept".into(),
                    "application/json, text/event-stream".into(),
                ),
                ("content-type".into(), "application/json".into()),
            ],
            body: Some(mcp_initialize_body()),
        }
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

/// Probes derived from the evidence so far (all bounded):
/// - the `resource_metadata` URL of each challenge to an API probe;
/// - from each protected-resource document, its `resource` URL (probed as
///   an API when it is not the target) and the metadata of each issuer in
///   `authorization_servers`, in the MCP order (first [`MAX_LISTED_ISSUERS`]
///   distinct issuers of the scan);
/// - the `jwks_uri` of every metadata document found.
pub fn derived_probes(
    target: &Target,
    evidence: &Evidence,
    opts: &GatherOptions,
    plan: &Plan,
) -> Vec<PlannedProbe> {
    let mut out = Vec::new();
    // 1. Challenges → PRM (RFC 9728 §5.1; MCP: clients use it when present).
    if plan.needs.contains(Needs::AS_METADATA) {
        for a in api_view(evidence).iter().filter(|a| !a.invalid_token) {
            if !a.answered {
                continue;
            }
            let Some(rm) = a.resource_metadata() else {
                continue;
            };
            let Ok(prm_url) = Url::parse(rm) else {
                continue;
            };
            if prm_url.scheme() != "https" && prm_url.scheme() != "http" {
                continue;
            }
            out.push(PlannedProbe {
                id: format!("{PRM_CHALLENGE}@{}", a.probe),
                meta: ProbeMeta::ProtectedResource {
                    resource: a.url.clone(),
                    form: PrmForm::Challenge {
                        from: a.probe.clone(),
                    },
                },
                request: get(prm_url, "application/json", target),
            });
        }
    }
    // The protected-resource documents found, challenge-named first (MCP
    // clients prefer them), as the checks read them.
    let prm = prm_view(evidence);
    let prms: Vec<(&str, &serde_json::Value)> = prm
        .iter()
        .filter_map(|c| c.doc().map(|d| (c.probe.as_str(), d)))
        .collect();
    // 2a. PRM resource URLs → unauthenticated API requests.
    if plan.needs.contains(Needs::API) {
        let mut resources: Vec<String> = evidence
            .probes_where(|m| {
                matches!(
                    m,
                    ProbeMeta::Api {
                        source: ApiSource::PrmResource { .. },
                        ..
                    }
                )
            })
            .filter_map(|(_, r)| match &r.meta {
                ProbeMeta::Api { url, .. } => Some(url.clone()),
                _ => None,
            })
            .collect();
        for (prm, doc) in &prms {
            let Some(resource) = doc.get("resource").and_then(|v| v.as_str()) else {
                continue;
            };
            let Ok(url) = Url::parse(resource) else {
                continue;
            };
            if (url.scheme() != "https" && url.scheme() != "http") || url == target.url {
                continue;
            }
            if resources.iter().any(|r| r == url.as_str()) || resources.len() >= MAX_LISTED_ISSUERS
            {
                continue;
            }
            resources.push(url.to_string());
            out.extend(api_probes(
                &format!("{API}@{url}"),
                &url,
                ApiSource::PrmResource {
                    prm: prm.to_string(),
                },
                opts.mode,
            ));
        }
    }
    // 2b. authorization_servers → AS metadata, MCP order.
    if plan.needs.contains(Needs::AS_METADATA) {
        let mut issuers: Vec<String> = evidence
            .probes_where(|m| {
                matches!(
                    m,
                    ProbeMeta::AsMetadata {
                        source: IssuerSource::AuthorizationServers { .. },
                        ..
                    }
                )
            })
            .filter_map(|(_, r)| match &r.meta {
                ProbeMeta::AsMetadata { issuer, .. } => Some(issuer.clone()),
                _ => None,
            })
            .collect();
        issuers.dedup();
        for (prm, doc) in &prms {
            let Some(list) = doc.get("authorization_servers").and_then(|v| v.as_array()) else {
                continue;
            };
            for issuer in list.iter().filter_map(|v| v.as_str()) {
                if issuers.iter().any(|s| s == issuer) {
                    continue;
                }
                if issuers.len() >= MAX_LISTED_ISSUERS {
                    break;
                }
                issuers.push(issuer.to_string());
                out.extend(as_metadata_probes(
                    target,
                    issuer,
                    &format!("@{issuer}"),
                    &IssuerSource::AuthorizationServers {
                        prm: prm.to_string(),
                    },
                ));
            }
        }
    }
    // 4. Advertised endpoints → a request designed to be rejected. Passive
    // mode drops these POSTs when the round runs.
    if plan.needs.contains(Needs::ENDPOINTS) {
        for kind in EndpointKind::ALL {
            let mut urls: Vec<(String, Vec<String>)> = Vec::new();
            for d in metadata_docs(evidence).iter() {
                let (probe, Some(doc)) = (d.probe.as_str(), d.state.doc()) else {
                    continue;
                };
                let Some(uri) = doc.get(kind.member()).and_then(|v| v.as_str()) else {
                    continue;
                };
                match urls.iter_mut().find(|(u, _)| u == uri) {
                    Some((_, named)) => named.push(probe.to_string()),
                    None => urls.push((uri.to_string(), vec![probe.to_string()])),
                }
            }
            for (uri, named_by) in urls.into_iter().take(MAX_LISTED_ISSUERS) {
                let Ok(url) = Url::parse(&uri) else { continue };
                if url.scheme() != "https" && url.scheme() != "http" {
                    continue;
                }
                out.push(PlannedProbe {
                    id: format!("{}@{uri}", kind.probe_prefix()),
                    meta: ProbeMeta::Endpoint {
                        endpoint: kind,
                        url: uri.clone(),
                        named_by,
                    },
                    request: endpoint_request(kind, url),
                });
            }
        }
    }
    // 5. agent_auth: the skill document, and an empty registration request
    // to the endpoint on the authorization server's own origin (auth.md
    // §10.5 K10/K11: other origins are reported, not fetched).
    if plan.needs.contains(Needs::AGENT_AUTH) {
        let mut planned: Vec<String> = Vec::new();
        for d in metadata_docs(evidence).iter() {
            let (probe, Some(doc)) = (d.probe.as_str(), d.state.doc()) else {
                continue;
            };
            let Some(block) = doc.get("agent_auth").and_then(|v| v.as_object()) else {
                continue;
            };
            let doc_origin = Url::parse(&d.url)
                .ok()
                .map(|u| crate::model::target::origin_of(&u));
            if let Some(skill) = block.get("skill").and_then(|v| v.as_str())
                && let Ok(url) = Url::parse(skill)
                && (url.scheme() == "https" || url.scheme() == "http")
                && !planned.iter().any(|p| p == skill)
            {
                planned.push(skill.to_string());
                out.push(PlannedProbe {
                    id: format!("{AUTH_MD}@{skill}"),
                    meta: ProbeMeta::AuthMd {
                        skill_of: Some(probe.to_string()),
                    },
                    request: get(url, "text/markdown, text/plain;q=0.9, */*;q=0.1", target),
                });
            }
            for member in ["identity_endpoint", "register_uri"] {
                let Some(endpoint) = block.get(member).and_then(|v| v.as_str()) else {
                    continue;
                };
                let Ok(url) = Url::parse(endpoint) else {
                    continue;
                };
                let same_origin =
                    doc_origin.as_deref() == Some(crate::model::target::origin_of(&url).as_str());
                if !same_origin
                    || planned.iter().any(|p| p == endpoint)
                    || (url.scheme() != "https" && url.scheme() != "http")
                {
                    continue;
                }
                planned.push(endpoint.to_string());
                out.push(PlannedProbe {
                    id: format!("agent-registration@{endpoint}"),
                    meta: ProbeMeta::AgentRegistration {
                        url: endpoint.to_string(),
                        named_by: probe.to_string(),
                    },
                    request: RequestSpec {
                        large_body: false,
                        method: reqwest::Method::POST,
                        url,
                        headers: vec![
                            ("accept".into(), "application/json".into()),
                            ("content-type".into(), "application/json".into()),
                        ],
                        body: Some("{}".into()),
                    },
                });
            }
        }
    }
    // 6. API descriptions: the catalog's and Link headers' links, else the
    // conventional locations; then what the descriptions found name.
    if plan.needs.contains(Needs::API_DESCRIPTION) {
        out.extend(description_probes(target, evidence, opts, plan));
    }
    // 3. jwks_uri of every metadata document found (AS and PRM).
    if plan.needs.contains(Needs::JWKS) {
        let mut jwks: Vec<(String, Vec<String>)> = Vec::new();
        // Every metadata document found, AS and PRM, in probe-id order.
        let as_docs = metadata_docs(evidence);
        let mut found: Vec<(&str, &serde_json::Value)> = as_docs
            .iter()
            .filter_map(|d| d.state.doc().map(|doc| (d.probe.as_str(), doc.as_ref())))
            .chain(prms.iter().copied())
            .collect();
        found.sort_by_key(|(probe, _)| *probe);
        for (probe, doc) in found {
            let Some(uri) = doc.get("jwks_uri").and_then(|v| v.as_str()) else {
                continue;
            };
            match jwks.iter_mut().find(|(u, _)| u == uri) {
                Some((_, named)) => named.push(probe.to_string()),
                None => jwks.push((uri.to_string(), vec![probe.to_string()])),
            }
        }
        for (uri, named_by) in jwks.into_iter().take(MAX_LISTED_ISSUERS * 2) {
            let Ok(url) = Url::parse(&uri) else { continue };
            if url.scheme() != "https" && url.scheme() != "http" {
                continue;
            }
            out.push(PlannedProbe {
                id: format!("{JWKS}@{uri}"),
                meta: ProbeMeta::Jwks { named_by },
                request: get(url, "application/json, application/jwk-set+json", target),
            });
        }
    }
    out
}

/// Where a metadata URL a description names leads: the issuer it was built
/// from and the form, when it is one of the well-known forms (else it is
/// reported, not followed).
pub fn issuer_of_metadata_url(url: &str) -> Option<(String, MetadataForm, usize)> {
    let parsed = Url::parse(url).ok()?;
    let origin = crate::model::target::origin_of(&parsed);
    let path = parsed.path();
    let issuer = if let Some(rest) = path.strip_prefix("/.well-known/oauth-authorization-server") {
        format!("{origin}{rest}")
    } else if let Some(rest) = path.strip_prefix("/.well-known/openid-configuration") {
        format!("{origin}{rest}")
    } else if let Some(prefix) = path.strip_suffix("/.well-known/openid-configuration") {
        format!("{origin}{prefix}")
    } else {
        return None;
    };
    issuer_metadata_urls(&issuer)?
        .into_iter()
        .enumerate()
        .find(|(_, (_, u))| u == url)
        .map(|(order, (form, _))| (issuer.clone(), form, order))
}

/// Derived probes of API descriptions (see [`derived_probes`], step 6).
fn description_probes(
    target: &Target,
    evidence: &Evidence,
    opts: &GatherOptions,
    plan: &Plan,
) -> Vec<PlannedProbe> {
    let mut out = Vec::new();
    // Nothing derives before the catalog answered.
    if evidence.record(API_CATALOG).is_none() {
        return out;
    }
    let target_host = target.url.host_str().unwrap_or_default();
    let followed = evidence
        .probes_where(|m| matches!(m, ProbeMeta::ApiDescription { via } if via.announced()))
        .count();
    let links = announced_links(evidence);
    let links = &links[..];
    let mut budget = MAX_LINKED_DESCRIPTIONS.saturating_sub(followed);
    for (href, via) in links {
        let id = format!("{API_DESCRIPTION}@{href}");
        if evidence.record(&id).is_some() {
            continue;
        }
        let Ok(url) = Url::parse(href) else { continue };
        if budget == 0
            || !matches!(url.scheme(), "http" | "https")
            || !crate::parse::links::same_site(target_host, url.host_str().unwrap_or_default())
        {
            continue;
        }
        budget -= 1;
        let mut request = get(url, crate::parse::description::DESCRIPTION_ACCEPT, target);
        request.large_body = true;
        out.push(PlannedProbe {
            id,
            meta: ProbeMeta::ApiDescription { via: via.clone() },
            request,
        });
    }
    // Guess only when nothing announced a machine-readable description.
    let announced_desc = links
        .iter()
        .any(|(_, via)| via.rel() == Some("service-desc"));
    let guessed = evidence
        .probes_where(|m| matches!(m, ProbeMeta::ApiDescription { via } if !via.announced()))
        .next()
        .is_some();
    if !announced_desc && !guessed && followed == 0 {
        // Guesses keep the ordinary body cap: only a description the target
        // announces gets the raised one, so a site that answers every path
        // with a huge body costs no more memory than before.
        // An MCP endpoint is not an API base URL: no relative guesses.
        let base = match target.kind {
            TargetKind::Mcp => Url::parse(&format!("{}/", target.origin())).ok(),
            _ => Some(target.url.clone()),
        };
        let urls = base
            .map(|b| crate::parse::description::conventional_urls(&target.origin(), &b))
            .unwrap_or_default();
        for (path, url) in urls {
            let request = get(url, crate::parse::description::DESCRIPTION_ACCEPT, target);
            out.push(PlannedProbe {
                id: format!("{OPENAPI_LOCATION}@{path}"),
                meta: ProbeMeta::ApiDescription {
                    via: DescriptionSource::Conventional { path },
                },
                request,
            });
        }
    }
    // What the descriptions found name.
    let found = found(evidence);
    let mut servers: Vec<String> = evidence
        .probes_where(|m| {
            matches!(
                m,
                ProbeMeta::Api {
                    source: ApiSource::ApiDescription { .. },
                    invalid_token: false,
                    ..
                }
            )
        })
        .filter_map(|(_, r)| match &r.meta {
            ProbeMeta::Api { url, .. } => Some(url.clone()),
            _ => None,
        })
        .collect();
    let bare_domain = target.kind == TargetKind::Origin && opts.api_urls.is_empty();
    let mut issuers: Vec<String> = evidence
        .probes_where(|m| {
            matches!(
                m,
                ProbeMeta::AsMetadata {
                    source: IssuerSource::ApiDescription { .. },
                    ..
                }
            )
        })
        .filter_map(|(_, r)| evidence.exchange(r.exchange))
        .map(|x| x.request.url.clone())
        .collect();
    for f in found.iter() {
        let crate::evidence::views::descriptions::DescState::Found(desc) = &f.state else {
            continue;
        };
        if bare_domain
            && (plan.needs.contains(Needs::API) || plan.needs.contains(Needs::API_RESOURCES))
        {
            for server in &desc.servers {
                let Ok(url) = Url::parse(server) else {
                    continue;
                };
                // Only the target's own site: descriptions often name
                // placeholder or third-party hosts (`api.example.com`).
                let own =
                    crate::parse::links::same_site(target_host, url.host_str().unwrap_or_default());
                if !own
                    || servers.iter().any(|s| s == url.as_str())
                    || servers.len() >= MAX_SERVER_URLS
                {
                    continue;
                }
                servers.push(url.to_string());
                if plan.needs.contains(Needs::API) {
                    out.extend(api_probes(
                        &format!("{API_SERVER}@{url}"),
                        &url,
                        ApiSource::ApiDescription {
                            description: f.probe.to_string(),
                        },
                        opts.mode,
                    ));
                }
                if plan.needs.contains(Needs::API_RESOURCES) && !is_mcp_url(&url) {
                    out.push(PlannedProbe {
                        id: format!("api-resource@{url}"),
                        meta: ProbeMeta::ApiResource {
                            form: ApiForm::Server,
                        },
                        request: get(url.clone(), "application/json", target),
                    });
                }
            }
        }
        if plan.needs.contains(Needs::AS_METADATA) {
            for scheme in &desc.schemes {
                let url = match &scheme.kind {
                    crate::model::api::SchemeKind::OpenIdConnect { url } => Some(url),
                    crate::model::api::SchemeKind::OAuth2 { metadata_url, .. } => {
                        metadata_url.as_ref()
                    }
                    _ => None,
                };
                let Some(url) = url else { continue };
                if issuers.iter().any(|u| u == url) || issuers.len() >= MAX_DESCRIPTION_ISSUERS {
                    continue;
                }
                let Some((issuer, form, order)) = issuer_of_metadata_url(url) else {
                    continue;
                };
                let Ok(parsed) = Url::parse(url) else {
                    continue;
                };
                issuers.push(url.clone());
                out.push(PlannedProbe {
                    id: format!("as-metadata@description:{url}"),
                    meta: ProbeMeta::AsMetadata {
                        issuer,
                        form,
                        order,
                        source: IssuerSource::ApiDescription {
                            description: f.probe.to_string(),
                        },
                    },
                    request: get(parsed, "application/json", target),
                });
            }
        }
    }
    out
}

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
    fn redactor(&self) -> Option<&crate::http::Redactor> {
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

    fn redactor(&self) -> Option<&crate::http::Redactor> {
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
    // SSRF guard (DESIGN §7): a public target's documents cannot send the
    // scanner to a private or loopback address. The first round holds only
    // what the user asked for (the target and --api-url); the guard applies
    // to derived probes. Host names that resolve to such addresses are the
    // HTTP layer's concern.
    let mut guard = false;
    for _ in 0..MAX_ROUNDS {
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
        if round.is_empty() {
            break;
        }
    }
    evidence.finish()
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
            let issued = crate::issued::redact_exchange(&mut x, &[]);
            if let Some((_, cx)) = cleanup.as_mut() {
                crate::issued::redact_exchange(cx, &issued);
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn mcp_endpoints_get_an_initialize_post_and_passive_mode_a_get() {
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
                .contains("\"initialize\"")
        );
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
