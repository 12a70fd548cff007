//! The diagnostics linting an object builds: a PSS violation located at its fields with its
//! fix, and the fail-closed findings about pod templates that were not checked.

use crate::diagnose::locate::resolve;
use crate::diagnose::remedy::{fix_for_fields, FieldFix};
use crate::manifest::object::ObjectInfo;
use crate::manifest::Node;
use crate::model::diagnostic::{self, Diagnostic, ObjectRef, Related};
use crate::model::field::FieldPath;
use crate::model::problem::{InputRule, LoadProblem};
use crate::model::source::{visible_end, Span};
use crate::policy::Evaluation;
use crate::pss::Violation;
use crate::workload::kinds;
use crate::workload::templates as pod_templates;

use super::text::FileCtx;

impl FileCtx<'_> {
    /// `unchecked-pod-template` for each map shaped like a pod template in an object that no
    /// template path of its kind reaches: a kind psslint does not know, or a configured or
    /// preset kind whose paths miss it. The kinds Pod Security Admission itself evaluates are
    /// not searched: it reads their template only, and the API server drops unknown fields.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn unknown_templates(
        &self,
        root: &Node,
        info: &ObjectInfo,
        node: &Node,
        kind: Option<&kinds::WorkloadKind>,
        templates: &[(FieldPath, &Node)],
        object: &ObjectRef,
        origin: Option<&str>,
    ) -> Vec<Diagnostic> {
        if kind.is_some_and(|k| kinds::is_builtin(&k.group, &k.kind)) {
            return Vec::new();
        }
        let known: Vec<FieldPath> = templates.iter().map(|(p, _)| p.clone()).collect();
        pod_templates::pod_shaped_outside(node, &known)
            .into_iter()
            .map(|(path, _)| {
                let field = path.prefixed(&info.path);
                let why = match kind {
                    // `extensions/v1beta1` DaemonSets and the like: no API server serves them.
                    None if kinds::api_group(&info.api_version) == "extensions"
                        && kinds::builtin_kinds().iter().any(|k| k.kind == info.kind) =>
                    {
                        format!(
                        "Pod Security Admission does not evaluate {} in API group \"extensions\", which API servers no longer serve (the built-in {} is in {:?})",
                            info.kind,
                            info.kind,
                            kinds::builtin_kinds()
                                .iter()
                                .find(|k| k.kind == info.kind)
                                .map_or("", |k| k.group.as_str())
                        )
                    }
                    None => format!(
                        "psslint does not know where {} ({}) keeps pod templates",
                        info.kind, info.api_version
                    ),
                    Some(k) => format!(
                        "no template path of {} reaches it ({})",
                        info.kind,
                        k.templates
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                let shown = if path.is_empty() { ".".to_string() } else { path.to_string() };
                let problem = LoadProblem::new(
                    InputRule::UncheckedPodTemplate,
                    format!(
                        "{} holds a pod template at {shown} that was not checked: {why}",
                        object.display_name()
                    ),
                    Some(resolve(root, &field).span),
                )
                .with_hint(format!(
                    "if its controller creates Pods from it, add it to workloads: in psslint.yaml: `- {{apiVersion: {}, kind: {}, template: \"{}\"}}`",
                    info.api_version,
                    info.kind,
                    pod_templates::generalize(&path)
                ));
                let mut d = self.problem(&problem, origin);
                d.object = Some(object.clone());
                d.field = Some(field.to_string());
                d
            })
            .collect()
    }

    /// `template-not-found`: an object of a configured kind in which no template path
    /// matches, at the object's position.
    pub(super) fn template_not_found(
        &self,
        kind: &kinds::WorkloadKind,
        source: &str,
        node: &Node,
        object: &ObjectRef,
        origin: Option<&str>,
    ) -> Diagnostic {
        let paths = kind
            .templates
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let problem = LoadProblem::new(
            InputRule::TemplateNotFound,
            format!(
                "{} has no pod template at {paths}, the template path configured for {} in {source}; nothing in it was checked",
                object.display_name(),
                kind.kind
            ),
            Some(Span::point(node.span.start)),
        )
        .with_hint("check the path against the object: it starts at the object's root, e.g. spec.template, with [*] for every item of a list");
        let mut d = self.problem(&problem, origin);
        d.object = Some(object.clone());
        d
    }

    pub(super) fn violation(
        &self,
        root: &Node,
        template_path: &FieldPath,
        v: &Violation,
        eval: &Evaluation,
        object: &ObjectRef,
        origin: Option<&str>,
    ) -> Diagnostic {
        let located: Vec<_> = v
            .fields
            .iter()
            .map(|f| {
                let path = f.path.prefixed(template_path);
                let res = resolve(root, &path);
                (f, path, res)
            })
            .collect();
        // One fix for every offending field (#12: each fix clears every field it reports).
        let fix = fix_for_fields(
            v.check,
            located.iter().map(|(f, path, res)| FieldFix {
                path,
                res,
                remedy: &f.remedy,
                container: f.container.as_deref(),
            }),
        );
        let (span, field, container) = match located.first() {
            Some((f, path, res)) => (res.span, Some(path.to_string()), f.container.clone()),
            None => (root.span, None, None),
        };
        let related = located
            .iter()
            .skip(1)
            .map(|(f, path, res)| {
                let end = visible_end(res.span);
                Related {
                    file: self.name.to_string(),
                    line: res.span.start.line,
                    column: res.span.start.col,
                    end_line: end.line,
                    end_column: end.col,
                    field: path.to_string(),
                    container: f.container.clone(),
                }
            })
            .collect();
        let end = visible_end(span);
        Diagnostic {
            rule: v.check.to_string(),
            severity: eval.mode.severity(),
            level: Some(eval.policy.level),
            pss_version: Some(eval.policy.version.to_string()),
            policy: diagnostic::PolicyContext {
                mode: Some(eval.mode),
                source: eval.source.as_deref().map(str::to_owned),
                exception: None,
            },
            reason: Some(v.reason.clone()),
            detail: Some(v.detail.clone()),
            message: v.reason_and_detail(),
            file: self.name.to_string(),
            line: span.start.line,
            column: span.start.col,
            end_line: end.line,
            end_column: end.col,
            origin: origin.map(str::to_owned),
            object: Some(object.clone()),
            field,
            container,
            related,
            fix,
            hint: None,
            snippet: Some(self.snippet(span)),
        }
    }
}
