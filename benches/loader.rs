//! Criterion: the loader in MB/s on a Helm-style stream (real corpus file when `../shared` is
//! present, else a built-in one): splitting, the fast path, the full tree, and the bare
//! saphyr-parser event pass they are measured against. `cargo bench --bench loader`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

use psslint::lint::lint_bytes;

use psslint::lint::options::LintOptions;
use psslint::manifest::skim::skim;
use psslint::manifest::split::split_stream;
use psslint::manifest::yaml::{parse_document, ParseOptions};
use psslint::model::level::{Level, Version};
use psslint::policy::Policy;
use saphyr_parser::Parser;

const CORPUS_FILE: &str = "../shared/corpus/argoproj__argo-cd/manifests/install.yaml";

/// A stream with CRDs, ConfigMaps and workloads.
fn stream() -> (String, &'static str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(CORPUS_FILE);
    if let Ok(text) = std::fs::read_to_string(&path) {
        return (text, "argo-cd install.yaml");
    }
    let mut text = String::new();
    for i in 0..200 {
        text.push_str(&format!(
            "---\n# Source: chart/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\ndata:\n  config.yaml: |\n    a: 1\n    b: [1, 2, 3]\n---\n# Source: chart/templates/deploy.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d{i}\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: nginx\n        securityContext:\n          runAsNonRoot: true\n"
        ));
    }
    (text, "built-in stream")
}

fn loader(c: &mut Criterion) {
    let (text, name) = stream();
    let opts = ParseOptions::default();
    let lint = LintOptions::new(Policy::forced(Level::Restricted, Version::Latest));
    let needs_tree = |k: &str| lint.needs_tree(k);
    let (chunks, _) = split_stream(&text);
    let mut group = c.benchmark_group(format!("loader ({name})"));
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(10);
    group.bench_function("events (floor)", |b| {
        b.iter(|| {
            let mut p = Parser::new_from_str(black_box(&text));
            let mut n = 0u64;
            while let Some(Ok(ev)) = p.next_event() {
                black_box(&ev);
                n += 1;
            }
            n
        })
    });
    group.bench_function("split", |b| {
        b.iter(|| split_stream(black_box(&text)).0.len())
    });
    group.bench_function("skim", |b| {
        b.iter(|| {
            chunks
                .iter()
                .map(|c| skim(c.text, &opts, &needs_tree))
                .filter(|s| *s != psslint::manifest::skim::Skim::Parse)
                .count()
        })
    });
    group.bench_function("tree", |b| {
        b.iter(|| {
            chunks
                .iter()
                .map(|c| parse_document(c.text, c.start_line, &opts).problems.len())
                .sum::<usize>()
        })
    });
    group.bench_function("lint_bytes (1 thread)", |b| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("pool");
        b.iter(|| {
            pool.install(|| {
                lint_bytes("s.yaml", black_box(text.as_bytes()), &lint)
                    .diagnostics
                    .len()
            })
        })
    });
    group.finish();
}

criterion_group!(benches, loader);
criterion_main!(benches);
