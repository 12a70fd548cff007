//! Snapshots of every output format for one realistic, hand-built report: a Helm-rendered
//! Deployment failing two restricted checks (with related locations and fixes), a YAML syntax
//! error with a hint, an input warning, and a passing Deployment.

use psslint::model::diagnostic::Mode;
use psslint::model::diagnostic::{
    self, Applicability, Diagnostic, Fix, ObjectRef, Related, Severity, Snippet,
};
use psslint::model::level::Level;
use psslint::model::report::{CheckedObject, Report, Summary};
use psslint::report::{self, Format, RenderOptions};

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
        policy: Default::default(),
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
        source_map: None,
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
        policy: Default::default(),
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
        source_map: None,
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
        role: None,
    });
    ape.fix = Some(Fix {
        description: "set allowPrivilegeEscalation: false in the securityContext of containers \
                      \"web\" and \"sidecar\""
            .into(),
        yaml: "allowPrivilegeEscalation: false\n".into(),
        applicability: Applicability::Automatic,
        note: None,
        edits: Vec::new(),
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
        applicability: Applicability::Unsafe,
        note: None,
        edits: Vec::new(),
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
            modes: vec![Mode::Enforce],
            verdict: None,
            failing_templates: 0,
            metadata: Default::default(),
        },
        CheckedObject {
            file: "rendered/web.yaml".into(),
            line: 3,
            column: 1,
            origin: Some("web/templates/deployment.yaml".into()),
            object: web_object(),
            level: Level::Restricted,
            pss_version: "latest".into(),
            modes: vec![Mode::Enforce],
            verdict: Some(VERDICT.into()),
            failing_templates: 1,
            metadata: Default::default(),
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
            ..Summary::default()
        },
        ..Report::default()
    }
}

fn render(report: &Report, format: Format, color: bool) -> String {
    let mut out = Vec::new();
    let opts = RenderOptions {
        color,
        ..RenderOptions::default()
    };
    report::render(format, report, &opts, &mut out).expect("render");
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

// ---- CI formats: SARIF, JUnit, GitHub workflow commands, Markdown ----

mod support;

use psslint::report::SourceRoot;

/// Renders with a fixed repository root, so that SARIF and GitHub paths do not depend on the
/// machine (the directory does not exist, so nothing is resolved on disk).
fn render_ci(report: &Report, format: Format) -> String {
    let opts = RenderOptions {
        root: Some(SourceRoot::new("/repo", "/repo")),
        ..RenderOptions::default()
    };
    let mut out = Vec::new();
    report::render(format, report, &opts, &mut out).expect("render");
    String::from_utf8(out).expect("UTF-8 output")
}

fn sarif(report: &Report) -> serde_json::Value {
    serde_json::from_str(&render_ci(report, Format::Sarif)).expect("SARIF is JSON")
}

#[test]
fn sarif_snapshot() {
    let out = render_ci(&sample_report(), Format::Sarif);
    let version = format!("\"{}\"", env!("CARGO_PKG_VERSION"));
    insta::assert_snapshot!("sarif", out.replace(&version, "\"[VERSION]\""));
}

#[test]
fn sarif_validates_against_the_oasis_schema() {
    let Some(schema) = support::sarif_schema() else {
        return;
    };
    support::assert_valid_sarif(&schema, &render_ci(&sample_report(), Format::Sarif));
    support::assert_valid_sarif(&schema, &render_ci(&Report::default(), Format::Sarif));
    // Without a root, and with awkward paths.
    let mut report = sample_report();
    report.diagnostics[0].file = "<stdin>".into();
    report.diagnostics[1].file = "dir with space/ü:x#1.yaml".into();
    let mut out = Vec::new();
    report::render(Format::Sarif, &report, &RenderOptions::default(), &mut out).expect("render");
    support::assert_valid_sarif(&schema, &String::from_utf8(out).expect("UTF-8"));
}

#[test]
fn sarif_driver_lists_every_rule_with_github_metadata() {
    let log = sarif(&sample_report());
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert_eq!(
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        "file:///repo/"
    );
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "psslint");
    assert_eq!(driver["semanticVersion"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        driver["informationUri"],
        "https://github.com/psslint/psslint"
    );
    let rules = driver["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), psslint::rules::all().len());
    for check in psslint::pss::registry::CHECKS {
        assert!(
            rules.iter().any(|r| r["id"] == check.id),
            "{} missing",
            check.id
        );
    }
    for rule in rules {
        let id = rule["id"].as_str().expect("id");
        for key in ["name", "shortDescription", "fullDescription", "help"] {
            assert!(!rule[key].is_null(), "{id}: {key}");
        }
        for text in [
            &rule["shortDescription"]["text"],
            &rule["fullDescription"]["text"],
        ] {
            let text = text.as_str().expect("text");
            assert!(
                !text.is_empty() && text.chars().count() <= 1024,
                "{id}: {text}"
            );
        }
        assert!(rule["help"]["markdown"]
            .as_str()
            .expect("markdown")
            .starts_with(&format!("# {id}: ")));
        assert!(!rule["help"]["text"].as_str().expect("text").is_empty());
        let tags = rule["properties"]["tags"].as_array().expect("tags");
        assert!(tags.contains(&"security".into()) && tags.contains(&"pod-security".into()));
        let severity: f64 = rule["properties"]["security-severity"]
            .as_str()
            .expect("security-severity")
            .parse()
            .expect("numeric");
        assert!((0.1..=10.0).contains(&severity), "{id}: {severity}");
        assert!(["error", "warning", "note"].contains(
            &rule["defaultConfiguration"]["level"]
                .as_str()
                .expect("level")
        ));
    }
    let privileged = rules
        .iter()
        .find(|r| r["id"] == "privileged")
        .expect("rule");
    assert_eq!(privileged["properties"]["tags"][2], "baseline");
    assert_eq!(
        privileged["helpUri"],
        "https://github.com/psslint/psslint/blob/main/rules/privileged.md"
    );
}

#[test]
fn sarif_results_locate_every_finding() {
    let report = sample_report();
    let log = sarif(&report);
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let results = run["results"].as_array().expect("results");
    // Input problems are results too.
    assert_eq!(results.len(), report.diagnostics.len());
    for (r, d) in results.iter().zip(&report.diagnostics) {
        assert_eq!(r["ruleId"], d.rule.as_str());
        let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], d.rule.as_str());
        assert_eq!(r["level"], d.severity.as_str());
        assert!(r["message"]["text"]
            .as_str()
            .expect("message")
            .starts_with(&d.message));
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], d.file.as_str());
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        for key in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(loc["region"][key].as_u64().expect(key) >= 1, "{key}");
        }
        assert!(r["partialFingerprints"]["primaryLocationLineHash"].is_string());
    }
    let ape = results
        .iter()
        .find(|r| r["ruleId"] == "allowPrivilegeEscalation")
        .expect("allowPrivilegeEscalation");
    let related = ape["relatedLocations"].as_array().expect("related");
    assert_eq!(related[0]["physicalLocation"]["region"]["startLine"], 25);
    // The Helm template is not in this (imaginary) repository: it is named in the message, and
    // no location points at a file that does not exist (#13).
    assert!(related.iter().all(
        |l| l["physicalLocation"]["artifactLocation"]["uri"] != "web/templates/deployment.yaml"
    ));
    assert!(ape["message"]["text"]
        .as_str()
        .expect("text")
        .contains("Helm template web/templates/deployment.yaml"));
}

