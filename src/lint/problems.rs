//! What an input gets when it holds no document to lint: too large, empty, or an empty pipe.

use crate::diagnose::problem::problem_diagnostic;
use crate::input::Input;
use crate::model::diagnostic::Diagnostic;
use crate::model::problem::{InputRule, LoadProblem};

use super::options::LintOptions;
use super::partial::Partial;

pub(super) fn too_large(name: &str, size: usize, opts: &LintOptions) -> Diagnostic {
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

/// A file without a single document says so (a note): an empty render is a common mistake.
pub(super) fn note_if_empty(name: &str, out: &mut Partial) {
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

/// Standard input or a pipe that gave no document: what should have been piped in went missing
/// (a `helm template` that failed prints nothing), so unless `--allow-empty` that is an error
/// that fails the run, not the note an empty file gets.
pub(super) fn empty_stream(input: &Input, mut partial: Partial, opts: &LintOptions) -> Partial {
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
pub(super) fn rereadable(input: &Input) -> bool {
    match input {
        Input::Stdin => false,
        Input::File(path) => std::fs::metadata(path).map_or(true, |m| m.is_file()),
    }
}
