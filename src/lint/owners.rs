//! Folding objects into the workload they belong to, once every file is linted.
//!
//! A cluster holds each workload several times over: a Deployment, the ReplicaSet it created,
//! the Pods of that ReplicaSet; a CronJob, its Jobs, their Pods. They all carry the same pod
//! template, so the same violations; reporting each would count one workload many times. And a
//! snapshot of the cluster (`--cluster-snapshot`) holds a copy of every object the manifests
//! define. The pipeline records, for every workload it lints, who it is and who created it
//! ([`Records`]); [`fold`] then folds each object into its *representative*:
//!
//! * an object whose controller (`metadata.ownerReferences` with `controller: true`) is in the
//!   input is folded into it, and so on up the chain (Pod → Job → CronJob). When the owner's
//!   `uid` is known (both from a snapshot) it must match, so an orphan of a deleted and
//!   recreated owner is not folded. A Pod of a ReplicaSet that is not in the input (`kubectl get
//!   deploy,…,pod` lists no ReplicaSets) is folded into the Deployment the ReplicaSet is named
//!   after when the names agree the way the Deployment controller names them
//!   (`<deployment>-<pod-template-hash>`, the hash being the Pod's `pod-template-hash` label);
//!   Argo Rollouts name theirs the same way (`rollouts-pod-template-hash`);
//! * an object of a `--cluster-snapshot` that a manifest in the paths also defines (same
//!   namespace, API group, kind and name) is folded into the manifest.
//!
//! A folded object's findings that its representative also has (the same check, container and
//! upstream detail) are dropped, and so is the object itself when nothing is left: it is not
//! reported twice. A finding the representative does not have is kept, with a hint saying why
//! it differs (a mutating webhook, an older revision, a cluster that runs something else than
//! the manifests): failing closed, psslint never drops what PSA would still reject. One
//! difference is expected and explained: a Pod on the host network gets `hostPort` set from
//! `containerPort` by the API server (pss-spec §7.1), which its template does not show; its
//! `hostPorts` finding folds into the owner's `hostNamespaces` finding.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::manifest::Node;
use crate::model::diagnostic::{Diagnostic, ObjectRef, Severity};
use crate::model::report::{CheckedObject, Summary};
use crate::policy::exceptions::RunRecord;
use crate::workload::kinds::api_group;

/// Owners are followed this far up (Pod → ReplicaSet → Deployment is two steps).
const MAX_CHAIN: usize = 8;

/// Who an object is: namespace (empty for cluster-scoped objects), API group, kind and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Key {
    namespace: String,
    group: String,
    kind: String,
    name: String,
}

impl Key {
    fn of(object: &ObjectRef) -> Key {
        Key {
            namespace: object.namespace.clone(),
            group: api_group(&object.api_version).to_string(),
            kind: object.kind.clone(),
            name: object.name.clone(),
        }
    }

    /// `Deployment/web`.
    fn display(&self) -> String {
        format!("{}/{}", self.kind, self.name)
    }

    /// A 64-bit digest, for the manifests' workloads (see [`Recorded::manifests`]).
    fn digest(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::hash::DefaultHasher::new();
        self.hash(&mut h);
        h.finish()
    }
}

/// Where an object is written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Location {
    file: String,
    line: u32,
}

impl Location {
    fn display(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }
}

/// Where the copies of one object are.
#[derive(Debug, Clone, Default)]
struct Presence {
    /// Some copy is in the manifests (not a `--cluster-snapshot`).
    in_manifests: bool,
    /// The first copy in the manifests, when recorded in full.
    manifest: Option<Location>,
    /// The first copy in a snapshot.
    snapshot: Option<Location>,
    /// The `metadata.uid` of the copies that have one (objects read from a live cluster).
    uids: BTreeSet<String>,
    /// Some copy has no uid (a manifest).
    without_uid: bool,
}

impl Presence {
    fn merge(&mut self, other: Presence) {
        self.in_manifests |= other.in_manifests;
        self.manifest = min_option(self.manifest.take(), other.manifest);
        self.snapshot = min_option(self.snapshot.take(), other.snapshot);
        self.uids.extend(other.uids);
        self.without_uid |= other.without_uid;
    }

    /// Whether this is the object an owner reference with `uid` points to: a copy without a
    /// uid (a manifest) is, a copy from a live cluster only with the same uid.
    fn is(&self, uid: Option<&str>) -> bool {
        match uid {
            Some(want) => self.without_uid || self.uids.contains(want),
            None => true,
        }
    }
}

