//! The `psslint` binary as users run it: subcommands, inputs, formats and exit codes.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn psslint() -> Command {
    let mut c = Command::cargo_bin("psslint").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c.env_remove("NO_COLOR");
    c
}

fn stdout_of(args: &[&str]) -> String {
    let out = psslint().args(args).output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

const CLEAN: &str = "apiVersion: v1
kind: Pod
metadata:
  name: ok
spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: app
    image: app
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
";

#[test]
fn exit_code_is_0_for_clean_input_and_1_for_violations() {
    psslint().arg("-").write_stdin(CLEAN).assert().code(0);
    psslint()
        .arg("testdata/examples/web.yaml")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("privileged"));
}

#[test]
fn check_subcommand_is_the_default() {
    let a = stdout_of(&["--format", "concise", "testdata/examples/web.yaml"]);
    let b = stdout_of(&["check", "--format", "concise", "testdata/examples/web.yaml"]);
    assert_eq!(a, b);
    assert!(a.contains("testdata/examples/web.yaml:"));
}

#[test]
fn exit_code_2_for_missing_paths_and_bad_flags() {
    psslint()
        .arg("no/such/dir")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/dir"));
    psslint()
        .args(["--level", "strict", "testdata"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "must be one of privileged, baseline, restricted",
        ));
    psslint()
        .args(["--pss-version", "1.30", "testdata"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("latest"));
    psslint().arg("--no-such-flag").assert().code(2);
}

#[test]
fn level_and_version_change_the_verdict() {
    // allowPrivilegeEscalation is only checked from v1.8 and only at restricted.
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {runAsNonRoot: true}\n  containers:\n  - name: a\n    image: a\n";
    psslint()
        .args(["--pss-version", "v1.7", "-"])
        .write_stdin(pod)
        .assert()
        .code(0);
    psslint()
        .args(["--pss-version", "v1.8", "--format", "concise", "-"])
        .write_stdin(pod)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("allowPrivilegeEscalation"));
    psslint()
        .args(["--level", "baseline", "-"])
        .write_stdin(pod)
        .assert()
        .code(0);
    psslint()
        .args(["--level", "privileged", "testdata/examples/web.yaml"])
        .assert()
        .code(0);
}

#[test]
fn human_output_uses_upstream_wording_and_no_colour_without_a_terminal() {
    let out = stdout_of(&["testdata/examples/web.yaml"]);
    assert!(out.contains("would violate PodSecurity \"restricted:latest\":"));
    assert!(
        !out.contains('\u{1b}'),
        "no ANSI escapes when not a terminal"
    );
    let forced = psslint()
        .args(["--color", "always", "testdata/examples/web.yaml"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&forced.stdout).contains('\u{1b}'));
}

#[test]
fn json_output_follows_the_contract() {
    let out = stdout_of(&["--format", "json", "testdata/examples/web.yaml"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["tool"]["name"], "psslint");
    for key in [
        "files",
        "documents",
        "objects",
        "pod_templates",
        "errors",
        "warnings",
    ] {
        assert!(v["summary"][key].is_u64(), "summary.{key}");
    }
    let d = &v["diagnostics"][0];
    for key in [
        "rule",
        "severity",
        "level",
        "pss_version",
        "reason",
        "detail",
        "message",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "object",
        "field",
        "fix",
    ] {
        assert!(!d[key].is_null(), "diagnostic.{key} missing in {d}");
    }
    assert_eq!(d["object"]["kind"], "Deployment");
    assert_eq!(d["object"]["namespace"], "shop");
}

#[test]
fn output_file_receives_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.json");
    psslint()
        .args(["--format", "json", "--output"])
        .arg(&file)
        .arg("testdata/examples/web.yaml")
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty());
    let v: serde_json::Value = serde_json::from_str(&fs::read_to_string(file).unwrap()).unwrap();
    assert!(v["summary"]["errors"].as_u64().unwrap() > 0);
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

const PRIVILEGED: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: a\n    securityContext: {privileged: true}\n";

