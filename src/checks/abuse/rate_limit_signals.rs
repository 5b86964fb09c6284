//! `rate-limit-signals`: can an agent pace itself?
//!
//! Every generation of the IETF fields is recognised and parsed with an RFC
//! 9651 Structured Field parser (`sfv`), never by splitting strings:
//!
//! | generation | fields |
//! | --- | --- |
//! | current (draft -08 and later, §3 and §4 of -10/-11) | `RateLimit-Policy: "p";q=100;w=60` and `RateLimit: "p";r=50;t=30`, SF Lists of String items |
//! | draft -07 | `RateLimit: limit=10, remaining=1, reset=7` (SF Dictionary), `RateLimit-Policy: 10;w=1` (Integer items) |
//! | drafts -00 to -06 | `RateLimit-Limit` (`10, 10;w=1`), `RateLimit-Remaining`, `RateLimit-Reset` |
//!
//! plus the de-facto `X-RateLimit-*` / `X-Rate-Limit-*` fields (no grammar;
//! only `…-Reset` is interpreted, as an epoch time or a delay) and
//! `Retry-After` (RFC 9110 §10.2.3: delay-seconds or an HTTP-date, judged
//! for syntax only — a check reads no clock).
//!
//! Outcomes: `skip` when no request an agent makes got a response; `pass`
//! when a recognised field is sent (an `info` finding names the generation,
//! and superseded drafts are noted); `warn` when no field is sent at all,
//! when an IETF field is malformed (clients must ignore it), when
//! `Retry-After` is neither form, or when a 429 carries neither
//! `Retry-After` nor any rate-limit field.

use crate::checks::Builtin;
use crate::checks::codes::rate_limit_signals as code;
use crate::evidence::Evidence;
use crate::model::exchange::ResponseRecord;
use crate::model::outcome::{Evaluation, Finding, finding};
use crate::model::probe::Needs;
use serde_json::{Value, json};
use sfv::{BareItem, Dictionary, Item, List, ListEntry, Parameters, Parser};

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::API_RESOURCES,
    eval: rate_limit_signals,
};

/// Combined field values longer than this are not parsed (and reported as
/// malformed): no real rate-limit field is anywhere near it.
pub const MAX_FIELD: usize = 4096;
/// Field records kept in `data.fields`, at most.
const MAX_LISTED: usize = 50;
/// Characters of a field value quoted in findings and data, at most.
const MAX_QUOTE: usize = 160;
/// Delays up to this many seconds (one year) read as delays.
const MAX_PLAUSIBLE_DELAY: f64 = 366.0 * 86_400.0;
/// Epoch seconds from this value on (2001-09-09) read as times.
const MIN_EPOCH_SECONDS: f64 = 1.0e9;
/// Epoch milliseconds from this value on.
const MIN_EPOCH_MILLIS: f64 = 1.0e12;

/// A generation of rate-limit signalling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Generation {
    /// `RateLimit` + `RateLimit-Policy` lists (draft -08 and later).
    Current,
    /// The `RateLimit` dictionary (and Integer `RateLimit-Policy`) of draft -07.
    Draft07,
    /// `RateLimit-Limit` / `-Remaining` / `-Reset` (drafts -00 to -06).
    Draft06,
    /// De-facto `X-RateLimit-*`.
    XRateLimit,
    /// `Retry-After` on a 429 or 503.
    RetryAfter,
}

impl Generation {
    /// Stable name used in `data.generations`.
    pub fn as_str(self) -> &'static str {
        match self {
            Generation::Current => "ietf-current",
            Generation::Draft07 => "ietf-draft-07",
            Generation::Draft06 => "ietf-draft-00-06",
            Generation::XRateLimit => "x-ratelimit",
            Generation::RetryAfter => "retry-after",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Generation::Current => {
                "RateLimit/RateLimit-Policy lists (draft-ietf-httpapi-ratelimit-headers -08 and later)"
            }
            Generation::Draft07 => "the RateLimit dictionary of draft -07",
            Generation::Draft06 => "RateLimit-Limit/-Remaining/-Reset (drafts -00 to -06)",
            Generation::XRateLimit => "de-facto X-RateLimit-* fields",
            Generation::RetryAfter => "Retry-After on throttled or unavailable responses",
        }
    }

    fn is_legacy(self) -> bool {
        matches!(self, Generation::Draft07 | Generation::Draft06)
    }
}

