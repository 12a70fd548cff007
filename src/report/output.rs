//! Where reports go: lint once, render many.
//!
//! `--format F` picks the report for standard output. Each `--output [FORMAT=]PATH` adds a
//! file: a plain PATH takes the `--format` report away from standard output, `FORMAT=PATH`
//! writes an extra report in that format. `--statistics` follows the standard-output report
//! (on standard error when that report is JSON, SARIF or JUnit, which must stay parseable), and
//! a `github` report also appends the Markdown summary to `$GITHUB_STEP_SUMMARY`.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::report::{self, github, statistics, Format, RenderOptions, Report};

/// One `--output` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputSpec {
    /// `None` for a plain PATH: the `--format` report.
    pub format: Option<Format>,
    pub path: PathBuf,
}

impl OutputSpec {
    /// `sarif=out.sarif` or `out.txt`. Text before the first `=` that is not a format name is
    /// part of the path (`a=b.json` is a file); write `./sarif=x` for a file named `sarif=x`.
    pub fn parse(s: &str) -> Result<OutputSpec, String> {
        let (format, path) = match s.split_once('=') {
            Some((name, path)) => match Format::from_name(name) {
                Some(f) => (Some(f), path),
                None => (None, s),
            },
            None => (None, s),
        };
        if path.is_empty() {
            return Err(format!("`{s}` names no file; use [FORMAT=]PATH"));
        }
        Ok(OutputSpec {
            format,
            path: PathBuf::from(path),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    Stdout,
    File(PathBuf),
}

/// A report to write: a format and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub format: Format,
    pub destination: Destination,
}

/// The targets of a run, files first, then standard output unless a plain PATH took it. Fails
/// when two outputs name the same file.
pub fn targets(format: Format, specs: &[OutputSpec]) -> Result<Vec<Target>, String> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for spec in specs {
        if !seen.insert(&spec.path) {
            return Err(format!("--output: {} is named twice", spec.path.display()));
        }
        out.push(Target {
            format: spec.format.unwrap_or(format),
            destination: Destination::File(spec.path.clone()),
        });
    }
    if specs.iter().all(|s| s.format.is_some()) {
        out.push(Target {
            format,
            destination: Destination::Stdout,
        });
    }
    Ok(out)
}

/// Fails when a report file of `targets` is one of `inputs` (the files linted, named or found
/// by walking, and the config files read): psslint never writes a report over an input. Paths
/// are compared as files, not as text, so a link, a hard link, `./x` or `../dir/x` is caught
/// too. A target that does not exist yet cannot be an input.
pub fn refuse_inputs<'p>(
    targets: &[Target],
    inputs: impl IntoIterator<Item = &'p Path>,
) -> Result<(), String> {
    let outputs: Vec<(&Path, FileId)> = targets
        .iter()
        .filter_map(|t| match &t.destination {
            Destination::File(path) => Some(path.as_path()),
            Destination::Stdout => None,
        })
        .filter_map(|p| FileId::of(p).map(|id| (p, id)))
        .collect();
    if outputs.is_empty() {
        return Ok(());
    }
    for input in inputs {
        let Some(id) = FileId::of(input) else {
            continue;
        };
        if let Some((output, _)) = outputs.iter().find(|(_, o)| *o == id) {
            let input = crate::input::display_path(input);
            let output = crate::input::display_path(output);
            let same = if input == output {
                String::new()
            } else {
                format!(" (the same file as {input})")
            };
            return Err(format!(
                "--output {output}: refusing to write a report over an input of this run{same}; \
                 write the report elsewhere, or keep it out of the linted paths (e.g. in .ignore)"
            ));
        }
    }
    Ok(())
}

/// What makes two paths the same file: device and inode where there are such, else the
/// canonical path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum FileId {
    #[cfg(unix)]
    Inode(u64, u64),
    #[cfg(not(unix))]
    Path(PathBuf),
}

