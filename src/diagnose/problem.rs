//! An input problem (unreadable, undecodable, unparsable, a limit) → its diagnostic.

use crate::model::diagnostic::Diagnostic;
use crate::model::problem::LoadProblem;
use crate::model::source::{visible_end, Pos};

/// A diagnostic for an input problem (no object, no level).
pub fn problem_diagnostic(name: &str, p: &LoadProblem, origin: Option<&str>) -> Diagnostic {
    let span = p.span.unwrap_or_default();
    let (line, col) = if p.span.is_some() {
        (span.start.line, span.start.col)
    } else {
        (1, 1)
    };
    let end = if p.span.is_some() {
        visible_end(span)
    } else {
        Pos::new(1, 1)
    };
    Diagnostic {
        rule: p.rule.id().to_string(),
        severity: p.rule.severity(),
        level: None,
        pss_version: None,
        policy: Default::default(),
        reason: None,
        detail: None,
        message: p.message.clone(),
        file: name.to_string(),
        line,
        column: col,
        end_line: end.line,
        end_column: end.col,
        origin: origin.map(str::to_owned),
        object: None,
        field: None,
        container: None,
        related: Vec::new(),
        fix: None,
        hint: p.hint.clone(),
        source_map: None,
        snippet: None,
    }
}
