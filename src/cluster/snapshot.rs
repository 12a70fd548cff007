//! `--cluster-snapshot FILE`: a snapshot of the live cluster read beside the manifests (see
//! [`crate::cluster`] for what it contributes).

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use crate::discover::{display_path, Discovered, Input, PathError};
use crate::policy::namespaces::ObservedNamespace;

/// The input a `--cluster-snapshot` value names (`-` is standard input).
fn input(path: &Path) -> Input {
    if path.as_os_str() == "-" {
        Input::Stdin
    } else {
        Input::File(path.to_path_buf())
    }
}

/// The display names of the snapshots, as diagnostics name their files.
pub fn names(paths: &[PathBuf]) -> BTreeSet<String> {
    paths.iter().map(|p| input(p).display()).collect()
}

/// Adds the snapshots to the inputs (once, even when a path names them too). A snapshot that
/// does not exist, or is a directory, is recorded in [`Discovered::missing`] (exit code 2).
pub fn add_inputs(found: &mut Discovered, paths: &[PathBuf]) {
    for path in paths {
        let input = input(path);
        if let Input::File(p) = &input {
            match std::fs::metadata(p) {
                Ok(meta) if meta.is_dir() => {
                    found.missing.push(PathError {
                        path: display_path(p),
                        message:
                            "a cluster snapshot is a file (kubectl get … -o yaml), not a directory"
                                .to_string(),
                    });
                    continue;
                }
                Ok(_) => {}
                Err(e) => {
                    found.missing.push(PathError {
                        path: display_path(p),
                        message: match e.kind() {
                            std::io::ErrorKind::NotFound => "no such cluster snapshot".to_string(),
                            _ => e.to_string(),
                        },
                    });
                    continue;
                }
            }
        }
        found.inputs.push(input);
    }
    found.inputs.sort();
    found.inputs.dedup();
}

/// The Namespace objects of a run, with the snapshot's copies dropped where a manifest declares
/// the same namespace with Pod Security labels (the manifests are what is rolled out), and the
/// manifests' first.
pub fn rank_namespaces(
    found: Vec<ObservedNamespace>,
    snapshots: &BTreeSet<String>,
) -> Vec<ObservedNamespace> {
    if snapshots.is_empty() {
        return found;
    }
    let (manifests, cluster): (Vec<_>, Vec<_>) = found
        .into_iter()
        .partition(|n| !snapshots.contains(&n.file));
    let labelled: HashSet<&str> = manifests
        .iter()
        .filter(|n| !n.labels.is_empty())
        .map(|n| n.name.as_str())
        .collect();
    let cluster: Vec<ObservedNamespace> = cluster
        .into_iter()
        .filter(|n| !labelled.contains(n.name.as_str()))
        .collect();
    manifests.into_iter().chain(cluster).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::labels::{Label, KEYS};

    fn ns(name: &str, file: &str, labelled: bool) -> ObservedNamespace {
        ObservedNamespace {
            name: name.into(),
            file: file.into(),
            line: 1,
            column: 1,
            labels: if labelled {
                vec![Label {
                    key: KEYS[0].2,
                    value: "baseline".into(),
                    is_string: true,
                    span: Default::default(),
                    source: String::new(),
                }]
            } else {
                Vec::new()
            },
        }
    }

    #[test]
    fn labelled_manifests_shadow_the_snapshot() {
        let snapshots = BTreeSet::from(["cluster.yaml".to_string()]);
        let ranked = rank_namespaces(
            vec![
                ns("shop", "cluster.yaml", true),
                ns("data", "cluster.yaml", true),
                ns("shop", "k8s/ns.yaml", true),
                ns("data", "k8s/ns.yaml", false),
            ],
            &snapshots,
        );
        let seen: Vec<(&str, &str)> = ranked
            .iter()
            .map(|n| (n.name.as_str(), n.file.as_str()))
            .collect();
        // `data` is declared without labels in the manifests: the cluster's labels still count.
        assert_eq!(
            seen,
            [
                ("shop", "k8s/ns.yaml"),
                ("data", "k8s/ns.yaml"),
                ("data", "cluster.yaml")
            ]
        );
    }

    #[test]
    fn snapshots_are_added_once_and_missing_ones_reported() {
        let dir = tempfile::tempdir().unwrap();
        let snap = dir.path().join("cluster.yaml");
        std::fs::write(&snap, "apiVersion: v1\nkind: List\nitems: []\n").unwrap();
        let mut found = Discovered {
            inputs: vec![Input::File(snap.clone())],
            ..Default::default()
        };
        add_inputs(
            &mut found,
            &[
                snap.clone(),
                dir.path().join("nope.yaml"),
                dir.path().into(),
            ],
        );
        assert_eq!(found.inputs, vec![Input::File(snap)]);
        assert_eq!(found.missing.len(), 2);
        assert!(found.missing[1].message.contains("not a directory"));
    }
}
