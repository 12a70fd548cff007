//! Property tests over generated pod specs and manifests:
//!
//! * no input makes psslint panic, in any output format;
//! * a manifest gets the same verdict whether it is written as block YAML, flow YAML or JSON,
//!   whatever the order of its mapping keys, and whatever unrelated documents surround it;
//! * output is byte-identical across runs and thread counts;
//! * every diagnostic lies inside its file, and one about a field points at text naming it;
//! * a stream linted window by window gets the report it gets when read at once.
//!
//! Case counts are kept moderate so the suite stays fast in a debug build.

use std::fmt::Write as _;
use std::io::Cursor;

use proptest::prelude::*;
use psslint::lint::options::LintOptions;
use psslint::lint::settle::finish;
use psslint::lint::{lint_bytes, lint_stream};
use psslint::model::level::{Level, Version};
use psslint::model::report::Report;
use psslint::policy::Policy;
use psslint::report::{self, Format, RenderOptions};

// ---------------------------------------------------------------------------------------------
// A tiny document model with three writers

/// A YAML/JSON value with ordered mappings.
#[derive(Debug, Clone, PartialEq)]
enum Tree {
    Map(Vec<(String, Tree)>),
    Seq(Vec<Tree>),
    Str(String),
    Bool(bool),
    Int(i64),
}

fn map(entries: Vec<(&str, Tree)>) -> Tree {
    Tree::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

fn s(v: &str) -> Tree {
    Tree::Str(v.to_string())
}

/// A double-quoted scalar: the same string in YAML and JSON.
fn quoted(v: &str) -> String {
    serde_json::to_string(v).expect("a string serializes")
}

fn scalar(t: &Tree) -> Option<String> {
    match t {
        Tree::Str(v) => Some(quoted(v)),
        Tree::Bool(b) => Some(b.to_string()),
        Tree::Int(i) => Some(i.to_string()),
        Tree::Map(m) if m.is_empty() => Some("{}".into()),
        Tree::Seq(v) if v.is_empty() => Some("[]".into()),
        _ => None,
    }
}

/// Block style, two-space indentation, sequences indented under their key.
fn block(t: &Tree, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match t {
        Tree::Map(entries) if !entries.is_empty() => {
            for (k, v) in entries {
                match scalar(v) {
                    Some(text) => {
                        let _ = writeln!(out, "{pad}{k}: {text}");
                    }
                    None => {
                        let _ = writeln!(out, "{pad}{k}:");
                        block(v, indent + 2, out);
                    }
                }
            }
        }
        Tree::Seq(items) if !items.is_empty() => {
            for item in items {
                match scalar(item) {
                    Some(text) => {
                        let _ = writeln!(out, "{pad}- {text}");
                    }
                    None => {
                        // `- ` then the item's block at the next indentation, first line
                        // joined to the dash.
                        let mut inner = String::new();
                        block(item, indent + 2, &mut inner);
                        let inner = inner.trim_start_matches(' ');
                        let _ = write!(out, "{pad}- {inner}");
                    }
                }
            }
        }
        other => {
            let _ = writeln!(out, "{pad}{}", scalar(other).unwrap_or_default());
        }
    }
}

/// Flow style on one line: `{a: 1, b: [x, y]}`, keys plain.
fn flow(t: &Tree, out: &mut String) {
    match t {
        Tree::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(k);
                out.push_str(": ");
                flow(v, out);
            }
            out.push('}');
        }
        Tree::Seq(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                flow(v, out);
            }
            out.push(']');
        }
        other => out.push_str(&scalar(other).unwrap_or_default()),
    }
}

