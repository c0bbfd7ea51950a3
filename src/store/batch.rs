//! One batch of records, written in one transaction: each record becomes a `files` row pointing at
//! its document (stored before, or new) or holding its rejection, and the run's counts.
//!
//! Documents are keyed by content hash: a record whose hash is already stored only adds a `files` row
//! pointing at the existing document, so a duplicate never reaches the FTS index. Rows are never
//! rewritten when nothing in them changed.

use crate::live_statuses;
use crate::record::{Outcome, Record, RunCounts};
use crate::store::clusters::Buckets;
use crate::store::documents::{self, NewDocument, RemovedLines};
use crate::store::files::{self, FileFields, FileRow, FileState, StoredFile};
use crate::store::lifecycle::Lifecycle;
use crate::store::sites::{SiteLearning, SiteSource};
use anyhow::{Context, Result};
use newsdb_core::Prepared;
use rusqlite::{params, Connection, OptionalExtension};

/// The run a batch belongs to: fixed for the run's length.
#[derive(Debug, Clone)]
pub struct RunInfo {
    pub run_id: i64,
    /// The cleaner this run cleans with, recorded with every document it stores.
    pub cleaner_version: String,
    /// New documents are checked for near-duplicates (else they are stored "to check").
    pub near_duplicates: bool,
}

/// What a run carries from batch to batch, beside the lifecycle.
#[derive(Debug)]
pub struct Carried {
    pub counts: RunCounts,
    /// The id the next new document gets. Chosen here rather than by SQLite so that a document alone
    /// in its cluster is stored with `cluster_id = id` in one insert (an update would rewrite the row).
    pub next_document_id: i64,
    pub buckets: Buckets,
    pub sites: SiteLearning,
}

const SELECT_BY_RAW_HASH: &str = "
    SELECT f.document_id, f.encoding, f.title, f.published, f.url, f.format, f.extractor,
           f.detail FROM files f
    JOIN documents d ON d.id = f.document_id
    WHERE f.raw_hash = ?1
    -- A file seen in this run (an earlier copy of the same bytes), else one cleaned by this cleaner.
    ORDER BY f.last_run_id = ?2 DESC, d.cleaner_version = ?3 DESC, f.id LIMIT 1";

const SELECT_FIELDS_BY_RAW_HASH: &str = "
    SELECT document_id, encoding, title, published, url, format, extractor, detail FROM files
    WHERE raw_hash = ?1 AND document_id = ?2 LIMIT 1";
/// Whether document ?1 has a live file with other bytes than ?3 that run ?2 has not read (yet), and
/// whose bytes no file read in run ?2 has: a byte copy of a file read already needs no cleaning
/// (it is linked where that file went), so it is not waited for. (Waiting for it left a document
/// whose last file in folder order was such a copy stale for good: read and cleaned again by
/// every later run.)
const OTHER_FILES_NOT_READ: &str = concat!(
    "SELECT EXISTS (SELECT 1 FROM files f WHERE f.document_id = ?1 AND f.status IN ",
    live_statuses!(),
    " AND f.last_run_id IS NOT ?2 AND f.raw_hash IS NOT ?3",
    " AND NOT EXISTS (SELECT 1 FROM files g WHERE g.raw_hash = f.raw_hash AND g.last_run_id = ?2))"
);
const SELECT_DOCUMENT_FIELDS: &str =
    "SELECT id, NULL, title, published, url, NULL, NULL, NULL FROM documents WHERE id = ?1";

/// A stored file's document and fields (encoding, title, published, url, format, extractor, note),
/// for a copy of its bytes.
struct Found {
    document_id: i64,
    fields: [Option<String>; 7],
}

