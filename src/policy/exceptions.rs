//! Tracked exceptions: accepted Pod Security violations with an owner, a reason, an expiry date
//! and a narrow scope (one workload in one namespace, optionally some of its containers, and
//! named checks). They come from the config file's `exceptions:` list or from the workload's
//! own `psslint.dev/exception` annotation.
//!
//! * An **active** exception turns the violations it covers into notes that name the owner and
//!   the expiry date.
//! * An **expiring** one (expiry within `exceptionWarningDays`, 14 by default) still applies,
//!   and is itself a warning.
//! * An **expired** one no longer applies (the violations keep their severity) and is an error
//!   naming the owner.
//! * An **unused** one (it covers no violation) is a warning: it is stale.
//! * A **malformed** annotation is an error (a malformed config entry stops the run, exit 2).

use std::collections::BTreeSet;

use super::date::Date;
use super::finding::Finding;
use super::strict::{self, dns_label, Reader};
use crate::manifest::yaml::{parse_document, ParseOptions};
use crate::manifest::Node;
use crate::model::diagnostic::{
    AppliedException, Diagnostic, ExceptionStatus, ObjectRef, Severity,
};
use crate::model::report::ExceptionRecord;
use crate::model::source::Span;

/// The workload annotation that carries exceptions.
pub const ANNOTATION: &str = "psslint.dev/exception";
/// Days before expiry from which an exception is reported as expiring.
pub const DEFAULT_WARNING_DAYS: u32 = 14;

/// What an exception covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub namespace: String,
    pub kind: String,
    pub name: String,
    /// Empty: the whole workload. Otherwise a violation is covered only when every field at
    /// fault belongs to one of these containers (pod-level fields are then not covered).
    pub containers: Vec<String>,
}

impl Scope {
    /// `Deployment/ledger in namespace "payments" (containers "a", "b")`.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "{}/{} in namespace {:?}",
            self.kind, self.name, self.namespace
        );
        if !self.containers.is_empty() {
            let list: Vec<String> = self.containers.iter().map(|c| format!("{c:?}")).collect();
            s.push_str(&format!(" (containers {})", list.join(", ")));
        }
        s
    }
}

/// Where an exception is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExceptionOrigin {
    /// Entry `index` of the config file's `exceptions:` list.
    Config {
        file: String,
        index: usize,
        span: Span,
    },
    /// The `psslint.dev/exception` annotation of a workload.
    Annotation { file: String, span: Span },
}

impl ExceptionOrigin {
    pub fn file(&self) -> &str {
        match self {
            ExceptionOrigin::Config { file, .. } | ExceptionOrigin::Annotation { file, .. } => file,
        }
    }

    pub fn span(&self) -> Span {
        match self {
            ExceptionOrigin::Config { span, .. } | ExceptionOrigin::Annotation { span, .. } => {
                *span
            }
        }
    }

