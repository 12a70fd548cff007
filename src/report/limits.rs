//! What CI hosts accept and show, and which findings a capped report keeps.
//!
//! GitHub rejects or silently truncates large reports: code scanning takes at most 25,000 results
//! per SARIF run and stores only 5,000 of them, in a file of at most 10 MB gzip-compressed; a
//! step shows only 10 error, 10 warning and 10 notice annotations (50 per job). A report that
//! goes past a limit loses findings in an order nobody chose, so psslint chooses: a capped report
//! keeps errors first, then warnings, then notes, each in report order (path, line, column,
//! rule), and says what it left out and where the full report is ([`Omitted`]).
//!
//! Sources: GitHub's "SARIF support for code scanning" and "SARIF results exceed limits" pages,
//! and the toolkit's `docs/problem-matchers.md` for annotations.

use crate::model::diagnostic::{Diagnostic, Severity};

/// Results code scanning stores per run (it rejects more than 25,000 and keeps 5,000): the cap
/// of a SARIF report, so that the 5,000 kept are the ones psslint puts first.
pub const SARIF_MAX_RESULTS: usize = 5_000;
/// Results code scanning accepts per run at all.
pub const SARIF_HARD_MAX_RESULTS: usize = 25_000;
/// Locations code scanning shows per result (it rejects more than 1,000): the primary location
/// and at most 99 related ones.
pub const SARIF_MAX_LOCATIONS: usize = 100;
/// Bytes of one SARIF file. Code scanning takes 10 MB after gzip; psslint keeps the file itself
/// under that, which holds whatever the compression achieves.
pub const SARIF_MAX_BYTES: usize = 10_000_000;
/// Annotations GitHub shows per step for each of error, warning and notice.
pub const ANNOTATIONS_PER_SEVERITY: usize = 10;

/// The most severe first.
const BY_PRIORITY: [Severity; 3] = [Severity::Error, Severity::Warning, Severity::Note];

/// Findings a capped report left out, by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Omitted {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

impl Omitted {
    pub fn total(&self) -> usize {
        self.errors + self.warnings + self.notes
    }

    fn add(&mut self, severity: Severity) {
        match severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Note => self.notes += 1,
        }
    }

    /// `3 errors, 1 warning and 12 notes`: the non-zero counts.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = [
            (self.errors, "error", "errors"),
            (self.warnings, "warning", "warnings"),
            (self.notes, "note", "notes"),
        ]
        .into_iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, one, many)| format!("{} {}", thousands(n), if n == 1 { one } else { many }))
        .collect();
        match parts.as_slice() {
            [] => "nothing".to_string(),
            [one] => one.clone(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        }
    }
}

/// Which findings of a report a capped format keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// Per diagnostic, in report order: kept or not.
    pub kept: Vec<bool>,
    pub omitted: Omitted,
}

impl Selection {
    pub fn kept_count(&self) -> usize {
        self.kept.iter().filter(|k| **k).count()
    }
}

/// Keeps at most `max` findings whose `cost` adds up to at most `budget`, the most severe first
/// and each severity in report order; stops at the first finding that does not fit, so a
/// finding is never kept while a more severe one, or an earlier one of its severity, is left out.
pub fn select(
    diagnostics: &[Diagnostic],
    max: usize,
    budget: usize,
    mut cost: impl FnMut(usize, &Diagnostic) -> usize,
) -> Selection {
    let mut kept = vec![false; diagnostics.len()];
    let (mut count, mut spent, mut full) = (0, 0usize, false);
    for severity in BY_PRIORITY {
        for (i, d) in diagnostics.iter().enumerate() {
            if d.severity != severity || full {
                continue;
            }
            let c = cost(i, d);
            if count == max || spent.saturating_add(c) > budget {
                full = true;
                continue;
            }
            kept[i] = true;
            count += 1;
            spent += c;
        }
    }
    finish(diagnostics, kept)
}

