//! A pod template → the engine's [`Pod`]: how the API server decodes the fields Pod Security
//! reads (pss-spec §8.3: no string coercion, integral floats accepted as integers), and the
//! defaulting that changes verdicts (§7.1).
//!
//! Extraction is tolerant: a field with the wrong type is reported as a [`TypeProblem`] (the API
//! server would reject the whole object, so the run fails) and treated as absent, so the rest of
//! the pod is still checked.

use crate::manifest::{Mapping, Node, Value};
use crate::model::field::FieldPath;
use crate::model::source::{excerpt, Span};
use crate::pss::checks::restricted_volumes::{
    ALLOWED as ALLOWED_VOLUMES, RESTRICTED as RESTRICTED_VOLUMES,
};
use crate::pss::model::{
    Capabilities, Container, ContainerKind, ContainerPort, Handler, Pod, PodSecurityContext,
    PodSpec, Profile, SeLinuxOptions, SecurityContext, Volume, WindowsOptions,
};

/// A field whose type the API server would reject.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeProblem {
    /// Path relative to the pod template.
    pub path: FieldPath,
    pub span: Span,
    pub message: String,
}

/// Extracts the pod model from a pod template node (or a Pod object), applying the defaulting
/// of pss-spec §7.1. `is_pod` enables the Pod-only hostNetwork → hostPort defaulting.
pub fn extract_pod(template: &Node, is_pod: bool) -> (Pod, Vec<TypeProblem>) {
    let mut r = Reader::default();
    let root = FieldPath::root();
    let top = r.map(Some(template), &root);
    let meta_path = root.clone().key("metadata");
    let metadata = top.and_then(|m| r.map(m.get("metadata"), &meta_path));
    let annotations = metadata
        .map(|m| r.string_map(m.get("annotations"), &meta_path.clone().key("annotations")))
        .unwrap_or_default();
    let spec_path = root.key("spec");
    let spec = top
        .and_then(|m| r.map(m.get("spec"), &spec_path))
        .map(|m| r.pod_spec(m, &spec_path))
        .unwrap_or_default();
    let mut pod = Pod { annotations, spec };
    if is_pod {
        default_host_network_ports(&mut pod.spec);
    }
    (pod, r.problems)
}

/// The Pod a controller creates from `template`, as far as the API server's Pod-only
/// defaulting changes it (pss-spec §7.1: on the host network, each unset `hostPort` becomes
/// the `containerPort`); `None` when it changes nothing. Since Kubernetes 1.28 templates are
/// not defaulted so, but the Pods created from them still are.
pub fn created_pod(template: &Pod) -> Option<Pod> {
    let mut pod = template.clone();
    default_host_network_ports(&mut pod.spec);
    (pod != *template).then_some(pod)
}

/// Whether the API server of this Kubernetes minor defaults pod templates like Pods (§7.1):
/// before 1.28 it did (and the `DefaultHostNetworkHostPortsInPodTemplates` gate could restore
/// that until 1.31, off by default). Unknown means the newest.
pub fn defaults_templates_like_pods(kubernetes_minor: Option<u32>) -> bool {
    kubernetes_minor.is_some_and(|m| m < 28)
}

/// For Pods with `hostNetwork: true` the API server sets every unset `hostPort` of
/// `containers` and `initContainers` to the `containerPort` (pss-spec §7.1).
fn default_host_network_ports(spec: &mut PodSpec) {
    if spec.host_network != Some(true) {
        return;
    }
    for c in spec
        .init_containers
        .iter_mut()
        .chain(spec.containers.iter_mut())
    {
        for p in &mut c.ports {
            if p.host_port.unwrap_or(0) == 0 {
                p.host_port = p.container_port;
            }
        }
    }
}

/// Whether `key` is a field of `VolumeSource`: every allowed and every restricted type
/// (pss-spec §3.16). Other keys are unknown fields, which the API server drops, so they never
/// count as a source.
fn is_volume_source(key: &str) -> bool {
    ALLOWED_VOLUMES.contains(&key) || RESTRICTED_VOLUMES.contains(&key)
}

/// Characters of a wrong value quoted in a type error.
const MAX_QUOTED: usize = 80;

/// Typed reads with API-server decoding rules; collects type problems.
#[derive(Default)]
struct Reader {
    problems: Vec<TypeProblem>,
}

