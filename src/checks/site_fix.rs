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
    }
}
