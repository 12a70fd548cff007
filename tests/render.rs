//! Charts and kustomizations as input (`src/input/render/`): the chart is rendered with a real
//! `helm template` process call, and everything after rendering is tested with a fake `helm`
//! on `PATH` that checks its argv and prints the rendered stream the chart's authors commit
//! (`../shared/charts/…/examples/NAME/rendered/`). "helm is missing" is tested for real, with a
//! `PATH` that holds no helm; a real helm is run when one is on `PATH` (SKIPPED otherwise).

mod common;
mod support;

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::{temp_repo, write_file, Run, CRATE};
use serde_json::Value;

const CHARTS: &str = "../shared/charts/open-telemetry__opentelemetry-helm-charts/charts";
const COLLECTOR: &str = "opentelemetry-collector";

/// The OpenTelemetry charts, or `None` after SKIPPED (a failure in CI, where they are present).
fn charts() -> Option<PathBuf> {
    let dir = Path::new(CRATE).join(CHARTS);
    if dir.join(COLLECTOR).join("Chart.yaml").is_file() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} is missing in CI",
        dir.display()
    );
    support::skipped(&format!("{} not found", dir.display()));
    None
}

/// Runs psslint in `dir` with exactly `path` as `PATH`.
fn run_with_path(dir: &Path, path: &str, args: &[&str]) -> Run {
    let out = Command::cargo_bin("psslint")
        .expect("binary")
        .current_dir(dir)
        .env("PATH", path)
        .env_remove("NO_COLOR")
        .env_remove("GITHUB_STEP_SUMMARY")
        .args(args)
        .output()
        .expect("runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8"),
    }
}

fn diagnostics(run: &Run) -> Vec<Value> {
    run.json()["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .clone()
}

fn rules_of<'a>(diags: &'a [Value], file: &str) -> Vec<&'a str> {
    diags
        .iter()
        .filter(|d| d["file"] == file)
        .map(|d| d["rule"].as_str().expect("rule"))
        .collect()
}

/// A directory that holds no `helm`, `kubectl` or `kustomize`.
fn empty_path() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

