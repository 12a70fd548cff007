//! Strict decoding of configuration files from the span tree, the way the API server decodes
//! its own configuration (pss-spec §5.5): unknown fields, wrong types and duplicate keys are
//! errors, each with the file position of the offending text.

use std::fmt;
use std::path::Path;

use crate::manifest::split::split_stream;
use crate::manifest::yaml::{parse_document, ParseOptions};
use crate::manifest::{Mapping, Node, Value};
use crate::model::source::{Pos, Span};

/// A problem in a configuration file: psslint cannot run (exit code 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    pub pos: Option<Pos>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pos {
            Some(p) => write!(f, "{}:{}:{}: {}", self.file, p.line, p.col, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Several configuration problems, printed one per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// A configuration file's text and its one document.
pub struct Loaded {
    /// The path as shown in messages.
    pub name: String,
    pub text: String,
    /// `None` for an empty (or comment-only) file.
    pub root: Option<Node>,
}

/// Reads and parses a single-document YAML or JSON file. Every parse problem (duplicate keys
/// included) is an error.
pub fn load(path: &Path, name: &str) -> Result<Loaded, ConfigErrors> {
    let err = |pos, message: String| {
        ConfigErrors(vec![ConfigError {
            file: name.to_string(),
            pos,
            message,
        }])
    };
    let bytes = std::fs::read(path).map_err(|e| err(None, format!("cannot read file: {e}")))?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let text = std::str::from_utf8(bytes)
        .map_err(|_| err(None, "file is not valid UTF-8".to_string()))?
        .to_string();
    parse(name, text)
}

/// Parses configuration text (see [`load`]).
pub fn parse(name: &str, text: String) -> Result<Loaded, ConfigErrors> {
    let mut errors = Vec::new();
    let mut root = None;
    let (chunks, split_problems) = split_stream(&text);
    for p in split_problems {
        errors.push(ConfigError {
            file: name.to_string(),
            pos: p.span.map(|s| s.start),
            message: p.message,
        });
    }
    for chunk in &chunks {
        let doc = parse_document(chunk.text, chunk.start_line, &ParseOptions::default());
        for p in doc.problems {
            errors.push(ConfigError {
                file: name.to_string(),
                pos: p.span.map(|s| s.start),
                message: p.message,
            });
        }
        if let Some(node) = doc.root {
            if root.is_some() {
                errors.push(ConfigError {
                    file: name.to_string(),
                    pos: Some(node.span.start),
                    message: "a configuration file holds one document; this is a second one"
                        .to_string(),
                });
            } else {
                root = Some(node);
            }
        }
    }
    if errors.is_empty() {
        Ok(Loaded {
            name: name.to_string(),
            text,
            root,
        })
    } else {
        Err(ConfigErrors(errors))
    }
}

/// Collects errors while reading a tree; every accessor reports what it rejects.
pub struct Reader<'f> {
    pub file: &'f str,
    pub errors: Vec<ConfigError>,
}

impl<'f> Reader<'f> {
    pub fn new(file: &'f str) -> Self {
        Reader {
            file,
            errors: Vec::new(),
        }
    }

    pub fn error(&mut self, span: Span, message: impl Into<String>) {
        self.errors.push(ConfigError {
            file: self.file.to_string(),
            pos: Some(span.start),
            message: message.into(),
        });
    }

