//! The README's examples are what psslint prints: every fenced block that follows a comment
//!
//! ```text
//! <!-- checked: psslint ARGS -->            the block is the whole output
//! <!-- checked excerpt: psslint ARGS -->    the block is a part of it
//! <!-- checked in=DIR: psslint ARGS -->     run in DIR (relative to the crate)
//! ```
//!
//! is compared with the output of that command, run from the crate's directory. In text, a line
//! that is only `⋮`, `…` or `...` stands for lines left out, and `…` inside a line for text left
//! out (so `(…)` shortens a long verdict); a leading `$ ` line shows the command and is skipped.
//! A JSON block must be a part of the real JSON: its objects' keys with the same values, its
//! arrays' elements in the same order (others may come between); an excerpt may be any value
//! inside it (one SARIF result, say).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const CRATE: &str = env!("CARGO_MANIFEST_DIR");

#[derive(Debug)]
struct Example {
    /// The README line of the comment.
    line: usize,
    excerpt: bool,
    dir: PathBuf,
    args: Vec<String>,
    lang: String,
    body: Vec<String>,
}

/// Every checked example of `text`.
fn examples(text: &str) -> Vec<Example> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(spec) = lines[i]
            .trim()
            .strip_prefix("<!-- checked")
            .and_then(|s| s.strip_suffix("-->"))
        else {
            i += 1;
            continue;
        };
        let (options, command) = spec.split_once(':').unwrap_or_else(|| {
            panic!(
                "README:{}: `<!-- checked[ options]: psslint ... -->`",
                i + 1
            )
        });
        let mut excerpt = false;
        let mut dir = PathBuf::from(CRATE);
        for option in options.split_whitespace() {
            match option {
                "excerpt" => excerpt = true,
                o if o.starts_with("in=") => dir = dir.join(&o[3..]),
                o => panic!("README:{}: unknown option {o}", i + 1),
            }
        }
        let words = shell_words(command.trim());
        assert_eq!(
            words.first().map(String::as_str),
            Some("psslint"),
            "README:{}",
            i + 1
        );
        let fence_at = i + 1;
        let fence = lines.get(fence_at).copied().unwrap_or_default();
        let ticks = fence.len() - fence.trim_start_matches('`').len();
        assert!(
            ticks >= 3,
            "README:{}: no code block after the comment",
            i + 1
        );
        let close = "`".repeat(ticks);
        let end = (fence_at + 1..lines.len())
            .find(|&j| lines[j].trim_end() == close)
            .unwrap_or_else(|| panic!("README:{}: unclosed block", fence_at + 1));
        let mut body: Vec<String> = lines[fence_at + 1..end]
            .iter()
            .map(|l| l.to_string())
            .collect();
        if body.first().is_some_and(|l| l.starts_with("$ ")) {
            body.remove(0);
        }
        out.push(Example {
            line: i + 1,
            excerpt,
            dir,
            args: words[1..].to_vec(),
            lang: fence[ticks..].trim().to_string(),
            body,
        });
        i = end + 1;
    }
    out
}

/// Words of a command line: split at spaces, with '…' and "…" grouping.
fn shell_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quote: Option<char> = None;
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.get_or_insert_with(String::new).push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                word.get_or_insert_with(String::new);
            }
            (None, c) if c.is_whitespace() => words.extend(word.take()),
            (None, c) => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    words
}

fn is_elision(line: &str) -> bool {
    matches!(line.trim(), "⋮" | "…" | "...")
}

