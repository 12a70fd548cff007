//! `restrictedVolumes` — restricted, v1.0+; replaces `hostPathVolumes` at the restricted level
//! at every version (pss-spec §3.16).

use super::{spec_path, Check, Forbidden, Revision};
use crate::model::level::Level;
use crate::pss::format::{plural, quote_list, sorted_set};
use crate::pss::model::Pod;
use crate::pss::{FieldRef, Remedy};

pub const CHECK: Check = Check {
    id: "restrictedVolumes",
    level: Level::Restricted,
    title: "Pods may only use ephemeral, projected and claim-based volume types",
    revisions: &[Revision {
        since_minor: 0,
        eval: restricted_volumes_v1_0,
        overrides: &["hostPathVolumes"],
    }],
};

/// Any of these makes a volume allowed, even next to a forbidden source. `image` is allowed at
/// every version (added retroactively upstream).
pub const ALLOWED: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// The restricted types, in the order upstream picks a volume's reported type.
pub const RESTRICTED: &[&str] = &[
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
];

fn restricted_volumes_v1_0(pod: &Pod) -> Option<Forbidden> {
    let mut names = Vec::new();
    let mut types = Vec::new();
    let mut fields = Vec::new();
    for (i, volume) in pod.spec.volumes.iter().enumerate() {
        if ALLOWED.iter().any(|s| volume.has(s)) {
            continue;
        }
        let path = spec_path().key("volumes").index(i);
        // With no known source, the whole volume is at fault.
        let (type_, path) = match RESTRICTED.iter().find(|s| volume.has(s)) {
            Some(&t) => (t, path.key(t)),
            None => ("unknown", path),
        };
        names.push(volume.name.as_str());
        types.push(type_);
        fields.push(FieldRef {
            path,
            container: None,
            remedy: Remedy::Remove,
        });
    }
    if names.is_empty() {
        return None;
    }
    let types = sorted_set(types);
    let detail = format!(
        "{} {} {} {} {}",
        plural(names.len(), "volume", "volumes"),
        quote_list(&names),
        plural(names.len(), "uses", "use"),
        plural(
            types.len(),
            "restricted volume type",
            "restricted volume types"
        ),
        quote_list(&types)
    );
    Some(Forbidden::new("restricted volume types", detail, fields))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::checks::test_support::*;
    use crate::pss::model::Volume;

    fn volume(name: &str, sources: &[&str]) -> Volume {
        Volume {
            name: name.into(),
            sources: sources.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn allows_allowed_types_even_next_to_forbidden_ones() {
        let mut pod = base_pod();
        for (i, t) in ALLOWED.iter().enumerate() {
            pod.spec.volumes.push(volume(&format!("v{i}"), &[t]));
        }
        pod.spec
            .volumes
            .push(volume("mixed", &["hostPath", "secret"]));
        assert_eq!(message(&CHECK, 0, &pod), None);
    }

    #[test]
    fn each_restricted_type_is_reported() {
        for t in RESTRICTED {
            let mut pod = restricted_pod();
            pod.spec.volumes.push(volume("volume1", &[t]));
            assert_eq!(
                message(&CHECK, 37, &pod),
                Some(format!(
                    r#"restricted volume types (volume "volume1" uses restricted volume type "{t}")"#
                ))
            );
        }
    }

    #[test]
    fn fixture_hostpathvolumes1() {
        let mut pod = base_pod();
        pod.spec
            .volumes
            .push(volume("volume-hostpath-a", &["hostPath"]));
        pod.spec
            .volumes
            .push(volume("volume-hostpath-b", &["hostPath"]));
        let f = run(&CHECK, 37, &pod).unwrap();
        assert_eq!(
            f.detail,
            r#"volumes "volume-hostpath-a", "volume-hostpath-b" use restricted volume type "hostPath""#
        );
        assert_eq!(
            fields(&f),
            [
                "spec.volumes[0].hostPath => Remove",
                "spec.volumes[1].hostPath => Remove"
            ]
        );
    }

    #[test]
    fn first_type_in_upstream_order_wins_and_types_are_sorted() {
        let mut pod = base_pod();
        pod.spec.volumes.push(volume("b", &["nfs", "gitRepo"]));
        pod.spec.volumes.push(volume("a", &["cephfs"]));
        pod.spec.volumes.push(volume("c", &["somethingNew"]));
        let f = run(&CHECK, 37, &pod).unwrap();
        assert_eq!(
            f.detail,
            r#"volumes "b", "a", "c" use restricted volume types "cephfs", "gitRepo", "unknown""#
        );
        assert_eq!(
            fields(&f),
            [
                "spec.volumes[0].gitRepo => Remove",
                "spec.volumes[1].cephfs => Remove",
                "spec.volumes[2] => Remove",
            ]
        );
    }
}
