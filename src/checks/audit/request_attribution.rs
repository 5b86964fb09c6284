//! Audit family: request attribution (Q9).
//!
//! Whether a service logs each action against the credential that performed
//! it cannot be seen from outside. What can be seen is whether responses
//! carry an identifier of the application's record of the request: a
//! request or correlation id header, a JSON `request_id` member, or a W3C
//! Trace Context id. Edge ids (a CDN hop) are recognised and set apart.

use crate::checks::Builtin;
use crate::checks::codes::request_attribution as code;
use crate::evidence::Evidence;
use crate::model::exchange::ResponseRecord;
use crate::model::outcome::{Evaluation, finding};
use crate::model::probe::Needs;
use regex::Regex;
use serde_json::{Value, json};
use std::sync::OnceLock;

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::API_RESOURCES,
    eval: request_attribution,
};

/// Identifier values longer than this are not accepted as ids.
const MAX_ID_LEN: usize = 256;
/// Identifiers listed in `data.identifiers`, at most.
const MAX_LISTED: usize = 50;

/// What an identifier names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// The application's (or its API gateway's) record of the request.
    Request,
    /// A distributed-trace id the application propagates and logs.
    Trace,
    /// A CDN or platform edge hop: not the application's record.
    Edge,
}

impl IdKind {
    fn as_str(self) -> &'static str {
        match self {
            IdKind::Request => "request",
            IdKind::Trace => "trace",
            IdKind::Edge => "edge",
        }
    }
}

/// Response headers set by a CDN or hosting edge, not by the application.
const EDGE_HEADERS: &[&str] = &[
    "cf-ray",
    "x-amz-cf-id",
    "x-amz-cf-pop",
    "x-served-by",
    "x-timer",
    "x-vercel-id",
    "fly-request-id",
    "x-nf-request-id",
    "x-azure-ref",
    "x-msedge-ref",
    "x-fastly-request-id",
    "x-akamai-request-id",
    "akamai-request-id",
    "x-iinfo",
    "x-sucuri-id",
    "x-cdn-request-id",
];

fn request_id_name() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^(?:[a-z0-9]+-)*(?:request|req|correlation)-?id$").expect("static regex")
    })
}

fn trace_id_name() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"^(?:[a-z0-9]+-)*trace-?id$").expect("static regex"))
}

/// Classify a response header name (lower case) as an identifier header.
pub fn classify_header(name: &str) -> Option<IdKind> {
    let name = name.to_ascii_lowercase();
    if EDGE_HEADERS.contains(&name.as_str()) {
        Some(IdKind::Edge)
    } else if name == "traceparent" || name == "traceresponse" || trace_id_name().is_match(&name) {
        Some(IdKind::Trace)
    } else if request_id_name().is_match(&name) {
        Some(IdKind::Request)
    } else {
        None
    }
}

/// W3C Trace Context §3.2: `version-traceid-parentid-flags`, lower-case
/// hex, version not `ff`, ids not all zeros.
pub fn is_trace_context(value: &str) -> bool {
    let parts: Vec<&str> = value.trim().split('-').collect();
    let hex = |s: &str, n: usize| {
        s.len() == n
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    parts.len() >= 4
        && hex(parts[0], 2)
        && parts[0] != "ff"
        && (parts[0] != "00" || parts.len() == 4)
        && hex(parts[1], 32)
        && parts[1].bytes().any(|b| b != b'0')
        && hex(parts[2], 16)
        && parts[2].bytes().any(|b| b != b'0')
        && hex(parts[3], 2)
}

/// A plausible identifier value: non-empty, bounded, visible ASCII.
fn plausible_value(v: &str) -> bool {
    let v = v.trim();
    !v.is_empty() && v.len() <= MAX_ID_LEN && v.bytes().all(|b| b.is_ascii_graphic())
}

/// JSON body members that carry a request id (top level, or in `error`).
const BODY_MEMBERS: &[&str] = &[
    "request_id",
    "requestId",
    "request-id",
    "correlation_id",
    "correlationId",
    "trace_id",
    "traceId",
];

/// One identifier found on a response.
#[derive(Debug, Clone)]
struct Found {
    /// Header name, or `body:<member>`.
    name: String,
    value: String,
    kind: IdKind,
}

fn identifiers(ev: &Evidence, idx: usize, resp: &ResponseRecord) -> Vec<Found> {
    let mut out = Vec::new();
    for (name, value) in &resp.headers {
        let Some(kind) = classify_header(name) else {
            continue;
        };
        let ok = match name.as_str() {
            "traceparent" | "traceresponse" => is_trace_context(value),
            _ => plausible_value(value),
        };
        if ok && !out.iter().any(|f: &Found| &f.name == name) {
            out.push(Found {
                name: name.clone(),
                value: value.trim().to_string(),
                kind,
            });
        }
    }
    if let Some(doc) = ev.json_at(idx) {
        let scopes = [Some(doc.as_ref()), doc.get("error")];
        for obj in scopes.into_iter().flatten() {
            for m in BODY_MEMBERS {
                let value = match obj.get(*m) {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Number(n)) => n.to_string(),
                    _ => continue,
                };
                if plausible_value(&value) {
                    out.push(Found {
                        name: format!("body:{m}"),
                        value,
                        kind: if m.starts_with("trace") {
                            IdKind::Trace
                        } else {
                            IdKind::Request
                        },
                    });
                }
            }
        }
    }
    out
}

