//! Example sites as data, and the loopback server that serves them.
//!
//! A site is a folder `fixtures/sites/<name>/` holding `site.toml` (routes:
//! method, path, status, headers, body or body file) and the body files it
//! names. `{{origin}}` in bodies and header values is replaced by the origin
//! the site is served at, so documents can name their own URLs. The same
//! [`Site::respond`] answers for the HTTP server (tests, `agentready demo`)
//! and for the in-memory transport of unit tests.

#![cfg_attr(
    not(feature = "testing"),
    allow(
        dead_code,
        reason = "the tests and examples use the whole fixture server; the demo only serves and scans"
    )
)]

use crate::gather::http::RequestSpec;
use crate::gather::run::Transport;
use crate::model::exchange::{
    ErrorKind, Exchange, Header, ProbeError, RequestRecord, ResponseRecord,
};
use crate::model::target::origin_of;
use http_body_util::Full;
use hyper::body::Bytes;
use include_dir::{Dir, include_dir};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

static SITES_DIR: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/fixtures/sites");

/// Errors loading a site.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SiteError {
    /// No such bundled site.
    #[error("no bundled site named `{0}`")]
    Unknown(String),
    /// Bad `site.toml`.
    #[error("{file}: {reason}")]
    Invalid {
        /// File.
        file: String,
        /// Reason.
        reason: String,
    },
}

/// One route of a site.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Method (default GET).
    #[serde(default = "default_method")]
    pub method: String,
    /// Path, optionally with a query (exact match).
    #[serde(default)]
    pub path: String,
    /// Status code.
    #[serde(default = "default_status")]
    pub status: u16,
    /// `Content-Type`, if any.
    #[serde(default)]
    pub content_type: Option<String>,
    /// Further headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Inline body.
    #[serde(default)]
    pub body: Option<String>,
    /// Body from a file beside `site.toml`.
    #[serde(default)]
    pub body_file: Option<String>,
    /// Match only requests that carry this header (name, case-insensitive).
    /// Routes are tried in order, so put the conditional one first.
    #[serde(default)]
    pub if_header: Option<String>,
    /// A dynamic client registration endpoint (RFC 7591) that behaves like
    /// a lax real one: a POST to `path` registers a client as the behaviour
    /// says, and `DELETE path/<client_id>` with its registration access
    /// token deletes it (RFC 7592 §2.3). The served site counts the clients
    /// left ([`RunningSite::clients_left`]). Where no registry is kept
    /// ([`Site::respond`]), the route answers with its static fields.
    #[serde(default)]
    pub dcr: Option<LaxDcr>,
}

/// How a fixture's registration endpoint treats what it is sent: three lax
/// behaviours real servers show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LaxDcr {
    /// Parses the body as strict JSON and checks member types, but no
    /// semantics: any redirect URI is registered (a fragment too). A body
    /// that does not parse escapes the handler as a 500 (an uncaught
    /// parser exception, as in a popular Python MCP SDK).
    AnyRedirectUri,
    /// Reads what it understands and defaults the rest: a member missing or
    /// of the wrong type gets a default, so `{}` registers a client. A body
    /// that does not parse gets the framework's 400 HTML error page (an
    /// Express-style body parser).
    Defaults,
    /// Does not read the body at all: every POST registers a client.
    IgnoresBody,
}

/// The clients a served site's lax registration endpoints registered.
#[derive(Debug, Default)]
pub struct Registrations {
    /// Clients still registered: client id → registration access token.
    pub clients: BTreeMap<String, String>,
    /// Every secret ever issued (client secrets and registration access
    /// tokens), so a test can look for them in what agentready wrote.
    pub issued: Vec<String>,
    next: u64,
}

/// Shared between a served site's connections.
pub type SharedRegistrations = Arc<Mutex<Registrations>>;

