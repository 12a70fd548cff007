//! Findings in Helm output are reported on the chart's template and values lines (#11 part 3):
//! every rendered example the OpenTelemetry charts commit is linted and each finding mapped
//! back; a small chart in a temporary repository covers the cases without `../shared`.

mod common;
mod support;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;

use common::{run_in, temp_repo, write_file, CRATE};

const CHARTS: &str = "../shared/charts/open-telemetry__opentelemetry-helm-charts";

/// The charts repository, or `None` after saying SKIPPED (in CI its absence fails the test).
fn charts_repo() -> Option<PathBuf> {
    let path = Path::new(CRATE).join(CHARTS);
    if path.join("charts").is_dir() {
        return Some(std::fs::canonicalize(path).expect("canonical"));
    }
    if std::env::var_os("CI").is_some() {
        panic!("{} is missing (required in CI)", path.display());
    }
    support::skipped(&format!("{} is missing", path.display()));
    None
}

/// `charts/*/examples/*/rendered`, relative to the repository.
fn rendered_dirs(repo: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for chart in sorted(&repo.join("charts")) {
        for example in sorted(&chart.join("examples")) {
            if example.join("rendered").is_dir() {
                out.push(
                    example
                        .join("rendered")
                        .strip_prefix(repo)
                        .expect("inside")
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    out
}

fn sorted(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn lint_examples(repo: &Path, format: &str) -> String {
    let dirs = rendered_dirs(repo);
    assert!(dirs.len() > 30, "{dirs:?}");
    let mut args = vec!["--format", format];
    args.extend(dirs.iter().map(String::as_str));
    let run = run_in(repo, &args, None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    run.stdout
}

fn line_of(repo: &Path, file: &str, line: u64) -> String {
    let text = std::fs::read_to_string(repo.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    text.lines()
        .nth(line as usize - 1)
        .unwrap_or_else(|| panic!("{file} has no line {line}"))
        .to_string()
}

/// The YAML key written on a line (`- name: x` → `name`).
fn key_on(line: &str) -> String {
    let t = line.trim().trim_start_matches("- ");
    t.split(':').next().unwrap_or("").trim().to_string()
}

/// Says a figure in the normal test output.
fn say(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{text}");
}

/// The findings of PSS checks in Helm output.
fn helm_findings(json: &Value) -> Vec<&Value> {
    json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d.get("level").is_some())
        .collect()
}

#[test]
fn findings_in_the_rendered_examples_map_to_template_lines() {
    let Some(repo) = charts_repo() else { return };
    let json: Value = serde_json::from_str(&lint_examples(&repo, "json")).expect("JSON");
    let findings = helm_findings(&json);
    let mut mapped = 0;
    let mut with_values = 0;
    let mut wrong = Vec::new();
    for d in &findings {
        assert!(
            d["origin"].is_string(),
            "every example finding is Helm output: {d}"
        );
        // Every finding is mapped, or says why not.
        let Some(sm) = d.get("source_map") else {
            wrong.push(format!("{}:{}: no source_map", d["file"], d["line"]));
            continue;
        };
        let status = sm["status"].as_str().expect("status");
        if status == "uncertain" {
            assert!(sm["note"].is_string(), "{d}");
            // Then the rendered location stays primary.
            assert_eq!(d["file"], sm["rendered"]["file"], "{d}");
            assert_eq!(d["line"], sm["rendered"]["line"], "{d}");
            continue;
        }
        mapped += 1;
        let t = &sm["template"];
        let (tfile, tline) = (
            t["file"].as_str().expect("file"),
            t["line"].as_u64().expect("line"),
        );
        assert!(tfile.contains("/templates/"), "{d}");
        let template = line_of(&repo, tfile, tline);
        let r = &sm["rendered"];
        let rendered = line_of(
            &repo,
            r["file"].as_str().expect("file"),
            r["line"].as_u64().expect("line"),
        );
        // The template line writes the rendered key literally, or is the action that writes it.
        // (For a missing field, the template line may be the block that would write it: a key
        // of the field's path.)
        let key = key_on(&rendered);
        let field = d["field"].as_str().unwrap_or("");
        let literal = std::iter::once(key.as_str())
            .chain(field.split(['.', '[']))
            .any(|k| !k.is_empty() && template.contains(&format!("{k}:")));
        let action = template.trim_start().starts_with("{{")
            && ["toYaml", "tpl", "include", "nindent", "indent"]
                .iter()
                .any(|f| template.contains(f));
        if !literal && !action {
            wrong.push(format!(
                "{}:{} `{}` -> {tfile}:{tline} `{}`",
                r["file"],
                r["line"],
                rendered.trim(),
                template.trim()
            ));
        }
        // The rendered line is a related location.
        assert!(
            d["related"]
                .as_array()
                .is_some_and(|rel| rel.iter().any(|l| l["role"] == "rendered"
                    && l["file"] == r["file"]
                    && l["line"] == r["line"])),
            "{d}"
        );
        if let Some(v) = sm.get("values") {
            with_values += 1;
            let vline = line_of(
                &repo,
                v["file"].as_str().expect("file"),
                v["line"].as_u64().expect("line"),
            );
            let path = v["path"].as_str().expect("path");
            let last = path.rsplit('.').next().expect("segment");
            let ok = if last.ends_with(']') && !last.contains('[') {
                vline.trim_start().starts_with("- ")
            } else if let Some((_, idx)) = last.split_once('[') {
                let _ = idx;
                vline.trim_start().starts_with("- ")
            } else {
                key_on(&vline) == last
            };
            if !ok {
                wrong.push(format!("values {path} -> {} `{}`", v["file"], vline.trim()));
            }
        }
        // Other offending fields mapped to values or template lines name their key there.
        for l in d["related"].as_array().into_iter().flatten() {
            let file = l["file"].as_str().expect("file");
            if l.get("role").is_some() || file.contains("/rendered/") {
                continue;
            }
            let text = line_of(&repo, file, l["line"].as_u64().expect("line"));
            // (A missing field names the key it is to be added under, or the list item.)
            let named = l["field"]
                .as_str()
                .expect("field")
                .split(['.', '['])
                .any(|k| !k.is_empty() && text.contains(&format!("{k}:")))
                || text.trim_start().starts_with("- ");
            if !named {
                wrong.push(format!(
                    "also {} -> {file}:{} `{}`",
                    l["field"],
                    l["line"],
                    text.trim()
                ));
            }
        }
        // The primary location is the values line or the template line.
        let primary = if status == "values" { &sm["values"] } else { t };
        assert_eq!(d["file"], primary["file"], "{d}");
        assert_eq!(d["line"], primary["line"], "{d}");
    }
    let share = mapped as f64 / findings.len() as f64;
    say(&format!(
        "sourcemap: {mapped} of {} findings in the rendered examples mapped to a template line ({:.1}%), {with_values} also to a values line",
        findings.len(),
        share * 100.0
    ));
    assert!(wrong.is_empty(), "wrong lines:\n{}", wrong.join("\n"));
    assert!(share >= 0.95, "only {:.1}% mapped", share * 100.0);
}

/// Hand-checked: (rendered file under charts/, line, rule) → (template file:line, values
/// file:line, the fix's values YAML).
type Row = (
    &'static str,
    u64,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
);

const TABLE: &[Row] = &[
    (
        "opentelemetry-collector/examples/daemonset-only/rendered/daemonset.yaml",
        56,
        "hostPorts",
        "opentelemetry-collector/templates/_config.tpl:482",
        Some("opentelemetry-collector/values.yaml:435"),
        None,
    ),
    (
        "opentelemetry-collector/examples/daemonset-and-deployment/rendered/daemonset.yaml",
        56,
        "hostPorts",
        "opentelemetry-collector/templates/_config.tpl:482",
        Some("opentelemetry-collector/values.yaml:435"),
        None,
    ),
    (
        "opentelemetry-collector/examples/daemonset-lifecycle-hooks/rendered/daemonset.yaml",
        56,
        "hostPorts",
        "opentelemetry-collector/templates/_config.tpl:482",
        Some("opentelemetry-collector/values.yaml:435"),
        None,
    ),
    (
        "opentelemetry-collector/examples/statefulset-with-pvc/rendered/statefulset.yaml",
        131,
        "allowPrivilegeEscalation",
        "opentelemetry-collector/templates/_pod.tpl:227",
        Some("opentelemetry-collector/examples/statefulset-with-pvc/values.yaml:38"),
        Some("    securityContext:\n      allowPrivilegeEscalation: false"),
    ),
    (
        "opentelemetry-collector/examples/statefulset-with-pvc/rendered/statefulset.yaml",
        131,
        "runAsNonRoot",
        "opentelemetry-collector/templates/_pod.tpl:227",
        Some("opentelemetry-collector/examples/statefulset-with-pvc/values.yaml:38"),
        Some("    securityContext:\n      runAsNonRoot: true"),
    ),
    (
        "opentelemetry-collector/examples/statefulset-with-pvc/rendered/statefulset.yaml",
        131,
        "capabilities_restricted",
        "opentelemetry-collector/templates/_pod.tpl:227",
        Some("opentelemetry-collector/examples/statefulset-with-pvc/values.yaml:38"),
        Some("    securityContext:\n      capabilities:\n        drop: [\"ALL\"]"),
    ),
    // The init container's image comes through `tpl`: the values differ from the output, so
    // no values line is named.
    (
        "opentelemetry-collector/examples/daemonset-lifecycle-hooks/rendered/daemonset.yaml",
        132,
        "seccompProfile_restricted",
        "opentelemetry-collector/templates/_pod.tpl:227",
        None,
        None,
    ),
    (
        "opentelemetry-collector/examples/daemonset-annotation-discovery/rendered/daemonset.yaml",
        140,
        "hostPathVolumes",
        "opentelemetry-collector/templates/_pod.tpl:249",
        None,
        None,
    ),
    (
        "opentelemetry-collector/examples/daemonset-collector-logs/rendered/daemonset.yaml",
        132,
        "restrictedVolumes",
        "opentelemetry-collector/templates/_pod.tpl:249",
        None,
        None,
    ),
    (
        "opentelemetry-collector/examples/daemonset-hostmetrics/rendered/daemonset.yaml",
        130,
        "hostPathVolumes",
        "opentelemetry-collector/templates/_pod.tpl:263",
        None,
        None,
    ),
    (
        "opentelemetry-collector/examples/alternate-config/rendered/deployment.yaml",
        48,
        "allowPrivilegeEscalation",
        "opentelemetry-collector/templates/_pod.tpl:30",
        Some("opentelemetry-collector/values.yaml:387"),
        Some("securityContext:\n  allowPrivilegeEscalation: false"),
    ),
    (
        "opentelemetry-collector/examples/alternate-config/rendered/deployment.yaml",
        48,
        "capabilities_restricted",
        "opentelemetry-collector/templates/_pod.tpl:30",
        Some("opentelemetry-collector/values.yaml:387"),
        Some("securityContext:\n  capabilities:\n    drop: [\"ALL\"]"),
    ),
    (
        "opentelemetry-collector/examples/alternate-config/rendered/deployment.yaml",
        48,
        "runAsNonRoot",
        "opentelemetry-collector/templates/_pod.tpl:30",
        Some("opentelemetry-collector/values.yaml:387"),
        Some("securityContext:\n  runAsNonRoot: true"),
    ),
    (
        "opentelemetry-collector/examples/alternate-config/rendered/deployment.yaml",
        48,
        "seccompProfile_restricted",
        "opentelemetry-collector/templates/_pod.tpl:30",
        Some("opentelemetry-collector/values.yaml:387"),
        Some("securityContext:\n  seccompProfile:\n    type: RuntimeDefault"),
    ),
    (
        "opentelemetry-collector/examples/daemonset-only/rendered/daemonset.yaml",
        47,
        "capabilities_restricted",
        "opentelemetry-collector/templates/_pod.tpl:30",
        Some("opentelemetry-collector/values.yaml:387"),
        Some("securityContext:\n  capabilities:\n    drop: [\"ALL\"]"),
    ),
    (
        "opentelemetry-collector/examples/statefulset-only/rendered/statefulset.yaml",
        50,
        "runAsNonRoot",
        "opentelemetry-collector/templates/_pod.tpl:30",
        Some("opentelemetry-collector/values.yaml:387"),
        Some("securityContext:\n  runAsNonRoot: true"),
    ),
    (
        "opentelemetry-collector/examples/internalTelemetryViaOTLP/rendered/deployment.yaml",
        46,
        "allowPrivilegeEscalation",
        "opentelemetry-collector/templates/_pod.tpl:30",
        Some("opentelemetry-collector/values.yaml:387"),
        Some("securityContext:\n  allowPrivilegeEscalation: false"),
    ),
    (
        "opentelemetry-ebpf/examples/cloud-collector/rendered/cloud-collector-deployment.yaml",
        30,
        "allowPrivilegeEscalation",
        "opentelemetry-ebpf/templates/cloud-collector-deployment.yaml:31",
        None,
        None,
    ),
    (
        "opentelemetry-ebpf/examples/cloud-collector/rendered/cloud-collector-deployment.yaml",
        30,
        "runAsNonRoot",
        "opentelemetry-ebpf/templates/cloud-collector-deployment.yaml:31",
        None,
        None,
    ),
    (
        "opentelemetry-ebpf/examples/cloud-collector/rendered/k8s-collector-deployment.yaml",
        39,
        "seccompProfile_restricted",
        "opentelemetry-ebpf/templates/k8s-collector-deployment.yaml:40",
        None,
        None,
    ),
    (
        "opentelemetry-ebpf/examples/cloud-collector/rendered/reducer-deployment.yaml",
        28,
        "capabilities_restricted",
        "opentelemetry-ebpf/templates/reducer-deployment.yaml:28",
        None,
        None,
    ),
    (
        "opentelemetry-ebpf/examples/cloud-collector/rendered/kernel-collector-daemonset.yaml",
        52,
        "allowPrivilegeEscalation",
        "opentelemetry-ebpf/templates/kernel-collector-daemonset.yaml:125",
        None,
        None,
    ),
    (
        "opentelemetry-ebpf/examples/cloud-collector/rendered/kernel-collector-daemonset.yaml",
        53,
        "privileged",
        "opentelemetry-ebpf/templates/kernel-collector-daemonset.yaml:126",
        None,
        None,
    ),
    (
        "opentelemetry-ebpf/examples/cloud-collector/rendered/kernel-collector-daemonset.yaml",
        65,
        "hostNamespaces",
        "opentelemetry-ebpf/templates/kernel-collector-daemonset.yaml:152",
        None,
        None,
    ),
    (
        "opentelemetry-ebpf/examples/cloud-collector/rendered/kernel-collector-daemonset.yaml",
        78,
        "hostPathVolumes",
        "opentelemetry-ebpf/templates/kernel-collector-daemonset.yaml:165",
        None,
        None,
    ),
    (
        "opentelemetry-ebpf/examples/cloud-collector/rendered/kernel-collector-daemonset.yaml",
        78,
        "restrictedVolumes",
        "opentelemetry-ebpf/templates/kernel-collector-daemonset.yaml:165",
        None,
        None,
    ),
    (
        "opentelemetry-kube-stack/examples/default/rendered/hooks.yaml",
        58,
        "allowPrivilegeEscalation",
        "opentelemetry-kube-stack/templates/hooks.yaml:77",
        Some("opentelemetry-kube-stack/values.yaml:42"),
        Some("  securityContext:\n    allowPrivilegeEscalation: false"),
    ),
    (
        "opentelemetry-kube-stack/examples/cloud-demo/rendered/hooks.yaml",
        58,
        "runAsNonRoot",
        "opentelemetry-kube-stack/templates/hooks.yaml:77",
        Some("opentelemetry-kube-stack/values.yaml:42"),
        Some("  securityContext:\n    runAsNonRoot: true"),
    ),
    (
        "opentelemetry-kube-stack/examples/secrets-csi-driver/rendered/hooks.yaml",
        58,
        "seccompProfile_restricted",
        "opentelemetry-kube-stack/templates/hooks.yaml:77",
        Some("opentelemetry-kube-stack/values.yaml:42"),
        Some("  securityContext:\n    seccompProfile:\n      type: RuntimeDefault"),
    ),
    (
        "opentelemetry-kube-stack/examples/prometheus-otel/rendered/hooks.yaml",
        58,
        "capabilities_restricted",
        "opentelemetry-kube-stack/templates/hooks.yaml:77",
        Some("opentelemetry-kube-stack/values.yaml:42"),
        Some("  securityContext:\n    capabilities:\n      drop: [\"ALL\"]"),
    ),
    (
        "opentelemetry-kube-stack/examples/isolated-multicollector-deployment/rendered/hooks.yaml",
        58,
        "runAsNonRoot",
        "opentelemetry-kube-stack/templates/hooks.yaml:77",
        Some("opentelemetry-kube-stack/values.yaml:42"),
        Some("  securityContext:\n    runAsNonRoot: true"),
    ),
    (
        "opentelemetry-kube-stack/examples/daemonset-kubernetes-objects/rendered/hooks.yaml",
        58,
        "allowPrivilegeEscalation",
        "opentelemetry-kube-stack/templates/hooks.yaml:77",
        Some("opentelemetry-kube-stack/values.yaml:42"),
        Some("  securityContext:\n    allowPrivilegeEscalation: false"),
    ),
];

#[test]
fn a_hand_checked_table_of_findings_keeps_its_template_and_values_lines() {
    let Some(repo) = charts_repo() else { return };
    assert!(TABLE.len() >= 30);
    let json: Value = serde_json::from_str(&lint_examples(&repo, "json")).expect("JSON");
    let mut by_rendered: BTreeMap<(String, u64, String), &Value> = BTreeMap::new();
    for d in helm_findings(&json) {
        if let Some(sm) = d.get("source_map") {
            let r = &sm["rendered"];
            by_rendered.insert(
                (
                    r["file"].as_str().unwrap_or("").to_string(),
                    r["line"].as_u64().unwrap_or(0),
                    d["rule"].as_str().unwrap_or("").to_string(),
                ),
                d,
            );
        }
    }
    let at = |v: &Value| format!("{}:{}", v["file"].as_str().unwrap_or(""), v["line"]);
    let mut failures = Vec::new();
    for (rendered, line, rule, template, values, fix) in TABLE {
        let key = (format!("charts/{rendered}"), *line, rule.to_string());
        let Some(d) = by_rendered.get(&key) else {
            failures.push(format!("{key:?}: not mapped"));
            continue;
        };
        let sm = &d["source_map"];
        let got = (
            at(&sm["template"]),
            sm.get("values").map(at),
            sm.get("values_fix")
                .and_then(|f| f["yaml"].as_str())
                .map(str::to_owned),
        );
        let want = (
            format!("charts/{template}"),
            values.map(|v| format!("charts/{v}")),
            fix.map(str::to_owned),
        );
        if got != want {
            failures.push(format!("{key:?}:\n  got  {got:?}\n  want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The repository-relative path a SARIF artifact location names.
fn decode(uri: &str) -> String {
    let bytes = uri.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() + 1 {
            if let Ok(b) = u8::from_str_radix(&uri[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).expect("UTF-8")
}

#[test]
fn sarif_of_the_examples_validates_and_names_only_files_in_the_repository() {
    let Some(repo) = charts_repo() else { return };
    let sarif = lint_examples(&repo, "sarif");
    if let Some(schema) = support::sarif_schema() {
        support::assert_valid_sarif(&schema, &sarif);
    }
    let log: Value = serde_json::from_str(&sarif).expect("JSON");
    let run = &log["runs"][0];
    let base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .and_then(|u| u.strip_prefix("file://"))
        .map(|p| PathBuf::from(decode(p)))
        .expect("a source root");
    let mut templates = 0;
    for result in run["results"].as_array().expect("results") {
        let locations = result["locations"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(result["relatedLocations"].as_array().into_iter().flatten());
        for l in locations {
            let a = &l["physicalLocation"]["artifactLocation"];
            assert_eq!(a["uriBaseId"], "%SRCROOT%", "{result}");
            let path = decode(a["uri"].as_str().expect("uri"));
            assert!(
                base.join(&path).is_file(),
                "{path} is not in the repository: {result}"
            );
            templates += usize::from(path.contains("/templates/"));
        }
    }
    assert!(templates > 100, "{templates} template locations");
}

/// A chart of our own, rendered by hand as `helm template demo charts/app` would.
fn demo_repo() -> tempfile::TempDir {
    let repo = temp_repo();
    let dir = repo.path();
    write_file(
        dir,
        "charts/app/Chart.yaml",
        "apiVersion: v2\nname: app\nversion: 1.0.0\n",
    );
    write_file(
        dir,
        "charts/app/values.yaml",
        "image: nginx:1.27\nhostNetwork: true\npodSecurityContext: {}\nsecurityContext:\n  privileged: true\n",
    );
    write_file(
        dir,
        "charts/app/templates/_helpers.tpl",
        "{{- define \"app.container\" -}}\n- name: web\n  image: \"{{ .Values.image }}\"\n  securityContext:\n    {{- toYaml .Values.securityContext | nindent 4 }}\n{{- end }}\n",
    );
    write_file(
        dir,
        "charts/app/templates/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-app\nspec:\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      hostNetwork: {{ .Values.hostNetwork }}\n      {{- with .Values.podSecurityContext }}\n      securityContext:\n        {{- toYaml . | nindent 8 }}\n      {{- end }}\n      containers:\n        {{- include \"app.container\" . | nindent 8 }}\n",
    );
    write_file(
        dir,
        "rendered/app.yaml",
        "---\n# Source: app/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: demo-app\nspec:\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      hostNetwork: true\n      containers:\n        - name: web\n          image: \"nginx:1.27\"\n          securityContext:\n            privileged: true\n",
    );
    repo
}

fn by_rule<'a>(json: &'a Value, rule: &str) -> &'a Value {
    json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| d["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} in {json}"))
}

#[test]
fn a_chart_in_the_repository_gets_its_values_and_template_lines() {
    let repo = demo_repo();
    let json = run_in(
        repo.path(),
        &["--format", "json", "rendered/app.yaml"],
        None,
    )
    .json();
    // hostNetwork comes from values.yaml line 2.
    let host = by_rule(&json, "hostNamespaces");
    assert_eq!(
        (host["file"].as_str(), host["line"].as_u64()),
        (Some("charts/app/values.yaml"), Some(2))
    );
    let sm = &host["source_map"];
    assert_eq!(sm["status"], "values");
    assert_eq!(
        sm["template"]["file"],
        "charts/app/templates/deployment.yaml"
    );
    assert_eq!(sm["template"]["line"], 14);
    assert_eq!(sm["values_fix"]["yaml"], "hostNetwork: false");
    assert_eq!(sm["rendered"]["file"], "rendered/app.yaml");
    assert_eq!(sm["rendered"]["line"], 16);
    // privileged: through the included container and `toYaml .Values.securityContext`.
    let privileged = by_rule(&json, "privileged");
    let sm = &privileged["source_map"];
    assert_eq!(sm["template"]["file"], "charts/app/templates/_helpers.tpl");
    assert_eq!(sm["template"]["line"], 5);
    assert_eq!(sm["values"]["line"], 5);
    assert_eq!(sm["values"]["path"], "securityContext.privileged");
    assert_eq!(
        sm["values_fix"]["yaml"],
        "securityContext:\n  privileged: false"
    );
    // A missing field: the values key that feeds the block.
    let ape = by_rule(&json, "allowPrivilegeEscalation");
    let sm = &ape["source_map"];
    assert_eq!(sm["template"]["line"], 4);
    assert_eq!(sm["values"]["path"], "securityContext");
    assert_eq!(sm["values"]["line"], 4);
    assert_eq!(
        sm["values_fix"]["yaml"],
        "securityContext:\n  allowPrivilegeEscalation: false"
    );
    // The human format leads with the values line and keeps the rendered one.
    let human = run_in(
        repo.path(),
        &["--color", "never", "rendered/app.yaml"],
        None,
    )
    .stdout;
    assert!(human.contains("--> charts/app/values.yaml:2:1"), "{human}");
    assert!(
        human.contains("rendered at: rendered/app.yaml:16:7"),
        "{human}"
    );
    assert!(
        human.contains("fix in values: In charts/app/values.yaml:2"),
        "{human}"
    );
}

#[test]
fn an_example_values_file_beside_the_output_overrides_the_chart() {
    let repo = demo_repo();
    let dir = repo.path();
    // The rendered output of an example that turns the host network on itself.
    write_file(dir, "charts/app/values.yaml", "image: nginx:1.27\nhostNetwork: false\npodSecurityContext: {}\nsecurityContext:\n  privileged: true\n");
    write_file(
        dir,
        "charts/app/examples/host/values.yaml",
        "# the host network\nhostNetwork: true\n",
    );
    let text = std::fs::read_to_string(dir.join("rendered/app.yaml")).expect("read");
    write_file(dir, "charts/app/examples/host/rendered/app.yaml", &text);
    let json = run_in(
        dir,
        &["--format", "json", "charts/app/examples/host/rendered"],
        None,
    )
    .json();
    let host = by_rule(&json, "hostNamespaces");
    assert_eq!(host["file"], "charts/app/examples/host/values.yaml");
    assert_eq!(host["line"], 2);
}

#[test]
fn output_that_does_not_match_its_template_keeps_the_rendered_line() {
    let repo = demo_repo();
    let dir = repo.path();
    // Someone edited the output by hand: an extra line the template cannot write, next to a
    // block written by an action.
    let text = std::fs::read_to_string(dir.join("rendered/app.yaml"))
        .expect("read")
        .replace(
            "      hostNetwork: true\n",
            "      hostNetwork: true\n      dnsPolicy: Default\n",
        );
    write_file(dir, "rendered/app.yaml", &text);
    let json = run_in(dir, &["--format", "json", "rendered/app.yaml"], None).json();
    let privileged = by_rule(&json, "privileged");
    assert_eq!(
        privileged["source_map"]["status"], "uncertain",
        "{privileged}"
    );
    assert_eq!(privileged["file"], "rendered/app.yaml");
    assert!(privileged["source_map"]["note"].is_string());
    // A literal template line is still certain.
    let host = by_rule(&json, "hostNamespaces");
    assert_ne!(host["source_map"]["status"], "uncertain", "{host}");
}

#[test]
fn output_without_its_chart_is_left_as_it_is() {
    let repo = demo_repo();
    let dir = repo.path();
    std::fs::remove_dir_all(dir.join("charts")).expect("rm");
    let json = run_in(dir, &["--format", "json", "rendered/app.yaml"], None).json();
    for d in json["diagnostics"].as_array().expect("diagnostics") {
        assert_eq!(d["file"], "rendered/app.yaml");
        assert!(d.get("source_map").is_none(), "{d}");
    }
}

#[test]
fn a_chart_psslint_rendered_is_mapped_through_its_registration() {
    use psslint::lint::{lint_bytes, options::LintOptions};
    use psslint::model::level::{Level, Version};
    use psslint::policy::Policy;
    use psslint::report::SourceRoot;
    use psslint::sourcemap::{apply, Registry, RenderedChart};

    let repo = demo_repo();
    let base = std::fs::canonicalize(repo.path()).expect("canonical");
    // What `helm template demo charts/app -f prod.yaml` printed: not on disk.
    write_file(
        &base,
        "prod.yaml",
        "securityContext:\n  privileged: true\n  runAsUser: 0\n",
    );
    let text = std::fs::read_to_string(base.join("rendered/app.yaml"))
        .expect("read")
        .replace(
            "            privileged: true\n",
            "            privileged: true\n            runAsUser: 0\n",
        );
    std::fs::remove_dir_all(base.join("rendered")).expect("rm");
    let opts = LintOptions::new(Policy::forced(Level::Restricted, Version::Latest));
    let mut diags = lint_bytes("charts/app", text.as_bytes(), &opts).diagnostics;
    let mut registry = Registry::new();
    registry.register(RenderedChart {
        name: "charts/app".into(),
        chart_dir: "charts/app".into(),
        values_files: vec!["prod.yaml".into()],
        text: text.clone().into(),
    });
    apply(&mut diags, &SourceRoot::new(&base, &base), &registry);
    let run_as = diags
        .iter()
        .find(|d| d.rule == "runAsUser")
        .expect("runAsUser finding");
    // runAsUser: 0 is only in the values file given to helm.
    assert_eq!(
        (run_as.file.as_str(), run_as.line),
        ("prod.yaml", 3),
        "{run_as:?}"
    );
    let sm = run_as.source_map.as_ref().expect("mapped");
    assert_eq!(sm.rendered.file, "charts/app");
    assert_eq!(
        sm.template.as_ref().map(|t| (t.file.as_str(), t.line)),
        Some(("charts/app/templates/_helpers.tpl", 5))
    );
    assert!(run_as
        .related
        .iter()
        .any(|r| r.role == Some("rendered") && r.file == "charts/app"));
}

#[test]
fn output_that_two_template_lines_could_write_keeps_the_rendered_line() {
    let repo = temp_repo();
    let dir = repo.path();
    write_file(
        dir,
        "charts/twin/Chart.yaml",
        "apiVersion: v2\nname: twin\nversion: 1.0.0\n",
    );
    write_file(dir, "charts/twin/values.yaml", "debug: false\n");
    write_file(
        dir,
        "charts/twin/templates/pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: twin\nspec:\n  containers:\n    - name: web\n      image: nginx\n      {{- if .Values.debug }}\n      securityContext:\n        privileged: true\n      {{- else }}\n      securityContext:\n        privileged: true\n      {{- end }}\n",
    );
    write_file(
        dir,
        "out.yaml",
        "---\n# Source: twin/templates/pod.yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: twin\nspec:\n  containers:\n    - name: web\n      image: nginx\n      securityContext:\n        privileged: true\n",
    );
    let json = run_in(dir, &["--format", "json", "out.yaml"], None).json();
    let privileged = by_rule(&json, "privileged");
    let sm = &privileged["source_map"];
    assert_eq!(sm["status"], "uncertain", "{privileged}");
    assert_eq!(privileged["file"], "out.yaml");
    assert!(
        sm["note"]
            .as_str()
            .is_some_and(|n| n.contains("equally well")),
        "{sm}"
    );
}
