//! `runAsNonRoot` — restricted, v1.0+; user-namespace pods exempt from v1.35 (pss-spec §3.17).

use super::{containers, pod_sc_path, rev, Check, Forbidden, Offenders};
use crate::model::level::Level;
use crate::pss::format::containers_phrase;
use crate::pss::model::Pod;
use crate::pss::{FieldRef, Remedy};

pub const CHECK: Check = Check {
    id: "runAsNonRoot",
    level: Level::Restricted,
    title: "Containers must run as a non-root user",
    revisions: &[rev(0, run_as_non_root_v1_0), rev(35, run_as_non_root_v1_35)],
};

fn run_as_non_root_v1_0(pod: &Pod) -> Option<Forbidden> {
    let fix = || Remedy::Set("true".into());
    let pod_value = pod
        .spec
        .security_context
        .as_ref()
        .and_then(|sc| sc.run_as_non_root);
    // An explicit `false` anywhere is reported, even if every container says true.
    let mut explicit = Offenders::default();
    if pod_value == Some(false) {
        explicit.pod(pod_sc_path().key("runAsNonRoot"), fix());
    }
    let mut implicit = Vec::new();
    for c in containers(pod) {
        match c.sc().and_then(|sc| sc.run_as_non_root) {
            Some(false) => explicit.container(&c, c.sc_path().key("runAsNonRoot"), fix()),
            Some(true) => {}
            // Only a pod-level `true` covers an unset container; runAsUser does not.
            None if pod_value == Some(true) => {}
            None => implicit.push(FieldRef {
                path: c.sc_path().key("runAsNonRoot"),
                container: Some(c.name().to_string()),
                remedy: fix(),
            }),
        }
    }
    let reason = "runAsNonRoot != true";
    // Explicit problems suppress the "must set" message (pss-spec §3.17).
    if !explicit.is_empty() {
        let detail = format!(
            "{} must not set securityContext.runAsNonRoot=false",
            explicit.setters()
        );
        return Some(Forbidden::new(reason, detail, explicit.fields));
    }
    if implicit.is_empty() {
        return None;
    }
    let names: Vec<&str> = implicit
        .iter()
        .filter_map(|f| f.container.as_deref())
        .collect();
    let detail = format!(
        "pod or {} must set securityContext.runAsNonRoot=true",
        containers_phrase(&names)
    );
    // Each unset container is reported where it is; the fix text offers the pod-level setting
    // that covers them all.
    Some(Forbidden::new(reason, detail, implicit))
}

fn run_as_non_root_v1_35(pod: &Pod) -> Option<Forbidden> {
    if pod.spec.is_user_namespace() {
        return None;
    }
    run_as_non_root_v1_0(pod)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::checks::test_support::*;

    #[test]
    fn pod_true_covers_unset_containers() {
        assert_eq!(message(&CHECK, 0, &restricted_pod()), None);
    }

    #[test]
    fn fixture_runasnonroot0_implicit() {
        let mut pod = base_pod();
        // A non-zero runAsUser does not satisfy the check.
        pod_sc(&mut pod).run_as_user = Some(1000);
        let f = run(&CHECK, 37, &pod).unwrap();
        assert_eq!(
            format!("{} ({})", f.reason, f.detail),
            r#"runAsNonRoot != true (pod or containers "initcontainer1", "container1" must set securityContext.runAsNonRoot=true)"#
        );
        assert_eq!(
            fields(&f),
            [
                r#"spec.initContainers[0].securityContext.runAsNonRoot => Set("true")"#,
                r#"spec.containers[0].securityContext.runAsNonRoot => Set("true")"#
            ]
        );
    }

    #[test]
    fn containers_setting_true_are_not_implicit() {
        let mut pod = base_pod();
        sc(named(&mut pod, "initcontainer1")).run_as_non_root = Some(true);
        assert_eq!(
            run(&CHECK, 37, &pod).unwrap().detail,
            r#"pod or container "container1" must set securityContext.runAsNonRoot=true"#
        );
        sc(named(&mut pod, "container1")).run_as_non_root = Some(true);
        assert_eq!(message(&CHECK, 37, &pod), None);
    }

    #[test]
    fn pod_false_reported_even_if_containers_say_true() {
        let mut pod = base_pod();
        pod_sc(&mut pod).run_as_non_root = Some(false);
        sc(named(&mut pod, "initcontainer1")).run_as_non_root = Some(true);
        sc(named(&mut pod, "container1")).run_as_non_root = Some(true);
        let f = run(&CHECK, 37, &pod).unwrap();
        assert_eq!(
            f.detail,
            "pod must not set securityContext.runAsNonRoot=false"
        );
        assert_eq!(
            fields(&f),
            [r#"spec.securityContext.runAsNonRoot => Set("true")"#]
        );
    }

    #[test]
    fn explicit_false_suppresses_implicit() {
        let mut pod = pod_with(&["a", "b", "c", "d"]);
        sc(named(&mut pod, "c")).run_as_non_root = Some(false);
        sc(named(&mut pod, "d")).run_as_non_root = Some(false);
        let f = run(&CHECK, 37, &pod).unwrap();
        assert_eq!(
            f.detail,
            r#"containers "c", "d" must not set securityContext.runAsNonRoot=false"#
        );
        assert_eq!(
            fields(&f),
            [
                r#"spec.containers[2].securityContext.runAsNonRoot => Set("true")"#,
                r#"spec.containers[3].securityContext.runAsNonRoot => Set("true")"#,
            ]
        );
    }

    #[test]
    fn pod_and_container_false() {
        let mut pod = restricted_pod();
        pod_sc(&mut pod).run_as_non_root = Some(false);
        sc(named(&mut pod, "container1")).run_as_non_root = Some(false);
        assert_eq!(
            run(&CHECK, 37, &pod).unwrap().detail,
            r#"pod and container "container1" must not set securityContext.runAsNonRoot=false"#
        );
    }

    #[test]
    fn user_namespace_relaxation_from_v1_35_but_not_windows() {
        let mut pod = base_pod();
        pod.spec.host_users = Some(false);
        assert!(message(&CHECK, 34, &pod).is_some());
        assert_eq!(message(&CHECK, 35, &pod), None);
        let mut pod = base_pod();
        pod.spec.os_name = Some("windows".into());
        assert!(message(&CHECK, 37, &pod).is_some());
    }
}
