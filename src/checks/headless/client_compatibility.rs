//! `client-compatibility`: which clients can connect.
//!
//! Each client profile's discovery and registration path is run step by
//! step over the gathered evidence (no I/O): MCP 2025-03-26, 2025-06-18,
//! 2025-11-25 and 2026-07-28 clients, from each revision's authorization
//! text and the behaviour the official SDK clients share, and a generic
//! OAuth 2.1 headless agent. Each profile connects, stops at a step (with
//! the exchange that decided it), or is not verified (a request it needs
//! was not sent or not answered: never a pass or a fail).

use crate::checks::Builtin;
use crate::checks::codes::client_compatibility as code;
use crate::checks::common::{CIBA, DEVICE_CODE, JWT_BEARER, TOKEN_EXCHANGE, has_grant, strings};
use crate::checks::common::unavailable;
use crate::evidence::views::endpoints::Live;

/// True when the registration endpoint is not there (404, 405, 501): a
/// 5xx or an HTML page in answer to agentready's deliberately malformed
/// body says it exists (lax servers crash on unparsable JSON, as a
/// popular Python SDK's did) and says nothing about a client's valid
/// request.
fn registration_missing(l: &Live<'_>) -> bool {
    l.response
        .is_some_and(|r| matches!(r.status, 404 | 405 | 501))
}
use crate::evidence::Evidence;
use crate::evidence::views::DocState;
use crate::evidence::views::api::{ApiExchange, api_view};
use crate::evidence::views::endpoints::live;
use crate::evidence::views::mcp::{McpEndpoint, mcp_view};
use crate::evidence::views::metadata::{as_view, effective_docs, issuer_matches};
use crate::evidence::views::prm::prm_view;
use crate::model::outcome::{Evaluation, EvalStatus, Finding, Unverified, finding};
use crate::model::probe::{ApiSource, EndpointKind, MetadataForm, Needs, PrmForm};
use crate::model::target::origin_of;
use crate::parse::mcp::Era;
use serde::Serialize;
use serde_json::{Value, json};
use url::Url;

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::API
        .with(Needs::AS_METADATA)
        .with(Needs::ENDPOINTS),
    eval: client_compatibility,
};

/// A client profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// MCP 2025-03-26.
    Mcp20250326,
    /// MCP 2025-06-18.
    Mcp20250618,
    /// MCP 2025-11-25.
    Mcp20251125,
    /// MCP 2026-07-28.
    Mcp20260728,
    /// A generic OAuth 2.1 headless agent.
    Headless,
}

impl Profile {
    /// Every profile, oldest MCP revision first.
    pub const ALL: [Profile; 5] = [
        Profile::Mcp20250326,
        Profile::Mcp20250618,
        Profile::Mcp20251125,
        Profile::Mcp20260728,
        Profile::Headless,
    ];

    /// The id in the report.
    pub fn id(self) -> &'static str {
        match self {
            Profile::Mcp20250326 => "mcp-2025-03-26",
            Profile::Mcp20250618 => "mcp-2025-06-18",
            Profile::Mcp20251125 => "mcp-2025-11-25",
            Profile::Mcp20260728 => "mcp-2026-07-28",
            Profile::Headless => "oauth2.1-headless-agent",
        }
    }

    /// The MCP revision, for MCP profiles.
    fn version(self) -> Option<&'static str> {
        match self {
            Profile::Mcp20250326 => Some("2025-03-26"),
            Profile::Mcp20250618 => Some("2025-06-18"),
            Profile::Mcp20251125 => Some("2025-11-25"),
            Profile::Mcp20260728 => Some("2026-07-28"),
            Profile::Headless => None,
        }
    }

    /// From 2025-11-25 on: OpenID discovery, CIMD, the PKCE check.
    fn since_1125(self) -> bool {
        matches!(self, Profile::Mcp20251125 | Profile::Mcp20260728)
    }
}

/// One step of a profile's path.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// 1-based position.
    pub n: usize,
    /// What the step does.
    pub step: &'static str,
    /// `ok`, `fail`, or `not-verified`.
    pub result: &'static str,
    /// What was found.
    pub detail: String,
    /// The exchange that decided it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probe: Option<String>,
}

/// What one profile does with the server (`data.clients[]`).
#[derive(Debug, Clone, Serialize)]
pub struct ClientResult {
    /// Profile id.
    pub profile: &'static str,
    /// True: connects; false: stops at `failed_step`; null: not verified.
    pub connects: Option<bool>,
    /// The step it stops at (1-based).
    pub failed_step: Option<usize>,
    /// Why, in one line.
    pub reason: String,
    /// The exchange that decided the outcome.
    pub probe: Option<String>,
    /// The client's own choices that succeed (scope, application_type,
    /// token-endpoint authentication, grant).
    pub choices: Vec<String>,
    /// Every step taken.
    pub steps: Vec<Step>,
    #[serde(skip)]
    unverified: Vec<Unverified>,
}

