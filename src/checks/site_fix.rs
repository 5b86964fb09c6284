//! Remediations written for the scanned site: the URLs to serve and the
//! JSON to serve there, built from the target's URL and the values the
//! scan observed (the report's `remediation_for_site`). Pure functions
//! over the evidence, like the checks that call them.

use crate::evidence::Evidence;
use crate::evidence::views::metadata::as_view;
use crate::evidence::views::prm::prm_view;
use serde_json::{Value, json};

/// The target's origin (`https://api.example.com`) and its path without a
/// trailing slash (`/mcp`, or empty for the root).
fn origin_and_path(ev: &Evidence) -> (String, String) {
    let url = &ev.target().url;
    let origin = url.origin().ascii_serialization();
    let path = url.path().trim_end_matches('/').to_string();
    (origin, path)
}

/// Issuers whose metadata the scan found (in the order found).
fn found_issuers(ev: &Evidence) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for iv in as_view(ev).iter() {
        if iv.effective().is_some() && !out.contains(&iv.issuer) {
            out.push(iv.issuer.clone());
        }
    }
    out
}

/// Authorization servers the protected-resource metadata found lists.
fn listed_authorization_servers(ev: &Evidence) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in prm_view(ev).iter() {
        let Some(list) = c
            .doc()
            .and_then(|d| d.get("authorization_servers"))
            .and_then(Value::as_array)
        else {
            continue;
        };
        for s in list.iter().filter_map(Value::as_str) {
            if !out.iter().any(|o| o == s) {
                out.push(s.to_string());
            }
        }
    }
    out
}

/// RFC 9728 §3: the metadata URL of this resource and the document to
/// serve there, naming the authorization servers the scan found.
pub fn protected_resource_metadata(ev: &Evidence) -> String {
    let (origin, path) = origin_and_path(ev);
    let resource = format!("{origin}{path}");
    let mut servers = found_issuers(ev);
    if servers.is_empty() {
        servers.push("https://<your authorization server>".into());
    }
    let doc = json!({ "resource": resource, "authorization_servers": servers });
    format!(
        "Serve {origin}/.well-known/oauth-protected-resource{path} with Content-Type: application/json and {doc}"
    )
}

/// RFC 8414 §3: the metadata URL of the issuer (the one the
/// protected-resource metadata lists, else the target's origin) and a
/// minimal document, S256 PKCE included.
pub fn authorization_server_metadata(ev: &Evidence) -> String {
    let issuer = listed_authorization_servers(ev)
        .into_iter()
        .next()
        .unwrap_or_else(|| origin_and_path(ev).0);
    let (at, path) = match url::Url::parse(&issuer) {
        Ok(u) => (
            u.origin().ascii_serialization(),
            u.path().trim_end_matches('/').to_string(),
        ),
        Err(_) => (issuer.clone(), String::new()),
    };
    let doc = json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "code_challenge_methods_supported": ["S256"],
    });
    format!(
        "Serve {at}/.well-known/oauth-authorization-server{path} with Content-Type: application/json and at least {doc} (the endpoint URLs are examples: give yours)"
    )
}

/// RFC 8414 §3.3: the document found at `url` must declare the issuer its
/// URL was built from.
pub fn issuer_mismatch(url: &str, expected: &str, declared: Option<&str>) -> String {
    let was = declared.map_or_else(|| "absent".to_string(), |d| json!(d).to_string());
    format!(
        "In {url}, set {} (it is {was}), or serve the document at the well-known URL built from the issuer it declares",
        json!({ "issuer": expected })
    )
}

/// RFC 7636 §4.2 and RFC 8414 §2: the member to add to the metadata
/// document at `url`.
pub fn pkce_s256(url: &str) -> String {
    format!(
        "In {url}, add {} (and support S256 at the authorization and token endpoints)",
        json!({ "code_challenge_methods_supported": ["S256"] })
    )
}

/// The `scopes_supported` the scan found (authorization-server and
/// protected-resource metadata), at most `n`, in the order found.
fn found_scopes(ev: &Evidence, n: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let docs = as_view(ev)
        .iter()
        .filter_map(|iv| iv.effective().map(|(_, d)| d.clone()))
        .chain(prm_view(ev).iter().filter_map(|c| c.doc().map(|d| (*d).clone())))
        .collect::<Vec<Value>>();
    for d in &docs {
        for s in d
            .get("scopes_supported")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if out.len() < n && !out.iter().any(|o| o == s) {
                out.push(s.to_string());
            }
        }
    }
    out
}

/// RFC 6750 §3 and RFC 9728 §5.1: the challenge `api_url` should answer
/// a request without a token with, naming this resource's metadata URL
/// (path-inserted, RFC 9728 §3.1) and the scopes the scan found.
pub fn bearer_challenge(ev: &Evidence, api_url: &str) -> String {
    let (origin, path) = match url::Url::parse(api_url) {
        Ok(u) => (
            u.origin().ascii_serialization(),
            u.path().trim_end_matches('/').to_string(),
        ),
        Err(_) => origin_and_path(ev),
    };
    let scopes = found_scopes(ev, 3);
    let scope = if scopes.is_empty() {
        String::new()
    } else {
        format!(", scope=\"{}\"", scopes.join(" "))
    };
    format!(
        "Answer a request to {api_url} without a token with 401 and WWW-Authenticate: Bearer resource_metadata=\"{origin}/.well-known/oauth-protected-resource{path}\"{scope}; answer one with an invalid token with 401 and WWW-Authenticate: Bearer error=\"invalid_token\""
    )
}

