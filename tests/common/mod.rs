//! Helpers shared by the tests that drive the psslint binary in a directory (`plan.rs`,
//! `policy.rs`): run it, read what it printed, and make throwaway repositories. (Checks of the
//! report formats against real consumers live in `tests/support/`.)
#![allow(dead_code)]

pub mod cluster;

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// The crate's root directory.
pub const CRATE: &str = env!("CARGO_MANIFEST_DIR");

/// What one run of the binary printed, and how it exited.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Standard output as JSON (panics, with both outputs, when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("{e}: not JSON:\n{}\n{}", self.stdout, self.stderr))
    }
}

/// Runs `psslint ARGS` in `dir`, with `stdin` as standard input if given, outside any CI
/// environment (no `NO_COLOR`, no `GITHUB_STEP_SUMMARY`).
pub fn run_in(dir: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    let mut cmd = Command::cargo_bin("psslint").expect("binary");
    cmd.current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("GITHUB_STEP_SUMMARY")
        .args(args);
    if let Some(s) = stdin {
        cmd.write_stdin(s);
    }
    let out = cmd.output().expect("runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8"),
    }
}

/// A temporary directory that is a repository root (it has `.git`, so config discovery and
/// path rebasing stop there).
pub fn temp_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::create_dir(dir.path().join(".git")).expect(".git");
    dir
}

/// Writes `text` to `dir/name`, creating parent directories.
pub fn write_file(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    fs::write(p, text).expect("write");
}

/// Copies the tree `from` into `to` (which exists).
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            fs::create_dir_all(&target).expect("mkdir");
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// A directory of the crate's `testdata/`.
pub fn testdata(rel: &str) -> PathBuf {
    PathBuf::from(CRATE).join("testdata").join(rel)
}

/// The rollout fixture: namespaces at every stage, an admission configuration, exceptions.
pub fn rollout_fixture() -> PathBuf {
    testdata("rollout")
}

/// `psslint COMMAND... --admission-config admission.yaml --today 2026-03-20 ARGS... .` in `dir`
/// (the rollout fixture or a copy of it); `command` is empty for `check`'s default form.
pub fn rollout_in(dir: &Path, command: &[&str], args: &[&str]) -> Run {
    let mut all = command.to_vec();
    all.extend([
        "--admission-config",
        "admission.yaml",
        "--today",
        "2026-03-20",
    ]);
    all.extend_from_slice(args);
    all.push(".");
    run_in(dir, &all, None)
}
