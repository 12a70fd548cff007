//! Namespace hygiene: findings about the PSA labels of `Namespace` objects in the input and of
//! namespace entries in the config file.
//!
//! * `namespace-invalid-label` (error): a value the API server rejects (pss-spec §5.3).
//! * `namespace-no-enforce`: no enforce label, so pods get whatever the cluster default is.
//! * `namespace-unpinned-version`: enforce without `enforce-version`, or pinned to `latest`,
//!   so a cluster upgrade silently changes the policy.
//! * `namespace-exempt-labeled`: an exempt namespace with labels that will be ignored, with the
//!   API server's own warning text (§5.4).
//! * `namespace-weaker-than-default`: a mode set to `privileged`, or weaker than the default,
//!   without a documented `reason` in the config file.
//! * `namespace-conflict`: two Namespace objects of one name with different PSA labels; the
//!   finding is on the one the run does not use, and names the one it does.

use super::finding::Finding;
use super::labels::{self, Label, Resolved};
use super::{Mode, Policy};
use crate::manifest::object::ObjectInfo;
use crate::manifest::Node;
use crate::model::diagnostic::{ObjectRef, Severity};
use crate::model::level::{Level, Version, MAX_MINOR};
use crate::model::source::Span;

/// Findings about a `Namespace` object named `name` in `file`.
pub fn namespace_object(
    policy: &Policy,
    info: &ObjectInfo,
    node: &Node,
    file: &str,
) -> Vec<Finding> {
    let object = ObjectRef {
        api_version: info.api_version.clone(),
        kind: info.kind.clone(),
        name: info.name.clone(),
        namespace: String::new(),
    };
    let name = object.name.as_str();
    let labels = super::namespaces::labels_of(name, node, file);
    let resolved = labels::resolve(&labels, policy.defaults());
    let mut out = Vec::new();
    for e in &resolved.errors {
        let mode = labels::KEYS
            .iter()
            .find(|(_, _, k)| *k == e.key)
            .map_or("", |(m, _, _)| m.as_str());
        out.push(
            Finding::new(
                "namespace-invalid-label",
                Severity::Error,
                format!("Namespace {name:?} is invalid: {}", e.field_error()),
                e.span,
            )
            .with_hint(format!(
                "the API server rejects this Namespace; psslint evaluates {mode} as {} meanwhile, as Pod Security Admission does for an invalid label",
                e.fallback
            ))
            .with_field(format!("metadata.labels[{}]", e.key)),
        );
    }
    let entry = policy.config_namespace(name);
    let reason = entry.and_then(|e| e.reason.as_deref());
    let labels_span = node
        .get("metadata")
        .and_then(|m| m.as_map())
        .and_then(|m| m.entry("labels").or_else(|| m.entry("name")))
        .map_or(node.span, |e| e.key_span);
    let config_enforces = entry.is_some_and(|e| {
        e.labels
            .iter()
            .any(|l| l.key == labels::key(Mode::Enforce, false))
    });
    let place = Place {
        what: format!("Namespace {name:?}"),
        labels: &labels,
        resolved: &resolved,
        reason,
        no_enforce_span: labels_span,
        namespace: name,
    };
    // A definition the run does not use: its pods get the other one's policy, so "its pods
    // get the default" would be wrong; the conflict says what they get.
    let conflict = conflict(policy, name, node, file, &labels, labels_span);
    out.extend(place.check(policy, !config_enforces && conflict.is_none()));
    out.extend(conflict);
    out.into_iter()
        .map(|f| {
            let f = f.with_object(object.clone());
            if f.field.is_none() {
                f.with_field("metadata.labels")
            } else {
                f
            }
        })
        .collect()
}

