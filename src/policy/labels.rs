//! Pod Security Admission labels and how a namespace's policy is resolved from them
//! (pss-spec §5.1–5.2), including the fail-closed/fail-open fallbacks for invalid values, warn
//! defaulting from enforce, and the exempt-namespace warning text (§5.4).
//!
//! The same resolution runs for labels on a `Namespace` object in the input and for a
//! namespace entry in the config file, so both behave exactly as the API server would.

use std::sync::Arc;

use super::{LevelVersion, Mode, ModePolicies};
use crate::model::level::{Level, Version};
use crate::model::level::{LEVEL_ERROR, VERSION_ERROR};
use crate::model::source::Span;

/// The prefix of every PSA label.
pub const PREFIX: &str = "pod-security.kubernetes.io/";

/// The six label keys (pss-spec §5.1), as `(mode, is_version, key)`.
pub const KEYS: [(Mode, bool, &str); 6] = [
    (Mode::Enforce, false, "pod-security.kubernetes.io/enforce"),
    (
        Mode::Enforce,
        true,
        "pod-security.kubernetes.io/enforce-version",
    ),
    (Mode::Audit, false, "pod-security.kubernetes.io/audit"),
    (
        Mode::Audit,
        true,
        "pod-security.kubernetes.io/audit-version",
    ),
    (Mode::Warn, false, "pod-security.kubernetes.io/warn"),
    (Mode::Warn, true, "pod-security.kubernetes.io/warn-version"),
];

/// The full label key for a mode's level (or version).
pub fn key(mode: Mode, version: bool) -> &'static str {
    KEYS.iter()
        .find(|(m, v, _)| *m == mode && *v == version)
        .map_or("", |(_, _, k)| k)
}

/// The short key (`enforce`, `enforce-version`, …) used by PodSecurityConfiguration defaults.
pub fn short_key(full: &str) -> &str {
    full.strip_prefix(PREFIX).unwrap_or(full)
}

/// One PSA label as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// One of [`KEYS`].
    pub key: &'static str,
    /// The value's text (for a non-string value, how it was written).
    pub value: String,
    /// False when the value is not a string (`enforce: true`); such a label is invalid.
    pub is_string: bool,
    /// The value's span (the key's when the value has none).
    pub span: Span,
    /// Where the label comes from, for messages: `label pod-security.kubernetes.io/enforce on
    /// Namespace/shop (k8s/ns.yaml:6:5)` or `psslint.yaml:12:5 (namespaces.shop.enforce)`.
    pub source: String,
}

/// An invalid label value, as the API server reports it (pss-spec §5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelError {
    pub key: &'static str,
    pub value: String,
    pub span: Span,
    /// `must be one of privileged, baseline, restricted` or `must be "latest" or "v1.x"`.
    pub reason: &'static str,
    /// What the API server evaluates instead (`restricted` for enforce, `privileged` for
    /// audit and warn, `latest` for versions).
    pub fallback: String,
}

impl LabelError {
    /// `metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "x": must be …`
    pub fn field_error(&self) -> String {
        format!(
            "metadata.labels[{}]: Invalid value: {:?}: {}",
            self.key, self.value, self.reason
        )
    }
}

/// A namespace's resolved policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub policies: ModePolicies,
    pub errors: Vec<LabelError>,
    /// Per mode (enforce, audit, warn): whether its level or version label is set.
    pub explicit: [bool; 3],
}

fn find<'l>(labels: &'l [Label], key: &str) -> Option<&'l Label> {
    labels.iter().find(|l| l.key == key)
}

