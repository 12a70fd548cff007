//! The rollout plan as data: what every format renders, and the JSON contract (additive changes
//! only).

use serde::Serialize;

use super::runs::Verdict;
use crate::model::diagnostic::Mode;
use crate::model::level::Level;
use crate::policy::SourceKind;

#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// The level and version the rollout aims at.
    pub target: PolicyRef,
    /// The cluster minor whose checks `latest` and newer versions run (`kubernetes:` or
    /// `--kubernetes`, else the newest psslint knows).
    pub kubernetes: String,
    /// `--from-version`: the pin the upgrade impact is measured from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_version: Option<String>,
    pub summary: PlanSummary,
    pub namespaces: Vec<NamespacePlan>,
    /// Input that could not be checked: the plan cannot vouch for it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unchecked: Vec<String>,
}

/// A level at a version: `restricted` + `v1.33`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyRef {
    pub level: Level,
    pub version: String,
}

impl PolicyRef {
    /// `restricted:v1.33`.
    pub fn label(&self) -> String {
        format!("{}:{}", self.level, self.version)
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct PlanSummary {
    pub namespaces: usize,
    /// Namespaces already at the target in every mode, pinned.
    pub done: usize,
    /// Namespaces where every remaining step, enforce included, rejects nothing.
    pub ready: usize,
    /// Namespaces where enforcing the target would reject workloads.
    pub blocked: usize,
    /// Namespaces exempt from Pod Security.
    pub exempt: usize,
    /// Workloads evaluated (exempt ones aside).
    pub workloads: usize,
    /// Workloads that enforcing the target would reject (exceptions aside).
    pub failing: usize,
    /// Workloads failing the target whose every failing check an active exception covers.
    pub covered: usize,
    /// Namespaces without a single PSA label (from a Namespace object or the config).
    pub unlabelled: Vec<String>,
    /// Namespaces with a labelled mode at `latest`, or no version pinned.
    pub unpinned: Vec<String>,
    /// Namespaces with an invalid PSA label (the API server rejects the Namespace).
    pub invalid: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NamespaceState {
    /// Every mode is labelled at (or above) the target, pinned.
    Done,
    /// Every remaining step, enforce included, rejects nothing.
    Ready,
    /// Enforcing the target would reject workloads (earlier steps may still be safe).
    Blocked,
    /// Exempt from Pod Security (admission configuration or config).
    Exempt,
}

impl NamespaceState {
    pub fn as_str(self) -> &'static str {
        match self {
            NamespaceState::Done => "done",
            NamespaceState::Ready => "ready",
            NamespaceState::Blocked => "blocked",
            NamespaceState::Exempt => "exempt",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct NamespacePlan {
    pub name: String,
    /// `namespaces.yaml:12` when a Namespace object declares it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared_in: Option<String>,
    pub state: NamespaceState,
    /// The config file's documented reason for the namespace's policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Enforce, audit and warn as they are now.
    pub policy: Vec<ModeState>,
    pub labelled: bool,
    pub pinned: bool,
    /// Baseline and restricted at the target version.
    pub levels: Vec<LevelCounts>,
    pub workloads: Vec<WorkloadPlan>,
    /// The remaining steps toward the target, in order.
    pub steps: Vec<Step>,
    /// The index in `steps` of the next safe step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_step: Option<usize>,
    /// With `--from-version`: workloads that newly fail when the pin moves to the target.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub upgrade: Vec<UpgradeImpact>,
}

impl NamespacePlan {
    pub fn next(&self) -> Option<&Step> {
        self.next_step.and_then(|i| self.steps.get(i))
    }

    pub fn level(&self, level: Level) -> Option<&LevelCounts> {
        self.levels.iter().find(|l| l.level == level)
    }
}

/// One mode's current policy.
#[derive(Debug, Clone, Serialize)]
pub struct ModeState {
    pub mode: Mode,
    pub level: Level,
    pub version: String,
    /// `label`, `config` or `default`.
    pub source_kind: SourceKind,
    /// Where exactly: a label and its file:line, a config line, the default's origin.
    pub source: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LevelState {
    /// The namespace already enforces this level (or a stricter one) at the target version.
    Enforced,
    /// It enforces it, and workloads fail it: the API server rejects their pods today.
    Rejecting,
    /// Enforcing it would reject nothing (exceptions aside).
    Ready,
    /// Enforcing it would reject workloads.
    Blocked,
    Exempt,
}

impl LevelState {
    pub fn as_str(self) -> &'static str {
        match self {
            LevelState::Enforced => "enforced",
            LevelState::Rejecting => "rejecting",
            LevelState::Ready => "ready",
            LevelState::Blocked => "blocked",
            LevelState::Exempt => "exempt",
        }
    }
}

/// How a namespace's workloads fare at one level at the target version.
#[derive(Debug, Clone, Serialize)]
pub struct LevelCounts {
    pub level: Level,
    pub version: String,
    pub state: LevelState,
    pub pass: usize,
    pub fail: usize,
    pub covered: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct WorkloadPlan {
    pub kind: String,
    pub name: String,
    pub file: String,
    pub line: u32,
    /// The Helm template it was rendered from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// Baseline and restricted at the target version.
    pub levels: Vec<WorkloadLevel>,
}

impl WorkloadPlan {
    /// `Deployment/web`.
    pub fn display_name(&self) -> String {
        format!("{}/{}", self.kind, self.name)
    }

    pub fn at(&self, level: Level) -> Option<&WorkloadLevel> {
        self.levels.iter().find(|l| l.level == level)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct WorkloadLevel {
    pub level: Level,
    pub verdict: Verdict,
    /// Failing and covered checks (none when it passes).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub violations: Vec<ViolationRef>,
}

/// One failing check of a workload.
#[derive(Debug, Clone, Serialize)]
pub struct ViolationRef {
    pub check: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    pub file: String,
    pub line: u32,
    pub column: u32,
    /// `team-payments until 2026-09-30` when an active exception covers it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excepted_by: Option<String>,
}

/// One labelling step.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub mode: Mode,
    pub level: Level,
    pub version: String,
    /// Applying it rejects no workload (warn and audit never reject).
    pub ready: bool,
    /// An intermediate enforce step (baseline first while restricted is blocked).
    pub interim: bool,
    /// Workloads that will warn (warn), be audited (audit) or be rejected (enforce).
    pub affected: usize,
    /// The workloads that block an enforce step (`Deployment/web`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blockers: Vec<String>,
    /// `kubectl label --overwrite ns … pod-security.kubernetes.io/warn=restricted …`.
    pub command: String,
    /// The same labels as a Namespace manifest patch.
    pub yaml: String,
}

impl Step {
    /// `warn=restricted:v1.33`.
    pub fn label(&self) -> String {
        format!("{}={}:{}", self.mode.as_str(), self.level, self.version)
    }

    /// What applying it does, in one phrase.
    pub fn effect(&self) -> String {
        let n = self.affected;
        let workloads = if n == 1 { "workload" } else { "workloads" };
        match self.mode {
            Mode::Warn => format!("safe: {n} {workloads} will show warnings"),
            Mode::Audit => format!("safe: {n} {workloads} will be audited"),
            Mode::Enforce if self.ready => "ready: no workload would be rejected".to_string(),
            Mode::Enforce => format!("blocked: {n} {workloads} would be rejected"),
        }
    }
}

/// A workload that newly fails when the pin moves from `--from-version` to the target.
#[derive(Debug, Clone, Serialize)]
pub struct UpgradeImpact {
    pub kind: String,
    pub name: String,
    pub file: String,
    pub line: u32,
    pub level: Level,
    pub checks: Vec<UpgradeCheck>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UpgradeCheck {
    pub check: String,
    pub message: String,
    /// `baseline check hostProbesAndLifecycle runs from v1.34`.
    pub why: String,
}
