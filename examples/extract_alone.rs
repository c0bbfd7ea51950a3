//! The HTML extractor alone, without newsdb's cleaner, on the dev set's pages: what the crate gives
//! by itself (BENCHMARKS.md compares it with extractor + cleaner), and its speed on one thread.
//!
//! ```sh
//! cargo run --release --example extract_alone -- ../shared/devset OUT
//! python3 ../shared/devset/score.py OUT      # (scores the pages that have HTML)
//! ```
//! Prints pages/s on one thread: decoding and extraction (parse + metadata + Readability), and the
//! whole per-document stage (`prepare`: extraction and cleaning).

use std::io::Read;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: extract_alone DEVSET_DIR OUT_DIR";
    let dir = PathBuf::from(args.first().expect(usage));
    let out = PathBuf::from(args.get(1).expect(usage));
    std::fs::create_dir_all(&out).unwrap();
    let mut pages: Vec<(String, Vec<u8>)> = Vec::new();
    for entry in std::fs::read_dir(dir.join("html")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some(id) = name.strip_suffix(".html.gz") else {
            continue;
        };
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap())
            .read_to_end(&mut bytes)
            .unwrap();
        pages.push((id.to_owned(), bytes));
    }
    pages.sort();
    let cleaner = newsdb_core::Cleaner::builtin();
    let (mut extract_time, mut prepare_time) = (Duration::ZERO, Duration::ZERO);
    for (id, bytes) in &pages {
        let start = Instant::now();
        let text = newsdb_core::decode::decode(bytes)
            .ok()
            .and_then(|d| newsdb_core::extract::extract(&d.text).ok())
            .map(|e| e.lines.join("\n"))
            .unwrap_or_default();
        extract_time += start.elapsed();
        std::fs::write(out.join(format!("{id}.txt")), text).unwrap();
        let start = Instant::now();
        let _ = newsdb_core::prepare(bytes, &cleaner, false);
        prepare_time += start.elapsed();
    }
    let rate = |t: Duration| pages.len() as f64 / t.as_secs_f64();
    println!(
        "{} pages: extraction alone {:.0} pages/s, prepare (extraction + cleaning) {:.0} pages/s, one thread",
        pages.len(),
        rate(extract_time),
        rate(prepare_time)
    );
}
