//! Reports at real-repository scale, checked the way GitHub reads them: a generated repository
//! with more than 25,000 findings, linted once into SARIF (for code scanning), GitHub
//! annotations (the log) and JSON (the full list).
//!
//! Code scanning's limits (GitHub's "SARIF support" and "results exceed limits" pages): at most
//! 20 runs per file, 25,000 results per run (of which it keeps 5,000), 25,000 rules per run,
//! 20 tags per rule, 1,000 locations per result (100 shown), 10 MB per file after gzip. A step
//! shows 10 annotations of each kind (actions/toolkit `docs/problem-matchers.md`).

mod support;

use std::collections::HashSet;
use std::fs;

use assert_cmd::Command;
use psslint::report::limits::thousands;
use serde_json::Value;

/// One Pod that fails every baseline check it can (10 errors under the default policy) and
/// seven restricted ones (warnings): 17 findings.
fn pod(i: usize) -> String {
    format!(
        "apiVersion: v1
kind: Pod
metadata:
  name: p{i}
  namespace: ns{ns}
  annotations:
    container.apparmor.security.beta.kubernetes.io/app: unconfined
spec:
  hostNetwork: true
  hostPID: true
  securityContext:
    sysctls: [{{name: kernel.msgmax, value: \"1\"}}]
    seLinuxOptions: {{type: spc_t}}
  containers:
  - name: app
    image: app
    ports: [{{containerPort: 80, hostPort: 80}}]
    securityContext:
      privileged: true
      runAsUser: 0
      allowPrivilegeEscalation: true
      procMount: Unmasked
      capabilities: {{add: [SYS_ADMIN]}}
      seccompProfile: {{type: Unconfined}}
  volumes:
  - name: h
    hostPath: {{path: /}}
",
        ns = i % 7
    )
}

const FILES: usize = 30;
const PODS_PER_FILE: usize = 50;

struct Outputs {
    json: Value,
    sarif_text: String,
    sarif: Value,
    github: String,
}

fn lint_big_repository() -> Outputs {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::create_dir(dir.path().join(".git")).expect("repository root");
    for f in 0..FILES {
        let stream: Vec<String> = (0..PODS_PER_FILE)
            .map(|p| pod(f * PODS_PER_FILE + p))
            .collect();
        let path = dir.path().join(format!("apps/team-{f:02}.yaml"));
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, stream.join("---\n")).expect("write");
    }
    let out = Command::cargo_bin("psslint")
        .expect("binary")
        .current_dir(dir.path())
        .args([
            "--format",
            "github",
            "--output",
            "sarif=psslint.sarif",
            "--output",
            "json=psslint.json",
            "apps",
        ])
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let sarif_text = fs::read_to_string(dir.path().join("psslint.sarif")).expect("SARIF");
    Outputs {
        json: serde_json::from_str(
            &fs::read_to_string(dir.path().join("psslint.json")).expect("JSON"),
        )
        .expect("JSON parses"),
        sarif: serde_json::from_str(&sarif_text).expect("SARIF is JSON"),
        sarif_text,
        github: String::from_utf8(out.stdout).expect("UTF-8"),
    }
}

fn count(v: &Value) -> usize {
    v.as_u64().expect("a count") as usize
}

#[test]
fn over_25000_findings_fit_code_scanning_and_annotations() {
    let out = lint_big_repository();
    let all = out.json["diagnostics"].as_array().expect("diagnostics");
    let summary = &out.json["summary"];
    let (errors, warnings) = (count(&summary["errors"]), count(&summary["warnings"]));
    assert!(all.len() > 25_000, "{} findings", all.len());
    assert_eq!(errors + warnings, all.len());

    // SARIF, as code scanning ingests it.
    assert!(
        out.sarif_text.len() <= 10_000_000,
        "{} bytes (the gzip-compressed limit is 10 MB; this is before compression)",
        out.sarif_text.len()
    );
    let runs = out.sarif["runs"].as_array().expect("runs");
    assert!(runs.len() <= 20);
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert!(rules.len() <= 25_000);
    let mut ids = HashSet::new();
    for rule in rules {
        assert!(ids.insert(rule["id"].as_str().expect("id")), "{rule}");
        assert!(rule["properties"]["tags"].as_array().expect("tags").len() <= 20);
        for text in ["shortDescription", "fullDescription", "help"] {
            assert!(
                rule[text]["text"].as_str().is_some_and(|t| !t.is_empty()),
                "{text} of {}",
                rule["id"]
            );
        }
    }
    let results = run["results"].as_array().expect("results");
    assert!(
        results.len() <= 25_000,
        "rejected: {} results",
        results.len()
    );
    // Code scanning keeps 5,000: psslint chooses which, errors first, in report order.
    assert_eq!(results.len(), 5_000);
    let first_errors: Vec<(String, u64, String)> = all
        .iter()
        .filter(|d| d["severity"] == "error")
        .take(5_000)
        .map(|d| {
            (
                d["file"].as_str().expect("file").to_string(),
                d["line"].as_u64().expect("line"),
                d["rule"].as_str().expect("rule").to_string(),
            )
        })
        .collect();
    let kept: Vec<(String, u64, String)> = results
        .iter()
        .map(|r| {
            let loc = &r["locations"][0]["physicalLocation"];
            (
                loc["artifactLocation"]["uri"]
                    .as_str()
                    .expect("uri")
                    .to_string(),
                loc["region"]["startLine"].as_u64().expect("line"),
                r["ruleId"].as_str().expect("rule").to_string(),
            )
        })
        .collect();
    assert_eq!(kept, first_errors);
    let mut fingerprints = HashSet::new();
    for r in results {
        assert_eq!(r["level"], "error");
        assert!(r["message"]["text"].as_str().is_some_and(|t| !t.is_empty()));
        let locations = r["locations"].as_array().expect("locations").len()
            + r["relatedLocations"].as_array().map_or(0, Vec::len);
        assert!(locations <= 100, "{locations} locations");
        let fp = r["partialFingerprints"]["primaryLocationLineHash"]
            .as_str()
            .expect("fingerprint");
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].to_string();
        assert!(fingerprints.insert((uri, fp.to_string())), "{fp} repeats");
    }
    // What was left out, for people and for programs.
    let note = &run["invocations"][0]["toolExecutionNotifications"][0];
    assert_eq!(note["level"], "warning");
    let text = note["message"]["text"].as_str().expect("note");
    assert!(
        text.contains(&format!(
            "Left out: {} errors and {} warnings",
            thousands(errors - 5_000),
            thousands(warnings)
        )) && text.contains("psslint.json"),
        "{text}"
    );
    let props = &run["properties"];
    assert_eq!(count(&props["findings"]), all.len());
    assert_eq!(count(&props["omitted"]["errors"]), errors - 5_000);
    assert_eq!(count(&props["omitted"]["warnings"]), warnings);
    assert_eq!(count(&props["omitted"]["notes"]), 0);
    if let Some(schema) = support::sarif_schema() {
        support::assert_valid_sarif(&schema, &out.sarif_text);
    }

    // Annotations: 10 errors, 10 warnings, then one notice about the rest, which follow in
    // the log as plain lines, with workflow commands stopped.
    let lines: Vec<&str> = out.github.lines().collect();
    let starts = |prefix: &str| lines.iter().filter(|l| l.starts_with(prefix)).count();
    assert_eq!(starts("::error "), 10);
    assert_eq!(starts("::warning "), 10);
    assert_eq!(starts("::notice "), 1);
    assert!(lines[..10].iter().all(|l| l.starts_with("::error ")));
    assert!(lines[10..20].iter().all(|l| l.starts_with("::warning ")));
    let rest = all.len() - 20;
    assert!(
        lines[20].starts_with(&format!(
            // A property value escapes `:` and `,`.
            "::notice title=psslint%3A {} findings not annotated::",
            thousands(rest).replace(',', "%2C")
        )) && lines[20].contains("psslint.json"),
        "{}",
        lines[20]
    );
    assert_eq!(
        lines[21],
        format!(
            "::group::psslint: {} findings not annotated",
            thousands(rest)
        )
    );
    let token = lines[22]
        .strip_prefix("::stop-commands::")
        .expect("commands stopped");
    assert_eq!(lines[23 + rest], format!("::{token}::"));
    assert_eq!(lines[24 + rest], "::endgroup::");
    assert_eq!(lines.len(), 25 + rest);
    let listed = &lines[23..23 + rest];
    assert!(listed.iter().all(|l| l.starts_with("apps/team-")));
    assert_eq!(
        listed.iter().filter(|l| l.contains(": error[")).count(),
        errors - 10
    );
    assert!(!listed.iter().any(|l| l.contains(token)));
}
