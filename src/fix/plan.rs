//! Field edits → text edits on one document, in the style of the text around them.
//!
//! * A value is replaced token for token: an anchor or tag in front of it stays, its quoting
//!   stays (a JSON string stays a JSON string).
//! * A missing field is inserted into the deepest mapping that exists, at its siblings'
//!   column: in a block mapping on a line of its own after the `name` entry (how people find a
//!   container), else after the last one-line entry, else before the first key; in a flow mapping (JSON included) after the last
//!   entry, with keys quoted as the neighbours are.
//! * A removed entry or item takes its lines with it when it has them to itself; otherwise
//!   only its text and one separator go.
//! * Block scalars (`|`, `>`), multi-line plain scalars and anything else without one obvious
//!   textual form are refused with a reason: the fix is then left to a person.
//!
//! Every text edit has an *identity*: the span of the node (or mapping key) it changes. Nodes
//! copied by an alias or merge key keep the spans of the anchored text, so the number of tree
//! nodes with that span is the number of users of the text; the caller applies the edit only
//! when every user asks for it.

use crate::manifest::{Entry, Node, ScalarStyle};
use crate::model::diagnostic::{EditOp, FieldEdit};
use crate::model::field::Segment;
use crate::model::source::{byte_of_col, LineIndex, Pos, Span};

use super::edit::TextEdit;

/// One document's text and tree.
pub struct Doc<'a> {
    /// The whole file's text (BOM stripped): spans are in file coordinates.
    pub text: &'a str,
    pub index: &'a LineIndex,
    pub root: &'a Node,
    /// The document is JSON (its first character is `{` or `[`): keys and strings are quoted.
    pub json: bool,
    /// The line break the file uses.
    pub eol: &'a str,
    /// Spaces per indentation level of the document.
    pub step: usize,
}

/// The text edits for one field edit, and the span whose users must all agree.
#[derive(Debug, Clone)]
pub struct Planned {
    pub edits: Vec<TextEdit>,
    pub identity: Identity,
    /// The path of the node that `identity` belongs to (the user of the text); set by
    /// [`plan`].
    pub user: String,
}

type Result<T> = std::result::Result<T, String>;

/// A span and what it is the span of ([`KEY`] or [`kind`] of a node): a one-item list and its
/// item may share a span, a copy made by an alias has both the same.
pub type Identity = (Span, u8);

/// The [`Identity`] kind of a mapping key.
pub const KEY: u8 = 0;

/// The [`Identity`] kind of a node: 1 mapping, 2 list, 3 scalar or null.
pub fn kind(node: &Node) -> u8 {
    if node.as_map().is_some() {
        1
    } else if node.as_seq().is_some() {
        2
    } else {
        3
    }
}

/// One step on the way down a field path.
#[derive(Clone, Copy)]
struct Step<'n> {
    node: &'n Node,
    /// The entry whose value `node` is, when it is a mapping value.
    entry: Option<&'n Entry>,
}

impl<'a> Doc<'a> {
    /// Byte offset of a position.
    fn offset(&self, p: Pos) -> usize {
        let start = self.index.line_start(p.line).unwrap_or(self.text.len());
        let line = self.index.line_text(self.text, p.line).unwrap_or("");
        start + byte_of_col(line, p.col)
    }

