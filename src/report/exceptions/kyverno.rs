//! `psslint exceptions --format kyverno` and `--format kyverno-cel`: one Kyverno PolicyException
//! per tracked exception that applies today.
//!
//! * `kyverno` writes `kyverno.io/v2` PolicyExceptions for a ClusterPolicy whose rules use the
//!   `validate.podSecurity` subrule (`--kyverno-policy`, `--kyverno-rule`). The exception names
//!   those rules and the rules Kyverno generates from them for pod controllers
//!   (`autogen-<rule>`, `autogen-cronjob-<rule>`); it matches the workload by kind, namespace
//!   and name, and the objects its controller creates by name prefix (`<name>-*`, the Pods also
//!   by the template's labels), since Kyverno judges those too; and it excludes the PSS
//!   controls of the exception's checks through `podSecurity`: a control with container fields
//!   for the images of the containers the exception names (all of them, `*`, when it names
//!   none), a pod-level control by name.
//! * `kyverno-cel` writes `policies.kyverno.io/v1` PolicyExceptions for the CEL
//!   ValidatingPolicies of Kyverno's policy library (`pod-security-vpol`: one policy per
//!   control, `require-run-as-nonroot` and so on), matched by a CEL condition, with the expiry
//!   as `spec.expiresAt` (the day after the last valid day, 00:00 UTC), after which Kyverno
//!   stops applying it.
//!
//! Both carry the owner, reason, expiry, checks and source as `psslint.dev/*` annotations.
//! Where Kyverno is coarser than the tracked exception (a control that covers two checks; an
//! image-scoped exclusion that also exempts the control's pod-level fields) the export warns;
//! where it cannot express it at all (a check Kyverno has no control for, containers whose
//! images the input does not show, a container-scoped exception in the CEL form) the exception
//! is not exported and the run fails.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::export::{exportable, object_name, unique, Exportable, Exported};
use crate::model::report::Report;
use crate::policy::date::Date;
use crate::report::yaml_out::to_yaml;

/// Where the PSS policy lives in the cluster (`--kyverno-*`).
#[derive(Debug, Clone, Default)]
pub struct KyvernoOptions {
    /// The ClusterPolicy (or `namespace/name` Policy) with the `podSecurity` rules.
    pub policy: String,
    /// Its rules that use `validate.podSecurity`.
    pub rules: Vec<String>,
    /// The namespace the PolicyExceptions go in (Kyverno's `--exceptionNamespace`); default:
    /// each workload's own.
    pub namespace: Option<String>,
}

/// How one check maps onto Kyverno.
struct Control {
    check: &'static str,
    /// The `podSecurity[].controlName` (kyverno.io/v2), if Kyverno has a control for it.
    name: Option<&'static str>,
    /// The check reads pod-level fields (or annotations).
    pod: bool,
    /// The check reads container fields.
    containers: bool,
    /// The ValidatingPolicy of Kyverno's `pod-security-vpol` library.
    cel_policy: &'static str,
}

const fn control(
    check: &'static str,
    name: Option<&'static str>,
    pod: bool,
    containers: bool,
    cel_policy: &'static str,
) -> Control {
    Control {
        check,
        name,
        pod,
        containers,
        cel_policy,
    }
}

