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
//!
//! This file is the driver; each stage is a file of its own, and calls only go down:
//! - [`first_pass`]: Namespace objects and what does not depend on them ([`memo`] keeps a
//!   streamed file's skim for the second pass);
//! - [`file`]: one input's content on its own; [`window`]: a file window by window;
//!   [`problems`]: an input without a document to lint;
//! - [`document`] → [`object`] → [`findings`] → [`text`]: one document, one object, the
//!   diagnostics they build, the file they are located in;
//! - [`settle`]: the run-wide settling once every file is linted; [`owners`]: folding owned
//!   objects; [`context`]: `--namespaces-from`; [`partial`]: what the stages hand on.

pub mod context;
mod document;
mod file;
mod findings;
mod first_pass;
mod memo;
mod object;
pub mod options;
pub mod owners;
pub mod partial;
mod problems;
pub mod settle;
mod text;
mod window;

use std::sync::atomic::AtomicUsize;

use rayon::prelude::*;

use crate::diagnose::problem::problem_diagnostic;
use crate::input::discover::Discovered;
use crate::input::read::Source;
use crate::input::Input;
use crate::model::problem::LoadProblem;
use crate::model::report::Report;
use crate::policy::namespaces::ObservedNamespace;
use crate::runtime::timings::Stage;
use file::lint_read;
pub use file::{lint_bytes, lint_source};
use first_pass::Prepared;
use options::LintOptions;
use partial::Partial;
use problems::{empty_stream, note_if_empty, rereadable};
use settle::{finish, relax_unchecked};
pub use window::lint_stream;
use window::lint_stream_memo;

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
            first_pass::prepare(
                &name,
                kept.unwrap_or_else(|| read(input)),
                was_kept,
                &deferred_bytes,
                opts,
            )
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
