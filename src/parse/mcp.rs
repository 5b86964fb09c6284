//! MCP over Streamable HTTP: the requests a client opens with, and what a
//! server's answer says about the protocol era it speaks.
//!
//! MCP 2026-07-28 has no `initialize` handshake: a client sends
//! `server/discover` with the `MCP-Protocol-Version` and `Mcp-Method`
//! headers and the per-request `_meta` (server/discover, transports
//! "Streamable HTTP"). A client that also speaks the 2025 revisions tells
//! the eras apart by the answer (versioning, "Backward Compatibility with
//! Initialization-Based Versions"): a `DiscoverResult` or a recognized
//! modern JSON-RPC error means a 2026 server; any other 4xx means a 2025
//! server, to which it falls back with `initialize`. A 401 says nothing
//! about the era: authorization runs first on both.

use serde_json::{Value, json};

/// The MCP revision without an `initialize` handshake.
pub const MODERN_VERSION: &str = "2026-07-28";
/// The newest revision with the `initialize` handshake.
pub const LEGACY_VERSION: &str = "2025-11-25";
/// The JSON-RPC method of the 2026-07-28 discovery request.
pub const DISCOVER_METHOD: &str = "server/discover";

/// JSON-RPC `UnsupportedProtocolVersionError` (2026-07-28).
pub const UNSUPPORTED_PROTOCOL_VERSION: i64 = -32022;
/// JSON-RPC `HeaderMismatchError` (2026-07-28).
pub const HEADER_MISMATCH: i64 = -32020;
/// JSON-RPC `MissingRequiredClientCapabilityError` (2026-07-28).
pub const MISSING_CLIENT_CAPABILITY: i64 = -32021;
/// JSON-RPC "method not found".
pub const METHOD_NOT_FOUND: i64 = -32601;

/// The body of `server/discover` as a 2026-07-28 client sends it: the
/// `_meta` carries the protocol version (equal to the header), the
/// client's capabilities (required, even empty) and its name.
pub fn discover_body(client_version: &str) -> String {
    json!({
        "jsonrpc": "2.0",
        "id": 1,
        "method": DISCOVER_METHOD,
        "params": {"_meta": {
            "io.modelcontextprotocol/protocolVersion": MODERN_VERSION,
            "io.modelcontextprotocol/clientCapabilities": {},
            "io.modelcontextprotocol/clientInfo": {"name": "agentready", "version": client_version}
        }}
    })
    .to_string()
}

/// The headers of `server/discover` besides `Accept` and `Content-Type`.
pub fn discover_headers() -> [(&'static str, &'static str); 2] {
    [
        ("mcp-protocol-version", MODERN_VERSION),
        ("mcp-method", DISCOVER_METHOD),
    ]
}

/// The JSON-RPC `initialize` request a 2025 client sends first.
pub fn initialize_body(client_version: &str) -> String {
    json!({
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": LEGACY_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "agentready", "version": client_version}
        }
    })
    .to_string()
}

/// The JSON-RPC message of a response body: a JSON object, or the first
/// `data:` line of a `text/event-stream` that holds one with a `result` or
/// an `error`.
pub fn message(body: &[u8]) -> Option<Value> {
    let text = std::str::from_utf8(body).ok()?;
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') {
        return serde_json::from_str::<Value>(trimmed)
            .ok()
            .filter(is_response);
    }
    text.lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .filter_map(|d| serde_json::from_str::<Value>(d.trim()).ok())
        .find(is_response)
}

fn is_response(v: &Value) -> bool {
    v.get("jsonrpc").is_some() && (v.get("result").is_some() || v.get("error").is_some())
}

/// The protocol era an answer to `server/discover` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Era {
    /// A 2026-07-28 (modern) server, with the versions it named (empty
    /// when its answer named none).
    Modern {
        /// `supportedVersions`, or `data.supported` of a version error.
        versions: Vec<String>,
        /// How it showed: `discover-result`, or the JSON-RPC error.
        how: String,
    },
    /// A server of the 2025 revisions: a client falls back to `initialize`.
    Legacy {
        /// What it answered, in a few words.
        how: String,
    },
    /// 401 or 403: authorization comes first, the era is not shown.
    AuthRequired,
    /// A 5xx answer, or a bare 404 (no endpoint): no era.
    Unknown {
        /// What it answered.
        how: String,
    },
}

impl Era {
    /// The short name used in report data.
    pub fn name(&self) -> &'static str {
        match self {
            Era::Modern { .. } => "2026",
            Era::Legacy { .. } => "2025",
            Era::AuthRequired => "auth-required",
            Era::Unknown { .. } => "unknown",
        }
    }
}

