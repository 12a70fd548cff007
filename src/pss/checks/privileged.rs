//! `privileged` — baseline, v1.0+ (pss-spec §3.1).

use super::{containers, rev, Check, Forbidden, Offenders};
use crate::model::level::Level;
use crate::pss::format::containers_phrase;
use crate::pss::model::Pod;
use crate::pss::Remedy;

pub const CHECK: Check = Check {
    id: "privileged",
    level: Level::Baseline,
    title: "Containers must not run privileged",
    revisions: &[rev(0, privileged_v1_0)],
};

fn privileged_v1_0(pod: &Pod) -> Option<Forbidden> {
    let mut bad = Offenders::default();
    for c in containers(pod) {
        if c.sc().and_then(|sc| sc.privileged) == Some(true) {
            let path = c.sc_path().key("privileged");
            bad.container(&c, path, Remedy::Set("false".into()));
        }
    }
    if bad.is_empty() {
        return None;
    }
    let detail = format!(
        "{} must not set securityContext.privileged=true",
        containers_phrase(&bad.containers)
    );
    Some(Forbidden::new("privileged", detail, bad.fields))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::checks::test_support::*;

    #[test]
    fn allows_absent_and_false() {
        let mut pod = base_pod();
        sc(named(&mut pod, "container1")).privileged = Some(false);
        assert_eq!(message(&CHECK, 0, &pod), None);
    }

    #[test]
    fn lists_privileged_containers_in_visit_order() {
        let mut pod = pod_with(&["a", "b", "c", "d", "e"]);
        for name in ["d", "e"] {
            sc(named(&mut pod, name)).privileged = Some(true);
        }
        let f = run(&CHECK, 37, &pod).unwrap();
        assert_eq!(
            format!("{} ({})", f.reason, f.detail),
            r#"privileged (containers "d", "e" must not set securityContext.privileged=true)"#
        );
        assert_eq!(
            fields(&f),
            [
                r#"spec.containers[3].securityContext.privileged => Set("false")"#,
                r#"spec.containers[4].securityContext.privileged => Set("false")"#,
            ]
        );
        assert_eq!(f.fields[0].container.as_deref(), Some("d"));
    }

    #[test]
    fn checks_init_and_ephemeral_containers() {
        let mut pod = base_pod();
        pod.spec.ephemeral_containers.push(container("debug"));
        sc(named(&mut pod, "debug")).privileged = Some(true);
        sc(named(&mut pod, "initcontainer1")).privileged = Some(true);
        let f = run(&CHECK, 0, &pod).unwrap();
        assert_eq!(
            f.detail,
            r#"containers "initcontainer1", "debug" must not set securityContext.privileged=true"#
        );
        assert_eq!(
            fields(&f),
            [
                r#"spec.initContainers[0].securityContext.privileged => Set("false")"#,
                r#"spec.ephemeralContainers[0].securityContext.privileged => Set("false")"#,
            ]
        );
    }
}
