//! How many worker threads a run uses, and building rayon's pool accordingly.
//!
//! Linting is parallel across files and across the documents of one stream. For the
//! pre-commit case (a few small files) threads cost more than they save: spawning them, their
//! malloc arenas and asking the cgroup for the CPU quota take longer than linting a small
//! manifest. Such runs use the calling thread alone.

use std::path::Path;

/// Inputs totalling less than this are linted on the calling thread: about a millisecond of
/// work, less than what starting worker threads costs.
pub const SMALL_INPUT_BYTES: u64 = 128 * 1024;

/// Up to this many inputs are `stat`ed to see whether the run is small.
const SMALL_INPUT_FILES: usize = 16;

/// The number of workers for `inputs` (each input's path, `None` for standard input):
/// `requested` (`--threads`) if given, one for a small run, else the available cores.
pub fn count<'a>(
    requested: Option<usize>,
    inputs: impl ExactSizeIterator<Item = Option<&'a Path>>,
) -> usize {
    if let Some(n) = requested {
        return n.max(1);
    }
    if is_small(inputs) {
        return 1;
    }
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Whether every input is a file and together they are small (standard input is not: its size
/// is unknown).
fn is_small<'a>(inputs: impl ExactSizeIterator<Item = Option<&'a Path>>) -> bool {
    if inputs.len() > SMALL_INPUT_FILES {
        return false;
    }
    let mut total = 0u64;
    for input in inputs {
        let Some(path) = input else {
            return false;
        };
        // Unreadable files are reported by the read stage; they add no work.
        if let Ok(m) = std::fs::metadata(path) {
            total += m.len();
        }
    }
    total < SMALL_INPUT_BYTES
}

/// Builds rayon's global pool with `threads` workers. With one, the calling thread is the
/// worker and no thread is spawned.
pub fn build_pool(threads: usize) {
    let builder = rayon::ThreadPoolBuilder::new().num_threads(threads.max(1));
    let builder = if threads <= 1 {
        builder.use_current_thread()
    } else {
        builder
    };
    // Fails if a pool was already built (then that one is used, as before), or if a worker
    // thread cannot be started (an I/O error): under a memory cap (`ulimit -v`) its stack may
    // not fit. Then the run cannot go on (rayon would panic at the first parallel step): say
    // so, exit 2.
    if let Err(e) = builder.build_global() {
        if std::error::Error::source(&e).is_none() {
            return;
        }
        eprintln!(
            "psslint: error: cannot start {threads} worker threads ({e}); out of memory? \
             Raise the memory limit (ulimit -v) or pass --threads 1"
        );
        std::process::exit(2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requested_threads_win() {
        assert_eq!(count(Some(3), std::iter::empty()), 3);
        assert_eq!(count(Some(0), std::iter::empty()), 1);
    }

    #[test]
    fn small_runs_use_one_thread_and_stdin_is_not_small() {
        let small = Some(Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/Cargo.toml"
        )));
        assert_eq!(count(None, std::iter::once(small)), 1);
        assert!(!is_small(std::iter::once(None)));
        let many = vec![small; SMALL_INPUT_FILES + 1];
        assert!(!is_small(many.into_iter()));
    }
}