/// Writes the records of one batch inside the caller's transaction.
pub struct Batch<'a> {
    conn: &'a Connection,
    run: &'a RunInfo,
    carried: &'a mut Carried,
    lifecycle: &'a mut Lifecycle,
    /// New documents of this batch not yet in the FTS index. They are indexed together, after the
    /// batch's other statements: SQLite opens a statement savepoint for most writes inside a
    /// transaction, and FTS5 writes its pending terms out as a new segment at every savepoint, so
    /// interleaving one FTS insert per file with the `files` upserts made one tiny segment per
    /// document, and merging those took more of the writer's time than indexing itself.
    fts: Vec<(i64, &'a Prepared)>,
    /// Titles found for new documents of this batch that had none, filled once they are indexed.
    titles: Vec<(i64, &'a str)>,
}

impl<'a> Batch<'a> {
    pub fn new(
        conn: &'a Connection,
        run: &'a RunInfo,
        carried: &'a mut Carried,
        lifecycle: &'a mut Lifecycle,
    ) -> Batch<'a> {
        Batch {
            conn,
            run,
            carried,
            lifecycle,
            fts: Vec::new(),
            titles: Vec::new(),
        }
    }

    /// Writes `records`, then indexes the new documents and writes what is held once there is enough.
    pub fn write(mut self, records: &'a [Record]) -> Result<()> {
        // The band keys of every document the batch may store, looked up at once.
        let keys = records.iter().filter_map(|r| match &r.outcome {
            Outcome::Prepared { doc, .. } => doc.band_keys.as_ref(),
            _ => None,
        });
        self.carried
            .buckets
            .look_up(self.conn, keys.flatten().copied())
            .context("looking the batch's near-duplicate keys up")?;
        for record in records {
            self.record(record)
                .with_context(|| format!("storing {}", record.path.display()))?;
        }
        self.index_pending()
            .context("indexing the batch's new documents")?;
        let (conn, run_id) = (self.conn, self.run.run_id);
        self.carried
            .sites
            .settle(conn, run_id)
            .context("counting site boilerplate lines")?;
        if self.carried.buckets.is_full() {
            self.carried
                .buckets
                .write(conn)
                .context("writing near-duplicate buckets")?;
        }
        Ok(())
    }

    fn record(&mut self, record: &'a Record) -> Result<()> {
        let counts = &mut self.carried.counts;
        counts.files_seen += 1;
        let path = crate::store::paths::stored(&record.path);
        let row = |raw_hash| FileRow {
            path: &path,
            stat: record.stat,
            raw_hash,
            line: record.line,
        };
        match &record.outcome {
            Outcome::Rejected {
                raw_hash,
                rejection,
            } => {
                counts.failed += 1;
                let stored = files::stored(self.conn, &path)?;
                if rejection.is_transient() && stored.as_ref().is_some_and(|s| s.is_live()) {
                    // Caught mid-write: keep what was stored until a run reads the file whole.
                    return files::seen(self.conn, &path, self.run.run_id);
                }
                self.lifecycle.affect(stored.and_then(|s| s.document_id));
                files::upsert(
                    self.conn,
                    &row(raw_hash.as_deref()),
                    FileState::Rejected(rejection),
                    self.run.run_id,
                )?;
            }
            Outcome::KnownBytes {
                raw_hash,
                document_id: known,
            } => {
                let fields_of = |r: &rusqlite::Row| -> rusqlite::Result<Found> {
                    Ok(Found {
                        document_id: r.get(0)?,
                        fields: [
                            r.get(1)?,
                            r.get(2)?,
                            r.get(3)?,
                            r.get(4)?,
                            r.get(5)?,
                            r.get(6)?,
                            r.get(7)?,
                        ],
                    })
                };
                let found: Option<Found> = match known {
                    // Bytes known when the run started: the document they make now (the reader
                    // knows only bytes whose document is current), with a file's header fields.
                    // When the only file with them changed earlier in this run, the document's.
                    Some(id) => match self
                        .conn
                        .prepare_cached(SELECT_FIELDS_BY_RAW_HASH)?
                        .query_row(params![raw_hash, id], fields_of)
                        .optional()?
                    {
                        Some(found) => Some(found),
                        None => self
                            .conn
                            .prepare_cached(SELECT_DOCUMENT_FIELDS)?
                            .query_row([id], fields_of)
                            .optional()?,
                    },
                    // A copy of bytes first read in this run: where that file went.
                    None => self
                        .conn
                        .prepare_cached(SELECT_BY_RAW_HASH)?
                        .query_row(
                            params![raw_hash, self.run.run_id, self.run.cleaner_version],
                            fields_of,
                        )
                        .optional()?,
                };
                let found = found.context("finding the stored file with the same bytes")?;
                let [encoding, title, published, url, format, extractor, note] =
                    found.fields.each_ref().map(Option::as_deref);
                let fields = FileFields {
                    encoding,
                    title,
                    published,
                    url,
                    format,
                    extractor,
                    note,
                };
                self.link(
                    &row(Some(raw_hash)),
                    raw_hash,
                    Some(found.document_id),
                    None,
                    &fields,
                )?;
            }
            Outcome::Prepared {
                raw_hash,
                doc,
                removed,
            } => {
                let site = doc.domain.as_deref().map(|domain| SiteSource {
                    domain,
                    page: doc.site_page,
                    candidates: &doc.site_candidates,
                });
                self.carried
                    .sites
                    .source(self.conn, raw_hash, site)
                    .context("recording what the page teaches its site")?;
                let fields = FileFields {
                    encoding: Some(doc.encoding),
                    title: doc.header.title.as_deref(),
                    published: doc.header.published.as_deref(),
                    url: doc.header.url.as_deref(),
                    format: Some(if doc.extractor.is_some() {
                        "html"
                    } else {
                        "text"
                    }),
                    extractor: doc.extractor,
                    note: doc.note.as_deref(),
                };
                let prepared = Some((&**doc, removed));
                self.link(&row(Some(raw_hash)), raw_hash, None, prepared, &fields)?;
            }
        }
        Ok(())
    }

    /// Points the file at its document: `known` when its bytes are those of a stored file, otherwise
    /// the stored document with `doc`'s content hash, or a new document made from `doc` (`prepared`:
    /// the document and the lines it removed).
    fn link(
        &mut self,
        row: &FileRow,
        raw_hash: &str,
        known: Option<i64>,
        prepared: Option<(&'a Prepared, &RemovedLines)>,
        fields: &FileFields,
    ) -> Result<()> {
        let doc = prepared.map(|(doc, _)| doc);
        let stored = files::stored(self.conn, row.path)?;
        let live = stored.as_ref().filter(|s| s.is_live());
        // Same bytes as stored, on the document they make now (touched, or --verify): nothing to
        // write but the sighting. Bytes cleaned again (`doc`) may make another document.
        let on_known = |s: &&StoredFile| {
            s.raw_hash.as_deref() == Some(raw_hash) && known.is_some() && s.document_id == known
        };
        if doc.is_none() && live.is_some_and(|s| on_known(&s)) {
            files::touch(self.conn, row.path, row.stat, self.run.run_id)?;
            self.carried.counts.unchanged += 1;
            return Ok(());
        }
        let existing = match (known, doc) {
            (Some(id), _) => Some(id),
            (None, Some(doc)) => documents::by_content_hash(self.conn, &doc.content_hash)?,
            (None, None) => unreachable!("link needs a known document or a prepared one"),
        };
        let (document_id, first) = match (existing, prepared) {
            (Some(id), prepared) => {
                if let Some((doc, _)) = prepared {
                    self.fill_in_document(id, doc, raw_hash)?;
                }
                if live.is_some_and(|s| s.document_id == Some(id)) {
                    self.carried.counts.unchanged += 1;
                } else {
                    self.carried.counts.duplicates += 1;
                }
                (id, false)
            }
            (None, Some((doc, removed))) => (self.new_document(doc, removed)?, true),
            (None, None) => unreachable!(),
        };
        if let Some(s) = live.filter(|s| s.document_id != Some(document_id)) {
            self.carried.counts.changed += 1;
            self.lifecycle.affect(s.document_id);
        }
        // The bytes' other path is still there (found by this run, or on the disk outside its
        // roots): this path is a copy, not a rename.
        if stored.is_none()
            && files::is_rename(self.conn, row.path, raw_hash, |p, record| {
                self.lifecycle.saw_source(p, record) || super::paths::from_stored(p).exists()
            })?
        {
            self.carried.counts.renamed += 1;
        }
        // A document made by this file has it as its one live file, written primary (`first`): the
        // end has nothing to choose or retire for it unless another file joins it later in the run
        // (then that link affects it). At 100k files, choosing the primaries of every new document
        // again took 0.4 s of the run's end.
        if !first {
            self.lifecycle.affect([document_id]);
        }
        files::upsert(
            self.conn,
            row,
            FileState::Linked {
                document_id,
                fields,
                first,
            },
            self.run.run_id,
        )?;
        if doc.is_some() {
            let left = files::move_copies(self.conn, raw_hash, document_id)?;
            if !left.is_empty() {
                // Copies of these bytes joined it.
                self.lifecycle.affect([document_id]);
            }
            self.lifecycle.affect(left);
        }
        Ok(())
    }

    /// Stores `doc` as a new document, with the lines it removed, and returns its id.
    fn new_document(&mut self, doc: &'a Prepared, removed: &RemovedLines) -> Result<i64> {
        let carried = &mut *self.carried;
        carried.counts.new_documents += 1;
        let id = carried.next_document_id;
        carried.next_document_id += 1;
        // Alone unless a stored document shares a band key: then "to check" (NULL) until the end of
        // the run compares them.
        let cluster_id = match &doc.band_keys {
            Some(keys) if carried.buckets.add(self.conn, id, keys)? => None,
            _ if self.run.near_duplicates => Some(id),
            _ => None,
        };
        let new = NewDocument {
            id,
            cluster_id,
            run_id: self.run.run_id,
            cleaner_version: &self.run.cleaner_version,
        };
        documents::insert(self.conn, &new, doc, removed)?;
        self.fts.push((id, doc));
        Ok(id)
    }

    /// Fills the gaps of stored document `id` from a later copy with bytes `raw_hash`; the document
    /// takes this cleaning's versions once no other live file of it waits to be read in this run.
    fn fill_in_document(&mut self, id: i64, doc: &'a Prepared, raw_hash: &str) -> Result<()> {
        let waiting: bool = self
            .conn
            .prepare_cached(OTHER_FILES_NOT_READ)?
            .query_row(params![id, self.run.run_id, raw_hash], |r| r.get(0))?;
        documents::fill_in(self.conn, id, doc, &self.run.cleaner_version, !waiting)?;
        if let Some(title) = &doc.header.title {
            // A new document of this batch gets its title after the batch's index inserts (indexing
            // it now would split them, see `fts`): the title's trigger rewrites the index entry.
            let untitled_pending =
                |&(pending, doc): &(i64, &Prepared)| pending == id && doc.header.title.is_none();
            if self.fts.iter().any(untitled_pending) {
                self.titles.push((id, title));
            } else {
                documents::fill_in_title(self.conn, id, title)?;
            }
        }
        Ok(())
    }

    /// Adds the new documents held in `fts` to the FTS index, one insert after the other, then fills
    /// the titles held in `titles`.
    fn index_pending(&mut self) -> Result<()> {
        for (id, doc) in self.fts.drain(..) {
            documents::index(self.conn, id, doc)?;
        }
        for (id, title) in self.titles.drain(..) {
            documents::fill_in_title(self.conn, id, title)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::{ReadError, Stat};
    use crate::reject::Rejection;
    use crate::store::open::in_memory;
    use crate::store::schema::FileStatus;
    use newsdb_core::Cleaner;
    use std::path::PathBuf;

    struct Fixture {
        conn: Connection,
        run: RunInfo,
        carried: Carried,
        lifecycle: Lifecycle,
    }

    impl Fixture {
        fn new() -> Fixture {
            let conn = in_memory();
            conn.execute(
                "INSERT INTO runs (id, started_at, roots, cleaner_version) VALUES (1, 't', '[]', 'v')",
                [],
            )
            .unwrap();
            Fixture {
                conn,
                run: RunInfo {
                    run_id: 1,
                    cleaner_version: "v".into(),
                    near_duplicates: true,
                },
                carried: Carried {
                    counts: RunCounts::default(),
                    next_document_id: 1,
                    buckets: Buckets::default(),
                    sites: SiteLearning::default(),
                },
                lifecycle: Lifecycle::default(),
            }
        }

        fn write(&mut self, records: &[Record]) {
            let tx = self.conn.transaction().unwrap();
            Batch::new(&tx, &self.run, &mut self.carried, &mut self.lifecycle)
                .write(records)
                .unwrap();
            tx.commit().unwrap();
        }

        fn count(&self, sql: &str) -> i64 {
            self.conn.query_row(sql, [], |r| r.get(0)).unwrap()
        }
    }

    fn stat(size: u64) -> Stat {
        Stat { size, mtime_ns: 1 }
    }

    fn prepared(path: &str, raw_hash: &str, text: &str) -> Record {
        let doc = newsdb_core::prepare(text.as_bytes(), &Cleaner::builtin(), true).unwrap();
        Record {
            path: PathBuf::from(path),
            line: None,
            stat: stat(text.len() as u64),
            outcome: Outcome::prepared(raw_hash.into(), doc),
        }
    }

    #[test]
    fn copies_of_one_body_make_one_document_with_several_files() {
        let mut f = Fixture::new();
        f.write(&[
            prepared("/a", "r1", "The minister spoke in Kyiv on Tuesday.\n"),
            prepared("/b", "r2", "The  minister spoke in Kyiv on Tuesday.\r\n"),
            Record {
                path: PathBuf::from("/c"),
                line: None,
                stat: stat(3),
                outcome: Outcome::KnownBytes {
                    raw_hash: "r1".into(),
                    document_id: None,
                },
            },
        ]);
        assert_eq!(f.count("SELECT count(*) FROM documents"), 1);
        assert_eq!(
            f.count("SELECT count(*) FROM files WHERE document_id = 1"),
            3
        );
        assert_eq!(f.count("SELECT count(*) FROM documents_fts"), 1);
        let c = f.carried.counts;
        assert_eq!((c.files_seen, c.new_documents, c.duplicates), (3, 1, 2));
    }

    #[test]
    fn a_rejection_is_stored_with_its_reason_and_a_transient_one_keeps_a_live_file() {
        let mut f = Fixture::new();
        f.write(&[prepared(
            "/a",
            "r1",
            "The minister spoke in Kyiv on Tuesday.\n",
        )]);
        let rejected = |path: &str, rejection: Rejection| Record {
            path: PathBuf::from(path),
            line: None,
            stat: stat(1),
            outcome: Outcome::Rejected {
                raw_hash: None,
                rejection,
            },
        };
        f.write(&[
            rejected("/a", ReadError::ChangedWhileRead.into()),
            rejected("/b", newsdb_core::Rejection::Empty.into()),
        ]);
        let status = |path: &str| -> FileStatus {
            f.conn
                .query_row("SELECT status FROM files WHERE path = ?1", [path], |r| {
                    r.get(0)
                })
                .unwrap()
        };
        // As the first write left it (the first file of its document), until read whole.
        assert_eq!(status("/a"), FileStatus::Ingested, "kept until read whole");
        assert_eq!(status("/b"), FileStatus::Error);
        assert_eq!(f.carried.counts.failed, 2);
    }

    #[test]
    fn a_changed_file_moves_to_its_new_document_and_affects_both() {
        let mut f = Fixture::new();
        f.write(&[prepared(
            "/a",
            "r1",
            "The minister spoke in Kyiv on Tuesday.\n",
        )]);
        f.conn
            .execute("UPDATE files SET status = 'ingested'", [])
            .unwrap();
        f.write(&[prepared(
            "/a",
            "r2",
            "A different story about the harbour.\n",
        )]);
        assert_eq!(f.carried.counts.changed, 1);
        assert_eq!(
            f.count("SELECT document_id FROM files WHERE path = '/a'"),
            2
        );
        let ended = std::mem::take(&mut f.lifecycle)
            .end(&f.conn, 1, &[], &|_| true, false)
            .unwrap();
        assert_eq!(
            ended.retired,
            vec![1],
            "the old document lost its only file"
        );
    }
}
