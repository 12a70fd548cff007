//! `psslint plan`: for each namespace, what enforcing the target level would break, and the
//! next safe labelling step toward it.
//!
//! Every number comes from the check pipeline itself ([`runs`]): the workloads are judged at
//! baseline and at restricted at the target version exactly as `psslint check --level L
//! --pss-version V` judges them, with the run's namespaces, exemptions and exceptions. The
//! current policy of each namespace comes from the normal policy resolution.

pub mod build;
pub mod model;
pub mod render_html;
pub mod render_human;
pub mod render_json;
pub mod render_markdown;
pub mod runs;
pub mod steps;
pub mod target;

use clap::ValueEnum;

pub use build::build;
pub use model::Plan;
pub use target::{cluster_minor, parse_target, TargetSpec};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// Tables for the terminal.
    Human,
    /// A rollout document to commit or paste into an issue.
    Markdown,
    /// The plan as data.
    Json,
    /// One self-contained page with a readiness matrix (namespaces × levels).
    Html,
}

/// Renders `plan` in `format`.
pub fn render(
    plan: &Plan,
    format: PlanFormat,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        PlanFormat::Human => render_human::render(plan, out),
        PlanFormat::Markdown => render_markdown::render(plan, out),
        PlanFormat::Json => render_json::render(plan, out),
        PlanFormat::Html => render_html::render(plan, out),
    }
}
