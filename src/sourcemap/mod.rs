//! Findings in Helm output, moved to the chart's sources: the template line that wrote the
//! offending field and, when a value feeds it, the values line that sets it (or where it should
//! be added), with the fix written as a values change.
//!
//! A post-lint pass over finished diagnostics ([`apply`]): for each finding in a document with a
//! `# Source: CHART/templates/x.yaml` comment, the chart directory is found (a registered
//! rendering, or a `Chart.yaml` named `CHART` beside or above the rendered file, `charts/NAME/`
//! subcharts included), the template is read as an automaton of output lines
//! ([`program`]) with the named templates it includes inlined, and the rendered document is
//! aligned with it. The template line (or values line) becomes the primary location and the
//! rendered line a related one. A finding whose line cannot be told for certain keeps its
//! rendered location and says so (`source_map.status = "uncertain"`): a wrong line is worse
//! than none.

pub mod gotmpl;
pub mod kustomize;
pub mod program;
pub mod values;

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::manifest::node::Node;
use crate::manifest::split::split_stream;
use crate::manifest::yaml::{parse_document, ParseOptions};
use crate::model::diagnostic::{
    Diagnostic, Location, MapStatus, Related, Snippet, SourceMap, ValuesFix, ValuesLocation,
};
use crate::model::source::Pos;
use crate::report::SourceRoot;

use program::{Kind, Piece, Program, Seg, Sources, Step};
use values::{Layer, Values};

/// A chart psslint rendered itself: the name its output is reported under (the diagnostics'
/// `file`), the chart directory, the values files given to `helm template` (in order) and the
/// rendered text (which is not on disk).
#[derive(Debug, Clone)]
pub struct RenderedChart {
    pub name: String,
    pub chart_dir: PathBuf,
    pub values_files: Vec<PathBuf>,
    pub text: Arc<str>,
}

/// Charts rendered during this run, by the name their output is reported under.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    charts: Vec<RenderedChart>,
}

impl Registry {
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Registers a rendering; findings reported under `chart.name` are mapped to its sources.
    pub fn register(&mut self, chart: RenderedChart) {
        self.charts.push(chart);
    }

    fn get(&self, name: &str) -> Option<&RenderedChart> {
        self.charts.iter().find(|c| c.name == name)
    }
}

/// Maps every finding in Helm output to its chart's sources, in place, and re-sorts.
pub fn apply(diags: &mut [Diagnostic], root: &SourceRoot, registry: &Registry) {
    let mut cx = Context {
        root,
        registry,
        files: HashMap::new(),
        charts: HashMap::new(),
        docs: HashMap::new(),
        chunks: HashMap::new(),
    };
    for d in diags.iter_mut() {
        if d.origin.is_some() && d.source_map.is_none() {
            cx.map(d);
        }
    }
    crate::model::diagnostic::sort(diags);
}

/// A chart's template sources, parsed once.
struct Chart {
    /// The chart directory (absolute).
    dir: PathBuf,
    /// Template files: absolute path and text.
    files: Vec<(PathBuf, String)>,
    parsed: Vec<Option<gotmpl::Parsed>>,
    programs: HashMap<usize, Option<Arc<Program>>>,
}

/// One rendered document, aligned.
struct Doc {
    first_line: u32,
    lines: Vec<String>,
    steps: Vec<Step>,
    tree: Option<Node>,
    chart: PathBuf,
    program: Arc<Program>,
    values: Arc<Values>,
    unexplained: usize,
    /// Rendered lines before the aligned ones (`# Source:`).
    skip: usize,
    /// The alignment's cost, and each state's template line.
    cost: u32,
    state_lines: Vec<Option<(usize, u32)>>,
    /// Per rendered line (index into `lines`): why its template line is not certain.
    ambiguity: std::sync::Mutex<HashMap<usize, Option<String>>>,
}

struct Context<'a> {
    root: &'a SourceRoot,
    registry: &'a Registry,
    files: HashMap<PathBuf, Option<Arc<str>>>,
    charts: HashMap<PathBuf, Option<Chart>>,
    docs: HashMap<(String, u32), Result<Arc<Doc>, String>>,
    #[allow(clippy::type_complexity)]
    chunks: HashMap<String, Option<(Arc<str>, Arc<Vec<(usize, usize, u32)>>)>>,
}

fn read(files: &mut HashMap<PathBuf, Option<Arc<str>>>, path: &Path) -> Option<Arc<str>> {
    files
        .entry(path.to_path_buf())
        .or_insert_with(|| std::fs::read_to_string(path).ok().map(Arc::from))
        .clone()
}

/// The `name:` of `dir/Chart.yaml`.
fn chart_name(files: &mut HashMap<PathBuf, Option<Arc<str>>>, dir: &Path) -> Option<String> {
    let text = read(files, &dir.join("Chart.yaml"))?;
    let doc = parse_document(&text, 1, &ParseOptions::default());
    doc.root?.get("name")?.as_str().map(str::to_owned)
}

