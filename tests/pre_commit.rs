//! The pre-commit hooks (`.pre-commit-hooks.yaml`), driven by the real `pre-commit` tool and real
//! `git commit`s in temporary repositories.
//!
//! The hook repository is a snapshot of this crate's working tree, uncommitted changes included
//! (what `pre-commit try-repo` makes), committed at a fixed path under `target/` with fixed
//! dates: the same sources give the same commit, so pre-commit's cache (also under `target/`)
//! reuses the hook it built last time, and only changed sources are built again.
//!
//! * `psslint` (`language: rust`) is built by pre-commit with `cargo install`, as for a user.
//!   The test shares a cargo target directory between runs and lowers the release profile to
//!   what a debug build costs (no LTO, no optimisation, through `CARGO_PROFILE_RELEASE_*`):
//!   what is proven is that pre-commit builds and runs the hook, not how fast the binary is.
//! * `psslint-system` (`language: system`) runs the psslint on `PATH`: this crate's binary.
//!
//! Both are checked on what matters to users: clean files pass, a violation blocks the commit
//! with its `file:line`, non-manifests are not passed, the hook's args reach psslint, and a
//! Deployment staged alone is judged by the Namespace (or psslint.yaml) committed earlier, with
//! the verdict that linting the whole repository gives.
//!
//! Skipped (saying SKIPPED) only when pre-commit is not installed outside CI; `.ci/run` installs
//! it, and under CI its absence is a failure.

mod support;

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const CRATE: &str = env!("CARGO_MANIFEST_DIR");
const TIMEOUT: Duration = Duration::from_secs(30 * 60);

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

const BAD: &str = "apiVersion: v1
kind: Pod
metadata: {name: bad}
spec:
  containers:
  - name: app
    image: app
    securityContext: {privileged: true}
";

/// A privileged log agent in namespace `tools`: an error under the default policy (enforce
/// baseline), only a warning where `tools` enforces `privileged`.
const AGENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: agent, namespace: tools}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers:
      - name: agent
        image: agent:1
        securityContext: {privileged: true}
";

fn namespace(enforce: &str) -> String {
    format!(
        "apiVersion: v1
kind: Namespace
metadata:
  name: tools
  labels:
    pod-security.kubernetes.io/enforce: {enforce}
    pod-security.kubernetes.io/enforce-version: v1.33
"
    )
}

/// A chart's template: not a manifest until rendered. Committed, never staged here.
const TEMPLATE: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}
  namespace: {{ .Release.Namespace }}
data:
{{- toYaml .Values.data | nindent 2 }}
";

struct Done {
    success: bool,
    output: String,
}

/// The directory that holds `debug/` (cargo's target directory).
fn target_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_psslint"))
        .ancestors()
        .nth(2)
        .map_or_else(|| Path::new(CRATE).join("target"), Path::to_path_buf)
}

/// Where a hook finds psslint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Psslint {
    /// This crate's binary first on `PATH` (the `language: system` hook).
    OnPath,
    /// A `psslint` first on `PATH` that fails loudly: the hook must run the one pre-commit
    /// built (its environment comes before `PATH`), not whatever is installed.
    Shadowed,
}

fn path_env(psslint: Psslint) -> std::ffi::OsString {
    let first = match psslint {
        Psslint::OnPath => PathBuf::from(env!("CARGO_BIN_EXE_psslint"))
            .parent()
            .expect("bin dir")
            .to_path_buf(),
        Psslint::Shadowed => shadow_dir(),
    };
    let inherited = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::iter::once(first).chain(std::env::split_paths(&inherited)))
        .expect("PATH")
}

/// A directory holding a `psslint` that says it should not have run, and fails.
fn shadow_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = target_dir().join("pre-commit-shadow");
        fs::create_dir_all(&dir).expect("shadow dir");
        let bin = dir.join("psslint");
        fs::write(
            &bin,
            "#!/bin/sh\necho 'the psslint on PATH ran, not the one the hook built' >&2\nexit 99\n",
        )
        .expect("shadow psslint");
        let made = Command::new("chmod").arg("+x").arg(&bin).status();
        assert!(made.is_ok_and(|s| s.success()), "chmod");
        dir
    })
    .clone()
}

