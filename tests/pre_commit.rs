//! The pre-commit hook (`.pre-commit-hooks.yaml`), driven by the real `pre-commit` tool against
//! a temporary git repository: `pre-commit try-repo` on this crate's working tree, then a
//! `.pre-commit-config.yaml` pinned to this crate's HEAD and real `git commit`s.
//!
//! pre-commit's `language: rust` runs `cargo install --path .` of the hook repository, a
//! release build: slow on two cores. The test shares a cargo target directory and a
//! pre-commit home under `target/`, so later runs rebuild only what changed, and allows each
//! pre-commit call a generous 30 minutes. It is skipped (printing SKIPPED) only when pre-commit
//! is not installed outside CI; `.ci/run` installs it, and under CI its absence is a failure.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
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

/// Runs `program args` in `dir` with the shared caches, stdout and stderr merged, killing it
/// after [`TIMEOUT`].
fn run(dir: &Path, program: &str, args: &[&str]) -> Done {
    // A file, not a pipe: nothing blocks however much the child prints.
    let log_file = tempfile::NamedTempFile::new().expect("log file");
    let log_path = log_file.path().to_path_buf();
    let log = File::create(&log_path).expect("log file");
    let target = target_dir();
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("PRE_COMMIT_HOME", target.join("pre-commit-home"))
        .env("CARGO_TARGET_DIR", target.join("pre-commit-cargo"))
        .env("PRE_COMMIT_COLOR", "never")
        .env("NO_COLOR", "1")
        .env("GIT_AUTHOR_NAME", "psslint test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "psslint test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_WORK_TREE")
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
        std::thread::sleep(Duration::from_millis(200));
    };
    let output = fs::read_to_string(&log_path).unwrap_or_default();
    Done {
        success: status.success(),
        output,
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

fn git(dir: &Path, args: &[&str]) -> Done {
    let done = run(dir, "git", args);
    assert!(done.success, "git {args:?} failed:\n{}", done.output);
    done
}

#[test]
fn the_hook_passes_clean_files_and_blocks_a_bad_manifest() {
    let Some(pre_commit) = pre_commit() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "pre-commit is not installed, but CI must run this test (.ci/run installs it)"
        );
        println!("SKIPPED: pre-commit not installed (pip install pre-commit)");
        return;
    };
    let repo = tempfile::tempdir().expect("tempdir");
    let repo = repo.path();
    let pc = |args: &[&str]| {
        let all: Vec<&str> = pre_commit[1..].iter().chain(args).copied().collect();
        run(repo, pre_commit[0], &all)
    };
    git(repo, &["init", "--quiet"]);
    fs::write(repo.join("good.yaml"), CLEAN).expect("write");
    fs::write(repo.join("bad.yaml"), BAD).expect("write");
    fs::write(repo.join("notes.txt"), "not a manifest\n").expect("write");

    // 1. try-repo: this crate's working tree, uncommitted changes included.
    let good = pc(&[
        "try-repo",
        CRATE,
        "psslint",
        "--files",
        "good.yaml",
        "notes.txt",
    ]);
    assert!(good.success, "clean file rejected:\n{}", good.output);
    assert!(good.output.contains("Passed"), "{}", good.output);

    let bad = pc(&[
        "try-repo",
        CRATE,
        "psslint",
        "--files",
        "good.yaml",
        "bad.yaml",
    ]);
    assert!(!bad.success, "bad manifest passed:\n{}", bad.output);
    assert!(bad.output.contains("Failed"), "{}", bad.output);
    assert!(bad.output.contains("bad.yaml:8:"), "{}", bad.output);
    assert!(!bad.output.contains("good.yaml:"), "{}", bad.output);

    // 2. A real commit through `pre-commit install`, pinned to this crate's HEAD, with args.
    let head = Command::new("git")
        .args(["-C", CRATE, "rev-parse", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let Some(head) = head else {
        println!("SKIPPED: git commit through the hook: {CRATE} is not a git checkout");
        return;
    };
    let hooks_committed = Command::new("git")
        .args([
            "-C",
            CRATE,
            "cat-file",
            "-e",
            &format!("{head}:.pre-commit-hooks.yaml"),
        ])
        .status()
        .is_ok_and(|s| s.success());
    if !hooks_committed {
        println!("SKIPPED: git commit through the hook: .pre-commit-hooks.yaml is not committed");
        return;
    }
    fs::write(
        repo.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {CRATE}\n    rev: {head}\n    hooks:\n      - id: psslint\n        args: [--format, concise]\n"
        ),
    )
    .expect("write config");
    git(
        repo,
        &["add", ".pre-commit-config.yaml", "good.yaml", "notes.txt"],
    );
    let installed = pc(&["install"]);
    assert!(installed.success, "{}", installed.output);

    let commit = run(repo, "git", &["commit", "-m", "clean manifests"]);
    assert!(commit.success, "clean commit blocked:\n{}", commit.output);

    git(repo, &["add", "bad.yaml"]);
    let commit = run(repo, "git", &["commit", "-m", "a privileged pod"]);
    assert!(
        !commit.success,
        "bad commit went through:\n{}",
        commit.output
    );
    // The args reached psslint: concise output, `path:line:col: rule message`.
    assert!(
        commit.output.contains("bad.yaml:8:") && commit.output.contains(": privileged "),
        "{}",
        commit.output
    );
    let log = git(repo, &["log", "--oneline"]);
    assert_eq!(log.output.lines().count(), 1, "{}", log.output);
}
