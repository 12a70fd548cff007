//! The policy stage's hooks into the lint pipeline ([`crate::lint`]): the first pass over the
//! inputs for Namespace objects, and the run-wide settling of config namespaces and config
//! exceptions once every file is linted.

use super::exceptions::{self, Status};
use super::{hygiene, namespaces};
use crate::diagnostic::{Diagnostic, Severity};
use crate::discover::Input;
use crate::lint::{LintOptions, Partial};
use crate::source::LineIndex;

/// When Namespace objects decide levels (no forced policy) and have not been collected yet:
/// options with the Namespace objects of all `inputs` recorded.
pub fn observe_inputs<F>(opts: &LintOptions, inputs: &[Input], read: &F) -> Option<LintOptions>
where
    F: Fn(&Input) -> Result<Vec<u8>, String> + Sync,
{
    if !opts.policy.needs_namespaces() {
        return None;
    }
    let index = namespaces::collect(inputs, read, opts.max_file_size, &opts.parse);
    let mut opts = opts.clone();
    opts.policy.observe(index);
    Some(opts)
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
    partial.diagnostics.extend(
        findings
            .into_iter()
            .map(|f| f.into_diagnostic(&name, located, None)),
    );
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