/// The controls of the `controlName` enum of the published CRD (see
/// testdata/kyverno/README.md): `hostProbesAndHostLifecycle` (v1.34) has none there, and
/// Kyverno maps `procMount_restricted` (v1.35) to no control.
const CONTROLS: [Control; 19] = [
    control(
        "appArmorProfile",
        Some("AppArmor"),
        true,
        true,
        "restrict-apparmor-profiles",
    ),
    control(
        "capabilities_baseline",
        Some("Capabilities"),
        false,
        true,
        "disallow-capabilities",
    ),
    control(
        "hostNamespaces",
        Some("Host Namespaces"),
        true,
        false,
        "disallow-host-namespaces",
    ),
    control(
        "hostPathVolumes",
        Some("HostPath Volumes"),
        true,
        false,
        "disallow-host-path",
    ),
    control(
        "hostPorts",
        Some("Host Ports"),
        false,
        true,
        "disallow-host-ports",
    ),
    control(
        "hostProbesAndHostLifecycle",
        None,
        false,
        true,
        "disallow-host-probes",
    ),
    control(
        "privileged",
        Some("Privileged Containers"),
        false,
        true,
        "disallow-privileged-containers",
    ),
    control(
        "procMount",
        Some("/proc Mount Type"),
        false,
        true,
        "disallow-proc-mount",
    ),
    control(
        "seLinuxOptions",
        Some("SELinux"),
        true,
        true,
        "disallow-selinux",
    ),
    control(
        "seccompProfile_baseline",
        Some("Seccomp"),
        true,
        true,
        "restrict-seccomp",
    ),
    control("sysctls", Some("Sysctls"), true, false, "restrict-sysctls"),
    control(
        "windowsHostProcess",
        Some("HostProcess"),
        true,
        true,
        "disallow-host-process",
    ),
    control(
        "allowPrivilegeEscalation",
        Some("Privilege Escalation"),
        false,
        true,
        "disallow-privilege-escalation",
    ),
    control(
        "capabilities_restricted",
        Some("Capabilities"),
        false,
        true,
        "disallow-capabilities-strict",
    ),
    control(
        "procMount_restricted",
        None,
        false,
        true,
        "disallow-proc-mount-strict",
    ),
    control(
        "restrictedVolumes",
        Some("Volume Types"),
        true,
        false,
        "restrict-volume-types",
    ),
    control(
        "runAsNonRoot",
        Some("Running as Non-root"),
        true,
        true,
        "require-run-as-nonroot",
    ),
    control(
        "runAsUser",
        Some("Running as Non-root user"),
        true,
        true,
        "require-run-as-non-root-user",
    ),
    control(
        "seccompProfile_restricted",
        Some("Seccomp"),
        true,
        true,
        "restrict-seccomp-strict",
    ),
];

fn control_of(check: &str) -> Option<&'static Control> {
    CONTROLS.iter().find(|c| c.check == check)
}

/// One object kind a PolicyException must match: the workload, or what its controller creates.
struct Target {
    /// The Kyverno kind (`Deployment`; `group/version/Kind` for custom resources).
    kind: String,
    /// CEL's `object.kind`.
    plain_kind: String,
    name: String,
    /// `name` is a prefix (`web-` for `web-*`).
    prefix: bool,
    /// The Pods' labels (the pod template's).
    labels: BTreeMap<String, String>,
}

/// The objects Kyverno judges for one workload: the workload itself and, by name prefix, what
/// its controller creates (down to the Pods).
fn targets(e: &Exportable<'_>) -> Vec<Target> {
    let r = e.record;
    let api_version = e
        .workload
        .map(|w| w.object.api_version.clone())
        .unwrap_or_default();
    let group = crate::workload::kinds::api_group(&api_version);
    let builtin = matches!(
        (group, r.kind.as_str()),
        ("", "Pod" | "PodTemplate" | "ReplicationController")
            | (
                "apps",
                "Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet"
            )
            | ("batch", "Job" | "CronJob")
    ) || (e.workload.is_none() && r.kind != "Rollout");
    let labels = e
        .workload
        .map(|w| w.metadata.template_labels.clone())
        .unwrap_or_default();
    let exact = |kind: &str| Target {
        kind: kind.to_string(),
        plain_kind: kind.to_string(),
        name: r.name.clone(),
        prefix: false,
        labels: BTreeMap::new(),
    };
    let children = |kind: &str| Target {
        kind: kind.to_string(),
        plain_kind: kind.to_string(),
        name: format!("{}-", r.name),
        prefix: true,
        labels: if kind == "Pod" {
            labels.clone()
        } else {
            BTreeMap::new()
        },
    };
    let mut out = Vec::new();
    if builtin {
        out.push(exact(&r.kind));
    }
    match r.kind.as_str() {
        "Pod" | "PodTemplate" if builtin => {}
        "Deployment" | "Rollout" => {
            out.push(children("ReplicaSet"));
            out.push(children("Pod"));
        }
        "CronJob" => {
            out.push(children("Job"));
            out.push(children("Pod"));
        }
        _ => out.push(children("Pod")),
    }
    out
}

