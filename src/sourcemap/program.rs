//! A template as a line automaton, and the alignment of rendered lines with it.
//!
//! A template file (with the named templates it includes inlined, indented as `nindent`/`indent`
//! indent them) becomes a nondeterministic automaton over output lines: a `Line` state accepts
//! one rendered line that matches its pattern (literal text with holes where actions write),
//! a `Wild` state accepts any number of lines written by one multi-line action (`toYaml … |
//! nindent 8`); `if`/`with` are alternatives, `range` a loop. Because actions can sit in the
//! middle of a line and control structures can end lines, the builder carries the set of
//! possible pending lines across them.
//!
//! The alignment is a shortest path (Viterbi) over (rendered line, state): literal matches cost
//! nothing, lines absorbed by actions a little, template lines skipped and rendered lines left
//! unexplained much more. A rendered line left unexplained has no template line.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use super::gotmpl::{self, Action, Node};

/// A position in one of the chart's template files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Src {
    pub file: usize,
    pub offset: usize,
}

/// One step of a values path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Seg {
    Key(String),
    /// An element of a `range`: any key or index.
    Any,
    /// A sequence index (paths inside rendered blocks).
    Index(usize),
}

/// What a template expression refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sym {
    /// The chart's root context (`.` at the top, `$`).
    Root,
    /// A path under `.Values`.
    Values(Vec<Seg>),
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Lit(String, Option<Src>),
    Hole(usize),
}

/// An action that writes output, with the values paths it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Emitter {
    pub src: Src,
    pub expr: String,
    pub refs: Vec<Vec<Seg>>,
    /// Writes several lines (`toYaml`, `tpl`, `nindent`).
    pub multiline: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Eps,
    Line {
        pat: Vec<Piece>,
        min_indent: usize,
        /// The multi-line action whose output this line is (its last or only line).
        block: Option<usize>,
    },
    Wild {
        block: usize,
        min_indent: usize,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub kind: Kind,
    pub out: Vec<u32>,
}

/// A chart's template sources: the files and the named templates they define.
pub struct Sources<'a> {
    pub texts: Vec<&'a str>,
    pub defines: HashMap<String, (usize, Vec<Node>)>,
}

#[derive(Debug, Default)]
pub struct Program {
    pub states: Vec<State>,
    pub emitters: Vec<Emitter>,
    /// Set when the automaton hit a limit: alignments are then not trusted.
    pub truncated: bool,
}

const MAX_STATES: usize = 200_000;
const MAX_ALTS: usize = 32;
const MAX_DEPTH: usize = 12;

#[derive(Debug, Clone, PartialEq)]
struct Alt {
    pat: Vec<Piece>,
    from: Vec<u32>,
    min_indent: usize,
    block: Option<usize>,
    /// The next newline was already accounted for (a loop body's leading newline ends the
    /// line before the loop, or the previous iteration's last line).
    skip_nl: bool,
}

#[derive(Debug, Clone)]
enum Var {
    Sym(Sym),
    Include(String, String),
}

#[derive(Debug, Clone)]
struct Scope {
    dot: Sym,
    dollar: Sym,
    vars: HashMap<String, Var>,
}

struct Builder<'s, 'a> {
    src: &'s Sources<'a>,
    prog: Program,
    depth: usize,
}

impl Program {
    /// Builds the automaton of the nodes of file `file`.
    pub fn build(src: &Sources<'_>, file: usize, nodes: &[Node]) -> Program {
        let mut b = Builder {
            src,
            prog: Program::default(),
            depth: 0,
        };
        let start = b.state(Kind::Eps);
        let alts = vec![Alt {
            pat: Vec::new(),
            from: vec![start],
            min_indent: 0,
            block: None,
            skip_nl: false,
        }];
        let mut scope = Scope {
            dot: Sym::Root,
            dollar: Sym::Root,
            vars: HashMap::new(),
        };
        let alts = b.nodes(nodes, file, 0, &mut scope, alts);
        b.finalize(alts);
        b.prog
    }
}

impl Builder<'_, '_> {
    fn state(&mut self, kind: Kind) -> u32 {
        if self.prog.states.len() >= MAX_STATES {
            self.prog.truncated = true;
            return 0;
        }
        self.prog.states.push(State {
            kind,
            out: Vec::new(),
        });
        (self.prog.states.len() - 1) as u32
    }

    fn link(&mut self, from: &[u32], to: u32) {
        for &f in from {
            let out = &mut self.prog.states[f as usize].out;
            if !out.contains(&to) {
                out.push(to);
            }
        }
    }

