//! Who gets which level. For now every workload is judged by one forced policy
//! (`--level`/`--pss-version`); per-namespace resolution plugs in behind [`Policy::for_object`]
//! without changing its callers.

use crate::diagnostic::Severity;
use crate::pss::{Level, Version};

/// The Pod Security Admission modes (pss-spec §4.3–4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Enforce,
    Audit,
    Warn,
}

impl Mode {
    /// A check failing at the enforce level is an error; at audit or warn only, a warning.
    pub fn severity(self) -> Severity {
        match self {
            Mode::Enforce => Severity::Error,
            Mode::Audit | Mode::Warn => Severity::Warning,
        }
    }
}

/// A level at a version, as a namespace label pair sets it (`restricted` + `v1.37`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LevelVersion {
    pub level: Level,
    pub version: Version,
}

impl LevelVersion {
    /// `restricted:latest`, as upstream prints it in messages (pss-spec §4.2).
    pub fn label(&self) -> String {
        format!("{}:{}", self.level, self.version)
    }
}

/// One evaluation to run on a workload: a mode and the level/version it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Evaluation {
    pub mode: Mode,
    pub policy: LevelVersion,
}

/// The policy in force for this run.
#[derive(Debug, Clone)]
pub struct Policy {
    forced: LevelVersion,
    /// The target cluster minor, if known; clamps `latest` and newer versions (pss-spec §1.3).
    pub kubernetes_minor: Option<u32>,
}

impl Policy {
    /// Every workload judged at `level`/`version`, and every violation an error.
    pub fn forced(level: Level, version: Version) -> Self {
        Policy {
            forced: LevelVersion { level, version },
            kubernetes_minor: None,
        }
    }

    /// The evaluations to run for an object in `namespace`.
    pub fn for_object(&self, _namespace: &str) -> Vec<Evaluation> {
        vec![Evaluation {
            mode: Mode::Enforce,
            policy: self.forced,
        }]
    }

    /// The minor version whose checks run for `version` in this cluster.
    pub fn effective_minor(&self, version: Version) -> u32 {
        version.effective_minor(self.kubernetes_minor)
    }
}
