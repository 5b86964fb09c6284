//! Payments family: x402 challenges (coinbase/x402 specification v1 §5.1
//! with the v1 HTTP transport; specification v2 §5.1 with the v2 HTTP
//! transport's `PAYMENT-REQUIRED` header).
//!
//! Beside x402, a 402 may carry `WWW-Authenticate: Payment` challenges (the
//! HTTP Payment authentication scheme draft, draft-httpauth-payment): each
//! is read from its auth-params (`id`, `realm`, `method`, `intent`, and a
//! base64url `request` holding JSON) and reported beside x402 v1 and v2.
//!
//! Every 402 of the scan is judged, whichever probe got it. A v2 challenge
//! is read from the `PAYMENT-REQUIRED` header (base64 JSON; the body is the
//! server's business); a v1 challenge from the JSON body. What a server
//! sends is capped before it is decoded, and nothing it sends can make the
//! evaluator panic.

use crate::checks::Builtin;
use crate::checks::codes::x402_payment as code;
use crate::evidence::Evidence;
use crate::model::exchange::Exchange;
use crate::model::outcome::{Evaluation, Finding, finding};
use crate::model::probe::Needs;
use crate::parse::DocumentError;
use base64::Engine;
use serde_json::{Map, Value, json};

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::API_RESOURCES,
    eval: x402_payment,
};

/// `PAYMENT-REQUIRED` values longer than this (base64 characters) are not
/// decoded.
pub const MAX_PAYMENT_REQUIRED: usize = 16 * 1024;
/// Payment options reported per challenge, at most.
const MAX_ACCEPTS: usize = 16;
/// Characters of a server-sent string quoted in findings and data, at most.
const MAX_QUOTE: usize = 120;

/// Quote a server-sent string, shortened.
fn quote(s: &str) -> String {
    crate::model::texts::shorten(s, MAX_QUOTE)
}

/// Why a `PAYMENT-REQUIRED` value cannot be read (the text of the
/// finding that says so).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentRequiredError {
    /// Longer than [`MAX_PAYMENT_REQUIRED`] (its length).
    #[error(
        "the header is {0} characters long, more than the {MAX_PAYMENT_REQUIRED} agentready decodes"
    )]
    TooLong(usize),
    /// Not base64 in either alphabet.
    #[error("the header is not base64")]
    NotBase64,
    /// Base64 of something that is not JSON.
    #[error("the decoded header is not JSON ({0})")]
    NotJson(#[source] DocumentError),
}

/// Decode the base64 of a `PAYMENT-REQUIRED` value (standard or URL-safe
/// alphabet, padding optional) into JSON.
pub fn decode_payment_required(value: &str) -> Result<Value, PaymentRequiredError> {
    let value = value.trim();
    if value.len() > MAX_PAYMENT_REQUIRED {
        return Err(PaymentRequiredError::TooLong(value.len()));
    }
    use base64::engine::DecodePaddingMode;
    use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
    let lenient =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    let engines = [
        GeneralPurpose::new(&base64::alphabet::STANDARD, lenient),
        GeneralPurpose::new(&base64::alphabet::URL_SAFE, lenient),
    ];
    let bytes = engines
        .iter()
        .find_map(|e| e.decode(value).ok())
        .ok_or(PaymentRequiredError::NotBase64)?;
    crate::parse::json::parse(&bytes, crate::parse::json::JSON_VIEW_BUDGET, None)
        .map(|p| p.value)
        .map_err(PaymentRequiredError::NotJson)
}

/// True for a CAIP-2 chain id: `namespace:reference`, namespace
/// `[-a-z0-9]{3,8}`, reference `[-_a-zA-Z0-9]{1,32}`.
pub fn is_caip2(network: &str) -> bool {
    let Some((ns, reference)) = network.split_once(':') else {
        return false;
    };
    (3..=8).contains(&ns.len())
        && ns
            .bytes()
            .all(|b| b == b'-' || b.is_ascii_lowercase() || b.is_ascii_digit())
        && (1..=32).contains(&reference.len())
        && reference
            .bytes()
            .all(|b| b == b'-' || b == b'_' || b.is_ascii_alphanumeric())
}

/// One payment option, normalised across versions for the report.
#[derive(Debug, Clone, Default)]
struct Offer {
    scheme: Option<String>,
    network: Option<String>,
    amount: Option<String>,
    asset: Option<String>,
    asset_name: Option<String>,
    pay_to: Option<String>,
}