/// Resolves the policy of a namespace with `labels`, starting from `defaults` (pss-spec §5.2,
/// upstream `PolicyToEvaluate`).
pub fn resolve(labels: &[Label], defaults: &ModePolicies) -> Resolved {
    let mut p = defaults.clone();
    let mut errors = Vec::new();
    let mut explicit = [false; 3];
    let mut enforce_level_ok = false;
    for mode in Mode::ALL {
        let slot = &mut p.0[mode.index()];
        if let Some(l) = find(labels, key(mode, false)) {
            explicit[mode.index()] = true;
            let parsed = if l.is_string {
                l.value.parse::<Level>()
            } else {
                Err(LEVEL_ERROR)
            };
            match parsed {
                Ok(level) => {
                    slot.policy.level = level;
                    slot.source = Some(Arc::from(l.source.as_str()));
                    enforce_level_ok |= mode == Mode::Enforce;
                }
                Err(reason) => {
                    // Enforce fails closed, audit and warn fail open (§5.2 steps 3, 5, 7).
                    let fallback = if mode == Mode::Enforce {
                        Level::Restricted
                    } else {
                        Level::Privileged
                    };
                    slot.policy.level = fallback;
                    slot.source = Some(Arc::from(format!(
                        "{} (invalid value {:?}: {} evaluates as {fallback})",
                        l.source,
                        l.value,
                        mode.as_str()
                    )));
                    errors.push(LabelError {
                        key: l.key,
                        value: l.value.clone(),
                        span: l.span,
                        reason,
                        fallback: fallback.to_string(),
                    });
                }
            }
        }
        if let Some(l) = find(labels, key(mode, true)) {
            explicit[mode.index()] = true;
            let parsed = if l.is_string {
                l.value.parse::<Version>()
            } else {
                Err(VERSION_ERROR)
            };
            match parsed {
                Ok(version) => slot.policy.version = version,
                Err(reason) => {
                    slot.policy.version = Version::Latest;
                    errors.push(LabelError {
                        key: l.key,
                        value: l.value.clone(),
                        span: l.span,
                        reason,
                        fallback: "latest".to_string(),
                    });
                }
            }
            // The version label names the source only when no level label does.
            if find(labels, key(mode, false)).is_none() {
                slot.source = Some(Arc::from(l.source.as_str()));
            }
        }
    }
    // Warn defaulting (§5.2 step 9): only from a valid enforce label, only when stricter.
    let enforce = p.get(Mode::Enforce).policy;
    if find(labels, key(Mode::Warn, false)).is_none()
        && enforce_level_ok
        && enforce.level > p.get(Mode::Warn).policy.level
    {
        let warn_version_set = find(labels, key(Mode::Warn, true)).is_some();
        let source = find(labels, key(Mode::Enforce, false))
            .map(|l| Arc::from(format!("warn defaulted from {}", l.source)));
        let warn = &mut p.0[Mode::Warn.index()];
        warn.policy.level = enforce.level;
        if !warn_version_set {
            warn.policy.version = enforce.version;
        }
        warn.source = source;
    }
    Resolved {
        policies: p,
        errors,
        explicit,
    }
}

/// Upstream's warning for a labelled exempt namespace (pss-spec §5.4), or `None` when the
/// policy is fully privileged or equivalent to the defaults.
pub fn exempt_warning(
    namespace: &str,
    resolved: &Resolved,
    defaults: &ModePolicies,
) -> Option<String> {
    let p = &resolved.policies;
    let fully_privileged = Mode::ALL
        .iter()
        .all(|m| p.get(*m).policy.level == Level::Privileged);
    if fully_privileged || p.equivalent(defaults) {
        return None;
    }
    let parts: Vec<String> = Mode::ALL
        .iter()
        .filter(|m| p.get(**m).policy.level != Level::Privileged && resolved.explicit[m.index()])
        .map(|m| format!("{}={}", m.as_str(), p.get(*m).policy.label()))
        .collect();
    Some(format!(
        "namespace {namespace:?} is exempt from Pod Security, and the policy ({}) will be ignored",
        parts.join(", ")
    ))
}