/// The rule names of `rules` that Kyverno applies to `targets` (with its generated rules).
fn rule_names(rules: &[String], targets: &[Target]) -> Vec<String> {
    let controllers = targets.iter().any(|t| {
        matches!(
            t.plain_kind.as_str(),
            "Deployment"
                | "ReplicaSet"
                | "DaemonSet"
                | "StatefulSet"
                | "Job"
                | "ReplicationController"
        )
    });
    let cron = targets.iter().any(|t| t.plain_kind == "CronJob");
    let mut out = Vec::new();
    for rule in rules {
        out.push(rule.clone());
        if controllers {
            out.push(format!("autogen-{rule}"));
        }
        if cron {
            out.push(format!("autogen-cronjob-{rule}"));
        }
    }
    out
}

fn annotations(e: &Exportable<'_>) -> Value {
    let r = e.record;
    json!({
        "psslint.dev/owner": r.owner,
        "psslint.dev/reason": r.reason,
        "psslint.dev/expires": r.expires,
        "psslint.dev/checks": r.checks.join(","),
        "psslint.dev/source": format!("{}:{}:{}", r.file, r.line, r.column),
    })
}

fn metadata(e: &Exportable<'_>, namespace: Option<&str>, taken: &mut Vec<String>) -> Value {
    let r = e.record;
    let name = unique(
        object_name(&["psslint", &r.namespace, &r.kind, &r.name]),
        taken,
    );
    json!({
        "name": name,
        "namespace": namespace.unwrap_or(&r.namespace),
        "labels": {"app.kubernetes.io/managed-by": "psslint"},
        "annotations": annotations(e),
    })
}

/// The document stream: a comment, then the documents separated by `---`.
fn stream(what: &str, docs: &[Value]) -> String {
    let mut text = format!(
        "# {} {what} written by psslint from its tracked exceptions (`psslint exceptions`).\n",
        docs.len()
    );
    for (i, d) in docs.iter().enumerate() {
        if i > 0 {
            text.push_str("---\n");
        }
        text.push_str(&to_yaml(d));
    }
    text
}

/// `kyverno.io/v2` PolicyExceptions for a `validate.podSecurity` policy.
pub fn v2(report: &Report, opts: &KyvernoOptions) -> Exported {
    let (list, notes) = exportable(report);
    let mut out = Exported {
        notes,
        ..Exported::default()
    };
    let mut taken = Vec::new();
    let mut docs = Vec::new();
    for e in &list {
        match pod_security(e, &mut out.warnings) {
            Ok(pod_security) => {
                let targets = targets(e);
                let any: Vec<Value> = targets
                    .iter()
                    .map(|t| {
                        let mut resources = Map::new();
                        resources.insert("kinds".into(), json!([t.kind]));
                        resources.insert("namespaces".into(), json!([e.record.namespace]));
                        let name = if t.prefix {
                            format!("{}*", t.name)
                        } else {
                            t.name.clone()
                        };
                        resources.insert("names".into(), json!([name]));
                        if !t.labels.is_empty() {
                            resources.insert("selector".into(), json!({"matchLabels": t.labels}));
                        }
                        json!({"resources": resources})
                    })
                    .collect();
                docs.push(json!({
                    "apiVersion": "kyverno.io/v2",
                    "kind": "PolicyException",
                    "metadata": metadata(e, opts.namespace.as_deref(), &mut taken),
                    "spec": {
                        "exceptions": [{
                            "policyName": opts.policy,
                            "ruleNames": rule_names(&opts.rules, &targets),
                        }],
                        "match": {"any": any},
                        "podSecurity": pod_security,
                    },
                }));
            }
            Err(why) => out.errors.push(why),
        }
    }
    out.text = stream("kyverno.io/v2 PolicyExceptions", &docs);
    out
}

/// The `podSecurity` exclusions of one exception.
fn pod_security(e: &Exportable<'_>, warnings: &mut Vec<String>) -> Result<Vec<Value>, String> {
    let r = e.record;
    let scoped = !r.containers.is_empty();
    let mut entries: Vec<Value> = Vec::new();
    let mut named: Vec<&str> = Vec::new();
    for check in &r.checks {
        let c = control_of(check).ok_or_else(|| format!("{}: unknown check {check}", e.who()))?;
        let Some(name) = c.name else {
            return Err(format!(
                "{}: Kyverno's podSecurity has no control for {check}; it cannot be exported as a kyverno.io/v2 exclusion",
                e.who()
            ));
        };
        if scoped && !c.containers {
            warnings.push(format!(
                "{}: {check} reads pod-level fields only, which an exception scoped to containers does not cover; nothing to export for it",
                e.who()
            ));
            continue;
        }
        if named.contains(&name) {
            continue;
        }
        named.push(name);
        if let Some(other) = CONTROLS.iter().find(|o| {
            o.name == Some(name) && o.check != check && !r.checks.iter().any(|x| x == o.check)
        }) {
            warnings.push(format!(
                "{}: Kyverno's {name:?} control covers {} as well as {check}",
                e.who(),
                other.check
            ));
        }
        if !c.containers {
            entries.push(json!({"controlName": name}));
            continue;
        }
        let images = if scoped {
            if c.pod {
                warnings.push(format!(
                    "{}: Kyverno's image-scoped {name:?} exclusion also exempts the control's pod-level fields, which the exception (containers {}) does not cover",
                    e.who(),
                    r.containers.join(", ")
                ));
            }
            e.images()?
        } else {
            vec!["*".to_string()]
        };
        entries.push(json!({"controlName": name, "images": images}));
    }
    Ok(entries)
}

