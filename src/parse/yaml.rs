//! A bounded YAML reader: YAML 1.2 text to a `serde_json::Value`, for API
//! descriptions published as YAML.
//!
//! Built on the event parser of `yaml-rust2` (a pure-Rust, non-recursive
//! state machine), so the tree is assembled here under explicit caps:
//! nesting depth, node count, and memory. Every node is charged its
//! estimated heap cost in bytes ([`crate::parse::json::cost`]) against
//! a budget as it is built, and every `*alias` is charged the full size of
//! what it copies — a string anchored once and aliased a thousand times
//! costs a thousand copies — so neither the classic "billion laughs" bomb
//! (aliases of aliases) nor aliases of one huge string can take more than
//! the budget: the document is refused the moment it is spent. Members no
//! check reads can be skipped without being built (the same pruning as
//! JSON descriptions); an anchor inside a skipped member reads as `null`.
//! Only the first document of a stream is read. Scalars are resolved with
//! the YAML 1.2 core schema (null, booleans, integers, floats; everything
//! quoted or block-styled is a string); map keys become strings. `<<`
//! merge keys (YAML 1.1, still common in hand-written files) are applied.

use crate::parse::json::{Prune, cost, cost_of};
use serde_json::{Map, Number, Value};
use std::collections::HashMap;
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;

/// Nesting deeper than this is refused (serde_json refuses more than 128).
pub const MAX_DEPTH: usize = 128;
/// Nodes (scalars, sequences, mappings, alias copies included) at most.
pub const MAX_NODES: usize = 2_000_000;
/// The memory budget of [`to_json`]: estimated heap bytes of the tree,
/// alias copies and the anchor table included.
#[cfg(any(test, feature = "testing"))]
pub const DEFAULT_BUDGET: usize = 32 << 20;

pub use super::error::YamlError;

enum Frame {
    Seq {
        items: Vec<Value>,
        anchor: usize,
    },
    Map {
        map: Map<String, Value>,
        key: Option<String>,
        anchor: usize,
    },
}

struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Value, usize)>,
    nodes: usize,
    used: usize,
    budget: usize,
    prune: Option<Prune>,
    /// Inside a skipped member: how many collections are open in it.
    skipping: usize,
    root: Option<Value>,
}

