//! Bot-challenge fingerprints: `checks/fingerprints/*.toml`, embedded at
//! build time, one file per vendor.
//!
//! Every file is validated against `checks/schema/fingerprint.schema.json`
//! and its regular expressions are compiled (case-insensitive, size-capped)
//! when first used; a test loads them all, so a broken file fails the build's
//! tests rather than a scan. The `bot-challenge` check matches responses
//! against them.

use include_dir::{Dir, include_dir};
use regex::{Regex, RegexBuilder};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::OnceLock;

static FINGERPRINTS_DIR: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/checks/fingerprints");

/// The JSON Schema every fingerprint file must satisfy.
pub const FINGERPRINT_SCHEMA: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/checks/schema/fingerprint.schema.json"
));

/// Compiled size limit of one fingerprint regex.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Where a signature looks and how much it proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A vendor header (with status) that is itself the challenge signal.
    Strong,
    /// A marker in the body.
    Body,
    /// A Set-Cookie name: corroborates, never fails alone.
    Cookie,
    /// A header that shows the vendor is in front: never a challenge.
    Presence,
}

/// What a strong or body signature stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Means {
    /// An interactive challenge page.
    Challenge,
    /// A block page.
    Block,
    /// An embeddable CAPTCHA widget.
    Widget,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileData {
    vendor: String,
    signature: Vec<SignatureData>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HeaderData {
    name: String,
    #[serde(default)]
    value: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignatureData {
    id: String,
    kind: Kind,
    #[serde(default)]
    means: Option<Means>,
    description: String,
    source: String,
    #[serde(default)]
    notes: Option<String>,
    #[serde(default)]
    header: Option<HeaderData>,
    #[serde(default)]
    status: Vec<u16>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    cookie: Option<String>,
}

/// A header matcher: the name, and a regex the value must match if given.
#[derive(Debug, Clone)]
pub struct HeaderMatcher {
    /// Lower-case header name.
    pub name: String,
    /// Regex on the value; `None` = presence.
    pub value: Option<Regex>,
}

/// One compiled signature.
#[derive(Debug, Clone)]
pub struct Signature {
    /// Vendor named in findings.
    pub vendor: String,
    /// Unique id.
    pub id: String,
    /// Where it looks.
    pub kind: Kind,
    /// What it stands for (strong and body signatures).
    pub means: Option<Means>,
    /// What it recognises.
    pub description: String,
    /// Where the signal is documented or observed.
    #[cfg_attr(
        not(feature = "testing"),
        allow(dead_code, reason = "provenance the data file must carry; its tests read it")
    )]
    pub source: String,
    /// Provenance caveats.
    #[cfg_attr(
        not(feature = "testing"),
        allow(dead_code, reason = "provenance the data file must carry; its tests read it")
    )]
    pub notes: Option<String>,
    /// Header matcher.
    pub header: Option<HeaderMatcher>,
    /// Allowed statuses (empty = any).
    pub status: Vec<u16>,
    /// Body regex.
    pub body: Option<Regex>,
    /// Set-Cookie name regex.
    pub cookie: Option<Regex>,
}

/// Errors loading fingerprint files.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FingerprintError {
    /// Not TOML.
    #[error("{file}: not valid TOML: {reason}")]
    Toml {
        /// File.
        file: String,
        /// Parser message.
        reason: String,
    },
    /// Fails the schema.
    #[error("{file}: does not match checks/schema/fingerprint.schema.json:\n{}", .errors.join("\n"))]
    Schema {
        /// File.
        file: String,
        /// One line per violation.
        errors: Vec<String>,
    },
    /// A rule the schema cannot express (a regex that does not compile, a
    /// duplicate id).
    #[error("{file}: {reason}")]
    Invalid {
        /// File.
        file: String,
        /// What is wrong.
        reason: String,
    },
}

fn schema_validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let schema: Value =
            serde_json::from_str(FINGERPRINT_SCHEMA).expect("embedded fingerprint schema is JSON");
        jsonschema::validator_for(&schema).expect("embedded fingerprint schema compiles")
    })
}

fn compile(file: &str, id: &str, what: &str, pattern: &str) -> Result<Regex, FingerprintError> {
    RegexBuilder::new(pattern)
        .case_insensitive(true)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| FingerprintError::Invalid {
            file: file.to_string(),
            reason: format!("signature {id}: the {what} regex does not compile: {e}"),
        })
}

