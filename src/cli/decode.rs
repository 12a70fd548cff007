//! `psslint decode FILE...`: each document as the JSON object the API server receives, so that
//! a surprising verdict can be traced to what the server actually reads (`privileged: yes` is
//! `true`, `runAsUser: 0777` is 511, a merge key's values win over the keys written before it).
//!
//! One JSON line per document that kubectl would send (empty and `null` documents are left
//! out, as kubectl leaves them out), in file order:
//!
//! ```text
//! {"file":"pod.yaml","line":1,"object":{…}}
//! {"file":"pod.yaml","line":9,"problems":[{"rule":"parse-error","severity":"error","line":11,"column":3,"message":"…"}]}
//! ```
//!
//! `object` is the decoded document (keys sorted, numbers as kubectl re-encodes them); it is
//! missing when the document cannot be sent. `problems` lists what psslint reports about the
//! document's YAML (duplicate keys, values JSON cannot carry, syntax errors); a problem of the
//! stream itself (an invalid `---` line) gets a record of its own. `kind: List` documents are
//! printed whole (kubectl sends their items one by one).
//!
//! Exit code: 0, 1 when a problem is an error, 2 when a file cannot be read.

use std::io::{self, Write};

use serde_json::json;

use super::args::DecodeArgs;
use super::{EXIT_FINDINGS, EXIT_OK, EXIT_TROUBLE};
use crate::input::read::{read, ReadLimits, Source};
use crate::input::Input;
use crate::lint::options::DEFAULT_MAX_FILE_SIZE;
use crate::manifest::decode::decode;
use crate::manifest::json::decode_stream;
use crate::manifest::yaml::ParseOptions;
use crate::model::problem::LoadProblem;

pub fn run(args: DecodeArgs) -> u8 {
    let mut code = EXIT_OK;
    let mut out = io::stdout().lock();
    for path in &args.paths {
        let input = if path.as_os_str() == "-" {
            Input::Stdin
        } else {
            Input::File(path.clone())
        };
        let name = input.display();
        let bytes = match read_all(&input) {
            Ok(bytes) => bytes,
            Err(problem) => {
                eprintln!("psslint: {name}: {}", problem.message);
                code = EXIT_TROUBLE;
                continue;
            }
        };
        let (lines, failed) = records(&name, &bytes);
        for l in lines {
            let _ = writeln!(out, "{l}");
        }
        if failed && code == EXIT_OK {
            code = EXIT_FINDINGS;
        }
    }
    if out.flush().is_err() {
        return EXIT_TROUBLE;
    }
    code
}

/// The output lines of one input, and whether a problem is an error.
fn records(name: &str, bytes: &[u8]) -> (Vec<String>, bool) {
    let text = match decode(bytes) {
        Ok(text) => text,
        Err(problem) => return (vec![record(name, 1, None, &[problem])], true),
    };
    let (docs, stream) = decode_stream(text, &ParseOptions::default());
    let mut lines: Vec<(u32, String)> = Vec::new();
    for p in &stream {
        let line = p.span.map_or(1, |s| s.start.line);
        lines.push((line, record(name, line, None, std::slice::from_ref(p))));
    }
    for d in &docs {
        lines.push((
            d.start_line,
            record(name, d.start_line, d.json.as_deref(), &d.problems),
        ));
    }
    lines.sort_by_key(|(line, _)| *line);
    let failed = stream
        .iter()
        .chain(docs.iter().flat_map(|d| &d.problems))
        .any(|p| p.rule.is_error());
    (lines.into_iter().map(|(_, l)| l).collect(), failed)
}

/// The whole input in memory (decoding is for one file at a time; no streaming needed).
fn read_all(input: &Input) -> Result<Vec<u8>, LoadProblem> {
    match read(input, &ReadLimits::new(DEFAULT_MAX_FILE_SIZE))? {
        Source::Bytes(bytes) => Ok(bytes),
        Source::Stream(mut file) => {
            let mut bytes = Vec::new();
            io::Read::read_to_end(&mut file, &mut bytes)
                .map_err(|e| LoadProblem::from(format!("cannot read: {e}")))?;
            Ok(bytes)
        }
    }
}

/// One output line. `object` is canonical JSON text already.
fn record(file: &str, line: u32, object: Option<&str>, problems: &[LoadProblem]) -> String {
    let mut s = format!("{{\"file\":{},\"line\":{line}", json!(file));
    if let Some(object) = object {
        s.push_str(",\"object\":");
        s.push_str(object);
    }
    if !problems.is_empty() {
        let problems: Vec<_> = problems
            .iter()
            .map(|p| {
                let (line, column) = p
                    .span
                    .map_or((None, None), |s| (Some(s.start.line), Some(s.start.col)));
                json!({
                    "rule": p.rule.id(),
                    "severity": if p.rule.is_error() { "error" } else { "warning" },
                    "line": line,
                    "column": column,
                    "message": p.message,
                })
            })
            .collect();
        s.push_str(",\"problems\":");
        s.push_str(&serde_json::Value::Array(problems).to_string());
    }
    s.push('}');
    s
}
