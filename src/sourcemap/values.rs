//! Values files: where a values path is set, in the order Helm merges them (the chart's
//! `values.yaml` first, each values file given at render time overriding it).

use crate::manifest::node::Node;
use crate::manifest::yaml::{parse_document, ParseOptions};
use crate::model::source::Pos;

use super::program::Seg;

/// One values file, read under `prefix` (a subchart's values sit under its name in the parent's).
#[derive(Debug)]
pub struct Layer {
    /// The file as diagnostics name it (relative to the working directory).
    pub file: String,
    pub prefix: Vec<String>,
    pub root: Option<Node>,
}

/// Where a concrete values path is set.
#[derive(Debug, Clone)]
pub struct Found<'a> {
    pub layer: usize,
    pub path: Vec<Seg>,
    pub node: &'a Node,
    /// The key's position (the item's, for a sequence element).
    pub key: Pos,
}

#[derive(Debug, Default)]
pub struct Values {
    pub layers: Vec<Layer>,
}

impl Layer {
    pub fn parse(file: String, prefix: Vec<String>, text: &str) -> Layer {
        let doc = parse_document(text, 1, &ParseOptions::default());
        Layer {
            file,
            prefix,
            root: doc.root,
        }
    }
}

fn child<'a>(node: &'a Node, seg: &Seg) -> Option<(&'a Node, Pos)> {
    match seg {
        Seg::Key(k) => {
            let e = node.as_map()?.entry(k)?;
            Some((&e.value, e.key_span.start))
        }
        Seg::Index(i) => {
            let n = node.as_seq()?.get(*i)?;
            Some((n, n.span.start))
        }
        Seg::Any => None,
    }
}

impl Values {
    /// Every concrete path matching `path` (with `Any` segments) that some layer sets, each
    /// with the last layer that sets it.
    pub fn find(&self, path: &[Seg]) -> Vec<Found<'_>> {
        let mut out: Vec<Found<'_>> = Vec::new();
        for (li, layer) in self.layers.iter().enumerate() {
            let Some(root) = &layer.root else { continue };
            // Strip the layer's prefix from the path.
            let mut rest: &[Seg] = path;
            let mut ok = true;
            for p in &layer.prefix {
                match rest.first() {
                    Some(Seg::Key(k)) if k == p => rest = &rest[1..],
                    _ => {
                        ok = false;
                        break;
                    }
                }
            }
            if !ok {
                continue;
            }
            let base: Vec<Seg> = layer.prefix.iter().map(|p| Seg::Key(p.clone())).collect();
            let mut found = Vec::new();
            walk(root, rest, base, root.span.start, li, &mut found);
            for f in found {
                out.retain(|o| o.path != f.path);
                out.push(f);
            }
        }
        out
    }

    /// The one place that sets `path`, if exactly one concrete path matches.
    pub fn unique(&self, path: &[Seg]) -> Option<Found<'_>> {
        let mut all = self.find(path);
        (all.len() == 1).then(|| all.remove(0))
    }

    /// The deepest prefix of `path` (no `Any`) that some layer sets, preferring the last
    /// layer that sets it, and how many segments it covers.
    pub fn deepest(&self, path: &[Seg]) -> Option<(Found<'_>, usize)> {
        (0..=path.len())
            .rev()
            .find_map(|n| self.unique(&path[..n]).map(|f| (f, n)))
    }
}

fn walk<'a>(
    node: &'a Node,
    rest: &[Seg],
    here: Vec<Seg>,
    key: Pos,
    layer: usize,
    out: &mut Vec<Found<'a>>,
) {
    let Some(seg) = rest.first() else {
        out.push(Found {
            layer,
            path: here,
            node,
            key,
        });
        return;
    };
    match seg {
        Seg::Any => {
            if let Some(m) = node.as_map() {
                for e in m.iter() {
                    let mut p = here.clone();
                    p.push(Seg::Key(e.key.clone()));
                    walk(&e.value, &rest[1..], p, e.key_span.start, layer, out);
                }
            } else if let Some(s) = node.as_seq() {
                for (i, n) in s.iter().enumerate() {
                    let mut p = here.clone();
                    p.push(Seg::Index(i));
                    walk(n, &rest[1..], p, n.span.start, layer, out);
                }
            }
        }
        _ => {
            if let Some((n, k)) = child(node, seg) {
                let mut p = here;
                p.push(seg.clone());
                walk(n, &rest[1..], p, k, layer, out);
            }
        }
    }
}

/// `a.b[0].c`.
pub fn display(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
            Seg::Any => s.push_str(".*"),
        }
    }
    s
}

/// Whether a values node holds what the rendered node shows (as Go would print it).
pub fn same_value(values: &Node, rendered: &Node) -> bool {
    let (a, b) = (values.to_json(), rendered.to_json());
    if a == b {
        return true;
    }
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    matches!((text(&a), text(&b)), (Some(x), Some(y)) if x == y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_layers_override_and_any_expands() {
        let v = Values {
            layers: vec![
                Layer::parse(
                    "values.yaml".into(),
                    vec![],
                    "ports:\n  a:\n    hostPort: 1\n  b:\n    hostPort: 2\nsc: {}\n",
                ),
                Layer::parse("ex.yaml".into(), vec![], "ports:\n  b:\n    hostPort: 3\n"),
            ],
        };
        let any = [Seg::Any, Seg::Key("hostPort".into())];
        let mut path = vec![Seg::Key("ports".into())];
        path.extend(any);
        let found = v.find(&path);
        assert_eq!(found.len(), 2);
        let b = found
            .iter()
            .find(|f| f.path[1] == Seg::Key("b".into()))
            .expect("b");
        assert_eq!((b.layer, b.key.line), (1, 3));
        let (deep, n) = v
            .deepest(&[Seg::Key("sc".into()), Seg::Key("runAsNonRoot".into())])
            .expect("sc");
        assert_eq!((n, deep.key.line, display(&deep.path)), (1, 6, "sc".into()));
    }
}
