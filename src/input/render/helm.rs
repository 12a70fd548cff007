//! Helm charts: `helm template RELEASE CHART` with the run's values, `--set` and
//! `--set-string`, release name and namespace. The chart's dependency state is left as the
//! user has it (psslint never runs `helm dependency build`: a chart whose `charts/` is
//! missing a dependency fails to render with Helm's own message).

use std::path::{Component, Path, PathBuf};
use std::process::Command;

use super::common::{arg, output_text, RenderOptions, Rendered, Tool, CHART_FILE};
use super::process;
use crate::input::display_path;
use crate::model::problem::LoadProblem;

/// The program run.
pub const HELM: &str = "helm";

/// `helm template …` for `chart`, as argv (the program first).
pub fn command(chart: &Path, opts: &RenderOptions) -> Vec<String> {
    let mut argv = vec![
        HELM.to_string(),
        "template".to_string(),
        opts.release_name.clone(),
        arg(chart),
    ];
    if opts.namespace != "default" {
        argv.extend(["--namespace".to_string(), opts.namespace.clone()]);
    }
    for v in values_files(chart, opts) {
        argv.extend(["--values".to_string(), arg(&v)]);
    }
    for s in &opts.set {
        argv.extend(["--set".to_string(), s.clone()]);
    }
    for s in &opts.set_string {
        argv.extend(["--set-string".to_string(), s.clone()]);
    }
    argv
}

/// The values files `helm template` gets for `chart`, in order: the chart's own from
/// psslint.yaml (`charts:`), then `--values`.
pub fn values_files(chart: &Path, opts: &RenderOptions) -> Vec<PathBuf> {
    let per_chart = std::fs::canonicalize(chart)
        .ok()
        .and_then(|c| opts.chart_values.get(&c));
    per_chart
        .into_iter()
        .flatten()
        .chain(&opts.values)
        .cloned()
        .collect()
}

/// Renders the chart at `chart`.
pub fn render(chart: &Path, opts: &RenderOptions) -> Result<Rendered, LoadProblem> {
    let argv = command(chart, opts);
    let line = process::shell_line(&argv);
    let what = format!("chart {}", display_path(chart));
    let outcome = process::run(
        Command::new(&argv[0]).args(&argv[1..]),
        opts.timeout,
        opts.max_output,
    )
    .map_err(|e| match e {
        process::RunError::NotFound => super::common::unavailable(&what, "helm", &line),
        other => super::common::run_problem(&what, &line, other),
    })?;
    let text = output_text(&what, &line, outcome, opts)?;
    Ok(Rendered {
        display: display_path(chart),
        dir: chart.to_path_buf(),
        tool: Tool::Helm,
        command: line,
        text: text.into(),
        origins: None,
    })
}

/// The chart a named file belongs to, when it is one of the chart's own sources: its
/// `Chart.yaml`, `Chart.lock`, a `values*.yaml` or `values.schema.json` at its root, or a
/// file under its `templates/` or `charts/` (a subchart's files belong to the outermost chart
/// that holds it in `charts/`). A rendered example committed inside a chart directory is not
/// a source: it is linted as the file it is.
pub fn chart_of(file: &Path) -> Option<PathBuf> {
    let mut found: Option<PathBuf> = None;
    let mut below: Vec<std::ffi::OsString> = Vec::new();
    let dot = |p: &'_ Path| -> PathBuf {
        if p.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            p.to_path_buf()
        }
    };
    let mut dir = file.parent().map(dot);
    let file_name = file.file_name()?.to_str()?;
    while let Some(d) = dir.as_deref() {
        // `below`: the components from `d` down to the file's directory, top first.
        if d.join(CHART_FILE).is_file() {
            let source = match below.last() {
                None => is_root_source(file_name),
                Some(first) => first == "templates" || first == "charts",
            };
            let nested = found.is_some() && below.last().is_some_and(|f| f == "charts");
            if (found.is_none() && source) || nested {
                found = Some(d.to_path_buf());
            } else if found.is_some() {
                break;
            }
        }
        match d.components().next_back() {
            Some(Component::Normal(name)) => below.push(name.to_os_string()),
            _ => break,
        }
        dir = d.parent().map(dot);
    }
    found
}

