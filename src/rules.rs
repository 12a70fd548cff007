//! Rule documentation: one Markdown file per PSS check and per input rule under `rules/`,
//! compiled into the binary. This is the single source for `psslint rule <ID>`, SARIF rule help
//! and the README's rule table (style.md: "one rule, one place").
//!
//! Every document has the same shape: a title line `# <ID>: <summary>`, a front list with
//! **Level**, **Versions** and **Upstream reason**, then the sections in [`SECTIONS`].

use crate::model::level::Level;

/// What kind of rule a document describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleKind {
    /// A Pod Security Standards check at its level (pss-spec §2.1).
    Pss(Level),
    /// An input problem (`crate::model::problem::InputRule`).
    Input,
    /// A finding of the policy stage: namespace hygiene and exceptions
    /// (`crate::policy::finding::RULES`).
    Policy,
}

impl RuleKind {
    /// `baseline`, `restricted`, `input` or `policy`.
    pub fn label(self) -> &'static str {
        match self {
            RuleKind::Pss(level) => level.as_str(),
            RuleKind::Input => "input",
            RuleKind::Policy => "policy",
        }
    }
}

/// One rule's documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleDoc {
    /// The rule ID, exactly as diagnostics carry it (`runAsNonRoot`, `parse-error`).
    pub id: &'static str,
    pub kind: RuleKind,
    /// The one-line summary from the title line.
    pub summary: &'static str,
    /// The whole Markdown document.
    pub markdown: &'static str,
}

/// The `##` sections every document has, in this order.
pub const SECTIONS: [&str; 4] = [
    "What it checks",
    "Why it matters",
    "How to fix",
    "Exceptions and notes",
];

/// Builds a [`RuleDoc`] from its file, parsing the summary from the title line at compile time
/// so that the registry is a plain static table.
macro_rules! doc {
    ($id:literal, $kind:expr) => {
        RuleDoc {
            id: $id,
            kind: $kind,
            summary: title_summary(include_str!(concat!("../rules/", $id, ".md")), $id),
            markdown: include_str!(concat!("../rules/", $id, ".md")),
        }
    };
}

const BASELINE: RuleKind = RuleKind::Pss(Level::Baseline);
const RESTRICTED: RuleKind = RuleKind::Pss(Level::Restricted);
const INPUT: RuleKind = RuleKind::Input;
const POLICY: RuleKind = RuleKind::Policy;

/// PSS checks in upstream output order (pss-spec §2.2), then input rules in
/// `InputRule::ALL` order, then policy rules in `policy::finding::RULES` order.
static RULES: [RuleDoc; 48] = [
    doc!("appArmorProfile", BASELINE),
    doc!("capabilities_baseline", BASELINE),
    doc!("hostNamespaces", BASELINE),
    doc!("hostPathVolumes", BASELINE),
    doc!("hostPorts", BASELINE),
    doc!("hostProbesAndHostLifecycle", BASELINE),
    doc!("privileged", BASELINE),
    doc!("procMount", BASELINE),
    doc!("seLinuxOptions", BASELINE),
    doc!("seccompProfile_baseline", BASELINE),
    doc!("sysctls", BASELINE),
    doc!("windowsHostProcess", BASELINE),
    doc!("allowPrivilegeEscalation", RESTRICTED),
    doc!("capabilities_restricted", RESTRICTED),
    doc!("procMount_restricted", RESTRICTED),
    doc!("restrictedVolumes", RESTRICTED),
    doc!("runAsNonRoot", RESTRICTED),
    doc!("runAsUser", RESTRICTED),
    doc!("seccompProfile_restricted", RESTRICTED),
    doc!("encoding", INPUT),
    doc!("io-error", INPUT),
    doc!("parse-error", INPUT),
    doc!("invalid-separator", INPUT),
    doc!("duplicate-key", INPUT),
    doc!("type-error", INPUT),
    doc!("unrendered-template", INPUT),
    doc!("ignored-content", INPUT),
    doc!("alias-limit", INPUT),
    doc!("depth-limit", INPUT),
    doc!("unencodable-value", INPUT),
    doc!("file-too-large", INPUT),
    doc!("special-file", INPUT),
    doc!("empty-file", INPUT),
    doc!("empty-input", INPUT),
    doc!("unchecked-pod-template", INPUT),
    doc!("template-not-found", INPUT),
    doc!("render-unavailable", INPUT),
    doc!("render-error", INPUT),
    doc!("namespace-invalid-label", POLICY),
    doc!("namespace-no-enforce", POLICY),
    doc!("namespace-unpinned-version", POLICY),
    doc!("namespace-exempt-labeled", POLICY),
    doc!("namespace-weaker-than-default", POLICY),
    doc!("namespace-conflict", POLICY),
    doc!("exception-invalid", POLICY),
    doc!("exception-expired", POLICY),
    doc!("exception-expiring", POLICY),
    doc!("exception-unused", POLICY),
];

