//! Evidence-level tests of `rate-limit-signals`: every draft generation,
//! the de-facto fields, Retry-After, and malformed values.

use super::{
    FieldError, PolicyField, RateLimitField, ResetReading, RetryAfter, parse_legacy_integer,
    parse_legacy_limit, parse_policy, parse_ratelimit, parse_retry_after, read_x_reset,
};
use crate::evidence::Evidence;
use crate::model::outcome::Outcome;
use crate::testing::{ORIGIN, codes, evidence, json, judge, route, site, with_headers};
use serde_json::{Value, json as j};

const ID: &str = "rate-limit-signals";

/// A site whose `/api` answers JSON with these headers.
fn api_with(headers: &[(&str, &str)]) -> Evidence {
    evidence(
        site(
            vec![with_headers(json("/api", &j!({"ok": true})), headers)],
            None,
        ),
        ORIGIN,
    )
}

fn verdict(ev: &Evidence) -> (Outcome, Vec<String>, Value) {
    let r = judge(ev, ID);
    assert_ne!(r.outcome, Outcome::Error, "{}", r.summary);
    (r.outcome, codes(&r), r.data.unwrap_or(Value::Null))
}

fn generations(data: &Value) -> Vec<String> {
    data["generations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap().to_string())
        .collect()
}

// ---- parsers ---------------------------------------------------------------

#[test]
fn current_policy_examples_of_the_draft_parse() {
    for v in [
        r#""burst";q=100;w=60,"daily";q=1000;w=86400"#,
        r#""default";q=100;w=10"#,
        r#""permin";q=50;w=60,"perhr";q=1000;w=3600"#,
        r#""peruser";q=100;w=60;pk=:cHsdsRa894==:"#,
        r#""peruser";q=65535;qu="content-bytes";w=10;pk=:sdfjLJUOUH==:"#,
        r#""free";q=0"#,
        r#""x";q=10;acme-burst=5"#,
    ] {
        assert!(
            matches!(parse_policy(v), Ok(PolicyField::Current(_))),
            "{v}: {:?}",
            parse_policy(v)
        );
    }
    let Ok(PolicyField::Current(p)) = parse_policy(r#""burst";q=100;w=60"#) else {
        panic!()
    };
    assert_eq!(
        p[0],
        j!({"name": "burst", "quota": 100, "window": 60, "unit": null})
    );
}

#[test]
fn current_ratelimit_examples_of_the_draft_parse() {
    for v in [
        r#""default";r=50;t=30"#,
        r#""default";r=999;pk=:dHJpYWwxMjEzMjM=:"#,
        r#""default";r=300000000;t=60;pk=:QXBwLTk5OQ==:"#,
        r#""problemPolicy";r=0;t=10"#,
        r#""a";r=1, "b";r=2;t=5"#,
    ] {
        assert!(
            matches!(parse_ratelimit(v), Ok(RateLimitField::Current(_))),
            "{v}: {:?}",
            parse_ratelimit(v)
        );
    }
}

#[test]
fn draft_07_and_older_forms_parse() {
    assert!(matches!(
        parse_ratelimit("limit=10, remaining=1, reset=7"),
        Ok(RateLimitField::Draft07(_))
    ));
    assert!(matches!(
        parse_ratelimit("limit=100, reset=50"),
        Ok(RateLimitField::Draft07(_))
    ));
    assert!(matches!(
        parse_policy("10;w=1, 50;w=60, 1000;w=3600, 5000;w=86400"),
        Ok(PolicyField::Legacy(_))
    ));
    assert!(parse_legacy_limit("100").is_ok());
    assert!(parse_legacy_limit("10, 10;w=1, 50;w=60").is_ok());
    assert!(parse_legacy_limit("10, 10;w=1;burst=1000, 1000;w=3600").is_ok());
    assert_eq!(parse_legacy_integer("50"), Ok(50));
    assert_eq!(parse_legacy_integer("0"), Ok(0));
}

#[test]
fn malformed_values_are_refused_with_a_reason() {
    for (v, why) in [
        ("default;r=50;t=30", "String"),
        (r#""default";t=30"#, "`r`"),
        (r#""default";r=-1"#, "non-negative"),
        (r#""default";r=5;pk=abc"#, "Byte Sequence"),
        (r#""default";r="5""#, "Integer"),
        ("limit=10", "limit"),
        ("limit=10, remaining=x, reset=5", "remaining"),
        ("50 requests per minute", "List"),
        ("", "empty"),
    ] {
        let e = parse_ratelimit(v).unwrap_err();
        assert!(e.to_string().contains(why), "{v}: {e}");
    }
    for (v, why) in [
        (r#""burst";w=60"#, "`q`"),
        (r#""burst";q=100;w=0"#, "positive"),
        (r#""burst";q=1.5"#, "non-negative Integer"),
        (r#""burst";q=10;qu=requests"#, "String"),
        (r#""a";q=1, 10;w=1"#, "Strings"),
        ("(1 2);w=3", "inner list"),
        ("", "empty"),
    ] {
        let e = parse_policy(v).unwrap_err();
        assert!(e.to_string().contains(why), "{v}: {e}");
    }
    // The texts findings quote, exactly.
    assert_eq!(
        parse_ratelimit(r#""default";r=-1"#).unwrap_err().to_string(),
        "limit \"default\": `r` must be a non-negative Integer"
    );
    assert_eq!(
        parse_policy(r#""burst";q=100;w=0"#).unwrap_err().to_string(),
        "policy \"burst\": `w` must be a positive Integer"
    );
    assert!(matches!(
        parse_ratelimit("limit=10"),
        Err(FieldError::NotDraft07(_))
    ));
    assert!(parse_legacy_limit("ten").is_err());
    assert!(parse_legacy_integer("-3").is_err());
    assert!(parse_legacy_integer("1, 2").is_err());
}

#[test]
fn retry_after_is_delay_seconds_or_an_http_date() {
    assert_eq!(
        parse_retry_after("120"),
        Ok(RetryAfter::Delay("120".into()))
    );
    assert_eq!(parse_retry_after(" 0 "), Ok(RetryAfter::Delay("0".into())));
    // All three HTTP-date forms (RFC 9110 §5.6.7).
    for d in [
        "Fri, 31 Dec 1999 23:59:59 GMT",
        "Friday, 31-Dec-99 23:59:59 GMT",
        "Fri Dec 31 23:59:59 1999",
    ] {
        assert_eq!(parse_retry_after(d), Ok(RetryAfter::Date), "{d}");
    }
    for bad in ["-5", "1.5", "soon", "", "2026-01-01T00:00:00Z", "30s"] {
        assert!(parse_retry_after(bad).is_err(), "{bad}");
    }
}

#[test]
fn x_ratelimit_reset_readings() {
    assert_eq!(read_x_reset("60"), ResetReading::Delay);
    assert_eq!(read_x_reset("0.5"), ResetReading::Delay);
    assert_eq!(read_x_reset("1767225600"), ResetReading::EpochSeconds);
    assert_eq!(read_x_reset("1470173023.123"), ResetReading::EpochSeconds);
    assert_eq!(read_x_reset("1767225600000"), ResetReading::EpochMillis);
    assert_eq!(read_x_reset("2026-01-01T00:00:00Z"), ResetReading::Date);
    assert_eq!(
        read_x_reset("Thu, 01 Jan 2026 00:00:00 GMT"),
        ResetReading::Date
    );
    assert_eq!(read_x_reset("86400000"), ResetReading::Ambiguous);
    assert_eq!(read_x_reset("soon"), ResetReading::Ambiguous);
    assert_eq!(read_x_reset("NaN"), ResetReading::Ambiguous);
}

// ---- the check -------------------------------------------------------------

#[test]
fn the_current_generation_passes() {
    let ev = api_with(&[
        (
            "ratelimit-policy",
            r#""burst";q=100;w=60,"daily";q=1000;w=86400"#,
        ),
        ("ratelimit", r#""burst";r=99;t=60"#),
    ]);
    let (o, c, data) = verdict(&ev);
    assert_eq!(o, Outcome::Pass);
    assert_eq!(c, vec!["rate-limit-signals-found"]);
    assert_eq!(generations(&data), vec!["ietf-current"]);
    let policy = data["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "RateLimit-Policy")
        .unwrap();
    assert_eq!(policy["parsed"][1]["quota"], 1000);
    assert_eq!(policy["probe"], "api-base");
}

#[test]
fn a_list_split_over_two_field_lines_is_one_list() {
    let mut ev = api_with(&[]);
    let probe = ev.get("api-base").unwrap().probe.clone();
    ev.edit_exchanges(|x| {
        if x.probe != probe {
            return;
        }
        let resp = x.response.as_mut().unwrap();
        resp.headers
            .push(("ratelimit-policy".into(), r#""burst";q=100;w=60"#.into()));
        resp.headers.push((
            "ratelimit-policy".into(),
            r#""daily";q=1000;w=86400"#.into(),
        ));
    });
    let (o, _, data) = verdict(&ev);
    assert_eq!(o, Outcome::Pass);
    let f = &data["fields"][0];
    assert_eq!(f["parsed"].as_array().unwrap().len(), 2, "{f}");
}

#[test]
fn draft_07_dictionary_passes_with_a_legacy_note() {
    let ev = api_with(&[
        ("ratelimit", "limit=100, remaining=50, reset=5"),
        ("ratelimit-policy", "100;w=10"),
    ]);
    let (o, c, data) = verdict(&ev);
    assert_eq!(o, Outcome::Pass);
    assert_eq!(
        c,
        vec![
            "rate-limit-signals-found",
            "rate-limit-signals-legacy-draft"
        ]
    );
    assert_eq!(generations(&data), vec!["ietf-draft-07"]);
}

#[test]
fn drafts_00_to_06_pass_with_a_legacy_note() {
    let ev = api_with(&[
        ("ratelimit-limit", "100, 100;w=60"),
        ("ratelimit-remaining", "99"),
        ("ratelimit-reset", "42"),
    ]);
    let (o, c, data) = verdict(&ev);
    assert_eq!(o, Outcome::Pass);
    assert!(c.contains(&"rate-limit-signals-legacy-draft".to_string()));
    assert_eq!(generations(&data), vec!["ietf-draft-00-06"]);
}

#[test]
fn x_ratelimit_fields_pass_and_ambiguous_resets_are_noted() {
    let ev = api_with(&[
        ("x-ratelimit-limit", "5000"),
        ("x-ratelimit-remaining", "4999"),
        ("x-ratelimit-reset", "1767225600"),
        ("x-ratelimit-used", "1"),
    ]);
    let (o, c, data) = verdict(&ev);
    assert_eq!(o, Outcome::Pass);
    assert_eq!(c, vec!["rate-limit-signals-found"]);
    assert_eq!(generations(&data), vec!["x-ratelimit"]);
    let reset = data["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "x-ratelimit-reset")
        .unwrap();
    assert_eq!(reset["parsed"]["reads_as"], "epoch-seconds");
    // Envoy's list form and Twitter's X-Rate-Limit-*, and an ambiguous reset.
    let ev = api_with(&[
        ("x-ratelimit-limit", "10, 10;w=1"),
        ("x-rate-limit-reset", "86400000"),
    ]);
    let (o, c, _) = verdict(&ev);
    assert_eq!(o, Outcome::Pass);
    assert!(c.contains(&"rate-limit-signals-ambiguous-reset".to_string()));
}

#[test]
fn no_field_anywhere_warns() {
    let ev = api_with(&[]);
    let (o, c, data) = verdict(&ev);
    assert_eq!(o, Outcome::Warn);
    assert_eq!(c, vec!["rate-limit-signals-missing"]);
    assert!(generations(&data).is_empty());
}

#[test]
fn malformed_ietf_fields_warn_once_per_value() {
    let ev = evidence(
        site(
            vec![
                with_headers(json("/api", &j!({})), &[("ratelimit", "default;r=50;t=30")]),
                with_headers(
                    json("/api/v1", &j!({})),
                    &[("ratelimit", "default;r=50;t=30")],
                ),
            ],
            None,
        ),
        ORIGIN,
    );
    let r = judge(&ev, ID);
    assert_eq!(r.outcome, Outcome::Warn);
    assert_eq!(codes(&r), vec!["rate-limit-signals-malformed"]);
    assert!(r.findings[0].message.contains("must ignore"));
    assert!(r.summary.contains("none can be used"));
    // A malformed field beside a good one still warns.
    let ev = api_with(&[
        ("ratelimit-policy", r#""burst";w=60"#),
        ("x-ratelimit-remaining", "10"),
    ]);
    let (o, c, _) = verdict(&ev);
    assert_eq!(o, Outcome::Warn);
    assert!(c.contains(&"rate-limit-signals-malformed".to_string()));
    assert!(c.contains(&"rate-limit-signals-found".to_string()));
}

#[test]
fn oversized_fields_are_not_parsed() {
    let huge = format!("\"p\";q=1;{}", "a=1;".repeat(2000));
    let ev = api_with(&[("ratelimit-policy", huge.as_str())]);
    let r = judge(&ev, ID);
    assert_eq!(r.outcome, Outcome::Warn);
    assert!(r.findings[0].message.contains("more than the 4096"));
}

#[test]
fn a_429_needs_retry_after_or_a_rate_limit_field() {
    let throttled = |headers: &[(&str, &str)]| {
        evidence(
            site(
                vec![with_headers(
                    route(
                        "/api",
                        429,
                        "application/problem+json",
                        r#"{"type":"https://iana.org/assignments/http-problem-types#quota-exceeded"}"#,
                    ),
                    headers,
                )],
                None,
            ),
            ORIGIN,
        )
    };
    let (o, c, _) = verdict(&throttled(&[]));
    assert_eq!(o, Outcome::Warn);
    assert_eq!(
        c,
        vec![
            "rate-limit-signals-429-without-retry-after",
            "rate-limit-signals-missing"
        ]
    );
    let (o, c, data) = verdict(&throttled(&[("retry-after", "30")]));
    assert_eq!(o, Outcome::Pass, "{c:?}");
    assert_eq!(generations(&data), vec!["retry-after"]);
    let (o, _, _) = verdict(&throttled(&[(
        "retry-after",
        "Wed, 21 Oct 2015 07:28:00 GMT",
    )]));
    assert_eq!(o, Outcome::Pass);
    let (o, _, _) = verdict(&throttled(&[("ratelimit", r#""default";r=0;t=30"#)]));
    assert_eq!(o, Outcome::Pass);
    let (o, c, _) = verdict(&throttled(&[("retry-after", "in a minute")]));
    assert_eq!(o, Outcome::Warn);
    assert!(c.contains(&"rate-limit-signals-retry-after-invalid".to_string()));
}

#[test]
fn retry_after_on_a_200_is_checked_but_is_not_a_rate_limit_signal() {
    let ev = api_with(&[("retry-after", "10")]);
    let (o, c, data) = verdict(&ev);
    assert_eq!(o, Outcome::Warn, "{c:?}");
    assert_eq!(c, vec!["rate-limit-signals-missing"]);
    assert!(generations(&data).is_empty());
    let ev = api_with(&[("retry-after", "tomorrow")]);
    let (_, c, _) = verdict(&ev);
    assert!(c.contains(&"rate-limit-signals-retry-after-invalid".to_string()));
}

#[test]
fn nothing_answering_is_skip() {
    let mut ev = api_with(&[]);
    ev.edit_exchanges(|x| {
        x.response = None;
    });
    assert_eq!(judge(&ev, ID).outcome, Outcome::Skip);
}