/// A profile's run: the steps so far.
struct Run {
    profile: Profile,
    steps: Vec<Step>,
    choices: Vec<String>,
    unverified: Vec<Unverified>,
}

impl Run {
    fn new(profile: Profile) -> Self {
        Run {
            profile,
            steps: Vec::new(),
            choices: Vec::new(),
            unverified: Vec::new(),
        }
    }

    fn push(&mut self, step: &'static str, result: &'static str, detail: String, probe: Option<&str>) {
        self.steps.push(Step {
            n: self.steps.len() + 1,
            step,
            result,
            detail,
            probe: probe.map(str::to_string),
        });
    }

    fn ok(&mut self, step: &'static str, detail: impl Into<String>, probe: Option<&str>) {
        self.push(step, "ok", detail.into(), probe);
    }

    fn fail(mut self, step: &'static str, detail: impl Into<String>, probe: Option<&str>) -> ClientResult {
        let detail = detail.into();
        self.push(step, "fail", detail.clone(), probe);
        let n = self.steps.len();
        ClientResult {
            profile: self.profile.id(),
            connects: Some(false),
            failed_step: Some(n),
            reason: format!("fails at step {n} ({step}): {detail}"),
            probe: probe.map(str::to_string),
            choices: self.choices,
            steps: self.steps,
            unverified: self.unverified,
        }
    }

    fn unverified(
        mut self,
        step: &'static str,
        detail: impl Into<String>,
        probe: Option<&str>,
        why: Option<Unverified>,
    ) -> ClientResult {
        let detail = detail.into();
        self.push(step, "not-verified", detail.clone(), probe);
        let n = self.steps.len();
        self.unverified.push(why.unwrap_or(Unverified {
            probe: probe.map(str::to_string),
            reason: format!("{}: step {n} ({step}) not verified: {detail}", self.profile.id()),
            remedy: "scan in safe mode with the whole catalogue selected".into(),
            fault: false,
        }));
        ClientResult {
            profile: self.profile.id(),
            connects: None,
            failed_step: None,
            reason: format!("not verified at step {n} ({step}): {detail}"),
            probe: probe.map(str::to_string),
            choices: self.choices,
            steps: self.steps,
            unverified: self.unverified,
        }
    }

    fn connects(self, how: impl Into<String>, probe: Option<&str>) -> ClientResult {
        ClientResult {
            profile: self.profile.id(),
            connects: Some(true),
            failed_step: None,
            reason: format!("connects: {}", how.into()),
            probe: probe.map(str::to_string),
            choices: self.choices,
            steps: self.steps,
            unverified: self.unverified,
        }
    }
}

