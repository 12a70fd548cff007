//! `seccompProfile_baseline` — baseline, v1.0+ (annotations until v1.18, fields from v1.19;
//! pss-spec §3.11) and `seccompProfile_restricted` — restricted, v1.19+, which replaces the
//! baseline check at the restricted level (pss-spec §3.19).

use super::{
    annotation_path, containers, pod_sc_path, profile_annotation_values, profile_types, rev, Check,
    Forbidden, Offenders, Revision,
};
use crate::model::level::Level;
use crate::pss::format::{containers_phrase, go_quote, plural, quote_list, sorted_set};
use crate::pss::model::{Pod, Profile};
use crate::pss::{FieldRef, Remedy};

pub const BASELINE: Check = Check {
    id: "seccompProfile_baseline",
    level: Level::Baseline,
    title: "Seccomp must not be disabled (Unconfined)",
    revisions: &[
        rev(0, seccomp_baseline_v1_0),
        rev(19, seccomp_baseline_v1_19),
    ],
};

pub const RESTRICTED: Check = Check {
    id: "seccompProfile_restricted",
    level: Level::Restricted,
    title: "Seccomp must be set to RuntimeDefault or Localhost",
    revisions: &[
        Revision {
            since_minor: 19,
            eval: seccomp_restricted_v1_19,
            overrides: &["seccompProfile_baseline"],
        },
        Revision {
            since_minor: 25,
            eval: seccomp_restricted_v1_25,
            overrides: &["seccompProfile_baseline"],
        },
    ],
};

const POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const CONTAINER_ANNOTATION_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

/// Unlike AppArmor, the empty value is forbidden (pss-spec §3.11).
fn allowed_annotation(value: &str) -> bool {
    matches!(value, "runtime/default" | "docker/default") || value.starts_with("localhost/")
}

fn annotation<'a>(pod: &'a Pod, key: &str) -> Option<&'a str> {
    pod.annotations
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// v1.0–v1.18: only the pod annotation and the annotations of existing containers count.
fn seccomp_baseline_v1_0(pod: &Pod) -> Option<Forbidden> {
    let container_keys = containers(pod).map(|c| {
        let key = format!("{CONTAINER_ANNOTATION_PREFIX}{}", c.name());
        (key, Some(c.name().to_owned()))
    });
    let keys = std::iter::once((POD_ANNOTATION.to_owned(), None)).chain(container_keys);
    // (rendered `key="value"`, key, container), sorted and de-duplicated as upstream lists them.
    let mut bad: Vec<(String, String, Option<String>)> = keys
        .filter_map(|(key, container)| {
            let value = annotation(pod, &key).filter(|v| !allowed_annotation(v))?;
            Some((format!("{key}={}", go_quote(value)), key, container))
        })
        .collect();
    bad.sort();
    bad.dedup_by(|a, b| a.0 == b.0);
    if bad.is_empty() {
        return None;
    }
    let noun = plural(bad.len(), "annotation", "annotations");
    let items: Vec<&str> = bad
        .iter()
        .map(|(rendered, _, _)| rendered.as_str())
        .collect();
    let detail = format!("forbidden {noun} {}", items.join(", "));
    let fields = bad
        .into_iter()
        .map(|(_, key, container)| FieldRef {
            path: annotation_path(&key),
            container,
            remedy: profile_annotation_values(),
        })
        .collect();
    Some(Forbidden::new("seccompProfile", detail, fields))
}

/// The `type` of a present profile (missing type = `""`), if it is not allowed.
fn bad_type(profile: &Profile) -> Option<&str> {
    let t = profile.type_.as_deref().unwrap_or("");
    (!matches!(t, "RuntimeDefault" | "Localhost")).then_some(t)
}

/// The explicit problems: present profiles with a bad type, pod first. Returns the offenders,
/// the bad types and whether the pod sets a *valid* profile.
fn explicit_problems(pod: &Pod) -> (Offenders, Vec<&str>, bool) {
    let mut bad = Offenders::default();
    let mut types = Vec::new();
    let pod_profile = pod.spec.security_context.as_ref();
    let pod_profile = pod_profile.and_then(|sc| sc.seccomp_profile.as_ref());
    if let Some(t) = pod_profile.and_then(bad_type) {
        types.push(t);
        bad.pod(
            pod_sc_path().key("seccompProfile").key("type"),
            profile_types(),
        );
    }
    for c in containers(pod) {
        let profile = c.sc().and_then(|sc| sc.seccomp_profile.as_ref());
        if let Some(t) = profile.and_then(bad_type) {
            types.push(t);
            let path = c.sc_path().key("seccompProfile").key("type");
            bad.container(&c, path, profile_types());
        }
    }
    let pod_valid = pod_profile.is_some_and(|p| bad_type(p).is_none());
    (bad, types, pod_valid)
}

