//! The plan as JSON: `{"tool": …, "target": …, "summary": …, "namespaces": […]}`.

use std::io::{self, Write};

use serde::Serialize;

use super::Plan;
use crate::report::{Tool, TOOL};

#[derive(Serialize)]
struct Json<'a> {
    tool: Tool,
    #[serde(flatten)]
    plan: &'a Plan,
}

pub fn render(plan: &Plan, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &Json { tool: TOOL, plan })?;
    writeln!(out)
}
