//! The file being linted, shared by its documents: its text, its line index (built on the first
//! finding), and how a problem or a span becomes a located diagnostic with its snippet.
//!
//! The stages below add their own methods to [`FileCtx`], each in its own file; calls go one
//! way: [`super::document`] → [`super::object`] → [`super::findings`] → here.

use std::sync::OnceLock;

use crate::diagnose::problem::problem_diagnostic;
use crate::diagnose::snippet::snippet_in;
use crate::manifest::stream;
use crate::model::diagnostic::{self, Diagnostic};
use crate::model::problem::LoadProblem;
use crate::model::source::{LineIndex, Span};
use crate::policy;

use super::options::LintOptions;

/// Lines of context captured around each finding for the human report (a streamed file's
/// windows carry as many).
pub(super) const SNIPPET_CONTEXT: u32 = stream::CONTEXT_LINES;

/// The file being linted, shared by its documents.
pub(super) struct FileCtx<'a> {
    pub(super) name: &'a str,
    /// The file's lines from `first_line` on (all of them unless the file is streamed).
    pub(super) text: &'a str,
    /// Built on the first finding: most files (ConfigMaps, CRDs, clean workloads) have none.
    pub(super) index: OnceLock<LineIndex>,
    pub(super) first_line: u32,
    pub(super) opts: &'a LintOptions,
}

impl FileCtx<'_> {
    pub(super) fn index(&self) -> &LineIndex {
        self.index.get_or_init(|| LineIndex::new(self.text))
    }

    pub(super) fn problem(&self, p: &LoadProblem, origin: Option<&str>) -> Diagnostic {
        let mut d = problem_diagnostic(self.name, p, origin);
        if let Some(span) = p.span {
            d.snippet = Some(self.snippet(span));
        }
        d
    }

    pub(super) fn snippet(&self, span: Span) -> diagnostic::Snippet {
        snippet_in(
            self.text,
            self.index(),
            self.first_line,
            span,
            SNIPPET_CONTEXT,
        )
    }

    /// Policy findings located in this file.
    pub(super) fn located<'f>(
        &'f self,
        found: Vec<policy::finding::Finding>,
        origin: Option<&'f str>,
    ) -> impl Iterator<Item = Diagnostic> + 'f {
        found
            .into_iter()
            .map(move |f| f.into_diagnostic(self.name, |span| Some(self.snippet(span)), origin))
    }
}