/// `… must not set securityContext.seccompProfile.type to "A", "B"`
fn must_not_set(bad: Offenders, types: Vec<&str>) -> Forbidden {
    let detail = format!(
        "{} must not set securityContext.seccompProfile.type to {}",
        bad.setters(),
        quote_list(&sorted_set(types))
    );
    Forbidden::new("seccompProfile", detail, bad.fields)
}

/// v1.19+: only the fields count; absence is fine at baseline.
fn seccomp_baseline_v1_19(pod: &Pod) -> Option<Forbidden> {
    let (bad, types, _) = explicit_problems(pod);
    (!bad.is_empty()).then(|| must_not_set(bad, types))
}

fn seccomp_restricted_v1_19(pod: &Pod) -> Option<Forbidden> {
    let (bad, types, pod_valid) = explicit_problems(pod);
    // Explicit problems suppress the "must set" message (pss-spec §3.19).
    if !bad.is_empty() {
        return Some(must_not_set(bad, types));
    }
    // A container without its own profile inherits only a valid pod profile.
    let implicit: Vec<FieldRef> = containers(pod)
        .filter(|c| !pod_valid && c.sc().and_then(|sc| sc.seccomp_profile.as_ref()).is_none())
        .map(|c| FieldRef {
            path: c.sc_path().key("seccompProfile").key("type"),
            container: Some(c.name().to_string()),
            remedy: Remedy::Set("RuntimeDefault".into()),
        })
        .collect();
    if implicit.is_empty() {
        return None;
    }
    let names: Vec<&str> = implicit
        .iter()
        .filter_map(|f| f.container.as_deref())
        .collect();
    let detail = format!(
        "pod or {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
        containers_phrase(&names)
    );
    // Each unset container is reported where it is; the fix text offers the pod-level setting
    // that covers them all.
    Some(Forbidden::new("seccompProfile", detail, implicit))
}

