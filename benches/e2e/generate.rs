//! Deterministic synthetic manifests: a monorepo of Helm-style rendered streams (`# Source:`
//! comments) with workloads, ConfigMaps, Secrets, Services and CRDs with large
//! `openAPIV3Schema`s mixed in, the way real repositories have them; and one big stream made
//! of the same documents. Same seed, same bytes.

use std::fmt::Write as _;
use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// splitmix64: tiny, deterministic, good enough for shapes.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const WORDS: &[&str] = &[
    "the",
    "controller",
    "field",
    "value",
    "must",
    "be",
    "set",
    "when",
    "pod",
    "container",
    "specifies",
    "optional",
    "default",
    "resource",
    "namespace",
    "selector",
    "is",
    "of",
    "and",
    "to",
    "a",
    "which",
    "reconcile",
    "status",
    "condition",
    "observed",
    "generation",
    "label",
    "template",
    "volume",
    "mount",
    "path",
    "secret",
    "key",
    "reference",
    "object",
    "deprecated",
    "use",
    "instead",
    "this",
    "if",
    "not",
    "specified",
    "cluster",
    "scoped",
    "endpoint",
    "port",
];

fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(rng.pick(WORDS));
    }
    s.push('.');
    s
}

fn ident(rng: &mut Rng) -> String {
    let a = rng.pick(WORDS);
    let b = rng.pick(WORDS);
    let mut s = String::from(a);
    let mut c = b.chars();
    if let Some(f) = c.next() {
        s.extend(f.to_uppercase());
        s.push_str(c.as_str());
    }
    s
}

/// A CRD with a schema of about `nodes` properties (controller-gen style: block-scalar
/// descriptions, nested objects and arrays).
pub fn crd(rng: &mut Rng, name: &str, nodes: usize) -> String {
    let mut out = String::new();
    let group = format!("{name}.example.com");
    let _ = write!(
        out,
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  annotations:\n    controller-gen.kubebuilder.io/version: v0.16.1\n  name: widgets.{group}\nspec:\n  group: {group}\n  names:\n    kind: Widget\n    listKind: WidgetList\n    plural: widgets\n    singular: widget\n  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    subresources:\n      status: {{}}\n    schema:\n      openAPIV3Schema:\n        description: {}\n        type: object\n        properties:\n",
        sentence(rng, 8)
    );
    let mut budget = nodes;
    schema_properties(rng, &mut out, 10, 0, &mut budget);
    out
}

fn schema_properties(
    rng: &mut Rng,
    out: &mut String,
    indent: usize,
    depth: usize,
    budget: &mut usize,
) {
    let pad = " ".repeat(indent);
    let count = 3 + rng.below(10);
    let mut used = std::collections::HashSet::new();
    for _ in 0..count {
        if *budget == 0 {
            break;
        }
        *budget -= 1;
        let mut key = ident(rng);
        while !used.insert(key.clone()) {
            key.push('X');
        }
        let _ = writeln!(out, "{pad}{key}:");
        let words = 6 + rng.below(40);
        if words > 25 {
            let _ = writeln!(out, "{pad}  description: |-");
            for _ in 0..1 + rng.below(4) {
                let _ = writeln!(out, "{pad}    {}", sentence(rng, 12));
            }
        } else {
            let _ = writeln!(out, "{pad}  description: {}", sentence(rng, words));
        }
        let nested = depth < 6 && *budget > 0 && rng.chance(30);
        if nested && rng.chance(30) {
            let _ = writeln!(
                out,
                "{pad}  type: array\n{pad}  items:\n{pad}    type: object\n{pad}    properties:"
            );
            schema_properties(rng, out, indent + 6, depth + 1, budget);
        } else if nested {
            let _ = writeln!(out, "{pad}  type: object\n{pad}  properties:");
            schema_properties(rng, out, indent + 4, depth + 1, budget);
            if rng.chance(30) {
                let _ = writeln!(out, "{pad}  required:\n{pad}  - {}", rng.pick(WORDS));
            }
        } else {
            match rng.below(6) {
                0 => {
                    let _ = writeln!(
                        out,
                        "{pad}  type: integer\n{pad}  format: int32\n{pad}  minimum: 0"
                    );
                }
                1 => {
                    let _ = writeln!(out, "{pad}  type: boolean");
                }
                2 => {
                    let _ = writeln!(out, "{pad}  enum:\n{pad}  - Always\n{pad}  - Never\n{pad}  - IfNotPresent\n{pad}  type: string");
                }
                3 => {
                    let _ = writeln!(out, "{pad}  x-kubernetes-preserve-unknown-fields: true");
                }
                _ => {
                    let _ = writeln!(out, "{pad}  type: string");
                }
            }
        }
    }
}

