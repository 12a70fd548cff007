//! Concrete fixes: the YAML to add or change at the reported spot, indented to sit among the
//! keys already there.
//!
//! Each fix also carries its edits (one per offending field, so a fix clears every field its
//! finding reports) and an applicability: `psslint --fix` (src/fix/) applies `automatic` fixes,
//! `unsafe` ones only with `--unsafe-fixes`, and never `manual` ones. Most Pod Security fixes
//! change runtime behaviour (running as non-root, dropping capabilities), so they are unsafe
//! and their descriptions say what to verify.

use super::locate::Resolved;
use crate::manifest::{Node, Value};
use crate::model::diagnostic::{Applicability, EditOp, FieldEdit, Fix};
use crate::model::field::{FieldPath, Segment};
use crate::pss::Remedy;

/// How `--fix` treats a check's fixes (`psslint rule ID` says the same).
pub fn applicability(check: &str) -> Applicability {
    match check {
        // Taking away privileges that practically no workload relies on.
        "allowPrivilegeEscalation"
        | "seccompProfile_baseline"
        | "seccompProfile_restricted"
        | "appArmorProfile"
        | "procMount"
        | "procMount_restricted" => Applicability::Automatic,
        _ => Applicability::Unsafe,
    }
}

/// The edit that carries out `remedy` on the field at `path`.
fn edit_for(check: &str, path: &FieldPath, remedy: &Remedy) -> FieldEdit {
    let segs = path.segments();
    let op = match remedy {
        // A forbidden volume source is swapped for an empty directory.
        Remedy::Remove if matches!(check, "hostPathVolumes" | "restrictedVolumes") => {
            EditOp::ReplaceEntry {
                key: "emptyDir".to_string(),
                value: "{}".to_string(),
            }
        }
        // An unsafe sysctl goes as a whole list item, not just its name.
        Remedy::Remove
            if check == "sysctls"
                && matches!(segs.last(), Some(Segment::Key(k)) if k == "name")
                && matches!(segs.iter().rev().nth(1), Some(Segment::Index(_))) =>
        {
            return FieldEdit {
                path: FieldPath(segs[..segs.len() - 1].to_vec()),
                op: EditOp::Remove,
            };
        }
        Remedy::Set(v) => EditOp::Set(v.clone()),
        Remedy::OneOf(vs) => EditOp::Set(vs.first().cloned().unwrap_or_default()),
        Remedy::AddItem(item) => EditOp::AddItem(item.clone()),
        Remedy::RemoveItems(items) => EditOp::RemoveItems(items.clone()),
        Remedy::Remove => EditOp::Remove,
    };
    FieldEdit {
        path: path.clone(),
        op,
    }
}

/// One offending field of a finding: its full path, its resolution, what would make it
/// compliant and the container it belongs to.
pub struct FieldFix<'a, 'n> {
    pub path: &'a FieldPath,
    pub res: &'a Resolved<'n>,
    pub remedy: &'a Remedy,
    pub container: Option<&'a str>,
}

/// The fix for every offending field of one finding: the first field's description, the
/// containers that need the same change, the descriptions of the other changes; the YAML of
/// each distinct change; and one edit per field.
pub fn fix_for_fields<'a, 'n: 'a>(
    check: &str,
    fields: impl IntoIterator<Item = FieldFix<'a, 'n>>,
) -> Option<Fix> {
    let mut combined: Option<Fix> = None;
    // Descriptions with the container's name blanked out, and the containers of each.
    let mut seen: Vec<(String, Vec<String>)> = Vec::new();
    // The YAML is for the reported spot: fields elsewhere (another container, another volume)
    // are fixed by the edits and named in the description, but their YAML would not fit there.
    let mut yamls: Vec<String> = Vec::new();
    let mut spot: Option<Vec<crate::model::field::Segment>> = None;
    for f in fields {
        let parent = f.path.0[..f.path.0.len().saturating_sub(1)].to_vec();
        let here = spot.get_or_insert_with(|| parent.clone()) == &parent;
        let one = fix_for(check, f.path, f.res, f.remedy, f.container);
        let blank = match f.container {
            Some(c) => one.description.replace(&format!("\"{c}\""), "\"\u{0}\""),
            None => one.description.clone(),
        };
        let container = f.container.map(str::to_owned);
        match seen.iter_mut().find(|(d, _)| *d == blank) {
            Some((_, cs)) => cs.extend(container),
            None => seen.push((blank, container.into_iter().collect())),
        }
        if here && !one.yaml.is_empty() && !yamls.contains(&one.yaml) {
            yamls.push(one.yaml.clone());
        }
        match &mut combined {
            None => combined = Some(one),
            Some(c) => {
                c.edits.extend(one.edits);
                if c.applicability == Applicability::Automatic {
                    c.applicability = one.applicability;
                }
            }
        }
    }
    let mut fix = combined?;
    fix.description = seen
        .iter()
        .map(|(d, cs)| {
            let quoted: Vec<String> = cs.iter().map(|c| format!("\"{c}\"")).collect();
            match quoted.len() {
                0 => d.clone(),
                1 => d.replace("\"\u{0}\"", &quoted[0]),
                _ => d.replace(
                    "container \"\u{0}\"",
                    &format!("containers {}", quoted.join(", ")),
                ),
            }
        })
        .collect::<Vec<_>>()
        .join("; also: ");
    fix.yaml = yamls.join("\n");
    Some(fix)
}

