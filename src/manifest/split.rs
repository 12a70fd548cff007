//! Splitting a stream into documents the way kubectl does: textually, line by line, before
//! any YAML parsing (pss-spec §8.1), so that a broken document never hides the ones after it.
//!
//! kubectl (`k8s.io/apimachinery/pkg/util/yaml.YAMLReader`) treats every line that *starts*
//! with `---` as a separator when the rest of the line is only whitespace or a `#` comment.
//! Anything else after `---` (`--- {a: 1}`, `--- !tag`, `----`) makes kubectl reject the
//! stream; we report it as `invalid-separator` and still split there, so the following
//! documents are linted. The separator line itself belongs to no chunk.
//!
//! A stream whose first non-blank character is `{` is read by kubectl as a sequence of JSON
//! values instead (`YAMLOrJSONDecoder`), which is how NDJSON files work. When every top-level
//! value of such a stream is an object starting on its own line, we split between the
//! objects; otherwise we fall back to the line rules above (a single JSON object yields the
//! same single chunk either way).

use crate::model::problem::{InputRule, LoadProblem};
use crate::model::source::{Pos, Span};

/// One document's text, as kubectl would hand it to the YAML decoder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk<'a> {
    /// The document's text: whole lines, line terminators included.
    pub text: &'a str,
    /// 1-based line of `text`'s first line in the file.
    pub start_line: u32,
    /// The template path from a Helm `# Source: chart/templates/x.yaml` comment in the
    /// chunk's leading comment block.
    pub origin: Option<String>,
}

/// Where one document lies: a byte range of the text (whole lines) and its first line. The
/// splitters below produce these one at a time, so the same rules serve a text in memory and a
/// file read line by line ([`super::stream`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkBounds {
    pub start: usize,
    pub end: usize,
    pub start_line: u32,
    pub origin: Option<String>,
}

impl ChunkBounds {
    /// The chunk in `text`, whose byte 0 is byte `base` of the stream; `None` if the bounds lie
    /// outside `text` or not on character boundaries.
    pub fn in_text<'a>(&self, text: &'a str, base: usize) -> Option<Chunk<'a>> {
        let range = self.start.checked_sub(base)?..self.end.checked_sub(base)?;
        Some(Chunk {
            text: text.get(range)?,
            start_line: self.start_line,
            origin: self.origin.clone(),
        })
    }
}

/// Splits `text` (BOM already stripped) into kubectl documents. Every chunk is returned,
/// including empty and comment-only ones; the caller skips documents without a root.
pub fn split_stream(text: &str) -> (Vec<Chunk<'_>>, Vec<LoadProblem>) {
    if starts_like_json(text.as_bytes()) {
        let mut json = JsonSplitter::new();
        let mut bounds = Vec::new();
        json.feed(text.as_bytes(), &mut bounds);
        if let Some(last) = json.finish() {
            bounds.push(last);
            let chunks = bounds.iter().filter_map(|b| b.in_text(text, 0)).collect();
            return (chunks, Vec::new());
        }
    }
    split_yaml_stream(text)
}

/// [`split_stream`] in batches of at most `max` documents (`max` ≥ 1), for a text of many
/// small documents: the batches' documents and problems, in order, are exactly
/// [`split_stream`]'s, but only one batch of [`Chunk`]s need be held at a time.
pub fn split_batches(text: &str, max: usize) -> Batches<'_> {
    let max = max.max(1);
    // A document takes at least one line, so a text of fewer lines is one batch.
    let few = memchr::memchr_iter(b'\n', text.as_bytes())
        .nth(max)
        .is_none();
    let mode = if few {
        BatchMode::Whole
    } else if starts_like_json(text.as_bytes()) && is_json_stream(text) {
        BatchMode::Json(JsonSplitter::new())
    } else {
        BatchMode::Lines(LineSplitter::new())
    };
    Batches {
        text,
        pos: 0,
        max,
        mode: Some(mode),
    }
}

/// Whether `text` splits as a stream of JSON objects (scanned, the bounds dropped).
fn is_json_stream(text: &str) -> bool {
    let mut json = JsonSplitter::new();
    let mut scratch = Vec::new();
    for piece in text.as_bytes().chunks(1 << 16) {
        json.feed(piece, &mut scratch);
        scratch.clear();
    }
    json.finish().is_some()
}

/// The batches of [`split_batches`].
pub struct Batches<'a> {
    text: &'a str,
    /// Where the next batch's scan starts.
    pos: usize,
    max: usize,
    /// `None` once the last batch is out.
    mode: Option<BatchMode>,
}

