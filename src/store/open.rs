//! Opening a database: read-write for `ingest` (creating and migrating it), read-only for the rest.

use super::migrate;
use crate::tuning::Tuning;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::time::Duration;
use thiserror::Error;

/// How long a connection waits for a lock held by another connection before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a database could not be opened. Callers match on it to pick an exit code and a message.
#[derive(Debug, Error)]
pub enum OpenError {
    #[error("database schema version {db} is newer than this newsdb supports ({binary}); upgrade newsdb")]
    SchemaTooNew { db: i64, binary: i64 },
    #[error("database schema version {db} is older than this newsdb's ({binary}); run `newsdb ingest` once to upgrade it")]
    SchemaTooOld { db: i64, binary: i64 },
    #[error("no database here; create it with `newsdb ingest PATH`")]
    Missing,
    #[error("not a newsdb database (it has no `documents` table)")]
    NotNewsdb,
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// Opens (creating if needed) the database at `path` for writing, and brings its schema up to date.
pub fn open_read_write(path: &Path, tuning: &Tuning) -> Result<Connection, OpenError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| {
            OpenError::Sqlite(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
                Some(format!("cannot create folder {}: {e}", parent.display())),
            ))
        })?;
    }
    keep_statement_journals_in_memory();
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // page_size only takes effect on a new database, before WAL is switched on.
    conn.pragma_update(None, "page_size", 8192)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", tuning.synchronous.as_str())?;
    conn.pragma_update(None, "foreign_keys", true)?;
    // A large page cache for the writer's random lookups in the near-duplicate buckets.
    conn.pragma_update(None, "cache_size", -1024 * tuning.cache_mib)?;
    conn.set_prepared_statement_cache_capacity(64);
    // The query planner's stability guarantee: a statement's plan never depends on the values bound
    // to it. Without it, three of the writer's statements that run once per file (the other copies
    // of a file's bytes, a page's live lines, a stored file by its bytes) were parsed and planned
    // again at every run, as their parameters changed: 8% of the writer's time on the real-text
    // bench corpus. Plans only decide how rows are found, and these statements have one good plan
    // whatever their values: the databases written with and without it compare identical.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    migrate::migrate(&mut conn)?;
    Ok(conn)
}

/// How large a statement journal may grow in memory before SQLite writes it to a temporary file
/// (`SQLITE_CONFIG_STMTJRNL_SPILL`; SQLite's default is 64 KiB).
///
/// At most 128 KiB - 1: SQLite writes what it held in memory to the file in one write, and its unix
/// file layer writes at most that much at once (`seekAndWriteFd` keeps the length's low 17 bits), so
/// a larger journal fails as "database or disk is full" when it spills. With 4 MiB, a second run
/// over a folder whose files link to many stored documents failed at its end: the statement that
/// marks the documents it saw journals a page or more per document (SQLite 3.54.1).
const STATEMENT_JOURNAL_IN_MEMORY: i32 = (128 << 10) - 1;

/// Sets [`STATEMENT_JOURNAL_IN_MEMORY`] for the process, once, before SQLite is first used.
///
/// A statement that changes rows inside the writer's transaction (a `files` upsert, with its
/// triggers; a site line's count) keeps the pages it changes in a statement journal, to undo them
/// if it fails. With the default limit those pages went to a temporary file (SQLite keeps writing
/// a spilled statement journal's file until the transaction ends): a system call per page, 12% of
/// the writer's time on the real-text bench corpus (perf: `pwrite` under
/// `subjournalPageIfRequired`). A larger limit keeps them in memory. Only where they are kept changes, never what is stored. If SQLite was started already
/// (a connection opened before this one), the call is refused and the default stays.
fn keep_statement_journals_in_memory() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: SQLITE_CONFIG_STMTJRNL_SPILL takes one int. sqlite3_config refuses (returns
        // SQLITE_MISUSE) once SQLite is initialized, and changes nothing then.
        unsafe {
            rusqlite::ffi::sqlite3_config(
                rusqlite::ffi::SQLITE_CONFIG_STMTJRNL_SPILL,
                STATEMENT_JOURNAL_IN_MEMORY,
            );
        }
    });
}

/// Opens an existing database read-only: statements that write fail, whatever they are.
pub fn open_read_only(path: &Path) -> Result<Connection, OpenError> {
    if !path.exists() {
        return Err(OpenError::Missing);
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "query_only", true)?;
    let version = migrate::check_not_newer(&conn)?;
    if version == 0 {
        return Err(OpenError::NotNewsdb);
    }
    // The read-only commands query columns of the current schema; upgrading is a write.
    if version < migrate::SCHEMA_VERSION {
        return Err(OpenError::SchemaTooOld {
            db: version,
            binary: migrate::SCHEMA_VERSION,
        });
    }
    Ok(conn)
}

/// A new, migrated database in memory, for the store's unit tests.
#[cfg(test)]
pub fn in_memory() -> Connection {
    let mut conn = Connection::open_in_memory().unwrap();
    conn.pragma_update(None, "foreign_keys", true).unwrap();
    migrate::migrate(&mut conn).unwrap();
    conn
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_foreign_file_is_not_opened_read_only() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.db");
        assert!(matches!(open_read_only(&missing), Err(OpenError::Missing)));
        let foreign = dir.path().join("other.db");
        Connection::open(&foreign)
            .unwrap()
            .execute_batch("CREATE TABLE t (x)")
            .unwrap();
        assert!(matches!(
            open_read_only(&foreign),
            Err(OpenError::NotNewsdb)
        ));
    }

    #[test]
    fn a_new_database_is_created_migrated_and_then_opens_read_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("news.db");
        let conn = open_read_write(&path, &Tuning::default()).unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        drop(conn);
        let ro = open_read_only(&path).unwrap();
        assert!(ro.execute("DELETE FROM documents", []).is_err());
    }
}
