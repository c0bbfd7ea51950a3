//! Full-text search over `documents_fts`: FTS5 syntax for those who know it, plain words for everyone.
//!
//! A query is first tried as written, so `"exact phrase"`, `lavrov AND blinken`, `ukrain*` and
//! `title:kremlin` work. If FTS5 rejects it and it has no double quote, it is retried with each word
//! quoted, so `U.S. sanctions` or `Lavrov's visit` find what they say. A query with a double quote that
//! FTS5 rejects (an unbalanced quote, say) is the user's FTS5 syntax and gets a one-line error.
//!
//! Near-duplicates (one wire story on twenty sites) are collapsed by default: each cluster is one hit,
//! shown as its representative document, at the rank of its best-matching member, with the sources of
//! all its members counted. `all_copies` lists every document instead.
//!
//! A query in Chinese, Japanese, Thai or Korean goes to the trigram index instead (`unspaced.rs`):
//! the main index's tokenizer cannot split those scripts into words.

mod first_in_cluster;
mod unspaced;

use crate::filter::Filters;
use crate::{filter_sql, live_statuses};
use rusqlite::{params, Connection};
use thiserror::Error;

/// Words of context in a snippet.
const SNIPPET_TOKENS: i64 = 16;
/// What marks a match in a snippet.
pub const HIGHLIGHT_START: &str = "**";
pub const HIGHLIGHT_END: &str = "**";

/// One search result.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Hit {
    pub id: i64,
    pub title: Option<String>,
    pub published: Option<String>,
    pub url: Option<String>,
    pub domain: Option<String>,
    /// ISO 639-3 language code.
    pub lang: Option<String>,
    pub snippet: String,
    /// bm25 score: lower is better.
    pub rank: f64,
    /// How many live files this document came from; for a collapsed cluster, all its documents'
    /// files. (`sources` is always a list of paths, in `dups` and `export`.)
    pub source_count: i64,
    /// The document whose text matched best, where the snippet comes from: `id` itself, or (collapsed)
    /// another document of its cluster.
    pub matched_id: i64,
    /// The cluster's representative (`documents.cluster_id`); `id` itself for a document alone.
    pub cluster_id: i64,
    /// Live documents in the cluster: 1 for a document with no near-duplicate.
    pub cluster_size: i64,
}

