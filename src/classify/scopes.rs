//! Scope classification: from an OAuth scope string (and, when the target
//! publishes them, its description or an explicit risk document) to a class
//! an agent can act on — `read`, `write`, `destructive`, `admin`, `identity`
//! or `unknown` — with the source of the decision and a short reason.
//!
//! The vocabulary is data (`checks/scopes/vocabulary.toml`, validated against
//! `checks/schema/scope-vocabulary.schema.json` when first used and in a
//! test) so that it can be reviewed and extended without touching code; this
//! module only tokenises and applies it. Precedence: an explicit risk
//! document wins over heuristics; an exact entry of the vocabulary's whole
//! scope tables (`openid`, `*`, GitHub's `repo`) wins over a description; a
//! description decides when the name cannot, or when it names a more
//! dangerous class than the name does (the dangerous reading wins).
//!
//! Nothing here panics on target input: scope strings and descriptions are
//! capped before they are looked at.

use crate::classify::ScopeError;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// The embedded vocabulary.
pub const VOCABULARY: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/checks/scopes/vocabulary.toml"
));
/// The JSON Schema the vocabulary must satisfy.
pub const VOCABULARY_SCHEMA: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/checks/schema/scope-vocabulary.schema.json"
));

/// Longest scope string looked at (longer ones are cut, never rejected).
pub const MAX_SCOPE_LEN: usize = 512;
/// Longest description looked at.
pub const MAX_DESCRIPTION_LEN: usize = 2000;

/// What a scope lets its holder do (report `data.scopes[].class`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScopeClass {
    /// Only views, lists, searches or downloads data.
    Read,
    /// Creates or changes data.
    Write,
    /// Its purpose is deletion, destruction or revocation.
    Destructive,
    /// Grants everything, or administers the organisation (users, roles,
    /// credentials, apps, policy, billing).
    Admin,
    /// Sign-in and identity claims (OpenID Connect scopes), refresh tokens.
    Identity,
    /// Could not be classified.
    Unknown,
}

impl ScopeClass {
    /// Every class, in report order.
    pub const ALL: [ScopeClass; 6] = [
        ScopeClass::Read,
        ScopeClass::Write,
        ScopeClass::Destructive,
        ScopeClass::Admin,
        ScopeClass::Identity,
        ScopeClass::Unknown,
    ];

    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ScopeClass::Read => "read",
            ScopeClass::Write => "write",
            ScopeClass::Destructive => "destructive",
            ScopeClass::Admin => "admin",
            ScopeClass::Identity => "identity",
            ScopeClass::Unknown => "unknown",
        }
    }

    /// Parse a report name.
    pub fn parse(s: &str) -> Option<ScopeClass> {
        ScopeClass::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// How much harm the class allows: identity 0, read 1, write 2,
    /// destructive 3, admin 4; unknown has no rank.
    pub fn danger(self) -> Option<u8> {
        match self {
            ScopeClass::Identity => Some(0),
            ScopeClass::Read => Some(1),
            ScopeClass::Write => Some(2),
            ScopeClass::Destructive => Some(3),
            ScopeClass::Admin => Some(4),
            ScopeClass::Unknown => None,
        }
    }

    /// Changes or deletes data, or administers (write, destructive, admin).
    pub fn changes_data(self) -> bool {
        matches!(
            self,
            ScopeClass::Write | ScopeClass::Destructive | ScopeClass::Admin
        )
    }
}

/// Where a classification came from (report `data.scopes[].source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// The scope string itself.
    Name,
    /// A human-readable description the target published for the scope.
    Description,
    /// An explicit per-scope risk or class the target published.
    RiskDocument,
}

impl Source {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Name => "name",
            Source::Description => "description",
            Source::RiskDocument => "risk-document",
        }
    }
}