impl Offer {
    fn to_json(&self) -> Value {
        json!({
            "scheme": self.scheme,
            "network": self.network,
            "amount": self.amount,
            "asset": self.asset,
            "asset_name": self.asset_name,
            "payTo": self.pay_to,
        })
    }

    /// "10000 atomic units of USDC (0x036C…) on eip155:84532 (exact)".
    fn describe(&self) -> String {
        let amount = self.amount.as_deref().unwrap_or("?");
        let asset = match (&self.asset_name, &self.asset) {
            (Some(n), Some(a)) => format!("{n} ({a})"),
            (Some(n), None) => n.clone(),
            (None, Some(a)) => a.clone(),
            (None, None) => "an unnamed asset".into(),
        };
        let network = self.network.as_deref().unwrap_or("an unnamed network");
        let scheme = self.scheme.as_deref().unwrap_or("?");
        format!("{amount} atomic units of {asset} on {network} ({scheme} scheme)")
    }
}

fn str_member(entry: &Map<String, Value>, key: &str) -> Option<String> {
    entry.get(key).and_then(Value::as_str).map(quote)
}

/// Judge one `accepts` entry. `amount_key` is `maxAmountRequired` (v1) or
/// `amount` (v2); `essential` lists the members whose absence fails.
struct EntryProblems {
    essential: Vec<String>,
    incomplete: Vec<String>,
    not_caip2: Option<String>,
}

fn judge_entry(entry: &Value, version: u8) -> (Offer, EntryProblems) {
    let mut p = EntryProblems {
        essential: Vec::new(),
        incomplete: Vec::new(),
        not_caip2: None,
    };
    let Some(obj) = entry.as_object() else {
        p.essential.push("the entry is not a JSON object".into());
        return (Offer::default(), p);
    };
    let amount_key = if version == 1 {
        "maxAmountRequired"
    } else {
        "amount"
    };
    let mut essential: Vec<&str> = vec!["scheme", "network", amount_key, "asset", "payTo"];
    if version == 1 {
        essential.push("resource");
    }
    for key in essential {
        match obj.get(key) {
            None => p.essential.push(format!("{key} is missing")),
            Some(Value::String(s)) if s.trim().is_empty() => {
                p.essential.push(format!("{key} is empty"));
            }
            Some(Value::String(s)) if key == amount_key => {
                if !s.bytes().all(|b| b.is_ascii_digit()) {
                    p.essential.push(format!(
                        "{key} is \"{}\", not a whole number of atomic units",
                        quote(s)
                    ));
                }
            }
            Some(Value::String(_)) => {}
            Some(other) => p.essential.push(format!(
                "{key} is {} where a string is required",
                crate::model::texts::json_kind(other)
            )),
        }
    }
    let mut recommended = vec!["maxTimeoutSeconds"];
    if version == 1 {
        recommended.push("description");
    }
    for key in recommended {
        if !obj.contains_key(key) {
            p.incomplete.push(key.to_string());
        }
    }
    let network = str_member(obj, "network");
    if version == 2
        && let Some(n) = obj.get("network").and_then(Value::as_str)
        && !is_caip2(n)
    {
        p.not_caip2 = Some(quote(n));
    }
    let offer = Offer {
        scheme: str_member(obj, "scheme"),
        network,
        amount: str_member(obj, amount_key),
        asset: str_member(obj, "asset"),
        asset_name: obj
            .get("extra")
            .and_then(|e| e.get("name"))
            .and_then(Value::as_str)
            .map(quote),
        pay_to: str_member(obj, "payTo"),
    };
    (offer, p)
}


/// Where a challenge was read from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Carrier {
    Header,
    Body,
}

