//! Reading one input without letting it take the run down: the size limit is checked before a
//! byte is read, every read is bounded, and nothing can block the run forever.
//!
//! * A regular file larger than `--max-file-size` is refused from its metadata. One larger
//!   than the streaming threshold is handed over open ([`Source::Stream`]), to be read document
//!   by document, so memory follows the largest document and not the file.
//! * Standard input and pipes are read up to the threshold; a longer stream is spooled to an
//!   anonymous temporary file (deleted by the OS even if psslint is killed) and streamed from
//!   there. Reading stops one byte past `--max-file-size`.
//! * A named pipe given explicitly (`psslint ./pipe`, `psslint <(helm template .)`) is opened
//!   without blocking. If no process has it open for writing, psslint waits
//!   [`ReadLimits::fifo_wait`] for one, then reports it, instead of hanging.
//! * Devices and sockets are refused: `psslint /dev/zero` would never end.

use std::fs::File;
use std::io::{self, Read, Seek, Write};
use std::path::Path;
use std::time::Duration;

use super::render;
#[cfg(unix)]
use super::special::fifo;
use super::special::special_kind;
use super::Input;
use crate::model::problem::{InputRule, LoadProblem};

/// Bounds on reading one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadLimits {
    /// Inputs larger than this are not read (`file-too-large`).
    pub max_file_size: u64,
    /// Inputs larger than this are streamed document by document instead of read whole.
    pub stream_threshold: u64,
    /// How long to wait for a writer on a named pipe that has none.
    pub fifo_wait: Duration,
}

/// 16 MiB: every real manifest stream psslint has seen is read whole; a larger one is streamed.
pub const DEFAULT_STREAM_THRESHOLD: u64 = 16 * 1024 * 1024;

/// How long a named pipe without a writer is waited for.
pub const DEFAULT_FIFO_WAIT: Duration = Duration::from_secs(2);

impl ReadLimits {
    pub fn new(max_file_size: u64) -> Self {
        ReadLimits {
            max_file_size,
            stream_threshold: DEFAULT_STREAM_THRESHOLD,
            fifo_wait: DEFAULT_FIFO_WAIT,
        }
    }
}

/// An input's content, ready to lint.
#[derive(Debug)]
pub enum Source {
    /// The whole input.
    Bytes(Vec<u8>),
    /// A file (or a spooled pipe) positioned at its start, too large to hold at once.
    Stream(File),
}

impl From<Vec<u8>> for Source {
    fn from(bytes: Vec<u8>) -> Self {
        Source::Bytes(bytes)
    }
}

/// Reads `input` within `limits`. Problems are `io-error` or `file-too-large`.
pub fn read(input: &Input, limits: &ReadLimits) -> Result<Source, LoadProblem> {
    match input {
        Input::Stdin => read_stream(io::stdin().lock(), limits),
        Input::File(path) => read_path(path, limits),
    }
}

fn read_path(path: &Path, limits: &ReadLimits) -> Result<Source, LoadProblem> {
    let meta = std::fs::metadata(path).map_err(|e| io_problem(path, &e))?;
    let kind = meta.file_type();
    if kind.is_dir() {
        // A chart or kustomization, rendered with the default flags (`psslint check` renders
        // its inputs beforehand, with the run's flags: see `render::Renders::source`).
        if let Some(tool) = render::tool_for(path) {
            let opts = render::RenderOptions {
                max_output: limits.max_file_size,
                ..render::RenderOptions::default()
            };
            return render::render(path, tool, &opts)
                .map(|r| Source::Bytes(r.text.as_bytes().to_vec()));
        }
        return Err(LoadProblem::new(
            InputRule::Io,
            "is a directory; it was not checked",
            None,
        ));
    }
    if !kind.is_file() {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if kind.is_fifo() {
                let pipe = fifo::open(path, limits.fifo_wait)?;
                return read_stream(pipe, limits);
            }
        }
        return Err(LoadProblem::new(
            InputRule::Io,
            format!(
                "is {}, not a file; psslint reads files, directories, named pipes and \
                 standard input (`-`); it was not checked",
                special_kind(meta.file_type())
            ),
            None,
        ));
    }
    if meta.len() > limits.max_file_size {
        return Err(too_large(Some(meta.len()), limits.max_file_size));
    }
    let file = File::open(path).map_err(|e| io_problem(path, &e))?;
    if meta.len() > limits.stream_threshold {
        return Ok(Source::Stream(file));
    }
    // The file may grow between `metadata` and the read: the read is bounded all the same.
    read_stream(file, limits)
}

