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

impl Rule {
    /// Checks the schema cannot express: codes declared, regexes and
    /// schemas compile, predicates fit the subject.
    pub fn validate(&self, meta: &CheckMeta) -> Result<(), String> {
        if self.path.starts_with("//") || self.path.contains("://") {
            return Err(format!(
                "rule.path `{}` must be a path on the target origin",
                self.path
            ));
        }
        for (i, m) in self.matchers.iter().enumerate() {
            let at = format!("rule.match[{i}]");
            if meta.finding_level(&m.code).is_none() {
                return Err(format!(
                    "{at}: code `{}` is not declared in [[findings]]",
                    m.code
                ));
            }
            if let Some(r) = &m.regex {
                Regex::new(r).map_err(|e| format!("{at}: invalid regex: {e}"))?;
            }
            if let Some(s) = &m.json_schema {
                jsonschema::validator_for(s)
                    .map_err(|e| format!("{at}: invalid JSON Schema: {e}"))?;
            }
            if m.body.is_some() && m.regex.is_none() && m.contains.is_none() {
                return Err(format!("{at}: a body matcher needs `regex` or `contains`"));
            }
            if (m.status.is_some() || m.json_schema.is_some())
                && (m.exists.is_some()
                    || m.equals.is_some()
                    || m.contains.is_some()
                    || m.regex.is_some())
            {
                return Err(format!(
                    "{at}: status and json_schema matchers take no predicate"
                ));
            }
            if let Some(p) = &m.json_pointer
                && !p.is_empty()
                && !p.starts_with('/')
            {
                return Err(format!("{at}: json_pointer must be empty or start with /"));
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

fn check_matcher(
    m: &Matcher,
    resp: &crate::model::exchange::ResponseRecord,
    json: Option<&Value>,
) -> Result<(), String> {
    if let Some(statuses) = &m.status {
        return if statuses.contains(&resp.status) {
            Ok(())
        } else {
            Err(format!("status {} is not one of {statuses:?}", resp.status))
        };
    }
    if let Some(schema) = &m.json_schema {
        let Some(doc) = json else {
            return Err("the body is not JSON".into());
        };
        let v = jsonschema::validator_for(schema).map_err(|e| format!("invalid schema: {e}"))?;
        let errs: Vec<String> = v.iter_errors(doc).take(3).map(|e| e.to_string()).collect();
        return if errs.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "the JSON body does not match the schema: {}",
                errs.join("; ")
            ))
        };
    }
    let (what, subject): (String, Option<Value>) = if let Some(h) = &m.header {
        (
            format!("header {h}"),
            resp.header(h).map(|v| Value::String(v.to_string())),
        )
    } else if let Some(p) = &m.json_pointer {
        let Some(doc) = json else {
            return Err("the body is not JSON".into());
        };
        (format!("JSON pointer {p}"), doc.pointer(p).cloned())
    } else {
        ("body".into(), Some(Value::String(resp.text())))
    };
    let no_predicate = m.equals.is_none() && m.contains.is_none() && m.regex.is_none();
    match (m.exists, &subject) {
        (Some(false), None) => return Ok(()),
        (Some(false), Some(_)) => return Err(format!("{what} is present")),
        (_, None) => return Err(format!("{what} is missing")),
        (_, Some(_)) if no_predicate => return Ok(()),
        _ => {}
    }
    let subject = subject.unwrap_or(Value::Null);
    if let Some(want) = &m.equals
        && &subject != want
    {
        return Err(format!("{what} is {} instead of {want}", short(&subject)));
    }
    if let Some(want) = &m.contains {
        let ok = match (&subject, want) {
            (Value::Array(items), w) => items.contains(w),
            (Value::String(s), Value::String(w)) => s.contains(w.as_str()),
            _ => false,
        };
        if !ok {
            return Err(format!("{what} does not contain {want}"));
        }
    }
    if let Some(r) = &m.regex {
        let re = Regex::new(r).map_err(|e| format!("invalid regex: {e}"))?;
        let Value::String(s) = &subject else {
            return Err(format!("{what} is not a string"));
        };
        if !re.is_match(s) {
            return Err(format!("{what} does not match /{r}/"));
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
