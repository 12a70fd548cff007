//! `appArmorProfile` — baseline, v1.0+: fields and annotations at every version
//! (pss-spec §3.6).

use super::{
    annotation_path, containers, pod_sc_path, profile_annotation_values, profile_types, rev, Check,
    Forbidden, Offenders,
};
use crate::model::level::Level;
use crate::pss::format::{go_quote, plural, quote_list, setter_list, sorted_set};
use crate::pss::model::{Pod, Profile};
use crate::pss::FieldRef;

pub const CHECK: Check = Check {
    id: "appArmorProfile",
    level: Level::Baseline,
    title: "AppArmor must not be disabled or overridden",
    revisions: &[rev(0, app_armor_profile_v1_0)],
};

const ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

/// The bad `type` of a present profile object (missing type = `""`), if it is bad.
fn bad_type(profile: &Option<Profile>) -> Option<&str> {
    let t = profile.as_ref()?.type_.as_deref().unwrap_or("");
    (!matches!(t, "RuntimeDefault" | "Localhost")).then_some(t)
}

/// Empty, `runtime/default` and `localhost/…` are allowed (the empty value too, unlike seccomp).
fn allowed_annotation(value: &str) -> bool {
    value.is_empty() || value == "runtime/default" || value.starts_with("localhost/")
}