/// Keeps the first `per_severity` findings of each severity, in report order (GitHub's
/// annotation limits count each kind of annotation on its own).
pub fn select_per_severity(diagnostics: &[Diagnostic], per_severity: [usize; 3]) -> Selection {
    let mut left = per_severity;
    let kept = diagnostics
        .iter()
        .map(|d| {
            let slot = &mut left[priority(d.severity)];
            let keep = *slot > 0;
            *slot = slot.saturating_sub(1);
            keep
        })
        .collect();
    finish(diagnostics, kept)
}

/// The index of `severity` in [`BY_PRIORITY`]: errors 0, warnings 1, notes 2.
pub fn priority(severity: Severity) -> usize {
    match severity {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Note => 2,
    }
}

fn finish(diagnostics: &[Diagnostic], kept: Vec<bool>) -> Selection {
    let mut omitted = Omitted::default();
    for (d, k) in diagnostics.iter().zip(&kept) {
        if !k {
            omitted.add(d.severity);
        }
    }
    Selection { kept, omitted }
}

/// `25000` → `25,000`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Where the complete report of a run is, for the note of a capped one: the other reports the
/// same run wrote that list every finding, or how to get one.
pub fn where_complete(complete: &[String]) -> String {
    match complete {
        [] => "run psslint with `--format json` (or `--output json=FILE`) for the full list".into(),
        [one] => format!("the same run wrote the full list to {one}"),
        many => format!("the same run wrote the full list to {}", many.join(" and ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diags(severities: &[Severity]) -> Vec<Diagnostic> {
        severities
            .iter()
            .enumerate()
            .map(|(i, &severity)| {
                let mut d = crate::report::sarif::tests_support::diag();
                d.severity = severity;
                d.line = i as u32 + 1;
                d.end_line = d.line;
                d
            })
            .collect()
    }

    use Severity::{Error as E, Note as N, Warning as W};

    #[test]
    fn errors_come_first_then_report_order() {
        let d = diags(&[W, E, N, E, W, E]);
        let s = select(&d, 4, usize::MAX, |_, _| 1);
        assert_eq!(s.kept, [true, true, false, true, false, true]);
        assert_eq!(
            s.omitted,
            Omitted {
                errors: 0,
                warnings: 1,
                notes: 1
            }
        );
        assert_eq!(s.kept_count(), 4);
        let s = select(&d, 2, usize::MAX, |_, _| 1);
        assert_eq!(s.kept, [false, true, false, true, false, false]);
        assert_eq!(s.omitted.describe(), "1 error, 2 warnings and 1 note");
    }

    #[test]
    fn the_budget_stops_at_the_first_finding_that_does_not_fit() {
        let d = diags(&[E, E, E, W]);
        // The second error is too big: neither the third error nor the warning may take its
        // place.
        let s = select(&d, 10, 10, |i, _| if i == 1 { 9 } else { 2 });
        assert_eq!(s.kept, [true, false, false, false]);
        assert_eq!(s.omitted.describe(), "2 errors and 1 warning");
        let s = select(&d, 10, 100, |_, _| 2);
        assert_eq!(s.omitted, Omitted::default());
        assert_eq!(s.omitted.describe(), "nothing");
    }

    #[test]
    fn per_severity_caps_count_each_kind() {
        let d = diags(&[E, W, E, E, N, W, W]);
        let s = select_per_severity(&d, [2, 1, 0]);
        assert_eq!(s.kept, [true, true, true, false, false, false, false]);
        assert_eq!(
            s.omitted,
            Omitted {
                errors: 1,
                warnings: 2,
                notes: 1
            }
        );
    }

    #[test]
    fn numbers_and_places() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(25_000), "25,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert!(where_complete(&[]).contains("--format json"));
        assert_eq!(
            where_complete(&["a.json".into(), "b.xml".into()]),
            "the same run wrote the full list to a.json and b.xml"
        );
    }
}
