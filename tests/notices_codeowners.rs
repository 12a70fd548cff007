//! `psslint notices --codeowners`: notices grouped by the owners of each workload's file under
//! GitHub's CODEOWNERS rules, an owner annotation winning over them, unowned workloads listed.
//! (The pattern semantics themselves are tested rule by rule in `notices::codeowners`.)

mod common;

use std::fs;
use std::path::Path;

use common::Run;
use serde_json::Value;

fn run_in(dir: &Path, args: &[&str]) -> Run {
    common::run_in(dir, args, None)
}

const CODEOWNERS: &str = "\
# The platform team owns what nobody else claims.
*                  @acme/platform
/apps/             @acme/apps
apps/shop.yaml     @acme/shop alice@example.com   # the shop's own file
/chart/            # rendered charts: nobody
\\#not-a-pattern    @acme/nobody
apps/[a-z]*.yaml   @acme/ranges
";

/// The rollout fixture in a repository with a CODEOWNERS file.
fn repo() -> tempfile::TempDir {
    let dir = common::temp_repo();
    common::copy_dir(&common::testdata("rollout"), dir.path());
    common::write_file(dir.path(), ".github/CODEOWNERS", CODEOWNERS);
    dir
}

fn notices(dir: &Path, extra: &[&str], paths: &[&str]) -> Run {
    let mut args = vec![
        "notices",
        "--format",
        "json",
        "--admission-config",
        "admission.yaml",
        "--today",
        "2026-03-20",
        "--deadline",
        "2026-06-30",
        "--contact",
        "Platform <platform@example.com>",
    ];
    args.extend_from_slice(extra);
    args.extend_from_slice(paths);
    run_in(dir, &args)
}

