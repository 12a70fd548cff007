//! The psslint configuration file, `psslint.yaml` or `.psslint.yaml`: found from the working
//! directory upward to the repository root, or named with `--config`. It is read with our own
//! loader, so every problem has a file:line:col, and validated strictly: unknown keys, bad
//! levels, versions, names and dates are errors (exit code 2).
//!
//! ```yaml
//! kubernetes: v1.33              # the target cluster's minor: clamps `latest`
//! defaults: {enforce: baseline, warn: restricted, warn-version: v1.33}
//! exemptions: {namespaces: [kube-system], runtimeClasses: [kata]}
//! namespaces:
//!   payments: {enforce: restricted, enforce-version: v1.33}
//!   legacy: {enforce: privileged, reason: "vendor agent needs hostPath; JIRA-123"}
//! workloads:
//!   - {apiVersion: example.com/v1, kind: Widget, template: spec.podTemplate}
//!   - {apiVersion: example.com/v1, kind: Batch, template: "spec.jobs[*].template"}
//! charts:                       # values files for `helm template`, per chart directory
//!   charts/web: {values: [charts/web/values-prod.yaml]}
//! exceptionWarningDays: 14
//! exceptions:
//!   - {namespace: payments, kind: Deployment, name: ledger, containers: [ledger],
//!      checks: [runAsNonRoot], owner: team-payments, reason: "…", expires: 2026-06-30}
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::exceptions::{self, Exception};
use super::labels::{self, Label, KEYS};
use super::strict::{self, dns_label, dns_subdomain, ConfigError, ConfigErrors, Reader};
use super::{Exemptions, NamespaceEntry};
use crate::manifest::Node;
use crate::model::diagnostic::Mode;
use crate::model::level::{Level, Version};
use crate::workload::kinds::{api_group, WorkloadKind};
use crate::workload::templates::TemplatePath;

/// The file names looked for, in this order, in each directory.
pub const FILE_NAMES: [&str; 2] = ["psslint.yaml", ".psslint.yaml"];

const TOP_KEYS: [&str; 8] = [
    "kubernetes",
    "defaults",
    "exemptions",
    "namespaces",
    "workloads",
    "exceptions",
    "exceptionWarningDays",
    "charts",
];

/// A default set by the config file: a mode's level or version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefaultValue {
    Level(Level),
    Version(Version),
}

/// A parsed, validated configuration file.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The path as shown in messages.
    pub name: String,
    /// The file's text, for source snippets of findings about it.
    pub text: Arc<str>,
    pub kubernetes: Option<u32>,
    /// `(mode, value, source)` for each key of `defaults:` that is set.
    pub defaults: Vec<(Mode, DefaultValue, Arc<str>)>,
    pub exemptions: Exemptions,
    pub namespaces: Vec<NamespaceEntry>,
    pub workloads: Vec<WorkloadKind>,
    pub exceptions: Vec<Exception>,
    pub exception_warning_days: Option<u32>,
    /// `charts:`: per chart directory (as written, relative to the config file's directory),
    /// the values files to render it with (likewise relative), in order.
    pub charts: Vec<(String, Vec<String>)>,
}

/// Finds the config file for `start` (the working directory): the first directory, going up,
/// that holds `psslint.yaml` or `.psslint.yaml`, stopping after the directory that holds
/// `.git` (the repository root). Both names in one directory is an error.
pub fn find(start: &Path) -> Result<Option<PathBuf>, ConfigErrors> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        let found: Vec<PathBuf> = FILE_NAMES
            .iter()
            .map(|n| d.join(n))
            .filter(|p| p.is_file())
            .collect();
        match found.as_slice() {
            [one] => return Ok(Some(one.clone())),
            [a, b] => {
                return Err(ConfigErrors(vec![ConfigError {
                    file: display(a, start),
                    pos: None,
                    message: format!(
                        "both {} and {} exist; keep one",
                        display(a, start),
                        display(b, start)
                    ),
                }]))
            }
            _ => {}
        }
        if d.join(".git").exists() {
            break;
        }
        dir = d.parent();
    }
    Ok(None)
}

/// `path` relative to `cwd` when it is inside it or above it (`../psslint.yaml`).
pub fn display(path: &Path, cwd: &Path) -> String {
    if let Ok(rel) = path.strip_prefix(cwd) {
        return crate::input::display_path(rel);
    }
    let mut up = String::new();
    let mut base = Some(cwd);
    while let Some(b) = base {
        if let Ok(rel) = path.strip_prefix(b) {
            return format!("{up}{}", crate::input::display_path(rel));
        }
        up.push_str("../");
        base = b.parent();
    }
    crate::input::display_path(path)
}

