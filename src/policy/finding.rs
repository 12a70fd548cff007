//! Findings of the policy stage itself (namespace hygiene, exceptions), before they are
//! located in their file and become [`Diagnostic`]s.

use crate::model::diagnostic::{Diagnostic, Fix, ObjectRef, PolicyContext, Severity, Snippet};
use crate::model::source::{visible_end, Span};

/// Policy rule IDs and their severity. Each has a document under `rules/`.
pub const RULES: [(&str, Severity); 10] = [
    ("namespace-invalid-label", Severity::Error),
    ("namespace-no-enforce", Severity::Warning),
    ("namespace-unpinned-version", Severity::Warning),
    ("namespace-exempt-labeled", Severity::Warning),
    ("namespace-weaker-than-default", Severity::Warning),
    ("namespace-conflict", Severity::Warning),
    ("exception-invalid", Severity::Error),
    ("exception-expired", Severity::Error),
    ("exception-expiring", Severity::Warning),
    ("exception-unused", Severity::Warning),
];

/// The severity of a policy rule, if `id` is one.
pub fn rule_severity(id: &str) -> Option<Severity> {
    RULES.iter().find(|(r, _)| *r == id).map(|(_, s)| *s)
}

/// Lines of context around a finding, as for every other finding.
pub const SNIPPET_CONTEXT: u32 = 2;

#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    pub hint: Option<String>,
    pub object: Option<ObjectRef>,
    pub field: Option<String>,
    pub fix: Option<Fix>,
}

impl Finding {
    pub fn new(rule: &'static str, severity: Severity, message: String, span: Span) -> Self {
        Finding {
            rule,
            severity,
            message,
            span,
            hint: None,
            object: None,
            field: None,
            fix: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_object(mut self, object: ObjectRef) -> Self {
        self.object = Some(object);
        self
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn with_fix(mut self, description: impl Into<String>, yaml: impl Into<String>) -> Self {
        self.fix = Some(Fix::manual(description, yaml));
        self
    }

    /// The located diagnostic, with a source snippet when the file's text is at hand.
    pub fn into_diagnostic(
        self,
        file: &str,
        snippet: impl FnOnce(Span) -> Option<Snippet>,
        origin: Option<&str>,
    ) -> Diagnostic {
        let end = visible_end(self.span);
        let snippet = snippet(self.span);
        Diagnostic {
            rule: self.rule.to_string(),
            severity: self.severity,
            level: None,
            pss_version: None,
            policy: PolicyContext::default(),
            reason: None,
            detail: None,
            message: self.message,
            file: file.to_string(),
            line: self.span.start.line.max(1),
            column: self.span.start.col.max(1),
            end_line: end.line.max(1),
            end_column: end.col.max(1),
            origin: origin.map(str::to_owned),
            object: self.object,
            field: self.field,
            container: None,
            related: Vec::new(),
            fix: self.fix,
            hint: self.hint,
            source_map: None,
            snippet,
        }
    }
}
