//! The policy model from the binary: which level each workload gets (flags, Namespace labels,
//! config namespaces, admission-config or config defaults, the built-in default), the upstream
//! fallbacks for invalid labels, warn defaulting, version clamping, the admission
//! configuration's strict decoding, exemptions, custom-resource templates, tracked exceptions
//! in every state, and the end-to-end fixture in `testdata/rollout/` (snapshots).

use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;
use common::{rollout_fixture, rollout_in, run_in, temp_repo, write_file, Run, CRATE};

/// A temporary repository (it has `.git`, so config discovery stops there).
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new(files: &[(&str, &str)]) -> Repo {
        let repo = Repo { dir: temp_repo() };
        for (name, text) in files {
            repo.write(name, text);
        }
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, name: &str, text: &str) {
        write_file(self.path(), name, text);
    }

    fn run(&self, args: &[&str]) -> Run {
        run_in(self.path(), args, None)
    }
}

/// `(rule, severity, mode)` of every diagnostic, in report order.
fn findings(v: &Value) -> Vec<(String, String, String)> {
    v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap_or_default().to_string(),
                d["severity"].as_str().unwrap_or_default().to_string(),
                d["mode"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn has(v: &Value, rule: &str, severity: &str) -> bool {
    findings(v)
        .iter()
        .any(|(r, s, _)| r == rule && s == severity)
}

fn diag<'v>(v: &'v Value, rule: &str) -> &'v Value {
    v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| d["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} in {v:#}"))
}

fn ns(name: &str, labels: &[(&str, &str)]) -> String {
    let mut s = format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n");
    if !labels.is_empty() {
        s.push_str("  labels:\n");
        for (k, v) in labels {
            s.push_str(&format!("    pod-security.kubernetes.io/{k}: {v}\n"));
        }
    }
    s
}

/// A Pod that passes baseline but not restricted (runAsNonRoot, capabilities, …).
fn baseline_pod(name: &str, namespace: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: {namespace}\nspec:\n  containers:\n  - name: app\n    image: app\n"
    )
}

/// A Pod that fails baseline too.
fn privileged_pod(name: &str, namespace: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: {namespace}\nspec:\n  containers:\n  - name: app\n    image: app\n    securityContext: {{privileged: true}}\n"
    )
}

/// A Pod whose only baseline problem is a host probe (checked from v1.34).
fn probe_pod(namespace: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: probe\n  namespace: {namespace}\nspec:\n  containers:\n  - name: app\n    image: app\n    livenessProbe:\n      httpGet: {{host: 10.0.0.1, port: 80}}\n"
    )
}

// --- Precedence ---------------------------------------------------------------------------

#[test]
fn builtin_default_enforces_baseline_and_warns_restricted() {
    let repo = Repo::new(&[("pod.yaml", &privileged_pod("p", "app"))]);
    let run = repo.run(&["--format", "json", "."]);
    assert_eq!(run.code, 1);
    let v = run.json();
    let d = diag(&v, "privileged");
    assert_eq!(
        (&d["severity"], &d["mode"], &d["level"], &d["pss_version"]),
        (
            &Value::from("error"),
            &Value::from("enforce"),
            &Value::from("baseline"),
            &Value::from("latest")
        )
    );
    assert_eq!(d["policy_source"], "psslint's built-in default");
    let d = diag(&v, "runAsNonRoot");
    assert_eq!(
        (&d["severity"], &d["mode"]),
        (&"warning".into(), &"audit".into())
    );
    assert_eq!(d["level"], "restricted");
    // The check is reported once, at its strongest mode, though restricted fails it too.
    let privileged = findings(&v).iter().filter(|f| f.0 == "privileged").count();
    assert_eq!(privileged, 1);
    // A baseline-clean pod only warns.
    let repo = Repo::new(&[("pod.yaml", &baseline_pod("p", "app"))]);
    assert_eq!(repo.run(&["."]).code, 0);
    assert_eq!(repo.run(&["--fail-on", "warning", "."]).code, 1);
}

#[test]
fn level_flags_force_one_enforce_policy_over_labels_and_config() {
    let repo = Repo::new(&[
        ("ns.yaml", &ns("app", &[("enforce", "privileged")])),
        ("pod.yaml", &baseline_pod("p", "app")),
        (
            "psslint.yaml",
            "namespaces:\n  app: {enforce: privileged, reason: test}\n",
        ),
    ]);
    assert_eq!(repo.run(&["."]).code, 0);
    let v = repo
        .run(&["--level", "restricted", "--format", "json", "."])
        .json();
    let d = diag(&v, "runAsNonRoot");
    assert_eq!(
        (&d["severity"], &d["mode"]),
        (&"error".into(), &"enforce".into())
    );
    assert!(d.get("policy_source").is_none(), "{d}");
    // --pss-version alone forces restricted at that version (today's behaviour).
    let v = repo
        .run(&["--pss-version", "v1.7", "--format", "json", "."])
        .json();
    assert!(has(&v, "runAsNonRoot", "error"));
    assert!(
        !has(&v, "allowPrivilegeEscalation", "error"),
        "not checked before v1.8"
    );
}

#[test]
fn namespace_labels_apply_from_any_file_and_name_their_source() {
    // The workload comes first in walk order; the Namespace is in another file.
    let repo = Repo::new(&[
        ("a/pod.yaml", &baseline_pod("p", "shop")),
        (
            "z/ns.yaml",
            &ns(
                "shop",
                &[("enforce", "restricted"), ("enforce-version", "v1.30")],
            ),
        ),
    ]);
    let v = repo.run(&["--format", "json", "."]).json();
    let d = diag(&v, "runAsNonRoot");
    assert_eq!(
        (&d["severity"], &d["mode"]),
        (&"error".into(), &"enforce".into())
    );
    assert_eq!(d["pss_version"], "v1.30");
    assert_eq!(
        d["policy_source"],
        "label pod-security.kubernetes.io/enforce on Namespace/shop (z/ns.yaml:6:5)"
    );
    // The human report says where the policy came from.
    let human = repo.run(&["."]).stdout;
    assert!(
        human.contains("= note: enforce policy \"restricted:v1.30\" in namespace \"shop\" from label pod-security.kubernetes.io/enforce on Namespace/shop (z/ns.yaml:6:5)"),
        "{human}"
    );
    // Standard input holds both passes' bytes.
    let stdin = format!(
        "{}---\n{}",
        baseline_pod("p", "shop"),
        ns("shop", &[("enforce", "restricted")])
    );
    let run = run_in(repo.path(), &["--format", "concise", "-"], Some(&stdin));
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("runAsNonRoot error: runAsNonRoot != true"),
        "{}",
        run.stdout
    );
}

#[test]
fn config_namespaces_apply_unless_a_labelled_namespace_object_is_linted() {
    let config = "namespaces:\n  shop:\n    pod-security.kubernetes.io/enforce: restricted\n    enforce-version: v1.33\n";
    let repo = Repo::new(&[
        ("psslint.yaml", config),
        ("k8s/pod.yaml", &baseline_pod("p", "shop")),
    ]);
    let v = repo.run(&["--format", "json", "k8s"]).json();
    let d = diag(&v, "runAsNonRoot");
    assert_eq!(d["severity"], "error");
    assert_eq!(
        d["policy_source"],
        "psslint.yaml:3:5 (namespaces.shop.pod-security.kubernetes.io/enforce)"
    );
    // A labelled Namespace object in the input wins over the config entry.
    repo.write(
        "k8s/ns.yaml",
        &ns(
            "shop",
            &[("enforce", "baseline"), ("enforce-version", "v1.33")],
        ),
    );
    let v = repo.run(&["--format", "json", "k8s"]).json();
    assert_eq!(diag(&v, "runAsNonRoot")["severity"], "warning");
    // An unlabelled Namespace object does not shadow the config entry.
    repo.write("k8s/ns.yaml", &ns("shop", &[]));
    let v = repo.run(&["--format", "json", "k8s"]).json();
    assert_eq!(diag(&v, "runAsNonRoot")["severity"], "error");
}

