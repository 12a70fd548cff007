//! A file linted window by window (`lint_stream`, for files over 16 MiB and long pipes) gets
//! exactly the report it gets when read at once (`lint_bytes`): the same diagnostics with the
//! same spans, snippets and fixes, the same objects and the same counts. The windows here are
//! made tiny, so that every document boundary is also a window boundary somewhere.

mod support;

use std::io::Cursor;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use psslint::lint::options::LintOptions;
use psslint::lint::settle::finish;
use psslint::lint::{lint_bytes, lint_stream};
use psslint::model::level::{Level, Version};
use psslint::model::report::Report;
use psslint::policy::Policy;
use psslint::report::{self, Format, RenderOptions};

fn opts(batch: usize) -> LintOptions {
    let mut o = LintOptions::new(Policy::forced(Level::Restricted, Version::Latest));
    o.stream_batch_bytes = batch;
    o
}

fn in_memory(name: &str, bytes: &[u8]) -> Report {
    finish(lint_bytes(name, bytes, &opts(1)))
}

fn streamed(name: &str, bytes: &[u8], batch: usize) -> Report {
    finish(lint_stream(name, Cursor::new(bytes.to_vec()), &opts(batch)))
}

fn assert_same(name: &str, bytes: &[u8], batches: &[usize]) {
    let want = in_memory(name, bytes);
    for &batch in batches {
        let got = streamed(name, bytes, batch);
        assert_eq!(got.summary, want.summary, "{name}, batch {batch}: summary");
        assert_eq!(got.objects, want.objects, "{name}, batch {batch}: objects");
        assert_eq!(
            got.diagnostics.len(),
            want.diagnostics.len(),
            "{name}, batch {batch}"
        );
        for (g, w) in got.diagnostics.iter().zip(&want.diagnostics) {
            assert_eq!(g, w, "{name}, batch {batch}");
        }
    }
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_under(&p, out);
        } else if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        ) {
            out.push(p);
        }
    }
}

fn testdata() -> Vec<(String, Vec<u8>)> {
    let mut paths = Vec::new();
    files_under(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata"),
        &mut paths,
    );
    assert!(paths.len() > 20);
    paths
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).expect("read testdata");
            (p.display().to_string(), bytes)
        })
        .collect()
}

#[test]
fn every_testdata_file_streams_like_it_reads() {
    for (name, bytes) in testdata() {
        assert_same(&name, &bytes, &[1, 200, 5000]);
    }
}

#[test]
fn tricky_streams_stream_like_they_read() {
    let cases: &[&[u8]] = &[
        b"",
        b"# only a comment\n",
        b"\xEF\xBB\xBFapiVersion: v1\r\nkind: Pod\r\nmetadata: {name: p}\r\nspec:\r\n  containers: [{name: c, image: i}]\r\n",
        b"apiVersion: v1\nkind: Pod\n--- {x: 1}\napiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec: {containers: [{name: c, image: i, securityContext: {privileged: yes}}]}\n----\n",
        b"{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"a\"}, \"spec\": {\"hostNetwork\": true, \"containers\": []}}\n{\"apiVersion\": \"v1\", \"kind\": \"Pod\",\n \"metadata\": {\"name\": \"b\"}, \"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"i\"}]}}\n",
        b"{\"a\": 1}{\"b\": 2}\n---\napiVersion: v1\nkind: Pod\nspec: {hostPID: true}\n",
        b"apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: c\n    image: [unclosed\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: {{ .Values.x }}}\n---\nkind: Pod\napiVersion: v1\nspec: {hostIPC: true}\n...\ntrailing: junk\n",
        b"a: \xFF\n---\nkind: Pod\n",
        b"apiVersion: v1\nkind: Pod\n\x00",
        b"\xFF\xFEa\x00",
    ];
    for (i, bytes) in cases.iter().enumerate() {
        assert_same(&format!("case{i}.yaml"), bytes, &[1, 7, 64, 100_000]);
    }
}

