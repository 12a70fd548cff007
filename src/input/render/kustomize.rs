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

use super::KUSTOMIZATION_FILES;
use super::{arg, display_path, output_text, process, RenderOptions, Rendered, Tool};
use crate::diagnose::locate;
use crate::diagnose::snippet::snippet_in;
use crate::manifest::decode::decode;
use crate::manifest::split::split_stream;
use crate::manifest::stream::CONTEXT_LINES;
use crate::manifest::yaml::{parse_document, ParseOptions};
use crate::manifest::Node;
use crate::model::diagnostic::Diagnostic;
use crate::model::field::{FieldPath, Segment};
use crate::model::problem::LoadProblem;
use crate::model::source::{LineIndex, Span};

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
        return Err(super::unavailable(
            &what,
            "kubectl and kustomize",
            &plain_line(0),
        ));
    };
    let line = plain_line(i);
    let done = outcome.map_err(|e| super::run_problem(&what, &line, e))?;
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
    if !opts.allow_empty && !super::has_content(&text) {
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
fn normalize(path: &Path) -> PathBuf {
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
fn documents(text: &str) -> Vec<Node> {
    let (chunks, _) = split_stream(text);
    chunks
        .iter()
        .filter_map(|c| parse_document(c.text, c.start_line, &ParseOptions::default()).root)
        .collect()
}

fn str_at<'a>(node: &'a Node, path: &[&str]) -> Option<&'a str> {
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

// ---------------------------------------------------------------------------------------------
// Findings back to the files that set their fields.

/// A patch a kustomization applies: from a file, or written inline in the kustomization file.
#[derive(Debug)]
struct Patch {
    /// The file that holds it (the kustomization file for an inline patch).
    file: PathBuf,
    /// `target:` (kind, name), when given.
    target: Option<(Option<String>, Option<String>)>,
    /// An inline patch's documents (spans in the kustomization file's lines, columns within
    /// the block) and the block's indentation, to add to columns.
    inline: Option<(Vec<Node>, u32)>,
}

/// The patches of a kustomization file, or `None` when one of them cannot be placed with
/// certainty (an inline patch that is not a block scalar, a target chosen by label or
/// annotation selector or by a name pattern, a patch file that cannot be read): then no
/// finding on the objects it touches is re-pointed.
fn patches(kustomization_file: &Path) -> Option<Vec<Patch>> {
    let dir = kustomization_file.parent()?;
    let bytes = std::fs::read(kustomization_file).ok()?;
    let text = decode(&bytes).ok()?;
    let root = documents(text).into_iter().next()?;
    let lines: Vec<&str> = text.lines().collect();
    let inline = |value: &Node| -> Option<(Vec<Node>, u32)> {
        use crate::manifest::node::ScalarStyle;
        let body = value.as_str()?;
        if !matches!(value.style, ScalarStyle::Literal) {
            return None;
        }
        // The block's content starts on the line after its `|` indicator (where the node's
        // span may start, or on the content itself).
        let at = value.span.start.line;
        let head = lines.get((at as usize).checked_sub(1)?)?;
        let indicator = head.rsplit_once('|').is_some_and(|(_, rest)| {
            rest.trim()
                .chars()
                .all(|c| c.is_ascii_digit() || c == '-' || c == '+')
        });
        let first = if indicator { at + 1 } else { at };
        let line = lines.get((first as usize).checked_sub(1)?)?;
        let indent = (line.len() - line.trim_start_matches(' ').len()) as u32;
        let (chunks, _) = split_stream(body);
        let docs = chunks
            .iter()
            .filter_map(|c| {
                parse_document(c.text, c.start_line + first - 1, &ParseOptions::default()).root
            })
            .collect();
        Some((docs, indent))
    };
    let mut out = Vec::new();
    for item in root
        .get("patchesStrategicMerge")
        .and_then(|n| n.as_seq())
        .unwrap_or_default()
    {
        let s = item.as_str()?;
        if s.contains('\n') {
            out.push(Patch {
                file: kustomization_file.to_path_buf(),
                target: None,
                inline: Some(inline(item)?),
            });
        } else {
            let file = normalize(&dir.join(s));
            std::fs::metadata(&file).ok()?;
            out.push(Patch {
                file,
                target: None,
                inline: None,
            });
        }
    }
    for key in ["patchesJson6902", "patches"] {
        for item in root.get(key).and_then(|n| n.as_seq()).unwrap_or_default() {
            let target = match item.get("target") {
                None => None,
                Some(t) => {
                    if t.get("labelSelector").is_some() || t.get("annotationSelector").is_some() {
                        return None;
                    }
                    let name = t.get("name").and_then(Node::as_str).map(str::to_string);
                    if name
                        .as_deref()
                        .is_some_and(|n| n.contains(|c: char| "*?[]()|+\\^$".contains(c)))
                    {
                        return None;
                    }
                    Some((
                        t.get("kind").and_then(Node::as_str).map(str::to_string),
                        name,
                    ))
                }
            };
            if let Some(s) = item.get("path").and_then(Node::as_str) {
                let file = normalize(&dir.join(s));
                std::fs::metadata(&file).ok()?;
                out.push(Patch {
                    file,
                    target,
                    inline: None,
                });
            } else if let Some(body) = item.get("patch") {
                out.push(Patch {
                    file: kustomization_file.to_path_buf(),
                    target,
                    inline: Some(inline(body)?),
                });
            }
        }
    }
    Some(out)
}

/// A source file, read once: its text and document trees.
struct SourceFile {
    text: String,
    docs: Vec<Node>,
}

#[derive(Default)]
struct Files(HashMap<PathBuf, Option<SourceFile>>);

impl Files {
    fn get(&mut self, path: &Path) -> Option<&SourceFile> {
        self.0
            .entry(path.to_path_buf())
            .or_insert_with(|| {
                let bytes = std::fs::read(path).ok()?;
                let text = decode(&bytes).ok()?.to_string();
                let docs = documents(&text);
                Some(SourceFile { text, docs })
            })
            .as_ref()
    }
}

/// The path in `target` that corresponds to `path` in `rendered`: list items that have a
/// `name` (containers, volumes) are matched by name, others by position. Stops (with an
/// index past any list) where `target` has no such item.
fn translate(rendered: &Node, target: &Node, path: &FieldPath) -> FieldPath {
    let mut out = Vec::new();
    let (mut r, mut t) = (Some(rendered), Some(target));
    for seg in path.segments() {
        match seg {
            Segment::Key(k) => {
                out.push(seg.clone());
                r = r.and_then(|n| n.get(k));
                t = t.and_then(|n| n.get(k));
            }
            Segment::Index(i) => {
                let item = r.and_then(|n| n.as_seq()).and_then(|s| s.get(*i));
                let name = item.and_then(|n| n.get("name")).and_then(Node::as_str);
                let seq = t.and_then(|n| n.as_seq());
                let j = match (name, seq) {
                    (Some(name), Some(seq)) => seq
                        .iter()
                        .position(|n| n.get("name").and_then(Node::as_str) == Some(name)),
                    (None, Some(seq)) => (*i < seq.len()).then_some(*i),
                    _ => None,
                };
                let j = j.unwrap_or(usize::MAX);
                out.push(Segment::Index(j));
                r = item;
                t = seq.and_then(|s| s.get(j));
            }
        }
    }
    FieldPath(out)
}

/// A place in a source file, and how much of the field path it holds.
struct Place {
    file: PathBuf,
    span: Span,
    found: usize,
}

/// The document of `docs` that defines `obj` (same kind; the same name, or the longest name
/// that the rendered name contains, as after `namePrefix`/`nameSuffix`).
fn defining<'a>(docs: &'a [Node], obj: &ObjectOrigin) -> Option<&'a Node> {
    let same_kind: Vec<&Node> = docs
        .iter()
        .filter(|d| str_at(d, &["kind"]) == Some(obj.kind.as_str()))
        .collect();
    if let Some(d) = same_kind
        .iter()
        .find(|d| str_at(d, &["metadata", "name"]) == Some(obj.name.as_str()))
    {
        return Some(d);
    }
    same_kind
        .iter()
        .filter_map(|d| {
            let n = str_at(d, &["metadata", "name"])?;
            (!n.is_empty() && obj.name.contains(n)).then_some((n.len(), *d))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, d)| d)
}

