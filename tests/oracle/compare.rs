//! Running the Go oracle (tools/yaml-oracle) and comparing its documents with psslint's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use psslint::manifest::decode::decode;
use psslint::manifest::json::decode_stream;
use psslint::manifest::yaml::ParseOptions;
use psslint::model::problem::InputRule;

/// What the oracle printed for one document (or stream position).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct GoRecord {
    pub file: String,
    pub doc: Option<usize>,
    pub line: u32,
    pub json: Option<String>,
    pub error: Option<String>,
    pub strict_error: Option<String>,
    #[serde(default)]
    pub ambiguous_keys: Vec<String>,
    pub separator_error: Option<String>,
    #[serde(default)]
    pub json_stream: bool,
}

/// The oracle binary, built once per test process; `Err` says why it cannot be (no Go, no
/// Debian packages).
pub fn oracle() -> Result<&'static Path, String> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let root = Path::new(env!("CARGO_MANIFEST_DIR"));
            // In CI (.ci/run installs them) a missing toolchain is a failure, not a skip.
            let missing = |why: String| {
                if std::env::var_os("CI").is_some() {
                    panic!("CI is set but the YAML oracle cannot be built: {why}");
                }
                Err(why)
            };
            if Command::new("go").arg("version").output().is_err() {
                return missing(
                    "`go` is not installed (tools/yaml-oracle/build.sh --install)".into(),
                );
            }
            for dir in ["gopkg.in/yaml.v2", "sigs.k8s.io/yaml"] {
                if !Path::new("/usr/share/gocode/src").join(dir).is_dir() {
                    return missing(format!(
                        "/usr/share/gocode/src/{dir} is missing (Debian's golang-gopkg-yaml.v2-dev \
                         and golang-k8s-sigs-yaml-dev; tools/yaml-oracle/build.sh --install)"
                    ));
                }
            }
            let out = root.join("target").join("yaml-oracle");
            let status = Command::new("bash")
                .arg(root.join("tools/yaml-oracle/build.sh"))
                .arg(&out)
                .status()
                .map_err(|e| format!("cannot run build.sh: {e}"))?;
            if !status.success() {
                // The tools are there, so a failed build is a real failure.
                panic!("tools/yaml-oracle/build.sh failed: {status}");
            }
            Ok(out)
        })
        .as_ref()
        .map(PathBuf::as_path)
        .map_err(Clone::clone)
}

/// Runs the oracle over `files` (in batches), grouped by file.
pub fn run_oracle(files: &[PathBuf]) -> BTreeMap<String, Vec<GoRecord>> {
    let bin = oracle().expect("oracle available");
    let mut by_file: BTreeMap<String, Vec<GoRecord>> = BTreeMap::new();
    for batch in files.chunks(400) {
        let out = Command::new(bin)
            .args(batch)
            .output()
            .expect("run yaml-oracle");
        assert!(
            out.status.success(),
            "yaml-oracle failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        for line in out.stdout.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let r: GoRecord = serde_json::from_slice(line).expect("oracle output is JSON");
            by_file.entry(r.file.clone()).or_default().push(r);
        }
    }
    by_file
}

/// psslint's reading of one document, reduced to what is compared.
#[derive(Debug, Clone)]
pub struct OurDoc {
    pub line: u32,
    pub json: Option<String>,
    /// Error-severity problems that mean the API server would not get this document as
    /// decoded (everything but `duplicate-key`, which is reported as a finding while the
    /// decoded value is kept, as kubectl keeps it).
    pub rejects: Vec<String>,
    pub duplicate: bool,
}

/// psslint's documents of a file, or the file-level problem (encoding).
pub fn ours(bytes: &[u8]) -> Result<(Vec<OurDoc>, Vec<u32>), String> {
    let text = decode(bytes).map_err(|p| p.message)?;
    let (docs, stream) = decode_stream(text, &ParseOptions::default());
    let separators = stream
        .iter()
        .filter(|p| p.rule == InputRule::InvalidSeparator)
        .filter_map(|p| p.span.map(|s| s.start.line))
        .collect();
    let docs = docs
        .into_iter()
        .map(|d| OurDoc {
            line: d.start_line,
            rejects: d
                .problems
                .iter()
                .filter(|p| p.rule.is_error() && p.rule != InputRule::DuplicateKey)
                .map(|p| format!("{}: {}", p.rule.id(), p.message))
                .collect(),
            duplicate: d.problems.iter().any(|p| p.rule == InputRule::DuplicateKey),
            json: d.json,
        })
        .collect();
    Ok((docs, separators))
}