/// An auth.md for this site: a first heading naming auth.md, links to the
/// discovery documents the scan found (or should have found) and to where
/// an agent registers.
pub fn auth_md(ev: &Evidence) -> String {
    let (origin, path) = origin_and_path(ev);
    let prm = format!("{origin}/.well-known/oauth-protected-resource{path}");
    let issuer = found_issuers(ev)
        .into_iter()
        .next()
        .or_else(|| listed_authorization_servers(ev).into_iter().next())
        .unwrap_or_else(|| origin.clone());
    let asm = match url::Url::parse(&issuer) {
        Ok(u) => format!(
            "{}/.well-known/oauth-authorization-server{}",
            u.origin().ascii_serialization(),
            u.path().trim_end_matches('/')
        ),
        Err(_) => format!("{origin}/.well-known/oauth-authorization-server"),
    };
    let register = as_view(ev)
        .iter()
        .filter_map(|iv| iv.effective().map(|(_, d)| d.clone()))
        .find_map(|d| {
            d.get("agent_auth")
                .and_then(|a| a.get("register_uri").or_else(|| a.get("identity_endpoint")))
                .or_else(|| d.get("registration_endpoint"))
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_else(|| format!("{origin}/agent/auth"));
    format!(
        "Serve {origin}/auth.md with Content-Type: text/markdown, for example:\n\n# auth.md\n\nAgents authenticate here without a browser. Discovery: {prm} (RFC 9728) and {asm} (RFC 8414). Register an agent at {register} (the `agent_auth` block of the metadata)."
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{evidence, site};

    #[test]
    fn fixes_name_the_scanned_urls() {
        let ev = evidence(site(vec![], None), "https://mcp.example.org/mcp");
        let prm = protected_resource_metadata(&ev);
        assert!(
            prm.contains("https://mcp.example.org/.well-known/oauth-protected-resource/mcp"),
            "{prm}"
        );
        assert!(
            prm.contains(r#""resource":"https://mcp.example.org/mcp""#),
            "{prm}"
        );
        let asm = authorization_server_metadata(&ev);
        assert!(
            asm.contains("https://mcp.example.org/.well-known/oauth-authorization-server "),
            "{asm}"
        );
        assert!(asm.contains(r#""code_challenge_methods_supported":["S256"]"#), "{asm}");
        let bc = bearer_challenge(&ev, "https://mcp.example.org/mcp");
        assert!(
            bc.contains(r#"resource_metadata="https://mcp.example.org/.well-known/oauth-protected-resource/mcp""#),
            "{bc}"
        );
        let md = auth_md(&ev);
        assert!(md.contains("https://mcp.example.org/auth.md"), "{md}");
        assert!(md.contains("# auth.md"), "{md}");
        assert!(
            md.contains("https://mcp.example.org/.well-known/oauth-protected-resource/mcp"),
            "{md}"
        );
    }

    #[test]
    fn the_auth_md_fix_is_a_valid_auth_md() {
        // The snippet, served as is, passes the auth-md check's own reading.
        let ev = evidence(site(vec![], None), crate::testing::ORIGIN);
        let fix = auth_md(&ev);
        let body = fix.split_once("for example:\n\n").unwrap().1;
        let served = evidence(
            site(
                vec![crate::testing::route("/auth.md", 200, "text/markdown", body)],
                None,
            ),
            crate::testing::ORIGIN,
        );
        let r = crate::testing::judge(&served, "auth-md");
        assert_eq!(r.outcome, crate::model::outcome::Outcome::Pass, "{body}\n{}\n{:?}", r.summary, r.findings);
    }

    #[test]
    fn failing_checks_carry_their_site_fix() {
        // An SPA shell at /auth.md: auth-md fails and says what to serve.
        let html = crate::testing::route("/auth.md", 200, "text/html", "<!doctype html><html><body><div id=root></div></body></html>");
        let ev = evidence(site(vec![html], None), crate::testing::ORIGIN);
        let r = crate::testing::judge(&ev, "auth-md");
        let fix = r.remediation_for_site.unwrap_or_default();
        assert!(fix.contains(&format!("{}/auth.md", crate::testing::ORIGIN)), "{fix}");
        // An API that answers without a challenge: bearer-challenge fails
        // and names the header to send.
        let api = crate::testing::route("/api/v1", 403, "application/json", "{}");
        let ev = evidence(site(vec![api], None), &format!("{}/api/v1", crate::testing::ORIGIN));
        let r = crate::testing::judge(&ev, "bearer-challenge");
        let fix = r.remediation_for_site.unwrap_or_default();
        assert!(fix.contains("WWW-Authenticate: Bearer resource_metadata="), "{:?} {fix}", r.outcome);
    }
}
