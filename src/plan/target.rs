//! `--target LEVEL[:VERSION]`: the level and version a plan works toward, at the cluster
//! minor when no version is given.

use crate::model::level::{Level, Version};
use crate::policy::LevelVersion;

/// `--target LEVEL[:VERSION]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetSpec {
    pub level: Level,
    /// `None`: the pinned target version (the cluster minor).
    pub version: Option<Version>,
}

impl TargetSpec {
    /// The target at the cluster minor when no version is given (`kubernetes:` in the config,
    /// `--kubernetes`, else the newest psslint knows).
    pub fn resolve(&self, kubernetes_minor: Option<u32>) -> LevelVersion {
        LevelVersion {
            level: self.level,
            version: self
                .version
                .unwrap_or(Version::V1(cluster_minor(kubernetes_minor))),
        }
    }
}

impl Default for TargetSpec {
    fn default() -> Self {
        TargetSpec {
            level: Level::Restricted,
            version: None,
        }
    }
}

/// The minor the cluster runs: the configured one, clamped to what psslint knows.
pub fn cluster_minor(kubernetes_minor: Option<u32>) -> u32 {
    kubernetes_minor.map_or(crate::model::level::MAX_MINOR, |m| {
        m.min(crate::model::level::MAX_MINOR)
    })
}

/// `restricted`, `restricted:v1.33`, `baseline:latest`.
pub fn parse_target(s: &str) -> Result<TargetSpec, String> {
    let (level, version) = match s.split_once(':') {
        Some((l, v)) => (l, Some(v)),
        None => (s, None),
    };
    let level: Level = level
        .parse()
        .map_err(|e: &str| format!("`{level}`: the level {e}"))?;
    if level == Level::Privileged {
        return Err("the target must be baseline or restricted (privileged checks nothing)".into());
    }
    let version = version
        .map(|v| {
            v.parse::<Version>()
                .map_err(|e| format!("`{v}`: the version {e}"))
        })
        .transpose()?;
    Ok(TargetSpec { level, version })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_take_an_optional_version() {
        assert_eq!(
            parse_target("baseline"),
            Ok(TargetSpec {
                level: Level::Baseline,
                version: None
            })
        );
        assert_eq!(
            parse_target("restricted:v1.35").map(|t| t.version),
            Ok(Some(Version::V1(35)))
        );
        for bad in ["privileged", "Restricted", "restricted:1.35", "restricted:"] {
            assert!(parse_target(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_default_target_is_restricted_at_the_cluster_minor() {
        let t = TargetSpec::default();
        assert_eq!(t.resolve(Some(33)).label(), "restricted:v1.33");
        assert_eq!(
            t.resolve(None).label(),
            format!("restricted:v1.{}", crate::model::level::MAX_MINOR)
        );
    }
}
