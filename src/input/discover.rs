//! Paths → the files to lint. Directories are walked in parallel with the `ignore` crate
//! (`.gitignore`-aware unless `--no-ignore`), picking `*.yaml`, `*.yml` and `*.json`; a file
//! named explicitly is always read, whatever its extension; `-` is standard input.
//!
//! Symbolic links met in a walk are not followed unless `--follow` (ripgrep's rule): a link to
//! `..` would lint the parent, and a link to a file outside the tree would put that file's
//! lines in the report. A path named on the command line is always followed, link or not.
//! With `--follow`, a link whose target is missing is reported when its name is a manifest's,
//! and a link back to a directory being walked is reported as a loop and not followed. Named
//! pipes, sockets and devices met in a walk are never opened (a pipe would block the run):
//! they are reported as skipped.
//!
//! Charts and kustomizations ([`super::render`]): a directory holding `Chart.yaml` or a
//! kustomization file, named or met in a walk, is an input of its own (`Input::File(dir)`,
//! rendered before it is linted). A chart's `templates/` and `charts/` are not walked: its
//! templates are not manifests, and its subcharts render with it. A file named on the command
//! line that is one of a chart's sources (a template, `values.yaml`, `Chart.yaml`: what a
//! pre-commit hook passes) stands for its chart.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::{WalkBuilder, WalkState};

use super::render::{self, helm, CHART_FILE};
use super::special::special_kind;
use super::{display_path, Input};
use crate::model::problem::InputRule;

/// A problem with a path the user named (exit code 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError {
    pub path: String,
    pub message: String,
}

#[derive(Debug, Clone, Default)]
pub struct DiscoverOptions {
    /// Do not honour `.gitignore`, `.ignore` and git excludes.
    pub no_ignore: bool,
    /// Follow symbolic links met while walking (`--follow`).
    pub follow: bool,
    pub threads: usize,
}

/// A walked entry that could not be read (a broken symlink, a permission problem, a loop:
/// `io-error`) or was skipped (a named pipe or device: `special-file`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkProblem {
    pub rule: InputRule,
    pub path: String,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct Discovered {
    /// Sorted and de-duplicated, so runs are deterministic.
    pub inputs: Vec<Input>,
    pub problems: Vec<WalkProblem>,
    /// Named paths that do not exist (the run still lints the others, then exits 2).
    pub missing: Vec<PathError>,
}

fn is_manifest(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

/// Expands `paths` into inputs. Fails on a named path that does not exist.
pub fn discover(paths: &[PathBuf], opts: &DiscoverOptions) -> Result<Discovered, PathError> {
    let found = discover_all(paths, opts);
    match found.missing.first() {
        Some(e) => Err(e.clone()),
        None => Ok(found),
    }
}

/// Expands `paths` into inputs. A named path that does not exist is recorded in
/// [`Discovered::missing`], and the others are still expanded (what the CLI does: it lints
/// them, then exits 2).
pub fn discover_all(paths: &[PathBuf], opts: &DiscoverOptions) -> Discovered {
    let mut out = Discovered::default();
    // Named files that are no chart's: a kustomization's own files stand for it (below).
    let mut named = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            out.inputs.push(Input::Stdin);
            continue;
        }
        match std::fs::metadata(p) {
            // A directory inside a chart (its `templates/`) stands for the chart.
            Ok(meta) if meta.is_dir() => match helm::chart_of(&p.join("_")) {
                Some(chart) if render::tool_for(p).is_none() => {
                    // A library chart's sources are checked through the charts that use it.
                    if render::tool_for(&chart).is_some() {
                        out.inputs.push(Input::File(chart))
                    }
                }
                _ => walk(p, opts, &mut out),
            },
            Ok(_) => match helm::chart_of(p) {
                Some(chart) if render::tool_for(&chart).is_none() => {}
                Some(chart) => out.inputs.push(Input::File(chart)),
                None => named.push(p.clone()),
            },
            // A dangling symlink, or a permission problem on the way: reading it reports it.
            Err(_) if std::fs::symlink_metadata(p).is_ok() => {
                out.inputs.push(Input::File(p.clone()))
            }
            Err(e) => out.missing.push(PathError {
                path: display_path(p),
                message: match e.kind() {
                    std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
                    _ => e.to_string(),
                },
            }),
        }
    }
    let owners = render::kustomize::owners_of(&named, opts.no_ignore);
    for file in named {
        match owners.get(&file) {
            Some(dirs) if !dirs.is_empty() => {
                out.inputs.extend(dirs.iter().cloned().map(Input::File))
            }
            _ => out.inputs.push(Input::File(file)),
        }
    }
    out.inputs.sort();
    out.inputs.dedup();
    drop_kustomization_parts(&mut out.inputs);
    out.problems.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Kustomizations are linted as what they build: a base that another kustomization of the
