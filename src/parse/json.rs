//! Reading JSON a target sent: within a memory budget, keeping only what
//! the checks use where asked to, and member by member where one member
//! cannot be represented.
//!
//! **Budget.** A parsed `serde_json::Value` costs far more than its text:
//! `[{"a":1},…]` costs about 90 bytes of heap per byte of input (each
//! object is a B-tree node of 11 slots). So the tree is built here, by a
//! visitor that charges every node its estimated heap cost ([`cost`]) as
//! it is created, and stops with an error the moment the budget is spent:
//! memory never exceeds the budget, however the document is shaped, and a
//! refused document costs no more than the budget while it is read.
//!
//! **Pruning.** An API description is read for a few members (versions,
//! servers, security schemes, operations and their security); its schemas,
//! examples, parameters and responses — most of a real document's bulk —
//! are skipped without being built ([`description_prune`]).
//!
//! **Lenient members.** RFC 8259 allows numbers beyond the range of a
//! double (§6) and strings holding a lone surrogate (§8.2), and leaves
//! what a parser does with them open; serde_json refuses the whole text.
//! Such a member is read instead as the string of its digits, or with the
//! lone surrogate replaced by U+FFFD, and reported ([`Parsed::repairs`]),
//! so one bad member does not hide every other member of a document. Text
//! that is not JSON (invalid UTF-8, bad syntax) is still refused.

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::cell::{Cell, RefCell};
use std::fmt;

use super::error::DocumentError;

/// Estimated heap one parsed JSON view may take (a metadata document, a
/// JWK Set, an error body, a linkset: all far smaller in practice).
pub const JSON_VIEW_BUDGET: usize = 16 << 20;
/// Estimated heap one parsed API description may take, after what the
/// checks do not read is skipped ([`json::description_prune`]).
pub const DESCRIPTION_BUDGET: usize = 32 << 20;
/// Estimated heap cost, in bytes, of the parts of a parsed tree.
pub mod cost {
    /// Every value (its slot in a vector or a map).
    pub const NODE: usize = 32;
    /// An array element beyond its node: growth by doubling leaves up to
    /// one spare slot per element.
    pub const ELEMENT: usize = 32;
    /// An object: its first B-tree node (11 key and value slots).
    pub const OBJECT: usize = 640;
    /// A member of an object beyond its value: its key's `String` and its
    /// share of further B-tree nodes.
    pub const MEMBER: usize = 64;
}

/// The cost of a tree already built (a YAML anchor copied by an alias).
pub fn cost_of(v: &Value) -> usize {
    match v {
        Value::String(s) => cost::NODE + s.len(),
        Value::Array(a) => cost::NODE + a.iter().map(|x| cost::ELEMENT + cost_of(x)).sum::<usize>(),
        Value::Object(m) => {
            cost::NODE
                + cost::OBJECT
                + m.iter()
                    .map(|(k, x)| cost::MEMBER + k.len() + cost_of(x))
                    .sum::<usize>()
        }
        _ => cost::NODE,
    }
}

/// Should the member at this path (object keys, `*` for array items) be
/// skipped?
pub type Prune = fn(&[String]) -> bool;

/// The members of an OpenAPI or Swagger description that no check reads
/// and that make up most of a large one: schemas, examples, parameters,
/// request bodies, responses, callbacks, webhooks. Everything the reader
/// (`crate::parse::openapi::read`) follows is kept: versions, `info`,
/// `servers`, `host`/`basePath`/`schemes`, security schemes and
/// requirements, `paths` with their operations' ids, summaries, flags,
/// extensions and `security`, and `$ref` targets it may follow
/// (`components.securitySchemes`, `components.pathItems`).
pub fn description_prune(path: &[String]) -> bool {
    const COMPONENTS: [&str; 8] = [
        "schemas",
        "responses",
        "parameters",
        "examples",
        "requestBodies",
        "headers",
        "links",
        "callbacks",
    ];
    const OPERATION: [&str; 5] = [
        "parameters",
        "requestBody",
        "responses",
        "callbacks",
        "requestBodies",
    ];
    let p: Vec<&str> = path.iter().map(String::as_str).collect();
    match p.as_slice() {
        ["components", c] => COMPONENTS.contains(c),
        ["definitions" | "parameters" | "responses" | "webhooks" | "x-webhooks"] => true,
        ["paths", _, "parameters"] => true,
        ["paths", _, _, k] => OPERATION.contains(k),
        ["paths", _, "additionalOperations", _, k] => OPERATION.contains(k),
        _ => false,
    }
}

