//! The check catalogue: `checks/*.toml`, embedded at build time.
//!
//! Every file is validated against `checks/schema/check.schema.json` when it
//! is loaded (the embedded files in a test, user files from `--checks-dir`
//! at run time), then deserialised with unknown fields refused.

use crate::check::FindingLevel;
use crate::declarative::Rule;
use include_dir::{Dir, include_dir};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;

static CHECKS_DIR: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/checks");

/// The JSON Schema every check file must satisfy.
pub const CHECK_SCHEMA: &str = include_str!("../checks/schema/check.schema.json");

/// Check categories, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Finding the authorization server and the resource metadata.
    Discovery,
    /// Quality of the published metadata.
    Metadata,
    /// PKCE.
    Pkce,
    /// Browserless (headless) ways to a credential.
    Headless,
    /// Scopes and least privilege.
    Scopes,
    /// Agent registration (auth.md, agent_auth, ID-JAG).
    AgentAuth,
    /// Token lifetime, revocation, introspection.
    Lifecycle,
    /// Attribution of actions to credentials.
    Audit,
    /// Abuse controls: bot challenges, rate limits, API keys.
    Abuse,
    /// Payments as credentials (x402).
    Payments,
}

impl Category {
    /// Every category, in report order.
    pub const ALL: [Category; 10] = [
        Category::Discovery,
        Category::Metadata,
        Category::Pkce,
        Category::Headless,
        Category::Scopes,
        Category::AgentAuth,
        Category::Lifecycle,
        Category::Audit,
        Category::Abuse,
        Category::Payments,
    ];

    /// The id used in reports and `--only`.
    pub fn id(self) -> &'static str {
        match self {
            Category::Discovery => "discovery",
            Category::Metadata => "metadata",
            Category::Pkce => "pkce",
            Category::Headless => "headless",
            Category::Scopes => "scopes",
            Category::AgentAuth => "agent-auth",
            Category::Lifecycle => "lifecycle",
            Category::Audit => "audit",
            Category::Abuse => "abuse",
            Category::Payments => "payments",
        }
    }

    /// Human title.
    pub fn title(self) -> &'static str {
        match self {
            Category::Discovery => "Discovery",
            Category::Metadata => "Authorization-server metadata",
            Category::Pkce => "PKCE",
            Category::Headless => "Browserless authentication",
            Category::Scopes => "Scopes",
            Category::AgentAuth => "Agent registration",
            Category::Lifecycle => "Token lifecycle",
            Category::Audit => "Audit",
            Category::Abuse => "Abuse controls",
            Category::Payments => "Payments",
        }
    }

    /// Look a category up by id.
    pub fn from_id(id: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.id() == id)
    }
}

/// The nine questions of the agent-readiness checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Question {
    /// Discovery.
    Q1,
    /// RFC 8414 metadata.
    Q2,
    /// PKCE S256.
    Q3,
    /// Browserless.
    Q4,
    /// Scope classification.
    Q5,
    /// Progressive scoping.
    Q6,
    /// auth.md.
    Q7,
    /// Token lifetime and revocation.
    Q8,
    /// Audit logging.
    Q9,
}

impl Question {
    /// All nine, in order.
    pub const ALL: [Question; 9] = [
        Question::Q1,
        Question::Q2,
        Question::Q3,
        Question::Q4,
        Question::Q5,
        Question::Q6,
        Question::Q7,
        Question::Q8,
        Question::Q9,
    ];

    /// `Q1` … `Q9`.
    pub fn id(self) -> &'static str {
        match self {
            Question::Q1 => "Q1",
            Question::Q2 => "Q2",
            Question::Q3 => "Q3",
            Question::Q4 => "Q4",
            Question::Q5 => "Q5",
            Question::Q6 => "Q6",
            Question::Q7 => "Q7",
            Question::Q8 => "Q8",
            Question::Q9 => "Q9",
        }
    }

    /// True when a scan from outside can establish the answer. Q9 asks
    /// whether a service logs every action against the credential that
    /// performed it, which only the service can see: outside evidence
    /// (request ids on responses) shows at most that actions can be
    /// attributed, and its absence proves nothing.
    pub fn verifiable_from_outside(self) -> bool {
        !matches!(self, Question::Q9)
    }

    /// The check whose pass a `yes` needs, where the other checks of the
    /// question establish only part of it. Q8 asks whether tokens are
    /// time-limited *and* revocable: revocation and introspection are seen
    /// from outside, the lifetime only with a token (`token-lifetime`), so
    /// without it Q8 is at best `partial`.
    pub fn yes_requires(self) -> Option<&'static str> {
        match self {
            Question::Q8 => Some("token-lifetime"),
            _ => None,
        }
    }

    /// The question as the checklist asks it.
    pub fn text(self) -> &'static str {
        match self {
            Question::Q1 => "Can an agent discover your auth endpoints programmatically?",
            Question::Q2 => "Does your OAuth server publish RFC 8414 metadata?",
            Question::Q3 => "Do you support PKCE with S256?",
            Question::Q4 => "Can an agent authenticate without browser interaction?",
            Question::Q5 => "Are your scopes classified as read/write/destructive?",
            Question::Q6 => "Can an agent request and receive progressively scoped access?",
            Question::Q7 => "Do you support auth.md or equivalent agent auth discovery?",
            Question::Q8 => "Are API tokens time-limited and revocable?",
            Question::Q9 => "Is every API action logged against the credential that performed it?",
        }
    }
}

