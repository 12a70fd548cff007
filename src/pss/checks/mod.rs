//! The checks of pss-spec §3. Each module defines one check (or two sibling checks that share
//! their rule, e.g. `capabilities_baseline` and `capabilities_restricted`) as a [`Check`]:
//! an ID, a level and its versioned [`Revision`]s. The registry decides which revision runs.

use crate::model::field::FieldPath;

use super::model::{Container, Pod, SecurityContext};
use super::{FieldRef, Remedy};
use crate::model::level::Level;

pub mod allow_privilege_escalation;
pub mod app_armor_profile;
pub mod capabilities;
pub mod host_namespaces;
pub mod host_path_volumes;
pub mod host_ports;
pub mod host_probes;
pub mod privileged;
pub mod proc_mount;
pub mod restricted_volumes;
pub mod run_as_non_root;
pub mod run_as_user;
pub mod se_linux_options;
pub mod seccomp_profile;
pub mod sysctls;
pub mod windows_host_process;

#[cfg(test)]
pub(crate) mod test_support;

/// A check: an upstream ID, its level and its revisions (oldest first).
#[derive(Debug)]
pub struct Check {
    pub id: &'static str,
    pub level: Level,
    /// One-line summary for rule listings.
    pub title: &'static str,
    pub revisions: &'static [Revision],
}

/// The behaviour of a check from `since_minor` up to (excluding) the next revision's minimum.
#[derive(Debug)]
pub struct Revision {
    pub since_minor: u32,
    pub eval: Eval,
    /// Baseline check IDs that this (restricted) revision replaces at the restricted level
    /// (pss-spec §2.3).
    pub overrides: &'static [&'static str],
}

/// A revision's rule: `None` if the pod is allowed.
pub type Eval = fn(&Pod) -> Option<Forbidden>;

/// A failing check result, before the registry attaches the check ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forbidden {
    pub reason: String,
    pub detail: String,
    pub fields: Vec<FieldRef>,
}

impl Forbidden {
    pub fn new(reason: impl Into<String>, detail: String, fields: Vec<FieldRef>) -> Self {
        Forbidden {
            reason: reason.into(),
            detail,
            fields,
        }
    }
}

/// A revision with no overrides.
pub const fn rev(since_minor: u32, eval: Eval) -> Revision {
    Revision {
        since_minor,
        eval,
        overrides: &[],
    }
}

/// `spec`
pub(crate) fn spec_path() -> FieldPath {
    FieldPath::root().key("spec")
}

/// `spec.securityContext`
pub(crate) fn pod_sc_path() -> FieldPath {
    spec_path().key("securityContext")
}

/// `metadata.annotations[key]`
pub(crate) fn annotation_path(key: &str) -> FieldPath {
    FieldPath::root()
        .key("metadata")
        .key("annotations")
        .key(key)
}

/// A container together with its place in the pod.
pub(crate) struct ContainerAt<'a> {
    /// Position in visit order (pss-spec §0), unique per container.
    pub pos: usize,
    /// `spec.<list>[index]`
    pub path: FieldPath,
    pub container: &'a Container,
}

impl<'a> ContainerAt<'a> {
    pub fn name(&self) -> &'a str {
        &self.container.name
    }

    pub fn sc(&self) -> Option<&'a SecurityContext> {
        self.container.security_context.as_ref()
    }

    /// `spec.<list>[index].securityContext`
    pub fn sc_path(&self) -> FieldPath {
        self.path.clone().key("securityContext")
    }

    /// A field of this container.
    pub fn field(&self, path: FieldPath, remedy: Remedy) -> FieldRef {
        FieldRef {
            path,
            container: Some(self.name().to_owned()),
            remedy,
        }
    }
}

/// All containers in visit order: init, regular, ephemeral (pss-spec §0).
pub(crate) fn containers(pod: &Pod) -> impl Iterator<Item = ContainerAt<'_>> {
    pod.spec
        .all_containers()
        .enumerate()
        .map(|(pos, (kind, index, container))| ContainerAt {
            pos,
            path: spec_path().key(kind.field()).index(index),
            container,
        })
}

/// Collects offending fields and the setters (pod, containers) they belong to, in upstream
/// listing order: pod first, then containers in visit order, each container once.
#[derive(Debug, Default)]
pub(crate) struct Offenders {
    pub pod: bool,
    pub containers: Vec<String>,
    pub fields: Vec<FieldRef>,
    last_pos: Option<usize>,
}

impl Offenders {
    /// Records a bad pod-level field.
    pub fn pod(&mut self, path: FieldPath, remedy: Remedy) {
        self.pod = true;
        self.fields.push(FieldRef {
            path,
            container: None,
            remedy,
        });
    }

    /// Records a bad field of `c`; the container is listed once however many fields it has.
    pub fn container(&mut self, c: &ContainerAt<'_>, path: FieldPath, remedy: Remedy) {
        self.mark(c);
        self.fields.push(c.field(path, remedy));
    }

    /// Lists `c` as a bad container (once) without recording a field.
    pub fn mark(&mut self, c: &ContainerAt<'_>) {
        if self.last_pos != Some(c.pos) {
            self.last_pos = Some(c.pos);
            self.containers.push(c.name().to_owned());
        }
    }

    pub fn is_empty(&self) -> bool {
        !self.pod && self.containers.is_empty()
    }

    /// `pod`, `container(s) "…"` joined with " and " (pss-spec §3 setter list).
    pub fn setters(&self) -> String {
        super::format::setter_list(self.pod, &self.containers, 0)
    }
}

/// `OneOf(["RuntimeDefault", "Localhost"])`, the allowed seccomp and AppArmor field types.
pub(crate) fn profile_types() -> Remedy {
    Remedy::OneOf(vec!["RuntimeDefault".into(), "Localhost".into()])
}

/// `OneOf(["runtime/default", "localhost/<profile>"])`, for seccomp and AppArmor annotations.
pub(crate) fn profile_annotation_values() -> Remedy {
    Remedy::OneOf(vec!["runtime/default".into(), "localhost/<profile>".into()])
}
