//! Paths as code hosts want them: relative to the repository root, not to the working
//! directory. Diagnostics name files as the user gave them (`k8s/app.yaml`, `../x.yaml`); GitHub
//! code scanning and workflow annotations resolve paths from the repository root, so a run from a
//! subdirectory must rebase them.

use std::io;
use std::path::{Component, Path, PathBuf};

/// The repository root and the working directory that diagnostic paths are relative to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRoot {
    /// Absolute: the nearest ancestor of `cwd` that contains `.git` (a directory, or a file in a
    /// worktree or submodule), else `cwd` itself.
    pub root: PathBuf,
    /// Absolute working directory.
    pub cwd: PathBuf,
}

impl SourceRoot {
    /// The root for the current working directory.
    pub fn detect() -> io::Result<SourceRoot> {
        let cwd = std::env::current_dir()?;
        let cwd = std::fs::canonicalize(&cwd).unwrap_or(cwd);
        let root = cwd
            .ancestors()
            .find(|dir| dir.join(".git").exists())
            .unwrap_or(&cwd)
            .to_path_buf();
        Ok(SourceRoot { root, cwd })
    }

    /// A root at `root` for a run from `cwd` (both absolute); the file system is not consulted.
    pub fn new(root: impl Into<PathBuf>, cwd: impl Into<PathBuf>) -> SourceRoot {
        SourceRoot {
            root: root.into(),
            cwd: cwd.into(),
        }
    }

    /// The repository-relative path of a diagnostic's file, with `/` separators, or `None` for
    /// standard input and for files outside the repository. Symbolic links are resolved when the
    /// file exists (code hosts index the real path).
    pub fn relative(&self, file: &str) -> Option<String> {
        let abs = self.absolute(file)?;
        let rel = abs.strip_prefix(&self.root).ok()?;
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        (!parts.is_empty()).then(|| parts.join("/"))
    }

    /// The absolute, normalised path of a diagnostic's file (`None` for standard input).
    pub fn absolute(&self, file: &str) -> Option<PathBuf> {
        if file == "<stdin>" {
            return None;
        }
        let joined = self.cwd.join(file);
        Some(std::fs::canonicalize(&joined).unwrap_or_else(|_| normalize(&joined)))
    }

    /// `file:///abs/root/`, percent-encoded, with the trailing slash SARIF requires of a base.
    pub fn root_uri(&self) -> String {
        let mut uri = file_uri(&self.root);
        if !uri.ends_with('/') {
            uri.push('/');
        }
        uri
    }

    /// Where the Helm template named by `# Source:` (`chart/templates/x.yaml`) lives in the
    /// repository: tried under the rendered file's directory and each ancestor up to the root
    /// (and their `charts/`), then the working directory. `None` when no such file exists.
    pub fn find_template(&self, origin: &str, rendered: &str) -> Option<String> {
        let origin = Path::new(origin);
        if origin.is_absolute() || origin.components().any(|c| c == Component::ParentDir) {
            return None;
        }
        let start = self
            .absolute(rendered)
            .and_then(|p| p.parent().map(Path::to_path_buf));
        let mut dirs: Vec<PathBuf> = start
            .iter()
            .flat_map(|s| s.ancestors())
            .take_while(|d| d.starts_with(&self.root))
            .map(Path::to_path_buf)
            .collect();
        dirs.push(self.root.clone());
        dirs.push(self.cwd.clone());
        dirs.iter()
            .flat_map(|d| [d.join(origin), d.join("charts").join(origin)])
            .find(|candidate| candidate.is_file())
            .and_then(|found| self.relative(&found.to_string_lossy()))
    }
}

/// Removes `.` and resolves `..` without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push(c);
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// A `file:` URI for an absolute path.
pub fn file_uri(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    let encoded = encode_uri_path(&s);
    if encoded.starts_with('/') {
        format!("file://{encoded}")
    } else {
        // A Windows drive path (`C:/x`): the drive letter's colon stays as it is.
        format!("file:///{}", encoded.replacen("%3A", ":", 1))
    }
}

/// Percent-encodes a `/`-separated path as a URI reference path: everything but unreserved
/// characters, `/` and the sub-delimiters is encoded, and so is `:`, which in a relative
/// reference's first segment would read as a scheme.
pub fn encode_uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'/'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'@'
            );
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> SourceRoot {
        SourceRoot::new("/nonexistent/repo", "/nonexistent/repo/deploy")
    }

    #[test]
    fn paths_are_rebased_on_the_repository_root() {
        let r = root();
        assert_eq!(
            r.relative("k8s/app.yaml").as_deref(),
            Some("deploy/k8s/app.yaml")
        );
        assert_eq!(
            r.relative("./k8s/../app.yaml").as_deref(),
            Some("deploy/app.yaml")
        );
        assert_eq!(r.relative("../top.yaml").as_deref(), Some("top.yaml"));
        assert_eq!(
            r.relative("/nonexistent/repo/abs.yaml").as_deref(),
            Some("abs.yaml")
        );
    }

    #[test]
    fn stdin_and_files_outside_the_repository_have_no_relative_path() {
        let r = root();
        assert_eq!(r.relative("<stdin>"), None);
        assert_eq!(r.relative("../../elsewhere.yaml"), None);
        assert_eq!(r.relative("/tmp/x.yaml"), None);
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(encode_uri_path("a b/ü#1%.yaml"), "a%20b/%C3%BC%231%25.yaml");
        assert_eq!(encode_uri_path("c:d/[x]?.yaml"), "c%3Ad/%5Bx%5D%3F.yaml");
        assert_eq!(root().root_uri(), "file:///nonexistent/repo/");
        assert_eq!(file_uri(Path::new("/a b/c.yaml")), "file:///a%20b/c.yaml");
    }

    #[test]
    fn helm_templates_are_found_next_to_the_rendered_file_or_under_charts() {
        let dir = tempfile::tempdir().expect("tempdir");
        let base = std::fs::canonicalize(dir.path()).expect("canonical");
        let template = base.join("charts/shop/templates/deployment.yaml");
        std::fs::create_dir_all(template.parent().expect("parent")).expect("mkdir");
        std::fs::write(&template, "kind: Deployment\n").expect("write");
        std::fs::create_dir_all(base.join("out")).expect("mkdir");
        let r = SourceRoot::new(&base, base.join("out"));
        assert_eq!(
            r.find_template("shop/templates/deployment.yaml", "rendered.yaml")
                .as_deref(),
            Some("charts/shop/templates/deployment.yaml")
        );
        assert_eq!(
            r.find_template("shop/templates/missing.yaml", "rendered.yaml"),
            None
        );
        assert_eq!(r.find_template("../etc/passwd", "rendered.yaml"), None);
    }
}
