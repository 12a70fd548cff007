//! The few source lines each diagnostic carries, captured while the file is in memory so that
//! reports never re-read or rescan files.

use crate::model::diagnostic::Snippet;
use crate::model::source::{LineIndex, Span};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::source::Pos;

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
