//! Before/after YAML for one finding, cut from the real manifest: the lines around the finding
//! as they are, and the same lines with the finding's fix spliced in.
//!
//! The splice is textual and deliberately conservative: it edits block-style lines only. When
//! the spot is inside a flow collection (`securityContext: {privileged: true}`) or the key
//! has children below it, there is no honest "after" text, so none is given and the notice
//! shows the fix's YAML on its own.

use crate::model::diagnostic::{Diagnostic, Snippet};

/// The lines around a finding and, when the fix can be spliced in, the lines after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BeforeAfter {
    /// 1-based line number of the first line of `before`.
    pub first_line: u32,
    pub before: String,
    pub after: Option<String>,
}

/// Cuts the snippet of `d` and splices its fix.
pub fn before_after(d: &Diagnostic) -> Option<BeforeAfter> {
    let snippet = d.snippet.as_ref()?;
    let lines = trim_separators(snippet);
    if lines.is_empty() {
        return None;
    }
    let at = d.line.checked_sub(snippet.first_line)? as usize;
    let after = d
        .fix
        .as_ref()
        .and_then(|fix| splice(&lines, at, &fix.description, &fix.yaml));
    Some(BeforeAfter {
        first_line: snippet.first_line,
        before: lines.join("\n"),
        after: after.map(|l| l.join("\n")),
    })
}

/// The snippet's lines up to (not including) a document separator or a Helm `# Source:`
/// header: they belong to the next document.
fn trim_separators(snippet: &Snippet) -> Vec<&str> {
    snippet
        .lines
        .iter()
        .map(String::as_str)
        .take_while(|l| *l != "---" && !l.starts_with("# Source:"))
        .collect()
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The column where a block line's key starts (after a `- ` item marker).
fn key_column(line: &str) -> usize {
    let trimmed = line.trim_start();
    let item = trimmed
        .strip_prefix("- ")
        .map_or(0, |rest| trimmed.len() - rest.trim_start().len());
    indent_of(line) + item
}

/// The key of a block mapping line (`privileged` in `  privileged: true`, `name` in
/// `- name: web`), if it is one.
fn block_key(line: &str) -> Option<&str> {
    let content = line[key_column(line)..].trim_end();
    let (key, _) = content.split_once(':')?;
    (!key.is_empty() && !key.contains(['{', '[', ' ', '"', '\''])).then_some(key)
}

/// Whether a line opens a flow collection or holds a block scalar, where line edits are unsafe.
fn is_flow_or_scalar(line: &str) -> bool {
    let content = line.split_once(':').map_or(line, |(_, v)| v).trim();
    content.starts_with(['{', '[', '|', '>'])
        || line[key_column(line)..]
            .trim_start()
            .starts_with(['{', '['])
}

/// Whether the line at `at` has more-indented lines right below it (a key with children).
fn has_children(lines: &[&str], at: usize) -> bool {
    lines
        .get(at + 1)
        .is_some_and(|next| !next.trim().is_empty() && indent_of(next) > key_column(lines[at]))
}

fn splice<'a>(
    lines: &[&'a str],
    at: usize,
    description: &str,
    yaml: &'a str,
) -> Option<Vec<&'a str>> {
    let line = *lines.get(at)?;
    let key = block_key(line)?;
    if is_flow_or_scalar(line) && !matches!(description.split(' ').next(), Some("Replace")) {
        return None;
    }
    let fix: Vec<&str> = yaml.lines().filter(|l| !l.trim().is_empty()).collect();
    let verb = description.split(' ').next().unwrap_or_default();
    let mut out: Vec<&str> = lines[..at].to_vec();
    match verb {
        // `Change `privileged` from `true` to `false``: the same key, a new value.
        "Change" => {
            let first = *fix.first()?;
            if block_key(first) != Some(key) || has_children(lines, at) {
                return None;
            }
            out.extend(&fix);
            out.extend(&lines[at + 1..]);
        }
        // A volume source replaced by an allowed one: the whole `hostPath: {...}` line.
        "Replace" => {
            if has_children(lines, at)
                || line.contains(['{', '[']) && !line.trim_end().ends_with('}')
            {
                return None;
            }
            let first = *fix.first()?;
            if indent_of(first) != key_column(line) || line.trim_start().starts_with("- ") {
                return None;
            }
            out.extend(&fix);
            out.extend(&lines[at + 1..]);
        }
        "Remove" if fix.is_empty() => {
            if has_children(lines, at) || line.trim_start().starts_with("- ") {
                return None;
            }
            out.extend(&lines[at + 1..]);
        }
        // New keys: below the key they belong to (a child) or beside it (a sibling).
        "Add" | "Set" => {
            let first = *fix.first()?;
            let col = indent_of(first);
            let child = line.trim_end().ends_with(':') && col > key_column(line);
            let sibling = col == key_column(line);
            if !(child || sibling) {
                return None;
            }
            out.push(line);
            out.extend(&fix);
            out.extend(&lines[at + 1..]);
        }
        _ => return None,
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<&str> {
        text.lines().collect()
    }

    #[test]
    fn new_keys_go_beside_a_container_name() {
        let l = lines("      containers:\n      - name: db\n        image: postgres:17");
        let out = splice(
            &l,
            1,
            "Add `securityContext.runAsNonRoot: true` to container \"db\"",
            "        securityContext:\n          runAsNonRoot: true",
        )
        .unwrap();
        assert_eq!(
            out.join("\n"),
            "      containers:\n      - name: db\n        securityContext:\n          runAsNonRoot: true\n        image: postgres:17"
        );
    }

    #[test]
    fn new_keys_go_below_their_parent() {
        let l = lines("        securityContext:\n          allowPrivilegeEscalation: false");
        let out = splice(
            &l,
            0,
            "Add `runAsNonRoot: true`",
            "          runAsNonRoot: true",
        )
        .unwrap();
        assert_eq!(out[1], "          runAsNonRoot: true");
        // A sibling at the wrong column is refused.
        assert!(splice(&l, 0, "Add `x: 1`", "  x: 1").is_none());
    }

    #[test]
    fn a_changed_value_replaces_its_line() {
        let l = lines("      hostNetwork: true\n      containers:");
        let out = splice(
            &l,
            0,
            "Change `hostNetwork` from `true` to `false`",
            "      hostNetwork: false",
        )
        .unwrap();
        assert_eq!(out, ["      hostNetwork: false", "      containers:"]);
    }

    #[test]
    fn flow_collections_are_not_edited() {
        let l = lines("    securityContext: {privileged: true}");
        assert!(splice(
            &l,
            0,
            "Add `runAsNonRoot: true`",
            "      runAsNonRoot: true"
        )
        .is_none());
        let l = lines("        - {containerPort: 8080, hostPort: 8080}");
        assert!(splice(&l, 0, "Remove `hostPort: 8080` from container \"api\"", "").is_none());
    }

    #[test]
    fn a_volume_source_is_replaced() {
        let l = lines("      - name: logs\n        hostPath: {path: /var/log/containers}");
        let out = splice(
            &l,
            1,
            "Replace the `hostPath` source with an allowed volume type",
            "        emptyDir: {}",
        )
        .unwrap();
        assert_eq!(out[1], "        emptyDir: {}");
    }
}
