//! `psslint notices`: one notice per owner group telling developers what in their workloads
//! breaks at the target level, how to fix it, by when, and what to do if they cannot.
//!
//! The findings are those of `psslint check --level L --pss-version V` on the same input and
//! policy (see [`crate::plan::runs`]): a workload gets a notice only if that run would reject
//! it. Findings covered by an active exception need no fix by the date and are left out.

pub mod model;
pub mod render;
pub mod snippet;

use clap::ValueEnum;
use std::collections::BTreeMap;

use crate::model::diagnostic::Diagnostic;
use crate::plan::model::PolicyRef;
use crate::plan::runs::{violation_text, Judged, LevelRun, Verdict};
use crate::policy::date::Date;
use crate::policy::LevelVersion;
use model::{CheckDoc, GroupRef, Issue, Notice, NoticeWorkload};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NoticeFormat {
    Markdown,
    Json,
}

/// How workloads are grouped into notices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupBy {
    Namespace,
    Label(String),
    Annotation(String),
}

/// `namespace`, `label:KEY` or `annotation:KEY` (`--group-by`).
pub fn parse_group_by(s: &str) -> Result<GroupBy, String> {
    match s.split_once(':') {
        None if s == "namespace" => Ok(GroupBy::Namespace),
        Some(("label", key)) if !key.is_empty() => Ok(GroupBy::Label(key.to_string())),
        Some(("annotation", key)) if !key.is_empty() => Ok(GroupBy::Annotation(key.to_string())),
        _ => Err(format!(
            "`{s}`: expected namespace, label:KEY or annotation:KEY"
        )),
    }
}

impl GroupBy {
    fn group_of(&self, judged: &Judged) -> GroupRef {
        let meta = &judged.object.metadata;
        let (by, key, value) = match self {
            GroupBy::Namespace => ("namespace", None, Some(&judged.object.object.namespace)),
            GroupBy::Label(k) => ("label", Some(k), meta.labels.get(k)),
            GroupBy::Annotation(k) => ("annotation", Some(k), meta.annotations.get(k)),
        };
        GroupRef {
            by: by.to_string(),
            key: key.cloned(),
            value: value.cloned().unwrap_or_default(),
        }
    }
}

/// What every notice shares.
pub struct NoticeContext<'a> {
    pub target: LevelVersion,
    pub deadline: Date,
    pub contact: &'a str,
    pub group_by: &'a GroupBy,
}

/// One notice per group of workloads that `run` (the pipeline at the target) rejects.
pub fn build(run: &LevelRun, ctx: &NoticeContext<'_>) -> Vec<Notice> {
    let mut groups: BTreeMap<GroupRef, Vec<&Judged>> = BTreeMap::new();
    for w in run.workloads.iter().filter(|w| w.verdict == Verdict::Fail) {
        groups.entry(ctx.group_by.group_of(w)).or_default().push(w);
    }
    let mut taken: Vec<String> = Vec::new();
    groups
        .into_iter()
        .map(|(group, workloads)| {
            let file_name = unique_file_name(&group, &mut taken);
            notice(group, file_name, &workloads, ctx)
        })
        .collect()
}

fn notice(
    group: GroupRef,
    file_name: String,
    judged: &[&Judged],
    ctx: &NoticeContext<'_>,
) -> Notice {
    let workloads: Vec<NoticeWorkload> = judged.iter().map(|w| workload(w)).collect();
    let mut namespaces: Vec<String> = workloads.iter().map(|w| w.namespace.clone()).collect();
    namespaces.sort();
    namespaces.dedup();
    let mut check_ids: Vec<&str> = workloads
        .iter()
        .flat_map(|w| w.issues.iter().map(|i| i.check.as_str()))
        .collect();
    check_ids.sort();
    check_ids.dedup();
    let checks = check_ids.iter().map(|id| check_doc(id)).collect();
    let issue_count = workloads.iter().map(|w| w.issues.len()).sum();
    let target = PolicyRef {
        level: ctx.target.level,
        version: ctx.target.version.to_string(),
    };
    let n = workloads.len();
    let subject = format!(
        "Action needed by {}: {} {} to fix before {} enforces Pod Security {}",
        ctx.deadline,
        n,
        if n == 1 { "workload" } else { "workloads" },
        match namespaces.as_slice() {
            [one] => format!("namespace {one}"),
            many => format!("namespaces {}", many.join(", ")),
        },
        target.label()
    );
    let mut files: Vec<&str> = workloads.iter().map(|w| w.file.as_str()).collect();
    files.sort();
    files.dedup();
    Notice {
        group_description: group.describe(),
        group,
        file_name,
        subject,
        verify_command: format!(
            "psslint check --level {} --pss-version {} {}",
            target.level,
            target.version,
            files.join(" ")
        ),
        target,
        deadline: ctx.deadline.to_string(),
        contact: ctx.contact.to_string(),
        namespaces,
        workloads,
        checks,
        issue_count,
    }
}

