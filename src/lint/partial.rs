//! What linting one file or one document produced: the hand-off between the lint stages,
//! merged across files and documents and settled into the [`Report`](crate::model::report::Report).

use crate::model::diagnostic::Diagnostic;
use crate::model::report::{CheckedObject, Summary};
use crate::policy;

/// What linting one file (or one document) produced.
#[derive(Debug, Default)]
pub struct Partial {
    pub diagnostics: Vec<Diagnostic>,
    pub objects: Vec<CheckedObject>,
    pub summary: Summary,
    /// What exceptions did (settled once every file is linted).
    pub policy: policy::exceptions::RunRecord,
    /// Who the objects are and who created them (folded once every file is linted).
    pub owners: super::owners::Records,
}

impl Partial {
    pub fn merge(mut self, other: Partial) -> Partial {
        self.diagnostics.extend(other.diagnostics);
        self.objects.extend(other.objects);
        let (a, b) = (&mut self.summary, other.summary);
        a.files += b.files;
        a.documents += b.documents;
        a.objects += b.objects;
        a.pod_templates += b.pod_templates;
        a.skipped += b.skipped;
        a.exempt += b.exempt;
        // Most documents record no exception: merging two empty maps still walks them, a
        // cost per document (10% of the instructions on a stream of empty documents).
        let p = &other.policy;
        if !(p.records.is_empty() && p.config_covered.is_empty() && p.config_seen.is_empty()) {
            self.policy.merge(other.policy);
        }
        self.owners.merge(other.owners);
        self
    }
}
