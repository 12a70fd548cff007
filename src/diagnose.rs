//! Field paths → source spans, and the snippet each diagnostic carries.
//!
//! A violation names the field that should change. When that field exists, the diagnostic
//! points at it (`key: value`). When it does not (a missing `runAsNonRoot`), it points at the
//! nearest existing parent: the parent's key (`securityContext:`), or, for a list item such as
//! a container, the item's `name` entry, which is how people find a container.

use crate::diagnostic::Snippet;
use crate::field::{FieldPath, Segment};
use crate::manifest::Node;
use crate::source::{LineIndex, Pos, Span};

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

/// Lines longer than this (minified JSON, say) are never captured. No terminal shows them, and
/// copying such a line into every finding on it would make memory grow with findings × line
/// length (2,000 pods in one 40 MB line of JSON once took 24 GB).
pub const MAX_SNIPPET_LINE: usize = 1024;

/// Captures up to `context` lines either side of `span` (a few lines only; never the file).
/// When one of them is longer than [`MAX_SNIPPET_LINE`], no lines are captured.
pub fn snippet(text: &str, index: &LineIndex, span: Span, context: u32) -> Snippet {
    snippet_in(text, index, 1, span, context)
}

/// [`snippet`] where `text` holds the file's lines from `first_line` on (one window of a
/// streamed file), spans being in file lines. The window must hold every line the snippet
/// needs that the file has.
pub fn snippet_in(
    text: &str,
    index: &LineIndex,
    first_line: u32,
    span: Span,
    context: u32,
) -> Snippet {
    let first = span
        .start
        .line
        .saturating_sub(context)
        .max(first_line)
        .max(1);
    let last = span.end.line.max(span.start.line).saturating_add(context);
    let mut lines: Vec<&str> = (first..=last)
        .map_while(|l| index.line_text(text, l - first_line + 1))
        .collect();
    // Drop a trailing empty line produced by a final newline.
    while lines.len() > 1 && lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    if lines.iter().any(|l| l.len() > MAX_SNIPPET_LINE) {
        lines.clear();
    }
    Snippet {
        first_line: first,
        lines: lines.into_iter().map(str::to_owned).collect(),
    }
}

/// The end of a span, made at least one character wide so that every format can underline it.
pub fn visible_end(span: Span) -> Pos {
    if span.end > span.start {
        span.end
    } else {
        Pos::new(span.start.line, span.start.col + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlong_lines_are_not_captured() {
        let long = "x".repeat(MAX_SNIPPET_LINE + 1);
        let text = format!("a: 1\nb: {long}\nc: 3\n");
        let index = LineIndex::new(&text);
        let at = |line| Span::point(Pos::new(line, 1));
        assert!(snippet(&text, &index, at(1), 0).lines == ["a: 1"]);
        assert!(snippet(&text, &index, at(2), 1).lines.is_empty());
    }

    #[test]
    fn a_window_gives_the_lines_the_whole_text_gives() {
        let text = "l1\nl2\nl3\nl4\nl5\nl6\n";
        let whole = snippet(text, &LineIndex::new(text), Span::point(Pos::new(4, 1)), 2);
        let window = "l2\nl3\nl4\nl5\nl6\n";
        let part = snippet_in(
            window,
            &LineIndex::new(window),
            2,
            Span::point(Pos::new(4, 1)),
            2,
        );
        assert_eq!(whole, part);
        assert_eq!(part.first_line, 2);
        assert_eq!(part.lines, ["l2", "l3", "l4", "l5", "l6"]);
    }
}
