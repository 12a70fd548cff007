//! A large file, document by document, so that memory follows the largest document and not
//! the file (design.md: "memory is bounded by one document's tree per worker").
//!
//! Two passes over the file, both with constant memory apart from one document:
//!
//! 1. [`survey`] reads it in fixed-size blocks and runs the checks that need the whole file
//!    before anything can be said: the encoding checks of [`decode`](super::decode) (invalid
//!    UTF-8 at the end rejects the whole file, as when it is read at once) and whether it is a
//!    stream of JSON objects (which decides how it is split, see [`split`](super::split)).
//! 2. [`Windows`] reads it again line by line, runs the same splitter as the in-memory path,
//!    and hands out [`Window`]s: a run of whole lines holding some complete documents, plus a
//!    few lines of context either side for snippets. Once a window is linted it is dropped.
//!
//! Both passes use the state machines that split and check a file in memory, so a streamed file
//! gets exactly the diagnostics it would get if it were read whole (tests/streaming.rs).

use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};

use super::decode::{bom_len, TextCheck};
use super::split::{starts_like_json, Chunk, ChunkBounds, JsonSplitter, LineSplitter};
use crate::model::problem::LoadProblem;

/// Lines of context the linter shows around a finding; a window holds this many lines before
/// its first document and after its last one (one more after: a parser error may sit at the
/// start of the line after a document).
pub const CONTEXT_LINES: u32 = 2;

/// A window is also handed out once it holds this many documents, however few bytes they have:
/// memory must not grow with the number of documents (20 million empty ones are 80 MB of
/// `---` lines and no document bytes at all).
pub const WINDOW_DOCUMENTS: usize = 4096;

/// What [`survey`] found out about a file that decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Survey {
    /// Bytes of the UTF-8 byte order mark to skip.
    pub bom_len: usize,
    /// Whether the file is a stream of JSON objects, split between objects.
    pub json: bool,
}

/// Pass 1. `Ok(Err(problem))` when the file is not UTF-8 text.
pub fn survey<R: Read + Seek>(file: &mut R) -> io::Result<Result<Survey, LoadProblem>> {
    file.seek(SeekFrom::Start(0))?;
    let mut head = Vec::with_capacity(super::decode::HEAD_LEN);
    file.by_ref()
        .take(super::decode::HEAD_LEN as u64)
        .read_to_end(&mut head)?;
    let bom_len = match bom_len(&head) {
        Ok(n) => n,
        Err(problem) => return Ok(Err(problem)),
    };
    let mut scan = Scan {
        check: TextCheck::new(),
        json: Some(JsonSplitter::new()),
        decided: false,
        completed: Vec::new(),
    };
    scan.piece(&head[bom_len..]);
    let mut block = vec![0u8; 1 << 20];
    while !scan.check.failed() {
        let n = match file.read(&mut block) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        scan.piece(&block[..n]);
    }
    if let Err(problem) = scan.check.finish() {
        return Ok(Err(problem));
    }
    let json = scan.decided && scan.json.and_then(JsonSplitter::finish).is_some();
    Ok(Ok(Survey { bom_len, json }))
}

/// The state of pass 1.
struct Scan {
    check: TextCheck,
    /// Splits as JSON from byte 0 until the first non-blank byte turns out not to be `{`.
    json: Option<JsonSplitter>,
    /// Whether a non-blank byte was seen.
    decided: bool,
    completed: Vec<ChunkBounds>,
}

impl Scan {
    fn piece(&mut self, piece: &[u8]) {
        self.check.feed(piece);
        if !self.decided && piece.iter().any(|b| !b" \t\r\n".contains(b)) {
            self.decided = true;
            if !starts_like_json(piece) {
                self.json = None;
            }
        }
        if let Some(json) = &mut self.json {
            json.feed(piece, &mut self.completed);
            self.completed.clear();
        }
    }
}

/// A run of whole lines of the file and the documents that lie in it.
#[derive(Debug, Clone)]
pub struct Window {
    /// The lines, from line [`Window::first_line`] on.
    pub text: String,
    pub first_line: u32,
    /// Offset of `text` in the file's text (after the byte order mark).
    base: usize,
    chunks: Vec<ChunkBounds>,
    /// Separator problems on the lines of this window's documents.
    pub problems: Vec<LoadProblem>,
}

impl Window {
    /// The documents of this window, as the in-memory splitter would have cut them.
    pub fn chunks(&self) -> Vec<Chunk<'_>> {
        self.chunks
            .iter()
            .filter_map(|b| b.in_text(&self.text, self.base))
            .collect()
    }
}

enum Splitter {
    Lines(LineSplitter),
    Json(JsonSplitter),
}

impl Splitter {
    fn pending(&self) -> (usize, u32) {
        match self {
            Splitter::Lines(s) => s.pending(),
            Splitter::Json(s) => s.pending(),
        }
    }
}

