//! `psslint --fix` and `--diff`: lint, apply the fixes in memory, re-lint, repeat while fixes
//! were deferred by a conflict (a few rounds at most), then write each changed file atomically
//! (or print the diff, or the fixed standard input) and report what is left.
//!
//! Nothing is written unless the fixed text re-lints without a parse or decoding problem, and
//! a file that changed on disk since it was read is left alone.

use std::collections::HashMap;
use std::io::{self, IsTerminal, Read, Write};
use std::path::PathBuf;

use super::args::{CheckArgs, ColorChoice};
use crate::fix::{self, diff, wants_fix, FixOptions, Status, BLOCKING_RULES};
use crate::input::discover::{self, DiscoverOptions};
use crate::input::read::{self, ReadLimits, Source};
use crate::input::Input;
use crate::lint;
use crate::model::diagnostic::{Diagnostic, EditOp, Severity};
use crate::model::field::FieldPath;
use crate::model::problem::{is_unchecked, LoadProblem};
use crate::model::report::Report;
use crate::report::output::{self, Destination, WriteOptions};
use crate::report::text::escape;
use crate::report::{RenderOptions, SourceRoot};

/// Rounds of fixing after the first: each round applies the fixes a conflict deferred.
const MAX_ROUNDS: usize = 16;

/// One input's content as read, and as fixed so far.
struct Content {
    input: Input,
    original: Result<Vec<u8>, LoadProblem>,
    current: Option<Vec<u8>>,
}

impl Content {
    fn bytes(&self) -> Result<&[u8], &LoadProblem> {
        match (&self.current, &self.original) {
            (Some(c), _) => Ok(c),
            (None, Ok(o)) => Ok(o),
            (None, Err(e)) => Err(e),
        }
    }

    fn changed(&self) -> bool {
        self.current.is_some()
    }
}

