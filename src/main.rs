//! The `psslint` binary: parse flags, call the library, print, and map the outcome to an exit
//! code (0 = nothing at or above `--fail-on`, 1 = findings that fail, 2 = psslint could not
//! run).

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use clap::Parser;

use psslint::cli::{normalize_args, CheckArgs, Cli, ColorChoice, Command};
use psslint::diagnostic::Severity;
use psslint::discover::{self, DiscoverOptions};
use psslint::input::{self, ReadLimits};
use psslint::lint;
use psslint::output::{self, Destination, WriteOptions};
use psslint::policy::options::ExceptionsArgs;
use psslint::policy::strict::ConfigErrors;
use psslint::report::{github, Format, RenderOptions, SourceRoot};
use psslint::rules;
use psslint::timings::{Stage, Timings};
use psslint::workers;

const EXIT_OK: u8 = 0;
const EXIT_FINDINGS: u8 = 1;
const EXIT_TROUBLE: u8 = 2;

fn main() -> ExitCode {
    psslint::interrupt::install();
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
        Command::Check(args) => check(args),
        Command::Rule { id } => rule(&id),
        Command::Rules => list_rules(),
        Command::Exceptions(args) => exceptions(args),
    };
    ExitCode::from(code)
}

fn check(args: CheckArgs) -> u8 {
    let targets = match output::targets(args.format, &args.output) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("psslint: {e}");
            return EXIT_TROUBLE;
        }
    };
    let timings = args.timings.then(|| Arc::new(Timings::new()));
    let discover_start = Instant::now();
    // The directory walk has its own threads; rayon's pool is sized once the inputs are known.
    let walkers = match args.threads {
        Some(n) => n.max(1),
        // Named files only (the pre-commit case): nothing to walk, no need to ask for cores.
        None if !args.paths.iter().any(|p| p.is_dir()) => 1,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let discovered = discover::discover_all(
        &args.paths,
        &DiscoverOptions {
            no_ignore: args.no_ignore,
            threads: walkers,
        },
    );
    // A missing path is a usage error (exit 2), but the other paths are still linted.
    for e in &discovered.missing {
        eprintln!("psslint: {}: {}", e.path, e.message);
    }
    if let Some(t) = &timings {
        t.add(Stage::Discover, discover_start);
    }
    workers::build_pool(workers::count(args.threads, &discovered.inputs));
    let mut opts = match args.policy.lint_options() {
        Ok(opts) => opts,
        Err(errors) => return config_trouble(&errors),
    };
    opts.max_file_size = args.max_file_size;
    opts.fast_path = !args.no_fast_path;
    opts.timings = timings.clone();
    opts.allow_unchecked = args.allow_unchecked;
    opts.keep_passing_objects = targets.iter().any(|t| t.format == Format::Junit);

    let limits = ReadLimits::new(args.max_file_size);
    let report = lint::lint_discovered(&discovered, &opts, |input| input::read(input, &limits));

    // A file named on the command line that cannot be read means psslint could not do its job.
    let named_unreadable = report.diagnostics.iter().any(|d| {
        d.rule == "io-error"
            && d.severity == Severity::Error
            && args
                .paths
                .iter()
                .any(|p| discover::display_path(p) == d.file)
    });
    // Fail closed: input that could not be checked fails the run, whatever --fail-on says.
    let unchecked = report
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error && lint::is_unchecked(d));

    let to_stdout = targets.iter().any(|t| t.destination == Destination::Stdout);
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            to_stdout
                && io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let opts = WriteOptions {
        render: RenderOptions {
            color,
            quiet: args.quiet,
            // Without a working directory, paths stay as given.
            root: SourceRoot::detect().ok(),
        },
        statistics: args.statistics,
        step_summary: std::env::var_os(github::STEP_SUMMARY_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from),
    };
    let report_start = Instant::now();
    let written = output::write(
        &report,
        &targets,
        &opts,
        &mut io::stdout().lock(),
        &mut io::stderr().lock(),
    );
    if let Some(t) = &timings {
        t.add(Stage::Report, report_start);
        let _ = t.render(
            report.summary.files,
            report.summary.documents,
            &mut io::stderr().lock(),
        );
    }
    if let Err(e) = written {
        eprintln!("psslint: cannot write {}: {}", e.target, e.error);
        return EXIT_TROUBLE;
    }

    if named_unreadable || !discovered.missing.is_empty() {
        EXIT_TROUBLE
    } else if unchecked || args.fail_on.fails(&report) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// Config problems: each on its own line, then exit 2.
fn config_trouble(errors: &ConfigErrors) -> u8 {
    for e in &errors.0 {
        eprintln!("psslint: {e}");
    }
    EXIT_TROUBLE
}

/// `psslint exceptions`: lint, then print the exception review.
fn exceptions(args: ExceptionsArgs) -> u8 {
    let opts = match args.policy.lint_options() {
        Ok(opts) => opts,
        Err(errors) => return config_trouble(&errors),
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let discovered = match discover::discover(
        &args.paths,
        &DiscoverOptions {
            no_ignore: args.no_ignore,
            threads,
        },
    ) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("psslint: {}: {}", e.path, e.message);
            return EXIT_TROUBLE;
        }
    };
    let limits = ReadLimits::new(opts.max_file_size);
    let report = lint::lint_discovered(&discovered, &opts, |input| input::read(input, &limits));
    let mut out = io::stdout().lock();
    match psslint::report::exceptions::render(&report, args.format, &mut out) {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("psslint: cannot write the review: {e}");
            EXIT_TROUBLE
        }
    }
}

fn rule(id: &str) -> u8 {
    match rules::get(id) {
        Some(doc) => {
            print_or_quit(&rules::plain_text(doc.markdown));
            EXIT_OK
        }
        None => {
            eprintln!("psslint: unknown rule `{id}`; `psslint rules` lists them");
            EXIT_TROUBLE
        }
    }
}

fn list_rules() -> u8 {
    let mut text = String::new();
    let width = rules::all().iter().map(|r| r.id.len()).max().unwrap_or(0);
    for r in rules::all() {
        text.push_str(&format!(
            "{:width$}  {:10}  {}\n",
            r.id,
            r.kind.label(),
            r.summary
        ));
    }
    print_or_quit(&text);
    EXIT_OK
}

fn print_or_quit(text: &str) {
    let mut out = io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}
