//! The first pass of a run under a per-namespace policy (see [`super`]): each input's Namespace
//! objects, and everything that does not depend on them. Each file is read, split and skimmed
//! once; the documents that need a tree wait for the second pass ([`Deferred`]), each kept
//! with the lines its snippets may show, and a streamed file keeps what its skim settled
//! ([`Memo`]).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::Instant;

use rayon::prelude::*;

use crate::diagnose::problem::problem_diagnostic;
use crate::input::read::Source;
use crate::manifest::decode::decode;
use crate::manifest::skim::{skim, Skim};
use crate::manifest::split::{split_stream, Chunk};
use crate::manifest::stream;
use crate::model::problem::LoadProblem;
use crate::policy;
use crate::policy::namespaces::ObservedNamespace;
use crate::runtime::timings::Stage;

use super::memo::{Memo, MEMO_LIMIT};
use super::options::LintOptions;
use super::partial::Partial;
use super::problems::too_large;
use super::settle;
use super::text::{FileCtx, SNIPPET_CONTEXT};

/// Documents waiting for the second pass may hold up to this many bytes (with their context
/// lines) in all; files read after that are read again in the second pass instead.
const DEFERRED_BUDGET: usize = 64 * 1024 * 1024;

/// What the first pass made of one input.
pub(super) enum Prepared {
    /// All done but the documents that need a tree.
    Split {
        early: Partial,
        deferred: Vec<Deferred>,
    },
    /// Linted whole in the second pass, from the content kept here or read again (`None`);
    /// for a streamed file, with what the first pass's skim settled.
    Whole(Option<Result<Source, LoadProblem>>, Option<Vec<Memo>>),
}

/// The first pass over one input, given what reading it gave (`was_kept`: the content is
/// kept for the second pass, as for an input that cannot be read twice).
pub(super) fn prepare(
    name: &str,
    read: Result<Source, LoadProblem>,
    was_kept: bool,
    deferred_bytes: &AtomicUsize,
    opts: &LintOptions,
) -> (Vec<ObservedNamespace>, Prepared) {
    match read {
        Ok(Source::Bytes(bytes)) if deferred_bytes.load(Ordering::Relaxed) <= DEFERRED_BUDGET => {
            let (found, early, deferred) = first_pass_bytes(name, &bytes, opts);
            let size = deferred.iter().map(|d| d.text.len()).sum();
            deferred_bytes.fetch_add(size, Ordering::Relaxed);
            (found, Prepared::Split { early, deferred })
        }
        // A streamed file: its Namespace objects, and what the skim settled.
        Ok(Source::Stream(mut file)) => {
            let (found, memo) = first_pass_stream(name, &mut file, opts);
            let kept = was_kept.then_some(Ok(Source::Stream(file)));
            (found, Prepared::Whole(kept, memo))
        }
        // A file past the budget: only its Namespace objects now.
        Ok(mut source) => {
            let found = settle::namespaces_in(name, &mut source, &opts.parse);
            (found, Prepared::Whole(was_kept.then_some(Ok(source)), None))
        }
        Err(problem) => (
            Vec::new(),
            Prepared::Whole(was_kept.then_some(Err(problem)), None),
        ),
    }
}

/// The first pass over a streamed file: its Namespace objects and, with the fast path, a
/// [`Memo`] per document. The file is left rewound for the second pass; if it cannot be read
/// through, nothing is found and the second pass reports the problem.
fn first_pass_stream(
    name: &str,
    file: &mut std::fs::File,
    opts: &LintOptions,
) -> (Vec<ObservedNamespace>, Option<Vec<Memo>>) {
    let found = (|| {
        let survey = stream::survey(&mut *file).ok()?.ok()?;
        let mut found = Vec::new();
        let mut memo: Vec<Memo> = Vec::new();
        for window in stream::windows(&mut *file, survey, opts.stream_batch_bytes).ok()? {
            let window = window.ok()?;
            let chunks = window.chunks();
            if !opts.fast_path {
                found.extend(policy::namespaces::in_chunks(name, &chunks, &opts.parse));
                continue;
            }
            let needs_tree = |kind: &str| opts.needs_tree(kind);
            let looks: Vec<_> = chunks
                .par_iter()
                .map(|chunk| {
                    let skimmed =
                        opts.timed(Stage::Parse, || skim(chunk.text, &opts.parse, &needs_tree));
                    match skimmed {
                        Skim::Skip { object } => (Vec::new(), Memo::of(chunk, Some(object))),
                        Skim::Parse if policy::namespaces::may_hold_namespace(chunk.text) => {
                            let ns = opts.timed(Stage::Parse, || {
                                policy::namespaces::in_document(name, chunk, &opts.parse)
                            });
                            (ns, Memo::of(chunk, None))
                        }
                        Skim::Parse => (Vec::new(), Memo::of(chunk, None)),
                    }
                })
                .collect();
            for (ns, m) in looks {
                found.extend(ns);
                if memo.len() < MEMO_LIMIT {
                    memo.push(m);
                }
            }
        }
        Some((found, opts.fast_path.then_some(memo)))
    })();
    // A file that cannot be rewound fails to read in the second pass, which says so.
    let _ = std::io::Seek::seek(file, std::io::SeekFrom::Start(0));
    found.unwrap_or_default()
}

