//! Cluster snapshots as input (`--cluster-snapshot`, or as a plain path): Namespace labels from
//! the cluster, objects folded into their owners and into their manifests, drift reported, and
//! the rollout plan of the cluster as it is. The snapshots are generated from manifests to the
//! shape `kubectl get -o yaml` prints (tests/support/cluster.rs), the rollout fixture's one kept
//! in testdata/cluster/, and assembled from the machine's own kubectl where it has one.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use common::cluster::{load_manifests, snapshot, Options};
use common::Run;
use psslint::report::yaml_out::to_yaml;

use common::CRATE;

fn run_in(dir: &Path, args: &[&str]) -> Run {
    common::run_in(dir, args, None)
}

fn rollout_dir() -> PathBuf {
    PathBuf::from(CRATE).join("testdata/rollout")
}

/// The fixture: the rollout repository's cluster, as `kubectl get
/// ns,deploy,sts,ds,job,cronjob,pod -A -o yaml` prints it.
const FIXTURE: &str = "testdata/cluster/rollout-snapshot.yaml";

fn rollout_manifests() -> Vec<Value> {
    let dir = rollout_dir();
    let paths = [
        dir.join("namespaces.yaml"),
        dir.join("apps"),
        dir.join("chart"),
    ];
    load_manifests(&paths.iter().map(PathBuf::as_path).collect::<Vec<_>>())
}

#[test]
fn the_fixture_is_the_generated_snapshot_of_the_rollout_cluster() {
    let text = to_yaml(&snapshot(&rollout_manifests(), &Options::default()));
    let path = PathBuf::from(CRATE).join(FIXTURE);
    if std::env::var_os("PSSLINT_BLESS").is_some() {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, &text).unwrap();
    }
    let committed =
        fs::read_to_string(&path).expect("the fixture exists (PSSLINT_BLESS=1 writes it)");
    assert!(
        committed == text,
        "{FIXTURE} is stale: run `PSSLINT_BLESS=1 cargo test --test cluster` and review the diff"
    );
    // The shape of the real thing.
    for needle in [
        "kind: List\n",
        "managedFields:",
        "f:metadata:",
        "k:{\"name\":\"web\"}:",
        "ownerReferences:",
        "resourceVersion: \"",
        "uid: ",
        "status:",
        "kubectl.kubernetes.io/last-applied-configuration: |",
        "pod-template-hash: ",
        "kube-api-access-",
    ] {
        assert!(committed.contains(needle), "no {needle:?} in {FIXTURE}");
    }
}