/// Loads and validates the config file at `path`, shown as `name`.
pub fn load(path: &Path, name: &str) -> Result<Config, ConfigErrors> {
    let doc = strict::load(path, name)?;
    from_loaded(doc)
}

/// Parses and validates config text (for tests and library users).
pub fn parse(name: &str, text: &str) -> Result<Config, ConfigErrors> {
    from_loaded(strict::parse(name, text.to_string())?)
}

fn from_loaded(doc: strict::Loaded) -> Result<Config, ConfigErrors> {
    let mut config = Config {
        name: doc.name.clone(),
        text: Arc::from(doc.text.as_str()),
        ..Config::default()
    };
    let Some(root) = &doc.root else {
        return Ok(config);
    };
    let mut r = Reader::new(&doc.name);
    let Some(top) = r.fields(root, "", &TOP_KEYS) else {
        return Err(ConfigErrors(r.errors));
    };
    if let Some(n) = top.get("kubernetes").filter(|n| !n.is_null()) {
        if let Some(s) = r.string(n, "kubernetes") {
            match parse_kubernetes(s) {
                Ok(minor) => config.kubernetes = Some(minor),
                Err(e) => r.error(n.span, format!("kubernetes: invalid value {s:?}: {e}")),
            }
        }
    }
    if let Some(n) = top.get("defaults").filter(|n| !n.is_null()) {
        config.defaults = defaults(&mut r, n, &doc.name);
    }
    if let Some(n) = top.get("exemptions").filter(|n| !n.is_null()) {
        config.exemptions = exemptions(&mut r, n);
    }
    if let Some(n) = top.get("namespaces").filter(|n| !n.is_null()) {
        config.namespaces = namespaces(&mut r, n, &doc.name);
    }
    if let Some(n) = top.get("workloads").filter(|n| !n.is_null()) {
        config.workloads = workloads(&mut r, n, &doc.name);
    }
    if let Some(n) = top.get("exceptionWarningDays").filter(|n| !n.is_null()) {
        match n.value {
            crate::manifest::Value::Int(i) if (0..=3650).contains(&i) => {
                config.exception_warning_days = Some(i as u32);
            }
            _ => r.error(
                n.span,
                format!(
                    "exceptionWarningDays: expected a whole number of days from 0 to 3650, found {}",
                    strict::describe(n)
                ),
            ),
        }
    }
    if let Some(n) = top.get("charts").filter(|n| !n.is_null()) {
        config.charts = charts(&mut r, n);
    }
    if let Some(n) = top.get("exceptions").filter(|n| !n.is_null()) {
        if let Some(items) = n.as_seq() {
            for (i, item) in items.iter().enumerate() {
                let path = format!("exceptions[{i}]");
                if let Some(e) = exceptions::from_config(&mut r, item, &path, i, &doc.name) {
                    config.exceptions.push(e);
                }
            }
        } else {
            r.error(
                n.span,
                format!("exceptions: expected a list, found {}", strict::describe(n)),
            );
        }
    }
    r.finish()?;
    Ok(config)
}

/// `v1.N` or `1.N` → N.
pub fn parse_kubernetes(s: &str) -> Result<u32, String> {
    let v = if s.starts_with('v') {
        s.to_string()
    } else {
        format!("v{s}")
    };
    match v.parse::<Version>() {
        Ok(Version::V1(minor)) => Ok(minor),
        _ => Err("must be a Kubernetes minor version such as v1.33".to_string()),
    }
}

fn defaults(r: &mut Reader<'_>, node: &Node, file: &str) -> Vec<(Mode, DefaultValue, Arc<str>)> {
    let allowed: Vec<&str> = KEYS.iter().map(|(_, _, k)| labels::short_key(k)).collect();
    let mut out = Vec::new();
    let Some(map) = r.fields(node, "defaults", &allowed) else {
        return out;
    };
    for (mode, is_version, key) in KEYS {
        let key = labels::short_key(key);
        let Some(n) = map.get(key) else { continue };
        let path = format!("defaults.{key}");
        let Some(s) = r.string(n, &path) else {
            continue;
        };
        let source: Arc<str> = Arc::from(format!(
            "{file}:{}:{} ({path})",
            n.span.start.line, n.span.start.col
        ));
        let value = if is_version {
            s.parse::<Version>().map(DefaultValue::Version)
        } else {
            s.parse::<Level>().map(DefaultValue::Level)
        };
        match value {
            Ok(v) => out.push((mode, v, source)),
            Err(e) => r.error(n.span, format!("{path}: invalid value {s:?}: {e}")),
        }
    }
    out
}