/// Where `field` of `obj` is set: the last patch that sets it whole, else the file (base or
/// patch) that holds the most of its path, the base on a tie. `None` when kustomize named no
/// file for the object.
fn place(obj: &ObjectOrigin, field: &FieldPath, files: &mut Files) -> Option<Place> {
    let want = field.segments().len();
    let source = obj.source.clone()?;
    let base = {
        let f = files.get(&source)?;
        let doc = defining(&f.docs, obj)?;
        let base_name = str_at(doc, &["metadata", "name"]).map(str::to_string);
        let r = locate::resolve(doc, &translate(&obj.root, doc, field));
        (
            Place {
                file: source.clone(),
                span: r.span,
                found: r.found,
            },
            base_name,
        )
    };
    let (base, base_name) = base;
    let mut best = base;
    let mut complete: Option<Place> = None;
    let mut kustomizations: Vec<&PathBuf> = Vec::new();
    for k in &obj.configured_in {
        if !kustomizations.contains(&k) {
            kustomizations.push(k);
        }
    }
    for k in kustomizations {
        for patch in patches(k)? {
            let docs: &[Node] = match &patch.inline {
                Some((docs, _)) => docs,
                None => match files.get(&patch.file) {
                    Some(f) => &f.docs,
                    None => return None,
                },
            };
            let shift = patch.inline.as_ref().map_or(0, |(_, indent)| *indent);
            let matches_target = |kind: &Option<String>, name: &Option<String>| {
                kind.as_ref().is_none_or(|k| *k == obj.kind)
                    && name
                        .as_ref()
                        .is_none_or(|n| *n == obj.name || Some(n) == base_name.as_ref())
            };
            let found = match docs.first() {
                // JSON 6902: a list of operations.
                Some(first) if first.as_seq().is_some() => {
                    let Some((kind, name)) = &patch.target else {
                        continue;
                    };
                    if !matches_target(kind, name) {
                        continue;
                    }
                    json6902_place(first.as_seq().unwrap_or_default(), obj, field)
                }
                Some(_) => {
                    let doc = match &patch.target {
                        Some((kind, name)) if matches_target(kind, name) => docs.first(),
                        Some(_) => None,
                        None => docs.iter().find(|d| {
                            str_at(d, &["kind"]) == Some(obj.kind.as_str())
                                && matches_target(
                                    &None,
                                    &str_at(d, &["metadata", "name"]).map(str::to_string),
                                )
                        }),
                    };
                    doc.map(|doc| {
                        let r = locate::resolve(doc, &translate(&obj.root, doc, field));
                        (r.span, r.found)
                    })
                }
                None => None,
            };
            if let Some((mut span, found)) = found {
                span.start.col += shift;
                span.end.col += shift;
                let p = Place {
                    file: patch.file.clone(),
                    span,
                    found,
                };
                if found == want {
                    complete = Some(p);
                } else if found > best.found {
                    best = p;
                }
            }
        }
    }
    Some(complete.unwrap_or(best))
}

