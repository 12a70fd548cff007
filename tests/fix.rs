//! `psslint --fix` and `--diff` (README "--fix and --diff"): byte-exact results on the styles
//! people write (comments, flow, CRLF, BOM, anchors, JSON, a container without a
//! securityContext), the diff applied by `patch -p1` giving the same bytes as `--fix`, and
//! closure on the upstream fixtures and on the real corpus (`../shared`: SKIPPED when absent,
//! a failure in CI).

mod common;
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{copy_dir, run_in, temp_repo, write_file, Run};
use psslint::input::Input;
use psslint::lint::lint_inputs;
use psslint::manifest::json::decode_stream;
use psslint::manifest::yaml::ParseOptions;
use psslint::model::diagnostic::EditOp;
use psslint::model::field::FieldPath;
use psslint::model::level::Level;
use serde_json::Value;

const RESTRICTED_UNSAFE: &[&str] = &[
    "--fix",
    "--fix-level",
    "restricted",
    "--unsafe-fixes",
    "--no-config",
    "-",
];

/// `--fix` on standard input: the fixed stream.
fn fix_stdin(args: &[&str], input: &str) -> Run {
    let dir = temp_repo();
    let run = run_in(dir.path(), args, Some(input));
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    run
}

/// `../shared/DIR`, or `None` after saying SKIPPED (a failure under CI).
fn shared(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(rel);
    if p.is_dir() {
        return Some(p);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "../shared/{rel} is missing in CI"
    );
    support::skipped(&format!("../shared/{rel} not found"));
    None
}

#[test]
fn comments_quoting_and_yaml11_values_are_kept() {
    let input = "# top comment\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web # keep me\nspec:\n  containers:\n    # the app\n    - name: app   # trailing\n      image: \"nginx:1.27\"\n      securityContext:\n        privileged: yes  # was yes\n        allowPrivilegeEscalation: true\n";
    let run = fix_stdin(RESTRICTED_UNSAFE, input);
    assert_eq!(
        run.stdout,
        "# top comment\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web # keep me\nspec:\n  containers:\n    # the app\n    - name: app   # trailing\n      image: \"nginx:1.27\"\n      securityContext:\n        privileged: false  # was yes\n        allowPrivilegeEscalation: false\n        capabilities:\n          drop: [ALL]\n        runAsNonRoot: true\n        seccompProfile:\n          type: RuntimeDefault\n"
    );
    assert!(
        run.stderr.contains("fixed 5 of 5 findings"),
        "{}",
        run.stderr
    );
}

#[test]
fn flow_style_stays_flow() {
    let input = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n  - {name: app, image: nginx, securityContext: {allowPrivilegeEscalation: true, capabilities: {add: [NET_ADMIN, CHOWN]}}}\n  volumes: [{name: d, hostPath: {path: /x}}]\n";
    let run = fix_stdin(RESTRICTED_UNSAFE, input);
    assert_eq!(
        run.stdout,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n  - {name: app, image: nginx, securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}}\n  volumes: [{name: d, emptyDir: {}}]\n"
    );
}

#[test]
fn crlf_line_breaks_are_kept_and_a_container_without_security_context_gets_one() {
    let input = "apiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: web\r\nspec:\r\n  containers:\r\n  - name: app\r\n    image: nginx\r\n";
    let run = fix_stdin(RESTRICTED_UNSAFE, input);
    assert_eq!(
        run.stdout,
        "apiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: web\r\nspec:\r\n  containers:\r\n  - name: app\r\n    securityContext:\r\n      allowPrivilegeEscalation: false\r\n      capabilities:\r\n        drop: [ALL]\r\n      runAsNonRoot: true\r\n      seccompProfile:\r\n        type: RuntimeDefault\r\n    image: nginx\r\n"
    );
}

#[test]
fn a_byte_order_mark_is_kept() {
    let input = "\u{feff}apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  hostNetwork: true\n  containers:\n  - name: app\n    image: nginx\n";
    let run = fix_stdin(&["--fix", "--unsafe-fixes", "--no-config", "-"], input);
    assert_eq!(
        run.stdout,
        "\u{feff}apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  hostNetwork: false\n  containers:\n  - name: app\n    image: nginx\n"
    );
}

