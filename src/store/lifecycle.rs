//! The lifecycle of files and documents at the end of a run: files not seen are marked deleted, each
//! touched document's primary file is chosen again, documents left without a live file are retired
//! and retired ones with a live file again are revived. All of it is derived from the files' rows, so
//! any history of runs ends where a fresh ingest would.

use super::known::KnownFiles;
use super::seen::{path_key, Seen};
use super::FileStatus;
use crate::live_statuses;
use crate::record::RunScope;
use anyhow::Result;
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::BTreeSet;
use std::path::Path;

/// What a run learns, as it writes, about the lifecycle of its files and documents.
#[derive(Debug, Default)]
pub struct Lifecycle {
    /// The sources this run found that a walk did not list (JSON Lines records, as they come): to
    /// tell a rename (the old path is gone) from a copy, and at the end, which sources in scope were
    /// not seen.
    discovered: Seen,
    /// After a walk over folders ([`Lifecycle::set_walked`]): the whole files the database knew at
    /// the run's start that the walk did not find, in any status, by [`path_key`]. Every other
    /// whole file the database holds was found (a file the run writes is one it found), so the run
    /// keeps nothing per file found: keeping the found paths' hashes instead, a fresh ingest held
    /// 2.2 MB at 100k files and 0.6 MB at 20k, and its peak memory grew with the folder.
    missing: Option<foldhash::HashSet<u128>>,
    /// Of those, the ones not marked deleted already: the end of the run looks only at these,
    /// instead of reading every file row in scope again (on an unchanged re-run, that scan was a
    /// seventh of the time).
    unseen_files: Option<Vec<String>>,
    /// Documents whose set of files changed in this run: their primary file is chosen again at the
    /// end, and they may have lost their last file. A document the run stores is added only once
    /// a file joins the one that made it (that one is written primary, see `store::batch`).
    affected: BTreeSet<i64>,
}

/// What the end of a run changed in the documents' lifecycle.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Ended {
    /// Files found gone.
    pub deleted: u64,
    /// Documents retired by this run.
    pub retired: Vec<i64>,
    /// Documents revived by this run.
    pub revived: Vec<i64>,
}

