//! Parsing one kubectl document into a span-carrying [`Node`] tree with go-yaml v2 semantics
//! (pss-spec §8).
//!
//! `saphyr-parser` supplies the events (a YAML 1.2 parser with char-based markers); this module
//! builds the tree itself, iteratively, and applies what go-yaml v2 + sigs.k8s.io/yaml do on
//! the way to the JSON the API server decodes:
//!
//! * plain untagged scalars are resolved by [`resolve_plain`](super::resolve::resolve_plain)
//!   (YAML 1.1 booleans, octal, …);
//!   quoted and block scalars are strings; explicit core tags follow go-yaml v2 (`!!str 123` is
//!   a string, `!!int "8080"` an integer, `!!int abc` an error). Any other tag (`!foo`, the
//!   non-specific `!`, `!!map` on a scalar) makes go-yaml skip resolution, so the scalar is
//!   its text; tags on collections are ignored, as go-yaml ignores them.
//! * only the first YAML document of a chunk counts (`yaml.Unmarshal` reads one); further
//!   non-empty content is reported as `ignored-content`.
//! * aliases are expanded by deep copies: the copy's root gets the span of the alias (`*x`),
//!   the nodes inside keep the spans of the anchored text, and every copied node has
//!   `via_alias` set. Copies count against [`ParseOptions::alias_budget`]; exceeding it is
//!   `alias-limit` and no tree (fail closed).
//! * merge keys (`<<`) are applied where they appear, in go-yaml v2's order: merged values
//!   overwrite keys written *before* `<<`, keys written after it override merged values, and
//!   of several sources (`<<: [*a, *b]`) the earlier wins.
//! * duplicate keys keep the last value (as the API server does after kubectl's JSON
//!   conversion) and are reported as `duplicate-key`. The entry stays where the key first
//!   appeared; its key span and value are those of the last occurrence.
//! * keys are converted to strings like sigs.k8s.io/yaml (`true`, `1`, `1.5`); a key that
//!   cannot be converted (null, a collection, a uint64) is `unencodable-value` and its entry is
//!   left out. `.inf`/`.nan` values are `unencodable-value` too (JSON cannot carry them).
//! * nesting deeper than [`ParseOptions::max_depth`] (255 levels, block or flow) is
//!   `depth-limit` and no tree. Nothing here recurses on the input's depth (building, alias
//!   copies and dropping are iterative). saphyr itself caps flow nesting (`[[[…`, JSON) at the
//!   same 255 levels, and reports that as `depth-limit` with the same message.
//! * syntax errors are `parse-error`, or `unrendered-template` when the text contains `{{`
//!   (a `{{ … }}` that happens to parse as a flow mapping used as a key is reported the same
//!   way). Valid YAML that merely contains `{{` in strings is not reported: the API server
//!   accepts it (Argo CD / Argo Workflows use such strings legitimately).
//!
//! Where saphyr (YAML 1.2) is stricter than go-yaml, documents are retried with the text
//! adjusted in ways that keep every value and, through a column map, every span:
//! continuation lines of quoted scalars that go-yaml's emitter writes at the key's column get
//! indented, and tabs that JSON allows between tokens become spaces.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle as SaphyrStyle, ScanError, Tag};

use super::node::{Entry, Mapping, Node, ScalarStyle, Value};
use super::resolve::{is_canonical_text, key_string, resolve_plain_typed, resolve_tagged, CoreTag};
use super::yaml11;
use crate::model::problem::{InputRule, LoadProblem};
use crate::model::source::{Pos, Span};

/// Limits that keep hostile input cheap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseOptions {
    /// Maximum number of nodes created by expanding aliases in one document.
    pub alias_budget: usize,
    /// Maximum nesting of collections in one document.
    pub max_depth: usize,
}

/// The nesting limit: saphyr's own fixed limit on flow collections (`[`, `{`, so all of JSON),
/// applied to block collections too, so that one limit holds whatever the style.
pub const MAX_DEPTH: usize = 255;

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            alias_budget: 100_000,
            max_depth: MAX_DEPTH,
        }
    }
}

/// The result of parsing one document: its tree (`None` for empty, comment-only and `null`
/// documents, and when a fatal problem prevents building it) and the problems found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedDocument {
    pub root: Option<Node>,
    pub problems: Vec<LoadProblem>,
}

const TEMPLATE_HINT: &str =
    "this looks like an unrendered Helm/Go template; run `helm template` first and lint its output";

/// saphyr's message when flow collections nest deeper than its fixed limit ([`MAX_DEPTH`]).
const SAPHYR_RECURSION_LIMIT: &str = "recursion limit exceeded";

/// Parses the first YAML document of `text` (one chunk from [`super::split::split_stream`]).
/// `start_line` is the 1-based file line of the chunk's first line; all spans are in file
/// coordinates.
pub fn parse_document(text: &str, start_line: u32, opts: &ParseOptions) -> ParsedDocument {
    if yaml11::needs_care(text) {
        return parse_yaml11(text, start_line, opts);
    }
    let mut error = match build_guarded(text, start_line, opts, &[]) {
        Ok(doc) => return doc,
        Err(error) => error,
    };
    // go-yaml does not check the indentation of a quoted scalar's continuation lines; saphyr
    // wants them indented past the enclosing key (YAML 1.2). go-yaml's own emitter (so
    // `kubectl get -o yaml` output) writes them at the key's column. Indent them and retry,
    // mapping columns back so that spans stay exact.
    //
    // go-yaml also takes a tab after a mapping's `:` as the separating white space
    // (`privileged:<TAB>true` is `privileged: true` to the API server); saphyr wants a space
    // there. The tab becomes a space, one character for one, so columns stay exact.
    let mut patched = Requoted::new(text);
    // Each kind of repair first fixes every place it recognises in one pass, then the place
    // each further error names; an error's index is only valid for the text it came from.
    let (mut padded_all, mut detabbed_all) = (false, false);
    let mut attempts = 0;
    while attempts < MAX_REQUOTE_ATTEMPTS {
        let changed = if error.info == SAPHYR_QUOTE_INDENT {
            (!std::mem::replace(&mut padded_all, true) && patched.pad_all_candidates())
                || patched.pad_scalar_at(error.char_index)
        } else if error.info == SAPHYR_TAB_AFTER_COLON {
            (!std::mem::replace(&mut detabbed_all, true) && patched.detab_all_values())
                || patched.detab_value_at(error.char_index)
        } else {
            false
        };
        if !changed {
            break;
        }
        attempts += 1;
        match build_guarded(&patched.text, start_line, opts, &patched.shifts) {
            Ok(doc) => return doc,
            Err(e) => error = e,
        }
    }
    // JSON allows tabs wherever whitespace may go; saphyr rejects some of them (after `:`, in
    // indentation) where go-yaml, and kubectl's JSON decoder, accept them. Replacing such tabs
    // by spaces keeps every line and column, so the retry's spans are exact.
    if looks_like_json(text) && text.contains('\t') {
        if let Some(detabbed) = detab_json(text) {
            if let Ok(doc) = build_guarded(&detabbed, start_line, opts, &[]) {
                return doc;
            }
        }
    }
    ParsedDocument {
        root: None,
        problems: vec![syntax_problem(text, start_line, &error)],
    }
}

/// A document whose text go-yaml's reader and scanner see differently from saphyr's
/// ([`yaml11`]): characters it rejects, a leading `...`, YAML 1.1 line breaks. The repairs
/// of [`parse_document`] are not tried on such text: a syntax error is reported as it is.
fn parse_yaml11(text: &str, start_line: u32, opts: &ParseOptions) -> ParsedDocument {
    let fail = |problem| ParsedDocument {
        root: None,
        problems: vec![problem],
    };
    if let Some(problem) = yaml11::unprintable(text, start_line) {
        return fail(problem);
    }
    if let Some(problem) = yaml11::leading_document_end(text, start_line) {
        return fail(problem);
    }
    let (parse_text, kept) = yaml11::with_yaml11_breaks(text).unwrap_or_default();
    let parse_text = if parse_text.is_empty() {
        text
    } else {
        &parse_text
    };
    let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut b = Builder::new(text, start_line, opts, &[]);
        b.parse_text = parse_text;
        b.kept_breaks = &kept;
        b.lf_lines = Some(lf_line_starts(text));
        b.run()
    }));
    match built {
        Ok(Ok(doc)) => doc,
        Ok(Err(error)) => fail(syntax_problem(text, start_line, &error)),
        Err(_) => fail(syntax_problem(
            text,
            start_line,
            &SyntaxError {
                pos: Pos::new(start_line, 1),
                info: "internal YAML parser error".to_owned(),
                char_index: 0,
            },
        )),
    }
}

/// saphyr's message for a quoted scalar whose continuation line is not indented enough.
const SAPHYR_QUOTE_INDENT: &str = "invalid indentation in quoted scalar";

/// saphyr's message for a value indicator followed by a tab (reported at the value's start).
const SAPHYR_TAB_AFTER_COLON: &str = "':' must be followed by a valid YAML whitespace";

/// How many times one document is re-parsed to repair it place by place (after the first
/// pass of each repair, which fixes every place it recognises).
const MAX_REQUOTE_ATTEMPTS: usize = 256;

/// A document text with quoted scalars' continuation lines indented further, and how many
/// spaces were inserted at the start of each (0-based, chunk-local) line.
struct Requoted {
    text: String,
    shifts: Vec<u32>,
}

impl Requoted {
    fn new(text: &str) -> Self {
        Requoted {
            text: text.to_owned(),
            shifts: Vec::new(),
        }
    }

    /// Byte offsets of line starts.
    fn line_starts(&self) -> Vec<usize> {
        std::iter::once(0)
            .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
            .collect()
    }

    /// Insertions (line, byte offset, spaces) that indent the continuation lines of the
    /// quoted scalar opened at byte `open` to at least the quote's column.
    fn inserts_for(&self, starts: &[usize], open: usize) -> Vec<(usize, usize, usize)> {
        let b = self.text.as_bytes();
        let Some(close) = closing_quote(b, open) else {
            return Vec::new();
        };
        let line_of = |off: usize| starts.partition_point(|&s| s <= off).saturating_sub(1);
        let (first, last) = (line_of(open), line_of(close));
        let target = self.text[starts[first]..open].chars().count();
        let mut inserts = Vec::new();
        for line in first + 1..=last {
            let from = starts[line];
            let to = starts.get(line + 1).copied().unwrap_or(b.len());
            let content = &self.text[from..to];
            let indent = content.len() - content.trim_start_matches([' ', '\t']).len();
            if !content.trim().is_empty() && indent < target {
                inserts.push((line, from, target - indent));
            }
        }
        inserts
    }

