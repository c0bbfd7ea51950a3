//! What the database knows before a run reads anything: enough to decide which sources to skip
//! unread and which bytes need no cleaning.

use crate::read::Stat;
use crate::store::schema::FileStatus;
use anyhow::Result;
use rusqlite::{Connection, OptionalExtension};
use std::collections::HashSet;

/// What the database remembers about a file from earlier runs, enough to decide whether to read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownFile {
    /// Size and mtime, when the file could be listed (a folder that could not is a row without).
    pub stat: Option<Stat>,
    pub status: FileStatus,
    pub reason: Option<String>,
    /// The file's document, if it has one.
    pub document_id: Option<i64>,
}

/// Every whole file the database knows, by path (as stored: text).
pub type KnownFiles = foldhash::HashMap<String, KnownFile>;

/// Every whole file the database knows, by path, in any status (so the run's end can tell which
/// the walk did not find without reading the rows again). Keyed by the path as stored (text):
/// hashed with foldhash, not as `PathBuf` components with the standard library's SipHash, which
/// was a tenth of an unchanged re-run.
pub fn known_files(conn: &Connection) -> Result<KnownFiles> {
    let mut stmt = conn.prepare(
        "SELECT path, size, mtime, status, reason, document_id FROM files WHERE line IS NULL",
    )?;
    let rows = stmt.query_map([], |r| {
        let size: Option<i64> = r.get(1)?;
        let mtime_ns: Option<i64> = r.get(2)?;
        Ok((
            r.get::<_, String>(0)?,
            KnownFile {
                stat: size.zip(mtime_ns).map(|(size, mtime_ns)| Stat {
                    size: size as u64,
                    mtime_ns,
                }),
                status: r.get(3)?,
                reason: r.get(4)?,
                document_id: r.get(5)?,
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Documents cleaned by another cleaner version than `cleaner_version`: the files that hold them are
/// read and cleaned again. Read from the `documents_cleaner_version` index alone: a scan of the
/// document rows would read every body.
///
/// Documents of a site whose learned lines changed since they were cleaned are stale too, and those
/// cleaned with lines their site no longer has; both come from the `documents_site` index.
pub fn stale_documents(conn: &Connection, cleaner_version: &str) -> Result<HashSet<i64>> {
    let mut stmt = conn.prepare(STALE)?;
    let rows = stmt.query_map([cleaner_version], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Whether a document some live file holds is stale ([`stale_documents`]): reading the files again
/// would clean it anew. (Retired documents stay stale until a file of theirs comes back.)
pub fn live_stale_documents(conn: &Connection, cleaner_version: &str) -> Result<bool> {
    Ok(conn.query_row(
        &format!(
            "SELECT EXISTS (SELECT 1 FROM documents WHERE retired_run_id IS NULL AND id IN ({STALE}))"
        ),
        [cleaner_version],
        |r| r.get(0),
    )?)
}

/// The ids of [`stale_documents`], with the cleaner version as `?1`.
const STALE: &str = "SELECT id FROM documents INDEXED BY documents_cleaner_version
     WHERE cleaner_version IS NOT ?1
     UNION ALL
     SELECT d.id FROM sites s JOIN documents d INDEXED BY documents_site ON d.domain = s.domain
     WHERE d.site_version IS NOT s.version
     UNION ALL
     SELECT d.id FROM documents d INDEXED BY documents_site
     WHERE d.site_version IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM sites s WHERE s.domain = d.domain)";

/// Whether the content rejections stored were made by `cleaner_version`: the newest completed run
/// used it. When the cleaner changed (a new release), a file refused as empty of text, or as binary,
/// may now be an article, so every refused file is read again, as a fresh ingest would.
pub fn rejections_are_current(conn: &Connection, cleaner_version: &str) -> Result<bool> {
    let newest: Option<String> = conn
        .query_row(
            "SELECT cleaner_version FROM runs WHERE status = 'completed' ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(newest.as_deref() == Some(cleaner_version))
}

/// Stored bytes that need no cleaning, by raw hash, with the document they make.
pub type KnownBytes = std::collections::HashMap<String, i64>;

/// Raw hashes of stored files whose document is not in `stale`: a file with these bytes needs no
/// decoding or cleaning, only a `files` row pointing at that document.
pub fn known_raw_hashes(conn: &Connection, stale: &HashSet<i64>) -> Result<KnownBytes> {
    let mut stmt = conn.prepare(
        "SELECT raw_hash, document_id FROM files
         WHERE raw_hash IS NOT NULL AND document_id IS NOT NULL",
    )?;
    let mut known = KnownBytes::new();
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let document_id: i64 = r.get(1)?;
        if !stale.contains(&document_id) {
            known.insert(r.get(0)?, document_id);
        }
    }
    Ok(known)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::open::in_memory;

    fn fixture() -> Connection {
        let conn = in_memory();
        conn.execute_batch(
            "INSERT INTO documents (id, content_hash, body, word_count, cleaner_version)
             VALUES (1, 'h1', 'One.', 1, 'v1'), (2, 'h2', 'Two.', 1, 'v0');
             INSERT INTO files (path, size, mtime, raw_hash, document_id, status)
             VALUES ('/a.txt', 4, 7, 'r1', 1, 'ingested'), ('/b.txt', 4, 8, 'r2', 2, 'ingested');
             INSERT INTO files (path, size, mtime, status, reason)
             VALUES ('/c.txt', 0, 9, 'error', 'empty');
             INSERT INTO files (path, status, reason)
             VALUES ('/shut', 'error', 'unreadable');
             INSERT INTO files (path, size, mtime, raw_hash, document_id, status, line)
             VALUES ('/x.jsonl#1', 3, 9, 'r3', 1, 'duplicate', 1);",
        )
        .unwrap();
        conn
    }

    #[test]
    fn rejections_are_current_only_after_a_completed_run_of_the_same_cleaner() {
        let conn = fixture();
        assert!(!rejections_are_current(&conn, "v1").unwrap());
        conn.execute_batch(
            "INSERT INTO runs (started_at, status, roots, cleaner_version)
             VALUES ('t', 'completed', '[]', 'v0'), ('t', 'interrupted', '[]', 'v1');",
        )
        .unwrap();
        assert!(rejections_are_current(&conn, "v0").unwrap());
        assert!(!rejections_are_current(&conn, "v1").unwrap());
    }

    #[test]
    fn documents_of_another_cleaner_are_stale() {
        let conn = fixture();
        assert_eq!(stale_documents(&conn, "v1").unwrap(), HashSet::from([2]));
    }

    #[test]
    fn known_files_are_whole_files_only() {
        let known = known_files(&fixture()).unwrap();
        assert_eq!(known.len(), 4);
        let c = &known["/c.txt"];
        assert_eq!(c.status, FileStatus::Error);
        assert_eq!(c.reason.as_deref(), Some("empty"));
        assert_eq!(
            known["/a.txt"].stat,
            Some(Stat {
                size: 4,
                mtime_ns: 7
            })
        );
        assert_eq!(known["/shut"].stat, None);
    }

    #[test]
    fn raw_hashes_of_stale_documents_are_not_known() {
        let conn = fixture();
        let known = known_raw_hashes(&conn, &HashSet::from([2])).unwrap();
        let mut hashes: Vec<&String> = known.keys().collect();
        hashes.sort();
        assert_eq!(hashes, ["r1", "r3"]);
    }
}
