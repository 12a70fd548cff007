//! `psslint exceptions --format kyverno|kyverno-cel|psa-exemptions`: tracked exceptions as
//! documents for the cluster. Each Kyverno document is validated against the CRD's schema kept
//! in testdata/kyverno/, the CEL conditions are evaluated by a CEL interpreter against the
//! workload, the objects its controller creates and its neighbours, and the PSA configuration
//! is read back by psslint's own (strict) admission-configuration loader.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use common::cluster::{load_manifests, snapshot, Options};
use common::Run;
use psslint::manifest::split::split_stream;
use psslint::manifest::yaml::{parse_document, ParseOptions};

use common::CRATE;

fn run_in(dir: &Path, args: &[&str]) -> Run {
    common::run_in(dir, args, None)
}

fn rollout_dir() -> PathBuf {
    PathBuf::from(CRATE).join("testdata/rollout")
}

/// `psslint exceptions --format F …` in the rollout fixture.
fn rollout(args: &[&str]) -> Run {
    let mut all = vec![
        "exceptions",
        "--admission-config",
        "admission.yaml",
        "--today",
        "2026-03-20",
    ];
    all.extend_from_slice(args);
    all.push(".");
    run_in(&rollout_dir(), &all)
}

/// The documents of a YAML stream, as the API server receives them.
fn documents(text: &str) -> Vec<Value> {
    let (chunks, problems) = split_stream(text);
    assert!(problems.is_empty(), "{problems:?}");
    chunks
        .iter()
        .filter_map(|c| {
            let doc = parse_document(c.text, c.start_line, &ParseOptions::default());
            assert!(doc.problems.is_empty(), "{:?}\n{text}", doc.problems);
            doc.root.map(|r| r.to_json())
        })
        .collect()
}

fn schema(name: &str) -> Value {
    let path = PathBuf::from(CRATE).join("testdata/kyverno").join(name);
    serde_json::from_str(&fs::read_to_string(path).expect("schema")).expect("JSON")
}

/// Panics with every schema violation of every document.
fn assert_valid(schema: &Value, docs: &[Value]) {
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(schema)
        .expect("the schema compiles");
    for d in docs {
        let errors: Vec<String> = validator
            .iter_errors(d)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}\n{d:#}", errors.join("\n"));
    }
}

#[test]
fn the_schemas_reject_what_kyverno_rejects() {
    let v2 = schema("policyexception-v2.schema.json");
    let good = json!({"apiVersion": "kyverno.io/v2", "kind": "PolicyException", "metadata": {"name": "x"},
        "spec": {"exceptions": [{"policyName": "psa", "ruleNames": ["restricted"]}], "match": {"any": [{"resources": {"kinds": ["Pod"]}}]},
                 "podSecurity": [{"controlName": "Capabilities", "images": ["*"]}]}});
    assert_valid(&v2, std::slice::from_ref(&good));
    let validator = jsonschema::draft4::new(&v2).unwrap();
    for (path, bad) in [
        (
            "/spec/podSecurity/0/controlName",
            json!("Host Probes / Lifecycle Hooks"),
        ),
        ("/spec/match", json!({"any": [], "all": []})),
        (
            "/spec/match/any/0/resources",
            json!({"name": "a", "names": ["a"]}),
        ),
        ("/spec/exceptions/0", json!({"policyName": "psa"})),
        ("/metadata/name", json!("Not_A_Name")),
        ("/spec/podsecurity", json!([])),
    ] {
        let mut doc = good.clone();
        match doc.pointer_mut(path) {
            Some(v) => *v = bad,
            None => {
                let (parent, key) = path.rsplit_once('/').unwrap();
                doc.pointer_mut(parent).unwrap()[key] = bad;
            }
        }
        assert!(
            !validator.is_valid(&doc),
            "{path} should be rejected: {doc}"
        );
    }
    let v1 = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema("policyexception-policies-v1.schema.json"))
        .unwrap();
    let cel = json!({"apiVersion": "policies.kyverno.io/v1", "kind": "PolicyException", "metadata": {"name": "x"},
        "spec": {"policyRefs": [{"kind": "ValidatingPolicy", "name": "p"}], "expiresAt": "2026-10-01T00:00:00Z"}});
    assert!(v1.is_valid(&cel));
    let mut late = cel.clone();
    late["spec"]["expiresAt"] = "2026-10-01".into();
    assert!(!v1.is_valid(&late), "expiresAt is a date-time");
}

