//! The plain data that crosses the channel from the workers to the writer, and the run's counters.

use crate::prepare::Prepared;
use crate::read::Stat;
use crate::reject::Rejection;
use std::path::PathBuf;

/// What the workers made of one file.
#[derive(Debug, Clone)]
pub struct Record {
    pub path: PathBuf,
    pub stat: Stat,
    pub outcome: Outcome,
}

#[derive(Debug, Clone)]
pub enum Outcome {
    /// Size and mtime match the stored record: the file was not read.
    Unchanged,
    /// The file was read, and its bytes are those of a stored file cleaned by the current cleaner: no
    /// need to decode and clean them again (a rename, a restore, a byte-identical copy).
    KnownBytes { raw_hash: String },
    /// The file was read and cleaned.
    Prepared {
        raw_hash: String,
        doc: Box<Prepared>,
    },
    /// The file was rejected; `raw_hash` is known if it could be read.
    Rejected {
        raw_hash: Option<String>,
        rejection: Rejection,
    },
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
}
