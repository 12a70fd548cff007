//! The steps from a namespace's current policy to the target, in the order Pod Security
//! rollouts take them (pss-spec §4.3–4.5): warn (developers see warnings), audit (the audit log
//! records violations), then enforce (violating pods are rejected). Warn and audit never reject
//! anything, so they are always safe; enforce is ready only when no workload fails.

use super::model::Step;
use crate::model::diagnostic::Mode;
use crate::model::level::{Level, Version};
use crate::policy::labels;
use crate::policy::{LevelVersion, ModePolicies, SourceKind};

/// What the steps of one namespace need to know.
pub struct StepInput<'a> {
    pub namespace: &'a str,
    pub current: &'a ModePolicies,
    pub kinds: &'a [SourceKind; 3],
    pub target: LevelVersion,
    /// Workloads failing or covered at the target level (they warn and are audited).
    pub violating_at_target: usize,
    /// Workloads failing at the target level, exceptions aside (they would be rejected).
    pub blockers_at_target: Vec<String>,
    /// The same at baseline, for the interim step when the target is restricted.
    pub blockers_at_baseline: Vec<String>,
}

/// Whether a mode already holds `wanted`: labelled (a default can change under the namespace),
/// at the same or a stricter level, pinned to the same version (an older pin misses newer
/// checks; `latest` changes meaning with every upgrade).
fn holds(input: &StepInput<'_>, mode: Mode, wanted: LevelVersion) -> bool {
    let current = input.current.get(mode).policy;
    matches!(
        input.kinds[mode.index()],
        SourceKind::Label | SourceKind::Config
    ) && current.level >= wanted.level
        && current.version == wanted.version
}

/// The remaining steps, in order.
pub fn plan_steps(input: &StepInput<'_>) -> Vec<Step> {
    let target = input.target;
    let mut steps = Vec::new();
    for mode in [Mode::Warn, Mode::Audit] {
        if !holds(input, mode, target) {
            steps.push(step(
                input.namespace,
                mode,
                target,
                true,
                input.violating_at_target,
                Vec::new(),
            ));
        }
    }
    if !holds(input, Mode::Enforce, target) {
        let baseline = LevelVersion {
            level: Level::Baseline,
            version: target.version,
        };
        // Restricted is blocked but baseline is not: enforce baseline meanwhile, so nothing
        // that breaks baseline can come back while the restricted fixes land.
        if target.level == Level::Restricted
            && !input.blockers_at_target.is_empty()
            && input.blockers_at_baseline.is_empty()
            && !holds(input, Mode::Enforce, baseline)
        {
            let mut interim = step(input.namespace, Mode::Enforce, baseline, true, 0, vec![]);
            interim.interim = true;
            steps.push(interim);
        }
        let blockers = input.blockers_at_target.clone();
        steps.push(step(
            input.namespace,
            Mode::Enforce,
            target,
            blockers.is_empty(),
            blockers.len(),
            blockers,
        ));
    }
    steps
}

fn step(
    namespace: &str,
    mode: Mode,
    policy: LevelVersion,
    ready: bool,
    affected: usize,
    blockers: Vec<String>,
) -> Step {
    Step {
        mode,
        level: policy.level,
        version: policy.version.to_string(),
        ready,
        interim: false,
        affected,
        blockers,
        command: kubectl_label(namespace, mode, policy),
        yaml: namespace_patch(namespace, mode, policy),
    }
}

/// `kubectl label --overwrite ns shop pod-security.kubernetes.io/warn=restricted
/// pod-security.kubernetes.io/warn-version=v1.33`.
pub fn kubectl_label(namespace: &str, mode: Mode, policy: LevelVersion) -> String {
    format!(
        "kubectl label --overwrite ns {namespace} {}={} {}={}",
        labels::key(mode, false),
        policy.level,
        labels::key(mode, true),
        policy.version
    )
}

