//! End-to-end engine tests through the public API: the golden messages of pss-spec §11 for the
//! v1.37 fail fixtures (pods built by hand to mirror the fixture YAML), the pass fixtures, and
//! the version boundaries of pss-spec §2.3.

use psslint::model::level::{Level, Version};
use psslint::pss::model::{
    Capabilities, Container, ContainerPort, Handler, Pod, PodSecurityContext, Profile,
    SeLinuxOptions, SecurityContext, Volume, WindowsOptions,
};
use psslint::pss::{aggregate, check_info, evaluate, Remedy, CHECKS};

// ---------------------------------------------------------------------------------------------
// Pod builders mirroring the fixture generator (pss-spec §9.4).

fn container(name: &str) -> Container {
    Container {
        name: name.into(),
        ..Container::default()
    }
}

/// The baseline minimal pod: `initcontainer1` and `container1`, nothing else.
fn baseline_base() -> Pod {
    let mut pod = Pod::default();
    pod.spec.init_containers.push(container("initcontainer1"));
    pod.spec.containers.push(container("container1"));
    pod
}

/// The restricted minimal pod of policy version `minor` (pss-spec §9.4).
fn restricted_base(minor: u32) -> Pod {
    let mut pod = baseline_base();
    psc(&mut pod).run_as_non_root = Some(true);
    if minor >= 19 {
        psc(&mut pod).seccomp_profile = Some(profile("RuntimeDefault"));
    }
    for name in ["initcontainer1", "container1"] {
        if minor >= 8 {
            sc(&mut pod, name).allow_privilege_escalation = Some(false);
        }
        if minor >= 22 {
            caps(&mut pod, name).drop = vec!["ALL".into()];
        }
    }
    pod
}

fn base(level: Level, minor: u32) -> Pod {
    match level {
        Level::Restricted => restricted_base(minor),
        _ => baseline_base(),
    }
}

fn profile(t: &str) -> Profile {
    Profile {
        type_: Some(t.into()),
    }
}

fn psc(pod: &mut Pod) -> &mut PodSecurityContext {
    pod.spec
        .security_context
        .get_or_insert_with(Default::default)
}

fn ctr<'a>(pod: &'a mut Pod, name: &str) -> &'a mut Container {
    pod.spec
        .init_containers
        .iter_mut()
        .chain(pod.spec.containers.iter_mut())
        .find(|c| c.name == name)
        .expect("fixture container")
}

fn sc<'a>(pod: &'a mut Pod, name: &str) -> &'a mut SecurityContext {
    ctr(pod, name)
        .security_context
        .get_or_insert_with(Default::default)
}

fn caps<'a>(pod: &'a mut Pod, name: &str) -> &'a mut Capabilities {
    sc(pod, name)
        .capabilities
        .get_or_insert_with(Default::default)
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn volume(name: &str, source: &str) -> Volume {
    Volume {
        name: name.into(),
        sources: vec![source.into()],
    }
}

fn port(pod: &mut Pod, name: &str, container_port: i32, host_port: Option<i32>) {
    ctr(pod, name).ports.push(ContainerPort {
        container_port: Some(container_port),
        host_port,
    });
}

fn http(host: Option<&str>) -> Option<Handler> {
    Some(Handler {
        http_get_host: host.map(Into::into),
        tcp_socket_host: None,
    })
}

fn tcp(host: Option<&str>) -> Option<Handler> {
    Some(Handler {
        http_get_host: None,
        tcp_socket_host: host.map(Into::into),
    })
}

fn se_linux(type_: Option<&str>, user: Option<&str>, role: Option<&str>) -> SeLinuxOptions {
    SeLinuxOptions {
        user: user.map(Into::into),
        role: role.map(Into::into),
        type_: type_.map(Into::into),
        level: None,
    }
}

const BOTH: [&str; 2] = ["initcontainer1", "container1"];

/// All capabilities the `capabilities_restricted2` fixture lists in `drop` (no `ALL`).
#[rustfmt::skip]
const MANY_CAPS: &[&str] = &[
    "SYS_TIME", "SYS_MODULE", "SYS_RAWIO", "SYS_PACCT", "SYS_ADMIN", "SYS_NICE", "SYS_RESOURCE",
    "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "AUDIT_WRITE", "AUDIT_CONTROL", "MAC_OVERRIDE",
    "MAC_ADMIN", "NET_ADMIN", "SYSLOG", "CHOWN", "NET_RAW", "DAC_OVERRIDE", "FOWNER",
    "DAC_READ_SEARCH", "FSETID", "KILL", "SETGID", "SETUID", "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE", "NET_BROADCAST", "IPC_LOCK", "IPC_OWNER", "SYS_CHROOT", "SYS_PTRACE",
    "SYS_BOOT", "LEASE", "SETFCAP", "WAKE_ALARM", "BLOCK_SUSPEND",
];

#[rustfmt::skip]
const DEFAULT_CAPS: &[&str] = &[
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
];

/// The restricted volume types in fixture order (`restrictedvolumes0..18`, then hostPath).
#[rustfmt::skip]
const RESTRICTED_VOLUMES: &[&str] = &[
    "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi", "glusterfs", "rbd",
    "flexVolume", "cinder", "cephfs", "flocker", "fc", "azureFile", "vsphereVolume", "quobyte",
    "azureDisk", "portworxVolume", "scaleIO", "storageos", "hostPath",
];

