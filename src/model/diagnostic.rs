//! Diagnostics: the finished, located findings that every report format renders.
//!
//! The JSON contract (README "JSON output") is the serde form of [`Diagnostic`]; keep it stable
//! and additive.

use serde::Serialize;

use super::field::FieldPath;
use super::level::Level;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// The Pod Security Admission modes (pss-spec §4.3–4.5), strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Enforce,
    Audit,
    Warn,
}

impl Mode {
    pub const ALL: [Mode; 3] = [Mode::Enforce, Mode::Audit, Mode::Warn];

    /// A check failing at the enforce level is an error; at audit or warn only, a warning.
    pub fn severity(self) -> Severity {
        match self {
            Mode::Enforce => Severity::Error,
            Mode::Audit | Mode::Warn => Severity::Warning,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::Audit => "audit",
            Mode::Warn => "warn",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// The object a diagnostic is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ObjectRef {
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
}

impl ObjectRef {
    /// `Deployment/app`.
    pub fn display_name(&self) -> String {
        format!("{}/{}", self.kind, self.name)
    }
}

/// How the policy stage judged a PSS finding.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PolicyContext {
    /// The strongest mode the check fails in: `enforce` (an error), `audit` or `warn`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    /// Where that mode's level and version were set (a namespace label, a config line, the
    /// built-in default); absent when `--level`/`--pss-version` forced the policy.
    #[serde(rename = "policy_source", skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The tracked exception that covers the finding (`active`/`expiring`: the finding is a
    /// note) or that covered it until it expired (`expired`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exception: Option<AppliedException>,
}

/// A tracked exception's state on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ExceptionStatus {
    Active,
    Expiring,
    Expired,
    Unused,
}

impl ExceptionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ExceptionStatus::Active => "active",
            ExceptionStatus::Expiring => "expiring",
            ExceptionStatus::Expired => "expired",
            ExceptionStatus::Unused => "unused",
        }
    }
}

/// The exception that applied to a finding, as the JSON contract shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppliedException {
    pub owner: String,
    pub expires: String,
    /// `active`, `expiring` (both applied: the finding is a note) or `expired` (no longer
    /// applies: the finding keeps its severity).
    pub status: ExceptionStatus,
    pub reason: String,
    /// Where the exception is written: `psslint.yaml:40:5` or `annotation psslint.dev/exception`.
    pub source: String,
    #[serde(skip)]
    pub config_index: Option<usize>,
}

/// Another offending field of the same finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Related {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub field: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// What this location is when it is not another offending field: `rendered` (the Helm
    /// output the finding was found in) or `template` (the template line, when a values line
    /// is the primary location).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<&'static str>,
}

impl Related {
    /// How reports introduce this location: `rendered at` (the Helm output line of a finding
    /// mapped to its chart), `template line` (when a values line is primary) or `also` (another
    /// offending field).
    pub fn label(&self) -> &'static str {
        match self.role {
            Some("rendered") => "rendered at",
            Some("template") => "template line",
            _ => "also",
        }
    }
}

/// A file position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

/// How the primary location of a finding in Helm output was chosen (see `src/sourcemap/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MapStatus {
    /// The template line that wrote the offending field is the primary location.
    Template,
    /// The values line that sets (or should set) the field is the primary location.
    Values,
    /// The chart's sources were found but the line could not be told for certain: the
    /// rendered location stays primary.
    Uncertain,
}

/// A values path and where it is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValuesLocation {
    pub file: String,
    pub line: u32,
    pub column: u32,
    /// The values path at that line (`securityContext`, `ports.otlp.hostPort`).
    pub path: String,
}

/// The fix written as a change to a values file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValuesFix {
    pub description: String,
    /// The YAML to write at the values line, indented for that file.
    pub yaml: String,
}

/// Where a finding in Helm output comes from in the chart's sources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceMap {
    pub status: MapStatus,
    /// The line of the rendered output (always kept).
    pub rendered: Location,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<ValuesLocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values_fix: Option<ValuesFix>,
    /// Why the mapping is uncertain, or what it could not resolve.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A concrete fix: what to do, and the YAML to add or change at the reported spot, with the
