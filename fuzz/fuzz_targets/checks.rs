//! The checks behind the fuzz targets, shared with `tests/fuzz_regressions.rs`, which runs
//! every input the fuzzers ever crashed on through all of them. Each check panics when an
//! invariant breaks.
#![allow(dead_code)]

use std::io::Cursor;

use psslint::lint::options::LintOptions;
use psslint::lint::settle::finish;
use psslint::lint::{lint_bytes, lint_stream};
use psslint::manifest::decode::decode;
use psslint::manifest::object::objects;
use psslint::manifest::split::split_stream;
use psslint::manifest::yaml::{parse_document, ParseOptions};
use psslint::manifest::{Node, Value};
use psslint::model::diagnostic::Diagnostic;
use psslint::model::level::{Level, Version};
use psslint::model::source::{LineIndex, Pos, Span};
use psslint::policy::Policy;
use psslint::report::{self, Format, RenderOptions};

/// Bytes → documents with spans. The loader must not panic, and every span it produces must
/// lie inside the file, start before it ends, and (for text that is not an alias copy) lie
/// within the lines of its own document.
pub fn loader(data: &[u8]) {
    let Ok(text) = decode(data) else {
        return;
    };
    let file = File::new(text);
    let (chunks, problems) = split_stream(text);
    for p in &problems {
        if let Some(span) = p.span {
            file.assert_span(span, p);
        }
    }
    // Chunks are disjoint, in order, and start where their line number says.
    let mut prev_end = 0usize;
    for c in &chunks {
        let start = c.text.as_ptr() as usize - text.as_ptr() as usize;
        assert!(start >= prev_end, "chunks overlap");
        prev_end = start + c.text.len();
        // (An empty chunk after a final `---` without a line break claims the line after it;
        // nothing can be reported in it.)
        let line = 1 + text[..start].bytes().filter(|&b| b == b'\n').count() as u32;
        assert!(
            c.text.is_empty() || c.start_line == line,
            "chunk start line"
        );
    }
    for c in &chunks {
        let last_line = c.start_line + c.text.bytes().filter(|&b| b == b'\n').count() as u32;
        let doc = parse_document(c.text, c.start_line, &ParseOptions::default());
        for p in &doc.problems {
            if let Some(span) = p.span {
                file.assert_span(span, p);
                assert!(
                    span.start.line >= c.start_line && span.end.line <= last_line + 1,
                    "problem outside its document (lines {}..={last_line}): {p:?}",
                    c.start_line
                );
            }
        }
        let Some(root) = doc.root else { continue };
        let _ = objects(&root);
        // Walk the tree without recursion (it may be 512 levels deep).
        let mut stack: Vec<&Node> = vec![&root];
        while let Some(n) = stack.pop() {
            file.assert_span(n.span, &n.span);
            if !n.via_alias {
                assert!(
                    n.span.start.line >= c.start_line && n.span.end.line <= last_line + 1,
                    "node outside its document (lines {}..={last_line}): {:?}",
                    c.start_line,
                    n.span
                );
            }
            match &n.value {
                Value::Seq(items) => stack.extend(items),
                Value::Map(m) => {
                    for e in &m.entries {
                        file.assert_span(e.key_span, &e.key);
                        stack.push(&e.value);
                    }
                }
                _ => {}
            }
        }
    }
}

const FORMATS: [Format; 7] = [
    Format::Human,
    Format::Concise,
    Format::Json,
    Format::Sarif,
    Format::Junit,
    Format::Github,
    Format::Markdown,
];

/// Bytes → diagnostics in every format. Nothing may panic; the JSON and SARIF reports must be
/// JSON; diagnostics come sorted and lie inside the file. The first byte picks the level.
pub fn pipeline(data: &[u8]) {
    // The first byte picks the level, so both levels' checks are reached.
    let (level, data) = match data.split_first() {
        Some((b, rest)) if b % 2 == 0 => (Level::Baseline, rest),
        Some((_, rest)) => (Level::Restricted, rest),
        None => (Level::Restricted, data),
    };
    let opts = LintOptions::new(Policy::forced(level, Version::Latest));
    let r = finish(lint_bytes("fuzz.yaml", data, &opts));
    for w in r.diagnostics.windows(2) {
        assert!(
            w[0].sort_key() <= w[1].sort_key(),
            "diagnostics out of order"
        );
    }
    if let Ok(text) = decode(data) {
        let file = File::new(text);
        for d in &r.diagnostics {
            file.assert_diagnostic(d);
        }
    }
    for format in FORMATS {
        // Colour changes only the human format; rendering the others twice (SARIF carries
        // the whole rule catalogue) halved the fuzzer's speed for nothing.
        let colors: &[bool] = if format == Format::Human {
            &[false, true]
        } else {
            &[false]
        };
        for &color in colors {
            let mut out = Vec::new();
            let opts = RenderOptions {
                color,
                ..RenderOptions::default()
            };
            report::render(format, &r, &opts, &mut out).expect("rendering to memory");
            if matches!(format, Format::Json | Format::Sarif) {
                serde_json::from_slice::<serde_json::Value>(&out).expect("valid JSON");
            }
        }
    }
}

