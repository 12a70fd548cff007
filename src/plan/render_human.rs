//! The plan for the terminal: a readiness table, then each namespace with its policy, its
//! workloads at baseline and restricted, and its steps (the next safe one first, as a command).

use std::io::{self, Write};

use super::model::*;
use super::runs::Verdict;
use crate::model::level::Level;

pub fn render(plan: &Plan, out: &mut dyn Write) -> io::Result<()> {
    let target = plan.target.label();
    writeln!(
        out,
        "Rollout plan: enforce {target} (cluster {}){}",
        plan.kubernetes,
        plan.from_version
            .as_ref()
            .map(|v| format!(", upgrade impact from {v}"))
            .unwrap_or_default()
    )?;
    writeln!(out)?;
    let rows: Vec<Vec<String>> = plan
        .namespaces
        .iter()
        .map(|ns| {
            let mut row = vec![ns.name.clone(), ns.state.as_str().to_string()];
            row.extend(
                ns.policy
                    .iter()
                    .map(|m| format!("{}:{} ({})", m.level, m.version, m.source_kind.as_str())),
            );
            row.extend(
                [Level::Baseline, Level::Restricted]
                    .map(|l| ns.level(l).map_or_else(String::new, level_cell)),
            );
            row.push(ns.next().map_or_else(|| "-".to_string(), Step::label));
            row
        })
        .collect();
    let version = &plan.target.version;
    let headers = [
        "NAMESPACE".to_string(),
        "STATE".into(),
        "ENFORCE".into(),
        "AUDIT".into(),
        "WARN".into(),
        format!("BASELINE {version}"),
        format!("RESTRICTED {version}"),
        "NEXT SAFE STEP".into(),
    ];
    write!(out, "{}", table(&headers, &rows))?;
    for ns in &plan.namespaces {
        writeln!(out)?;
        namespace(plan, ns, out)?;
    }
    writeln!(out)?;
    summary(plan, out)
}

/// `blocked: 1 pass, 1 fail` / `enforced: 2 pass, 1 covered`.
fn level_cell(l: &LevelCounts) -> String {
    if l.state == LevelState::Exempt {
        return "exempt".into();
    }
    let mut parts = vec![format!("{} pass", l.pass)];
    if l.fail > 0 {
        parts.push(format!("{} fail", l.fail));
    }
    if l.covered > 0 {
        parts.push(format!("{} covered", l.covered));
    }
    format!("{}: {}", l.state.as_str(), parts.join(", "))
}

fn namespace(plan: &Plan, ns: &NamespacePlan, out: &mut dyn Write) -> io::Result<()> {
    let declared = ns
        .declared_in
        .as_ref()
        .map(|d| format!(" ({d})"))
        .unwrap_or_default();
    writeln!(out, "== {}{declared}: {}", ns.name, ns.state.as_str())?;
    if let Some(reason) = &ns.reason {
        writeln!(out, "   reason: {reason}")?;
    }
    for m in &ns.policy {
        writeln!(
            out,
            "   {:<8} {}:{}  from {}",
            m.mode.as_str(),
            m.level,
            m.version,
            m.source
        )?;
    }
    if ns.state == NamespaceState::Exempt {
        return writeln!(
            out,
            "   exempt from Pod Security: its workloads are not evaluated, and no step applies"
        );
    }
    if ns.workloads.is_empty() {
        writeln!(out, "   no workloads in the input")?;
    } else {
        let rows: Vec<Vec<String>> = ns
            .workloads
            .iter()
            .map(|w| {
                let mut row = vec![w.display_name(), format!("{}:{}", w.file, w.line)];
                row.extend(
                    [Level::Baseline, Level::Restricted]
                        .map(|l| w.at(l).map_or("-", |x| x.verdict.as_str()).to_string()),
                );
                row
            })
            .collect();
        let headers = ["WORKLOAD", "WHERE", "BASELINE", "RESTRICTED"].map(String::from);
        for line in table(&headers, &rows).lines() {
            writeln!(out, "   {line}")?;
        }
        for w in &ns.workloads {
            let Some(at) = w.at(plan.target.level) else {
                continue;
            };
            if at.verdict == Verdict::Pass {
                continue;
            }
            writeln!(out, "   {} at {}:", w.display_name(), plan.target.label())?;
            for v in &at.violations {
                let excepted = v
                    .excepted_by
                    .as_ref()
                    .map(|e| format!(" [excepted: {e}]"))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "     - {} ({}:{}:{}): {}{excepted}",
                    v.check, v.file, v.line, v.column, v.message
                )?;
            }
        }
    }
    for u in &ns.upgrade {
        writeln!(
            out,
            "   newly fails {} when the pin moves {} -> {}: {}/{} ({}:{})",
            u.level,
            plan.from_version.as_deref().unwrap_or_default(),
            plan.target.version,
            u.kind,
            u.name,
            u.file,
            u.line
        )?;
        for c in &u.checks {
            writeln!(out, "     - {}: {} ({})", c.check, c.message, c.why)?;
        }
    }
    if ns.steps.is_empty() {
        return writeln!(
            out,
            "   done: every mode is labelled {} or stricter",
            plan.target.label()
        );
    }
    match ns.next() {
        Some(step) => {
            writeln!(
                out,
                "   next safe step: {} ({})",
                step.label(),
                step.effect()
            )?;
            writeln!(out, "     {}", step.command)?;
        }
        None => writeln!(
            out,
            "   no safe step: every remaining step would reject workloads"
        )?,
    }
    for (i, step) in ns.steps.iter().enumerate() {
        if Some(i) == ns.next_step {
            continue;
        }
        let blockers = if step.blockers.is_empty() {
            String::new()
        } else {
            format!(": {}", step.blockers.join(", "))
        };
        writeln!(
            out,
            "   then {}{}: {}{blockers}",
            step.label(),
            if step.interim { " (interim)" } else { "" },
            step.effect()
        )?;
    }
    Ok(())
}

fn summary(plan: &Plan, out: &mut dyn Write) -> io::Result<()> {
    let s = &plan.summary;
    let target = plan.target.label();
    writeln!(
        out,
        "{} namespaces: {} done, {} ready to enforce {target}, {} blocked, {} exempt",
        s.namespaces, s.done, s.ready, s.blocked, s.exempt
    )?;
    writeln!(
        out,
        "{} workloads: {} would be rejected by {target}, {} covered by exceptions, {} pass",
        s.workloads,
        s.failing,
        s.covered,
        s.workloads - s.failing - s.covered
    )?;
    if !s.unlabelled.is_empty() {
        writeln!(
            out,
            "unlabelled (policy from defaults only): {}",
            s.unlabelled.join(", ")
        )?;
    }
    if !s.unpinned.is_empty() {
        writeln!(
            out,
            "unpinned (a label at `latest` changes meaning with every upgrade): {}",
            s.unpinned.join(", ")
        )?;
    }
    if !s.invalid.is_empty() {
        writeln!(
            out,
            "invalid labels (the API server rejects these Namespaces): {}",
            s.invalid.join(", ")
        )?;
    }
    for u in &plan.unchecked {
        writeln!(out, "not checked: {u}")?;
    }
    Ok(())
}

/// Columns aligned on the widest cell, two spaces apart, no trailing spaces.
pub fn table(headers: &[String], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (c, w) in cells.iter().zip(&widths) {
            s.push_str(c);
            s.push_str(&" ".repeat(w - c.chars().count() + 2));
        }
        s.trim_end().to_string() + "\n"
    };
    let mut s = line(headers);
    for row in rows {
        s.push_str(&line(row));
    }
    s
}