#[test]
fn json_stays_json_in_its_own_layout() {
    let input = "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Pod\",\n  \"metadata\": {\n    \"name\": \"web\"\n  },\n  \"spec\": {\n    \"containers\": [\n      {\n        \"name\": \"app\",\n        \"image\": \"nginx\",\n        \"securityContext\": {\n          \"seccompProfile\": {\"type\": \"Unconfined\"}\n        }\n      }\n    ]\n  }\n}\n";
    let run = fix_stdin(RESTRICTED_UNSAFE, input);
    assert_eq!(
        run.stdout,
        "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Pod\",\n  \"metadata\": {\n    \"name\": \"web\"\n  },\n  \"spec\": {\n    \"containers\": [\n      {\n        \"name\": \"app\",\n        \"image\": \"nginx\",\n        \"securityContext\": {\n          \"seccompProfile\": {\"type\": \"RuntimeDefault\"},\n          \"allowPrivilegeEscalation\": false,\n          \"capabilities\": {\"drop\": [\"ALL\"]},\n          \"runAsNonRoot\": true\n        }\n      }\n    ]\n  }\n}\n"
    );
    let fixed: Value = serde_json::from_str(&run.stdout).expect("still JSON");
    assert_eq!(
        fixed["spec"]["containers"][0]["securityContext"]["runAsNonRoot"],
        true
    );
}

const EDGES: &str = r#"apiVersion: v1
kind: Pod
metadata:
  name: web
  annotations:
    seccomp.security.alpha.kubernetes.io/pod: unconfined
spec:
  securityContext:
    sysctls:
    - name: kernel.msgmax
      value: "1"
    - name: net.ipv4.ip_local_port_range
      value: "1024 65535"
  containers:
  - name: a
    image: x
    securityContext:
  - name: b
    image: x
    securityContext: null
  - name: c
    image: x
    securityContext: {}
  - name: d
    image: x
    ports:
    - hostPort: 80
      containerPort: 80
    - containerPort: 81
      hostPort: 81
    - {containerPort: 82, hostPort: 82}
    securityContext:
      capabilities:
        drop:
        - NET_RAW
        add:
        - NET_ADMIN
        - CHOWN
      runAsUser: 0
      seLinuxOptions: {type: spc_t, user: u}
    livenessProbe:
      httpGet: {host: example.com, port: 80}
"#;

#[test]
fn null_and_empty_contexts_list_items_and_first_entries_of_items() {
    // `securityContext:` (null), `null` and `{}`; a hostPort first in its item, second, and in
    // a flow item; a block `drop` list appended to and an `add` list removed; `runAsUser: 0`
    // removed; SELinux options fixed in flow style; a probe's host removed; one of two sysctls.
    let run = fix_stdin(RESTRICTED_UNSAFE, EDGES);
    assert_eq!(
        run.stdout,
        r#"apiVersion: v1
kind: Pod
metadata:
  name: web
  annotations:
    seccomp.security.alpha.kubernetes.io/pod: unconfined
spec:
  securityContext:
    sysctls:
    - name: net.ipv4.ip_local_port_range
      value: "1024 65535"
  containers:
  - name: a
    image: x
    securityContext:
      allowPrivilegeEscalation: false
      capabilities:
        drop: [ALL]
      runAsNonRoot: true
      seccompProfile:
        type: RuntimeDefault
  - name: b
    image: x
    securityContext:
      allowPrivilegeEscalation: false
      capabilities:
        drop: [ALL]
      runAsNonRoot: true
      seccompProfile:
        type: RuntimeDefault
  - name: c
    image: x
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  - name: d
    image: x
    ports:
    - containerPort: 80
    - containerPort: 81
    - {containerPort: 82}
    securityContext:
      capabilities:
        drop:
        - NET_RAW
        - ALL
      allowPrivilegeEscalation: false
      runAsNonRoot: true
      seccompProfile:
        type: RuntimeDefault
      seLinuxOptions: {type: container_t}
    livenessProbe:
      httpGet: {port: 80}
"#
    );
    assert!(
        run.stderr.contains("fixed 9 of 9 findings"),
        "{}",
        run.stderr
    );
}