impl FileId {
    fn of(path: &Path) -> Option<FileId> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let m = std::fs::metadata(path).ok()?;
            Some(FileId::Inode(m.dev(), m.ino()))
        }
        #[cfg(not(unix))]
        {
            std::fs::canonicalize(path).ok().map(FileId::Path)
        }
    }
}

/// How to write the targets.
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    /// Options for standard output; files never get colour.
    pub render: RenderOptions,
    /// Print per-rule counts after the report.
    pub statistics: bool,
    /// `$GITHUB_STEP_SUMMARY`: where a `github` report appends its Markdown summary.
    pub step_summary: Option<PathBuf>,
}

/// A write that failed, and what it was writing to.
#[derive(Debug)]
pub struct WriteError {
    pub target: String,
    pub error: io::Error,
}

impl WriteError {
    fn new(target: impl Into<String>) -> impl FnOnce(io::Error) -> WriteError {
        let target = target.into();
        move |error| WriteError { target, error }
    }
}

/// Renders `report` to every target. A closed standard output (`psslint | head`) is the
/// reader's choice and not an error; the files are still written.
pub fn write(
    report: &Report,
    targets: &[Target],
    opts: &WriteOptions,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<(), WriteError> {
    let mut stdout_format = None;
    for target in targets {
        // A capped format names the reports of this run that list every finding.
        let complete_reports = targets
            .iter()
            .filter(|t| *t != target && t.format.lists_every_finding())
            .map(|t| match &t.destination {
                Destination::File(path) => path.display().to_string(),
                Destination::Stdout => "standard output".to_string(),
            })
            .collect();
        match &target.destination {
            Destination::File(path) => {
                let file_opts = RenderOptions {
                    color: false,
                    complete_reports,
                    ..opts.render.clone()
                };
                write_file(path, |w| {
                    report::render(target.format, report, &file_opts, w)
                })
                .map_err(WriteError::new(path.display().to_string()))?;
            }
            Destination::Stdout => {
                stdout_format = Some(target.format);
                let stdout_opts = RenderOptions {
                    complete_reports,
                    ..opts.render.clone()
                };
                let written = report::render(target.format, report, &stdout_opts, stdout)
                    .and_then(|()| stdout.flush());
                ignore_broken_pipe(written).map_err(WriteError::new("standard output"))?;
            }
        }
    }

    if opts.statistics {
        let to_stderr = stdout_format.is_some_and(Format::is_machine_readable);
        let (out, name): (&mut dyn Write, _) = if to_stderr {
            (&mut *stderr, "standard error")
        } else {
            (&mut *stdout, "standard output")
        };
        let written = statistics::render(report, out).and_then(|()| out.flush());
        ignore_broken_pipe(written).map_err(WriteError::new(name))?;
    }

    if let Some(path) = &opts.step_summary {
        if targets.iter().any(|t| t.format == Format::Github) {
            github::append_step_summary(report, path)
                .map_err(WriteError::new(path.display().to_string()))?;
        }
    }
    Ok(())
}

/// Writes a report file whole or not at all: into a temporary file beside it, renamed over
/// the target once complete, so a failed or interrupted run (Ctrl-C) never leaves a truncated
/// report that looks like a result. Targets that are not regular files (`/dev/stdout`, a pipe,
/// `/dev/full`) are written directly.
fn write_file(
    path: &Path,
    render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let special = std::fs::metadata(path).is_ok_and(|m| !m.is_file());
    if special {
        let mut w = BufWriter::new(File::create(path)?);
        render(&mut w)?;
        return w.flush();
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".psslint-").suffix(".tmp");
    // Ctrl-C from the temporary file's creation to the rename deletes it (see `interrupt`):
    // its name is registered before the file is created, so there is no moment when it exists
    // unregistered.
    let mut guard = None;
    let tmp = builder
        .make_in(dir, |p| {
            drop(guard.take());
            guard = Some(crate::runtime::interrupt::TempGuard::new(p));
            create_new(p)
        })
        .map_err(|e| {
            if dir.is_dir() {
                // tempfile may name its own file in the message; the caller names the target.
                let msg = e.to_string();
                let msg = msg
                    .split(" at path ")
                    .next()
                    .unwrap_or_default()
                    .to_string();
                io::Error::new(e.kind(), msg)
            } else {
                io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("no such directory: {}", dir.display()),
                )
            }
        })?;
    let _guard = guard;
    let mut w = BufWriter::new(tmp);
    render(&mut w)?;
    w.flush()?;
    let tmp = w.into_inner().map_err(io::IntoInnerError::into_error)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A new file, failing if `path` exists, with the usual mode of a new file (0666 less the
/// umask), not tempfile's private 0600.
fn create_new(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o666);
    }
    options.open(path)
}

