//! `bot-challenge`: no CAPTCHA or bot challenge answers an agent's requests.
//!
//! Every exchange an agent would make (metadata, API, token, registration,
//! revocation… — all but the random catch-all path and user checks) is
//! matched against the vendor fingerprints of `checks/fingerprints/`:
//!
//! | signature | verdict |
//! | --- | --- |
//! | strong (a vendor challenge/block header, with its status) | `fail` wherever it appears |
//! | body challenge or block page | `fail` on a response to a JSON request (every probe sends `Accept: application/json`); `info` otherwise |
//! | body CAPTCHA widget | `fail` when the answer to a JSON API request (any status), or an error response to any JSON request, is an HTML page embedding it (the widget stands in for the API's answer: an interstitial); on another 2xx HTML page it is an ordinary form (`info`) |
//! | cookie | corroborates a challenge; alone, `info` (bot management present) |
//! | presence (`cf-ray`, `server: cloudflare`, `x-amz-cf-id`…) | `info`, never a challenge |
//!
//! Only the headers a signature names are read (a Content-Security-Policy
//! that allow-lists a CAPTCHA host is never matched), at most 8 KiB of a
//! header value and the first 64 KiB of a body.

use crate::checks::Builtin;
use crate::checks::codes::bot_challenge as code;
use crate::classify::fingerprints;
use crate::classify::fingerprints::{Kind, Means, Signature};
use crate::evidence::Evidence;
use crate::model::exchange::{Exchange, ResponseRecord};
use crate::model::outcome::{Code, Evaluation, Finding, finding};
use crate::model::probe::{Needs, ProbeMeta};
use serde_json::{Value, json};

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::ALL,
    eval: bot_challenge,
};

/// Bytes of a body searched for markers.
pub const MAX_BODY_SCAN: usize = 64 * 1024;
/// Bytes of a header value matched.
const MAX_HEADER_SCAN: usize = 8 * 1024;
/// Set-Cookie headers read per response, at most.
const MAX_COOKIES: usize = 64;
/// Detections listed in `data.detections`, at most.
const MAX_LISTED: usize = 50;
/// Characters of server-sent text quoted in findings.
const MAX_QUOTE: usize = 80;

fn quote(s: &str) -> String {
    let clean: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let clean = clean.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::model::texts::shorten(&clean, MAX_QUOTE)
}

/// Names of the cookies a response sets.
fn cookie_names(resp: &ResponseRecord) -> Vec<String> {
    resp.header_all("set-cookie")
        .take(MAX_COOKIES)
        .filter_map(|v| {
            let pair = v.split(';').next()?;
            let name = pair.split('=').next()?.trim();
            (!name.is_empty() && name.len() <= 128).then(|| name.to_string())
        })
        .collect()
}

/// Does `sig` hold for this response? Returns what matched.
fn matches(
    sig: &Signature,
    resp: &ResponseRecord,
    body: &str,
    cookies: &[String],
) -> Option<String> {
    if !sig.status.is_empty() && !sig.status.contains(&resp.status) {
        return None;
    }
    let mut evidence = Vec::new();
    if let Some(h) = &sig.header {
        let value = resp.header_all(&h.name).find(|v| {
            h.value
                .as_ref()
                .is_none_or(|re| re.is_match(&v[..v.floor_char_boundary(MAX_HEADER_SCAN)]))
        })?;
        evidence.push(format!("header {}: {}", h.name, quote(value)));
    }
    if let Some(re) = &sig.body {
        let m = re.find(body)?;
        evidence.push(format!("body contains \"{}\"", quote(m.as_str())));
    }
    if let Some(re) = &sig.cookie {
        let name = cookies.iter().find(|c| re.is_match(c))?;
        evidence.push(format!("Set-Cookie {name}"));
    }
    Some(evidence.join(", "))
}

/// The verdict one signature hit gives on one exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Fails with this finding code.
    Fail(Code),
    /// A CAPTCHA on an ordinary page.
    OnPage,
    /// Corroboration / presence only.
    Presence,
}

/// `None` when the hit means nothing here (a widget marker in a body that
/// is not HTML, e.g. a JSON document that mentions a CAPTCHA host).
///
/// `api_request`: the request was an API call (an API or MCP endpoint, an
/// API base URL; not a site root). An HTML page embedding a CAPTCHA widget
/// in answer to a JSON API request is an interstitial standing in for the
/// API's answer, whatever its status (a Google reCAPTCHA "unusual traffic"
/// page, an hCaptcha wall); on another 2xx page it is an ordinary form.
fn verdict(
    sig: &Signature,
    resp: &ResponseRecord,
    json_request: bool,
    api_request: bool,
) -> Option<Verdict> {
    Some(match (sig.kind, sig.means) {
        (Kind::Strong, Some(Means::Block)) => Verdict::Fail(code::BLOCK_PAGE),
        (Kind::Strong, _) => Verdict::Fail(code::VENDOR_CHALLENGE),
        (Kind::Body, Some(Means::Challenge)) if json_request => Verdict::Fail(code::CAPTCHA_MARKUP),
        (Kind::Body, Some(Means::Block)) if json_request => Verdict::Fail(code::BLOCK_PAGE),
        (Kind::Body, Some(Means::Widget)) if !resp.looks_like_html() => return None,
        (Kind::Body, Some(Means::Widget))
            if json_request && (api_request || !resp.is_success()) =>
        {
            Verdict::Fail(code::CAPTCHA_MARKUP)
        }
        (Kind::Body, _) => Verdict::OnPage,
        (Kind::Cookie | Kind::Presence, _) => Verdict::Presence,
    })
}

