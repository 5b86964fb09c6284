//! Declarative checks: one GET on the target's own origin, then a closed
//! vocabulary of matchers (status, header, JSON pointer, body regex, JSON
//! Schema). No expression language, and a rule can never send any other
//! request: the probe layer builds its GET from `path` and refuses to leave
//! the target origin.
//!
//! Matchers are tried in order; the first that does not hold yields its
//! finding. A response that cannot be told apart from the catch-all answer
//! (a random path got the same status and body) fails the first matcher:
//! a site that answers 200 to everything passes no presence check.

use crate::evidence::Evidence;
use crate::model::catalogue::{CheckMeta, Matcher, Rule};
use crate::model::outcome::{Evaluation, Finding};
use regex::Regex;
use serde_json::Value;

/// Why a declarative rule is refused when its check file is loaded: what
/// the JSON Schema cannot express (declared codes, compiling regexes and
/// schemas, predicates that fit the subject).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RuleError {
    /// `rule.path` leaves the target origin (as written).
    #[error("rule.path `{0}` must be a path on the target origin")]
    Path(String),
    /// A matcher's finding code is not declared in `[[findings]]`.
    #[error("rule.match[{index}]: code `{code}` is not declared in [[findings]]")]
    UndeclaredCode {
        /// The matcher's index.
        index: usize,
        /// The code.
        code: String,
    },
    /// A matcher's regex does not compile (the compiler's message).
    #[error("rule.match[{index}]: invalid regex: {reason}")]
    Regex {
        /// The matcher's index.
        index: usize,
        /// Why.
        reason: String,
    },
    /// A matcher's JSON Schema does not compile (the compiler's message).
    #[error("rule.match[{index}]: invalid JSON Schema: {reason}")]
    Schema {
        /// The matcher's index.
        index: usize,
        /// Why.
        reason: String,
    },
    /// A body matcher without `regex` or `contains`.
    #[error("rule.match[{0}]: a body matcher needs `regex` or `contains`")]
    BodyPredicate(usize),
    /// A status or json_schema matcher with a predicate.
    #[error("rule.match[{0}]: status and json_schema matchers take no predicate")]
    ExtraPredicate(usize),
    /// A json_pointer that is neither empty nor starts with `/`.
    #[error("rule.match[{0}]: json_pointer must be empty or start with /")]
    Pointer(usize),
}

impl Rule {
    /// Checks the schema cannot express: codes declared, regexes and
    /// schemas compile, predicates fit the subject.
    pub fn validate(&self, meta: &CheckMeta) -> Result<(), RuleError> {
        if self.path.starts_with("//") || self.path.contains("://") {
            return Err(RuleError::Path(self.path.clone()));
        }
        for (index, m) in self.matchers.iter().enumerate() {
            if meta.finding_level(&m.code).is_none() {
                return Err(RuleError::UndeclaredCode {
                    index,
                    code: m.code.clone(),
                });
            }
            if let Some(r) = &m.regex {
                Regex::new(r).map_err(|e| RuleError::Regex {
                    index,
                    reason: e.to_string(),
                })?;
            }
            if let Some(s) = &m.json_schema {
                jsonschema::validator_for(s).map_err(|e| RuleError::Schema {
                    index,
                    reason: e.to_string(),
                })?;
            }
            if m.body.is_some() && m.regex.is_none() && m.contains.is_none() {
                return Err(RuleError::BodyPredicate(index));
            }
            if (m.status.is_some() || m.json_schema.is_some())
                && (m.exists.is_some()
                    || m.equals.is_some()
                    || m.contains.is_some()
                    || m.regex.is_some())
            {
                return Err(RuleError::ExtraPredicate(index));
            }
            if let Some(p) = &m.json_pointer
                && !p.is_empty()
                && !p.starts_with('/')
            {
                return Err(RuleError::Pointer(index));
            }
        }
        Ok(())
    }
}

/// Probe id of a user check's GET.
pub fn probe_id(check: &str) -> String {
    format!("user:{check}")
}

/// Evaluate a declarative check over the evidence.
pub fn evaluate(meta: &CheckMeta, rule: &Rule, ev: &Evidence) -> Evaluation {
    let probe = probe_id(&meta.id);
    let Some(x) = ev.get(&probe) else {
        return Evaluation::skip(format!("the request for {} was not sent", rule.path));
    };
    let Some(resp) = &x.response else {
        let why = x
            .error
            .as_ref()
            .map_or("no response", |e| e.message.as_str());
        return Evaluation::error(format!("GET {} failed: {why}", rule.path), vec![probe]);
    };
    if resp.is_success() && ev.is_catch_all_like(resp) {
        let first = &rule.matchers[0];
        return Evaluation::evaluated(
            format!(
                "{} answers exactly like a random path (catch-all)",
                rule.path
            ),
            vec![Finding::new(
                &first.code,
                format!(
                    "GET {} answered {} with the same body as a random, non-existent path: the site answers every path, so this is not evidence of the document",
                    rule.path, resp.status
                ),
                Some(&probe),
            )],
            vec![probe.clone(), crate::model::probe::CATCH_ALL.to_string()],
        );
    }
    let json = ev.json(&probe);
    for m in &rule.matchers {
        if let Err(why) = check_matcher(m, resp, json.as_deref()) {
            return Evaluation::evaluated(
                format!("GET {}: {why}", rule.path),
                vec![Finding::new(
                    &m.code,
                    format!("GET {}: {why}", rule.path),
                    Some(&probe),
                )],
                vec![probe.clone()],
            );
        }
    }
    Evaluation::evaluated(
        format!("GET {} satisfies every matcher", rule.path),
        Vec::new(),
        vec![probe],
    )
}

