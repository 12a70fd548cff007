//! `sysctls` — baseline, v1.0+ with a growing allow-list (pss-spec §3.12).
//!
//! Each revision's allow-list is the previous one plus the names added at that version.

use super::{pod_sc_path, rev, Check, Forbidden};
use crate::model::level::Level;
use crate::pss::model::Pod;
use crate::pss::{FieldRef, Remedy};

pub const CHECK: Check = Check {
    id: "sysctls",
    level: Level::Baseline,
    title: "Pods may only set safe sysctls",
    revisions: &[
        rev(0, sysctls_v1_0),
        rev(27, sysctls_v1_27),
        rev(29, sysctls_v1_29),
        rev(32, sysctls_v1_32),
        rev(37, sysctls_v1_37),
    ],
};

/// Names added to the allow-list, by the minor version that added them.
const ADDED: &[(u32, &[&str])] = &[
    (
        0,
        &[
            "kernel.shm_rmid_forced",
            "net.ipv4.ip_local_port_range",
            "net.ipv4.tcp_syncookies",
            "net.ipv4.ping_group_range",
            "net.ipv4.ip_unprivileged_port_start",
        ],
    ),
    (27, &["net.ipv4.ip_local_reserved_ports"]),
    (
        29,
        &[
            "net.ipv4.tcp_keepalive_time",
            "net.ipv4.tcp_fin_timeout",
            "net.ipv4.tcp_keepalive_intvl",
            "net.ipv4.tcp_keepalive_probes",
        ],
    ),
    (32, &["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"]),
    (
        37,
        &[
            "net.ipv4.tcp_slow_start_after_idle",
            "net.ipv4.tcp_notsent_lowat",
        ],
    ),
];

fn sysctls_v1_0(pod: &Pod) -> Option<Forbidden> {
    evaluate(pod, 0)
}

fn sysctls_v1_27(pod: &Pod) -> Option<Forbidden> {
    evaluate(pod, 27)
}

fn sysctls_v1_29(pod: &Pod) -> Option<Forbidden> {
    evaluate(pod, 29)
}

fn sysctls_v1_32(pod: &Pod) -> Option<Forbidden> {
    evaluate(pod, 32)
}

fn sysctls_v1_37(pod: &Pod) -> Option<Forbidden> {
    evaluate(pod, 37)
}

/// Exact membership in the allow-list of revision `minor`, no normalisation.
fn allowed(name: &str, minor: u32) -> bool {
    ADDED
        .iter()
        .filter(|(since, _)| *since <= minor)
        .any(|(_, names)| names.contains(&name))
}

fn evaluate(pod: &Pod, minor: u32) -> Option<Forbidden> {
    let sysctls = pod
        .spec
        .security_context
        .as_ref()
        .map_or(&[][..], |sc| &sc.sysctls[..]);
    let mut names = Vec::new();
    let mut fields = Vec::new();
    for (i, name) in sysctls.iter().enumerate() {
        if !allowed(name, minor) {
            names.push(name.as_str());
            fields.push(FieldRef {
                path: pod_sc_path().key("sysctls").index(i).key("name"),
                container: None,
                remedy: Remedy::Remove,
            });
        }
    }
    if names.is_empty() {
        return None;
    }
    // Spec order, not sorted, not de-duplicated, not quoted (pss-spec §3.12).
    Some(Forbidden::new(
        "forbidden sysctls",
        names.join(", "),
        fields,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::checks::test_support::*;

    fn with_sysctls(names: &[&str]) -> Pod {
        let mut pod = base_pod();
        pod_sc(&mut pod).sysctls = names.iter().map(|s| s.to_string()).collect();
        pod
    }

    #[test]
    fn fixture_sysctls0() {
        let pod = with_sysctls(&["othersysctl"]);
        let f = run(&CHECK, 37, &pod).unwrap();
        assert_eq!(
            format!("{} ({})", f.reason, f.detail),
            "forbidden sysctls (othersysctl)"
        );
        assert_eq!(
            fields(&f),
            ["spec.securityContext.sysctls[0].name => Remove"]
        );
    }

    #[test]
    fn names_keep_spec_order_and_duplicates() {
        let pod = with_sysctls(&["b", "kernel.shm_rmid_forced", "a", "b"]);
        let f = run(&CHECK, 0, &pod).unwrap();
        assert_eq!(f.detail, "b, a, b");
        assert_eq!(
            f.fields[1].path.to_string(),
            "spec.securityContext.sysctls[2].name"
        );
    }

    #[test]
    fn no_normalisation() {
        let pod = with_sysctls(&["kernel/shm_rmid_forced"]);
        assert!(message(&CHECK, 37, &pod).is_some());
    }

    #[test]
    fn allow_list_grows_at_each_revision() {
        for (name, since) in [
            ("net.ipv4.ip_unprivileged_port_start", 0),
            ("net.ipv4.ip_local_reserved_ports", 27),
            ("net.ipv4.tcp_keepalive_probes", 29),
            ("net.ipv4.tcp_wmem", 32),
            ("net.ipv4.tcp_slow_start_after_idle", 37),
            ("net.ipv4.tcp_notsent_lowat", 37),
        ] {
            let pod = with_sysctls(&[name]);
            if since > 0 {
                assert_eq!(
                    message(&CHECK, since - 1, &pod),
                    Some(format!("forbidden sysctls ({name})"))
                );
            }
            assert_eq!(message(&CHECK, since, &pod), None, "{name} at v1.{since}");
            assert_eq!(message(&CHECK, 37, &pod), None);
        }
    }
}
