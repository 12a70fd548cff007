//! Real-world manifests (`../shared/corpus`, see its SOURCES.md): every file lints without a
//! panic; unrendered Helm templates get a hint to run `helm template`; files that are not
//! Kubernetes objects are skipped and counted. Skipped with a message when the corpus is absent.

mod support;

use std::path::{Path, PathBuf};

use psslint::input::discover::{discover, DiscoverOptions};

use psslint::input::Input;
use psslint::lint::lint_inputs;
use psslint::lint::options::LintOptions;
use psslint::model::level::{Level, Version};
use psslint::policy::Policy;

fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    p.is_dir().then_some(p)
}

fn read(input: &Input) -> Result<Vec<u8>, String> {
    match input {
        Input::File(p) => std::fs::read(p).map_err(|e| e.to_string()),
        Input::Stdin => Ok(Vec::new()),
    }
}

#[test]
fn the_whole_corpus_lints_without_panics() {
    let Some(root) = corpus() else {
        support::skipped("../shared/corpus not found");
        return;
    };
    let found = discover(
        std::slice::from_ref(&root),
        &DiscoverOptions {
            no_ignore: true,
            follow: false,
            threads: 2,
        },
    )
    .unwrap();
    assert!(
        found.inputs.len() > 3000,
        "corpus has {} files",
        found.inputs.len()
    );
    let opts = LintOptions::new(Policy::forced(Level::Restricted, Version::Latest));
    let report = lint_inputs(&found.inputs, &opts, read);
    let s = &report.summary;
    println!(
        "corpus: {} files, {} documents, {} objects, {} pod templates, {} skipped, {} errors, {} warnings",
        s.files, s.documents, s.objects, s.pod_templates, s.skipped, s.errors, s.warnings
    );
    assert!(s.pod_templates > 1000, "expected many pod templates");

    // Every unrendered template is reported with the hint, never linted as if it were valid.
    let unrendered: Vec<_> = found
        .inputs
        .iter()
        .map(Input::display)
        .filter(|f| f.contains("templates-unrendered/"))
        .collect();
    assert!(!unrendered.is_empty());
    let mut without_note = Vec::new();
    for f in &unrendered {
        let hinted = report
            .diagnostics
            .iter()
            .any(|d| &d.file == f && (d.rule == "unrendered-template" || d.rule == "parse-error"));
        if !hinted {
            without_note.push(f.clone());
        }
    }
    // A few Go-templated files are still valid YAML (templates only inside strings); they are
    // linted as what they are. Most must be flagged.
    let flagged = unrendered.len() - without_note.len();
    println!(
        "unrendered templates: {flagged}/{} flagged; valid YAML despite templating: {without_note:?}",
        unrendered.len()
    );
    assert!(flagged * 10 >= unrendered.len() * 9);
    for d in report
        .diagnostics
        .iter()
        .filter(|d| d.rule == "unrendered-template")
    {
        assert!(
            d.hint
                .as_deref()
                .is_some_and(|h| h.contains("helm template")),
            "{d:?}"
        );
    }

    // Outside templates-unrendered, input errors are rare and each names a position.
    for d in report
        .diagnostics
        .iter()
        .filter(|d| d.level.is_none() && !d.file.contains("templates-unrendered/"))
    {
        assert!(d.line >= 1 && d.column >= 1, "{d:?}");
    }
}
