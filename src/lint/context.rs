//! `--namespaces-from PATH`: Namespace objects read for their Pod Security labels only, from
//! files that are not linted.
//!
//! A pre-commit hook lints the staged files, but a Deployment's verdict depends on the labels of
//! its Namespace, which usually sits committed in another file. Reading the repository's
//! Namespace objects as context (`psslint --namespaces-from . STAGED...`) judges the staged
//! files exactly as linting the whole repository would, without reporting on the rest.
//!
//! Context files are walked like inputs (`.gitignore` honoured unless `--no-ignore`), skipping
//! those that are linted anyway. Only their Namespace objects count: nothing else in them is
//! checked or reported, with one exception that keeps the run fail-closed: a document that may
//! hold a Namespace (its text names one) but cannot be parsed, so that its labels cannot be
//! known, is reported as the input problem it is (`parse-error`, ...), as linting the whole
//! repository would report it. Unrendered templates are skipped: a chart's templates are not
//! manifests, and a Namespace they render is known only once the chart is rendered. Files that
//! cannot be read or decoded are skipped, as are walk problems: they name no Namespace.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::options::{NamespaceSources, DEFAULT_STREAM_BATCH};
use crate::diagnose::problem::problem_diagnostic;
use crate::input::discover::{self, DiscoverOptions};
use crate::input::read::Source;
use crate::input::{display_path, Input};
use crate::manifest::decode::decode;
use crate::manifest::skim::{skim, Skim};
use crate::manifest::split::{split_batches, Chunk};
use crate::manifest::stream;
use crate::manifest::yaml::{parse_document, ParseOptions};
use crate::model::diagnostic::Diagnostic;
use crate::model::problem::{InputRule, LoadProblem};
use crate::policy::namespaces::{self, ObservedNamespace};

/// What the context files hold: their Namespace objects, and the problems that hide one.
#[derive(Debug, Default)]
pub struct Context {
    pub namespaces: Vec<ObservedNamespace>,
    pub problems: Vec<Diagnostic>,
}

const HINT: &str = "read for its Namespace objects (--namespaces-from): their labels decide how \
                    the linted workloads are judged, so this must be fixed or the file excluded";

/// Reads the Namespace objects of every file under `sources` that is not one of `targets`.
/// `read` supplies a file's content, as for the inputs.
pub fn read<F>(
    sources: &NamespaceSources,
    targets: &[Input],
    parse: &ParseOptions,
    read: F,
) -> Context
where
    F: Fn(&Input) -> Result<Source, LoadProblem> + Sync,
{
    if sources.is_empty() {
        return Context::default();
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let found = discover::discover_all(
        &sources.paths,
        &DiscoverOptions {
            no_ignore: sources.no_ignore,
            follow: sources.follow,
            threads,
        },
    );
    let linted: HashSet<PathBuf> = targets
        .iter()
        .filter_map(|t| match t {
            Input::File(p) => Some(identity(p)),
            Input::Stdin => None,
        })
        .collect();
    let files: Vec<&Input> = found
        .inputs
        .iter()
        .filter(|i| matches!(i, Input::File(p) if !linted.contains(&identity(p))))
        .collect();
    files
        .par_iter()
        .map(|input| match read(input) {
            Ok(source) => in_source(&input.display(), source, parse),
            Err(_) => Context::default(),
        })
        .reduce(Context::default, |mut a, b| {
            a.namespaces.extend(b.namespaces);
            a.problems.extend(b.problems);
            a
        })
}

/// A path as the file system knows it, so that `./k8s/a.yaml` and `k8s/a.yaml` are one file.
fn identity(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| PathBuf::from(display_path(path)))
}

