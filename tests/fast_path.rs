//! The fast path (`manifest::skim`) never changes a verdict: the same report, byte for byte, with
//! it on and off, over `testdata/` and `../shared/corpus` (printing SKIPPED for the corpus
//! when it is absent); and, document by document, every document it settles is one whose full
//! parse reports nothing and yields the objects it claims. Random mutations of real documents
//! probe the cases the files do not contain.

mod support;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use psslint::input::discover::{discover, DiscoverOptions};

use psslint::input::Input;
use psslint::lint::lint_inputs;
use psslint::lint::options::LintOptions;
use psslint::manifest::object::objects;
use psslint::manifest::skim::{skim, Skim};
use psslint::manifest::split::split_stream;
use psslint::manifest::yaml::{parse_document, ParseOptions};
use psslint::model::level::{Level, Version};
use psslint::policy::Policy;
use psslint::report::json;
use psslint::runtime::timings::Timings;
use psslint::workload::kinds::WorkloadKind;

fn dir(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    p.is_dir().then_some(p)
}

fn inputs(root: &Path) -> Vec<Input> {
    let found = discover(
        &[root.to_path_buf()],
        &DiscoverOptions {
            no_ignore: true,
            follow: false,
            threads: 2,
        },
    )
    .expect("walk");
    found.inputs
}

fn read(input: &Input) -> Result<Vec<u8>, String> {
    match input {
        Input::File(p) => std::fs::read(p).map_err(|e| e.to_string()),
        Input::Stdin => Ok(Vec::new()),
    }
}

fn options(fast_path: bool) -> LintOptions {
    let mut opts = LintOptions::new(Policy::forced(Level::Restricted, Version::Latest));
    opts.fast_path = fast_path;
    // A custom resource with a pod template, so `needs_tree` sees configured kinds too.
    opts.kinds
        .push(WorkloadKind::new("argoproj.io", "Rollout", "spec.template"));
    opts
}

/// Lints `files` with the fast path on and off; the JSON reports must be identical. Returns
/// how many documents the fast path settled.
fn assert_same_report(files: &[Input]) -> u64 {
    let render = |fast: bool| {
        let mut opts = options(fast);
        let timings = Arc::new(Timings::new());
        opts.timings = Some(timings.clone());
        let report = lint_inputs(files, &opts, read);
        let mut out = Vec::new();
        json::render(&report, &mut out).expect("render");
        (out, timings.skipped_by_fast_path())
    };
    let (fast, skipped) = render(true);
    let (full, none) = render(false);
    assert_eq!(none, 0);
    if fast != full {
        let (a, b) = (
            String::from_utf8_lossy(&fast),
            String::from_utf8_lossy(&full),
        );
        let at = a
            .lines()
            .zip(b.lines())
            .position(|(x, y)| x != y)
            .unwrap_or(0);
        panic!(
            "the fast path changed the report at line {at}:\n  fast: {:?}\n  full: {:?}",
            a.lines().nth(at),
            b.lines().nth(at)
        );
    }
    skipped
}

#[test]
fn testdata_reports_are_identical_with_and_without_the_fast_path() {
    let root = dir("testdata").expect("testdata");
    let skipped = assert_same_report(&inputs(&root));
    println!("testdata: {skipped} documents settled by the fast path");
}

#[test]
fn corpus_reports_are_identical_with_and_without_the_fast_path() {
    let Some(root) = dir("../shared/corpus") else {
        support::skipped("../shared/corpus not found");
        return;
    };
    let files = inputs(&root);
    let skipped = assert_same_report(&files);
    println!("corpus: {skipped} documents settled by the fast path");
    assert!(
        skipped > 1000,
        "the fast path should settle most ConfigMaps, CRDs, Services"
    );
}

/// What the full path says about one chunk, in the terms the skim answers in.
fn full_outcome(text: &str, opts: &LintOptions) -> Option<bool> {
    let parsed = parse_document(text, 1, &opts.parse);
    let root = parsed.root?;
    if !parsed.problems.is_empty() || root.as_map().is_none() {
        return None;
    }
    let found = objects(&root);
    if found.iter().any(|(o, _)| opts.needs_tree(&o.kind)) || found.len() > 1 {
        return None;
    }
    // A pod template of a kind nobody named is reported (unchecked-pod-template).
    if found
        .iter()
        .any(|(_, n)| !psslint::workload::templates::pod_shaped_outside(n, &[]).is_empty())
    {
        return None;
    }
    Some(found.len() == 1)
}

