//! What a probe is: the vocabulary the planner writes and the checks read.
//!
//! Each request of a scan is sent by a probe with a stable id (a contract:
//! reports and evidence files name them) and a [`ProbeMeta`] saying why it
//! was sent — the issuer a metadata URL was built from, the challenge a
//! protected-resource URL came from, the endpoint a rejected request went
//! to. Checks judge an exchange by its meaning, never by parsing its id.

use serde::{Deserialize, Serialize};

/// Probe id of the random-path request.
pub const CATCH_ALL: &str = "catch-all";
/// Probe id of the root protected-resource metadata.
pub const PRM_ROOT: &str = "prm-root";
/// Probe id of `/auth.md` on the target origin.
pub const AUTH_MD: &str = "auth-md";
/// Probe id of the path-suffixed protected-resource metadata.
pub const PRM_PATH: &str = "prm-path";
/// Probe id of the unauthenticated request to the target URL.
pub const API: &str = "api-unauthenticated";
/// Suffix of the probe that repeats an API request with an invalid token.
pub const INVALID_TOKEN_SUFFIX: &str = "+invalid-token";
/// Suffix of the probe that repeats an MCP request as a 2025 client
/// (`initialize`) after the server answered `server/discover` as a 2025
/// server.
pub const INITIALIZE_SUFFIX: &str = "+initialize";
/// Probe id of `POST /mcp` on a bare domain that announced no API.
pub const MCP_CONVENTIONAL: &str = "mcp-conventional";
/// Prefix of the probe ids of PRM documents named by a challenge.
pub const PRM_CHALLENGE: &str = "prm-challenge";
/// Prefix of the probe ids of JWK Sets.
pub const JWKS: &str = "jwks";
/// Probe id of the GET of the target URL as an agent would call it.
pub const API_TARGET: &str = "api-target";
/// Probe id of the GET of `/api` on the target origin.
pub const API_BASE: &str = "api-base";
/// Probe id of the GET of `/api/v1` on the target origin.
pub const API_BASE_V1: &str = "api-base-v1";
/// Probe id of the RFC 9727 API catalog.
pub const API_CATALOG: &str = "api-catalog";
/// Prefix of the probe ids of API descriptions a catalog or a `Link`
/// header names.
pub const API_DESCRIPTION: &str = "api-description";
/// Prefix of the probe ids of conventional API-description locations.
pub const OPENAPI_LOCATION: &str = "openapi-location";
/// Prefix of the probe ids of API URLs an API description's `servers` name.
pub const API_SERVER: &str = "api-server";
/// Probe-id prefix of the unauthenticated request to the OpenID Connect
/// `userinfo_endpoint` of an issuer target.
pub const API_USERINFO: &str = "api-userinfo";
/// Probe id of the A2A agent card (`/.well-known/agent-card.json`).
pub const AGENT_CARD: &str = "agent-card";
/// Probe id of the AI catalog (`/.well-known/ai-catalog.json`).
pub const AI_CATALOG: &str = "ai-catalog";
/// Probe id (prefix) of MCP server cards.
pub const SERVER_CARD: &str = "mcp-server-card";
/// Probe id prefix of the RFC 7592 deletion of a client a registration
/// probe created by accident.
pub const REGISTRATION_CLEANUP: &str = "registration-cleanup";

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
    /// Named by an API description's security scheme (`openIdConnectUrl`,
    /// or OpenAPI 3.2 `oauth2MetadataUrl`).
    ApiDescription {
        /// The probe id of that description.
        description: String,
    },
    /// Named by an A2A agent card's security scheme (`oauth2MetadataUrl`,
    /// `openIdConnectUrl`, or the origin of an OAuth flow's URLs).
    AgentCard {
        /// The probe id of the card.
        card: String,
    },
}

/// Which protected-resource metadata URL a probe asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum PrmForm {
    /// `/.well-known/oauth-protected-resource` at the root.
    Root,
    /// The well-known string inserted before the target's path (RFC 9728 §3.1).
    PathSuffixed,
    /// The `resource_metadata` URL of a challenge (RFC 9728 §5.1).
    Challenge {
        /// The probe whose response carried the challenge.
        from: String,
    },
}

/// Why an API endpoint was probed without credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "kebab-case")]
pub enum ApiSource {
    /// The target URL itself (an API base URL or MCP endpoint).
    Target,
    /// Named with `--api-url`.
    ApiUrl,
    /// The `resource` of a protected-resource document.
    PrmResource {
        /// The probe id of that document.
        prm: String,
    },
    /// A `servers` URL of an API description (bare-domain targets only).
    ApiDescription {
        /// The probe id of that description.
        description: String,
    },
    /// The OpenID Connect `userinfo_endpoint` of the metadata found at the
    /// target (the target is an issuer, not an API): a real OAuth-protected
    /// resource (OpenID Connect Core §5.3, RFC 6750), probed instead.
    Userinfo {
        /// The probe id of that metadata document.
        metadata: String,
    },
    /// A remote of an MCP server card (its announced MCP endpoint).
    ServerCard {
        /// The probe id of the card (or of the catalog holding it inline).
        probe: String,
    },
    /// The conventional MCP endpoint `/mcp` of a bare domain on which
    /// nothing else announced an API: a lead, counted only when it answers
    /// like an MCP endpoint.
    Conventional,
}

