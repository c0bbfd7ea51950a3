//! Stage: path → bytes + raw SHA-256.
//!
//! Reads a whole file (articles are small; a size limit keeps one stray video file from taking the
//! memory), hashes its bytes, and checks that the file did not change between the directory listing
//! and the read, so a half-written file is never stored as if it were complete.

pub mod ahead;

use newsdb_core::hash::sha256_hex;
use std::fs;
use std::io::Read;
use std::path::Path;
use std::time::UNIX_EPOCH;

/// Files larger than this are rejected unread: no news article is 64 MiB of text.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Why a file could not be read whole. The content is not to blame: the file may read fine later.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ReadError {
    #[error("file too large ({size} bytes; the limit is {limit} bytes)")]
    TooLarge { size: u64, limit: u64 },
    #[error("cannot read: {0}")]
    Unreadable(String),
    #[error("the file disappeared before it could be read")]
    Vanished,
    #[error("the file changed while it was being read; the next run will pick it up")]
    ChangedWhileRead,
}

impl ReadError {
    /// The stable short code stored in `files.reason`.
    pub fn code(&self) -> &'static str {
        match self {
            ReadError::TooLarge { .. } => "too-large",
            ReadError::Unreadable(_) => "unreadable",
            ReadError::Vanished => "vanished",
            ReadError::ChangedWhileRead => "changed-while-read",
        }
    }
}

/// A file's bytes and what identifies them.
#[derive(Debug, Clone)]
pub struct FileBytes {
    pub bytes: Vec<u8>,
    pub raw_hash: String,
}

/// Size and modification time, as compared between runs to skip unchanged files.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stat {
    pub size: u64,
    /// Nanoseconds since the Unix epoch (negative before it).
    pub mtime_ns: i64,
}

impl Stat {
    pub fn of(meta: &fs::Metadata) -> Stat {
        let mtime_ns = match meta.modified() {
            Ok(t) => match t.duration_since(UNIX_EPOCH) {
                Ok(d) => d.as_nanos() as i64,
                Err(e) => -(e.duration().as_nanos() as i64),
            },
            Err(_) => 0,
        };
        Stat {
            size: meta.len(),
            mtime_ns,
        }
    }
}

/// Reads `path`, which was listed with `listed`. Fails with a rejection when the file cannot be read,
/// is too large, or changed while it was read.
pub fn read(path: &Path, listed: Stat) -> Result<FileBytes, ReadError> {
    if listed.size > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge {
            size: listed.size,
            limit: MAX_FILE_BYTES,
        });
    }
    let unreadable = |e: std::io::Error| ReadError::Unreadable(e.to_string());
    let mut file = fs::File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ReadError::Vanished,
        _ => unreadable(e),
    })?;
    let mut bytes = Vec::with_capacity(listed.size as usize);
    file.by_ref()
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    let after = Stat::of(&file.metadata().map_err(unreadable)?);
    if after != listed || bytes.len() as u64 != listed.size {
        return Err(ReadError::ChangedWhileRead);
    }
    Ok(FileBytes {
        raw_hash: sha256_hex(&bytes),
        bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_changed_since_it_was_listed_is_not_read_as_complete() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        fs::write(&path, "first").unwrap();
        let listed = Stat::of(&fs::metadata(&path).unwrap());
        fs::write(&path, "first, then more").unwrap();
        assert_eq!(
            read(&path, listed).unwrap_err(),
            ReadError::ChangedWhileRead
        );
    }

    #[test]
    fn a_file_that_vanished_since_it_was_listed_is_reported_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        fs::write(&path, "x").unwrap();
        let listed = Stat::of(&fs::metadata(&path).unwrap());
        fs::remove_file(&path).unwrap();
        assert_eq!(read(&path, listed).unwrap_err(), ReadError::Vanished);
    }

    #[test]
    fn raw_hash_is_sha256_of_the_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        fs::write(&path, "abc").unwrap();
        let listed = Stat::of(&fs::metadata(&path).unwrap());
        assert_eq!(
            read(&path, listed).unwrap().raw_hash,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