#[test]
fn kyverno_v2_exceptions_of_the_rollout_fixture() {
    let run = rollout(&[
        "--format",
        "kyverno",
        "--kyverno-policy",
        "psa",
        "--kyverno-rule",
        "restricted",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let docs = documents(&run.stdout);
    assert_eq!(docs.len(), 2, "the active and the expiring exception");
    assert_valid(&schema("policyexception-v2.schema.json"), &docs);
    insta::assert_snapshot!("kyverno_v2_rollout", run.stdout);
    let ledger = &docs[0];
    assert_eq!(
        ledger["metadata"]["annotations"]["psslint.dev/owner"],
        "team-payments"
    );
    assert_eq!(
        ledger["metadata"]["annotations"]["psslint.dev/expires"],
        "2026-09-30"
    );
    assert!(ledger["metadata"]["annotations"]["psslint.dev/reason"]
        .as_str()
        .unwrap()
        .contains("PAY-881"));
    assert_eq!(
        ledger["spec"]["podSecurity"],
        json!([{"controlName": "Running as Non-root", "images": ["registry.example.com/ledger:3.9"]}])
    );
    assert_eq!(
        ledger["spec"]["exceptions"][0]["ruleNames"],
        json!(["restricted", "autogen-restricted"])
    );
    // The expired and the unused exception are left out, and said so.
    assert!(
        run.stderr.contains("log-agent") && run.stderr.contains("expired on 2026-02-28"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("reports") && run.stderr.contains("covers no violation"));
    // Where Kyverno is coarser, the user is told.
    assert!(
        run.stderr
            .contains("also exempts the control's pod-level fields"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("covers capabilities_baseline as well"),
        "{}",
        run.stderr
    );

    // All exceptions in one namespace (Kyverno's --exceptionNamespace).
    let run = rollout(&[
        "--format",
        "kyverno",
        "--kyverno-policy",
        "psa",
        "--kyverno-rule",
        "baseline",
        "--kyverno-rule",
        "restricted",
        "--kyverno-namespace",
        "kyverno",
    ]);
    let docs = documents(&run.stdout);
    assert!(docs.iter().all(|d| d["metadata"]["namespace"] == "kyverno"));
    assert_eq!(
        docs[0]["spec"]["exceptions"][0]["ruleNames"],
        json!([
            "baseline",
            "autogen-baseline",
            "restricted",
            "autogen-restricted"
        ])
    );
}

#[test]
fn kyverno_needs_the_policy_and_its_rules() {
    for args in [
        &["--format", "kyverno"][..],
        &["--format", "kyverno", "--kyverno-policy", "psa"],
    ] {
        let run = rollout(args);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains("--kyverno-policy"), "{}", run.stderr);
    }
}

/// A repository with exceptions of every shape: whole-workload, pod-level, a CronJob, a check
/// Kyverno has no control for, containers (one the workload no longer has).
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("apps.yaml"),
        r#"apiVersion: apps/v1
kind: DaemonSet
metadata: {name: node-agent, namespace: ops}
spec:
  selector: {matchLabels: {app: node-agent}}
  template:
    metadata: {labels: {app: node-agent, tier: system}}
    spec:
      hostNetwork: true
      containers:
      - {name: agent, image: "agent:2", volumeMounts: [{name: proc, mountPath: /host/proc}]}
      volumes:
      - {name: proc, hostPath: {path: /proc}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: backup, namespace: ops}
spec:
  schedule: "0 1 * * *"
  jobTemplate:
    spec:
      template:
        metadata: {labels: {app: backup}}
        spec:
          restartPolicy: OnFailure
          containers:
          - {name: backup, image: "backup:1"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: probe, namespace: ops}
spec:
  selector: {matchLabels: {app: probe}}
  template:
    metadata: {labels: {app: probe}}
    spec:
      containers:
      - name: probe
        image: probe:1
        livenessProbe: {httpGet: {host: 10.0.0.1, port: 80}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web-frontend, namespace: ops}
spec:
  selector: {matchLabels: {app: web-frontend}}
  template:
    metadata: {labels: {app: web-frontend}}
    spec:
      containers:
      - {name: web, image: "web:1", securityContext: {privileged: true}}
"#,
    )
    .unwrap();
    fs::write(
        dir.path().join("psslint.yaml"),
        r#"exceptions:
  - {namespace: ops, kind: DaemonSet, name: node-agent, checks: [hostNamespaces, hostPathVolumes], owner: team-ops, reason: "node metrics (OPS-1)", expires: 2026-12-31}
  - {namespace: ops, kind: CronJob, name: backup, checks: [runAsNonRoot], owner: team-ops, reason: "root restore (OPS-2)", expires: 2026-11-30}
  - {namespace: ops, kind: Deployment, name: probe, checks: [hostProbesAndHostLifecycle], owner: team-ops, reason: "legacy probe (OPS-3)", expires: 2026-10-31}
  - {namespace: ops, kind: Deployment, name: web-frontend, containers: [web, sidecar], checks: [capabilities_restricted], owner: team-web, reason: "NET_RAW until the new base image (WEB-4)", expires: 2026-10-31}
  - {namespace: ops, kind: Deployment, name: web-frontend, checks: [privileged], owner: team-web, reason: "GPU driver (WEB-5)", expires: 2026-10-31}
"#,
    )
    .unwrap();
    dir
}

fn export(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec![
        "exceptions",
        "--today",
        "2026-03-20",
        "--level",
        "restricted",
    ];
    all.extend_from_slice(args);
    all.push("apps.yaml");
    run_in(dir, &all)
}

#[test]
fn whole_workload_pod_level_and_unexportable_exceptions() {
    let dir = repo();
    let run = export(
        dir.path(),
        &[
            "--format",
            "kyverno",
            "--kyverno-policy",
            "psa",
            "--kyverno-rule",
            "restricted",
        ],
    );
    // One exception cannot be exported faithfully: the run fails, the rest is written.
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("no control for hostProbesAndHostLifecycle"),
        "{}",
        run.stderr
    );
    let docs = documents(&run.stdout);
    assert_valid(&schema("policyexception-v2.schema.json"), &docs);
    let names: Vec<&str> = docs
        .iter()
        .map(|d| d["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "psslint-ops-cronjob-backup",
            "psslint-ops-daemonset-node-agent",
            "psslint-ops-deployment-web-frontend",
            "psslint-ops-deployment-web-frontend-2"
        ]
    );
    // The containers' images; a container the Pods do not have has none to exempt.
    let scoped = docs
        .iter()
        .find(|d| d["metadata"]["annotations"]["psslint.dev/checks"] == "capabilities_restricted")
        .unwrap();
    assert_eq!(
        scoped["spec"]["podSecurity"],
        json!([{"controlName": "Capabilities", "images": ["web:1"]}])
    );
    let backup = &docs[0];
    assert_eq!(
        backup["spec"]["exceptions"][0]["ruleNames"],
        json!([
            "restricted",
            "autogen-restricted",
            "autogen-cronjob-restricted"
        ])
    );
    let kinds: Vec<&Value> = backup["spec"]["match"]["any"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["resources"]["kinds"][0])
        .collect();
    assert_eq!(kinds, [&json!("CronJob"), &json!("Job"), &json!("Pod")]);
    assert_eq!(
        backup["spec"]["podSecurity"],
        json!([{"controlName": "Running as Non-root", "images": ["*"]}])
    );
    // Pod-level controls are excluded by name alone.
    assert_eq!(
        docs[1]["spec"]["podSecurity"],
        json!([{"controlName": "Host Namespaces"}, {"controlName": "HostPath Volumes"}])
    );
}

