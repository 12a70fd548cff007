//! SARIF 2.1.0 for GitHub code scanning (and VS Code's SARIF viewer), as hand-written serde
//! structs for the subset code hosts read (crates.md §3.4).
//!
//! * One run. `tool.driver.rules` lists every rule that can fire: the 19 PSS checks and the
//!   input rules, with help from `rules/*.md`, so alerts explain themselves.
//! * Each diagnostic is a result, input problems included. Its location is relative to the
//!   repository root (`uriBaseId: %SRCROOT%`), columns count Unicode code points, and the end
//!   column is exclusive, as SARIF's is.
//! * `relatedLocations` hold the other offending fields and, for Helm output, the template named
//!   by `# Source:`.
//! * `partialFingerprints.primaryLocationLineHash` hashes what the finding is about (rule,
//!   object, field), never line numbers, so alerts survive unrelated edits above them.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, BufWriter, Write};

use serde::Serialize;

use super::limits;
use super::root::{encode_uri_path, file_uri, SourceRoot};
use crate::model::diagnostic::{Diagnostic, Severity};
use crate::model::level::Level;
use crate::model::report::Report;
use crate::rules::{self, RuleDoc, RuleKind};

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";
/// GitHub's limit for short and full descriptions.
const MAX_DESCRIPTION: usize = 1024;

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    /// Only when the report is capped: the notification that says what was left out.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    invocations: Vec<Invocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    original_uri_base_ids: Option<BTreeMap<&'static str, ArtifactLocation>>,
    column_kind: &'static str,
    results: Vec<SarifResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<RunProperties>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    descriptor: NotificationDescriptor,
    level: &'static str,
    message: Text,
}

#[derive(Serialize)]
struct NotificationDescriptor {
    id: &'static str,
}

/// What a capped run left out, for programs (`runs[0].properties`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties {
    /// Findings of the run, all severities.
    findings: usize,
    /// Findings left out, by severity.
    omitted: OmittedCounts,
    /// Where every finding is (or how to get it).
    full_report: String,
}

