//! The catalogue of bad inputs. Each case runs the real binary on a temporary directory that
//! holds the bad input beside `good.yaml` (a privileged Pod), and checks that psslint
//!
//! * names the bad file, with the position when there is one,
//! * keeps going: `good.yaml`'s finding still appears,
//! * ends with the documented exit code.
//!
//! Runs use `--fail-on never`, so the good file's violation does not decide the exit code:
//! what remains is the bad input's own effect. 0 = it was harmless (skipped, a note, a
//! warning), 1 = some input could not be checked (fail closed, even with `--fail-on never`),
//! 2 = psslint could not do its job (a named path missing or unreadable, bad flags, an
//! output that cannot be written).

mod support;

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as StdCommand, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use tempfile::TempDir;

const GOOD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: good
spec:
  containers:
  - name: app
    image: app
    securityContext:
      privileged: true
";

/// What `good.yaml` always yields (concise format).
const GOOD_FINDING: &str = "good.yaml:10:7: privileged error: privileged";

/// Generous: a debug build on a shared two-core machine. A hang fails the test instead of
/// blocking the suite.
const TIMEOUT: Duration = Duration::from_secs(120);

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("psslint")
}

/// A directory with `good.yaml` in it.
fn dir() -> TempDir {
    let d = tempfile::tempdir().expect("tempdir");
    fs::write(d.path().join("good.yaml"), GOOD).expect("write good.yaml");
    d
}

/// psslint at baseline with `--fail-on never`, in `format`.
fn psslint_in(dir: &Path, format: &str) -> Command {
    let mut c = Command::new(bin());
    c.current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("GITHUB_STEP_SUMMARY")
        .timeout(TIMEOUT)
        .args([
            "--level",
            "baseline",
            "--fail-on",
            "never",
            "--format",
            format,
        ]);
    c
}

