//! Our own testdata as a specification. Each file's comments say what must be reported where:
//!
//! * `# psslint: --level L --pss-version V` on the first line sets the policy (default
//!   restricted/latest);
//! * `# expect: rule[, rule…]` on a line means a finding with that rule has its primary location
//!   on that line;
//! * `# also: rule[, rule…]` means a finding with that rule lists that line as a related
//!   location.
//!
//! Lines with neither must carry no finding, so every pass document is checked too. The primary
//! column must point at text that names the reported field (or its nearest existing parent).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use psslint::lint::lint_bytes;
use psslint::lint::options::LintOptions;
use psslint::model::diagnostic::Diagnostic;
use psslint::model::field::{FieldPath, Segment};
use psslint::model::level::{Level, Version};
use psslint::policy::Policy;

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

fn files(dirs: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for d in dirs {
        for e in fs::read_dir(testdata().join(d)).unwrap() {
            let p = e.unwrap().path();
            if matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            ) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The file's text as an editor shows it: no BOM, lines without `\r`.
fn lines(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes));
    text.split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string())
        .collect()
}

fn policy_of(first_line: &str) -> Policy {
    let mut level = Level::Restricted;
    let mut version = Version::Latest;
    if let Some(flags) = first_line.strip_prefix("# psslint:") {
        let words: Vec<&str> = flags.split_whitespace().collect();
        for w in words.windows(2) {
            match w[0] {
                "--level" => level = w[1].parse().unwrap(),
                "--pss-version" => version = w[1].parse().unwrap(),
                _ => {}
            }
        }
    }
    Policy::forced(level, version)
}

fn marked(lines: &[String], marker: &str) -> BTreeSet<(u32, String)> {
    let mut out = BTreeSet::new();
    for (i, l) in lines.iter().enumerate() {
        if let Some((_, rules)) = l.split_once(marker) {
            for r in rules.split(',') {
                out.insert((i as u32 + 1, r.trim().to_string()));
            }
        }
    }
    out
}

fn keys(field: &str) -> Vec<String> {
    FieldPath::parse(field)
        .segments()
        .iter()
        .filter_map(|s| match s {
            Segment::Key(k) => Some(k.clone()),
            Segment::Index(_) => None,
        })
        .collect()
}

/// The primary column must sit on the name of the field or of one of its parents; on a list
/// item (a container, a port) when the field is missing below it; on a `<<` merge site for a
/// merged field; or, for a type error, on the value right after its key.
fn check_column(d: &Diagnostic, lines: &[String]) -> Result<(), String> {
    let Some(field) = &d.field else {
        return Ok(());
    };
    let line = &lines[d.line as usize - 1];
    let before: String = line.chars().take(d.column as usize - 1).collect();
    let at: String = line.chars().skip(d.column as usize - 1).collect();
    let names = keys(field);
    let ok = if d.rule == "type-error" {
        let last = names.last().cloned().unwrap_or_default();
        let before = before.trim_end().trim_end_matches(['"', '\'']);
        before.ends_with(&format!("{last}:")) || before.ends_with(&format!("{last}\":"))
    } else {
        // A double-quoted key may spell its name with escapes (`"\x70rivileged"`).
        let escaped_key =
            at.starts_with('"') && at.split('"').nth(1).is_some_and(|k| k.contains('\\'));
        let at = at.trim_start_matches(['"', '\'']);
        escaped_key
            || names.iter().any(|k| at.starts_with(k.as_str()))
            || before.trim_end().ends_with('-')
            || at.starts_with("<<")
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{}:{}:{} {}: column points at {at:?}, which names no part of {field}",
            d.file, d.line, d.column, d.rule
        ))
    }
}

#[test]
fn testdata_findings_land_where_the_comments_say() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for path in files(&["checks", "decoding", "spans", "helm"]) {
        let bytes = fs::read(&path).unwrap();
        let lines = lines(&bytes);
        let opts = LintOptions::new(policy_of(&lines[0]));
        let name = path.strip_prefix(testdata()).unwrap().display().to_string();
        let partial = lint_bytes(&name, &bytes, &opts);

        let want_primary = marked(&lines, "# expect:");
        let want_related = marked(&lines, "# also:");
        let got_primary: BTreeSet<_> = partial
            .diagnostics
            .iter()
            .map(|d| (d.line, d.rule.clone()))
            .collect();
        let got_related: BTreeSet<_> = partial
            .diagnostics
            .iter()
            .flat_map(|d| d.related.iter().map(move |r| (r.line, d.rule.clone())))
            .collect();
        if want_primary != got_primary {
            problems.push(format!(
                "{name}: primary locations differ\n  want {want_primary:?}\n  got  {got_primary:?}"
            ));
        }
        if want_related != got_related {
            problems.push(format!(
                "{name}: related locations differ\n  want {want_related:?}\n  got  {got_related:?}"
            ));
        }
        for d in &partial.diagnostics {
            if let Err(e) = check_column(d, &lines) {
                problems.push(e);
            }
        }
        checked += 1;
    }
    assert!(
        checked >= 25,
        "expected the testdata files, found {checked}"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn spans_are_identical_with_crlf_bom_and_multibyte_text() {
    let mut seen = BTreeSet::new();
    for path in files(&["spans"]) {
        let bytes = fs::read(&path).unwrap();
        let lines = lines(&bytes);
        let p = lint_bytes("x.yaml", &bytes, &LintOptions::new(policy_of(&lines[0])));
        let d = p
            .diagnostics
            .iter()
            .find(|d| d.rule == "privileged")
            .unwrap_or_else(|| panic!("{}: no privileged finding", path.display()));
        // `privileged` follows `"note": "<text>"` in a flow mapping, so its column counts the
        // characters of the text before it, never bytes.
        let line = &lines[d.line as usize - 1];
        let byte = line.find("privileged: true").unwrap();
        let col = line[..byte].chars().count() as u32 + 1;
        assert_eq!(d.column, col, "{}", path.display());
        assert_eq!(d.end_column, col + "privileged: true".len() as u32);
        seen.insert((
            d.line,
            path.file_name()
                .unwrap()
                .to_string_lossy()
                .contains("multi"),
        ));
    }
    // All variants report the same line.
    assert_eq!(
        seen.iter().map(|(l, _)| *l).collect::<BTreeSet<_>>().len(),
        1
    );
}

#[test]
fn helm_findings_name_their_template() {
    let path = testdata().join("helm/rendered.yaml");
    let p = lint_bytes(
        "rendered.yaml",
        &fs::read(path).unwrap(),
        &LintOptions::new(Policy::forced(Level::Restricted, Version::Latest)),
    );
    assert!(!p.diagnostics.is_empty());
    for d in &p.diagnostics {
        assert_eq!(d.origin.as_deref(), Some("shop/templates/deployment.yaml"));
    }
    assert_eq!(p.summary.pod_templates, 2);
    assert_eq!(p.summary.objects, 5);
}
