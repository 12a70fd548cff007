//! `windowsHostProcess` — baseline, v1.0+ (pss-spec §3.13).

use super::{containers, pod_sc_path, rev, Check, Forbidden, Offenders};
use crate::model::level::Level;
use crate::pss::model::{Pod, WindowsOptions};
use crate::pss::Remedy;

pub const CHECK: Check = Check {
    id: "windowsHostProcess",
    level: Level::Baseline,
    title: "Pods must not run Windows HostProcess containers",
    revisions: &[rev(0, windows_host_process_v1_0)],
};

fn host_process(options: &Option<WindowsOptions>) -> bool {
    options.as_ref().and_then(|o| o.host_process) == Some(true)
}

/// Pod and containers are judged independently, whatever the OS.
fn windows_host_process_v1_0(pod: &Pod) -> Option<Forbidden> {
    let mut bad = Offenders::default();
    let fix = || Remedy::Set("false".into());
    let pod_sc = pod.spec.security_context.as_ref();
    if pod_sc.is_some_and(|sc| host_process(&sc.windows_options)) {
        bad.pod(
            pod_sc_path().key("windowsOptions").key("hostProcess"),
            fix(),
        );
    }
    for c in containers(pod) {
        if c.sc().is_some_and(|sc| host_process(&sc.windows_options)) {
            let path = c.sc_path().key("windowsOptions").key("hostProcess");
            bad.container(&c, path, fix());
        }
    }
    if bad.is_empty() {
        return None;
    }
    let detail = format!(
        "{} must not set securityContext.windowsOptions.hostProcess=true",
        bad.setters()
    );
    Some(Forbidden::new("hostProcess", detail, bad.fields))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::checks::test_support::*;

    fn options(host_process: Option<bool>) -> Option<WindowsOptions> {
        Some(WindowsOptions { host_process })
    }

    #[test]
    fn allows_absent_and_false() {
        let mut pod = base_pod();
        pod_sc(&mut pod).windows_options = options(Some(false));
        sc(named(&mut pod, "container1")).windows_options = options(None);
        assert_eq!(message(&CHECK, 37, &pod), None);
    }

    #[test]
    fn fixture_pod() {
        let mut pod = base_pod();
        pod_sc(&mut pod).windows_options = options(Some(true));
        // A container-level false does not excuse the pod-level true.
        sc(named(&mut pod, "container1")).windows_options = options(Some(false));
        let f = run(&CHECK, 37, &pod).unwrap();
        assert_eq!(
            format!("{} ({})", f.reason, f.detail),
            "hostProcess (pod must not set securityContext.windowsOptions.hostProcess=true)"
        );
        assert_eq!(
            fields(&f),
            [r#"spec.securityContext.windowsOptions.hostProcess => Set("false")"#]
        );
    }

    #[test]
    fn pod_and_containers() {
        let mut pod = pod_with(&["d", "e", "f"]);
        pod_sc(&mut pod).windows_options = options(Some(true));
        sc(named(&mut pod, "e")).windows_options = options(Some(true));
        sc(named(&mut pod, "f")).windows_options = options(Some(true));
        assert_eq!(
            run(&CHECK, 0, &pod).unwrap().detail,
            r#"pod and containers "e", "f" must not set securityContext.windowsOptions.hostProcess=true"#
        );
    }
}
