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

use crate::evidence::{Evidence, Exchange, Mode, ProbeError, RequestRecord};
use crate::http::{HttpClient, RequestSpec};
use crate::target::{Target, TargetKind};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use tokio::time::Instant;
use url::Url;

/// Probe id of the random-path request.
pub const CATCH_ALL: &str = "catch-all";
/// Probe id of the root protected-resource metadata.
pub const PRM_ROOT: &str = "prm-root";
/// Probe id of the path-suffixed protected-resource metadata.
pub const PRM_PATH: &str = "prm-path";
/// Probe id of the GET of the target URL as an agent would call it.
pub const API_TARGET: &str = "api-target";
/// Probe id of the GET of `/api` on the target origin.
pub const API_BASE: &str = "api-base";
/// Probe id of the GET of `/api/v1` on the target origin.
pub const API_BASE_V1: &str = "api-base-v1";
/// Authorization servers taken from one protected-resource document, at most.
pub const MAX_LISTED_ISSUERS: usize = 3;
/// Requests in flight per target, at most.
pub const CONCURRENCY_PER_TARGET: usize = 8;
/// Derivation rounds, at most (a bound on chains of derived probes).
const MAX_ROUNDS: usize = 4;

/// Which well-known document an authorization-server metadata URL names, and
/// how it was built from the issuer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MetadataForm {
    /// RFC 8414 §3: `/.well-known/oauth-authorization-server` inserted
    /// between host and path.
    Rfc8414,
    /// OIDC discovery with the well-known string inserted (RFC 8414 §5).
    OidcInserted,
    /// OIDC Discovery §4: `/.well-known/openid-configuration` appended to
    /// the issuer.
    OidcAppended,
}

impl MetadataForm {
    /// Human name used in findings.
    pub fn describe(self) -> &'static str {
        match self {
            MetadataForm::Rfc8414 => "RFC 8414 (path-inserted)",
            MetadataForm::OidcInserted => "OpenID discovery (path-inserted)",
            MetadataForm::OidcAppended => "OpenID discovery (path-appended)",
        }
    }

    /// True for the two OpenID discovery forms.
    pub fn is_oidc(self) -> bool {
        !matches!(self, MetadataForm::Rfc8414)
    }
}

/// Where an issuer candidate came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "kebab-case")]
pub enum IssuerSource {
    /// The target's origin (MCP 2025-03-26 "authorization base URL").
    Origin,
    /// The target URL with its path (an issuer with a path, e.g. a tenant).
    TargetPath,
    /// Listed in `authorization_servers` of a protected-resource document.
    AuthorizationServers {
        /// The probe id of that document.
        prm: String,
    },
}

/// Which protected-resource metadata URL a probe asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PrmForm {
    /// `/.well-known/oauth-protected-resource` at the root.
    Root,
    /// The well-known string inserted before the target's path (RFC 9728 §3.1).
    PathSuffixed,
}

/// Which API URL an [`ProbeMeta::ApiResource`] probe asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ApiForm {
    /// The target URL itself.
    Target,
    /// `/api` on the target origin.
    Api,
    /// `/api/v1` on the target origin.
    ApiV1,
}

/// What a probe was for: the context checks need to judge its exchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ProbeMeta {
    /// A random path that no real site serves.
    CatchAll,
    /// An authorization-server metadata URL built from `issuer`.
    AsMetadata {
        /// The issuer string exactly as it was taken (no normalisation).
        issuer: String,
        /// How the URL was built.
        form: MetadataForm,
        /// Position in the MCP 2025-11-25 order for this issuer (0 first).
        order: usize,
        /// Where the issuer came from.
        source: IssuerSource,
    },
    /// A protected-resource metadata URL for `resource`.
    ProtectedResource {
        /// The resource identifier the URL was built from.
        resource: String,
        /// Root or path-suffixed.
        form: PrmForm,
    },
    /// An unauthenticated GET of an API URL, sent as an agent would
    /// (`Accept: application/json`): what it answers shows payment
    /// challenges (x402), rate-limit fields, request ids and bot challenges.
    ApiResource {
        /// Which URL.
        form: ApiForm,
    },
    /// The GET of a user's declarative check.
    UserCheck {
        /// The check id.
        check: String,
    },
}

