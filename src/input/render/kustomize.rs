//! Kustomizations: built with `kubectl kustomize DIR`, or `kustomize build DIR` when only the
//! standalone kustomize is installed.
//!
//! To name the file that set each offending field, psslint asks kustomize where every object
//! came from without touching the user's files: it builds a temporary kustomization, in a
//! temporary directory, whose only resource is the user's directory and which sets
//! `buildMetadata: [originAnnotations, transformerAnnotations]`. Kustomize then annotates each
//! object with the file it was read from (`config.kubernetes.io/origin`) and the
//! kustomizations whose transformers changed it (`alpha.config.kubernetes.io/transformations`).
//! psslint strips both annotations before linting, so verdicts are those of `kubectl kustomize
//! DIR`, and keeps them as [`Origins`]: after linting, [`remap`] re-points each finding to the
//! field in the base file, or in the strategic-merge or JSON 6902 patch that set it. A finding
//! it cannot place with certainty keeps its rendered location.
//!
//! [`references`] reads a kustomization's own file for the paths it includes (resources,
//! bases, components, patches, …), so a walk lints overlays once and never lints their bases'
//! files raw.

use std::collections::{BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use super::common::{arg, output_text, RenderOptions, Rendered, Tool, KUSTOMIZATION_FILES};
use super::process;
use crate::input::display_path;
use crate::manifest::decode::decode;
use crate::manifest::split::split_stream;
use crate::manifest::yaml::{parse_document, ParseOptions};
use crate::manifest::Node;
use crate::model::problem::LoadProblem;

/// The annotations psslint asks kustomize for, and strips before linting.
pub const ORIGIN_ANNOTATION: &str = "config.kubernetes.io/origin";
pub const TRANSFORMATIONS_ANNOTATION: &str = "alpha.config.kubernetes.io/transformations";

/// The kustomization file of `dir`, if it is a kustomization.
pub fn kustomization_file(dir: &Path) -> Option<PathBuf> {
    KUSTOMIZATION_FILES
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
}

pub use super::common::{ObjectOrigin, Origins};

/// The ways to build a kustomization, in order of preference, as argv.
pub fn commands(dir: &Path) -> [Vec<String>; 2] {
    [
        vec!["kubectl".into(), "kustomize".into(), arg(dir)],
        vec!["kustomize".into(), "build".into(), arg(dir)],
    ]
}

/// Runs the first of `commands` that is installed; `None` when none is.
fn run_first(
    commands: &[Vec<String>],
    opts: &RenderOptions,
) -> Option<(usize, Result<process::Finished, process::RunError>)> {
    for (i, argv) in commands.iter().enumerate() {
        match process::run(
            Command::new(&argv[0]).args(&argv[1..]),
            opts.timeout,
            opts.max_output,
        ) {
            Err(process::RunError::NotFound) => continue,
            other => return Some((i, other)),
        }
    }
    None
}

/// Builds the kustomization at `dir`, with origins when kustomize can give them.
pub fn render(dir: &Path, opts: &RenderOptions) -> Result<Rendered, LoadProblem> {
    let what = format!("kustomization {}", display_path(dir));
    let plain = commands(dir);
    let plain_line = |i: usize| process::shell_line(&plain[i]);
    // First the build with origin annotations, through a temporary kustomization.
    if let Some(annotated) = build_annotated(dir, opts) {
        return Ok(annotated);
    }
    // That failed (or could not be set up): the user's own command decides, with its message.
    let Some((i, outcome)) = run_first(&plain, opts) else {
        return Err(super::common::unavailable(
            &what,
            "kubectl and kustomize",
            &plain_line(0),
        ));
    };
    let line = plain_line(i);
    let done = outcome.map_err(|e| super::common::run_problem(&what, &line, e))?;
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

/// The build through a temporary kustomization that asks for origin annotations; `None` when
/// it cannot be done (no tool, the build fails, the output is not what was expected).
fn build_annotated(dir: &Path, opts: &RenderOptions) -> Option<Rendered> {
    let target = std::fs::canonicalize(dir).ok()?;
    let temp = tempfile::Builder::new()
        .prefix("psslint-kustomize-")
        .tempdir()
        .ok()?;
    let base = std::fs::canonicalize(temp.path()).ok()?;
    let rel = relative_path(&base, &target)?;
    let wrapper = format!(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- {}\n\
         buildMetadata: [originAnnotations, transformerAnnotations]\n",
        serde_json::to_string(&rel.to_string_lossy()).ok()?
    );
    std::fs::write(base.join("kustomization.yaml"), wrapper).ok()?;
    let (i, outcome) = run_first(&commands(&base), opts)?;
    let done = outcome.ok()?;
    if done.code != Some(0) || done.stdout_truncated {
        return None;
    }
    let annotated = String::from_utf8(done.stdout).ok()?;
    let (text, origins) = strip_origins(&annotated, &base)?;
    if !opts.allow_empty && !super::common::has_content(&text) {
        return None;
    }
    Some(Rendered {
        display: display_path(dir),
        dir: dir.to_path_buf(),
        tool: Tool::Kustomize,
        command: process::shell_line(&commands(dir)[i]),
        text: text.into(),
        origins: Some(std::sync::Arc::new(origins)),
    })
}

/// `to` relative to `from` (both absolute, normalised).
fn relative_path(from: &Path, to: &Path) -> Option<PathBuf> {
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return None;
    }
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for c in &to[common..] {
        out.push(c);
    }
    Some(out)
}

/// Removes `.` and resolves `..` without touching the file system.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push(c);
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Parses each document of `text`: `(start line, tree)` for those that have one.
pub(crate) fn documents(text: &str) -> Vec<Node> {
    let (chunks, _) = split_stream(text);
    chunks
        .iter()
        .filter_map(|c| parse_document(c.text, c.start_line, &ParseOptions::default()).root)
        .collect()
}

pub(crate) fn str_at<'a>(node: &'a Node, path: &[&str]) -> Option<&'a str> {
    let mut n = node;
    for k in path {
        n = n.get(k)?;
    }
    n.as_str()
}