fn psslint(dir: &Path) -> Command {
    psslint_in(dir, "concise")
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn of(c: &mut Command) -> Run {
        let out = c.output().expect("psslint runs");
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// The good file's finding is there, `expected` is in the output, and the exit code is
    /// `code`.
    fn expect(&self, code: i32, expected: &[&str]) -> &Self {
        let all = format!("{}{}", self.stdout, self.stderr);
        assert!(
            self.stdout.contains(GOOD_FINDING),
            "good.yaml's finding is missing:\n{all}"
        );
        for e in expected {
            assert!(all.contains(e), "`{e}` not in:\n{all}");
        }
        assert_eq!(self.code, Some(code), "exit code; output:\n{all}");
        assert!(!all.contains("panicked"), "{all}");
        self
    }

    fn lacks(&self, unexpected: &str) -> &Self {
        let all = format!("{}{}", self.stdout, self.stderr);
        assert!(!all.contains(unexpected), "`{unexpected}` in:\n{all}");
        self
    }
}

/// Writes `bytes` to `name` in a new directory beside good.yaml and lints the directory and,
/// separately, the two files by name: both must give `code` and `expected`.
fn lint_bad_file(name: &str, bytes: &[u8], code: i32, expected: &[&str]) -> TempDir {
    let d = dir();
    fs::write(d.path().join(name), bytes).expect("write");
    Run::of(psslint(d.path()).arg(".")).expect(code, expected);
    Run::of(psslint(d.path()).args([name, "good.yaml"])).expect(code, expected);
    d
}

// ---------------------------------------------------------------------------------------------
// Encodings

#[test]
fn non_utf8_bytes() {
    lint_bad_file(
        "bad.yaml",
        b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: caf\xE9\n",
        1,
        &["bad.yaml:4:12: encoding error: file is not valid UTF-8 (invalid byte 0xE9 at line 4, column 12)"],
    );
}

#[test]
fn utf16_with_a_bom() {
    let mut bytes = vec![0xFF, 0xFE];
    for unit in GOOD.encode_utf16() {
        bytes.extend(unit.to_le_bytes());
    }
    let d = lint_bad_file(
        "bad.yaml",
        &bytes,
        1,
        &["bad.yaml:1:1: encoding error: file is UTF-16 (little-endian); Kubernetes manifests must be UTF-8"],
    );
    // The human format also says what to do.
    let human = Run::of(psslint_in(d.path(), "human").arg("bad.yaml"));
    assert!(
        human.stdout.contains("re-save the file as UTF-8"),
        "{}",
        human.stdout
    );
}

#[test]
fn utf32_is_named_utf32_not_utf16() {
    // UTF-32's little-endian byte order mark starts like UTF-16's (`FF FE`): it used to be
    // reported as UTF-16.
    for (bom, name, named) in [
        (
            &[0xFF, 0xFE, 0x00, 0x00][..],
            "le.yaml",
            "UTF-32 (little-endian)",
        ),
        (
            &[0x00, 0x00, 0xFE, 0xFF][..],
            "be.yaml",
            "UTF-32 (big-endian)",
        ),
        (
            &[][..],
            "nobom.yaml",
            "UTF-32 (little-endian, without a byte order mark)",
        ),
    ] {
        let mut bytes = bom.to_vec();
        for c in GOOD.chars() {
            let c = c as u32;
            bytes.extend(if name == "be.yaml" {
                c.to_be_bytes()
            } else {
                c.to_le_bytes()
            });
        }
        lint_bad_file(
            name,
            &bytes,
            1,
            &[&format!(
                "{name}:1:1: encoding error: file is {named}; Kubernetes manifests must be UTF-8"
            )],
        );
    }
}

#[test]
fn a_binary_file_named_yaml() {
    // The start of an ELF executable: NUL bytes and bytes that are not UTF-8.
    let mut elf = b"\x7FELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00>\x00".to_vec();
    elf.extend((0..=255u8).cycle().take(4096));
    lint_bad_file(
        "program.yaml",
        &elf,
        1,
        &["program.yaml:2:118: encoding error: file is not valid UTF-8 (invalid byte 0x80 at line 2, column 118)"],
    );
}

#[test]
fn nul_bytes() {
    lint_bad_file(
        "bad.yaml",
        b"apiVersion: v1\nkind: Pod\x00\n",
        1,
        &["bad.yaml:2:10: encoding error: file contains NUL bytes (a binary file?); it was not checked"],
    );
}

// ---------------------------------------------------------------------------------------------
// Nothing to check

#[test]
fn an_empty_file() {
    lint_bad_file(
        "empty.yaml",
        b"",
        0,
        &["empty.yaml:1:1: empty-file note: no documents"],
    );
}

#[test]
fn a_file_of_comments_only() {
    lint_bad_file(
        "comments.yaml",
        b"# rendered by nothing\n\n   # at all\n",
        0,
        &["comments.yaml:1:1: empty-file note: no documents"],
    );
}

#[test]
fn a_stream_of_empty_documents() {
    lint_bad_file(
        "empty-docs.yaml",
        b"---\n---\n# nothing\n---\n~\n---\n",
        0,
        &["empty-docs.yaml:1:1: empty-file note: no documents"],
    );
}

#[test]
fn nothing_on_standard_input() {
    // `helm template ./broken | psslint -`: the renderer failed and wrote nothing. That used
    // to pass with exit 0.
    let d = dir();
    for stdin in ["", "# only a comment\n---\n---\n"] {
        Run::of(
            psslint(d.path())
                .args(["-", "good.yaml"])
                .write_stdin(stdin),
        )
        .expect(
            1,
            &["<stdin>:1:1: empty-input error: no documents on standard input"],
        );
        // The flag that says an empty input is expected.
        Run::of(
            psslint(d.path())
                .args(["--allow-empty", "-", "good.yaml"])
                .write_stdin(stdin),
        )
        .expect(0, &["<stdin>:1:1: empty-file note: no documents"])
        .lacks("empty-input");
        // Like any input that went unchecked, --allow-unchecked makes it a warning.
        Run::of(
            psslint(d.path())
                .args(["--allow-unchecked", "-", "good.yaml"])
                .write_stdin(stdin),
        )
        .expect(
            0,
            &["<stdin>:1:1: empty-input warning: no documents on standard input"],
        );
    }
    // A document that is not a Kubernetes object is still a document.
    Run::of(
        psslint(d.path())
            .args(["-", "good.yaml"])
            .write_stdin("replicas: 2\n"),
    )
    .expect(0, &[])
    .lacks("empty-");
    // An empty file is what the repository holds: only a note.
    fs::write(d.path().join("empty.yaml"), "").expect("write");
    Run::of(psslint(d.path()).args(["empty.yaml", "good.yaml"]))
        .expect(0, &["empty.yaml:1:1: empty-file note: no documents"]);
}

#[test]
fn nothing_on_a_named_pipe() {
    // `psslint <(helm template ./broken)`: a pipe whose writer writes nothing and exits.
    let d = dir();
    let pipe = d.path().join("rendered.yaml");
    mkfifo(&pipe);
    let writer = std::thread::spawn(move || {
        drop(
            fs::OpenOptions::new()
                .write(true)
                .open(&pipe)
                .expect("open"),
        );
    });
    Run::of(psslint(d.path()).args(["rendered.yaml", "good.yaml"])).expect(
        1,
        &["rendered.yaml:1:1: empty-input error: no documents on the pipe"],
    );
    writer.join().expect("writer");
}

// ---------------------------------------------------------------------------------------------
// Limits

#[test]
fn a_file_over_max_file_size() {
    let big = format!("{GOOD}# {}\n", "x".repeat(2000));
    let d = dir();
    fs::write(d.path().join("big.yaml"), &big).expect("write");
    let message = format!(
        "big.yaml:1:1: file-too-large error: input is {} bytes, over the --max-file-size limit of 1024 \
         bytes; it was not checked",
        big.len()
    );
    Run::of(psslint(d.path()).args(["--max-file-size", "1K", "."])).expect(1, &[&message]);
    // Standard input is bounded the same way, and read no further than the limit.
    Run::of(
        psslint(d.path())
            .args(["--max-file-size", "1K", "-", "good.yaml"])
            .write_stdin(big.clone()),
    )
    .expect(
        1,
        &["<stdin>:1:1: file-too-large error: input is more than 1024 bytes"],
    );
    // Within the limit, it is checked.
    Run::of(psslint(d.path()).args(["--max-file-size", "3K", "."]))
        .expect(0, &["big.yaml:10:7: privileged"]);
    // The default is documented in --help.
    let help = Run::of(Command::new(bin()).args(["check", "--help"]));
    assert!(help.stdout.contains("[default: 256M]"), "{}", help.stdout);
}

#[test]
fn nesting_100000_levels_deep() {
    let d = dir();
    let n = 100_000;
    fs::write(
        d.path().join("flow.yaml"),
        format!("{}{}\n", "[".repeat(n), "]".repeat(n)),
    )
    .expect("write");
    fs::write(
        d.path().join("block.yaml"),
        format!("{}x\n", "- ".repeat(n)),
    )
    .expect("write");
    let mut maps = String::new();
    for _ in 0..n {
        maps.push_str("{a: ");
    }
    maps.push('1');
    maps.push_str(&"}".repeat(n));
    fs::write(d.path().join("maps.json"), maps).expect("write");
    Run::of(psslint(d.path()).arg(".")).expect(
        1,
        &[
            "flow.yaml:1:256: depth-limit error: collections nested more than 255 levels deep",
            "block.yaml:1:511: depth-limit error: collections nested more than 255 levels deep",
            "maps.json:1:1021: depth-limit error: collections nested more than 255 levels deep",
        ],
    );
}

#[test]
fn the_nesting_limit_is_255_levels_in_every_style() {
    // The documented limit holds for block YAML, flow YAML and JSON alike: 255 levels are
    // read, 256 are `depth-limit` with the same message.
    let nest = |levels: usize| -> [(String, String); 3] {
        let inner = levels - 1; // the root mapping is the first level
        let block = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: b{levels}}}\ndata:\n{}\n",
            (0..inner)
                .map(|i| format!("{}k:", "  ".repeat(i + 1)))
                .collect::<Vec<_>>()
                .join("\n")
                + " x"
        );
        let flow = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: f{levels}}}\ndata: {}x{}\n",
            "[".repeat(inner),
            "]".repeat(inner)
        );
        let json = format!(
            "{{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"data\": {}1{}}}\n",
            "[".repeat(inner),
            "]".repeat(inner)
        );
        [
            (format!("block{levels}.yaml"), block),
            (format!("flow{levels}.yaml"), flow),
            (format!("json{levels}.json"), json),
        ]
    };
    let d = dir();
    for (name, text) in nest(255).into_iter().chain(nest(256)) {
        fs::write(d.path().join(name), text).expect("write");
    }
    let run = Run::of(psslint(d.path()).arg("."));
    run.expect(1, &[]);
    for style in ["block", "flow", "json"] {
        assert!(
            !run.stdout.contains(&format!("{style}255.")),
            "255 levels are within the limit:\n{}",
            run.stdout
        );
        let at_256 = run
            .stdout
            .lines()
            .find(|l| l.starts_with(&format!("{style}256.")))
            .unwrap_or_else(|| panic!("no finding for {style}256:\n{}", run.stdout));
        assert!(
            at_256.contains(
                "depth-limit error: collections nested more than 255 levels deep are not supported"
            ),
            "{at_256}"
        );
    }
}

