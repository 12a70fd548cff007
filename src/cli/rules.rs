//! `psslint rule ID` and `psslint rules`: the rule documentation compiled into the binary.

use std::io::{self, Write};

use crate::rules;

/// `psslint rule ID`.
pub fn explain(id: &str) -> u8 {
    match rules::get(id) {
        Some(doc) => {
            print_or_quit(&rules::plain_text(doc.markdown));
            super::EXIT_OK
        }
        None => {
            eprintln!("psslint: unknown rule `{id}`; `psslint rules` lists them");
            super::EXIT_TROUBLE
        }
    }
}

/// `psslint rules`.
pub fn list() -> u8 {
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
    super::EXIT_OK
}

fn print_or_quit(text: &str) {
    let mut out = io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}
