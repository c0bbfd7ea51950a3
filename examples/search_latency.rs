//! Search latency, in process: two-word queries through `newsdb::search` (bm25, snippet, LIMIT 20) on
//! an existing database. Prints one JSON object with p50 and p99 in milliseconds.
//!
//! ```sh
//! cargo run --release --example search_latency -- newsdb.db 2000
//! ```
//!
//! Query words are drawn (deterministically) from the vocabulary of `gen_corpus`, so most queries
//! match many documents: the costly case, where bm25 has to rank every match.

use newsdb::search::{search, SearchOptions};
use std::time::Instant;

/// Topic words of `examples/gen_corpus.rs`: every one occurs in many generated documents.
const WORDS: &[&str] = &[
    "minister",
    "talks",
    "border",
    "troops",
    "sanctions",
    "government",
    "election",
    "economy",
    "market",
    "prices",
    "energy",
    "climate",
    "court",
    "ruling",
    "police",
    "protest",
    "council",
    "budget",
    "health",
    "school",
    "security",
    "trade",
    "workers",
    "union",
    "strike",
    "bank",
    "inflation",
    "river",
    "flood",
    "storm",
    "harvest",
    "museum",
    "festival",
    "hospital",
    "vaccine",
    "research",
    "drought",
    "wildfire",
    "airport",
    "railway",
    "housing",
    "parliament",
    "coalition",
    "ambassador",
    "summit",
    "treaty",
    "ceasefire",
    "refugees",
    "factory",
    "pensions",
    "reform",
];

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let db = args.next().expect("usage: search_latency DB [QUERIES]");
    let queries: usize = args.next().map_or(Ok(1000), |n| n.parse())?;
    let conn = newsdb::store::open_read_only(std::path::Path::new(&db))?;
    let options = SearchOptions {
        limit: 20,
        literal: false,
        include_retired: false,
    };
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut pick = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        WORDS[(state % WORDS.len() as u64) as usize]
    };
    let mut run = |n: usize| -> anyhow::Result<Vec<f64>> {
        let mut times = Vec::with_capacity(n);
        for _ in 0..n {
            let query = format!("{} {}", pick(), pick());
            let start = Instant::now();
            let hits = search(&conn, &query, options)?;
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
