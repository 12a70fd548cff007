//! Snapshots of a cluster generated from manifests, to the shape `kubectl get
//! ns,deploy,sts,ds,job,cronjob,pod -A -o yaml` prints after `kubectl apply`: every object with
//! `uid`, `resourceVersion`, `creationTimestamp`, `managedFields`, the last-applied annotation,
//! server-set defaults and `status`; Deployments' Pods (owned by ReplicaSets the listing does not
//! include), StatefulSets', DaemonSets' and Jobs' Pods, and each CronJob's last Job and its Pod,
//! all with `ownerReferences`; and the namespaces every cluster has.
//!
//! The API server's defaulting is applied as it is: to Pods and to pod templates alike, except
//! `hostPort` from `containerPort` on the host network, which only Pods get (pss-spec §7.1).

use std::path::Path;

use serde_json::{json, Map, Value};

use psslint::manifest::object::objects;
use psslint::manifest::split::split_stream;
use psslint::manifest::yaml::{parse_document, ParseOptions};

/// What to list besides the built-in kinds.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Also list Argo Rollouts (`kubectl get …,rollouts.argoproj.io`).
    pub rollouts: bool,
    /// Also list ReplicaSets (`kubectl get …,rs`).
    pub replica_sets: bool,
}

/// Every object of the manifest files under `paths` (files or directories), `*List` items
/// flattened, in path order.
pub fn load_manifests(paths: &[&Path]) -> Vec<Value> {
    let mut files = Vec::new();
    for p in paths {
        collect(p, &mut files);
    }
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("readable manifest");
        let (chunks, _) = split_stream(&text);
        for chunk in chunks {
            let doc = parse_document(chunk.text, chunk.start_line, &ParseOptions::default());
            let Some(root) = doc.root else { continue };
            for (_, node) in objects(&root) {
                out.push(node.to_json());
            }
        }
    }
    out
}

fn collect(p: &Path, out: &mut Vec<std::path::PathBuf>) {
    if p.is_dir() {
        for e in std::fs::read_dir(p).expect("readable directory") {
            collect(&e.expect("entry").path(), out);
        }
    } else if matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    ) {
        out.push(p.to_path_buf());
    }
}

/// The snapshot of a cluster to which `manifests` were applied.
pub fn snapshot(manifests: &[Value], opts: &Options) -> Value {
    let mut g = Cluster::default();
    let mut namespaces: Vec<String> = ["default", "kube-node-lease", "kube-public", "kube-system"]
        .map(String::from)
        .to_vec();
    for m in manifests {
        if m["kind"] == "Namespace" {
            continue;
        }
        if let Some(ns) = m["metadata"]["namespace"].as_str() {
            namespaces.push(ns.to_string());
        }
    }
    let declared: Vec<&Value> = manifests
        .iter()
        .filter(|m| m["kind"] == "Namespace")
        .collect();
    namespaces.retain(|n| {
        !declared
            .iter()
            .any(|d| d["metadata"]["name"] == *n.as_str())
    });
    namespaces.sort();
    namespaces.dedup();
    for d in declared {
        g.namespace(Some(d), d["metadata"]["name"].as_str().unwrap_or_default());
    }
    for n in &namespaces {
        g.namespace(None, n);
    }
    for m in manifests {
        let kind = m["kind"].as_str().unwrap_or_default();
        let listed = matches!(
            kind,
            "Deployment" | "StatefulSet" | "DaemonSet" | "Job" | "CronJob" | "Pod"
        ) || (kind == "Rollout" && opts.rollouts);
        let applied = g.applied(m);
        match kind {
            "Deployment" | "Rollout" => g.replica_set_pods(&applied, opts),
            "StatefulSet" => g.stateful_pods(&applied),
            "DaemonSet" => g.daemon_pods(&applied),
            "Job" => g.job_pods(&applied),
            "CronJob" => g.cron_job(&applied),
            _ => {}
        }
        if listed {
            g.items.push(applied);
        }
    }
    json!({"apiVersion": "v1", "items": g.items, "kind": "List", "metadata": {"resourceVersion": ""}})
}