#[derive(Serialize)]
struct OmittedCounts {
    errors: usize,
    warnings: usize,
    notes: usize,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    help_uri: String,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

impl Text {
    fn new(text: impl Into<String>) -> Text {
        Text { text: text.into() }
    }
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<&'static str>,
    precision: &'static str,
    #[serde(rename = "problem.severity")]
    problem_severity: &'static str,
    /// A number from 0.1 to 10.0, as a string (GitHub's format).
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [Location; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

impl Region {
    /// SARIF positions are 1-based and a region never ends before it starts. An empty span (a
    /// parse error's position) covers one character, as in the human report: SARIF would read
    /// it as an insertion point, which viewers do not highlight.
    fn new(line: u32, column: u32, end_line: u32, end_column: u32) -> Region {
        let (start_line, start_column) = (line.max(1), column.max(1));
        let end_line = end_line.max(start_line);
        let end_column = if end_line == start_line {
            end_column.max(start_column + 1)
        } else {
            end_column.max(1)
        };
        Region {
            start_line,
            start_column,
            end_line,
            end_column,
        }
    }
}

/// Renders the SARIF log. `complete` names the other reports of the same run that list every
/// finding, for the note of a capped log (see [`limits`]).
pub fn render(
    report: &Report,
    root: Option<&SourceRoot>,
    complete: &[String],
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut out = BufWriter::new(out);
    serde_json::to_writer_pretty(&mut out, &log(report, root, complete))?;
    writeln!(out)?;
    out.flush()
}

/// Spaces before each line of a result in the pretty-printed log (`runs[0].results[i]` sits
/// four levels deep, two spaces each).
const RESULT_INDENT: usize = 8;

fn log(report: &Report, root: Option<&SourceRoot>, complete: &[String]) -> Log {
    let mut docs: Vec<RuleEntry> = rules::all().iter().map(RuleEntry::Doc).collect();
    // A rule without a document (none today) still gets a descriptor, so every result has one.
    for d in &report.diagnostics {
        if !docs.iter().any(|r| r.id() == d.rule) {
            docs.push(RuleEntry::Undocumented(d.rule.clone()));
        }
    }
    let index: HashMap<&str, usize> = docs.iter().enumerate().map(|(i, r)| (r.id(), i)).collect();

    // Fingerprints count occurrences over every finding, kept or not, so that a finding's
    // fingerprint does not depend on the cap.
    let mut occurrences: HashMap<(&str, u64), usize> = HashMap::new();
    let keys: Vec<(usize, u64, usize)> = report
        .diagnostics
        .iter()
        .map(|d| {
            let hash = fingerprint(d);
            let n = occurrences.entry((d.file.as_str(), hash)).or_insert(0);
            *n += 1;
            (index.get(d.rule.as_str()).copied().unwrap_or(0), hash, *n)
        })
        .collect();
    let mut artifacts = Artifacts::new(root);

    let mut log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: env!("CARGO_PKG_NAME"),
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: env!("CARGO_PKG_REPOSITORY"),
                    rules: docs.iter().map(RuleEntry::descriptor).collect(),
                },
            },
            invocations: Vec::new(),
            original_uri_base_ids: root.map(|r| {
                BTreeMap::from([(
                    SRCROOT,
                    ArtifactLocation {
                        uri: r.root_uri(),
                        uri_base_id: None,
                    },
                )])
            }),
            column_kind: "unicodeCodePoints",
            results: Vec::new(),
            properties: None,
        }],
    };

    // Code scanning's limits: at most so many results, in a file of at most so many bytes
    // (what the log takes without results, and room for the note, come off the budget).
    let frame = serde_json::to_vec_pretty(&log).map_or(0, |v| v.len());
    let budget = limits::SARIF_MAX_BYTES.saturating_sub(frame + NOTE_ROOM);
    let selection = limits::select(
        &report.diagnostics,
        limits::SARIF_MAX_RESULTS,
        budget,
        |i, _| {
            let (rule_index, hash, n) = keys[i];
            let d = &report.diagnostics[i];
            pretty_size(&result(d, rule_index, hash, n, &mut artifacts))
        },
    );
    let run = &mut log.runs[0];
    run.results = report
        .diagnostics
        .iter()
        .zip(&keys)
        .zip(&selection.kept)
        .filter(|(_, kept)| **kept)
        .map(|((d, &(rule_index, hash, n)), _)| result(d, rule_index, hash, n, &mut artifacts))
        .collect();
    let omitted = selection.omitted;
    if omitted.total() > 0 {
        let full_report = limits::where_complete(complete);
        run.invocations.push(Invocation {
            execution_successful: true,
            tool_execution_notifications: vec![Notification {
                descriptor: NotificationDescriptor {
                    id: "results-omitted",
                },
                level: "warning",
                message: Text::new(format!(
                    "psslint found {} findings; this log holds {} of them, the most severe \
                     first (GitHub code scanning keeps at most {} results per run, in a file of \
                     at most 10 MB). Left out: {}; {full_report}.",
                    limits::thousands(report.diagnostics.len()),
                    limits::thousands(selection.kept_count()),
                    limits::thousands(limits::SARIF_MAX_RESULTS),
                    omitted.describe(),
                )),
            }],
        });
        run.properties = Some(RunProperties {
            findings: report.diagnostics.len(),
            omitted: OmittedCounts {
                errors: omitted.errors,
                warnings: omitted.warnings,
                notes: omitted.notes,
            },
            full_report,
        });
    }
    log
}

/// Bytes the invocation note and run properties of a capped log may take.
const NOTE_ROOM: usize = 4096;

/// Bytes `result` takes in the pretty-printed log, with its indentation and separator.
fn pretty_size(result: &SarifResult) -> usize {
    let text = serde_json::to_vec_pretty(result).unwrap_or_default();
    let lines = text.iter().filter(|&&b| b == b'\n').count() + 1;
    text.len() + lines * RESULT_INDENT + 2
}

enum RuleEntry {
    Doc(&'static RuleDoc),
    Undocumented(String),
}

impl RuleEntry {
    fn id(&self) -> &str {
        match self {
            RuleEntry::Doc(doc) => doc.id,
            RuleEntry::Undocumented(id) => id,
        }
    }