/// Severity, which implies the default weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Weight 2.
    Low,
    /// Weight 4.
    Medium,
    /// Weight 7.
    High,
    /// Weight 10.
    Critical,
}

impl Severity {
    /// Default weight of the severity (DESIGN §2).
    pub fn weight(self) -> u32 {
        match self {
            Severity::Critical => 10,
            Severity::High => 7,
            Severity::Medium => 4,
            Severity::Low => 2,
        }
    }

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }
}

/// How a check is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Implementation {
    /// A built-in Rust evaluator with the same id.
    Rust,
    /// The file's `[rule]`.
    Declarative,
    /// In the catalogue, not built yet: reported as skip.
    Planned,
}

/// A spec reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    /// e.g. "RFC 7636 §4.2".
    pub title: String,
    /// Link to the section.
    pub url: String,
}

/// A finding code a check may report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingSpec {
    /// Stable code.
    pub code: String,
    /// The outcome the code stands for.
    pub outcome: FindingLevel,
    /// What it means.
    pub description: String,
}

/// One check's metadata (one `checks/<id>.toml`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckMeta {
    /// Stable id.
    pub id: String,
    /// Passing wording.
    pub title: String,
    /// Category.
    pub category: Category,
    /// Question answered, if any.
    #[serde(default)]
    pub question: Option<Question>,
    /// Severity.
    pub severity: Severity,
    /// Weight override.
    #[serde(default)]
    pub weight: Option<u32>,
    /// Rust, declarative or planned.
    pub implementation: Implementation,
    /// Why it matters.
    pub rationale: String,
    /// What to change.
    pub remediation: String,
    /// Spec references.
    pub references: Vec<Reference>,
    /// Finding codes.
    pub findings: Vec<FindingSpec>,
    /// Declarative rule.
    #[serde(default)]
    pub rule: Option<Rule>,
    /// True for checks loaded from `--checks-dir`.
    #[serde(skip)]
    pub user: bool,
}

impl CheckMeta {
    /// Effective weight.
    pub fn weight(&self) -> u32 {
        self.weight.unwrap_or_else(|| self.severity.weight())
    }

    /// The catalogue outcome of a finding code.
    pub fn finding_level(&self, code: &str) -> Option<FindingLevel> {
        self.findings
            .iter()
            .find(|f| f.code == code)
            .map(|f| f.outcome)
    }
}

/// Errors loading check files (exit code 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogueError {
    /// Not TOML.
    #[error("{file}: not valid TOML: {reason}")]
    Toml {
        /// File.
        file: String,
        /// Parser message.
        reason: String,
    },
    /// Fails the JSON Schema.
    #[error("{file}: does not match checks/schema/check.schema.json:\n{}", .errors.join("\n"))]
    Schema {
        /// File.
        file: String,
        /// One line per violation, with its location.
        errors: Vec<String>,
    },
    /// Violates a catalogue rule the schema cannot express.
    #[error("{file}: {reason}")]
    Invalid {
        /// File.
        file: String,
        /// What is wrong.
        reason: String,
    },
    /// A directory that cannot be read.
    #[error("cannot read {path}: {reason}")]
    Io {
        /// Path.
        path: String,
        /// Reason.
        reason: String,
    },
}

fn schema_validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let schema: Value =
            serde_json::from_str(CHECK_SCHEMA).expect("embedded check schema is JSON");
        jsonschema::validator_for(&schema).expect("embedded check schema compiles")
    })
}

