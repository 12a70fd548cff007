//! The first pass: `Namespace` objects anywhere in the input, with their PSA labels, so that a
//! workload is judged by its namespace's labels whatever file, or order, they come in.
//!
//! The pass is cheap: a file (and then a document) is looked at only when its text contains
//! `Namespace`, or an escape that could spell a letter of it (`\x`, `\u`, `\U`, or a
//! backslash ending a line, which joins two lines of a double-quoted scalar); the fast path's
//! [`skim`] then settles documents of other kinds without building a tree, and only the rest
//! are parsed. Unreadable or undecodable files are skipped here; the second pass reports them.
//! (The run's pipeline, [`crate::lint`], folds this pass into its own skim of every document
//! and calls [`in_document`] only for the documents that skim could not settle.)

use std::collections::{BTreeSet, HashMap, HashSet};

use super::labels::{Label, KEYS};
use crate::manifest::object::objects;
use crate::manifest::skim::{skim, Skim};
use crate::manifest::split::{split_batches, Chunk};
use crate::manifest::yaml::{parse_document, ParseOptions};
use crate::manifest::{Node, Value};
use crate::workload::kinds::api_group;

/// A `Namespace` object seen in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedNamespace {
    pub name: String,
    pub file: String,
    pub line: u32,
    pub column: u32,
    /// Its PSA labels (only the six exact keys).
    pub labels: Vec<Label>,
}

/// The namespaces of a run, by name: for each, the first `Namespace` object (by file, then
/// position) that carries PSA labels.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NamespaceIndex {
    by_name: HashMap<String, ObservedNamespace>,
}

impl NamespaceIndex {
    pub fn from_observed(mut all: Vec<ObservedNamespace>) -> Self {
        all.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        let mut by_name = HashMap::new();
        for ns in all.into_iter().filter(|n| !n.labels.is_empty()) {
            by_name.entry(ns.name.clone()).or_insert(ns);
        }
        NamespaceIndex { by_name }
    }

    pub fn get(&self, name: &str) -> Option<&ObservedNamespace> {
        self.by_name.get(name)
    }

    pub fn iter(&self) -> impl Iterator<Item = &ObservedNamespace> {
        self.by_name.values()
    }

    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }
}

/// Whether text may hold a Namespace object (see the module docs). A `kind` of `Namespace`
/// (or `NamespaceList`) is spelled out in the text unless an escape sequence spells it.
pub fn may_hold_namespace(text: &str) -> bool {
    text.contains("Namespace") || may_escape_a_letter(text)
}

fn may_escape_a_letter(text: &str) -> bool {
    let b = text.as_bytes();
    text.match_indices('\\')
        .any(|(i, _)| matches!(b.get(i + 1), Some(b'x' | b'u' | b'U' | b'\n' | b'\r')))
}

/// The Namespace objects in one file's text.
pub fn in_text(file: &str, text: &str, parse: &ParseOptions) -> Vec<ObservedNamespace> {
    if !may_hold_namespace(text) {
        return Vec::new();
    }
    // In batches: memory must not grow with the number of documents.
    split_batches(text, crate::manifest::stream::WINDOW_DOCUMENTS)
        .flat_map(|(chunks, _)| in_chunks(file, &chunks, parse))
        .collect()
}

