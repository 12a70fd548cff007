//! JUnit XML for CI test reports (Jenkins, GitLab, GitHub test-report actions).
//!
//! * One `<testsuite>` per file, named by its path.
//! * One `<testcase>` per object checked ([`Report::objects`]), so passing objects show as
//!   passed tests: `name="Deployment/web in shop (restricted:latest)"`, `classname` = the file
//!   (GitLab's "Suite" column), plus `file` and `line` attributes for annotating actions.
//! * A test case with errors has one `<failure>`: `message` is the upstream verdict (or the
//!   first error), `type` the rule IDs, and the body lists every finding with its location and
//!   fix. Consumers accept one failure per test case, so findings are not split across several.
//!   Warnings and notes alone do not fail a test case; they go to `<system-out>`.
//! * Findings tied to no checked object (parse errors, unreadable files) fail a test case named
//!   after the file, so a file with no objects still shows up. Input that could not be checked
//!   at all ([`crate::model::problem::is_unchecked`]: unreadable, not YAML, an unrendered template) is an
//!   `<error>`, not a `<failure>`: the test could not run, as Jenkins and GitLab read it.
//!
//! Names are unique per (classname, name), as GitLab keeps only the first of duplicates. Text is
//! escaped and characters XML 1.0 forbids are dropped. Written by hand: the format needs four
//! elements, and quick-junit would add chrono, uuid and quick-xml to the binary.

use std::collections::{BTreeMap, HashSet};
use std::io::{self, BufWriter, Write};

use crate::model::diagnostic::{Diagnostic, Severity};
use crate::model::report::{CheckedObject, Report};

struct Case<'a> {
    name: String,
    line: u32,
    object: Option<&'a CheckedObject>,
    diagnostics: Vec<&'a Diagnostic>,
}

/// How a test case ended, as JUnit readers (Jenkins, GitLab) tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Passed,
    /// A finding that fails: the object (or file) was checked and violates.
    Failure,
    /// Input that could not be checked (unreadable, not YAML, an unrendered template): the
    /// test could not run, which JUnit calls an error.
    Error,
}

impl Case<'_> {
    fn outcome(&self) -> Outcome {
        let errors = || {
            self.diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
        };
        if errors().any(|d| crate::model::problem::is_unchecked(d)) {
            Outcome::Error
        } else if errors().next().is_some() {
            Outcome::Failure
        } else {
            Outcome::Passed
        }
    }
}

