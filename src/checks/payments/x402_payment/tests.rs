//! Evidence-level tests of `x402-payment`: in-memory sites answered through
//! the real planner, then judged.

use super::{PaymentRequiredError, decode_payment_required, is_caip2};
use crate::evidence::Evidence;
use crate::model::outcome::Outcome;
use crate::testing::{ORIGIN, codes, evidence, json, judge, route, site, with_headers};
use base64::Engine;
use serde_json::{Value, json as j};

const ID: &str = "x402-payment";

/// The PAYMENT-REQUIRED example of the x402 HTTP transport v2 document,
/// verbatim.
const SPEC_V2_HEADER: &str = "eyJ4NDAyVmVyc2lvbiI6MiwiZXJyb3IiOiJQQVlNRU5ULVNJR05BVFVSRSBoZWFkZXIgaXMgcmVxdWlyZWQiLCJyZXNvdXJjZSI6eyJ1cmwiOiJodHRwczovL2FwaS5leGFtcGxlLmNvbS9wcmVtaXVtLWRhdGEiLCJkZXNjcmlwdGlvbiI6IkFjY2VzcyB0byBwcmVtaXVtIG1hcmtldCBkYXRhIiwibWltZVR5cGUiOiJhcHBsaWNhdGlvbi9qc29uIn0sImFjY2VwdHMiOlt7InNjaGVtZSI6ImV4YWN0IiwibmV0d29yayI6ImVpcDE1NTo4NDUzMiIsImFtb3VudCI6IjEwMDAwIiwiYXNzZXQiOiIweDAzNkNiRDUzODQyYzU0MjY2MzRlNzkyOTU0MWVDMjMxOGYzZENGN2UiLCJwYXlUbyI6IjB4MjA5NjkzQmM2YWZjMEM1MzI4YkEzNkZhRjAzQzUxNEVGMzEyMjg3QyIsIm1heFRpbWVvdXRTZWNvbmRzIjo2MCwiZXh0cmEiOnsibmFtZSI6IlVTREMiLCJ2ZXJzaW9uIjoiMiJ9fV19";

fn v1_body() -> Value {
    j!({
        "x402Version": 1,
        "error": "X-PAYMENT header is required",
        "accepts": [{
            "scheme": "exact",
            "network": "base-sepolia",
            "maxAmountRequired": "10000",
            "asset": "0x036CbD53842c5426634e7929541eC2318f3dCF7e",
            "payTo": "0x209693Bc6afc0C5328bA36FaF03C514EF312287C",
            "resource": "https://api.example.com/premium-data",
            "description": "Access to premium market data",
            "mimeType": "application/json",
            "outputSchema": null,
            "maxTimeoutSeconds": 60,
            "extra": {"name": "USDC", "version": "2"}
        }]
    })
}

fn v2_doc() -> Value {
    j!({
        "x402Version": 2,
        "error": "PAYMENT-SIGNATURE header is required",
        "resource": {"url": "https://api.example.com/premium-data"},
        "accepts": [{
            "scheme": "exact",
            "network": "eip155:8453",
            "amount": "2500",
            "asset": "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
            "payTo": "0x209693Bc6afc0C5328bA36FaF03C514EF312287C",
            "maxTimeoutSeconds": 60,
            "extra": {"name": "USDC", "version": "2"}
        }]
    })
}

fn b64(v: &Value) -> String {
    base64::engine::general_purpose::STANDARD.encode(v.to_string())
}

fn paid_route(path: &str, body: &Value) -> crate::fixture::Route {
    route(path, 402, "application/json", &body.to_string())
}

fn v2_route(path: &str, header: &str) -> crate::fixture::Route {
    with_headers(
        route(path, 402, "application/json", "{}"),
        &[("payment-required", header)],
    )
}

fn scan(routes: Vec<crate::fixture::Route>) -> Evidence {
    evidence(site(routes, None), ORIGIN)
}

fn outcome(ev: &Evidence) -> (Outcome, Vec<String>) {
    let r = judge(ev, ID);
    assert_ne!(r.outcome, Outcome::Error, "{}", r.summary);
    let c = codes(&r);
    (r.outcome, c)
}

#[test]
fn no_402_anywhere_is_skip() {
    let ev = scan(vec![json("/api", &j!({"ok": true}))]);
    let r = judge(&ev, ID);
    assert_eq!(r.outcome, Outcome::Skip);
    assert!(r.summary.contains("402"));
}