fn quote(s: &str) -> String {
    crate::model::texts::shorten(s, MAX_QUOTE)
}

/// Why a rate-limit field value cannot be used (the text of the finding
/// and of `data.fields[].problem`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// A REQUIRED parameter is missing (its key).
    #[error("the REQUIRED parameter `{0}` is missing")]
    MissingParam(&'static str),
    /// A parameter or dictionary member that must be a non-negative (or,
    /// with `positive`, a non-zero) Integer.
    #[error("`{key}` must be a {} Integer", if *.positive { "positive" } else { "non-negative" })]
    NotInteger {
        /// The key.
        key: &'static str,
        /// Zero is refused too.
        positive: bool,
    },
    /// A parameter that must be a Byte Sequence (its key).
    #[error("`{0}` must be a Byte Sequence (:base64:)")]
    NotByteSequence(&'static str),
    /// A List member that is an inner list.
    #[error("an inner list is not allowed here")]
    InnerList,
    /// Not an RFC 9651 List (the parser's message).
    #[error("not a Structured Field List ({0})")]
    NotList(String),
    /// A `RateLimit-Policy` List without members.
    #[error("the list is empty; it must hold at least one policy")]
    NoPolicy,
    /// A List without members.
    #[error("the list is empty")]
    Empty,
    /// A problem with one named policy of `RateLimit-Policy`.
    #[error("policy \"{name}\": {error}")]
    Policy {
        /// The policy's name.
        name: String,
        /// What is wrong with it.
        error: Box<FieldError>,
    },
    /// A problem with one named service limit of `RateLimit`.
    #[error("limit \"{name}\": {error}")]
    Limit {
        /// The policy's name.
        name: String,
        /// What is wrong with it.
        error: Box<FieldError>,
    },
    /// A policy's `qu` that is not a String.
    #[error("`qu` must be a String")]
    UnitNotString,
    /// A draft -07 quota that is not a non-negative Integer.
    #[error("a quota must be a non-negative Integer")]
    Quota,
    /// Policy items of both kinds, or of neither.
    #[error("policy items must all be Strings (current drafts) or all Integers (draft -07)")]
    MixedPolicies,
    /// A service limit that does not name its policy.
    #[error(
        "each service limit must name its policy with a String (e.g. \"default\";r=50;t=30)"
    )]
    UnnamedLimit,
    /// A draft -07 dictionary member that is an inner list (its key).
    #[error("`{0}` must be an Integer, not an inner list")]
    InnerListMember(&'static str),
    /// Neither a current List nor a complete draft -07 dictionary (why it
    /// is not a List).
    #[error("{0}; as a draft -07 dictionary it lacks the REQUIRED `limit` and `reset` keys")]
    NotDraft07(Box<FieldError>),
    /// A drafts -00…-06 `RateLimit-Limit` member that is not a
    /// non-negative Integer.
    #[error("each member must be a non-negative Integer")]
    Member,
    /// Not an RFC 9651 Item (the parser's message).
    #[error("not a Structured Field Item ({0})")]
    NotItem(String),
    /// An Item that is not a non-negative Integer.
    #[error("must be a non-negative Integer")]
    NotNonNegative,
    /// A `Retry-After` of neither form.
    #[error("neither a whole number of seconds nor an HTTP-date")]
    RetryAfter,
    /// A combined value longer than [`MAX_FIELD`] (its length).
    #[error("{0} bytes long, more than the {MAX_FIELD} agentready parses")]
    TooLong(usize),
}

impl FieldError {
    fn in_policy(self, name: &str) -> FieldError {
        FieldError::Policy {
            name: name.to_string(),
            error: Box::new(self),
        }
    }

    fn in_limit(self, name: &str) -> FieldError {
        FieldError::Limit {
            name: name.to_string(),
            error: Box::new(self),
        }
    }
}

fn param<'a>(params: &'a Parameters, key: &str) -> Option<&'a BareItem> {
    params
        .iter()
        .find(|(k, _)| k.as_str() == key)
        .map(|(_, v)| v)
}

fn non_negative(item: &BareItem) -> Option<i64> {
    item.as_integer().map(i64::from).filter(|v| *v >= 0)
}

/// An optional parameter that must be a non-negative (or, with
/// `positive`, a non-zero) Integer when present.
fn integer_param(
    params: &Parameters,
    key: &'static str,
    positive: bool,
    required: bool,
) -> Result<Option<i64>, FieldError> {
    match param(params, key) {
        None if required => Err(FieldError::MissingParam(key)),
        None => Ok(None),
        Some(v) => match non_negative(v) {
            Some(n) if !positive || n > 0 => Ok(Some(n)),
            _ => Err(FieldError::NotInteger { key, positive }),
        },
    }
}