/// `psslint plan --format json` in the rollout fixture, with extra arguments before `.`.
fn rollout_plan(extra: &[&str], paths: &[&str]) -> Value {
    let mut args = vec![
        "plan",
        "--format",
        "json",
        "--admission-config",
        "admission.yaml",
        "--today",
        "2026-03-20",
    ];
    args.extend_from_slice(extra);
    args.extend_from_slice(paths);
    let run = run_in(&rollout_dir(), &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.json()
}

/// Per namespace: every step's blockers, and every workload's verdicts.
fn blocking(plan: &Value) -> BTreeMap<String, (Vec<String>, BTreeSet<String>)> {
    plan["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|ns| {
            let blockers: Vec<String> = ns["steps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| format!("{}: {}", s["mode"], s["blockers"]))
                .collect();
            let workloads: BTreeSet<String> = ns["workloads"]
                .as_array()
                .unwrap()
                .iter()
                .map(|w| {
                    let verdicts: Vec<String> = w["levels"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|l| {
                            format!(
                                "{}={}",
                                l["level"].as_str().unwrap(),
                                l["verdict"].as_str().unwrap()
                            )
                        })
                        .collect();
                    format!(
                        "{}/{} {}",
                        w["kind"].as_str().unwrap(),
                        w["name"].as_str().unwrap(),
                        verdicts.join(" ")
                    )
                })
                .collect();
            (
                ns["name"].as_str().unwrap().to_string(),
                (blockers, workloads),
            )
        })
        .collect()
}

#[test]
fn a_snapshot_plus_the_manifests_blocks_the_same_workloads_as_the_manifests() {
    let alone = rollout_plan(&[], &["."]);
    let snapshot = format!("{CRATE}/{FIXTURE}");
    let both = rollout_plan(&["--cluster-snapshot", &snapshot], &["."]);
    let (a, b) = (blocking(&alone), blocking(&both));
    // The cluster has namespaces the repository does not mention (default is used by the
    // chart); every namespace of the repository plans the same.
    for (name, plan) in &a {
        assert_eq!(b.get(name), Some(plan), "namespace {name}");
    }
    for (name, (_, workloads)) in &b {
        if !a.contains_key(name) {
            assert!(workloads.is_empty(), "{name}: {workloads:?}");
        }
    }
    for key in ["workloads", "failing", "covered"] {
        assert_eq!(alone["summary"][key], both["summary"][key], "{key}");
    }
    assert!(alone["summary"]["failing"].as_u64().unwrap() > 0);
}

#[test]
fn the_plan_of_the_cluster_as_it_is_names_the_same_workloads() {
    // A snapshot that lists Rollouts too: the cluster alone plans like the repository.
    let dir = tempfile::tempdir().unwrap();
    let text = to_yaml(&snapshot(
        &rollout_manifests(),
        &Options {
            rollouts: true,
            ..Options::default()
        },
    ));
    let snap = dir.path().join("cluster.yaml");
    fs::write(&snap, text).unwrap();
    let cluster = rollout_plan(&[], &[snap.to_str().unwrap()]);
    let repo = rollout_plan(&[], &["."]);
    let names = |plan: &Value| -> BTreeMap<String, Vec<String>> {
        blocking(plan)
            .into_iter()
            .filter(|(_, (_, w))| !w.is_empty())
            .map(|(n, (b, _))| (n, b))
            .collect()
    };
    assert_eq!(names(&cluster), names(&repo));

    // Without Rollouts in the listing, the Rollout's Pods stand for it.
    let plain = rollout_plan(&[], &[FIXTURE_ABS.as_str()]);
    let shop = &blocking(&plain)["shop"].1;
    assert!(
        shop.iter().any(|w| w.starts_with("Pod/checkout-")),
        "{shop:?}"
    );
    assert!(!shop.iter().any(|w| w.starts_with("Rollout/")), "{shop:?}");
}

static FIXTURE_ABS: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| format!("{CRATE}/{FIXTURE}"));

/// `psslint check --format json` of the given paths in `dir`.
fn check_json(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec![
        "check",
        "--format",
        "json",
        "--no-config",
        "--fail-on",
        "never",
    ];
    all.extend_from_slice(args);
    let run = run_in(dir, &all);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    run.json()
}