    /// Applies insertions sorted by offset, rebuilding the text once.
    fn apply(&mut self, inserts: &[(usize, usize, usize)]) -> bool {
        if inserts.is_empty() {
            return false;
        }
        let extra: usize = inserts.iter().map(|i| i.2).sum();
        let mut out = String::with_capacity(self.text.len() + extra);
        let mut copied = 0;
        for &(line, at, count) in inserts {
            out.push_str(&self.text[copied..at]);
            out.extend(std::iter::repeat_n(' ', count));
            copied = at;
            if self.shifts.len() <= line {
                self.shifts.resize(line + 1, 0);
            }
            self.shifts[line] += count as u32;
        }
        out.push_str(&self.text[copied..]);
        self.text = out;
        true
    }

    fn pad_scalar(&mut self, open: usize) -> bool {
        let starts = self.line_starts();
        let inserts = self.inserts_for(&starts, open);
        self.apply(&inserts)
    }

    /// Pads the scalar saphyr complained about (its start is a char index).
    fn pad_scalar_at(&mut self, char_index: usize) -> bool {
        let Some((open, c)) = self.text.char_indices().nth(char_index) else {
            return false;
        };
        (c == '\'' || c == '"') && self.pad_scalar(open)
    }

    /// One pass over the text that pads every multi-line quoted scalar that is clearly a
    /// mapping value or sequence entry (`key: '…`, `- "…`). Lines inside block scalars and
    /// comments are skipped. Anything this misses is fixed scalar by scalar afterwards.
    fn pad_all_candidates(&mut self) -> bool {
        let candidates = scan_outside_text(&self.text).quotes;
        let starts = self.line_starts();
        let mut inserts: Vec<(usize, usize, usize)> = candidates
            .into_iter()
            .flat_map(|open| self.inserts_for(&starts, open))
            .collect();
        inserts.sort_unstable();
        inserts.dedup_by_key(|i| i.0);
        self.apply(&inserts)
    }

    /// One pass that turns into spaces the tabs right after every `:` followed by a tab, outside
    /// quoted scalars, block scalars and comments: where go-yaml reads a value indicator and
    /// white space. Anything this misses is fixed where saphyr reports it afterwards.
    fn detab_all_values(&mut self) -> bool {
        let tabs = scan_outside_text(&self.text).colon_tabs;
        if tabs.is_empty() {
            return false;
        }
        let mut bytes = std::mem::take(&mut self.text).into_bytes();
        for at in tabs {
            bytes[at] = b' ';
        }
        // Only ASCII tabs became ASCII spaces: still UTF-8.
        self.text = String::from_utf8(bytes).unwrap_or_default();
        true
    }

    /// Turns into spaces the tabs between the value saphyr complained about (its start is a
    /// char index) and the `:` before it. Not for a `:` that starts its line: after an
    /// explicit key (`? k` / `:<TAB>v`) go-yaml does not take a tab as white space either.
    fn detab_value_at(&mut self, char_index: usize) -> bool {
        let Some((value, _)) = self.text.char_indices().nth(char_index) else {
            return false;
        };
        let b = self.text.as_bytes();
        let mut from = value;
        while from > 0 && matches!(b[from - 1], b' ' | b'\t') {
            from -= 1;
        }
        let line_start = b[..from]
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |i| i + 1);
        let colon_starts_line = b[line_start..from.saturating_sub(1)]
            .iter()
            .all(|&c| c == b' ' || c == b'\t');
        if from == 0 || b[from - 1] != b':' || colon_starts_line || !b[from..value].contains(&b'\t')
        {
            return false;
        }
        let mut bytes = std::mem::take(&mut self.text).into_bytes();
        for c in &mut bytes[from..value] {
            *c = b' ';
        }
        self.text = String::from_utf8(bytes).unwrap_or_default();
        true
    }
}

/// What [`scan_outside_text`] finds outside quoted scalars, block scalars and comments.
#[derive(Default)]
struct Scanned {
    /// Byte offsets of quotes that open multi-line quoted mapping values or sequence entries.
    quotes: Vec<usize>,
    /// Byte offsets of the tabs in the white space right after a `:` that is followed by a
    /// tab and preceded by something on its line (a key).
    colon_tabs: Vec<usize>,
}

