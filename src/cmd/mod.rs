//! One module per command: arguments in, a library call, output printed. Each returns the exit status.

pub mod check;
pub mod clean;
pub mod completions;
pub mod datasette_config;
pub mod dups;
pub mod export;
pub mod ingest;
pub mod prepare;
pub mod prune;
pub mod runs;
pub mod search;
pub mod show;
pub mod sql;
pub mod stats;

use anyhow::{Context, Result};
use newsdb::config::Config;
use newsdb::store::{self, LockError, WriterLock};
use newsdb::tuning::Tuning;
use newsdb_core::clean::Cleaner;
use rusqlite::Connection;
use std::path::Path;

/// The cleaner: the built-in rules, changed by the rules file named by `--rules` or newsdb.toml.
pub fn cleaner(rules: Option<&Path>, config: &Config) -> Result<Cleaner> {
    match rules.or(config.rules.as_deref()) {
        Some(path) => Ok(Cleaner::with_rules_file(path)?),
        None => Ok(Cleaner::builtin()),
    }
}

/// How a command that did not fail outright ended; `main` turns it into the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Everything was handled.
    Success,
    /// The run completed, but some files were rejected.
    FilesFailed,
    /// The user asked for something malformed (a bad search query).
    Usage,
    /// Another ingest holds the writer lock.
    Locked,
    /// The run completed, but refused to mark a root's vanished files deleted (an empty root, or
    /// more than half of its files gone at once, or a root that cannot be opened).
    DeletionsRefused,
    /// `check` found problems in the database (or some were left after `--repair`).
    Unsound,
}

/// Opens (creating and migrating) the database for a command that writes, naming it in any error.
pub fn open_read_write(db: &Path, tuning: &Tuning) -> Result<Connection> {
    store::open_read_write(db, tuning).with_context(|| format!("opening {}", db.display()))
}

/// Opens the database for a read-only command, naming it in any error.
pub fn open_read_only(db: &Path) -> Result<Connection> {
    store::open_read_only(db).with_context(|| format!("opening {}", db.display()))
}

/// Takes the writer lock for a command that writes. `Ok(Err(Status::Locked))` when another writer
/// holds it (after saying so on stderr): the caller returns that status.
/// A database in a folder that does not exist is refused, not made with its folders: a typo in a
/// cron line must not start a new, empty database beside the real one.
pub fn lock_writer(db: &Path, wait: bool) -> Result<Result<WriterLock, Status>> {
    if let Some(folder) = db.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !folder.is_dir() {
            return Err(newsdb::usage::UsageError(format!(
                "{}: the folder {} does not exist; create it first (newsdb does not create folders \
                 for a database, so a mistyped path does not start a new one)",
                db.display(),
                folder.display()
            ))
            .into());
        }
    }
    match store::lock_writer(db, wait) {
        Ok(lock) => Ok(Ok(lock)),
        Err(err @ LockError::Held { .. }) => {
            eprintln!("newsdb: {}: {err}", db.display());
            Ok(Err(Status::Locked))
        }
        Err(err) => Err(err.into()),
    }
}
