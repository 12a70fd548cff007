//! Criterion: the pure engine on one pod template, at each level (latest version), and the
//! whole path from a parsed Deployment to violations. `cargo bench --bench engine`.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

use psslint::manifest::yaml::{parse_document, ParseOptions};
use psslint::model::level::{Level, MAX_MINOR};
use psslint::pss::{self};
use psslint::workload::extract::extract_pod;
use psslint::workload::kinds::node_at;

/// A Deployment that trips most baseline and restricted checks.
const DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    metadata:
      annotations:
        container.apparmor.security.beta.kubernetes.io/app: unconfined
    spec:
      hostNetwork: true
      hostPID: true
      securityContext:
        sysctls:
        - name: kernel.shm_rmid_forced
          value: "1"
        - name: net.core.somaxconn
          value: "1024"
      containers:
      - name: app
        image: nginx
        ports:
        - containerPort: 80
          hostPort: 80
        securityContext:
          privileged: true
          capabilities:
            add: [NET_ADMIN, SYS_TIME]
          seLinuxOptions:
            type: spc_t
      - name: sidecar
        image: envoy
        securityContext:
          allowPrivilegeEscalation: false
          runAsNonRoot: true
          capabilities:
            drop: [ALL]
          seccompProfile:
            type: RuntimeDefault
      volumes:
      - name: host
        hostPath:
          path: /var/run
"#;

fn engine(c: &mut Criterion) {
    let root = parse_document(DEPLOYMENT, 1, &ParseOptions::default())
        .root
        .expect("a document");
    let template = node_at(
        &root,
        &psslint::model::field::FieldPath::parse("spec.template"),
    )
    .expect("template");
    let (pod, _) = extract_pod(template, false);
    let mut group = c.benchmark_group("engine");
    for level in Level::ALL {
        group.bench_function(format!("evaluate/{}", level.as_str()), |b| {
            b.iter(|| pss::evaluate(black_box(&pod), level, MAX_MINOR))
        });
    }
    group.bench_function("extract+evaluate/restricted", |b| {
        b.iter(|| {
            let (pod, _) = extract_pod(black_box(template), false);
            pss::evaluate(&pod, Level::Restricted, MAX_MINOR)
        })
    });
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