#[test]
fn a_v1_body_challenge_passes_and_reports_price_and_network() {
    let ev = scan(vec![paid_route("/api", &v1_body())]);
    let r = judge(&ev, ID);
    assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.findings);
    assert_eq!(codes(&r), vec!["x402-payment-challenge-found"]);
    let msg = &r.findings[0].message;
    assert!(msg.contains("x402 v1"), "{msg}");
    assert!(msg.contains("10000 atomic units of USDC"), "{msg}");
    assert!(msg.contains("base-sepolia"), "{msg}");
    let data = r.data.unwrap();
    let c = &data["challenges"][0];
    assert_eq!(c["probe"], "api-base");
    assert_eq!(c["version"], 1);
    assert_eq!(c["valid"], true);
    assert_eq!(c["accepts"][0]["amount"], "10000");
    assert_eq!(c["accepts"][0]["network"], "base-sepolia");
    assert_eq!(c["resource"], "https://api.example.com/premium-data");
}

#[test]
fn the_spec_v2_header_example_passes() {
    let ev = scan(vec![v2_route("/api/v1", SPEC_V2_HEADER)]);
    let r = judge(&ev, ID);
    assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.findings);
    let msg = &r.findings[0].message;
    assert!(msg.contains("x402 v2"), "{msg}");
    assert!(msg.contains("eip155:84532"), "{msg}");
    assert!(msg.contains("10000 atomic units of USDC"), "{msg}");
    let data = r.data.unwrap();
    assert_eq!(data["challenges"][0]["probe"], "api-base-v1");
    assert_eq!(data["challenges"][0]["version"], 2);
    assert_eq!(
        data["challenges"][0]["resource"],
        "https://api.example.com/premium-data"
    );
}

#[test]
fn a_v2_header_in_url_safe_base64_without_padding_is_read() {
    let text = v2_doc().to_string();
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text);
    let ev = scan(vec![v2_route("/api", &header)]);
    assert_eq!(outcome(&ev).0, Outcome::Pass);
}

#[test]
fn a_bare_402_warns() {
    let ev = scan(vec![route(
        "/api",
        402,
        "text/html",
        "<html><body>Payment required. Please subscribe.</body></html>",
    )]);
    let (o, c) = outcome(&ev);
    assert_eq!(o, Outcome::Warn);
    assert_eq!(c, vec!["x402-payment-bare-402"]);
    // A JSON body without x402Version is bare too.
    let ev = scan(vec![paid_route("/api", &j!({"error": "payment required"}))]);
    assert_eq!(outcome(&ev).1, vec!["x402-payment-bare-402"]);
}

#[test]
fn v1_missing_essential_members_fails() {
    let mut body = v1_body();
    body["accepts"][0].as_object_mut().unwrap().remove("payTo");
    body["accepts"][0]["maxAmountRequired"] = j!(10000);
    let ev = scan(vec![paid_route("/api", &body)]);
    let r = judge(&ev, ID);
    assert_eq!(r.outcome, Outcome::Fail);
    assert_eq!(codes(&r), vec!["x402-payment-v1-invalid"]);
    let msg = &r.findings[0].message;
    assert!(msg.contains("payTo is missing"), "{msg}");
    assert!(msg.contains("maxAmountRequired is a number"), "{msg}");
    // A decimal amount is not atomic units.
    let mut body = v1_body();
    body["accepts"][0]["maxAmountRequired"] = j!("0.01");
    let ev = scan(vec![paid_route("/api", &body)]);
    assert_eq!(outcome(&ev).1, vec!["x402-payment-v1-invalid"]);
}

#[test]
fn missing_required_but_inessential_members_warn() {
    let mut body = v1_body();
    let entry = body["accepts"][0].as_object_mut().unwrap();
    entry.remove("description");
    entry.remove("maxTimeoutSeconds");
    body.as_object_mut().unwrap().remove("error");
    let ev = scan(vec![paid_route("/api", &body)]);
    let r = judge(&ev, ID);
    assert_eq!(r.outcome, Outcome::Warn);
    assert!(codes(&r).contains(&"x402-payment-requirements-incomplete".to_string()));
    assert!(codes(&r).contains(&"x402-payment-challenge-found".to_string()));
    let msg = &r.findings[0].message;
    assert!(msg.contains("error"), "{msg}");
    assert!(msg.contains("accepts[0].description"), "{msg}");
}