impl LaxDcr {
    /// Register (or refuse) a client from a request body.
    fn register(
        self,
        body: &[u8],
        origin: &str,
        path: &str,
        reg: &SharedRegistrations,
    ) -> SiteResponse {
        let json_error = |status: u16, code: &str, why: &str| SiteResponse {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: serde_json::json!({"error": code, "error_description": why})
                .to_string()
                .into_bytes(),
        };
        let mut metadata = serde_json::Map::new();
        match self {
            LaxDcr::IgnoresBody => {}
            LaxDcr::AnyRedirectUri | LaxDcr::Defaults => {
                let parsed: Result<serde_json::Value, _> = serde_json::from_slice(body);
                let doc = match (self, parsed) {
                    (_, Ok(serde_json::Value::Object(m))) => m,
                    (LaxDcr::AnyRedirectUri, Ok(_)) => {
                        return json_error(400, "invalid_client_metadata", "not a JSON object");
                    }
                    (LaxDcr::AnyRedirectUri, Err(_)) => {
                        return SiteResponse {
                            status: 500,
                            headers: vec![("content-type".into(), "text/plain".into())],
                            body: b"Internal Server Error".to_vec(),
                        };
                    }
                    (_, Ok(_)) => serde_json::Map::new(),
                    (_, Err(_)) => {
                        return SiteResponse {
                            status: 400,
                            headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
                            body: b"<!DOCTYPE html><html><head><title>Error</title></head><body><pre>SyntaxError: Unexpected end of JSON input</pre></body></html>".to_vec(),
                        };
                    }
                };
                for (k, v) in doc {
                    let ok = match k.as_str() {
                        "redirect_uris" | "grant_types" | "response_types" => v
                            .as_array()
                            .is_some_and(|a| a.iter().all(serde_json::Value::is_string)),
                        _ => v.is_string() || v.is_array(),
                    };
                    if ok {
                        metadata.insert(k, v);
                    } else if self == LaxDcr::AnyRedirectUri {
                        return json_error(
                            400,
                            "invalid_client_metadata",
                            &format!("{k} has the wrong type"),
                        );
                    }
                }
            }
        }
        let Ok(mut r) = reg.lock() else {
            return json_error(500, "server_error", "registry poisoned");
        };
        r.next += 1;
        let n = r.next;
        let client_id = format!("lax-client-{n}");
        let nonce = fastrand::u64(..);
        let secret = format!("lax-secret-{n}-{nonce:016x}");
        let token = format!("lax-rat-{n}-{nonce:016x}");
        r.clients.insert(client_id.clone(), token.clone());
        r.issued.push(secret.clone());
        r.issued.push(token.clone());
        metadata
            .entry("grant_types")
            .or_insert(serde_json::json!(["authorization_code"]));
        metadata
            .entry("redirect_uris")
            .or_insert(serde_json::json!([]));
        metadata.insert("client_id".into(), client_id.clone().into());
        metadata.insert("client_secret".into(), secret.into());
        metadata.insert("client_id_issued_at".into(), 1_767_225_600.into());
        metadata.insert("client_secret_expires_at".into(), 0.into());
        metadata.insert("registration_access_token".into(), token.into());
        metadata.insert(
            "registration_client_uri".into(),
            format!("{origin}{path}/{client_id}").into(),
        );
        SiteResponse {
            status: 201,
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("cache-control".into(), "no-store".into()),
            ],
            body: serde_json::Value::Object(metadata).to_string().into_bytes(),
        }
    }
}

/// RFC 7592 §2.3: delete a client with its registration access token.
fn delete_client(
    client_id: &str,
    authorization: Option<&str>,
    reg: &SharedRegistrations,
) -> SiteResponse {
    let Ok(mut r) = reg.lock() else {
        return SiteResponse {
            status: 500,
            headers: Vec::new(),
            body: Vec::new(),
        };
    };
    let presented = authorization.and_then(|a| a.strip_prefix("Bearer "));
    match r.clients.get(client_id) {
        Some(token) if Some(token.as_str()) == presented => {
            r.clients.remove(client_id);
            SiteResponse {
                status: 204,
                headers: Vec::new(),
                body: Vec::new(),
            }
        }
        _ => SiteResponse {
            status: 401,
            headers: vec![
                ("content-type".into(), "application/json".into()),
                (
                    "www-authenticate".into(),
                    "Bearer error=\"invalid_token\"".into(),
                ),
            ],
            body: br#"{"error":"invalid_token"}"#.to_vec(),
        },
    }
}

fn default_method() -> String {
    "GET".into()
}
fn default_status() -> u16 {
    200
}

/// A site: routes and a fallback for every other path.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// Short name.
    pub name: String,
    /// What the site demonstrates.
    pub description: String,
    /// Path (and query) on the served origin that `demo` scans (default `/`).
    #[serde(default)]
    pub target: Option<String>,
    /// Answer for unmatched paths (default: 404 text).
    #[serde(default)]
    pub fallback: Option<Route>,
    /// Routes.
    #[serde(default, rename = "route")]
    pub routes: Vec<Route>,
}

/// A response a site gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteResponse {
    /// Status.
    pub status: u16,
    /// Headers.
    pub headers: Vec<Header>,
    /// Body.
    pub body: Vec<u8>,
}

