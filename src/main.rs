//! The `psslint` binary: parse flags, dispatch to the subcommand's run ([`psslint::cli`]), and
//! exit with its code (0 = nothing at or above `--fail-on`, 1 = findings that fail, 2 =
//! psslint could not run).

use std::process::ExitCode;

use clap::Parser;

use psslint::cli::args::{normalize_args, Cli, Command};
use psslint::cli::{self, EXIT_OK, EXIT_TROUBLE};

/// A failed allocation ends the run with a clear error and exit status 2, not an abort.
#[global_allocator]
static ALLOC: psslint::runtime::alloc::Checked = psslint::runtime::alloc::Checked;

fn main() -> ExitCode {
    psslint::runtime::interrupt::install();
    let args = normalize_args(std::env::args_os().collect());
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                EXIT_TROUBLE
            } else {
                EXIT_OK
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let code = match cli.command {
        Command::Check(args) => cli::check::run(args),
        Command::Rule { id } => cli::rules::explain(&id),
        Command::Rules => cli::rules::list(),
        Command::Exceptions(args) => cli::exceptions::run(args),
        Command::Plan(args) => cli::plan::run(args),
        Command::Notices(args) => cli::notices::run(args),
        Command::Decode(args) => cli::decode::run(args),
    };
    ExitCode::from(code)
}
