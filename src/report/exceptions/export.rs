//! What the exports of tracked exceptions share: which exceptions go to the cluster, what the
//! linted input says about their workloads, and what an export tells its user besides the
//! documents it writes.

use crate::model::report::ExceptionRecord;

use crate::model::diagnostic::ExceptionStatus;
use crate::model::report::{CheckedObject, Report};

/// An export: the documents, and what the user must know about them.
#[derive(Debug, Default)]
pub struct Exported {
    /// The YAML to write.
    pub text: String,
    /// Exceptions left out on purpose (expired, unused).
    pub notes: Vec<String>,
    /// Where the cluster's mechanism is broader or coarser than the tracked exception.
    pub warnings: Vec<String>,
    /// Exceptions that could not be exported faithfully (the run fails).
    pub errors: Vec<String>,
}

/// One exception to export, with its workload as the linted input shows it (`None` when the
/// workload is not in the input).
pub struct Exportable<'r> {
    pub record: &'r ExceptionRecord,
    pub workload: Option<&'r CheckedObject>,
}

impl Exportable<'_> {
    /// `exception for Deployment/ledger in payments (psslint.yaml:40:5)`.
    pub fn who(&self) -> String {
        let r = self.record;
        format!(
            "exception for {}/{} in {} ({}:{}:{})",
            r.kind, r.name, r.namespace, r.file, r.line, r.column
        )
    }

    /// The images of the containers the exception names (a container the pod template does
    /// not have has none: its Pods cannot run it); `Err` when the input does not show them.
    pub fn images(&self) -> Result<Vec<String>, String> {
        let Some(w) = self.workload else {
            return Err(format!(
                "{}: the workload is not in the linted files, so its container images are unknown",
                self.who()
            ));
        };
        let mut out: Vec<String> = w
            .metadata
            .images
            .iter()
            .filter(|(name, _)| self.record.containers.contains(name))
            .map(|(_, image)| image.clone())
            .collect();
        out.sort();
        out.dedup();
        if out.is_empty() {
            return Err(format!(
                "{}: none of its containers ({}) has an image in the pod template",
                self.who(),
                self.record.containers.join(", ")
            ));
        }
        Ok(out)
    }
}

/// The exceptions that apply today (active or expiring), with their workloads, and a note for
/// each one left out. Expired exceptions no longer apply, and unused ones cover nothing: the
/// cluster needs neither.
pub fn exportable(report: &Report) -> (Vec<Exportable<'_>>, Vec<String>) {
    let mut out = Vec::new();
    let mut notes = Vec::new();
    for r in &report.exceptions {
        let workload = report.objects.iter().find(|o| {
            o.object.namespace == r.namespace && o.object.kind == r.kind && o.object.name == r.name
        });
        let e = Exportable {
            record: r,
            workload,
        };
        match r.status {
            ExceptionStatus::Active | ExceptionStatus::Expiring => out.push(e),
            ExceptionStatus::Expired => notes.push(format!(
                "{}: not exported: it expired on {}",
                e.who(),
                r.expires
            )),
            ExceptionStatus::Unused => {
                notes.push(format!("{}: not exported: it covers no violation", e.who()))
            }
        }
    }
    out.sort_by(|a, b| {
        let key = |e: &Exportable<'_>| {
            (
                e.record.namespace.clone(),
                e.record.kind.clone(),
                e.record.name.clone(),
                e.record.file.clone(),
                e.record.line,
            )
        };
        key(a).cmp(&key(b))
    });
    (out, notes)
}

/// A DNS-1123 subdomain from `parts` (`psslint-payments-deployment-ledger`), at most 253
/// characters.
pub fn object_name(parts: &[&str]) -> String {
    let joined = parts.join("-").to_lowercase();
    let mut name: String = joined
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    name.truncate(253);
    name.trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string()
}

/// Names unique among those already `taken`, with `-2`, `-3`, … when needed.
pub fn unique(base: String, taken: &mut Vec<String>) -> String {
    let mut name = base.clone();
    let mut n = 2;
    while taken.contains(&name) {
        let suffix = format!("-{n}");
        let mut b = base.clone();
        b.truncate(253 - suffix.len());
        name = format!(
            "{}{suffix}",
            b.trim_end_matches(|c: char| !c.is_ascii_alphanumeric())
        );
        n += 1;
    }
    taken.push(name.clone());
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_dns_subdomains_and_unique() {
        assert_eq!(
            object_name(&["psslint", "shop", "Deployment", "web_v2"]),
            "psslint-shop-deployment-web-v2"
        );
        let long = "x".repeat(300);
        assert_eq!(object_name(&["psslint", &long]).len(), 253);
        let mut taken = Vec::new();
        assert_eq!(unique("a".into(), &mut taken), "a");
        assert_eq!(unique("a".into(), &mut taken), "a-2");
        assert_eq!(unique("a".into(), &mut taken), "a-3");
    }
}