fn byte_sequence_param(params: &Parameters, key: &'static str) -> Result<(), FieldError> {
    match param(params, key) {
        Some(v) if v.as_byte_sequence().is_none() => Err(FieldError::NotByteSequence(key)),
        _ => Ok(()),
    }
}

fn list_items(list: &List) -> Result<Vec<&Item>, FieldError> {
    list.iter()
        .map(|e| match e {
            ListEntry::Item(i) => Ok(i),
            ListEntry::InnerList(_) => Err(FieldError::InnerList),
        })
        .collect()
}

fn parse_list(value: &str) -> Result<List, FieldError> {
    Parser::new(value)
        .parse::<List>()
        .map_err(|e| FieldError::NotList(e.to_string()))
}

/// What a `RateLimit-Policy` value is.
#[derive(Debug, Clone, PartialEq)]
pub enum PolicyField {
    /// Current: named quota policies.
    Current(Vec<Value>),
    /// Draft -07 (and earlier): Integer quotas with a window.
    Legacy(Vec<Value>),
}

/// Parse `RateLimit-Policy` (current §3, or the Integer items of -07).
pub fn parse_policy(value: &str) -> Result<PolicyField, FieldError> {
    let list = parse_list(value)?;
    let items = list_items(&list)?;
    if items.is_empty() {
        return Err(FieldError::NoPolicy);
    }
    if items.iter().all(|i| i.bare_item.as_string().is_some()) {
        let mut out = Vec::new();
        for i in items {
            let name = i
                .bare_item
                .as_string()
                .map(|s| s.as_str())
                .unwrap_or_default();
            let q = integer_param(&i.params, "q", false, true).map_err(|e| e.in_policy(name))?;
            let w = integer_param(&i.params, "w", true, false).map_err(|e| e.in_policy(name))?;
            if let Some(qu) = param(&i.params, "qu")
                && qu.as_string().is_none()
            {
                return Err(FieldError::UnitNotString.in_policy(name));
            }
            byte_sequence_param(&i.params, "pk").map_err(|e| e.in_policy(name))?;
            let qu = param(&i.params, "qu")
                .and_then(|v| v.as_string())
                .map(|s| s.as_str().to_string());
            out.push(json!({"name": name, "quota": q, "window": w, "unit": qu}));
        }
        return Ok(PolicyField::Current(out));
    }
    if items.iter().all(|i| i.bare_item.as_integer().is_some()) {
        let mut out = Vec::new();
        for i in items {
            let q = non_negative(&i.bare_item).ok_or(FieldError::Quota)?;
            let w = integer_param(&i.params, "w", true, false)?;
            out.push(json!({"quota": q, "window": w}));
        }
        return Ok(PolicyField::Legacy(out));
    }
    Err(FieldError::MixedPolicies)
}

/// What a `RateLimit` value is.
#[derive(Debug, Clone, PartialEq)]
pub enum RateLimitField {
    /// Current: service limits per named policy.
    Current(Vec<Value>),
    /// Draft -07: one dictionary.
    Draft07(Value),
}

/// Parse `RateLimit` (current §4 list, or the -07 dictionary).
pub fn parse_ratelimit(value: &str) -> Result<RateLimitField, FieldError> {
    match parse_list(value) {
        Ok(list) => {
            let items = list_items(&list)?;
            if items.is_empty() {
                return Err(FieldError::Empty);
            }
            let mut out = Vec::new();
            for i in items {
                let Some(name) = i.bare_item.as_string() else {
                    return Err(FieldError::UnnamedLimit);
                };
                let name = name.as_str();
                let r = integer_param(&i.params, "r", false, true).map_err(|e| e.in_limit(name))?;
                let t = integer_param(&i.params, "t", false, false).map_err(|e| e.in_limit(name))?;
                byte_sequence_param(&i.params, "pk").map_err(|e| e.in_limit(name))?;
                out.push(json!({"name": name, "remaining": r, "reset": t}));
            }
            Ok(RateLimitField::Current(out))
        }
        Err(list_err) => {
            let dict = Parser::new(value)
                .parse::<Dictionary>()
                .map_err(|_| list_err.clone())?;
            let get = |k: &'static str| -> Result<Option<i64>, FieldError> {
                match dict.iter().find(|(key, _)| key.as_str() == k) {
                    None => Ok(None),
                    Some((_, ListEntry::Item(i))) => non_negative(&i.bare_item)
                        .map(Some)
                        .ok_or(FieldError::NotInteger {
                            key: k,
                            positive: false,
                        }),
                    Some((_, ListEntry::InnerList(_))) => Err(FieldError::InnerListMember(k)),
                }
            };
            let limit = get("limit")?;
            let remaining = get("remaining")?;
            let reset = get("reset")?;
            match (limit, reset) {
                (Some(_), Some(_)) => Ok(RateLimitField::Draft07(
                    json!({"limit": limit, "remaining": remaining, "reset": reset}),
                )),
                _ => Err(FieldError::NotDraft07(Box::new(list_err))),
            }
        }
    }
}

