//! Where each kind keeps its pod templates (pss-spec §6): the built-in kinds, presets such as
//! Argo Rollouts' kinds, and the custom resources the config adds.

use super::templates::TemplatePath;
use crate::manifest::Node;
use crate::model::field::FieldPath;

/// A kind that carries pod templates, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadKind {
    /// API group (`""` for core, `apps`, `batch`, `argoproj.io`, …). Any version matches, as the
    /// API server converts every served version (§6).
    pub group: String,
    pub kind: String,
    /// Paths from the object root to the pod templates (the nodes holding `metadata` and
    /// `spec`), with list wildcards: `spec.template`, `spec.templates[*].template`; the root
    /// (`.`) for `Pod` itself.
    pub templates: Vec<TemplatePath>,
    /// Where the config file names this kind (`psslint.yaml:12:3 (workloads[0])`); `None` for
    /// the built-in and preset kinds.
    pub configured: Option<String>,
}

impl WorkloadKind {
    /// A kind with one template path; `template` must parse (built-in paths, tests).
    pub fn new(group: &str, kind: &str, template: &str) -> Self {
        let template = if template.is_empty() { "." } else { template };
        WorkloadKind {
            group: group.to_string(),
            kind: kind.to_string(),
            templates: vec![TemplatePath::parse(template)
                .unwrap_or_else(|e| panic!("template path {template:?}: {}", e.message))],
            configured: None,
        }
    }

    /// Whether objects of this kind are Pods, which the API server defaults as Pods (§7.1).
    pub fn is_pod(&self) -> bool {
        self.group.is_empty() && self.kind == "Pod"
    }

    /// The pod templates of `object`, with their paths from its root: every match of every
    /// template path, in document order within each path, each once.
    pub fn templates_in<'n>(&self, object: &'n Node) -> Vec<(FieldPath, &'n Node)> {
        let mut out: Vec<(FieldPath, &'n Node)> = Vec::new();
        for path in &self.templates {
            for (p, n) in path.find(object) {
                if !out.iter().any(|(q, _)| *q == p) {
                    out.push((p, n));
                }
            }
        }
        out
    }
}

/// The kinds Pod Security Admission evaluates (pss-spec §6). `extensions/*` is deliberately
/// absent: PSA ignores it.
pub fn builtin_kinds() -> Vec<WorkloadKind> {
    vec![
        WorkloadKind::new("", "Pod", "."),
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

/// Whether a kind is one of [`builtin_kinds`]: Pod Security Admission reads only their
/// template, and the API server drops or rejects fields it does not know.
pub fn is_builtin(group: &str, kind: &str) -> bool {
    builtin_kinds()
        .iter()
        .any(|k| k.group == group && k.kind == kind)
}

/// Kinds outside Pod Security Admission's list whose pod templates psslint checks by default,
/// because their controllers create Pods that PSA then judges: Argo Rollouts' Rollout (its
/// ReplicaSets' template), Experiment (a ReplicaSet per template) and the analysis kinds (a
/// Job per job metric). The config file's `workloads:` adds more.
pub fn preset_kinds() -> Vec<WorkloadKind> {
    let job_metrics = "spec.metrics[*].provider.job.spec.template";
    vec![
        WorkloadKind::new("argoproj.io", "Rollout", "spec.template"),
        WorkloadKind::new("argoproj.io", "Experiment", "spec.templates[*].template"),
        WorkloadKind::new("argoproj.io", "AnalysisTemplate", job_metrics),
        WorkloadKind::new("argoproj.io", "ClusterAnalysisTemplate", job_metrics),
        WorkloadKind::new("argoproj.io", "AnalysisRun", job_metrics),
    ]
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
