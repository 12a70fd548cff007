//! The fast path: recognising, without building a tree, documents whose full parse would
//! report nothing and yield no object the pipeline needs to look inside (a ConfigMap, a Secret,
//! a CRD with a 1 MB schema, a Service).
//!
//! [`skim`] runs the same `saphyr-parser` event stream over the same text that
//! [`parse_document`](super::yaml::parse_document) builds its tree from, but keeps only a
//! stack of open collections and a hash of each mapping's keys. It answers
//! [`Skim::Skip`] only when it can prove what the full path would produce; anything else is
//! [`Skim::Parse`] and the caller parses as usual.
//!
//! # Why a skipped document loses nothing
//!
//! For a chunk of text, the full path produces (a) the problems of `parse_document`, (b) a root
//! node, and from it (c) the objects of [`objects`](super::object::objects), of which the
//! pipeline reads more than the identity only for kinds that `needs_tree` selects (pod-template
//! kinds, Namespaces). `Skip` is returned only when every event of the stream has been seen and:
//!
//! * **no scan error** occurred. `parse_document` feeds its builder the same events from the
//!   same parser over the same text, so its first attempt succeeds and none of its retries
//!   (quoted-scalar re-indentation, JSON tab replacement: both only run after an error)
//!   happen. This also rules out `parse-error`, `unrendered-template` from syntax errors,
//!   saphyr's flow-depth `depth-limit`, and `ignored-content` caused by an error after the
//!   first document;
//! * **exactly one document**: a second `DocumentStart` (content after `...`) falls back, so
//!   `ignored-content` cannot be missed;
//! * **no anchor, alias or tag** on any node: no alias expansion (`alias-limit`, recursive or
//!   unknown aliases), no tagged resolution (`!!int abc`), no tag-dependent merge keys;
//! * **no plain `<<` key**: no merge (whose value errors are `parse-error`);
//! * **every mapping key is a scalar** whose string form (computed by the builder's own
//!   functions: [`resolve_plain_typed`] then [`key_string`]) exists, so no
//!   `unencodable-value` key and no `{{ … }}`-as-key `unrendered-template`;
//! * **no two keys of one mapping hash alike** at any depth. Without merges every key is an
//!   explicit key, and the builder reports `duplicate-key` exactly when a mapping repeats a key
//!   string; equal strings hash alike, so no duplicate goes unseen (a mere hash collision only
//!   costs a full parse);
//! * **no plain value resolves to a non-finite float** (`.inf`, `.nan`: `unencodable-value`),
//!   checked with the builder's own resolver;
//! * **nesting stays below [`ParseOptions::max_depth`]** (the builder's `depth-limit`).
//!
//! Those are all the problems the builder can record, so the full parse would report none.
//! Its root would be a mapping (the skim insists on one; empty, scalar and sequence roots fall
//! back). [`objects`](super::object::objects) reads only the root's `apiVersion`, `kind` and,
//! for objects, `items`: the skim records the top-level values of the first two exactly as
//! the builder would resolve them, falls back when either is a collection or `items` is
//! present, and reports whether they form an object (both non-empty strings). Finally the
//! skim falls back as soon as a top-level `kind` is a string that `needs_tree` accepts, so a
//! skipped document is never one the pipeline would look inside. Nor one that may hold a pod
//! template of a kind nobody named (reported as `unchecked-pod-template`): a `containers` key
//! whose value is a sequence, at any depth, falls back too.

use std::borrow::Cow;

use saphyr_parser::{Event, Parser, ScalarStyle};

use super::node::Value;
use super::resolve::{key_string, resolve_plain_typed};
use super::yaml::ParseOptions;

/// What the fast path concluded about one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skim {
    /// Build the tree: the skim could not prove the outcome (or the document needs it).
    Parse,
    /// The full parse would report no problem and yield a mapping root that is one object
    /// (`object`) or none, of a kind `needs_tree` rejects.
    Skip { object: bool },
}

/// Mappings with more keys than this get a hash set instead of a linear scan.
const SET_THRESHOLD: usize = 32;

/// An open collection.
struct Frame {
    /// `None` for a sequence.
    map: Option<MapKeys>,
}

struct MapKeys {
    /// Whether the next node is a key (rather than the value of the previous key).
    expect_key: bool,
    /// Where this mapping's key hashes start in the shared [`Skimmer::keys`] stack.
    start: usize,
    /// For large mappings, the same hashes in a set.
    set: Option<std::collections::HashSet<u64>>,
    /// The last key of the root mapping, when it matters (`apiVersion`, `kind`).
    root_key: Option<RootKey>,
    /// Whether the last key was `containers` (its value may make a pod template).
    containers_key: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum RootKey {
    ApiVersion,
    Kind,
    Other,
}

/// The outcome when a scan must stop early.
struct Fallback;

struct Skimmer<'n> {
    max_depth: usize,
    needs_tree: &'n dyn Fn(&str) -> bool,
    stack: Vec<Frame>,
    /// Key hashes of all open mappings, innermost last.
    keys: Vec<u64>,
    /// The root's `apiVersion` and `kind` as the tree would hold them: `Some(None)` when
    /// present but not a string.
    api_version: Option<Option<String>>,
    kind: Option<Option<String>>,
}