    fn descriptor(&self) -> Rule {
        let id = self.id().to_string();
        let (short, full, help, level) = match self {
            RuleEntry::Doc(doc) => {
                let full = doc.section("What it checks").map_or_else(
                    || doc.summary.to_string(),
                    |s| reflow(&rules::plain_text(s)),
                );
                let help = Help {
                    text: rules::plain_text(doc.markdown),
                    markdown: doc.markdown.to_string(),
                };
                (doc.summary.to_string(), full, help, doc.kind)
            }
            RuleEntry::Undocumented(id) => {
                let text = format!("psslint rule {id}");
                let help = Help {
                    text: text.clone(),
                    markdown: text.clone(),
                };
                (text.clone(), text, help, RuleKind::Input)
            }
        };
        let default_level = match self {
            RuleEntry::Doc(doc) if !input_is_error(doc) => "warning",
            _ => "error",
        };
        let (tags, security_severity) = match level {
            RuleKind::Pss(level) => (
                vec!["security", "pod-security", level.as_str()],
                pss_security_severity(level),
            ),
            RuleKind::Input | RuleKind::Policy => (
                vec!["security", "pod-security", level.label()],
                if default_level == "error" {
                    "5.0"
                } else {
                    "2.0"
                },
            ),
        };
        Rule {
            name: pascal_case(&id),
            help_uri: rule_doc_url(&id),
            id,
            short_description: Text::new(truncate(&short, MAX_DESCRIPTION)),
            full_description: Text::new(truncate(&full, MAX_DESCRIPTION)),
            help,
            default_configuration: Configuration {
                level: default_level,
            },
            properties: RuleProperties {
                tags,
                precision: "very-high",
                problem_severity: if default_level == "error" {
                    "error"
                } else {
                    "warning"
                },
                security_severity,
            },
        }
    }
}

fn input_is_error(doc: &RuleDoc) -> bool {
    match doc.kind {
        RuleKind::Pss(_) => true,
        RuleKind::Input => {
            crate::model::problem::InputRule::from_id(doc.id).is_none_or(|rule| rule.is_error())
        }
        RuleKind::Policy => crate::policy::finding::rule_severity(doc.id)
            .is_none_or(|s| s == crate::model::diagnostic::Severity::Error),
    }
}

/// Baseline checks guard against known privilege escalations (host access, privileged
/// containers): high. Restricted checks are hardening: medium. GitHub maps 7.0–8.9 to high and
/// 4.0–6.9 to medium.
fn pss_security_severity(level: Level) -> &'static str {
    match level {
        Level::Baseline | Level::Privileged => "8.0",
        Level::Restricted => "5.5",
    }
}

/// The rule's documentation page in the repository (Cargo.toml's `repository`).
pub fn rule_doc_url(id: &str) -> String {
    format!(
        "{}/blob/main/rules/{}.md",
        env!("CARGO_PKG_REPOSITORY"),
        encode_uri_path(id)
    )
}

