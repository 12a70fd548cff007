//! `--admission-config`: the API server's `AdmissionConfiguration` (plugin `PodSecurity`, with
//! an inline `configuration` or a `path` relative to the file) or a standalone
//! `PodSecurityConfiguration`, decoded strictly as the API server decodes it (pss-spec §5.5):
//! unknown fields, missing `apiVersion`/`kind`, invalid levels and versions, and invalid or
//! duplicate exemptions are errors. Omitted or empty defaults are `privileged`/`latest`.

use std::path::Path;
use std::sync::Arc;

use super::labels::KEYS;
use super::strict::{self, dns_label, dns_subdomain, ConfigError, ConfigErrors, Reader};
use super::{Exemptions, LevelVersion, Mode, ModePolicies, ModePolicy};
use crate::input::display_path;
use crate::manifest::Node;
use crate::model::level::{Level, Version};

const ADMISSION_VERSIONS: [&str; 2] = [
    "apiserver.config.k8s.io/v1",
    "apiserver.config.k8s.io/v1alpha1",
];
const POD_SECURITY_VERSIONS: [&str; 3] = [
    "pod-security.admission.config.k8s.io/v1",
    "pod-security.admission.config.k8s.io/v1beta1",
    "pod-security.admission.config.k8s.io/v1alpha1",
];
const PLUGIN: &str = "PodSecurity";

/// What a cluster's admission configuration says about Pod Security.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdmissionPolicy {
    /// All six defaults, each with where it was set.
    pub defaults: ModePolicies,
    pub exemptions: Exemptions,
}

/// Loads `path` (an `AdmissionConfiguration` or a `PodSecurityConfiguration`).
pub fn load(path: &Path) -> Result<AdmissionPolicy, ConfigErrors> {
    let name = display_path(path);
    let doc = strict::load(path, &name)?;
    let Some(root) = &doc.root else {
        return Err(one(
            &name,
            None,
            "the file is empty; expected an AdmissionConfiguration or a PodSecurityConfiguration",
        ));
    };
    let mut r = Reader::new(&name);
    let (api_version, kind) = type_meta(&mut r, root, "");
    r.finish()?;
    let (api_version, kind) = (api_version.unwrap_or_default(), kind.unwrap_or_default());
    match kind.as_str() {
        "AdmissionConfiguration" => {
            check_version(&name, root, &api_version, &ADMISSION_VERSIONS, &kind)?;
            admission_configuration(path, &name, root)
        }
        "PodSecurityConfiguration" => pod_security(&name, root, ""),
        _ => Err(one(
            &name,
            root.get("kind").map(|n| n.span.start),
            &format!(
                "kind {kind:?} is not an AdmissionConfiguration ({}) or a PodSecurityConfiguration ({})",
                ADMISSION_VERSIONS[0], POD_SECURITY_VERSIONS[0]
            ),
        )),
    }
}

fn one(file: &str, pos: Option<crate::model::source::Pos>, message: &str) -> ConfigErrors {
    ConfigErrors(vec![ConfigError {
        file: file.to_string(),
        pos,
        message: message.to_string(),
    }])
}

/// `apiVersion` and `kind`, both required (strict decoding).
fn type_meta(r: &mut Reader<'_>, node: &Node, path: &str) -> (Option<String>, Option<String>) {
    let Some(map) = node.as_map() else {
        r.error(
            node.span,
            format!(
                "{}: expected an object, found {}",
                or_doc(path),
                strict::describe(node)
            ),
        );
        return (None, None);
    };
    let mut get = |key: &str| match map.get(key) {
        Some(n) => r.nonempty(n, &join(path, key)).map(str::to_string),
        None => {
            r.error(
                node.span,
                format!(
                    "{}: missing {key} (strict decoding requires apiVersion and kind)",
                    or_doc(path)
                ),
            );
            None
        }
    };
    (get("apiVersion"), get("kind"))
}

fn check_version(
    name: &str,
    node: &Node,
    api_version: &str,
    allowed: &[&str],
    kind: &str,
) -> Result<(), ConfigErrors> {
    if allowed.contains(&api_version) {
        return Ok(());
    }
    Err(one(
        name,
        node.get("apiVersion").map(|n| n.span.start),
        &format!(
            "no kind {kind:?} is registered for version {api_version:?}; expected one of {}",
            allowed.join(", ")
        ),
    ))
}

