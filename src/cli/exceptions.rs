//! `psslint exceptions`: lint, then print the review of tracked exceptions, or export them
//! to the cluster (`--format kyverno|kyverno-cel|psa-exemptions`).

use std::io::{self, Write};

use super::args::ExceptionsArgs;
use crate::input::discover::Discovered;
use crate::input::read::{self, ReadLimits};
use crate::lint::{self, options::LintOptions};
use crate::plan::runs::Pipeline;
use crate::report::exceptions::{kyverno, psa, ReviewFormat};
use crate::report::text::escape_keeping_lines;

/// `psslint exceptions`: lint, then print the exception review.
pub fn run(args: ExceptionsArgs) -> u8 {
    let opts = match args.policy.lint_options() {
        Ok(opts) => opts,
        Err(errors) => return super::config_trouble(&errors),
    };
    let discovered = match super::discover_with_snapshots(
        &args.paths,
        (args.no_ignore, args.follow),
        &args.policy,
    ) {
        Ok(d) => d,
        Err(code) => return code,
    };
    if args.format.is_export() {
        return export(&args, opts, &discovered);
    }
    let limits = ReadLimits::new(opts.max_file_size);
    let report = lint::lint_discovered(&discovered, &opts, |input| read::read(input, &limits));
    // Rendered whole, so that input text is escaped for the terminal (see report::text).
    let mut bytes = Vec::new();
    let rendered =
        crate::report::exceptions::render(&report, args.format, &mut bytes).and_then(|()| {
            let text = String::from_utf8_lossy(&bytes);
            let text = match args.format {
                ReviewFormat::Json => text,
                _ => escape_keeping_lines(&text).into_owned().into(),
            };
            let mut out = io::stdout().lock();
            out.write_all(text.as_bytes()).and_then(|()| out.flush())
        });
    match rendered {
        Ok(()) => super::EXIT_OK,
        Err(e) => {
            eprintln!("psslint: cannot write the review: {e}");
            super::EXIT_TROUBLE
        }
    }
}

/// The tracked exceptions that apply today, as documents for the cluster. Exit 1 when one
/// could not be exported faithfully or some input could not be checked (the export cannot
/// vouch for it).
fn export(args: &ExceptionsArgs, mut opts: LintOptions, discovered: &Discovered) -> u8 {
    let kyverno_opts = match args.format {
        ReviewFormat::Kyverno => match (&args.kyverno_policy, args.kyverno_rule.is_empty()) {
            (Some(policy), false) => Some(kyverno::KyvernoOptions {
                policy: policy.clone(),
                rules: args.kyverno_rule.clone(),
                namespace: args.kyverno_namespace.clone(),
            }),
            _ => {
                eprintln!(
                    "psslint: --format kyverno needs --kyverno-policy NAME and --kyverno-rule RULE: \
                     the ClusterPolicy whose rules apply Pod Security with validate.podSecurity"
                );
                return super::EXIT_TROUBLE;
            }
        },
        _ => None,
    };
    opts.keep_object_metadata = true;
    opts.keep_passing_objects = true;
    let limits = ReadLimits::new(opts.max_file_size);
    let report = lint::lint_discovered(discovered, &opts, |input| read::read(input, &limits));
    let exported = match (args.format, &kyverno_opts) {
        (ReviewFormat::Kyverno, Some(k)) => kyverno::v2(&report, k),
        (ReviewFormat::KyvernoCel, _) => kyverno::cel(&report, args.kyverno_namespace.as_deref()),
        _ => psa::render(
            &report,
            &opts.policy,
            args.policy.admission_config.is_some(),
        ),
    };
    let mut out = io::stdout().lock();
    if let Err(e) = out
        .write_all(exported.text.as_bytes())
        .and_then(|()| out.flush())
    {
        eprintln!("psslint: cannot write the export: {e}");
        return super::EXIT_TROUBLE;
    }
    for n in &exported.notes {
        eprintln!("psslint: note: {n}");
    }
    for w in &exported.warnings {
        eprintln!("psslint: warning: {w}");
    }
    for e in &exported.errors {
        eprintln!("psslint: error: {e}");
    }
    let unchecked = Pipeline::unchecked(&report);
    for u in &unchecked {
        eprintln!("psslint: not checked: {u}");
    }
    if exported.errors.is_empty() && unchecked.is_empty() {
        super::EXIT_OK
    } else {
        super::EXIT_FINDINGS
    }
}