/// A document read.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The tree.
    pub value: Value,
    /// Its estimated heap cost.
    pub cost: usize,
    /// Members read leniently, each as "`/pointer`: what was done".
    pub repairs: Vec<String>,
}

struct Ctx {
    used: Cell<usize>,
    budget: usize,
    /// Set when a charge went over the budget: the error that follows is
    /// the budget's, not the grammar's.
    over: Cell<bool>,
    path: RefCell<Vec<String>>,
    prune: Option<Prune>,
}

impl Ctx {
    fn charge<E: de::Error>(&self, n: usize) -> Result<(), E> {
        let used = self.used.get().saturating_add(n);
        self.used.set(used);
        if used > self.budget {
            self.over.set(true);
            return Err(E::custom(format!(
                "larger than the {} MiB memory budget for one parsed document",
                self.budget >> 20
            )));
        }
        Ok(())
    }
}

#[derive(Clone, Copy)]
struct Seed<'a>(&'a Ctx);

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        self.0.charge(cost::NODE)?;
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        self.0.charge(cost::NODE)?;
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        self.0.charge(cost::NODE)?;
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        self.0.charge(cost::NODE)?;
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        self.0.charge(cost::NODE + v.len())?;
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        self.0.charge(cost::NODE + v.len())?;
        Ok(Value::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.0.charge(cost::NODE)?;
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.0.charge(cost::NODE)?;
        let mut items = Vec::new();
        self.0.path.borrow_mut().push("*".into());
        let result = (|| {
            while let Some(v) = seq.next_element_seed(self)? {
                self.0.charge(cost::ELEMENT)?;
                items.push(v);
            }
            Ok(())
        })();
        self.0.path.borrow_mut().pop();
        result?;
        items.shrink_to_fit();
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.0.charge(cost::NODE + cost::OBJECT)?;
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            self.0.charge(cost::MEMBER + key.len())?;
            let pruned = self.0.prune.is_some_and(|prune| {
                let mut path = self.0.path.borrow_mut();
                path.push(key.clone());
                let skip = prune(&path);
                path.pop();
                skip
            });
            if pruned {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            self.0.path.borrow_mut().push(key.clone());
            let v = map.next_value_seed(self);
            self.0.path.borrow_mut().pop();
            out.insert(key, v?);
        }
        Ok(Value::Object(out))
    }
}

fn build(
    bytes: &[u8],
    budget: usize,
    prune: Option<Prune>,
) -> Result<(Value, usize), DocumentError> {
    let ctx = Ctx {
        used: Cell::new(0),
        budget,
        over: Cell::new(false),
        path: RefCell::new(Vec::new()),
        prune,
    };
    let refused = |e: serde_json::Error| {
        if ctx.over.get() {
            DocumentError::OverBudget(e.to_string())
        } else {
            DocumentError::Json(e.to_string())
        }
    };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = Seed(&ctx).deserialize(&mut de).map_err(refused)?;
    de.end().map_err(refused)?;
    Ok((value, ctx.used.get()))
}

/// Read `bytes` as JSON within `budget` bytes of estimated heap, skipping
/// the members `prune` names. A number beyond the range of a double or a
/// lone surrogate is read leniently and reported; anything else that is
/// not JSON is an error ([`DocumentError::OverBudget`] or
/// [`DocumentError::Json`], with the parser's message).
pub fn parse(bytes: &[u8], budget: usize, prune: Option<Prune>) -> Result<Parsed, DocumentError> {
    match build(bytes, budget, prune) {
        Ok((value, cost)) => Ok(Parsed {
            value,
            cost,
            repairs: Vec::new(),
        }),
        Err(e) => {
            // Only grammatical JSON with unrepresentable members is read
            // again; a text serde_json refuses for another reason stays
            // refused.
            let Some((fixed, repairs)) = repair(bytes).filter(|(_, r)| !r.is_empty()) else {
                return Err(e);
            };
            let (value, cost) = build(&fixed, budget, prune)?;
            Ok(Parsed {
                value,
                cost,
                repairs,
            })
        }
    }
}

/// Repairs reported per document, at most (the rest are counted).
const MAX_REPAIRS_LISTED: usize = 10;

