//! `hostProbesAndHostLifecycle` — baseline, v1.34+ (pss-spec §3.5).

use super::{containers, rev, Check, Forbidden, Offenders};
use crate::model::level::Level;
use crate::pss::format::{containers_phrase, plural, quote_list, sorted_set};
use crate::pss::model::Pod;
use crate::pss::Remedy;

pub const CHECK: Check = Check {
    id: "hostProbesAndHostLifecycle",
    level: Level::Baseline,
    title: "Probes and lifecycle hooks must not target another host",
    revisions: &[rev(34, host_probes_v1_34)],
};

fn host_probes_v1_34(pod: &Pod) -> Option<Forbidden> {
    let mut bad = Offenders::default();
    let mut hosts = Vec::new();
    for c in containers(pod) {
        let ctr = c.container;
        let handlers = [
            (c.path.clone().key("livenessProbe"), &ctr.liveness_probe),
            (c.path.clone().key("readinessProbe"), &ctr.readiness_probe),
            (c.path.clone().key("startupProbe"), &ctr.startup_probe),
            (
                c.path.clone().key("lifecycle").key("postStart"),
                &ctr.post_start,
            ),
            (
                c.path.clone().key("lifecycle").key("preStop"),
                &ctr.pre_stop,
            ),
        ];
        for (path, handler) in handlers {
            let Some(handler) = handler else { continue };
            let actions = [
                ("httpGet", &handler.http_get_host),
                ("tcpSocket", &handler.tcp_socket_host),
            ];
            for (action, host) in actions {
                // Any non-empty host is forbidden, even localhost (pss-spec §3.5).
                if let Some(host) = host.as_deref().filter(|h| !h.is_empty()) {
                    hosts.push(host);
                    bad.container(&c, path.clone().key(action).key("host"), Remedy::Remove);
                }
            }
        }
    }
    if bad.is_empty() {
        return None;
    }
    // Unlike every other check, container names are a sorted set here.
    let names = sorted_set(bad.containers.iter().map(String::as_str));
    let hosts = sorted_set(hosts);
    let detail = format!(
        "{} {} {} {}",
        containers_phrase(&names),
        plural(names.len(), "uses", "use"),
        plural(
            hosts.len(),
            "probe or lifecycle host",
            "probe or lifecycle hosts"
        ),
        quote_list(&hosts)
    );
    Some(Forbidden::new(
        "probe or lifecycle host",
        detail,
        bad.fields,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::checks::test_support::*;
    use crate::pss::model::Handler;

    fn http(host: &str) -> Option<Handler> {
        Some(Handler {
            http_get_host: Some(host.into()),
            tcp_socket_host: None,
        })
    }

    fn tcp(host: &str) -> Option<Handler> {
        Some(Handler {
            http_get_host: None,
            tcp_socket_host: Some(host.into()),
        })
    }

    #[test]
    fn not_active_before_v1_34() {
        let mut pod = base_pod();
        named(&mut pod, "container1").liveness_probe = http("bad.host");
        assert_eq!(message(&CHECK, 33, &pod), None);
        assert!(message(&CHECK, 34, &pod).is_some());
    }

    #[test]
    fn allows_empty_and_absent_hosts() {
        let mut pod = base_pod();
        let c = named(&mut pod, "container1");
        c.liveness_probe = http("");
        c.readiness_probe = Some(Handler::default());
        assert_eq!(message(&CHECK, 37, &pod), None);
    }

    #[test]
    fn fixture_liveness_http_get() {
        let mut pod = base_pod();
        named(&mut pod, "container1").liveness_probe = http("bad.host");
        let f = run(&CHECK, 37, &pod).unwrap();
        assert_eq!(
            format!("{} ({})", f.reason, f.detail),
            r#"probe or lifecycle host (container "container1" uses probe or lifecycle host "bad.host")"#
        );
        assert_eq!(
            fields(&f),
            ["spec.containers[0].livenessProbe.httpGet.host => Remove"]
        );
    }

    #[test]
    fn lifecycle_and_tcp_socket_paths() {
        let mut pod = base_pod();
        named(&mut pod, "initcontainer1").readiness_probe = tcp("8.8.8.8");
        let c = named(&mut pod, "container1");
        c.post_start = http("bad.host");
        c.pre_stop = tcp("::1");
        c.startup_probe = Some(Handler {
            http_get_host: Some("a".into()),
            tcp_socket_host: Some("b".into()),
        });
        let f = run(&CHECK, 37, &pod).unwrap();
        assert_eq!(
            fields(&f),
            [
                "spec.initContainers[0].readinessProbe.tcpSocket.host => Remove",
                "spec.containers[0].startupProbe.httpGet.host => Remove",
                "spec.containers[0].startupProbe.tcpSocket.host => Remove",
                "spec.containers[0].lifecycle.postStart.httpGet.host => Remove",
                "spec.containers[0].lifecycle.preStop.tcpSocket.host => Remove",
            ]
        );
    }

    #[test]
    fn container_names_and_hosts_are_sorted_sets() {
        let mut pod = pod_with(&["invalid2", "invalid1"]);
        named(&mut pod, "invalid2").liveness_probe = http("b.com");
        named(&mut pod, "invalid1").readiness_probe = http("a.com");
        named(&mut pod, "invalid1").post_start = http("b.com");
        assert_eq!(
            run(&CHECK, 37, &pod).unwrap().detail,
            r#"containers "invalid1", "invalid2" use probe or lifecycle hosts "a.com", "b.com""#
        );
    }

    #[test]
    fn one_container_many_hosts() {
        let mut pod = pod_with(&["a"]);
        let c = named(&mut pod, "a");
        c.liveness_probe = http("localhost");
        c.readiness_probe = tcp("::1");
        c.startup_probe = http("127.0.0.1");
        assert_eq!(
            run(&CHECK, 37, &pod).unwrap().detail,
            r#"container "a" uses probe or lifecycle hosts "127.0.0.1", "::1", "localhost""#
        );
    }
}
