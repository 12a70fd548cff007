//! `psslint exceptions --format psa-exemptions`: the `PodSecurityConfiguration` that Pod
//! Security Admission itself would need to let the excepted workloads run.
//!
//! PSA has no per-workload exceptions: its only lever is an exemption, static in the API
//! server's configuration, of a whole namespace (or runtime class, or user). So each namespace
//! holding a tracked exception that applies today becomes an exempt namespace, added to the
//! exemptions the run already knows (`--admission-config`, the config file). The document
//! keeps the cluster's defaults from `--admission-config`; without it, the run's defaults
//! (which are psslint's, not necessarily the cluster's) are written and the export warns.
//!
//! An exemption exempts every Pod of the namespace from every check, and never expires: the
//! header names, per namespace, the exceptions that need it and the day the last one expires,
//! when the exemption must go; the export warns about both.

use std::collections::BTreeMap;

use serde_json::json;

use super::export::{exportable, Exported};
use crate::model::diagnostic::Mode;
use crate::model::report::Report;
use crate::policy::Policy;
use crate::report::yaml_out::to_yaml;

/// The configuration, with `defaults_known` when they come from `--admission-config`.
pub fn render(report: &Report, policy: &Policy, defaults_known: bool) -> Exported {
    let (list, notes) = exportable(report);
    let mut out = Exported {
        notes,
        ..Exported::default()
    };
    let mut by_namespace: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut last_day: BTreeMap<&str, &str> = BTreeMap::new();
    for e in &list {
        let r = e.record;
        by_namespace.entry(&r.namespace).or_default().push(format!(
            "{}/{} ({}; owner {}, until {}, {}:{})",
            r.kind,
            r.name,
            r.checks.join(", "),
            r.owner,
            r.expires,
            r.file,
            r.line
        ));
        let day = last_day.entry(&r.namespace).or_insert(&r.expires);
        if r.expires.as_str() > *day {
            *day = &r.expires;
        }
    }
    let mut namespaces: Vec<String> = policy.exemptions.namespaces.iter().cloned().collect();
    let mut header = String::from(
        "# Pod Security Admission exemptions for psslint's tracked exceptions (`psslint exceptions`).\n\
         # WARNING: PSA exemptions have no expiry, and exempt every Pod of a namespace from every\n\
         # check. Remove each namespace below from `exemptions.namespaces` when its exceptions end.\n",
    );
    for (ns, workloads) in &by_namespace {
        let already = policy.exemptions.namespaces.contains(*ns);
        header.push_str(&format!(
            "#\n# {ns}: {}, by {}, for:\n",
            if already {
                "already exempt"
            } else {
                "exempt it"
            },
            last_day[ns]
        ));
        for w in workloads {
            header.push_str(&format!("#   {w}\n"));
        }
        if !already {
            namespaces.push(ns.to_string());
        }
        out.warnings.push(format!(
            "namespace {ns} is exempt from Pod Security for {} workload{}; PSA exemptions have no expiry: remove it by {}",
            workloads.len(),
            if workloads.len() == 1 { "" } else { "s" },
            last_day[ns]
        ));
    }
    if !defaults_known {
        out.warnings.push(
            "the defaults written are psslint's (its config or built-in default), not the cluster's: pass --admission-config to keep the cluster's"
                .to_string(),
        );
    }
    namespaces.sort();
    namespaces.dedup();
    let defaults = policy.defaults();
    let mut d = serde_json::Map::new();
    for mode in Mode::ALL {
        let p = defaults.get(mode).policy;
        d.insert(mode.as_str().into(), p.level.as_str().into());
        d.insert(
            format!("{}-version", mode.as_str()),
            p.version.to_string().into(),
        );
    }
    let list = |set: &std::collections::BTreeSet<String>| set.iter().cloned().collect::<Vec<_>>();
    let doc = json!({
        "apiVersion": "pod-security.admission.config.k8s.io/v1",
        "kind": "PodSecurityConfiguration",
        "defaults": d,
        "exemptions": {
            "namespaces": namespaces,
            "runtimeClasses": list(&policy.exemptions.runtime_classes),
            "usernames": list(&policy.exemptions.usernames),
        },
    });
    out.text = format!("{header}{}", to_yaml(&doc));
    out
}
