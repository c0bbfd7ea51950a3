//! `newsdb prune`: retired documents deleted for good.

use crate::store::clusters;
use anyhow::{Context, Result};
use rusqlite::{Connection, TransactionBehavior};

/// Deletes retired documents (with their index entries and cleaning audit) for good. Files that
/// pointed at them keep their history rows, without a document. Returns how many were deleted.
pub fn prune_retired(conn: &mut Connection) -> Result<u64> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute(
        "UPDATE files SET document_id = NULL
         WHERE document_id IN (SELECT id FROM documents WHERE retired_run_id IS NOT NULL)",
        [],
    )?;
    // The documents_ad trigger removes each from the FTS index; document_removed_lines and
    // near_duplicates cascade; the buckets have no foreign key.
    clusters::forget_retired(&tx)?;
    let pruned = tx.execute("DELETE FROM documents WHERE retired_run_id IS NOT NULL", [])?;
    tx.commit().context("pruning retired documents")?;
    Ok(pruned as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::open::in_memory;

    #[test]
    fn retired_documents_go_and_their_files_keep_their_history() {
        let mut conn = in_memory();
        conn.execute_batch(
            "INSERT INTO runs (id, started_at, roots, cleaner_version) VALUES (1, 't', '[]', 'v');
             INSERT INTO documents (id, content_hash, body, word_count, cleaner_version, retired_run_id)
             VALUES (1, 'h1', 'Gone.', 1, 'v', 1), (2, 'h2', 'Kept.', 1, 'v', NULL);
             INSERT INTO documents_fts (rowid, title, body) VALUES (1, NULL, 'Gone.'), (2, NULL, 'Kept.');
             INSERT INTO minhash_buckets (band_key, document_id) VALUES (5, 1), (6, 2);
             INSERT INTO files (path, document_id, status) VALUES ('/a', 1, 'deleted'), ('/b', 2, 'ingested');",
        )
        .unwrap();
        assert_eq!(prune_retired(&mut conn).unwrap(), 1);
        let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(count("SELECT count(*) FROM documents"), 1);
        assert_eq!(
            count("SELECT count(*) FROM files WHERE document_id IS NULL"),
            1
        );
        assert_eq!(count("SELECT count(*) FROM minhash_buckets"), 1);
        assert_eq!(
            count("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH 'gone'"),
            0
        );
    }
}
