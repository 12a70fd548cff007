//! The policy flags shared by every subcommand that lints, and how they, the config file and
//! the admission configuration combine into [`LintOptions`].

use std::path::{Path, PathBuf};

use clap::Args;

use crate::lint::options::LintOptions;
use crate::model::level::{Level, Version};
use crate::policy::admission;
use crate::policy::config::{self, Config, DefaultValue};
use crate::policy::date::Date;
use crate::policy::exceptions::{self, Clock};
use crate::policy::strict::{ConfigError, ConfigErrors};
use crate::policy::{ModePolicies, Policy, SourceFile};
use crate::workload::kinds::{self, WorkloadKind};

#[derive(Debug, Clone, Default, Args)]
pub struct PolicyArgs {
    /// Judge every workload at this level, in enforce mode, ignoring namespace labels and
    /// configured defaults (exemptions and exceptions still apply). With only
    /// `--pss-version`, the level is `restricted`.
    #[arg(long, value_parser = parse_level, help_heading = "Policy")]
    pub level: Option<Level>,

    /// Policy version for `--level`: `v1.N` or `latest` (the default). With only `--level`,
    /// the version is `latest`.
    #[arg(long = "pss-version", value_parser = parse_version, help_heading = "Policy")]
    pub pss_version: Option<Version>,

    /// Namespace of objects that set no `metadata.namespace`.
    #[arg(
        long,
        short = 'n',
        value_name = "NAME",
        default_value = "default",
        help_heading = "Policy"
    )]
    pub namespace: String,

    /// Target cluster minor (`v1.N`): `latest` and newer versions evaluate as that release
    /// would. Default: the newest psslint knows (v1.37), or `kubernetes:` in the config.
    #[arg(long, value_name = "v1.N", value_parser = parse_kubernetes, help_heading = "Policy")]
    pub kubernetes: Option<u32>,

    /// The psslint config file (default: psslint.yaml or .psslint.yaml, found from the
    /// working directory up to the repository root).
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "no_config",
        help_heading = "Policy"
    )]
    pub config: Option<PathBuf>,

    /// Ignore psslint config files.
    #[arg(long, help_heading = "Policy")]
    pub no_config: bool,

    /// The cluster's AdmissionConfiguration or PodSecurityConfiguration: its defaults and
    /// exemptions apply (the defaults replace the config file's).
    #[arg(long, value_name = "FILE", help_heading = "Policy")]
    pub admission_config: Option<PathBuf>,

    /// The date exceptions are judged on (default: today, UTC).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date, help_heading = "Policy")]
    pub today: Option<Date>,

    /// A snapshot of the live cluster (`kubectl get ns,deploy,sts,ds,job,cronjob,pod -A -o
    /// yaml`; repeatable; `-` reads standard input): its Namespace labels set the policy where
    /// the manifests declare none, its workloads are checked as the cluster's, and its copies
    /// of objects the manifests define are folded into them.
    #[arg(
        long = "cluster-snapshot",
        value_name = "FILE",
        help_heading = "Policy"
    )]
    pub cluster_snapshot: Vec<PathBuf>,
}

fn parse_level(s: &str) -> Result<Level, String> {
    s.parse().map_err(|e: &str| e.to_string())
}

fn parse_version(s: &str) -> Result<Version, String> {
    s.parse().map_err(|e: &str| e.to_string())
}

fn parse_kubernetes(s: &str) -> Result<u32, String> {
    config::parse_kubernetes(s)
}

pub(crate) fn parse_date(s: &str) -> Result<Date, String> {
    s.parse().map_err(|e: &str| e.to_string())
}

impl PolicyArgs {
    /// Loads the config file (unless `--no-config`) and the admission configuration, and
    /// builds the lint options. Errors mean psslint cannot run (exit code 2).
    pub fn lint_options(&self) -> Result<LintOptions, ConfigErrors> {
        let cwd = std::env::current_dir().map_err(|e| {
            ConfigErrors(vec![ConfigError {
                file: ".".into(),
                pos: None,
                message: format!("cannot read the working directory: {e}"),
            }])
        })?;
        let config = self.config_file(&cwd)?;
        let admission = match &self.admission_config {
            Some(path) => Some(admission::load(path)?),
            None => None,
        };
        Ok(self.build(config, admission))
    }

