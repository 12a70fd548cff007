//! The span-carrying value tree that one YAML or JSON document is decoded into.
//!
//! Values are already resolved the way the API server resolves them (go-yaml v2, pss-spec §8):
//! `yes` is a boolean, `0777` is 511, merge keys are applied, duplicate keys keep the last value.
//! Every node and every mapping key keeps the span of the text it came from, so a field path can
//! always be turned back into a file position.

use crate::model::source::Span;

/// How a scalar was written. Kept so that diagnostics can explain surprising resolutions
/// (`privileged: yes` is `true`), and so that string fields can reject non-string scalars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

/// A resolved value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// Any integer go-yaml v2 resolves (int64, uint64 range).
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Mapping),
}

/// A value with the span of its source text.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
    /// Style of a scalar as written (`Plain` for collections).
    pub style: ScalarStyle,
    /// The scalar's source text when it resolved to a non-string whose canonical JSON
    /// spelling differs from what was written (e.g. `yes`, `True`, `0777`, `1_000`, `.0`,
    /// `1.0`), so messages can say why the API server sees `true` or `511`.
    pub raw: Option<Box<str>>,
    /// True when this node is part of an alias expansion (`*x`, also through a merge key
    /// `<<: *x`). The expansion's root has the span of the alias; nodes inside it keep the
    /// spans of the anchored text they were copied from.
    pub via_alias: bool,
}

/// An insertion-ordered mapping with string keys (non-string keys are converted to strings as
/// sigs.k8s.io/yaml does). Duplicate keys have already been collapsed (last wins).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Mapping {
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

impl Mapping {
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        // Mappings in manifests are small; a linear scan beats hashing here.
        self.entries.iter().find(|e| e.key == key)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }
}

impl Node {
    pub fn new(value: Value, span: Span) -> Self {
        Node {
            value,
            span,
            style: ScalarStyle::Plain,
            raw: None,
            via_alias: false,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    pub fn as_map(&self) -> Option<&Mapping> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Looks up a key when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?.get(key)
    }

    /// A short name for the node's type, as used in type-error messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "number",
            Value::Str(_) => "string",
            Value::Seq(_) => "list",
            Value::Map(_) => "object",
        }
    }
}

impl Drop for Node {
    /// Drops deep trees iteratively: a manifest nested thousands of levels deep must not
    /// overflow the stack when it is freed.
    fn drop(&mut self) {
        let mut stack: Vec<Node> = Vec::new();
        take_children(&mut self.value, &mut stack);
        while let Some(mut n) = stack.pop() {
            take_children(&mut n.value, &mut stack);
        }
    }
}

fn take_children(v: &mut Value, stack: &mut Vec<Node>) {
    match v {
        Value::Seq(items) => stack.append(items),
        Value::Map(m) => stack.extend(std::mem::take(&mut m.entries).into_iter().map(|e| e.value)),
        _ => {}
    }
}