/// JSON, pretty-printed with the keys in the tree's order.
fn json(t: &Tree, indent: usize, out: &mut String) {
    let pad = "  ".repeat(indent + 1);
    let close = "  ".repeat(indent);
    match t {
        Tree::Map(entries) if !entries.is_empty() => {
            out.push_str("{\n");
            for (i, (k, v)) in entries.iter().enumerate() {
                let _ = write!(out, "{pad}{}: ", quoted(k));
                json(v, indent + 1, out);
                out.push_str(if i + 1 < entries.len() { ",\n" } else { "\n" });
            }
            let _ = write!(out, "{close}}}");
        }
        Tree::Seq(items) if !items.is_empty() => {
            out.push_str("[\n");
            for (i, v) in items.iter().enumerate() {
                out.push_str(&pad);
                json(v, indent + 1, out);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            let _ = write!(out, "{close}]");
        }
        other => out.push_str(&scalar(other).unwrap_or_default()),
    }
}

#[derive(Debug, Clone, Copy)]
enum Style {
    Block,
    Flow,
    Json,
}

fn write(t: &Tree, style: Style) -> String {
    let mut out = String::new();
    match style {
        Style::Block => block(t, 0, &mut out),
        Style::Flow => {
            flow(t, &mut out);
            out.push('\n');
        }
        Style::Json => {
            json(t, 0, &mut out);
            out.push('\n');
        }
    }
    out
}

/// The same tree with every mapping's entries permuted by `seed`.
fn reorder(t: &Tree, seed: &mut u64) -> Tree {
    let mut next = || {
        // xorshift: any permutation will do, as long as it depends on the seed.
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    };
    match t {
        Tree::Map(entries) => {
            let mut keyed: Vec<(u64, (String, Tree))> = entries
                .iter()
                .map(|(k, v)| (next(), (k.clone(), v.clone())))
                .collect();
            keyed.sort_by_key(|(r, _)| *r);
            Tree::Map(
                keyed
                    .into_iter()
                    .map(|(_, (k, v))| (k, reorder(&v, seed)))
                    .collect(),
            )
        }
        Tree::Seq(items) => Tree::Seq(items.iter().map(|v| reorder(v, seed)).collect()),
        other => other.clone(),
    }
}

// ---------------------------------------------------------------------------------------------
// Generated workloads

fn name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,6}"
}

fn opt_bool() -> impl Strategy<Value = Option<bool>> {
    prop::option::of(any::<bool>())
}

fn security_context() -> impl Strategy<Value = Option<Tree>> {
    let caps = prop::sample::subsequence(
        vec!["ALL", "NET_ADMIN", "NET_BIND_SERVICE", "CHOWN", "SYS_ADMIN"],
        0..3,
    );
    prop::option::of((
        opt_bool(),
        opt_bool(),
        opt_bool(),
        prop::option::of(prop_oneof![Just(0i64), 1000i64..2000]),
        prop::option::of((caps.clone(), caps)),
        prop::option::of(prop::sample::select(vec![
            "RuntimeDefault",
            "Unconfined",
            "Localhost",
        ])),
        prop::option::of(prop::sample::select(vec!["Default", "Unmasked"])),
    ))
    .prop_map(|sc| {
        sc.map(
            |(privileged, ape, non_root, user, caps, seccomp, proc_mount)| {
                let mut e = Vec::new();
                if let Some(b) = privileged {
                    e.push(("privileged", Tree::Bool(b)));
                }
                if let Some(b) = ape {
                    e.push(("allowPrivilegeEscalation", Tree::Bool(b)));
                }
                if let Some(b) = non_root {
                    e.push(("runAsNonRoot", Tree::Bool(b)));
                }
                if let Some(u) = user {
                    e.push(("runAsUser", Tree::Int(u)));
                }
                if let Some((add, drop)) = caps {
                    e.push((
                        "capabilities",
                        map(vec![
                            ("add", Tree::Seq(add.iter().map(|c| s(c)).collect())),
                            ("drop", Tree::Seq(drop.iter().map(|c| s(c)).collect())),
                        ]),
                    ));
                }
                if let Some(t) = seccomp {
                    let mut p = vec![("type", s(t))];
                    if t == "Localhost" {
                        p.push(("localhostProfile", s("profiles/a.json")));
                    }
                    e.push(("seccompProfile", map(p)));
                }
                if let Some(m) = proc_mount {
                    e.push(("procMount", s(m)));
                }
                map(e)
            },
        )
    })
}

