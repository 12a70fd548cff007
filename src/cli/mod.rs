//! The command line: the flags ([`args`], [`policy`]) and one file per subcommand's run, each
//! returning its exit code. `main.rs` only parses, dispatches and exits.

pub mod args;
pub mod check;
pub mod decode;
pub mod exceptions;
pub mod fix;
pub mod notices;
pub mod plan;
pub mod policy;
pub mod rules;

use std::path::{Path, PathBuf};

use crate::input::discover::{self, DiscoverOptions};
use crate::plan::runs::Pipeline;
use crate::policy::strict::ConfigErrors;
use crate::report::text::escape;

/// Nothing at or above `--fail-on`.
pub const EXIT_OK: u8 = 0;
/// Findings that fail the run (violations, or input that could not be checked).
pub const EXIT_FINDINGS: u8 = 1;
/// psslint could not do its job (bad flags, a missing named path, an unwritable output).
pub const EXIT_TROUBLE: u8 = 2;

/// Config problems: each on its own line, then exit 2.
pub fn config_trouble(errors: &ConfigErrors) -> u8 {
    for e in &errors.0 {
        eprintln!("psslint: {e}");
    }
    EXIT_TROUBLE
}

/// The check pipeline over `paths` with the run's real policy, read once for several runs
/// (`plan`, `notices`); on trouble, the message is printed and the exit code returned.
pub fn pipeline(
    paths: &[PathBuf],
    walk: (bool, bool),
    policy: &policy::PolicyArgs,
) -> Result<Pipeline, u8> {
    let (no_ignore, follow) = walk;
    if policy.level.is_some() || policy.pss_version.is_some() {
        eprintln!(
            "psslint: --level and --pss-version force one policy everywhere; plans and notices \
             judge each namespace by its own, and take the level to roll out from --target"
        );
        return Err(EXIT_TROUBLE);
    }
    let opts = policy.lint_options().map_err(|e| config_trouble(&e))?;
    let discovered = discover_with_snapshots(paths, (no_ignore, follow), policy)?;
    Ok(Pipeline::new(discovered, opts))
}

/// The inputs of `paths` and of `--cluster-snapshot`; a missing one is trouble (exit 2).
pub fn discover_with_snapshots(
    paths: &[PathBuf],
    walk: (bool, bool),
    policy: &policy::PolicyArgs,
) -> Result<discover::Discovered, u8> {
    let (no_ignore, follow) = walk;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut discovered = discover::discover_all(
        paths,
        &DiscoverOptions {
            no_ignore,
            follow,
            threads,
        },
    );
    crate::input::snapshot::add_inputs(&mut discovered, &policy.cluster_snapshot);
    match discovered.missing.first() {
        Some(e) => {
            eprintln!("psslint: {}: {}", escape(&e.path), e.message);
            Err(EXIT_TROUBLE)
        }
        None => Ok(discovered),
    }
}

/// Every file a run reads: the inputs, named or walked, and the config files. Reports are
/// never written over any of them.
pub fn run_inputs(discovered: &discover::Discovered, policy: &policy::PolicyArgs) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = discovered
        .inputs
        .iter()
        .filter_map(|i| i.path().map(Path::to_path_buf))
        .collect();
    paths.extend(policy.config_paths());
    paths
}