/// `path` as diagnostics name files: relative to the working directory when inside it.
fn display(cx_root: &SourceRoot, path: &Path) -> String {
    let cwd = &cx_root.cwd;
    if let Ok(rel) = path.strip_prefix(cwd) {
        return slash(rel);
    }
    // `../x` when both share an ancestor.
    let (a, b): (Vec<Component>, Vec<Component>) =
        (path.components().collect(), cwd.components().collect());
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common <= 1 {
        return slash(path);
    }
    let mut out: Vec<String> = vec!["..".to_string(); b.len() - common];
    out.extend(
        a[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    out.join("/")
}

fn slash(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Line and column (1-based, columns in characters) of byte `offset` of `text`.
fn position(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() as u32 + 1;
    let col = before
        .rfind('\n')
        .map_or(before, |i| &before[i + 1..])
        .chars()
        .count() as u32
        + 1;
    (line, col)
}

/// Parses `spec.containers[0].securityContext` into segments.
fn field_path(field: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    for part in field.split('.') {
        let (key, mut rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        if !key.is_empty() {
            out.push(Seg::Key(key.to_string()));
        }
        while let Some((idx, r)) = rest.split_once(']') {
            if let Ok(i) = idx.parse() {
                out.push(Seg::Index(i));
            }
            rest = r.strip_prefix('[').unwrap_or(r);
        }
    }
    out
}

/// The deepest node along `path` that exists: (segments matched, node, its key or item line).
fn deepest<'n>(root: &'n Node, path: &[Seg]) -> (usize, &'n Node, Pos) {
    let mut node = root;
    let mut pos = root.span.start;
    for (i, seg) in path.iter().enumerate() {
        let next = match seg {
            Seg::Key(k) => node
                .as_map()
                .and_then(|m| m.entry(k))
                .map(|e| (&e.value, e.key_span.start)),
            Seg::Index(n) => node
                .as_seq()
                .and_then(|s| s.get(*n))
                .map(|v| (v, v.span.start)),
            Seg::Any => None,
        };
        match next {
            Some((n, p)) => {
                node = n;
                pos = p;
            }
            None => return (i, node, pos),
        }
    }
    (path.len(), node, pos)
}

/// The path (relative to `node`) of the entry whose key is on `line`, or of the sequence item
/// starting there when `item` is set.
fn path_at(node: &Node, line: u32, item: bool) -> Option<Vec<Seg>> {
    if let Some(m) = node.as_map() {
        for e in m.iter() {
            if e.key_span.start.line == line && !item {
                return Some(vec![Seg::Key(e.key.clone())]);
            }
            if e.value.span.start.line <= line
                && line <= e.value.span.end.line.max(e.key_span.start.line)
            {
                if let Some(mut p) = path_at(&e.value, line, item) {
                    p.insert(0, Seg::Key(e.key.clone()));
                    return Some(p);
                }
            }
        }
    } else if let Some(s) = node.as_seq() {
        for (i, n) in s.iter().enumerate() {
            if n.span.start.line == line && item {
                return Some(vec![Seg::Index(i)]);
            }
            if n.span.start.line <= line && line <= n.span.end.line {
                if let Some(mut p) = path_at(n, line, item) {
                    p.insert(0, Seg::Index(i));
                    return Some(p);
                }
            }
        }
    }
    None
}

/// The merged value of `path` across the values layers, as Helm merges them.
fn merged(values: &Values, path: &[Seg]) -> Option<serde_json::Value> {
    let mut out: Option<serde_json::Value> = None;
    for layer in &values.layers {
        let single = Values {
            layers: vec![Layer {
                file: layer.file.clone(),
                prefix: layer.prefix.clone(),
                root: layer.root.clone(),
            }],
        };
        if let Some(f) = single.unique(path) {
            let v = f.node.to_json();
            out = Some(match out {
                Some(base) => merge_json(base, v),
                None => v,
            });
        }
    }
    out
}

fn merge_json(base: serde_json::Value, over: serde_json::Value) -> serde_json::Value {
    match (base, over) {
        (serde_json::Value::Object(mut a), serde_json::Value::Object(b)) => {
            for (k, v) in b {
                let merged = match a.remove(&k) {
                    Some(old) => merge_json(old, v),
                    None => v,
                };
                a.insert(k, merged);
            }
            serde_json::Value::Object(a)
        }
        (_, over) => over,
    }
}

/// A values line, the values path it sets, and how many segments of the field path that values
/// path stands for.
type ValuesFeed = (ValuesLocation, Vec<Seg>, usize);

/// Other offending fields mapped per finding.
const MAX_MAPPED_RELATED: usize = 32;

/// What was found for one finding.
struct Mapped {
    template: Location,
    values: Option<ValuesFeed>,
    values_fix: Option<ValuesFix>,
}

impl Context<'_> {
    fn map(&mut self, d: &mut Diagnostic) {
        let doc = match self.doc(&d.file, d.line) {
            Ok(doc) => doc,
            Err(e) => {
                // No chart sources in reach: the finding stays as it is.
                if e.is_empty() {
                    return;
                }
                return self.uncertain(d, e);
            }
        };
        match self.locate(&doc, d) {
            Ok(m) => self.rewrite(d, &doc, m),
            Err(e) => self.uncertain(d, e),
        }
    }

    fn uncertain(&self, d: &mut Diagnostic, note: String) {
        d.source_map = Some(SourceMap {
            status: MapStatus::Uncertain,
            rendered: Location {
                file: d.file.clone(),
                line: d.line,
                column: d.column,
            },
            template: None,
            values: None,
            values_fix: None,
            note: Some(note),
        });
    }

    /// The aligned document holding `line` of `file`. `Err("")` when there is no chart to map
    /// to; `Err(reason)` when there is one but the document cannot be aligned.
    fn doc(&mut self, file: &str, line: u32) -> Result<Arc<Doc>, String> {
        if !self.chunks.contains_key(file) {
            let split = self.split(file);
            self.chunks.insert(file.to_string(), split);
        }
        let Some((text, chunks)) = self.chunks.get(file).cloned().flatten() else {
            return Err(String::new());
        };
        let Some(&(start, end, first_line)) =
            chunks.iter().filter(|c| c.2 <= line).max_by_key(|c| c.2)
        else {
            return Err(String::new());
        };
        let key = (file.to_string(), first_line);
        if let Some(done) = self.docs.get(&key) {
            return done.clone();
        }
        let chunk = &text[start..end];
        let origin = split_stream(chunk).0.first().and_then(|c| c.origin.clone());
        let result = self
            .build_doc(file, chunk, first_line, origin.as_deref())
            .map(Arc::new);
        self.docs.insert(key, result.clone());
        result
    }

    /// A rendered file's text and its documents (byte range, first line), read once.
    #[allow(clippy::type_complexity)]
    fn split(&mut self, file: &str) -> Option<(Arc<str>, Arc<Vec<(usize, usize, u32)>>)> {
        let text: Arc<str> = match self.registry.get(file) {
            Some(c) => c.text.clone(),
            None => read(&mut self.files, &self.root.absolute(file)?)?,
        };
        let base = text.as_ptr() as usize;
        let (chunks, _) = split_stream(&text);
        let bounds = chunks
            .iter()
            .map(|c| {
                let start = c.text.as_ptr() as usize - base;
                (start, start + c.text.len(), c.start_line)
            })
            .collect();
        Some((text.clone(), Arc::new(bounds)))
    }

    fn build_doc(
        &mut self,
        file: &str,
        text: &str,
        first_line: u32,
        origin: Option<&str>,
    ) -> Result<Doc, String> {
        let origin = origin.ok_or_else(String::new)?;
        let (chart_dir, top_dir, template) = self.find_chart(origin, file)?;
        let template_abs = chart_dir.join(&template);
        let (program, state_lines) = {
            let chart = self.chart(&top_dir).ok_or_else(String::new)?;
            let Some(index) = chart.files.iter().position(|(p, _)| *p == template_abs) else {
                return Err(String::new());
            };
            let program = chart.program(index).ok_or_else(|| {
                format!("the template {template} could not be read as a Go template")
            })?;
            let texts: Vec<&str> = chart.files.iter().map(|(_, t)| t.as_str()).collect();
            let state_lines = program::state_lines(&program, &texts);
            (program, state_lines)
        };
        let values = Arc::new(self.values(&chart_dir, &top_dir, file));
        let lines: Vec<String> = text.lines().map(str::to_owned).collect();
        // Helm's `# Source:` comment and other leading comments are not template output.
        let skip = lines
            .iter()
            .take_while(|l| l.starts_with("# Source:"))
            .count();
        let refs: Vec<&str> = lines[skip..].iter().map(String::as_str).collect();
        let (steps_tail, cost) = program::align_cost(&program, &refs, None)
            .ok_or_else(|| "the template is too large to align with its output".to_string())?;
        let mut steps = vec![Step::Unexplained; skip];
        steps.extend(steps_tail);
        let unexplained = steps[skip..]
            .iter()
            .zip(&refs)
            .filter(|(s, l)| **s == Step::Unexplained && !l.trim().is_empty())
            .count();
        let tree = parse_document(text, first_line, &ParseOptions::default()).root;
        Ok(Doc {
            first_line,
            lines,
            steps,
            tree,
            chart: chart_dir,
            program,
            values,
            unexplained,
            skip,
            cost,
            state_lines,
            ambiguity: std::sync::Mutex::new(HashMap::new()),
        })
    }

    /// The chart directory for a `# Source:` path, the top-level chart's directory and the
    /// template's path inside the chart.
    /// `Err("")` when no chart is in reach; `Err(reason)` when the chart is there but not the
    /// subchart that wrote the document.
    fn find_chart(
        &mut self,
        origin: &str,
        rendered: &str,
    ) -> Result<(PathBuf, PathBuf, String), String> {
        self.find_chart_in(origin, rendered)
            .ok_or_else(String::new)?
    }

    fn find_chart_in(
        &mut self,
        origin: &str,
        rendered: &str,
    ) -> Option<Result<(PathBuf, PathBuf, String), String>> {
        let parts: Vec<&str> = origin.split('/').collect();
        if parts.len() < 3 || parts.iter().any(|p| p.is_empty() || *p == "..") {
            return None;
        }
        let top = parts[0];
        let mut i = 1;
        let mut subs = Vec::new();
        while i + 2 < parts.len() && parts[i] == "charts" {
            subs.push(parts[i + 1]);
            i += 2;
        }
        if parts[i] != "templates" {
            return None;
        }
        let template = parts[i..].join("/");
        let mut candidates: Vec<PathBuf> = Vec::new();
        if let Some(c) = self.registry.get(rendered) {
            candidates.push(self.root.cwd.join(&c.chart_dir));
        }
        if let Some(abs) = self.root.absolute(rendered) {
            for dir in abs.ancestors().skip(1) {
                candidates.push(dir.to_path_buf());
                candidates.push(dir.join(top));
                candidates.push(dir.join("charts").join(top));
                if dir == self.root.root {
                    break;
                }
            }
        }
        candidates.push(self.root.cwd.join(top));
        candidates.push(self.root.cwd.join("charts").join(top));
        let top_dir = candidates
            .into_iter()
            .find(|d| chart_name(&mut self.files, d).as_deref() == Some(top))?;
        let mut dir = top_dir.clone();
        for s in subs {
            dir = dir.join("charts").join(s);
            if chart_name(&mut self.files, &dir).is_none() {
                return Some(Err(format!(
                    "the subchart {s} is not in the repository ({} holds no Chart.yaml; a \
                     dependency that `helm dependency build` fetches is not linted at its source)",
                    display(self.root, &dir)
                )));
            }
        }
        Some(Ok((dir, top_dir, template)))
    }

    fn chart(&mut self, top: &Path) -> Option<&mut Chart> {
        if !self.charts.contains_key(top) {
            let chart = load_chart(top);
            self.charts.insert(top.to_path_buf(), chart);
        }
        self.charts.get_mut(top)?.as_mut()
    }

    /// The values layers for a rendering of `chart_dir`: the chart's values.yaml (and its
    /// parents' for a subchart), then a values file next to the rendered output (an example's
    /// `values.yaml`) or the files registered for the rendering.
    fn values(&mut self, chart_dir: &Path, top_dir: &Path, rendered: &str) -> Values {
        let mut layers = Vec::new();
        // The subchart's own defaults, then each parent's section for it.
        let mut prefix: Vec<String> = Vec::new();
        let mut dir = chart_dir.to_path_buf();
        let mut chain = vec![(dir.clone(), Vec::new())];
        while dir != top_dir {
            let Some(name) = dir.file_name().map(|n| n.to_string_lossy().into_owned()) else {
                break;
            };
            let Some(parent) = dir.parent().and_then(Path::parent) else {
                break;
            };
            prefix.insert(0, name);
            dir = parent.to_path_buf();
            chain.push((dir.clone(), prefix.clone()));
        }
        for (d, p) in &chain {
            let path = d.join("values.yaml");
            if let Some(text) = read(&mut self.files, &path) {
                layers.push(Layer::parse(display(self.root, &path), p.clone(), &text));
            }
        }
        let top_prefix = chain.last().map(|c| c.1.clone()).unwrap_or_default();
        let user: Vec<PathBuf> = match self.registry.get(rendered) {
            Some(c) => c
                .values_files
                .iter()
                .map(|f| self.root.cwd.join(f))
                .collect(),
            None => self
                .root
                .absolute(rendered)
                .and_then(|abs| {
                    abs.ancestors()
                        .skip(1)
                        .take_while(|a| a.starts_with(top_dir) && *a != top_dir)
                        .map(|a| a.join("values.yaml"))
                        .find(|v| v.is_file())
                })
                .into_iter()
                .collect(),
        };
        for path in user {
            if let Some(text) = read(&mut self.files, &path) {
                layers.push(Layer::parse(
                    display(self.root, &path),
                    top_prefix.clone(),
                    &text,
                ));
            }
        }
        Values { layers }
    }

    /// Finds the template (and values) line of one finding.
    fn locate(&self, doc: &Doc, d: &Diagnostic) -> Result<Mapped, String> {
        let tree = doc
            .tree
            .as_ref()
            .ok_or_else(|| "the rendered document could not be parsed".to_string())?;
        let path = d.field.as_deref().map(field_path).unwrap_or_default();
        let (matched, node, pos) = deepest(tree, &path);
        let anchor = if matched == 0 { d.line } else { pos.line };
        let idx = anchor
            .checked_sub(doc.first_line)
            .map(|i| i as usize)
            .filter(|i| *i < doc.lines.len())
            .ok_or_else(|| "the finding is outside its document".to_string())?;
        let Step::State(s) = doc.steps[idx] else {
            return Err(format!(
                "rendered line {anchor} matches no line of the template"
            ));
        };
        let prog = &doc.program;
        let chart = self
            .charts
            .values()
            .flatten()
            .find(|c| doc.chart.starts_with(&c.dir))
            .ok_or_else(|| "chart sources were not loaded".to_string())?;
        if let Some(why) = ambiguity(doc, idx, s) {
            return Err(format!("rendered line {anchor} {why}"));
        }
        let state = &prog.states[s as usize];
        let key = match path.get(matched.saturating_sub(1)) {
            Some(Seg::Key(k)) if matched > 0 => Some(k.as_str()),
            _ => None,
        };
        let (src, block) = match &state.kind {
            Kind::Line {
                pat, block: None, ..
            } => {
                // The first literal text of the line names it; the key must be written there
                // literally or by one of its actions.
                let lit = pat.iter().find_map(|p| match p {
                    Piece::Lit(t, Some(src)) if !t.trim().is_empty() => {
                        let ws = t.len() - t.trim_start().len();
                        Some(program::Src {
                            file: src.file,
                            offset: src.offset + ws,
                        })
                    }
                    _ => None,
                });
                let literal: String = pat
                    .iter()
                    .filter_map(|p| match p {
                        Piece::Lit(t, _) => Some(t.as_str()),
                        Piece::Hole(_) => None,
                    })
                    .collect();
                let has_hole = pat.iter().any(|p| matches!(p, Piece::Hole(_)));
                if let Some(k) = key {
                    let keyed = literal.contains(&format!("{k}:"));
                    if !keyed && !has_hole {
                        return Err(format!(
                            "rendered line {anchor} aligns with a template line without `{k}`"
                        ));
                    }
                }
                let src = lit.or_else(|| {
                    pat.iter().find_map(|p| match p {
                        Piece::Hole(h) => Some(prog.emitters[*h].src),
                        _ => None,
                    })
                });
                (src.ok_or_else(|| "empty template line".to_string())?, None)
            }
            Kind::Line { block: Some(b), .. } | Kind::Wild { block: b, .. } => {
                (prog.emitters[*b].src, Some(*b))
            }
            Kind::Eps => return Err("internal: epsilon state consumed a line".into()),
        };
        // A block's lines are only trusted when the document aligned without gaps.
        if block.is_some() && doc.unexplained > 0 {
            return Err(format!(
                "rendered line {anchor} was written by an action, and {} lines of the document match no template line",
                doc.unexplained
            ));
        }
        let (tfile, ttext) = &chart.files[src.file];
        let (line, column) = position(ttext, src.offset);
        let template = Location {
            file: display(self.root, tfile),
            line,
            column,
        };
        let mut template = template;
        let mut values = self.values_of(doc, &path, matched, node, anchor, idx, block, state);
        if values.is_none() && matched < path.len() && block.is_none() {
            // A missing field: the template block that would write it, when one did not run.
            if let Some((loc, vals)) = self.belongs(doc, chart, &path, matched, node, anchor, src) {
                template = loc;
                values = vals;
            }
        }
        let values_fix = values
            .as_ref()
            .and_then(|(loc, vpath, fed)| values_fix(doc, d, &path, loc, vpath, *fed));
        Ok(Mapped {
            template,
            values,
            values_fix,
        })
    }

    /// For a missing field: a line of the anchor's template block that writes its first missing
    /// key but did not run (`{{- with $.Values.x }}` then `key:`), and the values path that
    /// turns it on (the deepest part set in the values files).
    #[allow(clippy::too_many_arguments)]
    fn belongs(
        &self,
        doc: &Doc,
        chart: &Chart,
        path: &[Seg],
        matched: usize,
        node: &Node,
        anchor: u32,
        anchor_src: program::Src,
    ) -> Option<(Location, Option<ValuesFeed>)> {
        let Seg::Key(key) = path.get(matched)? else {
            return None;
        };
        let first = node.as_map()?.entries.first()?;
        let rendered = doc.lines.get((anchor - doc.first_line) as usize)?;
        let r_indent = rendered.len() - rendered.trim_start().len();
        let offset = (first.key_span.start.col as usize).checked_sub(1 + r_indent)?;
        let (tfile, text) = &chart.files[anchor_src.file];
        let (t_line, t_col) = position(text, anchor_src.offset);
        let child = t_col as usize - 1 + offset;
        let lines: Vec<&str> = text.lines().collect();
        let start = t_line as usize; // 0-based index of the line after the anchor's
        let mut found = None;
        for (i, l) in lines.iter().enumerate().skip(start).take(400) {
            let t = l.trim_start();
            if t.is_empty() || t.starts_with("{{") || t.starts_with('#') {
                continue;
            }
            let indent = l.len() - t.len();
            if indent < child {
                break;
            }
            if indent == child && t.starts_with(&format!("{key}:")) {
                found = Some(i);
                break;
            }
        }
        let found = found?;
        let template = Location {
            file: display(self.root, tfile),
            line: found as u32 + 1,
            column: child as u32 + 1,
        };
        // The control action that guards the block.
        let mut guard = None;
        for l in lines[start..found].iter().rev() {
            let t = l.trim();
            let inner = t
                .strip_prefix("{{-")
                .or_else(|| t.strip_prefix("{{"))
                .and_then(|r| r.strip_suffix("-}}").or_else(|| r.strip_suffix("}}")));
            let Some(inner) = inner.map(str::trim) else {
                continue;
            };
            if inner.starts_with("end") {
                break;
            }
            if let Some(expr) = inner.strip_prefix("with ") {
                guard = Some(expr.trim().to_string());
                break;
            }
            if inner.starts_with("if ") {
                break;
            }
        }
        let values = guard.and_then(|expr| {
            let chain = expr
                .strip_prefix("$.Values.")
                .or_else(|| expr.strip_prefix(".Values."))?;
            if !chain
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))
            {
                return None;
            }
            let vpath: Vec<Seg> = chain.split('.').map(|k| Seg::Key(k.to_string())).collect();
            // The block did not run: the values must leave it off.
            let off = match merged(&doc.values, &vpath) {
                None | Some(serde_json::Value::Null) => true,
                Some(serde_json::Value::Bool(b)) => !b,
                Some(serde_json::Value::Object(m)) => m.is_empty(),
                Some(serde_json::Value::Array(a)) => a.is_empty(),
                Some(serde_json::Value::String(s)) => s.is_empty(),
                Some(serde_json::Value::Number(n)) => n.as_f64() == Some(0.0),
            };
            if !off {
                return None;
            }
            let (f, n) = doc.values.deepest(&vpath)?;
            if n == 0 {
                return None;
            }
            let layer = &doc.values.layers[f.layer];
            Some((
                ValuesLocation {
                    file: layer.file.clone(),
                    line: f.key.line,
                    column: f.key.col,
                    path: values::display(&f.path),
                },
                vpath,
                matched + 1,
            ))
        });
        Some((template, values))
    }

    /// The values path that feeds the anchor node, verified against the values files: (where,
    /// the values path, how many rendered field segments it stands for).
    #[allow(clippy::too_many_arguments)]
    fn values_of(
        &self,
        doc: &Doc,
        path: &[Seg],
        matched: usize,
        node: &Node,
        anchor: u32,
        idx: usize,
        block: Option<usize>,
        state: &program::State,
    ) -> Option<ValuesFeed> {
        let prog = &doc.program;
        let values = &doc.values;
        let complete = matched == path.len();
        let located = |vpath: Vec<Seg>, _depth: usize| -> Option<ValuesFeed> {
            let f = values.unique(&vpath)?;
            let layer = &values.layers[f.layer];
            Some((
                ValuesLocation {
                    file: layer.file.clone(),
                    line: f.key.line,
                    column: f.key.col,
                    path: values::display(&f.path),
                },
                f.path.clone(),
                matched,
            ))
        };
        if let Some(b) = block {
            // Inside a multi-line action's output: find the block's extent, read it, and
            // locate the anchor within it.
            let same = |s: &Step| match s {
                Step::State(t) => match &prog.states[*t as usize].kind {
                    Kind::Wild { block, .. } => *block == b,
                    Kind::Line { block, .. } => *block == Some(b),
                    Kind::Eps => false,
                },
                Step::Unexplained => false,
            };
            let mut start = idx;
            while start > 0 && same(&doc.steps[start - 1]) {
                start -= 1;
            }
            let mut end = idx;
            while end + 1 < doc.steps.len() && same(&doc.steps[end + 1]) {
                end += 1;
            }
            let base = prog.emitters[b].refs.first()?.clone();
            if base.contains(&Seg::Any) {
                return None;
            }
            let text = doc.lines[start..=end].join("\n");
            let first = doc.first_line + start as u32;
            let btree = parse_document(&text, first, &ParseOptions::default()).root?;
            let want = merged(values, &base)?;
            if btree.to_json() != want {
                return None;
            }
            let item = matches!(path.get(matched.wrapping_sub(1)), Some(Seg::Index(_)));
            let rel = path_at(&btree, anchor, item)?;
            // The rendered path of the block's root: the anchor's path minus `rel`.
            if rel.len() > matched || path[matched - rel.len()..matched] != rel[..] {
                return None;
            }
            let mut vpath = base;
            vpath.extend(rel.iter().cloned());
            if complete {
                let f = values.unique(&vpath)?;
                if !values::same_value(f.node, node) {
                    return None;
                }
            }
            return located(vpath, rel.len());
        }
        // A template line: its actions' values paths.
        let Kind::Line { pat, .. } = &state.kind else {
            return None;
        };
        let holes: Vec<usize> = pat
            .iter()
            .filter_map(|p| match p {
                Piece::Hole(h) => Some(*h),
                _ => None,
            })
            .collect();
        if complete && node.as_map().is_none() && node.as_seq().is_none() {
            // A scalar written by an action on this line.
            let mut found = Vec::new();
            for h in &holes {
                for r in &prog.emitters[*h].refs {
                    for f in values.find(r) {
                        if values::same_value(f.node, node) && !found.contains(&f.path) {
                            found.push(f.path.clone());
                        }
                    }
                }
            }
            if found.len() == 1 {
                return located(found.remove(0), 0);
            }
            return None;
        }
        // A mapping whose value is written by the next lines' action (`key:` then
        // `{{- toYaml .Values.x | nindent N }}`), or by an action on the key's line.
        let value_line = node.span.start.line;
        let vidx = value_line.checked_sub(doc.first_line)? as usize;
        let emitter = if value_line == anchor {
            holes.last().copied()
        } else {
            match doc.steps.get(vidx)? {
                Step::State(t) => match &prog.states[*t as usize].kind {
                    Kind::Wild { block, .. } => Some(*block),
                    Kind::Line { block: Some(b), .. } => Some(*b),
                    _ => None,
                },
                Step::Unexplained => None,
            }
        }?;
        if value_line != anchor && doc.unexplained > 0 {
            return None;
        }
        let base = prog.emitters[emitter].refs.first()?.clone();
        if base.contains(&Seg::Any) {
            return None;
        }
        let want = merged(values, &base)?;
        if want != node.to_json() {
            return None;
        }
        located(base, 0)
    }

    fn rewrite(&self, d: &mut Diagnostic, doc: &Doc, m: Mapped) {
        let rendered = Location {
            file: d.file.clone(),
            line: d.line,
            column: d.column,
        };
        let (end_line, end_column) = (d.end_line, d.end_column);
        // A value set (or to be added) in a values file is fixed there.
        let primary_values = m.values.as_ref().map(|(v, _, _)| v.clone());
        let mut related = vec![Related {
            file: rendered.file.clone(),
            line: rendered.line,
            column: rendered.column,
            end_line,
            end_column,
            field: d.field.clone().unwrap_or_default(),
            container: d.container.clone(),
            role: Some("rendered"),
        }];
        let (file, line, column, status) = match &primary_values {
            Some(v) => {
                related.insert(
                    0,
                    Related {
                        file: m.template.file.clone(),
                        line: m.template.line,
                        column: m.template.column,
                        end_line: m.template.line,
                        end_column: self.key_end(
                            &m.template.file,
                            m.template.line,
                            m.template.column,
                        ),
                        field: d.field.clone().unwrap_or_default(),
                        container: d.container.clone(),
                        role: Some("template"),
                    },
                );
                (v.file.clone(), v.line, v.column, MapStatus::Values)
            }
            None => (
                m.template.file.clone(),
                m.template.line,
                m.template.column,
                MapStatus::Template,
            ),
        };
        // Other offending fields of the same finding, mapped the same way where that is certain
        // (their values line, else their template line); otherwise their rendered line stays.
        let mut others: Vec<Related> = Vec::new();
        // (Each costs an alignment at most; past a few dozen, the rest keep their rendered lines.)
        for (i, r) in std::mem::take(&mut d.related).into_iter().enumerate() {
            if i >= MAX_MAPPED_RELATED {
                others.push(r);
                continue;
            }
            let mut probe = d.clone();
            probe.related.clear();
            probe.fix = None;
            probe.file = r.file.clone();
            probe.line = r.line;
            probe.field = Some(r.field.clone());
            let mapped = (r.file == rendered.file)
                .then(|| self.locate(doc, &probe).ok())
                .flatten();
            let mut r = r;
            if let Some(m) = mapped {
                let (file, line, column) = match &m.values {
                    Some((v, _, _)) => (v.file.clone(), v.line, v.column),
                    None => (m.template.file, m.template.line, m.template.column),
                };
                r.end_column = self.key_end(&file, line, column);
                r.end_line = line;
                (r.file, r.line, r.column) = (file, line, column);
            }
            if !others
                .iter()
                .chain(&related)
                .any(|o| o.file == r.file && o.line == r.line && o.field == r.field)
            {
                others.push(r);
            }
        }
        d.related = related;
        d.related.extend(others);
        d.snippet = self.snippet(&file, line);
        let end = self.key_end(&file, line, column);
        d.file = file;
        d.line = line;
        d.column = column;
        d.end_line = line;
        d.end_column = end;
        d.source_map = Some(SourceMap {
            status,
            rendered,
            template: Some(m.template),
            values: m.values.map(|v| v.0),
            values_fix: m.values_fix,
            note: None,
        });
    }

    /// The end column (exclusive) of the key or word starting at `column`.
    fn key_end(&self, file: &str, line: u32, column: u32) -> u32 {
        let text = self.line_text(file, line);
        text.as_deref().map_or(column + 1, |t| {
            let t: String = t
                .chars()
                .skip((column as usize).saturating_sub(1))
                .collect();
            let word = t
                .find(|c: char| c == ':' || c.is_whitespace())
                .unwrap_or(t.len());
            column + t[..word].chars().count().max(1) as u32
        })
    }

    fn line_text(&self, file: &str, line: u32) -> Option<String> {
        let abs = self.root.absolute(file)?;
        let text = self.files.get(&abs).cloned().flatten().or_else(|| {
            self.charts
                .values()
                .flatten()
                .flat_map(|c| c.files.iter())
                .find(|(p, _)| *p == abs)
                .map(|(_, t)| Arc::from(t.as_str()))
        })?;
        text.lines()
            .nth((line as usize).checked_sub(1)?)
            .map(str::to_owned)
    }

    fn snippet(&self, file: &str, line: u32) -> Option<Snippet> {
        let first = line.saturating_sub(2).max(1);
        let lines: Vec<String> = (first..=line + 2)
            .map_while(|l| self.line_text(file, l))
            .collect();
        if lines.is_empty() || lines.iter().any(|l| l.len() > 1024) {
            return None;
        }
        Some(Snippet {
            first_line: first,
            lines,
        })
    }
}