/// One disagreement between psslint and the oracle.
#[derive(Debug, Clone)]
pub struct Difference {
    pub file: String,
    pub line: u32,
    pub kind: &'static str,
    pub detail: String,
}

/// Compares one file's documents.
pub fn compare(file: &str, bytes: &[u8], go: &[GoRecord]) -> Vec<Difference> {
    let mut diffs = Vec::new();
    let mut push = |line: u32, kind: &'static str, detail: String| {
        diffs.push(Difference {
            file: file.to_owned(),
            line,
            kind,
            detail,
        })
    };
    let (docs, separators) = match ours(bytes) {
        Ok(x) => x,
        Err(problem) => {
            // psslint refuses the file (not UTF-8 text); the API server must not accept any
            // of it either for this to agree.
            if let Some(r) = go.iter().find(|r| r.json.is_some()) {
                push(r.line, "file refused by psslint only", problem);
            }
            return diffs;
        }
    };
    let go_separators: Vec<u32> = go
        .iter()
        .filter(|r| r.separator_error.is_some())
        .map(|r| r.line)
        .collect();
    if go_separators != separators {
        push(
            go_separators
                .first()
                .or(separators.first())
                .copied()
                .unwrap_or(1),
            "separator errors differ",
            format!("oracle at lines {go_separators:?}, psslint at {separators:?}"),
        );
    }
    let go_docs: BTreeMap<u32, &GoRecord> = go
        .iter()
        .filter(|r| r.doc.is_some())
        .map(|r| (r.line, r))
        .collect();
    // kubectl stops at the first error of a JSON stream: what follows is never sent, and
    // psslint (which then splits the stream as YAML) may read it as it likes.
    let json_abort = go
        .iter()
        .find(|r| r.json_stream && r.error.is_some())
        .map(|r| r.line);
    let json_stream = go.iter().any(|r| r.json_stream);
    let our_docs: BTreeMap<u32, &OurDoc> = docs
        .iter()
        .filter(|d| json_abort.is_none_or(|at| d.line < at))
        .map(|d| (d.line, d))
        .collect();
    // Pair documents by their first line; what is left on both sides pairs up in order (the
    // two count a JSON stream's or a byte order mark's first line differently).
    let mut pairs: Vec<(u32, &GoRecord, &OurDoc)> = Vec::new();
    let mut go_left = Vec::new();
    for (&line, &g) in &go_docs {
        if json_abort.is_some_and(|at| line >= at) {
            continue;
        }
        match our_docs.get(&line) {
            Some(&o) => pairs.push((line, g, o)),
            None => go_left.push((line, g)),
        }
    }
    let our_left: Vec<(u32, &OurDoc)> = our_docs
        .iter()
        .filter(|(line, _)| !go_docs.contains_key(line))
        .map(|(&l, &o)| (l, o))
        .collect();
    if go_left.len() == our_left.len() {
        pairs.extend(
            go_left
                .iter()
                .zip(&our_left)
                .map(|(&(l, g), &(_, o))| (l, g, o)),
        );
    } else {
        for (line, g) in &go_left {
            push(
                *line,
                "document only the oracle sees",
                format!("{:?}", g.json.as_ref().or(g.error.as_ref())),
            );
        }
        for (line, o) in &our_left {
            push(
                *line,
                "document only psslint sees",
                format!("{:?} {:?}", o.json, o.rejects),
            );
        }
    }
    for (line, g, o) in pairs {
        let we_accept = o.rejects.is_empty() && o.json.is_some();
        match (&g.json, we_accept) {
            (Some(gj), true) => {
                if !g.ambiguous_keys.is_empty() {
                    if !o.duplicate {
                        push(
                            line,
                            "ambiguous keys not reported",
                            format!("keys {:?} collide", g.ambiguous_keys),
                        );
                    }
                } else if o.duplicate && g.strict_error.is_none() {
                    push(
                        line,
                        "duplicate key go-yaml's strict decoding does not see",
                        excerpt(gj),
                    );
                } else if Some(gj) != o.json.as_ref() {
                    push(
                        line,
                        "decoded differently",
                        first_difference(gj, o.json.as_deref().unwrap_or("")),
                    );
                }
            }
            (Some(gj), false) => push(
                line,
                "psslint rejects, the API server accepts",
                format!("{}\noracle: {}", o.rejects.join("; "), excerpt(gj)),
            ),
            (None, true) if json_stream => push(
                line,
                "psslint accepts, the API server rejects",
                format!("json stream: {}", g.error.as_deref().unwrap_or("")),
            ),
            (None, true) => push(
                line,
                "psslint accepts, the API server rejects",
                format!(
                    "oracle: {}\npsslint: {}",
                    g.error.as_deref().unwrap_or(""),
                    excerpt(o.json.as_deref().unwrap_or(""))
                ),
            ),
            (None, false) => {}
        }
    }
    if json_stream && !separators.is_empty() {
        // kubectl has no separators in a JSON stream; psslint read this one as YAML.
        diffs.retain(|d| d.kind != "separator errors differ");
        diffs.push(Difference {
            file: file.to_owned(),
            line: separators[0],
            kind: "separator errors differ",
            detail: "json stream: psslint split it as YAML".to_owned(),
        });
    }
    diffs
}