/// `(object, rule)` of every Pod Security finding.
fn findings(report: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["level"].is_string())
        .map(|d| {
            (
                format!(
                    "{}/{}",
                    d["object"]["kind"].as_str().unwrap(),
                    d["object"]["name"].as_str().unwrap()
                ),
                d["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn pods_jobs_and_copies_are_reported_once() {
    let report = check_json(&PathBuf::from(CRATE), &[FIXTURE]);
    let found = findings(&report);
    // Every finding is about a workload the repository defines; no Pod, ReplicaSet or
    // CronJob-created Job is reported beside its owner.
    let objects: BTreeSet<&str> = found.iter().map(|(o, _)| o.as_str()).collect();
    assert!(
        objects.iter().all(|o| !o.starts_with("Job/reports-")),
        "{objects:?}"
    );
    let pods: Vec<&&str> = objects.iter().filter(|o| o.starts_with("Pod/")).collect();
    // The bare Pod and the Rollout's Pods (Rollouts are not in the listing) remain.
    assert!(
        pods.iter()
            .all(|p| **p == "Pod/runner" || p.starts_with("Pod/checkout-")),
        "{pods:?}"
    );
    assert!(objects.contains("Deployment/web") && objects.contains("DaemonSet/log-agent"));
    let folded = report["summary"]["folded"].as_u64().unwrap();
    assert!(folded >= 8, "{}", report["summary"]);

    // The same findings as the manifests give, object by object (Rollout aside).
    let repo = check_json(&rollout_dir(), &["namespaces.yaml", "apps", "chart"]);
    let without_rollout = |f: Vec<(String, String)>| -> Vec<(String, String)> {
        f.into_iter()
            .filter(|(o, _)| !o.starts_with("Rollout/") && !o.starts_with("Pod/checkout-"))
            .collect()
    };
    assert_eq!(without_rollout(found), without_rollout(findings(&repo)));
}

#[test]
fn snapshot_namespaces_set_the_policy_of_the_manifests() {
    // The cluster's namespaces only: `kubectl get ns -o yaml`.
    let manifests = rollout_manifests();
    let namespaces: Vec<Value> = manifests
        .iter()
        .filter(|m| m["kind"] == "Namespace")
        .cloned()
        .collect();
    let mut list = snapshot(&namespaces, &Options::default());
    list["items"]
        .as_array_mut()
        .unwrap()
        .retain(|i| i["kind"] == "Namespace");
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("ns.yaml"), to_yaml(&list)).unwrap();
    let apps = rollout_dir().join("apps/payments.yaml");
    let report = check_json(
        dir.path(),
        &["--cluster-snapshot", "ns.yaml", apps.to_str().unwrap()],
    );
    // payments enforces restricted:v1.33 in the cluster: the ledger's root user is an error.
    let ledger: Vec<&Value> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "runAsNonRoot")
        .collect();
    assert_eq!(ledger.len(), 1, "{report}");
    assert_eq!(ledger[0]["severity"], "error");
    assert_eq!(ledger[0]["pss_version"], "v1.33");
    assert!(ledger[0]["policy_source"]
        .as_str()
        .unwrap()
        .contains("on Namespace/payments (ns.yaml:"));

    // A manifest that labels the namespace itself wins over the cluster.
    fs::write(
        dir.path().join("mine.yaml"),
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: payments\n  labels:\n    pod-security.kubernetes.io/enforce: baseline\n",
    )
    .unwrap();
    let report = check_json(
        dir.path(),
        &[
            "--cluster-snapshot",
            "ns.yaml",
            "mine.yaml",
            apps.to_str().unwrap(),
        ],
    );
    let d = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "runAsNonRoot")
        .unwrap();
    assert_eq!(d["severity"], "warning", "{d}");
}

/// A snapshot of `manifests` written to `dir/cluster.yaml`, after `edit`.
fn write_snapshot(dir: &Path, manifests: &str, edit: impl FnOnce(&mut Vec<Value>)) -> PathBuf {
    fs::write(dir.join("app.yaml"), manifests).unwrap();
    let mut list = snapshot(
        &load_manifests(&[&dir.join("app.yaml")]),
        &Options::default(),
    );
    edit(list["items"].as_array_mut().unwrap());
    let path = dir.join("cluster.yaml");
    fs::write(&path, to_yaml(&list)).unwrap();
    path
}

const WEB: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      hostNetwork: true\n      containers:\n      - name: web\n        image: nginx:1.27\n        ports: [{containerPort: 8080}]\n";

#[test]
fn the_api_servers_host_port_is_folded_into_host_network() {
    let dir = tempfile::tempdir().unwrap();
    write_snapshot(dir.path(), WEB, |_| {});
    let report = check_json(dir.path(), &["--level", "baseline", "cluster.yaml"]);
    let pod_text = fs::read_to_string(dir.path().join("cluster.yaml")).unwrap();
    assert!(
        pod_text.contains("hostPort: 8080"),
        "the Pods carry the defaulted hostPort"
    );
    assert_eq!(
        findings(&report),
        [("Deployment/web".to_string(), "hostNamespaces".to_string())],
        "{report}"
    );
    assert_eq!(report["summary"]["folded"], 2);
}