/// Parse and validate one check file.
pub fn parse_check(file: &str, text: &str) -> Result<CheckMeta, CatalogueError> {
    let meta: CheckMeta =
        crate::datafile::parse(text, schema_validator()).map_err(|e| match e {
            crate::datafile::DataFileError::Toml(reason) => CatalogueError::Toml {
                file: file.to_string(),
                reason,
            },
            crate::datafile::DataFileError::Schema(errors) => CatalogueError::Schema {
                file: file.to_string(),
                errors,
            },
        })?;
    let stem = Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if stem != meta.id {
        return Err(CatalogueError::Invalid {
            file: file.to_string(),
            reason: format!(
                "the id `{}` must match the file name `{stem}.toml`",
                meta.id
            ),
        });
    }
    let mut codes = BTreeSet::new();
    for f in &meta.findings {
        if !f.code.starts_with(&format!("{}-", meta.id)) {
            return Err(CatalogueError::Invalid {
                file: file.to_string(),
                reason: format!("finding code `{}` must start with `{}-`", f.code, meta.id),
            });
        }
        if !codes.insert(f.code.as_str()) {
            return Err(CatalogueError::Invalid {
                file: file.to_string(),
                reason: format!("finding code `{}` is declared twice", f.code),
            });
        }
    }
    if let Some(rule) = &meta.rule {
        rule.validate(&meta)
            .map_err(|reason| CatalogueError::Invalid {
                file: file.to_string(),
                reason,
            })?;
    }
    Ok(meta)
}

/// The built-in catalogue, parsed once.
pub fn builtin() -> &'static [CheckMeta] {
    static CAT: OnceLock<Vec<CheckMeta>> = OnceLock::new();
    CAT.get_or_init(|| {
        load_builtin().unwrap_or_else(|e| {
            panic!("the embedded catalogue is invalid (a test catches this): {e}")
        })
    })
}

/// Parse every embedded `checks/*.toml` (used by [`builtin`] and by tests).
pub fn load_builtin() -> Result<Vec<CheckMeta>, CatalogueError> {
    let mut files: Vec<_> = CHECKS_DIR
        .files()
        .filter(|f| f.path().extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort_by_key(|f| f.path().to_path_buf());
    let mut out = Vec::new();
    for f in files {
        let name = f.path().display().to_string();
        let text = f.contents_utf8().ok_or_else(|| CatalogueError::Invalid {
            file: name.clone(),
            reason: "not UTF-8".into(),
        })?;
        out.push(parse_check(&format!("checks/{name}"), text)?);
    }
    check_unique(&out)?;
    Ok(out)
}

/// Load user checks from a directory: declarative only, ids distinct from
/// the built-in catalogue.
pub fn load_user_dir(dir: &Path) -> Result<Vec<CheckMeta>, CatalogueError> {
    let io = |e: std::io::Error| CatalogueError::Io {
        path: dir.display().to_string(),
        reason: e.to_string(),
    };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for p in paths {
        let text = std::fs::read_to_string(&p).map_err(|e| CatalogueError::Io {
            path: p.display().to_string(),
            reason: e.to_string(),
        })?;
        let mut meta = parse_check(&p.display().to_string(), &text)?;
        if meta.implementation != Implementation::Declarative {
            return Err(CatalogueError::Invalid {
                file: p.display().to_string(),
                reason: "user checks must be declarative (implementation = \"declarative\" with a [rule])".into(),
            });
        }
        if builtin().iter().any(|b| b.id == meta.id) {
            return Err(CatalogueError::Invalid {
                file: p.display().to_string(),
                reason: format!("the id `{}` is a built-in check", meta.id),
            });
        }
        meta.user = true;
        out.push(meta);
    }
    let mut all: Vec<CheckMeta> = builtin().to_vec();
    all.extend(out.iter().cloned());
    check_unique(&all)?;
    Ok(out)
}

fn check_unique(all: &[CheckMeta]) -> Result<(), CatalogueError> {
    let mut ids = BTreeSet::new();
    let mut codes = BTreeSet::new();
    for m in all {
        if !ids.insert(m.id.as_str()) {
            return Err(CatalogueError::Invalid {
                file: format!("{}.toml", m.id),
                reason: format!("duplicate check id `{}`", m.id),
            });
        }
        for f in &m.findings {
            if !codes.insert(f.code.as_str()) {
                return Err(CatalogueError::Invalid {
                    file: format!("{}.toml", m.id),
                    reason: format!("duplicate finding code `{}`", f.code),
                });
            }
        }
    }
    Ok(())
}
