//! GitHub Actions workflow commands: each finding becomes an annotation on the pull request's
//! diff and the run's summary.
//!
//! ```text
//! ::error file=k8s/app.yaml,line=12,col=7,endLine=12,endColumn=22,title=psslint runAsNonRoot::runAsNonRoot != true (…)
//! ```
//!
//! Errors are `::error`, warnings `::warning` and notes `::notice`. Paths are relative to the
//! repository root, as GitHub resolves them. The message carries the fix and the Helm template
//! on further lines. Escaping follows GitHub's runner (`toolkit/packages/core/src/command.ts`):
//! `%`, CR and LF in the message; additionally `:` and `,` in property values. Text from the
//! input (file names, names, values) is escaped first ([`super::text`]), so its line breaks
//! and escape sequences show as `\n`, `\u{1b}` and never reach the log raw.
//!
//! When `GITHUB_STEP_SUMMARY` is set, the caller also appends the Markdown summary
//! ([`super::markdown`]) to that file ([`append_step_summary`]).

use std::fs::OpenOptions;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use super::root::SourceRoot;
use crate::model::diagnostic::{Diagnostic, Severity};
use crate::model::report::Report;

/// The environment variable GitHub Actions sets to the step's summary file.
pub const STEP_SUMMARY_ENV: &str = "GITHUB_STEP_SUMMARY";

pub fn render(report: &Report, root: Option<&SourceRoot>, out: &mut dyn Write) -> io::Result<()> {
    let mut out = BufWriter::new(out);
    // Diagnostics come sorted by file: resolve each file's path once.
    let mut path: Option<(&str, String)> = None;
    for d in &report.diagnostics {
        let file = match &path {
            Some((name, resolved)) if *name == d.file => resolved.clone(),
            _ => {
                let resolved = root
                    .and_then(|r| r.relative(&d.file))
                    .unwrap_or_else(|| d.file.clone());
                path = Some((&d.file, resolved.clone()));
                resolved
            }
        };
        // Input text never reaches the log raw: an escape sequence there would recolour or
        // hide lines of the job's log (a line break is escaped as `%0A` anyway).
        let safe = super::text::diagnostic(d);
        writeln!(
            out,
            "{}",
            command(&safe, super::text::escape(&file).into_owned())
        )?;
    }
    out.flush()
}

/// One workflow command; `file` is the path GitHub resolves from the repository root.
fn command(d: &Diagnostic, file: String) -> String {
    let name = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    };
    let (line, col) = (d.line.max(1), d.column.max(1));
    let end_line = d.end_line.max(line);
    let mut props = vec![
        ("file", file),
        ("line", line.to_string()),
        ("col", col.to_string()),
        ("endLine", end_line.to_string()),
    ];
    // GitHub reads a column range only on a single line.
    if end_line == line && d.end_column > col {
        props.push(("endColumn", d.end_column.to_string()));
    }
    props.push(("title", format!("psslint {}", d.rule)));
    let props: Vec<String> = props
        .iter()
        .map(|(k, v)| format!("{k}={}", escape_property(v)))
        .collect();
    format!("::{name} {}::{}", props.join(","), escape_data(&message(d)))
}

/// The message, then the Helm template, the fix (with its YAML) and the hint, one per line.
fn message(d: &Diagnostic) -> String {
    let mut text = d.message.clone();
    if let Some(origin) = &d.origin {
        text.push_str(&format!("\nHelm template: {origin}"));
    }
    for r in &d.related {
        text.push_str(&format!("\nAlso: line {} {}", r.line, r.field));
        if let Some(c) = &r.container {
            text.push_str(&format!(" (container \"{c}\")"));
        }
    }
    if let Some(fix) = &d.fix {
        text.push_str(&format!("\nFix: {}", fix.description));
        let yaml = fix.yaml.trim_end_matches('\n');
        if !yaml.is_empty() {
            text.push('\n');
            text.push_str(yaml);
        }
    }
    if let Some(hint) = &d.hint {
        text.push_str(&format!("\nHint: {hint}"));
    }
    text
}

/// Command data: `%`, CR and LF.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Command property values: as data, plus `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Appends the Markdown summary to `path` (the step summary file), creating it if needed.
pub fn append_step_summary(report: &Report, path: &Path) -> io::Result<()> {
    let file = OpenOptions::new().create(true).append(true).open(path)?;
    let mut out = BufWriter::new(file);
    super::markdown::render(report, &mut out)?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_runner() {
        assert_eq!(escape_data("50% a:b,c\r\nd"), "50%25 a:b,c%0D%0Ad");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