const ANCHORS: &str = "apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: web}
  spec:
    hostNetwork: &on true
    hostPID: *on
    containers:
    - name: app
      image: nginx
      securityContext: &sc
        allowPrivilegeEscalation: true
    - name: side
      image: busybox
      securityContext: *sc
- apiVersion: v1
  kind: Pod
  metadata: {name: db}
  spec:
    containers:
    - name: db
      image: postgres
      securityContext: &shared {allowPrivilegeEscalation: true}
- apiVersion: example.com/v1
  kind: Widget
  metadata: {name: w}
  spec: {settings: *shared}
";

#[test]
fn an_anchor_is_edited_only_when_every_user_is_fixed_the_same_way() {
    let run = fix_stdin(
        &[
            "--fix",
            "--fix-level",
            "restricted",
            "--unsafe-fixes",
            "--no-config",
            "--format",
            "json",
            "-",
        ],
        ANCHORS,
    );
    // &sc: both containers are fixed alike, so the anchored text is. &shared: the Widget uses
    // it too and is not fixed, so it stays. &on (an anchored scalar) stays; the alias `*on`
    // is replaced by the value, which changes only hostPID.
    assert_eq!(
        run.stdout,
        "apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: web}
  spec:
    hostNetwork: &on true
    hostPID: false
    containers:
    - name: app
      image: nginx
      securityContext: &sc
        allowPrivilegeEscalation: false
        capabilities:
          drop: [ALL]
        runAsNonRoot: true
        seccompProfile:
          type: RuntimeDefault
    - name: side
      image: busybox
      securityContext: *sc
- apiVersion: v1
  kind: Pod
  metadata: {name: db}
  spec:
    containers:
    - name: db
      image: postgres
      securityContext: &shared {allowPrivilegeEscalation: true}
- apiVersion: example.com/v1
  kind: Widget
  metadata: {name: w}
  spec: {settings: *shared}
"
    );
    assert!(
        run.stderr.contains("not fixed: <stdin>:8:5: hostNamespaces: cannot edit items[0].spec.hostNetwork: the value carries an anchor"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("<stdin>:30:33: allowPrivilegeEscalation: items[1].spec.containers[0].securityContext.allowPrivilegeEscalation is written at line 30 in text that an anchor shares"),
        "{}",
        run.stderr
    );
}

#[test]
fn unsafe_fixes_wait_for_the_flag_and_the_output_says_so() {
    let input = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: app\n    image: nginx\n    securityContext:\n      privileged: true\n      procMount: Unmasked\n";
    let run = fix_stdin(&["--fix", "--no-config", "-"], input);
    // procMount's fix is automatic; privileged: false can stop the workload working.
    assert_eq!(
        run.stdout,
        input.replace("procMount: Unmasked", "procMount: Default")
    );
    assert!(
        run.stderr.contains("not fixed: <stdin>:10:7: privileged: unsafe: it can change how the workload runs; apply it with --unsafe-fixes"),
        "{}",
        run.stderr
    );
    assert_eq!(run.code, 1, "the privileged container is still an error");
}

#[test]
fn allow_privilege_escalation_waits_for_privileged_to_go() {
    // The API server rejects `allowPrivilegeEscalation: false` with `privileged: true`.
    let input = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: app\n    image: nginx\n    securityContext:\n      privileged: true\n";
    let safe = fix_stdin(
        &["--fix", "--fix-level", "restricted", "--no-config", "-"],
        input,
    );
    assert!(
        !safe.stdout.contains("allowPrivilegeEscalation"),
        "{}",
        safe.stdout
    );
    assert!(
        safe.stderr.contains("allowPrivilegeEscalation: the API server rejects allowPrivilegeEscalation: false next to privileged: true"),
        "{}",
        safe.stderr
    );
    let all = fix_stdin(RESTRICTED_UNSAFE, input);
    for line in [
        "      privileged: false\n",
        "      allowPrivilegeEscalation: false\n",
    ] {
        assert!(all.stdout.contains(line), "{}", all.stdout);
    }
    assert!(
        all.stderr.contains("fixed 5 of 5 findings"),
        "{}",
        all.stderr
    );
}

#[test]
fn a_cluster_snapshot_is_context_and_never_edited() {
    let dir = temp_repo();
    let snap = "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"namespace\":\"default\"},\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"x\",\"securityContext\":{\"procMount\":\"Unmasked\"}}]}}]}\n";
    write_file(dir.path(), "snap.json", snap);
    write_file(
        dir.path(),
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
    );
    let run = run_in(
        dir.path(),
        &[
            "--fix",
            "--no-config",
            "--cluster-snapshot",
            "snap.json",
            "cm.yaml",
        ],
        None,
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("snap.json")).unwrap(),
        snap
    );
    assert!(
        run.stderr
            .contains("snap.json:1:186: procMount: the file is a --cluster-snapshot"),
        "{}",
        run.stderr
    );
}

