//! Charts and kustomizations as input: a directory holding `Chart.yaml` is rendered with
//! `helm template` ([`helm`]), one holding `kustomization.yaml` (`.yml`, `Kustomization`) is
//! built with `kubectl kustomize` or `kustomize build` ([`kustomize`]). The rendered stream is
//! linted in memory as an input of its own, named by the directory as the user gave it
//! (`charts/web`): the `# Source:` comments Helm writes stay in it, so each document still
//! names its template.
//!
//! Fail closed: a renderer that is not installed makes the directory `render-unavailable`,
//! with the exact command to run; one that fails makes it `render-error`, with the tool's own
//! message. Both mean the directory was not checked, and fail the run unless
//! `--allow-unchecked`. psslint never changes the user's files: Helm's dependency state is
//! left as it is (no `helm dependency build`), and kustomize's origin annotations are asked
//! for through a temporary kustomization outside the user's tree.

pub mod helm;
pub mod kustomize;
pub mod process;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rayon::prelude::*;

use super::display_path;
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

/// What renders `dir`, if anything: a chart wins over a kustomization (Helm reads the
/// directory as a chart whatever else it holds).
///
/// A library chart (`type: library`) renders nothing by itself, and a kustomization
/// `Component` cannot be built alone: each is checked through the charts or kustomizations
/// that use it, so neither is an input of its own.
pub fn tool_for(dir: &Path) -> Option<Tool> {
    if dir.join(CHART_FILE).is_file() {
        (!helm::is_library(dir)).then_some(Tool::Helm)
    } else if kustomize::kustomization_file(dir).is_some() {
        Some(Tool::Kustomize)
    } else {
        None
    }
}

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
    pub origins: Option<Arc<kustomize::Origins>>,
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

/// Renders every directory in `dirs` (in parallel on the current rayon pool).
pub fn render_all<'a>(dirs: impl Iterator<Item = &'a Path>, opts: &RenderOptions) -> Renders {
    let dirs: Vec<&Path> = dirs.collect();
    let by_name = dirs
        .par_iter()
        .filter_map(|dir| {
            let tool = tool_for(dir)?;
            Some((display_path(dir), render(dir, tool, opts)))
        })
        .collect();
    Renders { by_name }
}

/// Renders one directory with `tool`.
pub fn render(dir: &Path, tool: Tool, opts: &RenderOptions) -> Result<Rendered, LoadProblem> {
    match tool {
        Tool::Helm => helm::render(dir, opts),
        Tool::Kustomize => kustomize::render(dir, opts),
    }
}

/// A renderer that is not installed: the directory is unchecked, with the command to run.
fn unavailable(what: &str, tools: &str, command: &str) -> LoadProblem {
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
fn failed(what: &str, command: &str, outcome: &process::Finished) -> LoadProblem {
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
fn tool_message(stderr: &str) -> String {
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
fn strip_klog_prefix(line: &str) -> &str {
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
fn run_problem(what: &str, command: &str, e: process::RunError) -> LoadProblem {
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
fn output_text(
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
fn has_content(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .any(|l| !l.is_empty() && !l.starts_with('#') && l != "---" && !l.starts_with("--- "))
}

/// A path as passed to a renderer: as given (relative paths stay relative to the working
/// directory, where psslint runs the renderer too).
fn arg(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubectl_log_prefixes_and_warnings_are_cut() {
        let stderr = "# Warning: 'bases' is deprecated.\nE1202 18:27:46.566860   14657 run.go:72] \"command failed\" err=\"boom\"\n";
        assert_eq!(tool_message(stderr), "\"command failed\" err=\"boom\"");
        assert_eq!(tool_message("Error: x\n"), "Error: x");
        assert_eq!(tool_message("# Warning: only\n"), "# Warning: only");
        assert_eq!(tool_message(""), "(no message)");
    }
}
