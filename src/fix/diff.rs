//! Unified diffs of fixed files, with `a/` and `b/` paths that `patch -p1` and `git apply`
//! accept from the repository root.

use similar::TextDiff;

/// The unified diff (three lines of context) that turns `old` into `new`, for `path` (relative
/// to where the patch is applied, `/`-separated). Empty when nothing changed.
pub fn unified(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let diff = TextDiff::from_lines(old, new);
    let mut out = format!("--- a/{path}\n+++ b/{path}\n");
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        out.push_str(&hunk.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_is_one_hunk_with_context() {
        let d = unified("k8s/pod.yaml", "a\nb\nc\n", "a\nB\nc\n");
        assert_eq!(
            d,
            "--- a/k8s/pod.yaml\n+++ b/k8s/pod.yaml\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
        );
    }

    #[test]
    fn a_missing_final_newline_is_marked() {
        let d = unified("x", "a\nb", "a\nc");
        assert!(d.contains("\n\\ No newline at end of file\n"), "{d}");
    }

    #[test]
    fn no_change_no_diff() {
        assert_eq!(unified("x", "a\n", "a\n"), "");
    }
}
