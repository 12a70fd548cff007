//! End-to-end tests of the manifest loader (split → parse → objects): the real-world corpus in
//! `../shared/corpus` and the tricky inputs of pss-spec §8.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use psslint::manifest::object::{objects, ObjectInfo};
use psslint::manifest::split::split_stream;
use psslint::manifest::yaml::{parse_document, ParseOptions};
use psslint::manifest::{Node, Value};
use psslint::model::problem::{InputRule, LoadProblem};
use psslint::model::source::{Pos, Span};

/// One loaded document: its origin, tree and problems.
struct Doc {
    start_line: u32,
    origin: Option<String>,
    root: Option<Node>,
}

/// Loads a whole stream the way the CLI will: split, parse every chunk, collect problems.
fn load(text: &str) -> (Vec<Doc>, Vec<LoadProblem>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let opts = ParseOptions::default();
    let (chunks, mut problems) = split_stream(text);
    let mut docs = Vec::new();
    for chunk in chunks {
        let parsed = parse_document(chunk.text, chunk.start_line, &opts);
        problems.extend(parsed.problems);
        docs.push(Doc {
            start_line: chunk.start_line,
            origin: chunk.origin,
            root: parsed.root,
        });
    }
    (docs, problems)
}

fn all_objects(docs: &[Doc]) -> Vec<(ObjectInfo, &Node)> {
    docs.iter()
        .filter_map(|d| d.root.as_ref())
        .flat_map(objects)
        .collect()
}

fn at<'n>(n: &'n Node, path: &str) -> &'n Node {
    let mut cur = n;
    for seg in path.split('.') {
        cur = match seg.parse::<usize>() {
            Ok(i) => &cur.as_seq().expect("a list")[i],
            Err(_) => cur
                .get(seg)
                .unwrap_or_else(|| panic!("no `{seg}` in `{path}`")),
        };
    }
    cur
}