fn app_armor_profile_v1_0(pod: &Pod) -> Option<Forbidden> {
    let mut bad = Offenders::default();
    let mut types = Vec::new();
    let pod_profile = pod.spec.security_context.as_ref();
    if let Some(t) = pod_profile.and_then(|sc| bad_type(&sc.app_armor_profile)) {
        types.push(t);
        bad.pod(
            pod_sc_path().key("appArmorProfile").key("type"),
            profile_types(),
        );
    }
    for c in containers(pod) {
        if let Some(t) = c.sc().and_then(|sc| bad_type(&sc.app_armor_profile)) {
            types.push(t);
            let path = c.sc_path().key("appArmorProfile").key("type");
            bad.container(&c, path, profile_types());
        }
    }

    // Any key with the prefix counts, whether or not it names a container.
    let mut annotations: Vec<(String, &str)> = pod
        .annotations
        .iter()
        .filter(|(k, v)| k.starts_with(ANNOTATION_PREFIX) && !allowed_annotation(v))
        .map(|(k, v)| (format!("{k}={}", go_quote(v)), k.as_str()))
        .collect();
    annotations.sort();
    if bad.is_empty() && annotations.is_empty() {
        return None;
    }

    // Sorted bad types, then the sorted bad annotations (pss-spec §3.6).
    let mut values = sorted_set(types);
    values.extend(annotations.iter().map(|(rendered, _)| rendered.clone()));
    let mut fields = bad.fields;
    fields.extend(annotations.iter().map(|&(_, key)| {
        FieldRef {
            path: annotation_path(key),
            container: key
                .strip_prefix(ANNOTATION_PREFIX)
                .filter(|name| pod.spec.all_containers().any(|(_, _, c)| c.name == *name))
                .map(str::to_owned),
            remedy: profile_annotation_values(),
        }
    }));

    let reason = plural(
        values.len(),
        "forbidden AppArmor profile",
        "forbidden AppArmor profiles",
    );
    let detail = format!(
        "{} must not set AppArmor profile type to {}",
        setter_list(bad.pod, &bad.containers, annotations.len()),
        quote_list(&values)
    );
    Some(Forbidden::new(reason, detail, fields))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::checks::test_support::*;

    fn annotate(pod: &mut Pod, key: &str, value: &str) {
        pod.annotations.push((key.into(), value.into()));
    }

    #[test]
    fn allows_good_fields_and_annotations() {
        let mut pod = base_pod();
        pod_sc(&mut pod).app_armor_profile = Some(profile("RuntimeDefault"));
        sc(named(&mut pod, "container1")).app_armor_profile = Some(profile("Localhost"));
        for v in ["", "runtime/default", "localhost/", "localhost/foo"] {
            annotate(&mut pod, &format!("{ANNOTATION_PREFIX}{v}"), v);
        }
        annotate(&mut pod, "other/key", "unconfined");
        assert_eq!(message(&CHECK, 0, &pod), None);
    }

    #[test]
    fn pod_field() {
        let mut pod = base_pod();
        pod_sc(&mut pod).app_armor_profile = Some(profile("Unconfined"));
        let f = run(&CHECK, 0, &pod).unwrap();
        assert_eq!(
            format!("{} ({})", f.reason, f.detail),
            r#"forbidden AppArmor profile (pod must not set AppArmor profile type to "Unconfined")"#
        );
        assert_eq!(
            fields(&f),
            [
                r#"spec.securityContext.appArmorProfile.type => OneOf(["RuntimeDefault", "Localhost"])"#
            ]
        );
    }

    #[test]
    fn container_field_with_missing_type() {
        let mut pod = pod_with(&["foo", "bar"]);
        sc(named(&mut pod, "foo")).app_armor_profile = Some(profile("Unconfined"));
        sc(named(&mut pod, "bar")).app_armor_profile = Some(Profile::default());
        assert_eq!(
            message(&CHECK, 37, &pod).as_deref(),
            Some(
                r#"forbidden AppArmor profiles (containers "foo", "bar" must not set AppArmor profile type to "", "Unconfined")"#
            )
        );
    }

    #[test]
    fn fixture_annotation() {
        let mut pod = base_pod();
        annotate(
            &mut pod,
            &format!("{ANNOTATION_PREFIX}container1"),
            "unconfined",
        );
        let f = run(&CHECK, 37, &pod).unwrap();
        assert_eq!(
            format!("{} ({})", f.reason, f.detail),
            r#"forbidden AppArmor profile (annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/container1="unconfined"")"#
        );
        assert_eq!(
            fields(&f),
            [
                r#"metadata.annotations[container.apparmor.security.beta.kubernetes.io/container1] => OneOf(["runtime/default", "localhost/<profile>"])"#
            ]
        );
        assert_eq!(f.fields[0].container.as_deref(), Some("container1"));
    }

    #[test]
    fn annotations_sorted_and_counted_in_reason() {
        let mut pod = base_pod();
        annotate(&mut pod, &format!("{ANNOTATION_PREFIX}e"), "unconfined");
        annotate(&mut pod, ANNOTATION_PREFIX, "bogus");
        let f = run(&CHECK, 37, &pod).unwrap();
        assert_eq!(f.reason, "forbidden AppArmor profiles");
        assert_eq!(
            f.detail,
            r#"annotations must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/="bogus"", "container.apparmor.security.beta.kubernetes.io/e="unconfined"""#
        );
        assert_eq!(f.fields[0].container, None);
    }

    #[test]
    fn synced_pod_lists_field_then_annotation() {
        // pss-spec §3.6 API-server note: the annotation is copied into the container field.
        let mut pod = pod_with(&["c1"]);
        sc(named(&mut pod, "c1")).app_armor_profile = Some(profile("Unconfined"));
        annotate(&mut pod, &format!("{ANNOTATION_PREFIX}c1"), "unconfined");
        assert_eq!(
            message(&CHECK, 37, &pod).as_deref(),
            Some(
                r#"forbidden AppArmor profiles (container "c1" and annotation must not set AppArmor profile type to "Unconfined", "container.apparmor.security.beta.kubernetes.io/c1="unconfined"")"#
            )
        );
    }

    #[test]
    fn pod_and_container_judged_independently() {
        let mut pod = pod_with(&["a"]);
        pod_sc(&mut pod).app_armor_profile = Some(profile("unconfined"));
        sc(named(&mut pod, "a")).app_armor_profile = Some(profile("Unconfined"));
        let f = run(&CHECK, 37, &pod).unwrap();
        assert_eq!(
            f.detail,
            r#"pod and container "a" must not set AppArmor profile type to "Unconfined", "unconfined""#
        );
        assert_eq!(f.reason, "forbidden AppArmor profiles");
    }

    #[test]
    fn annotation_values_are_go_quoted() {
        let mut pod = base_pod();
        annotate(&mut pod, &format!("{ANNOTATION_PREFIX}x"), "a\"b\n");
        assert_eq!(
            run(&CHECK, 37, &pod).unwrap().detail,
            r#"annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/x="a\"b\n"""#
        );
    }
}