#[test]
fn config_defaults_apply_to_unlabelled_namespaces_key_by_key() {
    let repo = Repo::new(&[
        (
            "psslint.yaml",
            "defaults:\n  enforce: restricted\n  enforce-version: v1.30\n",
        ),
        ("pod.yaml", &baseline_pod("p", "app")),
    ]);
    let v = repo.run(&["--format", "json", "pod.yaml"]).json();
    let d = diag(&v, "runAsNonRoot");
    assert_eq!(
        (&d["severity"], &d["pss_version"]),
        (&"error".into(), &"v1.30".into())
    );
    assert_eq!(d["policy_source"], "psslint.yaml:2:12 (defaults.enforce)");
    // `--no-config` ignores the file: back to the built-in default.
    let v = repo
        .run(&["--no-config", "--format", "json", "pod.yaml"])
        .json();
    assert_eq!(diag(&v, "runAsNonRoot")["severity"], "warning");
}

#[test]
fn admission_config_defaults_replace_the_config_defaults() {
    let repo = Repo::new(&[
        ("psslint.yaml", "defaults:\n  enforce: restricted\n"),
        ("pod.yaml", &privileged_pod("p", "app")),
        (
            "cluster/admission.yaml",
            "apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n- name: PodSecurity\n  path: pod-security.yaml\n",
        ),
        (
            "cluster/pod-security.yaml",
            "apiVersion: pod-security.admission.config.k8s.io/v1beta1\nkind: PodSecurityConfiguration\ndefaults:\n  warn: baseline\n",
        ),
    ]);
    // enforce and audit are omitted: privileged, as in the API server. warn is baseline.
    let v = repo
        .run(&[
            "--admission-config",
            "cluster/admission.yaml",
            "--format",
            "json",
            "pod.yaml",
        ])
        .json();
    assert_eq!(
        findings(&v),
        [("privileged".into(), "warning".into(), "warn".into())]
    );
    assert_eq!(
        diag(&v, "privileged")["policy_source"],
        "cluster/pod-security.yaml:4:9 (defaults.warn)"
    );
}

// --- Invalid labels (pss-spec §5.2) -------------------------------------------------------

#[test]
fn an_invalid_enforce_label_fails_closed_and_does_not_default_warn() {
    let repo = Repo::new(&[
        ("ns.yaml", &ns("shop", &[("enforce", "Baseline")])),
        ("pod.yaml", &baseline_pod("p", "shop")),
    ]);
    let v = repo.run(&["--format", "json", "."]).json();
    let d = diag(&v, "namespace-invalid-label");
    assert_eq!(d["severity"], "error");
    assert_eq!(
        d["message"],
        "Namespace \"shop\" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: \"Baseline\": must be one of privileged, baseline, restricted"
    );
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(6), Some(41))
    );
    // Enforce is restricted (fail closed).
    let d = diag(&v, "runAsNonRoot");
    assert_eq!(
        (&d["severity"], &d["level"]),
        (&"error".into(), &"restricted".into())
    );
    assert!(d["policy_source"]
        .as_str()
        .unwrap_or_default()
        .contains("invalid value \"Baseline\": enforce evaluates as restricted"));
}

#[test]
fn invalid_audit_and_warn_labels_fail_open() {
    let repo = Repo::new(&[
        (
            "ns.yaml",
            &ns(
                "shop",
                &[
                    ("enforce", "privileged"),
                    ("audit", "strict"),
                    ("warn", "\"\""),
                ],
            ),
        ),
        ("pod.yaml", &privileged_pod("p", "shop")),
        ("psslint.yaml", "namespaces:\n  shop: {reason: test}\n"),
    ]);
    let v = repo.run(&["--format", "json", "."]).json();
    let rules: Vec<String> = findings(&v).into_iter().map(|f| f.0).collect();
    assert_eq!(
        rules,
        ["namespace-invalid-label", "namespace-invalid-label"],
        "{v:#}"
    );
}

#[test]
fn an_invalid_version_label_means_latest() {
    for version in ["\"1.30\"", "v1.030", "Latest", "\"\""] {
        let repo = Repo::new(&[
            (
                "ns.yaml",
                &ns(
                    "shop",
                    &[("enforce", "baseline"), ("enforce-version", version)],
                ),
            ),
            ("pod.yaml", &probe_pod("shop")),
        ]);
        let v = repo.run(&["--format", "json", "."]).json();
        // The v1.34 host-probe check runs: the version is latest.
        assert!(
            has(&v, "hostProbesAndHostLifecycle", "error"),
            "{version}: {v:#}"
        );
        assert!(has(&v, "namespace-invalid-label", "error"), "{version}");
    }
}

#[test]
fn non_string_label_values_are_invalid() {
    let text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/enforce: true\n";
    let repo = Repo::new(&[("ns.yaml", text), ("pod.yaml", &baseline_pod("p", "shop"))]);
    let v = repo.run(&["--format", "json", "."]).json();
    assert!(has(&v, "namespace-invalid-label", "error"));
    assert_eq!(diag(&v, "runAsNonRoot")["severity"], "error");
}

// --- Warn defaulting ----------------------------------------------------------------------

#[test]
fn warn_defaults_to_a_stricter_enforce_level() {
    let admission =
        "apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\n";
    let verdict_tag = |labels: &[(&str, &str)]| {
        let repo = Repo::new(&[
            ("admission.yaml", admission),
            ("ns.yaml", &ns("shop", labels)),
            ("pod.yaml", &baseline_pod("p", "shop")),
        ]);
        let out = repo
            .run(&[
                "--admission-config",
                "admission.yaml",
                "pod.yaml",
                "ns.yaml",
            ])
            .stdout;
        out.lines()
            .filter(|l| l.starts_with("Pod/p "))
            .map(|l| {
                l.split(": would").next().unwrap_or_default().to_string()
                    + " "
                    + l.split('"').nth(1).unwrap_or_default()
            })
            .collect::<Vec<_>>()
    };
    // Defaults are privileged: warn takes enforce's level and version.
    // (Each verdict line: the object, the modes sharing a level/version, the label.)
    assert_eq!(
        verdict_tag(&[("enforce", "restricted"), ("enforce-version", "v1.30")]),
        ["Pod/p (pod.yaml:1) [enforce, warn] restricted:v1.30"]
    );
    // An explicit warn-version keeps its own version.
    assert_eq!(
        verdict_tag(&[("enforce", "restricted"), ("warn-version", "v1.25")]),
        [
            "Pod/p (pod.yaml:1) restricted:latest",
            "Pod/p (pod.yaml:1) [warn] restricted:v1.25"
        ]
    );
    // An explicit warn label is not overridden.
    assert_eq!(
        verdict_tag(&[("enforce", "restricted"), ("warn", "privileged")]),
        ["Pod/p (pod.yaml:1) restricted:latest"]
    );
    // An invalid enforce label does not default warn (privileged here, so no line for it).
    assert_eq!(
        verdict_tag(&[("enforce", "Restricted")]),
        ["Pod/p (pod.yaml:1) restricted:latest"]
    );
}

// --- Clamping (pss-spec §1.3) -------------------------------------------------------------

#[test]
fn kubernetes_clamps_latest_and_newer_versions_but_messages_keep_them() {
    let repo = Repo::new(&[
        (
            "ns.yaml",
            &ns(
                "shop",
                &[("enforce", "baseline"), ("enforce-version", "v1.35")],
            ),
        ),
        ("probe.yaml", &probe_pod("shop")),
        ("other.yaml", &probe_pod("other")),
    ]);
    let v = repo.run(&["--format", "json", "."]).json();
    assert_eq!(
        findings(&v)
            .iter()
            .filter(|f| f.0 == "hostProbesAndHostLifecycle")
            .count(),
        2
    );
    // A 1.33 cluster has no host-probe check, whatever the label says.
    let v = repo
        .run(&["--kubernetes", "v1.33", "--format", "json", "."])
        .json();
    assert!(!has(&v, "hostProbesAndHostLifecycle", "error"), "{v:#}");
    let v = repo
        .run(&[
            "--kubernetes",
            "1.34",
            "--format",
            "json",
            "probe.yaml",
            "ns.yaml",
        ])
        .json();
    let d = diag(&v, "hostProbesAndHostLifecycle");
    assert_eq!(
        d["pss_version"], "v1.35",
        "the requested version, not the clamped one"
    );
    // The config's `kubernetes:` does the same, and the flag overrides it.
    repo.write("psslint.yaml", "kubernetes: v1.33\n");
    let v = repo.run(&["--format", "json", "."]).json();
    assert!(!has(&v, "hostProbesAndHostLifecycle", "error"));
    let v = repo
        .run(&["--kubernetes", "v1.37", "--format", "json", "."])
        .json();
    assert!(has(&v, "hostProbesAndHostLifecycle", "error"));
    assert_eq!(repo.run(&["--kubernetes", "2.0", "."]).code, 2);
}

