//! Every input a fuzzer crashed on (tests/fuzz_regressions/, one file each, named for what went
//! wrong), run through all the fuzz targets' checks (fuzz/fuzz_targets/checks.rs). The
//! README there lists what each one found and how it was fixed.

#[path = "../fuzz/fuzz_targets/checks.rs"]
mod checks;

#[test]
fn every_fuzz_regression_passes_every_check() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/fuzz_regressions exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e != "md"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for path in files {
        let data = std::fs::read(&path).expect("read");
        println!("{}", path.display());
        // Each target, and each with the first byte (which picks options) dropped.
        for input in [&data[..], data.get(1..).unwrap_or_default()] {
            checks::loader(input);
            checks::pipeline(input);
            checks::equivalence(input);
        }
    }
}
