//! What an API operation does — read, write or destructive — from explicit
//! hints, then its HTTP method (RFC 9110 §9.2.1), then the words of its id
//! and summary, read with the scope vocabulary and the operation words of
//! `checks/openapi/openapi.toml`.

use super::scopes::{self, ScopeClass};
use crate::model::api::{Operation, OperationWords};

/// How an operation was classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationClass {
    /// Read, write, destructive or unknown.
    pub class: ScopeClass,
    /// `hint`, `method` or `name`.
    pub source: &'static str,
    /// Why.
    pub reason: String,
    /// A GET (or other safe method) whose name says it changes state.
    pub unsafe_get: bool,
    /// An operation that obtains credentials (sign-in, token): expected to
    /// be callable without them.
    pub credential: bool,
}

fn safe_method(m: &str) -> bool {
    matches!(m, "GET" | "HEAD" | "OPTIONS" | "TRACE" | "QUERY")
}

/// The words of an operation id and the first word of its summary.
fn name_words(op: &Operation) -> (Vec<String>, Option<String>) {
    let id = op
        .operation_id
        .as_deref()
        .map(scopes::tokenize)
        .unwrap_or_default();
    let first = op.summary.as_deref().and_then(|s| {
        s.split(|c: char| !c.is_alphanumeric())
            .find(|w| !w.is_empty())
            .map(str::to_lowercase)
    });
    (id, first)
}

/// The class a verb names. `inflected` also tries simple English
/// inflections (`deletes`, `removes`, `searches`): right for the first word
/// of a summary, which is a verb by position, wrong for the words of an
/// operation id, where `posts` or `updates` are usually resource nouns.
fn verb_class(
    v: &scopes::Vocabulary,
    words: &OperationWords,
    w: &str,
    inflected: bool,
) -> Option<ScopeClass> {
    let mut candidates = vec![w.to_string()];
    if inflected {
        for suffix in ["es", "s"] {
            if let Some(stem) = w.strip_suffix(suffix)
                && stem.len() >= 3
            {
                candidates.push(stem.to_string());
            }
        }
    }
    candidates.iter().find_map(|c| {
        if words.destructive.iter().any(|d| d == c) {
            Some(ScopeClass::Destructive)
        } else if words.read.iter().any(|r| r == c) {
            Some(ScopeClass::Read)
        } else {
            v.action(c)
        }
    })
}

