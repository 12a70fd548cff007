//! Kustomizations: built with `kubectl kustomize DIR`, or `kustomize build DIR` when only the
//! standalone kustomize is installed.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::KUSTOMIZATION_FILES;
use super::{arg, display_path, output_text, process, RenderOptions, Rendered, Tool};
use crate::model::problem::LoadProblem;

/// The kustomization file of `dir`, if it is a kustomization.
pub fn kustomization_file(dir: &Path) -> Option<PathBuf> {
    KUSTOMIZATION_FILES
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
}

/// Where each object and patched field of a kustomization's output came from.
#[derive(Debug, Default, Clone)]
pub struct Origins {}

/// The ways to build a kustomization, in order of preference, as argv.
pub fn commands(dir: &Path) -> [Vec<String>; 2] {
    [
        vec!["kubectl".into(), "kustomize".into(), arg(dir)],
        vec!["kustomize".into(), "build".into(), arg(dir)],
    ]
}

/// Builds the kustomization at `dir`.
pub fn render(dir: &Path, opts: &RenderOptions) -> Result<Rendered, LoadProblem> {
    let what = format!("kustomization {}", display_path(dir));
    let [kubectl, standalone] = commands(dir);
    let mut outcome = None;
    for argv in [&kubectl, &standalone] {
        let line = process::shell_line(argv);
        match process::run(
            Command::new(&argv[0]).args(&argv[1..]),
            opts.timeout,
            opts.max_output,
        ) {
            Err(process::RunError::NotFound) => continue,
            Err(e) => return Err(super::run_problem(&what, &line, e)),
            Ok(done) => {
                outcome = Some((line, done));
                break;
            }
        }
    }
    let Some((line, done)) = outcome else {
        return Err(super::unavailable(
            &what,
            "kubectl and kustomize",
            &process::shell_line(&kubectl),
        ));
    };
    let text = output_text(&what, &line, done, opts)?;
    Ok(Rendered {
        display: display_path(dir),
        dir: dir.to_path_buf(),
        tool: Tool::Kustomize,
        command: line,
        text: text.into(),
        origins: None,
    })
}
