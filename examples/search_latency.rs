//! Search latency, in process: two-word queries through `newsdb::search` (bm25, snippet, LIMIT 20) on
//! an existing database. Prints one JSON object with p50 and p99 in milliseconds.
//!
//! ```sh
//! cargo run --release --example search_latency -- newsdb.db 2000
//! ```
//!
//! Query words are drawn (deterministically) from the vocabulary of `gen_corpus`, among ranks 20–2000.

use newsdb::search::{search, SearchOptions};
use std::time::Instant;

#[path = "common/vocab.rs"]
mod vocab;

/// Query words are drawn uniformly from these vocabulary ranks: words a user would search for, each
/// in roughly 0.1% to 10% of the documents (the most common ranks behave like stopwords).
const QUERY_RANKS: std::ops::Range<usize> = 20..2000;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let db = args.next().expect("usage: search_latency DB [QUERIES]");
    let queries: usize = args.next().map_or(Ok(1000), |n| n.parse())?;
    let conn = newsdb::store::open_read_only(std::path::Path::new(&db))?;
    let options = SearchOptions {
        limit: 20,
        literal: false,
        include_retired: false,
        // What `newsdb search` does by default: one hit per cluster of near-duplicates.
        all_copies: false,
        ..Default::default()
    };
    let words = vocab::words();
    let mut rng = vocab::Rng::new(11);
    let mut pick = || {
        let rank = QUERY_RANKS.start + rng.below(QUERY_RANKS.len());
        words[rank].clone()
    };
    let mut run = |n: usize| -> anyhow::Result<Vec<f64>> {
        let mut times = Vec::with_capacity(n);
        for _ in 0..n {
            let query = format!("{} {}", pick(), pick());
            let start = Instant::now();
            let hits = search(&conn, &query, &options)?;
            times.push(start.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box(hits);
        }
        Ok(times)
    };
    run(queries / 10 + 1)?; // warm the page cache and the statement cache
    let mut times = run(queries)?;
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "{}",
        serde_json::json!({
            "queries": queries,
            "p50_ms": (at(0.50) * 1000.0).round() / 1000.0,
            "p99_ms": (at(0.99) * 1000.0).round() / 1000.0,
            "max_ms": (at(1.0) * 1000.0).round() / 1000.0,
        })
    );
    Ok(())
}
