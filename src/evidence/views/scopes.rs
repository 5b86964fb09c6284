//! Scopes (RFC 6749 §3.3): which are published and where —
//! `scopes_supported` of the metadata a client would use (RFC 8414 §2, RFC
//! 9728 §2), the `scope` of Bearer challenges (RFC 6750 §3), `agent_auth`
//! pre- and post-claim scopes, the target's own scope descriptions and risk
//! documents, and the scopes of API descriptions' OAuth flows — and what
//! each lets an agent do (the classifier of [`crate::classify::scopes`]).

use super::api::api_view;
use super::descriptions::{DescState, found};
use super::metadata::as_view;
use super::prm::prm_view;
use crate::classify::ScopeError;
use crate::classify::scopes::{self, Classification, Hints, RiskEntry};
use crate::evidence::Evidence;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Scopes looked at per scan, at most (a hostile document may list more).
pub const MAX_SCOPES: usize = 500;

/// Scope strings longer than this are not read (a scope is a short token).
const MAX_SCOPE_CHARS: usize = 1024;

/// Metadata member of per-scope descriptions (draft-hardt AAuth resource
/// metadata: scope name → human-readable description).
pub const SCOPE_DESCRIPTIONS: &str = "scope_descriptions";
/// Metadata member of the per-scope risk document agentready reads: scope
/// name → `{class, risk, description, readOnlyHint, destructiveHint,
/// requires}` (see README, "Scope risk documents").
pub const SCOPE_DETAILS: &str = "scope_details";

/// Where a scope was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    /// `scopes_supported` of authorization-server metadata.
    AsMetadata,
    /// `scopes_supported` of protected-resource metadata.
    ProtectedResource,
    /// The `scope` of a Bearer challenge.
    Challenge,
    /// `agent_auth` pre-claim scopes.
    PreClaim,
    /// `agent_auth` post-claim scopes.
    PostClaim,
    /// A key of the risk document.
    RiskDocument,
}

impl Origin {
    /// Name used in `data`.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::AsMetadata => "as-metadata",
            Origin::ProtectedResource => "protected-resource-metadata",
            Origin::Challenge => "challenge",
            Origin::PreClaim => "pre-claim",
            Origin::PostClaim => "post-claim",
            Origin::RiskDocument => "risk-document",
        }
    }
}

/// One sighting of a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// What kind of place.
    pub origin: Origin,
    /// The probe whose exchange shows it.
    pub probe: String,
    /// The URL of that exchange.
    pub url: String,
}

/// A scope and every place it was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// The scope string, as published.
    pub scope: String,
    /// Where.
    pub seen: Vec<Seen>,
}

/// What a document's `scopes_supported` holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeList {
    /// No such member.
    Absent,
    /// Present but not an array.
    NotArray,
    /// An array: the valid scope tokens and the values that are not.
    Values {
        /// RFC 6749 §3.3 scope-tokens.
        valid: Vec<String>,
        /// Values that are not (described: a non-string, or the string).
        invalid: Vec<String>,
    },
}

/// One metadata document and its scopes.
#[derive(Debug, Clone)]
pub struct ListedDoc {
    /// Probe id.
    pub probe: String,
    /// URL.
    pub url: String,
    /// Authorization-server (with whether it is OpenID discovery) or PRM.
    pub kind: DocKind,
    /// `scopes_supported`.
    pub list: ScopeList,
}

/// Which kind of metadata document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    /// RFC 8414 or OpenID discovery.
    As {
        /// Reached at an OpenID discovery URL.
        oidc: bool,
    },
    /// RFC 9728.
    Prm,
}

/// A Bearer challenge and what it says about scopes.
#[derive(Debug, Clone)]
pub struct ChallengeSeen {
    /// Probe id.
    pub probe: String,
    /// The endpoint.
    pub url: String,
    /// Response status.
    pub status: u16,
    /// The request carried a deliberately invalid token.
    pub invalid_token: bool,
    /// An MCP endpoint.
    pub mcp: bool,
    /// The `error` attribute.
    pub error: Option<String>,
    /// The `scope` attribute, split.
    pub scope: Option<Vec<String>>,
    /// `resource_metadata` present.
    pub resource_metadata: bool,
    /// `acr_values` or `max_age` present (RFC 9470).
    pub step_up_params: bool,
}

