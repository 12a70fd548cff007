//! The last check before a fixed file is written: it decodes to the same objects as before
//! (as the API server reads them) except at the fields the fixes edit.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::manifest::decode::decode;
use crate::manifest::json::decode_stream;
use crate::manifest::yaml::ParseOptions;
use crate::model::diagnostic::EditOp;
use crate::model::field::{FieldPath, Segment};

/// `Err` names the first change in `new` that no edit in `edits` explains (or a document that
/// appeared, went or stopped decoding).
pub fn same_except_edits(
    old: &[u8],
    new: &[u8],
    edits: &[(FieldPath, EditOp)],
) -> Result<(), String> {
    let docs = |b: &[u8]| -> Result<Vec<Option<String>>, String> {
        let text = decode(b).map_err(|p| p.message)?;
        Ok(decode_stream(text, &ParseOptions::default())
            .0
            .into_iter()
            .map(|d| d.json)
            .collect())
    };
    let (a, b) = (docs(old)?, docs(new)?);
    if a.len() != b.len() {
        return Err(format!("{} documents became {}", a.len(), b.len()));
    }
    for (x, y) in a.iter().zip(&b) {
        let (x, y) = match (x, y) {
            (Some(x), Some(y)) => (x, y),
            (None, None) => continue,
            _ => return Err("a document stopped decoding".to_string()),
        };
        let (x, y): (Value, Value) = (
            serde_json::from_str(x).map_err(|e| e.to_string())?,
            serde_json::from_str(y).map_err(|e| e.to_string())?,
        );
        let mut changed = Vec::new();
        differences(&x, &y, &mut Vec::new(), &mut changed);
        if let Some(c) = changed
            .iter()
            .find(|c| !edits.iter().any(|(p, op)| explains(c, p, op)))
        {
            return Err(format!("{c} changed, but no fix edits it"));
        }
    }
    Ok(())
}

/// The paths where two JSON values differ (a missing or extra key or item, or another value).
pub fn differences(a: &Value, b: &Value, at: &mut Vec<Segment>, out: &mut Vec<FieldPath>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                at.push(Segment::Key(k.clone()));
                match (x.get(k), y.get(k)) {
                    (Some(v), Some(w)) => differences(v, w, at, out),
                    _ => out.push(FieldPath(at.clone())),
                }
                at.pop();
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            for i in 0..x.len().max(y.len()) {
                at.push(Segment::Index(i));
                match (x.get(i), y.get(i)) {
                    (Some(v), Some(w)) => differences(v, w, at, out),
                    _ => out.push(FieldPath(at.clone())),
                }
                at.pop();
            }
        }
        _ if a != b => out.push(FieldPath(at.clone())),
        _ => {}
    }
}

/// Whether a change at `changed` is one that carrying out `op` on `path` makes: at, under or
/// above the field; a sibling key for a replaced entry; the later items of a list an item
/// left.
pub fn explains(changed: &FieldPath, path: &FieldPath, op: &EditOp) -> bool {
    let (c, p) = (changed.segments(), path.segments());
    if c.starts_with(p) || p.starts_with(c) {
        return true;
    }
    let parent = &p[..p.len().saturating_sub(1)];
    match (op, p.last()) {
        (EditOp::ReplaceEntry { .. }, _) => c.len() == p.len() && c.starts_with(parent),
        (EditOp::Remove, Some(Segment::Index(i))) => {
            c.starts_with(parent)
                && matches!(c.get(parent.len()), Some(Segment::Index(j)) if j >= i)
        }
        // A list's only item gone takes the list's entry with it.
        (EditOp::Remove, _) => false,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_outside_the_edits_is_caught() {
        let old = b"a: 1\nb: {c: true}\n";
        let edits = vec![(FieldPath::parse("b.c"), EditOp::Set("false".into()))];
        assert!(same_except_edits(old, b"a: 1\nb: {c: false}\n", &edits).is_ok());
        let e = same_except_edits(old, b"a: 2\nb: {c: false}\n", &edits).unwrap_err();
        assert!(e.contains("a changed"), "{e}");
        assert!(same_except_edits(old, b"a: 1\n---\nb: 1\n", &edits).is_err());
    }
}
