//! The CI formats end to end, from the binary: snapshots of SARIF, JUnit, GitHub commands and
//! Markdown on the same testdata (a Helm-rendered stream and an example manifest), SARIF checked
//! against the OASIS schema, JUnit read back by a JUnit consumer, several outputs from one run,
//! `--fail-on`, `--quiet`, `--statistics` and the GitHub step summary.

mod support;

use std::fs;
use std::path::Path;

use assert_cmd::Command;

const CRATE: &str = env!("CARGO_MANIFEST_DIR");
const FILES: [&str; 2] = ["testdata/helm/rendered.yaml", "testdata/examples/web.yaml"];

fn psslint() -> Command {
    let mut c = Command::cargo_bin("psslint").expect("binary");
    c.current_dir(CRATE)
        .env_remove("NO_COLOR")
        .env_remove("GITHUB_STEP_SUMMARY");
    c
}

fn stdout_of(args: &[&str]) -> String {
    let out = psslint().args(args).output().expect("runs");
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// SARIF without what depends on the machine or the release: the repository root's absolute
/// URI and the version. The rule descriptors are pinned by the report_formats snapshot, so only
/// their IDs are kept here.
fn stable_sarif(text: &str) -> String {
    let mut log: serde_json::Value = serde_json::from_str(text).expect("SARIF is JSON");
    let run = &mut log["runs"][0];
    let root = &mut run["originalUriBaseIds"]["%SRCROOT%"]["uri"];
    assert!(
        root.as_str()
            .is_some_and(|u| u.starts_with("file:///") && u.ends_with('/')),
        "{root}"
    );
    *root = "file:///[ROOT]/".into();
    let driver = &mut run["tool"]["driver"];
    driver["version"] = "[VERSION]".into();
    driver["semanticVersion"] = "[VERSION]".into();
    let ids: Vec<serde_json::Value> = driver["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    driver["rules"] = ids.into();
    serde_json::to_string_pretty(&log).expect("JSON")
}

#[test]
fn snapshots_of_the_ci_formats() {
    for file in FILES {
        let stem = Path::new(file)
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .into_owned();
        let sarif = stdout_of(&["--format", "sarif", file]);
        insta::assert_snapshot!(format!("{stem}-sarif"), stable_sarif(&sarif));
        for format in ["junit", "github", "markdown"] {
            insta::assert_snapshot!(
                format!("{stem}-{format}"),
                stdout_of(&["--format", format, file])
            );
        }
    }
}

#[test]
fn sarif_of_all_testdata_validates_against_the_oasis_schema() {
    let Some(schema) = support::sarif_schema() else {
        return;
    };
    let sarif = stdout_of(&["--format", "sarif", "testdata"]);
    support::assert_valid_sarif(&schema, &sarif);
    let log: serde_json::Value = serde_json::from_str(&sarif).expect("JSON");
    assert!(
        log["runs"][0]["results"]
            .as_array()
            .is_some_and(|r| r.len() > 20),
        "testdata has many findings"
    );
}

#[test]
fn sarif_names_no_helm_template_that_is_not_in_the_repository() {
    // testdata/helm holds Helm output without its chart: the `# Source:` template is named in
    // the message, but no location points at a file that does not exist (#13).
    let log: serde_json::Value = serde_json::from_str(&stdout_of(&[
        "--format",
        "sarif",
        "testdata/helm/rendered.yaml",
    ]))
    .expect("JSON");
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for r in results {
        let uri = &r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
        assert_eq!(uri, "testdata/helm/rendered.yaml");
        assert!(
            r["message"]["text"]
                .as_str()
                .is_some_and(|m| m.contains("Rendered from Helm template shop/templates/")),
            "{r}"
        );
        for l in r["relatedLocations"].as_array().into_iter().flatten() {
            let uri = l["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .expect("uri");
            assert!(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join(uri)
                    .exists(),
                "{uri} does not exist: {r}"
            );
        }
    }
}

#[test]
fn input_problems_are_sarif_results_and_junit_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(
        dir.path().join("broken.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p\nspec: {}\n",
    )
    .expect("write");
    let run = |format: &str| {
        let out = Command::cargo_bin("psslint")
            .expect("binary")
            .current_dir(dir.path())
            .args(["--format", format, "broken.yaml"])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8(out.stdout).expect("UTF-8")
    };
    let log: serde_json::Value = serde_json::from_str(&run("sarif")).expect("JSON");
    assert_eq!(log["runs"][0]["results"][0]["ruleId"], "parse-error");
    if let Some(schema) = support::sarif_schema() {
        support::assert_valid_sarif(&schema, &run("sarif"));
    }

    // A file that cannot be parsed could not be tested: JUnit's `error`, not a `failure`.
    let junit = support::parse_junit(&run("junit"));
    assert_eq!((junit.tests, junit.failures, junit.errors), (1, 0, 1));
    let suite = &junit.test_suites[0];
    assert_eq!((suite.failures, suite.errors), (0, 1));
    let case = &suite.test_cases[0];
    assert_eq!(case.name.as_str(), "broken.yaml");
    let quick_junit::TestCaseStatus::NonSuccess { kind, message, .. } = &case.status else {
        panic!("{:?}", case.status)
    };
    assert_eq!(*kind, quick_junit::NonSuccessKind::Error);
    assert!(
        message.as_ref().is_some_and(|m| !m.is_empty()),
        "{message:?}"
    );
}

#[test]
fn junit_fails_violations_and_errors_unchecked_files_in_one_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(
        dir.path().join("broken.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p\nspec: {}\n",
    )
    .expect("write");
    fs::write(
        dir.path().join("bad.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec:\n  containers:\n  - {name: a, image: a, securityContext: {privileged: true}}\n",
    )
    .expect("write");
    fs::write(
        dir.path().join("chart.yaml"),
        "kind: Pod\nname: {{ .Values.name }}\n",
    )
    .expect("write");
    let out = Command::cargo_bin("psslint")
        .expect("binary")
        .current_dir(dir.path())
        .args(["--format", "junit", "--level", "baseline", "."])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let junit = support::parse_junit(&String::from_utf8(out.stdout).expect("UTF-8"));
    assert_eq!((junit.tests, junit.failures, junit.errors), (3, 1, 2));
    let kind_of = |file: &str| {
        let suite = junit
            .test_suites
            .iter()
            .find(|s| s.name.as_str() == file)
            .unwrap_or_else(|| panic!("no suite {file}"));
        match &suite.test_cases[0].status {
            quick_junit::TestCaseStatus::NonSuccess { kind, .. } => Some(*kind),
            _ => None,
        }
    };
    assert_eq!(
        kind_of("bad.yaml"),
        Some(quick_junit::NonSuccessKind::Failure)
    );
    assert_eq!(
        kind_of("broken.yaml"),
        Some(quick_junit::NonSuccessKind::Error)
    );
    assert_eq!(
        kind_of("chart.yaml"),
        Some(quick_junit::NonSuccessKind::Error)
    );
}

#[test]
fn junit_of_all_testdata_is_read_by_a_junit_consumer() {
    let json: serde_json::Value =
        serde_json::from_str(&stdout_of(&["--format", "json", "testdata"])).expect("JSON");
    let junit = support::parse_junit(&stdout_of(&["--format", "junit", "testdata"]));
    assert!(junit.tests >= json["summary"]["pod_templates"].as_u64().expect("count") as usize);
    assert!(junit.failures > 0);
    let mut names = std::collections::HashSet::new();
    for suite in &junit.test_suites {
        for case in &suite.test_cases {
            let class = case.classname.as_ref().map(|c| c.as_str().to_string());
            assert!(
                names.insert((class, case.name.as_str().to_string())),
                "duplicate test case {:?} in {:?}",
                case.name,
                suite.name
            );
        }
    }
}

#[test]
fn one_run_writes_several_outputs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sarif = dir.path().join("psslint.sarif");
    let junit = dir.path().join("report.xml");
    let out = psslint()
        .args(["--format", "concise", "--output"])
        .arg(format!("sarif={}", sarif.display()))
        .arg("--output")
        .arg(format!("junit={}", junit.display()))
        .arg("testdata/examples/web.yaml")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    assert_eq!(
        stdout,
        stdout_of(&["--format", "concise", "testdata/examples/web.yaml"])
    );
    let written = fs::read_to_string(&sarif).expect("SARIF written");
    assert_eq!(
        stable_sarif(&written),
        stable_sarif(&stdout_of(&[
            "--format",
            "sarif",
            "testdata/examples/web.yaml"
        ]))
    );
    support::parse_junit(&fs::read_to_string(&junit).expect("JUnit written"));

    // A plain PATH takes the --format report off standard output.
    let plain = dir.path().join("report.txt");
    psslint()
        .args(["--format", "concise", "-o"])
        .arg(&plain)
        .arg("testdata/examples/web.yaml")
        .assert()
        .code(1)
        .stdout("");
    assert_eq!(fs::read_to_string(&plain).expect("written"), stdout);
}

#[test]
fn fail_on_sets_the_exit_code() {
    let web = "testdata/examples/web.yaml";
    psslint().args(["--fail-on", "error", web]).assert().code(1);
    psslint()
        .args(["--fail-on", "warning", web])
        .assert()
        .code(1);
    psslint().args(["--fail-on", "never", web]).assert().code(0);
    // `never` still reports trouble.
    psslint()
        .args(["--fail-on", "never", "no/such/file.yaml"])
        .assert()
        .code(2);
    // Only a warning: fails with `warning` only.
    let warn = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a}\n...\nkind: x\n";
    psslint().arg("-").write_stdin(warn).assert().code(0);
    psslint()
        .args(["--fail-on", "warning", "-"])
        .write_stdin(warn)
        .assert()
        .code(1);
}

#[test]
fn quiet_prints_findings_only() {
    let loud = stdout_of(&["testdata/examples/web.yaml"]);
    let quiet = stdout_of(&["--quiet", "testdata/examples/web.yaml"]);
    assert!(loud.contains("would violate PodSecurity"));
    assert!(!quiet.contains("would violate PodSecurity"), "{quiet}");
    assert!(!quiet.contains("Found "), "{quiet}");
    assert!(quiet.contains("error[privileged]"), "{quiet}");
}

#[test]
fn statistics_follow_the_report() {
    let out = stdout_of(&[
        "--format",
        "concise",
        "--statistics",
        "testdata/examples/web.yaml",
    ]);
    let report = stdout_of(&["--format", "concise", "testdata/examples/web.yaml"]);
    let stats = out.strip_prefix(&report).expect("the report comes first");
    assert!(
        stats
            .lines()
            .any(|l| l.trim_start().starts_with("1  privileged")),
        "{stats}"
    );
    // After a machine-readable report, on standard error.
    let out = psslint()
        .args([
            "--format",
            "json",
            "--statistics",
            "testdata/examples/web.yaml",
        ])
        .output()
        .expect("runs");
    serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("stdout stays JSON");
    assert!(String::from_utf8_lossy(&out.stderr).contains("privileged"));
}

#[test]
fn the_github_format_appends_the_step_summary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = dir.path().join("summary.md");
    fs::write(&summary, "# Earlier step\n").expect("write");
    for _ in 0..2 {
        psslint()
            .env("GITHUB_STEP_SUMMARY", &summary)
            .args(["--format", "github", "testdata/examples/web.yaml"])
            .assert()
            .code(1);
    }
    let text = fs::read_to_string(&summary).expect("summary");
    assert!(text.starts_with("# Earlier step\n## psslint"), "{text}");
    assert_eq!(
        text.matches("## psslint").count(),
        2,
        "appended, not replaced"
    );
    assert!(text.contains("https://github.com/psslint/psslint/blob/main/rules/privileged.md"));
    assert_eq!(
        text.split("## psslint")
            .nth(1)
            .map(|s| format!("## psslint{s}")),
        Some(stdout_of(&[
            "--format",
            "markdown",
            "testdata/examples/web.yaml"
        ]))
    );
    // Other formats leave it alone.
    psslint()
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["--format", "concise", "testdata/examples/web.yaml"])
        .assert()
        .code(1);
    assert_eq!(fs::read_to_string(&summary).expect("summary"), text);
}
