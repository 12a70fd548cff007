//! What a namespace's policy is: a level at a version per mode, where each was set, and the
//! evaluations a workload gets from it; the namespaces and runtime classes never evaluated.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::model::diagnostic::Mode;
use crate::model::level::{Level, Version};

/// A level at a version, as a namespace label pair sets it (`restricted` + `v1.37`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LevelVersion {
    pub level: Level,
    pub version: Version,
}

impl LevelVersion {
    /// `restricted:latest`, as upstream prints it in messages (pss-spec §4.2).
    pub fn label(&self) -> String {
        format!("{}:{}", self.level, self.version)
    }
}

/// One mode's policy and where it was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModePolicy {
    pub policy: LevelVersion,
    /// `label pod-security.kubernetes.io/enforce on Namespace/shop (k8s/ns.yaml:6:5)`,
    /// `psslint.yaml:4:12 (defaults.enforce)`, `psslint's built-in default`; `None` when the
    /// policy was forced on the command line.
    pub source: Option<Arc<str>>,
}

impl ModePolicy {
    pub fn new(policy: LevelVersion, source: Option<Arc<str>>) -> Self {
        ModePolicy { policy, source }
    }
}

/// Enforce, audit and warn, in that order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModePolicies(pub [ModePolicy; 3]);

impl ModePolicies {
    pub fn uniform(policy: LevelVersion, source: Option<Arc<str>>) -> Self {
        let p = ModePolicy::new(policy, source);
        ModePolicies([p.clone(), p.clone(), p])
    }

    /// psslint's built-in default: enforce `baseline`, audit and warn `restricted`, all `latest`.
    pub fn builtin() -> Self {
        let source: Arc<str> = Arc::from(BUILTIN_SOURCE);
        let at = |level| {
            ModePolicy::new(
                LevelVersion {
                    level,
                    version: Version::Latest,
                },
                Some(source.clone()),
            )
        };
        ModePolicies([
            at(Level::Baseline),
            at(Level::Restricted),
            at(Level::Restricted),
        ])
    }

    pub fn get(&self, mode: Mode) -> &ModePolicy {
        &self.0[mode.index()]
    }

    /// Upstream `Policy.Equivalent`: each mode's level/version equivalent.
    pub fn equivalent(&self, other: &ModePolicies) -> bool {
        Mode::ALL
            .iter()
            .all(|m| self.get(*m).policy.equivalent(&other.get(*m).policy))
    }

    pub(super) fn evaluations(&self) -> Vec<Evaluation> {
        Mode::ALL
            .iter()
            .map(|m| Evaluation {
                mode: *m,
                policy: self.get(*m).policy,
                source: self.get(*m).source.clone(),
            })
            .collect()
    }
}

/// What set a namespace's policy for one mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// A PSA label on a Namespace object in the input.
    Label,
    /// The config file's `namespaces:` entry.
    Config,
    /// The admission configuration's, the config file's or psslint's built-in defaults.
    Default,
    /// An invalid label: evaluated with the upstream fallback, rejected by the API server.
    Invalid,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Label => "label",
            SourceKind::Config => "config",
            SourceKind::Default => "default",
            SourceKind::Invalid => "invalid label",
        }
    }
}

/// How the built-in default is named in messages.
pub const BUILTIN_SOURCE: &str = "psslint's built-in default";

/// One evaluation to run on a workload: a mode and the level/version it uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    pub mode: Mode,
    pub policy: LevelVersion,
    /// Where the policy was set (`None` when forced on the command line).
    pub source: Option<Arc<str>>,
}

/// Namespaces and runtime classes that are never evaluated (pss-spec §5.4).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exemptions {
    pub namespaces: BTreeSet<String>,
    pub runtime_classes: BTreeSet<String>,
    /// Decoded for completeness; requesting users are unknown to a linter.
    pub usernames: BTreeSet<String>,
}

impl Exemptions {
    pub fn extend(&mut self, other: Exemptions) {
        self.namespaces.extend(other.namespaces);
        self.runtime_classes.extend(other.runtime_classes);
        self.usernames.extend(other.usernames);
    }
}
