//! Linting one input's content on its own: bytes held in memory (one window, the whole file)
//! or a streamed file ([`super::window`]).

use std::time::Instant;

use crate::diagnose::problem::problem_diagnostic;
use crate::input::read::Source;
use crate::manifest::decode::decode;
use crate::manifest::split::split_batches;
use crate::model::problem::LoadProblem;
use crate::runtime::timings::Stage;

use super::options::LintOptions;
use super::partial::Partial;
use super::problems::{note_if_empty, too_large};
use super::settle;
use super::window::{lint_stream, lint_window};

/// Lints what reading an input gave.
pub(super) fn lint_read(
    name: &str,
    read: Result<Source, LoadProblem>,
    opts: &LintOptions,
) -> Partial {
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
    if let Some(t) = &opts.timings {
        t.add(Stage::Split, split_start);
        t.add_bytes(bytes.len());
    }
    // In batches, so that memory does not grow with the number of documents.
    let mut batches = split_batches(text, crate::manifest::stream::WINDOW_DOCUMENTS);
    while let Some((chunks, split_problems)) = opts.timed(Stage::Split, || batches.next()) {
        out = out.merge(lint_window(
            name,
            text,
            1,
            &chunks,
            &split_problems,
            None,
            opts,
        ));
    }
    note_if_empty(name, &mut out);
    out
}
