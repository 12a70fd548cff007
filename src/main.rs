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
use psslint::notices::render::{self, NoticeTemplate};
use psslint::notices::{NoticeContext, NoticeFormat, NoticesArgs};
use psslint::output::{self, Destination, WriteOptions};
use psslint::plan::{self, PlanArgs};
use psslint::policy::options::{ExceptionsArgs, PolicyArgs};
use psslint::policy::strict::ConfigErrors;
use psslint::report::text::escape;
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
        Command::Plan(args) => plan(args),
        Command::Notices(args) => notices(args),
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
            follow: args.follow,
            threads: walkers,
        },
    );
    // A missing path is a usage error (exit 2), but the other paths are still linted.
    for e in &discovered.missing {
        eprintln!("psslint: {}: {}", escape(&e.path), e.message);
    }
    if let Some(t) = &timings {
        t.add(Stage::Discover, discover_start);
    }
    workers::build_pool(workers::count(args.threads, &discovered.inputs));
    let mut opts = match args.policy.lint_options() {
        Ok(opts) => opts,
        Err(errors) => return config_trouble(&errors),
    };
    // Never write a report over a file this run reads.
    if let Err(e) = output::refuse_inputs(
        &targets,
        run_inputs(&discovered, &args.policy)
            .iter()
            .map(PathBuf::as_path),
    ) {
        eprintln!("psslint: {e}");
        return EXIT_TROUBLE;
    }
    opts.max_file_size = args.max_file_size;
    opts.fast_path = !args.no_fast_path;
    opts.timings = timings.clone();
    opts.allow_unchecked = args.allow_unchecked;
    opts.allow_empty = args.allow_empty;
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

/// Every file a run reads: the inputs, named or walked, and the config files.
fn run_inputs(discovered: &discover::Discovered, policy: &PolicyArgs) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = discovered
        .inputs
        .iter()
        .filter_map(|i| match i {
            discover::Input::File(p) => Some(p.clone()),
            discover::Input::Stdin => None,
        })
        .collect();
    paths.extend(policy.config_paths());
    paths
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
            follow: args.follow,
            threads,
        },
    ) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("psslint: {}: {}", escape(&e.path), e.message);
            return EXIT_TROUBLE;
        }
    };
    let limits = ReadLimits::new(opts.max_file_size);
    let report = lint::lint_discovered(&discovered, &opts, |input| input::read(input, &limits));
    // Rendered whole, so that input text is escaped for the terminal (see report::text).
    let mut bytes = Vec::new();
    let rendered =
        psslint::report::exceptions::render(&report, args.format, &mut bytes).and_then(|()| {
            let text = String::from_utf8_lossy(&bytes);
            let text = match args.format {
                psslint::policy::options::ReviewFormat::Json => text,
                _ => psslint::report::text::escape_keeping_lines(&text)
                    .into_owned()
                    .into(),
            };
            let mut out = io::stdout().lock();
            out.write_all(text.as_bytes()).and_then(|()| out.flush())
        });
    match rendered {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("psslint: cannot write the review: {e}");
            EXIT_TROUBLE
        }
    }
}

/// The check pipeline over `paths` with the run's real policy, read once for several runs
/// (`plan`, `notices`); on trouble, the message is printed and the exit code returned.
fn pipeline(
    paths: &[PathBuf],
    walk: (bool, bool),
    policy: &PolicyArgs,
) -> Result<plan::runs::Pipeline, u8> {
    let (no_ignore, follow) = walk;
    if policy.level.is_some() || policy.pss_version.is_some() {
        eprintln!(
            "psslint: --level and --pss-version force one policy everywhere; plans and notices \
             judge each namespace by its own, and take the level to roll out from --target"
        );
        return Err(EXIT_TROUBLE);
    }
    let opts = policy.lint_options().map_err(|e| config_trouble(&e))?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let discovered = discover::discover(
        paths,
        &DiscoverOptions {
            no_ignore,
            follow,
            threads,
        },
    )
    .map_err(|e| {
        eprintln!("psslint: {}: {}", escape(&e.path), e.message);
        EXIT_TROUBLE
    })?;
    Ok(plan::runs::Pipeline::new(discovered, opts))
}

