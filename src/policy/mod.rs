//! Who gets which level (pss-spec §4–5).
//!
//! Each workload's namespace is `metadata.namespace`, else `--namespace` (`default`). Its
//! enforce, audit and warn level and version come from the first of:
//!
//! 1. `--level`/`--pss-version`: one forced enforce policy for everything ([`Policy::forced`]);
//! 2. the PSA labels of a `Namespace` object in the input ([`namespaces`], resolved with the
//!    upstream fallbacks and warn defaulting in [`labels`]);
//! 3. the config file's `namespaces:` entry ([`config`]);
//! 4. the defaults of `--admission-config` ([`admission`]) or of the config file;
//! 5. the built-in default: enforce `baseline`, audit and warn `restricted`, all `latest`.
//!
//! Exempt namespaces and runtime classes are not evaluated. A check failing at enforce is an
//! error; failing only at audit or warn, a warning. Tracked [`exceptions`] then turn accepted
//! violations into notes.

pub mod admission;
pub mod config;
pub mod date;
pub mod entries;
pub mod exceptions;
pub mod finding;
pub mod hygiene;
pub mod labels;
pub mod levels;
pub mod namespaces;
pub mod strict;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::model::diagnostic::Mode;
use crate::model::level::{Level, Version};
use crate::pss::{self, Violation};

use exceptions::{Clock, Exception};
use namespaces::{NamespaceIndex, ObservedNamespace};

pub use entries::{find_entry, NamespaceEntry};
pub use levels::{
    Evaluation, Exemptions, LevelVersion, ModePolicies, ModePolicy, SourceKind, BUILTIN_SOURCE,
};

/// What a workload is, for policy resolution.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub namespace: &'a str,
    /// The pod template's `spec.runtimeClassName`.
    pub runtime_class: Option<&'a str>,
}

/// Why a workload is not evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exemption {
    Namespace,
    RuntimeClass,
}

/// The outcome of policy resolution for one workload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    Exempt(Exemption),
    Evaluate(Vec<Evaluation>),
}

/// A configuration file's text, for snippets of findings located in it.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub name: String,
    pub text: Arc<str>,
}

/// The policy in force for this run.
#[derive(Debug, Clone)]
pub struct Policy {
    forced: Option<LevelVersion>,
    /// The target cluster minor, if known; clamps `latest` and newer versions (pss-spec §1.3).
    pub kubernetes_minor: Option<u32>,
    defaults: ModePolicies,
    pub exemptions: Exemptions,
    namespaces: Vec<NamespaceEntry>,
    /// The config file's exceptions.
    pub exceptions: Vec<Exception>,
    pub clock: Clock,
    /// The config file, when one was read.
    pub config: Option<SourceFile>,
    observed: Option<Arc<NamespaceIndex>>,
    /// Resolved policies of every namespace that has labels (observed or configured).
    resolved: Arc<HashMap<String, ModePolicies>>,
}

impl Default for Policy {
    /// The built-in default policy, nothing configured.
    fn default() -> Self {
        Policy {
            forced: None,
            kubernetes_minor: None,
            defaults: ModePolicies::builtin(),
            exemptions: Exemptions::default(),
            namespaces: Vec::new(),
            exceptions: Vec::new(),
            clock: Clock::default(),
            config: None,
            observed: None,
            resolved: Arc::default(),
        }
    }
}

impl Policy {
    /// Every workload judged at `level`/`version` in enforce mode, and every violation an error
    /// (`--level`/`--pss-version`). Exemptions and exceptions, when configured, still apply.
    pub fn forced(level: Level, version: Version) -> Self {
        Policy {
            forced: Some(LevelVersion { level, version }),
            ..Policy::default()
        }
    }

    /// The policy forced on the command line, if any.
    pub fn forced_policy(&self) -> Option<LevelVersion> {
        self.forced
    }

    /// The defaults of unlabelled namespaces.
    pub fn defaults(&self) -> &ModePolicies {
        &self.defaults
    }

    pub fn set_defaults(&mut self, defaults: ModePolicies) {
        self.defaults = defaults;
        self.rebuild();
    }

    /// The config file's namespace entries.
    pub fn config_namespaces(&self) -> &[NamespaceEntry] {
        &self.namespaces
    }

