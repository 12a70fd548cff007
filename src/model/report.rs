//! The finished report of a run: every diagnostic, the objects checked, the counts, and the
//! tracked exceptions with their status. The lint stage builds it; every output format reads it.

use serde::Serialize;

use super::diagnostic::{Diagnostic, ExceptionStatus, Mode, ObjectRef, Severity};
use super::level::Level;

/// Counts for the whole run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Files read.
    pub files: usize,
    /// Non-empty YAML/JSON documents parsed.
    pub documents: usize,
    /// Kubernetes objects found (apiVersion + kind), `*List` items included.
    pub objects: usize,
    /// Pod templates evaluated.
    pub pod_templates: usize,
    /// Documents that are not Kubernetes objects (values files, kustomizations, workflows).
    pub skipped: usize,
    /// Pod templates not evaluated: exempt namespace or runtime class (pss-spec §5.4).
    pub exempt: usize,
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    /// Findings covered by an active exception (they are notes).
    pub excepted: usize,
}

/// One object that was evaluated, passing or not (JUnit lists passing objects as passed tests;
/// the human report prints the upstream one-line verdict for failing ones).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckedObject {
    pub file: String,
    pub line: u32,
    pub column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    pub object: ObjectRef,
    pub level: Level,
    pub pss_version: String,
    /// The modes that use this level and version, strongest first (`[enforce]` when forced).
    pub modes: Vec<Mode>,
    /// `would violate PodSecurity "restricted:v1.37": ...` when the object fails.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<String>,
    /// How many of the object's pod templates fail at this level and version (an Experiment
    /// or an AnalysisTemplate has several; most kinds one).
    #[serde(default)]
    pub failing_templates: usize,
    /// The object's string labels and annotations, kept only with
    /// `LintOptions::keep_object_metadata` (notices group by them).
    #[serde(skip)]
    pub metadata: ObjectMetadata,
}

/// An object's `metadata.labels` and `metadata.annotations` with string values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectMetadata {
    pub labels: std::collections::BTreeMap<String, String>,
    pub annotations: std::collections::BTreeMap<String, String>,
}

impl CheckedObject {
    /// The modes to name beside the verdict: `None` for enforce alone (the forced policy, or a
    /// namespace whose enforce level is used by no other mode), else `audit, warn` and the like.
    pub fn modes_tag(&self) -> Option<String> {
        (self.modes.as_slice() != [Mode::Enforce]).then(|| {
            self.modes
                .iter()
                .map(|m| m.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Sorted by (path, line, column, rule).
    pub diagnostics: Vec<Diagnostic>,
    /// Sorted by (path, line, column).
    pub objects: Vec<CheckedObject>,
    pub summary: Summary,
    /// Every tracked exception and its status, sorted by location (`psslint exceptions`).
    pub exceptions: Vec<ExceptionRecord>,
}

impl Report {
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }

    /// Whether any finding has at least this severity (`--fail-on`).
    pub fn has_at_least(&self, severity: Severity) -> bool {
        self.diagnostics.iter().any(|d| d.severity >= severity)
    }
}

/// One row of `psslint exceptions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExceptionRecord {
    pub owner: String,
    pub namespace: String,
    pub kind: String,
    pub name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub containers: Vec<String>,
    pub checks: Vec<String>,
    pub reason: String,
    pub expires: String,
    pub status: ExceptionStatus,
    /// Findings it turned into notes.
    pub covered: usize,
    pub file: String,
    pub line: u32,
    pub column: u32,
}

impl ExceptionRecord {
    /// `payments/Deployment/ledger [ledger]`.
    pub fn scope(&self) -> String {
        let mut s = format!("{}/{}/{}", self.namespace, self.kind, self.name);
        if !self.containers.is_empty() {
            s.push_str(&format!(" [{}]", self.containers.join(", ")));
        }
        s
    }
}
