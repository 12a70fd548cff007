//! Where the pod templates of an object are: template paths with list wildcards
//! (`spec.templates[*].template`), which one kind may match several times, and maps shaped like
//! a pod template wherever no template path reaches (a kind psslint does not know, a path the
//! config left out), so that such a template is reported instead of passing unchecked.
//!
//! A template path names the node holding `metadata` and `spec`, from the object's root: keys
//! separated by `.`, each followed by any number of `[*]` (every item of a list) or `[N]` (one
//! item). `.` alone is the object itself (a Pod).

use std::fmt;

use crate::manifest::Node;
use crate::model::field::{FieldPath, Segment};

/// One step of a [`TemplatePath`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Step {
    Key(String),
    Index(usize),
    /// `[*]`: every item of a list.
    Any,
}

/// A path from an object's root to its pod templates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct TemplatePath(Vec<Step>);

/// Why a template path does not parse: the message, and the character it is about (0-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathSyntaxError {
    pub at: usize,
    pub message: String,
}

impl TemplatePath {
    /// The object itself.
    pub fn root() -> Self {
        TemplatePath(Vec::new())
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    pub fn steps(&self) -> &[Step] {
        &self.0
    }

    /// Parses `spec.template`, `spec.templates[*].template`, `spec.pods[0]` or `.`.
    pub fn parse(text: &str) -> Result<TemplatePath, PathSyntaxError> {
        let err = |at: usize, message: &str| PathSyntaxError {
            at,
            message: message.to_string(),
        };
        if text == "." {
            return Ok(TemplatePath::root());
        }
        if text.is_empty() {
            return Err(err(
                0,
                "the path is empty (write `.` for the object itself)",
            ));
        }
        let chars: Vec<char> = text.chars().collect();
        let mut steps = Vec::new();
        let mut i = 0;
        loop {
            // A key.
            let start = i;
            while i < chars.len() && !matches!(chars[i], '.' | '[' | ']') {
                if chars[i].is_whitespace() {
                    return Err(err(i, "a key cannot hold white space"));
                }
                i += 1;
            }
            if i == start {
                return Err(err(
                    i,
                    if chars.get(i) == Some(&'[') {
                        "`[…]` must follow a key (the path starts at the object's root, a mapping)"
                    } else {
                        "a key is missing (two dots, or a dot at either end?)"
                    },
                ));
            }
            steps.push(Step::Key(chars[start..i].iter().collect()));
            // Its indexes.
            while chars.get(i) == Some(&'[') {
                let open = i;
                let close = chars[open..]
                    .iter()
                    .position(|&c| c == ']')
                    .map(|p| open + p)
                    .ok_or_else(|| err(open, "`[` is not closed by `]`"))?;
                let inner: String = chars[open + 1..close].iter().collect();
                let step = if inner == "*" {
                    Step::Any
                } else if !inner.is_empty() && inner.chars().all(|c| c.is_ascii_digit()) {
                    Step::Index(
                        inner
                            .parse()
                            .map_err(|_| err(open + 1, "index too large"))?,
                    )
                } else {
                    return Err(err(
                        open + 1,
                        "`[…]` must hold `*` (every item) or an index such as `0`",
                    ));
                };
                steps.push(step);
                i = close + 1;
            }
            match chars.get(i) {
                None => break,
                Some('.') => i += 1,
                Some(']') => return Err(err(i, "`]` without `[`")),
                Some(_) => return Err(err(i, "expected `.` or `[` after `]`")),
            }
        }
        Ok(TemplatePath(steps))
    }

    /// The nodes this path reaches in `object`, with their concrete paths (each `[*]` replaced
    /// by the item's index), in document order. Null nodes are not templates.
    pub fn find<'n>(&self, object: &'n Node) -> Vec<(FieldPath, &'n Node)> {
        let mut found = vec![(FieldPath::root(), object)];
        for step in &self.0 {
            let mut next = Vec::new();
            for (path, node) in found {
                match step {
                    Step::Key(k) => {
                        if let Some(child) = node.get(k) {
                            next.push((path.key(k.clone()), child));
                        }
                    }
                    Step::Index(i) => {
                        if let Some(child) = node.as_seq().and_then(|s| s.get(*i)) {
                            next.push((path.index(*i), child));
                        }
                    }
                    Step::Any => {
                        for (i, child) in node.as_seq().unwrap_or_default().iter().enumerate() {
                            next.push((path.clone().index(i), child));
                        }
                    }
                }
            }
            found = next;
        }
        found.retain(|(_, n)| !n.is_null());
        found
    }
}

impl fmt::Display for TemplatePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str(".");
        }
        for (i, step) in self.0.iter().enumerate() {
            match step {
                Step::Key(k) if i == 0 => f.write_str(k)?,
                Step::Key(k) => write!(f, ".{k}")?,
                Step::Index(n) => write!(f, "[{n}]")?,
                Step::Any => f.write_str("[*]")?,
            }
        }
        Ok(())
    }
}