fn admission_configuration(
    path: &Path,
    name: &str,
    root: &Node,
) -> Result<AdmissionPolicy, ConfigErrors> {
    let mut r = Reader::new(name);
    // Every plugin entry's name and where it is written, and the PodSecurity entry.
    let mut names: Vec<(String, crate::model::source::Pos)> = Vec::new();
    let plugins = r
        .fields(root, "", &["apiVersion", "kind", "plugins"])
        .and_then(|m| m.get("plugins"));
    let plugin = plugins.and_then(|plugins| {
        if plugins.is_null() {
            return None;
        }
        let Some(items) = plugins.as_seq() else {
            r.error(plugins.span, "plugins: expected a list");
            return None;
        };
        let mut found = None;
        for (i, p) in items.iter().enumerate() {
            let at = format!("plugins[{i}]");
            let Some(m) = r.fields(p, &at, &["name", "path", "configuration"]) else {
                continue;
            };
            let name = match m.get("name") {
                Some(n) => {
                    let s = r.string(n, &format!("{at}.name"));
                    if let Some(s) = s {
                        names.push((s.to_string(), n.span.start));
                    }
                    s
                }
                None => {
                    r.error(p.span, format!("{at}: missing name"));
                    None
                }
            };
            if let Some(path) = m.get("path").filter(|n| !n.is_null()) {
                r.string(path, &format!("{at}.path"));
            }
            // The API server uses the first plugin entry with the name.
            if name == Some(PLUGIN) && found.is_none() {
                found = Some((i, p));
            }
        }
        found
    });
    r.finish()?;
    let Some((i, plugin)) = plugin else {
        // The API server would run the plugin with its defaults (all privileged, no
        // exemptions), but a file that configures nothing of Pod Security is a mistake here:
        // judging the cluster as privileged would pass everything without a word.
        return Err(no_pod_security(name, root, plugins, &names));
    };
    let at = format!("plugins[{i}]");
    if let Some(conf) = plugin.get("configuration").filter(|n| !n.is_null()) {
        let mut r = Reader::new(name);
        let (api_version, kind) = type_meta(&mut r, conf, &format!("{at}.configuration"));
        r.finish()?;
        check_kind(name, conf, api_version.as_deref(), kind.as_deref())?;
        return pod_security(name, conf, &format!("{at}.configuration."));
    }
    let Some(rel) = plugin
        .get("path")
        .and_then(Node::as_str)
        .filter(|s| !s.is_empty())
    else {
        return Err(one(
            name,
            Some(plugin.span.start),
            &format!(
                "{at}: the PodSecurity plugin has no configuration and no path, so this file \
                 configures nothing of Pod Security; {UNCONFIGURED_HINT}"
            ),
        ));
    };
    // Relative paths are relative to the admission configuration file, as in the API server.
    let target = match path.parent() {
        Some(dir) if Path::new(rel).is_relative() => dir.join(rel),
        _ => Path::new(rel).to_path_buf(),
    };
    let target_name = display_path(&target);
    let doc = strict::load(&target, &target_name)?;
    let Some(root) = &doc.root else {
        return Err(one(
            &target_name,
            None,
            &format!(
                "the file is empty (it is the PodSecurity plugin's configuration in {name}), \
                 so nothing of Pod Security is configured; {UNCONFIGURED_HINT}"
            ),
        ));
    };
    let mut r = Reader::new(&target_name);
    let (api_version, kind) = type_meta(&mut r, root, "");
    r.finish()?;
    check_kind(&target_name, root, api_version.as_deref(), kind.as_deref())?;
    pod_security(&target_name, root, "")
}

fn check_kind(
    name: &str,
    node: &Node,
    api_version: Option<&str>,
    kind: Option<&str>,
) -> Result<(), ConfigErrors> {
    if kind != Some("PodSecurityConfiguration") {
        return Err(one(
            name,
            node.get("kind").map(|n| n.span.start),
            &format!(
                "the PodSecurity plugin needs kind PodSecurityConfiguration, found {:?}",
                kind.unwrap_or_default()
            ),
        ));
    }
    check_version(
        name,
        node,
        api_version.unwrap_or_default(),
        &POD_SECURITY_VERSIONS,
        "PodSecurityConfiguration",
    )
}

/// What to do about an admission configuration that configures nothing of Pod Security.
const UNCONFIGURED_HINT: &str = "give the PodSecurity plugin a PodSecurityConfiguration (for a \
     cluster left at the plugin's defaults, one with `defaults: {enforce: privileged}`), or drop \
     --admission-config to use psslint's defaults";

