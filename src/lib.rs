//! psslint: exact, versioned Kubernetes Pod Security Standards verdicts for manifests.
//!
//! The pipeline (see `README.md` and `docs` in the repository):
//! `discover` → `manifest` (load) → `workload` (pod templates) → `policy` → `pss` (engine) →
//! `diagnose` → `report`.

pub mod diagnostic;
pub mod field;
pub mod manifest;
pub mod pss;
pub mod report;
pub mod rules;
pub mod source;
