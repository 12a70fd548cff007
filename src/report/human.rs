//! The default format: rustc-style diagnostics rendered with annotate-snippets, the upstream
//! one-line verdicts of failing objects (kubectl's wording), and a summary line.
//!
//! Each diagnostic is rendered from the ±2 source lines captured while the file was loaded
//! ([`Diagnostic::snippet`]); files are never read here. Diagnostics are printed per file, and
//! after a file's diagnostics come the verdicts of the objects in that file that fail.

use std::io::{self, BufWriter, Write};
use std::ops::Range;

use annotate_snippets::{Annotation, AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use anstyle::{AnsiColor, Style};

use super::RenderOptions;
use crate::model::diagnostic::MapStatus;
use crate::model::diagnostic::{Diagnostic, Severity};
use crate::model::report::{CheckedObject, Report};
use crate::model::source::byte_of_col;

/// Lines longer than this (minified JSON, say) are not shown: annotate-snippets' cost grows with
/// the line, and such a line is unreadable in a terminal anyway. The `-->` position remains.
const MAX_SNIPPET_LINE: usize = crate::diagnose::snippet::MAX_SNIPPET_LINE;

pub fn render(report: &Report, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let mut out = BufWriter::new(out);
    let renderer = if opts.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };

    // Both lists are sorted by path; walk them together, one file at a time.
    let diags = &report.diagnostics;
    let failing: Vec<&CheckedObject> = report
        .objects
        .iter()
        .filter(|o| o.verdict.is_some())
        .collect();
    let (mut d, mut o) = (0, 0);
    loop {
        let file = match (diags.get(d), failing.get(o)) {
            (Some(a), Some(b)) => a.file.as_str().min(b.file.as_str()),
            (Some(a), None) => a.file.as_str(),
            (None, Some(b)) => b.file.as_str(),
            (None, None) => break,
        };
        while let Some(diag) = diags.get(d).filter(|x| x.file == file) {
            // Names and lines from the input never reach the terminal raw (see `text`).
            let safe = super::text::diagnostic(diag);
            writeln!(out, "{}\n", renderer.render(&diagnostic_groups(&safe)))?;
            d += 1;
        }
        let mut any_verdict = false;
        while let Some(obj) = failing.get(o).filter(|x| x.file == file) {
            if !opts.quiet {
                write_verdict(&mut out, obj, opts.color)?;
                any_verdict = true;
            }
            o += 1;
        }
        if any_verdict {
            writeln!(out)?;
        }
    }

    if opts.quiet {
        return out.flush();
    }
    let (style, text) = summary_line(report);
    let style = style.ansi(opts.color);
    writeln!(out, "{style}{text}{style:#}")?;
    out.flush()
}

