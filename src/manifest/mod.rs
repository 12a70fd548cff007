//! Loading: bytes → documents → span-carrying trees, the way kubectl and the API server read
//! them (pss-spec §7–8).
//!
//! * [`split`] cuts a stream into documents textually, as kubectl does, so that a broken
//!   document never hides the ones after it.
//! * [`yaml`] parses one document into a [`Node`] tree with go-yaml v2 semantics ([`resolve`]
//!   holds the scalar rules).
//! * [`object`] reads apiVersion/kind/name/namespace and flattens `*List` kinds.

pub mod decode;
pub mod node;
pub mod object;
pub mod resolve;
pub mod split;
pub mod stream;
pub mod yaml;

pub use node::{Entry, Mapping, Node, ScalarStyle, Value};

use crate::source::Span;

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
}

impl InputRule {
    pub const ALL: [InputRule; 12] = [
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
        }
    }

    pub fn from_id(id: &str) -> Option<InputRule> {
        InputRule::ALL.into_iter().find(|r| r.id() == id)
    }

    /// Whether the problem means some input could not be checked (fail closed) or only that
    /// the input is suspicious. Only `ignored-content` is a warning: what kubectl sends was
    /// still checked.
    pub fn is_error(self) -> bool {
        !matches!(self, InputRule::IgnoredContent)
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
