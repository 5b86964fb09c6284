//! Errors of the parse layer: why a document a target sent, or a data file
//! the catalogue ships, could not be read.

/// Why a YAML text was not read (the bounded reader of
/// [`super::yaml`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct YamlError(pub String);

/// Why a document could not be read: JSON within its memory budget, an
/// API description (JSON or YAML), an OpenAPI or Swagger document, or the
/// embedded API-description data file. Each message is the one shown in
/// findings, evidence and on stderr.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// JSON whose tree would exceed the memory budget (the parser's
    /// message, which names the budget and the position).
    #[error("{0}")]
    OverBudget(String),
    /// Not JSON (the parser's message).
    #[error("{0}")]
    Json(String),
    /// A description too large to read within its budget.
    #[error("too large to read: {0}")]
    TooLarge(Box<DocumentError>),
    /// A description that looks like JSON but is not.
    #[error("not valid JSON: {0}")]
    NotJson(Box<DocumentError>),
    /// A description that is neither JSON nor UTF-8 text.
    #[error("neither JSON nor UTF-8 YAML")]
    NotUtf8,
    /// A description that is not YAML the bounded reader accepts.
    #[error(transparent)]
    Yaml(#[from] YamlError),
    /// A parsed document that is not an object.
    #[error("the document is not an object (an OpenAPI document is a JSON/YAML object)")]
    NotObject,
    /// An `openapi` member naming a version other than 3.x.
    #[error("`openapi: {0}` is not a version this reader knows (3.0, 3.1, 3.2)")]
    OpenApiVersion(String),
    /// A `swagger` member naming a version other than 2.0.
    #[error("`swagger: {0}` is not Swagger 2.0")]
    SwaggerVersion(String),
    /// Neither an `openapi` nor a `swagger` member.
    #[error("neither an `openapi` nor a `swagger` member: not an OpenAPI or Swagger document")]
    NotOpenApi,
    /// A data file's JSON Schema that is not JSON.
    #[error("schema is not JSON: {0}")]
    SchemaNotJson(String),
    /// A data file's JSON Schema that does not compile.
    #[error("schema does not compile: {0}")]
    SchemaInvalid(String),
    /// A data file that is not valid TOML (or not the expected shape).
    #[error("not valid: {0}")]
    DataToml(String),
    /// A data file that fails its schema: one line per violation.
    #[error("{}", .0.join("\n"))]
    DataSchema(Vec<String>),
    /// An embedded data file that is broken (a test catches that).
    #[error("{file}: {error}")]
    Embedded {
        /// The file, relative to the repository.
        file: &'static str,
        /// What is wrong with it.
        error: Box<DocumentError>,
    },
}
