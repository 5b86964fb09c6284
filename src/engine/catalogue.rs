//! The check catalogue: `checks/*.toml`, embedded at build time.
//!
//! Every file is validated against `checks/schema/check.schema.json` when it
//! is loaded (the embedded files in a test, user files from `--checks-dir`
//! at run time), then deserialised with unknown fields refused.

pub use super::declarative::RuleError;
use crate::model::catalogue::{CheckMeta, Implementation};
use include_dir::{Dir, include_dir};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;

static CHECKS_DIR: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/checks");

/// The JSON Schema every check file must satisfy.
pub const CHECK_SCHEMA: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/checks/schema/check.schema.json"
));

/// What `explain` found for what the user typed.
#[derive(Debug, Clone, Copy)]
pub enum Lookup<'a> {
    /// A check id.
    Check(&'a CheckMeta),
    /// A finding code, and the check that declares it.
    Code(&'a CheckMeta, &'a crate::model::catalogue::FindingSpec),
    /// Neither: the closest check id or finding code, when one is close
    /// enough to be a typo.
    NotFound(Option<&'a str>),
}

/// Look a check id or a finding code up in a catalogue.
pub fn lookup<'a>(metas: &'a [CheckMeta], query: &str) -> Lookup<'a> {
    if let Some(m) = metas.iter().find(|m| m.id == query) {
        return Lookup::Check(m);
    }
    for m in metas {
        if let Some(f) = m.findings.iter().find(|f| f.code == query) {
            return Lookup::Code(m, f);
        }
    }
    let names = metas.iter().flat_map(|m| {
        std::iter::once(m.id.as_str()).chain(m.findings.iter().map(|f| f.code.as_str()))
    });
    // A typo: at most a third of the query's characters wrong (2 at least).
    let limit = (query.chars().count() / 3).max(2);
    let best = names
        .map(|n| (levenshtein(query, n), n))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n);
    Lookup::NotFound(best)
}

/// Edit distance (insertions, deletions, substitutions) between two
/// strings, by characters.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diag + usize::from(ca != *cb));
            diag = above;
        }
    }
    row[b.len()]
}

/// Errors loading check files (exit code 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogueError {
    /// Not TOML.
    #[error("{file}: not valid TOML: {reason}")]
    Toml {
        /// File.
        file: String,
        /// Parser message.
        reason: String,
    },
    /// Fails the JSON Schema.
    #[error("{file}: does not match checks/schema/check.schema.json:\n{}", .errors.join("\n"))]
    Schema {
        /// File.
        file: String,
        /// One line per violation, with its location.
        errors: Vec<String>,
    },
    /// Violates a catalogue rule the schema cannot express.
    #[error("{file}: {reason}")]
    Invalid {
        /// File.
        file: String,
        /// What is wrong.
        reason: String,
    },
    /// A declarative rule the schema cannot judge is invalid.
    #[error("{file}: {error}")]
    Rule {
        /// File.
        file: String,
        /// What is wrong.
        error: RuleError,
    },
    /// A directory that cannot be read.
    #[error("cannot read {path}: {reason}")]
    Io {
        /// Path.
        path: String,
        /// Reason.
        reason: String,
    },
}

fn schema_validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let schema: Value =
            serde_json::from_str(CHECK_SCHEMA).expect("embedded check schema is JSON");
        jsonschema::validator_for(&schema).expect("embedded check schema compiles")
    })
}

