//! Search latency, in process: 1-, 2- and 3-word queries through `newsdb::search` (bm25, snippet,
//! LIMIT 20, near-duplicates collapsed as `newsdb search` does) on an existing database. Prints p50
//! and p99 in milliseconds for each query length, on one line.
//!
//! ```sh
//! cargo run --release --example search_latency -- newsdb.db 2000
//! ```
//!
//! Query words are drawn (deterministically) from the database's own vocabulary (FTS5's, through
//! `fts5vocab`): terms without digits in 0.1% to 10% of the documents, words a user would search
//! for (the most common behave like stopwords). So real text is queried with its real words.

use newsdb::search::{search, SearchOptions};
use std::time::Instant;

#[path = "common/vocab.rs"]
mod vocab; // its generator of numbers; the word list is gen_corpus's

/// The terms queries are made of: (least, most) share of the documents a term is in.
const TERM_SHARE: (f64, f64) = (0.001, 0.1);

/// Terms of the database's index in [`TERM_SHARE`] of its documents, in a fixed order.
fn terms(db: &str) -> anyhow::Result<Vec<String>> {
    // The vocabulary table is made in a connection of its own: newsdb's is read-only.
    let conn = rusqlite::Connection::open_in_memory()?;
    conn.execute("ATTACH ?1 AS db", [format!("file:{db}?mode=ro")])?;
    conn.execute_batch(
        "CREATE VIRTUAL TABLE temp.latency_vocab USING fts5vocab(db, 'documents_fts', 'row')",
    )?;
    let docs: f64 = conn.query_row("SELECT count(*) FROM db.documents_fts", [], |r| r.get(0))?;
    let mut stmt = conn.prepare(
        "SELECT term FROM temp.latency_vocab WHERE doc >= ?1 AND doc <= ?2
         AND term NOT GLOB '*[0-9]*' ORDER BY term",
    )?;
    let terms = stmt
        .query_map([(docs * TERM_SHARE.0).max(2.0), docs * TERM_SHARE.1], |r| {
            r.get(0)
        })?
        .collect::<Result<Vec<String>, _>>()?;
    anyhow::ensure!(
        terms.len() >= 10,
        "only {} query terms in {db}",
        terms.len()
    );
    Ok(terms)
}

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
    let terms = terms(&db)?;
    let mut rng = vocab::Rng::new(11);
    let mut run = |words: usize, n: usize| -> anyhow::Result<Vec<f64>> {
        let mut times = Vec::with_capacity(n);
        for _ in 0..n {
            let query: Vec<&str> = (0..words)
                .map(|_| terms[rng.below(terms.len())].as_str())
                .collect();
            let query = query.join(" ");
            let start = Instant::now();
            let hits = search(&conn, &query, &options)?;
            times.push(start.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box(hits);
        }
        times.sort_by(f64::total_cmp);
        Ok(times)
    };
    run(2, queries / 10 + 1)?; // warm the page cache and the statement cache
    let mut out = Vec::new();
    for words in 1..=3 {
        let times = run(words, queries)?;
        let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
        out.push(format!("{words}w {:.2}/{:.2}", at(0.50), at(0.99)));
    }
    println!("p50/p99 ms: {}", out.join(", "));
    Ok(())
}
