//! `--cluster-snapshot FILE`: a snapshot of the live cluster, read beside the manifests.
//!
//! A snapshot is what `kubectl get ns -o yaml` and `kubectl get deploy,sts,ds,job,cronjob,pod -A
//! -o yaml` print: `kind: List` documents whose objects carry `status`, `managedFields`,
//! `ownerReferences`, `uid` and server-set defaults. psslint reads them as it reads any
//! manifest. Given with `--cluster-snapshot`, a snapshot is the cluster as it is, beside the
//! manifests in the paths:
//!
//! * its Namespace objects set the policy of every workload in their namespace, unless a
//!   manifest in the paths declares the same namespace with Pod Security labels (the manifests
//!   are what is being rolled out; the snapshot fills in what they leave out:
//!   [`crate::policy::namespaces::rank_snapshots`]);
//! * its workloads are checked as the cluster's workloads, except that an object the manifests
//!   also define is represented by the manifest: the cluster's copy is folded into it, and only
//!   a finding the manifest does not have is reported (the cluster runs something else than the
//!   manifests say);
//! * its Pods, ReplicaSets and Jobs are folded into the workload that created them.
//!
//! The folding is [`crate::lint::owners`]. Given as a plain path, a snapshot is one more input:
//! everything in it is checked, and only the folding of owned objects into their owners
//! applies.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::discover::{Discovered, PathError};
use super::{display_path, Input};

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

#[cfg(test)]
mod tests {
    use super::*;

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
