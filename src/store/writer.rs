//! The single writer: the only code that writes to the database during a run.
//!
//! It borrows the read-write connection for one run: [`Writer::start`] records the run,
//! [`Writer::write_batch`] writes each batch of records ([`super::batch`]) in an immediate
//! transaction that [`Writer::commit`] commits, a few batches at a time, and [`Writer::finish`]
//! ends the run in one more: the lifecycle of files and
//! documents ([`super::lifecycle`]), near-duplicate clusters ([`super::clusters`]), site learning
//! ([`super::sites`]) and the run's row ([`super::run`]). A crash at any point leaves the run
//! `running`; the next run marks it `interrupted` and redoes what it had not finished.

use crate::live_statuses;
use crate::record::{Record, RunCounts, RunScope};
use crate::store::batch::{Batch, Carried, RunInfo};
use crate::store::checkpoint::Checkpointer;
use crate::store::clusters::{self, Buckets, ClusterWork, Stop};
use crate::store::known::{self, KnownFiles};
use crate::store::lifecycle::{IsGone, Lifecycle};
use crate::store::presence::DatabaseFile;
use crate::store::run::{self, Ending, RunStatus};
use crate::store::sites::{self, SiteLearning};
use anyhow::{Context, Result};
use newsdb_core::clean::site::SiteLines;
use rusqlite::{Connection, TransactionBehavior};
use std::cell::Cell;
use std::collections::HashSet;

/// What a run is: the cleaner it cleans with and how it handles near-duplicates.
#[derive(Debug, Clone, Copy)]
pub struct RunConfig<'a> {
    /// Recorded with the run and with every document it stores.
    pub cleaner_version: &'a str,
    /// Sign new documents and maintain clusters. Off, new documents are stored "to check" and the
    /// next run with detection on checks them.
    pub near_duplicates: bool,
    /// Similarity at or above which two documents share a cluster; `None` keeps the stored one.
    pub threshold: Option<f64>,
}

/// Owns the connection for the length of one run. The caller holds the writer lock.
pub struct Writer<'c> {
    conn: &'c mut Connection,
    run: RunInfo,
    threshold: Option<f64>,
    /// The run before this one did not complete (see [`run::Started`]).
    after_unfinished: bool,
    carried: Carried,
    lifecycle: Lifecycle,
    /// A batch of records was written (a run that found every file unchanged writes none).
    wrote_records: bool,
    /// The database file, checked after each batch and before the end (see [`DatabaseFile`]).
    file: Option<DatabaseFile>,
    /// Checkpoints the log while the run writes (`None`: the connection does it itself).
    checkpointer: Option<Checkpointer>,
    /// The run's counts when the open transaction began (`None`: none is open); a rollback puts
    /// them back.
    open: Option<RunCounts>,
}

