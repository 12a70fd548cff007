//! The GitHub Action's shell steps, run locally the way the runner runs them: the `Run psslint`
//! step's command from action.yml, its `env:` mapping filled from the inputs (defaults from
//! action.yml), temporary `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY` files, and the built
//! binary first on `PATH`.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const CRATE: &str = env!("CARGO_MANIFEST_DIR");

const PRIVILEGED: &str = "apiVersion: v1
kind: Pod
metadata: {name: bad}
spec:
  containers:
  - name: app
    image: app
    securityContext: {privileged: true}
";

/// Only a warning: content after `...` is never sent by kubectl.
const WARNING_ONLY: &str = "apiVersion: v1
kind: ServiceAccount
metadata: {name: web}
...
apiVersion: v1
kind: ServiceAccount
";

const CLEAN: &str = "apiVersion: v1
kind: Pod
metadata: {name: ok}
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

/// What action.yml declares: input defaults, and the `Run psslint` step's env and command.
struct ActionYml {
    defaults: BTreeMap<String, String>,
    /// `INPUT_PATHS` → `paths`.
    env: BTreeMap<String, String>,
    run: String,
}

/// Reads the parts of action.yml the runner would use. The file keeps a plain layout (one key
/// per line) so that a line reader suffices here.
fn action_yml() -> ActionYml {
    let text = fs::read_to_string(Path::new(CRATE).join("action.yml")).expect("action.yml");
    let mut defaults = BTreeMap::new();
    let mut section = "";
    let mut input = String::new();
    let mut in_run_step = false;
    let mut env = BTreeMap::new();
    let mut run = String::new();
    for line in text.lines() {
        if !line.starts_with(' ') && line.ends_with(':') {
            section = line.trim_end_matches(':');
            continue;
        }
        let trimmed = line.trim();
        match section {
            "inputs" if line.starts_with("  ") && !line.starts_with("   ") => {
                input = trimmed.trim_end_matches(':').to_string();
            }
            "inputs" => {
                if let Some(v) = trimmed.strip_prefix("default:") {
                    defaults.insert(input.clone(), v.trim().trim_matches('"').to_string());
                }
            }
            "runs" => {
                if trimmed.starts_with("- name:") {
                    in_run_step = trimmed == "- name: Run psslint";
                } else if in_run_step {
                    if let Some(cmd) = trimmed.strip_prefix("run:") {
                        run = cmd.trim().to_string();
                    } else if let Some((var, value)) = trimmed.split_once(": ${{ inputs.") {
                        env.insert(var.to_string(), value.trim_end_matches(" }}").to_string());
                    }
                }
            }
            _ => {}
        }
    }
    ActionYml { defaults, env, run }
}

struct Run {
    status: Option<i32>,
    stdout: String,
    outputs: BTreeMap<String, String>,
    summary: String,
    dir: tempfile::TempDir,
}

/// Runs the step in a fresh workspace holding `files`, with `inputs` over the defaults.
fn run_action(files: &[(&str, &str)], inputs: &[(&str, &str)]) -> Run {
    let bin_dir = PathBuf::from(env!("CARGO_BIN_EXE_psslint"))
        .parent()
        .expect("bin dir")
        .to_path_buf();
    run_action_with(files, inputs, &bin_dir)
}

