//! Web links: the `Link` response header (RFC 8288 §3) and the JSON linkset
//! of an API catalog (RFC 9264 §4.2, RFC 9727 §4).
//!
//! Both parsers are lenient in what they accept and bounded in what they
//! keep: a target's header or catalog cannot make the scanner hold more
//! than [`MAX_LINKS`] links.

use serde_json::Value;
use url::Url;

/// Links kept per header or per catalog, at most.
pub const MAX_LINKS: usize = 64;

/// One web link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebLink {
    /// The link context (`anchor`), when given.
    pub anchor: Option<String>,
    /// The relation type, lower-cased.
    pub rel: String,
    /// The target, resolved against the base URL.
    pub href: String,
    /// The `type` hint, if any.
    pub media_type: Option<String>,
}

/// Split on `sep` outside quoted strings and `<…>`.
fn split_outside(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut quoted, mut angle, mut escaped) = (false, false, false);
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if quoted => escaped = true,
            '"' if !angle => quoted = !quoted,
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            c if c == sep && !quoted && !angle => {
                out.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

fn unquote(v: &str) -> String {
    let v = v.trim();
    match v.strip_prefix('"').and_then(|x| x.strip_suffix('"')) {
        Some(inner) => inner.replace("\\\"", "\"").replace("\\\\", "\\"),
        None => v.to_string(),
    }
}

/// Parse `Link` header values (RFC 8288 §3): `<uri>; rel="a b"; type="…"`,
/// comma-separated, each relation type of a space-separated `rel` giving
/// its own link. Targets are resolved against `base`; unparseable links
/// are skipped.
pub fn parse_link_headers<'a>(values: impl Iterator<Item = &'a str>, base: &Url) -> Vec<WebLink> {
    let mut out = Vec::new();
    for value in values {
        for link in split_outside(value, ',') {
            let link = link.trim();
            let Some(rest) = link.strip_prefix('<') else {
                continue;
            };
            let Some(end) = rest.find('>') else { continue };
            let target = &rest[..end];
            let mut rels: Vec<String> = Vec::new();
            let mut media_type = None;
            let mut anchor = None;
            for param in split_outside(&rest[end + 1..], ';') {
                let Some((name, v)) = param.split_once('=') else {
                    continue;
                };
                match name.trim().to_ascii_lowercase().as_str() {
                    // RFC 8288 §3.3: only the first rel counts.
                    "rel" if rels.is_empty() => {
                        rels = unquote(v)
                            .split_whitespace()
                            .map(str::to_ascii_lowercase)
                            .collect();
                    }
                    "type" => media_type = Some(unquote(v)),
                    "anchor" => anchor = Some(unquote(v)),
                    _ => {}
                }
            }
            let Ok(href) = base.join(target) else {
                continue;
            };
            for rel in rels {
                if out.len() >= MAX_LINKS {
                    return out;
                }
                out.push(WebLink {
                    anchor: anchor.clone(),
                    rel,
                    href: href.to_string(),
                    media_type: media_type.clone(),
                });
            }
        }
    }
    out
}

/// What a catalog document is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Linkset {
    /// An RFC 9264 JSON linkset, with its links in document order.
    Links(Vec<WebLink>),
    /// JSON, but not a linkset (why).
    NotLinkset(String),
}

/// Read an RFC 9264 §4.2 JSON linkset: `{"linkset": [{"anchor": …, "<rel>":
/// [{"href": …, "type": …}]}]}`. A relation whose value is a bare string or
/// a single object is accepted too (seen in the wild). Targets resolve
/// against `base` (the catalog's URL).
pub fn parse_linkset(doc: &Value, base: &Url) -> Linkset {
    let Some(obj) = doc.as_object() else {
        return Linkset::NotLinkset("the document is not a JSON object".into());
    };
    let Some(contexts) = obj.get("linkset") else {
        return Linkset::NotLinkset("the object has no `linkset` member".into());
    };
    let Some(contexts) = contexts.as_array() else {
        return Linkset::NotLinkset("`linkset` is not an array".into());
    };
    let mut out = Vec::new();
    for ctx in contexts {
        let Some(ctx) = ctx.as_object() else { continue };
        let anchor = ctx
            .get("anchor")
            .and_then(Value::as_str)
            .map(str::to_string);
        for (rel, targets) in ctx {
            if rel == "anchor" {
                continue;
            }
            let list: Vec<&Value> = match targets {
                Value::Array(a) => a.iter().collect(),
                other => vec![other],
            };
            for t in list {
                let (href, media_type) = match t {
                    Value::String(s) => (Some(s.as_str()), None),
                    Value::Object(o) => (
                        o.get("href").and_then(Value::as_str),
                        o.get("type").and_then(Value::as_str).map(str::to_string),
                    ),
                    _ => (None, None),
                };
                let Some(href) = href else { continue };
                let Ok(url) = base.join(href) else { continue };
                if out.len() >= MAX_LINKS {
                    return Linkset::Links(out);
                }
                out.push(WebLink {
                    anchor: anchor.clone(),
                    rel: rel.to_ascii_lowercase(),
                    href: url.to_string(),
                    media_type,
                });
            }
        }
    }
    Linkset::Links(out)
}

