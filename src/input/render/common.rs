//! What rendering a chart and building a kustomization share: the tools, the options, the
//! rendered result, and the problems a failed render becomes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::process;
use crate::input::display_path;
use crate::manifest::Node;
use crate::model::problem::{InputRule, LoadProblem};

/// The tool that renders a directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tool {
    Helm,
    Kustomize,
}

impl Tool {
    pub fn as_str(self) -> &'static str {
        match self {
            Tool::Helm => "helm",
            Tool::Kustomize => "kustomize",
        }
    }
}

/// The file names that make a directory a kustomization, in kustomize's order of preference.
pub const KUSTOMIZATION_FILES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The file that makes a directory a Helm chart.
pub const CHART_FILE: &str = "Chart.yaml";

/// The flags that shape a render, from the command line (and, per chart, psslint.yaml).
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// `--values FILE`, in order, for every chart.
    pub values: Vec<PathBuf>,
    /// Values files for one chart (psslint.yaml `charts:`), keyed by the chart directory's
    /// canonical path; given before the command line's.
    pub chart_values: BTreeMap<PathBuf, Vec<PathBuf>>,
    /// `--set KEY=VALUE`, in order.
    pub set: Vec<String>,
    /// `--set-string KEY=VALUE`, in order.
    pub set_string: Vec<String>,
    /// `--release-name` (Helm's own default for `helm template` is `release-name`).
    pub release_name: String,
    /// `--namespace`, passed to Helm when not `default` (Helm's default too).
    pub namespace: String,
    /// How long one render may take.
    pub timeout: Duration,
    /// Longest rendered stream kept (`--max-file-size`).
    pub max_output: u64,
    /// `--allow-empty`: a render without any document is not an error.
    pub allow_empty: bool,
}

/// Helm's release name for `helm template` without one.
pub const DEFAULT_RELEASE_NAME: &str = "release-name";

/// Two minutes: a chart renders in well under a second; a kustomization with remote bases may
/// take a while, and one that hangs must not hang the run.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            values: Vec::new(),
            chart_values: BTreeMap::new(),
            set: Vec::new(),
            set_string: Vec::new(),
            release_name: DEFAULT_RELEASE_NAME.to_string(),
            namespace: "default".to_string(),
            timeout: DEFAULT_TIMEOUT,
            max_output: 256 * 1024 * 1024,
            allow_empty: false,
        }
    }
}

/// One rendered directory.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The input's name in diagnostics: the directory as the user gave it (`charts/web`).
    pub display: String,
    /// The directory rendered, as found (relative to the working directory when given so).
    pub dir: PathBuf,
    pub tool: Tool,
    /// The command that rendered it, as a shell line.
    pub command: String,
    /// The stream that was linted (for a kustomization: with psslint's origin annotations
    /// stripped, so verdicts are those of `kubectl kustomize DIR`).
    pub text: Arc<str>,
    /// Where each object and patched field of a kustomization came from.
    pub origins: Option<Arc<Origins>>,
}

/// Every rendered input of a run, by display name.
#[derive(Debug, Default, Clone)]
pub struct Renders {
    pub by_name: BTreeMap<String, Result<Rendered, LoadProblem>>,
}

impl Renders {
    /// The rendered input that diagnostics name `display`.
    pub fn get(&self, display: &str) -> Option<&Rendered> {
        self.by_name.get(display).and_then(|r| r.as_ref().ok())
    }

    /// What reading the rendered input `dir` gives: its stream, or why there is none.
    /// `None` when `dir` was not rendered in this run.
    pub fn source(&self, dir: &Path) -> Option<Result<Vec<u8>, LoadProblem>> {
        self.by_name.get(&display_path(dir)).map(|r| {
            r.as_ref()
                .map(|r| r.text.as_bytes().to_vec())
                .map_err(Clone::clone)
        })
    }
}

/// A renderer that is not installed: the directory is unchecked, with the command to run.
pub(super) fn unavailable(what: &str, tools: &str, command: &str) -> LoadProblem {
    LoadProblem::new(
        InputRule::RenderUnavailable,
        format!(
            "{what} was not checked: {tools} not found on PATH; render it with `{command}` and \
             lint the output"
        ),
        None,
    )
    .with_hint(format!(
        "install {tools}, or run `{command} | psslint -`; --allow-unchecked makes this a warning"
    ))
}

