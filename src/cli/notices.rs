//! `psslint notices`: one notice per owner group.

use std::io::{self, Write};

use super::args::NoticesArgs;
use crate::input::display_path;
use crate::notices::model::Notice;
use crate::notices::render::{self, NoticeTemplate};
use crate::notices::{NoticeContext, NoticeFormat};
use crate::plan::runs::Pipeline;

/// `psslint notices`: one notice per owner group.
pub fn run(args: NoticesArgs) -> u8 {
    let template = match &args.notice_template {
        None => NoticeTemplate::builtin(),
        Some(path) => {
            let name = display_path(path);
            let source = match std::fs::read_to_string(path) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("psslint: {name}: cannot read the notice template: {e}");
                    return super::EXIT_TROUBLE;
                }
            };
            match NoticeTemplate::new(name, source) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("psslint: {e}");
                    return super::EXIT_TROUBLE;
                }
            }
        }
    };
    let pipeline = match super::pipeline(&args.paths, (args.no_ignore, args.follow), &args.policy) {
        Ok(mut p) => {
            p.opts.keep_object_metadata = true;
            p
        }
        Err(code) => return code,
    };
    let target = args
        .target
        .unwrap_or_default()
        .resolve(pipeline.opts.policy.kubernetes_minor);
    let today = pipeline.opts.policy.clock.today;
    if args.deadline < today {
        eprintln!(
            "psslint: warning: the deadline {} is before today ({today})",
            args.deadline
        );
    }
    let run = pipeline.judge(target);
    let list = crate::notices::build(
        &run,
        &NoticeContext {
            target,
            deadline: args.deadline,
            contact: &args.contact,
            group_by: &args.group_by,
        },
    );
    let texts = match render::texts(&list, &template) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("psslint: {e}");
            return super::EXIT_TROUBLE;
        }
    };
    let unchecked = Pipeline::unchecked(&run.report);
    for u in &unchecked {
        eprintln!("psslint: not checked: {}", crate::report::text::escape(u));
    }
    if list.is_empty() && args.out_dir.is_none() {
        eprintln!(
            "psslint: no notices: no workload would be rejected at {}",
            target.label()
        );
    }
    let written = match &args.out_dir {
        Some(dir) => write_notices(dir, &list, &texts),
        None => {
            let mut out = io::stdout().lock();
            match args.format {
                NoticeFormat::Markdown => render::markdown(&texts, &mut out),
                NoticeFormat::Json => render::json(&list, &texts, &mut out),
            }
            .and_then(|()| out.flush())
            .map_err(|e| format!("cannot write the notices: {e}"))
        }
    };
    if let Err(e) = written {
        eprintln!("psslint: {e}");
        return super::EXIT_TROUBLE;
    }
    if unchecked.is_empty() {
        super::EXIT_OK
    } else {
        super::EXIT_FINDINGS
    }
}

/// One Markdown file per notice in `dir`, and a line per file on standard output.
fn write_notices(dir: &std::path::Path, list: &[Notice], texts: &[String]) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut out = io::stdout().lock();
    for (notice, text) in list.iter().zip(texts) {
        let path = dir.join(&notice.file_name);
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        let n = notice.workloads.len();
        let _ = writeln!(
            out,
            "{}: {} ({n} {})",
            display_path(&path),
            notice.group_description,
            if n == 1 { "workload" } else { "workloads" }
        );
    }
    if list.is_empty() {
        let _ = writeln!(out, "No notices: no workload has anything to fix.");
    }
    Ok(())
}
