//! Every flag of every subcommand. `psslint [OPTIONS] [PATHS]...` is `psslint check [OPTIONS]
//! [PATHS]...`; other subcommands sit beside `check`, and are recognised only as the first
//! argument, so `psslint ./rules` and `psslint check rules` lint a directory named `rules`.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use super::policy::{parse_date, PolicyArgs};
use crate::model::diagnostic::Severity;
use crate::model::level::Version;
use crate::model::report::Report;
use crate::notices::{parse_group_by, GroupBy, NoticeFormat};
use crate::plan::{parse_target, PlanFormat, TargetSpec};
use crate::policy::date::Date;
use crate::report::exceptions::ReviewFormat;
use crate::report::output::OutputSpec;
use crate::report::Format;

#[derive(Debug, Parser)]
#[command(
    name = "psslint",
    version,
    about = "Exact, versioned Kubernetes Pod Security Standards checks for manifests",
    long_about = "psslint reads Kubernetes manifests (YAML, JSON, multi-document streams, Helm \
                  output) and reports every workload that Pod Security Admission would reject or \
                  warn about, at the exact file, line and column, with the upstream message and a \
                  concrete fix.\n\nExit codes: 0 = nothing at or above --fail-on (default: no \
                  errors), 1 = findings that fail (violations or input that could not be \
                  checked), 2 = psslint could not run (bad flags, a named path missing or \
                  unreadable, an output that cannot be written).",
    after_help = "`psslint [OPTIONS] [PATHS]...` is the same as `psslint check [OPTIONS] [PATHS]...`."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint manifests (the default command).
    Check(CheckArgs),
    /// Print the documentation of one rule.
    Rule {
        /// A check ID (e.g. runAsNonRoot) or input rule ID (e.g. duplicate-key).
        id: String,
    },
    /// List every rule.
    Rules,
    /// Review tracked exceptions: owner, scope, reason, expiry and status.
    Exceptions(ExceptionsArgs),
    /// Plan a rollout: per namespace, what enforcing the target breaks, and the next safe step.
    Plan(PlanArgs),
    /// Write one notice per owner group: what to fix in their workloads, by when, and how.
    Notices(NoticesArgs),
    /// Print each document as the JSON object the API server receives from `kubectl apply`
    /// (YAML 1.1 values resolved, merge keys applied, keys sorted), one JSON line per document.
    Decode(DecodeArgs),
}

#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// Files to decode; `-` reads standard input.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to lint; `-` reads standard input.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub policy: PolicyArgs,

    /// Read the Namespace objects of these files or directories (repeatable) for their Pod
    /// Security labels, without linting them: workloads in the linted PATHS are judged by them
    /// as if the whole set were linted. For hooks that lint only changed files:
    /// `--namespaces-from . CHANGED...`.
    #[arg(long, value_name = "PATH", help_heading = "Policy")]
    pub namespaces_from: Vec<PathBuf>,

    /// Output format (`--output-format` is an alias, ruff's spelling).
    #[arg(
        long,
        visible_alias = "output-format",
        value_enum,
        default_value = "human"
    )]
    pub format: Format,

    /// Write a report to a file (repeatable). A plain PATH receives the `--format` report
    /// instead of standard output; FORMAT=PATH (e.g. `sarif=psslint.sarif`) writes an extra
    /// report in that format. Inputs are linted once, whatever the number of outputs.
    #[arg(long, short = 'o', value_name = "[FORMAT=]PATH", value_parser = OutputSpec::parse)]
    pub output: Vec<OutputSpec>,

    /// Exit with 1 when a finding has at least this severity; `never` exits 0 unless psslint
    /// could not run (2).
    #[arg(long, value_enum, value_name = "SEVERITY", default_value = "error")]
    pub fail_on: FailOn,

    /// Print findings only: no verdict or summary lines (human format).
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Print how often each rule fired, after the report.
    #[arg(long)]
    pub statistics: bool,

    /// Walk files ignored by .gitignore, .ignore and git excludes too.
    #[arg(long)]
    pub no_ignore: bool,

    /// Follow symbolic links met while walking directories (links named on the command line
    /// are always followed).
    #[arg(long, short = 'L')]
    pub follow: bool,

    /// Worker threads (default: available cores).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// When to colour human output (`auto`: on a terminal, never with NO_COLOR).
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,

    /// Largest input to read (bytes, or with a K, M or G suffix: 512M, 2G); larger inputs are
    /// reported (file-too-large) and not checked. Files over 16 MiB are streamed document by
    /// document, so memory follows the largest document, not this limit.
    #[arg(long, value_name = "SIZE", default_value = "256M", value_parser = parse_size)]
    pub max_file_size: u64,

    /// Report input that could not be checked (unreadable, not UTF-8, not YAML, over a
    /// limit) as warnings. By default it is an error and fails the run, even with
    /// `--fail-on never`.
    #[arg(long)]
    pub allow_unchecked: bool,

    /// Accept standard input (or a named pipe) that holds no documents. By default that is an
    /// error: whatever was meant to be piped in is missing.
    #[arg(long)]
    pub allow_empty: bool,

    /// Print the time spent in each stage, and counts (files, bytes, documents, documents
    /// the fast path settled), to standard error.
    #[arg(long)]
    pub timings: bool,

    /// Build every document's tree, even where the exact fast path would settle it (for
    /// checking that the fast path changes nothing).
    #[arg(long, hide = true)]
    pub no_fast_path: bool,

    #[command(flatten)]
    pub render: RenderArgs,

    #[command(flatten)]
    pub fix: FixArgs,
}