    /// Ends the pending lines: one `Line` state per distinct pattern.
    fn finalize(&mut self, alts: Vec<Alt>) -> Vec<Alt> {
        let mut made: Vec<(Vec<Piece>, usize, Option<usize>, u32)> = Vec::new();
        let mut news = Vec::new();
        for alt in alts {
            let existing = made
                .iter()
                .find(|m| m.0 == alt.pat && m.1 == alt.min_indent && m.2 == alt.block)
                .map(|m| m.3);
            let id = match existing {
                Some(id) => id,
                None => {
                    let id = self.state(Kind::Line {
                        pat: alt.pat.clone(),
                        min_indent: alt.min_indent,
                        block: alt.block,
                    });
                    made.push((alt.pat, alt.min_indent, alt.block, id));
                    news.push(id);
                    id
                }
            };
            self.link(&alt.from, id);
        }
        vec![Alt {
            pat: Vec::new(),
            from: news,
            min_indent: 0,
            block: None,
            skip_nl: false,
        }]
    }

    fn push_lit(alts: &mut [Alt], text: &str, src: Option<Src>) {
        if text.is_empty() {
            return;
        }
        for a in alts {
            a.pat.push(Piece::Lit(text.to_string(), src));
        }
    }

    fn text(
        &mut self,
        text: &str,
        file: usize,
        offset: usize,
        pad: usize,
        alts: Vec<Alt>,
    ) -> Vec<Alt> {
        let mut alts = alts;
        let mut pos = 0;
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                let (skipped, normal): (Vec<Alt>, Vec<Alt>) =
                    alts.into_iter().partition(|a| a.skip_nl);
                alts = if normal.is_empty() {
                    Vec::new()
                } else {
                    self.finalize(normal)
                };
                alts.extend(skipped.into_iter().map(|mut a| {
                    a.skip_nl = false;
                    a
                }));
                Self::push_lit(&mut alts, &" ".repeat(pad), None);
                alts = merge(alts);
            }
            Self::push_lit(
                &mut alts,
                line,
                Some(Src {
                    file,
                    offset: offset + pos,
                }),
            );
            pos += line.len() + 1;
        }
        alts
    }

    fn nodes(
        &mut self,
        nodes: &[Node],
        file: usize,
        pad: usize,
        scope: &mut Scope,
        mut alts: Vec<Alt>,
    ) -> Vec<Alt> {
        for node in nodes {
            if self.prog.truncated {
                return alts;
            }
            alts = self.node(node, file, pad, scope, alts);
            alts = merge(alts);
            if alts.len() > MAX_ALTS {
                // Too many ways to write this line: any line will do.
                let from = alts.iter().flat_map(|a| a.from.clone()).collect();
                let hole = self.emitter(Src { file, offset: 0 }, "", Vec::new(), false);
                alts = vec![Alt {
                    pat: vec![Piece::Hole(hole)],
                    from,
                    min_indent: 0,
                    block: None,
                    skip_nl: false,
                }];
            }
        }
        alts
    }

    fn emitter(&mut self, src: Src, expr: &str, refs: Vec<Vec<Seg>>, multiline: bool) -> usize {
        self.prog.emitters.push(Emitter {
            src,
            expr: expr.to_string(),
            refs,
            multiline,
        });
        self.prog.emitters.len() - 1
    }

    fn node(
        &mut self,
        node: &Node,
        file: usize,
        pad: usize,
        scope: &mut Scope,
        alts: Vec<Alt>,
    ) -> Vec<Alt> {
        let text = self.src.texts[file];
        match node {
            Node::Text(r) => self.text(&text[r.clone()], file, r.start, pad, alts),
            Node::Silent(a) => {
                assign(a, scope);
                alts
            }
            Node::Output(a) => self.output(a, file, pad, scope, alts),
            Node::Template(a) => {
                let name = gotmpl::string_literal(&a.text).unwrap_or_default();
                let arg = a
                    .text
                    .trim_start()
                    .get(name.len() + 2..)
                    .unwrap_or("")
                    .trim();
                self.include(&name, arg, None, a, file, pad, scope, alts)
            }
            Node::If(b) | Node::With(b) => {
                let is_with = matches!(node, Node::With(_));
                let mut out = Vec::new();
                let mut has_else = false;
                for (cond, body) in &b.arms {
                    let mut inner = scope.clone();
                    if let (true, Some(c)) = (is_with, cond) {
                        inner.dot = resolve_sym(&c.text, scope);
                    }
                    if cond.is_none() {
                        has_else = true;
                    }
                    out.extend(self.nodes(body, file, pad, &mut inner, alts.clone()));
                }
                if !has_else {
                    out.extend(alts);
                }
                out
            }
            Node::Range(b) => self.range(b, file, pad, scope, alts),
        }
    }

    fn range(
        &mut self,
        b: &gotmpl::Branches,
        file: usize,
        pad: usize,
        scope: &mut Scope,
        alts: Vec<Alt>,
    ) -> Vec<Alt> {
        let text = self.src.texts[file];
        let (vars, expr) = match b.head.text.split_once(":=") {
            Some((v, e)) => (
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .collect::<Vec<_>>(),
                e.trim().to_string(),
            ),
            None => (Vec::new(), b.head.text.clone()),
        };
        let elem = match resolve_sym(&expr, scope) {
            Sym::Values(mut p) => {
                p.push(Seg::Any);
                Sym::Values(p)
            }
            _ => Sym::Unknown,
        };
        let mut inner = scope.clone();
        inner.dot = elem.clone();
        match vars.as_slice() {
            [v] => {
                inner.vars.insert(v.clone(), Var::Sym(elem.clone()));
            }
            [k, v] => {
                inner.vars.insert(k.clone(), Var::Sym(Sym::Unknown));
                inner.vars.insert(v.clone(), Var::Sym(elem.clone()));
            }
            _ => {}
        }
        let mut out = Vec::new();
        // Zero iterations: the else arm, or nothing.
        match b.arms.get(1) {
            Some((_, body)) => {
                out.extend(self.nodes(body, file, pad, &mut scope.clone(), alts.clone()))
            }
            None => out.extend(alts.clone()),
        }
        let body = &b.arms[0].1;
        if leads_with_newline(body, text) != Some(false) {
            let entry = self.state(Kind::Eps);
            let first_lines = self.finalize(alts);
            for a in &first_lines {
                self.link(&a.from, entry);
            }
            let start = vec![Alt {
                pat: Vec::new(),
                from: vec![entry],
                min_indent: 0,
                block: None,
                skip_nl: true,
            }];
            let end = self.nodes(body, file, pad, &mut inner, start);
            let (pending, done): (Vec<Alt>, Vec<Alt>) = end.into_iter().partition(|a| !a.skip_nl);
            // Paths through the body that wrote nothing: back to the loop's entry.
            for a in &done {
                self.link(&a.from, entry);
            }
            let again = self.finalize(pending.clone());
            for a in &again {
                self.link(&a.from, entry);
            }
            out.extend(pending);
        } else {
            // A range inside a line, or one whose body does not start a line: one hole.
            let multiline = body
                .iter()
                .any(|n| !matches!(n, Node::Text(r) if !text[r.clone()].contains('\n')));
            let src = Src {
                file,
                offset: b.head.offset,
            };
            let refs = match elem {
                Sym::Values(p) => vec![p[..p.len() - 1].to_vec()],
                _ => Vec::new(),
            };
            out.extend(self.hole(src, &b.head.text, refs, multiline, None, pad, alts));
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn hole(
        &mut self,
        src: Src,
        expr: &str,
        refs: Vec<Vec<Seg>>,
        multiline: bool,
        indent: Option<(bool, usize)>,
        pad: usize,
        mut alts: Vec<Alt>,
    ) -> Vec<Alt> {
        let id = self.emitter(src, expr, refs, multiline);
        match indent {
            Some((true, n)) => {
                // `nindent N`: a new line, then lines indented by at least N.
                let lines = self.finalize(alts);
                let from: Vec<u32> = lines.iter().flat_map(|a| a.from.clone()).collect();
                let w = self.state(Kind::Wild {
                    block: id,
                    min_indent: pad + n,
                });
                self.link(&from, w);
                let mut all = from;
                all.push(w);
                vec![Alt {
                    pat: vec![Piece::Hole(id)],
                    from: all,
                    min_indent: pad + n,
                    block: Some(id),
                    skip_nl: false,
                }]
            }
            _ if multiline => {
                let n = indent.map_or(0, |i| i.1);
                let mut inline = alts.clone();
                for a in &mut inline {
                    a.pat.push(Piece::Hole(id));
                }
                for a in &mut alts {
                    a.pat.push(Piece::Hole(id));
                    if !has_literal(&a.pat) {
                        a.block = Some(id);
                    }
                }
                let lines = self.finalize(alts);
                let from: Vec<u32> = lines.iter().flat_map(|a| a.from.clone()).collect();
                let w = self.state(Kind::Wild {
                    block: id,
                    min_indent: pad + n,
                });
                self.link(&from, w);
                let mut all = from;
                all.push(w);
                inline.push(Alt {
                    pat: vec![Piece::Hole(id)],
                    from: all,
                    min_indent: pad + n,
                    block: Some(id),
                    skip_nl: false,
                });
                inline
            }
            _ => {
                for a in &mut alts {
                    a.pat.push(Piece::Hole(id));
                }
                alts
            }
        }
    }

    fn output(
        &mut self,
        a: &Action,
        file: usize,
        pad: usize,
        scope: &mut Scope,
        alts: Vec<Alt>,
    ) -> Vec<Alt> {
        let stages = split_pipeline(&a.text);
        let src = Src {
            file,
            offset: a.offset,
        };
        let mut indent = None;
        let mut plain_tail = true;
        for s in &stages[1..] {
            let (kw, rest) = split_word(s);
            match kw {
                "nindent" | "indent" => {
                    indent = rest
                        .trim()
                        .parse::<usize>()
                        .ok()
                        .map(|n| (kw == "nindent", n));
                    if indent.is_none() {
                        plain_tail = false;
                    }
                }
                "trim" => {}
                _ => plain_tail = false,
            }
        }
        let (kw, rest) = split_word(&stages[0]);
        // `include "name" arg`, `template "name" arg`, or a variable holding an include.
        let target = match kw {
            "include" | "template" => gotmpl::string_literal(rest).map(|name| {
                let arg = rest
                    .trim_start()
                    .get(name.len() + 2..)
                    .unwrap_or("")
                    .trim()
                    .to_string();
                (name, arg)
            }),
            v if v.starts_with('$') && rest.is_empty() => match scope.vars.get(v) {
                Some(Var::Include(n, arg)) => Some((n.clone(), arg.clone())),
                _ => None,
            },
            _ => None,
        };
        if let (Some((name, arg)), true) = (&target, plain_tail) {
            if self.src.defines.contains_key(name) && self.depth < MAX_DEPTH {
                return self.include(name, arg, indent, a, file, pad, scope, alts);
            }
        }
        let refs = resolve_refs(&a.text, scope);
        let multiline = indent.is_some()
            || target.is_some()
            || a.text.contains("toYaml")
            || a.text.contains("tpl")
            || a.text.contains("include");
        self.hole(src, &a.text, refs, multiline, indent, pad, alts)
    }

    #[allow(clippy::too_many_arguments)]
    fn include(
        &mut self,
        name: &str,
        arg: &str,
        indent: Option<(bool, usize)>,
        a: &Action,
        file: usize,
        pad: usize,
        scope: &mut Scope,
        mut alts: Vec<Alt>,
    ) -> Vec<Alt> {
        let Some((dfile, body)) = self.src.defines.get(name) else {
            let src = Src {
                file,
                offset: a.offset,
            };
            return self.hole(src, &a.text, Vec::new(), true, indent, pad, alts);
        };
        let (dfile, body) = (*dfile, body.clone());
        let arg_sym = arg_sym(arg, scope);
        let mut inner = Scope {
            dot: arg_sym.clone(),
            dollar: arg_sym,
            vars: HashMap::new(),
        };
        let inner_pad = match indent {
            Some((true, n)) => {
                alts = self.finalize(alts);
                Self::push_lit(&mut alts, &" ".repeat(pad + n), None);
                pad + n
            }
            Some((false, n)) => {
                Self::push_lit(&mut alts, &" ".repeat(n), None);
                pad + n
            }
            None => pad,
        };
        self.depth += 1;
        let out = self.nodes(&body, dfile, inner_pad, &mut inner, alts);
        self.depth -= 1;
        out
    }
}

/// Whether every way through `nodes` writes a newline first (`Some(true)`), something else
/// first (`Some(false)`), or may write nothing (`None`).
fn leads_with_newline(nodes: &[Node], text: &str) -> Option<bool> {
    for n in nodes {
        match n {
            Node::Text(r) => {
                let t = &text[r.clone()];
                if !t.is_empty() {
                    return Some(t.starts_with('\n'));
                }
            }
            Node::Silent(_) => {}
            Node::If(b) | Node::With(b) => {
                let mut may_skip = !b.arms.iter().any(|(c, _)| c.is_none());
                for (_, body) in &b.arms {
                    match leads_with_newline(body, text) {
                        Some(false) => return Some(false),
                        None => may_skip = true,
                        Some(true) => {}
                    }
                }
                if !may_skip {
                    return Some(true);
                }
            }
            _ => return Some(false),
        }
    }
    None
}

fn has_literal(pat: &[Piece]) -> bool {
    pat.iter()
        .any(|p| matches!(p, Piece::Lit(t, _) if !t.trim().is_empty()))
}

/// Merges alternatives with the same pending line.
fn merge(alts: Vec<Alt>) -> Vec<Alt> {
    let mut out: Vec<Alt> = Vec::with_capacity(alts.len());
    for a in alts {
        match out.iter_mut().find(|o| {
            o.pat == a.pat
                && o.min_indent == a.min_indent
                && o.block == a.block
                && o.skip_nl == a.skip_nl
        }) {
            Some(o) => {
                for f in a.from {
                    if !o.from.contains(&f) {
                        o.from.push(f);
                    }
                }
            }
            None => out.push(a),
        }
    }
    out
}

fn split_word(s: &str) -> (&str, &str) {
    let s = s.trim();
    let end = s.find(char::is_whitespace).unwrap_or(s.len());
    (&s[..end], s[end..].trim())
}

/// The stages of a pipeline, split at top-level `|`.
pub fn split_pipeline(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in text.chars() {
        if let Some(q) = quote {
            cur.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' && q == '"' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '`' | '\'' => {
                quote = Some(c);
                cur.push(c);
            }
            '(' => {
                depth += 1;
                cur.push(c);
            }
            ')' => {
                depth -= 1;
                cur.push(c);
            }
            '|' if depth == 0 => out.push(std::mem::take(&mut cur).trim().to_string()),
            _ => cur.push(c),
        }
    }
    out.push(cur.trim().to_string());
    out
}