/// [`run_action`] with the `psslint` of `bin_dir` first on `PATH`.
fn run_action_with(files: &[(&str, &str)], inputs: &[(&str, &str)], bin_dir: &Path) -> Run {
    let action = action_yml();
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, text).expect("write");
    }
    let output_file = dir.path().join("github_output");
    let summary_file = dir.path().join("step_summary");
    fs::write(&summary_file, "").expect("summary file");

    let path = std::env::join_paths(std::iter::once(bin_dir.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .expect("PATH");

    let mut cmd = Command::new("bash");
    cmd.arg("-c")
        .arg(&action.run)
        .current_dir(dir.path())
        .env("PATH", path)
        .env("GITHUB_ACTION_PATH", CRATE)
        .env("GITHUB_OUTPUT", &output_file)
        .env("GITHUB_STEP_SUMMARY", &summary_file)
        .env("GITHUB_WORKSPACE", dir.path())
        .env("GITHUB_ACTIONS", "true")
        .env_remove("NO_COLOR");
    for (var, input) in &action.env {
        let value = inputs
            .iter()
            .find(|(k, _)| k == input)
            .map(|(_, v)| v.to_string())
            .or_else(|| action.defaults.get(input).cloned())
            .unwrap_or_default();
        cmd.env(var, value);
    }
    let Output { status, stdout, .. } = cmd.output().expect("bash runs");
    let outputs = fs::read_to_string(&output_file)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Run {
        status: status.code(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        outputs,
        summary: fs::read_to_string(&summary_file).unwrap_or_default(),
        dir,
    }
}

#[test]
fn action_yml_maps_every_input_to_the_step() {
    let action = action_yml();
    let inputs: Vec<&str> = action.defaults.keys().map(String::as_str).collect();
    assert_eq!(
        inputs,
        [
            "admission-config",
            "allow-unchecked",
            "args",
            "config",
            "fail-on",
            "format",
            "kubernetes",
            "level",
            "namespace",
            "paths",
            "pss-version",
            "release-name",
            "render-timeout",
            "sarif-file",
            "set",
            "set-string",
            "values",
            "version"
        ]
    );
    // `version` is for the install step; every other input reaches the run step.
    let mapped: Vec<&str> = action.env.values().map(String::as_str).collect();
    for input in inputs.iter().filter(|i| **i != "version") {
        assert!(
            mapped.contains(input),
            "{input} is not passed to the run step"
        );
    }
    assert_eq!(
        action.run,
        r#"bash "$GITHUB_ACTION_PATH/scripts/action-run.sh""#
    );
}

#[test]
fn fail_on_error_fails_on_errors_and_sets_the_outputs() {
    let run = run_action(
        &[("k8s/bad.yaml", PRIVILEGED), ("k8s/ok.yaml", CLEAN)],
        &[
            ("paths", "k8s"),
            ("level", "baseline"),
            ("sarif-file", "out/psslint.sarif"),
        ],
    );
    assert_eq!(run.status, Some(1), "{}", run.stdout);
    assert_eq!(run.outputs["errors"], "1");
    assert_eq!(run.outputs["warnings"], "0");
    assert_eq!(run.outputs["sarif-file"], "out/psslint.sarif");
    // The default format annotates the diff and writes the job summary.
    assert!(
        run.stdout.contains("::error file=k8s/bad.yaml,line=8,"),
        "{}",
        run.stdout
    );
    assert!(run.summary.contains("## psslint"), "{}", run.summary);
    assert!(
        run.summary.contains("rules/privileged.md"),
        "{}",
        run.summary
    );
    let sarif: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(run.dir.path().join("out/psslint.sarif")).expect("SARIF written"),
    )
    .expect("SARIF is JSON");
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "privileged");
}

#[test]
fn fail_on_decides_the_exit_status() {
    let errors = [("bad.yaml", PRIVILEGED)];
    let warnings = [("warn.yaml", WARNING_ONLY)];
    let clean = [("ok.yaml", CLEAN)];
    type Files<'a> = &'a [(&'a str, &'a str)];
    let cases: [(Files, &str, i32); 9] = [
        (&errors, "error", 1),
        (&errors, "warning", 1),
        (&errors, "never", 0),
        (&warnings, "error", 0),
        (&warnings, "warning", 1),
        (&warnings, "never", 0),
        (&clean, "error", 0),
        (&clean, "warning", 0),
        (&clean, "never", 0),
    ];
    for (files, fail_on, expected) in cases {
        let run = run_action(files, &[("fail-on", fail_on), ("format", "concise")]);
        assert_eq!(
            run.status,
            Some(expected),
            "{} with fail-on {fail_on}: {}",
            files[0].0,
            run.stdout
        );
    }
    let run = run_action(&warnings, &[("fail-on", "warning")]);
    assert_eq!(run.outputs["errors"], "0");
    assert_eq!(run.outputs["warnings"], "1");
    assert!(
        run.stdout.contains("::warning file=warn.yaml,"),
        "{}",
        run.stdout
    );
}

