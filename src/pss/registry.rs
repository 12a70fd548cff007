//! The check registry: which checks (and which revision of each) run at a level and version
//! (pss-spec §2).
//!
//! Everything is derived from the data in [`ALL`]: each check's revisions and the baseline
//! checks that restricted revisions override. Supporting a new Kubernetes minor means adding
//! revisions (and raising [`MAX_MINOR`]), not editing this file's control flow. The active list
//! for a (level, minor) pair is computed on first use and cached.

use std::sync::OnceLock;

use super::checks::{
    allow_privilege_escalation, app_armor_profile, capabilities, host_namespaces,
    host_path_volumes, host_ports, host_probes, privileged, proc_mount, restricted_volumes,
    run_as_non_root, run_as_user, se_linux_options, seccomp_profile, sysctls, windows_host_process,
    Check, Eval, Revision,
};
use super::model::Pod;
use super::Violation;
use crate::model::level::{Level, MAX_MINOR};

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

/// Every check, in upstream output order (pss-spec §2.2): baseline IDs sorted byte-wise, then
/// restricted IDs sorted byte-wise.
const ALL: [&Check; 19] = [
    &app_armor_profile::CHECK,
    &capabilities::BASELINE,
    &host_namespaces::CHECK,
    &host_path_volumes::CHECK,
    &host_ports::CHECK,
    &host_probes::CHECK,
    &privileged::CHECK,
    &proc_mount::BASELINE,
    &se_linux_options::CHECK,
    &seccomp_profile::BASELINE,
    &sysctls::CHECK,
    &windows_host_process::CHECK,
    &allow_privilege_escalation::CHECK,
    &capabilities::RESTRICTED,
    &proc_mount::RESTRICTED,
    &restricted_volumes::CHECK,
    &run_as_non_root::CHECK,
    &run_as_user::CHECK,
    &seccomp_profile::RESTRICTED,
];

const fn info(check: &Check) -> CheckInfo {
    CheckInfo {
        id: check.id,
        level: check.level,
        title: check.title,
        since_minor: check.revisions[0].since_minor,
    }
}

const INFOS: [CheckInfo; ALL.len()] = {
    let mut infos = [info(ALL[0]); ALL.len()];
    let mut i = 1;
    while i < ALL.len() {
        infos[i] = info(ALL[i]);
        i += 1;
    }
    infos
};

/// All 19 checks in upstream output order (pss-spec §2.2).
pub static CHECKS: &[CheckInfo] = &INFOS;

/// The description of the check with this (case-sensitive) ID.
pub fn check_info(id: &str) -> Option<&'static CheckInfo> {
    CHECKS.iter().find(|c| c.id == id)
}

/// A check as it runs at one level and version: its ID and the revision in force.
#[derive(Debug, Clone, Copy)]
pub struct ActiveCheck {
    pub id: &'static str,
    pub level: Level,
    /// The minimum minor version of the revision in force.
    pub revision: u32,
    eval: Eval,
}

/// The checks that run at `level` and effective minor `minor` (clamped to [`MAX_MINOR`]), in
/// output order, with the revision each runs (pss-spec §2.3).
pub fn active_checks(level: Level, minor: u32) -> &'static [ActiveCheck] {
    const VERSIONS: usize = MAX_MINOR as usize + 1;
    static BASELINE: [OnceLock<Vec<ActiveCheck>>; VERSIONS] = [const { OnceLock::new() }; VERSIONS];
    static RESTRICTED: [OnceLock<Vec<ActiveCheck>>; VERSIONS] =
        [const { OnceLock::new() }; VERSIONS];

    let minor = minor.min(MAX_MINOR);
    let cache = match level {
        // Privileged evaluates no checks at all (pss-spec §1.1).
        Level::Privileged => return &[],
        Level::Baseline => &BASELINE,
        Level::Restricted => &RESTRICTED,
    };
    // `minor <= MAX_MINOR`, so the index is in range.
    cache[minor as usize].get_or_init(|| compute(level, minor))
}

/// The revision of `check` in force at `minor`: the newest one not newer than it.
fn revision_at(check: &Check, minor: u32) -> Option<&Revision> {
    check
        .revisions
        .iter()
        .rev()
        .find(|r| r.since_minor <= minor)
}

