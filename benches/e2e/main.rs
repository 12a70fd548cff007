//! End-to-end benchmark: the release binary over real and generated inputs, against the floor of
//! a bare single-threaded `saphyr-parser` event pass over the same bytes.
//!
//! Run with `cargo bench --bench e2e` (or `scripts/bench.sh`). It generates its data under
//! `target/bench-data/` (deterministic), then for each data set reports throughput (MB/s,
//! documents/s, pod templates/s), the child's peak memory (max RSS from `wait4`) and the ratio
//! of psslint's throughput to the floor's, measured in the same run. Environment:
//!
//! * `PSSLINT_BENCH_RUNS` (default 3): timed runs per configuration; the best is reported.
//! * `PSSLINT_BENCH_SCALE` (default 1): multiplies the generated data sizes.
//! * `PSSLINT_BENCH_HUGE_MB` (default off): also generate a stream of this many MB and report
//!   psslint's peak memory on it (with `--max-file-size` raised to fit).
//! * `PSSLINT_BENCH_ONLY` (default: all): a comma-separated subset of `corpus`, `monorepo`,
//!   `big`, `empty` (20 M empty documents × scale), `tiny` (2 M `a: 1` documents × scale),
//!   `huge`, `startup`.
//! * `PSSLINT_BENCH_BIN` (default: the binary cargo built for this bench): another psslint to
//!   time, e.g. an older build for before/after figures. Rows that need flags it lacks
//!   (`--no-fast-path`, `--timings`) are left out or shown as n/a.

mod generate;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use psslint::input::discover::{discover, DiscoverOptions};

use psslint::input::Input;
use saphyr_parser::Parser;

fn bin() -> String {
    std::env::var("PSSLINT_BENCH_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_psslint").into())
}

