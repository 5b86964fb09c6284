//! `agentready.toml`: every option of `scan` as a key, plus per-check gate
//! levels and weights (`[checks.<id>]`). Documented key by key in
//! `docs/config.md`.
//!
//! Loading has two steps: [`ConfigFile::parse`]
//! refuses unknown keys and bad types with the file, line and column, then
//! [`ConfigFile::validate`] checks the values against the catalogue and
//! collects every problem, each with its location. The command line merges
//! the file under its own options (the command line wins). Relative paths in
//! the file are relative to the file's directory.

use crate::report::gate::Level;

use crate::gate::{LevelLayer, Preset};
use crate::model::catalogue::{Category, CheckMeta};
use crate::render::Format;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The file name looked for in the working directory.
pub const FILE_NAME: &str = "agentready.toml";

/// A configuration problem with its location (exit code 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct ConfigError {
    /// The file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// Several configuration problems, reported together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct ConfigErrors(pub Vec<ConfigError>);

/// `[checks.<id>]`: per-check overrides.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckOverride {
    /// Gate level.
    #[serde(default)]
    pub level: Option<Level>,
    /// Weight in the score (replaces the severity's weight).
    #[serde(default)]
    pub weight: Option<u32>,
}

/// The keys of `agentready.toml` as written (paths not yet resolved).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Keys {
    /// `scan TARGET`.
    pub target: Option<String>,
    /// `--format`.
    pub format: Option<Format>,
    /// `-o`.
    pub output: Option<PathBuf>,
    /// `--summary`.
    pub summary: Option<PathBuf>,
    /// `--passive`.
    pub passive: Option<bool>,
    /// `-H`.
    pub headers: Option<Vec<String>>,
    /// `--resolve`.
    pub resolve: Option<Vec<String>>,
    /// `--cacert`.
    pub cacert: Option<Vec<PathBuf>>,
    /// `--timeout`.
    pub timeout: Option<f64>,
    /// `--connect-timeout`.
    pub connect_timeout: Option<f64>,
    /// `--target-timeout`.
    pub target_timeout: Option<f64>,
    /// `--max-body`.
    pub max_body: Option<usize>,
    /// `--user-agent`.
    pub user_agent: Option<String>,
    /// `--checks-dir`.
    pub checks_dir: Option<PathBuf>,
    /// `--only`.
    pub only: Option<Vec<Spanned<String>>>,
    /// `--skip`.
    pub skip: Option<Vec<Spanned<String>>>,
    /// `--save-evidence`.
    pub save_evidence: Option<PathBuf>,
    /// `--from-evidence`.
    pub from_evidence: Option<PathBuf>,
    /// `--api-url`.
    pub api_url: Option<Vec<Spanned<String>>>,
    /// `--token-env`.
    pub token_env: Option<String>,
    /// `--max-token-lifetime`.
    pub max_token_lifetime: Option<f64>,
    /// `--allow-private`.
    pub allow_private: Option<bool>,
    /// `--proxy`.
    pub proxy: Option<String>,
    /// `--loopback-only` (for tests and fixtures).
    pub loopback_only: Option<bool>,
    /// `--preset`.
    pub preset: Option<Preset>,
    /// `--fail-under`.
    pub fail_under: Option<Spanned<u32>>,
    /// `--deny-warnings`.
    pub deny_warnings: Option<bool>,
    /// `--deny`.
    #[serde(default)]
    pub deny: Vec<Spanned<String>>,
    /// `--warn`.
    #[serde(default)]
    pub warn: Vec<Spanned<String>>,
    /// `--allow`.
    #[serde(default)]
    pub allow: Vec<Spanned<String>>,
    /// `--baseline`.
    pub baseline: Option<PathBuf>,
    /// `--update-baseline`.
    pub update_baseline: Option<bool>,
    /// `--max-score-drop`.
    pub max_score_drop: Option<Spanned<u32>>,
    /// `--baseline-any-target`.
    pub baseline_any_target: Option<bool>,
    /// `[checks.<id>]`.
    #[serde(default)]
    pub checks: BTreeMap<Spanned<String>, CheckOverride>,
}

/// A parsed `agentready.toml`.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its text (for locations).
    text: String,
    /// The keys.
    pub keys: Keys,
}