fn container() -> impl Strategy<Value = Tree> {
    (
        name(),
        security_context(),
        prop::option::of(prop_oneof![Just(0i64), 80i64..9000]),
    )
        .prop_map(|(n, sc, host_port)| {
            let mut e = vec![
                ("name", Tree::Str(n)),
                ("image", s("registry.example/app:1")),
            ];
            if let Some(p) = host_port {
                let mut port = vec![("containerPort", Tree::Int(8080))];
                if p > 0 {
                    port.push(("hostPort", Tree::Int(p)));
                }
                e.push(("ports", Tree::Seq(vec![map(port)])));
            }
            if let Some(sc) = sc {
                e.push(("securityContext", sc));
            }
            map(e)
        })
}

fn pod_spec() -> impl Strategy<Value = Tree> {
    (
        prop::collection::vec(container(), 1..3),
        prop::collection::vec(container(), 0..2),
        (opt_bool(), opt_bool(), opt_bool()),
        security_context(),
        prop::collection::vec(
            (
                name(),
                prop::sample::select(vec!["hostPath", "emptyDir", "configMap"]),
            ),
            0..3,
        ),
        prop::option::of(prop::sample::subsequence(
            vec![
                "kernel.shm_rmid_forced",
                "net.core.somaxconn",
                "net.ipv4.ip_local_port_range",
            ],
            1..3,
        )),
    )
        .prop_map(
            |(containers, inits, (net, pid, ipc), pod_sc, volumes, sysctls)| {
                // Unique container and volume names, as the API server requires.
                let rename = |items: Vec<Tree>, prefix: &str| -> Vec<Tree> {
                    items
                        .into_iter()
                        .enumerate()
                        .map(|(i, c)| match c {
                            Tree::Map(mut e) => {
                                e[0].1 = Tree::Str(format!("{prefix}{i}"));
                                Tree::Map(e)
                            }
                            other => other,
                        })
                        .collect()
                };
                let mut e = vec![("containers", Tree::Seq(rename(containers, "c")))];
                if !inits.is_empty() {
                    e.push(("initContainers", Tree::Seq(rename(inits, "init"))));
                }
                for (key, v) in [("hostNetwork", net), ("hostPID", pid), ("hostIPC", ipc)] {
                    if let Some(b) = v {
                        e.push((key, Tree::Bool(b)));
                    }
                }
                let mut sc = match pod_sc {
                    Some(Tree::Map(m)) => m
                        .into_iter()
                        // Pod-level securityContext has no privileged/capabilities/procMount.
                        .filter(|(k, _)| {
                            !matches!(
                                k.as_str(),
                                "privileged"
                                    | "allowPrivilegeEscalation"
                                    | "capabilities"
                                    | "procMount"
                            )
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                if let Some(names) = sysctls {
                    sc.push((
                        "sysctls".to_string(),
                        Tree::Seq(
                            names
                                .iter()
                                .map(|n| map(vec![("name", s(n)), ("value", s("1"))]))
                                .collect(),
                        ),
                    ));
                }
                if !sc.is_empty() {
                    e.push(("securityContext", Tree::Map(sc)));
                }
                if !volumes.is_empty() {
                    let vols = volumes
                        .into_iter()
                        .enumerate()
                        .map(|(i, (_, kind))| {
                            let source = match kind {
                                "hostPath" => map(vec![("path", s("/var/log"))]),
                                "configMap" => map(vec![("name", s("cfg"))]),
                                _ => map(vec![]),
                            };
                            map(vec![("name", Tree::Str(format!("v{i}"))), (kind, source)])
                        })
                        .collect();
                    e.push(("volumes", Tree::Seq(vols)));
                }
                map(e)
            },
        )
}

/// A workload of a kind that carries a pod template, named `name`.
fn workload() -> impl Strategy<Value = Tree> {
    (
        pod_spec(),
        prop::sample::select(vec!["Pod", "Deployment", "Job", "CronJob", "DaemonSet"]),
        name(),
    )
        .prop_map(|(spec, kind, n)| {
            let meta = map(vec![
                ("name", Tree::Str(format!("w-{n}"))),
                ("namespace", s("apps")),
            ]);
            let template = map(vec![
                (
                    "metadata",
                    map(vec![("labels", map(vec![("app", s("w"))]))]),
                ),
                ("spec", spec.clone()),
            ]);
            let (api, spec) = match kind {
                "Pod" => ("v1", spec),
                "Job" => ("batch/v1", map(vec![("template", template)])),
                "CronJob" => (
                    "batch/v1",
                    map(vec![
                        ("schedule", s("* * * * *")),
                        (
                            "jobTemplate",
                            map(vec![("spec", map(vec![("template", template)]))]),
                        ),
                    ]),
                ),
                _ => (
                    "apps/v1",
                    map(vec![
                        (
                            "selector",
                            map(vec![("matchLabels", map(vec![("app", s("w"))]))]),
                        ),
                        ("template", template),
                    ]),
                ),
            };
            map(vec![
                ("apiVersion", s(api)),
                ("kind", s(kind)),
                ("metadata", meta),
                ("spec", spec),
            ])
        })
}

/// Documents that say nothing about any workload.
fn unrelated() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata:\n  a: |\n    hello\n    ---not a separator\n",
        "apiVersion: v1\nkind: Service\nmetadata: {name: svc}\nspec:\n  ports: [{port: 80}]\n",
        "# just a comment\n",
        "",
        "replicaCount: 2\nsecurityContext: {privileged: true}\n",
        "{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": {\"name\": \"s\"}}\n",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n",
    ])
    .prop_map(str::to_string)
}

// ---------------------------------------------------------------------------------------------
// Running psslint

fn opts(level: Level) -> LintOptions {
    LintOptions::new(Policy::forced(level, Version::Latest))
}

fn lint(text: &str, level: Level) -> Report {
    finish(lint_bytes("m.yaml", text.as_bytes(), &opts(level)))
}

/// What the API server would say about each object, and which checks fired on which field
/// of which container: everything but positions.
type Verdict = (
    Vec<(String, Option<String>)>,
    Vec<(String, Option<String>, Option<String>)>,
);

fn verdict(r: &Report) -> Verdict {
    let objects = r
        .objects
        .iter()
        .map(|o| {
            (
                format!("{}/{}", o.object.kind, o.object.name),
                o.verdict.clone(),
            )
        })
        .collect();
    let mut findings: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.object.is_some())
        .map(|d| (d.rule.clone(), d.field.clone(), d.container.clone()))
        .collect();
    findings.sort();
    (objects, findings)
}

