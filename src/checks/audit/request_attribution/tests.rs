//! Evidence-level tests of `request-attribution`.

use super::{IdKind, classify_header, is_trace_context};
use crate::evidence::Evidence;
use crate::model::outcome::Outcome;
use crate::testing::{ORIGIN, codes, evidence, json, judge, report, route, site, with_headers};
use serde_json::json as j;

const ID: &str = "request-attribution";

fn scan(routes: Vec<crate::fixture::Route>) -> Evidence {
    evidence(site(routes, None), ORIGIN)
}

fn q9(ev: &Evidence) -> String {
    report(ev)
        .questions
        .into_iter()
        .find(|q| q.id == "Q9")
        .unwrap()
        .answer
}

#[test]
fn header_names_are_classified() {
    for n in [
        "x-request-id",
        "request-id",
        "X-Correlation-Id",
        "correlation-id",
        "x-github-request-id",
        "x-amzn-requestid",
        "apigw-requestid",
        "x-slack-req-id",
        "twilio-request-id",
    ] {
        assert_eq!(classify_header(n), Some(IdKind::Request), "{n}");
    }
    for n in [
        "traceparent",
        "traceresponse",
        "x-amzn-trace-id",
        "x-b3-traceid",
    ] {
        assert_eq!(classify_header(n), Some(IdKind::Trace), "{n}");
    }
    for n in [
        "cf-ray",
        "x-amz-cf-id",
        "x-served-by",
        "x-vercel-id",
        "fly-request-id",
    ] {
        assert_eq!(classify_header(n), Some(IdKind::Edge), "{n}");
    }
    for n in [
        "content-type",
        "x-ratelimit-limit",
        "x-requested-with",
        "idempotency-key",
    ] {
        assert_eq!(classify_header(n), None, "{n}");
    }
}

#[test]
fn trace_context_values_are_validated() {
    assert!(is_trace_context(
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    ));
    assert!(!is_trace_context(
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01"
    ));
    assert!(!is_trace_context(
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    ));
    assert!(!is_trace_context(
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"
    ));
    assert!(!is_trace_context("garbage"));
    assert!(!is_trace_context(""));
}

#[test]
fn request_ids_pass_and_q9_is_partial_not_yes() {
    let ev = scan(vec![
        with_headers(
            route(
                "/api",
                401,
                "application/json",
                r#"{"error":"unauthorized"}"#,
            ),
            &[("x-request-id", "7f3c9a2e-41d1-4b8e-9a55-0c1e2d3f4a5b")],
        ),
        with_headers(
            json("/api/v1", &j!({"ok": true})),
            &[("x-request-id", "0c1e2d3f")],
        ),
    ]);
    let r = judge(&ev, ID);
    assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.findings);
    assert_eq!(
        codes(&r),
        vec![
            "request-attribution-id-present",
            "request-attribution-audit-unverifiable"
        ]
    );
    assert!(r.findings[0].message.contains("x-request-id on 2 of"));
    assert!(r.summary.contains("cannot be verified from outside"));
    let data = r.data.unwrap();
    assert_eq!(data["audit_logging_verifiable"], false);
    assert_eq!(data["responses_with_id"], 2);
    assert_eq!(q9(&ev), "partial");
}

#[test]
fn no_request_id_warns_and_q9_is_unknown() {
    let ev = scan(vec![json("/api", &j!({"ok": true}))]);
    let r = judge(&ev, ID);
    assert_eq!(r.outcome, Outcome::Warn);
    assert_eq!(
        codes(&r),
        vec![
            "request-attribution-id-missing",
            "request-attribution-audit-unverifiable"
        ]
    );
    assert_eq!(q9(&ev), "unknown");
}

#[test]
fn edge_ids_do_not_count() {
    let ev = scan(vec![with_headers(
        json("/api", &j!({"ok": true})),
        &[
            ("cf-ray", "8a1b2c3d4e5f6789-AMS"),
            ("server", "cloudflare"),
            ("x-amz-cf-id", "abc"),
        ],
    )]);
    let r = judge(&ev, ID);
    assert_eq!(r.outcome, Outcome::Warn);
    assert!(codes(&r).contains(&"request-attribution-edge-id-only".to_string()));
    assert!(r.findings[1].message.contains("cf-ray"));
}

#[test]
fn body_members_and_trace_context_count() {
    let ev = scan(vec![route(
        "/api",
        403,
        "application/json",
        r#"{"error":{"message":"forbidden","request_id":"req_8Z1x"}}"#,
    )]);
    let r = judge(&ev, ID);
    assert_eq!(r.outcome, Outcome::Pass);
    assert!(r.findings[0].message.contains("body:request_id"));
    let ev = scan(vec![with_headers(
        json("/api", &j!({})),
        &[(
            "traceresponse",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        )],
    )]);
    assert_eq!(judge(&ev, ID).outcome, Outcome::Pass);
    // A malformed traceparent, an empty or oversized id: not identifiers.
    let long = "x".repeat(300);
    let ev = scan(vec![with_headers(
        json("/api", &j!({})),
        &[
            ("traceparent", "not-a-trace"),
            ("x-request-id", " "),
            ("x-correlation-id", long.as_str()),
        ],
    )]);
    assert_eq!(judge(&ev, ID).outcome, Outcome::Warn);
}

#[test]
fn error_responses_without_ids_are_noted() {
    let ev = scan(vec![
        with_headers(json("/api/v1", &j!({"ok": true})), &[("request-id", "r1")]),
        route(
            "/api",
            401,
            "application/json",
            r#"{"error":"unauthorized"}"#,
        ),
    ]);
    let r = judge(&ev, ID);
    assert_eq!(r.outcome, Outcome::Pass);
    assert!(codes(&r).contains(&"request-attribution-error-id-missing".to_string()));
}

#[test]
fn the_catch_all_does_not_count_and_nothing_answering_skips() {
    // Only the random path carries an id: it is not an agent's request.
    let fallback = with_headers(
        route("", 404, "text/plain", "nope"),
        &[("x-request-id", "abc")],
    );
    let mut ev = evidence(site(vec![], Some(fallback)), ORIGIN);
    // Every agent exchange gets the fallback too; drop their ids by hand:
    // keep only the catch-all's response with the header.
    ev.edit_exchanges(|x| {
        if x.probe != crate::model::probe::CATCH_ALL
            && let Some(r) = &mut x.response
        {
            r.headers.retain(|(n, _)| n != "x-request-id");
        }
    });
    assert_eq!(judge(&ev, ID).outcome, Outcome::Warn);
    // No response at all: skip, and Q9 unknown.
    ev.edit_exchanges(|x| {
        x.response = None;
    });
    let r = judge(&ev, ID);
    assert_eq!(r.outcome, Outcome::Skip);
    assert_eq!(q9(&ev), "unknown");
}
