//! Field paths → source spans.
//!
//! A violation names the field that should change. When that field exists, the diagnostic
//! points at it (`key: value`). When it does not (a missing `runAsNonRoot`), it points at the
//! nearest existing parent: the parent's key (`securityContext:`), or, for a list item such as
//! a container, the item's `name` entry, which is how people find a container.

use crate::manifest::Node;
use crate::model::field::{FieldPath, Segment};
use crate::model::source::Span;

/// Where a field path landed in the tree.
#[derive(Debug, Clone)]
pub struct Resolved<'a> {
    /// The span to report.
    pub span: Span,
    /// How many leading segments of the path exist in the tree.
    pub found: usize,
    /// The deepest existing node on the path.
    pub node: &'a Node,
    /// The key span of the deepest existing node, when it is a mapping value.
    pub key_span: Option<Span>,
}

impl Resolved<'_> {
    pub fn is_complete(&self, path: &FieldPath) -> bool {
        self.found == path.segments().len()
    }
}

/// Resolves `path` (from the document root) to the best span.
pub fn resolve<'a>(root: &'a Node, path: &FieldPath) -> Resolved<'a> {
    let mut node = root;
    let mut key_span = None;
    let mut found = 0;
    for seg in path.segments() {
        let next = match seg {
            Segment::Key(k) => node
                .as_map()
                .and_then(|m| m.entry(k))
                .map(|e| (&e.value, Some(e.key_span))),
            Segment::Index(i) => node.as_seq().and_then(|s| s.get(*i)).map(|n| (n, None)),
        };
        match next {
            Some((n, ks)) => {
                node = n;
                key_span = ks;
                found += 1;
            }
            None => break,
        }
    }
    let span = best_span(node, key_span, found == path.segments().len());
    Resolved {
        span,
        found,
        node,
        key_span,
    }
}

fn best_span(node: &Node, key_span: Option<Span>, complete: bool) -> Span {
    let is_collection = node.as_map().is_some() || node.as_seq().is_some();
    match key_span {
        // `key: scalar` on one line: underline both, the way people read a setting.
        Some(k) if !is_collection && k.start.line == node.span.end.line => {
            Span::new(k.start, node.span.end)
        }
        Some(k) => k,
        None => match node.as_map() {
            // A list item (container, volume, port): point at its `name` entry, or its first key.
            Some(m) if !complete || node.span.start.line != node.span.end.line => m
                .entry("name")
                .or_else(|| m.entries.first())
                .map(|e| {
                    if e.value.as_map().is_none() && e.value.as_seq().is_none() {
                        Span::new(e.key_span.start, e.value.span.end)
                    } else {
                        e.key_span
                    }
                })
                .unwrap_or_else(|| first_line(node.span)),
            _ => first_line(node.span),
        },
    }
}

/// A multi-line span cut to its first position, so a label never covers a whole block.
fn first_line(span: Span) -> Span {
    if span.start.line == span.end.line {
        span
    } else {
        Span::point(span.start)
    }
}