/// `$x := include "name" .` and `$x := .Values.a` assignments, so later uses can be followed.
fn assign(a: &Action, scope: &mut Scope) {
    let Some((lhs, rhs)) = a.text.split_once(":=").or_else(|| a.text.split_once(" = ")) else {
        return;
    };
    let var = lhs.trim();
    if !var.starts_with('$') || var.contains(',') {
        return;
    }
    let stages = split_pipeline(rhs.trim());
    let (kw, rest) = split_word(&stages[0]);
    let value = if kw == "include" && stages.len() == 1 {
        match gotmpl::string_literal(rest) {
            Some(name) => {
                let arg = rest.trim_start().get(name.len() + 2..).unwrap_or("").trim();
                Var::Include(name, arg.to_string())
            }
            None => Var::Sym(Sym::Unknown),
        }
    } else if stages.len() == 1 && (kw == "deepCopy" || kw.starts_with('.') || kw.starts_with('$'))
    {
        let expr = if kw == "deepCopy" {
            rest
        } else {
            stages[0].as_str()
        };
        Var::Sym(resolve_sym(expr, scope))
    } else {
        Var::Sym(Sym::Unknown)
    };
    scope.vars.insert(var.to_string(), value);
}

/// The context an `include`'s argument gives the named template.
fn arg_sym(arg: &str, scope: &Scope) -> Sym {
    match arg.trim() {
        "." => scope.dot.clone(),
        "$" => scope.dollar.clone(),
        a => {
            let s = resolve_sym(a, scope);
            if s != Sym::Unknown {
                return s;
            }
            // `(dict … | merge (deepCopy .))`, `(list $ .x)`: a context built from the root
            // keeps `.Values`.
            let tokens: Vec<&str> = a
                .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
                .collect();
            let uses_root = tokens.iter().any(|t| {
                (*t == "." && scope.dot == Sym::Root) || (*t == "$" && scope.dollar == Sym::Root)
            });
            if uses_root {
                Sym::Root
            } else {
                Sym::Unknown
            }
        }
    }
}