const SWEEP_LAST_RUN: &str = concat!(
    "UPDATE documents SET last_run_id = ?1
     WHERE last_run_id IS NOT ?1
       AND id IN (SELECT document_id FROM files WHERE last_run_id = ?1 AND status IN ",
    live_statuses!(),
    ")"
);

impl<'c> Writer<'c> {
    /// Records the start of a run over `scopes` and returns the writer for it.
    pub fn start(conn: &'c mut Connection, scopes: &[RunScope], config: RunConfig) -> Result<Self> {
        let started = run::start(conn, scopes, config.cleaner_version)?;
        let next_document_id = run::next_document_id(conn)?;
        let file = DatabaseFile::of(conn);
        let checkpointer = Checkpointer::start(conn);
        Ok(Writer {
            conn,
            run: RunInfo {
                run_id: started.run_id,
                cleaner_version: config.cleaner_version.to_owned(),
                near_duplicates: config.near_duplicates,
            },
            threshold: config.threshold,
            after_unfinished: started.after_unfinished,
            carried: Carried {
                counts: RunCounts::default(),
                next_document_id,
                buckets: Buckets::default(),
                sites: SiteLearning::default(),
            },
            lifecycle: Lifecycle::default(),
            wrote_records: false,
            file,
            checkpointer,
            open: None,
        })
    }

    pub fn run_id(&self) -> i64 {
        self.run.run_id
    }

    /// The folder the database file is in (`None` for a database in memory).
    pub fn folder(&self) -> Option<std::path::PathBuf> {
        let path = self.conn.path().filter(|p| !p.is_empty())?;
        let folder = std::path::Path::new(path).parent()?;
        Some(if folder.as_os_str().is_empty() {
            ".".into()
        } else {
            folder.to_path_buf()
        })
    }

    /// Every whole file the database knows, by path (see [`known::known_files`]).
    pub fn known_files(&self) -> Result<KnownFiles> {
        known::known_files(self.conn)
    }

    /// Documents the current cleaner or site lines would clean differently (see
    /// [`known::stale_documents`]).
    pub fn stale_documents(&self) -> Result<HashSet<i64>> {
        known::stale_documents(self.conn, &self.run.cleaner_version)
    }

    /// Whether stored content rejections were made by this run's cleaner (see
    /// [`known::rejections_are_current`]).
    pub fn rejections_are_current(&self) -> Result<bool> {
        known::rejections_are_current(self.conn, &self.run.cleaner_version)
    }

    /// Raw hashes of stored files that need no cleaning (see [`known::known_raw_hashes`]).
    pub fn known_raw_hashes(&self, stale: &HashSet<i64>) -> Result<known::KnownBytes> {
        known::known_raw_hashes(self.conn, stale)
    }

    /// The boilerplate lines learned per site so far (see [`newsdb_core::clean::site`]).
    pub fn site_lines(&self) -> Result<SiteLines> {
        sites::load(self.conn)
    }

    /// The learned lines per site as they will be once `new` is stored (see [`sites::predict`]).
    pub fn predicted_site_lines(&self, new: &sites::NewPages) -> Result<sites::Prediction> {
        sites::predict(self.conn, new)
    }

    /// Tells the writer what a walk over folders found and what the database knew at the run's
    /// start; returns the known files the walk did not find (see [`Lifecycle::set_walked`]).
    pub fn set_walked(
        &mut self,
        found: impl IntoIterator<Item = impl AsRef<str>>,
        known: &KnownFiles,
    ) -> &[String] {
        self.lifecycle.set_walked(found, known)
    }

    /// Counts files skipped unread because nothing about them changed: nothing is written for them.
    pub fn count_unchanged(&mut self, files: u64) {
        self.carried.counts.files_seen += files;
        self.carried.counts.unchanged += files;
    }

    /// Writes one batch of records, in the open transaction (begun here when none is), for
    /// [`Writer::commit`] to commit. Each batch is whole when written: its site line counts are
    /// settled ([`SiteLearning::settle`]), so a commit after any batch leaves a sound database. A
    /// batch that fails rolls back every batch written since the last commit.
    pub fn write_batch(&mut self, records: &[Record]) -> Result<()> {
        self.wrote_records |= !records.is_empty();
        if self.open.is_none() {
            self.conn
                .execute_batch("BEGIN IMMEDIATE")
                .context("beginning a transaction")?;
            self.open = Some(self.carried.counts);
        }
        let written =
            Batch::new(self.conn, &self.run, &mut self.carried, &mut self.lifecycle).write(records);
        if let Err(e) = written {
            self.roll_back();
            return Err(e);
        }
        if let Some(file) = &self.file {
            file.check()?;
        }
        if records.first().is_some_and(|r| r.line.is_some()) {
            for r in records {
                self.lifecycle
                    .add_discovered(&super::paths::stored(&r.path), r.line);
            }
        }
        Ok(())
    }

    /// Commits the batches written since the last commit (none: nothing to do). Committing a few
    /// batches at once, rather than each, writes fewer pages: a batch's keys land on pages all
    /// over the indexes keyed by hashes (a page of `site_line_counts`, `site_sources` or
    /// `files_raw_hash` in every few), and each commit writes every page it changed to the log,
    /// which a checkpoint then copies into the database (see `Tuning::commit_batches`).
    pub fn commit(&mut self) -> Result<()> {
        if self.open.is_none() {
            return Ok(());
        }
        if let Err(e) = self.conn.execute_batch("COMMIT") {
            self.roll_back();
            return Err(e).context("committing a batch");
        }
        self.open = None;
        // The site line counts are held for a commit's batches, not for the run: held for the
        // run, they grew with the files (2.3 MB at 20k real-text files, 7.6 at 100k) and kept the
        // peak memory from staying flat. The next batches read what they need again (three
        // alternating pairs at 100k files: 38.1-38.8 s against 36.8-38.7 s, peak 142-146 MB
        // against 142-149 MB).
        self.carried.sites.forget_counts();
        Ok(())
    }

    /// Rolls the open transaction back: the batches written since the last commit count for
    /// nothing (a failed run records what it committed), and what they changed of the site line
    /// counts is forgotten with them.
    fn roll_back(&mut self) {
        let Some(counts) = self.open.take() else {
            return;
        };
        // A failed COMMIT may have ended the transaction already, or left it open (busy).
        if !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        self.carried.counts = counts;
        self.carried.sites.forget_counts();
    }

    /// Records the end of a run that saw every source in `scopes`: sources in scope that it did not
    /// see (files: when `is_gone` says they are gone from the disk) are marked deleted, each touched
    /// document's primary file is chosen again, documents no file references are retired (and those
    /// referenced again revived), clusters and site lines are brought up to date, and the run's
    /// counts are stored. All in one transaction: a crash here leaves the run `running`, and the next
    /// run redoes it all. Returns the run's counts.
    ///
    /// `warning` says what the run left undone on purpose (recorded in `runs.warning`). `stop` is
    /// asked now and then during the long parts (the near-duplicate checks); its error ends the run
    /// at once, recorded as `interrupted` (any other error records it as `failed`), and nothing of
    /// the end is kept: the next run does it.
    pub fn finish(
        mut self,
        scopes: &[RunScope],
        is_gone: IsGone,
        warning: Option<&str>,
        stop: Stop,
    ) -> Result<RunCounts> {
        if let Err(err) = self.commit() {
            // The error being reported matters more than a failure to record it.
            let _ = self.end_early(RunStatus::Failed, &format!("{err:#}"));
            return Err(err);
        }
        let Writer {
            conn,
            run,
            threshold,
            after_unfinished,
            mut carried,
            lifecycle,
            wrote_records,
            file,
            checkpointer,
            open: _,
        } = self;
        let run_id = run.run_id;
        let counts_so_far = carried.counts;
        let stopped = Cell::new(false);
        let watched_stop = || stop().inspect_err(|_| stopped.set(true));
        let end = End {
            scopes,
            is_gone,
            warning,
            stop: &watched_stop,
            threshold,
            after_unfinished,
            wrote_records,
        };
        // The end shrinks the page cache (see `release_storing_memory`); the connection is the
        // caller's, and a follow-up run stores with it again.
        let cache_size = conn.pragma_query_value(None, "cache_size", |r| r.get::<_, i64>(0));
        let ended = end_run(conn, &run, &mut carried, lifecycle, &file, &end);
        let restored = cache_size.and_then(|size| conn.pragma_update(None, "cache_size", size));
        // The last checkpoint the thread was asked for overlapped the end's work.
        if let Some(checkpointer) = checkpointer {
            checkpointer.stop(conn);
        }
        match ended {
            Ok(()) => {
                restored.context("restoring the page cache's size")?;
                Ok(carried.counts)
            }
            Err(err) => {
                let status = if stopped.get() {
                    RunStatus::Interrupted
                } else {
                    RunStatus::Failed
                };
                // The error being reported matters more than a failure to record it.
                let _ = end_early(conn, run_id, &counts_so_far, status, &format!("{err:#}"));
                Err(err)
            }
        }
    }

    /// Records that the run failed, with why. Best effort: the database may be what failed.
    pub fn fail(self, error: &str) -> Result<()> {
        self.end_early(RunStatus::Failed, error)
    }

    /// Records the run as interrupted (a signal stopped it between batches), with why.
    pub fn interrupt(self, why: &str) -> Result<()> {
        self.end_early(RunStatus::Interrupted, why)
    }

    fn end_early(mut self, status: RunStatus, error: &str) -> Result<()> {
        // The batches written since the last commit are whole (one that fails is rolled back with
        // them): they stay, as they would have had each been committed. A commit that fails rolls
        // them back.
        let _ = self.commit();
        if let Some(checkpointer) = self.checkpointer.take() {
            checkpointer.stop(self.conn);
        }
        end_early(
            self.conn,
            self.run.run_id,
            &self.carried.counts,
            status,
            error,
        )
    }
}

/// What [`Writer::finish`] was told.
struct End<'a> {
    scopes: &'a [RunScope],
    is_gone: IsGone<'a>,
    warning: Option<&'a str>,
    stop: Stop<'a>,
    threshold: Option<f64>,
    after_unfinished: bool,
    wrote_records: bool,
}

