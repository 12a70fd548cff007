//! Where each kind keeps its pod template (pss-spec §6): the built-in kinds, presets such as
//! Argo Rollouts, and the custom resources the config adds.

use crate::manifest::Node;
use crate::model::field::FieldPath;

/// A kind that carries a pod template, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadKind {
    /// API group (`""` for core, `apps`, `batch`, `argoproj.io`, …). Any version matches, as the
    /// API server converts every served version (§6).
    pub group: String,
    pub kind: String,
    /// Path from the object root to the pod template (the node holding `metadata` and `spec`);
    /// empty for `Pod` itself.
    pub template: FieldPath,
}

impl WorkloadKind {
    pub fn new(group: &str, kind: &str, template: &str) -> Self {
        WorkloadKind {
            group: group.to_string(),
            kind: kind.to_string(),
            template: FieldPath::parse(template),
        }
    }
}

/// The kinds Pod Security Admission evaluates (pss-spec §6). `extensions/*` is deliberately
/// absent: PSA ignores it.
pub fn builtin_kinds() -> Vec<WorkloadKind> {
    vec![
        WorkloadKind::new("", "Pod", ""),
        WorkloadKind::new("", "PodTemplate", "template"),
        WorkloadKind::new("", "ReplicationController", "spec.template"),
        WorkloadKind::new("apps", "ReplicaSet", "spec.template"),
        WorkloadKind::new("apps", "Deployment", "spec.template"),
        WorkloadKind::new("apps", "DaemonSet", "spec.template"),
        WorkloadKind::new("apps", "StatefulSet", "spec.template"),
        WorkloadKind::new("batch", "Job", "spec.template"),
        WorkloadKind::new("batch", "CronJob", "spec.jobTemplate.spec.template"),
    ]
}

/// Kinds outside Pod Security Admission's list whose pod templates psslint checks by default,
/// because their controllers create Pods that PSA then judges: Argo Rollouts. The config file's
/// `workloads:` adds more.
pub fn preset_kinds() -> Vec<WorkloadKind> {
    vec![WorkloadKind::new("argoproj.io", "Rollout", "spec.template")]
}

/// The API group of an `apiVersion` (`apps/v1` → `apps`, `v1` → `""`).
pub fn api_group(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

/// Finds the workload kind for an object, if it carries a pod template.
pub fn lookup<'k>(
    kinds: &'k [WorkloadKind],
    api_version: &str,
    kind: &str,
) -> Option<&'k WorkloadKind> {
    let group = api_group(api_version);
    kinds.iter().find(|k| k.kind == kind && k.group == group)
}

/// Walks `path` from `node`; `None` if any step is missing, null or of the wrong shape.
pub fn node_at<'a>(node: &'a Node, path: &FieldPath) -> Option<&'a Node> {
    use crate::model::field::Segment;
    let mut cur = node;
    for seg in path.segments() {
        cur = match seg {
            Segment::Key(k) => cur.get(k)?,
            Segment::Index(i) => cur.as_seq()?.get(*i)?,
        };
    }
    (!cur.is_null()).then_some(cur)
}