/// Classify one operation: explicit hints, then the HTTP method (RFC 9110
/// §9.2.1), then the words of its id and summary.
pub fn classify_operation(
    v: &scopes::Vocabulary,
    words: &OperationWords,
    op: &Operation,
) -> OperationClass {
    let segments: Vec<String> = op
        .path
        .split('/')
        .filter(|s| !s.is_empty() && !s.starts_with('{'))
        .flat_map(scopes::tokenize)
        .collect();
    let (id_words, first) = name_words(op);
    let credential = segments
        .iter()
        .chain(id_words.iter())
        .any(|w| words.credential.iter().any(|c| c == w));
    let make = |class, source, reason: String, unsafe_get| OperationClass {
        class,
        source,
        reason,
        unsafe_get,
        credential,
    };
    let hint_src = op.hints.source.clone().unwrap_or_default();
    if op.hints.destructive == Some(true) {
        return make(
            ScopeClass::Destructive,
            "hint",
            format!("{hint_src} says destructiveHint"),
            false,
        );
    }
    if op.hints.read_only == Some(true) {
        return make(
            ScopeClass::Read,
            "hint",
            format!("{hint_src} says readOnlyHint"),
            false,
        );
    }
    let method_class = match op.method.as_str() {
        m if safe_method(m) => ScopeClass::Read,
        "POST" | "PUT" | "PATCH" => ScopeClass::Write,
        "DELETE" => ScopeClass::Destructive,
        _ => ScopeClass::Unknown,
    };
    let id_classes: Vec<(String, ScopeClass)> = id_words
        .iter()
        .filter_map(|w| verb_class(v, words, w, false).map(|c| (w.clone(), c)))
        .collect();
    let first_verb: Option<(String, ScopeClass)> = id_words
        .first()
        .and_then(|w| verb_class(v, words, w, false).map(|c| (w.clone(), c)))
        .or_else(|| {
            first
                .as_ref()
                .and_then(|w| verb_class(v, words, w, true).map(|c| (w.clone(), c)))
        });
    // Words of the whole summary that change data (exact forms only), so
    // "Get or create a session" is not read as a read.
    let summary_changes = op.summary.as_deref().is_some_and(|s| {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .any(|w| {
                verb_class(v, words, &w.to_lowercase(), false).is_some_and(|c| c.changes_data())
            })
    });
    let named = |w: &str| {
        if op.operation_id.is_some() && id_words.iter().any(|x| x == w) {
            format!(
                "operationId `{}` says \"{w}\"",
                op.operation_id.as_deref().unwrap_or_default()
            )
        } else {
            format!("the summary says \"{w}\"")
        }
    };
    // A destructive word anywhere in the id, or first in the summary.
    let destructive_word = id_classes
        .iter()
        .find(|(_, c)| *c == ScopeClass::Destructive)
        .map(|(w, _)| w.clone())
        .or_else(|| {
            first
                .as_ref()
                .filter(|w| verb_class(v, words, w, true) == Some(ScopeClass::Destructive))
                .cloned()
        });
    if let Some(w) = destructive_word
        && method_class != ScopeClass::Destructive
    {
        let unsafe_get = safe_method(&op.method);
        return make(
            ScopeClass::Destructive,
            "name",
            format!(
                "{} ({} alone would be {})",
                named(&w),
                op.method,
                method_class.as_str()
            ),
            unsafe_get,
        );
    }
    match method_class {
        ScopeClass::Read => {
            if let Some((w, c)) = &first_verb
                && c.changes_data()
            {
                return make(
                    *c,
                    "name",
                    format!("{} although the method is {}", named(w), op.method),
                    true,
                );
            }
            make(
                ScopeClass::Read,
                "method",
                format!("{} is a safe method (RFC 9110 §9.2.1)", op.method),
                false,
            )
        }
        ScopeClass::Write if op.method == "POST" => {
            let writes = id_classes.iter().any(|(_, c)| c.changes_data()) || summary_changes;
            if let Some((w, ScopeClass::Read)) = &first_verb
                && !writes
            {
                return make(
                    ScopeClass::Read,
                    "name",
                    format!("{} (a POST that only reads)", named(w)),
                    false,
                );
            }
            make(
                ScopeClass::Write,
                "method",
                "POST changes state unless its name says otherwise".into(),
                false,
            )
        }
        ScopeClass::Write => make(
            ScopeClass::Write,
            "method",
            format!("{} changes state", op.method),
            false,
        ),
        ScopeClass::Destructive => make(
            ScopeClass::Destructive,
            "method",
            "DELETE removes the resource".into(),
            false,
        ),
        _ => make(
            ScopeClass::Unknown,
            "method",
            format!("{} is not a method whose effect is known", op.method),
            false,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::description as apidesc;

    #[test]
    fn operation_classes_directly() {
        let v = scopes::vocabulary().unwrap();
        let w = &apidesc::data().unwrap().operations;
        let op = |method: &str, path: &str, id: Option<&str>, summary: Option<&str>| Operation {
            method: method.into(),
            path: path.into(),
            operation_id: id.map(str::to_string),
            summary: summary.map(str::to_string),
            deprecated: false,
            hints: Default::default(),
            security: None,
        };
        let c = |o: &Operation| classify_operation(v, w, o).class;
        assert_eq!(c(&op("GET", "/a", None, None)), ScopeClass::Read);
        assert_eq!(c(&op("HEAD", "/a", None, None)), ScopeClass::Read);
        assert_eq!(c(&op("PUT", "/a", None, None)), ScopeClass::Write);
        assert_eq!(c(&op("DELETE", "/a", None, None)), ScopeClass::Destructive);
        assert_eq!(
            c(&op("POST", "/x", Some("repos/remove-collaborator"), None)),
            ScopeClass::Destructive
        );
        assert_eq!(
            c(&op("POST", "/x", None, Some("Deletes a pet"))),
            ScopeClass::Destructive
        );
        assert_eq!(
            c(&op("POST", "/x", Some("listDeletedItems"), None)),
            ScopeClass::Read
        );
        assert_eq!(
            c(&op("POST", "/x", Some("getOrCreateWidget"), None)),
            ScopeClass::Write
        );
        assert_eq!(c(&op("COPY", "/x", None, None)), ScopeClass::Unknown);
        // Resource-first ids: `posts` and `updates` are nouns there.
        let posts = classify_operation(v, w, &op("GET", "/posts", Some("postsList"), None));
        assert_eq!(posts.class, ScopeClass::Read);
        assert!(!posts.unsafe_get);
        assert!(!classify_operation(v, w, &op("GET", "/u", Some("updatesGet"), None)).unsafe_get);
        // A summary that also names a change keeps a POST a write.
        assert_eq!(
            c(&op("POST", "/s", None, Some("Get or create a session"))),
            ScopeClass::Write
        );
        assert_eq!(
            c(&op("POST", "/s", None, Some("Searches widgets"))),
            ScopeClass::Read
        );
        let login = classify_operation(v, w, &op("POST", "/user/login", Some("loginUser"), None));
        assert!(login.credential);
        let get_delete = classify_operation(v, w, &op("GET", "/x", Some("deleteThing"), None));
        assert!(get_delete.unsafe_get);
        assert_eq!(get_delete.class, ScopeClass::Destructive);
    }
}
