//! Snapshots of every output format for one realistic, hand-built report: a Helm-rendered
//! Deployment failing two restricted checks (with related locations and fixes), a YAML syntax
//! error with a hint, an input warning, and a passing Deployment.

use psslint::diagnostic::{self, Diagnostic, Fix, ObjectRef, Related, Severity, Snippet};
use psslint::pss::Level;
use psslint::report::{self, CheckedObject, Format, RenderOptions, Report, Summary};

const WEB: &str = "\
---
# Source: web/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      securityContext:
        seccompProfile: {type: RuntimeDefault}
      containers:
        - name: web
          image: registry.example.com/web:1.4
          securityContext:
            runAsUser: 10001
            capabilities: {drop: [ALL]}
        - name: sidecar
          image: registry.example.com/proxy:2.0
          securityContext:
            capabilities: {drop: [ALL]}
";

const BROKEN: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api
spec:
  replicas: 2
";

const EXTRA: &str = "\
apiVersion: v1
kind: ServiceAccount
metadata: {name: web}
...
apiVersion: v1
kind: ConfigMap
";

const VERDICT: &str = "would violate PodSecurity \"restricted:latest\": \
    allowPrivilegeEscalation != false (containers \"web\", \"sidecar\" must set \
    securityContext.allowPrivilegeEscalation=false), runAsNonRoot != true (pod or containers \
    \"web\", \"sidecar\" must set securityContext.runAsNonRoot=true)";

/// The ±2 lines around `line`, as the loader captures them.
fn snippet(text: &str, line: u32) -> Snippet {
    let first = line.saturating_sub(2).max(1);
    let lines = text
        .lines()
        .skip(first as usize - 1)
        .take((line - first + 3) as usize)
        .map(String::from)
        .collect();
    Snippet {
        first_line: first,
        lines,
    }
}

fn web_object() -> ObjectRef {
    ObjectRef {
        api_version: "apps/v1".into(),
        kind: "Deployment".into(),
        name: "web".into(),
        namespace: "shop".into(),
    }
}

/// A restricted finding on the `web` Deployment.
fn pss(rule: &str, reason: &str, detail: &str, span: [u32; 4], field: &str) -> Diagnostic {
    let [line, column, end_line, end_column] = span;
    Diagnostic {
        rule: rule.into(),
        severity: Severity::Error,
        level: Some(Level::Restricted),
        pss_version: Some("latest".into()),
        reason: Some(reason.into()),
        detail: Some(detail.into()),
        message: format!("{reason} ({detail})"),
        file: "rendered/web.yaml".into(),
        line,
        column,
        end_line,
        end_column,
        origin: Some("web/templates/deployment.yaml".into()),
        object: Some(web_object()),
        field: Some(field.into()),
        container: None,
        related: Vec::new(),
        fix: None,
        hint: None,
        snippet: Some(snippet(WEB, line)),
    }
}

/// An input problem (no level, version, reason, object or field).
fn input(rule: &str, severity: Severity, file: &str, text: &str, span: [u32; 4]) -> Diagnostic {
    let [line, column, end_line, end_column] = span;
    Diagnostic {
        rule: rule.into(),
        severity,
        level: None,
        pss_version: None,
        reason: None,
        detail: None,
        message: String::new(),
        file: file.into(),
        line,
        column,
        end_line,
        end_column,
        origin: None,
        object: None,
        field: None,
        container: None,
        related: Vec::new(),
        fix: None,
        hint: None,
        snippet: Some(snippet(text, line)),
    }
}

fn sample_report() -> Report {
    let mut ape = pss(
        "allowPrivilegeEscalation",
        "allowPrivilegeEscalation != false",
        "containers \"web\", \"sidecar\" must set securityContext.allowPrivilegeEscalation=false",
        [20, 11, 20, 26],
        "spec.template.spec.containers[0].securityContext",
    );
    ape.container = Some("web".into());
    ape.related.push(Related {
        file: "rendered/web.yaml".into(),
        line: 25,
        column: 11,
        end_line: 25,
        end_column: 26,
        field: "spec.template.spec.containers[1].securityContext".into(),
        container: Some("sidecar".into()),
    });
    ape.fix = Some(Fix {
        description: "set allowPrivilegeEscalation: false in the securityContext of containers \
                      \"web\" and \"sidecar\""
            .into(),
        yaml: "allowPrivilegeEscalation: false\n".into(),
    });

    let mut non_root = pss(
        "runAsNonRoot",
        "runAsNonRoot != true",
        "pod or containers \"web\", \"sidecar\" must set securityContext.runAsNonRoot=true",
        [15, 7, 15, 22],
        "spec.template.spec.securityContext",
    );
    non_root.fix = Some(Fix {
        description: "set runAsNonRoot: true in the pod securityContext (the images must run \
                      as a non-root user)"
            .into(),
        yaml: "securityContext:\n  runAsNonRoot: true\n  seccompProfile: {type: RuntimeDefault}\n"
            .into(),
    });

    let mut parse = input(
        "parse-error",
        Severity::Error,
        "k8s/broken.yaml",
        BROKEN,
        [4, 1, 4, 1],
    );
    parse.message = "did not find expected ',' or '}' in the flow mapping started on line 3".into();
    parse.hint = Some("close the `{` opened on line 3, column 11".into());

    let mut ignored = input(
        "ignored-content",
        Severity::Warning,
        "k8s/extra.yaml",
        EXTRA,
        [5, 1, 6, 16],
    );
    ignored.message = "content after the document end marker `...` is never sent by kubectl".into();
    ignored.hint = Some("replace `...` with `---` to start a new document".into());

    let mut diagnostics = vec![ape, non_root, parse, ignored];
    diagnostic::sort(&mut diagnostics);

    let objects = vec![
        CheckedObject {
            file: "k8s/api.yaml".into(),
            line: 1,
            column: 1,
            origin: None,
            object: ObjectRef {
                api_version: "apps/v1".into(),
                kind: "Deployment".into(),
                name: "api".into(),
                namespace: "shop".into(),
            },
            level: Level::Restricted,
            pss_version: "latest".into(),
            verdict: None,
        },
        CheckedObject {
            file: "rendered/web.yaml".into(),
            line: 3,
            column: 1,
            origin: Some("web/templates/deployment.yaml".into()),
            object: web_object(),
            level: Level::Restricted,
            pss_version: "latest".into(),
            verdict: Some(VERDICT.into()),
        },
    ];

    Report {
        diagnostics,
        objects,
        summary: Summary {
            files: 4,
            documents: 5,
            objects: 4,
            pod_templates: 2,
            skipped: 0,
            errors: 3,
            warnings: 1,
            notes: 0,
        },
    }
}