/// A ConfigMap holding a config file (a block scalar) and a few plain keys.
pub fn config_map(rng: &mut Rng, name: &str, lines: usize) -> String {
    let mut out = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}-config\n  labels:\n    app.kubernetes.io/name: {name}\n    app.kubernetes.io/managed-by: Helm\ndata:\n  LOG_LEVEL: info\n  FEATURE_FLAGS: \"a,b,c\"\n  config.yaml: |\n"
    );
    for i in 0..lines {
        let _ = writeln!(
            out,
            "    {}_{i}: {} # {}",
            ident(rng),
            rng.below(100_000),
            sentence(rng, 4)
        );
    }
    out
}

pub fn secret(rng: &mut Rng, name: &str) -> String {
    let mut out = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}-secret\ntype: Opaque\ndata:\n"
    );
    for i in 0..3 + rng.below(5) {
        let blob: String = (0..40 + rng.below(80))
            .map(|_| (b'A' + rng.below(26) as u8) as char)
            .collect();
        let _ = writeln!(out, "  key{i}: {blob}=");
    }
    out
}

pub fn service(rng: &mut Rng, name: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  labels:\n    app.kubernetes.io/name: {name}\nspec:\n  type: ClusterIP\n  ports:\n  - name: http\n    port: {}\n    targetPort: http\n    protocol: TCP\n  selector:\n    app.kubernetes.io/name: {name}\n",
        80 + rng.below(9000)
    )
}

pub fn service_account(name: &str) -> String {
    format!("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n  labels:\n    app.kubernetes.io/name: {name}\n")
}

/// A pod spec at `indent`, with a security posture drawn from compliant to privileged.
fn pod_spec(rng: &mut Rng, out: &mut String, indent: usize, name: &str) {
    let p = " ".repeat(indent);
    let posture = rng.below(10);
    let _ = writeln!(out, "{p}serviceAccountName: {name}");
    if posture == 9 {
        let _ = writeln!(out, "{p}hostNetwork: true\n{p}hostPID: true");
    }
    if posture < 6 {
        let _ = writeln!(out, "{p}securityContext:\n{p}  runAsNonRoot: true\n{p}  runAsUser: 10001\n{p}  fsGroup: 10001\n{p}  seccompProfile:\n{p}    type: RuntimeDefault");
    }
    let _ = writeln!(out, "{p}containers:");
    for c in 0..1 + rng.below(3) {
        let _ = writeln!(out, "{p}- name: {name}-{c}\n{p}  image: \"registry.example.com/{name}:{}.{}.{}\"\n{p}  imagePullPolicy: IfNotPresent", rng.below(5), rng.below(20), rng.below(50));
        let _ = writeln!(
            out,
            "{p}  args:\n{p}  - --port=8080\n{p}  - --log-level=info"
        );
        let _ = writeln!(
            out,
            "{p}  ports:\n{p}  - name: http\n{p}    containerPort: 8080\n{p}    protocol: TCP"
        );
        if posture == 8 {
            let _ = writeln!(out, "{p}    hostPort: 8080");
        }
        let _ = writeln!(out, "{p}  env:");
        for _ in 0..3 + rng.below(12) {
            let _ = writeln!(
                out,
                "{p}  - name: {}\n{p}    value: \"{}\"",
                ident(rng).to_uppercase(),
                rng.below(1000)
            );
        }
        let _ = writeln!(out, "{p}  resources:\n{p}    limits:\n{p}      cpu: 500m\n{p}      memory: 512Mi\n{p}    requests:\n{p}      cpu: 100m\n{p}      memory: 128Mi");
        let _ = writeln!(out, "{p}  livenessProbe:\n{p}    httpGet:\n{p}      path: /healthz\n{p}      port: http\n{p}  readinessProbe:\n{p}    httpGet:\n{p}      path: /ready\n{p}      port: http");
        match posture {
            0..=4 => {
                let _ = writeln!(out, "{p}  securityContext:\n{p}    allowPrivilegeEscalation: false\n{p}    readOnlyRootFilesystem: true\n{p}    capabilities:\n{p}      drop:\n{p}      - ALL");
            }
            5 | 6 => {
                let _ = writeln!(out, "{p}  securityContext:\n{p}    capabilities:\n{p}      add:\n{p}      - NET_ADMIN");
            }
            7 | 9 => {
                let _ = writeln!(out, "{p}  securityContext:\n{p}    privileged: true");
            }
            _ => {}
        }
        let _ = writeln!(
            out,
            "{p}  volumeMounts:\n{p}  - name: config\n{p}    mountPath: /etc/{name}"
        );
    }
    let _ = writeln!(
        out,
        "{p}volumes:\n{p}- name: config\n{p}  configMap:\n{p}    name: {name}-config"
    );
    if posture == 9 {
        let _ = writeln!(
            out,
            "{p}- name: host\n{p}  hostPath:\n{p}    path: /var/run"
        );
    }
}