#[test]
fn an_alias_bomb() {
    let mut bomb = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (prev, cur) in ('a'..='h').zip('b'..='i') {
        let refs = vec![format!("*{prev}"); 9].join(", ");
        bomb.push_str(&format!("{cur}: &{cur} [{refs}]\n"));
    }
    lint_bad_file(
        "bomb.yaml",
        bomb.as_bytes(),
        1,
        &["bomb.yaml:6:8: alias-limit error: expanding aliases would create more than 100000 nodes"],
    );
}

#[test]
fn a_50_mb_single_line() {
    // `kubectl get pods -o json | jq -c`: one line, here 50 MB, with 300 privileged pods, and
    // a single 40 MB annotation. Every finding is on line 1; none copies the line.
    let pod = |i: usize, note: &str| {
        format!(
            r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"p{i}","annotations":{{"note":"{note}"}}}},"spec":{{"containers":[{{"name":"c","image":"i","securityContext":{{"privileged":true}}}}]}}}}"#
        )
    };
    let filler = "x".repeat(30_000);
    let mut items: Vec<String> = (0..300).map(|i| pod(i, &filler)).collect();
    items.push(pod(300, &"y".repeat(42_000_000)));
    let line = format!(
        r#"{{"apiVersion":"v1","kind":"List","items":[{}]}}"#,
        items.join(",")
    );
    assert!(line.len() > 50_000_000);
    let d = dir();
    fs::write(d.path().join("pods.json"), format!("{line}\n")).expect("write");
    let started = Instant::now();
    let run = Run::of(psslint(d.path()).arg("."));
    run.expect(0, &["pods.json:1:"]);
    let findings = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("pods.json:1:"))
        .count();
    assert_eq!(findings, 301);
    assert!(
        run.stdout.len() < 100_000,
        "{} bytes of output",
        run.stdout.len()
    );
    println!("50 MB line: {:?}", started.elapsed());
}

// ---------------------------------------------------------------------------------------------
// The file system

/// A file the current user cannot read. As root, `chmod 000` does not stop reads, so the
/// runs drop to the `nobody` user (uid 65534) instead; `None` (after printing why) when that
/// is impossible too.
fn unreadable(d: &TempDir, name: &str) -> Option<Option<u32>> {
    let path = d.path().join(name);
    fs::write(&path, GOOD).expect("write");
    set_mode(&path, 0o000);
    if fs::read(&path).is_err() {
        return Some(None);
    }
    // Privileged: run as nobody, which needs every path on the way to be readable.
    set_mode(d.path(), 0o755);
    let probe = StdCommand::new(bin())
        .arg("--version")
        .uid(65534)
        .gid(65534)
        .output();
    match probe {
        Ok(out) if out.status.success() => Some(Some(65534)),
        other => {
            support::skipped(&format!(
                "running as root, and cannot run psslint as uid 65534 to make a file \
                 unreadable: {other:?}"
            ));
            None
        }
    }
}

use std::os::unix::process::CommandExt as _;

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

fn psslint_as(dir: &Path, uid: Option<u32>) -> Command {
    let mut std = StdCommand::new(bin());
    std.current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("GITHUB_STEP_SUMMARY")
        .args([
            "--level",
            "baseline",
            "--format",
            "concise",
            "--fail-on",
            "never",
        ]);
    if let Some(uid) = uid {
        std.uid(uid).gid(uid);
    }
    let mut c = Command::from_std(std);
    c.timeout(TIMEOUT);
    c
}

#[test]
fn a_file_that_cannot_be_read() {
    let d = dir();
    let Some(uid) = unreadable(&d, "secret.yaml") else {
        return;
    };
    // Found in a walk: reported, the run goes on, and fails (1).
    Run::of(psslint_as(d.path(), uid).arg(".")).expect(
        1,
        &["secret.yaml:1:1: io-error error: cannot read: permission denied; it was not checked"],
    );
    // Named: psslint could not do what it was asked (2), and still lints the rest.
    Run::of(psslint_as(d.path(), uid).args(["secret.yaml", "good.yaml"])).expect(
        2,
        &["secret.yaml:1:1: io-error error: cannot read: permission denied"],
    );
    // --allow-unchecked: a warning, and the run passes.
    Run::of(psslint_as(d.path(), uid).args(["--allow-unchecked", "."]))
        .expect(0, &["secret.yaml:1:1: io-error warning: cannot read"]);
}

#[test]
fn a_directory_that_cannot_be_read() {
    let d = dir();
    let Some(uid) = unreadable(&d, "locked.yaml") else {
        return;
    };
    let locked = d.path().join("locked");
    fs::create_dir(&locked).expect("mkdir");
    fs::write(locked.join("inside.yaml"), GOOD).expect("write");
    set_mode(&locked, 0o000);
    Run::of(psslint_as(d.path(), uid).arg(".")).expect(
        1,
        &["locked:1:1: io-error error: cannot read: permission denied; it was not checked"],
    );
}