/// Applies the change that turns the minimal pod into fail fixture `name` (the same change
/// works on the baseline and the restricted minimal pod).
fn make_fail_fixture(pod: &mut Pod, name: &str) {
    let annotate = |pod: &mut Pod, k: &str, v: &str| pod.annotations.push((k.into(), v.into()));
    match name {
        "allowprivilegeescalation0" => {
            sc(pod, "container1").allow_privilege_escalation = Some(true)
        }
        "allowprivilegeescalation1" => {
            sc(pod, "initcontainer1").allow_privilege_escalation = Some(true)
        }
        "allowprivilegeescalation2" => sc(pod, "container1").allow_privilege_escalation = None,
        "allowprivilegeescalation3" => ctr(pod, "container1").security_context = None,
        "apparmorprofile0" => annotate(
            pod,
            "container.apparmor.security.beta.kubernetes.io/container1",
            "unconfined",
        ),
        "apparmorprofile1" => annotate(
            pod,
            "container.apparmor.security.beta.kubernetes.io/initcontainer1",
            "unconfined",
        ),
        "capabilities_baseline0" => caps(pod, "container1").add = strings(&["NET_RAW"]),
        "capabilities_baseline1" => caps(pod, "initcontainer1").add = strings(&["NET_RAW"]),
        "capabilities_baseline2" => caps(pod, "container1").add = strings(&["chown"]),
        "capabilities_baseline3" => caps(pod, "container1").add = strings(&["CAP_CHOWN"]),
        "capabilities_restricted0" => *caps(pod, "container1") = Capabilities::default(),
        "capabilities_restricted1" => *caps(pod, "initcontainer1") = Capabilities::default(),
        "capabilities_restricted2" => {
            for c in BOTH {
                caps(pod, c).drop = strings(MANY_CAPS);
            }
        }
        "capabilities_restricted3" => {
            for c in BOTH {
                caps(pod, c).add = strings(DEFAULT_CAPS);
            }
        }
        "hostnamespaces0" => pod.spec.host_ipc = Some(true),
        "hostnamespaces1" => pod.spec.host_network = Some(true),
        "hostnamespaces2" => pod.spec.host_pid = Some(true),
        "hostpathvolumes0" => {
            pod.spec.volumes.push(volume("volume-emptydir", "emptyDir"));
            pod.spec.volumes.push(volume("volume-hostpath", "hostPath"));
        }
        "hostpathvolumes1" => {
            pod.spec
                .volumes
                .push(volume("volume-hostpath-a", "hostPath"));
            pod.spec
                .volumes
                .push(volume("volume-hostpath-b", "hostPath"));
        }
        "hostports0" => port(pod, "container1", 12345, Some(12345)),
        "hostports1" => port(pod, "initcontainer1", 12346, Some(12346)),
        "hostports2" => {
            port(pod, "container1", 12345, Some(12345));
            port(pod, "container1", 12347, None);
            port(pod, "initcontainer1", 12346, Some(12346));
            port(pod, "initcontainer1", 12348, None);
        }
        "hostprobesandhostlifecycle0" => {
            ctr(pod, "container1").liveness_probe = http(Some("bad.host"))
        }
        "hostprobesandhostlifecycle1" => {
            ctr(pod, "initcontainer1").readiness_probe = tcp(Some("8.8.8.8"))
        }
        "hostprobesandhostlifecycle2" => ctr(pod, "container1").post_start = http(Some("bad.host")),
        "hostprobesandhostlifecycle3" => {
            ctr(pod, "container1").liveness_probe = http(Some("127.0.0.1"))
        }
        "hostprobesandhostlifecycle4" => ctr(pod, "container1").readiness_probe = tcp(Some("::1")),
        "privileged0" | "privileged1" => {
            let c = if name == "privileged0" {
                "container1"
            } else {
                "initcontainer1"
            };
            sc(pod, c).privileged = Some(true);
            sc(pod, c).allow_privilege_escalation = None;
        }
        "procmount0" | "procmount1" | "procmount_restricted0" | "procmount_restricted1" => {
            let c = if name.ends_with('0') {
                "container1"
            } else {
                "initcontainer1"
            };
            pod.spec.host_users = Some(!name.starts_with("procmount_restricted"));
            sc(pod, c).proc_mount = Some("Unmasked".into());
        }
        "runasnonroot0" => psc(pod).run_as_non_root = None,
        "runasnonroot1" => psc(pod).run_as_non_root = Some(false),
        "runasnonroot2" => sc(pod, "container1").run_as_non_root = Some(false),
        "runasnonroot3" => sc(pod, "initcontainer1").run_as_non_root = Some(false),
        "runasuser0" => psc(pod).run_as_user = Some(0),
        "runasuser1" => sc(pod, "container1").run_as_user = Some(0),
        "runasuser2" => sc(pod, "initcontainer1").run_as_user = Some(0),
        "seccompprofile_baseline0" | "seccompprofile_restricted1" => {
            psc(pod).seccomp_profile = Some(profile("Unconfined"))
        }
        "seccompprofile_baseline1" => {
            sc(pod, "container1").seccomp_profile = Some(profile("Unconfined"))
        }
        "seccompprofile_baseline2" => {
            sc(pod, "initcontainer1").seccomp_profile = Some(profile("Unconfined"))
        }
        "seccompprofile_restricted0" => psc(pod).seccomp_profile = None,
        "seccompprofile_restricted2" => {
            psc(pod).seccomp_profile = None;
            sc(pod, "container1").seccomp_profile = Some(profile("RuntimeDefault"));
        }
        "seccompprofile_restricted3" => {
            psc(pod).seccomp_profile = None;
            sc(pod, "initcontainer1").seccomp_profile = Some(profile("RuntimeDefault"));
        }
        "seccompprofile_restricted4" => {
            psc(pod).seccomp_profile = None;
            sc(pod, "container1").seccomp_profile = Some(profile("RuntimeDefault"));
            sc(pod, "initcontainer1").seccomp_profile = Some(profile("Unconfined"));
        }
        "selinuxoptions0" | "selinuxoptions1" | "selinuxoptions2" | "selinuxoptions3"
        | "selinuxoptions4" => {
            psc(pod).se_linux_options = Some(SeLinuxOptions::default());
            for c in BOTH {
                sc(pod, c).se_linux_options = Some(SeLinuxOptions::default());
            }
            let bad_type = se_linux(Some("somevalue"), None, None);
            match name {
                "selinuxoptions0" => psc(pod).se_linux_options = Some(bad_type),
                "selinuxoptions1" => sc(pod, "container1").se_linux_options = Some(bad_type),
                "selinuxoptions2" => sc(pod, "initcontainer1").se_linux_options = Some(bad_type),
                "selinuxoptions3" => {
                    psc(pod).se_linux_options = Some(se_linux(None, Some("somevalue"), None))
                }
                _ => psc(pod).se_linux_options = Some(se_linux(None, None, Some("somevalue"))),
            }
        }
        "sysctls0" => psc(pod).sysctls = strings(&["othersysctl"]),
        "windowshostprocess0" | "windowshostprocess1" => {
            pod.spec.host_network = Some(true);
            let on = name == "windowshostprocess1";
            for c in BOTH {
                sc(pod, c).windows_options = Some(WindowsOptions {
                    host_process: on.then_some(true),
                });
            }
            psc(pod).windows_options = Some(WindowsOptions {
                host_process: (!on).then_some(true),
            });
        }
        _ => match name.strip_prefix("restrictedvolumes") {
            Some(n) => {
                let i: usize = n.parse().expect("fixture index");
                pod.spec
                    .volumes
                    .push(volume("volume1", RESTRICTED_VOLUMES[i]));
            }
            None => panic!("unknown fixture {name}"),
        },
    }
}