#[derive(Debug, Error)]
pub enum SearchError {
    #[error("empty search query")]
    Empty,
    #[error("malformed search query {query:?}: {message}; close every double quote, or pass --literal to search for the words as typed")]
    Malformed { query: String, message: String },
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// The ranking, as FTS5's `rank` column computes it: bm25 with weights for (title, body), so a word in
/// the title counts ten times a word in the body.
const RANK_FUNCTION: &str = "bm25(10.0, 1.0)";

/// Every match, best first (`$order`), with its cluster and its snippet (`$snippet`), for
/// collapsing. Stepped only until enough clusters are found: ordered by FTS5's `rank` alone, FTS5
/// hands the rows over sorted, so rows not stepped cost no join and no snippet. (`?7`, ordering by
/// date, is bound but only its variant orders by it: an `ORDER BY` naming a parameter made SQLite
/// join and snippet every match before sorting, 350 ms for a word in a tenth of 28k real documents.)
macro_rules! matches_sql {
    ($snippet:literal, $order:literal) => {
        concat!(
            "
    SELECT documents_fts.rowid, coalesce(d.cluster_id, d.id), ",
            $snippet,
            ", documents_fts.rank
    FROM documents_fts
    JOIN documents d ON d.id = documents_fts.rowid
    WHERE documents_fts MATCH ?1 AND documents_fts.rank MATCH ?5
      AND (?6 OR documents_fts.rowid NOT IN (SELECT id FROM documents WHERE retired_run_id IS NOT NULL))",
            filter_sql!("8", "9", "10", "11"),
            "
    ORDER BY ",
            $order
        )
    };
}
/// By rank, the rows come best first: only the first of each cluster gets a snippet
/// ([`first_in_cluster`]; `?12` numbers the query).
const MATCHES_BY_RANK_SQL: &str = matches_sql!(
    "CASE WHEN newsdb_first_in_cluster(?12, coalesce(d.cluster_id, d.id))
          THEN snippet(documents_fts, -1, ?2, ?3, '…', ?4) END",
    "documents_fts.rank"
);
const MATCHES_BY_DATE_SQL: &str = matches_sql!(
    "snippet(documents_fts, -1, ?2, ?3, '…', ?4)",
    "d.published IS NULL, d.published DESC, documents_fts.rank"
);

/// The snippet of one matched document (`?5`), for a hit the stepped query gave none.
const SNIPPET_SQL: &str = "
    SELECT snippet(documents_fts, -1, ?2, ?3, '…', ?4) FROM documents_fts
    WHERE documents_fts MATCH ?1 AND documents_fts.rowid = ?5";

/// A document's (?2) fields and its cluster's (?1) size and sources. A retired document is its own cluster, so
/// no member here is retired.
/// The members are read from the `documents_cluster` index and their files from `files_document_id`
/// (CROSS JOIN keeps SQLite from scanning every file by status instead). A document still to check
/// (cluster_id NULL) has no members: its own files count.
const CLUSTER_SQL: &str = concat!(
    "SELECT d.title, d.published, d.url, d.domain, d.lang,
            (SELECT count(*) FROM documents m WHERE m.cluster_id = ?1),
            (SELECT count(*) FROM documents m CROSS JOIN files f ON f.document_id = m.id
             WHERE m.cluster_id = ?1 AND f.status IN ",
    live_statuses!(),
    "),
            (SELECT count(*) FROM files f
             WHERE f.document_id = ?2 AND f.status IN ",
    live_statuses!(),
    ")
     FROM documents d WHERE d.id = ?2"
);

/// Ordering by FTS5's own `rank` column (not by a `bm25()` result column) lets FTS5 hand the rows over
/// already sorted, so `snippet()`, the join and the source count run for the `LIMIT` rows only instead
/// of every match (4× faster where both words occur in every document). Retired documents are
/// filtered through the small `documents_retired` index, never by reading the document rows. `?8`
/// (by date) is bound but only its variant orders by it, as in [`matches_sql`].
macro_rules! search_sql {
    ($order:literal) => {
        concat!(
            "
    SELECT d.id, d.title, d.published, d.url, d.domain, d.lang,
           snippet(documents_fts, -1, ?3, ?4, '…', ?5) AS snippet,
           documents_fts.rank AS rank,
           (SELECT count(*) FROM files f
            WHERE f.document_id = d.id AND f.status IN ",
            live_statuses!(),
            ") AS sources,
           coalesce(d.cluster_id, d.id) AS cluster_id,
           (SELECT count(*) FROM documents m WHERE m.cluster_id = d.cluster_id) AS cluster_size
    FROM documents_fts
    JOIN documents d ON d.id = documents_fts.rowid
    WHERE documents_fts MATCH ?1 AND documents_fts.rank MATCH ?6
      AND (?7 OR documents_fts.rowid NOT IN (SELECT id FROM documents WHERE retired_run_id IS NOT NULL))",
            filter_sql!("9", "10", "11", "12"),
            "
    ORDER BY ",
            $order,
            "
    LIMIT ?2"
        )
    };
}
const SEARCH_BY_RANK_SQL: &str = search_sql!("documents_fts.rank");
const SEARCH_BY_DATE_SQL: &str =
    search_sql!("d.published IS NULL, d.published DESC, documents_fts.rank");

/// How to search.
#[derive(Debug, Clone, Default)]
pub struct SearchOptions {
    pub limit: usize,
    /// Newest first (undated last), then by rank; by default best match first.
    pub by_date: bool,
    /// Which documents may be hits.
    pub filters: Filters,
    /// Words as typed, no FTS5 syntax.
    pub literal: bool,
    /// Include documents that no file references any more.
    pub include_retired: bool,
    /// List every document of a cluster of near-duplicates, instead of one hit per cluster.
    pub all_copies: bool,
}

/// Searches; see the module documentation for how `query` is read.
pub fn search(
    conn: &Connection,
    query: &str,
    options: &SearchOptions,
) -> Result<Vec<Hit>, SearchError> {
    if query.trim().is_empty() {
        return Err(SearchError::Empty);
    }
    if unspaced::applies(query) {
        return unspaced::run(conn, query, options);
    }
    if options.literal {
        return run(
            conn,
            &quote_words(query).ok_or(SearchError::Empty)?,
            options,
        );
    }
    match run(conn, query, options) {
        Err(SearchError::Sqlite(err)) if is_query_error(&err) => {
            if query.contains('"') {
                return Err(SearchError::Malformed {
                    query: query.to_owned(),
                    message: sqlite_message(&err),
                });
            }
            run(
                conn,
                &quote_words(query).ok_or(SearchError::Empty)?,
                options,
            )
        }
        other => other,
    }
}

fn run(
    conn: &Connection,
    fts_query: &str,
    options: &SearchOptions,
) -> Result<Vec<Hit>, SearchError> {
    if !options.all_copies {
        return run_collapsed(conn, fts_query, options);
    }
    let (since, until, domains, lang) = options.filters.params();
    let mut stmt = conn.prepare_cached(if options.by_date {
        SEARCH_BY_DATE_SQL
    } else {
        SEARCH_BY_RANK_SQL
    })?;
    let rows = stmt.query_map(
        params![
            fts_query,
            options.limit as i64,
            HIGHLIGHT_START,
            HIGHLIGHT_END,
            SNIPPET_TOKENS,
            RANK_FUNCTION,
            options.include_retired,
            options.by_date,
            since,
            until,
            domains,
            lang,
        ],
        |r| {
            Ok(Hit {
                id: r.get(0)?,
                title: r.get(1)?,
                published: r.get(2)?,
                url: r.get(3)?,
                domain: r.get(4)?,
                lang: r.get(5)?,
                snippet: r.get(6)?,
                rank: r.get(7)?,
                source_count: r.get(8)?,
                matched_id: r.get(0)?,
                cluster_id: r.get(9)?,
                cluster_size: r.get::<_, i64>(10)?.max(1),
            })
        },
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One hit per cluster: the first `limit` clusters in the order of their best match.
fn run_collapsed(
    conn: &Connection,
    fts_query: &str,
    options: &SearchOptions,
) -> Result<Vec<Hit>, SearchError> {
    // (matched document, cluster, snippet, rank), best first, one per cluster.
    let mut best: Vec<(i64, i64, Option<String>, f64)> = Vec::new();
    {
        let (since, until, domains, lang) = options.filters.params();
        let mut stmt = if options.by_date {
            conn.prepare_cached(MATCHES_BY_DATE_SQL)?
        } else {
            match conn.prepare_cached(MATCHES_BY_RANK_SQL) {
                Err(e) if first_in_cluster::is_missing(&e) => {
                    first_in_cluster::register(conn)?;
                    conn.prepare_cached(MATCHES_BY_RANK_SQL)?
                }
                prepared => prepared?,
            }
        };
        let query_number = first_in_cluster::next_query();
        let common = params![
            fts_query,
            HIGHLIGHT_START,
            HIGHLIGHT_END,
            SNIPPET_TOKENS,
            RANK_FUNCTION,
            options.include_retired,
            options.by_date,
            since,
            until,
            domains,
            lang,
        ];
        let mut rows = if options.by_date {
            stmt.query(common)?
        } else {
            let mut numbered = common.to_vec();
            numbered.push(&query_number);
            stmt.query(numbered.as_slice())?
        };
        let mut seen = std::collections::HashSet::new();
        while best.len() < options.limit {
            let Some(row) = rows.next()? else { break };
            let cluster: i64 = row.get(1)?;
            if seen.insert(cluster) {
                best.push((row.get(0)?, cluster, row.get(2)?, row.get(3)?));
            }
        }
    }
    let mut snippet_stmt = conn.prepare_cached(SNIPPET_SQL)?;
    let mut cluster_stmt = conn.prepare_cached(CLUSTER_SQL)?;
    best.into_iter()
        .map(|(matched_id, cluster, snippet, rank)| {
            let snippet = match snippet {
                Some(snippet) => snippet,
                None => snippet_stmt.query_row(
                    params![
                        fts_query,
                        HIGHLIGHT_START,
                        HIGHLIGHT_END,
                        SNIPPET_TOKENS,
                        matched_id
                    ],
                    |r| r.get(0),
                )?,
            };
            Ok(cluster_hit(
                &mut cluster_stmt,
                options,
                matched_id,
                cluster,
                snippet,
                rank,
            )?)
        })
        .collect()
}

/// The hit for a match (`matched_id`, of `cluster`), its fields and its cluster's counts read with
/// `cluster_stmt` ([`CLUSTER_SQL`]). It shows the cluster's representative, unless every copy is
/// listed or a filter chose the member that passed (the representative may be of another site,
/// language or date): then the matched document, with its own files.
fn cluster_hit(
    cluster_stmt: &mut rusqlite::CachedStatement,
    options: &SearchOptions,
    matched_id: i64,
    cluster: i64,
    snippet: String,
    rank: f64,
) -> rusqlite::Result<Hit> {
    let shown = if options.all_copies || !options.filters.is_empty() {
        matched_id
    } else {
        cluster
    };
    cluster_stmt.query_row([cluster, shown], |r| {
        let members: i64 = r.get(5)?;
        let own_files = members == 0 || options.all_copies;
        Ok(Hit {
            id: shown,
            title: r.get(0)?,
            published: r.get(1)?,
            url: r.get(2)?,
            domain: r.get(3)?,
            lang: r.get(4)?,
            snippet,
            rank,
            source_count: if own_files { r.get(7)? } else { r.get(6)? },
            matched_id,
            cluster_id: cluster,
            cluster_size: members.max(1),
        })
    })
}

/// Each whitespace-separated word as an FTS5 string, so no character in it is syntax. Words with no
/// letter or digit are dropped (they would be empty phrases). `None` when nothing is left.
pub fn quote_words(query: &str) -> Option<String> {
    let words: Vec<String> = query
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// FTS5 reports query syntax problems as a generic SQLITE_ERROR ("fts5: syntax error near …",
/// "unterminated string", "no such column" for an unknown `column:` filter).
fn is_query_error(err: &rusqlite::Error) -> bool {
    matches!(err, rusqlite::Error::SqliteFailure(e, _) if e.code == rusqlite::ErrorCode::Unknown)
}

fn sqlite_message(err: &rusqlite::Error) -> String {
    match err {
        rusqlite::Error::SqliteFailure(_, Some(msg)) => msg.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_and_drops_punctuation_only_words() {
        assert_eq!(
            quote_words("U.S. - say \"no"),
            Some("\"U.S.\" \"say\" \"\"\"no\"".into())
        );
        assert_eq!(quote_words(" - & "), None);
    }
}