#[test]
fn a_dangling_symlink() {
    let d = dir();
    std::os::unix::fs::symlink("gone.yaml", d.path().join("link.yaml")).expect("symlink");
    // A dangling link that is not named like a manifest is none of psslint's business.
    std::os::unix::fs::symlink("gone", d.path().join("README")).expect("symlink");
    // A walk does not follow links: the link is not read, so its target's absence is moot.
    Run::of(psslint(d.path()).arg("."))
        .expect(0, &[])
        .lacks("link.yaml");
    // Following links, it is reported.
    Run::of(psslint(d.path()).args(["--follow", "."])).expect(
        1,
        &["link.yaml:1:1: io-error error: cannot read: dangling symbolic link (its target does not exist)"],
    ).lacks("README");
    // Named, it is always read.
    Run::of(psslint(d.path()).args(["link.yaml", "good.yaml"])).expect(
        2,
        &["link.yaml:1:1: io-error error: cannot read: dangling symbolic link"],
    );
}

#[test]
fn a_symlink_loop_in_a_walked_directory() {
    let d = dir();
    let sub = d.path().join("sub");
    fs::create_dir(&sub).expect("mkdir");
    std::os::unix::fs::symlink("..", sub.join("up")).expect("symlink");
    // A loop of links: a.yaml → b.yaml → a.yaml.
    std::os::unix::fs::symlink("b.yaml", d.path().join("a.yaml")).expect("symlink");
    std::os::unix::fs::symlink("a.yaml", d.path().join("b.yaml")).expect("symlink");
    // Links are not followed in a walk: no loop, nothing read twice, nothing to report.
    let run = Run::of(psslint(d.path()).arg("."));
    run.expect(0, &[]).lacks("io-error");
    assert_eq!(
        run.stdout.matches(GOOD_FINDING).count(),
        1,
        "{}",
        run.stdout
    );
    // --follow: the loops are reported and not followed, and the good file is still linted
    // once, not once per way to reach it.
    let run = Run::of(psslint(d.path()).args(["--follow", "."]));
    run.expect(
        1,
        &[
            "sub/up:1:1: io-error error: File system loop found",
            "the link was not followed",
            "a.yaml:1:1: io-error",
            "b.yaml:1:1: io-error",
        ],
    );
    assert_eq!(
        run.stdout.matches(GOOD_FINDING).count(),
        1,
        "{}",
        run.stdout
    );
}

#[test]
fn a_link_out_of_the_walked_tree_is_neither_linted_nor_quoted() {
    // The repository is `repo/`; next to it lies a file that is not part of it.
    let d = dir();
    let repo = d.path().join("repo");
    fs::create_dir(&repo).expect("mkdir");
    fs::write(repo.join("good.yaml"), GOOD).expect("write");
    let outside = GOOD
        .replace("name: good", "name: outside")
        .replace("image: app", "image: registry.example/not-in-the-repo:1");
    fs::write(d.path().join("outside.yaml"), &outside).expect("write");
    std::os::unix::fs::symlink("../outside.yaml", repo.join("linked.yaml")).expect("symlink");
    // A link to the parent would lint the whole parent (and the outside file through it).
    std::os::unix::fs::symlink("..", repo.join("parent")).expect("symlink");

    for format in ["concise", "human", "json"] {
        let run = Run::of(psslint_in(&repo, format).arg("."));
        assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
        for leak in ["linked.yaml", "outside", "not-in-the-repo", "parent/"] {
            assert!(
                !run.stdout.contains(leak),
                "{format}: `{leak}` in\n{}",
                run.stdout
            );
        }
        assert!(run.stdout.contains("good.yaml"), "{}", run.stdout);
    }
    // Named on the command line, the link is followed.
    Run::of(psslint(&repo).args(["linked.yaml", "good.yaml"]))
        .expect(0, &["linked.yaml:10:7: privileged error: privileged"]);
    // --follow follows links in the walk too, as ripgrep does (and `parent` is then a loop).
    Run::of(psslint(&repo).args(["--follow", "."])).expect(
        1,
        &[
            "linked.yaml:10:7: privileged error: privileged",
            "parent/outside.yaml:10:7: privileged error: privileged",
        ],
    );
}

#[test]
fn a_fifo_or_device_in_a_walked_directory() {
    let d = dir();
    mkfifo(&d.path().join("pipe.yaml"));
    // A device node, reached through a link (mknod needs privileges): /dev/zero never ends.
    std::os::unix::fs::symlink("/dev/zero", d.path().join("zero.yaml")).expect("symlink");
    let started = Instant::now();
    // Skipped, not waited on; but a path named like a manifest went unchecked: fail closed.
    // The link is not followed in a walk (so never read) unless --follow.
    Run::of(psslint(d.path()).arg("."))
        .expect(
            1,
            &["pipe.yaml:1:1: special-file error: not a regular file but a named pipe; it was skipped"],
        )
        .lacks("zero.yaml");
    Run::of(psslint(d.path()).args(["--follow", "."])).expect(
        1,
        &[
            "pipe.yaml:1:1: special-file error: not a regular file but a named pipe; it was skipped",
            "zero.yaml:1:1: special-file error: not a regular file but a character device",
        ],
    );
    Run::of(psslint(d.path()).args([".", "--follow", "--allow-unchecked"])).expect(
        0,
        &[
            "pipe.yaml:1:1: special-file warning: not a regular file but a named pipe; it was skipped",
            "zero.yaml:1:1: special-file warning: not a regular file but a character device",
        ],
    );
    assert!(started.elapsed() < Duration::from_secs(60));
}

fn mkfifo(path: &Path) {
    let ok = StdCommand::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "mkfifo {}", path.display());
}

