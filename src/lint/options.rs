//! Everything that decides how inputs are judged, for one run.

use std::path::PathBuf;
use std::sync::Arc;

use crate::manifest::yaml::ParseOptions;
use crate::policy::Policy;
use crate::runtime::timings::{Stage, Timings};
use crate::workload::kinds::{self, WorkloadKind};

/// Everything that decides how inputs are judged.
#[derive(Debug, Clone)]
pub struct LintOptions {
    pub policy: Policy,
    /// Kinds that carry pod templates (built-ins plus configured custom resources).
    pub kinds: Vec<WorkloadKind>,
    /// Files larger than this are reported (`file-too-large`) and not parsed.
    pub max_file_size: u64,
    pub parse: ParseOptions,
    /// The namespace of objects without `metadata.namespace`.
    pub default_namespace: String,
    /// Report input that could not be checked as warnings, not errors (`--allow-unchecked`).
    pub allow_unchecked: bool,
    /// Standard input or a pipe without documents is a note, not an error (`--allow-empty`).
    pub allow_empty: bool,
    /// A streamed file is linted in windows of documents holding about this many bytes.
    pub stream_batch_bytes: usize,
    /// Keep passing objects in [`Report::objects`] (only JUnit lists them).
    pub keep_passing_objects: bool,
    /// Keep each checked object's labels and annotations ([`CheckedObject::metadata`]).
    pub keep_object_metadata: bool,
    /// Settle documents that need no tree with [`skim`] (same results, less work).
    pub fast_path: bool,
    /// Where to record `--timings`, if anywhere.
    pub timings: Option<Arc<Timings>>,
    /// Files read only for their Namespace objects (`--namespaces-from`).
    pub namespaces_from: NamespaceSources,
}

impl LintOptions {
    pub fn new(policy: Policy) -> Self {
        LintOptions {
            policy,
            kinds: kinds::builtin_kinds(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            parse: ParseOptions::default(),
            default_namespace: "default".to_string(),
            allow_unchecked: false,
            allow_empty: false,
            stream_batch_bytes: DEFAULT_STREAM_BATCH,
            keep_passing_objects: true,
            keep_object_metadata: false,
            fast_path: true,
            timings: None,
            namespaces_from: Default::default(),
        }
    }

    /// Whether the pipeline reads more than the identity (apiVersion, kind) of objects of
    /// this kind, whatever their apiVersion: pod-template kinds and Namespaces. The fast path
    /// never settles a document whose top-level `kind` this accepts.
    pub fn needs_tree(&self, kind: &str) -> bool {
        kind == "Namespace" || self.kinds.iter().any(|k| k.kind == kind)
    }

    pub(crate) fn timed<T>(&self, stage: Stage, f: impl FnOnce() -> T) -> T {
        match &self.timings {
            Some(t) => t.time(stage, f),
            None => f(),
        }
    }
}

/// 256 MiB: far above any real manifest stream, low enough to refuse a runaway file.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 256 * 1024 * 1024;

/// 8 MiB of documents per window of a streamed file: thousands of documents to share among the
/// workers, little memory.
pub const DEFAULT_STREAM_BATCH: usize = 8 * 1024 * 1024;

/// Where to read Namespace objects from, besides the linted inputs (`--namespaces-from`; see
/// [`super::context`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NamespaceSources {
    /// Files or directories.
    pub paths: Vec<PathBuf>,
    /// Walk files ignored by `.gitignore` too (`--no-ignore`).
    pub no_ignore: bool,
    /// Follow symbolic links met while walking (`--follow`).
    pub follow: bool,
}

impl NamespaceSources {
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }
}