#[test]
fn helm_rendered_documents_and_unparsable_files_are_never_edited() {
    let dir = temp_repo();
    let rendered = "---\n# Source: web/templates/pod.yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: app\n    image: nginx\n    securityContext:\n      procMount: Unmasked\n";
    let broken = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  name: again\nspec:\n  containers:\n  - name: app\n    image: nginx\n    securityContext:\n      procMount: Unmasked\n";
    write_file(dir.path(), "rendered.yaml", rendered);
    write_file(dir.path(), "broken.yaml", broken);
    let run = run_in(dir.path(), &["--fix", "--no-config", "."], None);
    assert_eq!(
        fs::read_to_string(dir.path().join("rendered.yaml")).unwrap(),
        rendered
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("broken.yaml")).unwrap(),
        broken
    );
    assert!(
        run.stderr
            .contains("rendered by Helm from web/templates/pod.yaml: fix the template"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("the file has a duplicate-key problem at line 5"),
        "{}",
        run.stderr
    );
}

#[test]
fn fix_level_and_unsafe_fixes_need_fix_or_diff() {
    let dir = temp_repo();
    let run = run_in(dir.path(), &["--unsafe-fixes", "."], None);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("need --fix or --diff"),
        "{}",
        run.stderr
    );
}

/// Files in several styles, for the diff tests.
fn styled_repo() -> tempfile::TempDir {
    let dir = temp_repo();
    write_file(dir.path(), "k8s/crlf.yaml", "apiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: a\r\nspec:\r\n  containers:\r\n  - name: app\r\n    image: nginx\r\n");
    write_file(dir.path(), "k8s/no-final-newline.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: b\nspec:\n  hostPID: true\n  containers:\n  - name: app\n    image: nginx\n    securityContext: {privileged: true}");
    write_file(dir.path(), "k8s/bom.json", "\u{feff}{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"c\"}, \"spec\": {\"containers\": [{\"name\": \"app\", \"image\": \"nginx\"}]}}\n");
    write_file(
        dir.path(),
        "k8s/clean.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\n",
    );
    dir
}

fn tree_bytes(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for name in [
        "crlf.yaml",
        "no-final-newline.yaml",
        "bom.json",
        "clean.yaml",
    ] {
        out.insert(
            name.to_string(),
            fs::read(dir.join("k8s").join(name)).unwrap(),
        );
    }
    out
}

