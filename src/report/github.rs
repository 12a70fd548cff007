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
//! GitHub shows only 10 annotations of each kind (error, warning, notice) per step, and 50 per
//! job, in the order they are printed. So errors come first, then warnings, then notices, each
//! kind capped ([`limits::ANNOTATIONS_PER_SEVERITY`]); when findings are left out, one more
//! notice says how many and where they are, and they follow in the log as plain lines, in a
//! collapsed group, with workflow commands stopped so that no file name can forge one.
//!
//! When `GITHUB_STEP_SUMMARY` is set, the caller also appends the Markdown summary
//! ([`super::markdown`]) to that file ([`append_step_summary`]).

use std::collections::HashMap;
use std::fs::OpenOptions;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use super::limits::{self, Selection, ANNOTATIONS_PER_SEVERITY as PER_KIND};
use super::root::SourceRoot;
use crate::model::diagnostic::{Diagnostic, Severity};
use crate::model::report::Report;

/// The environment variable GitHub Actions sets to the step's summary file.
pub const STEP_SUMMARY_ENV: &str = "GITHUB_STEP_SUMMARY";

/// Renders the annotations. `complete` names the other reports of the same run that list every
/// finding.
pub fn render(
    report: &Report,
    root: Option<&SourceRoot>,
    complete: &[String],
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut out = BufWriter::new(out);
    let selection = annotated(&report.diagnostics);
    let mut paths = Paths {
        root,
        resolved: HashMap::new(),
    };
    let mut path = |file| paths.get(file);
    for severity in [Severity::Error, Severity::Warning, Severity::Note] {
        for (d, _) in report
            .diagnostics
            .iter()
            .zip(&selection.kept)
            .filter(|(d, kept)| **kept && d.severity == severity)
        {
            // Input text never reaches the log raw: an escape sequence there would recolour
            // or hide lines of the job's log (a line break is escaped as `%0A` anyway).
            let safe = super::text::diagnostic(d);
            writeln!(out, "{}", command(&safe, path(&d.file)))?;
        }
    }

    let omitted = selection.omitted;
    if omitted.total() == 0 {
        return out.flush();
    }
    let group = format!(
        "psslint: {} findings not annotated",
        limits::thousands(omitted.total())
    );
    let note = format!(
        "GitHub shows at most {PER_KIND} error, {PER_KIND} warning and {PER_KIND} notice \
         annotations per step; psslint annotated the first {} of {} findings, errors first. \
         Not annotated: {}. They are listed in this step's log under \"{group}\"{}.",
        limits::thousands(selection.kept_count()),
        limits::thousands(report.diagnostics.len()),
        omitted.describe(),
        match complete {
            [] => String::new(),
            _ => format!("; {}", limits::where_complete(complete)),
        },
    );
    writeln!(
        out,
        "::notice title={}::{}",
        escape_property(&group),
        escape_data(&note)
    )?;
    // The rest, as plain text: `::stop-commands::` makes the runner ignore workflow commands
    // until the token comes back, and the token is one the text does not contain, so no line
    // of it can end the stop.
    let mut rest = String::new();
    for (d, _) in report
        .diagnostics
        .iter()
        .zip(&selection.kept)
        .filter(|(_, kept)| !**kept)
    {
        rest.push_str(&plain_line(&super::text::diagnostic(d), &path(&d.file)));
        rest.push('\n');
    }
    let token = stop_token(&rest);
    writeln!(out, "::group::{group}")?;
    writeln!(out, "::stop-commands::{token}")?;
    out.write_all(rest.as_bytes())?;
    writeln!(out, "::{token}::")?;
    writeln!(out, "::endgroup::")?;
    out.flush()
}

/// Paths as GitHub resolves them (from the repository root), each file's resolved once:
/// resolving touches the file system.
struct Paths<'a> {
    root: Option<&'a SourceRoot>,
    resolved: HashMap<&'a str, String>,
}

impl<'a> Paths<'a> {
    fn get(&mut self, file: &'a str) -> String {
        let root = self.root;
        self.resolved
            .entry(file)
            .or_insert_with(|| {
                let path = root
                    .and_then(|r| r.relative(file))
                    .unwrap_or_else(|| file.to_string());
                // Never raw in the log (see `text`).
                super::text::escape(&path).into_owned()
            })
            .clone()
    }
}

/// Which findings become annotations: the first [`PER_KIND`] of each severity, and one notice
/// fewer when something is left out, to leave room for the notice that says so.
pub fn annotated(diagnostics: &[Diagnostic]) -> Selection {
    let count = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
    let overflows = [Severity::Error, Severity::Warning, Severity::Note]
        .into_iter()
        .any(|s| count(s) > PER_KIND);
    let notices = if overflows { PER_KIND - 1 } else { PER_KIND };
    limits::select_per_severity(diagnostics, [PER_KIND, PER_KIND, notices])
}