/// A CEL string literal.
fn cel_string(s: &str) -> String {
    let mut out = String::from("'");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// The CEL condition that selects the workload and what its controller creates.
fn cel_condition(e: &Exportable<'_>) -> String {
    let alternatives: Vec<String> = targets(e)
        .iter()
        .map(|t| {
            let name = if t.prefix {
                format!("object.metadata.name.startsWith({})", cel_string(&t.name))
            } else {
                format!("object.metadata.name == {}", cel_string(&t.name))
            };
            let mut parts = vec![
                format!("object.kind == {}", cel_string(&t.plain_kind)),
                name,
            ];
            if !t.labels.is_empty() {
                parts.push("has(object.metadata.labels)".to_string());
            }
            for (k, v) in &t.labels {
                parts.push(format!(
                    "{key} in object.metadata.labels && object.metadata.labels[{key}] == {}",
                    cel_string(v),
                    key = cel_string(k),
                ));
            }
            format!("({})", parts.join(" && "))
        })
        .collect();
    format!(
        "object.metadata.namespace == {} && ({})",
        cel_string(&e.record.namespace),
        alternatives.join(" || ")
    )
}

/// `policies.kyverno.io/v1` PolicyExceptions for the ValidatingPolicies of Kyverno's
/// `pod-security-vpol` library, expiring with the tracked exception.
pub fn cel(report: &Report, namespace: Option<&str>) -> Exported {
    let (list, notes) = exportable(report);
    let mut out = Exported {
        notes,
        ..Exported::default()
    };
    let mut taken = Vec::new();
    let mut docs = Vec::new();
    for e in &list {
        let r = e.record;
        if !r.containers.is_empty() {
            out.errors.push(format!(
                "{}: it covers containers {} only, but a CEL PolicyException skips the whole policy for the resource; export it with --format kyverno",
                e.who(),
                r.containers.join(", ")
            ));
            continue;
        }
        let mut refs: Vec<Value> = Vec::new();
        for check in &r.checks {
            if let Some(c) = control_of(check) {
                let policy = json!({"kind": "ValidatingPolicy", "name": c.cel_policy});
                if !refs.contains(&policy) {
                    refs.push(policy);
                }
            }
        }
        let expires_at = r
            .expires
            .parse::<Date>()
            .map(|d| format!("{}T00:00:00Z", Date::from_days(d.days() + 1)));
        let Ok(expires_at) = expires_at else {
            out.errors
                .push(format!("{}: invalid expiry {:?}", e.who(), r.expires));
            continue;
        };
        docs.push(json!({
            "apiVersion": "policies.kyverno.io/v1",
            "kind": "PolicyException",
            "metadata": metadata(e, namespace, &mut taken),
            "spec": {
                "policyRefs": refs,
                "matchConditions": [{"name": "psslint-workload", "expression": cel_condition(e)}],
                "expiresAt": expires_at,
                "properties": {"owner": r.owner, "reason": r.reason, "expires": r.expires},
            },
        }));
    }
    out.text = stream("policies.kyverno.io/v1 PolicyExceptions", &docs);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_check_has_a_mapping() {
        for info in crate::pss::CHECKS {
            assert!(control_of(info.id).is_some(), "{}", info.id);
        }
        assert_eq!(CONTROLS.len(), crate::pss::CHECKS.len());
    }

    #[test]
    fn cel_strings_are_escaped() {
        assert_eq!(cel_string("a'b\\c"), "'a\\'b\\\\c'");
    }
}