impl RuleDoc {
    /// The body of the `## <heading>` section (without its heading), trimmed.
    pub fn section(&self, heading: &str) -> Option<&'static str> {
        let markdown = self.markdown;
        let mut start = None;
        let mut offset = 0;
        for line in markdown.split_inclusive('\n') {
            let title = line.trim_end().strip_prefix("## ");
            match (start, title) {
                (None, Some(t)) if t == heading => start = Some(offset + line.len()),
                (Some(s), Some(_)) => return Some(markdown[s..offset].trim()),
                _ => {}
            }
            offset += line.len();
        }
        start.map(|s| markdown[s..].trim())
    }
}

/// Every rule document: PSS checks in upstream order, then input rules.
pub fn all() -> &'static [RuleDoc] {
    &RULES
}

/// The document for `id`, matched case-insensitively (`runasnonroot` finds `runAsNonRoot`).
pub fn get(id: &str) -> Option<&'static RuleDoc> {
    RULES.iter().find(|r| r.id.eq_ignore_ascii_case(id))
}

/// The summary after `# <id>: ` on the first line. Evaluated at compile time: a document whose
/// title does not have that exact shape fails the build.
const fn title_summary(markdown: &'static str, id: &'static str) -> &'static str {
    let bytes = markdown.as_bytes();
    let id = id.as_bytes();
    // "# " + id + ": "
    let prefix = 2 + id.len() + 2;
    assert!(bytes.len() > prefix, "rule document too short");
    assert!(
        bytes[0] == b'#' && bytes[1] == b' ',
        "title must start with `# `"
    );
    let mut i = 0;
    while i < id.len() {
        assert!(bytes[2 + i] == id[i], "title must start with `# <ID>: `");
        i += 1;
    }
    assert!(
        bytes[2 + id.len()] == b':' && bytes[3 + id.len()] == b' ',
        "title must be `# <ID>: <summary>`"
    );
    let mut end = prefix;
    while end < bytes.len() && bytes[end] != b'\n' && bytes[end] != b'\r' {
        end += 1;
    }
    assert!(end > prefix, "title summary is empty");
    let (_, rest) = bytes.split_at(prefix);
    let (summary, _) = rest.split_at(end - prefix);
    match std::str::from_utf8(summary) {
        Ok(s) => s,
        Err(_) => panic!("title is not UTF-8"),
    }
}

/// A light Markdown-to-terminal rendering for `psslint rule <ID>`: heading markers, `**` and
/// code fences are removed, code blocks are kept verbatim and indented by four spaces, and
/// links become `text (url)`. Everything else (lists, tables, inline code) reads fine as is.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut in_code = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            if !line.is_empty() {
                out.push_str("    ");
                out.push_str(line);
            }
        } else if let Some(heading) = strip_heading(line) {
            out.push_str(heading);
        } else {
            out.push_str(&inline_plain(line));
        }
        out.push('\n');
    }
    out
}

fn strip_heading(line: &str) -> Option<&str> {
    let rest = line.trim_start_matches('#');
    let level = line.len() - rest.len();
    (1..=6).contains(&level).then_some(())?;
    rest.strip_prefix(' ').or(rest.is_empty().then_some(rest))
}

