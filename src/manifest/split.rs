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

use super::{InputRule, LoadProblem};
use crate::source::{Pos, Span};

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

/// Splits `text` (BOM already stripped) into kubectl documents. Every chunk is returned,
/// including empty and comment-only ones; the caller skips documents without a root.
pub fn split_stream(text: &str) -> (Vec<Chunk<'_>>, Vec<LoadProblem>) {
    if text
        .trim_start_matches([' ', '\t', '\r', '\n'])
        .starts_with('{')
    {
        if let Some(chunks) = split_json_stream(text) {
            return (chunks, Vec::new());
        }
    }
    split_yaml_stream(text)
}

fn split_yaml_stream(text: &str) -> (Vec<Chunk<'_>>, Vec<LoadProblem>) {
    let bytes = text.as_bytes();
    let mut chunks = Vec::new();
    let mut problems = Vec::new();

    let mut chunk_start = 0usize;
    let mut chunk_line = 1u32;
    // While scanning the chunk's leading blank/comment lines, look for `# Source:`.
    let mut in_header = true;
    let mut origin: Option<String> = None;

    let mut pos = 0usize;
    let mut line_no = 1u32;
    while pos < bytes.len() {
        let line_end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
        let next = (line_end + 1).min(bytes.len());
        let line = &text[pos..line_end];

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
            chunks.push(Chunk {
                text: &text[chunk_start..pos],
                start_line: chunk_line,
                origin: origin.take(),
            });
            chunk_start = next;
            chunk_line = line_no + 1;
            in_header = true;
        } else if in_header {
            let t = line.trim();
            if let Some(comment) = t.strip_prefix('#') {
                if origin.is_none() {
                    if let Some(path) = comment.trim_start().strip_prefix("Source:") {
                        let path = path.trim();
                        if !path.is_empty() {
                            origin = Some(path.to_owned());
                        }
                    }
                }
            } else if !t.is_empty() {
                in_header = false;
            }
        }
        pos = next;
        line_no += 1;
    }
    chunks.push(Chunk {
        text: &text[chunk_start..],
        start_line: chunk_line,
        origin,
    });
    (chunks, problems)
}

/// Splits a stream of JSON objects, each starting on its own line. `None` when the stream is
/// anything else (then the YAML line rules apply).
fn split_json_stream(text: &str) -> Option<Vec<Chunk<'_>>> {
    let bytes = text.as_bytes();
    let mut chunks = Vec::new();
    let mut depth = 0usize;
    let mut i = 0usize;
    let mut line = 1u32;
    // Start of the current chunk (a line start) and its line number.
    let mut chunk_start = 0usize;
    let mut chunk_line = 1u32;
    // Line on which the previous top-level value ended, when between values.
    let mut ended_on: Option<u32> = None;
    let mut line_start = 0usize;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\n' => {
                line += 1;
                line_start = i + 1;
            }
            b' ' | b'\t' | b'\r' => {}
            b'"' | b'\'' => {
                if depth == 0 {
                    return None;
                }
                // Skip the string (JSON escapes; YAML's '' inside single quotes).
                i += 1;
                loop {
                    match bytes.get(i) {
                        None => return None,
                        Some(b'\\') if b == b'"' => i += 1,
                        Some(&c) if c == b => {
                            if b == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                                i += 1;
                            } else {
                                break;
                            }
                        }
                        Some(b'\n') => {
                            line += 1;
                            line_start = i + 1;
                        }
                        Some(_) => {}
                    }
                    i += 1;
                }
            }
            b'{' | b'[' => {
                if depth == 0 {
                    if b != b'{' {
                        return None;
                    }
                    if let Some(prev_line) = ended_on.take() {
                        // A new object must start on a later line, after only whitespace.
                        if prev_line == line || !text[line_start..i].trim().is_empty() {
                            return None;
                        }
                        chunks.push(Chunk {
                            text: &text[chunk_start..line_start],
                            start_line: chunk_line,
                            origin: None,
                        });
                        chunk_start = line_start;
                        chunk_line = line;
                    }
                }
                depth += 1;
            }
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    ended_on = Some(line);
                }
            }
            _ => {
                if depth == 0 {
                    return None;
                }
            }
        }
        i += 1;
    }
    if depth != 0 || ended_on.is_none() {
        return None;
    }
    chunks.push(Chunk {
        text: &text[chunk_start..],
        start_line: chunk_line,
        origin: None,
    });
    Some(chunks)
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