#[test]
fn sarif_fingerprints_survive_moved_lines_and_tell_duplicates_apart() {
    let hashes = |report: &Report| -> Vec<String> {
        sarif(report)["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| {
                r["partialFingerprints"]["primaryLocationLineHash"]
                    .as_str()
                    .expect("hash")
                    .to_string()
            })
            .collect()
    };
    let before = sample_report();
    let mut after = sample_report();
    for d in &mut after.diagnostics {
        d.line += 7;
        d.end_line += 7;
    }
    assert_eq!(hashes(&before), hashes(&after));

    let mut dup = sample_report();
    let copy = dup.diagnostics[2].clone();
    dup.diagnostics.insert(3, copy);
    let h = hashes(&dup);
    let (a, b) = (&h[2], &h[3]);
    assert_eq!(a.split(':').next(), b.split(':').next());
    assert!(a.ends_with(":1") && b.ends_with(":2"), "{a} {b}");
}

#[test]
fn junit_snapshot() {
    insta::assert_snapshot!("junit", render_ci(&sample_report(), Format::Junit));
}

#[test]
fn junit_is_read_by_a_junit_consumer() {
    let xml = render_ci(&sample_report(), Format::Junit);
    let parsed = support::parse_junit(&xml);
    // One suite per file; one case per checked object, plus one per file whose problems
    // concern no object.
    let suites: Vec<&str> = parsed.test_suites.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        suites,
        [
            "k8s/api.yaml",
            "k8s/broken.yaml",
            "k8s/extra.yaml",
            "rendered/web.yaml"
        ]
    );
    assert_eq!(parsed.tests, 4);
    assert_eq!((parsed.failures, parsed.errors), (1, 1));
    let case = |suite: usize| &parsed.test_suites[suite].test_cases[0];
    let passed =
        |c: &quick_junit::TestCase| matches!(c.status, quick_junit::TestCaseStatus::Success { .. });
    assert!(passed(case(0)), "the passing object is a passed test");
    assert!(
        matches!(
            case(1).status,
            quick_junit::TestCaseStatus::NonSuccess {
                kind: quick_junit::NonSuccessKind::Error,
                ..
            }
        ),
        "a file that cannot be parsed is an error (it could not be tested), not a failure"
    );
    assert!(passed(case(2)), "a warning alone does not fail");
    assert!(case(2)
        .system_out
        .as_ref()
        .expect("system-out")
        .as_str()
        .contains("ignored-content"));
    let web = case(3);
    assert_eq!(
        web.name.as_str(),
        "Deployment/web in shop (restricted:latest)"
    );
    let quick_junit::TestCaseStatus::NonSuccess {
        kind: quick_junit::NonSuccessKind::Failure,
        message,
        ty,
        description,
        ..
    } = &web.status
    else {
        panic!("web fails: {:?}", web.status)
    };
    assert!(message
        .as_ref()
        .expect("message")
        .as_str()
        .starts_with("would violate PodSecurity"));
    assert_eq!(
        ty.as_ref().expect("type").as_str(),
        "runAsNonRoot,allowPrivilegeEscalation"
    );
    let body = description.as_ref().expect("body").as_str();
    assert!(body.contains("rendered/web.yaml:20:11: error[allowPrivilegeEscalation]"));
    assert!(body.contains("fix: set allowPrivilegeEscalation: false"));
    assert!(body.contains("from Helm template web/templates/deployment.yaml"));
}