/// The annotated stream without psslint's annotations, and where each object came from.
/// `None` when the stream is not what kustomize writes (then the plain build is used).
fn strip_origins(annotated: &str, base: &Path) -> Option<(String, Origins)> {
    let lines: Vec<&str> = annotated.split_inclusive('\n').collect();
    let mut drop = vec![false; lines.len()];
    let mut origins = Origins::default();
    let mut pending = Vec::new();
    for root in documents(annotated) {
        let Some(annotations) = root
            .get("metadata")
            .and_then(|m| m.as_map())
            .and_then(|m| m.entry("annotations"))
        else {
            pending.push((root, None, Vec::new()));
            continue;
        };
        let map = annotations.value.as_map()?;
        let mut source = None;
        let mut configured_in = Vec::new();
        let mut ours = 0;
        for entry in &map.entries {
            let value = entry.value.as_str();
            match entry.key.as_str() {
                ORIGIN_ANNOTATION => {
                    let doc = documents(value?).into_iter().next();
                    let path = doc.as_ref().and_then(|d| str_at(d, &["path"]));
                    // A remote resource has a `repo:`; its path is not in this tree.
                    let remote = doc.as_ref().is_some_and(|d| d.get("repo").is_some());
                    if let (Some(p), false) = (path, remote) {
                        source = Some(normalize(&base.join(p)));
                    }
                }
                TRANSFORMATIONS_ANNOTATION => {
                    let doc = documents(value?).into_iter().next();
                    for t in doc.iter().flat_map(|d| d.as_seq().unwrap_or_default()) {
                        if let Some(p) = str_at(t, &["configuredIn"]) {
                            configured_in.push(normalize(&base.join(p)));
                        }
                    }
                }
                _ => continue,
            }
            ours += 1;
            mark_block(&lines, entry.key_span.start.line, &mut drop);
        }
        if ours == map.entries.len() {
            mark_block(&lines, annotations.key_span.start.line, &mut drop);
        }
        pending.push((root, source, configured_in));
    }
    let text: String = lines
        .iter()
        .zip(&drop)
        .filter(|(_, d)| !**d)
        .map(|(l, _)| *l)
        .collect();
    // The objects as linted: the stripped stream, document by document, in the same order.
    let stripped = documents(&text);
    if stripped.len() != pending.len() {
        return None;
    }
    for (root, (_, source, configured_in)) in stripped.into_iter().zip(pending) {
        let kind = str_at(&root, &["kind"]).unwrap_or_default().to_string();
        let name = str_at(&root, &["metadata", "name"])
            .unwrap_or_default()
            .to_string();
        let namespace = str_at(&root, &["metadata", "namespace"]).map(str::to_string);
        origins.objects.push(ObjectOrigin {
            kind,
            name,
            namespace,
            root,
            source,
            configured_in,
        });
    }
    Some((text, origins))
}