#[test]
fn a_webhook_sidecar_on_the_pods_is_reported_with_why() {
    let dir = tempfile::tempdir().unwrap();
    write_snapshot(dir.path(), WEB, |items| {
        for pod in items.iter_mut().filter(|i| i["kind"] == "Pod") {
            pod["spec"]["initContainers"] = json!([{"name": "mesh-init", "image": "mesh/init:1", "securityContext": {"privileged": true}}]);
        }
    });
    let report = check_json(dir.path(), &["--level", "baseline", "cluster.yaml"]);
    let found = findings(&report);
    let privileged: Vec<&(String, String)> =
        found.iter().filter(|(_, r)| r == "privileged").collect();
    assert_eq!(privileged.len(), 2, "one per Pod: {found:?}");
    assert!(privileged.iter().all(|(o, _)| o.starts_with("Pod/web-")));
    // What the Deployment also has is still reported once.
    assert_eq!(
        found.iter().filter(|(_, r)| r == "hostNamespaces").count(),
        1
    );
    let d = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "privileged")
        .unwrap();
    let hint = d["hint"].as_str().unwrap();
    assert!(
        hint.contains("is created by Deployment/web (cluster.yaml:"),
        "{hint}"
    );
    assert!(hint.contains("mutating admission webhook"), "{hint}");
}

#[test]
fn the_clusters_copy_folds_into_the_manifest_unless_it_differs() {
    let dir = tempfile::tempdir().unwrap();
    let fixed = WEB.replace("      hostNetwork: true\n", "");
    // The cluster still runs the old template (hostNetwork); the repository fixed it.
    write_snapshot(dir.path(), WEB, |_| {});
    fs::write(dir.path().join("app.yaml"), &fixed).unwrap();
    let report = check_json(
        dir.path(),
        &[
            "--level",
            "baseline",
            "--cluster-snapshot",
            "cluster.yaml",
            "app.yaml",
        ],
    );
    let ds: Vec<&Value> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["level"].is_string())
        .collect();
    // Reported once, on the cluster's Deployment: its Pods are what it makes.
    assert_eq!(
        findings(&report),
        [("Deployment/web".to_string(), "hostNamespaces".to_string())],
        "{report}"
    );
    for d in &ds {
        assert_eq!(d["file"], "cluster.yaml", "{d}");
        let hint = d["hint"].as_str().unwrap_or_else(|| panic!("{d}"));
        assert!(
            hint.contains(
                "the cluster's Deployment/web fails this check but its manifest does not"
            ),
            "{hint}"
        );
    }
    // The same cluster as the repository: nothing of the cluster's is reported.
    fs::write(dir.path().join("app.yaml"), WEB).unwrap();
    let report = check_json(
        dir.path(),
        &[
            "--level",
            "baseline",
            "--cluster-snapshot",
            "cluster.yaml",
            "app.yaml",
        ],
    );
    assert!(
        report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["level"].is_string())
            .all(|d| d["file"] == "app.yaml"),
        "{report}"
    );
    assert_eq!(report["summary"]["folded"], 3, "the copy and its two Pods");
}

#[test]
fn an_orphan_of_a_recreated_owner_is_not_folded() {
    let dir = tempfile::tempdir().unwrap();
    let job = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: migrate, namespace: shop}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - {name: m, image: migrate:1, securityContext: {privileged: true}}\n";
    write_snapshot(dir.path(), job, |items| {
        let pod = items.iter_mut().find(|i| i["kind"] == "Pod").unwrap();
        pod["metadata"]["ownerReferences"][0]["uid"] = "0000-not-the-jobs".into();
    });
    let report = check_json(dir.path(), &["--level", "baseline", "cluster.yaml"]);
    let objects: BTreeSet<String> = findings(&report).into_iter().map(|(o, _)| o).collect();
    assert_eq!(
        objects.len(),
        2,
        "the Job and its orphaned Pod: {objects:?}"
    );
}