/// One scope, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    /// The scope string as published.
    pub scope: String,
    /// Its class.
    pub class: ScopeClass,
    /// What decided it.
    pub source: Source,
    /// Why, in a few words.
    pub reason: String,
    /// A wildcard or catch-all scope that grants everything.
    pub god_mode: bool,
    /// The resource the scope is about, for pairing read and write scopes
    /// (`files:read` and `files:write` share `files`; empty for a scope
    /// about everything, such as `read` or `write`).
    pub resource: String,
    /// The signals disagreed; the more dangerous reading was kept.
    pub ambiguous: Option<String>,
}

/// A per-scope risk level, as a risk document states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Risk {
    /// Read-only, low impact.
    Low,
    /// Changes data.
    Medium,
    /// Destroys data or worse.
    High,
}

/// One entry of a risk document (`scope_details` in metadata): what the
/// target says about a scope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RiskEntry {
    /// An explicit class.
    pub class: Option<ScopeClass>,
    /// A risk level.
    pub risk: Option<Risk>,
    /// A human-readable description.
    pub description: Option<String>,
    /// MCP tool-annotation style hint: the scope only reads.
    pub read_only_hint: Option<bool>,
    /// MCP tool-annotation style hint: the scope can destroy data.
    pub destructive_hint: Option<bool>,
    /// Scopes this one requires.
    pub requires: Vec<String>,
}

impl RiskEntry {
    /// Parse one entry leniently: a string is a description; an object may
    /// carry `class`, `risk` (`low`/`medium`/`high`), `description`,
    /// `readOnlyHint`, `destructiveHint` and `requires`. Unknown members are
    /// ignored; a member of the wrong type is an error.
    pub fn parse(v: &Value) -> Result<RiskEntry, ScopeError> {
        if let Some(s) = v.as_str() {
            return Ok(RiskEntry {
                description: Some(cap(s, MAX_DESCRIPTION_LEN).to_string()),
                ..RiskEntry::default()
            });
        }
        let Some(obj) = v.as_object() else {
            return Err(ScopeError::NotEntry);
        };
        let mut e = RiskEntry::default();
        if let Some(c) = obj.get("class") {
            let s = c.as_str().ok_or(ScopeError::NotString("class"))?;
            e.class = Some(
                ScopeClass::parse(&s.to_ascii_lowercase())
                    .filter(|c| *c != ScopeClass::Unknown)
                    .ok_or_else(|| ScopeError::Class(cap(s, 40).to_string()))?,
            );
        }
        if let Some(r) = obj.get("risk") {
            let s = r.as_str().ok_or(ScopeError::NotString("risk"))?;
            e.risk = Some(match s.to_ascii_lowercase().as_str() {
                "low" => Risk::Low,
                "medium" => Risk::Medium,
                "high" => Risk::High,
                _ => {
                    return Err(ScopeError::Risk(cap(s, 40).to_string()));
                }
            });
        }
        if let Some(d) = obj.get("description") {
            let s = d.as_str().ok_or(ScopeError::NotString("description"))?;
            e.description = Some(cap(s, MAX_DESCRIPTION_LEN).to_string());
        }
        for (keys, slot) in [
            (["readOnlyHint", "read_only_hint"], &mut e.read_only_hint),
            (
                ["destructiveHint", "destructive_hint"],
                &mut e.destructive_hint,
            ),
        ] {
            for k in keys {
                if let Some(b) = obj.get(k) {
                    *slot = Some(
                        b.as_bool()
                            .ok_or(ScopeError::NotBoolean(k))?,
                    );
                }
            }
        }
        if let Some(r) = obj.get("requires") {
            let a = r.as_array().ok_or(ScopeError::RequiresNotArray)?;
            e.requires = a
                .iter()
                .take(64)
                .map(|x| x.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or(ScopeError::RequiresMember)?;
        }
        Ok(e)
    }

    /// The class the entry states, directly or through a hint or risk level.
    pub fn declared_class(&self) -> Option<(ScopeClass, String)> {
        if let Some(c) = self.class {
            return Some((
                c,
                format!("the risk document declares class {}", c.as_str()),
            ));
        }
        if self.destructive_hint == Some(true) {
            return Some((
                ScopeClass::Destructive,
                "the risk document marks it destructive (destructiveHint)".into(),
            ));
        }
        match self.read_only_hint {
            Some(true) => {
                return Some((
                    ScopeClass::Read,
                    "the risk document marks it read-only (readOnlyHint)".into(),
                ));
            }
            Some(false) => {
                return Some((
                    ScopeClass::Write,
                    "the risk document marks it not read-only (readOnlyHint: false)".into(),
                ));
            }
            None => {}
        }
        self.risk.map(|r| match r {
            Risk::Low => (
                ScopeClass::Read,
                "the risk document rates it low risk".into(),
            ),
            Risk::Medium => (
                ScopeClass::Write,
                "the risk document rates it medium risk".into(),
            ),
            Risk::High => (
                ScopeClass::Destructive,
                "the risk document rates it high risk (at least destructive)".into(),
            ),
        })
    }
}

/// What besides its name is known about a scope.
#[derive(Debug, Clone, Copy, Default)]
pub struct Hints<'a> {
    /// A description the target published (OpenAPI `scopes` map,
    /// `scope_descriptions` in metadata).
    pub description: Option<&'a str>,
    /// An entry of an explicit risk document.
    pub risk: Option<&'a RiskEntry>,
}

