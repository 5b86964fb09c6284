//! A user-supplied token, reduced to the facts checks need.
//!
//! The token itself never leaves this module: it is not stored in the
//! evidence, the report or any log. Only its format and the `iat` / `exp`
//! claims of a JWT (read without verifying the signature: the lifetime is
//! the question, not the issuer's key) are kept.

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What is known about the supplied token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialFacts {
    /// `jwt` or `opaque`.
    pub format: String,
    /// `iat` claim (seconds since the epoch).
    #[serde(default)]
    pub iat: Option<i64>,
    /// `exp` claim.
    #[serde(default)]
    pub exp: Option<i64>,
    /// When the scan read the token (seconds since the epoch).
    pub observed_at: i64,
    /// Lifetime policy in seconds (`--max-token-lifetime`).
    pub policy_seconds: u64,
    /// Why the claims could not be read, if they could not.
    #[serde(default)]
    pub problem: Option<String>,
}

/// Largest token accepted for decoding (a JWT is rarely over a few KiB).
const MAX_TOKEN: usize = 64 * 1024;

/// Why a JWT's claims could not be read (the text kept in
/// [`CredentialFacts::problem`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum ClaimsError {
    /// The payload is not base64url.
    #[error("the payload is not base64url: {0}")]
    Base64(#[source] base64::DecodeError),
    /// The payload is not JSON (the parser's message).
    #[error("the payload is not JSON: {0}")]
    Json(String),
    /// The payload is JSON but not an object.
    #[error("the payload is not a JSON object")]
    NotObject,
    /// A time claim that is not a number (its name).
    #[error("`{0}` is not a NumericDate")]
    NotNumericDate(&'static str),
}

/// The `iat` and `exp` claims of a JWT's payload part.
fn claims(payload: &str) -> Result<(Option<i64>, Option<i64>), ClaimsError> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(ClaimsError::Base64)?;
    let Value::Object(claims) =
        serde_json::from_slice::<Value>(&bytes).map_err(|e| ClaimsError::Json(e.to_string()))?
    else {
        return Err(ClaimsError::NotObject);
    };
    let num = |k: &'static str| match claims.get(k) {
        None => Ok(None),
        Some(v) => v
            .as_i64()
            .or_else(|| v.as_f64().map(|x| x as i64))
            .map(Some)
            .ok_or(ClaimsError::NotNumericDate(k)),
    };
    Ok((num("iat")?, num("exp")?))
}

/// Read the facts of a token. `now` is the scan time.
pub fn facts(token: &str, now: i64, policy_seconds: u64) -> CredentialFacts {
    let token = token.trim();
    let token = token
        .strip_prefix("Bearer ")
        .or_else(|| token.strip_prefix("bearer "))
        .unwrap_or(token);
    let mut f = CredentialFacts {
        format: "opaque".into(),
        iat: None,
        exp: None,
        observed_at: now,
        policy_seconds,
        problem: None,
    };
    let parts: Vec<&str> = token.split('.').collect();
    if token.len() > MAX_TOKEN || parts.len() != 3 || !parts[0].starts_with("ey") {
        return f;
    }
    f.format = "jwt".into();
    match claims(parts[1]) {
        Ok((iat, exp)) => {
            f.iat = iat;
            f.exp = exp;
        }
        Err(e) => f.problem = Some(e.to_string()),
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &str) -> String {
        let b = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!("{}.{}.c2ln", b(r#"{"alg":"RS256","typ":"JWT"}"#), b(claims))
    }

    #[test]
    fn reads_jwt_claims_and_never_keeps_the_token() {
        let t = jwt(r#"{"sub":"agent","iat":1000,"exp":4600}"#);
        let f = facts(&format!("Bearer {t}"), 2000, 86_400);
        assert_eq!(f.format, "jwt");
        assert_eq!((f.iat, f.exp), (Some(1000), Some(4600)));
        let all = serde_json::to_string(&f).unwrap();
        assert!(!all.contains(&t[..20]));
    }

    #[test]
    fn opaque_and_malformed_tokens() {
        assert_eq!(facts("gho_abcdef123456", 0, 1).format, "opaque");
        let f = facts("eyJhbGciOiJub25lIn0.!!!.x", 0, 1);
        assert_eq!(f.format, "jwt");
        assert!(f.problem.is_some());
        let f = facts(&jwt(r#"{"exp":"tomorrow"}"#), 0, 1);
        assert!(f.problem.as_deref().unwrap().contains("exp"));
        let f = facts(&jwt(r#"{"sub":"x"}"#), 0, 1);
        assert_eq!((f.iat, f.exp, f.problem), (None, None, None));
    }
}