fn key_string(v: Value) -> String {
    match v {
        Value::String(s) => s,
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

/// YAML 1.2 core schema resolution of a plain scalar.
fn plain_scalar(s: String) -> Value {
    match s.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let first = s.as_bytes()[0];
    if first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.') {
        let digits = s.strip_prefix('+').unwrap_or(&s);
        if let Ok(i) = digits.parse::<i64>() {
            return Value::Number(i.into());
        }
        if let Some(hex) = s.strip_prefix("0x")
            && let Ok(i) = i64::from_str_radix(hex, 16)
        {
            return Value::Number(i.into());
        }
        if let Some(oct) = s.strip_prefix("0o")
            && let Ok(i) = i64::from_str_radix(oct, 8)
        {
            return Value::Number(i.into());
        }
        let looks_float = digits
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'));
        if looks_float
            && let Ok(f) = digits.parse::<f64>()
            && let Some(n) = Number::from_f64(f)
        {
            return Value::Number(n);
        }
    }
    Value::String(s)
}

impl Builder {
    fn count(&mut self, nodes: usize, bytes: usize) -> Result<(), YamlError> {
        self.nodes = self.nodes.saturating_add(nodes);
        if self.nodes > MAX_NODES {
            return Err(YamlError(format!(
                "more than {MAX_NODES} YAML nodes (aliases included): refused as a possible alias bomb"
            )));
        }
        self.used = self.used.saturating_add(bytes);
        if self.used > self.budget {
            return Err(YamlError(format!(
                "the YAML document would take more than its {} MiB memory budget once read (aliases are charged every copy they make): refused as a possible alias bomb",
                self.budget >> 20
            )));
        }
        Ok(())
    }

    /// The path of the value about to be read (map keys, `*` for items).
    fn path(&self) -> Vec<String> {
        self.stack
            .iter()
            .filter_map(|f| match f {
                Frame::Seq { .. } => Some("*".to_string()),
                Frame::Map { key, .. } => key.clone(),
            })
            .collect()
    }

    /// Is the value about to be read a member no check reads?
    fn pruned_here(&self) -> bool {
        let Some(prune) = self.prune else {
            return false;
        };
        matches!(self.stack.last(), Some(Frame::Map { key: Some(_), .. })) && prune(&self.path())
    }

    fn open(&mut self, frame: Frame) -> Result<(), YamlError> {
        self.count(1, cost::NODE)?;
        if self.stack.len() >= MAX_DEPTH {
            return Err(YamlError(format!(
                "YAML nested deeper than {MAX_DEPTH} levels"
            )));
        }
        self.stack.push(frame);
        Ok(())
    }

    /// A complete node: remember it under its anchor, then attach it.
    fn finish(&mut self, v: Value, anchor: usize) -> Result<(), YamlError> {
        if anchor > 0 {
            let n = cost_of(&v);
            // The table's copy is memory too.
            self.count(0, n)?;
            self.anchors.insert(anchor, (v.clone(), n));
        }
        self.attach(v)
    }

    fn attach(&mut self, v: Value) -> Result<(), YamlError> {
        let charge = match self.stack.last() {
            Some(Frame::Seq { .. }) => cost::ELEMENT,
            Some(Frame::Map { key: None, .. }) => 0,
            Some(Frame::Map { key: Some(k), .. }) => cost::MEMBER + k.len(),
            None => 0,
        };
        self.count(0, charge)?;
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(v);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(v),
            Some(Frame::Map { map, key, .. }) => match key.take() {
                None => *key = Some(key_string(v)),
                Some(k) if k == "<<" => match v {
                    // YAML 1.1 merge: keys already present win.
                    Value::Object(m) => {
                        for (mk, mv) in m {
                            map.entry(mk).or_insert(mv);
                        }
                    }
                    Value::Array(list) => {
                        for item in list {
                            if let Value::Object(m) = item {
                                for (mk, mv) in m {
                                    map.entry(mk).or_insert(mv);
                                }
                            }
                        }
                    }
                    other => {
                        map.insert(k, other);
                    }
                },
                Some(k) => {
                    map.insert(k, v);
                }
            },
        }
        Ok(())
    }

    /// An event inside a skipped member: only its extent and its anchors
    /// matter.
    fn skip(&mut self, ev: &Event) -> Result<(), YamlError> {
        self.count(1, 0)?;
        let anchor = match ev {
            Event::Scalar(_, _, a, _) | Event::SequenceStart(a, _) | Event::MappingStart(a, _) => {
                *a
            }
            _ => 0,
        };
        if anchor > 0 {
            self.anchors.insert(anchor, (Value::Null, cost::NODE));
        }
        match ev {
            Event::SequenceStart(..) | Event::MappingStart(..) => self.skipping += 1,
            Event::SequenceEnd | Event::MappingEnd => self.skipping -= 1,
            _ => {}
        }
        if self.skipping == 0
            && let Some(Frame::Map { key, .. }) = self.stack.last_mut()
        {
            // The member is dropped, key and all.
            *key = None;
        }
        Ok(())
    }

    fn event(&mut self, ev: Event) -> Result<bool, YamlError> {
        if self.skipping > 0 {
            self.skip(&ev)?;
            return Ok(false);
        }
        let starts_value = matches!(
            ev,
            Event::Scalar(..)
                | Event::SequenceStart(..)
                | Event::MappingStart(..)
                | Event::Alias(_)
        );
        if starts_value && self.pruned_here() {
            if matches!(ev, Event::SequenceStart(..) | Event::MappingStart(..)) {
                self.skipping = 0;
            }
            self.skip(&ev)?;
            return Ok(false);
        }
        match ev {
            Event::Nothing | Event::StreamStart | Event::DocumentStart => {}
            Event::DocumentEnd | Event::StreamEnd => return Ok(true),
            Event::Alias(id) => {
                let Some((nodes, n)) = self.anchors.get(&id).map(|(v, n)| {
                    let nodes = match v {
                        Value::Array(_) | Value::Object(_) => n / cost::NODE,
                        _ => 1,
                    };
                    (nodes.max(1), *n)
                }) else {
                    return Err(YamlError("an alias names an unknown anchor".into()));
                };
                // Charged before the copy is made.
                self.count(nodes, n)?;
                let v = self
                    .anchors
                    .get(&id)
                    .map(|(v, _)| v.clone())
                    .unwrap_or_default();
                self.attach(v)?;
            }
            Event::Scalar(s, style, anchor, tag) => {
                self.count(1, cost::NODE + s.len())?;
                let forced_string = tag.as_ref().is_some_and(|t| t.suffix == "str");
                let v = if style == TScalarStyle::Plain && !forced_string {
                    plain_scalar(s)
                } else {
                    Value::String(s)
                };
                self.finish(v, anchor)?;
            }
            Event::SequenceStart(anchor, _) => self.open(Frame::Seq {
                items: Vec::new(),
                anchor,
            })?,
            Event::MappingStart(anchor, _) => {
                self.count(0, cost::OBJECT)?;
                self.open(Frame::Map {
                    map: Map::new(),
                    key: None,
                    anchor,
                })?;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (v, anchor) = match self.stack.pop() {
                    Some(Frame::Seq { items, anchor }) => (Value::Array(items), anchor),
                    Some(Frame::Map { map, anchor, .. }) => (Value::Object(map), anchor),
                    None => return Err(YamlError("unbalanced YAML events".into())),
                };
                self.finish(v, anchor)?;
            }
        }
        Ok(false)
    }
}

fn parse(text: &str, budget: usize, prune: Option<Prune>) -> Result<(Value, usize), YamlError> {
    let mut parser = Parser::new_from_str(text);
    let mut b = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        used: 0,
        budget,
        prune,
        skipping: 0,
        root: None,
    };
    loop {
        let (ev, _) = parser
            .next_token()
            .map_err(|e| YamlError(format!("not valid YAML: {e}")))?;
        if b.event(ev)? {
            break;
        }
    }
    let root = b
        .root
        .ok_or_else(|| YamlError("the YAML stream holds no document".into()))?;
    Ok((root, b.used))
}