/// True when `link_host` belongs to the target's own site: the same host,
/// a subdomain of it (or it of the link's host), or a sibling under the
/// target host's parent domain when that parent has two labels or more
/// (`developer.example.com` for `api.example.com`). RFC 9727 §5.1 expects
/// a publisher's APIs on several of its own domains; another site's links
/// are reported, not fetched.
pub fn same_site(target_host: &str, link_host: &str) -> bool {
    let t = target_host.trim_end_matches('.').to_ascii_lowercase();
    let l = link_host.trim_end_matches('.').to_ascii_lowercase();
    if t == l || l.ends_with(&format!(".{t}")) || t.ends_with(&format!(".{l}")) {
        return true;
    }
    // IP literals have no parent domain.
    if t.parse::<std::net::IpAddr>().is_ok() || t.starts_with('[') {
        return false;
    }
    match t.split_once('.') {
        Some((_, parent)) if parent.contains('.') => {
            l == parent || l.ends_with(&format!(".{parent}"))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn base() -> Url {
        Url::parse("https://api.example.com/v1/things").unwrap()
    }

    #[test]
    fn link_headers() {
        let links = parse_link_headers(
            [
                r#"</openapi.json>; rel="service-desc"; type="application/vnd.oai.openapi+json", <https://example.com/docs>; rel="service-doc describedby""#,
                r#"<x, y>; rel=next; title="a, b; c""#,
                "garbage, <>; rel=self",
            ]
            .into_iter(),
            &base(),
        );
        let got: Vec<(&str, &str)> = links
            .iter()
            .map(|l| (l.rel.as_str(), l.href.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("service-desc", "https://api.example.com/openapi.json"),
                ("service-doc", "https://example.com/docs"),
                ("describedby", "https://example.com/docs"),
                ("next", "https://api.example.com/v1/x,%20y"),
                ("self", "https://api.example.com/v1/things"),
            ]
        );
        assert_eq!(
            links[0].media_type.as_deref(),
            Some("application/vnd.oai.openapi+json")
        );
    }

    #[test]
    fn linksets() {
        let doc = json!({"linkset": [
            {"anchor": "https://api.example.com/",
             "service-desc": [{"href": "/openapi.yaml", "type": "application/yaml"}],
             "service-doc": {"href": "https://developer.example.com/docs"}},
            {"anchor": "https://www.example.com/.well-known/api-catalog",
             "api-catalog": "https://www.example.net/.well-known/api-catalog",
             "item": [{"href": "https://api.example.com/v2"}, {"nohref": 1}, 7]}
        ]});
        let Linkset::Links(links) = parse_linkset(&doc, &base()) else {
            panic!()
        };
        let rels: Vec<&str> = links.iter().map(|l| l.rel.as_str()).collect();
        assert_eq!(
            rels,
            vec!["service-desc", "service-doc", "api-catalog", "item"]
        );
        assert_eq!(links[0].href, "https://api.example.com/openapi.yaml");
        assert!(matches!(
            parse_linkset(&json!({"links": []}), &base()),
            Linkset::NotLinkset(_)
        ));
        assert!(matches!(
            parse_linkset(&json!([1]), &base()),
            Linkset::NotLinkset(_)
        ));
    }

    #[test]
    fn sites() {
        assert!(same_site("example.com", "example.com"));
        assert!(same_site("example.com", "api.example.com"));
        assert!(same_site("api.example.com", "developer.example.com"));
        assert!(same_site("api.example.com", "example.com"));
        assert!(!same_site("example.com", "example.org"));
        assert!(!same_site("example.com", "badexample.com"));
        assert!(!same_site("api.example.com", "evil.com"));
        assert!(!same_site("127.0.0.1", "127.0.0.2"));
        assert!(same_site("127.0.0.1", "127.0.0.1"));
    }
}