// --- Admission configuration decoding (pss-spec §5.5) -------------------------------------

#[test]
fn admission_configurations_decode_in_every_supported_form() {
    let pod = privileged_pod("p", "app");
    let inline = "apiVersion: apiserver.config.k8s.io/v1alpha1\nkind: AdmissionConfiguration\nplugins:\n- name: EventRateLimit\n  path: erl.yaml\n- name: PodSecurity\n  configuration:\n    apiVersion: pod-security.admission.config.k8s.io/v1\n    kind: PodSecurityConfiguration\n    defaults: {enforce: restricted, enforce-version: v1.30, audit: \"\", warn: privileged}\n    exemptions: {namespaces: [kube-system], runtimeClasses: [kata], usernames: [admin]}\n";
    let standalone = "apiVersion: pod-security.admission.config.k8s.io/v1alpha1\nkind: PodSecurityConfiguration\ndefaults:\n  enforce: restricted\n";
    let json = r#"{"apiVersion": "apiserver.config.k8s.io/v1", "kind": "AdmissionConfiguration", "plugins": [{"name": "PodSecurity", "configuration": {"apiVersion": "pod-security.admission.config.k8s.io/v1", "kind": "PodSecurityConfiguration", "defaults": {"enforce": "restricted"}}}]}"#;
    for (name, text) in [
        ("inline.yaml", inline),
        ("standalone.yaml", standalone),
        ("json.json", json),
    ] {
        let repo = Repo::new(&[(name, text), ("k8s/pod.yaml", &pod)]);
        let run = repo.run(&["--admission-config", name, "--format", "json", "k8s"]);
        assert_eq!(run.code, 1, "{name}: {}", run.stderr);
        let v = run.json();
        assert_eq!(diag(&v, "runAsNonRoot")["severity"], "error", "{name}");
    }
}

