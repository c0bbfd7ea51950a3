//! `newsdb_first_in_cluster(query, cluster)`: an SQL function that is true the first time it sees
//! `cluster` in the query numbered `query`, so that a collapsed search makes the snippet (which
//! tokenizes the whole document) only for the best match of each cluster, inside the one query that
//! steps through the matches.
//!
//! Near-copies often outrank the next cluster: on 1M real-text records, a two-word query stepped
//! through 370 matches at p99 to find 20 clusters, and paid for 370 snippets (p99 250-320 ms).
//! Making the snippets afterwards, one query per hit, cut that p99 but cost about 75 µs a hit at the
//! median. The function is called once per stepped row, in the order the rows come, which is best
//! first only when FTS5 hands them over sorted (ordered by `rank` alone): the by-date search, which
//! SQLite sorts itself, does not use it, and a hit left without a snippet gets one from its own
//! query (see `search::run_collapsed`).

use rusqlite::functions::FunctionFlags;
use rusqlite::Connection;
use std::collections::HashSet;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;

pub const NAME: &str = "newsdb_first_in_cluster";

/// Numbers the queries, so the function knows when a new one starts.
static QUERIES: AtomicI64 = AtomicI64::new(0);

/// A number no query before it in this process had.
pub fn next_query() -> i64 {
    QUERIES.fetch_add(1, Ordering::Relaxed)
}

/// Registers the function on `conn` (again: the clusters seen are forgotten).
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    let seen: Mutex<(i64, HashSet<i64>)> = Mutex::new((-1, HashSet::new()));
    conn.create_scalar_function(NAME, 2, FunctionFlags::SQLITE_UTF8, move |ctx| {
        let (query, cluster): (i64, i64) = (ctx.get(0)?, ctx.get(1)?);
        let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.0 != query {
            *seen = (query, HashSet::new());
        }
        Ok(seen.1.insert(cluster))
    })
}

/// Whether `err` says the function is not registered on this connection.
pub fn is_missing(err: &rusqlite::Error) -> bool {
    err.to_string()
        .contains(&format!("no such function: {NAME}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn true_once_per_cluster_and_query() {
        let conn = Connection::open_in_memory().unwrap();
        register(&conn).unwrap();
        let first = |q: i64, c: i64| -> bool {
            conn.query_row(&format!("SELECT {NAME}(?1, ?2)"), [q, c], |r| r.get(0))
                .unwrap()
        };
        let q = next_query();
        assert!(first(q, 7));
        assert!(!first(q, 7));
        assert!(first(q, 8));
        let q2 = next_query();
        assert!(first(q2, 7), "a new query starts afresh");
    }
}