/// The annotate-snippets groups for one diagnostic: the finding (title, source or position,
/// notes) and, when there is a fix, a `help:` group showing the YAML.
fn diagnostic_groups(d: &Diagnostic) -> Vec<Group<'_>> {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Note => Level::NOTE,
    };
    let title = level.primary_title(d.message.as_str()).id(d.rule.as_str());
    let mut group = match source_view(d) {
        Some(view) => title.element(view),
        None => title.element(origin(d)),
    };
    for r in &d.related {
        let mut text = format!(
            "{}: {}:{}:{} {}",
            r.label(),
            r.file,
            r.line,
            r.column,
            r.field
        );
        if let Some(c) = &r.container {
            text.push_str(&format!(" (container \"{c}\")"));
        }
        group = group.element(Level::NOTE.message(text));
    }
    if let Some(origin) = &d.origin {
        group = group.element(Level::NOTE.message(format!("from Helm template {origin}")));
    }
    if let Some(sm) = &d.source_map {
        if let Some(v) = sm
            .values
            .as_ref()
            .filter(|_| sm.status != MapStatus::Values)
        {
            group = group.element(Level::NOTE.message(format!(
                "value `{}` set at {}:{}:{}",
                v.path, v.file, v.line, v.column
            )));
        }
        if let Some(note) = &sm.note {
            group = group
                .element(Level::NOTE.message(format!("not mapped to the chart's sources: {note}")));
        }
    }
    if let (Some(mode), Some(source)) = (d.policy.mode, &d.policy.source) {
        group = group.element(Level::NOTE.message(format!(
            "{} policy \"{}:{}\"{} from {source}",
            mode.as_str(),
            d.level.map_or("", |l| l.as_str()),
            d.pss_version.as_deref().unwrap_or_default(),
            d.object
                .as_ref()
                .map(|o| format!(" in namespace \"{}\"", o.namespace))
                .unwrap_or_default()
        )));
    }
    if let Some(e) = &d.policy.exception {
        let what = match e.status {
            crate::model::diagnostic::ExceptionStatus::Expired => "expired exception",
            _ => "exception",
        };
        group = group.element(Level::NOTE.message(format!(
            "{what} owned by {} until {} ({}): {}",
            e.owner, e.expires, e.source, e.reason
        )));
    }
    if let Some(hint) = &d.hint {
        group = group.element(Level::HELP.with_name("hint").message(hint.as_str()));
    }

    let mut groups = vec![group];
    if let Some(fix) = &d.fix {
        let help = Level::HELP.secondary_title(fix.description.as_str());
        let yaml = fix.yaml.trim_end_matches('\n');
        groups.push(if yaml.is_empty() {
            Group::with_title(help)
        } else {
            help.element(
                Snippet::<Annotation>::source(yaml)
                    .line_numbering(false)
                    .fold(false)
                    .annotation(AnnotationKind::Visible.span(0..yaml.len())),
            )
        });
    }
    if let Some(fix) = d.source_map.as_ref().and_then(|m| m.values_fix.as_ref()) {
        let help = Level::HELP
            .with_name("fix in values")
            .secondary_title(fix.description.as_str());
        let yaml = fix.yaml.as_str();
        groups.push(
            help.element(
                Snippet::<Annotation>::source(yaml)
                    .line_numbering(false)
                    .fold(false)
                    .annotation(AnnotationKind::Visible.span(0..yaml.len())),
            ),
        );
    }
    groups
}

/// The captured lines with the primary span underlined, or `None` when the snippet is missing,
/// does not contain the diagnostic's line, or has an overlong line.
fn source_view(d: &Diagnostic) -> Option<Snippet<'_, Annotation<'_>>> {
    let snip = d.snippet.as_ref()?;
    let index = usize::try_from(d.line.checked_sub(snip.first_line)?).ok()?;
    let line = snip.lines.get(index)?;
    if snip.lines.iter().any(|l| l.len() > MAX_SNIPPET_LINE) {
        return None;
    }
    let source = snip.lines.join("\n");
    let line_start: usize = snip.lines[..index].iter().map(|l| l.len() + 1).sum();
    let span = primary_span(line, d);
    let span = line_start + span.start..line_start + span.end;

    let mut label = d
        .reason
        .clone()
        .or_else(|| d.field.clone())
        .unwrap_or_default();
    if let Some(c) = &d.container {
        label.push_str(&format!(" (container \"{c}\")"));
    }
    let annotation = AnnotationKind::Primary.span(span);
    let annotation = if label.is_empty() {
        annotation
    } else {
        annotation.label(label)
    };
    Some(
        Snippet::source(source)
            .line_start(snip.first_line as usize)
            .path(d.file.as_str())
            .fold(false)
            .annotation(annotation),
    )
}

/// The byte range to underline within the diagnostic's first line. A span that continues on
/// later lines (a whole mapping, say) is shown up to the end of its first line, since the
/// snippet holds only two lines after it; an empty span covers one character.
fn primary_span(line: &str, d: &Diagnostic) -> Range<usize> {
    let start = byte_of_col(line, d.column);
    let end = if d.end_line == d.line && d.end_column > d.column {
        byte_of_col(line, d.end_column)
    } else if d.end_line > d.line {
        line.trim_end().len().max(start)
    } else {
        start
    };
    if end > start {
        start..end
    } else {
        let next = line[start..].chars().next().map_or(0, char::len_utf8);
        start..start + next
    }
}