/// The symbol of a single field chain (`.Values.a`, `.`, `$x.b`), or `Unknown`.
fn resolve_sym(expr: &str, scope: &Scope) -> Sym {
    let expr = expr.trim();
    let expr = expr
        .strip_prefix('(')
        .and_then(|e| e.strip_suffix(')'))
        .unwrap_or(expr);
    if expr.split_whitespace().count() != 1 {
        return Sym::Unknown;
    }
    chain_sym(expr, scope)
}

fn chain_sym(chain: &str, scope: &Scope) -> Sym {
    let (base, rest): (Sym, &str) = if chain == "." {
        return scope.dot.clone();
    } else if let Some(r) = chain.strip_prefix("$.") {
        (scope.dollar.clone(), r)
    } else if chain == "$" {
        return scope.dollar.clone();
    } else if let Some(r) = chain.strip_prefix('.') {
        (scope.dot.clone(), r)
    } else if chain.starts_with('$') {
        let (v, r) = chain.split_once('.').unwrap_or((chain, ""));
        match scope.vars.get(v) {
            Some(Var::Sym(s)) => (s.clone(), r),
            _ => return Sym::Unknown,
        }
    } else {
        return Sym::Unknown;
    };
    let mut parts: Vec<&str> = if rest.is_empty() {
        Vec::new()
    } else {
        rest.split('.').collect()
    };
    if parts.iter().any(|p| {
        p.is_empty()
            || !p
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    }) {
        return Sym::Unknown;
    }
    match base {
        Sym::Root => {
            if parts.first() != Some(&"Values") {
                return Sym::Unknown;
            }
            parts.remove(0);
            Sym::Values(parts.into_iter().map(|p| Seg::Key(p.to_string())).collect())
        }
        Sym::Values(mut p) => {
            p.extend(parts.into_iter().map(|p| Seg::Key(p.to_string())));
            Sym::Values(p)
        }
        Sym::Unknown => Sym::Unknown,
    }
}

