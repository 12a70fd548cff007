//! `hostPorts` — baseline, v1.0+ (pss-spec §3.4).

use super::{containers, rev, Check, Forbidden, Offenders};
use crate::model::level::Level;
use crate::pss::format::{containers_phrase, plural, sorted_set};
use crate::pss::model::Pod;
use crate::pss::Remedy;

pub const CHECK: Check = Check {
    id: "hostPorts",
    level: Level::Baseline,
    title: "Containers must not bind host ports",
    revisions: &[rev(0, host_ports_v1_0)],
};

fn host_ports_v1_0(pod: &Pod) -> Option<Forbidden> {
    let mut bad = Offenders::default();
    let mut ports = Vec::new();
    for c in containers(pod) {
        for (i, port) in c.container.ports.iter().enumerate() {
            // Absent means 0, which is allowed.
            if let Some(host_port) = port.host_port.filter(|&p| p != 0) {
                ports.push(host_port.to_string());
                let path = c.path.clone().key("ports").index(i).key("hostPort");
                bad.container(&c, path, Remedy::Remove);
            }
        }
    }
    if bad.is_empty() {
        return None;
    }
    // Ports are sorted as strings: "10000" < "80" (pss-spec §3.4).
    let ports = sorted_set(ports);
    let n = bad.containers.len();
    let detail = format!(
        "{} {} {} {}",
        containers_phrase(&bad.containers),
        plural(n, "uses", "use"),
        plural(ports.len(), "hostPort", "hostPorts"),
        ports.join(", ")
    );
    Some(Forbidden::new("hostPort", detail, bad.fields))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::checks::test_support::*;
    use crate::pss::model::{Container, ContainerPort};

    fn add_port(c: &mut Container, container_port: i32, host_port: Option<i32>) {
        c.ports.push(ContainerPort {
            container_port: Some(container_port),
            host_port,
        });
    }

    #[test]
    fn allows_absent_and_zero_host_ports() {
        let mut pod = base_pod();
        add_port(named(&mut pod, "container1"), 80, None);
        add_port(named(&mut pod, "container1"), 81, Some(0));
        assert_eq!(message(&CHECK, 37, &pod), None);
    }

    #[test]
    fn single_container_single_port() {
        let mut pod = pod_with(&["a", "b"]);
        add_port(named(&mut pod, "b"), 20, Some(20));
        assert_eq!(
            message(&CHECK, 37, &pod).as_deref(),
            Some(r#"hostPort (container "b" uses hostPort 20)"#)
        );
    }

    #[test]
    fn several_containers_and_ports() {
        let mut pod = pod_with(&["a", "b", "c"]);
        add_port(named(&mut pod, "b"), 10, Some(10));
        add_port(named(&mut pod, "b"), 20, Some(20));
        add_port(named(&mut pod, "c"), 30, Some(30));
        add_port(named(&mut pod, "c"), 20, Some(20));
        let f = run(&CHECK, 37, &pod).unwrap();
        assert_eq!(f.detail, r#"containers "b", "c" use hostPorts 10, 20, 30"#);
        assert_eq!(
            fields(&f),
            [
                "spec.containers[1].ports[0].hostPort => Remove",
                "spec.containers[1].ports[1].hostPort => Remove",
                "spec.containers[2].ports[0].hostPort => Remove",
                "spec.containers[2].ports[1].hostPort => Remove",
            ]
        );
    }

    #[test]
    fn one_container_with_several_ports_uses_singular_verb() {
        let mut pod = pod_with(&["a"]);
        add_port(named(&mut pod, "a"), 80, Some(80));
        add_port(named(&mut pod, "a"), 81, Some(81));
        assert_eq!(
            run(&CHECK, 37, &pod).unwrap().detail,
            r#"container "a" uses hostPorts 80, 81"#
        );
    }

    #[test]
    fn ports_sort_as_strings() {
        let mut pod = pod_with(&["a"]);
        for p in [9000, 80, 8080, 10000, 80] {
            add_port(named(&mut pod, "a"), p, Some(p));
        }
        assert_eq!(
            run(&CHECK, 37, &pod).unwrap().detail,
            r#"container "a" uses hostPorts 10000, 80, 8080, 9000"#
        );
    }

    #[test]
    fn fixture_hostports2() {
        let mut pod = base_pod();
        add_port(named(&mut pod, "container1"), 12345, Some(12345));
        add_port(named(&mut pod, "container1"), 12347, None);
        add_port(named(&mut pod, "initcontainer1"), 12346, Some(12346));
        add_port(named(&mut pod, "initcontainer1"), 12348, None);
        let f = run(&CHECK, 37, &pod).unwrap();
        assert_eq!(
            f.detail,
            r#"containers "initcontainer1", "container1" use hostPorts 12345, 12346"#
        );
        assert_eq!(
            fields(&f),
            [
                "spec.initContainers[0].ports[0].hostPort => Remove",
                "spec.containers[0].ports[0].hostPort => Remove",
            ]
        );
    }
}
