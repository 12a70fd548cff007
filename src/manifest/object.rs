//! Kubernetes objects in a document: apiVersion, kind, name and namespace, with `*List`
//! documents flattened into their items the way kubectl does.
//!
//! kubectl decodes manifests as unstructured objects (`apimachinery`'s
//! `unstructuredJSONScheme`): a document needs string `apiVersion` and `kind`; one that has an
//! `items` key is decoded as a list, and kubectl applies its items instead of the list. Items
//! that have neither `kind` nor `apiVersion` inherit the list's kind without the `List` suffix
//! and the list's apiVersion (so a `PodList` of bare pod bodies is a list of Pods). Items of
//! nested lists (an item whose `items` is a sequence) are flattened too, without inheritance.
//! Documents that are not objects (Helm values, GitHub workflows, a bare string) yield nothing.

use super::node::Node;
use crate::model::field::FieldPath;

/// Nested lists deeper than this are not flattened further.
const MAX_LIST_NESTING: usize = 8;

/// Identity of one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    pub api_version: String,
    pub kind: String,
    /// `metadata.name`; for objects named by the server, `metadata.generateName` followed by
    /// `*` (`web-*`); empty when neither is set.
    pub name: String,
    pub namespace: Option<String>,
    /// Where the object sits in its document: empty for a top-level object, `items[3]` for
    /// a list item.
    pub path: FieldPath,
}

/// The objects of a document, in document order.
pub fn objects(root: &Node) -> Vec<(ObjectInfo, &Node)> {
    let mut out = Vec::new();
    let Some((api_version, kind)) = type_of(root) else {
        return out;
    };
    if root.get("items").is_none() {
        out.push((info(root, api_version, kind, FieldPath::root()), root));
        return out;
    }
    // A list: its items replace it. `items: null` is an empty list.
    let item_kind = kind.strip_suffix("List").unwrap_or(kind);
    let mut stack: Vec<(&Node, FieldPath, usize)> = Vec::new();
    push_items(&mut stack, root, &FieldPath::root(), 0);
    while let Some((item, path, nesting)) = stack.pop() {
        if item.as_map().is_none() {
            continue;
        }
        let has_kind = present(item, "kind");
        let has_version = present(item, "apiVersion");
        let (api_version, kind) = if nesting == 0 && !has_kind && !has_version {
            (api_version, item_kind)
        } else {
            match type_of(item) {
                Some(t) => t,
                None => continue,
            }
        };
        if item.get("items").and_then(Node::as_seq).is_some() {
            if nesting + 1 < MAX_LIST_NESTING {
                push_items(&mut stack, item, &path, nesting + 1);
            }
            continue;
        }
        out.push((info(item, api_version, kind, path), item));
    }
    out
}

/// Pushes a list's items in reverse, so that popping yields document order.
fn push_items<'n>(
    stack: &mut Vec<(&'n Node, FieldPath, usize)>,
    list: &'n Node,
    path: &FieldPath,
    nesting: usize,
) {
    if let Some(items) = list.get("items").and_then(Node::as_seq) {
        for (i, item) in items.iter().enumerate().rev() {
            stack.push((item, path.clone().key("items").index(i), nesting));
        }
    }
}

/// A field that the unstructured decoder sees as set: present with a non-empty string.
fn present(n: &Node, key: &str) -> bool {
    n.get(key)
        .and_then(Node::as_str)
        .is_some_and(|s| !s.is_empty())
}

/// `(apiVersion, kind)` when both are strings that name an API object ([`is_api_object`]).
fn type_of(n: &Node) -> Option<(&str, &str)> {
    let api_version = n.get("apiVersion")?.as_str()?;
    let kind = n.get("kind")?.as_str()?;
    is_api_object(api_version, kind).then_some((api_version, kind))
}

/// Whether string `apiVersion` and `kind` values make a document an API object: both
/// non-empty, and not one of kustomize's own files (`kustomize.config.k8s.io`: Kustomization,
/// Component), which look like objects but are read by kustomize, never sent to an API server.
/// The fast path ([`super::skim`]) asks the same question.
pub fn is_api_object(api_version: &str, kind: &str) -> bool {
    !api_version.is_empty()
        && !kind.is_empty()
        && !api_version.starts_with("kustomize.config.k8s.io/")
}

