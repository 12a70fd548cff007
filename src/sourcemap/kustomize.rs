//! Findings in a rendered kustomization moved back to the files that set their fields: the
//! base file's document for the object, or the strategic-merge or JSON 6902 patch (a file, or
//! inline in a kustomization file) that changed the field. Rendering itself, and the origins
//! kustomize reports for each object, are [`crate::input::render::kustomize`]'s; a finding
//! this cannot place with certainty keeps its rendered location.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::diagnose::locate;
use crate::diagnose::snippet::snippet_in;
use crate::input::display_path;
use crate::input::render::kustomize::{documents, normalize, str_at, ObjectOrigin, Origins};
use crate::input::render::{Rendered, Renders};
use crate::manifest::decode::decode;
use crate::manifest::split::split_stream;
use crate::manifest::stream::CONTEXT_LINES;
use crate::manifest::yaml::{parse_document, ParseOptions};
use crate::manifest::Node;
use crate::model::diagnostic::Diagnostic;
use crate::model::field::{FieldPath, Segment};
use crate::model::source::{LineIndex, Span};

/// Re-points the findings of rendered kustomizations to the base and patch files that set
/// their fields (see [`remap`]), then restores the report's order.
pub fn remap_report(report: &mut crate::model::report::Report, renders: &Renders) {
    let cwd = std::env::current_dir()
        .ok()
        .map(|c| std::fs::canonicalize(&c).unwrap_or(c))
        .unwrap_or_default();
    let mut moved = false;
    for rendered in renders.by_name.values().flatten() {
        if rendered.origins.is_some() {
            remap(&mut report.diagnostics, rendered, &cwd);
            remap_objects(&mut report.objects, rendered, &cwd);
            moved = true;
        }
    }
    if moved {
        crate::model::diagnostic::sort(&mut report.diagnostics);
        report
            .objects
            .sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    }
}

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
