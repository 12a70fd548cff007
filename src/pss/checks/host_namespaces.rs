//! `hostNamespaces` — baseline, v1.0+ (pss-spec §3.2).

use super::{rev, spec_path, Check, Forbidden, Offenders};
use crate::model::level::Level;
use crate::pss::model::Pod;
use crate::pss::Remedy;

pub const CHECK: Check = Check {
    id: "hostNamespaces",
    level: Level::Baseline,
    title: "Pods must not share the host's network, PID or IPC namespaces",
    revisions: &[rev(0, host_namespaces_v1_0)],
};

fn host_namespaces_v1_0(pod: &Pod) -> Option<Forbidden> {
    let spec = &pod.spec;
    // Always in this fixed order (pss-spec §3.2).
    let fields = [
        ("hostNetwork", spec.host_network),
        ("hostPID", spec.host_pid),
        ("hostIPC", spec.host_ipc),
    ];
    let mut bad = Offenders::default();
    let mut items = Vec::new();
    for (field, value) in fields {
        if value == Some(true) {
            items.push(format!("{field}=true"));
            bad.pod(spec_path().key(field), Remedy::Set("false".into()));
        }
    }
    if items.is_empty() {
        return None;
    }
    Some(Forbidden::new(
        "host namespaces",
        items.join(", "),
        bad.fields,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::checks::test_support::*;

    #[test]
    fn allows_absent_and_false() {
        let mut pod = base_pod();
        pod.spec.host_pid = Some(false);
        assert_eq!(message(&CHECK, 37, &pod), None);
    }

    #[test]
    fn lists_namespaces_in_fixed_order() {
        let mut pod = base_pod();
        pod.spec.host_ipc = Some(true);
        pod.spec.host_pid = Some(true);
        pod.spec.host_network = Some(true);
        let f = run(&CHECK, 0, &pod).unwrap();
        assert_eq!(f.reason, "host namespaces");
        assert_eq!(f.detail, "hostNetwork=true, hostPID=true, hostIPC=true");
        assert_eq!(
            fields(&f),
            [
                r#"spec.hostNetwork => Set("false")"#,
                r#"spec.hostPID => Set("false")"#,
                r#"spec.hostIPC => Set("false")"#,
            ]
        );
        assert_eq!(f.fields[0].container, None);
    }

    #[test]
    fn single_namespace() {
        let mut pod = base_pod();
        pod.spec.host_ipc = Some(true);
        assert_eq!(
            message(&CHECK, 37, &pod).as_deref(),
            Some("host namespaces (hostIPC=true)")
        );
    }
}