/// Whether `text` (one chunk) is provably an empty document: every line blank or a comment
/// (spaces, then `#` or nothing; a `\r` may end a line), and no character that the YAML 1.1
/// decoding treats specially (see [`super::yaml11::needs_care`]: libyaml rejects some
/// characters even in a comment). Such a document has no root and no problem when parsed in
/// full, so it yields nothing; a stream of millions of `---` lines costs no parse. Tabs,
/// directives, `...` and anything else are left to the parser.
pub fn is_empty_document(text: &str) -> bool {
    let mut rest = text.as_bytes();
    loop {
        let line_len = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        let line = &rest[..line_len];
        let content = line.iter().position(|&b| b != b' ').map(|i| &line[i..]);
        match content {
            None | Some(b"\r") => {}
            Some(c) if c[0] == b'#' => {}
            Some(_) => return false,
        }
        if line_len == rest.len() {
            break;
        }
        rest = &rest[line_len + 1..];
    }
    !super::yaml11::needs_care(text)
}

/// Decides whether `text` (one chunk) can skip the full parse. `needs_tree(kind)` names the
/// kinds whose tree the pipeline reads; it is asked about the root's `kind` string, whatever
/// its `apiVersion`.
pub fn skim(text: &str, opts: &ParseOptions, needs_tree: &dyn Fn(&str) -> bool) -> Skim {
    // Text that go-yaml reads differently from saphyr (YAML 1.1 line breaks, characters it
    // rejects, a leading `...`) gets the tree, which handles it.
    if super::yaml11::needs_care(text) {
        return Skim::Parse;
    }
    let mut s = Skimmer {
        max_depth: opts.max_depth,
        needs_tree,
        stack: Vec::new(),
        keys: Vec::new(),
        api_version: None,
        kind: None,
    };
    // A panic inside the parser is the full path's business (it reports it as a parse error).
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| s.run(text)))
        .unwrap_or(Err(Fallback))
        .unwrap_or(Skim::Parse)
}

impl Skimmer<'_> {
    fn run(&mut self, text: &str) -> Result<Skim, Fallback> {
        let mut parser = Parser::new_from_str(text);
        let mut documents = 0usize;
        let mut root_seen = false;
        while let Some(next) = parser.next_event() {
            let (event, _) = next.map_err(|_| Fallback)?;
            match event {
                Event::StreamStart | Event::Nothing | Event::DocumentEnd => {}
                Event::StreamEnd => break,
                Event::DocumentStart(_) => {
                    documents += 1;
                    if documents > 1 {
                        return Err(Fallback);
                    }
                }
                Event::Alias(_) => return Err(Fallback),
                Event::Scalar(value, style, anchor, tag) => {
                    if anchor != 0 || tag.is_some() || self.stack.is_empty() {
                        return Err(Fallback);
                    }
                    self.scalar(&value, style)?;
                }
                Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                    if anchor != 0 || tag.is_some() || self.stack.len() >= self.max_depth {
                        return Err(Fallback);
                    }
                    let is_map = matches!(event, Event::MappingStart(..));
                    if self.stack.is_empty() {
                        if root_seen || !is_map {
                            return Err(Fallback);
                        }
                        root_seen = true;
                    } else {
                        self.collection_in_parent(is_map)?;
                    }
                    self.stack.push(Frame {
                        map: is_map.then(|| MapKeys {
                            expect_key: true,
                            start: self.keys.len(),
                            set: None,
                            root_key: None,
                            containers_key: false,
                        }),
                    });
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    if let Some(Frame { map: Some(m) }) = self.stack.pop() {
                        self.keys.truncate(m.start);
                    }
                }
            }
        }
        if !root_seen || !self.stack.is_empty() {
            return Err(Fallback);
        }
        let object = match (&self.api_version, &self.kind) {
            (Some(Some(v)), Some(Some(k))) => super::object::is_api_object(v, k),
            _ => false,
        };
        Ok(Skim::Skip { object })
    }

    /// A collection (a mapping if `is_map`) opens inside the innermost open collection.
    fn collection_in_parent(&mut self, is_map: bool) -> Result<(), Fallback> {
        let depth = self.stack.len();
        let Some(Frame { map: Some(m) }) = self.stack.last_mut() else {
            return Ok(());
        };
        if m.expect_key {
            // A collection as a key: unencodable (or a `{{ }}` template); the builder decides.
            return Err(Fallback);
        }
        m.expect_key = true;
        if !is_map && m.containers_key {
            // A list under `containers`, at any depth: the document may hold a pod template
            // of a kind nobody named, which the pipeline must see (INTERFACES.md, perf).
            return Err(Fallback);
        }
        if depth == 1 && m.root_key.take().is_some_and(|k| k != RootKey::Other) {
            // `apiVersion` or `kind` is a collection: let `objects` judge the tree.
            return Err(Fallback);
        }
        Ok(())
    }

    fn scalar(&mut self, text: &str, style: ScalarStyle) -> Result<(), Fallback> {
        let depth = self.stack.len();
        let Some(Frame { map: Some(m) }) = self.stack.last_mut() else {
            // A sequence item: only its value matters.
            return check_value(text, style);
        };
        if !m.expect_key {
            m.expect_key = true;
            check_value(text, style)?;
            if depth == 1 {
                if let Some(key) = m.root_key.take().filter(|k| *k != RootKey::Other) {
                    let string = string_value(text, style);
                    if key == RootKey::Kind {
                        if string.as_deref().is_some_and(|k| (self.needs_tree)(k)) {
                            return Err(Fallback);
                        }
                        self.kind = Some(string);
                    } else {
                        self.api_version = Some(string);
                    }
                }
            }
            return Ok(());
        }
        m.expect_key = false;
        let key = key_text(text, style)?;
        let hash = hash_key(&key);
        let own = &self.keys[m.start..];
        let seen = match &mut m.set {
            Some(set) => !set.insert(hash),
            None => {
                let seen = own.contains(&hash);
                if !seen && own.len() >= SET_THRESHOLD {
                    let mut set: std::collections::HashSet<u64> = own.iter().copied().collect();
                    set.insert(hash);
                    m.set = Some(set);
                }
                seen
            }
        };
        if seen {
            // A duplicate key (or a hash collision): the builder reports the former.
            return Err(Fallback);
        }
        self.keys.push(hash);
        m.containers_key = key == "containers";
        if depth == 1 {
            m.root_key = Some(match key.as_ref() {
                "apiVersion" => RootKey::ApiVersion,
                "kind" => RootKey::Kind,
                // A list: `objects` flattens its items.
                "items" => return Err(Fallback),
                _ => RootKey::Other,
            });
        }
        Ok(())
    }
}

