//! Paths → the files to lint. Directories are walked in parallel with the `ignore` crate
//! (`.gitignore`-aware unless `--no-ignore`), picking `*.yaml`, `*.yml` and `*.json`; a file
//! named explicitly is always read, whatever its extension; `-` is standard input.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

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
}

pub fn display_path(p: &Path) -> String {
    let s = p.to_string_lossy();
    let s = s.strip_prefix("./").unwrap_or(&s);
    s.replace('\\', "/")
}

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
    pub threads: usize,
}

/// A walked entry that could not be read (a broken symlink, a permission problem).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkProblem {
    pub path: String,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct Discovered {
    /// Sorted and de-duplicated, so runs are deterministic.
    pub inputs: Vec<Input>,
    pub problems: Vec<WalkProblem>,
}

fn is_manifest(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

/// Expands `paths` into inputs. Fails on a named path that does not exist.
pub fn discover(paths: &[PathBuf], opts: &DiscoverOptions) -> Result<Discovered, PathError> {
    let mut out = Discovered::default();
    for p in paths {
        if p.as_os_str() == "-" {
            out.inputs.push(Input::Stdin);
            continue;
        }
        let meta = std::fs::metadata(p).map_err(|e| PathError {
            path: display_path(p),
            message: match e.kind() {
                std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
                _ => e.to_string(),
            },
        })?;
        if meta.is_dir() {
            walk(p, opts, &mut out);
        } else {
            out.inputs.push(Input::File(p.clone()));
        }
    }
    out.inputs.sort();
    out.inputs.dedup();
    out.problems.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

fn walk(dir: &Path, opts: &DiscoverOptions, out: &mut Discovered) {
    let found = Mutex::new(Vec::new());
    let problems = Mutex::new(Vec::new());
    let mut builder = WalkBuilder::new(dir);
    builder
        .threads(opts.threads)
        .standard_filters(!opts.no_ignore)
        .hidden(false)
        // Only honour .gitignore inside git repositories is the git default; psslint users
        // often lint a subfolder, so read .gitignore files even outside a repo.
        .require_git(false);
    if !opts.no_ignore {
        // Never descend into VCS metadata, even when hidden files are walked.
        builder.filter_entry(|e| e.file_name() != ".git");
    }
    builder.build_parallel().run(|| {
        let found = &found;
        let problems = &problems;
        Box::new(move |entry| {
            match entry {
                Ok(e) => {
                    // Only regular files: FIFOs, sockets and devices are never opened.
                    let is_file = e.file_type().is_some_and(|t| t.is_file());
                    if is_file && is_manifest(e.path()) {
                        if let Ok(mut f) = found.lock() {
                            f.push(Input::File(e.into_path()));
                        }
                    }
                }
                Err(err) => {
                    if let Ok(mut p) = problems.lock() {
                        p.push(WalkProblem {
                            path: err_path(&err).unwrap_or_else(|| display_path(dir)),
                            message: err.to_string(),
                        });
                    }
                }
            }
            WalkState::Continue
        })
    });
    out.inputs.extend(found.into_inner().unwrap_or_default());
    out.problems
        .extend(problems.into_inner().unwrap_or_default());
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
