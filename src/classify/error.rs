//! Errors of the classify layer (the fingerprints keep their own
//! [`super::fingerprints::FingerprintError`]).

/// Why the scope vocabulary cannot be loaded, or why an entry of a risk
/// document a target publishes (`scope_descriptions`, `scope_details`)
/// cannot be read. Each message is the one shown in reports.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScopeError {
    /// The vocabulary's JSON Schema is not JSON.
    #[error("the vocabulary schema is not JSON: {0}")]
    SchemaNotJson(String),
    /// The vocabulary's JSON Schema does not compile.
    #[error("the vocabulary schema does not compile: {0}")]
    SchemaInvalid(String),
    /// The vocabulary is not valid TOML (the parser's message).
    #[error("not valid TOML: {0}")]
    Toml(String),
    /// The vocabulary fails its schema: one line per violation.
    #[error("does not match checks/schema/scope-vocabulary.schema.json:\n{}", .0.join("\n"))]
    Schema(Vec<String>),
    /// A vocabulary version this reader does not know.
    #[error("unsupported version {0}")]
    Version(u32),
    /// A whole scope listed twice (two spellings compared word by word).
    #[error("whole scope `{scope}` is listed twice (as `{key}`, compared word by word)")]
    WholeTwice {
        /// The scope as written the second time.
        scope: String,
        /// The words both spellings reduce to.
        key: String,
    },
    /// A whole scope with no word in it.
    #[error("whole scope `{0}` has no word")]
    WholeNoWord(String),
    /// A permission letter that is not one character.
    #[error("permission letter `{0}` is not one letter")]
    LetterNotOne(String),
    /// A permission letter listed under two classes.
    #[error("permission letter `{0}` is in two classes")]
    LetterTwice(char),
    /// A managing verb that is not a write action.
    #[error("managing verb `{0}` is not a write action")]
    ManageNotWrite(String),
    /// A prefix naming a verb that is not an action.
    #[error("prefix `{prefix}`: verb `{verb}` is not an action")]
    PrefixVerb {
        /// The prefix.
        prefix: String,
        /// The verb.
        verb: String,
    },
    /// An action entry whose class is not read, write or destructive.
    #[error("action class {0} is not an action")]
    NotAnAction(&'static str),
    /// A token listed under two action classes.
    #[error("token `{token}` is both a {first} and a {second} action")]
    TwoActions {
        /// The token.
        token: String,
        /// The class it was listed under first.
        first: &'static str,
        /// The class it is listed under again.
        second: &'static str,
    },
    /// A token that is both an action and a role.
    #[error("token `{0}` is both an action and a role")]
    ActionAndRole(String),
    /// A phrase without exactly two tokens.
    #[error("a phrase has two tokens")]
    PhraseTokens,
    /// The embedded vocabulary is broken (a test catches that).
    #[error("checks/scopes/vocabulary.toml {0}")]
    Embedded(Box<ScopeError>),
    /// A risk entry that is neither an object nor a string.
    #[error("is neither an object nor a string")]
    NotEntry,
    /// A risk-entry member that must be a string (its name).
    #[error("`{0}` is not a string")]
    NotString(&'static str),
    /// A risk entry's `class` that names no class (as quoted).
    #[error("`class` is `{0}`, not read, write, destructive, admin or identity")]
    Class(String),
    /// A risk entry's `risk` that names no level (as quoted).
    #[error("`risk` is `{0}`, not low, medium or high")]
    Risk(String),
    /// A risk-entry hint that must be a boolean (its name).
    #[error("`{0}` is not a boolean")]
    NotBoolean(&'static str),
    /// A risk entry's `requires` that is not an array.
    #[error("`requires` is not an array")]
    RequiresNotArray,
    /// A risk entry's `requires` with a member that is not a string.
    #[error("`requires` has a member that is not a string")]
    RequiresMember,
}
