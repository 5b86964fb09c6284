//! `token-lifetime`: A user-supplied access token has a bounded lifetime within policy.
//!
//! RFC 7519 §4.1.4 / §4.1.6 claims of a user-supplied
//! token, read locally (the token itself is never stored).

use crate::checks::Builtin;
use crate::checks::codes::token_lifetime as code;
use crate::evidence::Evidence;
use crate::model::outcome::{Evaluation, finding};
use crate::model::probe::Needs;
use serde_json::json;

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::AS_METADATA,
    eval: token_lifetime,
};

/// Tokens valid for longer than this fail regardless of policy.
pub const HARD_LIMIT_SECONDS: i64 = 30 * 24 * 3600;

/// `token-lifetime`: RFC 7519 §4.1.4 / §4.1.6 claims of a user-supplied
/// token, read locally (the token itself is never stored).
pub fn token_lifetime(ev: &Evidence) -> Evaluation {
    let Some(c) = ev.credential() else {
        return Evaluation::skip("no token supplied (give one with --token-env VAR)");
    };
    let policy = i64::try_from(c.policy_seconds).unwrap_or(i64::MAX);
    let mut findings = Vec::new();
    let data = json!({"format": c.format, "iat": c.iat, "exp": c.exp, "observed_at": c.observed_at, "policy_seconds": c.policy_seconds});
    if c.format != "jwt" {
        return Evaluation::skip(
            "the token is opaque: its lifetime cannot be read without introspection credentials",
        )
        .with_data(data);
    }
    if let Some(problem) = &c.problem {
        findings.push(finding(
            code::CLAIMS_MALFORMED,
            format!("the token's claims cannot be read: {problem}"),
            None,
        ));
        return Evaluation::evaluated("The token's lifetime cannot be read", findings, vec![])
            .with_data(data);
    }
    let Some(exp) = c.exp else {
        findings.push(finding(
            code::UNBOUNDED,
            "the token has no exp claim: it never expires (RFC 7519 §4.1.4)",
            None,
        ));
        return Evaluation::evaluated("The token never expires", findings, vec![]).with_data(data);
    };
    let (lifetime, basis) = match c.iat {
        Some(iat) => (exp - iat, "exp − iat"),
        None => {
            findings.push(finding(
                code::IAT_MISSING,
                "the token has no iat claim; the remaining lifetime at scan time is judged instead",
                None,
            ));
            (exp - c.observed_at, "exp − scan time")
        }
    };
    if exp < c.observed_at {
        findings.push(finding(
            code::INACTIVE,
            "the token had already expired when the scan ran",
            None,
        ));
    }
    let hours = |s: i64| format!("{:.1} h", s as f64 / 3600.0);
    if lifetime > HARD_LIMIT_SECONDS {
        findings.push(finding(
            code::EXCEEDS_30_DAYS,
            format!(
                "the token lives {} ({basis}), more than 30 days",
                hours(lifetime)
            ),
            None,
        ));
    } else if lifetime > policy {
        findings.push(finding(
            code::EXCEEDS_POLICY,
            format!(
                "the token lives {} ({basis}), more than the policy of {}",
                hours(lifetime),
                hours(policy)
            ),
            None,
        ));
    }
    Evaluation::evaluated(
        format!("The supplied token lives {} ({basis})", hours(lifetime)),
        findings,
        vec![],
    )
    .with_data(data)
}

#[cfg(test)]
mod tests {

    use crate::checks::testkit::headless::*;

    use crate::model::outcome::Outcome;

    #[test]
    fn token_lifetime_outcomes() {
        assert_eq!(
            lifetime(&jwt(r#"{"iat":1000000,"exp":1003600}"#)),
            (Outcome::Pass, vec![])
        );
        assert_eq!(
            lifetime(&jwt(r#"{"iat":1000000,"exp":1172800}"#)),
            (
                Outcome::Warn,
                vec!["token-lifetime-exceeds-policy".to_string()]
            )
        );
        assert_eq!(
            lifetime(&jwt(r#"{"iat":1000000,"exp":4000000}"#)),
            (
                Outcome::Fail,
                vec!["token-lifetime-exceeds-30-days".to_string()]
            )
        );
        assert_eq!(
            lifetime(&jwt(r#"{"iat":1000000}"#)),
            (Outcome::Fail, vec!["token-lifetime-unbounded".to_string()])
        );
        assert_eq!(
            lifetime(&jwt(r#"{"exp":1001800}"#)),
            (
                Outcome::Pass,
                vec!["token-lifetime-iat-missing".to_string()]
            )
        );
        assert_eq!(
            lifetime(&jwt(r#"{"iat":900000,"exp":903600}"#)),
            (Outcome::Pass, vec!["token-lifetime-inactive".to_string()])
        );
        assert_eq!(
            lifetime(&jwt(r#"{"exp":"never"}"#)),
            (
                Outcome::Warn,
                vec!["token-lifetime-claims-malformed".to_string()]
            )
        );
        assert_eq!(lifetime("opaque-token-value").0, Outcome::Skip);
    }
}
