//! psslint decodes manifests exactly as the API server does: every document of testdata/,
//! ../shared/corpus and a deterministic generated set rich in YAML 1.1 quirks is decoded by
//! psslint and by the real decoders (tools/yaml-oracle: kubectl's splitting, sigs.k8s.io/yaml
//! over go-yaml v2), and the JSON objects must be the same, byte for byte in canonical form;
//! where one side rejects a document, so must the other. Says SKIPPED when Go or Debian's Go
//! YAML packages are missing (`tools/yaml-oracle/build.sh --install` installs them).

#[path = "../support/mod.rs"]
mod support;

mod compare;
mod gen;

use std::path::{Path, PathBuf};

use compare::{compare, known, oracle, run_oracle, Difference};

fn yaml_files(root: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
        {
            out.push(p);
        }
    }
}

/// The differences over `files` that are neither judged acceptable nor known; the others are
/// counted per reason on standard error, so every run shows them.
fn differences(files: &[PathBuf]) -> Vec<Difference> {
    let go = run_oracle(files);
    let mut diffs = Vec::new();
    let mut known_counts: std::collections::BTreeMap<&str, usize> = Default::default();
    let mut documents = 0;
    for f in files {
        let name = f.to_string_lossy().into_owned();
        let bytes = std::fs::read(f).expect("read");
        let records = go.get(&name).map(Vec::as_slice).unwrap_or(&[]);
        documents += records.iter().filter(|r| r.doc.is_some()).count();
        let text = String::from_utf8_lossy(&bytes);
        for d in compare(&name, &bytes, records) {
            match known(&d, &text) {
                Some(reason) => *known_counts.entry(reason).or_default() += 1,
                None => diffs.push(d),
            }
        }
    }
    eprintln!(
        "oracle: {} files, {documents} documents compared",
        files.len()
    );
    for (reason, n) in known_counts {
        eprintln!("oracle: {n} differences {reason}");
    }
    diffs
}

fn full_report(diffs: &[Difference]) -> String {
    diffs
        .iter()
        .map(|d| {
            format!(
                "{}:{}: {}\n    {}\n",
                d.file,
                d.line,
                d.kind,
                d.detail.replace('\n', "\n    ")
            )
        })
        .collect()
}

fn report(diffs: &[Difference]) -> String {
    let mut out = format!("{} differences\n", diffs.len());
    for d in diffs.iter().take(40) {
        out.push_str(&format!(
            "{}:{}: {}\n    {}\n",
            d.file,
            d.line,
            d.kind,
            d.detail.replace('\n', "\n    ")
        ));
    }
    out
}

#[test]
fn testdata_and_corpus_decode_as_the_api_server_does() {
    if let Err(why) = oracle() {
        support::skipped(&why);
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    yaml_files(&root.join("testdata"), &mut files);
    let corpus = root.join("../shared/corpus");
    if corpus.is_dir() {
        yaml_files(&corpus, &mut files);
    } else {
        support::skipped("../shared/corpus not found: testdata only");
    }
    let diffs = differences(&files);
    if let Ok(path) = std::env::var("ORACLE_REPORT") {
        std::fs::write(path, full_report(&diffs)).expect("write report");
    }
    assert!(diffs.is_empty(), "{}", report(&diffs));
}

/// How many generated files the test compares (a few seconds per thousand). `ORACLE_CASES`
/// overrides it, `ORACLE_SEED` moves the window of seeds.
fn generated_count() -> u64 {
    std::env::var("ORACLE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4000)
}

#[test]
fn generated_documents_decode_as_the_api_server_does() {
    if let Err(why) = oracle() {
        support::skipped(&why);
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let first: u64 = std::env::var("ORACLE_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let files: Vec<PathBuf> = (first..first + generated_count())
        .map(|seed| {
            let path = dir.path().join(format!("case-{seed:06}.yaml"));
            std::fs::write(&path, gen::file(seed)).expect("write case");
            path
        })
        .collect();
    let diffs = differences(&files);
    if let Ok(path) = std::env::var("ORACLE_REPORT") {
        std::fs::write(path, full_report(&diffs)).expect("write report");
    }
    if let Ok(keep) = std::env::var("ORACLE_KEEP") {
        std::fs::create_dir_all(&keep).expect("keep dir");
        for d in &diffs {
            let from = Path::new(&d.file);
            let _ = std::fs::copy(from, Path::new(&keep).join(from.file_name().expect("name")));
        }
    }
    assert!(diffs.is_empty(), "{}", report(&diffs));
}
