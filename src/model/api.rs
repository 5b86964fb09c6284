//! What an API description says, as agentready reads it: servers, security
//! schemes and their OAuth flows and scopes, security requirements and
//! operations (read from OpenAPI 3.0–3.2 and Swagger 2.0 by
//! `parse::openapi`), and the conventions of `checks/openapi/openapi.toml`
//! (where descriptions are looked for, the words operation names are read
//! with).

use serde::Deserialize;

/// Operations read per document, at most.
pub const MAX_OPERATIONS: usize = 5000;
/// Scopes read per flow or per requirement, at most.
pub const MAX_SCOPES: usize = 500;
/// Servers read per document, at most.
pub const MAX_SERVERS: usize = 16;
/// Security schemes read per document, at most.
pub const MAX_SCHEMES: usize = 64;

/// Which specification family a document declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Swagger 2.0 (`swagger: "2.0"`).
    Swagger2,
    /// OpenAPI 3.x (`openapi: "3.<minor>.…"`).
    OpenApi3 {
        /// The minor version (0, 1, 2, …).
        minor: u32,
    },
}

/// An OAuth 2.0 flow of an `oauth2` scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FlowKind {
    /// Authorization code (Swagger: `accessCode`).
    AuthorizationCode,
    /// Client credentials (Swagger: `application`).
    ClientCredentials,
    /// Device authorization (OpenAPI 3.2, RFC 8628).
    DeviceAuthorization,
    /// Implicit (removed by OAuth 2.1).
    Implicit,
    /// Resource owner password (removed by OAuth 2.1).
    Password,
}

impl FlowKind {
    /// The OpenAPI 3 member name.
    pub fn as_str(self) -> &'static str {
        match self {
            FlowKind::AuthorizationCode => "authorizationCode",
            FlowKind::ClientCredentials => "clientCredentials",
            FlowKind::DeviceAuthorization => "deviceAuthorization",
            FlowKind::Implicit => "implicit",
            FlowKind::Password => "password",
        }
    }

    /// True for flows an agent can complete without a browser.
    #[cfg(any(test, feature = "testing"))]
    pub fn browserless(self) -> bool {
        matches!(
            self,
            FlowKind::ClientCredentials | FlowKind::DeviceAuthorization
        )
    }
}

/// One OAuth flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    /// Which flow.
    pub kind: FlowKind,
    /// `authorizationUrl`.
    pub authorization_url: Option<String>,
    /// `tokenUrl`.
    pub token_url: Option<String>,
    /// `deviceAuthorizationUrl` (3.2).
    pub device_authorization_url: Option<String>,
    /// Scope → description, in document order.
    pub scopes: Vec<(String, String)>,
}

/// What a security scheme is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemeKind {
    /// `apiKey`: a static key in a header, query parameter or cookie.
    ApiKey {
        /// `in`: header, query or cookie.
        location: String,
        /// The header, parameter or cookie name.
        param: String,
    },
    /// `http` (Swagger: `basic`): an HTTP authentication scheme.
    Http {
        /// The scheme, lower-cased (`basic`, `bearer`, …).
        scheme: String,
    },
    /// `oauth2`.
    OAuth2 {
        /// Its flows.
        flows: Vec<Flow>,
        /// `oauth2MetadataUrl` (3.2): the RFC 8414 metadata URL.
        metadata_url: Option<String>,
    },
    /// `openIdConnect`: an OpenID Connect discovery URL.
    OpenIdConnect {
        /// `openIdConnectUrl`.
        url: String,
    },
    /// `mutualTLS` (3.1+).
    MutualTls,
    /// A type this reader does not know.
    Other(String),
}

/// A named security scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityScheme {
    /// The name requirements use.
    pub name: String,
    /// What it is.
    pub kind: SchemeKind,
    /// `deprecated: true` (3.2).
    pub deprecated: bool,
}

impl SecurityScheme {
    /// An OAuth 2.0 or OpenID Connect scheme (scoped, obtained by protocol).
    pub fn is_oauth(&self) -> bool {
        matches!(
            self.kind,
            SchemeKind::OAuth2 { .. } | SchemeKind::OpenIdConnect { .. }
        )
    }
}

/// One alternative of a security requirement list: every scheme in it is
/// needed, with the scopes listed. Empty means anonymous access (`{}`).
pub type Requirement = Vec<(String, Vec<String>)>;