impl Reader {
    fn bad(&mut self, node: &Node, path: &FieldPath, expected: &str) {
        let found = match &node.value {
            Value::Str(s) => format!("the string {:?}", excerpt(s, MAX_QUOTED)),
            Value::Bool(b) => format!("the boolean {b}"),
            Value::Int(i) => format!("the integer {i}"),
            Value::Float(f) => format!("the number {f}"),
            other => format!(
                "{} {}",
                if matches!(other, Value::Seq(_)) {
                    "a"
                } else {
                    "an"
                },
                node.type_name()
            ),
        };
        let raw = node
            .raw
            .as_deref()
            .map(|r| format!(" (written `{}`)", excerpt(r, MAX_QUOTED)))
            .unwrap_or_default();
        self.problems.push(TypeProblem {
            path: path.clone(),
            span: node.span,
            message: format!(
                "{path}: expected {expected}, found {found}{raw}; the API server rejects this object"
            ),
        });
    }

    fn map<'a>(&mut self, node: Option<&'a Node>, path: &FieldPath) -> Option<&'a Mapping> {
        let node = node?;
        match &node.value {
            Value::Null => None,
            Value::Map(m) => Some(m),
            _ => {
                self.bad(node, path, "an object");
                None
            }
        }
    }

    fn seq<'a>(&mut self, node: Option<&'a Node>, path: &FieldPath) -> &'a [Node] {
        let Some(node) = node else { return &[] };
        match &node.value {
            Value::Null => &[],
            Value::Seq(s) => s,
            _ => {
                self.bad(node, path, "a list");
                &[]
            }
        }
    }

    fn bool(&mut self, node: Option<&Node>, path: &FieldPath) -> Option<bool> {
        let node = node?;
        match node.value {
            Value::Null => None,
            Value::Bool(b) => Some(b),
            _ => {
                self.bad(node, path, "a boolean");
                None
            }
        }
    }

    fn string(&mut self, node: Option<&Node>, path: &FieldPath) -> Option<String> {
        let node = node?;
        match &node.value {
            Value::Null => None,
            Value::Str(s) => Some(s.clone()),
            _ => {
                self.bad(node, path, "a string");
                None
            }
        }
    }

    /// An integer field of `bits` width. Integral floats below 1e21 are accepted, as Go's JSON
    /// re-encoding makes them integer text (pss-spec §8.3).
    fn int(&mut self, node: Option<&Node>, path: &FieldPath, bits: u32) -> Option<i64> {
        let node = node?;
        let (min, max) = if bits == 32 {
            (i32::MIN as i128, i32::MAX as i128)
        } else {
            (i64::MIN as i128, i64::MAX as i128)
        };
        let v = match node.value {
            Value::Null => return None,
            Value::Int(i) => Some(i),
            Value::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e21 => {
                Some(f as i128)
            }
            _ => None,
        };
        match v.filter(|v| (min..=max).contains(v)) {
            Some(v) => Some(v as i64),
            None => {
                let what = if bits == 32 {
                    "a 32-bit integer"
                } else {
                    "a 64-bit integer"
                };
                self.bad(node, path, what);
                None
            }
        }
    }

    fn string_map(&mut self, node: Option<&Node>, path: &FieldPath) -> Vec<(String, String)> {
        let Some(m) = self.map(node, path) else {
            return Vec::new();
        };
        m.iter()
            .filter_map(|e| {
                let p = path.clone().key(e.key.clone());
                // A null annotation value decodes to the empty string in a map[string]string.
                if e.value.is_null() {
                    return Some((e.key.clone(), String::new()));
                }
                self.string(Some(&e.value), &p).map(|v| (e.key.clone(), v))
            })
            .collect()
    }

    fn pod_spec(&mut self, m: &Mapping, path: &FieldPath) -> PodSpec {
        let p = |k: &str| path.clone().key(k);
        let os_path = p("os");
        let os = self.map(m.get("os"), &os_path);
        let os_name = os.and_then(|os| self.string(os.get("name"), &os_path.clone().key("name")));
        let sc_path = p("securityContext");
        let security_context = self
            .map(m.get("securityContext"), &sc_path)
            .map(|sc| self.pod_security_context(sc, &sc_path));
        let volumes_path = p("volumes");
        let volumes = self
            .seq(m.get("volumes"), &volumes_path)
            .iter()
            .enumerate()
            .map(|(i, v)| self.volume(v, &volumes_path.clone().index(i)))
            .collect();
        let containers = |r: &mut Reader, kind: ContainerKind| {
            let list_path = p(kind.field());
            r.seq(m.get(kind.field()), &list_path)
                .iter()
                .enumerate()
                .map(|(i, c)| r.container(c, &list_path.clone().index(i)))
                .collect::<Vec<_>>()
        };
        PodSpec {
            host_network: self.bool(m.get("hostNetwork"), &p("hostNetwork")),
            host_pid: self.bool(m.get("hostPID"), &p("hostPID")),
            host_ipc: self.bool(m.get("hostIPC"), &p("hostIPC")),
            host_users: self.bool(m.get("hostUsers"), &p("hostUsers")),
            os_name,
            runtime_class_name: self.string(m.get("runtimeClassName"), &p("runtimeClassName")),
            security_context,
            volumes,
            init_containers: containers(self, ContainerKind::Init),
            containers: containers(self, ContainerKind::Regular),
            ephemeral_containers: containers(self, ContainerKind::Ephemeral),
        }
    }

    fn pod_security_context(&mut self, m: &Mapping, path: &FieldPath) -> PodSecurityContext {
        let p = |k: &str| path.clone().key(k);
        let sysctls_path = p("sysctls");
        let sysctls = self
            .seq(m.get("sysctls"), &sysctls_path)
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let item = sysctls_path.clone().index(i);
                let sm = self.map(Some(s), &item)?;
                // A sysctl without a name fails validation; PSA reads it as "".
                Some(
                    self.string(sm.get("name"), &item.key("name"))
                        .unwrap_or_default(),
                )
            })
            .collect();
        PodSecurityContext {
            run_as_non_root: self.bool(m.get("runAsNonRoot"), &p("runAsNonRoot")),
            run_as_user: self.int(m.get("runAsUser"), &p("runAsUser"), 64),
            se_linux_options: self.se_linux(m.get("seLinuxOptions"), &p("seLinuxOptions")),
            seccomp_profile: self.profile(m.get("seccompProfile"), &p("seccompProfile")),
            app_armor_profile: self.profile(m.get("appArmorProfile"), &p("appArmorProfile")),
            windows_options: self.windows(m.get("windowsOptions"), &p("windowsOptions")),
            sysctls,
        }
    }

    fn security_context(&mut self, m: &Mapping, path: &FieldPath) -> SecurityContext {
        let p = |k: &str| path.clone().key(k);
        let caps_path = p("capabilities");
        let capabilities = self.map(m.get("capabilities"), &caps_path).map(|c| {
            let list = |r: &mut Reader, key: &str| {
                let lp = caps_path.clone().key(key);
                r.seq(c.get(key), &lp)
                    .iter()
                    .enumerate()
                    .filter_map(|(i, n)| r.string(Some(n), &lp.clone().index(i)))
                    .collect::<Vec<_>>()
            };
            Capabilities {
                add: list(self, "add"),
                drop: list(self, "drop"),
            }
        });
        SecurityContext {
            privileged: self.bool(m.get("privileged"), &p("privileged")),
            allow_privilege_escalation: self.bool(
                m.get("allowPrivilegeEscalation"),
                &p("allowPrivilegeEscalation"),
            ),
            capabilities,
            proc_mount: self.string(m.get("procMount"), &p("procMount")),
            run_as_non_root: self.bool(m.get("runAsNonRoot"), &p("runAsNonRoot")),
            run_as_user: self.int(m.get("runAsUser"), &p("runAsUser"), 64),
            se_linux_options: self.se_linux(m.get("seLinuxOptions"), &p("seLinuxOptions")),
            seccomp_profile: self.profile(m.get("seccompProfile"), &p("seccompProfile")),
            app_armor_profile: self.profile(m.get("appArmorProfile"), &p("appArmorProfile")),
            windows_options: self.windows(m.get("windowsOptions"), &p("windowsOptions")),
        }
    }

    fn se_linux(&mut self, node: Option<&Node>, path: &FieldPath) -> Option<SeLinuxOptions> {
        let m = self.map(node, path)?;
        let p = |k: &str| path.clone().key(k);
        Some(SeLinuxOptions {
            user: self.string(m.get("user"), &p("user")),
            role: self.string(m.get("role"), &p("role")),
            type_: self.string(m.get("type"), &p("type")),
            level: self.string(m.get("level"), &p("level")),
        })
    }

    fn profile(&mut self, node: Option<&Node>, path: &FieldPath) -> Option<Profile> {
        let m = self.map(node, path)?;
        let type_path = path.clone().key("type");
        // `localhostProfile` is never inspected by PSA, but it must still be a string.
        self.string(
            m.get("localhostProfile"),
            &path.clone().key("localhostProfile"),
        );
        Some(Profile {
            type_: self.string(m.get("type"), &type_path),
        })
    }

    fn windows(&mut self, node: Option<&Node>, path: &FieldPath) -> Option<WindowsOptions> {
        let m = self.map(node, path)?;
        Some(WindowsOptions {
            host_process: self.bool(m.get("hostProcess"), &path.clone().key("hostProcess")),
        })
    }

    fn container(&mut self, node: &Node, path: &FieldPath) -> Container {
        let Some(m) = self.map(Some(node), path) else {
            return Container::default();
        };
        let p = |k: &str| path.clone().key(k);
        let ports_path = p("ports");
        let ports = self
            .seq(m.get("ports"), &ports_path)
            .iter()
            .enumerate()
            .filter_map(|(i, port)| {
                let pp = ports_path.clone().index(i);
                let pm = self.map(Some(port), &pp)?;
                Some(ContainerPort {
                    container_port: self
                        .int(
                            pm.get("containerPort"),
                            &pp.clone().key("containerPort"),
                            32,
                        )
                        .map(|v| v as i32),
                    host_port: self
                        .int(pm.get("hostPort"), &pp.clone().key("hostPort"), 32)
                        .map(|v| v as i32),
                })
            })
            .collect();
        let sc_path = p("securityContext");
        let security_context = self
            .map(m.get("securityContext"), &sc_path)
            .map(|sc| self.security_context(sc, &sc_path));
        let lifecycle_path = p("lifecycle");
        let lifecycle = self.map(m.get("lifecycle"), &lifecycle_path);
        let (post_start, pre_stop) = match lifecycle {
            Some(l) => (
                self.handler(l.get("postStart"), &lifecycle_path.clone().key("postStart")),
                self.handler(l.get("preStop"), &lifecycle_path.clone().key("preStop")),
            ),
            None => (None, None),
        };
        Container {
            name: self.string(m.get("name"), &p("name")).unwrap_or_default(),
            ports,
            security_context,
            liveness_probe: self.handler(m.get("livenessProbe"), &p("livenessProbe")),
            readiness_probe: self.handler(m.get("readinessProbe"), &p("readinessProbe")),
            startup_probe: self.handler(m.get("startupProbe"), &p("startupProbe")),
            post_start,
            pre_stop,
        }
    }

    fn handler(&mut self, node: Option<&Node>, path: &FieldPath) -> Option<Handler> {
        let m = self.map(node, path)?;
        let host = |r: &mut Reader, key: &str| {
            let hp = path.clone().key(key);
            let action = r.map(m.get(key), &hp)?;
            r.string(action.get("host"), &hp.key("host"))
        };
        Some(Handler {
            http_get_host: host(self, "httpGet"),
            tcp_socket_host: host(self, "tcpSocket"),
        })
    }

    fn volume(&mut self, node: &Node, path: &FieldPath) -> Volume {
        let Some(m) = self.map(Some(node), path) else {
            return Volume::default();
        };
        let name = self
            .string(m.get("name"), &path.clone().key("name"))
            .unwrap_or_default();
        let mut sources: Vec<String> = m
            .iter()
            .filter(|e| is_volume_source(&e.key))
            .filter(|e| {
                self.map(Some(&e.value), &path.clone().key(e.key.clone()))
                    .is_some()
            })
            .map(|e| e.key.clone())
            .collect();
        // A volume with no source is defaulted to `emptyDir: {}` (pss-spec §7.1).
        if sources.is_empty() {
            sources.push("emptyDir".to_string());
        }
        Volume { name, sources }
    }
}