fn workload(w: &Judged) -> NoticeWorkload {
    let o = &w.object;
    let issues: Vec<Issue> = w.failing().map(issue).collect();
    NoticeWorkload {
        kind: o.object.kind.clone(),
        name: o.object.name.clone(),
        namespace: o.object.namespace.clone(),
        file: o.file.clone(),
        line: o.line,
        origin: o.origin.clone(),
        exception_request: exception_request(w, &issues),
        issues,
    }
}

fn issue(d: &Diagnostic) -> Issue {
    let cut = snippet::before_after(d);
    Issue {
        check: d.rule.clone(),
        place: d.container.as_ref().map_or_else(
            || "the pod spec".to_string(),
            |c| format!("container \"{c}\""),
        ),
        container: d.container.clone(),
        message: violation_text(d),
        location: format!("{}:{}", d.file, d.line),
        fix: d
            .fix
            .as_ref()
            .map(|f| f.description.clone())
            .unwrap_or_default(),
        before: cut.as_ref().map(|c| c.before.clone()).unwrap_or_default(),
        after: cut.and_then(|c| c.after),
        fix_yaml: d.fix.as_ref().map(|f| f.yaml.clone()).unwrap_or_default(),
    }
}

/// The `exceptions:` entry for this workload's failing checks. It names containers only when
/// every issue is in a container (a pod-level field needs the whole workload in scope).
fn exception_request(w: &Judged, issues: &[Issue]) -> String {
    let o = &w.object.object;
    let mut checks: Vec<&str> = issues.iter().map(|i| i.check.as_str()).collect();
    checks.sort();
    checks.dedup();
    let mut containers: Vec<&str> = issues
        .iter()
        .filter_map(|i| i.container.as_deref())
        .collect();
    containers.sort();
    containers.dedup();
    let all_in_containers = issues.iter().all(|i| i.container.is_some());
    let mut s = format!(
        "- namespace: {}\n  kind: {}\n  name: {}\n",
        o.namespace, o.kind, o.name
    );
    if all_in_containers && !containers.is_empty() {
        s.push_str(&format!("  containers: [{}]\n", containers.join(", ")));
    }
    s.push_str(&format!("  checks: [{}]\n", checks.join(", ")));
    s.push_str("  owner: \"\"      # required: your team\n");
    s.push_str("  reason: \"\"     # required: why it cannot comply yet, with a ticket\n");
    s.push_str("  expires: YYYY-MM-DD  # required: the date it will comply by\n");
    s
}

fn check_doc(id: &str) -> CheckDoc {
    let title = crate::pss::check_info(id).map_or("", |c| c.title);
    let how_to_fix = crate::rules::get(id)
        .and_then(|doc| doc.section("How to fix"))
        .map(|s| {
            s.split("\n\n")
                .next()
                .unwrap_or_default()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    CheckDoc {
        id: id.to_string(),
        title: title.to_string(),
        how_to_fix,
    }
}

/// `shop.md`, `team-shop.md`, `no-label-team.md`; a suffix when two values clean to one name.
fn unique_file_name(group: &GroupRef, taken: &mut Vec<String>) -> String {
    let base = if group.value.is_empty() {
        format!(
            "no-{}-{}",
            group.by,
            group.key.as_deref().unwrap_or_default()
        )
    } else {
        group.value.clone()
    };
    let clean: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let clean = clean.trim_start_matches('.').to_string();
    let mut name = format!("{clean}.md");
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{clean}-{n}.md");
        n += 1;
    }
    taken.push(name.clone());
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_by_takes_namespace_label_or_annotation() {
        assert_eq!(parse_group_by("namespace"), Ok(GroupBy::Namespace));
        assert_eq!(
            parse_group_by("label:team"),
            Ok(GroupBy::Label("team".into()))
        );
        assert_eq!(
            parse_group_by("annotation:example.com/owner"),
            Ok(GroupBy::Annotation("example.com/owner".into()))
        );
        for bad in ["label", "label:", "owner", "annotation"] {
            assert!(parse_group_by(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn file_names_are_safe_and_unique() {
        let mut taken = Vec::new();
        let g = |value: &str| GroupRef {
            by: "label".into(),
            key: Some("team".into()),
            value: value.into(),
        };
        assert_eq!(unique_file_name(&g("team/a"), &mut taken), "team-a.md");
        assert_eq!(unique_file_name(&g("team a"), &mut taken), "team-a-2.md");
        assert_eq!(unique_file_name(&g("../x"), &mut taken), "-x.md");
        assert_eq!(unique_file_name(&g(""), &mut taken), "no-label-team.md");
    }
}