/// Parse the drafts -00…-06 `RateLimit-Limit`: a List of Integer items
/// (the expiring limit, then quota policies with `w`).
pub fn parse_legacy_limit(value: &str) -> Result<Value, FieldError> {
    let list = parse_list(value)?;
    let items = list_items(&list)?;
    if items.is_empty() {
        return Err(FieldError::Empty);
    }
    let mut out = Vec::new();
    for i in items {
        let q = non_negative(&i.bare_item).ok_or(FieldError::Member)?;
        let w = integer_param(&i.params, "w", true, false)?;
        out.push(json!({"quota": q, "window": w}));
    }
    Ok(Value::Array(out))
}

/// Parse `RateLimit-Remaining` / `RateLimit-Reset` (drafts -00…-06): one
/// non-negative Integer item.
pub fn parse_legacy_integer(value: &str) -> Result<i64, FieldError> {
    let item = Parser::new(value)
        .parse::<Item>()
        .map_err(|e| FieldError::NotItem(e.to_string()))?;
    non_negative(&item.bare_item).ok_or(FieldError::NotNonNegative)
}

/// A `Retry-After` value (RFC 9110 §10.2.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryAfter {
    /// delay-seconds.
    Delay(String),
    /// An HTTP-date (judged for syntax only).
    Date,
}

/// Parse `Retry-After`: `1*DIGIT`, or an HTTP-date in any of the three
/// forms RFC 9110 §5.6.7 says recipients accept.
pub fn parse_retry_after(value: &str) -> Result<RetryAfter, FieldError> {
    let v = value.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(RetryAfter::Delay(v.to_string()));
    }
    if v.len() <= 64 && httpdate::parse_http_date(v).is_ok() {
        return Ok(RetryAfter::Date);
    }
    Err(FieldError::RetryAfter)
}

/// How an `X-RateLimit-Reset` value reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetReading {
    /// Seconds to wait.
    Delay,
    /// A Unix time in seconds (GitHub style).
    EpochSeconds,
    /// A Unix time in milliseconds.
    EpochMillis,
    /// A date string.
    Date,
    /// Cannot tell.
    Ambiguous,
}

impl ResetReading {
    fn as_str(self) -> &'static str {
        match self {
            ResetReading::Delay => "delay-seconds",
            ResetReading::EpochSeconds => "epoch-seconds",
            ResetReading::EpochMillis => "epoch-milliseconds",
            ResetReading::Date => "date",
            ResetReading::Ambiguous => "ambiguous",
        }
    }
}

/// Read an `X-RateLimit-Reset` value: a delay when at most a year of
/// seconds, an epoch time from 10^9 (seconds) or 10^12 (milliseconds), a
/// date when it parses as one; anything else is ambiguous.
pub fn read_x_reset(value: &str) -> ResetReading {
    let v = value.trim();
    if let Ok(n) = v.parse::<f64>()
        && n.is_finite()
        && n >= 0.0
    {
        return if n >= MIN_EPOCH_MILLIS {
            ResetReading::EpochMillis
        } else if n >= MIN_EPOCH_SECONDS {
            ResetReading::EpochSeconds
        } else if n <= MAX_PLAUSIBLE_DELAY {
            ResetReading::Delay
        } else {
            ResetReading::Ambiguous
        };
    }
    if v.len() <= 64
        && (httpdate::parse_http_date(v).is_ok()
            || time::OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339)
                .is_ok())
    {
        return ResetReading::Date;
    }
    ResetReading::Ambiguous
}

