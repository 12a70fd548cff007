//! Pod builders and helpers for the check unit tests.

use super::{Check, Forbidden};
use crate::pss::model::{Container, Pod, PodSecurityContext, SecurityContext};

/// The baseline fixture pod: `initcontainer1` and `container1`, no security context.
pub fn base_pod() -> Pod {
    let mut pod = Pod::default();
    pod.spec.init_containers.push(container("initcontainer1"));
    pod.spec.containers.push(container("container1"));
    pod
}

/// The restricted v1.22+ fixture pod: pod `runAsNonRoot: true` + `seccompProfile:
/// RuntimeDefault`; both containers `allowPrivilegeEscalation: false`, `drop: [ALL]`.
pub fn restricted_pod() -> Pod {
    let mut pod = base_pod();
    let psc = pod_sc(&mut pod);
    psc.run_as_non_root = Some(true);
    psc.seccomp_profile = Some(profile("RuntimeDefault"));
    for c in [
        &mut pod.spec.init_containers[0],
        &mut pod.spec.containers[0],
    ] {
        let sc = sc(c);
        sc.allow_privilege_escalation = Some(false);
        sc.capabilities = Some(crate::pss::model::Capabilities {
            add: vec![],
            drop: vec!["ALL".into()],
        });
    }
    pod
}

/// A pod whose regular containers are named `names` (no init containers).
pub fn pod_with(names: &[&str]) -> Pod {
    let mut pod = Pod::default();
    pod.spec.containers = names.iter().map(|n| container(n)).collect();
    pod
}

pub fn container(name: &str) -> Container {
    Container {
        name: name.into(),
        ..Container::default()
    }
}

/// The container's security context, created if absent.
pub fn sc(c: &mut Container) -> &mut SecurityContext {
    c.security_context.get_or_insert_with(Default::default)
}

/// The pod's security context, created if absent.
pub fn pod_sc(pod: &mut Pod) -> &mut PodSecurityContext {
    pod.spec
        .security_context
        .get_or_insert_with(Default::default)
}

/// The regular container named `name`.
pub fn named<'a>(pod: &'a mut Pod, name: &str) -> &'a mut Container {
    pod.spec
        .init_containers
        .iter_mut()
        .chain(pod.spec.containers.iter_mut())
        .chain(pod.spec.ephemeral_containers.iter_mut())
        .find(|c| c.name == name)
        .expect("test container exists")
}

pub fn profile(t: &str) -> crate::pss::model::Profile {
    crate::pss::model::Profile {
        type_: Some(t.into()),
    }
}

/// Runs the revision of `check` active at `minor`; `None` if the check is not active or passes.
pub fn run(check: &Check, minor: u32, pod: &Pod) -> Option<Forbidden> {
    let rev = check
        .revisions
        .iter()
        .rev()
        .find(|r| r.since_minor <= minor)?;
    (rev.eval)(pod)
}

/// `reason (detail)` of the revision active at `minor`, or `None` when allowed.
pub fn message(check: &Check, minor: u32, pod: &Pod) -> Option<String> {
    run(check, minor, pod).map(|f| format!("{} ({})", f.reason, f.detail))
}

/// The fields of a failure as `path => remedy` strings, for compact assertions.
pub fn fields(f: &Forbidden) -> Vec<String> {
    f.fields
        .iter()
        .map(|r| format!("{} => {:?}", r.path, r.remedy))
        .collect()
}