// ---------------------------------------------------------------------------
// The vocabulary

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VocabularyFile {
    version: u32,
    whole: Vec<WholeFile>,
    actions: Vec<ActionFile>,
    roles: RolesFile,
    nouns: NounsFile,
    #[serde(default)]
    phrases: Vec<PhraseFile>,
    #[serde(default)]
    prefixes: Vec<PrefixFile>,
    descriptions: DescriptionsFile,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WholeFile {
    class: ScopeClass,
    #[serde(default)]
    god_mode: bool,
    reason: String,
    scopes: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionFile {
    class: ScopeClass,
    reason: String,
    tokens: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RolesFile {
    admin: Vec<String>,
    god_mode: Vec<String>,
    #[serde(rename = "self")]
    self_: Vec<String>,
    breadth: Vec<String>,
    qualifiers: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NounsFile {
    admin: Vec<String>,
    admin_if_broad: Vec<String>,
    readable: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PhraseFile {
    tokens: Vec<String>,
    role: PhraseRole,
    reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum PhraseRole {
    Admin,
    GodMode,
    #[serde(rename = "self")]
    SelfLimited,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PrefixFile {
    prefix: String,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    default: Option<ScopeClass>,
    reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DescriptionsFile {
    identity: Vec<String>,
    admin: Vec<String>,
    negations: Vec<String>,
}

#[derive(Debug, Clone)]
struct Whole {
    class: ScopeClass,
    god_mode: bool,
    reason: String,
}

#[derive(Debug, Clone)]
struct Prefix {
    prefix: String,
    admin: bool,
    default: Option<ScopeClass>,
    reason: String,
}

#[derive(Debug, Clone)]
struct Phrase {
    tokens: [String; 2],
    role: PhraseRole,
    reason: String,
}

/// The vocabulary, compiled for lookups.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    whole: BTreeMap<String, Whole>,
    actions: BTreeMap<String, (ScopeClass, String)>,
    admin: BTreeSet<String>,
    god_mode: BTreeSet<String>,
    self_: BTreeSet<String>,
    breadth: BTreeSet<String>,
    qualifiers: BTreeSet<String>,
    admin_nouns: BTreeSet<String>,
    broad_nouns: BTreeSet<String>,
    readable: BTreeSet<String>,
    phrases: Vec<Phrase>,
    prefixes: Vec<Prefix>,
    desc_identity: Vec<String>,
    desc_admin: Vec<String>,
    negations: BTreeSet<String>,
}

fn schema_validator() -> Result<&'static jsonschema::Validator, ScopeError> {
    static V: OnceLock<Result<jsonschema::Validator, ScopeError>> = OnceLock::new();
    V.get_or_init(|| {
        let schema: Value = serde_json::from_str(VOCABULARY_SCHEMA)
            .map_err(|e| ScopeError::SchemaNotJson(e.to_string()))?;
        jsonschema::validator_for(&schema).map_err(|e| ScopeError::SchemaInvalid(e.to_string()))
    })
    .as_ref()
    .map_err(Clone::clone)
}

fn set(items: &[String]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_lowercase()).collect()
}

impl Vocabulary {
    /// The class of an action word (`read`, `write` or `destructive`),
    /// exactly as listed (lower-case), if the vocabulary lists it.
    pub fn action(&self, word: &str) -> Option<ScopeClass> {
        self.actions.get(word).map(|(c, _)| *c)
    }
}

/// Parse and validate a vocabulary file (the schema, then the rules the
/// schema cannot express).
pub fn parse_vocabulary(text: &str) -> Result<Vocabulary, ScopeError> {
    let file: VocabularyFile =
        crate::model::datafile::parse(text, schema_validator()?).map_err(|e| match e {
            crate::model::datafile::DataFileError::Toml(reason) => ScopeError::Toml(reason),
            crate::model::datafile::DataFileError::Schema(errors) => ScopeError::Schema(errors),
        })?;
    if file.version != 1 {
        return Err(ScopeError::Version(file.version));
    }
    let mut whole = BTreeMap::new();
    for w in &file.whole {
        for s in &w.scopes {
            let key = s.to_lowercase();
            if whole
                .insert(
                    key.clone(),
                    Whole {
                        class: w.class,
                        god_mode: w.god_mode,
                        reason: w.reason.clone(),
                    },
                )
                .is_some()
            {
                return Err(ScopeError::WholeTwice(key));
            }
        }
    }
    let mut actions = BTreeMap::new();
    for a in &file.actions {
        if !matches!(
            a.class,
            ScopeClass::Read | ScopeClass::Write | ScopeClass::Destructive
        ) {
            return Err(ScopeError::NotAnAction(a.class.as_str()));
        }
        for t in &a.tokens {
            if let Some((other, _)) = actions.insert(t.clone(), (a.class, a.reason.clone())) {
                return Err(ScopeError::TwoActions {
                    token: t.clone(),
                    first: other.as_str(),
                    second: a.class.as_str(),
                });
            }
        }
    }
    let roles = &file.roles;
    for t in roles.admin.iter().chain(&roles.qualifiers) {
        if actions.contains_key(t) {
            return Err(ScopeError::ActionAndRole(t.clone()));
        }
    }
    let mut phrases = Vec::new();
    for p in &file.phrases {
        let [a, b] = p.tokens.as_slice() else {
            return Err(ScopeError::PhraseTokens);
        };
        phrases.push(Phrase {
            tokens: [a.clone(), b.clone()],
            role: p.role,
            reason: p.reason.clone(),
        });
    }
    let prefixes = file
        .prefixes
        .iter()
        .map(|p| Prefix {
            prefix: p.prefix.to_lowercase(),
            admin: p.role.as_deref() == Some("admin"),
            default: p.default,
            reason: p.reason.clone(),
        })
        .collect();
    Ok(Vocabulary {
        whole,
        actions,
        admin: set(&roles.admin),
        god_mode: set(&roles.god_mode),
        self_: set(&roles.self_),
        breadth: set(&roles.breadth),
        qualifiers: set(&roles.qualifiers),
        admin_nouns: set(&file.nouns.admin),
        broad_nouns: set(&file.nouns.admin_if_broad),
        readable: set(&file.nouns.readable),
        phrases,
        prefixes,
        desc_identity: file
            .descriptions
            .identity
            .iter()
            .map(|s| s.to_lowercase())
            .collect(),
        desc_admin: file
            .descriptions
            .admin
            .iter()
            .map(|s| s.to_lowercase())
            .collect(),
        negations: set(&file.descriptions.negations),
    })
}

/// The embedded vocabulary, parsed once. An error means the embedded file is
/// broken (a test catches that); callers report it instead of panicking.
pub fn vocabulary() -> Result<&'static Vocabulary, ScopeError> {
    static V: OnceLock<Result<Vocabulary, ScopeError>> = OnceLock::new();
    V.get_or_init(|| parse_vocabulary(VOCABULARY))
        .as_ref()
        .map_err(|e| ScopeError::Embedded(Box::new(e.clone())))
}

// ---------------------------------------------------------------------------
// Tokenising

/// At most `max` bytes of `s`, cut at a character boundary.
fn cap(s: &str, max: usize) -> &str {
    &s[..s.floor_char_boundary(max)]
}

/// The part of a URL scope that says what it is: the last path segment, or
/// the host when the path is empty (`https://mail.google.com/`).
fn url_tail(s: &str) -> &str {
    let lower_starts = |p: &str| s.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p));
    let rest = if lower_starts("https://") {
        &s[8..]
    } else if lower_starts("http://") {
        &s[7..]
    } else {
        return s;
    };
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    match path.trim_end_matches('/').rsplit('/').next() {
        Some(last) if !last.is_empty() => last,
        _ => host,
    }
}

/// Split a word at camelCase boundaries: `ReadWrite` → `Read`, `Write`;
/// `RBACSettings` → `RBAC`, `Settings`; all-caps words stay whole.
fn split_camel(word: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..chars.len() {
        let (pos, c) = chars[i];
        let prev = chars[i - 1].1;
        let next_lower = chars.get(i + 1).is_some_and(|(_, n)| n.is_lowercase());
        let boundary = c.is_uppercase()
            && (prev.is_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_uppercase() && next_lower));
        if boundary {
            out.push(&word[start..pos]);
            start = pos;
        }
    }
    out.push(&word[start..]);
    out
}

/// The lower-case words of a scope string: a URL scope keeps its last path
/// segment; separators are `:` `.` `/` `_` `-`, whitespace and camelCase
/// boundaries.
pub fn tokenize(scope: &str) -> Vec<String> {
    let body = url_tail(cap(scope.trim(), MAX_SCOPE_LEN));
    body.split(|c: char| {
        matches!(
            c,
            ':' | '.' | '/' | '_' | '-' | ',' | ';' | '|' | '=' | '+' | '#' | '?' | '&'
        ) || c.is_whitespace()
    })
    .flat_map(split_camel)
    .map(str::to_lowercase)
    .filter(|t| !t.is_empty())
    .take(64)
    .collect()
}

// ---------------------------------------------------------------------------
// Classifying a name

struct NameVerdict {
    class: ScopeClass,
    reason: String,
    god_mode: bool,
    resource: String,
    whole: bool,
    ambiguous: Option<String>,
}

fn quote(tokens: &[&str]) -> String {
    tokens
        .iter()
        .map(|t| format!("`{t}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn classify_name(v: &Vocabulary, scope: &str) -> NameVerdict {
    let trimmed = cap(scope.trim(), MAX_SCOPE_LEN);
    let lower = trimmed.to_lowercase();
    let tokens = tokenize(trimmed);
    if let Some(w) = v.whole.get(&lower) {
        let resource = if w.god_mode {
            String::new()
        } else {
            resource_key(v, &tokens)
        };
        return NameVerdict {
            class: w.class,
            reason: w.reason.clone(),
            god_mode: w.god_mode,
            resource,
            whole: true,
            ambiguous: None,
        };
    }
    let verdict = |class, reason: String| NameVerdict {
        class,
        reason,
        god_mode: false,
        resource: resource_key(v, &tokens),
        whole: false,
        ambiguous: None,
    };
    if tokens.is_empty() {
        return verdict(ScopeClass::Unknown, "the scope has no word to go by".into());
    }
    let mut admin_ns: Option<&str> = None;
    let mut default: Option<(ScopeClass, &str)> = None;
    for p in &v.prefixes {
        if lower.starts_with(&p.prefix) {
            if p.admin {
                admin_ns = Some(&p.reason);
            }
            if let Some(d) = p.default {
                default = Some((d, &p.reason));
            }
        }
    }
    // Phrases give a role to two adjacent tokens and take them out of the
    // token-by-token reading.
    let mut consumed = vec![false; tokens.len()];
    let mut phrase_admin: Option<&str> = None;
    let mut phrase_god = false;
    let mut phrase_self = false;
    for i in 0..tokens.len().saturating_sub(1) {
        for ph in &v.phrases {
            if tokens[i] == ph.tokens[0] && tokens[i + 1] == ph.tokens[1] {
                consumed[i] = true;
                consumed[i + 1] = true;
                match ph.role {
                    PhraseRole::Admin => phrase_admin = Some(&ph.reason),
                    PhraseRole::GodMode => phrase_god = true,
                    PhraseRole::SelfLimited => phrase_self = true,
                }
            }
        }
    }
    let mut actions: Vec<(ScopeClass, &str)> = Vec::new();
    let mut markers: Vec<&str> = Vec::new();
    let mut gods: Vec<&str> = Vec::new();
    let mut selfs: Vec<&str> = Vec::new();
    let mut broad: Vec<&str> = Vec::new();
    let mut admin_nouns: Vec<&str> = Vec::new();
    let mut head: Option<&str> = None;
    let mut readable: Vec<&str> = Vec::new();
    let mut owners = 0usize;
    let mut resources = 0usize;
    for (i, t) in tokens.iter().enumerate() {
        if consumed[i] {
            continue;
        }
        let t = t.as_str();
        if let Some((class, _)) = v.actions.get(t) {
            actions.push((*class, t));
            continue;
        }
        if v.admin.contains(t) {
            markers.push(t);
            continue;
        }
        if v.qualifiers.contains(t) {
            continue;
        }
        let is_god = v.god_mode.contains(t);
        let is_broad = v.breadth.contains(t);
        if is_god {
            gods.push(t);
        }
        if is_broad {
            broad.push(t);
        }
        if v.self_.contains(t) {
            selfs.push(t);
        }
        if v.admin_nouns.contains(t) {
            admin_nouns.push(t);
        }
        if v.readable.contains(t) {
            readable.push(t);
        } else if v.broad_nouns.contains(t) || v.self_.contains(t) {
            // `user:email`: whose data it is does not change what it is.
            owners += 1;
        }
        if !is_god && !is_broad {
            if head.is_none() {
                head = Some(t);
            }
            resources += 1;
        }
    }
    let has = |c: ScopeClass| {
        actions
            .iter()
            .filter(|(k, _)| *k == c)
            .map(|(_, t)| *t)
            .collect::<Vec<_>>()
    };
    let destructive = has(ScopeClass::Destructive);
    let write = has(ScopeClass::Write);
    let read = has(ScopeClass::Read);
    let god_only = resources == 0 && (!gods.is_empty() || phrase_god);
    let self_limited = !selfs.is_empty() || phrase_self;
    let admin_scope: Option<String> = if !markers.is_empty() {
        Some(format!("{} marks an administrative scope", quote(&markers)))
    } else if let Some(r) = phrase_admin {
        Some(r.to_string())
    } else {
        admin_ns.map(str::to_string)
    };
    let admin_resource: Option<String> = if !admin_nouns.is_empty() {
        Some(format!(
            "on {}, whose change is administration",
            quote(&admin_nouns)
        ))
    } else if let Some(h) = head.filter(|h| v.broad_nouns.contains(*h))
        && !broad.is_empty()
    {
        Some(format!("on `{h}` widened to {}", quote(&broad)))
    } else {
        None
    };
    let mut out = if !destructive.is_empty() {
        let mut n = verdict(
            ScopeClass::Destructive,
            format!("{} names a deletion", quote(&destructive)),
        );
        if !write.is_empty() || !read.is_empty() {
            n.ambiguous = Some(format!(
                "{} also names {}",
                quote(&destructive),
                quote(&[write.as_slice(), read.as_slice()].concat())
            ));
        }
        n
    } else if !write.is_empty() {
        let w = quote(&write);
        if god_only {
            let mut n = verdict(
                ScopeClass::Admin,
                format!("{w} on {}: everything", quote(&gods)),
            );
            n.god_mode = true;
            n
        } else if self_limited {
            verdict(
                ScopeClass::Write,
                format!(
                    "{w} names a write action limited to the caller's own data ({})",
                    quote(&selfs)
                ),
            )
        } else if let Some(a) = &admin_scope {
            verdict(ScopeClass::Admin, format!("{w} names a write action; {a}"))
        } else if let Some(r) = &admin_resource {
            verdict(ScopeClass::Admin, format!("{w} names a write action {r}"))
        } else {
            verdict(ScopeClass::Write, format!("{w} names a write action"))
        }
    } else if !read.is_empty() {
        let mut n = verdict(
            ScopeClass::Read,
            format!("{} names a read-only action", quote(&read)),
        );
        if admin_scope.is_some() {
            n.reason.push_str(" (on administrative data)");
        }
        n
    } else if god_only {
        let mut n = verdict(
            ScopeClass::Admin,
            format!("{}: a catch-all scope", quote(&gods)),
        );
        n.god_mode = true;
        n
    } else if let Some(a) = admin_scope {
        if self_limited {
            verdict(
                ScopeClass::Write,
                format!("{a}, limited to the caller's own data"),
            )
        } else {
            verdict(ScopeClass::Admin, a)
        }
    } else if !readable.is_empty() && readable.len() + owners == resources {
        verdict(
            ScopeClass::Read,
            format!(
                "names only the personal data {} and no action: it releases it",
                quote(&readable)
            ),
        )
    } else if let Some((class, reason)) = default {
        verdict(class, reason.to_string())
    } else {
        verdict(
            ScopeClass::Unknown,
            "the name says what it is about but not what it allows".into(),
        )
    };
    if out.god_mode {
        out.resource = String::new();
    }
    out
}

/// The resource a scope is about: its words without actions, admin markers,
/// qualifiers and breadth (`Files.ReadWrite.All` → `files`).
fn resource_key(v: &Vocabulary, tokens: &[String]) -> String {
    tokens
        .iter()
        .filter(|t| {
            let t = t.as_str();
            !v.actions.contains_key(t)
                && !v.admin.contains(t)
                && !v.qualifiers.contains(t)
                && !v.breadth.contains(t)
                && !v.god_mode.contains(t)
        })
        .cloned()
        .collect::<Vec<_>>()
        .join(".")
}

// ---------------------------------------------------------------------------
// Classifying a description

/// Classify a scope description: identity cues, then administration cues,
/// then the actions it names outside a negation.
pub fn classify_description(v: &Vocabulary, text: &str) -> Option<(ScopeClass, String)> {
    let lower = cap(text, MAX_DESCRIPTION_LEN)
        .to_lowercase()
        .replace("n't", " not");
    if let Some(cue) = v.desc_identity.iter().find(|c| lower.contains(c.as_str())) {
        return Some((
            ScopeClass::Identity,
            format!("the description speaks of identity (\"{cue}\")"),
        ));
    }
    let mut found: BTreeMap<ScopeClass, Vec<String>> = BTreeMap::new();
    for clause in lower.split(['.', ',', ';', ':', '!', '?', '(', ')']) {
        let mut negated = false;
        for word in clause.split(|c: char| !c.is_alphanumeric()) {
            if word.is_empty() {
                continue;
            }
            if v.negations.contains(word) {
                negated = true;
                continue;
            }
            if word == "but" {
                negated = false;
                continue;
            }
            if negated {
                continue;
            }
            if let Some(class) = action_of_word(v, word) {
                let list = found.entry(class).or_default();
                if !list.iter().any(|w| w == word) {
                    list.push(word.to_string());
                }
            }
        }
    }
    let words = |c: ScopeClass| found.get(&c).cloned().unwrap_or_default();
    let (read, write, destructive) = (
        words(ScopeClass::Read),
        words(ScopeClass::Write),
        words(ScopeClass::Destructive),
    );
    let said = |w: &[String]| {
        w.iter()
            .map(|x| format!("\"{x}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(cue) = v.desc_admin.iter().find(|c| lower.contains(c.as_str()))
        && (!write.is_empty() || !destructive.is_empty() || read.is_empty())
    {
        return Some((
            ScopeClass::Admin,
            format!("the description speaks of administration (\"{cue}\")"),
        ));
    }
    if !destructive.is_empty() && write.is_empty() {
        return Some((
            ScopeClass::Destructive,
            format!("the description says {}", said(&destructive)),
        ));
    }
    if !write.is_empty() || !destructive.is_empty() {
        let all = [write, destructive].concat();
        return Some((
            ScopeClass::Write,
            format!("the description says {}", said(&all)),
        ));
    }
    if !read.is_empty() {
        return Some((
            ScopeClass::Read,
            format!("the description only says {}", said(&read)),
        ));
    }
    None
}

/// The action a description word names, trying a few English inflections
/// (`creates`, `deleted`, `sending`).
fn action_of_word(v: &Vocabulary, word: &str) -> Option<ScopeClass> {
    let mut candidates = vec![word.to_string()];
    for suffix in ["s", "es", "ed", "d", "ing"] {
        if let Some(stem) = word.strip_suffix(suffix)
            && stem.len() >= 3
        {
            candidates.push(stem.to_string());
            if suffix == "ing" || suffix == "ed" {
                candidates.push(format!("{stem}e"));
            }
        }
    }
    candidates
        .iter()
        .find_map(|c| v.actions.get(c.as_str()).map(|(k, _)| *k))
}

// ---------------------------------------------------------------------------
// Putting it together

/// Classify one scope with the given vocabulary.
pub fn classify_with(v: &Vocabulary, scope: &str, hints: Hints<'_>) -> Classification {
    let name = classify_name(v, scope);
    let make = |class, source, reason: String, ambiguous: Option<String>| Classification {
        scope: scope.to_string(),
        class,
        source,
        reason,
        god_mode: name.god_mode && class == name.class,
        resource: name.resource.clone(),
        ambiguous,
    };
    // 1. An explicit risk document wins.
    if let Some(entry) = hints.risk
        && let Some((class, reason)) = entry.declared_class()
    {
        let ambiguous = (name.class != ScopeClass::Unknown && name.class != class).then(|| {
            format!(
                "the name reads as {} ({})",
                name.class.as_str(),
                name.reason
            )
        });
        return make(class, Source::RiskDocument, reason, ambiguous);
    }
    // 2. A whole-scope table entry is a convention, not a guess.
    if name.whole {
        return make(
            name.class,
            Source::Name,
            name.reason.clone(),
            name.ambiguous.clone(),
        );
    }
    // 3. A description decides when the name cannot, or when it reads as
    //    more dangerous.
    let description = hints
        .description
        .or_else(|| hints.risk.and_then(|r| r.description.as_deref()));
    if let Some(text) = description
        && let Some((class, reason)) = classify_description(v, text)
    {
        let more_dangerous = match (class.danger(), name.class.danger()) {
            (Some(d), Some(n)) => d > n,
            (Some(_), None) => true,
            _ => false,
        };
        if more_dangerous {
            let ambiguous = (name.class != ScopeClass::Unknown).then(|| {
                format!(
                    "the name reads as {} ({})",
                    name.class.as_str(),
                    name.reason
                )
            });
            return make(class, Source::Description, reason, ambiguous);
        }
        if class == name.class {
            return make(
                class,
                Source::Description,
                format!("{reason}; the name agrees ({})", name.reason),
                name.ambiguous.clone(),
            );
        }
        let ambiguous = Some(format!(
            "the description reads as {} ({reason})",
            class.as_str()
        ));
        return make(name.class, Source::Name, name.reason.clone(), ambiguous);
    }
    make(
        name.class,
        Source::Name,
        name.reason.clone(),
        name.ambiguous.clone(),
    )
}

/// Classify one scope with the embedded vocabulary.
#[cfg(any(test, feature = "testing"))]
pub fn classify(scope: &str, hints: Hints<'_>) -> Result<Classification, ScopeError> {
    Ok(classify_with(vocabulary()?, scope, hints))
}

#[cfg(test)]
mod tests;
