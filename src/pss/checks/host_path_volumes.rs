//! `hostPathVolumes` — baseline, v1.0+; overridden by `restrictedVolumes` in restricted
//! (pss-spec §3.3).

use super::{rev, spec_path, Check, Forbidden};
use crate::model::level::Level;
use crate::pss::format::{plural, quote_list};
use crate::pss::model::Pod;
use crate::pss::{FieldRef, Remedy};

pub const CHECK: Check = Check {
    id: "hostPathVolumes",
    level: Level::Baseline,
    title: "Pods must not mount hostPath volumes",
    revisions: &[rev(0, host_path_volumes_v1_0)],
};

fn host_path_volumes_v1_0(pod: &Pod) -> Option<Forbidden> {
    let mut names = Vec::new();
    let mut fields = Vec::new();
    for (i, volume) in pod.spec.volumes.iter().enumerate() {
        if volume.has("hostPath") {
            names.push(volume.name.as_str());
            fields.push(FieldRef {
                path: spec_path().key("volumes").index(i).key("hostPath"),
                container: None,
                remedy: Remedy::Remove,
            });
        }
    }
    if names.is_empty() {
        return None;
    }
    let detail = format!(
        "{} {}",
        plural(names.len(), "volume", "volumes"),
        quote_list(&names)
    );
    Some(Forbidden::new("hostPath volumes", detail, fields))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::checks::test_support::*;
    use crate::pss::model::Volume;

    fn volume(name: &str, source: &str) -> Volume {
        Volume {
            name: name.into(),
            sources: vec![source.into()],
        }
    }

    #[test]
    fn allows_other_volume_types() {
        let mut pod = base_pod();
        pod.spec.volumes.push(volume("a", "emptyDir"));
        pod.spec.volumes.push(volume("b", "nfs"));
        assert_eq!(message(&CHECK, 37, &pod), None);
    }

    #[test]
    fn lists_host_path_volumes_in_spec_order() {
        let mut pod = base_pod();
        pod.spec.volumes.push(volume("volume-emptydir", "emptyDir"));
        pod.spec.volumes.push(volume("b", "hostPath"));
        pod.spec.volumes.push(volume("a", "hostPath"));
        let f = run(&CHECK, 0, &pod).unwrap();
        assert_eq!(f.reason, "hostPath volumes");
        assert_eq!(f.detail, r#"volumes "b", "a""#);
        assert_eq!(
            fields(&f),
            [
                "spec.volumes[1].hostPath => Remove",
                "spec.volumes[2].hostPath => Remove"
            ]
        );
    }

    #[test]
    fn single_volume_is_singular() {
        let mut pod = base_pod();
        pod.spec.volumes.push(volume("volume-hostpath", "hostPath"));
        assert_eq!(
            message(&CHECK, 37, &pod).as_deref(),
            Some(r#"hostPath volumes (volume "volume-hostpath")"#)
        );
    }
}