/// `charts: {DIR: {values: [FILE, ...]}}`.
fn charts(r: &mut Reader<'_>, node: &Node) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let Some(map) = node.as_map() else {
        r.error(
            node.span,
            format!(
                "charts: expected an object, found {}",
                strict::describe(node)
            ),
        );
        return out;
    };
    for e in map.iter() {
        let path = format!("charts.{}", e.key);
        let Some(fields) = r.fields(&e.value, &path, &["values"]) else {
            continue;
        };
        let values = fields
            .get("values")
            .map(|n| r.strings(n, &format!("{path}.values")))
            .unwrap_or_default();
        out.push((e.key.clone(), values.into_iter().map(|(s, _)| s).collect()));
    }
    out
}

fn exemptions(r: &mut Reader<'_>, node: &Node) -> Exemptions {
    let mut out = Exemptions::default();
    let Some(map) = r.fields(node, "exemptions", &["namespaces", "runtimeClasses"]) else {
        return out;
    };
    if let Some(n) = map.get("namespaces") {
        out.namespaces = r
            .unique_strings(n, "exemptions.namespaces", dns_label)
            .into_iter()
            .map(|(s, _)| s)
            .collect();
    }
    if let Some(n) = map.get("runtimeClasses") {
        out.runtime_classes = r
            .unique_strings(n, "exemptions.runtimeClasses", dns_subdomain)
            .into_iter()
            .map(|(s, _)| s)
            .collect();
    }
    out
}

/// `namespaces:` maps a namespace name to PSA labels (short keys such as `enforce` or full
/// label keys) and an optional `reason`.
fn namespaces(r: &mut Reader<'_>, node: &Node, file: &str) -> Vec<NamespaceEntry> {
    let mut out = Vec::new();
    let Some(map) = node.as_map() else {
        r.error(
            node.span,
            format!(
                "namespaces: expected an object mapping names to labels, found {}",
                strict::describe(node)
            ),
        );
        return out;
    };
    let mut allowed: Vec<&str> = KEYS.iter().map(|(_, _, k)| labels::short_key(k)).collect();
    allowed.extend(KEYS.iter().map(|(_, _, k)| *k));
    allowed.push("reason");
    for e in map.iter() {
        let at = format!("namespaces.{}", e.key);
        if let Err(msg) = dns_label(&e.key) {
            r.error(
                e.key_span,
                format!("namespaces: invalid name {:?}: {msg}", e.key),
            );
            continue;
        }
        let mut entry = NamespaceEntry {
            name: e.key.clone(),
            file: file.to_string(),
            span: e.key_span,
            labels: Vec::new(),
            reason: None,
        };
        if e.value.is_null() {
            out.push(entry);
            continue;
        }
        let Some(fields) = r.fields(&e.value, &at, &allowed) else {
            continue;
        };
        for f in fields.iter() {
            let path = format!("{at}.{}", f.key);
            if f.key == "reason" {
                entry.reason = r.nonempty(&f.value, &path).map(str::to_string);
                continue;
            }
            let Some(&(_, is_version, full)) = KEYS
                .iter()
                .find(|(_, _, k)| *k == f.key || labels::short_key(k) == f.key)
            else {
                continue;
            };
            if entry.labels.iter().any(|l| l.key == full) {
                r.error(
                    f.key_span,
                    format!(
                        "{path}: {} is already set for this namespace",
                        labels::short_key(full)
                    ),
                );
                continue;
            }
            let Some(s) = r.string(&f.value, &path) else {
                continue;
            };
            let valid = if is_version {
                s.parse::<Version>().map(|_| ())
            } else {
                s.parse::<Level>().map(|_| ())
            };
            if let Err(msg) = valid {
                r.error(f.value.span, format!("{path}: invalid value {s:?}: {msg}"));
                continue;
            }
            entry.labels.push(Label {
                key: full,
                value: s.to_string(),
                is_string: true,
                span: f.value.span,
                source: format!(
                    "{file}:{}:{} ({path})",
                    f.key_span.start.line, f.key_span.start.col
                ),
            });
        }
        out.push(entry);
    }
    out
}