fn compute(level: Level, minor: u32) -> Vec<ActiveCheck> {
    let mut active: Vec<(&Check, &Revision)> = ALL
        .iter()
        .filter(|c| c.level <= level)
        .filter_map(|&c| revision_at(c, minor).map(|r| (c, r)))
        .collect();
    // Overrides are properties of restricted revisions and only apply to the restricted list;
    // the baseline list never sees restricted checks (pss-spec §2.3).
    let overridden: Vec<&str> = active
        .iter()
        .flat_map(|(_, r)| r.overrides.iter().copied())
        .collect();
    active.retain(|(c, _)| !overridden.contains(&c.id));
    // Baseline block, then restricted block, each byte-wise by ID (pss-spec §2.2).
    active.sort_by_key(|(c, _)| (c.level, c.id));
    active
        .into_iter()
        .map(|(c, r)| ActiveCheck {
            id: c.id,
            level: c.level,
            revision: r.since_minor,
            eval: r.eval,
        })
        .collect()
}

/// Runs the checks active at `level` and effective minor version `minor` (already clamped,
/// see [`Version::effective_minor`](crate::model::level::Version::effective_minor)) and returns the failures in upstream order.
pub fn evaluate(pod: &Pod, level: Level, minor: u32) -> Vec<Violation> {
    active_checks(level, minor)
        .iter()
        .filter_map(|check| {
            let forbidden = (check.eval)(pod)?;
            // Unreachable with the checks at HEAD, kept for parity (pss-spec §4.1).
            let reason = if forbidden.reason.is_empty() {
                "unknown forbidden reason".to_owned()
            } else {
                forbidden.reason
            };
            Some(Violation {
                check: check.id,
                reason,
                detail: forbidden.detail,
                fields: forbidden.fields,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::checks::test_support::{base_pod, restricted_pod};

    /// `id@revision` of every active check, space-separated.
    fn active(level: Level, minor: u32) -> String {
        active_checks(level, minor)
            .iter()
            .map(|c| format!("{}@{}", c.id, c.revision))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn checks_are_listed_in_upstream_order() {
        let ids: Vec<&str> = CHECKS.iter().map(|c| c.id).collect();
        assert_eq!(
            ids,
            [
                "appArmorProfile",
                "capabilities_baseline",
                "hostNamespaces",
                "hostPathVolumes",
                "hostPorts",
                "hostProbesAndHostLifecycle",
                "privileged",
                "procMount",
                "seLinuxOptions",
                "seccompProfile_baseline",
                "sysctls",
                "windowsHostProcess",
                "allowPrivilegeEscalation",
                "capabilities_restricted",
                "procMount_restricted",
                "restrictedVolumes",
                "runAsNonRoot",
                "runAsUser",
                "seccompProfile_restricted",
            ]
        );
        let mut sorted = CHECKS.to_vec();
        sorted.sort_by_key(|c| (c.level, c.id));
        assert_eq!(sorted, CHECKS);
    }

    #[test]
    fn check_info_describes_checks() {
        let info = check_info("runAsUser").unwrap();
        assert_eq!(info.level, Level::Restricted);
        assert_eq!(info.since_minor, 23);
        assert_eq!(
            check_info("hostProbesAndHostLifecycle")
                .unwrap()
                .since_minor,
            34
        );
        assert_eq!(
            check_info("allowPrivilegeEscalation").unwrap().since_minor,
            8
        );
        assert_eq!(check_info("runasuser"), None);
        assert!(CHECKS.iter().all(|c| !c.title.is_empty()));
    }

    #[test]
    fn max_minor_is_the_newest_revision() {
        let newest = ALL
            .iter()
            .flat_map(|c| c.revisions.iter().map(|r| r.since_minor))
            .max();
        assert_eq!(newest, Some(MAX_MINOR));
    }

    #[test]
    fn revisions_are_ordered_and_overrides_name_baseline_checks() {
        for check in ALL {
            assert!(!check.revisions.is_empty(), "{}", check.id);
            assert!(
                check
                    .revisions
                    .windows(2)
                    .all(|w| w[0].since_minor < w[1].since_minor),
                "{}",
                check.id
            );
            for id in check.revisions.iter().flat_map(|r| r.overrides.iter()) {
                assert_eq!(check.level, Level::Restricted, "{}", check.id);
                assert_eq!(check_info(id).map(|c| c.level), Some(Level::Baseline));
            }
        }
    }

    #[test]
    fn privileged_runs_nothing() {
        for minor in 0..=MAX_MINOR {
            assert!(active_checks(Level::Privileged, minor).is_empty());
        }
        assert!(evaluate(&base_pod(), Level::Privileged, 37).is_empty());
    }

    #[test]
    fn newer_minors_clamp_to_max() {
        assert_eq!(
            active(Level::Restricted, 99),
            active(Level::Restricted, MAX_MINOR)
        );
    }

    /// The effective lists of pss-spec §2.3, for every minor version.
    #[test]
    fn baseline_lists_per_version() {
        let rows: &[(std::ops::RangeInclusive<u32>, &str)] = &[
            (0..=18, "appArmorProfile@0 capabilities_baseline@0 hostNamespaces@0 hostPathVolumes@0 hostPorts@0 privileged@0 procMount@0 seLinuxOptions@0 seccompProfile_baseline@0 sysctls@0 windowsHostProcess@0"),
            (19..=26, "appArmorProfile@0 capabilities_baseline@0 hostNamespaces@0 hostPathVolumes@0 hostPorts@0 privileged@0 procMount@0 seLinuxOptions@0 seccompProfile_baseline@19 sysctls@0 windowsHostProcess@0"),
            (27..=28, "appArmorProfile@0 capabilities_baseline@0 hostNamespaces@0 hostPathVolumes@0 hostPorts@0 privileged@0 procMount@0 seLinuxOptions@0 seccompProfile_baseline@19 sysctls@27 windowsHostProcess@0"),
            (29..=30, "appArmorProfile@0 capabilities_baseline@0 hostNamespaces@0 hostPathVolumes@0 hostPorts@0 privileged@0 procMount@0 seLinuxOptions@0 seccompProfile_baseline@19 sysctls@29 windowsHostProcess@0"),
            (31..=31, "appArmorProfile@0 capabilities_baseline@0 hostNamespaces@0 hostPathVolumes@0 hostPorts@0 privileged@0 procMount@0 seLinuxOptions@31 seccompProfile_baseline@19 sysctls@29 windowsHostProcess@0"),
            (32..=33, "appArmorProfile@0 capabilities_baseline@0 hostNamespaces@0 hostPathVolumes@0 hostPorts@0 privileged@0 procMount@0 seLinuxOptions@31 seccompProfile_baseline@19 sysctls@32 windowsHostProcess@0"),
            (34..=34, "appArmorProfile@0 capabilities_baseline@0 hostNamespaces@0 hostPathVolumes@0 hostPorts@0 hostProbesAndHostLifecycle@34 privileged@0 procMount@0 seLinuxOptions@31 seccompProfile_baseline@19 sysctls@32 windowsHostProcess@0"),
            (35..=36, "appArmorProfile@0 capabilities_baseline@0 hostNamespaces@0 hostPathVolumes@0 hostPorts@0 hostProbesAndHostLifecycle@34 privileged@0 procMount@35 seLinuxOptions@31 seccompProfile_baseline@19 sysctls@32 windowsHostProcess@0"),
            (37..=37, "appArmorProfile@0 capabilities_baseline@0 hostNamespaces@0 hostPathVolumes@0 hostPorts@0 hostProbesAndHostLifecycle@34 privileged@0 procMount@35 seLinuxOptions@31 seccompProfile_baseline@19 sysctls@37 windowsHostProcess@0"),
        ];
        check_rows(Level::Baseline, rows);
    }

    #[test]
    fn restricted_lists_per_version() {
        let rows: &[(std::ops::RangeInclusive<u32>, &str)] = &[
            (0..=7, "appArmorProfile@0 capabilities_baseline@0 hostNamespaces@0 hostPorts@0 privileged@0 procMount@0 seLinuxOptions@0 seccompProfile_baseline@0 sysctls@0 windowsHostProcess@0 restrictedVolumes@0 runAsNonRoot@0"),
            (8..=18, "appArmorProfile@0 capabilities_baseline@0 hostNamespaces@0 hostPorts@0 privileged@0 procMount@0 seLinuxOptions@0 seccompProfile_baseline@0 sysctls@0 windowsHostProcess@0 allowPrivilegeEscalation@8 restrictedVolumes@0 runAsNonRoot@0"),
            (19..=21, "appArmorProfile@0 capabilities_baseline@0 hostNamespaces@0 hostPorts@0 privileged@0 procMount@0 seLinuxOptions@0 sysctls@0 windowsHostProcess@0 allowPrivilegeEscalation@8 restrictedVolumes@0 runAsNonRoot@0 seccompProfile_restricted@19"),
            (22..=22, "appArmorProfile@0 hostNamespaces@0 hostPorts@0 privileged@0 procMount@0 seLinuxOptions@0 sysctls@0 windowsHostProcess@0 allowPrivilegeEscalation@8 capabilities_restricted@22 restrictedVolumes@0 runAsNonRoot@0 seccompProfile_restricted@19"),
            (23..=24, "appArmorProfile@0 hostNamespaces@0 hostPorts@0 privileged@0 procMount@0 seLinuxOptions@0 sysctls@0 windowsHostProcess@0 allowPrivilegeEscalation@8 capabilities_restricted@22 restrictedVolumes@0 runAsNonRoot@0 runAsUser@23 seccompProfile_restricted@19"),
            (25..=26, "appArmorProfile@0 hostNamespaces@0 hostPorts@0 privileged@0 procMount@0 seLinuxOptions@0 sysctls@0 windowsHostProcess@0 allowPrivilegeEscalation@25 capabilities_restricted@25 restrictedVolumes@0 runAsNonRoot@0 runAsUser@23 seccompProfile_restricted@25"),
            (27..=28, "appArmorProfile@0 hostNamespaces@0 hostPorts@0 privileged@0 procMount@0 seLinuxOptions@0 sysctls@27 windowsHostProcess@0 allowPrivilegeEscalation@25 capabilities_restricted@25 restrictedVolumes@0 runAsNonRoot@0 runAsUser@23 seccompProfile_restricted@25"),
            (29..=30, "appArmorProfile@0 hostNamespaces@0 hostPorts@0 privileged@0 procMount@0 seLinuxOptions@0 sysctls@29 windowsHostProcess@0 allowPrivilegeEscalation@25 capabilities_restricted@25 restrictedVolumes@0 runAsNonRoot@0 runAsUser@23 seccompProfile_restricted@25"),
            (31..=31, "appArmorProfile@0 hostNamespaces@0 hostPorts@0 privileged@0 procMount@0 seLinuxOptions@31 sysctls@29 windowsHostProcess@0 allowPrivilegeEscalation@25 capabilities_restricted@25 restrictedVolumes@0 runAsNonRoot@0 runAsUser@23 seccompProfile_restricted@25"),
            (32..=33, "appArmorProfile@0 hostNamespaces@0 hostPorts@0 privileged@0 procMount@0 seLinuxOptions@31 sysctls@32 windowsHostProcess@0 allowPrivilegeEscalation@25 capabilities_restricted@25 restrictedVolumes@0 runAsNonRoot@0 runAsUser@23 seccompProfile_restricted@25"),
            (34..=34, "appArmorProfile@0 hostNamespaces@0 hostPorts@0 hostProbesAndHostLifecycle@34 privileged@0 procMount@0 seLinuxOptions@31 sysctls@32 windowsHostProcess@0 allowPrivilegeEscalation@25 capabilities_restricted@25 restrictedVolumes@0 runAsNonRoot@0 runAsUser@23 seccompProfile_restricted@25"),
            (35..=36, "appArmorProfile@0 hostNamespaces@0 hostPorts@0 hostProbesAndHostLifecycle@34 privileged@0 seLinuxOptions@31 sysctls@32 windowsHostProcess@0 allowPrivilegeEscalation@25 capabilities_restricted@25 procMount_restricted@35 restrictedVolumes@0 runAsNonRoot@35 runAsUser@35 seccompProfile_restricted@25"),
            (37..=37, "appArmorProfile@0 hostNamespaces@0 hostPorts@0 hostProbesAndHostLifecycle@34 privileged@0 seLinuxOptions@31 sysctls@37 windowsHostProcess@0 allowPrivilegeEscalation@25 capabilities_restricted@25 procMount_restricted@35 restrictedVolumes@0 runAsNonRoot@35 runAsUser@35 seccompProfile_restricted@25"),
        ];
        check_rows(Level::Restricted, rows);
    }

    fn check_rows(level: Level, rows: &[(std::ops::RangeInclusive<u32>, &str)]) {
        let mut covered = 0;
        for (range, expected) in rows {
            for minor in range.clone() {
                assert_eq!(active(level, minor), *expected, "{level} v1.{minor}");
                covered += 1;
            }
        }
        assert_eq!(covered, MAX_MINOR + 1, "every minor version has a row");
    }

    #[test]
    fn evaluate_attaches_check_ids_in_order() {
        let mut pod = restricted_pod();
        pod.spec.host_network = Some(true);
        let sc = pod.spec.containers[0].security_context.as_mut().unwrap();
        sc.privileged = Some(true);
        sc.allow_privilege_escalation = None;
        let ids: Vec<&str> = evaluate(&pod, Level::Restricted, 37)
            .iter()
            .map(|v| v.check)
            .collect();
        assert_eq!(
            ids,
            ["hostNamespaces", "privileged", "allowPrivilegeEscalation"]
        );
        assert!(evaluate(&restricted_pod(), Level::Restricted, 37).is_empty());
    }
}