/// `client-compatibility`: MCP 2025-03-26 … 2026-07-28 authorization, the
/// official SDK clients' discovery, RFC 9728 §3.3, RFC 8414 §3.3.
pub fn client_compatibility(ev: &Evidence) -> Evaluation {
    let mcp = mcp_view(ev);
    let api = api_view(ev);
    // The MCP endpoint the user named, else the first one found.
    let endpoint = mcp
        .iter()
        .find(|e| e.source == ApiSource::Target)
        .or_else(|| mcp.first());
    let protected_api = api
        .iter()
        .any(|a| a.response(ev).is_some_and(|r| r.status == 401 || r.status == 403));
    if endpoint.is_none() && effective_docs(ev).is_empty() && !protected_api {
        return Evaluation::skip(
            "no MCP endpoint and no authorization-server metadata or challenge: no client path to simulate",
        );
    }
    let mut clients: Vec<ClientResult> = Vec::new();
    if let Some(e) = endpoint {
        let a = api.iter().find(|a| a.probe == e.probe && !a.invalid_token);
        for p in Profile::ALL {
            clients.push(match p {
                Profile::Headless => headless(ev, Some(e)),
                _ => mcp_profile(ev, p, e, a),
            });
        }
    } else {
        clients.push(headless(ev, None));
    }
    let mut findings: Vec<Finding> = Vec::new();
    for c in &clients {
        if c.connects == Some(false) {
            findings.push(finding(
                code::PROFILE_FAILS,
                format!("{} {}", c.profile, c.reason),
                c.probe.as_deref(),
            ));
        }
    }
    let get = |p: Profile| clients.iter().find(|c| c.profile == p.id());
    let any = clients.iter().any(|c| c.connects == Some(true));
    let newest = get(Profile::Mcp20260728);
    let agent = get(Profile::Headless);
    if endpoint.is_some() {
        if !any && clients.iter().any(|c| c.connects == Some(false)) {
            findings.push(finding(
                code::NONE,
                "no client profile connects: neither an MCP client of any revision nor a headless agent",
                None,
            ));
        } else if any {
            let lagging: Vec<&str> = [newest, agent]
                .into_iter()
                .flatten()
                .filter(|c| c.connects == Some(false))
                .map(|c| c.profile)
                .collect();
            if !lagging.is_empty() {
                let ok: Vec<&str> = clients
                    .iter()
                    .filter(|c| c.connects == Some(true))
                    .map(|c| c.profile)
                    .collect();
                findings.push(finding(
                    code::NEWEST_FAILS,
                    format!(
                        "{} cannot connect while {} can",
                        lagging.join(" and "),
                        ok.join(", ")
                    ),
                    None,
                ));
            }
        }
        if let Some(e) = endpoint
            && matches!(e.era, Some(Era::Legacy { .. }))
        {
            findings.push(finding(
                code::LEGACY_ONLY,
                format!(
                    "{} answers server/discover as a 2025 server{}: a 2026-07-28 client connects only through its fallback to initialize",
                    e.url,
                    e.fallback
                        .as_ref()
                        .and_then(|f| f.version.as_deref())
                        .map(|v| format!(" (initialize negotiated {v})"))
                        .unwrap_or_default()
                ),
                Some(&e.probe),
            ));
        }
    }
    let summary = {
        let ok: Vec<&str> = clients
            .iter()
            .filter(|c| c.connects == Some(true))
            .map(|c| c.profile)
            .collect();
        if ok.is_empty() {
            "No client profile connects".to_string()
        } else {
            format!("Connects: {}", ok.join(", "))
        }
    };
    let unverified: Vec<Unverified> = clients
        .iter()
        .filter(|c| {
            c.connects.is_none()
                && (c.profile == Profile::Mcp20260728.id() || c.profile == Profile::Headless.id())
        })
        .flat_map(|c| c.unverified.clone())
        .collect();
    let mut probes: Vec<String> = clients.iter().filter_map(|c| c.probe.clone()).collect();
    probes.sort();
    probes.dedup();
    let data = json!({
        "mcp": mcp.iter().map(endpoint_data).collect::<Vec<Value>>(),
        "clients": clients,
    });
    let mut e = Evaluation::evaluated(summary, findings, probes).with_data(data);
    if endpoint.is_none() {
        // Without an MCP endpoint only the headless agent runs: what it
        // finds is the browserless-path check's verdict, told as a client.
        e.status = EvalStatus::Informative;
        return e;
    }
    e.with_unverified(unverified)
}

/// The report data of an MCP endpoint: the era and versions it speaks.
fn endpoint_data(e: &McpEndpoint) -> Value {
    let era = e.era.as_ref().map_or("unknown", Era::name);
    let how = match &e.era {
        Some(Era::Modern { how, .. } | Era::Legacy { how } | Era::Unknown { how }) => how.clone(),
        Some(Era::AuthRequired) => format!(
            "{}: authorization comes first, the era is not shown",
            e.status.unwrap_or_default()
        ),
        None => "not answered (or not sent as a POST)".into(),
    };
    json!({
        "url": e.url,
        "probe": e.probe,
        "era": era,
        "answer": how,
        "supported_versions": e.versions(),
        "fallback_probe": e.fallback.as_ref().map(|f| f.probe.clone()),
    })
}

/// Same scheme, host spelling and port, and the URL's path under the
/// resource's path (segment-wise): what the SDK clients accept as a PRM
/// `resource` for the URL they were given (RFC 9728 §3.3).
fn resource_allowed(given: &str, resource: &str) -> bool {
    let (Ok(g), Ok(r)) = (Url::parse(given), Url::parse(resource)) else {
        return false;
    };
    if g.scheme() != r.scheme()
        || g.host_str() != r.host_str()
        || g.port_or_known_default() != r.port_or_known_default()
    {
        return false;
    }
    let gp = format!("{}/", g.path().trim_end_matches('/'));
    let rp = format!("{}/", r.path().trim_end_matches('/'));
    gp.starts_with(&rp)
}

/// The authorization server a profile uses: from the first PRM found (in
/// challenge → path → root order), or the server's origin without one.
struct AsChoice {
    issuer: String,
    prm: Option<(String, Value)>,
}

