//! Input: paths → the inputs to lint ([`discover`]) → their content ([`read`]), within bounds,
//! never blocking on a pipe or device ([`special`]); charts and kustomizations are rendered
//! by their tools ([`render`]). Nothing here parses manifests.

pub mod discover;
pub mod read;
pub mod render;
pub mod snapshot;
pub mod special;

use std::path::{Path, PathBuf};

/// One input to lint.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Input {
    Stdin,
    File(PathBuf),
}

impl Input {
    /// The path shown in diagnostics: as given, without a leading `./`.
    pub fn display(&self) -> String {
        match self {
            Input::Stdin => "<stdin>".to_string(),
            Input::File(p) => display_path(p),
        }
    }

    /// The file's path; `None` for standard input.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Input::Stdin => None,
            Input::File(p) => Some(p),
        }
    }
}

/// A path as diagnostics name it: as given, without a leading `./`, with `/` separators.
pub fn display_path(p: &Path) -> String {
    let s = p.to_string_lossy();
    let s = s.strip_prefix("./").unwrap_or(&s);
    s.replace('\\', "/")
}
