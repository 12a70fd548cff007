//! psslint: exact, versioned Kubernetes Pod Security Standards verdicts for manifests.
//!
//! The folders read as the pipeline, bottom up (docs/architecture.md has the layers and what
//! flows between them):
//! [`input`] (paths → inputs → bytes) → [`manifest`] (bytes → documents → span trees →
//! objects) → [`workload`] (objects → pod templates) → [`pss`] (the pure engine) →
//! [`policy`] (who gets which level, exceptions, hygiene) → [`diagnose`] (field paths → spans,
//! snippets and fixes) → [`report`] (bytes). [`lint`] drives one run through these stages;
//! [`plan`] and [`notices`] run it per target; [`cli`] holds the flags and each subcommand's
//! run, so `main.rs` only parses, dispatches and maps the outcome to an exit code.
//! Under them all, [`model`] is the plain data every stage shares and [`runtime`] the
//! process concerns (signals, timings, worker threads).

pub mod cli;
pub mod diagnose;
pub mod fix;
pub mod input;
pub mod lint;
pub mod manifest;
pub mod model;
pub mod notices;
pub mod plan;
pub mod policy;
pub mod pss;
pub mod report;
pub mod rules;
pub mod runtime;
pub mod sourcemap;
pub mod workload;
