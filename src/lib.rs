//! psslint: exact, versioned Kubernetes Pod Security Standards verdicts for manifests.
//!
//! The pipeline, one module per stage:
//! [`discover`] (paths → files) → [`manifest`] (files → documents → span trees → objects) →
//! [`workload`] (objects → pod templates) → [`policy`] (who gets which level) → [`pss`] (the
//! pure engine) → [`diagnose`] + [`fix`] (field paths → spans and fixes) → [`report`] (bytes).
//! [`lint`] runs the pipeline; `main.rs` only parses flags and maps the outcome to an exit code.

pub mod cli;
pub mod diagnose;
pub mod diagnostic;
pub mod discover;
pub mod field;
pub mod fix;
pub mod input;
pub mod interrupt;
pub mod lint;
pub mod manifest;
pub mod notices;
pub mod output;
pub mod plan;
pub mod pod_templates;
pub mod policy;
pub mod pss;
pub mod report;
pub mod rules;
pub mod source;
pub mod timings;
pub mod workers;
pub mod workload;