#[test]
fn the_diff_applies_with_patch_and_git_apply_and_gives_the_fixed_bytes() {
    let args = [
        "--fix-level",
        "restricted",
        "--unsafe-fixes",
        "--no-config",
        "k8s",
    ];
    let fixed = styled_repo();
    let before = tree_bytes(fixed.path());
    let mut fix_args = vec!["--fix"];
    fix_args.extend(args);
    run_in(fixed.path(), &fix_args, None);
    let after = tree_bytes(fixed.path());
    assert_ne!(before, after);
    assert_eq!(before["clean.yaml"], after["clean.yaml"]);

    let mut diff_args = vec!["--diff"];
    diff_args.extend(args);
    for tool in ["patch", "git"] {
        let dir = styled_repo();
        let run = run_in(dir.path(), &diff_args, None);
        assert_eq!(run.code, 1, "--diff exits 1 when there are changes");
        assert_eq!(tree_bytes(dir.path()), before, "--diff writes nothing");
        let patch = dir.path().join("fix.patch");
        fs::write(&patch, &run.stdout).unwrap();
        let status = match tool {
            "patch" => Command::new("patch")
                .args(["-p1", "--binary", "-s", "-i"])
                .arg(&patch)
                .current_dir(dir.path())
                .status(),
            _ => Command::new("git")
                .args(["apply", "--whitespace=nowarn"])
                .arg(&patch)
                .current_dir(dir.path())
                .status(),
        };
        match status {
            Ok(s) => assert!(s.success(), "{tool} failed on:\n{}", run.stdout),
            Err(_) if std::env::var_os("CI").is_none() => {
                support::skipped(&format!("{tool} not installed"));
                continue;
            }
            Err(e) => panic!("{tool}: {e}"),
        }
        assert_eq!(
            tree_bytes(dir.path()),
            after,
            "{tool} -p1 gives what --fix wrote"
        );
    }
    // Once fixed, there is nothing left to diff.
    let run = run_in(fixed.path(), &diff_args, None);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.stdout, "");
}

/// The check ID a fixture file is named after (`runasnonroot0.yaml` → `runasnonroot`).
fn fixture_check(name: &str) -> String {
    name.trim_end_matches(".yaml")
        .trim_end_matches(|c: char| c.is_ascii_digit())
        .to_string()
}

#[test]
fn closure_on_the_upstream_fail_fixtures() {
    let Some(root) = shared("conformance/pss-fixtures") else {
        return;
    };
    let mut table: BTreeMap<(String, String), (usize, usize)> = BTreeMap::new();
    for level in ["baseline", "restricted"] {
        let dir = temp_repo();
        copy_dir(&root.join(level).join("v1.37/fail"), dir.path());
        let run = run_in(
            dir.path(),
            &[
                "--fix",
                "--fix-level",
                level,
                "--unsafe-fixes",
                "--no-config",
                "--format",
                "json",
                ".",
            ],
            None,
        );
        let left = run.json();
        // Every finding left must say why it was not fixed.
        let mut failing = BTreeSet::new();
        for d in left["diagnostics"].as_array().unwrap() {
            if d["severity"] == "error" {
                failing.insert(d["file"].as_str().unwrap().to_string());
                assert!(
                    d["fix"]["note"].is_string(),
                    "{level}: a finding left without a reason: {d}"
                );
            }
        }
        let mut names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".yaml"))
            .collect();
        names.sort();
        assert!(names.len() > 20, "{level}: {} fixtures", names.len());
        for n in names {
            let e = table
                .entry((level.to_string(), fixture_check(&n)))
                .or_default();
            e.1 += 1;
            if !failing.contains(&n) {
                e.0 += 1;
            }
        }
    }
    println!("share of fail fixtures that pass after --fix --fix-level L --unsafe-fixes:");
    for ((level, check), (fixed, total)) in &table {
        println!("  {level:10} {check:30} {fixed}/{total}");
    }
    let (fixed, total) = table.values().fold((0, 0), |(f, t), (a, b)| (f + a, t + b));
    println!("  all: {fixed}/{total}");
    // Every check has a safe or unsafe fix that closes its fixtures.
    assert_eq!(fixed, total, "{table:?}");
}