    fn config_index(&self) -> Option<usize> {
        match self {
            ExceptionOrigin::Config { index, .. } => Some(*index),
            ExceptionOrigin::Annotation { .. } => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exception {
    pub owner: String,
    pub reason: String,
    pub expires: Date,
    /// PSS check IDs.
    pub checks: Vec<String>,
    pub scope: Scope,
    pub origin: ExceptionOrigin,
}

/// Today, and how many days ahead expiry is announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub today: Date,
    pub warning_days: u32,
}

impl Default for Clock {
    fn default() -> Self {
        Clock {
            today: Date::today_utc(),
            warning_days: DEFAULT_WARNING_DAYS,
        }
    }
}

impl Exception {
    /// Active, expiring or expired on `clock.today` (an exception is valid through its expiry
    /// date).
    pub fn date_status(&self, clock: &Clock) -> ExceptionStatus {
        let left = clock.today.days_until(self.expires);
        if left < 0 {
            ExceptionStatus::Expired
        } else if left <= i64::from(clock.warning_days) {
            ExceptionStatus::Expiring
        } else {
            ExceptionStatus::Active
        }
    }

    /// Whether the exception is about this object.
    pub fn targets(&self, object: &ObjectRef) -> bool {
        self.scope.namespace == object.namespace
            && self.scope.kind == object.kind
            && self.scope.name == object.name
    }

    /// Whether it covers a finding of `check` whose fields belong to `containers` (`None` for
    /// a pod-level field).
    pub fn covers(&self, check: &str, containers: &[Option<&str>]) -> bool {
        self.checks.iter().any(|c| c == check)
            && (self.scope.containers.is_empty()
                || (!containers.is_empty()
                    && containers
                        .iter()
                        .all(|c| c.is_some_and(|c| self.scope.containers.iter().any(|s| s == c)))))
    }

    fn who(&self) -> String {
        format!(
            "exception for {} covering {}",
            self.scope.describe(),
            self.checks.join(", ")
        )
    }
}

impl ExceptionRecord {
    fn new(e: &Exception, status: ExceptionStatus, covered: usize) -> Self {
        let start = e.origin.span().start;
        ExceptionRecord {
            owner: e.owner.clone(),
            namespace: e.scope.namespace.clone(),
            kind: e.scope.kind.clone(),
            name: e.scope.name.clone(),
            containers: e.scope.containers.clone(),
            checks: e.checks.clone(),
            reason: e.reason.clone(),
            expires: e.expires.to_string(),
            status,
            covered,
            file: e.origin.file().to_string(),
            line: start.line,
            column: start.col,
        }
    }
}

/// What the exceptions of the whole run did: annotation exceptions are settled per object,
/// config exceptions once every file is linted.
#[derive(Debug, Clone, Default)]
pub struct RunRecord {
    /// Settled exceptions (annotations).
    pub records: Vec<ExceptionRecord>,
    /// For each config exception index: findings covered.
    pub config_covered: std::collections::BTreeMap<usize, usize>,
    /// Config exceptions whose workload was linted.
    pub config_seen: BTreeSet<usize>,
}

impl RunRecord {
    pub fn merge(&mut self, other: RunRecord) {
        self.records.extend(other.records);
        for (k, v) in other.config_covered {
            *self.config_covered.entry(k).or_default() += v;
        }
        self.config_seen.extend(other.config_seen);
    }
}

const FIELDS_CONFIG: [&str; 8] = [
    "namespace",
    "kind",
    "name",
    "containers",
    "checks",
    "owner",
    "reason",
    "expires",
];
const FIELDS_ANNOTATION: [&str; 5] = ["containers", "checks", "owner", "reason", "expires"];

/// The fields every exception has, read with `r`; `None` after reporting what is wrong.
struct Common {
    owner: String,
    reason: String,
    expires: Date,
    checks: Vec<String>,
    containers: Vec<String>,
}

fn common(r: &mut Reader<'_>, node: &Node, path: &str, allowed: &[&str]) -> Option<Common> {
    let errors_before = r.errors.len();
    let map = r.fields(node, path, allowed)?;
    let at = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    let required = |r: &mut Reader<'_>, key: &str, why: &str| -> Option<String> {
        match map.get(key) {
            Some(n) => r.nonempty(n, &at(key)).map(str::to_string),
            None => {
                r.error(node.span, format!("{}: missing {key}{why}", shown(path)));
                None
            }
        }
    };
    let owner = required(r, "owner", " (who answers for this exception)");
    let reason = required(r, "reason", " (why the violation is accepted)");
    let expires = match map.get("expires") {
        Some(n) => r
            .string(n, &at("expires"))
            .and_then(|s| match s.parse::<Date>() {
                Ok(d) => Some(d),
                Err(e) => {
                    r.error(
                        n.span,
                        format!("{}: invalid date {s:?}: {e}", at("expires")),
                    );
                    None
                }
            }),
        None => {
            r.error(
                node.span,
                format!(
                    "{}: missing expires (a YYYY-MM-DD date: exceptions must expire)",
                    shown(path)
                ),
            );
            None
        }
    };
    let checks = match map.get("checks") {
        Some(n) => {
            let list = r.unique_strings(n, &at("checks"), |c| {
                if crate::pss::check_info(c).is_some() {
                    Ok(())
                } else {
                    Err("not a Pod Security check ID (`psslint rules` lists them)".to_string())
                }
            });
            if list.is_empty() && r.errors.len() == errors_before {
                r.error(
                    n.span,
                    format!(
                        "{}: list at least one check (check-less exceptions are not allowed)",
                        at("checks")
                    ),
                );
            }
            list.into_iter().map(|(s, _)| s).collect()
        }
        None => {
            r.error(
                node.span,
                format!("{}: missing checks (the check IDs it covers; check-less exceptions are not allowed)", shown(path)),
            );
            Vec::new()
        }
    };
    let containers = map
        .get("containers")
        .map(|n| {
            r.unique_strings(n, &at("containers"), no_wildcard)
                .into_iter()
                .map(|(s, _)| s)
                .collect()
        })
        .unwrap_or_default();
    if r.errors.len() != errors_before {
        return None;
    }
    Some(Common {
        owner: owner?,
        reason: reason?,
        expires: expires?,
        checks,
        containers,
    })
}

fn shown(path: &str) -> &str {
    if path.is_empty() {
        "the exception"
    } else {
        path
    }
}

fn no_wildcard(s: &str) -> Result<(), String> {
    if s.contains('*') {
        Err("wildcards are not allowed: an exception names exactly what it covers".to_string())
    } else {
        Ok(())
    }
}

/// Reads entry `index` of the config file's `exceptions:` list.
pub fn from_config(
    r: &mut Reader<'_>,
    node: &Node,
    path: &str,
    index: usize,
    file: &str,
) -> Option<Exception> {
    let errors_before = r.errors.len();
    let scope_field = |r: &mut Reader<'_>, key: &str| -> Option<String> {
        match node.get(key) {
            Some(n) => r
                .nonempty(n, &format!("{path}.{key}"))
                .and_then(|s| match no_wildcard(s) {
                    Ok(()) => Some(s.to_string()),
                    Err(e) => {
                        r.error(n.span, format!("{path}.{key}: {e}"));
                        None
                    }
                }),
            None => {
                if node.as_map().is_some() {
                    r.error(
                        node.span,
                        format!("{path}: missing {key}: an exception names one workload (namespace, kind and name); cluster-wide exceptions are not allowed"),
                    );
                }
                None
            }
        }
    };
    let namespace = scope_field(r, "namespace");
    if let (Some(ns), Some(n)) = (&namespace, node.get("namespace")) {
        if let Err(e) = dns_label(ns) {
            r.error(
                n.span,
                format!("{path}.namespace: invalid value {ns:?}: {e}"),
            );
        }
    }
    let kind = scope_field(r, "kind");
    let name = scope_field(r, "name");
    let common = common(r, node, path, &FIELDS_CONFIG);
    if r.errors.len() != errors_before {
        return None;
    }
    let c = common?;
    Some(Exception {
        owner: c.owner,
        reason: c.reason,
        expires: c.expires,
        checks: c.checks,
        scope: Scope {
            namespace: namespace?,
            kind: kind?,
            name: name?,
            containers: c.containers,
        },
        origin: ExceptionOrigin::Config {
            file: file.to_string(),
            index,
            // The entry's first key: a whole mapping would make a long snippet.
            span: node
                .as_map()
                .and_then(|m| m.entries.first())
                .map_or(node.span, |e| e.key_span),
        },
    })
}