/// One rate-limit field seen on one response.
struct Seen {
    probe: String,
    status: u16,
    name: String,
    value: String,
    generation: Option<Generation>,
    parsed: Value,
    problem: Option<FieldError>,
}

/// All values of a field on a response, combined as RFC 9110 §5.3 says.
fn combined(resp: &ResponseRecord, name: &str) -> Option<String> {
    let values: Vec<&str> = resp.header_all(name).collect();
    (!values.is_empty()).then(|| values.join(", "))
}

fn too_long(value: &str) -> Option<FieldError> {
    (value.len() > MAX_FIELD).then_some(FieldError::TooLong(value.len()))
}

/// What a field value reads as: its generation and parsed form, or why it
/// cannot be used.
type Reading = Result<(Generation, Value), FieldError>;

/// Parse a value unless it is longer than [`MAX_FIELD`].
fn guarded(value: &str, f: impl Fn(&str) -> Reading) -> Reading {
    match too_long(value) {
        Some(e) => Err(e),
        None => f(value),
    }
}

fn fields_of(probe: &str, resp: &ResponseRecord) -> Vec<Seen> {
    let mut out = Vec::new();
    let mut push = |name: &str, value: String, r: Reading| {
        let (generation, parsed, problem) = match r {
            Ok((g, v)) => (Some(g), v, None),
            Err(e) => (None, Value::Null, Some(e)),
        };
        out.push(Seen {
            probe: probe.to_string(),
            status: resp.status,
            name: name.to_string(),
            value,
            generation,
            parsed,
            problem,
        });
    };
    if let Some(v) = combined(resp, "ratelimit-policy") {
        let r = guarded(&v, |v| {
            parse_policy(v).map(|p| match p {
                PolicyField::Current(p) => (Generation::Current, Value::Array(p)),
                PolicyField::Legacy(p) => (Generation::Draft07, Value::Array(p)),
            })
        });
        push("RateLimit-Policy", v, r);
    }
    if let Some(v) = combined(resp, "ratelimit") {
        let r = guarded(&v, |v| {
            parse_ratelimit(v).map(|p| match p {
                RateLimitField::Current(l) => (Generation::Current, Value::Array(l)),
                RateLimitField::Draft07(d) => (Generation::Draft07, d),
            })
        });
        push("RateLimit", v, r);
    }
    if let Some(v) = combined(resp, "ratelimit-limit") {
        let r = guarded(&v, |v| {
            parse_legacy_limit(v).map(|p| (Generation::Draft06, p))
        });
        push("RateLimit-Limit", v, r);
    }
    for name in ["RateLimit-Remaining", "RateLimit-Reset"] {
        if let Some(v) = combined(resp, name) {
            let r = guarded(&v, |v| {
                parse_legacy_integer(v).map(|n| (Generation::Draft06, json!(n)))
            });
            push(name, v, r);
        }
    }
    let mut x_names: Vec<&str> = Vec::new();
    for (n, _) in &resp.headers {
        let lower = n.as_str();
        if (lower.starts_with("x-ratelimit-") || lower.starts_with("x-rate-limit-"))
            && !x_names.contains(&lower)
        {
            x_names.push(lower);
        }
    }
    for name in x_names {
        if let Some(v) = combined(resp, name) {
            let parsed = if name.ends_with("-reset") {
                json!({"reads_as": read_x_reset(&v).as_str()})
            } else {
                Value::Null
            };
            push(name, v, Ok((Generation::XRateLimit, parsed)));
        }
    }
    for v in resp.header_all("retry-after") {
        let r = parse_retry_after(v).map(|ra| {
            let parsed = match ra {
                RetryAfter::Delay(d) => json!({"delay_seconds": d}),
                RetryAfter::Date => {
                    json!({"http_date": true, "note": "judged for syntax only (checks read no clock)"})
                }
            };
            (Generation::RetryAfter, parsed)
        });
        push("Retry-After", v.to_string(), r);
    }
    out
}