/// A renderer that failed, with its own message.
pub(super) fn failed(what: &str, command: &str, outcome: &process::Finished) -> LoadProblem {
    let status = match outcome.code {
        Some(code) => format!("exit status {code}"),
        None => "killed by a signal".to_string(),
    };
    let stderr = tool_message(&outcome.stderr);
    LoadProblem::new(
        InputRule::RenderError,
        format!("{what} was not checked: `{command}` failed ({status}): {stderr}"),
        None,
    )
    .with_hint(format!(
        "run `{command}` to see the error and fix the input"
    ))
}

/// A renderer's error output as a message: kubectl's log prefix (`E1202 18:27:46.566860
/// 14657 run.go:72] `, a time and a process id that would make every run's report differ) is
/// cut, and so are kustomize's deprecation warnings, unless they are all there is.
pub(super) fn tool_message(stderr: &str) -> String {
    let cleaned: Vec<&str> = stderr
        .lines()
        .map(strip_klog_prefix)
        .filter(|l| !l.trim().is_empty() && !l.starts_with("# Warning:"))
        .collect();
    if !cleaned.is_empty() {
        cleaned.join("\n")
    } else if stderr.trim().is_empty() {
        "(no message)".to_string()
    } else {
        stderr.trim().to_string()
    }
}

/// `E1202 18:27:46.566860   14657 run.go:72] rest` → `rest`; other lines as they are.
pub(super) fn strip_klog_prefix(line: &str) -> &str {
    let b = line.as_bytes();
    let header = b.len() > 22
        && matches!(b[0], b'I' | b'W' | b'E' | b'F')
        && b[1..5].iter().all(u8::is_ascii_digit)
        && b[5] == b' '
        && b[8] == b':'
        && b[11] == b':';
    if !header {
        return line;
    }
    match line.find("] ") {
        Some(i) => &line[i + 2..],
        None => line,
    }
}

/// A process problem other than a failure exit: not started, timed out.
pub(super) fn run_problem(what: &str, command: &str, e: process::RunError) -> LoadProblem {
    let message = match e {
        process::RunError::Timeout(t) => format!(
            "{what} was not checked: `{command}` did not finish within {}s and was stopped",
            t.as_secs_f64()
        ),
        process::RunError::Spawn(e) | process::RunError::Wait(e) => {
            format!("{what} was not checked: `{command}` could not be run: {e}")
        }
        process::RunError::NotFound => format!("{what} was not checked: `{command}` not found"),
    };
    LoadProblem::new(InputRule::RenderError, message, None)
        .with_hint("raise --render-timeout if the render is legitimately slow")
}

/// Checks a finished render: a failure exit is `render-error`, an output over the limit is
/// `file-too-large`, an empty one `render-error` (a renderer that prints nothing has rendered
/// nothing to check, which the user would want to know).
pub(super) fn output_text(
    what: &str,
    command: &str,
    outcome: process::Finished,
    opts: &RenderOptions,
) -> Result<String, LoadProblem> {
    if outcome.code != Some(0) {
        return Err(failed(what, command, &outcome));
    }
    if outcome.stdout_truncated {
        return Err(LoadProblem::new(
            InputRule::FileTooLarge,
            format!(
                "{what} was not checked: `{command}` printed more than the --max-file-size limit \
                 of {} bytes",
                opts.max_output
            ),
            None,
        ));
    }
    let text = String::from_utf8(outcome.stdout).map_err(|_| {
        LoadProblem::new(
            InputRule::RenderError,
            format!("{what} was not checked: `{command}` printed output that is not UTF-8"),
            None,
        )
    })?;
    if !opts.allow_empty && !has_content(&text) {
        return Err(LoadProblem::new(
            InputRule::EmptyInput,
            format!("`{command}` rendered no documents: {what} holds nothing to check"),
            None,
        )
        .with_hint("check its values (a chart whose templates are all disabled renders nothing); pass --allow-empty if nothing is expected"));
    }
    Ok(text)
}

/// Whether a rendered stream holds anything but blank lines, comments and separators.
pub(super) fn has_content(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .any(|l| !l.is_empty() && !l.starts_with('#') && l != "---" && !l.starts_with("--- "))
}

/// A path as passed to a renderer: as given (relative paths stay relative to the working
/// directory, where psslint runs the renderer too).
pub(super) fn arg(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// Where the objects of a kustomization's output came from.
#[derive(Debug, Default, Clone)]
pub struct Origins {
    pub objects: Vec<ObjectOrigin>,
}

/// One object of the output.
#[derive(Debug, Clone)]
pub struct ObjectOrigin {
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
    /// The object as linted (annotations stripped).
    pub root: Node,
    /// The file it was read from (absolute), when kustomize says (generated objects have none).
    pub source: Option<PathBuf>,
    /// The kustomization files whose transformers changed it, in the order kustomize lists.
    pub configured_in: Vec<PathBuf>,
}