impl Chart {
    fn program(&mut self, index: usize) -> Option<Arc<Program>> {
        if let Some(p) = self.programs.get(&index) {
            return p.clone();
        }
        let built = self.parsed[index].as_ref().map(|parsed| {
            let sources = Sources {
                texts: self.files.iter().map(|(_, t)| t.as_str()).collect(),
                defines: self
                    .parsed
                    .iter()
                    .enumerate()
                    .filter_map(|(i, p)| p.as_ref().map(|p| (i, p)))
                    .flat_map(|(i, p)| {
                        p.defines
                            .iter()
                            .map(move |(n, b)| (n.clone(), (i, b.clone())))
                    })
                    .collect(),
            };
            Arc::new(Program::build(&sources, index, &parsed.nodes))
        });
        self.programs.insert(index, built.clone());
        built
    }
}

/// Why the template line that explains rendered line `idx` (state `s`) is not certain: another
/// template line explains it as well.
fn ambiguity(doc: &Doc, idx: usize, s: u32) -> Option<String> {
    if let Some(done) = doc.ambiguity.lock().ok()?.get(&idx) {
        return done.clone();
    }
    let target = doc.state_lines.get(s as usize).copied().flatten();
    let refs: Vec<&str> = doc.lines[doc.skip..].iter().map(String::as_str).collect();
    let ban = |u: u32| doc.state_lines.get(u as usize).copied().flatten() == target;
    let why = match program::align_cost(&doc.program, &refs, Some((idx - doc.skip, &ban))) {
        Some((steps, cost)) if cost <= doc.cost => {
            let other = match steps.get(idx - doc.skip) {
                Some(Step::State(t)) => doc.state_lines.get(*t as usize).copied().flatten(),
                _ => None,
            };
            Some(match (target, other) {
                (Some((_, a)), Some((_, b))) => {
                    format!("matches template lines {a} and {b} equally well")
                }
                _ => "matches more than one template line equally well".to_string(),
            })
        }
        _ => None,
    };
    if let Ok(mut cache) = doc.ambiguity.lock() {
        cache.insert(idx, why.clone());
    }
    why
}

