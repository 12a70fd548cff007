//! The config file's `namespaces:` entries: PSA labels and/or a documented reason per name.

use crate::model::source::Span;

use super::labels;

/// A namespace entry of the config file: PSA labels and/or a documented reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamespaceEntry {
    pub name: String,
    pub file: String,
    /// The span of the entry's name.
    pub span: Span,
    pub labels: Vec<labels::Label>,
    pub reason: Option<String>,
}

/// Config namespace entries by name (used by the policy to find reasons).
pub fn find_entry<'a>(entries: &'a [NamespaceEntry], name: &str) -> Option<&'a NamespaceEntry> {
    entries.iter().find(|e| e.name == name)
}