/// How charts and kustomizations among the paths are rendered.
#[derive(Debug, Clone, Args)]
pub struct RenderArgs {
    /// A Helm values file for the charts (repeatable, in order: `helm template --values`);
    /// per-chart values files can also be set in psslint.yaml (`charts:`).
    #[arg(
        long,
        short = 'f',
        value_name = "FILE",
        help_heading = "Charts and kustomizations"
    )]
    pub values: Vec<PathBuf>,

    /// A Helm value for the charts, KEY=VALUE (repeatable: `helm template --set`).
    #[arg(
        long,
        value_name = "KEY=VALUE",
        help_heading = "Charts and kustomizations"
    )]
    pub set: Vec<String>,

    /// A Helm string value for the charts, KEY=VALUE (repeatable: `helm template --set-string`).
    #[arg(
        long,
        value_name = "KEY=VALUE",
        help_heading = "Charts and kustomizations"
    )]
    pub set_string: Vec<String>,

    /// The Helm release name charts are rendered with (`--namespace` is passed to Helm too).
    #[arg(
        long,
        value_name = "NAME",
        default_value = crate::input::render::DEFAULT_RELEASE_NAME,
        help_heading = "Charts and kustomizations"
    )]
    pub release_name: String,

    /// How long one chart or kustomization may take to render (`90s`, `5m`, or seconds);
    /// one that takes longer is stopped and reported (render-error).
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "120s",
        value_parser = parse_duration,
        help_heading = "Charts and kustomizations"
    )]
    pub render_timeout: std::time::Duration,
}

/// `120`, `90s`, `5m`, `1h` (whole units; a bare number is seconds).
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let bad = || format!("`{s}` is not a duration: use seconds or an s, m, h suffix (90s, 5m)");
    let n: u64 = digits.parse().map_err(|_| bad())?;
    let secs = match unit.trim() {
        "" | "s" => Some(n),
        "m" => n.checked_mul(60),
        "h" => n.checked_mul(3600),
        _ => return Err(bad()),
    };
    match secs {
        Some(0) => Err(format!("`{s}`: the render timeout must be more than zero")),
        Some(secs) => Ok(std::time::Duration::from_secs(secs)),
        None => Err(format!("`{s}` is too long")),
    }
}

/// `--fix`, `--diff` and their options (README "--fix and --diff").
#[derive(Debug, Clone, Default, Args)]
pub struct FixArgs {
    /// Apply the fixes of the findings that fail in enforce mode, editing the files in place
    /// (only the fields at fault change); then re-lint and report what is left. With `-`,
    /// the fixed stream goes to standard output.
    #[arg(long, help_heading = "Fix")]
    pub fix: bool,

