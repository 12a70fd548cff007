//! `--fix`: the edits of findings' fixes, applied as minimal text edits on the original bytes.
//!
//! Everything the edits do not touch stays byte for byte: comments, key order, quoting,
//! indentation, flow or block style, CRLF line breaks and a byte order mark. Edits are planned
//! per document against a fresh parse of the file ([`plan`]), checked for overlap and applied
//! back to front ([`edit`]); [`verify`] checks that the result decodes to the old objects
//! except at the edited fields; [`diff`] prints them as a unified diff and [`write`] replaces
//! a file atomically.
//!
//! The deliberate answers to the hard cases (README "--fix and --diff"):
//! * A field that comes through an anchor, alias or merge key is edited in the anchored text
//!   only when every user of that text is fixed the same way by this run; otherwise the fix is
//!   skipped with a note. An alias used as a scalar value (`privileged: *on`) is replaced by
//!   the value, which changes only that field; an anchored scalar (`&on true`) is never edited.
//! * Fixes whose edits overlap (`capabilities.drop` and `add` in one flow mapping) are applied
//!   one per round: the later one is deferred, the file is re-linted and fixed again.
//! * `allowPrivilegeEscalation: false` is not written next to `privileged: true` or an added
//!   `SYS_ADMIN` (the API server rejects the pair); it follows once those are fixed.
//! * A document rendered by Helm (a `# Source:` comment) is never edited: the fix belongs in
//!   the chart's template or values.
//! * A file with a parse or decoding problem is never edited.

pub mod diff;
pub mod edit;
pub mod plan;
pub mod verify;
pub mod write;

use std::collections::{BTreeSet, HashMap};

use crate::manifest::decode::{bom_len, decode, HEAD_LEN};
use crate::manifest::split::split_stream;
use crate::manifest::yaml::{parse_document, ParseOptions};
use crate::manifest::{Node, Value};
use crate::model::diagnostic::{Applicability, Diagnostic, FieldEdit};
use crate::model::field::Segment;
use crate::model::source::LineIndex;

use edit::EditSet;
use plan::{Doc, Planned};

/// Input rules whose presence in a file means it is never edited: psslint could not read it
/// exactly as the API server would.
pub const BLOCKING_RULES: &[&str] = &[
    "encoding",
    "io-error",
    "parse-error",
    "invalid-separator",
    "duplicate-key",
    "type-error",
    "unrendered-template",
    "ignored-content",
    "alias-limit",
    "depth-limit",
    "unencodable-value",
    "file-too-large",
    "special-file",
];

/// One field's planned edits (with its path), or why it cannot be edited.
type FieldPlan = Result<(String, Planned), String>;

/// Which fixes to apply.
#[derive(Debug, Clone, Copy, Default)]
pub struct FixOptions {
    /// Also apply fixes that can change how the workload runs.
    pub unsafe_fixes: bool,
}

/// What became of one finding's fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Applied,
    /// Not applied; why.
    Skipped(String),
    /// Its edits overlap another fix's: it is tried again after re-linting.
    Deferred,
}

/// The outcome for one file: its new bytes (when anything changed) and each finding's status,
/// in the order the findings were given.
#[derive(Debug, Clone)]
pub struct FileOutcome {
    pub fixed: Option<Vec<u8>>,
    pub statuses: Vec<Status>,
}

/// Whether a finding asks for a fix at all (a PSS finding that fails in enforce mode and is
/// not covered by an exception).
pub fn wants_fix(d: &Diagnostic) -> bool {
    d.fix.is_some()
        && d.severity == crate::model::diagnostic::Severity::Error
        && d.policy.mode == Some(crate::model::diagnostic::Mode::Enforce)
        && d.policy.exception.is_none()
}

