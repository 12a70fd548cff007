//! Running a renderer (`helm`, `kubectl`, `kustomize`) as a child process: no shell, no
//! standard input, both outputs captured in bounded memory, and a deadline after which the
//! process is killed, so a renderer that hangs (a remote base that never answers) cannot hang
//! the run.

use std::io::{self, Read};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// What a finished process printed.
#[derive(Debug)]
pub struct Finished {
    /// `None` when a signal ended it.
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    /// `true` when standard output was longer than the limit (the rest was discarded).
    pub stdout_truncated: bool,
    pub stderr: String,
}

#[derive(Debug)]
pub enum RunError {
    /// The program is not on `PATH`.
    NotFound,
    /// It could not be started for another reason.
    Spawn(io::Error),
    /// It ran past the deadline and was killed.
    Timeout(Duration),
    /// Waiting for it failed.
    Wait(io::Error),
}

/// Longest standard error kept: renderers' messages are short; a flood is cut.
const STDERR_LIMIT: u64 = 64 * 1024;

/// How often a running process is polled for its exit.
const POLL: Duration = Duration::from_millis(10);

/// Runs `cmd` to completion or until `timeout`, keeping at most `stdout_limit` bytes of its
/// standard output.
pub fn run(cmd: &mut Command, timeout: Duration, stdout_limit: u64) -> Result<Finished, RunError> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => RunError::NotFound,
        _ => RunError::Spawn(e),
    })?;
    let out = child.stdout.take().map(|pipe| {
        thread::spawn(move || {
            let mut bytes = Vec::new();
            let mut pipe = pipe;
            let _ = (&mut pipe)
                .take(stdout_limit.saturating_add(1))
                .read_to_end(&mut bytes);
            // Drain the rest so the child is never blocked on a full pipe.
            let _ = io::copy(&mut pipe, &mut io::sink());
            bytes
        })
    });
    let err = child.stderr.take().map(|pipe| {
        thread::spawn(move || {
            let mut bytes = Vec::new();
            let mut pipe = pipe;
            let _ = (&mut pipe).take(STDERR_LIMIT).read_to_end(&mut bytes);
            let _ = io::copy(&mut pipe, &mut io::sink());
            bytes
        })
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                // The reader threads end when the pipes close; they are not waited for, in
                // case a grandchild holds them open.
                return Err(RunError::Timeout(timeout));
            }
            Ok(None) => thread::sleep(POLL),
            Err(e) => {
                let _ = child.kill();
                return Err(RunError::Wait(e));
            }
        }
    };
    let mut stdout = out.and_then(|t| t.join().ok()).unwrap_or_default();
    let stderr = err.and_then(|t| t.join().ok()).unwrap_or_default();
    let stdout_truncated = stdout.len() as u64 > stdout_limit;
    stdout.truncate(stdout_limit.try_into().unwrap_or(usize::MAX));
    Ok(Finished {
        code: status.code(),
        stdout,
        stdout_truncated,
        stderr: String::from_utf8_lossy(&stderr).trim_end().to_string(),
    })
}

/// `argv` as a POSIX shell command line a user can paste: words with anything but safe
/// characters are single-quoted.
pub fn shell_line<S: AsRef<str>>(argv: &[S]) -> String {
    argv.iter()
        .map(|a| quote(a.as_ref()))
        .collect::<Vec<_>>()
        .join(" ")
}

fn quote(word: &str) -> String {
    let safe = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%".contains(&b));
    if safe {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_keeps_plain_words_and_quotes_the_rest() {
        assert_eq!(
            shell_line(&["helm", "template", "a b", "it's", "x=1"]),
            r"helm template 'a b' 'it'\''s' x=1"
        );
        assert_eq!(shell_line(&[""]), "''");
    }

    #[cfg(unix)]
    #[test]
    fn a_missing_program_is_not_found() {
        let got = run(
            &mut Command::new("psslint-no-such-renderer"),
            Duration::from_secs(5),
            10,
        );
        assert!(matches!(got, Err(RunError::NotFound)), "{got:?}");
    }

    #[cfg(unix)]
    #[test]
    fn output_is_captured_and_bounded() {
        let got = run(
            Command::new("sh").args(["-c", "printf 0123456789; echo oops >&2; exit 3"]),
            Duration::from_secs(10),
            4,
        )
        .expect("runs");
        assert_eq!(got.code, Some(3));
        assert_eq!(got.stdout, b"0123");
        assert!(got.stdout_truncated);
        assert_eq!(got.stderr, "oops");
    }

    #[cfg(unix)]
    #[test]
    fn a_hanging_process_is_killed_at_the_deadline() {
        let start = Instant::now();
        let got = run(
            Command::new("sleep").arg("30"),
            Duration::from_millis(200),
            10,
        );
        assert!(matches!(got, Err(RunError::Timeout(_))), "{got:?}");
        assert!(start.elapsed() < Duration::from_secs(10));
    }
}
