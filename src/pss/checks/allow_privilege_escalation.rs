//! `allowPrivilegeEscalation` — restricted, v1.8+; Windows pods exempt from v1.25
//! (pss-spec §3.14).

use super::{containers, rev, Check, Forbidden, Offenders};
use crate::model::level::Level;
use crate::pss::format::containers_phrase;
use crate::pss::model::Pod;
use crate::pss::Remedy;

pub const CHECK: Check = Check {
    id: "allowPrivilegeEscalation",
    level: Level::Restricted,
    title: "Containers must set allowPrivilegeEscalation to false",
    revisions: &[
        rev(8, allow_privilege_escalation_v1_8),
        rev(25, allow_privilege_escalation_v1_25),
    ],
};

/// Every container must explicitly set `allowPrivilegeEscalation: false`.
fn allow_privilege_escalation_v1_8(pod: &Pod) -> Option<Forbidden> {
    let mut bad = Offenders::default();
    for c in containers(pod) {
        if c.sc().and_then(|sc| sc.allow_privilege_escalation) != Some(false) {
            let path = c.sc_path().key("allowPrivilegeEscalation");
            bad.container(&c, path, Remedy::Set("false".into()));
        }
    }
    if bad.is_empty() {
        return None;
    }
    let detail = format!(
        "{} must set securityContext.allowPrivilegeEscalation=false",
        containers_phrase(&bad.containers)
    );
    Some(Forbidden::new(
        "allowPrivilegeEscalation != false",
        detail,
        bad.fields,
    ))
}

fn allow_privilege_escalation_v1_25(pod: &Pod) -> Option<Forbidden> {
    if pod.spec.is_windows() {
        return None;
    }
    allow_privilege_escalation_v1_8(pod)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::checks::test_support::*;

    #[test]
    fn not_active_before_v1_8() {
        let pod = base_pod();
        assert_eq!(message(&CHECK, 7, &pod), None);
        assert!(message(&CHECK, 8, &pod).is_some());
    }

    #[test]
    fn explicit_false_passes() {
        assert_eq!(message(&CHECK, 37, &restricted_pod()), None);
    }

    #[test]
    fn true_absent_and_missing_context_fail() {
        let mut pod = pod_with(&["a", "b", "c", "d"]);
        sc(named(&mut pod, "a")).allow_privilege_escalation = Some(true);
        sc(named(&mut pod, "b"));
        sc(named(&mut pod, "d")).allow_privilege_escalation = Some(false);
        let f = run(&CHECK, 37, &pod).unwrap();
        assert_eq!(
            format!("{} ({})", f.reason, f.detail),
            r#"allowPrivilegeEscalation != false (containers "a", "b", "c" must set securityContext.allowPrivilegeEscalation=false)"#
        );
        assert_eq!(
            fields(&f),
            [
                r#"spec.containers[0].securityContext.allowPrivilegeEscalation => Set("false")"#,
                r#"spec.containers[1].securityContext.allowPrivilegeEscalation => Set("false")"#,
                r#"spec.containers[2].securityContext.allowPrivilegeEscalation => Set("false")"#,
            ]
        );
    }

    #[test]
    fn windows_exempt_from_v1_25() {
        let mut pod = base_pod();
        pod.spec.os_name = Some("windows".into());
        assert!(message(&CHECK, 24, &pod).is_some());
        assert_eq!(message(&CHECK, 25, &pod), None);
        pod.spec.os_name = Some("linux".into());
        assert!(message(&CHECK, 25, &pod).is_some());
    }
}
