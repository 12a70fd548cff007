//! `psslint plan` and `psslint notices` from the binary: the rollout fixture's plan and notices
//! (snapshots), the plan's agreement with `psslint check`, version-upgrade impact, grouping,
//! custom templates, and bad input.

use std::fs;
use std::path::Path;

use serde_json::Value;

mod common;
use common::{copy_dir, rollout_fixture, rollout_in, run_in, temp_repo, Run};

const CONTACT: &str = "Platform team <platform@example.com>";

fn rollout(command: &str, args: &[&str]) -> Run {
    rollout_in(&rollout_fixture(), &[command], args)
}

fn notices(args: &[&str]) -> Run {
    let mut all = vec!["--deadline", "2026-06-30", "--contact", CONTACT];
    all.extend_from_slice(args);
    rollout("notices", &all)
}

/// The JSON with the release version replaced, so snapshots survive a version bump.
fn stable_json(text: &str) -> String {
    let mut v: Value = serde_json::from_str(text).expect("JSON");
    v["tool"]["version"] = "[VERSION]".into();
    serde_json::to_string_pretty(&v).expect("JSON")
}

/// A copy of the rollout fixture in a temporary repository.
fn fixture_copy() -> tempfile::TempDir {
    let dir = temp_repo();
    copy_dir(&rollout_fixture(), dir.path());
    dir
}

fn namespace<'v>(plan: &'v Value, name: &str) -> &'v Value {
    plan["namespaces"]
        .as_array()
        .expect("namespaces")
        .iter()
        .find(|n| n["name"] == name)
        .unwrap_or_else(|| panic!("no namespace {name}"))
}