/// `rate-limit-signals`: responses tell agents their limits, and
/// throttled responses say when to retry.
pub fn rate_limit_signals(ev: &Evidence) -> Evaluation {
    let mut responses = 0usize;
    let mut seen: Vec<Seen> = Vec::new();
    let mut findings: Vec<Finding> = Vec::new();
    for (probe, _, x) in ev.agent_exchanges() {
        let Some(resp) = &x.response else { continue };
        responses += 1;
        let fields = fields_of(probe, resp);
        if resp.status == 429 && fields.is_empty() {
            findings.push(finding(
                code::CODE_429_WITHOUT_RETRY_AFTER,
                format!(
                    "{} {} ({probe}) → 429 without Retry-After or any rate-limit field",
                    x.request.method, x.request.url
                ),
                Some(probe),
            ));
        }
        seen.extend(fields);
    }
    if responses == 0 {
        return Evaluation::skip("no request an agent would make got a response");
    }
    let mut reported: Vec<(String, String)> = Vec::new();
    for f in &seen {
        let Some(why) = &f.problem else { continue };
        let key = (f.name.clone(), f.value.clone());
        if reported.contains(&key) {
            continue;
        }
        reported.push(key);
        let (code, tail) = if f.name == "Retry-After" {
            (code::RETRY_AFTER_INVALID, "RFC 9110 §10.2.3")
        } else {
            (code::MALFORMED, "clients must ignore a malformed field")
        };
        findings.push(finding(
            code,
            format!(
                "{} ({}): {}: \"{}\" — {why}; {tail}",
                f.probe,
                f.status,
                f.name,
                quote(&f.value)
            ),
            Some(&f.probe),
        ));
    }
    let mut generations: Vec<Generation> = seen
        .iter()
        .filter_map(|f| f.generation)
        .filter(|g| {
            *g != Generation::RetryAfter
                || seen.iter().any(|f| {
                    f.generation == Some(Generation::RetryAfter) && matches!(f.status, 429 | 503)
                })
        })
        .collect();
    generations.sort();
    generations.dedup();
    if let Some(g) = generations.iter().find(|g| g.is_legacy()) {
        let names: Vec<String> = seen
            .iter()
            .filter(|f| f.generation.is_some_and(Generation::is_legacy))
            .map(|f| f.name.clone())
            .fold(Vec::new(), |mut acc, n| {
                if !acc.contains(&n) {
                    acc.push(n);
                }
                acc
            });
        findings.push(finding(
            code::LEGACY_DRAFT,
            format!(
                "{} follow {}, superseded by the RateLimit and RateLimit-Policy lists of draft -08 and later",
                names.join(", "),
                g.describe()
            ),
            None,
        ));
    }
    if let Some(f) = seen.iter().find(|f| {
        f.parsed.get("reads_as").and_then(Value::as_str) == Some(ResetReading::Ambiguous.as_str())
    }) {
        findings.push(finding(
            code::AMBIGUOUS_RESET,
            format!(
                "{} ({}): {}: \"{}\" is neither a plausible delay in seconds nor an epoch time",
                f.probe,
                f.status,
                f.name,
                quote(&f.value)
            ),
            Some(&f.probe),
        ));
    }
    let malformed = seen
        .iter()
        .any(|f| f.problem.is_some() && f.name != "Retry-After");
    let summary = if generations.is_empty() && malformed {
        "rate-limit fields are sent but none can be used".to_string()
    } else if generations.is_empty() {
        findings.push(finding(
            code::MISSING,
            format!(
                "none of the {responses} responses carries RateLimit, RateLimit-Policy, RateLimit-Limit or X-RateLimit-*, and no 429 or 503 carries Retry-After"
            ),
            None,
        ));
        "no rate-limit signal on any response".to_string()
    } else {
        let described: Vec<&str> = generations.iter().map(|g| g.describe()).collect();
        let line = format!("rate limits are signalled with {}", described.join("; "));
        findings.insert(0, finding(code::FOUND, line.clone(), None));
        line
    };
    let fields: Vec<Value> = seen
        .iter()
        .take(MAX_LISTED)
        .map(|f| {
            json!({
                "probe": f.probe,
                "status": f.status,
                "name": f.name,
                "value": quote(&f.value),
                "generation": f.generation.map(Generation::as_str),
                "parsed": f.parsed,
                "problem": f.problem.as_ref().map(ToString::to_string),
            })
        })
        .collect();
    let evidence: Vec<String> = seen.iter().fold(Vec::new(), |mut acc, f| {
        if !acc.contains(&f.probe) {
            acc.push(f.probe.clone());
        }
        acc
    });
    let mut data = json!({
        "generations": generations.iter().map(|g| g.as_str()).collect::<Vec<_>>(),
    });
    data["fields"] = Value::Array(fields);
    Evaluation::evaluated(summary, findings, evidence).with_data(data)
}

#[cfg(test)]
mod tests;
