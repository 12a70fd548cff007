//! Output formats. Each module renders the same finished [`Report`] (diagnostics already sorted)
//! to bytes; adding a format touches nothing else.

pub mod concise;
pub mod exceptions;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod root;
pub mod sarif;
pub mod statistics;
pub mod text;

use std::io::{self, Write};

use serde::Serialize;

use crate::diagnostic::{Diagnostic, ObjectRef, Severity};
use crate::policy::exceptions::ExceptionRecord;
use crate::policy::Mode;
use crate::pss::Level;

pub use root::SourceRoot;

/// The `tool` object that heads every JSON document psslint writes (report, plan, notices,
/// exception review).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

/// This build of psslint.
pub const TOOL: Tool = Tool {
    name: env!("CARGO_PKG_NAME"),
    version: env!("CARGO_PKG_VERSION"),
};

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
    /// [`crate::lint::LintOptions::keep_object_metadata`] (notices group by them).
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

/// Rendering options shared by formats that care.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// Emit ANSI colour (human format only). Decided by the caller from the terminal and
    /// `NO_COLOR`.
    pub color: bool,
    /// Findings only: no verdict or summary lines (human format only).
    pub quiet: bool,
    /// The repository root that SARIF and GitHub paths are made relative to. Without it, paths
    /// stay as the diagnostics give them (relative to the working directory).
    pub root: Option<SourceRoot>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Format {
    /// Rich terminal output with source snippets and fixes.
    Human,
    /// One line per finding: `path:line:col: rule message`.
    Concise,
    /// The stable machine-readable contract.
    Json,
    /// SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// JUnit XML: one test suite per file, one test case per object checked.
    Junit,
    /// GitHub Actions workflow commands (`::error file=…`), shown as annotations.
    Github,
    /// A Markdown summary (counts per check, failing objects), for pull-request comments.
    Markdown,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Concise => "concise",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Github => "github",
            Format::Markdown => "markdown",
        }
    }

    /// The format named `name` (as on the command line), case-sensitively.
    pub fn from_name(name: &str) -> Option<Format> {
        <Format as clap::ValueEnum>::value_variants()
            .iter()
            .copied()
            .find(|f| f.name() == name)
    }

    /// Formats that a program reads: nothing else may be appended to them.
    pub fn is_machine_readable(self) -> bool {
        matches!(self, Format::Json | Format::Sarif | Format::Junit)
    }
}

/// Renders `report` in `format` to `out`.
pub fn render(
    format: Format,
    report: &Report,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Human => human::render(report, opts, out),
        Format::Concise => concise::render(report, out),
        Format::Json => json::render(report, out),
        Format::Sarif => sarif::render(report, opts.root.as_ref(), out),
        Format::Junit => junit::render(report, out),
        Format::Github => github::render(report, opts.root.as_ref(), out),
        Format::Markdown => markdown::render(report, out),
    }
}