fn ignore_broken_pipe(r: io::Result<()>) -> io::Result<()> {
    match r {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(s: &str) -> OutputSpec {
        OutputSpec::parse(s).expect("valid spec")
    }

    #[test]
    fn a_format_prefix_is_recognised_only_for_known_formats() {
        assert_eq!(spec("sarif=a.sarif").format, Some(Format::Sarif));
        assert_eq!(spec("sarif=a.sarif").path, PathBuf::from("a.sarif"));
        assert_eq!(spec("report.xml").format, None);
        let odd = spec("a=b.json");
        assert_eq!((odd.format, odd.path), (None, PathBuf::from("a=b.json")));
        assert_eq!(spec("./sarif=x").format, None);
        assert!(OutputSpec::parse("junit=").is_err());
        assert!(OutputSpec::parse("").is_err());
    }

    #[test]
    fn a_report_is_never_written_over_an_input() {
        let dir = tempfile::tempdir().expect("tempdir");
        let input = dir.path().join("app.yaml");
        std::fs::write(&input, "kind: Pod\n").expect("write");
        let other = dir.path().join("other.yaml");
        std::fs::write(&other, "kind: Pod\n").expect("write");
        let file = |p: PathBuf| Target {
            format: Format::Json,
            destination: Destination::File(p),
        };
        let inputs = [input.as_path(), other.as_path()];
        // The same file by another name: `sub/../app.yaml`, a symbolic link, a hard link.
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).expect("mkdir");
        let dotted = sub.join("../app.yaml");
        #[cfg(unix)]
        std::os::unix::fs::symlink(&input, dir.path().join("link.json")).expect("symlink");
        std::fs::hard_link(&input, dir.path().join("hard.json")).expect("hard link");
        for out in [
            input.clone(),
            dotted,
            dir.path().join("link.json"),
            dir.path().join("hard.json"),
        ] {
            let err = refuse_inputs(&[file(out.clone())], inputs).expect_err("refused");
            assert!(
                err.contains("refusing to write a report over an input"),
                "{err}"
            );
        }
        // A new file, an unrelated file and standard output are fine.
        let fresh = dir.path().join("report.json");
        assert!(refuse_inputs(&[file(fresh.clone())], inputs).is_ok());
        std::fs::write(&fresh, "{}").expect("write");
        assert!(refuse_inputs(&[file(fresh)], inputs).is_ok());
        let stdout = Target {
            format: Format::Human,
            destination: Destination::Stdout,
        };
        assert!(refuse_inputs(&[stdout], inputs).is_ok());
    }

    #[test]
    fn a_plain_path_takes_the_report_from_standard_output() {
        let t = targets(Format::Human, &[spec("sarif=a.sarif")]).expect("targets");
        assert_eq!(t.len(), 2);
        assert_eq!(t[1].destination, Destination::Stdout);
        assert_eq!(t[1].format, Format::Human);

        let t = targets(Format::Json, &[spec("out.json"), spec("junit=r.xml")]).expect("targets");
        assert_eq!(
            t,
            [
                Target {
                    format: Format::Json,
                    destination: Destination::File("out.json".into())
                },
                Target {
                    format: Format::Junit,
                    destination: Destination::File("r.xml".into())
                },
            ]
        );
        assert!(targets(Format::Json, &[spec("a"), spec("sarif=a")]).is_err());
    }
}