fn render_all(r: &Report) -> Vec<u8> {
    let mut out = Vec::new();
    for format in [
        Format::Human,
        Format::Concise,
        Format::Json,
        Format::Sarif,
        Format::Junit,
        Format::Github,
        Format::Markdown,
    ] {
        report::render(format, r, &RenderOptions::default(), &mut out).expect("render");
    }
    out
}

fn level() -> impl Strategy<Value = Level> {
    prop::sample::select(vec![Level::Baseline, Level::Restricted])
}

/// Fragments that exercise the loader's corners, glued at random.
fn yamlish() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "apiVersion: v1\n",
        "kind: Pod\n",
        "kind: Deployment\n",
        "metadata: {name: x}\n",
        "spec:\n",
        "  containers:\n",
        "  - name: c\n",
        "    securityContext:\n",
        "      privileged: yes\n",
        "      runAsUser: 0o0\n",
        "  hostNetwork: on\n",
        "template:\n",
        "- ",
        "  ",
        "\t",
        "{",
        "}",
        "[",
        "]",
        ", ",
        ": ",
        "? ",
        "&a ",
        "*a",
        "<<: *a\n",
        "---\n",
        "--- x\n",
        "...\n",
        "\"",
        "'",
        "#",
        "# Source: c/t.yaml\n",
        "|\n",
        ">-\n",
        "!!int ",
        "!!str ",
        "!foo ",
        "\r\n",
        "\n",
        "é€😀",
        "\u{feff}",
        "\u{0}",
        "{{ .V }}",
        "items:\n",
        "kind: List\n",
        "~",
        "null",
        ".inf",
        "0x1F",
        "1_000",
        "true",
        "\"\\u00e9\"",
    ]);
    prop::collection::vec(piece, 0..48).prop_map(|v| v.concat())
}