/// Read the first YAML document of `text` as JSON within `budget` bytes
/// of estimated heap, skipping the members `prune` names; returns the tree
/// and what it was charged.
pub fn to_json_within(
    text: &str,
    budget: usize,
    prune: Option<Prune>,
) -> Result<(Value, usize), YamlError> {
    // The parser is not expected to panic; if it ever does on hostile
    // input, that is an unreadable document, not a crashed scan.
    std::panic::catch_unwind(|| parse(text, budget, prune))
        .unwrap_or_else(|_| Err(YamlError("the YAML parser failed on this input".into())))
}

/// Read the first YAML document of `text` as JSON, within the caps above
/// and [`DEFAULT_BUDGET`].
#[cfg(any(test, feature = "testing"))]
pub fn to_json(text: &str) -> Result<Value, YamlError> {
    to_json_within(text, DEFAULT_BUDGET, None).map(|(v, _)| v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_an_openapi_fragment() {
        let v = to_json(
            "openapi: 3.0.3\ninfo:\n  title: T\n  version: '1'\npaths:\n  /a:\n    get:\n      responses:\n        200:\n          description: ok\n      security:\n        - oauth: [a:read, 'a:write']\n",
        )
        .unwrap();
        assert_eq!(v["openapi"], json!("3.0.3"));
        assert_eq!(v["info"]["version"], json!("1"));
        assert_eq!(
            v["paths"]["/a"]["get"]["responses"]["200"]["description"],
            json!("ok")
        );
        assert_eq!(
            v["paths"]["/a"]["get"]["security"][0]["oauth"],
            json!(["a:read", "a:write"])
        );
    }

    #[test]
    fn core_schema_scalars() {
        let v = to_json(
            "a: ~\nb: true\nc: 12\nd: -1.5\ne: '12'\nf: 0x1f\ng: 1e3\nh: 1.2.3\ni: !!str 7\n",
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"a": null, "b": true, "c": 12, "d": -1.5, "e": "12", "f": 31, "g": 1000.0, "h": "1.2.3", "i": "7"})
        );
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let v = to_json("base: &b {x: 1, y: 2}\ncopy: *b\nmerged:\n  <<: *b\n  y: 3\n").unwrap();
        assert_eq!(v["copy"], json!({"x": 1, "y": 2}));
        assert_eq!(v["merged"], json!({"x": 1, "y": 3}));
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut doc = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            doc.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let e = to_json(&doc).unwrap_err();
        assert!(e.0.contains("alias bomb"), "{e}");
    }

    #[test]
    fn aliases_of_a_large_string_are_charged_their_size() {
        // 1 MiB of text: a 64 KiB string anchored once, then aliased over
        // and over. Counted in nodes it is small; copied it is ~10 GiB.
        let mut doc = format!("big: &s '{}'\nlist:\n", "x".repeat(64 * 1024));
        while doc.len() < 1 << 20 {
            doc.push_str("  - *s\n");
        }
        let aliases = (doc.len() - 64 * 1024) / 7;
        assert!(aliases > 100_000);
        let e = to_json(&doc).unwrap_err();
        assert!(e.0.contains("memory budget"), "{e}");
        assert!(e.0.contains("alias bomb"), "{e}");
        // Legitimate reuse is fine.
        let (v, used) = to_json_within("a: &a 'hello'\nb: *a\nc: *a\n", 1 << 20, None).unwrap();
        assert_eq!(v, json!({"a": "hello", "b": "hello", "c": "hello"}));
        assert!(used < 4096, "{used}");
    }

    #[test]
    fn pruned_members_are_skipped_and_their_anchors_read_as_null() {
        let doc = "openapi: 3.0.0\ncomponents:\n  schemas:\n    A: &a {type: object, properties: {x: {type: string}}}\n  securitySchemes:\n    o: {type: oauth2}\npaths:\n  /a:\n    get:\n      operationId: g\n      responses: {'200': {description: ok}}\n      x-ref: *a\n";
        let (v, _) =
            to_json_within(doc, 1 << 20, Some(crate::parse::json::description_prune)).unwrap();
        assert_eq!(
            v,
            json!({"openapi": "3.0.0", "components": {"securitySchemes": {"o": {"type": "oauth2"}}},
                "paths": {"/a": {"get": {"operationId": "g", "x-ref": null}}}})
        );
    }

    #[test]
    fn depth_is_capped_and_garbage_is_an_error() {
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 5), "]".repeat(MAX_DEPTH + 5));
        assert!(to_json(&deep).unwrap_err().0.contains("deeper"));
        assert!(to_json("a: [unclosed").is_err());
        assert!(to_json("").is_err());
        assert!(to_json("key: *nowhere").is_err());
        // Only the first document counts.
        assert_eq!(to_json("a: 1\n---\nb: 2\n").unwrap(), json!({"a": 1}));
    }
}