/// Parse, validate and compile one fingerprint file.
pub fn parse_file(file: &str, text: &str) -> Result<Vec<Signature>, FingerprintError> {
    let data: FileData =
        crate::model::datafile::parse(text, schema_validator()).map_err(|e| match e {
            crate::model::datafile::DataFileError::Toml(reason) => FingerprintError::Toml {
                file: file.to_string(),
                reason,
            },
            crate::model::datafile::DataFileError::Schema(errors) => FingerprintError::Schema {
                file: file.to_string(),
                errors,
            },
        })?;
    let mut out = Vec::new();
    for s in data.signature {
        let header = match s.header {
            Some(h) => Some(HeaderMatcher {
                name: h.name.to_ascii_lowercase(),
                value: h
                    .value
                    .as_deref()
                    .map(|v| compile(file, &s.id, "header value", v))
                    .transpose()?,
            }),
            None => None,
        };
        let body = s
            .body
            .as_deref()
            .map(|b| compile(file, &s.id, "body", b))
            .transpose()?;
        let cookie = s
            .cookie
            .as_deref()
            .map(|c| compile(file, &s.id, "cookie", c))
            .transpose()?;
        out.push(Signature {
            vendor: data.vendor.clone(),
            id: s.id,
            kind: s.kind,
            means: s.means,
            description: s.description,
            source: s.source,
            notes: s.notes,
            header,
            status: s.status,
            body,
            cookie,
        });
    }
    Ok(out)
}

/// Parse every embedded fingerprint file (in file-name order); ids must be
/// unique across files.
pub fn load_builtin() -> Result<Vec<Signature>, FingerprintError> {
    let mut files: Vec<_> = FINGERPRINTS_DIR
        .files()
        .filter(|f| f.path().extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort_by_key(|f| f.path().to_path_buf());
    let mut out: Vec<Signature> = Vec::new();
    let mut ids = BTreeSet::new();
    for f in files {
        let name = format!("checks/fingerprints/{}", f.path().display());
        let text = f.contents_utf8().ok_or_else(|| FingerprintError::Invalid {
            file: name.clone(),
            reason: "not UTF-8".into(),
        })?;
        for s in parse_file(&name, text)? {
            if !ids.insert(s.id.clone()) {
                return Err(FingerprintError::Invalid {
                    file: name,
                    reason: format!("signature id `{}` is used twice", s.id),
                });
            }
            out.push(s);
        }
    }
    Ok(out)
}

/// One pass over a body for every signature's body regex: which
/// signatures (by index) can match it. Built once for a signature list; a
/// body no body regex matches (the usual case) is read once instead of once
/// per signature.
#[derive(Debug)]
pub struct BodyPrefilter {
    set: regex::RegexSet,
    /// Index into the signatures of each pattern of `set`.
    owners: Vec<usize>,
}

impl BodyPrefilter {
    /// The prefilter of `sigs`; `None` if the combined set does not compile
    /// within the size limit (each signature is then tried on its own).
    pub fn new(sigs: &[Signature]) -> Option<Self> {
        let (owners, patterns): (Vec<usize>, Vec<&str>) = sigs
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.body.as_ref().map(|re| (i, re.as_str())))
            .unzip();
        let set = regex::RegexSetBuilder::new(patterns)
            .case_insensitive(true)
            .size_limit(REGEX_SIZE_LIMIT * 4)
            .build()
            .ok()?;
        Some(BodyPrefilter { set, owners })
    }

    /// For each signature, whether its body regex may match `body`
    /// (signatures without a body regex: `true`).
    pub fn candidates(&self, sigs_len: usize, body: &str) -> Vec<bool> {
        let mut out = vec![true; sigs_len];
        for &i in &self.owners {
            if let Some(slot) = out.get_mut(i) {
                *slot = false;
            }
        }
        for m in self.set.matches(body).iter() {
            if let Some(slot) = self.owners.get(m).and_then(|&i| out.get_mut(i)) {
                *slot = true;
            }
        }
        out
    }
}

/// The prefilter of [`builtin`], built once.
pub fn builtin_prefilter() -> Option<&'static BodyPrefilter> {
    static SET: OnceLock<Option<BodyPrefilter>> = OnceLock::new();
    SET.get_or_init(|| builtin().ok().and_then(BodyPrefilter::new))
        .as_ref()
}