#[test]
fn a_chart_without_helm_is_unchecked_once_with_the_command_to_run() {
    let repo = temp_repo();
    let root = repo.path();
    write_file(
        root,
        "charts/web/Chart.yaml",
        "apiVersion: v2\nname: web\nversion: 1.0.0\n",
    );
    write_file(root, "charts/web/values.yaml", "replicas: 1\n");
    write_file(
        root,
        "charts/web/templates/pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n",
    );
    write_file(
        root,
        "charts/web/templates/_helpers.tpl",
        "{{- define \"x\" }}{{ end }}\n",
    );
    write_file(
        root,
        "charts/web/charts/db/Chart.yaml",
        "apiVersion: v2\nname: db\nversion: 1.0.0\n",
    );
    write_file(
        root,
        "charts/web/charts/db/templates/sts.yaml",
        "{{ .Values.x }}\n",
    );
    write_file(
        root,
        "k8s/ok.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
    );
    let path = empty_path();
    let path = path.path().to_str().expect("UTF-8");

    // Walking the repository: the chart once, its templates and subchart never.
    let run = run_with_path(root, path, &["--format", "json", "."]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let diags = diagnostics(&run);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let d = &diags[0];
    assert_eq!(d["rule"], "render-unavailable");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], "charts/web");
    let message = d["message"].as_str().expect("message");
    assert!(
        message.contains("`helm template release-name ./charts/web`"),
        "{message}"
    );
    assert!(
        !run.stdout.contains("unrendered-template"),
        "{}",
        run.stdout
    );

    // The flags reach the command shown.
    let run = run_with_path(
        root,
        path,
        &[
            "--format",
            "json",
            "--values",
            "prod values.yaml",
            "--set",
            "a=b",
            "--set-string",
            "c=d",
            "--release-name",
            "web",
            "--namespace",
            "shop",
            "charts/web",
        ],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let diags = diagnostics(&run);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert!(
        diags[0]["message"].as_str().unwrap().contains(
            "`helm template web charts/web --namespace shop --values 'prod values.yaml' --set a=b \
             --set-string c=d`"
        ),
        "{diags:#?}"
    );

    // The files a pre-commit hook passes stand for the chart: it is reported once.
    let run = run_with_path(
        root,
        path,
        &[
            "--format",
            "concise",
            "charts/web/templates/pod.yaml",
            "charts/web/templates/_helpers.tpl",
            "charts/web/values.yaml",
            "charts/web/charts/db/templates/sts.yaml",
            "k8s/ok.yaml",
        ],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let lines: Vec<&str> = run.stdout.lines().filter(|l| l.contains(": ")).collect();
    assert_eq!(lines.len(), 1, "{}", run.stdout);
    assert!(
        lines[0].starts_with("charts/web:1:1: render-unavailable error:"),
        "{}",
        run.stdout
    );

    // A directory inside the chart stands for it too.
    let run = run_with_path(root, path, &["--format", "json", "charts/web/templates"]);
    assert_eq!(
        rules_of(&diagnostics(&run), "charts/web"),
        ["render-unavailable"]
    );

    // --allow-unchecked: a warning, and the run passes.
    let run = run_with_path(root, path, &["--format", "json", "--allow-unchecked", "."]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(diagnostics(&run)[0]["severity"], "warning");
}

#[test]
fn a_kustomization_without_kubectl_or_kustomize_is_unchecked() {
    let repo = temp_repo();
    let root = repo.path();
    write_file(root, "app/kustomization.yaml", "resources: [pod.yaml]\n");
    write_file(
        root,
        "app/pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n",
    );
    let path = empty_path();
    let run = run_with_path(
        root,
        path.path().to_str().unwrap(),
        &["--format", "json", "app"],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let diags = diagnostics(&run);
    assert_eq!(
        rules_of(&diags, "app"),
        ["render-unavailable"],
        "{diags:#?}"
    );
    assert!(
        diags[0]["message"]
            .as_str()
            .unwrap()
            .contains("`kubectl kustomize app`"),
        "{diags:#?}"
    );
}

/// A fake `helm` in a fresh directory: it fails with a message unless its argv is `expected`,
/// and prints the rendered files `stream` otherwise.
fn fake_helm(expected: &[&str], stream: &[PathBuf]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let quoted = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let expected: Vec<String> = expected.iter().map(|a| quoted(a)).collect();
    let files: Vec<String> = stream
        .iter()
        .map(|p| quoted(p.to_str().expect("UTF-8")))
        .collect();
    let script = format!(
        "#!/bin/sh\nset -- \"$@\"\nexpected() {{ for a in {}; do printf '%s\\n' \"$a\"; done; }}\n\
         got=$(for a in \"$@\"; do printf '%s\\n' \"$a\"; done)\n\
         if [ \"$got\" != \"$(expected)\" ]; then\n  echo \"Error: unexpected arguments: $*\" >&2\n  exit 1\nfi\n\
         cat {}\n",
        expected.join(" "),
        files.join(" ")
    );
    let bin = dir.path().join("helm");
    fs::write(&bin, script).expect("script");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&bin, fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    dir
}

/// The rendered files of one example, in name order.
fn rendered_example(charts: &Path, example: &str) -> Vec<PathBuf> {
    let dir = charts
        .join(COLLECTOR)
        .join("examples")
        .join(example)
        .join("rendered");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("rendered")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    files
}

fn path_with(fake: &Path) -> String {
    format!("{}:/usr/bin:/bin", fake.display())
}

#[test]
fn a_rendered_chart_is_linted_under_its_directory_with_its_templates_named() {
    let Some(charts) = charts() else { return };
    let stream = rendered_example(&charts, "daemonset-only");
    let values = format!("{COLLECTOR}/examples/daemonset-only/values.yaml");
    let fake = fake_helm(
        &[
            "template",
            "example",
            COLLECTOR,
            "--namespace",
            "default-ns",
            "--values",
            &values,
            "--set",
            "mode=daemonset",
            "--set-string",
            "image.tag=1 2",
        ],
        &stream,
    );
    let args = [
        "--format",
        "json",
        "--level",
        "restricted",
        "--values",
        &values,
        "--set",
        "mode=daemonset",
        "--set-string",
        "image.tag=1 2",
        "--release-name",
        "example",
        "--namespace",
        "default-ns",
        COLLECTOR,
    ];
    let run = run_with_path(&charts, &path_with(fake.path()), &args);
    let walked = diagnostics(&run);
    // Naming the chart walks it: its committed rendered examples (left out of the chart by its
    // .helmignore) are linted too, as the files they are; no template is linted raw.
    assert!(!walked.iter().any(|d| d["rule"] == "unrendered-template"));
    // A finding on a template line is one the source map moved there from rendered output.
    assert!(walked
        .iter()
        .filter(|d| d["file"].as_str().unwrap().contains("/templates/"))
        .all(|d| d["source_map"].is_object()));
    assert!(walked.iter().any(|d| d["file"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{COLLECTOR}/examples/"))));
    // The chart's own findings, at the rendered location they were found at (the source map may
    // have moved the primary location onto a template or values line and kept this one).
    let diags: Vec<Value> = walked
        .into_iter()
        .filter_map(|mut d| {
            let rendered = d["source_map"]["rendered"].clone();
            if rendered.is_object() {
                for key in ["file", "line", "column"] {
                    d[key] = rendered[key].clone();
                }
            }
            (d["file"] == COLLECTOR).then_some(d)
        })
        .collect();
    // The same findings as linting the committed rendered files, concatenated, from stdin.
    let concatenated: String = stream
        .iter()
        .map(|p| fs::read_to_string(p).expect("rendered"))
        .collect();
    let piped = common::run_in(
        &charts,
        &["--format", "json", "--level", "restricted", "-"],
        Some(&concatenated),
    );
    let expected = diagnostics(&piped);
    assert!(!expected.is_empty(), "the example has findings");
    assert_eq!(run.code, piped.code, "{}{}", run.stdout, run.stderr);
    assert_eq!(diags.len(), expected.len(), "{diags:#?}");
    for (got, want) in diags.iter().zip(&expected) {
        assert_eq!(got["file"], COLLECTOR, "{got:#?}");
        for key in [
            "rule", "line", "column", "origin", "field", "message", "object",
        ] {
            assert_eq!(got[key], want[key], "{key}: {got:#?}");
        }
        assert_eq!(
            got["origin"],
            "opentelemetry-collector/templates/daemonset.yaml"
        );
    }
}

#[test]
fn a_failing_render_shows_helms_own_message_and_the_chart() {
    let Some(charts) = charts() else { return };
    // This fake expects other arguments, so it fails as Helm does, with its message.
    let fake = fake_helm(&["template", "other"], &[]);
    let run = run_with_path(
        &charts,
        &path_with(fake.path()),
        &["--format", "json", COLLECTOR],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let diags = diagnostics(&run);
    assert_eq!(rules_of(&diags, COLLECTOR), ["render-error"], "{diags:#?}");
    let message = diags[0]["message"].as_str().unwrap();
    assert!(
        message.contains(
            "`helm template release-name opentelemetry-collector` failed (exit status 1): \
             Error: unexpected arguments: template release-name opentelemetry-collector"
        ),
        "{message}"
    );
}

#[test]
fn a_render_that_hangs_is_stopped_at_the_timeout() {
    let repo = temp_repo();
    let root = repo.path();
    write_file(
        root,
        "web/Chart.yaml",
        "apiVersion: v2\nname: web\nversion: 1.0.0\n",
    );
    let fake = tempfile::tempdir().expect("tempdir");
    let bin = fake.path().join("helm");
    fs::write(&bin, "#!/bin/sh\nexec sleep 30\n").expect("script");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&bin, fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let start = std::time::Instant::now();
    let run = run_with_path(
        root,
        &path_with(fake.path()),
        &["--format", "json", "--render-timeout", "1s", "web"],
    );
    assert!(start.elapsed() < std::time::Duration::from_secs(20));
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let diags = diagnostics(&run);
    assert_eq!(rules_of(&diags, "web"), ["render-error"], "{diags:#?}");
    assert!(diags[0]["message"]
        .as_str()
        .unwrap()
        .contains("did not finish within 1s"));
}

#[test]
fn a_real_helm_renders_the_chart_when_one_is_installed() {
    let Some(charts) = charts() else { return };
    let found = std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join("helm").is_file()));
    if !found {
        support::skipped("helm is not on PATH: no chart was rendered by a real helm");
        return;
    }
    let values = format!("{COLLECTOR}/examples/daemonset-only/values.yaml");
    let run = common::run_in(
        &charts,
        &[
            "--format",
            "json",
            "--level",
            "restricted",
            "--release-name",
            "example",
            "--values",
            &values,
            COLLECTOR,
        ],
        None,
    );
    let diags = diagnostics(&run);
    assert!(!diags.is_empty(), "{}{}", run.stdout, run.stderr);
    assert!(
        diags
            .iter()
            .all(|d| d["file"] == COLLECTOR && d["rule"] != "render-error"),
        "{diags:#?}"
    );
    assert!(diags.iter().any(|d| d["origin"]
        .as_str()
        .is_some_and(|o| o.starts_with("opentelemetry-collector/templates/"))));
}

/// Whether `kubectl` is on PATH; in CI it must be (kustomize is tested for real).
fn kubectl() -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join("kubectl").is_file()));
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "kubectl is missing in CI: the kustomize tests need it"
        );
        support::skipped("kubectl is not on PATH: kustomizations were not built");
    }
    found
}

