//! A scan sends each distinct request once: the same method, URL,
//! credentials and body never reach a server twice. Every bundled fixture
//! site is scanned at its target and at its origin, in safe and passive
//! mode, and the server counts what it receives by
//! [`agentready::fixture::distinct_key`]; any request seen twice fails.

mod common;

use agentready::fixture::{RunningSite, Site, serve};
use agentready::gather::http::HttpConfig;
use agentready::model::exchange::Mode;
use std::time::Duration;

/// Scan `site` at `path` on its origin in `mode`, and return what the
/// server saw more than once.
async fn duplicates_of(
    site: Site,
    path: Option<&str>,
    mode: Mode,
) -> (String, Vec<(String, usize)>) {
    let running: RunningSite = serve(site).await.unwrap();
    let url = match path {
        Some(p) => format!("{}{p}", running.origin),
        None => running.target.clone(),
    };
    common::scan_with_options(
        &url,
        HttpConfig::loopback_only(),
        Duration::from_secs(10),
        mode,
    )
    .await;
    (url, running.duplicates())
}

#[tokio::test]
async fn no_bundled_site_scan_sends_a_request_twice() {
    let mut found = Vec::new();
    for name in Site::bundled_names() {
        for path in [None, Some("/")] {
            for mode in [Mode::Safe, Mode::Passive] {
                let (url, dups) = duplicates_of(Site::bundled(&name).unwrap(), path, mode).await;
                if !dups.is_empty() {
                    found.push(format!("{name} ({url}, {mode:?}): {dups:?}"));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "requests sent more than once:\n  {}",
        found.join("\n  ")
    );
}

/// An API description whose `servers` entry is a conventional API base URL
/// (`/api/v1`): the base URL is fetched once, not once as a conventional
/// base and again as the description's server.
#[tokio::test]
async fn a_server_equal_to_a_conventional_base_is_fetched_once() {
    let site = Site::parse(
        "servers-api-v1",
        r#"
name = "servers-api-v1"
description = "A description naming the conventional base /api/v1 as its server."

[[route]]
path = "/openapi.json"
content_type = "application/json"
body = '{"openapi":"3.1.0","info":{"title":"t","version":"1"},"servers":[{"url":"{{origin}}/api/v1"}],"paths":{"/items":{"get":{"operationId":"listItems","responses":{"200":{"description":"ok"}}}}}}'

[[route]]
path = "/api/v1"
status = 401
content_type = "application/json"
body = '{"error":"unauthorized"}'
[route.headers]
"www-authenticate" = 'Bearer realm="api"'
"#,
        |_| None,
    )
    .unwrap();
    for mode in [Mode::Safe, Mode::Passive] {
        let (url, dups) = duplicates_of(site.clone(), Some("/"), mode).await;
        assert!(dups.is_empty(), "{url} {mode:?}: {dups:?}");
    }
}

/// An MCP target whose protected-resource document names the conventional
/// base `/api/v1` as a resource: `/api/v1` is fetched once, although the
/// conventional-base probe and the resource's API probe are planned by two
/// steps.
#[tokio::test]
async fn a_prm_resource_equal_to_a_conventional_base_is_fetched_once() {
    let site = Site::parse(
        "mcp-prm-api-v1",
        r#"
name = "mcp-prm-api-v1"
description = "An MCP server whose root PRM names /api/v1 as a resource."
target = "/mcp"

[[route]]
path = "/.well-known/oauth-protected-resource"
content_type = "application/json"
body = '{"resource":"{{origin}}/api/v1","authorization_servers":["{{origin}}"]}'

[[route]]
path = "/api/v1"
status = 401
content_type = "application/json"
body = '{"error":"unauthorized"}'
[route.headers]
"www-authenticate" = 'Bearer realm="api"'
"#,
        |_| None,
    )
    .unwrap();
    for mode in [Mode::Safe, Mode::Passive] {
        let (url, dups) = duplicates_of(site.clone(), None, mode).await;
        assert!(dups.is_empty(), "{url} {mode:?}: {dups:?}");
    }
}

/// A description whose server is written with a trailing slash, on a
/// framework that redirects `/api/v1/` to `/api/v1`.
#[tokio::test]
async fn a_server_redirecting_to_a_conventional_base_is_fetched_once() {
    let site = Site::parse(
        "servers-api-v1-slash",
        r#"
name = "servers-api-v1-slash"
description = "A description naming /api/v1/ as its server; /api/v1/ redirects to /api/v1."

[[route]]
path = "/openapi.json"
content_type = "application/json"
body = '{"openapi":"3.1.0","info":{"title":"t","version":"1"},"servers":[{"url":"{{origin}}/api/v1/"}],"paths":{"/items":{"get":{"operationId":"listItems","responses":{"200":{"description":"ok"}}}}}}'

[[route]]
path = "/api/v1/"
status = 308
[route.headers]
"location" = "{{origin}}/api/v1"

[[route]]
path = "/api/v1"
status = 401
content_type = "application/json"
body = '{"error":"unauthorized"}'
[route.headers]
"www-authenticate" = 'Bearer realm="api"'
"#,
        |_| None,
    )
    .unwrap();
    for mode in [Mode::Safe, Mode::Passive] {
        let (url, dups) = duplicates_of(site.clone(), Some("/"), mode).await;
        assert!(dups.is_empty(), "{url} {mode:?}: {dups:?}");
    }
}
