//! `psslint notices --codeowners FILE`: who owns a workload, by GitHub's CODEOWNERS rules for
//! the file that defines it.
//!
//! GitHub's syntax, as GitHub reads it:
//!
//! * one rule per line: a pattern, then owners (`@user`, `@org/team`, an email address),
//!   separated by spaces or tabs; a rule without owners leaves its paths unowned;
//! * `#` starts a comment, at the start of a line or anywhere after it; escaping it (`\#`)
//!   does not work on GitHub, so such a line is an error;
//! * the **last** rule whose pattern matches the path decides;
//! * patterns follow gitignore, without what GitHub leaves out (negation with `!`, character
//!   ranges with `[ ]`, which are errors): a pattern without a slash, or with only a trailing
//!   one, matches at any depth (`*.js`, `logs`, `apps/`); a leading or inner slash anchors it to
//!   the repository root (`/build/`, `docs/*`); a trailing slash matches everything below the
//!   directory; a pattern that names a file or directory also matches everything below it,
//!   except when its last part is a lone `*`, which matches one level only (`docs/*` owns
//!   `docs/a.md` but not `docs/b/c.md`); `*` and `?` never match `/`, `**` matches any number
//!   of directories; `\` escapes the next character; matching is case-sensitive.
//!
//! A line GitHub would reject is skipped (as GitHub skips it) and reported. Paths are matched
//! relative to the repository the CODEOWNERS file belongs to: the directory above
//! `.github/` or `docs/` when the file is there, else the nearest directory above it holding
//! `.git`, else its own directory.

use std::path::{Component, Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

/// The workload annotation that names its owners and wins over CODEOWNERS, by default.
pub const OWNER_ANNOTATION: &str = "psslint.dev/owner";

/// One rule of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub line: usize,
    pub pattern: String,
    /// Empty: the paths it matches are unowned.
    pub owners: Vec<String>,
}

/// A line GitHub would reject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub message: String,
}

/// A parsed CODEOWNERS file.
#[derive(Debug)]
pub struct CodeOwners {
    /// As named in messages (`.github/CODEOWNERS`).
    pub file: String,
    /// The repository root the patterns are relative to.
    pub root: PathBuf,
    pub rules: Vec<Rule>,
    /// Lines that were skipped.
    pub errors: Vec<LineError>,
    set: GlobSet,
    /// The rule of each glob in `set`.
    glob_rule: Vec<usize>,
}

/// Why a path is owned or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ownership<'c> {
    /// The last matching rule.
    Rule(&'c Rule),
    /// No rule matches.
    NoRule,
    /// The path is not inside the repository.
    Outside,
}

impl CodeOwners {
    /// Reads and parses `path`.
    pub fn load(path: &Path) -> Result<CodeOwners, String> {
        let file = crate::input::display_path(path);
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("{file}: cannot read: {e}"))?;
        let root = repository_root(path);
        CodeOwners::parse(&text, file, root)
    }

    /// Parses the text of a CODEOWNERS file whose patterns are relative to `root`.
    pub fn parse(text: &str, file: String, root: PathBuf) -> Result<CodeOwners, String> {
        let mut rules = Vec::new();
        let mut errors = Vec::new();
        let mut builder = GlobSetBuilder::new();
        let mut glob_rule = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let n = i + 1;
            match parse_line(line) {
                Ok(None) => {}
                Ok(Some((pattern, owners))) => match globs(&pattern) {
                    Ok(globs) => {
                        for g in globs {
                            builder.add(g);
                            glob_rule.push(rules.len());
                        }
                        rules.push(Rule {
                            line: n,
                            pattern,
                            owners,
                        });
                    }
                    Err(message) => errors.push(LineError { line: n, message }),
                },
                Err(message) => errors.push(LineError { line: n, message }),
            }
        }
        let set = builder.build().map_err(|e| format!("{file}: {e}"))?;
        Ok(CodeOwners {
            file,
            root,
            rules,
            errors,
            set,
            glob_rule,
        })
    }

    /// The rule that owns `path`, relative to the repository root with `/` separators.
    pub fn owner_of(&self, path: &str) -> Option<&Rule> {
        self.set
            .matches(path)
            .into_iter()
            .map(|g| self.glob_rule[g])
            .max()
            .map(|r| &self.rules[r])
    }

    /// The ownership of a file named as psslint names it (relative to the working directory,
    /// or absolute).
    pub fn ownership(&self, file: &str) -> Ownership<'_> {
        match self.relative(Path::new(file)) {
            Some(rel) => match self.owner_of(&rel) {
                Some(rule) => Ownership::Rule(rule),
                None => Ownership::NoRule,
            },
            None => Ownership::Outside,
        }
    }

    /// `file` relative to the repository root, if it is inside.
    fn relative(&self, file: &Path) -> Option<String> {
        let cwd = std::env::current_dir().ok()?;
        let abs = normalize(&cwd.join(file));
        let abs = abs.canonicalize().unwrap_or(abs);
        let root = self
            .root
            .canonicalize()
            .unwrap_or_else(|_| normalize(&self.root));
        let rel = abs.strip_prefix(&root).ok()?;
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        (!parts.is_empty()).then(|| parts.join("/"))
    }
}