/// The Namespace objects in some documents of a file (a window of a streamed file, say).
pub fn in_chunks(file: &str, chunks: &[Chunk<'_>], parse: &ParseOptions) -> Vec<ObservedNamespace> {
    let mut out = Vec::new();
    let is_namespace_kind = |kind: &str| kind == "Namespace";
    for chunk in chunks.iter().filter(|c| may_hold_namespace(c.text)) {
        // Exact: a document skim settles is provably not a Namespace (nor a list).
        if let Skim::Skip { .. } = skim(chunk.text, parse, &is_namespace_kind) {
            continue;
        }
        out.extend(in_document(file, chunk, parse));
    }
    out
}

/// The Namespace objects of one document, from its tree (no pre-filter).
pub fn in_document(file: &str, chunk: &Chunk<'_>, parse: &ParseOptions) -> Vec<ObservedNamespace> {
    let doc = parse_document(chunk.text, chunk.start_line, parse);
    let Some(root) = doc.root else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (info, node) in objects(&root) {
        if !is_namespace(&info.api_version, &info.kind) || info.name.is_empty() {
            continue;
        }
        out.push(ObservedNamespace {
            labels: labels_of(&info.name, node, file),
            name: info.name,
            file: file.to_string(),
            line: node.span.start.line,
            column: node.span.start.col,
        });
    }
    out
}

/// Whether an object is a core `Namespace`.
pub fn is_namespace(api_version: &str, kind: &str) -> bool {
    kind == "Namespace" && api_group(api_version).is_empty()
}

/// The PSA labels of a Namespace object. A null value is the empty string (present and
/// invalid); a number or boolean is not a string, so invalid too.
pub fn labels_of(name: &str, node: &Node, file: &str) -> Vec<Label> {
    let Some(labels) = node
        .get("metadata")
        .and_then(|m| m.get("labels"))
        .and_then(Node::as_map)
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in labels.iter() {
        let Some(&(_, _, key)) = KEYS.iter().find(|(_, _, k)| *k == e.key) else {
            continue;
        };
        let (value, is_string) = match &e.value.value {
            Value::Str(s) => (s.clone(), true),
            Value::Null => (String::new(), true),
            Value::Bool(b) => (
                e.value
                    .raw
                    .as_deref()
                    .map_or_else(|| b.to_string(), str::to_string),
                false,
            ),
            Value::Int(i) => (
                e.value
                    .raw
                    .as_deref()
                    .map_or_else(|| i.to_string(), str::to_string),
                false,
            ),
            Value::Float(f) => (
                e.value
                    .raw
                    .as_deref()
                    .map_or_else(|| f.to_string(), str::to_string),
                false,
            ),
            Value::Seq(_) | Value::Map(_) => (e.value.type_name().to_string(), false),
        };
        let span = if e.value.is_null() {
            e.key_span
        } else {
            e.value.span
        };
        out.push(Label {
            key,
            value,
            is_string,
            span,
            source: format!(
                "label {key} on Namespace/{name} ({file}:{}:{})",
                e.key_span.start.line, e.key_span.start.col
            ),
        });
    }
    out
}

/// The Namespace objects of a run, with a `--cluster-snapshot`'s copies dropped where a manifest declares
/// the same namespace with Pod Security labels (the manifests are what is rolled out), and the
/// manifests' first.
pub fn rank_snapshots(
    found: Vec<ObservedNamespace>,
    snapshots: &BTreeSet<String>,
) -> Vec<ObservedNamespace> {
    if snapshots.is_empty() {
        return found;
    }
    let (manifests, cluster): (Vec<_>, Vec<_>) = found
        .into_iter()
        .partition(|n| !snapshots.contains(&n.file));
    let labelled: HashSet<&str> = manifests
        .iter()
        .filter(|n| !n.labels.is_empty())
        .map(|n| n.name.as_str())
        .collect();
    let cluster: Vec<ObservedNamespace> = cluster
        .into_iter()
        .filter(|n| !labelled.contains(n.name.as_str()))
        .collect();
    manifests.into_iter().chain(cluster).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_namespaces_in_streams_and_lists() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/enforce: baseline\n    pod-security.kubernetes.io/enforce-versions: v1.30\n    app: shop\n---\napiVersion: v1\nkind: NamespaceList\nitems:\n- metadata: {name: other, labels: {pod-security.kubernetes.io/warn: 3}}\n";
        let found = in_text("ns.yaml", text, &ParseOptions::default());
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].name, "shop");
        assert_eq!(found[0].labels.len(), 1, "typo keys are not labels");
        assert_eq!(found[0].labels[0].value, "baseline");
        assert_eq!(found[0].labels[0].span.start.line, 10);
        assert!(found[0].labels[0].source.contains("ns.yaml:10:5"));
        assert_eq!(found[1].name, "other");
        assert!(!found[1].labels[0].is_string);
    }

    #[test]
    fn text_without_the_word_is_not_parsed() {
        assert!(!may_hold_namespace("apiVersion: v1\nkind: Pod\n"));
        assert!(!may_hold_namespace("data: {re: \"^\\\\d+\\\\.\\\\s\"}\n"));
        assert!(may_hold_namespace("kind: \"Names\\x70ace\"\n"));
        assert!(may_hold_namespace("kind: \"Name\\\n  space\"\n"));
        let escaped = "apiVersion: v1\nkind: \"Names\\x70ace\"\nmetadata: {name: e, labels: {pod-security.kubernetes.io/enforce: baseline}}\n";
        assert_eq!(
            in_text("e.yaml", escaped, &ParseOptions::default()).len(),
            1
        );
    }

    #[test]
    fn the_first_labelled_object_wins() {
        let mk = |file: &str, line, labels: usize| ObservedNamespace {
            name: "n".into(),
            file: file.into(),
            line,
            column: 1,
            labels: (0..labels)
                .map(|_| Label {
                    key: KEYS[0].2,
                    value: file.into(),
                    is_string: true,
                    span: Default::default(),
                    source: String::new(),
                })
                .collect(),
        };
        let idx = NamespaceIndex::from_observed(vec![
            mk("b.yaml", 1, 1),
            mk("a.yaml", 9, 0),
            mk("a.yaml", 20, 1),
        ]);
        assert_eq!(idx.get("n").unwrap().file, "a.yaml");
        assert_eq!(idx.get("n").unwrap().line, 20);
    }

    fn ns(name: &str, file: &str, labelled: bool) -> ObservedNamespace {
        ObservedNamespace {
            name: name.into(),
            file: file.into(),
            line: 1,
            column: 1,
            labels: if labelled {
                vec![Label {
                    key: KEYS[0].2,
                    value: "baseline".into(),
                    is_string: true,
                    span: Default::default(),
                    source: String::new(),
                }]
            } else {
                Vec::new()
            },
        }
    }

    #[test]
    fn labelled_manifests_shadow_the_snapshot() {
        let snapshots = BTreeSet::from(["cluster.yaml".to_string()]);
        let ranked = rank_snapshots(
            vec![
                ns("shop", "cluster.yaml", true),
                ns("data", "cluster.yaml", true),
                ns("shop", "k8s/ns.yaml", true),
                ns("data", "k8s/ns.yaml", false),
            ],
            &snapshots,
        );
        let seen: Vec<(&str, &str)> = ranked
            .iter()
            .map(|n| (n.name.as_str(), n.file.as_str()))
            .collect();
        // `data` is declared without labels in the manifests: the cluster's labels still count.
        assert_eq!(
            seen,
            [
                ("shop", "k8s/ns.yaml"),
                ("data", "k8s/ns.yaml"),
                ("data", "cluster.yaml")
            ]
        );
    }
}