    /// Print the fixes as a unified diff (`patch -p1` / `git apply` from the repository root)
    /// and write nothing; exit 1 when there would be changes.
    #[arg(long, help_heading = "Fix")]
    pub diff: bool,

    /// Fix what this level requires (every workload judged at it, in enforce mode) instead of
    /// the policy in effect.
    #[arg(long, value_name = "LEVEL", value_parser = parse_fix_level, help_heading = "Fix")]
    pub fix_level: Option<crate::model::level::Level>,

    /// Also apply fixes that can change how the workload runs (`runAsNonRoot: true`,
    /// dropping capabilities, turning off host namespaces, ...). Check the workloads after.
    #[arg(long, help_heading = "Fix")]
    pub unsafe_fixes: bool,
}

fn parse_fix_level(s: &str) -> Result<crate::model::level::Level, String> {
    match s {
        "baseline" => Ok(crate::model::level::Level::Baseline),
        "restricted" => Ok(crate::model::level::Level::Restricted),
        _ => Err("expected baseline or restricted".to_string()),
    }
}

/// `psslint exceptions [PATHS]`.
#[derive(Debug, Args)]
pub struct ExceptionsArgs {
    /// Files or directories to lint; `-` reads standard input.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(
        long,
        visible_alias = "output-format",
        value_enum,
        default_value = "human"
    )]
    pub format: ReviewFormat,

    /// Walk files ignored by .gitignore, .ignore and git excludes too.
    #[arg(long)]
    pub no_ignore: bool,

    /// `--format kyverno`: the ClusterPolicy (or `namespace/name` Policy) whose rules apply
    /// Pod Security with `validate.podSecurity`.
    #[arg(long, value_name = "NAME", help_heading = "Export")]
    pub kyverno_policy: Option<String>,

    /// `--format kyverno`: a rule of that policy that uses `validate.podSecurity`
    /// (repeatable); the exception also names the rules Kyverno generates from it for pod
    /// controllers (`autogen-RULE`, `autogen-cronjob-RULE`).
    #[arg(long, value_name = "RULE", help_heading = "Export")]
    pub kyverno_rule: Vec<String>,

    /// `--format kyverno`/`kyverno-cel`: the namespace to put the PolicyExceptions in
    /// (Kyverno's `--exceptionNamespace`); default: each workload's own.
    #[arg(long, value_name = "NAMESPACE", help_heading = "Export")]
    pub kyverno_namespace: Option<String>,

    /// Follow symbolic links met while walking directories (links named on the command line
    /// are always followed).
    #[arg(long, short = 'L')]
    pub follow: bool,

    #[command(flatten)]
    pub policy: PolicyArgs,
}

fn parse_version(s: &str) -> Result<Version, String> {
    match s.parse::<Version>() {
        Ok(Version::Latest) => Err("--from-version needs a pinned version (v1.N)".into()),
        Ok(v) => Ok(v),
        Err(e) => Err(e.to_string()),
    }
}

/// `psslint plan [PATHS]`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Files or directories to lint; `-` reads standard input.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// The level to roll out, and its version (default: restricted at the cluster minor,
    /// from `kubernetes:` in the config, `--kubernetes`, or the newest psslint knows).
    #[arg(long, value_name = "LEVEL[:VERSION]", value_parser = parse_target)]
    pub target: Option<TargetSpec>,

    /// Also show the workloads that newly fail when the version pin moves from v1.N to the
    /// target version, and why.
    #[arg(long, value_name = "v1.N", value_parser = parse_version)]
    pub from_version: Option<Version>,

    /// Output format.
    #[arg(
        long,
        visible_alias = "output-format",
        value_enum,
        default_value = "human"
    )]
    pub format: PlanFormat,

    /// Write the plan to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Walk files ignored by .gitignore, .ignore and git excludes too.
    #[arg(long)]
    pub no_ignore: bool,

    /// Follow symbolic links met while walking directories (links named on the command line
    /// are always followed).
    #[arg(long, short = 'L')]
    pub follow: bool,

    #[command(flatten)]
    pub policy: PolicyArgs,
}