impl ChallengeSeen {
    /// The challenge an agent meets first: a 401 to a request without
    /// credentials (some servers add `error="invalid_token"` to it anyway),
    /// not a step-up challenge.
    pub fn is_first(&self) -> bool {
        !self.invalid_token
            && self.status == 401
            && !matches!(
                self.error.as_deref(),
                Some("insufficient_scope" | "insufficient_user_authentication")
            )
    }
}

/// `agent_auth` pre- and post-claim scopes of one document.
#[derive(Debug, Clone)]
pub struct ClaimScopes {
    /// Probe id.
    pub probe: String,
    /// URL.
    pub url: String,
    /// Pre-claim scopes.
    pub pre: Option<Vec<String>>,
    /// Post-claim scopes.
    pub post: Option<Vec<String>>,
}

/// Everything the scope checks read.
#[derive(Debug, Clone, Default)]
pub struct ScopeView {
    /// Metadata documents, authorization servers first.
    pub docs: Vec<ListedDoc>,
    /// Bearer challenges of API probes.
    pub challenges: Vec<ChallengeSeen>,
    /// `agent_auth` claim scopes.
    pub claims: Vec<ClaimScopes>,
    /// Scope → (description, probe).
    pub descriptions: BTreeMap<String, (String, String)>,
    /// Scope → (risk entry, probe).
    pub risk: BTreeMap<String, (RiskEntry, String)>,
    /// Problems with risk documents: (probe, message).
    pub risk_problems: Vec<(String, String)>,
    /// The union of every scope seen, in the order first seen.
    pub published: Vec<Published>,
    /// True when more than [`MAX_SCOPES`] were seen.
    pub truncated: bool,
}

impl ScopeView {
    /// Probe ids the view rests on, sorted.
    pub fn probes(&self) -> Vec<String> {
        let mut p: Vec<String> = self
            .docs
            .iter()
            .map(|d| d.probe.clone())
            .chain(self.challenges.iter().map(|c| c.probe.clone()))
            .collect();
        p.sort();
        p.dedup();
        p
    }

    fn add(&mut self, scope: &str, origin: Origin, probe: &str, url: &str) {
        if scope.len() > MAX_SCOPE_CHARS {
            self.truncated = true;
            return;
        }
        let seen = Seen {
            origin,
            probe: probe.to_string(),
            url: url.to_string(),
        };
        if let Some(p) = self.published.iter_mut().find(|p| p.scope == scope) {
            if !p.seen.contains(&seen) {
                p.seen.push(seen);
            }
            return;
        }
        if self.published.len() >= MAX_SCOPES {
            self.truncated = true;
            return;
        }
        self.published.push(Published {
            scope: scope.to_string(),
            seen: vec![seen],
        });
    }

    /// The scopes seen at an origin.
    pub fn scopes_from(&self, origin: Origin) -> Vec<&str> {
        self.published
            .iter()
            .filter(|p| p.seen.iter().any(|s| s.origin == origin))
            .map(|p| p.scope.as_str())
            .collect()
    }
}

/// RFC 6749 §3.3: `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`.
pub fn is_scope_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b))
}

fn short(s: &str) -> String {
    let t: String = s.chars().take(60).collect();
    if t.len() < s.len() {
        format!("{t}…")
    } else {
        t
    }
}

fn scope_list(doc: &Value) -> ScopeList {
    match doc.get("scopes_supported") {
        None => ScopeList::Absent,
        Some(Value::Array(a)) => {
            let mut valid = Vec::new();
            let mut invalid = Vec::new();
            for v in a.iter().take(MAX_SCOPES) {
                match v.as_str() {
                    Some(s) if is_scope_token(s) => valid.push(s.to_string()),
                    Some(s) => invalid.push(format!("\"{}\"", short(s))),
                    None => invalid.push(format!("{} (not a string)", short(&v.to_string()))),
                }
            }
            ScopeList::Values { valid, invalid }
        }
        Some(_) => ScopeList::NotArray,
    }
}

/// Strings of an array, or of a space-separated string.
fn string_list(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::Array(a) => Some(
            a.iter()
                .take(MAX_SCOPES)
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
        ),
        Value::String(s) => Some(s.split_whitespace().map(str::to_string).collect()),
        _ => None,
    }
}