/// Runs `program args` in `dir` with the shared caches and this crate's psslint on `PATH`.
fn run(dir: &Path, program: &str, args: &[&str]) -> Done {
    run_with(dir, program, args, Psslint::OnPath)
}

/// Runs `program args` in `dir` with the shared caches, stdout and stderr merged, killing it
/// after [`TIMEOUT`].
fn run_with(dir: &Path, program: &str, args: &[&str], psslint: Psslint) -> Done {
    // A file, not a pipe: nothing blocks however much the child prints.
    let log_file = tempfile::NamedTempFile::new().expect("log file");
    let log_path = log_file.path().to_path_buf();
    let log = File::create(&log_path).expect("log file");
    let target = target_dir();
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("PATH", path_env(psslint))
        .env("PRE_COMMIT_HOME", target.join("pre-commit-home"))
        .env("CARGO_TARGET_DIR", target.join("pre-commit-cargo"))
        // The hook's `cargo install` builds a release binary; at debug cost here.
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env("PRE_COMMIT_COLOR", "never")
        .env("NO_COLOR", "1")
        .env("GIT_AUTHOR_NAME", "psslint test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "psslint test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GITHUB_STEP_SUMMARY")
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log handle"))
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{program} {args:?} timed out after {TIMEOUT:?}:\n{}",
                fs::read_to_string(&log_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    Done {
        success: status.success(),
        output: fs::read_to_string(&log_path).unwrap_or_default(),
    }
}

/// How to start pre-commit: the `pre-commit` script, or the module (a fresh pip install may not
/// be on `PATH` yet), or `None` when it is not installed.
fn pre_commit() -> Option<Vec<&'static str>> {
    [&["pre-commit"][..], &["python3", "-m", "pre_commit"]]
        .into_iter()
        .find(|cmd| {
            Command::new(cmd[0])
                .args(&cmd[1..])
                .arg("--version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
        .map(<[&str]>::to_vec)
}

/// pre-commit, or `None` after saying SKIPPED (a failure under CI).
fn pre_commit_or_skip() -> Option<Vec<&'static str>> {
    let found = pre_commit();
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "pre-commit is not installed, but CI must run this test (.ci/run installs it)"
        );
        support::skipped("pre-commit is not installed (pip install pre-commit)");
    }
    found
}

fn git(dir: &Path, args: &[&str]) -> Done {
    let done = run(dir, "git", args);
    assert!(done.success, "git {args:?} failed:\n{}", done.output);
    done
}

/// The hook repository: this crate's working tree (tracked and untracked files that git does
/// not ignore) committed at `target/pre-commit-hook-repo`: its path and commit, made once per
/// test run.
fn hook_repo() -> &'static (PathBuf, String) {
    static REPO: OnceLock<(PathBuf, String)> = OnceLock::new();
    REPO.get_or_init(make_hook_repo)
}