enum BatchMode {
    /// Fewer lines than a batch holds: [`split_stream`] at once.
    Whole,
    Json(JsonSplitter),
    Lines(LineSplitter),
}

impl<'a> Iterator for Batches<'a> {
    type Item = (Vec<Chunk<'a>>, Vec<LoadProblem>);

    fn next(&mut self) -> Option<Self::Item> {
        let text = self.text;
        let bytes = text.as_bytes();
        let mut bounds = Vec::new();
        let mut problems = Vec::new();
        let finished;
        match self.mode.as_mut()? {
            BatchMode::Whole => {
                self.mode = None;
                return Some(split_stream(text));
            }
            BatchMode::Json(json) => {
                while bounds.len() < self.max && self.pos < bytes.len() {
                    let end = (self.pos + 4096).min(bytes.len());
                    json.feed(&bytes[self.pos..end], &mut bounds);
                    self.pos = end;
                }
                finished = self.pos >= bytes.len();
            }
            BatchMode::Lines(lines) => {
                while bounds.len() < self.max && self.pos < bytes.len() {
                    let pos = self.pos;
                    let line_end =
                        memchr::memchr(b'\n', &bytes[pos..]).map_or(text.len(), |i| pos + i);
                    let next = (line_end + 1).min(text.len());
                    bounds.extend(lines.line(&text[pos..line_end], pos, next, &mut problems));
                    self.pos = next;
                }
                finished = self.pos >= bytes.len();
            }
        }
        if finished {
            match self.mode.take() {
                Some(BatchMode::Json(json)) => bounds.extend(json.finish()),
                Some(BatchMode::Lines(lines)) => bounds.push(lines.finish(text.len())),
                _ => {}
            }
        }
        let chunks = bounds.iter().filter_map(|b| b.in_text(text, 0)).collect();
        Some((chunks, problems))
    }
}

/// Whether the first non-blank character is `{`: kubectl then reads a sequence of JSON values.
pub fn starts_like_json(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .is_some_and(|&b| b == b'{')
}

fn split_yaml_stream(text: &str) -> (Vec<Chunk<'_>>, Vec<LoadProblem>) {
    let mut splitter = LineSplitter::new();
    let mut bounds = Vec::new();
    let mut problems = Vec::new();
    let mut pos = 0usize;
    while pos < text.len() {
        let line_end =
            memchr::memchr(b'\n', &text.as_bytes()[pos..]).map_or(text.len(), |i| pos + i);
        let next = (line_end + 1).min(text.len());
        bounds.extend(splitter.line(&text[pos..line_end], pos, next, &mut problems));
        pos = next;
    }
    bounds.push(splitter.finish(text.len()));
    let chunks = bounds.iter().filter_map(|b| b.in_text(text, 0)).collect();
    (chunks, problems)
}

/// kubectl's line rules (`YAMLReader`), one line at a time.
#[derive(Debug, Clone)]
pub struct LineSplitter {
    chunk_start: usize,
    chunk_line: u32,
    /// While scanning the chunk's leading blank/comment lines, look for `# Source:`.
    in_header: bool,
    origin: Option<String>,
    /// 1-based number of the next line.
    line_no: u32,
}

impl Default for LineSplitter {
    fn default() -> Self {
        Self::new()
    }
}

impl LineSplitter {
    pub fn new() -> Self {
        LineSplitter {
            chunk_start: 0,
            chunk_line: 1,
            in_header: true,
            origin: None,
            line_no: 1,
        }
    }

    /// Where the chunk being collected starts: byte offset and line.
    pub fn pending(&self) -> (usize, u32) {
        (self.chunk_start, self.chunk_line)
    }

