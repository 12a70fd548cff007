//! The plan as JSON: `{"tool": …, "target": …, "summary": …, "namespaces": […]}`.

use std::io::{self, Write};

use serde::Serialize;

use super::Plan;

#[derive(Serialize)]
struct Json<'a> {
    tool: Tool,
    #[serde(flatten)]
    plan: &'a Plan,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

pub fn render(plan: &Plan, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(
        &mut *out,
        &Json {
            tool: Tool {
                name: env!("CARGO_PKG_NAME"),
                version: env!("CARGO_PKG_VERSION"),
            },
            plan,
        },
    )?;
    writeln!(out)
}