impl Site {
    /// Parse a `site.toml`, reading body files through `read`.
    pub fn parse(
        file: &str,
        text: &str,
        read: impl Fn(&str) -> Option<String>,
    ) -> Result<Site, SiteError> {
        let mut site: Site = toml::from_str(text).map_err(|e| SiteError::Invalid {
            file: file.into(),
            reason: e.to_string(),
        })?;
        let routes = site.routes.iter_mut().chain(site.fallback.as_mut());
        for r in routes {
            if let Some(f) = r.body_file.take() {
                if r.body.is_some() {
                    return Err(SiteError::Invalid {
                        file: file.into(),
                        reason: format!("route {} has both body and body_file", r.path),
                    });
                }
                r.body = Some(read(&f).ok_or_else(|| SiteError::Invalid {
                    file: file.into(),
                    reason: format!("body_file {f} not found"),
                })?);
            }
        }
        Ok(site)
    }

    /// Load a site from a folder on disk.
    pub fn load_dir(dir: &Path) -> Result<Site, SiteError> {
        let file = dir.join("site.toml");
        let text = std::fs::read_to_string(&file).map_err(|e| SiteError::Invalid {
            file: file.display().to_string(),
            reason: e.to_string(),
        })?;
        Site::parse(&file.display().to_string(), &text, |f| {
            std::fs::read_to_string(dir.join(f)).ok()
        })
    }

    /// A bundled site by name.
    pub fn bundled(name: &str) -> Result<Site, SiteError> {
        let dir = SITES_DIR
            .get_dir(name)
            .ok_or_else(|| SiteError::Unknown(name.to_string()))?;
        let file = dir
            .get_file(format!("{name}/site.toml"))
            .ok_or_else(|| SiteError::Unknown(name.to_string()))?;
        let text = file.contents_utf8().unwrap_or_default();
        Site::parse(&format!("fixtures/sites/{name}/site.toml"), text, |f| {
            dir.get_file(format!("{name}/{f}"))
                .and_then(|f| f.contents_utf8())
                .map(str::to_string)
        })
    }

    /// Names of the bundled sites, sorted.
    pub fn bundled_names() -> Vec<String> {
        let mut names: Vec<String> = SITES_DIR
            .dirs()
            .filter_map(|d| {
                d.path()
                    .file_name()
                    .and_then(|n| n.to_str())
                    .map(str::to_string)
            })
            .collect();
        names.sort();
        names
    }

    /// Answer a request. `path` includes the query, if any; `has_header`
    /// tells whether the request carries a header (for `if_header` routes).
    pub fn respond(
        &self,
        method: &str,
        path: &str,
        has_header: impl Fn(&str) -> bool,
        origin: &str,
    ) -> SiteResponse {
        let route = self
            .routes
            .iter()
            .find(|r| {
                r.path == path
                    && r.method.eq_ignore_ascii_case(method)
                    && r.if_header.as_deref().is_none_or(&has_header)
            })
            .or(self.fallback.as_ref());
        let Some(r) = route else {
            return SiteResponse {
                status: 404,
                headers: vec![("content-type".into(), "text/plain".into())],
                body: b"not found\n".to_vec(),
            };
        };
        let mut headers = Vec::new();
        if let Some(ct) = &r.content_type {
            headers.push(("content-type".to_string(), ct.clone()));
        }
        for (k, v) in &r.headers {
            headers.push((k.to_ascii_lowercase(), v.replace("{{origin}}", origin)));
        }
        SiteResponse {
            status: r.status,
            headers,
            body: r
                .body
                .as_deref()
                .unwrap_or_default()
                .replace("{{origin}}", origin)
                .into_bytes(),
        }
    }
}

/// One request as a served site sees it.
#[derive(Debug, Clone, Copy)]
pub struct Incoming<'a> {
    /// Method.
    pub method: &'a str,
    /// Path, with the query if any.
    pub path: &'a str,
    /// The `Authorization` header, if any.
    pub authorization: Option<&'a str>,
    /// The body.
    pub body: &'a [u8],
}