/// A value scalar is fine unless the builder would report it (`.inf`, `.nan`).
fn check_value(text: &str, style: ScalarStyle) -> Result<(), Fallback> {
    if style == ScalarStyle::Plain {
        if let Some(Value::Float(f)) = resolve_plain_typed(text) {
            if !f.is_finite() {
                return Err(Fallback);
            }
        }
    }
    Ok(())
}

/// The scalar's value as the builder stores it, when that is a string.
fn string_value(text: &str, style: ScalarStyle) -> Option<String> {
    if style != ScalarStyle::Plain {
        return Some(text.to_owned());
    }
    match resolve_plain_typed(text) {
        None => Some(text.to_owned()),
        Some(Value::Str(s)) => Some(s),
        Some(_) => None,
    }
}

/// The string key the builder would use for a scalar key, or a fallback where it would
/// report a problem (an unencodable key) or merge (`<<`).
fn key_text(text: &str, style: ScalarStyle) -> Result<Cow<'_, str>, Fallback> {
    if style != ScalarStyle::Plain {
        return Ok(Cow::Borrowed(text));
    }
    if text == "<<" {
        return Err(Fallback);
    }
    match resolve_plain_typed(text) {
        None => Ok(Cow::Borrowed(text)),
        Some(Value::Str(s)) => Ok(Cow::Owned(s)),
        Some(v) => key_string(&v).map(Cow::Owned).map_err(|_| Fallback),
    }
}

/// FNV-1a, 64 bits: keys are short, and a collision only costs a full parse.
fn hash_key(key: &str) -> u64 {
    key.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_documents_are_exactly_those_the_parser_finds_empty() {
        use crate::manifest::yaml::parse_document;
        let opts = ParseOptions::default();
        let cases = [
            ("", true),
            ("\n\n", true),
            ("# Source: c/t.yaml\n  # x\n\r\n", true),
            ("   \n#\n", true),
            ("a: 1\n", false),
            ("# c\nx\n", false),
            ("\t# tab\n", false),
            ("...\n", false),
            ("%YAML 1.1\n", false),
            ("# \u{1b}\n", false),
            ("# \u{85}\n", false),
            ("  - a\n", false),
        ];
        for (text, empty) in cases {
            assert_eq!(is_empty_document(text), empty, "{text:?}");
            if empty {
                let parsed = parse_document(text, 1, &opts);
                assert!(parsed.root.is_none(), "{text:?}");
                assert!(parsed.problems.is_empty(), "{text:?}");
            }
        }
    }
}
