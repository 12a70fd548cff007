//! Output formats. Each module renders the same finished [`Report`] (diagnostics already sorted)
//! to bytes; adding a format touches nothing else.

pub mod concise;
pub mod exceptions;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod limits;
pub mod markdown;
pub mod options;
pub mod output;
pub mod root;
pub mod sarif;
pub mod statistics;
pub mod text;
pub mod yaml_out;

use std::io::{self, Write};

use crate::model::report::Report;

pub use options::{RenderOptions, Tool, TOOL};
pub use root::SourceRoot;

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

    /// Formats that list every finding, however many: SARIF keeps what code scanning takes,
    /// and Markdown is a summary. (GitHub's format annotates a few and lists the rest in the
    /// log.)
    pub fn lists_every_finding(self) -> bool {
        !matches!(self, Format::Sarif | Format::Markdown)
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
        Format::Sarif => sarif::render(report, opts.root.as_ref(), &opts.complete_reports, out),
        Format::Junit => junit::render(report, out),
        Format::Github => github::render(report, opts.root.as_ref(), &opts.complete_reports, out),
        Format::Markdown => markdown::render(report, out),
    }
}