/// JSON pointer (`/spec/template/spec/containers/0`) → segments, `~1` and `~0` unescaped; a
/// `-` (append) matches any index.
fn pointer(path: &str) -> Option<Vec<Option<Segment>>> {
    let rest = path.strip_prefix('/')?;
    Some(
        rest.split('/')
            .map(|s| {
                let s = s.replace("~1", "/").replace("~0", "~");
                if s == "-" {
                    None
                } else {
                    Some(match s.parse::<usize>() {
                        Ok(i) => Segment::Index(i),
                        Err(_) => Segment::Key(s),
                    })
                }
            })
            .collect(),
    )
}

/// The operation of a JSON 6902 patch that sets `field` (its path, or a parent of it, with
/// `add` or `replace`): the span of the field inside its `value`.
fn json6902_place(ops: &[Node], obj: &ObjectOrigin, field: &FieldPath) -> Option<(Span, usize)> {
    let segs = field.segments();
    let mut found = None;
    for op in ops {
        let kind = op.get("op").and_then(Node::as_str);
        if !matches!(kind, Some("add" | "replace")) {
            continue;
        }
        let Some(ptr) = op.get("path").and_then(Node::as_str).and_then(pointer) else {
            continue;
        };
        let covers = ptr.len() <= segs.len()
            && ptr
                .iter()
                .zip(segs)
                .all(|(p, s)| p.as_ref().is_none_or(|p| p == s));
        let Some(value) = op.as_map().and_then(|m| m.entry("value")) else {
            continue;
        };
        if !covers {
            continue;
        }
        // Inside the value: the rest of the path, list items matched as in the object.
        let rest = FieldPath(segs[ptr.len()..].to_vec());
        let mut rendered = Some(&obj.root);
        for s in &segs[..ptr.len()] {
            rendered = rendered.and_then(|n| match s {
                Segment::Key(k) => n.get(k),
                Segment::Index(i) => n.as_seq().and_then(|q| q.get(*i)),
            });
        }
        let span = if rest.is_empty() {
            let v = &value.value;
            if v.as_map().is_some() || v.as_seq().is_some() {
                value.key_span
            } else {
                Span::new(value.key_span.start, v.span.end)
            }
        } else {
            let translated = match rendered {
                Some(r) => translate(r, &value.value, &rest),
                None => rest.clone(),
            };
            let r = locate::resolve(&value.value, &translated);
            if r.found == 0 {
                value.key_span
            } else {
                r.span
            }
        };
        let depth = ptr.len()
            + if rest.is_empty() {
                0
            } else {
                let translated = match rendered {
                    Some(r) => translate(r, &value.value, &rest),
                    None => rest.clone(),
                };
                locate::resolve(&value.value, &translated).found
            };
        // The last operation that sets it wins, as kustomize applies them in order.
        found = Some((span, depth));
    }
    found
}