fn render(report: &Report, format: Format, color: bool) -> String {
    let mut out = Vec::new();
    report::render(format, report, RenderOptions { color }, &mut out).expect("render");
    String::from_utf8(out).expect("UTF-8 output")
}

#[test]
fn human() {
    insta::assert_snapshot!(render(&sample_report(), Format::Human, false));
}

#[test]
fn human_all_pass() {
    let report = Report {
        summary: Summary {
            files: 5,
            documents: 9,
            objects: 6,
            pod_templates: 4,
            skipped: 2,
            ..Summary::default()
        },
        ..Report::default()
    };
    assert_eq!(
        render(&report, Format::Human, false),
        "All 4 pod templates pass (5 files, 9 documents, 2 skipped).\n"
    );
}

#[test]
fn concise() {
    insta::assert_snapshot!(render(&sample_report(), Format::Concise, false));
}

#[test]
fn json() {
    // The version changes with every release; the snapshot pins everything else.
    let version = format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION"));
    let out = render(&sample_report(), Format::Json, false);
    assert!(out.contains(&version));
    insta::assert_snapshot!(out.replacen(&version, "\"version\": \"[VERSION]\"", 1));
}

#[test]
fn json_ends_with_a_newline_and_omits_absent_fields() {
    let out = render(&sample_report(), Format::Json, false);
    assert!(out.ends_with("}\n"));
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["tool"]["name"], "psslint");
    assert_eq!(v["tool"]["version"], env!("CARGO_PKG_VERSION"));
    for key in [
        "files",
        "documents",
        "objects",
        "pod_templates",
        "errors",
        "warnings",
    ] {
        assert!(v["summary"][key].is_u64(), "summary.{key}");
    }

    let diags = v["diagnostics"].as_array().expect("array");
    let parse = diags
        .iter()
        .find(|d| d["rule"] == "parse-error")
        .expect("parse-error");
    for absent in [
        "level",
        "pss_version",
        "reason",
        "detail",
        "origin",
        "object",
        "field",
        "container",
        "related",
        "fix",
        "snippet",
    ] {
        assert!(parse.get(absent).is_none(), "parse-error has {absent}");
    }
    let ape = diags
        .iter()
        .find(|d| d["rule"] == "allowPrivilegeEscalation")
        .expect("allowPrivilegeEscalation");
    assert_eq!(ape["level"], "restricted");
    assert_eq!(ape["object"]["apiVersion"], "apps/v1");
    assert_eq!(ape["related"][0]["container"], "sidecar");
    assert_eq!(ape["fix"]["yaml"], "allowPrivilegeEscalation: false\n");
}

#[test]
fn empty_report_json_has_an_empty_diagnostics_list() {
    let out = render(&Report::default(), Format::Json, false);
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["diagnostics"], serde_json::json!([]));
}

#[test]
fn concise_prints_nothing_when_clean() {
    assert_eq!(render(&Report::default(), Format::Concise, false), "");
}

#[test]
fn human_colour_only_when_asked() {
    let report = sample_report();
    let plain = render(&report, Format::Human, false);
    let styled = render(&report, Format::Human, true);
    assert!(!plain.contains('\x1b'), "plain output has escapes");
    assert!(styled.contains("\x1b["), "coloured output has no escapes");
    // Colour changes styling only, never the text.
    let stripped = strip_ansi(&styled);
    assert_eq!(stripped, plain);
}

/// Removes CSI sequences (`ESC [ ... final byte`).
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' && chars.clone().next() == Some('[') {
            chars.next();
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