impl LevelVersion {
    /// Upstream `LevelVersion.Equivalent`: privileged levels compare equal at any version.
    pub fn equivalent(&self, other: &LevelVersion) -> bool {
        self.level == other.level
            && (self.level == Level::Privileged || self.version == other.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::ModePolicy;

    fn lv(level: Level, version: Version) -> LevelVersion {
        LevelVersion { level, version }
    }

    fn privileged_defaults() -> ModePolicies {
        ModePolicies::uniform(lv(Level::Privileged, Version::Latest), None)
    }

    fn labels(pairs: &[(&str, &str)]) -> Vec<Label> {
        pairs
            .iter()
            .map(|(k, v)| Label {
                key: KEYS
                    .iter()
                    .find(|(_, _, key)| key.ends_with(&format!("/{k}")))
                    .map(|(_, _, key)| *key)
                    .unwrap(),
                value: v.to_string(),
                is_string: true,
                span: Span::default(),
                source: format!("label {k}"),
            })
            .collect()
    }

    fn res(pairs: &[(&str, &str)]) -> Resolved {
        resolve(&labels(pairs), &privileged_defaults())
    }

    fn strs(r: &Resolved) -> [String; 3] {
        Mode::ALL.map(|m| r.policies.get(m).policy.label())
    }

    #[test]
    fn no_labels_keep_the_defaults() {
        let d = ModePolicies([
            ModePolicy::new(lv(Level::Baseline, Version::V1(30)), None),
            ModePolicy::new(lv(Level::Restricted, Version::Latest), None),
            ModePolicy::new(lv(Level::Restricted, Version::Latest), None),
        ]);
        let r = resolve(&[], &d);
        assert_eq!(r.policies, d);
        assert!(r.errors.is_empty());
    }

    #[test]
    fn warn_defaults_from_enforce_like_upstream() {
        // The examples of pss-spec §5.2 step 9.
        let r = res(&[("enforce", "baseline")]);
        assert_eq!(strs(&r)[2], "baseline:latest");
        let r = res(&[("enforce", "baseline"), ("enforce-version", "v1.22")]);
        assert_eq!(strs(&r)[2], "baseline:v1.22");
        let r = res(&[("enforce", "baseline"), ("warn-version", "v1.23")]);
        assert_eq!(strs(&r)[2], "baseline:v1.23");
        let r = res(&[("enforce", "baseline"), ("warn", "privileged")]);
        assert_eq!(strs(&r)[2], "privileged:latest");
        // Audit is never defaulted from enforce.
        assert_eq!(
            strs(&res(&[("enforce", "restricted")]))[1],
            "privileged:latest"
        );
    }

    #[test]
    fn warn_is_not_defaulted_when_it_is_already_as_strict() {
        let d = ModePolicies::uniform(lv(Level::Restricted, Version::V1(30)), None);
        let r = resolve(&labels(&[("enforce", "baseline")]), &d);
        assert_eq!(strs(&r)[2], "restricted:v1.30");
    }

    #[test]
    fn invalid_enforce_fails_closed_and_does_not_default_warn() {
        let r = res(&[("enforce", "foo")]);
        assert_eq!(
            strs(&r),
            [
                "restricted:latest",
                "privileged:latest",
                "privileged:latest"
            ]
        );
        assert_eq!(r.errors.len(), 1);
        assert_eq!(
            r.errors[0].field_error(),
            "metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: \"foo\": must be one of privileged, baseline, restricted"
        );
        assert_eq!(r.errors[0].fallback, "restricted");
    }

    #[test]
    fn an_empty_value_is_present_and_invalid() {
        let r = res(&[("enforce", "")]);
        assert_eq!(strs(&r)[0], "restricted:latest");
        assert_eq!(r.errors.len(), 1);
    }

    #[test]
    fn invalid_audit_and_warn_fail_open() {
        let d = ModePolicies::uniform(lv(Level::Restricted, Version::Latest), None);
        let r = resolve(&labels(&[("audit", "Restricted"), ("warn", "strict")]), &d);
        assert_eq!(strs(&r)[1], "privileged:latest");
        assert_eq!(strs(&r)[2], "privileged:latest");
        assert_eq!(r.errors.len(), 2);
    }

    #[test]
    fn invalid_versions_fall_back_to_latest() {
        let d = ModePolicies::uniform(lv(Level::Baseline, Version::V1(25)), None);
        let r = resolve(
            &labels(&[
                ("enforce-version", "1.25"),
                ("audit-version", "v1.025"),
                ("warn-version", "Latest"),
            ]),
            &d,
        );
        assert_eq!(
            strs(&r),
            ["baseline:latest", "baseline:latest", "baseline:latest"]
        );
        assert_eq!(r.errors.len(), 3);
        assert!(r.errors.iter().all(|e| e.reason == VERSION_ERROR));
    }

    #[test]
    fn a_non_string_value_is_invalid() {
        let mut l = labels(&[("enforce", "true")]);
        l[0].is_string = false;
        let r = resolve(&l, &privileged_defaults());
        assert_eq!(strs(&r)[0], "restricted:latest");
        assert_eq!(r.errors.len(), 1);
    }

    #[test]
    fn typos_in_keys_are_not_labels() {
        assert!(KEYS.iter().all(|(_, _, k)| !k.ends_with("versions")));
        assert_eq!(
            key(Mode::Audit, true),
            "pod-security.kubernetes.io/audit-version"
        );
        assert_eq!(short_key(key(Mode::Warn, false)), "warn");
    }

    #[test]
    fn exempt_warning_lists_explicit_non_privileged_modes() {
        let d = privileged_defaults();
        let r = resolve(
            &labels(&[("enforce", "baseline"), ("audit", "restricted")]),
            &d,
        );
        // warn is defaulted from enforce, so it is not listed.
        assert_eq!(
            exempt_warning("kube-system", &r, &d).as_deref(),
            Some("namespace \"kube-system\" is exempt from Pod Security, and the policy (enforce=baseline:latest, audit=restricted:latest) will be ignored")
        );
        let r = resolve(
            &labels(&[("enforce", "privileged"), ("enforce-version", "v1.20")]),
            &d,
        );
        assert_eq!(exempt_warning("x", &r, &d), None);
        let base = ModePolicies::uniform(lv(Level::Baseline, Version::Latest), None);
        let r = resolve(&labels(&[("enforce", "baseline")]), &base);
        assert_eq!(exempt_warning("x", &r, &base), None);
    }
}
