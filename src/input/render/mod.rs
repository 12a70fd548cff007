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

pub mod common;
pub mod helm;
pub mod kustomize;
pub mod process;

use std::path::Path;

use rayon::prelude::*;

use crate::input::display_path;
use crate::model::problem::LoadProblem;
pub use common::*;

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