#[test]
fn every_fail_fixture_of_every_version_passes_after_fix() {
    let Some(root) = shared("conformance/pss-fixtures") else {
        return;
    };
    let mut dirs = 0;
    for level in ["baseline", "restricted"] {
        let mut versions: Vec<String> = fs::read_dir(root.join(level))
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|v| v.starts_with("v1."))
            .collect();
        versions.sort();
        for v in versions {
            let fail = root.join(level).join(&v).join("fail");
            if !fail.is_dir() {
                continue;
            }
            let dir = temp_repo();
            copy_dir(&fail, dir.path());
            let fix = run_in(
                dir.path(),
                &[
                    "--fix",
                    "--fix-level",
                    level,
                    "--pss-version",
                    &v,
                    "--unsafe-fixes",
                    "--no-config",
                    ".",
                ],
                None,
            );
            let check = run_in(
                dir.path(),
                &[
                    "--level",
                    level,
                    "--pss-version",
                    &v,
                    "--no-config",
                    "--format",
                    "concise",
                    ".",
                ],
                None,
            );
            assert_eq!(
                check.code, 0,
                "{level} {v}:\n{}\n{}",
                check.stdout, fix.stderr
            );
            dirs += 1;
        }
    }
    println!("{dirs} level/version fixture sets pass after --fix --unsafe-fixes");
    assert!(dirs >= 60, "{dirs}");
}

/// The decoded documents (the JSON the API server receives) of a file.
fn decoded(bytes: &[u8]) -> Vec<Option<String>> {
    let text = psslint::manifest::decode::decode(bytes).expect("UTF-8");
    decode_stream(text, &ParseOptions::default())
        .0
        .into_iter()
        .map(|d| d.json)
        .collect()
}