/// Findings about the config file's namespace entries that are in effect (an entry is
/// shadowed by a labelled Namespace object in the input).
pub fn config_entries(policy: &Policy) -> Vec<Finding> {
    let mut out = Vec::new();
    for entry in policy.config_namespaces() {
        if entry.labels.is_empty() || policy.observed_namespace(&entry.name).is_some() {
            continue;
        }
        let resolved = labels::resolve(&entry.labels, policy.defaults());
        let place = Place {
            what: format!("config entry namespaces.{}", entry.name),
            labels: &entry.labels,
            resolved: &resolved,
            reason: entry.reason.as_deref(),
            no_enforce_span: entry.span,
            namespace: &entry.name,
        };
        out.extend(place.check(policy, true));
    }
    out
}

/// A set of labels to check, and how to talk about it.
struct Place<'a> {
    what: String,
    labels: &'a [Label],
    resolved: &'a Resolved,
    reason: Option<&'a str>,
    no_enforce_span: Span,
    namespace: &'a str,
}

impl Place<'_> {
    fn label(&self, mode: Mode, version: bool) -> Option<&Label> {
        let key = labels::key(mode, version);
        self.labels.iter().find(|l| l.key == key)
    }

    fn check(&self, policy: &Policy, want_enforce: bool) -> Vec<Finding> {
        let mut out = Vec::new();
        let defaults = policy.defaults();
        if policy.exemptions.namespaces.contains(self.namespace) {
            if let Some(text) = labels::exempt_warning(self.namespace, self.resolved, defaults) {
                let span = self.labels.first().map_or(self.no_enforce_span, |l| l.span);
                out.push(
                    Finding::new("namespace-exempt-labeled", Severity::Warning, text, span)
                        .with_hint("the namespace is exempt in the admission configuration; remove the labels or the exemption"),
                );
            }
            return out;
        }
        let enforce = self.label(Mode::Enforce, false);
        if enforce.is_none() && want_enforce {
            let d = defaults.get(Mode::Enforce);
            let default = format!(
                "the default enforce policy {:?} from {}",
                d.policy.label(),
                d.source.as_deref().unwrap_or("the cluster default")
            );
            // Under --level, this run judged the pods by the forced policy, not the default.
            let message = match policy.forced_policy() {
                Some(forced) => format!(
                    "{} has no pod-security.kubernetes.io/enforce label; this run judges its pods at {:?} (--level), and without --level they get {default}",
                    self.what,
                    forced.label()
                ),
                None => format!(
                    "{} has no pod-security.kubernetes.io/enforce label, so its pods get {default}",
                    self.what
                ),
            };
            let wanted = wanted_enforce(policy);
            out.push(
                Finding::new(
                    "namespace-no-enforce",
                    Severity::Warning,
                    message,
                    self.no_enforce_span,
                )
                .with_fix(
                    "Label the namespace with the level its workloads must meet",
                    format!(
                        "pod-security.kubernetes.io/enforce: {}\npod-security.kubernetes.io/enforce-version: {}",
                        wanted.level, wanted.version
                    ),
                ),
            );
        }
        let enforce_valid =
            enforce.is_some_and(|l| l.is_string && l.value.parse::<Level>().is_ok());
        if let (Some(enforce), true) = (enforce, enforce_valid) {
            let version = self.label(Mode::Enforce, true);
            let unpinned = match version {
                None => Some((
                    enforce.span,
                    "without pod-security.kubernetes.io/enforce-version".to_string(),
                )),
                Some(v) if v.is_string && v.value == "latest" => Some((
                    v.span,
                    "with pod-security.kubernetes.io/enforce-version \"latest\"".to_string(),
                )),
                _ => None,
            };
            if let Some((span, how)) = unpinned {
                if enforce.value != "privileged" {
                    out.push(
                        Finding::new(
                            "namespace-unpinned-version",
                            Severity::Warning,
                            format!(
                                "{} enforces {} {how}: the policy changes whenever the cluster is upgraded",
                                self.what, enforce.value
                            ),
                            span,
                        )
                        .with_fix(
                            "Pin the enforced version",
                            format!(
                                "pod-security.kubernetes.io/enforce-version: {}",
                                wanted_enforce(policy).version
                            ),
                        ),
                    );
                }
            }
        }
        if self.reason.is_none() {
            for mode in Mode::ALL {
                let Some(l) = self.label(mode, false) else {
                    continue;
                };
                let Ok(level) = l.value.parse::<Level>() else {
                    continue;
                };
                if !l.is_string {
                    continue;
                }
                let default = defaults.get(mode).policy.level;
                if level == Level::Privileged || level < default {
                    let why = if level < default {
                        format!("weaker than the default {default}")
                    } else {
                        "which checks nothing".to_string()
                    };
                    out.push(
                        Finding::new(
                            "namespace-weaker-than-default",
                            Severity::Warning,
                            format!(
                                "{} sets {}={level}, {why}, with no documented reason",
                                self.what,
                                mode.as_str()
                            ),
                            l.span,
                        )
                        .with_hint(format!(
                            "document why in the psslint config: namespaces: {{{}: {{reason: \"…\"}}}}",
                            self.namespace
                        )),
                    );
                }
            }
        }
        out
    }
}

