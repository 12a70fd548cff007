//! What the engine reports: one [`Violation`] per failing check, with the fields at fault and
//! the [`Remedy`] for each.

use crate::model::field::FieldPath;

/// A field that makes a check fail, relative to the pod (`spec.containers[0]...` or
/// `metadata.annotations[...]`). The path names the field that should change, even when it is
/// absent from the manifest (e.g. a missing `runAsNonRoot`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRef {
    pub path: FieldPath,
    /// The container the field belongs to, if any.
    pub container: Option<String>,
    /// What should be done at that field.
    pub remedy: Remedy,
}

/// The concrete change that makes one offending field compliant. The diagnose stage turns it
/// into YAML written for the exact spot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remedy {
    /// Set the field (creating missing parents) to this YAML scalar or flow value.
    Set(String),
    /// Remove the field (or the list entry / annotation it names).
    Remove,
    /// Remove these entries from the list at the path (e.g. capabilities in `add`).
    RemoveItems(Vec<String>),
    /// Add this entry to the list at the path (e.g. `ALL` in `capabilities.drop`).
    AddItem(String),
    /// Replace the value with one of these allowed values.
    OneOf(Vec<String>),
}

/// One failing check for one pod, as upstream reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The check ID, e.g. `runAsNonRoot`, `capabilities_restricted`.
    pub check: &'static str,
    /// The upstream reason, e.g. `runAsNonRoot != true`.
    pub reason: String,
    /// The upstream detail, e.g. `pod or container "app" must set securityContext.runAsNonRoot=true`.
    pub detail: String,
    /// Every offending field, in the order upstream lists them (pod first, then containers in
    /// visit order, then annotations).
    pub fields: Vec<FieldRef>,
}

impl Violation {
    /// `reason (detail)`, or `reason` when detail is empty (pss-spec §4.1).
    pub fn reason_and_detail(&self) -> String {
        if self.detail.is_empty() {
            self.reason.clone()
        } else {
            format!("{} ({})", self.reason, self.detail)
        }
    }
}

/// The aggregate detail of several violations, joined as upstream joins them (pss-spec §4.1).
pub fn aggregate(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(Violation::reason_and_detail)
        .collect::<Vec<_>>()
        .join(", ")
}
