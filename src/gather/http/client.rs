//! The client: one request of a probe, its redirects followed by hand, its
//! body read within the cap, and the exchange recorded with the user's
//! secrets taken out.

use super::guard::ResolveError;
use super::*;
use crate::model::exchange::{
    ErrorKind, Exchange, Header, ProbeError, Redirect, RequestRecord, ResponseRecord,
};
use crate::model::target::origin_of;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;
use url::Url;

/// One request a probe wants sent.
#[derive(Debug, Clone)]
pub struct RequestSpec {
    /// Method.
    pub method: reqwest::Method,
    /// URL.
    pub url: Url,
    /// Headers specific to this probe (e.g. `Accept`).
    pub headers: Vec<Header>,
    /// Body, if any.
    pub body: Option<String>,
    /// An API description: the body cap is `crate::model::probe::DESCRIPTION_CAP_FACTOR` times
    /// the usual one (real OpenAPI documents of large APIs run to several
    /// MiB; only the few description URLs of a scan get the larger cap).
    pub large_body: bool,
}

impl RequestSpec {
    /// The de-duplication key (see `crate::model::exchange::request_key`).
    pub fn key(&self) -> String {
        crate::model::exchange::request_key(
            self.method.as_str(),
            self.url.as_str(),
            &self.headers,
            self.body.as_deref(),
        )
    }

    /// True when `key` is this request's [`RequestSpec::key`].
    pub fn has_key(&self, key: &str) -> bool {
        crate::model::exchange::key_matches(
            key,
            self.method.as_str(),
            self.url.as_str(),
            &self.headers,
            self.body.as_deref(),
        )
    }
}

/// The scanner's HTTP client.
#[derive(Debug, Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
    config: HttpConfig,
    /// What of the user's `-H` values (and proxy password) a response
    /// could echo back.
    secrets: Redactor,
    /// The resolver, asked for each name before a request goes to a proxy.
    resolver: GuardedResolver,
}

/// Take the user's long secrets (raw or encoded) out of everything
/// recorded of a response, before the checks read it.
fn redact_response(r: &mut ResponseRecord, secrets: &Redactor) {
    if secrets.is_empty() {
        return;
    }
    secrets.redact_received(&mut r.body);
    secrets.redact_received_text(&mut r.final_url);
    for (_, v) in &mut r.headers {
        secrets.redact_received_text(v);
    }
    for hop in &mut r.redirects {
        secrets.redact_received_text(&mut hop.from);
        secrets.redact_received_text(&mut hop.to);
    }
}