fn make_hook_repo() -> (PathBuf, String) {
    let repo = target_dir().join("pre-commit-hook-repo");
    let listed = Command::new("git")
        .args(["-C", CRATE, "ls-files", "-z", "--cached", "--others"])
        .arg("--exclude-standard")
        .output()
        .ok()
        .filter(|o| o.status.success());
    let _ = fs::remove_dir_all(&repo);
    fs::create_dir_all(&repo).expect("hook repo");
    match listed {
        Some(out) => {
            for name in out.stdout.split(|&b| b == 0).filter(|n| !n.is_empty()) {
                let name = String::from_utf8_lossy(name).into_owned();
                let from = Path::new(CRATE).join(&name);
                // Deleted in the working tree, or a directory (a submodule): not part of it.
                if !from.is_file() {
                    continue;
                }
                let to = repo.join(&name);
                fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
                fs::copy(&from, &to).unwrap_or_else(|e| panic!("copy {name}: {e}"));
            }
        }
        // Not a git checkout (a crate unpacked from a tarball): everything but `target/`.
        None => copy_tree(Path::new(CRATE), &repo),
    }
    git(&repo, &["init", "--quiet"]);
    git(&repo, &["add", "--all"]);
    // Fixed dates: the same tree gives the same commit, which pre-commit has cached.
    let commit = Command::new("git")
        .args([
            "-c",
            "commit.gpgsign=false",
            "commit",
            "--quiet",
            "-m",
            "psslint",
        ])
        .current_dir(&repo)
        .env("GIT_AUTHOR_NAME", "psslint test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "psslint test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env("GIT_AUTHOR_DATE", "2000-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2000-01-01T00:00:00Z")
        .status()
        .expect("git commit");
    assert!(commit.success(), "cannot commit the hook repository");
    let head = git(&repo, &["rev-parse", "HEAD"]).output.trim().to_string();
    (repo, head)
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).expect("read dir").flatten() {
        let (src, name) = (entry.path(), entry.file_name());
        if name == "target" || name == ".git" {
            continue;
        }
        let dst = to.join(&name);
        if src.is_dir() {
            fs::create_dir_all(&dst).expect("mkdir");
            copy_tree(&src, &dst);
        } else {
            fs::copy(&src, &dst).expect("copy");
        }
    }
}

/// A git repository using `hook` from the hook repository, with `args`, installed as its
/// pre-commit hook.
struct TestRepo {
    dir: tempfile::TempDir,
    pre_commit: Vec<&'static str>,
    psslint: Psslint,
}