/// Marks line `line` (1-based) and the lines below it that are indented deeper (its value).
fn mark_block(lines: &[&str], line: u32, drop: &mut [bool]) {
    let Some(first) = (line as usize).checked_sub(1) else {
        return;
    };
    let Some(head) = lines.get(first) else {
        return;
    };
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let own = indent(head);
    drop[first] = true;
    for (i, l) in lines.iter().enumerate().skip(first + 1) {
        if l.trim().is_empty() || indent(l) > own {
            drop[i] = true;
        } else {
            break;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// What a kustomization includes.

/// The parsed kustomization file of `dir`.
fn kustomization(dir: &Path) -> Option<(PathBuf, Node)> {
    let file = kustomization_file(dir)?;
    let bytes = std::fs::read(&file).ok()?;
    let text = decode(&bytes).ok()?;
    let root = documents(text).into_iter().next()?;
    Some((file, root))
}

/// The local paths a kustomization includes, as written, resolved against its directory:
/// resources and bases (files or kustomization directories), components, patch files,
/// generator and transformer configs, CRDs, replacements, OpenAPI schema.
fn included(dir: &Path, root: &Node) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut add = |s: &str| {
        // Inline patches hold newlines; remote resources a scheme or a host.
        if !s.contains('\n') && !s.contains("://") && !s.starts_with("github.com/") {
            out.push(normalize(&dir.join(s)));
        }
    };
    for key in [
        "resources",
        "bases",
        "components",
        "crds",
        "configurations",
        "generators",
        "transformers",
        "validators",
        "patchesStrategicMerge",
    ] {
        for item in root.get(key).and_then(|n| n.as_seq()).unwrap_or_default() {
            if let Some(s) = item.as_str() {
                add(s);
            }
        }
    }
    for key in ["patches", "patchesJson6902", "replacements"] {
        for item in root.get(key).and_then(|n| n.as_seq()).unwrap_or_default() {
            if let Some(s) = item.get("path").and_then(Node::as_str) {
                add(s);
            }
        }
    }
    for key in ["configMapGenerator", "secretGenerator"] {
        for item in root.get(key).and_then(|n| n.as_seq()).unwrap_or_default() {
            for list in ["files", "envs"] {
                for f in item.get(list).and_then(|n| n.as_seq()).unwrap_or_default() {
                    if let Some(s) = f.as_str() {
                        // `key=path` names the key the file's content goes under.
                        add(s.rsplit_once('=').map_or(s, |(_, p)| p));
                    }
                }
            }
            if let Some(s) = item.get("env").and_then(Node::as_str) {
                add(s);
            }
        }
    }
    if let Some(s) = root
        .get("openapi")
        .and_then(|o| o.get("path"))
        .and_then(Node::as_str)
    {
        add(s);
    }
    out
}

/// Whether `dir`'s kustomization file is a `kind: Component`: it cannot be built alone, only
/// through the kustomizations whose `components:` name it.
pub fn is_component(dir: &Path) -> bool {
    kustomization(dir).is_some_and(|(_, root)| str_at(&root, &["kind"]) == Some("Component"))
}

/// What the kustomization at `dir` includes, transitively: the files it reads (its own
/// kustomization files included) and the kustomization directories it builds on. Paths are
/// canonical where they exist.
#[derive(Debug, Default)]
pub struct References {
    pub files: BTreeSet<PathBuf>,
    pub kustomizations: BTreeSet<PathBuf>,
}

pub fn references(dir: &Path) -> References {
    let mut refs = References::default();
    let mut todo = vec![dir.to_path_buf()];
    let mut seen = BTreeSet::new();
    while let Some(d) = todo.pop() {
        let d = std::fs::canonicalize(&d).unwrap_or(d);
        if !seen.insert(d.clone()) {
            continue;
        }
        let Some((file, root)) = kustomization(&d) else {
            continue;
        };
        refs.files
            .insert(std::fs::canonicalize(&file).unwrap_or(file));
        for p in included(&d, &root) {
            let p = std::fs::canonicalize(&p).unwrap_or(p);
            if p.is_dir() {
                if kustomization_file(&p).is_some() {
                    refs.kustomizations.insert(p.clone());
                    todo.push(p);
                }
            } else {
                refs.files.insert(p);
            }
        }
    }
    refs.kustomizations
        .remove(&std::fs::canonicalize(dir).unwrap_or(dir.to_path_buf()));
    refs
}

/// For named files (what a pre-commit hook passes), the kustomizations of the repository that
/// read each one (its kustomization file, a resource, a patch, transitively through bases):
/// a staged patch or base file stands for the overlays that build it. Files with no
/// kustomization among their ancestors cost a few `stat`s; otherwise the repository (the
/// working directory's, up to `.git`) is walked once for its kustomizations.
pub fn owners_of(files: &[PathBuf], no_ignore: bool) -> HashMap<PathBuf, Vec<PathBuf>> {
    let mut out = HashMap::new();
    let Ok(cwd) = std::env::current_dir() else {
        return out;
    };
    let cwd = std::fs::canonicalize(&cwd).unwrap_or(cwd);
    let root = cwd
        .ancestors()
        .find(|d| d.join(".git").exists())
        .unwrap_or(&cwd)
        .to_path_buf();
    let canonical: Vec<(PathBuf, PathBuf)> = files
        .iter()
        .filter_map(|f| std::fs::canonicalize(f).ok().map(|c| (f.clone(), c)))
        .filter(|(_, c)| {
            c.starts_with(&root)
                && c.ancestors()
                    .skip(1)
                    .take_while(|a| a.starts_with(&root))
                    .any(|a| kustomization_file(a).is_some())
        })
        .collect();
    if canonical.is_empty() {
        return out;
    }
    // The repository root as a path relative to the working directory, so the kustomizations
    // found are named as a walk from there would name them.
    let up = cwd
        .strip_prefix(&root)
        .map(|rel| rel.components().count())
        .unwrap_or(0);
    let walk_root: PathBuf = if up == 0 {
        PathBuf::from(".")
    } else {
        (0..up).map(|_| "..").collect()
    };
    let mut found = Vec::new();
    for entry in ignore::WalkBuilder::new(&walk_root)
        .standard_filters(!no_ignore)
        .hidden(false)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git")
        .build()
        .flatten()
    {
        if entry.file_type().is_some_and(|t| t.is_dir())
            && kustomization_file(entry.path()).is_some()
            && !is_component(entry.path())
        {
            found.push(entry.into_path());
        }
    }
    let refs: Vec<(PathBuf, References)> = found
        .into_iter()
        .map(|k| {
            let r = references(&k);
            (k, r)
        })
        .collect();
    for (named, c) in canonical {
        let owners: Vec<PathBuf> = refs
            .iter()
            .filter(|(_, r)| r.files.contains(&c))
            .map(|(k, _)| k.clone())
            .collect();
        out.insert(named, owners);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_and_descend() {
        assert_eq!(
            relative_path(Path::new("/tmp/x"), Path::new("/work/a/b")),
            Some(PathBuf::from("../../work/a/b"))
        );
        assert_eq!(
            relative_path(Path::new("/a"), Path::new("/a/b")),
            Some(PathBuf::from("b"))
        );
    }

    #[test]
    fn origin_annotations_are_stripped_and_kept() {
        let annotated = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  annotations:\n    \
            alpha.config.kubernetes.io/transformations: |\n      - configuredIn: ../o/kustomization.yaml\n        \
            configuredBy:\n          kind: PatchTransformer\n    config.kubernetes.io/origin: |\n      \
            path: ../b/deploy.yaml\n  name: web\nspec: {}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  \
            annotations:\n    keep: me\n    config.kubernetes.io/origin: |\n      path: pod.yaml\n  name: p\n";
        let (text, origins) = strip_origins(annotated, Path::new("/t/w")).expect("stripped");
        assert_eq!(
            text,
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec: {}\n---\n\
             apiVersion: v1\nkind: Pod\nmetadata:\n  annotations:\n    keep: me\n  name: p\n"
        );
        let web = &origins.objects[0];
        assert_eq!(
            (web.kind.as_str(), web.name.as_str()),
            ("Deployment", "web")
        );
        assert_eq!(web.source, Some(PathBuf::from("/t/b/deploy.yaml")));
        assert_eq!(
            web.configured_in,
            [PathBuf::from("/t/o/kustomization.yaml")]
        );
        assert_eq!(
            origins.objects[1].source,
            Some(PathBuf::from("/t/w/pod.yaml"))
        );
    }
}
