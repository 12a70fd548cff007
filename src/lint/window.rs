//! Linting a file window by window: a file too large to hold is read in windows of whole
//! documents (see [`crate::manifest::stream`]), each linted as a file held in memory is; the
//! documents of a window are linted in parallel.

use std::sync::OnceLock;

use rayon::prelude::*;

use crate::diagnose::problem::problem_diagnostic;
use crate::manifest::split::Chunk;
use crate::manifest::stream;
use crate::model::problem::{InputRule, LoadProblem};

use super::memo::Memo;
use super::options::LintOptions;
use super::partial::Partial;
use super::problems::note_if_empty;
use super::text::FileCtx;

/// Lints a file too large to hold, window by window (see [`stream`]); the diagnostics are
/// those [`super::lint_bytes`] gives for the same content.
pub fn lint_stream<R: std::io::Read + std::io::Seek>(
    name: &str,
    file: R,
    opts: &LintOptions,
) -> Partial {
    lint_stream_memo(name, file, opts, None)
}

/// [`lint_stream`], taking what the first pass's skim settled.
pub(super) fn lint_stream_memo<R: std::io::Read + std::io::Seek>(
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
pub(super) fn lint_window(
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
