//! The pipeline for one run: inputs → files → documents → objects → pod templates → policy →
//! engine → diagnostics → one sorted [`Report`].
//!
//! Files are linted in parallel, and so are the documents of one stream. Each document's tree
//! is dropped as soon as its diagnostics are built, so memory follows the largest document, not
//! the input. Documents that need no tree (ConfigMaps, CRDs, …) are settled by the exact fast
//! path in [`crate::manifest::skim`] without building one.
//!
//! Under a per-namespace policy a first pass finds the `Namespace` objects, whose labels decide
//! how every workload is judged. It does everything that does not depend on them, so that no
//! file is read and no document skimmed twice when it can be helped (`lint_partial`).

pub mod context;
pub mod options;
pub mod owners;
pub mod partial;
pub mod settle;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::Instant;

use rayon::prelude::*;

use crate::diagnose::locate::resolve;
use crate::diagnose::problem::problem_diagnostic;
use crate::diagnose::remedy::{fix_for_fields, FieldFix};
use crate::diagnose::snippet::snippet_in;
use crate::input::discover::Discovered;
use crate::input::read::Source;
use crate::input::Input;
use crate::manifest::decode::decode;
use crate::manifest::object::{objects, ObjectInfo};
use crate::manifest::skim::{skim, Skim};
use crate::manifest::split::{split_stream, Chunk};
use crate::manifest::stream;
use crate::manifest::yaml::parse_document;
use crate::manifest::Node;
use crate::model::diagnostic::{self, Diagnostic, ObjectRef, Related, Severity};
use crate::model::field::FieldPath;
use crate::model::problem::{is_unchecked, InputRule, LoadProblem};
use crate::model::report::{CheckedObject, ObjectMetadata, Report};
use crate::model::source::{visible_end, LineIndex, Span};
use crate::policy::namespaces::ObservedNamespace;
use crate::policy::{self, Evaluation, Resolution, Target};
use crate::pss::{self, Violation};
use crate::runtime::timings::Stage;
use crate::workload::extract::extract_pod;
use crate::workload::kinds;
use crate::workload::templates as pod_templates;
use options::LintOptions;
use partial::Partial;
use settle::finish;

/// Lines of context captured around each finding for the human report (a streamed file's
/// windows carry as many).
const SNIPPET_CONTEXT: u32 = stream::CONTEXT_LINES;

/// Lints discovered inputs (walk problems become findings) and returns the sorted report.
/// `read` supplies the content of an input: bytes, or a [`Source`], or a problem (a `String`
/// is an `io-error`).
pub fn lint_discovered<F, S, E>(found: &Discovered, opts: &LintOptions, read: F) -> Report
where
    F: Fn(&Input) -> Result<S, E> + Sync,
    S: Into<Source>,
    E: Into<LoadProblem>,
{
    let mut partial = lint_partial(&found.inputs, opts, read);
    partial.diagnostics.extend(found.problems.iter().map(|p| {
        problem_diagnostic(
            &p.path,
            &LoadProblem::new(p.rule, p.message.clone(), None),
            None,
        )
    }));
    relax_unchecked(&mut partial, opts);
    opts.timed(Stage::Report, || finish(partial))
}

/// Lints every input and returns the sorted report. `read` supplies the content of an input.
pub fn lint_inputs<F, S, E>(inputs: &[Input], opts: &LintOptions, read: F) -> Report
where
    F: Fn(&Input) -> Result<S, E> + Sync,
    S: Into<Source>,
    E: Into<LoadProblem>,
{
    let mut partial = lint_partial(inputs, opts, read);
    relax_unchecked(&mut partial, opts);
    opts.timed(Stage::Report, || finish(partial))
}