fn info(n: &Node, api_version: &str, kind: &str, path: FieldPath) -> ObjectInfo {
    let meta = n.get("metadata");
    let string = |key: &str| {
        meta.and_then(|m| m.get(key))
            .and_then(Node::as_str)
            .filter(|s| !s.is_empty())
    };
    let name = match (string("name"), string("generateName")) {
        (Some(name), _) => name.to_owned(),
        (None, Some(prefix)) => format!("{prefix}*"),
        (None, None) => String::new(),
    };
    ObjectInfo {
        api_version: api_version.to_owned(),
        kind: kind.to_owned(),
        name,
        namespace: string("namespace").map(str::to_owned),
        path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::yaml::{parse_document, ParseOptions};

    fn root(text: &str) -> Node {
        let doc = parse_document(text, 1, &ParseOptions::default());
        assert!(doc.problems.is_empty(), "{:?}", doc.problems);
        doc.root.expect("root")
    }

    fn summary(root: &Node) -> Vec<(String, String, String, Option<String>, String)> {
        objects(root)
            .into_iter()
            .map(|(o, _)| {
                (
                    o.api_version,
                    o.kind,
                    o.name,
                    o.namespace,
                    o.path.to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn kustomize_files_are_not_objects() {
        let r = root("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n");
        assert!(objects(&r).is_empty());
    }

    #[test]
    fn a_top_level_object() {
        let r = root("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: prod\nspec: {}\n");
        let objs = objects(&r);
        assert_eq!(objs.len(), 1);
        assert!(std::ptr::eq(objs[0].1, &r));
        assert_eq!(
            summary(&r),
            vec![(
                "apps/v1".into(),
                "Deployment".into(),
                "web".into(),
                Some("prod".into()),
                String::new()
            )]
        );
    }

    #[test]
    fn generate_name_and_missing_name() {
        let r = root("apiVersion: v1\nkind: Pod\nmetadata:\n  generateName: job-\n");
        assert_eq!(objects(&r)[0].0.name, "job-*");
        let r = root("apiVersion: v1\nkind: Pod\n");
        assert_eq!(objects(&r)[0].0.name, "");
        assert_eq!(objects(&r)[0].0.namespace, None);
    }

    #[test]
    fn non_objects_yield_nothing() {
        for text in [
            "replicaCount: 1\nimage: {repository: nginx}\n",
            "name: CI\non: [push]\njobs: {}\n",
            "resources:\n- deployment.yaml\n",
            "- a\n- b\n",
            "just a string\n",
            "apiVersion: v1\nkind: 3\n",
            "apiVersion: v1\nkind: \"\"\n",
            "apiVersion: 1\nkind: Pod\n",
        ] {
            assert!(objects(&root(text)).is_empty(), "{text}");
        }
    }

    #[test]
    fn lists_are_flattened_with_item_paths() {
        let r = root(
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n- 42\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: b}\n",
        );
        let s = summary(&r);
        assert_eq!(s.len(), 2);
        assert_eq!(
            (s[0].1.as_str(), s[0].2.as_str(), s[0].4.as_str()),
            ("Pod", "a", "items[0]")
        );
        assert_eq!(
            (s[1].1.as_str(), s[1].2.as_str(), s[1].4.as_str()),
            ("Deployment", "b", "items[2]")
        );
        let objs = objects(&r);
        assert_eq!(
            objs[1].1.get("kind").and_then(Node::as_str),
            Some("Deployment")
        );
    }

    #[test]
    fn typed_list_items_inherit_kind_and_api_version() {
        let r = root("apiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: a}\n  spec: {}\n- kind: ConfigMap\n  apiVersion: v1\n");
        let s = summary(&r);
        assert_eq!((s[0].0.as_str(), s[0].1.as_str()), ("v1", "Pod"));
        assert_eq!(s[1].1, "ConfigMap");
    }

    #[test]
    fn empty_and_null_lists() {
        assert!(objects(&root("apiVersion: v1\nkind: List\nitems: []\n")).is_empty());
        assert!(objects(&root("apiVersion: v1\nkind: List\nitems:\n")).is_empty());
        assert!(objects(&root("apiVersion: v1\nkind: List\nitems: {}\n")).is_empty());
    }

    #[test]
    fn nested_lists_are_flattened() {
        let r = root(
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n  items:\n  - {apiVersion: v1, kind: Pod, metadata: {name: deep}}\n- {apiVersion: v1, kind: Pod, metadata: {name: top}}\n",
        );
        let s = summary(&r);
        assert_eq!(s.len(), 2);
        assert_eq!(
            (s[0].2.as_str(), s[0].4.as_str()),
            ("deep", "items[0].items[0]")
        );
        assert_eq!((s[1].2.as_str(), s[1].4.as_str()), ("top", "items[1]"));
    }

    #[test]
    fn list_nesting_is_bounded() {
        let mut text = String::from("{apiVersion: v1, kind: Pod}");
        for _ in 0..20 {
            text = format!("{{apiVersion: v1, kind: List, items: [{text}]}}");
        }
        assert!(objects(&root(&text)).is_empty());
    }
}
