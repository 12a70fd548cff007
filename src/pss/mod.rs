//! The Pod Security Standards engine: pure, versioned, no I/O, no YAML, no printing.
//!
//! Input: a [`model::Pod`], a [`Level`](crate::model::level::Level) and a minor version. Output: one [`Violation`] per failing
//! check, in the upstream order (pss-spec §2.2), each with the upstream `reason` and `detail`
//! text and the field paths at fault.

pub mod checks;
pub mod format;
pub mod model;
pub mod registry;
pub mod violation;

pub use registry::{check_info, evaluate, CheckInfo, CHECKS};
pub use violation::{aggregate, FieldRef, Remedy, Violation};