#[test]
fn empty_or_missing_accepts_fails() {
    for accepts in [j!([]), j!(null), j!({"scheme": "exact"})] {
        let mut body = v1_body();
        body["accepts"] = accepts.clone();
        let ev = scan(vec![paid_route("/api", &body)]);
        let (o, c) = outcome(&ev);
        assert_eq!(o, Outcome::Fail, "{accepts}");
        assert_eq!(c, vec!["x402-payment-accepts-empty"], "{accepts}");
    }
}

#[test]
fn unknown_versions_warn() {
    let mut body = v1_body();
    body["x402Version"] = j!(3);
    let ev = scan(vec![paid_route("/api", &body)]);
    assert_eq!(
        outcome(&ev),
        (Outcome::Warn, vec!["x402-payment-version-unknown".into()])
    );
    let mut doc = v2_doc();
    doc["x402Version"] = j!(7);
    let ev = scan(vec![v2_route("/api", &b64(&doc))]);
    assert_eq!(outcome(&ev).1, vec!["x402-payment-version-unknown"]);
}

#[test]
fn v2_header_defects_fail() {
    let cases: Vec<(String, &str)> = vec![
        ("!!! not base64 !!!".into(), "not base64"),
        (
            base64::engine::general_purpose::STANDARD.encode("not json"),
            "not JSON",
        ),
        (b64(&j!([1, 2])), "not a JSON object"),
        (
            b64(&{
                let mut d = v2_doc();
                d.as_object_mut().unwrap().remove("resource");
                d
            }),
            "resource.url",
        ),
        (
            b64(&{
                let mut d = v2_doc();
                d["accepts"][0].as_object_mut().unwrap().remove("amount");
                d
            }),
            "amount is missing",
        ),
        (
            b64(&{
                let mut d = v2_doc();
                d["x402Version"] = j!(1);
                d
            }),
            "x402Version 1",
        ),
        (
            b64(&{
                let mut d = v2_doc();
                d.as_object_mut().unwrap().remove("x402Version");
                d
            }),
            "no x402Version",
        ),
        ("A".repeat(super::MAX_PAYMENT_REQUIRED + 4), "more than"),
    ];
    for (header, why) in cases {
        let ev = scan(vec![v2_route("/api", &header)]);
        let r = judge(&ev, ID);
        assert_eq!(r.outcome, Outcome::Fail, "{why}: {:?}", r.findings);
        assert!(
            codes(&r).contains(&"x402-payment-v2-header-invalid".to_string()),
            "{why}: {:?}",
            codes(&r)
        );
        assert!(
            r.findings.iter().any(|f| f.message.contains(why)),
            "{why}: {:?}",
            r.findings
        );
    }
}

#[test]
fn a_v2_body_without_the_header_fails_but_reports_the_price() {
    let ev = scan(vec![paid_route("/api", &v2_doc())]);
    let r = judge(&ev, ID);
    assert_eq!(r.outcome, Outcome::Fail);
    assert_eq!(codes(&r), vec!["x402-payment-v2-header-missing"]);
    let data = r.data.unwrap();
    assert_eq!(data["challenges"][0]["accepts"][0]["amount"], "2500");
    assert_eq!(data["challenges"][0]["valid"], false);
}

#[test]
fn v2_networks_must_be_caip2() {
    let mut doc = v2_doc();
    doc["accepts"][0]["network"] = j!("base");
    let ev = scan(vec![v2_route("/api", &b64(&doc))]);
    let (o, c) = outcome(&ev);
    assert_eq!(o, Outcome::Warn);
    assert!(c.contains(&"x402-payment-network-not-caip2".to_string()));
    assert!(is_caip2("eip155:8453"));
    assert!(is_caip2("solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp"));
    assert!(!is_caip2("base-sepolia"));
    assert!(!is_caip2("EIP155:1"));
    assert!(!is_caip2("ab:1"));
    assert!(!is_caip2("eip155:"));
}

#[test]
fn every_402_is_judged_and_the_worst_wins() {
    let ev = scan(vec![
        v2_route("/api/v1", SPEC_V2_HEADER),
        route("/api", 402, "text/plain", "pay up"),
    ]);
    let r = judge(&ev, ID);
    assert_eq!(r.outcome, Outcome::Warn);
    assert_eq!(r.data.unwrap()["challenges"].as_array().unwrap().len(), 2);
    // A 402 on a metadata URL counts too.
    let ev = scan(vec![paid_route(
        "/.well-known/oauth-authorization-server",
        &v1_body(),
    )]);
    assert_eq!(outcome(&ev).0, Outcome::Pass);
}

