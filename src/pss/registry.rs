//! The check registry: which checks (and which revision of each) run at a level and version.

use super::model::Pod;
use super::{Level, Violation};

/// Static description of one check, for `psslint rules`, SARIF rule metadata and docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckInfo {
    /// Upstream check ID, e.g. `runAsNonRoot`.
    pub id: &'static str,
    pub level: Level,
    /// One-line summary, e.g. "Containers must run as a non-root user".
    pub title: &'static str,
    /// First policy minor version at which the check runs.
    pub since_minor: u32,
}

/// All 19 checks in upstream output order (pss-spec §2.2).
pub static CHECKS: &[CheckInfo] = &[];

/// Runs the checks active at `level` and effective minor version `minor` (already clamped,
/// see [`super::Version::effective_minor`]) and returns the failures in upstream order.
pub fn evaluate(_pod: &Pod, _level: Level, _minor: u32) -> Vec<Violation> {
    Vec::new()
}