/// The object a diagnostic is about, in `origins`.
fn object_of<'a>(origins: &'a Origins, d: &Diagnostic) -> Option<&'a ObjectOrigin> {
    let o = d.object.as_ref()?;
    let mut candidates = origins
        .objects
        .iter()
        .filter(|x| x.kind == o.kind && x.name == o.name);
    let first = candidates.next()?;
    let rest: Vec<&ObjectOrigin> = candidates.collect();
    if rest.is_empty() {
        return Some(first);
    }
    std::iter::once(first)
        .chain(rest)
        .find(|x| x.namespace.as_deref() == Some(o.namespace.as_str()))
}

/// Re-points the diagnostics of a rendered kustomization to the base or patch file that sets
/// each field, when that is certain: the object is known, kustomize named its file, and the
/// file's document for it is found. Paths are shown relative to `cwd` when below it.
pub fn remap(diags: &mut [Diagnostic], rendered: &Rendered, cwd: &Path) {
    let Some(origins) = &rendered.origins else {
        return;
    };
    let mut files = Files::default();
    let show = |p: &Path| -> String {
        match p.strip_prefix(cwd) {
            Ok(rel) => display_path(rel),
            Err(_) => display_path(p),
        }
    };
    for d in diags.iter_mut().filter(|d| d.file == rendered.display) {
        let Some(obj) = object_of(origins, d) else {
            continue;
        };
        let Some(field) = d.field.as_deref().map(FieldPath::parse) else {
            continue;
        };
        let Some(p) = place(obj, &field, &mut files) else {
            continue;
        };
        let Some(f) = files.get(&p.file) else {
            continue;
        };
        let snippet = snippet_in(&f.text, &LineIndex::new(&f.text), 1, p.span, CONTEXT_LINES);
        let end = crate::model::source::visible_end(p.span);
        // The fix's YAML was indented for the rendered stream: shift it to the file's.
        let delta = i64::from(p.span.start.col) - i64::from(d.column);
        if let Some(fix) = &mut d.fix {
            fix.yaml = reindent(&fix.yaml, delta);
        }
        d.file = show(&p.file);
        d.line = p.span.start.line;
        d.column = p.span.start.col;
        d.end_line = end.line;
        d.end_column = end.col;
        d.snippet = Some(snippet);
        for r in &mut d.related {
            let Some(rp) = place(obj, &FieldPath::parse(&r.field), &mut files) else {
                continue;
            };
            let end = crate::model::source::visible_end(rp.span);
            r.file = show(&rp.file);
            r.line = rp.span.start.line;
            r.column = rp.span.start.col;
            r.end_line = end.line;
            r.end_column = end.col;
        }
    }
}

/// `yaml` with every non-empty line's indentation changed by `delta` columns (never below
/// zero).
fn reindent(yaml: &str, delta: i64) -> String {
    if delta == 0 {
        return yaml.to_string();
    }
    yaml.split('\n')
        .map(|line| {
            if line.trim().is_empty() {
                return line.to_string();
            }
            let body = line.trim_start_matches(' ');
            let indent = (line.len() - body.len()) as i64;
            let new = (indent + delta).max(0) as usize;
            format!("{}{body}", " ".repeat(new))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Re-points the checked objects of a rendered kustomization (the human report's verdict
/// lines, JUnit test cases) to the document that defines each in its base file.
pub fn remap_objects(
    objects: &mut [crate::model::report::CheckedObject],
    rendered: &Rendered,
    cwd: &Path,
) {
    let Some(origins) = &rendered.origins else {
        return;
    };
    let mut files = Files::default();
    for o in objects.iter_mut().filter(|o| o.file == rendered.display) {
        let mut same = origins
            .objects
            .iter()
            .filter(|x| x.kind == o.object.kind && x.name == o.object.name);
        let (Some(obj), None) = (same.next(), same.next()) else {
            continue;
        };
        let Some(source) = &obj.source else {
            continue;
        };
        let Some(doc) = files.get(source).and_then(|f| defining(&f.docs, obj)) else {
            continue;
        };
        o.file = match source.strip_prefix(cwd) {
            Ok(rel) => display_path(rel),
            Err(_) => display_path(source),
        };
        o.line = doc.span.start.line;
        o.column = doc.span.start.col;
    }
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

    #[test]
    fn fixes_are_reindented() {
        assert_eq!(reindent("  a:\n    b: 1", 2), "    a:\n      b: 1");
        assert_eq!(reindent("  a:\n\n    b: 1", -4), "a:\n\nb: 1");
        assert_eq!(reindent("x", 0), "x");
    }

    #[test]
    fn pointers_unescape() {
        assert_eq!(
            pointer("/metadata/annotations/a~1b/0/-"),
            Some(vec![
                Some(Segment::Key("metadata".into())),
                Some(Segment::Key("annotations".into())),
                Some(Segment::Key("a/b".into())),
                Some(Segment::Index(0)),
                None
            ])
        );
    }
}
