//! `psslint exceptions`: the review table of tracked exceptions (owner, scope, reason, expiry,
//! status), most urgent first: expired, expiring, unused, then active; by expiry date within a
//! status.
//!
//! ```text
//! STATUS    EXPIRES     OWNER          SCOPE                       CHECKS        REASON             WHERE
//! expired   2025-01-31  team-payments  payments/Deployment/ledger  runAsNonRoot  legacy base image  psslint.yaml:41:5
//! ```

use std::io::{self, BufWriter, Write};

use serde::Serialize;

use super::markdown::escape;
use super::{Tool, TOOL};
use crate::model::diagnostic::ExceptionStatus;
use crate::model::report::{ExceptionRecord, Report};

/// Formats of the exception review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReviewFormat {
    /// An aligned table.
    Human,
    /// A Markdown table.
    Markdown,
    /// JSON: one object per exception.
    Json,
}

pub fn render(report: &Report, format: ReviewFormat, out: &mut dyn Write) -> io::Result<()> {
    let mut rows: Vec<&ExceptionRecord> = report.exceptions.iter().collect();
    rows.sort_by(|a, b| {
        (rank(a.status), &a.expires, &a.file, a.line).cmp(&(
            rank(b.status),
            &b.expires,
            &b.file,
            b.line,
        ))
    });
    let mut out = BufWriter::new(out);
    match format {
        ReviewFormat::Human => human(&rows, &mut out)?,
        ReviewFormat::Markdown => markdown(&rows, &mut out)?,
        ReviewFormat::Json => json(&rows, &mut out)?,
    }
    out.flush()
}

fn rank(s: ExceptionStatus) -> u8 {
    match s {
        ExceptionStatus::Expired => 0,
        ExceptionStatus::Expiring => 1,
        ExceptionStatus::Unused => 2,
        ExceptionStatus::Active => 3,
    }
}

fn cells(r: &ExceptionRecord) -> [String; 7] {
    [
        r.status.as_str().to_string(),
        r.expires.clone(),
        r.owner.clone(),
        r.scope(),
        r.checks.join(", "),
        r.reason.clone(),
        format!("{}:{}:{}", r.file, r.line, r.column),
    ]
}

const HEADERS: [&str; 7] = [
    "STATUS", "EXPIRES", "OWNER", "SCOPE", "CHECKS", "REASON", "WHERE",
];

fn one_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

fn human(rows: &[&ExceptionRecord], out: &mut dyn Write) -> io::Result<()> {
    if rows.is_empty() {
        return writeln!(out, "No exceptions found.");
    }
    let table: Vec<[String; 7]> = rows
        .iter()
        .map(|r| cells(r).map(|c| one_line(&c)))
        .collect();
    let mut widths = HEADERS.map(|h| h.chars().count());
    for row in &table {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cols: [&str; 7]| {
        let mut s = String::new();
        for (i, (c, w)) in cols.iter().zip(widths).enumerate() {
            if i + 1 == cols.len() {
                s.push_str(c);
            } else {
                s.push_str(c);
                s.push_str(&" ".repeat(w - c.chars().count() + 2));
            }
        }
        s.trim_end().to_string()
    };
    writeln!(out, "{}", line(HEADERS))?;
    for row in &table {
        writeln!(out, "{}", line(row.each_ref().map(String::as_str)))?;
    }
    writeln!(out, "\n{}", summary(rows))
}

/// `4 exceptions: 1 expired, 1 expiring, 1 unused, 1 active`.
fn summary(rows: &[&ExceptionRecord]) -> String {
    let counts: Vec<String> = [
        ExceptionStatus::Expired,
        ExceptionStatus::Expiring,
        ExceptionStatus::Unused,
        ExceptionStatus::Active,
    ]
    .iter()
    .map(|s| (rows.iter().filter(|r| r.status == *s).count(), s.as_str()))
    .filter(|(n, _)| *n > 0)
    .map(|(n, s)| format!("{n} {s}"))
    .collect();
    let n = rows.len();
    format!(
        "{n} exception{}: {}",
        if n == 1 { "" } else { "s" },
        counts.join(", ")
    )
}

fn markdown(rows: &[&ExceptionRecord], out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## psslint exceptions\n")?;
    if rows.is_empty() {
        return writeln!(out, "No exceptions found.");
    }
    writeln!(out, "{}\n", summary(rows))?;
    writeln!(
        out,
        "| Status | Expires | Owner | Scope | Checks | Reason | Where |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|")?;
    for r in rows {
        let c = cells(r);
        writeln!(
            out,
            "| {} | {} | {} | `{}` | {} | {} | `{}` |",
            if r.status == ExceptionStatus::Active {
                c[0].clone()
            } else {
                format!("**{}**", c[0])
            },
            c[1],
            escape(&c[2]),
            c[3].replace('`', "'").replace('|', "\\|"),
            escape(&c[4]),
            escape(&c[5]),
            c[6].replace('`', "'").replace('|', "\\|")
        )?;
    }
    Ok(())
}

#[derive(Serialize)]
struct Json<'a> {
    tool: Tool,
    exceptions: &'a [&'a ExceptionRecord],
}

fn json(rows: &[&ExceptionRecord], out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(
        &mut *out,
        &Json {
            tool: TOOL,
            exceptions: rows,
        },
    )?;
    writeln!(out)
}