/// Judge a decoded challenge of a declared version (1 or 2); push findings
/// and return the offers it makes and whether it is usable.
fn judge_challenge(
    doc: &Value,
    version: u8,
    carrier: Carrier,
    at: &str,
    probe: &str,
    findings: &mut Vec<Finding>,
) -> (Vec<Offer>, bool) {
    let invalid_code = match (version, carrier) {
        (2, Carrier::Header) => code::V2_HEADER_INVALID,
        _ => code::V1_INVALID,
    };
    let mut usable = true;
    let mut incomplete: Vec<String> = Vec::new();
    if version == 2 {
        match doc.get("resource") {
            Some(r)
                if r.get("url")
                    .and_then(Value::as_str)
                    .is_some_and(|u| !u.is_empty()) => {}
            _ => {
                usable = false;
                findings.push(finding(
                    invalid_code,
                    format!("{at}: the v2 challenge has no resource.url"),
                    Some(probe),
                ));
            }
        }
    } else if !doc.get("error").is_some_and(Value::is_string) {
        incomplete.push("error".into());
    }
    let accepts = doc.get("accepts").and_then(Value::as_array);
    let Some(accepts) = accepts.filter(|a| !a.is_empty()) else {
        findings.push(finding(
            code::ACCEPTS_EMPTY,
            format!(
                "{at}: the x402 v{version} challenge has {} accepts, so there is no way to pay",
                match doc.get("accepts") {
                    None => "no".to_string(),
                    Some(Value::Array(_)) => "an empty".to_string(),
                    Some(other) => format!("a non-array ({})", crate::model::texts::json_kind(other)),
                }
            ),
            Some(probe),
        ));
        return (Vec::new(), false);
    };
    let mut offers = Vec::new();
    for (i, entry) in accepts.iter().enumerate() {
        let (offer, p) = judge_entry(entry, version);
        if !p.essential.is_empty() {
            usable = false;
            findings.push(finding(
                invalid_code,
                format!(
                    "{at}: accepts[{i}] of the x402 v{version} challenge: {}",
                    p.essential.join(", ")
                ),
                Some(probe),
            ));
        }
        for key in p.incomplete {
            incomplete.push(format!("accepts[{i}].{key}"));
        }
        if let Some(n) = p.not_caip2 {
            findings.push(finding(
                code::NETWORK_NOT_CAIP2,
                format!(
                    "{at}: accepts[{i}].network is \"{n}\", not a CAIP-2 chain id such as eip155:8453"
                ),
                Some(probe),
            ));
        }
        if offers.len() < MAX_ACCEPTS {
            offers.push(offer);
        }
    }
    if !incomplete.is_empty() {
        findings.push(finding(
            code::REQUIREMENTS_INCOMPLETE,
            format!(
                "{at}: the x402 v{version} challenge omits {}, which the specification marks required",
                incomplete.join(", ")
            ),
            Some(probe),
        ));
    }
    (offers, usable)
}

/// What one 402 turned out to be.
struct Judged {
    version: Option<u64>,
    offers: Vec<Offer>,
    usable: bool,
    resource: Option<String>,
    /// The `Payment` challenges (HTTP Payment scheme), as report data.
    payment: Vec<Value>,
    /// Usable `Payment` challenges, described.
    payment_found: Vec<String>,
}

/// Payment challenges read per response, at most.
const MAX_PAYMENT_CHALLENGES: usize = 8;