// ---------------------------------------------------------------------------------------------
// Properties

/// `cases` random cases (or `PROPTEST_CASES`, for a longer hunt); failures are shrunk and
/// printed, not saved to a file.
fn config(cases: u32) -> ProptestConfig {
    let env = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok());
    ProptestConfig {
        cases: env.unwrap_or(cases),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn no_input_makes_psslint_panic(text in yamlish(), bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        for input in [text.as_bytes(), &bytes[..]] {
            let r = finish(lint_bytes("f.yaml", input, &opts(Level::Restricted)));
            render_all(&r);
        }
    }
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn block_flow_and_json_get_the_same_verdict(w in workload(), level in level()) {
        let want = verdict(&lint(&write(&w, Style::Block), level));
        prop_assert!(!want.0.is_empty(), "the workload is an object");
        for style in [Style::Flow, Style::Json] {
            let text = write(&w, style);
            let got = lint(&text, level);
            prop_assert!(
                got.diagnostics.iter().all(|d| d.object.is_some()),
                "{style:?} has input problems: {:?}\n{text}", got.diagnostics
            );
            prop_assert_eq!(&verdict(&got), &want, "{:?}\n{}", style, text);
        }
    }

    #[test]
    fn reordering_keys_keeps_the_verdict(w in workload(), level in level(), seed in 1u64.., json in any::<bool>()) {
        let style = if json { Style::Json } else { Style::Block };
        let want = verdict(&lint(&write(&w, style), level));
        let mut seed = seed;
        let shuffled = reorder(&w, &mut seed);
        prop_assert_eq!(verdict(&lint(&write(&shuffled, style), level)), want);
    }

    #[test]
    fn unrelated_documents_keep_the_verdict(
        w in workload(),
        before in prop::collection::vec(unrelated(), 0..4),
        after in prop::collection::vec(unrelated(), 0..4),
    ) {
        let doc = write(&w, Style::Block);
        let want = verdict(&lint(&doc, Level::Restricted));
        let mut stream = String::new();
        for d in before.iter().chain([&doc]).chain(&after) {
            stream.push_str(d);
            stream.push_str("---\n");
        }
        let got = verdict(&lint(&stream, Level::Restricted));
        prop_assert_eq!(got, want, "{}", stream);
    }

    #[test]
    fn spans_lie_inside_the_file_and_name_their_field(
        ws in prop::collection::vec(workload(), 1..4),
        styles in prop::collection::vec(0u8..3, 4),
        level in level(),
    ) {
        let mut text = String::new();
        for (w, style) in ws.iter().zip(&styles) {
            let style = [Style::Block, Style::Flow, Style::Json][usize::from(*style)];
            text.push_str(&write(w, style));
            text.push_str("---\n");
        }
        let lines: Vec<&str> = text.split('\n').collect();
        let r = lint(&text, level);
        for d in &r.diagnostics {
            let line = lines.get(d.line as usize - 1).copied();
            prop_assert!(line.is_some() && d.line >= 1, "{d:?}");
            let line = line.unwrap_or_default();
            let chars: Vec<char> = line.chars().collect();
            prop_assert!(d.column >= 1 && d.column as usize <= chars.len() + 1, "{d:?}");
            prop_assert!((d.end_line, d.end_column) >= (d.line, d.column), "{d:?}");
            prop_assert!((d.end_line as usize) <= lines.len(), "{d:?}");
            let Some(field) = &d.field else { continue };
            // The text the span starts on: to its end, or to the end of the line.
            let end = if d.end_line == d.line { (d.end_column as usize - 1).min(chars.len()) } else { chars.len() };
            let shown: String = chars[d.column as usize - 1..end].iter().collect();
            let keys: Vec<&str> = field
                .split(['.', '['])
                .filter(|k| !k.is_empty() && !k.ends_with(']'))
                .collect();
            // A missing field is shown at its nearest parent: a key on its path, or a list
            // item's `name` entry. A hostPort defaulted from containerPort on the host
            // network (pss-spec §7.1) is shown at the containerPort it comes from.
            let named = keys.iter().any(|k| shown.contains(k))
                || shown.contains("name")
                || (field.ends_with("hostPort") && shown.contains("containerPort"));
            prop_assert!(named, "`{}` does not name {}\n{}", shown, field, text);
        }
    }

    #[test]
    fn a_stream_linted_in_windows_matches_it_read_whole(
        ws in prop::collection::vec((workload(), 0u8..3), 1..6),
        junk in prop::collection::vec(unrelated(), 0..4),
        batch in 1usize..4096,
    ) {
        let mut text = String::new();
        for ((w, style), j) in ws.iter().zip(junk.iter().chain(std::iter::repeat(&String::new()))) {
            let style = [Style::Block, Style::Flow, Style::Json][usize::from(*style)];
            text.push_str(&write(w, style));
            text.push_str("---\n");
            text.push_str(j);
            text.push_str("--- # next\n");
        }
        let mut o = opts(Level::Restricted);
        let whole = finish(lint_bytes("s.yaml", text.as_bytes(), &o));
        o.stream_batch_bytes = batch;
        let windows = finish(lint_stream("s.yaml", Cursor::new(text.into_bytes()), &o));
        prop_assert_eq!(render_all(&windows), render_all(&whole));
        prop_assert_eq!(windows.diagnostics, whole.diagnostics);
    }
}

