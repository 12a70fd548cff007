//! What every format shares: the `tool` object of JSON documents and the rendering options.

use serde::Serialize;

use super::root::SourceRoot;

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
    /// The reports of the same run that list every finding (`psslint.json`, `standard
    /// output`), named by the note of a format that caps what it shows (SARIF, GitHub).
    pub complete_reports: Vec<String>,
}