/// Runs `psslint check --fix` / `--diff`; returns the exit code.
pub fn run(args: CheckArgs) -> u8 {
    let fa = args.fix.clone();
    let mut policy = args.policy.clone();
    if let Some(level) = fa.fix_level {
        policy.level = Some(level);
    }
    let targets = match output::targets(args.format, &args.output) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("psslint: {e}");
            return super::EXIT_TROUBLE;
        }
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut discovered = discover::discover_all(
        &args.paths,
        &DiscoverOptions {
            no_ignore: args.no_ignore,
            follow: args.follow,
            threads: args.threads.unwrap_or(threads).max(1),
        },
    );
    if let Some(e) = discovered.missing.first() {
        eprintln!("psslint: {}: {}", escape(&e.path), e.message);
        return super::EXIT_TROUBLE;
    }
    crate::input::snapshot::add_inputs(&mut discovered, &policy.cluster_snapshot);
    let mut opts = match policy.lint_options() {
        Ok(opts) => opts,
        Err(errors) => return super::config_trouble(&errors),
    };
    opts.max_file_size = args.max_file_size;
    opts.fast_path = !args.no_fast_path;
    opts.keep_passing_objects = targets
        .iter()
        .any(|t| t.format == crate::report::Format::Junit);
    opts.allow_unchecked = args.allow_unchecked;
    opts.allow_empty = args.allow_empty;
    opts.namespaces_from = lint::options::NamespaceSources {
        paths: args.namespaces_from.clone(),
        no_ignore: args.no_ignore,
        follow: args.follow,
    };
    let inputs = super::run_inputs(&discovered, &policy);
    if let Err(e) = output::refuse_inputs(&targets, inputs.iter().map(PathBuf::as_path)) {
        eprintln!("psslint: {}", escape(&e));
        return super::EXIT_TROUBLE;
    }

    // Every input is read once, whole: what is edited is exactly what was linted.
    let limits = ReadLimits::new(args.max_file_size);
    let mut contents: Vec<Content> = discovered
        .inputs
        .iter()
        .map(|input| Content {
            input: input.clone(),
            original: read_whole(input, &limits),
            current: None,
        })
        .collect();
    let by_name: HashMap<String, usize> = contents
        .iter()
        .enumerate()
        .map(|(i, c)| (c.input.display(), i))
        .collect();
    let lint_now = |contents: &[Content]| -> Report {
        lint::lint_discovered(&discovered, &opts, |input| {
            let c = &contents[by_name[&input.display()]];
            c.bytes()
                .map(|b| Source::Bytes(b.to_vec()))
                .map_err(Clone::clone)
        })
    };

    let fopts = FixOptions {
        unsafe_fixes: fa.unsafe_fixes,
    };
    let first = lint_now(&contents);
    let wanted_before = first.diagnostics.iter().filter(|d| wants_fix(d)).count();
    let mut report = first;
    // Per input, the field edits of every finding that a round fixed in it.
    let mut edits: HashMap<usize, Vec<(FieldPath, EditOp)>> = HashMap::new();
    let mut reasons: HashMap<(String, u32, u32, String), String> = HashMap::new();
    for round in 0..=MAX_ROUNDS {
        reasons.clear();
        let mut changed = false;
        let mut by_file: HashMap<&str, Vec<&Diagnostic>> = HashMap::new();
        for d in &report.diagnostics {
            if wants_fix(d) || BLOCKING_RULES.contains(&d.rule.as_str()) {
                by_file.entry(d.file.as_str()).or_default().push(d);
            }
        }
        let mut updates = Vec::new();
        for (file, diags) in by_file {
            if !diags.iter().any(|d| wants_fix(d)) {
                continue;
            }
            let Some(&i) = by_name.get(file) else {
                continue;
            };
            // A chart or kustomization is linted as rendered: its output is no file to edit.
            if contents[i].input.path().is_some_and(|p| p.is_dir()) {
                for d in diags.iter().filter(|d| wants_fix(d)) {
                    reasons.insert(
                        key(d),
                        "rendered from a chart or kustomization: fix its templates, values, \
                         bases or patches"
                            .to_string(),
                    );
                }
                continue;
            }
            // A cluster snapshot records what runs; it is context, not a manifest to edit.
            if opts.snapshots.contains(file) {
                for d in diags.iter().filter(|d| wants_fix(d)) {
                    reasons.insert(
                        key(d),
                        "the file is a --cluster-snapshot: fix the manifests it was made from"
                            .to_string(),
                    );
                }
                continue;
            }
            let Ok(bytes) = contents[i].bytes() else {
                continue;
            };
            let out = fix::fix_file(bytes, &diags, fopts);
            if out.fixed.is_some() {
                let e = edits.entry(i).or_default();
                for d in diags.iter().filter(|d| wants_fix(d)) {
                    for f in d.fix.iter().flat_map(|f| &f.edits) {
                        e.push((f.path.clone(), f.op.clone()));
                    }
                }
            }
            for (d, s) in diags.iter().zip(&out.statuses) {
                let why = match s {
                    Status::Skipped(why) => why.clone(),
                    Status::Deferred => {
                        "its edits overlap another fix's; run --fix again".to_string()
                    }
                    Status::Applied => continue,
                };
                reasons.insert(key(d), why);
            }
            if let Some(fixed) = out.fixed {
                updates.push((i, fixed));
            }
        }
        if round == MAX_ROUNDS {
            break;
        }
        for (i, fixed) in updates {
            contents[i].current = Some(fixed);
            changed = true;
        }
        if !changed {
            break;
        }
        report = lint_now(&contents);
    }

    // Never write a file whose fixed text psslint cannot read exactly, or that would decode
    // to anything but the old objects with the fixed fields changed.
    let mut broken = Vec::new();
    for (i, c) in contents.iter_mut().enumerate().filter(|(_, c)| c.changed()) {
        let name = c.input.display();
        let why = if report
            .diagnostics
            .iter()
            .any(|d| d.file == name && BLOCKING_RULES.contains(&d.rule.as_str()))
        {
            Some("the fixed text would not parse".to_string())
        } else {
            match (&c.original, &c.current) {
                (Ok(old), Some(new)) => fix::verify::same_except_edits(
                    old,
                    new,
                    edits.get(&i).map_or(&[], Vec::as_slice),
                )
                .err(),
                _ => None,
            }
        };
        if let Some(why) = why {
            broken.push((name, why));
            c.current = None;
        }
    }
    if !broken.is_empty() {
        for (name, why) in &broken {
            eprintln!(
                "psslint: {}: {why}; the file was left as it was (this is a bug in psslint --fix)",
                escape(name)
            );
        }
        report = lint_now(&contents);
    }

    // Note on each finding left why it was not fixed.
    for d in &mut report.diagnostics {
        let wanted = wants_fix(d);
        if let (true, Some(why), Some(f)) = (wanted, reasons.get(&key(d)), d.fix.as_mut()) {
            f.note = Some(why.clone());
        }
    }
    let wanted_after = report.diagnostics.iter().filter(|d| wants_fix(d)).count();
    let changed: Vec<&Content> = contents.iter().filter(|c| c.changed()).collect();
    let stdin_in = contents.iter().any(|c| matches!(c.input, Input::Stdin));

    let mut trouble = false;
    if fa.diff {
        let root = SourceRoot::detect().ok();
        let mut out = io::stdout().lock();
        for c in &changed {
            let name = c.input.display();
            let path = root
                .as_ref()
                .and_then(|r| r.relative(&name))
                .unwrap_or_else(|| name.clone());
            let old = String::from_utf8_lossy(c.original.as_deref().unwrap_or(&[])).into_owned();
            let new = String::from_utf8_lossy(c.current.as_deref().unwrap_or(&[])).into_owned();
            let _ = out.write_all(diff::unified(&path, &old, &new).as_bytes());
        }
        let _ = out.flush();
    } else {
        for c in &changed {
            let (Input::File(path), Ok(old), Some(new)) = (&c.input, &c.original, &c.current)
            else {
                continue;
            };
            if let Err(e) = fix::write::replace(path, old, new) {
                eprintln!("psslint: {}: not written: {e}", escape(&c.input.display()));
                trouble = true;
            }
        }
        if let Some(c) = contents.iter().find(|c| matches!(c.input, Input::Stdin)) {
            if let Ok(bytes) = c.bytes() {
                let mut out = io::stdout().lock();
                let _ = out.write_all(bytes).and_then(|()| out.flush());
            }
        }
    }

    // What was done, and what was left and why, on standard error.
    let fixed = wanted_before.saturating_sub(wanted_after);
    let verb = if fa.diff { "would fix" } else { "fixed" };
    eprintln!(
        "psslint: {verb} {fixed} of {wanted_before} finding{} in {} file{}",
        plural(wanted_before),
        changed.len(),
        plural(changed.len())
    );
    let mut left: Vec<&Diagnostic> = report.diagnostics.iter().filter(|d| wants_fix(d)).collect();
    left.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    for d in &left {
        let why = d
            .fix
            .as_ref()
            .and_then(|f| f.note.clone())
            .unwrap_or_else(|| "the fix did not clear the finding".to_string());
        eprintln!(
            "psslint: not fixed: {}:{}:{}: {}: {}",
            escape(&d.file),
            d.line,
            d.column,
            d.rule,
            why
        );
    }

    if fa.diff {
        return if trouble {
            super::EXIT_TROUBLE
        } else if changed.is_empty() {
            super::EXIT_OK
        } else {
            super::EXIT_FINDINGS
        };
    }

    // The re-lint's report, as `check` writes it (on standard error when standard output
    // carries the fixed stream).
    let to_stdout = targets.iter().any(|t| t.destination == Destination::Stdout);
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            to_stdout
                && !stdin_in
                && io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let wopts = WriteOptions {
        render: RenderOptions {
            color,
            quiet: args.quiet,
            root: SourceRoot::detect().ok(),
            complete_reports: Vec::new(),
        },
        statistics: args.statistics,
        step_summary: None,
    };
    let written = if stdin_in {
        output::write(
            &report,
            &targets,
            &wopts,
            &mut io::stderr().lock(),
            &mut io::stderr().lock(),
        )
    } else {
        output::write(
            &report,
            &targets,
            &wopts,
            &mut io::stdout().lock(),
            &mut io::stderr().lock(),
        )
    };
    if let Err(e) = written {
        eprintln!("psslint: cannot write {}: {}", e.target, e.error);
        return super::EXIT_TROUBLE;
    }
    let unchecked = report
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error && is_unchecked(d));
    if trouble || !broken.is_empty() {
        super::EXIT_TROUBLE
    } else if unchecked || args.fail_on.fails(&report) {
        super::EXIT_FINDINGS
    } else {
        super::EXIT_OK
    }
}

fn key(d: &Diagnostic) -> (String, u32, u32, String) {
    (d.file.clone(), d.line, d.column, d.rule.clone())
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The whole content of an input (a large file too: a fix needs all of it).
fn read_whole(input: &Input, limits: &ReadLimits) -> Result<Vec<u8>, LoadProblem> {
    match read::read(input, limits)? {
        Source::Bytes(b) => Ok(b),
        Source::Stream(mut f) => {
            let mut b = Vec::new();
            f.read_to_end(&mut b).map_err(|e| {
                LoadProblem::new(
                    crate::model::problem::InputRule::Io,
                    format!("cannot read: {e}"),
                    None,
                )
            })?;
            Ok(b)
        }
    }
}
