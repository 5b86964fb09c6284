//! Classifying a server's scopes together: the sibling scopes a target
//! publishes beside a scope (its whole `scopes_supported`, the scopes of its
//! protected-resource metadata, challenges and API descriptions) say what a
//! name alone does not.
//!
//! The sibling rule: a scope whose name says what it is about but not
//! what it allows (`payroll.employees`, Google's `…/auth/drive`), published
//! beside the same words plus a read marker (`payroll.employees.read`,
//! `…/auth/drive.readonly`, `read:payroll.employees`), is the variant that is
//! not read-only: providers publish a read-only variant only beside a fuller
//! one, so the bare scope reads and writes (`write`). The rule only decides a
//! scope the name left `unknown`; a risk document, a description or a
//! whole-scope convention keeps deciding as before, and so does the name
//! when it names an action.
//!
//! The namespace rule: a read-only scope whose first words are shared as a
//! prefix by at least two other siblings reads those words as a namespace
//! (eBay's `…/commerce.*`, Coinbase's `wallet:*`; the words every sibling
//! starts with, such as eBay's `https://api.ebay.com/oauth/api_scope/`, are
//! a namespace too, unless they name people, identity or administration); when what follows the
//! namespace only reads the signed-in user's identity
//! (`commerce.identity.readonly`, `wallet:user:read`), the scope is
//! `identity`. A namespace names a product or an area: words with a role in
//! the vocabulary (`users`, `admin`) say whose data follows and are not one;
//! and what follows must name the identity, not only a personal attribute
//! (`employee.birthdate.read` may be anyone's). Likewise a write behind such
//! a namespace is administration when what follows is (WSO2's
//! `dp:org_manage`: the organisation, not `dp`, is what it changes), as
//! long as what follows still names a resource (`Files.ReadWrite.All`).
//!
//! A scope assumed to be read because its last word names records or a
//! reading (`store_v2_information`), or an identity claim because it names
//! one thing of the user (`user_hometown`), is a guess from a noun: beside
//! its read-only variant it is the variant that also writes, like a bare
//! scope.
//!
//! The rest is assumed, not stated: a scope that names a resource and no
//! action, with no read-only sibling, stays `unknown` for the checks (they
//! report it as unclassified; a published description can still decide
//! it), and carries the class an agent has to assume, `write`
//! ([`super::ASSUMED_CLASS`]), which the report shows flagged as assumed;
//! on an OpenID provider of claims (`openid`, three identity claims or
//! more besides `openid` and `offline_access`, no scope that states a
//! read, write, deletion or administration)
//! the assumed class is `identity`: one more claim;
//! a name that only suggests a class (records, one thing of the user) is
//! assumed that class instead.
//! Measured on the labelled sets (tests/scope_labels.rs prints both
//! figures): such scopes are documented as write more often than as any
//! other class (Xero, eBay, Reddit, Bitbucket, PayPal, Fitbit), so showing
//! the assumption is right more often than showing `unknown`, and it is
//! the safe assumption for an agent choosing what to request.

use super::{
    ASSUMED_CLASS, Classification, Hints, ScopeClass, Source, Vocabulary, classify_with,
    tokenize,
};
use std::collections::BTreeMap;

/// A word that, added to a resource, makes a read-only variant of it
/// (`read`, `readonly`, `view`, `ro`; `only` of `read_only`).
fn read_marker(v: &Vocabulary, word: &str) -> bool {
    word == "only"
        || v
            .actions
            .get(word)
            .is_some_and(|a| a.class == ScopeClass::Read)
}

/// A word that says whose data follows (people, their identity,
/// administration): never a namespace.
fn whose(v: &Vocabulary, word: &str) -> bool {
    v.identity_nouns.contains(word)
        || v.managed_nouns.contains(word)
        || v.admin_nouns.contains(word)
        || v.admin.contains(word)
}

