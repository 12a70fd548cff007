//! Builds the [`Plan`] from runs of the check pipeline and the resolved namespace policies.

use std::collections::BTreeSet;

use super::model::*;
use super::runs::{violation_text, Judged, LevelRun, Pipeline, Verdict};
use super::steps::{next_safe, plan_steps, StepInput};
use crate::model::diagnostic::Mode;
use crate::model::level::{Level, Version};
use crate::policy::{LevelVersion, SourceKind};
use crate::pss::check_info;
use crate::pss::registry::active_checks;

/// Judges every workload at baseline and restricted at `target.version` (and at
/// `from_version`, if given) and plans each namespace.
pub fn build(pipeline: &Pipeline, target: LevelVersion, from_version: Option<Version>) -> Plan {
    let at = |level, version| LevelVersion { level, version };
    let baseline = pipeline.judge(at(Level::Baseline, target.version));
    let restricted = pipeline.judge(at(Level::Restricted, target.version));
    let from = from_version.map(|v| {
        (
            v,
            pipeline.judge(at(Level::Baseline, v)),
            pipeline.judge(at(Level::Restricted, v)),
        )
    });
    let runs = Runs {
        baseline: &baseline,
        restricted: &restricted,
    };
    let policy = &pipeline.opts.policy;

    let mut names: BTreeSet<String> = pipeline.declared.iter().map(|n| n.name.clone()).collect();
    names.extend(policy.config_namespaces().iter().map(|e| e.name.clone()));
    names.extend(
        restricted
            .workloads
            .iter()
            .map(|w| w.object.object.namespace.clone()),
    );

    let namespaces: Vec<NamespacePlan> = names
        .iter()
        .map(|name| {
            let mut ns = plan_namespace(pipeline, name, target, &runs);
            if let Some((v, b, r)) = &from {
                ns.upgrade = upgrade_impact(
                    name,
                    *v,
                    target.version,
                    policy.kubernetes_minor,
                    [(&baseline, b), (&restricted, r)],
                );
            }
            ns
        })
        .collect();

    let target_run = runs.at(target.level);
    let count = |v: Verdict| {
        target_run
            .workloads
            .iter()
            .filter(|w| w.verdict == v)
            .count()
    };
    let state_count = |s: NamespaceState| namespaces.iter().filter(|n| n.state == s).count();
    let summary = PlanSummary {
        namespaces: namespaces.len(),
        done: state_count(NamespaceState::Done),
        ready: state_count(NamespaceState::Ready),
        blocked: state_count(NamespaceState::Blocked),
        exempt: state_count(NamespaceState::Exempt),
        workloads: target_run.workloads.len(),
        failing: count(Verdict::Fail),
        covered: count(Verdict::Covered),
        unlabelled: namespaces
            .iter()
            .filter(|n| !n.labelled && n.state != NamespaceState::Exempt)
            .map(|n| n.name.clone())
            .collect(),
        unpinned: namespaces
            .iter()
            .filter(|n| n.labelled && !n.pinned && n.state != NamespaceState::Exempt)
            .map(|n| n.name.clone())
            .collect(),
        invalid: namespaces
            .iter()
            .filter(|n| {
                n.policy
                    .iter()
                    .any(|m| m.source_kind == SourceKind::Invalid)
            })
            .map(|n| n.name.clone())
            .collect(),
    };
    Plan {
        target: PolicyRef {
            level: target.level,
            version: target.version.to_string(),
        },
        kubernetes: format!("v1.{}", super::cluster_minor(policy.kubernetes_minor)),
        from_version: from_version.map(|v| v.to_string()),
        summary,
        namespaces,
        unchecked: Pipeline::unchecked(&target_run.report),
    }
}

struct Runs<'r> {
    baseline: &'r LevelRun,
    restricted: &'r LevelRun,
}

impl Runs<'_> {
    fn at(&self, level: Level) -> &LevelRun {
        match level {
            Level::Restricted => self.restricted,
            _ => self.baseline,
        }
    }
}