fn fail_fixture(level: Level, minor: u32, name: &str) -> String {
    let mut pod = base(level, minor);
    make_fail_fixture(&mut pod, name);
    aggregate(&evaluate(&pod, level, minor))
}

/// Asserts every golden `fixture → message` line (pss-spec §11 format).
fn assert_goldens(level: Level, minor: u32, goldens: &str) {
    let mut count = 0;
    for line in goldens.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (name, expected) = line.split_once(" → ").expect("golden line");
        assert_eq!(
            fail_fixture(level, minor, name),
            expected,
            "{level} v1.{minor} {name}"
        );
        count += 1;
    }
    assert!(count > 0);
}

// ---------------------------------------------------------------------------------------------
// pss-spec §11 golden messages.

const BASELINE_V1_37: &str = r#"
apparmorprofile0 → forbidden AppArmor profile (annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/container1="unconfined"")
apparmorprofile1 → forbidden AppArmor profile (annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/initcontainer1="unconfined"")
capabilities_baseline0 → non-default capabilities (container "container1" must not include "NET_RAW" in securityContext.capabilities.add)
capabilities_baseline1 → non-default capabilities (container "initcontainer1" must not include "NET_RAW" in securityContext.capabilities.add)
capabilities_baseline2 → non-default capabilities (container "container1" must not include "chown" in securityContext.capabilities.add)
capabilities_baseline3 → non-default capabilities (container "container1" must not include "CAP_CHOWN" in securityContext.capabilities.add)
hostnamespaces0 → host namespaces (hostIPC=true)
hostnamespaces1 → host namespaces (hostNetwork=true)
hostnamespaces2 → host namespaces (hostPID=true)
hostpathvolumes0 → hostPath volumes (volume "volume-hostpath")
hostpathvolumes1 → hostPath volumes (volumes "volume-hostpath-a", "volume-hostpath-b")
hostports0 → hostPort (container "container1" uses hostPort 12345)
hostports1 → hostPort (container "initcontainer1" uses hostPort 12346)
hostports2 → hostPort (containers "initcontainer1", "container1" use hostPorts 12345, 12346)
hostprobesandhostlifecycle0 → probe or lifecycle host (container "container1" uses probe or lifecycle host "bad.host")
hostprobesandhostlifecycle1 → probe or lifecycle host (container "initcontainer1" uses probe or lifecycle host "8.8.8.8")
hostprobesandhostlifecycle2 → probe or lifecycle host (container "container1" uses probe or lifecycle host "bad.host")
hostprobesandhostlifecycle3 → probe or lifecycle host (container "container1" uses probe or lifecycle host "127.0.0.1")
hostprobesandhostlifecycle4 → probe or lifecycle host (container "container1" uses probe or lifecycle host "::1")
privileged0 → privileged (container "container1" must not set securityContext.privileged=true)
privileged1 → privileged (container "initcontainer1" must not set securityContext.privileged=true)
procmount0 → procMount (container "container1" must not set securityContext.procMount to "Unmasked")
procmount1 → procMount (container "initcontainer1" must not set securityContext.procMount to "Unmasked")
seccompprofile_baseline0 → seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")
seccompprofile_baseline1 → seccompProfile (container "container1" must not set securityContext.seccompProfile.type to "Unconfined")
seccompprofile_baseline2 → seccompProfile (container "initcontainer1" must not set securityContext.seccompProfile.type to "Unconfined")
selinuxoptions0 → seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type "somevalue")
selinuxoptions1 → seLinuxOptions (container "container1" set forbidden securityContext.seLinuxOptions: type "somevalue")
selinuxoptions2 → seLinuxOptions (container "initcontainer1" set forbidden securityContext.seLinuxOptions: type "somevalue")
selinuxoptions3 → seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: user may not be set)
selinuxoptions4 → seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: role may not be set)
sysctls0 → forbidden sysctls (othersysctl)
windowshostprocess0 → host namespaces (hostNetwork=true), hostProcess (pod must not set securityContext.windowsOptions.hostProcess=true)
windowshostprocess1 → host namespaces (hostNetwork=true), hostProcess (containers "initcontainer1", "container1" must not set securityContext.windowsOptions.hostProcess=true)
"#;