impl Site {
    /// Answer a request, with state: the lax registration endpoints
    /// ([`Route::dcr`]) register and delete clients in `reg`; every other
    /// route answers as [`Site::respond`] does.
    pub fn respond_to(
        &self,
        req: Incoming<'_>,
        has_header: impl Fn(&str) -> bool,
        origin: &str,
        reg: &SharedRegistrations,
    ) -> SiteResponse {
        for r in &self.routes {
            let Some(behaviour) = r.dcr else { continue };
            if req.method.eq_ignore_ascii_case("POST") && req.path == r.path {
                return behaviour.register(req.body, origin, &r.path, reg);
            }
            if req.method.eq_ignore_ascii_case("DELETE")
                && let Some(id) = req
                    .path
                    .strip_prefix(r.path.as_str())
                    .and_then(|rest| rest.strip_prefix('/'))
            {
                return delete_client(id, req.authorization, reg);
            }
        }
        self.respond(req.method, req.path, has_header, origin)
    }
}

/// The key requests are counted under: `METHOD path`, plus
/// ` +authorization` when the request carried credentials (the same URL
/// with and without a token are two distinct requests).
pub fn request_key(method: &str, path: &str, authorization: bool) -> String {
    if authorization {
        format!("{method} {path} +authorization")
    } else {
        format!("{method} {path}")
    }
}

/// The key a request is told apart by: `METHOD path`, the
/// `Authorization` value (a request with a token and one without, or with
/// another token, are distinct) and the body. A scan sends each distinct
/// request once.
pub fn distinct_key(method: &str, path: &str, authorization: Option<&str>, body: &[u8]) -> String {
    let mut k = format!("{method} {path}");
    if let Some(a) = authorization {
        k.push_str(&format!(" authorization={a}"));
    }
    if !body.is_empty() {
        k.push_str(&format!(" body={}", String::from_utf8_lossy(body)));
    }
    k
}

/// [`request_key`], with the MCP method of a 2026-07-28 request (its
/// `Mcp-Method` header): `server/discover` and the 2025 `initialize` that
/// may follow it are two distinct requests to one URL.
fn mcp_request_key(method: &str, path: &str, authorization: bool, mcp_method: Option<&str>) -> String {
    let key = request_key(method, path, authorization);
    match mcp_method {
        Some(m) => format!("{key} mcp-method={m}"),
        None => key,
    }
}

/// Requests a served site received, by [`request_key`].
pub type RequestCounts = Arc<Mutex<BTreeMap<String, usize>>>;