fn plan_namespace(
    pipeline: &Pipeline,
    name: &str,
    target: LevelVersion,
    runs: &Runs<'_>,
) -> NamespacePlan {
    let policy = &pipeline.opts.policy;
    let exempt = policy.is_exempt_namespace(name);
    let (current, kinds) = policy.namespace_origin(name);
    let modes: Vec<ModeState> = Mode::ALL
        .iter()
        .map(|&m| {
            let p = current.get(m);
            ModeState {
                mode: m,
                level: p.policy.level,
                version: p.policy.version.to_string(),
                source_kind: kinds[m.index()],
                source: p
                    .source
                    .as_deref()
                    .unwrap_or(crate::policy::BUILTIN_SOURCE)
                    .to_string(),
            }
        })
        .collect();
    let labelled = kinds.iter().any(|k| *k != SourceKind::Default);
    let pinned = labelled
        && Mode::ALL.iter().all(|m| match kinds[m.index()] {
            SourceKind::Default => true,
            SourceKind::Invalid => false,
            _ => current.get(*m).policy.version != Version::Latest,
        });

    let enforce = current.get(Mode::Enforce).policy;
    let levels: Vec<LevelCounts> = [Level::Baseline, Level::Restricted]
        .iter()
        .map(|&level| {
            let judged: Vec<&Judged> = runs.at(level).in_namespace(name).collect();
            let count = |v| judged.iter().filter(|w| w.verdict == v).count();
            let (pass, fail, covered) = (
                count(Verdict::Pass),
                count(Verdict::Fail),
                count(Verdict::Covered),
            );
            // At least as strict: the level or a stricter one, at the target version or newer.
            let enforced = enforce.level >= level && enforce.version >= target.version;
            let state = if exempt {
                LevelState::Exempt
            } else if enforced && fail > 0 {
                LevelState::Rejecting
            } else if enforced {
                LevelState::Enforced
            } else if fail == 0 {
                LevelState::Ready
            } else {
                LevelState::Blocked
            };
            LevelCounts {
                level,
                version: target.version.to_string(),
                state,
                pass,
                fail,
                covered,
            }
        })
        .collect();

    let workloads: Vec<WorkloadPlan> = runs
        .restricted
        .in_namespace(name)
        .map(|r| {
            let b = runs.baseline.in_namespace(name).find(|b| {
                (&b.object.file, b.object.line, &b.object.object)
                    == (&r.object.file, r.object.line, &r.object.object)
            });
            let levels = [(Level::Baseline, b), (Level::Restricted, Some(r))]
                .into_iter()
                .filter_map(|(level, j)| j.map(|j| workload_level(level, j)))
                .collect();
            WorkloadPlan {
                kind: r.object.object.kind.clone(),
                name: r.object.object.name.clone(),
                file: r.object.file.clone(),
                line: r.object.line,
                origin: r.object.origin.clone(),
                levels,
            }
        })
        .collect();

    let failing = |level: Level| -> Vec<String> {
        runs.at(level)
            .in_namespace(name)
            .filter(|w| w.verdict == Verdict::Fail)
            .map(|w| w.object.object.display_name())
            .collect()
    };
    let (steps, next_step) = if exempt {
        (Vec::new(), None)
    } else {
        let steps = plan_steps(&StepInput {
            namespace: name,
            current: &current,
            kinds: &kinds,
            target,
            violating_at_target: runs
                .at(target.level)
                .in_namespace(name)
                .filter(|w| w.verdict != Verdict::Pass)
                .count(),
            blockers_at_target: failing(target.level),
            blockers_at_baseline: failing(Level::Baseline),
        });
        let next = next_safe(&steps);
        (steps, next)
    };
    // Blocked: enforcing the target would reject workloads (earlier steps may still be safe).
    let state = if exempt {
        NamespaceState::Exempt
    } else if steps.is_empty() {
        NamespaceState::Done
    } else if steps.iter().all(|s| s.ready) {
        NamespaceState::Ready
    } else {
        NamespaceState::Blocked
    };
    NamespacePlan {
        name: name.to_string(),
        declared_in: pipeline
            .declared
            .iter()
            .find(|n| n.name == name)
            .map(|n| format!("{}:{}", n.file, n.line)),
        state,
        reason: policy.config_namespace(name).and_then(|e| e.reason.clone()),
        policy: modes,
        labelled,
        pinned,
        levels,
        workloads,
        steps,
        next_step,
        upgrade: Vec::new(),
    }
}

