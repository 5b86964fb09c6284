//! The layering rules of docs/architecture.md, enforced on the source: each
//! layer imports only the layers below it, the layers form no circle, checks
//! do no I/O, the library never prints, and clap stays in the binary.
//!
//! The reading is textual (like the `modgraph` tool it replaces in CI): every
//! `crate::<layer>` path and every `use crate::{…}` group in a library file,
//! outside its `#[cfg(test)]` module and its comments, is an import of that
//! layer. Unit tests and test helpers may reach across layers.

use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each layer and the layers it may import. The order is bottom-up.
const RULES: &[(&str, &[&str])] = &[
    ("model", &[]),
    ("parse", &["model"]),
    ("classify", &["model"]),
    ("evidence", &["model", "parse", "classify"]),
    ("gather", &["model", "parse", "evidence"]),
    ("checks", &["model", "parse", "classify", "evidence"]),
    ("report", &["model"]),
    ("scoring", &["model", "report"]),
    ("gate", &["model", "report"]),
    ("render", &["model", "report"]),
    (
        "engine",
        &[
            "model", "parse", "classify", "evidence", "gather", "checks", "report", "scoring",
        ],
    ),
    ("fixture", &["model", "parse", "gather"]),
    ("config", &["model", "report", "gate", "render"]),
    (
        "scan",
        &[
            "model", "parse", "classify", "evidence", "gather", "engine", "report", "scoring",
            "gate", "render", "config",
        ],
    ),
    (
        "demo",
        &[
            "model", "evidence", "gather", "engine", "report", "scoring", "fixture", "scan",
            "render",
        ],
    ),
    (
        "batch",
        &[
            "model", "parse", "classify", "evidence", "gather", "engine", "report", "scoring",
            "gate", "render", "config", "scan",
        ],
    ),
    ("exit", &[]),
];

/// Files of the library that are not in a layer: the crate root and the
/// test helpers (compiled only for tests or the `testing` feature).
const OUTSIDE: &[&str] = &["lib.rs", "testing.rs"];

/// The binary: the only place that prints and the only user of clap.
fn is_binary(rel: &str) -> bool {
    rel == "main.rs" || rel == "cli.rs" || rel.starts_with("cli/")
}

fn is_test_file(rel: &str) -> bool {
    rel.ends_with("/tests.rs")
        || rel.contains("/tests/")
        || rel.contains("/testkit/")
        || OUTSIDE.contains(&rel)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The library code of a file: without its trailing `#[cfg(test)]` module
/// and without comments.
fn code_of(text: &str) -> String {
    let test_mod = Regex::new(r"#\[cfg\(test\)\]\s*(pub(\(crate\))?\s+)?mod\s+\w+\s*\{").unwrap();
    let text = match test_mod.find(text) {
        Some(m) => &text[..m.start()],
        None => text,
    };
    let comment = Regex::new(r"//[^\n]*").unwrap();
    comment.replace_all(text, "").into_owned()
}

/// The layers a file's code names.
fn imports(code: &str) -> BTreeSet<String> {
    let path = Regex::new(r"\bcrate::(\w+)").unwrap();
    let group = Regex::new(r"(?s)\buse\s+crate::\{(.*?)\};").unwrap();
    let head = Regex::new(r"(?:^|[,{])\s*(\w+)").unwrap();
    let mut out: BTreeSet<String> = path.captures_iter(code).map(|c| c[1].to_string()).collect();
    for g in group.captures_iter(code) {
        out.extend(head.captures_iter(&g[1]).map(|c| c[1].to_string()));
    }
    out
}

struct Source {
    rel: String,
    layer: String,
    code: String,
}

fn library() -> Vec<Source> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let layer = rel
                .split('/')
                .next()
                .unwrap()
                .trim_end_matches(".rs")
                .to_string();
            let code = code_of(&std::fs::read_to_string(&p).unwrap());
            Source { rel, layer, code }
        })
        .collect()
}