/// root, `res` its resolution in the tree, `container` the container it belongs to.
pub fn fix_for(
    check: &str,
    path: &FieldPath,
    res: &Resolved<'_>,
    remedy: &Remedy,
    container: Option<&str>,
) -> Fix {
    let (description, yaml) = describe(check, path, res, remedy, container);
    let edit = edit_for(check, path, remedy);
    // A value the engine would have to invent is left to a person.
    let invented = matches!(&edit.op, EditOp::Set(v) if v.is_empty() || v.contains('<'));
    let (applicability, note, edits) = if invented {
        (
            Applicability::Manual,
            Some("the value to use depends on the workload".to_string()),
            Vec::new(),
        )
    } else {
        (applicability(check), None, vec![edit])
    };
    Fix {
        description,
        yaml,
        applicability,
        note,
        edits,
    }
}

/// The description and YAML of the fix for one field.
fn describe(
    check: &str,
    path: &FieldPath,
    res: &Resolved<'_>,
    remedy: &Remedy,
    container: Option<&str>,
) -> (String, String) {
    let segs = path.segments();
    let complete = res.is_complete(path);
    let leaf_key = path.last_key().unwrap_or("value");
    let place = match container {
        Some(c) => format!("container \"{c}\""),
        None => "the pod spec".to_string(),
    };
    let caveat = caveat(check);

    // Volumes: replace the forbidden source with an allowed one.
    if matches!(check, "hostPathVolumes" | "restrictedVolumes") {
        let col = res.key_span.map_or(1, |k| k.start.col);
        return (format!(
                "Replace the `{leaf_key}` source with an allowed volume type (configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected or secret){caveat}"
            ), indent("emptyDir: {}", col));
    }

    let (value, verb) = match remedy {
        Remedy::Set(v) => (Some(v.clone()), "Set"),
        Remedy::OneOf(vs) => (vs.first().cloned(), "Set"),
        Remedy::AddItem(item) => (
            Some(flow_list(existing_items(res, complete), Some(item), &[])),
            "Set",
        ),
        Remedy::RemoveItems(items) => (
            Some(flow_list(existing_items(res, complete), None, items)),
            "Set",
        ),
        Remedy::Remove => (None, "Remove"),
    };
    let alternatives = match remedy {
        Remedy::OneOf(vs) if vs.len() > 1 => format!(" (allowed: {})", vs.join(", ")),
        _ => String::new(),
    };

    let Some(value) = value else {
        let current = if complete {
            scalar_text(res.node)
        } else {
            String::new()
        };
        let shown = if current.is_empty() {
            format!("`{leaf_key}`")
        } else {
            format!("`{leaf_key}: {current}`")
        };
        let note = if complete {
            yaml11_note(res.node)
        } else {
            String::new()
        };
        return (
            format!("{verb} {shown} from {place}{note}{caveat}"),
            String::new(),
        );
    };

    if complete {
        let col = res.key_span.map_or(res.span.start.col, |k| k.start.col);
        let current = scalar_text(res.node);
        return (format!(
                "Change `{leaf_key}` from `{current}` to `{value}` in {place}{}{alternatives}{caveat}",
                yaml11_note(res.node)
            ), indent(&format!("{leaf_key}: {value}"), col));
    }

    // Missing: write the missing keys below the deepest existing mapping. A null or scalar
    // value on the way (`securityContext:` with nothing under it) is rewritten from its key.
    let mut start = res.found;
    let mut col = insertion_column(res.node, res.key_span);
    if res.node.as_map().is_none() && res.key_span.is_some() && start > 0 {
        start -= 1;
        col = res.key_span.map_or(1, |k| k.start.col);
    }
    let missing: Vec<&str> = segs[start..]
        .iter()
        .map_while(|s| match s {
            Segment::Key(k) => Some(k.as_str()),
            Segment::Index(_) => None,
        })
        .collect();
    let rel = missing.join(".");
    // Both checks accept one pod-level setting that covers every container.
    let pod_wide = match check {
        "runAsNonRoot" | "seccompProfile_restricted" if container.is_some() => {
            " (or set it once in the pod's `securityContext` to cover every container)"
        }
        _ => "",
    };
    (
        format!("Add `{rel}: {value}` to {place}{pod_wide}{alternatives}{caveat}"),
        indent(&nested_yaml(&missing, &value), col),
    )
}

