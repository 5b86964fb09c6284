//! Agent and server cards: the A2A agent card (`/.well-known/agent-card.json`,
//! A2A 0.3 JSON Schema and 1.0 ProtoJSON shapes), MCP server cards and AI
//! catalogs (the `modelcontextprotocol/experimental-ext-server-card`
//! draft). Each reader returns what agentready uses (endpoints, security
//! schemes, secret inputs) and the problems that make the document
//! malformed; it never panics on any JSON value.

use crate::model::api::{Flow, FlowKind, SchemeKind, SecurityScheme};
use serde_json::{Map, Value};

/// The well-known path of the A2A agent card (A2A 0.3 and later).
pub const AGENT_CARD_PATH: &str = "/.well-known/agent-card.json";
/// The well-known path of the AI catalog the server-card draft uses.
pub const AI_CATALOG_PATH: &str = "/.well-known/ai-catalog.json";
/// The suffix the server-card draft reserves on an MCP endpoint URL.
pub const SERVER_CARD_SUFFIX: &str = "/server-card";
/// The media type of an MCP server card.
pub const SERVER_CARD_TYPE: &str = "application/mcp-server-card+json";
/// The media type of a server-card entry before the 2026 rename.
pub const LEGACY_SERVER_CARD_TYPE: &str = "application/mcp-server+json";
/// The only `$schema` a server card may name.
pub const SERVER_CARD_SCHEMA: &str =
    "https://static.modelcontextprotocol.io/schemas/v1/server-card.schema.json";
/// Security schemes, interfaces, remotes and entries read per document, at
/// most (a hostile document cannot make the report large).
pub const MAX_ITEMS: usize = 32;
/// Problems reported per document, at most.
pub const MAX_PROBLEMS: usize = 12;

/// Which A2A shape a card has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum A2aVersion {
    /// A2A 0.2/0.3: `url`, `protocolVersion`, `type`-discriminated schemes.
    V0,
    /// A2A 1.0: `supportedInterfaces`, wrapper-member schemes.
    V1,
}

impl A2aVersion {
    /// Name for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            A2aVersion::V0 => "0.3",
            A2aVersion::V1 => "1.0",
        }
    }
}

/// What an A2A agent card says.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentCard {
    /// The shape detected, if any.
    pub version: Option<A2aVersion>,
    /// The agent's name.
    pub name: Option<String>,
    /// The interface URLs (1.0 `supportedInterfaces[].url`, 0.3 `url` and
    /// `additionalInterfaces[].url`).
    pub interfaces: Vec<String>,
    /// The declared security schemes.
    pub schemes: Vec<SecurityScheme>,
    /// What makes the card malformed.
    pub problems: Vec<String>,
    /// Problems of the security schemes and requirements.
    pub scheme_problems: Vec<String>,
    /// Scheme URLs that are not https (http on loopback is accepted by the
    /// caller).
    pub urls: Vec<String>,
}

fn push(problems: &mut Vec<String>, p: String) {
    if problems.len() < MAX_PROBLEMS {
        problems.push(p);
    }
}

fn string_member(o: &Map<String, Value>, key: &str, problems: &mut Vec<String>) -> Option<String> {
    match o.get(key) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(v) => {
            push(problems, format!("`{key}` is {}, not a string", crate::model::texts::json_kind(v)));
            None
        }
        None => {
            push(problems, format!("required `{key}` is missing"));
            None
        }
    }
}


