//! Rows of the `files` table as a run writes them: one per path ever seen.

use crate::live_statuses;
use crate::read::Stat;
use crate::reject::Rejection;
use crate::store::schema::FileStatus;
use anyhow::Result;
use rusqlite::{params, Connection, OptionalExtension};

/// The stored state of one path, as the writer needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub raw_hash: Option<String>,
    pub document_id: Option<i64>,
    pub status: FileStatus,
}

impl StoredFile {
    /// Whether the file currently stands for a document (as opposed to an error or a deletion).
    pub fn is_live(&self) -> bool {
        self.status.is_live()
    }
}

/// Header fields, encoding and format of a file, as stored in its `files` row.
#[derive(Debug, Clone, Copy, Default)]
pub struct FileFields<'a> {
    pub encoding: Option<&'a str>,
    pub title: Option<&'a str>,
    pub published: Option<&'a str>,
    pub url: Option<&'a str>,
    /// `text` or `html`: the path the source took.
    pub format: Option<&'a str>,
    /// For `html`, the extractor that found the article.
    pub extractor: Option<&'a str>,
    /// What was not understood in a source that was still stored (a date it cannot read): written
    /// to `files.detail`.
    pub note: Option<&'a str>,
}

/// What a file's row says about it.
pub enum FileState<'a> {
    /// The file stands for this document. The end of the run chooses the primary file (`ingested`)
    /// of each document whose files the run changed ([`crate::store::lifecycle`]); until then the
    /// file is written `duplicate`, or `ingested` when it is the first file of a document the run
    /// stores (`first`): that document's primary unless another file joins it in the run, and
    /// only then is it chosen again. Writing each new document's file twice took a fifth of the
    /// run's end at 100k real-text files (78k files, 0.78 s, and more pages for its commit).
    Linked {
        document_id: i64,
        fields: &'a FileFields<'a>,
        first: bool,
    },
    /// The file was rejected.
    Rejected(&'a Rejection),
}

/// One source as a row: its path, size and mtime, its raw hash, and its JSON Lines line number.
pub struct FileRow<'a> {
    pub path: &'a str,
    pub stat: Stat,
    pub raw_hash: Option<&'a str>,
    pub line: Option<u64>,
}

const SELECT_FILE: &str = "SELECT raw_hash, document_id, status FROM files WHERE path = ?1";
const TOUCH_FILE: &str = "UPDATE files SET size = ?2, mtime = ?3, last_run_id = ?4 WHERE path = ?1";
const SEEN_FILE: &str = "UPDATE files SET last_run_id = ?2 WHERE path = ?1";
const OTHER_PATHS_WITH_RAW_HASH: &str =
    "SELECT path, line IS NOT NULL FROM files WHERE raw_hash = ?1 AND path <> ?2";
const UPSERT_FILE: &str = "
    INSERT INTO files (path, size, mtime, raw_hash, encoding, document_id, title, published, url,
                       status, reason, detail, first_run_id, last_run_id, line, format, extractor)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?14, ?15, ?16)
    ON CONFLICT (path) DO UPDATE SET
        size = excluded.size, mtime = excluded.mtime, raw_hash = excluded.raw_hash,
        encoding = excluded.encoding, document_id = excluded.document_id, title = excluded.title,
        published = excluded.published, url = excluded.url, status = excluded.status,
        reason = excluded.reason, detail = excluded.detail, last_run_id = excluded.last_run_id,
        format = excluded.format, extractor = excluded.extractor, deleted_run_id = NULL";

const DOCUMENTS_OF_OTHER_COPIES: &str = concat!(
    "SELECT DISTINCT document_id FROM files WHERE raw_hash = ?1 AND status IN ",
    live_statuses!(),
    " AND document_id IS NOT ?2"
);
const MOVE_COPIES: &str = concat!(
    "UPDATE files SET document_id = ?2 WHERE raw_hash = ?1 AND status IN ",
    live_statuses!(),
    " AND document_id IS NOT ?2"
);

/// Points every live file with the bytes `raw_hash` at `document_id`, so copies of the same bytes
/// always stand for one document (a copy not read this run would otherwise stay on the document its
/// bytes made before they were cleaned again). Returns the documents the copies left.
pub fn move_copies(conn: &Connection, raw_hash: &str, document_id: i64) -> Result<Vec<i64>> {
    let left: Vec<i64> = conn
        .prepare_cached(DOCUMENTS_OF_OTHER_COPIES)?
        .query_map(params![raw_hash, document_id], |r| r.get(0))?
        .filter_map(|r| r.transpose())
        .collect::<rusqlite::Result<_>>()?;
    if !left.is_empty() {
        conn.prepare_cached(MOVE_COPIES)?
            .execute(params![raw_hash, document_id])?;
    }
    Ok(left)
}