/// `psslint plan`: the rollout plan. Exit 1 when some input could not be checked (the plan
/// cannot vouch for it), 2 on trouble.
fn plan(args: PlanArgs) -> u8 {
    let pipeline = match pipeline(&args.paths, (args.no_ignore, args.follow), &args.policy) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let target = args
        .target
        .unwrap_or_default()
        .resolve(pipeline.opts.policy.kubernetes_minor);
    let built = plan::build(&pipeline, target, args.from_version);
    let mut bytes = Vec::new();
    if let Err(e) = plan::render(&built, args.format, &mut bytes) {
        eprintln!("psslint: cannot render the plan: {e}");
        return EXIT_TROUBLE;
    }
    // The terminal table carries names from the input: escape them (see report::text).
    if args.format == plan::PlanFormat::Human {
        let text = String::from_utf8_lossy(&bytes);
        bytes = psslint::report::text::escape_keeping_lines(&text)
            .into_owned()
            .into_bytes();
    }
    let written = match &args.output {
        Some(path) => {
            let target = output::Target {
                format: psslint::report::Format::Json,
                destination: Destination::File(path.clone()),
            };
            output::refuse_inputs(
                std::slice::from_ref(&target),
                run_inputs(pipeline.discovered(), &args.policy)
                    .iter()
                    .map(PathBuf::as_path),
            )
            .and_then(|()| {
                std::fs::write(path, &bytes)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))
            })
        }
        None => {
            let mut out = io::stdout().lock();
            out.write_all(&bytes)
                .and_then(|()| out.flush())
                .map_err(|e| format!("cannot write the plan: {e}"))
        }
    };
    if let Err(e) = written {
        eprintln!("psslint: {e}");
        return EXIT_TROUBLE;
    }
    for u in &built.unchecked {
        eprintln!("psslint: not checked: {}", escape(u));
    }
    if built.unchecked.is_empty() {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    }
}

/// `psslint notices`: one notice per owner group.
fn notices(args: NoticesArgs) -> u8 {
    let template = match &args.notice_template {
        None => NoticeTemplate::builtin(),
        Some(path) => {
            let name = discover::display_path(path);
            let source = match std::fs::read_to_string(path) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("psslint: {name}: cannot read the notice template: {e}");
                    return EXIT_TROUBLE;
                }
            };
            match NoticeTemplate::new(name, source) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("psslint: {e}");
                    return EXIT_TROUBLE;
                }
            }
        }
    };
    let pipeline = match pipeline(&args.paths, (args.no_ignore, args.follow), &args.policy) {
        Ok(mut p) => {
            p.opts.keep_object_metadata = true;
            p
        }
        Err(code) => return code,
    };
    let target = args
        .target
        .unwrap_or_default()
        .resolve(pipeline.opts.policy.kubernetes_minor);
    let today = pipeline.opts.policy.clock.today;
    if args.deadline < today {
        eprintln!(
            "psslint: warning: the deadline {} is before today ({today})",
            args.deadline
        );
    }
    let run = pipeline.judge(target);
    let list = psslint::notices::build(
        &run,
        &NoticeContext {
            target,
            deadline: args.deadline,
            contact: &args.contact,
            group_by: &args.group_by,
        },
    );
    let texts = match render::texts(&list, &template) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("psslint: {e}");
            return EXIT_TROUBLE;
        }
    };
    let unchecked = plan::runs::Pipeline::unchecked(&run.report);
    for u in &unchecked {
        eprintln!("psslint: not checked: {}", escape(u));
    }
    if list.is_empty() && args.out_dir.is_none() {
        eprintln!(
            "psslint: no notices: no workload would be rejected at {}",
            target.label()
        );
    }
    let written = match &args.out_dir {
        Some(dir) => write_notices(dir, &list, &texts),
        None => {
            let mut out = io::stdout().lock();
            match args.format {
                NoticeFormat::Markdown => render::markdown(&texts, &mut out),
                NoticeFormat::Json => render::json(&list, &texts, &mut out),
            }
            .and_then(|()| out.flush())
            .map_err(|e| format!("cannot write the notices: {e}"))
        }
    };
    if let Err(e) = written {
        eprintln!("psslint: {e}");
        return EXIT_TROUBLE;
    }
    if unchecked.is_empty() {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    }
}

/// One Markdown file per notice in `dir`, and a line per file on standard output.
fn write_notices(
    dir: &std::path::Path,
    list: &[psslint::notices::model::Notice],
    texts: &[String],
) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut out = io::stdout().lock();
    for (notice, text) in list.iter().zip(texts) {
        let path = dir.join(&notice.file_name);
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        let n = notice.workloads.len();
        let _ = writeln!(
            out,
            "{}: {} ({n} {})",
            discover::display_path(&path),
            notice.group_description,
            if n == 1 { "workload" } else { "workloads" }
        );
    }
    if list.is_empty() {
        let _ = writeln!(out, "No notices: no workload has anything to fix.");
    }
    Ok(())
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
