//! The HTML plan in a real headless Chromium: it renders (its script runs to the end), logs no
//! console error, and shows the counts of the JSON plan. Skipped, with a message, when
//! /usr/bin/chromium is absent, except in CI (`CI` set), where that is a failure: `.ci/run`
//! installs it.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;
use serde_json::Value;

const CHROMIUM: &str = "/usr/bin/chromium";

fn chromium_available() -> bool {
    if Path::new(CHROMIUM).exists() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{CHROMIUM} is missing in CI: .ci/run installs Debian's chromium"
    );
    support::skipped(&format!(
        "{CHROMIUM} is not installed (apt-get install chromium): the HTML plan was not checked in a browser"
    ));
    false
}

fn plan(format: &str, dir: &Path) -> String {
    let out = Command::cargo_bin("psslint")
        .expect("binary")
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/rollout"))
        .args([
            "plan",
            "--admission-config",
            "admission.yaml",
            "--today",
            "2026-03-20",
            "--format",
            format,
            ".",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    fs::write(dir.join(format!("plan.{format}")), &text).expect("write");
    text
}

/// What headless Chromium printed: the rendered DOM (stdout) and its log (stderr).
struct Page {
    dom: String,
    log: String,
}

/// Loads `url` in a fresh profile with the network locked down, and dumps the DOM after the
/// page's scripts ran.
fn load(url: &str, profile: &Path) -> Page {
    let out = Process::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--dump-dom", url])
        .output()
        .expect("chromium runs");
    assert!(out.status.success(), "chromium failed: {:?}", out.status);
    Page {
        dom: String::from_utf8_lossy(&out.stdout).into_owned(),
        log: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Console errors and uncaught exceptions, as Chromium logs them.
fn console_errors(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| {
            l.contains("Uncaught")
                || (l.contains("CONSOLE") && l.contains("ERROR"))
                || l.contains("console error")
        })
        .collect()
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[test]
fn the_html_plan_renders_in_chromium_with_the_plans_counts() {
    if !chromium_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    plan("html", dir.path());
    let json: Value = serde_json::from_str(&plan("json", dir.path())).expect("JSON");
    let url = format!("file://{}#ns=shop", dir.path().join("plan.html").display());
    let page = load(&url, &dir.path().join("profile"));

    assert!(console_errors(&page.log).is_empty(), "{}", page.log);
    assert!(
        page.dom.contains(r#"data-rendered="true""#),
        "the script did not finish:\n{}",
        page.log
    );

    let namespaces = json["namespaces"].as_array().expect("namespaces");
    let summary = &json["summary"];
    // The matrix: one row per namespace, one coloured cell per namespace and level.
    assert_eq!(count(&page.dom, r#"<tr class="ns-row"#), namespaces.len());
    assert_eq!(
        count(&page.dom, r#"<td class="cell state-"#),
        2 * namespaces.len()
    );
    for state in ["blocked", "ready", "exempt", "done"] {
        assert_eq!(
            count(&page.dom, &format!(r#"data-state="{state}""#)),
            summary[state].as_u64().unwrap() as usize,
            "{state}"
        );
    }
    let cells_in = |state: &str| count(&page.dom, &format!(r#"<td class="cell state-{state}""#));
    let expected = |state: &str| {
        namespaces
            .iter()
            .flat_map(|n| n["levels"].as_array().unwrap())
            .filter(|l| l["state"] == state)
            .count()
    };
    for state in ["enforced", "rejecting", "ready", "blocked", "exempt"] {
        assert_eq!(cells_in(state), expected(state), "{state} cells");
    }
    // The summary cards.
    for (id, key) in [
        ("summary-failing", "failing"),
        ("summary-workloads", "workloads"),
        ("summary-covered", "covered"),
    ] {
        let card = format!(r#"id="{id}">{}<"#, summary[key]);
        assert!(page.dom.contains(&card), "{card}");
    }
    // The drill-down: every workload and violation is in the page, and `#ns=shop` opened shop.
    assert_eq!(
        count(&page.dom, r#"class="workload-row""#),
        summary["workloads"].as_u64().unwrap() as usize
    );
    assert!(
        page.dom.contains(r#"<tr class="detail" data-ns="shop">"#),
        "shop is not open"
    );
    assert!(page
        .dom
        .contains(r#"<tr class="detail" data-ns="data" hidden="">"#));
    let violations: usize = namespaces
        .iter()
        .flat_map(|n| n["workloads"].as_array().unwrap())
        .flat_map(|w| w["levels"].as_array().unwrap())
        .filter(|l| l["level"] == json["target"]["level"])
        .map(|l| l["violations"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(count(&page.dom, r#"<li class="violation"#), violations);
    assert!(page
        .dom
        .contains("kubectl label --overwrite ns shop pod-security.kubernetes.io/warn=restricted"));
}

#[test]
fn a_script_error_in_a_page_is_caught_by_the_check() {
    // The console check above must be able to fail: a page that throws is reported.
    if !chromium_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("broken.html");
    fs::write(&page, "<!DOCTYPE html><script>null.boom();</script>").expect("write");
    let loaded = load(
        &format!("file://{}", page.display()),
        &dir.path().join("profile"),
    );
    assert!(!console_errors(&loaded.log).is_empty(), "{}", loaded.log);
}