/// Two ways to the same report: a file linted window by window (as files over 16 MiB are)
/// against the same bytes read at once, and the exact fast path against full parsing. The
/// first byte sets the window size.
pub fn equivalence(data: &[u8]) {
    // The first byte sets the window size: from one byte (every document its own window)
    // to a few KiB.
    let (batch, data) = match data.split_first() {
        Some((b, rest)) => (1 + usize::from(*b) * 16, rest),
        None => (1, data),
    };
    let mut opts = LintOptions::new(Policy::forced(Level::Restricted, Version::Latest));
    let whole = finish(lint_bytes("f.yaml", data, &opts));

    opts.stream_batch_bytes = batch;
    let streamed = finish(lint_stream("f.yaml", Cursor::new(data.to_vec()), &opts));
    assert_eq!(streamed.summary, whole.summary, "streamed summary");
    assert_eq!(streamed.objects, whole.objects, "streamed objects");
    assert_eq!(
        streamed.diagnostics, whole.diagnostics,
        "streamed diagnostics"
    );

    opts.fast_path = false;
    let slow = finish(lint_bytes("f.yaml", data, &opts));
    assert_eq!(slow.summary, whole.summary, "fast path summary");
    assert_eq!(slow.objects, whole.objects, "fast path objects");
    assert_eq!(slow.diagnostics, whole.diagnostics, "fast path diagnostics");
}

/// The lines of a decoded file, for checking that positions lie inside it.
pub struct File<'a> {
    text: &'a str,
    index: LineIndex,
}

impl<'a> File<'a> {
    pub fn new(text: &'a str) -> Self {
        File {
            text,
            index: LineIndex::new(text),
        }
    }

    /// Characters on 1-based `line` (without its line break), or `None` past the end.
    /// A `\r` counts: lines end at `\n` only, and a position may point just past a lone `\r`
    /// at the end of the file.
    pub fn line_chars(&self, line: u32) -> Option<u32> {
        let start = self.index.line_start(line)?;
        let rest = &self.text[start..];
        let end = rest.find('\n').unwrap_or(rest.len());
        Some(rest[..end].chars().count() as u32)
    }

    /// Panics unless `pos` is on a line of the file, at most one column past its end.
    pub fn assert_inside(&self, pos: Pos, what: &dyn std::fmt::Debug) {
        let chars = self
            .line_chars(pos.line)
            .unwrap_or_else(|| panic!("line {} is past the end: {what:?}", pos.line));
        assert!(
            pos.col >= 1 && pos.col <= chars + 1,
            "column {} outside line {} ({chars} chars): {what:?}",
            pos.col,
            pos.line
        );
    }

    pub fn assert_span(&self, span: Span, what: &dyn std::fmt::Debug) {
        assert!(
            span.start <= span.end,
            "span ends before it starts: {what:?}"
        );
        self.assert_inside(span.start, what);
        self.assert_inside(span.end, what);
    }

    /// A diagnostic's start and (visible) end lie in the file and in order.
    pub fn assert_diagnostic(&self, d: &Diagnostic) {
        self.assert_inside(Pos::new(d.line, d.column), d);
        assert!(
            (d.end_line, d.end_column) >= (d.line, d.column),
            "diagnostic ends before it starts: {d:?}"
        );
        // The visible end of an empty span is one column further; it may sit just past a
        // line's last character, or at column 2 of an empty last line.
        let chars = self
            .line_chars(d.end_line)
            .unwrap_or_else(|| panic!("end line {} is past the end: {d:?}", d.end_line));
        assert!(d.end_column <= chars + 2, "end column past the line: {d:?}");
        for r in &d.related {
            self.assert_inside(Pos::new(r.line, r.column), d);
        }
    }
}