impl ApiSource {
    /// A URL a document led to, not one the user asked for or a
    /// protected-resource document declared: an API description's server,
    /// an issuer's userinfo endpoint, a server card's remote, the conventional
    /// `/mcp` of a bare domain. When it cannot be reached it is left
    /// out rather than making a check incomplete.
    pub fn is_lead(&self) -> bool {
        matches!(
            self,
            ApiSource::ApiDescription { .. }
                | ApiSource::Userinfo { .. }
                | ApiSource::ServerCard { .. }
                | ApiSource::Conventional
        )
    }
}

/// How an MCP server card was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "kebab-case")]
pub enum ServerCardSource {
    /// `<MCP endpoint URL>/server-card`, the location the draft reserves.
    Endpoint,
    /// A `url` entry of the AI catalog.
    Catalog {
        /// The catalog's probe id.
        catalog: String,
    },
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
    /// A `servers` URL of an API description (bare-domain targets only).
    Server,
}

/// How an API-description URL was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "kebab-case")]
pub enum DescriptionSource {
    /// A link of the RFC 9727 API catalog.
    Catalog {
        /// The relation (`service-desc` or `service-doc`).
        rel: String,
        /// The link context (`anchor`), when given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        anchor: Option<String>,
    },
    /// A `Link` response header (RFC 8288, RFC 8631).
    LinkHeader {
        /// The probe whose response carried it.
        probe: String,
        /// The relation.
        rel: String,
    },
    /// A conventional location (checks/openapi/openapi.toml), tried because
    /// nothing announced a description.
    Conventional {
        /// The path tried.
        path: String,
    },
}

impl DescriptionSource {
    /// True for descriptions the target announced (catalog or header).
    pub fn announced(&self) -> bool {
        !matches!(self, DescriptionSource::Conventional { .. })
    }

    /// The link relation, for announced descriptions.
    pub fn rel(&self) -> Option<&str> {
        match self {
            DescriptionSource::Catalog { rel, .. } | DescriptionSource::LinkHeader { rel, .. } => {
                Some(rel)
            }
            DescriptionSource::Conventional { .. } => None,
        }
    }
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
        /// The resource identifier the document must declare: the one the
        /// well-known URL was built from, or the URL whose challenge named it.
        resource: String,
        /// Root, path-suffixed, or from a challenge.
        form: PrmForm,
    },
    /// A request to an API or MCP endpoint as an agent without a token
    /// makes it (`invalid_token`: with a bogus bearer token).
    Api {
        /// The endpoint URL.
        url: String,
        /// Where the URL came from.
        source: ApiSource,
        /// True for an MCP endpoint (POST `server/discover`, MCP
        /// 2026-07-28).
        mcp: bool,
        /// True when the request carried a deliberately invalid token.
        #[serde(default)]
        invalid_token: bool,
    },
    /// The MCP 2025 `initialize` request, sent to an MCP endpoint whose
    /// answer to `server/discover` was that of a 2025 server (the 2026-07-28
    /// fallback, streamable HTTP "Backward Compatibility").
    McpInitialize {
        /// The endpoint URL.
        url: String,
        /// The `server/discover` probe whose answer led to it.
        discover: String,
    },
    /// A request designed to be rejected, sent to an endpoint the
    /// metadata advertises (safe mode only).
    Endpoint {
        /// Which endpoint.
        endpoint: EndpointKind,
        /// Its URL.
        url: String,
        /// The metadata probes that name it.
        named_by: Vec<String>,
    },
    /// An auth.md document: `/auth.md` on the target origin, or the URL an
    /// `agent_auth.skill` names.
    AuthMd {
        /// The metadata probe whose `agent_auth.skill` named it (none for
        /// the conventional `/auth.md`).
        skill_of: Option<String>,
    },
    /// An empty JSON object POSTed to an `agent_auth` registration endpoint
    /// (safe mode): it names no registration type, so nothing can be
    /// registered.
    AgentRegistration {
        /// The endpoint.
        url: String,
        /// The metadata probe that names it.
        named_by: String,
    },
    /// The RFC 7592 §2.3 deletion of a client that a registration probe
    /// created although it was designed to be rejected: sent at once, with
    /// the registration access token the server issued (redacted in the
    /// evidence).
    RegistrationCleanup {
        /// The registration probe whose answer created the client.
        registration: String,
        /// The client id the server issued.
        client_id: String,
    },
    /// A JWK Set named by `jwks_uri`.
    Jwks {
        /// The probes of the documents that name it.
        named_by: Vec<String>,
    },
    /// An unauthenticated GET of an API URL, sent as an agent would
    /// (`Accept: application/json`): what it answers shows payment
    /// challenges (x402), rate-limit fields, request ids and bot challenges.
    ApiResource {
        /// Which URL.
        form: ApiForm,
    },
    /// `/.well-known/api-catalog` (RFC 9727 §2).
    ApiCatalog,
    /// An API description (OpenAPI or Swagger), or the human documentation
    /// a catalog links.
    ApiDescription {
        /// How the URL was found.
        via: DescriptionSource,
    },
    /// The A2A agent card at `/.well-known/agent-card.json`.
    AgentCard,
    /// The AI catalog at `/.well-known/ai-catalog.json`.
    AiCatalog,
    /// An MCP server card.
    ServerCard {
        /// How it was found.
        via: ServerCardSource,
    },
    /// The GET of a user's declarative check.
    UserCheck {
        /// The check id.
        check: String,
    },
}