    /// Takes the next line: its text without the `\n` (a `\r` stays), the offset of its start
    /// and of the next line's start. A separator line ends the chunk before it, which is
    /// returned; a malformed separator is also a problem.
    pub fn line(
        &mut self,
        line: &str,
        start: usize,
        next: usize,
        problems: &mut Vec<LoadProblem>,
    ) -> Option<ChunkBounds> {
        let line_no = self.line_no;
        self.line_no += 1;
        if let Some(rest) = line.strip_prefix("---") {
            let rest = rest.trim();
            if !rest.is_empty() && !rest.starts_with('#') {
                let shown = line.trim_end();
                let end_col = shown.chars().count() as u32 + 1;
                problems.push(
                    LoadProblem::new(
                        InputRule::InvalidSeparator,
                        format!(
                            "invalid document separator `{}`: only whitespace or a comment may \
                             follow `---`, so kubectl rejects this stream",
                            truncate(shown, 60)
                        ),
                        Some(Span::new(Pos::new(line_no, 1), Pos::new(line_no, end_col))),
                    )
                    .with_hint("put the document's content on the line after `---`"),
                );
            }
            let done = ChunkBounds {
                start: self.chunk_start,
                end: start,
                start_line: self.chunk_line,
                origin: self.origin.take(),
            };
            self.chunk_start = next;
            self.chunk_line = line_no + 1;
            self.in_header = true;
            return Some(done);
        }
        if self.in_header {
            let t = line.trim();
            if let Some(comment) = t.strip_prefix('#') {
                if self.origin.is_none() {
                    if let Some(path) = comment.trim_start().strip_prefix("Source:") {
                        let path = path.trim();
                        if !path.is_empty() {
                            self.origin = Some(path.to_owned());
                        }
                    }
                }
            } else if !t.is_empty() {
                self.in_header = false;
            }
        }
        None
    }

    /// The last chunk, up to `end` (the stream's length).
    pub fn finish(self, end: usize) -> ChunkBounds {
        ChunkBounds {
            start: self.chunk_start,
            end,
            start_line: self.chunk_line,
            origin: self.origin,
        }
    }
}

/// Splits a stream of JSON objects, each starting on its own line, byte by byte. Whether the
/// split applies is known only at the end: [`JsonSplitter::finish`] returns `None` when the
/// stream is anything else (then the YAML line rules apply to the whole stream).
#[derive(Debug, Clone)]
pub struct JsonSplitter {
    /// Offset of the next byte.
    pos: usize,
    depth: usize,
    /// 1-based line of the next byte, and where that line starts.
    line: u32,
    line_start: usize,
    chunk_start: usize,
    chunk_line: u32,
    /// Line on which the previous top-level value ended, when between values.
    ended_on: Option<u32>,
    string: StringState,
    failed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StringState {
    Outside,
    /// Inside `"…"`; `escaped` after a backslash.
    Double {
        escaped: bool,
    },
    /// Inside `'…'`; `quote_seen` right after a `'`, which closes the string unless another
    /// `'` follows (YAML's `''`).
    Single {
        quote_seen: bool,
    },
}

impl Default for JsonSplitter {
    fn default() -> Self {
        Self::new()
    }
}

impl JsonSplitter {
    pub fn new() -> Self {
        JsonSplitter {
            pos: 0,
            depth: 0,
            line: 1,
            line_start: 0,
            chunk_start: 0,
            chunk_line: 1,
            ended_on: None,
            string: StringState::Outside,
            failed: false,
        }
    }

    /// Where the chunk being collected starts: byte offset and line.
    pub fn pending(&self) -> (usize, u32) {
        (self.chunk_start, self.chunk_line)
    }

    /// Takes the next bytes of the stream; appends the chunks they complete to `out`. Once the
    /// stream is known not to be a JSON object stream, further bytes are ignored.
    pub fn feed(&mut self, bytes: &[u8], out: &mut Vec<ChunkBounds>) {
        for &b in bytes {
            if self.failed {
                return;
            }
            self.byte(b, out);
            self.pos += 1;
        }
    }

    fn newline(&mut self) {
        self.line += 1;
        self.line_start = self.pos + 1;
    }

    fn byte(&mut self, b: u8, out: &mut Vec<ChunkBounds>) {
        match self.string {
            StringState::Double { escaped } => {
                if escaped {
                    self.string = StringState::Double { escaped: false };
                } else if b == b'\\' {
                    self.string = StringState::Double { escaped: true };
                } else if b == b'"' {
                    self.string = StringState::Outside;
                }
                if b == b'\n' {
                    self.newline();
                }
                return;
            }
            StringState::Single { quote_seen: false } => {
                if b == b'\'' {
                    self.string = StringState::Single { quote_seen: true };
                } else if b == b'\n' {
                    self.newline();
                }
                return;
            }
            StringState::Single { quote_seen: true } => {
                if b == b'\'' {
                    // `''`: an escaped quote; still inside.
                    self.string = StringState::Single { quote_seen: false };
                    return;
                }
                // The previous quote closed the string; this byte is outside it.
                self.string = StringState::Outside;
            }
            StringState::Outside => {}
        }
        match b {
            b'\n' => self.newline(),
            b' ' | b'\t' | b'\r' => {}
            b'"' | b'\'' => {
                if self.depth == 0 {
                    self.failed = true;
                } else if b == b'"' {
                    self.string = StringState::Double { escaped: false };
                } else {
                    self.string = StringState::Single { quote_seen: false };
                }
            }
            b'{' | b'[' => {
                if self.depth == 0 {
                    if b != b'{' {
                        self.failed = true;
                        return;
                    }
                    if let Some(prev_line) = self.ended_on.take() {
                        // A new object must start on a later line than the previous one
                        // ended on (only whitespace can come between them at depth 0).
                        if prev_line == self.line {
                            self.failed = true;
                            return;
                        }
                        out.push(ChunkBounds {
                            start: self.chunk_start,
                            end: self.line_start,
                            start_line: self.chunk_line,
                            origin: None,
                        });
                        self.chunk_start = self.line_start;
                        self.chunk_line = self.line;
                    }
                }
                self.depth += 1;
            }
            b'}' | b']' => match self.depth.checked_sub(1) {
                Some(d) => {
                    self.depth = d;
                    if d == 0 {
                        self.ended_on = Some(self.line);
                    }
                }
                None => self.failed = true,
            },
            _ => {
                if self.depth == 0 {
                    self.failed = true;
                }
            }
        }
    }