/// `a/./b/../c` → `a/c`, without touching the file system.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The repository a CODEOWNERS file belongs to (see the module docs).
fn repository_root(codeowners: &Path) -> PathBuf {
    let abs = std::env::current_dir()
        .map(|cwd| normalize(&cwd.join(codeowners)))
        .unwrap_or_else(|_| codeowners.to_path_buf());
    let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
    if matches!(
        dir.file_name().and_then(|n| n.to_str()),
        Some(".github" | "docs")
    ) {
        if let Some(up) = dir.parent() {
            return up.to_path_buf();
        }
    }
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
        .unwrap_or(dir)
}

/// One line: `None` for a blank or comment line, else the pattern and its owners.
fn parse_line(line: &str) -> Result<Option<(String, Vec<String>)>, String> {
    // `#` starts a comment wherever it is; GitHub does not honour `\#`.
    let (content, comment) = match line.find('#') {
        Some(i) => (&line[..i], true),
        None => (line, false),
    };
    if content.trim().is_empty() {
        return Ok(None);
    }
    let mut fields = Vec::new();
    let mut current = String::new();
    let mut escaped = false;
    for c in content.trim_start().chars() {
        if escaped {
            current.push(c);
            escaped = false;
        } else if c == '\\' {
            current.push(c);
            escaped = true;
        } else if c == ' ' || c == '\t' {
            if !current.is_empty() {
                fields.push(std::mem::take(&mut current));
            }
        } else {
            current.push(c);
        }
    }
    if escaped && comment {
        return Err(
            "`\\#` does not escape a comment in GitHub's CODEOWNERS: the rest of the line is a comment"
                .to_string(),
        );
    }
    if !current.is_empty() {
        fields.push(current);
    }
    let mut fields = fields.into_iter();
    let pattern = fields.next().unwrap_or_default();
    if pattern.starts_with('!') {
        return Err(format!(
            "{pattern:?}: negation with `!` does not work in GitHub's CODEOWNERS"
        ));
    }
    if pattern.contains(['[', ']']) {
        return Err(format!(
            "{pattern:?}: character ranges with `[ ]` do not work in GitHub's CODEOWNERS"
        ));
    }
    if pattern.contains("***") {
        return Err(format!("{pattern:?}: three asterisks in a row"));
    }
    let owners: Vec<String> = fields.collect();
    if let Some(bad) = owners.iter().find(|o| !is_owner(o)) {
        return Err(format!(
            "{bad:?} is not an owner (@user, @org/team or an email address)"
        ));
    }
    Ok(Some((pattern, owners)))
}

/// `@user`, `@org/team` or an email address.
fn is_owner(s: &str) -> bool {
    let name = |t: &str, extra: &str| {
        !t.is_empty()
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || extra.contains(c))
    };
    if let Some(rest) = s.strip_prefix('@') {
        return match rest.split_once('/') {
            Some((org, team)) => name(org, "") && name(team, "_"),
            None => name(rest, "_"),
        };
    }
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && local
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._%+-".contains(c))
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && domain
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-".contains(c))
        }
        None => false,
    }
}