/// Documents without a live file are retired by this run (?1); retired ones with a live file again
/// (a restored or re-created file) are revived. The inner query needs only ids, so SQLite scans a small
/// index instead of the document rows and their bodies; REVIVE reads the `documents_retired` index.
const RETIRE_ALL: &str = concat!(
    "UPDATE documents SET retired_run_id = ?1
     WHERE retired_run_id IS NULL
       AND id IN (SELECT d.id FROM documents d
                  WHERE NOT EXISTS (SELECT 1 FROM files f
                                    WHERE f.document_id = d.id AND f.status IN ",
    live_statuses!(),
    "))"
);
const RETIRE_ONE: &str = concat!(
    "UPDATE documents SET retired_run_id = ?1
     WHERE id = ?2 AND retired_run_id IS NULL
       AND NOT EXISTS (SELECT 1 FROM files f
                       WHERE f.document_id = ?2 AND f.status IN ",
    live_statuses!(),
    ")"
);
const REVIVABLE: &str = concat!(
    "SELECT id FROM documents
     WHERE retired_run_id IS NOT NULL
       AND EXISTS (SELECT 1 FROM files f WHERE f.document_id = documents.id AND f.status IN ",
    live_statuses!(),
    ")"
);
const REVIVE: &str = concat!(
    "UPDATE documents SET retired_run_id = NULL
     WHERE retired_run_id IS NOT NULL
       AND EXISTS (SELECT 1 FROM files f WHERE f.document_id = documents.id AND f.status IN ",
    live_statuses!(),
    ")"
);
/// A document's primary file, status `ingested`, is its live file with the smallest path; its other
/// live files are `duplicate`.
const CHOOSE_PRIMARY: &str = concat!(
    "UPDATE files SET status = CASE
            WHEN path = (SELECT min(path) FROM files f WHERE f.document_id = ?1 AND f.status IN ",
    live_statuses!(),
    ")
            THEN 'ingested' ELSE 'duplicate' END
     WHERE document_id = ?1 AND status IN ",
    live_statuses!(),
    "
       AND status IS NOT CASE
            WHEN path = (SELECT min(path) FROM files f WHERE f.document_id = ?1 AND f.status IN ",
    live_statuses!(),
    ")
            THEN 'ingested' ELSE 'duplicate' END"
);
/// [`CHOOSE_PRIMARY`] for every document at once, after a run that did not finish: the documents its
/// committed batches touched are not known, and its files are skipped as unchanged from then on.
pub(crate) const CHOOSE_ALL_PRIMARIES: &str = concat!(
    "UPDATE files SET status = CASE
            WHEN path = (SELECT min(path) FROM files f
                         WHERE f.document_id = files.document_id AND f.status IN ",
    live_statuses!(),
    ")
            THEN 'ingested' ELSE 'duplicate' END
     WHERE status IN ",
    live_statuses!(),
    "
       AND status IS NOT CASE
            WHEN path = (SELECT min(path) FROM files f
                         WHERE f.document_id = files.document_id AND f.status IN ",
    live_statuses!(),
    ")
            THEN 'ingested' ELSE 'duplicate' END"
);
const IN_FILE_SCOPE: &str = "
    SELECT id, path, document_id FROM files
    WHERE status <> 'deleted' AND line IS NULL
      AND (path = ?1 OR substr(path, 1, length(?1) + 1) = ?1 || '/')";
const IN_LINES_SCOPE: &str = "
    SELECT id, path, document_id FROM files
    WHERE status <> 'deleted' AND line IS NOT NULL
      AND substr(path, 1, length(?1) + 1) = ?1 || '#'";
const MARK_DELETED: &str = "UPDATE files SET status = 'deleted', deleted_run_id = ?2 WHERE id = ?1";
const MARK_PATH_DELETED: &str = "UPDATE files SET status = 'deleted', deleted_run_id = ?2
     WHERE path = ?1 AND line IS NULL AND status <> 'deleted' RETURNING document_id";

/// Whether a file path not seen by the walk is gone from the disk (or is now a folder), so that a
/// file that exists but was not taken (another `--ext`, say) is left alone. The pipeline asks the
/// file system; tests answer for it.
pub type IsGone<'a> = &'a dyn Fn(&Path) -> bool;

impl Lifecycle {
    /// Tells the lifecycle what a walk over folders found (every path, as stored, before any record
    /// is written) and what the database knew at the run's start. Returns the known whole files
    /// the walk did not find, in any status but `deleted`, under any root or none: the only files
    /// [`Lifecycle::end`] may mark deleted in a run over folders (rows written in the run are for
    /// found paths, so nothing else in scope can be unseen).
    pub fn set_walked(
        &mut self,
        found: impl IntoIterator<Item = impl AsRef<str>>,
        known: &KnownFiles,
    ) -> &[String] {
        // Held only while the known files are looked up in it.
        let found: foldhash::HashSet<u128> =
            found.into_iter().map(|p| path_key(p.as_ref())).collect();
        let mut missing = foldhash::HashSet::default();
        let mut unseen = Vec::new();
        for (path, k) in known {
            let key = path_key(path);
            if found.contains(&key) {
                continue;
            }
            missing.insert(key);
            if k.status != FileStatus::Deleted {
                unseen.push(path.clone());
            }
        }
        self.missing = Some(missing);
        self.unseen_files.insert(unseen).as_slice()
    }

    /// Adds a source seen as it comes (JSON Lines records are not listed before they are read): its
    /// stored path, and its line for a record.
    pub fn add_discovered(&mut self, path: &str, line: Option<u64>) {
        self.discovered.insert(path, line);
    }

    /// Whether this run found the whole file `path`, which the database holds (a path it does not
    /// hold is not asked about: after a walk, it would count as found).
    pub fn was_discovered(&self, path: &str) -> bool {
        match &self.missing {
            Some(missing) => !missing.contains(&path_key(path)),
            None => self.discovered.has_file(path),
        }
    }

    /// Whether this run found the source the database holds as `path`: a JSON Lines record (see
    /// [`Seen::has`]) when `record`, else a whole file.
    pub fn saw_source(&self, path: &str, record: bool) -> bool {
        if record {
            self.discovered.has(path)
        } else {
            self.was_discovered(path)
        }
    }

    /// Document `id` gained or lost a file in this run.
    pub fn affect(&mut self, id: impl IntoIterator<Item = i64>) {
        self.affected.extend(id);
    }

    /// Ends the run's lifecycle work, inside its last transaction: marks deleted the sources in
    /// `scopes` this run did not see, chooses the primary file of every affected document, retires and
    /// revives. With `sweep` (the previous run did not finish: its batches may have moved files off
    /// documents it never got to retire, or linked files it never got to make primary), every document
    /// is looked at, not only the affected ones.
    pub fn end(
        mut self,
        conn: &Connection,
        run_id: i64,
        scopes: &[RunScope],
        is_gone: IsGone,
        sweep: bool,
    ) -> Result<Ended> {
        let mut ended = Ended::default();
        for scope in scopes {
            ended.deleted += self.mark_deleted(conn, run_id, scope, is_gone)?;
        }
        if sweep {
            conn.execute(CHOOSE_ALL_PRIMARIES, [])?;
        } else {
            let mut primary = conn.prepare_cached(CHOOSE_PRIMARY)?;
            for id in &self.affected {
                primary.execute([id])?;
            }
        }
        ended.revived = conn
            .prepare(REVIVABLE)?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if sweep {
            conn.execute(RETIRE_ALL, [run_id])?;
        } else {
            // Only a document whose files changed in this run can have lost its last one.
            let mut retire = conn.prepare_cached(RETIRE_ONE)?;
            for id in &self.affected {
                retire.execute([run_id, *id])?;
            }
        }
        ended.retired = conn
            .prepare("SELECT id FROM documents WHERE retired_run_id = ?1")?
            .query_map([run_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        conn.execute(REVIVE, [])?;
        Ok(ended)
    }

    /// Sources in `scope` that this run did not see become `deleted`: files under a walked root when
    /// `is_gone` says so; records of a JSON Lines file when the file no longer has that line. Returns
    /// how many.
    fn mark_deleted(
        &mut self,
        conn: &Connection,
        run_id: i64,
        scope: &RunScope,
        is_gone: IsGone,
    ) -> Result<u64> {
        if let (RunScope::Files(root), Some(unseen)) = (scope, &self.unseen_files) {
            let root = super::paths::stored(root);
            let mut deleted = 0;
            let mut mark = conn.prepare_cached(MARK_PATH_DELETED)?;
            for path in unseen {
                if !super::paths::is_under(path, &root)
                    || self.discovered.has_file(path)
                    || !is_gone(&super::paths::from_stored(path))
                {
                    continue;
                }
                // No row when the file was already marked (a rename found in the run).
                let marked: Option<Option<i64>> = mark
                    .query_row(params![path, run_id], |r| r.get(0))
                    .optional()?;
                if let Some(document_id) = marked {
                    deleted += 1;
                    self.affected.extend(document_id);
                }
            }
            return Ok(deleted);
        }
        let (sql, prefix) = match scope {
            RunScope::Files(root) => (IN_FILE_SCOPE, super::paths::stored(root).into_owned()),
            RunScope::Lines(prefix) => (IN_LINES_SCOPE, prefix.clone()),
            RunScope::Stdin | RunScope::Prepared(_) => return Ok(0),
        };
        // Every stored file in scope is read here, nearly all of them seen: a path is copied out only
        // when it was not.
        let mut unseen: Vec<(i64, String, Option<i64>)> = Vec::new();
        let mut stmt = conn.prepare_cached(sql)?;
        let mut rows = stmt.query([prefix])?;
        while let Some(r) = rows.next()? {
            let path = r.get_ref(1)?.as_str()?;
            let seen = match scope {
                RunScope::Files(_) => self.was_discovered(path),
                _ => self.discovered.has(path),
            };
            if !seen {
                unseen.push((r.get(0)?, path.to_owned(), r.get(2)?));
            }
        }
        drop(rows);
        drop(stmt);
        let mut deleted = 0;
        for (id, path, document_id) in unseen {
            let gone = match scope {
                RunScope::Lines(_) | RunScope::Stdin | RunScope::Prepared(_) => true,
                RunScope::Files(_) => is_gone(&super::paths::from_stored(&path)),
            };
            if gone {
                conn.prepare_cached(MARK_DELETED)?
                    .execute(params![id, run_id])?;
                deleted += 1;
                self.affected.extend(document_id);
            }
        }
        Ok(deleted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::known::known_files;
    use crate::store::open::in_memory;
    use crate::store::schema::FileStatus;
    use std::path::PathBuf;

    /// Two documents; document 1 has files /r/b and /r/a, document 2 has /r/c; a third file outside
    /// the root points at document 2.
    fn fixture() -> Connection {
        let conn = in_memory();
        conn.execute_batch(
            "INSERT INTO runs (id, started_at, roots, cleaner_version) VALUES (1, 't', '[]', 'v'), (2, 't', '[]', 'v');
             INSERT INTO documents (id, content_hash, body, word_count, cleaner_version)
             VALUES (1, 'h1', 'One.', 1, 'v'), (2, 'h2', 'Two.', 1, 'v');
             INSERT INTO files (path, document_id, status) VALUES
                 ('/r/b', 1, 'ingested'), ('/r/a', 1, 'duplicate'), ('/r/c', 2, 'ingested');",
        )
        .unwrap();
        conn
    }

    fn status(conn: &Connection, path: &str) -> FileStatus {
        conn.query_row("SELECT status FROM files WHERE path = ?1", [path], |r| {
            r.get(0)
        })
        .unwrap()
    }

    #[test]
    fn the_smallest_live_path_is_primary() {
        let conn = fixture();
        let mut life = Lifecycle::default();
        life.set_walked(["/r/a", "/r/b", "/r/c"], &known_files(&conn).unwrap());
        life.affect([1]);
        let ended = life
            .end(
                &conn,
                2,
                &[RunScope::Files(PathBuf::from("/r"))],
                &|_| true,
                false,
            )
            .unwrap();
        assert_eq!(ended, Ended::default());
        assert_eq!(status(&conn, "/r/a"), FileStatus::Ingested);
        assert_eq!(status(&conn, "/r/b"), FileStatus::Duplicate);
    }

    #[test]
    fn unseen_files_that_are_gone_are_deleted_and_their_documents_retired_then_revived() {
        let conn = fixture();
        let mut life = Lifecycle::default();
        life.set_walked(["/r/a", "/r/b"], &known_files(&conn).unwrap());
        let scopes = [RunScope::Files(PathBuf::from("/r"))];
        // /r/c exists but was not taken (another extension): left alone.
        let ended = life.end(&conn, 2, &scopes, &|_| false, false).unwrap();
        assert_eq!(ended.deleted, 0);
        assert_eq!(status(&conn, "/r/c"), FileStatus::Ingested);

        let mut life = Lifecycle::default();
        life.set_walked(["/r/a", "/r/b"], &known_files(&conn).unwrap());
        let ended = life.end(&conn, 2, &scopes, &|_| true, false).unwrap();
        assert_eq!(ended.deleted, 1);
        assert_eq!(ended.retired, vec![2]);
        assert_eq!(status(&conn, "/r/c"), FileStatus::Deleted);

        // The file comes back (the batch writes it live again): the document is revived.
        conn.execute(
            "UPDATE files SET status = 'duplicate' WHERE path = '/r/c'",
            [],
        )
        .unwrap();
        let mut life = Lifecycle::default();
        life.set_walked(["/r/a", "/r/b", "/r/c"], &known_files(&conn).unwrap());
        life.affect([2]);
        let ended = life.end(&conn, 2, &scopes, &|_| true, false).unwrap();
        assert_eq!(ended.revived, vec![2]);
        let retired: Option<i64> = conn
            .query_row(
                "SELECT retired_run_id FROM documents WHERE id = 2",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(retired, None);
        assert_eq!(status(&conn, "/r/c"), FileStatus::Ingested);
    }

    /// Told what the walk found, the end looks only at the known files it did not find under the
    /// run's roots, and a file marked deleted earlier in the run is not counted twice.
    #[test]
    fn unseen_files_worked_out_from_the_walk_are_the_only_ones_looked_at() {
        let conn = fixture();
        conn.execute_batch(
            "INSERT INTO files (path, document_id, status) VALUES
                 ('/r/gone-before', NULL, 'deleted'), ('/elsewhere/x', 2, 'ingested');",
        )
        .unwrap();
        let mut life = Lifecycle::default();
        let mut unseen = life
            .set_walked(["/r/a", "/r/b"], &known_files(&conn).unwrap())
            .to_vec();
        unseen.sort();
        assert_eq!(
            unseen,
            ["/elsewhere/x", "/r/c"],
            "not the one deleted before"
        );
        assert!(life.was_discovered("/r/a") && life.saw_source("/r/b", false));
        assert!(!life.was_discovered("/r/c") && !life.was_discovered("/r/gone-before"));
        let scopes = [RunScope::Files(PathBuf::from("/r"))];
        let ended = life.end(&conn, 2, &scopes, &|_| true, false).unwrap();
        assert_eq!(ended.deleted, 1);
        assert_eq!(status(&conn, "/r/c"), FileStatus::Deleted);
        assert_eq!(status(&conn, "/elsewhere/x"), FileStatus::Ingested);
        // Document 2 keeps its file outside the root.
        assert!(ended.retired.is_empty());
    }

    #[test]
    fn a_sweep_retires_documents_the_run_did_not_touch() {
        let conn = fixture();
        conn.execute(
            "UPDATE files SET status = 'error', document_id = NULL WHERE path = '/r/c'",
            [],
        )
        .unwrap();
        let mut life = Lifecycle::default();
        life.set_walked(["/r/a", "/r/b", "/r/c"], &known_files(&conn).unwrap());
        let scopes = [RunScope::Files(PathBuf::from("/r"))];
        let ended = Lifecycle::default()
            .end(&conn, 2, &scopes, &|_| false, false)
            .unwrap();
        assert!(ended.retired.is_empty(), "not affected, not looked at");
        let ended = life.end(&conn, 2, &scopes, &|_| false, true).unwrap();
        assert_eq!(ended.retired, vec![2]);
    }

    #[test]
    fn a_sweep_chooses_primaries_the_unfinished_run_left_undecided() {
        let conn = fixture();
        // A run that died after its batch linked /r/c: written `duplicate`, never made primary.
        conn.execute(
            "UPDATE files SET status = 'duplicate' WHERE path = '/r/c'",
            [],
        )
        .unwrap();
        let mut life = Lifecycle::default();
        life.set_walked(["/r/a", "/r/b", "/r/c"], &known_files(&conn).unwrap());
        let scopes = [RunScope::Files(PathBuf::from("/r"))];
        life.end(&conn, 2, &scopes, &|_| false, true).unwrap();
        assert_eq!(status(&conn, "/r/c"), FileStatus::Ingested);
        assert_eq!(status(&conn, "/r/a"), FileStatus::Ingested);
        assert_eq!(status(&conn, "/r/b"), FileStatus::Duplicate);
    }

    #[test]
    fn records_missing_from_a_json_lines_file_are_deleted() {
        let conn = fixture();
        conn.execute(
            "INSERT INTO files (path, document_id, status, line) VALUES ('/x.jsonl#1', 2, 'duplicate', 1)",
            [],
        )
        .unwrap();
        let ended = Lifecycle::default()
            .end(
                &conn,
                2,
                &[RunScope::Lines("/x.jsonl".into())],
                &|_| false,
                false,
            )
            .unwrap();
        assert_eq!(ended.deleted, 1);
        assert_eq!(status(&conn, "/x.jsonl#1"), FileStatus::Deleted);
    }
}