/// Reads a `psslint.dev/exception` annotation value: one exception as a JSON or YAML flow
/// object, or a list of them. The scope is the annotated object. Problems are returned as
/// messages (their position is the annotation's).
pub fn from_annotation(
    value: &str,
    span: Span,
    object: &ObjectRef,
    file: &str,
) -> (Vec<Exception>, Vec<String>) {
    let doc = parse_document(value, 1, &ParseOptions::default());
    if let Some(p) = doc.problems.first() {
        return (
            Vec::new(),
            vec![format!(
                "the value is not valid JSON or YAML: {}",
                p.message
            )],
        );
    }
    let Some(root) = doc.root else {
        return (Vec::new(), vec!["the value is empty".to_string()]);
    };
    let items: Vec<(&Node, String)> = match root.as_seq() {
        Some(seq) => seq
            .iter()
            .enumerate()
            .map(|(i, n)| (n, format!("[{i}]")))
            .collect(),
        None => vec![(&root, String::new())],
    };
    let mut r = Reader::new(file);
    let mut out = Vec::new();
    for (node, path) in items {
        if let Some(c) = common(&mut r, node, &path, &FIELDS_ANNOTATION) {
            out.push(Exception {
                owner: c.owner,
                reason: c.reason,
                expires: c.expires,
                checks: c.checks,
                scope: Scope {
                    namespace: object.namespace.clone(),
                    kind: object.kind.clone(),
                    name: object.name.clone(),
                    containers: c.containers,
                },
                origin: ExceptionOrigin::Annotation {
                    file: file.to_string(),
                    span,
                },
            });
        }
    }
    let errors = r.errors.into_iter().map(|e| e.message).collect();
    (out, errors)
}