#[test]
fn a_fifo_named_explicitly_without_a_writer_does_not_hang() {
    let d = dir();
    mkfifo(&d.path().join("pipe.yaml"));
    let started = Instant::now();
    Run::of(psslint(d.path()).args(["pipe.yaml", "good.yaml"])).expect(
        2,
        &["pipe.yaml:1:1: io-error error: named pipe: no process opened it for writing within 2 s"],
    );
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn a_fifo_named_explicitly_with_a_writer_is_read() {
    let d = dir();
    let pipe = d.path().join("pipe.yaml");
    mkfifo(&pipe);
    // The writer blocks in open() until psslint opens the pipe, then writes slowly.
    let writer = std::thread::spawn(move || {
        let mut w = fs::OpenOptions::new()
            .write(true)
            .open(&pipe)
            .expect("open");
        std::thread::sleep(Duration::from_millis(2500));
        w.write_all(GOOD.replace("good", "piped").as_bytes())
            .expect("write");
    });
    Run::of(psslint(d.path()).args(["pipe.yaml", "good.yaml"]))
        .expect(0, &["pipe.yaml:10:7: privileged"]);
    writer.join().expect("writer");
}

#[test]
fn a_device_named_explicitly_is_refused() {
    let d = dir();
    Run::of(psslint(d.path()).args(["/dev/zero", "good.yaml"])).expect(
        2,
        &["/dev/zero:1:1: io-error error: is a character device, not a file"],
    );
}

#[test]
fn file_names_and_values_with_line_breaks_or_escape_codes_are_escaped() {
    // A file name can forge a finding line (`concise`, problem matchers) or send escape codes
    // to the terminal or the CI log; so can a container name written as "\e[31m" in YAML. (A raw
    // escape character in the YAML itself makes the API server reject the document: see
    // `raw_control_characters_are_rejected_like_the_api_server_does`.)
    let d = dir();
    let name = "evil\ngood.yaml:1:1: privileged error: forged\u{1b}[2J\u{1b}]0;title\u{7}.yaml";
    fs::write(
        d.path().join(name),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: \"p\\e[31m\"}\nspec:\n  containers:\n  - name: \"c\\e[31mred\\u202e\"\n    image: x\n    securityContext: {privileged: true} # hidden\n",
    )
    .expect("write");
    for format in ["concise", "human", "github", "markdown"] {
        let run = Run::of(psslint_in(d.path(), format).arg("."));
        let all = format!("{}{}", run.stdout, run.stderr);
        assert_eq!(run.code, Some(0), "{format}: {all}");
        for raw in ['\u{1b}', '\u{7}', '\u{202e}'] {
            assert!(!all.contains(raw), "{format}: raw {raw:?} in\n{all}");
        }
        let shown: &[&str] = if format == "markdown" {
            // Markdown also escapes its own syntax, and a line break is a space there.
            &[
                "evil good.yaml",
                "forged\\u{1b}\\[2J\\u{1b}\\]0;title\\u{7}.yaml",
                "c\\u{1b}\\[31mred",
            ]
        } else {
            &[
                "evil\\ngood.yaml",
                "forged\\u{1b}[2J\\u{1b}]0;title\\u{7}.yaml",
                "c\\u{1b}[31mred",
            ]
        };
        for shown in shown {
            assert!(
                all.contains(shown),
                "{format}: {shown} is not shown:\n{all}"
            );
        }
        if format == "concise" {
            // One line per finding: the good file's and the evil file's, nothing forged.
            assert_eq!(run.stdout.lines().count(), 2, "{}", run.stdout);
            assert!(
                run.stdout
                    .lines()
                    .all(|l| l.starts_with("good.yaml:") || l.starts_with("evil\\n")),
                "{}",
                run.stdout
            );
        }
        if format == "github" {
            assert_eq!(
                run.stdout.lines().filter(|l| l.starts_with("::")).count(),
                2,
                "{}",
                run.stdout
            );
        }
    }
    // So are the plan's table and the exception review, which list names from the input.
    // The notices' Markdown too (through the built-in template or a team's own).
    let notices = &[
        "notices",
        "--deadline",
        "2027-01-01",
        "--contact",
        "me",
        ".",
    ][..];
    for args in [&["plan", "."][..], &["exceptions", "."], notices] {
        let mut c = Command::new(bin());
        c.current_dir(d.path()).timeout(TIMEOUT).args(args);
        let run = Run::of(&mut c);
        let all = format!("{}{}", run.stdout, run.stderr);
        assert!(!all.contains('\u{1b}'), "{args:?}: raw escape in\n{all}");
        if args[0] == "notices" {
            assert!(all.contains("evil\\ngood.yaml"), "{all}");
            assert!(!all.contains("evil\ngood.yaml"), "a forged line in\n{all}");
        }
    }
    // The machine formats keep the exact name, in their own escaping.
    let run = Run::of(psslint_in(d.path(), "json").arg("."));
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert!(
        json["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .any(|d| d["file"] == name),
        "{json}"
    );
}

#[test]
fn a_missing_path_named_explicitly() {
    let d = dir();
    Run::of(psslint(d.path()).args(["nope.yaml", "good.yaml"]))
        .expect(2, &["psslint: nope.yaml: no such file or directory"]);
}

#[test]
fn twenty_thousand_yaml_files_that_are_not_kubernetes_objects() {
    let d = dir();
    for i in 0..20_000 {
        let sub = d.path().join(format!("values/{:03}", i / 200));
        if i % 200 == 0 {
            fs::create_dir_all(&sub).expect("mkdir");
        }
        fs::write(
            sub.join(format!("v{i}.yaml")),
            format!("replicas: {i}\nimage:\n  repository: app\n  tag: v{i}\n"),
        )
        .expect("write");
    }
    let started = Instant::now();
    let run = Run::of(psslint_in(d.path(), "json").arg("."));
    let elapsed = started.elapsed();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(json["summary"]["files"], 20_001);
    assert_eq!(json["summary"]["skipped"], 20_000);
    assert_eq!(json["summary"]["pod_templates"], 1);
    // Quiet: the good file's finding and nothing else.
    let diags = json["diagnostics"].as_array().expect("diagnostics");
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["file"], "good.yaml");
    assert_eq!(run.code, Some(0));
    // Speed is measured by the benchmarks, not asserted here; TIMEOUT catches a hang.
    println!("20,000 files: {elapsed:?}");
}

// ---------------------------------------------------------------------------------------------
// Valid YAML that looks odd

#[test]
fn a_tab_after_a_mapping_colon() {
    // `privileged:<TAB>true` is valid YAML to go-yaml, so the API server runs the container
    // privileged; it used to be a parse error (which named the wrong rule and also rejected
    // the harmless `privileged:<TAB>false`).
    let d = dir();
    fs::write(
        d.path().join("tab-true.yaml"),
        GOOD.replace("privileged: true", "privileged:\ttrue"),
    )
    .expect("write");
    fs::write(
        d.path().join("tab-false.yaml"),
        GOOD.replace("name: good", "name: tab-false")
            .replace("privileged: true", "privileged:\tfalse")
            .replace("image: app", "image:\t\tapp"),
    )
    .expect("write");
    let run = Run::of(psslint(d.path()).arg("."));
    run.expect(0, &["tab-true.yaml:10:7: privileged error: privileged"])
        .lacks("parse-error")
        .lacks("tab-false.yaml");
    // The span runs from the key to the end of the value, past the tab.
    let json = Run::of(psslint_in(d.path(), "json").arg("tab-true.yaml"));
    let json: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    let d0 = &json["diagnostics"][0];
    assert_eq!(
        (
            d0["rule"].as_str(),
            d0["line"].as_u64(),
            d0["column"].as_u64()
        ),
        (Some("privileged"), Some(10), Some(7)),
        "{json}"
    );
    assert_eq!(
        (d0["end_line"].as_u64(), d0["end_column"].as_u64()),
        (Some(10), Some(23)),
        "{json}"
    );
}

// ---------------------------------------------------------------------------------------------
// Files that are not manifests

#[test]
fn an_unrendered_helm_template() {
    let template = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"web.fullname\" . }}\n  labels:\n    {{- include \"web.labels\" . | nindent 4 }}\nspec:\n  replicas: {{ .Values.replicas }}\n";
    let d = lint_bad_file(
        "deployment.yaml",
        template.as_bytes(),
        1,
        &["deployment.yaml:6:5: unrendered-template error: unrendered Go/Helm template: this is not YAML \
           until it is rendered"],
    );
    let human = Run::of(psslint_in(d.path(), "human").arg("deployment.yaml"));
    assert!(
        human.stdout.contains("run `helm template` first"),
        "{}",
        human.stdout
    );
}

/// `name` is not a Kubernetes object: skipped, silently, and counted.
fn skipped_silently(name: &str, text: &str) {
    let d = dir();
    let path = d.path().join(name);
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(&path, text).expect("write");
    let run = Run::of(psslint(d.path()).arg("."));
    run.expect(0, &[]);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    let json = Run::of(psslint_in(d.path(), "json").arg(name));
    let json: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(json["summary"]["skipped"], 1, "{json}");
    assert_eq!(json["summary"]["objects"], 0, "{json}");
    assert_eq!(json["diagnostics"], serde_json::json!([]), "{json}");
}

#[test]
fn a_github_workflow_is_skipped() {
    skipped_silently(
        ".github/workflows/ci.yml",
        "name: ci\non: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    container:\n      image: rust\n      options: --privileged\n    steps:\n    - uses: actions/checkout@v4\n    - run: cargo test\n",
    );
}

#[test]
fn a_helm_values_file_is_skipped() {
    skipped_silently(
        "charts/web/values.yaml",
        "replicaCount: 2\nimage:\n  repository: web\n  tag: \"\"\nsecurityContext:\n  privileged: true\n  runAsUser: 0\nhostNetwork: true\n",
    );
}

/// A kustomization is built, not linted raw: one whose base is missing cannot be built, so it
/// is reported as unchecked (`render-error` with kustomize's message, or `render-unavailable`
/// where neither kubectl nor kustomize is installed), never skipped silently.
#[test]
fn a_kustomization_that_cannot_be_built_is_unchecked() {
    let d = dir();
    let path = d.path().join("overlays/prod/kustomization.yaml");
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(
        &path,
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: prod\nresources:\n- ../../base\npatches:\n- path: privileged.yaml\n",
    )
    .expect("write");
    let run = Run::of(psslint(d.path()).arg("."));
    run.expect(1, &["overlays/prod:1:1: "]);
    assert!(
        run.stdout.contains("render-error") || run.stdout.contains("render-unavailable"),
        "{}",
        run.stdout
    );
}

// ---------------------------------------------------------------------------------------------
// Outputs

fn many_findings(d: &TempDir) {
    let mut stream = String::new();
    for i in 0..2000 {
        stream.push_str(&GOOD.replace("name: good", &format!("name: pod-{i}")));
        stream.push_str("---\n");
    }
    fs::write(d.path().join("many.yaml"), stream).expect("write");
}

fn wait_with_deadline(child: &mut Child, deadline: Duration) -> ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            panic!("psslint did not exit within {deadline:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_closed_stdout_ends_quietly() {
    // `psslint . | head -1`, with a real pipe that the reader closes after one line, while
    // psslint still has far more than a pipe buffer to write.
    let d = dir();
    many_findings(&d);
    let mut child = StdCommand::new(bin())
        .current_dir(d.path())
        .args(["--level", "baseline", "--format", "human", "."])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let mut first = String::new();
    BufReader::new(stdout).read_line(&mut first).expect("read");
    // The reader is gone: dropping the BufReader closed the pipe.
    assert!(first.starts_with("error[privileged]"), "{first}");
    let status = wait_with_deadline(&mut child, TIMEOUT);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    assert_eq!(stderr, "", "no message, no panic");
    // The findings were real: the exit code still says so.
    assert_eq!(status.code(), Some(1));
}

#[test]
fn a_report_is_never_written_over_an_input() {
    // `psslint -o report.yaml report.yaml` used to replace the manifest with the report.
    let d = dir();
    let k8s = d.path().join("k8s");
    fs::create_dir(&k8s).expect("mkdir");
    fs::write(k8s.join("app.yaml"), GOOD).expect("write");
    fs::write(d.path().join("psslint.yaml"), "exceptionWarningDays: 7\n").expect("write");
    let unchanged = |why: &str| {
        assert_eq!(
            fs::read_to_string(d.path().join("good.yaml")).expect("read"),
            GOOD,
            "{why}"
        );
        assert_eq!(
            fs::read_to_string(k8s.join("app.yaml")).expect("read"),
            GOOD,
            "{why}"
        );
        assert_eq!(
            fs::read_to_string(d.path().join("psslint.yaml")).expect("read"),
            "exceptionWarningDays: 7\n",
            "{why}"
        );
    };
    for args in [
        // Named, by the same name or another way to it.
        &["-o", "good.yaml", "good.yaml"][..],
        &["-o", "./k8s/../good.yaml", "good.yaml"],
        &["--output", "sarif=good.yaml", "good.yaml", "k8s"],
        // Found by walking a directory.
        &["-o", "k8s/app.yaml", "k8s"],
        &["-o", "json=k8s/app.yaml", "."],
        // The config file is read too.
        &["-o", "psslint.yaml", "good.yaml"],
    ] {
        let mut c = Command::new(bin());
        c.current_dir(d.path()).timeout(TIMEOUT).args(args);
        let run = Run::of(&mut c);
        assert_eq!(run.code, Some(2), "{args:?}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stderr
                .contains("refusing to write a report over an input of this run"),
            "{args:?}: {}",
            run.stderr
        );
        unchanged(&format!("{args:?}"));
    }
    // Through a link to an input, too.
    std::os::unix::fs::symlink("good.yaml", d.path().join("report.txt")).expect("symlink");
    let run = Run::of(psslint(d.path()).args(["-o", "report.txt", "good.yaml"]));
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    unchanged("link");
    // The plan's output is guarded the same way.
    let mut c = Command::new(bin());
    c.current_dir(d.path())
        .timeout(TIMEOUT)
        .args(["plan", "-o", "k8s/app.yaml", "."]);
    let run = Run::of(&mut c);
    assert_eq!(run.code, Some(2), "{}{}", run.stdout, run.stderr);
    unchanged("plan");
    // A report elsewhere is written as usual.
    let run = Run::of(psslint(d.path()).args(["-o", "report.json", "good.yaml"]));
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(d.path().join("report.json").exists());
}

#[test]
fn output_into_a_missing_directory() {
    let d = dir();
    let run = Run::of(psslint(d.path()).args(["--output", "reports/psslint.txt", "good.yaml"]));
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr
            .contains("psslint: cannot write reports/psslint.txt: no such directory: reports"),
        "{}",
        run.stderr
    );
    assert!(!d.path().join("reports").exists());
}

