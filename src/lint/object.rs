//! Linting one object: a Namespace's hygiene, or a workload's pod templates judged at each
//! level and version the policy gives them (exceptions applied), recorded for the report and
//! for folding owned objects.

use crate::manifest::object::ObjectInfo;
use crate::manifest::Node;
use crate::model::diagnostic::ObjectRef;
use crate::model::problem::{InputRule, LoadProblem};
use crate::model::report::{CheckedObject, ObjectMetadata};
use crate::policy::{self, Resolution, Target};
use crate::pss::{self, Violation};
use crate::workload::extract::extract_pod;
use crate::workload::kinds;

use super::owners;
use super::partial::Partial;
use super::text::FileCtx;

impl FileCtx<'_> {
    pub(super) fn lint_object(
        &self,
        root: &Node,
        info: &ObjectInfo,
        node: &Node,
        origin: Option<&str>,
        out: &mut Partial,
    ) {
        if policy::namespaces::is_namespace(&info.api_version, &info.kind) {
            let found = policy::hygiene::namespace_object(&self.opts.policy, info, node, self.name);
            out.diagnostics.extend(self.located(found, origin));
            if !self.opts.snapshots.is_empty() {
                let object = ObjectRef {
                    api_version: info.api_version.clone(),
                    kind: info.kind.clone(),
                    name: info.name.clone(),
                    namespace: String::new(),
                };
                self.record(&object, node, false, false, out);
            }
            return;
        }
        let kind = kinds::lookup(&self.opts.kinds, &info.api_version, &info.kind);
        let templates = kind.map(|k| k.templates_in(node)).unwrap_or_default();
        let namespace = info
            .namespace
            .clone()
            .unwrap_or_else(|| self.opts.default_namespace.clone());
        let object = ObjectRef {
            api_version: info.api_version.clone(),
            kind: info.kind.clone(),
            name: info.name.clone(),
            namespace: namespace.clone(),
        };
        // Pod templates that no known path reaches would pass unchecked: fail closed.
        out.diagnostics
            .extend(self.unknown_templates(root, info, node, kind, &templates, &object, origin));
        let Some(kind) = kind else {
            return;
        };
        if templates.is_empty() {
            // e.g. a ReplicationController without a template: nothing to evaluate (§6). A
            // path the user configured that matches nothing is worth a warning, though.
            if let Some(source) = &kind.configured {
                out.diagnostics
                    .push(self.template_not_found(kind, source, node, &object, origin));
            }
            return;
        }
        let policy = &self.opts.policy;
        let mut exceptions = policy::exceptions::ObjectExceptions::new(
            &policy.exceptions,
            policy.clock,
            &object,
            node,
            self.name,
        );
        // One report entry per level and version, for all the object's templates together:
        // each template's violations, with its path.
        let mut groups: Vec<(policy::Group, Vec<TemplateViolations>)> = Vec::new();
        for (path, template) in &templates {
            let template_path = path.prefixed(&info.path);
            let as_pod = kind.is_pod()
                || crate::workload::extract::defaults_templates_like_pods(
                    self.opts.policy.kubernetes_minor,
                );
            let (pod, type_problems) = extract_pod(template, as_pod);
            // The Pods a template creates are defaulted as Pods: their hostPorts verdict may
            // be worse than the template's (flannel's, node-exporter's DaemonSets).
            let created = (!as_pod)
                .then(|| crate::workload::extract::created_pod(&pod))
                .flatten();
            for tp in type_problems {
                let path = tp.path.prefixed(&template_path);
                let p = LoadProblem::new(
                    InputRule::TypeError,
                    tp.message
                        .replacen(&tp.path.to_string(), &path.to_string(), 1),
                    Some(tp.span),
                );
                let mut d = self.problem(&p, origin);
                d.object = Some(object.clone());
                d.field = Some(path.to_string());
                out.diagnostics.push(d);
            }
            let target = Target {
                namespace: &namespace,
                runtime_class: pod.spec.runtime_class_name.as_deref(),
            };
            match policy.for_object(&target) {
                Resolution::Exempt(_) => out.summary.exempt += 1,
                Resolution::Evaluate(evals) => {
                    out.summary.pod_templates += 1;
                    let judged = policy::judge(&pod, &evals, policy);
                    for (g, v, eval) in &judged.findings {
                        let group = &judged.groups[*g];
                        let v = &group.violations[*v];
                        let mut d = self.violation(root, &template_path, v, eval, &object, origin);
                        if let Some(created) =
                            created.as_ref().filter(|_| v.check == HOST_NAMESPACES)
                        {
                            d.hint = created_pod_host_ports(created, group, policy);
                        }
                        exceptions.apply(&mut d);
                        out.diagnostics.push(d);
                    }
                    for mut group in judged.groups {
                        let violations = std::mem::take(&mut group.violations);
                        let at = (template_path.to_string(), violations);
                        match groups.iter_mut().find(|(g, _)| g.policy == group.policy) {
                            Some((g, per_template)) => {
                                for m in group.modes {
                                    if !g.modes.contains(&m) {
                                        g.modes.push(m);
                                    }
                                }
                                g.modes.sort();
                                per_template.push(at);
                            }
                            None => groups.push((group, vec![at])),
                        }
                    }
                }
            }
        }
        let start = node.span.start;
        let metadata = if self.opts.keep_object_metadata && !groups.is_empty() {
            object_metadata(node, templates.iter().map(|(_, t)| *t))
        } else {
            ObjectMetadata::default()
        };
        for (group, per_template) in &groups {
            let failing: Vec<&TemplateViolations> =
                per_template.iter().filter(|(_, v)| !v.is_empty()).collect();
            // Passing objects are kept only for reports that list them (JUnit): otherwise a
            // stream of a million clean pods would cost memory for each.
            if failing.is_empty() && !self.opts.keep_passing_objects {
                continue;
            }
            // Several templates (an Experiment's, say): each one's violations after its path.
            let detail = match failing.as_slice() {
                [] => None,
                [(_, v)] if templates.len() == 1 => Some(pss::aggregate(v)),
                _ => Some(
                    failing
                        .iter()
                        .map(|(path, v)| format!("{path}: {}", pss::aggregate(v)))
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
            };
            out.objects.push(CheckedObject {
                file: self.name.to_string(),
                line: start.line,
                column: start.col,
                origin: origin.map(str::to_owned),
                object: object.clone(),
                level: group.policy.level,
                pss_version: group.policy.version.to_string(),
                modes: group.modes.clone(),
                verdict: detail.map(|detail| {
                    format!(
                        "would violate PodSecurity \"{}\": {detail}",
                        group.policy.label()
                    )
                }),
                failing_templates: failing.len(),
                metadata: metadata.clone(),
            });
        }
        let (found, record) = exceptions.finish();
        out.diagnostics.extend(self.located(found, origin));
        out.policy.merge(record);
        // Evaluated: some template was (not exempt).
        self.record(&object, node, kind.is_pod(), !groups.is_empty(), out);
    }

    /// Records who an object is and who created it, for [`super::owners::fold`].
    pub(super) fn record(
        &self,
        object: &ObjectRef,
        node: &Node,
        is_pod: bool,
        evaluated: bool,
        out: &mut Partial,
    ) {
        out.owners.record(&owners::Seen {
            file: self.name,
            object,
            node,
            line: node.span.start.line,
            is_pod,
            evaluated,
            from_snapshot: self.opts.snapshots.contains(self.name),
            snapshots_in_run: !self.opts.snapshots.is_empty(),
        });
    }
}