/// Windows pods are exempt from v1.25 (pss-spec §3.21).
fn seccomp_restricted_v1_25(pod: &Pod) -> Option<Forbidden> {
    if pod.spec.is_windows() {
        return None;
    }
    seccomp_restricted_v1_19(pod)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::checks::test_support::*;

    fn annotate(pod: &mut Pod, key: &str, value: &str) {
        pod.annotations.push((key.into(), value.into()));
    }

    #[test]
    fn baseline_v1_0_checks_annotations_only() {
        let mut pod = base_pod();
        pod_sc(&mut pod).seccomp_profile = Some(profile("Unconfined"));
        assert_eq!(message(&BASELINE, 18, &pod), None);
        assert!(message(&BASELINE, 19, &pod).is_some());

        let mut pod = base_pod();
        annotate(&mut pod, POD_ANNOTATION, "unconfined");
        let f = run(&BASELINE, 18, &pod).unwrap();
        assert_eq!(
            format!("{} ({})", f.reason, f.detail),
            r#"seccompProfile (forbidden annotation seccomp.security.alpha.kubernetes.io/pod="unconfined")"#
        );
        assert_eq!(
            fields(&f),
            [
                r#"metadata.annotations[seccomp.security.alpha.kubernetes.io/pod] => OneOf(["runtime/default", "localhost/<profile>"])"#
            ]
        );
        assert_eq!(message(&BASELINE, 19, &pod), None);
    }

    #[test]
    fn baseline_v1_0_allowed_values() {
        let mut pod = pod_with(&["a", "b", "c"]);
        annotate(&mut pod, POD_ANNOTATION, "runtime/default");
        annotate(
            &mut pod,
            &format!("{CONTAINER_ANNOTATION_PREFIX}a"),
            "docker/default",
        );
        annotate(
            &mut pod,
            &format!("{CONTAINER_ANNOTATION_PREFIX}b"),
            "localhost/",
        );
        annotate(
            &mut pod,
            &format!("{CONTAINER_ANNOTATION_PREFIX}zz"),
            "unconfined",
        );
        assert_eq!(message(&BASELINE, 0, &pod), None);
        annotate(&mut pod, &format!("{CONTAINER_ANNOTATION_PREFIX}c"), "");
        assert_eq!(
            run(&BASELINE, 0, &pod).unwrap().detail,
            r#"forbidden annotation container.seccomp.security.alpha.kubernetes.io/c="""#
        );
    }

    #[test]
    fn baseline_v1_0_sorts_annotations() {
        let mut pod = pod_with(&["b", "a"]);
        annotate(&mut pod, POD_ANNOTATION, "unconfined");
        annotate(
            &mut pod,
            &format!("{CONTAINER_ANNOTATION_PREFIX}b"),
            "unknown",
        );
        annotate(
            &mut pod,
            &format!("{CONTAINER_ANNOTATION_PREFIX}a"),
            "unconfined",
        );
        let f = run(&BASELINE, 0, &pod).unwrap();
        assert_eq!(
            f.detail,
            r#"forbidden annotations container.seccomp.security.alpha.kubernetes.io/a="unconfined", container.seccomp.security.alpha.kubernetes.io/b="unknown", seccomp.security.alpha.kubernetes.io/pod="unconfined""#
        );
        let containers: Vec<_> = f.fields.iter().map(|f| f.container.as_deref()).collect();
        assert_eq!(containers, [Some("a"), Some("b"), None]);
    }

    #[test]
    fn baseline_v1_19_fields() {
        let mut pod = pod_with(&["a", "b", "c", "d"]);
        annotate(&mut pod, POD_ANNOTATION, "unconfined");
        assert_eq!(message(&BASELINE, 19, &pod), None, "annotations ignored");
        pod_sc(&mut pod).seccomp_profile = Some(profile("Unconfined"));
        sc(named(&mut pod, "b")).seccomp_profile = Some(profile("RuntimeDefault"));
        sc(named(&mut pod, "c")).seccomp_profile = Some(profile("Unconfined"));
        sc(named(&mut pod, "d")).seccomp_profile = Some(profile("Unconfined"));
        let f = run(&BASELINE, 37, &pod).unwrap();
        assert_eq!(
            f.detail,
            r#"pod and containers "c", "d" must not set securityContext.seccompProfile.type to "Unconfined""#
        );
        assert_eq!(
            fields(&f)[0],
            r#"spec.securityContext.seccompProfile.type => OneOf(["RuntimeDefault", "Localhost"])"#
        );
    }

    #[test]
    fn baseline_v1_19_missing_type_is_empty_string() {
        let mut pod = base_pod();
        sc(named(&mut pod, "initcontainer1")).seccomp_profile = Some(Profile::default());
        assert_eq!(
            run(&BASELINE, 37, &pod).unwrap().detail,
            r#"container "initcontainer1" must not set securityContext.seccompProfile.type to """#
        );
    }

    #[test]
    fn restricted_not_active_before_v1_19() {
        let pod = base_pod();
        assert_eq!(message(&RESTRICTED, 18, &pod), None);
        assert!(message(&RESTRICTED, 19, &pod).is_some());
    }

    #[test]
    fn restricted_implicit_containers() {
        let mut pod = base_pod();
        let f = run(&RESTRICTED, 37, &pod).unwrap();
        assert_eq!(
            format!("{} ({})", f.reason, f.detail),
            r#"seccompProfile (pod or containers "initcontainer1", "container1" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#
        );
        assert_eq!(
            fields(&f),
            [
                r#"spec.initContainers[0].securityContext.seccompProfile.type => Set("RuntimeDefault")"#,
                r#"spec.containers[0].securityContext.seccompProfile.type => Set("RuntimeDefault")"#
            ]
        );
        sc(named(&mut pod, "container1")).seccomp_profile = Some(profile("RuntimeDefault"));
        assert_eq!(
            run(&RESTRICTED, 37, &pod).unwrap().detail,
            r#"pod or container "initcontainer1" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost""#
        );
    }

    #[test]
    fn restricted_valid_pod_profile_covers_containers() {
        let mut pod = base_pod();
        pod_sc(&mut pod).seccomp_profile = Some(profile("Localhost"));
        assert_eq!(message(&RESTRICTED, 37, &pod), None);
    }

    #[test]
    fn restricted_explicit_problems_suppress_implicit() {
        // Fixture seccompprofile_restricted4: the pod sets nothing, one container is
        // Unconfined, the other is implicitly unset.
        let mut pod = base_pod();
        sc(named(&mut pod, "initcontainer1")).seccomp_profile = Some(profile("Unconfined"));
        assert_eq!(
            message(&RESTRICTED, 37, &pod).as_deref(),
            Some(
                r#"seccompProfile (container "initcontainer1" must not set securityContext.seccompProfile.type to "Unconfined")"#
            )
        );
    }

    #[test]
    fn restricted_invalid_pod_profile_does_not_cover_containers() {
        let mut pod = base_pod();
        pod_sc(&mut pod).seccomp_profile = Some(profile("Unconfined"));
        let f = run(&RESTRICTED, 37, &pod).unwrap();
        assert_eq!(
            f.detail,
            r#"pod must not set securityContext.seccompProfile.type to "Unconfined""#
        );
        assert_eq!(f.fields.len(), 1);
    }

    #[test]
    fn restricted_windows_exempt_from_v1_25() {
        let mut pod = base_pod();
        pod.spec.os_name = Some("windows".into());
        assert!(message(&RESTRICTED, 24, &pod).is_some());
        assert_eq!(message(&RESTRICTED, 25, &pod), None);
    }
}