/// The embedded fingerprints, loaded once. An error (a broken embedded
/// file, which the tests catch) is returned, so the check can report
/// `error` instead of guessing.
pub fn builtin() -> Result<&'static [Signature], &'static FingerprintError> {
    static SIGS: OnceLock<Result<Vec<Signature>, FingerprintError>> = OnceLock::new();
    SIGS.get_or_init(load_builtin)
        .as_ref()
        .map(Vec::as_slice)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_prefilter_agrees_with_each_signature() {
        let sigs = load_builtin().unwrap_or_else(|e| panic!("{e}"));
        let pre = BodyPrefilter::new(&sigs).expect("the embedded set compiles");
        let mut bodies: Vec<String> = vec![
            String::new(),
            "{\"issuer\":\"https://example.com\"}".into(),
            "<html><body>hello</body></html>".into(),
        ];
        // Each signature's own pattern text, and a page quoting it, must
        // be judged by the set exactly as by the signature's regex.
        for s in &sigs {
            if let Some(re) = &s.body {
                bodies.push(re.as_str().to_string());
                bodies.push(format!("<html>{}</html>", re.as_str().replace('\\', "")));
            }
        }
        bodies.push("<div class=\"g-recaptcha\"></div><script src=\"https://www.google.com/recaptcha/api.js\">".into());
        bodies.push("<title>Just a moment...</title><div id=\"cf-challenge\">".into());
        let mut hits = 0;
        for body in &bodies {
            let c = pre.candidates(sigs.len(), body);
            for (i, s) in sigs.iter().enumerate() {
                match &s.body {
                    Some(re) => {
                        assert_eq!(c[i], re.is_match(body), "{} on {body:?}", s.id);
                        hits += usize::from(c[i]);
                    }
                    None => assert!(c[i], "{} has no body regex", s.id),
                }
            }
        }
        assert!(hits > 0, "the bodies must exercise some signature");
    }

    #[test]
    fn every_embedded_file_validates_and_compiles() {
        let sigs = load_builtin().unwrap_or_else(|e| panic!("{e}"));
        assert!(sigs.len() >= 30, "{}", sigs.len());
        let vendors: BTreeSet<&str> = sigs.iter().map(|s| s.vendor.as_str()).collect();
        for v in [
            "Cloudflare",
            "AWS WAF",
            "Google reCAPTCHA",
            "hCaptcha",
            "DataDome",
            "HUMAN (PerimeterX)",
            "Akamai",
            "Imperva (Incapsula)",
            "Kasada",
            "Arkose Labs",
            "Friendly Captcha",
            "Vercel",
            "Sucuri",
            "DDoS-Guard",
            "Anubis",
        ] {
            assert!(vendors.contains(v), "no fingerprints for {v}");
        }
        for s in &sigs {
            assert!(s.source.starts_with("https://"), "{}", s.id);
            match s.kind {
                Kind::Strong => assert!(s.header.is_some() && s.means.is_some(), "{}", s.id),
                Kind::Body => assert!(s.body.is_some() && s.means.is_some(), "{}", s.id),
                Kind::Cookie => assert!(s.cookie.is_some() && s.means.is_none(), "{}", s.id),
                Kind::Presence => assert!(s.header.is_some() && s.means.is_none(), "{}", s.id),
            }
        }
        assert!(builtin().is_ok());
    }

    #[test]
    fn broken_files_are_refused_with_a_reason() {
        let ok = r#"
vendor = "Example"
[[signature]]
id = "example-challenge"
kind = "strong"
means = "challenge"
description = "an example challenge header"
source = "https://example.com/docs"
header = { name = "x-example", value = "^challenge$" }
"#;
        assert_eq!(parse_file("ok.toml", ok).unwrap().len(), 1);
        // A strong signature needs a header and a meaning.
        let no_header = ok.replace(
            "header = { name = \"x-example\", value = \"^challenge$\" }",
            "",
        );
        assert!(matches!(
            parse_file("x.toml", &no_header),
            Err(FingerprintError::Schema { .. })
        ));
        // Unknown fields, insecure sources and bad kinds fail the schema.
        for bad in [
            ok.replace("kind = \"strong\"", "kind = \"maybe\""),
            ok.replace("https://example.com", "http://example.com"),
            format!("{ok}extra = 1\n"),
        ] {
            assert!(parse_file("x.toml", &bad).is_err(), "{bad}");
        }
        // A regex that does not compile is named.
        let bad_regex = ok.replace("^challenge$", "(unclosed");
        let e = parse_file("x.toml", &bad_regex).unwrap_err().to_string();
        assert!(
            e.contains("example-challenge") && e.contains("regex"),
            "{e}"
        );
        // A cookie signature cannot claim to be a challenge.
        let cookie = r#"
vendor = "Example"
[[signature]]
id = "example-cookie"
kind = "cookie"
means = "challenge"
description = "an example cookie"
source = "https://example.com/docs"
cookie = "^ex$"
"#;
        assert!(parse_file("x.toml", cookie).is_err());
    }
}
