//! The single writer: the only code that writes to the database during a run.
//!
//! It owns the read-write connection, takes [`Record`]s in batches, and commits each batch in one
//! immediate transaction with cached prepared statements. Documents are keyed by content hash: a record
//! whose hash is already stored only adds a `files` row pointing at the existing document, so a
//! duplicate never reaches the FTS index. Rows are never rewritten when nothing in them changed.

use crate::prepare::Prepared;
use crate::read::Stat;
use crate::record::{Outcome, Record, RunCounts};
use crate::reject::Rejection;
use anyhow::{Context, Result};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What the database remembers about a file from earlier runs, enough to decide whether to read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownFile {
    pub stat: Stat,
    pub status: String,
    pub reason: Option<String>,
}

/// Owns the connection for the length of one run.
pub struct Writer {
    conn: Connection,
    run_id: i64,
    counts: RunCounts,
}

/// Current time as ISO 8601 UTC, the form every timestamp column holds.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

impl Writer {
    /// Records the start of a run and returns the writer for it.
    pub fn start(conn: Connection, roots: &[PathBuf], cleaner_version: &str) -> Result<Writer> {
        let roots_json =
            serde_json::to_string(&roots.iter().map(|r| path_text(r)).collect::<Vec<_>>())?;
        conn.execute(
            "INSERT INTO runs (started_at, roots, cleaner_version) VALUES (?1, ?2, ?3)",
            params![now(), roots_json, cleaner_version],
        )
        .context("recording the start of the run")?;
        let run_id = conn.last_insert_rowid();
        Ok(Writer {
            conn,
            run_id,
            counts: RunCounts::default(),
        })
    }

    pub fn run_id(&self) -> i64 {
        self.run_id
    }

    pub fn counts(&self) -> RunCounts {
        self.counts
    }

    /// Every file the database knows, by path.
    pub fn known_files(&self) -> Result<HashMap<PathBuf, KnownFile>> {
        let mut stmt = self.conn.prepare(
            "SELECT path, size, mtime, status, reason FROM files WHERE size IS NOT NULL",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                PathBuf::from(r.get::<_, String>(0)?),
                KnownFile {
                    stat: Stat {
                        size: r.get::<_, i64>(1)? as u64,
                        mtime_ns: r.get(2)?,
                    },
                    status: r.get(3)?,
                    reason: r.get(4)?,
                },
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Writes one batch of records in one transaction.
    pub fn write_batch(&mut self, records: &[Record]) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for record in records {
            put_record(&tx, self.run_id, record, &mut self.counts)
                .with_context(|| format!("storing {}", record.path.display()))?;
        }
        tx.commit().context("committing a batch")?;
        Ok(())
    }

    /// Records the end of the run: counts, status, and which documents it saw.
    pub fn finish(self) -> Result<RunCounts> {
        let tx = self.conn.unchecked_transaction()?;
        tx.execute(
            "UPDATE documents SET last_run_id = ?1
             WHERE last_run_id IS NOT ?1
               AND id IN (SELECT document_id FROM files WHERE last_run_id = ?1 AND document_id IS NOT NULL)",
            [self.run_id],
        )?;
        self.update_run(&tx, "completed", None)?;
        tx.commit().context("recording the end of the run")?;
        Ok(self.counts)
    }

    /// Records that the run failed, with why. Best effort: the database may be what failed.
    pub fn fail(self, error: &str) -> Result<()> {
        self.update_run(&self.conn, "failed", Some(error))
    }

    fn update_run(&self, conn: &Connection, status: &str, error: Option<&str>) -> Result<()> {
        let c = &self.counts;
        conn.execute(
            "UPDATE runs SET finished_at = ?2, status = ?3, error = ?4, files_seen = ?5, new_documents = ?6,
                 duplicates = ?7, unchanged = ?8, changed = ?9, failed = ?10
             WHERE id = ?1",
            params![
                self.run_id,
                now(),
                status,
                error,
                c.files_seen as i64,
                c.new_documents as i64,
                c.duplicates as i64,
                c.unchanged as i64,
                c.changed as i64,
                c.failed as i64
            ],
        )?;
        Ok(())
    }
}

/// The stored state of one path, as the writer needs it.
struct StoredFile {
    raw_hash: Option<String>,
    document_id: Option<i64>,
    status: String,
}

const SELECT_FILE: &str = "SELECT raw_hash, document_id, status FROM files WHERE path = ?1";
const SELECT_DOCUMENT: &str = "SELECT id FROM documents WHERE content_hash = ?1";
const TOUCH_FILE: &str = "UPDATE files SET size = ?2, mtime = ?3, last_run_id = ?4 WHERE path = ?1";
const UPSERT_FILE: &str = "
    INSERT INTO files (path, size, mtime, raw_hash, encoding, document_id, title, published, url,
                       status, reason, detail, first_run_id, last_run_id)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)
    ON CONFLICT (path) DO UPDATE SET
        size = excluded.size, mtime = excluded.mtime, raw_hash = excluded.raw_hash,
        encoding = excluded.encoding, document_id = excluded.document_id, title = excluded.title,
        published = excluded.published, url = excluded.url, status = excluded.status,
        reason = excluded.reason, detail = excluded.detail, last_run_id = excluded.last_run_id";

