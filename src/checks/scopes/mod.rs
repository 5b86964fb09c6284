//! Scopes: are they published, classified by risk, least-privilege and progressive?

use crate::classify::ScopeError;
use crate::classify::scopes::{Classification, ScopeClass};
use crate::evidence::Evidence;
use crate::evidence::views::scopes::{ScopeAnalysis, analysis};
use crate::model::outcome::Evaluation;

pub mod action_classification;
pub mod least_privilege;
pub mod progressive_scoping;
pub mod scope_classification;
pub mod scopes_published;

/// The skip of a scope check when no scope is published anywhere.
pub(crate) fn no_scopes() -> Evaluation {
    Evaluation::skip(
        "no scopes are published: no scopes_supported, challenge scope or agent_auth scopes (see scopes-published)",
    )
}

/// The error of a scope check when the vocabulary cannot be loaded.
pub(crate) fn vocabulary_error(e: &ScopeError, probes: Vec<String>) -> Evaluation {
    Evaluation::error(
        format!("the scope vocabulary cannot be loaded: {e}"),
        probes,
    )
}

/// Up to `max` scopes, quoted, then how many more.
pub(crate) fn list(scopes: &[&str], max: usize) -> String {
    let shown: Vec<String> = scopes.iter().take(max).map(|s| format!("`{s}`")).collect();
    if scopes.len() > max {
        format!("{} and {} more", shown.join(", "), scopes.len() - max)
    } else {
        shown.join(", ")
    }
}

/// The scopes that grant API access (everything but identity scopes).
pub(crate) fn names<'a>(v: &[&'a Classification]) -> Vec<&'a str> {
    v.iter().map(|c| c.scope.as_str()).collect()
}

/// The analysis of a store with published scopes and a loadable
/// vocabulary; or the evaluation that ends a judging check early (no
/// scopes published, or the vocabulary cannot be loaded).
pub(crate) fn classified(ev: &Evidence) -> Result<std::sync::Arc<ScopeAnalysis>, Box<Evaluation>> {
    let a = analysis(ev);
    if a.view.published.is_empty() {
        return Err(Box::new(no_scopes()));
    }
    match &a.classes {
        Ok(_) => Ok(a),
        Err(e) => Err(Box::new(vocabulary_error(e, a.probes.clone()))),
    }
}

/// [`classified`], and skipped with `only_identity` when every scope is an
/// OpenID identity scope (nothing for least-privilege or step-up to judge).
pub(crate) fn with_api_scopes(
    ev: &Evidence,
    only_identity: &str,
) -> Result<std::sync::Arc<ScopeAnalysis>, Box<Evaluation>> {
    let a = classified(ev)?;
    if api_scopes(a.classified()).is_empty() {
        return Err(Box::new(Evaluation::skip(only_identity)));
    }
    Ok(a)
}

/// The classifications of scopes an agent could request of the API
/// (identity scopes such as `openid` left out).
pub(crate) fn api_scopes(classes: &[Classification]) -> Vec<&Classification> {
    classes
        .iter()
        .filter(|c| c.class != ScopeClass::Identity)
        .collect()
}
