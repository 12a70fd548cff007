//! `--timings`: where a run spends its time, per pipeline stage.
//!
//! Stages run on several threads at once, so a stage's time is the sum over threads (CPU-side
//! time, which can exceed the wall clock); the wall clock of the whole run is printed beside
//! them. Nothing is measured unless a [`Timings`] is passed in, so normal runs pay nothing.

use std::io::{self, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A pipeline stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Walking directories.
    Discover,
    /// Reading files.
    Read,
    /// Decoding and splitting streams into documents.
    Split,
    /// The fast path and the YAML parse.
    Parse,
    /// Objects, pod templates, policy, the engine and diagnostics.
    Evaluate,
    /// Sorting and writing the report.
    Report,
}

impl Stage {
    const ALL: [Stage; 6] = [
        Stage::Discover,
        Stage::Read,
        Stage::Split,
        Stage::Parse,
        Stage::Evaluate,
        Stage::Report,
    ];

    fn name(self) -> &'static str {
        match self {
            Stage::Discover => "discover",
            Stage::Read => "read",
            Stage::Split => "split",
            Stage::Parse => "parse",
            Stage::Evaluate => "evaluate",
            Stage::Report => "report",
        }
    }
}

/// Counters shared by the threads of one run.
#[derive(Debug)]
pub struct Timings {
    start: Instant,
    nanos: [AtomicU64; 6],
    bytes: AtomicU64,
    chunks: AtomicU64,
    skimmed: AtomicU64,
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            start: Instant::now(),
            nanos: Default::default(),
            bytes: AtomicU64::new(0),
            chunks: AtomicU64::new(0),
            skimmed: AtomicU64::new(0),
        }
    }
}

impl Timings {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the time since `since` to `stage`.
    pub fn add(&self, stage: Stage, since: Instant) {
        let ns = u64::try_from(since.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.nanos[stage as usize].fetch_add(ns, Ordering::Relaxed);
    }

    /// Runs `f`, adding its time to `stage`.
    pub fn time<T>(&self, stage: Stage, f: impl FnOnce() -> T) -> T {
        let t = Instant::now();
        let out = f();
        self.add(stage, t);
        out
    }

    pub fn add_bytes(&self, n: usize) {
        self.bytes.fetch_add(n as u64, Ordering::Relaxed);
    }

    /// A chunk was handed to the parser stage; `skipped` when the fast path settled it.
    pub fn add_chunk(&self, skipped: bool) {
        self.chunks.fetch_add(1, Ordering::Relaxed);
        if skipped {
            self.skimmed.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn stage(&self, stage: Stage) -> Duration {
        Duration::from_nanos(self.nanos[stage as usize].load(Ordering::Relaxed))
    }

    /// Documents the fast path settled without building a tree.
    pub fn skipped_by_fast_path(&self) -> u64 {
        self.skimmed.load(Ordering::Relaxed)
    }

    /// Prints the timings (after the run) for `files` files and `documents` documents.
    pub fn render(&self, files: usize, documents: usize, out: &mut dyn Write) -> io::Result<()> {
        let wall = self.start.elapsed();
        let bytes = self.bytes.load(Ordering::Relaxed);
        let mb = bytes as f64 / 1e6;
        let secs = wall.as_secs_f64().max(1e-9);
        writeln!(
            out,
            "timings: {files} files, {bytes} bytes, {documents} documents ({} chunks, {} skipped by the fast path)",
            self.chunks.load(Ordering::Relaxed),
            self.skipped_by_fast_path(),
        )?;
        writeln!(
            out,
            "timings: wall {:.1} ms, {:.1} MB/s, {:.0} documents/s",
            secs * 1e3,
            mb / secs,
            documents as f64 / secs
        )?;
        for stage in Stage::ALL {
            writeln!(
                out,
                "timings: {:<9} {:>9.1} ms (summed over threads)",
                stage.name(),
                self.stage(stage).as_secs_f64() * 1e3
            )?;
        }
        Ok(())
    }
}