fn rules(problems: &[LoadProblem]) -> Vec<InputRule> {
    problems.iter().map(|p| p.rule).collect()
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

fn manifest_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(ft) = entry.file_type() else { continue };
            if ft.is_dir() {
                dirs.push(path);
            } else if ft.is_file()
                && path
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
            {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn corpus_loads_without_panics() {
    let dir = corpus_dir();
    if !dir.is_dir() {
        println!("skipping: corpus not found at {}", dir.display());
        return;
    }
    let start = std::time::Instant::now();
    let (mut files, mut bytes, mut chunks, mut documents, mut object_count) = (0, 0, 0, 0, 0);
    let mut by_rule: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut unrendered = (0usize, 0usize); // (files, files with a template/parse problem)
    let mut clean_templates = Vec::new();
    let mut unexpected = Vec::new();
    for path in manifest_files(&dir) {
        let Ok(raw) = std::fs::read(&path) else {
            continue;
        };
        let Ok(text) = String::from_utf8(raw) else {
            println!("not UTF-8: {}", path.display());
            continue;
        };
        files += 1;
        bytes += text.len();
        let rel = path.strip_prefix(&dir).unwrap_or(&path).to_path_buf();
        let (docs, problems) = load(&text);
        chunks += docs.len();
        documents += docs.iter().filter(|d| d.root.is_some()).count();
        object_count += all_objects(&docs).len();
        for p in &problems {
            *by_rule.entry(p.rule.id()).or_default() += 1;
        }
        if rel.starts_with("templates-unrendered") {
            unrendered.0 += 1;
            if problems.iter().any(|p| {
                matches!(
                    p.rule,
                    InputRule::UnrenderedTemplate | InputRule::ParseError
                )
            }) {
                unrendered.1 += 1;
            } else {
                clean_templates.push(rel.display().to_string());
            }
        } else {
            for p in problems.iter().filter(|p| p.rule.is_error()) {
                unexpected.push(format!(
                    "{}:{}: {} {}",
                    rel.display(),
                    p.span.map_or(0, |s| s.start.line),
                    p.rule.id(),
                    p.message
                ));
            }
        }
    }
    println!(
        "corpus: {files} files, {bytes} bytes, {chunks} chunks, {documents} documents, \
         {object_count} objects in {:?}",
        start.elapsed()
    );
    println!("problems by rule: {by_rule:?}");
    println!(
        "templates-unrendered: {} files, {} with unrendered-template/parse-error problems",
        unrendered.0, unrendered.1
    );
    for t in &clean_templates {
        println!("  template file that parses as YAML: {t}");
    }
    println!(
        "error problems outside templates-unrendered: {}",
        unexpected.len()
    );
    for u in &unexpected {
        println!("  {u}");
    }
    assert!(files > 3000, "corpus unexpectedly small: {files} files");
    assert!(object_count > 10_000, "{object_count} objects");
    // All but the two template files PyYAML can read (SOURCES.md) must be flagged.
    assert!(
        unrendered.1 + 2 >= unrendered.0,
        "{clean_templates:?} parse cleanly"
    );
}

#[test]
fn crlf_files_keep_exact_spans() {
    let text = "apiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: p\r\n---\r\napiVersion: v1\r\nkind: Pod\r\nspec:\r\n  hostPID: true\r\n";
    let (docs, problems) = load(text);
    assert!(problems.is_empty());
    let second = docs[1].root.as_ref().expect("root");
    assert_eq!(docs[1].start_line, 6);
    assert_eq!(
        at(second, "spec.hostPID").span,
        Span::new(Pos::new(9, 12), Pos::new(9, 16))
    );
}

#[test]
fn bom_is_stripped_before_spans_are_computed() {
    let (docs, problems) = load("\u{feff}apiVersion: v1\nkind: Pod\n");
    assert!(problems.is_empty());
    let root = docs[0].root.as_ref().expect("root");
    let m = root.as_map().expect("map");
    assert_eq!(
        m.entry("apiVersion").map(|e| e.key_span.start),
        Some(Pos::new(1, 1))
    );
}

#[test]
fn multibyte_characters_before_a_field_in_flow_style() {
    let (docs, _) = load("metadata: {name: \"é€\", namespace: x}\nspec: {containers: [{name: \"日本\", securityContext: {privileged: true}}]}\n");
    let root = docs[0].root.as_ref().expect("root");
    let ns = at(root, "metadata")
        .as_map()
        .and_then(|m| m.entry("namespace"));
    assert_eq!(
        ns.map(|e| e.key_span),
        Some(Span::new(Pos::new(1, 24), Pos::new(1, 33)))
    );
    let p = at(root, "spec.containers.0.securityContext.privileged");
    assert_eq!(p.span, Span::new(Pos::new(2, 64), Pos::new(2, 68)));
}

#[test]
fn helm_source_comments_give_origins() {
    let text = "---\n# Source: app/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n---\n# Source: app/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n";
    let (docs, problems) = load(text);
    assert!(problems.is_empty());
    let origins: Vec<_> = docs
        .iter()
        .filter(|d| d.root.is_some())
        .map(|d| d.origin.as_deref())
        .collect();
    assert_eq!(
        origins,
        vec![
            Some("app/templates/deployment.yaml"),
            Some("app/templates/service.yaml")
        ]
    );
    assert_eq!(all_objects(&docs).len(), 2);
}

#[test]
fn privileged_yes_is_true() {
    let (docs, problems) = load(
        "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: c\n    securityContext:\n      privileged: yes\n      allowPrivilegeEscalation: off\n      runAsUser: 0_0\n",
    );
    assert!(problems.is_empty());
    let sc = at(
        docs[0].root.as_ref().expect("root"),
        "spec.containers.0.securityContext",
    );
    assert_eq!(at(sc, "privileged").value, Value::Bool(true));
    assert_eq!(at(sc, "privileged").raw.as_deref(), Some("yes"));
    assert_eq!(at(sc, "allowPrivilegeEscalation").value, Value::Bool(false));
    assert_eq!(at(sc, "runAsUser").value, Value::Int(0));
}

#[test]
fn merge_before_explicit_key_wins_like_go_yaml_v2() {
    // pss-spec §8.4: `securityContext: {privileged: false, <<: *priv}` is privileged.
    let (docs, problems) = load(
        "x-priv: &priv\n  privileged: true\napiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: c\n    securityContext: {privileged: false, <<: *priv}\n",
    );
    assert!(problems.is_empty());
    let p = at(
        docs[0].root.as_ref().expect("root"),
        "spec.containers.0.securityContext.privileged",
    );
    assert_eq!(p.value, Value::Bool(true));
    assert!(p.via_alias);
    assert_eq!(p.span.start, Pos::new(2, 15));
}

#[test]
fn duplicate_keys_are_reported_and_the_last_wins() {
    let (docs, problems) = load(
        "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: c\n    securityContext:\n      privileged: false\n      privileged: true\n",
    );
    assert_eq!(rules(&problems), vec![InputRule::DuplicateKey]);
    assert_eq!(problems[0].span.map(|s| s.start), Some(Pos::new(8, 7)));
    assert!(problems[0].message.contains("line 7"));
    let p = at(
        docs[0].root.as_ref().expect("root"),
        "spec.containers.0.securityContext.privileged",
    );
    assert_eq!(p.value, Value::Bool(true));
}

#[test]
fn billion_laughs_fails_fast_and_closed() {
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\ndata:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (name, prev) in ["b", "c", "d", "e", "f", "g", "h", "i"]
        .iter()
        .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
    {
        let refs = vec![format!("*{prev}"); 9].join(",");
        text.push_str(&format!("  {name}: &{name} [{refs}]\n"));
    }
    text.push_str("---\napiVersion: v1\nkind: Pod\n");
    let start = std::time::Instant::now();
    let (docs, problems) = load(&text);
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(rules(&problems), vec![InputRule::AliasLimit]);
    assert!(docs[0].root.is_none());
    // The next document is still loaded.
    assert_eq!(all_objects(&docs).len(), 1);
}

#[test]
fn hundred_thousand_deep_nesting_does_not_overflow() {
    for text in [
        "[".repeat(100_000),
        "{a: ".repeat(100_000),
        format!("{}x\n", "- ".repeat(100_000)),
        format!("{}x\n", "? ".repeat(100_000)),
    ] {
        let (docs, problems) = load(&text);
        assert!(docs.iter().all(|d| d.root.is_none()));
        assert_eq!(rules(&problems), vec![InputRule::DepthLimit]);
    }
}

#[test]
fn invalid_separator_then_valid_documents() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n--- {apiVersion: v1, kind: Pod}\napiVersion: v1\nkind: Pod\nmetadata: {name: b}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: c}\n";
    let (docs, problems) = load(text);
    assert_eq!(rules(&problems), vec![InputRule::InvalidSeparator]);
    assert_eq!(problems[0].span.map(|s| s.start), Some(Pos::new(4, 1)));
    let names: Vec<String> = all_objects(&docs)
        .into_iter()
        .map(|(o, _)| o.name)
        .collect();
    assert_eq!(names, vec!["a", "b", "c"]);
    assert_eq!(docs[1].start_line, 5);
}

#[test]
fn json_list_file() {
    let text = "{\n\t\"apiVersion\": \"v1\",\n\t\"kind\": \"List\",\n\t\"items\": [\n\t\t{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"},\n\t\t \"spec\": {\"hostNetwork\":\ttrue}}\n\t]\n}\n";
    let (docs, problems) = load(text);
    assert!(problems.is_empty(), "{problems:?}");
    let objs = all_objects(&docs);
    assert_eq!(objs.len(), 1);
    assert_eq!(objs[0].0.path.to_string(), "items[0]");
    let hn = at(objs[0].1, "spec.hostNetwork");
    assert_eq!(hn.value, Value::Bool(true));
    assert_eq!(hn.span.start, Pos::new(6, 28));
}

#[test]
fn ndjson_stream() {
    let text = "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"a\"}}\n{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"b\"}}\n";
    let (docs, problems) = load(text);
    assert!(problems.is_empty());
    let names: Vec<String> = all_objects(&docs)
        .into_iter()
        .map(|(o, _)| o.name)
        .collect();
    assert_eq!(names, vec!["a", "b"]);
    assert_eq!(docs[1].start_line, 2);
}
