//! Input problems: what went wrong reading, decoding or parsing input, under stable rule IDs
//! that share the rule namespace with the PSS checks.

use super::diagnostic::{Diagnostic, Severity};
use super::source::Span;

/// Stable identifiers of input problems. They share the rule namespace with the PSS checks, so
/// they appear in every output format like any other finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InputRule {
    /// The file is not valid UTF-8 (or is UTF-16, or binary).
    Encoding,
    /// The file could not be read.
    Io,
    /// YAML or JSON syntax error.
    ParseError,
    /// A `---` line followed by something other than a comment (kubectl rejects it).
    InvalidSeparator,
    /// A mapping key appears twice; the last value wins, as in the API server.
    DuplicateKey,
    /// A field has a type the API server would reject (e.g. `privileged: "true"`).
    TypeError,
    /// A Go/Helm template that was not rendered (`{{ ... }}`).
    UnrenderedTemplate,
    /// Content after a `...` document end marker, which kubectl never sends.
    IgnoredContent,
    /// Alias expansion exceeded the budget (a "billion laughs" document).
    AliasLimit,
    /// Nesting deeper than the supported limit.
    DepthLimit,
    /// A map key that cannot be converted to a JSON object key, or another value the API
    /// server cannot encode (`.nan`, `.inf`).
    Unencodable,
    /// The file exceeds `--max-file-size`.
    FileTooLarge,
    /// A named pipe, socket or device found while walking a directory; skipped.
    SpecialFile,
    /// A file without any document (empty, comments only, or only empty documents).
    EmptyFile,
    /// Standard input or a pipe without any document: what should have been piped in is
    /// missing (a `helm template` that failed, say). An error unless `--allow-empty`.
    EmptyInput,
    /// A map shaped like a pod template where no template path of the object's kind reaches
    /// (a custom resource psslint does not know): it was not checked.
    UncheckedPodTemplate,
    /// An object of a kind named in the config's `workloads:` without a pod template at the
    /// configured paths.
    TemplateNotFound,
    /// A chart or kustomization whose renderer (`helm`; `kubectl` or `kustomize`) is not
    /// installed: it was not checked. The message names the command to run.
    RenderUnavailable,
    /// A chart or kustomization whose rendering failed (the renderer's own message) or timed
    /// out: it was not checked.
    RenderError,
}

impl InputRule {
    pub const ALL: [InputRule; 19] = [
        InputRule::Encoding,
        InputRule::Io,
        InputRule::ParseError,
        InputRule::InvalidSeparator,
        InputRule::DuplicateKey,
        InputRule::TypeError,
        InputRule::UnrenderedTemplate,
        InputRule::IgnoredContent,
        InputRule::AliasLimit,
        InputRule::DepthLimit,
        InputRule::Unencodable,
        InputRule::FileTooLarge,
        InputRule::SpecialFile,
        InputRule::EmptyFile,
        InputRule::EmptyInput,
        InputRule::UncheckedPodTemplate,
        InputRule::TemplateNotFound,
        InputRule::RenderUnavailable,
        InputRule::RenderError,
    ];

    pub fn id(self) -> &'static str {
        match self {
            InputRule::Encoding => "encoding",
            InputRule::Io => "io-error",
            InputRule::ParseError => "parse-error",
            InputRule::InvalidSeparator => "invalid-separator",
            InputRule::DuplicateKey => "duplicate-key",
            InputRule::TypeError => "type-error",
            InputRule::UnrenderedTemplate => "unrendered-template",
            InputRule::IgnoredContent => "ignored-content",
            InputRule::AliasLimit => "alias-limit",
            InputRule::DepthLimit => "depth-limit",
            InputRule::Unencodable => "unencodable-value",
            InputRule::FileTooLarge => "file-too-large",
            InputRule::SpecialFile => "special-file",
            InputRule::EmptyFile => "empty-file",
            InputRule::EmptyInput => "empty-input",
            InputRule::UncheckedPodTemplate => "unchecked-pod-template",
            InputRule::TemplateNotFound => "template-not-found",
            InputRule::RenderUnavailable => "render-unavailable",
            InputRule::RenderError => "render-error",
        }
    }

    pub fn from_id(id: &str) -> Option<InputRule> {
        InputRule::ALL.into_iter().find(|r| r.id() == id)
    }

    /// How serious the problem is. Input that could not be checked, or that the API server
    /// would read differently or reject, is an error (fail closed). What kubectl sends was
    /// still checked after `ignored-content`: a warning. An empty file is only worth a note.
    pub fn severity(self) -> Severity {
        match self {
            InputRule::IgnoredContent | InputRule::TemplateNotFound => Severity::Warning,
            InputRule::EmptyFile => Severity::Note,
            _ => Severity::Error,
        }
    }

    pub fn is_error(self) -> bool {
        self.severity() == Severity::Error
    }

    /// Whether the problem means that some input was not checked at all: it could not be
    /// read, decoded or parsed, or a limit stopped it. These fail the run whatever
    /// `--fail-on` says, unless `--allow-unchecked` makes them warnings. (Type errors,
    /// duplicate keys and the like are errors too, but the input around them was checked.)
    pub fn leaves_unchecked(self) -> bool {
        matches!(
            self,
            InputRule::Encoding
                | InputRule::Io
                | InputRule::ParseError
                | InputRule::UnrenderedTemplate
                | InputRule::AliasLimit
                | InputRule::DepthLimit
                | InputRule::FileTooLarge
                | InputRule::SpecialFile
                | InputRule::EmptyInput
                | InputRule::UncheckedPodTemplate
                | InputRule::RenderUnavailable
                | InputRule::RenderError
        )
    }
}

/// A problem found while reading input, with the best position known.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadProblem {
    pub rule: InputRule,
    pub message: String,
    pub span: Option<Span>,
    /// A short suggestion (e.g. "run `helm template` first").
    pub hint: Option<String>,
}

impl LoadProblem {
    pub fn new(rule: InputRule, message: impl Into<String>, span: Option<Span>) -> Self {
        LoadProblem {
            rule,
            message: message.into(),
            span,
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// A bare message is a read failure (`io-error`).
impl From<String> for LoadProblem {
    fn from(message: String) -> Self {
        LoadProblem::new(InputRule::Io, message, None)
    }
}

/// Whether `d` says that some input could not be checked (an unreadable, undecodable,
/// unparsable or oversized input): such a run never passes unless `--allow-unchecked`.
pub fn is_unchecked(d: &Diagnostic) -> bool {
    InputRule::from_id(&d.rule).is_some_and(InputRule::leaves_unchecked)
}