/// auth.md's pre- and post-claim scopes where a document carries them:
/// `agent_auth.pre_claim_scopes` / `post_claim_scopes` (the registration
/// response's member names), `agent_auth.scopes.{pre_claim,post_claim}`
/// (the AuthKit response shape), or the same under `agent_auth.anonymous`.
fn claim_scopes(doc: &Value) -> (Option<Vec<String>>, Option<Vec<String>>) {
    let Some(aa) = doc.get("agent_auth").filter(|v| v.is_object()) else {
        return (None, None);
    };
    let find = |flat: &str, nested: &str| {
        aa.get(flat)
            .or_else(|| aa.get("scopes").and_then(|s| s.get(nested)))
            .or_else(|| aa.get("anonymous").and_then(|a| a.get(flat)))
            .and_then(string_list)
    };
    (
        find("pre_claim_scopes", "pre_claim"),
        find("post_claim_scopes", "post_claim"),
    )
}

/// Build the view every scope check reads.
pub fn scope_view(ev: &Evidence) -> ScopeView {
    let mut view = ScopeView::default();
    let mut seen_exchanges = BTreeSet::new();
    let mut documents: Vec<(String, String, DocKind, std::sync::Arc<Value>)> = Vec::new();
    for iv in as_view(ev).iter() {
        let Some((cand, _)) = iv.effective() else {
            continue;
        };
        if !seen_exchanges.insert(cand.exchange) {
            continue;
        }
        if let Some(doc) = ev.json_at(cand.exchange) {
            documents.push((
                cand.probe.to_string(),
                cand.url.to_string(),
                DocKind::As {
                    oidc: cand.form.is_oidc(),
                },
                doc,
            ));
        }
    }
    for c in prm_view(ev).iter() {
        if c.doc().is_none() || !seen_exchanges.insert(c.exchange) {
            continue;
        }
        if let Some(doc) = ev.json_at(c.exchange) {
            documents.push((c.probe.to_string(), c.url.to_string(), DocKind::Prm, doc));
        }
    }
    for (probe, url, kind, doc) in &documents {
        let list = scope_list(doc);
        let origin = match kind {
            DocKind::As { .. } => Origin::AsMetadata,
            DocKind::Prm => Origin::ProtectedResource,
        };
        if let Some(a) = doc.get("scopes_supported").and_then(Value::as_array) {
            if a.len() > MAX_SCOPES {
                view.truncated = true;
            }
            // A malformed value is still a scope an agent might be offered.
            for s in a.iter().take(MAX_SCOPES).filter_map(Value::as_str) {
                if !s.trim().is_empty() {
                    view.add(s, origin, probe, url);
                }
            }
        }
        view.docs.push(ListedDoc {
            probe: probe.clone(),
            url: url.clone(),
            kind: *kind,
            list,
        });
    }
    for a in api_view(ev).iter() {
        let Some(resp) = a.response(ev) else { continue };
        for b in a.challenges.iter().filter(|c| c.is("bearer")) {
            let scope: Option<Vec<String>> = b
                .param("scope")
                .map(|s| s.split_whitespace().map(str::to_string).collect());
            if let Some(list) = &scope {
                for s in list.iter().take(MAX_SCOPES) {
                    view.add(s, Origin::Challenge, &a.probe, &a.url);
                }
            }
            view.challenges.push(ChallengeSeen {
                probe: a.probe.to_string(),
                url: a.url.to_string(),
                status: resp.status,
                invalid_token: a.invalid_token,
                mcp: a.mcp,
                error: b.param("error").map(str::to_string),
                scope,
                resource_metadata: b.param("resource_metadata").is_some(),
                step_up_params: b.param("acr_values").is_some() || b.param("max_age").is_some(),
            });
        }
    }
    for (probe, url, kind, doc) in &documents {
        if matches!(kind, DocKind::As { .. }) {
            let (pre, post) = claim_scopes(doc);
            if pre.is_some() || post.is_some() {
                for (list, origin) in [(&pre, Origin::PreClaim), (&post, Origin::PostClaim)] {
                    for s in list.iter().flatten() {
                        view.add(s, origin, probe, url);
                    }
                }
                view.claims.push(ClaimScopes {
                    probe: probe.clone(),
                    url: url.clone(),
                    pre,
                    post,
                });
            }
        }
        if let Some(d) = doc.get(SCOPE_DESCRIPTIONS) {
            match d.as_object() {
                Some(map) => {
                    for (scope, v) in map.iter().take(MAX_SCOPES) {
                        match v {
                            Value::String(text) => {
                                view.descriptions
                                    .entry(scope.clone())
                                    .or_insert_with(|| (text.clone(), probe.clone()));
                            }
                            other => match RiskEntry::parse(other) {
                                Ok(e) => {
                                    view.risk.entry(scope.clone()).or_insert((e, probe.clone()));
                                }
                                Err(e) => view.risk_problems.push((
                                    probe.clone(),
                                    format!(
                                        "{url}: {SCOPE_DESCRIPTIONS}[\"{}\"] {e}",
                                        short(scope)
                                    ),
                                )),
                            },
                        }
                    }
                }
                None => view.risk_problems.push((
                    probe.clone(),
                    format!("{url}: {SCOPE_DESCRIPTIONS} is not an object"),
                )),
            }
        }
        if let Some(d) = doc.get(SCOPE_DETAILS) {
            match d.as_object() {
                Some(map) => {
                    for (scope, v) in map.iter().take(MAX_SCOPES) {
                        match RiskEntry::parse(v) {
                            Ok(e) => {
                                view.add(scope, Origin::RiskDocument, probe, url);
                                view.risk.entry(scope.clone()).or_insert((e, probe.clone()));
                            }
                            Err(e) => view.risk_problems.push((
                                probe.clone(),
                                format!("{url}: {SCOPE_DETAILS}[\"{}\"] {e}", short(scope)),
                            )),
                        }
                    }
                }
                None => view.risk_problems.push((
                    probe.clone(),
                    format!("{url}: {SCOPE_DETAILS} is not an object"),
                )),
            }
        }
    }
    // Scope descriptions of API descriptions' OAuth flows (the OpenAPI
    // `scopes` map: scope → description), after the metadata's own.
    for f in found(ev).iter() {
        let DescState::Found(d) = &f.state else {
            continue;
        };
        for (scope, text) in d.scope_descriptions().into_iter().take(MAX_SCOPES) {
            if !text.trim().is_empty() {
                view.descriptions
                    .entry(scope.to_string())
                    .or_insert_with(|| (text.to_string(), f.probe.to_string()));
            }
        }
    }
    view
}

