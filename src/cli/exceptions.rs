//! `psslint exceptions`: lint, then print the review of tracked exceptions.

use std::io::{self, Write};

use super::args::ExceptionsArgs;
use crate::input::discover::{self, DiscoverOptions};
use crate::input::read::{self, ReadLimits};
use crate::lint;
use crate::report::exceptions::ReviewFormat;
use crate::report::text::{escape, escape_keeping_lines};

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
            follow: args.follow,
            threads,
        },
    ) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("psslint: {}: {}", escape(&e.path), e.message);
            return super::EXIT_TROUBLE;
        }
    };
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