    /// The last chunk, when the whole stream was a sequence of JSON objects each starting on
    /// its own line; `None` otherwise.
    pub fn finish(self) -> Option<ChunkBounds> {
        let open_string = matches!(
            self.string,
            StringState::Double { .. } | StringState::Single { quote_seen: false }
        );
        if self.failed || open_string || self.depth != 0 || self.ended_on.is_none() {
            return None;
        }
        Some(ChunkBounds {
            start: self.chunk_start,
            end: self.pos,
            start_line: self.chunk_line,
            origin: None,
        })
    }
}

fn truncate(s: &str, max_chars: usize) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => format!("{}…", &s[..i]).into(),
        None => s.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_are_the_whole_split_in_pieces() {
        let texts = [
            String::new(),
            "a: 1\n".to_owned(),
            "a: 1\n---\nb: 2\n--- x\n# Source: c/t.yaml\nc: 3\n---\n".repeat(40),
            "---\n".repeat(100),
            "---\n---\n\n---".repeat(30),
            "{\"a\": 1}\n{\"b\": \"}{\\\n\"}\n\n  {\"c\": [1]}\n".repeat(50),
            "{\"a\": 1}{\"b\": 2}\n---\nc: 3\n".repeat(20),
            "a: |\n  ---\n  x\n---\r\nb: 2\r\n".repeat(25),
        ];
        let key = |c: &Chunk<'_>| {
            (
                c.text.as_ptr() as usize,
                c.text.len(),
                c.start_line,
                c.origin.clone(),
            )
        };
        for text in &texts {
            let (want, want_problems) = split_stream(text);
            for max in [1, 2, 7, 64, 100_000] {
                let mut got = Vec::new();
                let mut problems = Vec::new();
                for (chunks, p) in split_batches(text, max) {
                    // A JSON batch may overshoot by what one 4 KiB piece completes.
                    assert!(chunks.len() <= max + 4096, "{} > {max}", chunks.len());
                    got.extend(chunks.iter().map(key));
                    problems.extend(p);
                }
                assert_eq!(
                    got,
                    want.iter().map(key).collect::<Vec<_>>(),
                    "{text:?} max {max}"
                );
                assert_eq!(problems, want_problems, "{text:?} max {max}");
            }
        }
    }