#[test]
fn other_formats_still_get_a_job_summary() {
    let run = run_action(&[("bad.yaml", PRIVILEGED)], &[("format", "human")]);
    assert_eq!(run.status, Some(1));
    assert!(run.stdout.contains("privileged"), "{}", run.stdout);
    assert!(!run.stdout.contains("::error"), "{}", run.stdout);
    assert!(run.summary.contains("## psslint"), "{}", run.summary);
}

#[test]
fn bad_inputs_fail_clearly_with_status_2() {
    let files = [("ok.yaml", CLEAN)];
    let run = run_action(&files, &[("fail-on", "sometimes")]);
    assert_eq!(run.status, Some(2));
    assert!(run.stdout.contains("fail-on must be"), "{}", run.stdout);

    // A config file that does not exist stops psslint itself.
    let run = run_action(&files, &[("config", "policy.yaml")]);
    assert_eq!(run.status, Some(2));

    let run = run_action(&files, &[("level", "strict")]);
    assert_eq!(run.status, Some(2));

    let run = run_action(&files, &[("paths", "missing")]);
    assert_eq!(run.status, Some(2));
}

#[test]
fn the_cache_key_follows_the_version_or_the_source() {
    let key = |version: &str| {
        let out = Command::new("bash")
            .arg(Path::new(CRATE).join("scripts/action-install.sh"))
            .arg("key")
            .env("INPUT_VERSION", version)
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env_remove("GITHUB_OUTPUT")
            .env_remove("GITHUB_PATH")
            .output()
            .expect("bash runs");
        assert!(out.status.success());
        String::from_utf8(out.stdout)
            .expect("UTF-8")
            .trim()
            .to_string()
    };
    assert_eq!(key("0.1.0"), "psslint-Linux-X64-crates-0.1.0");
    let source = key("");
    assert!(source.starts_with("psslint-Linux-X64-source-"), "{source}");
    assert_eq!(source, key(""), "the key is stable");
}

/// A Pod with no namespace and a privileged container.
const PRIVILEGED_NO_NAMESPACE: &str = "apiVersion: v1
kind: Pod
metadata: {name: agent}
spec:
  containers:
  - name: agent
    image: agent
    securityContext: {privileged: true}
";

fn annotations(run: &Run, kind: &str) -> Vec<String> {
    run.stdout
        .lines()
        .filter(|l| l.starts_with(&format!("::{kind} file=")))
        .map(str::to_string)
        .collect()
}