/// Extra guidance for fixes that change how the workload runs.
fn caveat(check: &str) -> &'static str {
    match check {
        "runAsNonRoot" => "; the image must then run as a non-root UID (set runAsUser if its USER is root or unset)",
        "runAsUser" => "; use a non-zero UID that the image supports",
        "capabilities_restricted" | "capabilities_baseline" => {
            "; verify the process does not need the removed capabilities"
        }
        "allowPrivilegeEscalation" => "; setuid binaries (e.g. sudo) stop gaining privileges",
        "seccompProfile_restricted" | "seccompProfile_baseline" => {
            "; RuntimeDefault blocks a small set of rarely used syscalls"
        }
        _ => "",
    }
}

/// The column at which keys inside `node` sit (its first entry), or two more than its key.
fn insertion_column(node: &Node, key_span: Option<crate::model::source::Span>) -> u32 {
    if let Some(first) = node.as_map().and_then(|m| m.entries.first()) {
        return first.key_span.start.col;
    }
    key_span.map_or(node.span.start.col, |k| k.start.col + 2)
}

fn existing_items(res: &Resolved<'_>, complete: bool) -> Vec<String> {
    if !complete {
        return Vec::new();
    }
    res.node
        .as_seq()
        .map(|s| {
            s.iter()
                .filter_map(|n| n.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// `["A", "B"]`, with `add` appended and `remove` taken out.
fn flow_list(mut items: Vec<String>, add: Option<&String>, remove: &[String]) -> String {
    items.retain(|i| !remove.contains(i));
    if let Some(a) = add {
        if !items.contains(a) {
            items.push(a.clone());
        }
    }
    let quoted: Vec<String> = items.iter().map(|i| format!("\"{i}\"")).collect();
    format!("[{}]", quoted.join(", "))
}

fn nested_yaml(keys: &[&str], value: &str) -> String {
    let mut out = String::new();
    for (depth, k) in keys.iter().enumerate() {
        out.push_str(&"  ".repeat(depth));
        out.push_str(k);
        out.push(':');
        if depth + 1 == keys.len() {
            out.push(' ');
            out.push_str(value);
        } else {
            out.push('\n');
        }
    }
    out
}

/// Columns beyond this are not indentation but a position in a long line (minified JSON):
/// the fix is then shown unindented rather than padded with that many spaces per finding.
const MAX_FIX_INDENT: u32 = 256;

/// Indents every line so the block starts at 1-based column `col`.
fn indent(block: &str, col: u32) -> String {
    let col = if col > MAX_FIX_INDENT { 1 } else { col };
    let pad = " ".repeat(col.saturating_sub(1) as usize);
    block
        .lines()
        .map(|l| format!("{pad}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Explains a plain scalar that the API server reads differently from how it looks, e.g.
/// `yes` (a YAML 1.1 boolean) or `0777` (octal).
fn yaml11_note(node: &Node) -> String {
    let Some(raw) = node.raw.as_deref() else {
        return String::new();
    };
    match &node.value {
        Value::Bool(b) => {
            format!(" (`{raw}` is the YAML 1.1 boolean {b}, as the API server reads it)")
        }
        Value::Int(i) => format!(" (`{raw}` is the number {i}, as the API server reads it)"),
        Value::Float(f) => format!(" (`{raw}` is the number {f}, as the API server reads it)"),
        _ => String::new(),
    }
}

/// A short rendering of a node's value, as written when it was a surprising plain scalar.
fn scalar_text(node: &Node) -> String {
    if let Some(raw) = &node.raw {
        return crate::model::source::excerpt(raw, 80).into_owned();
    }
    match &node.value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Str(s) => format!("{:?}", crate::model::source::excerpt(s, 80)),
        Value::Seq(items) => {
            let parts: Vec<String> = items.iter().map(scalar_text).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Map(_) => "{…}".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_check_doc_says_how_its_fix_is_applied() {
        for r in crate::rules::all() {
            let how = match r.kind {
                crate::rules::RuleKind::Pss(_) => applicability(r.id),
                _ => Applicability::Manual,
            };
            let line = format!("- **Fix**: {}: ", how.as_str());
            assert!(r.markdown.contains(&line), "{}: lacks `{line}`", r.id);
        }
    }

    #[test]
    fn nested_yaml_indents_each_level() {
        assert_eq!(
            indent(
                &nested_yaml(&["securityContext", "runAsNonRoot"], "true"),
                9
            ),
            "        securityContext:\n          runAsNonRoot: true"
        );
    }

    #[test]
    fn a_column_deep_in_a_long_line_is_not_indentation() {
        assert_eq!(indent("a: 1", 3_000_000), "a: 1");
    }

    #[test]
    fn flow_list_adds_and_removes() {
        let items = vec!["NET_ADMIN".to_string(), "CHOWN".to_string()];
        assert_eq!(
            flow_list(items.clone(), None, &["NET_ADMIN".to_string()]),
            "[\"CHOWN\"]"
        );
        assert_eq!(
            flow_list(Vec::new(), Some(&"ALL".to_string()), &[]),
            "[\"ALL\"]"
        );
    }
}