/// A document that needs its tree, kept with [`SNIPPET_CONTEXT`] lines either side, so that
/// its snippets are those the whole file gives.
pub(super) struct Deferred {
    /// Whole lines of the file, from line `first_line` on.
    text: String,
    first_line: u32,
    /// The document's bytes in `text`.
    range: std::ops::Range<usize>,
    start_line: u32,
    origin: Option<String>,
}

impl Deferred {
    pub(super) fn lint(self, name: &str, opts: &LintOptions) -> Partial {
        let file = FileCtx {
            name,
            text: &self.text,
            index: OnceLock::new(),
            first_line: self.first_line,
            opts,
        };
        file.lint_tree(&Chunk {
            text: &self.text[self.range.clone()],
            start_line: self.start_line,
            origin: self.origin.clone(),
        })
    }
}

/// The first pass over one file held in memory (see [`super::lint_partial`]): its Namespace objects,
/// what can be reported already, and the documents that must wait.
fn first_pass_bytes(
    name: &str,
    bytes: &[u8],
    opts: &LintOptions,
) -> (Vec<ObservedNamespace>, Partial, Vec<Deferred>) {
    let mut early = Partial::default();
    early.summary.files = 1;
    if bytes.len() as u64 > opts.max_file_size {
        early.diagnostics.push(too_large(name, bytes.len(), opts));
        return (Vec::new(), early, Vec::new());
    }
    let split_start = Instant::now();
    let text = match decode(bytes) {
        Ok(t) => t,
        Err(problem) => {
            early
                .diagnostics
                .push(problem_diagnostic(name, &problem, None));
            return (Vec::new(), early, Vec::new());
        }
    };
    let (chunks, split_problems) = split_stream(text);
    if let Some(t) = &opts.timings {
        t.add(Stage::Split, split_start);
        t.add_bytes(bytes.len());
    }
    let file = FileCtx {
        name,
        text,
        index: OnceLock::new(),
        first_line: 1,
        opts,
    };
    early
        .diagnostics
        .extend(split_problems.iter().map(|p| file.problem(p, None)));
    let looks: Vec<_> = chunks
        .par_iter()
        .map(|chunk| match file.settle(chunk) {
            Some(settled) => Ok(settled),
            None => Err(file.defer(chunk)),
        })
        .collect();
    let mut found = Vec::new();
    let mut deferred = Vec::new();
    for look in looks {
        match look {
            Ok(settled) => early = early.merge(settled),
            Err((namespaces, d)) => {
                found.extend(namespaces);
                deferred.push(d);
            }
        }
    }
    (found, early, deferred)
}

impl FileCtx<'_> {
    /// In the first pass, a document [`FileCtx::settle`] could not settle: its Namespace
    /// objects, and the document kept for the second pass.
    pub(super) fn defer(&self, chunk: &Chunk<'_>) -> (Vec<ObservedNamespace>, Deferred) {
        let opts = self.opts;
        if let Some(t) = &opts.timings {
            t.add_chunk(false);
        }
        let found = if !policy::namespaces::may_hold_namespace(chunk.text) {
            Vec::new()
        } else if opts.fast_path {
            // The skim already ran and could not settle it: parse.
            opts.timed(Stage::Parse, || {
                policy::namespaces::in_document(self.name, chunk, &opts.parse)
            })
        } else {
            opts.timed(Stage::Parse, || {
                policy::namespaces::in_chunks(self.name, std::slice::from_ref(chunk), &opts.parse)
            })
        };
        // The lines a snippet of a finding in this document may show: its own, and
        // SNIPPET_CONTEXT more either side (one more after: a span may end just past the
        // document's final line break). `first_line` is the file's line of `from` (the text
        // is the whole file, from line 1).
        // Lines end at `\n`, here as in the splitter and the line index.
        let bytes = self.text.as_bytes();
        let start = chunk.text.as_ptr() as usize - self.text.as_ptr() as usize;
        let end = start + chunk.text.len();
        let (mut from, mut first_line) = (start, chunk.start_line);
        for _ in 0..SNIPPET_CONTEXT {
            if from == 0 {
                break;
            }
            from = memchr::memrchr(b'\n', &bytes[..from - 1]).map_or(0, |i| i + 1);
            first_line -= 1;
        }
        let mut to = end;
        for _ in 0..=SNIPPET_CONTEXT {
            match memchr::memchr(b'\n', &bytes[to..]) {
                Some(i) => to += i + 1,
                None => {
                    to = bytes.len();
                    break;
                }
            }
        }
        let deferred = Deferred {
            text: self.text[from..to].to_owned(),
            first_line,
            range: start - from..end - from,
            start_line: chunk.start_line,
            origin: chunk.origin.clone(),
        };
        (found, deferred)
    }
}
