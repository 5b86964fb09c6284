//! A bounded YAML reader: YAML 1.2 text to a `serde_json::Value`, for API
//! descriptions published as YAML.
//!
//! Built on the event parser of `yaml-rust2` (a pure-Rust, non-recursive
//! state machine), so the tree is assembled here under explicit caps:
//! nesting depth, node count and — the classic "billion laughs" YAML bomb —
//! alias expansion, which counts every node an alias copies against the same
//! node budget. Only the first document of a stream is read. Scalars are
//! resolved with the YAML 1.2 core schema (null, booleans, integers, floats;
//! everything quoted or block-styled is a string); map keys become strings.
//! `<<` merge keys (YAML 1.1, still common in hand-written files) are applied.

use serde_json::{Map, Number, Value};
use std::collections::HashMap;
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;

/// Nesting deeper than this is refused (serde_json refuses more than 128).
pub const MAX_DEPTH: usize = 128;
/// Nodes (scalars, sequences, mappings, alias copies included) at most.
pub const MAX_NODES: usize = 2_000_000;

/// Why a YAML text was not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct YamlError(pub String);

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
    root: Option<Value>,
}

fn count_nodes(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(count_nodes).sum::<usize>(),
        Value::Object(m) => 1 + m.values().map(count_nodes).sum::<usize>(),
        _ => 1,
    }
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
    fn budget(&mut self, n: usize) -> Result<(), YamlError> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_NODES {
            return Err(YamlError(format!(
                "more than {MAX_NODES} YAML nodes (aliases included): refused as a possible alias bomb"
            )));
        }
        Ok(())
    }

    fn open(&mut self, frame: Frame) -> Result<(), YamlError> {
        self.budget(1)?;
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
            let n = count_nodes(&v);
            self.anchors.insert(anchor, (v.clone(), n));
        }
        self.attach(v)
    }

    fn attach(&mut self, v: Value) -> Result<(), YamlError> {
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

    fn event(&mut self, ev: Event) -> Result<bool, YamlError> {
        match ev {
            Event::Nothing | Event::StreamStart | Event::DocumentStart => {}
            Event::DocumentEnd | Event::StreamEnd => return Ok(true),
            Event::Alias(id) => {
                let Some((v, n)) = self.anchors.get(&id).cloned() else {
                    return Err(YamlError("an alias names an unknown anchor".into()));
                };
                self.budget(n)?;
                self.attach(v)?;
            }
            Event::Scalar(s, style, anchor, tag) => {
                self.budget(1)?;
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
            Event::MappingStart(anchor, _) => self.open(Frame::Map {
                map: Map::new(),
                key: None,
                anchor,
            })?,
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

fn parse(text: &str) -> Result<Value, YamlError> {
    let mut parser = Parser::new_from_str(text);
    let mut b = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
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
    b.root
        .ok_or_else(|| YamlError("the YAML stream holds no document".into()))
}

/// Read the first YAML document of `text` as JSON, within the caps above.
pub fn to_json(text: &str) -> Result<Value, YamlError> {
    // The parser is not expected to panic; if it ever does on hostile
    // input, that is an unreadable document, not a crashed scan.
    std::panic::catch_unwind(|| parse(text))
        .unwrap_or_else(|_| Err(YamlError("the YAML parser failed on this input".into())))
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
