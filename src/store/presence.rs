//! Is the database file a run writes still the one it opened? Deleted (a cleanup job, `rm` in the
//! wrong folder) or replaced (a restore from backup) under a running ingest, SQLite goes on writing
//! into the unlinked file and the run would report success into nothing. The writer checks after each
//! batch and before the run's end, and fails the run loudly instead.

use anyhow::{bail, Result};
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;

/// The database file as the run opened it: its path and (device, inode).
#[derive(Debug, Clone)]
pub struct DatabaseFile {
    path: PathBuf,
    identity: (u64, u64),
}

impl DatabaseFile {
    /// The file behind `conn`; `None` for an in-memory or temporary database.
    pub fn of(conn: &rusqlite::Connection) -> Option<DatabaseFile> {
        let path = PathBuf::from(conn.path().filter(|p| !p.is_empty())?);
        let meta = std::fs::metadata(&path).ok()?;
        Some(DatabaseFile {
            path,
            identity: (meta.dev(), meta.ino()),
        })
    }

    /// Fails when the file is gone from its path or another file took its place.
    pub fn check(&self) -> Result<()> {
        match std::fs::metadata(&self.path) {
            Ok(meta) if (meta.dev(), meta.ino()) == self.identity => Ok(()),
            Ok(_) => bail!(
                "{}: the database file was replaced during the run; what this run wrote is not in \
                 it (run ingest again)",
                self.path.display()
            ),
            Err(e) => bail!(
                "{}: the database file is gone ({e}); what this run wrote went with it (run ingest \
                 again)",
                self.path.display()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deleted_or_replaced_database_file_is_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db");
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE t (x)").unwrap();
        let file = DatabaseFile::of(&conn).unwrap();
        file.check().unwrap();
        std::fs::remove_file(&path).unwrap();
        assert!(file.check().unwrap_err().to_string().contains("is gone"));
        std::fs::write(&path, b"").unwrap();
        assert!(file.check().unwrap_err().to_string().contains("replaced"));
        assert!(DatabaseFile::of(&rusqlite::Connection::open_in_memory().unwrap()).is_none());
    }
}
