//! `procMount` — baseline, v1.0+ with a v1.35 user-namespace relaxation (pss-spec §3.8), and
//! `procMount_restricted` — restricted, v1.35+, the same rule without the relaxation, which
//! replaces `procMount` at the restricted level (pss-spec §3.9).

use super::{containers, rev, Check, Forbidden, Offenders, Revision};
use crate::model::level::Level;
use crate::pss::format::{containers_phrase, quote_list, sorted_set};
use crate::pss::model::Pod;
use crate::pss::Remedy;

pub const BASELINE: Check = Check {
    id: "procMount",
    level: Level::Baseline,
    title: "Containers must use the default /proc mount type",
    revisions: &[rev(0, proc_mount_v1_0), rev(35, proc_mount_v1_35)],
};

pub const RESTRICTED: Check = Check {
    id: "procMount_restricted",
    level: Level::Restricted,
    title: "Containers must use the default /proc mount type, even in a user namespace",
    revisions: &[Revision {
        since_minor: 35,
        eval: proc_mount_v1_0,
        overrides: &["procMount"],
    }],
};

/// Any present value other than `Default` (even `""`) is forbidden.
fn proc_mount_v1_0(pod: &Pod) -> Option<Forbidden> {
    let mut bad = Offenders::default();
    let mut values = Vec::new();
    for c in containers(pod) {
        if let Some(value) = c.sc().and_then(|sc| sc.proc_mount.as_deref()) {
            if value != "Default" {
                values.push(value);
                let path = c.sc_path().key("procMount");
                bad.container(&c, path, Remedy::Set("Default".into()));
            }
        }
    }
    if bad.is_empty() {
        return None;
    }
    let detail = format!(
        "{} must not set securityContext.procMount to {}",
        containers_phrase(&bad.containers),
        quote_list(&sorted_set(values))
    );
    Some(Forbidden::new("procMount", detail, bad.fields))
}

/// User-namespace pods (`hostUsers: false`) are allowed outright from v1.35.
fn proc_mount_v1_35(pod: &Pod) -> Option<Forbidden> {
    if pod.spec.is_user_namespace() {
        return None;
    }
    proc_mount_v1_0(pod)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::checks::test_support::*;

    #[test]
    fn allows_default_and_absent() {
        let mut pod = base_pod();
        sc(named(&mut pod, "container1")).proc_mount = Some("Default".into());
        sc(named(&mut pod, "initcontainer1"));
        assert_eq!(message(&BASELINE, 37, &pod), None);
    }

    #[test]
    fn fixture_procmount0() {
        let mut pod = base_pod();
        pod.spec.host_users = Some(true);
        sc(named(&mut pod, "container1")).proc_mount = Some("Unmasked".into());
        let f = run(&BASELINE, 37, &pod).unwrap();
        assert_eq!(
            format!("{} ({})", f.reason, f.detail),
            r#"procMount (container "container1" must not set securityContext.procMount to "Unmasked")"#
        );
        assert_eq!(
            fields(&f),
            [r#"spec.containers[0].securityContext.procMount => Set("Default")"#]
        );
    }

    #[test]
    fn values_are_a_sorted_set_and_empty_is_bad() {
        let mut pod = pod_with(&["c", "d", "e", "f"]);
        sc(named(&mut pod, "d")).proc_mount = Some("other".into());
        sc(named(&mut pod, "e")).proc_mount = Some("Unmasked".into());
        sc(named(&mut pod, "f")).proc_mount = Some("other".into());
        assert_eq!(
            run(&BASELINE, 37, &pod).unwrap().detail,
            r#"containers "d", "e", "f" must not set securityContext.procMount to "Unmasked", "other""#
        );
        let mut pod = pod_with(&["a"]);
        sc(named(&mut pod, "a")).proc_mount = Some(String::new());
        assert_eq!(
            run(&BASELINE, 37, &pod).unwrap().detail,
            r#"container "a" must not set securityContext.procMount to """#
        );
    }

    #[test]
    fn baseline_user_namespace_relaxation_from_v1_35() {
        let mut pod = base_pod();
        pod.spec.host_users = Some(false);
        sc(named(&mut pod, "container1")).proc_mount = Some("Unmasked".into());
        assert!(message(&BASELINE, 34, &pod).is_some());
        assert_eq!(message(&BASELINE, 35, &pod), None);
        // Restricted keeps forbidding it.
        assert_eq!(
            message(&RESTRICTED, 34, &pod),
            None,
            "not active before v1.35"
        );
        assert_eq!(
            message(&RESTRICTED, 35, &pod).as_deref(),
            Some(
                r#"procMount (container "container1" must not set securityContext.procMount to "Unmasked")"#
            )
        );
    }
}