proptest! {
    #![proptest_config(config(24))]

    #[test]
    fn output_is_byte_identical_across_runs_and_thread_counts(
        ws in prop::collection::vec(workload(), 1..12),
        level in level(),
    ) {
        let text: String = ws.iter().map(|w| write(w, Style::Block) + "---\n").collect();
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
            pool.install(|| render_all(&lint(&text, level)))
        };
        let one = run(1);
        prop_assert_eq!(&run(1), &one);
        prop_assert_eq!(&run(4), &one);
        // And the binary, with --threads 1 and the default.
        let cli = |extra: &[&str]| {
            let out = assert_cmd::Command::cargo_bin("psslint")
                .expect("binary")
                .args(["--format", "json", "--level", level.as_str()])
                .args(extra)
                .arg("-")
                .write_stdin(text.clone())
                .output()
                .expect("runs");
            out.stdout
        };
        prop_assert_eq!(cli(&["--threads", "1"]), cli(&[]));
        // A directory of files (linted in parallel across files), in every format.
        let dir = tempfile::tempdir().expect("tempdir");
        for (i, w) in ws.iter().enumerate() {
            std::fs::write(dir.path().join(format!("w{i}.yaml")), write(w, Style::Block)).expect("write");
        }
        std::fs::write(dir.path().join("all.yaml"), &text).expect("write");
        for format in ["json", "junit", "human"] {
            let dir_run = |extra: &[&str]| {
                let out = assert_cmd::Command::cargo_bin("psslint")
                    .expect("binary")
                    .current_dir(dir.path())
                    .args(["--format", format, "--color", "never", "--level", level.as_str()])
                    .args(extra)
                    .arg(".")
                    .output()
                    .expect("runs");
                (out.status.code(), out.stdout)
            };
            let one = dir_run(&["--threads", "1"]);
            prop_assert!(!one.1.is_empty());
            prop_assert_eq!(&dir_run(&[]), &one, "{}", format);
            prop_assert_eq!(&dir_run(&["--threads", "4"]), &one, "{}", format);
        }
    }
}