/// run includes (resources, bases, components, transitively) is linted through it only, and
/// the files they read (resources, patches, their kustomization files) are never linted raw.
fn drop_kustomization_parts(inputs: &mut Vec<Input>) {
    let mut files = std::collections::BTreeSet::new();
    let mut bases = std::collections::BTreeSet::new();
    for input in inputs.iter() {
        let Some(dir) = input.path().filter(|p| p.is_dir()) else {
            continue;
        };
        if render::tool_for(dir) != Some(render::Tool::Kustomize) {
            continue;
        }
        let refs = render::kustomize::references(dir);
        files.extend(refs.files);
        bases.extend(refs.kustomizations);
        // A component is only ever built as part of the kustomizations that name it.
        if render::kustomize::is_component(dir) {
            bases.insert(std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf()));
        }
    }
    if files.is_empty() && bases.is_empty() {
        return;
    }
    // One `canonicalize` per directory, not per file.
    let mut dirs: HashMap<PathBuf, PathBuf> = HashMap::new();
    let mut canonical = |path: &Path| -> PathBuf {
        match (path.parent(), path.file_name()) {
            (Some(parent), Some(name)) => dirs
                .entry(parent.to_path_buf())
                .or_insert_with(|| {
                    std::fs::canonicalize(parent).unwrap_or_else(|_| parent.to_path_buf())
                })
                .join(name),
            _ => std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
        }
    };
    inputs.retain(|input| {
        let Some(path) = input.path() else {
            return true;
        };
        // A symbolic link stands for its target.
        let c = if path.is_symlink() {
            std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
        } else {
            canonical(path)
        };
        !files.contains(&c) && !bases.contains(&c)
    });
}

fn walk(dir: &Path, opts: &DiscoverOptions, out: &mut Discovered) {
    let found = Mutex::new(Vec::new());
    let problems = Mutex::new(Vec::new());
    let mut builder = WalkBuilder::new(dir);
    builder
        .threads(opts.threads)
        .standard_filters(!opts.no_ignore)
        .hidden(false)
        .follow_links(opts.follow)
        // Only honour .gitignore inside git repositories is the git default; psslint users
        // often lint a subfolder, so read .gitignore files even outside a repo.
        .require_git(false);
    let no_ignore = opts.no_ignore;
    let charts = ChartFiles::default();
    builder.filter_entry(move |e| {
        // Never descend into VCS metadata, even when hidden files are walked.
        if !no_ignore && e.file_name() == ".git" {
            return false;
        }
        // A chart's own files (templates, subcharts, values) are rendered with it, never
        // linted raw; what its .helmignore leaves out (examples/) is walked as usual.
        !charts.is_chart_file(e.path(), e.file_type().is_some_and(|t| t.is_dir()))
    });
    builder.build_parallel().run(|| {
        let found = &found;
        let problems = &problems;
        Box::new(move |entry| {
            let problem = match entry {
                Ok(e) => {
                    let kind = e.file_type();
                    // Not following links, a walk sees them as links: none of them is read.
                    let link = kind.is_some_and(|t| t.is_symlink());
                    let dir = kind.is_some_and(|t| t.is_dir());
                    if dir && render::tool_for(e.path()).is_some() {
                        // A chart or kustomization: rendered, then linted as one input.
                        if let Ok(mut f) = found.lock() {
                            f.push(Input::File(e.into_path()));
                        }
                        None
                    } else if link || !is_manifest(e.path()) || kind.is_none_or(|t| t.is_dir()) {
                        None
                    } else if kind.is_some_and(|t| t.is_file()) {
                        if let Ok(mut f) = found.lock() {
                            f.push(Input::File(e.into_path()));
                        }
                        None
                    } else {
                        // Only regular files: FIFOs, sockets and devices are never opened.
                        Some(WalkProblem {
                            rule: InputRule::SpecialFile,
                            path: display_path(e.path()),
                            message: format!(
                                "not a regular file but {}; it was skipped",
                                kind.map_or("a special file", special_kind)
                            ),
                        })
                    }
                }
                Err(err) => walk_problem(&err, dir),
            };
            if let Some(p) = problem {
                if let Ok(mut all) = problems.lock() {
                    all.push(p);
                }
            }
            WalkState::Continue
        })
    });
    out.inputs.extend(found.into_inner().unwrap_or_default());
    out.problems
        .extend(problems.into_inner().unwrap_or_default());
}