/// Judge the `WWW-Authenticate: Payment` challenges of a 402 (the HTTP
/// Payment authentication scheme draft, "Challenge" section): `id`,
/// `realm`, `method` (lower-case letters), `intent` and `request` (base64url
/// without padding of a JSON object) are required; the draft also requires
/// `Cache-Control: no-store` on the 402.
fn judge_payment_scheme(
    resp: &crate::model::exchange::ResponseRecord,
    at: &str,
    probe: &str,
    out: &mut Judged,
    findings: &mut Vec<Finding>,
) {
    let headers: Vec<&str> = resp.header_all("www-authenticate").collect();
    let names_payment = headers.iter().any(|h| {
        h.split([',', ' '])
            .any(|t| t.trim().eq_ignore_ascii_case("payment"))
    });
    if !names_payment {
        return;
    }
    let (challenges, errors) = crate::parse::www_authenticate::parse_all(headers);
    let payment: Vec<_> = challenges
        .iter()
        .filter(|c| c.is("payment"))
        .take(MAX_PAYMENT_CHALLENGES)
        .collect();
    if let Some(e) = errors.first()
        && payment.is_empty()
    {
        findings.push(finding(
            code::PAYMENT_CHALLENGE_INVALID,
            format!("{at}: the WWW-Authenticate header naming Payment does not parse ({e})"),
            Some(probe),
        ));
        out.payment.push(json!({"scheme": "Payment", "valid": false}));
        return;
    }
    let mut any_valid = false;
    for c in payment {
        let param = |n: &str| c.param(n).map(quote);
        let mut problems: Vec<String> = Vec::new();
        for n in ["id", "realm", "method", "intent", "request"] {
            if c.param(n).is_none_or(|v| v.trim().is_empty()) {
                problems.push(format!("`{n}` is missing or empty"));
            }
        }
        if let Some(m) = c.param("method")
            && !m.is_empty()
            && !m.bytes().all(|b| b.is_ascii_lowercase())
        {
            problems.push(format!("`method` \"{}\" is not lower-case letters", quote(m)));
        }
        if let Some(i) = c.param("intent")
            && !i.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            problems.push(format!("`intent` \"{}\" is not a token", quote(i)));
        }
        let request = c.param("request").and_then(|r| {
            let decoded = if r.len() > MAX_PAYMENT_REQUIRED {
                Err("longer than agentready decodes".to_string())
            } else {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(r)
                    .map_err(|_| "not base64url without padding".to_string())
                    .and_then(|b| {
                        crate::parse::json::parse(&b, crate::parse::json::JSON_VIEW_BUDGET, None)
                            .map(|p| p.value)
                            .map_err(|_| "not JSON once decoded".to_string())
                    })
                    .and_then(|v| {
                        if v.is_object() {
                            Ok(v)
                        } else {
                            Err("not a JSON object once decoded".to_string())
                        }
                    })
            };
            match decoded {
                Ok(v) => Some(v),
                Err(why) => {
                    problems.push(format!("`request` is {why}"));
                    None
                }
            }
        });
        let valid = problems.is_empty();
        if valid {
            any_valid = true;
            let amount = request
                .as_ref()
                .and_then(|r| r.get("amount"))
                .and_then(Value::as_str)
                .map(quote);
            let currency = request
                .as_ref()
                .and_then(|r| r.get("currency"))
                .and_then(Value::as_str)
                .map(quote);
            out.payment_found.push(format!(
                "Payment {} {} of {} {}",
                param("method").unwrap_or_default(),
                param("intent").unwrap_or_default(),
                amount.as_deref().unwrap_or("?"),
                currency.as_deref().unwrap_or("?")
            ));
        } else {
            findings.push(finding(
                code::PAYMENT_CHALLENGE_INVALID,
                format!(
                    "{at}: a WWW-Authenticate: Payment challenge cannot be answered: {}",
                    problems.join("; ")
                ),
                Some(probe),
            ));
        }
        out.payment.push(json!({
            "scheme": "Payment",
            "valid": valid,
            "id": param("id"),
            "realm": param("realm"),
            "method": param("method"),
            "intent": param("intent"),
            "expires": param("expires"),
            "description": param("description"),
            "request": request,
        }));
    }
    if any_valid {
        let no_store = resp.header_all("cache-control").any(|v| {
            v.split(',')
                .any(|d| d.trim().eq_ignore_ascii_case("no-store"))
        });
        if !no_store {
            findings.push(finding(
                code::PAYMENT_CACHEABLE,
                format!("{at}: the Payment challenge comes without Cache-Control: no-store, which the draft requires on a 402"),
                Some(probe),
            ));
        }
    }
}