    fn texts<'a>(chunks: &[Chunk<'a>]) -> Vec<(&'a str, u32)> {
        chunks.iter().map(|c| (c.text, c.start_line)).collect()
    }

    #[test]
    fn splits_on_separator_lines() {
        let (chunks, problems) = split_stream("a: 1\n---\nb: 2\n--- # comment\nc: 3\n");
        assert!(problems.is_empty());
        assert_eq!(
            texts(&chunks),
            vec![("a: 1\n", 1), ("b: 2\n", 3), ("c: 3\n", 5)]
        );
    }

    #[test]
    fn leading_and_trailing_separators_give_empty_chunks() {
        let (chunks, _) = split_stream("---\na: 1\n---\n");
        assert_eq!(texts(&chunks), vec![("", 1), ("a: 1\n", 2), ("", 4)]);
    }

    #[test]
    fn only_lines_starting_with_dashes_separate() {
        let text = "a: |\n  ---\n  x\nb: ' ---'\n";
        let (chunks, problems) = split_stream(text);
        assert!(problems.is_empty());
        assert_eq!(texts(&chunks), vec![(text, 1)]);
    }

    #[test]
    fn separator_followed_by_whitespace_is_fine() {
        let (chunks, problems) = split_stream("a: 1\n---   \t\nb: 2");
        assert!(problems.is_empty());
        assert_eq!(texts(&chunks), vec![("a: 1\n", 1), ("b: 2", 3)]);
    }

    #[test]
    fn invalid_separator_is_reported_and_still_splits() {
        let text = "a: 1\n--- {b: 2}\nc: 3\n----\nd: 4\n--- !tag\ne: 5\n";
        let (chunks, problems) = split_stream(text);
        assert_eq!(
            texts(&chunks),
            vec![("a: 1\n", 1), ("c: 3\n", 3), ("d: 4\n", 5), ("e: 5\n", 7)]
        );
        assert_eq!(problems.len(), 3);
        assert!(problems
            .iter()
            .all(|p| p.rule == InputRule::InvalidSeparator));
        assert_eq!(
            problems[0].span,
            Some(Span::new(Pos::new(2, 1), Pos::new(2, 11)))
        );
        assert!(problems[0].message.contains("`--- {b: 2}`"));
        assert_eq!(problems[1].span.map(|s| s.start.line), Some(4));
    }

    #[test]
    fn crlf_lines() {
        let text = "a: 1\r\n---\r\nb: 2\r\n--- x\r\nc: 3\r\n";
        let (chunks, problems) = split_stream(text);
        assert_eq!(
            texts(&chunks),
            vec![("a: 1\r\n", 1), ("b: 2\r\n", 3), ("c: 3\r\n", 5)]
        );
        assert_eq!(problems.len(), 1);
        // The CR is not part of the reported span.
        assert_eq!(
            problems[0].span,
            Some(Span::new(Pos::new(4, 1), Pos::new(4, 6)))
        );
    }

    #[test]
    fn helm_source_comment_is_the_origin() {
        let text = "---\n# Source: chart/templates/a.yaml\napiVersion: v1\n# Source: not/this.yaml\n---\n\n#   Source:   chart/templates/b.yaml  \r\n# other\nkind: Pod\n---\nkind: Pod\n# Source: too/late.yaml\n";
        let (chunks, _) = split_stream(text);
        let origins: Vec<Option<&str>> = chunks.iter().map(|c| c.origin.as_deref()).collect();
        assert_eq!(
            origins,
            vec![
                None,
                Some("chart/templates/a.yaml"),
                Some("chart/templates/b.yaml"),
                None
            ]
        );
    }

    #[test]
    fn no_trailing_newline_and_empty_input() {
        let (chunks, _) = split_stream("");
        assert_eq!(texts(&chunks), vec![("", 1)]);
        let (chunks, _) = split_stream("a: 1");
        assert_eq!(texts(&chunks), vec![("a: 1", 1)]);
        let (chunks, _) = split_stream("a: 1\n---");
        assert_eq!(texts(&chunks), vec![("a: 1\n", 1), ("", 3)]);
    }

    #[test]
    fn ndjson_streams_split_per_object() {
        let text = "{\"a\": 1}\n{\"b\": \"}{\",\n \"c\": [1]}\n\n  {\"d\": 'x''}'}\n";
        let (chunks, problems) = split_stream(text);
        assert!(problems.is_empty());
        assert_eq!(
            texts(&chunks),
            vec![
                ("{\"a\": 1}\n", 1),
                ("{\"b\": \"}{\",\n \"c\": [1]}\n\n", 2),
                ("  {\"d\": 'x''}'}\n", 5)
            ]
        );
    }

    #[test]
    fn json_that_is_not_an_object_stream_uses_line_rules() {
        // Two objects on one line, trailing garbage, or YAML after JSON.
        for text in [
            "{\"a\": 1}{\"b\": 2}\n",
            "{\"a\": 1}\nfoo: bar\n",
            "{\"a\": 1\n",
            "{\"a\": 1}\n---\n{\"b\": 2}\n",
        ] {
            let (chunks, _) = split_stream(text);
            let (yaml, _) = split_yaml_stream(text);
            assert_eq!(chunks, yaml, "{text:?}");
        }
        // A single pretty-printed object is one chunk.
        let text = "{\n  \"kind\": \"List\",\n  \"items\": []\n}\n";
        let (chunks, _) = split_stream(text);
        assert_eq!(texts(&chunks), vec![(text, 1)]);
    }

    #[test]
    fn multibyte_text_keeps_char_columns_in_problems() {
        let (_, problems) = split_stream("---é€\n");
        assert_eq!(
            problems[0].span,
            Some(Span::new(Pos::new(1, 1), Pos::new(1, 6)))
        );
    }
}