    fn line_text(&self, line: u32) -> &'a str {
        self.index.line_text(self.text, line).unwrap_or("")
    }

    /// Byte offset of the end of `line`'s text (before its line break).
    fn line_end(&self, line: u32) -> usize {
        self.index.line_start(line).unwrap_or(self.text.len()) + self.line_text(line).len()
    }

    /// Byte offset of the start of the line after `line` (the end of the text at the end).
    fn next_line_start(&self, line: u32) -> usize {
        self.index.line_start(line + 1).unwrap_or(self.text.len())
    }

    fn slice(&self, span: Span) -> &'a str {
        let (s, e) = (self.offset(span.start), self.offset(span.end));
        self.text.get(s..e.max(s)).unwrap_or("")
    }

    /// Whether the rest of the line after `offset` is blank or a comment.
    fn rest_is_blank(&self, offset: usize) -> bool {
        let end = self.text[offset..]
            .find('\n')
            .map_or(self.text.len(), |i| offset + i);
        let rest = self.text[offset..end].trim();
        rest.is_empty() || rest.starts_with('#')
    }

    /// The text of the line before `offset` on its line.
    fn before_on_line(&self, offset: usize) -> &'a str {
        let start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        &self.text[start..offset]
    }

    /// The last non-blank character before `offset`, across lines (comments are not skipped:
    /// collections are told apart by their first token, which no comment precedes on a line).
    fn prev_char(&self, offset: usize) -> Option<char> {
        self.text[..offset].trim_end().chars().next_back()
    }

    /// The token of a scalar node: its span without an anchor or tag in front.
    fn token(&self, node: &Node) -> Result<(usize, usize)> {
        let (mut s, e) = (self.offset(node.span.start), self.offset(node.span.end));
        if e < s || node.span.start.line != node.span.end.line {
            return Err("the value spans several lines".to_string());
        }
        while matches!(self.text[s..e].chars().next(), Some('&' | '!')) {
            if self.text[s..e].starts_with('&') {
                return Err("the value carries an anchor that other fields may use".to_string());
            }
            let skip = self.text[s..e]
                .find(char::is_whitespace)
                .ok_or("the value has a tag but no text")?;
            s += skip;
            s += self.text[s..e].len() - self.text[s..e].trim_start().len();
        }
        if self.text[s..e].starts_with('*') {
            // An alias as the value: replacing the reference changes only this field.
            return Ok((s, e));
        }
        Ok((s, e))
    }

    /// Whether `map` (a mapping node) is written in flow style.
    fn map_is_flow(&self, map: &Node, entries: &[&Entry]) -> bool {
        match entries.first() {
            Some(e) => matches!(
                self.prev_char(self.offset(e.key_span.start)),
                Some('{' | ',')
            ),
            None => self.collection_text(map).starts_with('{'),
        }
    }

    fn seq_is_flow(&self, seq: &Node) -> bool {
        match seq.as_seq().and_then(|s| s.first()) {
            Some(first) => {
                matches!(
                    self.prev_char(self.offset(first.span.start)),
                    Some('[' | ',')
                )
            }
            None => self.collection_text(seq).starts_with('['),
        }
    }

    /// A collection's text without the anchor or tag in front.
    fn collection_text(&self, node: &Node) -> &'a str {
        let mut t = self.slice(node.span);
        while t.starts_with('&') || t.starts_with('!') {
            t = t
                .find(char::is_whitespace)
                .map_or("", |i| t[i..].trim_start());
        }
        t
    }

    /// The entries of `map` written in its own text (a merge key's entries live in the
    /// anchored text); all of them when the mapping is an alias (they are the anchor's).
    fn own_entries<'n>(&self, map: &'n Node) -> Vec<&'n Entry> {
        let Some(m) = map.as_map() else {
            return Vec::new();
        };
        if self.slice(map.span).starts_with('*') {
            return m.entries.iter().collect();
        }
        m.entries
            .iter()
            .filter(|e| e.key_span.start >= map.span.start && e.key_span.end <= map.span.end)
            .collect()
    }

    fn key_text(&self, key: &str, quoted: bool) -> String {
        if quoted || self.json || !plain_safe(key) {
            serde_json::to_string(key).unwrap_or_default()
        } else {
            key.to_string()
        }
    }

    /// A scalar as it should be written: booleans plain, strings quoted as `like` was (always
    /// in JSON), plain when that reads the same.
    fn scalar_text(&self, value: &str, like: Option<ScalarStyle>) -> String {
        if matches!(value, "true" | "false") || value.starts_with('[') || value == "{}" {
            return value.to_string();
        }
        match like {
            _ if self.json => serde_json::to_string(value).unwrap_or_default(),
            Some(ScalarStyle::DoubleQuoted) => serde_json::to_string(value).unwrap_or_default(),
            Some(ScalarStyle::SingleQuoted) => format!("'{}'", value.replace('\'', "''")),
            _ if plain_safe(value) => value.to_string(),
            _ => serde_json::to_string(value).unwrap_or_default(),
        }
    }

    /// A flow list of `items` (`[ALL]`, `["ALL"]` in JSON).
    fn flow_list(&self, items: &[String]) -> String {
        let items: Vec<String> = items.iter().map(|i| self.scalar_text(i, None)).collect();
        format!("[{}]", items.join(", "))
    }

    /// `k1: {k2: value}` (flow) for nested missing keys.
    fn flow_entry(&self, keys: &[String], value: &str, quoted: bool) -> String {
        let mut out = String::new();
        for (i, k) in keys.iter().enumerate() {
            if i > 0 {
                out.push('{');
            }
            out.push_str(&self.key_text(k, quoted));
            out.push_str(": ");
        }
        out.push_str(value);
        for _ in 1..keys.len() {
            out.push('}');
        }
        out
    }

    /// Block lines `k1:` / `  k2: value`, the first at column `col`.
    fn block_lines(&self, keys: &[String], value: &str, col: usize) -> Vec<String> {
        keys.iter()
            .enumerate()
            .map(|(i, k)| {
                let pad = " ".repeat(col.saturating_sub(1) + i * self.step);
                let key = self.key_text(k, false);
                if i + 1 == keys.len() {
                    format!("{pad}{key}: {value}")
                } else {
                    format!("{pad}{key}:")
                }
            })
            .collect()
    }
}

