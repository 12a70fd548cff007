//! The policy's part of a run: the Namespace objects the first pass finds, and the run-wide
//! settling once every file is linted (config namespaces and config exceptions, then the
//! sorted, counted [`Report`]).

use std::fs::File;
use std::io::{Seek, SeekFrom};

use super::options::{LintOptions, DEFAULT_STREAM_BATCH};
use super::partial::Partial;
use crate::diagnose::snippet;
use crate::input::read::Source;
use crate::manifest::decode::decode;
use crate::manifest::stream;
use crate::manifest::yaml::ParseOptions;
use crate::model::diagnostic::{self, Diagnostic, ExceptionStatus, Severity};
use crate::model::problem::is_unchecked;
use crate::model::report::Report;
use crate::model::source::LineIndex;
use crate::policy::namespaces::{self, ObservedNamespace};
use crate::policy::{exceptions, finding, hygiene};

/// Options with the Namespace objects found by the first pass recorded.
pub fn observe(opts: &LintOptions, found: Vec<ObservedNamespace>) -> LintOptions {
    let mut opts = opts.clone();
    let found = namespaces::rank_snapshots(found, &opts.snapshots);
    opts.policy
        .observe(namespaces::NamespaceIndex::from_observed(found));
    opts
}

/// The Namespace objects of one source; a streamed file is read window by window and left
/// rewound for the second pass.
pub fn namespaces_in(
    name: &str,
    source: &mut Source,
    parse: &ParseOptions,
) -> Vec<ObservedNamespace> {
    match source {
        Source::Bytes(bytes) => match decode(bytes) {
            Ok(text) => namespaces::in_text(name, text, parse),
            Err(_) => Vec::new(),
        },
        Source::Stream(file) => {
            let found = in_stream(name, file, parse).unwrap_or_default();
            // A file that cannot be rewound fails to read in the second pass, which says so.
            let _ = file.seek(SeekFrom::Start(0));
            found
        }
    }
}

fn in_stream(name: &str, file: &mut File, parse: &ParseOptions) -> Option<Vec<ObservedNamespace>> {
    file.seek(SeekFrom::Start(0)).ok()?;
    let survey = stream::survey(file).ok()?.ok()?;
    let mut found = Vec::new();
    for window in stream::windows(&mut *file, survey, DEFAULT_STREAM_BATCH).ok()? {
        let window = window.ok()?;
        found.extend(namespaces::in_chunks(name, &window.chunks(), parse));
    }
    Some(found)
}

/// The same for a single file linted on its own.
pub fn observe_text(opts: &LintOptions, name: &str, text: &str) -> Option<LintOptions> {
    if !opts.policy.needs_namespaces() {
        return None;
    }
    let found = namespaces::in_text(name, text, &opts.parse);
    let mut opts = opts.clone();
    opts.policy
        .observe(namespaces::NamespaceIndex::from_observed(found));
    Some(opts)
}

/// Folds owned objects and cluster copies into their representatives (see
/// [`super::owners`]).
fn fold_owners(opts: &LintOptions, partial: &mut Partial) {
    let records = std::mem::take(&mut partial.owners);
    super::owners::fold(
        records,
        super::owners::Run {
            diagnostics: &mut partial.diagnostics,
            objects: &mut partial.objects,
            summary: &mut partial.summary,
            exceptions: &mut partial.policy,
            snapshots: &opts.snapshots,
        },
    );
}

/// After every file: findings about the config file's namespace entries and exceptions, and
/// the exception records for the review.
pub fn settle_run(opts: &LintOptions, partial: &mut Partial) {
    // First, each object folds into the workload it belongs to (its config exception counts
    // must not count a folded copy's findings).
    fold_owners(opts, partial);
    let policy = &opts.policy;
    let mut findings = hygiene::config_entries(policy);
    let (exception_findings, records) =
        exceptions::settle_config(&policy.exceptions, &policy.clock, &partial.policy);
    findings.extend(exception_findings);
    partial.policy.records.extend(records);
    if findings.is_empty() {
        return;
    }
    let (name, text) = match &policy.config {
        Some(c) => (c.name.clone(), Some(c.text.clone())),
        None => (String::from("psslint.yaml"), None),
    };
    let index = text.as_deref().map(LineIndex::new);
    let located = text.as_deref().zip(index.as_ref());
    partial.diagnostics.extend(findings.into_iter().map(|f| {
        let snippet = |span| {
            located
                .map(|(text, index)| snippet::snippet(text, index, span, finding::SNIPPET_CONTEXT))
        };
        f.into_diagnostic(&name, snippet, None)
    }));
}

/// With `--allow-unchecked`, input that could not be checked is a warning.
pub fn relax_unchecked(partial: &mut Partial, opts: &LintOptions) {
    if !opts.allow_unchecked {
        return;
    }
    for d in &mut partial.diagnostics {
        if d.severity == Severity::Error && is_unchecked(d) {
            d.severity = Severity::Warning;
        }
    }
}

/// Findings covered by an exception (notes) in `diagnostics`.
pub fn excepted(diagnostics: &[Diagnostic]) -> usize {
    diagnostics
        .iter()
        .filter(|d| {
            d.severity == Severity::Note
                && d.policy
                    .exception
                    .as_ref()
                    .is_some_and(|e| e.status != ExceptionStatus::Expired)
        })
        .count()
}

/// Sorts and counts.
pub fn finish(mut partial: Partial) -> Report {
    diagnostic::sort(&mut partial.diagnostics);
    partial.objects.sort_by(|a, b| {
        (&a.file, a.line, a.column, &a.object).cmp(&(&b.file, b.line, b.column, &b.object))
    });
    let mut summary = partial.summary;
    summary.errors = count(&partial.diagnostics, Severity::Error);
    summary.warnings = count(&partial.diagnostics, Severity::Warning);
    summary.notes = count(&partial.diagnostics, Severity::Note);
    summary.excepted = excepted(&partial.diagnostics);
    let mut exceptions = partial.policy.records;
    exceptions.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    Report {
        diagnostics: partial.diagnostics,
        objects: partial.objects,
        summary,
        exceptions,
    }
}

fn count(diags: &[Diagnostic], s: Severity) -> usize {
    diags.iter().filter(|d| d.severity == s).count()
}