/// The end of a run, in one transaction (see [`Writer::finish`]).
fn end_run(
    conn: &mut Connection,
    run: &RunInfo,
    carried: &mut Carried,
    lifecycle: Lifecycle,
    file: &Option<DatabaseFile>,
    end: &End,
) -> Result<()> {
    let run_id = run.run_id;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let ended = lifecycle
        .end(&tx, run_id, end.scopes, end.is_gone, end.after_unfinished)
        .context("ending the files' and documents' lifecycle")?;
    let counts = &mut carried.counts;
    counts.deleted += ended.deleted;
    counts.retired = ended.retired.len() as u64;
    carried
        .buckets
        .write(&tx)
        .context("writing near-duplicate buckets")?;
    release_storing_memory(&tx, carried)?;
    let stored = clusters::stored_threshold(&tx)?;
    let threshold = end
        .threshold
        .or(stored)
        .unwrap_or(clusters::DEFAULT_THRESHOLD);
    clusters::finish_run(
        &tx,
        &ClusterWork {
            run_id,
            check: run.near_duplicates,
            threshold,
            threshold_changed: stored.is_some_and(|s| s != threshold),
            retired: &ended.retired,
            revived: &ended.revived,
            stop: end.stop,
        },
    )
    .context("grouping near-duplicates")?;
    carried
        .sites
        .settle(&tx, run_id)
        .context("counting site boilerplate lines")?;
    carried.counts.sites_learned = carried.sites.changed() as u64;
    if end.wrote_records {
        tx.execute(SWEEP_LAST_RUN, [run_id])
            .context("marking the documents this run saw")?;
    }
    let ending = Ending {
        status: RunStatus::Completed,
        error: None,
        warning: end.warning,
    };
    run::end(&tx, run_id, &carried.counts, ending).context("recording the run's counts")?;
    if let Some(file) = file {
        file.check()?;
    }
    tx.commit().context("recording the end of the run")?;
    Ok(())
}