/// A string that reads as itself when written plain (no YAML 1.1 surprise, no indicator).
fn plain_safe(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
        && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null"
        )
}

/// Walks `edit.path` as far as the tree goes.
fn walk<'n>(root: &'n Node, segs: &[Segment]) -> Vec<Step<'n>> {
    let mut steps = vec![Step {
        node: root,
        entry: None,
    }];
    for seg in segs {
        let cur = steps[steps.len() - 1].node;
        let next = match seg {
            Segment::Key(k) => cur.as_map().and_then(|m| m.entry(k)).map(|e| Step {
                node: &e.value,
                entry: Some(e),
            }),
            Segment::Index(i) => cur.as_seq().and_then(|s| s.get(*i)).map(|n| Step {
                node: n,
                entry: None,
            }),
        };
        match next {
            Some(s) => steps.push(s),
            None => break,
        }
    }
    steps
}

/// The text edits for `edit` in `doc`.
pub fn plan(doc: &Doc<'_>, edit: &FieldEdit) -> Result<Planned> {
    let segs = edit.path.segments();
    let steps = walk(doc.root, segs);
    let mut planned = plan_steps(doc, edit, &steps)?;
    // The user: the deepest node on the path that holds the identity span.
    let (span, k) = planned.identity;
    let holds = |s: &Step<'_>| {
        if k == KEY {
            s.entry.is_some_and(|e| e.key_span == span)
                || s.node
                    .as_map()
                    .is_some_and(|m| m.entries.iter().any(|e| e.key_span == span))
        } else {
            s.node.span == span && kind(s.node) == k
        }
    };
    let depth = steps.iter().rposition(holds).unwrap_or(steps.len() - 1);
    planned.user = crate::model::field::FieldPath(segs[..depth].to_vec()).to_string();
    Ok(planned)
}

fn plan_steps(doc: &Doc<'_>, edit: &FieldEdit, steps: &[Step<'_>]) -> Result<Planned> {
    let segs = edit.path.segments();
    let found = steps.len() - 1;
    let complete = found == segs.len();
    let last = steps[found];
    let steps = steps.to_vec();
    match &edit.op {
        EditOp::Set(v) if complete => set_value(doc, &steps, v),
        EditOp::Set(v) => insert_missing(doc, &steps, &segs[found..], &doc.scalar_text(v, None)),
        EditOp::AddItem(item) if complete => match last.node.as_seq() {
            Some(_) => append_item(doc, last.node, item),
            None if last.node.is_null() => {
                set_value(doc, &steps, &doc.flow_list(std::slice::from_ref(item)))
            }
            None => Err("the field is not a list".to_string()),
        },
        EditOp::AddItem(item) => {
            let list = doc.flow_list(std::slice::from_ref(item));
            insert_missing(doc, &steps, &segs[found..], &list)
        }
        EditOp::RemoveItems(items) if complete => remove_items(doc, &steps, items),
        EditOp::Remove | EditOp::RemoveItems(_) if !complete => {
            Err("the field is already absent".to_string())
        }
        EditOp::Remove => remove(doc, &steps),
        EditOp::ReplaceEntry { key, value } if complete => replace_entry(doc, &steps, key, value),
        EditOp::ReplaceEntry { .. } => Err("the field is already absent".to_string()),
        EditOp::RemoveItems(_) => unreachable!("handled above"),
    }
}