/// `psslint notices [PATHS] --deadline DATE --contact WHO`.
#[derive(Debug, Args)]
pub struct NoticesArgs {
    /// Files or directories to lint; `-` reads standard input.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// The level being rolled out, and its version (default: restricted at the cluster
    /// minor, as for `psslint plan`).
    #[arg(long, value_name = "LEVEL[:VERSION]", value_parser = parse_target)]
    pub target: Option<TargetSpec>,

    /// The date the target will be enforced.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub deadline: Date,

    /// Who developers should contact: `"Platform team <platform@example.com>"`.
    #[arg(long, value_name = "WHO")]
    pub contact: String,

    /// One notice per namespace, or per value of a workload label or annotation
    /// (`label:team`, `annotation:owner`).
    #[arg(long, value_name = "namespace|label:KEY|annotation:KEY", default_value = "namespace", value_parser = parse_group_by)]
    pub group_by: GroupBy,

    /// Write one Markdown file per notice into this directory (created if needed) instead of
    /// printing them.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,

    /// What to print without `--out-dir`: the notices as Markdown, or JSON for chat and
    /// email bots (each notice's data and its rendered text).
    #[arg(
        long,
        visible_alias = "output-format",
        value_enum,
        default_value = "markdown"
    )]
    pub format: NoticeFormat,

    /// A MiniJinja (Jinja2) template replacing the default wording; its context is a
    /// notice as the JSON format shows it.
    #[arg(long, value_name = "FILE")]
    pub notice_template: Option<PathBuf>,

    /// One notice per set of owners, by the rules of this CODEOWNERS file (GitHub's syntax,
    /// the last matching rule wins) for the file that defines each workload; an owner
    /// annotation on the workload (`--owner-annotation`) wins over it. Workloads nobody owns
    /// get a notice of their own, and are listed.
    #[arg(long, value_name = "FILE", conflicts_with = "group_by")]
    pub codeowners: Option<PathBuf>,

    /// With `--codeowners`: the workload annotation that names its owners (separated by spaces
    /// or commas) and wins over CODEOWNERS.
    #[arg(
        long,
        value_name = "KEY",
        default_value = crate::notices::codeowners::OWNER_ANNOTATION,
        requires = "codeowners"
    )]
    pub owner_annotation: String,

    /// Walk files ignored by .gitignore, .ignore and git excludes too.
    #[arg(long)]
    pub no_ignore: bool,

    /// Follow symbolic links met while walking directories (links named on the command line
    /// are always followed).
    #[arg(long, short = 'L')]
    pub follow: bool,

    #[command(flatten)]
    pub policy: PolicyArgs,
}

/// `1048576`, `512K`, `256M`, `2G` (also `KiB`, `MiB`, `GiB`; powers of 1024).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        "T" | "TB" | "TIB" => 40,
        _ => {
            return Err(format!(
                "`{s}` is not a size: use bytes or a K, M, G suffix (512M)"
            ))
        }
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{s}` is not a size: use bytes or a K, M, G suffix (512M)"))?;
    n.checked_mul(1u64 << shift)
        .ok_or_else(|| format!("`{s}` is too large"))
}

/// The least severity that fails the run (`--fail-on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Fail on errors (Pod Security violations at the enforced level, unreadable input).
    Error,
    /// Fail on warnings and errors.
    Warning,
    /// Never fail because of findings.
    Never,
}

impl FailOn {
    /// Whether `report` fails the run.
    pub fn fails(self, report: &Report) -> bool {
        match self {
            FailOn::Error => report.has_at_least(Severity::Error),
            FailOn::Warning => report.has_at_least(Severity::Warning),
            FailOn::Never => false,
        }
    }
}

const SUBCOMMANDS: &[&str] = &[
    "check",
    "rule",
    "rules",
    "exceptions",
    "plan",
    "notices",
    "decode",
    "help",
];