#[test]
fn output_to_a_full_disk() {
    let d = dir();
    let run = Run::of(psslint(d.path()).args(["--output", "sarif=/dev/full", "good.yaml"]));
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr
            .contains("psslint: cannot write /dev/full: No space left on device"),
        "{}",
        run.stderr
    );
}

#[test]
fn unknown_flags_and_bad_flag_values() {
    let cases: [(&[&str], &str); 6] = [
        (
            &["--frobnicate"],
            "unexpected argument '--frobnicate' found",
        ),
        (
            &["--levle", "baseline"],
            "tip: a similar argument exists: '--level'",
        ),
        (
            &["--threads", "many"],
            "invalid value 'many' for '--threads <N>'",
        ),
        (
            &["--format", "xml"],
            "[possible values: human, concise, json",
        ),
        (
            &["--max-file-size", "12X"],
            "`12X` is not a size: use bytes or a K, M, G suffix",
        ),
        (
            &["--fail-on", "sometimes"],
            "[possible values: error, warning, never]",
        ),
    ];
    let d = dir();
    for (args, message) in cases {
        let out = Command::new(bin())
            .current_dir(d.path())
            .args(args)
            .arg("good.yaml")
            .timeout(TIMEOUT)
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(stderr.contains("--help"), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Failing closed, and the flag that relaxes it

#[test]
fn unchecked_input_fails_the_run_unless_allowed() {
    let d = dir();
    fs::write(d.path().join("bad.yaml"), b"kind: Pod\n\xFF\n").expect("write");
    // Default flags: 1, like any error.
    let mut plain = Command::new(bin());
    plain
        .current_dir(d.path())
        .args(["--format", "concise", "bad.yaml"]);
    assert_eq!(Run::of(&mut plain).code, Some(1));
    // --fail-on never does not hide it: psslint fails closed.
    Run::of(psslint(d.path()).arg(".")).expect(1, &["bad.yaml:2:1: encoding"]);
    // --allow-unchecked makes it a warning; --fail-on warning still fails on it.
    Run::of(psslint(d.path()).args(["--allow-unchecked", "."])).expect(
        0,
        &["bad.yaml:2:1: encoding warning: file is not valid UTF-8"],
    );
    let mut warn = Command::new(bin());
    warn.current_dir(d.path())
        .args(["--allow-unchecked", "--fail-on", "warning", "bad.yaml"]);
    assert_eq!(Run::of(&mut warn).code, Some(1));
    // A clean file beside it passes with --allow-unchecked under the default --fail-on.
    fs::write(
        d.path().join("good.yaml"),
        "apiVersion: v1\nkind: ConfigMap\n",
    )
    .expect("write");
    let mut relaxed = Command::new(bin());
    relaxed
        .current_dir(d.path())
        .args(["--allow-unchecked", "."]);
    assert_eq!(Run::of(&mut relaxed).code, Some(0));
}

// ---------------------------------------------------------------------------------------------
// Ctrl-C

/// CPU time of process `pid`, in clock ticks (Linux).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which is in parentheses: utime is the 12th, stime 13th.
    let rest = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11).and_then(|f| f.parse().ok()).unwrap_or(0);
    let stime: u64 = fields.get(12).and_then(|f| f.parse().ok()).unwrap_or(0);
    utime + stime
}

fn interrupt(pid: u32) {
    signal(pid, libc::SIGINT);
}

fn signal(pid: u32, sig: libc::c_int) {
    let pid = libc::pid_t::try_from(pid).expect("pid");
    // SAFETY: kill(2) on a child this test spawned and has not reaped.
    let sent = unsafe { libc::kill(pid, sig) };
    assert_eq!(sent, 0, "kill({pid}, {sig})");
}

/// `count` privileged pods, one document each, in `big.yaml`.
fn many_pods(d: &TempDir, count: usize) {
    let pods: String = (0..count)
        .map(|i| GOOD.replace("name: good", &format!("name: pod-{i}")) + "---\n")
        .collect();
    fs::write(d.path().join("big.yaml"), pods).expect("write");
}

/// psslint on `big.yaml`, writing a JSON report to `report.json`.
fn spawn_with_report(d: &TempDir) -> Child {
    StdCommand::new(bin())
        .current_dir(d.path())
        .args([
            "--max-file-size",
            "1G",
            "--format",
            "json",
            "--output",
            "report.json",
            "big.yaml",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn")
}

fn files_in(d: &TempDir) -> Vec<String> {
    fs::read_dir(d.path())
        .expect("ls")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect()
}

/// Killed by SIGINT, saying so, and with no report file nor temporary file left behind.
fn assert_interrupted(d: &TempDir, child: &mut Child, status: ExitStatus) {
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(2), "{status:?}");
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    assert!(stderr.contains("psslint: interrupted"), "{stderr}");
    let left = files_in(d);
    assert!(
        !left
            .iter()
            .any(|f| f.starts_with("report") || f.starts_with(".psslint-")),
        "{left:?}"
    );
}

/// The same, except that the report may have been renamed into place (complete) just before
/// the signal arrived.
fn assert_interrupted_with_no_partial_report(d: &TempDir, child: &mut Child, status: ExitStatus) {
    let report = d.path().join("report.json");
    if report.exists() {
        let text = fs::read_to_string(&report).expect("read report");
        serde_json::from_str::<serde_json::Value>(&text).expect("a complete JSON report");
        fs::remove_file(&report).expect("rm report");
    }
    assert_interrupted(d, child, status);
}

#[test]
fn ctrl_c_stops_a_long_run_promptly_and_leaves_no_report() {
    // About 40 MB of privileged pods: seconds of work even in a release build.
    let d = dir();
    many_pods(&d, 100_000);
    let mut child = spawn_with_report(&d);
    // Wait until it is busy linting, then interrupt it.
    let started = Instant::now();
    while cpu_ticks(child.id()) < 30 && started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        child.try_wait().expect("wait").is_none(),
        "finished before it could be interrupted"
    );
    let sent = Instant::now();
    interrupt(child.id());
    let status = wait_with_deadline(&mut child, Duration::from_secs(10));
    println!("stopped {:?} after SIGINT", sent.elapsed());
    // Promptly: dying of the signal is immediate; the bound is generous for a busy machine.
    assert!(
        sent.elapsed() < Duration::from_secs(5),
        "{:?}",
        sent.elapsed()
    );
    assert_interrupted(&d, &mut child, status);
}

#[test]
fn ctrl_c_while_the_report_is_being_written_deletes_the_temporary_file() {
    // 5,000 findings make a JSON report of about 25 MB: its temporary file exists long
    // enough to be seen.
    let d = dir();
    many_pods(&d, 5_000);
    let mut child = spawn_with_report(&d);
    let started = Instant::now();
    loop {
        if files_in(&d).iter().any(|f| f.starts_with(".psslint-")) {
            break;
        }
        assert!(
            child.try_wait().expect("wait").is_none(),
            "finished before its report could be interrupted"
        );
        assert!(started.elapsed() < TIMEOUT, "no report was started");
        std::thread::sleep(Duration::from_millis(1));
    }
    interrupt(child.id());
    let status = wait_with_deadline(&mut child, Duration::from_secs(10));
    assert_interrupted_with_no_partial_report(&d, &mut child, status);
}

#[test]
fn ctrl_c_while_waiting_for_standard_input() {
    use std::os::unix::process::ExitStatusExt;
    let d = dir();
    let mut child = StdCommand::new(bin())
        .current_dir(d.path())
        .args(["--output", "report.txt", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    // Half a manifest, and the writer never finishes.
    let mut stdin = child.stdin.take().expect("stdin");
    stdin
        .write_all(b"apiVersion: v1\nkind: Pod\n")
        .expect("write");
    std::thread::sleep(Duration::from_millis(500));
    interrupt(child.id());
    let status = wait_with_deadline(&mut child, Duration::from_secs(10));
    assert_eq!(status.signal(), Some(2), "{status:?}");
    assert!(!d.path().join("report.txt").exists());
    drop(stdin);
}

#[test]
fn sigterm_stops_it_like_ctrl_c() {
    // What a CI runner sends when a job is cancelled.
    use std::os::unix::process::ExitStatusExt;
    let d = dir();
    let mut child = StdCommand::new(bin())
        .current_dir(d.path())
        .args(["--output", "report.txt", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let stdin = child.stdin.take().expect("stdin");
    std::thread::sleep(Duration::from_millis(500));
    signal(child.id(), libc::SIGTERM);
    let status = wait_with_deadline(&mut child, Duration::from_secs(10));
    assert_eq!(status.signal(), Some(15), "{status:?}");
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    assert_eq!(stderr, "psslint: interrupted\n");
    assert!(!d.path().join("report.txt").exists());
    drop(stdin);
}

#[test]
fn raw_control_characters_are_rejected_like_the_api_server_does() {
    // libyaml (go-yaml) refuses non-printable characters anywhere, comments included: the
    // document is a parse error, reported with its position and shown escaped.
    let d = dir();
    fs::write(
        d.path().join("esc.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p} # \u{1b}[8m hidden\n",
    )
    .expect("write");
    let run = Run::of(psslint_in(d.path(), "concise").arg("esc.yaml"));
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains('\u{1b}'));
    assert!(
        run.stdout
            .contains("esc.yaml:3:23: parse-error error: control character U+001B is not allowed"),
        "{}",
        run.stdout
    );
}