fn mcp_profile(
    ev: &Evidence,
    p: Profile,
    e: &McpEndpoint,
    a: Option<&ApiExchange>,
) -> ClientResult {
    let mut run = Run::new(p);
    let version = p.version().unwrap_or_default();
    let probe = Some(e.probe.as_str());
    // Step 1: the first request and the era it shows.
    let Some(era) = &e.era else {
        let why = ev
            .exchange(e.exchange)
            .and_then(|x| Unverified::of_exchange(x, &format!("POST {}", e.url)));
        return run.unverified(
            "first request",
            format!("{} was not answered as a POST", e.url),
            probe,
            why,
        );
    };
    match era {
        Era::AuthRequired => {
            let status = e.status.unwrap_or_default();
            if status == 403 {
                return run.fail(
                    "first request",
                    "403 without a 401 challenge: clients start authorization only on 401",
                    probe,
                );
            }
            run.ok("first request", "401: authorization required", probe);
        }
        Era::Unknown { how } => {
            return run.fail("first request", format!("answered {how}"), probe);
        }
        Era::Modern { versions, how } => {
            if p == Profile::Mcp20260728 {
                run.ok(
                    "first request",
                    format!("server/discover: {how}, supportedVersions {versions:?}"),
                    probe,
                );
                return run.connects("2026-07-28 server, no authorization required", probe);
            }
            if versions.iter().any(|v| v == version) {
                run.ok(
                    "first request",
                    format!("server/discover names {version} among {versions:?}"),
                    probe,
                );
                return run.connects("no authorization required", probe);
            }
            return run.unverified(
                "first request",
                format!(
                    "a 2026-07-28 server ({how}) naming only {versions:?}: whether it still answers a {version} client's initialize was not probed"
                ),
                probe,
                None,
            );
        }
        Era::Legacy { how } => {
            let Some(f) = &e.fallback else {
                return run.unverified(
                    "first request",
                    format!("a 2025 server ({how}); the initialize fallback was not sent"),
                    probe,
                    None,
                );
            };
            let fp = Some(f.probe.as_str());
            match (&f.version, f.status) {
                (Some(v), _) => {
                    let via = if p == Profile::Mcp20260728 {
                        " (through the 2026-07-28 client's fallback to initialize)"
                    } else {
                        ""
                    };
                    run.ok(
                        "first request",
                        format!("a 2025 server ({how}); initialize negotiated {v}{via}"),
                        fp,
                    );
                    return run.connects(format!("2025 server ({v}), no authorization required"), fp);
                }
                (None, Some(401)) => {
                    run.ok("first request", "initialize: 401, authorization required", fp);
                }
                (None, Some(s)) => {
                    return run.fail(
                        "first request",
                        format!("neither server/discover ({how}) nor initialize ({s}) succeeded"),
                        fp,
                    );
                }
                (None, None) => {
                    return run.unverified(
                        "first request",
                        "the initialize fallback was not answered",
                        fp,
                        None,
                    );
                }
            }
        }
    }
    // Authorization: which server.
    let given = e.url.as_str();
    let origin = Url::parse(given).map(|u| origin_of(&u)).unwrap_or_default();
    let choice = if p == Profile::Mcp20250326 {
        run.ok(
            "authorization base URL",
            format!("the MCP server's origin {origin} (2025-03-26: path discarded, no protected-resource metadata)"),
            None,
        );
        AsChoice {
            issuer: origin.clone(),
            prm: None,
        }
    } else {
        match prm_step(ev, &mut run, e, a) {
            Ok(c) => c,
            Err(PrmStop::Fail(step, why, probe)) => return run.fail(step, why, probe.as_deref()),
        }
    };
    // AS metadata.
    let legacy_path = choice.prm.is_none();
    let forms: &[MetadataForm] = if p.since_1125() && !legacy_path {
        &[
            MetadataForm::Rfc8414,
            MetadataForm::OidcInserted,
            MetadataForm::OidcAppended,
        ]
    } else {
        &[MetadataForm::Rfc8414]
    };
    let view = as_view(ev);
    let Some(iv) = view.iter().find(|v| v.issuer == choice.issuer) else {
        return run.unverified(
            "authorization-server metadata",
            format!("the metadata of {} was not fetched", choice.issuer),
            None,
            None,
        );
    };
    let mut doc: Option<(String, String, Value)> = None;
    let mut tried: Vec<String> = Vec::new();
    for c in iv.candidates.iter().filter(|c| forms.contains(&c.form)) {
        match &c.state {
            DocState::Found(v) => {
                doc = Some((c.probe.clone(), c.url.clone(), v.as_ref().clone()));
                break;
            }
            DocState::Status(s) if *s >= 500 => {
                return run.fail(
                    "authorization-server metadata",
                    format!("{} answered {s}: clients stop at a 5xx", c.url),
                    Some(&c.probe),
                );
            }
            DocState::Failed(_) | DocState::Refused(_) | DocState::Restricted(_) => {
                let why = ev
                    .exchange(c.exchange)
                    .and_then(|x| Unverified::of_exchange(x, &format!("GET {}", c.url)));
                return run.unverified(
                    "authorization-server metadata",
                    format!("{}: {}", c.url, c.state.describe()),
                    Some(&c.probe),
                    why,
                );
            }
            other => tried.push(format!("{} ({})", c.url, other.describe())),
        }
    }
    let Some((mprobe, murl, doc)) = doc else {
        let first = iv.candidates.first().map(|c| c.probe.clone());
        if matches!(p, Profile::Mcp20250326 | Profile::Mcp20250618) && legacy_path {
            return run.unverified(
                "authorization-server metadata",
                format!(
                    "no metadata ({}): the client falls back to the default endpoints {origin}/authorize, /token and /register, which are not probed",
                    tried.join(", ")
                ),
                first.as_deref(),
                None,
            );
        }
        let what = if forms.len() > 1 {
            "RFC 8414 or OpenID discovery"
        } else {
            "RFC 8414"
        };
        return run.fail(
            "authorization-server metadata",
            format!("no {what} metadata for {}: {}", choice.issuer, tried.join(", ")),
            first.as_deref(),
        );
    };
    let mp = Some(mprobe.as_str());
    run.ok("authorization-server metadata", format!("found at {murl}"), mp);
    // Issuer validation (RFC 8414 §3.3): 2025-11-25 clients as the SDKs do
    // (one trailing slash tolerated), 2026-07-28 exactly.
    let found_issuer = doc.get("issuer").and_then(Value::as_str).unwrap_or_default();
    if p.since_1125() {
        let same = if p == Profile::Mcp20260728 {
            found_issuer == choice.issuer
        } else {
            issuer_matches(&choice.issuer, found_issuer)
        };
        if !same {
            return run.fail(
                "issuer validation",
                format!(
                    "the metadata's issuer \"{found_issuer}\" is not the issuer \"{}\" it was fetched for{}",
                    choice.issuer,
                    if p == Profile::Mcp20260728 {
                        " (2026-07-28: MUST be identical, MUST NOT use the metadata)"
                    } else {
                        ""
                    }
                ),
                mp,
            );
        }
        run.ok("issuer validation", format!("issuer \"{found_issuer}\""), mp);
        // PKCE: refuse without code_challenge_methods_supported; S256.
        let methods = strings(&doc, "code_challenge_methods_supported");
        if doc.get("code_challenge_methods_supported").is_none() {
            return run.fail(
                "PKCE support",
                "code_challenge_methods_supported is absent: the client MUST refuse to proceed",
                mp,
            );
        }
        if !methods.contains(&"S256") {
            return run.fail(
                "PKCE support",
                format!("code_challenge_methods_supported {methods:?} lacks S256"),
                mp,
            );
        }
        run.ok("PKCE support", "S256", mp);
    }
    // Registration.
    let cimd = p.since_1125()
        && doc.get("client_id_metadata_document_supported") == Some(&Value::Bool(true));
    let reg = doc.get("registration_endpoint").and_then(Value::as_str);
    let reg_live = reg.and_then(|u| {
        live(ev, EndpointKind::Registration)
            .into_iter()
            .find(|l| l.url == u)
            .map(|l| (l.probe.to_string(), registration_missing(&l), l.describe()))
    });
    let auth_methods = strings(&doc, "token_endpoint_auth_methods_supported");
    if cimd {
        run.ok(
            "registration",
            "Client ID Metadata Document (client_id_metadata_document_supported: true); the client id must be an https URL with a path",
            mp,
        );
        if doc.get("token_endpoint_auth_methods_supported").is_some() {
            if auth_methods.contains(&"none") {
                run.choices
                    .push("token_endpoint_auth_method none (public client)".into());
            } else if auth_methods.contains(&"private_key_jwt") {
                run.choices.push(
                    "token_endpoint_auth_method private_key_jwt, with jwks in the client metadata document (none is not listed)"
                        .into(),
                );
            } else {
                return run.fail(
                    "token endpoint authentication",
                    format!(
                        "a CIMD client is public, but token_endpoint_auth_methods_supported {auth_methods:?} lists neither none nor private_key_jwt"
                    ),
                    mp,
                );
            }
        }
    } else if let Some(r) = reg {
        if let Some((lp, true, what)) = &reg_live {
            return run.fail(
                "registration",
                format!("the registration endpoint {r} answered {what}"),
                Some(lp),
            );
        }
        let deprecated = if p == Profile::Mcp20260728 {
            " (deprecated in 2026-07-28)"
        } else {
            ""
        };
        run.ok(
            "registration",
            format!("Dynamic Client Registration at {r}{deprecated}"),
            reg_live.as_ref().map(|(lp, _, _)| lp.as_str()).or(mp),
        );
        if p == Profile::Mcp20260728 {
            run.choices.push(
                "application_type native for a loopback or custom-scheme redirect URI, web for an https one (SEP-837)"
                    .into(),
            );
        }
    } else {
        let what = if p.since_1125() {
            "no client_id_metadata_document_supported and no registration_endpoint"
        } else {
            "no registration_endpoint (this revision registers only with DCR)"
        };
        return run.fail(
            "registration",
            format!("{what}: the client needs a pre-registered client id"),
            mp,
        );
    }
    if doc.get("authorization_endpoint").and_then(Value::as_str).is_none() {
        return run.fail("authorization request", "no authorization_endpoint", mp);
    }
    // Scope (2025-11-25 on): the challenge, then PRM scopes_supported.
    if p != Profile::Mcp20250326 {
        let challenged = a
            .and_then(ApiExchange::bearer)
            .and_then(|c| c.param("scope"))
            .map(str::to_string);
        let prm_scopes = choice
            .prm
            .as_ref()
            .map(|(_, d)| strings(d, "scopes_supported").join(" "))
            .filter(|s| !s.is_empty());
        match (challenged, prm_scopes) {
            (Some(s), _) => run.choices.push(format!("scope \"{s}\" (from the challenge)")),
            (None, Some(s)) => run
                .choices
                .push(format!("scope \"{s}\" (the PRM's scopes_supported)")),
            (None, None) => run.choices.push("no scope parameter".into()),
        }
    }
    run.ok(
        "authorization request",
        "authorization_endpoint with PKCE S256".to_string()
            + if p == Profile::Mcp20250326 { "" } else { " and resource" },
        mp,
    );
    if p == Profile::Mcp20260728
        && doc.get("authorization_response_iss_parameter_supported") == Some(&Value::Bool(true))
    {
        run.ok(
            "iss validation",
            "the authorization response must carry iss equal to the issuer (RFC 9207; needs a login to observe)",
            mp,
        );
    }
    run.connects(format!("authorization server {}", choice.issuer), mp)
}

