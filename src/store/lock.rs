//! One writer at a time: an exclusive OS lock on `<database>.lock`.
//!
//! The lock is advisory and held by the process: the kernel releases it when the process ends, however
//! it ends (even `kill -9`), so a crashed ingest never leaves a stale lock behind. The file itself stays
//! and says who last held it; deleting it is safe whenever no `newsdb ingest` is running.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum LockError {
    #[error(
        "another newsdb ingest is writing to this database ({holder}); wait for it, or pass --wait"
    )]
    Held { holder: String },
    #[error("cannot lock {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Holds the writer lock until dropped.
#[derive(Debug)]
pub struct WriterLock {
    _file: File,
}

/// The lock file that guards the database at `db`: beside the database's real path, however `db`
/// is spelled (through a symbolic link, `..`, a relative path), so that two writers of one database
/// always meet at one lock.
pub fn lock_path(db: &Path) -> PathBuf {
    let real = std::fs::canonicalize(db).unwrap_or_else(|_| {
        // No database yet: its folder's real path, and its name.
        match (db.parent(), db.file_name()) {
            (Some(parent), Some(name)) => {
                let parent = if parent.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    parent
                };
                std::fs::canonicalize(parent)
                    .map(|p| p.join(name))
                    .unwrap_or_else(|_| db.to_owned())
            }
            _ => db.to_owned(),
        }
    });
    let mut p = real.into_os_string();
    p.push(".lock");
    PathBuf::from(p)
}

/// Takes the writer lock for `db`. With `wait`, blocks until the current holder is done; without,
/// fails at once saying who holds it.
pub fn acquire(db: &Path, wait: bool) -> Result<WriterLock, LockError> {
    let path = lock_path(db);
    let io = |source| LockError::Io {
        path: path.clone(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) if wait => file.lock().map_err(io)?,
        Err(TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            return Err(LockError::Held {
                holder: if holder.is_empty() {
                    "holder unknown".into()
                } else {
                    holder.to_owned()
                },
            });
        }
        Err(TryLockError::Error(e)) => return Err(io(e)),
    }
    // Say who holds it, for the message a second writer prints.
    let note = format!("pid {}, since {}", std::process::id(), super::schema::now());
    file.set_len(0).map_err(io)?;
    file.rewind().map_err(io)?;
    file.write_all(note.as_bytes()).map_err(io)?;
    Ok(WriterLock { _file: file })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("x.db");
        let first = acquire(&db, false).unwrap();
        let err = acquire(&db, false).unwrap_err();
        assert!(
            err.to_string()
                .contains(&format!("pid {}", std::process::id())),
            "{err}"
        );
        drop(first);
        acquire(&db, false).unwrap();
    }

    #[test]
    fn a_database_reached_through_a_link_has_the_same_lock() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("x.db");
        std::fs::write(&db, b"").unwrap();
        let link = dir.path().join("link.db");
        std::os::unix::fs::symlink(&db, &link).unwrap();
        let _first = acquire(&db, false).unwrap();
        assert!(matches!(acquire(&link, false), Err(LockError::Held { .. })));
        let dotted = dir.path().join("sub/../x.db");
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        assert!(matches!(
            acquire(&dotted, false),
            Err(LockError::Held { .. })
        ));
    }
}