/// Why a difference is expected, for the ones judged acceptable (psslint fails closed where
/// the API server would accept, by design) or known and not fixed yet; `None` for any other,
/// which fails the test. Each reason is in the lead's report.
pub fn known(d: &Difference, text: &str) -> Option<&'static str> {
    let detail = d.detail.as_str();
    if d.kind == "psslint rejects, the API server accepts" {
        if detail.starts_with("depth-limit") {
            return Some("judged: psslint stops at 255 nested levels, go-yaml at 10000");
        }
        if detail.contains("Unicode line or paragraph separator") {
            return Some("judged: LS/PS inside a value fail closed");
        }
        if detail.contains("byte order mark must not appear inside a document") {
            return Some("known: a byte order mark inside a document (go-yaml takes it as text)");
        }
        if detail.contains("invalid indentation in quoted scalar") {
            return Some("known: quoted continuation lines less indented than saphyr allows");
        }
        if detail.contains("wrongly indented line in block scalar") {
            return Some("known: block scalar indentation (YAML 1.1 vs 1.2 rules)");
        }
    }
    if detail.starts_with("json stream") {
        return Some("known: a stream starting with `{` is JSON to kubectl, YAML to psslint");
    }
    if d.kind == "psslint accepts, the API server rejects"
        && detail.contains("found character that cannot start any token")
        && text.contains('\t')
    {
        return Some("known: go-yaml rejects a tab after a block indicator (`-`, `?`, `:`)");
    }
    if d.kind == "psslint accepts, the API server rejects"
        && detail.contains("\npsslint: ")
        && !detail
            .split("\npsslint: ")
            .nth(1)
            .is_some_and(|j| j.starts_with(['{', '[']))
    {
        return Some(
            "known: a root scalar followed by more text (no object either way; go-yaml's scanner \
             reads one token further than saphyr)",
        );
    }
    None
}

fn excerpt(s: &str) -> String {
    if s.chars().count() > 300 {
        format!("{}…", s.chars().take(300).collect::<String>())
    } else {
        s.to_owned()
    }
}

/// Both texts around the first byte where they differ.
fn first_difference(go: &str, ours: &str) -> String {
    let at = go
        .bytes()
        .zip(ours.bytes())
        .position(|(a, b)| a != b)
        .unwrap_or(go.len().min(ours.len()));
    let window = |s: &str| {
        let mut from = at.saturating_sub(120);
        while !s.is_char_boundary(from) {
            from -= 1;
        }
        let mut to = (at + 80).min(s.len());
        while !s.is_char_boundary(to) {
            to += 1;
        }
        s.get(from..to).unwrap_or(s).to_owned()
    };
    format!("oracle:  …{}…\npsslint: …{}…", window(go), window(ours))
}