/// The template path that names `path` and its siblings: every index becomes `[*]`
/// (`spec.templates[1].template` → `spec.templates[*].template`).
pub fn generalize(path: &FieldPath) -> TemplatePath {
    TemplatePath(
        path.segments()
            .iter()
            .map(|s| match s {
                Segment::Key(k) => Step::Key(k.clone()),
                Segment::Index(_) => Step::Any,
            })
            .collect(),
    )
}

/// Whether `node` is shaped like a pod template (or a Pod): a mapping whose `spec` is a
/// mapping with a `containers` list that holds a mapping with an `image`.
pub fn is_pod_shaped(node: &Node) -> bool {
    node.get("spec")
        .and_then(|spec| spec.get("containers"))
        .and_then(Node::as_seq)
        .is_some_and(|containers| {
            containers
                .iter()
                .any(|c| c.get("image").is_some_and(|i| !i.is_null()))
        })
}

/// The maps shaped like a pod template in `object` ([`is_pod_shaped`]), outside the
/// templates at `known` (concrete paths from the object's root), with their paths. A pod-shaped
/// map is not searched further: what it holds is its own pod's.
pub fn pod_shaped_outside<'n>(object: &'n Node, known: &[FieldPath]) -> Vec<(FieldPath, &'n Node)> {
    let mut out = Vec::new();
    // Iterative: nesting depth is bounded by the parser, not by the stack.
    let mut stack: Vec<(FieldPath, &Node)> = vec![(FieldPath::root(), object)];
    while let Some((path, node)) = stack.pop() {
        if known.contains(&path) {
            continue;
        }
        if is_pod_shaped(node) {
            out.push((path, node));
            continue;
        }
        if let Some(map) = node.as_map() {
            for e in map.iter().collect::<Vec<_>>().into_iter().rev() {
                stack.push((path.clone().key(e.key.clone()), &e.value));
            }
        } else if let Some(items) = node.as_seq() {
            for (i, item) in items.iter().enumerate().rev() {
                stack.push((path.clone().index(i), item));
            }
        }
    }
    out
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

    #[test]
    fn paths_parse_and_print_back() {
        for s in [
            ".",
            "spec.template",
            "spec.templates[*].template",
            "spec.metrics[*].provider.job.spec.template",
            "spec.pods[0]",
            "spec.a[*][2].b",
            "spec.policy-templates[*].objectDefinition",
        ] {
            assert_eq!(TemplatePath::parse(s).expect(s).to_string(), s);
        }
    }

    #[test]
    fn bad_paths_say_what_and_where() {
        for (s, at, what) in [
            ("", 0, "empty"),
            ("spec..template", 5, "key is missing"),
            (".spec", 0, "key is missing"),
            ("spec.", 5, "key is missing"),
            ("spec.templates[].t", 15, "must hold `*`"),
            ("spec.templates[x].t", 15, "must hold `*`"),
            ("spec.templates[*", 14, "not closed"),
            ("spec.templates]", 14, "without `[`"),
            ("spec.t[*]x", 9, "expected `.` or `[`"),
            ("[*].template", 0, "must follow a key"),
            ("spec. template", 5, "white space"),
        ] {
            let e = TemplatePath::parse(s).expect_err(s);
            assert_eq!(e.at, at, "{s}: {e:?}");
            assert!(e.message.contains(what), "{s}: {e:?}");
        }
    }

    #[test]
    fn wildcards_reach_every_item_with_its_index() {
        let r = root("spec:\n  templates:\n  - name: a\n    template: {spec: {}}\n  - name: b\n  - name: c\n    template: {spec: {}}\n  - x\n");
        let found: Vec<String> = TemplatePath::parse("spec.templates[*].template")
            .unwrap()
            .find(&r)
            .iter()
            .map(|(p, _)| p.to_string())
            .collect();
        assert_eq!(
            found,
            ["spec.templates[0].template", "spec.templates[2].template"]
        );
        let one = TemplatePath::parse("spec.templates[2].template").unwrap();
        assert_eq!(one.find(&r).len(), 1);
        assert!(TemplatePath::parse("spec.nothing[*]")
            .unwrap()
            .find(&r)
            .is_empty());
        assert_eq!(TemplatePath::root().find(&r).len(), 1);
    }

    #[test]
    fn pod_shaped_maps_are_found_outside_the_known_templates() {
        let r = root(
            "spec:\n  template: {spec: {containers: [{name: a, image: a}]}}\n  jobs:\n  - job: {spec: {containers: [{name: b, image: b}]}}\n  - notAPod: {spec: {containers: [{name: c}]}}\n  schema: {spec: {containers: {type: array}}}\n",
        );
        let known = [FieldPath::parse("spec.template")];
        let found: Vec<String> = pod_shaped_outside(&r, &known)
            .iter()
            .map(|(p, _)| p.to_string())
            .collect();
        assert_eq!(found, ["spec.jobs[0].job"]);
        assert_eq!(
            generalize(&FieldPath::parse("spec.jobs[0].job")).to_string(),
            "spec.jobs[*].job"
        );
        // A Pod is pod-shaped at its root.
        let pod = root("kind: Pod\nspec:\n  containers:\n  - {name: a, image: a}\n");
        assert_eq!(pod_shaped_outside(&pod, &[]).len(), 1);
        assert!(pod_shaped_outside(&pod, &[FieldPath::root()]).is_empty());
    }
}
