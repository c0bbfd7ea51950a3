//! The single writer: the only code that writes to the database during a run.
//!
//! It owns the read-write connection, takes [`Record`]s in batches, and commits each batch in one
//! immediate transaction with cached prepared statements. Documents are keyed by content hash: a record
//! whose hash is already stored only adds a `files` row pointing at the existing document, so a
//! duplicate never reaches the FTS index. Rows are never rewritten when nothing in them changed.

use crate::clean::site::SiteLines;
use crate::prepare::Prepared;
use crate::read::Stat;
use crate::record::{Outcome, Record, RunCounts, Scope};
use crate::reject::Rejection;
use crate::store::clusters::{self, ClusterWork};
use crate::store::sites::{self, SiteCounts};
use anyhow::{Context, Result};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

/// What the database remembers about a file from earlier runs, enough to decide whether to read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownFile {
    pub stat: Stat,
    pub status: String,
    pub reason: Option<String>,
    /// The file's document, if it has one.
    pub document_id: Option<i64>,
}

/// Every whole file the database knows, by path (as text, see [`path_text`]).
pub type KnownFiles = foldhash::HashMap<String, KnownFile>;

/// Owns the connection for the length of one run. The caller holds the writer lock.
pub struct Writer {
    conn: Connection,
    run_id: i64,
    /// The cleaner this run cleans with, recorded with the run and with every document it stores.
    cleaner_version: String,
    counts: RunCounts,
    /// Every source path discovered in this run: to tell a rename (the old path is gone) from a copy,
    /// and at the end, which sources in scope were not seen.
    discovered: foldhash::HashSet<String>,
    /// Documents whose set of files changed in this run: their primary file is chosen again at the end.
    affected: BTreeSet<i64>,
    near: NearDuplicates,
    buckets: clusters::Buckets,
    /// The id the next new document gets. Chosen here rather than by SQLite so that a document alone
    /// in its cluster is stored with `cluster_id = id` in one insert (an update would rewrite the row).
    next_document_id: i64,
    /// Site-learning counts of this run not yet written: documents per (domain, line hash), with
    /// the line's text.
    site_counts: SiteCounts,
    /// Domains whose learned lines this run changed.
    sites_changed: BTreeSet<String>,
    /// The previous run did not finish: its batches may have moved files off documents it never
    /// got to retire, so this run's end looks at every document, not only the `affected` ones.
    sweep: bool,
    /// A batch of records was written (a run that found every file unchanged writes none).
    wrote_records: bool,
}

/// How this run handles near-duplicates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NearDuplicates {
    /// Sign new documents and maintain clusters. Off, new documents are stored "to check" and the
    /// next run with detection on checks them.
    pub enabled: bool,
    /// Similarity at or above which two documents share a cluster; `None` keeps the stored one.
    pub threshold: Option<f64>,
}

impl Default for NearDuplicates {
    fn default() -> Self {
        NearDuplicates {
            enabled: true,
            threshold: None,
        }
    }
}

/// Current time as ISO 8601 UTC, the form every timestamp column holds.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

impl Writer {
    /// Records the start of a run and returns the writer for it. Runs still marked `running` died
    /// before finishing (the caller holds the writer lock, so none is alive): they become `interrupted`.
    pub fn start(
        conn: Connection,
        scopes: &[Scope],
        cleaner_version: &str,
        near: NearDuplicates,
    ) -> Result<Writer> {
        let previous: Option<String> = conn
            .query_row(
                "SELECT status FROM runs ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let died: Vec<i64> = conn
            .prepare("SELECT id FROM runs WHERE status = 'running'")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for run in died {
            clusters::recheck_run(&conn, run).context("marking documents of an interrupted run")?;
        }
        conn.execute(
            "UPDATE runs SET status = 'interrupted' WHERE status = 'running'",
            [],
        )
        .context("marking interrupted runs")?;
        let roots_json =
            serde_json::to_string(&scopes.iter().map(Scope::label).collect::<Vec<_>>())?;
        conn.execute(
            "INSERT INTO runs (started_at, roots, cleaner_version) VALUES (?1, ?2, ?3)",
            params![now(), roots_json, cleaner_version],
        )
        .context("recording the start of the run")?;
        let run_id = conn.last_insert_rowid();
        let next_document_id =
            conn.query_row("SELECT coalesce(max(id), 0) + 1 FROM documents", [], |r| {
                r.get(0)
            })?;
        Ok(Writer {
            conn,
            run_id,
            cleaner_version: cleaner_version.to_owned(),
            counts: RunCounts::default(),
            sweep: previous.is_some_and(|status| status != "completed"),
            wrote_records: false,
            discovered: foldhash::HashSet::default(),
            affected: BTreeSet::new(),
            near,
            buckets: clusters::Buckets::default(),
            next_document_id,
            site_counts: HashMap::new(),
            sites_changed: BTreeSet::new(),
        })
    }

    /// Tells the writer every path this run found (before any record is written).
    pub fn set_discovered<'a>(&mut self, paths: impl IntoIterator<Item = &'a Path>) {
        self.discovered = paths.into_iter().map(path_text).collect();
    }