fn judge_402(ev: &Evidence, idx: usize, x: &Exchange, findings: &mut Vec<Finding>) -> Judged {
    let probe = x.probe.as_str();
    let at = format!("{} {} ({probe}) → 402", x.request.method, x.request.url);
    let mut out = Judged {
        version: None,
        offers: Vec::new(),
        usable: false,
        resource: None,
        payment: Vec::new(),
        payment_found: Vec::new(),
    };
    let Some(resp) = &x.response else {
        return out;
    };
    judge_payment_scheme(resp, &at, probe, &mut out, findings);
    if let Some(header) = resp.header("payment-required") {
        let doc = match decode_payment_required(header) {
            Ok(doc) if doc.is_object() => doc,
            Ok(other) => {
                findings.push(finding(
                    code::V2_HEADER_INVALID,
                    format!(
                        "{at}: PAYMENT-REQUIRED decodes to {}, not a JSON object",
                        crate::model::texts::json_kind(&other)
                    ),
                    Some(probe),
                ));
                return out;
            }
            Err(why) => {
                findings.push(finding(
                    code::V2_HEADER_INVALID,
                    format!("{at}: PAYMENT-REQUIRED cannot be read: {why}"),
                    Some(probe),
                ));
                return out;
            }
        };
        out.version = doc.get("x402Version").and_then(Value::as_u64);
        out.resource = doc
            .get("resource")
            .and_then(|r| r.get("url"))
            .and_then(Value::as_str)
            .map(quote);
        match doc.get("x402Version") {
            Some(v) if v.as_u64() == Some(2) => {
                let (offers, usable) =
                    judge_challenge(&doc, 2, Carrier::Header, &at, probe, findings);
                out.offers = offers;
                out.usable = usable;
            }
            Some(v) if v.as_u64() == Some(1) => findings.push(finding(
                code::V2_HEADER_INVALID,
                format!(
                    "{at}: PAYMENT-REQUIRED carries x402Version 1; the header is the v2 transport (v1 challenges go in the body)"
                ),
                Some(probe),
            )),
            Some(v) => findings.push(finding(
                code::VERSION_UNKNOWN,
                format!("{at}: PAYMENT-REQUIRED declares x402Version {v}"),
                Some(probe),
            )),
            None => findings.push(finding(
                code::V2_HEADER_INVALID,
                format!("{at}: PAYMENT-REQUIRED has no x402Version"),
                Some(probe),
            )),
        }
        return out;
    }
    let body = ev.json_at(idx).filter(|v| v.get("x402Version").is_some());
    let Some(doc) = body else {
        if !out.payment.is_empty() {
            // A Payment challenge: not a bare 402.
            return out;
        }
        let what = if resp.truncated {
            "a body larger than the cap"
        } else if resp.looks_like_html() {
            "an HTML page"
        } else if resp.body.is_empty() {
            "an empty body"
        } else {
            "a body without x402Version"
        };
        findings.push(finding(
            code::BARE_402,
            format!("{at} with {what}, no PAYMENT-REQUIRED header and no WWW-Authenticate: Payment challenge"),
            Some(probe),
        ));
        return out;
    };
    out.version = doc.get("x402Version").and_then(Value::as_u64);
    match doc.get("x402Version").and_then(Value::as_u64) {
        Some(1) => {
            let (offers, usable) = judge_challenge(&doc, 1, Carrier::Body, &at, probe, findings);
            out.resource = doc
                .get("accepts")
                .and_then(|a| a.get(0))
                .and_then(|e| e.get("resource"))
                .and_then(Value::as_str)
                .map(quote);
            out.offers = offers;
            out.usable = usable;
        }
        Some(2) => {
            findings.push(finding(
                code::V2_HEADER_MISSING,
                format!(
                    "{at}: the body declares x402Version 2 but there is no PAYMENT-REQUIRED header, where v2 clients read the challenge"
                ),
                Some(probe),
            ));
            // Still report what it offers.
            let mut ignored = Vec::new();
            let (offers, _) = judge_challenge(&doc, 2, Carrier::Body, &at, probe, &mut ignored);
            out.offers = offers;
        }
        _ => findings.push(finding(
            code::VERSION_UNKNOWN,
            format!(
                "{at}: the body declares x402Version {}",
                doc.get("x402Version")
                    .map_or_else(String::new, Value::to_string)
            ),
            Some(probe),
        )),
    }
    out
}

/// `x402-payment`: every 402 of the scan is a valid x402 v1 or v2 challenge.
pub fn x402_payment(ev: &Evidence) -> Evaluation {
    let mut findings = Vec::new();
    let mut evidence = Vec::new();
    let mut challenges = Vec::new();
    let mut found: Vec<String> = Vec::new();
    for (idx, x) in ev.exchanges().iter().enumerate() {
        if x.response.as_ref().is_none_or(|r| r.status != 402) {
            continue;
        }
        evidence.push(x.probe.clone());
        let judged = judge_402(ev, idx, x, &mut findings);
        for p in &judged.payment_found {
            let line = format!(
                "{} {} ({}) → 402 {p}",
                x.request.method, x.request.url, x.probe
            );
            found.push(line.clone());
            findings.push(finding(code::PAYMENT_CHALLENGE_FOUND, line, Some(&x.probe)));
        }
        if judged.usable && !judged.offers.is_empty() {
            let offers: Vec<String> = judged.offers.iter().map(Offer::describe).collect();
            let line = format!(
                "{} {} ({}) → 402 x402 v{} challenge: {}",
                x.request.method,
                x.request.url,
                x.probe,
                judged.version.unwrap_or_default(),
                offers.join("; or ")
            );
            found.push(line.clone());
            findings.push(finding(code::CHALLENGE_FOUND, line, Some(&x.probe)));
        }
        challenges.push(json!({
            "probe": x.probe,
            "method": x.request.method,
            "url": x.request.url,
            "version": judged.version,
            "valid": judged.usable,
            "resource": judged.resource,
            "accepts": judged.offers.iter().map(Offer::to_json).collect::<Vec<_>>(),
            "payment": judged.payment,
        }));
    }
    if challenges.is_empty() {
        return Evaluation::skip("no request of the scan was answered with 402 Payment Required");
    }
    let summary = if let Some(first) = found.first() {
        if found.len() == 1 {
            first.clone()
        } else {
            format!("{} payment challenges; first: {first}", found.len())
        }
    } else {
        format!(
            "{} response(s) with 402, none a usable payment challenge",
            challenges.len()
        )
    };
    Evaluation::evaluated(summary, findings, evidence)
        .with_data(json!({ "challenges": challenges }))
}

#[cfg(test)]
mod tests;