#[test]
fn a_long_stream_of_testdata_streams_like_it_reads() {
    let mut stream = Vec::new();
    for (_, bytes) in testdata() {
        // Whole documents only: a BOM is only valid at the start of a file.
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        stream.extend_from_slice(bytes);
        if !stream.ends_with(b"\n") {
            stream.push(b'\n');
        }
        stream.extend_from_slice(b"---\n");
    }
    assert_same("all.yaml", &stream, &[1, 1000, 30_000]);
}

#[test]
fn the_shared_corpus_streams_like_it_reads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let mut paths = Vec::new();
    files_under(&root, &mut paths);
    if paths.is_empty() {
        support::skipped(&format!("{} not found", root.display()));
        return;
    }
    for p in paths {
        let bytes = std::fs::read(&p).expect("read corpus file");
        assert_same(&p.display().to_string(), &bytes, &[2000]);
    }
}

/// A stream of about 17 MiB, over the 16 MiB threshold, mostly ConfigMap data (cheap to
/// parse), with a privileged Deployment every few hundred KiB.
fn big_stream() -> String {
    let web = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/examples/web.yaml"),
    )
    .expect("web.yaml");
    let block: String = (0..4000)
        .map(|i| format!("    line {i} of some configuration text\n"))
        .collect();
    let mut out = String::new();
    let mut i = 0;
    while out.len() < 17 * 1024 * 1024 {
        out.push_str(&format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\ndata:\n  config: |\n{block}---\n"
        ));
        out.push_str(&web);
        out.push_str("---\n");
        i += 1;
    }
    out
}

#[test]
fn the_cli_streams_large_files_and_pipes_like_small_ones() {
    let text = big_stream();
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("big.yaml"), &text).expect("write");
    let expect = |name: &str| {
        let mut out = Vec::new();
        report::render(
            Format::Concise,
            &in_memory(name, text.as_bytes()),
            &RenderOptions::default(),
            &mut out,
        )
        .expect("render");
        String::from_utf8(out).expect("utf-8")
    };
    let run = |args: &[&str], stdin: Option<&str>| {
        let mut c = Command::cargo_bin("psslint").expect("binary");
        c.current_dir(dir.path())
            .args(["--format", "concise", "--level", "restricted"])
            .args(args);
        if let Some(s) = stdin {
            c.write_stdin(s.to_owned());
        }
        let out = c.output().expect("runs");
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let from_file = run(&["big.yaml"], None);
    assert!(from_file.lines().count() > 100, "{from_file}");
    assert_eq!(from_file, expect("big.yaml"));
    let from_stdin = run(&["-"], Some(&text));
    assert_eq!(from_stdin, expect("<stdin>"));
}

/// Namespace labels decide levels from standard input too, which is read once for both passes.
#[test]
fn namespace_labels_apply_from_standard_input_and_large_files() {
    let doc = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  containers:\n  - name: app\n    image: nginx\n";
    // Padding makes the file large enough to be streamed window by window.
    let mut big = String::from(doc);
    while big.len() < 20 * 1024 * 1024 {
        big.push_str(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: pad\ndata:\n  k: v\n",
        );
    }
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("big.yaml"), &big).expect("write");
    let run = |args: &[&str], stdin: Option<&str>| {
        let mut c = Command::cargo_bin("psslint").expect("binary");
        c.current_dir(dir.path())
            .args(["--no-config", "--format", "concise"])
            .args(args);
        if let Some(s) = stdin {
            c.write_stdin(s.to_owned());
        }
        let out = c.output().expect("runs");
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        String::from_utf8(out.stdout).expect("utf-8")
    };
    for out in [run(&["-"], Some(doc)), run(&["big.yaml"], None)] {
        // Enforced at restricted by the label, not the built-in default's baseline enforce.
        assert!(
            out.lines()
                .any(|l| l.contains(": runAsNonRoot ") && !l.contains("warning")),
            "{out}"
        );
    }
}