/// Evaluates a matchCondition on `object`, with Kyverno's variable name.
fn cel_matches(expression: &str, object: &Value) -> bool {
    let program = cel::Program::compile(expression)
        .unwrap_or_else(|e| panic!("not CEL: {e:?}\n{expression}"));
    let mut ctx = cel::Context::default();
    ctx.add_variable("object", object.clone())
        .expect("a CEL value");
    match program.execute(&ctx) {
        Ok(cel::Value::Bool(b)) => b,
        other => panic!("{expression} on {object}: {other:?}"),
    }
}

#[test]
fn kyverno_cel_exceptions_expire_and_match_the_workload_and_its_pods() {
    let dir = repo();
    let run = export(dir.path(), &["--format", "kyverno-cel"]);
    assert_eq!(
        run.code, 1,
        "the container-scoped exception cannot be expressed: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("skips the whole policy"),
        "{}",
        run.stderr
    );
    let docs = documents(&run.stdout);
    assert_valid(&schema("policyexception-policies-v1.schema.json"), &docs);
    insta::assert_snapshot!("kyverno_cel_repo", run.stdout);
    let agent = docs
        .iter()
        .find(|d| d["metadata"]["name"] == "psslint-ops-daemonset-node-agent")
        .unwrap();
    // Valid through the 31st: Kyverno stops applying it at the start of the next day.
    assert_eq!(agent["spec"]["expiresAt"], "2027-01-01T00:00:00Z");
    assert_eq!(
        agent["spec"]["policyRefs"],
        json!([{"kind": "ValidatingPolicy", "name": "disallow-host-namespaces"}, {"kind": "ValidatingPolicy", "name": "disallow-host-path"}])
    );
    assert_eq!(agent["spec"]["properties"]["owner"], "team-ops");

    // The conditions, on the cluster these manifests make: each exception matches its workload
    // and what its controller creates, and nothing else.
    let cluster = snapshot(
        &load_manifests(&[&dir.path().join("apps.yaml")]),
        &Options {
            replica_sets: true,
            ..Options::default()
        },
    );
    let objects: Vec<&Value> = cluster["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["kind"] != "Namespace")
        .collect();
    for d in &docs {
        let expression = d["spec"]["matchConditions"][0]["expression"]
            .as_str()
            .unwrap();
        let workload = d["metadata"]["annotations"]["psslint.dev/source"]
            .as_str()
            .unwrap();
        let name = d["metadata"]["name"].as_str().unwrap();
        let owner = name
            .rsplit_once("-ops-")
            .unwrap()
            .1
            .split_once('-')
            .unwrap()
            .1;
        for o in &objects {
            let matched = cel_matches(expression, o);
            let object_name = o["metadata"]["name"].as_str().unwrap();
            let ours = object_name == owner || object_name.starts_with(&format!("{owner}-"));
            assert_eq!(
                matched, ours,
                "{name} ({workload}) on {} {object_name}",
                o["kind"]
            );
        }
        // Another namespace never matches.
        let mut elsewhere = objects[0].clone();
        elsewhere["metadata"]["namespace"] = "other".into();
        assert!(!cel_matches(expression, &elsewhere));
    }
}

#[test]
fn psa_exemptions_are_read_back_by_the_admission_loader() {
    let run = rollout(&["--format", "psa-exemptions"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("psa_exemptions_rollout", run.stdout);
    assert!(run
        .stdout
        .contains("WARNING: PSA exemptions have no expiry"));
    assert!(
        run.stderr.contains("no expiry: remove it by 2026-09-30"),
        "{}",
        run.stderr
    );
    let doc = &documents(&run.stdout)[0];
    assert_eq!(
        doc["exemptions"]["namespaces"],
        json!(["kube-system", "payments", "shop"])
    );
    assert_eq!(
        doc["defaults"]["enforce-version"], "v1.33",
        "the cluster's defaults are kept"
    );

    // As the cluster's configuration: the excepted namespaces are exempt.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("psa.yaml");
    fs::write(&config, &run.stdout).unwrap();
    let check = run_in(
        &rollout_dir(),
        &[
            "check",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--today",
            "2026-03-20",
            "--admission-config",
            config.to_str().unwrap(),
            ".",
        ],
    );
    assert_eq!(check.code, 0, "{}", check.stderr);
    let report: Value = serde_json::from_str(&check.stdout).unwrap();
    assert!(report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["level"].is_string())
        .all(|d| !["payments", "shop"].contains(&d["object"]["namespace"].as_str().unwrap())));

    // Without the cluster's configuration, the defaults are psslint's, and it says so.
    let run = run_in(
        &rollout_dir(),
        &[
            "exceptions",
            "--today",
            "2026-03-20",
            "--format",
            "psa-exemptions",
            ".",
        ],
    );
    assert!(
        run.stderr.contains("pass --admission-config"),
        "{}",
        run.stderr
    );
}
