//! The engine's read-only view of a pod: only the fields that Pod Security checks read
//! (pss-spec §3), already type-checked and defaulted (§7.1) by the workload stage.
//!
//! `Option` means "absent or null" (pss-spec §0 pointer semantics); an empty object `{}` is
//! `Some(Default::default())`. Lists keep source order. Field paths are derived from positions
//! (container kind + index), so the model carries no spans and no YAML types.

/// A pod, or a pod template: its metadata annotations and its spec.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pod {
    /// `metadata.annotations`, in source order (keys are unique).
    pub annotations: Vec<(String, String)>,
    pub spec: PodSpec,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PodSpec {
    pub host_network: Option<bool>,
    pub host_pid: Option<bool>,
    pub host_ipc: Option<bool>,
    pub host_users: Option<bool>,
    /// `spec.os.name`.
    pub os_name: Option<String>,
    pub runtime_class_name: Option<String>,
    pub security_context: Option<PodSecurityContext>,
    pub volumes: Vec<Volume>,
    pub init_containers: Vec<Container>,
    pub containers: Vec<Container>,
    pub ephemeral_containers: Vec<Container>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PodSecurityContext {
    pub run_as_non_root: Option<bool>,
    pub run_as_user: Option<i64>,
    pub se_linux_options: Option<SeLinuxOptions>,
    pub seccomp_profile: Option<Profile>,
    pub app_armor_profile: Option<Profile>,
    pub windows_options: Option<WindowsOptions>,
    /// `sysctls[*].name`, in source order.
    pub sysctls: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SecurityContext {
    pub privileged: Option<bool>,
    pub allow_privilege_escalation: Option<bool>,
    pub capabilities: Option<Capabilities>,
    pub proc_mount: Option<String>,
    pub run_as_non_root: Option<bool>,
    pub run_as_user: Option<i64>,
    pub se_linux_options: Option<SeLinuxOptions>,
    pub seccomp_profile: Option<Profile>,
    pub app_armor_profile: Option<Profile>,
    pub windows_options: Option<WindowsOptions>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Capabilities {
    pub add: Vec<String>,
    pub drop: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SeLinuxOptions {
    pub user: Option<String>,
    pub role: Option<String>,
    pub type_: Option<String>,
    pub level: Option<String>,
}

/// A `seccompProfile` or `appArmorProfile` object; only `type` is read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Profile {
    pub type_: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct WindowsOptions {
    pub host_process: Option<bool>,
}

/// Which list a container belongs to; fixes the field path and the visit order (pss-spec §0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

impl ContainerKind {
    pub fn field(self) -> &'static str {
        match self {
            ContainerKind::Init => "initContainers",
            ContainerKind::Regular => "containers",
            ContainerKind::Ephemeral => "ephemeralContainers",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Container {
    pub name: String,
    pub ports: Vec<ContainerPort>,
    pub security_context: Option<SecurityContext>,
    pub liveness_probe: Option<Handler>,
    pub readiness_probe: Option<Handler>,
    pub startup_probe: Option<Handler>,
    pub post_start: Option<Handler>,
    pub pre_stop: Option<Handler>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContainerPort {
    pub container_port: Option<i32>,
    pub host_port: Option<i32>,
}

/// A probe or lifecycle handler; only the hosts that PSS inspects are kept.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Handler {
    pub http_get_host: Option<String>,
    pub tcp_socket_host: Option<String>,
}

/// A volume: its name and the keys of the volume sources that are present (non-null),
/// in source order (`hostPath`, `emptyDir`, ...).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Volume {
    pub name: String,
    pub sources: Vec<String>,
}

impl Volume {
    pub fn has(&self, source: &str) -> bool {
        self.sources.iter().any(|s| s == source)
    }
}

impl PodSpec {
    /// All containers in the visit order of pss-spec §0, with their kind and index.
    pub fn all_containers(&self) -> impl Iterator<Item = (ContainerKind, usize, &Container)> {
        let init = self.init_containers.iter().enumerate();
        let regular = self.containers.iter().enumerate();
        let ephemeral = self.ephemeral_containers.iter().enumerate();
        init.map(|(i, c)| (ContainerKind::Init, i, c))
            .chain(regular.map(|(i, c)| (ContainerKind::Regular, i, c)))
            .chain(ephemeral.map(|(i, c)| (ContainerKind::Ephemeral, i, c)))
    }

    /// `spec.os.name == "windows"` exactly (pss-spec §0).
    pub fn is_windows(&self) -> bool {
        self.os_name.as_deref() == Some("windows")
    }

    /// `spec.hostUsers` present and false (pss-spec §0).
    pub fn is_user_namespace(&self) -> bool {
        self.host_users == Some(false)
    }
}
