//! `psslint plan`: the rollout plan.

use std::io::{self, Write};

use super::args::PlanArgs;
use std::path::PathBuf;

use crate::plan;
use crate::report::output::{self, Destination, Target};
use crate::report::text::{escape, escape_keeping_lines};
use crate::report::Format;

/// `psslint plan`: the rollout plan. Exit 1 when some input could not be checked (the plan
/// cannot vouch for it), 2 on trouble.
pub fn run(args: PlanArgs) -> u8 {
    let pipeline = match super::pipeline(&args.paths, (args.no_ignore, args.follow), &args.policy) {
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
        return super::EXIT_TROUBLE;
    }
    // The terminal table carries names from the input: escape them (see report::text).
    if args.format == plan::PlanFormat::Human {
        let text = String::from_utf8_lossy(&bytes);
        bytes = escape_keeping_lines(&text).into_owned().into_bytes();
    }
    let written = match &args.output {
        Some(path) => {
            let target = Target {
                format: Format::Json,
                destination: Destination::File(path.clone()),
            };
            let inputs = super::run_inputs(pipeline.discovered(), &args.policy);
            output::refuse_inputs(
                std::slice::from_ref(&target),
                inputs.iter().map(PathBuf::as_path),
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
        return super::EXIT_TROUBLE;
    }
    for u in &built.unchecked {
        eprintln!("psslint: not checked: {}", escape(u));
    }
    if built.unchecked.is_empty() {
        super::EXIT_OK
    } else {
        super::EXIT_FINDINGS
    }
}
