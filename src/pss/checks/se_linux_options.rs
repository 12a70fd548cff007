//! `seLinuxOptions` — baseline, v1.0+; v1.31 also allows `container_engine_t`
//! (pss-spec §3.10).

use super::{containers, pod_sc_path, rev, Check, Forbidden, Offenders};
use crate::model::field::FieldPath;
use crate::model::level::Level;
use crate::pss::format::{plural, quote_list, sorted_set};
use crate::pss::model::{Pod, SeLinuxOptions};
use crate::pss::Remedy;

pub const CHECK: Check = Check {
    id: "seLinuxOptions",
    level: Level::Baseline,
    title: "SELinux options must not set a custom user, role or type",
    revisions: &[
        rev(0, se_linux_options_v1_0),
        rev(31, se_linux_options_v1_31),
    ],
};

/// Allowed `type` values besides the empty string, per revision.
const TYPES_V1_0: &[&str] = &["container_t", "container_init_t", "container_kvm_t"];
const TYPES_V1_31: &[&str] = &[
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

fn se_linux_options_v1_0(pod: &Pod) -> Option<Forbidden> {
    evaluate(pod, TYPES_V1_0)
}

fn se_linux_options_v1_31(pod: &Pod) -> Option<Forbidden> {
    evaluate(pod, TYPES_V1_31)
}

/// What is wrong with the options, pooled over the pod and all containers.
#[derive(Default)]
struct Problems<'a> {
    types: Vec<&'a str>,
    user: bool,
    role: bool,
}

impl<'a> Problems<'a> {
    /// Judges one options object at `path`; returns its offending fields.
    fn inspect(
        &mut self,
        opts: &'a SeLinuxOptions,
        path: FieldPath,
        allowed: &[&str],
    ) -> Vec<(FieldPath, Remedy)> {
        let mut fields = Vec::new();
        let t = opts.type_.as_deref().unwrap_or("");
        if !t.is_empty() && !allowed.contains(&t) {
            self.types.push(t);
            let types = allowed.iter().map(|s| s.to_string()).collect();
            fields.push((path.clone().key("type"), Remedy::OneOf(types)));
        }
        if opts.user.as_deref().is_some_and(|u| !u.is_empty()) {
            self.user = true;
            fields.push((path.clone().key("user"), Remedy::Remove));
        }
        if opts.role.as_deref().is_some_and(|r| !r.is_empty()) {
            self.role = true;
            fields.push((path.key("role"), Remedy::Remove));
        }
        fields
    }
}