/// How many other scopes start with the first `k` words of scope `i` and
/// say more after them: the siblings that share it as a namespace.
fn sharing(words: &[Vec<String>], i: usize, k: usize) -> usize {
    let Some(prefix) = words[i].get(..k) else {
        return 0;
    };
    words
        .iter()
        .enumerate()
        .filter(|(j, o)| *j != i && o.len() > k && o.starts_with(prefix))
        .count()
}

/// The key scopes are compared by: their words without read markers,
/// in order.
fn key(words: &[String]) -> String {
    words.join(" ")
}

/// Classify every scope of one target together: each as [`classify_with`]
/// would, then the sibling and namespace rules of this module. The result is in the order of `scopes`; a scope listed twice
/// is classified twice, alike.
pub fn classify_all_with(v: &Vocabulary, scopes: &[(&str, Hints<'_>)]) -> Vec<Classification> {
    let mut out: Vec<Classification> = scopes
        .iter()
        .map(|(s, h)| classify_with(v, s, *h))
        .collect();
    // Read-only variants by the words they add a read marker to:
    // `payroll employees` → `payroll.employees.read`.
    let mut read_variants: BTreeMap<String, &str> = BTreeMap::new();
    for ((scope, _), c) in scopes.iter().zip(&out) {
        if !matches!(c.class, ScopeClass::Read | ScopeClass::Identity) {
            continue;
        }
        let words = tokenize(scope);
        let rest: Vec<String> = words
            .iter()
            .filter(|w| !read_marker(v, w))
            .cloned()
            .collect();
        if rest.len() < words.len() && !rest.is_empty() {
            read_variants.entry(key(&rest)).or_insert(scope);
        }
    }
    let words: Vec<Vec<String>> = scopes.iter().map(|(s, _)| tokenize(s)).collect();
    // Words every sibling starts with (`https://api.ebay.com/oauth/api_scope`
    // → `oauth api scope`) are the provider's namespace whatever they say.
    let base = match words.split_first() {
        Some((first, rest)) if !rest.is_empty() => (0..first.len())
            .take_while(|&n| {
                let word = &first[n];
                rest.iter().all(|o| o.get(n) == Some(word)) && !whose(v, word)
            })
            .count(),
        _ => 0,
    };
    for (i, c) in out.iter_mut().enumerate() {
        if c.class != ScopeClass::Read || c.source != Source::Name {
            continue;
        }
        let w = &words[i];
        for k in base.max(1)..w.len().saturating_sub(1) {
            let prefix = &w[..k];
            let shared = sharing(&words, i, k);
            // A namespace names a product or an area (`commerce`,
            // `wallet`), not whose data follows (`users`, `admin`): its
            // words have no role in the vocabulary.
            if shared < 2 || prefix[base..].iter().any(|p| v.known.contains(p)) {
                break;
            }
            // What follows names the identity itself, not only a personal
            // attribute that may be someone else's (`employee.birthdate`).
            let names_identity = w[k..]
                .iter()
                .any(|t| v.identity_nouns.contains(t) && !v.attributes.contains(t));
            if !names_identity {
                continue;
            }
            let rest = w[k..].join(".");
            let inner = classify_with(v, &rest, Hints::default());
            if inner.class == ScopeClass::Identity {
                c.class = ScopeClass::Identity;
                c.reason = format!(
                    "`{}` is a namespace {shared} sibling scopes share; after it, {}",
                    prefix.join("."),
                    inner.reason
                );
                break;
            }
        }
    }
    // A write behind a namespace on what is administration after it
    // (WSO2's `dp:org_manage`: the organisation itself, once `dp`, which
    // its siblings share, is not taken for the resource written).
    for (i, c) in out.iter_mut().enumerate() {
        if c.class != ScopeClass::Write || c.source != Source::Name {
            continue;
        }
        let w = &words[i];
        let k = base.max(1);
        // Every word of the namespace is one with no role: a known
        // resource every sibling starts with (`files:org:write` beside
        // `files:read`) is what is written, not a namespace.
        if w.len() <= k + 1 || w[..k].iter().any(|p| v.known.contains(p) || whose(v, p)) {
            continue;
        }
        let prefix = &w[..k];
        let shared = sharing(&words, i, k);
        // A namespace holds several resources (`dp:org_*`, `dp:api_*`);
        // a word followed only by actions is the resource itself
        // (`files:read`, `files:write`).
        let held: std::collections::BTreeSet<&str> = words
            .iter()
            .filter(|o| o.len() > k && o.starts_with(prefix))
            .map(|o| o[k].as_str())
            .filter(|next| !v.actions.contains_key(*next))
            .collect();
        if shared < 2 || held.len() < 2 {
            continue;
        }
        let inner = classify_with(v, &w[k..].join("."), Hints::default());
        // The rest must still name what is written: `Files` of
        // `Files.ReadWrite.All` is the resource, not a namespace.
        if inner.class == ScopeClass::Admin && !inner.resource.is_empty() && !inner.god_mode {
            c.class = ScopeClass::Admin;
            c.reason = format!(
                "`{}` is a namespace {shared} sibling scopes share; after it, {}",
                prefix.join("."),
                inner.reason
            );
        }
    }
    // An OpenID provider whose scopes release identity claims and nothing
    // else: a scope there that names no action is assumed to be one more
    // claim (`social_security_number`, `custom_data`,
    // `gp_registration_details`), not a write.
    let openid = scopes.iter().any(|(s, _)| s.eq_ignore_ascii_case("openid"));
    let stated = |class: ScopeClass| out.iter().filter(|c| c.class == class).count();
    let api = [
        ScopeClass::Read,
        ScopeClass::Write,
        ScopeClass::Destructive,
        ScopeClass::Admin,
    ]
    .into_iter()
    .map(stated)
    .sum::<usize>();
    // Claims, not the protocol's own scopes: `openid` and `offline_access`
    // are on every OpenID provider, whatever else it serves.
    let claims = out
        .iter()
        .filter(|c| {
            c.class == ScopeClass::Identity
                && !["openid", "offline_access"]
                    .iter()
                    .any(|p| c.scope.eq_ignore_ascii_case(p))
        })
        .count();
    let claims_provider = openid && api == 0 && claims >= 3;
    // Only the plain assumption changes there; a guess from a noun stays.
    let plain = |c: &Classification| c.assumed == Some(ASSUMED_CLASS);
    for c in &mut out {
        // Only what the name alone left open, with the class assumed for
        // it (`classify_with`), is decided here.
        if c.assumed.is_none() {
            continue;
        }
        if claims_provider && plain(c) {
            // Assumed, not stated: the checks still judge it as
            // unclassified, so a server cannot hide a vague API scope
            // among its claims.
            c.assumed = Some(ScopeClass::Identity);
            continue;
        }
        let words = tokenize(&c.scope);
        if words.is_empty() {
            continue;
        }
        if let Some(sibling) = read_variants.get(&key(&words)) {
            c.class = ScopeClass::Write;
            c.assumed = None;
            c.reason = format!(
                "names no action, and the sibling scope `{sibling}` is its read-only variant: \
                 the bare scope is the variant that also writes"
            );
        }
    }
    out
}

/// [`classify_all_with`] with the embedded vocabulary.
#[cfg(any(test, feature = "testing"))]
pub fn classify_all(
    scopes: &[(&str, Hints<'_>)],
) -> Result<Vec<Classification>, super::ScopeError> {
    Ok(classify_all_with(super::vocabulary()?, scopes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::scopes::NO_ACTION_REASON;

    fn classes(scopes: &[&str]) -> Vec<(String, ScopeClass)> {
        let input: Vec<(&str, Hints<'_>)> = scopes.iter().map(|s| (*s, Hints::default())).collect();
        classify_all(&input)
            .expect("vocabulary loads")
            .into_iter()
            .map(|c| (c.scope, c.class))
            .collect()
    }

    fn class_of(scopes: &[&str], scope: &str) -> ScopeClass {
        classes(scopes)
            .into_iter()
            .find(|(s, _)| s == scope)
            .map(|(_, c)| c)
            .expect("classified")
    }

    #[test]
    fn a_bare_scope_beside_its_read_only_variant_is_the_write_variant() {
        for (bare, read) in [
            ("payroll.employees", "payroll.employees.read"),
            ("files", "files:read"),
            ("projects", "read:projects"),
            ("https://example.com/auth/drive", "https://example.com/auth/drive.readonly"),
            ("wiki", "wiki_read_only"),
        ] {
            let all = classify_all(&[(bare, Hints::default()), (read, Hints::default())])
                .expect("vocabulary loads");
            assert_eq!(all[0].class, ScopeClass::Write, "{bare}");
            assert!(all[0].reason.contains(read), "{}", all[0].reason);
            assert_eq!(all[1].class, ScopeClass::Read, "{read}");
        }
    }

    #[test]
    fn a_bare_scope_without_a_read_sibling_is_unknown_and_assumed_write() {
        let all = classify_all(&[("ledgers", Hints::default()), ("files:read", Hints::default())])
            .expect("vocabulary loads");
        assert_eq!(all[0].class, ScopeClass::Unknown);
        assert_eq!(all[0].reason, NO_ACTION_REASON);
        assert_eq!(all[0].assumed, Some(ScopeClass::Write));
        assert_eq!(all[0].effective(), ScopeClass::Write);
        // A stated class is never an assumption.
        assert_eq!(all[1].assumed, None);
        assert_eq!(all[1].effective(), ScopeClass::Read);
        // The sibling rule states the class: no longer an assumption.
        let all = classify_all(&[("ledgers", Hints::default()), ("ledgers:read", Hints::default())])
            .expect("vocabulary loads");
        assert_eq!((all[0].class, all[0].assumed), (ScopeClass::Write, None));
        // A description decides: no assumption either.
        let hints = Hints {
            description: Some("View your ledgers"),
            risk: None,
        };
        let all = classify_all(&[("ledgers", hints)]).expect("vocabulary loads");
        assert_eq!((all[0].class, all[0].assumed), (ScopeClass::Read, None));
    }

    #[test]
    fn a_namespace_is_not_the_resource_a_write_changes() {
        let scopes = ["dp:org_update", "dp:api_read", "dp:api_update", "dp:app_manage"];
        let all = classify_all(&scopes.map(|s| (s, Hints::default()))).expect("vocabulary loads");
        assert_eq!(all[0].class, ScopeClass::Admin, "{}", all[0].reason);
        assert!(all[0].reason.contains("`dp` is a namespace"), "{}", all[0].reason);
        assert_eq!(all[2].class, ScopeClass::Write, "{}", all[2].reason);
        assert_eq!(all[3].class, ScopeClass::Write, "{}", all[3].reason);
        // Where the shared word is what is written, it stays the resource.
        let graph = ["Files.ReadWrite.All", "Files.Read", "Files.Read.All"];
        let all = classify_all(&graph.map(|s| (s, Hints::default()))).expect("vocabulary loads");
        assert_eq!(all[0].class, ScopeClass::Write, "{}", all[0].reason);
        // A known resource every sibling starts with is not a namespace.
        let files = ["files:org:write", "files:read", "files:write"];
        let all = classify_all(&files.map(|s| (s, Hints::default()))).expect("vocabulary loads");
        assert!(!all[0].reason.contains("`files` is a namespace"), "{}", all[0].reason);
    }

    #[test]
    fn a_records_noun_yields_to_a_read_only_sibling() {
        // `…_info` alone is looked at; beside its read-only variant it is
        // the variant that also writes.
        let all = classify_all(&[
            ("store_information", Hints::default()),
            ("store_information_read_only", Hints::default()),
            ("gateway_info", Hints::default()),
        ])
        .expect("vocabulary loads");
        assert_eq!(all[0].class, ScopeClass::Write, "{}", all[0].reason);
        assert_eq!(all[0].assumed, None);
        assert!(all[0].reason.contains("store_information_read_only"));
        assert_eq!(all[2].class, ScopeClass::Unknown, "{}", all[2].reason);
        assert_eq!(all[2].assumed, Some(ScopeClass::Read));
        // A claims provider does not turn a guess from a noun into a claim.
        let idp = ["openid", "profile", "email", "phone", "gateway_info"];
        let all = classify_all(&idp.map(|s| (s, Hints::default()))).expect("vocabulary loads");
        assert_eq!(all[4].assumed, Some(ScopeClass::Read));
    }

    #[test]
    fn on_an_openid_provider_of_claims_a_scope_without_an_action_is_a_claim() {
        let idp = [
            "openid",
            "profile",
            "email",
            "phone",
            "social_security_number",
            "x509:subject",
        ];
        let all = classify_all(&idp.map(|s| (s, Hints::default()))).expect("vocabulary loads");
        for c in &all[4..] {
            // Assumed, so the checks still count it as unclassified.
            assert_eq!(c.class, ScopeClass::Unknown, "{}", c.scope);
            assert_eq!(c.effective(), ScopeClass::Identity, "{}", c.scope);
        }
        // Beside an API scope, or without `openid`, it is assumed write.
        let api = ["openid", "profile", "email", "phone", "ledgers", "files:read"];
        let all = classify_all(&api.map(|s| (s, Hints::default()))).expect("vocabulary loads");
        assert_eq!(all[4].effective(), ScopeClass::Write);
        let no_openid = ["profile", "email", "phone", "ledgers"];
        let all =
            classify_all(&no_openid.map(|s| (s, Hints::default()))).expect("vocabulary loads");
        assert_eq!(all[3].effective(), ScopeClass::Write);
        // `openid` and `offline_access` are the protocol's, not claims: one
        // identity-looking scope beside them does not make a claims provider.
        let protocol = ["openid", "offline_access", "id:api", "reconsent", "refresh"];
        let all =
            classify_all(&protocol.map(|s| (s, Hints::default()))).expect("vocabulary loads");
        assert_eq!(all[3].effective(), ScopeClass::Write);
        assert_eq!(all[4].effective(), ScopeClass::Write);
    }

    #[test]
    fn a_description_still_decides_before_the_siblings() {
        let hints = Hints {
            description: Some("View your ledgers"),
            risk: None,
        };
        let all = classify_all(&[("ledgers", hints), ("ledgers.read", Hints::default())])
            .expect("vocabulary loads");
        assert_eq!(all[0].class, ScopeClass::Read);
        assert_eq!(all[0].source, Source::Description);
    }

    #[test]
    fn an_action_in_the_name_is_not_overridden() {
        assert_eq!(
            class_of(&["files:write", "files:read"], "files:write"),
            ScopeClass::Write
        );
        assert_eq!(
            class_of(&["delete:files", "files:read"], "delete:files"),
            ScopeClass::Destructive
        );
    }

    #[test]
    fn identity_behind_a_shared_namespace_is_identity() {
        let set = [
            "shop.identity.readonly",
            "shop.orders.readonly",
            "shop.catalog",
        ];
        assert_eq!(class_of(&set, "shop.identity.readonly"), ScopeClass::Identity);
        assert_eq!(class_of(&set, "shop.orders.readonly"), ScopeClass::Read);
        // Without siblings sharing the namespace, it is only a read.
        assert_eq!(
            class_of(&["shop.identity.readonly"], "shop.identity.readonly"),
            ScopeClass::Read
        );
        // A namespace that says whose data follows is not a namespace:
        // other people's profiles are read, not the caller's identity.
        let people = ["users.profile:read", "users:read", "users:write"];
        assert_eq!(class_of(&people, "users.profile:read"), ScopeClass::Read);
        // Nor is a personal attribute of someone else the caller's identity.
        let staff = ["staff.birthdate.read", "staff.name.read", "staff.read"];
        assert_eq!(class_of(&staff, "staff.birthdate.read"), ScopeClass::Read);
    }
}