    /// Documents cleaned by another cleaner version than this run's: the files that hold them are read
    /// and cleaned again. Read from the `documents_cleaner_version` index alone: a scan of the document
    /// rows would read every body.
    ///
    /// Documents of a site whose learned lines changed since they were cleaned are stale too; those
    /// come from the `documents_site` index.
    pub fn stale_documents(&self) -> Result<HashSet<i64>> {
        let mut stmt = self.conn.prepare(
            "SELECT id FROM documents INDEXED BY documents_cleaner_version
             WHERE cleaner_version IS NOT ?1
             UNION ALL
             SELECT d.id FROM sites s JOIN documents d INDEXED BY documents_site ON d.domain = s.domain
             WHERE d.site_version IS NOT s.version",
        )?;
        let rows = stmt.query_map([&self.cleaner_version], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The boilerplate lines learned per site so far (see [`crate::clean::site`]).
    pub fn site_lines(&self) -> Result<SiteLines> {
        sites::load(&self.conn)
    }

    /// Raw hashes of stored files whose document is not in `stale`: a file with these bytes needs no
    /// decoding or cleaning, only a `files` row pointing at that document.
    pub fn known_raw_hashes(&self, stale: &HashSet<i64>) -> Result<HashSet<String>> {
        let mut stmt = self.conn.prepare(
            "SELECT raw_hash, document_id FROM files
             WHERE raw_hash IS NOT NULL AND document_id IS NOT NULL",
        )?;
        let mut known = HashSet::new();
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            if !stale.contains(&r.get::<_, i64>(1)?) {
                known.insert(r.get(0)?);
            }
        }
        Ok(known)
    }

    /// Counts files skipped unread because nothing about them changed: nothing is written for them.
    pub fn count_unchanged(&mut self, files: u64) {
        self.counts.files_seen += files;
        self.counts.unchanged += files;
    }

    pub fn run_id(&self) -> i64 {
        self.run_id
    }

    /// Every whole file the database knows, by path.
    /// Keyed by the path as stored (text): hashed with foldhash, not as `PathBuf` components with the
    /// standard library's SipHash, which was a tenth of an unchanged re-run.
    pub fn known_files(&self) -> Result<KnownFiles> {
        let mut stmt = self.conn.prepare(
            "SELECT path, size, mtime, status, reason, document_id FROM files
             WHERE size IS NOT NULL AND line IS NULL",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                KnownFile {
                    stat: Stat {
                        size: r.get::<_, i64>(1)? as u64,
                        mtime_ns: r.get(2)?,
                    },
                    status: r.get(3)?,
                    reason: r.get(4)?,
                    document_id: r.get(5)?,
                },
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Writes one batch of records in one transaction.
    pub fn write_batch(&mut self, records: &[Record]) -> Result<()> {
        self.wrote_records |= !records.is_empty();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut put = Put {
            conn: &tx,
            run_id: self.run_id,
            cleaner_version: &self.cleaner_version,
            counts: &mut self.counts,
            discovered: &self.discovered,
            affected: &mut self.affected,
            line: None,
            near_enabled: self.near.enabled,
            next_document_id: &mut self.next_document_id,
            buckets: &mut self.buckets,
            site_counts: &mut self.site_counts,
            fts: Vec::new(),
            titles: Vec::new(),
        };
        for record in records {
            put.record(record)
                .with_context(|| format!("storing {}", record.path.display()))?;
        }
        put.index_pending()
            .context("indexing the batch's new documents")?;
        if self.site_counts.len() >= sites::FLUSH_COUNTS {
            sites::learn(
                &tx,
                self.run_id,
                &mut self.site_counts,
                &mut self.sites_changed,
            )
            .context("counting site boilerplate lines")?;
        }
        if self.buckets.is_full() {
            self.buckets
                .write(&tx)
                .context("writing near-duplicate buckets")?;
        }
        tx.commit().context("committing a batch")?;
        if records.first().is_some_and(|r| r.line.is_some()) {
            self.discovered
                .extend(records.iter().map(|r| path_text(&r.path)));
        }
        Ok(())
    }

    /// Records the end of a run that saw every source in `scopes`: sources in scope that it did not
    /// see (files: and that are gone from the disk) are marked deleted, each touched document's
    /// primary file is chosen again, documents no file references are retired (and those referenced
    /// again revived), and the run's counts are stored. All in one transaction: a crash here leaves
    /// the run `running`, and the next run redoes it all.
    /// Returns the run's counts and the connection.
    pub fn finish(mut self, scopes: &[Scope]) -> Result<(RunCounts, Connection)> {
        let run = self.run_id;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for scope in scopes {
            mark_deleted(
                &tx,
                run,
                scope,
                &self.discovered,
                &mut self.counts,
                &mut self.affected,
            )?;
        }
        {
            let mut primary = tx.prepare_cached(CHOOSE_PRIMARY)?;
            for id in &self.affected {
                primary.execute([id])?;
            }
        }
        let revived: Vec<i64> = tx
            .prepare(REVIVABLE)?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        self.counts.retired = if self.sweep {
            tx.execute(RETIRE, [run])? as u64
        } else {
            // Only a document whose files changed in this run can have lost its last one.
            let mut retire = tx.prepare_cached(RETIRE_ONE)?;
            let mut retired = 0;
            for id in &self.affected {
                retired += retire.execute([run, *id])? as u64;
            }
            retired
        };
        let retired: Vec<i64> = tx
            .prepare("SELECT id FROM documents WHERE retired_run_id = ?1")?
            .query_map([run], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        tx.execute(REVIVE, [])?;
        self.buckets
            .write(&tx)
            .context("writing near-duplicate buckets")?;
        let stored = clusters::stored_threshold(&tx)?;
        let threshold = self
            .near
            .threshold
            .or(stored)
            .unwrap_or(clusters::DEFAULT_THRESHOLD);
        clusters::finish_run(
            &tx,
            &ClusterWork {
                run_id: run,
                check: self.near.enabled,
                threshold,
                threshold_changed: stored.is_some_and(|s| s != threshold),
                retired: &retired,
                revived: &revived,
            },
        )
        .context("grouping near-duplicates")?;
        sites::learn(&tx, run, &mut self.site_counts, &mut self.sites_changed)
            .context("counting site boilerplate lines")?;
        self.counts.sites_learned = self.sites_changed.len() as u64;
        if self.wrote_records {
            tx.execute(
                "UPDATE documents SET last_run_id = ?1
                 WHERE last_run_id IS NOT ?1
                   AND id IN (SELECT document_id FROM files
                              WHERE last_run_id = ?1 AND status IN ('ingested', 'duplicate'))",
                [run],
            )?;
        }
        update_run(&tx, run, &self.counts, "completed", None)?;
        tx.commit().context("recording the end of the run")?;
        Ok((self.counts, self.conn))
    }

    /// Records that the run failed, with why. Best effort: the database may be what failed.
    pub fn fail(self, error: &str) -> Result<()> {
        update_run(&self.conn, self.run_id, &self.counts, "failed", Some(error))?;
        clusters::recheck_run(&self.conn, self.run_id)
    }
}

fn update_run(
    conn: &Connection,
    run_id: i64,
    c: &RunCounts,
    status: &str,
    error: Option<&str>,
) -> Result<()> {
    conn.execute(
        "UPDATE runs SET finished_at = ?2, status = ?3, error = ?4, files_seen = ?5, new_documents = ?6,
             duplicates = ?7, unchanged = ?8, changed = ?9, renamed = ?10, failed = ?11, deleted = ?12,
             retired = ?13, sites_learned = ?14
         WHERE id = ?1",
        params![
            run_id,
            now(),
            status,
            error,
            c.files_seen as i64,
            c.new_documents as i64,
            c.duplicates as i64,
            c.unchanged as i64,
            c.changed as i64,
            c.renamed as i64,
            c.failed as i64,
            c.deleted as i64,
            c.retired as i64,
            c.sites_learned as i64
        ],
    )?;
    Ok(())
}

/// Sources in `scope` that this run did not see become `deleted`: files under a walked root when they
/// are no longer on disk (or are now folders), so a file that exists but was not taken (another
/// `--ext`, say) is left alone; records of a JSON Lines file when the file no longer has that line.
fn mark_deleted(
    conn: &Connection,
    run_id: i64,
    scope: &Scope,
    discovered: &foldhash::HashSet<String>,
    counts: &mut RunCounts,
    affected: &mut BTreeSet<i64>,
) -> Result<()> {
    let (sql, prefix) = match scope {
        Scope::Files(root) => (
            "SELECT id, path, document_id FROM files
             WHERE status <> 'deleted' AND line IS NULL
               AND (path = ?1 OR substr(path, 1, length(?1) + 1) = ?1 || '/')",
            path_text(root),
        ),
        Scope::Lines(prefix) => (
            "SELECT id, path, document_id FROM files
             WHERE status <> 'deleted' AND line IS NOT NULL
               AND substr(path, 1, length(?1) + 1) = ?1 || '#'",
            prefix.clone(),
        ),
    };
    // Every stored file in scope is read here, nearly all of them seen: a path is copied out only
    // when it was not.
    let mut unseen: Vec<(i64, String, Option<i64>)> = Vec::new();
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query([prefix])?;
    while let Some(r) = rows.next()? {
        let path = r.get_ref(1)?.as_str()?;
        if !discovered.contains(path) {
            unseen.push((r.get(0)?, path.to_owned(), r.get(2)?));
        }
    }
    drop(rows);
    drop(stmt);
    for (id, path, document_id) in unseen {
        let gone = match scope {
            Scope::Lines(_) => true,
            Scope::Files(_) => match std::fs::symlink_metadata(&path) {
                Ok(meta) => meta.is_dir(),
                Err(e) => e.kind() == std::io::ErrorKind::NotFound,
            },
        };
        if gone {
            conn.prepare_cached(
                "UPDATE files SET status = 'deleted', deleted_run_id = ?2 WHERE id = ?1",
            )?
            .execute(params![id, run_id])?;
            counts.deleted += 1;
            affected.extend(document_id);
        }
    }
    Ok(())
}

/// A document's primary file, status `ingested`, is its live file with the smallest path; its other
/// live files are `duplicate`. Derived, so any history of runs ends where a fresh ingest would.
const CHOOSE_PRIMARY: &str = "
    UPDATE files SET status = CASE
            WHEN path = (SELECT min(path) FROM files f WHERE f.document_id = ?1 AND f.status IN ('ingested', 'duplicate'))
            THEN 'ingested' ELSE 'duplicate' END
    WHERE document_id = ?1 AND status IN ('ingested', 'duplicate')
      AND status IS NOT CASE
            WHEN path = (SELECT min(path) FROM files f WHERE f.document_id = ?1 AND f.status IN ('ingested', 'duplicate'))
            THEN 'ingested' ELSE 'duplicate' END";

/// Documents without a live file are retired by this run (?1); retired ones with a live file again
/// (a restored or re-created file) are revived. The inner query needs only ids, so SQLite scans a small
/// index instead of the document rows and their bodies; REVIVE reads the `documents_retired` index.
const RETIRE: &str = "
    UPDATE documents SET retired_run_id = ?1
    WHERE retired_run_id IS NULL
      AND id IN (SELECT d.id FROM documents d
                 WHERE NOT EXISTS (SELECT 1 FROM files f
                                   WHERE f.document_id = d.id AND f.status IN ('ingested', 'duplicate')))";
const RETIRE_ONE: &str = "
    UPDATE documents SET retired_run_id = ?1
    WHERE id = ?2 AND retired_run_id IS NULL
      AND NOT EXISTS (SELECT 1 FROM files f
                      WHERE f.document_id = ?2 AND f.status IN ('ingested', 'duplicate'))";
const REVIVABLE: &str = "
    SELECT id FROM documents
    WHERE retired_run_id IS NOT NULL
      AND EXISTS (SELECT 1 FROM files f WHERE f.document_id = documents.id AND f.status IN ('ingested', 'duplicate'))";
const REVIVE: &str = "
    UPDATE documents SET retired_run_id = NULL
    WHERE retired_run_id IS NOT NULL
      AND EXISTS (SELECT 1 FROM files f WHERE f.document_id = documents.id AND f.status IN ('ingested', 'duplicate'))";

/// The stored state of one path, as the writer needs it.
struct StoredFile {
    raw_hash: Option<String>,
    document_id: Option<i64>,
    status: String,
}

impl StoredFile {
    /// Whether the file currently stands for a document (as opposed to an error or a deletion).
    fn is_live(&self) -> bool {
        matches!(self.status.as_str(), "ingested" | "duplicate")
    }
}

/// What a file's row says about it.
enum FileState<'a> {
    /// The file stands for this document.
    Linked {
        document_id: i64,
        fields: &'a FileFields<'a>,
    },
    /// The file was rejected.
    Rejected(&'a Rejection),
}

/// Header fields and encoding of a file, as stored in its `files` row.
struct FileFields<'a> {
    encoding: Option<&'a str>,
    title: Option<&'a str>,
    published: Option<&'a str>,
    url: Option<&'a str>,
}

const SELECT_FILE: &str = "SELECT raw_hash, document_id, status FROM files WHERE path = ?1";
const SELECT_DOCUMENT: &str = "SELECT id FROM documents WHERE content_hash = ?1";
const SELECT_BY_RAW_HASH: &str = "
    SELECT f.document_id, f.encoding, f.title, f.published, f.url FROM files f
    JOIN documents d ON d.id = f.document_id
    WHERE f.raw_hash = ?1
    -- A file seen in this run (an earlier copy of the same bytes), else one cleaned by this cleaner.
    ORDER BY f.last_run_id = ?2 DESC, d.cleaner_version = ?3 DESC, f.id LIMIT 1";
const OTHER_PATHS_WITH_RAW_HASH: &str = "SELECT path FROM files WHERE raw_hash = ?1 AND path <> ?2";
const TOUCH_FILE: &str = "UPDATE files SET size = ?2, mtime = ?3, last_run_id = ?4 WHERE path = ?1";
const UPSERT_FILE: &str = "
    INSERT INTO files (path, size, mtime, raw_hash, encoding, document_id, title, published, url,
                       status, reason, detail, first_run_id, last_run_id, line)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?14)
    ON CONFLICT (path) DO UPDATE SET
        size = excluded.size, mtime = excluded.mtime, raw_hash = excluded.raw_hash,
        encoding = excluded.encoding, document_id = excluded.document_id, title = excluded.title,
        published = excluded.published, url = excluded.url, status = excluded.status,
        reason = excluded.reason, detail = excluded.detail, last_run_id = excluded.last_run_id,
        deleted_run_id = NULL";

/// Writes records inside one batch transaction.
struct Put<'a> {
    conn: &'a Connection,
    run_id: i64,
    cleaner_version: &'a str,
    counts: &'a mut RunCounts,
    discovered: &'a foldhash::HashSet<String>,
    affected: &'a mut BTreeSet<i64>,
    /// The line number of the record being written, for JSON Lines records.
    line: Option<u64>,
    near_enabled: bool,
    next_document_id: &'a mut i64,
    buckets: &'a mut clusters::Buckets,
    site_counts: &'a mut SiteCounts,
    /// New documents of this batch not yet in the FTS index. They are indexed together, after the
    /// batch's other statements: SQLite opens a statement savepoint for most writes inside a
    /// transaction, and FTS5 writes its pending terms out as a new segment at every savepoint, so
    /// interleaving one FTS insert per file with the `files` upserts made one tiny segment per
    /// document, and merging those took more of the writer's time than indexing itself.
    fts: Vec<(i64, &'a Prepared)>,
    /// Titles found for new documents of this batch that had none, filled once they are indexed.
    titles: Vec<(i64, &'a str)>,
}

impl<'a> Put<'a> {
    fn record(&mut self, record: &'a Record) -> Result<()> {
        self.counts.files_seen += 1;
        self.line = record.line;
        let path = path_text(&record.path);
        let stat = record.stat;
        match &record.outcome {
            Outcome::Rejected {
                raw_hash,
                rejection,
            } => {
                self.counts.failed += 1;
                let stored = self.stored(&path)?;
                if rejection.is_transient() && stored.as_ref().is_some_and(StoredFile::is_live) {
                    // Caught mid-write: keep what was stored until a run reads the file whole.
                    self.conn
                        .prepare_cached("UPDATE files SET last_run_id = ?2 WHERE path = ?1")?
                        .execute(params![path, self.run_id])?;
                    return Ok(());
                }
                self.affected.extend(stored.and_then(|s| s.document_id));
                self.upsert_file(
                    &path,
                    stat,
                    raw_hash.as_deref(),
                    FileState::Rejected(rejection),
                )?;
            }
            Outcome::KnownBytes { raw_hash } => {
                let (document_id, encoding, title, published, url): (
                    i64,
                    Option<String>,
                    Option<String>,
                    Option<String>,
                    Option<String>,
                ) = self
                    .conn
                    .prepare_cached(SELECT_BY_RAW_HASH)?
                    .query_row(params![raw_hash, self.run_id, self.cleaner_version], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                    })
                    .context("finding the stored file with the same bytes")?;
                let fields = FileFields {
                    encoding: encoding.as_deref(),
                    title: title.as_deref(),
                    published: published.as_deref(),
                    url: url.as_deref(),
                };
                self.link(&path, stat, raw_hash, Some(document_id), None, &fields)?;
            }
            Outcome::Prepared { raw_hash, doc } => {
                let fields = FileFields {
                    encoding: Some(doc.encoding),
                    title: doc.header.title.as_deref(),
                    published: doc.header.published.as_deref(),
                    url: doc.header.url.as_deref(),
                };
                self.link(&path, stat, raw_hash, None, Some(&**doc), &fields)?;
            }
        }
        Ok(())
    }

    fn stored(&self, path: &str) -> Result<Option<StoredFile>> {
        Ok(self
            .conn
            .prepare_cached(SELECT_FILE)?
            .query_row([path], |r| {
                Ok(StoredFile {
                    raw_hash: r.get(0)?,
                    document_id: r.get(1)?,
                    status: r.get(2)?,
                })
            })
            .optional()?)
    }

    fn touch(&self, path: &str, stat: Stat) -> Result<()> {
        self.conn.prepare_cached(TOUCH_FILE)?.execute(params![
            path,
            stat.size as i64,
            stat.mtime_ns,
            self.run_id
        ])?;
        Ok(())
    }

    /// Points the file at its document: `known` when its bytes are those of a stored file, otherwise
    /// the stored document with `doc`'s content hash, or a new document made from `doc`.
    fn link(
        &mut self,
        path: &str,
        stat: Stat,
        raw_hash: &str,
        known: Option<i64>,
        doc: Option<&'a Prepared>,
        fields: &FileFields,
    ) -> Result<()> {
        let stored = self.stored(path)?;
        let live = stored.as_ref().filter(|s| s.is_live());
        // Same bytes as stored and cleaned by this cleaner (touched, or --verify): nothing to write
        // but the sighting. Bytes cleaned again (`doc`) may make another document.
        if doc.is_none() && live.is_some_and(|s| s.raw_hash.as_deref() == Some(raw_hash)) {
            self.touch(path, stat)?;
            self.counts.unchanged += 1;
            return Ok(());
        }
        let existing = match (known, doc) {
            (Some(id), _) => Some(id),
            (None, Some(doc)) => self
                .conn
                .prepare_cached(SELECT_DOCUMENT)?
                .query_row([&doc.content_hash], |r| r.get(0))
                .optional()?,
            (None, None) => unreachable!("link needs a known document or a prepared one"),
        };
        let document_id = match (existing, doc) {
            (Some(id), doc) => {
                if let Some(doc) = doc {
                    self.fill_in_document(id, doc)?;
                }
                if live.is_some_and(|s| s.document_id == Some(id)) {
                    self.counts.unchanged += 1;
                } else {
                    self.counts.duplicates += 1;
                }
                id
            }
            (None, Some(doc)) => {
                self.counts.new_documents += 1;
                let id = *self.next_document_id;
                *self.next_document_id += 1;
                // Alone unless a stored document shares a band key: then "to check" (NULL) until the
                // end of the run compares them.
                let cluster_id = match &doc.band_keys {
                    Some(keys) if self.buckets.add(self.conn, id, keys)? => None,
                    _ if self.near_enabled => Some(id),
                    _ => None,
                };
                insert_document(
                    self.conn,
                    self.run_id,
                    self.cleaner_version,
                    id,
                    cluster_id,
                    doc,
                )?;
                self.fts.push((id, doc));
                // A site's lines are counted once per document, from the file that brought it; a
                // file cleaned again (stored before) does not count twice.
                if let (Some(domain), None) = (&doc.domain, &stored) {
                    for c in &doc.site_candidates {
                        let entry = self
                            .site_counts
                            .entry((domain.clone(), c.hash))
                            .or_insert_with(|| (0, c.text.clone()));
                        entry.0 += 1;
                    }
                }
                id
            }
            (None, None) => unreachable!(),
        };
        if let Some(s) = live.filter(|s| s.document_id != Some(document_id)) {
            self.counts.changed += 1;
            self.affected.extend(s.document_id);
        }
        if stored.is_none() && self.is_rename(path, raw_hash)? {
            self.counts.renamed += 1;
        }
        self.affected.insert(document_id);
        self.upsert_file(
            path,
            stat,
            Some(raw_hash),
            FileState::Linked {
                document_id,
                fields,
            },
        )
    }

    /// Fills the gaps of stored document `id` from a later copy (see [`FILL_IN_DOCUMENT`]).
    fn fill_in_document(&mut self, id: i64, doc: &'a Prepared) -> Result<()> {
        self.conn
            .prepare_cached(FILL_IN_DOCUMENT)?
            .execute(params![
                id,
                doc.header.published,
                doc.header.url,
                doc.domain,
                doc.lang,
                self.cleaner_version,
                doc.quality.stopword_ratio,
                doc.quality.alpha_ratio,
                doc.quality.repetition,
                doc.quality.boilerplate_ratio,
                doc.site_version
            ])?;
        if let Some(title) = &doc.header.title {
            // The title is indexed: its update's trigger rewrites the document's index entry, which
            // must be there first. A new document of this batch gets its title after the batch's
            // index inserts (indexing it now would split them, see `fts`).
            let untitled_pending =
                |&(pending, doc): &(i64, &Prepared)| pending == id && doc.header.title.is_none();
            if self.fts.iter().any(untitled_pending) {
                self.titles.push((id, title));
            } else {
                self.conn
                    .prepare_cached(FILL_IN_TITLE)?
                    .execute(params![id, title])?;
            }
        }
        Ok(())
    }

    /// Adds the new documents held in `fts` to the FTS index, one insert after the other.
    /// Then fills the titles held in `titles`.
    fn index_pending(&mut self) -> Result<()> {
        let mut insert = self.conn.prepare_cached(INSERT_FTS)?;
        for (id, doc) in self.fts.drain(..) {
            insert.execute(params![id, doc.header.title, doc.body])?;
        }
        let mut fill = self.conn.prepare_cached(FILL_IN_TITLE)?;
        for (id, title) in self.titles.drain(..) {
            fill.execute(params![id, title])?;
        }
        Ok(())
    }

    /// Inserts or updates a file's row: linked to its document, or rejected with its reason.
    fn upsert_file(
        &self,
        path: &str,
        stat: Stat,
        raw_hash: Option<&str>,
        state: FileState,
    ) -> Result<()> {
        let none = FileFields {
            encoding: None,
            title: None,
            published: None,
            url: None,
        };
        let (document_id, fields, status, reason, detail) = match state {
            // The end of the run chooses each document's primary file (`ingested`).
            FileState::Linked {
                document_id,
                fields,
            } => (Some(document_id), fields, "duplicate", None, None),
            FileState::Rejected(rejection) => (
                None,
                &none,
                "error",
                Some(rejection.code()),
                Some(rejection.to_string()),
            ),
        };
        self.conn.prepare_cached(UPSERT_FILE)?.execute(params![
            path,
            stat.size as i64,
            stat.mtime_ns,
            raw_hash,
            fields.encoding,
            document_id,
            fields.title,
            fields.published,
            fields.url,
            status,
            reason,
            detail,
            self.run_id,
            self.line.map(|l| l as i64)
        ])?;
        Ok(())
    }

    /// A new path is a rename when a stored file with the same bytes is no longer where it was.
    fn is_rename(&self, path: &str, raw_hash: &str) -> Result<bool> {
        let mut stmt = self.conn.prepare_cached(OTHER_PATHS_WITH_RAW_HASH)?;
        let others = stmt.query_map(params![raw_hash, path], |r| r.get::<_, String>(0))?;
        for other in others {
            if !self.discovered.contains(&other?) {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

const INSERT_DOCUMENT: &str = "
    INSERT INTO documents (content_hash, title, published, url, domain, body, word_count, cleaner_version,
                           first_run_id, last_run_id, lang, id, cluster_id, stopword_ratio, alpha_ratio,
                           repetition, boilerplate_ratio, site_version)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";
const INSERT_FTS: &str = "INSERT INTO documents_fts (rowid, title, body) VALUES (?1, ?2, ?3)";
const INSERT_REMOVED: &str =
    "INSERT INTO removed_lines (document_id, line, rule, text) VALUES (?1, ?2, ?3, ?4)";

/// Stores a new document as `id` and its cleaning audit (its index entry is added with the batch's).
fn insert_document(
    conn: &Connection,
    run_id: i64,
    cleaner_version: &str,
    id: i64,
    cluster_id: Option<i64>,
    doc: &Prepared,
) -> Result<()> {
    conn.prepare_cached(INSERT_DOCUMENT)?.execute(params![
        doc.content_hash,
        doc.header.title,
        doc.header.published,
        doc.header.url,
        doc.domain,
        doc.body,
        doc.word_count as i64,
        cleaner_version,
        run_id,
        doc.lang,
        id,
        cluster_id,
        doc.quality.stopword_ratio,
        doc.quality.alpha_ratio,
        doc.quality.repetition,
        doc.quality.boilerplate_ratio,
        doc.site_version
    ])?;
    let mut removed = conn.prepare_cached(INSERT_REMOVED)?;
    for r in &doc.removed {
        removed.execute(params![id, r.line as i64, r.rule, r.text])?;
    }
    Ok(())
}

/// A later copy may carry header fields the first one lacked: fill the gaps, touching the row only if
/// there is a gap to fill. A document re-cleaned by a newer cleaner into the same body takes the new
/// cleaner version and what it derives (`lang`, the quality signals). The title is filled by
/// [`FILL_IN_TITLE`]: a statement naming it fires the trigger that rewrites the index entry.
const FILL_IN_DOCUMENT: &str = "
    UPDATE documents SET
        published = coalesce(published, ?2),
        url = coalesce(url, ?3), domain = coalesce(domain, ?4),
        lang = CASE WHEN cleaner_version IS NOT ?6 THEN ?5 ELSE lang END,
        stopword_ratio = CASE WHEN cleaner_version IS NOT ?6 THEN ?7 ELSE stopword_ratio END,
        alpha_ratio = CASE WHEN cleaner_version IS NOT ?6 THEN ?8 ELSE alpha_ratio END,
        repetition = CASE WHEN cleaner_version IS NOT ?6 THEN ?9 ELSE repetition END,
        boilerplate_ratio = CASE WHEN cleaner_version IS NOT ?6 THEN ?10 ELSE boilerplate_ratio END,
        cleaner_version = ?6,
        site_version = CASE WHEN domain IS ?4 THEN ?11 ELSE site_version END
    WHERE id = ?1
      AND ((published IS NULL AND ?2 IS NOT NULL) OR (url IS NULL AND ?3 IS NOT NULL)
           OR cleaner_version IS NOT ?6 OR (domain IS ?4 AND site_version IS NOT ?11))";
const FILL_IN_TITLE: &str = "UPDATE documents SET title = ?2 WHERE id = ?1 AND title IS NULL";

/// Deletes retired documents (with their index entries and cleaning audit) for good. Files that
/// pointed at them keep their history rows, without a document. Returns how many were deleted.
pub fn prune_retired(conn: &mut Connection) -> Result<u64> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute(
        "UPDATE files SET document_id = NULL
         WHERE document_id IN (SELECT id FROM documents WHERE retired_run_id IS NOT NULL)",
        [],
    )?;
    // The documents_ad trigger removes each from the FTS index; removed_lines and near_duplicates
    // cascade; the buckets have no foreign key.
    clusters::forget_retired(&tx)?;
    let pruned = tx.execute("DELETE FROM documents WHERE retired_run_id IS NOT NULL", [])?;
    tx.commit().context("pruning retired documents")?;
    Ok(pruned as u64)
}