const HOST_NAMESPACES: &str = "hostNamespaces";
const HOST_PORTS: &str = "hostPorts";

/// What a Pod created from a template on the host network adds to the template's verdict at
/// `group`'s level and version: the `hostPorts` violation the API server's defaulting of
/// `hostPort` from `containerPort` gives it, when the template's own is not the same.
fn created_pod_host_ports(
    created: &pss::model::Pod,
    group: &policy::Group,
    policy: &policy::Policy,
) -> Option<String> {
    let minor = policy.effective_minor(group.policy.version);
    let theirs = pss::evaluate(created, group.policy.level, minor)
        .into_iter()
        .find(|v| v.check == HOST_PORTS)?;
    let ours = group.violations.iter().find(|v| v.check == HOST_PORTS);
    if ours.is_some_and(|o| o.detail == theirs.detail) {
        return None;
    }
    Some(format!(
        "Pods created from this template would also fail hostPorts: on the host network the API \
         server sets each unset hostPort to its containerPort, so they get {}; turning \
         hostNetwork off clears both",
        theirs.reason_and_detail()
    ))
}

/// One pod template's path in its document and its violations at one level and version.
type TemplateViolations = (String, Vec<Violation>);

/// The string-valued `metadata.labels` and `metadata.annotations` of an object, and its pod
/// templates' labels (the first's) and container images (all of them).
fn object_metadata<'n>(node: &Node, templates: impl Iterator<Item = &'n Node>) -> ObjectMetadata {
    let strings = |node: &Node, key: &str| {
        node.get("metadata")
            .and_then(|m| m.get(key))
            .and_then(Node::as_map)
            .map(|m| {
                m.iter()
                    .filter_map(|e| Some((e.key.to_string(), e.value.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default()
    };
    let templates: Vec<&Node> = templates.collect();
    let images = templates
        .iter()
        .flat_map(|t| {
            ["initContainers", "containers", "ephemeralContainers"]
                .iter()
                .filter_map(|list| t.get("spec")?.get(list)?.as_seq())
        })
        .flatten()
        .filter_map(|c| {
            Some((
                c.get("name")?.as_str()?.to_string(),
                c.get("image")?.as_str()?.to_string(),
            ))
        })
        .collect();
    ObjectMetadata {
        labels: strings(node, "labels"),
        annotations: strings(node, "annotations"),
        template_labels: templates
            .first()
            .map(|t| strings(t, "labels"))
            .unwrap_or_default(),
        images,
    }
}