fn lint_partial<F, S, E>(inputs: &[Input], opts: &LintOptions, read: F) -> Partial
where
    F: Fn(&Input) -> Result<S, E> + Sync,
    S: Into<Source>,
    E: Into<LoadProblem>,
{
    let read = |input: &Input| -> Result<Source, LoadProblem> {
        opts.timed(Stage::Read, || read(input))
            .map(Into::into)
            .map_err(Into::into)
    };
    if !opts.policy.needs_namespaces() {
        let mut partial = inputs
            .par_iter()
            .map(|input| empty_stream(input, lint_read(&input.display(), read(input), opts), opts))
            .reduce(Partial::default, Partial::merge);
        settle::settle_run(opts, &mut partial);
        return partial;
    }
    // Namespace labels decide levels wherever they are, so a first pass collects them. It
    // also does everything that does not depend on them: each file is read, split and skimmed
    // once, and only the documents that need a tree (workloads, Namespaces, whatever the skim
    // cannot settle) wait for the second pass, each kept with the lines its snippets may show.
    // An input that cannot be read twice (standard input, a pipe) is read once and kept.
    let kept: Vec<Option<Result<Source, LoadProblem>>> = inputs
        .iter()
        .map(|input| (!rereadable(input)).then(|| read(input)))
        .collect();
    let deferred_bytes = AtomicUsize::new(0);
    let (found, prepared): (Vec<Vec<ObservedNamespace>>, Vec<Prepared>) = inputs
        .par_iter()
        .zip(kept.into_par_iter())
        .map(|(input, kept)| {
            let name = input.display();
            let was_kept = kept.is_some();
            match kept.unwrap_or_else(|| read(input)) {
                Ok(Source::Bytes(bytes))
                    if deferred_bytes.load(Ordering::Relaxed) <= DEFERRED_BUDGET =>
                {
                    let (found, early, deferred) = first_pass_bytes(&name, &bytes, opts);
                    let size = deferred.iter().map(|d| d.text.len()).sum();
                    deferred_bytes.fetch_add(size, Ordering::Relaxed);
                    (found, Prepared::Split { early, deferred })
                }
                // A streamed file: its Namespace objects, and what the skim settled.
                Ok(Source::Stream(mut file)) => {
                    let (found, memo) = first_pass_stream(&name, &mut file, opts);
                    let kept = was_kept.then_some(Ok(Source::Stream(file)));
                    (found, Prepared::Whole(kept, memo))
                }
                // A file past the budget: only its Namespace objects now.
                Ok(mut source) => {
                    let found = settle::namespaces_in(&name, &mut source, &opts.parse);
                    (found, Prepared::Whole(was_kept.then_some(Ok(source)), None))
                }
                Err(problem) => (
                    Vec::new(),
                    Prepared::Whole(was_kept.then_some(Err(problem)), None),
                ),
            }
        })
        .unzip();
    // Namespace objects of files that are not linted (`--namespaces-from`).
    let context = context::read(&opts.namespaces_from, inputs, &opts.parse, read);
    let observed = settle::observe(
        opts,
        found
            .into_iter()
            .flatten()
            .chain(context.namespaces)
            .collect(),
    );
    let opts = &observed;
    let mut partial = inputs
        .par_iter()
        .zip(prepared.into_par_iter())
        .map(|(input, prepared)| {
            let name = input.display();
            let partial = match prepared {
                Prepared::Split { early, deferred } => {
                    let mut out = deferred
                        .into_par_iter()
                        .map(|d| d.lint(&name, opts))
                        .collect::<Vec<_>>()
                        .into_iter()
                        .fold(early, Partial::merge);
                    note_if_empty(&name, &mut out);
                    out
                }
                Prepared::Whole(kept, memo) => match kept.unwrap_or_else(|| read(input)) {
                    Ok(Source::Stream(file)) => {
                        lint_stream_memo(&name, file, opts, memo.as_deref())
                    }
                    read => lint_read(&name, read, opts),
                },
            };
            empty_stream(input, partial, opts)
        })
        .reduce(Partial::default, Partial::merge);
    partial.diagnostics.extend(context.problems);
    settle::settle_run(opts, &mut partial);
    partial
}

/// Documents waiting for the second pass may hold up to this many bytes (with their context
/// lines) in all; files read after that are read again in the second pass instead.
const DEFERRED_BUDGET: usize = 64 * 1024 * 1024;

/// What the first pass made of one input.
enum Prepared {
    /// All done but the documents that need a tree.
    Split {
        early: Partial,
        deferred: Vec<Deferred>,
    },
    /// Linted whole in the second pass, from the content kept here or read again (`None`);
    /// for a streamed file, with what the first pass's skim settled.
    Whole(Option<Result<Source, LoadProblem>>, Option<Vec<Memo>>),
}

/// What the first pass's skim made of one document of a streamed file, so that the second
/// pass, which reads the file again, skims no document twice. The document's first line and
/// length guard against a file that changed in between (a mismatch is skimmed again). Twelve
/// bytes, and at most [`MEMO_LIMIT`] of them per file: memory must not grow with the number of
/// documents of a stream.
#[derive(Debug, Clone, Copy)]
struct Memo {
    start_line: u32,
    len: u32,
    /// `Some(object)`: settled by the fast path; `None`: it needs its tree.
    settled: Option<bool>,
}

/// Documents of one streamed file that get a [`Memo`] (12 MiB of them); later documents are
/// skimmed again in the second pass.
const MEMO_LIMIT: usize = 1 << 20;

impl Memo {
    fn of(chunk: &Chunk<'_>, settled: Option<bool>) -> Memo {
        Memo {
            start_line: chunk.start_line,
            // A document of 4 GiB or more never fits (see `fits`).
            len: u32::try_from(chunk.text.len()).unwrap_or(u32::MAX),
            settled,
        }
    }