/// The same labels as a Namespace manifest (merge it into the Namespace object, or apply it
/// with `kubectl apply --server-side`).
pub fn namespace_patch(namespace: &str, mode: Mode, policy: LevelVersion) -> String {
    format!(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {namespace}\n  labels:\n    {}: {}\n    {}: {}\n",
        labels::key(mode, false),
        policy.level,
        labels::key(mode, true),
        version_yaml(policy.version)
    )
}

fn version_yaml(v: Version) -> String {
    v.to_string()
}

/// The index of the first step that can be applied now.
pub fn next_safe(steps: &[Step]) -> Option<usize> {
    steps.iter().position(|s| s.ready)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::ModePolicy;

    fn lv(level: Level, version: Version) -> LevelVersion {
        LevelVersion { level, version }
    }

    fn input<'a>(
        current: &'a ModePolicies,
        kinds: &'a [SourceKind; 3],
        blockers: &[&str],
        baseline_blockers: &[&str],
    ) -> StepInput<'a> {
        StepInput {
            namespace: "shop",
            current,
            kinds,
            target: lv(Level::Restricted, Version::V1(33)),
            violating_at_target: blockers.len() + 1,
            blockers_at_target: blockers.iter().map(|s| s.to_string()).collect(),
            blockers_at_baseline: baseline_blockers.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn labels_of(steps: &[Step]) -> Vec<String> {
        steps.iter().map(Step::label).collect()
    }

    #[test]
    fn an_unlabelled_namespace_goes_warn_audit_enforce() {
        let current = ModePolicies::builtin();
        let kinds = [SourceKind::Default; 3];
        let steps = plan_steps(&input(&current, &kinds, &[], &[]));
        assert_eq!(
            labels_of(&steps),
            [
                "warn=restricted:v1.33",
                "audit=restricted:v1.33",
                "enforce=restricted:v1.33"
            ]
        );
        assert!(steps.iter().all(|s| s.ready));
        assert_eq!(steps[0].command, "kubectl label --overwrite ns shop pod-security.kubernetes.io/warn=restricted pod-security.kubernetes.io/warn-version=v1.33");
        assert!(steps[2]
            .yaml
            .contains("    pod-security.kubernetes.io/enforce-version: v1.33\n"));
    }

    #[test]
    fn enforce_is_blocked_by_failing_workloads_and_baseline_comes_first() {
        let current = ModePolicies::builtin();
        let kinds = [SourceKind::Default; 3];
        let steps = plan_steps(&input(&current, &kinds, &["Deployment/web"], &[]));
        assert_eq!(
            labels_of(&steps)[2..],
            ["enforce=baseline:v1.33", "enforce=restricted:v1.33"]
        );
        assert!(steps[2].ready && steps[2].interim);
        assert!(!steps[3].ready);
        assert_eq!(steps[3].blockers, ["Deployment/web"]);
        // No interim step when baseline fails too.
        let steps = plan_steps(&input(&current, &kinds, &["Pod/a"], &["Pod/a"]));
        assert_eq!(labels_of(&steps).len(), 3);
        assert_eq!(next_safe(&steps), Some(0));
    }

    #[test]
    fn labelled_pinned_modes_are_done_and_defaults_never_are() {
        let at = |level, version| ModePolicy::new(lv(level, version), None);
        let current = ModePolicies([
            at(Level::Restricted, Version::V1(33)),
            at(Level::Restricted, Version::Latest),
            at(Level::Restricted, Version::V1(33)),
        ]);
        let labelled = [SourceKind::Label; 3];
        // Audit at `latest` still needs pinning.
        assert_eq!(
            labels_of(&plan_steps(&input(&current, &labelled, &[], &[]))),
            ["audit=restricted:v1.33"]
        );
        let defaulted = [SourceKind::Label, SourceKind::Label, SourceKind::Default];
        assert_eq!(
            labels_of(&plan_steps(&input(&current, &defaulted, &[], &[]))),
            ["warn=restricted:v1.33", "audit=restricted:v1.33"]
        );
    }
}