pub fn workload(rng: &mut Rng, name: &str) -> String {
    let mut out = String::new();
    let meta = format!("metadata:\n  name: {name}\n  labels:\n    app.kubernetes.io/name: {name}\n    app.kubernetes.io/instance: release\n    helm.sh/chart: {name}-1.2.3\n");
    let tmpl = |out: &mut String, indent: usize| {
        let p = " ".repeat(indent);
        let _ = writeln!(out, "{p}template:\n{p}  metadata:\n{p}    labels:\n{p}      app.kubernetes.io/name: {name}\n{p}    annotations:\n{p}      checksum/config: 0123456789abcdef\n{p}  spec:");
    };
    match rng.below(10) {
        0..=5 => {
            let _ = write!(out, "apiVersion: apps/v1\nkind: Deployment\n{meta}spec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: {name}\n");
            tmpl(&mut out, 2);
            pod_spec(rng, &mut out, 6, name);
        }
        6 => {
            let _ = write!(out, "apiVersion: apps/v1\nkind: StatefulSet\n{meta}spec:\n  serviceName: {name}\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: {name}\n");
            tmpl(&mut out, 2);
            pod_spec(rng, &mut out, 6, name);
        }
        7 => {
            let _ = write!(out, "apiVersion: apps/v1\nkind: DaemonSet\n{meta}spec:\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: {name}\n");
            tmpl(&mut out, 2);
            pod_spec(rng, &mut out, 6, name);
        }
        8 => {
            let _ = write!(out, "apiVersion: batch/v1\nkind: CronJob\n{meta}spec:\n  schedule: \"*/5 * * * *\"\n  jobTemplate:\n    spec:\n");
            tmpl(&mut out, 6);
            pod_spec(rng, &mut out, 10, name);
            let _ = writeln!(out, "          restartPolicy: OnFailure");
        }
        _ => {
            let _ = write!(
                out,
                "apiVersion: batch/v1\nkind: Job\n{meta}spec:\n  backoffLimit: 3\n"
            );
            tmpl(&mut out, 2);
            pod_spec(rng, &mut out, 6, name);
            let _ = writeln!(out, "      restartPolicy: Never");
        }
    }
    out
}