/// Removes `**` emphasis and turns `[text](url)` into `text (url)`, leaving inline code alone.
fn inline_plain(line: &str) -> String {
    let line = line.replace("**", "");
    let mut out = String::with_capacity(line.len());
    let mut rest = line.as_str();
    while let Some(open) = rest.find('[') {
        let Some(link) = parse_link(&rest[open..]) else {
            out.push_str(&rest[..=open]);
            rest = &rest[open + 1..];
            continue;
        };
        out.push_str(&rest[..open]);
        out.push_str(link.text);
        out.push_str(" (");
        out.push_str(link.url);
        out.push(')');
        rest = &rest[open + link.len..];
    }
    out.push_str(rest);
    out
}

struct Link<'a> {
    text: &'a str,
    url: &'a str,
    len: usize,
}

/// Parses `[text](url)` at the start of `s`.
fn parse_link(s: &str) -> Option<Link<'_>> {
    let close = s.find("](")?;
    let text = &s[1..close];
    if text.contains('[') || text.contains(']') {
        return None;
    }
    let url_start = close + 2;
    let url_len = s[url_start..].find(')')?;
    let url = &s[url_start..url_start + url_len];
    if url.contains(char::is_whitespace) {
        return None;
    }
    Some(Link {
        text,
        url,
        len: url_start + url_len + 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_found_by_heading() {
        let doc = get("privileged").expect("privileged");
        let what = doc.section("What it checks").expect("section");
        assert!(what.starts_with("Every container"), "{what}");
        assert!(!what.contains("## "), "{what}");
        let last = doc.section("Exceptions and notes").expect("last section");
        assert!(
            last.ends_with("`allowPrivilegeEscalation: false`."),
            "{last}"
        );
        assert_eq!(doc.section("No such section"), None);
    }
    use crate::model::problem::InputRule;

    /// pss-spec §2.2, byte-wise sorted baseline IDs then restricted IDs.
    const PSS_IDS: [&str; 19] = [
        "appArmorProfile",
        "capabilities_baseline",
        "hostNamespaces",
        "hostPathVolumes",
        "hostPorts",
        "hostProbesAndHostLifecycle",
        "privileged",
        "procMount",
        "seLinuxOptions",
        "seccompProfile_baseline",
        "sysctls",
        "windowsHostProcess",
        "allowPrivilegeEscalation",
        "capabilities_restricted",
        "procMount_restricted",
        "restrictedVolumes",
        "runAsNonRoot",
        "runAsUser",
        "seccompProfile_restricted",
    ];

    #[test]
    fn pss_ids_are_the_upstream_list_in_upstream_order() {
        let ids: Vec<&str> = all()
            .iter()
            .filter(|r| matches!(r.kind, RuleKind::Pss(_)))
            .map(|r| r.id)
            .collect();
        assert_eq!(ids, PSS_IDS);
        for r in all() {
            if let RuleKind::Pss(level) = r.kind {
                let restricted = PSS_IDS[12..].contains(&r.id);
                assert_eq!(level == Level::Restricted, restricted, "{}", r.id);
            }
        }
    }

    #[test]
    fn pss_docs_come_before_input_docs() {
        let first_input = all().iter().position(|r| r.kind == RuleKind::Input);
        assert_eq!(first_input, Some(PSS_IDS.len()));
    }

    #[test]
    fn input_ids_are_the_input_rules_in_order() {
        let ids: Vec<&str> = all()
            .iter()
            .filter(|r| r.kind == RuleKind::Input)
            .map(|r| r.id)
            .collect();
        let expected: Vec<&str> = InputRule::ALL.iter().map(|r| r.id()).collect();
        assert_eq!(ids, expected);
    }

    #[test]
    fn policy_ids_are_the_policy_rules_in_order() {
        let ids: Vec<&str> = all()
            .iter()
            .filter(|r| r.kind == RuleKind::Policy)
            .map(|r| r.id)
            .collect();
        let expected: Vec<&str> = crate::policy::finding::RULES
            .iter()
            .map(|(id, _)| *id)
            .collect();
        assert_eq!(ids, expected);
        assert_eq!(all().last().map(|r| r.kind), Some(RuleKind::Policy));
    }

    #[test]
    fn every_engine_check_has_a_doc() {
        for check in crate::pss::CHECKS {
            let doc = get(check.id).unwrap_or_else(|| panic!("no doc for {}", check.id));
            assert_eq!(doc.id, check.id);
            assert_eq!(doc.kind, RuleKind::Pss(check.level), "{}", check.id);
        }
    }

    #[test]
    fn every_file_in_rules_dir_is_registered() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/rules");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .expect("rules/ exists")
            .map(|e| {
                e.expect("readable entry")
                    .file_name()
                    .into_string()
                    .unwrap()
            })
            .collect();
        files.sort();
        let mut registered: Vec<String> = all().iter().map(|r| format!("{}.md", r.id)).collect();
        registered.sort();
        assert_eq!(files, registered);
    }

    #[test]
    fn every_doc_has_the_fixed_shape() {
        for r in all() {
            let md = r.markdown;
            let title = md.lines().next().unwrap_or_default();
            assert_eq!(title, format!("# {}: {}", r.id, r.summary));
            assert!(!r.summary.ends_with('.'), "{}: summary ends with '.'", r.id);

            // The front matter sits between the title and the first section.
            let first_section = md.find("\n## ").expect("has sections");
            let front = &md[..first_section];
            for key in ["**Level**", "**Versions**", "**Upstream reason**"] {
                assert!(front.contains(key), "{}: front matter lacks {key}", r.id);
            }
            let level = r.kind.label();
            let level_line = front
                .lines()
                .find(|l| l.contains("**Level**"))
                .unwrap_or_default();
            assert!(level_line.contains(level), "{}: level is not {level}", r.id);

            let prose = prose_lines(md);
            let headings: Vec<&str> = prose.iter().filter_map(|l| l.strip_prefix("## ")).collect();
            assert_eq!(headings, SECTIONS, "{}: sections", r.id);
            let titles = prose.iter().filter(|l| l.starts_with("# ")).count();
            assert_eq!(titles, 1, "{}: more than one title", r.id);

            let fences = md.lines().filter(|l| l.starts_with("```")).count();
            assert_eq!(fences % 2, 0, "{}: unbalanced code fences", r.id);
            // PSS docs show a Deployment before and after; input docs show at least an example.
            let fix = &md[md.find("## How to fix").unwrap()..md.find("## Exceptions").unwrap()];
            let examples = fix.matches("```yaml").count();
            match r.kind {
                RuleKind::Pss(_) => {
                    assert!(fix.contains("kind: Deployment"), "{}: no Deployment", r.id);
                    assert!(examples >= 2, "{}: no before/after YAML", r.id);
                }
                RuleKind::Input | RuleKind::Policy => {
                    assert!(fix.contains("```"), "{}: no example", r.id)
                }
            }

            let lines = md.lines().count();
            assert!((25..=80).contains(&lines), "{}: {lines} lines", r.id);
        }
    }

    /// The lines of `md` outside code blocks.
    fn prose_lines(md: &str) -> Vec<&str> {
        let mut in_code = false;
        md.lines()
            .filter(|l| {
                if l.starts_with("```") {
                    in_code = !in_code;
                    return false;
                }
                !in_code
            })
            .collect()
    }

    #[test]
    fn get_is_case_insensitive() {
        assert_eq!(get("runasnonroot").map(|r| r.id), Some("runAsNonRoot"));
        assert_eq!(get("PARSE-ERROR").map(|r| r.id), Some("parse-error"));
        assert!(get("runAsNonRoot2").is_none());
    }

    #[test]
    fn plain_text_strips_markup_and_keeps_code() {
        let md = "# x: a summary\n\n- **Level**: baseline, see [docs](https://k8s.io/x)\n\n\
                  ## How to fix\n\n```yaml\nsecurityContext:\n  privileged: false\n```\n";
        assert_eq!(
            plain_text(md),
            "x: a summary\n\n- Level: baseline, see docs (https://k8s.io/x)\n\nHow to fix\n\n\
             \x20   securityContext:\n      privileged: false\n"
        );
    }

    #[test]
    fn plain_text_leaves_brackets_that_are_not_links() {
        assert_eq!(
            plain_text("containers[0].ports[*] and [a] (b)\n"),
            "containers[0].ports[*] and [a] (b)\n"
        );
    }
}