/// One pass over a document's lines, skipping block scalars' lines, comments and the inside
/// of quoted scalars (which may run over several lines).
fn scan_outside_text(text: &str) -> Scanned {
    let mut found = Scanned::default();
    let b = text.as_bytes();
    let mut block_indent: Option<usize> = None;
    let mut pos = 0usize;
    while pos < b.len() {
        let end = b[pos..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(b.len(), |i| pos + i);
        let line = &text[pos..end];
        let indent = line.len() - line.trim_start_matches(' ').len();
        let blank = line.trim().is_empty();
        if let Some(bi) = block_indent {
            if blank || indent > bi {
                pos = end + 1;
                continue;
            }
            block_indent = None;
        }
        // Scan the line outside quotes; a quoted scalar may run over several lines.
        let mut i = pos;
        let mut next_line = end + 1;
        let mut code_end = end;
        while i < end {
            let c = b[i];
            if c == b'#' && (i == pos || b[i - 1] == b' ' || b[i - 1] == b'\t') {
                code_end = i;
                break;
            }
            if c == b':' && b.get(i + 1) == Some(&b'\t') && !text[pos..i].trim().is_empty() {
                let mut j = i + 1;
                while j < end && matches!(b[j], b' ' | b'\t') {
                    if b[j] == b'\t' {
                        found.colon_tabs.push(j);
                    }
                    j += 1;
                }
                i = j;
                continue;
            }
            if c == b'\'' || c == b'"' {
                let prefix = &text[pos..i];
                if !node_start(prefix) {
                    i += 1;
                    continue;
                }
                let Some(close) = closing_quote(b, i) else {
                    // Unterminated: leave the rest to saphyr.
                    next_line = b.len();
                    break;
                };
                if close > end && value_position(prefix) {
                    found.quotes.push(i);
                }
                if close > end {
                    // Continue after the closing quote's line.
                    let close_line_end = b[close..]
                        .iter()
                        .position(|&c| c == b'\n')
                        .map_or(b.len(), |k| close + k);
                    next_line = close_line_end + 1;
                    code_end = end;
                    break;
                }
                i = close + 1;
                continue;
            }
            i += 1;
        }
        if next_line == end + 1 && ends_with_block_indicator(&text[pos..code_end]) {
            block_indent = Some(indent);
        }
        pos = next_line;
    }
    found
}

/// Byte offset of the quote closing the quoted scalar opened at `open`.
fn closing_quote(b: &[u8], open: usize) -> Option<usize> {
    let q = *b.get(open)?;
    let mut i = open + 1;
    while i < b.len() {
        match b[i] {
            b'\\' if q == b'"' => i += 2,
            c if c == q => {
                if q == b'\'' && b.get(i + 1) == Some(&b'\'') {
                    i += 2;
                } else {
                    return Some(i);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// Whether a quote after `prefix` (the line's text before it) starts a quoted scalar: after
/// indentation, an indicator (`:`, `-`, `?`, `[`, `{`, `,`) and a space, or an anchor/tag.
fn node_start(prefix: &str) -> bool {
    let p = strip_properties(prefix.trim_end());
    p.is_empty()
        || (p.len() < prefix.len() && p.ends_with([':', '-', '?']))
        || p.ends_with(['[', '{', ','])
}

/// Whether a quote after `prefix` is a block mapping value or a block sequence entry.
fn value_position(prefix: &str) -> bool {
    let p = strip_properties(prefix.trim_end());
    p.len() < prefix.len()
        && (p.ends_with(':') || p.trim_start().split(' ').all(|t| t == "-"))
        && !p.is_empty()
}

/// Drops trailing anchor (`&a`) and tag (`!t`) tokens.
fn strip_properties(mut p: &str) -> &str {
    loop {
        let trimmed = p.trim_end();
        let last = trimmed.rsplit([' ', '\t']).next().unwrap_or("");
        if !last.is_empty() && (last.starts_with('&') || last.starts_with('!')) {
            p = &trimmed[..trimmed.len() - last.len()];
        } else {
            return trimmed;
        }
    }
}

/// Whether a line (comment removed) ends with a block scalar indicator (`|`, `>-`, `|2+`).
fn ends_with_block_indicator(code: &str) -> bool {
    let code = code.trim_end();
    let last = code.rsplit([' ', '\t']).next().unwrap_or("");
    let mut chars = last.chars();
    matches!(chars.next(), Some('|' | '>'))
        && last.len() <= 3
        && chars.all(|c| matches!(c, '+' | '-' | '1'..='9'))
}

/// A syntax error: position in file coordinates and saphyr's description.
#[derive(Debug, Clone)]
struct SyntaxError {
    pos: Pos,
    info: String,
    /// saphyr's char index of the error in the parsed text.
    char_index: usize,
}

/// `depth-limit` at `pos`, for nesting deeper than `limit` levels.
fn depth_problem(limit: usize, pos: Pos) -> LoadProblem {
    LoadProblem::new(
        InputRule::DepthLimit,
        format!(
            "collections nested more than {limit} levels deep are not supported; the document \
             was not checked"
        ),
        Some(Span::point(pos)),
    )
}

fn build_guarded(
    text: &str,
    start_line: u32,
    opts: &ParseOptions,
    col_shifts: &[u32],
) -> Result<ParsedDocument, SyntaxError> {
    // saphyr-parser has never panicked in fuzzing, but a panic in a dependency must not take
    // the whole run down: it becomes a parse error of this document.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        Builder::new(text, start_line, opts, col_shifts).run()
    }))
    .unwrap_or_else(|_| {
        Err(SyntaxError {
            pos: Pos::new(start_line, 1),
            info: "internal YAML parser error".to_owned(),
            char_index: 0,
        })
    })
}

fn syntax_problem(text: &str, start_line: u32, e: &SyntaxError) -> LoadProblem {
    let at = format!("line {} column {}", e.pos.line, e.pos.col);
    if let Some(pos) = template_position(text, start_line, e.pos.line) {
        LoadProblem::new(
            InputRule::UnrenderedTemplate,
            format!(
                "unrendered Go/Helm template: this is not YAML until it is rendered ({} at {at})",
                e.info
            ),
            Some(Span::point(pos)),
        )
        .with_hint(TEMPLATE_HINT)
    } else {
        LoadProblem::new(
            InputRule::ParseError,
            format!("YAML syntax error: {}", e.info),
            Some(Span::point(e.pos)),
        )
    }
}

/// Where the template markup that probably broke the YAML is: the first `{{` on the error
/// line, else the last one before it, else the first one. `None` without any `{{`.
fn template_position(text: &str, start_line: u32, error_line: u32) -> Option<Pos> {
    let mut best: Option<Pos> = None;
    for (no, line) in (start_line..).zip(text.split('\n')) {
        if let Some(b) = line.find("{{") {
            let pos = Pos::new(no, line[..b].chars().count() as u32 + 1);
            if no > error_line && best.is_some() {
                break;
            }
            best = Some(pos);
            if no >= error_line {
                break;
            }
        }
    }
    best
}

/// Whether the document's first significant character opens a JSON object or array.
fn looks_like_json(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .is_some_and(|l| l.starts_with('{') || l.starts_with('['))
}

/// Replaces tabs that separate tokens (next to whitespace, a line boundary or a JSON
/// indicator) by spaces, outside quoted strings. `None` if nothing changed.
fn detab_json(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let mut quote: Option<u8> = None;
    let mut changed = false;
    let is_sep = |c: u8| {
        matches!(
            c,
            b' ' | b'\t' | b'\r' | b'\n' | b'{' | b'}' | b'[' | b']' | b',' | b':'
        )
    };
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(q) => {
                if q == b'"' && c == b'\\' {
                    i += 2;
                    continue;
                }
                if c == q {
                    if q == b'\'' && b.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    quote = None;
                }
            }
            None => match c {
                b'"' | b'\'' => quote = Some(c),
                b'\t' => {
                    let prev = if i == 0 { b'\n' } else { b[i - 1] };
                    let next = b.get(i + 1).copied().unwrap_or(b'\n');
                    if is_sep(prev) || is_sep(next) {
                        out[i] = b' ';
                        changed = true;
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    if changed {
        String::from_utf8(out).ok()
    } else {
        None
    }
}

/// The chunk-local 1-based line and column just past the last character of `text`.
fn end_of(text: &str) -> (u32, u32) {
    let lines = memchr::memchr_iter(b'\n', text.as_bytes()).count();
    let last = memchr::memrchr(b'\n', text.as_bytes()).map_or(0, |i| i + 1);
    let cols = text[last..].chars().count();
    (
        u32::try_from(lines + 1).unwrap_or(u32::MAX),
        u32::try_from(cols + 1).unwrap_or(u32::MAX),
    )
}

/// Whether a `\r` in `text` is not followed by `\n`.
fn has_lone_cr(text: &str) -> bool {
    let b = text.as_bytes();
    memchr::memchr_iter(b'\r', b).any(|i| b.get(i + 1) != Some(&b'\n'))
}

/// Character offsets at which `\n`-separated lines start.
fn lf_line_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    for (i, c) in text.chars().enumerate() {
        if c == '\n' {
            starts.push(i + 1);
        }
    }
    starts
}

/// What is known about an anchor id.
enum AnchorSlot {
    /// Not (yet) defined: its node is still being built, or the id is unused.
    Pending,
    Stored(Anchored),
    /// Not kept: the copies of anchored nodes would exceed the alias budget. Using it is an
    /// alias-limit problem (copies of large anchored nodes are what an alias would cost).
    TooLarge,
}

/// A node that has been anchored (`&x`), kept for later aliases.
struct Anchored {
    node: Node,
    /// Number of nodes in the subtree (what one expansion costs).
    count: usize,
    /// Collection nesting inside the subtree.
    height: usize,
}

enum FrameKind {
    Seq(Vec<Node>),
    Map(MapBuilder),
}

/// A collection being built.
struct Frame {
    kind: FrameKind,
    start: Pos,
    anchor: usize,
    count: usize,
    child_height: usize,
}

/// What the last key of a mapping under construction turned out to be.
enum PendingKey {
    Key {
        key: String,
        span: Span,
    },
    /// A `<<` merge key, with its span.
    Merge(Span),
    /// A key that cannot be converted; its value is dropped.
    Invalid,
}

/// The key prefix under which an entry whose key JSON cannot carry waits for
/// [`Builder::finish`] (a NUL-led string no real key starts with).
const DEFERRED_KEY: &str = "\u{0}psslint-unencodable-key:";

/// Mappings with more entries than this get a hash index for duplicate detection.
const INDEX_THRESHOLD: usize = 16;

#[derive(Default)]
struct MapBuilder {
    entries: Vec<Entry>,
    /// Line of the latest explicit (not merged) occurrence of each entry's key.
    explicit_line: Vec<Option<u32>>,
    index: Option<HashMap<String, usize>>,
    pending: Option<PendingKey>,
}

impl MapBuilder {
    fn find(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(key).copied(),
            None => self.entries.iter().position(|e| e.key == key),
        }
    }

    /// Sets `key` as go-yaml v2 does (`SetMapIndex`: the last write wins). An explicit key
    /// that was already written explicitly is a duplicate.
    fn set(
        &mut self,
        key: String,
        key_span: Span,
        value: Node,
        explicit: bool,
        problems: &mut Vec<LoadProblem>,
    ) {
        if let Some(i) = self.find(&key) {
            if explicit {
                if let Some(prev) = self.explicit_line[i] {
                    problems.push(
                        LoadProblem::new(
                            InputRule::DuplicateKey,
                            format!(
                                "duplicate key `{}` (already set on line {prev}); the API \
                                 server keeps only this last value",
                                crate::model::source::excerpt(&key, 80)
                            ),
                            Some(key_span),
                        )
                        .with_hint("remove one of the occurrences"),
                    );
                }
                self.explicit_line[i] = Some(key_span.start.line);
            }
            let entry = &mut self.entries[i];
            entry.key_span = key_span;
            entry.value = value;
            return;
        }
        let i = self.entries.len();
        if let Some(index) = &mut self.index {
            index.insert(key.clone(), i);
        } else if i >= INDEX_THRESHOLD {
            let mut index: HashMap<String, usize> = self
                .entries
                .iter()
                .enumerate()
                .map(|(j, e)| (e.key.clone(), j))
                .collect();
            index.insert(key.clone(), i);
            self.index = Some(index);
        }
        self.entries.push(Entry {
            key,
            key_span,
            value,
        });
        self.explicit_line
            .push(explicit.then_some(key_span.start.line));
    }

    /// Applies the value of a `<<` key (go-yaml v2 `decoder.merge`). Merged entries take the
    /// span of the `<<` key `at`, so a finding on a merged field points at the merge site in
    /// this mapping rather than at the anchored text elsewhere.
    fn merge(&mut self, mut value: Node, at: Span, problems: &mut Vec<LoadProblem>) {
        let span = value.span;
        let fail = |problems: &mut Vec<LoadProblem>| {
            problems.push(LoadProblem::new(
                InputRule::ParseError,
                "map merge requires map or sequence of maps as the value (`<<`)",
                Some(span),
            ));
        };
        match std::mem::replace(&mut value.value, Value::Null) {
            Value::Map(m) => self.merge_entries(m, at),
            // An alias to a sequence is rejected by go-yaml even if it holds mappings.
            Value::Seq(items) if !value.via_alias => {
                if !items.iter().all(|n| matches!(n.value, Value::Map(_))) {
                    return fail(problems);
                }
                // Earlier sources take precedence: apply them last.
                for mut item in items.into_iter().rev() {
                    if let Value::Map(m) = std::mem::replace(&mut item.value, Value::Null) {
                        self.merge_entries(m, at);
                    }
                }
            }
            _ => fail(problems),
        }
    }

    fn merge_entries(&mut self, m: Mapping, at: Span) {
        let mut no_problems = Vec::new();
        for e in m.entries {
            self.set(e.key, at, e.value, false, &mut no_problems);
        }
    }

    fn finish(self) -> Mapping {
        Mapping {
            entries: self.entries,
        }
    }
}

/// Why building stopped early.
enum Stop {
    /// A syntax error in the first document.
    Syntax(SyntaxError),
    /// A limit was hit (the problem is already recorded); no tree.
    Limit,
}

/// Builds the tree from saphyr's events. Every problem it can record must also make the fast
/// path ([`super::skim`]) fall back: a new kind of problem here needs a matching check there.
struct Builder<'a> {
    text: &'a str,
    /// What saphyr parses: `text`, or `text` with YAML 1.1 line breaks made `\n`
    /// ([`yaml11::with_yaml11_breaks`]; then `lf_lines` maps positions back).
    parse_text: &'a str,
    /// Character indices of LS/PS line breaks, which a scalar must not contain.
    kept_breaks: &'a [usize],
    /// Problems of keys that JSON cannot carry, reported only if their entry survives.
    deferred: Vec<LoadProblem>,
    line_offset: u32,
    /// Spaces inserted at the start of each (0-based) line by the quoted-scalar fallback.
    col_shifts: &'a [u32],
    opts: &'a ParseOptions,
    has_template: bool,
    stack: Vec<Frame>,
    anchors: Vec<AnchorSlot>,
    /// Nodes held in anchor copies (bounded by the alias budget, see [`AnchorSlot`]).
    stored: usize,
    expanded: usize,
    root: Option<Node>,
    root_done: bool,
    /// Whether the text holds `\/`, an escape YAML 1.2 has and go-yaml (YAML 1.1) rejects.
    has_slash_escape: bool,
    problems: Vec<LoadProblem>,
    template_reported: bool,
    /// Byte offsets of line starts in `text`, built on first use.
    line_starts: Option<Vec<usize>>,
    /// The chunk-local line and column just past the text's last character.
    end: (u32, u32),
    /// Character offsets of the `\n`-separated lines, when the text has a lone `\r` (which
    /// saphyr counts as a line break).
    lf_lines: Option<Vec<usize>>,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str, start_line: u32, opts: &'a ParseOptions, col_shifts: &'a [u32]) -> Self {
        Builder {
            text,
            parse_text: text,
            kept_breaks: &[],
            deferred: Vec::new(),
            line_offset: start_line.saturating_sub(1),
            col_shifts,
            opts,
            has_template: text.contains("{{"),
            stack: Vec::new(),
            anchors: Vec::new(),
            stored: 0,
            expanded: 0,
            root: None,
            root_done: false,
            has_slash_escape: text.contains("\\/"),
            problems: Vec::new(),
            template_reported: false,
            line_starts: None,
            end: end_of(text),
            lf_lines: has_lone_cr(text).then(|| lf_line_starts(text)),
        }
    }

    fn pos(&self, m: &Marker) -> Pos {
        let (line, mut col) = match &self.lf_lines {
            // saphyr breaks lines at a lone `\r` too (YAML's rule); psslint's lines end at `\n`
            // only, as kubectl's splitter, editors' line numbers for such files and the rest
            // of psslint do. Map the marker's character index instead.
            Some(starts) => {
                let line = starts.partition_point(|&s| s <= m.index()).max(1);
                let col = m.index() - starts[line - 1] + 1;
                (
                    u32::try_from(line).unwrap_or(u32::MAX),
                    u32::try_from(col).unwrap_or(u32::MAX),
                )
            }
            None => (
                u32::try_from(m.line()).unwrap_or(u32::MAX),
                u32::try_from(m.col()).unwrap_or(u32::MAX - 1) + 1,
            ),
        };
        // saphyr ends a text without a final line break with one of its own, so a marker at
        // the very end (an error at end of input) can sit on a line the file does not have:
        // put it at the end of the last line instead.
        // With a lone `\r`, the marker is mapped by index and can be one character past the
        // end of the last line instead.
        if (line, col) > self.end {
            return self.pos_local(self.end.0, self.end.1);
        }
        // Undo indentation inserted by the quoted-scalar fallback.
        if let Some(&shift) = (line as usize)
            .checked_sub(1)
            .and_then(|l| self.col_shifts.get(l))
        {
            col = col.saturating_sub(shift).max(1);
        }
        Pos::new(line.saturating_add(self.line_offset), col)
    }

    /// A chunk-local 1-based line and column in file coordinates.
    fn pos_local(&self, line: u32, col: u32) -> Pos {
        let shift = (line as usize)
            .checked_sub(1)
            .and_then(|l| self.col_shifts.get(l))
            .copied()
            .unwrap_or(0);
        Pos::new(
            line.saturating_add(self.line_offset),
            col.saturating_sub(shift).max(1),
        )
    }

    fn span(&self, s: &saphyr_parser::Span) -> Span {
        Span::new(self.pos(&s.start), self.pos(&s.end))
    }

    fn run(mut self) -> Result<ParsedDocument, SyntaxError> {
        let mut parser = Parser::new_from_str(self.parse_text);
        let mut documents = 0usize;
        while let Some(next) = parser.next_event() {
            let (event, span) = match next {
                Ok(ok) => ok,
                Err(e) => {
                    if self.root_done {
                        self.ignored_content(self.pos(e.marker()));
                        break;
                    }
                    match self.scan_error(&e) {
                        Stop::Syntax(err) => return Err(err),
                        Stop::Limit => return Ok(self.fail_closed()),
                    }
                }
            };
            if documents > 1 {
                // Later documents: go-yaml never reads them. Report the first content.
                match event {
                    // An empty document is an empty plain scalar without anchor or tag.
                    Event::Scalar(ref v, SaphyrStyle::Plain, 0, None) if v.is_empty() => {}
                    Event::DocumentStart(_)
                    | Event::DocumentEnd
                    | Event::StreamEnd
                    | Event::Nothing => {}
                    _ => {
                        self.ignored_content(self.pos(&span.start));
                        break;
                    }
                }
                if matches!(event, Event::StreamEnd) {
                    break;
                }
                continue;
            }
            let result = match event {
                Event::StreamStart | Event::Nothing | Event::DocumentEnd => Ok(()),
                Event::StreamEnd => break,
                Event::DocumentStart(_) => {
                    documents += 1;
                    Ok(())
                }
                Event::Scalar(value, style, anchor, tag) => {
                    self.scalar(value, style, anchor, tag.as_deref(), &span)
                }
                Event::SequenceStart(anchor, _) => {
                    self.open(FrameKind::Seq(Vec::new()), anchor, &span)
                }
                Event::MappingStart(anchor, _) => {
                    self.open(FrameKind::Map(MapBuilder::default()), anchor, &span)
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    self.close(&span);
                    Ok(())
                }
                Event::Alias(id) => self.alias(id, &span),
            };
            match result {
                Ok(()) => {}
                Err(Stop::Syntax(err)) => return Err(err),
                Err(Stop::Limit) => return Ok(self.fail_closed()),
            }
        }
        let mut root = self.root.take().filter(|r| !r.is_null());
        if let Some(root) = &mut root {
            self.finish(root);
        }
        Ok(ParsedDocument {
            root,
            problems: self.problems,
        })
    }

    /// What JSON encoding finds in the finished tree, as sigs.k8s.io/yaml meets it only then:
    /// keys it cannot convert (kept under placeholders, now dropped) and values it cannot
    /// encode (`.inf`, `.nan`). Values and keys that a later duplicate replaced are gone by
    /// now, so they are not reported (the API server never sees them either).
    fn finish(&mut self, root: &mut Node) {
        let mut reported = vec![false; self.deferred.len()];
        let mut bad_values: Vec<(Span, bool)> = Vec::new();
        let mut stack: Vec<&mut Node> = vec![root];
        while let Some(node) = stack.pop() {
            match &mut node.value {
                Value::Float(f) if !f.is_finite() => bad_values.push((node.span, f.is_nan())),
                Value::Seq(items) => stack.extend(items.iter_mut()),
                Value::Map(m) => {
                    m.entries
                        .retain(|e| match e.key.strip_prefix(DEFERRED_KEY) {
                            Some(n) => {
                                if let Some(r) =
                                    n.parse::<usize>().ok().and_then(|n| reported.get_mut(n))
                                {
                                    *r = true;
                                }
                                false
                            }
                            None => true,
                        });
                    stack.extend(m.entries.iter_mut().map(|e| &mut e.value));
                }
                _ => {}
            }
        }
        for (problem, reported) in self.deferred.drain(..).zip(reported) {
            if reported {
                self.problems.push(problem);
            }
        }
        bad_values.sort_by_key(|(s, _)| (s.start, s.end));
        bad_values.dedup();
        for (span, nan) in bad_values {
            let text = self.span_text(span);
            self.problems.push(LoadProblem::new(
                InputRule::Unencodable,
                format!(
                    "`{}` is {}, which JSON cannot represent; the API server rejects this \
                     document",
                    crate::model::source::excerpt(&text, 80),
                    if nan { "not a number" } else { "infinite" }
                ),
                Some(span),
            ));
        }
    }

    /// The source text of a one-line span (for messages), or `.inf` when it cannot be cut out.
    fn span_text(&self, span: Span) -> String {
        let line = span.start.line.saturating_sub(self.line_offset) as usize;
        self.text
            .split('\n')
            .nth(line.saturating_sub(1))
            .filter(|_| span.start.line == span.end.line)
            .and_then(|l| {
                let chars: Vec<char> = l.chars().collect();
                let from = (span.start.col as usize).saturating_sub(1);
                let to = (span.end.col as usize).saturating_sub(1).min(chars.len());
                (from < to).then(|| chars[from..to].iter().collect())
            })
            .unwrap_or_else(|| ".inf".to_owned())
    }

    fn fail_closed(self) -> ParsedDocument {
        ParsedDocument {
            root: None,
            problems: self.problems,
        }
    }

    fn scan_error(&mut self, e: &ScanError) -> Stop {
        let pos = self.pos(e.marker());
        if e.info() == SAPHYR_RECURSION_LIMIT {
            // The same limit and wording as the builder's own, whatever the options say.
            self.problems.push(depth_problem(MAX_DEPTH, pos));
            return Stop::Limit;
        }
        Stop::Syntax(SyntaxError {
            pos,
            info: e.info().to_owned(),
            char_index: e.marker().index(),
        })
    }

    fn ignored_content(&mut self, pos: Pos) {
        if self.template_reported {
            // Unrendered template lines are reported already; more noise would not help.
            return;
        }
        self.problems.push(
            LoadProblem::new(
                InputRule::IgnoredContent,
                "content after the first YAML document is ignored: the API server decodes only \
                 the first document of what kubectl sends",
                Some(Span::point(pos)),
            )
            .with_hint("separate documents with a line containing only `---`"),
        );
    }

    fn open(
        &mut self,
        kind: FrameKind,
        anchor: usize,
        span: &saphyr_parser::Span,
    ) -> Result<(), Stop> {
        let start = self.pos(&span.start);
        if self.stack.len() >= self.opts.max_depth {
            self.depth_limit(start);
            return Err(Stop::Limit);
        }
        self.stack.push(Frame {
            kind,
            start,
            anchor,
            count: 1,
            child_height: 0,
        });
        Ok(())
    }

    fn depth_limit(&mut self, pos: Pos) {
        self.problems.push(depth_problem(self.opts.max_depth, pos));
    }

    fn close(&mut self, span: &saphyr_parser::Span) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let (value, last_end) = match frame.kind {
            FrameKind::Seq(items) => {
                let end = items.last().map(|n| n.span.end);
                (Value::Seq(items), end)
            }
            FrameKind::Map(m) => {
                let end = m.entries.last().map(|e| e.value.span.end);
                (Value::Map(m.finish()), end)
            }
        };
        // Flow collections end at their `]`/`}`; block collections (whose end event is an
        // empty span at the next token) end with their last child.
        let end = if span.start.index() != span.end.index() {
            self.pos(&span.end)
        } else {
            last_end.unwrap_or(frame.start).max(frame.start)
        };
        let node = Node::new(value, Span::new(frame.start, end));
        self.complete(
            node,
            frame.count,
            frame.child_height + 1,
            frame.anchor,
            false,
        );
    }

    fn scalar(
        &mut self,
        text: Cow<'_, str>,
        style: SaphyrStyle,
        anchor: usize,
        tag: Option<&Tag>,
        span: &saphyr_parser::Span,
    ) -> Result<(), Stop> {
        let mut node_span = self.span(span);
        if !self.kept_breaks.is_empty() {
            let (from, to) = (span.start.index(), span.end.index());
            let at = self.kept_breaks.partition_point(|&i| i < from);
            if self.kept_breaks.get(at).is_some_and(|&i| i < to) {
                self.problems.push(
                    LoadProblem::new(
                        InputRule::ParseError,
                        "a value contains a Unicode line or paragraph separator (U+2028/U+2029): \
                     the API server's YAML 1.1 decoder reads it as a line break with rules of \
                     its own, which psslint does not reproduce; the document was not checked",
                        Some(node_span),
                    )
                    .with_hint(
                        "write the character as an escape (`\\u2028`) in a double-quoted string",
                    ),
                );
                return Err(Stop::Limit);
            }
        }
        if style == SaphyrStyle::DoubleQuoted && self.has_slash_escape {
            if let Some(pos) = self.slash_escape(span) {
                return Err(Stop::Syntax(SyntaxError {
                    pos,
                    info: "found unknown escape character `\\/` (YAML 1.1, which the API \
                           server's decoder reads, has no such escape)"
                        .to_owned(),
                    char_index: span.start.index(),
                }));
            }
        }
        let style = match style {
            SaphyrStyle::Plain => ScalarStyle::Plain,
            SaphyrStyle::SingleQuoted => ScalarStyle::SingleQuoted,
            SaphyrStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
            SaphyrStyle::Literal => ScalarStyle::Literal,
            SaphyrStyle::Folded => ScalarStyle::Folded,
        };
        if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
            node_span.end = self.block_scalar_end(node_span);
        }
        enum TagKind {
            None,
            NonSpecific,
            Core(CoreTag),
            Other,
        }
        let tag_kind = match tag {
            None => TagKind::None,
            Some(t) if t.handle.is_empty() && t.suffix == "!" => TagKind::NonSpecific,
            Some(t) => {
                let uri: Cow<'_, str> = if t.handle.is_empty() {
                    Cow::Borrowed(&t.suffix)
                } else {
                    Cow::Owned(format!("{}{}", t.handle, t.suffix))
                };
                CoreTag::from_uri(&uri).map_or(TagKind::Other, TagKind::Core)
            }
        };
        let is_merge = text == "<<"
            && match tag_kind {
                TagKind::None => style == ScalarStyle::Plain,
                TagKind::NonSpecific | TagKind::Core(CoreTag::Merge) => true,
                _ => false,
            };
        // `None`: the scalar is its text (moved in below, without copying).
        let resolved = match tag_kind {
            TagKind::None if style == ScalarStyle::Plain => resolve_plain_typed(&text),
            TagKind::Core(t) => match resolve_tagged(t, &text) {
                Ok(v) => Some(v),
                Err(msg) => {
                    self.problems.push(LoadProblem::new(
                        InputRule::ParseError,
                        msg,
                        Some(node_span),
                    ));
                    None
                }
            },
            _ => None,
        }
        .filter(|v| !matches!(v, Value::Str(s) if *s == *text));
        let raw = resolved
            .as_ref()
            .filter(|v| !matches!(v, Value::Str(_)) && !is_canonical_text(v, &text))
            .map(|_| Box::<str>::from(text.as_ref()));
        let value = resolved.unwrap_or_else(|| Value::Str(text.into_owned()));
        let node = Node {
            value,
            span: node_span,
            style,
            raw,
            via_alias: false,
        };
        self.complete(node, 1, 0, anchor, is_merge);
        Ok(())
    }

    /// Where a double-quoted scalar (its source span) uses the escape `\/`, if it does.
    fn slash_escape(&self, span: &saphyr_parser::Span) -> Option<Pos> {
        let mut chars = self
            .parse_text
            .chars()
            .enumerate()
            .skip(span.start.index())
            .take(span.end.index().saturating_sub(span.start.index()));
        while let Some((_, c)) = chars.next() {
            if c == '\\' {
                if let Some((i, '/')) = chars.next() {
                    // The backslash's position, from its character index.
                    let m = Marker::new(i - 1, span.start.line(), span.start.col());
                    return Some(self.pos_of_index(&m));
                }
            }
        }
        None
    }

    /// The file position of a marker by its character index alone.
    fn pos_of_index(&self, m: &Marker) -> Pos {
        let starts = lf_line_starts(self.text);
        let line = starts.partition_point(|&s| s <= m.index()).max(1);
        let col = m.index() - starts[line - 1] + 1;
        self.pos_local(
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(col).unwrap_or(u32::MAX),
        )
    }

    /// saphyr ends a block scalar at the start of the next token's line; end it at the end of
    /// its last line instead.
    fn block_scalar_end(&mut self, span: Span) -> Pos {
        let end = span.end;
        if end.col != 1 || end.line <= span.start.line {
            return end;
        }
        let text = self.text;
        let starts = self.line_starts.get_or_insert_with(|| {
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        // The previous line, 1-based within this chunk.
        let prev = end.line.saturating_sub(self.line_offset + 1) as usize;
        let (Some(&from), Some(&to)) = (starts.get(prev.wrapping_sub(1)), starts.get(prev)) else {
            return end;
        };
        let line = text.get(from..to).unwrap_or("");
        let line = line.trim_end_matches(['\n', '\r']);
        let shift = self
            .col_shifts
            .get(prev.wrapping_sub(1))
            .copied()
            .unwrap_or(0);
        let col = (line.chars().count() as u32 + 1)
            .saturating_sub(shift)
            .max(1);
        Pos::new(end.line - 1, col)
    }

    fn alias(&mut self, id: usize, span: &saphyr_parser::Span) -> Result<(), Stop> {
        let alias_span = self.span(span);
        let anchored = match self.anchors.get(id) {
            Some(AnchorSlot::Stored(anchored)) => anchored,
            Some(AnchorSlot::TooLarge) => {
                self.alias_limit(alias_span);
                return Err(Stop::Limit);
            }
            Some(AnchorSlot::Pending) | None => {
                let recursive = self.stack.iter().any(|f| f.anchor == id);
                return Err(Stop::Syntax(SyntaxError {
                    char_index: span.start.index(),
                    pos: alias_span.start,
                    info: if recursive {
                        "an alias refers to a node that contains it".to_owned()
                    } else {
                        "unknown anchor referenced".to_owned()
                    },
                }));
            }
        };
        if self.expanded.saturating_add(anchored.count) > self.opts.alias_budget {
            self.alias_limit(alias_span);
            return Err(Stop::Limit);
        }
        if self.stack.len() + anchored.height > self.opts.max_depth {
            self.depth_limit(alias_span.start);
            return Err(Stop::Limit);
        }
        let (count, height) = (anchored.count, anchored.height);
        let node = copy_tree(&anchored.node, alias_span);
        self.expanded += count;
        // An alias is never a merge key, even if it refers to `<<`.
        self.complete(node, count, height, 0, false);
        Ok(())
    }

    fn alias_limit(&mut self, at: Span) {
        self.problems.push(LoadProblem::new(
            InputRule::AliasLimit,
            format!(
                "expanding aliases would create more than {} nodes (a \"billion laughs\" \
                 document?); the document was not checked",
                self.opts.alias_budget
            ),
            Some(at),
        ));
    }

    /// A node is finished: remember it if anchored, then attach it to its parent.
    fn complete(&mut self, node: Node, count: usize, height: usize, anchor: usize, is_merge: bool) {
        if anchor != 0 {
            if self.anchors.len() <= anchor {
                self.anchors.resize_with(anchor + 1, || AnchorSlot::Pending);
            }
            // Keeping a copy of every anchored node could itself be a memory bomb (anchors
            // nested in anchors), so the copies share the alias budget.
            self.anchors[anchor] = if self.stored.saturating_add(count) <= self.opts.alias_budget {
                self.stored += count;
                AnchorSlot::Stored(Anchored {
                    node: copy_tree_plain(&node),
                    count,
                    height,
                })
            } else {
                AnchorSlot::TooLarge
            };
        }
        let Some(parent) = self.stack.last_mut() else {
            self.root = Some(node);
            self.root_done = true;
            return;
        };
        parent.count += count;
        parent.child_height = parent.child_height.max(height);
        match &mut parent.kind {
            FrameKind::Seq(items) => items.push(node),
            FrameKind::Map(m) => match m.pending.take() {
                None => {
                    m.pending = Some(if is_merge {
                        PendingKey::Merge(node.span)
                    } else {
                        match key_of(node) {
                            Ok((key, span)) => PendingKey::Key { key, span },
                            Err((msg, span, collection)) => {
                                if collection && self.has_template {
                                    if !self.template_reported {
                                        self.template_reported = true;
                                        let pos = template_position(
                                            self.text,
                                            self.line_offset + 1,
                                            span.start.line,
                                        )
                                        .unwrap_or(span.start);
                                        self.problems.push(
                                            LoadProblem::new(
                                                InputRule::UnrenderedTemplate,
                                                "unrendered Go/Helm template: `{{ … }}` was read \
                                                 as a YAML flow collection used as a map key",
                                                Some(Span::point(pos)),
                                            )
                                            .with_hint(TEMPLATE_HINT),
                                        );
                                    }
                                } else {
                                    let problem = LoadProblem::new(
                                        InputRule::Unencodable,
                                        format!(
                                            "{msg}; the API server rejects this document \
                                             (JSON object keys must be strings)"
                                        ),
                                        Some(span),
                                    );
                                    if !collection {
                                        // A null or uint64 key fails only if its mapping is
                                        // still in the tree when it is converted to JSON (a
                                        // later duplicate may replace the mapping): it stays
                                        // under a placeholder key until [`Builder::finish`].
                                        self.deferred.push(problem);
                                        let key =
                                            format!("{DEFERRED_KEY}{}", self.deferred.len() - 1);
                                        m.pending = Some(PendingKey::Key { key, span });
                                        return;
                                    }
                                    self.problems.push(problem);
                                }
                                PendingKey::Invalid
                            }
                        }
                    });
                }
                Some(PendingKey::Key { key, span }) => {
                    m.set(key, span, node, true, &mut self.problems)
                }
                Some(PendingKey::Merge(at)) => m.merge(node, at, &mut self.problems),
                Some(PendingKey::Invalid) => {}
            },
        }
    }
}

/// The string key for a key node, or (message, span, whether the key is a collection).
fn key_of(mut node: Node) -> Result<(String, Span), (String, Span, bool)> {
    let span = node.span;
    if let Value::Str(s) = &mut node.value {
        return Ok((std::mem::take(s), span));
    }
    let collection = matches!(node.value, Value::Seq(_) | Value::Map(_));
    match key_string(&node.value) {
        Ok(k) => Ok((k, span)),
        Err(msg) => Err((msg, span, collection)),
    }
}

/// A copy of one node without its children.
fn shallow_copy(n: &Node, via_alias: bool) -> Node {
    let value = match &n.value {
        Value::Null => Value::Null,
        Value::Bool(b) => Value::Bool(*b),
        Value::Int(i) => Value::Int(*i),
        Value::Float(f) => Value::Float(*f),
        Value::Str(s) => Value::Str(s.clone()),
        Value::Seq(items) => Value::Seq(Vec::with_capacity(items.len())),
        Value::Map(m) => Value::Map(Mapping {
            entries: Vec::with_capacity(m.entries.len()),
        }),
    };
    Node {
        value,
        span: n.span,
        style: n.style,
        raw: n.raw.clone(),
        via_alias: via_alias || n.via_alias,
    }
}

/// Deep copy without recursion (the derived `Clone` would recurse once per level).
fn deep_copy(src: &Node, via_alias: bool) -> Node {
    // Work items: a source node to copy, or "pop this many finished children into the
    // parent on top of `building`".
    enum Work<'n> {
        Copy(&'n Node),
        Finish(&'n Node),
    }
    let mut work = vec![Work::Copy(src)];
    let mut done: Vec<Node> = Vec::new();
    while let Some(w) = work.pop() {
        match w {
            Work::Copy(n) => match &n.value {
                Value::Seq(items) => {
                    work.push(Work::Finish(n));
                    work.extend(items.iter().rev().map(Work::Copy));
                }
                Value::Map(m) => {
                    work.push(Work::Finish(n));
                    work.extend(m.entries.iter().rev().map(|e| Work::Copy(&e.value)));
                }
                _ => done.push(shallow_copy(n, via_alias)),
            },
            Work::Finish(n) => {
                let mut copy = shallow_copy(n, via_alias);
                match (&n.value, &mut copy.value) {
                    (Value::Seq(items), Value::Seq(out)) => {
                        let children = done.split_off(done.len().saturating_sub(items.len()));
                        out.extend(children);
                    }
                    (Value::Map(m), Value::Map(out)) => {
                        let children = done.split_off(done.len().saturating_sub(m.entries.len()));
                        out.entries
                            .extend(m.entries.iter().zip(children).map(|(e, value)| Entry {
                                key: e.key.clone(),
                                key_span: e.key_span,
                                value,
                            }));
                    }
                    _ => {}
                }
                done.push(copy);
            }
        }
    }
    done.pop()
        .unwrap_or_else(|| Node::new(Value::Null, src.span))
}

/// The copy stored for an anchor (flags unchanged).
fn copy_tree_plain(src: &Node) -> Node {
    deep_copy(src, false)
}

/// The expansion of an alias: every node flagged `via_alias`, the root at the alias site.
fn copy_tree(src: &Node, alias_span: Span) -> Node {
    let mut node = deep_copy(src, true);
    node.span = alias_span;
    node
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ParsedDocument {
        parse_document(text, 1, &ParseOptions::default())
    }

    fn root(text: &str) -> Node {
        let doc = parse(text);
        assert!(doc.problems.is_empty(), "{:?}", doc.problems);
        doc.root.expect("a root")
    }

    fn at<'n>(n: &'n Node, path: &str) -> &'n Node {
        let mut cur = n;
        for seg in path.split('.') {
            cur = match seg.parse::<usize>() {
                Ok(i) => &cur.as_seq().expect("a list")[i],
                Err(_) => cur.get(seg).unwrap_or_else(|| panic!("no {seg} in {path}")),
            };
        }
        cur
    }

    fn sp(l1: u32, c1: u32, l2: u32, c2: u32) -> Span {
        Span::new(Pos::new(l1, c1), Pos::new(l2, c2))
    }

    fn rules(doc: &ParsedDocument) -> Vec<InputRule> {
        doc.problems.iter().map(|p| p.rule).collect()
    }

    #[test]
    fn an_error_at_the_end_of_a_text_without_a_final_newline_stays_on_its_last_line() {
        // Found by fuzzing: saphyr reported line 3 of a two-line text.
        let doc = parse("a: 1\nb:ur");
        assert_eq!(doc.problems.len(), 1);
        assert_eq!(doc.problems[0].span, Some(sp(2, 5, 2, 5)));
    }

    #[test]
    fn a_lone_carriage_return_does_not_start_a_line() {
        // Found by fuzzing: saphyr breaks lines at a lone CR, psslint's lines end at LF only.
        let r = root("# c\rkey: {a: 1}\nb: 2\n");
        assert_eq!(at(&r, "key.a").span, sp(1, 14, 1, 15));
        assert_eq!(at(&r, "b").span, sp(2, 4, 2, 5));
    }

    #[test]
    fn an_error_at_the_end_of_a_text_with_a_lone_carriage_return_stays_inside_it() {
        // Found by fuzzing: the two cases above together put the error one column past the
        // end of the last line.
        let doc = parse("\r%\u{513}");
        assert_eq!(rules(&doc), [InputRule::ParseError]);
        assert_eq!(doc.problems[0].span, Some(sp(1, 4, 1, 4)));
    }

    #[test]
    fn a_lone_carriage_return_maps_characters_not_bytes() {
        let r = root("# \u{513}\rkey: {a: 1}\nb: \u{513}\n");
        assert_eq!(at(&r, "key.a").span, sp(1, 14, 1, 15));
        assert_eq!(at(&r, "b").span, sp(2, 4, 2, 5));
    }

    #[test]
    fn scalars_resolve_like_go_yaml_v2() {
        let r = root(
            "a: yes\nb: 'yes'\nc: 0777\nd: \"0777\"\ne: 1_000\nf: .0\ng: ~\nh: |\n  text\ni: On\nj: 1:20\n",
        );
        assert_eq!(at(&r, "a").value, Value::Bool(true));
        assert_eq!(at(&r, "a").raw.as_deref(), Some("yes"));
        assert_eq!(at(&r, "b").value, Value::Str("yes".into()));
        assert_eq!(at(&r, "b").style, ScalarStyle::SingleQuoted);
        assert_eq!(at(&r, "c").value, Value::Int(511));
        assert_eq!(at(&r, "c").raw.as_deref(), Some("0777"));
        assert_eq!(at(&r, "d").value, Value::Str("0777".into()));
        assert_eq!(at(&r, "e").value, Value::Int(1000));
        assert_eq!(at(&r, "f").value, Value::Float(0.0));
        assert_eq!(at(&r, "f").raw.as_deref(), Some(".0"));
        assert!(at(&r, "g").is_null());
        assert_eq!(at(&r, "h").value, Value::Str("text\n".into()));
        assert_eq!(at(&r, "h").style, ScalarStyle::Literal);
        assert_eq!(at(&r, "i").value, Value::Bool(true));
        assert_eq!(at(&r, "j").value, Value::Str("1:20".into()));
        assert_eq!(at(&r, "j").raw, None);
    }

    #[test]
    fn canonical_scalars_have_no_raw() {
        let r = root("a: true\nb: 8080\nc: 0.5\nd: null\n");
        for k in ["a", "b", "c", "d"] {
            assert_eq!(at(&r, k).raw, None, "{k}");
        }
    }

    #[test]
    fn explicit_tags() {
        let doc = parse(
            "a: !!str 123\nb: !!int \"8080\"\nc: !foo 12\nd: ! yes\ne: !!bool \"on\"\nf: !!float 1\ng: !!binary aGVsbG8=\nh: !<tag:yaml.org,2002:int> '7'\ni: !foo {x: 1}\nj: !!int abc\n",
        );
        let r = doc.root.as_ref().expect("root");
        assert_eq!(at(r, "a").value, Value::Str("123".into()));
        assert_eq!(at(r, "b").value, Value::Int(8080));
        assert_eq!(at(r, "c").value, Value::Str("12".into()));
        assert_eq!(at(r, "d").value, Value::Str("yes".into()));
        assert_eq!(at(r, "e").value, Value::Bool(true));
        assert_eq!(at(r, "f").value, Value::Float(1.0));
        assert_eq!(at(r, "g").value, Value::Str("hello".into()));
        assert_eq!(at(r, "h").value, Value::Int(7));
        assert_eq!(at(r, "i.x").value, Value::Int(1));
        assert_eq!(rules(&doc), vec![InputRule::ParseError]);
        assert!(doc.problems[0]
            .message
            .contains("cannot decode !!str `abc` as a !!int"));
        assert_eq!(doc.problems[0].span.map(|s| s.start), Some(Pos::new(10, 4)));
    }

    #[test]
    fn spans_are_in_file_coordinates() {
        let doc = parse_document(
            "a: 1\nbb:\n  - x\n  - {k: v}\n",
            10,
            &ParseOptions::default(),
        );
        let r = doc.root.expect("root");
        assert_eq!(r.span, sp(10, 1, 13, 11));
        let m = r.as_map().expect("map");
        assert_eq!(m.entry("bb").map(|e| e.key_span), Some(sp(11, 1, 11, 3)));
        assert_eq!(at(&r, "a").span, sp(10, 4, 10, 5));
        assert_eq!(at(&r, "bb").span, sp(12, 3, 13, 11));
        assert_eq!(at(&r, "bb.0").span, sp(12, 5, 12, 6));
        assert_eq!(at(&r, "bb.1").span, sp(13, 5, 13, 11));
        assert_eq!(at(&r, "bb.1.k").span, sp(13, 9, 13, 10));
    }

    #[test]
    fn crlf_and_multibyte_spans() {
        let r = root("metadata:\r\n  name: \"é€\"\r\n  x: {n: \"é€\", privileged: true}\r\n");
        assert_eq!(at(&r, "metadata.name").span, sp(2, 9, 2, 13));
        let x = at(&r, "metadata.x").as_map().expect("map");
        assert_eq!(
            x.entry("privileged").map(|e| e.key_span),
            Some(sp(3, 16, 3, 26))
        );
        assert_eq!(at(&r, "metadata.x.privileged").span, sp(3, 28, 3, 32));
        assert_eq!(at(&r, "metadata.x").span, sp(3, 6, 3, 33));
    }

    #[test]
    fn block_scalar_spans_end_on_their_last_line() {
        let r = root("a: |\n  one\n  two\nb: >-\r\n  x\r\n\r\nc: 1\n");
        assert_eq!(at(&r, "a").span, sp(2, 3, 3, 6));
        assert_eq!(at(&r, "b").span.start, Pos::new(5, 3));
        assert_eq!(at(&r, "b").span.end.line, 6);
    }

    #[test]
    fn empty_comment_and_null_documents_have_no_root() {
        for t in ["", "\n\n", "# just a comment\n", "null\n", "~", "--- \n"] {
            let doc = parse(t);
            assert!(doc.root.is_none(), "{t:?}");
            assert!(doc.problems.is_empty(), "{t:?}: {:?}", doc.problems);
        }
    }

    /// Differences from go-yaml found by tests/oracle (the Go program in tools/yaml-oracle).
    #[test]
    fn text_that_go_yaml_reads_as_yaml_1_1() {
        // A document cannot start with `...` ("did not find expected node content").
        for t in ["...\n", "# c\n...\na: 1\n"] {
            let doc = parse(t);
            assert!(doc.root.is_none(), "{t:?}");
            assert_eq!(rules(&doc), vec![InputRule::ParseError], "{t:?}");
        }
        // Control characters, DEL and C1 controls are rejected by libyaml's reader.
        for t in [
            "a: x\u{7f}\n",
            "a: 'x\u{1}'\n",
            "a: \u{9f}\n",
            "# \u{fffe}\na: 1\n",
        ] {
            let doc = parse(t);
            assert!(doc.root.is_none(), "{t:?}");
            assert_eq!(rules(&doc), vec![InputRule::ParseError], "{t:?}");
        }
        // NEL, LS and PS are line breaks: a comment ends there, a new line starts.
        let r = root("spec:\n  image: x  # c\u{85}  privileged: true\n");
        assert_eq!(at(&r, "spec.privileged").value, Value::Bool(true));
        assert_eq!(at(&r, "spec.privileged").span, sp(2, 31, 2, 35));
        let r = root("a: 1\u{2028}b: 2\n");
        assert_eq!(at(&r, "b").value, Value::Int(2));
        // NEL inside a scalar folds like a line feed.
        assert_eq!(
            at(&root("a: 'x\u{85}  y'\n"), "a").value,
            Value::Str("x y".into())
        );
        // YAML 1.2's `\/` escape is unknown to go-yaml.
        let doc = parse("a: \"x\\/y\"\n");
        assert!(doc.root.is_none());
        assert_eq!(rules(&doc), vec![InputRule::ParseError]);
        assert_eq!(doc.problems[0].span.map(|s| s.start), Some(Pos::new(1, 6)));
        assert_eq!(
            at(&root("a: \"x\\\\/y\"\n"), "a").value,
            Value::Str("x\\/y".into())
        );
        // A value JSON cannot carry that a later duplicate replaces never reaches JSON.
        let doc = parse("a: {~: 1, b: .inf}\na: 2\n");
        assert_eq!(rules(&doc), vec![InputRule::DuplicateKey]);
        let doc = parse("a: {~: 1}\nb: [.nan]\n");
        assert_eq!(rules(&doc), vec![InputRule::Unencodable; 2]);
        // LS/PS inside a scalar: libyaml keeps them with rules psslint does not reproduce.
        let doc = parse("a: 'x\u{2028}y'\n");
        assert!(doc.root.is_none());
        assert_eq!(rules(&doc), vec![InputRule::ParseError]);
    }

    #[test]
    fn duplicate_keys_keep_the_last_value_and_are_reported() {
        let doc = parse("a: 1\nb: 2\na: 3\n");
        let r = doc.root.as_ref().expect("root");
        let m = r.as_map().expect("map");
        assert_eq!(m.len(), 2);
        assert_eq!(m.entries[0].key, "a");
        assert_eq!(m.entries[0].value.value, Value::Int(3));
        assert_eq!(m.entries[0].key_span, sp(3, 1, 3, 2));
        assert_eq!(rules(&doc), vec![InputRule::DuplicateKey]);
        assert_eq!(doc.problems[0].span, Some(sp(3, 1, 3, 2)));
        assert!(doc.problems[0].message.contains("`a`"));
        assert!(doc.problems[0].message.contains("line 1"));
    }

    #[test]
    fn keys_that_convert_to_the_same_string_are_duplicates() {
        let doc = parse("true: a\nyes: b\n1: c\n\"1\": d\n");
        let m = doc.root.as_ref().and_then(Node::as_map).expect("map");
        assert_eq!(m.len(), 2);
        assert_eq!(
            m.get("true").map(|n| &n.value),
            Some(&Value::Str("b".into()))
        );
        assert_eq!(m.get("1").map(|n| &n.value), Some(&Value::Str("d".into())));
        assert_eq!(rules(&doc), vec![InputRule::DuplicateKey; 2]);
    }

    #[test]
    fn large_mappings_detect_duplicates_through_the_index() {
        let mut text: String = (0..100).map(|i| format!("k{i}: {i}\n")).collect();
        text.push_str("k42: last\n");
        let doc = parse(&text);
        let m = doc.root.as_ref().and_then(Node::as_map).expect("map");
        assert_eq!(m.len(), 100);
        assert_eq!(
            m.get("k42").map(|n| &n.value),
            Some(&Value::Str("last".into()))
        );
        assert_eq!(rules(&doc), vec![InputRule::DuplicateKey]);
    }

    #[test]
    fn non_string_keys_are_converted() {
        let r = root("1: a\n1.5: b\ntrue: c\n0x10: d\n2001-12-14: e\n");
        let keys: Vec<&str> = r
            .as_map()
            .expect("map")
            .iter()
            .map(|e| e.key.as_str())
            .collect();
        assert_eq!(keys, vec!["1", "1.5", "true", "16", "2001-12-14"]);
    }

    #[test]
    fn unconvertible_keys_and_values_are_unencodable() {
        let doc = parse("~: a\n? [x]\n: b\nok: .inf\nnan: .nan\n18446744073709551615: c\n");
        let m = doc.root.as_ref().and_then(Node::as_map).expect("map");
        let keys: Vec<&str> = m.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, vec!["ok", "nan"]);
        assert_eq!(rules(&doc), vec![InputRule::Unencodable; 5]);
        // Infinite keys are fine: sigs.k8s.io/yaml spells them `.inf`.
        let r = root(".inf: x\n");
        assert!(r.get(".inf").is_some());
    }

    #[test]
    fn merge_keys_follow_go_yaml_v2_order() {
        // pss-spec §8.4: keys before `<<` are overwritten, keys after it win.
        let r = root(
            "priv: &priv {privileged: true, runAsUser: 0}\nsc: {privileged: false, <<: *priv, runAsUser: 1000}\n",
        );
        assert_eq!(at(&r, "sc.privileged").value, Value::Bool(true));
        assert_eq!(at(&r, "sc.runAsUser").value, Value::Int(1000));
        // Merged values come from the anchor: flagged, spans of the anchored text.
        let p = at(&r, "sc.privileged");
        assert!(p.via_alias);
        assert_eq!(p.span, sp(1, 26, 1, 30));
        // Of several sources the first wins; all override earlier explicit keys.
        let r =
            root("a: &a {x: 1, w: 1}\nb: &b {x: 2, z: 2}\nc:\n  x: 0\n  z: 0\n  <<: [*a, *b]\n");
        assert_eq!(at(&r, "c.x").value, Value::Int(1));
        assert_eq!(at(&r, "c.w").value, Value::Int(1));
        assert_eq!(at(&r, "c.z").value, Value::Int(2));
        // Inline mappings merge too, and a merge never reports duplicates.
        let r = root("m:\n  a: 1\n  <<: {a: 2, b: 3}\n");
        assert_eq!(at(&r, "m.a").value, Value::Int(2));
        assert_eq!(at(&r, "m.b").value, Value::Int(3));
        assert!(!at(&r, "m.a").via_alias);
    }

    #[test]
    fn quoted_or_tagged_merge_keys_are_plain_keys() {
        let r = root("m:\n  \"<<\": {a: 1}\n");
        assert!(at(&r, "m").get("<<").is_some());
        let r = root("m:\n  !!merge <<: {a: 1}\n");
        assert_eq!(at(&r, "m.a").value, Value::Int(1));
    }

    #[test]
    fn merge_of_a_non_mapping_is_an_error() {
        for t in [
            "m:\n  <<: 1\n",
            "m:\n  <<: [{a: 1}, 2]\n",
            "s: &s [{a: 1}]\nm:\n  <<: *s\n",
        ] {
            let doc = parse(t);
            assert_eq!(rules(&doc), vec![InputRule::ParseError], "{t}");
            assert!(doc.problems[0].message.contains("map merge requires"));
        }
    }

    #[test]
    fn explicit_key_after_merge_is_not_a_duplicate_but_repeated_explicit_is() {
        let doc = parse("a: &a {x: 1}\nb:\n  <<: *a\n  x: 2\n");
        assert!(doc.problems.is_empty());
        let doc = parse("a: &a {x: 1}\nb:\n  x: 0\n  <<: *a\n  x: 2\n");
        assert_eq!(rules(&doc), vec![InputRule::DuplicateKey]);
    }

    #[test]
    fn aliases_are_deep_copies_at_the_alias_site() {
        let r = root("a: &x\n  k: [1, 2]\nb: *x\n");
        let b = at(&r, "b");
        assert!(b.via_alias);
        assert_eq!(b.span, sp(3, 4, 3, 6));
        assert_eq!(at(&r, "b.k.1").value, Value::Int(2));
        assert!(at(&r, "b.k.1").via_alias);
        assert_eq!(at(&r, "b.k.1").span, at(&r, "a.k.1").span);
        assert!(!at(&r, "a.k").via_alias);
    }

    #[test]
    fn recursive_alias_is_a_parse_error() {
        let doc = parse("a: &a [*a]\n");
        assert!(doc.root.is_none());
        assert_eq!(rules(&doc), vec![InputRule::ParseError]);
    }

    #[test]
    fn billion_laughs_hits_the_alias_budget() {
        let text = "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
        let start = std::time::Instant::now();
        let doc = parse(text);
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
        assert!(doc.root.is_none());
        assert_eq!(rules(&doc), vec![InputRule::AliasLimit]);
    }

    #[test]
    fn nested_anchors_cannot_exhaust_memory() {
        // Each level is anchored: keeping a copy of every level costs depth × size.
        let mut text = String::new();
        for i in 0..200 {
            text.push_str(&format!("{}k{i}: &a{i}\n", " ".repeat(i)));
        }
        text.push_str(&" ".repeat(200));
        text.push('[');
        text.push_str(&vec!["x"; 2000].join(","));
        text.push_str("]\n");
        let doc = parse(&text);
        assert!(doc.problems.is_empty(), "{:?}", doc.problems);
        // Using an anchor that could not be kept fails closed.
        text.push_str("z: *a0\n");
        let doc = parse(&text);
        assert_eq!(rules(&doc), vec![InputRule::AliasLimit]);
        assert!(doc.root.is_none());
    }

    #[test]
    fn deep_nesting_is_a_depth_limit_not_a_crash() {
        let flow = "[".repeat(100_000);
        let doc = parse(&flow);
        assert!(doc.root.is_none());
        assert_eq!(rules(&doc), vec![InputRule::DepthLimit]);

        let block = format!("{}x\n", "- ".repeat(100_000));
        let doc = parse(&block);
        assert!(doc.root.is_none());
        assert_eq!(rules(&doc), vec![InputRule::DepthLimit]);

        let keys = format!("{}x\n", "? ".repeat(100_000));
        let doc = parse(&keys);
        assert_eq!(rules(&doc), vec![InputRule::DepthLimit]);

        // Within the limits, deep trees are built and dropped without recursion.
        let opts = ParseOptions {
            max_depth: 200_000,
            ..ParseOptions::default()
        };
        let doc = parse_document(&block, 1, &opts);
        assert!(doc.problems.is_empty());
        let mut depth = 0;
        let mut cur = doc.root.as_ref();
        while let Some(n) = cur {
            depth += 1;
            cur = n.as_seq().and_then(|s| s.first());
        }
        assert_eq!(depth, 100_001);
    }

    #[test]
    fn alias_expansion_respects_the_depth_limit() {
        let opts = ParseOptions {
            max_depth: 4,
            ..ParseOptions::default()
        };
        let doc = parse_document("a: &a [[[1]]]\nb: [*a]\n", 1, &opts);
        assert_eq!(rules(&doc), vec![InputRule::DepthLimit]);
    }

    #[test]
    fn syntax_errors_point_into_the_file() {
        let doc = parse_document("a: 1\nb: [1, 2\nc: 3\n", 7, &ParseOptions::default());
        assert!(doc.root.is_none());
        assert_eq!(rules(&doc), vec![InputRule::ParseError]);
        let pos = doc.problems[0].span.map(|s| s.start).expect("pos");
        assert!(pos.line >= 8, "{pos:?}");
    }

    #[test]
    fn unrendered_templates_are_recognised() {
        let doc = parse("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Values.name }}\n");
        assert_eq!(rules(&doc), vec![InputRule::UnrenderedTemplate]);
        assert_eq!(doc.problems[0].span.map(|s| s.start), Some(Pos::new(4, 9)));
        assert!(doc.problems[0]
            .hint
            .as_deref()
            .is_some_and(|h| h.contains("helm template")));

        let doc = parse("{{- if .Values.enabled }}\napiVersion: v1\nkind: Pod\n{{- end }}\n");
        assert_eq!(rules(&doc), vec![InputRule::UnrenderedTemplate]);

        // Valid YAML that merely contains `{{` in strings is fine.
        let doc =
            parse("name: \"{{ .Values.name }}\"\nargs: [\"{{x}}\"]\npath: apps/{{cluster}}\n");
        assert!(doc.problems.is_empty());
    }

    #[test]
    fn only_the_first_document_counts() {
        let doc = parse("a: 1\n...\nb: 2\n");
        assert_eq!(
            at(doc.root.as_ref().expect("root"), "a").value,
            Value::Int(1)
        );
        assert_eq!(rules(&doc), vec![InputRule::IgnoredContent]);
        assert_eq!(doc.problems[0].span.map(|s| s.start), Some(Pos::new(3, 1)));
        assert!(!doc.problems[0].rule.is_error());

        // Empty documents after `...` are not content.
        let doc = parse("a: 1\n...\n# comment\n...\n");
        assert!(doc.problems.is_empty());

        // What go-yaml never reads is not a syntax error either.
        let doc = parse("{a: 1}\n{b: 2}\n");
        assert_eq!(rules(&doc), vec![InputRule::IgnoredContent]);
        let doc = parse("a: 1\n...\nb: [\n");
        assert_eq!(rules(&doc), vec![InputRule::IgnoredContent]);
    }

    #[test]
    fn pretty_printed_json_list() {
        let text = r#"{
  "apiVersion": "v1",
  "kind": "List",
  "items": [
    {
      "apiVersion": "v1",
      "kind": "Pod",
      "metadata": {"name": "p", "labels": {"a": "b"}},
      "spec": {"containers": [{"name": "c", "securityContext": {"privileged": true, "runAsUser": 0.0}}]}
    }
  ]
}
"#;
        let r = root(text);
        assert_eq!(at(&r, "kind").value, Value::Str("List".into()));
        let c = at(&r, "items.0.spec.containers.0.securityContext");
        assert_eq!(at(c, "privileged").value, Value::Bool(true));
        assert_eq!(at(c, "runAsUser").value, Value::Float(0.0));
        assert_eq!(at(&r, "items.0.metadata.name").span, sp(8, 28, 8, 31));
        assert_eq!(r.span, sp(1, 1, 12, 2));
    }

    #[test]
    fn json_with_tabs() {
        let text = "{\n\t\"kind\":\t\"Pod\",\n\t\"spec\"\t: {\n\t\t\"hostPID\":\ttrue,\n\t\t\"name\": \"a\tb\"\n\t}\n}\n";
        let r = root(text);
        assert_eq!(at(&r, "spec.hostPID").value, Value::Bool(true));
        assert_eq!(at(&r, "spec.hostPID").span, sp(4, 14, 4, 18));
        // Tabs inside strings are content and are kept.
        assert_eq!(at(&r, "spec.name").value, Value::Str("a\tb".into()));
        let r = root("[\n\t{\"a\":\t1}\n]\n");
        assert_eq!(at(&r, "0.a").value, Value::Int(1));
    }

    #[test]
    fn a_tab_after_a_mapping_colon_is_white_space_as_in_go_yaml() {
        let r = root("a:\ttrue\nb:\t\tfalse\nc: {d:\t1}\n");
        assert_eq!(at(&r, "a").value, Value::Bool(true));
        assert_eq!(at(&r, "a").span, sp(1, 4, 1, 8));
        assert_eq!(at(&r, "b").value, Value::Bool(false));
        assert_eq!(at(&r, "b").span.start, Pos::new(2, 5));
        assert_eq!(at(&r, "c.d").value, Value::Int(1));
        // In a sequence entry, after a quoted key, with a comment.
        let r = root("- name: x\n  privileged:\tyes # on\n  \"q\":\t'v'\n");
        let item = &r.as_seq().unwrap()[0];
        assert_eq!(at(item, "privileged").value, Value::Bool(true));
        assert_eq!(at(item, "privileged").span.start, Pos::new(2, 15));
        assert_eq!(at(item, "q").value, Value::Str("v".into()));
    }

    #[test]
    fn tabs_inside_text_are_kept_when_tabs_after_colons_are_repaired() {
        let text = "a:\tb\ns: \"x:\ty\"\nl: |\n  k:\tv\nm: 'p:\tq'\n";
        let r = root(text);
        assert_eq!(at(&r, "a").value, Value::Str("b".into()));
        assert_eq!(at(&r, "s").value, Value::Str("x:\ty".into()));
        assert_eq!(at(&r, "l").value, Value::Str("k:\tv\n".into()));
        assert_eq!(at(&r, "m").value, Value::Str("p:\tq".into()));
        // Many of them are repaired in one pass, not one parse each.
        let many: String = (0..5000).map(|i| format!("k{i}:\t{i}\n")).collect();
        let r = root(&many);
        assert_eq!(at(&r, "k4999").value, Value::Int(4999));
    }

    #[test]
    fn a_tab_after_an_explicit_keys_colon_is_still_an_error() {
        // go-yaml takes a tab as white space only after a simple key's `:`.
        let doc = parse("? a\n:\tb\n");
        assert_eq!(rules(&doc), vec![InputRule::ParseError]);
    }

    #[test]
    fn yaml_with_tab_indentation_is_still_an_error() {
        let doc = parse("a:\n\tb: 1\n");
        assert_eq!(rules(&doc), vec![InputRule::ParseError]);
    }

    #[test]
    fn quoted_continuation_lines_at_the_key_column_are_accepted() {
        // go-yaml's emitter writes this; saphyr alone rejects it.
        let r = root("a:\n  k: 'x\n  y'\n  num: 1\n");
        assert_eq!(at(&r, "a.k").value, Value::Str("x y".into()));
        assert_eq!(at(&r, "a.k").span, sp(2, 6, 3, 5));
        assert_eq!(at(&r, "a.num").span, sp(4, 8, 4, 9));
        let r = root("- k: \"a \\\"b\\\"\n  c\"\n  m: 'it''s\n\n  ok'\n");
        assert_eq!(at(&r, "0.k").value, Value::Str("a \"b\" c".into()));
        assert_eq!(at(&r, "0.m").value, Value::Str("it's\nok".into()));
        let r = root("k: 'x\ny'\n");
        assert_eq!(at(&r, "k").value, Value::Str("x y".into()));
    }

    #[test]
    fn quoted_fallback_leaves_block_scalars_alone() {
        let r = root("script: |\n  k: 'a\n  b'\nmsg: 'x\ny'\nm2:\n  k: \"p\n  q\"\n");
        assert_eq!(at(&r, "script").value, Value::Str("k: 'a\nb'\n".into()));
        assert_eq!(at(&r, "msg").value, Value::Str("x y".into()));
        assert_eq!(at(&r, "m2.k").value, Value::Str("p q".into()));
    }

    #[test]
    fn many_go_yaml_style_quoted_scalars_parse_quickly() {
        let mut text = String::from("items:\n");
        for i in 0..2000 {
            text.push_str(&format!(
                "- name: n{i}\n  message: 'a long message that go-yaml folded\n    at eighty columns'\n  status:\n    reason: 'also\n    folded'\n"
            ));
        }
        let start = std::time::Instant::now();
        let r = root(&text);
        assert!(start.elapsed() < std::time::Duration::from_secs(10));
        assert_eq!(
            at(&r, "items.1999.status.reason").value,
            Value::Str("also folded".into())
        );
    }

    #[test]
    fn unfixable_quoted_scalars_still_report_the_error() {
        let doc = parse("a:\n  k: 'x\n");
        assert_eq!(rules(&doc), vec![InputRule::ParseError]);
    }

    #[test]
    fn deep_copy_is_iterative_and_faithful() {
        let r = root("a: &a {x: [1, {k: z}], w: 'q'}\n");
        let copy = deep_copy(at(&r, "a"), true);
        assert_eq!(
            copy.get("x").and_then(|x| x.as_seq()).map(<[Node]>::len),
            Some(2)
        );
        assert_eq!(at(&copy, "x.1.k").value, Value::Str("z".into()));
        assert_eq!(at(&copy, "w").style, ScalarStyle::SingleQuoted);
        assert!(at(&copy, "x.1.k").via_alias);
        // `y`/`n` keys are booleans too (YAML 1.1).
        let r = root("{y: 1, n: 2}");
        assert!(r.get("true").is_some() && r.get("false").is_some());
    }
}