/// Parse and validate one check file.
pub fn parse_check(file: &str, text: &str) -> Result<CheckMeta, CatalogueError> {
    let meta: CheckMeta =
        crate::model::datafile::parse(text, schema_validator()).map_err(|e| match e {
            crate::model::datafile::DataFileError::Toml(reason) => CatalogueError::Toml {
                file: file.to_string(),
                reason,
            },
            crate::model::datafile::DataFileError::Schema(errors) => CatalogueError::Schema {
                file: file.to_string(),
                errors,
            },
        })?;
    let stem = Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if stem != meta.id {
        return Err(CatalogueError::Invalid {
            file: file.to_string(),
            reason: format!(
                "the id `{}` must match the file name `{stem}.toml`",
                meta.id
            ),
        });
    }
    let mut codes = BTreeSet::new();
    for f in &meta.findings {
        if !f.code.starts_with(&format!("{}-", meta.id)) {
            return Err(CatalogueError::Invalid {
                file: file.to_string(),
                reason: format!("finding code `{}` must start with `{}-`", f.code, meta.id),
            });
        }
        if !codes.insert(f.code.as_str()) {
            return Err(CatalogueError::Invalid {
                file: file.to_string(),
                reason: format!("finding code `{}` is declared twice", f.code),
            });
        }
    }
    if let Some(rule) = &meta.rule {
        rule.validate(&meta).map_err(|error| CatalogueError::Rule {
            file: file.to_string(),
            error,
        })?;
    }
    Ok(meta)
}

/// The built-in catalogue, parsed once.
pub fn builtin() -> &'static [CheckMeta] {
    static CAT: OnceLock<Vec<CheckMeta>> = OnceLock::new();
    CAT.get_or_init(|| {
        load_builtin().unwrap_or_else(|e| {
            panic!("the embedded catalogue is invalid (a test catches this): {e}")
        })
    })
}

/// Parse every embedded `checks/*.toml` (used by [`builtin`] and by tests).
pub fn load_builtin() -> Result<Vec<CheckMeta>, CatalogueError> {
    let mut files: Vec<_> = CHECKS_DIR
        .files()
        .filter(|f| f.path().extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort_by_key(|f| f.path().to_path_buf());
    let mut out = Vec::new();
    for f in files {
        let name = f.path().display().to_string();
        let text = f.contents_utf8().ok_or_else(|| CatalogueError::Invalid {
            file: name.clone(),
            reason: "not UTF-8".into(),
        })?;
        out.push(parse_check(&format!("checks/{name}"), text)?);
    }
    check_unique(&out)?;
    Ok(out)
}

/// Load user checks from a directory: declarative only, ids distinct from
/// the built-in catalogue.
pub fn load_user_dir(dir: &Path) -> Result<Vec<CheckMeta>, CatalogueError> {
    let io = |e: std::io::Error| CatalogueError::Io {
        path: dir.display().to_string(),
        reason: e.to_string(),
    };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for p in paths {
        let text = std::fs::read_to_string(&p).map_err(|e| CatalogueError::Io {
            path: p.display().to_string(),
            reason: e.to_string(),
        })?;
        let mut meta = parse_check(&p.display().to_string(), &text)?;
        if meta.implementation != Implementation::Declarative {
            return Err(CatalogueError::Invalid {
                file: p.display().to_string(),
                reason: "user checks must be declarative (implementation = \"declarative\" with a [rule])".into(),
            });
        }
        if builtin().iter().any(|b| b.id == meta.id) {
            return Err(CatalogueError::Invalid {
                file: p.display().to_string(),
                reason: format!("the id `{}` is a built-in check", meta.id),
            });
        }
        meta.user = true;
        out.push(meta);
    }
    let mut all: Vec<CheckMeta> = builtin().to_vec();
    all.extend(out.iter().cloned());
    check_unique(&all)?;
    Ok(out)
}

fn check_unique(all: &[CheckMeta]) -> Result<(), CatalogueError> {
    let mut ids = BTreeSet::new();
    let mut codes = BTreeSet::new();
    for m in all {
        if !ids.insert(m.id.as_str()) {
            return Err(CatalogueError::Invalid {
                file: format!("{}.toml", m.id),
                reason: format!("duplicate check id `{}`", m.id),
            });
        }
        for f in &m.findings {
            if !codes.insert(f.code.as_str()) {
                return Err(CatalogueError::Invalid {
                    file: format!("{}.toml", m.id),
                    reason: format!("duplicate finding code `{}`", f.code),
                });
            }
        }
    }
    Ok(())
}