fn error_code(msg: &Value) -> Option<i64> {
    msg.get("error")?.get("code")?.as_i64()
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The era an answer to `server/discover` shows (streamable HTTP,
/// "Backward Compatibility"): a `DiscoverResult`, or a 4xx whose body is a
/// recognized modern error, is a 2026 server; any other 4xx, or a 2xx that
/// is not a `DiscoverResult`, is a 2025 server, except a 404 without a
/// JSON-RPC body: no endpoint is there.
pub fn classify_discover(status: u16, body: &[u8]) -> Era {
    if status == 401 || status == 403 {
        return Era::AuthRequired;
    }
    if status >= 500 {
        return Era::Unknown {
            how: format!("{status}"),
        };
    }
    let msg = message(body);
    if (200..300).contains(&status) {
        if let Some(result) = msg.as_ref().and_then(|m| m.get("result")) {
            let versions = strings(result.get("supportedVersions"));
            if !versions.is_empty() {
                return Era::Modern {
                    versions,
                    how: "DiscoverResult".into(),
                };
            }
        }
    } else if (400..500).contains(&status)
        && let Some(m) = &msg
        && let Some(code) = error_code(m)
    {
        let modern = code == UNSUPPORTED_PROTOCOL_VERSION
            || code == HEADER_MISMATCH
            || code == MISSING_CLIENT_CAPABILITY
            || (code == METHOD_NOT_FOUND && status == 404);
        if modern {
            let versions = strings(
                m.get("error")
                    .and_then(|e| e.get("data"))
                    .and_then(|d| d.get("supported")),
            );
            return Era::Modern {
                versions,
                how: format!("{status} JSON-RPC error {code}"),
            };
        }
    }
    if status == 404 && msg.is_none() {
        // Nothing there: not a server of either era (an `initialize`
        // would get the same 404).
        return Era::Unknown {
            how: "404 without a JSON-RPC answer: no MCP endpoint at this URL".into(),
        };
    }
    let how = match msg.as_ref().and_then(error_code) {
        Some(code) => format!("{status} JSON-RPC error {code}"),
        None => format!("{status} without a modern JSON-RPC answer"),
    };
    Era::Legacy { how }
}

/// The `protocolVersion` an answer to `initialize` negotiated, if it is
/// an `InitializeResult`.
pub fn initialize_version(status: u16, body: &[u8]) -> Option<String> {
    if !(200..300).contains(&status) {
        return None;
    }
    message(body)?
        .get("result")?
        .get("protocolVersion")?
        .as_str()
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discover_request_is_what_2026_clients_send() {
        let body: Value = serde_json::from_str(&discover_body("1.0")).unwrap();
        assert_eq!(body["method"], "server/discover");
        let meta = &body["params"]["_meta"];
        assert_eq!(meta["io.modelcontextprotocol/protocolVersion"], "2026-07-28");
        assert!(meta["io.modelcontextprotocol/clientCapabilities"].is_object());
        assert_eq!(discover_headers()[0], ("mcp-protocol-version", "2026-07-28"));
        assert_eq!(discover_headers()[1], ("mcp-method", "server/discover"));
        let init: Value = serde_json::from_str(&initialize_body("1.0")).unwrap();
        assert_eq!(init["params"]["protocolVersion"], "2025-11-25");
    }

    #[test]
    fn modern_servers_are_told_from_legacy_ones() {
        // mcp 2.3.0: a DiscoverResult (JSON, or SSE framed).
        let ok = br#"{"jsonrpc":"2.0","id":1,"result":{"supportedVersions":["2026-07-28"],"capabilities":{}}}"#;
        assert_eq!(
            classify_discover(200, ok),
            Era::Modern {
                versions: vec!["2026-07-28".into()],
                how: "DiscoverResult".into()
            }
        );
        let sse = b"event: message\r\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"supportedVersions\":[\"2026-07-28\"]}}\r\n\r\n";
        assert_eq!(classify_discover(200, sse).name(), "2026");
        // A version error names the supported versions.
        let v = br#"{"jsonrpc":"2.0","id":1,"error":{"code":-32022,"message":"x","data":{"supported":["2026-07-28"],"requested":"2099-01-01"}}}"#;
        assert!(matches!(classify_discover(400, v), Era::Modern { versions, .. } if versions == ["2026-07-28"]));
        assert_eq!(
            classify_discover(
                404,
                br#"{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"x"}}"#
            )
            .name(),
            "2026"
        );
        // mcp 1.30.0: 400 -32600 "Missing session ID" / "Unsupported protocol version".
        let legacy = br#"{"jsonrpc":"2.0","id":"server-error","error":{"code":-32600,"message":"Bad Request: Missing session ID"}}"#;
        assert_eq!(classify_discover(400, legacy).name(), "2025");
        // 200 with a JSON-RPC error, an empty 405 or 406: legacy too.
        assert_eq!(
            classify_discover(
                200,
                br#"{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"x"}}"#
            )
            .name(),
            "2025"
        );
        assert_eq!(classify_discover(405, b"").name(), "2025");
        assert_eq!(classify_discover(406, b"").name(), "2025");
        assert_eq!(classify_discover(404, b"<html></html>").name(), "unknown");
        // Auth first; 5xx says nothing.
        assert_eq!(classify_discover(401, b"").name(), "auth-required");
        assert_eq!(classify_discover(403, b"").name(), "auth-required");
        assert_eq!(classify_discover(502, b"").name(), "unknown");
    }

    #[test]
    fn initialize_result_gives_the_negotiated_version() {
        let ok = br#"{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18","capabilities":{},"serverInfo":{"name":"s","version":"1"}}}"#;
        assert_eq!(initialize_version(200, ok).as_deref(), Some("2025-06-18"));
        assert_eq!(initialize_version(400, ok), None);
        assert_eq!(initialize_version(200, b"not json"), None);
        assert_eq!(message(b"garbage\ndata: nope\n"), None);
    }
}
