//! Linting one document: settled by the exact fast path ([`crate::manifest::skim`]) when it
//! needs no tree, else parsed and each of its objects linted ([`super::object`]). The tree is
//! dropped as soon as the document's diagnostics are built.

use std::time::Instant;

use crate::manifest::object::objects;
use crate::manifest::skim::{skim, Skim};
use crate::manifest::split::Chunk;
use crate::manifest::yaml::parse_document;
use crate::runtime::timings::Stage;

use super::partial::Partial;
use super::text::FileCtx;

impl FileCtx<'_> {
    pub(super) fn lint_chunk(&self, chunk: &Chunk<'_>) -> Partial {
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
    pub(super) fn lint_memo(&self, chunk: &Chunk<'_>, settled: Option<bool>) -> Partial {
        if let Some(t) = &self.opts.timings {
            t.add_chunk(settled.is_some());
        }
        match settled {
            Some(object) => settled_partial(object),
            None => self.lint_tree(chunk),
        }
    }

    /// The fast path: what a document that needs no tree contributes, if the skim proves so.
    pub(super) fn settle(&self, chunk: &Chunk<'_>) -> Option<Partial> {
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

    /// Parses a document and lints its objects.
    pub(super) fn lint_tree(&self, chunk: &Chunk<'_>) -> Partial {
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
}

/// What a document the fast path settled contributes: one document, holding one object of a
/// kind the pipeline does not look inside (`object`), or none.
pub(super) fn settled_partial(object: bool) -> Partial {
    let mut out = Partial::default();
    out.summary.documents = 1;
    out.summary.objects = usize::from(object);
    out.summary.skipped = usize::from(!object);
    out
}