fn wants_json(x: &Exchange) -> bool {
    x.request
        .headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("accept") && v.to_ascii_lowercase().contains("json"))
}

fn kind_str(k: Kind) -> &'static str {
    match k {
        Kind::Strong => "strong",
        Kind::Body => "body",
        Kind::Cookie => "cookie",
        Kind::Presence => "presence",
    }
}

/// Responses a vendor challenged or blocked alike (same verdict, status and
/// signatures), reported as one finding.
struct FailGroup {
    vendor: String,
    code: Code,
    status: u16,
    signatures: Vec<String>,
    probes: Vec<String>,
    /// The first such response and what matched on it.
    example: String,
}

/// Vendors seen in front of the site without a challenge.
struct Presence {
    vendor: String,
    evidence: Vec<String>,
    responses: usize,
}

/// `bot-challenge`: no interactive challenge answers an agent's requests.
pub fn bot_challenge(ev: &Evidence) -> Evaluation {
    let sigs = match fingerprints::builtin() {
        Ok(s) => s,
        Err(e) => {
            return Evaluation::error(
                format!("the bot-challenge fingerprints could not be loaded: {e}"),
                vec![],
            );
        }
    };
    let mut responses = 0usize;
    let mut findings: Vec<Finding> = Vec::new();
    let mut evidence: Vec<String> = Vec::new();
    let mut detections: Vec<Value> = Vec::new();
    let mut challenged: Vec<String> = Vec::new();
    let mut present: Vec<Presence> = Vec::new();
    let mut groups: Vec<FailGroup> = Vec::new();
    // Exchanges that are API calls: an API or MCP endpoint, an API base
    // URL; a site root is a home page, not an API.
    let api_calls: std::collections::BTreeSet<usize> = ev
        .probes_where(|m| matches!(m, ProbeMeta::Api { .. } | ProbeMeta::ApiResource { .. }))
        .map(|(_, rec)| rec.exchange)
        .filter(|i| {
            ev.exchange(*i)
                .and_then(|x| url::Url::parse(&x.request.url).ok())
                .is_some_and(|u| u.path() != "/")
        })
        .collect();
    for (probe, idx, x) in ev.agent_exchanges() {
        let Some(resp) = &x.response else { continue };
        responses += 1;
        let json_request = wants_json(x);
        let api_request = api_calls.contains(&idx);
        let head = &resp.body[..resp.body.len().min(MAX_BODY_SCAN)];
        let body = String::from_utf8_lossy(head);
        let cookies = cookie_names(resp);
        let candidates = fingerprints::builtin_prefilter()
            .map(|p| p.candidates(sigs.len(), &body))
            .unwrap_or_else(|| vec![true; sigs.len()]);
        let hits: Vec<(&Signature, String, Verdict)> = sigs
            .iter()
            .zip(&candidates)
            .filter(|(_, c)| **c)
            .filter_map(|(s, _)| {
                let e = matches(s, resp, &body, &cookies)?;
                Some((s, e, verdict(s, resp, json_request, api_request)?))
            })
            .collect();
        let at = format!(
            "{} {} ({probe}) → {}",
            x.request.method, x.request.url, resp.status
        );
        let mut vendors: Vec<&str> = Vec::new();
        for (s, _, _) in &hits {
            if !vendors.contains(&s.vendor.as_str()) {
                vendors.push(&s.vendor);
            }
        }
        for vendor in vendors {
            let mine: Vec<&(&Signature, String, Verdict)> =
                hits.iter().filter(|(s, _, _)| s.vendor == vendor).collect();
            let support: Vec<String> = mine
                .iter()
                .filter(|(_, _, v)| *v == Verdict::Presence)
                .map(|(_, e, _)| e.clone())
                .collect();
            let fails: Vec<&&(&Signature, String, Verdict)> = mine
                .iter()
                .filter(|(_, _, v)| matches!(v, Verdict::Fail(_)))
                .collect();
            for (s, e, v) in &mine {
                if detections.len() < MAX_LISTED {
                    detections.push(json!({
                        "probe": probe,
                        "url": x.request.url,
                        "status": resp.status,
                        "vendor": vendor,
                        "signature": s.id,
                        "kind": kind_str(s.kind),
                        "verdict": match v {
                            Verdict::Fail(_) => "fail",
                            Verdict::OnPage => "info",
                            Verdict::Presence => "presence",
                        },
                        "evidence": e,
                    }));
                }
            }
            if !fails.is_empty() {
                // One verdict per vendor and response: a strong signal
                // first, then a block page, then a challenge page.
                let code = fails
                    .iter()
                    .find(|(s, _, _)| s.kind == Kind::Strong)
                    .or_else(|| {
                        fails
                            .iter()
                            .find(|(_, _, v)| *v == Verdict::Fail(code::BLOCK_PAGE))
                    })
                    .or(fails.first())
                    .map_or(code::CAPTCHA_MARKUP, |(_, _, v)| match v {
                        Verdict::Fail(c) => *c,
                        _ => code::CAPTCHA_MARKUP,
                    });
                let signatures: Vec<String> = fails.iter().map(|(s, _, _)| s.id.clone()).collect();
                let shown: Vec<String> = fails
                    .iter()
                    .map(|(s, e, _)| format!("{e} [{}]", s.id))
                    .collect();
                let detail = if support.is_empty() {
                    shown.join("; ")
                } else {
                    format!("{}; also {}", shown.join("; "), support.join(", "))
                };
                match groups.iter_mut().find(|g| {
                    g.vendor == vendor
                        && g.code == code
                        && g.status == resp.status
                        && g.signatures == signatures
                }) {
                    Some(g) => g.probes.push(probe.to_string()),
                    None => groups.push(FailGroup {
                        vendor: vendor.to_string(),
                        code,
                        status: resp.status,
                        signatures,
                        probes: vec![probe.to_string()],
                        example: format!("{at}: {detail}"),
                    }),
                }
                if !challenged.iter().any(|v| v == vendor) {
                    challenged.push(vendor.to_string());
                }
                if !evidence.iter().any(|p| p == probe) {
                    evidence.push(probe.to_string());
                }
                continue;
            }
            let on_page: Vec<String> = mine
                .iter()
                .filter(|(_, _, v)| *v == Verdict::OnPage)
                .map(|(s, e, _)| format!("{} [{}: {e}]", s.description, s.id))
                .collect();
            if !on_page.is_empty() {
                findings.push(finding(
                    code::CAPTCHA_ON_HTML_PAGE,
                    format!(
                        "{at}: an ordinary {} page embeds {vendor}: {} (not a challenge in place of an API answer)",
                        if resp.is_success() { "2xx HTML" } else { "HTML" },
                        on_page.join("; ")
                    ),
                    Some(probe),
                ));
            }
            if !support.is_empty() {
                match present.iter_mut().find(|p| p.vendor == vendor) {
                    Some(p) => {
                        p.responses += 1;
                        for e in support {
                            if !p.evidence.contains(&e) && p.evidence.len() < 4 {
                                p.evidence.push(e);
                            }
                        }
                    }
                    None => present.push(Presence {
                        vendor: vendor.to_string(),
                        evidence: support.into_iter().take(4).collect(),
                        responses: 1,
                    }),
                }
            }
        }
    }
    if responses == 0 {
        return Evaluation::skip("no request an agent would make got a response");
    }
    let mut fail_findings: Vec<Finding> = groups
        .iter()
        .map(|g| {
            let label = if g.code == code::BLOCK_PAGE {
                "blocks"
            } else {
                "challenges"
            };
            let many = if g.probes.len() > 1 {
                format!(
                    " {} requests ({}); e.g.",
                    g.probes.len(),
                    g.probes.join(", ")
                )
            } else {
                String::new()
            };
            finding(
                g.code,
                format!("{} {label}{many} {}", g.vendor, g.example),
                g.probes.first().map(String::as_str),
            )
        })
        .collect();
    fail_findings.append(&mut findings);
    let mut findings = fail_findings;
    for p in present.iter().filter(|p| !challenged.contains(&p.vendor)) {
        findings.push(finding(
            code::CDN_PRESENT,
            format!(
                "{} is in front of the site ({}; on {} of {responses} responses) and challenged none of them",
                p.vendor,
                p.evidence.join(", "),
                p.responses
            ),
            None,
        ));
    }
    let summary = if challenged.is_empty() {
        let mut s = format!("no bot challenge on {responses} responses to an agent's requests");
        if !present.is_empty() {
            let names: Vec<&str> = present.iter().map(|p| p.vendor.as_str()).collect();
            s.push_str(&format!(" ({} in front)", names.join(", ")));
        }
        s
    } else {
        format!(
            "{} challenged or blocked {} of {responses} responses to an agent's requests ({})",
            challenged.join(" and "),
            evidence.len(),
            evidence.join(", ")
        )
    };
    let vendors_present: Vec<&str> = present.iter().map(|p| p.vendor.as_str()).collect();
    let mut data = json!({
        "vendors_challenging": challenged,
        "vendors_present": vendors_present,
        "responses": responses,
    });
    // Moved in: `json!` would serialise the list afresh.
    data["detections"] = Value::Array(detections);
    Evaluation::evaluated(summary, findings, evidence).with_data(data)
}

#[cfg(test)]
mod tests;
