//! `psslint exceptions`: lint, then print the review of tracked exceptions.

use std::io;

use super::args::ExceptionsArgs;
use crate::input::discover::{self, DiscoverOptions};
use crate::input::read::{self, ReadLimits};
use crate::lint;

/// `psslint exceptions`: lint, then print the exception review.
pub fn run(args: ExceptionsArgs) -> u8 {
    let opts = match args.policy.lint_options() {
        Ok(opts) => opts,
        Err(errors) => return super::config_trouble(&errors),
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
            return super::EXIT_TROUBLE;
        }
    };
    let limits = ReadLimits::new(opts.max_file_size);
    let report = lint::lint_discovered(&discovered, &opts, |input| read::read(input, &limits));
    let mut out = io::stdout().lock();
    match crate::report::exceptions::render(&report, args.format, &mut out) {
        Ok(()) => super::EXIT_OK,
        Err(e) => {
            eprintln!("psslint: cannot write the review: {e}");
            super::EXIT_TROUBLE
        }
    }
}