/// Applies the fixes of `diags` (all findings of this file) to `bytes`.
pub fn fix_file(bytes: &[u8], diags: &[&Diagnostic], opts: FixOptions) -> FileOutcome {
    let all = |why: &str| FileOutcome {
        fixed: None,
        statuses: vec![Status::Skipped(why.to_string()); diags.len()],
    };
    let Ok(text) = decode(bytes) else {
        return all("the file is not UTF-8 text");
    };
    if let Some(d) = diags
        .iter()
        .find(|d| BLOCKING_RULES.contains(&d.rule.as_str()))
    {
        return all(&format!(
            "the file has a {} problem at line {}; psslint never edits a file it cannot read exactly",
            d.rule, d.line
        ));
    }
    let bom = bom_len(bytes.get(..HEAD_LEN).unwrap_or(bytes)).unwrap_or(0);
    let index = LineIndex::new(text);
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let (chunks, _) = split_stream(text);
    let mut statuses = vec![Status::Deferred; diags.len()];
    let mut set = EditSet::default();

    // Findings by document (the chunk their line falls in).
    let mut by_doc: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, d) in diags.iter().enumerate() {
        let Some(fix) = &d.fix else {
            statuses[i] = Status::Skipped("there is no fix".into());
            continue;
        };
        let skip = match fix.applicability {
            _ if fix.edits.is_empty() => Some(
                fix.note
                    .clone()
                    .unwrap_or_else(|| "this fix is for a person to apply".into()),
            ),
            Applicability::Manual => Some(fix.note.clone().unwrap_or_default()),
            Applicability::Unsafe if !opts.unsafe_fixes => Some(
                "unsafe: it can change how the workload runs; apply it with --unsafe-fixes after checking"
                    .into(),
            ),
            _ => None,
        };
        if let Some(why) = skip {
            statuses[i] = Status::Skipped(why);
            continue;
        }
        if let Some(origin) = &d.origin {
            statuses[i] = Status::Skipped(format!(
                "rendered by Helm from {origin}: fix the template or its values, not the rendered output"
            ));
            continue;
        }
        let chunk = chunks.iter().rposition(|c| c.start_line <= d.line);
        match chunk {
            Some(c) => by_doc.entry(c).or_default().push(i),
            None => statuses[i] = Status::Skipped("the finding's document was not found".into()),
        }
    }

    let mut docs: Vec<usize> = by_doc.keys().copied().collect();
    docs.sort_unstable();
    for c in docs {
        let chunk = &chunks[c];
        let members = &by_doc[&c];
        let parsed = parse_document(chunk.text, chunk.start_line, &ParseOptions::default());
        let root = match &parsed.root {
            Some(root) if !parsed.problems.iter().any(|p| p.rule.is_error()) => root,
            _ => {
                for &i in members {
                    statuses[i] = Status::Skipped("the document could not be parsed again".into());
                }
                continue;
            }
        };
        let doc = Doc {
            text,
            index: &index,
            root,
            json: chunk.text.trim_start().starts_with(['{', '[']),
            eol,
            step: indent_step(chunk.text),
        };
        // Plan every field's edits; then check that each anchored text is fixed for all of
        // its users. A field that cannot be edited leaves its finding standing, with the
        // reason; the finding's other fields are still fixed.
        let mut planned: Vec<(usize, Vec<FieldPlan>)> = Vec::new();
        for &i in members {
            let fix = diags[i].fix.as_ref().expect("members have fixes");
            let plans = fix
                .edits
                .iter()
                .map(|e| {
                    plan::plan(&doc, e)
                        .map(|p| (e.path.to_string(), p))
                        .map_err(|why| format!("cannot edit {}: {why}", e.path))
                })
                .collect();
            planned.push((i, plans));
        }
        let users = span_users(root);
        let mut requests: HashMap<plan::Identity, BTreeSet<&str>> = HashMap::new();
        for (_, plans) in &planned {
            for (_, p) in plans.iter().flatten() {
                requests.entry(p.identity).or_default().insert(&p.user);
            }
        }
        for (i, plans) in &planned {
            let mut skipped = None;
            let mut deferred = false;
            let fix = diags[*i].fix.as_ref().expect("members have fixes");
            for (edit, plan) in fix.edits.iter().zip(plans) {
                if let Some(why) = invalid_together(root, diags[*i].rule.as_str(), edit) {
                    skipped.get_or_insert(why);
                    continue;
                }
                let (path, p) = match plan {
                    Ok(ok) => ok,
                    Err(why) => {
                        skipped.get_or_insert_with(|| why.clone());
                        continue;
                    }
                };
                if users.get(&p.identity).copied().unwrap_or(1) > requests[&p.identity].len() {
                    skipped.get_or_insert_with(|| format!(
                        "{path} is written at line {} in text that an anchor shares with fields this run does not fix the same way; fix it by hand",
                        p.identity.0.start.line
                    ));
                    continue;
                }
                if !set.try_add(&p.edits) {
                    deferred = true;
                }
            }
            statuses[*i] = match (skipped, deferred) {
                (Some(why), _) => Status::Skipped(why),
                (None, true) => Status::Deferred,
                (None, false) => Status::Applied,
            };
        }
    }
    if set.is_empty() {
        return FileOutcome {
            fixed: None,
            statuses,
        };
    }
    let mut fixed = bytes[..bom].to_vec();
    fixed.extend_from_slice(set.apply(text).as_bytes());
    FileOutcome {
        fixed: (fixed != bytes).then_some(fixed),
        statuses,
    }
}