/// Explicit read-only / destructive hints an operation carries in `x-`
/// extensions (MCP tool-annotation names, or `x-read-only` /
/// `x-destructive` booleans).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OperationHints {
    /// `readOnlyHint` / `x-read-only`.
    pub read_only: Option<bool>,
    /// `destructiveHint` / `x-destructive`.
    pub destructive: Option<bool>,
    /// The extension the hints came from.
    pub source: Option<String>,
}

/// One operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// HTTP method, upper-case.
    pub method: String,
    /// The path template.
    pub path: String,
    /// `operationId`.
    pub operation_id: Option<String>,
    /// `summary`.
    pub summary: Option<String>,
    /// `deprecated`.
    pub deprecated: bool,
    /// Extension hints.
    pub hints: OperationHints,
    /// The operation's own `security`, when it has one (else the
    /// document's applies).
    pub security: Option<Vec<Requirement>>,
}

/// An API description, as far as agentready reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description {
    /// The version string as declared (`2.0`, `3.1.0`).
    pub version: String,
    /// The family.
    pub family: Family,
    /// `info.title`.
    pub title: Option<String>,
    /// Declared servers, absolute (templates filled with their defaults;
    /// relative URLs resolved against the document's URL).
    pub servers: Vec<String>,
    /// Security schemes.
    pub schemes: Vec<SecurityScheme>,
    /// The document-wide `security`.
    pub security: Option<Vec<Requirement>>,
    /// Operations, in document order.
    pub operations: Vec<Operation>,
    /// True when more than [`MAX_OPERATIONS`] were declared.
    pub truncated: bool,
}

impl Description {
    /// The requirements that apply to an operation (its own, else the
    /// document's); `None` when neither declares any.
    pub fn effective_security<'a>(&'a self, op: &'a Operation) -> Option<&'a [Requirement]> {
        op.security.as_deref().or(self.security.as_deref())
    }

    /// A scheme by name.
    pub fn scheme(&self, name: &str) -> Option<&SecurityScheme> {
        self.schemes.iter().find(|s| s.name == name)
    }

    /// Every OAuth scope declared by a flow, with its description (first
    /// description wins).
    pub fn scope_descriptions(&self) -> Vec<(&str, &str)> {
        let mut out: Vec<(&str, &str)> = Vec::new();
        for s in &self.schemes {
            if let SchemeKind::OAuth2 { flows, .. } = &s.kind {
                for f in flows {
                    for (scope, desc) in &f.scopes {
                        if !out.iter().any(|(s, _)| s == scope) {
                            out.push((scope.as_str(), desc.as_str()));
                        }
                    }
                }
            }
        }
        out
    }

    /// A human name: "OpenAPI 3.1.0" or "Swagger 2.0".
    pub fn describe_version(&self) -> String {
        match self.family {
            Family::Swagger2 => format!("Swagger {}", self.version),
            Family::OpenApi3 { .. } => format!("OpenAPI {}", self.version),
        }
    }
}

/// One conventional location.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// Path on the target origin, or relative to the target path.
    pub path: String,
    /// Resolve against the target URL's path instead of the origin.
    #[serde(default)]
    pub relative: bool,
    /// Why it is on the list.
    #[cfg_attr(
        not(feature = "testing"),
        allow(dead_code, reason = "documentation the data file must carry; its tests read it")
    )]
    pub why: String,
    /// Where the convention is documented.
    #[cfg_attr(
        not(feature = "testing"),
        allow(dead_code, reason = "documentation the data file must carry; its tests read it")
    )]
    pub source: String,
}

/// Words operation names are read with.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationWords {
    /// Destructive verbs beyond the scope vocabulary's.
    pub destructive: Vec<String>,
    /// Read verbs beyond the scope vocabulary's.
    pub read: Vec<String>,
    /// Words of operations that obtain credentials.
    pub credential: Vec<String>,
}

/// The data file, parsed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Data {
    /// Format version.
    #[cfg_attr(
        not(feature = "testing"),
        allow(dead_code, reason = "the data file format version, checked by its schema")
    )]
    pub version: u32,
    /// Conventional locations, in the order they are tried.
    pub location: Vec<Location>,
    /// Operation words.
    pub operations: OperationWords,
}