/// `shown` is `real`, or `real` with text left out where `shown` has `…`.
fn line_matches(shown: &str, real: &str) -> bool {
    let (shown, real) = (shown.trim_end(), real.trim_end());
    if !shown.contains('…') {
        return shown == real;
    }
    let parts: Vec<&str> = shown.split('…').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !real.starts_with(first) || real.len() < first.len() + last.len() || !real.ends_with(last) {
        return false;
    }
    let mut rest = &real[first.len()..real.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

fn segment_at(segment: &[String], real: &[&str], at: usize) -> bool {
    at + segment.len() <= real.len()
        && segment
            .iter()
            .zip(&real[at..])
            .all(|(s, r)| line_matches(s, r))
}

/// Whether the text block `shown` is the output `real` (see the module docs).
fn text_matches(shown: &[String], real: &str, excerpt: bool) -> Result<(), String> {
    let mut real: Vec<&str> = real.lines().collect();
    while real.last().is_some_and(|l| l.trim().is_empty()) {
        real.pop();
    }
    let mut shown: Vec<String> = shown.to_vec();
    while shown.last().is_some_and(|l| l.trim().is_empty()) {
        shown.pop();
    }
    let segments: Vec<Vec<String>> = shown
        .split(|l| is_elision(l))
        .map(<[String]>::to_vec)
        .collect();
    let open_start = excerpt || shown.first().is_some_and(|l| is_elision(l));
    let open_end = excerpt || shown.last().is_some_and(|l| is_elision(l));
    let mut at = 0;
    for (k, segment) in segments.iter().enumerate() {
        if segment.is_empty() {
            continue;
        }
        let last = k + 1 == segments.len();
        let found = if k == 0 && !open_start {
            segment_at(segment, &real, 0).then_some(0)
        } else if last && !open_end {
            let start = real.len().checked_sub(segment.len());
            start.filter(|&s| s >= at && segment_at(segment, &real, s))
        } else {
            (at..real.len()).find(|&s| segment_at(segment, &real, s))
        };
        match found {
            Some(s) => at = s + segment.len(),
            None => {
                return Err(format!(
                    "this part is not in the output{}:\n{}",
                    if last && !open_end {
                        " (at its end)"
                    } else {
                        ""
                    },
                    segment.join("\n")
                ))
            }
        }
    }
    if !open_end && at != real.len() {
        return Err("the output goes on after the block".into());
    }
    Ok(())
}

/// Whether `shown` is a part of `real`: see the module docs.
fn json_part(shown: &Value, real: &Value) -> bool {
    match (shown, real) {
        (Value::Object(s), Value::Object(r)) => s
            .iter()
            .all(|(k, v)| r.get(k).is_some_and(|rv| json_part(v, rv))),
        (Value::Array(s), Value::Array(r)) => {
            let mut rest = r.iter();
            s.iter().all(|sv| rest.any(|rv| json_part(sv, rv)))
        }
        (Value::String(s), Value::String(r)) => line_matches(s, r),
        (s, r) => s == r,
    }
}

/// Whether `shown` is a part of `real` or of any value inside it.
fn json_part_anywhere(shown: &Value, real: &Value) -> bool {
    json_part(shown, real)
        || match real {
            Value::Object(m) => m.values().any(|v| json_part_anywhere(shown, v)),
            Value::Array(a) => a.iter().any(|v| json_part_anywhere(shown, v)),
            _ => false,
        }
}

fn run(example: &Example) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_psslint"))
        .args(&example.args)
        .current_dir(&example.dir)
        .env_remove("GITHUB_STEP_SUMMARY")
        .env("NO_COLOR", "1")
        .output()
        .expect("psslint runs");
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn check(example: &Example) -> Result<(), String> {
    let real = run(example);
    if example.lang == "json" {
        let shown: Value = serde_json::from_str(&example.body.join("\n"))
            .map_err(|e| format!("the block is not JSON: {e}"))?;
        let real: Value =
            serde_json::from_str(&real).map_err(|e| format!("the output is not JSON: {e}"))?;
        let ok = if example.excerpt {
            json_part_anywhere(&shown, &real)
        } else {
            json_part(&shown, &real)
        };
        return if ok {
            Ok(())
        } else {
            Err(format!(
                "the block is not a part of the output:\n{}",
                serde_json::to_string_pretty(&real).unwrap_or_default()
            ))
        };
    }
    text_matches(&example.body, &real, example.excerpt)
        .map_err(|e| format!("{e}\n--- output:\n{real}"))
}

#[test]
fn readme_examples_are_what_psslint_prints() {
    let readme = std::fs::read_to_string(Path::new(CRATE).join("README.md")).expect("README");
    let examples = examples(&readme);
    // The quick start, each output format, the plan and a notice, at least.
    assert!(examples.len() >= 10, "{} checked examples", examples.len());
    let failures: Vec<String> = examples
        .iter()
        .filter_map(|e| {
            check(e)
                .err()
                .map(|why| format!("README.md:{} (psslint {}): {why}", e.line, e.args.join(" ")))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_first_example_is_the_start_of_the_quick_start_output() {
    let readme = std::fs::read_to_string(Path::new(CRATE).join("README.md")).expect("README");
    let first = examples(&readme).into_iter().next().expect("an example");
    assert_eq!(first.args, ["testdata/examples/web.yaml"]);
    assert!(!first.excerpt && !first.body.first().is_some_and(|l| is_elision(l)));
}

#[test]
fn the_matcher_tells_parts_from_differences() {
    let real = "a\nb\nc\nd\n";
    let lines = |s: &str| s.lines().map(str::to_string).collect::<Vec<_>>();
    assert!(text_matches(&lines("a\nb\nc\nd"), real, false).is_ok());
    assert!(text_matches(&lines("a\n⋮\nd"), real, false).is_ok());
    assert!(
        text_matches(&lines("a\n⋮\nc"), real, false).is_err(),
        "not the end"
    );
    assert!(
        text_matches(&lines("b\n⋮\nd"), real, false).is_err(),
        "not the start"
    );
    assert!(text_matches(&lines("b\nc"), real, true).is_ok());
    assert!(text_matches(&lines("c\nb"), real, true).is_err(), "order");
    assert!(line_matches("privileged (…)", "privileged (container x)"));
    assert!(line_matches("a…c…e", "abcde"));
    assert!(!line_matches("a…c…e", "abde"));
    assert!(!line_matches("ab…ba", "aba"));
    let real: Value =
        serde_json::json!({"a": 1, "b": [{"x": 1, "y": 2}, {"x": 3}], "c": "long text"});
    assert!(json_part(
        &serde_json::json!({"b": [{"x": 3}], "c": "long…"}),
        &real
    ));
    assert!(!json_part(
        &serde_json::json!({"b": [{"x": 3}, {"x": 1}]}),
        &real
    ));
    assert!(json_part_anywhere(&serde_json::json!({"y": 2}), &real));
    assert_eq!(
        shell_words(r#"psslint notices --contact "Platform team <p@x>" ."#),
        [
            "psslint",
            "notices",
            "--contact",
            "Platform team <p@x>",
            "."
        ]
    );
}