/// Every values path an action reads, in order of appearance.
fn resolve_refs(text: &str, scope: &Scope) -> Vec<Vec<Seg>> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let c = bytes[i];
        if let Some(q) = quote {
            if c == b'\\' {
                i += 1;
            } else if c == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        if c == b'"' || c == b'`' {
            quote = Some(c);
            i += 1;
            continue;
        }
        let boundary = i == 0 || matches!(bytes[i - 1], b' ' | b'(' | b'\t' | b'\n');
        if boundary && (c == b'.' || c == b'$') {
            let end = text[i..]
                .find(|ch: char| !(ch.is_alphanumeric() || matches!(ch, '.' | '$' | '_' | '-')))
                .map_or(text.len(), |e| i + e);
            if let Sym::Values(p) = chain_sym(&text[i..end], scope) {
                if !out.contains(&p) {
                    out.push(p);
                }
            }
            i = end.max(i + 1);
            continue;
        }
        i += 1;
    }
    out
}

/// The source line each consuming state stands for: (file, 1-based line) of a `Line` state's
/// first literal text (or of its action), or of the action that writes a block.
pub fn state_lines(prog: &Program, texts: &[&str]) -> Vec<Option<(usize, u32)>> {
    let starts: Vec<Vec<usize>> = texts
        .iter()
        .map(|t| {
            std::iter::once(0)
                .chain(t.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        })
        .collect();
    let line = |src: Src| -> Option<(usize, u32)> {
        let st = starts.get(src.file)?;
        Some((src.file, st.partition_point(|&o| o <= src.offset) as u32))
    };
    prog.states
        .iter()
        .map(|st| match &st.kind {
            Kind::Eps => None,
            Kind::Wild { block, .. }
            | Kind::Line {
                block: Some(block), ..
            } => line(prog.emitters[*block].src),
            Kind::Line {
                pat, block: None, ..
            } => pat
                .iter()
                .find_map(|p| match p {
                    Piece::Lit(t, Some(src)) if !t.trim().is_empty() => Some(Src {
                        file: src.file,
                        offset: src.offset + (t.len() - t.trim_start().len()),
                    }),
                    _ => None,
                })
                .or_else(|| {
                    pat.iter().find_map(|p| match p {
                        Piece::Hole(h) => Some(prog.emitters[*h].src),
                        _ => None,
                    })
                })
                .and_then(line),
        })
        .collect()
}

/// Whether `line` matches `pat` (holes match any text), ignoring trailing white space.
pub fn matches(pat: &[Piece], min_indent: usize, line: &str) -> bool {
    let line = line.trim_end();
    if !line.is_empty() && line.len() - line.trim_start_matches(' ').len() < min_indent {
        return false;
    }
    // Literal runs between holes.
    let mut parts: Vec<String> = vec![String::new()];
    let mut holes_before = vec![false];
    for p in pat {
        match p {
            Piece::Lit(t, _) => parts.last_mut().expect("non-empty").push_str(t),
            Piece::Hole(_) => {
                parts.push(String::new());
                holes_before.push(true);
            }
        }
    }
    let last = parts.len() - 1;
    let trimmed = parts[last].trim_end().to_string();
    parts[last] = trimmed;
    if parts.len() == 1 {
        return parts[0] == line;
    }
    let first = &parts[0];
    let Some(mut rest) = line.strip_prefix(first.as_str()) else {
        return false;
    };
    let tail = &parts[last];
    for mid in &parts[1..last] {
        if mid.is_empty() {
            continue;
        }
        match rest.find(mid.as_str()) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    rest.ends_with(tail.as_str())
}

/// What produced one rendered line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    State(u32),
    /// No template line explains it.
    Unexplained,
}

const COST_WILD: u32 = 1;
const COST_HOLE_ONLY: u32 = 1;
const COST_SKIP: u32 = 3;
const COST_GARBAGE: u32 = 6;
const BEAM: u32 = 40;

/// Aligns rendered `lines` with the program; `None` when the automaton is too large to trust.
pub fn align(prog: &Program, lines: &[&str]) -> Option<Vec<Step>> {
    align_cost(prog, lines, None).map(|(steps, _)| steps)
}

/// [`align`], and the cost of the alignment; with `ban = (i, states)`, line `i` may not be
/// explained by those states (to ask whether another explanation is as good).
pub fn align_cost(
    prog: &Program,
    lines: &[&str],
    ban: Option<(usize, &dyn Fn(u32) -> bool)>,
) -> Option<(Vec<Step>, u32)> {
    if prog.truncated || lines.is_empty() {
        return None;
    }
    let n_states = prog.states.len();
    if n_states.saturating_mul(lines.len()) > 60_000_000 {
        return None;
    }
    let virt = n_states as u32;
    // Per line: state → (cost, previous state, garbage).
    let mut layers: Vec<HashMap<u32, (u32, u32, bool)>> = Vec::with_capacity(lines.len());
    let mut prev: HashMap<u32, (u32, u32, bool)> = HashMap::from([(virt, (0, virt, false))]);
    let mut dist: Vec<u32> = vec![u32::MAX; n_states];
    let mut origin: Vec<u32> = vec![virt; n_states];
    let mut touched: Vec<usize> = Vec::new();
    for (li, line) in lines.iter().enumerate() {
        let banned = |u: u32| ban.is_some_and(|(i, f)| i == li && f(u));
        let best = prev.values().map(|v| v.0).min().unwrap_or(0);
        for &t in &touched {
            dist[t] = u32::MAX;
        }
        touched.clear();
        let mut heap = BinaryHeap::new();
        for (&s, &(c, _, _)) in &prev {
            if c > best + BEAM {
                continue;
            }
            if s == virt {
                // Local alignment: the document may start anywhere in the template.
                for (t, st) in prog.states.iter().enumerate() {
                    if !matches!(st.kind, Kind::Eps) && c < dist[t] {
                        dist[t] = c;
                        origin[t] = virt;
                        touched.push(t);
                        heap.push(Reverse((c, t as u32)));
                    }
                }
                continue;
            }
            let st = &prog.states[s as usize];
            let mut targets: Vec<u32> = st.out.clone();
            if matches!(st.kind, Kind::Wild { .. }) {
                targets.push(s);
            }
            for t in targets {
                let t = t as usize;
                if c < dist[t] {
                    dist[t] = c;
                    origin[t] = s;
                    touched.push(t);
                    heap.push(Reverse((c, t as u32)));
                }
            }
        }
        let mut layer: HashMap<u32, (u32, u32, bool)> = HashMap::new();
        while let Some(Reverse((c, u))) = heap.pop() {
            let ui = u as usize;
            if c > dist[ui] || c > best + BEAM {
                continue;
            }
            let st = &prog.states[ui];
            let skip = match &st.kind {
                Kind::Eps => 0,
                Kind::Line {
                    pat, min_indent, ..
                } => {
                    if !banned(u) && matches(pat, *min_indent, line) {
                        let mc = if has_literal(pat) || line.trim().is_empty() {
                            0
                        } else {
                            COST_HOLE_ONLY
                        };
                        relax(&mut layer, u, c + mc, origin[ui], false);
                    }
                    COST_SKIP
                }
                Kind::Wild { min_indent, .. } => {
                    let indent = line.len() - line.trim_start_matches(' ').len();
                    if !banned(u) && (line.trim().is_empty() || indent >= *min_indent) {
                        relax(&mut layer, u, c + COST_WILD, origin[ui], false);
                    }
                    0
                }
            };
            for &t in &st.out {
                let ti = t as usize;
                let nc = c + skip;
                if nc < dist[ti] {
                    dist[ti] = nc;
                    origin[ti] = origin[ui];
                    touched.push(ti);
                    heap.push(Reverse((nc, t)));
                }
            }
        }
        for (&s, &(c, _, _)) in &prev {
            if c <= best + BEAM {
                relax(&mut layer, s, c + COST_GARBAGE, s, true);
            }
        }
        layers.push(layer.clone());
        prev = layer;
    }
    // Backtrack from the cheapest end.
    let (&end, &(total, _, _)) = prev.iter().min_by_key(|(s, v)| (v.0, **s))?;
    let mut steps = vec![Step::Unexplained; lines.len()];
    let mut s = end;
    for i in (0..lines.len()).rev() {
        let &(_, p, garbage) = layers[i].get(&s)?;
        steps[i] = if garbage || s == virt {
            Step::Unexplained
        } else {
            Step::State(s)
        };
        s = p;
    }
    Some((steps, total))
}

fn relax(layer: &mut HashMap<u32, (u32, u32, bool)>, s: u32, c: u32, p: u32, g: bool) {
    let e = layer.entry(s).or_insert((u32::MAX, p, g));
    if c < e.0 {
        *e = (c, p, g);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program(src: &str) -> (Program, Vec<&str>) {
        let parsed = gotmpl::parse(src).expect("parses");
        let sources = Sources {
            texts: vec![src],
            defines: parsed
                .defines
                .iter()
                .map(|(n, b)| (n.clone(), (0, b.clone())))
                .collect(),
        };
        let p = Program::build(&sources, 0, &parsed.nodes);
        (p, vec![src])
    }

    fn line_of(src: &str, prog: &Program, step: Step) -> Option<usize> {
        let Step::State(s) = step else { return None };
        match &prog.states[s as usize].kind {
            Kind::Line { pat, block, .. } => {
                if let Some(b) = block {
                    return Some(src[..prog.emitters[*b].src.offset].matches('\n').count() + 1);
                }
                pat.iter().find_map(|p| match p {
                    Piece::Lit(t, Some(s)) if !t.trim().is_empty() => {
                        let ws = t.len() - t.trim_start().len();
                        Some(src[..s.offset + ws].matches('\n').count() + 1)
                    }
                    Piece::Hole(h) => {
                        Some(src[..prog.emitters[*h].src.offset].matches('\n').count() + 1)
                    }
                    _ => None,
                })
            }
            Kind::Wild { block, .. } => Some(
                src[..prog.emitters[*block].src.offset]
                    .matches('\n')
                    .count()
                    + 1,
            ),
            Kind::Eps => None,
        }
    }

    #[test]
    fn lines_are_aligned_through_with_nindent_range_and_include() {
        let src = "{{- define \"pod\" -}}\ncontainers:\n  - name: app\n    securityContext:\n      {{- toYaml .Values.sc | nindent 6 }}\n{{- end }}\nkind: Pod\nspec:\n  {{- with .Values.ports }}\n  ports:\n    {{- range . }}\n    - hostPort: {{ .port }}\n    {{- end }}\n  {{- end }}\n  {{- include \"pod\" . | nindent 2 }}\n  hostPID: {{ .Values.pid }}\n";
        let (prog, _) = program(src);
        let rendered = [
            "kind: Pod",
            "spec:",
            "  ports:",
            "    - hostPort: 1",
            "    - hostPort: 2",
            "  containers:",
            "    - name: app",
            "      securityContext:",
            "        privileged: true",
            "        runAsUser: 0",
            "  hostPID: true",
        ];
        let steps = align(&prog, &rendered).expect("aligned");
        let got: Vec<Option<usize>> = steps.iter().map(|s| line_of(src, &prog, *s)).collect();
        assert_eq!(
            got,
            vec![
                Some(7),
                Some(8),
                Some(10),
                Some(12),
                Some(12),
                Some(2),
                Some(3),
                Some(4),
                Some(5),
                Some(5),
                Some(16)
            ]
        );
    }

    #[test]
    fn inline_conditionals_indent_and_variables_holding_includes() {
        let src = "{{- define \"ports\" -}}\n{{- range $k, $p := .Values.ports }}\n- name: {{ $k }}\n  hostPort: {{ $p.hostPort }}\n{{- end }}\n{{- end }}\nspec:\n  image: {{ if .Values.a }}a{{ else }}b{{ end }}:1\n  {{- $ports := include \"ports\" . }}\n  ports:\n    {{- $ports | nindent 4 }}\n  resources:\n{{ toYaml .Values.r | indent 4 }}\n  done: true\n";
        let (prog, _) = program(src);
        let rendered = [
            "spec:",
            "  image: b:1",
            "  ports:",
            "    - name: a",
            "      hostPort: 1",
            "    - name: b",
            "      hostPort: 2",
            "  resources:",
            "    limits:",
            "      cpu: 1",
            "  done: true",
        ];
        let steps = align(&prog, &rendered).expect("aligned");
        let got: Vec<Option<usize>> = steps.iter().map(|s| line_of(src, &prog, *s)).collect();
        assert_eq!(
            got,
            vec![
                Some(7),
                Some(8),
                Some(10),
                Some(3),
                Some(4),
                Some(3),
                Some(4),
                Some(12),
                Some(13),
                Some(13),
                Some(14)
            ]
        );
    }

    #[test]
    fn unrelated_lines_are_unexplained() {
        let src = "kind: Pod\nspec:\n  hostPID: true\n";
        let (prog, _) = program(src);
        let steps = align(
            &prog,
            &["kind: Pod", "spec:", "  extra: 1", "  hostPID: true"],
        )
        .expect("aligned");
        assert_eq!(steps[2], Step::Unexplained);
        assert!(matches!(steps[3], Step::State(_)));
    }

    #[test]
    fn patterns_match_holes() {
        let pat = vec![
            Piece::Lit("  a: ".into(), None),
            Piece::Hole(0),
            Piece::Lit("-x".into(), None),
        ];
        assert!(matches(&pat, 0, "  a: 1-x  "));
        assert!(!matches(&pat, 0, "  a: 1-y"));
        assert!(!matches(&pat, 0, " a: 1-x"));
    }
}
