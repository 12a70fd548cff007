//! The machine-readable contract: pretty JSON with the tool, the run's summary and every
//! diagnostic in the serde form of [`Diagnostic`] (absent optional fields are omitted).
//!
//! ```json
//! {"tool": {"name": "psslint", "version": "0.1.0"},
//!  "summary": {"files": 1, "documents": 1, "objects": 1, "pod_templates": 1, ...},
//!  "diagnostics": [{"rule": "runAsNonRoot", "severity": "error", ...}]}
//! ```

use std::io::{self, BufWriter, Write};

use serde::Serialize;

use super::{Tool, TOOL};
use crate::model::diagnostic::Diagnostic;
use crate::model::report::{Report, Summary};

#[derive(Serialize)]
struct Output<'a> {
    tool: Tool,
    summary: &'a Summary,
    diagnostics: &'a [Diagnostic],
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut out = BufWriter::new(out);
    let output = Output {
        tool: TOOL,
        summary: &report.summary,
        diagnostics: &report.diagnostics,
    };
    serde_json::to_writer_pretty(&mut out, &output)?;
    writeln!(out)?;
    out.flush()
}