/// Replaces the scalar (or null) at the end of a complete path.
fn set_value(doc: &Doc<'_>, steps: &[Step<'_>], value: &str) -> Result<Planned> {
    let last = steps[steps.len() - 1];
    let node = last.node;
    if node.as_map().is_some() || node.as_seq().is_some() {
        return Err("the field holds a collection, not a value".to_string());
    }
    if matches!(node.style, ScalarStyle::Literal | ScalarStyle::Folded) {
        return Err("the value is a block scalar".to_string());
    }
    let text = if value.starts_with('[') {
        value.to_string()
    } else {
        doc.scalar_text(value, Some(node.style))
    };
    if node.is_null() && node.span.start == node.span.end {
        // `key:` with nothing after it: the value goes after the colon.
        let entry = last.entry.ok_or("the value has no key")?;
        let colon = colon_after(doc, entry)?;
        return Ok(Planned {
            edits: vec![TextEdit::insert(colon + 1, format!(" {text}"))],
            identity: (node.span, kind(node)),
            user: String::new(),
        });
    }
    let (s, e) = doc.token(node)?;
    Ok(Planned {
        edits: vec![TextEdit::replace(s, e, text)],
        identity: (node.span, kind(node)),
        user: String::new(),
    })
}

/// The byte offset of the `:` after `entry`'s key.
fn colon_after(doc: &Doc<'_>, entry: &Entry) -> Result<usize> {
    let from = doc.offset(entry.key_span.end);
    let rest = &doc.text[from..];
    let skipped = rest.len() - rest.trim_start_matches([' ', '\t', '"', '\'']).len();
    if rest[skipped..].starts_with(':') {
        Ok(from + skipped)
    } else {
        Err("the key's colon is not where it should be".to_string())
    }
}