/// `workloads:` names custom resources that carry pod templates: `apiVersion` (any version of
/// the group matches), `kind`, and `template`, a path or a list of paths with list wildcards
/// (`spec.templates[*].template`).
fn workloads(r: &mut Reader<'_>, node: &Node, file: &str) -> Vec<WorkloadKind> {
    let mut out: Vec<WorkloadKind> = Vec::new();
    let Some(items) = node.as_seq() else {
        r.error(
            node.span,
            format!(
                "workloads: expected a list, found {}",
                strict::describe(node)
            ),
        );
        return out;
    };
    for (i, item) in items.iter().enumerate() {
        let at = format!("workloads[{i}]");
        let Some(m) = r.fields(item, &at, &["apiVersion", "kind", "template"]) else {
            continue;
        };
        let mut get = |key: &str| match m.get(key) {
            Some(n) => r
                .nonempty(n, &format!("{at}.{key}"))
                .map(|s| (s.to_string(), n.span)),
            None => {
                r.error(item.span, format!("{at}: missing {key}"));
                None
            }
        };
        let (Some((api_version, av_span)), Some((kind, _))) = (get("apiVersion"), get("kind"))
        else {
            continue;
        };
        let Some(templates) = template_paths(r, m.get("template"), item, &at) else {
            continue;
        };
        if !api_version.contains('/') || api_group(&api_version).is_empty() {
            r.error(
                av_span,
                format!("{at}.apiVersion: {api_version:?} must name an API group and version, e.g. example.com/v1"),
            );
            continue;
        }
        let group = api_group(&api_version);
        if crate::workload::kinds::is_builtin(group, &kind) {
            r.error(
                item.span,
                format!("{at}: {kind} is built in; it cannot be redefined"),
            );
            continue;
        }
        if out.iter().any(|o| o.group == group && o.kind == kind) {
            r.error(item.span, format!("{at}: {kind} is listed twice"));
            continue;
        }
        out.push(WorkloadKind {
            group: group.to_string(),
            kind,
            templates,
            configured: Some(format!(
                "{file}:{}:{} ({at})",
                item.span.start.line, item.span.start.col
            )),
        });
    }
    out
}