fn workload_level(level: Level, judged: &Judged) -> WorkloadLevel {
    WorkloadLevel {
        level,
        verdict: judged.verdict,
        violations: judged
            .findings
            .iter()
            .map(|d| ViolationRef {
                check: d.rule.clone(),
                message: violation_text(d),
                container: d.container.clone(),
                file: d.file.clone(),
                line: d.line,
                column: d.column,
                excepted_by: d
                    .policy
                    .exception
                    .as_ref()
                    .filter(|_| d.severity == crate::model::diagnostic::Severity::Note)
                    .map(|e| format!("{} until {}", e.owner, e.expires)),
            })
            .collect(),
    }
}

/// Workloads of `namespace` that pass (or are covered) at `from` but fail at `to`, per level,
/// with the checks that newly fail and the check revision that explains it.
fn upgrade_impact(
    namespace: &str,
    from: Version,
    to: Version,
    kubernetes_minor: Option<u32>,
    runs: [(&LevelRun, &LevelRun); 2],
) -> Vec<UpgradeImpact> {
    let from_minor = from.effective_minor(kubernetes_minor);
    let to_minor = to.effective_minor(kubernetes_minor);
    let mut out = Vec::new();
    for (at_target, at_from) in runs {
        let level = at_target.policy.level;
        for w in at_target.in_namespace(namespace) {
            if w.verdict != Verdict::Fail {
                continue;
            }
            let before: Vec<String> = at_from
                .in_namespace(namespace)
                .find(|f| {
                    (&f.object.file, f.object.line, &f.object.object)
                        == (&w.object.file, w.object.line, &w.object.object)
                })
                .map(Judged::failing_checks)
                .unwrap_or_default();
            let mut checks: Vec<UpgradeCheck> = Vec::new();
            for d in w.failing() {
                if before.contains(&d.rule) || checks.iter().any(|c| c.check == d.rule) {
                    continue;
                }
                checks.push(UpgradeCheck {
                    check: d.rule.clone(),
                    message: violation_text(d),
                    why: why_new(&d.rule, level, from_minor, to_minor),
                });
            }
            if !checks.is_empty() {
                out.push(UpgradeImpact {
                    kind: w.object.object.kind.clone(),
                    name: w.object.object.name.clone(),
                    file: w.object.file.clone(),
                    line: w.object.line,
                    level,
                    checks,
                });
            }
        }
    }
    out
}

/// Why `check` fails at `to_minor` but not at `from_minor`: it was added, or revised.
fn why_new(check: &str, level: Level, from_minor: u32, to_minor: u32) -> String {
    let info = check_info(check);
    let check_level = info.map_or(level, |i| i.level);
    let revision_at = |minor| {
        active_checks(level, minor)
            .iter()
            .find(|c| c.id == check)
            .map(|c| c.revision)
    };
    match (revision_at(from_minor), revision_at(to_minor)) {
        (None, Some(_)) => format!(
            "{check_level} check {check} runs from v1.{}",
            info.map_or(to_minor, |i| i.since_minor)
        ),
        (Some(a), Some(b)) if a != b => {
            format!("{check_level} check {check} was tightened in v1.{b}")
        }
        _ => format!("{check_level} check {check} fails at v1.{to_minor}"),
    }
}