/// `request-attribution`: responses to an agent's requests carry an
/// application request id; Q9's audit logging is stated unverifiable.
pub fn request_attribution(ev: &Evidence) -> Evaluation {
    let mut listed: Vec<Value> = Vec::new();
    let mut evidence = Vec::new();
    let mut responses = 0usize;
    let mut with_app_id = 0usize;
    let mut app_names: Vec<String> = Vec::new();
    let mut edge_names: Vec<String> = Vec::new();
    let mut app_examples: Vec<String> = Vec::new();
    let (mut ok_with, mut err_with, mut err_total) = (0usize, 0usize, 0usize);
    for (probe, idx, x) in ev.agent_exchanges() {
        let Some(resp) = &x.response else { continue };
        responses += 1;
        let ids = identifiers(ev, idx, resp);
        let app = ids.iter().any(|f| f.kind != IdKind::Edge);
        // The failed calls an operator traces: refused, throttled, broken.
        let is_error = matches!(resp.status, 401 | 403 | 429) || resp.status >= 500;
        if is_error {
            err_total += 1;
        }
        if app {
            with_app_id += 1;
            evidence.push(probe.to_string());
            if is_error {
                err_with += 1;
            } else if resp.is_success() {
                ok_with += 1;
            }
        }
        for f in ids {
            let names = if f.kind == IdKind::Edge {
                &mut edge_names
            } else {
                &mut app_names
            };
            if !names.contains(&f.name) {
                names.push(f.name.clone());
            }
            if f.kind != IdKind::Edge && app_examples.len() < 3 {
                app_examples.push(format!("{probe} {}: {}", resp.status, f.name));
            }
            if listed.len() < MAX_LISTED {
                listed.push(json!({
                    "probe": probe,
                    "status": resp.status,
                    "name": f.name,
                    "value": f.value.chars().take(128).collect::<String>(),
                    "kind": f.kind.as_str(),
                }));
            }
        }
    }
    if responses == 0 {
        return Evaluation::skip("no request an agent would make got a response");
    }
    let unverifiable = finding(
        code::AUDIT_UNVERIFIABLE,
        "Whether every API action is logged against the credential that performed it \
         cannot be verified from outside; a request id is the observable precondition, \
         not proof of audit logging (Q9 is answered partial at best)",
        None,
    );
    let mut findings = Vec::new();
    let summary = if with_app_id > 0 {
        findings.push(finding(
            code::ID_PRESENT,
            format!(
                "{} on {with_app_id} of {responses} responses (e.g. {})",
                app_names.join(", "),
                app_examples.join("; ")
            ),
            evidence.first().map(String::as_str),
        ));
        if ok_with > 0 && err_total > 0 && err_with == 0 {
            findings.push(finding(
                code::ERROR_ID_MISSING,
                format!(
                    "successful responses carry {} but none of the {err_total} error responses does",
                    app_names.join(", ")
                ),
                None,
            ));
        }
        format!(
            "responses carry {} (attributable); per-credential audit logging cannot be verified from outside",
            app_names.join(", ")
        )
    } else {
        findings.push(finding(
            code::ID_MISSING,
            format!("none of the {responses} responses carries a request or correlation id"),
            None,
        ));
        if !edge_names.is_empty() {
            findings.push(finding(
                code::EDGE_ID_ONLY,
                format!(
                    "only edge identifiers were seen ({}): they locate a CDN hop, not the application's record",
                    edge_names.join(", ")
                ),
                None,
            ));
        }
        "no request id on any response; per-credential audit logging cannot be verified from outside".into()
    };
    findings.push(unverifiable);
    let mut data = json!({
        "responses": responses,
        "responses_with_id": with_app_id,
        "audit_logging_verifiable": false,
    });
    data["identifiers"] = Value::Array(listed);
    Evaluation::evaluated(summary, findings, evidence).with_data(data)
}

#[cfg(test)]
mod tests;