    fn fits(&self, chunk: &Chunk<'_>) -> bool {
        self.start_line == chunk.start_line
            && u32::try_from(chunk.text.len()).is_ok_and(|len| len == self.len && len != u32::MAX)
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
struct Deferred {
    /// Whole lines of the file, from line `first_line` on.
    text: String,
    first_line: u32,
    /// The document's bytes in `text`.
    range: std::ops::Range<usize>,
    start_line: u32,
    origin: Option<String>,
}

impl Deferred {
    fn lint(self, name: &str, opts: &LintOptions) -> Partial {
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

/// The first pass over one file held in memory (see [`lint_partial`]): its Namespace objects,
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

/// Lints what reading an input gave.
fn lint_read(name: &str, read: Result<Source, LoadProblem>, opts: &LintOptions) -> Partial {
    match read {
        Ok(source) => lint_source(name, source, opts),
        Err(problem) => {
            let mut p = Partial::default();
            p.summary.files = 1;
            p.diagnostics.push(problem_diagnostic(name, &problem, None));
            p
        }
    }
}

fn too_large(name: &str, size: usize, opts: &LintOptions) -> Diagnostic {
    let msg = format!(
        "file is {size} bytes, over the --max-file-size limit of {} bytes; it was not checked",
        opts.max_file_size
    );
    problem_diagnostic(
        name,
        &LoadProblem::new(InputRule::FileTooLarge, msg, None),
        None,
    )
}

/// Standard input or a pipe that gave no document: what should have been piped in went missing
/// (a `helm template` that failed prints nothing), so unless `--allow-empty` that is an error
/// that fails the run, not the note an empty file gets.
fn empty_stream(input: &Input, mut partial: Partial, opts: &LintOptions) -> Partial {
    if opts.allow_empty || rereadable(input) {
        return partial;
    }
    for d in &mut partial.diagnostics {
        if d.rule == InputRule::EmptyFile.id() {
            let what = match input {
                Input::Stdin => "standard input",
                Input::File(_) => "the pipe",
            };
            let problem = LoadProblem::new(
                InputRule::EmptyInput,
                format!("no documents on {what}: it is empty, or holds only comments and empty documents"),
                None,
            )
            .with_hint("check the command that writes into it; pass --allow-empty if nothing is expected");
            *d = problem_diagnostic(&d.file, &problem, None);
        }
    }
    partial
}

/// Whether reading `input` again gives the same content: not so for standard input or a pipe.
fn rereadable(input: &Input) -> bool {
    match input {
        Input::Stdin => false,
        Input::File(path) => std::fs::metadata(path).map_or(true, |m| m.is_file()),
    }
}

/// With `--allow-unchecked`, input that could not be checked is a warning.
fn relax_unchecked(partial: &mut Partial, opts: &LintOptions) {
    if !opts.allow_unchecked {
        return;
    }
    for d in &mut partial.diagnostics {
        if d.severity == Severity::Error && is_unchecked(d) {
            d.severity = Severity::Warning;
        }
    }
}

/// Lints one input's content.
pub fn lint_source(name: &str, source: Source, opts: &LintOptions) -> Partial {
    match source {
        Source::Bytes(bytes) => lint_bytes(name, &bytes, opts),
        Source::Stream(file) => lint_stream(name, file, opts),
    }
}

/// Lints one file's bytes.
pub fn lint_bytes(name: &str, bytes: &[u8], opts: &LintOptions) -> Partial {
    let mut out = Partial::default();
    out.summary.files = 1;
    if bytes.len() as u64 > opts.max_file_size {
        out.diagnostics.push(too_large(name, bytes.len(), opts));
        return out;
    }
    let split_start = Instant::now();
    let text = match decode(bytes) {
        Ok(t) => t,
        Err(problem) => {
            out.diagnostics
                .push(problem_diagnostic(name, &problem, None));
            return out;
        }
    };
    // A file linted on its own (not through `lint_inputs`) reads its own Namespace objects.
    let observed = settle::observe_text(opts, name, text);
    let opts = observed.as_ref().unwrap_or(opts);
    let (chunks, split_problems) = split_stream(text);
    if let Some(t) = &opts.timings {
        t.add(Stage::Split, split_start);
        t.add_bytes(bytes.len());
    }
    let mut out = out.merge(lint_window(
        name,
        text,
        1,
        &chunks,
        &split_problems,
        None,
        opts,
    ));
    note_if_empty(name, &mut out);
    out
}

/// Lints a file too large to hold, window by window (see [`stream`]); the diagnostics are
/// those [`lint_bytes`] gives for the same content.
pub fn lint_stream<R: std::io::Read + std::io::Seek>(
    name: &str,
    file: R,
    opts: &LintOptions,
) -> Partial {
    lint_stream_memo(name, file, opts, None)
}

/// [`lint_stream`], taking what the first pass's skim settled.
fn lint_stream_memo<R: std::io::Read + std::io::Seek>(
    name: &str,
    mut file: R,
    opts: &LintOptions,
    memo: Option<&[Memo]>,
) -> Partial {
    let mut out = Partial::default();
    out.summary.files = 1;
    let io_problem = |e: std::io::Error| {
        problem_diagnostic(
            name,
            &LoadProblem::new(InputRule::Io, format!("cannot read: {e}"), None),
            None,
        )
    };
    let survey = match stream::survey(&mut file) {
        Ok(Ok(survey)) => survey,
        Ok(Err(problem)) => {
            out.diagnostics
                .push(problem_diagnostic(name, &problem, None));
            return out;
        }
        Err(e) => {
            out.diagnostics.push(io_problem(e));
            return out;
        }
    };
    let windows = match stream::windows(file, survey, opts.stream_batch_bytes) {
        Ok(w) => w,
        Err(e) => {
            out.diagnostics.push(io_problem(e));
            return out;
        }
    };
    let mut seen = 0;
    for window in windows {
        match window {
            Ok(w) => {
                let chunks = w.chunks();
                if let Some(t) = &opts.timings {
                    t.add_bytes(chunks.iter().map(|c| c.text.len()).sum());
                }
                let memo = memo.and_then(|m| m.get(seen..seen + chunks.len()));
                seen += chunks.len();
                out = out.merge(lint_window(
                    name,
                    &w.text,
                    w.first_line,
                    &chunks,
                    &w.problems,
                    memo,
                    opts,
                ));
            }
            Err(e) => out.diagnostics.push(io_problem(e)),
        }
    }
    note_if_empty(name, &mut out);
    out
}

/// Lints the documents of `text`, which holds the file's lines from `first_line` on.
fn lint_window(
    name: &str,
    text: &str,
    first_line: u32,
    chunks: &[Chunk<'_>],
    problems: &[LoadProblem],
    memo: Option<&[Memo]>,
    opts: &LintOptions,
) -> Partial {
    let file = FileCtx {
        name,
        text,
        index: OnceLock::new(),
        first_line,
        opts,
    };
    let mut out = Partial::default();
    out.diagnostics
        .extend(problems.iter().map(|p| file.problem(p, None)));
    chunks
        .par_iter()
        .enumerate()
        .map(
            |(i, chunk)| match memo.and_then(|m| m.get(i)).filter(|m| m.fits(chunk)) {
                Some(m) => file.lint_memo(chunk, m.settled),
                None => file.lint_chunk(chunk),
            },
        )
        .collect::<Vec<_>>()
        .into_iter()
        .fold(out, Partial::merge)
}

/// What a document the fast path settled contributes: one document, holding one object of a
/// kind the pipeline does not look inside (`object`), or none.
fn settled_partial(object: bool) -> Partial {
    let mut out = Partial::default();
    out.summary.documents = 1;
    out.summary.objects = usize::from(object);
    out.summary.skipped = usize::from(!object);
    out
}

/// A file without a single document says so (a note): an empty render is a common mistake.
fn note_if_empty(name: &str, out: &mut Partial) {
    if out.summary.documents == 0 && out.diagnostics.is_empty() {
        out.diagnostics.push(problem_diagnostic(
            name,
            &LoadProblem::new(
                InputRule::EmptyFile,
                "no documents: the file is empty, or holds only comments and empty documents",
                None,
            ),
            None,
        ));
    }
}

/// The file being linted, shared by its documents.
struct FileCtx<'a> {
    name: &'a str,
    /// The file's lines from `first_line` on (all of them unless the file is streamed).
    text: &'a str,
    /// Built on the first finding: most files (ConfigMaps, CRDs, clean workloads) have none.
    index: OnceLock<LineIndex>,
    first_line: u32,
    opts: &'a LintOptions,
}

impl FileCtx<'_> {
    fn index(&self) -> &LineIndex {
        self.index.get_or_init(|| LineIndex::new(self.text))
    }

    fn problem(&self, p: &LoadProblem, origin: Option<&str>) -> Diagnostic {
        let mut d = problem_diagnostic(self.name, p, origin);
        if let Some(span) = p.span {
            d.snippet = Some(self.snippet(span));
        }
        d
    }

    fn snippet(&self, span: Span) -> diagnostic::Snippet {
        snippet_in(
            self.text,
            self.index(),
            self.first_line,
            span,
            SNIPPET_CONTEXT,
        )
    }

    fn lint_chunk(&self, chunk: &Chunk<'_>) -> Partial {
        match self.settle(chunk) {
            Some(settled) => settled,
            None => {
                if let Some(t) = &self.opts.timings {
                    t.add_chunk(false);
                }
                self.lint_tree(chunk)
            }
        }
    }

    /// [`FileCtx::lint_chunk`] where the first pass already skimmed the document.
    fn lint_memo(&self, chunk: &Chunk<'_>, settled: Option<bool>) -> Partial {
        if let Some(t) = &self.opts.timings {
            t.add_chunk(settled.is_some());
        }
        match settled {
            Some(object) => settled_partial(object),
            None => self.lint_tree(chunk),
        }
    }

    /// The fast path: what a document that needs no tree contributes, if the skim proves so.
    fn settle(&self, chunk: &Chunk<'_>) -> Option<Partial> {
        let opts = self.opts;
        if !opts.fast_path {
            return None;
        }
        let needs_tree = |kind: &str| opts.needs_tree(kind);
        let Skim::Skip { object } =
            opts.timed(Stage::Parse, || skim(chunk.text, &opts.parse, &needs_tree))
        else {
            return None;
        };
        if let Some(t) = &opts.timings {
            t.add_chunk(true);
        }
        Some(settled_partial(object))
    }

    /// In the first pass, a document [`FileCtx::settle`] could not settle: its Namespace
    /// objects, and the document kept for the second pass.
    fn defer(&self, chunk: &Chunk<'_>) -> (Vec<ObservedNamespace>, Deferred) {
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

    /// Parses a document and lints its objects.
    fn lint_tree(&self, chunk: &Chunk<'_>) -> Partial {
        let mut out = Partial::default();
        let opts = self.opts;
        let parsed = opts.timed(Stage::Parse, || {
            parse_document(chunk.text, chunk.start_line, &opts.parse)
        });
        let evaluate_start = Instant::now();
        let origin = chunk.origin.as_deref();
        out.diagnostics
            .extend(parsed.problems.iter().map(|p| self.problem(p, origin)));
        let Some(root) = parsed.root else {
            return out;
        };
        out.summary.documents = 1;
        let found = objects(&root);
        if found.is_empty() {
            out.summary.skipped = 1;
        }
        for (info, node) in found {
            out.summary.objects += 1;
            self.lint_object(&root, &info, node, origin, &mut out);
        }
        if let Some(t) = &opts.timings {
            t.add(Stage::Evaluate, evaluate_start);
        }
        out
    }

    fn lint_object(
        &self,
        root: &Node,
        info: &ObjectInfo,
        node: &Node,
        origin: Option<&str>,
        out: &mut Partial,
    ) {
        if policy::namespaces::is_namespace(&info.api_version, &info.kind) {
            let found = policy::hygiene::namespace_object(&self.opts.policy, info, node, self.name);
            out.diagnostics.extend(self.located(found, origin));
            if !self.opts.snapshots.is_empty() {
                let object = ObjectRef {
                    api_version: info.api_version.clone(),
                    kind: info.kind.clone(),
                    name: info.name.clone(),
                    namespace: String::new(),
                };
                self.record(&object, node, false, false, out);
            }
            return;
        }
        let kind = kinds::lookup(&self.opts.kinds, &info.api_version, &info.kind);
        let templates = kind.map(|k| k.templates_in(node)).unwrap_or_default();
        let namespace = info
            .namespace
            .clone()
            .unwrap_or_else(|| self.opts.default_namespace.clone());
        let object = ObjectRef {
            api_version: info.api_version.clone(),
            kind: info.kind.clone(),
            name: info.name.clone(),
            namespace: namespace.clone(),
        };
        // Pod templates that no known path reaches would pass unchecked: fail closed.
        out.diagnostics
            .extend(self.unknown_templates(root, info, node, kind, &templates, &object, origin));
        let Some(kind) = kind else {
            return;
        };
        if templates.is_empty() {
            // e.g. a ReplicationController without a template: nothing to evaluate (§6). A
            // path the user configured that matches nothing is worth a warning, though.
            if let Some(source) = &kind.configured {
                out.diagnostics
                    .push(self.template_not_found(kind, source, node, &object, origin));
            }
            return;
        }
        let policy = &self.opts.policy;
        let mut exceptions = policy::exceptions::ObjectExceptions::new(
            &policy.exceptions,
            policy.clock,
            &object,
            node,
            self.name,
        );
        // One report entry per level and version, for all the object's templates together:
        // each template's violations, with its path.
        let mut groups: Vec<(policy::Group, Vec<TemplateViolations>)> = Vec::new();
        for (path, template) in &templates {
            let template_path = path.prefixed(&info.path);
            let as_pod = kind.is_pod()
                || crate::workload::extract::defaults_templates_like_pods(
                    self.opts.policy.kubernetes_minor,
                );
            let (pod, type_problems) = extract_pod(template, as_pod);
            // The Pods a template creates are defaulted as Pods: their hostPorts verdict may
            // be worse than the template's (flannel's, node-exporter's DaemonSets).
            let created = (!as_pod)
                .then(|| crate::workload::extract::created_pod(&pod))
                .flatten();
            for tp in type_problems {
                let path = tp.path.prefixed(&template_path);
                let p = LoadProblem::new(
                    InputRule::TypeError,
                    tp.message
                        .replacen(&tp.path.to_string(), &path.to_string(), 1),
                    Some(tp.span),
                );
                let mut d = self.problem(&p, origin);
                d.object = Some(object.clone());
                d.field = Some(path.to_string());
                out.diagnostics.push(d);
            }
            let target = Target {
                namespace: &namespace,
                runtime_class: pod.spec.runtime_class_name.as_deref(),
            };
            match policy.for_object(&target) {
                Resolution::Exempt(_) => out.summary.exempt += 1,
                Resolution::Evaluate(evals) => {
                    out.summary.pod_templates += 1;
                    let judged = policy::judge(&pod, &evals, policy);
                    for (g, v, eval) in &judged.findings {
                        let group = &judged.groups[*g];
                        let v = &group.violations[*v];
                        let mut d = self.violation(root, &template_path, v, eval, &object, origin);
                        if let Some(created) =
                            created.as_ref().filter(|_| v.check == HOST_NAMESPACES)
                        {
                            d.hint = created_pod_host_ports(created, group, policy);
                        }
                        exceptions.apply(&mut d);
                        out.diagnostics.push(d);
                    }
                    for mut group in judged.groups {
                        let violations = std::mem::take(&mut group.violations);
                        let at = (template_path.to_string(), violations);
                        match groups.iter_mut().find(|(g, _)| g.policy == group.policy) {
                            Some((g, per_template)) => {
                                for m in group.modes {
                                    if !g.modes.contains(&m) {
                                        g.modes.push(m);
                                    }
                                }
                                g.modes.sort();
                                per_template.push(at);
                            }
                            None => groups.push((group, vec![at])),
                        }
                    }
                }
            }
        }
        let start = node.span.start;
        let metadata = if self.opts.keep_object_metadata && !groups.is_empty() {
            object_metadata(node, templates.iter().map(|(_, t)| *t))
        } else {
            ObjectMetadata::default()
        };
        for (group, per_template) in &groups {
            let failing: Vec<&TemplateViolations> =
                per_template.iter().filter(|(_, v)| !v.is_empty()).collect();
            // Passing objects are kept only for reports that list them (JUnit): otherwise a
            // stream of a million clean pods would cost memory for each.
            if failing.is_empty() && !self.opts.keep_passing_objects {
                continue;
            }
            // Several templates (an Experiment's, say): each one's violations after its path.
            let detail = match failing.as_slice() {
                [] => None,
                [(_, v)] if templates.len() == 1 => Some(pss::aggregate(v)),
                _ => Some(
                    failing
                        .iter()
                        .map(|(path, v)| format!("{path}: {}", pss::aggregate(v)))
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
            };
            out.objects.push(CheckedObject {
                file: self.name.to_string(),
                line: start.line,
                column: start.col,
                origin: origin.map(str::to_owned),
                object: object.clone(),
                level: group.policy.level,
                pss_version: group.policy.version.to_string(),
                modes: group.modes.clone(),
                verdict: detail.map(|detail| {
                    format!(
                        "would violate PodSecurity \"{}\": {detail}",
                        group.policy.label()
                    )
                }),
                failing_templates: failing.len(),
                metadata: metadata.clone(),
            });
        }
        let (found, record) = exceptions.finish();
        out.diagnostics.extend(self.located(found, origin));
        out.policy.merge(record);
        // Evaluated: some template was (not exempt).
        self.record(&object, node, kind.is_pod(), !groups.is_empty(), out);
    }

    /// Records who an object is and who created it, for [`fold_owners`].
    fn record(
        &self,
        object: &ObjectRef,
        node: &Node,
        is_pod: bool,
        evaluated: bool,
        out: &mut Partial,
    ) {
        out.owners.record(&owners::Seen {
            file: self.name,
            object,
            node,
            line: node.span.start.line,
            is_pod,
            evaluated,
            from_snapshot: self.opts.snapshots.contains(self.name),
            snapshots_in_run: !self.opts.snapshots.is_empty(),
        });
    }

    /// `unchecked-pod-template` for each map shaped like a pod template in an object that no
    /// template path of its kind reaches: a kind psslint does not know, or a configured or
    /// preset kind whose paths miss it. The kinds Pod Security Admission itself evaluates are
    /// not searched: it reads their template only, and the API server drops unknown fields.
    #[allow(clippy::too_many_arguments)]
    fn unknown_templates(
        &self,
        root: &Node,
        info: &ObjectInfo,
        node: &Node,
        kind: Option<&kinds::WorkloadKind>,
        templates: &[(FieldPath, &Node)],
        object: &ObjectRef,
        origin: Option<&str>,
    ) -> Vec<Diagnostic> {
        if kind.is_some_and(|k| kinds::is_builtin(&k.group, &k.kind)) {
            return Vec::new();
        }
        let known: Vec<FieldPath> = templates.iter().map(|(p, _)| p.clone()).collect();
        pod_templates::pod_shaped_outside(node, &known)
            .into_iter()
            .map(|(path, _)| {
                let field = path.prefixed(&info.path);
                let why = match kind {
                    // `extensions/v1beta1` DaemonSets and the like: no API server serves them.
                    None if kinds::api_group(&info.api_version) == "extensions"
                        && kinds::builtin_kinds().iter().any(|k| k.kind == info.kind) =>
                    {
                        format!(
                        "Pod Security Admission does not evaluate {} in API group \"extensions\", which API servers no longer serve (the built-in {} is in {:?})",
                            info.kind,
                            info.kind,
                            kinds::builtin_kinds()
                                .iter()
                                .find(|k| k.kind == info.kind)
                                .map_or("", |k| k.group.as_str())
                        )
                    }
                    None => format!(
                        "psslint does not know where {} ({}) keeps pod templates",
                        info.kind, info.api_version
                    ),
                    Some(k) => format!(
                        "no template path of {} reaches it ({})",
                        info.kind,
                        k.templates
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                let shown = if path.is_empty() { ".".to_string() } else { path.to_string() };
                let problem = LoadProblem::new(
                    InputRule::UncheckedPodTemplate,
                    format!(
                        "{} holds a pod template at {shown} that was not checked: {why}",
                        object.display_name()
                    ),
                    Some(resolve(root, &field).span),
                )
                .with_hint(format!(
                    "if its controller creates Pods from it, add it to workloads: in psslint.yaml: `- {{apiVersion: {}, kind: {}, template: \"{}\"}}`",
                    info.api_version,
                    info.kind,
                    pod_templates::generalize(&path)
                ));
                let mut d = self.problem(&problem, origin);
                d.object = Some(object.clone());
                d.field = Some(field.to_string());
                d
            })
            .collect()
    }

    /// `template-not-found`: an object of a configured kind in which no template path
    /// matches, at the object's position.
    fn template_not_found(
        &self,
        kind: &kinds::WorkloadKind,
        source: &str,
        node: &Node,
        object: &ObjectRef,
        origin: Option<&str>,
    ) -> Diagnostic {
        let paths = kind
            .templates
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let problem = LoadProblem::new(
            InputRule::TemplateNotFound,
            format!(
                "{} has no pod template at {paths}, the template path configured for {} in {source}; nothing in it was checked",
                object.display_name(),
                kind.kind
            ),
            Some(Span::point(node.span.start)),
        )
        .with_hint("check the path against the object: it starts at the object's root, e.g. spec.template, with [*] for every item of a list");
        let mut d = self.problem(&problem, origin);
        d.object = Some(object.clone());
        d
    }

    /// Policy findings located in this file.
    fn located<'f>(
        &'f self,
        found: Vec<policy::finding::Finding>,
        origin: Option<&'f str>,
    ) -> impl Iterator<Item = Diagnostic> + 'f {
        found
            .into_iter()
            .map(move |f| f.into_diagnostic(self.name, |span| Some(self.snippet(span)), origin))
    }

    fn violation(
        &self,
        root: &Node,
        template_path: &FieldPath,
        v: &Violation,
        eval: &Evaluation,
        object: &ObjectRef,
        origin: Option<&str>,
    ) -> Diagnostic {
        let located: Vec<_> = v
            .fields
            .iter()
            .map(|f| {
                let path = f.path.prefixed(template_path);
                let res = resolve(root, &path);
                (f, path, res)
            })
            .collect();
        // One fix for every offending field (#12: each fix clears every field it reports).
        let fix = fix_for_fields(
            v.check,
            located.iter().map(|(f, path, res)| FieldFix {
                path,
                res,
                remedy: &f.remedy,
                container: f.container.as_deref(),
            }),
        );
        let (span, field, container) = match located.first() {
            Some((f, path, res)) => (res.span, Some(path.to_string()), f.container.clone()),
            None => (root.span, None, None),
        };
        let related = located
            .iter()
            .skip(1)
            .map(|(f, path, res)| {
                let end = visible_end(res.span);
                Related {
                    file: self.name.to_string(),
                    line: res.span.start.line,
                    column: res.span.start.col,
                    end_line: end.line,
                    end_column: end.col,
                    field: path.to_string(),
                    container: f.container.clone(),
                }
            })
            .collect();
        let end = visible_end(span);
        Diagnostic {
            rule: v.check.to_string(),
            severity: eval.mode.severity(),
            level: Some(eval.policy.level),
            pss_version: Some(eval.policy.version.to_string()),
            policy: diagnostic::PolicyContext {
                mode: Some(eval.mode),
                source: eval.source.as_deref().map(str::to_owned),
                exception: None,
            },
            reason: Some(v.reason.clone()),
            detail: Some(v.detail.clone()),
            message: v.reason_and_detail(),
            file: self.name.to_string(),
            line: span.start.line,
            column: span.start.col,
            end_line: end.line,
            end_column: end.col,
            origin: origin.map(str::to_owned),
            object: Some(object.clone()),
            field,
            container,
            related,
            fix,
            hint: None,
            snippet: Some(self.snippet(span)),
        }
    }
}

const HOST_NAMESPACES: &str = "hostNamespaces";
const HOST_PORTS: &str = "hostPorts";

/// What a Pod created from a template on the host network adds to the template's verdict at
/// `group`'s level and version: the `hostPorts` violation the API server's defaulting of
/// `hostPort` from `containerPort` gives it, when the template's own is not the same.
fn created_pod_host_ports(
    created: &pss::model::Pod,
    group: &policy::Group,
    policy: &policy::Policy,
) -> Option<String> {
    let minor = policy.effective_minor(group.policy.version);
    let theirs = pss::evaluate(created, group.policy.level, minor)
        .into_iter()
        .find(|v| v.check == HOST_PORTS)?;
    let ours = group.violations.iter().find(|v| v.check == HOST_PORTS);
    if ours.is_some_and(|o| o.detail == theirs.detail) {
        return None;
    }
    Some(format!(
        "Pods created from this template would also fail hostPorts: on the host network the API \
         server sets each unset hostPort to its containerPort, so they get {}; turning \
         hostNetwork off clears both",
        theirs.reason_and_detail()
    ))
}

/// One pod template's path in its document and its violations at one level and version.
type TemplateViolations = (String, Vec<Violation>);

/// The string-valued `metadata.labels` and `metadata.annotations` of an object, and its pod
/// templates' labels (the first's) and container images (all of them).
fn object_metadata<'n>(node: &Node, templates: impl Iterator<Item = &'n Node>) -> ObjectMetadata {
    let strings = |node: &Node, key: &str| {
        node.get("metadata")
            .and_then(|m| m.get(key))
            .and_then(Node::as_map)
            .map(|m| {
                m.iter()
                    .filter_map(|e| Some((e.key.to_string(), e.value.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default()
    };
    let templates: Vec<&Node> = templates.collect();
    let images = templates
        .iter()
        .flat_map(|t| {
            ["initContainers", "containers", "ephemeralContainers"]
                .iter()
                .filter_map(|list| t.get("spec")?.get(list)?.as_seq())
        })
        .flatten()
        .filter_map(|c| {
            Some((
                c.get("name")?.as_str()?.to_string(),
                c.get("image")?.as_str()?.to_string(),
            ))
        })
        .collect();
    ObjectMetadata {
        labels: strings(node, "labels"),
        annotations: strings(node, "annotations"),
        template_labels: templates
            .first()
            .map(|t| strings(t, "labels"))
            .unwrap_or_default(),
        images,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_memo_is_twelve_bytes_and_capped_per_file() {
        // What a streamed file keeps between its passes must not grow with its documents.
        assert_eq!(std::mem::size_of::<Memo>(), 12);
        assert!(MEMO_LIMIT * std::mem::size_of::<Memo>() <= 16 * 1024 * 1024);
    }

    #[test]
    fn a_memo_fits_only_the_document_it_was_made_for() {
        let chunk = |text, start_line| Chunk {
            text,
            start_line,
            origin: None,
        };
        let m = Memo::of(&chunk("kind: ConfigMap\n", 3), Some(true));
        assert!(m.fits(&chunk("kind: ConfigMap\n", 3)));
        assert!(!m.fits(&chunk("kind: ConfigMap\n", 4)));
        assert!(!m.fits(&chunk("kind: Deployment\n", 3)));
    }
}