/// Classify every published scope, with the descriptions and risk entries
/// the target publishes.
pub fn classify_view(view: &ScopeView) -> Result<Vec<Classification>, ScopeError> {
    let vocab = scopes::vocabulary()?;
    // Together: each published scope is read beside its siblings.
    let input: Vec<(&str, Hints<'_>)> = view
        .published
        .iter()
        .map(|p| {
            let hints = Hints {
                description: view.descriptions.get(&p.scope).map(|(d, _)| d.as_str()),
                risk: view.risk.get(&p.scope).map(|(r, _)| r),
            };
            (p.scope.as_str(), hints)
        })
        .collect();
    Ok(scopes::classify_all_with(vocab, &input))
}

/// The scope view and its classification: computed once per evidence
/// ([`Evidence::view`]) and read by the four scope checks and
/// `action-classification` (up to ~60 µs a check on a site that publishes
/// many scopes).
#[derive(Debug)]
pub struct ScopeAnalysis {
    /// Everything the scope checks read.
    pub view: ScopeView,
    /// Probe ids the view rests on ([`ScopeView::probes`]).
    pub probes: Vec<String>,
    /// [`classify_view`] of the view.
    pub classes: Result<Vec<Classification>, ScopeError>,
}

impl ScopeAnalysis {
    /// The classifications (none when the vocabulary could not be loaded).
    pub fn classified(&self) -> &[Classification] {
        self.classes.as_deref().unwrap_or_default()
    }
}

/// The memoised [`ScopeAnalysis`] of an evidence store.
pub fn analysis(ev: &Evidence) -> std::sync::Arc<ScopeAnalysis> {
    ev.view(|ev| {
        let view = scope_view(ev);
        ScopeAnalysis {
            probes: view.probes(),
            classes: classify_view(&view),
            view,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_tokens_follow_rfc_6749() {
        for ok in [
            "files:read",
            "https://www.googleapis.com/auth/drive",
            "*",
            "a!b#c[d]e~",
        ] {
            assert!(is_scope_token(ok), "{ok}");
        }
        for bad in ["", "a b", "a\"b", "a\\b", "é", "a\tb"] {
            assert!(!is_scope_token(bad), "{bad}");
        }
    }
}