fn min_option<T: Ord>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// An owner reference with `controller: true`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Controller {
    api_version: String,
    kind: String,
    name: String,
    uid: Option<String>,
}

/// An object that may be folded into another: it has a controller, or it comes from a
/// snapshot (and may be the copy of a manifest).
#[derive(Debug, Clone)]
struct Candidate {
    key: Key,
    at: Location,
    from_snapshot: bool,
    is_pod: bool,
    /// Its pod template was evaluated (not exempt).
    evaluated: bool,
    controller: Option<Controller>,
    /// `(label, value)`: `pod-template-hash` or `rollouts-pod-template-hash`.
    template_hash: Option<(&'static str, String)>,
}

/// What the lint pipeline saw of the objects of one run (merged across files and threads).
///
/// Memory: an entry per workload that can own another (not per Pod) and per object of a
/// snapshot; a stream of a million Pods without owners records nothing.
#[derive(Debug, Default)]
pub struct Records {
    /// Allocated on the first object worth recording (most documents have none).
    inner: Option<Box<Recorded>>,
}

#[derive(Debug, Default)]
struct Recorded {
    /// Objects from a snapshot or a live cluster (with a `uid`), in full.
    present: HashMap<Key, Presence>,
    /// The digests of the manifests' other workloads (a manifest carries no uid): they can
    /// only be owners, or the manifest of a snapshot's copy, so whether they are there is all
    /// that counts, in 8 bytes each. (A false match of two digests could only fold an object
    /// into one that reports nothing, which drops no finding.)
    manifests: HashSet<u64>,
    candidates: Vec<Candidate>,
}

impl Recorded {
    /// Where the copies of `key` are, if anywhere.
    fn presence(&self, key: &Key) -> Option<Presence> {
        let full = self.present.get(key).cloned();
        if !self.manifests.contains(&key.digest()) {
            return full;
        }
        let mut p = full.unwrap_or_default();
        p.in_manifests = true;
        p.without_uid = true;
        Some(p)
    }
}

/// One object as the pipeline saw it.
pub struct Seen<'a> {
    pub file: &'a str,
    pub object: &'a ObjectRef,
    /// The object's node (its `metadata` is read).
    pub node: &'a Node,
    pub line: u32,
    /// A `Pod` (which owns nothing), as opposed to a workload resource or a Namespace.
    pub is_pod: bool,
    /// Its pod template was evaluated (not exempt).
    pub evaluated: bool,
    /// The file is a `--cluster-snapshot`.
    pub from_snapshot: bool,
    /// Some input of the run is a `--cluster-snapshot`.
    pub snapshots_in_run: bool,
}

impl Records {
    pub fn merge(&mut self, other: Records) {
        let Some(other) = other.inner else { return };
        let Some(mine) = self.inner.as_mut() else {
            self.inner = Some(other);
            return;
        };
        let other = *other;
        if mine.present.len() < other.present.len() {
            let small = std::mem::replace(&mut mine.present, other.present);
            merge_present(&mut mine.present, small);
        } else {
            merge_present(&mut mine.present, other.present);
        }
        if mine.manifests.len() < other.manifests.len() {
            let small = std::mem::replace(&mut mine.manifests, other.manifests);
            mine.manifests.extend(small);
        } else {
            mine.manifests.extend(other.manifests);
        }
        mine.candidates.extend(other.candidates);
    }