/// Inserts the missing keys `missing` (with `value` at the end) under the deepest existing
/// node.
fn insert_missing(
    doc: &Doc<'_>,
    steps: &[Step<'_>],
    missing: &[Segment],
    value: &str,
) -> Result<Planned> {
    let keys: Vec<String> = missing
        .iter()
        .map(|s| match s {
            Segment::Key(k) => Ok(k.clone()),
            Segment::Index(_) => Err("a missing list item cannot be made up".to_string()),
        })
        .collect::<Result<_>>()?;
    let last = steps[steps.len() - 1];
    let node = last.node;
    if node.as_map().is_some() {
        return insert_into_map(doc, node, &keys, value);
    }
    if !node.is_null() {
        return Err(format!(
            "the field's parent holds a {}, not an object",
            node.type_name()
        ));
    }
    // `securityContext:` (null): the keys go under it.
    let entry = last.entry.ok_or("the missing field's parent has no key")?;
    let parent = steps[steps.len() - 2].node;
    let siblings = doc.own_entries(parent);
    if doc.map_is_flow(parent, &siblings) {
        if node.span.start == node.span.end {
            return Err("the empty value in a flow mapping has no text to replace".to_string());
        }
        let (s, e) = doc.token(node)?;
        let quoted = doc.slice(entry.key_span).starts_with('"');
        return Ok(Planned {
            edits: vec![TextEdit::replace(
                s,
                e,
                format!("{{{}}}", doc.flow_entry(&keys, value, quoted)),
            )],
            identity: (node.span, kind(node)),
            user: String::new(),
        });
    }
    let col = entry.key_span.start.col as usize + doc.step;
    let block = doc.block_lines(&keys, value, col).join(doc.eol);
    let colon = colon_after(doc, entry)?;
    let end = if node.span.start == node.span.end {
        colon + 1
    } else {
        doc.token(node)?.1
    };
    Ok(Planned {
        edits: vec![TextEdit::replace(
            colon + 1,
            end,
            format!("{}{block}", doc.eol),
        )],
        identity: (node.span, kind(node)),
        user: String::new(),
    })
}

fn insert_into_map(doc: &Doc<'_>, map: &Node, keys: &[String], value: &str) -> Result<Planned> {
    let entries = doc.own_entries(map);
    let identity = entries.first().map_or((map.span, 1), |e| (e.key_span, KEY));
    if doc.map_is_flow(map, &entries) {
        let quoted = entries
            .first()
            .is_some_and(|e| doc.slice(e.key_span).starts_with('"'));
        let entry = doc.flow_entry(keys, value, quoted);
        let Some(last) = entries.last() else {
            // `{}`: the entry goes between the braces.
            let t = doc.collection_text(map);
            if t.trim() != "{}" {
                return Err("the empty mapping is not written `{}`".to_string());
            }
            let e = doc.offset(map.span.end);
            let s = e - t.len();
            return Ok(Planned {
                edits: vec![TextEdit::replace(s, e, format!("{{{entry}}}"))],
                identity,
                user: String::new(),
            });
        };
        let end = doc.offset(last.value.span.end);
        if !doc.text[end..].trim_start().starts_with('}') {
            return Err("the flow mapping does not end after its last entry".to_string());
        }
        let sep = if last.key_span.start.line > map.span.start.line
            && doc
                .before_on_line(doc.offset(last.key_span.start))
                .trim()
                .is_empty()
        {
            // One entry per line (pretty JSON): a line of its own at the same column.
            let pad = doc.before_on_line(doc.offset(last.key_span.start));
            format!(",{}{pad}", doc.eol)
        } else {
            ", ".to_string()
        };
        return Ok(Planned {
            edits: vec![TextEdit::insert(end, format!("{sep}{entry}"))],
            identity,
            user: String::new(),
        });
    }
    let first = entries
        .first()
        .ok_or("the mapping has no entry of its own to place the field by")?;
    let col = first.key_span.start.col as usize;
    let lines = doc.block_lines(keys, value, col);
    // After the `name` entry when it is a one-line `name: value` (how people find a
    // container), else after the last entry when it is one line.
    let one_line = |e: &Entry| {
        let v = &e.value;
        v.as_map().is_none()
            && v.as_seq().is_none()
            && v.span.end.line == e.key_span.start.line
            && !matches!(v.style, ScalarStyle::Literal | ScalarStyle::Folded)
            && doc.rest_is_blank(doc.offset(v.span.end))
    };
    let after = match entries.iter().find(|e| e.key == "name") {
        Some(name) => Some(name),
        None => entries.iter().rev().find(|e| one_line(e)),
    };
    if let Some(name) = after {
        let v = &name.value;
        if one_line(name) {
            let at = doc.line_end(v.span.end.line);
            return Ok(Planned {
                edits: vec![TextEdit::insert(
                    at,
                    format!("{}{}", doc.eol, lines.join(doc.eol)),
                )],
                identity,
                user: String::new(),
            });
        }
    }
    // Else before the first key, which starts its line or follows a `- `.
    let at = doc.offset(first.key_span.start);
    let before = doc.before_on_line(at);
    if !before.trim_start_matches([' ', '-']).is_empty() || before.contains('\t') {
        return Err("the mapping's first key does not start a line".to_string());
    }
    let pad = " ".repeat(col - 1);
    let text = format!("{}{}{pad}", lines.join(doc.eol).trim_start(), doc.eol);
    Ok(Planned {
        edits: vec![TextEdit::insert(at, text)],
        identity,
        user: String::new(),
    })
}

fn append_item(doc: &Doc<'_>, seq: &Node, item: &str) -> Result<Planned> {
    let items = seq.as_seq().unwrap_or(&[]);
    let text = doc.scalar_text(item, items.first().map(|n| n.style));
    if doc.seq_is_flow(seq) {
        let Some(last) = items.last() else {
            let t = doc.collection_text(seq);
            if t.trim() != "[]" {
                return Err("the empty list is not written `[]`".to_string());
            }
            let e = doc.offset(seq.span.end);
            return Ok(Planned {
                edits: vec![TextEdit::replace(e - t.len(), e, format!("[{text}]"))],
                identity: (seq.span, 2),
                user: String::new(),
            });
        };
        let end = doc.offset(last.span.end);
        if !doc.text[end..].trim_start().starts_with(']') {
            return Err("the flow list does not end after its last item".to_string());
        }
        return Ok(Planned {
            edits: vec![TextEdit::insert(end, format!(", {text}"))],
            identity: (seq.span, 2),
            user: String::new(),
        });
    }
    let last = items.last().ok_or("the list is empty")?;
    let start = doc.offset(last.span.start);
    let before = doc.before_on_line(start);
    let dash = before.trim_end();
    if !dash.ends_with('-') || !dash[..dash.len() - 1].trim().is_empty() {
        return Err("the list's last item does not start its line".to_string());
    }
    let end = doc.offset(last.span.end);
    if !doc.rest_is_blank(end) {
        return Err("the list's last item shares its line".to_string());
    }
    let at = doc.line_end(last.span.end.line);
    Ok(Planned {
        edits: vec![TextEdit::insert(at, format!("{}{dash} {text}", doc.eol))],
        identity: (seq.span, 2),
        user: String::new(),
    })
}

fn remove_items(doc: &Doc<'_>, steps: &[Step<'_>], items: &[String]) -> Result<Planned> {
    let seq_node = steps[steps.len() - 1].node;
    let seq = seq_node.as_seq().ok_or("the field is not a list")?;
    let gone: Vec<usize> = (0..seq.len())
        .filter(|&i| {
            seq[i]
                .as_str()
                .is_some_and(|s| items.iter().any(|x| x == s))
        })
        .collect();
    if gone.is_empty() {
        return Err("the list holds none of the items".to_string());
    }
    if gone.len() == seq.len() {
        // Nothing left: the whole entry goes.
        return remove(doc, steps);
    }
    let flow = doc.seq_is_flow(seq_node);
    let mut edits = Vec::new();
    for &i in &gone {
        let (s, e) = if flow {
            flow_removal(doc, seq.iter().map(|n| (n.span, n.span)).collect(), i)?
        } else {
            block_item_removal(doc, &seq[i])?
        };
        edits.push(TextEdit::replace(s, e, ""));
    }
    // Neighbouring removals in a flow list overlap on their separators: merge them.
    edits.sort();
    let mut merged: Vec<TextEdit> = Vec::new();
    for e in edits {
        match merged.last_mut() {
            Some(m) if e.start <= m.end => m.end = m.end.max(e.end),
            _ => merged.push(e),
        }
    }
    Ok(Planned {
        edits: merged,
        identity: (seq_node.span, 2),
        user: String::new(),
    })
}

