//! `WWW-Authenticate` parsing per RFC 9110 §11.6.1 and §11.2.
//!
//! ```text
//! WWW-Authenticate = #challenge
//! challenge   = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
//! auth-param  = token BWS "=" BWS ( token / quoted-string )
//! token68     = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
//! ```
//!
//! One header may hold several challenges, and a response may carry several
//! headers. Scheme and parameter names are case-insensitive (kept as sent,
//! compared lower-cased); quoted strings may contain `\`-escapes. The parser
//! never panics and never allocates more than the input it is given.

use serde::Serialize;

/// One challenge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Challenge {
    /// The auth-scheme as sent (compare with [`Challenge::is`]).
    pub scheme: String,
    /// A token68 value, when the challenge has one instead of parameters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token68: Option<String>,
    /// Parameters in order, names as sent, values unquoted and unescaped.
    pub params: Vec<(String, String)>,
}

impl Challenge {
    /// Case-insensitive scheme comparison.
    pub fn is(&self, scheme: &str) -> bool {
        self.scheme.eq_ignore_ascii_case(scheme)
    }

    /// First value of a parameter (name case-insensitive).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Parameter names that occur more than once (lower-cased), which RFC
    /// 9110 §11.2 forbids.
    pub fn duplicate_params(&self) -> Vec<String> {
        let mut seen: Vec<String> = Vec::new();
        let mut dups: Vec<String> = Vec::new();
        for (n, _) in &self.params {
            let n = n.to_ascii_lowercase();
            if seen.contains(&n) {
                if !dups.contains(&n) {
                    dups.push(n);
                }
            } else {
                seen.push(n);
            }
        }
        dups
    }
}

/// Why a header value could not be parsed completely.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at byte {at}: {what}")]
pub struct ParseError {
    /// Byte offset in the header value.
    pub at: usize,
    /// What was expected.
    pub what: &'static str,
}

/// The challenges of several header values, in order, and the parse errors
/// met (each header is parsed up to its first error).
pub fn parse_all<'a>(
    values: impl IntoIterator<Item = &'a str>,
) -> (Vec<Challenge>, Vec<ParseError>) {
    let mut challenges = Vec::new();
    let mut errors = Vec::new();
    for v in values {
        let (mut c, e) = parse_lenient(v);
        challenges.append(&mut c);
        errors.extend(e);
    }
    (challenges, errors)
}

/// Parse one header value strictly.
#[cfg(any(test, feature = "testing"))]
pub fn parse(value: &str) -> Result<Vec<Challenge>, ParseError> {
    match parse_lenient(value) {
        (c, None) => Ok(c),
        (_, Some(e)) => Err(e),
    }
}