/// Why `edit` would make the object invalid for the API server, which rejects
/// `allowPrivilegeEscalation: false` next to `privileged: true` or an added `SYS_ADMIN`
/// (pod validation). Those are fixed first (unsafe fixes); this one follows on the next round.
fn invalid_together(root: &Node, rule: &str, edit: &FieldEdit) -> Option<String> {
    if rule != "allowPrivilegeEscalation" {
        return None;
    }
    let segs = edit.path.segments();
    let sc = get(root, &segs[..segs.len().saturating_sub(1)])?;
    let privileged = matches!(
        sc.get("privileged").map(|n| &n.value),
        Some(Value::Bool(true))
    );
    let sys_admin = sc
        .get("capabilities")
        .and_then(|c| c.get("add"))
        .and_then(Node::as_seq)
        .is_some_and(|add| {
            add.iter()
                .any(|c| matches!(c.as_str(), Some("SYS_ADMIN" | "CAP_SYS_ADMIN")))
        });
    let with = match (privileged, sys_admin) {
        (true, _) => "privileged: true",
        (false, true) => "an added SYS_ADMIN capability",
        (false, false) => return None,
    };
    Some(format!(
        "the API server rejects allowPrivilegeEscalation: false next to {with}: fix that first (an unsafe fix), then this one"
    ))
}

/// The node at `segs` from `root`.
fn get<'n>(root: &'n Node, segs: &[Segment]) -> Option<&'n Node> {
    let mut node = root;
    for seg in segs {
        node = match seg {
            Segment::Key(k) => node.get(k)?,
            Segment::Index(i) => node.as_seq()?.get(*i)?,
        };
    }
    Some(node)
}

/// How many tree positions hold each span (nodes and mapping keys): more than one means
/// anchored text that aliases or merge keys copy.
fn span_users(root: &Node) -> HashMap<plan::Identity, usize> {
    let mut users: HashMap<plan::Identity, usize> = HashMap::new();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        *users.entry((n.span, plan::kind(n))).or_default() += 1;
        if let Some(m) = n.as_map() {
            for e in &m.entries {
                *users.entry((e.key_span, plan::KEY)).or_default() += 1;
                stack.push(&e.value);
            }
        }
        if let Some(s) = n.as_seq() {
            stack.extend(s.iter());
        }
    }
    users
}

/// The document's indentation step: its smallest indentation, 2 when it has none.
fn indent_step(text: &str) -> usize {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .filter(|&n| n > 0)
        .min()
        .filter(|n| (1..=8).contains(n))
        .unwrap_or(2)
}
