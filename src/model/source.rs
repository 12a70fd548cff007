//! Source text, positions and spans.
//!
//! Positions are 1-based lines and 1-based columns counted in Unicode scalar values (characters),
//! which is what editors, SARIF (`unicodeCodePoints`) and GitHub annotations expect. A byte
//! order mark is stripped before parsing, so it never shifts a column. CRLF line endings count as
//! one line break.

use serde::Serialize;

/// A position in a source file: 1-based line, 1-based character column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    pub const fn new(line: u32, col: u32) -> Self {
        Pos { line, col }
    }
}

/// A half-open range `[start, end)` of positions in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

impl Span {
    pub const fn new(start: Pos, end: Pos) -> Self {
        Span { start, end }
    }

    /// A span covering a single position (used when only a point is known).
    pub const fn point(p: Pos) -> Self {
        Span { start: p, end: p }
    }
}

/// Byte offsets of line starts, so that a line's text is found without rescanning the file.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    /// Number of lines (a trailing newline does not start an extra non-empty line, but it is
    /// counted, as editors do).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The text of 1-based `line`, without its line terminator (`\n` or `\r\n`).
    pub fn line_text<'a>(&self, text: &'a str, line: u32) -> Option<&'a str> {
        let i = (line as usize).checked_sub(1)?;
        let start = *self.starts.get(i)?;
        let end = self.starts.get(i + 1).copied().unwrap_or(text.len());
        let s = text.get(start..end)?;
        let s = s.strip_suffix('\n').unwrap_or(s);
        Some(s.strip_suffix('\r').unwrap_or(s))
    }

    /// Byte offset of the start of 1-based `line`.
    pub fn line_start(&self, line: u32) -> Option<usize> {
        self.starts.get((line as usize).checked_sub(1)?).copied()
    }

    /// 1-based line containing byte `offset`.
    pub fn line_of_offset(&self, offset: usize) -> u32 {
        match self.starts.binary_search(&offset) {
            Ok(i) => i as u32 + 1,
            Err(i) => i as u32,
        }
    }

    /// Position (1-based line and character column) of byte `offset` in `text`.
    pub fn pos_of_offset(&self, text: &str, offset: usize) -> Pos {
        let line = self.line_of_offset(offset);
        let start = self.starts[line as usize - 1];
        let offset = offset.min(text.len());
        let col = text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        Pos::new(line, col as u32 + 1)
    }
}

/// Byte offset of 1-based character column `col` within `line_text`.
pub fn byte_of_col(line_text: &str, col: u32) -> usize {
    let target = (col.max(1) - 1) as usize;
    line_text
        .char_indices()
        .nth(target)
        .map_or(line_text.len(), |(b, _)| b)
}

/// At most `max_chars` characters of `s`, with `…` when cut: input text quoted in a message
/// stays readable, and a megabyte-long value is not copied into every finding.
pub fn excerpt(s: &str, max_chars: usize) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => format!("{}…", &s[..i]).into(),
        None => s.into(),
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
    fn line_text_strips_crlf() {
        let t = "a: 1\r\nb: 2\r\n";
        let idx = LineIndex::new(t);
        assert_eq!(idx.line_text(t, 1), Some("a: 1"));
        assert_eq!(idx.line_text(t, 2), Some("b: 2"));
        assert_eq!(idx.line_text(t, 3), Some(""));
        assert_eq!(idx.line_text(t, 4), None);
    }

    #[test]
    fn columns_count_characters() {
        let t = "name: é€x\n";
        let idx = LineIndex::new(t);
        let off = t.find('x').unwrap();
        assert_eq!(idx.pos_of_offset(t, off), Pos::new(1, 9));
        assert_eq!(byte_of_col("name: é€x", 9), off);
    }

    #[test]
    fn excerpts_cut_at_a_character_boundary() {
        assert_eq!(excerpt("abc", 3), "abc");
        assert_eq!(excerpt("é€xyz", 2), "é€…");
    }
}