#[derive(Default)]
struct Cluster {
    items: Vec<Value>,
    version: u64,
}

/// The alphabet Kubernetes uses for generated name suffixes (`SafeEncodeString`).
const SAFE: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
const NODES: [&str; 2] = ["node-a", "node-b"];
const CREATED: &str = "2026-03-01T10:00:00Z";

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf29ce484222325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    })
}

/// `n` characters of a generated suffix, from `seed`.
fn suffix(seed: &str, n: usize) -> String {
    let mut h = fnv(seed);
    (0..n)
        .map(|_| {
            let c = SAFE[(h % SAFE.len() as u64) as usize] as char;
            h = (h / SAFE.len() as u64) ^ fnv(&format!("{seed}{h}"));
            c
        })
        .collect()
}

fn uid(seed: &str) -> String {
    let a = fnv(seed);
    let b = fnv(&format!("{seed}/uid"));
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        b >> 52,
        b & 0xffff_ffff_ffff
    )
}

impl Cluster {
    fn next_version(&mut self) -> String {
        self.version += 1;
        (41_000 + self.version).to_string()
    }

    /// Metadata the API server sets on every object.
    fn server_meta(&mut self, obj: &mut Value, manager: &str, applied: Option<&Value>) {
        let kind = obj["kind"].as_str().unwrap_or_default().to_string();
        let meta = obj["metadata"].as_object_mut().expect("metadata");
        let name = meta["name"].as_str().unwrap_or_default().to_string();
        let ns = meta
            .get("namespace")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        meta.insert("uid".into(), uid(&format!("{kind}/{ns}/{name}")).into());
        meta.insert("creationTimestamp".into(), CREATED.into());
        let fields = fields_v1(applied.unwrap_or(&Value::Null));
        let mut managed = vec![json!({
            "apiVersion": obj["apiVersion"],
            "fieldsType": "FieldsV1",
            "fieldsV1": fields,
            "manager": manager,
            "operation": "Update",
            "time": CREATED,
        })];
        if kind != "Namespace" {
            managed.push(json!({
                "apiVersion": obj["apiVersion"],
                "fieldsType": "FieldsV1",
                "fieldsV1": {"f:status": {".": {}, "f:conditions": {}}},
                "manager": "kube-controller-manager",
                "operation": "Update",
                "subresource": "status",
                "time": CREATED,
            }));
        }
        let version = self.next_version();
        let meta = obj["metadata"].as_object_mut().expect("metadata");
        meta.insert("managedFields".into(), Value::Array(managed));
        meta.insert("resourceVersion".into(), version.into());
    }

