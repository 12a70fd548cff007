//! Runs of the check pipeline at a forced level and version, the way `psslint check --level L
//! --pss-version V` runs it, so every number in a plan or notice is one `psslint check` would
//! print. The inputs are read once and kept, so the runs see the same bytes (and standard input
//! works); the first pass over Namespace objects also happens once.

use std::collections::HashMap;
use std::io::Read;

use crate::input::discover::Discovered;
use crate::input::read::{self, ReadLimits, Source};
use crate::input::Input;
use crate::lint::{self, options::LintOptions};
use crate::model::diagnostic::{Diagnostic, ExceptionStatus, Severity};
use crate::model::problem::{is_unchecked, LoadProblem};
use crate::model::report::{CheckedObject, Report};
use crate::policy::namespaces::{NamespaceIndex, ObservedNamespace};
use crate::policy::LevelVersion;

/// The inputs of a plan, read once, and the policy with their Namespace objects observed.
pub struct Pipeline {
    discovered: Discovered,
    contents: Vec<Result<Vec<u8>, LoadProblem>>,
    by_name: HashMap<String, usize>,
    /// The real policy of the run (labels, config, admission configuration, exceptions).
    pub opts: LintOptions,
    /// Every Namespace object of the input, labelled or not, first declaration first.
    pub declared: Vec<ObservedNamespace>,
}

impl Pipeline {
    /// The inputs, as discovered.
    pub fn discovered(&self) -> &Discovered {
        &self.discovered
    }

    /// Reads every input and collects the Namespace objects. `opts` is the policy of a plain
    /// `psslint check` run.
    pub fn new(discovered: Discovered, mut opts: LintOptions) -> Pipeline {
        let limits = ReadLimits::new(opts.max_file_size);
        let contents: Vec<Result<Vec<u8>, LoadProblem>> = discovered
            .inputs
            .iter()
            .map(|i| read_all(i, &limits))
            .collect();
        let by_name = discovered
            .inputs
            .iter()
            .enumerate()
            .map(|(i, input)| (input.display(), i))
            .collect();
        let mut declared: Vec<ObservedNamespace> = Vec::new();
        for (input, content) in discovered.inputs.iter().zip(&contents) {
            if let Ok(bytes) = content {
                let mut source = Source::Bytes(bytes.clone());
                declared.extend(lint::settle::namespaces_in(
                    &input.display(),
                    &mut source,
                    &opts.parse,
                ));
            }
        }
        opts.policy
            .observe(NamespaceIndex::from_observed(declared.clone()));
        let mut seen = std::collections::BTreeSet::new();
        declared.retain(|n| seen.insert(n.name.clone()));
        opts.keep_passing_objects = true;
        Pipeline {
            discovered,
            contents,
            by_name,
            opts,
            declared,
        }
    }

    /// The report of `psslint check` with this policy.
    pub fn check(&self, opts: &LintOptions) -> Report {
        lint::lint_discovered(&self.discovered, opts, |input: &Input| {
            match self.by_name.get(&input.display()) {
                Some(&i) => self.contents[i].clone().map(Source::Bytes),
                None => Err(LoadProblem::new(
                    crate::model::problem::InputRule::Io,
                    "input vanished between passes",
                    None,
                )),
            }
        })
    }

    /// Every workload judged at `policy` in enforce mode (`psslint check --level L
    /// --pss-version V`), exemptions and exceptions applied as configured.
    pub fn judge(&self, policy: LevelVersion) -> LevelRun {
        let mut opts = self.opts.clone();
        opts.policy = self.opts.policy.with_forced(policy);
        let report = self.check(&opts);
        LevelRun::from_report(policy, report)
    }

    /// Input that could not be checked (`file:line:col: rule message`), from a run's report.
    pub fn unchecked(report: &Report) -> Vec<String> {
        report
            .diagnostics
            .iter()
            .filter(|d| is_unchecked(d))
            .map(|d| {
                format!(
                    "{}:{}:{}: {} {}",
                    d.file, d.line, d.column, d.rule, d.message
                )
            })
            .collect()
    }
}