    pub fn config_namespace(&self, name: &str) -> Option<&NamespaceEntry> {
        find_entry(&self.namespaces, name)
    }

    pub fn set_config_namespaces(&mut self, entries: Vec<NamespaceEntry>) {
        self.namespaces = entries;
        self.rebuild();
    }

    /// Whether the Namespace objects of the input still need collecting (they decide levels
    /// unless a policy is forced).
    pub fn needs_namespaces(&self) -> bool {
        self.forced.is_none() && self.observed.is_none()
    }

    /// Records the Namespace objects found in the input.
    pub fn observe(&mut self, index: NamespaceIndex) {
        self.observed = Some(Arc::new(index));
        self.rebuild();
    }

    pub fn observed_namespace(&self, name: &str) -> Option<&ObservedNamespace> {
        self.observed.as_ref()?.get(name)
    }

    fn rebuild(&mut self) {
        let mut map = HashMap::new();
        for e in self.namespaces.iter().filter(|e| !e.labels.is_empty()) {
            map.insert(
                e.name.clone(),
                labels::resolve(&e.labels, &self.defaults).policies,
            );
        }
        if let Some(index) = &self.observed {
            for ns in index.iter() {
                map.insert(
                    ns.name.clone(),
                    labels::resolve(&ns.labels, &self.defaults).policies,
                );
            }
        }
        self.resolved = Arc::new(map);
    }

    /// The resolved enforce/audit/warn policies of `namespace` (forced policy aside).
    pub fn namespace_policies(&self, namespace: &str) -> &ModePolicies {
        self.resolved.get(namespace).unwrap_or(&self.defaults)
    }

    /// The same policy with every workload judged at `policy` in enforce mode, as
    /// `--level`/`--pss-version` would; namespaces, exemptions and exceptions are kept.
    pub fn with_forced(&self, policy: LevelVersion) -> Policy {
        Policy {
            forced: Some(policy),
            ..self.clone()
        }
    }

    /// Whether workloads in `namespace` are never evaluated (pss-spec §5.4).
    pub fn is_exempt_namespace(&self, namespace: &str) -> bool {
        self.exemptions.namespaces.contains(namespace)
    }

    /// The resolved enforce/audit/warn policies of `namespace` and, per mode, what set it: the
    /// labels of a Namespace object in the input, the config file's entry, or a default.
    pub fn namespace_origin(&self, namespace: &str) -> (ModePolicies, [SourceKind; 3]) {
        let policies = self.namespace_policies(namespace).clone();
        let labelled_by = if self.observed_namespace(namespace).is_some() {
            SourceKind::Label
        } else if self
            .config_namespace(namespace)
            .is_some_and(|e| !e.labels.is_empty())
        {
            SourceKind::Config
        } else {
            SourceKind::Default
        };
        // A mode its labels leave alone keeps the default's source (warn defaulted from the
        // enforce label has a source of its own, so it counts as labelled).
        let mut kinds = Mode::ALL.map(|m| {
            if policies.get(m).source == self.defaults.get(m).source {
                SourceKind::Default
            } else {
                labelled_by
            }
        });
        // An invalid label is evaluated with a fallback, but the API server rejects the
        // Namespace itself (pss-spec §5.2): it is no policy to build on.
        if let Some(ns) = self.observed_namespace(namespace) {
            for e in labels::resolve(&ns.labels, &self.defaults).errors {
                if let Some((mode, _, _)) = labels::KEYS.iter().find(|(_, _, k)| *k == e.key) {
                    kinds[mode.index()] = SourceKind::Invalid;
                }
            }
        }
        (policies, kinds)
    }

    /// What to do with a workload: skip it (exempt) or run these evaluations.
    pub fn for_object(&self, target: &Target<'_>) -> Resolution {
        if self.exemptions.namespaces.contains(target.namespace) {
            return Resolution::Exempt(Exemption::Namespace);
        }
        let evaluations = match self.forced {
            Some(policy) => vec![Evaluation {
                mode: Mode::Enforce,
                policy,
                source: None,
            }],
            None => self.namespace_policies(target.namespace).evaluations(),
        };
        // A fully privileged namespace short-circuits before the runtime class (§5.4).
        let privileged = evaluations
            .iter()
            .all(|e| e.policy.level == Level::Privileged);
        if !privileged
            && target
                .runtime_class
                .is_some_and(|rc| self.exemptions.runtime_classes.contains(rc))
        {
            return Resolution::Exempt(Exemption::RuntimeClass);
        }
        Resolution::Evaluate(evaluations)
    }