impl TestRepo {
    fn new(pre_commit: Vec<&'static str>, hook: &str, args: &[&str], psslint: Psslint) -> TestRepo {
        let (hooks, rev) = hook_repo();
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = TestRepo {
            dir,
            pre_commit,
            psslint,
        };
        git(repo.path(), &["init", "--quiet"]);
        let args: Vec<String> = args.iter().map(|a| format!("{a:?}")).collect();
        repo.write(
            ".pre-commit-config.yaml",
            &format!(
                "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: {hook}\n        args: [{}]\n",
                hooks.display(),
                args.join(", ")
            ),
        );
        let installed = repo.pre_commit(&["install"]);
        assert!(installed.success, "{}", installed.output);
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, name: &str, text: &str) {
        let path = self.path().join(name);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, text).expect("write");
    }

    fn pre_commit(&self, args: &[&str]) -> Done {
        let all: Vec<&str> = self.pre_commit[1..].iter().chain(args).copied().collect();
        run_with(self.path(), self.pre_commit[0], &all, self.psslint)
    }

    /// `git commit`, through the hook: what it said, and whether the commit went in.
    fn git_commit(&self, message: &str) -> Done {
        run_with(
            self.path(),
            "git",
            &["commit", "--quiet", "-m", message],
            self.psslint,
        )
    }

    /// `git add FILES`, then [`Self::git_commit`].
    fn commit(&self, files: &[&str], message: &str) -> Done {
        let mut add = vec!["add", "--"];
        add.extend(files);
        git(self.path(), &add);
        self.git_commit(message)
    }

    /// A commit that bypasses the hook (what a repository holds before it adopts the hook).
    fn commit_unchecked(&self, files: &[&str], message: &str) {
        let mut add = vec!["add", "--all", "--"];
        add.extend(files);
        git(self.path(), &add);
        git(
            self.path(),
            &["commit", "--quiet", "--no-verify", "-m", message],
        );
    }

    /// psslint on the whole working tree, about `file`: its errors, and its findings in the
    /// hook's format (`concise`).
    fn whole_repo(&self, file: &str) -> (usize, Vec<String>) {
        let psslint = |format: &str| {
            let out = Command::new(env!("CARGO_BIN_EXE_psslint"))
                .args(["--format", format, "."])
                .current_dir(self.path())
                .env_remove("GITHUB_STEP_SUMMARY")
                .output()
                .expect("psslint runs");
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        let json: serde_json::Value = serde_json::from_str(&psslint("json")).expect("JSON");
        let errors = json["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .filter(|d| d["file"] == file && d["severity"] == "error")
            .count();
        (errors, lines_about(&psslint("concise"), file))
    }
}

/// The lines of the hook's output about `file`.
fn lines_about(output: &str, file: &str) -> Vec<String> {
    output
        .lines()
        .filter(|l| l.starts_with(&format!("{file}:")))
        .map(str::to_string)
        .collect()
}

/// What every hook must do, on a repository set up with it (`args: [--format, concise]`).
/// Each verdict on a staged file is compared with linting the whole repository: the hook
/// passes exactly when that finds no error in the file, and prints the same findings.
fn check_hook(repo: &TestRepo) {
    // A chart whose templates are not manifests, committed before the hook was adopted: the
    // hook reads the repository's Namespaces around it, and never fails on it.
    repo.write(
        "charts/web/Chart.yaml",
        "apiVersion: v2\nname: web\nversion: 1.0.0\n",
    );
    repo.write("charts/web/templates/cm.yaml", TEMPLATE);
    repo.commit_unchecked(&["charts"], "chart");

    // Clean manifests, and a file that is not one (it would not parse), go in.
    repo.write("ok.yaml", CLEAN);
    repo.write("notes.txt", "a: [not yaml\n");
    let done = repo.commit(
        &[".pre-commit-config.yaml", "ok.yaml", "notes.txt"],
        "clean",
    );
    assert!(done.success, "clean commit blocked:\n{}", done.output);

    // A privileged pod is blocked, by file and line, in the format the hook's args ask for.
    repo.write("bad.yaml", BAD);
    let done = repo.commit(&["bad.yaml"], "bad");
    assert!(!done.success, "bad commit went through:\n{}", done.output);
    assert!(
        done.output.contains("bad.yaml:8:") && done.output.contains(": privileged "),
        "{}",
        done.output
    );
    assert_eq!(
        lines_about(&done.output, "bad.yaml"),
        repo.whole_repo("bad.yaml").1
    );
    git(repo.path(), &["reset", "--quiet", "--", "bad.yaml"]);
    fs::remove_file(repo.path().join("bad.yaml")).expect("rm");

    // The Namespace, enforcing privileged, is committed first, on its own.
    repo.write("k8s/namespace.yaml", &namespace("privileged"));
    let done = repo.commit(&["k8s/namespace.yaml"], "namespace");
    assert!(done.success, "{}", done.output);

    // Then the Deployment alone: judged by the committed Namespace, a warning, not an error.
    repo.write("apps/agent.yaml", AGENT);
    git(repo.path(), &["add", "--", "apps/agent.yaml"]);
    // `--verbose`: pre-commit prints a passing hook's output only then.
    let hook = repo.pre_commit(&["run", "--verbose"]);
    let (errors, whole) = repo.whole_repo("apps/agent.yaml");
    assert_eq!((hook.success, errors), (true, 0), "{}", hook.output);
    assert_eq!(lines_about(&hook.output, "apps/agent.yaml"), whole);
    assert!(
        whole.iter().any(|l| l.contains(": privileged warning: ")),
        "{whole:?}"
    );
    let done = repo.git_commit("agent");
    assert!(done.success, "{}", done.output);

    // The Namespace moves to restricted: a change to the Deployment is now blocked, as linting
    // the whole repository finds errors in it.
    repo.write("k8s/namespace.yaml", &namespace("restricted"));
    repo.commit_unchecked(&["k8s/namespace.yaml"], "restricted");
    repo.write("apps/agent.yaml", &AGENT.replace("agent:1", "agent:2"));
    let done = repo.commit(&["apps/agent.yaml"], "agent 2");
    let (errors, whole) = repo.whole_repo("apps/agent.yaml");
    assert!(!done.success && errors > 0, "{}", done.output);
    assert_eq!(lines_about(&done.output, "apps/agent.yaml"), whole);
    git(repo.path(), &["reset", "--quiet", "--hard"]);

    // With no Namespace object, psslint.yaml at the repository root sets the policy.
    fs::remove_file(repo.path().join("k8s/namespace.yaml")).expect("rm");
    repo.write(
        "psslint.yaml",
        "namespaces:\n  tools:\n    enforce: privileged\n    reason: the agent reads host logs (OPS-7)\n",
    );
    repo.commit_unchecked(&["k8s", "psslint.yaml"], "config");
    repo.write("apps/agent.yaml", &AGENT.replace("agent:1", "agent:3"));
    git(repo.path(), &["add", "--", "apps/agent.yaml"]);
    let hook = repo.pre_commit(&["run", "--verbose"]);
    let (errors, whole) = repo.whole_repo("apps/agent.yaml");
    assert_eq!((hook.success, errors), (true, 0), "{}", hook.output);
    assert_eq!(lines_about(&hook.output, "apps/agent.yaml"), whole);
    let done = repo.git_commit("agent 3");
    assert!(done.success, "{}", done.output);

    let log = git(repo.path(), &["log", "--oneline"]);
    assert_eq!(log.output.lines().count(), 7, "{}", log.output);

    // A staged chart file stands for its chart: a template, a helper and the values staged
    // together render the chart once. Without helm (never installed on our machines) that is
    // one unchecked finding, with the command to run, and the commit is blocked.
    let helm = std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join("helm").is_file()));
    if helm {
        support::skipped("helm is on PATH: the hook's unchecked-chart path was not exercised");
        return;
    }
    repo.write(
        "charts/web/templates/cm.yaml",
        &format!("{TEMPLATE}{{{{/* changed */}}}}\n"),
    );
    repo.write(
        "charts/web/templates/_helpers.tpl",
        "{{- define \"web.name\" }}web{{ end }}\n",
    );
    repo.write("charts/web/values.yaml", "data: {a: b}\n");
    let done = repo.commit(
        &[
            "charts/web/templates/cm.yaml",
            "charts/web/templates/_helpers.tpl",
            "charts/web/values.yaml",
        ],
        "chart",
    );
    assert!(
        !done.success,
        "the chart went in unchecked:\n{}",
        done.output
    );
    let about: Vec<&str> = done
        .output
        .lines()
        .filter(|l| l.starts_with("charts/"))
        .collect();
    assert_eq!(about.len(), 1, "{}", done.output);
    assert!(
        about[0].starts_with("charts/web:1:1: render-unavailable error: ")
            && about[0].contains("`helm template release-name charts/web`"),
        "{}",
        done.output
    );
    assert!(
        !done.output.contains("unrendered-template"),
        "{}",
        done.output
    );
}

