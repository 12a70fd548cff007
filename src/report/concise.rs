//! One line per diagnostic, `path:line:col: <rule> <message>`, for editors, `grep` and `awk`:
//!
//! ```text
//! k8s/app.yaml:12:9: runAsNonRoot error: runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true)
//! ```
//!
//! Every message starts with its severity, `error: `, `warning: ` or `note: `, so the three can
//! be told apart without breaking the `%f:%l:%c: %m` pattern that editors and CI problem
//! matchers know. Nothing else is printed: no summary, no blank lines.

use std::borrow::Cow;
use std::io::{self, BufWriter, Write};

use crate::model::diagnostic::Severity;
use crate::model::report::Report;

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut out = BufWriter::new(out);
    for d in &report.diagnostics {
        // A file name or message with a line break or an escape sequence must neither forge a
        // record nor reach the terminal raw.
        let d = super::text::diagnostic(d);
        // A position is always printed, so that every line parses the same way; an unknown
        // position (an unreadable file) is the start of the file.
        writeln!(
            out,
            "{}:{}:{}: {} {}{}",
            d.file,
            d.line.max(1),
            d.column.max(1),
            d.rule,
            match d.severity {
                Severity::Error => "error: ",
                Severity::Warning => "warning: ",
                Severity::Note => "note: ",
            },
            one_line(&d.message)
        )?;
    }
    out.flush()
}

/// Messages are one line by contract; a stray line break must not split a record.
fn one_line(s: &str) -> Cow<'_, str> {
    if s.contains(['\n', '\r']) {
        Cow::Owned(s.replace("\r\n", " ").replace(['\n', '\r'], " "))
    } else {
        Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_never_split_a_record() {
        assert_eq!(one_line("a\r\nb\nc"), "a b c");
        assert!(matches!(one_line("plain"), Cow::Borrowed(_)));
    }
}