/// `--> file:line:col` without source, for diagnostics without a usable snippet.
fn origin(d: &Diagnostic) -> Origin<'_> {
    let origin = Origin::path(d.file.as_str());
    if d.line == 0 {
        origin
    } else {
        origin
            .line(d.line as usize)
            .char_column(d.column.max(1) as usize)
    }
}

/// `Deployment/app (k8s/app.yaml:1): would violate PodSecurity "restricted:latest": ...`
fn write_verdict(out: &mut dyn Write, obj: &CheckedObject, color: bool) -> io::Result<()> {
    use super::text::escape;
    let name = TextStyle::Strong.ansi(color);
    writeln!(
        out,
        "{name}{}{name:#} ({}:{}){}: {}",
        escape(&obj.object.display_name()),
        escape(&obj.file),
        obj.line,
        obj.modes_tag()
            .map(|t| format!(" [{t}]"))
            .unwrap_or_default(),
        escape(obj.verdict.as_deref().unwrap_or_default())
    )
}

#[derive(Clone, Copy)]
pub(super) enum TextStyle {
    Strong,
    Pass,
    Fail,
}

impl TextStyle {
    /// The ANSI style for text written outside annotate-snippets; empty without colour.
    fn ansi(self, color: bool) -> Style {
        if !color {
            return Style::new();
        }
        match self {
            TextStyle::Strong => Style::new().bold(),
            TextStyle::Pass => AnsiColor::BrightGreen.on_default().bold(),
            TextStyle::Fail => AnsiColor::BrightRed.on_default().bold(),
        }
    }
}