#[test]
fn the_rust_hook_builds_from_source_and_judges_staged_files_by_the_repository() {
    let Some(pre_commit) = pre_commit_or_skip() else {
        return;
    };
    // A failing psslint first on PATH: the hook must run the one pre-commit built.
    let repo = TestRepo::new(
        pre_commit,
        "psslint",
        &["--format", "concise"],
        Psslint::Shadowed,
    );
    check_hook(&repo);
}

#[test]
fn the_system_hook_runs_the_psslint_on_path() {
    let Some(pre_commit) = pre_commit_or_skip() else {
        return;
    };
    let repo = TestRepo::new(
        pre_commit,
        "psslint-system",
        &["--format", "concise"],
        Psslint::OnPath,
    );
    check_hook(&repo);
}

#[test]
fn the_two_hooks_differ_only_in_how_psslint_is_installed() {
    let text = fs::read_to_string(Path::new(CRATE).join(".pre-commit-hooks.yaml")).expect("hooks");
    let hooks: Vec<Vec<(String, String)>> = text
        .split("\n- ")
        .skip(1)
        .map(|hook| {
            hook.lines()
                .filter_map(|l| l.trim_start_matches("- ").split_once(": "))
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .filter(|(k, _)| !matches!(k.as_str(), "id" | "language" | "description"))
                .collect()
        })
        .collect();
    assert_eq!(hooks.len(), 2, "{text}");
    assert_eq!(hooks[0], hooks[1]);
    assert!(text.contains("- id: psslint\n") && text.contains("- id: psslint-system\n"));
    assert!(text.contains("language: rust") && text.contains("language: system"));
    assert!(text.contains("entry: psslint --namespaces-from .\n"));
}