/// The advertised endpoints agentready sends a rejected request to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EndpointKind {
    /// RFC 8628 device authorization endpoint.
    DeviceAuthorization,
    /// RFC 7591 dynamic client registration endpoint.
    Registration,
    /// RFC 7009 revocation endpoint.
    Revocation,
    /// RFC 7662 introspection endpoint.
    Introspection,
}

impl EndpointKind {
    /// All kinds.
    pub const ALL: [EndpointKind; 4] = [
        EndpointKind::DeviceAuthorization,
        EndpointKind::Registration,
        EndpointKind::Revocation,
        EndpointKind::Introspection,
    ];

    /// The metadata member that names it.
    pub fn member(self) -> &'static str {
        match self {
            EndpointKind::DeviceAuthorization => "device_authorization_endpoint",
            EndpointKind::Registration => "registration_endpoint",
            EndpointKind::Revocation => "revocation_endpoint",
            EndpointKind::Introspection => "introspection_endpoint",
        }
    }

    /// Probe id prefix.
    pub fn probe_prefix(self) -> &'static str {
        match self {
            EndpointKind::DeviceAuthorization => "device-authorization",
            EndpointKind::Registration => "registration",
            EndpointKind::Revocation => "revocation",
            EndpointKind::Introspection => "introspection",
        }
    }
}
impl ProbeMeta {
    /// True for requests an agent would make of the target: every probe but
    /// the random catch-all path and users' declarative checks.
    pub fn is_agent_request(&self) -> bool {
        !matches!(self, ProbeMeta::CatchAll | ProbeMeta::UserCheck { .. })
    }
}

/// How many times the body cap an API description may be.
pub const DESCRIPTION_CAP_FACTOR: usize = 10;

/// What a check needs gathered: a set of probe families. Each built-in
/// check declares its set; the engine unites the sets of the selected
/// checks and the planner sends only those families' probes (and what
/// they lead to). One vocabulary for both sides, so a new family is one
/// constant here, the probes it stands for in the planner, and the checks
/// that declare it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Needs(u8);

impl Needs {
    /// Nothing beyond the random catch-all path (every scan sends it).
    pub const NONE: Needs = Needs(0);
    /// Authorization-server and protected-resource metadata, followed
    /// across hosts (RFC 8414, RFC 9728, MCP discovery).
    pub const AS_METADATA: Needs = Needs(1);
    /// Unauthenticated requests to API and MCP endpoints (their
    /// challenges), with a bogus token too.
    pub const API: Needs = Needs(1 << 1);
    /// The JWK Sets the metadata names.
    pub const JWKS: Needs = Needs(1 << 2);
    /// Rejected requests to the endpoints the metadata advertises (safe
    /// mode).
    pub const ENDPOINTS: Needs = Needs(1 << 3);
    /// auth.md documents and the `agent_auth` registration endpoint.
    pub const AGENT_AUTH: Needs = Needs(1 << 4);
    /// Unauthenticated GETs of the target URL, `/api` and `/api/v1`.
    pub const API_RESOURCES: Needs = Needs(1 << 5);
    /// The API catalog, the descriptions it (or a `Link` header) names, or
    /// the conventional description locations.
    pub const API_DESCRIPTION: Needs = Needs(1 << 6);
    /// The A2A agent card, the AI catalog and the MCP server cards it (or
    /// an MCP endpoint) leads to.
    pub const CARDS: Needs = Needs(1 << 7);
    /// Every family: everything an agent would request of the target (for
    /// checks that judge each such exchange). A new family belongs here.
    pub const ALL: Needs = Needs(u8::MAX);

    /// This set and `other` (a `const` union, for check declarations).
    #[must_use]
    pub const fn with(self, other: Needs) -> Needs {
        Needs(self.0 | other.0)
    }

    /// True when every family of `other` is in this set.
    pub const fn contains(self, other: Needs) -> bool {
        self.0 & other.0 == other.0
    }
}

impl std::ops::BitOr for Needs {
    type Output = Needs;
    fn bitor(self, other: Needs) -> Needs {
        self.with(other)
    }
}

impl std::ops::BitOrAssign for Needs {
    fn bitor_assign(&mut self, other: Needs) {
        *self = self.with(other);
    }
}