/// `(file:line:col, rule, object name)` of each finding, in report order.
fn placed(diags: &[Value]) -> Vec<(String, String, String)> {
    diags
        .iter()
        .map(|d| {
            (
                format!(
                    "{}:{}:{}",
                    d["file"].as_str().unwrap(),
                    d["line"],
                    d["column"]
                ),
                d["rule"].as_str().unwrap().to_string(),
                d["object"]["name"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn kustomize_findings_name_the_base_or_patch_line_that_set_the_field() {
    if !kubectl() {
        return;
    }
    let dir = common::testdata("kustomize");
    let run = common::run_in(
        &dir,
        &["--format", "json", "--level", "baseline", "."],
        None,
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let diags = diagnostics(&run);
    let own = |s: &str| s.to_string();
    assert_eq!(
        placed(&diags),
        [
            // The base sets the capability; both overlays deploy it, each reported once.
            (
                own("base/deployment.yaml:28:15"),
                own("capabilities_baseline"),
                own("web-debug")
            ),
            (
                own("base/deployment.yaml:28:15"),
                own("capabilities_baseline"),
                own("prod-web")
            ),
            // JSON 6902 operations: the `value` that sets the field.
            (
                own("overlays/debug/host.yaml:3:3"),
                own("hostNamespaces"),
                own("web-debug")
            ),
            (
                own("overlays/debug/host.yaml:8:7"),
                own("hostPathVolumes"),
                own("web-debug")
            ),
            // The strategic-merge patch's field.
            (
                own("overlays/prod/privileged.yaml:11:13"),
                own("privileged"),
                own("prod-web")
            ),
        ],
        "{diags:#?}"
    );
    // The base is linted through its overlays only, and no kustomization's file raw.
    assert!(!diags
        .iter()
        .any(|d| d["file"] == "base" || d["file"] == "./base"));
    let snippet = common::run_in(
        &dir,
        &[
            "--format",
            "human",
            "--color",
            "never",
            "--level",
            "baseline",
            "overlays/prod",
        ],
        None,
    );
    assert!(
        snippet.stdout.contains("privileged: true"),
        "the snippet shows the patch's line:\n{}",
        snippet.stdout
    );
    // The verdict line names the object's document in its base file.
    assert!(
        snippet
            .stdout
            .contains("Deployment/prod-web (base/deployment.yaml:1): would violate"),
        "{}",
        snippet.stdout
    );

    // Missing fields point at the nearest parent the base defines.
    let run = common::run_in(
        &dir,
        &["--format", "json", "--level", "restricted", "overlays/prod"],
        None,
    );
    let diags = diagnostics(&run);
    let at: Vec<(String, String)> = placed(&diags).into_iter().map(|(a, b, _)| (a, b)).collect();
    assert_eq!(
        at,
        [
            (own("base/deployment.yaml:25:11"), own("runAsNonRoot")),
            (
                own("base/deployment.yaml:25:11"),
                own("seccompProfile_restricted")
            ),
            (
                own("base/deployment.yaml:27:13"),
                own("capabilities_restricted")
            ),
            (
                own("overlays/prod/privileged.yaml:11:13"),
                own("privileged")
            ),
        ],
        "{diags:#?}"
    );
    assert!(diags.iter().all(|d| d["object"]["namespace"] == "shop"));
    // The fix is indented for the base file (its securityContext sits at column 11).
    assert_eq!(diags[0]["fix"]["yaml"], "            runAsNonRoot: true");
}

#[test]
fn kustomize_verdicts_are_those_of_the_plain_build() {
    if !kubectl() {
        return;
    }
    let dir = common::testdata("kustomize");
    for overlay in ["overlays/prod", "overlays/debug"] {
        let built = std::process::Command::new("kubectl")
            .args(["kustomize", overlay])
            .current_dir(&dir)
            .output()
            .expect("kubectl runs");
        assert!(built.status.success());
        let plain = String::from_utf8(built.stdout).expect("UTF-8");
        assert!(!plain.contains("config.kubernetes.io/origin"));
        for level in ["baseline", "restricted"] {
            let piped = common::run_in(
                &dir,
                &["--format", "json", "--level", level, "-"],
                Some(&plain),
            );
            let linted =
                common::run_in(&dir, &["--format", "json", "--level", level, overlay], None);
            assert_eq!(piped.code, linted.code);
            let key = |d: &Value| {
                (
                    d["rule"].clone(),
                    d["message"].clone(),
                    d["object"].clone(),
                    d["field"].clone(),
                )
            };
            let mut want: Vec<_> = diagnostics(&piped).iter().map(key).collect();
            let mut got: Vec<_> = diagnostics(&linted).iter().map(key).collect();
            want.sort_by_key(|k| format!("{k:?}"));
            got.sort_by_key(|k| format!("{k:?}"));
            assert_eq!(got, want, "{overlay} at {level}");
            // Every finding left the rendered stream for a file that exists.
            for d in diagnostics(&linted) {
                assert!(dir.join(d["file"].as_str().unwrap()).is_file(), "{d:#?}");
            }
        }
    }
}

#[test]
fn psslint_yaml_gives_a_chart_its_values_files_before_the_command_lines() {
    let repo = temp_repo();
    let root = repo.path();
    write_file(
        root,
        "charts/web/Chart.yaml",
        "apiVersion: v2\nname: web\nversion: 1.0.0\n",
    );
    write_file(root, "charts/web/values-prod.yaml", "replicas: 2\n");
    write_file(
        root,
        "psslint.yaml",
        "charts:\n  charts/web: {values: [charts/web/values-prod.yaml]}\n",
    );
    let rendered = root.join("rendered.yaml");
    fs::write(
        &rendered,
        "---\n# Source: web/templates/pod.yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: web\n    securityContext: {privileged: true}\n",
    )
    .expect("rendered");
    let fake = fake_helm(
        &[
            "template",
            "release-name",
            "charts/web",
            "--values",
            "charts/web/values-prod.yaml",
            "--values",
            "extra.yaml",
        ],
        &[rendered],
    );
    let run = run_with_path(
        root,
        &path_with(fake.path()),
        &[
            "--format",
            "json",
            "--level",
            "baseline",
            "--values",
            "extra.yaml",
            "charts",
        ],
    );
    let diags = diagnostics(&run);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(rules_of(&diags, "charts/web"), ["privileged"], "{diags:#?}");
    assert_eq!(diags[0]["origin"], "web/templates/pod.yaml");

    // A bad `charts:` entry is a config error with its position (exit 2).
    write_file(
        root,
        "psslint.yaml",
        "charts:\n  charts/web: {value: [x.yaml]}\n",
    );
    let run = run_with_path(root, &path_with(fake.path()), &["charts"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("psslint.yaml:2:16") && run.stderr.contains("unknown field \"value\""),
        "{}",
        run.stderr
    );
}

#[test]
fn a_named_patch_or_base_file_stands_for_the_overlays_that_build_it() {
    if !kubectl() {
        return;
    }
    let dir = common::testdata("kustomize");
    // The staged patch: its overlay, not the patch linted raw (a patch is not a whole object).
    let run = common::run_in(
        &dir,
        &[
            "--format",
            "json",
            "--level",
            "restricted",
            "overlays/prod/privileged.yaml",
        ],
        None,
    );
    let diags = diagnostics(&run);
    assert!(!diags.is_empty());
    assert!(
        diags.iter().all(|d| d["object"]["name"] == "prod-web"),
        "{diags:#?}"
    );
    // The staged base file and kustomization: every overlay that deploys the base, once each.
    let run = common::run_in(
        &dir,
        &[
            "--format",
            "json",
            "--level",
            "baseline",
            "base/deployment.yaml",
            "base/kustomization.yaml",
        ],
        None,
    );
    let mut names: Vec<String> = diagnostics(&run)
        .iter()
        .filter(|d| d["rule"] == "capabilities_baseline")
        .map(|d| d["object"]["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    assert_eq!(names, ["prod-web", "web-debug"]);
}

#[test]
fn inline_patches_are_placed_and_uncertain_ones_keep_the_rendered_location() {
    if !kubectl() {
        return;
    }
    let repo = temp_repo();
    let root = repo.path();
    fs::create_dir_all(root.join("base")).expect("mkdir");
    common::copy_dir(&common::testdata("kustomize/base"), &root.join("base"));
    write_file(
        root,
        "inline/kustomization.yaml",
        "resources:\n  - ../base\npatches:\n  - patch: |\n      apiVersion: apps/v1\n      kind: Deployment\n      \
         metadata:\n        name: web\n      spec:\n        template:\n          spec:\n            hostPID: true\n",
    );
    write_file(
        root,
        "selected/kustomization.yaml",
        "resources:\n  - ../base\npatches:\n  - target:\n      labelSelector: app=web\n    patch: |\n      \
         - op: add\n        path: /spec/template/spec/hostIPC\n        value: true\n",
    );
    let run = common::run_in(
        root,
        &["--format", "json", "--level", "baseline", "."],
        None,
    );
    let at: Vec<(String, String)> = placed(&diagnostics(&run))
        .into_iter()
        .map(|(a, b, _)| (a, b))
        .collect();
    let own = |s: &str| s.to_string();
    assert!(
        at.contains(&(
            own("inline/kustomization.yaml:12:13"),
            own("hostNamespaces")
        )),
        "{at:#?}"
    );
    // A patch chosen by label selector: psslint cannot tell which objects it touched, so the
    // findings on them stay where the build put them.
    assert!(
        at.iter()
            .any(|(loc, rule)| loc.starts_with("selected:") && rule == "hostNamespaces"),
        "{at:#?}"
    );
    assert!(
        at.iter()
            .any(|(loc, rule)| loc.starts_with("selected:") && rule == "capabilities_baseline"),
        "{at:#?}"
    );
}

#[test]
fn sarif_of_a_kustomize_run_validates_and_names_files_that_exist() {
    if !kubectl() {
        return;
    }
    let Some(schema) = support::sarif_schema() else {
        return;
    };
    let dir = common::testdata("kustomize");
    let run = common::run_in(
        &dir,
        &["--format", "sarif", "--level", "restricted", "."],
        None,
    );
    support::assert_valid_sarif(&schema, &run.stdout);
    let sarif: Value = serde_json::from_str(&run.stdout).expect("SARIF");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(results.len() >= 8, "{results:#?}");
    let repo = Path::new(CRATE);
    for r in results {
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .expect("uri");
        assert!(
            repo.join(uri).is_file(),
            "{uri} is not a file of the repository"
        );
        assert!(uri.starts_with("testdata/kustomize/"), "{uri}");
    }
}

#[test]
fn a_library_chart_is_checked_only_through_the_charts_that_use_it() {
    let repo = temp_repo();
    let root = repo.path();
    write_file(
        root,
        "charts/common/Chart.yaml",
        "apiVersion: v2\nname: common\ntype: library\nversion: 1.0.0\n",
    );
    write_file(
        root,
        "charts/common/templates/_pod.yaml",
        "{{- define \"common.pod\" }}{{ end }}\n",
    );
    write_file(root, "charts/common/values.yaml", "a: 1\n");
    let path = empty_path();
    let path = path.path().to_str().unwrap();
    for args in [
        &["--format", "json", "."][..],
        &[
            "--format",
            "json",
            "charts/common/templates/_pod.yaml",
            "charts/common/values.yaml",
        ],
    ] {
        let run = run_with_path(root, path, args);
        assert_eq!(run.code, 0, "{args:?}: {}{}", run.stdout, run.stderr);
        assert_eq!(diagnostics(&run), Vec::<Value>::new(), "{args:?}");
    }
}

#[test]
fn a_namespace_a_kustomization_deploys_is_context_for_staged_files() {
    if !kubectl() {
        return;
    }
    let repo = temp_repo();
    let root = repo.path();
    write_file(
        root,
        "ns/kustomization.yaml",
        "resources: [namespace.yaml]\n",
    );
    write_file(
        root,
        "ns/namespace.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: tools\n  labels:\n    \
         pod-security.kubernetes.io/enforce: privileged\n",
    );
    write_file(
        root,
        "apps/agent.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: agent, namespace: tools}\nspec:\n  \
         containers:\n  - name: agent\n    image: agent\n    securityContext: {privileged: true}\n",
    );
    // The hook's call: the staged file, judged by the Namespace the kustomization deploys.
    let run = common::run_in(
        root,
        &[
            "--format",
            "json",
            "--namespaces-from",
            ".",
            "apps/agent.yaml",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let whole = common::run_in(root, &["--format", "json", "."], None);
    assert_eq!(whole.code, 0, "{}{}", whole.stdout, whole.stderr);
}

#[test]
fn the_standalone_kustomize_builds_when_kubectl_is_missing() {
    if !kubectl() {
        return;
    }
    let kubectl = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join("kubectl"))
        .find(|p| p.is_file())
        .expect("kubectl");
    // A `kustomize` that accepts only `build DIR`, and builds with kubectl's kustomize.
    let fake = tempfile::tempdir().expect("tempdir");
    let bin = fake.path().join("kustomize");
    fs::write(
        &bin,
        format!(
            "#!/bin/sh\n[ \"$1\" = build ] && [ $# -eq 2 ] || {{ echo \"Error: usage\" >&2; exit 1; }}\nexec '{}' kustomize \"$2\"\n",
            kubectl.display()
        ),
    )
    .expect("script");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&bin, fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let dir = common::testdata("kustomize");
    // PATH holds the fake only: psslint finds no kubectl, and falls back to `kustomize build`.
    let run = run_with_path(
        &dir,
        fake.path().to_str().expect("UTF-8"),
        &["--format", "json", "--level", "baseline", "overlays/prod"],
    );
    let at: Vec<String> = placed(&diagnostics(&run))
        .into_iter()
        .map(|(a, _, _)| a)
        .collect();
    assert_eq!(
        at,
        [
            "base/deployment.yaml:28:15",
            "overlays/prod/privileged.yaml:11:13"
        ],
        "{}{}",
        run.stdout,
        run.stderr
    );
}