/// Pass 2: the windows of a file, in order.
pub struct Windows<R> {
    reader: BufReader<R>,
    splitter: Option<Splitter>,
    /// Lines read and not yet handed out in full, from line `buf_line`, at offset `buf_base`.
    buf: Vec<u8>,
    buf_base: usize,
    buf_line: u32,
    /// Number of the next line to read.
    next_line: u32,
    /// Documents completed in `buf`, their size, and the separator problems seen.
    done: Vec<ChunkBounds>,
    done_bytes: usize,
    problems: Vec<LoadProblem>,
    /// For each of `done` and `problems`: the line up to which the window must reach for its
    /// snippets (nondecreasing).
    done_need: Vec<u32>,
    problems_need: Vec<u32>,
    /// Lines the window must reach for the snippets of what is done.
    need_line: u32,
    /// Hand out a window once its documents hold this many bytes.
    batch_bytes: usize,
    finished: bool,
}

/// Reads `file` (surveyed, so known to decode) window by window; each window's documents hold
/// at least `batch_bytes` bytes, except the last window's.
pub fn windows<R: Read + Seek>(
    mut file: R,
    survey: Survey,
    batch_bytes: usize,
) -> io::Result<Windows<R>> {
    file.seek(SeekFrom::Start(survey.bom_len as u64))?;
    Ok(Windows {
        reader: BufReader::with_capacity(1 << 20, file),
        splitter: Some(if survey.json {
            Splitter::Json(JsonSplitter::new())
        } else {
            Splitter::Lines(LineSplitter::new())
        }),
        buf: Vec::new(),
        buf_base: 0,
        buf_line: 1,
        next_line: 1,
        done: Vec::new(),
        done_bytes: 0,
        problems: Vec::new(),
        done_need: Vec::new(),
        problems_need: Vec::new(),
        need_line: 0,
        batch_bytes: batch_bytes.max(1),
        finished: false,
    })
}

fn changed() -> io::Error {
    io::Error::other("the file changed while it was read")
}

impl<R: Read> Windows<R> {
    /// Reads one line into the buffer and splits it. `false` at the end of the file.
    fn read_line(&mut self) -> io::Result<bool> {
        let start = self.buf.len();
        let n = self.reader.read_until(b'\n', &mut self.buf)?;
        if n == 0 {
            return Ok(false);
        }
        let line_no = self.next_line;
        self.next_line += 1;
        let abs = self.buf_base + start;
        let bytes = &self.buf[start..];
        let before = self.done.len();
        let problems_before = self.problems.len();
        match &mut self.splitter {
            Some(Splitter::Lines(s)) => {
                let line = std::str::from_utf8(bytes).map_err(|_| changed())?;
                let line = line.strip_suffix('\n').unwrap_or(line);
                self.done
                    .extend(s.line(line, abs, abs + n, &mut self.problems));
            }
            Some(Splitter::Json(s)) => s.feed(bytes, &mut self.done),
            None => return Err(changed()),
        }
        for chunk in &self.done[before..] {
            self.done_bytes += chunk.end - chunk.start;
            // The chunk ends where this line starts.
            self.need_line = self.need_line.max(line_no + CONTEXT_LINES + 1);
            self.done_need.push(self.need_line);
        }
        for p in &self.problems[problems_before..] {
            let line = p.span.map_or(line_no, |s| s.end.line);
            self.need_line = self.need_line.max(line + CONTEXT_LINES + 1);
            self.problems_need.push(self.need_line);
        }
        Ok(true)
    }

    /// Hands out everything read so far, keeping the lines that the next window needs: the
    /// pending document and the context lines before it. With `all` false, the documents and
    /// problems whose context lines after them are not all read yet stay for the next window
    /// (with their lines); `None` if that leaves nothing to hand out.
    fn cut(&mut self, all: bool) -> io::Result<Option<Window>> {
        let (mut pending_start, mut pending_line) = match &self.splitter {
            Some(s) => s.pending(),
            None => (self.buf_base + self.buf.len(), self.next_line),
        };
        let (ready, ready_problems) = if all {
            (self.done.len(), self.problems.len())
        } else {
            let read = self.next_line - 1;
            let ready = self.done_need.partition_point(|&n| n <= read);
            let problems = self.problems_need.partition_point(|&n| n <= read);
            // A problem stays only with the document its separator ends.
            if ready == 0 || (problems < self.problems.len() && ready == self.done.len()) {
                return Ok(None);
            }
            (ready, problems)
        };
        if let Some(first_kept) = self.done.get(ready) {
            pending_start = pending_start.min(first_kept.start);
            pending_line = pending_line.min(first_kept.start_line);
        }
        let mut cut = pending_start
            .checked_sub(self.buf_base)
            .filter(|&c| c <= self.buf.len())
            .ok_or_else(changed)?;
        let mut cut_line = pending_line;
        for _ in 0..CONTEXT_LINES {
            if cut == 0 {
                break;
            }
            cut = self.buf[..cut - 1]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            cut_line -= 1;
        }
        let tail = self.buf[cut..].to_vec();
        let text =
            String::from_utf8(std::mem::replace(&mut self.buf, tail)).map_err(|_| changed())?;
        let window = Window {
            text,
            first_line: self.buf_line,
            base: self.buf_base,
            chunks: self.done.drain(..ready).collect(),
            problems: self.problems.drain(..ready_problems).collect(),
        };
        self.done_need.drain(..ready);
        self.problems_need.drain(..ready_problems);
        self.buf_base += cut;
        self.buf_line = cut_line;
        self.done_bytes = self.done.iter().map(|c| c.end - c.start).sum();
        Ok(Some(window))
    }