/// The bytes to delete to take item `i` (spans `(start, end)` of each item or entry) out of
/// a flow collection, with one separator.
fn flow_removal(doc: &Doc<'_>, spans: Vec<(Span, Span)>, i: usize) -> Result<(usize, usize)> {
    let (s, e) = (doc.offset(spans[i].0.start), doc.offset(spans[i].1.end));
    if spans.len() == 1 {
        return Ok((s, e));
    }
    if i + 1 < spans.len() {
        Ok((s, doc.offset(spans[i + 1].0.start)))
    } else {
        Ok((doc.offset(spans[i - 1].1.end), e))
    }
}

/// The bytes to delete to take a block list item out: its lines when it has them alone.
fn block_item_removal(doc: &Doc<'_>, item: &Node) -> Result<(usize, usize)> {
    let start = doc.offset(item.span.start);
    let before = doc.before_on_line(start).trim_end();
    if !before.ends_with('-') || !before[..before.len() - 1].trim().is_empty() {
        return Err("the list item does not start its line".to_string());
    }
    let end = doc.offset(item.span.end);
    if !doc.rest_is_blank(end) {
        return Err("the list item shares its last line".to_string());
    }
    Ok((
        start - doc.before_on_line(start).len(),
        doc.next_line_start(item.span.end.line),
    ))
}

