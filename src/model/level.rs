//! Levels and versions (pss-spec §1).

use std::fmt;
use std::str::FromStr;

/// The newest policy version this engine implements (the greatest minimum version of any
/// check revision, pss-spec §1.3). `latest` and newer numbered versions evaluate as this one.
pub const MAX_MINOR: u32 = 37;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Privileged,
    Baseline,
    Restricted,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Privileged, Level::Baseline, Level::Restricted];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Privileged => "privileged",
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error text used by upstream for an invalid level (pss-spec §1.1).
pub const LEVEL_ERROR: &str = "must be one of privileged, baseline, restricted";
/// Error text used by upstream for an invalid version (pss-spec §1.2).
pub const VERSION_ERROR: &str = "must be \"latest\" or \"v1.x\"";

impl FromStr for Level {
    type Err = &'static str;

    /// Exact, case-sensitive (pss-spec §1.1).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "privileged" => Ok(Level::Privileged),
            "baseline" => Ok(Level::Baseline),
            "restricted" => Ok(Level::Restricted),
            _ => Err(LEVEL_ERROR),
        }
    }
}

/// A policy version as written in a label: `latest` or `v1.N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    Latest,
    V1(u32),
}

impl Version {
    /// The minor version whose check list is evaluated, after clamping `latest` and future
    /// versions to `min(max, cap)` where `cap` is the target cluster minor, if any (§1.3).
    pub fn effective_minor(self, cap: Option<u32>) -> u32 {
        let max = cap.map_or(MAX_MINOR, |c| c.min(MAX_MINOR));
        match self {
            Version::Latest => max,
            Version::V1(m) => m.min(max),
        }
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    /// `latest` is newer than every numbered version (pss-spec §1.2).
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        match (self, other) {
            (Version::Latest, Version::Latest) => std::cmp::Ordering::Equal,
            (Version::Latest, _) => std::cmp::Ordering::Greater,
            (_, Version::Latest) => std::cmp::Ordering::Less,
            (Version::V1(a), Version::V1(b)) => a.cmp(b),
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::Latest => f.write_str("latest"),
            Version::V1(m) => write!(f, "v1.{m}"),
        }
    }
}

impl FromStr for Version {
    type Err = &'static str;

    /// `latest` or `^v1\.(0|[1-9][0-9]*)$`, fitting a machine int (pss-spec §1.2).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "latest" {
            return Ok(Version::Latest);
        }
        let minor = s.strip_prefix("v1.").ok_or(VERSION_ERROR)?;
        let valid = minor == "0"
            || (!minor.is_empty()
                && !minor.starts_with('0')
                && minor.bytes().all(|b| b.is_ascii_digit()));
        if !valid {
            return Err(VERSION_ERROR);
        }
        minor
            .parse::<u32>()
            .ok()
            .filter(|m| i32::try_from(*m).is_ok())
            .map(Version::V1)
            .ok_or(VERSION_ERROR)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_versions_like_upstream() {
        for ok in ["latest", "v1.0", "v1.9", "v1.25", "v1.10000"] {
            assert_eq!(ok.parse::<Version>().unwrap().to_string(), ok);
        }
        for bad in [
            "",
            "1.25",
            "v1",
            "v1.025",
            "v1.25.0",
            "V1.25",
            "v2.0",
            "Latest",
            "v1.25 ",
            "v1.",
            "v1.99999999999",
        ] {
            assert!(bad.parse::<Version>().is_err(), "{bad:?} should be invalid");
        }
    }

    #[test]
    fn levels_are_case_sensitive() {
        assert_eq!("baseline".parse::<Level>(), Ok(Level::Baseline));
        for bad in ["", "Baseline", " restricted"] {
            assert!(bad.parse::<Level>().is_err());
        }
    }

    #[test]
    fn latest_and_future_versions_clamp() {
        assert_eq!(Version::Latest.effective_minor(None), MAX_MINOR);
        assert_eq!(Version::V1(99).effective_minor(None), MAX_MINOR);
        assert_eq!(Version::Latest.effective_minor(Some(33)), 33);
        assert_eq!(Version::V1(34).effective_minor(Some(33)), 33);
        assert_eq!(Version::V1(20).effective_minor(Some(33)), 20);
    }
}