/// Real client-side output: `kubectl create … --dry-run=client -o json` for each object,
/// assembled into the List `kubectl get` prints, with the server's owner references added.
#[test]
fn kubectl_client_side_output_is_read_as_a_snapshot() {
    if std::process::Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .map(|o| !o.status.success())
        .unwrap_or(true)
    {
        println!("SKIPPED: kubectl is not installed");
        return;
    }
    let kubectl = |args: &[&str]| -> Value {
        let out = std::process::Command::new("kubectl")
            .args(args)
            .args(["--dry-run=client", "-o", "json"])
            .output()
            .expect("kubectl runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("kubectl prints JSON")
    };
    let ns = kubectl(&["create", "namespace", "shop"]);
    let mut deploy = kubectl(&[
        "create",
        "deployment",
        "web",
        "-n",
        "shop",
        "--image=nginx:1.27",
        "--replicas=2",
    ]);
    deploy["metadata"]["uid"] = "d-uid".into();
    let mut cron = kubectl(&[
        "create",
        "cronjob",
        "reports",
        "-n",
        "shop",
        "--image=busybox:1.36",
        "--schedule=0 6 * * *",
    ]);
    cron["metadata"]["uid"] = "c-uid".into();
    // A controller's Pod: the pod template kubectl printed, named and owned as the controller
    // names and owns it (`kubectl run` needs a server).
    let pod_of = |template: &Value, name: &str, owner: Value| -> Value {
        let mut meta = template["metadata"].clone();
        meta["name"] = name.into();
        meta["namespace"] = "shop".into();
        meta["ownerReferences"] = json!([owner]);
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": template["spec"]})
    };
    let mut pods = Vec::new();
    for i in 0..2 {
        let mut template = deploy["spec"]["template"].clone();
        template["metadata"]["labels"]["pod-template-hash"] = "5d4f8c7b9".into();
        pods.push(pod_of(
            &template,
            &format!("web-5d4f8c7b9-x{i}"),
            json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-5d4f8c7b9", "uid": "rs-uid", "controller": true, "blockOwnerDeletion": true}),
        ));
    }
    // The CronJob's Job, as its controller makes it from the job template; and a Job of its
    // own, which is reported.
    let job = json!({
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": "reports-29043720", "namespace": "shop", "uid": "j-uid",
            "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": "reports", "uid": "c-uid", "controller": true}]},
        "spec": cron["spec"]["jobTemplate"]["spec"],
    });
    let migrate = kubectl(&[
        "create",
        "job",
        "migrate",
        "-n",
        "shop",
        "--image=migrate:2",
    ]);
    let job_pod = pod_of(
        &job["spec"]["template"],
        "reports-29043720-abcde",
        json!({"apiVersion": "batch/v1", "kind": "Job", "name": "reports-29043720", "uid": "j-uid", "controller": true}),
    );
    let mut items = vec![ns, deploy, cron, job, job_pod, migrate];
    items.extend(pods);
    let list = json!({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}});
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("cluster.json"),
        serde_json::to_string_pretty(&list).unwrap(),
    )
    .unwrap();
    fs::write(dir.path().join("cluster.yaml"), to_yaml(&list)).unwrap();
    for file in ["cluster.json", "cluster.yaml"] {
        let report = check_json(dir.path(), &["--level", "restricted", file]);
        let objects: BTreeSet<String> = findings(&report).into_iter().map(|(o, _)| o).collect();
        assert_eq!(
            objects,
            BTreeSet::from(["CronJob/reports", "Deployment/web", "Job/migrate"].map(String::from)),
            "{file}: {report}"
        );
        assert_eq!(report["summary"]["folded"], 4, "{file}");
    }
}

#[test]
fn owner_references_in_a_circle_fold_nothing() {
    // A crafted input: two Deployments that claim to own each other must not hide each other.
    let dir = tempfile::tempdir().unwrap();
    let one = |name: &str, owner: &str| {
        format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: shop\n  ownerReferences: [{{apiVersion: apps/v1, kind: Deployment, name: {owner}, controller: true}}]\nspec:\n  selector: {{matchLabels: {{app: x}}}}\n  template:\n    metadata: {{labels: {{app: x}}}}\n    spec:\n      containers:\n      - {{name: x, image: x, securityContext: {{privileged: true}}}}\n")
    };
    fs::write(dir.path().join("a.yaml"), one("a", "b")).unwrap();
    fs::write(dir.path().join("b.yaml"), one("b", "a")).unwrap();
    fs::write(dir.path().join("c.yaml"), one("c", "c")).unwrap();
    let report = check_json(dir.path(), &["--level", "baseline", "."]);
    let objects: BTreeSet<String> = findings(&report).into_iter().map(|(o, _)| o).collect();
    assert_eq!(
        objects,
        BTreeSet::from(["Deployment/a", "Deployment/b", "Deployment/c"].map(String::from))
    );
}