#[test]
fn decoding_never_panics_on_hostile_input() {
    for s in ["", "=", "====", "\u{0}", "eyJ", "e30", "ZmFsc2U", "W10"] {
        let _ = decode_payment_required(s);
    }
    assert_eq!(decode_payment_required("e30").unwrap(), j!({}));
    assert_eq!(
        decode_payment_required("!!"),
        Err(PaymentRequiredError::NotBase64)
    );
    assert!(matches!(
        decode_payment_required("bm90IGpzb24"),
        Err(PaymentRequiredError::NotJson(_))
    ));
}

/// A route from one of the research's `.http` examples (status line,
/// headers, blank line, body); repeated headers are joined with ", " (RFC
/// 9110 §5.3).
fn http_example(path: &str, name: &str) -> crate::fixture::Route {
    let text = std::fs::read_to_string(format!(
        "{}/fixtures/standards/payment/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status: u16 = lines
        .next()
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let mut r = route(path, status, "application/octet-stream", body.trim());
    r.content_type = None;
    for l in lines {
        let (n, v) = l.split_once(':').unwrap();
        let n = n.trim().to_ascii_lowercase();
        let v = v.trim().to_string();
        if n == "content-type" {
            r.content_type = Some(v);
            continue;
        }
        r.headers
            .entry(n)
            .and_modify(|old| *old = format!("{old}, {v}"))
            .or_insert(v);
    }
    r
}

#[test]
fn a_payment_scheme_challenge_is_not_a_bare_402() {
    let ev = scan(vec![http_example("/api", "mpp-402-valid.http")]);
    let (o, c) = outcome(&ev);
    assert_eq!(o, Outcome::Pass);
    assert_eq!(
        c,
        vec![
            "x402-payment-payment-challenge-found",
            "x402-payment-payment-challenge-found"
        ]
    );
    let r = judge(&ev, ID);
    let data = r.data.unwrap();
    let p = &data["challenges"][0]["payment"];
    assert_eq!(p[0]["method"], "stripe");
    assert_eq!(p[0]["intent"], "charge");
    assert_eq!(p[0]["request"]["amount"], "250");
    assert_eq!(p[0]["request"]["currency"], "usd");
    assert_eq!(p[1]["method"], "tempo");
    assert!(r.summary.contains("Payment stripe charge of 250 usd"), "{}", r.summary);
}

#[test]
fn a_malformed_payment_challenge_fails() {
    let ev = scan(vec![http_example("/api", "mpp-402-malformed.http")]);
    let (o, c) = outcome(&ev);
    assert_eq!(o, Outcome::Fail);
    assert_eq!(c, vec!["x402-payment-payment-challenge-invalid"]);
    let r = judge(&ev, ID);
    let f = &r.findings[0].message;
    assert!(f.contains("`id` is missing"), "{f}");
    assert!(f.contains("not lower-case"), "{f}");
    // Valid parameters without Cache-Control: no-store warn.
    let mut valid = http_example("/api", "mpp-402-valid.http");
    valid.headers.remove("cache-control");
    let (o, c) = outcome(&scan(vec![valid]));
    assert_eq!(o, Outcome::Warn);
    assert!(c.contains(&"x402-payment-payment-cacheable".to_string()), "{c:?}");
    // A padded standard-base64 request is not base64url without padding.
    let padded = with_headers(
        route("/api", 402, "application/problem+json", "{}"),
        &[
            ("cache-control", "no-store"),
            (
                "www-authenticate",
                r#"Payment id="a", realm="r", method="stripe", intent="charge", request="eyJhIjoxfQ==""#,
            ),
        ],
    );
    assert_eq!(
        outcome(&scan(vec![padded])).1,
        vec!["x402-payment-payment-challenge-invalid"]
    );
}

#[test]
fn payment_and_x402_on_one_402_are_both_reported() {
    let mut r = http_example("/api", "mpp-402-valid.http");
    r.headers.insert("payment-required".into(), b64(&v2_doc()));
    let ev = scan(vec![r]);
    let (o, c) = outcome(&ev);
    assert_eq!(o, Outcome::Pass, "{c:?}");
    assert!(c.contains(&"x402-payment-challenge-found".to_string()));
    assert!(c.contains(&"x402-payment-payment-challenge-found".to_string()));
}