#[test]
fn an_admission_configuration_that_configures_no_pod_security_is_an_error() {
    // A typo in the plugin's name used to leave the cluster at the plugin's defaults
    // (privileged): a privileged pod passed with exit 0 and no output.
    let pod = privileged_pod("p", "app");
    let typo = "apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n- name: EventRateLimit\n  path: erl.yaml\n- name: PodSecurityX\n  configuration:\n    apiVersion: pod-security.admission.config.k8s.io/v1\n    kind: PodSecurityConfiguration\n    defaults: {enforce: restricted}\n";
    let cases = [
        (
            typo.to_string(),
            "a.yaml:6:9: this AdmissionConfiguration configures no PodSecurity plugin: plugin \"PodSecurityX\" is not PodSecurity (plugin names are exact and case-sensitive); did you mean \"PodSecurity\"?",
        ),
        (
            typo.replace("PodSecurityX", "podsecurity"),
            "a.yaml:6:9: this AdmissionConfiguration configures no PodSecurity plugin: plugin \"podsecurity\" is not PodSecurity",
        ),
        (
            "apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins: []\n".to_string(),
            "a.yaml:3:10: this AdmissionConfiguration configures no PodSecurity plugin: it has no plugins",
        ),
        (
            "apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\n".to_string(),
            "a.yaml:1:1: this AdmissionConfiguration configures no PodSecurity plugin: it has no plugins",
        ),
        (
            "apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n- name: EventRateLimit\n  path: erl.yaml\n".to_string(),
            "a.yaml:4:3: this AdmissionConfiguration configures no PodSecurity plugin: its plugins are \"EventRateLimit\"",
        ),
        (
            "apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n- name: PodSecurity\n".to_string(),
            "a.yaml:4:3: plugins[0]: the PodSecurity plugin has no configuration and no path, so this file configures nothing of Pod Security",
        ),
        (
            "apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n- name: PodSecurity\n  path: empty.yaml\n".to_string(),
            "empty.yaml: the file is empty (it is the PodSecurity plugin's configuration in a.yaml)",
        ),
    ];
    for (text, want) in cases {
        let repo = Repo::new(&[
            ("a.yaml", &text),
            ("empty.yaml", "# nothing\n"),
            ("k8s/pod.yaml", &pod),
        ]);
        let run = repo.run(&["--admission-config", "a.yaml", "k8s"]);
        assert_eq!(run.code, 2, "{text}\n{}{}", run.stdout, run.stderr);
        assert!(
            run.stderr.starts_with(&format!("psslint: {want}")),
            "{text}\nwant {want}\ngot  {}",
            run.stderr
        );
        assert!(
            run.stderr.contains("drop --admission-config"),
            "{}",
            run.stderr
        );
        assert!(run.stdout.is_empty(), "{}", run.stdout);
    }
    // Spelt right, the same file judges the pod.
    let right = typo.replace("PodSecurityX", "PodSecurity");
    let repo = Repo::new(&[("a.yaml", &right), ("k8s/pod.yaml", &pod)]);
    let run = repo.run(&["--admission-config", "a.yaml", "--format", "json", "k8s"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(diag(&run.json(), "privileged")["severity"], "error");
    // A cluster deliberately left at the plugin's defaults says so explicitly.
    let explicit = "apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\ndefaults: {enforce: privileged}\n";
    let repo = Repo::new(&[("a.yaml", explicit), ("k8s/pod.yaml", &pod)]);
    let run = repo.run(&["--admission-config", "a.yaml", "k8s"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn admission_configurations_are_decoded_strictly() {
    let psc = |body: &str| {
        format!("apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\n{body}")
    };
    let cases: Vec<(String, &str)> = vec![
        (psc("deflaults:\n  enforce: baseline\n"), "a.yaml:3:1: the document: unknown field \"deflaults\""),
        (psc("defaults:\n  enforce: Baseline\n"), "a.yaml:4:12: defaults.enforce: Invalid value: \"Baseline\": must be one of privileged, baseline, restricted"),
        (psc("defaults:\n  warn-version: \"1.30\"\n"), "a.yaml:4:17: defaults.warn-version: Invalid value: \"1.30\""),
        (psc("exemptions:\n  namespaces: [a, a]\n"), "a.yaml:4:19: exemptions.namespaces[1]: duplicate value \"a\""),
        (psc("exemptions:\n  runtimeClasses: [Kata]\n"), "a.yaml:4:20: exemptions.runtimeClasses[0]: invalid value \"Kata\""),
        (psc("defaults:\n  enforce: baseline\n  enforce: restricted\n"), "a.yaml:5:3: "),
        ("kind: PodSecurityConfiguration\n".to_string(), "a.yaml:1:1: the document: missing apiVersion"),
        ("apiVersion: pod-security.admission.config.k8s.io/v2\nkind: PodSecurityConfiguration\n".to_string(), "a.yaml:1:13: no kind \"PodSecurityConfiguration\" is registered for version"),
        ("apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n- name: PodSecurity\n  configuration:\n    defaults: {enforce: baseline}\n".to_string(), "a.yaml:6:5: plugins[0].configuration: missing apiVersion"),
        ("apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugin: []\n".to_string(), "a.yaml:3:1: the document: unknown field \"plugin\""),
        ("apiVersion: v1\nkind: ConfigMap\n".to_string(), "a.yaml:2:7: kind \"ConfigMap\" is not an AdmissionConfiguration"),
    ];
    for (text, want) in cases {
        let repo = Repo::new(&[("a.yaml", &text), ("pod.yaml", &baseline_pod("p", "x"))]);
        let run = repo.run(&["--admission-config", "a.yaml", "pod.yaml"]);
        assert_eq!(run.code, 2, "{text}");
        assert!(
            run.stderr.starts_with(&format!("psslint: {want}")),
            "{text}\nwant {want}\ngot  {}",
            run.stderr
        );
        assert!(run.stdout.is_empty());
    }
    let repo = Repo::new(&[("pod.yaml", &baseline_pod("p", "x"))]);
    let run = repo.run(&["--admission-config", "missing.yaml", "pod.yaml"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("missing.yaml: cannot read file"),
        "{}",
        run.stderr
    );
}

// --- Config file --------------------------------------------------------------------------

#[test]
fn config_errors_stop_the_run_with_positions() {
    let cases = [
        ("kubernetes: v1.33\nnamspaces: {}\n", "psslint: psslint.yaml:2:1: the document: unknown field \"namspaces\""),
        ("defaults:\n  enforce: strict\n", "psslint: psslint.yaml:2:12: defaults.enforce: invalid value \"strict\""),
        ("exceptions:\n- {namespace: a, kind: Pod, name: p, checks: [privileged], owner: o, reason: r, expires: 2026-02-30}\n", "psslint: psslint.yaml:2:90: exceptions[0].expires: invalid date \"2026-02-30\""),
        ("exceptions:\n- {kind: Pod, name: p, checks: [privileged], owner: o, reason: r, expires: 2026-01-30}\n", "cluster-wide exceptions are not allowed"),
        ("exceptions:\n- {namespace: a, kind: Pod, name: p, checks: [], owner: o, reason: r, expires: 2026-01-30}\n", "check-less exceptions are not allowed"),
        ("exceptions:\n- {namespace: a, kind: Pod, name: '*', checks: [privileged], owner: o, reason: r, expires: 2026-01-30}\n", "wildcards are not allowed"),
        ("workloads:\n- {apiVersion: x.io/v1, kind: X}\n", "workloads[0]: missing template"),
    ];
    for (config, want) in cases {
        let repo = Repo::new(&[
            ("psslint.yaml", config),
            ("pod.yaml", &baseline_pod("p", "x")),
        ]);
        let run = repo.run(&["pod.yaml"]);
        assert_eq!(run.code, 2, "{config}");
        assert!(
            run.stderr.contains(want),
            "{config}\nwant {want}\ngot  {}",
            run.stderr
        );
    }
    let repo = Repo::new(&[("pod.yaml", &baseline_pod("p", "x"))]);
    let run = repo.run(&["--config", "nope.yaml", "pod.yaml"]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (2, "psslint: nope.yaml: no such config file\n")
    );
}

#[test]
fn the_config_is_found_upward_and_named_relative_to_the_working_directory() {
    let repo = Repo::new(&[
        (".psslint.yaml", "defaults: {enforce: restricted}\n"),
        ("deploy/k8s/pod.yaml", &baseline_pod("p", "x")),
    ]);
    let v = run_in(
        &repo.path().join("deploy/k8s"),
        &["--format", "json", "."],
        None,
    )
    .json();
    assert_eq!(
        diag(&v, "runAsNonRoot")["policy_source"],
        "../../.psslint.yaml:1:21 (defaults.enforce)"
    );
    // The example config in testdata parses.
    let example = Path::new(CRATE).join("testdata/policy/psslint.yaml");
    let run = repo.run(&[
        "--config",
        example.to_str().unwrap_or_default(),
        "--today",
        "2026-01-01",
        "deploy",
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

// --- Exemptions ---------------------------------------------------------------------------

#[test]
fn exempt_namespaces_and_runtime_classes_are_skipped_and_counted() {
    let kata = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j, namespace: app}\nspec:\n  template:\n    spec:\n      runtimeClassName: kata\n      containers:\n      - {name: a, image: a, securityContext: {privileged: true}}\n";
    let repo = Repo::new(&[
        (
            "psslint.yaml",
            "exemptions:\n  namespaces: [kube-system]\n  runtimeClasses: [kata]\n",
        ),
        ("a.yaml", &privileged_pod("sys", "kube-system")),
        ("b.yaml", kata),
        ("c.yaml", &baseline_pod("ok", "app")),
    ]);
    let run = repo.run(&["--format", "json", "."]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let v = run.json();
    assert_eq!(v["summary"]["exempt"], 2);
    assert_eq!(v["summary"]["pod_templates"], 1);
    let human = repo.run(&["."]).stdout;
    assert!(human.contains("2 pod templates exempt"), "{human}");
    // Forcing a level keeps the exemptions.
    assert_eq!(repo.run(&["--level", "baseline", "."]).code, 0);
}

// --- Custom resources ---------------------------------------------------------------------

#[test]
fn custom_resource_templates_are_checked() {
    let widget = "apiVersion: example.com/v2\nkind: Widget\nmetadata: {name: w}\nspec:\n  podTemplate:\n    spec:\n      hostPID: true\n      containers: [{name: a, image: a}]\n";
    let rollout = "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}\nspec:\n  template:\n    spec:\n      hostIPC: true\n      containers: [{name: a, image: a}]\n";
    let repo = Repo::new(&[("w.yaml", widget), ("r.yaml", rollout)]);
    let v = repo.run(&["--format", "json", "."]).json();
    let objects: Vec<&str> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["rule"] == "hostNamespaces")
        .filter_map(|d| d["object"]["kind"].as_str())
        .collect();
    assert_eq!(
        objects,
        ["Rollout"],
        "the Rollout preset is built in; Widget is unknown"
    );
    repo.write(
        "psslint.yaml",
        "workloads:\n  - apiVersion: example.com/v1\n    kind: Widget\n    template: spec.podTemplate\n",
    );
    let v = repo.run(&["--format", "json", "."]).json();
    let d = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| d["object"]["kind"] == "Widget")
        .expect("Widget checked at any version of its group");
    assert_eq!(d["field"], "spec.podTemplate.spec.hostPID");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(7), Some(7))
    );
}

/// `../shared/corpus/argoproj__argo-rollouts`, or `None` (after saying so) when absent.
fn argo_rollouts_corpus() -> Option<PathBuf> {
    let p = Path::new(CRATE).join("../shared/corpus/argoproj__argo-rollouts");
    if p.is_dir() {
        Some(p)
    } else {
        println!("SKIPPED: ../shared/corpus/argoproj__argo-rollouts not found");
        None
    }
}

/// The fields of the PSS findings in `v`, per object kind.
fn fields_of(v: &Value, kind: &str) -> Vec<String> {
    v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["object"]["kind"] == kind && d["level"].is_string())
        .filter_map(|d| d["field"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn argo_experiments_and_analysis_templates_are_checked_like_rollouts() {
    // They used to report "No pod templates found" and exit 0.
    let Some(argo) = argo_rollouts_corpus() else {
        return;
    };
    let repo = Repo::new(&[]);
    for (file, kind, fields) in [
        (
            "test/e2e/functional/experiment-with-service.yaml",
            "Experiment",
            &["spec.templates[0].template.spec.containers[0].securityContext.allowPrivilegeEscalation"][..],
        ),
        (
            "test/e2e/functional/analysistemplate-multiple-job.yaml",
            "AnalysisTemplate",
            &[
                "spec.metrics[0].provider.job.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation",
                "spec.metrics[1].provider.job.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation",
            ],
        ),
        (
            "test/e2e/functional/analysis-run-job.yaml",
            "AnalysisRun",
            &["spec.metrics[0].provider.job.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation"],
        ),
        (
            "examples/cluster-analysis-templates.yaml",
            "ClusterAnalysisTemplate",
            &["spec.metrics[0].provider.job.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation"],
        ),
    ] {
        let path = argo.join(file);
        let path = path.to_str().expect("UTF-8 path");
        let run = repo.run(&["--level", "restricted", "--format", "json", path]);
        let v = run.json();
        let got = fields_of(&v, kind);
        for want in fields {
            assert!(got.iter().any(|f| f == want), "{file}: no {want} in {got:?}");
        }
        assert_eq!(run.code, 1, "{file}: {}", run.stdout);
        assert!(v["summary"]["pod_templates"].as_u64() >= Some(1));
    }
    // An analysis with web metrics only has nothing to check, and gets no warning about it.
    let web = "apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata: {name: web}\nspec:\n  metrics:\n  - name: up\n    provider:\n      web: {url: \"http://x\"}\n";
    repo.write("web.yaml", web);
    let run = repo.run(&["--level", "restricted", "--format", "json", "web.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(findings(&run.json()).is_empty(), "{}", run.stdout);
}

#[test]
fn every_template_of_an_experiment_is_judged_with_its_own_path() {
    let experiment = "apiVersion: argoproj.io/v1alpha1\nkind: Experiment\nmetadata: {name: e, namespace: shop}\nspec:\n  templates:\n  - name: baseline\n    template:\n      spec:\n        containers: [{name: a, image: a}]\n  - name: canary\n    template:\n      spec:\n        containers:\n        - name: b\n          image: b\n          securityContext: {privileged: true}\n";
    let repo = Repo::new(&[("e.yaml", experiment)]);
    let v = repo
        .run(&["--level", "baseline", "--format", "json", "."])
        .json();
    assert_eq!(
        fields_of(&v, "Experiment"),
        ["spec.templates[1].template.spec.containers[0].securityContext.privileged"]
    );
    assert_eq!(diag(&v, "privileged")["line"], 16);
    assert_eq!(v["summary"]["pod_templates"], 2);
    // One verdict for the object, naming the template that fails.
    let human = repo.run(&["--level", "baseline", "."]).stdout;
    assert!(
        human.contains("Experiment/e (e.yaml:1): would violate PodSecurity \"baseline:latest\": spec.templates[1].template: privileged (container \"b\" must not set securityContext.privileged=true)"),
        "{human}"
    );
    assert!(human.contains("in 1 of 2 pod templates"), "{human}");
    let both = experiment.replace(
        "containers: [{name: a, image: a}]",
        "containers: [{name: a, image: a, securityContext: {privileged: true}}]",
    );
    repo.write("e.yaml", &both);
    let human = repo.run(&["--level", "baseline", "."]).stdout;
    assert!(
        human.contains("would violate PodSecurity \"baseline:latest\": spec.templates[0].template: privileged (container \"a\" must not set securityContext.privileged=true); spec.templates[1].template: privileged (container \"b\""),
        "{human}"
    );
    assert!(human.contains("in 2 of 2 pod templates"), "{human}");
}

#[test]
fn configured_workload_paths_take_list_wildcards() {
    let batch = "apiVersion: example.com/v1\nkind: BatchRunner\nmetadata: {name: nightly}\nspec:\n  jobs:\n  - name: a\n    template:\n      spec:\n        hostPID: true\n        containers: [{name: a, image: a}]\n  - name: b\n    template:\n      spec:\n        hostIPC: true\n        containers: [{name: b, image: b}]\n";
    let repo = Repo::new(&[
        (
            "psslint.yaml",
            "workloads:\n  - apiVersion: example.com/v1\n    kind: BatchRunner\n    template: \"spec.jobs[*].template\"\n",
        ),
        ("batch.yaml", batch),
    ]);
    let v = repo
        .run(&["--level", "baseline", "--format", "json", "batch.yaml"])
        .json();
    // Each finding's field names the concrete item.
    assert_eq!(
        fields_of(&v, "BatchRunner"),
        [
            "spec.jobs[0].template.spec.hostPID",
            "spec.jobs[1].template.spec.hostIPC"
        ]
    );
    assert!(!has(&v, "unchecked-pod-template", "error"), "{v:#}");
    // A configured path that matches nothing in an object of the kind: a warning at the object.
    repo.write(
        "empty.yaml",
        "apiVersion: example.com/v1\nkind: BatchRunner\nmetadata: {name: idle}\nspec:\n  jobs: []\n",
    );
    let run = repo.run(&["--level", "baseline", "--format", "json", "empty.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let d = diag(&run.json(), "template-not-found").clone();
    assert_eq!(d["severity"], "warning");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        d["message"],
        "BatchRunner/idle has no pod template at spec.jobs[*].template, the template path configured for BatchRunner in psslint.yaml:2:5 (workloads[0]); nothing in it was checked"
    );
    // A path with bad syntax stops the run with its position.
    repo.write(
        "psslint.yaml",
        "workloads:\n  - apiVersion: example.com/v1\n    kind: BatchRunner\n    template: spec.jobs[].template\n",
    );
    let run = repo.run(&["batch.yaml"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with("psslint: psslint.yaml:4:15: workloads[0].template: \"spec.jobs[].template\" is not a template path: `[…]` must hold `*` (every item) or an index such as `0`"),
        "{}",
        run.stderr
    );
}

#[test]
fn pod_templates_of_unknown_kinds_fail_closed_with_the_path_to_configure() {
    // A KEDA ScaledJob, as the argo-cd corpus holds it: psslint does not know the kind.
    let scaled = "apiVersion: keda.sh/v1alpha1\nkind: ScaledJob\nmetadata: {name: worker, namespace: jobs}\nspec:\n  jobTargetRef:\n    template:\n      spec:\n        containers:\n        - name: worker\n          image: worker:1\n          securityContext: {privileged: true}\n";
    let repo = Repo::new(&[
        ("scaled.yaml", scaled),
        ("pod.yaml", &baseline_pod("p", "x")),
    ]);
    for fast in [&[][..], &["--no-fast-path"]] {
        let mut args = vec!["--fail-on", "never", "--format", "json", "."];
        args.extend_from_slice(fast);
        let run = repo.run(&args);
        // Unchecked input fails the run even under --fail-on never.
        assert_eq!(run.code, 1, "{}", run.stdout);
        let v = run.json();
        let d = diag(&v, "unchecked-pod-template");
        assert_eq!(d["severity"], "error");
        assert_eq!(d["field"], "spec.jobTargetRef.template");
        assert_eq!(
            (d["line"].as_u64(), d["column"].as_u64()),
            (Some(6), Some(5))
        );
        assert_eq!(
            d["message"],
            "ScaledJob/worker holds a pod template at spec.jobTargetRef.template that was not checked: psslint does not know where ScaledJob (keda.sh/v1alpha1) keeps pod templates"
        );
        assert_eq!(
            d["hint"],
            "if its controller creates Pods from it, add it to workloads: in psslint.yaml: `- {apiVersion: keda.sh/v1alpha1, kind: ScaledJob, template: \"spec.jobTargetRef.template\"}`"
        );
    }
    // --allow-unchecked: a warning, and the run passes.
    let run = repo.run(&["--allow-unchecked", "--format", "json", "scaled.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(
        diag(&run.json(), "unchecked-pod-template")["severity"],
        "warning"
    );
    // Configured as the hint says, it is checked like any workload.
    repo.write(
        "psslint.yaml",
        "workloads:\n  - {apiVersion: keda.sh/v1alpha1, kind: ScaledJob, template: \"spec.jobTargetRef.template\"}\n",
    );
    let run = repo.run(&["--format", "json", "scaled.yaml"]);
    let v = run.json();
    assert!(!has(&v, "unchecked-pod-template", "error"), "{v:#}");
    assert_eq!(
        diag(&v, "privileged")["field"],
        "spec.jobTargetRef.template.spec.containers[0].securityContext.privileged"
    );
    // Lists of templates are named with [*]; a template at the object's root with `.`.
    let pods = "apiVersion: core.strimzi.io/v1beta2\nkind: StrimziPodSet\nmetadata: {name: k}\nspec:\n  pods:\n  - metadata: {name: k-0}\n    spec: {containers: [{name: kafka, image: kafka}]}\n";
    let itself = "apiVersion: example.com/v1\nkind: PodLike\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: a}]\n";
    repo.write("pods.yaml", pods);
    repo.write("itself.yaml", itself);
    let v = repo
        .run(&["--format", "json", "pods.yaml", "itself.yaml"])
        .json();
    let hints: Vec<&str> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["rule"] == "unchecked-pod-template")
        .filter_map(|d| d["hint"].as_str())
        .collect();
    assert_eq!(hints.len(), 2, "{v:#}");
    assert!(
        hints[0].ends_with("kind: PodLike, template: \".\"}`"),
        "{hints:?}"
    );
    assert!(
        hints[1].ends_with("kind: StrimziPodSet, template: \"spec.pods[*]\"}`"),
        "{hints:?}"
    );
    // Objects without anything shaped like a pod template are left alone: a CRD's schema of
    // `containers`, a list of containers without images.
    repo.write(
        "crd.yaml",
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: x}\nspec:\n  versions:\n  - schema:\n      openAPIV3Schema:\n        properties:\n          spec:\n            properties:\n              containers: {type: array, items: {type: object}}\n---\napiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {name: k8s}\nspec:\n  containers:\n  - name: config-reloader\n    resources: {}\n",
    );
    let run = repo.run(&["--format", "json", "crd.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

// --- API-server defaulting --------------------------------------------------------------

#[test]
fn a_template_on_the_host_network_says_its_pods_would_also_fail_host_ports() {
    // flannel's DaemonSet: hostNetwork, and a containerPort without hostPort. Since 1.28 the
    // template is not defaulted, but the Pods it creates get hostPort = containerPort and fail
    // hostPorts too; the findings must say so, or an exception for hostNamespaces alone would
    // leave the Pods rejected.
    let flannel = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: kube-flannel-ds, namespace: kube-flannel}\nspec:\n  selector: {matchLabels: {app: flannel}}\n  template:\n    metadata: {labels: {app: flannel}}\n    spec:\n      hostNetwork: true\n      containers:\n      - name: kube-flannel\n        image: flannel:v0.26\n        ports:\n        - containerPort: 8472\n        - {containerPort: 9000, hostPort: 9000}\n";
    let hint = "Pods created from this template would also fail hostPorts: on the host network the API server sets each unset hostPort to its containerPort, so they get hostPort (container \"kube-flannel\" uses hostPorts 8472, 9000); turning hostNetwork off clears both";
    let repo = Repo::new(&[("flannel.yaml", flannel)]);
    let v = repo
        .run(&["--level", "baseline", "--format", "json", "."])
        .json();
    // The template's own verdict is the API server's: the explicit hostPort only.
    assert_eq!(
        diag(&v, "hostPorts")["detail"],
        "container \"kube-flannel\" uses hostPort 9000"
    );
    assert_eq!(diag(&v, "hostNamespaces")["hint"], hint);
    // Covered by an exception, the note still says what else the Pods need.
    repo.write(
        "psslint.yaml",
        "exceptions:\n- {namespace: kube-flannel, kind: DaemonSet, name: kube-flannel-ds, checks: [hostNamespaces], owner: net, reason: CNI, expires: 2099-01-01}\n",
    );
    let v = repo
        .run(&["--level", "baseline", "--format", "json", "."])
        .json();
    let d = diag(&v, "hostNamespaces");
    assert_eq!(d["severity"], "note");
    assert_eq!(d["hint"], hint);
    // A template whose ports are all explicit gets no hint: its verdict is already complete.
    repo.write(
        "flannel.yaml",
        &flannel.replace(
            "- containerPort: 8472",
            "- {containerPort: 8472, hostPort: 8472}",
        ),
    );
    let v = repo
        .run(&[
            "--no-config",
            "--level",
            "baseline",
            "--format",
            "json",
            ".",
        ])
        .json();
    assert!(diag(&v, "hostNamespaces")["hint"].is_null(), "{v:#}");
    // Before 1.28 the API server defaulted templates like Pods: the template fails hostPorts.
    repo.write("flannel.yaml", flannel);
    let v = repo
        .run(&[
            "--no-config",
            "--level",
            "baseline",
            "--kubernetes",
            "v1.27",
            "--format",
            "json",
            ".",
        ])
        .json();
    assert_eq!(
        diag(&v, "hostPorts")["detail"],
        "container \"kube-flannel\" uses hostPorts 8472, 9000"
    );
    assert!(diag(&v, "hostNamespaces")["hint"].is_null(), "{v:#}");
}

#[test]
fn node_exporter_from_the_corpus_gets_the_host_ports_note() {
    let p = Path::new(CRATE).join("../shared/corpus/open-telemetry__opentelemetry-helm-charts/charts/opentelemetry-kube-stack/examples/prometheus-otel/rendered/prometheus-node-exporter/daemonset.yaml");
    if !p.is_file() {
        println!("SKIPPED: ../shared/corpus not found");
        return;
    }
    let repo = Repo::new(&[]);
    let v = repo
        .run(&[
            "--no-config",
            "--level",
            "baseline",
            "--format",
            "json",
            p.to_str().expect("UTF-8"),
        ])
        .json();
    assert!(
        !has(&v, "hostPorts", "error"),
        "the template itself sets no hostPort"
    );
    assert!(
        diag(&v, "hostNamespaces")["hint"]
            .as_str()
            .is_some_and(|h| h
                .contains("so they get hostPort (container \"node-exporter\" uses hostPort 9100)")),
        "{v:#}"
    );
}

// --- Exceptions ---------------------------------------------------------------------------

const EXCEPTED: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      containers:
      - name: web
        image: web
        securityContext: {privileged: true}
      - name: sidecar
        image: sidecar
";

fn exception(expires: &str, extra: &str) -> String {
    format!(
        "exceptions:\n  - namespace: shop\n    kind: Deployment\n    name: web\n    checks: [privileged]\n    owner: team-shop\n    reason: debugging (SHOP-1)\n    expires: {expires}\n{extra}"
    )
}

#[test]
fn an_active_exception_turns_findings_into_notes() {
    let repo = Repo::new(&[
        ("psslint.yaml", &exception("2026-06-30", "")),
        ("web.yaml", EXCEPTED),
    ]);
    let run = repo.run(&["--today", "2026-03-01", "--format", "json", "web.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let v = run.json();
    let d = diag(&v, "privileged");
    assert_eq!(d["severity"], "note");
    assert_eq!(d["mode"], "enforce");
    assert_eq!(d["exception"]["owner"], "team-shop");
    assert_eq!(d["exception"]["expires"], "2026-06-30");
    assert_eq!(d["exception"]["status"], "active");
    assert_eq!(d["exception"]["source"], "psslint.yaml:2:5");
    assert!(d["message"]
        .as_str()
        .unwrap_or_default()
        .ends_with("[excepted until 2026-06-30 by team-shop]"));
    assert_eq!(v["summary"]["excepted"], 1);
    assert_eq!(v["summary"]["notes"], 1);
    // Every format shows it.
    let concise = repo
        .run(&["--today", "2026-03-01", "--format", "concise", "web.yaml"])
        .stdout;
    assert!(concise.contains("privileged note: privileged (container \"web\" must not set securityContext.privileged=true) [excepted until 2026-06-30 by team-shop]"), "{concise}");
    let human = repo.run(&["--today", "2026-03-01", "web.yaml"]).stdout;
    assert!(human.contains("= note: exception owned by team-shop until 2026-06-30 (psslint.yaml:2:5): debugging (SHOP-1)"), "{human}");
    assert!(human.contains("1 finding excepted"), "{human}");
    let sarif: Value = serde_json::from_str(
        &repo
            .run(&["--today", "2026-03-01", "--format", "sarif", "web.yaml"])
            .stdout,
    )
    .expect("SARIF");
    let result = &sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["ruleId"] == "privileged")
        .expect("result")
        .clone();
    assert_eq!(result["level"], "note");
}

#[test]
fn an_expiring_exception_still_applies_and_warns() {
    let repo = Repo::new(&[
        ("psslint.yaml", &exception("2026-03-10", "")),
        ("web.yaml", EXCEPTED),
    ]);
    let v = repo
        .run(&["--today", "2026-03-01", "--format", "json", "web.yaml"])
        .json();
    assert_eq!(diag(&v, "privileged")["severity"], "note");
    assert_eq!(diag(&v, "privileged")["exception"]["status"], "expiring");
    let d = diag(&v, "exception-expiring");
    assert_eq!(d["severity"], "warning");
    assert!(
        d["message"]
            .as_str()
            .unwrap_or_default()
            .contains("expires in 9 days, on 2026-03-10"),
        "{d}"
    );
    assert_eq!(
        (d["file"].as_str(), d["line"].as_u64()),
        (Some("psslint.yaml"), Some(2))
    );
    // `exceptionWarningDays` moves the threshold.
    repo.write(
        "psslint.yaml",
        &exception("2026-03-10", "exceptionWarningDays: 5\n"),
    );
    let v = repo
        .run(&["--today", "2026-03-01", "--format", "json", "web.yaml"])
        .json();
    assert!(!has(&v, "exception-expiring", "warning"));
}

#[test]
fn an_expired_exception_no_longer_applies_and_names_its_owner() {
    let repo = Repo::new(&[
        ("psslint.yaml", &exception("2026-02-28", "")),
        ("web.yaml", EXCEPTED),
    ]);
    // Still valid on its expiry day.
    let v = repo
        .run(&["--today", "2026-02-28", "--format", "json", "web.yaml"])
        .json();
    assert_eq!(diag(&v, "privileged")["severity"], "note");
    let run = repo.run(&["--today", "2026-03-01", "--format", "json", "web.yaml"]);
    assert_eq!(run.code, 1);
    let v = run.json();
    let d = diag(&v, "privileged");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["exception"]["status"], "expired");
    let d = diag(&v, "exception-expired");
    assert_eq!(d["severity"], "error");
    assert!(
        d["message"].as_str().unwrap_or_default().contains(
            "expired on 2026-02-28; owner team-shop must fix the workload or renew the exception"
        ),
        "{d}"
    );
    assert_eq!(v["summary"]["excepted"], 0);
}

#[test]
fn an_unused_exception_is_stale() {
    let clean = EXCEPTED.replace(
        "securityContext: {privileged: true}",
        "securityContext: {privileged: false}",
    );
    let repo = Repo::new(&[
        ("psslint.yaml", &exception("2026-06-30", "")),
        ("web.yaml", &clean),
    ]);
    let v = repo
        .run(&["--today", "2026-03-01", "--format", "json", "web.yaml"])
        .json();
    let d = diag(&v, "exception-unused");
    assert_eq!(d["severity"], "warning");
    assert!(
        d["message"]
            .as_str()
            .unwrap_or_default()
            .ends_with("matches no violation; remove it"),
        "{d}"
    );
    // A workload that was not linted at all is named as such.
    let v = repo
        .run(&["--today", "2026-03-01", "--format", "json", "psslint.yaml"])
        .json();
    assert!(diag(&v, "exception-unused")["message"]
        .as_str()
        .unwrap_or_default()
        .contains("not in the linted files"));
}

#[test]
fn container_scoped_exceptions_cover_only_their_containers() {
    let both = EXCEPTED.replace(
        "image: sidecar\n",
        "image: sidecar\n        securityContext: {privileged: true}\n",
    );
    let repo = Repo::new(&[
        (
            "psslint.yaml",
            &exception("2026-06-30", "    containers: [web]\n"),
        ),
        ("web.yaml", &both),
    ]);
    let v = repo
        .run(&["--today", "2026-03-01", "--format", "json", "web.yaml"])
        .json();
    // One finding names both containers: the exception covers only one of them.
    assert_eq!(diag(&v, "privileged")["severity"], "error");
    assert!(has(&v, "exception-unused", "warning"));
    repo.write("web.yaml", EXCEPTED);
    let v = repo
        .run(&["--today", "2026-03-01", "--format", "json", "web.yaml"])
        .json();
    assert_eq!(diag(&v, "privileged")["severity"], "note");
}

#[test]
fn annotation_exceptions_cover_their_own_workload() {
    let annotated = |value: &str| {
        EXCEPTED.replace(
            "  namespace: shop\n",
            &format!("  namespace: shop\n  annotations:\n    psslint.dev/exception: '{value}'\n"),
        )
    };
    let ok = r#"{"checks": ["privileged"], "owner": "team-shop", "reason": "r", "expires": "2026-06-30"}"#;
    let repo = Repo::new(&[("web.yaml", &annotated(ok))]);
    let v = repo
        .run(&["--today", "2026-03-01", "--format", "json", "web.yaml"])
        .json();
    let d = diag(&v, "privileged");
    assert_eq!(d["severity"], "note");
    assert_eq!(d["exception"]["source"], "annotation psslint.dev/exception");
    // Expired, and malformed annotations.
    let v = repo
        .run(&["--today", "2026-07-01", "--format", "json", "web.yaml"])
        .json();
    assert!(has(&v, "exception-expired", "error"));
    assert_eq!(diag(&v, "exception-expired")["line"], 7);
    for bad in [
        r#"{"checks": ["privileged"], "owner": "o", "reason": "r"}"#,
        r#"{"checks": [], "owner": "o", "reason": "r", "expires": "2026-06-30"}"#,
        r#"{"checks": ["privileged"], "owner": "o", "reason": "r", "expires": "2026-06-30", "namespace": "other"}"#,
        r#"{"checks": ["privileged"], "owner": "o", "reason": "r", "expires": "30/06/2026"}"#,
        r#"{"checks": ["privileged"]"#,
    ] {
        repo.write("web.yaml", &annotated(bad));
        let v = repo
            .run(&["--today", "2026-03-01", "--format", "json", "web.yaml"])
            .json();
        let d = diag(&v, "exception-invalid");
        assert_eq!(d["severity"], "error", "{bad}");
        assert_eq!(diag(&v, "privileged")["severity"], "error", "{bad}");
    }
}

#[test]
fn the_exceptions_command_prints_the_review() {
    let config = format!(
        "{}  - {{namespace: shop, kind: Deployment, name: gone, checks: [runAsUser], owner: team-b, reason: old, expires: 2027-01-01}}\n",
        exception("2026-03-10", "")
    );
    let repo = Repo::new(&[("psslint.yaml", &config), ("web.yaml", EXCEPTED)]);
    let run = repo.run(&["exceptions", "--today", "2026-03-01"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "STATUS    EXPIRES     OWNER      SCOPE                 CHECKS      REASON              WHERE\n\
         expiring  2026-03-10  team-shop  shop/Deployment/web   privileged  debugging (SHOP-1)  psslint.yaml:2:5\n\
         unused    2027-01-01  team-b     shop/Deployment/gone  runAsUser   old                 psslint.yaml:9:6\n\
         \n2 exceptions: 1 expiring, 1 unused\n"
    );
    let md = repo
        .run(&[
            "exceptions",
            "--today",
            "2026-03-01",
            "--format",
            "markdown",
        ])
        .stdout;
    assert!(md.contains("| **expiring** | 2026-03-10 | team-shop | `shop/Deployment/web` | privileged | debugging (SHOP-1) | `psslint.yaml:2:5` |"), "{md}");
    let v: Value = serde_json::from_str(
        &repo
            .run(&["exceptions", "--today", "2026-03-11", "--format", "json"])
            .stdout,
    )
    .expect("JSON");
    assert_eq!(v["exceptions"][0]["status"], "expired");
    assert_eq!(v["exceptions"][0]["owner"], "team-shop");
    assert_eq!(v["exceptions"][1]["status"], "unused");
    let empty = Repo::new(&[("web.yaml", EXCEPTED)]);
    assert_eq!(empty.run(&["exceptions"]).stdout, "No exceptions found.\n");
}

// --- Namespace hygiene --------------------------------------------------------------------

#[test]
fn namespace_hygiene_findings_point_at_the_labels() {
    let repo = Repo::new(&[(
        "ns.yaml",
        &[
            ns("a", &[("warn", "restricted")]),
            ns("b", &[("enforce", "baseline")]),
            ns(
                "c",
                &[("enforce", "restricted"), ("enforce-version", "latest")],
            ),
            ns("d", &[("enforce", "privileged")]),
            ns(
                "e",
                &[
                    ("enforce", "baseline"),
                    ("enforce-version", "v1.33"),
                    ("warn", "baseline"),
                ],
            ),
            ns(
                "f",
                &[("enforce", "restricted"), ("enforce-version", "v1.33")],
            ),
        ]
        .join("---\n"),
    )]);
    let v = repo.run(&["--format", "json", "ns.yaml"]).json();
    let got: Vec<(String, u64)> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let want: Vec<(String, u64)> = [
        ("namespace-no-enforce", 5),
        ("namespace-unpinned-version", 13),
        ("namespace-unpinned-version", 21),
        ("namespace-weaker-than-default", 28),
        ("namespace-weaker-than-default", 37),
    ]
    .iter()
    .map(|(r, l)| (r.to_string(), *l))
    .collect();
    assert_eq!(got, want, "{v:#}");
    // A documented reason silences the weaker-than-default findings.
    repo.write(
        "psslint.yaml",
        "namespaces:\n  d: {reason: CNI}\n  e: {reason: legacy}\n",
    );
    let v = repo.run(&["--format", "json", "ns.yaml"]).json();
    assert!(!has(&v, "namespace-weaker-than-default", "warning"));
    // Config entries are checked too, at their line.
    repo.write("psslint.yaml", "namespaces:\n  g: {enforce: privileged}\n");
    let v = repo.run(&["--format", "json", "ns.yaml"]).json();
    let in_config: Vec<(String, u64)> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["file"] == "psslint.yaml")
        .map(|d| {
            (
                d["rule"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        in_config,
        [("namespace-weaker-than-default".to_string(), 2)]
    );
}

#[test]
fn hygiene_messages_describe_the_policy_in_effect() {
    // Under --level restricted, namespace-no-enforce used to say that pods get
    // baseline:latest and to suggest `enforce: baseline`.
    let repo = Repo::new(&[
        ("ns.yaml", &ns("shop", &[])),
        ("pinned.yaml", &ns("web", &[("enforce", "restricted")])),
    ]);
    let fix = |v: &Value, rule: &str| {
        diag(v, rule)["fix"]["yaml"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let v = repo
        .run(&["--level", "restricted", "--format", "json", "."])
        .json();
    let message = diag(&v, "namespace-no-enforce")["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        message,
        "Namespace \"shop\" has no pod-security.kubernetes.io/enforce label; this run judges its pods at \"restricted:latest\" (--level), and without --level they get the default enforce policy \"baseline:latest\" from psslint's built-in default"
    );
    assert_eq!(
        fix(&v, "namespace-no-enforce"),
        "pod-security.kubernetes.io/enforce: restricted\npod-security.kubernetes.io/enforce-version: v1.37"
    );
    // A pinned --pss-version is what the fixes pin to.
    let v = repo
        .run(&[
            "--level",
            "restricted",
            "--pss-version",
            "v1.30",
            "--format",
            "json",
            ".",
        ])
        .json();
    assert!(diag(&v, "namespace-no-enforce")["message"]
        .as_str()
        .is_some_and(|m| m.contains("\"restricted:v1.30\" (--level)")));
    assert_eq!(
        fix(&v, "namespace-no-enforce"),
        "pod-security.kubernetes.io/enforce: restricted\npod-security.kubernetes.io/enforce-version: v1.30"
    );
    assert_eq!(
        fix(&v, "namespace-unpinned-version"),
        "pod-security.kubernetes.io/enforce-version: v1.30"
    );
    // Without --level, a stricter configured default is suggested, never a weaker level.
    repo.write(
        "psslint.yaml",
        "kubernetes: v1.33\ndefaults: {enforce: restricted}\n",
    );
    let v = repo.run(&["--format", "json", "."]).json();
    let message = diag(&v, "namespace-no-enforce")["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        message.ends_with("so its pods get the default enforce policy \"restricted:latest\" from psslint.yaml:2:21 (defaults.enforce)"),
        "{message}"
    );
    assert_eq!(
        fix(&v, "namespace-no-enforce"),
        "pod-security.kubernetes.io/enforce: restricted\npod-security.kubernetes.io/enforce-version: v1.33"
    );
    // The built-in default suggests baseline, as before.
    let v = repo.run(&["--no-config", "--format", "json", "."]).json();
    assert!(fix(&v, "namespace-no-enforce")
        .starts_with("pod-security.kubernetes.io/enforce: baseline\n"));
}

#[test]
fn conflicting_namespace_definitions_are_reported_with_the_one_that_wins() {
    // Two Namespace objects named shop with different labels used to pass without a word; the
    // run used the first labelled one (by file path, then position) silently.
    let repo = Repo::new(&[
        (
            "a/namespace.yaml",
            &ns(
                "shop",
                &[("enforce", "restricted"), ("enforce-version", "v1.33")],
            ),
        ),
        (
            "b/namespace.yaml",
            &[
                ns(
                    "shop",
                    &[("enforce", "baseline"), ("enforce-version", "v1.33")],
                ),
                ns("shop", &[]),
                // The same labels as the one in use: a duplicate, not a conflict.
                ns(
                    "shop",
                    &[("enforce-version", "v1.33"), ("enforce", "restricted")],
                ),
            ]
            .join("---\n"),
        ),
        ("app/pod.yaml", &baseline_pod("p", "shop")),
    ]);
    for threads in ["1", "4"] {
        let v = repo
            .run(&["--threads", threads, "--format", "json", "."])
            .json();
        let conflicts: Vec<(String, u64, String)> = v["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .filter(|d| d["rule"] == "namespace-conflict")
            .map(|d| {
                (
                    d["file"].as_str().unwrap_or_default().to_string(),
                    d["line"].as_u64().unwrap_or(0),
                    d["message"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        assert_eq!(
            conflicts,
            [
                (
                    "b/namespace.yaml".to_string(),
                    5,
                    "Namespace \"shop\" is also defined at a/namespace.yaml:1:1 with other Pod Security labels (there: enforce=restricted, enforce-version=v1.33; here: enforce=baseline, enforce-version=v1.33); psslint judges the namespace's workloads by the one at a/namespace.yaml:1:1, the first with labels by file path and position".to_string()
                ),
                (
                    "b/namespace.yaml".to_string(),
                    12,
                    "Namespace \"shop\" is also defined at a/namespace.yaml:1:1 with other Pod Security labels (there: enforce=restricted, enforce-version=v1.33; here: no Pod Security labels); psslint judges the namespace's workloads by the one at a/namespace.yaml:1:1, the first with labels by file path and position".to_string()
                ),
            ],
            "{v:#}"
        );
        assert_eq!(diag(&v, "namespace-conflict")["severity"], "warning");
        // The pod is judged by the definition that wins: restricted at enforce, so errors.
        assert_eq!(diag(&v, "runAsNonRoot")["severity"], "error");
        assert_eq!(
            diag(&v, "runAsNonRoot")["policy_source"],
            "label pod-security.kubernetes.io/enforce on Namespace/shop (a/namespace.yaml:6:5)"
        );
        // The unlabelled duplicate does not claim that its pods get the default.
        assert!(!has(&v, "namespace-no-enforce", "warning"), "{v:#}");
    }
}

#[test]
fn exempt_namespaces_with_labels_get_the_upstream_warning() {
    let repo = Repo::new(&[
        ("psslint.yaml", "exemptions: {namespaces: [kube-system]}\n"),
        (
            "ns.yaml",
            &ns(
                "kube-system",
                &[
                    ("enforce", "baseline"),
                    ("audit", "restricted"),
                    ("audit-version", "v1.30"),
                ],
            ),
        ),
    ]);
    let v = repo.run(&["--format", "json", "ns.yaml"]).json();
    assert_eq!(
        diag(&v, "namespace-exempt-labeled")["message"],
        "namespace \"kube-system\" is exempt from Pod Security, and the policy (enforce=baseline:latest, audit=restricted:v1.30) will be ignored"
    );
    assert!(!has(&v, "namespace-unpinned-version", "warning"));
}

// --- The end-to-end fixture ---------------------------------------------------------------

fn rollout(args: &[&str]) -> Run {
    rollout_in(&rollout_fixture(), &[], args)
}

/// SARIF without the machine's root URI and the release version (as in ci_outputs.rs); rule
/// descriptors are pinned elsewhere, so only their IDs are kept.
fn stable_sarif(text: &str) -> String {
    let mut log: Value = serde_json::from_str(text).expect("SARIF is JSON");
    let run = &mut log["runs"][0];
    run["originalUriBaseIds"]["%SRCROOT%"]["uri"] = "file:///[ROOT]/".into();
    let driver = &mut run["tool"]["driver"];
    driver["version"] = "[VERSION]".into();
    driver["semanticVersion"] = "[VERSION]".into();
    let ids: Vec<Value> = driver["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    driver["rules"] = ids.into();
    serde_json::to_string_pretty(&log).expect("JSON")
}

#[test]
fn rollout_fixture_snapshots() {
    let human = rollout(&[]);
    assert_eq!(human.code, 1, "{}", human.stderr);
    insta::assert_snapshot!("rollout-human", human.stdout);
    let json = rollout(&["--format", "json"]);
    insta::assert_snapshot!("rollout-json", json.stdout);
    let sarif = rollout(&["--format", "sarif"]);
    insta::assert_snapshot!("rollout-sarif", stable_sarif(&sarif.stdout));
    let review = rollout_in(&rollout_fixture(), &["exceptions"], &[]);
    insta::assert_snapshot!("rollout-exceptions", review.stdout);
}

#[test]
fn rollout_fixture_is_byte_identical_across_thread_counts() {
    let a = rollout(&["--format", "json", "--threads", "1"]).stdout;
    let b = rollout(&["--format", "json", "--threads", "3"]).stdout;
    assert_eq!(a, b);
}