/// 1-based line and column of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The `agentready.toml` that applies in `dir`: the first found in `dir`
/// or its parents, stopping at the repository root (the directory that
/// holds `.git`) or at the filesystem root.
pub fn find_upwards(dir: &Path) -> Option<PathBuf> {
    let mut dir = Some(dir);
    while let Some(d) = dir {
        let candidate = d.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if d.join(".git").exists() {
            return None;
        }
        dir = d.parent();
    }
    None
}

impl ConfigFile {
    /// Parse a file's text; `path` names it in errors and anchors relative paths.
    pub fn parse(path: &Path, text: &str) -> Result<ConfigFile, ConfigErrors> {
        match toml::from_str::<Keys>(text) {
            Ok(keys) => Ok(ConfigFile {
                path: path.to_path_buf(),
                text: text.to_string(),
                keys,
            }),
            Err(e) => {
                let (line, column) = e.span().map_or((1, 1), |s| line_column(text, s.start));
                Err(ConfigErrors(vec![ConfigError {
                    file: path.display().to_string(),
                    line,
                    column,
                    message: e.message().trim().to_string(),
                }]))
            }
        }
    }

    /// Read and parse a file.
    pub fn load(path: &Path) -> Result<ConfigFile, ConfigErrors> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigErrors(vec![ConfigError {
                file: path.display().to_string(),
                line: 1,
                column: 1,
                message: format!("cannot read the configuration file: {e}"),
            }])
        })?;
        ConfigFile::parse(path, &text)
    }

    /// `--config FILE` if given, else `agentready.toml` in the working
    /// directory if there is one.
    pub fn find(explicit: Option<&Path>) -> Result<Option<ConfigFile>, ConfigErrors> {
        match explicit {
            Some(p) => ConfigFile::load(p).map(Some),
            None => {
                let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
                match find_upwards(&cwd) {
                    // Relative to the working directory when it is here, so
                    // that messages and paths read as before.
                    Some(p) if p.parent() == Some(cwd.as_path()) => {
                        ConfigFile::load(Path::new(FILE_NAME)).map(Some)
                    }
                    Some(p) => ConfigFile::load(&p).map(Some),
                    None => Ok(None),
                }
            }
        }
    }

    fn error(&self, span: Range<usize>, message: String) -> ConfigError {
        let (line, column) = line_column(&self.text, span.start);
        ConfigError {
            file: self.path.display().to_string(),
            line,
            column,
            message,
        }
    }

    /// A path from the file, relative to the file's directory.
    pub fn resolve_path(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            return p.to_path_buf();
        }
        match self.path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.join(p),
            _ => p.to_path_buf(),
        }
    }

    /// Check the values against the catalogue (`checks`: built-in and user
    /// checks). Every problem is reported, each with its location.
    pub fn validate(&self, checks: &[CheckMeta]) -> Result<(), ConfigErrors> {
        let mut errors = Vec::new();
        let k = &self.keys;
        let known = |s: &str| Category::from_id(s).is_some() || checks.iter().any(|m| m.id == s);
        let lists = [("deny", &k.deny), ("warn", &k.warn), ("allow", &k.allow)];
        for (key, list) in lists {
            for sel in list {
                if !known(sel.get_ref()) {
                    errors.push(self.error(
                        sel.span(),
                        format!(
                            "`{key}`: unknown check or category `{}` (see `agentready checks`)",
                            sel.get_ref()
                        ),
                    ));
                }
            }
        }
        for (key, list) in [("only", &k.only), ("skip", &k.skip)] {
            for sel in list.iter().flatten() {
                if !known(sel.get_ref()) {
                    errors.push(self.error(
                        sel.span(),
                        format!(
                            "`{key}`: unknown check or category `{}` (see `agentready checks`)",
                            sel.get_ref()
                        ),
                    ));
                }
            }
        }
        for id in k.checks.keys() {
            if !checks.iter().any(|m| m.id == *id.get_ref()) {
                let hint = if Category::from_id(id.get_ref()).is_some() {
                    " (a category: use `deny`, `warn` or `allow = [\"…\"]` for categories)"
                } else {
                    " (see `agentready checks`)"
                };
                errors.push(self.error(
                    id.span(),
                    format!("[checks.{}]: unknown check{hint}", id.get_ref()),
                ));
            }
        }
        if let Some(n) = &k.fail_under
            && *n.get_ref() > 100
        {
            errors.push(self.error(
                n.span(),
                format!("`fail_under` is a score from 0 to 100, not {}", n.get_ref()),
            ));
        }
        if let Some(n) = &k.max_score_drop
            && *n.get_ref() > 100
        {
            errors.push(self.error(
                n.span(),
                format!("`max_score_drop` is at most 100, not {}", n.get_ref()),
            ));
        }
        for url in k.api_url.iter().flatten() {
            if let Err(e) = crate::model::target::Target::parse(url.get_ref()) {
                errors.push(self.error(url.span(), format!("`api_url`: {e}")));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ConfigErrors(errors))
        }
    }

    /// The file's gate-level layer: `deny`, `warn`, `allow`, then
    /// `[checks.<id>] level` (which wins for its check).
    pub fn level_layers(&self) -> Vec<LevelLayer> {
        let k = &self.keys;
        let mut lists: LevelLayer = Vec::new();
        for (list, level) in [
            (&k.allow, Level::Off),
            (&k.warn, Level::Warn),
            (&k.deny, Level::Error),
        ] {
            lists.extend(list.iter().map(|s| (s.get_ref().clone(), level)));
        }
        let per_check: LevelLayer = k
            .checks
            .iter()
            .filter_map(|(id, o)| o.level.map(|l| (id.get_ref().clone(), l)))
            .collect();
        vec![lists, per_check]
    }

    /// `[checks.<id>] weight` overrides.
    pub fn weights(&self) -> BTreeMap<String, u32> {
        self.keys
            .checks
            .iter()
            .filter_map(|(id, o)| o.weight.map(|w| (id.get_ref().clone(), w)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::catalogue;

    fn parse(text: &str) -> Result<ConfigFile, ConfigErrors> {
        ConfigFile::parse(Path::new("dir/agentready.toml"), text)
    }

    #[test]
    fn every_key_parses() {
        let text = r#"
target = "api.example.com"
format = "sarif"
output = "out/report.sarif"
summary = "summary.md"
passive = true
headers = ["X-Env: staging"]
resolve = ["api.example.com:127.0.0.1"]
cacert = ["ca.pem"]
timeout = 5
connect_timeout = 2.5
target_timeout = 20
max_body = 65536
user_agent = "ci-bot"
checks_dir = "checks.d"
only = ["pkce", "issuer-identifier"]
skip = ["x402-payment"]
save_evidence = "ev.json"
from_evidence = "old-ev.json"
api_url = ["https://api.example.com/v1", "https://mcp.example.com/mcp"]
token_env = "AGENTREADY_TOKEN"
max_token_lifetime = 12
allow_private = false
proxy = "http://proxy.example:3128"
loopback_only = false
preset = "strict"
fail_under = 80
deny_warnings = true
deny = ["pkce"]
warn = ["issuer-identifier"]
allow = ["pkce-downgrade"]
baseline = ".agentready/baseline.json"
update_baseline = false
max_score_drop = 5
baseline_any_target = false

[checks.pkce-s256]
level = "error"
weight = 10

[checks.oauth21-grants]
level = "off"
"#;
        let c = parse(text).unwrap();
        c.validate(catalogue::builtin()).unwrap();
        assert_eq!(c.keys.format, Some(Format::Sarif));
        assert_eq!(c.keys.preset, Some(Preset::Strict));
        assert_eq!(c.keys.timeout, Some(5.0));
        assert_eq!(
            c.resolve_path(c.keys.baseline.as_deref().unwrap()),
            Path::new("dir/.agentready/baseline.json")
        );
        assert_eq!(c.resolve_path(Path::new("/abs/x")), Path::new("/abs/x"));
        assert_eq!(c.weights()["pkce-s256"], 10);
        let layers = c.level_layers();
        assert_eq!(layers[0].len(), 3);
        assert_eq!(
            layers[1],
            vec![
                ("oauth21-grants".to_string(), Level::Off),
                ("pkce-s256".to_string(), Level::Error)
            ]
        );
    }

    #[test]
    fn unknown_keys_and_bad_types_have_locations() {
        let e = parse("fail_under = 80\nfail-under = 3\n").unwrap_err();
        assert_eq!(e.0.len(), 1);
        assert_eq!((e.0[0].line, e.0[0].column), (2, 1), "{e}");
        assert!(e.0[0].message.contains("unknown field `fail-under`"), "{e}");
        assert!(
            e.to_string().starts_with("dir/agentready.toml:2:1: "),
            "{e}"
        );

        let e = parse("[checks.pkce-s256]\nlevel = \"deny\"\n").unwrap_err();
        assert_eq!(e.0[0].line, 2, "{e}");
        assert!(e.0[0].message.contains("deny"), "{e}");

        let e = parse("[checks.pkce-s256]\nlevl = \"error\"\n").unwrap_err();
        assert_eq!((e.0[0].line, e.0[0].column), (2, 1), "{e}");

        let e = parse("fail_under = \"eighty\"\n").unwrap_err();
        assert_eq!(e.0[0].line, 1);
        let e = parse("format = \"pdf\"\n").unwrap_err();
        assert!(e.0[0].message.contains("pdf"), "{e}");
    }

    #[test]
    fn values_are_validated_with_locations() {
        let c = parse(
            "deny = [\"pkce\", \"nope\"]\nfail_under = 120\n\n[checks.no-such-check]\nlevel = \"warn\"\n\n[checks.pkce]\nweight = 3\napi_url = 1\n",
        );
        // api_url inside [checks.pkce] is an unknown field of the override.
        assert!(c.is_err());
        let c = parse(
            "deny = [\"pkce\", \"nope\"]\nfail_under = 120\napi_url = [\"not a url\"]\n\n[checks.no-such-check]\nlevel = \"warn\"\n\n[checks.pkce]\nweight = 3\n",
        )
        .unwrap();
        let e = c.validate(catalogue::builtin()).unwrap_err();
        let got: Vec<(usize, usize)> = e.0.iter().map(|e| (e.line, e.column)).collect();
        assert_eq!(got.len(), 5, "{e}");
        assert!(got.contains(&(1, 17)), "`nope` at 1:17: {e}");
        assert!(got.contains(&(2, 14)), "fail_under at 2:14: {e}");
        assert!(got.contains(&(3, 12)), "the bad api_url at 3:12: {e}");
        assert!(
            e.to_string()
                .contains("[checks.no-such-check]: unknown check"),
            "{e}"
        );
        assert!(e.to_string().contains("a category"), "{e}");
        assert!(e.to_string().contains("`api_url`: "), "{e}");
    }

    /// The example in docs/config.md is a valid file.
    #[test]
    fn documented_example_is_valid() {
        let doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/config.md"));
        let start = doc.find("```toml\n").expect("an example") + "```toml\n".len();
        let end = start + doc[start..].find("```").expect("closed");
        let c = parse(&doc[start..end]).unwrap();
        c.validate(catalogue::builtin()).unwrap();
        assert_eq!(c.keys.preset, Some(Preset::Recommended));
        assert_eq!(c.weights()["x402-payment"], 0);
    }

    #[test]
    fn line_columns() {
        assert_eq!(line_column("abc", 0), (1, 1));
        assert_eq!(line_column("a\nbc", 3), (2, 2));
        assert_eq!(line_column("é\né", 5), (2, 2));
        assert_eq!(line_column("é\né", 4), (2, 1), "inside a character");
        assert_eq!(line_column("x", 99), (1, 2));
    }

    #[test]
    fn the_file_is_found_from_a_subdirectory_up_to_the_repository_root() {
        let root = tempfile::tempdir().unwrap();
        let repo = root.path().join("repo");
        let sub = repo.join("a/b");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::create_dir(repo.join(".git")).unwrap();
        assert_eq!(find_upwards(&sub), None);
        // Above the repository root: not found (the walk stops at .git).
        std::fs::write(root.path().join(FILE_NAME), "").unwrap();
        assert_eq!(find_upwards(&sub), None);
        std::fs::write(repo.join(FILE_NAME), "").unwrap();
        assert_eq!(find_upwards(&sub), Some(repo.join(FILE_NAME)));
        std::fs::write(sub.join(FILE_NAME), "").unwrap();
        assert_eq!(find_upwards(&sub), Some(sub.join(FILE_NAME)));
    }
}