/// The globs (matched against root-relative paths) that together match what `pattern`
/// matches (see the module docs).
fn globs(pattern: &str) -> Result<Vec<globset::Glob>, String> {
    if pattern == "/" {
        return Ok(Vec::new());
    }
    let mut segments: Vec<&str> = pattern.split('/').collect();
    let anchored = segments[0].is_empty();
    if anchored {
        segments.remove(0);
    } else if (segments.len() == 1 || (segments.len() == 2 && segments[1].is_empty()))
        && segments[0] != "**"
    {
        segments.insert(0, "**");
    }
    let directory = segments.last() == Some(&"");
    if directory {
        segments.pop();
    }
    if segments.iter().any(|s| s.is_empty()) {
        return Err(format!("{pattern:?}: an empty path segment (`//`)"));
    }
    let base = segments.join("/");
    let last = segments.last().copied().unwrap_or_default();
    let mut out = vec![];
    if directory {
        // Everything below the directory.
        out.push(format!("{base}/**"));
    } else if last == "**" || last == "*" {
        // `**` already reaches every depth; a lone `*` matches one level only.
        out.push(base);
    } else {
        out.push(base.clone());
        out.push(format!("{base}/**"));
    }
    out.iter()
        .map(|g| {
            GlobBuilder::new(g)
                .literal_separator(true)
                .backslash_escape(true)
                .empty_alternates(false)
                .build()
                .map_err(|e| format!("{pattern:?}: {e}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owners(text: &str) -> CodeOwners {
        CodeOwners::parse(text, "CODEOWNERS".into(), PathBuf::from("/repo")).unwrap()
    }

    fn owner<'a>(c: &'a CodeOwners, path: &str) -> Option<&'a str> {
        c.owner_of(path)
            .map(|r| r.owners.first().map_or("", String::as_str))
    }

    /// The example of GitHub's "About code owners" page, rule for rule.
    const GITHUB_EXAMPLE: &str = "\
# This is a comment.
*       @global-owner1 @global-owner2
*.js    @js-owner #This is an inline comment.
*.go docs@example.com
*.txt @octo-org/octocats
/build/logs/ @doctocat
docs/* docs@example.com
apps/ @octocat
/docs/ @doctocat
/scripts/ @doctocat @octocat
**/logs @octocat
/apps/ @octocat
/apps/github
";

    #[test]
    fn githubs_own_example() {
        let c = owners(GITHUB_EXAMPLE);
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        assert_eq!(
            c.owner_of("some/deeply/nested/file.rb").unwrap().owners,
            ["@global-owner1", "@global-owner2"]
        );
        assert_eq!(owner(&c, "src/app.js"), Some("@js-owner"));
        assert_eq!(owner(&c, "main.go"), Some("docs@example.com"));
        assert_eq!(owner(&c, "notes.txt"), Some("@octo-org/octocats"));
        // `/build/logs/` matches, but the later `**/logs` wins.
        assert_eq!(owner(&c, "build/logs/today.log"), Some("@octocat"));
        assert_eq!(owner(&c, "build/logs/deep/er.log"), Some("@octocat"));
        assert_eq!(c.owner_of("build/logs/x").unwrap().line, 11);
        // `/docs/` (a later rule) owns all of docs; `docs/*` owns direct children only.
        assert_eq!(owner(&c, "docs/getting-started.md"), Some("@doctocat"));
        assert_eq!(
            owner(&c, "x/docs/getting-started.md"),
            Some("@global-owner1")
        );
        assert_eq!(owner(&c, "scripts/run.sh"), Some("@doctocat"));
        assert_eq!(owner(&c, "a/logs/b.txt"), Some("@octocat"));
        // `apps/` anywhere; `/apps/github` has no owners: unowned.
        assert_eq!(owner(&c, "nested/apps/x.yaml"), Some("@octocat"));
        assert_eq!(owner(&c, "apps/x.yaml"), Some("@octocat"));
        assert_eq!(owner(&c, "apps/github/x.yaml"), Some(""));
    }

    #[test]
    fn anchored_unanchored_and_directories() {
        let c =
            owners("k8s/ @dir\n/root.yaml @anchored\nname.yaml @anywhere\ndeploy/prod @inner\n");
        assert_eq!(owner(&c, "k8s/a.yaml"), Some("@dir"));
        assert_eq!(owner(&c, "team/k8s/a/b.yaml"), Some("@dir"));
        assert_eq!(
            owner(&c, "k8s"),
            None,
            "a directory pattern does not match a file named so"
        );
        assert_eq!(owner(&c, "root.yaml"), Some("@anchored"));
        assert_eq!(owner(&c, "sub/root.yaml"), None);
        assert_eq!(owner(&c, "a/b/name.yaml"), Some("@anywhere"));
        // An inner slash anchors; the named directory owns its whole tree.
        assert_eq!(owner(&c, "deploy/prod/x/y.yaml"), Some("@inner"));
        assert_eq!(owner(&c, "apps/deploy/prod/y.yaml"), None);
    }

    #[test]
    fn one_star_and_two() {
        let c = owners(
            "docs/* @one\ncharts/**/values.yaml @deep\n/k8s/**/*.yaml @yaml\nweb-?.yaml @q\n",
        );
        assert_eq!(owner(&c, "docs/a.md"), Some("@one"));
        assert_eq!(owner(&c, "docs/b/c.md"), None, "`*` is one level");
        assert_eq!(owner(&c, "charts/values.yaml"), Some("@deep"));
        assert_eq!(owner(&c, "charts/a/b/values.yaml"), Some("@deep"));
        assert_eq!(owner(&c, "k8s/x.yaml"), Some("@yaml"));
        assert_eq!(owner(&c, "k8s/a/b/x.yaml"), Some("@yaml"));
        assert_eq!(owner(&c, "k8s/a/b/x.json"), None);
        assert_eq!(owner(&c, "web-1.yaml"), Some("@q"));
        assert_eq!(owner(&c, "web-12.yaml"), None);
        assert_eq!(owner(&c, "Docs/a.md"), None, "case-sensitive");
    }

    #[test]
    fn the_last_match_wins() {
        let c = owners("* @default\nk8s/ @platform\nk8s/shop/ @shop\n*.json @json\n");
        assert_eq!(owner(&c, "k8s/shop/web.yaml"), Some("@shop"));
        assert_eq!(owner(&c, "k8s/data/db.yaml"), Some("@platform"));
        assert_eq!(owner(&c, "k8s/shop/web.json"), Some("@json"));
        assert_eq!(owner(&c, "README.md"), Some("@default"));
    }

    #[test]
    fn comments_escapes_and_errors() {
        let c = owners(
            "# a comment\n  # indented comment\n\\#hash.yaml @escaped\n*.yaml @a # trailing\npath\\ with\\ space.yaml @space\n!negated @x\nweb-[ab].yaml @range\n*.md not-an-owner\n*.txt @org/team\t alice@example.com\n",
        );
        // `\#` does not escape on GitHub: that line is an error, and nothing owns `#hash.yaml`
        // but the `*.yaml` rule.
        let lines: Vec<usize> = c.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 6, 7, 8], "{:?}", c.errors);
        assert_eq!(owner(&c, "#hash.yaml"), Some("@a"));
        assert_eq!(owner(&c, "path with space.yaml"), Some("@space"));
        assert_eq!(
            c.owner_of("notes.txt").unwrap().owners,
            ["@org/team", "alice@example.com"]
        );
        assert_eq!(c.rules.len(), 3);
    }

    #[test]
    fn the_repository_is_above_github_or_docs() {
        assert_eq!(
            repository_root(Path::new("/r/.github/CODEOWNERS")),
            PathBuf::from("/r")
        );
        assert_eq!(
            repository_root(Path::new("/r/docs/CODEOWNERS")),
            PathBuf::from("/r")
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        std::fs::create_dir(dir.path().join("a/.git")).unwrap();
        assert_eq!(
            repository_root(&dir.path().join("a/b/CODEOWNERS")),
            dir.path().join("a")
        );
    }
}
