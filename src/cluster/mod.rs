//! The cluster side of a rollout: snapshots of a live cluster as input, and the run-wide
//! folding that keeps one workload from being reported several times.
//!
//! A snapshot is what `kubectl get ns -o yaml` and `kubectl get deploy,sts,ds,job,cronjob,pod -A
//! -o yaml` print: `kind: List` documents whose objects carry `status`, `managedFields`,
//! `ownerReferences`, `uid` and server-set defaults. psslint reads them as it reads any
//! manifest. Given with `--cluster-snapshot FILE` ([`snapshot`]), a snapshot is the cluster as it
//! is, beside the manifests in the paths:
//!
//! * its Namespace objects set the policy of every workload in their namespace, unless a
//!   manifest in the paths declares the same namespace with Pod Security labels (the manifests
//!   are what is being rolled out; the snapshot fills in what they leave out);
//! * its workloads are checked as the cluster's workloads, except that an object the manifests
//!   also define is represented by the manifest: the cluster's copy is folded into it, and only
//!   a finding the manifest does not have is reported (the cluster runs something else than the
//!   manifests say);
//! * its Pods, ReplicaSets and Jobs are folded into the workload that created them (see
//!   [`owners`]).
//!
//! Given as a plain path, a snapshot is one more input: everything in it is checked, and only
//! the folding of owned objects into their owners applies.

pub mod owners;
pub mod snapshot;