#[test]
fn paths_with_spaces_one_per_line_or_quoted() {
    let files = [
        ("my k8s/bad.yaml", PRIVILEGED),
        ("other dir/bad.yaml", PRIVILEGED),
        ("skipped/bad.yaml", PRIVILEGED),
    ];
    for paths in [
        "my k8s\nother dir/bad.yaml\n",
        "  my k8s  \n\n  other dir/bad.yaml",
        r#""my k8s" 'other dir/bad.yaml'"#,
        r"my\ k8s other\ dir/bad.yaml",
    ] {
        let run = run_action(&files, &[("paths", paths), ("level", "baseline")]);
        assert_eq!(run.status, Some(1), "{paths:?}: {}", run.stdout);
        let errors = annotations(&run, "error");
        assert_eq!(errors.len(), 2, "{paths:?}: {}", run.stdout);
        assert!(errors[0].starts_with("::error file=my k8s/bad.yaml,line=8,"));
        assert!(errors[1].starts_with("::error file=other dir/bad.yaml,line=8,"));
        assert_eq!(run.outputs["errors"], "2");
    }
    // Nothing is expanded: a glob or a variable is a path that does not exist.
    for paths in ["*/bad.yaml", "$HOME", "$(echo skipped)"] {
        let run = run_action(&files, &[("paths", paths)]);
        assert_eq!(run.status, Some(2), "{paths:?}: {}", run.stdout);
    }
    let run = run_action(&files, &[("paths", r#""my k8s"#)]);
    assert_eq!(run.status, Some(2));
    assert!(run.stdout.contains("cannot split"), "{}", run.stdout);
}

#[test]
fn the_policy_inputs_reach_psslint() {
    // admission-config: the cluster enforces restricted; a path with a space.
    let admission = "apiVersion: pod-security.admission.config.k8s.io/v1
kind: PodSecurityConfiguration
defaults: {enforce: restricted, enforce-version: latest}
";
    let files = [
        ("k8s/pod.yaml", WARNING_FREE_RESTRICTED_FAIL),
        ("cluster config/admission.yaml", admission),
    ];
    let run = run_action(&files, &[("paths", "k8s")]);
    assert_eq!(run.status, Some(0), "{}", run.stdout);
    assert!(annotations(&run, "error").is_empty(), "{}", run.stdout);
    let run = run_action(
        &files,
        &[
            ("paths", "k8s"),
            ("admission-config", "cluster config/admission.yaml"),
        ],
    );
    assert_eq!(run.status, Some(1), "{}", run.stdout);
    assert!(!annotations(&run, "error").is_empty(), "{}", run.stdout);

    // namespace: objects without one belong to `tools`, whose Namespace enforces privileged.
    let tools = "apiVersion: v1
kind: Namespace
metadata:
  name: tools
  labels: {pod-security.kubernetes.io/enforce: privileged}
";
    let files = [
        ("agent.yaml", PRIVILEGED_NO_NAMESPACE),
        ("ns/tools.yaml", tools),
    ];
    let run = run_action(&files, &[]);
    assert_eq!(run.status, Some(1), "{}", run.stdout);
    let run = run_action(&files, &[("namespace", "tools")]);
    assert_eq!(run.status, Some(0), "{}", run.stdout);

    // args: only the Pod is linted, and the Namespace is read from a directory with a space.
    let files = [
        ("agent.yaml", PRIVILEGED_NO_NAMESPACE),
        ("name spaces/tools.yaml", tools),
    ];
    let run = run_action(
        &files,
        &[
            ("paths", "agent.yaml"),
            (
                "args",
                r#"--namespace tools --namespaces-from "name spaces""#,
            ),
        ],
    );
    assert_eq!(run.status, Some(0), "{}", run.stdout);
    assert!(
        annotations(&run, "warning")[0].contains("file=agent.yaml,"),
        "{}",
        run.stdout
    );
    let run = run_action(
        &files,
        &[("paths", "agent.yaml"), ("args", "--namespace tools")],
    );
    assert_eq!(run.status, Some(1), "{}", run.stdout);

    // kubernetes: a host probe fails baseline from v1.34 on; a v1.33 cluster's `latest`
    // does not check it.
    let probe = "apiVersion: v1
kind: Pod
metadata: {name: probe}
spec:
  containers:
  - name: app
    image: app
    readinessProbe: {httpGet: {host: 10.0.0.1, port: 80}}
";
    let files = [("probe.yaml", probe)];
    let run = run_action(&files, &[("level", "baseline")]);
    assert_eq!(run.status, Some(1), "{}", run.stdout);
    let run = run_action(&files, &[("level", "baseline"), ("kubernetes", "v1.33")]);
    assert_eq!(run.status, Some(0), "{}", run.stdout);

    // allow-unchecked: input that cannot be parsed is a warning, not a failure.
    let files = [(
        "broken.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p\n",
    )];
    let run = run_action(&files, &[]);
    assert_eq!(run.status, Some(1), "{}", run.stdout);
    let run = run_action(&files, &[("allow-unchecked", "true")]);
    assert_eq!(run.status, Some(0), "{}", run.stdout);
    assert_eq!(run.outputs["warnings"], "1");
    let run = run_action(&files, &[("allow-unchecked", "yes")]);
    assert_eq!(run.status, Some(2), "{}", run.stdout);
    assert!(
        run.stdout.contains("allow-unchecked must be"),
        "{}",
        run.stdout
    );
}

/// Passes `baseline`, fails `restricted` (with no warning-only findings of its own).
const WARNING_FREE_RESTRICTED_FAIL: &str = "apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - name: web
    image: web
";

/// Runs `action-install.sh install` with `env`; returns the status and the output.
fn install(env: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut cmd = Command::new("bash");
    cmd.arg(Path::new(CRATE).join("scripts/action-install.sh"))
        .arg("install")
        .env_remove("GITHUB_OUTPUT")
        .env_remove("INPUT_VERSION");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("bash runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

/// A release archive holding a `psslint` that prints `psslint VERSION (release)`; its SHA-256.
fn fake_release(dir: &Path, version: &str, target: &str) -> String {
    let stage = dir.join("stage");
    fs::create_dir_all(&stage).expect("mkdir");
    let bin = stage.join("psslint");
    fs::write(
        &bin,
        format!("#!/bin/sh\necho 'psslint {version} (release)'\n"),
    )
    .expect("write");
    let release = dir.join("releases").join(format!("v{version}"));
    fs::create_dir_all(&release).expect("mkdir");
    let archive = release.join(format!("psslint-{version}-{target}.tar.gz"));
    let status = Command::new("tar")
        .arg("-czf")
        .arg(&archive)
        .arg("-C")
        .arg(&stage)
        .arg("psslint")
        .status()
        .expect("tar");
    assert!(status.success());
    let out = Command::new("sha256sum")
        .arg(&archive)
        .output()
        .expect("sha256sum");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .expect("hash")
        .to_string()
}

fn script_says(what: &str) -> String {
    let out = Command::new("bash")
        .arg(Path::new(CRATE).join("scripts/action-install.sh"))
        .arg(what)
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .output()
        .expect("bash runs");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn a_release_binary_is_downloaded_only_with_the_committed_checksum() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = script_says("target");
    assert_eq!(target, "x86_64-unknown-linux-musl");
    let sha = fake_release(dir.path(), "9.9.9", &target);
    let releases = format!("file://{}", dir.path().join("releases").display());
    let home = dir.path().join("home");
    let gh_path = dir.path().join("github_path");
    let checksums = dir.path().join("checksums.txt");
    let env = |checksums: &Path| {
        vec![
            ("RUNNER_OS".to_string(), "Linux".to_string()),
            ("RUNNER_ARCH".to_string(), "X64".to_string()),
            ("PSSLINT_RELEASES_URL".to_string(), releases.clone()),
            (
                "PSSLINT_CHECKSUMS".to_string(),
                checksums.display().to_string(),
            ),
            ("PSSLINT_HOME".to_string(), home.display().to_string()),
            ("GITHUB_PATH".to_string(), gh_path.display().to_string()),
        ]
    };
    let run = |version: &str, checksums: &Path| {
        let owned = env(checksums);
        let mut pairs: Vec<(&str, &str)> = owned
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        pairs.push(("INPUT_VERSION", version));
        install(&pairs)
    };

    // Listed by version: downloaded, checked, installed, put on PATH.
    fs::write(
        &checksums,
        format!("# comment\n\n9.9.9 0000 {target} {sha}\n9.9.9 0000 aarch64-apple-darwin {sha}\n"),
    )
    .expect("write");
    let (status, out) = run("v9.9.9", &checksums);
    assert_eq!(status, Some(0), "{out}");
    assert!(out.contains("psslint 9.9.9 (release)"), "{out}");
    assert!(home.join("bin/psslint").is_file());
    assert_eq!(
        fs::read_to_string(&gh_path).expect("GITHUB_PATH").trim(),
        home.join("bin").display().to_string()
    );

    // Listed by the action's own source hash: no version needed.
    fs::remove_dir_all(&home).expect("rm");
    let source = script_says("source-hash");
    fs::write(&checksums, format!("9.9.9 {source} {target} {sha}\n")).expect("write");
    let (status, out) = run("", &checksums);
    assert_eq!(status, Some(0), "{out}");
    assert!(out.contains("psslint 9.9.9 (release)"), "{out}");

    // A download whose checksum differs from the committed one is refused.
    fs::remove_dir_all(&home).expect("rm");
    let wrong = format!(
        "{}{}",
        &sha[..63],
        if sha.ends_with('0') { "1" } else { "0" }
    );
    fs::write(&checksums, format!("9.9.9 0000 {target} {wrong}\n")).expect("write");
    let (status, out) = run("9.9.9", &checksums);
    assert_eq!(status, Some(2), "{out}");
    assert!(out.contains("refusing it"), "{out}");
    assert!(!home.join("bin/psslint").exists());

    // A missing download is an error, not a silent build of something else.
    fs::write(&checksums, format!("9.9.8 0000 {target} {sha}\n")).expect("write");
    let (status, out) = run("9.9.8", &checksums);
    assert_eq!(status, Some(2), "{out}");
    assert!(out.contains("cannot download"), "{out}");
}

#[test]
fn without_a_release_binary_the_action_builds_its_own_source() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("home");
    let checksums = dir.path().join("none.txt");
    fs::write(&checksums, "# no releases\n").expect("write");
    let target = PathBuf::from(env!("CARGO_BIN_EXE_psslint"))
        .ancestors()
        .nth(2)
        .expect("target dir")
        .join("pre-commit-cargo");
    let (status, out) = install(&[
        ("PSSLINT_HOME", &home.display().to_string()),
        ("PSSLINT_CHECKSUMS", &checksums.display().to_string()),
        // The build is the action's; at debug cost, sharing the pre-commit test's cache.
        ("CARGO_TARGET_DIR", &target.display().to_string()),
        ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0"),
        ("CARGO_PROFILE_RELEASE_LTO", "false"),
        ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"),
        ("CARGO_PROFILE_RELEASE_DEBUG", "false"),
    ]);
    assert_eq!(status, Some(0), "{out}");
    assert!(
        out.contains(&format!("psslint {}", env!("CARGO_PKG_VERSION"))),
        "{out}"
    );
    assert!(home.join("bin/psslint").is_file());
}

/// Every input becomes exactly the psslint arguments it stands for, spaces and quotes intact:
/// a stub `psslint` records its argv (and writes the JSON report the step reads).
#[test]
fn every_input_becomes_its_arguments_exactly() {
    let stub = tempfile::tempdir().expect("tempdir");
    let argv = stub.path().join("argv");
    let script = format!(
        r#"#!/usr/bin/env bash
printf '%s\n' "$@" > '{}'
for a in "$@"; do
  case "$a" in json=*) printf '{{\n  "summary": {{\n    "errors": 0,\n    "warnings": 0\n  }}\n}}\n' > "${{a#json=}}" ;; esac
done
"#,
        argv.display()
    );
    let bin = stub.path().join("psslint");
    fs::write(&bin, script).expect("stub");
    let status = Command::new("chmod")
        .arg("+x")
        .arg(&bin)
        .status()
        .expect("chmod");
    assert!(status.success());
    let run = run_action_with(
        &[],
        &[
            ("paths", "charts/web app\ndeploy/my overlay\n"),
            ("level", "restricted"),
            ("pss-version", "v1.33"),
            ("config", "ci/psslint config.yaml"),
            ("admission-config", "cluster/admission config.yaml"),
            ("namespace", "shop"),
            ("kubernetes", "v1.33"),
            ("allow-unchecked", "true"),
            ("values", "values/prod.yaml 'values/eu west.yaml'"),
            ("set", "image.tag=1.2.3\n  ingress.host=a b.example  \n"),
            ("set-string", "podLabels.team=web"),
            ("release-name", "web prod"),
            ("render-timeout", "60s"),
            ("args", r#"--namespaces-from "k8s/name spaces" --no-ignore"#),
            ("format", "concise"),
            ("fail-on", "warning"),
        ],
        stub.path(),
    );
    assert_eq!(run.status, Some(0), "{}", run.stdout);
    let got = fs::read_to_string(&argv).expect("argv");
    let got: Vec<&str> = got.lines().collect();
    let report = got
        .iter()
        .find(|a| a.starts_with("json="))
        .expect("a JSON report")
        .to_string();
    let expected = [
        "check",
        "--format",
        "concise",
        "--fail-on",
        "warning",
        "--level",
        "restricted",
        "--pss-version",
        "v1.33",
        "--config",
        "ci/psslint config.yaml",
        "--admission-config",
        "cluster/admission config.yaml",
        "--namespace",
        "shop",
        "--kubernetes",
        "v1.33",
        "--values",
        "values/prod.yaml",
        "--values",
        "values/eu west.yaml",
        "--set",
        "image.tag=1.2.3",
        "--set",
        "ingress.host=a b.example",
        "--set-string",
        "podLabels.team=web",
        "--release-name",
        "web prod",
        "--render-timeout",
        "60s",
        "--allow-unchecked",
        "--namespaces-from",
        "k8s/name spaces",
        "--no-ignore",
        "--output",
        &report,
        "--output",
        "markdown=",
        "--",
        "charts/web app",
        "deploy/my overlay",
    ];
    // The Markdown summary goes to a temporary file: compare up to its name.
    assert_eq!(got.len(), expected.len(), "{got:#?}");
    for (g, e) in got.iter().zip(expected) {
        assert!(
            *g == e || (e == "markdown=" && g.starts_with(e)),
            "{got:#?}"
        );
    }
    assert_eq!(run.outputs["errors"], "0");
}

/// Chart and kustomization paths with values files: the chart is rendered with the values and
/// release name (a fake `helm` on `PATH` checks its argv and prints what Helm would), the
/// kustomization is built with the real `kubectl`, and the annotations name the files to edit.
#[test]
fn charts_and_kustomizations_are_rendered_with_their_values() {
    let kubectl = std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join("kubectl").is_file()));
    if !kubectl {
        assert!(std::env::var_os("CI").is_none(), "kubectl is missing in CI");
        support::skipped("kubectl is not on PATH: the Action's kustomization was not built");
        return;
    }
    let bin = tempfile::tempdir().expect("tempdir");
    #[cfg(unix)]
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_psslint"), bin.path().join("psslint"))
        .expect("link psslint");
    let helm = bin.path().join("helm");
    fs::write(
        &helm,
        "#!/bin/sh\nif [ \"$*\" != \"template web charts/web --values charts/web/prod values.yaml\" ]; then\n  \
         echo \"Error: unexpected arguments: $*\" >&2; exit 1\nfi\n\
         printf -- '---\\n# Source: web/templates/pod.yaml\\napiVersion: v1\\nkind: Pod\\nmetadata:\\n  name: web\\nspec:\\n  containers:\\n  - name: web\\n    image: web\\n    securityContext: {privileged: true}\\n'\n",
    )
    .expect("helm");
    let status = Command::new("chmod")
        .arg("+x")
        .arg(&helm)
        .status()
        .expect("chmod");
    assert!(status.success());
    let files = [
        (
            "charts/web/Chart.yaml",
            "apiVersion: v2\nname: web\nversion: 1.0.0\n",
        ),
        ("charts/web/templates/pod.yaml", "{{ .Values.pod }}\n"),
        ("charts/web/prod values.yaml", "pod: {}\n"),
        ("deploy/base/kustomization.yaml", "resources: [pod.yaml]\n"),
        ("deploy/base/pod.yaml", PRIVILEGED_NO_NAMESPACE),
        (
            "deploy/prod/kustomization.yaml",
            "resources: [../base]\nnamePrefix: prod-\n",
        ),
    ];
    let run = run_action_with(
        &files,
        &[
            ("paths", "deploy/prod\ncharts/web"),
            ("values", "'charts/web/prod values.yaml'"),
            ("release-name", "web"),
            ("level", "baseline"),
        ],
        bin.path(),
    );
    assert_eq!(run.status, Some(1), "{}", run.stdout);
    let errors = annotations(&run, "error");
    assert_eq!(errors.len(), 2, "{}", run.stdout);
    assert!(
        errors[0].starts_with("::error file=charts/web,line=11,"),
        "{}",
        run.stdout
    );
    // The kustomization's finding names the base file that sets the field.
    assert!(
        errors[1].starts_with("::error file=deploy/base/pod.yaml,line=8,"),
        "{}",
        run.stdout
    );
    assert_eq!(run.outputs["errors"], "2");
}