    fn next_window(&mut self) -> io::Result<Option<Window>> {
        if self.finished {
            return Ok(None);
        }
        loop {
            if !self.read_line()? {
                break;
            }
            if self.done_bytes >= self.batch_bytes && self.next_line > self.need_line {
                return self.cut(true);
            }
            // Many small documents: hand out those whose context is read.
            if self.done.len() >= WINDOW_DOCUMENTS {
                if let Some(window) = self.cut(false)? {
                    return Ok(Some(window));
                }
            }
        }
        self.finished = true;
        let end = self.buf_base + self.buf.len();
        let last = match self.splitter.take() {
            Some(Splitter::Lines(s)) => s.finish(end),
            Some(Splitter::Json(s)) => s.finish().ok_or_else(changed)?,
            None => return Ok(None),
        };
        self.done.push(last);
        self.done_need.push(self.next_line);
        self.cut(true)
    }
}

impl<R: Read> Iterator for Windows<R> {
    type Item = io::Result<Window>;

    fn next(&mut self) -> Option<Self::Item> {
        let next = self.next_window();
        if next.is_err() {
            self.finished = true;
        }
        next.transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::split::split_stream;
    use std::io::Cursor;

    /// Every document of `text`, streamed with windows of `batch` bytes, with the window text
    /// around it; and the separator problems.
    fn streamed(text: &str, batch: usize) -> (Vec<(String, u32, Option<String>)>, usize) {
        let mut file = Cursor::new(text.as_bytes().to_vec());
        let s = survey(&mut file).expect("io").expect("decodes");
        let mut docs = Vec::new();
        let mut problems = 0;
        for w in windows(file, s, batch).expect("io") {
            let w = w.expect("io");
            problems += w.problems.len();
            for c in w.chunks() {
                // Every line of the document, and its context, is in the window.
                let first = c.start_line.saturating_sub(CONTEXT_LINES).max(1);
                assert!(w.first_line <= first, "{} > {first}", w.first_line);
                docs.push((c.text.to_owned(), c.start_line, c.origin.clone()));
            }
        }
        (docs, problems)
    }

    fn in_memory(text: &str) -> (Vec<(String, u32, Option<String>)>, usize) {
        let (chunks, problems) = split_stream(text);
        let docs = chunks
            .into_iter()
            .map(|c| (c.text.to_owned(), c.start_line, c.origin))
            .collect();
        (docs, problems.len())
    }

    #[test]
    fn streamed_documents_are_the_in_memory_ones() {
        let cases = [
            "",
            "a: 1\n",
            "a: 1\n---\nb: 2\n--- x\n# Source: c/t.yaml\nc: 3\n---\n",
            "---\n---\n\n---",
            "{\"a\": 1}\n{\"b\": \"}{\\\n\"}\n\n  {\"c\": [1]}\n",
            "\n\n{\"a\": 1}\n{\"b\": 2}",
            "{\"a\": 1}{\"b\": 2}\n---\nc: 3\n",
            "a: |\n  ---\n  x\n---\r\nb: 2\r\n",
        ];
        for text in cases {
            for batch in [1, 3, 10, 1000] {
                assert_eq!(
                    streamed(text, batch),
                    in_memory(text),
                    "{text:?} batch {batch}"
                );
            }
        }
    }

    #[test]
    fn many_small_documents_are_cut_into_windows_of_bounded_count() {
        // Empty documents have no bytes: only their number can cut a window.
        let mut text = String::new();
        for i in 0..3 * WINDOW_DOCUMENTS {
            match i % 7 {
                0 => text.push_str("a: 1\n---\n"),
                3 => text.push_str("--- x\n"),
                5 => text.push_str("# Source: c/t.yaml\n---\n"),
                _ => text.push_str("---\n"),
            }
        }
        let mut file = Cursor::new(text.as_bytes().to_vec());
        let s = survey(&mut file).expect("io").expect("decodes");
        let mut windows_seen = 0;
        for w in windows(file, s, usize::MAX).expect("io") {
            let w = w.expect("io");
            windows_seen += 1;
            assert!(w.chunks.len() <= WINDOW_DOCUMENTS, "{}", w.chunks.len());
        }
        assert!(windows_seen >= 3, "{windows_seen} windows");
        assert_eq!(streamed(&text, usize::MAX), in_memory(&text));
        assert_eq!(streamed(&text, 100), in_memory(&text));
    }

    #[test]
    fn the_survey_rejects_what_decode_rejects() {
        for bytes in [&b"a: \xFF\n"[..], b"\xFF\xFEa\x00", b"a\x00\n"] {
            let got = survey(&mut Cursor::new(bytes.to_vec())).expect("io");
            let want = super::super::decode::decode(bytes).map(|_| ());
            assert_eq!(got.map(|_| ()), want);
        }
    }
}
