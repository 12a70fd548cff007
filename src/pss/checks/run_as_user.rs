//! `runAsUser` — restricted, v1.23+; user-namespace pods exempt from v1.35 (pss-spec §3.18).

use super::{containers, pod_sc_path, rev, Check, Forbidden, Offenders};
use crate::model::level::Level;
use crate::pss::model::Pod;
use crate::pss::Remedy;

pub const CHECK: Check = Check {
    id: "runAsUser",
    level: Level::Restricted,
    title: "Pods and containers must not set runAsUser to 0",
    revisions: &[rev(23, run_as_user_v1_23), rev(35, run_as_user_v1_35)],
};

/// Any explicit 0 is reported, pod and containers independently (pss-spec §3.20). The fix
/// removes it; `runAsNonRoot` then keeps the container off root.
fn run_as_user_v1_23(pod: &Pod) -> Option<Forbidden> {
    let mut bad = Offenders::default();
    let pod_sc = pod.spec.security_context.as_ref();
    if pod_sc.and_then(|sc| sc.run_as_user) == Some(0) {
        bad.pod(pod_sc_path().key("runAsUser"), Remedy::Remove);
    }
    for c in containers(pod) {
        if c.sc().and_then(|sc| sc.run_as_user) == Some(0) {
            bad.container(&c, c.sc_path().key("runAsUser"), Remedy::Remove);
        }
    }
    if bad.is_empty() {
        return None;
    }
    let detail = format!("{} must not set runAsUser=0", bad.setters());
    Some(Forbidden::new("runAsUser=0", detail, bad.fields))
}

fn run_as_user_v1_35(pod: &Pod) -> Option<Forbidden> {
    if pod.spec.is_user_namespace() {
        return None;
    }
    run_as_user_v1_23(pod)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::checks::test_support::*;

    #[test]
    fn not_active_before_v1_23() {
        let mut pod = base_pod();
        pod_sc(&mut pod).run_as_user = Some(0);
        assert_eq!(message(&CHECK, 22, &pod), None);
        assert!(message(&CHECK, 23, &pod).is_some());
    }

    #[test]
    fn non_zero_and_absent_pass() {
        let mut pod = base_pod();
        pod_sc(&mut pod).run_as_user = Some(1000);
        sc(named(&mut pod, "container1")).run_as_user = Some(1);
        assert_eq!(message(&CHECK, 37, &pod), None);
    }

    #[test]
    fn fixture_pod_zero_even_if_containers_override() {
        let mut pod = restricted_pod();
        pod_sc(&mut pod).run_as_user = Some(0);
        sc(named(&mut pod, "container1")).run_as_user = Some(1000);
        let f = run(&CHECK, 37, &pod).unwrap();
        assert_eq!(
            format!("{} ({})", f.reason, f.detail),
            "runAsUser=0 (pod must not set runAsUser=0)"
        );
        assert_eq!(fields(&f), ["spec.securityContext.runAsUser => Remove"]);
    }

    #[test]
    fn zero_in_containers() {
        let mut pod = pod_with(&["b", "c", "d"]);
        sc(named(&mut pod, "c")).run_as_user = Some(0);
        sc(named(&mut pod, "d")).run_as_user = Some(0);
        assert_eq!(
            run(&CHECK, 37, &pod).unwrap().detail,
            r#"containers "c", "d" must not set runAsUser=0"#
        );
    }

    #[test]
    fn user_namespace_relaxation_from_v1_35() {
        let mut pod = base_pod();
        pod.spec.host_users = Some(false);
        sc(named(&mut pod, "container1")).run_as_user = Some(0);
        assert!(message(&CHECK, 34, &pod).is_some());
        assert_eq!(message(&CHECK, 35, &pod), None);
        pod.spec.host_users = Some(true);
        assert!(message(&CHECK, 35, &pod).is_some());
    }
}
