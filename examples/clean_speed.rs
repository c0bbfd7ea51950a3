//! Measures the cleaner alone, on one thread: lines per second through `Cleaner::clean`, and files
//! per second through every per-file stage (`prepare`: decode, normalize, header, clean, hash, quality).
//!
//! ```sh
//! cargo run --release --example gen_corpus -- --files 20000 --seed 1 --out /tmp/corpus20k
//! cargo run --release --example clean_speed -- /tmp/corpus20k tests/devset
//! cargo run --release --example clean_speed -- --rules rules.toml ../shared/devset/naive
//! ```
//!
//! `--rules FILE` times the built-in rules with a rules file (one that disables a rule shows what
//! that rule costs).
//!
//! Every file under the folders is read into memory first, so the disk is not measured. Compare the
//! figures with `newsdb ingest`'s files per second on the same corpus (`scripts/bench.sh`): the
//! cleaner must be far faster than the whole pipeline, which the SQLite writer bounds.

use newsdb_core::clean::Cleaner;
use newsdb_core::normalize;
use newsdb_core::prepare::prepare;
use std::path::Path;
use std::time::{Duration, Instant};

fn collect(dir: &Path, out: &mut Vec<Vec<u8>>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "txt") {
            out.push(std::fs::read(&path).unwrap());
        }
    }
}

/// Runs `f` over all of `items` until at least two seconds have passed; returns passes and time.
fn timed(mut f: impl FnMut()) -> (u32, Duration) {
    let start = Instant::now();
    let mut passes = 0;
    while passes == 0 || start.elapsed() < Duration::from_secs(2) {
        f();
        passes += 1;
    }
    (passes, start.elapsed())
}

fn main() {
    let mut dirs: Vec<String> = std::env::args().skip(1).collect();
    let mut cleaner = Cleaner::builtin();
    if dirs.first().map(String::as_str) == Some("--rules") {
        let rules = dirs.get(1).expect("--rules FILE").clone();
        cleaner = Cleaner::with_rules_file(Path::new(&rules)).expect("a valid rules file");
        dirs.drain(..2);
    }
    assert!(!dirs.is_empty(), "usage: clean_speed [--rules FILE] DIR...");
    let mut files = Vec::new();
    for dir in &dirs {
        collect(Path::new(dir), &mut files);
    }
    let docs: Vec<Vec<String>> = files
        .iter()
        .map(|b| normalize::lines(&String::from_utf8_lossy(b)))
        .collect();
    let lines: usize = docs.iter().map(Vec::len).sum();

    let (passes, took) = timed(|| {
        for doc in &docs {
            std::hint::black_box(cleaner.clean(doc, 1, None));
        }
    });
    let secs = took.as_secs_f64() / f64::from(passes);
    println!(
        "clean: {} files, {lines} lines in {:.3} s per pass: {:.0} lines/s, {:.0} files/s (one thread)",
        files.len(),
        secs,
        lines as f64 / secs,
        files.len() as f64 / secs
    );

    let (passes, took) = timed(|| {
        for bytes in &files {
            let _ = std::hint::black_box(prepare(bytes, &cleaner, true));
        }
    });
    let secs = took.as_secs_f64() / f64::from(passes);
    println!(
        "prepare (every per-file stage, with near-duplicate signing): {:.0} files/s, {:.0} lines/s (one thread)",
        files.len() as f64 / secs,
        lines as f64 / secs
    );
}