/// `template:` of a `workloads:` entry: one path or a non-empty list of them, each valid.
fn template_paths(
    r: &mut Reader<'_>,
    node: Option<&Node>,
    item: &Node,
    at: &str,
) -> Option<Vec<TemplatePath>> {
    let Some(node) = node else {
        r.error(item.span, format!("{at}: missing template"));
        return None;
    };
    let path = format!("{at}.template");
    let written: Vec<(&Node, String)> = match node.as_seq() {
        Some([]) => {
            r.error(
                node.span,
                format!("{path}: expected a path or a list of paths, found an empty list"),
            );
            return None;
        }
        Some(items) => items
            .iter()
            .enumerate()
            .map(|(i, n)| (n, format!("{path}[{i}]")))
            .collect(),
        None => vec![(node, path)],
    };
    let mut out = Vec::new();
    let mut ok = true;
    for (n, path) in written {
        let Some(text) = r.nonempty(n, &path) else {
            ok = false;
            continue;
        };
        match TemplatePath::parse(text) {
            Ok(p) => out.push(p),
            Err(e) => {
                ok = false;
                r.error(
                    n.span,
                    format!(
                        "{path}: {text:?} is not a template path: {} (at character {}); write keys separated by dots, with [*] for every item of a list, e.g. spec.template or spec.templates[*].template",
                        e.message,
                        e.at + 1
                    ),
                );
            }
        }
    }
    ok.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<String> {
        match parse("psslint.yaml", text) {
            Ok(_) => Vec::new(),
            Err(e) => e.0.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn a_full_config_parses() {
        let c = parse(
            "psslint.yaml",
            "kubernetes: v1.33\ndefaults:\n  enforce: restricted\n  warn-version: v1.30\nexemptions:\n  namespaces: [kube-system]\n  runtimeClasses: [kata]\nnamespaces:\n  legacy:\n    enforce: privileged\n    reason: vendor agent\n  web:\n    pod-security.kubernetes.io/enforce: baseline\nworkloads:\n- apiVersion: example.com/v1\n  kind: Widget\n  template: spec.pod\nexceptionWarningDays: 30\n",
        )
        .unwrap();
        assert_eq!(c.kubernetes, Some(33));
        assert_eq!(c.defaults.len(), 2);
        assert_eq!(c.exemptions.namespaces.len(), 1);
        assert_eq!(c.namespaces.len(), 2);
        assert_eq!(c.namespaces[0].reason.as_deref(), Some("vendor agent"));
        assert_eq!(
            c.namespaces[1].labels[0].key,
            "pod-security.kubernetes.io/enforce"
        );
        assert_eq!(c.workloads[0].group, "example.com");
        assert_eq!(c.exception_warning_days, Some(30));
    }

    #[test]
    fn unknown_keys_are_errors_with_positions() {
        assert_eq!(
            errors("deflaults:\n  enforce: baseline\n"),
            ["psslint.yaml:1:1: the document: unknown field \"deflaults\" (strict decoding; known fields: kubernetes, defaults, exemptions, namespaces, workloads, exceptions, exceptionWarningDays, charts)"]
        );
        let e = errors("namespaces:\n  web:\n    enforcement: baseline\n");
        assert!(
            e[0].starts_with("psslint.yaml:3:5: namespaces.web: unknown field \"enforcement\""),
            "{e:?}"
        );
    }

    #[test]
    fn bad_levels_versions_and_names_are_errors() {
        let e = errors("defaults:\n  enforce: Restricted\n  warn-version: \"1.30\"\nnamespaces:\n  Web: {enforce: baseline}\n");
        assert_eq!(e.len(), 3, "{e:?}");
        assert!(
            e[0].starts_with("psslint.yaml:2:12: defaults.enforce: invalid value \"Restricted\"")
        );
        assert!(e[1].contains("must be \\\"latest\\\" or \\\"v1.x\\\"") || e[1].contains("latest"));
        assert!(e[2].starts_with("psslint.yaml:5:3: namespaces: invalid name \"Web\""));
    }

    #[test]
    fn an_unquoted_version_number_gets_a_hint() {
        let e = errors("kubernetes: 1.30\n");
        assert!(e[0].contains("quote it"), "{e:?}");
        assert_eq!(parse_kubernetes("1.30"), Ok(30));
        assert_eq!(parse_kubernetes("v1.9"), Ok(9));
        assert!(parse_kubernetes("latest").is_err());
    }

    #[test]
    fn workloads_need_a_group_and_a_path() {
        let e = errors("workloads:\n- {apiVersion: v1, kind: Thing, template: spec.template}\n- {apiVersion: x.io/v1, kind: T, template: 'spec..t'}\n- {apiVersion: apps/v1, kind: Deployment, template: spec.template}\n");
        assert_eq!(e.len(), 3, "{e:?}");
    }

    #[test]
    fn workload_paths_take_list_wildcards_and_lists() {
        let c = parse(
            "psslint.yaml",
            "workloads:\n- apiVersion: example.com/v1\n  kind: Batch\n  template: spec.jobs[*].template\n- apiVersion: example.com/v1\n  kind: Two\n  template: [spec.a, 'spec.b[*].t']\n",
        )
        .unwrap();
        assert_eq!(
            c.workloads[0].templates[0].to_string(),
            "spec.jobs[*].template"
        );
        assert_eq!(
            c.workloads[0].configured.as_deref(),
            Some("psslint.yaml:2:3 (workloads[0])")
        );
        assert_eq!(c.workloads[1].templates.len(), 2);
        let e = errors("workloads:\n- apiVersion: example.com/v1\n  kind: Batch\n  template: spec.jobs[].template\n");
        assert_eq!(
            e,
            ["psslint.yaml:4:13: workloads[0].template: \"spec.jobs[].template\" is not a template path: `[…]` must hold `*` (every item) or an index such as `0` (at character 11); write keys separated by dots, with [*] for every item of a list, e.g. spec.template or spec.templates[*].template"]
        );
        let e = errors("workloads:\n- {apiVersion: x.io/v1, kind: T, template: [ok.path, 'a b']}\n- {apiVersion: x.io/v1, kind: U, template: []}\n");
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].contains("workloads[0].template[1]"), "{e:?}");
    }

    #[test]
    fn config_is_found_upward_until_the_repository_root() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        let deep = repo.join("a/b");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::create_dir(repo.join(".git")).unwrap();
        assert_eq!(find(&deep).unwrap(), None);
        std::fs::write(dir.path().join("psslint.yaml"), "").unwrap();
        assert_eq!(find(&deep).unwrap(), None, "stops at the repository root");
        std::fs::write(repo.join(".psslint.yaml"), "").unwrap();
        assert_eq!(find(&deep).unwrap(), Some(repo.join(".psslint.yaml")));
        assert_eq!(
            display(&repo.join(".psslint.yaml"), &deep),
            "../../.psslint.yaml"
        );
        std::fs::write(repo.join("psslint.yaml"), "").unwrap();
        assert!(find(&deep).is_err());
    }
}