#[test]
fn closure_on_the_real_corpus() {
    let Some(corpus) = shared("corpus") else {
        return;
    };
    let dir = temp_repo();
    copy_dir(&corpus, dir.path());
    let inputs: Vec<PathBuf> = walk(dir.path());
    let original: BTreeMap<PathBuf, Vec<u8>> = inputs
        .iter()
        .map(|p| (p.clone(), fs::read(p).unwrap()))
        .collect();
    // The fields each finding's fix edits, per file, as the library reports them for the
    // file linted alone (so that a Pod whose owner is linted with it has its own findings:
    // once the owner's template is fixed, the Pod no longer matches it and gets fixed too).
    // The options are those `--level restricted --no-config` gives the CLI.
    let opts = psslint::cli::policy::PolicyArgs {
        level: Some(Level::Restricted),
        no_config: true,
        ..Default::default()
    }
    .lint_options()
    .expect("options");
    let edits_of = |p: &PathBuf| -> Vec<(FieldPath, EditOp)> {
        let report = lint_inputs(&[Input::File(p.clone())], &opts, |_: &Input| {
            Ok::<_, String>(original[p].clone())
        });
        report
            .diagnostics
            .iter()
            .flat_map(|d| d.fix.iter().flat_map(|f| &f.edits))
            .map(|e| (e.path.clone(), e.op.clone()))
            .collect()
    };

    let args = [
        "--fix",
        "--fix-level",
        "restricted",
        "--unsafe-fixes",
        "--no-config",
        ".",
    ];
    let first = run_in(dir.path(), &args, None);
    let fixed: BTreeMap<PathBuf, Vec<u8>> = inputs
        .iter()
        .map(|p| (p.clone(), fs::read(p).unwrap()))
        .collect();
    let changed: Vec<&PathBuf> = inputs
        .iter()
        .filter(|p| original[*p] != fixed[*p])
        .collect();
    println!("{}", first.stderr.lines().next().unwrap_or(""));
    println!("corpus: {} of {} files edited", changed.len(), inputs.len());
    assert!(changed.len() > 100, "{}", first.stderr);
    assert!(
        !first.stderr.contains("a bug in psslint --fix"),
        "{}",
        first.stderr
    );

    // A second run changes no byte.
    let second = run_in(dir.path(), &args, None);
    for p in &inputs {
        assert!(
            fs::read(p).unwrap() == fixed[p],
            "second --fix changed {}",
            p.display()
        );
    }
    assert!(second.stderr.contains("fixed 0 of"), "{}", second.stderr);

    // A re-lint shows only the findings the fix run reported as not fixed.
    let not_fixed: BTreeSet<String> = first
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("psslint: not fixed: "))
        .filter_map(|l| {
            let mut parts = l.splitn(5, ':');
            let (f, line, col, rule) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
            Some(format!("{f}:{line}:{col}:{}", rule.trim()))
        })
        .collect();
    let relint = run_in(
        dir.path(),
        &[
            "--level",
            "restricted",
            "--no-config",
            "--format",
            "json",
            ".",
        ],
        None,
    );
    let mut left = BTreeSet::new();
    for d in relint.json()["diagnostics"].as_array().unwrap() {
        if d["severity"] == "error" && d["level"].is_string() {
            // `check` names a finding in Helm output by its template or values line; --fix
            // (which never edits rendered output) by the rendered line it was found at.
            let at = match d["source_map"]["rendered"].as_object() {
                Some(r) => r,
                None => d.as_object().unwrap(),
            };
            left.insert(format!(
                "{}:{}:{}:{}",
                at["file"].as_str().unwrap(),
                at["line"],
                at["column"],
                d["rule"].as_str().unwrap()
            ));
        }
    }
    assert!(!left.is_empty());
    // Kustomizations are linted as built and never edited: --fix names their findings at the
    // built stream's lines, check at the base or patch line that set the field. Both sides
    // leave them out; what is compared is every file --fix may edit.
    let files: BTreeSet<String> = inputs
        .iter()
        .map(|p| {
            p.strip_prefix(dir.path())
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let editable = |k: &String| files.contains(k.rsplitn(4, ':').last().unwrap_or(""));
    let left: BTreeSet<String> = left.into_iter().filter(|k| editable(k)).collect();
    let not_fixed: BTreeSet<String> = not_fixed.into_iter().filter(|k| editable(k)).collect();
    let only_left: Vec<_> = left.difference(&not_fixed).collect();
    let only_reported: Vec<_> = not_fixed.difference(&left).collect();
    assert!(
        only_left.is_empty() && only_reported.is_empty(),
        "left but not reported as not fixed: {only_left:?}\nreported but not left: {only_reported:?}"
    );
    assert_eq!(
        left, not_fixed,
        "findings left vs findings reported as not fixed"
    );

    // Each edited document decodes to the same object except at the fixed fields.
    let mut compared = 0;
    for p in changed {
        let name = p
            .strip_prefix(dir.path())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let (old, new) = (decoded(&original[p]), decoded(&fixed[p]));
        assert_eq!(old.len(), new.len(), "{name}: documents");
        let file_edits = edits_of(p);
        for (a, b) in old.iter().zip(&new) {
            let (Some(a), Some(b)) = (a, b) else {
                assert_eq!(
                    a.is_some(),
                    b.is_some(),
                    "{name}: a document stopped decoding"
                );
                continue;
            };
            let (a, b): (Value, Value) = (
                serde_json::from_str(a).unwrap(),
                serde_json::from_str(b).unwrap(),
            );
            let mut diffs = Vec::new();
            psslint::fix::verify::differences(&a, &b, &mut Vec::new(), &mut diffs);
            for c in diffs {
                assert!(
                    file_edits
                        .iter()
                        .any(|(path, op)| psslint::fix::verify::explains(&c, path, op)),
                    "{name}: {c} changed but no fix edits it"
                );
            }
            compared += 1;
        }
    }
    println!("corpus: {compared} edited documents compared");
}

/// Every YAML and JSON file under `dir`, as `psslint .` would find them (no `.git`).
fn walk(dir: &Path) -> Vec<PathBuf> {
    let found = psslint::input::discover::discover(
        &[dir.to_path_buf()],
        &psslint::input::discover::DiscoverOptions {
            no_ignore: false,
            follow: false,
            threads: 2,
        },
    )
    .unwrap();
    let mut out: Vec<PathBuf> = found
        .inputs
        .into_iter()
        .filter_map(|i| i.path().map(Path::to_path_buf))
        // Charts and kustomizations are linted as rendered, and never edited.
        .filter(|p| !p.is_dir())
        .collect();
    out.sort();
    out
}