enum PrmStop {
    Fail(&'static str, String, Option<String>),
}

/// Protected-resource discovery as the SDK clients do it: the challenge's
/// `resource_metadata`, then the path-inserted and root well-known URLs;
/// the first document found is validated against the URL the client was
/// given; without one, the server's origin is the authorization server.
fn prm_step(
    ev: &Evidence,
    run: &mut Run,
    e: &McpEndpoint,
    a: Option<&ApiExchange>,
) -> Result<AsChoice, PrmStop> {
    let origin = Url::parse(&e.url).map(|u| origin_of(&u)).unwrap_or_default();
    let rm = a.and_then(ApiExchange::resource_metadata);
    let prm = prm_view(ev);
    let relevant = prm.iter().filter(|c| match &c.form {
        PrmForm::Challenge { from } => *from == e.probe,
        PrmForm::PathSuffixed => c.resource == e.url.trim_end_matches('/'),
        PrmForm::Root => c.resource == origin,
    });
    let mut tried: Vec<String> = Vec::new();
    for c in relevant {
        let Some(doc) = c.doc() else {
            tried.push(format!("{} ({})", c.url, c.state.describe()));
            continue;
        };
        let resource = doc.get("resource").and_then(Value::as_str).unwrap_or_default();
        if !resource_allowed(&e.url, resource) {
            return Err(PrmStop::Fail(
                "protected-resource metadata",
                format!(
                    "the resource \"{resource}\" of {} does not match {} (same scheme, host spelling and port, and a path prefix, as the SDK clients require)",
                    c.url, e.url
                ),
                Some(c.probe.clone()),
            ));
        }
        let Some(first) = doc
            .get("authorization_servers")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .and_then(Value::as_str)
        else {
            return Err(PrmStop::Fail(
                "protected-resource metadata",
                format!("{} lists no authorization_servers", c.url),
                Some(c.probe.clone()),
            ));
        };
        let via = match &c.form {
            PrmForm::Challenge { .. } => "the challenge's resource_metadata",
            PrmForm::PathSuffixed => "the path-inserted well-known URL",
            PrmForm::Root => "the root well-known URL",
        };
        run.ok(
            "protected-resource metadata",
            format!("{} (via {via}); authorization server {first}", c.url),
            Some(&c.probe),
        );
        return Ok(AsChoice {
            issuer: first.to_string(),
            prm: Some((c.probe.clone(), doc.clone())),
        });
    }
    let hint = if rm.is_none() {
        " (the challenge names no resource_metadata)"
    } else {
        ""
    };
    run.ok(
        "protected-resource metadata",
        format!(
            "none found{hint}{}{}: like the SDK clients, falls back to the server's origin {origin} as the authorization server",
            if tried.is_empty() { "" } else { " at " },
            tried.join(", ")
        ),
        None,
    );
    Ok(AsChoice {
        issuer: origin,
        prm: None,
    })
}

/// A generic OAuth 2.1 headless agent: a browserless grant and a way to a
/// client id, reachable from published metadata.
fn headless(ev: &Evidence, e: Option<&McpEndpoint>) -> ClientResult {
    let mut run = Run::new(Profile::Headless);
    if let Some(e) = e {
        let open = match &e.era {
            Some(Era::Modern { .. }) => true,
            Some(Era::Legacy { .. }) => e.fallback.as_ref().is_some_and(|f| f.version.is_some()),
            _ => false,
        };
        if open {
            let p = e
                .fallback
                .as_ref()
                .filter(|f| f.version.is_some())
                .map_or(e.probe.as_str(), |f| f.probe.as_str());
            run.ok("first request", "the MCP endpoint answers without authorization", Some(p));
            return run.connects("no authorization required", Some(p));
        }
    }
    let docs = effective_docs(ev);
    let Some((first, url, _)) = docs.first() else {
        return run.fail(
            "authorization-server metadata",
            "no authorization-server metadata published",
            e.map(|e| e.probe.as_str()),
        );
    };
    run.ok("authorization-server metadata", format!("found at {url}"), Some(first));
    let device_lives = live(ev, EndpointKind::DeviceAuthorization);
    let mut grants: Vec<(String, String)> = Vec::new();
    for (p, _, d) in docs.iter() {
        if let Some(dev) = d.get("device_authorization_endpoint").and_then(Value::as_str) {
            let dead = device_lives.iter().any(|l| l.url == dev && unavailable(l));
            if !dead {
                grants.push((format!("device authorization ({dev})"), p.clone()));
            }
        }
        if has_grant(d, CIBA) && d.get("backchannel_authentication_endpoint").is_some() {
            grants.push(("CIBA".into(), p.clone()));
        }
        if has_grant(d, JWT_BEARER) {
            grants.push(("JWT bearer assertion".into(), p.clone()));
        }
        if has_grant(d, TOKEN_EXCHANGE) {
            grants.push(("token exchange".into(), p.clone()));
        }
        if has_grant(d, "client_credentials") {
            grants.push(("client credentials".into(), p.clone()));
        }
        if has_grant(d, DEVICE_CODE) && d.get("device_authorization_endpoint").is_none() {
            // Listed without its endpoint: cannot be started.
        }
    }
    let Some((grant, gp)) = grants.first().cloned() else {
        return run.fail(
            "browserless grant",
            "every published grant needs a browser (no device authorization, CIBA, JWT bearer, token exchange or client credentials)",
            Some(first),
        );
    };
    run.ok("browserless grant", grant.clone(), Some(&gp));
    run.choices.push(format!("grant: {grant}"));
    // A client id: CIMD, DCR (not seen unavailable), or agent registration.
    let reg_lives = live(ev, EndpointKind::Registration);
    let mut how: Option<(String, String)> = None;
    for (p, _, d) in docs.iter() {
        if d.get("client_id_metadata_document_supported") == Some(&Value::Bool(true)) {
            how = Some(("Client ID Metadata Document".into(), p.clone()));
            break;
        }
        if let Some(r) = d.get("registration_endpoint").and_then(Value::as_str)
            && !reg_lives
                .iter()
                .any(|l| l.url == r && registration_missing(l))
        {
            how = Some((format!("Dynamic Client Registration ({r})"), p.clone()));
            break;
        }
        if d.get("agent_auth").is_some_and(Value::is_object) {
            how = Some(("agent registration (agent_auth)".into(), p.clone()));
            break;
        }
    }
    let Some((how, hp)) = how else {
        return run.fail(
            "client registration",
            "no Client ID Metadata Documents, working registration endpoint or agent registration: the agent needs a pre-registered client id",
            Some(first),
        );
    };
    run.ok("client registration", how.clone(), Some(&hp));
    run.connects(format!("{grant} with a client id from {how}"), Some(&gp))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::discovery::{AS, PRM, as_doc, mcp_site, with, without};
    use crate::model::outcome::Outcome;
    use crate::fixture::Route;
    use crate::testing::{ORIGIN, judge, json, route};

    /// A registration endpoint that rejects agentready's malformed body.
    fn register() -> Route {
        let mut r = route(
            "/register",
            400,
            "application/json",
            r#"{"error":"invalid_client_metadata"}"#,
        );
        r.method = "POST".into();
        r
    }

    /// A device authorization endpoint that rejects an unknown client.
    fn device() -> Route {
        let mut r = route(
            "/device",
            400,
            "application/json",
            r#"{"error":"invalid_client"}"#,
        );
        r.method = "POST".into();
        r
    }

    /// Profile, connects, failed step.
    type Row = (String, Option<bool>, Option<u64>);

    fn clients(ev: &Evidence) -> (Outcome, Vec<Row>) {
        let r = judge(ev, "client-compatibility");
        let list = r.data.as_ref().unwrap()["clients"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["profile"].as_str().unwrap().to_string(),
                    c["connects"].as_bool(),
                    c["failed_step"].as_u64(),
                )
            })
            .collect();
        (r.outcome, list)
    }

    fn connects(list: &[Row]) -> Vec<Option<bool>> {
        list.iter().map(|c| c.1).collect()
    }

    #[test]
    fn dcr_only_server_without_a_browserless_grant() {
        // The kit's AS: S256, no registration, only the code grant.
        let ev = mcp_site(vec![]);
        let (outcome, list) = clients(&ev);
        // No registration path at all: nobody connects.
        assert_eq!(connects(&list), vec![Some(false); 5], "{list:?}");
        assert_eq!(outcome, Outcome::Fail);
        // With DCR (not seen unavailable) every MCP profile connects; the
        // headless agent still has no browserless grant.
        let doc = with(
            as_doc(),
            "registration_endpoint",
            serde_json::json!(format!("{ORIGIN}/register")),
        );
        let ev = mcp_site(vec![json(AS, &doc), register()]);
        let (outcome, list) = clients(&ev);
        assert_eq!(
            connects(&list),
            vec![Some(true), Some(true), Some(true), Some(true), Some(false)],
            "{list:?}"
        );
        assert_eq!(outcome, Outcome::Warn);
    }

    #[test]
    fn pkce_and_issuer_rules_split_the_revisions() {
        let dcr = with(
            as_doc(),
            "registration_endpoint",
            serde_json::json!(format!("{ORIGIN}/register")),
        );
        let dev = with(
            dcr.clone(),
            "device_authorization_endpoint",
            serde_json::json!(format!("{ORIGIN}/device")),
        );
        // No code_challenge_methods_supported: 2025-11-25 on must refuse.
        let ev = mcp_site(vec![
            json(AS, &without(dev.clone(), "code_challenge_methods_supported")),
            register(),
            device(),
        ]);
        let (outcome, list) = clients(&ev);
        assert_eq!(
            connects(&list),
            vec![Some(true), Some(true), Some(false), Some(false), Some(true)],
            "{list:?}"
        );
        assert_eq!(outcome, Outcome::Warn);
        // An issuer with a trailing slash: 2025-11-25 tolerates it as the
        // SDKs do; 2026-07-28 requires the identical string.
        let ev = mcp_site(vec![
            json(
                AS,
                &with(dev, "issuer", serde_json::json!(format!("{ORIGIN}/"))),
            ),
            register(),
            device(),
        ]);
        let (_, list) = clients(&ev);
        assert_eq!(
            connects(&list),
            vec![Some(true), Some(true), Some(true), Some(false), Some(true)],
            "{list:?}"
        );
        assert_eq!(list[3].2, Some(4), "{list:?}");
    }

    #[test]
    fn a_registration_endpoint_that_crashes_on_malformed_json_still_registers() {
        // mcp 1.30.0's built-in authorization server answers agentready's
        // deliberately malformed body with a 500; real clients, sending
        // valid metadata, register there. Only 404/405/501 mean "no
        // registration endpoint".
        let dcr = with(
            as_doc(),
            "registration_endpoint",
            serde_json::json!(format!("{ORIGIN}/register")),
        );
        let mut crash = register();
        crash.status = 500;
        crash.content_type = Some("text/plain".into());
        crash.body = Some("Internal Server Error".into());
        let ev = mcp_site(vec![json(AS, &dcr), crash]);
        let (_, list) = clients(&ev);
        assert_eq!(connects(&list)[..4], [Some(true); 4], "{list:?}");
        let mut gone = register();
        gone.status = 404;
        let ev = mcp_site(vec![json(AS, &dcr), gone]);
        let (_, list) = clients(&ev);
        assert_eq!(connects(&list)[..4], [Some(false); 4], "{list:?}");
    }

    #[test]
    fn a_resource_on_another_host_stops_every_prm_client() {
        let dcr = with(
            as_doc(),
            "registration_endpoint",
            serde_json::json!(format!("{ORIGIN}/register")),
        );
        let prm = serde_json::json!({
            "resource": "https://elsewhere.example/mcp",
            "authorization_servers": [ORIGIN],
        });
        let ev = mcp_site(vec![
            json(AS, &dcr),
            json(&format!("{PRM}/mcp"), &prm),
            register(),
        ]);
        let (_, list) = clients(&ev);
        // 2025-03-26 reads no protected-resource metadata.
        assert_eq!(
            connects(&list)[..4],
            [Some(true), Some(false), Some(false), Some(false)],
            "{list:?}"
        );
        assert!(list[1..4].iter().all(|c| c.2 == Some(2)), "{list:?}");
    }

    #[test]
    fn resource_must_name_the_given_url() {
        assert!(resource_allowed("http://127.0.0.1:8400/mcp", "http://127.0.0.1:8400/mcp"));
        assert!(resource_allowed("http://127.0.0.1:8400/mcp", "http://127.0.0.1:8400"));
        assert!(resource_allowed("https://a.example/mcp/", "https://a.example/mcp"));
        assert!(!resource_allowed("http://127.0.0.1:8400/mcp", "http://localhost:8400/mcp"));
        assert!(!resource_allowed("http://127.0.0.1:8400/mcp", "http://127.0.0.1:8401/mcp"));
        assert!(!resource_allowed("https://a.example/mcp", "https://a.example/mcpx"));
        assert!(!resource_allowed("https://a.example/mcp", "not a url"));
    }
}