    fn namespace(&mut self, manifest: Option<&Value>, name: &str) {
        let mut ns = manifest.cloned().unwrap_or_else(
            || json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}),
        );
        let applied = manifest.map(last_applied);
        let meta = ns["metadata"].as_object_mut().expect("metadata");
        let labels = meta.entry("labels").or_insert_with(|| json!({}));
        labels["kubernetes.io/metadata.name"] = name.into();
        if let Some(a) = &applied {
            annotate(meta, a);
        }
        let manager = if manifest.is_some() {
            "kubectl-client-side-apply"
        } else {
            "kube-apiserver"
        };
        self.server_meta(&mut ns, manager, applied.as_ref().map(|a| &a.1));
        ns["spec"] = json!({"finalizers": ["kubernetes"]});
        ns["status"] = json!({"phase": "Active"});
        self.items.push(ns);
    }

    /// `kubectl apply` of one manifest: defaults, server metadata, status.
    fn applied(&mut self, manifest: &Value) -> Value {
        let mut obj = manifest.clone();
        let applied = last_applied(manifest);
        let meta = obj["metadata"].as_object_mut().expect("metadata");
        meta.entry("namespace").or_insert_with(|| "default".into());
        annotate(meta, &applied);
        let kind = obj["kind"].as_str().unwrap_or_default().to_string();
        if kind != "Pod" && kind != "Namespace" {
            obj["metadata"]["generation"] = 1.into();
        }
        if kind == "Deployment" {
            obj["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = "1".into();
        }
        self.server_meta(&mut obj, "kubectl-client-side-apply", Some(&applied.1));
        let replicas = obj["spec"]["replicas"].as_u64().unwrap_or(1);
        match kind.as_str() {
            "Pod" => {
                let ns = obj["metadata"]["namespace"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                let name = obj["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                pod_defaults(&mut obj, &ns, &name, NODES[0]);
                obj["status"] = pod_status(&obj, &name);
            }
            "Deployment" | "Rollout" | "StatefulSet" | "DaemonSet" | "ReplicaSet" => {
                let spec = obj["spec"].as_object_mut().expect("spec");
                spec.entry("replicas").or_insert(1.into());
                spec.entry("revisionHistoryLimit").or_insert(10.into());
                if kind == "Deployment" {
                    spec.entry("progressDeadlineSeconds").or_insert(600.into());
                    spec.entry("strategy").or_insert(json!({"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}, "type": "RollingUpdate"}));
                }
                if kind == "StatefulSet" {
                    spec.entry("podManagementPolicy")
                        .or_insert("OrderedReady".into());
                    spec.entry("updateStrategy").or_insert(
                        json!({"rollingUpdate": {"partition": 0}, "type": "RollingUpdate"}),
                    );
                }
                if kind == "DaemonSet" {
                    spec.remove("replicas");
                    spec.entry("updateStrategy").or_insert(json!({"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}, "type": "RollingUpdate"}));
                }
                template_defaults(&mut obj["spec"]["template"]);
                obj["status"] = json!({
                    "availableReplicas": replicas, "observedGeneration": 1, "readyReplicas": replicas,
                    "replicas": replicas, "updatedReplicas": replicas,
                    "conditions": [{"lastTransitionTime": CREATED, "lastUpdateTime": CREATED, "message": "ReplicaSet has successfully progressed.", "reason": "NewReplicaSetAvailable", "status": "True", "type": "Progressing"}],
                });
            }
            "Job" => {
                job_defaults(&mut obj);
                obj["status"] = json!({"active": 1, "ready": 1, "startTime": CREATED, "uncountedTerminatedPods": {}});
            }
            "CronJob" => {
                let spec = obj["spec"].as_object_mut().expect("spec");
                spec.entry("concurrencyPolicy").or_insert("Allow".into());
                spec.entry("failedJobsHistoryLimit").or_insert(1.into());
                spec.entry("successfulJobsHistoryLimit").or_insert(3.into());
                spec.entry("suspend").or_insert(false.into());
                template_defaults(&mut obj["spec"]["jobTemplate"]["spec"]["template"]);
                if !obj["spec"]["jobTemplate"]["metadata"].is_object() {
                    obj["spec"]["jobTemplate"]["metadata"] = json!({"creationTimestamp": null});
                }
                obj["status"] = json!({"lastScheduleTime": "2026-03-20T06:00:00Z", "lastSuccessfulTime": "2026-03-20T06:00:07Z"});
            }
            _ => {}
        }
        obj
    }

    /// The Pods of a Deployment's (or Rollout's) current ReplicaSet.
    fn replica_set_pods(&mut self, owner: &Value, opts: &Options) {
        let (ns, name) = ns_name(owner);
        let hash = suffix(&format!("{ns}/{name}/template"), 10);
        let rs_name = format!("{name}-{hash}");
        let hash_label = if owner["kind"] == "Rollout" {
            "rollouts-pod-template-hash"
        } else {
            "pod-template-hash"
        };
        let rs_uid = uid(&format!("ReplicaSet/{ns}/{rs_name}"));
        if opts.replica_sets {
            let mut rs = json!({
                "apiVersion": "apps/v1", "kind": "ReplicaSet",
                "metadata": {"name": rs_name, "namespace": ns, "labels": owner["spec"]["template"]["metadata"]["labels"],
                    "ownerReferences": [owner_ref(owner)]},
                "spec": {"replicas": owner["spec"]["replicas"], "selector": owner["spec"]["selector"], "template": owner["spec"]["template"]},
            });
            rs["metadata"]["labels"][hash_label] = hash.clone().into();
            rs["spec"]["template"]["metadata"]["labels"][hash_label] = hash.clone().into();
            self.server_meta(&mut rs, "kube-controller-manager", None);
            rs["status"] = json!({"availableReplicas": owner["spec"]["replicas"], "observedGeneration": 1, "replicas": owner["spec"]["replicas"]});
            self.items.push(rs);
        }
        let rs_ref = json!({"apiVersion": "apps/v1", "blockOwnerDeletion": true, "controller": true, "kind": "ReplicaSet", "name": rs_name, "uid": rs_uid});
        let replicas = owner["spec"]["replicas"].as_u64().unwrap_or(1);
        for i in 0..replicas {
            let pod_name = format!("{rs_name}-{}", suffix(&format!("{rs_name}/{i}"), 5));
            let mut labels = owner["spec"]["template"]["metadata"]["labels"].clone();
            labels[hash_label] = hash.clone().into();
            self.pod(
                owner,
                &pod_name,
                Some(&format!("{rs_name}-")),
                labels,
                rs_ref.clone(),
                i as usize,
            );
        }
    }

    fn stateful_pods(&mut self, owner: &Value) {
        let (ns, name) = ns_name(owner);
        for i in 0..owner["spec"]["replicas"].as_u64().unwrap_or(1) {
            let pod_name = format!("{name}-{i}");
            let mut labels = owner["spec"]["template"]["metadata"]["labels"].clone();
            labels["apps.kubernetes.io/pod-index"] = i.to_string().into();
            labels["controller-revision-hash"] =
                format!("{name}-{}", suffix(&format!("{ns}/{name}/rev"), 10)).into();
            labels["statefulset.kubernetes.io/pod-name"] = pod_name.clone().into();
            self.pod(owner, &pod_name, None, labels, owner_ref(owner), i as usize);
        }
    }

    fn daemon_pods(&mut self, owner: &Value) {
        let (ns, name) = ns_name(owner);
        for (i, node) in NODES.iter().enumerate() {
            let pod_name = format!("{name}-{}", suffix(&format!("{ns}/{name}/{node}"), 5));
            let mut labels = owner["spec"]["template"]["metadata"]["labels"].clone();
            labels["controller-revision-hash"] = suffix(&format!("{ns}/{name}/rev"), 10).into();
            labels["pod-template-generation"] = "1".into();
            self.pod(
                owner,
                &pod_name,
                Some(&format!("{name}-")),
                labels,
                owner_ref(owner),
                i,
            );
        }
    }

    fn job_pods(&mut self, job: &Value) {
        let (_, name) = ns_name(job);
        let job_uid = job["metadata"]["uid"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let pod_name = format!("{name}-{}", suffix(&format!("{name}/pod"), 5));
        let mut labels = job["spec"]["template"]["metadata"]["labels"].clone();
        if !labels.is_object() {
            labels = json!({});
        }
        for (k, v) in [
            ("batch.kubernetes.io/controller-uid", job_uid.as_str()),
            ("batch.kubernetes.io/job-name", name.as_str()),
            ("controller-uid", job_uid.as_str()),
            ("job-name", name.as_str()),
        ] {
            labels[k] = v.into();
        }
        self.pod(
            job,
            &pod_name,
            Some(&format!("{name}-")),
            labels,
            owner_ref(job),
            0,
        );
    }

    /// The CronJob's last Job (owned by it) and that Job's Pod.
    fn cron_job(&mut self, cron: &Value) {
        let (ns, name) = ns_name(cron);
        let job_name = format!("{name}-29043720");
        let mut job = json!({
            "apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": job_name, "namespace": ns, "ownerReferences": [owner_ref(cron)],
                "labels": cron["spec"]["jobTemplate"]["metadata"]["labels"]},
            "spec": cron["spec"]["jobTemplate"]["spec"],
        });
        if !job["metadata"]["labels"].is_object() {
            job["metadata"]
                .as_object_mut()
                .expect("metadata")
                .remove("labels");
        }
        job["metadata"]["annotations"] =
            json!({"batch.kubernetes.io/cronjob-scheduled-timestamp": "2026-03-20T06:00:00Z"});
        self.server_meta(&mut job, "kube-controller-manager", None);
        job["metadata"]["generation"] = 1.into();
        job_defaults(&mut job);
        job["status"] = json!({"completionTime": "2026-03-20T06:00:07Z", "conditions": [{"lastProbeTime": "2026-03-20T06:00:07Z", "lastTransitionTime": "2026-03-20T06:00:07Z", "status": "True", "type": "Complete"}], "ready": 0, "startTime": "2026-03-20T06:00:00Z", "succeeded": 1, "terminating": 0, "uncountedTerminatedPods": {}});
        self.job_pods(&job);
        self.items.push(job);
    }

    /// One Pod created by a controller from `owner`'s pod template.
    fn pod(
        &mut self,
        owner: &Value,
        name: &str,
        generate: Option<&str>,
        labels: Value,
        owner_ref: Value,
        index: usize,
    ) {
        let (ns, _) = ns_name(owner);
        let template = match owner["kind"].as_str() {
            Some("CronJob") => &owner["spec"]["jobTemplate"]["spec"]["template"],
            _ => &owner["spec"]["template"],
        };
        let mut meta = Map::new();
        if let Some(a) = template["metadata"]["annotations"].as_object() {
            meta.insert("annotations".into(), Value::Object(a.clone()));
        }
        if let Some(g) = generate {
            meta.insert("generateName".into(), g.into());
        }
        meta.insert("labels".into(), labels);
        meta.insert("name".into(), name.into());
        meta.insert("namespace".into(), ns.clone().into());
        meta.insert("ownerReferences".into(), json!([owner_ref]));
        let mut pod =
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": template["spec"]});
        self.server_meta(&mut pod, "kube-controller-manager", None);
        pod["metadata"]["managedFields"]
            .as_array_mut()
            .expect("managed")[1]["manager"] = "kubelet".into();
        pod_defaults(&mut pod, &ns, name, NODES[index % NODES.len()]);
        pod["status"] = pod_status(&pod, name);
        self.items.push(pod);
    }
}

fn ns_name(obj: &Value) -> (String, String) {
    (
        obj["metadata"]["namespace"]
            .as_str()
            .unwrap_or("default")
            .to_string(),
        obj["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

fn owner_ref(owner: &Value) -> Value {
    json!({
        "apiVersion": owner["apiVersion"], "blockOwnerDeletion": true, "controller": true,
        "kind": owner["kind"], "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"],
    })
}

/// The manifest as `kubectl apply` records it, and the fields it owns.
fn last_applied(manifest: &Value) -> (String, Value) {
    let mut m = manifest.clone();
    if let Some(meta) = m["metadata"].as_object_mut() {
        if let Some(a) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
            a.remove("kubectl.kubernetes.io/last-applied-configuration");
        }
    }
    (format!("{}\n", serde_json::to_string(&m).expect("JSON")), m)
}

fn annotate(meta: &mut Map<String, Value>, applied: &(String, Value)) {
    let a = meta.entry("annotations").or_insert_with(|| json!({}));
    a["kubectl.kubernetes.io/last-applied-configuration"] = applied.0.clone().into();
}

/// `FieldsV1` for the fields an apply set: `f:` keys, containers keyed by name.
fn fields_v1(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            out.insert(".".into(), json!({}));
            for (k, v) in m {
                if k == "apiVersion" || k == "kind" {
                    continue;
                }
                let child = match (k.as_str(), v) {
                    (
                        "containers" | "initContainers" | "ephemeralContainers",
                        Value::Array(items),
                    ) => {
                        let mut by_name = Map::new();
                        for c in items {
                            let key = format!("k:{{\"name\":{}}}", c["name"]);
                            by_name.insert(key, fields_v1(c));
                        }
                        by_name.insert(".".into(), json!({}));
                        Value::Object(by_name)
                    }
                    (_, Value::Object(_)) => fields_v1(v),
                    _ => json!({}),
                };
                out.insert(format!("f:{k}"), child);
            }
            if out.len() == 1 {
                return json!({});
            }
            Value::Object(out)
        }
        _ => json!({}),
    }
}

/// Defaults of a PodSpec and its containers (templates and Pods alike).
fn spec_defaults(spec: &mut Value, restart: &str) {
    let s = spec.as_object_mut().expect("pod spec");
    s.entry("dnsPolicy").or_insert("ClusterFirst".into());
    s.entry("restartPolicy").or_insert(restart.into());
    s.entry("schedulerName")
        .or_insert("default-scheduler".into());
    s.entry("securityContext").or_insert(json!({}));
    s.entry("terminationGracePeriodSeconds")
        .or_insert(30.into());
    for list in ["initContainers", "containers"] {
        if let Some(cs) = s.get_mut(list).and_then(Value::as_array_mut) {
            for c in cs {
                let c = c.as_object_mut().expect("container");
                let image = c.get("image").and_then(Value::as_str).unwrap_or_default();
                let latest = !image.contains(':') || image.ends_with(":latest");
                c.entry("imagePullPolicy")
                    .or_insert(if latest { "Always" } else { "IfNotPresent" }.into());
                c.entry("resources").or_insert(json!({}));
                c.entry("terminationMessagePath")
                    .or_insert("/dev/termination-log".into());
                c.entry("terminationMessagePolicy").or_insert("File".into());
                if let Some(ports) = c.get_mut("ports").and_then(Value::as_array_mut) {
                    for p in ports {
                        p.as_object_mut()
                            .expect("port")
                            .entry("protocol")
                            .or_insert("TCP".into());
                    }
                }
            }
        }
    }
    // A volume with no source is an emptyDir (pss-spec §7.1).
    if let Some(vs) = s.get_mut("volumes").and_then(Value::as_array_mut) {
        for v in vs {
            let v = v.as_object_mut().expect("volume");
            if v.len() == 1 {
                v.insert("emptyDir".into(), json!({}));
            }
        }
    }
}

fn template_defaults(template: &mut Value) {
    if template["metadata"].is_null() {
        template["metadata"] = json!({});
    }
    template["metadata"]["creationTimestamp"] = Value::Null;
    let restart = template["spec"]["restartPolicy"]
        .as_str()
        .unwrap_or("Always")
        .to_string();
    spec_defaults(&mut template["spec"], &restart);
}

fn job_defaults(job: &mut Value) {
    let uid = job["metadata"]["uid"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let (_, name) = ns_name(job);
    let spec = job["spec"].as_object_mut().expect("spec");
    spec.entry("backoffLimit").or_insert(6.into());
    spec.entry("completionMode").or_insert("NonIndexed".into());
    spec.entry("completions").or_insert(1.into());
    spec.entry("manualSelector").or_insert(false.into());
    spec.entry("parallelism").or_insert(1.into());
    spec.entry("podReplacementPolicy")
        .or_insert("TerminatingOrFailed".into());
    spec.entry("selector")
        .or_insert(json!({"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}));
    spec.entry("suspend").or_insert(false.into());
    template_defaults(&mut job["spec"]["template"]);
    let labels = &mut job["spec"]["template"]["metadata"]["labels"];
    if !labels.is_object() {
        *labels = json!({});
    }
    labels["batch.kubernetes.io/controller-uid"] = uid.clone().into();
    labels["batch.kubernetes.io/job-name"] = name.clone().into();
    labels["controller-uid"] = uid.into();
    labels["job-name"] = name.into();
}

/// What the API server and its admission plugins add to a Pod.
fn pod_defaults(pod: &mut Value, ns: &str, name: &str, node: &str) {
    let restart = pod["spec"]["restartPolicy"]
        .as_str()
        .unwrap_or("Always")
        .to_string();
    spec_defaults(&mut pod["spec"], &restart);
    let token = format!(
        "kube-api-access-{}",
        suffix(&format!("{ns}/{name}/token"), 5)
    );
    let host_network = pod["spec"]["hostNetwork"] == true;
    let s = pod["spec"].as_object_mut().expect("pod spec");
    s.insert("nodeName".into(), node.into());
    s.entry("enableServiceLinks").or_insert(true.into());
    s.entry("preemptionPolicy")
        .or_insert("PreemptLowerPriority".into());
    s.entry("priority").or_insert(0.into());
    s.entry("serviceAccountName").or_insert("default".into());
    let sa = s["serviceAccountName"].clone();
    s.insert("serviceAccount".into(), sa);
    s.entry("tolerations").or_insert(json!([
        {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
        {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300},
    ]));
    for list in ["initContainers", "containers"] {
        if let Some(cs) = s.get_mut(list).and_then(Value::as_array_mut) {
            for c in cs {
                let c = c.as_object_mut().expect("container");
                let mounts = c.entry("volumeMounts").or_insert(json!([]));
                mounts.as_array_mut().expect("mounts").push(json!({"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": token, "readOnly": true}));
                // Pods only: on the host network, hostPort defaults to containerPort.
                if host_network {
                    if let Some(ports) = c.get_mut("ports").and_then(Value::as_array_mut) {
                        for p in ports {
                            let port = p["containerPort"].clone();
                            p.as_object_mut()
                                .expect("port")
                                .entry("hostPort")
                                .or_insert(port);
                        }
                    }
                }
            }
        }
    }
    let volumes = s.entry("volumes").or_insert(json!([]));
    volumes.as_array_mut().expect("volumes").push(json!({
        "name": token,
        "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
            {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}, "path": "namespace"}]}},
        ]},
    }));
}

fn pod_status(pod: &Value, name: &str) -> Value {
    let ip = format!("10.244.{}.{}", fnv(name) % 4, fnv(name) % 250 + 2);
    let statuses: Vec<Value> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let image = c["image"].as_str().unwrap_or_default();
            json!({
                "containerID": format!("containerd://{:016x}{:016x}", fnv(name), fnv(image)),
                "image": image, "imageID": format!("{image}@sha256:{:016x}", fnv(image)),
                "lastState": {}, "name": c["name"], "ready": true, "restartCount": 0, "started": true,
                "state": {"running": {"startedAt": CREATED}},
            })
        })
        .collect();
    json!({
        "containerStatuses": statuses,
        "conditions": [
            {"lastProbeTime": null, "lastTransitionTime": CREATED, "status": "True", "type": "PodReadyToStartContainers"},
            {"lastProbeTime": null, "lastTransitionTime": CREATED, "status": "True", "type": "Initialized"},
            {"lastProbeTime": null, "lastTransitionTime": CREATED, "status": "True", "type": "Ready"},
            {"lastProbeTime": null, "lastTransitionTime": CREATED, "status": "True", "type": "ContainersReady"},
            {"lastProbeTime": null, "lastTransitionTime": CREATED, "status": "True", "type": "PodScheduled"},
        ],
        "hostIP": "172.18.0.2", "hostIPs": [{"ip": "172.18.0.2"}], "phase": "Running",
        "podIP": ip, "podIPs": [{"ip": ip}], "qosClass": "BestEffort", "startTime": CREATED,
    })
}