/// The whole content of an input; large files are read too (plans are for repositories).
fn read_all(input: &Input, limits: &ReadLimits) -> Result<Vec<u8>, LoadProblem> {
    match read::read(input, limits)? {
        Source::Bytes(b) => Ok(b),
        Source::Stream(mut file) => {
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).map_err(|e| {
                LoadProblem::new(
                    crate::model::problem::InputRule::Io,
                    format!("cannot read: {e}"),
                    None,
                )
            })?;
            Ok(bytes)
        }
    }
}

/// How a workload fares at one level and version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    /// It fails, but an active (or expiring) exception covers every failing check.
    Covered,
    Fail,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Covered => "covered",
            Verdict::Fail => "fail",
        }
    }
}

/// One workload's verdict and the findings behind it.
#[derive(Debug, Clone)]
pub struct Judged {
    pub object: CheckedObject,
    pub verdict: Verdict,
    /// Its Pod Security findings at this level: errors (it would be rejected) and notes
    /// (covered by an exception), in report order.
    pub findings: Vec<Diagnostic>,
}

impl Judged {
    /// The findings that would make the API server reject the workload.
    pub fn failing(&self) -> impl Iterator<Item = &Diagnostic> {
        self.findings
            .iter()
            .filter(|d| d.severity == Severity::Error)
    }

    /// Check IDs failing (not covered), sorted and unique.
    pub fn failing_checks(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.failing().map(|d| d.rule.clone()).collect();
        ids.sort();
        ids.dedup();
        ids
    }
}

/// Every evaluated workload at one forced level and version.
#[derive(Debug, Clone)]
pub struct LevelRun {
    pub policy: LevelVersion,
    /// In report order (file, line).
    pub workloads: Vec<Judged>,
    pub report: Report,
}

impl LevelRun {
    fn from_report(policy: LevelVersion, report: Report) -> LevelRun {
        let mut by_object: HashMap<(&str, &crate::model::diagnostic::ObjectRef), Vec<&Diagnostic>> =
            HashMap::new();
        for d in &report.diagnostics {
            if let (Some(object), Some(_)) = (&d.object, d.level) {
                by_object.entry((&d.file, object)).or_default().push(d);
            }
        }
        let workloads = report
            .objects
            .iter()
            .map(|o| {
                let findings: Vec<Diagnostic> = by_object
                    .get(&(o.file.as_str(), &o.object))
                    .map(|ds| ds.iter().map(|d| (*d).clone()).collect())
                    .unwrap_or_default();
                let covered = |d: &Diagnostic| {
                    d.severity == Severity::Note
                        && d.policy
                            .exception
                            .as_ref()
                            .is_some_and(|e| e.status != ExceptionStatus::Expired)
                };
                let verdict = if o.verdict.is_none() {
                    Verdict::Pass
                } else if !findings.is_empty() && findings.iter().all(covered) {
                    Verdict::Covered
                } else {
                    Verdict::Fail
                };
                Judged {
                    object: o.clone(),
                    verdict,
                    findings,
                }
            })
            .collect();
        LevelRun {
            policy,
            workloads,
            report,
        }
    }

    /// The workloads of one namespace.
    pub fn in_namespace<'r>(&'r self, namespace: &'r str) -> impl Iterator<Item = &'r Judged> {
        self.workloads
            .iter()
            .filter(move |w| w.object.object.namespace == namespace)
    }
}

/// A Pod Security finding's upstream `reason (detail)`, without the exception suffix that the
/// check report adds to its message.
pub fn violation_text(d: &Diagnostic) -> String {
    match (&d.reason, &d.detail) {
        (Some(r), Some(detail)) if !detail.is_empty() => format!("{r} ({detail})"),
        (Some(r), _) => r.clone(),
        _ => d.message.clone(),
    }
}