    /// Records one object.
    pub fn record(&mut self, seen: &Seen<'_>) {
        let key = Key::of(seen.object);
        let meta = seen.node.get("metadata");
        let string = |n: Option<&Node>| n.and_then(Node::as_str).map(str::to_string);
        let at = Location {
            file: seen.file.to_string(),
            line: seen.line,
        };
        let controller = meta
            .and_then(|m| m.get("ownerReferences"))
            .and_then(Node::as_seq)
            .and_then(|refs| {
                refs.iter().find(|r| {
                    r.get("controller")
                        .is_some_and(|c| matches!(c.value, crate::manifest::Value::Bool(true)))
                })
            })
            .and_then(|r| {
                Some(Controller {
                    api_version: string(r.get("apiVersion"))?,
                    kind: string(r.get("kind"))?,
                    name: string(r.get("name"))?,
                    uid: string(r.get("uid")).filter(|u| !u.is_empty()),
                })
            })
            .filter(|c| !c.kind.is_empty() && !c.name.is_empty());
        let uid = string(meta.and_then(|m| m.get("uid"))).filter(|u| !u.is_empty());
        if seen.from_snapshot || uid.is_some() {
            let mut presence = Presence::default();
            if seen.from_snapshot {
                presence.snapshot = Some(at.clone());
            } else {
                presence.in_manifests = true;
                presence.manifest = Some(at.clone());
            }
            match uid {
                Some(uid) => {
                    presence.uids.insert(uid);
                }
                None => presence.without_uid = true,
            }
            self.recorded()
                .present
                .entry(key.clone())
                .or_default()
                .merge(presence);
        } else if !seen.is_pod || seen.snapshots_in_run {
            self.recorded().manifests.insert(key.digest());
        }
        if controller.is_none() && !seen.from_snapshot {
            return;
        }
        let labels = meta.and_then(|m| m.get("labels"));
        let template_hash = TEMPLATE_HASH_LABELS.iter().find_map(|(label, _, _)| {
            let value = labels.and_then(|l| l.get(label)).and_then(Node::as_str)?;
            (!value.is_empty()).then(|| (*label, value.to_string()))
        });
        self.recorded().candidates.push(Candidate {
            key,
            at,
            from_snapshot: seen.from_snapshot,
            is_pod: seen.is_pod,
            evaluated: seen.evaluated,
            controller,
            template_hash,
        });
    }
}

impl Records {
    fn recorded(&mut self) -> &mut Recorded {
        self.inner.get_or_insert_with(Box::default)
    }
}

fn merge_present(into: &mut HashMap<Key, Presence>, from: HashMap<Key, Presence>) {
    for (k, p) in from {
        into.entry(k).or_default().merge(p);
    }
}

/// The label on a Pod (and its ReplicaSet) that names its ReplicaSet's template hash, and the
/// workload that names ReplicaSets `<name>-<hash>`: (label, group, kind).
const TEMPLATE_HASH_LABELS: [(&str, &str, &str); 2] = [
    ("pod-template-hash", "apps", "Deployment"),
    ("rollouts-pod-template-hash", "argoproj.io", "Rollout"),
];

/// How an object relates to its representative.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    /// Created by it (directly or up a chain of owners).
    Owned,
    /// The cluster's copy of an object the manifests define.
    Copy,
}

/// One folded object.
struct Folded<'c> {
    candidate: &'c Candidate,
    relation: Relation,
    /// The objects up the chain, nearest first; the last is the representative.
    chain: Vec<Key>,
    rep: Key,
}

/// What [`fold`] works on: the parts of a run's results it changes.
pub struct Run<'a> {
    pub diagnostics: &'a mut Vec<Diagnostic>,
    pub objects: &'a mut Vec<CheckedObject>,
    pub summary: &'a mut Summary,
    pub exceptions: &'a mut RunRecord,
    /// The display names of the `--cluster-snapshot` files.
    pub snapshots: &'a BTreeSet<String>,
}