fn pointer(path: &[Seg]) -> String {
    let mut out = String::new();
    for s in path {
        out.push('/');
        match s {
            Seg::Key(k) => out.push_str(&k.replace('~', "~0").replace('/', "~1")),
            Seg::Index(i) => out.push_str(&i.to_string()),
        }
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

enum Seg {
    Key(String),
    Index(usize),
}

enum Frame {
    Object {
        key: Option<String>,
        expect_key: bool,
    },
    Array {
        index: usize,
    },
}

/// A copy of `bytes` with every number beyond the range of a double
/// turned into a string and every lone surrogate escape into `\ufffd`,
/// and what was done where. `None` when the text is not grammatical
/// enough to walk (left to serde_json to describe).
fn repair(bytes: &[u8]) -> Option<(Vec<u8>, Vec<String>)> {
    let mut out = Vec::with_capacity(bytes.len() + 16);
    let mut repairs: Vec<String> = Vec::new();
    let mut more = 0usize;
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    let path_of = |stack: &[Frame]| -> Vec<Seg> {
        stack
            .iter()
            .filter_map(|f| match f {
                Frame::Object { key, .. } => key.clone().map(Seg::Key),
                Frame::Array { index } => Some(Seg::Index(*index)),
            })
            .collect()
    };
    let mut note = |repairs: &mut Vec<String>, text: String| {
        if repairs.len() < MAX_REPAIRS_LISTED {
            repairs.push(text);
        } else {
            more += 1;
        }
    };
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'{' => {
                stack.push(Frame::Object {
                    key: None,
                    expect_key: true,
                });
                out.push(b);
                i += 1;
            }
            b'[' => {
                stack.push(Frame::Array { index: 0 });
                out.push(b);
                i += 1;
            }
            b'}' | b']' => {
                stack.pop()?;
                out.push(b);
                i += 1;
            }
            b':' => {
                if let Some(Frame::Object { expect_key, .. }) = stack.last_mut() {
                    *expect_key = false;
                }
                out.push(b);
                i += 1;
            }
            b',' => {
                match stack.last_mut() {
                    Some(Frame::Object { expect_key, .. }) => *expect_key = true,
                    Some(Frame::Array { index }) => *index += 1,
                    None => return None,
                }
                out.push(b);
                i += 1;
            }
            b'"' => {
                // The string's end, and its lone surrogates.
                let start = i;
                let mut j = i + 1;
                let mut lone: Vec<(usize, String)> = Vec::new();
                loop {
                    match *bytes.get(j)? {
                        b'"' => break,
                        b'\\' => {
                            if bytes.get(j + 1) == Some(&b'u') {
                                let hex = std::str::from_utf8(bytes.get(j + 2..j + 6)?).ok()?;
                                let u = u32::from_str_radix(hex, 16).ok()?;
                                let next_low = bytes.get(j + 6) == Some(&b'\\')
                                    && bytes.get(j + 7) == Some(&b'u')
                                    && bytes
                                        .get(j + 8..j + 12)
                                        .and_then(|h| std::str::from_utf8(h).ok())
                                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                                        .is_some_and(|l| (0xDC00..0xE000).contains(&l));
                                if (0xD800..0xDC00).contains(&u) && next_low {
                                    j += 12;
                                    continue;
                                }
                                if (0xD800..0xE000).contains(&u) {
                                    lone.push((j, format!("\\u{hex}")));
                                }
                                j += 6;
                            } else {
                                j += 2;
                            }
                        }
                        _ => j += 1,
                    }
                }
                let raw = &bytes[start..=j];
                let mut fixed = raw.to_vec();
                for (at, _) in lone.iter().rev() {
                    let at = at - start;
                    fixed.splice(at..at + 6, b"\\ufffd".iter().copied());
                }
                let is_key = matches!(
                    stack.last(),
                    Some(Frame::Object {
                        expect_key: true,
                        ..
                    })
                );
                if is_key {
                    let key = serde_json::from_slice::<String>(&fixed).unwrap_or_else(|_| {
                        String::from_utf8_lossy(&fixed[1..fixed.len() - 1]).into_owned()
                    });
                    if let Some(Frame::Object { key: k, .. }) = stack.last_mut() {
                        *k = Some(key);
                    }
                }
                for (_, esc) in &lone {
                    note(
                        &mut repairs,
                        format!(
                            "`{}`: a lone surrogate {esc} in a string (RFC 8259 §8.2); read as U+FFFD",
                            pointer(&path_of(&stack))
                        ),
                    );
                }
                out.extend_from_slice(&fixed);
                i = j + 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                let mut j = i;
                while j < bytes.len()
                    && matches!(bytes[j], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    j += 1;
                }
                let tok = &bytes[start..j];
                let text = std::str::from_utf8(tok).ok()?;
                let huge = text.parse::<f64>().is_ok_and(f64::is_infinite);
                if huge {
                    note(
                        &mut repairs,
                        format!(
                            "`{}`: the number {} is beyond the range of a double (RFC 8259 §6); read as a string",
                            pointer(&path_of(&stack)),
                            if text.len() > 40 {
                                format!("{}…", &text[..40])
                            } else {
                                text.to_string()
                            }
                        ),
                    );
                    out.push(b'"');
                    out.extend_from_slice(tok);
                    out.push(b'"');
                } else {
                    out.extend_from_slice(tok);
                }
                i = j;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    if more > 0 {
        repairs.push(format!("and {more} more such members"));
    }
    Some((out, repairs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const MIB: usize = 1 << 20;

    #[test]
    fn reads_what_serde_json_reads() {
        for text in [
            r#"{"a": [1, -2, 3.5, true, null, "x"], "b": {"c": {}}, "a2": 18446744073709551615}"#,
            r#"[]"#,
            r#""\ud83d\ude00""#,
            r#"{"k": 1, "k": 2}"#,
        ] {
            let want: Value = serde_json::from_str(text).unwrap();
            let got = parse(text.as_bytes(), MIB, None).unwrap();
            assert_eq!(got.value, want, "{text}");
            assert!(got.repairs.is_empty());
        }
        for bad in [
            &b"{\"a\":"[..],
            b"{\"a\": 1,}",
            b"\xff",
            b"[1] [2]",
            b"{\"s\": \"\xff\"}",
        ] {
            assert!(parse(bad, MIB, None).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn one_unrepresentable_member_does_not_hide_the_document() {
        let text = br#"{"issuer": "https://a.example", "big": 1e400, "neg": [0, -1E+999], "s": "x\ud800y", "t": "\udc00", "ok": "\ud83d\ude00"}"#;
        assert!(serde_json::from_slice::<Value>(text).is_err());
        let p = parse(text, MIB, None).unwrap();
        assert_eq!(
            p.value,
            json!({"issuer": "https://a.example", "big": "1e400", "neg": [0, "-1E+999"], "s": "x\u{fffd}y", "t": "\u{fffd}", "ok": "😀"})
        );
        assert_eq!(p.repairs.len(), 4, "{:?}", p.repairs);
        assert!(
            p.repairs[0].starts_with("`/big`: the number 1e400"),
            "{:?}",
            p.repairs
        );
        assert!(p.repairs[1].starts_with("`/neg/1`"), "{:?}", p.repairs);
        assert!(
            p.repairs[2].starts_with("`/s`: a lone surrogate \\ud800"),
            "{:?}",
            p.repairs
        );
        // A lone surrogate in a member name.
        let p = parse(br#"{"a\ud800": 1}"#, MIB, None).unwrap();
        assert_eq!(p.value, json!({"a\u{fffd}": 1}));
        // Numbers inside strings are text, not numbers.
        let p = parse(br#"{"n": "1e400", "m": 1e400}"#, MIB, None).unwrap();
        assert_eq!(p.value, json!({"n": "1e400", "m": "1e400"}));
        assert_eq!(p.repairs.len(), 1);
    }

    #[test]
    fn the_budget_stops_a_document_of_small_values() {
        // 1 MiB of `{"a":1},` costs ~90 MiB as a tree.
        let mut text = b"[".to_vec();
        while text.len() < MIB {
            text.extend_from_slice(b"{\"a\":1},");
        }
        text.extend_from_slice(b"{}]");
        let e = parse(&text, 16 * MIB, None).unwrap_err();
        assert!(matches!(e, DocumentError::OverBudget(_)), "{e:?}");
        assert!(e.to_string().contains("memory budget"), "{e}");
        let p = parse(&text, 256 * MIB, None).unwrap();
        let estimated = p.cost;
        assert!(estimated > 80 * MIB, "{estimated}");
        assert_eq!(estimated, cost_of(&p.value));
    }

    #[test]
    fn descriptions_keep_what_the_checks_read() {
        let text = br##"{"openapi": "3.1.0", "info": {"title": "T"},
            "servers": [{"url": "https://api.example.com"}],
            "components": {"schemas": {"Big": {"type": "object"}}, "securitySchemes": {"o": {"type": "oauth2"}}},
            "paths": {"/a": {"parameters": [1], "get": {"operationId": "getA", "x-hint": true,
                "parameters": [2], "responses": {"200": {}}, "security": [{"o": ["a:read"]}]}}},
            "webhooks": {"w": {}}}"##;
        let p = parse(text, MIB, Some(description_prune)).unwrap();
        assert_eq!(
            p.value,
            json!({"openapi": "3.1.0", "info": {"title": "T"},
                "servers": [{"url": "https://api.example.com"}],
                "components": {"securitySchemes": {"o": {"type": "oauth2"}}},
                "paths": {"/a": {"get": {"operationId": "getA", "x-hint": true,
                    "security": [{"o": ["a:read"]}]}}}})
        );
    }
}