/// `owners -> [(Kind/name, owner_source)]`.
fn groups(run: &Run) -> Vec<(String, Vec<(String, String)>)> {
    let v: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr));
    v["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            let d = n;
            (
                d["group_description"].as_str().unwrap().to_string(),
                d["workloads"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|w| {
                        (
                            format!(
                                "{}/{}",
                                w["kind"].as_str().unwrap(),
                                w["name"].as_str().unwrap()
                            ),
                            w["owner_source"].as_str().unwrap().to_string(),
                        )
                    })
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn notices_go_to_the_owners_of_each_workloads_file() {
    let dir = repo();
    let run = notices(dir.path(), &["--codeowners", ".github/CODEOWNERS"], &["."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let g = groups(&run);
    let by: Vec<&str> = g.iter().map(|(d, _)| d.as_str()).collect();
    assert_eq!(
        by,
        [
            "owners @acme/apps",
            "owners @acme/shop alice@example.com",
            "workloads without owners"
        ],
        "{g:?}"
    );
    // The last matching rule wins: apps/shop.yaml is the shop's, the other apps the apps team's.
    assert_eq!(
        g[1].1,
        [(
            "DaemonSet/log-agent".to_string(),
            ".github/CODEOWNERS:4".to_string()
        )]
    );
    assert!(
        g[0].1.iter().all(|(_, s)| s == ".github/CODEOWNERS:3"),
        "{g:?}"
    );
    assert!(g[0].1.iter().any(|(w, _)| w == "Rollout/checkout"));
    // A rule without owners leaves its files unowned; they are listed.
    assert_eq!(
        g[2].1,
        [(
            "Deployment/api".to_string(),
            ".github/CODEOWNERS:5, a rule without owners".to_string()
        )]
    );
    assert!(
        run.stderr
            .contains("psslint: unowned: Deployment/api (chart/rendered.yaml:9)"),
        "{}",
        run.stderr
    );
    // Lines GitHub rejects are skipped and said so: `\#` escapes nothing, `[ ]` is no range.
    assert!(
        run.stderr
            .contains(".github/CODEOWNERS:6: `\\#` does not escape"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains(".github/CODEOWNERS:7: \"apps/[a-z]*.yaml\": character ranges"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_owner_annotation_wins_over_codeowners() {
    let dir = repo();
    let shop = dir.path().join("apps/shop.yaml");
    let text = fs::read_to_string(&shop).unwrap().replace(
        "  name: log-agent\n  namespace: shop\n",
        "  name: log-agent\n  namespace: shop\n  annotations:\n    psslint.dev/owner: \"@acme/observability, bob@example.com\"\n",
    );
    fs::write(&shop, text).unwrap();
    let run = notices(dir.path(), &["--codeowners", ".github/CODEOWNERS"], &["."]);
    let g = groups(&run);
    let agent = g
        .iter()
        .find(|(_, ws)| ws.iter().any(|(w, _)| w == "DaemonSet/log-agent"))
        .unwrap();
    assert_eq!(agent.0, "owners @acme/observability bob@example.com");
    assert_eq!(agent.1[0].1, "annotation psslint.dev/owner");

    // Another key, named with --owner-annotation.
    let run = notices(
        dir.path(),
        &[
            "--codeowners",
            ".github/CODEOWNERS",
            "--owner-annotation",
            "example.com/team",
        ],
        &["."],
    );
    let g = groups(&run);
    assert!(g
        .iter()
        .any(|(d, ws)| d == "owners @acme/shop alice@example.com"
            && ws.iter().any(|(w, _)| w == "DaemonSet/log-agent")));
}

#[test]
fn paths_are_relative_to_the_repository_not_the_working_directory() {
    let dir = repo();
    let apps = dir.path().join("apps");
    let mut args = vec![
        "notices",
        "--format",
        "json",
        "--admission-config",
        "../admission.yaml",
        "--config",
        "../psslint.yaml",
        "--today",
        "2026-03-20",
        "--deadline",
        "2026-06-30",
        "--contact",
        "x",
        "--codeowners",
        "../.github/CODEOWNERS",
    ];
    args.extend(["shop.yaml", "../namespaces.yaml"]);
    let run = run_in(&apps, &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let g = groups(&run);
    assert_eq!(g[0].0, "owners @acme/shop alice@example.com", "{g:?}");

    // A file outside the repository has no owner.
    let outside = tempfile::tempdir().unwrap();
    fs::copy(
        dir.path().join("apps/shop.yaml"),
        outside.path().join("shop.yaml"),
    )
    .unwrap();
    let codeowners = dir.path().join(".github/CODEOWNERS");
    let run = run_in(
        outside.path(),
        &[
            "notices",
            "--format",
            "json",
            "--no-config",
            "--deadline",
            "2026-06-30",
            "--contact",
            "x",
            "--codeowners",
            codeowners.to_str().unwrap(),
            "shop.yaml",
        ],
    );
    let g = groups(&run);
    assert_eq!(g.len(), 1, "{g:?}");
    assert_eq!(g[0].0, "workloads without owners");
    assert!(g[0].1[0].1.contains("is outside the repository"), "{g:?}");
}

#[test]
fn codeowners_is_a_grouping_of_its_own() {
    let dir = repo();
    let run = notices(
        dir.path(),
        &[
            "--codeowners",
            ".github/CODEOWNERS",
            "--group-by",
            "label:team",
        ],
        &["."],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    let run = notices(dir.path(), &["--codeowners", "nope/CODEOWNERS"], &["."]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("nope/CODEOWNERS: cannot read"),
        "{}",
        run.stderr
    );

    // Markdown notices say who owns each workload and why.
    let out = dir.path().join("out");
    let run = run_in(
        dir.path(),
        &[
            "notices",
            "--admission-config",
            "admission.yaml",
            "--today",
            "2026-03-20",
            "--deadline",
            "2026-06-30",
            "--contact",
            "x",
            "--codeowners",
            ".github/CODEOWNERS",
            "--out-dir",
            out.to_str().unwrap(),
            ".",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let shop = fs::read_to_string(out.join("acme-shop-alice-example.com.md")).unwrap();
    assert!(
        shop.contains("**For:** owners @acme/shop alice@example.com"),
        "{shop}"
    );
    assert!(
        shop.contains(
            "\n\nOwners: @acme/shop, alice@example.com (from .github/CODEOWNERS:4).\n\n1. "
        ),
        "{shop}"
    );
    let unowned = fs::read_to_string(out.join("unowned.md")).unwrap();
    assert!(
        unowned.contains("No owner: .github/CODEOWNERS:5, a rule without owners."),
        "{unowned}"
    );
}