/// Why a matcher does not hold (the text of its finding).
#[derive(Debug, thiserror::Error)]
enum Mismatch {
    /// A status not in the list.
    #[error("status {status} is not one of {allowed:?}")]
    Status { status: u16, allowed: Vec<u16> },
    /// A JSON matcher on a body that is not JSON.
    #[error("the body is not JSON")]
    NotJson,
    /// A schema that does not compile (validated at load time).
    #[error("invalid schema: {0}")]
    InvalidSchema(String),
    /// The body fails the schema: the first violations.
    #[error("the JSON body does not match the schema: {}", .0.join("; "))]
    Schema(Vec<String>),
    /// A subject that must be absent.
    #[error("{0} is present")]
    Present(String),
    /// A subject that must be present.
    #[error("{0} is missing")]
    Missing(String),
    /// A subject with another value (shortened).
    #[error("{what} is {got} instead of {want}")]
    NotEqual {
        what: String,
        got: String,
        want: Value,
    },
    /// A subject that does not contain the value.
    #[error("{what} does not contain {want}")]
    NotContained { what: String, want: Value },
    /// A regex that does not compile (validated at load time).
    #[error("invalid regex: {0}")]
    InvalidRegex(String),
    /// A regex matcher on a subject that is not a string.
    #[error("{0} is not a string")]
    NotString(String),
    /// A string the regex does not match.
    #[error("{what} does not match /{regex}/")]
    NoMatch { what: String, regex: String },
}

fn check_matcher(
    m: &Matcher,
    resp: &crate::model::exchange::ResponseRecord,
    json: Option<&Value>,
) -> Result<(), Mismatch> {
    if let Some(statuses) = &m.status {
        return if statuses.contains(&resp.status) {
            Ok(())
        } else {
            Err(Mismatch::Status {
                status: resp.status,
                allowed: statuses.clone(),
            })
        };
    }
    if let Some(schema) = &m.json_schema {
        let Some(doc) = json else {
            return Err(Mismatch::NotJson);
        };
        let v = jsonschema::validator_for(schema)
            .map_err(|e| Mismatch::InvalidSchema(e.to_string()))?;
        let errs: Vec<String> = v.iter_errors(doc).take(3).map(|e| e.to_string()).collect();
        return if errs.is_empty() {
            Ok(())
        } else {
            Err(Mismatch::Schema(errs))
        };
    }
    let (what, subject): (String, Option<Value>) = if let Some(h) = &m.header {
        (
            format!("header {h}"),
            resp.header(h).map(|v| Value::String(v.to_string())),
        )
    } else if let Some(p) = &m.json_pointer {
        let Some(doc) = json else {
            return Err(Mismatch::NotJson);
        };
        (format!("JSON pointer {p}"), doc.pointer(p).cloned())
    } else {
        ("body".into(), Some(Value::String(resp.text())))
    };
    let no_predicate = m.equals.is_none() && m.contains.is_none() && m.regex.is_none();
    match (m.exists, &subject) {
        (Some(false), None) => return Ok(()),
        (Some(false), Some(_)) => return Err(Mismatch::Present(what)),
        (_, None) => return Err(Mismatch::Missing(what)),
        (_, Some(_)) if no_predicate => return Ok(()),
        _ => {}
    }
    let subject = subject.unwrap_or(Value::Null);
    if let Some(want) = &m.equals
        && &subject != want
    {
        return Err(Mismatch::NotEqual {
            what,
            got: short(&subject),
            want: want.clone(),
        });
    }
    if let Some(want) = &m.contains {
        let ok = match (&subject, want) {
            (Value::Array(items), w) => items.contains(w),
            (Value::String(s), Value::String(w)) => s.contains(w.as_str()),
            _ => false,
        };
        if !ok {
            return Err(Mismatch::NotContained {
                what,
                want: want.clone(),
            });
        }
    }
    if let Some(r) = &m.regex {
        let re = Regex::new(r).map_err(|e| Mismatch::InvalidRegex(e.to_string()))?;
        let Value::String(s) = &subject else {
            return Err(Mismatch::NotString(what));
        };
        if !re.is_match(s) {
            return Err(Mismatch::NoMatch {
                what,
                regex: r.clone(),
            });
        }
    }
    Ok(())
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(80).collect::<String>())
    } else {
        s
    }
}