/// `Found 3 errors and 1 warning in 2 of 4 pod templates (5 files, 9 documents, 2 skipped)`,
/// `All 4 pod templates pass (…)` or `No pod templates found (…)`. The Markdown summary reuses
/// the text.
pub(super) fn summary_line(report: &Report) -> (TextStyle, String) {
    let s = &report.summary;
    let mut stats = vec![plural(s.files, "file"), plural(s.documents, "document")];
    if s.skipped > 0 {
        stats.push(format!("{} skipped", s.skipped));
    }
    if s.exempt > 0 {
        stats.push(format!("{} exempt", plural(s.exempt, "pod template")));
    }
    if s.excepted > 0 {
        stats.push(format!("{} excepted", plural(s.excepted, "finding")));
    }
    if s.folded > 0 {
        stats.push(format!(
            "{} folded into their owners",
            plural(s.folded, "pod template")
        ));
    }
    let stats = stats.join(", ");

    let counts: Vec<String> = [
        (Severity::Error, "error"),
        (Severity::Warning, "warning"),
        (Severity::Note, "note"),
    ]
    .into_iter()
    .map(|(sev, word)| (report.count(sev), word))
    .filter(|(n, _)| *n > 0)
    .map(|(n, word)| plural(n, word))
    .collect();
    let templates = s.pod_templates;

    if counts.is_empty() {
        let text = match templates {
            0 => format!("No pod templates found ({stats})."),
            1 => format!("The pod template passes ({stats})."),
            n => format!("All {n} pod templates pass ({stats})."),
        };
        return (TextStyle::Pass, text);
    }
    // An object judged at several levels (enforce and warn, say) counts once, with as many
    // templates as fail at any of them.
    let mut by_object = std::collections::BTreeMap::new();
    for o in report.objects.iter().filter(|o| o.verdict.is_some()) {
        let n = by_object
            .entry((&o.file, o.line, o.column, &o.object))
            .or_insert(0);
        *n = o.failing_templates.max(1).max(*n);
    }
    let failing: usize = by_object.values().sum();
    let mut text = format!("Found {}", join_and(&counts));
    if failing > 0 {
        text.push_str(&format!(
            " in {failing} of {}",
            plural(templates.max(failing), "pod template")
        ));
    }
    text.push_str(&format!(" ({stats})"));
    let style = if report.count(Severity::Error) > 0 {
        TextStyle::Fail
    } else {
        TextStyle::Strong
    };
    (style, text)
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `a`, `a and b`, `a, b and c`.
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::diagnostic::Snippet as Lines;

    fn diag(line: u32, column: u32, end_line: u32, end_column: u32) -> Diagnostic {
        Diagnostic {
            rule: "privileged".into(),
            severity: Severity::Error,
            level: None,
            pss_version: None,
            policy: Default::default(),
            reason: Some("privileged".into()),
            detail: None,
            message: "privileged (container \"web\" must not set securityContext.privileged=true)"
                .into(),
            file: "k8s/web.yaml".into(),
            line,
            column,
            end_line,
            end_column,
            origin: None,
            object: None,
            field: None,
            container: None,
            related: Vec::new(),
            fix: None,
            hint: None,
            source_map: None,
            snippet: Some(Lines {
                first_line: 10,
                lines: vec![
                    "          securityContext:".into(),
                    "            privileged: true".into(),
                    "            name: é€x".into(),
                ],
            }),
        }
    }

    fn render_one(d: &Diagnostic) -> String {
        Renderer::plain().render(&diagnostic_groups(d))
    }

    #[test]
    fn header_position_is_the_diagnostic_position() {
        let out = render_one(&diag(11, 25, 11, 29));
        assert!(out.contains("--> k8s/web.yaml:11:25"), "{out}");
        assert!(out.contains("^^^^ privileged"), "{out}");
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let out = render_one(&diag(12, 21, 12, 22));
        assert!(out.contains("--> k8s/web.yaml:12:21"), "{out}");
        assert!(out.contains("                    ^ privileged"), "{out}");
    }

    #[test]
    fn multi_line_spans_underline_the_first_line() {
        let out = render_one(&diag(10, 11, 12, 1));
        assert!(out.contains("^^^^^^^^^^^^^^^^ privileged"), "{out}");
    }

    #[test]
    fn point_spans_underline_one_character() {
        let out = render_one(&diag(11, 13, 11, 13));
        assert!(out.contains("            ^ privileged"), "{out}");
    }

    #[test]
    fn missing_or_mismatched_snippets_fall_back_to_the_position() {
        let mut d = diag(40, 3, 40, 9);
        let out = render_one(&d);
        assert!(out.contains("--> k8s/web.yaml:40:3"), "{out}");
        assert!(!out.contains("privileged: true"), "{out}");
        d.snippet = None;
        d.line = 0;
        assert!(render_one(&d).contains("--> k8s/web.yaml"));
    }

    #[test]
    fn summary_pluralises_and_counts_failing_templates() {
        let mut report = Report::default();
        report.summary.files = 1;
        report.summary.documents = 1;
        report.summary.pod_templates = 1;
        assert_eq!(
            summary_line(&report).1,
            "The pod template passes (1 file, 1 document)."
        );
        report.summary.pod_templates = 0;
        report.summary.skipped = 1;
        assert_eq!(
            summary_line(&report).1,
            "No pod templates found (1 file, 1 document, 1 skipped)."
        );
        report.diagnostics.push(diag(11, 25, 11, 29));
        assert_eq!(
            summary_line(&report).1,
            "Found 1 error (1 file, 1 document, 1 skipped)"
        );
    }

    #[test]
    fn join_and_reads_naturally() {
        let s = |v: &[&str]| join_and(&v.iter().map(|x| x.to_string()).collect::<Vec<_>>());
        assert_eq!(s(&["1 error"]), "1 error");
        assert_eq!(s(&["1 error", "2 notes"]), "1 error and 2 notes");
        assert_eq!(s(&["a", "b", "c"]), "a, b and c");
    }
}