fn rules() -> BTreeMap<&'static str, BTreeSet<&'static str>> {
    RULES
        .iter()
        .map(|(l, allowed)| (*l, allowed.iter().copied().collect()))
        .collect()
}

#[test]
fn every_layer_imports_only_the_layers_below_it() {
    let rules = rules();
    let mut breaks = Vec::new();
    for s in library() {
        if is_test_file(&s.rel) || is_binary(&s.rel) {
            continue;
        }
        let Some(allowed) = rules.get(s.layer.as_str()) else {
            breaks.push(format!(
                "{}: layer `{}` is not in the rules (tests/architecture.rs, docs/architecture.md)",
                s.rel, s.layer
            ));
            continue;
        };
        for used in imports(&s.code) {
            if used != s.layer
                && rules.contains_key(used.as_str())
                && !allowed.contains(used.as_str())
            {
                breaks.push(format!("{}: `{}` may not import `{used}`", s.rel, s.layer));
            }
        }
    }
    assert!(breaks.is_empty(), "layering breaks:\n{}", breaks.join("\n"));
}

#[test]
fn the_rules_have_no_circle() {
    // Bottom-up order: every layer imports only layers listed before it.
    let mut seen = BTreeSet::new();
    for (layer, allowed) in RULES {
        for a in *allowed {
            assert!(
                seen.contains(a),
                "`{layer}` may import `{a}`, listed above it"
            );
        }
        seen.insert(*layer);
    }
}

#[test]
fn checks_do_no_io() {
    let io =
        Regex::new(r"\b(std::fs|std::net|std::process|tokio|reqwest|crate::gather)\b").unwrap();
    let offenders: Vec<String> = library()
        .into_iter()
        .filter(|s| s.layer == "checks" && !is_test_file(&s.rel))
        .filter_map(|s| {
            io.find(&s.code)
                .map(|m| format!("{}: {}", s.rel, m.as_str()))
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "checks doing I/O:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn the_library_never_prints() {
    let print = Regex::new(r"\b(e?print(ln)?!|dbg!|std::io::stdout|std::io::stderr)").unwrap();
    let offenders: Vec<String> = library()
        .into_iter()
        .filter(|s| !is_binary(&s.rel) && !is_test_file(&s.rel))
        .filter_map(|s| {
            print
                .find(&s.code)
                .map(|m| format!("{}: {}", s.rel, m.as_str()))
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "the library prints:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn clap_stays_in_the_binary() {
    let offenders: Vec<String> = library()
        .into_iter()
        .filter(|s| !is_binary(&s.rel) && s.code.contains("clap"))
        .map(|s| s.rel)
        .collect();
    assert!(offenders.is_empty(), "clap in the library: {offenders:?}");
}

#[test]
fn errors_are_types_not_strings() {
    // One `thiserror` type per layer: no `Result<_, String>` in the
    // library, and anyhow only in the binary.
    let stringly = Regex::new(r"Result<[^;{]*,\s*String>").unwrap();
    let offenders: Vec<String> = library()
        .into_iter()
        .filter(|s| !is_binary(&s.rel) && !is_test_file(&s.rel))
        .filter_map(|s| {
            let hit = stringly
                .find(&s.code)
                .map(|m| m.as_str().to_string())
                .or_else(|| s.code.contains("anyhow").then(|| "anyhow".to_string()));
            hit.map(|h| format!("{}: {h}", s.rel))
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "string errors in the library:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn the_reader_sees_imports() {
    // The rules above are only as good as this reading: it must see both
    // spellings of an import, and ignore comments and unit tests.
    let code = code_of(
        "use crate::gather::http;\nuse crate::{model::x, parse};\n// crate::render\nfn f() { crate::report::g() }\n#[cfg(test)]\nmod tests { use crate::batch; }\n",
    );
    let got: Vec<String> = imports(&code).into_iter().collect();
    assert_eq!(got, ["gather", "model", "parse", "report"]);
}