impl HttpClient {
    /// Build the client. Fails on unreadable trust roots.
    pub fn new(config: HttpConfig) -> Result<Self, ConfigError> {
        let mut b = reqwest::Client::builder()
            .use_rustls_tls()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .user_agent(config.user_agent.clone())
            .pool_max_idle_per_host(config.pool_max_idle_per_host)
            .gzip(true)
            .brotli(true)
            .deflate(true);
        if let Some(idle) = config.pool_idle_timeout {
            b = b.pool_idle_timeout(idle);
        }
        let resolver = GuardedResolver::new(&config);
        b = b.dns_resolver(Arc::new(resolver.clone()));
        // Proxies come from `--proxy` only, never from the environment:
        // a proxy resolves names itself, out of the guard's sight.
        b = b.no_proxy();
        if let Some(p) = &config.proxy {
            let proxy = reqwest::Proxy::all(p.as_str())
                .map_err(|e| ConfigError::Client(format!("--proxy: {e}")))?;
            b = b.proxy(proxy);
        }
        for pin in config.resolve.iter().filter(|p| !p.is_wildcard()) {
            b = b.resolve(&pin.host, SocketAddr::new(pin.addr, 0));
        }
        for path in &config.cacerts {
            let pem = std::fs::read(path).map_err(|e| ConfigError::CaCert {
                path: path.display().to_string(),
                reason: e.to_string(),
            })?;
            let certs =
                reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| ConfigError::CaCert {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                })?;
            if certs.is_empty() {
                return Err(ConfigError::CaCert {
                    path: path.display().to_string(),
                    reason: "no PEM certificate found".into(),
                });
            }
            for c in certs {
                b = b.add_root_certificate(c);
            }
        }
        let inner = b.build().map_err(|e| ConfigError::Client(e.to_string()))?;
        let proxy_password: Vec<String> = config
            .proxy
            .as_ref()
            .and_then(|p| p.password())
            .map(|p| vec![p.to_string()])
            .unwrap_or_default();
        let secrets = Redactor::new(&config.headers, &proxy_password);
        Ok(HttpClient {
            inner,
            config,
            secrets,
            resolver,
        })
    }

    /// The configuration in use.
    pub fn config(&self) -> &HttpConfig {
        &self.config
    }

    /// A proxy resolves names itself, out of the resolver's sight: resolve
    /// the name here and judge it as the resolver would, so a name that
    /// leads to a private address never reaches the proxy. (A proxy that
    /// resolves the same name differently — DNS rebinding between the two
    /// look-ups — is outside what a client can prevent; `--resolve` pins
    /// cannot be honoured through a proxy and the CLI refuses them.)
    async fn vet_for_proxy(&self, url: &Url) -> Option<ProbeError> {
        let host = url.host_str()?;
        if crate::model::target::host_ip(host).is_some() {
            return None; // literals: `guard` has judged them
        }
        match self.resolver.lookup(host).await {
            Ok(addrs) if !addrs.is_empty() => None,
            Ok(_) => Some(ProbeError {
                kind: ErrorKind::Dns,
                message: format!(
                    "not sent to the proxy: {host} has no address here, so the SSRF guard cannot judge it"
                ),
            }),
            Err(e @ ResolveError::Private(_)) => Some(ProbeError {
                kind: ErrorKind::Refused,
                message: format!("not sent to the proxy: {e}"),
            }),
            Err(e @ ResolveError::Excluded(_)) => Some(ProbeError {
                kind: ErrorKind::Excluded,
                message: format!("not sent to the proxy: {e}"),
            }),
            Err(e) => Some(ProbeError {
                kind: ErrorKind::Dns,
                message: format!(
                    "not sent to the proxy: {host} does not resolve here ({e}), so the SSRF guard cannot judge it"
                ),
            }),
        }
    }

    /// The user's secrets, to take out of whatever is written.
    pub fn redactor(&self) -> &Redactor {
        &self.secrets
    }

    /// Send one request, follow redirects by hand, read the capped body, and
    /// return the exchange. Never fails: errors are recorded in the exchange.
    /// `user_origin` is the origin user-supplied headers may be sent to.
    pub async fn exchange(&self, probe: &str, spec: &RequestSpec, user_origin: &str) -> Exchange {
        self.exchange_with(probe, spec, user_origin, None).await
    }

    /// [`HttpClient::exchange`], asking `gate` before each redirect hop
    /// whether it may be sent (the first request is the caller's to vet).
    pub async fn exchange_with(
        &self,
        probe: &str,
        spec: &RequestSpec,
        user_origin: &str,
        gate: Option<&dyn HopGate>,
    ) -> Exchange {
        let start = Instant::now();
        let mut sent_headers: Vec<Header> =
            vec![("user-agent".into(), self.config.user_agent.clone())];
        sent_headers.extend(spec.headers.iter().cloned());
        if origin_of(&spec.url) == user_origin {
            for (n, _) in &self.config.headers {
                sent_headers.push((n.clone(), REDACTED.into()));
            }
        }
        let request = RequestRecord {
            method: spec.method.to_string(),
            url: spec.url.to_string(),
            headers: sent_headers,
            body: spec.body.clone(),
        };
        let result = tokio::time::timeout(
            self.config.request_timeout,
            self.follow(spec, user_origin, gate),
        )
        .await
        .unwrap_or_else(|_| {
            Err(ProbeError {
                kind: ErrorKind::Timeout,
                message: format!(
                    "no complete answer within {} s (raise --timeout if the server is slow)",
                    self.config.request_timeout.as_secs_f64()
                ),
            })
        });
        let elapsed_ms = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
        match result {
            Ok(mut response) => Exchange {
                probe: probe.to_string(),
                request,
                response: Some({
                    redact_response(&mut response, &self.secrets);
                    response
                }),
                error: None,
                elapsed_ms,
            },
            Err(mut error) => Exchange {
                probe: probe.to_string(),
                request,
                response: None,
                error: Some({
                    // A refused Location or a redirect chain may carry an
                    // echoed secret.
                    self.secrets.redact_received_text(&mut error.message);
                    error
                }),
                elapsed_ms,
            },
        }
    }

    async fn follow(
        &self,
        spec: &RequestSpec,
        user_origin: &str,
        gate: Option<&dyn HopGate>,
    ) -> Result<ResponseRecord, ProbeError> {
        let mut url = spec.url.clone();
        let mut method = spec.method.clone();
        let mut body = spec.body.clone();
        let mut redirects = Vec::new();
        loop {
            if let Some(e) = self
                .config
                .refuses(&url)
                .or_else(|| self.config.guard(&url))
            {
                return Err(e);
            }
            if !redirects.is_empty()
                && let Some(g) = gate
                && let Some(e) = g.before_hop(&url).await
            {
                return Err(e);
            }
            if self.config.proxy.is_some()
                && let Some(e) = self.vet_for_proxy(&url).await
            {
                return Err(e);
            }
            let mut headers = HeaderMap::new();
            for (n, v) in &spec.headers {
                if let (Ok(n), Ok(v)) = (
                    HeaderName::from_bytes(n.as_bytes()),
                    HeaderValue::from_str(v),
                ) {
                    headers.append(n, v);
                }
            }
            // User-supplied headers (tokens, cookies) go to the target's own
            // origin only, never across a redirect to another origin.
            if origin_of(&url) == user_origin {
                for (n, v) in &self.config.headers {
                    if let (Ok(n), Ok(v)) = (
                        HeaderName::from_bytes(n.as_bytes()),
                        HeaderValue::from_str(v),
                    ) {
                        headers.insert(n, v);
                    }
                }
            }
            let mut req = self
                .inner
                .request(method.clone(), url.clone())
                .headers(headers);
            if let Some(b) = &body {
                req = req.body(b.clone());
            }
            let mut resp = req.send().await.map_err(classify_error)?;
            let status = resp.status().as_u16();
            if resp.status().is_redirection()
                && let Some(loc) = resp.headers().get(reqwest::header::LOCATION)
            {
                if redirects.len() >= self.config.max_redirects {
                    return Err(ProbeError {
                        kind: ErrorKind::RedirectLimit,
                        message: format!(
                            "more than {} redirects (last hop {} → {})",
                            self.config.max_redirects,
                            url,
                            String::from_utf8_lossy(loc.as_bytes())
                        ),
                    });
                }
                let loc = String::from_utf8_lossy(loc.as_bytes()).into_owned();
                let next = url.join(&loc).map_err(|e| ProbeError {
                    kind: ErrorKind::InvalidUrl,
                    message: format!("redirect to unusable Location `{loc}`: {e}"),
                })?;
                if next.scheme() != "http" && next.scheme() != "https" {
                    return Err(ProbeError {
                        kind: ErrorKind::RedirectRefused,
                        message: format!("redirect to non-HTTP URL `{next}` refused"),
                    });
                }
                redirects.push(Redirect {
                    status,
                    from: url.to_string(),
                    to: next.to_string(),
                });
                if status == 303
                    || ((status == 301 || status == 302) && method == reqwest::Method::POST)
                {
                    method = reqwest::Method::GET;
                    body = None;
                }
                url = next;
                continue;
            }
            let headers: Vec<Header> = resp
                .headers()
                .iter()
                .map(|(n, v)| {
                    (
                        n.as_str().to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect();
            let final_url = resp.url().to_string();
            let mut buf: Vec<u8> = Vec::new();
            let mut truncated = false;
            loop {
                match resp.chunk().await {
                    Ok(Some(chunk)) => {
                        let cap = if spec.large_body {
                            self.config
                                .max_body
                                .saturating_mul(crate::model::probe::DESCRIPTION_CAP_FACTOR)
                        } else {
                            self.config.max_body
                        };
                        let room = cap.saturating_sub(buf.len());
                        if chunk.len() > room {
                            buf.extend_from_slice(&chunk[..room]);
                            truncated = true;
                            break;
                        }
                        buf.extend_from_slice(&chunk);
                    }
                    Ok(None) => break,
                    Err(e) if e.is_timeout() => {
                        return Err(ProbeError {
                            kind: ErrorKind::Timeout,
                            message: format!(
                                "the body did not arrive within {} s (raise --timeout if the server is slow)",
                                self.config.request_timeout.as_secs_f64()
                            ),
                        });
                    }
                    Err(e) => {
                        return Err(ProbeError {
                            kind: ErrorKind::Body,
                            message: format!(
                                "the body could not be read to the end: {}",
                                error_chain(&e)
                            ),
                        });
                    }
                }
            }
            return Ok(ResponseRecord {
                status,
                final_url,
                redirects,
                headers,
                body: buf,
                truncated,
            });
        }
    }
}

/// Asked before each redirect hop of an exchange: `Some(error)` stops it
/// there and the hop is not sent (batch mode: the opt-out list, robots.txt
/// of the hop's origin, the rate limit).
pub trait HopGate: Sync {
    /// May a request to `url` be sent?
    fn before_hop<'a>(
        &'a self,
        url: &'a Url,
    ) -> Pin<Box<dyn Future<Output = Option<ProbeError>> + Send + 'a>>;
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        let m = inner.to_string();
        if !s.contains(&m) {
            s.push_str(": ");
            s.push_str(&m);
        }
        src = inner.source();
    }
    s
}