/// Reads a stream whose size is unknown: into memory up to the threshold, then into a
/// temporary file, never past `max_file_size`.
fn read_stream(reader: impl Read, limits: &ReadLimits) -> Result<Source, LoadProblem> {
    let failed = |e: io::Error| LoadProblem::new(InputRule::Io, format!("cannot read: {e}"), None);
    let max = limits.max_file_size;
    let in_memory = limits.stream_threshold.min(max);
    let mut reader = reader;
    let mut bytes = Vec::new();
    (&mut reader)
        .take(in_memory.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(failed)?;
    if bytes.len() as u64 <= in_memory {
        return Ok(Source::Bytes(bytes));
    }
    if bytes.len() as u64 > max {
        return Err(too_large(None, max));
    }
    let spool_failed = |e: io::Error| {
        LoadProblem::new(
            InputRule::Io,
            format!("cannot spool a large input to a temporary file: {e}"),
            None,
        )
    };
    let mut spool = tempfile::tempfile().map_err(spool_failed)?;
    spool.write_all(&bytes).map_err(spool_failed)?;
    let have = bytes.len() as u64;
    drop(bytes);
    let copied = io::copy(
        &mut reader.take((max - have).saturating_add(1)),
        &mut io::BufWriter::new(&mut spool),
    )
    .map_err(failed)?;
    let total = have + copied;
    if total > max {
        return Err(too_large(None, max));
    }
    spool.rewind().map_err(spool_failed)?;
    Ok(Source::Stream(spool))
}

/// `size` when known (from metadata); a stream is read only one byte past the limit.
fn too_large(size: Option<u64>, limit: u64) -> LoadProblem {
    let size = match size {
        Some(size) => format!("{size} bytes"),
        None => format!("more than {limit} bytes"),
    };
    LoadProblem::new(
        InputRule::FileTooLarge,
        format!(
            "input is {size}, over the --max-file-size limit of {limit} bytes; it was not checked"
        ),
        None,
    )
    .with_hint("raise --max-file-size (e.g. `--max-file-size 2G`) if the input is legitimate")
}

fn io_problem(path: &Path, e: &io::Error) -> LoadProblem {
    let message = match e.kind() {
        io::ErrorKind::NotFound if std::fs::symlink_metadata(path).is_ok() => {
            "cannot read: dangling symbolic link (its target does not exist)".to_string()
        }
        io::ErrorKind::NotFound => "cannot read: no such file".to_string(),
        io::ErrorKind::PermissionDenied => "cannot read: permission denied".to_string(),
        _ => format!("cannot read: {e}"),
    };
    LoadProblem::new(
        InputRule::Io,
        format!("{message}; it was not checked"),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max: u64, threshold: u64) -> ReadLimits {
        ReadLimits {
            max_file_size: max,
            stream_threshold: threshold,
            fifo_wait: Duration::from_millis(100),
        }
    }

    fn streamed(source: Source) -> Vec<u8> {
        match source {
            Source::Stream(mut f) => {
                let mut v = Vec::new();
                f.read_to_end(&mut v).expect("read spool");
                v
            }
            Source::Bytes(_) => panic!("expected a stream"),
        }
    }

    #[test]
    fn short_streams_stay_in_memory() {
        let got = read_stream(&b"a: 1\n"[..], &limits(100, 10)).expect("read");
        assert!(matches!(got, Source::Bytes(b) if b == b"a: 1\n"));
    }

    #[test]
    fn long_streams_are_spooled() {
        let data: Vec<u8> = (0..1000u32).flat_map(|i| i.to_le_bytes()).collect();
        let got = read_stream(&data[..], &limits(10_000, 100)).expect("read");
        assert_eq!(streamed(got), data);
    }

    #[test]
    fn reads_stop_past_the_limit() {
        let endless = io::repeat(b'x');
        let err = read_stream(endless, &limits(1000, 100)).expect_err("too large");
        assert_eq!(err.rule, InputRule::FileTooLarge);
        let err = read_stream(io::repeat(b'x'), &limits(50, 100)).expect_err("too large");
        assert_eq!(err.rule, InputRule::FileTooLarge);
        let exact = read_stream(&[b'x'; 50][..], &limits(50, 100)).expect("at the limit");
        assert!(matches!(exact, Source::Bytes(b) if b.len() == 50));
    }
}