/// The enforce labels to suggest: the level this run judges by (the forced `--level`, else
/// the default enforce level), at least `baseline`, and the version pinned: the forced
/// version when it is pinned, else the target cluster's minor (or the newest psslint knows).
fn wanted_enforce(policy: &Policy) -> super::LevelVersion {
    let (level, version) = match policy.forced_policy() {
        Some(forced) => (forced.level, forced.version),
        None => (
            policy.defaults().get(Mode::Enforce).policy.level,
            Version::Latest,
        ),
    };
    super::LevelVersion {
        level: level.max(Level::Baseline),
        version: match version {
            Version::Latest => pin(policy),
            pinned => pinned,
        },
    }
}

/// The version to pin to: the target cluster's minor, or the newest psslint knows.
fn pin(policy: &Policy) -> Version {
    Version::V1(
        policy
            .kubernetes_minor
            .map_or(MAX_MINOR, |m| m.min(MAX_MINOR)),
    )
}

/// `namespace-conflict`: this Namespace object is not the one whose labels the run uses for
/// the namespace (the first with labels, by file path and position: see
/// [`super::namespaces::NamespaceIndex`]), and its labels differ from that one's.
fn conflict(
    policy: &Policy,
    name: &str,
    node: &Node,
    file: &str,
    labels: &[Label],
    span: Span,
) -> Option<Finding> {
    let winner = policy.observed_namespace(name)?;
    let here = (file, node.span.start.line, node.span.start.col);
    if (winner.file.as_str(), winner.line, winner.column) == here {
        return None;
    }
    let (theirs, ours) = (label_set(&winner.labels), label_set(labels));
    if theirs == ours {
        return None;
    }
    let at = format!("{}:{}:{}", winner.file, winner.line, winner.column);
    Some(
        Finding::new(
            "namespace-conflict",
            Severity::Warning,
            format!(
                "Namespace {name:?} is also defined at {at} with other Pod Security labels (there: {}; here: {}); psslint judges the namespace's workloads by the one at {at}, the first with labels by file path and position",
                describe(&theirs),
                describe(&ours)
            ),
            span,
        )
        .with_hint("keep one definition of the namespace: applied together, whichever is applied last sets its labels"),
    )
}

/// A namespace's PSA labels as `(short key, value, is a string)`, sorted.
fn label_set(labels: &[Label]) -> Vec<(&str, &str, bool)> {
    let mut set: Vec<_> = labels
        .iter()
        .map(|l| (labels::short_key(l.key), l.value.as_str(), l.is_string))
        .collect();
    set.sort_unstable();
    set
}

fn describe(set: &[(&str, &str, bool)]) -> String {
    if set.is_empty() {
        return "no Pod Security labels".to_string();
    }
    set.iter()
        .map(|(k, v, _)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}