/// Removes the entry or list item at the end of a complete path.
fn remove(doc: &Doc<'_>, steps: &[Step<'_>]) -> Result<Planned> {
    let last = steps[steps.len() - 1];
    let parent = steps
        .get(steps.len().wrapping_sub(2))
        .ok_or("the document itself cannot be removed")?;
    match last.entry {
        Some(entry) => {
            let (s, e) = entry_removal(doc, parent.node, entry)?;
            let siblings = doc.own_entries(parent.node);
            // A block mapping left without entries becomes `{}`, not null.
            let text = if siblings.len() == 1 && !doc.map_is_flow(parent.node, &siblings) {
                "{}"
            } else {
                ""
            };
            Ok(Planned {
                edits: vec![TextEdit::replace(s, e, text)],
                identity: (entry.key_span, KEY),
                user: String::new(),
            })
        }
        None => {
            let seq_node = parent.node;
            let seq = seq_node
                .as_seq()
                .ok_or("the field's parent is not a list")?;
            let i = seq
                .iter()
                .position(|n| std::ptr::eq(n, last.node))
                .ok_or("the list item was not found")?;
            let (s, e) = if doc.seq_is_flow(seq_node) {
                flow_removal(doc, seq.iter().map(|n| (n.span, n.span)).collect(), i)?
            } else if seq.len() == 1 && parent.entry.is_some() {
                // The list's only item: the list's entry goes.
                return remove(doc, &steps[..steps.len() - 1]);
            } else {
                block_item_removal(doc, last.node)?
            };
            Ok(Planned {
                edits: vec![TextEdit::replace(s, e, "")],
                identity: (last.node.span, kind(last.node)),
                user: String::new(),
            })
        }
    }
}

/// The bytes to delete to take `entry` out of `map`; the caller writes `{}` in their place
/// when it is the only entry.
fn entry_removal(doc: &Doc<'_>, map: &Node, entry: &Entry) -> Result<(usize, usize)> {
    let entries = doc.own_entries(map);
    let i = entries
        .iter()
        .position(|e| std::ptr::eq(*e, entry))
        .ok_or("the field comes from a merge key")?;
    if matches!(
        entry.value.style,
        ScalarStyle::Literal | ScalarStyle::Folded
    ) {
        return Err("the value is a block scalar".to_string());
    }
    let s = doc.offset(entry.key_span.start);
    let e = doc.offset(entry.value.span.end.max(entry.key_span.end));
    if doc.map_is_flow(map, &entries) {
        let spans = entries.iter().map(|x| (x.key_span, x.value.span)).collect();
        return flow_removal(doc, spans, i);
    }
    if entries.len() == 1 {
        return Ok((s, e));
    }
    let before = doc.before_on_line(s);
    if !doc.rest_is_blank(e) {
        return Err("the entry shares its last line".to_string());
    }
    if before.trim().is_empty() {
        // The entry's lines go.
        let end_line = entry.value.span.end.line.max(entry.key_span.end.line);
        return Ok((s - before.len(), doc.next_line_start(end_line)));
    }
    if before.trim_start_matches([' ', '-']).is_empty() {
        // First entry of a list item (`- hostPort: 1`): the next entry moves up to the dash.
        let next = entries
            .get(i + 1)
            .ok_or("the entry is the item's only one")?;
        return Ok((s, doc.offset(next.key_span.start)));
    }
    Err("the entry does not start its line".to_string())
}

/// Replaces the entry at the end of a complete path with `key: value`.
fn replace_entry(doc: &Doc<'_>, steps: &[Step<'_>], key: &str, value: &str) -> Result<Planned> {
    let entry = steps[steps.len() - 1]
        .entry
        .ok_or("the field is not a mapping entry")?;
    let parent = steps[steps.len() - 2].node;
    if !doc
        .own_entries(parent)
        .iter()
        .any(|e| std::ptr::eq(*e, entry))
    {
        return Err("the field comes from a merge key".to_string());
    }
    let s = doc.offset(entry.key_span.start);
    let e = doc.offset(entry.value.span.end.max(entry.key_span.end));
    if !doc.rest_is_blank(e) && !doc.map_is_flow(parent, &doc.own_entries(parent)) {
        return Err("the entry shares its last line".to_string());
    }
    let quoted = doc.slice(entry.key_span).starts_with('"');
    Ok(Planned {
        edits: vec![TextEdit::replace(
            s,
            e,
            format!("{}: {value}", doc.key_text(key, quoted)),
        )],
        identity: (entry.key_span, KEY),
        user: String::new(),
    })
}