/// A site served on a loopback port; stops when dropped.
#[derive(Debug)]
pub struct RunningSite {
    /// The address bound.
    pub addr: SocketAddr,
    /// `http://127.0.0.1:PORT`.
    pub origin: String,
    /// The URL to scan: the origin plus the site's `target` path.
    pub target: String,
    /// Requests received so far.
    pub counts: RequestCounts,
    /// Distinct requests received so far, by [`distinct_key`]: method,
    /// path, the `Authorization` value and the body.
    pub distinct: RequestCounts,
    /// Clients its lax registration endpoints registered.
    pub registrations: SharedRegistrations,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RunningSite {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl RunningSite {
    /// Requests received, as `METHOD path` → count.
    pub fn requests(&self) -> BTreeMap<String, usize> {
        self.counts.lock().map(|c| c.clone()).unwrap_or_default()
    }

    /// Distinct requests (by [`distinct_key`]) received more than once,
    /// with their counts.
    pub fn duplicates(&self) -> Vec<(String, usize)> {
        self.distinct
            .lock()
            .map(|c| {
                c.iter()
                    .filter(|(_, n)| **n > 1)
                    .map(|(k, n)| (k.clone(), *n))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Clients registered and not deleted.
    pub fn clients_left(&self) -> usize {
        self.registrations.lock().map_or(0, |r| r.clients.len())
    }

    /// Every secret the site issued (client secrets, registration access
    /// tokens).
    pub fn issued_secrets(&self) -> Vec<String> {
        self.registrations
            .lock()
            .map(|r| r.issued.clone())
            .unwrap_or_default()
    }
}

/// Serve a site on `127.0.0.1` at an ephemeral port.
pub async fn serve(site: Site) -> std::io::Result<RunningSite> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    let origin = format!("http://{addr}");
    let target = format!("{origin}{}", site.target.as_deref().unwrap_or("/"));
    let counts: RequestCounts = Arc::default();
    let distinct: RequestCounts = Arc::default();
    let registrations: SharedRegistrations = Arc::default();
    let site = Arc::new(site);
    let task = {
        let counts = counts.clone();
        let distinct = distinct.clone();
        let registrations = registrations.clone();
        let origin = origin.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let site = site.clone();
                let counts = counts.clone();
                let distinct = distinct.clone();
                let registrations = registrations.clone();
                let origin = origin.clone();
                tokio::spawn(async move {
                    let svc = hyper::service::service_fn(
                        move |req: hyper::Request<hyper::body::Incoming>| {
                            let site = site.clone();
                            let counts = counts.clone();
                            let distinct = distinct.clone();
                            let registrations = registrations.clone();
                            let origin = origin.clone();
                            async move {
                                use http_body_util::BodyExt as _;
                                let path = req
                                    .uri()
                                    .path_and_query()
                                    .map_or("/", |p| p.as_str())
                                    .to_string();
                                let method = req.method().as_str().to_string();
                                let (parts, body) = req.into_parts();
                                let headers = parts.headers;
                                let auth = headers.contains_key("authorization");
                                let mcp_method = headers
                                    .get("mcp-method")
                                    .and_then(|v| v.to_str().ok());
                                if let Ok(mut c) = counts.lock() {
                                    *c.entry(mcp_request_key(&method, &path, auth, mcp_method))
                                        .or_insert(0) += 1;
                                }
                                // Fixture bodies are small; a test never
                                // sends more than a few KiB.
                                let body = http_body_util::Limited::new(body, 1 << 20)
                                    .collect()
                                    .await
                                    .map(|b| b.to_bytes())
                                    .unwrap_or_default();
                                let authorization =
                                    headers.get("authorization").and_then(|v| v.to_str().ok());
                                if let Ok(mut c) = distinct.lock() {
                                    *c.entry(distinct_key(&method, &path, authorization, &body))
                                        .or_insert(0) += 1;
                                }
                                let r = site.respond_to(
                                    Incoming {
                                        method: &method,
                                        path: &path,
                                        authorization,
                                        body: &body,
                                    },
                                    |h| headers.contains_key(h),
                                    &origin,
                                    &registrations,
                                );
                                let mut b = hyper::Response::builder().status(r.status);
                                for (k, v) in &r.headers {
                                    b = b.header(k, v);
                                }
                                Ok::<_, std::convert::Infallible>(
                                    b.body(Full::new(Bytes::from(r.body))).unwrap_or_else(|_| {
                                        let mut resp = hyper::Response::new(Full::new(
                                            Bytes::from_static(b"bad fixture route"),
                                        ));
                                        *resp.status_mut() =
                                            hyper::StatusCode::INTERNAL_SERVER_ERROR;
                                        resp
                                    }),
                                )
                            }
                        },
                    );
                    let io = hyper_util::rt::TokioIo::new(stream);
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(io, svc)
                        .await;
                });
            }
        })
    };
    Ok(RunningSite {
        addr,
        origin,
        target,
        counts,
        distinct,
        registrations,
        task,
    })
}

/// A site answered in memory, without sockets: for unit tests of checks.
/// Requests to any other origin fail as a refused connection.
#[derive(Debug, Clone)]
pub struct MemorySite {
    /// The site.
    pub site: Site,
    /// The origin it pretends to be served at.
    pub origin: String,
    /// Clients its lax registration endpoints registered.
    pub registrations: SharedRegistrations,
}

impl Transport for MemorySite {
    fn exchange(
        &self,
        probe: &str,
        spec: &RequestSpec,
        _user_origin: &str,
    ) -> impl std::future::Future<Output = Exchange> + Send {
        let request = RequestRecord {
            method: spec.method.to_string(),
            url: spec.url.to_string(),
            headers: spec.headers.clone(),
            body: spec.body.clone(),
        };
        let x = if origin_of(&spec.url) == self.origin {
            let path = match spec.url.query() {
                Some(q) => format!("{}?{q}", spec.url.path()),
                None => spec.url.path().to_string(),
            };
            let has = |h: &str| spec.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(h));
            let authorization = spec
                .headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
                .map(|(_, v)| v.as_str());
            let r = self.site.respond_to(
                Incoming {
                    method: spec.method.as_str(),
                    path: &path,
                    authorization,
                    body: spec.body.as_deref().unwrap_or_default().as_bytes(),
                },
                has,
                &self.origin,
                &self.registrations,
            );
            Exchange {
                probe: probe.to_string(),
                request,
                response: Some(ResponseRecord {
                    status: r.status,
                    final_url: spec.url.to_string(),
                    redirects: Vec::new(),
                    headers: r.headers,
                    body: r.body,
                    truncated: false,
                }),
                error: None,
                elapsed_ms: 0,
            }
        } else {
            Exchange {
                probe: probe.to_string(),
                request,
                response: None,
                error: Some(ProbeError {
                    kind: ErrorKind::Connect,
                    message: "connection refused (in-memory site)".into(),
                }),
                elapsed_ms: 0,
            }
        };
        std::future::ready(x)
    }
}