/// Folds every object into its representative (see the module docs).
pub fn fold(records: Records, run: Run<'_>) {
    let Some(records) = records.inner else { return };
    if records.candidates.is_empty() {
        return;
    }
    let by_key: HashMap<&Key, Vec<&Candidate>> = records.candidates.iter().fold(
        HashMap::new(),
        |mut m: HashMap<&Key, Vec<&Candidate>>, c| {
            m.entry(&c.key).or_default().push(c);
            m
        },
    );
    let folded: Vec<Folded<'_>> = records
        .candidates
        .iter()
        .filter_map(|c| {
            let (chain, relation) = representative(c, &records, &by_key)?;
            Some(Folded {
                candidate: c,
                relation,
                rep: chain.last()?.clone(),
                chain,
            })
        })
        .collect();
    if folded.is_empty() {
        return;
    }

    // The diagnostics of every object involved, by key.
    let wanted: HashSet<&Key> = folded
        .iter()
        .flat_map(|f| std::iter::once(&f.candidate.key).chain(&f.chain))
        .collect();
    let mut of_key: HashMap<Key, Vec<usize>> = HashMap::new();
    for (i, d) in run.diagnostics.iter().enumerate() {
        if let Some(object) = &d.object {
            let key = Key::of(object);
            if wanted.contains(&key) {
                of_key.entry(key).or_default().push(i);
            }
        }
    }

    // What explains a folded object's findings: what the objects up its chain report (all
    // their copies: a Pod the cluster's Deployment explains is not reported again beside it),
    // or, for the cluster's copy of a manifest, what the manifest reports (never another
    // snapshot's copy: two copies must not explain each other away).
    let explaining = |f: &Folded<'_>| -> Vec<&Diagnostic> {
        f.chain
            .iter()
            .flat_map(|key| of_key.get(key).into_iter().flatten())
            .map(|&i| &run.diagnostics[i])
            .filter(|d| f.relation == Relation::Owned || !run.snapshots.contains(&d.file))
            .collect()
    };

    let mut drop = vec![false; run.diagnostics.len()];
    let mut hints: Vec<(usize, String)> = Vec::new();
    let mut gone: HashSet<(String, u32, Key)> = HashSet::new();
    let mut copies: HashSet<(String, Key)> = HashSet::new();
    for f in &folded {
        let c = f.candidate;
        let rep_diags = explaining(f);
        let keys: HashSet<(&str, Option<&str>, &str)> =
            rep_diags.iter().map(|d| finding_key(d)).collect();
        let host_network = rep_diags.iter().any(|d| {
            d.rule == "hostNamespaces"
                && d.detail
                    .as_deref()
                    .is_some_and(|t| t.contains("hostNetwork"))
        });
        let mine: Vec<usize> = of_key
            .get(&c.key)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&i| run.diagnostics[i].file == c.at.file)
            .collect();
        let mut kept_pss = false;
        for i in mine {
            let d = &run.diagnostics[i];
            let explained = keys.contains(&finding_key(d))
                // The API server sets hostPort on a Pod on the host network (pss-spec §7.1).
                || (c.is_pod && host_network && d.rule == "hostPorts");
            if explained {
                drop[i] = true;
            } else {
                kept_pss |= d.level.is_some();
                hints.push((i, drift_hint(f, &records, run.objects, run.snapshots)));
            }
        }
        if !kept_pss {
            gone.insert((c.at.file.clone(), c.at.line, c.key.clone()));
            if c.evaluated {
                run.summary.folded += 1;
                run.summary.pod_templates = run.summary.pod_templates.saturating_sub(1);
            }
        }
        if f.relation == Relation::Copy {
            copies.insert((c.at.file.clone(), c.key.clone()));
        }
    }

    // A cluster copy's annotation exceptions are the manifest's: listed once, from the manifest.
    let mut copied_exceptions: HashSet<(String, u32, u32)> = HashSet::new();
    run.exceptions.records.retain(|r| {
        let copy = copies.iter().any(|(file, key)| {
            *file == r.file
                && key.namespace == r.namespace
                && key.kind == r.kind
                && key.name == r.name
        });
        if copy {
            copied_exceptions.insert((r.file.clone(), r.line, r.column));
        }
        !copy
    });
    for (i, d) in run.diagnostics.iter().enumerate() {
        if d.rule.starts_with("exception-")
            && d.object.is_none()
            && copied_exceptions.contains(&(d.file.clone(), d.line, d.column))
        {
            drop[i] = true;
        }
    }

    for (i, hint) in hints {
        if drop[i] {
            continue;
        }
        let d = &mut run.diagnostics[i];
        d.hint = Some(match d.hint.take() {
            Some(h) => format!("{h}; {hint}"),
            None => hint,
        });
    }
    // Findings an exception covered no longer count for it.
    for (i, d) in run.diagnostics.iter().enumerate() {
        if !drop[i] || d.severity != Severity::Note {
            continue;
        }
        if let Some(index) = d.policy.exception.as_ref().and_then(|e| e.config_index) {
            if let Some(n) = run.exceptions.config_covered.get_mut(&index) {
                *n = n.saturating_sub(1);
            }
        }
    }
    let mut i = 0;
    run.diagnostics.retain(|_| {
        i += 1;
        !drop[i - 1]
    });
    run.objects
        .retain(|o| !gone.contains(&(o.file.clone(), o.line, Key::of(&o.object))));
}

/// A finding's identity across copies of one pod template.
fn finding_key(d: &Diagnostic) -> (&str, Option<&str>, &str) {
    (
        d.rule.as_str(),
        d.container.as_deref(),
        d.detail.as_deref().unwrap_or(d.message.as_str()),
    )
}

