//! A Markdown summary for GitHub step summaries and pull-request comments: the verdict line,
//! counts per check and level with links to the rule docs, the failing objects with their
//! upstream verdicts, and the input problems.
//!
//! ```markdown
//! ## psslint
//!
//! Found 2 errors in 1 of 2 pod templates (4 files, 5 documents)
//!
//! | Check | Level | Errors | Warnings | Notes |
//! |---|---|--:|--:|--:|
//! | [runAsNonRoot](https://github.com/psslint/psslint/blob/main/rules/runAsNonRoot.md) | restricted | 1 | 0 | 0 |
//! ```
//!
//! Long lists are cut at [`MAX_ROWS`] rows (GitHub caps comments at 65,536 characters). Text
//! from manifests is escaped, so a name cannot inject Markdown or HTML.

use std::collections::BTreeMap;
use std::io::{self, BufWriter, Write};

use super::sarif::rule_doc_url;
use crate::model::diagnostic::{Diagnostic, Severity};
use crate::model::report::Report;
use crate::rules::{self, RuleKind};

/// Rows per table before the rest is summarised as "… and N more".
pub const MAX_ROWS: usize = 50;

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut out = BufWriter::new(out);
    writeln!(out, "## psslint\n")?;
    writeln!(out, "{}\n", escape(&super::human::summary_line(report).1))?;
    write_counts(&mut out, report)?;
    write_failing_objects(&mut out, report)?;
    write_problems(&mut out, report, RuleKind::Input, "Input problems")?;
    write_problems(&mut out, report, RuleKind::Policy, "Policy findings")?;
    out.flush()
}

/// `| check | level | errors | warnings | notes |`, in rule-document order.
fn write_counts(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    if report.diagnostics.is_empty() {
        return Ok(());
    }
    let order = |rule: &str| {
        rules::all()
            .iter()
            .position(|r| r.id == rule)
            .unwrap_or(usize::MAX)
    };
    let mut counts: BTreeMap<(usize, &str), [usize; 3]> = BTreeMap::new();
    for d in &report.diagnostics {
        let slot = match d.severity {
            Severity::Error => 0,
            Severity::Warning => 1,
            Severity::Note => 2,
        };
        counts.entry((order(&d.rule), &d.rule)).or_default()[slot] += 1;
    }
    writeln!(out, "| Check | Level | Errors | Warnings | Notes |")?;
    writeln!(out, "|---|---|--:|--:|--:|")?;
    for ((_, rule), [e, w, n]) in counts {
        let level = rules::get(rule).map_or("", |r| r.kind.label());
        writeln!(out, "| {} | {level} | {e} | {w} | {n} |", rule_link(rule))?;
    }
    writeln!(out)
}

fn write_failing_objects(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let failing: Vec<_> = report
        .objects
        .iter()
        .filter(|o| o.verdict.is_some())
        .collect();
    if failing.is_empty() {
        return Ok(());
    }
    writeln!(out, "### Failing objects\n")?;
    writeln!(out, "| Object | Location | Verdict |")?;
    writeln!(out, "|---|---|---|")?;
    for o in failing.iter().take(MAX_ROWS) {
        let mut location = code(&format!("{}:{}", o.file, o.line));
        if let Some(origin) = &o.origin {
            location.push_str(&format!(" (Helm template {})", code(origin)));
        }
        writeln!(
            out,
            "| {} in {} | {location} | {} |",
            code(&o.object.display_name()),
            code(&o.object.namespace),
            escape(&match o.modes_tag() {
                Some(tag) => format!("({tag}) {}", o.verdict.as_deref().unwrap_or_default()),
                None => o.verdict.clone().unwrap_or_default(),
            })
        )?;
    }
    more(out, failing.len())
}

/// The findings of rules of `kind` (input problems, policy findings) under `title`.
fn write_problems(
    out: &mut dyn Write,
    report: &Report,
    kind: RuleKind,
    title: &str,
) -> io::Result<()> {
    let problems: Vec<&Diagnostic> = report
        .diagnostics
        .iter()
        .filter(|d| rules::get(&d.rule).map(|r| r.kind) == Some(kind))
        .collect();
    if problems.is_empty() {
        return Ok(());
    }
    writeln!(out, "### {title}\n")?;
    writeln!(out, "| Location | Rule | Message |")?;
    writeln!(out, "|---|---|---|")?;
    for d in problems.iter().take(MAX_ROWS) {
        writeln!(
            out,
            "| {} | {} | {} |",
            code(&format!("{}:{}:{}", d.file, d.line, d.column)),
            rule_link(&d.rule),
            escape(&d.message)
        )?;
    }
    more(out, problems.len())
}

fn more(out: &mut dyn Write, total: usize) -> io::Result<()> {
    if total > MAX_ROWS {
        writeln!(out, "\n… and {} more.", total - MAX_ROWS)?;
    }
    writeln!(out)
}

fn rule_link(rule: &str) -> String {
    format!("[{}]({})", escape(rule), rule_doc_url(rule))
}

/// Text safe in a table cell: Markdown punctuation and HTML are backslash-escaped, `|` cannot
/// end the cell and line breaks become spaces.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            // Escape sequences and other controls: visible, never raw (see `text`).
            c if super::text::is_unsafe(c) => out.push_str(&super::text::escape(&c.to_string())),
            c => out.push(c),
        }
    }
    out
}

/// A code span in a table cell (`|` escaped, as GFM tables require even in code), or escaped
/// text when the value itself contains a backtick.
fn code(s: &str) -> String {
    if s.contains('`') || s.chars().any(super::text::is_unsafe) {
        return escape(s);
    }
    format!("`{}`", s.replace('|', "\\|"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_text_cannot_inject_markdown_or_html() {
        assert_eq!(escape("<img src=x>|*a*"), "\\<img src=x\\>\\|\\*a\\*");
        assert_eq!(escape("two\nlines"), "two lines");
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code("a`b"), "a\\`b");
    }
}