/// Whether the chart at `chart` is a library chart (`type: library` in its `Chart.yaml`):
/// Helm refuses to render one by itself.
pub fn is_library(chart: &Path) -> bool {
    let Ok(bytes) = std::fs::read(chart.join(CHART_FILE)) else {
        return false;
    };
    let Ok(text) = crate::manifest::decode::decode(&bytes) else {
        return false;
    };
    let parsed = crate::manifest::yaml::parse_document(
        text,
        1,
        &crate::manifest::yaml::ParseOptions::default(),
    );
    parsed
        .root
        .as_ref()
        .and_then(|r| r.get("type"))
        .and_then(crate::manifest::Node::as_str)
        == Some("library")
}

fn is_root_source(name: &str) -> bool {
    name == CHART_FILE
        || name == "Chart.lock"
        || name == "values.schema.json"
        || (name.starts_with("values") && (name.ends_with(".yaml") || name.ends_with(".yml")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_carries_every_flag_in_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let chart = dir.path().join("charts/web");
        std::fs::create_dir_all(&chart).expect("mkdir");
        let mut opts = RenderOptions {
            values: vec![PathBuf::from("prod.yaml"), PathBuf::from("eu west.yaml")],
            set: vec!["image.tag=1.2".into()],
            set_string: vec!["a=b".into()],
            release_name: "web".into(),
            namespace: "shop".into(),
            ..RenderOptions::default()
        };
        opts.chart_values.insert(
            std::fs::canonicalize(&chart).expect("canonical"),
            vec![PathBuf::from("charts/web/ci/a.yaml")],
        );
        let argv = command(&chart, &opts);
        assert_eq!(argv[..3], ["helm", "template", "web"]);
        assert_eq!(
            process::shell_line(&argv[4..]),
            "--namespace shop --values charts/web/ci/a.yaml --values prod.yaml \
             --values 'eu west.yaml' --set image.tag=1.2 --set-string a=b"
        );
        let plain = command(Path::new("c"), &RenderOptions::default());
        assert_eq!(plain, ["helm", "template", "release-name", "c"]);
    }

    #[test]
    fn library_charts_are_no_inputs() {
        let dir = tempfile::tempdir().expect("tempdir");
        let write = |text: &str| std::fs::write(dir.path().join(CHART_FILE), text).unwrap();
        write("apiVersion: v2\nname: common\ntype: library\nversion: 1.0.0\n");
        assert!(is_library(dir.path()));
        assert_eq!(super::super::tool_for(dir.path()), None);
        write("apiVersion: v2\nname: web\ntype: application\nversion: 1.0.0\n");
        assert!(!is_library(dir.path()));
        assert_eq!(super::super::tool_for(dir.path()), Some(Tool::Helm));
    }

    #[test]
    fn chart_sources_map_to_their_chart() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let write = |rel: &str| {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x: 1\n").unwrap();
        };
        write("charts/web/Chart.yaml");
        write("charts/web/values.yaml");
        write("charts/web/templates/deploy.yaml");
        write("charts/web/templates/_helpers.tpl");
        write("charts/web/examples/a/rendered/deploy.yaml");
        write("charts/web/charts/db/Chart.yaml");
        write("charts/web/charts/db/templates/sts.yaml");
        write("other/deploy.yaml");
        let web = Some(root.join("charts/web"));
        for rel in [
            "charts/web/Chart.yaml",
            "charts/web/values.yaml",
            "charts/web/templates/deploy.yaml",
            "charts/web/templates/_helpers.tpl",
            "charts/web/charts/db/Chart.yaml",
            "charts/web/charts/db/templates/sts.yaml",
        ] {
            assert_eq!(chart_of(&root.join(rel)), web, "{rel}");
        }
        assert_eq!(
            chart_of(&root.join("charts/web/examples/a/rendered/deploy.yaml")),
            None
        );
        assert_eq!(chart_of(&root.join("other/deploy.yaml")), None);
    }
}