/// The test cases of `cases` that ended with `outcome`.
fn count(cases: &[Case<'_>], outcome: Outcome) -> usize {
    cases.iter().filter(|c| c.outcome() == outcome).count()
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let suites = suites(report);
    let tests: usize = suites.values().map(Vec::len).sum();
    let total = |outcome| suites.values().map(|c| count(c, outcome)).sum::<usize>();
    let (failures, errors) = (total(Outcome::Failure), total(Outcome::Error));

    let mut out = BufWriter::new(out);
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="psslint" tests="{tests}" failures="{failures}" errors="{errors}" skipped="0">"#
    )?;
    for (file, cases) in &suites {
        let (failures, errors) = (count(cases, Outcome::Failure), count(cases, Outcome::Error));
        writeln!(
            out,
            r#"  <testsuite name="{}" tests="{}" failures="{failures}" errors="{errors}" skipped="0">"#,
            attr(file),
            cases.len()
        )?;
        for case in cases {
            write_case(&mut out, file, case)?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")?;
    out.flush()
}

/// Test cases grouped by file: each checked object, with the findings about it, then one case
/// per file for findings about no checked object.
fn suites(report: &Report) -> BTreeMap<&str, Vec<Case<'_>>> {
    let mut suites: BTreeMap<&str, Vec<Case<'_>>> = BTreeMap::new();
    for o in &report.objects {
        suites.entry(o.file.as_str()).or_default().push(Case {
            name: format!(
                "{} in {} ({}:{})",
                o.object.display_name(),
                o.object.namespace,
                o.level,
                o.pss_version
            ),
            line: o.line,
            object: Some(o),
            diagnostics: Vec::new(),
        });
    }
    let mut loose: BTreeMap<&str, Vec<&Diagnostic>> = BTreeMap::new();
    for d in &report.diagnostics {
        // A finding mapped to its chart stays with the object checked in the rendered output.
        let file = d.found_at().0;
        let cases = suites.entry(file).or_default();
        match owner(cases, d) {
            Some(i) => cases[i].diagnostics.push(d),
            None => loose.entry(file).or_default().push(d),
        }
    }
    for (file, diagnostics) in loose {
        suites.entry(file).or_default().push(Case {
            name: file.to_string(),
            line: diagnostics.first().map_or(1, |d| d.line),
            object: None,
            diagnostics,
        });
    }
    for cases in suites.values_mut() {
        make_unique(cases);
    }
    suites
}

/// The checked object a finding is about: same object and policy, and the nearest one starting
/// at or before the finding (two documents may declare the same object).
fn owner(cases: &[Case<'_>], d: &Diagnostic) -> Option<usize> {
    let target = d.object.as_ref()?;
    let matches = |o: &CheckedObject| {
        &o.object == target
            && d.level.is_none_or(|l| l == o.level)
            && d.pss_version.as_ref().is_none_or(|v| *v == o.pss_version)
    };
    let candidates: Vec<usize> = cases
        .iter()
        .enumerate()
        .filter(|(_, c)| c.object.is_some_and(matches))
        .map(|(i, _)| i)
        .collect();
    candidates
        .iter()
        .copied()
        .filter(|&i| cases[i].line <= d.found_at().1)
        .max_by_key(|&i| cases[i].line)
        .or_else(|| candidates.first().copied())
}

/// Appends ` (line N)`, then `#k`, to names that repeat within a suite.
fn make_unique(cases: &mut [Case<'_>]) {
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for c in cases.iter() {
        *count.entry(c.name.clone()).or_default() += 1;
    }
    for c in cases.iter_mut() {
        if count.get(&c.name).copied().unwrap_or(0) > 1 {
            c.name = format!("{} (line {})", c.name, c.line);
        }
    }
    let mut seen = HashSet::new();
    for c in cases.iter_mut() {
        let base = c.name.clone();
        let mut k = 2;
        while !seen.insert(c.name.clone()) {
            c.name = format!("{base} #{k}");
            k += 1;
        }
    }
}

fn write_case(out: &mut dyn Write, file: &str, case: &Case<'_>) -> io::Result<()> {
    let open = format!(
        r#"    <testcase name="{}" classname="{}" file="{}" line="{}""#,
        attr(&case.name),
        attr(file),
        attr(file),
        case.line
    );
    if case.diagnostics.is_empty() {
        return writeln!(out, "{open}/>");
    }
    writeln!(out, "{open}>")?;
    let body: String = case.diagnostics.iter().map(|d| finding(d)).collect();
    let outcome = case.outcome();
    if outcome != Outcome::Passed {
        // An error names what could not be checked; a failure, what violates.
        let errors: Vec<&&Diagnostic> = case
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .filter(|d| outcome == Outcome::Failure || crate::model::problem::is_unchecked(d))
            .collect();
        let message = case
            .object
            .filter(|_| outcome == Outcome::Failure)
            .and_then(|o| o.verdict.clone())
            .or_else(|| errors.first().map(|d| d.message.clone()))
            .unwrap_or_default();
        let mut rules: Vec<&str> = Vec::new();
        for d in &errors {
            if !rules.contains(&d.rule.as_str()) {
                rules.push(&d.rule);
            }
        }
        let element = if outcome == Outcome::Error {
            "error"
        } else {
            "failure"
        };
        writeln!(
            out,
            r#"      <{element} message="{}" type="{}">{}</{element}>"#,
            attr(&message),
            attr(&rules.join(",")),
            text(&body)
        )?;
    } else {
        writeln!(out, "      <system-out>{}</system-out>", text(&body))?;
    }
    writeln!(out, "    </testcase>")
}

/// One finding as plain text: `path:line:col: error[rule] message`, then its other locations,
/// the Helm template, the fix and the hint.
fn finding(d: &Diagnostic) -> String {
    let mut s = format!(
        "{}:{}:{}: {}[{}] {}\n",
        d.file,
        d.line,
        d.column,
        d.severity.as_str(),
        d.rule,
        d.message
    );
    for r in &d.related {
        s.push_str(&format!(
            "  {}: {}:{}:{} {}",
            r.label(),
            r.file,
            r.line,
            r.column,
            r.field
        ));
        if let Some(c) = &r.container {
            s.push_str(&format!(" (container \"{c}\")"));
        }
        s.push('\n');
    }
    if let Some(origin) = &d.origin {
        s.push_str(&format!("  from Helm template {origin}\n"));
    }
    if let Some(fix) = &d.fix {
        s.push_str(&format!("  fix: {}\n", fix.description));
        for line in fix.yaml.lines() {
            s.push_str(&format!("    {line}\n"));
        }
    }
    if let Some(fix) = d.source_map.as_ref().and_then(|m| m.values_fix.as_ref()) {
        s.push_str(&format!("  fix in values: {}\n", fix.description));
        for line in fix.yaml.lines() {
            s.push_str(&format!("    {line}\n"));
        }
    }
    if let Some(hint) = &d.hint {
        s.push_str(&format!("  hint: {hint}\n"));
    }
    s
}

/// Whether XML 1.0 allows `c` at all (§2.2); others are dropped.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Element text: `&`, `<` and `>` escaped, forbidden characters dropped.
fn text(s: &str) -> String {
    escape(s, false)
}

/// An attribute value: also `"`, and line breaks and tabs as character references, which
/// attribute normalisation would otherwise turn into spaces.
fn attr(s: &str) -> String {
    escape(s, true)
}

fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|&c| is_xml_char(c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_invalid_characters_dropped() {
        assert_eq!(text("a<b>&c\u{1}\u{1b}[0m\u{FFFE}"), "a&lt;b&gt;&amp;c[0m");
        assert_eq!(attr("say \"hi\"\n\tok"), "say &quot;hi&quot;&#10;&#9;ok");
        assert_eq!(text("tab\tand\nnewline"), "tab\tand\nnewline");
        assert_eq!(text("emoji 🚀 ok"), "emoji 🚀 ok");
    }

    #[test]
    fn repeated_names_get_the_line_then_a_counter() {
        let case = |name: &str, line| Case {
            name: name.into(),
            line,
            object: None,
            diagnostics: Vec::new(),
        };
        let mut cases = vec![case("a", 1), case("a", 9), case("a", 9), case("b", 3)];
        make_unique(&mut cases);
        let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["a (line 1)", "a (line 9)", "a (line 9) #2", "b"]);
    }
}