fn absolute(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

/// Read an A2A agent card (A2A 1.0 §5, §8; A2A 0.3 `AgentCard` schema).
pub fn agent_card(v: &Value) -> AgentCard {
    let mut card = AgentCard {
        version: None,
        name: None,
        interfaces: Vec::new(),
        schemes: Vec::new(),
        problems: Vec::new(),
        scheme_problems: Vec::new(),
        urls: Vec::new(),
    };
    let Some(o) = v.as_object() else {
        card.problems
            .push(format!("the card is {}, not a JSON object", crate::model::texts::json_kind(v)));
        return card;
    };
    let p = &mut card.problems;
    card.name = string_member(o, "name", p);
    string_member(o, "description", p);
    string_member(o, "version", p);
    match o.get("capabilities") {
        Some(Value::Object(_)) => {}
        Some(v) => push(p, format!("`capabilities` is {}, not an object", crate::model::texts::json_kind(v))),
        None => push(p, "required `capabilities` is missing".into()),
    }
    for key in ["defaultInputModes", "defaultOutputModes"] {
        match o.get(key).and_then(Value::as_array) {
            Some(a) if !a.is_empty() && a.iter().all(Value::is_string) => {}
            Some(_) => push(p, format!("`{key}` must be a non-empty array of media types")),
            None => push(p, format!("required `{key}` is missing or not an array")),
        }
    }
    match o.get("skills").and_then(Value::as_array) {
        None => push(p, "required `skills` is missing or not an array".into()),
        Some(skills) => {
            for (i, s) in skills.iter().take(MAX_ITEMS).enumerate() {
                let missing: Vec<&str> = ["id", "name", "description", "tags"]
                    .into_iter()
                    .filter(|k| s.get(*k).is_none())
                    .collect();
                if !missing.is_empty() {
                    push(p, format!("skills[{i}] lacks {}", missing.join(", ")));
                }
            }
        }
    }
    if let Some(ifaces) = o.get("supportedInterfaces") {
        card.version = Some(A2aVersion::V1);
        match ifaces.as_array() {
            Some(a) if !a.is_empty() => {
                for (i, it) in a.iter().take(MAX_ITEMS).enumerate() {
                    let url = it.get("url").and_then(Value::as_str);
                    match url {
                        Some(u) if absolute(u) => card.interfaces.push(u.to_string()),
                        Some(u) => push(
                            p,
                            format!("supportedInterfaces[{i}].url `{u}` is not an absolute URL"),
                        ),
                        None => push(p, format!("supportedInterfaces[{i}] has no `url`")),
                    }
                    for k in ["protocolBinding", "protocolVersion"] {
                        if !it.get(k).is_some_and(Value::is_string) {
                            push(p, format!("supportedInterfaces[{i}] has no string `{k}`"));
                        }
                    }
                }
            }
            _ => push(p, "`supportedInterfaces` must be a non-empty array".into()),
        }
    } else if o.contains_key("url") {
        card.version = Some(A2aVersion::V0);
        if let Some(u) = string_member(o, "url", p) {
            if absolute(&u) {
                card.interfaces.push(u);
            } else {
                push(p, format!("`url` `{u}` is not an absolute URL"));
            }
        }
        string_member(o, "protocolVersion", p);
        if let Some(a) = o.get("additionalInterfaces").and_then(Value::as_array) {
            for it in a.iter().take(MAX_ITEMS) {
                if let Some(u) = it.get("url").and_then(Value::as_str).filter(|u| absolute(u)) {
                    card.interfaces.push(u.to_string());
                }
            }
        }
    } else {
        push(
            p,
            "neither `supportedInterfaces` (A2A 1.0) nor `url` (A2A 0.3): the card names no endpoint"
                .into(),
        );
    }
    card.interfaces.dedup();
    read_schemes(o, &mut card);
    card
}

/// The security schemes and requirements of a card.
fn read_schemes(o: &Map<String, Value>, card: &mut AgentCard) {
    let sp = &mut card.scheme_problems;
    let declared: Vec<String> = match o.get("securitySchemes") {
        None => Vec::new(),
        Some(Value::Object(m)) => {
            for (name, s) in m.iter().take(MAX_ITEMS) {
                if let Some(scheme) = read_scheme(name, s, sp, &mut card.urls) {
                    card.schemes.push(scheme);
                }
            }
            m.keys().cloned().collect()
        }
        Some(v) => {
            push(sp, format!("`securitySchemes` is {}, not an object", crate::model::texts::json_kind(v)));
            Vec::new()
        }
    };
    // Names a requirement uses: 1.0 `securityRequirements[].schemes`, 0.3
    // `security[]` (OpenAPI style), on the card and on each skill.
    let mut lists: Vec<&Value> = Vec::new();
    lists.extend(o.get("securityRequirements"));
    lists.extend(o.get("security"));
    if let Some(skills) = o.get("skills").and_then(Value::as_array) {
        for s in skills.iter().take(MAX_ITEMS) {
            lists.extend(s.get("securityRequirements"));
            lists.extend(s.get("security"));
        }
    }
    let mut used: Vec<String> = Vec::new();
    for l in lists {
        for req in l.as_array().into_iter().flatten().take(MAX_ITEMS) {
            let names = req.get("schemes").and_then(Value::as_object).or(req.as_object());
            for n in names.into_iter().flat_map(|m| m.keys()) {
                if !used.contains(n) {
                    used.push(n.clone());
                }
            }
        }
    }
    for n in used {
        if !declared.contains(&n) {
            push(
                sp,
                format!("a security requirement names `{n}`, which securitySchemes does not declare"),
            );
        }
    }
}

/// The 1.0 wrapper members and the 0.3 `type` they stand for.
const WRAPPERS: [(&str, &str); 5] = [
    ("apiKeySecurityScheme", "apiKey"),
    ("httpAuthSecurityScheme", "http"),
    ("oauth2SecurityScheme", "oauth2"),
    ("openIdConnectSecurityScheme", "openIdConnect"),
    ("mtlsSecurityScheme", "mutualTLS"),
];

fn read_scheme(
    name: &str,
    s: &Value,
    sp: &mut Vec<String>,
    urls: &mut Vec<String>,
) -> Option<SecurityScheme> {
    let Some(o) = s.as_object() else {
        push(sp, format!("scheme `{name}` is {}, not an object", crate::model::texts::json_kind(s)));
        return None;
    };
    let wrappers: Vec<(&str, &str)> = WRAPPERS
        .into_iter()
        .filter(|(w, _)| o.contains_key(*w))
        .collect();
    let (ty, body, wrapped) = match (wrappers.as_slice(), o.get("type").and_then(Value::as_str)) {
        ([(w, t)], None) => (*t, o.get(*w).and_then(Value::as_object), true),
        ([], Some(t)) => (t, Some(o), false),
        ([], None) => {
            push(sp, format!("scheme `{name}` has neither a `type` (A2A 0.3) nor a scheme wrapper member (A2A 1.0)"));
            return None;
        }
        (_, Some(_)) => {
            push(sp, format!("scheme `{name}` mixes an A2A 1.0 wrapper member with an A2A 0.3 `type`"));
            return None;
        }
        (_, None) => {
            push(sp, format!("scheme `{name}` has more than one wrapper member; A2A 1.0 allows exactly one"));
            return None;
        }
    };
    let Some(body) = body else {
        push(sp, format!("scheme `{name}`: the wrapper is not an object"));
        return None;
    };
    let mut url = |field: &str, v: Option<&str>, sp: &mut Vec<String>| -> Option<String> {
        let v = v?;
        if !absolute(v) {
            push(sp, format!("scheme `{name}`: `{field}` `{v}` is not an absolute URL"));
            return None;
        }
        if !v.starts_with("https://") {
            urls.push(v.to_string());
        }
        Some(v.to_string())
    };
    let kind = match ty {
        "apiKey" => {
            // 1.0 `location`; 0.3 `in`.
            let loc_key = if wrapped { "location" } else { "in" };
            let location = body.get(loc_key).and_then(Value::as_str);
            let param = body.get("name").and_then(Value::as_str);
            if location.is_none() || param.is_none() {
                push(sp, format!("apiKey scheme `{name}` needs `{loc_key}` and `name`"));
            }
            SchemeKind::ApiKey {
                location: location.unwrap_or("header").to_ascii_lowercase(),
                param: param.unwrap_or_default().to_string(),
            }
        }
        "http" => match body.get("scheme").and_then(Value::as_str) {
            Some(s) => SchemeKind::Http {
                scheme: s.to_ascii_lowercase(),
            },
            None => {
                push(sp, format!("http scheme `{name}` has no `scheme`"));
                return None;
            }
        },
        "oauth2" => {
            let metadata_url = url(
                "oauth2MetadataUrl",
                body.get("oauth2MetadataUrl").and_then(Value::as_str),
                sp,
            );
            let Some(flows) = body.get("flows").and_then(Value::as_object) else {
                push(sp, format!("oauth2 scheme `{name}` has no `flows` object"));
                return None;
            };
            if wrapped && flows.len() != 1 {
                push(sp, format!("oauth2 scheme `{name}` declares {} flows; in A2A 1.0 `flows` holds exactly one", flows.len()));
            }
            let mut out = Vec::new();
            for (fname, f) in flows.iter().take(MAX_ITEMS) {
                let fk = match fname.as_str() {
                    "authorizationCode" => FlowKind::AuthorizationCode,
                    "clientCredentials" => FlowKind::ClientCredentials,
                    "deviceCode" => FlowKind::DeviceAuthorization,
                    "implicit" => FlowKind::Implicit,
                    "password" => FlowKind::Password,
                    other => {
                        push(sp, format!("oauth2 scheme `{name}`: unknown flow `{other}`"));
                        continue;
                    }
                };
                let get = |k: &str| f.get(k).and_then(Value::as_str);
                let required: &[&str] = match fk {
                    FlowKind::AuthorizationCode => &["authorizationUrl", "tokenUrl"],
                    FlowKind::ClientCredentials | FlowKind::Password => &["tokenUrl"],
                    FlowKind::DeviceAuthorization => &["deviceAuthorizationUrl", "tokenUrl"],
                    FlowKind::Implicit => &["authorizationUrl"],
                };
                let missing: Vec<&str> =
                    required.iter().copied().filter(|k| get(k).is_none()).collect();
                if !missing.is_empty() {
                    push(sp, format!("flow `{fname}` of `{name}` lacks {}", missing.join(", ")));
                }
                let scopes = f
                    .get("scopes")
                    .and_then(Value::as_object)
                    .map(|m| {
                        m.iter()
                            .take(crate::model::api::MAX_SCOPES)
                            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                            .collect()
                    })
                    .unwrap_or_default();
                out.push(Flow {
                    kind: fk,
                    authorization_url: url("authorizationUrl", get("authorizationUrl"), sp),
                    token_url: url("tokenUrl", get("tokenUrl"), sp),
                    device_authorization_url: url(
                        "deviceAuthorizationUrl",
                        get("deviceAuthorizationUrl"),
                        sp,
                    ),
                    scopes,
                });
            }
            SchemeKind::OAuth2 {
                flows: out,
                metadata_url,
            }
        }
        "openIdConnect" => {
            match url(
                "openIdConnectUrl",
                body.get("openIdConnectUrl").and_then(Value::as_str),
                sp,
            ) {
                Some(u) => SchemeKind::OpenIdConnect { url: u },
                None => {
                    push(sp, format!("openIdConnect scheme `{name}` has no usable `openIdConnectUrl`"));
                    return None;
                }
            }
        }
        "mutualTLS" => SchemeKind::MutualTls,
        other => {
            push(sp, format!("scheme `{name}` has the unknown type `{other}`"));
            SchemeKind::Other(other.to_string())
        }
    };
    Some(SecurityScheme {
        name: name.to_string(),
        kind,
        deprecated: false,
    })
}

/// One remote of a server card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    /// `streamable-http` or `sse`.
    pub transport: String,
    /// The URL (may be a `{var}` template).
    pub url: String,
    /// Header inputs marked `isSecret`: their names.
    pub secret_headers: Vec<String>,
}

