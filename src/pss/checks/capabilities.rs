//! `capabilities_baseline` — baseline, v1.0+ (pss-spec §3.7) and
//! `capabilities_restricted` — restricted, v1.22+ (pss-spec §3.15), which replaces the baseline
//! check at the restricted level.

use super::{containers, rev, Check, ContainerAt, Forbidden, Offenders, Revision};
use crate::model::level::Level;
use crate::pss::format::{containers_phrase, quote_list, sorted_set};
use crate::pss::model::Pod;
use crate::pss::{FieldRef, Remedy};

pub const BASELINE: Check = Check {
    id: "capabilities_baseline",
    level: Level::Baseline,
    title: "Containers must not add capabilities beyond the default set",
    revisions: &[rev(0, capabilities_baseline_v1_0)],
};

pub const RESTRICTED: Check = Check {
    id: "capabilities_restricted",
    level: Level::Restricted,
    title: "Containers must drop ALL capabilities and may only add NET_BIND_SERVICE",
    revisions: &[
        Revision {
            since_minor: 22,
            eval: capabilities_restricted_v1_22,
            overrides: &["capabilities_baseline"],
        },
        Revision {
            since_minor: 25,
            eval: capabilities_restricted_v1_25,
            overrides: &["capabilities_baseline"],
        },
    ],
};

/// Capabilities a container may add at baseline (exact, case-sensitive, no `CAP_` prefix).
const BASELINE_DEFAULT: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// The entries of `c`'s `capabilities.add` that `allowed` rejects, de-duplicated, in list order.
fn forbidden_adds(c: &ContainerAt<'_>, allowed: impl Fn(&str) -> bool) -> Vec<String> {
    let add = c
        .sc()
        .and_then(|sc| sc.capabilities.as_ref())
        .map_or(&[][..], |cap| &cap.add[..]);
    let mut forbidden: Vec<String> = Vec::new();
    for cap in add.iter().filter(|cap| !allowed(cap)) {
        if !forbidden.contains(cap) {
            forbidden.push(cap.clone());
        }
    }
    forbidden
}

/// The fix for forbidden adds: remove them from `capabilities.add`.
fn remove_adds(c: &ContainerAt<'_>, forbidden: Vec<String>) -> FieldRef {
    let path = c.sc_path().key("capabilities").key("add");
    c.field(path, Remedy::RemoveItems(forbidden))
}

/// `container(s) "…" must not include "A", "B" in securityContext.capabilities.add`
fn must_not_add(containers: &[String], caps: Vec<String>) -> String {
    format!(
        "{} must not include {} in securityContext.capabilities.add",
        containers_phrase(containers),
        quote_list(&sorted_set(caps))
    )
}

fn capabilities_baseline_v1_0(pod: &Pod) -> Option<Forbidden> {
    let mut bad = Offenders::default();
    let mut caps = Vec::new();
    for c in containers(pod) {
        let forbidden = forbidden_adds(&c, |cap| BASELINE_DEFAULT.contains(&cap));
        if !forbidden.is_empty() {
            caps.extend(forbidden.iter().cloned());
            bad.mark(&c);
            bad.fields.push(remove_adds(&c, forbidden));
        }
    }
    if bad.is_empty() {
        return None;
    }
    let detail = must_not_add(&bad.containers, caps);
    Some(Forbidden::new(
        "non-default capabilities",
        detail,
        bad.fields,
    ))
}

fn capabilities_restricted_v1_22(pod: &Pod) -> Option<Forbidden> {
    let mut missing_drop = Offenders::default();
    let mut adding = Offenders::default();
    let mut caps = Vec::new();
    // Per container in visit order: the drop fix, then the add fix.
    let mut fields = Vec::new();
    for c in containers(pod) {
        let capabilities = c.sc().and_then(|sc| sc.capabilities.as_ref());
        // Only the exact string `ALL` counts (pss-spec §3.15).
        if !capabilities.is_some_and(|cap| cap.drop.iter().any(|d| d == "ALL")) {
            missing_drop.mark(&c);
            let path = c.sc_path().key("capabilities").key("drop");
            fields.push(c.field(path, Remedy::AddItem("ALL".into())));
        }
        // Even the baseline defaults are forbidden here.
        let forbidden = forbidden_adds(&c, |cap| cap == "NET_BIND_SERVICE");
        if !forbidden.is_empty() {
            caps.extend(forbidden.iter().cloned());
            adding.mark(&c);
            fields.push(remove_adds(&c, forbidden));
        }
    }
    if missing_drop.is_empty() && adding.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    if !missing_drop.is_empty() {
        parts.push(format!(
            "{} must set securityContext.capabilities.drop=[\"ALL\"]",
            containers_phrase(&missing_drop.containers)
        ));
    }
    if !adding.is_empty() {
        parts.push(must_not_add(&adding.containers, caps));
    }
    Some(Forbidden::new(
        "unrestricted capabilities",
        parts.join("; "),
        fields,
    ))
}