/// Reads every template of a chart and its subcharts (named templates are shared by all).
fn load_chart(top: &Path) -> Option<Chart> {
    let mut files = Vec::new();
    let mut dirs = vec![top.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        collect_templates(&dir.join("templates"), &mut files);
        if let Ok(subs) = std::fs::read_dir(dir.join("charts")) {
            let mut subs: Vec<PathBuf> = subs
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.join("Chart.yaml").is_file())
                .collect();
            subs.sort();
            dirs.extend(subs);
        }
        if files.len() > 5_000 {
            return None;
        }
    }
    let parsed = files
        .iter()
        .map(|(_, text): &(PathBuf, String)| gotmpl::parse(text).ok())
        .collect();
    Some(Chart {
        dir: top.to_path_buf(),
        files,
        parsed,
        programs: HashMap::new(),
    })
}

fn collect_templates(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            collect_templates(&p, out);
        } else if let Ok(text) = std::fs::read_to_string(&p) {
            let p = std::fs::canonicalize(&p).unwrap_or(p);
            out.push((p, text));
        }
    }
}

/// The fix as a values change: the fix's YAML, nested under the values path that feeds the
/// field, indented for the values file.
fn values_fix(
    doc: &Doc,
    d: &Diagnostic,
    path: &[Seg],
    loc: &ValuesLocation,
    vpath: &[Seg],
    fed_len: usize,
) -> Option<ValuesFix> {
    let fix = d.fix.as_ref()?;
    let lines: Vec<&str> = fix.yaml.lines().collect();
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()?;
    let snippet: Vec<String> = lines
        .iter()
        .map(|l| l.get(indent..).unwrap_or("").to_string())
        .collect();
    let top_key = snippet.first()?.split(':').next()?.trim().to_string();
    // The field path of the snippet's parent.
    let pos = path.iter().rposition(|s| *s == Seg::Key(top_key.clone()))?;
    let snippet_root = &path[..pos];
    // The rendered path that `vpath` stands for.
    let fed = &path[..fed_len.min(path.len())];
    let mut snippet = snippet;
    // The values path of the snippet's parent.
    let target: Vec<Seg> = if snippet_root.len() >= fed.len() && snippet_root.starts_with(fed) {
        let mut t = vpath.to_vec();
        t.extend(snippet_root[fed.len()..].iter().cloned());
        t
    } else if fed.starts_with(snippet_root) {
        let dropped = &fed[snippet_root.len()..];
        if let Some(inner) = strip_keys(&snippet, dropped) {
            // The snippet writes the keys the values path stands for: keep what is under them.
            snippet = inner;
            vpath.to_vec()
        } else {
            let drop = dropped.len();
            if drop > vpath.len() || *dropped != vpath[vpath.len() - drop..] {
                return None;
            }
            vpath[..vpath.len() - drop].to_vec()
        }
    } else {
        return None;
    };
    let values = &doc.values;
    // Write the target's keys that the values file lacks, then the snippet.
    let (base, covered) = values
        .deepest(&target)
        .map(|(f, n)| (Some(f), n))
        .unwrap_or((None, 0));
    let mut out = String::new();
    let mut level = match &base {
        Some(f) if covered > 0 => {
            let col = (f.key.col as usize).saturating_sub(1);
            match target.get(covered - 1) {
                Some(Seg::Key(k)) => {
                    out.push_str(&format!("{}{k}:\n", " ".repeat(col)));
                    col + 2
                }
                // A list item: its keys start where the item's first key does.
                Some(Seg::Index(_)) if f.node.as_map().is_some() => col,
                _ => return None,
            }
        }
        _ => 0,
    };
    for seg in &target[covered..] {
        let Seg::Key(k) = seg else { return None };
        out.push_str(&format!("{}{k}:\n", " ".repeat(level)));
        level += 2;
    }
    for l in &snippet {
        if l.is_empty() {
            out.push('\n');
        } else {
            out.push_str(&format!("{}{l}\n", " ".repeat(level)));
        }
    }
    Some(ValuesFix {
        description: format!(
            "In {}:{} (`{}`): {}",
            loc.file,
            loc.line,
            loc.path,
            fix.description.trim_end_matches('.')
        ),
        yaml: out.trim_end().to_string(),
    })
}

/// `snippet` without its leading keys `keys` (`securityContext:` then the lines under it),
/// dedented; `None` unless the snippet starts with exactly those keys.
fn strip_keys(snippet: &[String], keys: &[Seg]) -> Option<Vec<String>> {
    for (i, k) in keys.iter().enumerate() {
        let Seg::Key(k) = k else { return None };
        if snippet.get(i)? != &format!("{}{k}:", " ".repeat(2 * i)) {
            return None;
        }
    }
    let pad = " ".repeat(2 * keys.len());
    let rest: Vec<String> = snippet[keys.len()..]
        .iter()
        .map(|l| l.strip_prefix(pad.as_str()).map(str::to_owned))
        .collect::<Option<_>>()?;
    (!rest.is_empty()).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_paths_parse_indices() {
        assert_eq!(
            field_path("spec.containers[1].securityContext"),
            vec![
                Seg::Key("spec".into()),
                Seg::Key("containers".into()),
                Seg::Index(1),
                Seg::Key("securityContext".into())
            ]
        );
    }

    #[test]
    fn positions_count_characters() {
        assert_eq!(position("ab\ncü d", 6), (2, 3));
    }
}