fn put_record(
    conn: &Connection,
    run_id: i64,
    record: &Record,
    counts: &mut RunCounts,
) -> Result<()> {
    counts.files_seen += 1;
    let path = path_text(&record.path);
    let stat = record.stat;
    match &record.outcome {
        Outcome::Unchanged => {
            touch(conn, &path, stat, run_id)?;
            counts.unchanged += 1;
        }
        Outcome::Rejected {
            raw_hash,
            rejection,
        } => {
            put_rejected(conn, run_id, &path, stat, raw_hash.as_deref(), rejection)?;
            counts.failed += 1;
        }
        Outcome::Prepared { raw_hash, doc } => {
            let stored: Option<StoredFile> = conn
                .prepare_cached(SELECT_FILE)?
                .query_row([&path], |r| {
                    Ok(StoredFile {
                        raw_hash: r.get(0)?,
                        document_id: r.get(1)?,
                        status: r.get(2)?,
                    })
                })
                .optional()?;
            let stored_ok = stored
                .as_ref()
                .filter(|s| matches!(s.status.as_str(), "ingested" | "duplicate"));
            // Same bytes as stored (touched, or --verify): nothing to write but the sighting.
            if stored_ok.is_some_and(|s| s.raw_hash.as_deref() == Some(raw_hash.as_str())) {
                touch(conn, &path, stat, run_id)?;
                counts.unchanged += 1;
                return Ok(());
            }
            let existing: Option<i64> = conn
                .prepare_cached(SELECT_DOCUMENT)?
                .query_row([&doc.content_hash], |r| r.get(0))
                .optional()?;
            let (document_id, status) = match existing {
                Some(id) => {
                    fill_in_document(conn, id, doc)?;
                    match stored_ok.filter(|s| s.document_id == Some(id)) {
                        Some(s) => {
                            counts.unchanged += 1;
                            (id, s.status.clone())
                        }
                        None => {
                            counts.duplicates += 1;
                            (id, "duplicate".to_owned())
                        }
                    }
                }
                None => {
                    counts.new_documents += 1;
                    (insert_document(conn, run_id, doc)?, "ingested".to_owned())
                }
            };
            if stored_ok.is_some_and(|s| s.document_id != Some(document_id)) {
                counts.changed += 1;
            }
            conn.prepare_cached(UPSERT_FILE)?.execute(params![
                path,
                stat.size as i64,
                stat.mtime_ns,
                raw_hash,
                doc.encoding,
                document_id,
                doc.header.title,
                doc.header.published,
                doc.header.url,
                status,
                None::<String>,
                None::<String>,
                run_id
            ])?;
        }
    }
    Ok(())
}

fn touch(conn: &Connection, path: &str, stat: Stat, run_id: i64) -> Result<()> {
    conn.prepare_cached(TOUCH_FILE)?.execute(params![
        path,
        stat.size as i64,
        stat.mtime_ns,
        run_id
    ])?;
    Ok(())
}

fn put_rejected(
    conn: &Connection,
    run_id: i64,
    path: &str,
    stat: Stat,
    raw_hash: Option<&str>,
    rejection: &Rejection,
) -> Result<()> {
    conn.prepare_cached(UPSERT_FILE)?.execute(params![
        path,
        stat.size as i64,
        stat.mtime_ns,
        raw_hash,
        None::<String>,
        None::<i64>,
        None::<String>,
        None::<String>,
        None::<String>,
        "error",
        rejection.code(),
        rejection.to_string(),
        run_id
    ])?;
    Ok(())
}

const INSERT_DOCUMENT: &str = "
    INSERT INTO documents (content_hash, title, published, url, domain, body, word_count, cleaner_version,
                           first_run_id, last_run_id)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, (SELECT cleaner_version FROM runs WHERE id = ?8), ?8, ?8)";
const INSERT_FTS: &str = "INSERT INTO documents_fts (rowid, title, body) VALUES (?1, ?2, ?3)";
const INSERT_REMOVED: &str =
    "INSERT INTO removed_lines (document_id, line, rule, text) VALUES (?1, ?2, ?3, ?4)";

/// Stores a new document, its index entry and its cleaning audit. Returns its id.
fn insert_document(conn: &Connection, run_id: i64, doc: &Prepared) -> Result<i64> {
    conn.prepare_cached(INSERT_DOCUMENT)?.execute(params![
        doc.content_hash,
        doc.header.title,
        doc.header.published,
        doc.header.url,
        doc.domain,
        doc.body,
        doc.word_count as i64,
        run_id
    ])?;
    let id = conn.last_insert_rowid();
    conn.prepare_cached(INSERT_FTS)?
        .execute(params![id, doc.header.title, doc.body])?;
    let mut removed = conn.prepare_cached(INSERT_REMOVED)?;
    for r in &doc.removed {
        removed.execute(params![id, r.line as i64, r.rule, r.text])?;
    }
    Ok(id)
}

/// A later copy may carry header fields the first one lacked: fill the gaps, touching the row (and so
/// the FTS index, when the title changes) only if there is a gap to fill.
const FILL_IN_DOCUMENT: &str = "
    UPDATE documents SET
        title = coalesce(title, ?2), published = coalesce(published, ?3),
        url = coalesce(url, ?4), domain = coalesce(domain, ?5)
    WHERE id = ?1
      AND ((title IS NULL AND ?2 IS NOT NULL) OR (published IS NULL AND ?3 IS NOT NULL)
           OR (url IS NULL AND ?4 IS NOT NULL))";

fn fill_in_document(conn: &Connection, id: i64, doc: &Prepared) -> Result<()> {
    conn.prepare_cached(FILL_IN_DOCUMENT)?.execute(params![
        id,
        doc.header.title,
        doc.header.published,
        doc.header.url,
        doc.domain
    ])?;
    Ok(())
}