/// The resolver's error in a chain of sources, if it is one of them.
fn resolve_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a ResolveError> {
    let mut src = Some(e);
    while let Some(inner) = src {
        if let Some(r) = inner.downcast_ref::<ResolveError>() {
            return Some(r);
        }
        src = inner.source();
    }
    None
}

fn classify_error(e: reqwest::Error) -> ProbeError {
    let chain = error_chain(&e);
    let lower = chain.to_ascii_lowercase();
    let resolver = resolve_error(&e);
    let kind = if matches!(resolver, Some(ResolveError::Private(_))) {
        ErrorKind::Refused
    } else if matches!(resolver, Some(ResolveError::Excluded(_))) {
        ErrorKind::Excluded
    } else if e.is_timeout() {
        ErrorKind::Timeout
    } else if lower.contains("dns error")
        || lower.contains("failed to lookup")
        || lower.contains("name or service not known")
    {
        ErrorKind::Dns
    } else if lower.contains("certificate")
        || lower.contains("tls")
        || lower.contains("handshake")
        // rustls reading a plain-HTTP answer to its ClientHello.
        || lower.contains("corrupt message")
    {
        ErrorKind::Tls
    } else if e.is_connect() {
        ErrorKind::Connect
    } else if e.is_builder() {
        ErrorKind::InvalidUrl
    } else {
        ErrorKind::Http
    };
    let hint = match kind {
        ErrorKind::Dns => " (check the name, or pin it with --resolve HOST:ADDR)",
        ErrorKind::Tls => " (for a private CA, add it with --cacert FILE)",
        ErrorKind::Connect => " (is the server up and listening on that port?)",
        _ => "",
    };
    ProbeError {
        kind,
        message: format!("{chain}{hint}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;

    #[test]
    fn echoed_secrets_are_taken_out_of_what_is_recorded() {
        let secrets = Redactor::new(
            &[
                ("authorization".into(), "Bearer tok-0123456789".into()),
                ("cookie".into(), "session=ck-0123456789; theme=dark".into()),
                ("x-short".into(), "abc".into()),
            ],
            &[],
        );
        let mut r = ResponseRecord {
            status: 401,
            final_url: "https://a.example/?t=tok-0123456789".into(),
            redirects: Vec::new(),
            headers: vec![("x-echo".into(), "Bearer tok-0123456789".into())],
            body: b"{\"error\": \"bad token tok-0123456789, cookie \\u0063k-0123456789, abc\"}"
                .to_vec(),
            truncated: false,
        };
        redact_response(&mut r, &secrets);
        let all = format!(
            "{} {:?} {}",
            r.final_url,
            r.headers,
            String::from_utf8_lossy(&r.body)
        );
        assert!(!all.contains("0123456789"), "{all}");
        assert!(
            all.contains("abc"),
            "short values are left in what the checks read: {all}"
        );
        assert_eq!(
            String::from_utf8_lossy(&r.body),
            "{\"error\": \"bad token [redacted], cookie [redacted], abc\"}"
        );
    }

    #[test]
    fn loopback_targets_reach_every_loopback_host_and_port() {
        let c = HttpConfig {
            private_hosts: vec!["127.0.0.1".into()],
            ..HttpConfig::default()
        };
        for ok in [
            "http://localhost:9/x",
            "http://127.0.0.2:1/",
            "http://[::1]:8080/",
            "http://[::ffff:127.0.0.1]:1/",
            "http://LOCALHOST.:2/",
            "http://api.localhost/",
        ] {
            assert!(c.guard(&Url::parse(ok).unwrap()).is_none(), "{ok}");
        }
        for refused in [
            "http://10.0.0.1/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::ffff:169.254.169.254]/",
            "http://[::ffff:a9fe:a9fe]/",
            "http://[64:ff9b::a9fe:a9fe]/",
            "http://[2002:a9fe:a9fe::1]/",
            "http://[fe80::1]/",
            "http://0.0.0.0/",
        ] {
            let e = c.guard(&Url::parse(refused).unwrap());
            assert_eq!(e.map(|e| e.kind), Some(ErrorKind::Refused), "{refused}");
        }
        // A public target reaches none of them, in any spelling.
        let public = HttpConfig::default();
        for refused in [
            "http://127.0.0.1/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://[::127.0.0.1]/",
            "http://[64:ff9b::7f00:1]/",
            "http://[2002:7f00:1::]/",
            "http://localhost/",
            "http://a.localhost./",
            "http://0x7f.1/",
            "http://2130706433/",
        ] {
            let e = public.guard(&Url::parse(refused).unwrap());
            assert_eq!(e.map(|e| e.kind), Some(ErrorKind::Refused), "{refused}");
        }
        // A private (not loopback) target reaches only its own host.
        let private = HttpConfig {
            private_hosts: vec!["10.0.0.5".into()],
            ..HttpConfig::default()
        };
        assert!(
            private
                .guard(&Url::parse("http://10.0.0.5:8/").unwrap())
                .is_none()
        );
        assert!(
            private
                .guard(&Url::parse("http://10.0.0.6/").unwrap())
                .is_some()
        );
        assert!(
            private
                .guard(&Url::parse("http://127.0.0.1/").unwrap())
                .is_some()
        );
    }

    #[tokio::test]
    async fn the_resolver_judges_what_names_resolve_to() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let config = HttpConfig {
            static_hosts: vec![
                ("mapped.test".into(), vec![ip("::ffff:169.254.169.254")]),
                ("nat64.test".into(), vec![ip("64:ff9b::7f00:1")]),
                (
                    "mixed.test".into(),
                    vec![ip("::ffff:10.0.0.1"), ip("8.8.8.8")],
                ),
                ("loop.test".into(), vec![ip("::ffff:127.0.0.1")]),
                ("public.test".into(), vec![ip("2606:4700::1")]),
            ],
            ..HttpConfig::default()
        };
        let r = GuardedResolver::new(&config);
        for refused in [
            "mapped.test",
            "nat64.test",
            "loop.test",
            "localhost",
            "x.localhost",
        ] {
            let e = r.lookup(refused).await.unwrap_err();
            assert!(matches!(e, ResolveError::Private(_)), "{refused}: {e}");
            assert!(e.to_string().contains("SSRF guard"), "{refused}: {e}");
        }
        let mixed = r.lookup("mixed.test").await.unwrap();
        assert_eq!(
            mixed,
            vec![SocketAddr::new(ip("8.8.8.8"), 0)],
            "private answers dropped"
        );
        assert!(r.lookup("public.test").await.is_ok());
        assert_eq!(
            r.lookup("x.invalid").await,
            Err(ResolveError::Invalid("x.invalid".into()))
        );
        // A loopback target reaches names that resolve to loopback, and
        // nothing else private.
        let looped = GuardedResolver::new(&HttpConfig {
            private_hosts: vec!["localhost".into()],
            ..config
        });
        assert!(looped.lookup("loop.test").await.is_ok());
        assert!(looped.lookup("localhost").await.is_ok());
        assert!(looped.lookup("mapped.test").await.is_err());
        // An opted-out address is not contacted under any name or spelling.
        let opted = GuardedResolver::new(&HttpConfig {
            static_hosts: vec![
                ("a.test".into(), vec![ip("::ffff:8.8.4.4")]),
                ("b.test".into(), vec![ip("8.8.4.4"), ip("8.8.8.8")]),
            ],
            excluded_addrs: vec![ip("8.8.4.4")],
            ..HttpConfig::default()
        });
        let e = opted.lookup("a.test").await.unwrap_err();
        assert_eq!(e, ResolveError::Excluded("a.test".into()));
        assert!(e.to_string().contains("opt-out list (--exclude)"), "{e}");
        assert_eq!(
            opted.lookup("b.test").await.unwrap(),
            vec![SocketAddr::new(ip("8.8.8.8"), 0)]
        );
    }

    /// The resolver's refusals reach the exchange through the HTTP stack
    /// and are classified by their type, not their text (no connection is
    /// attempted: the names resolve only to refused addresses).
    #[tokio::test]
    async fn resolver_refusals_are_classified_through_the_http_stack() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let client = HttpClient::new(HttpConfig {
            static_hosts: vec![
                ("internal.test".into(), vec![ip("10.0.0.1")]),
                ("opted.test".into(), vec![ip("8.8.4.4")]),
            ],
            excluded_addrs: vec![ip("8.8.4.4")],
            ..HttpConfig::default()
        })
        .unwrap();
        for (url, kind, text) in [
            ("http://internal.test/", ErrorKind::Refused, "SSRF guard"),
            (
                "http://opted.test/",
                ErrorKind::Excluded,
                "opt-out list (--exclude)",
            ),
        ] {
            let spec = RequestSpec {
                method: reqwest::Method::GET,
                url: Url::parse(url).unwrap(),
                headers: Vec::new(),
                body: None,
                large_body: false,
            };
            let x = client.exchange("p", &spec, url.trim_end_matches('/')).await;
            let e = x.error.expect("refused");
            assert_eq!(e.kind, kind, "{url}: {}", e.message);
            assert!(e.message.contains(text), "{url}: {}", e.message);
        }
    }

    #[test]
    fn headers_parse() {
        assert_eq!(
            parse_header("Authorization: Bearer abc").unwrap(),
            ("authorization".into(), "Bearer abc".into())
        );
        assert!(parse_header("no colon").is_err());
        assert!(parse_header("bad name: x").is_err());
        // The message never carries the value (often a secret).
        for bad in [
            "X-Api-Key sk-SECRET",
            "bad name: sk-SECRET",
            "X-Api-Key: sk-SECRET\u{7f}",
        ] {
            let e = parse_header(bad).unwrap_err().to_string();
            assert!(!e.contains("SECRET"), "{e}");
            assert!(e.contains("'Name: value'"), "{e}");
        }
        let e = parse_header("X-Api-Key: sk-SECRET\u{0}")
            .unwrap_err()
            .to_string();
        assert!(e.contains("`X-Api-Key`"), "{e}");
    }

    #[test]
    fn resolve_forms() {
        let p = parse_resolve("api.example.com:127.0.0.1").unwrap();
        assert_eq!(p.host, "api.example.com");
        assert_eq!(p.addr, "127.0.0.1".parse::<IpAddr>().unwrap());
        let p = parse_resolve("api.example.com:443:127.0.0.2").unwrap();
        assert_eq!(p.addr, "127.0.0.2".parse::<IpAddr>().unwrap());
        let p = parse_resolve("api.example.com:[::1]").unwrap();
        assert_eq!(p.addr, "::1".parse::<IpAddr>().unwrap());
        let p = parse_resolve("API.example.com:443:[::1]").unwrap();
        assert_eq!(p.host, "api.example.com");
        assert!(parse_resolve("api.example.com").is_err());
        assert!(parse_resolve("api.example.com:notanip").is_err());
        assert!(parse_resolve("api.example.com:99999:127.0.0.1").is_err());
        assert!(parse_resolve(":127.0.0.1").is_err());
    }

    #[test]
    fn wildcard_pins() {
        let p = parse_resolve("*.bench.test:127.0.0.1").unwrap();
        assert!(p.is_wildcard());
        assert!(p.matches("t00001.bench.test"));
        assert!(p.matches("A.B.Bench.Test"));
        assert!(!p.matches("bench.test"));
        assert!(!p.matches("xbench.test"));
        assert!(!p.matches("bench.test.evil"));
        let exact = parse_resolve("bench.test:127.0.0.1").unwrap();
        assert!(!exact.is_wildcard());
        assert!(exact.matches("BENCH.test"));
        assert!(!exact.matches("a.bench.test"));
        for bad in [
            "*:127.0.0.1",
            "*.:127.0.0.1",
            "a.*.test:127.0.0.1",
            "**.x:127.0.0.1",
        ] {
            assert!(parse_resolve(bad).is_err(), "{bad}");
        }
        let c = HttpConfig {
            resolve: vec![p],
            loopback_only: true,
            ..HttpConfig::default()
        };
        assert!(c.private_allowed("t1.bench.test"));
        assert!(
            c.refuses(&Url::parse("http://t1.bench.test/").unwrap())
                .is_none()
        );
        assert!(
            c.refuses(&Url::parse("http://example.com/").unwrap())
                .is_some()
        );
    }

    #[test]
    fn user_agent_names_the_tool() {
        assert!(DEFAULT_USER_AGENT.starts_with("agentready/"));
        assert!(DEFAULT_USER_AGENT.contains("(+https://"));
    }
}