/// field edits that `psslint --fix` applies (see `src/fix/`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub description: String,
    pub yaml: String,
    /// Whether `--fix` applies it: `automatic`, `unsafe` (only with `--unsafe-fixes`: it can
    /// change how the workload runs) or `manual`.
    pub applicability: Applicability,
    /// Why the fix is not applied automatically, when it is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The edits, by field path from the document root; every offending field of the finding
    /// has one. Empty for a manual fix.
    #[serde(skip)]
    pub edits: Vec<FieldEdit>,
}

impl Fix {
    /// A fix that a person applies (policy and configuration findings).
    pub fn manual(description: impl Into<String>, yaml: impl Into<String>) -> Self {
        Fix {
            description: description.into(),
            yaml: yaml.into(),
            applicability: Applicability::Manual,
            note: None,
            edits: Vec::new(),
        }
    }
}

/// How safely a fix can be applied, as ruff grades its fixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Applied by `--fix`: it only removes a privilege workloads practically never rely on.
    Automatic,
    /// Applied only with `--unsafe-fixes`: it can change how the workload runs.
    Unsafe,
    /// Not applied: a person has to decide.
    Manual,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Automatic => "automatic",
            Applicability::Unsafe => "unsafe",
            Applicability::Manual => "manual",
        }
    }
}

/// One edit of a fix: what to do to the field at `path` (from the document root).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldEdit {
    pub path: FieldPath,
    pub op: EditOp,
}

/// The change to one field. Values are YAML scalars (`false`, `RuntimeDefault`); the fix
/// engine writes them in the style of the text around them (quoted in JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditOp {
    /// Set the field to this scalar, creating missing parent mappings.
    Set(String),
    /// Remove the mapping entry or list item.
    Remove,
    /// Append this item to the list (creating the list if it is missing).
    AddItem(String),
    /// Remove every occurrence of these items from the list (the entry goes when it empties).
    RemoveItems(Vec<String>),
    /// Replace the entry (key and value) with `key: value` (a volume source).
    ReplaceEntry { key: String, value: String },
}

/// A few source lines around the primary location, captured while the file is in memory so
/// that reports never re-read or rescan files.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snippet {
    /// 1-based line number of `lines[0]`.
    pub first_line: u32,
    pub lines: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    /// A PSS check ID (`runAsNonRoot`) or an input rule ID (`parse-error`).
    pub rule: String,
    pub severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// The policy version as requested (`latest` or `v1.N`), never the clamped one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pss_version: Option<String>,
    /// The mode, policy source and exception of a PSS finding (flattened into the JSON).
    #[serde(flatten)]
    pub policy: PolicyContext,
    /// Upstream reason text (PSS findings only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Upstream detail text (PSS findings only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// A one-line human message.
    pub message: String,
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    /// The Helm template named by `# Source:` for the object's document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<ObjectRef>,
    /// The field path of the primary location.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
    /// A hint for input problems (e.g. run `helm template` first).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// For Helm output: the template and values lines the finding maps to (then the primary
    /// location above is one of them and the rendered line is a related location).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_map: Option<SourceMap>,
    #[serde(skip)]
    pub snippet: Option<Snippet>,
}

impl Diagnostic {
    /// Where the finding was found: the file and line of the document linted (for a finding
    /// mapped to its chart's sources, the rendered output rather than the primary location).
    /// Reports that group findings by the object checked use this.
    pub fn found_at(&self) -> (&str, u32) {
        match &self.source_map {
            Some(m) if m.status != MapStatus::Uncertain => (&m.rendered.file, m.rendered.line),
            _ => (&self.file, self.line),
        }
    }

    /// The sort key that makes output deterministic: (path, line, column, rule), then the rest
    /// of the identity so that ties never depend on thread scheduling.
    pub fn sort_key(&self) -> (&str, u32, u32, &str, u32, u32, &str) {
        (
            &self.file,
            self.line,
            self.column,
            &self.rule,
            self.end_line,
            self.end_column,
            &self.message,
        )
    }
}

/// Sorts diagnostics into the one canonical order.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}