/// SQLite's page cache at the run's end, in MiB: see [`release_storing_memory`].
const END_CACHE_MIB: i64 = 16;

/// Gives back what only the storing needed before the run's end, which allocates its own (the
/// near-duplicate checks' shingle cache and sets): the held bucket rows' room, any site line counts
/// still held (the settle at the end reads what it needs again), and most of SQLite's
/// page cache, which the storing sized for a batch's dirty pages ([`crate::tuning::Tuning`]'s
/// `cache_mib`). With all of it held, the end of a 100k-file ingest was its peak, 6-10 MB above the
/// storing (which a 20k-file ingest's end does not reach); without, it stays 30-40 MB below. The
/// end alone (every document of the 100k database checked again) took 9.84-10.06 s with 16 MiB,
/// 9.72-9.78 s with 48 (BENCHMARKS.md, "A flat peak").
fn release_storing_memory(conn: &Connection, carried: &mut Carried) -> Result<()> {
    carried.buckets = Buckets::default();
    carried.sites.forget_counts();
    conn.pragma_update(None, "cache_size", -1024 * END_CACHE_MIB)?;
    crate::release::release_free_memory();
    Ok(())
}

/// Ends a run that did not finish: what its batches committed stays; the documents it stored are
/// checked for near-duplicates again by the next run, and that run looks at every document (see
/// [`run::Started::after_unfinished`]).
fn end_early(
    conn: &Connection,
    run_id: i64,
    counts: &RunCounts,
    status: RunStatus,
    error: &str,
) -> Result<()> {
    let ending = Ending {
        status,
        error: Some(error),
        warning: None,
    };
    // The status first: a small write that may still fit on a full disk. The next run checks this
    // run's documents again whether or not the second write fits (see `run::start`).
    run::end(conn, run_id, counts, ending)?;
    clusters::recheck_run(conn, run_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::Stat;
    use crate::record::Outcome;
    use crate::store::open::in_memory;
    use newsdb_core::Cleaner;
    use std::path::PathBuf;

    fn record(path: &str, text: &str) -> Record {
        let doc = newsdb_core::prepare(text.as_bytes(), &Cleaner::builtin(), true).unwrap();
        Record {
            path: PathBuf::from(path),
            line: None,
            stat: Stat {
                size: text.len() as u64,
                mtime_ns: 1,
            },
            outcome: Outcome::prepared(newsdb_core::hash::sha256_hex(text.as_bytes()), doc),
        }
    }

    const CONFIG: RunConfig = RunConfig {
        cleaner_version: "v",
        near_duplicates: true,
        threshold: None,
    };

    #[test]
    fn a_run_writes_its_batches_and_ends_with_primaries_and_counts() {
        let mut conn = in_memory();
        let scopes = [RunScope::Files(PathBuf::from("/r"))];
        let mut writer = Writer::start(&mut conn, &scopes, CONFIG).unwrap();
        let known = writer.known_files().unwrap();
        writer.set_walked(["/r/b", "/r/a"], &known);
        let text = "The minister spoke in Kyiv on Tuesday about the harbour.\n";
        writer.write_batch(&[record("/r/b", text)]).unwrap();
        writer.write_batch(&[record("/r/a", text)]).unwrap();
        let counts = writer.finish(&scopes, &|_| true, None, &|| Ok(())).unwrap();
        assert_eq!((counts.new_documents, counts.duplicates), (1, 1));
        let primary: String = conn
            .query_row(
                "SELECT path FROM files WHERE status = 'ingested'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(primary, "/r/a");
        let (status, cluster): (String, i64) = conn
            .query_row(
                "SELECT r.status, d.cluster_id FROM runs r, documents d",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((status.as_str(), cluster), ("completed", 1));

        // The next run finds the files gone.
        let mut writer = Writer::start(&mut conn, &scopes, CONFIG).unwrap();
        let known = writer.known_files().unwrap();
        writer.set_walked(std::iter::empty::<&str>(), &known);
        let counts = writer.finish(&scopes, &|_| true, None, &|| Ok(())).unwrap();
        assert_eq!((counts.deleted, counts.retired), (2, 1));
    }

    #[test]
    fn the_end_gives_the_connection_back_with_its_page_cache_size() {
        let mut conn = in_memory();
        conn.pragma_update(None, "cache_size", -1024 * 48).unwrap();
        let scopes = [RunScope::Files(PathBuf::from("/r"))];
        let mut writer = Writer::start(&mut conn, &scopes, CONFIG).unwrap();
        let known = writer.known_files().unwrap();
        writer.set_walked(["/r/a"], &known);
        let text = "The minister spoke in Kyiv on Tuesday about the harbour.\n";
        writer.write_batch(&[record("/r/a", text)]).unwrap();
        writer.finish(&scopes, &|_| true, None, &|| Ok(())).unwrap();
        let size: i64 = conn
            .pragma_query_value(None, "cache_size", |r| r.get(0))
            .unwrap();
        assert_eq!(
            size,
            -1024 * 48,
            "a follow-up run stores with the same cache"
        );
    }

    #[test]
    fn the_documents_a_run_saw_are_marked_seen_by_it_and_only_those() {
        let mut conn = in_memory();
        let scopes = [RunScope::Files(PathBuf::from("/r"))];
        let harbour = "The minister spoke in Kyiv on Tuesday about the harbour.\n";
        let bridge = "The council voted on Monday to close the old bridge for repairs.\n";
        let mut writer = Writer::start(&mut conn, &scopes, CONFIG).unwrap();
        let known = writer.known_files().unwrap();
        writer.set_walked(["/r/a", "/r/b"], &known);
        writer
            .write_batch(&[record("/r/a", harbour), record("/r/b", bridge)])
            .unwrap();
        writer.finish(&scopes, &|_| true, None, &|| Ok(())).unwrap();

        // The second run sees /r/a and /r/b unchanged (not written), a copy of the harbour story
        // and a new story.
        let mut writer = Writer::start(&mut conn, &scopes, CONFIG).unwrap();
        let known = writer.known_files().unwrap();
        writer.set_walked(["/r/a", "/r/b", "/r/c", "/r/d"], &known);
        let storm = "A storm closed the port of Odesa for two days last week.\n";
        writer
            .write_batch(&[record("/r/c", harbour), record("/r/d", storm)])
            .unwrap();
        writer.finish(&scopes, &|_| true, None, &|| Ok(())).unwrap();
        let last_run = |text: &str| -> i64 {
            conn.query_row(
                "SELECT d.last_run_id FROM documents d WHERE d.body = ?1",
                [text.trim_end()],
                |r| r.get(0),
            )
            .unwrap()
        };
        assert_eq!(last_run(harbour), 2, "stored by the first run, seen again");
        assert_eq!(last_run(storm), 2, "stored by the second");
        assert_eq!(last_run(bridge), 1, "not written by the second");
    }

    #[test]
    fn copies_that_join_a_new_document_get_its_primary_chosen_again() {
        let mut conn = in_memory();
        let scopes = [RunScope::Files(PathBuf::from("/r"))];
        let text = "The minister spoke in Kyiv on Tuesday about the harbour.\n";
        let mut writer = Writer::start(&mut conn, &scopes, CONFIG).unwrap();
        let known = writer.known_files().unwrap();
        writer.set_walked(["/r/a", "/r/b"], &known);
        writer
            .write_batch(&[record("/r/b", text), record("/r/a", text)])
            .unwrap();
        writer.finish(&scopes, &|_| true, None, &|| Ok(())).unwrap();

        // The same bytes cleaned again into another document (as by a newer cleaner), read at
        // /r/b only: /r/a, not read, moves with them, and is the new document's primary.
        let mut writer = Writer::start(&mut conn, &scopes, CONFIG).unwrap();
        let known = writer.known_files().unwrap();
        writer.set_walked(["/r/a", "/r/b"], &known);
        let other = "The minister spoke in Kyiv on Wednesday about the harbour.\n";
        let mut again = record("/r/b", other);
        let Outcome::Prepared { raw_hash, .. } = &mut again.outcome else {
            unreachable!("prepared above")
        };
        *raw_hash = newsdb_core::hash::sha256_hex(text.as_bytes());
        writer.write_batch(&[again]).unwrap();
        let counts = writer.finish(&scopes, &|_| true, None, &|| Ok(())).unwrap();
        assert_eq!((counts.new_documents, counts.retired), (1, 1));
        let files: Vec<(String, String, i64)> = conn
            .prepare("SELECT path, status, document_id FROM files ORDER BY path")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(
            files,
            [
                ("/r/a".to_owned(), "ingested".to_owned(), 2),
                ("/r/b".to_owned(), "duplicate".to_owned(), 2)
            ]
        );
    }

    /// Makes the `files` row of `path` fail to be written, as a full disk would.
    fn fail_writing(conn: &Connection, path: &str) {
        conn.execute_batch(&format!(
            "CREATE TEMP TRIGGER fail_writing BEFORE INSERT ON files WHEN NEW.path = '{path}'
             BEGIN SELECT RAISE(ABORT, 'the disk is full'); END"
        ))
        .unwrap();
    }

    #[test]
    fn batches_are_committed_together_and_rolled_back_together() {
        let mut conn = in_memory();
        fail_writing(&conn, "/r/d");
        let scopes = [RunScope::Files(PathBuf::from("/r"))];
        let mut writer = Writer::start(&mut conn, &scopes, CONFIG).unwrap();
        let story = |n: u32| format!("Story {n}: the minister spoke in Kyiv about the harbour.\n");
        writer.write_batch(&[record("/r/a", &story(1))]).unwrap();
        writer.commit().unwrap();
        writer.write_batch(&[record("/r/b", &story(2))]).unwrap();
        writer.write_batch(&[record("/r/c", &story(3))]).unwrap();
        let failed = writer
            .write_batch(&[record("/r/d", &story(4))])
            .unwrap_err();
        assert!(
            format!("{failed:#}").contains("the disk is full"),
            "{failed:#}"
        );
        assert_eq!(
            writer.carried.counts.new_documents, 1,
            "counts rolled back too"
        );
        writer.fail(&format!("{failed:#}")).unwrap();
        let paths: Vec<String> = conn
            .prepare("SELECT path FROM files ORDER BY path")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(
            paths,
            ["/r/a"],
            "the batches since the commit went with the failed one"
        );
        let (status, seen): (String, i64) = conn
            .query_row("SELECT status, files_seen FROM runs", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((status.as_str(), seen), ("failed", 1));
    }

    #[test]
    fn a_run_that_fails_between_batches_keeps_the_batches_it_wrote() {
        let mut conn = in_memory();
        let mut writer = Writer::start(&mut conn, &[], CONFIG).unwrap();
        let text = "The minister spoke in Kyiv on Tuesday about the harbour.\n";
        writer.write_batch(&[record("/r/a", text)]).unwrap();
        // Not committed yet; the run fails elsewhere (a file list that cannot be read back).
        writer.fail("the listing could not be read").unwrap();
        let (files, seen): (i64, i64) = conn
            .query_row(
                "SELECT (SELECT count(*) FROM files), files_seen FROM runs",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((files, seen), (1, 1));
    }

    #[test]
    fn a_failed_run_says_why() {
        let mut conn = in_memory();
        let writer = Writer::start(&mut conn, &[], CONFIG).unwrap();
        writer.fail("the disk is full").unwrap();
        let (status, error): (String, String) = conn
            .query_row("SELECT status, error FROM runs", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(
            (status.as_str(), error.as_str()),
            ("failed", "the disk is full")
        );
    }
}