/// The error for an `AdmissionConfiguration` without a `PodSecurity` plugin entry, naming the
/// entries it has and the one that looks like a misspelt `PodSecurity`.
fn no_pod_security(
    file: &str,
    root: &Node,
    plugins: Option<&Node>,
    names: &[(String, crate::model::source::Pos)],
) -> ConfigErrors {
    let near = names.iter().find(|(n, _)| looks_like_pod_security(n));
    let (pos, what) = match near {
        Some((n, pos)) => (
            Some(*pos),
            format!("plugin {n:?} is not PodSecurity (plugin names are exact and case-sensitive); did you mean \"PodSecurity\"?"),
        ),
        None if names.is_empty() => (
            plugins.or(Some(root)).map(|n| n.span.start),
            "it has no plugins".to_string(),
        ),
        None => (
            plugins.map(|n| n.span.start),
            format!(
                "its plugins are {}",
                names
                    .iter()
                    .map(|(n, _)| format!("{n:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
    };
    one(
        file,
        pos,
        &format!(
            "this AdmissionConfiguration configures no PodSecurity plugin: {what}; {UNCONFIGURED_HINT}"
        ),
    )
}

/// Whether a plugin name is probably a misspelt `PodSecurity`: the same but for case and
/// punctuation, or a few edits away.
fn looks_like_pod_security(name: &str) -> bool {
    let folded: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    folded.contains("podsecurity") || strsim::levenshtein(&folded, "podsecurity") <= 3
}

/// Decodes a `PodSecurityConfiguration` node; `prefix` places its fields in messages.
fn pod_security(name: &str, node: &Node, prefix: &str) -> Result<AdmissionPolicy, ConfigErrors> {
    let mut r = Reader::new(name);
    let version = node
        .get("apiVersion")
        .and_then(Node::as_str)
        .unwrap_or_default();
    check_version(
        name,
        node,
        version,
        &POD_SECURITY_VERSIONS,
        "PodSecurityConfiguration",
    )?;
    let map = r.fields(
        node,
        prefix.trim_end_matches('.'),
        &["apiVersion", "kind", "defaults", "exemptions"],
    );
    let mut defaults = ModePolicies::uniform(
        LevelVersion {
            level: Level::Privileged,
            version: Version::Latest,
        },
        None,
    );
    for m in Mode::ALL {
        defaults.0[m.index()].source = Some(Arc::from(format!(
            "{name} (PodSecurityConfiguration sets no {prefix}defaults.{}, so privileged)",
            m.as_str()
        )));
    }
    let mut exemptions = Exemptions::default();
    if let Some(map) = map {
        if let Some(d) = map.get("defaults").filter(|n| !n.is_null()) {
            read_defaults(&mut r, d, prefix, name, &mut defaults);
        }
        if let Some(e) = map.get("exemptions").filter(|n| !n.is_null()) {
            let at = format!("{prefix}exemptions");
            if let Some(m) = r.fields(e, &at, &["usernames", "namespaces", "runtimeClasses"]) {
                if let Some(n) = m.get("usernames") {
                    exemptions.usernames = r
                        .unique_strings(n, &format!("{at}.usernames"), |_| Ok(()))
                        .into_iter()
                        .map(|(s, _)| s)
                        .collect();
                }
                if let Some(n) = m.get("namespaces") {
                    exemptions.namespaces = r
                        .unique_strings(n, &format!("{at}.namespaces"), dns_label)
                        .into_iter()
                        .map(|(s, _)| s)
                        .collect();
                }
                if let Some(n) = m.get("runtimeClasses") {
                    exemptions.runtime_classes = r
                        .unique_strings(n, &format!("{at}.runtimeClasses"), dns_subdomain)
                        .into_iter()
                        .map(|(s, _)| s)
                        .collect();
                }
            }
        }
    }
    r.finish()?;
    Ok(AdmissionPolicy {
        defaults,
        exemptions,
    })
}

fn read_defaults(
    r: &mut Reader<'_>,
    node: &Node,
    prefix: &str,
    name: &str,
    out: &mut ModePolicies,
) {
    let at = format!("{prefix}defaults");
    let allowed: Vec<&str> = KEYS
        .iter()
        .map(|(_, _, k)| super::labels::short_key(k))
        .collect();
    let Some(map) = r.fields(node, &at, &allowed) else {
        return;
    };
    for (mode, is_version, key) in KEYS {
        let key = super::labels::short_key(key);
        let Some(value) = map.get(key).filter(|n| !n.is_null()) else {
            continue;
        };
        let path = format!("{at}.{key}");
        let Some(s) = r.string(value, &path) else {
            continue;
        };
        // An empty value means the default (privileged / latest).
        if s.is_empty() {
            continue;
        }
        let slot: &mut ModePolicy = &mut out.0[mode.index()];
        let source = Arc::from(format!(
            "{name}:{}:{} ({path})",
            value.span.start.line, value.span.start.col
        ));
        if is_version {
            match s.parse::<Version>() {
                Ok(v) => slot.policy.version = v,
                Err(e) => r.error(value.span, format!("{path}: Invalid value: {s:?}: {e}")),
            }
        } else {
            match s.parse::<Level>() {
                Ok(l) => {
                    slot.policy.level = l;
                    slot.source = Some(source);
                }
                Err(e) => r.error(value.span, format!("{path}: Invalid value: {s:?}: {e}")),
            }
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn or_doc(path: &str) -> &str {
    if path.is_empty() {
        "the document"
    } else {
        path
    }
}
