//! A developer notice as data: the context of the notice template and the JSON for bots.

use serde::Serialize;

use crate::plan::model::PolicyRef;

#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    /// Who it is for.
    pub group: GroupRef,
    /// The same in words: `namespace shop`, `label team=team-shop`.
    pub group_description: String,
    /// `shop.md`: the file it is written to with `--out-dir`.
    pub file_name: String,
    pub subject: String,
    pub target: PolicyRef,
    /// `YYYY-MM-DD`.
    pub deadline: String,
    pub contact: String,
    /// The namespaces of its workloads, sorted.
    pub namespaces: Vec<String>,
    pub workloads: Vec<NoticeWorkload>,
    /// The checks its workloads fail, with their documentation.
    pub checks: Vec<CheckDoc>,
    /// Failing checks over all workloads and containers.
    pub issue_count: usize,
    /// The command that shows the same findings (`psslint check --level … --pss-version …`).
    pub verify_command: String,
}

/// `--group-by namespace` gives `{by: namespace, value: shop}`; `label:team` gives
/// `{by: label, key: team, value: team-shop}`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct GroupRef {
    pub by: String,
    pub key: Option<String>,
    /// Empty when the workload has no such label or annotation.
    pub value: String,
}

impl GroupRef {
    /// `namespace shop`, `label team=team-shop`, `workloads without label team`, `owners
    /// @org/shop`, `workloads without owners`.
    pub fn describe(&self) -> String {
        if self.by == "owners" && self.value.is_empty() {
            return "workloads without owners".to_string();
        }
        match (&self.key, self.value.is_empty()) {
            (None, _) => format!("{} {}", self.by, self.value),
            (Some(k), true) => format!("workloads without {} {k}", self.by),
            (Some(k), false) => format!("{} {k}={}", self.by, self.value),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct NoticeWorkload {
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub file: String,
    pub line: u32,
    pub origin: Option<String>,
    /// In report order (pod-level fields first, then containers).
    pub issues: Vec<Issue>,
    /// The `exceptions:` entry to request if it cannot comply in time, pre-filled.
    pub exception_request: String,
    /// With `--codeowners`: its owners (empty when nobody owns it).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub owners: Vec<String>,
    /// With `--codeowners`: where the owners come from (`.github/CODEOWNERS:12`, `annotation
    /// psslint.dev/owner`), or why it has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_source: Option<String>,
}

/// One failing check of a workload, at one container or the pod.
#[derive(Debug, Clone, Serialize)]
pub struct Issue {
    pub check: String,
    /// `container "web"` or `the pod`.
    pub place: String,
    pub container: Option<String>,
    /// Upstream `reason (detail)`.
    pub message: String,
    /// `apps/shop.yaml:21`.
    pub location: String,
    /// What to change (from psslint's fix).
    pub fix: String,
    /// The manifest's lines around the finding.
    pub before: String,
    /// The same lines with the fix applied, when it can be shown in place.
    pub after: Option<String>,
    /// The YAML to add or change, at the spot `location` names.
    pub fix_yaml: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckDoc {
    pub id: String,
    pub title: String,
    /// The first paragraph of the rule's "How to fix" section.
    pub how_to_fix: String,
}