/// Inserts the implicit `check` subcommand unless the first argument names a subcommand or is
/// a top-level flag (`--help`, `--version`).
pub fn normalize_args(args: Vec<OsString>) -> Vec<OsString> {
    let mut args = args;
    let first = args.get(1).and_then(|a| a.to_str()).unwrap_or("");
    let top_level = matches!(first, "-h" | "--help" | "-V" | "--version");
    if !SUBCOMMANDS.contains(&first) && !top_level {
        args.insert(1.min(args.len()), OsString::from("check"));
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Cli {
        let args = normalize_args(args.iter().map(OsString::from).collect());
        Cli::try_parse_from(args).unwrap()
    }

    #[test]
    fn check_is_the_default_command() {
        let Command::Check(a) = parse(&["psslint", "k8s"]).command else {
            panic!("expected check")
        };
        assert_eq!(a.paths, vec![PathBuf::from("k8s")]);
        let Command::Check(a) = parse(&["psslint"]).command else {
            panic!("expected check")
        };
        assert_eq!(a.paths, vec![PathBuf::from(".")]);
    }

    #[test]
    fn a_directory_named_like_a_subcommand_is_reachable() {
        for args in [&["psslint", "./rules"][..], &["psslint", "check", "rules"]] {
            let Command::Check(a) = parse(args).command else {
                panic!("expected check")
            };
            assert_eq!(a.paths.len(), 1);
        }
        assert!(matches!(
            parse(&["psslint", "rules"]).command,
            Command::Rules
        ));
    }

    #[test]
    fn plan_and_notices_are_subcommands_only_as_the_first_argument() {
        assert!(matches!(
            parse(&["psslint", "plan", "--target", "baseline:v1.30", "k8s"]).command,
            Command::Plan(_)
        ));
        assert!(matches!(
            parse(&[
                "psslint",
                "notices",
                "--deadline",
                "2026-06-30",
                "--contact",
                "x"
            ])
            .command,
            Command::Notices(_)
        ));
        let Command::Check(a) = parse(&["psslint", "./plan"]).command else {
            panic!("expected check")
        };
        assert_eq!(a.paths, vec![PathBuf::from("./plan")]);
    }

    #[test]
    fn outputs_repeat_and_take_an_optional_format() {
        let Command::Check(a) = parse(&[
            "psslint",
            "--output",
            "sarif=psslint.sarif",
            "-o",
            "report.txt",
            "--fail-on",
            "never",
            "k8s",
        ])
        .command
        else {
            panic!("expected check")
        };
        assert_eq!(a.output.len(), 2);
        assert_eq!(a.output[0].format, Some(Format::Sarif));
        assert_eq!(a.output[1].format, None);
        assert_eq!(a.fail_on, FailOn::Never);
        assert!(!a.quiet && !a.statistics);
    }

    #[test]
    fn output_format_is_an_alias_of_format() {
        let Command::Check(a) = parse(&["psslint", "--output-format", "sarif", "k8s"]).command
        else {
            panic!("expected check")
        };
        assert_eq!(a.format, Format::Sarif);
        for sub in ["plan", "exceptions"] {
            let args = normalize_args(
                ["psslint", sub, "--output-format", "json"]
                    .iter()
                    .map(OsString::from)
                    .collect(),
            );
            assert!(Cli::try_parse_from(args).is_ok(), "{sub}");
        }
        // Given twice under both names, clap refuses it as for any repeated flag.
        let twice = normalize_args(
            ["psslint", "--format", "json", "--output-format", "sarif"]
                .iter()
                .map(OsString::from)
                .collect(),
        );
        assert!(Cli::try_parse_from(twice).is_err());
    }

    #[test]
    fn sizes_take_binary_suffixes() {
        assert_eq!(parse_size("1000"), Ok(1000));
        assert_eq!(parse_size("256M"), Ok(256 << 20));
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        assert_eq!(parse_size("4kib"), Ok(4096));
        for bad in ["", "M", "-1", "1.5G", "12X", "99999999999T"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn from_version_takes_a_pinned_version() {
        assert!(parse_version("latest").is_err());
    }

    #[test]
    fn rejects_bad_levels_and_versions() {
        let bad = normalize_args(
            ["psslint", "--level", "Baseline"]
                .iter()
                .map(OsString::from)
                .collect(),
        );
        assert!(Cli::try_parse_from(bad).is_err());
        let bad = normalize_args(
            ["psslint", "--pss-version", "1.25"]
                .iter()
                .map(OsString::from)
                .collect(),
        );
        assert!(Cli::try_parse_from(bad).is_err());
    }
}