fn in_source(name: &str, source: Source, parse: &ParseOptions) -> Context {
    match source {
        Source::Bytes(bytes) => match decode(&bytes) {
            Ok(text) if namespaces::may_hold_namespace(text) => {
                // In batches: memory must not grow with the number of documents.
                let mut found = Context::default();
                for (chunks, _) in split_batches(text, crate::manifest::stream::WINDOW_DOCUMENTS) {
                    let more = in_chunks(name, &chunks, parse);
                    found.namespaces.extend(more.namespaces);
                    found.problems.extend(more.problems);
                }
                found
            }
            _ => Context::default(),
        },
        Source::Stream(mut file) => in_stream(name, &mut file, parse).unwrap_or_default(),
    }
}

fn in_stream(name: &str, file: &mut std::fs::File, parse: &ParseOptions) -> Option<Context> {
    let survey = stream::survey(&mut *file).ok()?.ok()?;
    let mut out = Context::default();
    for window in stream::windows(&mut *file, survey, DEFAULT_STREAM_BATCH).ok()? {
        let window = window.ok()?;
        let found = in_chunks(name, &window.chunks(), parse);
        out.namespaces.extend(found.namespaces);
        out.problems.extend(found.problems);
    }
    Some(out)
}

/// The Namespace objects of some documents, and the problems of those that may hold one and
/// cannot be parsed.
fn in_chunks(name: &str, chunks: &[Chunk<'_>], parse: &ParseOptions) -> Context {
    let mut out = Context::default();
    let is_namespace_kind = |kind: &str| kind == "Namespace";
    for chunk in chunks
        .iter()
        .filter(|c| namespaces::may_hold_namespace(c.text))
    {
        // Exact: a document the skim settles is provably neither a Namespace nor a list.
        if let Skim::Skip { .. } = skim(chunk.text, parse, &is_namespace_kind) {
            continue;
        }
        let doc = parse_document(chunk.text, chunk.start_line, parse);
        if doc.root.is_some() {
            out.namespaces
                .extend(namespaces::in_document(name, chunk, parse));
            continue;
        }
        if doc
            .problems
            .iter()
            .any(|p| p.rule == InputRule::UnrenderedTemplate)
        {
            continue;
        }
        out.problems.extend(
            doc.problems
                .iter()
                .filter(|p| p.rule.leaves_unchecked())
                .map(|p| {
                    let mut d = problem_diagnostic(name, p, chunk.origin.as_deref());
                    d.hint = Some(match d.hint.take() {
                        Some(h) => format!("{h}; {HINT}"),
                        None => HINT.to_string(),
                    });
                    d
                }),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(text: &str) -> Context {
        in_source(
            "ns.yaml",
            Source::Bytes(text.as_bytes().to_vec()),
            &ParseOptions::default(),
        )
    }

    #[test]
    fn namespaces_are_found_and_other_documents_ignored() {
        let found = context(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: {pod-security.kubernetes.io/enforce: privileged}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: a, securityContext: {privileged: true}}]}\n---\nkind: ConfigMap\ndata: {a: [\n",
        );
        assert_eq!(found.namespaces.len(), 1);
        assert_eq!(found.namespaces[0].name, "shop");
        // The broken ConfigMap names no Namespace: nothing to report.
        assert!(found.problems.is_empty(), "{:?}", found.problems);
    }

    #[test]
    fn a_broken_document_that_may_be_a_namespace_is_reported() {
        let found = context("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop\n");
        assert!(found.namespaces.is_empty());
        assert_eq!(found.problems.len(), 1);
        let p = &found.problems[0];
        assert_eq!(
            (p.rule.as_str(), p.file.as_str()),
            ("parse-error", "ns.yaml")
        );
        assert!(p
            .hint
            .as_deref()
            .is_some_and(|h| h.contains("--namespaces-from")));
    }

    #[test]
    fn unrendered_templates_are_skipped() {
        let found = context(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {{ .Release.Namespace }}\n  labels: {{- toYaml .Values.labels | nindent 4 }}\n",
        );
        assert!(found.namespaces.is_empty() && found.problems.is_empty());
    }
}