fn evaluate(pod: &Pod, allowed: &[&str]) -> Option<Forbidden> {
    let mut problems = Problems::default();
    let mut bad = Offenders::default();
    let pod_opts = pod.spec.security_context.as_ref();
    if let Some(opts) = pod_opts.and_then(|sc| sc.se_linux_options.as_ref()) {
        let path = pod_sc_path().key("seLinuxOptions");
        for (path, remedy) in problems.inspect(opts, path, allowed) {
            bad.pod(path, remedy);
        }
    }
    for c in containers(pod) {
        if let Some(opts) = c.sc().and_then(|sc| sc.se_linux_options.as_ref()) {
            let path = c.sc_path().key("seLinuxOptions");
            for (path, remedy) in problems.inspect(opts, path, allowed) {
                bad.container(&c, path, remedy);
            }
        }
    }
    if bad.is_empty() {
        return None;
    }

    // Parts in this order, joined "; " (pss-spec §3.10).
    let mut parts = Vec::new();
    let types = sorted_set(problems.types);
    if !types.is_empty() {
        let noun = plural(types.len(), "type", "types");
        parts.push(format!("{noun} {}", quote_list(&types)));
    }
    if problems.user {
        parts.push("user may not be set".to_owned());
    }
    if problems.role {
        parts.push("role may not be set".to_owned());
    }
    let detail = format!(
        "{} set forbidden securityContext.seLinuxOptions: {}",
        bad.setters(),
        parts.join("; ")
    );
    Some(Forbidden::new("seLinuxOptions", detail, bad.fields))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::checks::test_support::*;

    fn opts(type_: Option<&str>, user: Option<&str>, role: Option<&str>) -> SeLinuxOptions {
        SeLinuxOptions {
            user: user.map(Into::into),
            role: role.map(Into::into),
            type_: type_.map(Into::into),
            level: Some("s0:c1,c2".into()),
        }
    }

    #[test]
    fn allows_empty_and_allowed_types() {
        let mut pod = pod_with(&["a", "b", "c", "d"]);
        pod_sc(&mut pod).se_linux_options = Some(SeLinuxOptions::default());
        for (name, t) in [
            ("a", ""),
            ("b", "container_t"),
            ("c", "container_init_t"),
            ("d", "container_kvm_t"),
        ] {
            sc(named(&mut pod, name)).se_linux_options = Some(opts(Some(t), Some(""), Some("")));
        }
        assert_eq!(message(&CHECK, 0, &pod), None);
    }

    #[test]
    fn container_engine_t_allowed_from_v1_31() {
        let mut pod = base_pod();
        sc(named(&mut pod, "container1")).se_linux_options =
            Some(opts(Some("container_engine_t"), None, None));
        assert_eq!(
            message(&CHECK, 30, &pod).as_deref(),
            Some(
                r#"seLinuxOptions (container "container1" set forbidden securityContext.seLinuxOptions: type "container_engine_t")"#
            )
        );
        assert_eq!(message(&CHECK, 31, &pod), None);
    }

    #[test]
    fn fixture_pod_type() {
        let mut pod = base_pod();
        pod_sc(&mut pod).se_linux_options = Some(opts(Some("somevalue"), None, None));
        sc(named(&mut pod, "container1")).se_linux_options = Some(SeLinuxOptions::default());
        let f = run(&CHECK, 37, &pod).unwrap();
        assert_eq!(
            format!("{} ({})", f.reason, f.detail),
            r#"seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type "somevalue")"#
        );
        assert_eq!(
            fields(&f),
            [
                r#"spec.securityContext.seLinuxOptions.type => OneOf(["container_t", "container_init_t", "container_kvm_t", "container_engine_t"])"#
            ]
        );
    }

    #[test]
    fn fixture_pod_user_and_role() {
        let mut pod = base_pod();
        pod_sc(&mut pod).se_linux_options = Some(opts(None, Some("somevalue"), None));
        assert_eq!(
            run(&CHECK, 37, &pod).unwrap().detail,
            "pod set forbidden securityContext.seLinuxOptions: user may not be set"
        );
        pod_sc(&mut pod).se_linux_options = Some(opts(None, None, Some("somevalue")));
        let f = run(&CHECK, 37, &pod).unwrap();
        assert_eq!(
            f.detail,
            "pod set forbidden securityContext.seLinuxOptions: role may not be set"
        );
        assert_eq!(
            fields(&f),
            ["spec.securityContext.seLinuxOptions.role => Remove"]
        );
    }

    #[test]
    fn pools_problems_over_pod_and_containers() {
        let mut pod = pod_with(&["d", "e", "f", "g"]);
        pod_sc(&mut pod).se_linux_options = Some(opts(Some("foo"), None, None));
        sc(named(&mut pod, "e")).se_linux_options = Some(opts(Some("bar"), None, None));
        sc(named(&mut pod, "f")).se_linux_options = Some(opts(Some("foo"), Some("u"), None));
        sc(named(&mut pod, "g")).se_linux_options = Some(opts(None, None, Some("r")));
        let f = run(&CHECK, 37, &pod).unwrap();
        assert_eq!(
            f.detail,
            r#"pod and containers "e", "f", "g" set forbidden securityContext.seLinuxOptions: types "bar", "foo"; user may not be set; role may not be set"#
        );
        let paths: Vec<String> = f.fields.iter().map(|f| f.path.to_string()).collect();
        assert_eq!(
            paths,
            [
                "spec.securityContext.seLinuxOptions.type",
                "spec.containers[1].securityContext.seLinuxOptions.type",
                "spec.containers[2].securityContext.seLinuxOptions.type",
                "spec.containers[2].securityContext.seLinuxOptions.user",
                "spec.containers[3].securityContext.seLinuxOptions.role",
            ]
        );
    }
}