const RESTRICTED_V1_37: &str = r#"
allowprivilegeescalation0 → allowPrivilegeEscalation != false (container "container1" must set securityContext.allowPrivilegeEscalation=false)
allowprivilegeescalation1 → allowPrivilegeEscalation != false (container "initcontainer1" must set securityContext.allowPrivilegeEscalation=false)
allowprivilegeescalation2 → allowPrivilegeEscalation != false (container "container1" must set securityContext.allowPrivilegeEscalation=false)
allowprivilegeescalation3 → allowPrivilegeEscalation != false (container "container1" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "container1" must set securityContext.capabilities.drop=["ALL"])
apparmorprofile0 → forbidden AppArmor profile (annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/container1="unconfined"")
apparmorprofile1 → forbidden AppArmor profile (annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/initcontainer1="unconfined"")
capabilities_baseline0 → unrestricted capabilities (container "container1" must not include "NET_RAW" in securityContext.capabilities.add)
capabilities_baseline1 → unrestricted capabilities (container "initcontainer1" must not include "NET_RAW" in securityContext.capabilities.add)
capabilities_baseline2 → unrestricted capabilities (container "container1" must not include "chown" in securityContext.capabilities.add)
capabilities_baseline3 → unrestricted capabilities (container "container1" must not include "CAP_CHOWN" in securityContext.capabilities.add)
capabilities_restricted0 → unrestricted capabilities (container "container1" must set securityContext.capabilities.drop=["ALL"])
capabilities_restricted1 → unrestricted capabilities (container "initcontainer1" must set securityContext.capabilities.drop=["ALL"])
capabilities_restricted2 → unrestricted capabilities (containers "initcontainer1", "container1" must set securityContext.capabilities.drop=["ALL"])
capabilities_restricted3 → unrestricted capabilities (containers "initcontainer1", "container1" must not include "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT" in securityContext.capabilities.add)
hostnamespaces0 → host namespaces (hostIPC=true)
hostnamespaces1 → host namespaces (hostNetwork=true)
hostnamespaces2 → host namespaces (hostPID=true)
hostpathvolumes0 → restricted volume types (volume "volume-hostpath" uses restricted volume type "hostPath")
hostpathvolumes1 → restricted volume types (volumes "volume-hostpath-a", "volume-hostpath-b" use restricted volume type "hostPath")
hostports0 → hostPort (container "container1" uses hostPort 12345)
hostports1 → hostPort (container "initcontainer1" uses hostPort 12346)
hostports2 → hostPort (containers "initcontainer1", "container1" use hostPorts 12345, 12346)
hostprobesandhostlifecycle0 → probe or lifecycle host (container "container1" uses probe or lifecycle host "bad.host")
hostprobesandhostlifecycle1 → probe or lifecycle host (container "initcontainer1" uses probe or lifecycle host "8.8.8.8")
hostprobesandhostlifecycle2 → probe or lifecycle host (container "container1" uses probe or lifecycle host "bad.host")
hostprobesandhostlifecycle3 → probe or lifecycle host (container "container1" uses probe or lifecycle host "127.0.0.1")
hostprobesandhostlifecycle4 → probe or lifecycle host (container "container1" uses probe or lifecycle host "::1")
privileged0 → privileged (container "container1" must not set securityContext.privileged=true), allowPrivilegeEscalation != false (container "container1" must set securityContext.allowPrivilegeEscalation=false)
privileged1 → privileged (container "initcontainer1" must not set securityContext.privileged=true), allowPrivilegeEscalation != false (container "initcontainer1" must set securityContext.allowPrivilegeEscalation=false)
procmount0 → procMount (container "container1" must not set securityContext.procMount to "Unmasked")
procmount1 → procMount (container "initcontainer1" must not set securityContext.procMount to "Unmasked")
procmount_restricted0 → procMount (container "container1" must not set securityContext.procMount to "Unmasked")
procmount_restricted1 → procMount (container "initcontainer1" must not set securityContext.procMount to "Unmasked")
restrictedvolumes0 → restricted volume types (volume "volume1" uses restricted volume type "gcePersistentDisk")
restrictedvolumes1 → restricted volume types (volume "volume1" uses restricted volume type "awsElasticBlockStore")
restrictedvolumes2 → restricted volume types (volume "volume1" uses restricted volume type "gitRepo")
restrictedvolumes3 → restricted volume types (volume "volume1" uses restricted volume type "nfs")
restrictedvolumes4 → restricted volume types (volume "volume1" uses restricted volume type "iscsi")
restrictedvolumes5 → restricted volume types (volume "volume1" uses restricted volume type "glusterfs")
restrictedvolumes6 → restricted volume types (volume "volume1" uses restricted volume type "rbd")
restrictedvolumes7 → restricted volume types (volume "volume1" uses restricted volume type "flexVolume")
restrictedvolumes8 → restricted volume types (volume "volume1" uses restricted volume type "cinder")
restrictedvolumes9 → restricted volume types (volume "volume1" uses restricted volume type "cephfs")
restrictedvolumes10 → restricted volume types (volume "volume1" uses restricted volume type "flocker")
restrictedvolumes11 → restricted volume types (volume "volume1" uses restricted volume type "fc")
restrictedvolumes12 → restricted volume types (volume "volume1" uses restricted volume type "azureFile")
restrictedvolumes13 → restricted volume types (volume "volume1" uses restricted volume type "vsphereVolume")
restrictedvolumes14 → restricted volume types (volume "volume1" uses restricted volume type "quobyte")
restrictedvolumes15 → restricted volume types (volume "volume1" uses restricted volume type "azureDisk")
restrictedvolumes16 → restricted volume types (volume "volume1" uses restricted volume type "portworxVolume")
restrictedvolumes17 → restricted volume types (volume "volume1" uses restricted volume type "scaleIO")
restrictedvolumes18 → restricted volume types (volume "volume1" uses restricted volume type "storageos")
restrictedvolumes19 → restricted volume types (volume "volume1" uses restricted volume type "hostPath")
runasnonroot0 → runAsNonRoot != true (pod or containers "initcontainer1", "container1" must set securityContext.runAsNonRoot=true)
runasnonroot1 → runAsNonRoot != true (pod must not set securityContext.runAsNonRoot=false)
runasnonroot2 → runAsNonRoot != true (container "container1" must not set securityContext.runAsNonRoot=false)
runasnonroot3 → runAsNonRoot != true (container "initcontainer1" must not set securityContext.runAsNonRoot=false)
runasuser0 → runAsUser=0 (pod must not set runAsUser=0)
runasuser1 → runAsUser=0 (container "container1" must not set runAsUser=0)
runasuser2 → runAsUser=0 (container "initcontainer1" must not set runAsUser=0)
seccompprofile_baseline0 → seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")
seccompprofile_baseline1 → seccompProfile (container "container1" must not set securityContext.seccompProfile.type to "Unconfined")
seccompprofile_baseline2 → seccompProfile (container "initcontainer1" must not set securityContext.seccompProfile.type to "Unconfined")
seccompprofile_restricted0 → seccompProfile (pod or containers "initcontainer1", "container1" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")
seccompprofile_restricted1 → seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")
seccompprofile_restricted2 → seccompProfile (pod or container "initcontainer1" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")
seccompprofile_restricted3 → seccompProfile (pod or container "container1" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")
seccompprofile_restricted4 → seccompProfile (container "initcontainer1" must not set securityContext.seccompProfile.type to "Unconfined")
selinuxoptions0 → seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type "somevalue")
selinuxoptions1 → seLinuxOptions (container "container1" set forbidden securityContext.seLinuxOptions: type "somevalue")
selinuxoptions2 → seLinuxOptions (container "initcontainer1" set forbidden securityContext.seLinuxOptions: type "somevalue")
selinuxoptions3 → seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: user may not be set)
selinuxoptions4 → seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: role may not be set)
sysctls0 → forbidden sysctls (othersysctl)
windowshostprocess0 → host namespaces (hostNetwork=true), hostProcess (pod must not set securityContext.windowsOptions.hostProcess=true)
windowshostprocess1 → host namespaces (hostNetwork=true), hostProcess (containers "initcontainer1", "container1" must not set securityContext.windowsOptions.hostProcess=true)
"#;

#[test]
fn golden_baseline_v1_37() {
    assert_goldens(Level::Baseline, 37, BASELINE_V1_37);
    assert_eq!(BASELINE_V1_37.trim().lines().count(), 34);
}

#[test]
fn golden_restricted_v1_37() {
    assert_goldens(Level::Restricted, 37, RESTRICTED_V1_37);
    assert_eq!(RESTRICTED_V1_37.trim().lines().count(), 76);
}

#[test]
fn latest_evaluates_as_v1_37() {
    let minor = Version::Latest.effective_minor(None);
    assert_goldens(Level::Restricted, minor, RESTRICTED_V1_37);
}

/// pss-spec §11 "older versions, for contrast".
#[test]
fn golden_older_versions() {
    assert_eq!(
        fail_fixture(Level::Restricted, 0, "privileged0"),
        r#"privileged (container "container1" must not set securityContext.privileged=true)"#
    );
    let mut pod = restricted_base(18);
    pod.annotations.push((
        "seccomp.security.alpha.kubernetes.io/pod".into(),
        "unconfined".into(),
    ));
    assert_eq!(
        aggregate(&evaluate(&pod, Level::Restricted, 18)),
        r#"seccompProfile (forbidden annotation seccomp.security.alpha.kubernetes.io/pod="unconfined")"#
    );
    assert_eq!(
        fail_fixture(Level::Restricted, 21, "capabilities_baseline0"),
        r#"non-default capabilities (container "container1" must not include "NET_RAW" in securityContext.capabilities.add)"#
    );
}

// ---------------------------------------------------------------------------------------------
// Pass fixtures: each must pass its whole level (pss-spec §9.1).

#[test]
fn minimal_pods_pass_at_every_version() {
    for minor in 0..=37 {
        assert!(evaluate(&baseline_base(), Level::Baseline, minor).is_empty());
        let pod = restricted_base(minor);
        assert_eq!(
            aggregate(&evaluate(&pod, Level::Restricted, minor)),
            "",
            "v1.{minor}"
        );
    }
}

#[test]
fn pass_fixtures_v1_37() {
    let mut cases: Vec<(&str, Pod)> = Vec::new();
    for level in [Level::Baseline, Level::Restricted] {
        let mut pod = base(level, 37);
        pod.annotations.push((
            "container.apparmor.security.beta.kubernetes.io/container1".into(),
            "localhost/foo".into(),
        ));
        cases.push(("apparmorprofile0", pod));

        let mut pod = base(level, 37);
        port(&mut pod, "container1", 12345, None);
        port(&mut pod, "initcontainer1", 12346, None);
        cases.push(("hostports0", pod));

        let mut pod = base(level, 37);
        ctr(&mut pod, "container1").liveness_probe = http(None);
        cases.push(("hostprobesandhostlifecycle1", pod));

        let mut pod = base(level, 37);
        ctr(&mut pod, "container1").readiness_probe = tcp(None);
        cases.push(("hostprobesandhostlifecycle2", pod));

        let mut pod = base(level, 37);
        for c in BOTH {
            sc(&mut pod, c).privileged = Some(false);
        }
        cases.push(("privileged0", pod));

        let mut pod = base(level, 37);
        pod.spec.host_users = Some(false);
        for c in BOTH {
            sc(&mut pod, c).proc_mount = Some("Default".into());
        }
        cases.push(("procmount0", pod));

        let mut pod = base(level, 37);
        sc(&mut pod, "container1").se_linux_options = Some(SeLinuxOptions::default());
        cases.push(("selinuxoptions0", pod));

        let mut pod = base(level, 37);
        psc(&mut pod).se_linux_options = Some(se_linux(Some("container_t"), None, None));
        sc(&mut pod, "container1").se_linux_options =
            Some(se_linux(Some("container_kvm_t"), None, None));
        let mut init = se_linux(Some("container_init_t"), None, None);
        init.level = Some("somevalue".into());
        sc(&mut pod, "initcontainer1").se_linux_options = Some(init);
        cases.push(("selinuxoptions1", pod));

        let mut pod = base(level, 37);
        psc(&mut pod).sysctls = strings(&[
            "net.ipv4.tcp_slow_start_after_idle",
            "net.ipv4.tcp_notsent_lowat",
        ]);
        cases.push(("sysctls1", pod));

        for (name, pod) in cases.drain(..) {
            assert_eq!(aggregate(&evaluate(&pod, level, 37)), "", "{level} {name}");
        }
    }

    // Baseline only.
    let mut pod = baseline_base();
    caps(&mut pod, "container1").add = strings(DEFAULT_CAPS);
    cases.push(("capabilities_baseline0", pod));
    let mut pod = baseline_base();
    pod.spec.host_users = Some(false);
    for c in BOTH {
        sc(&mut pod, c).proc_mount = Some("Unmasked".into());
    }
    cases.push(("procmount1", pod));
    let mut pod = baseline_base();
    psc(&mut pod).seccomp_profile = Some(profile("RuntimeDefault"));
    cases.push(("seccompprofile_baseline0", pod));
    for (name, pod) in cases.drain(..) {
        assert_eq!(
            aggregate(&evaluate(&pod, Level::Baseline, 37)),
            "",
            "{name}"
        );
    }

    // Restricted only.
    let mut pod = restricted_base(37);
    pod.spec.os_name = Some("linux".into());
    cases.push(("base_linux", pod));
    let mut pod = restricted_base(0);
    pod.spec.os_name = Some("windows".into());
    cases.push(("base_windows", pod));
    let mut pod = restricted_base(37);
    for c in BOTH {
        caps(&mut pod, c).add = strings(&["NET_BIND_SERVICE"]);
    }
    cases.push(("capabilities_restricted0", pod));
    let mut pod = restricted_base(37);
    pod.spec.volumes = vec![
        volume("volume0", "emptyDir"), // source-less, defaulted to emptyDir (pss-spec §7.1)
        volume("volume1", "emptyDir"),
        volume("volume2", "secret"),
        volume("volume3", "persistentVolumeClaim"),
        volume("volume4", "downwardAPI"),
        volume("volume5", "configMap"),
        volume("volume6", "projected"),
    ];
    cases.push(("restrictedvolumes0", pod));
    let mut pod = restricted_base(37);
    psc(&mut pod).run_as_non_root = None;
    for c in BOTH {
        sc(&mut pod, c).run_as_non_root = Some(true);
    }
    cases.push(("runasnonroot1", pod));
    let mut pod = restricted_base(37);
    psc(&mut pod).run_as_user = Some(1000);
    for c in BOTH {
        sc(&mut pod, c).run_as_user = Some(1000);
    }
    cases.push(("runasuser0", pod));
    let mut pod = restricted_base(37);
    psc(&mut pod).seccomp_profile = Some(profile("Localhost"));
    cases.push(("seccompprofile_restricted1", pod));
    let mut pod = restricted_base(37);
    psc(&mut pod).seccomp_profile = None;
    sc(&mut pod, "container1").seccomp_profile = Some(profile("RuntimeDefault"));
    sc(&mut pod, "initcontainer1").seccomp_profile = Some(profile("Localhost"));
    cases.push(("seccompprofile_restricted2", pod));
    for (name, pod) in cases.drain(..) {
        assert_eq!(
            aggregate(&evaluate(&pod, Level::Restricted, 37)),
            "",
            "{name}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Version boundaries and overrides (pss-spec §2.3, §3.21).

fn restricted_reasons(pod: &Pod, minor: u32) -> Vec<&'static str> {
    evaluate(pod, Level::Restricted, minor)
        .into_iter()
        .map(|v| v.check)
        .collect()
}

#[test]
fn allow_privilege_escalation_starts_at_v1_8() {
    let pod = baseline_base();
    assert!(!restricted_reasons(&pod, 7).contains(&"allowPrivilegeEscalation"));
    assert!(restricted_reasons(&pod, 8).contains(&"allowPrivilegeEscalation"));
}

#[test]
fn seccomp_switches_from_annotations_to_fields_at_v1_19() {
    let mut pod = baseline_base();
    psc(&mut pod).seccomp_profile = Some(profile("Unconfined"));
    assert!(evaluate(&pod, Level::Baseline, 18).is_empty());
    assert_eq!(
        aggregate(&evaluate(&pod, Level::Baseline, 19)),
        r#"seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")"#
    );
    // In restricted, the baseline check runs up to v1.18 and is replaced from v1.19.
    let mut pod = restricted_base(18);
    pod.annotations.push((
        "container.seccomp.security.alpha.kubernetes.io/container1".into(),
        "unconfined".into(),
    ));
    assert_eq!(restricted_reasons(&pod, 18), ["seccompProfile_baseline"]);
    assert_eq!(restricted_reasons(&pod, 19), ["seccompProfile_restricted"]);
}

#[test]
fn capabilities_override_at_v1_22() {
    let mut pod = restricted_base(21);
    caps(&mut pod, "container1").add = strings(&["NET_RAW"]);
    assert_eq!(restricted_reasons(&pod, 21), ["capabilities_baseline"]);
    assert_eq!(restricted_reasons(&pod, 22), ["capabilities_restricted"]);
    assert_eq!(
        aggregate(&evaluate(&pod, Level::Restricted, 22)),
        r#"unrestricted capabilities (containers "initcontainer1", "container1" must set securityContext.capabilities.drop=["ALL"]; container "container1" must not include "NET_RAW" in securityContext.capabilities.add)"#
    );
    // The baseline level keeps its own check.
    assert_eq!(
        evaluate(&pod, Level::Baseline, 37)[0].check,
        "capabilities_baseline"
    );
}

#[test]
fn run_as_user_starts_at_v1_23() {
    let mut pod = restricted_base(37);
    psc(&mut pod).run_as_user = Some(0);
    assert!(restricted_reasons(&pod, 22).is_empty());
    assert_eq!(restricted_reasons(&pod, 23), ["runAsUser"]);
}

#[test]
fn windows_exemptions_start_at_v1_25() {
    let mut pod = baseline_base();
    pod.spec.os_name = Some("windows".into());
    assert_eq!(
        restricted_reasons(&pod, 24),
        [
            "allowPrivilegeEscalation",
            "capabilities_restricted",
            "runAsNonRoot",
            "seccompProfile_restricted"
        ]
    );
    // runAsNonRoot is never relaxed for Windows (pss-spec §3.21).
    assert_eq!(restricted_reasons(&pod, 25), ["runAsNonRoot"]);
}

#[test]
fn container_engine_t_allowed_from_v1_31() {
    let mut pod = baseline_base();
    sc(&mut pod, "container1").se_linux_options =
        Some(se_linux(Some("container_engine_t"), None, None));
    assert_eq!(evaluate(&pod, Level::Baseline, 30).len(), 1);
    assert!(evaluate(&pod, Level::Baseline, 31).is_empty());
}

#[test]
fn probe_hosts_checked_from_v1_34() {
    let mut pod = baseline_base();
    ctr(&mut pod, "container1").liveness_probe = http(Some("bad.host"));
    assert!(evaluate(&pod, Level::Baseline, 33).is_empty());
    assert_eq!(
        evaluate(&pod, Level::Baseline, 34)[0].check,
        "hostProbesAndHostLifecycle"
    );
}

#[test]
fn user_namespace_relaxations_and_proc_mount_override_at_v1_35() {
    let mut pod = baseline_base();
    pod.spec.host_users = Some(false);
    sc(&mut pod, "container1").proc_mount = Some("Unmasked".into());
    sc(&mut pod, "container1").run_as_user = Some(0);
    assert_eq!(
        restricted_reasons(&pod, 34),
        [
            "procMount",
            "allowPrivilegeEscalation",
            "capabilities_restricted",
            "runAsNonRoot",
            "runAsUser",
            "seccompProfile_restricted"
        ]
    );
    // procMount moves to the restricted block; runAsNonRoot and runAsUser are relaxed.
    assert_eq!(
        restricted_reasons(&pod, 35),
        [
            "allowPrivilegeEscalation",
            "capabilities_restricted",
            "procMount_restricted",
            "seccompProfile_restricted"
        ]
    );
    assert_eq!(evaluate(&pod, Level::Baseline, 34)[0].check, "procMount");
    assert!(evaluate(&pod, Level::Baseline, 35).is_empty());
}

#[test]
fn sysctls_allow_list_grows_at_v1_37() {
    let mut pod = baseline_base();
    psc(&mut pod).sysctls = strings(&["net.ipv4.tcp_notsent_lowat"]);
    assert_eq!(
        aggregate(&evaluate(&pod, Level::Baseline, 36)),
        "forbidden sysctls (net.ipv4.tcp_notsent_lowat)"
    );
    assert!(evaluate(&pod, Level::Baseline, 37).is_empty());
}

#[test]
fn host_path_always_reported_by_restricted_volumes() {
    for minor in [0, 18, 37] {
        let mut pod = restricted_base(minor);
        pod.spec.volumes.push(volume("v", "hostPath"));
        assert_eq!(restricted_reasons(&pod, minor), ["restrictedVolumes"]);
        assert_eq!(
            evaluate(&pod, Level::Baseline, minor)[0].check,
            "hostPathVolumes"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Field references.

#[test]
fn violations_carry_field_paths_and_remedies() {
    let mut pod = baseline_base();
    pod.spec.ephemeral_containers.push(container("debug"));
    pod.spec.host_network = Some(true);
    sc(&mut pod, "container1").privileged = Some(true);
    pod.spec.volumes.push(volume("a", "emptyDir"));
    pod.spec.volumes.push(volume("b", "hostPath"));
    let violations = evaluate(&pod, Level::Restricted, 37);
    let rendered: Vec<String> = violations
        .iter()
        .flat_map(|v| {
            v.fields.iter().map(move |f| {
                format!(
                    "{} {} {} {:?}",
                    v.check,
                    f.path,
                    f.container.as_deref().unwrap_or("-"),
                    f.remedy
                )
            })
        })
        .collect();
    assert_eq!(
        rendered,
        [
            r#"hostNamespaces spec.hostNetwork - Set("false")"#,
            r#"privileged spec.containers[0].securityContext.privileged container1 Set("false")"#,
            r#"allowPrivilegeEscalation spec.initContainers[0].securityContext.allowPrivilegeEscalation initcontainer1 Set("false")"#,
            r#"allowPrivilegeEscalation spec.containers[0].securityContext.allowPrivilegeEscalation container1 Set("false")"#,
            r#"allowPrivilegeEscalation spec.ephemeralContainers[0].securityContext.allowPrivilegeEscalation debug Set("false")"#,
            r#"capabilities_restricted spec.initContainers[0].securityContext.capabilities.drop initcontainer1 AddItem("ALL")"#,
            r#"capabilities_restricted spec.containers[0].securityContext.capabilities.drop container1 AddItem("ALL")"#,
            r#"capabilities_restricted spec.ephemeralContainers[0].securityContext.capabilities.drop debug AddItem("ALL")"#,
            r#"restrictedVolumes spec.volumes[1].hostPath - Remove"#,
            r#"runAsNonRoot spec.initContainers[0].securityContext.runAsNonRoot initcontainer1 Set("true")"#,
            r#"runAsNonRoot spec.containers[0].securityContext.runAsNonRoot container1 Set("true")"#,
            r#"runAsNonRoot spec.ephemeralContainers[0].securityContext.runAsNonRoot debug Set("true")"#,
            r#"seccompProfile_restricted spec.initContainers[0].securityContext.seccompProfile.type initcontainer1 Set("RuntimeDefault")"#,
            r#"seccompProfile_restricted spec.containers[0].securityContext.seccompProfile.type container1 Set("RuntimeDefault")"#,
            r#"seccompProfile_restricted spec.ephemeralContainers[0].securityContext.seccompProfile.type debug Set("RuntimeDefault")"#,
        ]
    );
    assert!(violations.iter().all(|v| !v.fields.is_empty()));
    assert!(matches!(violations[0].fields[0].remedy, Remedy::Set(_)));
}

#[test]
fn public_check_metadata() {
    assert_eq!(CHECKS.len(), 19);
    let info = check_info("seccompProfile_restricted").expect("known check");
    assert_eq!((info.level, info.since_minor), (Level::Restricted, 19));
}
