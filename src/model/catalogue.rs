//! The catalogue's vocabulary: what a check is (`checks/<id>.toml`, see
//! `checks/schema/check.schema.json`), the categories and questions a
//! report is organised by, severities and their weights, and the
//! declarative rule format of user checks. Loading and validating the
//! files is the engine's (`engine::catalogue`).

use super::outcome::FindingLevel;
use serde::{Deserialize, Serialize};
use serde_json::Value;

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
    /// Default weight of the severity (docs/scoring.md).
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

/// A declarative rule.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Path (and query) on the target origin.
    pub path: String,
    /// Matchers that must all hold.
    #[serde(rename = "match")]
    pub matchers: Vec<Matcher>,
}

/// One matcher. Exactly one subject (`status`, `header`, `json_pointer`,
/// `body`, `json_schema`) — the schema enforces it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Matcher {
    /// Finding code when the matcher does not hold.
    pub code: String,
    /// Allowed statuses.
    #[serde(default)]
    pub status: Option<Vec<u16>>,
    /// Header name.
    #[serde(default)]
    pub header: Option<String>,
    /// JSON pointer into the JSON body.
    #[serde(default)]
    pub json_pointer: Option<String>,
    /// Match the body text.
    #[serde(default)]
    pub body: Option<bool>,
    /// A JSON Schema the body must satisfy.
    #[serde(default)]
    pub json_schema: Option<Value>,
    /// The subject exists (true) or not (false).
    #[serde(default)]
    pub exists: Option<bool>,
    /// The subject equals this value.
    #[serde(default)]
    pub equals: Option<Value>,
    /// The array contains this value, or the string this substring.
    #[serde(default)]
    pub contains: Option<Value>,
    /// The (string) subject matches this regex.
    #[serde(default)]
    pub regex: Option<String>,
}