    /// The config files a run reads: the psslint config (named or found) and the admission
    /// configuration, as far as they exist.
    pub fn config_paths(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        if !self.no_config {
            match &self.config {
                Some(p) => out.push(p.clone()),
                None => {
                    if let Some(p) = std::env::current_dir()
                        .ok()
                        .and_then(|cwd| config::find(&cwd).ok().flatten())
                    {
                        out.push(p);
                    }
                }
            }
        }
        out.extend(self.admission_config.clone());
        out
    }

    /// The config's `charts:` values files, keyed by the chart directory's canonical path;
    /// paths are resolved against the config file's directory.
    pub fn chart_values(
        &self,
    ) -> Result<std::collections::BTreeMap<PathBuf, Vec<PathBuf>>, ConfigErrors> {
        let mut out = std::collections::BTreeMap::new();
        let Ok(cwd) = std::env::current_dir() else {
            return Ok(out);
        };
        let Some(config) = self.config_file(&cwd)? else {
            return Ok(out);
        };
        let dir = Path::new(&config.name)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        for (chart, values) in config.charts {
            let chart = dir.join(chart);
            let key = std::fs::canonicalize(&chart).unwrap_or(chart);
            out.insert(key, values.iter().map(|v| dir.join(v)).collect());
        }
        Ok(out)
    }

    fn config_file(&self, cwd: &Path) -> Result<Option<Config>, ConfigErrors> {
        if self.no_config {
            return Ok(None);
        }
        let path = match &self.config {
            Some(p) => {
                if !p.is_file() {
                    return Err(ConfigErrors(vec![ConfigError {
                        file: crate::input::display_path(p),
                        pos: None,
                        message: "no such config file".into(),
                    }]));
                }
                p.clone()
            }
            None => match config::find(cwd)? {
                Some(p) => p,
                None => return Ok(None),
            },
        };
        let name = if self.config.is_some() {
            crate::input::display_path(&path)
        } else {
            config::display(&path, cwd)
        };
        config::load(&path, &name).map(Some)
    }

    /// Combines flags, config and admission configuration (see the module docs of
    /// [`crate::policy`] for the precedence).
    pub fn build(
        &self,
        config: Option<Config>,
        admission: Option<admission::AdmissionPolicy>,
    ) -> LintOptions {
        let mut policy = match (self.level, self.pss_version) {
            (None, None) => Policy::default(),
            (level, version) => Policy::forced(
                level.unwrap_or(Level::Restricted),
                version.unwrap_or(Version::Latest),
            ),
        };
        let mut kinds: Vec<WorkloadKind> = kinds::builtin_kinds();
        kinds.extend(kinds::preset_kinds());
        let mut defaults = ModePolicies::builtin();
        let mut warning_days = None;
        if let Some(c) = config {
            policy.kubernetes_minor = c.kubernetes;
            for (mode, value, source) in &c.defaults {
                let slot = &mut defaults.0[mode.index()];
                match value {
                    DefaultValue::Level(l) => {
                        slot.policy.level = *l;
                        slot.source = Some(source.clone());
                    }
                    DefaultValue::Version(v) => slot.policy.version = *v,
                }
            }
            policy.exemptions.extend(c.exemptions);
            policy.set_config_namespaces(c.namespaces);
            for k in c.workloads {
                kinds.retain(|o| !(o.group == k.group && o.kind == k.kind));
                kinds.push(k);
            }
            policy.exceptions = c.exceptions;
            warning_days = c.exception_warning_days;
            policy.config = Some(SourceFile {
                name: c.name,
                text: c.text,
            });
        }
        if let Some(a) = admission {
            defaults = a.defaults;
            policy.exemptions.extend(a.exemptions);
        }
        policy.set_defaults(defaults);
        if self.kubernetes.is_some() {
            policy.kubernetes_minor = self.kubernetes;
        }
        policy.clock = Clock {
            today: self.today.unwrap_or_else(Date::today_utc),
            warning_days: warning_days.unwrap_or(exceptions::DEFAULT_WARNING_DAYS),
        };
        let mut opts = LintOptions::new(policy);
        opts.kinds = kinds;
        opts.default_namespace = self.namespace.clone();
        opts.snapshots = std::sync::Arc::new(crate::input::snapshot::names(&self.cluster_snapshot));
        opts
    }
}
