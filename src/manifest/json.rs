//! What the API server receives: each document of a stream as the JSON object kubectl sends
//! (`psslint decode`, and the oracle comparison in tests/oracle.rs).
//!
//! kubectl converts every YAML document with sigs.k8s.io/yaml (go-yaml v2, which the tree
//! already follows), then decodes the JSON as an unstructured object, where a number is an
//! `int64` if it is an integer in range and a `float64` otherwise, and encodes that again.
//! So an integer beyond `int64` (`18446744073709551615`) arrives as the float
//! `18446744073709552000`, and `-0.0` as `0`.
//!
//! The text is canonical, so that two decoders' results can be compared byte for byte: no
//! whitespace, object keys sorted by bytes (Go's `encoding/json` order), strings with `"`, `\`
//! and every character below U+0020 escaped (`\"`, `\\`, `\u00XX`) and everything else as
//! UTF-8, integers in decimal, other numbers as Go's `encoding/json` writes a `float64`.

use super::node::{Node, Value};
use super::resolve::go_json_number;
use super::split::split_stream;
use super::yaml::{parse_document, ParseOptions};
use crate::model::problem::{InputRule, LoadProblem};

/// One kubectl document: where it starts, the JSON the API server receives (`None` when the
/// document cannot be sent: a syntax error, a limit, a value JSON cannot carry) and what the
/// loader reported about it.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedDocument {
    /// 1-based line of the document's first line.
    pub start_line: u32,
    pub json: Option<String>,
    pub problems: Vec<LoadProblem>,
}

/// Splits `text` (already decoded to UTF-8) as kubectl does and decodes every document that
/// kubectl would send; documents it skips (empty, comments only, `null`) without a problem
/// are left out. The second list holds the stream's own problems (invalid separators).
pub fn decode_stream(text: &str, opts: &ParseOptions) -> (Vec<DecodedDocument>, Vec<LoadProblem>) {
    let (chunks, stream_problems) = split_stream(text);
    let mut docs = Vec::new();
    for chunk in chunks {
        let parsed = parse_document(chunk.text, chunk.start_line, opts);
        if parsed.root.is_none() && parsed.problems.is_empty() {
            continue;
        }
        // A document with an error (other than a duplicate key, whose last value kubectl
        // keeps) is never sent: it has no JSON.
        let sent = !parsed
            .problems
            .iter()
            .any(|p| p.rule.is_error() && p.rule != InputRule::DuplicateKey);
        let json = parsed
            .root
            .as_ref()
            .filter(|_| sent)
            .and_then(|root| to_json(root).ok());
        docs.push(DecodedDocument {
            start_line: chunk.start_line,
            json,
            problems: parsed.problems,
        });
    }
    (docs, stream_problems)
}

/// The canonical JSON text of a tree, or the text of a value JSON cannot carry (`.nan`,
/// `.inf`). Iterative, so any depth the parser accepted is fine.
pub fn to_json(root: &Node) -> Result<String, String> {
    enum Step<'a> {
        Node(&'a Node),
        Text(&'static str),
        Key(&'a str),
    }
    let mut out = String::new();
    let mut stack = vec![Step::Node(root)];
    while let Some(step) = stack.pop() {
        let node = match step {
            Step::Text(t) => {
                out.push_str(t);
                continue;
            }
            Step::Key(k) => {
                write_string(&mut out, k);
                out.push(':');
                continue;
            }
            Step::Node(n) => n,
        };
        match &node.value {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => match i64::try_from(*i) {
                Ok(i) => out.push_str(&i.to_string()),
                Err(_) => out.push_str(&float_text(*i as f64)?),
            },
            Value::Float(f) => out.push_str(&float_text(*f)?),
            Value::Str(s) => write_string(&mut out, s),
            Value::Seq(items) => {
                out.push('[');
                stack.push(Step::Text("]"));
                for (i, item) in items.iter().enumerate().rev() {
                    stack.push(Step::Node(item));
                    if i > 0 {
                        stack.push(Step::Text(","));
                    }
                }
            }
            Value::Map(m) => {
                out.push('{');
                stack.push(Step::Text("}"));
                let mut entries: Vec<_> = m.iter().collect();
                entries.sort_unstable_by(|a, b| a.key.cmp(&b.key));
                for (i, e) in entries.into_iter().enumerate().rev() {
                    stack.push(Step::Node(&e.value));
                    stack.push(Step::Key(&e.key));
                    if i > 0 {
                        stack.push(Step::Text(","));
                    }
                }
            }
        }
    }
    Ok(out)
}

/// A float as kubectl re-encodes it: Go's `encoding/json` text, read back as an `int64` when
/// it is one (so `-0` is `0`).
fn float_text(f: f64) -> Result<String, String> {
    let text = go_json_number(f).ok_or_else(|| {
        if f.is_nan() {
            "NaN".to_owned()
        } else if f > 0.0 {
            "+Inf".to_owned()
        } else {
            "-Inf".to_owned()
        }
    })?;
    Ok(match text.parse::<i64>() {
        Ok(i) => i.to_string(),
        Err(_) => text,
    })
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> String {
        let doc = parse_document(text, 1, &ParseOptions::default());
        to_json(doc.root.as_ref().expect("root")).expect("encodable")
    }

    #[test]
    fn canonical_text() {
        assert_eq!(
            json("b: [1, yes, ~, 'x']\na: {z: 0777, w: 1.0}\n\"\\u00e9\": \"q\\\"\\\\\\n\\u0001\"\n"),
            "{\"a\":{\"w\":1,\"z\":511},\"b\":[1,true,null,\"x\"],\"é\":\"q\\\"\\\\\\u000a\\u0001\"}"
        );
    }

    #[test]
    fn numbers_as_kubectl_reencodes_them() {
        assert_eq!(
            json("[18446744073709551615, 9223372036854775807, -0.0, 1e21, 0.000001, 1e-7, .5]"),
            "[18446744073709552000,9223372036854775807,0,1e+21,0.000001,1e-7,0.5]"
        );
    }

    #[test]
    fn unencodable_values_are_errors() {
        let doc = parse_document("a: .nan\n", 1, &ParseOptions::default());
        assert_eq!(to_json(doc.root.as_ref().expect("root")), Err("NaN".into()));
    }

    #[test]
    fn streams_skip_what_kubectl_skips() {
        let (docs, problems) = decode_stream(
            "a: 1\n---\n# c\n---\nnull\n---\nb: [\n",
            &ParseOptions::default(),
        );
        assert!(problems.is_empty());
        let lines: Vec<(u32, Option<&str>)> = docs
            .iter()
            .map(|d| (d.start_line, d.json.as_deref()))
            .collect();
        assert_eq!(lines, vec![(1, Some("{\"a\":1}")), (7, None)]);
        assert!(!docs[1].problems.is_empty());
    }

    #[test]
    fn deep_trees_do_not_recurse() {
        // Deeper than any parser limit: built by hand.
        let depth = 20_000;
        let span = crate::model::source::Span::point(crate::model::source::Pos::new(1, 1));
        let mut node = Node::new(Value::Str("x".into()), span);
        for _ in 0..depth {
            node = Node::new(Value::Seq(vec![node]), span);
        }
        let out = to_json(&node).expect("json");
        assert_eq!(out.len(), 2 * depth + 3);
    }
}