    /// `Some` when `node` is a mapping whose keys are all in `allowed`; unknown keys are
    /// reported (and skipped by callers, which only look up allowed keys).
    pub fn fields<'n>(
        &mut self,
        node: &'n Node,
        path: &str,
        allowed: &[&str],
    ) -> Option<&'n Mapping> {
        let Some(map) = node.as_map() else {
            self.error(
                node.span,
                format!(
                    "{}: expected an object, found {}",
                    shown(path),
                    describe(node)
                ),
            );
            return None;
        };
        for e in map.iter() {
            if !allowed.contains(&e.key.as_str()) {
                self.error(
                    e.key_span,
                    format!(
                        "{}: unknown field {:?} (strict decoding; known fields: {})",
                        shown(path),
                        e.key,
                        allowed.join(", ")
                    ),
                );
            }
        }
        Some(map)
    }

    /// A string value; `None` (and an error) for anything else.
    pub fn string<'n>(&mut self, node: &'n Node, path: &str) -> Option<&'n str> {
        match &node.value {
            Value::Str(s) => Some(s),
            _ => {
                let hint = match &node.value {
                    Value::Float(_) | Value::Int(_) => {
                        " (quote it: YAML reads an unquoted 1.30 as the number 1.3)"
                    }
                    _ => "",
                };
                self.error(
                    node.span,
                    format!("{path}: expected a string, found {}{hint}", describe(node)),
                );
                None
            }
        }
    }

    /// A non-empty string.
    pub fn nonempty<'n>(&mut self, node: &'n Node, path: &str) -> Option<&'n str> {
        let s = self.string(node, path)?;
        if s.trim().is_empty() {
            self.error(node.span, format!("{path}: must not be empty"));
            return None;
        }
        Some(s)
    }

    /// A list of strings, each with its span; `null` is an empty list.
    pub fn strings(&mut self, node: &Node, path: &str) -> Vec<(String, Span)> {
        if node.is_null() {
            return Vec::new();
        }
        let Some(items) = node.as_seq() else {
            self.error(
                node.span,
                format!("{path}: expected a list, found {}", describe(node)),
            );
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .filter_map(|(i, n)| {
                self.string(n, &format!("{path}[{i}]"))
                    .map(|s| (s.to_string(), n.span))
            })
            .collect()
    }

    /// A list of unique, non-empty strings that pass `valid` (whose error text it returns).
    pub fn unique_strings(
        &mut self,
        node: &Node,
        path: &str,
        valid: impl Fn(&str) -> Result<(), String>,
    ) -> Vec<(String, Span)> {
        let mut out: Vec<(String, Span)> = Vec::new();
        for (i, (s, span)) in self.strings(node, path).into_iter().enumerate() {
            if s.is_empty() {
                self.error(span, format!("{path}[{i}]: must not be empty"));
            } else if let Err(e) = valid(&s) {
                self.error(span, format!("{path}[{i}]: invalid value {s:?}: {e}"));
            } else if out.iter().any(|(o, _)| *o == s) {
                self.error(span, format!("{path}[{i}]: duplicate value {s:?}"));
            } else {
                out.push((s, span));
            }
        }
        out
    }

    pub fn finish(self) -> Result<(), ConfigErrors> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ConfigErrors(self.errors))
        }
    }
}

fn shown(path: &str) -> &str {
    if path.is_empty() {
        "the document"
    } else {
        path
    }
}

/// `the string "x"`, `the number 1.3`, `a list`, …
pub fn describe(node: &Node) -> String {
    match &node.value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Int(i) => format!("the number {i}"),
        Value::Float(f) => format!("the number {f}"),
        Value::Str(s) => format!("the string {s:?}"),
        Value::Seq(_) => "a list".to_string(),
        Value::Map(_) => "an object".to_string(),
    }
}

/// A DNS-1123 label (namespace names): at most 63 lowercase alphanumerics or `-`, starting
/// and ending with an alphanumeric.
pub fn dns_label(s: &str) -> Result<(), String> {
    let ok = !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err("a namespace name must be a DNS-1123 label (at most 63 characters: lowercase letters, digits and '-', starting and ending with a letter or digit)".to_string())
    }
}

/// A DNS-1123 subdomain (RuntimeClass names): at most 253 characters, dot-separated labels of
/// lowercase alphanumerics or `-`.
pub fn dns_subdomain(s: &str) -> Result<(), String> {
    let ok = !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !part.starts_with('-')
                && !part.ends_with('-')
        });
    if ok {
        Ok(())
    } else {
        Err("must be a DNS-1123 subdomain (lowercase letters, digits, '-' and '.')".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_validated_like_the_api_server() {
        assert!(dns_label("kube-system").is_ok());
        for bad in ["", "Kube", "-a", "a-", "a.b", &"a".repeat(64)] {
            assert!(dns_label(bad).is_err(), "{bad}");
        }
        assert!(dns_subdomain("kata.containers-1").is_ok());
        assert!(dns_subdomain("a..b").is_err());
    }

    #[test]
    fn parse_problems_and_second_documents_are_errors() {
        let e = parse("c.yaml", "a: 1\na: 2\n".into()).err().unwrap();
        assert!(e.to_string().starts_with("c.yaml:2:1: "), "{e}");
        let e = parse("c.yaml", "a: 1\n---\nb: 2\n".into()).err().unwrap();
        assert!(e.to_string().contains("second"), "{e}");
        assert!(parse("c.yaml", "# nothing\n".into())
            .unwrap()
            .root
            .is_none());
    }
}