/// Whether the binary accepts a flag (older builds lack `--no-fast-path`, `--timings`).
fn supports(flag: &str) -> bool {
    Command::new(bin())
        .args([flag, "--format", "json", "-"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.code() != Some(2))
}

fn env_num(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One run of the binary: wall time and the child's peak resident memory.
struct Run {
    wall: Duration,
    /// User + system CPU time of the child (all threads).
    cpu: Duration,
    max_rss_kb: u64,
}

/// Runs `psslint args…` with output discarded; see [`run_measured`].
fn run_binary(args: &[String]) -> Run {
    let (run, status) = run_program(&bin(), args);
    assert!(
        status == 0 || status == 1,
        "psslint exited with {status}: {args:?}"
    );
    run
}

/// Runs `program args…` through a fresh copy of this executable ([`RUNNER`]), which spawns it
/// and reports its wall time and peak RSS. Linux seeds a child's max RSS with the high-water
/// mark of the process it was spawned from (the address space it `exec`s away from), so
/// spawning from this process, which holds whole data sets in memory, would report our peak
/// instead of psslint's. The runner is small.
fn run_program(program: &str, args: &[String]) -> (Run, i32) {
    let out = Command::new(std::env::current_exe().expect("current exe"))
        .arg(RUNNER)
        .arg(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("spawn runner");
    let text = String::from_utf8_lossy(&out.stdout);
    let nums: Vec<i64> = text
        .split_whitespace()
        .filter_map(|t| t.parse().ok())
        .collect();
    assert_eq!(nums.len(), 4, "runner said {text:?}");
    (
        Run {
            wall: Duration::from_nanos(nums[0] as u64),
            cpu: Duration::from_nanos(nums[1] as u64),
            max_rss_kb: nums[2] as u64,
        },
        nums[3] as i32,
    )
}

/// The first argument that makes this executable a runner (see [`run_program`]).
const RUNNER: &str = "--psslint-bench-runner";

/// Runner mode: spawn `args[0] args[1..]` with output discarded, wait with `wait4`, print
/// "wall_ns cpu_ns max_rss_kb exit_code".
#[allow(clippy::zombie_processes)] // reaped by `wait4`, which also yields its rusage
fn runner(args: &[String]) {
    let start = Instant::now();
    let child = Command::new(&args[0])
        .args(&args[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let (status, cpu, rss) = wait4(child.id());
    let wall = start.elapsed();
    println!("{} {} {rss} {status}", wall.as_nanos(), cpu.as_nanos());
}

/// Waits for `pid`; returns its exit code, CPU time and max RSS in KB.
fn wait4(pid: u32) -> (i32, Duration, u64) {
    let mut status = 0;
    // SAFETY: `rusage` is plain data; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(r, pid as libc::pid_t, "wait4 failed");
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    (
        code,
        tv(usage.ru_utime) + tv(usage.ru_stime),
        usage.ru_maxrss as u64,
    )
}

/// Counts from one psslint run with `--format json --timings`.
#[derive(Default)]
struct Counts {
    files: u64,
    documents: u64,
    pod_templates: u64,
    /// `None` when the binary has no `--timings`.
    fast_skipped: Option<u64>,
}

fn counts(paths: &[String]) -> Counts {
    let mut args = vec![
        "--format".to_string(),
        "json".into(),
        "--timings".into(),
        "--fail-on".into(),
        "never".into(),
        "--max-file-size".into(),
        (u64::MAX / 2).to_string(),
    ];
    args.extend(paths.iter().cloned());
    if !supports("--timings") {
        args.retain(|a| a != "--timings");
    }
    let out = Command::new(bin())
        .args(&args)
        .output()
        .expect("run psslint");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let s = &json["summary"];
    let num = |k: &str| s[k].as_u64().unwrap_or(0);
    let mut c = Counts {
        files: num("files"),
        documents: num("documents"),
        pod_templates: num("pod_templates"),
        ..Counts::default()
    };
    // "timings: N files, B bytes, D documents (C chunks, K skipped by the fast path)"
    let stderr = String::from_utf8_lossy(&out.stderr);
    if let Some(line) = stderr.lines().find(|l| l.contains(" bytes, ")) {
        let nums: Vec<u64> = line
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|t| t.parse().ok())
            .collect();
        if nums.len() >= 5 {
            c.fast_skipped = Some(nums[4]);
        }
    }
    c
}

/// The files psslint reads for `paths` (same walk as the CLI).
fn files_of(paths: &[PathBuf]) -> Vec<PathBuf> {
    let found = discover(
        paths,
        &DiscoverOptions {
            no_ignore: false,
            follow: false,
            threads: 2,
        },
    )
    .expect("walk");
    found
        .inputs
        .into_iter()
        .filter_map(|i| match i {
            Input::File(p) => Some(p),
            Input::Stdin => None,
        })
        .collect()
}

/// CPU time of the calling thread (unaffected by waiting for a CPU on a busy machine).
fn thread_cpu() -> Duration {
    // SAFETY: plain data filled by the kernel.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// The floor: one thread iterating every `saphyr-parser` event of every file, files already in
/// memory. Returns the best wall time, the best CPU time and the bytes parsed.
fn floor(files: &[PathBuf], runs: usize) -> (Duration, Duration, u64) {
    // The files are read from disk (the page cache, warm) inside the timed loop, as psslint
    // must read them.
    let read = |p: &PathBuf| {
        let b = std::fs::read(p).ok()?;
        let b = b
            .strip_prefix(b"\xEF\xBB\xBF")
            .map(<[u8]>::to_vec)
            .unwrap_or(b);
        String::from_utf8(b).ok()
    };
    let bytes = files.iter().filter_map(read).map(|t| t.len() as u64).sum();
    let mut best = Duration::MAX;
    let mut best_cpu = Duration::MAX;
    for _ in 0..runs {
        let start = Instant::now();
        let cpu = thread_cpu();
        let mut events = 0u64;
        for t in files.iter().filter_map(read) {
            let mut parser = Parser::new_from_str(&t);
            while let Some(Ok(ev)) = parser.next_event() {
                std::hint::black_box(&ev);
                events += 1;
            }
        }
        std::hint::black_box(events);
        best = best.min(start.elapsed());
        best_cpu = best_cpu.min(thread_cpu() - cpu);
    }
    (best, best_cpu, bytes)
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

struct DataSet {
    name: &'static str,
    paths: Vec<PathBuf>,
    /// The YAML documents in it when psslint's count (objects' documents) leaves some out:
    /// empty documents are none to psslint.
    documents: Option<u64>,
}

/// Times psslint on one data set in each configuration; prints a Markdown table.
fn bench(set: &DataSet, runs: usize, threads: usize) {
    let paths: Vec<String> = set.paths.iter().map(|p| p.display().to_string()).collect();
    let files = files_of(&set.paths);
    let mut c = counts(&paths); // also warms the page cache
    if let Some(n) = set.documents {
        c.documents = n;
    }
    let (floor_time, floor_cpu, floor_bytes) = floor(&files, runs);
    let floor_mbs = mb(floor_bytes) / floor_time.as_secs_f64();
    let bytes = floor_bytes;
    let skipped = c.fast_skipped.map_or("n/a".to_string(), |k| {
        format!("{k} ({:.0}%)", 100.0 * k as f64 / c.documents.max(1) as f64)
    });
    println!(
        "\n### {}\n\n{} files, {:.1} MB, {} documents, {} pod templates; documents settled by the fast path: {skipped}.\n",
        set.name,
        c.files,
        mb(bytes),
        c.documents,
        c.pod_templates,
    );
    println!("| run | wall (s) | CPU (s) | MB/s | documents/s | pod templates/s | peak RSS (MB) | × floor | × floor per CPU-second |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    println!(
        "| floor: saphyr-parser events, 1 thread, files read from disk | {:.3} | {:.3} | {:.1} | {:.0} | – | – | **1.00** | 1.00 |",
        floor_time.as_secs_f64(),
        floor_cpu.as_secs_f64(),
        floor_mbs,
        c.documents as f64 / floor_time.as_secs_f64(),
    );
    let mut configs: Vec<(String, Vec<String>)> = vec![(
        "psslint --threads 1".into(),
        vec!["--threads".into(), "1".into()],
    )];
    if threads > 1 {
        configs.push((
            format!("psslint --threads {threads}"),
            vec!["--threads".into(), threads.to_string()],
        ));
    }
    if supports("--no-fast-path") {
        configs.push((
            format!("psslint --threads {threads} --no-fast-path"),
            vec![
                "--threads".into(),
                threads.to_string(),
                "--no-fast-path".into(),
            ],
        ));
    }
    for (label, extra) in configs {
        let mut args = vec![
            "--format".to_string(),
            "json".into(),
            "--fail-on".into(),
            "never".into(),
            "--max-file-size".into(),
            (u64::MAX / 2).to_string(),
        ];
        args.extend(extra);
        args.extend(paths.iter().cloned());
        let mut best = Duration::MAX;
        let mut best_cpu = Duration::MAX;
        let mut rss = 0;
        for _ in 0..runs {
            let r = run_binary(&args);
            best = best.min(r.wall);
            best_cpu = best_cpu.min(r.cpu);
            rss = rss.max(r.max_rss_kb);
        }
        let secs = best.as_secs_f64();
        println!(
            "| {label} | {secs:.3} | {:.3} | {:.1} | {:.0} | {:.0} | {:.1} | **{:.2}** | {:.2} |",
            best_cpu.as_secs_f64(),
            mb(bytes) / secs,
            c.documents as f64 / secs,
            c.pod_templates as f64 / secs,
            rss as f64 / 1024.0,
            (mb(bytes) / secs) / floor_mbs,
            floor_cpu.as_secs_f64() / best_cpu.as_secs_f64(),
        );
    }
}

/// The pre-commit case: one small manifest, against `true`'s process start-up. Both the
/// median and the best of many runs are shown: on a busy machine the median mostly measures
/// waiting for a CPU.
fn startup(small: &Path, runs: usize) {
    let stats = |mut v: Vec<Duration>| {
        v.sort();
        (v[0], v[v.len() / 2])
    };
    let n = runs.max(3) * 20;
    let args = vec![small.display().to_string()];
    let psslint = stats((0..n).map(|_| run_binary(&args).wall).collect());
    let truth = stats((0..n).map(|_| run_program("true", &[]).0.wall).collect());
    let version = stats(
        (0..n)
            .map(|_| run_program(&bin(), &["--version".to_string()]).0.wall)
            .collect(),
    );
    let text = std::fs::read_to_string(small).expect("small manifest");
    let t = Instant::now();
    for _ in 0..100 {
        let mut p = Parser::new_from_str(&text);
        while let Some(Ok(ev)) = p.next_event() {
            std::hint::black_box(&ev);
        }
    }
    let parse = t.elapsed() / 100;
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "\n### Start-up: one small manifest ({} bytes), {n} runs each\n\n| run | best (ms) | median (ms) |\n|---|---:|---:|\n| `true` | {:.2} | {:.2} |\n| `psslint --version` (process start, no linting) | {:.2} | {:.2} |\n| event parse of the file, in process | {:.3} | |\n| `psslint FILE` | {:.2} | {:.2} |\n\npsslint / (`true` + parse): best **{:.2}×**, median {:.2}×",
        text.len(),
        ms(truth.0),
        ms(truth.1),
        ms(version.0),
        ms(version.1),
        ms(parse),
        ms(psslint.0),
        ms(psslint.1),
        psslint.0.as_secs_f64() / (truth.0 + parse).as_secs_f64(),
        psslint.1.as_secs_f64() / (truth.1 + parse).as_secs_f64(),
    );
}

/// How many CPUs this process can actually get right now: the same busy loop on 1 and on
/// `threads` threads. On a shared machine (Linux autogroup scheduling shares CPUs between
/// sessions, not threads) this is often well below `nproc`, and the parallel rows can only
/// be as fast as it allows.
fn cpus_available(threads: usize) -> f64 {
    fn spin() -> Duration {
        let t = Instant::now();
        let mut x = 0u64;
        for i in 0..300_000_000u64 {
            x = std::hint::black_box(x.wrapping_add(i));
        }
        std::hint::black_box(x);
        t.elapsed()
    }
    let one = spin();
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(spin);
        }
    });
    threads as f64 * one.as_secs_f64() / start.elapsed().as_secs_f64()
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    format!(
        "{} logical CPUs (nproc), {cpu}; load average at start: {}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    )
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(RUNNER) {
        return runner(&args[1..]);
    }
    // `cargo bench` passes `--bench` (and maybe a filter); nothing to parse.
    let runs = env_num("PSSLINT_BENCH_RUNS", 3.0).max(1.0) as usize;
    let scale = env_num("PSSLINT_BENCH_SCALE", 1.0).max(0.01);
    let huge_mb = env_num("PSSLINT_BENCH_HUGE_MB", 0.0);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = root.join("target/bench-data");

    println!("## psslint end-to-end benchmark\n\nMachine: {}.", machine());
    println!("Binary: {}.", bin());
    println!(
        "CPUs this run could get (a busy loop on 1 and {threads} threads): {:.2} of {threads}.",
        cpus_available(threads)
    );
    println!(
        "Best of {runs} runs per row (wall and CPU time each the best); peak RSS is the largest \
         over those runs. × floor compares throughput by wall clock; × floor per CPU-second \
         compares work per CPU-second (all threads), which waiting for a busy CPU does not skew."
    );

    // Generated inputs, rebuilt when the parameters change.
    let services = (400.0 * scale) as usize;
    let big_bytes = (150e6 * scale) as u64;
    let empty_docs = (20e6 * scale) as u64;
    let tiny_docs = (2e6 * scale) as u64;
    let stamp =
        format!("v2 services={services} big={big_bytes} empty={empty_docs} tiny={tiny_docs}");
    let stamp_path = data.join("STAMP");
    if std::fs::read_to_string(&stamp_path).ok().as_deref() != Some(stamp.as_str()) {
        let _ = std::fs::remove_dir_all(&data);
        std::fs::create_dir_all(&data).expect("bench-data");
        let t = Instant::now();
        generate::monorepo(&data.join("monorepo"), services, 42).expect("monorepo");
        generate::big_stream(&data.join("big.yaml"), big_bytes, 43).expect("big stream");
        generate::small_manifest(&data.join("small.yaml")).expect("small manifest");
        generate::empty_documents(&data.join("empty.yaml"), empty_docs).expect("empty documents");
        generate::tiny_documents(&data.join("tiny.yaml"), tiny_docs).expect("tiny documents");
        std::fs::write(&stamp_path, &stamp).expect("stamp");
        eprintln!("generated bench data in {:.1} s", t.elapsed().as_secs_f64());
    }

    let only = std::env::var("PSSLINT_BENCH_ONLY").unwrap_or_default();
    let wanted = |set: &str| only.is_empty() || only.split(',').any(|s| s.trim() == set);
    let corpus = root.join("../shared/corpus");
    if wanted("corpus") && !corpus.is_dir() {
        println!("\nSKIPPED: ../shared/corpus not found");
    } else if wanted("corpus") {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&corpus)
            .expect("corpus")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir() && !p.ends_with("templates-unrendered"))
            .collect();
        paths.sort();
        bench(
            &DataSet {
                name: "../shared/corpus (real repositories, templates-unrendered excluded)",
                paths,
                documents: None,
            },
            runs,
            threads,
        );
    }
    if wanted("monorepo") {
        bench(
            &DataSet {
                name: "synthetic monorepo (Helm-rendered streams with CRDs, ConfigMaps, Secrets)",
                paths: vec![data.join("monorepo")],
                documents: None,
            },
            runs,
            threads,
        );
    }
    if wanted("big") {
        bench(
            &DataSet {
                name: "one big multi-document stream",
                paths: vec![data.join("big.yaml")],
                documents: None,
            },
            runs,
            threads,
        );
    }
    if wanted("empty") {
        bench(
            &DataSet {
                name: "empty documents (one stream of `---` lines)",
                paths: vec![data.join("empty.yaml")],
                documents: Some(empty_docs),
            },
            runs,
            threads,
        );
    }
    if wanted("tiny") {
        bench(
            &DataSet {
                name: "tiny documents (one stream of `a: 1` documents)",
                paths: vec![data.join("tiny.yaml")],
                documents: Some(tiny_docs),
            },
            runs,
            threads,
        );
    }
    if huge_mb > 0.0 && wanted("huge") {
        let huge = data.join("huge.yaml");
        let bytes = (huge_mb * 1e6) as u64;
        generate::big_stream(&huge, bytes, 44).expect("huge stream");
        bench(
            &DataSet {
                name: "huge stream (PSSLINT_BENCH_HUGE_MB)",
                paths: vec![huge.clone()],
                documents: None,
            },
            1,
            threads,
        );
        let _ = std::fs::remove_file(&huge);
    }
    if wanted("startup") {
        startup(&data.join("small.yaml"), runs);
    }
}