    /// The minor version whose checks run for `version` in this cluster.
    pub fn effective_minor(&self, version: Version) -> u32 {
        version.effective_minor(self.kubernetes_minor)
    }
}

/// The violations of one distinct level/version, and the modes that use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub policy: LevelVersion,
    /// Strongest first.
    pub modes: Vec<Mode>,
    pub violations: Vec<Violation>,
}

/// A workload judged under all its modes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    pub groups: Vec<Group>,
    /// Each failing check once, at its strongest mode: `(group, violation index, evaluation)`.
    pub findings: Vec<(usize, usize, Evaluation)>,
}

/// Evaluates `pod` once per distinct level/version of `evaluations` and reports each failing
/// check once, at the strongest mode it fails in (enforce > audit > warn), with that mode's
/// level and version (pss-spec §4).
pub fn judge(pod: &pss::model::Pod, evaluations: &[Evaluation], policy: &Policy) -> Judgement {
    let mut evals: Vec<&Evaluation> = evaluations.iter().collect();
    evals.sort_by_key(|e| e.mode);
    let mut groups: Vec<Group> = Vec::new();
    let mut group_of = Vec::with_capacity(evals.len());
    for e in &evals {
        let i = match groups.iter().position(|g| g.policy == e.policy) {
            Some(i) => {
                groups[i].modes.push(e.mode);
                i
            }
            None => {
                let minor = policy.effective_minor(e.policy.version);
                groups.push(Group {
                    policy: e.policy,
                    modes: vec![e.mode],
                    violations: pss::evaluate(pod, e.policy.level, minor),
                });
                groups.len() - 1
            }
        };
        group_of.push(i);
    }
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut findings = Vec::new();
    for (e, &g) in evals.iter().zip(&group_of) {
        for (vi, v) in groups[g].violations.iter().enumerate() {
            if seen.insert(v.check) {
                findings.push((g, vi, (*e).clone()));
            }
        }
    }
    Judgement { groups, findings }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::source::Span;
    use crate::pss::model::{Container, Pod};

    fn lv(level: Level, version: Version) -> LevelVersion {
        LevelVersion { level, version }
    }

    fn privileged_pod() -> Pod {
        let mut pod = Pod::default();
        let mut c = Container {
            name: "app".into(),
            ..Container::default()
        };
        c.security_context
            .get_or_insert_with(Default::default)
            .privileged = Some(true);
        pod.spec.containers.push(c);
        pod
    }

    #[test]
    fn the_builtin_default_is_baseline_enforce_and_restricted_audit_and_warn() {
        let p = Policy::default();
        let Resolution::Evaluate(e) = p.for_object(&Target {
            namespace: "default",
            runtime_class: None,
        }) else {
            panic!("evaluated")
        };
        let labels: Vec<String> = e
            .iter()
            .map(|e| format!("{}={}", e.mode.as_str(), e.policy.label()))
            .collect();
        assert_eq!(
            labels,
            [
                "enforce=baseline:latest",
                "audit=restricted:latest",
                "warn=restricted:latest"
            ]
        );
        assert_eq!(e[0].source.as_deref(), Some(BUILTIN_SOURCE));
    }

    #[test]
    fn forced_is_one_enforce_evaluation() {
        let p = Policy::forced(Level::Restricted, Version::V1(30));
        assert_eq!(
            p.for_object(&Target {
                namespace: "x",
                runtime_class: None
            }),
            Resolution::Evaluate(vec![Evaluation {
                mode: Mode::Enforce,
                policy: lv(Level::Restricted, Version::V1(30)),
                source: None
            }])
        );
    }

    #[test]
    fn exemptions_skip_namespaces_and_runtime_classes() {
        let mut p = Policy::default();
        p.exemptions.namespaces.insert("kube-system".into());
        p.exemptions.runtime_classes.insert("kata".into());
        let t = |ns, rc| Target {
            namespace: ns,
            runtime_class: rc,
        };
        assert_eq!(
            p.for_object(&t("kube-system", None)),
            Resolution::Exempt(Exemption::Namespace)
        );
        assert_eq!(
            p.for_object(&t("app", Some("kata"))),
            Resolution::Exempt(Exemption::RuntimeClass)
        );
        assert!(matches!(
            p.for_object(&t("app", Some("runc"))),
            Resolution::Evaluate(_)
        ));
        // A fully privileged namespace short-circuits before the runtime class check.
        p.set_defaults(ModePolicies::uniform(
            lv(Level::Privileged, Version::Latest),
            None,
        ));
        assert!(matches!(
            p.for_object(&t("app", Some("kata"))),
            Resolution::Evaluate(_)
        ));
    }

    #[test]
    fn namespace_origin_names_what_set_each_mode() {
        let label = |key: &'static str, value: &str| labels::Label {
            key,
            value: value.into(),
            is_string: true,
            span: Span::default(),
            source: format!("label {key}"),
        };
        let observed = |name: &str, labels: Vec<labels::Label>| ObservedNamespace {
            name: name.into(),
            file: "ns.yaml".into(),
            line: 1,
            column: 1,
            labels,
        };
        let mut p = Policy::default();
        p.set_defaults(ModePolicies::uniform(
            lv(Level::Privileged, Version::Latest),
            None,
        ));
        p.set_config_namespaces(vec![NamespaceEntry {
            name: "ingress".into(),
            file: "psslint.yaml".into(),
            span: Span::default(),
            labels: vec![label(labels::key(Mode::Audit, false), "baseline")],
            reason: None,
        }]);
        p.observe(NamespaceIndex::from_observed(vec![
            observed(
                "shop",
                vec![label(labels::key(Mode::Enforce, false), "baseline")],
            ),
            observed(
                "typo",
                vec![label(labels::key(Mode::Enforce, false), "Restricted")],
            ),
        ]));
        // Warn is defaulted from the enforce label, so it counts as labelled.
        assert_eq!(
            p.namespace_origin("shop").1,
            [SourceKind::Label, SourceKind::Default, SourceKind::Label]
        );
        assert_eq!(
            p.namespace_origin("ingress").1,
            [SourceKind::Default, SourceKind::Config, SourceKind::Default]
        );
        assert_eq!(
            p.namespace_origin("typo").1,
            [
                SourceKind::Invalid,
                SourceKind::Default,
                SourceKind::Default
            ]
        );
        assert_eq!(p.namespace_origin("other").1, [SourceKind::Default; 3]);
        // Forcing a level keeps the namespaces, exemptions and exceptions.
        let forced = p.with_forced(lv(Level::Restricted, Version::V1(33)));
        assert_eq!(forced.namespace_origin("shop"), p.namespace_origin("shop"));
        assert_eq!(
            forced.for_object(&Target {
                namespace: "shop",
                runtime_class: None
            }),
            Resolution::Evaluate(vec![Evaluation {
                mode: Mode::Enforce,
                policy: lv(Level::Restricted, Version::V1(33)),
                source: None
            }])
        );
    }

    #[test]
    fn each_check_is_reported_once_at_its_strongest_mode() {
        let pod = privileged_pod();
        let p = Policy::default();
        let evals = p.namespace_policies("default").evaluations();
        let j = judge(&pod, &evals, &p);
        // baseline:latest (enforce) and restricted:latest (audit, warn): evaluated once each.
        assert_eq!(j.groups.len(), 2);
        assert_eq!(j.groups[1].modes, [Mode::Audit, Mode::Warn]);
        let modes: Vec<(&str, Mode)> = j
            .findings
            .iter()
            .map(|(g, v, e)| (j.groups[*g].violations[*v].check, e.mode))
            .collect();
        assert!(modes.contains(&("privileged", Mode::Enforce)));
        assert!(modes.contains(&("runAsNonRoot", Mode::Audit)));
        assert_eq!(modes.iter().filter(|(c, _)| *c == "privileged").count(), 1);
    }
}