/// Every chunk the skim settles must be settled the same way by the full path.
fn check_chunk(text: &str, opts: &LintOptions) -> bool {
    let needs_tree = |k: &str| opts.needs_tree(k);
    match skim(text, &opts.parse, &needs_tree) {
        Skim::Parse => false,
        Skim::Skip { object } => {
            assert_eq!(
                full_outcome(text, opts),
                Some(object),
                "the fast path settled a document the full path disagrees on:\n{text}"
            );
            true
        }
    }
}

fn chunks_of(files: &[Input]) -> Vec<String> {
    let mut out = Vec::new();
    for f in files {
        let Ok(bytes) = read(f) else { continue };
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let Ok(text) = std::str::from_utf8(bytes) else {
            continue;
        };
        out.extend(split_stream(text).0.iter().map(|c| c.text.to_owned()));
    }
    out
}

#[test]
fn every_settled_document_is_settled_alike_by_the_full_parse() {
    let mut files = inputs(&dir("testdata").expect("testdata"));
    match dir("../shared/corpus") {
        Some(c) => files.extend(inputs(&c)),
        None => support::skipped("../shared/corpus not found (testdata only)"),
    }
    let opts = options(true);
    let chunks = chunks_of(&files);
    let settled = chunks.iter().filter(|c| check_chunk(c, &opts)).count();
    println!("{settled} of {} documents settled", chunks.len());
}

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Fragments that tend to matter to YAML: indicators, resolution edge cases, keys.
const FRAGMENTS: &[&str] = &[
    ":",
    " ",
    "\n",
    "- ",
    "  ",
    "#",
    "'",
    "\"",
    "&a ",
    "*a",
    "!!str ",
    "! ",
    "<<: ",
    "{",
    "}",
    "[",
    "]",
    ",",
    "?",
    "|",
    ">",
    "...\n",
    "---\n",
    "\t",
    ".inf",
    ".nan",
    "~",
    "yes",
    "0x1F",
    "1_0",
    "kind: ",
    "apiVersion: ",
    "items: ",
    "kind: Pod\n",
    "kind: Namespace\n",
    "name: ",
    "\\",
    "{{ x }}",
    "é",
    "\r\n",
    "true: ",
    "1: ",
    "\"1\": ",
    "null: ",
];

/// Mutations of real documents: inserted fragments, deletions, duplicated lines.
fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut t = text.to_owned();
    for _ in 0..1 + rng.below(3) {
        let mut at = rng.below(t.len() + 1);
        while !t.is_char_boundary(at) {
            at -= 1;
        }
        match rng.below(4) {
            0 | 1 => t.insert_str(at, FRAGMENTS[rng.below(FRAGMENTS.len())]),
            2 => {
                let mut end = (at + 1 + rng.below(8)).min(t.len());
                while !t.is_char_boundary(end) {
                    end += 1;
                }
                t.replace_range(at..end, "");
            }
            _ => {
                // Repeat a line: duplicate keys at any depth.
                let start = t[..at].rfind('\n').map_or(0, |i| i + 1);
                let end = t[at..].find('\n').map_or(t.len(), |i| at + i + 1);
                let line = t[start..end].to_owned();
                let line = if line.ends_with('\n') {
                    line
                } else {
                    format!("\n{line}\n")
                };
                t.insert_str(end, &line);
            }
        }
    }
    t
}

#[test]
fn mutated_documents_are_never_settled_wrongly() {
    let mut files = inputs(&dir("testdata").expect("testdata"));
    if let Some(c) = dir("../shared/corpus") {
        files.extend(inputs(&c));
    }
    let opts = options(true);
    // Small documents mutate into more distinct shapes per byte parsed.
    let mut chunks: Vec<String> = chunks_of(&files)
        .into_iter()
        .filter(|c| (20..4000).contains(&c.len()))
        .collect();
    chunks.sort();
    chunks.dedup();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let rounds = if cfg!(debug_assertions) { 3000 } else { 30000 };
    let mut settled = 0;
    for _ in 0..rounds {
        let base = &chunks[rng.below(chunks.len())];
        let text = mutate(&mut rng, base);
        settled += usize::from(check_chunk(&text, &opts));
    }
    println!("{settled} of {rounds} mutated documents settled");
    assert!(settled > 0);
}