impl ProbeMeta {
    /// True for requests an agent would make of the target: every probe but
    /// the random catch-all path and users' declarative checks.
    pub fn is_agent_request(&self) -> bool {
        !matches!(self, ProbeMeta::CatchAll | ProbeMeta::UserCheck { .. })
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

/// What the selected checks need gathered.
#[derive(Debug, Clone, Default)]
pub struct Needs {
    /// Authorization-server metadata (and the PRM documents that lead to it).
    pub as_metadata: bool,
    /// Unauthenticated GETs of the target URL, `/api` and `/api/v1`.
    pub api_resources: bool,
    /// Declarative user checks: (check id, path on the target origin).
    pub user_checks: Vec<(String, String)>,
}

impl Needs {
    /// Everything an agent would request of the target (every flag but the
    /// user checks), for checks that judge every such exchange. A new
    /// probe flag belongs here too.
    pub fn agent_surface(&mut self) {
        self.as_metadata = true;
        self.api_resources = true;
    }
}

/// Scan-wide gathering settings.
#[derive(Debug, Clone)]
pub struct GatherOptions {
    /// Probe mode.
    pub mode: Mode,
    /// Deadline for the whole target.
    pub target_timeout: Duration,
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
pub fn initial_probes(target: &Target, needs: &Needs) -> Vec<PlannedProbe> {
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
    if needs.as_metadata {
        let path = target.path();
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
    if needs.api_resources {
        out.extend(api_resource_probes(target));
    }
    for (check, path) in &needs.user_checks {
        if let Ok(url) = Url::parse(&format!("{origin}{path}")) {
            // Only the target's own origin: a path that escapes it is dropped.
            if crate::target::origin_of(&url) == origin {
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

/// Probes derived from the evidence so far: the metadata of each
/// authorization server a protected-resource document lists (bounded).
pub fn derived_probes(target: &Target, evidence: &Evidence) -> Vec<PlannedProbe> {
    let mut out = Vec::new();
    let mut n = 0usize;
    let mut seen: Vec<String> = Vec::new();
    for prm in [PRM_PATH, PRM_ROOT] {
        let Some(doc) = evidence.json(prm) else {
            continue;
        };
        let Some(list) = doc.get("authorization_servers").and_then(|v| v.as_array()) else {
            continue;
        };
        for issuer in list
            .iter()
            .filter_map(|v| v.as_str())
            .take(MAX_LISTED_ISSUERS)
        {
            if seen.iter().any(|s| s == issuer) || n >= MAX_LISTED_ISSUERS {
                continue;
            }
            seen.push(issuer.to_string());
            n += 1;
            out.extend(as_metadata_probes(
                target,
                issuer,
                &format!("-as{n}"),
                &IssuerSource::AuthorizationServers {
                    prm: prm.to_string(),
                },
            ));
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
}

/// Run the plan: the initial round, then derived rounds until nothing new is
/// planned, all within the target deadline.
pub async fn gather(
    client: &impl Transport,
    target: &Target,
    needs: &Needs,
    opts: &GatherOptions,
) -> Evidence {
    let mut evidence = Evidence::new(target.clone(), opts.mode);
    let deadline = Instant::now() + opts.target_timeout;
    let user_origin = target.origin();
    let mut round = initial_probes(target, needs);
    // SSRF guard (DESIGN §7): a public target's documents cannot send the
    // scanner to a private or loopback address. Host names that resolve to
    // such addresses are the HTTP layer's concern.
    let guard = !target.is_private();
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
        round = derived_probes(target, &evidence)
            .into_iter()
            .filter(|p| evidence.record(&p.id).is_none())
            .collect();
        if round.is_empty() {
            break;
        }
    }
    evidence
}

async fn run_round(
    client: &impl Transport,
    evidence: &mut Evidence,
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
            && crate::target::is_private_host(host)
        {
            let x = unsent(
                &p,
                "refused",
                format!(
                    "not fetched: {host} is a private or loopback address and the target is not (SSRF guard)"
                ),
            );
            evidence.push(x, p.meta);
            continue;
        }
        let key = (
            p.request.method.to_string(),
            p.request.url.to_string(),
            p.request.body.clone(),
        );
        if let Some(idx) = evidence.find_request(&key.0, &key.1, key.2.as_deref()) {
            evidence.alias(&p.id, idx, p.meta);
            continue;
        }
        if let Some(first) = to_send.iter().find(|q| {
            q.request.method.as_str() == key.0
                && q.request.url.as_str() == key.1
                && q.request.body == key.2
        }) {
            let first_id = first.id.clone();
            aliases.push((p, first_id));
            continue;
        }
        to_send.push(p);
    }
    let mut pending: Vec<PlannedProbe> = Vec::new();
    {
        let mut stream = futures_util::stream::iter(to_send.iter().map(|p| async move {
            (
                p.id.clone(),
                client.exchange(&p.id, &p.request, user_origin).await,
            )
        }))
        .buffer_unordered(CONCURRENCY_PER_TARGET);
        let mut done: Vec<(String, Exchange)> = Vec::new();
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
                let (_, x) = done.swap_remove(pos);
                evidence.push(x, p.meta.clone());
            } else {
                pending.push(p.clone());
            }
        }
    }
    for p in pending {
        let x = unsent(
            &p,
            "deadline",
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

/// An exchange for a probe that was planned but not sent (or not finished).
fn unsent(p: &PlannedProbe, kind: &str, message: String) -> Exchange {
    Exchange {
        probe: p.id.clone(),
        request: RequestRecord {
            method: p.request.method.to_string(),
            url: p.request.url.to_string(),
            headers: p.request.headers.clone(),
            body: p.request.body.clone(),
        },
        response: None,
        error: Some(ProbeError {
            kind: kind.into(),
            message,
        }),
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
        let needs = Needs {
            as_metadata: true,
            ..Needs::default()
        };
        let t = Target::parse("https://example.com").unwrap();
        let ids: Vec<String> = initial_probes(&t, &needs)
            .into_iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(ids, vec![CATCH_ALL, "as-metadata", "oidc-config", PRM_ROOT]);
        let t = Target::parse("https://example.com/tenant1").unwrap();
        let ids: Vec<String> = initial_probes(&t, &needs)
            .into_iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(
            ids,
            vec![
                CATCH_ALL,
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
    fn api_resource_probes_follow_the_target_kind() {
        let needs = Needs {
            api_resources: true,
            ..Needs::default()
        };
        let plan = |t: &str| -> Vec<(String, String)> {
            initial_probes(&Target::parse(t).unwrap(), &needs)
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
        let needs = Needs {
            user_checks: vec![
                ("mine".into(), "/security.txt".into()),
                ("evil".into(), "//other.example/x".into()),
            ],
            ..Needs::default()
        };
        let probes = initial_probes(&t, &needs);
        let ids: Vec<&str> = probes.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, vec![CATCH_ALL, "user:mine", "user:evil"]);
        for p in &probes {
            assert_eq!(p.request.url.host_str(), Some("example.com"));
        }
    }
}