/// What an MCP server card says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerCard {
    /// `name`.
    pub name: Option<String>,
    /// The remotes.
    pub remotes: Vec<Remote>,
    /// What makes it malformed (schema).
    pub problems: Vec<String>,
    /// Literal credentials in header values (a MUST NOT).
    pub literal_secrets: Vec<String>,
}

fn name_ok(n: &str) -> bool {
    let Some((ns, rest)) = n.split_once('/') else {
        return false;
    };
    let ok = |s: &str, extra: &[char]| {
        !s.is_empty()
            && s
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || extra.contains(&c))
    };
    (3..=200).contains(&n.len()) && ok(ns, &[]) && ok(rest, &['_'])
}

/// Read an MCP server card (`$defs/ServerCard` of the draft's schema).
pub fn server_card(v: &Value) -> ServerCard {
    let mut card = ServerCard {
        name: None,
        remotes: Vec::new(),
        problems: Vec::new(),
        literal_secrets: Vec::new(),
    };
    let Some(o) = v.as_object() else {
        card.problems
            .push(format!("the card is {}, not a JSON object", crate::model::texts::json_kind(v)));
        return card;
    };
    let p = &mut card.problems;
    if let Some(s) = string_member(o, "$schema", p)
        && s != SERVER_CARD_SCHEMA
    {
        push(p, format!("`$schema` is `{s}`, not `{SERVER_CARD_SCHEMA}`"));
    }
    if let Some(n) = string_member(o, "name", p) {
        if !name_ok(&n) {
            push(p, format!("`name` `{n}` is not a reverse-DNS name with one slash (e.g. com.example/weather)"));
        }
        card.name = Some(n);
    }
    if let Some(ver) = string_member(o, "version", p)
        && ver.len() > 255
    {
        push(p, "`version` is longer than 255 characters".into());
    }
    if let Some(d) = string_member(o, "description", p)
        && !(1..=100).contains(&d.chars().count())
    {
        push(p, format!("`description` has {} characters; 1 to 100 are allowed", d.chars().count()));
    }
    match o.get("remotes") {
        None => {}
        Some(Value::Array(a)) => {
            for (i, r) in a.iter().take(MAX_ITEMS).enumerate() {
                let transport = r.get("type").and_then(Value::as_str);
                let url = r.get("url").and_then(Value::as_str);
                if !matches!(transport, Some("streamable-http" | "sse")) {
                    push(p, format!("remotes[{i}].type must be streamable-http or sse"));
                }
                let Some(url) = url else {
                    push(p, format!("remotes[{i}] has no string `url`"));
                    continue;
                };
                let templated = url.starts_with('{');
                if !(absolute(url) || templated) || url.contains(char::is_whitespace) {
                    push(p, format!("remotes[{i}].url `{url}` is neither an http(s) URL nor a template"));
                }
                let mut secret_headers = Vec::new();
                for h in r.get("headers").and_then(Value::as_array).into_iter().flatten().take(MAX_ITEMS) {
                    let Some(name) = h.get("name").and_then(Value::as_str) else {
                        push(p, format!("remotes[{i}] has a header without a string `name`"));
                        continue;
                    };
                    if h.get("isSecret") == Some(&Value::Bool(true)) {
                        secret_headers.push(name.to_string());
                        for k in ["value", "default"] {
                            if let Some(val) = h.get(k).and_then(Value::as_str)
                                && !val.contains('{')
                                && !val.trim().is_empty()
                            {
                                push(
                                    &mut card.literal_secrets,
                                    format!("remotes[{i}] header `{name}` has a literal `{k}`"),
                                );
                            }
                        }
                    }
                }
                card.remotes.push(Remote {
                    transport: transport.unwrap_or_default().to_string(),
                    url: url.to_string(),
                    secret_headers,
                });
            }
        }
        Some(v) => push(p, format!("`remotes` is {}, not an array", crate::model::texts::json_kind(v))),
    }
    card
}

