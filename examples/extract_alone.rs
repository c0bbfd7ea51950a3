//! The HTML extractor alone, without newsdb's cleaner, on the dev set's pages: what the crate gives
//! by itself (BENCHMARKS.md compares it with extractor + cleaner), and its speed on one thread.
//!
//! ```sh
//! cargo run --release --example extract_alone -- ../shared/devset OUT [PREPARED]
//! python3 ../shared/devset/score.py OUT      # (scores the pages that have HTML)
//! ```
//! With PREPARED, the bodies `prepare` gives (extraction and newsdb's cleaner) are written there too:
//! what `score.py --bin target/release/newsdb --html` scores, without a process per page.
//! Prints pages/s on one thread: decoding and extraction (parse + metadata + Readability), and the
//! whole per-document stage (`prepare`: extraction and cleaning); both as throughput over all pages
//! and for the median page (one over its time: big pages weigh less).

#[path = "common/devset_html.rs"]
mod devset_html;

use std::path::PathBuf;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: extract_alone DEVSET_DIR OUT_DIR [PREPARED_DIR]";
    let dir = PathBuf::from(args.first().expect(usage));
    let out = PathBuf::from(args.get(1).expect(usage));
    std::fs::create_dir_all(&out).unwrap();
    let prepared_out = args.get(2).map(PathBuf::from);
    if let Some(dir) = &prepared_out {
        std::fs::create_dir_all(dir).unwrap();
    }
    let pages: Vec<(String, Vec<u8>)> = devset_html::ids(&dir)
        .into_iter()
        .filter_map(|id| devset_html::page(&dir, &id).map(|bytes| (id, bytes)))
        .collect();
    let cleaner = newsdb_core::Cleaner::builtin();
    let (mut extract_times, mut prepare_times) = (Vec::new(), Vec::new());
    for (id, bytes) in &pages {
        let start = Instant::now();
        let text = newsdb_core::decode::decode(bytes)
            .ok()
            .and_then(|d| newsdb_core::extract::extract(&d.text).ok())
            .map(|e| e.lines.join("\n"))
            .unwrap_or_default();
        extract_times.push(start.elapsed());
        std::fs::write(out.join(format!("{id}.txt")), text).unwrap();
        let start = Instant::now();
        let prepared = newsdb_core::prepare_named(bytes, newsdb_core::Named::Page, &cleaner, false);
        prepare_times.push(start.elapsed());
        if let Some(dir) = &prepared_out {
            let body = prepared.map(|p| p.body).unwrap_or_default();
            std::fs::write(dir.join(format!("{id}.txt")), body).unwrap();
        }
    }
    let rates = |times: &mut Vec<Duration>| {
        let total: Duration = times.iter().sum();
        times.sort();
        let median = times[times.len() / 2];
        (
            times.len() as f64 / total.as_secs_f64(),
            1.0 / median.as_secs_f64(),
        )
    };
    let (extract_all, extract_median) = rates(&mut extract_times);
    let (prepare_all, prepare_median) = rates(&mut prepare_times);
    println!(
        "{} pages, one thread: extraction alone {extract_all:.0} pages/s (median page {extract_median:.0}/s), \
         prepare (extraction + cleaning) {prepare_all:.0} pages/s (median page {prepare_median:.0}/s)",
        pages.len(),
    );
}
