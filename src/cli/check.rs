//! `psslint check` (the default command): lint, write every report, map the outcome to an
//! exit code.

use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use super::args::{CheckArgs, ColorChoice};
use crate::input::discover::{self, DiscoverOptions};
use crate::input::read::{self, ReadLimits, Source};
use crate::input::render;
use crate::input::{display_path, Input};
use crate::lint;
use crate::model::diagnostic::Severity;
use crate::model::problem::is_unchecked;
use crate::report::output::{self, Destination, WriteOptions};
use crate::report::text::escape;
use crate::report::{github, Format, RenderOptions, SourceRoot};
use crate::runtime::timings::{Stage, Timings};
use crate::runtime::workers;

/// How this run renders charts and kustomizations.
fn render_options(
    args: &CheckArgs,
    chart_values: std::collections::BTreeMap<PathBuf, Vec<PathBuf>>,
) -> render::RenderOptions {
    render::RenderOptions {
        values: args.render.values.clone(),
        chart_values,
        set: args.render.set.clone(),
        set_string: args.render.set_string.clone(),
        release_name: args.render.release_name.clone(),
        namespace: args.policy.namespace.clone(),
        timeout: args.render.render_timeout,
        max_output: args.max_file_size,
        allow_empty: args.allow_empty,
    }
}

/// Runs `psslint check`; returns the exit code.
pub fn run(args: CheckArgs) -> u8 {
    if args.fix.fix || args.fix.diff {
        return super::fix::run(args);
    }
    if args.fix.fix_level.is_some() || args.fix.unsafe_fixes {
        eprintln!("psslint: --fix-level and --unsafe-fixes need --fix or --diff");
        return super::EXIT_TROUBLE;
    }
    let targets = match output::targets(args.format, &args.output) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("psslint: {e}");
            return super::EXIT_TROUBLE;
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
    let mut discovered = discover::discover_all(
        &args.paths,
        &DiscoverOptions {
            no_ignore: args.no_ignore,
            follow: args.follow,
            threads: walkers,
        },
    );
    crate::input::snapshot::add_inputs(&mut discovered, &args.policy.cluster_snapshot);
    // A missing path is a usage error (exit 2), but the other paths are still linted.
    for e in &discovered.missing {
        eprintln!("psslint: {}: {}", escape(&e.path), e.message);
    }
    if let Some(t) = &timings {
        t.add(Stage::Discover, discover_start);
    }
    workers::build_pool(workers::count(
        args.threads,
        discovered.inputs.iter().map(Input::path),
    ));
    let mut opts = match args.policy.lint_options() {
        Ok(opts) => opts,
        Err(errors) => return super::config_trouble(&errors),
    };
    let chart_values = match args.policy.chart_values() {
        Ok(v) => v,
        Err(errors) => return super::config_trouble(&errors),
    };
    // Never write a report over a file this run reads (the Namespace context included).
    let mut inputs = super::run_inputs(&discovered, &args.policy);
    inputs.extend(args.namespaces_from.iter().cloned());
    inputs.extend(args.render.values.iter().cloned());
    if let Err(e) = output::refuse_inputs(&targets, inputs.iter().map(PathBuf::as_path)) {
        eprintln!("psslint: {}", escape(&e));
        return super::EXIT_TROUBLE;
    }
    opts.max_file_size = args.max_file_size;
    opts.fast_path = !args.no_fast_path;
    opts.timings = timings.clone();
    opts.allow_unchecked = args.allow_unchecked;
    opts.allow_empty = args.allow_empty;
    // A context path that does not exist is a usage error, like a missing input.
    if let Some(missing) = args
        .namespaces_from
        .iter()
        .find(|p| p.as_os_str() == "-" || std::fs::symlink_metadata(p).is_err())
    {
        eprintln!(
            "psslint: --namespaces-from {}: {}",
            display_path(missing),
            if missing.as_os_str() == "-" {
                "standard input cannot be read for context"
            } else {
                "no such file or directory"
            }
        );
        return super::EXIT_TROUBLE;
    }
    opts.namespaces_from = lint::options::NamespaceSources {
        paths: args.namespaces_from.clone(),
        no_ignore: args.no_ignore,
        follow: args.follow,
    };
    opts.keep_passing_objects = targets.iter().any(|t| t.format == Format::Junit);

    let limits = ReadLimits::new(args.max_file_size);
    // Charts and kustomizations are rendered first, with the run's flags; their streams are
    // linted in memory, each under its directory's name.
    let render_opts = render_options(&args, chart_values);
    let renders = render::render_all(
        discovered
            .inputs
            .iter()
            .filter_map(Input::path)
            .filter(|p| p.is_dir()),
        &render_opts,
    );
    let mut report = lint::lint_discovered(&discovered, &opts, |input| {
        match input.path().filter(|p| p.is_dir()) {
            Some(dir) => match renders.source(dir) {
                Some(rendered) => rendered.map(Source::Bytes),
                // A chart or kustomization read for its Namespaces only (--namespaces-from):
                // rendered too, since the Namespace it deploys is what the cluster gets.
                None => match render::tool_for(dir) {
                    Some(tool) => render::render(dir, tool, &render_opts)
                        .map(|r| Source::Bytes(r.text.as_bytes().to_vec())),
                    None => read::read(input, &limits),
                },
            },
            None => read::read(input, &limits),
        }
    });
    // Kustomize findings move to the base or patch that set the field; Helm findings to the
    // chart's template and values lines.
    crate::sourcemap::kustomize::remap_report(&mut report, &renders);
    if let Ok(root) = SourceRoot::detect() {
        let mut charts = crate::sourcemap::Registry::new();
        for rendered in renders.by_name.values().flatten() {
            if rendered.tool == render::Tool::Helm {
                charts.register(crate::sourcemap::RenderedChart {
                    name: rendered.display.clone(),
                    chart_dir: rendered.dir.clone(),
                    values_files: render::helm::values_files(&rendered.dir, &render_opts),
                    text: rendered.text.clone(),
                });
            }
        }
        crate::sourcemap::apply(&mut report.diagnostics, &root, &charts);
    }

    // A file named on the command line that cannot be read means psslint could not do its job.
    let named_unreadable = report.diagnostics.iter().any(|d| {
        d.rule == "io-error"
            && d.severity == Severity::Error
            && args.paths.iter().any(|p| display_path(p) == d.file)
    });
    // Fail closed: input that could not be checked fails the run, whatever --fail-on says.
    let unchecked = report
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error && is_unchecked(d));

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
            // Filled per target by output::write.
            complete_reports: Vec::new(),
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
        return super::EXIT_TROUBLE;
    }

    if named_unreadable || !discovered.missing.is_empty() {
        super::EXIT_TROUBLE
    } else if unchecked || args.fail_on.fails(&report) {
        super::EXIT_FINDINGS
    } else {
        super::EXIT_OK
    }
}