/// One MCP server-card entry of an AI catalog.
#[derive(Debug, Clone, PartialEq)]
pub enum CardEntry {
    /// Fetch the card at this URL.
    Url(String),
    /// The card inline.
    Data(Value),
}

/// What an AI catalog says.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    /// Its MCP server-card entries.
    pub cards: Vec<CardEntry>,
    /// Entries of every type.
    pub entries: usize,
    /// What makes it malformed.
    pub problems: Vec<String>,
}

/// Read an AI catalog (`specVersion`, `entries`; entries with `type` or
/// the older `mediaType`, and exactly one of `url` and `data`).
pub fn catalog(v: &Value) -> Catalog {
    let mut c = Catalog {
        cards: Vec::new(),
        entries: 0,
        problems: Vec::new(),
    };
    let Some(o) = v.as_object() else {
        c.problems
            .push(format!("the catalog is {}, not a JSON object", crate::model::texts::json_kind(v)));
        return c;
    };
    let p = &mut c.problems;
    string_member(o, "specVersion", p);
    let Some(entries) = o.get("entries").and_then(Value::as_array) else {
        push(p, "required `entries` is missing or not an array".into());
        return c;
    };
    c.entries = entries.len();
    for (i, e) in entries.iter().take(MAX_ITEMS).enumerate() {
        if !e.get("identifier").is_some_and(Value::is_string) {
            push(p, format!("entries[{i}] has no string `identifier`"));
        }
        let ty = e
            .get("type")
            .or_else(|| e.get("mediaType"))
            .and_then(Value::as_str);
        if ty.is_none() {
            push(p, format!("entries[{i}] has no `type`"));
        }
        let (url, data) = (e.get("url"), e.get("data"));
        if url.is_some() == data.is_some() {
            push(p, format!("entries[{i}] must have exactly one of `url` and `data`"));
            continue;
        }
        if !matches!(ty, Some(SERVER_CARD_TYPE | LEGACY_SERVER_CARD_TYPE)) {
            continue;
        }
        match (url.and_then(Value::as_str), data) {
            (Some(u), _) if absolute(u) => c.cards.push(CardEntry::Url(u.to_string())),
            (Some(u), _) => push(p, format!("entries[{i}].url `{u}` is not an absolute URL")),
            (None, Some(d)) => c.cards.push(CardEntry::Data(d.clone())),
            (None, None) => push(p, format!("entries[{i}].url is not a string")),
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standard(path: &str) -> Value {
        let p = format!("{}/fixtures/standards/{path}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    }

    #[test]
    fn valid_agent_cards_read_cleanly() {
        for (f, version) in [
            ("agent-card/v1-valid-oauth-device.json", A2aVersion::V1),
            ("agent-card/v1-valid-minimal-open.json", A2aVersion::V1),
            ("agent-card/v03-valid-oauth-mtls.json", A2aVersion::V0),
        ] {
            let c = agent_card(&standard(f));
            assert_eq!(c.version, Some(version), "{f}");
            assert!(c.problems.is_empty(), "{f}: {:?}", c.problems);
            assert!(c.scheme_problems.is_empty(), "{f}: {:?}", c.scheme_problems);
            assert!(!c.interfaces.is_empty(), "{f}");
        }
        let c = agent_card(&standard("agent-card/v1-valid-oauth-device.json"));
        assert!(c.schemes.iter().any(|s| matches!(&s.kind,
            SchemeKind::OAuth2 { flows, .. } if flows.iter().any(|f| f.kind == FlowKind::DeviceAuthorization))));
    }

    #[test]
    fn malformed_agent_cards_are_reported() {
        let c = agent_card(&standard("agent-card/invalid-mixed-versions.json"));
        assert!(!c.problems.is_empty());
        assert!(
            c.scheme_problems.iter().any(|p| p.contains("does not declare")),
            "{:?}",
            c.scheme_problems
        );
        let c = agent_card(&standard("agent-card/invalid-v02-legacy.json"));
        assert!(!c.urls.is_empty(), "the http tokenUrl: {c:?}");
        for v in [Value::Null, Value::from(1), serde_json::json!([]), serde_json::json!({})] {
            assert!(!agent_card(&v).problems.is_empty());
        }
    }

    #[test]
    fn server_cards_and_catalogs() {
        for f in [
            "server-card/valid-minimal.json",
            "server-card/valid-remote-bearer.json",
            "server-card/valid-templated-apikey.json",
        ] {
            let c = server_card(&standard(f));
            assert!(c.problems.is_empty(), "{f}: {:?}", c.problems);
            assert!(c.literal_secrets.is_empty(), "{f}");
        }
        let c = server_card(&standard("server-card/valid-templated-apikey.json"));
        assert!(c.remotes.iter().any(|r| !r.secret_headers.is_empty()));
        for f in [
            "server-card/invalid-bad-name-and-schema.json",
            "server-card/invalid-legacy-sep1649.json",
        ] {
            assert!(!server_card(&standard(f)).problems.is_empty(), "{f}");
        }
        let c = server_card(&standard("server-card/invalid-literal-secret.json"));
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        assert!(!c.literal_secrets.is_empty());
        for f in ["ai-catalog/valid-single.json", "ai-catalog/valid-multi-nested.json"] {
            let c = catalog(&standard(f));
            assert!(c.problems.is_empty(), "{f}: {:?}", c.problems);
            assert!(!c.cards.is_empty(), "{f}");
        }
        assert!(!catalog(&standard("ai-catalog/invalid-url-and-data.json")).problems.is_empty());
    }
}

#[cfg(test)]
mod properties {
    //! The readers never panic, whatever JSON a server sends: values built
    //! from the members they read, of any type, nested at random.
    use super::*;
    use proptest::prelude::*;

    const KEYS: &[&str] = &[
        "name", "url", "type", "flows", "securitySchemes", "security", "securityRequirements",
        "schemes", "supportedInterfaces", "skills", "remotes", "headers", "isSecret", "value",
        "entries", "data", "mediaType", "oauth2SecurityScheme", "apiKeySecurityScheme",
        "deviceCode", "tokenUrl", "scopes", "$schema", "description", "specVersion",
    ];

    fn json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            "\\PC{0,12}".prop_map(Value::String),
            Just(Value::String("https://a.example/x".into())),
        ];
        leaf.prop_recursive(4, 64, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::vec((proptest::sample::select(KEYS), inner), 0..6)
                    .prop_map(|kv| Value::Object(
                        kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
                    )),
            ]
        })
    }

    proptest! {
        #[test]
        fn readers_never_panic(v in json()) {
            let a = agent_card(&v);
            prop_assert!(a.problems.len() <= MAX_PROBLEMS);
            let _ = server_card(&v);
            let _ = catalog(&v);
        }
    }
}
