//! `--statistics`: how often each rule fired, most frequent first, like `ruff --statistics`:
//!
//! ```text
//!     3  allowPrivilegeEscalation  error    Containers must not allow privilege escalation
//!     1  parse-error               error    The document is not valid YAML or JSON
//! ```

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::model::diagnostic::Severity;
use crate::model::report::Report;
use crate::rules;

/// One line per (rule, severity) pair, by count descending, then rule ID. Nothing for a clean
/// report.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut counts: BTreeMap<(&str, Severity), usize> = BTreeMap::new();
    for d in &report.diagnostics {
        *counts.entry((&d.rule, d.severity)).or_default() += 1;
    }
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by(|(ka, a), (kb, b)| b.cmp(a).then(ka.0.cmp(kb.0)).then(kb.1.cmp(&ka.1)));
    let width = rows.iter().map(|((r, _), _)| r.len()).max().unwrap_or(0);
    let count_width = rows
        .iter()
        .map(|(_, n)| n.to_string().len())
        .max()
        .unwrap_or(0)
        .max(5);
    for ((rule, severity), n) in rows {
        let summary = rules::get(rule).map_or("", |r| r.summary);
        let line = format!(
            "{n:>count_width$}  {rule:<width$}  {:<7}  {summary}",
            severity.as_str()
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::diagnostic::Diagnostic;

    fn diag(rule: &str, severity: Severity) -> Diagnostic {
        Diagnostic {
            rule: rule.into(),
            severity,
            level: None,
            pss_version: None,
            policy: Default::default(),
            reason: None,
            detail: None,
            message: String::new(),
            file: "a.yaml".into(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
            origin: None,
            object: None,
            field: None,
            container: None,
            related: Vec::new(),
            fix: None,
            hint: None,
            source_map: None,
            snippet: None,
        }
    }

    #[test]
    fn most_frequent_first_then_by_rule() {
        let report = Report {
            diagnostics: vec![
                diag("runAsNonRoot", Severity::Error),
                diag("privileged", Severity::Error),
                diag("runAsNonRoot", Severity::Error),
                diag("noSuchRule", Severity::Warning),
            ],
            ..Report::default()
        };
        let mut out = Vec::new();
        render(&report, &mut out).expect("render");
        let text = String::from_utf8(out).expect("UTF-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].starts_with("    2  runAsNonRoot  error"), "{text}");
        assert!(
            lines[1].starts_with("    1  noSuchRule    warning"),
            "{text}"
        );
        assert_eq!(lines[1], "    1  noSuchRule    warning", "{text}");
        assert!(
            lines[2].starts_with("    1  privileged    error    "),
            "{text}"
        );
    }
}