#[test]
fn junit_names_are_unique_and_text_is_sanitised() {
    let mut report = sample_report();
    // The same object twice in one file, and a message with markup and control characters.
    let mut twin = report.objects[0].clone();
    twin.line = 30;
    report.objects.insert(1, twin);
    report.diagnostics[0].message = "bad <x> & \"y\" \u{1b}[31m\u{0}\u{FFFF}end".into();
    let xml = render_ci(&report, Format::Junit);
    assert!(!xml.contains('\u{1b}') && !xml.contains('\u{0}') && !xml.contains('\u{FFFF}'));
    let parsed = support::parse_junit(&xml);
    let mut names = std::collections::HashSet::new();
    for suite in &parsed.test_suites {
        for case in &suite.test_cases {
            let class = case.classname.as_ref().map(|c| c.as_str().to_string());
            assert!(
                names.insert((class, case.name.as_str().to_string())),
                "duplicate {:?}",
                case.name
            );
        }
    }
    let broken = &parsed.test_suites[1].test_cases[0];
    let quick_junit::TestCaseStatus::NonSuccess { message, .. } = &broken.status else {
        panic!("broken fails")
    };
    assert_eq!(
        message.as_ref().expect("message").as_str(),
        "bad <x> & \"y\" [31mend"
    );
}

#[test]
fn junit_of_a_clean_run_is_an_empty_passing_report() {
    let parsed = support::parse_junit(&render_ci(&Report::default(), Format::Junit));
    assert_eq!((parsed.tests, parsed.failures), (0, 0));
}

#[test]
fn github_snapshot() {
    insta::assert_snapshot!("github", render_ci(&sample_report(), Format::Github));
}

#[test]
fn github_commands_escape_data_and_properties() {
    let mut report = sample_report();
    report.diagnostics[0].file = "a,b:c%.yaml".into();
    report.diagnostics[0].message = "50% done\r\nnext: line".into();
    let out = render_ci(&report, Format::Github);
    let first = out.lines().next().expect("a command");
    assert!(
        first.starts_with("::error file=a%2Cb%3Ac%25.yaml,line=4,col=1,endLine=4,"),
        "{first}"
    );
    // A line break from the input is shown escaped (it cannot start a line of the
    // annotation, let alone a command); psslint's own line breaks are `%0A`.
    assert!(first.contains("::50%25 done\\r\\nnext: line"), "{first}");
    assert_eq!(out.lines().count(), report.diagnostics.len());
    assert!(out
        .lines()
        .any(|l| l.starts_with("::warning file=k8s/extra.yaml,")));
}

#[test]
fn markdown_snapshot() {
    insta::assert_snapshot!("markdown", render_ci(&sample_report(), Format::Markdown));
}

#[test]
fn markdown_of_a_clean_run_says_so() {
    let mut report = Report::default();
    report.summary.files = 2;
    report.summary.documents = 3;
    report.summary.pod_templates = 2;
    assert_eq!(
        render_ci(&report, Format::Markdown),
        "## psslint\n\nAll 2 pod templates pass (2 files, 3 documents).\n\n"
    );
}
