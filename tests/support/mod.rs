//! Checks shared by the format tests: SARIF against the OASIS schema, JUnit through a real
//! consumer.
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;

/// Says, in the normal `cargo test` output, that the running test did not check what it is
/// for, and why: `SKIPPED test_name: reason`. The test harness captures `print!` and `eprint!`
/// of passing tests; this writes to the process's standard error directly, so the line shows
/// next to the `... ok`.
pub fn skipped(reason: &str) {
    // The harness names each test's thread after the test.
    let thread = std::thread::current();
    let test = thread.name().filter(|n| *n != "main").unwrap_or("a test");
    let line = format!("SKIPPED {test}: {reason}\n");
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(line.as_bytes()).and_then(|()| err.flush());
}

/// The OASIS SARIF 2.1.0 schema, from `../shared/schemas/` beside the crate, or `None` (after
/// printing SKIPPED) when that directory is absent.
pub fn sarif_schema() -> Option<serde_json::Value> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/schemas/sarif-schema-2.1.0.json");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(serde_json::from_str(&text).expect("the schema is JSON")),
        Err(e) => {
            skipped(&format!(
                "no SARIF schema validation: {}: {e}",
                path.display()
            ));
            None
        }
    }
}

/// Panics with every schema violation of `sarif` (formats such as `uri` included).
pub fn assert_valid_sarif(schema: &serde_json::Value, sarif: &str) {
    let instance: serde_json::Value = serde_json::from_str(sarif).expect("SARIF is JSON");
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(schema)
        .expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF schema violations:\n{}",
        errors.join("\n")
    );
}

/// Parses JUnit XML the way CI servers do (quick-junit reads the Jenkins flavour).
pub fn parse_junit(xml: &str) -> quick_junit::Report {
    quick_junit::Report::deserialize_from_str(xml)
        .unwrap_or_else(|e| panic!("JUnit XML does not parse: {e}\n{xml}"))
}