#[test]
fn tricky_documents_fall_back_or_agree() {
    let opts = options(true);
    let parse_only = [
        // Problems the full parse reports.
        "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: 1\n  a: 2\n",
        "apiVersion: v1\nkind: ConfigMap\ndata:\n  x:\n    deep: 1\n    deep: 2\n",
        "apiVersion: v1\nkind: ConfigMap\ndata:\n  true: a\n  yes: b\n",
        "apiVersion: v1\nkind: ConfigMap\ndata:\n  1: a\n  \"1\": b\n",
        "apiVersion: v1\nkind: ConfigMap\nx: .inf\n",
        "apiVersion: v1\nkind: ConfigMap\nx: [-.Inf]\n",
        "apiVersion: v1\nkind: ConfigMap\n~: x\n",
        "apiVersion: v1\nkind: ConfigMap\n? [a]\n: x\n",
        "apiVersion: v1\nkind: ConfigMap\n18446744073709551615: x\n",
        "apiVersion: v1\nkind: ConfigMap\ndata: {a: 1\n",
        "apiVersion: v1\nkind: ConfigMap\n...\nmore: content\n",
        "apiVersion: v1\nkind: ConfigMap\nx: !!int abc\n",
        "apiVersion: v1\nkind: ConfigMap\nx: &a {k: v}\ny: *a\n",
        "apiVersion: v1\nkind: ConfigMap\nbase: {a: 1}\nm:\n  <<: {b: 2}\n",
        "apiVersion: v1\nkind: ConfigMap\nname: {{ .Values.name }}\n",
        "apiVersion: v1\nkind: ConfigMap\na:\n  k: 'x\n  y'\n",
        // Kinds the pipeline looks inside, lists, and objects the tree must judge.
        "apiVersion: apps/v1\nkind: Deployment\nspec: {}\n",
        "kind: Namespace\napiVersion: v1\nmetadata: {name: a}\n",
        "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\n",
        "apiVersion: v1\nkind: List\nitems: []\n",
        "apiVersion: v1\nkind: [ConfigMap]\n",
        // A list under `containers`, at any depth, may be a pod template of an unknown kind.
        "apiVersion: example.com/v1\nkind: Widget\nspec:\n  template:\n    spec:\n      containers:\n      - {name: a, image: a}\n",
        "{\"apiVersion\": \"x.io/v1\", \"kind\": \"X\", \"spec\": {\"containers\": [{\"image\": \"a\"}]}}\n",
        "apiVersion: x.io/v1\nkind: X\na: {b: {c: {containers: []}}}\n",
        // Roots that are not mappings.
        "",
        "# comment\n",
        "- a\n- b\n",
        "just text\n",
    ];
    for t in parse_only {
        let needs_tree = |k: &str| opts.needs_tree(k);
        assert_eq!(
            skim(t, &ParseOptions::default(), &needs_tree),
            Skim::Parse,
            "{t}"
        );
        check_chunk(t, &opts);
    }
    let settled = [
        (
            "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: '1'\n  b: {{x}}\n",
            None,
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: \"{{ x }}\"\n",
            Some(true),
        ),
        (
            "{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"data\": {}}\n",
            Some(true),
        ),
        (
            "kind: Service\napiVersion: v1\nspec:\n  ports:\n  - port: 80\n  - port: 80\n",
            Some(true),
        ),
        ("apiVersion: v1\nkind: true\n", Some(false)),
        ("apiVersion: v1\nkind: \"\"\n", Some(false)),
        ("replicaCount: 1\nimage: {repository: nginx}\n", Some(false)),
        // A CRD's schema of `containers` is a mapping: the fast path keeps it.
        (
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n  properties:\n    containers: {type: array, items: {type: object}}\n",
            Some(true),
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\ndata:\n  containers: \"- image: a\"\n",
            Some(true),
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\n\"<<\": x\nm: {a: 1, b: .5}\n",
            Some(true),
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\n# Source: x\ndata:\n  s: |\n    a: 1\n    a: 1\n",
            Some(true),
        ),
    ];
    for (t, want) in settled {
        let needs_tree = |k: &str| opts.needs_tree(k);
        let got = skim(t, &ParseOptions::default(), &needs_tree);
        match want {
            Some(object) => assert_eq!(got, Skim::Skip { object }, "{t}"),
            None => assert_eq!(got, Skim::Parse, "{t}"),
        }
        check_chunk(t, &opts);
    }
}