/// Objects (`Kind/name`) with an error in namespace `ns`, from a check run's JSON.
fn errors_in(check: &Value, ns: &str) -> Vec<String> {
    let mut out: Vec<String> = check["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["severity"] == "error" && d["object"]["namespace"] == ns)
        .map(|d| {
            format!(
                "{}/{}",
                d["object"]["kind"].as_str().unwrap(),
                d["object"]["name"].as_str().unwrap()
            )
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

// --- The rollout fixture -------------------------------------------------------------------

#[test]
fn rollout_plan_snapshots() {
    let human = rollout("plan", &[]);
    assert_eq!(human.code, 0, "{}", human.stderr);
    insta::assert_snapshot!("rollout-plan-human", human.stdout);
    let markdown = rollout("plan", &["--format", "markdown"]);
    insta::assert_snapshot!("rollout-plan-markdown", markdown.stdout);
    let json = rollout("plan", &["--format", "json"]);
    insta::assert_snapshot!("rollout-plan-json", stable_json(&json.stdout));
}

#[test]
fn rollout_plan_reads_as_the_rollout_stages() {
    let plan = rollout("plan", &["--format", "json"]).json();
    assert_eq!(plan["target"]["level"], "restricted");
    // The pinned target version is the config's `kubernetes: v1.33`.
    assert_eq!(plan["target"]["version"], "v1.33");
    let state = |ns: &str| namespace(&plan, ns)["state"].as_str().unwrap().to_string();
    assert_eq!(state("kube-system"), "exempt");
    assert_eq!(state("shop"), "blocked");
    assert_eq!(state("ingress"), "ready");
    // payments enforces restricted already; its one workload is covered by an exception.
    let payments = namespace(&plan, "payments");
    assert_eq!(payments["levels"][1]["state"], "enforced");
    assert_eq!(payments["levels"][1]["covered"], 1);
    // shop: the expired hostPath exception does not cover log-agent, the active one covers web.
    let shop = namespace(&plan, "shop");
    let blockers = shop["steps"].as_array().unwrap().last().unwrap()["blockers"].clone();
    assert_eq!(
        blockers,
        serde_json::json!(["Rollout/checkout", "DaemonSet/log-agent"])
    );
    // Where each mode comes from.
    let sources: Vec<&str> = shop["policy"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["source_kind"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["label", "default", "label"]);
    assert_eq!(
        namespace(&plan, "ingress")["policy"][0]["source_kind"],
        "config"
    );
    assert_eq!(
        plan["summary"]["unlabelled"],
        serde_json::json!(["default"])
    );
    assert_eq!(plan["summary"]["invalid"], serde_json::json!(["typo"]));
    // data: restricted is blocked but baseline is clean, so enforcing baseline comes first.
    let data = namespace(&plan, "data");
    let labels: Vec<String> = data["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{}={}:{}",
                s["mode"].as_str().unwrap(),
                s["level"].as_str().unwrap(),
                s["version"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        labels,
        [
            "warn=restricted:v1.33",
            "audit=restricted:v1.33",
            "enforce=baseline:v1.33",
            "enforce=restricted:v1.33"
        ]
    );
}

#[test]
fn plan_counts_agree_with_a_forced_check_run() {
    let plan = rollout("plan", &["--format", "json"]).json();
    let check = rollout(
        "check",
        &[
            "--level",
            "restricted",
            "--pss-version",
            "v1.33",
            "--format",
            "json",
        ],
    )
    .json();
    let mut total = 0;
    for ns in plan["namespaces"].as_array().unwrap() {
        let name = ns["name"].as_str().unwrap();
        let failing: Vec<String> = ns["workloads"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w["levels"][1]["verdict"] == "fail")
            .map(|w| {
                format!(
                    "{}/{}",
                    w["kind"].as_str().unwrap(),
                    w["name"].as_str().unwrap()
                )
            })
            .collect();
        let mut sorted = failing.clone();
        sorted.sort();
        assert_eq!(sorted, errors_in(&check, name), "namespace {name}");
        assert_eq!(ns["levels"][1]["fail"], failing.len());
        total += failing.len();
    }
    assert_eq!(plan["summary"]["failing"], total);
}

/// The PSA labels of a step's Namespace patch.
fn step_labels(step: &Value) -> Vec<(String, String)> {
    step["yaml"]
        .as_str()
        .expect("yaml")
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pod-security.kubernetes.io/"))
        .map(|l| {
            let (k, v) = l.split_once(": ").expect("key: value");
            (format!("pod-security.kubernetes.io/{k}"), v.to_string())
        })
        .collect()
}

/// Applies a step the way `kubectl label --overwrite` does: its labels are added to the
/// namespace's, replacing those with the same key. A namespace declared in `namespaces.yaml`
/// is edited there; any other gets a Namespace object with the labels it has from the config.
fn apply_step(repo: &Path, ns: &Value, step: &Value) {
    let name = ns["name"].as_str().unwrap();
    let labels = step_labels(step);
    let file = repo.join("namespaces.yaml");
    let text = fs::read_to_string(&file).unwrap();
    let mut docs: Vec<String> = text.split("---\n").map(str::to_string).collect();
    if let Some(doc) = docs
        .iter_mut()
        .find(|d| d.contains(&format!("  name: {name}\n")))
    {
        let mut lines: Vec<String> = doc
            .lines()
            .filter(|l| {
                !labels
                    .iter()
                    .any(|(k, _)| l.trim().starts_with(&format!("{k}:")))
            })
            .map(str::to_string)
            .collect();
        let at = match lines.iter().position(|l| l.trim() == "labels:") {
            Some(i) => i + 1,
            None => {
                lines.push("  labels:".into());
                lines.len()
            }
        };
        for (i, (k, v)) in labels.iter().enumerate() {
            lines.insert(at + i, format!("    {k}: {v}"));
        }
        *doc = lines.join("\n") + "\n";
        fs::write(&file, docs.join("---\n")).unwrap();
        return;
    }
    let mut all: Vec<(String, String)> = Vec::new();
    for m in ns["policy"].as_array().unwrap() {
        if m["source_kind"] == "config" {
            let key = format!("pod-security.kubernetes.io/{}", m["mode"].as_str().unwrap());
            all.push((key.clone(), m["level"].as_str().unwrap().to_string()));
            all.push((
                format!("{key}-version"),
                m["version"].as_str().unwrap().to_string(),
            ));
        }
    }
    all.retain(|(k, _)| !labels.iter().any(|(l, _)| l == k));
    all.extend(labels);
    let mut doc =
        format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n  labels:\n");
    for (k, v) in all {
        doc.push_str(&format!("    {k}: {v}\n"));
    }
    fs::write(repo.join("00-plan-step.yaml"), doc).unwrap();
}

#[test]
fn a_ready_step_really_produces_no_error_and_a_blocked_one_names_its_blockers() {
    let plan = rollout("plan", &["--format", "json"]).json();
    let today = rollout("check", &["--format", "json"]).json();
    let mut ready_enforce_steps = 0;
    for ns in plan["namespaces"].as_array().unwrap() {
        let name = ns["name"].as_str().unwrap();
        for step in ns["steps"].as_array().unwrap() {
            let repo = fixture_copy();
            apply_step(repo.path(), ns, step);
            let check = rollout_in(repo.path(), &["check"], &["--format", "json"]).json();
            let errors = errors_in(&check, name);
            if step["ready"] == true && step["mode"] == "enforce" {
                assert!(
                    errors.is_empty(),
                    "{name}: ready step {step} gives errors {errors:?}"
                );
                ready_enforce_steps += 1;
            } else if step["ready"] == true {
                // Warn and audit reject nothing: the errors are those of today's policy.
                assert_eq!(errors, errors_in(&today, name), "{name}: {step}");
            } else {
                let mut blockers: Vec<String> = step["blockers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|b| b.as_str().unwrap().to_string())
                    .collect();
                blockers.sort();
                assert_eq!(errors, blockers, "{name}: blocked step {step}");
            }
        }
    }
    // ingress, typo, and the interim baseline step of data.
    assert!(ready_enforce_steps >= 3, "{ready_enforce_steps}");
}

#[test]
fn the_kubectl_command_sets_the_same_labels_as_the_patch() {
    let plan = rollout("plan", &["--format", "json"]).json();
    let step = &namespace(&plan, "shop")["steps"][0];
    assert_eq!(
        step["command"],
        "kubectl label --overwrite ns shop pod-security.kubernetes.io/warn=restricted pod-security.kubernetes.io/warn-version=v1.33"
    );
    let yaml = step["yaml"].as_str().unwrap();
    assert!(yaml.contains("  name: shop\n"));
    assert!(yaml.contains("    pod-security.kubernetes.io/warn: restricted\n"));
    assert!(yaml.contains("    pod-security.kubernetes.io/warn-version: v1.33\n"));
}

#[test]
fn the_target_flag_picks_the_level_and_version() {
    let plan = rollout("plan", &["--format", "json", "--target", "baseline:v1.30"]).json();
    assert_eq!(
        plan["target"],
        serde_json::json!({"level": "baseline", "version": "v1.30"})
    );
    // Only the enforce step toward baseline remains for shop (already baseline:v1.33), and
    // its blockers fail baseline.
    let shop = namespace(&plan, "shop");
    let last = shop["steps"].as_array().unwrap().last().unwrap();
    assert_eq!(last["level"], "baseline");
    assert_eq!(
        last["blockers"],
        serde_json::json!(["Rollout/checkout", "DaemonSet/log-agent"])
    );
    let bad = rollout("plan", &["--target", "privileged"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("baseline or restricted"),
        "{}",
        bad.stderr
    );
    let forced = rollout("plan", &["--level", "restricted"]);
    assert_eq!(forced.code, 2);
    assert!(forced.stderr.contains("--target"), "{}", forced.stderr);
}

// --- Version-upgrade impact -----------------------------------------------------------------

#[test]
fn from_version_names_workloads_that_newly_fail_and_why() {
    let dir = temp_repo();
    fs::write(
        dir.path().join("pods.yaml"),
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: app\n  labels:\n    pod-security.kubernetes.io/enforce: baseline\n    pod-security.kubernetes.io/enforce-version: v1.33\n---\n\
         apiVersion: v1\nkind: Pod\nmetadata:\n  name: probe\n  namespace: app\nspec:\n  containers:\n  - name: app\n    image: app\n    livenessProbe:\n      httpGet: {host: 10.0.0.1, port: 80}\n---\n\
         apiVersion: v1\nkind: Pod\nmetadata:\n  name: plain\n  namespace: app\nspec:\n  containers:\n  - name: app\n    image: app\n",
    )
    .unwrap();
    let run = run_in(
        dir.path(),
        &[
            "plan",
            "--kubernetes",
            "v1.35",
            "--target",
            "baseline:v1.35",
            "--from-version",
            "v1.33",
            "--format",
            "json",
            ".",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let plan = run.json();
    let app = namespace(&plan, "app");
    let upgrade = app["upgrade"].as_array().expect("upgrade impact");
    assert_eq!(upgrade.len(), 2, "{upgrade:#?}"); // at baseline and at restricted
    assert_eq!(upgrade[0]["name"], "probe");
    assert_eq!(upgrade[0]["level"], "baseline");
    assert_eq!(
        upgrade[0]["checks"][0]["check"],
        "hostProbesAndHostLifecycle"
    );
    assert_eq!(
        upgrade[0]["checks"][0]["why"],
        "baseline check hostProbesAndHostLifecycle runs from v1.34"
    );
    // The same pod passes baseline at v1.33 and fails at v1.35: the enforce step is blocked.
    assert_eq!(
        app["steps"].as_array().unwrap().last().unwrap()["blockers"],
        serde_json::json!(["Pod/probe"])
    );
    let human = run_in(
        dir.path(),
        &[
            "plan",
            "--kubernetes",
            "v1.35",
            "--target",
            "baseline:v1.35",
            "--from-version",
            "v1.33",
            ".",
        ],
        None,
    );
    assert!(
        human
            .stdout
            .contains("newly fails baseline when the pin moves v1.33 -> v1.35: Pod/probe"),
        "{}",
        human.stdout
    );
}

// --- Notices --------------------------------------------------------------------------------

#[test]
fn rollout_notices_snapshots() {
    let markdown = notices(&[]);
    assert_eq!(markdown.code, 0, "{}", markdown.stderr);
    insta::assert_snapshot!("rollout-notices-markdown", markdown.stdout);
    let json = notices(&["--format", "json"]);
    insta::assert_snapshot!("rollout-notices-json", stable_json(&json.stdout));
}

#[test]
fn notices_go_to_owners_with_something_to_fix_only() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("notices");
    let run = notices(&["--out-dir", dir.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut files: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    // payments (covered by an exception), ingress and typo (no workloads) and kube-system
    // (exempt) get none.
    assert_eq!(files, ["data.md", "default.md", "legacy.md", "shop.md"]);
    let shop = fs::read_to_string(dir.join("shop.md")).unwrap();
    assert!(shop.starts_with("# Action needed by 2026-06-30: 2 workloads to fix before namespace shop enforces Pod Security restricted:v1.33\n"));
    // Deployment/web is covered by its active exception: nothing to fix by the date.
    assert!(!shop.contains("### Deployment/web"));
    // Before/after from the real manifest, with its location.
    assert!(shop.contains("Now, at `apps/rollout.yaml:17`:"));
    assert!(shop.contains("         hostNetwork: false\n"));
    // The exception request is pre-filled with this workload's scope and checks: the whole
    // workload when a pod-level field fails (the hostPath volume), else its containers.
    assert!(
        shop.contains("- namespace: shop\n  kind: DaemonSet\n  name: log-agent\n  checks: [allowPrivilegeEscalation, capabilities_restricted, restrictedVolumes, runAsNonRoot, seccompProfile_restricted]\n"),
        "{shop}"
    );
    let data = fs::read_to_string(dir.join("data.md")).unwrap();
    assert!(
        data.contains(
            "- namespace: data\n  kind: StatefulSet\n  name: warehouse\n  containers: [db]\n"
        ),
        "{data}"
    );
    assert!(shop.contains("Contact Platform team <platform@example.com>."));
    for file in &files {
        let text = fs::read_to_string(dir.join(file)).unwrap();
        assert!(
            run.stdout.contains(&format!("{file}: namespace ")),
            "{}",
            run.stdout
        );
        assert!(
            text.contains("## How to fix")
                && text.contains("## If you cannot comply by 2026-06-30")
        );
    }
}

#[test]
fn a_filled_in_exception_request_covers_the_workload() {
    let json = notices(&["--format", "json"]).json();
    let shop = json["notices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["group"]["value"] == "shop")
        .expect("a notice for shop");
    let repo = fixture_copy();
    let mut config = fs::read_to_string(repo.path().join("psslint.yaml")).unwrap();
    for w in shop["workloads"].as_array().unwrap() {
        let request = w["exception_request"]
            .as_str()
            .unwrap()
            .replace("owner: \"\"", "owner: team-shop")
            .replace("reason: \"\"", "reason: waiting for the fix (SHOP-99)")
            .replace("expires: YYYY-MM-DD", "expires: 2026-09-30");
        for line in request.lines() {
            config.push_str(&format!("  {line}\n"));
        }
    }
    fs::write(repo.path().join("psslint.yaml"), config).unwrap();
    let check = rollout_in(
        repo.path(),
        &["check"],
        &[
            "--level",
            "restricted",
            "--pss-version",
            "v1.33",
            "--format",
            "json",
        ],
    );
    assert!(check.stderr.is_empty(), "{}", check.stderr);
    assert_eq!(errors_in(&check.json(), "shop"), Vec::<String>::new());
}

#[test]
fn notices_agree_with_the_check_run() {
    let json = notices(&["--format", "json"]).json();
    let check = rollout(
        "check",
        &[
            "--level",
            "restricted",
            "--pss-version",
            "v1.33",
            "--format",
            "json",
        ],
    )
    .json();
    for n in json["notices"].as_array().unwrap() {
        let ns = n["group"]["value"].as_str().unwrap();
        let mut named: Vec<String> = n["workloads"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| {
                format!(
                    "{}/{}",
                    w["kind"].as_str().unwrap(),
                    w["name"].as_str().unwrap()
                )
            })
            .collect();
        named.sort();
        assert_eq!(named, errors_in(&check, ns), "{ns}");
    }
}

#[test]
fn notices_group_by_a_workload_label() {
    let dir = temp_repo();
    let pod = |name: &str, team: Option<&str>| {
        let labels = team
            .map(|t| format!("  labels: {{team: {t}}}\n"))
            .unwrap_or_default();
        format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: app\n{labels}spec:\n  containers:\n  - name: c\n    image: c\n    securityContext: {{privileged: true}}\n")
    };
    fs::write(
        dir.path().join("pods.yaml"),
        [
            pod("a", Some("red")),
            pod("b", Some("blue")),
            pod("c", Some("red")),
            pod("d", None),
        ]
        .join("---\n"),
    )
    .unwrap();
    let run = run_in(
        dir.path(),
        &[
            "notices",
            "--target",
            "baseline",
            "--deadline",
            "2026-06-30",
            "--contact",
            CONTACT,
            "--group-by",
            "label:team",
            "--format",
            "json",
            ".",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v = run.json();
    let groups: Vec<(String, usize)> = v["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["file_name"].as_str().unwrap().to_string(),
                n["workloads"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(
        groups,
        [
            ("no-label-team.md".to_string(), 1),
            ("blue.md".to_string(), 1),
            ("red.md".to_string(), 2)
        ]
    );
    assert_eq!(
        v["notices"][0]["group_description"],
        "workloads without label team"
    );
    assert!(v["notices"][2]["text"]
        .as_str()
        .unwrap()
        .contains("### Pod/c"));
}

#[test]
fn a_notice_template_replaces_the_wording() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("ours.md.j2");
    fs::write(
        &template,
        "Hi {{ group.value }}: fix {{ issue_count }} issues by {{ deadline }}.\n{% for w in workloads %}- {{ w.kind }}/{{ w.name }}: {{ w.issues|map(attribute='check')|join(', ') }}\n{% endfor %}",
    )
    .unwrap();
    let run = notices(&["--notice-template", template.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("Hi data: fix 4 issues by 2026-06-30.\n- StatefulSet/warehouse: allowPrivilegeEscalation, capabilities_restricted, runAsNonRoot, seccompProfile_restricted\n"), "{}", run.stdout);
    // A template error names the file and the line, and nothing is written.
    fs::write(&template, "ok\n{{ workloads[0].nmae }}\n").unwrap();
    let run = notices(&["--notice-template", template.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr.contains("ours.md.j2:2: undefined value"),
        "{}",
        run.stderr
    );
    fs::write(&template, "{% if %}\n").unwrap();
    let run = notices(&["--notice-template", template.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("ours.md.j2:1: syntax error"),
        "{}",
        run.stderr
    );
}

#[test]
fn bad_notice_flags_are_usage_errors() {
    for args in [
        &["notices", "--deadline", "2026-13-01", "--contact", "x", "."][..],
        &["notices", "--deadline", "2026-06-30", "."],
        &[
            "notices",
            "--deadline",
            "2026-06-30",
            "--contact",
            "x",
            "--group-by",
            "owner",
            ".",
        ],
        &["plan", "--from-version", "latest", "."],
    ] {
        let run = run_in(&rollout_fixture(), args, None);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
}

#[test]
fn unparsable_input_is_named_and_fails_the_plan() {
    let dir = temp_repo();
    fs::write(
        dir.path().join("bad.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: x\n",
    )
    .unwrap();
    let run = run_in(dir.path(), &["plan", "--format", "json", "."], None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let plan = run.json();
    let unchecked = plan["unchecked"][0].as_str().unwrap();
    assert!(unchecked.starts_with("bad.yaml:"), "{unchecked}");
    assert!(
        run.stderr.contains("not checked: bad.yaml:"),
        "{}",
        run.stderr
    );
}