/// Windows pods are exempt from v1.25 (pss-spec §3.21).
fn capabilities_restricted_v1_25(pod: &Pod) -> Option<Forbidden> {
    if pod.spec.is_windows() {
        return None;
    }
    capabilities_restricted_v1_22(pod)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::checks::test_support::*;
    use crate::pss::model::{Capabilities, Container};

    fn caps(c: &mut Container, add: &[&str], drop: &[&str]) {
        sc(c).capabilities = Some(Capabilities {
            add: add.iter().map(|s| s.to_string()).collect(),
            drop: drop.iter().map(|s| s.to_string()).collect(),
        });
    }

    #[test]
    fn baseline_allows_default_set() {
        let mut pod = base_pod();
        caps(
            named(&mut pod, "container1"),
            BASELINE_DEFAULT,
            &["NET_RAW"],
        );
        assert_eq!(message(&BASELINE, 37, &pod), None);
    }

    #[test]
    fn baseline_fixtures() {
        for (container, cap) in [
            ("container1", "NET_RAW"),
            ("initcontainer1", "NET_RAW"),
            ("container1", "chown"),
            ("container1", "CAP_CHOWN"),
        ] {
            let mut pod = base_pod();
            caps(named(&mut pod, container), &[cap], &[]);
            assert_eq!(
                message(&BASELINE, 37, &pod),
                Some(format!(
                    r#"non-default capabilities (container "{container}" must not include "{cap}" in securityContext.capabilities.add)"#
                ))
            );
        }
    }

    #[test]
    fn baseline_pools_sorted_caps_over_containers() {
        let mut pod = pod_with(&["a", "b", "c"]);
        caps(named(&mut pod, "a"), &["FOO", "CHOWN", "BAZ"], &[]);
        caps(named(&mut pod, "b"), &["BAR", "FOO", "FOO"], &[]);
        let f = run(&BASELINE, 37, &pod).unwrap();
        assert_eq!(
            f.detail,
            r#"containers "a", "b" must not include "BAR", "BAZ", "FOO" in securityContext.capabilities.add"#
        );
        assert_eq!(
            fields(&f),
            [
                r#"spec.containers[0].securityContext.capabilities.add => RemoveItems(["FOO", "BAZ"])"#,
                r#"spec.containers[1].securityContext.capabilities.add => RemoveItems(["BAR", "FOO"])"#,
            ]
        );
    }

    #[test]
    fn restricted_not_active_before_v1_22() {
        let pod = base_pod();
        assert_eq!(message(&RESTRICTED, 21, &pod), None);
        assert!(message(&RESTRICTED, 22, &pod).is_some());
    }

    #[test]
    fn restricted_requires_exact_drop_all() {
        let mut pod = pod_with(&["a", "b", "c", "d"]);
        caps(named(&mut pod, "b"), &[], &[]);
        caps(named(&mut pod, "c"), &[], &["all"]);
        caps(named(&mut pod, "d"), &["NET_BIND_SERVICE"], &["ALL"]);
        let f = run(&RESTRICTED, 37, &pod).unwrap();
        assert_eq!(f.reason, "unrestricted capabilities");
        assert_eq!(
            f.detail,
            r#"containers "a", "b", "c" must set securityContext.capabilities.drop=["ALL"]"#
        );
        assert_eq!(
            fields(&f),
            [
                r#"spec.containers[0].securityContext.capabilities.drop => AddItem("ALL")"#,
                r#"spec.containers[1].securityContext.capabilities.drop => AddItem("ALL")"#,
                r#"spec.containers[2].securityContext.capabilities.drop => AddItem("ALL")"#,
            ]
        );
    }

    #[test]
    fn restricted_joins_drop_and_add_parts() {
        let mut pod = pod_with(&["a", "b", "c"]);
        caps(named(&mut pod, "a"), &["FOO"], &[]);
        caps(named(&mut pod, "b"), &["BAR", "CHOWN"], &[]);
        caps(named(&mut pod, "c"), &["BAZ", "NET_BIND_SERVICE"], &["ALL"]);
        let f = run(&RESTRICTED, 37, &pod).unwrap();
        assert_eq!(
            f.detail,
            r#"containers "a", "b" must set securityContext.capabilities.drop=["ALL"]; containers "a", "b", "c" must not include "BAR", "BAZ", "CHOWN", "FOO" in securityContext.capabilities.add"#
        );
        assert_eq!(
            fields(&f),
            [
                r#"spec.containers[0].securityContext.capabilities.drop => AddItem("ALL")"#,
                r#"spec.containers[0].securityContext.capabilities.add => RemoveItems(["FOO"])"#,
                r#"spec.containers[1].securityContext.capabilities.drop => AddItem("ALL")"#,
                r#"spec.containers[1].securityContext.capabilities.add => RemoveItems(["BAR", "CHOWN"])"#,
                r#"spec.containers[2].securityContext.capabilities.add => RemoveItems(["BAZ"])"#,
            ]
        );
    }

    #[test]
    fn restricted_fixture_capabilities_restricted3() {
        let mut pod = restricted_pod();
        for name in ["initcontainer1", "container1"] {
            let c = named(&mut pod, name);
            caps(c, BASELINE_DEFAULT, &["ALL"]);
        }
        assert_eq!(
            message(&RESTRICTED, 37, &pod).as_deref(),
            Some(
                r#"unrestricted capabilities (containers "initcontainer1", "container1" must not include "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT" in securityContext.capabilities.add)"#
            )
        );
    }

    #[test]
    fn restricted_windows_exempt_from_v1_25() {
        let mut pod = base_pod();
        pod.spec.os_name = Some("windows".into());
        assert!(message(&RESTRICTED, 24, &pod).is_some());
        assert_eq!(message(&RESTRICTED, 25, &pod), None);
        pod.spec.os_name = Some("Windows".into());
        assert!(message(&RESTRICTED, 25, &pod).is_some());
    }
}
