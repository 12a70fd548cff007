//! The policy stage's hooks into the lint pipeline ([`crate::lint`]): the first pass over the
//! inputs for Namespace objects, and the run-wide settling of config namespaces and config
//! exceptions once every file is linted.

use super::exceptions::{self, Status};
use super::{finding, hygiene, namespaces};
use crate::diagnostic::{Diagnostic, Severity};
use std::fs::File;
use std::io::{Seek, SeekFrom};

use super::namespaces::ObservedNamespace;
use crate::diagnose;
use crate::input::Source;
use crate::lint::{LintOptions, Partial, DEFAULT_STREAM_BATCH};
use crate::manifest::decode::decode;
use crate::manifest::stream;
use crate::manifest::yaml::ParseOptions;
use crate::source::LineIndex;

/// Options with the Namespace objects found by the first pass recorded.
pub fn observe(opts: &LintOptions, found: Vec<ObservedNamespace>) -> LintOptions {
    let mut opts = opts.clone();
    let found = crate::cluster::snapshot::rank_namespaces(found, &opts.snapshots);
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

/// After every file: findings about the config file's namespace entries and exceptions, and
/// the exception records for the review.
pub fn settle_run(opts: &LintOptions, partial: &mut Partial) {
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
                .map(|(text, index)| diagnose::snippet(text, index, span, finding::SNIPPET_CONTEXT))
        };
        f.into_diagnostic(&name, snippet, None)
    }));
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
                    .is_some_and(|e| e.status != Status::Expired)
        })
        .count()
}