/// Parse one header value, returning the challenges read before any error.
pub fn parse_lenient(value: &str) -> (Vec<Challenge>, Option<ParseError>) {
    let mut p = Parser {
        s: value.as_bytes(),
        i: 0,
    };
    let mut out = Vec::new();
    match p.challenges(&mut out) {
        Ok(()) => (out, None),
        Err(e) => (out, Some(e)),
    }
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn is_token68_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~+/".contains(&b)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }

    /// Skip OWS and commas (empty list elements are allowed).
    fn separators(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b',')) {
            self.i += 1;
        }
    }

    fn token(&mut self) -> Option<String> {
        let start = self.i;
        while self.peek().is_some_and(is_tchar) {
            self.i += 1;
        }
        (self.i > start).then(|| String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }

    fn err(&self, what: &'static str) -> ParseError {
        ParseError { at: self.i, what }
    }

    fn challenges(&mut self, out: &mut Vec<Challenge>) -> Result<(), ParseError> {
        loop {
            self.separators();
            if self.peek().is_none() {
                return Ok(());
            }
            let scheme = self
                .token()
                .ok_or_else(|| self.err("an auth-scheme token"))?;
            let mut ch = Challenge {
                scheme,
                token68: None,
                params: Vec::new(),
            };
            // The scheme ends the challenge, or 1*SP then token68 / params.
            let had_space = matches!(self.peek(), Some(b' ' | b'\t'));
            self.ows();
            match self.peek() {
                None => {
                    out.push(ch);
                    return Ok(());
                }
                Some(b',') => {
                    out.push(ch);
                    continue;
                }
                Some(_) if !had_space => return Err(self.err("a space after the auth-scheme")),
                Some(_) => {}
            }
            if let Some(t68) = self.try_token68() {
                ch.token68 = Some(t68);
                out.push(ch);
                continue;
            }
            // #auth-param, until a comma followed by something that is not a
            // parameter (the next challenge) or the end.
            loop {
                let name = self.token().ok_or_else(|| self.err("a parameter name"))?;
                self.ows();
                if self.peek() != Some(b'=') {
                    return Err(self.err("'=' after the parameter name"));
                }
                self.i += 1;
                self.ows();
                let value = if self.peek() == Some(b'"') {
                    self.quoted()?
                } else {
                    self.token()
                        .ok_or_else(|| self.err("a token or quoted-string value"))?
                };
                ch.params.push((name, value));
                self.ows();
                match self.peek() {
                    None => {
                        out.push(ch);
                        return Ok(());
                    }
                    Some(b',') => {
                        self.separators();
                        if self.peek().is_none() {
                            out.push(ch);
                            return Ok(());
                        }
                        if !self.param_follows() {
                            out.push(ch);
                            break;
                        }
                    }
                    Some(_) => return Err(self.err("',' between parameters")),
                }
            }
        }
    }

    /// At the start of a list element: is it `token BWS "="` (a parameter
    /// of the current challenge) rather than a new challenge?
    fn param_follows(&self) -> bool {
        let mut j = self.i;
        while self.s.get(j).copied().is_some_and(is_tchar) {
            j += 1;
        }
        if j == self.i {
            return false;
        }
        while matches!(self.s.get(j), Some(b' ' | b'\t')) {
            j += 1;
        }
        self.s.get(j) == Some(&b'=')
    }

    /// A token68 when what follows the scheme is one and then the end of the
    /// challenge (OWS then `,` or end); otherwise nothing is consumed.
    fn try_token68(&mut self) -> Option<String> {
        let start = self.i;
        let mut j = self.i;
        while self.s.get(j).copied().is_some_and(is_token68_char) {
            j += 1;
        }
        if j == start {
            return None;
        }
        while self.s.get(j) == Some(&b'=') {
            j += 1;
        }
        let end = j;
        while matches!(self.s.get(j), Some(b' ' | b'\t')) {
            j += 1;
        }
        match self.s.get(j) {
            None | Some(b',') => {
                self.i = end;
                Some(String::from_utf8_lossy(&self.s[start..end]).into_owned())
            }
            _ => None,
        }
    }

    fn quoted(&mut self) -> Result<String, ParseError> {
        let open = self.i;
        self.i += 1;
        let mut v: Vec<u8> = Vec::new();
        loop {
            match self.peek() {
                None => {
                    self.i = open;
                    return Err(self.err("a closing '\"'"));
                }
                Some(b'"') => {
                    self.i += 1;
                    return Ok(String::from_utf8_lossy(&v).into_owned());
                }
                Some(b'\\') => {
                    self.i += 1;
                    match self.peek() {
                        Some(b) => {
                            v.push(b);
                            self.i += 1;
                        }
                        None => return Err(self.err("a character after '\\'")),
                    }
                }
                Some(b) => {
                    v.push(b);
                    self.i += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(c: &Challenge) -> Vec<(&str, &str)> {
        c.params
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect()
    }

    #[test]
    fn bearer_with_rfc_6750_and_9728_parameters() {
        let v = r#"Bearer realm="example", error="invalid_token", error_description="The access token expired", scope="read write", resource_metadata="https://api.example.com/.well-known/oauth-protected-resource""#;
        let c = parse(v).unwrap();
        assert_eq!(c.len(), 1);
        assert!(c[0].is("bearer"));
        assert_eq!(c[0].param("REALM"), Some("example"));
        assert_eq!(c[0].param("scope"), Some("read write"));
        assert_eq!(
            c[0].param("resource_metadata"),
            Some("https://api.example.com/.well-known/oauth-protected-resource")
        );
        assert_eq!(
            c[0].param("error_description"),
            Some("The access token expired")
        );
    }

    #[test]
    fn several_challenges_in_one_header() {
        let c = parse(r#"Basic realm="simple", Newauth realm="apps", type=1, title="Login to \"apps\"", Bearer"#).unwrap();
        assert_eq!(c.len(), 3);
        assert!(c[0].is("Basic"));
        assert_eq!(params(&c[0]), vec![("realm", "simple")]);
        assert!(c[1].is("newauth"));
        assert_eq!(
            params(&c[1]),
            vec![
                ("realm", "apps"),
                ("type", "1"),
                ("title", "Login to \"apps\"")
            ]
        );
        assert!(c[2].is("bearer"));
        assert!(c[2].params.is_empty());
    }

    #[test]
    fn token68_and_empty_elements() {
        let c = parse("Negotiate YII4BgYrBgEFBQKgggQsMIIEKKAw==, , Bearer realm=x").unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(
            c[0].token68.as_deref(),
            Some("YII4BgYrBgEFBQKgggQsMIIEKKAw==")
        );
        assert_eq!(c[1].param("realm"), Some("x"));
        let c = parse("Bearer").unwrap();
        assert_eq!(c.len(), 1);
        assert!(parse("").unwrap().is_empty());
        assert!(parse(" ,, ").unwrap().is_empty());
    }

    #[test]
    fn bws_around_equals_and_case() {
        let c = parse("BEARER Realm = \"a\" ,Scope=\"b\"").unwrap();
        assert!(c[0].is("bearer"));
        assert_eq!(c[0].param("realm"), Some("a"));
        assert_eq!(c[0].param("scope"), Some("b"));
    }

    #[test]
    fn across_headers_and_errors() {
        let (c, e) = parse_all([
            "Basic realm=\"a\"",
            "Bearer resource_metadata=\"https://x/y\"",
        ]);
        assert_eq!(c.len(), 2);
        assert!(e.is_empty());
        // Unquoted value with a space, unterminated quote, missing '='.
        assert!(parse("Bearer realm=two words").is_err());
        assert!(parse("Bearer realm=\"open").is_err());
        // "Bearer realm" is a token68; "realm x" is neither form.
        assert_eq!(
            parse("Bearer realm").unwrap()[0].token68.as_deref(),
            Some("realm")
        );
        assert!(parse("Bearer realm x").is_err());
        assert!(parse("Bearer realm=\"a\" scope=\"b\"").is_err());
        assert!(parse("=x").is_err());
        // Lenient parsing keeps what came before the error.
        let (c, e) = parse_lenient("Basic realm=\"a\", Bearer realm=\"b");
        assert_eq!(c.len(), 1);
        assert!(e.is_some());
    }

    #[test]
    fn duplicates_are_detected() {
        let c = parse("Bearer scope=\"a\", Scope=\"b\", realm=x").unwrap();
        assert_eq!(c[0].duplicate_params(), vec!["scope"]);
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        fn token() -> impl Strategy<Value = String> {
            "[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]{0,12}"
        }

        fn value() -> impl Strategy<Value = String> {
            // Printable ASCII including quotes, backslashes, commas, spaces.
            "[ -~]{0,24}"
        }

        fn quote(v: &str) -> String {
            let mut s = String::from("\"");
            for c in v.chars() {
                if c == '"' || c == '\\' {
                    s.push('\\');
                }
                s.push(c);
            }
            s.push('"');
            s
        }

        fn challenge() -> impl Strategy<Value = Challenge> {
            (token(), proptest::collection::vec((token(), value()), 0..5)).prop_map(
                |(scheme, params)| Challenge {
                    scheme,
                    token68: None,
                    params,
                },
            )
        }

        fn render(c: &[Challenge], ws: &str) -> String {
            c.iter()
                .map(|ch| {
                    if ch.params.is_empty() {
                        ch.scheme.clone()
                    } else {
                        let ps: Vec<String> = ch
                            .params
                            .iter()
                            .map(|(n, v)| format!("{n}{ws}={ws}{}", quote(v)))
                            .collect();
                        format!("{} {}", ch.scheme, ps.join(&format!("{ws},{ws}")))
                    }
                })
                .collect::<Vec<_>>()
                .join(&format!("{ws},{ws}"))
        }

        proptest! {
            #[test]
            fn round_trips(cs in proptest::collection::vec(challenge(), 0..4), ws in "[ \t]{0,2}") {
                let text = render(&cs, &ws);
                let parsed = parse(&text).map_err(|e| TestCaseError::fail(format!("{e} in {text:?}")))?;
                prop_assert_eq!(parsed, cs);
            }

            #[test]
            fn never_panics_on_anything(s in "\\PC{0,64}") {
                let _ = parse_lenient(&s);
            }

            #[test]
            fn never_panics_on_header_like_noise(s in "[A-Za-z =\",\\\\\t]{0,64}") {
                let (c, _) = parse_lenient(&s);
                prop_assert!(c.len() <= s.len());
            }

            #[test]
            fn token68_round_trips(scheme in token(), t in "[A-Za-z0-9._~+/-]{1,30}={0,2}") {
                let parsed = parse(&format!("{scheme} {t}")).unwrap();
                prop_assert_eq!(parsed.len(), 1);
                prop_assert_eq!(parsed[0].token68.as_deref(), Some(t.as_str()));
            }
        }
    }
}