/// The objects up from `c` (nearest first; the last is its representative) and how `c`
/// relates to them, if it folds into anything. A chain that comes back to an object it passed
/// folds nothing: owner references in a circle (a crafted input) must not fold objects into
/// each other and drop the findings of all of them.
fn representative(
    c: &Candidate,
    present: &Recorded,
    by_key: &HashMap<&Key, Vec<&Candidate>>,
) -> Option<(Vec<Key>, Relation)> {
    let (first, relation) = parent(c, present)?;
    if relation == Relation::Copy {
        return Some((vec![first], relation));
    }
    if first == c.key {
        return None;
    }
    let mut chain = vec![first];
    let mut seen: HashSet<Key> = HashSet::from([c.key.clone(), chain[0].clone()]);
    for _ in 0..MAX_CHAIN {
        // The owner's own owner, from the owner's copy that has one (its snapshot copy, or a
        // manifest that names a controller); the manifest of a snapshot's copy ends the chain.
        let here = chain.last()?.clone();
        let next = by_key
            .get(&here)
            .into_iter()
            .flatten()
            .find_map(|o| parent(o, present));
        match next {
            None => break,
            Some((_, Relation::Copy)) => break,
            Some((k, Relation::Owned)) => {
                if !seen.insert(k.clone()) {
                    return None;
                }
                chain.push(k);
            }
        }
    }
    Some((chain, relation))
}

/// The next object up from `c`: its manifest copy, or its controller when that is in the input.
fn parent(c: &Candidate, present: &Recorded) -> Option<(Key, Relation)> {
    if c.from_snapshot && present.presence(&c.key).is_some_and(|p| p.in_manifests) {
        return Some((c.key.clone(), Relation::Copy));
    }
    let o = c.controller.as_ref()?;
    let owner = Key {
        namespace: c.key.namespace.clone(),
        group: api_group(&o.api_version).to_string(),
        kind: o.kind.clone(),
        name: o.name.clone(),
    };
    if present
        .presence(&owner)
        .is_some_and(|p| p.is(o.uid.as_deref()))
    {
        return Some((owner, Relation::Owned));
    }
    // A ReplicaSet that is not in the input, named after its Deployment (or Rollout).
    if owner.group != "apps" || owner.kind != "ReplicaSet" {
        return None;
    }
    let (label, hash) = c.template_hash.as_ref()?;
    let (_, group, kind) = TEMPLATE_HASH_LABELS.iter().find(|(l, _, _)| l == label)?;
    let name = owner.name.strip_suffix(hash.as_str())?.strip_suffix('-')?;
    let workload = Key {
        namespace: owner.namespace,
        group: group.to_string(),
        kind: kind.to_string(),
        name: name.to_string(),
    };
    present
        .presence(&workload)
        .is_some()
        .then_some((workload, Relation::Owned))
}

/// Why a folded object still reports a finding.
fn drift_hint(
    f: &Folded<'_>,
    present: &Recorded,
    objects: &[CheckedObject],
    snapshots: &BTreeSet<String>,
) -> String {
    let c = f.candidate;
    // The representative's manifest when it has one (found by its checked object when it was
    // recorded by digest only), else its snapshot copy.
    let rep_at = present
        .presence(&f.rep)
        .and_then(|p| {
            if p.in_manifests {
                p.manifest.or_else(|| {
                    objects
                        .iter()
                        .find(|o| Key::of(&o.object) == f.rep && !snapshots.contains(&o.file))
                        .map(|o| Location {
                            file: o.file.clone(),
                            line: o.line,
                        })
                })
            } else {
                p.snapshot
            }
        })
        .map(|l| format!(" ({})", l.display()))
        .unwrap_or_else(|| match f.relation {
            Relation::Copy => String::new(),
            Relation::Owned => " (in the manifests)".to_string(),
        });
    match f.relation {
        Relation::Copy => format!(
            "the cluster's {} fails this check but its manifest{rep_at} does not: the cluster \
             runs something else than the manifests; enforcing judges what the cluster runs",
            c.key.display()
        ),
        Relation::Owned => format!(
            "{} is created by {}{rep_at}, whose pod template does not fail this check: a \
             mutating admission webhook or an earlier revision changed it, so enforcing may \
             reject Pods that the template does not show",
            c.key.display(),
            f.rep.display()
        ),
    }
}