#[test]
fn directories_are_walked_honouring_gitignore() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".gitignore", "ignored/\n");
    write(dir.path(), "k8s/app.yaml", PRIVILEGED);
    write(
        dir.path(),
        "k8s/app.json",
        r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "j"}, "spec": {"containers": [{"name": "a", "image": "a", "securityContext": {"privileged": true}}]}}"#,
    );
    write(dir.path(), "ignored/bad.yaml", PRIVILEGED);
    write(dir.path(), "notes.txt", PRIVILEGED);
    let run = |extra: &[&str]| {
        let out = Command::cargo_bin("psslint")
            .unwrap()
            .current_dir(dir.path())
            .args(["--level", "baseline", "--format", "concise"])
            .args(extra)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let default = run(&[]);
    assert!(default.contains("k8s/app.yaml:8"), "{default}");
    assert!(default.contains("k8s/app.json:1"), "{default}");
    assert!(!default.contains("ignored/"), "{default}");
    assert!(!default.contains("notes.txt"), "{default}");
    let all = run(&["--no-ignore"]);
    assert!(all.contains("ignored/bad.yaml"), "{all}");
    // A file named explicitly is read whatever its extension.
    let named = run(&["notes.txt"]);
    assert!(named.contains("notes.txt:8"), "{named}");
    // `./name` and `check name` reach a directory named like a subcommand.
    write(dir.path(), "rules/p.yaml", PRIVILEGED);
    assert!(run(&["./rules"]).contains("rules/p.yaml"));
}

#[test]
fn rules_and_rule_print_the_compiled_docs() {
    let list = stdout_of(&["rules"]);
    for id in [
        "runAsNonRoot",
        "capabilities_restricted",
        "hostProbesAndHostLifecycle",
        "duplicate-key",
    ] {
        assert!(list.contains(id), "{id} missing from `psslint rules`");
    }
    let doc = stdout_of(&["rule", "runAsNonRoot"]);
    assert!(doc.contains("runAsNonRoot"));
    assert!(doc.to_lowercase().contains("how to fix"));
    psslint().args(["rule", "noSuchRule"]).assert().code(2);
}

#[test]
fn stdin_is_read_with_dash() {
    psslint()
        .args(["--format", "concise", "-"])
        .write_stdin(PRIVILEGED)
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with("<stdin>:8:"));
}

#[test]
fn output_is_byte_identical_across_runs_and_thread_counts() {
    let a = stdout_of(&["--format", "json", "--threads", "1", "testdata"]);
    let b = stdout_of(&["--format", "json", "testdata"]);
    let c = stdout_of(&["--format", "json", "--threads", "3", "testdata"]);
    assert_eq!(a, b);
    assert_eq!(b, c);
}

#[test]
fn snapshots_of_every_format() {
    for file in ["testdata/helm/rendered.yaml", "testdata/examples/web.yaml"] {
        for format in ["human", "concise", "json"] {
            let out = stdout_of(&["--format", format, file]);
            let name = format!(
                "{}-{format}",
                Path::new(file).file_stem().unwrap().to_string_lossy()
            );
            insta::assert_snapshot!(name, out);
        }
    }
}

#[test]
fn readme_rule_table_lists_every_rule() {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for r in psslint::rules::all() {
        let row = format!("| [`{}`](rules/{}.md) |", r.id, r.id);
        assert!(readme.contains(&row), "README.md rule table lacks {}", r.id);
    }
}

/// `psslint decode`: each document as the API server receives it, problems beside it.
#[test]
fn decode_prints_what_the_api_server_receives() {
    let stream = "a: yes\nb: [0777, 1_000, .5_0, 0x10000000000000000]\n---\n# only a comment\n---\nc: 1\nc: 2\n--- x\nd: [\n";
    let out = psslint()
        .args(["decode", "-"])
        .write_stdin(stream)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "a parse error is an error");
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert_eq!(
        lines[0]["object"],
        serde_json::json!({"a": true, "b": [511, 1000, 0.5, "0x10000000000000000"]})
    );
    assert_eq!(lines[1]["line"], 6);
    assert_eq!(lines[1]["object"], serde_json::json!({"c": 2}));
    assert_eq!(lines[1]["problems"][0]["rule"], "duplicate-key");
    assert_eq!(lines[2]["problems"][0]["rule"], "invalid-separator");
    assert!(lines[3].get("object").is_none());
    assert_eq!(lines[3]["problems"][0]["rule"], "parse-error");
    // A clean document exits 0; an unreadable file 2.
    psslint()
        .args(["decode", "-"])
        .write_stdin("a: 1\n")
        .assert()
        .code(0);
    psslint()
        .args(["decode", "no/such/file.yaml"])
        .assert()
        .code(2);
}
