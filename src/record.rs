//! The plain data that crosses the channel from the workers to the writer, and the run's counters.

use crate::read::Stat;
use crate::reject::Rejection;
use crate::store::documents::RemovedLines;
use newsdb_core::prepare::Prepared;
use std::path::PathBuf;

/// What the workers made of one source: a file, or one line of a JSON Lines file.
#[derive(Debug, Clone)]
pub struct Record {
    /// The file's path; for a JSON Lines record, the file's path, `#` and the line number.
    pub path: PathBuf,
    /// The 1-based line number of a JSON Lines record; `None` for a whole file.
    pub line: Option<u64>,
    /// Size and mtime of the file (for a JSON Lines record: the line's size, the file's mtime).
    pub stat: Stat,
    pub outcome: Outcome,
}

/// The sources a run is responsible for: at its end, the sources in scope that it did not see are
/// marked deleted (files only when they are gone from the disk).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunScope {
    /// A file or folder walked for article files.
    Files(PathBuf),
    /// The records of one JSON Lines file, by its path.
    Lines(String),
    /// Records piped on standard input: they only add, so a run over standard input marks nothing
    /// deleted (today's batch is not a replacement for yesterday's).
    Stdin,
    /// Prepared records (`ingest --prepared`), from this file or `-`: they add and update, and mark
    /// nothing deleted (one shard of a corpus is not all of it).
    Prepared(String),
}

impl RunScope {
    /// How the scope is recorded in `runs.roots`.
    pub fn label(&self) -> String {
        match self {
            RunScope::Files(path) => crate::store::paths::stored(path).into_owned(),
            RunScope::Lines(prefix) => prefix.clone(),
            RunScope::Stdin => crate::pipeline::STDIN.to_owned(),
            RunScope::Prepared(label) => label.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub enum Outcome {
    /// The file was read, and its bytes are those of a stored file cleaned by the current cleaner: no
    /// need to decode and clean them again (a rename, a restore, a byte-identical copy).
    ///
    /// `document_id`: the document the bytes made when the run started (`None` for a copy of bytes
    /// first read in this run). The writer links the file to the document of a stored file with these
    /// bytes, and falls back on it when no file has them any more (their only file changed earlier in
    /// the run).
    KnownBytes {
        raw_hash: String,
        document_id: Option<i64>,
    },
    /// The file was read and cleaned. The lines it removed are in `removed`, as they are stored,
    /// not in `doc` ([`Outcome::prepared`]).
    Prepared {
        raw_hash: String,
        doc: Box<Prepared>,
        removed: RemovedLines,
    },
    /// The file was rejected; `raw_hash` is known if it could be read.
    Rejected {
        raw_hash: Option<String>,
        rejection: Rejection,
    },
}

impl Outcome {
    /// The outcome of a file with bytes `raw_hash` cleaned into `doc`: the lines it removed are
    /// taken out of it as the rows the writer stores ([`RemovedLines`]), here on a worker.
    pub fn prepared(raw_hash: String, mut doc: Prepared) -> Outcome {
        let removed = RemovedLines::take(&mut doc);
        Outcome::Prepared {
            raw_hash,
            doc: Box::new(doc),
            removed,
        }
    }
}

/// What one run did. Every file found counts once in exactly one of `new_documents`, `duplicates`,
/// `unchanged` and `failed`; `changed` counts, among those, the known files that now point at a
/// different document than before, and `renamed` the new paths that hold the bytes of a file that is
/// gone. `deleted` counts files found gone, `retired` documents no file references any more.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RunCounts {
    pub files_seen: u64,
    pub new_documents: u64,
    pub duplicates: u64,
    pub unchanged: u64,
    pub changed: u64,
    pub renamed: u64,
    pub failed: u64,
    pub deleted: u64,
    pub retired: u64,
    /// Domains whose learned boilerplate lines changed in this run.
    pub sites_learned: u64,
}