/// The exceptions that may apply to one workload, and what they did.
pub struct ObjectExceptions<'p> {
    clock: Clock,
    /// Annotation exceptions, then the config exceptions that target the object.
    list: Vec<(std::borrow::Cow<'p, Exception>, usize)>,
    findings: Vec<Finding>,
    seen: Vec<usize>,
}

impl<'p> ObjectExceptions<'p> {
    /// Collects the exceptions for `object`: its annotation (read from the object's
    /// `metadata.annotations`) and the config's exceptions that name it.
    pub fn new(
        config: &'p [Exception],
        clock: Clock,
        object: &ObjectRef,
        node: &Node,
        file: &str,
    ) -> Self {
        let mut list: Vec<(std::borrow::Cow<'p, Exception>, usize)> = Vec::new();
        let mut findings = Vec::new();
        let annotation = node
            .get("metadata")
            .and_then(|m| m.get("annotations"))
            .and_then(|a| a.as_map())
            .and_then(|a| a.entry(ANNOTATION));
        if let Some(entry) = annotation {
            // The key: the value is usually one long line of JSON.
            let span = entry.key_span;
            match entry.value.as_str() {
                Some(text) => {
                    let (found, errors) = from_annotation(text, span, object, file);
                    list.extend(found.into_iter().map(|e| (std::borrow::Cow::Owned(e), 0)));
                    for e in errors {
                        findings.push(invalid(span, &e, object));
                    }
                }
                None => findings.push(invalid(
                    span,
                    &format!(
                        "expected a string, found {}",
                        strict::describe(&entry.value)
                    ),
                    object,
                )),
            }
        }
        let mut seen = Vec::new();
        for e in config.iter().filter(|e| e.targets(object)) {
            if let Some(i) = e.origin.config_index() {
                seen.push(i);
            }
            list.push((std::borrow::Cow::Borrowed(e), 0));
        }
        ObjectExceptions {
            clock,
            list,
            findings,
            seen,
        }
    }

    /// Applies the first matching exception that has not expired to a PSS finding: it becomes
    /// a note naming the owner and expiry. With only expired matches, the finding keeps its
    /// severity and records the expired exception.
    pub fn apply(&mut self, d: &mut Diagnostic) {
        if self.list.is_empty() {
            return;
        }
        let containers: Vec<Option<&str>> = std::iter::once(d.container.as_deref())
            .chain(d.related.iter().map(|r| r.container.as_deref()))
            .collect();
        let mut expired = None;
        for (i, (e, _)) in self.list.iter().enumerate() {
            if !e.covers(&d.rule, &containers) {
                continue;
            }
            let status = e.date_status(&self.clock);
            if status == ExceptionStatus::Expired {
                expired.get_or_insert(i);
                continue;
            }
            d.severity = Severity::Note;
            d.message = format!(
                "{} [excepted until {} by {}]",
                d.message, e.expires, e.owner
            );
            d.policy.exception = Some(applied(e, status));
            self.list[i].1 += 1;
            return;
        }
        if let Some(i) = expired {
            d.policy.exception = Some(applied(&self.list[i].0, ExceptionStatus::Expired));
        }
    }

    /// The findings about the object's exceptions, and the run record.
    pub fn finish(self) -> (Vec<Finding>, RunRecord) {
        let mut findings = self.findings;
        let mut record = RunRecord::default();
        record.config_seen.extend(self.seen);
        for (e, covered) in self.list {
            match e.origin.config_index() {
                Some(i) => {
                    *record.config_covered.entry(i).or_default() += covered;
                }
                None => {
                    let status = settle(&e, covered, &self.clock, true, &mut findings);
                    record
                        .records
                        .push(ExceptionRecord::new(&e, status, covered));
                }
            }
        }
        (findings, record)
    }
}

fn applied(e: &Exception, status: ExceptionStatus) -> AppliedException {
    let start = e.origin.span().start;
    AppliedException {
        owner: e.owner.clone(),
        expires: e.expires.to_string(),
        status,
        reason: e.reason.clone(),
        source: match &e.origin {
            ExceptionOrigin::Config { file, .. } => {
                format!("{file}:{}:{}", start.line, start.col)
            }
            ExceptionOrigin::Annotation { .. } => format!("annotation {ANNOTATION}"),
        },
        config_index: e.origin.config_index(),
    }
}

fn invalid(span: Span, message: &str, object: &ObjectRef) -> Finding {
    Finding::new(
        "exception-invalid",
        Severity::Error,
        format!("invalid {ANNOTATION} annotation on {}: {message}", object.display_name()),
        span,
    )
    .with_hint(
        "write one exception as JSON, e.g. {\"checks\": [\"runAsNonRoot\"], \"owner\": \"team-a\", \"reason\": \"…\", \"expires\": \"2026-06-30\"}, or a list of them",
    )
    .with_object(object.clone())
    .with_field(format!("metadata.annotations[{ANNOTATION}]"))
}

/// The exception's status after the run, pushing the findings it deserves.
fn settle(
    e: &Exception,
    covered: usize,
    clock: &Clock,
    seen: bool,
    out: &mut Vec<Finding>,
) -> ExceptionStatus {
    let span = e.origin.span();
    let status = e.date_status(clock);
    let finding = match status {
        ExceptionStatus::Expired => Some(
            Finding::new(
                "exception-expired",
                Severity::Error,
                format!(
                    "{} expired on {}; owner {} must fix the workload or renew the exception",
                    e.who(),
                    e.expires,
                    e.owner
                ),
                span,
            )
            .with_hint("the violations it covered are reported again; extend `expires` only with a new review"),
        ),
        _ if covered == 0 => Some(Finding::new(
            "exception-unused",
            Severity::Warning,
            if seen {
                format!("{} (owner {}) matches no violation; remove it", e.who(), e.owner)
            } else {
                format!(
                    "{} (owner {}) matches no violation: the workload is not in the linted files",
                    e.who(),
                    e.owner
                )
            },
            span,
        )),
        ExceptionStatus::Expiring => {
            let days = clock.today.days_until(e.expires);
            Some(Finding::new(
                "exception-expiring",
                Severity::Warning,
                format!(
                    "{} (owner {}) expires {}, on {}",
                    e.who(),
                    e.owner,
                    match days {
                        0 => "today".to_string(),
                        1 => "tomorrow".to_string(),
                        n => format!("in {n} days"),
                    },
                    e.expires
                ),
                span,
            ))
        }
        _ => None,
    };
    let result = match (status, covered) {
        (ExceptionStatus::Expired, _) => ExceptionStatus::Expired,
        (_, 0) => ExceptionStatus::Unused,
        (s, _) => s,
    };
    out.extend(finding);
    result
}

/// Settles the config file's exceptions after every file is linted: records for the review and
/// findings located in the config file.
pub fn settle_config(
    config: &[Exception],
    clock: &Clock,
    run: &RunRecord,
) -> (Vec<Finding>, Vec<ExceptionRecord>) {
    let mut findings = Vec::new();
    let mut records = Vec::new();
    for e in config {
        let index = e.origin.config_index().unwrap_or(usize::MAX);
        let covered = run.config_covered.get(&index).copied().unwrap_or(0);
        let seen = run.config_seen.contains(&index);
        let status = settle(e, covered, clock, seen, &mut findings);
        records.push(ExceptionRecord::new(e, status, covered));
    }
    (findings, records)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object() -> ObjectRef {
        ObjectRef {
            api_version: "apps/v1".into(),
            kind: "Deployment".into(),
            name: "ledger".into(),
            namespace: "payments".into(),
        }
    }

    fn clock(today: &str) -> Clock {
        Clock {
            today: today.parse().unwrap(),
            warning_days: 14,
        }
    }

    fn one(json: &str) -> Exception {
        let (mut found, errors) = from_annotation(json, Span::default(), &object(), "f.yaml");
        assert!(errors.is_empty(), "{errors:?}");
        found.remove(0)
    }

    #[test]
    fn status_follows_the_calendar() {
        let e = one(
            r#"{"checks": ["privileged"], "owner": "a", "reason": "r", "expires": "2026-03-31"}"#,
        );
        assert_eq!(e.date_status(&clock("2026-01-01")), ExceptionStatus::Active);
        assert_eq!(
            e.date_status(&clock("2026-03-17")),
            ExceptionStatus::Expiring
        );
        assert_eq!(
            e.date_status(&clock("2026-03-31")),
            ExceptionStatus::Expiring
        );
        assert_eq!(
            e.date_status(&clock("2026-04-01")),
            ExceptionStatus::Expired
        );
    }

    #[test]
    fn containers_narrow_the_scope() {
        let e = one(
            r#"{"checks": ["privileged"], "containers": ["a"], "owner": "o", "reason": "r", "expires": "2030-01-01"}"#,
        );
        assert!(e.covers("privileged", &[Some("a")]));
        assert!(!e.covers("privileged", &[Some("a"), Some("b")]));
        assert!(!e.covers("privileged", &[None]));
        assert!(!e.covers("runAsNonRoot", &[Some("a")]));
        assert!(e.targets(&object()));
    }

    #[test]
    fn malformed_annotations_say_what_is_wrong() {
        let errs = |v: &str| from_annotation(v, Span::default(), &object(), "f.yaml").1;
        assert!(errs("{checks: [privileged]")[0].contains("not valid"));
        let e = errs(r#"{"checks": [], "owner": "o", "reason": "r", "expires": "2030-01-01"}"#);
        assert!(e[0].contains("check-less"), "{e:?}");
        let e = errs(r#"{"checks": ["privileged"], "reason": "r", "expires": "2030-02-30"}"#);
        assert_eq!(e.len(), 2, "{e:?}");
        let e = errs(
            r#"{"checks": ["Privileged"], "owner": "o", "reason": "r", "expires": "2030-01-01", "namespace": "x"}"#,
        );
        assert_eq!(e.len(), 2, "{e:?}");
        // A list of exceptions is fine.
        let (ok, e) = from_annotation(
            "[{checks: [privileged], owner: o, reason: r, expires: 2030-01-01}, {checks: [runAsUser], owner: p, reason: s, expires: 2031-01-01}]",
            Span::default(),
            &object(),
            "f.yaml",
        );
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(ok.len(), 2);
    }
}