fn result<'a>(
    d: &'a Diagnostic,
    rule_index: usize,
    hash: u64,
    occurrence: usize,
    artifacts: &mut Artifacts<'a>,
) -> SarifResult {
    // Code scanning shows 100 locations per result (and rejects more than 1,000): the primary
    // one, the Helm template, and as many other offending fields as fit.
    // The template named by `# Source:`, when it exists in the repository and the finding was
    // not mapped to it already (a location that names no file helps nobody).
    let template = match (&d.origin, &d.source_map) {
        (Some(origin), None) => artifacts.template(origin, &d.file),
        (Some(origin), Some(m)) if m.template.is_none() => {
            artifacts.template(origin, &m.rendered.file)
        }
        _ => None,
    };
    let room = limits::SARIF_MAX_LOCATIONS - 1 - usize::from(template.is_some());
    let unlisted = d.related.len().saturating_sub(room);
    let mut related: Vec<Location> = d
        .related
        .iter()
        .take(room)
        .map(|r| {
            let mut text = match r.role {
                Some("rendered") => format!("The rendered Helm output: {}", r.field),
                Some("template") => format!("The template line that writes {}", r.field),
                _ => format!("Also offending: {}", r.field),
            };
            if let Some(c) = &r.container {
                text.push_str(&format!(" (container \"{c}\")"));
            }
            Location {
                id: None,
                physical_location: PhysicalLocation {
                    artifact_location: artifacts.file(&r.file),
                    region: Some(Region::new(r.line, r.column, r.end_line, r.end_column)),
                },
                message: Some(Text::new(text)),
            }
        })
        .collect();
    if let (Some(origin), Some(artifact_location)) = (&d.origin, template) {
        related.push(Location {
            id: None,
            physical_location: PhysicalLocation {
                artifact_location,
                region: None,
            },
            message: Some(Text::new(format!(
                "The Helm template that renders this object (# Source: {origin})"
            ))),
        });
    }
    for (i, loc) in related.iter_mut().enumerate() {
        loc.id = Some(i + 1);
    }

    let mut text = message(d);
    if unlisted > 0 {
        text.push_str(&format!(
            " {} more offending fields are not listed as locations.",
            limits::thousands(unlisted)
        ));
    }
    SarifResult {
        rule_id: d.rule.clone(),
        rule_index,
        level: level(d.severity),
        message: Text::new(text),
        locations: [Location {
            id: None,
            physical_location: PhysicalLocation {
                artifact_location: artifacts.file(&d.file),
                region: Some(Region::new(d.line, d.column, d.end_line, d.end_column)),
            },
            message: None,
        }],
        related_locations: related,
        partial_fingerprints: BTreeMap::from([(
            "primaryLocationLineHash",
            format!("{hash:016x}:{occurrence}"),
        )]),
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// The message, then where to change a Helm chart, the fix and the hint, as plain sentences.
fn message(d: &Diagnostic) -> String {
    let mut text = d.message.clone();
    let mut sentence = |label: &str, body: &str| {
        let body = body.trim().trim_end_matches('.');
        if !body.is_empty() {
            if !text.is_empty() && !text.ends_with(['.', '!', '?']) {
                text.push('.');
            }
            text.push_str(&format!(" {label}{body}."));
        }
    };
    if let Some(origin) = &d.origin {
        sentence("Rendered from Helm template ", origin);
    }
    if let Some(fix) = &d.fix {
        sentence("Fix: ", &fix.description);
    }
    if let Some(fix) = d.source_map.as_ref().and_then(|m| m.values_fix.as_ref()) {
        sentence("Fix in values: ", &fix.description);
    }
    if let Some(hint) = &d.hint {
        sentence("Hint: ", hint);
    }
    text
}

/// Artifact locations, each file and Helm template resolved once (resolving touches the file
/// system, and a Helm stream has many findings per file).
struct Artifacts<'a> {
    root: Option<&'a SourceRoot>,
    files: HashMap<&'a str, ArtifactLocation>,
    templates: HashMap<(&'a str, &'a str), Option<ArtifactLocation>>,
}

impl<'a> Artifacts<'a> {
    fn new(root: Option<&'a SourceRoot>) -> Self {
        Artifacts {
            root,
            files: HashMap::new(),
            templates: HashMap::new(),
        }
    }

    /// Repository-relative with `%SRCROOT%` when the file is inside the repository (or no root
    /// is known); otherwise an absolute `file:` URI.
    fn file(&mut self, file: &'a str) -> ArtifactLocation {
        let root = self.root;
        self.files
            .entry(file)
            .or_insert_with(|| match root {
                None => in_repository(file),
                Some(r) => match (r.relative(file), r.absolute(file)) {
                    (Some(rel), _) => in_repository(&rel),
                    (None, Some(abs)) => ArtifactLocation {
                        uri: file_uri(&abs),
                        uri_base_id: None,
                    },
                    (None, None) => ArtifactLocation {
                        uri: encode_uri_path(file),
                        uri_base_id: None,
                    },
                },
            })
            .clone()
    }

    /// The template named by `# Source:`, where it lives in the repository; `None` when it is
    /// not there (or no root is known).
    fn template(&mut self, origin: &'a str, rendered: &'a str) -> Option<ArtifactLocation> {
        let root = self.root;
        self.templates
            .entry((origin, rendered))
            .or_insert_with(|| {
                root.and_then(|r| r.find_template(origin, rendered))
                    .map(|found| in_repository(&found))
            })
            .clone()
    }
}

fn in_repository(path: &str) -> ArtifactLocation {
    ArtifactLocation {
        uri: encode_uri_path(path),
        uri_base_id: Some(SRCROOT),
    }
}

/// What a finding is about: the rule, the object (apiVersion, kind, namespace, name) and the
/// field path, or the message with numbers blanked when there is no field (input problems name
/// lines in their messages). Line numbers never enter, so moving unrelated lines keeps it.
pub fn fingerprint(d: &Diagnostic) -> u64 {
    let mut h = Fnv1a::new();
    h.write(d.rule.as_bytes());
    if let Some(o) = &d.object {
        for part in [&o.api_version, &o.kind, &o.namespace, &o.name] {
            h.write(part.as_bytes());
        }
    }
    match &d.field {
        Some(field) => h.write(field.as_bytes()),
        None => {
            // Each run of digits becomes one `0`: "line 3" and "line 14" read the same.
            let mut blanked = String::with_capacity(d.message.len());
            for c in d.message.chars() {
                if !c.is_ascii_digit() {
                    blanked.push(c);
                } else if !blanked.ends_with('\u{0}') {
                    blanked.push('\u{0}');
                }
            }
            h.write(blanked.as_bytes());
        }
    }
    h.finish()
}

/// FNV-1a of `salt` and `text`: a stable hash of some text (not a secret).
pub(crate) fn hash_text(text: &str, salt: u64) -> u64 {
    let mut h = Fnv1a::new();
    h.write(&salt.to_le_bytes());
    h.write(text.as_bytes());
    h.finish()
}

/// FNV-1a, 64-bit: tiny, and fixed forever (std's hashers may change between Rust releases,
/// which would re-open every alert).
struct Fnv1a(u64);

impl Fnv1a {
    fn new() -> Fnv1a {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }

    /// Hashes `bytes` followed by a separator, so that ("ab", "c") and ("a", "bc") differ.
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes.iter().chain(&[0xff]) {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// `runAsNonRoot` → `RunAsNonRoot`, `capabilities_restricted` → `CapabilitiesRestricted`,
/// `parse-error` → `ParseError`.
fn pascal_case(id: &str) -> String {
    id.split(['-', '_'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect::<String>()
            })
        })
        .collect()
}

/// Text reflowed into one line.
fn reflow(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most `max` characters, cut at a word boundary with an ellipsis.
fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max - 1).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

/// A sample finding for the unit tests of the report formats.
#[cfg(test)]
pub(crate) mod tests_support {
    use crate::model::diagnostic::{Diagnostic, ObjectRef, Severity};
    use crate::model::level::Level;

    pub fn diag() -> Diagnostic {
        Diagnostic {
            rule: "runAsNonRoot".into(),
            severity: Severity::Error,
            level: Some(Level::Restricted),
            pss_version: Some("latest".into()),
            policy: Default::default(),
            reason: None,
            detail: None,
            message: "runAsNonRoot != true".into(),
            file: "k8s/app.yaml".into(),
            line: 12,
            column: 7,
            end_line: 12,
            end_column: 22,
            origin: None,
            object: Some(ObjectRef {
                api_version: "apps/v1".into(),
                kind: "Deployment".into(),
                name: "app".into(),
                namespace: "shop".into(),
            }),
            field: Some("spec.template.spec.securityContext".into()),
            container: None,
            related: Vec::new(),
            fix: None,
            hint: None,
            source_map: None,
            snippet: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diag() -> Diagnostic {
        tests_support::diag()
    }

    fn parsed(report: &Report, complete: &[String]) -> (usize, serde_json::Value) {
        let mut out = Vec::new();
        render(report, None, complete, &mut out).expect("renders");
        let value = serde_json::from_slice(&out).expect("JSON");
        (out.len(), value)
    }

    fn related(n: usize) -> Vec<crate::model::diagnostic::Related> {
        (0..n as u32)
            .map(|i| crate::model::diagnostic::Related {
                file: "k8s/app.yaml".into(),
                line: 100 + i,
                column: 9,
                end_line: 100 + i,
                end_column: 20,
                field: format!("spec.template.spec.containers[{i}].securityContext.privileged"),
                container: Some(format!("sidecar-{i}")),
                role: None,
            })
            .collect()
    }

    #[test]
    fn a_log_within_the_limits_is_not_capped() {
        let report = Report {
            diagnostics: vec![diag(); 3],
            ..Report::default()
        };
        let (_, log) = parsed(&report, &[]);
        let run = &log["runs"][0];
        assert_eq!(run["results"].as_array().expect("results").len(), 3);
        assert!(run.get("invocations").is_none() && run.get("properties").is_none());
    }

    #[test]
    fn the_file_stays_under_the_size_limit_errors_first() {
        // 600 findings of about 30 KB each would make an 18 MB file.
        let mut diagnostics = Vec::new();
        for i in 0..600u32 {
            let mut d = diag();
            d.severity = if i % 3 == 0 {
                Severity::Warning
            } else {
                Severity::Error
            };
            d.line = i + 1;
            d.field = Some(format!("spec.containers[{i}]"));
            d.related = related(98);
            diagnostics.push(d);
        }
        let report = Report {
            diagnostics,
            ..Report::default()
        };
        let (size, log) = parsed(&report, &["report.json".into()]);
        assert!(size <= limits::SARIF_MAX_BYTES, "{size} bytes");
        let run = &log["runs"][0];
        let results = run["results"].as_array().expect("results");
        assert!(
            results.len() > 100 && results.len() < 400,
            "{}",
            results.len()
        );
        // Errors first: 400 errors do not fit, so no warning is kept.
        assert!(results.iter().all(|r| r["level"] == "error"));
        let omitted = &run["properties"]["omitted"];
        assert_eq!(omitted["warnings"], 200);
        assert_eq!(
            omitted["errors"].as_u64().expect("count") as usize + results.len(),
            400
        );
        let note = run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
            .as_str()
            .expect("note");
        assert!(
            note.contains("psslint found 600 findings") && note.contains("report.json"),
            "{note}"
        );
    }

    #[test]
    fn related_locations_are_capped_at_what_code_scanning_shows() {
        let dir = tempfile::tempdir().expect("tempdir");
        let base = std::fs::canonicalize(dir.path()).expect("canonical");
        std::fs::create_dir_all(base.join("shop/templates")).expect("mkdir");
        std::fs::write(base.join("shop/templates/app.yaml"), "kind: Pod\n").expect("write");
        let mut d = diag();
        d.related = related(150);
        d.origin = Some("shop/templates/app.yaml".into());
        let report = Report {
            diagnostics: vec![d],
            ..Report::default()
        };
        let root = SourceRoot::new(&base, &base);
        let mut out = Vec::new();
        render(&report, Some(&root), &[], &mut out).expect("renders");
        let log: serde_json::Value = serde_json::from_slice(&out).expect("JSON");
        let result = &log["runs"][0]["results"][0];
        let related = result["relatedLocations"].as_array().expect("related");
        assert_eq!(related.len() + 1, limits::SARIF_MAX_LOCATIONS);
        // The Helm template is kept; the fields that did not fit are counted in the message.
        assert!(related
            .last()
            .and_then(|l| l["message"]["text"].as_str())
            .is_some_and(|t| t.contains("Helm template")));
        let text = result["message"]["text"].as_str().expect("message");
        assert!(
            text.ends_with("52 more offending fields are not listed as locations."),
            "{text}"
        );
    }

    #[test]
    fn fnv1a_matches_the_reference_vectors() {
        // FNV-1a 64 of "a" is af63dc4c8601ec8c; our separator byte follows every part.
        let mut h = Fnv1a(0xcbf2_9ce4_8422_2325);
        for &b in b"a" {
            h.0 ^= u64::from(b);
            h.0 = h.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
        assert_eq!(h.finish(), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn fingerprints_ignore_positions_but_not_identity() {
        let a = diag();
        let mut moved = diag();
        moved.line += 40;
        moved.end_line += 40;
        assert_eq!(fingerprint(&a), fingerprint(&moved));
        let mut other = diag();
        other.object.as_mut().expect("object").name = "other".into();
        assert_ne!(fingerprint(&a), fingerprint(&other));
        // The value is pinned: it must never change between releases or Rust versions.
        assert_eq!(format!("{:016x}", fingerprint(&a)), "3bd1e291122a0d8c");
    }

    #[test]
    fn input_problem_fingerprints_ignore_line_numbers_in_messages() {
        let mut a = diag();
        a.object = None;
        a.field = None;
        a.message = "did not find expected key (line 3)".into();
        let mut b = a.clone();
        b.message = "did not find expected key (line 14)".into();
        assert_eq!(fingerprint(&a), fingerprint(&b));
    }

    #[test]
    fn regions_are_one_based_and_never_inverted() {
        let r = Region::new(0, 0, 0, 0);
        assert_eq!(
            (r.start_line, r.start_column, r.end_line, r.end_column),
            (1, 1, 1, 2)
        );
        let r = Region::new(5, 9, 5, 3);
        assert_eq!((r.end_line, r.end_column), (5, 10));
        let r = Region::new(5, 9, 5, 12);
        assert_eq!((r.end_line, r.end_column), (5, 12));
        let r = Region::new(5, 9, 7, 3);
        assert_eq!((r.end_line, r.end_column), (7, 3));
    }

    #[test]
    fn names_and_descriptions() {
        assert_eq!(
            pascal_case("capabilities_restricted"),
            "CapabilitiesRestricted"
        );
        assert_eq!(pascal_case("parse-error"), "ParseError");
        assert_eq!(pascal_case("runAsNonRoot"), "RunAsNonRoot");
        let long = "word ".repeat(400);
        let t = truncate(&long, MAX_DESCRIPTION);
        assert!(
            t.chars().count() <= MAX_DESCRIPTION && t.ends_with("word…"),
            "{t}"
        );
    }
}