/// A token for `::stop-commands::` that `text` does not contain, derived from `text` so that
/// the output stays the same from run to run.
fn stop_token(text: &str) -> String {
    (0u64..)
        .map(|salt| format!("psslint-{:016x}", super::sarif::hash_text(text, salt)))
        .find(|token| !text.contains(token.as_str()))
        .unwrap_or_default()
}

/// A finding that is not annotated, on one line: `path:line:col: error[rule] message`.
fn plain_line(d: &Diagnostic, file: &str) -> String {
    let line = format!(
        "{file}:{}:{}: {}[{}] {}",
        d.line.max(1),
        d.column.max(1),
        d.severity.as_str(),
        d.rule,
        d.message
    );
    line.replace("\r\n", " ").replace(['\n', '\r'], " ")
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
        match r.role {
            Some(_) => text.push_str(&format!(
                "\n{}{}: {}:{}",
                r.label()[..1].to_uppercase(),
                &r.label()[1..],
                r.file,
                r.line
            )),
            None => text.push_str(&format!("\nAlso: line {} {}", r.line, r.field)),
        }
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
    if let Some(fix) = d.source_map.as_ref().and_then(|m| m.values_fix.as_ref()) {
        text.push_str(&format!(
            "\nFix in values: {}\n{}",
            fix.description, fix.yaml
        ));
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
    use crate::report::sarif;

    /// The sample diagnostic of the SARIF tests, at `line`, with `severity`.
    fn diag(line: u32, severity: Severity) -> Diagnostic {
        let mut d = sarif::tests_support::diag();
        d.line = line;
        d.end_line = line;
        d.severity = severity;
        d
    }

    fn render_text(diagnostics: Vec<Diagnostic>, complete: &[String]) -> String {
        let report = Report {
            diagnostics,
            ..Report::default()
        };
        let mut out = Vec::new();
        render(&report, None, complete, &mut out).expect("renders");
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn errors_come_first_and_each_kind_is_capped() {
        let mut all = Vec::new();
        for line in 1..=40 {
            let severity = match line % 4 {
                0 => Severity::Warning,
                1 => Severity::Note,
                _ => Severity::Error,
            };
            all.push(diag(line, severity));
        }
        let text = render_text(all, &["report.json".into()]);
        let lines: Vec<&str> = text.lines().collect();
        let kinds: Vec<&str> = lines
            .iter()
            .take_while(|l| !l.starts_with("::group::"))
            .map(|l| l.split(' ').next().unwrap_or_default())
            .collect();
        let mut expected = vec!["::error"; 10];
        expected.extend(["::warning"; 10]);
        // Nine notes and the notice about what was left out.
        expected.extend(["::notice"; 10]);
        assert_eq!(kinds, expected, "{text}");
        // 20 errors, 10 warnings, 10 notes: 10 errors and 1 note are left out, and listed.
        let note = lines[29];
        assert!(
            note.starts_with("::notice title=psslint%3A 11 findings not annotated::"),
            "{note}"
        );
        assert!(
            note.contains("Not annotated: 10 errors and 1 note.") && note.contains("report.json"),
            "{note}"
        );
        assert_eq!(lines[30], "::group::psslint: 11 findings not annotated");
        let token = lines[31].strip_prefix("::stop-commands::").expect("stop");
        assert_eq!(lines[43], format!("::{token}::"));
        assert_eq!(lines[44], "::endgroup::");
        assert_eq!(lines.len(), 45);
        let rest = &lines[32..43];
        assert!(
            rest.iter().all(|l| l.starts_with("k8s/app.yaml:")),
            "{rest:?}"
        );
        assert_eq!(rest.iter().filter(|l| l.contains(": error[")).count(), 10);
        assert_eq!(rest.iter().filter(|l| l.contains(": note[")).count(), 1);
    }

    #[test]
    fn within_the_limits_nothing_is_added() {
        let text = render_text(
            vec![diag(3, Severity::Warning), diag(9, Severity::Error)],
            &[],
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("::error file=k8s/app.yaml,line=9,"));
        assert!(lines[1].starts_with("::warning file=k8s/app.yaml,line=3,"));
    }

    #[test]
    fn the_stop_token_never_occurs_in_what_it_guards() {
        let text = "a\n";
        let first = stop_token(text);
        let forged = format!("{text}::{first}::\n");
        let second = stop_token(&forged);
        assert!(!forged.contains(&second));
        assert_eq!(second, stop_token(&forged), "deterministic");
    }

    #[test]
    fn escaping_follows_the_runner() {
        assert_eq!(escape_data("50% a:b,c\r\nd"), "50%25 a:b,c%0D%0Ad");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