/// The stored state of `path`, if it was ever seen.
pub fn stored(conn: &Connection, path: &str) -> Result<Option<StoredFile>> {
    Ok(conn
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

/// Records that run `run_id` saw the file at `path` with `stat`, and nothing else changed.
pub fn touch(conn: &Connection, path: &str, stat: Stat, run_id: i64) -> Result<()> {
    conn.prepare_cached(TOUCH_FILE)?.execute(params![
        path,
        stat.size as i64,
        stat.mtime_ns,
        run_id
    ])?;
    Ok(())
}

/// Records that run `run_id` saw the file at `path`, leaving even its size and mtime as they were
/// (a file caught mid-write keeps what was stored until a run reads it whole).
pub fn seen(conn: &Connection, path: &str, run_id: i64) -> Result<()> {
    conn.prepare_cached(SEEN_FILE)?
        .execute(params![path, run_id])?;
    Ok(())
}

/// Inserts or updates a file's row: linked to its document, or rejected with its reason.
pub fn upsert(conn: &Connection, row: &FileRow, state: FileState, run_id: i64) -> Result<()> {
    let none = FileFields::default();
    let (document_id, fields, status, reason, detail) = match state {
        FileState::Linked {
            document_id,
            fields,
            first,
        } => (
            Some(document_id),
            fields,
            if first {
                FileStatus::Ingested
            } else {
                FileStatus::Duplicate
            },
            None,
            fields.note.map(str::to_owned),
        ),
        FileState::Rejected(rejection) => (
            None,
            &none,
            FileStatus::Error,
            Some(rejection.code()),
            Some(rejection.to_string()),
        ),
    };
    conn.prepare_cached(UPSERT_FILE)?.execute(params![
        row.path,
        row.stat.size as i64,
        row.stat.mtime_ns,
        row.raw_hash,
        fields.encoding,
        document_id,
        fields.title,
        fields.published,
        fields.url,
        status,
        reason,
        detail,
        run_id,
        row.line.map(|l| l as i64),
        fields.format,
        fields.extractor
    ])?;
    Ok(())
}

/// Whether a stored file other than `path` holds `raw_hash` at a path `seen` does not contain: the
/// bytes moved, so a new path with them is a rename. `seen` is told whether the other path is a
/// JSON Lines record's.
pub fn is_rename(
    conn: &Connection,
    path: &str,
    raw_hash: &str,
    seen: impl Fn(&str, bool) -> bool,
) -> Result<bool> {
    let mut stmt = conn.prepare_cached(OTHER_PATHS_WITH_RAW_HASH)?;
    let others = stmt.query_map(params![raw_hash, path], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?))
    })?;
    for other in others {
        let (other, record) = other?;
        if !seen(&other, record) {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::ReadError;
    use crate::store::open::in_memory;

    fn row<'a>(path: &'a str, raw_hash: Option<&'a str>) -> FileRow<'a> {
        FileRow {
            path,
            stat: Stat {
                size: 10,
                mtime_ns: 5,
            },
            raw_hash,
            line: None,
        }
    }

    fn with_run_and_document() -> Connection {
        let conn = in_memory();
        conn.execute_batch(
            "INSERT INTO runs (id, started_at, roots, cleaner_version) VALUES (1, 't', '[]', 'v');
             INSERT INTO documents (id, content_hash, body, word_count, cleaner_version)
             VALUES (7, 'h', 'Body.', 1, 'v');",
        )
        .unwrap();
        conn
    }

    #[test]
    fn a_linked_file_is_a_duplicate_until_the_run_ends_and_a_rejection_keeps_its_reason() {
        let conn = with_run_and_document();
        let fields = FileFields {
            title: Some("T"),
            ..FileFields::default()
        };
        let linked = FileState::Linked {
            document_id: 7,
            fields: &fields,
            first: false,
        };
        upsert(&conn, &row("/a", Some("r")), linked, 1).unwrap();
        let a = stored(&conn, "/a").unwrap().unwrap();
        assert_eq!(a.status, FileStatus::Duplicate);
        assert_eq!(a.document_id, Some(7));
        assert!(a.is_live());

        let why = Rejection::from(ReadError::Unreadable("denied".into()));
        upsert(&conn, &row("/a", None), FileState::Rejected(&why), 1).unwrap();
        let (status, reason, detail, document): (FileStatus, String, String, Option<i64>) = conn
            .query_row(
                "SELECT status, reason, detail, document_id FROM files WHERE path = '/a'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!(status, FileStatus::Error);
        assert_eq!(reason, "unreadable");
        assert_eq!(detail, "cannot read: denied");
        assert_eq!(document, None);
        assert_eq!(stored(&conn, "/missing").unwrap(), None);
    }

    #[test]
    fn a_path_holding_bytes_that_left_their_old_path_is_a_rename() {
        let conn = with_run_and_document();
        let fields = FileFields::default();
        let linked = || FileState::Linked {
            document_id: 7,
            fields: &fields,
            first: false,
        };
        upsert(&conn, &row("/old", Some("r")), linked(), 1).unwrap();
        assert!(is_rename(&conn, "/new", "r", |p, _| p == "/new").unwrap());
        assert!(!is_rename(&conn, "/new", "r", |_, _| true).unwrap());
        assert!(!is_rename(&conn, "/new", "other", |_, _| false).unwrap());
    }

    #[test]
    fn touching_a_file_updates_its_stat_and_sighting() {
        let conn = with_run_and_document();
        let fields = FileFields::default();
        let linked = FileState::Linked {
            document_id: 7,
            fields: &fields,
            first: false,
        };
        upsert(&conn, &row("/a", Some("r")), linked, 1).unwrap();
        touch(
            &conn,
            "/a",
            Stat {
                size: 11,
                mtime_ns: 6,
            },
            1,
        )
        .unwrap();
        let (size, mtime): (i64, i64) = conn
            .query_row("SELECT size, mtime FROM files WHERE path = '/a'", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((size, mtime), (11, 6));
    }
}