/// One chart's rendered stream: the documents of one release, each under its `# Source:`.
pub fn chart_stream(rng: &mut Rng, chart: &str, with_crds: bool) -> String {
    let mut docs: Vec<(String, String)> = Vec::new();
    let src = |t: &str| format!("{chart}/templates/{t}");
    docs.push((src("serviceaccount.yaml"), service_account(chart)));
    if rng.chance(60) {
        docs.push((src("secret.yaml"), secret(rng, chart)));
    }
    let lines = 20 + rng.below(300);
    docs.push((src("configmap.yaml"), config_map(rng, chart, lines)));
    for i in 0..1 + rng.below(3) {
        let name = format!("{chart}-{i}");
        docs.push((src("service.yaml"), service(rng, &name)));
        docs.push((src("workload.yaml"), workload(rng, &name)));
    }
    if with_crds {
        for i in 0..1 + rng.below(3) {
            let nodes = 300 + rng.below(2500);
            docs.push((
                format!("{chart}/crds/crd-{i}.yaml"),
                crd(rng, &format!("{chart}{i}"), nodes),
            ));
        }
    }
    let mut out = String::new();
    for (source, doc) in docs {
        let _ = write!(out, "---\n# Source: {source}\n{doc}");
    }
    out
}

fn values_file(rng: &mut Rng) -> String {
    let mut out = String::from("replicaCount: 2\nimage:\n  repository: registry.example.com/app\n  tag: \"\"\nservice:\n  type: ClusterIP\n  port: 80\nresources: {}\n");
    for _ in 0..rng.below(40) {
        let _ = writeln!(out, "{}: {}", ident(rng), rng.below(100));
    }
    out
}

/// Writes the monorepo under `dir`: `services` charts, each with a rendered stream, values
/// and a kustomization; about one chart in three ships CRDs. Returns the bytes written.
pub fn monorepo(dir: &Path, services: usize, seed: u64) -> io::Result<u64> {
    let mut rng = Rng::new(seed);
    let mut total = 0u64;
    for s in 0..services {
        let chart = format!("svc{s:04}");
        let d = dir.join("services").join(&chart);
        fs::create_dir_all(&d)?;
        let with_crds = s % 3 == 0;
        let files = [
            ("rendered.yaml", chart_stream(&mut rng, &chart, with_crds)),
            ("values.yaml", values_file(&mut rng)),
            (
                "kustomization.yaml",
                "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- rendered.yaml\n".to_string(),
            ),
        ];
        for (name, text) in files {
            total += text.len() as u64;
            fs::write(d.join(name), text)?;
        }
    }
    Ok(total)
}

/// Writes one stream of at least `bytes` bytes: charts rendered back to back.
pub fn big_stream(path: &Path, bytes: u64, seed: u64) -> io::Result<u64> {
    let mut rng = Rng::new(seed);
    let mut out = io::BufWriter::new(fs::File::create(path)?);
    let mut total = 0u64;
    let mut i = 0;
    while total < bytes {
        let text = chart_stream(&mut rng, &format!("chart{i:06}"), i % 3 == 0);
        total += text.len() as u64;
        out.write_all(text.as_bytes())?;
        i += 1;
    }
    out.flush()?;
    Ok(total)
}

/// Writes a stream of `n` empty documents (`---` lines only, 4 bytes each): what a template
/// loop that renders nothing leaves behind, and the shape that once cost memory per document.
pub fn empty_documents(path: &Path, n: u64) -> io::Result<u64> {
    let mut out = io::BufWriter::new(fs::File::create(path)?);
    for _ in 0..n {
        out.write_all(b"---\n")?;
    }
    out.flush()?;
    Ok(4 * n)
}

/// Writes a stream of `n` tiny documents (`a: 1`), each a mapping that is no object.
pub fn tiny_documents(path: &Path, n: u64) -> io::Result<u64> {
    let mut out = io::BufWriter::new(fs::File::create(path)?);
    for _ in 0..n {
        out.write_all(b"a: 1\n---\n")?;
    }
    out.flush()?;
    Ok(9 * n)
}

/// One small Deployment: the pre-commit case.
pub fn small_manifest(path: &Path) -> io::Result<u64> {
    let mut rng = Rng::new(7);
    let text = workload(&mut rng, "web");
    fs::write(path, &text)?;
    Ok(text.len() as u64)
}