/// Which entries of a walk belong to a chart's package: every entry directly in a chart's
/// directory (and so, by pruning, everything below it) but those its `.helmignore` leaves
/// out. Helm reads `.helmignore` with gitignore's syntax; `templates/` and `charts/` are the
/// chart's whatever it says. Each directory is looked at once.
#[derive(Default)]
struct ChartFiles {
    /// Per parent directory: `None` when it is not a chart, else its `.helmignore` rules.
    seen: Mutex<HashMap<PathBuf, Option<Arc<Gitignore>>>>,
}

impl ChartFiles {
    fn is_chart_file(&self, path: &Path, is_dir: bool) -> bool {
        let Some(parent) = path.parent() else {
            return false;
        };
        let ignore = {
            let Ok(mut seen) = self.seen.lock() else {
                return false;
            };
            seen.entry(parent.to_path_buf())
                .or_insert_with(|| {
                    parent.join(CHART_FILE).is_file().then(|| {
                        let mut b = GitignoreBuilder::new(parent);
                        // A missing or unreadable .helmignore leaves every file in the chart.
                        let _ = b.add(parent.join(".helmignore"));
                        Arc::new(b.build().unwrap_or_else(|_| Gitignore::empty()))
                    })
                })
                .clone()
        };
        let Some(ignore) = ignore else {
            return false;
        };
        let name = path.file_name();
        if name == Some("templates".as_ref()) || name == Some("charts".as_ref()) {
            return true;
        }
        !ignore.matched(path, is_dir).is_ignore()
    }
}

/// A walk error worth reporting: loops, unreadable directories, and missing link targets of
/// files that look like manifests (a dangling `README` link is none of psslint's business).
fn walk_problem(err: &ignore::Error, dir: &Path) -> Option<WalkProblem> {
    let path = err_path(err).unwrap_or_else(|| display_path(dir));
    if is_loop(err) {
        return Some(WalkProblem {
            rule: InputRule::Io,
            path,
            message: format!("{err}; the link was not followed"),
        });
    }
    let dangling = err
        .io_error()
        .is_some_and(|e| e.kind() == std::io::ErrorKind::NotFound);
    if dangling {
        if !is_manifest(Path::new(&path)) {
            return None;
        }
        return Some(WalkProblem {
            rule: InputRule::Io,
            message: "cannot read: dangling symbolic link (its target does not exist); it was \
                      not checked"
                .to_string(),
            path,
        });
    }
    let reason = match err.io_error() {
        Some(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            "permission denied".to_string()
        }
        Some(e) => e.to_string(),
        None => err.to_string(),
    };
    Some(WalkProblem {
        rule: InputRule::Io,
        message: format!("cannot read: {reason}; it was not checked"),
        path,
    })
}

fn is_loop(err: &ignore::Error) -> bool {
    match err {
        ignore::Error::Loop { .. } => true,
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => is_loop(err),
        _ => false,
    }
}

fn err_path(err: &ignore::Error) -> Option<String> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(display_path(path)),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            err_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(display_path(child)),
        _ => None,
    }
}
